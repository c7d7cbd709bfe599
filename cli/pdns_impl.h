/*
 * pdns_impl.h - what the pdns program's two files share: pdns.c (options,
 * the plain lookup on a store or a node, output) and pdns_fed.c (the
 * federated lookup over --sources, and --pivot).
 *
 * Not a library interface: one program, one thread. Every function prints
 * its own one-line error on standard error and returns an exit code.
 */
#ifndef PDNS_IMPL_H
#define PDNS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli_graph.h"
#include "cli/cli_out.h"
#include "cli/cli_rows.h"
#include "cli/pdns_conf.h"
#include "cli/pivot.h"
#include "proto/proto_keys.h"
#include "proto/proto_opt.h"
#include "proto/proto_query.h"

#define PROG "pdns"

/* sysexits.h values, spelled out so the documentation and code agree. */
enum {
	EXIT_USAGE = 64, EXIT_DATA = 65, EXIT_NOINPUT = 66, EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70, EXIT_IOERR = 74, EXIT_NOPERM = 77, EXIT_CONFIG = 78,
};

/* Every option as given; turned into a query once all are read. */
struct args {
	int lookup_opt;           /* 'r', 'n', 'i', 'R', 'N' or OPT_NXDOMAIN */
	const char *lookup_arg;
	int nlookups;
	const char *types, *bailiwick, *after, *before, *now;
	const char *fence[4];     /* first-after, first-before, last-after, last-before */
	bool complete, all_sections, summarize, sorting;
	uint64_t limit, offset, max_scan;
	enum cli_format fmt;
	struct cli_sort sort;
	const char *store;
	const char *node, *node_key, *key;
	uint64_t node_timeout;
	const char *config, *sources, *status_file;
	bool no_cache, store_given;
	struct pivot_opts pivot;  /* --pivot*; depth is kept when pivoting */
	bool pivoting, pivot_tuned, graph;
	enum cli_graph_format gfmt;
};

/* A one-line usage error; returns EXIT_USAGE. */
#define bad_usage(...) proto_opt_usage_error(PROG, __VA_ARGS__)

/* One line for a store error, and its exit code. */
int pdns_store_fail(const char *what, const char *dir, int err, const char *why);
/* Load --node-key and --key; prints the error. */
int pdns_node_keys(const struct args *a, uint8_t node_pub[PROTO_KEYS_LEN],
                   uint8_t pub[PROTO_KEYS_LEN], uint8_t sec[PROTO_KEYS_LEN]);
/* store_db_query's callback: every row into the cli_rows set arg. */
struct store_result;
int pdns_collect(void *arg, const struct store_result *r);
/* Sort and print rows in a's format (flags: cli_out's, CLI_OUT_SOURCES). */
int pdns_print(const struct args *a, struct cli_rows *rows, unsigned flags);

/* pdns_fed.c: a lookup over --sources; the query and its pivots. */
int pdns_run_fed(const struct args *a, const struct proto_query *q,
                 const struct pdns_conf *conf);
int pdns_run_pivot(const struct args *a, const struct proto_query *q,
                   const struct pdns_conf *conf);

#endif
