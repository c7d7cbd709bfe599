/*
 * test_proto_peer.c - the peer protocol codec: the document's example bytes,
 * round trips of every message type with random rows, every truncation and
 * trailing bytes refused, msgpack bombs refused without a single
 * allocation (malloc, calloc and realloc are wrapped by the linker and
 * counted), every element replaced by every wrong msgpack type, every value
 * rule, the encoder's refusals and the sequence rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "tap.h"
#include "tests/peer/peer_test.h"

#ifndef PDNS_SOURCE_DIR
#define PDNS_SOURCE_DIR "."
#endif

/* ---- allocation counter (-Wl,--wrap=malloc,...) ---- */

static volatile unsigned long allocs; /* volatile: GCC assumes malloc touches no global */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

void *
__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	allocs++;
	return __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

static struct proto_peer_row rows[PROTO_PEER_ROWS_MAX];
static struct proto_peer_row rows2[PROTO_PEER_ROWS_MAX + 1];
static uint8_t *buf;  /* PROTO_PEER_MSG_MAX + 64 */
static char *text1, *text2;
#define TEXT_CAP (4 * PROTO_PEER_MSG_MAX)

static const char *
text(const struct proto_peer_msg *m, char *store)
{
	struct proto_buf b;

	proto_buf_init(&b, store, TEXT_CAP);
	if (peer_text(m, &b) != 0 || b.err != 0)
		return "(text failed)";
	return store;
}

/* ---- the document ---- */

static char *doc;

static void
load_doc(void)
{
	const char *path = PDNS_SOURCE_DIR "/doc/peer-protocol.md";
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("# cannot read %s\n", path);
		if (f)
			fclose(f);
		return;
	}
	doc = malloc((size_t)n + 1);
	if (doc == NULL || fread(doc, 1, (size_t)n, f) != (size_t)n) {
		free(doc);
		doc = NULL;
	} else {
		doc[n] = '\0';
	}
	fclose(f);
}

/* The bytes of the "```hex NAME" block, or -1. */
static long
doc_block(const char *info, uint8_t *out, size_t cap)
{
	char head[128], *p, *end, *hex;
	long n;

	if (doc == NULL)
		return -1;
	snprintf(head, sizeof(head), "\n```hex %s\n", info);
	if ((p = strstr(doc, head)) == NULL)
		return -1;
	p += strlen(head);
	if ((end = strstr(p, "\n```")) == NULL)
		return -1;
	hex = malloc((size_t)(end - p) + 1);
	if (hex == NULL)
		return -1;
	memcpy(hex, p, (size_t)(end - p));
	hex[end - p] = '\0';
	n = pt_unhex(hex, out, cap);
	free(hex);
	return n;
}

static void
test_doc_examples(void)
{
	uint8_t mine[4096], theirs[4096];
	struct proto_peer_msg m, d;
	size_t len;

	ok(doc != NULL, "doc/peer-protocol.md is readable");
	for (unsigned i = 0; i < PT_EXAMPLES; i++) {
		const char *name = pt_example_names[i];
		long n = doc_block(name, theirs, sizeof(theirs));
		peer_example(i, &m);
		is_int(proto_peer_encode(&m, mine, sizeof(mine), &len), 0,
		       "example %s encodes", name);
		ok(n >= 0 && (size_t)n == len && memcmp(mine, theirs, len) == 0,
		   "example %s: the document's bytes are what the encoder writes", name);
		if (n < 0)
			continue;
		is_int(proto_peer_decode(&d, theirs, (size_t)n, rows, PROTO_PEER_ROWS_MAX), 0,
		       "example %s: the document's bytes decode", name);
		is_str(text(&d, text1), text(&m, text2),
		       "example %s decodes to the documented values", name);
	}

	/* Refused examples: "```hex refused:CODE name", refused for the
	 * reason the document gives (the element and why). */
	static const struct {
		const char *info;
		int err;
		const char *field, *why;
	} bad[] = {
		{ "refused:ETRUNC array32-bomb", PROTO_ETRUNC, "message", "count runs past the end" },
		{ "refused:EFORMAT map32-bomb", PROTO_EFORMAT, "message", "not an array" },
		{ "refused:ETRUNC bin32-origin", PROTO_ETRUNC, "origin", "length runs past the end" },
		{ "refused:EFORMAT version-2", PROTO_EFORMAT, "version",
		  "unknown protocol version (this decoder knows 1)" },
		{ "refused:EINVAL trailing-byte", PROTO_EINVAL, "message", "trailing bytes" },
		{ "refused:EINVAL uppercase-name", PROTO_EINVAL, "rrname",
		  "uppercase letters in a name (names are lowercased)" },
		{ "refused:EINVAL negative-seq", PROTO_EINVAL, "seq", "negative integer" },
		{ "refused:EINVAL group-without-tlp", PROTO_EINVAL, "tlp",
		  "a group without a TLP (nil)" },
		{ "refused:EINVAL tlp-5", PROTO_EINVAL, "tlp", "TLP above 4 (red)" },
		{ "refused:EINVAL replay-req-without-group", PROTO_EINVAL, "message",
		  "wrong number of elements for its type" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long n = doc_block(bad[i].info, theirs, sizeof(theirs));
		ok(n >= 0, "the document has %s", bad[i].info);
		if (n < 0)
			continue;
		is_int(proto_peer_decode(&d, theirs, (size_t)n, rows, PROTO_PEER_ROWS_MAX),
		       bad[i].err, "%s is refused as documented", bad[i].info);
		ok(d.field != NULL && d.why != NULL && strcmp(d.field, bad[i].field) == 0 &&
		   strcmp(d.why, bad[i].why) == 0, "%s: %s: %s", bad[i].info, bad[i].field,
		   bad[i].why);
	}
}

/* ---- round trips ---- */

static size_t
rows_size(const struct proto_peer_msg *m)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->nrows; i++)
		n += proto_peer_row_size(&m->rows[i], m->type == PROTO_PEER_QUERY_RESULT);
	return n + proto_peer_sources_size(m);
}

static void
test_round_trips(void)
{
	size_t acap = 16u << 20;
	struct pt_arena a = { malloc(acap), acap, 0 };
	unsigned bad_enc = 0, bad_trip = 0, bad_iter = 0, bad_trunc = 0,
	         bad_trunc_err = 0, bad_trail = 0, bad_head = 0, truncs = 0;
	size_t len;

	pt_seed(1);
	for (unsigned type = 1; type <= PROTO_PEER_TYPE_MAX; type++) {
		for (unsigned i = 0; i < 300; i++) {
			struct proto_peer_msg m, d;
			a.used = 0;
			peer_random(&m, type, rows2, i % 50 == 0 ? 200 : 12, i % 30 == 29, &a);
			if (proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len) != 0) {
				bad_enc++;
				continue;
			}
			if ((type == PROTO_PEER_OBS_BATCH || type == PROTO_PEER_SNAPSHOT_ROWS ||
			     type == PROTO_PEER_QUERY_RESULT) &&
			    len > PROTO_PEER_HEAD_MAX + rows_size(&m))
				bad_head++;
			text(&m, text1);
			if (proto_peer_decode(&d, buf, len, rows, PROTO_PEER_ROWS_MAX) != 0 ||
			    strcmp(text(&d, text2), text1) != 0) {
				bad_trip++;
				continue;
			}
			if (proto_peer_decode(&d, buf, len, NULL, 0) != 0 || d.rows != NULL ||
			    strcmp(text(&d, text2), text1) != 0)
				bad_iter++;
			/* Every truncation of the first 20 of a type, 64 of others. */
			size_t step = i < 20 && len <= 8192 ? 1 : len / 64 + 1;
			for (size_t cut = 0; cut < len; cut += step) {
				int err = proto_peer_decode(&d, buf, cut, NULL, 0);
				truncs++;
				if (err == 0)
					bad_trunc++;
				else if (err != PROTO_ETRUNC)
					bad_trunc_err++;
			}
			buf[len] = 0xc0;
			if (proto_peer_decode(&d, buf, len + 1, NULL, 0) != PROTO_EINVAL ||
			    strcmp(d.why, "trailing bytes") != 0)
				bad_trail++;
		}
	}
	is_int(bad_enc, 0, "%u random messages of every type encode", 300 * PROTO_PEER_TYPE_MAX);
	is_int(bad_trip, 0, "and decode into a rows array to the same values");
	is_int(bad_iter, 0, "and decode without an array, rows walked, to the same values");
	is_int(bad_trunc, 0, "no truncation of an encoding is accepted (%u tried)", truncs);
	is_int(bad_trunc_err, 0, "every truncation is PROTO_ETRUNC");
	is_int(bad_trail, 0, "a byte after the message is refused as trailing bytes");
	is_int(bad_head, 0, "a message is at most PROTO_PEER_HEAD_MAX plus its rows' sizes");

	/* The largest header: origin of 32, every integer at 9 bytes, a group
	 * of 63, a sensor pseudonym of 16. */
	{
		struct proto_peer_msg m;
		static const uint8_t origin[32], sensor[PROTO_PEER_SENSOR_MAX];
		static char group[PROTO_PEER_GROUP_MAX];
		memset(&m, 0, sizeof(m));
		memset(group, 'g', sizeof(group));
		m.type = PROTO_PEER_OBS_BATCH;
		m.origin = origin;
		m.origin_len = 32;
		m.stream = m.seq = UINT64_MAX;
		m.rows = rows2;
		m.group = group;
		m.group_len = PROTO_PEER_GROUP_MAX;
		m.has_tlp = true;
		m.tlp = PROTO_PEER_TLP_RED;
		m.sensor = sensor;
		m.sensor_len = PROTO_PEER_SENSOR_MAX;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "an empty batch with the largest header encodes");
		ok(len <= PROTO_PEER_HEAD_MAX - 4, "its %zu bytes leave room for a rows array32 header",
		   len);
		is_int(len + 4, 144, "the largest header is 144 bytes, as proto_peer.h says");
	}

	/* A full batch: 10,000 rows, decoded without allocating. */
	{
		struct proto_peer_msg m, d;
		unsigned long before;
		a.used = 0;
		peer_random(&m, PROTO_PEER_OBS_BATCH, rows2, 0, false, &a);
		for (uint32_t i = 0; i < PROTO_PEER_ROWS_MAX; i++)
			pt_rnd_row(&a, &rows2[i], false, false);
		m.nrows = PROTO_PEER_ROWS_MAX;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "a batch of 10000 rows encodes (%zu bytes)", len);
		before = allocs;
		is_int(proto_peer_decode(&d, buf, len, rows, PROTO_PEER_ROWS_MAX), 0,
		       "and decodes into the array");
		is_int(d.nrows, PROTO_PEER_ROWS_MAX, "all 10000 rows");
		is_int(proto_peer_decode(&d, buf, len, NULL, 0), 0, "and decodes without one");
		struct proto_peer_rows it;
		struct proto_peer_row r;
		unsigned n = 0, same = 0;
		proto_peer_rows_init(&it, &d);
		while (proto_peer_rows_next(&it, &r) == 1) {
			same += r.obs.name_len == rows[n].obs.name_len &&
			        r.obs.name == rows[n].obs.name && r.obs.count == rows[n].obs.count;
			n++;
		}
		is_int(n, PROTO_PEER_ROWS_MAX, "the iterator walks 10000 rows");
		is_int(same, PROTO_PEER_ROWS_MAX, "the same rows as the array, in the buffer");
		is_int(allocs - before, 0, "decoding 10000 rows allocated nothing");
		is_int(proto_peer_decode(&d, buf, len, rows, 9999), PROTO_ESPACE,
		       "an array of 9999 is too small: PROTO_ESPACE");
		/* One more row: 10001 is over the limit. */
		pt_rnd_row(&a, &rows2[PROTO_PEER_ROWS_MAX], false, false);
		m.nrows = PROTO_PEER_ROWS_MAX + 1;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), PROTO_EINVAL,
		       "the encoder refuses 10001 rows");
	}
	free(a.p);
}

/* ---- a test-side msgpack writer and element finder ---- */

struct mp {
	uint8_t b[8192];
	size_t n;
};

static void
mp_raw(struct mp *o, const void *p, size_t n)
{
	if (n > sizeof(o->b) - o->n)
		abort();
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
mp_byte(struct mp *o, uint8_t c)
{
	mp_raw(o, &c, 1);
}

static void
mp_be(struct mp *o, uint8_t tag, uint64_t v, unsigned n)
{
	mp_byte(o, tag);
	for (unsigned i = 0; i < n; i++)
		mp_byte(o, (uint8_t)(v >> (8 * (n - 1 - i))));
}

static void
mp_uint(struct mp *o, uint64_t v)
{
	if (v <= 0x7f)
		mp_byte(o, (uint8_t)v);
	else if (v <= 0xff)
		mp_be(o, 0xcc, v, 1);
	else if (v <= 0xffff)
		mp_be(o, 0xcd, v, 2);
	else if (v <= 0xffffffff)
		mp_be(o, 0xce, v, 4);
	else
		mp_be(o, 0xcf, v, 8);
}

static void
mp_bin(struct mp *o, const void *p, size_t n)
{
	if (n <= 0xff)
		mp_be(o, 0xc4, n, 1);
	else
		mp_be(o, 0xc5, n, 2);
	mp_raw(o, p, n);
}

static void
mp_str(struct mp *o, const void *p, size_t n)
{
	if (n <= 31)
		mp_byte(o, (uint8_t)(0xa0 | n));
	else if (n <= 0xff)
		mp_be(o, 0xd9, n, 1);
	else
		mp_be(o, 0xda, n, 2);
	mp_raw(o, p, n);
}

/* End of the element at p[pos] (only what a peer message may hold). */
static size_t
mp_skip(const uint8_t *p, size_t pos)
{
	uint8_t t = p[pos];
	size_t n;

	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
		return pos + 1;
	if (t >= 0xa0 && t <= 0xbf)
		return pos + 1 + (t & 0x1fu);
	if (t >= 0x90 && t <= 0x9f) {
		n = t & 0x0fu;
		pos++;
		goto elements;
	}
	switch (t) {
	case 0xcc: case 0xd0: return pos + 2;
	case 0xcd: case 0xd1: return pos + 3;
	case 0xce: case 0xd2: return pos + 5;
	case 0xcf: case 0xd3: return pos + 9;
	case 0xc4: case 0xd9: return pos + 2 + p[pos + 1];
	case 0xc5: case 0xda: return pos + 3 + ((size_t)p[pos + 1] << 8 | p[pos + 2]);
	case 0xdc:
		n = (size_t)p[pos + 1] << 8 | p[pos + 2];
		pos += 3;
		goto elements;
	}
	abort();
elements:
	while (n-- > 0)
		pos = mp_skip(p, pos);
	return pos;
}

/* Start of top-level element i, or of row 0's field i with row true. */
static size_t
elem_at(const uint8_t *p, size_t len, unsigned i, bool row, size_t *end)
{
	size_t pos = 1; /* every example is a fixarray */
	unsigned k = 0;

	(void)len;
	if (row) {
		/* The rows: element 7 of QUERY_RESULT, else 5 (p[2] is the type). */
		unsigned at = p[2] == PROTO_PEER_QUERY_RESULT ? 7 : 5;
		for (k = 0; k < at; k++)
			pos = mp_skip(p, pos);
		pos += p[pos] >= 0x90 && p[pos] <= 0x9f ? 1 : p[pos] == 0xdc ? 3 : 5;
	}
	for (k = 0; k < i; k++)
		pos = mp_skip(p, pos);
	*end = mp_skip(p, pos);
	return pos;
}

/* Example `ex` with one element replaced by repl; returns the decode error. */
static int
with_elem(unsigned ex, unsigned i, bool row, const struct mp *repl,
          struct proto_peer_msg *d)
{
	struct proto_peer_msg m;
	static uint8_t orig[4096], out[8192];
	size_t len, start, end;

	peer_example(ex, &m);
	if (proto_peer_encode(&m, orig, sizeof(orig), &len) != 0)
		abort();
	start = elem_at(orig, len, i, row, &end);
	memcpy(out, orig, start);
	memcpy(out + start, repl->b, repl->n);
	memcpy(out + start + repl->n, orig + end, len - end);
	return proto_peer_decode(d, out, len - (end - start) + repl->n, rows,
	                         PROTO_PEER_ROWS_MAX);
}

/* ---- every wrong msgpack type in every position ---- */

enum fam { F_INT, F_BOOL, F_BIN, F_STR, F_ARRAY, F_BIN_NIL, F_INT_NIL };

static void
test_wrong_types(void)
{
	/* Candidates: family, bytes. A negative integer is never valid. */
	static const struct {
		int fam;
		uint8_t n, b[10];
	} cand[] = {
		{ -1, 1, { 0xc0 } },                         /* nil */
		{ F_BOOL, 1, { 0xc3 } },                     /* true */
		{ F_STR, 2, { 0xa1, 'a' } },                 /* str */
		{ F_BIN, 3, { 0xc4, 0x01, 0x00 } },          /* bin */
		{ -1, 5, { 0xca, 0, 0, 0, 0 } },             /* float 32 */
		{ -1, 9, { 0xcb, 0, 0, 0, 0, 0, 0, 0, 0 } }, /* float 64 */
		{ -1, 1, { 0x80 } },                         /* fixmap */
		{ -1, 3, { 0xde, 0, 0 } },                   /* map 16 */
		{ F_ARRAY, 2, { 0x91, 0x01 } },              /* array */
		{ -2, 1, { 0xff } },                         /* -1 */
		{ -2, 2, { 0xd0, 0xff } },                   /* int 8, -1 */
		{ -2, 9, { 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0 } }, /* INT64_MIN */
		{ -1, 3, { 0xd4, 0x00, 0x00 } },             /* fixext 1 */
		{ -1, 1, { 0xc1 } },                         /* never used */
	};
	/* By type: each element's family, and the element count. */
	static const int top_fam[PROTO_PEER_TYPE_MAX + 1][9] = {
		[1] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_ARRAY, F_STR, F_INT_NIL, F_BIN },
		[2] = { F_INT, F_INT, F_BIN, F_INT, F_INT },
		[3] = { F_INT, F_INT, F_INT, F_INT, F_INT, F_BIN },
		[4] = { F_INT, F_INT, F_INT, F_INT, F_BOOL, F_INT, F_BOOL, F_ARRAY, F_ARRAY },
		[5] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_STR },
		[6] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_STR },
		[7] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_INT, F_STR, F_INT },
		[8] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_ARRAY },
		[9] = { F_INT, F_INT, F_BIN, F_INT, F_INT, F_INT },
		[10] = { F_INT, F_INT, F_INT, F_INT, F_STR },
		[11] = { F_INT, F_INT, F_INT, F_STR, F_STR },
		[12] = { F_INT, F_INT, F_INT, F_BOOL, F_STR },
	};
	static const uint8_t nfields[PROTO_PEER_TYPE_MAX + 1] = { 0, 9, 5, 6, 8, 6, 6, 8, 6, 6,
	                                                          5, 5, 5 };
	static const int row_fam[9] = { F_BIN, F_INT, F_STR, F_INT, F_INT, F_INT,
	                                F_INT, F_BIN_NIL, F_BIN };
	unsigned tried = 0, accepted = 0, version_not_eformat = 0;
	struct proto_peer_msg d;

	for (unsigned ex = 0; ex < PT_EXAMPLES; ex++) {
		struct proto_peer_msg m;
		peer_example(ex, &m);
		/* The sources, QUERY_RESULT's optional element, when present. */
		unsigned nf = nfields[m.type] + (m.has_sources ? 1 : 0);
		for (unsigned i = 0; i < nf; i++) {
			int fam = top_fam[m.type][i];
			for (size_t c = 0; c < sizeof(cand) / sizeof(cand[0]); c++) {
				struct mp r = { .n = 0 };
				if (cand[c].fam == fam ||
				    (fam == F_INT_NIL && (cand[c].b[0] == 0xc0 || cand[c].fam == F_INT)))
					continue;
				mp_raw(&r, cand[c].b, cand[c].n);
				int err = with_elem(ex, i, false, &r, &d);
				tried++;
				if (err == 0) {
					accepted++;
					printf("# accepted: example %u element %u candidate %zu\n",
					       ex, i, c);
				}
				if (i == 0 && err != PROTO_EFORMAT)
					version_not_eformat++;
			}
		}
	}
	/* Row fields of obs_batch (example 0) and query_result (3). */
	for (unsigned ex = 0; ex < 4; ex += 3) {
		unsigned nf = ex == 3 ? 9 : 8;
		for (unsigned i = 0; i < nf; i++) {
			for (size_t c = 0; c < sizeof(cand) / sizeof(cand[0]); c++) {
				struct mp r = { .n = 0 };
				int fam = row_fam[i];
				if (cand[c].fam == fam ||
				    (fam == F_BIN_NIL && (cand[c].b[0] == 0xc0 || cand[c].fam == F_BIN)))
					continue;
				mp_raw(&r, cand[c].b, cand[c].n);
				tried++;
				if (with_elem(ex, i, true, &r, &d) == 0) {
					accepted++;
					printf("# accepted: example %u row field %u candidate %zu\n",
					       ex, i, c);
				}
			}
		}
	}
	ok(tried > 1200, "%u wrong-type replacements tried", tried);
	is_int(accepted, 0, "every element of a wrong msgpack type is refused");
	is_int(version_not_eformat, 0, "a version that is not an integer is PROTO_EFORMAT");
}

/* ---- value rules, one element at a time ---- */

struct vcase {
	const char *what;
	unsigned ex, elem;
	bool row;
	int want;
};

static void
vcheck(const struct vcase *c, const struct mp *r)
{
	struct proto_peer_msg d;
	int err = with_elem(c->ex, c->elem, c->row, r, &d);

	if (!ok(err == c->want, "%s: %s", c->what, c->want == 0 ? "accepted" : proto_strerror(c->want)))
		printf("#   got %d (%s: %s)\n", err, d.field ? d.field : "-", d.why ? d.why : "-");
}

#define V_UINT(w, ex, el, row, v, want)                                          \
	do {                                                                     \
		struct mp r_ = { .n = 0 };                                       \
		mp_uint(&r_, (v));                                               \
		struct vcase c_ = { (w), (ex), (el), (row), (want) };            \
		vcheck(&c_, &r_);                                                \
	} while (0)
#define V_RAW(w, ex, el, row, bytes, want)                                       \
	do {                                                                     \
		struct mp r_ = { .n = 0 };                                       \
		mp_raw(&r_, (bytes), sizeof(bytes) - 1);                         \
		struct vcase c_ = { (w), (ex), (el), (row), (want) };            \
		vcheck(&c_, &r_);                                                \
	} while (0)
#define V_BIN(w, ex, el, row, bytes, want)                                       \
	do {                                                                     \
		struct mp r_ = { .n = 0 };                                       \
		mp_bin(&r_, (bytes), sizeof(bytes) - 1);                         \
		struct vcase c_ = { (w), (ex), (el), (row), (want) };            \
		vcheck(&c_, &r_);                                                \
	} while (0)
#define V_STR(w, ex, el, row, bytes, want)                                       \
	do {                                                                     \
		struct mp r_ = { .n = 0 };                                       \
		mp_str(&r_, (bytes), sizeof(bytes) - 1);                         \
		struct vcase c_ = { (w), (ex), (el), (row), (want) };            \
		vcheck(&c_, &r_);                                                \
	} while (0)

enum { X_OBS, X_ACK, X_QUERY, X_RESULT, X_RREQ, X_REND, X_SBEGIN, X_SROWS, X_SEND, X_ERROR,
       X_CONTROL, X_CRESULT, X_SBATCH, X_RSOURCES, X_QPROVIDERS };

/* QUERY's providers and prov_flags (5.3.2), and a provider row's count 0. */
static void
test_providers(void)
{
	static const char *const seventeen[17] = {
		"p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p", "p" };
	static const char *const tabbed[] = { "dns\tdb" };
	struct proto_peer_msg m, d;
	struct proto_peer_names it;
	uint8_t out[8192], plain[8192];
	size_t len, plen, nl;
	const char *nm;

	/* Without providers a QUERY is the 6 elements it always was, byte for byte. */
	peer_example(X_QUERY, &m);
	is_int(proto_peer_encode(&m, plain, sizeof(plain), &plen), 0, "a plain QUERY encodes");
	is_int(plain[0], 0x96, "with 6 elements");
	peer_example(X_QPROVIDERS, &m);
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), 0, "a QUERY with providers encodes");
	is_int(out[0], 0x98, "with 8 elements");
	is_int(proto_peer_decode(&d, out, len, NULL, 0), 0, "and decodes");
	ok(d.has_providers && d.nproviders == 2 && d.prov_flags == PROTO_PEER_PROV_NO_CACHE,
	   "two providers, no-cache");
	proto_peer_providers_init(&it, &d);
	ok(proto_peer_providers_next(&it, &nm, &nl) == 1 && nl == 5 && memcmp(nm, "dnsdb", 5) == 0,
	   "the first is dnsdb");
	ok(proto_peer_providers_next(&it, &nm, &nl) == 1 && nl == 5 && memcmp(nm, "circl", 5) == 0,
	   "the second circl");
	is_int(proto_peer_providers_next(&it, &nm, &nl), 0, "and no more");
	/* 7 elements (providers without prov_flags) are refused. */
	out[0] = 0x97;
	is_int(proto_peer_decode(&d, out, len - 1, NULL, 0), PROTO_EINVAL,
	       "providers without prov_flags are refused");
	ok(d.why != NULL && strcmp(d.why, "providers without prov_flags") == 0, "and say so");
	/* The encoder's rules are the decoder's. */
	peer_example(X_QPROVIDERS, &m);
	m.prov_flags = 2;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "an unknown provider flag is refused");
	peer_example(X_QPROVIDERS, &m);
	m.providers = seventeen;
	m.nproviders = 17;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "17 providers are refused");
	m.nproviders = 16;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), 0, "16 are not");
	m.providers = tabbed;
	m.nproviders = 1;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "a name with a tab is refused");
	m.nproviders = 0;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), 0, "no name (all providers) is not");
	is_int(proto_peer_decode(&d, out, len, NULL, 0), 0, "and decodes");
	ok(d.has_providers && d.nproviders == 0, "as providers, none named");

	/* A provider's row without a count (count 0) may be in a QUERY_RESULT,
	 * never in a batch. */
	static struct proto_peer_row r0[1];
	peer_example(X_RESULT, &m);
	r0[0] = m.rows[0];
	r0[0].obs.count = 0;
	m.rows = r0;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), 0,
	       "a QUERY_RESULT row of count 0 encodes");
	is_int(proto_peer_decode(&d, out, len, NULL, 0), 0, "and decodes");
	peer_example(X_OBS, &m);
	r0[0] = m.rows[0];
	r0[0].obs.count = 0;
	m.rows = r0;
	m.nrows = 1;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "a batch row of count 0 does not");
}

/* QUERY_RESULT's sources (the optional ninth element). */
static void
test_sources(void)
{
	static const uint8_t one[] = { 0x94, 0xa1, 'b', 0x03, 0x00, 0xa0 };
	static const uint8_t st5[] = { 0x94, 0xa1, 'b', 0x05, 0x00, 0xa0 };
	static const uint8_t three[] = { 0x93, 0xa1, 'b', 0x03, 0x00 };
	static const uint8_t noname[] = { 0x94, 0xa0, 0x03, 0x00, 0xa0 };
	static const uint8_t binname[] = { 0x94, 0xc4, 0x01, 'b', 0x03, 0x00, 0xa0 };
	static const uint8_t ctl[] = { 0x94, 0xa1, 'b', 0x03, 0x00, 0xa1, 0x0a };
	struct mp r = { .n = 0 };
	struct proto_peer_msg m, d;
	struct proto_peer_sources it;
	struct proto_peer_source src;
	uint8_t out[8192], *p;
	size_t len;

#define SRC_CASE(what, bytes, want)                                                  \
	do {                                                                         \
		r.n = 0;                                                             \
		mp_raw(&r, (bytes), sizeof(bytes));                                  \
		is_int(with_elem(X_RSOURCES, 8, false, &r, &d), (want), "sources: %s", (what)); \
	} while (0)
	SRC_CASE("one timed-out source", one, 0);
	SRC_CASE("status 5", st5, PROTO_EINVAL);
	SRC_CASE("3 elements", three, PROTO_EINVAL);
	SRC_CASE("an empty name", noname, PROTO_EINVAL);
	SRC_CASE("a name as bin", binname, PROTO_EINVAL);
	SRC_CASE("a newline in the reason", ctl, PROTO_EINVAL);
#undef SRC_CASE

	/* 65 sources: one over the limit, both ways. */
	static struct proto_peer_source many[PROTO_PEER_SOURCES_MAX + 1];
	for (unsigned i = 0; i <= PROTO_PEER_SOURCES_MAX; i++)
		many[i] = (struct proto_peer_source){ "peer", 4, PROTO_PEER_SRC_ANSWERED, i, "", 0 };
	peer_example(X_RSOURCES, &m);
	m.sources = many;
	m.nsources = PROTO_PEER_SOURCES_MAX;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), 0, "64 sources encode");
	ok(len <= PROTO_PEER_HEAD_MAX + proto_peer_sources_size(&m),
	   "proto_peer_sources_size bounds them");
	is_int(proto_peer_decode(&d, out, len, NULL, 0), 0, "and decode");
	unsigned n = 0, same = 0;
	proto_peer_sources_init(&it, &d);
	while (proto_peer_sources_next(&it, &src) == 1) {
		same += src.rows == n && src.name_len == 4 && memcmp(src.name, "peer", 4) == 0;
		n++;
	}
	ok(n == 64 && same == 64, "the iterator walks the 64 sources (%u, %u same)", n, same);
	m.nsources = PROTO_PEER_SOURCES_MAX + 1;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "the encoder refuses 65 sources");
	/* Patch the 64's array 16 count to 65 * 4 (the bytes then run short). */
	m.nsources = PROTO_PEER_SOURCES_MAX;
	proto_peer_encode(&m, out, sizeof(out), &len);
	p = memchr(out + 8, 0xdc, len - 8);
	ok(p != NULL && p[1] == 0x01 && p[2] == 0x00, "64 sources are an array 16 of 256");
	if (p != NULL) {
		p[1] = 0x01;
		p[2] = 0x04;
		is_int(proto_peer_decode(&d, out, len, NULL, 0), PROTO_EINVAL,
		       "65 sources are refused");
		ok(d.why != NULL && strcmp(d.why, "more than 64 sources") == 0, "as more than 64");
	}

	/* Not on a part that is not final, in either direction. */
	peer_example(X_RSOURCES, &m);
	m.final = false;
	m.status = 0;
	is_int(proto_peer_encode(&m, out, sizeof(out), &len), PROTO_EINVAL,
	       "the encoder refuses sources on a part that is not final");
	peer_example(X_RSOURCES, &m);
	proto_peer_encode(&m, out, sizeof(out), &len);
	p = memchr(out, 0xc3, len); /* final = true: the first c3 */
	ok(p != NULL, "the example has final = true");
	if (p != NULL) {
		*p = 0xc2;
		p[1] = 0x00; /* status 1 -> 0 */
		is_int(proto_peer_decode(&d, out, len, NULL, 0), PROTO_EINVAL,
		       "the decoder refuses sources on a part that is not final");
		ok(d.why != NULL && strcmp(d.why, "sources on a part that is not final") == 0,
		   "and says so");
	}

	/* Old arity: without sources the message is the 8 elements of before;
	 * a tenth element is refused. */
	peer_example(X_RESULT, &m);
	proto_peer_encode(&m, out, sizeof(out), &len);
	is_int(out[0], 0x98, "a QUERY_RESULT without sources has 8 elements");
	is_int(proto_peer_decode(&d, out, len, NULL, 0), 0, "and decodes");
	ok(!d.has_sources && d.nsources == 0, "with no sources");
	peer_example(X_RSOURCES, &m);
	proto_peer_encode(&m, out, sizeof(out), &len);
	is_int(out[0], 0x99, "with sources it has 9");
	out[0] = 0x9a;
	out[len] = 0x90;
	is_int(proto_peer_decode(&d, out, len + 1, NULL, 0), PROTO_EINVAL,
	       "a tenth element is refused");
}

static void
test_values(void)
{
	/* Rows: example obs_batch row 0 is www.example.com A 192.0.2.1. */
	V_BIN("rrname in uppercase", X_OBS, 0, true, "\003WWW\007example\003com\0", PROTO_EINVAL);
	V_BIN("rrname without the root label", X_OBS, 0, true, "\003www", PROTO_EINVAL);
	V_BIN("rrname with a compression pointer", X_OBS, 0, true, "\003www\300\014", PROTO_EPTR);
	V_BIN("rrname with a 0x40 label", X_OBS, 0, true, "\100www\0", PROTO_ELABEL);
	V_BIN("rrname with a 0x80 label", X_OBS, 0, true, "\200www\0", PROTO_ELABEL);
	V_BIN("rrname with bytes after the root", X_OBS, 0, true, "\003www\007example\003com\0\0", PROTO_EINVAL);
	V_BIN("rrname empty", X_OBS, 0, true, "", PROTO_EINVAL);
	{
		/* Four labels of 63: 257 octets, longer than any name. */
		uint8_t name[300];
		size_t n = 0;
		struct mp r = { .n = 0 };
		for (int l = 0; l < 4; l++) {
			name[n++] = 63;
			memset(name + n, 'a', 63);
			n += 63;
		}
		name[n++] = 0;
		mp_bin(&r, name, n);
		struct vcase c1 = { "rrname of 257 octets", X_OBS, 0, true, PROTO_EINVAL };
		vcheck(&c1, &r);
		/* 255 octets of labels that need a 256th for the root. */
		r.n = 0;
		name[192] = 62;
		mp_bin(&r, name, 255);
		struct vcase c2 = { "rrname whose labels pass 255 octets", X_OBS, 0, true,
		                    PROTO_ENAMELEN };
		vcheck(&c2, &r);
		/* Exactly 255 octets, ending in example.com (the bailiwick). */
		n = 0;
		for (int l = 0; l < 3; l++) {
			name[n++] = 63;
			memset(name + n, 'a', 63);
			n += 63;
		}
		name[n++] = 49;
		memset(name + n, 'b', 49);
		n += 49;
		memcpy(name + n, pt_example, sizeof(pt_example));
		n += sizeof(pt_example);
		r.n = 0;
		mp_bin(&r, name, n);
		struct vcase c3 = { "rrname of exactly 255 octets", X_OBS, 0, true, 0 };
		ok(n == 255, "that name is 255 octets");
		vcheck(&c3, &r);
	}
	V_UINT("rrtype 0", X_OBS, 1, true, 0, PROTO_EINVAL);
	V_UINT("rrtype 65536", X_OBS, 1, true, 65536, PROTO_EINVAL);
	V_UINT("rrtype 65535", X_OBS, 1, true, 65535, 0);
	V_RAW("rrtype 1 as uint 64", X_OBS, 1, true, "\xcf\0\0\0\0\0\0\0\x01", 0);
	V_RAW("rrtype 1 as int 8", X_OBS, 1, true, "\xd0\x01", 0);
	V_RAW("rrtype 1 as int 64", X_OBS, 1, true, "\xd3\0\0\0\0\0\0\0\x01", 0);
	V_STR("rdata empty in an answer row", X_OBS, 2, true, "", PROTO_EINVAL);
	V_STR("rdata with a NUL", X_OBS, 2, true, "192.0\0.2.1", PROTO_EINVAL);
	V_STR("rdata with DEL", X_OBS, 2, true, "192.0.2.1\177", PROTO_EINVAL);
	V_STR("rdata with a newline", X_OBS, 2, true, "a\nb", PROTO_EINVAL);
	V_STR("rdata in UTF-8", X_OBS, 2, true, "caf\303\251", PROTO_EINVAL);
	V_RAW("rdata as str 8 (not the smallest form)", X_OBS, 2, true, "\xd9\x01\x41", 0);
	V_RAW("rdata as str 32 claiming 4 GiB", X_OBS, 2, true, "\xdb\xff\xff\xff\xff", PROTO_ETRUNC);
	V_UINT("section 0", X_OBS, 3, true, 0, PROTO_EINVAL);
	V_UINT("section 5", X_OBS, 3, true, 5, PROTO_EINVAL);
	V_UINT("section 3", X_OBS, 3, true, 3, 0);
	V_UINT("section 4 with rdata", X_OBS, 3, true, 4, PROTO_EINVAL);
	V_UINT("time_first after time_last", X_OBS, 4, true, 1700000043, PROTO_EINVAL);
	V_UINT("time_first 0", X_OBS, 4, true, 0, 0);
	V_RAW("time_first negative", X_OBS, 4, true, "\xd3\xff\xff\xff\xff\xff\xff\xff\xff", PROTO_EINVAL);
	V_UINT("time_last 2^63", X_OBS, 5, true, UINT64_C(1) << 63, PROTO_EINVAL);
	V_UINT("time_last 2^63-1", X_OBS, 5, true, INT64_MAX, 0);
	V_UINT("count 0", X_OBS, 6, true, 0, PROTO_EINVAL);
	V_UINT("count 2^64-1", X_OBS, 6, true, UINT64_MAX, 0);
	V_BIN("bailiwick not above the name", X_OBS, 7, true, "\003org\0", PROTO_EINVAL);
	V_BIN("bailiwick a label-unaligned suffix", X_OBS, 7, true, "\002om\0", PROTO_EINVAL);
	V_BIN("bailiwick the root", X_OBS, 7, true, "\0", 0);
	V_BIN("bailiwick the name itself", X_OBS, 7, true, "\003www\007example\003com\0", 0);
	V_BIN("bailiwick in uppercase", X_OBS, 7, true, "\007EXAMPLE\003com\0", PROTO_EINVAL);
	V_RAW("bailiwick nil", X_OBS, 7, true, "\xc0", 0);
	V_BIN("origin of a result row empty", X_RESULT, 8, true, "", PROTO_EINVAL);
	V_BIN("origin of a result row of 33 octets", X_RESULT, 8, true,
	      "123456789012345678901234567890123", PROTO_EINVAL);

	/* Top-level values. */
	V_UINT("version 2", X_OBS, 0, false, 2, PROTO_EFORMAT);
	V_UINT("version 0", X_OBS, 0, false, 0, PROTO_EFORMAT);
	V_UINT("type 0", X_OBS, 1, false, 0, PROTO_EINVAL);
	V_UINT("type 13", X_OBS, 1, false, 13, PROTO_EINVAL);
	V_UINT("type CONTROL with OBS_BATCH's elements", X_OBS, 1, false, 11, PROTO_EINVAL);
	V_UINT("type ACK with OBS_BATCH's elements", X_OBS, 1, false, 2, PROTO_EINVAL);
	V_BIN("origin empty", X_OBS, 2, false, "", PROTO_EINVAL);
	V_BIN("origin of 33 octets", X_OBS, 2, false, "123456789012345678901234567890123", PROTO_EINVAL);
	V_BIN("origin of 32 octets", X_OBS, 2, false, "12345678901234567890123456789012", 0);
	V_UINT("batch stream 0", X_OBS, 3, false, 0, PROTO_EINVAL);
	V_UINT("batch seq 0", X_OBS, 4, false, 0, PROTO_EINVAL);
	V_UINT("batch seq 2^64-1", X_OBS, 4, false, UINT64_MAX, 0);
	/* A node's batch: group first-amber, tlp 2, an 8-octet pseudonym. */
	V_STR("batch group with '.', '_', '-' and capitals", X_OBS, 6, false, "First.amber_2-x", 0);
	V_STR("batch group starting with a digit", X_OBS, 6, false, "1st", 0);
	V_STR("batch group starting with '-'", X_OBS, 6, false, "-amber", PROTO_EINVAL);
	V_STR("batch group starting with '.'", X_OBS, 6, false, ".amber", PROTO_EINVAL);
	V_STR("batch group starting with '_'", X_OBS, 6, false, "_amber", PROTO_EINVAL);
	V_STR("batch group with a blank", X_OBS, 6, false, "first amber", PROTO_EINVAL);
	V_STR("batch group with a '/'", X_OBS, 6, false, "first/amber", PROTO_EINVAL);
	V_STR("batch group with a NUL", X_OBS, 6, false, "first\0amber", PROTO_EINVAL);
	V_STR("batch group in UTF-8", X_OBS, 6, false, "gr\303\274n", PROTO_EINVAL);
	V_STR("batch group empty with a tlp", X_OBS, 6, false, "", PROTO_EINVAL);
	V_STR("batch group of 63", X_OBS, 6, false,
	      "g12345678901234567890123456789012345678901234567890123456789012", 0);
	V_STR("batch group of 64", X_OBS, 6, false,
	      "g123456789012345678901234567890123456789012345678901234567890123", PROTO_EINVAL);
	V_RAW("batch group as str 8 (not the smallest form)", X_OBS, 6, false, "\xd9\x01g", 0);
	V_RAW("batch group as str 32 claiming 4 GiB", X_OBS, 6, false, "\xdb\xff\xff\xff\xff",
	      PROTO_ETRUNC);
	V_UINT("batch tlp 0 (clear)", X_OBS, 7, false, 0, 0);
	V_UINT("batch tlp 4 (red)", X_OBS, 7, false, 4, 0);
	V_UINT("batch tlp 5", X_OBS, 7, false, 5, PROTO_EINVAL);
	V_UINT("batch tlp 255", X_OBS, 7, false, 255, PROTO_EINVAL);
	V_UINT("batch tlp 256", X_OBS, 7, false, 256, PROTO_EINVAL);
	V_RAW("batch tlp 2 as int 64", X_OBS, 7, false, "\xd3\0\0\0\0\0\0\0\x02", 0);
	V_RAW("batch tlp nil with a group", X_OBS, 7, false, "\xc0", PROTO_EINVAL);
	V_BIN("batch sensor empty", X_OBS, 8, false, "", 0);
	V_BIN("batch sensor of 16", X_OBS, 8, false, "0123456789abcdef", 0);
	V_BIN("batch sensor of 17", X_OBS, 8, false, "0123456789abcdefg", PROTO_EINVAL);
	V_RAW("batch sensor as bin 32 claiming 4 GiB", X_OBS, 8, false, "\xc6\xff\xff\xff\xff",
	      PROTO_ETRUNC);
	/* A sensor's batch: no group, tlp nil, no pseudonym. */
	V_STR("sensor batch with a group but tlp nil", X_SBATCH, 6, false, "first-amber",
	      PROTO_EINVAL);
	V_UINT("sensor batch with a tlp but no group", X_SBATCH, 7, false, 2, PROTO_EINVAL);
	V_BIN("sensor batch with a pseudonym (not the decoder's to refuse)", X_SBATCH, 8, false,
	      "\x9f\x98\x69\xe2\xe9\x0b\x78\x04", 0);
	V_RAW("sensor batch with an empty group as str 8", X_SBATCH, 6, false, "\xd9\x00", 0);
	V_STR("replay request group empty", X_RREQ, 5, false, "", PROTO_EINVAL);
	V_STR("replay request group with a blank", X_RREQ, 5, false, "a b", PROTO_EINVAL);
	V_STR("replay request group of one letter", X_RREQ, 5, false, "a", 0);
	V_STR("replay request group of 64", X_RREQ, 5, false,
	      "g123456789012345678901234567890123456789012345678901234567890123", PROTO_EINVAL);
	V_STR("replay end group empty", X_REND, 5, false, "", PROTO_EINVAL);
	V_STR("replay end group starting with '-'", X_REND, 5, false, "-x", PROTO_EINVAL);
	V_STR("snapshot group empty", X_SBEGIN, 6, false, "", PROTO_EINVAL);
	V_STR("snapshot group with a '+'", X_SBEGIN, 6, false, "amber+strict", PROTO_EINVAL);
	V_RAW("snapshot tlp nil", X_SBEGIN, 7, false, "\xc0", PROTO_EINVAL);
	V_UINT("snapshot tlp 5", X_SBEGIN, 7, false, 5, PROTO_EINVAL);
	V_UINT("snapshot tlp 4", X_SBEGIN, 7, false, 4, 0);
	V_UINT("control request id 0", X_CONTROL, 2, false, 0, PROTO_EINVAL);
	V_UINT("control request id 2^64-1", X_CONTROL, 2, false, UINT64_MAX, 0);
	V_STR("control command empty", X_CONTROL, 3, false, "", PROTO_EINVAL);
	V_STR("control command in capitals", X_CONTROL, 3, false, "Peers", PROTO_EINVAL);
	V_STR("control command with '_'", X_CONTROL, 3, false, "peer_list", PROTO_EINVAL);
	V_STR("control command with a blank", X_CONTROL, 3, false, "peer list", PROTO_EINVAL);
	V_STR("control command with '-' and digits", X_CONTROL, 3, false, "-reload-2", 0);
	V_STR("control command of 32", X_CONTROL, 3, false, "abcdefghijklmnopqrstuvwxyz-01234", 0);
	V_STR("control command of 33", X_CONTROL, 3, false, "abcdefghijklmnopqrstuvwxyz-012345",
	      PROTO_EINVAL);
	V_STR("control argument empty", X_CONTROL, 4, false, "", 0);
	V_STR("control argument with blanks and symbols", X_CONTROL, 4, false, "a b ~!\"#", 0);
	V_STR("control argument with a newline", X_CONTROL, 4, false, "a\nb", PROTO_EINVAL);
	V_STR("control argument with a tab", X_CONTROL, 4, false, "a\tb", PROTO_EINVAL);
	V_STR("control argument with DEL", X_CONTROL, 4, false, "a\177", PROTO_EINVAL);
	V_UINT("control result request id 0", X_CRESULT, 2, false, 0, PROTO_EINVAL);
	V_RAW("control result not ok", X_CRESULT, 3, false, "\xc2", 0);
	V_STR("control result report empty", X_CRESULT, 4, false, "", 0);
	V_STR("control result report with CR", X_CRESULT, 4, false, "a\r\nb", PROTO_EINVAL);
	V_STR("control result report with ESC", X_CRESULT, 4, false, "\033[1m", PROTO_EINVAL);
	V_STR("control result report with DEL", X_CRESULT, 4, false, "a\177", PROTO_EINVAL);
	V_STR("control result report with a NUL", X_CRESULT, 4, false, "a\0b", PROTO_EINVAL);
	V_STR("control result report in UTF-8", X_CRESULT, 4, false, "caf\303\251", PROTO_EINVAL);
	V_RAW("control result report as str 32 claiming 4 GiB", X_CRESULT, 4, false,
	      "\xdb\xff\xff\xff\xff", PROTO_ETRUNC);
	V_UINT("ACK seq 0 (nothing applied yet)", X_ACK, 4, false, 0, 0);
	V_UINT("ACK stream 0", X_ACK, 3, false, 0, PROTO_EINVAL);
	V_UINT("query id 0", X_QUERY, 2, false, 0, PROTO_EINVAL);
	V_UINT("hop limit 9", X_QUERY, 3, false, 9, PROTO_EINVAL);
	V_UINT("hop limit 8", X_QUERY, 3, false, 8, 0);
	V_UINT("hop limit 256", X_QUERY, 3, false, 256, PROTO_EINVAL);
	V_UINT("deadline 0", X_QUERY, 4, false, 0, PROTO_EINVAL);
	V_UINT("deadline 600001 ms", X_QUERY, 4, false, 600001, PROTO_EINVAL);
	V_UINT("deadline 600000 ms", X_QUERY, 4, false, 600000, 0);
	V_BIN("query bytes that are no query", X_QUERY, 5, false, "\001\001", PROTO_EINVAL);
	V_BIN("query bytes empty", X_QUERY, 5, false, "", PROTO_EINVAL);
	{
		static uint8_t big[PROTO_QUERY_WIRE_MAX + 1];
		struct mp r = { .n = 0 };
		mp_bin(&r, big, sizeof(big));
		struct vcase c = { "query bytes over 2048", X_QUERY, 5, false, PROTO_EINVAL };
		vcheck(&c, &r);
	}
	V_UINT("result status 6", X_RESULT, 5, false, 6, PROTO_EINVAL);
	V_UINT("result status 5", X_RESULT, 5, false, 5, 0);
	V_RAW("result part not final", X_RESULT, 4, false, "\xc2", 0);
	V_UINT("result part 2^32", X_RESULT, 3, false, UINT64_C(1) << 32, PROTO_EINVAL);
	V_UINT("replay from 0", X_RREQ, 4, false, 0, PROTO_EINVAL);
	V_UINT("replay of stream 0 (no state)", X_RREQ, 3, false, 0, 0);
	V_UINT("replay end stream 0", X_REND, 3, false, 0, PROTO_EINVAL);
	V_UINT("snapshot id 0", X_SBEGIN, 3, false, 0, PROTO_EINVAL);
	V_UINT("snapshot stream 0", X_SBEGIN, 4, false, 0, PROTO_EINVAL);
	V_UINT("snapshot seq 0", X_SBEGIN, 5, false, 0, 0);
	V_UINT("snapshot rows id 0", X_SROWS, 3, false, 0, PROTO_EINVAL);
	V_UINT("snapshot end: 10001 rows in 1 part", X_SEND, 5, false, 10001, PROTO_EINVAL);
	V_UINT("snapshot end: 10000 rows in 1 part", X_SEND, 5, false, 10000, 0);
	V_UINT("snapshot end: 0 parts, 1 row", X_SEND, 4, false, 0, PROTO_EINVAL);
	V_UINT("error code 0", X_ERROR, 2, false, 0, PROTO_EINVAL);
	V_UINT("error code 65535", X_ERROR, 2, false, 65535, 0);
	V_STR("error text with a newline", X_ERROR, 4, false, "bad\nline", PROTO_EINVAL);
	V_STR("error text with ESC", X_ERROR, 4, false, "\033[31mred", PROTO_EINVAL);
	V_STR("error text empty", X_ERROR, 4, false, "", 0);
	{
		static char t[PROTO_PEER_TEXT_MAX + 1];
		memset(t, 'x', sizeof(t));
		struct mp r = { .n = 0 };
		mp_str(&r, t, PROTO_PEER_TEXT_MAX);
		struct vcase c = { "error text of 1024", X_ERROR, 4, false, 0 };
		vcheck(&c, &r);
		r.n = 0;
		mp_str(&r, t, PROTO_PEER_TEXT_MAX + 1);
		struct vcase c2 = { "error text of 1025", X_ERROR, 4, false, PROTO_EINVAL };
		vcheck(&c2, &r);
		r.n = 0;
		mp_str(&r, t, PROTO_PEER_TEXT_MAX);
		struct vcase c3 = { "control argument of 1024", X_CONTROL, 4, false, 0 };
		vcheck(&c3, &r);
		r.n = 0;
		mp_str(&r, t, PROTO_PEER_TEXT_MAX + 1);
		struct vcase c4 = { "control argument of 1025", X_CONTROL, 4, false, PROTO_EINVAL };
		vcheck(&c4, &r);
	}
	/* Reports of 1 MiB and 1 MiB + 1: larger than struct mp, so by hand. */
	{
		struct proto_peer_msg m, d;
		size_t len;
		char *rep = malloc(PROTO_PEER_REPORT_MAX + 1);
		if (rep == NULL)
			abort();
		memset(rep, 'r', PROTO_PEER_REPORT_MAX + 1);
		rep[0] = '\t';
		rep[PROTO_PEER_REPORT_MAX - 1] = '\n';
		peer_example(X_CRESULT, &m);
		m.report = rep;
		m.report_len = PROTO_PEER_REPORT_MAX;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "a report of 1 MiB encodes");
		is_int(proto_peer_decode(&d, buf, len, NULL, 0), 0, "and decodes");
		ok(d.report_len == PROTO_PEER_REPORT_MAX && d.report == (const char *)buf + 12 &&
		   d.ok && d.request_id == PT_REQ, "to the same values, the report in the buffer");
		m.report_len = PROTO_PEER_REPORT_MAX + 1;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), PROTO_EINVAL,
		       "the encoder refuses a report of 1 MiB + 1");
		/* 95 01 0c cd 30 39 c3 db 00 10 00 01 + the octets. */
		static const uint8_t head[] = { 0x95, 0x01, 0x0c, 0xcd, 0x30, 0x39, 0xc3,
		                                0xdb, 0x00, 0x10, 0x00, 0x01 };
		memcpy(buf, head, sizeof(head));
		memcpy(buf + sizeof(head), rep, PROTO_PEER_REPORT_MAX + 1);
		is_int(proto_peer_decode(&d, buf, sizeof(head) + PROTO_PEER_REPORT_MAX + 1, NULL, 0),
		       PROTO_EINVAL, "the decoder refuses a report of 1 MiB + 1");
		is_str(d.field, "report", "naming the report");
		free(rep);
	}

	/* NXDOMAIN rows: example obs_batch row 2 is nx.example.com. */
	{
		struct proto_peer_msg m, d;
		struct proto_peer_row rr[3];
		size_t len;
		peer_example(X_OBS, &m);
		memcpy(rr, m.rows, sizeof(rr));
		m.rows = rr;
		m.nrows = 3;
		rr[2].obs.rdata = "x";
		rr[2].obs.rdata_len = 1;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), PROTO_EINVAL,
		       "the encoder refuses an nxdomain row with rdata");
		rr[2].obs.rdata_len = 0;
		rr[2].obs.bailiwick = pt_com;
		rr[2].obs.bailiwick_len = sizeof(pt_com);
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), PROTO_EINVAL,
		       "the encoder refuses an nxdomain row with a bailiwick");
		/* Swap the nxdomain row's nil for a bailiwick on the wire. */
		rr[2].obs.bailiwick = NULL;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "the example batch encodes");
		size_t at, end;
		at = elem_at(buf, len, 2 * PROTO_PEER_ROW_FIELDS + 7, true, &end);
		ok(end == at + 1 && buf[at] == 0xc0, "row 2's bailiwick is nil");
		memmove(buf + at + 7, buf + at + 1, len - at - 1);
		memcpy(buf + at, "\xc4\x05\003com\0", 7);
		is_int(proto_peer_decode(&d, buf, len + 6, rows, PROTO_PEER_ROWS_MAX),
		       PROTO_EINVAL, "the decoder refuses an nxdomain row with a bailiwick");
		is_str(d.why, "nxdomain row with a bailiwick", "for that reason");
	}
}

/* ---- structure: counts, versions, bombs ---- */

static void
refuse(const char *what, const void *p, size_t n, int want)
{
	struct proto_peer_msg d;
	unsigned long before = allocs;
	int err = proto_peer_decode(&d, p, n, rows, PROTO_PEER_ROWS_MAX);

	if (!ok(err == want && allocs == before, "%s: %s", what, proto_strerror(want)))
		printf("#   got %d (%s: %s), %lu allocations\n", err, d.field ? d.field : "-",
		       d.why ? d.why : "-", allocs - before);
}

#define REFUSE(what, lit, want) refuse((what), (lit), sizeof(lit) - 1, (want))

static void
test_structure(void)
{
	struct proto_peer_msg d;
	uint8_t ex[4096];
	size_t len;
	unsigned long before;

	/* The counter sees this file's and the library's allocations. */
	{
		void *volatile p;
		before = allocs;
		p = malloc(16);
		free(p);
		is_int(allocs - before, 1, "the allocation counter counts a malloc");
	}
	REFUSE("empty input", "", PROTO_ETRUNC);
	REFUSE("array 32 of 2^28 elements (dd 10 00 00 00)", "\xdd\x10\x00\x00\x00", PROTO_ETRUNC);
	REFUSE("map 32 (df 01 00 00 00)", "\xdf\x01\x00\x00\x00", PROTO_EFORMAT);
	REFUSE("array 16 of 65535 elements", "\xdc\xff\xff", PROTO_ETRUNC);
	REFUSE("array 32 of 2^32-1 elements", "\xdd\xff\xff\xff\xff\x01\x01", PROTO_ETRUNC);
	REFUSE("nil", "\xc0", PROTO_EFORMAT);
	REFUSE("a bare integer", "\x01", PROTO_EFORMAT);
	REFUSE("empty array", "\x90", PROTO_EFORMAT);
	REFUSE("version only", "\x91\x01", PROTO_EINVAL);
	REFUSE("version 2 only", "\x91\x02", PROTO_EFORMAT);
	REFUSE("version 2 with more", "\x93\x02\x01\xc0", PROTO_EFORMAT);
	REFUSE("version as str", "\x92\xa1\x31\x01", PROTO_EFORMAT);
	REFUSE("version -1", "\x92\xff\x01", PROTO_EFORMAT);
	REFUSE("version uint 64 2^64-1", "\x92\xcf\xff\xff\xff\xff\xff\xff\xff\xff\x01", PROTO_EFORMAT);
	REFUSE("OBS_BATCH with origin bin 32 claiming 4 GiB",
	       "\x99\x01\x01\xc6\xff\xff\xff\xff\x01\x01", PROTO_ETRUNC);
	REFUSE("OBS_BATCH of 9 elements in 7 octets", "\x99\x01\x01\xc6\xff\xff\xff\xff",
	       PROTO_ETRUNC);
	REFUSE("OBS_BATCH with rows array 32 of 2^28 elements",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\xdd\x10\x00\x00\x00", PROTO_ETRUNC);
	REFUSE("OBS_BATCH with rows array 32 of 2^32-8 elements and bytes",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\xdd\xff\xff\xff\xf8\x00\x00\x00\x00", PROTO_ETRUNC);
	REFUSE("OBS_BATCH with rows of 7 elements",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x97\xc4\x01\x00\x01\xa1\x41\x01\x00\x00"
	       "\xa0\xc0\xc4\x00", PROTO_EINVAL);
	REFUSE("OBS_BATCH with 6 elements (before version 1 had groups)",
	       "\x96\x01\x01\xc4\x01\x41\x01\x01\x90", PROTO_EINVAL);
	REFUSE("OBS_BATCH with 8 elements", "\x98\x01\x01\xc4\x01\x41\x01\x01\x90\xa0\xc0",
	       PROTO_EINVAL);
	REFUSE("OBS_BATCH with 10 elements",
	       "\x9a\x01\x01\xc4\x01\x41\x01\x01\x90\xa0\xc0\xc4\x00\xc0", PROTO_EINVAL);
	REFUSE("OBS_BATCH cut after its rows", "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xa0\xc0",
	       PROTO_ETRUNC);
	REFUSE("OBS_BATCH with a group and tlp nil",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xa1g\xc0\xc4\x00", PROTO_EINVAL);
	REFUSE("OBS_BATCH with tlp 1 and no group",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xa0\x01\xc4\x00", PROTO_EINVAL);
	REFUSE("OBS_BATCH with tlp as a bool",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xa1g\xc3\xc4\x00", PROTO_EINVAL);
	REFUSE("OBS_BATCH with the sensor as nil",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xa0\xc0\xc0", PROTO_EINVAL);
	REFUSE("OBS_BATCH with the group as nil",
	       "\x99\x01\x01\xc4\x01\x41\x01\x01\x90\xc0\xc0\xc4\x00", PROTO_EINVAL);
	REFUSE("REPLAY_REQ without its group (5 elements)",
	       "\x95\x01\x05\xc4\x01\x41\x01\x01", PROTO_EINVAL);
	REFUSE("SNAPSHOT_BEGIN without group and tlp (6 elements)",
	       "\x96\x01\x07\xc4\x01\x41\x01\x01\x01", PROTO_EINVAL);
	REFUSE("CONTROL with a map for its argument",
	       "\x95\x01\x0b\x01\xa5peers\x80", PROTO_EINVAL);
	REFUSE("CONTROL_RESULT with ok as 1", "\x95\x01\x0c\x01\x01\xa0", PROTO_EINVAL);
	REFUSE("type 13", "\x95\x01\x0d\x01\xc3\xa0", PROTO_EINVAL);
	REFUSE("ACK with a map for stream", "\x95\x01\x02\xc4\x01\x41\x80\x01", PROTO_EINVAL);
	REFUSE("ACK then a second ACK", "\x95\x01\x02\xc4\x01\x41\x01\x01\x95\x01\x02\xc4\x01\x41\x01\x01",
	       PROTO_EINVAL);
	{
		/* 64 nested arrays, then deep nesting in a row. */
		uint8_t deep[200];
		memset(deep, 0x91, 64);
		deep[64] = 0x01;
		refuse("64 nested arrays", deep, 65, PROTO_EFORMAT);
		memcpy(deep, "\x99\x01\x01\xc4\x01\x41\x01\x01\x98", 9);
		memset(deep + 9, 0x91, 100);
		refuse("nested arrays as a row's name", deep, 109, PROTO_EINVAL);
		memcpy(deep, "\x99\x01\x01\xc4\x01\x41\x01\x01\x91", 9);
		refuse("an array inside the rows array", deep, 109, PROTO_EINVAL);
	}
	{
		/* Empty batch: the smallest valid OBS_BATCH (a sensor's). */
		static const uint8_t empty[] = { 0x99, 0x01, 0x01, 0xc4, 0x01, 0x41, 0x01, 0x01, 0x90,
		                                 0xa0, 0xc0, 0xc4, 0x00 };
		before = allocs;
		is_int(proto_peer_decode(&d, empty, sizeof(empty), NULL, 0), 0,
		       "an empty batch decodes");
		is_int(allocs - before, 0, "without allocating");
		ok(d.type == PROTO_PEER_OBS_BATCH && d.nrows == 0 && d.seq == 1 &&
		   d.stream == 1 && d.origin_len == 1 && d.origin[0] == 'A',
		   "to origin 'A', stream 1, seq 1, no rows");
		ok(d.group_len == 0 && !d.has_tlp && d.sensor_len == 0,
		   "no group, tlp nil, no sensor pseudonym");
		/* Non-minimal encodings of the same values are accepted. */
		static const uint8_t wide[] = { 0xdc, 0x00, 0x09, 0xcc, 0x01, 0xd0, 0x01,
		                                0xc6, 0x00, 0x00, 0x00, 0x01, 0x41,
		                                0xcf, 0, 0, 0, 0, 0, 0, 0, 1,
		                                0xd3, 0, 0, 0, 0, 0, 0, 0, 1,
		                                0xdd, 0, 0, 0, 0,
		                                0xdb, 0, 0, 0, 0, 0xc0, 0xc6, 0, 0, 0, 0 };
		is_int(proto_peer_decode(&d, wide, sizeof(wide), NULL, 0), 0,
		       "the same batch in the widest encodings decodes");
		ok(d.seq == 1 && d.stream == 1 && d.nrows == 0 && d.group_len == 0 &&
		   !d.has_tlp && d.sensor_len == 0, "to the same values");
		/* A node's empty batch, wide: group "g", tlp 2 as uint 64. */
		static const uint8_t wide2[] = { 0xdc, 0x00, 0x09, 0x01, 0x01, 0xc4, 0x01, 0x41,
		                                 0x01, 0x01, 0x90,
		                                 0xdb, 0, 0, 0, 1, 'g',
		                                 0xcf, 0, 0, 0, 0, 0, 0, 0, 2,
		                                 0xc6, 0, 0, 0, 2, 0xab, 0xcd };
		is_int(proto_peer_decode(&d, wide2, sizeof(wide2), NULL, 0), 0,
		       "a node's batch with group, tlp and sensor in wide formats decodes");
		ok(d.group_len == 1 && d.group[0] == 'g' && d.has_tlp && d.tlp == 2 &&
		   d.sensor_len == 2 && d.sensor[1] == 0xcd, "to group g, tlp 2, sensor abcd");
	}
	/* A message over 4 MiB, before anything else is looked at. */
	{
		uint8_t *big = malloc(PROTO_PEER_MSG_MAX + 1);
		if (big != NULL) {
			memset(big, 0, PROTO_PEER_MSG_MAX + 1);
			big[0] = 0x96;
			is_int(proto_peer_decode(&d, big, PROTO_PEER_MSG_MAX + 1, NULL, 0),
			       PROTO_EINVAL, "a message of 4 MiB + 1 is refused");
			is_str(d.why, "larger than 4 MiB", "as larger than 4 MiB");
			free(big);
		}
	}
	/* The unknown version is named in the decoded message. */
	{
		static const uint8_t v2[] = { 0x93, 0x02, 0x01, 0xc0 };
		is_int(proto_peer_decode(&d, v2, sizeof(v2), NULL, 0), PROTO_EFORMAT,
		       "version 2: PROTO_EFORMAT");
		is_int(d.version, 2, "the version seen is reported");
		is_str(d.field, "version", "the field is 'version'");
		is_str(d.why, "unknown protocol version (this decoder knows 1)",
		       "with a clear reason");
		ok(d.type == 0 && d.origin == NULL, "and nothing else is set");
	}
	/* Where a refusal is. */
	{
		struct proto_peer_msg m;
		size_t at, end;
		peer_example(X_OBS, &m);
		if (proto_peer_encode(&m, ex, sizeof(ex), &len) != 0)
			abort();
		at = elem_at(ex, len, 2 * PROTO_PEER_ROW_FIELDS + 6, true, &end);
		ex[at] = 0; /* the nxdomain row's count, 1 */
		is_int(proto_peer_decode(&d, ex, len, rows, PROTO_PEER_ROWS_MAX), PROTO_EINVAL,
		       "count 0 in the third row is refused");
		is_str(d.field, "count", "field 'count'");
		is_int(d.at, at, "at its byte offset");
		ex[at] = 1;
		at = elem_at(ex, len, 7, false, &end);
		ex[at] = 5;
		is_int(proto_peer_decode(&d, ex, len, rows, PROTO_PEER_ROWS_MAX), PROTO_EINVAL,
		       "tlp 5 after the rows is refused");
		is_str(d.field, "tlp", "field 'tlp'");
		is_int(d.at, at, "at its byte offset");
		ex[at] = 0xc0;
		is_int(proto_peer_decode(&d, ex, len, rows, PROTO_PEER_ROWS_MAX), PROTO_EINVAL,
		       "tlp nil with a group is refused");
		is_str(d.why, "a group without a TLP (nil)", "as a group without a TLP");
		ex[at] = 2;
		ex[elem_at(ex, len, 2 * PROTO_PEER_ROW_FIELDS + 6, true, &end)] = 0;
		at = elem_at(ex, len, 3, false, &end);
		memset(ex + at + 1, 0, 8);
		is_int(proto_peer_decode(&d, ex, len, rows, PROTO_PEER_ROWS_MAX), PROTO_EINVAL,
		       "stream 0 and a row's count 0 are refused");
		is_str(d.field, "stream", "for the stream: the header is checked before the rows");
	}
}

/* ---- encoder ---- */

static void
test_encoder(void)
{
	struct proto_peer_msg m;
	struct proto_peer_row rr[3];
	size_t len, full;
	unsigned bad = 0;

	peer_example(X_OBS, &m);
	is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &full), 0, "the batch encodes");
	for (size_t cap = 0; cap < full; cap++) {
		if (proto_peer_encode(&m, buf, cap, &len) != PROTO_ESPACE)
			bad++;
	}
	is_int(bad, 0, "every smaller buffer is PROTO_ESPACE");

	memcpy(rr, m.rows, sizeof(rr));
	m.rows = rr;
#define ENC_REFUSES(what, stmt)                                                  \
	do {                                                                     \
		peer_example(X_OBS, &m);                                         \
		memcpy(rr, m.rows, sizeof(rr));                                  \
		m.rows = rr;                                                     \
		stmt;                                                            \
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len),     \
		       PROTO_EINVAL, "the encoder refuses %s", what);            \
	} while (0)
	ENC_REFUSES("type 0", m.type = 0);
	ENC_REFUSES("type 13", m.type = 13);
	ENC_REFUSES("origin of 0 octets", m.origin_len = 0);
	ENC_REFUSES("origin of 33 octets", m.origin_len = 33);
	ENC_REFUSES("stream 0", m.stream = 0);
	ENC_REFUSES("seq 0", m.seq = 0);
	ENC_REFUSES("rows NULL with nrows 1", m.rows = NULL);
	ENC_REFUSES("a name in uppercase",
	            (rr[0].obs.name = (const uint8_t *)"\003WWW\0", rr[0].obs.name_len = 5));
	ENC_REFUSES("a name without its root", rr[0].obs.name_len = 3);
	ENC_REFUSES("rrtype 0", rr[0].obs.rrtype = 0);
	ENC_REFUSES("rdata with a tab", rr[0].obs.rdata = "192.0.2.\t");
	ENC_REFUSES("rdata over the limit", rr[0].obs.rdata_len = PROTO_PEER_RDATA_MAX + 1);
	ENC_REFUSES("section 0", rr[0].obs.section = 0);
	ENC_REFUSES("section 5", rr[0].obs.section = 5);
	ENC_REFUSES("a negative time", rr[0].obs.time_first = -1);
	ENC_REFUSES("time_last before time_first", rr[0].obs.time_last = 1);
	ENC_REFUSES("count 0", rr[0].obs.count = 0);
	ENC_REFUSES("a bailiwick not above the name",
	            (rr[0].obs.bailiwick = pt_nx, rr[0].obs.bailiwick_len = sizeof(pt_nx)));
	ENC_REFUSES("a QUERY_RESULT row without origin",
	            (m.type = PROTO_PEER_QUERY_RESULT, m.query_id = 1, m.final = true));
	ENC_REFUSES("a group without a tlp", m.has_tlp = false);
	ENC_REFUSES("a tlp without a group", m.group_len = 0);
	ENC_REFUSES("tlp 5", m.tlp = 5);
	ENC_REFUSES("tlp 255", m.tlp = 255);
	ENC_REFUSES("a group starting with '-'", m.group = "-first-amber");
	ENC_REFUSES("a group with a blank", m.group = "first amber");
	ENC_REFUSES("a group of 64", m.group_len = 64);
	ENC_REFUSES("a group NULL with a length", m.group = NULL);
	ENC_REFUSES("a sensor pseudonym of 17", m.sensor_len = 17);
	ENC_REFUSES("a sensor pseudonym NULL with a length", m.sensor = NULL);
#undef ENC_REFUSES

	/* A zero-initialised batch is a sensor's: "", nil, empty bin. */
	{
		struct proto_peer_msg z = { .type = PROTO_PEER_OBS_BATCH,
		                            .origin = (const uint8_t *)"A", .origin_len = 1,
		                            .stream = 1, .seq = 1 };
		is_int(proto_peer_encode(&z, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "a zero-initialised batch encodes");
		ok(len == 13 && memcmp(buf, "\x99\x01\x01\xc4\x01\x41\x01\x01\x90"
		                            "\xa0\xc0\xc4\x00", 13) == 0,
		   "as a sensor's: group a0, tlp c0, sensor c4 00");
		z.has_tlp = true;
		is_int(proto_peer_encode(&z, buf, PROTO_PEER_MSG_MAX, &len), PROTO_EINVAL,
		       "with has_tlp and no group it is refused");
	}
	/* The other messages: example ex with stmt applied is refused. */
#define ENC_REFUSES_X(ex, what, stmt)                                            \
	do {                                                                     \
		peer_example((ex), &m);                                          \
		stmt;                                                            \
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len),     \
		       PROTO_EINVAL, "the encoder refuses %s", what);            \
	} while (0)
	ENC_REFUSES_X(X_RREQ, "a REPLAY_REQ without a group", m.group_len = 0);
	ENC_REFUSES_X(X_REND, "a REPLAY_END group with a '!'",
	              (m.group = "first.amber!", m.group_len = 12));
	ENC_REFUSES_X(X_SBEGIN, "a SNAPSHOT_BEGIN with tlp nil", m.has_tlp = false);
	ENC_REFUSES_X(X_SBEGIN, "a SNAPSHOT_BEGIN with tlp 5", m.tlp = 5);
	ENC_REFUSES_X(X_CONTROL, "request id 0", m.request_id = 0);
	ENC_REFUSES_X(X_CONTROL, "an empty command", m.command_len = 0);
	ENC_REFUSES_X(X_CONTROL, "a command in capitals", m.command = "PEERS");
	ENC_REFUSES_X(X_CONTROL, "a command of 33",
	              (m.command = "abcdefghijklmnopqrstuvwxyz-012345", m.command_len = 33));
	ENC_REFUSES_X(X_CONTROL, "an argument with a tab", (m.arg = "a\tb", m.arg_len = 3));
	ENC_REFUSES_X(X_CONTROL, "an argument NULL with a length", (m.arg = NULL, m.arg_len = 1));
	ENC_REFUSES_X(X_CRESULT, "a report with a carriage return",
	              (m.report = "a\r\n", m.report_len = 3));
	ENC_REFUSES_X(X_CRESULT, "request id 0 in a result", m.request_id = 0);
	ENC_REFUSES_X(X_QUERY, "hop limit 9", m.hop_limit = 9);
	ENC_REFUSES_X(X_QUERY, "query bytes that do not decode", m.query_len = 3);
	ENC_REFUSES_X(X_RESULT, "'limited' on a part that is not final",
	              (m.final = false, m.limited = true));
	ENC_REFUSES_X(X_ERROR, "an error text with a newline",
	              (m.text = "two\nlines", m.text_len = 9));
	ENC_REFUSES_X(X_ERROR, "an error text over 1024", m.text_len = PROTO_PEER_TEXT_MAX + 1);
	ENC_REFUSES_X(X_SEND, "more rows than the parts can hold", m.total_rows = 10001);
#undef ENC_REFUSES_X
	peer_example(X_CRESULT, &m);
	m.report = NULL;
	m.report_len = 0;
	is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
	       "an empty report may be NULL");

	/* Over 4 MiB: 10000 rows of 500 octets of rdata. */
	{
		static char rd[500];
		memset(rd, 'x', sizeof(rd));
		peer_example(X_OBS, &m);
		for (uint32_t i = 0; i < PROTO_PEER_ROWS_MAX; i++) {
			rows2[i] = m.rows[0];
			rows2[i].obs.rdata = rd;
			rows2[i].obs.rdata_len = sizeof(rd);
		}
		m.rows = rows2;
		m.nrows = PROTO_PEER_ROWS_MAX;
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX + 64, &len), PROTO_ESPACE,
		       "a message over 4 MiB is PROTO_ESPACE, whatever the buffer");
		m.nrows = (PROTO_PEER_MSG_MAX - PROTO_PEER_HEAD_MAX) /
		          (uint32_t)proto_peer_row_size(&rows2[0], false);
		is_int(proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len), 0,
		       "as many rows as proto_peer_row_size says fit do fit (%u)", m.nrows);
	}
}

/* ---- sequence rules ---- */

static void
test_sequence(void)
{
	is_int(proto_peer_verdict(5, 41, 5, 42), PROTO_PEER_APPLY, "next in stream: apply");
	is_int(proto_peer_verdict(5, 41, 5, 41), PROTO_PEER_DUP, "same seq: duplicate");
	is_int(proto_peer_verdict(5, 41, 5, 1), PROTO_PEER_DUP, "older seq: duplicate");
	is_int(proto_peer_verdict(5, 41, 5, 43), PROTO_PEER_RESYNC, "gap: resync");
	is_int(proto_peer_verdict(5, 41, 6, 42), PROTO_PEER_RESYNC, "another stream: resync");
	is_int(proto_peer_verdict(0, 0, 6, 1), PROTO_PEER_RESYNC, "no state: resync (snapshot)");
	is_int(proto_peer_verdict(6, 0, 6, 1), PROTO_PEER_APPLY, "a new sensor stream from 1");
	is_int(proto_peer_verdict(5, UINT64_MAX, 5, UINT64_MAX), PROTO_PEER_DUP,
	       "the last sequence number: duplicate, no wrap");
	is_int(proto_peer_verdict(5, UINT64_MAX - 1, 5, UINT64_MAX), PROTO_PEER_APPLY,
	       "up to 2^64-1");

	ok(proto_peer_replay_ok(5, 42, 30, 5, 40), "replay 40..42 from a log holding 30..42");
	ok(proto_peer_replay_ok(5, 42, 30, 5, 30), "replay from the oldest batch in the log");
	ok(proto_peer_replay_ok(5, 42, 43, 5, 43), "nothing to replay: up to date");
	ok(!proto_peer_replay_ok(5, 42, 30, 5, 29), "older than the log: snapshot");
	ok(!proto_peer_replay_ok(5, 42, 30, 5, 44), "ahead of the publisher: snapshot");
	ok(!proto_peer_replay_ok(5, 42, 30, 4, 40), "another stream: snapshot");
	ok(!proto_peer_replay_ok(5, 42, 30, 0, 1), "stream 0 (no state): snapshot");
	ok(!proto_peer_replay_ok(5, 42, 30, 5, 0), "from 0: snapshot");
}

int
main(void)
{
	buf = malloc(PROTO_PEER_MSG_MAX + 64);
	text1 = malloc(TEXT_CAP);
	text2 = malloc(TEXT_CAP);
	if (buf == NULL || text1 == NULL || text2 == NULL)
		return 1;
	load_doc();
	test_doc_examples();
	test_round_trips();
	test_wrong_types();
	test_values();
	test_sources();
	test_providers();
	test_structure();
	test_encoder();
	test_sequence();
	free(doc);
	free(buf);
	free(text1);
	free(text2);
	return tap_done();
}
