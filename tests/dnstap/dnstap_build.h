/*
 * dnstap_build.h - hand-made DNS messages and dnstap.Dnstap frames for the
 * dnstap tests (the unit test, the file generator, the fuzz seeds). DNS
 * messages are built uncompressed into a fixed buffer; frames are packed
 * with the protobuf-c code generated from dnstap.proto.
 */
#ifndef DNSTAP_BUILD_H
#define DNSTAP_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dnstap.pb-c.h>

struct dmsg {
	uint8_t b[8192];
	size_t n;
};

static inline void
dm_put(struct dmsg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static inline void
dm_u8(struct dmsg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static inline void
dm_u16(struct dmsg *m, unsigned v)
{
	dm_u8(m, (v >> 8) & 0xff);
	dm_u8(m, v & 0xff);
}

/* "www.example.test" (or "." for the root) as uncompressed wire labels. */
static inline void
dm_name(struct dmsg *m, const char *s)
{
	if (strcmp(s, ".") == 0)
		s = "";
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		dm_u8(m, (unsigned)l);
		dm_put(m, s, l);
		s += l + (dot ? 1 : 0);
	}
	dm_u8(m, 0);
}

/* A response header: flags 0x8400 = QR AA, 0x8000 = QR, | 3 for NXDOMAIN. */
static inline void
dm_header(struct dmsg *m, unsigned flags, unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	dm_u16(m, 0x4242);
	dm_u16(m, flags);
	dm_u16(m, 1);
	dm_u16(m, an);
	dm_u16(m, ns);
	dm_u16(m, ar);
}

static inline void
dm_question(struct dmsg *m, const char *q, unsigned type)
{
	dm_name(m, q);
	dm_u16(m, type);
	dm_u16(m, 1);
}

/* A record whose rdata is rd[0..rdlen). */
static inline void
dm_rr(struct dmsg *m, const char *owner, unsigned type, const void *rd, size_t rdlen)
{
	dm_name(m, owner);
	dm_u16(m, type);
	dm_u16(m, 1);
	dm_u16(m, 0);
	dm_u16(m, 300);
	dm_u16(m, (unsigned)rdlen);
	dm_put(m, rd, rdlen);
}

static inline void
dm_a(struct dmsg *m, const char *owner, unsigned a, unsigned b, unsigned c, unsigned d)
{
	const uint8_t ip[4] = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d };
	dm_rr(m, owner, 1, ip, 4);
}

/* A record whose rdata is one name (NS, CNAME). */
static inline void
dm_rr_name(struct dmsg *m, const char *owner, unsigned type, const char *target)
{
	struct dmsg t = { .n = 0 };
	dm_name(&t, target);
	dm_rr(m, owner, type, t.b, t.n);
}

static inline void
dm_soa(struct dmsg *m, const char *owner, const char *mname, const char *rname)
{
	struct dmsg t = { .n = 0 };
	dm_name(&t, mname);
	dm_name(&t, rname);
	for (int i = 0; i < 5; i++) {
		dm_u16(&t, 0);
		dm_u16(&t, (unsigned)(i == 0 ? 1 : 300));
	}
	dm_rr(m, owner, 6, t.b, t.n);
}

/* Message types, short. */
enum {
	RR = DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE,
	RQ = DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY,
	FR = DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE,
	CQ = DNSTAP__MESSAGE__TYPE__CLIENT_QUERY,
	CR = DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE,
	AR = DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE,
};

/* What one frame carries. */
struct dt_spec {
	int type;                 /* DNSTAP__MESSAGE__TYPE__* */
	const char *zone;         /* query_zone as a name, or NULL */
	const uint8_t *zone_raw;  /* or raw octets (a damaged zone) */
	size_t zone_raw_len;
	const struct dmsg *query, *response;
	uint64_t sec;             /* response_time_sec (and query_time_sec) */
	uint32_t nsec;
	bool no_time;
};

/* Pack a Dnstap frame into out[0..cap); returns its length (0: too big). */
static inline size_t
dt_pack(const struct dt_spec *s, uint8_t *out, size_t cap)
{
	static uint8_t client[4] = { 198, 51, 100, 7 }, server[4] = { 127, 0, 0, 3 };
	struct dmsg zone = { .n = 0 };
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;

	m.type = (Dnstap__Message__Type)s->type;
	m.has_socket_family = 1;
	m.socket_family = DNSTAP__SOCKET_FAMILY__INET;
	m.has_socket_protocol = 1;
	m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
	m.has_query_address = m.has_response_address = 1;
	m.query_address = (ProtobufCBinaryData){ 4, client };
	m.response_address = (ProtobufCBinaryData){ 4, server };
	m.has_query_port = m.has_response_port = 1;
	m.query_port = 53535;
	m.response_port = 53;
	if (s->zone != NULL) {
		dm_name(&zone, s->zone);
		m.has_query_zone = 1;
		m.query_zone = (ProtobufCBinaryData){ zone.n, zone.b };
	} else if (s->zone_raw != NULL) {
		m.has_query_zone = 1;
		m.query_zone = (ProtobufCBinaryData){ s->zone_raw_len, (uint8_t *)s->zone_raw };
	}
	if (s->query != NULL) {
		m.has_query_message = 1;
		m.query_message = (ProtobufCBinaryData){ s->query->n, (uint8_t *)s->query->b };
	}
	if (!s->no_time) {
		m.has_query_time_sec = m.has_query_time_nsec = 1;
		m.query_time_sec = s->sec;
		m.query_time_nsec = s->nsec;
		if (s->response != NULL) {
			m.has_response_time_sec = m.has_response_time_nsec = 1;
			m.response_time_sec = s->sec;
			m.response_time_nsec = s->nsec;
		}
	}
	if (s->response != NULL) {
		m.has_response_message = 1;
		m.response_message = (ProtobufCBinaryData){ s->response->n,
		                                            (uint8_t *)s->response->b };
	}
	static uint8_t ident[] = "test-resolver";
	d.has_identity = 1;
	d.identity = (ProtobufCBinaryData){ sizeof(ident) - 1, ident };
	d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	d.message = &m;
	size_t need = dnstap__dnstap__get_packed_size(&d);
	if (need > cap)
		return 0;
	return dnstap__dnstap__pack(&d, out);
}

#endif
