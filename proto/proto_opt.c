/* proto_opt.c - getopt tables and --help lines from one option table. */
#include <stdarg.h>
#include <string.h>

#include "proto/proto_opt.h"

void
proto_opt_tables(const struct proto_opt *opts, size_t n, struct option *lopts,
                 char *sopts)
{
	size_t sn = 0;

	for (size_t i = 0; i < n; i++) {
		lopts[i] = opts[i].o;
		if (opts[i].short_opt) {
			sopts[sn++] = (char)opts[i].short_opt;
			if (opts[i].o.has_arg == required_argument)
				sopts[sn++] = ':';
			else if (opts[i].o.has_arg == optional_argument) {
				sopts[sn++] = ':';
				sopts[sn++] = ':';
			}
		}
	}
	memset(&lopts[n], 0, sizeof(lopts[n]));
	sopts[sn] = '\0';
}

void
proto_opt_usage(FILE *f, const struct proto_opt *opts, size_t n, int width)
{
	for (size_t i = 0; i < n; i++) {
		char left[96];
		const char *arg = opts[i].arg ? opts[i].arg : "";
		const char *sp = opts[i].arg ? " " : "";
		if (opts[i].short_opt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_opt,
			         opts[i].o.name, sp, arg);
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].o.name, sp, arg);
		fprintf(f, "  %-*s %s\n", width, left, opts[i].help);
	}
}

int
proto_opt_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	return 64;
}
