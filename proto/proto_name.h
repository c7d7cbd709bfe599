/*
 * proto_name.h - DNS names: decompression and presentation.
 *
 * A name is decoded in one pass that checks and copies at once (two passes
 * that disagree were nginx's CVE-2021-23017). Compression pointers must point
 * strictly before the previous pointer (or the name's start), so loops are
 * impossible by construction [wdns]. The decoded form is uncompressed wire
 * format with ASCII letters lowercased: that is what names are compared on.
 * The presentation form is dig's: labels joined by '.', no trailing dot,
 * root is ".", special characters backslash-escaped, odd bytes as \DDD.
 */
#ifndef PROTO_NAME_H
#define PROTO_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_buf.h"

#define PROTO_NAME_MAX 255 /* wire octets, including the root label */
/* Worst case presentation: 127 one-byte labels as \DDD plus dots. */
#define PROTO_NAME_TEXT_MAX 1024

/*
 * Decode the name at *pos of msg[0..len). On success *pos is past the name
 * where it starts (after the first pointer, if any), out[0..*outlen) holds
 * the lowercased uncompressed wire form and 0 is returned. Errors:
 * PROTO_ETRUNC, PROTO_EPTR, PROTO_ELABEL, PROTO_ENAMELEN. Pointers are not
 * followed when allow_ptr is false (they are then PROTO_EPTR).
 */
int proto_name_unpack(const uint8_t *msg, size_t len, size_t *pos,
                      uint8_t out[PROTO_NAME_MAX], size_t *outlen,
                      bool allow_ptr);

/* Append the presentation form of the wire name wire[0..len). */
void proto_name_format(const uint8_t *wire, size_t len, struct proto_buf *b);

/* Number of labels, root excluded. */
unsigned proto_name_labels(const uint8_t *wire, size_t len);

/* True when `name` is `zone` or below it (both decoded wire forms). */
bool proto_name_is_subdomain(const uint8_t *name, size_t nlen,
                             const uint8_t *zone, size_t zlen);

/* Offset of the parent of wire name (the root's parent is the root). */
size_t proto_name_parent(const uint8_t *wire, size_t len);

/*
 * Parse a presentation name (dig escapes, optional trailing dot) into
 * lowercased wire form. PROTO_EINVAL for bad text, PROTO_ELABEL or
 * PROTO_ENAMELEN for what does not fit the DNS limits.
 */
int proto_name_parse(const char *text, size_t tlen, uint8_t out[PROTO_NAME_MAX],
                     size_t *outlen);

#endif
