/*
 * fed.h - one federated lookup (issue 6): the local store or the node, and
 * the providers, asked at once and merged into one answer whose rows list
 * their sources (cli_rows.h), with one status per source.
 *
 * fed_run asks the providers (prov_fetch) in a thread of their own while
 * the calling thread reads the store or asks the node, then merges: the
 * store's or node's rows first, then each provider's in the order given,
 * so the row order does not depend on which answer came first. A source
 * that fails or times out gets its status; the others' rows are kept.
 * The node (cli_node_query_fed) gives each row with its origin and one
 * status per source it asked: itself and each peer, so every node and
 * peer is a source of its own; with hop limit 0 it reports none and the
 * one status is "node".
 *
 * Provider cache: with a cache directory (pdns.conf "cache"), pdns opens
 * a store of its own there (STORE_WRITE, never the node's store) and keeps
 * each provider's rows under origin "prov:NAME", plus one meta row per
 * (provider, query) saying until when that answer holds. A fresh answer
 * is served from the cache without asking the provider (status "cached");
 * no_cache skips reading it but the fetched answer is still stored.
 * Cached rows hold the provider's absolute values: the store's merge
 * operator adds counts, so only the rise of a count over what the cache
 * holds is written. Provider rows go to this cache only: never to the
 * node's store, never to peers.
 *
 * Threads: fed_run blocks; it starts and joins one thread. Memory: the
 * result's arrays are the caller's, freed by fed_result_free. Errors:
 * 0 when every source has a status (whatever it is), PROTO_ENOMEM, or
 * PROTO_EIO when the provider thread cannot start; a one-line why.
 */
#ifndef FED_H
#define FED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli_rows.h"
#include "cli/pdns_conf.h"
#include "proto/proto_keys.h"
#include "proto/proto_query.h"

struct store_db;

enum fed_status {
	FED_ANSWERED = 0,   /* complete, rows may be 0 */
	FED_LIMITED,        /* answered, more rows exist (limit, scan cap, pages) */
	FED_CACHED,         /* served from the provider cache, not asked */
	FED_REFUSED,        /* refused the query or our credentials */
	FED_TIMEOUT,        /* no complete answer in time */
	FED_QUOTA,          /* over its rate limit or quota (backoff set) */
	FED_BACKOFF,        /* not asked: in backoff or over its daily budget */
	FED_UNSUPPORTED,    /* not asked: cannot answer this kind of query */
	FED_ERROR,          /* anything else: store, connection, body */
};

/* "answered", "limited", "cached", "refused", "timed out", "quota
 * exceeded", "backoff", "unsupported", "error". */
const char *fed_status_name(enum fed_status st);

/* Whether st means the source gave an answer (answered, limited, cached). */
bool fed_status_ok(enum fed_status st);

struct fed_source {
	char name[CLI_ROWS_ORIGIN_MAX + 1]; /* "local", "node", a node or peer's
	                                     * name, a provider's */
	enum fed_status status;
	uint64_t rows;           /* rows it gave */
	double seconds;          /* wall time it took */
	int64_t retry_at;        /* quota/backoff: Unix time it may be asked again */
	char why[256];           /* one line, no secret; "" when answered */
};

/* How to reach the node (--node); keys are read by the caller. */
struct fed_node {
	const char *endpoint;
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	unsigned timeout_s;
	unsigned hop_limit;      /* 0: the node's own rows only */
	bool peers_only;         /* drop the node's own rows and status */
	/* Providers the node asks for us (--sources node:NAME, node:all):
	 * names[0..nproviders) or all of the node's; with peers_only and no
	 * peers wanted (hop_limit 0) only their rows are kept. */
	const char *const *providers;
	size_t nproviders;
	bool providers_all;
};

struct fed_req {
	const struct proto_query *q;
	const char *store;       /* the local store to read, or NULL */
	struct store_db *store_db; /* that store opened STORE_READ by the caller
	                          * (kept open over a pivot's lookups), or NULL */
	const struct fed_node *node; /* the node to ask, or NULL */
	uint64_t max_scan;       /* for the local store */
	const struct pdns_conf *conf;
	const struct pdns_conf_provider *const *provs; /* providers to ask */
	size_t nprovs;
	bool no_cache;           /* do not serve cached answers */
	unsigned deadline_ms;    /* for the providers, in all */
};

struct fed_result {
	struct fed_source *src;  /* store or node first, then providers in order */
	size_t n;
	bool limited;            /* some source said more rows exist */
	char cache_note[320];    /* why the cache was not used, or "" */
	double seconds;          /* the whole lookup, wall time */
	double merge_seconds;    /* of which merging the providers' sets */
};

int fed_run(const struct fed_req *req, struct cli_rows *rows, struct fed_result *res,
            char *why, size_t whylen);
void fed_result_free(struct fed_result *res);

/*
 * The statuses of one lookup or of many (a pivot asks every source many
 * times): one entry per source name in order of first appearance, rows
 * and seconds summed, the status and reason of its last failure (else of
 * its last answer), the latest retry time.
 */
struct fed_total {
	struct fed_source s;
	size_t lookups, answered;
};

struct fed_totals {
	struct fed_total *t;
	size_t n, cap;
	bool limited;
	double seconds, merge_seconds; /* fed_result's, summed */
};

/* Count res in; PROTO_ENOMEM. tt starts zeroed. */
int fed_totals_add(struct fed_totals *tt, const struct fed_result *res);
void fed_totals_free(struct fed_totals *tt);

/* Whether some source answered (answered, limited or cached) at least once. */
bool fed_totals_ok(const struct fed_totals *tt);

/*
 * One line per source, PROG: source NAME: STATUS[ N rows in S s][: WHY]
 * [ (retry after ISO UTC)][ (answered K of L lookups)], the last part when
 * it was asked more than once.
 */
void fed_totals_print(FILE *f, const char *prog, const struct fed_totals *tt);

/*
 * The same as one JSON object into path:
 * {"sources":{"NAME":{"status":"..","rows":N,"seconds":S,"why":"..",
 * "retry_at":T,"lookups":L,"answered":K},..},"rows":N,"limited":B,
 * "seconds":S,"merge_seconds":S,"exit":C}: seconds the lookups' wall time,
 * merge_seconds the part of it spent merging the providers' answers (the
 * store's and node's rows are merged as they arrive, while providers run).
 * PROTO_EIO (errno) or PROTO_ENOMEM.
 */
int fed_totals_write(const char *path, const struct fed_totals *tt, size_t rows, int code);

#endif
