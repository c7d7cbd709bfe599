/*
 * proto_rdata.h - canonical presentation of rdata.
 *
 * The canonical form is what `dig +nosplit` (BIND 9.18) prints, except that
 * names inside rdata are lowercased and have no trailing dot. Types without
 * a mnemonic in proto_rrtype.h use RFC 3597 `\# len HEX` ("\# 0" if empty).
 *
 * The formatter is also the validator: rdata that does not fit its type
 * (wrong length, a name that overruns rdlength or leaves bytes behind, a
 * string running past the end) is PROTO_ERDATA, and the caller drops the
 * whole message. Names inside rdata may be compressed; pointers follow the
 * same backward-only rule as owner names.
 */
#ifndef PROTO_RDATA_H
#define PROTO_RDATA_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "proto/proto_buf.h"
#include "proto/proto_name.h"

/* Bound on any canonical rdata text: 65535 octets of TXT at 4 chars each. */
#define PROTO_RDATA_TEXT_MAX (4 * 65536 + 1024)

/*
 * Append the canonical form of the rdata of `type` found at msg[off..off+rdlen)
 * (msg is the whole DNS message, for compression pointers). Returns 0, or
 * PROTO_ERDATA / PROTO_EPTR / PROTO_ELABEL / PROTO_ENAMELEN / PROTO_ETRUNC
 * for bad rdata, or PROTO_ESPACE when `out` is too small.
 */
int proto_rdata_format(uint16_t type, const uint8_t *msg, size_t msglen,
                       size_t off, size_t rdlen, struct proto_buf *out);

/*
 * The same checks without the text when it is not needed (records that are
 * never observations, such as OPT): types printed in RFC 3597 form are only
 * checked; others are formatted into scratch. Same return values.
 */
int proto_rdata_validate(uint16_t type, const uint8_t *msg, size_t msglen,
                         size_t off, size_t rdlen, struct proto_buf *scratch);

/*
 * The name a canonical rdata text points at (NS, CNAME, DNAME, PTR target;
 * MX, KX, AFSDB exchange; SRV target), in wire form into out[0..*outlen);
 * false when the type has none or the text does not parse. The store's
 * rdata-name index and pdns's pivot graph both use it, so what `-n` finds
 * is what a pivot follows.
 */
bool proto_rdata_target(uint16_t rrtype, const char *rdata, size_t len,
                        uint8_t out[PROTO_NAME_MAX], size_t *outlen);

#endif
