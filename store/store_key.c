/* store_key.c - key and value encodings of the store. */
#include <arpa/inet.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "store/store_key.h"

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

size_t
store_key_revname(const uint8_t *wire, size_t len, uint8_t *out)
{
	size_t starts[128], n = 0, o = 0;

	for (size_t p = 0; p < len && wire[p] != 0 && n < 128; p += 1 + (size_t)wire[p])
		starts[n++] = p;
	while (n-- > 0) {
		size_t l = 1 + (size_t)wire[starts[n]];
		memcpy(out + o, wire + starts[n], l);
		o += l;
	}
	out[o++] = 0;
	return o;
}

size_t
store_key_unrevname(const uint8_t *rev, size_t len, uint8_t *out)
{
	/* Same operation: reversing the labels of a label sequence. */
	size_t starts[128], n = 0, o = 0, p = 0;

	for (; p < len && rev[p] != 0 && n < 128; p += 1 + (size_t)rev[p]) {
		if (p + 1 + rev[p] > len)
			return 0;
		starts[n++] = p;
	}
	if (p >= len || o + p + 1 > PROTO_NAME_MAX)
		return 0;
	while (n-- > 0) {
		size_t l = 1 + (size_t)rev[starts[n]];
		memcpy(out + o, rev + starts[n], l);
		o += l;
	}
	out[o++] = 0;
	return o;
}

/* Offset just past a label-form name in key[0..len), or 0 if malformed. */
static size_t
name_end(const uint8_t *key, size_t len)
{
	size_t p = 0;

	while (p < len && key[p] != 0) {
		if (key[p] > 63)
			return 0;
		p += 1 + (size_t)key[p];
	}
	return p < len && p + 1 <= PROTO_NAME_MAX ? p + 1 : 0;
}

size_t
store_key_rrset(uint8_t *out, const struct proto_obs *o, uint16_t origin)
{
	size_t n = store_key_revname(o->name, o->name_len, out);

	put16(out + n, o->rrtype);
	out[n + 2] = o->section;
	n += 3;
	memcpy(out + n, o->rdata, o->rdata_len);
	n += o->rdata_len;
	out[n++] = 0;
	put16(out + n, origin);
	return n + 2;
}

size_t
store_key_nxdomain(uint8_t *out, const struct proto_obs *o, uint16_t origin)
{
	size_t n = store_key_revname(o->name, o->name_len, out);

	put16(out + n, o->rrtype);
	put16(out + n + 2, origin);
	return n + 4;
}

size_t
store_key_rdata(uint8_t *out, const struct proto_obs *o, uint16_t origin)
{
	uint8_t target[PROTO_NAME_MAX];
	size_t tlen, n = 1;
	char tmp[64];

	if (o->rrtype == PROTO_T_A && o->rdata_len < sizeof(tmp)) {
		memcpy(tmp, o->rdata, o->rdata_len);
		tmp[o->rdata_len] = '\0';
		if (inet_pton(AF_INET, tmp, out + 1) == 1) {
			out[0] = STORE_RK_IPV4;
			n = 5;
			goto tail;
		}
	}
	if (o->rrtype == PROTO_T_AAAA && o->rdata_len < sizeof(tmp)) {
		memcpy(tmp, o->rdata, o->rdata_len);
		tmp[o->rdata_len] = '\0';
		if (inet_pton(AF_INET6, tmp, out + 1) == 1) {
			out[0] = STORE_RK_IPV6;
			n = 17;
			goto tail;
		}
	}
	if (proto_rdata_target(o->rrtype, o->rdata, o->rdata_len, target, &tlen)) {
		out[0] = STORE_RK_NAME;
		n = 1 + store_key_revname(target, tlen, out + 1);
		goto tail;
	}
	out[0] = STORE_RK_TEXT;
	memcpy(out + 1, o->rdata, o->rdata_len);
	n = 1 + o->rdata_len;
	out[n++] = 0;
tail:
	put16(out + n, o->rrtype);
	out[n + 2] = o->section;
	n += 3;
	/* The owner, then the full rdata text (a name kind drops MX/SRV numbers). */
	n += store_key_revname(o->name, o->name_len, out + n);
	if (out[0] == STORE_RK_NAME) {
		memcpy(out + n, o->rdata, o->rdata_len);
		n += o->rdata_len;
		out[n++] = 0;
	}
	put16(out + n, origin);
	return n + 2;
}

size_t
store_key_names(uint8_t *out, uint8_t kind, const uint8_t *wire, size_t len)
{
	out[0] = kind;
	memcpy(out + 1, wire, len);
	return 1 + len;
}

int
store_key_parse_rrset(const uint8_t *key, size_t len, struct store_key_parts *p)
{
	size_t e = name_end(key, len);

	if (e == 0 || len < e + 3 + 1 + 2)
		return PROTO_EFORMAT;
	p->owner_len = store_key_unrevname(key, e, p->owner);
	if (p->owner_len == 0)
		return PROTO_EFORMAT;
	p->rrtype = get16(key + e);
	p->section = key[e + 2];
	p->rdata = (const char *)key + e + 3;
	p->rdata_len = len - 2 - 1 - (e + 3);
	if (key[len - 3] != 0)
		return PROTO_EFORMAT;
	p->origin = get16(key + len - 2);
	return 0;
}

int
store_key_parse_nxdomain(const uint8_t *key, size_t len, struct store_key_parts *p)
{
	size_t e = name_end(key, len);

	if (e == 0 || len != e + 4)
		return PROTO_EFORMAT;
	p->owner_len = store_key_unrevname(key, e, p->owner);
	if (p->owner_len == 0)
		return PROTO_EFORMAT;
	p->rrtype = get16(key + e);
	p->section = PROTO_SEC_NXDOMAIN;
	p->rdata = "";
	p->rdata_len = 0;
	p->origin = get16(key + e + 2);
	return 0;
}

int
store_key_parse_rdata(const uint8_t *key, size_t len, struct store_key_parts *p)
{
	size_t n;

	if (len < 1)
		return PROTO_EFORMAT;
	p->rkind = key[0];
	p->rvalue = key + 1;
	switch (key[0]) {
	case STORE_RK_IPV4: n = 5; break;
	case STORE_RK_IPV6: n = 17; break;
	case STORE_RK_NAME:
		n = name_end(key + 1, len - 1);
		if (n == 0)
			return PROTO_EFORMAT;
		n += 1;
		break;
	case STORE_RK_TEXT: {
		const uint8_t *z = memchr(key + 1, 0, len - 1);
		if (z == NULL)
			return PROTO_EFORMAT;
		n = (size_t)(z - key) + 1;
		break;
	}
	default:
		return PROTO_EFORMAT;
	}
	p->rvalue_len = n - 1;
	if (len < n + 3)
		return PROTO_EFORMAT;
	p->rrtype = get16(key + n);
	p->section = key[n + 2];
	n += 3;
	size_t e = name_end(key + n, len - n);
	if (e == 0)
		return PROTO_EFORMAT;
	p->owner_len = store_key_unrevname(key + n, e, p->owner);
	if (p->owner_len == 0)
		return PROTO_EFORMAT;
	n += e;
	p->rdata = NULL;
	p->rdata_len = 0;
	if (key[0] == STORE_RK_TEXT) {
		p->rdata = (const char *)key + 1;
		p->rdata_len = p->rvalue_len - 1;
	} else if (key[0] == STORE_RK_NAME) {
		const uint8_t *z = memchr(key + n, 0, len - n);
		if (z == NULL)
			return PROTO_EFORMAT;
		p->rdata = (const char *)key + n;
		p->rdata_len = (size_t)(z - (key + n));
		n += p->rdata_len + 1;
	}
	if (len != n + 2)
		return PROTO_EFORMAT;
	p->origin = get16(key + n);
	return 0;
}

size_t
store_value_encode(uint8_t *out, const struct store_value *v)
{
	out[0] = STORE_VALUE_V1;
	put64(out + 1, (uint64_t)v->time_first);
	put64(out + 9, (uint64_t)v->time_last);
	put64(out + 17, v->count);
	out[25] = v->bailiwick_len;
	memcpy(out + 26, v->bailiwick, v->bailiwick_len);
	return 26 + (size_t)v->bailiwick_len;
}

int
store_value_decode(const uint8_t *in, size_t len, struct store_value *v)
{
	if (len < 26 || in[0] != STORE_VALUE_V1)
		return PROTO_EFORMAT;
	v->time_first = (int64_t)get64(in + 1);
	v->time_last = (int64_t)get64(in + 9);
	v->count = get64(in + 17);
	v->bailiwick_len = in[25];
	if (len != 26 + (size_t)v->bailiwick_len)
		return PROTO_EFORMAT;
	memcpy(v->bailiwick, in + 26, v->bailiwick_len);
	return 0;
}

void
store_value_merge(struct store_value *a, const struct store_value *b)
{
	if (b->time_first < a->time_first)
		a->time_first = b->time_first;
	if (b->time_last > a->time_last)
		a->time_last = b->time_last;
	a->count += b->count;
	/* The deeper zone wins; on a tie the smaller bytes, whatever the order. */
	if (b->bailiwick_len > a->bailiwick_len ||
	    (b->bailiwick_len == a->bailiwick_len && b->bailiwick_len != 0 &&
	     memcmp(b->bailiwick, a->bailiwick, b->bailiwick_len) < 0)) {
		memcpy(a->bailiwick, b->bailiwick, b->bailiwick_len);
		a->bailiwick_len = b->bailiwick_len;
	}
}
