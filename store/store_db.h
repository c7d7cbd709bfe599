/*
 * store_db.h - the passive DNS database on RocksDB.
 *
 * One store is one RocksDB directory with a column family per index (see
 * doc/store-encoding.md for every key and value byte). Writers add
 * observations in sorted WriteBatches combined by a merge operator (min of
 * time_first, max of time_last, sum of counts), so ingest never reads before
 * it writes. Readers open the store read-only (a RocksDB secondary
 * instance), so lookups work while a writer runs; a reader sees the
 * writer's data as of its store_db_open. A writer flushes its memtables
 * when it closes, so readers need not replay its log.
 *
 * Threads: a store_db handle is used by one thread at a time.
 * Errors: PROTO_E* codes; a one-line reason goes to `why` where given.
 */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"
#include "proto/proto_query.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_ORIGIN_LOCAL 0 /* this node's own sensors */

struct store_db;

enum store_mode {
	STORE_WRITE,    /* create if missing; exclusive (RocksDB LOCK) */
	STORE_BULK,     /* STORE_WRITE tuned for ingest; its own lookups are slow */
	STORE_READ,     /* read-only, works beside a running writer */
};

/*
 * Open the store at path. PROTO_ENOENT: no store there (STORE_READ);
 * PROTO_EPERM: permission; PROTO_EFORMAT: not a store, or a schema this
 * version does not know (why says which); PROTO_EBUSY: another process
 * holds it (why names it when it can).
 */
int store_db_open(struct store_db **out, const char *path, enum store_mode mode,
                  char *why, size_t whylen);
void store_db_close(struct store_db **dbp);

/* A reader catches up with a running writer by reopening the store (a
 * no-op for writers); PROTO_E* if it cannot be reopened. */
int store_db_refresh(struct store_db *db);

/*
 * Write rows[0..n) of origin `origin` as one atomic batch (the rows are
 * sorted by key inside). Returns 0 once RocksDB acknowledged the batch.
 */
int store_db_put(struct store_db *db, const struct proto_obs *rows, size_t n,
                 uint16_t origin, char *why, size_t whylen);

/*
 * store_db_put, plus one meta row (key, value) of the caller's in the same
 * atomic batch: a node records the sequence numbers it applied together
 * with the rows, so a crash can never apply a batch twice. Keys are at
 * most STORE_META_KEY_MAX octets; rows may be empty (n = 0).
 */
#define STORE_META_KEY_MAX 256
int store_db_put_meta(struct store_db *db, const struct proto_obs *rows, size_t n,
                      uint16_t origin, const void *key, size_t klen,
                      const void *val, size_t vlen, char *why, size_t whylen);

/* Call fn for every meta row of the caller's whose key starts with prefix;
 * fn returns 0 to go on. Returns 0, fn's non-zero value, or PROTO_EIO. */
int store_db_scan_meta(struct store_db *db, const void *prefix, size_t plen,
                       int (*fn)(void *arg, const void *key, size_t klen,
                                 const void *val, size_t vlen),
                       void *arg);

/* Retention: rows whose time_last is older than now - age_seconds are
 * removed by compaction; 0 turns it off. Writers only. */
int store_db_set_retention(struct store_db *db, int64_t age_seconds);
/* Compact every index now (applies retention at once). */
int store_db_compact(struct store_db *db);

/* One result row; pointers are valid during the callback only. */
struct store_result {
	struct proto_obs obs;   /* name and bailiwick in wire form */
	uint16_t origin;
};

/* Return 0 to go on, 1 to stop early, or a negative PROTO_E*. */
typedef int (*store_result_fn)(void *arg, const struct store_result *r);

struct store_query_info {
	uint64_t scanned;      /* index entries read */
	uint64_t returned;     /* rows given to the callback */
	bool limited;          /* stopped by the query limit or the scan cap */
};

/*
 * Run a query: every matching row, one per (key, origin), in index order,
 * after the query's filters (types, bailiwick, sections, fences) and its
 * offset and limit (counted in rows). Scans that would cover the whole
 * store ('*', a /0) are refused with PROTO_EINVAL and a reason in why;
 * every other scan stops after max_scan index entries (0: no cap), and
 * `info` says when results were limited by the cap or the limit.
 */
int store_db_query(struct store_db *db, const struct proto_query *q,
                   uint64_t max_scan, store_result_fn fn, void *arg,
                   struct store_query_info *info, char *why, size_t whylen);

#endif
