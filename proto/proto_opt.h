/*
 * proto_opt.h - one option table drives getopt_long and --help.
 *
 * Each program lists its options once, with the argument's name and a help
 * line (defaults and limits included); proto_opt_tables builds what
 * getopt_long wants from it, and proto_opt_usage prints the help lines, so
 * the two can never disagree [curl, knotc].
 */
#ifndef PROTO_OPT_H
#define PROTO_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct proto_opt {
	struct option o;       /* long name, has_arg, flag, value */
	int short_opt;         /* the short letter, or 0 */
	const char *arg;       /* the argument's name in --help, or NULL */
	const char *help;      /* one line */
};

/*
 * Fill lopts[0..n] (the last one zeroed) and sopts (at least 3 * n + 1
 * bytes) from opts[0..n).
 */
void proto_opt_tables(const struct proto_opt *opts, size_t n, struct option *lopts,
                      char *sopts);

/* Print one aligned line per option; `width` is the column of the help. */
void proto_opt_usage(FILE *f, const struct proto_opt *opts, size_t n, int width);

/*
 * Print "PROG: <message> (see --help)" on stderr, one line, and return 64
 * (EX_USAGE), the exit code of every usage error.
 */
int proto_opt_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
