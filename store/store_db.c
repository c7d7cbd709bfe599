/*
 * store_db.c - the RocksDB side of the store: open, write, query, retain.
 *
 * Every index stores the whole aggregate value, combined by one merge
 * operator, so a lookup is one range scan and ingest never reads. Readers
 * open a secondary instance (in a private temporary directory) which works
 * beside a running writer; it catches up with the writer when it opens
 * and on store_db_refresh. The callers' meta rows are in store_meta.c; the
 * origin registry and the scans, purges and replacements of one origin in
 * store_origin.c.
 */
#include <dirent.h>
#include <errno.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "store/store_db.h"
#include "store/store_impl.h"
#include "store/store_key.h"

static const char META_SCHEMA[] = "schema_version";
static const char *const store_cf_names[STORE_CF_COUNT_] = {
	"default", "rrset", "rdata", "names", "nxdomain",
};

/* --- merge operator: min first, max last, sum counts ------------------- */

static char *
merge_values(const char *existing, size_t elen, const char *const *ops,
             const size_t *oplen, int nops, unsigned char *ok, size_t *outlen)
{
	struct store_value acc, v;
	bool have = false;

	if (existing != NULL && store_value_decode((const uint8_t *)existing, elen, &acc) == 0)
		have = true;
	for (int i = 0; i < nops; i++) {
		if (store_value_decode((const uint8_t *)ops[i], oplen[i], &v) != 0)
			continue; /* an operand we cannot read is dropped, not fatal */
		if (!have) {
			acc = v;
			have = true;
		} else {
			store_value_merge(&acc, &v);
		}
	}
	if (!have) {
		*ok = 0;
		return NULL;
	}
	char *out = malloc(STORE_VALUE_MAX);
	if (out == NULL) {
		*ok = 0;
		return NULL;
	}
	*outlen = store_value_encode((uint8_t *)out, &acc);
	*ok = 1;
	return out;
}

static char *
full_merge(void *state, const char *key, size_t klen, const char *existing,
           size_t elen, const char *const *ops, const size_t *oplen, int nops,
           unsigned char *ok, size_t *outlen)
{
	(void)state;
	(void)key;
	(void)klen;
	return merge_values(existing, elen, ops, oplen, nops, ok, outlen);
}

static char *
partial_merge(void *state, const char *key, size_t klen, const char *const *ops,
              const size_t *oplen, int nops, unsigned char *ok, size_t *outlen)
{
	(void)state;
	(void)key;
	(void)klen;
	return merge_values(NULL, 0, ops, oplen, nops, ok, outlen);
}

static void
merge_free(void *state, const char *value, size_t len)
{
	(void)state;
	(void)len;
	free((void *)value);
}

/* The merge operators and the filter keep no state of their own. */
static void
no_state(void *state)
{
	(void)state;
}

static const char *
merge_name(void *state)
{
	(void)state;
	return "pdns.aggregate.v1";
}

/* --- retention: a compaction filter on time_last ----------------------- */

static unsigned char
retention_filter(void *state, int level, const char *key, size_t klen,
                 const char *value, size_t vlen, char **nv, size_t *nvlen,
                 unsigned char *changed)
{
	const struct store_db *db = state;
	struct store_value v;
	int64_t age;

	(void)level;
	(void)nv;
	(void)nvlen;
	*changed = 0;
	/* Every key of the filtered families ends with its origin (2 octets):
	 * our own sensors' rows (0) and the others' have their own ages. */
	age = klen >= 2 && (key[klen - 2] | key[klen - 1]) != 0 ? db->retention_others
	                                                          : db->retention;
	if (age <= 0 || store_value_decode((const uint8_t *)value, vlen, &v) != 0)
		return 0;
	return v.time_last < (int64_t)time(NULL) - age;
}

static const char *
filter_name(void *state)
{
	(void)state;
	return "pdns.retention";
}

/* --- open and close ----------------------------------------------------- */

/* Who holds the LOCK file: "process 1234 (pdns-sensor)", from /proc/locks. */
static void
lock_holder(const char *path, char *out, size_t outlen)
{
	char lock[4096];
	struct stat sb;
	FILE *f;
	char line[256];

	out[0] = '\0';
	snprintf(lock, sizeof(lock), "%s/LOCK", path);
	if (stat(lock, &sb) != 0 || (f = fopen("/proc/locks", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tok, *save = NULL;
		int field = 0;
		long pid = 0;
		unsigned long ino = 0;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (strcmp(tok, "->") == 0)
				continue;
			field++;
			if (field == 5)
				pid = strtol(tok, NULL, 10);
			if (field == 6) {
				const char *c = strrchr(tok, ':');
				ino = c ? strtoul(c + 1, NULL, 10) : 0;
			}
		}
		if (ino == (unsigned long)sb.st_ino && pid > 0) {
			char comm[64] = "?", cpath[64];
			snprintf(cpath, sizeof(cpath), "/proc/%ld/comm", pid);
			FILE *c = fopen(cpath, "r");
			if (c != NULL) {
				if (fgets(comm, sizeof(comm), c) != NULL)
					comm[strcspn(comm, "\n")] = '\0';
				fclose(c);
			}
			snprintf(out, outlen, "process %ld (%s)", pid, comm);
			break;
		}
	}
	fclose(f);
}

static int
translate_open_error(const char *path, const char *err, enum store_mode mode,
                     char *why, size_t whylen)
{
	if (strstr(err, "lock") != NULL || strstr(err, "LOCK") != NULL) {
		char holder[128];
		lock_holder(path, holder, sizeof(holder));
		snprintf(why, whylen, "locked by %s (one writer at a time; lookups "
		         "can read beside it)", holder[0] ? holder : "another process");
		return PROTO_EBUSY;
	}
	if (strstr(err, "Column family not found") != NULL) {
		snprintf(why, whylen, "not a pdns store (%s)", err);
		return PROTO_EFORMAT;
	}
	if (strstr(err, "Permission denied") != NULL) {
		snprintf(why, whylen, "permission denied");
		return PROTO_EPERM;
	}
	if (mode == STORE_READ && (strstr(err, "does not exist") != NULL ||
	                           strstr(err, "No such file") != NULL)) {
		snprintf(why, whylen, "no store there");
		return PROTO_ENOENT;
	}
	snprintf(why, whylen, "%s", err);
	return PROTO_EFORMAT;
}

static void
rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
flush_all(struct store_db *db)
{
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	char *err = NULL;

	/* Start every family's flush, then wait: they sort side by side. */
	for (int wait = 0; wait <= 1; wait++) {
		rocksdb_flushoptions_set_wait(fo, (unsigned char)wait);
		for (int i = 0; i < STORE_CF_COUNT_; i++) {
			rocksdb_flush_cf(db->db, fo, db->cf[i], &err);
			free(err);
			err = NULL;
		}
	}
	rocksdb_flushoptions_destroy(fo);
}

void
store_db_close(struct store_db **dbp)
{
	if (dbp == NULL || *dbp == NULL)
		return;
	struct store_db *db = *dbp;
	/*
	 * A writer leaves its memtables on disk as table files: otherwise the
	 * next reader replays the whole write-ahead log before its first
	 * lookup (13 s after a 5M-response ingest). A failed flush loses
	 * nothing: the log is still there.
	 */
	if (db->db != NULL && db->mode != STORE_READ && db->wopts != NULL)
		flush_all(db);
	for (int i = 0; i < STORE_CF_COUNT_; i++) {
		if (db->cf[i] != NULL)
			rocksdb_column_family_handle_destroy(db->cf[i]);
	}
	if (db->db != NULL)
		rocksdb_close(db->db);
	for (int i = 0; i < STORE_CF_COUNT_; i++)
		if (db->cf_opts[i] != NULL)
			rocksdb_options_destroy(db->cf_opts[i]);
	if (db->opts)
		rocksdb_options_destroy(db->opts);
	if (db->filter)
		rocksdb_compactionfilter_destroy(db->filter);
	if (db->table)
		rocksdb_block_based_options_destroy(db->table);
	if (db->cache)
		rocksdb_cache_destroy(db->cache);
	if (db->wopts)
		rocksdb_writeoptions_destroy(db->wopts);
	if (db->ropts)
		rocksdb_readoptions_destroy(db->ropts);
	if (db->secondary[0])
		rm_tree(db->secondary);
	store_origins_free(db);
	free(db->kbuf);
	free(db->path);
	free(db);
	*dbp = NULL;
}

/* Check (or, for a new writable store, write) the schema version. */
static int
check_schema(struct store_db *db, bool existed, char *why, size_t whylen)
{
	char *err = NULL;
	size_t vlen = 0;
	char *v = rocksdb_get_cf(db->db, db->ropts, db->cf[STORE_CF_META], META_SCHEMA,
	                         sizeof(META_SCHEMA) - 1, &vlen, &err);
	if (err != NULL) {
		snprintf(why, whylen, "cannot read schema: %s", err);
		free(err);
		return PROTO_EIO;
	}
	if (v == NULL) {
		if (db->mode == STORE_READ) {
			snprintf(why, whylen, "not a pdns store (no schema version)");
			return PROTO_EFORMAT;
		}
		/* A database that existed without our schema is not ours. */
		if (existed) {
			snprintf(why, whylen, "not a pdns store (no schema version)");
			return PROTO_EFORMAT;
		}
		char ver[4] = { 0, 0, 0, STORE_SCHEMA_VERSION };
		rocksdb_put_cf(db->db, db->wopts, db->cf[STORE_CF_META], META_SCHEMA,
		               sizeof(META_SCHEMA) - 1, ver, sizeof(ver), &err);
		if (err == NULL) {
			char origin[] = "local";
			rocksdb_put_cf(db->db, db->wopts, db->cf[STORE_CF_META],
			               "origin:\0\0", 9, origin, sizeof(origin) - 1, &err);
		}
		if (err != NULL) {
			snprintf(why, whylen, "cannot write schema: %s", err);
			free(err);
			return PROTO_EIO;
		}
		/* Flushed at once, so the meta rows do not pin the first log. */
		rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
		rocksdb_flushoptions_set_wait(fo, 1);
		rocksdb_flush_cf(db->db, fo, db->cf[STORE_CF_META], &err);
		rocksdb_flushoptions_destroy(fo);
		free(err);
		return 0;
	}
	uint32_t ver = 0;
	if (vlen == 4)
		ver = (uint32_t)((uint8_t)v[0] << 24 | (uint8_t)v[1] << 16 |
		                 (uint8_t)v[2] << 8 | (uint8_t)v[3]);
	free(v);
	if (ver != STORE_SCHEMA_VERSION) {
		snprintf(why, whylen, "schema version %u, this program knows %d%s", ver,
		         STORE_SCHEMA_VERSION,
		         ver > STORE_SCHEMA_VERSION ? " (written by a newer pdns)" : "");
		return PROTO_EFORMAT;
	}
	return 0;
}

int
store_db_open(struct store_db **out, const char *path, enum store_mode mode,
              char *why, size_t whylen)
{
	struct store_db *db = calloc(1, sizeof(*db));
	char *err = NULL;
	int rc = PROTO_ENOMEM;
	struct stat sb;

	if (db == NULL)
		return PROTO_ENOMEM;
	db->mode = mode;
	db->path = strdup(path);
	db->kbuf = malloc(STORE_KEY_MAX);
	if (db->kbuf == NULL || db->path == NULL)
		goto fail;
	char cur[4096];
	snprintf(cur, sizeof(cur), "%s/CURRENT", path);
	bool existed = access(cur, F_OK) == 0;
	if (mode == STORE_READ && stat(path, &sb) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		rc = errno == EACCES ? PROTO_EPERM : PROTO_ENOENT;
		goto fail;
	}
	if (mode == STORE_READ) {
		if (!existed) {
			snprintf(why, whylen, errno == EACCES ? "permission denied"
			         : "no store there (no RocksDB CURRENT file)");
			rc = errno == EACCES ? PROTO_EPERM : PROTO_ENOENT;
			goto fail;
		}
		if (access(cur, R_OK) != 0) {
			snprintf(why, whylen, "permission denied");
			rc = PROTO_EPERM;
			goto fail;
		}
	}

	db->filter = rocksdb_compactionfilter_create(db, no_state, retention_filter,
	                                             filter_name);
	db->cache = rocksdb_cache_create_lru(256u << 20);
	db->table = rocksdb_block_based_options_create();
	rocksdb_block_based_options_set_block_cache(db->table, db->cache);
	/* No bloom filters: every lookup is a range scan, which cannot use them. */
	rocksdb_block_based_options_set_cache_index_and_filter_blocks(db->table, 1);
	rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(db->table, 1);

	db->opts = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(db->opts, mode != STORE_READ);
	rocksdb_options_set_create_missing_column_families(db->opts, mode != STORE_READ);
	rocksdb_options_set_info_log_level(db->opts, 3); /* errors only */
	rocksdb_options_set_keep_log_file_num(db->opts, 2);
	rocksdb_options_set_max_open_files(db->opts, mode == STORE_READ ? -1 : 512);
	/*
	 * A reader (pdns) lives for one lookup: sixteen threads to open table
	 * files cost more than they save (3 ms against 0.2 ms per catch-up on
	 * a 50M-row store).
	 */
	if (mode == STORE_READ)
		rocksdb_options_set_max_file_opening_threads(db->opts, 1);
	/* The meta family fills its memtable far slower than the indexes;
	 * without a bound its rows would keep every write-ahead log file
	 * alive. */
	rocksdb_options_set_max_total_wal_size(db->opts, 256u << 20);
	rocksdb_options_increase_parallelism(db->opts, 2);
	/*
	 * Sorting a bulk writer's memtables is most of a flush; one flush
	 * thread (RocksDB's default for two cores) sorts the families one
	 * after the other.
	 */
	rocksdb_options_set_max_background_flushes(db->opts, 4);
	/* A vector memtable takes one writer at a time (there is one). */
	if (mode == STORE_BULK)
		rocksdb_options_set_allow_concurrent_memtable_write(db->opts, 0);
	/* The log is written at each write, not when we ask (durability). */
	rocksdb_options_set_manual_wal_flush(db->opts, 0);
	/* Per-operation perf counters cost a TLS lookup each; nobody reads them. */
	rocksdb_set_perf_level(1);
	const char *names[STORE_CF_COUNT_];
	for (int i = 0; i < STORE_CF_COUNT_; i++) {
		rocksdb_options_t *o = rocksdb_options_create();
		/* One operator per family: each options object takes ownership. */
		rocksdb_options_set_merge_operator(o, rocksdb_mergeoperator_create(
			NULL, no_state, full_merge, partial_merge, merge_free, merge_name));
		rocksdb_options_set_block_based_table_factory(o, db->table);
		rocksdb_options_set_compression(o, rocksdb_lz4_compression);
		rocksdb_options_set_write_buffer_size(o, 64u << 20);
		/*
		 * A bulk writer appends to a vector and sorts once per flush:
		 * a skip list spends most of an ingest comparing the long
		 * shared prefixes of reversed names. Lookups through that
		 * handle get slower, so only STORE_BULK does it.
		 */
		if (mode == STORE_BULK)
			rocksdb_options_set_memtable_vector_rep(o);
		if (i != STORE_CF_META && i != STORE_CF_NAMES)
			rocksdb_options_set_compaction_filter(o, db->filter);
		db->cf_opts[i] = o;
		names[i] = store_cf_names[i];
	}

	if (mode != STORE_READ) {
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			snprintf(why, whylen, "cannot create: %s", strerror(errno));
			rc = errno == EACCES ? PROTO_EPERM : PROTO_EIO;
			goto fail;
		}
		db->db = rocksdb_open_column_families(db->opts, path, STORE_CF_COUNT_, names,
		                                      (const rocksdb_options_t *const *)db->cf_opts,
		                                      db->cf, &err);
	} else {
		snprintf(db->secondary, sizeof(db->secondary), "/tmp/pdns-reader-XXXXXX");
		if (mkdtemp(db->secondary) == NULL) {
			db->secondary[0] = '\0';
			snprintf(why, whylen, "cannot create a reader directory: %s", strerror(errno));
			rc = PROTO_EIO;
			goto fail;
		}
		db->db = rocksdb_open_as_secondary_column_families(
			db->opts, path, db->secondary, STORE_CF_COUNT_, names,
			(const rocksdb_options_t *const *)db->cf_opts, db->cf, &err);
		if (db->db != NULL) {
			rocksdb_try_catch_up_with_primary(db->db, &err);
			if (err != NULL) {
				free(err);
				err = NULL;
			}
		}
	}
	if (db->db == NULL) {
		rc = translate_open_error(path, err ? err : "unknown error", mode, why, whylen);
		free(err);
		goto fail;
	}
	/*
	 * Writes go through the write-ahead log, which RocksDB hands to the
	 * kernel before a write returns (manual_wal_flush is off): an
	 * acknowledged batch survives a crash of the process. Syncing every
	 * batch would survive a power loss too, at the cost of one fsync per
	 * sensor batch; the store leaves that to the few writes that need it.
	 */
	db->wopts = rocksdb_writeoptions_create();
	rocksdb_writeoptions_disable_WAL(db->wopts, 0);
	rocksdb_writeoptions_set_sync(db->wopts, 0);
	db->ropts = rocksdb_readoptions_create();
	if ((rc = check_schema(db, existed, why, whylen)) != 0 ||
	    (rc = store_origins_load(db, why, whylen)) != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	store_db_close(&db);
	return rc;
}

/* --- reading ------------------------------------------------------------ */

int
store_iter_close(rocksdb_iterator_t *it)
{
	char *err = NULL;

	rocksdb_iter_get_error(it, &err);
	rocksdb_iter_destroy(it);
	if (err == NULL)
		return 0;
	free(err);
	return PROTO_EIO;
}

rocksdb_pinnableslice_t *
store_get_pinned(struct store_db *db, int cf, const void *key, size_t klen, int *rc)
{
	char *err = NULL;
	/* Pinned: the value is copied at most once, by the caller. */
	rocksdb_pinnableslice_t *ps = rocksdb_get_pinned_cf(db->db, db->ropts, db->cf[cf],
	                                                    key, klen, &err);

	*rc = 0;
	if (err != NULL) {
		free(err);
		*rc = PROTO_EIO;
	} else if (ps == NULL) {
		*rc = PROTO_ENOENT;
	}
	return ps;
}

/* --- writing ------------------------------------------------------------ */

struct entry {
	uint8_t cf;
	bool merge;            /* merge an aggregate, else put an empty value */
	uint32_t koff, klen;   /* in the batch's key arena */
	uint32_t voff, vlen;   /* in the value arena */
};

struct batch {
	struct entry *e;
	size_t n, cap;
	uint8_t *keys, *vals;
	size_t klen, kcap, vlen, vcap;
};

static int
grow_bytes(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 1 << 16;
	while (ncap < need)
		ncap *= 2;
	uint8_t *nb = realloc(*buf, ncap);
	if (nb == NULL)
		return PROTO_ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int
batch_add(struct batch *b, uint8_t cf, const uint8_t *key, size_t klen,
          const uint8_t *val, size_t vlen)
{
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 1024;
		struct entry *ne = realloc(b->e, ncap * sizeof(*ne));
		if (ne == NULL)
			return PROTO_ENOMEM;
		b->e = ne;
		b->cap = ncap;
	}
	/* Offsets are 32 bits: a batch of 4 GiB is refused, not wrapped. */
	if (b->klen + klen > UINT32_MAX || b->vlen + vlen > UINT32_MAX)
		return PROTO_ESPACE;
	if (grow_bytes(&b->keys, &b->kcap, b->klen + klen) != 0 ||
	    grow_bytes(&b->vals, &b->vcap, b->vlen + vlen) != 0)
		return PROTO_ENOMEM;
	struct entry *e = &b->e[b->n++];
	e->cf = cf;
	e->merge = val != NULL;
	e->koff = (uint32_t)b->klen;
	e->klen = (uint32_t)klen;
	e->voff = (uint32_t)b->vlen;
	e->vlen = (uint32_t)vlen;
	memcpy(b->keys + b->klen, key, klen);
	b->klen += klen;
	if (vlen)
		memcpy(b->vals + b->vlen, val, vlen);
	b->vlen += vlen;
	return 0;
}

static const uint8_t *sort_keys; /* qsort has no context argument */

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->cf != y->cf)
		return x->cf < y->cf ? -1 : 1;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(sort_keys + x->koff, sort_keys + y->koff, n);
	if (c != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static void
batch_free(struct batch *b)
{
	free(b->e);
	free(b->keys);
	free(b->vals);
}

/*
 * Where store_db_put sends entries: straight into the WriteBatch for a bulk
 * writer (its vector memtable sorts once per flush anyway), or into a
 * buffer sorted before the batch is built, which a skip-list memtable
 * applies measurably faster (DESIGN.md: 308,000 vs 356,000 updates/s).
 */
struct put_ctx {
	struct store_db *db;
	rocksdb_writebatch_t *wb;
	struct batch *sorted;     /* NULL: bulk */
};

static int
put_entry(struct put_ctx *c, uint8_t cf, const uint8_t *key, size_t klen,
          const uint8_t *val, size_t vlen)
{
	if (c->sorted != NULL)
		return batch_add(c->sorted, cf, key, klen, val, vlen);
	if (val != NULL)
		rocksdb_writebatch_merge_cf(c->wb, c->db->cf[cf], (const char *)key, klen,
		                            (const char *)val, vlen);
	else
		rocksdb_writebatch_put_cf(c->wb, c->db->cf[cf], (const char *)key, klen, "", 0);
	return 0;
}

/* Every index entry of one observation. */
static int
put_row(struct put_ctx *c, const struct proto_obs *o, uint16_t origin)
{
	uint8_t val[STORE_VALUE_MAX], target[PROTO_NAME_MAX];
	uint8_t *kbuf = c->db->kbuf;
	size_t tlen, k;
	struct store_value v = {
		.time_first = o->time_first,
		.time_last = o->time_last,
		.count = o->count,
	};
	int rc;

	if (o->bailiwick != NULL && o->bailiwick_len <= PROTO_NAME_MAX) {
		memcpy(v.bailiwick, o->bailiwick, o->bailiwick_len);
		v.bailiwick_len = (uint8_t)o->bailiwick_len;
	}
	size_t vlen = store_value_encode(val, &v);
	if (o->section == PROTO_SEC_NXDOMAIN) {
		k = store_key_nxdomain(kbuf, o, origin);
		return put_entry(c, STORE_CF_NXDOMAIN, kbuf, k, val, vlen);
	}
	k = store_key_rrset(kbuf, o, origin);
	if ((rc = put_entry(c, STORE_CF_RRSET, kbuf, k, val, vlen)) != 0)
		return rc;
	k = store_key_rdata(kbuf, o, origin);
	if ((rc = put_entry(c, STORE_CF_RDATA, kbuf, k, val, vlen)) != 0)
		return rc;
	k = store_key_names(kbuf, STORE_NK_OWNER, o->name, o->name_len);
	if ((rc = put_entry(c, STORE_CF_NAMES, kbuf, k, NULL, 0)) != 0)
		return rc;
	if (proto_rdata_target(o->rrtype, o->rdata, o->rdata_len, target, &tlen)) {
		k = store_key_names(kbuf, STORE_NK_RDATA, target, tlen);
		return put_entry(c, STORE_CF_NAMES, kbuf, k, NULL, 0);
	}
	return 0;
}

int
store_writable(const struct store_db *db, char *why, size_t whylen)
{
	if (db->mode != STORE_READ)
		return 0;
	snprintf(why, whylen, "the store is open read-only");
	return PROTO_EINVAL;
}

int
store_rows_add(struct store_db *db, rocksdb_writebatch_t *wb, const struct proto_obs *rows,
               size_t n, uint16_t origin, char *why, size_t whylen)
{
	struct batch b = { 0 };
	struct put_ctx c = { .db = db, .wb = wb,
	                     .sorted = db->mode == STORE_BULK ? NULL : &b };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put_row(&c, &rows[i], origin);
	if (rc != 0) {
		batch_free(&b);
		snprintf(why, whylen, rc == PROTO_ESPACE ? "a batch over 4 GiB of keys"
		         : "out of memory building a batch");
		return rc;
	}
	if (c.sorted != NULL && b.n > 0) {
		sort_keys = b.keys;
		qsort(b.e, b.n, sizeof(*b.e), entry_cmp);
		for (size_t i = 0; i < b.n; i++) {
			const struct entry *e = &b.e[i];
			const char *key = (const char *)b.keys + e->koff;
			if (e->merge)
				rocksdb_writebatch_merge_cf(wb, db->cf[e->cf], key, e->klen,
				                            (const char *)b.vals + e->voff, e->vlen);
			else if (i == 0 || entry_cmp(&b.e[i - 1], e) != 0)
				rocksdb_writebatch_put_cf(wb, db->cf[e->cf], key, e->klen, "", 0);
		}
	}
	batch_free(&b);
	return 0;
}

int
store_batch_write(struct store_db *db, rocksdb_writebatch_t *wb, char *why, size_t whylen)
{
	char *err = NULL;

	rocksdb_write(db->db, db->wopts, wb, &err);
	if (err != NULL) {
		snprintf(why, whylen, "write failed: %s", err);
		free(err);
		return PROTO_EIO;
	}
	return 0;
}

int
store_db_write(struct store_db *db, const struct proto_obs *rows, size_t n, uint16_t origin,
               const struct store_meta_op *ops, size_t nops, char *why, size_t whylen)
{
	int rc;

	if ((rc = store_writable(db, why, whylen)) != 0 ||
	    (rc = store_meta_check(ops, nops, why, whylen)) != 0)
		return rc;
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	if ((rc = store_rows_add(db, wb, rows, n, origin, why, whylen)) == 0) {
		store_meta_add(db, wb, ops, nops);
		rc = store_batch_write(db, wb, why, whylen);
	}
	rocksdb_writebatch_destroy(wb);
	return rc;
}

int
store_db_put(struct store_db *db, const struct proto_obs *rows, size_t n,
             uint16_t origin, char *why, size_t whylen)
{
	return store_db_write(db, rows, n, origin, NULL, 0, why, whylen);
}

int
store_db_put_meta(struct store_db *db, const struct proto_obs *rows, size_t n,
                  uint16_t origin, const void *key, size_t klen, const void *val,
                  size_t vlen, char *why, size_t whylen)
{
	struct store_meta_op op = { .key = key, .klen = klen,
	                            .val = val != NULL ? val : "", .vlen = vlen };

	return store_db_write(db, rows, n, origin, &op, 1, why, whylen);
}

/*
 * A reader catches up by opening the store again: RocksDB 7.8's secondary
 * instance, asked to catch up after the writer flushed rows it had already
 * replayed from the log, counts them twice (rocksdb issues #14444, #15051;
 * fixed upstream by #15066), and with merge operands that means wrong
 * counts, not stale ones.
 */
int
store_db_refresh(struct store_db *db)
{
	struct store_db *fresh = NULL;
	char why[256];

	if (db->mode != STORE_READ)
		return 0;
	int err = store_db_open(&fresh, db->path, STORE_READ, why, sizeof(why));
	if (err != 0)
		return err;
	struct store_db old = *db;
	*db = *fresh;
	*fresh = old;
	store_db_close(&fresh);
	return 0;
}

int
store_db_set_retention(struct store_db *db, int64_t age_seconds)
{
	return store_db_set_retention_origins(db, age_seconds, age_seconds);
}

int
store_db_set_retention_origins(struct store_db *db, int64_t own, int64_t others)
{
	if (db->mode == STORE_READ || own < 0 || others < 0)
		return PROTO_EINVAL;
	db->retention = own;
	db->retention_others = others;
	return 0;
}

int
store_db_compact(struct store_db *db)
{
	if (db->mode == STORE_READ)
		return PROTO_EINVAL;
	/*
	 * The retention filter sees values, not merge operands: the first pass
	 * folds operands into values, the second filters them.
	 */
	for (int pass = 0; pass < (db->retention > 0 || db->retention_others > 0 ? 2 : 1); pass++)
		for (int i = 1; i < STORE_CF_COUNT_; i++)
			rocksdb_compact_range_cf(db->db, db->cf[i], NULL, 0, NULL, 0);
	return 0;
}
