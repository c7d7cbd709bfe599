/*
 * peer_test.h - shared by the peer protocol's unit test, fuzz target and
 * interop program: the documented example messages, a canonical one-line
 * text of any message (what the Python peer prints too), and random valid
 * messages. Static functions only; include once per program.
 *
 * Canonical text: the type name, then `name=value` for every scalar field
 * in layout order (OBS_BATCH's group, tlp and sensor too, though they follow
 * its rows), then ` rows=N` and ` | f1 f2 ...` per row. Integers in
 * decimal, booleans true/false, bin and str as `h:` + lowercase hex (so an
 * empty str is `h:`), nil as `nil`.
 */
#ifndef PEER_TEST_H
#define PEER_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_peer.h"
#include "proto/proto_query.h"

/* Not every program uses every example or helper. */
#define PT_UNUSED __attribute__((unused))

/* ---- canonical text ---- */

static inline void
pt_hex(struct proto_buf *b, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = p;

	proto_buf_puts(b, "h:");
	for (size_t i = 0; i < n; i++) {
		char c[2] = { hex[s[i] >> 4], hex[s[i] & 15] };
		proto_buf_put(b, c, 2);
	}
}

static inline void
pt_u(struct proto_buf *b, const char *name, uint64_t v)
{
	proto_buf_putc(b, ' ');
	proto_buf_puts(b, name);
	proto_buf_putc(b, '=');
	proto_buf_put_u64(b, v);
}

static inline void
pt_bool(struct proto_buf *b, const char *name, bool v)
{
	proto_buf_putc(b, ' ');
	proto_buf_puts(b, name);
	proto_buf_puts(b, v ? "=true" : "=false");
}

static inline void
pt_bytes(struct proto_buf *b, const char *name, const void *p, size_t n)
{
	proto_buf_putc(b, ' ');
	proto_buf_puts(b, name);
	proto_buf_putc(b, '=');
	pt_hex(b, p, n);
}

/* A tlp: its number, or nil. */
static inline void
pt_tlp(struct proto_buf *b, bool has, uint8_t v)
{
	if (has)
		pt_u(b, "tlp", v);
	else
		proto_buf_puts(b, " tlp=nil");
}

static inline void
pt_row(struct proto_buf *b, const struct proto_peer_row *r, bool with_origin)
{
	const struct proto_obs *o = &r->obs;

	proto_buf_puts(b, " | ");
	pt_hex(b, o->name, o->name_len);
	proto_buf_putc(b, ' ');
	proto_buf_put_u64(b, o->rrtype);
	proto_buf_putc(b, ' ');
	pt_hex(b, o->rdata, o->rdata_len);
	proto_buf_putc(b, ' ');
	proto_buf_put_u64(b, o->section);
	proto_buf_putc(b, ' ');
	proto_buf_put_i64(b, o->time_first);
	proto_buf_putc(b, ' ');
	proto_buf_put_i64(b, o->time_last);
	proto_buf_putc(b, ' ');
	proto_buf_put_u64(b, o->count);
	proto_buf_putc(b, ' ');
	if (o->bailiwick != NULL)
		pt_hex(b, o->bailiwick, o->bailiwick_len);
	else
		proto_buf_puts(b, "nil");
	if (with_origin) {
		proto_buf_putc(b, ' ');
		pt_hex(b, r->origin, r->origin_len);
	}
}

static inline void
pt_source(struct proto_buf *b, const struct proto_peer_source *src)
{
	proto_buf_puts(b, " | ");
	pt_hex(b, src->name, src->name_len);
	proto_buf_putc(b, ' ');
	proto_buf_put_u64(b, src->status);
	proto_buf_putc(b, ' ');
	proto_buf_put_u64(b, src->rows);
	proto_buf_putc(b, ' ');
	pt_hex(b, src->why, src->why_len);
}

/* A final QUERY_RESULT's sources, when it has them: " sources=N | ...". */
static inline int
pt_sources(const struct proto_peer_msg *m, struct proto_buf *b)
{
	struct proto_peer_sources it;
	struct proto_peer_source src;
	int got;

	if (!m->has_sources)
		return 0;
	pt_u(b, "sources", m->nsources);
	if (m->sources != NULL) {
		for (uint32_t i = 0; i < m->nsources; i++)
			pt_source(b, &m->sources[i]);
		return 0;
	}
	proto_peer_sources_init(&it, m);
	while ((got = proto_peer_sources_next(&it, &src)) == 1)
		pt_source(b, &src);
	return got;
}

/* The sources of a decoded message into buf[PROTO_PEER_SOURCES_MAX] and
 * m->sources, so that it can be encoded again; 0 or the iterator's error. */
static inline int
pt_sources_take(struct proto_peer_msg *m, struct proto_peer_source *buf)
{
	struct proto_peer_sources it;
	uint32_t n = 0;

	if (!m->has_sources || m->sources != NULL)
		return 0;
	proto_peer_sources_init(&it, m);
	while (n < PROTO_PEER_SOURCES_MAX && proto_peer_sources_next(&it, &buf[n]) == 1)
		n++;
	if (n != m->nsources)
		return -1;
	m->sources = buf;
	return 0;
}

/* A client QUERY's providers and prov_flags, when it has them:
 * " providers=N | h:NAME ... prov_flags=F". */
static inline int
pt_providers(const struct proto_peer_msg *m, struct proto_buf *b)
{
	struct proto_peer_names it;
	const char *name;
	size_t len;
	int got = 0;

	if (!m->has_providers)
		return 0;
	pt_u(b, "providers", m->nproviders);
	if (m->providers != NULL) {
		for (uint32_t i = 0; i < m->nproviders; i++) {
			proto_buf_puts(b, " | ");
			pt_hex(b, m->providers[i], strlen(m->providers[i]));
		}
	} else {
		proto_peer_providers_init(&it, m);
		while ((got = proto_peer_providers_next(&it, &name, &len)) == 1) {
			proto_buf_puts(b, " | ");
			pt_hex(b, name, len);
		}
	}
	pt_u(b, "prov_flags", m->prov_flags);
	return got;
}

/* The providers of a decoded QUERY into NUL-ended copies (names[16][33])
 * and m->providers (ptrs[16]), so that it can be encoded again. */
static inline int
pt_providers_take(struct proto_peer_msg *m, char (*names)[PROTO_PEER_ORIGIN_MAX + 1],
                  const char **ptrs)
{
	struct proto_peer_names it;
	const char *name;
	size_t len;
	uint32_t n = 0;

	if (!m->has_providers || m->providers != NULL)
		return 0;
	proto_peer_providers_init(&it, m);
	while (n < PROTO_PEER_PROVIDERS_MAX && proto_peer_providers_next(&it, &name, &len) == 1) {
		memcpy(names[n], name, len);
		names[n][len] = '\0';
		ptrs[n] = names[n];
		n++;
	}
	if (n != m->nproviders)
		return -1;
	m->providers = ptrs;
	return 0;
}

/*
 * The canonical text of m. Rows come from m->rows when set, else from the
 * decoded bytes (proto_peer_rows_next). Returns 0 or the iterator's error.
 */
static inline int
peer_text(const struct proto_peer_msg *m, struct proto_buf *b)
{
	bool with_origin = m->type == PROTO_PEER_QUERY_RESULT;
	bool has_rows = m->type == PROTO_PEER_OBS_BATCH ||
	                m->type == PROTO_PEER_SNAPSHOT_ROWS || with_origin;

	const char *name = proto_peer_type_name(m->type);

	proto_buf_puts(b, name != NULL ? name : "?");
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "stream", m->stream);
		pt_u(b, "seq", m->seq);
		pt_bytes(b, "group", m->group, m->group_len);
		pt_tlp(b, m->has_tlp, m->tlp);
		pt_bytes(b, "sensor", m->sensor, m->sensor_len);
		break;
	case PROTO_PEER_ACK:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "stream", m->stream);
		pt_u(b, "seq", m->seq);
		break;
	case PROTO_PEER_REPLAY_REQ:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "stream", m->stream);
		pt_u(b, "from_seq", m->seq);
		pt_bytes(b, "group", m->group, m->group_len);
		break;
	case PROTO_PEER_REPLAY_END:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "stream", m->stream);
		pt_u(b, "last_seq", m->seq);
		pt_bytes(b, "group", m->group, m->group_len);
		break;
	case PROTO_PEER_QUERY:
		pt_u(b, "query_id", m->query_id);
		pt_u(b, "hop_limit", m->hop_limit);
		pt_u(b, "deadline_ms", m->deadline_ms);
		pt_bytes(b, "query", m->query, m->query_len);
		return pt_providers(m, b);
	case PROTO_PEER_QUERY_RESULT:
		pt_u(b, "query_id", m->query_id);
		pt_u(b, "part", m->part);
		pt_bool(b, "final", m->final);
		pt_u(b, "status", m->status);
		pt_bool(b, "limited", m->limited);
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "snapshot_id", m->snapshot_id);
		pt_u(b, "stream", m->stream);
		pt_u(b, "seq", m->seq);
		pt_bytes(b, "group", m->group, m->group_len);
		pt_tlp(b, m->has_tlp, m->tlp);
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "snapshot_id", m->snapshot_id);
		pt_u(b, "part", m->part);
		break;
	case PROTO_PEER_SNAPSHOT_END:
		pt_bytes(b, "origin", m->origin, m->origin_len);
		pt_u(b, "snapshot_id", m->snapshot_id);
		pt_u(b, "parts", m->parts);
		pt_u(b, "total_rows", m->total_rows);
		break;
	case PROTO_PEER_ERROR:
		pt_u(b, "code", m->code);
		pt_u(b, "ref", m->ref);
		pt_bytes(b, "text", m->text, m->text_len);
		break;
	case PROTO_PEER_CONTROL:
		pt_u(b, "request_id", m->request_id);
		pt_bytes(b, "command", m->command, m->command_len);
		pt_bytes(b, "argument", m->arg, m->arg_len);
		break;
	case PROTO_PEER_CONTROL_RESULT:
		pt_u(b, "request_id", m->request_id);
		pt_bool(b, "ok", m->ok);
		pt_bytes(b, "report", m->report, m->report_len);
		break;
	}
	if (!has_rows)
		return 0;
	pt_u(b, "rows", m->nrows);
	if (m->rows != NULL) {
		for (uint32_t i = 0; i < m->nrows; i++)
			pt_row(b, &m->rows[i], with_origin);
		return pt_sources(m, b);
	}
	struct proto_peer_rows it;
	struct proto_peer_row r;
	int got;
	proto_peer_rows_init(&it, m);
	while ((got = proto_peer_rows_next(&it, &r)) == 1)
		pt_row(b, &r, with_origin);
	return got != 0 ? got : pt_sources(m, b);
}

/* ---- the documented examples (doc/peer-protocol.md) ---- */

#define PT_NODE_A "node-a"
#define PT_SENSOR "sensor-1"
#define PT_STREAM UINT64_C(0x7a3c19e2b4d05f81)
#define PT_SENSOR_STREAM UINT64_C(0x00000000c0ffee01)
#define PT_QID UINT64_C(0x0f1e2d3c4b5a6978)
#define PT_GROUP "first-amber"
/* HMAC-SHA256 of "sensor-1" keyed with the 32 octets 00 01 .. 1f, first 8. */
#define PT_PSEUDONYM "\x9f\x98\x69\xe2\xe9\x0b\x78\x04"
#define PT_REQ UINT64_C(12345)
#define PT_REPORT "node-b\tup\tseq 42\nnode-c\tdown\tsince 1700000000\n"

PT_UNUSED static const uint8_t pt_www[] = "\003www\007example\003com";      /* + root */
PT_UNUSED static const uint8_t pt_example[] = "\007example\003com";
PT_UNUSED static const uint8_t pt_com[] = "\003com";
PT_UNUSED static const uint8_t pt_nx[] = "\002nx\007example\003com";

static inline struct proto_peer_row
pt_obs(const uint8_t *name, size_t nlen, uint16_t type, const char *rdata,
       unsigned section, int64_t tf, int64_t tl, uint64_t count,
       const uint8_t *bw, size_t bwlen)
{
	struct proto_peer_row r;

	memset(&r, 0, sizeof(r));
	/* sizeof(string) counts the terminating NUL: the root label. */
	r.obs.name = name;
	r.obs.name_len = (uint32_t)nlen;
	r.obs.rrtype = type;
	r.obs.rdata = rdata;
	r.obs.rdata_len = (uint32_t)strlen(rdata);
	r.obs.section = (uint8_t)section;
	r.obs.time_first = tf;
	r.obs.time_last = tl;
	r.obs.count = count;
	r.obs.bailiwick = bw;
	r.obs.bailiwick_len = (uint32_t)bwlen;
	return r;
}

/* Example i is of type i + 1, but for the last: a sensor's batch. */
PT_UNUSED static const char *const pt_example_names[] = {
	"obs_batch", "ack", "query", "query_result", "replay_req", "replay_end",
	"snapshot_begin", "snapshot_rows", "snapshot_end", "error", "control",
	"control_result", "obs_batch_sensor", "query_result_sources", "query_providers",
};
#define PT_EXAMPLES 15
#define PT_EX_SENSOR_BATCH 12
#define PT_EX_RESULT_SOURCES 13
#define PT_EX_QUERY_PROVIDERS 14

static inline void
pt_group(struct proto_peer_msg *m)
{
	m->group = PT_GROUP;
	m->group_len = (uint8_t)strlen(PT_GROUP);
}

/* Example i (the order above) into *m; its rows live in static storage. */
static inline void
peer_example(unsigned i, struct proto_peer_msg *m)
{
	static struct proto_peer_row rows[3];
	static uint8_t query[PROTO_QUERY_WIRE_MAX];
	static const struct proto_peer_source sources[] = {
		{ "node-a", 6, PROTO_PEER_SRC_ANSWERED, 1, "", 0 },
		{ "node-b", 6, PROTO_PEER_SRC_TIMED_OUT, 0, "no answer in 4 s", 16 },
	};
	struct proto_query q;
	size_t qlen = 0;

	memset(m, 0, sizeof(*m));
	if (i == PT_EX_QUERY_PROVIDERS) {
		/* A client's query of its node alone (hop limit 0) that has the
		 * node ask its providers dnsdb and circl too, not from its cache. */
		static const char *const provs[] = { "dnsdb", "circl" };
		peer_example(PROTO_PEER_QUERY - 1, m);
		m->hop_limit = 0;
		m->has_providers = true;
		m->providers = provs;
		m->nproviders = 2;
		m->prov_flags = PROTO_PEER_PROV_NO_CACHE;
		return;
	}
	if (i == PT_EX_RESULT_SOURCES) {
		/* The final part of a federated answer: node-a's own row came in
		 * part 0; node-b did not answer in time. */
		m->type = PROTO_PEER_QUERY_RESULT;
		m->query_id = PT_QID;
		m->part = 1;
		m->final = true;
		m->status = PROTO_PEER_ST_PARTIAL;
		m->has_sources = true;
		m->sources = sources;
		m->nsources = 2;
		return;
	}
	m->type = (uint8_t)(i == PT_EX_SENSOR_BATCH ? PROTO_PEER_OBS_BATCH : i + 1);
	m->origin = (const uint8_t *)PT_NODE_A;
	m->origin_len = (uint8_t)strlen(PT_NODE_A);
	if (i == PT_EX_SENSOR_BATCH) {
		/* What sensor-1 sent node-a: no group, tlp nil, no pseudonym. */
		rows[0] = pt_obs(pt_www, sizeof(pt_www), 1, "192.0.2.1", 1,
		                 1700000000, 1700000042, 3, pt_example, sizeof(pt_example));
		m->origin = (const uint8_t *)PT_SENSOR;
		m->origin_len = (uint8_t)strlen(PT_SENSOR);
		m->stream = PT_SENSOR_STREAM;
		m->seq = 42;
		m->rows = rows;
		m->nrows = 1;
		return;
	}
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		rows[0] = pt_obs(pt_www, sizeof(pt_www), 1, "192.0.2.1", 1,
		                 1700000000, 1700000042, 3, pt_example, sizeof(pt_example));
		rows[1] = pt_obs(pt_example, sizeof(pt_example), 2, "ns1.example.com", 2,
		                 1700000000, 1700000000, 1, pt_com, sizeof(pt_com));
		rows[2] = pt_obs(pt_nx, sizeof(pt_nx), 1, "", 4, 1700000100,
		                 1700000100, 1, NULL, 0);
		m->stream = PT_STREAM;
		m->seq = 42;
		m->rows = rows;
		m->nrows = 3;
		pt_group(m);
		m->has_tlp = true;
		m->tlp = PROTO_PEER_TLP_AMBER;
		m->sensor = (const uint8_t *)PT_PSEUDONYM;
		m->sensor_len = 8;
		break;
	case PROTO_PEER_ACK:
		m->origin = (const uint8_t *)PT_SENSOR;
		m->origin_len = (uint8_t)strlen(PT_SENSOR);
		m->stream = PT_SENSOR_STREAM;
		m->seq = 42;
		break;
	case PROTO_PEER_QUERY:
		proto_query_init(&q);
		memcpy(q.name, pt_www, sizeof(pt_www));
		q.name_len = sizeof(pt_www);
		q.types[0] = 1;
		q.ntypes = 1;
		q.limit = 100;
		(void)proto_query_encode(&q, query, sizeof(query), &qlen);
		m->origin = NULL;
		m->origin_len = 0;
		m->query_id = PT_QID;
		m->hop_limit = 2;
		m->deadline_ms = 5000;
		m->query = query;
		m->query_len = (uint16_t)qlen;
		break;
	case PROTO_PEER_QUERY_RESULT:
		rows[0] = pt_obs(pt_www, sizeof(pt_www), 1, "192.0.2.1", 1,
		                 1690000000, 1700000042, 1237, pt_example, sizeof(pt_example));
		rows[0].origin = (const uint8_t *)PT_NODE_A;
		rows[0].origin_len = (uint8_t)strlen(PT_NODE_A);
		m->origin = NULL;
		m->origin_len = 0;
		m->query_id = PT_QID;
		m->part = 0;
		m->final = true;
		m->status = PROTO_PEER_ST_OK;
		m->limited = false;
		m->rows = rows;
		m->nrows = 1;
		break;
	case PROTO_PEER_REPLAY_REQ:
		m->stream = PT_STREAM;
		m->seq = 40;
		pt_group(m);
		break;
	case PROTO_PEER_REPLAY_END:
		m->stream = PT_STREAM;
		m->seq = 42;
		pt_group(m);
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		m->snapshot_id = 7;
		m->stream = PT_STREAM;
		m->seq = 42;
		pt_group(m);
		m->has_tlp = true;
		m->tlp = PROTO_PEER_TLP_AMBER;
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		rows[0] = pt_obs(pt_www, sizeof(pt_www), 1, "192.0.2.1", 1,
		                 1690000000, 1700000042, 1237, pt_example, sizeof(pt_example));
		m->snapshot_id = 7;
		m->part = 0;
		m->rows = rows;
		m->nrows = 1;
		break;
	case PROTO_PEER_SNAPSHOT_END:
		m->snapshot_id = 7;
		m->parts = 1;
		m->total_rows = 1;
		break;
	case PROTO_PEER_ERROR:
		m->origin = NULL;
		m->origin_len = 0;
		m->code = PROTO_PEER_E_VERSION;
		m->ref = 0;
		m->text = "unknown protocol version 2; this node speaks 1";
		m->text_len = (uint16_t)strlen(m->text);
		break;
	case PROTO_PEER_CONTROL:
		m->origin = NULL;
		m->origin_len = 0;
		m->request_id = PT_REQ;
		m->command = "peers";
		m->command_len = 5;
		m->arg = "";
		m->arg_len = 0;
		break;
	case PROTO_PEER_CONTROL_RESULT:
		m->origin = NULL;
		m->origin_len = 0;
		m->request_id = PT_REQ;
		m->ok = true;
		m->report = PT_REPORT;
		m->report_len = (uint32_t)strlen(PT_REPORT);
		break;
	}
}

/* ---- random valid messages ---- */

/* A bump allocator over caller storage for random names and rdata. */
struct pt_arena {
	uint8_t *p;
	size_t cap, used;
};

PT_UNUSED static uint64_t pt_state = 88172645463325252ull;

static inline void
pt_seed(uint64_t s)
{
	pt_state = s != 0 ? s : 88172645463325252ull;
}

static inline uint64_t
pt_rand(void)
{
	pt_state ^= pt_state << 13;
	pt_state ^= pt_state >> 7;
	pt_state ^= pt_state << 17;
	return pt_state;
}

static inline unsigned
pt_rnd(unsigned n)
{
	return (unsigned)(pt_rand() % n);
}

/* A value of any width, so every integer format is used. */
static inline uint64_t
pt_rnd_u(uint64_t max)
{
	static const uint64_t tops[] = { 0x7f, 0xff, 0xffff, 0xffffffff, UINT64_MAX };
	uint64_t top = tops[pt_rnd(5)];
	uint64_t v = pt_rand();

	if (top > max)
		top = max;
	if (pt_rnd(8) == 0)
		return top;
	return top == UINT64_MAX ? v : v % (top + 1);
}

static inline uint8_t *
pt_alloc(struct pt_arena *a, size_t n)
{
	if (n > a->cap - a->used)
		abort();
	uint8_t *p = a->p + a->used;
	a->used += n;
	return p;
}

/* A random lowercased wire name (any octets but 'A'..'Z'). */
static inline size_t
pt_rnd_name(uint8_t *out)
{
	size_t n = 0;
	unsigned labels = pt_rnd(6);

	if (pt_rnd(20) == 0)
		labels = 127;
	for (unsigned l = 0; l < labels; l++) {
		size_t len = 1 + pt_rnd(pt_rnd(4) == 0 ? 63 : 10);
		if (n + 1 + len + 1 > PROTO_NAME_MAX)
			len = PROTO_NAME_MAX - n - 2;
		if (len == 0 || len > 63)
			break;
		out[n++] = (uint8_t)len;
		for (size_t i = 0; i < len; i++) {
			uint8_t c = pt_rnd(3) == 0 ? (uint8_t)pt_rnd(256)
			                           : (uint8_t)('a' + pt_rnd(26));
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c + 32);
			out[n++] = c;
		}
	}
	out[n++] = 0;
	return n;
}

static inline void
pt_rnd_row(struct pt_arena *a, struct proto_peer_row *r, bool with_origin, bool big)
{
	struct proto_obs *o = &r->obs;
	uint8_t *name = pt_alloc(a, PROTO_NAME_MAX);
	size_t nlen = pt_rnd_name(name);

	memset(r, 0, sizeof(*r));
	o->name = name;
	o->name_len = (uint32_t)nlen;
	o->rrtype = (uint16_t)(1 + pt_rnd_u(65534));
	o->section = (uint8_t)(1 + pt_rnd(4));
	if (o->section != PROTO_SEC_NXDOMAIN) {
		size_t len = 1 + pt_rnd(pt_rnd(4) == 0 ? 300 : 40);
		if (big && pt_rnd(4) == 0)
			len = pt_rnd(2) ? 65536 + pt_rnd(1000) : PROTO_PEER_RDATA_MAX;
		char *t = (char *)pt_alloc(a, len);
		for (size_t i = 0; i < len; i++)
			t[i] = (char)(0x20 + pt_rnd(0x5f));
		o->rdata = t;
		o->rdata_len = (uint32_t)len;
	} else {
		o->rdata = "";
	}
	o->time_first = (int64_t)pt_rnd_u(INT64_MAX);
	o->time_last = o->time_first + (int64_t)pt_rnd_u((uint64_t)(INT64_MAX - o->time_first));
	o->count = 1 + pt_rnd_u(UINT64_MAX - 1);
	if (o->section != PROTO_SEC_NXDOMAIN && pt_rnd(2)) {
		/* A suffix of the name at a label boundary. */
		size_t p = 0, cut = pt_rnd(4);
		for (size_t k = 0; k < cut && name[p] != 0; k++)
			p += 1 + (size_t)name[p];
		o->bailiwick = name + p;
		o->bailiwick_len = (uint32_t)(nlen - p);
	}
	if (with_origin) {
		uint8_t len = (uint8_t)(1 + pt_rnd(PROTO_PEER_ORIGIN_MAX));
		uint8_t *p = pt_alloc(a, len);
		for (unsigned i = 0; i < len; i++)
			p[i] = (uint8_t)pt_rnd(256);
		r->origin = p;
		r->origin_len = len;
	}
}

/* n random octets of the alphabet abc (NUL-ended), from the arena. */
static inline char *
pt_rnd_chars(struct pt_arena *a, size_t n, const char *abc)
{
	size_t k = strlen(abc);
	char *t = (char *)pt_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++)
		t[i] = abc[pt_rnd((unsigned)k)];
	t[n] = '\0';
	return t;
}

/* n random octets of printable ASCII, with newlines and tabs when ws. */
static inline char *
pt_rnd_text(struct pt_arena *a, size_t n, bool ws)
{
	char *t = (char *)pt_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned c = pt_rnd(ws ? 0x5f + 8 : 0x5f);
		t[i] = (char)(c < 0x5f ? 0x20 + c : c < 0x5f + 6 ? '\n' : '\t');
	}
	t[n] = '\0';
	return t;
}

#define PT_ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* A random group name of 1..PROTO_PEER_GROUP_MAX octets into m. */
static inline void
pt_rnd_group(struct pt_arena *a, struct proto_peer_msg *m)
{
	size_t n = pt_rnd(4) == 0 ? PROTO_PEER_GROUP_MAX : 1 + pt_rnd(pt_rnd(2) ? 20 : 63);
	char *g = pt_rnd_chars(a, n, PT_ALNUM "._-");

	g[0] = PT_ALNUM[pt_rnd(sizeof(PT_ALNUM) - 1)];
	m->group = g;
	m->group_len = (uint8_t)n;
}

/*
 * A random valid message of `type` (0: any) with up to maxrows rows in
 * rows[]; big allows rdata over 64 KiB. Storage comes from a.
 */
static inline void
peer_random(struct proto_peer_msg *m, unsigned type, struct proto_peer_row *rows,
            uint32_t maxrows, bool big, struct pt_arena *a)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)(type != 0 ? type : 1 + pt_rnd(PROTO_PEER_TYPE_MAX));
	{
		uint8_t len = (uint8_t)(1 + pt_rnd(PROTO_PEER_ORIGIN_MAX));
		uint8_t *p = pt_alloc(a, len);
		for (unsigned i = 0; i < len; i++)
			p[i] = (uint8_t)pt_rnd(256);
		m->origin = p;
		m->origin_len = len;
	}
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		m->stream = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->seq = 1 + pt_rnd_u(UINT64_MAX - 1);
		/* Half a sensor's (no group, tlp nil), half a node's. */
		if (pt_rnd(2)) {
			pt_rnd_group(a, m);
			m->has_tlp = true;
			m->tlp = (uint8_t)pt_rnd(PROTO_PEER_TLP_MAX + 1);
		}
		m->sensor_len = (uint8_t)(pt_rnd(3) == 0 ? pt_rnd(PROTO_PEER_SENSOR_MAX + 1)
		                          : m->has_tlp ? 8 : 0);
		m->sensor = pt_alloc(a, PROTO_PEER_SENSOR_MAX);
		for (unsigned i = 0; i < m->sensor_len; i++)
			((uint8_t *)m->sensor)[i] = (uint8_t)pt_rnd(256);
		break;
	case PROTO_PEER_ACK:
	case PROTO_PEER_REPLAY_END:
		m->stream = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->seq = pt_rnd_u(UINT64_MAX);
		if (m->type == PROTO_PEER_REPLAY_END)
			pt_rnd_group(a, m);
		break;
	case PROTO_PEER_REPLAY_REQ:
		m->stream = pt_rnd_u(UINT64_MAX);
		m->seq = 1 + pt_rnd_u(UINT64_MAX - 1);
		pt_rnd_group(a, m);
		break;
	case PROTO_PEER_QUERY: {
		struct proto_query q;
		size_t qlen;
		uint8_t *buf = pt_alloc(a, PROTO_QUERY_WIRE_MAX);
		proto_query_init(&q);
		q.name_len = (uint16_t)pt_rnd_name(q.name);
		q.ntypes = (uint8_t)pt_rnd(3);
		for (unsigned i = 0; i < q.ntypes; i++)
			q.types[i] = (uint16_t)(1 + pt_rnd(254));
		q.limit = pt_rnd_u(UINT64_MAX);
		if (proto_query_encode(&q, buf, PROTO_QUERY_WIRE_MAX, &qlen) != 0)
			abort();
		m->origin = NULL;
		m->origin_len = 0;
		m->query_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->hop_limit = (uint8_t)pt_rnd(PROTO_PEER_HOPS_MAX + 1);
		m->deadline_ms = (uint32_t)(1 + pt_rnd_u(PROTO_PEER_DEADLINE_MAX - 1));
		m->query = buf;
		m->query_len = (uint16_t)qlen;
		/* Now and then a client's query that names providers. */
		if (pt_rnd(3) == 0) {
			uint32_t n = (uint32_t)pt_rnd(PROTO_PEER_PROVIDERS_MAX + 1);
			uint8_t *raw = pt_alloc(a, (n + 1) * sizeof(char *) + 8);
			const char **names =
				(const char **)(void *)(raw + (8 - (uintptr_t)raw % 8) % 8);
			for (uint32_t i = 0; i < n; i++)
				names[i] = pt_rnd_text(a, 1 + pt_rnd(PROTO_PEER_ORIGIN_MAX), false);
			m->has_providers = true;
			m->providers = names;
			m->nproviders = n;
			m->prov_flags = (uint8_t)pt_rnd(2);
		}
		break;
	}
	case PROTO_PEER_QUERY_RESULT:
		m->origin = NULL;
		m->origin_len = 0;
		m->query_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->part = (uint32_t)pt_rnd_u(UINT32_MAX);
		m->final = pt_rnd(2);
		if (m->final) {
			m->status = (uint8_t)pt_rnd(PROTO_PEER_STATUS_MAX + 1);
			m->limited = pt_rnd(2);
		}
		if (m->final && pt_rnd(2)) {
			uint32_t n = (uint32_t)pt_rnd(pt_rnd(8) == 0 ? PROTO_PEER_SOURCES_MAX + 1 : 4);
			uint8_t *raw = pt_alloc(a, (n + 1) * sizeof(struct proto_peer_source) + 8);
			struct proto_peer_source *src =
				(struct proto_peer_source *)(void *)(raw + (8 - (uintptr_t)raw % 8) % 8);
			for (uint32_t i = 0; i < n; i++) {
				size_t nl = 1 + pt_rnd(PROTO_PEER_ORIGIN_MAX);
				size_t wl = pt_rnd(PROTO_PEER_REASON_MAX + 1);
				src[i].name = pt_rnd_text(a, nl, false);
				src[i].name_len = (uint8_t)nl;
				src[i].status = (uint8_t)pt_rnd(PROTO_PEER_SRC_STATUS_MAX + 1);
				src[i].rows = (uint32_t)pt_rnd_u(UINT32_MAX);
				src[i].why = pt_rnd_text(a, wl, false);
				src[i].why_len = (uint8_t)wl;
			}
			m->has_sources = true;
			m->sources = src;
			m->nsources = n;
		}
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		m->snapshot_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->stream = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->seq = pt_rnd_u(UINT64_MAX);
		pt_rnd_group(a, m);
		m->has_tlp = true;
		m->tlp = (uint8_t)pt_rnd(PROTO_PEER_TLP_MAX + 1);
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		m->snapshot_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->part = (uint32_t)pt_rnd_u(UINT32_MAX);
		break;
	case PROTO_PEER_SNAPSHOT_END:
		m->snapshot_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->parts = (uint32_t)pt_rnd_u(UINT32_MAX);
		m->total_rows = pt_rnd_u((uint64_t)m->parts * PROTO_PEER_ROWS_MAX);
		break;
	case PROTO_PEER_ERROR: {
		size_t len = pt_rnd(2) ? pt_rnd(40) : pt_rnd(PROTO_PEER_TEXT_MAX + 1);
		m->origin = NULL;
		m->origin_len = 0;
		m->code = (uint16_t)(1 + pt_rnd_u(65534));
		m->ref = pt_rnd_u(UINT64_MAX);
		m->text = pt_rnd_text(a, len, false);
		m->text_len = (uint16_t)len;
		break;
	}
	case PROTO_PEER_CONTROL: {
		size_t clen = 1 + pt_rnd(pt_rnd(4) == 0 ? PROTO_PEER_COMMAND_MAX : 12);
		size_t alen = pt_rnd(2) ? pt_rnd(40) : pt_rnd(PROTO_PEER_TEXT_MAX + 1);
		m->origin = NULL;
		m->origin_len = 0;
		m->request_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->command = pt_rnd_chars(a, clen, "abcdefghijklmnopqrstuvwxyz0123456789-");
		m->command_len = (uint8_t)clen;
		m->arg = pt_rnd_text(a, alen, false);
		m->arg_len = (uint16_t)alen;
		break;
	}
	case PROTO_PEER_CONTROL_RESULT: {
		/* Now and then (with big) a report over 64 KiB, or the largest. */
		size_t len = pt_rnd(2) ? pt_rnd(200) : pt_rnd(4000);
		if (big)
			len = pt_rnd(2) ? 65536 + pt_rnd(1000) : PROTO_PEER_REPORT_MAX;
		m->origin = NULL;
		m->origin_len = 0;
		m->request_id = 1 + pt_rnd_u(UINT64_MAX - 1);
		m->ok = pt_rnd(2);
		m->report = pt_rnd_text(a, len, true);
		m->report_len = (uint32_t)len;
		break;
	}
	}
	if (m->type == PROTO_PEER_OBS_BATCH || m->type == PROTO_PEER_SNAPSHOT_ROWS ||
	    m->type == PROTO_PEER_QUERY_RESULT) {
		uint32_t n = maxrows == 0 ? 0 : (uint32_t)pt_rnd(maxrows + 1);
		for (uint32_t i = 0; i < n; i++)
			pt_rnd_row(a, &rows[i], m->type == PROTO_PEER_QUERY_RESULT,
			           big && n < 8);
		m->rows = rows;
		m->nrows = n;
	}
}

/* Hex text to bytes (spaces and newlines ignored); -1 on a bad digit. */
static inline long
pt_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int half = -1;

	for (; *s != '\0'; s++) {
		int v;
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -1;
		if (half < 0) {
			half = v;
		} else {
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(half << 4 | v);
			half = -1;
		}
	}
	return half < 0 ? (long)n : -1;
}

#endif
