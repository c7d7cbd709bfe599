/*
 * sensor_pkt.h - from a captured frame to DNS messages.
 *
 * Decodes the link layer (Ethernet with 802.1Q/QinQ tags, Linux SLL and
 * SLL2, raw IP, NULL/loopback), IPv4 (options, fragments) and IPv6
 * (extension headers, fragments), then UDP or TCP from port 53, and hands
 * every DNS message to sensor_dns. Lengths come from what was captured,
 * never from what a header claims. UDP checksums are not checked: offload
 * makes bad ones common. Client addresses and ports are used only to follow
 * flows and never leave this module. Single-threaded.
 */
#ifndef SENSOR_PKT_H
#define SENSOR_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_dns.h"
#include "sensor/sensor_stats.h"

/* Link types (pcap LINKTYPE_ values; DLT_ where they differ). */
enum {
	SENSOR_LINK_NULL = 0,
	SENSOR_LINK_ETHERNET = 1,
	SENSOR_LINK_RAW_DLT = 12,
	SENSOR_LINK_RAW_DLT_BSD = 14,
	SENSOR_LINK_RAW = 101,
	SENSOR_LINK_LOOP = 108,
	SENSOR_LINK_SLL = 113,
	SENSOR_LINK_IPV4 = 228,
	SENSOR_LINK_IPV6 = 229,
	SENSOR_LINK_SLL2 = 276,
};

struct sensor_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];
};

struct sensor_pkt;

/*
 * dns and st are borrowed. resolvers[0..nres) (copied) restrict responses to
 * those addressed to a resolver; nres = 0 accepts all.
 */
int sensor_pkt_new(struct sensor_pkt **out, struct sensor_dns *dns,
                   struct sensor_stats *st, const struct sensor_addr *resolvers,
                   size_t nres);
void sensor_pkt_destroy(struct sensor_pkt **pp);

/* True when the link type is one sensor_pkt_frame() decodes. */
bool sensor_pkt_link_supported(int linktype);

/*
 * One frame: data[0..caplen) of a frame that was wirelen long on the wire.
 * Returns 0, or PROTO_ENOMEM (the only error that stops a run).
 */
int sensor_pkt_frame(struct sensor_pkt *p, int linktype, const uint8_t *data,
                     size_t caplen, size_t wirelen, int64_t ts);

/* Expire fragment and TCP state older than their timeouts (packet time). */
void sensor_pkt_expire(struct sensor_pkt *p, int64_t now);

/* Parse "192.0.2.1" or "2001:db8::1". */
int sensor_addr_parse(const char *text, struct sensor_addr *out);

#endif
