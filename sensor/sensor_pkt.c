/* sensor_pkt.c - link, IP, UDP and TCP decoding down to DNS messages. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "sensor/sensor_frag.h"
#include "sensor/sensor_pkt.h"
#include "sensor/sensor_tcp.h"

#define DNS_PORT 53
#define FRAG_MAX_DGRAMS 1024
#define FRAG_MAX_BYTES (16u << 20)
#define FRAG_TIMEOUT 30
#define TCP_MAX_FLOWS 8192
#define TCP_TIMEOUT 60
#define MAX_VLAN_TAGS 4
#define MAX_EXT_HEADERS 8

struct sensor_pkt {
	struct sensor_dns *dns;
	struct sensor_stats *st;
	struct sensor_frag *frag;
	struct sensor_tcp *tcp;
	struct sensor_addr *res;
	size_t nres;
};

/* Where an IP datagram's transport payload stands. */
struct ip_ctx {
	uint8_t family;
	const uint8_t *src, *dst; /* 4 or 16 bytes */
	int64_t ts;
	bool cut;                 /* bytes lost to the snap length */
};

static int tcp_message(void *arg, const uint8_t *msg, size_t len, int64_t ts);

/* A header that does not fit: the capture's fault, or the packet's. */
static void
count_bad(struct sensor_pkt *p, bool cut)
{
	if (cut)
		SENSOR_STAT_INC(p->st, malformed_snaplen);
	else
		SENSOR_STAT_INC(p->st, ip_bad);
}

int
sensor_pkt_new(struct sensor_pkt **out, struct sensor_dns *dns,
               struct sensor_stats *st, const struct sensor_addr *resolvers,
               size_t nres)
{
	struct sensor_pkt *p = calloc(1, sizeof(*p));
	int err = PROTO_ENOMEM;

	if (p == NULL)
		return PROTO_ENOMEM;
	p->dns = dns;
	p->st = st;
	if (nres > 0) {
		p->res = calloc(nres, sizeof(*p->res));
		if (p->res == NULL)
			goto fail;
		memcpy(p->res, resolvers, nres * sizeof(*p->res));
		p->nres = nres;
	}
	err = sensor_frag_new(&p->frag, st, FRAG_MAX_DGRAMS, FRAG_MAX_BYTES, FRAG_TIMEOUT);
	if (err != 0)
		goto fail;
	err = sensor_tcp_new(&p->tcp, st, TCP_MAX_FLOWS, TCP_TIMEOUT, tcp_message, p);
	if (err != 0)
		goto fail;
	*out = p;
	return 0;
fail:
	sensor_pkt_destroy(&p);
	return err;
}

void
sensor_pkt_destroy(struct sensor_pkt **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	sensor_frag_destroy(&(*pp)->frag);
	sensor_tcp_destroy(&(*pp)->tcp);
	free((*pp)->res);
	free(*pp);
	*pp = NULL;
}

bool
sensor_pkt_link_supported(int linktype)
{
	switch (linktype) {
	case SENSOR_LINK_NULL: case SENSOR_LINK_ETHERNET: case SENSOR_LINK_RAW_DLT:
	case SENSOR_LINK_RAW_DLT_BSD: case SENSOR_LINK_RAW: case SENSOR_LINK_LOOP:
	case SENSOR_LINK_SLL: case SENSOR_LINK_IPV4: case SENSOR_LINK_IPV6:
	case SENSOR_LINK_SLL2:
		return true;
	}
	return false;
}

void
sensor_pkt_expire(struct sensor_pkt *p, int64_t now)
{
	sensor_frag_expire(p->frag, now);
	sensor_tcp_expire(p->tcp, now);
}

int
sensor_addr_parse(const char *text, struct sensor_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->a) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out->a) == 1) {
		out->family = 6;
		return 0;
	}
	return PROTO_EINVAL;
}

/* Responses count only when addressed to a configured resolver. */
static bool
to_resolver(const struct sensor_pkt *p, const struct ip_ctx *ip)
{
	if (p->nres == 0)
		return true;
	size_t alen = ip->family == 4 ? 4 : 16;
	for (size_t i = 0; i < p->nres; i++)
		if (p->res[i].family == ip->family && memcmp(p->res[i].a, ip->dst, alen) == 0)
			return true;
	return false;
}

static int
tcp_message(void *arg, const uint8_t *msg, size_t len, int64_t ts)
{
	struct sensor_pkt *p = arg;
	return sensor_dns_process(p->dns, msg, len, ts, false);
}

static int
udp(struct sensor_pkt *p, const struct ip_ctx *ip, const uint8_t *d, size_t n)
{
	if (n < 8) {
		if (ip->cut)
			SENSOR_STAT_INC(p->st, malformed_snaplen);
		else
			SENSOR_STAT_INC(p->st, ip_bad);
		return 0;
	}
	uint16_t sport = (uint16_t)(d[0] << 8 | d[1]);
	uint16_t dport = (uint16_t)(d[2] << 8 | d[3]);
	size_t ulen = (size_t)(d[4] << 8 | d[5]);
	bool cut = ip->cut;

	if (sport != DNS_PORT) {
		if (dport == DNS_PORT)
			SENSOR_STAT_INC(p->st, queries);
		else
			SENSOR_STAT_INC(p->st, not_dns);
		return 0;
	}
	if (ulen < 8 || (ulen > n && !cut)) {
		SENSOR_STAT_INC(p->st, ip_bad);
		return 0;
	}
	if (ulen > n)
		cut = true;
	else
		n = ulen;
	if (!to_resolver(p, ip)) {
		SENSOR_STAT_INC(p->st, drop_resolver);
		return 0;
	}
	return sensor_dns_process(p->dns, d + 8, n - 8, ip->ts, cut);
}

static int
tcp(struct sensor_pkt *p, const struct ip_ctx *ip, const uint8_t *d, size_t n)
{
	if (n < 20) {
		count_bad(p, ip->cut);
		return 0;
	}
	uint16_t sport = (uint16_t)(d[0] << 8 | d[1]);
	uint16_t dport = (uint16_t)(d[2] << 8 | d[3]);
	size_t hl = (size_t)(d[12] >> 4) * 4;

	if (sport != DNS_PORT) {
		/* Queries over TCP are not followed: only the server's side is. */
		if (dport == DNS_PORT)
			SENSOR_STAT_INC(p->st, tcp_client);
		else
			SENSOR_STAT_INC(p->st, not_dns);
		return 0;
	}
	if (hl < 20 || hl > n) {
		count_bad(p, ip->cut);
		return 0;
	}
	if (!to_resolver(p, ip)) {
		SENSOR_STAT_INC(p->st, drop_resolver);
		return 0;
	}
	struct sensor_tcp_key k;
	size_t alen = ip->family == 4 ? 4 : 16;
	memset(&k, 0, sizeof(k));
	k.family = ip->family;
	k.sport = sport;
	k.dport = dport;
	memcpy(k.src, ip->src, alen);
	memcpy(k.dst, ip->dst, alen);
	uint32_t seq = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 |
	               (uint32_t)d[6] << 8 | d[7];
	return sensor_tcp_segment(p->tcp, &k, seq, d[13], d + hl, n - hl, ip->cut, ip->ts);
}

static int
transport(struct sensor_pkt *p, const struct ip_ctx *ip, uint8_t proto,
          const uint8_t *d, size_t n)
{
	if (proto == 17)
		return udp(p, ip, d, n);
	if (proto == 6)
		return tcp(p, ip, d, n);
	SENSOR_STAT_INC(p->st, not_dns);
	return 0;
}

/*
 * Bytes of an IP datagram present in the frame: the header's length if the
 * frame holds it all (the rest is padding or an FCS), else what is there,
 * marked cut when the capture lost it. A header that claims more than an
 * uncut frame holds is damaged, but the transport's own length may still
 * fit what is there (tshark and BIND see the same bytes): decode what is
 * present, and count it.
 */
static size_t
ip_extent(struct sensor_pkt *p, size_t claimed, size_t avail, bool frame_cut,
          bool *cut)
{
	*cut = false;
	if (claimed <= avail)
		return claimed;
	if (!frame_cut)
		SENSOR_STAT_INC(p->st, ip_len_short);
	*cut = frame_cut;
	return avail;
}

static int
ipv4(struct sensor_pkt *p, const uint8_t *d, size_t n, bool frame_cut, int64_t ts)
{
	if (n < 20 || (d[0] >> 4) != 4) {
		SENSOR_STAT_INC(p->st, ip_bad);
		return 0;
	}
	size_t hl = (size_t)(d[0] & 0x0f) * 4;
	size_t tot = (size_t)(d[2] << 8 | d[3]);
	if (hl < 20 || tot < hl || hl > n) {
		SENSOR_STAT_INC(p->st, ip_bad);
		return 0;
	}
	struct ip_ctx ip = { .family = 4, .src = d + 12, .dst = d + 16, .ts = ts };
	size_t len = ip_extent(p, tot, n, frame_cut, &ip.cut);
	uint16_t fl = (uint16_t)(d[6] << 8 | d[7]);
	bool more = (fl & 0x2000) != 0;
	size_t off = (size_t)(fl & 0x1fff) * 8;
	if (more || off != 0) {
		if (ip.cut) {
			SENSOR_STAT_INC(p->st, malformed_snaplen);
			return 0;
		}
		struct sensor_frag_key k = { .family = 4, .proto = d[9],
		                             .id = (uint32_t)(d[4] << 8 | d[5]) };
		memcpy(k.src, d + 12, 4);
		memcpy(k.dst, d + 16, 4);
		const uint8_t *whole;
		size_t wlen;
		if (!sensor_frag_add(p->frag, &k, off, d + hl, len - hl, more, ts,
		                     &whole, &wlen))
			return 0;
		return transport(p, &ip, d[9], whole, wlen);
	}
	return transport(p, &ip, d[9], d + hl, len - hl);
}

static int
ipv6(struct sensor_pkt *p, const uint8_t *d, size_t n, bool frame_cut, int64_t ts)
{
	if (n < 40 || (d[0] >> 4) != 6) {
		SENSOR_STAT_INC(p->st, ip_bad);
		return 0;
	}
	struct ip_ctx ip = { .family = 6, .src = d + 8, .dst = d + 24, .ts = ts };
	size_t plen = (size_t)(d[4] << 8 | d[5]);
	if (plen == 0) {
		SENSOR_STAT_INC(p->st, ip_bad); /* jumbograms are not DNS */
		return 0;
	}
	size_t len = ip_extent(p, 40 + plen, n, frame_cut, &ip.cut);
	uint8_t nh = d[6];
	const uint8_t *q = d + 40;
	size_t left = len - 40;
	bool reassembled = false;

	for (int i = 0; i < MAX_EXT_HEADERS; i++) {
		switch (nh) {
		case 0: case 43: case 60: case 51: {
			if (left < 8) {
				count_bad(p, ip.cut);
				return 0;
			}
			size_t el = nh == 51 ? ((size_t)q[1] + 2) * 4 : ((size_t)q[1] + 1) * 8;
			if (el > left) {
				count_bad(p, ip.cut);
				return 0;
			}
			nh = q[0];
			q += el;
			left -= el;
			continue;
		}
		case 44: {
			if (left < 8 || reassembled) {
				SENSOR_STAT_INC(p->st, ip_bad);
				return 0;
			}
			if (ip.cut) {
				SENSOR_STAT_INC(p->st, malformed_snaplen);
				return 0;
			}
			uint16_t fo = (uint16_t)(q[2] << 8 | q[3]);
			struct sensor_frag_key k = { .family = 6, .proto = q[0],
				.id = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 |
				      (uint32_t)q[6] << 8 | q[7] };
			memcpy(k.src, d + 8, 16);
			memcpy(k.dst, d + 24, 16);
			const uint8_t *whole;
			size_t wlen;
			if (!sensor_frag_add(p->frag, &k, (size_t)(fo & 0xfff8),
			                     q + 8, left - 8, (fo & 1) != 0, ts,
			                     &whole, &wlen))
				return 0;
			nh = q[0];
			q = whole;
			left = wlen;
			reassembled = true;
			continue;
		}
		default:
			return transport(p, &ip, nh, q, left);
		}
	}
	SENSOR_STAT_INC(p->st, ip_bad);
	return 0;
}

static int
ip_any(struct sensor_pkt *p, const uint8_t *d, size_t n, bool cut, int64_t ts)
{
	if (n < 1) {
		SENSOR_STAT_INC(p->st, link_short);
		return 0;
	}
	if ((d[0] >> 4) == 4)
		return ipv4(p, d, n, cut, ts);
	if ((d[0] >> 4) == 6)
		return ipv6(p, d, n, cut, ts);
	SENSOR_STAT_INC(p->st, link_unknown);
	return 0;
}

static int
ethertype(struct sensor_pkt *p, uint16_t et, const uint8_t *d, size_t n, bool cut,
          int64_t ts)
{
	if (et == 0x0800)
		return ipv4(p, d, n, cut, ts);
	if (et == 0x86dd)
		return ipv6(p, d, n, cut, ts);
	SENSOR_STAT_INC(p->st, link_unknown);
	return 0;
}

int
sensor_pkt_frame(struct sensor_pkt *p, int linktype, const uint8_t *d,
                 size_t caplen, size_t wirelen, int64_t ts)
{
	bool cut = caplen < wirelen;

	SENSOR_STAT_INC(p->st, packets);
	switch (linktype) {
	case SENSOR_LINK_ETHERNET: {
		if (caplen < 14)
			break;
		uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
		size_t off = 14;
		for (int i = 0; i < MAX_VLAN_TAGS &&
		     (et == 0x8100 || et == 0x88a8 || et == 0x9100); i++) {
			if (caplen < off + 4)
				goto short_frame;
			et = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
			off += 4;
		}
		return ethertype(p, et, d + off, caplen - off, cut, ts);
	}
	case SENSOR_LINK_SLL:
		if (caplen < 16)
			break;
		return ethertype(p, (uint16_t)(d[14] << 8 | d[15]), d + 16, caplen - 16,
		                 cut, ts);
	case SENSOR_LINK_SLL2:
		if (caplen < 20)
			break;
		return ethertype(p, (uint16_t)(d[0] << 8 | d[1]), d + 20, caplen - 20,
		                 cut, ts);
	case SENSOR_LINK_RAW_DLT: case SENSOR_LINK_RAW_DLT_BSD: case SENSOR_LINK_RAW:
		return ip_any(p, d, caplen, cut, ts);
	case SENSOR_LINK_IPV4:
		return ipv4(p, d, caplen, cut, ts);
	case SENSOR_LINK_IPV6:
		return ipv6(p, d, caplen, cut, ts);
	case SENSOR_LINK_NULL: case SENSOR_LINK_LOOP:
		/* The address family is in the writer's byte order (NULL) or in
		 * network order (LOOP); the IP version nibble decides either way. */
		if (caplen < 4)
			break;
		return ip_any(p, d + 4, caplen - 4, cut, ts);
	default:
		SENSOR_STAT_INC(p->st, link_unknown);
		return 0;
	}
short_frame:
	SENSOR_STAT_INC(p->st, link_short);
	return 0;
}
