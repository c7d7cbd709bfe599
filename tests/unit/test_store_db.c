/*
 * test_store_db.c - the RocksDB store: writes, every lookup kind, filters,
 * schema and lock refusals, readers beside a writer, retention.
 */
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

static int
collect(void *arg, const struct store_result *r)
{
	char name[PROTO_NAME_TEXT_MAX], tt[PROTO_RRTYPE_TEXT_MAX];
	struct proto_buf b;

	(void)arg;
	proto_buf_init(&b, name, sizeof(name));
	proto_name_format(r->obs.name, r->obs.name_len, &b);
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

	/* Retention: rows last seen long ago go at compaction. */
	store_db_set_retention(db, 3600);
	store_db_compact(db);
	qname(&q, PROTO_Q_RRSET, PROTO_M_EXACT, "www.example.com");
	run(db, &q, &info);
	is_int(ngot, 0, "retention removed old rows");
	store_db_close(&db);
	ok(db == NULL, "close NULLs the handle");
}

/* Put a meta row into a RocksDB database, opening all its families. */
static void
make_db(const char *path, const char *key, const char *val, size_t vlen)
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
	rocksdb_put(db, w, key, strlen(key), val, vlen, &err);
	rocksdb_writeoptions_destroy(w);
	for (size_t i = 0; i < n; i++)
		rocksdb_column_family_handle_destroy(cfh[i]);
	rocksdb_close(db);
	if (ncf)
		rocksdb_list_column_families_destroy(names, ncf);
	rocksdb_options_destroy(o);
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
	snprintf(dir, sizeof(dir), "/tmp/pdns-test-store-%d", (int)getpid());
	test_write_and_lookups();
	test_refusals();
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf %.200s %.200s-new %.200s-other", dir, dir, dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
