/*
 * store_impl.h - the store handle's insides, shared by store_db.c (open,
 * write, retention), store_meta.c (callers' meta rows), store_query.c
 * (lookups) and store_origin.c (the origin registry, and scans, purges and
 * replacements of one origin).
 * Not for other modules.
 */
#ifndef STORE_IMPL_H
#define STORE_IMPL_H

#include <rocksdb/c.h>

#include "store/store_db.h"
#include "store/store_key.h"

/*
 * The origin registry in memory, loaded at open from the `origin:` meta
 * rows (a reader's is reloaded by store_db_refresh, which reopens).
 */
struct store_origins {
	char **name;             /* [65536], NUL-terminated; NULL: unused id */
	uint32_t *slot;          /* open addressing by name: id + 1, 0 empty */
	size_t nslot, n;
	uint32_t next;           /* no unused id is below this one (>= 1) */
};

struct store_db {
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_options_t *cf_opts[STORE_CF_COUNT_];
	rocksdb_column_family_handle_t *cf[STORE_CF_COUNT_];
	rocksdb_compactionfilter_t *filter;
	rocksdb_block_based_table_options_t *table;
	rocksdb_cache_t *cache;
	rocksdb_writeoptions_t *wopts;
	rocksdb_readoptions_t *ropts;
	enum store_mode mode;
	char *path;
	char secondary[64];      /* temporary directory of a reader */
	int64_t retention;       /* seconds, 0 = off; read by the filter: origin 0 */
	int64_t retention_others; /* the same for every other origin */
	uint8_t *kbuf;           /* scratch keys */
	struct store_origins origins;
};

/* store_db.c: reading. */

/* Destroy an iterator: PROTO_EIO when it had met an error, else 0. */
int store_iter_close(rocksdb_iterator_t *it);
/* Point read of key in family cf: the value, or NULL with *rc set to
 * PROTO_ENOENT or PROTO_EIO. */
rocksdb_pinnableslice_t *store_get_pinned(struct store_db *db, int cf, const void *key,
                                          size_t klen, int *rc);

/* store_db.c: pieces of a write, for the writes of store_origin.c. */

/* Refuse a read-only handle (PROTO_EINVAL, saying so in why). */
int store_writable(const struct store_db *db, char *why, size_t whylen);
/* Append every index entry of rows[0..n) to wb, as merge operands. */
int store_rows_add(struct store_db *db, rocksdb_writebatch_t *wb,
                   const struct proto_obs *rows, size_t n, uint16_t origin,
                   char *why, size_t whylen);
/* Write wb with the store's write options: PROTO_EIO and why on failure. */
int store_batch_write(struct store_db *db, rocksdb_writebatch_t *wb, char *why,
                      size_t whylen);

/* store_meta.c: the callers' meta rows in a batch. */

/* Check meta ops before anything is written: PROTO_EINVAL and why. */
int store_meta_check(const struct store_meta_op *ops, size_t nops, char *why,
                     size_t whylen);
/* Append checked meta ops to wb (puts and deletes under "user:"). */
void store_meta_add(struct store_db *db, rocksdb_writebatch_t *wb,
                    const struct store_meta_op *ops, size_t nops);

/* store_origin.c: the registry's life with the handle. */
int store_origins_load(struct store_db *db, char *why, size_t whylen);
void store_origins_free(struct store_db *db);

/* store_query.c: a result row from a parsed key and its value; text holds
 * an address kind's rdata text (64 octets). */
void store_result_fill(struct store_result *res, const struct store_key_parts *k,
                       const struct store_value *v, char text[64]);

#endif
