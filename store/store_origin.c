/*
 * store_origin.c - origins: the registry of their names, and the scans,
 * purges and replacements of every row of one origin.
 *
 * The origin is the last two octets of every key of the rrset, rdata and
 * NXDOMAIN indexes, so nothing indexes the rows of one origin: each
 * operation here reads a whole index and keeps the keys that end with it.
 * That is fine for what uses them (a node sending or taking a whole
 * snapshot, dropping a peer), not for lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "store/store_impl.h"

#define ORIGIN_IDS 65536u
#define PURGE_BATCH 10000   /* deletes per write batch of a purge */

static const char ORIGIN_PREFIX[] = "origin:";
#define ORIGIN_PREFIX_LEN (sizeof(ORIGIN_PREFIX) - 1)
static const char LOCAL_NAME[] = "local";

/* --- the registry ------------------------------------------------------- */

static bool
name_ok(const char *name, size_t len)
{
	if (len == 0 || len > STORE_ORIGIN_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			return false;
	return true;
}

/* FNV-1a: names are short and few; anything spreading them will do. */
static size_t
name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

/* The id of name, or -1. */
static long
reg_find(const struct store_origins *r, const char *name, size_t len)
{
	if (r->nslot == 0)
		return -1;
	for (size_t i = name_hash(name, len) & (r->nslot - 1);; i = (i + 1) & (r->nslot - 1)) {
		uint32_t s = r->slot[i];
		if (s == 0)
			return -1;
		const char *n = r->name[s - 1];
		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			return (long)s - 1;
	}
}

static void
slot_put(uint32_t *slot, size_t nslot, const char *name, uint32_t id)
{
	size_t i = name_hash(name, strlen(name)) & (nslot - 1);

	while (slot[i] != 0)
		i = (i + 1) & (nslot - 1);
	slot[i] = id + 1;
}

/* Room for one more name, so that reg_insert cannot fail. */
static int
reg_reserve(struct store_origins *r)
{
	if (2 * (r->n + 1) <= r->nslot)
		return 0;
	size_t nslot = r->nslot ? 2 * r->nslot : 64;
	uint32_t *slot = calloc(nslot, sizeof(*slot));
	if (slot == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < r->nslot; i++)
		if (r->slot[i] != 0)
			slot_put(slot, nslot, r->name[r->slot[i] - 1], r->slot[i] - 1);
	free(r->slot);
	r->slot = slot;
	r->nslot = nslot;
	return 0;
}

/* Take name (malloc'ed) as id's, after reg_reserve. */
static void
reg_insert(struct store_origins *r, uint16_t id, char *name)
{
	r->name[id] = name;
	/* Two ids of one name (only a hand-edited store has them): the lower
	 * id, met first, keeps the name's lookups. */
	if (reg_find(r, name, strlen(name)) < 0)
		slot_put(r->slot, r->nslot, name, id);
	r->n++;
	while (r->next < ORIGIN_IDS && r->name[r->next] != NULL)
		r->next++;
}

static int
reg_add(struct store_origins *r, uint16_t id, const char *name, size_t len)
{
	if (r->name[id] != NULL)
		return 0;
	char *copy = malloc(len + 1);
	if (copy == NULL || reg_reserve(r) != 0) {
		free(copy);
		return PROTO_ENOMEM;
	}
	memcpy(copy, name, len);
	copy[len] = '\0';
	reg_insert(r, id, copy);
	return 0;
}

static void
origin_key(char out[ORIGIN_PREFIX_LEN + 2], uint16_t id)
{
	memcpy(out, ORIGIN_PREFIX, ORIGIN_PREFIX_LEN);
	out[ORIGIN_PREFIX_LEN] = (char)(id >> 8);
	out[ORIGIN_PREFIX_LEN + 1] = (char)id;
}

void
store_origins_free(struct store_db *db)
{
	struct store_origins *r = &db->origins;

	/* Up to the last name only: a reader's handle lives for one lookup. */
	for (size_t i = 0, left = r->n; r->name != NULL && left > 0 && i < ORIGIN_IDS; i++)
		if (r->name[i] != NULL) {
			free(r->name[i]);
			left--;
		}
	free(r->name);
	free(r->slot);
	memset(r, 0, sizeof(*r));
}

/*
 * Read every `origin:` row. Rows that are not an id and a valid name are
 * skipped, not fatal: the registry only names ids, and rows keep theirs.
 */
int
store_origins_load(struct store_db *db, char *why, size_t whylen)
{
	struct store_origins *r = &db->origins;
	int rc = 0;

	r->name = calloc(ORIGIN_IDS, sizeof(*r->name));
	if (r->name == NULL) {
		snprintf(why, whylen, "out of memory reading the origin registry");
		return PROTO_ENOMEM;
	}
	r->next = 1;
	/* 0 is "local" whatever the store says. */
	if ((rc = reg_add(r, STORE_ORIGIN_LOCAL, LOCAL_NAME, sizeof(LOCAL_NAME) - 1)) != 0) {
		snprintf(why, whylen, "out of memory reading the origin registry");
		return rc;
	}
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(db->db, db->ropts,
	                                                    db->cf[STORE_CF_META]);
	for (rocksdb_iter_seek(it, ORIGIN_PREFIX, ORIGIN_PREFIX_LEN);
	     rc == 0 && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
		size_t klen, vlen;
		const char *key = rocksdb_iter_key(it, &klen);
		const char *val = rocksdb_iter_value(it, &vlen);
		if (klen < ORIGIN_PREFIX_LEN || memcmp(key, ORIGIN_PREFIX, ORIGIN_PREFIX_LEN) != 0)
			break;
		if (klen != ORIGIN_PREFIX_LEN + 2 || !name_ok(val, vlen))
			continue;
		uint16_t id = (uint16_t)((uint8_t)key[klen - 2] << 8 | (uint8_t)key[klen - 1]);
		rc = reg_add(r, id, val, vlen);
	}
	if (store_iter_close(it) != 0) {
		snprintf(why, whylen, "cannot read the origin registry");
		return PROTO_EIO;
	}
	if (rc != 0)
		snprintf(why, whylen, "out of memory reading the origin registry");
	return rc;
}

int
store_db_origin_id(struct store_db *db, const char *name, bool create, uint16_t *id,
                   char *why, size_t whylen)
{
	struct store_origins *r = &db->origins;
	size_t len = name != NULL ? strnlen(name, STORE_ORIGIN_NAME_MAX + 1) : 0;
	int rc;

	if (!name_ok(name, len)) {
		snprintf(why, whylen, "an origin name is 1..%d printable octets",
		         STORE_ORIGIN_NAME_MAX);
		return PROTO_EINVAL;
	}
	long found = reg_find(r, name, len);
	if (found >= 0) {
		*id = (uint16_t)found;
		return 0;
	}
	if (!create) {
		snprintf(why, whylen, "no origin '%s' in the store", name);
		return PROTO_ENOENT;
	}
	if ((rc = store_writable(db, why, whylen)) != 0)
		return rc;
	if (r->next >= ORIGIN_IDS) {
		snprintf(why, whylen, "all %u origin ids are taken", ORIGIN_IDS - 1);
		return PROTO_ESPACE;
	}
	/* Memory first: once the row is written, the cache must take it. */
	char *copy = strdup(name);
	if (copy == NULL || reg_reserve(r) != 0) {
		free(copy);
		snprintf(why, whylen, "out of memory");
		return PROTO_ENOMEM;
	}
	uint16_t nid = (uint16_t)r->next;
	char key[ORIGIN_PREFIX_LEN + 2];
	origin_key(key, nid);
	/*
	 * Synced: rows of the new id may reach table files (synced when
	 * flushed) while this row would still sit in the unsynced log; after
	 * a power loss the id would name nobody, then somebody else.
	 */
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	char *err = NULL;
	rocksdb_writeoptions_set_sync(wo, 1);
	rocksdb_put_cf(db->db, wo, db->cf[STORE_CF_META], key, sizeof(key), name, len, &err);
	rocksdb_writeoptions_destroy(wo);
	if (err != NULL) {
		snprintf(why, whylen, "cannot register origin '%s': %s", name, err);
		free(err);
		free(copy);
		return PROTO_EIO;
	}
	reg_insert(r, nid, copy);
	*id = nid;
	return 0;
}

int
store_db_origin_name(struct store_db *db, uint16_t id, char *buf, size_t len)
{
	const char *n = db->origins.name != NULL ? db->origins.name[id] : NULL;

	if (n == NULL)
		return PROTO_ENOENT;
	size_t l = strlen(n);
	if (l + 1 > len)
		return PROTO_ESPACE;
	memcpy(buf, n, l + 1);
	return 0;
}

int
store_db_origins(struct store_db *db, int (*fn)(void *arg, uint16_t id, const char *name),
                 void *arg)
{
	const struct store_origins *r = &db->origins;
	int rc = 0;

	for (size_t id = 0; r->name != NULL && id < ORIGIN_IDS && rc == 0; id++)
		if (r->name[id] != NULL)
			rc = fn(arg, (uint16_t)id, r->name[id]);
	return rc;
}

/* --- walking the rows of one origin -------------------------------------- */

typedef int (*parse_fn)(const uint8_t *key, size_t len, struct store_key_parts *p);

/* Called with each key of the origin (parsed into k); non-zero stops. */
typedef int (*origin_row_fn)(void *arg, int cf, const uint8_t *key, size_t klen,
                             const struct store_key_parts *k, const uint8_t *val,
                             size_t vlen);

/*
 * A view of the store for walks: one snapshot for a writer, so that every
 * family reads the same moment. A reader (a secondary instance) refuses
 * snapshots in its iterators, and needs none: it changes only when it is
 * reopened.
 */
struct view {
	rocksdb_readoptions_t *ro;
	const rocksdb_snapshot_t *snap;
};

static void
view_open(struct store_db *db, struct view *v)
{
	v->ro = rocksdb_readoptions_create();
	/* Whole-index walks would push every lookup's blocks out of the cache. */
	rocksdb_readoptions_set_fill_cache(v->ro, 0);
	v->snap = NULL;
	if (db->mode != STORE_READ) {
		v->snap = rocksdb_create_snapshot(db->db);
		rocksdb_readoptions_set_snapshot(v->ro, v->snap);
	}
}

static void
view_close(struct store_db *db, struct view *v)
{
	if (v->snap != NULL)
		rocksdb_release_snapshot(db->db, v->snap);
	rocksdb_readoptions_destroy(v->ro);
}

static parse_fn
family_parser(int cf)
{
	return cf == STORE_CF_RRSET ? store_key_parse_rrset
	       : cf == STORE_CF_RDATA ? store_key_parse_rdata : store_key_parse_nxdomain;
}

/* Every key of family cf whose origin is `origin`, in key order. Returns
 * fn's first non-zero value, 0, or PROTO_EIO. */
static int
walk_origin(struct store_db *db, const struct view *v, int cf, uint16_t origin,
            origin_row_fn fn, void *arg)
{
	struct store_key_parts k;
	parse_fn parse = family_parser(cf);
	int rc = 0;

	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(db->db, v->ro, db->cf[cf]);
	for (rocksdb_iter_seek_to_first(it); rc == 0 && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t klen, vlen;
		const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &klen);
		/* The last two octets first: most keys are another origin's. */
		if (klen < 2 || key[klen - 2] != (uint8_t)(origin >> 8) ||
		    key[klen - 1] != (uint8_t)origin)
			continue;
		if (parse(key, klen, &k) != 0 || k.origin != origin)
			continue; /* not ours: left alone */
		const uint8_t *val = (const uint8_t *)rocksdb_iter_value(it, &vlen);
		rc = fn(arg, cf, key, klen, &k, val, vlen);
	}
	int err = store_iter_close(it);
	return err != 0 ? err : rc;
}

struct scan_ctx {
	store_result_fn fn;
	void *arg;
};

static int
scan_row(void *arg, int cf, const uint8_t *key, size_t klen, const struct store_key_parts *k,
         const uint8_t *val, size_t vlen)
{
	struct scan_ctx *c = arg;
	struct store_result res;
	struct store_value v;
	char text[64];

	(void)cf;
	(void)key;
	(void)klen;
	if (store_value_decode(val, vlen, &v) != 0)
		return 0; /* skipped, as a lookup skips it */
	store_result_fill(&res, k, &v, text);
	return c->fn(c->arg, &res);
}

int
store_db_scan_origin(struct store_db *db, uint16_t origin, bool with_nxdomain,
                     store_result_fn fn, void *arg)
{
	struct scan_ctx c = { .fn = fn, .arg = arg };
	struct view v;

	view_open(db, &v);
	int rc = walk_origin(db, &v, STORE_CF_RRSET, origin, scan_row, &c);
	if (rc == 0 && with_nxdomain)
		rc = walk_origin(db, &v, STORE_CF_NXDOMAIN, origin, scan_row, &c);
	view_close(db, &v);
	return rc > 0 ? 0 : rc;
}

/* Deletes of one origin's keys, into wb; written every `every` (0: never). */
struct del_ctx {
	struct store_db *db;
	rocksdb_writebatch_t *wb;
	size_t every, pending;
	uint64_t rows, rows_pending;   /* rrset and NXDOMAIN keys */
	char *why;
	size_t whylen;
};

static int
del_flush(struct del_ctx *c)
{
	int rc = store_batch_write(c->db, c->wb, c->why, c->whylen);

	rocksdb_writebatch_clear(c->wb);
	if (rc == 0)
		c->rows += c->rows_pending;
	c->pending = 0;
	c->rows_pending = 0;
	return rc;
}

static int
del_row(void *arg, int cf, const uint8_t *key, size_t klen, const struct store_key_parts *k,
        const uint8_t *val, size_t vlen)
{
	struct del_ctx *c = arg;

	(void)k;
	(void)val;
	(void)vlen;
	/* A Delete, not a SingleDelete: it also covers the merge operands. */
	rocksdb_writebatch_delete_cf(c->wb, c->db->cf[cf], (const char *)key, klen);
	c->pending++;
	if (cf != STORE_CF_RDATA)
		c->rows_pending++;
	if (c->every != 0 && c->pending == c->every)
		return del_flush(c);
	return 0;
}

static const int origin_families[] = { STORE_CF_RRSET, STORE_CF_RDATA, STORE_CF_NXDOMAIN };

/* Add a delete of every key of origin to c (writing as c says). */
static int
delete_origin(struct store_db *db, struct del_ctx *c, uint16_t origin)
{
	struct view v;
	int rc = 0;

	view_open(db, &v);
	for (size_t i = 0; rc == 0 && i < sizeof(origin_families) / sizeof(origin_families[0]); i++)
		rc = walk_origin(db, &v, origin_families[i], origin, del_row, c);
	view_close(db, &v);
	if (rc == PROTO_EIO && c->why[0] == '\0')
		snprintf(c->why, c->whylen, "read failed walking origin %u", origin);
	return rc;
}

int
store_db_purge_origin(struct store_db *db, uint16_t origin, uint64_t *removed, char *why,
                      size_t whylen)
{
	struct del_ctx c = { .db = db, .every = PURGE_BATCH, .why = why, .whylen = whylen };
	int rc;

	if (removed != NULL)
		*removed = 0;
	if ((rc = store_writable(db, why, whylen)) != 0)
		return rc;
	if (whylen > 0)
		why[0] = '\0';
	c.wb = rocksdb_writebatch_create();
	rc = delete_origin(db, &c, origin);
	if (rc == 0 && c.pending > 0)
		rc = del_flush(&c);
	rocksdb_writebatch_destroy(c.wb);
	if (removed != NULL)
		*removed = c.rows;
	return rc;
}

/*
 * One batch: the deletes of every old key, then the new rows as merge
 * operands. Within a batch each operation gets its own sequence number,
 * so a key deleted and then merged reads as the new operand alone (a
 * merge over a tombstone has no base value), in the memtable and after
 * any flush or compaction.
 */
int
store_db_replace_origin(struct store_db *db, uint16_t origin, const struct proto_obs *rows,
                        size_t n, const struct store_meta_op *ops, size_t nops, char *why,
                        size_t whylen)
{
	struct del_ctx c = { .db = db, .why = why, .whylen = whylen };
	int rc;

	if ((rc = store_writable(db, why, whylen)) != 0 ||
	    (rc = store_meta_check(ops, nops, why, whylen)) != 0)
		return rc;
	if (whylen > 0)
		why[0] = '\0';
	c.wb = rocksdb_writebatch_create();
	if ((rc = delete_origin(db, &c, origin)) == 0 &&
	    (rc = store_rows_add(db, c.wb, rows, n, origin, why, whylen)) == 0) {
		store_meta_add(db, c.wb, ops, nops);
		rc = store_batch_write(db, c.wb, why, whylen);
	}
	rocksdb_writebatch_destroy(c.wb);
	return rc;
}
