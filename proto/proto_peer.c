/*
 * proto_peer.c - peer protocol messages (doc/peer-protocol.md).
 *
 * One table gives each message type's layout: the msgpack kind of every
 * element by position. The decoder reads by that table into slots, the
 * encoder (proto_peer_encode.c) writes from slots by the same table, and
 * one function each (proto_peer_msg_rules, proto_peer_row_rules, in
 * proto_peer_rules.c) holds the rules on values, called by both: what we
 * send is exactly what we accept. The declarations the files share are in
 * proto_peer_impl.h.
 *
 * The decoder is msgpack of its own on purpose: msgpack-c's unpacker
 * allocates from a container's declared count before reading an element
 * (5 bytes, `dd 10 00 00 00`, ask it for 8 GiB). Here a declared count or
 * length is compared with the bytes left before anything else, and nothing
 * is ever allocated.
 */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_peer.h"
#include "proto/proto_peer_impl.h"

/* Each message type's layout. */
const struct layout proto_peer_layouts[PROTO_PEER_TYPE_MAX + 1] = {
	[PROTO_PEER_OBS_BATCH] = { 9, 0,
		{ 0, 0, K_ORIGIN, K_U64, K_U64, K_ROWS, K_GROUP0, K_U8_NIL, K_SENSOR },
		{ "version", "type", "origin", "stream", "seq", "rows", "group", "tlp",
		  "sensor" } },
	[PROTO_PEER_ACK] = { 5, 0, { 0, 0, K_ORIGIN, K_U64, K_U64 },
		{ "version", "type", "origin", "stream", "seq" } },
	[PROTO_PEER_QUERY] = { 8, 2, { 0, 0, K_U64, K_U8, K_U32, K_QUERY, K_PROVIDERS, K_U8 },
		{ "version", "type", "query_id", "hop_limit", "deadline_ms", "query", "providers",
		  "prov_flags" } },
	[PROTO_PEER_QUERY_RESULT] = { 9, 1,
		{ 0, 0, K_U64, K_U32, K_BOOL, K_U8, K_BOOL, K_ROWS, K_SOURCES },
		{ "version", "type", "query_id", "part", "final", "status",
		  "limited", "rows", "sources" } },
	[PROTO_PEER_REPLAY_REQ] = { 6, 0, { 0, 0, K_ORIGIN, K_U64, K_U64, K_GROUP },
		{ "version", "type", "origin", "stream", "from_seq", "group" } },
	[PROTO_PEER_REPLAY_END] = { 6, 0, { 0, 0, K_ORIGIN, K_U64, K_U64, K_GROUP },
		{ "version", "type", "origin", "stream", "last_seq", "group" } },
	[PROTO_PEER_SNAPSHOT_BEGIN] = { 8, 0,
		{ 0, 0, K_ORIGIN, K_U64, K_U64, K_U64, K_GROUP, K_U8 },
		{ "version", "type", "origin", "snapshot_id", "stream", "seq", "group",
		  "tlp" } },
	[PROTO_PEER_SNAPSHOT_ROWS] = { 6, 0, { 0, 0, K_ORIGIN, K_U64, K_U32, K_ROWS },
		{ "version", "type", "origin", "snapshot_id", "part", "rows" } },
	[PROTO_PEER_SNAPSHOT_END] = { 6, 0, { 0, 0, K_ORIGIN, K_U64, K_U32, K_U64 },
		{ "version", "type", "origin", "snapshot_id", "parts", "total_rows" } },
	[PROTO_PEER_ERROR] = { 5, 0, { 0, 0, K_U16, K_U64, K_TEXT },
		{ "version", "type", "code", "ref", "text" } },
	[PROTO_PEER_CONTROL] = { 5, 0, { 0, 0, K_U64, K_COMMAND, K_TEXT },
		{ "version", "type", "request_id", "command", "argument" } },
	[PROTO_PEER_CONTROL_RESULT] = { 5, 0, { 0, 0, K_U64, K_BOOL, K_REPORT },
		{ "version", "type", "request_id", "ok", "report" } },
};

static const char *const type_names[PROTO_PEER_TYPE_MAX + 1] = {
	[PROTO_PEER_OBS_BATCH] = "OBS_BATCH",
	[PROTO_PEER_ACK] = "ACK",
	[PROTO_PEER_QUERY] = "QUERY",
	[PROTO_PEER_QUERY_RESULT] = "QUERY_RESULT",
	[PROTO_PEER_REPLAY_REQ] = "REPLAY_REQ",
	[PROTO_PEER_REPLAY_END] = "REPLAY_END",
	[PROTO_PEER_SNAPSHOT_BEGIN] = "SNAPSHOT_BEGIN",
	[PROTO_PEER_SNAPSHOT_ROWS] = "SNAPSHOT_ROWS",
	[PROTO_PEER_SNAPSHOT_END] = "SNAPSHOT_END",
	[PROTO_PEER_ERROR] = "ERROR",
	[PROTO_PEER_CONTROL] = "CONTROL",
	[PROTO_PEER_CONTROL_RESULT] = "CONTROL_RESULT",
};

static const char *const source_names[PROTO_PEER_SOURCE_FIELDS] = {
	"source name", "source status", "source rows", "source reason",
};

static const char *const source_status_names[PROTO_PEER_SRC_STATUS_MAX + 1] = {
	"answered", "limited", "refused", "timed out", "error",
};

const char *
proto_peer_source_status_name(unsigned status)
{
	return status <= PROTO_PEER_SRC_STATUS_MAX ? source_status_names[status] : NULL;
}

static const char *const row_names[PROTO_PEER_RESULT_FIELDS] = {
	"rrname", "rrtype", "rdata", "section", "time_first", "time_last",
	"count", "bailiwick", "origin",
};

const char *
proto_peer_type_name(unsigned type)
{
	return type >= 1 && type <= PROTO_PEER_TYPE_MAX ? type_names[type] : NULL;
}

/* ---------------------------------------------------------------------
 * Decoder.
 */

/*
 * Slots to the scalar fields of m (proto_peer_encode.c has the way there).
 * The decoder's reads already bound every slot to its kind's width.
 */
static void
slots_to_msg(struct proto_peer_msg *m, const struct slot s[FIELDS_MAX])
{
	if (proto_peer_layouts[m->type].kind[2] == K_ORIGIN) {
		m->origin = s[2].p;
		m->origin_len = (uint8_t)s[2].n;
	}
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		m->stream = s[3].u;
		m->seq = s[4].u;
		m->group = (const char *)s[6].p;
		m->group_len = (uint8_t)s[6].n;
		m->has_tlp = !s[7].nil;
		m->tlp = (uint8_t)s[7].u;
		m->sensor = s[8].p;
		m->sensor_len = (uint8_t)s[8].n;
		break;
	case PROTO_PEER_ACK:
		m->stream = s[3].u;
		m->seq = s[4].u;
		break;
	case PROTO_PEER_REPLAY_REQ:
	case PROTO_PEER_REPLAY_END:
		m->stream = s[3].u;
		m->seq = s[4].u;
		m->group = (const char *)s[5].p;
		m->group_len = (uint8_t)s[5].n;
		break;
	case PROTO_PEER_QUERY:
		m->query_id = s[2].u;
		m->hop_limit = (uint8_t)s[3].u;
		m->deadline_ms = (uint32_t)s[4].u;
		m->query = s[5].p;
		m->query_len = (uint16_t)s[5].n;
		m->prov_flags = (uint8_t)s[7].u;
		break;
	case PROTO_PEER_QUERY_RESULT:
		m->query_id = s[2].u;
		m->part = (uint32_t)s[3].u;
		m->final = s[4].u != 0;
		m->status = (uint8_t)s[5].u;
		m->limited = s[6].u != 0;
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		m->snapshot_id = s[3].u;
		m->stream = s[4].u;
		m->seq = s[5].u;
		m->group = (const char *)s[6].p;
		m->group_len = (uint8_t)s[6].n;
		m->has_tlp = true;
		m->tlp = (uint8_t)s[7].u;
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		m->snapshot_id = s[3].u;
		m->part = (uint32_t)s[4].u;
		break;
	case PROTO_PEER_SNAPSHOT_END:
		m->snapshot_id = s[3].u;
		m->parts = (uint32_t)s[4].u;
		m->total_rows = s[5].u;
		break;
	case PROTO_PEER_ERROR:
		m->code = (uint16_t)s[2].u;
		m->ref = s[3].u;
		m->text = (const char *)s[4].p;
		m->text_len = (uint16_t)s[4].n;
		break;
	case PROTO_PEER_CONTROL:
		m->request_id = s[2].u;
		m->command = (const char *)s[3].p;
		m->command_len = (uint8_t)s[3].n;
		m->arg = (const char *)s[4].p;
		m->arg_len = (uint16_t)s[4].n;
		break;
	case PROTO_PEER_CONTROL_RESULT:
		m->request_id = s[2].u;
		m->ok = s[3].u != 0;
		m->report = (const char *)s[4].p;
		m->report_len = (uint32_t)s[4].n;
		break;
	}
}

struct peer_in {
	struct wire w;
	const char *field, *why;
	size_t at;
};

static int
fail(struct peer_in *in, size_t at, int err, const char *field, const char *why)
{
	if (in->why == NULL) {
		in->at = at;
		in->field = field;
		in->why = why;
	}
	return err;
}

static uint64_t
get_u64(struct wire *w)
{
	uint64_t hi = wire_u32(w);

	return hi << 32 | wire_u32(w);
}

/*
 * An integer in 0..max, in any msgpack integer format (positive fixint,
 * uint 8..64, or int 8..64 holding a value that is not negative).
 */
static int
rd_uint(struct peer_in *in, const char *field, uint64_t max, uint64_t *v)
{
	size_t at = in->w.pos;
	uint8_t t = wire_u8(&in->w);
	int64_t s = 0;
	bool sig = false;

	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (t <= 0x7f) {
		*v = t;
	} else if (t >= 0xe0) {
		return fail(in, at, PROTO_EINVAL, field, "negative integer");
	} else {
		switch (t) {
		case 0xcc: *v = wire_u8(&in->w); break;
		case 0xcd: *v = wire_u16(&in->w); break;
		case 0xce: *v = wire_u32(&in->w); break;
		case 0xcf: *v = get_u64(&in->w); break;
		case 0xd0: s = (int8_t)wire_u8(&in->w); sig = true; break;
		case 0xd1: s = (int16_t)wire_u16(&in->w); sig = true; break;
		case 0xd2: s = (int32_t)wire_u32(&in->w); sig = true; break;
		case 0xd3: s = (int64_t)get_u64(&in->w); sig = true; break;
		default:
			return fail(in, at, PROTO_EINVAL, field, "not an integer");
		}
		if (in->w.err != 0)
			return fail(in, at, PROTO_ETRUNC, field, "truncated");
		if (sig) {
			if (s < 0)
				return fail(in, at, PROTO_EINVAL, field, "negative integer");
			*v = (uint64_t)s;
		}
	}
	if (*v > max)
		return fail(in, at, PROTO_EINVAL, field, "integer out of range");
	return 0;
}

static int
rd_bool(struct peer_in *in, const char *field, uint64_t *v)
{
	size_t at = in->w.pos;
	uint8_t t = wire_u8(&in->w);

	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (t != 0xc2 && t != 0xc3)
		return fail(in, at, PROTO_EINVAL, field, "not a bool");
	*v = t == 0xc3;
	return 0;
}

/*
 * A bin (str false) or str (str true) of min..max octets. The declared
 * length is compared with the bytes left before the limit, so a bin 32
 * claiming 4 GiB is "runs past the end", not a range error.
 */
static int
rd_bytes(struct peer_in *in, const char *field, bool str, size_t min, size_t max,
         const uint8_t **p, size_t *n)
{
	size_t at = in->w.pos;
	uint8_t t = wire_u8(&in->w);
	size_t len;

	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (str && t >= 0xa0 && t <= 0xbf)
		len = t & 0x1fu;
	else if (t == (str ? 0xd9 : 0xc4))
		len = wire_u8(&in->w);
	else if (t == (str ? 0xda : 0xc5))
		len = wire_u16(&in->w);
	else if (t == (str ? 0xdb : 0xc6))
		len = wire_u32(&in->w);
	else
		return fail(in, at, PROTO_EINVAL, field, str ? "not a str" : "not a bin");
	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (len > wire_left(&in->w))
		return fail(in, at, PROTO_ETRUNC, field, "length runs past the end");
	if (len < min || len > max)
		return fail(in, at, PROTO_EINVAL, field, "length out of range");
	*p = wire_take(&in->w, len);
	*n = len;
	return 0;
}

/* An array header whose count is checked against the bytes left (every
 * element takes at least one byte). */
static int
rd_array(struct peer_in *in, const char *field, size_t *n, int badtype)
{
	size_t at = in->w.pos;
	uint8_t t = wire_u8(&in->w);

	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (t >= 0x90 && t <= 0x9f)
		*n = t & 0x0fu;
	else if (t == 0xdc)
		*n = wire_u16(&in->w);
	else if (t == 0xdd)
		*n = wire_u32(&in->w);
	else
		return fail(in, at, badtype, field, "not an array");
	if (in->w.err != 0)
		return fail(in, at, PROTO_ETRUNC, field, "truncated");
	if (*n > wire_left(&in->w))
		return fail(in, at, PROTO_ETRUNC, field, "count runs past the end");
	return 0;
}

/* One row: PROTO_PEER_ROW_FIELDS elements (+ origin), then its rules. */
static int
rd_row(struct peer_in *in, bool with_origin, struct proto_peer_row *r)
{
	struct proto_obs *o = &r->obs;
	size_t at[PROTO_PEER_RESULT_FIELDS];
	const uint8_t *p;
	size_t n;
	uint64_t v;
	unsigned field;
	const char *why;
	int err;

	memset(r, 0, sizeof(*r));
	at[0] = in->w.pos;
	if ((err = rd_bytes(in, row_names[0], false, 1, PROTO_NAME_MAX, &p, &n)) != 0)
		return err;
	o->name = p;
	o->name_len = (uint32_t)n;
	at[1] = in->w.pos;
	if ((err = rd_uint(in, row_names[1], UINT16_MAX, &v)) != 0)
		return err;
	o->rrtype = (uint16_t)v;
	at[2] = in->w.pos;
	if ((err = rd_bytes(in, row_names[2], true, 0, PROTO_PEER_RDATA_MAX, &p, &n)) != 0)
		return err;
	o->rdata = (const char *)p;
	o->rdata_len = (uint32_t)n;
	at[3] = in->w.pos;
	if ((err = rd_uint(in, row_names[3], UINT8_MAX, &v)) != 0)
		return err;
	o->section = (uint8_t)v;
	at[4] = in->w.pos;
	if ((err = rd_uint(in, row_names[4], INT64_MAX, &v)) != 0)
		return err;
	o->time_first = (int64_t)v;
	at[5] = in->w.pos;
	if ((err = rd_uint(in, row_names[5], INT64_MAX, &v)) != 0)
		return err;
	o->time_last = (int64_t)v;
	at[6] = in->w.pos;
	if ((err = rd_uint(in, row_names[6], UINT64_MAX, &o->count)) != 0)
		return err;
	at[7] = in->w.pos;
	if (wire_left(&in->w) > 0 && in->w.buf[in->w.pos] == 0xc0) {
		wire_skip(&in->w, 1);
	} else {
		if ((err = rd_bytes(in, row_names[7], false, 1, PROTO_NAME_MAX, &p, &n)) != 0)
			return err;
		o->bailiwick = p;
		o->bailiwick_len = (uint32_t)n;
	}
	at[8] = in->w.pos;
	if (with_origin) {
		if ((err = rd_bytes(in, row_names[8], false, 1, PROTO_PEER_ORIGIN_MAX,
		                    &p, &n)) != 0)
			return err;
		r->origin = p;
		r->origin_len = (uint8_t)n;
	}
	if ((err = proto_peer_row_rules(r, with_origin, &field, &why)) != 0)
		return fail(in, at[field], err, row_names[field], why);
	return 0;
}

static int
rd_rows(struct peer_in *in, struct proto_peer_msg *m, struct proto_peer_row *rows,
        size_t cap)
{
	bool with_origin = m->type == PROTO_PEER_QUERY_RESULT;
	size_t stride = with_origin ? PROTO_PEER_RESULT_FIELDS : PROTO_PEER_ROW_FIELDS;
	size_t at = in->w.pos, n, start;
	struct proto_peer_row scratch;
	int err;

	if ((err = rd_array(in, "rows", &n, PROTO_EINVAL)) != 0)
		return err;
	if (n % stride != 0)
		return fail(in, at, PROTO_EINVAL, "rows",
		            with_origin ? "element count not a multiple of 9"
		                        : "element count not a multiple of 8");
	if (n / stride > PROTO_PEER_ROWS_MAX)
		return fail(in, at, PROTO_EINVAL, "rows", "more than 10000 rows");
	if (rows != NULL && n / stride > cap)
		return fail(in, at, PROTO_ESPACE, "rows", "more rows than the caller's array");
	start = in->w.pos;
	for (size_t i = 0; i < n / stride; i++) {
		if ((err = rd_row(in, with_origin, rows != NULL ? &rows[i] : &scratch)) != 0)
			return err;
	}
	m->rows = rows;
	m->nrows = (uint32_t)(n / stride);
	m->rows_buf = in->w.buf + start;
	m->rows_len = in->w.pos - start;
	return 0;
}

/* QUERY_RESULT's sources: a flat array of nsources * 4 elements. */
static int
rd_source(struct peer_in *in, struct proto_peer_source *src)
{
	size_t at[PROTO_PEER_SOURCE_FIELDS];
	const uint8_t *p;
	size_t n;
	uint64_t v;
	unsigned field;
	const char *why;
	int err;

	memset(src, 0, sizeof(*src));
	at[0] = in->w.pos;
	if ((err = rd_bytes(in, source_names[0], true, 1, PROTO_PEER_ORIGIN_MAX, &p, &n)) != 0)
		return err;
	src->name = (const char *)p;
	src->name_len = (uint8_t)n;
	at[1] = in->w.pos;
	if ((err = rd_uint(in, source_names[1], UINT8_MAX, &v)) != 0)
		return err;
	src->status = (uint8_t)v;
	at[2] = in->w.pos;
	if ((err = rd_uint(in, source_names[2], UINT32_MAX, &v)) != 0)
		return err;
	src->rows = (uint32_t)v;
	at[3] = in->w.pos;
	if ((err = rd_bytes(in, source_names[3], true, 0, PROTO_PEER_REASON_MAX, &p, &n)) != 0)
		return err;
	src->why = (const char *)p;
	src->why_len = (uint8_t)n;
	if ((err = proto_peer_source_rules(src, &field, &why)) != 0)
		return fail(in, at[field], err, source_names[field], why);
	return 0;
}

static int
rd_sources(struct peer_in *in, struct proto_peer_msg *m)
{
	struct proto_peer_source scratch;
	size_t at = in->w.pos, n, start;
	int err;

	if ((err = rd_array(in, "sources", &n, PROTO_EINVAL)) != 0)
		return err;
	if (n % PROTO_PEER_SOURCE_FIELDS != 0)
		return fail(in, at, PROTO_EINVAL, "sources", "element count not a multiple of 4");
	if (n / PROTO_PEER_SOURCE_FIELDS > PROTO_PEER_SOURCES_MAX)
		return fail(in, at, PROTO_EINVAL, "sources", "more than 64 sources");
	start = in->w.pos;
	for (size_t i = 0; i < n / PROTO_PEER_SOURCE_FIELDS; i++)
		if ((err = rd_source(in, &scratch)) != 0)
			return err;
	m->has_sources = true;
	m->nsources = (uint32_t)(n / PROTO_PEER_SOURCE_FIELDS);
	m->sources_buf = in->w.buf + start;
	m->sources_len = in->w.pos - start;
	return 0;
}

/* QUERY's providers: 0..16 names of 1..32 printable characters. */
static int
rd_name(struct peer_in *in, const char **name, size_t *len)
{
	size_t at = in->w.pos;
	const uint8_t *p;
	int err;

	if ((err = rd_bytes(in, "provider", true, 1, PROTO_PEER_ORIGIN_MAX, &p, len)) != 0)
		return err;
	if (!proto_peer_provider_ok((const char *)p, *len))
		return fail(in, at, PROTO_EINVAL, "provider", "not printable ASCII");
	*name = (const char *)p;
	return 0;
}

static int
rd_providers(struct peer_in *in, struct proto_peer_msg *m)
{
	size_t at = in->w.pos, n, start, len;
	const char *name;
	int err;

	if ((err = rd_array(in, "providers", &n, PROTO_EINVAL)) != 0)
		return err;
	if (n > PROTO_PEER_PROVIDERS_MAX)
		return fail(in, at, PROTO_EINVAL, "providers", "more than 16 providers");
	start = in->w.pos;
	for (size_t i = 0; i < n; i++)
		if ((err = rd_name(in, &name, &len)) != 0)
			return err;
	m->has_providers = true;
	m->nproviders = (uint32_t)n;
	m->providers_buf = in->w.buf + start;
	m->providers_len = in->w.pos - start;
	return 0;
}

static int
decode(struct peer_in *in, struct proto_peer_msg *m, struct proto_peer_row *rows,
       size_t cap)
{
	const struct layout *lay;
	struct slot s[FIELDS_MAX];
	size_t at[FIELDS_MAX], n;
	unsigned pos;
	const char *why;
	int err;

	memset(s, 0, sizeof(s));
	if (in->w.len > PROTO_PEER_MSG_MAX)
		return fail(in, 0, PROTO_EINVAL, "message", "larger than 4 MiB");
	if ((err = rd_array(in, "message", &n, PROTO_EFORMAT)) != 0)
		return err;
	if (n == 0)
		return fail(in, 0, PROTO_EFORMAT, "message", "empty array");
	/* The version first: another version may have other layouts. */
	at[0] = in->w.pos;
	if ((err = rd_uint(in, "version", UINT64_MAX, &m->version)) != 0)
		return err == PROTO_ETRUNC ? err : PROTO_EFORMAT;
	if (m->version != PROTO_PEER_VERSION)
		return fail(in, at[0], PROTO_EFORMAT, "version",
		            "unknown protocol version (this decoder knows 1)");
	if (n < 2)
		return fail(in, 0, PROTO_EINVAL, "message", "no message type");
	at[1] = in->w.pos;
	if ((err = rd_uint(in, "type", UINT64_MAX, &s[1].u)) != 0)
		return err;
	if (s[1].u < 1 || s[1].u > PROTO_PEER_TYPE_MAX)
		return fail(in, at[1], PROTO_EINVAL, "type", "unknown message type");
	m->type = (uint8_t)s[1].u;
	lay = &proto_peer_layouts[m->type];
	/* The trailing elements of lay->opt may be left out (older senders). */
	if (n > lay->n || n < (size_t)(lay->n - lay->opt))
		return fail(in, 0, PROTO_EINVAL, "message",
		            "wrong number of elements for its type");
	/* QUERY's providers and prov_flags come together or not at all. */
	if (m->type == PROTO_PEER_QUERY && n == 7u)
		return fail(in, 0, PROTO_EINVAL, "message", "providers without prov_flags");
	for (unsigned i = 2; i < n; i++) {
		unsigned k = lay->kind[i];
		at[i] = in->w.pos;
		if (KIND_BYTES(k)) {
			err = rd_bytes(in, lay->name[i], KIND_STR(k), proto_peer_kind_min(k),
			               proto_peer_kind_max(k), &s[i].p, &s[i].n);
		} else if (k == K_BOOL) {
			err = rd_bool(in, lay->name[i], &s[i].u);
		} else if (k == K_ROWS) {
			/* Check the scalars before the rows first, so a bad
			 * header costs no row. */
			slots_to_msg(m, s);
			if ((err = proto_peer_msg_rules(m, i, &pos, &why)) != 0)
				return fail(in, at[pos], err, lay->name[pos], why);
			err = rd_rows(in, m, rows, cap);
		} else if (k == K_SOURCES) {
			err = rd_sources(in, m);
		} else if (k == K_PROVIDERS) {
			err = rd_providers(in, m);
		} else if (k == K_U8_NIL && wire_left(&in->w) > 0 &&
		           in->w.buf[in->w.pos] == 0xc0) {
			wire_skip(&in->w, 1);
			s[i].nil = true;
			err = 0;
		} else {
			err = rd_uint(in, lay->name[i], proto_peer_kind_max(k), &s[i].u);
		}
		if (err != 0)
			return err;
	}
	slots_to_msg(m, s);
	if ((err = proto_peer_msg_rules(m, lay->n, &pos, &why)) != 0)
		return fail(in, at[pos], err, lay->name[pos], why);
	if (wire_left(&in->w) != 0)
		return fail(in, in->w.pos, PROTO_EINVAL, "message", "trailing bytes");
	return 0;
}

int
proto_peer_decode(struct proto_peer_msg *m, const uint8_t *buf, size_t len,
                  struct proto_peer_row *rows, size_t cap)
{
	struct peer_in in = { .why = NULL };
	int err;

	memset(m, 0, sizeof(*m));
	wire_init(&in.w, buf, len);
	err = decode(&in, m, rows, cap);
	if (err != 0) {
		/* Nothing half-decoded is left for a careless caller to use. */
		uint64_t version = m->version;
		memset(m, 0, sizeof(*m));
		m->version = version;
		m->field = in.field;
		m->why = in.why;
		m->at = in.at;
	}
	return err;
}

void
proto_peer_sources_init(struct proto_peer_sources *it, const struct proto_peer_msg *m)
{
	wire_init(&it->w, m->sources_buf, m->sources_len);
	it->left = m->nsources;
}

int
proto_peer_sources_next(struct proto_peer_sources *it, struct proto_peer_source *src)
{
	struct peer_in in = { .w = it->w, .why = NULL };
	int err;

	if (it->left == 0)
		return 0;
	if ((err = rd_source(&in, src)) != 0) {
		it->left = 0;
		return err;
	}
	it->w = in.w;
	it->left--;
	return 1;
}

void
proto_peer_providers_init(struct proto_peer_names *it, const struct proto_peer_msg *m)
{
	wire_init(&it->w, m->providers_buf, m->providers_len);
	it->left = m->nproviders;
}

int
proto_peer_providers_next(struct proto_peer_names *it, const char **name, size_t *len)
{
	struct peer_in in = { .w = it->w, .why = NULL };
	int err;

	if (it->left == 0)
		return 0;
	if ((err = rd_name(&in, name, len)) != 0) {
		it->left = 0;
		return err;
	}
	it->w = in.w;
	it->left--;
	return 1;
}

void
proto_peer_rows_init(struct proto_peer_rows *it, const struct proto_peer_msg *m)
{
	wire_init(&it->w, m->rows_buf, m->rows_len);
	it->left = m->nrows;
	it->with_origin = m->type == PROTO_PEER_QUERY_RESULT;
}

int
proto_peer_rows_next(struct proto_peer_rows *it, struct proto_peer_row *row)
{
	struct peer_in in = { .w = it->w, .why = NULL };
	int err;

	if (it->left == 0)
		return 0;
	/* The same reader as the decoder: the two cannot disagree. */
	if ((err = rd_row(&in, it->with_origin, row)) != 0) {
		it->left = 0;
		return err;
	}
	it->w = in.w;
	it->left--;
	return 1;
}

/* ---------------------------------------------------------------------
 * Sequence rules.
 */

enum proto_peer_verdict
proto_peer_verdict(uint64_t cur_stream, uint64_t cur_seq, uint64_t stream,
                   uint64_t seq)
{
	if (cur_stream == 0 || stream != cur_stream)
		return PROTO_PEER_RESYNC;
	if (seq <= cur_seq)
		return PROTO_PEER_DUP;
	/* seq > cur_seq here, so cur_seq + 1 cannot wrap. */
	return seq == cur_seq + 1 ? PROTO_PEER_APPLY : PROTO_PEER_RESYNC;
}

bool
proto_peer_replay_ok(uint64_t cur_stream, uint64_t cur_seq, uint64_t log_first,
                     uint64_t stream, uint64_t from)
{
	return stream != 0 && stream == cur_stream && from >= 1 &&
	       from >= log_first && from - 1 <= cur_seq;
}
