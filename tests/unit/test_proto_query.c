/*
 * test_proto_query.c - the query value: round trips of random queries,
 * every truncation and every bad field refused, mutations never crash,
 * and the row filter.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_obs.h"
#include "proto/proto_query.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

static unsigned
rnd(unsigned n)
{
	return (unsigned)rand() % n;
}

/* Random labels of lowercase letters into out; with or without the root. */
static uint16_t
rnd_name(uint8_t *out, bool root)
{
	size_t n = 0, max = root ? PROTO_NAME_MAX - 1 : PROTO_NAME_MAX - 2;
	unsigned labels = 1 + rnd(root ? 6 : 4);

	if (root && rnd(20) == 0)
		labels = 0; /* the root itself */
	if (rnd(30) == 0)
		labels = 200; /* as long as it may be */
	for (unsigned l = 0; l < labels; l++) {
		size_t len = 1 + rnd(63);
		if (n + 1 + len > max)
			len = max - n - 1;
		if (len == 0)
			break;
		out[n++] = (uint8_t)len;
		for (size_t i = 0; i < len; i++)
			out[n++] = (uint8_t)("abcdefghijklmnopqrstuvwxyz0123456789-_*"[rnd(39)]);
		if (n + 1 >= max)
			break;
	}
	if (root)
		out[n++] = 0;
	return (uint16_t)n;
}

static void
rnd_query(struct proto_query *q)
{
	static const uint16_t types[] = { 1, 2, 5, 6, 12, 15, 16, 28, 33, 65, 257, 65535 };

	proto_query_init(q);
	q->kind = (uint8_t)(1 + rnd(5));
	switch (q->kind) {
	case PROTO_Q_RRSET:
	case PROTO_Q_RDATA_NAME:
	case PROTO_Q_NXDOMAIN:
		q->match = (uint8_t)rnd(3);
		q->name_len = rnd_name(q->name, q->match != PROTO_M_RIGHT);
		if (q->name_len == 0)
			q->name_len = rnd_name(q->name, true);
		if (q->match == PROTO_M_RIGHT && q->name_len == 0) {
			q->match = PROTO_M_EXACT;
			q->name_len = rnd_name(q->name, true);
		}
		break;
	case PROTO_Q_RDATA_IP: {
		size_t alen = rnd(2) ? 4 : 16;
		q->family = alen == 4 ? 4 : 6;
		for (size_t i = 0; i < alen; i++)
			q->addr_lo[i] = q->addr_hi[i] = (uint8_t)rnd(256);
		q->addr_hi[alen - 1] = 0xff;
		q->addr_lo[alen - 1] = (uint8_t)rnd(256);
		break;
	}
	case PROTO_Q_RDATA_RAW:
		q->raw_len = (uint16_t)rnd(PROTO_QUERY_RAW_MAX + 1);
		for (size_t i = 0; i < q->raw_len; i++)
			q->raw[i] = (uint8_t)rnd(256);
		break;
	}
	q->ntypes = (uint8_t)rnd(PROTO_QUERY_MAX_TYPES + 1);
	for (unsigned i = 0; i < q->ntypes; i++)
		q->types[i] = types[rnd(sizeof(types) / sizeof(types[0]))];
	if (rnd(10) == 0) {
		q->ntypes = 1;
		q->types[0] = PROTO_T_ANY;
	}
	if (rnd(2))
		q->bailiwick_len = rnd_name(q->bailiwick, true);
	q->fences = (uint8_t)rnd(16);
	if (q->fences & PROTO_F_FIRST_AFTER)
		q->first_after = (int64_t)((uint64_t)rand() << 40 ^ (uint64_t)rand());
	if (q->fences & PROTO_F_FIRST_BEFORE)
		q->first_before = -(int64_t)rand();
	if (q->fences & PROTO_F_LAST_AFTER)
		q->last_after = INT64_MIN;
	if (q->fences & PROTO_F_LAST_BEFORE)
		q->last_before = INT64_MAX;
	q->sections = (uint8_t)(rnd(8) << 1);
	q->limit = rnd(2) ? UINT64_MAX : rnd(100000);
	q->offset = (uint64_t)rand() << 33;
}

static bool
same(const struct proto_query *a, const struct proto_query *b)
{
	return a->kind == b->kind && a->match == b->match &&
	       a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0 &&
	       a->family == b->family && memcmp(a->addr_lo, b->addr_lo, 16) == 0 &&
	       memcmp(a->addr_hi, b->addr_hi, 16) == 0 && a->raw_len == b->raw_len &&
	       memcmp(a->raw, b->raw, a->raw_len) == 0 && a->ntypes == b->ntypes &&
	       memcmp(a->types, b->types, a->ntypes * sizeof(a->types[0])) == 0 &&
	       a->bailiwick_len == b->bailiwick_len &&
	       memcmp(a->bailiwick, b->bailiwick, a->bailiwick_len) == 0 &&
	       a->fences == b->fences &&
	       (!(a->fences & 1) || a->first_after == b->first_after) &&
	       (!(a->fences & 2) || a->first_before == b->first_before) &&
	       (!(a->fences & 4) || a->last_after == b->last_after) &&
	       (!(a->fences & 8) || a->last_before == b->last_before) &&
	       a->sections == b->sections && a->limit == b->limit &&
	       a->offset == b->offset;
}

/* Encode q and expect decode to refuse it with want. */
static void
refuses(const struct proto_query *q, int want, const char *what)
{
	uint8_t buf[PROTO_QUERY_WIRE_MAX + 64];
	size_t len;
	struct proto_query d;

	is_int(proto_query_encode(q, buf, sizeof(buf), &len), 0, "%s: encodes", what);
	is_int(proto_query_decode(&d, buf, len), want, "%s: refused", what);
}

static void
test_round_trips(void)
{
	uint8_t buf[PROTO_QUERY_WIRE_MAX];
	size_t len, maxlen = 0;
	int bad_trip = 0, bad_trunc = 0, bad_err = 0;

	for (int i = 0; i < 20000; i++) {
		struct proto_query q, d;
		rnd_query(&q);
		if (proto_query_encode(&q, buf, sizeof(buf), &len) != 0 ||
		    proto_query_decode(&d, buf, len) != 0 || !same(&q, &d)) {
			bad_trip++;
			continue;
		}
		if (len > maxlen)
			maxlen = len;
		/* Every truncation: refused, as truncated. */
		for (size_t cut = 0; cut < len; cut++) {
			int err = proto_query_decode(&d, buf, cut);
			if (err == 0)
				bad_trunc++;
			else if (err != PROTO_ETRUNC)
				bad_err++;
		}
	}
	is_int(bad_trip, 0, "20000 random queries survive encode and decode");
	is_int(bad_trunc, 0, "no truncation of an encoding is accepted");
	is_int(bad_err, 0, "every truncation is PROTO_ETRUNC");
	ok(maxlen <= PROTO_QUERY_WIRE_MAX, "largest encoding seen %zu <= %d", maxlen,
	   PROTO_QUERY_WIRE_MAX);
}

static void
test_largest(void)
{
	struct proto_query q, d;
	uint8_t buf[PROTO_QUERY_WIRE_MAX];
	size_t len;

	proto_query_init(&q);
	q.kind = PROTO_Q_RDATA_RAW;
	q.raw_len = PROTO_QUERY_RAW_MAX;
	memset(q.raw, 0xab, sizeof(q.raw));
	q.ntypes = PROTO_QUERY_MAX_TYPES;
	for (int i = 0; i < PROTO_QUERY_MAX_TYPES; i++)
		q.types[i] = (uint16_t)(i + 1);
	for (size_t i = 0; i < 127; i++) {
		q.bailiwick[2 * i] = 1;
		q.bailiwick[2 * i + 1] = 'a';
	}
	q.bailiwick[254] = 0;
	q.bailiwick_len = 255;
	q.fences = 15;
	is_int(proto_query_encode(&q, buf, sizeof(buf), &len), 0,
	       "a query with every field at its largest fits PROTO_QUERY_WIRE_MAX");
	is_int(proto_query_decode(&d, buf, len), 0, "and decodes");
	ok(same(&q, &d), "to the same query");
	is_int(proto_query_encode(&q, buf, len - 1, &len), PROTO_ESPACE,
	       "one byte less of room is PROTO_ESPACE");
}

static void
test_bad_fields(void)
{
	struct proto_query q, d;
	uint8_t buf[PROTO_QUERY_WIRE_MAX + 1];
	size_t len;

	/* A valid base: www.example.com A. */
	static const uint8_t www[] = "\3www\7example\3com";
	proto_query_init(&q);
	memcpy(q.name, www, sizeof(www));
	q.name_len = sizeof(www);
	q.ntypes = 1;
	q.types[0] = PROTO_T_A;
	is_int(proto_query_encode(&q, buf, sizeof(buf), &len), 0, "base encodes");
	is_int(proto_query_decode(&d, buf, len), 0, "base decodes");

	/* Byte-level: version, kind, match, and a trailing byte. */
	buf[0] = 2;
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "version 2 refused");
	buf[0] = 1;
	buf[1] = 0;
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "kind 0 refused");
	buf[1] = 6;
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "kind 6 refused");
	buf[1] = PROTO_Q_RRSET;
	buf[2] = 3;
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "match 3 refused");
	buf[2] = 0;
	buf[len] = 0;
	is_int(proto_query_decode(&d, buf, len + 1), PROTO_EINVAL, "a trailing byte refused");
	buf[4 + 1] = 'W'; /* the name starts at 4: \3www\7example... */
	buf[4 + 6] = 'X';
	is_int(proto_query_decode(&d, buf, len), 0, "uppercase in a name accepted");
	ok(d.name[1] == 'w' && d.name[6] == 'x', "and lowercased");

	/* Field-level: the struct says something no query means. */
	struct proto_query b = q;
	b.name_len = 0;
	refuses(&b, PROTO_EINVAL, "rrset without a name");
	b = q;
	b.name[0] = 64;
	refuses(&b, PROTO_EINVAL, "label length 64");
	b = q;
	b.name[0] = 0xc0;
	refuses(&b, PROTO_EINVAL, "a compression pointer in a name");
	b = q;
	b.name_len--;
	refuses(&b, PROTO_EINVAL, "exact name without its root label");
	b = q;
	b.name[4] = 0;
	refuses(&b, PROTO_EINVAL, "root label in the middle of a name");
	b = q;
	b.match = PROTO_M_RIGHT;
	refuses(&b, PROTO_EINVAL, "right wildcard with a root label");
	b = q;
	b.match = PROTO_M_RIGHT;
	b.name_len = 0;
	refuses(&b, PROTO_EINVAL, "right wildcard with no labels");
	b = q;
	b.family = 4;
	refuses(&b, PROTO_EINVAL, "an address on an rrset query");
	b = q;
	b.family = 5;
	refuses(&b, PROTO_EINVAL, "family 5");
	b = q;
	b.raw_len = 3;
	refuses(&b, PROTO_EINVAL, "raw bytes on an rrset query");
	b = q;
	b.types[0] = 0;
	refuses(&b, PROTO_EINVAL, "rrtype 0");
	b = q;
	b.ntypes = 2;
	b.types[1] = PROTO_T_ANY;
	refuses(&b, PROTO_EINVAL, "ANY with another type");
	b = q;
	b.bailiwick_len = 3;
	memcpy(b.bailiwick, "\2ab", 3);
	refuses(&b, PROTO_EINVAL, "bailiwick without its root label");
	b = q;
	b.fences = 16;
	refuses(&b, PROTO_EINVAL, "fence bit 4");
	b = q;
	b.sections = 1;
	refuses(&b, PROTO_EINVAL, "section bit 0");
	b = q;
	b.sections = 1 << 4;
	refuses(&b, PROTO_EINVAL, "section bit 4 (nxdomain is a kind, not a section)");

	proto_query_init(&b);
	b.kind = PROTO_Q_RDATA_IP;
	b.family = 4;
	memcpy(b.addr_lo, "\300\0\2\2", 4);
	memcpy(b.addr_hi, "\300\0\2\1", 4);
	refuses(&b, PROTO_EINVAL, "address range that ends before it starts");
	b.family = 0;
	refuses(&b, PROTO_EINVAL, "address query without a family");
	b.family = 6;
	memset(b.addr_hi, 0xff, 16);
	memcpy(b.name, www, sizeof(www));
	b.name_len = sizeof(www);
	refuses(&b, PROTO_EINVAL, "address query with a name");
	b.name_len = 0;
	b.match = PROTO_M_LEFT;
	refuses(&b, PROTO_EINVAL, "address query with a wildcard");

	/* Lengths beyond the struct's arrays are refused by encode itself. */
	b = q;
	b.raw_len = PROTO_QUERY_RAW_MAX + 1;
	is_int(proto_query_encode(&b, buf, sizeof(buf), &len), PROTO_EINVAL,
	       "encode refuses raw_len over the maximum");
	b = q;
	b.ntypes = PROTO_QUERY_MAX_TYPES + 1;
	is_int(proto_query_encode(&b, buf, sizeof(buf), &len), PROTO_EINVAL,
	       "encode refuses more than 8 types");

	/* And decode refuses them in bytes: raw_len 1025, ntypes 9. */
	proto_query_init(&b);
	b.kind = PROTO_Q_RDATA_RAW;
	b.raw_len = 1;
	is_int(proto_query_encode(&b, buf, sizeof(buf), &len), 0, "raw query encodes");
	buf[5] = 0x04; /* raw_len's high byte: u8 version kind match name_len family */
	buf[6] = 0x01;
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "raw_len 1025 refused");
	buf[5] = 0;
	buf[6] = 1;
	buf[8] = 9; /* ntypes, after the one raw octet */
	is_int(proto_query_decode(&d, buf, len), PROTO_EINVAL, "ntypes 9 refused");
}

static void
test_mutations(void)
{
	uint8_t buf[PROTO_QUERY_WIRE_MAX], again[PROTO_QUERY_WIRE_MAX];
	size_t len, len2;
	int accepted = 0, bad = 0;

	for (int i = 0; i < 50000; i++) {
		struct proto_query q, d, e;
		rnd_query(&q);
		if (proto_query_encode(&q, buf, sizeof(buf), &len) != 0)
			continue;
		for (unsigned m = 1 + rnd(4); m > 0; m--)
			buf[rnd((unsigned)len)] = (uint8_t)rnd(256);
		if (proto_query_decode(&d, buf, len) != 0)
			continue;
		accepted++;
		/* Whatever decode accepts must encode and decode to itself. */
		if (proto_query_encode(&d, again, sizeof(again), &len2) != 0 ||
		    proto_query_decode(&e, again, len2) != 0 || !same(&d, &e))
			bad++;
	}
	is_int(bad, 0, "every accepted mutation (%d) is a query that round-trips",
	       accepted);
}

static void
test_match_row(void)
{
	struct proto_query q;

	proto_query_init(&q);
	ok(proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_ANSWER, 10, 20),
	   "defaults: an answer row matches");
	ok(!proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_AUTHORITY, 10, 20),
	   "defaults: an authority row does not");
	ok(!proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_NXDOMAIN, 10, 20),
	   "defaults: an nxdomain row does not");
	q.sections = 0;
	ok(proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_ANSWER, 10, 20),
	   "sections 0 means answer");
	q.sections = PROTO_QS_ALL;
	ok(proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_ADDITIONAL, 10, 20),
	   "all sections: additional matches");
	ok(!proto_query_match_row(&q, PROTO_T_A, 0, 10, 20), "section 0 never matches");

	q.ntypes = 2;
	q.types[0] = PROTO_T_AAAA;
	q.types[1] = PROTO_T_A;
	ok(proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_ANSWER, 10, 20), "A in A,AAAA");
	ok(!proto_query_match_row(&q, PROTO_T_NS, PROTO_SEC_ANSWER, 10, 20),
	   "NS not in A,AAAA");
	q.ntypes = 1;
	q.types[0] = PROTO_T_ANY;
	ok(proto_query_match_row(&q, PROTO_T_NS, PROTO_SEC_ANSWER, 10, 20), "ANY alone: all");
	q.ntypes = 0;

	q.fences = PROTO_F_FIRST_AFTER;
	q.first_after = 10;
	ok(proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 20), "first_after: equal");
	ok(!proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 9, 20), "first_after: before");
	q.fences = PROTO_F_FIRST_BEFORE;
	q.first_before = 10;
	ok(proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 20), "first_before: equal");
	ok(!proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 11, 20), "first_before: after");
	q.fences = PROTO_F_LAST_AFTER;
	q.last_after = 20;
	ok(proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 20), "last_after: equal");
	ok(!proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 19), "last_after: before");
	q.fences = PROTO_F_LAST_BEFORE;
	q.last_before = 20;
	ok(proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 20), "last_before: equal");
	ok(!proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 21), "last_before: after");
	q.first_after = 100; /* set but not fenced: ignored */
	ok(proto_query_match_row(&q, 1, PROTO_SEC_ANSWER, 10, 20),
	   "a value without its fence bit is ignored");

	proto_query_init(&q);
	q.kind = PROTO_Q_NXDOMAIN;
	ok(proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_NXDOMAIN, 1, 2),
	   "nxdomain query: nxdomain row matches");
	ok(!proto_query_match_row(&q, PROTO_T_A, PROTO_SEC_ANSWER, 1, 2),
	   "nxdomain query: answer row does not");
}

int
main(void)
{
	struct proto_query q;

	srand(1);
	proto_query_init(&q);
	ok(q.kind == PROTO_Q_RRSET && q.match == PROTO_M_EXACT &&
	   q.sections == PROTO_QS_ANSWER && q.fences == 0 && q.limit == 0 &&
	   q.offset == 0 && q.ntypes == 0 && q.bailiwick_len == 0,
	   "init: rrset, exact, answer, no fences, no limit");
	test_round_trips();
	test_largest();
	test_bad_fields();
	test_mutations();
	test_match_row();
	return tap_done();
}
