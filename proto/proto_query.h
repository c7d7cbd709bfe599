/*
 * proto_query.h - a lookup, as a value.
 *
 * The same query goes to a local store now and to a node, peers and
 * providers later, so it is a self-contained value with a compact binary
 * encoding (proto_query_encode/decode), not command-line globals. It holds
 * what DNSDB and CIRCL users ask: rrset by owner name (exact, left or right
 * wildcard, raw), rdata by name / IP / CIDR / range / raw bytes, NXDOMAIN by
 * name, optional rrtypes and bailiwick, the four time fences, sections,
 * limit and offset. Names are in decoded wire form (proto_name.h).
 */
#ifndef PROTO_QUERY_H
#define PROTO_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_name.h"

enum proto_query_kind {
	PROTO_Q_RRSET = 1,    /* by owner name */
	PROTO_Q_RDATA_NAME,   /* rdata that is or targets a name (NS, CNAME, MX...) */
	PROTO_Q_RDATA_IP,     /* A/AAAA rdata in [addr_lo, addr_hi] */
	PROTO_Q_RDATA_RAW,    /* rdata whose wire bytes are raw[0..raw_len) */
	PROTO_Q_NXDOMAIN,     /* recorded NXDOMAIN answers for a name */
};

enum proto_query_match {
	PROTO_M_EXACT = 0,
	PROTO_M_LEFT,         /* *.example.com: names strictly below example.com */
	PROTO_M_RIGHT,        /* www.example.*: names starting with www.example */
};

#define PROTO_QUERY_MAX_TYPES 8
#define PROTO_QUERY_RAW_MAX 1024

/* Time fences; a bit in `fences` says which are set. */
enum {
	PROTO_F_FIRST_AFTER = 1,   /* time_first >= first_after */
	PROTO_F_FIRST_BEFORE = 2,  /* time_first <= first_before */
	PROTO_F_LAST_AFTER = 4,    /* time_last >= last_after */
	PROTO_F_LAST_BEFORE = 8,   /* time_last <= last_before */
};

/* Section bits. */
#define PROTO_QS_ANSWER (1u << 1)
#define PROTO_QS_AUTHORITY (1u << 2)
#define PROTO_QS_ADDITIONAL (1u << 3)
#define PROTO_QS_ALL (PROTO_QS_ANSWER | PROTO_QS_AUTHORITY | PROTO_QS_ADDITIONAL)

struct proto_query {
	uint8_t kind;                  /* enum proto_query_kind */
	uint8_t match;                 /* enum proto_query_match, for names */
	/* Name (owner or rdata target): for PROTO_M_LEFT the zone below
	 * which names match; for PROTO_M_RIGHT the labels before the '*',
	 * stored without the root label. */
	uint8_t name[PROTO_NAME_MAX];
	uint16_t name_len;
	/* Address range for PROTO_Q_RDATA_IP: family 4 or 6, inclusive. */
	uint8_t family;
	uint8_t addr_lo[16], addr_hi[16];
	/* Raw bytes for PROTO_Q_RDATA_RAW. */
	uint8_t raw[PROTO_QUERY_RAW_MAX];
	uint16_t raw_len;
	uint16_t types[PROTO_QUERY_MAX_TYPES];
	uint8_t ntypes;                /* 0: any type */
	uint8_t bailiwick[PROTO_NAME_MAX];
	uint16_t bailiwick_len;        /* 0: any bailiwick */
	uint8_t fences;
	int64_t first_after, first_before, last_after, last_before;
	uint8_t sections;              /* PROTO_QS_* bits; 0 means answer */
	uint64_t limit;                /* 0: the server's maximum */
	uint64_t offset;
};

/* A query with defaults: answer section, no fences, no limit. */
void proto_query_init(struct proto_query *q);

/*
 * Encode into buf[0..cap); *len gets the size. PROTO_ESPACE if it does not
 * fit (PROTO_QUERY_WIRE_MAX always does).
 */
#define PROTO_QUERY_WIRE_MAX 2048
int proto_query_encode(const struct proto_query *q, uint8_t *buf, size_t cap,
                       size_t *len);

/* Decode and validate untrusted bytes. PROTO_EINVAL / PROTO_ETRUNC. */
int proto_query_decode(struct proto_query *q, const uint8_t *buf, size_t len);

/* True when a row with these fields passes the query's type, bailiwick-free
 * filters: types, sections and time fences. */
bool proto_query_match_row(const struct proto_query *q, uint16_t rrtype,
                           unsigned section, int64_t time_first,
                           int64_t time_last);

#endif
