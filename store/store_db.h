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
 * Durability: every write of a writer (STORE_WRITE and STORE_BULK) goes
 * through RocksDB's write-ahead log, which is handed to the kernel before
 * the write returns but not synced. A batch whose write returned survives
 * a crash of the process (kill -9, abort, a sanitizer's exit): the next
 * open replays the log. It survives a power loss or a kernel crash only
 * once something synced the log: a later synced write (origin
 * registration is one) or store_db_close, which flushes every family.
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
 * sorted by key inside). Returns 0 once RocksDB acknowledged the batch
 * (durability: see the top of this file). PROTO_EINVAL for a reader.
 */
int store_db_put(struct store_db *db, const struct proto_obs *rows, size_t n,
                 uint16_t origin, char *why, size_t whylen);

/*
 * Meta rows of the caller's: any key of 1..STORE_META_KEY_MAX octets (kept
 * apart from the store's own meta rows), a value of at most
 * STORE_META_VALUE_MAX octets (a node keeps encoded published batches of up
 * to 4 MiB as its replay log).
 */
#define STORE_META_KEY_MAX 256
#define STORE_META_VALUE_MAX (8u << 20)

/* One meta row to put, or with val NULL to delete. */
struct store_meta_op {
	const void *key;
	size_t klen;
	const void *val;
	size_t vlen;
};

/*
 * Write rows[0..n) of `origin` and apply ops[0..nops) (in order: a later op
 * on the same key wins) as ONE atomic batch: a node records the sequence
 * numbers it applied, or the batches it published, together with the rows,
 * so a crash can never apply a batch twice or lose one half. Either may be
 * empty. Every op is checked before anything is written: PROTO_EINVAL
 * (why says which op) for a key of 0 or more than STORE_META_KEY_MAX
 * octets or a value over STORE_META_VALUE_MAX; PROTO_EINVAL for a reader;
 * PROTO_ENOMEM; PROTO_EIO when RocksDB refused the write.
 */
int store_db_write(struct store_db *db, const struct proto_obs *rows, size_t n,
                   uint16_t origin, const struct store_meta_op *ops, size_t nops,
                   char *why, size_t whylen);

/* store_db_write with one meta row put (val NULL: an empty value). */
int store_db_put_meta(struct store_db *db, const struct proto_obs *rows, size_t n,
                      uint16_t origin, const void *key, size_t klen,
                      const void *val, size_t vlen, char *why, size_t whylen);

/*
 * Read the caller's meta row `key` into val[0..cap) and its length into
 * *vlen. PROTO_ENOENT: no such row; PROTO_ESPACE: cap is too small (*vlen
 * is the size needed, val untouched); PROTO_EINVAL: bad key length;
 * PROTO_EIO. A writer sees its own writes; a reader, the store as of its
 * open.
 */
int store_db_get_meta(struct store_db *db, const void *key, size_t klen, void *val,
                      size_t cap, size_t *vlen);

/*
 * Call fn for every meta row of the caller's whose key starts with prefix
 * (plen 0: every row), in key order: octet by octet as unsigned values, a
 * key before the longer keys it begins (b"a" < b"a\0" < b"b" < b"\x80").
 * Big-endian numbers in keys therefore come in numeric order. fn returns 0
 * to go on. Returns 0, fn's non-zero value, PROTO_EINVAL (plen too long)
 * or PROTO_EIO.
 */
int store_db_scan_meta(struct store_db *db, const void *prefix, size_t plen,
                       int (*fn)(void *arg, const void *key, size_t klen,
                                 const void *val, size_t vlen),
                       void *arg);

/* Retention: rows whose time_last is older than now - age_seconds are
 * removed by compaction; 0 turns it off. Writers only. */
int store_db_set_retention(struct store_db *db, int64_t age_seconds);
/* The same with one age for our own sensors' rows (origin 0) and one for
 * every other origin (peers, providers). */
int store_db_set_retention_origins(struct store_db *db, int64_t own, int64_t others);
/* Compact every index now (applies retention at once). It uses only what
 * open fixed, so a writer may run it from a thread of its own beside its
 * writes (RocksDB's handle is thread-safe). */
int store_db_compact(struct store_db *db);

/* One result row; pointers are valid during the callback only. */
struct store_result {
	struct proto_obs obs;   /* name and bailiwick in wire form */
	uint16_t origin;
};

/* Return 0 to go on, 1 to stop early, or a negative PROTO_E*. */
typedef int (*store_result_fn)(void *arg, const struct store_result *r);

/*
 * Read one aggregate: the row (rrname, rrtype, rdata, section) of `origin`
 * in the rrset index, or (qname, qtype) in the NXDOMAIN index when
 * key->section is PROTO_SEC_NXDOMAIN. Sets agg's time_first, time_last
 * and count, nothing else (agg may be key). A writer sees its own writes
 * at once, flushed or not; a reader, the store as of its open.
 * PROTO_ENOENT: no such row; PROTO_EINVAL: a name or rdata too long for a
 * key; PROTO_EFORMAT: a value this version cannot read; PROTO_EIO.
 */
int store_db_get(struct store_db *db, const struct proto_obs *key, uint16_t origin,
                 struct proto_obs *agg);

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

/* --- origins ------------------------------------------------------------
 *
 * Every row key ends with a 16-bit origin: who saw the row. 0 is "local",
 * this node's own sensors; peers get ids from 1 as they are registered, in
 * the meta rows `origin:` + id (doc/store-encoding.md). Ids are never
 * reused nor removed: purging an origin's rows keeps its id. The registry
 * is read at open and kept in memory; a reader reloads it on
 * store_db_refresh.
 */

#define STORE_ORIGIN_NAME_MAX 63 /* octets, printable ASCII (0x20..0x7e) */

/*
 * The id of origin `name` ("local" is always 0). When absent and create
 * is set (writers only), assign the lowest unused id >= 1 and persist it
 * (a synced write) before returning. PROTO_ENOENT: absent and !create;
 * PROTO_EINVAL: a name of 0 or more than 63 octets or not printable, or
 * create on a reader; PROTO_ESPACE: all 65535 ids are taken; PROTO_ENOMEM;
 * PROTO_EIO. why says which.
 */
int store_db_origin_id(struct store_db *db, const char *name, bool create, uint16_t *id,
                       char *why, size_t whylen);

/* The name of origin id, NUL-terminated, into buf[0..len) (64 octets are
 * always enough). PROTO_ENOENT: no such id; PROTO_ESPACE: buf too small. */
int store_db_origin_name(struct store_db *db, uint16_t id, char *buf, size_t len);

/* Call fn for every registered origin, "local" (0) first, in id order; fn
 * returns 0 to go on. Returns 0 or fn's non-zero value. */
int store_db_origins(struct store_db *db,
                     int (*fn)(void *arg, uint16_t id, const char *name), void *arg);

/*
 * Call fn for every row of `origin`: the rrset index in key order, then,
 * with with_nxdomain, the NXDOMAIN index. Rows come as from store_db_query
 * (name and bailiwick in wire form, rdata text; section
 * PROTO_SEC_NXDOMAIN for NXDOMAIN rows). The whole walk reads one
 * snapshot, so writes made meanwhile (even from fn) are not seen. It reads
 * every row of both indexes, whatever their origin, and leaves the block
 * cache as it was. fn returns 0 to go on, 1 to stop (the walk then returns
 * 0), or a negative PROTO_E*, which is returned. PROTO_EIO.
 */
int store_db_scan_origin(struct store_db *db, uint16_t origin, bool with_nxdomain,
                         store_result_fn fn, void *arg);

/*
 * Remove every row of `origin` from the rrset, rdata and NXDOMAIN indexes
 * (the names index holds no origin and stays), in write batches of 10,000
 * deletes: not atomic, so a crash in the middle leaves some rows, and
 * purging again finishes. *removed (may be NULL) counts the rrset and
 * NXDOMAIN rows removed so far, also on failure. The registry entry
 * stays. Writers only (PROTO_EINVAL); PROTO_EIO.
 */
int store_db_purge_origin(struct store_db *db, uint16_t origin, uint64_t *removed,
                          char *why, size_t whylen);

/*
 * Replace every row of `origin` by rows[0..n) (absolute values, as if
 * written with store_db_put into an empty store: rows with the same key
 * add up) and apply ops[0..nops), in ONE atomic batch: readers and a
 * crash see the old rows or the new, never a mix. Afterwards
 * store_db_query and store_db_scan_origin show exactly rows[0..n) for
 * that origin (n = 0: none); other origins are untouched. The batch is
 * built in memory: the deletes of every old row plus the new rows' index
 * entries, about 0.5 KiB per old row and per new row at peak with the
 * memtable that takes it (3M rows by 3M: some 3 GiB), and takes about as
 * long as writing the new rows and deleting the old. Errors as
 * store_db_write's, and PROTO_ESPACE for a batch over 4 GiB of keys.
 */
int store_db_replace_origin(struct store_db *db, uint16_t origin,
                            const struct proto_obs *rows, size_t n,
                            const struct store_meta_op *ops, size_t nops,
                            char *why, size_t whylen);

#endif
