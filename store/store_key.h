/*
 * store_key.h - the store's key and value encodings (doc/store-encoding.md).
 *
 * Pure functions over byte buffers: building and parsing keys of each index,
 * and the versioned aggregate value with its merge. Names inside keys use
 * the "label form": length-prefixed labels ending with a zero octet, in
 * reverse order (com, example, www) for the rrset, rdata-name and NXDOMAIN
 * indexes, so exact names and left wildcards are prefix scans, and in
 * forward order in the names index, for right wildcards.
 */
#ifndef STORE_KEY_H
#define STORE_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_name.h"
#include "proto/proto_obs.h"

/* Column families, in the order they are opened. */
enum store_cf {
	STORE_CF_META = 0,   /* "default": schema version, origins */
	STORE_CF_RRSET,      /* by owner name */
	STORE_CF_RDATA,      /* by rdata: addresses, names, other text */
	STORE_CF_NAMES,      /* names in forward order, for right wildcards */
	STORE_CF_NXDOMAIN,   /* NXDOMAIN answers by qname */
	STORE_CF_COUNT_
};

/* rdata index kinds (first key octet). */
enum {
	STORE_RK_IPV4 = 0x01,
	STORE_RK_IPV6 = 0x02,
	STORE_RK_NAME = 0x03,
	STORE_RK_TEXT = 0x04,
};

/* names index kinds (first key octet). */
enum {
	STORE_NK_OWNER = 0x01,
	STORE_NK_RDATA = 0x02,
};

/* Longest key: kind + 255-octet name + type + section + rdata text + origin. */
#define STORE_KEY_MAX (8 + 2 * PROTO_NAME_MAX + 4 * 65536 + 1024)

/* The aggregate value, version 1. */
#define STORE_VALUE_V1 1
#define STORE_VALUE_MAX (1 + 8 + 8 + 8 + 1 + PROTO_NAME_MAX)

struct store_value {
	int64_t time_first, time_last;
	uint64_t count;
	uint8_t bailiwick[PROTO_NAME_MAX];
	uint8_t bailiwick_len;       /* 0: unknown */
};

/* Wire name (with root label) to reversed label form; returns its length. */
size_t store_key_revname(const uint8_t *wire, size_t len, uint8_t *out);
/* Reversed label form back to a wire name; returns its length or 0. */
size_t store_key_unrevname(const uint8_t *rev, size_t len, uint8_t *out);

/* Key builders; each returns the key length written to out. */
size_t store_key_rrset(uint8_t *out, const struct proto_obs *o, uint16_t origin);
size_t store_key_nxdomain(uint8_t *out, const struct proto_obs *o, uint16_t origin);
/* The rdata index key of o (kind chosen from the type and rdata). */
size_t store_key_rdata(uint8_t *out, const struct proto_obs *o, uint16_t origin);
/* The names index key of a wire name. */
size_t store_key_names(uint8_t *out, uint8_t kind, const uint8_t *wire, size_t len);

/* A parsed rrset or rdata key: pointers into the key. */
struct store_key_parts {
	uint8_t owner[PROTO_NAME_MAX];   /* wire form */
	size_t owner_len;
	uint16_t rrtype;
	uint8_t section;
	const char *rdata;               /* text, or NULL for address kinds */
	size_t rdata_len;
	uint8_t rkind;                   /* rdata index: kind */
	const uint8_t *rvalue;           /* rdata index: the indexed bytes */
	size_t rvalue_len;
	uint16_t origin;
};

int store_key_parse_rrset(const uint8_t *key, size_t len, struct store_key_parts *p);
int store_key_parse_rdata(const uint8_t *key, size_t len, struct store_key_parts *p);
int store_key_parse_nxdomain(const uint8_t *key, size_t len, struct store_key_parts *p);

/* Value encoding; decode returns PROTO_EFORMAT for what it does not know. */
size_t store_value_encode(uint8_t *out, const struct store_value *v);
int store_value_decode(const uint8_t *in, size_t len, struct store_value *v);
/* Fold b into a: min first, max last, sum counts, deeper bailiwick. */
void store_value_merge(struct store_value *a, const struct store_value *b);

#endif
