/*
 * store_impl.h - the store handle's insides, shared by store_db.c (open,
 * write, retention) and store_query.c (lookups). Not for other modules.
 */
#ifndef STORE_IMPL_H
#define STORE_IMPL_H

#include <rocksdb/c.h>

#include "store/store_db.h"
#include "store/store_key.h"

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
	int64_t retention;       /* seconds, 0 = off; read by the filter */
	uint8_t *kbuf;           /* scratch keys */
};

#endif
