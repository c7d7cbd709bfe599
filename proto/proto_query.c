/*
 * proto_query.c - the query value: defaults, wire encoding, row filter.
 *
 * Wire layout, version 1. Integers are big-endian; every field is present,
 * in this order; a length or count is checked against the bytes left before
 * anything is read with it, and decoding fails on trailing bytes:
 *
 *   u8   version            1
 *   u8   kind               enum proto_query_kind (1..5)
 *   u8   match              enum proto_query_match (0..2); 0 unless the
 *                           kind takes a name (RRSET, RDATA_NAME, NXDOMAIN)
 *   u8   name_len           0..255; then name_len octets of name:
 *                           EXACT and LEFT: a wire name ending in the root
 *                           label; RIGHT: labels without the root label;
 *                           empty exactly when the kind takes no name
 *   u8   family             0, 4 or 6 (4 or 6 exactly for RDATA_IP); then
 *                           addr_lo and addr_hi, 4 or 16 octets each,
 *                           addr_lo <= addr_hi
 *   u16  raw_len            0..1024 (0 unless RDATA_RAW); then raw octets
 *   u8   ntypes             0..8; then ntypes u16 types, none 0; ANY only
 *                           alone
 *   u8   bailiwick_len      0 or a wire name's length; then its octets
 *   u8   fences             PROTO_F_* bits (0..15); then one i64 for each
 *                           set bit, lowest bit first (first_after,
 *                           first_before, last_after, last_before)
 *   u8   sections           PROTO_QS_* bits, nothing else
 *   u64  limit
 *   u64  offset
 *
 * Names are lowercased on decode (they are compared in lowercase), so a peer
 * that sends mixed case gets the answer it meant. The largest encoding is
 * 1,642 octets, under PROTO_QUERY_WIRE_MAX.
 */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_query.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_obs.h"
#include "proto/proto_wire.h"

#define PROTO_QUERY_VERSION 1

void
proto_query_init(struct proto_query *q)
{
	memset(q, 0, sizeof(*q));
	q->kind = PROTO_Q_RRSET;
	q->match = PROTO_M_EXACT;
	q->sections = PROTO_QS_ANSWER;
}

/* A writer with the same sticky-error habit as struct wire. */
struct proto_query_out {
	uint8_t *buf;
	size_t cap, len;
	int err;
};

static void
proto_query_put(struct proto_query_out *o, const void *p, size_t n)
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

static void
proto_query_put_u8(struct proto_query_out *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	proto_query_put(o, &b, 1);
}

static void
proto_query_put_u16(struct proto_query_out *o, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	proto_query_put(o, b, 2);
}

static void
proto_query_put_u64(struct proto_query_out *o, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	proto_query_put(o, b, 8);
}

static uint64_t
proto_query_get_u64(struct wire *w)
{
	uint64_t hi = wire_u32(w);

	return hi << 32 | wire_u32(w);
}


static size_t
proto_query_addr_len(unsigned family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

int
proto_query_encode(const struct proto_query *q, uint8_t *buf, size_t cap,
                   size_t *len)
{
	struct proto_query_out o = { buf, cap, 0, 0 };
	size_t alen = proto_query_addr_len(q->family);

	if (q->name_len > PROTO_NAME_MAX || q->bailiwick_len > PROTO_NAME_MAX ||
	    q->raw_len > PROTO_QUERY_RAW_MAX || q->ntypes > PROTO_QUERY_MAX_TYPES)
		return PROTO_EINVAL;
	proto_query_put_u8(&o, PROTO_QUERY_VERSION);
	proto_query_put_u8(&o, q->kind);
	proto_query_put_u8(&o, q->match);
	proto_query_put_u8(&o, q->name_len);
	proto_query_put(&o, q->name, q->name_len);
	proto_query_put_u8(&o, q->family);
	proto_query_put(&o, q->addr_lo, alen);
	proto_query_put(&o, q->addr_hi, alen);
	proto_query_put_u16(&o, q->raw_len);
	proto_query_put(&o, q->raw, q->raw_len);
	proto_query_put_u8(&o, q->ntypes);
	for (unsigned i = 0; i < q->ntypes; i++)
		proto_query_put_u16(&o, q->types[i]);
	proto_query_put_u8(&o, q->bailiwick_len);
	proto_query_put(&o, q->bailiwick, q->bailiwick_len);
	proto_query_put_u8(&o, q->fences);
	/* Fence values in bit order: PROTO_F_FIRST_AFTER is bit 0. */
	const int64_t fence[4] = { q->first_after, q->first_before,
	                           q->last_after, q->last_before };
	for (int i = 0; i < 4; i++) {
		if (q->fences & (1u << i))
			proto_query_put_u64(&o, (uint64_t)fence[i]);
	}
	proto_query_put_u8(&o, q->sections);
	proto_query_put_u64(&o, q->limit);
	proto_query_put_u64(&o, q->offset);
	if (o.err != 0)
		return o.err;
	*len = o.len;
	return 0;
}

/*
 * Check labels of p[0..n) and lowercase them in place. With root, the name
 * must end with the root label exactly at n; without, it is labels only
 * (a right-wildcard prefix) and must not be empty.
 */
static bool
proto_query_labels_ok(uint8_t *p, size_t n, bool root)
{
	size_t i = 0;

	if (n == 0 || n > PROTO_NAME_MAX)
		return false;
	while (i < n) {
		uint8_t l = p[i++];
		if (l == 0)
			return root && i == n;
		if (l > 63 || l > n - i)
			return false;
		for (size_t k = i; k < i + l; k++) {
			if (p[k] >= 'A' && p[k] <= 'Z')
				p[k] = (uint8_t)(p[k] + 32);
		}
		i += l;
	}
	/* Labels only: room must remain for the root label a store adds. */
	return !root && n < PROTO_NAME_MAX;
}

static bool
proto_query_kind_has_name(unsigned kind)
{
	return kind == PROTO_Q_RRSET || kind == PROTO_Q_RDATA_NAME ||
	       kind == PROTO_Q_NXDOMAIN;
}

int
proto_query_decode(struct proto_query *q, const uint8_t *buf, size_t len)
{
	struct wire w;
	const uint8_t *p;
	size_t alen;

	proto_query_init(q);
	wire_init(&w, buf, len);
	if (wire_u8(&w) != PROTO_QUERY_VERSION && w.err == 0)
		return PROTO_EINVAL;
	q->kind = wire_u8(&w);
	q->match = wire_u8(&w);
	q->name_len = wire_u8(&w);
	if ((p = wire_take(&w, q->name_len)) != NULL)
		memcpy(q->name, p, q->name_len);
	q->family = wire_u8(&w);
	alen = proto_query_addr_len(q->family);
	if ((p = wire_take(&w, 2 * alen)) != NULL) {
		memcpy(q->addr_lo, p, alen);
		memcpy(q->addr_hi, p + alen, alen);
	}
	q->raw_len = wire_u16(&w);
	if (q->raw_len > PROTO_QUERY_RAW_MAX)
		return w.err != 0 ? w.err : PROTO_EINVAL;
	if ((p = wire_take(&w, q->raw_len)) != NULL)
		memcpy(q->raw, p, q->raw_len);
	q->ntypes = wire_u8(&w);
	if (q->ntypes > PROTO_QUERY_MAX_TYPES)
		return w.err != 0 ? w.err : PROTO_EINVAL;
	for (unsigned i = 0; i < q->ntypes; i++)
		q->types[i] = wire_u16(&w);
	q->bailiwick_len = wire_u8(&w);
	if ((p = wire_take(&w, q->bailiwick_len)) != NULL)
		memcpy(q->bailiwick, p, q->bailiwick_len);
	q->fences = wire_u8(&w);
	int64_t *fence[4] = { &q->first_after, &q->first_before,
	                      &q->last_after, &q->last_before };
	for (int i = 0; i < 4; i++) {
		if (q->fences & (1u << i))
			*fence[i] = (int64_t)proto_query_get_u64(&w);
	}
	q->sections = wire_u8(&w);
	q->limit = proto_query_get_u64(&w);
	q->offset = proto_query_get_u64(&w);
	if (w.err != 0)
		return w.err;
	if (wire_left(&w) != 0)
		return PROTO_EINVAL;

	/* Every field read; now whether they make one sensible query. */
	if (q->kind < PROTO_Q_RRSET || q->kind > PROTO_Q_NXDOMAIN ||
	    q->match > PROTO_M_RIGHT || q->fences > 15 ||
	    (q->sections & ~PROTO_QS_ALL) != 0)
		return PROTO_EINVAL;
	if (proto_query_kind_has_name(q->kind)) {
		if (!proto_query_labels_ok(q->name, q->name_len,
		                           q->match != PROTO_M_RIGHT))
			return PROTO_EINVAL;
	} else if (q->match != PROTO_M_EXACT || q->name_len != 0) {
		return PROTO_EINVAL;
	}
	if (q->kind == PROTO_Q_RDATA_IP) {
		if (alen == 0 || memcmp(q->addr_lo, q->addr_hi, alen) > 0)
			return PROTO_EINVAL;
	} else if (q->family != 0) {
		return PROTO_EINVAL;
	}
	if (q->kind != PROTO_Q_RDATA_RAW && q->raw_len != 0)
		return PROTO_EINVAL;
	for (unsigned i = 0; i < q->ntypes; i++) {
		if (q->types[i] == 0 || (q->types[i] == PROTO_T_ANY && q->ntypes > 1))
			return PROTO_EINVAL;
	}
	if (q->bailiwick_len != 0 &&
	    !proto_query_labels_ok(q->bailiwick, q->bailiwick_len, true))
		return PROTO_EINVAL;
	return 0;
}

bool
proto_query_match_row(const struct proto_query *q, uint16_t rrtype,
                      unsigned section, int64_t time_first, int64_t time_last)
{
	if (q->ntypes > 0 && !(q->ntypes == 1 && q->types[0] == PROTO_T_ANY)) {
		unsigned i;
		for (i = 0; i < q->ntypes && q->types[i] != rrtype; i++)
			;
		if (i == q->ntypes)
			return false;
	}
	if (q->kind == PROTO_Q_NXDOMAIN) {
		if (section != PROTO_SEC_NXDOMAIN)
			return false;
	} else {
		unsigned want = q->sections != 0 ? q->sections : PROTO_QS_ANSWER;
		if (section < PROTO_SEC_ANSWER || section > PROTO_SEC_ADDITIONAL ||
		    (want & (1u << section)) == 0)
			return false;
	}
	if ((q->fences & PROTO_F_FIRST_AFTER) && time_first < q->first_after)
		return false;
	if ((q->fences & PROTO_F_FIRST_BEFORE) && time_first > q->first_before)
		return false;
	if ((q->fences & PROTO_F_LAST_AFTER) && time_last < q->last_after)
		return false;
	if ((q->fences & PROTO_F_LAST_BEFORE) && time_last > q->last_before)
		return false;
	return true;
}
