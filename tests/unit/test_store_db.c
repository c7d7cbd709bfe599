/*
 * test_store_db.c - the RocksDB store: writes, every lookup kind, filters,
 * schema and lock refusals, readers beside a writer, retention; meta rows
 * in batches, point reads, the origin registry, and the scans, purges and
 * replacements of one origin; writes surviving a killed writer.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "store/store_db.h"
#include "tap.h"

static char dir[256];

/* Rows are built from text: owner, type, rdata, section, first, last, count. */
static struct proto_obs
row(const char *owner, uint16_t type, const char *rdata, unsigned section,
    int64_t first, int64_t last, uint64_t count)
{
	static uint8_t names[64][PROTO_NAME_MAX];
	static int next;
	uint8_t *w = names[next++ % 64];
	size_t wlen;
	struct proto_obs o;

	if (proto_name_parse(owner, strlen(owner), w, &wlen) != 0)
		abort();
	memset(&o, 0, sizeof(o));
	o.name = w;
	o.name_len = (uint32_t)wlen;
	o.rrtype = type;
	o.rdata = rdata;
	o.rdata_len = (uint32_t)strlen(rdata);
	o.section = (uint8_t)section;
	o.time_first = first;
	o.time_last = last;
	o.count = count;
	return o;
}

static char got[64][1600];
static int ngot;

static uint16_t got_origin[64];

static int
collect(void *arg, const struct store_result *r)
{
	char name[PROTO_NAME_TEXT_MAX], tt[PROTO_RRTYPE_TEXT_MAX];
	struct proto_buf b;

	(void)arg;
	proto_buf_init(&b, name, sizeof(name));
	proto_name_format(r->obs.name, r->obs.name_len, &b);
	if (ngot < 64)
		got_origin[ngot] = r->origin;
	if (ngot < 64)
		snprintf(got[ngot++], sizeof(got[0]), "%s %s %.*s %lld-%lld %llu", name,
		         proto_rrtype_name(r->obs.rrtype, tt), (int)r->obs.rdata_len,
		         r->obs.rdata, (long long)r->obs.time_first,
		         (long long)r->obs.time_last, (unsigned long long)r->obs.count);
	return 0;
}

static void
qname(struct proto_query *q, unsigned kind, unsigned match, const char *name)
{
	size_t len;

	proto_query_init(q);
	q->kind = (uint8_t)kind;
	q->match = (uint8_t)match;
	if (proto_name_parse(name, strlen(name), q->name, &len) != 0)
		abort();
	q->name_len = (uint16_t)len;
	if (match == PROTO_M_RIGHT)
		q->name_len--; /* right wildcards hold the labels without the root */
}

static int
meta_row(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)arg;
	if (ngot < 64)
		snprintf(got[ngot++], sizeof(got[0]), "%.*s=%.*s", (int)klen,
		         (const char *)key, (int)vlen, (const char *)val);
	return 0;
}

static int
run(struct store_db *db, const struct proto_query *q, struct store_query_info *info)
{
	char why[256];
	ngot = 0;
	return store_db_query(db, q, 0, collect, NULL, info, why, sizeof(why));
}

static void
test_write_and_lookups(void)
{
	struct store_db *db = NULL;
	struct store_query_info info;
	struct proto_query q;
	char why[256];

	ok(store_db_open(&db, dir, STORE_WRITE, why, sizeof(why)) == 0, "create a store");
	struct proto_obs rows[] = {
		row("www.example.com", PROTO_T_A, "192.0.2.1", PROTO_SEC_ANSWER, 100, 200, 2),
		row("www.example.com", PROTO_T_A, "192.0.2.2", PROTO_SEC_ANSWER, 150, 150, 1),
		row("mail.example.com", PROTO_T_A, "192.0.2.25", PROTO_SEC_ANSWER, 300, 400, 5),
		row("example.com", PROTO_T_MX, "10 mail.example.com", PROTO_SEC_ANSWER, 300, 400, 5),
		row("example.com", PROTO_T_NS, "ns1.evil.test", PROTO_SEC_AUTHORITY, 10, 20, 1),
		row("www.example.net", PROTO_T_AAAA, "2001:db8::1", PROTO_SEC_ANSWER, 500, 600, 3),
		row("www.example.org", PROTO_T_CNAME, "www.example.com", PROTO_SEC_ANSWER, 1, 2, 1),
		row("x.test", 65280, "\\# 2 ABCD", PROTO_SEC_ANSWER, 7, 7, 1),
		row("gone.example.com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN, 50, 60, 4),
	};
	rows[8].rdata_len = 0;
	ok(store_db_put(db, rows, 9, STORE_ORIGIN_LOCAL, why, sizeof(why)) == 0, "write a batch");
	/* The same rows again: counts add up, times widen. */
	rows[0].time_first = 90;
	ok(store_db_put(db, rows, 1, STORE_ORIGIN_LOCAL, why, sizeof(why)) == 0, "write again");

	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "WWW.Example.COM.");
	is_int(run(db, &q, &info), 0, "exact rrset lookup");
	is_int(ngot, 2, "two rows for www.example.com");
	is_str(got[0], "www.example.com A 192.0.2.1 90-200 4", "merged aggregate");
	is_str(got[1], "www.example.com A 192.0.2.2 150-150 1", "second row");

	qname(&q, PROTO_Q_RRSET, PROTO_M_LEFT, "example.com");
	run(db, &q, &info);
	is_int(ngot, 3, "*.example.com: names below, not the apex (answers only)");

	q.sections = PROTO_QS_ALL;
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "example.com");
	q.sections = PROTO_QS_ALL;
	run(db, &q, &info);
	is_int(ngot, 2, "all sections: MX and the authority NS");

	qname(&q, PROTO_Q_RRSET, PROTO_M_RIGHT, "www.example");
	run(db, &q, &info);
	is_int(ngot, 4, "www.example.*: .com (2), .net, .org");

	qname(&q, PROTO_Q_RDATA_NAME, PROTO_M_EXACT, "mail.example.com");
	run(db, &q, &info);
	is_int(ngot, 1, "rdata name: the MX exchange");
	is_str(got[0], "example.com MX 10 mail.example.com 300-400 5", "MX row by its target");

	qname(&q, PROTO_Q_RDATA_NAME, PROTO_M_LEFT, "example.com");
	run(db, &q, &info);
	is_int(ngot, 2, "rdata *.example.com: MX target and CNAME target");

	qname(&q, PROTO_Q_RDATA_NAME, PROTO_M_EXACT, "ns1.evil.test");
	q.sections = PROTO_QS_ALL;
	run(db, &q, &info);
	is_int(ngot, 1, "rdata name in the authority section");

	proto_query_init(&q);
	q.kind = PROTO_Q_RDATA_IP;
	q.family = 4;
	memcpy(q.addr_lo, "\xc0\x00\x02\x00", 4);
	memcpy(q.addr_hi, "\xc0\x00\x02\xff", 4);
	run(db, &q, &info);
	is_int(ngot, 3, "192.0.2.0/24");
	memcpy(q.addr_lo, "\xc0\x00\x02\x02", 4);
	memcpy(q.addr_hi, "\xc0\x00\x02\x19", 4);
	run(db, &q, &info);
	is_int(ngot, 2, "range 192.0.2.2-192.0.2.25 (inclusive)");
	q.family = 6;
	memcpy(q.addr_lo, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	memcpy(q.addr_hi, "\x20\x01\x0d\xb8\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16);
	run(db, &q, &info);
	is_int(ngot, 1, "2001:db8::/32");
	memset(q.addr_lo, 0, 16);
	memset(q.addr_hi, 0xff, 16);
	ok(run(db, &q, &info) == PROTO_EINVAL, "a /0 is refused");

	proto_query_init(&q);
	q.kind = PROTO_Q_RDATA_RAW;
	memcpy(q.raw, "\xc0\x00\x02\x19", 4);
	q.raw_len = 4;
	run(db, &q, &info);
	is_int(ngot, 1, "raw rdata c0000219 is 192.0.2.25");
	memcpy(q.raw, "\xab\xcd", 2);
	q.raw_len = 2;
	run(db, &q, &info);
	is_int(ngot, 1, "raw rdata abcd matches the unknown type's \\# form");

	qname(&q, PROTO_Q_NXDOMAIN, PROTO_M_EXACT, "gone.example.com");
	run(db, &q, &info);
	is_int(ngot, 1, "NXDOMAIN row");

	/* Filters, fences, limit and offset. */
	qname(&q, PROTO_Q_RRSET, PROTO_M_RIGHT, "www.example");
	q.ntypes = 1;
	q.types[0] = PROTO_T_AAAA;
	run(db, &q, &info);
	is_int(ngot, 1, "type filter");
	qname(&q, PROTO_Q_RRSET, PROTO_M_LEFT, "example.com");
	q.fences = PROTO_F_LAST_AFTER;
	q.last_after = 250;
	run(db, &q, &info);
	is_int(ngot, 1, "last seen at or after 250");
	q.fences = PROTO_F_FIRST_BEFORE;
	q.first_before = 150;
	run(db, &q, &info);
	is_int(ngot, 2, "first seen at or before 150");
	q.fences = 0;
	q.limit = 2;
	run(db, &q, &info);
	ok(ngot == 2 && info.limited, "limit 2 of 3, reported as limited");
	q.limit = 0;
	q.offset = 2;
	run(db, &q, &info);
	is_int(ngot, 1, "offset 2 of 3");

	qname(&q, PROTO_Q_RRSET, PROTO_M_LEFT, ".");
	ok(run(db, &q, &info) == PROTO_EINVAL, "'*' is refused");
	qname(&q, PROTO_Q_RRSET, PROTO_M_LEFT, "com");
	is_int(store_db_query(db, &q, 2, collect, NULL, &info, why, sizeof(why)), 0, "*.com capped");
	ok(info.limited && ngot <= 2, "... and reported as limited");

	/* A second writer is refused, naming the holder. */
	/*
	 * The second writer is a new process image: a plain fork of this one
	 * would inherit RocksDB's threads' locks mid-use and may deadlock.
	 */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_store_db", "--try-open", dir, (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a second writer gets EBUSY naming the holder");

	/* A reader works beside the writer and sees new writes. */
	struct store_db *rd = NULL;
	ok(store_db_open(&rd, dir, STORE_READ, why, sizeof(why)) == 0, "reader beside a writer");
	struct proto_obs extra = row("new.example.com", PROTO_T_A, "192.0.2.9",
	                             PROTO_SEC_ANSWER, 1, 1, 1);
	store_db_put(db, &extra, 1, STORE_ORIGIN_LOCAL, why, sizeof(why));
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "new.example.com");
	run(rd, &q, &info);
	is_int(ngot, 0, "a reader sees the store as of its open");
	is_int(store_db_refresh(rd), 0, "refresh");
	run(rd, &q, &info);
	is_int(ngot, 1, "after a refresh the reader sees the writer's new row");
	store_db_close(&rd);

	/* Meta rows of callers, written with rows in one batch. */
	struct proto_obs mrow = row("meta.example.com", PROTO_T_A, "192.0.2.7",
	                            PROTO_SEC_ANSWER, 5, 5, 1);
	is_int(store_db_put_meta(db, &mrow, 1, STORE_ORIGIN_LOCAL, "k:1", 3, "one", 3, why,
	                         sizeof(why)), 0, "rows and a meta row in one batch");
	is_int(store_db_put_meta(db, NULL, 0, STORE_ORIGIN_LOCAL, "k:2", 3, "two", 3, why,
	                         sizeof(why)), 0, "a meta row alone");
	is_int(store_db_put_meta(db, NULL, 0, STORE_ORIGIN_LOCAL, "x:1", 3, "no", 2, why,
	                         sizeof(why)), 0, "another prefix");
	ngot = 0;
	is_int(store_db_scan_meta(db, "k:", 2, meta_row, NULL), 0, "scan meta rows");
	is_int(ngot, 2, "two rows under the prefix");
	is_str(got[0], "k:1=one", "first meta row");
	is_str(got[1], "k:2=two", "second meta row");
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "meta.example.com");
	run(db, &q, &info);
	is_int(ngot, 1, "the batch's row is there too");

	/* Retention per origin: peers' old rows go, our own stay. */
	struct proto_obs old = row("old.example.com", PROTO_T_A, "192.0.2.8", PROTO_SEC_ANSWER,
	                           5, 5, 1);
	is_int(store_db_put(db, &old, 1, STORE_ORIGIN_LOCAL, why, sizeof(why)), 0, "old own row");
	is_int(store_db_put(db, &old, 1, 7, why, sizeof(why)), 0, "the same, from origin 7");
	is_int(store_db_set_retention_origins(db, 0, 3600), 0, "retention for other origins only");
	store_db_compact(db);
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "old.example.com");
	run(db, &q, &info);
	is_int(ngot, 1, "only one origin's old row is left");
	ok(ngot == 1 && got_origin[0] == STORE_ORIGIN_LOCAL, "and it is our own");
	is_int(store_db_set_retention_origins(db, -1, 0), PROTO_EINVAL, "negative age refused");

	/* Retention: rows last seen long ago go at compaction. */
	store_db_set_retention(db, 3600);
	store_db_compact(db);
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "www.example.com");
	run(db, &q, &info);
	is_int(ngot, 0, "retention removed old rows");
	store_db_close(&db);
	ok(db == NULL, "close NULLs the handle");
}

/* Write a batch into a RocksDB database, opening all its families, as
 * another program would. */
static void
raw_write(const char *path, rocksdb_writebatch_t *wb)
{
	rocksdb_options_t *o = rocksdb_options_create();
	char *err = NULL;
	size_t ncf = 0;

	rocksdb_options_set_create_if_missing(o, 1);
	char **names = rocksdb_list_column_families(o, path, &ncf, &err);
	if (err != NULL) { /* a new database: default family only */
		free(err);
		free(names); /* an empty array, allocated all the same */
		err = NULL;
		names = NULL;
		ncf = 0;
	}
	const char *cfn[8] = { "default" };
	const rocksdb_options_t *cfo[8];
	rocksdb_column_family_handle_t *cfh[8];
	size_t n = ncf ? ncf : 1;
	for (size_t i = 0; i < n && i < 8; i++) {
		if (ncf)
			cfn[i] = names[i];
		cfo[i] = o;
	}
	rocksdb_t *db = rocksdb_open_column_families(o, path, (int)n, cfn, cfo, cfh, &err);
	if (db == NULL)
		abort();
	rocksdb_writeoptions_t *w = rocksdb_writeoptions_create();
	rocksdb_write(db, w, wb, &err);
	rocksdb_writeoptions_destroy(w);
	if (err != NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		rocksdb_column_family_handle_destroy(cfh[i]);
	rocksdb_close(db);
	if (ncf)
		rocksdb_list_column_families_destroy(names, ncf);
	rocksdb_options_destroy(o);
}

/* Put a meta row into a RocksDB database. */
static void
make_db(const char *path, const char *key, const char *val, size_t vlen)
{
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();

	rocksdb_writebatch_put(wb, key, strlen(key), val, vlen);
	raw_write(path, wb);
	rocksdb_writebatch_destroy(wb);
}

static void
test_refusals(void)
{
	struct store_db *db = NULL;
	char why[256], path[300];

	snprintf(path, sizeof(path), "%s-none", dir);
	is_int(store_db_open(&db, path, STORE_READ, why, sizeof(why)), PROTO_ENOENT,
	       "reading a missing store: ENOENT");
	printf("# %s\n", why);

	snprintf(path, sizeof(path), "%s-new", dir);
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	store_db_close(&db);
	make_db(path, "schema_version", "\0\0\0\2", 4);
	is_int(store_db_open(&db, path, STORE_READ, why, sizeof(why)), PROTO_EFORMAT,
	       "a newer schema is refused (reader)");
	ok(strstr(why, "schema version 2") != NULL && strstr(why, "newer") != NULL,
	   "... saying so: %s", why);
	is_int(store_db_open(&db, path, STORE_WRITE, why, sizeof(why)), PROTO_EFORMAT,
	       "a newer schema is refused (writer)");

	snprintf(path, sizeof(path), "%s-other", dir);
	make_db(path, "something", "else", 4);
	is_int(store_db_open(&db, path, STORE_WRITE, why, sizeof(why)), PROTO_EFORMAT,
	       "another program's RocksDB is not adopted");
	printf("# %s\n", why);
}

/* --- meta rows in batches ------------------------------------------------ */

/* collect, plus the origin (and "nx" for NXDOMAIN rows). */
static int
collect_o(void *arg, const struct store_result *r)
{
	int n = ngot;

	collect(arg, r);
	if (n < 64) {
		size_t l = strlen(got[n]);
		snprintf(got[n] + l, sizeof(got[0]) - l, " o=%u%s", r->origin,
		         r->obs.section == PROTO_SEC_NXDOMAIN ? " nx" : "");
	}
	return 0;
}

/* Meta keys as hex, to see their order. */
static int
meta_key_hex(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)arg;
	(void)val;
	(void)vlen;
	if (ngot < 64) {
		char *o = got[ngot++];
		o[0] = '\0';
		for (size_t i = 0; i < klen && i < 64; i++)
			sprintf(o + 2 * i, "%02x", ((const uint8_t *)key)[i]);
	}
	return 0;
}

static char *
subdir(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s-%s", dir, what);
	return buf;
}

/* store_db_get's count of o in origin, -1 when absent, -2 on error. */
static long long
get_count(struct store_db *db, const struct proto_obs *o, uint16_t origin)
{
	struct proto_obs agg = { 0 };
	int rc = store_db_get(db, o, origin, &agg);

	return rc == 0 ? (long long)agg.count : rc == PROTO_ENOENT ? -1 : -2;
}

static void
test_meta_ops(void)
{
	struct store_db *db = NULL, *rd = NULL;
	char why[256], path[300];
	size_t vlen = 0;
	char small[16];

	subdir(path, sizeof(path), "meta");
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	size_t bigl = STORE_META_VALUE_MAX;
	uint8_t *big = malloc(bigl + 1), *back = malloc(bigl + 1);
	if (big == NULL || back == NULL)
		abort();
	for (size_t i = 0; i <= bigl; i++)
		big[i] = (uint8_t)(i * 7 + i / 4096);
	struct proto_obs r1 = row("m.example.com", PROTO_T_A, "192.0.2.50", PROTO_SEC_ANSWER,
	                          10, 20, 3);
	struct store_meta_op ops[] = {
		{ "log:\0\0\0\1", 8, big, 4u << 20 },
		{ "state", 5, "s1", 2 },
		{ "gone", 4, "x", 1 },
	};
	is_int(store_db_write(db, &r1, 1, 1, ops, 3, why, sizeof(why)), 0,
	       "a row and three meta rows (one of 4 MiB) in one batch");
	struct store_meta_op ops2[] = {
		{ "gone", 4, NULL, 0 },
		{ "state", 5, "s2", 2 },
		{ "twice", 5, "a", 1 },
		{ "twice", 5, NULL, 0 },
	};
	is_int(store_db_write(db, NULL, 0, 0, ops2, 4, why, sizeof(why)), 0,
	       "deletes and puts without rows");
	ok(store_db_get_meta(db, "state", 5, small, sizeof(small), &vlen) == 0 && vlen == 2 &&
	   memcmp(small, "s2", 2) == 0, "the later put wins");
	is_int(store_db_get_meta(db, "gone", 4, small, sizeof(small), &vlen), PROTO_ENOENT,
	       "a deleted meta row is gone");
	is_int(store_db_get_meta(db, "twice", 5, small, sizeof(small), &vlen), PROTO_ENOENT,
	       "ops apply in order: a put then a delete of one key leaves nothing");
	is_int(store_db_get_meta(db, "never", 5, small, sizeof(small), &vlen), PROTO_ENOENT,
	       "a missing meta row: ENOENT");
	vlen = 0;
	is_int(store_db_get_meta(db, "log:\0\0\0\1", 8, small, sizeof(small), &vlen),
	       PROTO_ESPACE, "a value larger than the buffer: ESPACE");
	is_int(vlen, 4u << 20, "... with the size needed");
	ok(store_db_get_meta(db, "log:\0\0\0\1", 8, back, bigl, &vlen) == 0 &&
	   vlen == 4u << 20 && memcmp(back, big, vlen) == 0, "the 4 MiB value reads back whole");
	is_int(get_count(db, &r1, 1), 3, "the batch's row is there");
	is_int(store_db_get_meta(db, "", 0, small, sizeof(small), &vlen), PROTO_EINVAL,
	       "get_meta: an empty key is refused");

	struct store_meta_op full = { "full", 4, big, bigl };
	is_int(store_db_write(db, NULL, 0, 0, &full, 1, why, sizeof(why)), 0,
	       "a value of exactly STORE_META_VALUE_MAX");
	ok(store_db_get_meta(db, "full", 4, back, bigl, &vlen) == 0 && vlen == bigl &&
	   memcmp(back, big, bigl) == 0, "... reads back whole");

	/* A bad op refuses the whole call: rows and other ops included. */
	char longkey[STORE_META_KEY_MAX + 1];
	memset(longkey, 'k', sizeof(longkey));
	struct proto_obs r2 = row("refused.example.com", PROTO_T_A, "192.0.2.51",
	                          PROTO_SEC_ANSWER, 1, 1, 1);
	struct store_meta_op bad[] = {
		{ "fine", 4, "v", 1 },
		{ longkey, sizeof(longkey), "v", 1 },
	};
	why[0] = '\0';
	is_int(store_db_write(db, &r2, 1, 0, bad, 2, why, sizeof(why)), PROTO_EINVAL,
	       "a key of 257 octets is refused");
	ok(strstr(why, "meta op 1") != NULL, "... naming the op: %s", why);
	struct store_meta_op toobig = { "big", 3, big, bigl + 1 };
	is_int(store_db_write(db, &r2, 1, 0, &toobig, 1, why, sizeof(why)), PROTO_EINVAL,
	       "a value over 8 MiB is refused");
	struct store_meta_op nokey = { "", 0, "v", 1 };
	is_int(store_db_write(db, &r2, 1, 0, &nokey, 1, why, sizeof(why)), PROTO_EINVAL,
	       "an empty key is refused");
	is_int(get_count(db, &r2, 0), -1, "a refused call wrote none of its rows");
	is_int(store_db_get_meta(db, "fine", 4, small, sizeof(small), &vlen), PROTO_ENOENT,
	       "... and none of its ops");
	is_int(store_db_put_meta(db, NULL, 0, 0, longkey, sizeof(longkey), "v", 1, why,
	                         sizeof(why)), PROTO_EINVAL, "put_meta refuses long keys too");

	/* Scans come in key order, octets unsigned, whatever the write order. */
	struct store_meta_op order[] = {
		{ "o:b", 3, "", 0 },
		{ "o:\x90", 3, "", 0 },
		{ "o:a\0", 4, "", 0 },
		{ "o:a", 3, "", 0 },
		{ "o:", 2, "", 0 },
		{ "o:\x05", 3, "", 0 },
		{ "o;", 2, "", 0 },
	};
	is_int(store_db_write(db, NULL, 0, 0, order, 7, why, sizeof(why)), 0,
	       "meta rows written out of order");
	ngot = 0;
	is_int(store_db_scan_meta(db, "o:", 2, meta_key_hex, NULL), 0, "scan a prefix");
	is_int(ngot, 6, "six keys under o: (not o;)");
	is_str(got[0], "6f3a", "the prefix itself first");
	is_str(got[1], "6f3a05", "then 05");
	is_str(got[2], "6f3a61", "then a");
	is_str(got[3], "6f3a6100", "then a 00 (a key before the keys it begins)");
	is_str(got[4], "6f3a62", "then b");
	is_str(got[5], "6f3a90", "then 90 (octets unsigned)");
	ngot = 0;
	is_int(store_db_scan_meta(db, NULL, 0, meta_key_hex, NULL), 0, "scan every meta row");
	is_int(ngot, 10, "every row of the caller's (10), none of the store's own");
	bool sorted = true;
	for (int i = 1; i < ngot; i++)
		sorted = sorted && strcmp(got[i - 1], got[i]) < 0;
	ok(sorted, "in sorted order");

	is_int(store_db_put_meta(db, NULL, 0, 0, "pm", 2, "v1", 2, why, sizeof(why)), 0,
	       "put_meta still writes");
	ok(store_db_get_meta(db, "pm", 2, small, sizeof(small), &vlen) == 0 && vlen == 2 &&
	   memcmp(small, "v1", 2) == 0, "... what get_meta reads");

	/* A reader reads meta rows and writes none. */
	if (store_db_open(&rd, path, STORE_READ, why, sizeof(why)) != 0)
		abort();
	ok(store_db_get_meta(rd, "state", 5, small, sizeof(small), &vlen) == 0 && vlen == 2 &&
	   memcmp(small, "s2", 2) == 0, "a reader reads the writer's meta rows");
	why[0] = '\0';
	is_int(store_db_write(rd, NULL, 0, 0, ops2, 1, why, sizeof(why)), PROTO_EINVAL,
	       "a reader cannot write");
	ok(why[0] != '\0', "... saying why: %s", why);
	store_db_close(&rd);
	store_db_close(&db);
	free(big);
	free(back);
}

/* --- the origin registry ------------------------------------------------- */

static int
list_origin(void *arg, uint16_t id, const char *name)
{
	int *stop_at = arg;

	if (ngot < 64)
		snprintf(got[ngot++], sizeof(got[0]), "%u=%s", id, name);
	return stop_at != NULL && ngot == *stop_at ? 7 : 0;
}

static int
count_origin(void *arg, uint16_t id, const char *name)
{
	(void)id;
	(void)name;
	(*(long *)arg)++;
	return 0;
}

/* store_db_origin_id's answer: the id, or the error (negative). */
static long
origin_of(struct store_db *db, const char *name, bool create)
{
	char why[256];
	uint16_t id;
	int rc = store_db_origin_id(db, name, create, &id, why, sizeof(why));

	return rc == 0 ? (long)id : rc;
}

/* store_db_origin_name's answer: the name, or the error's text. */
static const char *
name_of(struct store_db *db, uint16_t id)
{
	static char name[64];
	int rc = store_db_origin_name(db, id, name, sizeof(name));

	return rc == 0 ? name : proto_strerror(rc);
}

static void
test_origin_registry(void)
{
	struct store_db *db = NULL, *rd = NULL;
	char why[256], path[300], name[64];
	uint16_t id;

	subdir(path, sizeof(path), "origins");
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	is_int(origin_of(db, "local", false), 0, "local is origin 0");
	is_int(origin_of(db, "peer-a", false), PROTO_ENOENT,
	       "an unknown origin without create: ENOENT");
	is_int(origin_of(db, "peer-a", true), 1, "the first peer gets 1");
	is_int(origin_of(db, "peer-b", true), 2, "the second gets 2");
	is_int(origin_of(db, "peer-a", true), 1, "registering again gives the same id");
	is_int(origin_of(db, "local", true), 0, "local stays 0 with create");
	char n63[64], n64[65];
	memset(n63, 'x', 63);
	n63[63] = '\0';
	memset(n64, 'x', 64);
	n64[64] = '\0';
	is_int(origin_of(db, n63, true), 3, "a name of 63 octets");
	is_int(origin_of(db, n64, true), PROTO_EINVAL, "a name of 64 octets is refused");
	is_int(origin_of(db, "", true), PROTO_EINVAL, "an empty name is refused");
	is_int(origin_of(db, "tab\there", true), PROTO_EINVAL, "a control character is refused");
	is_int(origin_of(db, "caf\xc3\xa9", true), PROTO_EINVAL, "octets over 7e are refused");
	is_int(origin_of(db, NULL, true), PROTO_EINVAL, "no name is refused");
	why[0] = '\0';
	store_db_origin_id(db, n64, true, &id, why, sizeof(why));
	ok(strstr(why, "63") != NULL, "... saying why: %s", why);

	is_str(name_of(db, 2), "peer-b", "origin 2 is peer-b");
	is_str(name_of(db, 0), "local", "origin 0 is local");
	is_int(store_db_origin_name(db, 9, name, sizeof(name)), PROTO_ENOENT,
	       "an unused id: ENOENT");
	is_int(store_db_origin_name(db, 1, name, 6), PROTO_ESPACE,
	       "a buffer without room for the NUL: ESPACE");
	is_int(store_db_origin_name(db, 1, name, 7), 0, "... and with room");
	ngot = 0;
	is_int(store_db_origins(db, list_origin, NULL), 0, "list the origins");
	is_int(ngot, 4, "four of them");
	is_str(got[0], "0=local", "local first");
	is_str(got[1], "1=peer-a", "then by id");
	is_str(got[2], "2=peer-b", "...");
	ok(strncmp(got[3], "3=xxx", 5) == 0, "... the long one last");
	int stop_at = 2;
	ngot = 0;
	is_int(store_db_origins(db, list_origin, &stop_at), 7, "fn's non-zero value stops the list");
	is_int(ngot, 2, "... at once");

	/* A reader sees what the writer registered before its open, then more
	 * after a refresh. */
	if (store_db_open(&rd, path, STORE_READ, why, sizeof(why)) != 0)
		abort();
	is_str(name_of(rd, 2), "peer-b", "a reader beside the writer knows peer-b (persisted)");
	is_int(origin_of(rd, "peer-a", false), 1, "... and finds peer-a by name");
	is_int(origin_of(rd, "peer-c", true), PROTO_EINVAL, "a reader cannot register");
	is_int(origin_of(db, "peer-c", true), 4, "the writer registers peer-c as 4");
	is_int(origin_of(rd, "peer-c", false), PROTO_ENOENT,
	       "the reader sees the registry as of its open");
	is_int(store_db_refresh(rd), 0, "refresh");
	is_int(origin_of(rd, "peer-c", false), 4, "after a refresh the reader knows peer-c");
	is_str(name_of(rd, 4), "peer-c", "... by id too");
	store_db_close(&rd);
	store_db_close(&db);

	/* The registry outlives the handle. */
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	is_int(origin_of(db, "peer-b", false), 2, "reopened: peer-b is still 2");
	is_int(origin_of(db, "peer-d", true), 5, "the next new origin gets 5");
	store_db_close(&db);

	/* Gaps and exhaustion: another program fills ids 5..65535. */
	subdir(path, sizeof(path), "full");
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0 ||
	    origin_of(db, "first1", true) != 1 || origin_of(db, "first2", true) != 2 ||
	    origin_of(db, "first3", true) != 3)
		abort();
	store_db_close(&db);
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	for (unsigned i = 5; i <= 65535; i++) {
		char k[9] = "origin:", v[16];
		k[7] = (char)(i >> 8);
		k[8] = (char)i;
		int vl = snprintf(v, sizeof(v), "o%u", i);
		rocksdb_writebatch_put(wb, k, 9, v, (size_t)vl);
	}
	rocksdb_writebatch_put(wb, "origin:\0\x07x", 10, "not-an-id", 9); /* skipped */
	rocksdb_writebatch_put(wb, "origin:\0\x04", 9, "bad\nname", 8);   /* skipped */
	raw_write(path, wb);
	rocksdb_writebatch_destroy(wb);
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	is_str(name_of(db, 65535), "o65535", "65,531 origins loaded at open");
	is_int(origin_of(db, "o777", false), 777, "... found by name");
	is_int(origin_of(db, "not-an-id", false), PROTO_ENOENT,
	       "a registry row whose key is not an id is not adopted");
	is_int(store_db_origin_name(db, 4, name, sizeof(name)), PROTO_ENOENT,
	       "a registry row whose name is not printable is not adopted");
	is_int(origin_of(db, "gap", true), 4, "a new origin takes the lowest unused id, 4");
	why[0] = '\0';
	is_int(store_db_origin_id(db, "one-more", true, &id, why, sizeof(why)), PROTO_ESPACE,
	       "with 65535 ids taken: ESPACE");
	ok(strstr(why, "65535") != NULL, "... saying so: %s", why);
	is_int(origin_of(db, "first2", true), 2, "a full registry still finds existing names");
	long norigins = 0;
	store_db_origins(db, count_origin, &norigins);
	is_int(norigins, 65536, "65536 origins listed, local included");
	store_db_close(&db);
}

/* --- one origin's rows: get, scan, replace, purge ------------------------ */

struct writer_cb {
	struct store_db *db;
	int calls;
};

/* Collects, and on the first row writes two more rows of origin 1. */
static int
collect_and_write(void *arg, const struct store_result *r)
{
	struct writer_cb *w = arg;
	char why[256];

	collect_o(NULL, r);
	if (w->calls++ == 0) {
		struct proto_obs more[] = {
			row("zzz.example.com", PROTO_T_A, "192.0.2.99", PROTO_SEC_ANSWER, 1, 1, 1),
			row("new-nx.example.com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN, 1, 1, 1),
		};
		if (store_db_put(w->db, more, 2, 1, why, sizeof(why)) != 0)
			return PROTO_EIO;
	}
	return 0;
}

static int
stop_first(void *arg, const struct store_result *r)
{
	collect_o(NULL, r);
	return *(int *)arg;
}

struct bw_check {
	const uint8_t *bw;
	size_t len;
	int matched;
};

static int
check_bw(void *arg, const struct store_result *r)
{
	struct bw_check *c = arg;

	if (r->obs.rrtype == PROTO_T_MX && r->obs.bailiwick != NULL &&
	    r->obs.bailiwick_len == c->len && memcmp(r->obs.bailiwick, c->bw, c->len) == 0)
		c->matched++;
	else if (r->obs.bailiwick != NULL)
		c->matched = -100;
	return 0;
}

static int
scan_o(struct store_db *db, uint16_t origin, bool nx)
{
	ngot = 0;
	return store_db_scan_origin(db, origin, nx, collect_o, NULL);
}

static int
query_o(struct store_db *db, struct proto_query *q)
{
	struct store_query_info info;
	char why[256];

	ngot = 0;
	return store_db_query(db, q, 0, collect_o, NULL, &info, why, sizeof(why));
}

static void
ip_query(struct proto_query *q, const char *lo, const char *hi)
{
	proto_query_init(q);
	q->kind = PROTO_Q_RDATA_IP;
	q->family = 4;
	memcpy(q->addr_lo, lo, 4);
	memcpy(q->addr_hi, hi, 4);
}

static void
test_origin_rows(void)
{
	struct store_db *db = NULL, *rd = NULL;
	struct proto_query q;
	struct proto_obs agg;
	char why[256], path[300];
	uint8_t bw[PROTO_NAME_MAX];
	size_t bwlen;

	subdir(path, sizeof(path), "peers");
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0 ||
	    origin_of(db, "peer-1", true) != 1 || origin_of(db, "peer-2", true) != 2 ||
	    proto_name_parse("example.com", 11, bw, &bwlen) != 0)
		abort();
	struct proto_obs a = row("www.example.com", PROTO_T_A, "192.0.2.1", PROTO_SEC_ANSWER,
	                         100, 200, 5);
	struct proto_obs b = row("mail.example.com", PROTO_T_A, "192.0.2.2", PROTO_SEC_ANSWER,
	                         100, 200, 3);
	struct proto_obs c = row("example.com", PROTO_T_MX, "10 mail.example.com",
	                         PROTO_SEC_ANSWER, 100, 200, 1);
	struct proto_obs nx = row("gone.example.com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN,
	                          300, 400, 2);
	struct proto_obs d = row("other.example.com", PROTO_T_A, "192.0.2.3", PROTO_SEC_ANSWER,
	                         1, 2, 1);
	c.bailiwick = bw;
	c.bailiwick_len = (uint32_t)bwlen;
	struct proto_obs o1[] = { a, b, c, nx };
	if (store_db_put(db, o1, 4, 1, why, sizeof(why)) != 0)
		abort();
	struct proto_obs o0[] = { a, d };
	o0[0].count = 11;
	struct proto_obs o2[] = { a, nx };
	o2[0].count = 7;
	o2[1].count = 4;
	if (store_db_put(db, o0, 2, 0, why, sizeof(why)) != 0 ||
	    store_db_put(db, o2, 2, 2, why, sizeof(why)) != 0)
		abort();

	/* store_db_get: the writer's own unflushed rows, by origin. */
	memset(&agg, 0, sizeof(agg));
	ok(store_db_get(db, &a, 1, &agg) == 0 && agg.count == 5 && agg.time_first == 100 &&
	   agg.time_last == 200, "get: origin 1's row, unflushed");
	is_int(get_count(db, &a, 0), 11, "get: the same key of origin 0 is its own row");
	is_int(get_count(db, &a, 3), -1, "get: an origin without the row: ENOENT");
	struct proto_obs again = a;
	again.time_first = 50;
	again.time_last = 150;
	again.count = 2;
	if (store_db_put(db, &again, 1, 1, why, sizeof(why)) != 0)
		abort();
	ok(store_db_get(db, &a, 1, &agg) == 0 && agg.count == 7 && agg.time_first == 50 &&
	   agg.time_last == 200, "get: merge operands folded (50-200, 7)");
	struct proto_obs other = a;
	other.rdata = "192.0.2.100";
	other.rdata_len = 11;
	is_int(get_count(db, &other, 1), -1, "get: other rdata: ENOENT");
	other = a;
	other.section = PROTO_SEC_AUTHORITY;
	is_int(get_count(db, &other, 1), -1, "get: other section: ENOENT");
	ok(store_db_get(db, &nx, 1, &agg) == 0 && agg.count == 2 && agg.time_first == 300,
	   "get: an NXDOMAIN row");
	other = nx;
	other.rrtype = PROTO_T_AAAA;
	is_int(get_count(db, &other, 1), -1, "get: NXDOMAIN of another qtype: ENOENT");
	agg = a;
	ok(store_db_get(db, &agg, 2, &agg) == 0 && agg.count == 7, "get: agg may be the key");

	/* Queries still give each row's origin. */
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "www.example.com");
	is_int(query_o(db, &q), 0, "query www.example.com");
	is_int(ngot, 3, "one row per origin");
	is_str(got[0], "www.example.com A 192.0.2.1 100-200 11 o=0", "origin 0");
	is_str(got[1], "www.example.com A 192.0.2.1 50-200 7 o=1", "origin 1");
	is_str(got[2], "www.example.com A 192.0.2.1 100-200 7 o=2", "origin 2");

	/* scan_origin: one origin's rows in key order. */
	is_int(scan_o(db, 1, false), 0, "scan origin 1");
	is_int(ngot, 3, "its three rrset rows");
	/* Key order: the reversed owner's label lengths come first. */
	is_str(got[0], "example.com MX 10 mail.example.com 100-200 1 o=1", "apex first");
	is_str(got[1], "www.example.com A 192.0.2.1 50-200 7 o=1", "then www (3 octets)");
	is_str(got[2], "mail.example.com A 192.0.2.2 100-200 3 o=1", "then mail (4)");
	is_int(scan_o(db, 1, true), 0, "scan origin 1 with NXDOMAIN rows");
	is_int(ngot, 4, "four rows");
	is_str(got[3], "gone.example.com A  300-400 2 o=1 nx", "the NXDOMAIN row last");
	is_int(scan_o(db, 3, true), 0, "scan an origin without rows");
	is_int(ngot, 0, "nothing");
	int ret = 1;
	ngot = 0;
	is_int(store_db_scan_origin(db, 1, true, stop_first, &ret), 0, "fn returns 1: stops, 0");
	is_int(ngot, 1, "... after one row");
	ret = PROTO_EIO;
	ngot = 0;
	is_int(store_db_scan_origin(db, 1, true, stop_first, &ret), PROTO_EIO,
	       "fn's error is returned");
	is_int(ngot, 1, "... after one row");

	/* The bailiwick comes through in wire form. */
	struct bw_check bc = { bw, bwlen, 0 };
	is_int(store_db_scan_origin(db, 1, false, check_bw, &bc), 0, "scan for bailiwicks");
	is_int(bc.matched, 1, "the MX row's bailiwick, in wire form; none on the others");

	/* One snapshot for the whole scan: rows written meanwhile stay out,
	 * in the rrset index and in the NXDOMAIN index read after it. */
	struct writer_cb w = { .db = db };
	ngot = 0;
	is_int(store_db_scan_origin(db, 1, true, collect_and_write, &w), 0,
	       "scan while writing from the callback");
	is_int(ngot, 4, "the scan saw the store as of its start");
	is_int(scan_o(db, 1, true), 0, "scan again");
	is_int(ngot, 6, "now the two new rows are there");

	/* A reader scans too (no snapshot: it is fixed since its open). */
	if (store_db_open(&rd, path, STORE_READ, why, sizeof(why)) != 0)
		abort();
	is_int(scan_o(rd, 1, true), 0, "a reader scans an origin");
	is_int(ngot, 6, "... all six rows");
	is_int(get_count(rd, &a, 2), 7, "a reader gets a row");
	store_db_close(&rd);

	/*
	 * replace_origin. Old rows of origin 1 in table files (close flushes)
	 * and one in the memtable; new rows: one that existed with another
	 * count, one absent before (twice: they add up), an NXDOMAIN row.
	 */
	store_db_close(&db);
	if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
		abort();
	struct proto_obs e = row("mem.example.com", PROTO_T_A, "192.0.2.9", PROTO_SEC_ANSWER,
	                         1, 1, 1);
	if (store_db_put(db, &e, 1, 1, why, sizeof(why)) != 0)
		abort();
	struct proto_obs f = row("new.example.com", PROTO_T_AAAA, "2001:db8::5",
	                         PROTO_SEC_ANSWER, 30, 40, 4);
	struct proto_obs na = a, nnx = nx;
	na.time_first = 10;
	na.time_last = 20;
	na.count = 1;
	nnx.count = 9;
	struct proto_obs fresh[] = { na, f, f, nnx };
	struct store_meta_op sop = { "peer:1", 6, "snap", 4 };
	is_int(store_db_replace_origin(db, 1, fresh, 4, &sop, 1, why, sizeof(why)), 0,
	       "replace origin 1");
	for (int pass = 0; pass < 3; pass++) {
		const char *when = pass == 0 ? "" : pass == 1 ? " (compacted)" : " (reopened)";
		if (pass == 1)
			store_db_compact(db);
		if (pass == 2) {
			store_db_close(&db);
			if (store_db_open(&db, path, STORE_WRITE, why, sizeof(why)) != 0)
				abort();
		}
		ok(store_db_get(db, &a, 1, &agg) == 0 && agg.count == 1 && agg.time_first == 10 &&
		   agg.time_last == 20, "a row that existed is the new value alone%s", when);
		is_int(get_count(db, &f, 1), 8, "a row absent before: the two rows added up%s", when);
		is_int(get_count(db, &nx, 1), 9, "the NXDOMAIN row is the new one%s", when);
		ok(get_count(db, &b, 1) == -1 && get_count(db, &c, 1) == -1 &&
		   get_count(db, &e, 1) == -1, "old rows not in the snapshot are gone%s", when);
		ok(get_count(db, &a, 0) == 11 && get_count(db, &d, 0) == 1 &&
		   get_count(db, &a, 2) == 7 && get_count(db, &nx, 2) == 4,
		   "other origins' rows are untouched%s", when);
		is_int(scan_o(db, 1, true), 0, "scan origin 1%s", when);
		is_int(ngot, 3, "exactly the new rows%s", when);
		is_str(got[0], "new.example.com AAAA 2001:db8::5 30-40 8 o=1", "new%s", when);
		is_str(got[1], "www.example.com A 192.0.2.1 10-20 1 o=1", "www%s", when);
		is_str(got[2], "gone.example.com A  300-400 9 o=1 nx", "NXDOMAIN%s", when);
	}
	/* Through every index: rdata by address and by name. */
	ip_query(&q, "\xc0\x00\x02\x01", "\xc0\x00\x02\x01");
	is_int(query_o(db, &q), 0, "192.0.2.1 by address");
	is_int(ngot, 3, "three origins' rows");
	is_str(got[1], "www.example.com A 192.0.2.1 10-20 1 o=1", "origin 1's the new value");
	ip_query(&q, "\xc0\x00\x02\x02", "\xc0\x00\x02\x02");
	query_o(db, &q);
	is_int(ngot, 0, "the replaced row is gone from the address index");
	qname(&q, PROTO_Q_RDATA_NAME, PROTO_M_EXACT, "mail.example.com");
	query_o(db, &q);
	is_int(ngot, 0, "... and from the name index");
	proto_query_init(&q);
	q.kind = PROTO_Q_RDATA_IP;
	q.family = 6;
	memcpy(q.addr_lo, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x05", 16);
	memcpy(q.addr_hi, q.addr_lo, 16);
	query_o(db, &q);
	is_int(ngot, 1, "the new AAAA row is in the address index");
	is_str(got[0], "new.example.com AAAA 2001:db8::5 30-40 8 o=1", "... with its value");
	size_t vlen;
	char val[16];
	ok(store_db_get_meta(db, "peer:1", 6, val, sizeof(val), &vlen) == 0 && vlen == 4 &&
	   memcmp(val, "snap", 4) == 0, "the batch's meta row is there");

	/* A bad op: nothing replaced. */
	struct store_meta_op bad = { "", 0, "x", 1 };
	is_int(store_db_replace_origin(db, 2, NULL, 0, &bad, 1, why, sizeof(why)), PROTO_EINVAL,
	       "replace with a bad op is refused");
	is_int(get_count(db, &a, 2), 7, "... and deleted nothing");
	if (store_db_open(&rd, path, STORE_READ, why, sizeof(why)) != 0)
		abort();
	is_int(store_db_replace_origin(rd, 2, NULL, 0, NULL, 0, why, sizeof(why)), PROTO_EINVAL,
	       "a reader cannot replace");
	uint64_t removed = 99;
	is_int(store_db_purge_origin(rd, 2, &removed, why, sizeof(why)), PROTO_EINVAL,
	       "a reader cannot purge");
	store_db_close(&rd);

	/* Replace with nothing: the origin is empty, the others stay. */
	is_int(store_db_replace_origin(db, 1, NULL, 0, NULL, 0, why, sizeof(why)), 0,
	       "replace origin 1 with no rows");
	is_int(scan_o(db, 1, true), 0, "scan origin 1");
	is_int(ngot, 0, "no row left");
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "www.example.com");
	query_o(db, &q);
	ok(ngot == 2 && strstr(got[0], "o=0") && strstr(got[1], "o=2"),
	   "www.example.com: origins 0 and 2 only");

	/* purge_origin: origin 2's two rows, and a big origin in many batches. */
	is_int(store_db_purge_origin(db, 2, &removed, why, sizeof(why)), 0, "purge origin 2");
	is_int(removed, 2, "two rows removed (rrset and NXDOMAIN)");
	ok(get_count(db, &a, 2) == -1 && get_count(db, &nx, 2) == -1, "they are gone");
	ok(get_count(db, &a, 0) == 11 && get_count(db, &d, 0) == 1, "origin 0's rows stay");
	is_str(name_of(db, 2), "peer-2", "the purged origin keeps its registry entry");
	is_int(store_db_purge_origin(db, 2, &removed, why, sizeof(why)), 0, "purge it again");
	is_int(removed, 0, "nothing left to remove");

	enum { BULK = 25001, BULKNX = 999 };
	struct proto_obs *many = calloc(BULK + BULKNX, sizeof(*many));
	uint8_t (*names)[32] = calloc(BULK + BULKNX, 32);
	char (*addrs)[20] = calloc(BULK, 20);
	if (many == NULL || names == NULL || addrs == NULL)
		abort();
	for (int i = 0; i < BULK + BULKNX; i++) {
		char text[40];
		size_t wl;
		snprintf(text, sizeof(text), "h%d.bulk.test", i);
		if (proto_name_parse(text, strlen(text), names[i], &wl) != 0)
			abort();
		many[i].name = names[i];
		many[i].name_len = (uint32_t)wl;
		many[i].rrtype = PROTO_T_A;
		many[i].time_first = many[i].time_last = 1000;
		many[i].count = 1;
		if (i < BULK) {
			snprintf(addrs[i], 20, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
			many[i].rdata = addrs[i];
			many[i].rdata_len = (uint32_t)strlen(addrs[i]);
			many[i].section = PROTO_SEC_ANSWER;
		} else {
			many[i].rdata = "";
			many[i].section = PROTO_SEC_NXDOMAIN;
		}
	}
	if (store_db_put(db, many, BULK + BULKNX, 3, why, sizeof(why)) != 0 ||
	    store_db_put(db, many, 10, 0, why, sizeof(why)) != 0)
		abort();
	is_int(store_db_purge_origin(db, 3, &removed, why, sizeof(why)), 0,
	       "purge 26,000 rows (past one batch of deletes)");
	is_int(removed, BULK + BULKNX, "every rrset and NXDOMAIN row counted");
	is_int(scan_o(db, 3, true), 0, "scan the purged origin");
	is_int(ngot, 0, "nothing left");
	ip_query(&q, "\x0a\x00\x00\x00", "\x0a\xff\xff\xff");
	query_o(db, &q);
	is_int(ngot, 10, "10.0.0.0/8: only origin 0's ten rows");
	is_int(get_count(db, &many[5], 3), -1, "a purged row: ENOENT");
	is_int(get_count(db, &many[5], 0), 1, "origin 0's copy stays");

	/* replace a big origin in one batch: every old row goes. */
	if (store_db_put(db, many, BULK + BULKNX, 3, why, sizeof(why)) != 0)
		abort();
	is_int(store_db_replace_origin(db, 3, many + 100, 2, NULL, 0, why, sizeof(why)), 0,
	       "replace 26,000 rows by two");
	is_int(scan_o(db, 3, true), 0, "scan it");
	ok(ngot == 2 && strncmp(got[0], "h100.bulk.test", 14) == 0 &&
	   strncmp(got[1], "h101.bulk.test", 14) == 0, "exactly the two new rows");
	free(many);
	free(names);
	free(addrs);
	store_db_close(&db);
}

/* --- writes survive a killed writer -------------------------------------- */

static struct proto_obs
crash_row(void)
{
	return row("crash.example.com", PROTO_T_A, "192.0.2.66", PROTO_SEC_ANSWER, 5, 6, 3);
}

/* The child of test_kill: register, write, and die without closing. */
static int
write_and_die(const char *path, const char *mode)
{
	struct store_db *db = NULL;
	char why[256];
	uint16_t id;
	struct proto_obs r = crash_row();
	struct store_meta_op op = { "crash", 5, mode, strlen(mode) };

	if (store_db_open(&db, path, strcmp(mode, "bulk") == 0 ? STORE_BULK : STORE_WRITE,
	                  why, sizeof(why)) != 0 ||
	    store_db_origin_id(db, "crash-peer", true, &id, why, sizeof(why)) != 0 ||
	    store_db_write(db, &r, 1, id, &op, 1, why, sizeof(why)) != 0)
		return 1;
	kill(getpid(), SIGKILL);
	return 1;
}

static void
test_kill(const char *mode)
{
	struct store_db *db = NULL;
	char why[256], path[300], val[16];
	size_t vlen = 0;
	int st;

	snprintf(path, sizeof(path), "%s-kill-%s", dir, mode);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_store_db", "--write-and-die", path, mode,
		      (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s writer killed after its write", mode);
	is_int(store_db_open(&db, path, STORE_WRITE, why, sizeof(why)), 0, "reopen (%s)", mode);
	is_int(origin_of(db, "crash-peer", false), 1,
	       "the origin registered before the kill is there (%s)", mode);
	struct proto_obs r = crash_row();
	is_int(get_count(db, &r, 1), 3, "the row written before the kill is there (%s)", mode);
	ok(store_db_get_meta(db, "crash", 5, val, sizeof(val), &vlen) == 0 &&
	   vlen == strlen(mode) && memcmp(val, mode, vlen) == 0,
	   "... with its meta row (%s)", mode);
	store_db_close(&db);
}

/* The second writer of test_write_and_lookups, in its own process. */
static int
try_open(const char *path)
{
	struct store_db *db = NULL;
	char why[256];
	int rc = store_db_open(&db, path, STORE_WRITE, why, sizeof(why));

	printf("# second writer: %s\n", why);
	store_db_close(&db);
	return rc == PROTO_EBUSY && strstr(why, "process") != NULL ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--try-open") == 0)
		return try_open(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--write-and-die") == 0)
		return write_and_die(argv[2], argv[3]);
	snprintf(dir, sizeof(dir), "/tmp/pdns-test-store-%d", (int)getpid());
	test_write_and_lookups();
	test_refusals();
	test_meta_ops();
	test_origin_registry();
	test_origin_rows();
	test_kill("write");
	test_kill("bulk");
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf %.200s %.200s-*", dir, dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
