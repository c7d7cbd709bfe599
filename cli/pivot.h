/*
 * pivot.h - follow a lookup's answers to further lookups, a few hops deep.
 *
 * An investigator starts from one query (the seed) and wants what is
 * around it: the addresses a name had, the other names on those
 * addresses, the zones its name servers serve. pivot_run asks the seed,
 * then, hop by hop, asks about every name and address the answers named:
 *
 *   a name (an owner, or the target of CNAME, DNAME, NS, MX, SRV, PTR)
 *                  -> -r NAME: its rrsets (addresses, aliases, servers)
 *   an address (A/AAAA rdata)
 *                  -> -i ADDR: the other names on it
 *   a name server (NS rdata)
 *                  -> -n NAME/NS as well: the zones it serves
 *
 * Every node is asked each of its queries once at most, at the hop that
 * first reached it (breadth first, so that is its shortest distance); the
 * seed's own subject is not asked again. Hop 0 is the seed; --pivot N runs
 * hops 1..N, and names reached at hop N are drawn but not asked about.
 *
 * What pivot queries inherit from the seed: the time fences and the
 * sections. What they do not: the rrtypes (-t narrows the first hop only:
 * "-r evil.example/A --pivot 2" starts from its addresses, then asks about
 * everything around them, because a pivot is about what else is there)
 * and the bailiwick. Their limit is opts->limit (0: the seed's).
 *
 * Bounds: opts->budget lookups in all, the seed included; what is still
 * queued when it runs out is counted (stats->unasked) and said. A fan-out
 * cap K skips an address with more than K names or a name server with more
 * than K zones (a CDN address shared by thousands of names would swamp the
 * picture): their -i / -n queries ask for K+1 rows, and an answer with more
 * than K distinct owner names is dropped, the node kept, marked skipped.
 * Addresses in excluded prefixes (pivot_skip_add) are never asked about.
 *
 * Rows: each lookup fills a fresh cli_rows. A row already seen in an
 * earlier answer is not drawn twice, and every new row goes into `all`
 * (cli_rows_add), so the usual output formats print the whole pivot; an
 * opts->merge hook replaces that step (to keep per-row sources, for
 * example), and is then given every answer whole.
 *
 * The lookup callback runs one query wherever the caller looks (store,
 * node, peers, providers). It returns 0, or a negative PROTO_E* code with
 * a line in why: a failed seed fails pivot_run; a failed later query is
 * counted, said on opts->notes, and the pivot goes on without it (except
 * PROTO_ENOMEM, which stops it).
 *
 * Output on standard error is the caller's choice: opts->progress gets a
 * line per hop and at most one a second in between ("pdns: pivot hop 2/3:
 * 14 queries done, 9 queued, 231 rows"), opts->notes gets what the user
 * must know (skipped nodes, failed queries, the budget running out).
 * NULL is quiet. One thread; the callback is called from it.
 */
#ifndef PIVOT_H
#define PIVOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli_graph.h"
#include "cli/cli_rows.h"
#include "proto/proto_query.h"

#define PIVOT_DEFAULT_BUDGET 100
#define PIVOT_DEFAULT_FANOUT 100
#define PIVOT_MAX_DEPTH 10
#define PIVOT_MAX_SKIP 32

/* Run q; add the answer's rows to rows. 0 or PROTO_E* with why. */
typedef int (*pivot_lookup_fn)(void *arg, const struct proto_query *q,
                               struct cli_rows *rows, char *why, size_t whylen);

/* Merge one answer into all (opts->merge); 0 or PROTO_E*. */
typedef int (*pivot_merge_fn)(void *arg, struct cli_rows *all,
                              const struct cli_rows *answer);

/* An excluded address range, inclusive. */
struct pivot_range {
	uint8_t family;       /* 4 or 6 */
	uint8_t lo[16], hi[16];
};

struct pivot_opts {
	unsigned depth;       /* hops after the seed (--pivot N), <= PIVOT_MAX_DEPTH */
	size_t budget;        /* lookups in all, the seed included; >= 1 */
	uint64_t limit;       /* rows per pivot query; 0: the seed's limit */
	size_t fanout;        /* the fan-out cap K; 0: none */
	struct pivot_range skip[PIVOT_MAX_SKIP];
	size_t nskip;
	FILE *progress;       /* progress lines, or NULL */
	FILE *notes;          /* skipped nodes, failures, the budget; or NULL */
	const char *prog;     /* the lines' prefix ("pdns") */
	pivot_merge_fn merge; /* NULL: cli_rows_add of each new row */
	void *merge_arg;
};

struct pivot_stats {
	size_t queries;       /* lookups made, the seed included */
	size_t failed;        /* of which failed (after the seed) */
	size_t rows;          /* distinct rows seen */
	size_t unasked;       /* queries the budget left in the queue */
	bool budget_hit;      /* the budget stopped the pivot */
	size_t skipped_fanout, skipped_prefix;
	unsigned hops;        /* the deepest hop that ran */
};

/* Defaults: depth 1, budget PIVOT_DEFAULT_BUDGET, fan-out cap
 * PIVOT_DEFAULT_FANOUT, no excluded prefix, quiet, prog "pdns". */
void pivot_opts_init(struct pivot_opts *o);

/*
 * Exclude an address, prefix or range (cli_query_ip's forms: IP,
 * IP/PREFIX, IP-IP). PROTO_EINVAL with why for bad text, PROTO_ESPACE past
 * PIVOT_MAX_SKIP.
 */
int pivot_skip_add(struct pivot_opts *o, const char *text, char *why,
                   size_t whylen);

/*
 * Run the seed and its pivots (see the top). Nodes and edges go into g,
 * rows into all; *st gets the counts. Returns 0 (the pivot may still have
 * stopped at the budget: st says), the seed's error, PROTO_ENOMEM, or
 * PROTO_EINVAL for bad options; why gets one line.
 */
int pivot_run(const struct proto_query *seed, const struct pivot_opts *o,
              pivot_lookup_fn lookup, void *arg, struct cli_graph *g,
              struct cli_rows *all, struct pivot_stats *st, char *why,
              size_t whylen);

#endif
