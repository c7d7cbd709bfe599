/*
 * crash_check.c - what a killed ingest left in a store, against a reference.
 *
 * Usage:
 *   crash_check --dump --store DIR --zones Z1,Z2...
 *       print every row (rrset and nxdomain indexes) as a COF line, for
 *       comparing a store with pdns-sensor's own output
 *   crash_check --recover --store DIR
 *       open DIR as a writer and close it: RocksDB replays the WAL into
 *       tables, so later readers need not replay it
 *   crash_check --ref REF --store DIR --zones Z1,Z2... --acked M
 *               [--batch B] [--k K] [--expect-after N]
 *       REF holds one complete ingest of a capture (count c per key); DIR
 *       held K complete ingests of it and then one more that may have been
 *       killed, of which M rows were acknowledged ("committed ... (M in
 *       all)"). Checks, each a violation when it fails:
 *       (a) DIR opens read-only (a secondary beside no primary), then as a
 *           writer (WAL recovery), and both views hold the same rows;
 *       (b) time_first <= time_last in every row;
 *       (c) DIR has exactly REF's keys, each with REF's times and bailiwick
 *           and a count of K*c ("before") or (K+1)*c ("after"), nothing
 *           in between;
 *       (d) the rdata index holds the same rows and values as the rrset
 *           index (A and AAAA by address, name types by target; types
 *           indexed by text cannot be listed through lookups and are
 *           counted as unchecked);
 *       (e) after >= M, and after is M or the next batch boundary
 *           min(M + B, keys): batches are atomic and the sensor prints a
 *           batch's line right after its write returns, so at most one
 *           written batch can be unacknowledged. With --expect-after N,
 *           after must be exactly N instead (a complete ingest on top of a
 *           killed one).
 *   Prints one line: `keys=T after=A before=B acked=M violations=V`.
 *
 * The store is read through store_db_query only (what pdns does): every
 * row below each zone given (top-level zones from the capture), each
 * family's two /1 halves, and every rdata name below each zone. Exit 0 when
 * every check passed, 1 on a violation, 2 when the check could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_cof.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_query.h"
#include "proto/proto_rrtype.h"
#include "store/store_db.h"

#define PROG "crash_check"
#define MAX_ZONES 256
#define SHOW_MAX 10

struct row {
	uint8_t *owner, *bw;       /* wire names; bw NULL when unknown */
	char *rdata;
	size_t owner_len, bw_len, rdata_len;
	uint16_t rrtype, origin;
	uint8_t section;
	int64_t first, last;
	uint64_t count;
};

/* Rows of one listing; their bytes in one buffer (a malloc per field made
 * the check several times slower under AddressSanitizer). */
struct rows {
	struct row *r;
	size_t n, cap;
	uint8_t *bytes;
	size_t blen, bcap;
};

static uint8_t zones[MAX_ZONES][PROTO_NAME_MAX];
static size_t zone_len[MAX_ZONES], nzones;
static unsigned violations;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s%s%s\n", PROG, what, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

/* Copy n bytes into the listing's buffer; returns their offset. */
static size_t
keep(struct rows *rs, const void *p, size_t n)
{
	size_t off = rs->blen;

	if (rs->blen + n > rs->bcap) {
		size_t ncap = rs->bcap ? rs->bcap : (size_t)1 << 20;
		while (ncap < rs->blen + n)
			ncap *= 2;
		uint8_t *nb = realloc(rs->bytes, ncap);
		if (nb == NULL)
			die("out of memory", NULL);
		rs->bytes = nb;
		rs->bcap = ncap;
	}
	if (n != 0)
		memcpy(rs->bytes + off, p, n);
	rs->blen += n;
	return off;
}

/* Offsets into pointers, once the listing is complete and the buffer stays. */
static void
rows_fix(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct row *r = &rs->r[i];
		r->owner = rs->bytes + (uintptr_t)r->owner;
		r->rdata = (char *)rs->bytes + (uintptr_t)r->rdata;
		r->bw = r->bw_len != 0 ? rs->bytes + (uintptr_t)r->bw : NULL;
	}
}

static void
rows_free(struct rows *rs)
{
	free(rs->r);
	free(rs->bytes);
	memset(rs, 0, sizeof(*rs));
}

static int
collect(void *arg, const struct store_result *res)
{
	struct rows *rs = arg;

	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 4096;
		struct row *nr = realloc(rs->r, ncap * sizeof(*nr));
		if (nr == NULL)
			return PROTO_ENOMEM;
		rs->r = nr;
		rs->cap = ncap;
	}
	struct row *r = &rs->r[rs->n++];
	/* Offsets for now (the buffer may move); rows_fix makes them pointers. */
	r->owner = (uint8_t *)(uintptr_t)keep(rs, res->obs.name, res->obs.name_len);
	r->owner_len = res->obs.name_len;
	r->rdata = (char *)(uintptr_t)keep(rs, res->obs.rdata, res->obs.rdata_len);
	r->rdata_len = res->obs.rdata_len;
	r->bw_len = res->obs.bailiwick ? res->obs.bailiwick_len : 0;
	r->bw = (uint8_t *)(uintptr_t)keep(rs, res->obs.bailiwick, r->bw_len);
	r->rrtype = res->obs.rrtype;
	r->section = res->obs.section;
	r->first = res->obs.time_first;
	r->last = res->obs.time_last;
	r->count = res->obs.count;
	r->origin = res->origin;
	return 0;
}

static void
run(struct store_db *db, const struct proto_query *q, struct rows *rs, const char *what)
{
	struct store_query_info info;
	char why[512], msg[600];

	why[0] = '\0';
	int rc = store_db_query(db, q, 0, collect, rs, &info, why, sizeof(why));
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "%s: %s", why, proto_strerror(rc));
		die(what, msg);
	}
}

static void
name_query(struct proto_query *q, unsigned kind, unsigned match, size_t z)
{
	proto_query_init(q);
	q->kind = (uint8_t)kind;
	q->match = (uint8_t)match;
	q->sections = PROTO_QS_ALL;
	memcpy(q->name, zones[z], zone_len[z]);
	q->name_len = (uint16_t)zone_len[z];
}

/* Every row of the rrset and nxdomain indexes at or below the zones. */
static void
list_rrsets(struct store_db *db, struct rows *rs)
{
	struct proto_query q;

	for (size_t z = 0; z < nzones; z++) {
		name_query(&q, PROTO_Q_RRSET, PROTO_M_EXACT, z);
		run(db, &q, rs, "rrset lookup");
		name_query(&q, PROTO_Q_RRSET, PROTO_M_LEFT, z);
		run(db, &q, rs, "rrset lookup");
		name_query(&q, PROTO_Q_NXDOMAIN, PROTO_M_EXACT, z);
		run(db, &q, rs, "nxdomain lookup");
		name_query(&q, PROTO_Q_NXDOMAIN, PROTO_M_LEFT, z);
		run(db, &q, rs, "nxdomain lookup");
	}
}

/* Every row of the rdata index that lookups can list. */
static void
list_rdata(struct store_db *db, struct rows *rs)
{
	struct proto_query q;

	for (unsigned fam = 4; fam <= 6; fam += 2) {
		size_t alen = fam == 4 ? 4 : 16;
		for (unsigned half = 0; half < 2; half++) {
			/* 0/1 and 128/1: a /0 is refused as a whole-store scan */
			proto_query_init(&q);
			q.kind = PROTO_Q_RDATA_IP;
			q.family = (uint8_t)fam;
			q.sections = PROTO_QS_ALL;
			memset(q.addr_lo, 0, alen);
			memset(q.addr_hi, 0xff, alen);
			q.addr_lo[0] = half ? 0x80 : 0x00;
			q.addr_hi[0] = half ? 0xff : 0x7f;
			run(db, &q, rs, "address lookup");
		}
	}
	for (size_t z = 0; z < nzones; z++) {
		name_query(&q, PROTO_Q_RDATA_NAME, PROTO_M_EXACT, z);
		run(db, &q, rs, "rdata name lookup");
		name_query(&q, PROTO_Q_RDATA_NAME, PROTO_M_LEFT, z);
		run(db, &q, rs, "rdata name lookup");
	}
}

static int
bytes_cmp(const void *a, size_t al, const void *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

/* The key: owner, type, section, rdata, origin. */
static int
key_cmp(const struct row *a, const struct row *b)
{
	int c = bytes_cmp(a->owner, a->owner_len, b->owner, b->owner_len);

	if (c == 0 && a->rrtype != b->rrtype)
		c = a->rrtype < b->rrtype ? -1 : 1;
	if (c == 0 && a->section != b->section)
		c = a->section < b->section ? -1 : 1;
	if (c == 0)
		c = bytes_cmp(a->rdata, a->rdata_len, b->rdata, b->rdata_len);
	if (c == 0 && a->origin != b->origin)
		c = a->origin < b->origin ? -1 : 1;
	return c;
}

static int
key_qcmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static bool
value_eq(const struct row *a, const struct row *b)
{
	return a->first == b->first && a->last == b->last && a->count == b->count &&
	       bytes_cmp(a->bw, a->bw_len, b->bw, b->bw_len) == 0;
}

static void
sort_rows(struct rows *rs)
{
	if (rs->n > 1)
		qsort(rs->r, rs->n, sizeof(*rs->r), key_qcmp);
}

static const char *
row_text(const struct row *r, char *buf, size_t cap)
{
	char name[PROTO_NAME_TEXT_MAX], bw[PROTO_NAME_TEXT_MAX], tt[PROTO_RRTYPE_TEXT_MAX];
	struct proto_buf b;
	const char *sec = proto_section_name(r->section);

	proto_buf_init(&b, name, sizeof(name));
	proto_name_format(r->owner, r->owner_len, &b);
	proto_buf_init(&b, bw, sizeof(bw));
	if (r->bw != NULL)
		proto_name_format(r->bw, r->bw_len, &b);
	else
		proto_buf_puts(&b, "-");
	snprintf(buf, cap, "%s %s %.*s %s %" PRId64 "..%" PRId64 " count=%" PRIu64
	         " bailiwick=%s origin=%u", name, proto_rrtype_name(r->rrtype, tt),
	         (int)r->rdata_len, r->rdata, sec ? sec : "?", r->first, r->last, r->count,
	         bw, r->origin);
	return buf;
}

static void
violation(const char *what, const struct row *a, const struct row *b)
{
	char t[4096];

	violations++;
	if (violations > SHOW_MAX) {
		if (violations == SHOW_MAX + 1)
			fprintf(stderr, "%s: more violations not shown\n", PROG);
		return;
	}
	fprintf(stderr, "%s: violation: %s\n", PROG, what);
	if (a != NULL)
		fprintf(stderr, "%s:   %s\n", PROG, row_text(a, t, sizeof(t)));
	if (b != NULL)
		fprintf(stderr, "%s:   %s\n", PROG, row_text(b, t, sizeof(t)));
}

/* Duplicates mean the zones overlapped or a lookup returned a row twice. */
static void
check_unique(const struct rows *rs, const char *what)
{
	for (size_t i = 1; i < rs->n; i++)
		if (key_cmp(&rs->r[i - 1], &rs->r[i]) == 0)
			violation(what, &rs->r[i - 1], &rs->r[i]);
}

static bool
has_target(uint16_t t)
{
	switch (t) {
	case PROTO_T_NS: case PROTO_T_CNAME: case PROTO_T_DNAME: case PROTO_T_PTR:
	case PROTO_T_MX: case PROTO_T_KX: case PROTO_T_AFSDB: case PROTO_T_SRV:
		return true;
	default:
		return false;
	}
}

/* (d): the rdata index against the rrset index, both sorted. */
static uint64_t
check_indexes(const struct rows *rr, const struct rows *rd, const char *view)
{
	size_t i = 0, j = 0;
	uint64_t unchecked = 0;
	char what[128];

	while (i < rr->n || j < rd->n) {
		const struct row *a = i < rr->n ? &rr->r[i] : NULL;
		const struct row *b = j < rd->n ? &rd->r[j] : NULL;
		if (a != NULL && a->section == PROTO_SEC_NXDOMAIN) {
			i++; /* no rdata index entry */
			continue;
		}
		if (a != NULL && a->rrtype != PROTO_T_A && a->rrtype != PROTO_T_AAAA &&
		    !has_target(a->rrtype)) {
			unchecked++; /* indexed by text: no lookup lists those */
			i++;
			continue;
		}
		int c = a == NULL ? 1 : b == NULL ? -1 : key_cmp(a, b);
		if (c == 0) {
			if (!value_eq(a, b)) {
				snprintf(what, sizeof(what), "%s: rrset and rdata index values differ", view);
				violation(what, a, b);
			}
			i++;
			j++;
		} else if (c < 0) {
			snprintf(what, sizeof(what), "%s: in the rrset index only", view);
			violation(what, a, NULL);
			i++;
		} else {
			snprintf(what, sizeof(what), "%s: in the rdata index only", view);
			violation(what, b, NULL);
			j++;
		}
	}
	return unchecked;
}

/* Read one view of DIR: rrset and rdata rows, sorted; checks (b), (d). */
static void
read_view(const char *dir, enum store_mode mode, struct rows *rr, struct rows *rd,
          uint64_t *unchecked)
{
	struct store_db *db = NULL;
	char why[512];
	const char *view = mode == STORE_READ ? "reader" : "writer";

	int rc = store_db_open(&db, dir, mode, why, sizeof(why));
	if (rc != 0) {
		violations++;
		fprintf(stderr, "%s: violation: (a) the store does not open as a %s: %s (%s)\n",
		        PROG, view, why, proto_strerror(rc));
		return;
	}
	list_rrsets(db, rr);
	list_rdata(db, rd);
	store_db_close(&db);
	rows_fix(rr);
	rows_fix(rd);
	sort_rows(rr);
	sort_rows(rd);
	check_unique(rr, "a key listed twice (rrset index)");
	check_unique(rd, "a key listed twice (rdata index)");
	for (size_t i = 0; i < rr->n; i++)
		if (rr->r[i].first > rr->r[i].last)
			violation("(b) time_first after time_last", &rr->r[i], NULL);
	*unchecked = check_indexes(rr, rd, view);
}

static void
parse_zones(const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n != 0) {
			if (nzones == MAX_ZONES)
				die("too many zones", list);
			if (proto_name_parse(p, n, zones[nzones], &zone_len[nzones]) != 0)
				die("bad zone name", p);
			if (zone_len[nzones] <= 1)
				die("the root is not a zone to list (lookups refuse '*')", list);
			nzones++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (nzones == 0)
		die("no zones given", NULL);
}

static uint64_t
num_arg(const char *opt, const char *s)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		fprintf(stderr, "%s: %s '%s': not a number\n", PROG, opt, s);
		exit(64);
	}
	return v;
}

static int
dump(const char *dir)
{
	struct store_db *db = NULL;
	struct rows rs = { 0 };
	char why[512], line[2 * 65536 + 8192];
	struct proto_buf b;

	int rc = store_db_open(&db, dir, STORE_READ, why, sizeof(why));
	if (rc != 0)
		die("cannot open the store", why);
	list_rrsets(db, &rs);
	store_db_close(&db);
	rows_fix(&rs);
	for (size_t i = 0; i < rs.n; i++) {
		const struct row *r = &rs.r[i];
		struct proto_obs o = {
			.name = r->owner, .name_len = (uint32_t)r->owner_len,
			.rdata = r->rdata, .rdata_len = (uint32_t)r->rdata_len,
			.bailiwick = r->bw, .bailiwick_len = (uint32_t)r->bw_len,
			.rrtype = r->rrtype, .section = r->section,
			.time_first = r->first, .time_last = r->last, .count = r->count,
		};
		proto_buf_init(&b, line, sizeof(line));
		proto_cof_format(&b, &o);
		fwrite(b.data, 1, b.len, stdout);
	}
	rows_free(&rs);
	return fflush(stdout) == 0 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ "store", required_argument, NULL, 's' },
		{ "zones", required_argument, NULL, 'z' },
		{ "acked", required_argument, NULL, 'm' },
		{ "batch", required_argument, NULL, 'b' },
		{ "k", required_argument, NULL, 'k' },
		{ "expect-after", required_argument, NULL, 'e' },
		{ "dump", no_argument, NULL, 'd' },
		{ "recover", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = NULL, *dir = NULL;
	uint64_t acked = 0, batch = 0, k = 1, expect_after = 0;
	bool do_dump = false, do_recover = false, have_expect = false;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r': ref = optarg; break;
		case 's': dir = optarg; break;
		case 'z': parse_zones(optarg); break;
		case 'm': acked = num_arg("--acked", optarg); break;
		case 'b': batch = num_arg("--batch", optarg); break;
		case 'k': k = num_arg("--k", optarg); break;
		case 'e':
			expect_after = num_arg("--expect-after", optarg);
			have_expect = true;
			break;
		case 'd': do_dump = true; break;
		case 'R': do_recover = true; break;
		default: exit(64);
		}
	}
	if (do_recover && dir != NULL) {
		struct store_db *db = NULL;
		char why[512];
		if (store_db_open(&db, dir, STORE_WRITE, why, sizeof(why)) != 0)
			die("cannot open the store as a writer", why);
		store_db_close(&db);
		return 0;
	}
	if (dir == NULL || nzones == 0 || (!do_dump && (ref == NULL || k == 0))) {
		fprintf(stderr, "usage: %s --dump --store DIR --zones Z,...\n"
		        "       %s --recover --store DIR\n"
		        "       %s --ref REF --store DIR --zones Z,... --acked M [--batch B] "
		        "[--k K] [--expect-after N]\n", PROG, PROG, PROG);
		exit(64);
	}
	if (do_dump)
		return dump(dir);

	/* The reference: one complete ingest. */
	struct rows rr = { 0 }, rd = { 0 }, wr = { 0 }, wd = { 0 }, ref_rr = { 0 }, ref_rd = { 0 };
	uint64_t unchecked = 0, unchecked_w = 0, unchecked_ref = 0;
	unsigned before_ref = violations;
	read_view(ref, STORE_READ, &ref_rr, &ref_rd, &unchecked_ref);
	if (violations != before_ref)
		die("the reference store itself is inconsistent", ref);

	/* (a): the reader's view, then the writer's (which recovers the WAL). */
	read_view(dir, STORE_READ, &rr, &rd, &unchecked);
	read_view(dir, STORE_WRITE, &wr, &wd, &unchecked_w);
	if (wr.n != rr.n)
		violation("(a) the reader and the writer list different numbers of rows", NULL, NULL);
	for (size_t i = 0; i < rr.n && i < wr.n; i++) {
		if (key_cmp(&rr.r[i], &wr.r[i]) != 0 || !value_eq(&rr.r[i], &wr.r[i])) {
			violation("(a) the reader and the writer disagree", &rr.r[i], &wr.r[i]);
			break;
		}
	}

	/* (c): each key before or after this ingest, with the reference's times. */
	uint64_t after = 0, before = 0;
	size_t i = 0, j = 0;
	while (i < ref_rr.n || j < rr.n) {
		const struct row *e = i < ref_rr.n ? &ref_rr.r[i] : NULL;
		const struct row *g = j < rr.n ? &rr.r[j] : NULL;
		int cmp = e == NULL ? 1 : g == NULL ? -1 : key_cmp(e, g);
		if (cmp < 0) {
			violation("(c) a reference key is missing", e, NULL);
			i++;
			continue;
		}
		if (cmp > 0) {
			violation("(c) a key the reference does not have", g, NULL);
			j++;
			continue;
		}
		i++;
		j++;
		if (g->first != e->first || g->last != e->last ||
		    bytes_cmp(g->bw, g->bw_len, e->bw, e->bw_len) != 0)
			violation("(c) times or bailiwick differ from the reference", g, e);
		if (g->count == k * e->count)
			before++;
		else if (g->count == (k + 1) * e->count)
			after++;
		else
			violation("(c) a count between before and after", g, e);
	}

	/* (e): everything acknowledged is there, and at most one batch more. */
	uint64_t keys = ref_rr.n;
	if (have_expect) {
		if (after != expect_after) {
			char msg[160];
			snprintf(msg, sizeof(msg), "(e) %" PRIu64 " keys after the ingest, expected %"
			         PRIu64, after, expect_after);
			violation(msg, NULL, NULL);
		}
	} else {
		uint64_t next = batch && acked + batch < keys ? acked + batch : keys;
		if (after < acked || (after != acked && after != next)) {
			char msg[200];
			snprintf(msg, sizeof(msg), "(e) %" PRIu64 " keys after the ingest, %" PRIu64
			         " acknowledged: expected %" PRIu64 " or %" PRIu64, after, acked, acked, next);
			violation(msg, NULL, NULL);
		}
	}
	if (unchecked != 0)
		fprintf(stderr, "%s: %" PRIu64 " rows indexed by text were not cross-checked\n",
		        PROG, unchecked);
	printf("keys=%" PRIu64 " after=%" PRIu64 " before=%" PRIu64 " acked=%" PRIu64
	       " violations=%u\n", keys, after, before, acked, violations);
	rows_free(&rr);
	rows_free(&rd);
	rows_free(&wr);
	rows_free(&wd);
	rows_free(&ref_rr);
	rows_free(&ref_rd);
	return violations ? 1 : 0;
}
