/* node_log.c - one line per event on standard error. */
#include <stdarg.h>
#include <stdio.h>

#include "node/node_log.h"

void
node_log(const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	fputs("pdns-node: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}
