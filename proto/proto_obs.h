/*
 * proto_obs.h - one passive DNS observation, the unit every part exchanges.
 *
 * An observation is keyed (rrname, rrtype, rdata, section) and carries
 * time_first, time_last (Unix seconds), count and an optional bailiwick.
 * Names are in decoded wire form (lowercased, uncompressed, with the root
 * label) so they compare and reverse cheaply; rdata is the canonical
 * presentation text (proto_rdata.h). Pointers are borrowed.
 * NXDOMAIN rows use section PROTO_SEC_NXDOMAIN, name = qname, rrtype =
 * qtype and empty rdata.
 */
#ifndef PROTO_OBS_H
#define PROTO_OBS_H

#include <stdint.h>

enum proto_section {
	PROTO_SEC_ANSWER = 1,
	PROTO_SEC_AUTHORITY = 2,
	PROTO_SEC_ADDITIONAL = 3,
	PROTO_SEC_NXDOMAIN = 4,
};

struct proto_obs {
	const uint8_t *name;
	const char *rdata;
	const uint8_t *bailiwick; /* NULL when unknown */
	uint32_t name_len, rdata_len, bailiwick_len;
	uint16_t rrtype;
	uint8_t section;          /* enum proto_section */
	int64_t time_first, time_last;
	uint64_t count;
};

/* "answer", "authority", "additional", "nxdomain", or NULL. */
const char *proto_section_name(unsigned section);
/* Parse a section name; returns 0 or PROTO_EINVAL. */
int proto_section_parse(const char *text, unsigned *section);

#endif
