/*
 * prov_cache.c - provider answers kept in a store, with an expiry
 * (prov_cache.h): the meta row's layout, freshness, and writing counts
 * as rises over what the store already holds.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "cli/prov_cache.h"
#include "proto/proto_err.h"

#define PREFIX "prov-cache:"
#define HEAD 25 /* expiry, fetched, rows (8 octets each), limited (1) */

/* Big-endian, so meta rows read the same on any host. */
static void
put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

int
prov_cache_q_init(struct prov_cache_q *c, const struct proto_query *q)
{
	if (proto_query_encode(q, c->query, sizeof(c->query), &c->qlen) != 0)
		return PROTO_EINVAL;
	/* FNV-1a: a key, not a defence; the query's bytes are compared too. */
	c->qhash = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < c->qlen; i++)
		c->qhash = (c->qhash ^ c->query[i]) * 0x100000001b3ULL;
	return 0;
}

bool
prov_cache_named(const char *name)
{
	return strlen(name) + strlen(PROV_CACHE_ORIGIN) <= STORE_ORIGIN_NAME_MAX;
}

bool
prov_cache_is_origin(const char *origin, const char **provider)
{
	size_t pl = strlen(PROV_CACHE_ORIGIN);

	if (strncmp(origin, PROV_CACHE_ORIGIN, pl) != 0 || origin[pl] == '\0')
		return false;
	*provider = origin + pl;
	return true;
}

/* The meta key of (provider, query): prefix, name, NUL, the query's hash. */
static size_t
cache_key(const struct prov_cache_q *c, const char *name, uint8_t *key)
{
	size_t pl = strlen(PREFIX), nl = strlen(name);

	memcpy(key, PREFIX, pl);
	memcpy(key + pl, name, nl);
	key[pl + nl] = 0;
	put64(key + pl + nl + 1, c->qhash);
	return pl + nl + 9;
}

bool
prov_cache_fresh(struct store_db *db, const struct prov_cache_q *c, const char *name,
                 int64_t now, struct prov_cache_hit *hit)
{
	uint8_t key[STORE_META_KEY_MAX], val[HEAD + PROTO_QUERY_WIRE_MAX];
	char origin[STORE_ORIGIN_NAME_MAX + 1], why[128];
	size_t klen, vlen = 0;

	if (db == NULL || !prov_cache_named(name))
		return false;
	klen = cache_key(c, name, key);
	if (store_db_get_meta(db, key, klen, val, sizeof(val), &vlen) != 0 ||
	    vlen != HEAD + c->qlen || memcmp(val + HEAD, c->query, c->qlen) != 0 ||
	    (int64_t)get64(val) <= now)
		return false;
	snprintf(origin, sizeof(origin), PROV_CACHE_ORIGIN "%s", name);
	if (store_db_origin_id(db, origin, false, &hit->origin, why, sizeof(why)) != 0)
		return false;
	hit->fetched = (int64_t)get64(val + 8);
	hit->rows = get64(val + 16);
	hit->limited = val[24] != 0;
	return true;
}

int
prov_cache_put(struct store_db *db, const struct prov_cache_q *c, const char *name,
               struct proto_obs *rows, size_t n, bool limited, int64_t now, int64_t ttl,
               char *why, size_t whylen)
{
	uint8_t key[STORE_META_KEY_MAX], val[HEAD + PROTO_QUERY_WIRE_MAX];
	char origin[STORE_ORIGIN_NAME_MAX + 1];
	struct store_meta_op op;
	uint16_t oid;
	size_t klen;
	int err;

	if (!prov_cache_named(name)) {
		snprintf(why, whylen, "provider name '%s' too long for an origin", name);
		return PROTO_EINVAL;
	}
	snprintf(origin, sizeof(origin), PROV_CACHE_ORIGIN "%s", name);
	if ((err = store_db_origin_id(db, origin, true, &oid, why, whylen)) != 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct proto_obs agg;
		/* The store adds counts: write only the rise over what it holds. */
		if (store_db_get(db, &rows[i], oid, &agg) == 0)
			rows[i].count = rows[i].count > agg.count ? rows[i].count - agg.count : 0;
	}
	klen = cache_key(c, name, key);
	put64(val, (uint64_t)(now + ttl));
	put64(val + 8, (uint64_t)now);
	put64(val + 16, n);
	val[24] = limited;
	memcpy(val + HEAD, c->query, c->qlen);
	op = (struct store_meta_op){ key, klen, val, HEAD + c->qlen };
	return store_db_write(db, rows, n, oid, &op, 1, why, whylen);
}
