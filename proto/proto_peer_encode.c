/*
 * proto_peer_encode.c - the peer protocol encoder (doc/peer-protocol.md).
 *
 * Split out of proto_peer.c to keep files small: it writes by the same
 * layout table the decoder reads by and checks with the same rules
 * (proto_peer_impl.h), so what we send is exactly what we accept.
 */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "proto/proto_peer_impl.h"

/* Scalar fields of m to slots by the type's layout (slots_to_msg in
 * proto_peer.c is the way back). */
static void
msg_to_slots(const struct proto_peer_msg *m, struct slot s[FIELDS_MAX])
{
	memset(s, 0, sizeof(struct slot) * FIELDS_MAX);
	s[0].u = PROTO_PEER_VERSION;
	s[1].u = m->type;
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		s[3].u = m->stream;
		s[4].u = m->seq;
		s[6].p = (const uint8_t *)m->group;
		s[6].n = m->group_len;
		s[7].nil = !m->has_tlp;
		s[7].u = m->tlp;
		s[8].p = m->sensor;
		s[8].n = m->sensor_len;
		break;
	case PROTO_PEER_ACK:
		s[3].u = m->stream;
		s[4].u = m->seq;
		break;
	case PROTO_PEER_REPLAY_REQ:
	case PROTO_PEER_REPLAY_END:
		s[3].u = m->stream;
		s[4].u = m->seq;
		s[5].p = (const uint8_t *)m->group;
		s[5].n = m->group_len;
		break;
	case PROTO_PEER_QUERY:
		s[2].u = m->query_id;
		s[3].u = m->hop_limit;
		s[4].u = m->deadline_ms;
		s[5].p = m->query;
		s[5].n = m->query_len;
		s[7].u = m->prov_flags;
		break;
	case PROTO_PEER_QUERY_RESULT:
		s[2].u = m->query_id;
		s[3].u = m->part;
		s[4].u = m->final;
		s[5].u = m->status;
		s[6].u = m->limited;
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		s[3].u = m->snapshot_id;
		s[4].u = m->stream;
		s[5].u = m->seq;
		s[6].p = (const uint8_t *)m->group;
		s[6].n = m->group_len;
		s[7].u = m->tlp;
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		s[3].u = m->snapshot_id;
		s[4].u = m->part;
		break;
	case PROTO_PEER_SNAPSHOT_END:
		s[3].u = m->snapshot_id;
		s[4].u = m->parts;
		s[5].u = m->total_rows;
		break;
	case PROTO_PEER_ERROR:
		s[2].u = m->code;
		s[3].u = m->ref;
		s[4].p = (const uint8_t *)m->text;
		s[4].n = m->text_len;
		break;
	case PROTO_PEER_CONTROL:
		s[2].u = m->request_id;
		s[3].p = (const uint8_t *)m->command;
		s[3].n = m->command_len;
		s[4].p = (const uint8_t *)m->arg;
		s[4].n = m->arg_len;
		break;
	case PROTO_PEER_CONTROL_RESULT:
		s[2].u = m->request_id;
		s[3].u = m->ok;
		s[4].p = (const uint8_t *)m->report;
		s[4].n = m->report_len;
		break;
	}
	if (proto_peer_layouts[m->type].kind[2] == K_ORIGIN) {
		s[2].p = m->origin;
		s[2].n = m->origin_len;
	}
}

/* ---------------------------------------------------------------------
 * Encoder.
 */

struct peer_out {
	uint8_t *buf;
	size_t cap, len;
	int err;
};

static void
put(struct peer_out *o, const void *p, size_t n)
{
	if (o->err != 0)
		return;
	if (n > o->cap - o->len) {
		o->err = PROTO_ESPACE;
		return;
	}
	if (n > 0)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* A one-byte tag and an n-byte big-endian value (n may be 0). */
static void
put_tag(struct peer_out *o, uint8_t tag, uint64_t v, unsigned n)
{
	uint8_t b[9];

	b[0] = tag;
	for (unsigned i = 0; i < n; i++)
		b[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(o, b, 1 + n);
}

static size_t
uint_size(uint64_t v)
{
	return v <= 0x7f ? 1 : v <= UINT8_MAX ? 2 : v <= UINT16_MAX ? 3
	       : v <= UINT32_MAX ? 5 : 9;
}

static void
put_uint(struct peer_out *o, uint64_t v)
{
	if (v <= 0x7f)
		put_tag(o, (uint8_t)v, 0, 0);
	else if (v <= UINT8_MAX)
		put_tag(o, 0xcc, v, 1);
	else if (v <= UINT16_MAX)
		put_tag(o, 0xcd, v, 2);
	else if (v <= UINT32_MAX)
		put_tag(o, 0xce, v, 4);
	else
		put_tag(o, 0xcf, v, 8);
}

static size_t
bytes_size(size_t n, bool str)
{
	return (str && n <= 31 ? 1 : n <= UINT8_MAX ? 2 : n <= UINT16_MAX ? 3 : 5) + n;
}

static void
put_bytes(struct peer_out *o, const void *p, size_t n, bool str)
{
	if (str && n <= 31)
		put_tag(o, (uint8_t)(0xa0 | n), 0, 0);
	else if (n <= UINT8_MAX)
		put_tag(o, str ? 0xd9 : 0xc4, n, 1);
	else if (n <= UINT16_MAX)
		put_tag(o, str ? 0xda : 0xc5, n, 2);
	else
		put_tag(o, str ? 0xdb : 0xc6, n, 4);
	put(o, p, n);
}

static void
put_array(struct peer_out *o, size_t n)
{
	if (n <= 15)
		put_tag(o, (uint8_t)(0x90 | n), 0, 0);
	else if (n <= UINT16_MAX)
		put_tag(o, 0xdc, n, 2);
	else
		put_tag(o, 0xdd, n, 4);
}

size_t
proto_peer_row_size(const struct proto_peer_row *r, bool with_origin)
{
	const struct proto_obs *o = &r->obs;

	return bytes_size(o->name_len, false) + uint_size(o->rrtype) +
	       bytes_size(o->rdata_len, true) + uint_size(o->section) +
	       uint_size((uint64_t)o->time_first) + uint_size((uint64_t)o->time_last) +
	       uint_size(o->count) +
	       (o->bailiwick != NULL ? bytes_size(o->bailiwick_len, false) : 1) +
	       (with_origin ? bytes_size(r->origin_len, false) : 0);
}

size_t
proto_peer_sources_size(const struct proto_peer_msg *m)
{
	size_t n = 0;

	if (!m->has_sources)
		return 0;
	for (uint32_t i = 0; i < m->nsources; i++)
		n += bytes_size(m->sources[i].name_len, true) + uint_size(m->sources[i].status) +
		     uint_size(m->sources[i].rows) + bytes_size(m->sources[i].why_len, true);
	return n + 5; /* the array's header, at most */
}

static void
put_source(struct peer_out *o, const struct proto_peer_source *src)
{
	put_bytes(o, src->name, src->name_len, true);
	put_uint(o, src->status);
	put_uint(o, src->rows);
	put_bytes(o, src->why, src->why_len, true);
}

static void
put_row(struct peer_out *o, const struct proto_peer_row *r, bool with_origin)
{
	put_bytes(o, r->obs.name, r->obs.name_len, false);
	put_uint(o, r->obs.rrtype);
	put_bytes(o, r->obs.rdata, r->obs.rdata_len, true);
	put_uint(o, r->obs.section);
	put_uint(o, (uint64_t)r->obs.time_first);
	put_uint(o, (uint64_t)r->obs.time_last);
	put_uint(o, r->obs.count);
	if (r->obs.bailiwick != NULL)
		put_bytes(o, r->obs.bailiwick, r->obs.bailiwick_len, false);
	else
		put_tag(o, 0xc0, 0, 0);
	if (with_origin)
		put_bytes(o, r->origin, r->origin_len, false);
}

int
proto_peer_encode(const struct proto_peer_msg *m, uint8_t *buf, size_t cap,
                  size_t *len)
{
	struct peer_out o = { buf, cap > PROTO_PEER_MSG_MAX ? PROTO_PEER_MSG_MAX : cap, 0, 0 };
	bool with_origin = m->type == PROTO_PEER_QUERY_RESULT;
	const struct layout *lay;
	struct slot s[FIELDS_MAX];
	unsigned pos, field, n;
	const char *why;

	if (m->type < 1 || m->type > PROTO_PEER_TYPE_MAX)
		return PROTO_EINVAL;
	lay = &proto_peer_layouts[m->type];
	/* The optional last elements (QUERY_RESULT's sources, QUERY's providers
	 * and prov_flags) only when set: without them a message is what older
	 * receivers decode. */
	n = lay->n - ((m->type == PROTO_PEER_QUERY ? m->has_providers : m->has_sources)
	              ? 0 : lay->opt);
	msg_to_slots(m, s);
	/* The same bounds the decoder reads with, then the same rules. */
	for (unsigned i = 2; i < n; i++) {
		unsigned k = lay->kind[i];
		if (KIND_BYTES(k)) {
			if (s[i].n < proto_peer_kind_min(k) || s[i].n > proto_peer_kind_max(k) ||
			    (s[i].p == NULL && s[i].n != 0))
				return PROTO_EINVAL;
		} else if (k == K_ROWS) {
			if (m->nrows > PROTO_PEER_ROWS_MAX || (m->rows == NULL && m->nrows != 0))
				return PROTO_EINVAL;
			for (uint32_t r = 0; r < m->nrows; r++) {
				if (proto_peer_row_rules(&m->rows[r], with_origin, &field, &why) != 0)
					return PROTO_EINVAL;
			}
		} else if (k == K_PROVIDERS) {
			if (m->nproviders > PROTO_PEER_PROVIDERS_MAX ||
			    (m->providers == NULL && m->nproviders != 0))
				return PROTO_EINVAL;
			for (uint32_t j = 0; j < m->nproviders; j++) {
				const char *nm = m->providers[j];
				if (nm == NULL || !proto_peer_provider_ok(nm, strlen(nm)))
					return PROTO_EINVAL;
			}
		} else if (k == K_SOURCES) {
			if (m->nsources > PROTO_PEER_SOURCES_MAX ||
			    (m->sources == NULL && m->nsources != 0))
				return PROTO_EINVAL;
			for (uint32_t j = 0; j < m->nsources; j++)
				if (proto_peer_source_rules(&m->sources[j], &field, &why) != 0)
					return PROTO_EINVAL;
		} else if (s[i].u > proto_peer_kind_max(k)) {
			return PROTO_EINVAL;
		}
	}
	if (proto_peer_msg_rules(m, FIELDS_MAX, &pos, &why) != 0)
		return PROTO_EINVAL;

	put_array(&o, n);
	put_uint(&o, PROTO_PEER_VERSION);
	put_uint(&o, m->type);
	for (unsigned i = 2; i < n; i++) {
		unsigned k = lay->kind[i];
		if (KIND_BYTES(k)) {
			put_bytes(&o, s[i].p, s[i].n, KIND_STR(k));
		} else if (k == K_BOOL) {
			put_tag(&o, s[i].u ? 0xc3 : 0xc2, 0, 0);
		} else if (k == K_ROWS) {
			put_array(&o, (size_t)m->nrows *
			          (with_origin ? PROTO_PEER_RESULT_FIELDS : PROTO_PEER_ROW_FIELDS));
			for (uint32_t r = 0; r < m->nrows; r++)
				put_row(&o, &m->rows[r], with_origin);
		} else if (k == K_PROVIDERS) {
			put_array(&o, m->nproviders);
			for (uint32_t j = 0; j < m->nproviders; j++)
				put_bytes(&o, m->providers[j], strlen(m->providers[j]), true);
		} else if (k == K_SOURCES) {
			put_array(&o, (size_t)m->nsources * PROTO_PEER_SOURCE_FIELDS);
			for (uint32_t j = 0; j < m->nsources; j++)
				put_source(&o, &m->sources[j]);
		} else if (s[i].nil) {
			put_tag(&o, 0xc0, 0, 0);
		} else {
			put_uint(&o, s[i].u);
		}
	}
	if (o.err != 0)
		return o.err;
	*len = o.len;
	return 0;
}
