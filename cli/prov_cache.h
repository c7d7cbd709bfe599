/*
 * prov_cache.h - provider answers kept in a store (issue 6), for pdns's
 * own cache store and for pdns-node's store alike.
 *
 * A provider's answer to one query is kept as its rows under origin
 * "prov:NAME" plus one meta row per (provider, query): key
 * "prov-cache:" NAME NUL hash(query), value expiry, fetched (8 octets
 * each, big-endian Unix seconds), rows (8), limited (1), then the query's
 * bytes (so a hash collision is seen, not served). An answer is fresh
 * until its expiry; a fresh answer is served without asking the provider.
 *
 * Rows are written as the provider's absolute values: the store's merge
 * operator adds counts, so prov_cache_put writes only the rise of each
 * count over what the store holds for that origin (asking again, with
 * the cache bypassed, does not double anything).
 *
 * Provider rows must never be shared: a node's own-origin scans (origin
 * 0, STORE_ORIGIN_LOCAL) never see them, and prov_cache_is_origin() lets
 * code that lists origins tell them apart.
 *
 * Not thread-safe on one store handle beyond what store_db allows: the
 * node calls it from its loop only (the store's single writer).
 */
#ifndef PROV_CACHE_H
#define PROV_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"
#include "proto/proto_query.h"
#include "store/store_db.h"

#define PROV_CACHE_ORIGIN "prov:"   /* origin name prefix of provider rows */

/* One query as the cache keys it. */
struct prov_cache_q {
	uint8_t query[PROTO_QUERY_WIRE_MAX];
	size_t qlen;
	uint64_t qhash;
};

/* What a fresh entry says. */
struct prov_cache_hit {
	uint16_t origin;    /* the store origin of the provider's rows */
	int64_t fetched;    /* Unix time of the fetch */
	uint64_t rows;      /* rows stored then */
	bool limited;       /* the provider said more rows exist */
};

/* Encode q for the cache: 0 or PROTO_EINVAL. */
int prov_cache_q_init(struct prov_cache_q *c, const struct proto_query *q);

/* Whether provider name fits an origin ("prov:" + name). */
bool prov_cache_named(const char *name);

/* Whether origin name (NUL-ended) is a provider's: then *provider points
 * at its name after the prefix. */
bool prov_cache_is_origin(const char *origin, const char **provider);

/* Whether db holds a fresh answer of provider name to c at time now. */
bool prov_cache_fresh(struct store_db *db, const struct prov_cache_q *c, const char *name,
                      int64_t now, struct prov_cache_hit *hit);

/*
 * Keep provider name's answer rows[0..n) (absolute values) for ttl
 * seconds from now. rows is scratch: its counts become the rises that
 * were written. 0, or the store's error with a one-line why.
 */
int prov_cache_put(struct store_db *db, const struct prov_cache_q *c, const char *name,
                   struct proto_obs *rows, size_t n, bool limited, int64_t now,
                   int64_t ttl, char *why, size_t whylen);

#endif
