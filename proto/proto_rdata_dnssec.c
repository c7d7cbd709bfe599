/*
 * proto_rdata_dnssec.c - rdata text of the DNSSEC types (DS, CDS, DNSKEY,
 * CDNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM) and of the types that carry keys
 * and digests the same way (SSHFP, TLSA, SMIMEA, OPENPGPKEY), with the NSEC
 * type bitmap that proto_rdata_check.c also uses for CSYNC.
 *
 * Split out of proto_rdata.c to keep files small; the rules are the ones
 * stated there (BIND 9.18's wire checks, dig +nosplit's text) and the shared
 * reader and helpers are in proto_rdata_impl.h.
 */
#include <stdbool.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata_impl.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_wire.h"

/*
 * YYYYMMDDHHMMSS of an RRSIG time read as unsigned seconds since 1970. BIND
 * picks the epoch nearest to the current time instead; the two agree for 68
 * years either side of now, and this one does not change with the clock.
 * The date is the proleptic Gregorian civil-from-days computation over
 * 400-year eras counted from 0000-03-01.
 */
static void
rd_put_time(struct proto_buf *b, uint32_t t)
{
	uint32_t z = t / 86400 + 719468;
	uint32_t sec = t % 86400;
	uint32_t era = z / 146097;
	uint32_t doe = z - era * 146097;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;
	uint32_t day = doy - (153 * mp + 2) / 5 + 1;
	uint32_t mon = mp < 10 ? mp + 3 : mp - 9;
	uint32_t year = yoe + era * 400 + (mon <= 2 ? 1 : 0);
	char d[14];

	rd_put_digits(d, year, 4);
	rd_put_digits(d + 4, mon, 2);
	rd_put_digits(d + 6, day, 2);
	rd_put_digits(d + 8, sec / 3600, 2);
	rd_put_digits(d + 10, sec / 60 % 60, 2);
	rd_put_digits(d + 12, sec % 60, 2);
	proto_buf_put(b, d, sizeof(d));
}

/*
 * NSEC/NSEC3/CSYNC type bitmap: windows strictly increasing, each 1..32
 * octets with a non-zero last octet (BIND refuses anything else).
 */
bool
proto_rdata_dnssec_typemap_ok(const uint8_t *p, size_t n,
                              bool allow_empty)
{
	int last = -1;

	if (n == 0)
		return allow_empty;
	for (size_t i = 0; i < n;) {
		if (n - i < 2)
			return false;
		unsigned win = p[i];
		size_t len = p[i + 1];
		if ((int)win <= last || len < 1 || len > 32 || len > n - i - 2 ||
		    p[i + 1 + len] == 0)
			return false;
		last = (int)win;
		i += 2 + len;
	}
	return true;
}

/* Check the bitmap that ends the rdata and append each type as " TYPE". */
static int
rd_typemap(struct rd *r, bool allow_empty)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX];
	size_t n = wire_left(&r->w);
	const uint8_t *p = wire_take(&r->w, n);

	if (p == NULL || !proto_rdata_dnssec_typemap_ok(p, n, allow_empty))
		return PROTO_ERDATA;
	for (size_t i = 0; i < n; i += 2 + (size_t)p[i + 1]) {
		unsigned win = p[i];
		const uint8_t *bm = p + i + 2;
		for (unsigned b = 0; b < p[i + 1] * 8u; b++) {
			if ((bm[b >> 3] & (0x80u >> (b & 7))) == 0)
				continue;
			uint16_t t = (uint16_t)(win << 8 | b);
			rd_sp(r);
			proto_buf_puts(r->out, proto_rrtype_name(t, tmp));
		}
	}
	return 0;
}

/* DS, CDS. */
int
proto_rdata_dnssec_ds(struct rd *r)
{
	unsigned dtype;
	size_t dlen;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	rd_u(r, wire_u8(&r->w));
	rd_sp(r);
	dtype = wire_u8(&r->w);
	rd_u(r, dtype);
	rd_sp(r);
	dlen = wire_left(&r->w);
	if (!rd_ds_digest_ok(dtype, dlen))
		return PROTO_ERDATA;
	proto_buf_put_hex(r->out, wire_take(&r->w, dlen), dlen);
	return rd_finish(r);
}

/*
 * A PRIVATEDNS (253) key begins with a domain name, which BIND checks and
 * stores decompressed, case kept; the base64 is of those stored bytes.
 */
static int
rd_key_privatedns(struct rd *r)
{
	uint8_t name[PROTO_NAME_MAX];
	uint8_t head[PROTO_NAME_MAX + 2];
	const uint8_t *buf = r->w.buf;
	size_t nlen;
	size_t pos = r->w.pos;
	size_t h = 0;
	size_t rest;
	size_t k;
	int err;

	if (r->w.err != 0)
		return PROTO_ERDATA;
	err = proto_name_unpack(buf, r->w.len, &pos, name, &nlen, true);
	if (err != 0)
		return err == PROTO_ETRUNC ? PROTO_ERDATA : err;
	/* Already validated, so this walk cannot fail or loop. */
	for (size_t p = r->w.pos;;) {
		uint8_t c = buf[p];
		if ((c & 0xc0) == 0xc0) {
			p = (size_t)(c & 0x3f) << 8 | buf[p + 1];
			continue;
		}
		memcpy(head + h, buf + p, (size_t)c + 1);
		h += (size_t)c + 1;
		p += (size_t)c + 1;
		if (c == 0)
			break;
	}
	/* Top the head up to a multiple of 3 so the two base64 runs join. */
	rest = r->w.len - pos;
	k = (3 - h % 3) % 3;
	if (k > rest)
		k = rest;
	memcpy(head + h, buf + pos, k);
	proto_buf_put_base64(r->out, head, h + k);
	proto_buf_put_base64(r->out, buf + pos + k, rest - k);
	r->w.pos = r->w.len;
	return 0;
}

/* DNSKEY, CDNSKEY: BIND refuses an empty key. */
int
proto_rdata_dnssec_dnskey(struct rd *r)
{
	unsigned alg;
	size_t klen;
	int err;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	rd_u(r, wire_u8(&r->w));
	rd_sp(r);
	alg = wire_u8(&r->w);
	rd_u(r, alg);
	rd_sp(r);
	if (alg == 253) {
		if ((err = rd_key_privatedns(r)) != 0)
			return err;
		return rd_finish(r);
	}
	klen = wire_left(&r->w);
	if (klen == 0)
		return PROTO_ERDATA;
	proto_buf_put_base64(r->out, wire_take(&r->w, klen), klen);
	return rd_finish(r);
}

int
proto_rdata_dnssec_rrsig(struct rd *r)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX];
	size_t slen;
	int err;

	proto_buf_puts(r->out, proto_rrtype_name(wire_u16(&r->w), tmp));
	rd_sp(r);
	rd_u(r, wire_u8(&r->w));      /* algorithm */
	rd_sp(r);
	rd_u(r, wire_u8(&r->w));      /* labels */
	rd_sp(r);
	rd_u(r, wire_u32(&r->w));     /* original TTL */
	rd_sp(r);
	rd_put_time(r->out, wire_u32(&r->w));
	rd_sp(r);
	rd_put_time(r->out, wire_u32(&r->w));
	rd_sp(r);
	rd_u(r, wire_u16(&r->w));     /* key tag */
	rd_sp(r);
	/* RFC 4034 forbids a compressed signer; BIND accepts one, as we do. */
	if ((err = rd_name(r)) != 0)
		return err;
	rd_sp(r);
	slen = wire_left(&r->w);
	if (slen == 0)
		return PROTO_ERDATA;
	proto_buf_put_base64(r->out, wire_take(&r->w, slen), slen);
	return rd_finish(r);
}

int
proto_rdata_dnssec_nsec(struct rd *r)
{
	int err;

	if ((err = rd_name(r)) != 0)
		return err;
	if ((err = rd_typemap(r, false)) != 0)
		return err;
	return rd_finish(r);
}

/* NSEC3 and NSEC3PARAM share algorithm, flags, iterations and salt. */
static void
rd_nsec3_head(struct rd *r)
{
	size_t slen;
	const uint8_t *salt;

	rd_u(r, wire_u8(&r->w));
	rd_sp(r);
	rd_u(r, wire_u8(&r->w));
	rd_sp(r);
	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	salt = rd_string(r, &slen);
	if (salt != NULL && slen != 0)
		proto_buf_put_hex(r->out, salt, slen);
	else
		proto_buf_putc(r->out, '-');
}

int
proto_rdata_dnssec_nsec3(struct rd *r)
{
	unsigned alg = r->w.pos < r->w.len ? r->w.buf[r->w.pos] : 0;
	size_t hlen;
	const uint8_t *hash;
	int err;

	rd_nsec3_head(r);
	rd_sp(r);
	hash = rd_string(r, &hlen);
	/* BIND insists on a SHA-1 sized hash for algorithm 1. */
	if (hash == NULL || hlen == 0 || (alg == 1 && hlen != 20))
		return PROTO_ERDATA;
	proto_buf_put_base32hex(r->out, hash, hlen);
	if ((err = rd_typemap(r, true)) != 0)
		return err;
	return rd_finish(r);
}

int
proto_rdata_dnssec_nsec3param(struct rd *r)
{
	rd_nsec3_head(r);
	return rd_finish(r);
}

/* SSHFP: fingerprint lengths checked for SHA-1 (1) and SHA-256 (2). */
int
proto_rdata_dnssec_sshfp(struct rd *r)
{
	unsigned fptype;
	size_t flen;

	rd_u(r, wire_u8(&r->w));
	rd_sp(r);
	fptype = wire_u8(&r->w);
	rd_u(r, fptype);
	rd_sp(r);
	flen = wire_left(&r->w);
	if (flen == 0 || (fptype == 1 && flen != 20) ||
	    (fptype == 2 && flen != 32))
		return PROTO_ERDATA;
	proto_buf_put_hex(r->out, wire_take(&r->w, flen), flen);
	return rd_finish(r);
}

/* TLSA, SMIMEA. */
int
proto_rdata_dnssec_tlsa(struct rd *r)
{
	size_t dlen;

	for (int i = 0; i < 3; i++) {
		rd_u(r, wire_u8(&r->w));
		rd_sp(r);
	}
	dlen = wire_left(&r->w);
	if (dlen == 0)
		return PROTO_ERDATA;
	proto_buf_put_hex(r->out, wire_take(&r->w, dlen), dlen);
	return rd_finish(r);
}

int
proto_rdata_dnssec_openpgpkey(struct rd *r, size_t rdlen)
{
	if (rdlen == 0)
		return PROTO_ERDATA;
	proto_buf_put_base64(r->out, wire_take(&r->w, rdlen), rdlen);
	return rd_finish(r);
}
