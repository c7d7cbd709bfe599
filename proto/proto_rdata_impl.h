/*
 * proto_rdata_impl.h - internal to the rdata formatter; not for other
 * modules, whose interface is proto_rdata.h.
 *
 * proto_rdata_format() (proto_rdata.c) sets up one struct rd over the rdata
 * and hands it to the code of the record's type. That code lives in files
 * named for what they hold:
 *
 *   proto_rdata.c         the dispatch, the helpers shared by every part,
 *                         and the simple types (A, AAAA, names, MX and its
 *                         kin, SOA, TXT, HINFO, SRV, NAPTR, CAA, URI, the
 *                         RFC 3597 generic form);
 *   proto_rdata_dnssec.c  DS, DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM and
 *                         their type bitmaps; SSHFP, TLSA, SMIMEA and
 *                         OPENPGPKEY;
 *   proto_rdata_svcb.c    SVCB and HTTPS;
 *   proto_rdata_loc.c     LOC;
 *   proto_rdata_check.c   the structure checks of the types BIND knows but
 *                         this project prints in the generic form.
 *
 * The rules of proto_rdata.c hold in every part: each field is read through
 * r->w, whose end is the end of the rdata; a function returns 0 or a
 * PROTO_E* code (PROTO_ERDATA for rdata BIND refuses); output goes to r->out
 * only. No allocation, no state, nothing shared between threads.
 */
#ifndef PROTO_RDATA_IMPL_H
#define PROTO_RDATA_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_wire.h"

/* The reader over msg[0..off+rdlen), positioned inside the rdata. */
struct rd {
	struct wire w;
	struct proto_buf *out;
};

/*
 * PROTO_ERDATA when a read ran past the rdata or bytes are left over (every
 * formatted type has a fixed structure); otherwise the output's error.
 */
static inline int
rd_finish(struct rd *r)
{
	if (r->w.err != 0 || r->w.pos != r->w.len)
		return PROTO_ERDATA;
	return r->out->err;
}

static inline void
rd_sp(struct rd *r)
{
	proto_buf_putc(r->out, ' ');
}

static inline void
rd_u(struct rd *r, uint64_t v)
{
	proto_buf_put_u64(r->out, v);
}

static inline void
rd_put_ddd(struct proto_buf *b, uint8_t c)
{
	char e[4] = { '\\', (char)('0' + c / 100), (char)('0' + c / 10 % 10),
	              (char)('0' + c % 10) };

	proto_buf_put(b, e, 4);
}

/* Read a <character-string>; NULL (and the reader's error set) past the end. */
static inline const uint8_t *
rd_string(struct rd *r, size_t *n)
{
	*n = wire_u8(&r->w);
	return wire_take(&r->w, *n);
}

static inline void
rd_put_ipv4(struct proto_buf *b, const uint8_t *p)
{
	proto_buf_put_ipv4(b, p);
}

/* RFC 5952 text, as BIND gets it from inet_ntop. */
static inline void
rd_put_ipv6(struct proto_buf *b, const uint8_t *p)
{
	proto_buf_put_ipv6(b, p);
}

static inline void
rd_put_digits(char *d, unsigned v, int n)
{
	while (n-- > 0) {
		d[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * DS and its kin (CDS, TA, DLV): a digest is never empty, and has the
 * length of its type for the types BIND knows the length of.
 */
static inline bool
rd_ds_digest_ok(unsigned dtype, size_t dlen)
{
	return dlen != 0 && (dtype != 1 || dlen == 20) &&
	       (dtype != 2 || dlen == 32) && (dtype != 4 || dlen == 48);
}

/* proto_rdata.c: the helpers every part shares. */

/*
 * Read the name at the read position into name[0..*nlen); 0 or the error of
 * proto_name_unpack(), PROTO_ERDATA for a name that runs past the rdata.
 */
int rd_name_get(struct rd *r, uint8_t name[PROTO_NAME_MAX], size_t *nlen);
/* Append the name at the read position. */
int rd_name(struct rd *r);
/* A quoted string (TXT and its kin), escaped as dig escapes it. */
void rd_put_qtext(struct proto_buf *b, const uint8_t *p, size_t n);
/* The rdlen octets at the read position in the RFC 3597 generic form. */
int rd_generic(struct rd *r, size_t rdlen);
/* UTF-8 as BIND checks it (SVCB dohpath, EDNS extended error text). */
bool rd_utf8_ok(const uint8_t *p, size_t n);

/* proto_rdata_dnssec.c */
bool proto_rdata_dnssec_typemap_ok(const uint8_t *p, size_t n,
                                   bool allow_empty);
int proto_rdata_dnssec_ds(struct rd *r);
int proto_rdata_dnssec_dnskey(struct rd *r);
int proto_rdata_dnssec_rrsig(struct rd *r);
int proto_rdata_dnssec_nsec(struct rd *r);
int proto_rdata_dnssec_nsec3(struct rd *r);
int proto_rdata_dnssec_nsec3param(struct rd *r);
int proto_rdata_dnssec_sshfp(struct rd *r);
int proto_rdata_dnssec_tlsa(struct rd *r);
int proto_rdata_dnssec_openpgpkey(struct rd *r, size_t rdlen);

/* proto_rdata_svcb.c: SVCB and HTTPS. */
int proto_rdata_svcb_format(struct rd *r);

/* proto_rdata_loc.c */
int proto_rdata_loc_format(struct rd *r, size_t rdlen);

/*
 * proto_rdata_check.c: check the rdata of a type printed generically,
 * leaving the reader at its end; 0 for a type BIND takes any bytes of.
 */
int proto_rdata_check(struct rd *r, uint16_t type);

#endif
