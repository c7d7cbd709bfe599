/*
 * proto_rdata.c - canonical rdata text, and the validity check that goes
 * with it.
 *
 * The rules are those of BIND 9.18 (checked against dig 9.18.49): rdata
 * that BIND's wire parser rejects, so that dig reports FORMERR for the whole
 * message, is PROTO_ERDATA here; rdata it accepts prints the way dig
 * +nosplit prints it, except that names are lowercased and lose the trailing
 * dot. Every field is read through one struct wire whose end is the end of
 * the rdata, so nothing can be read past RDLENGTH; names go through
 * proto_name_unpack() bounded the same way. No allocation: this runs for
 * every record of every captured message.
 *
 * Known differences from dig, all deliberate: RRSIG times are read as
 * unsigned seconds since 1970 rather than relative to the clock; types that
 * BIND knows but this file does not format (WKS, SIG, KEY, OPT, ...) print
 * generically, though their structure is checked as BIND checks it (see
 * rd_check()); a NAPTR regexp is checked for structure but not compiled.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
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
static int
rd_finish(struct rd *r)
{
	if (r->w.err != 0 || r->w.pos != r->w.len)
		return PROTO_ERDATA;
	return r->out->err;
}

static void
rd_sp(struct rd *r)
{
	proto_buf_putc(r->out, ' ');
}

static void
rd_u(struct rd *r, uint64_t v)
{
	proto_buf_put_u64(r->out, v);
}

/*
 * Read the name at the read position into name[0..*nlen). The reader's
 * length is the rdata's end, so the name's own bytes cannot run past
 * RDLENGTH; a pointer may reach anything before the name, as
 * proto_name_unpack() allows.
 */
static int
rd_name_get(struct rd *r, uint8_t name[PROTO_NAME_MAX], size_t *nlen)
{
	size_t pos = r->w.pos;
	int err;

	if (r->w.err != 0)
		return PROTO_ERDATA;
	err = proto_name_unpack(r->w.buf, r->w.len, &pos, name, nlen, true);
	if (err != 0)
		return err == PROTO_ETRUNC ? PROTO_ERDATA : err;
	r->w.pos = pos;
	return 0;
}

/* Append the name at the read position. */
static int
rd_name(struct rd *r)
{
	uint8_t name[PROTO_NAME_MAX];
	size_t nlen;
	int err = rd_name_get(r, name, &nlen);

	if (err != 0)
		return err;
	proto_name_format(name, nlen, r->out);
	return 0;
}

static void
rd_put_ddd(struct proto_buf *b, uint8_t c)
{
	char e[4] = { '\\', (char)('0' + c / 100), (char)('0' + c / 10 % 10),
	              (char)('0' + c % 10) };

	proto_buf_put(b, e, 4);
}

/*
 * The inside of a quoted string (TXT and its kin): '"' and '\' get a
 * backslash, bytes outside printable ASCII become \DDD, the rest is copied
 * in runs.
 */
static void
rd_put_text(struct proto_buf *b, const uint8_t *p, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		proto_buf_put(b, (const char *)p + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			proto_buf_put(b, e, 2);
		} else {
			rd_put_ddd(b, c);
		}
	}
	proto_buf_put(b, (const char *)p + run, n - run);
}

static void
rd_put_qtext(struct proto_buf *b, const uint8_t *p, size_t n)
{
	proto_buf_putc(b, '"');
	rd_put_text(b, p, n);
	proto_buf_putc(b, '"');
}

/*
 * One ALPN id inside alpn="...": dig escapes twice, once for the comma list
 * and once for the quoted string, so ',' is \\, and '\' is four
 * backslashes; a space is \032 because the id is unquoted at the inner
 * level.
 */
static void
rd_put_alpn(struct proto_buf *b, const uint8_t *p, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ',')
			continue;
		proto_buf_put(b, (const char *)p + run, i - run);
		run = i + 1;
		if (c == '"')
			proto_buf_put(b, "\\\"", 2);
		else if (c == ',')
			proto_buf_put(b, "\\\\,", 3);
		else if (c == '\\')
			proto_buf_put(b, "\\\\\\\\", 4);
		else
			rd_put_ddd(b, c);
	}
	proto_buf_put(b, (const char *)p + run, n - run);
}

/* Read a <character-string>; NULL (and the reader's error set) past the end. */
static const uint8_t *
rd_string(struct rd *r, size_t *n)
{
	*n = wire_u8(&r->w);
	return wire_take(&r->w, *n);
}

static int
rd_qstring(struct rd *r)
{
	size_t n;
	const uint8_t *s = rd_string(r, &n);

	if (s == NULL)
		return PROTO_ERDATA;
	rd_put_qtext(r->out, s, n);
	return 0;
}

static void
rd_put_ipv4(struct proto_buf *b, const uint8_t *p)
{
	proto_buf_put_ipv4(b, p);
}

/* RFC 5952 text, as BIND gets it from inet_ntop. */
static void
rd_put_ipv6(struct proto_buf *b, const uint8_t *p)
{
	proto_buf_put_ipv6(b, p);
}

static void
rd_put_digits(char *d, unsigned v, int n)
{
	while (n-- > 0) {
		d[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

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
static bool
rd_typemap_ok(const uint8_t *p, size_t n, bool allow_empty)
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

	if (p == NULL || !rd_typemap_ok(p, n, allow_empty))
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

/* RFC 3597: \# LEN HEX, or "\# 0". */
static int
rd_generic(struct rd *r, size_t rdlen)
{
	const uint8_t *p = wire_take(&r->w, rdlen);

	proto_buf_put(r->out, "\\# ", 3);
	rd_u(r, rdlen);
	if (rdlen != 0) {
		rd_sp(r);
		proto_buf_put_hex(r->out, p, rdlen);
	}
	return rd_finish(r);
}

static int
rd_a(struct rd *r, size_t rdlen)
{
	if (rdlen != 4)
		return PROTO_ERDATA;
	rd_put_ipv4(r->out, wire_take(&r->w, 4));
	return rd_finish(r);
}

static int
rd_aaaa(struct rd *r, size_t rdlen)
{
	if (rdlen != 16)
		return PROTO_ERDATA;
	rd_put_ipv6(r->out, wire_take(&r->w, 16));
	return rd_finish(r);
}

/* NS, CNAME, DNAME, PTR. */
static int
rd_one_name(struct rd *r)
{
	int err = rd_name(r);

	return err != 0 ? err : rd_finish(r);
}

/* MX, KX, AFSDB: a 16-bit number and a name. */
static int
rd_u16_name(struct rd *r)
{
	int err;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	if ((err = rd_name(r)) != 0)
		return err;
	return rd_finish(r);
}

static int
rd_rp(struct rd *r)
{
	int err;

	if ((err = rd_name(r)) != 0)
		return err;
	rd_sp(r);
	if ((err = rd_name(r)) != 0)
		return err;
	return rd_finish(r);
}

static int
rd_soa(struct rd *r)
{
	int err;

	if ((err = rd_name(r)) != 0)
		return err;
	rd_sp(r);
	if ((err = rd_name(r)) != 0)
		return err;
	for (int i = 0; i < 5; i++) {
		rd_sp(r);
		rd_u(r, wire_u32(&r->w));
	}
	return rd_finish(r);
}

/* TXT, SPF: one or more strings; BIND refuses an empty rdata. */
static int
rd_txt(struct rd *r)
{
	if (wire_left(&r->w) == 0)
		return PROTO_ERDATA;
	for (bool first = true; wire_left(&r->w) > 0; first = false) {
		if (!first)
			rd_sp(r);
		if (rd_qstring(r) != 0)
			return PROTO_ERDATA;
	}
	return rd_finish(r);
}

static int
rd_hinfo(struct rd *r)
{
	if (rd_qstring(r) != 0)
		return PROTO_ERDATA;
	rd_sp(r);
	if (rd_qstring(r) != 0)
		return PROTO_ERDATA;
	return rd_finish(r);
}

static int
rd_srv(struct rd *r)
{
	int err;

	for (int i = 0; i < 3; i++) {
		rd_u(r, wire_u16(&r->w));
		rd_sp(r);
	}
	if ((err = rd_name(r)) != 0)
		return err;
	return rd_finish(r);
}

/*
 * The structure BIND demands of a NAPTR regexp: empty, or
 * <delim>ere<delim>repl<delim>flags with a delimiter that is not a digit,
 * '\', 'i' or NUL, no NUL anywhere, no \0 back-reference, flags only 'i'.
 * BIND also compiles the ERE and counts its groups; that is not done here,
 * so a few regexps dig refuses are accepted.
 */
static bool
rd_naptr_regexp_ok(const uint8_t *p, size_t n)
{
	bool replace = false;
	bool flags = false;
	uint8_t delim;

	if (n == 0)
		return true;
	delim = p[0];
	if ((delim >= '0' && delim <= '9') || delim == '\\' || delim == 'i' ||
	    delim == 0)
		return false;
	for (size_t i = 1; i < n; i++) {
		uint8_t c = p[i];
		if (c == 0)
			return false;
		if (c == delim) {
			if (flags)
				return false;
			if (replace)
				flags = true;
			replace = true;
			continue;
		}
		if (flags) {
			if (c != 'i')
				return false;
			continue;
		}
		if (c == '\\') {
			if (++i == n || p[i] == 0)
				return false;
			if (replace && p[i] == '0')
				return false;
		}
	}
	return flags;
}

static int
rd_naptr(struct rd *r)
{
	const uint8_t *s;
	size_t n;
	int err;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	for (int i = 0; i < 3; i++) {
		if ((s = rd_string(r, &n)) == NULL)
			return PROTO_ERDATA;
		if (i == 2 && !rd_naptr_regexp_ok(s, n))
			return PROTO_ERDATA;
		rd_put_qtext(r->out, s, n);
		rd_sp(r);
	}
	if ((err = rd_name(r)) != 0)
		return err;
	return rd_finish(r);
}

/* CAA: flags, a non-empty alphanumeric tag, the value as one string. */
static int
rd_caa(struct rd *r)
{
	unsigned flags = wire_u8(&r->w);
	size_t taglen;
	const uint8_t *tag = rd_string(r, &taglen);
	size_t vlen = wire_left(&r->w);

	if (tag == NULL || taglen == 0)
		return PROTO_ERDATA;
	for (size_t i = 0; i < taglen; i++) {
		uint8_t c = tag[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return PROTO_ERDATA;
	}
	rd_u(r, flags);
	rd_sp(r);
	proto_buf_put(r->out, (const char *)tag, taglen);
	rd_sp(r);
	rd_put_qtext(r->out, wire_take(&r->w, vlen), vlen);
	return rd_finish(r);
}

/*
 * DS and its kin (CDS, TA, DLV): a digest is never empty, and has the
 * length of its type for the types BIND knows the length of.
 */
static bool
rd_ds_digest_ok(unsigned dtype, size_t dlen)
{
	return dlen != 0 && (dtype != 1 || dlen == 20) &&
	       (dtype != 2 || dlen == 32) && (dtype != 4 || dlen == 48);
}

/* DS, CDS. */
static int
rd_ds(struct rd *r)
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
static int
rd_dnskey(struct rd *r)
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

static int
rd_rrsig(struct rd *r)
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

static int
rd_nsec(struct rd *r)
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

static int
rd_nsec3(struct rd *r)
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

static int
rd_nsec3param(struct rd *r)
{
	rd_nsec3_head(r);
	return rd_finish(r);
}

/* SSHFP: fingerprint lengths checked for SHA-1 (1) and SHA-256 (2). */
static int
rd_sshfp(struct rd *r)
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
static int
rd_tlsa(struct rd *r)
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

static int
rd_openpgpkey(struct rd *r, size_t rdlen)
{
	if (rdlen == 0)
		return PROTO_ERDATA;
	proto_buf_put_base64(r->out, wire_take(&r->w, rdlen), rdlen);
	return rd_finish(r);
}

static int
rd_uri(struct rd *r)
{
	size_t tlen;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	if (r->w.err != 0)
		return PROTO_ERDATA;
	tlen = wire_left(&r->w);
	rd_put_qtext(r->out, wire_take(&r->w, tlen), tlen);
	return rd_finish(r);
}

/* Powers of ten for LOC sizes, indexed by the exponent. */
static const uint32_t rd_pow10[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

/*
 * A LOC size or precision: mantissa and exponent each 0..9, and a zero
 * mantissa only in the all-zero byte. Metres when the value is whole
 * (exponent >= 2), otherwise 0.CCm.
 */
static int
rd_loc_prec(struct rd *r, uint8_t v)
{
	unsigned m = v >> 4;
	unsigned e = v & 15;

	if (m > 9 || e > 9 || (m == 0 && e != 0))
		return PROTO_ERDATA;
	if (e >= 2) {
		rd_u(r, (uint64_t)m * rd_pow10[e - 2]);
	} else {
		char d[2];
		proto_buf_put(r->out, "0.", 2);
		rd_put_digits(d, m * rd_pow10[e], 2);
		proto_buf_put(r->out, d, 2);
	}
	proto_buf_putc(r->out, 'm');
	return 0;
}

/* Degrees, minutes, seconds.milliseconds and hemisphere of a LOC angle. */
static void
rd_loc_angle(struct rd *r, uint32_t v, char pos, char neg)
{
	bool positive = v >= 0x80000000u;
	uint32_t a = positive ? v - 0x80000000u : 0x80000000u - v;
	char ms[4] = { '.', 0, 0, 0 };

	rd_u(r, a / 3600000);
	rd_sp(r);
	rd_u(r, a / 60000 % 60);
	rd_sp(r);
	rd_u(r, a / 1000 % 60);
	rd_put_digits(ms + 1, a % 1000, 3);
	proto_buf_put(r->out, ms, 4);
	rd_sp(r);
	proto_buf_putc(r->out, positive ? pos : neg);
}

/*
 * LOC version 0 (RFC 1876). Another version is data BIND does not
 * understand but keeps, printing it in the generic form.
 */
static int
rd_loc(struct rd *r, size_t rdlen)
{
	const uint8_t *p;
	uint32_t lat, lon, alt;
	char cm[4] = { '.', 0, 0, 'm' };
	int err;

	if (rdlen == 0)
		return PROTO_ERDATA;
	if (r->w.buf[r->w.pos] != 0)
		return rd_generic(r, rdlen);
	if (rdlen != 16)
		return PROTO_ERDATA;
	p = wire_take(&r->w, 4);
	lat = wire_u32(&r->w);
	lon = wire_u32(&r->w);
	alt = wire_u32(&r->w);
	if (lat < 0x80000000u - 90u * 3600000u ||
	    lat > 0x80000000u + 90u * 3600000u ||
	    lon < 0x80000000u - 180u * 3600000u ||
	    lon > 0x80000000u + 180u * 3600000u)
		return PROTO_ERDATA;
	rd_loc_angle(r, lat, 'N', 'S');
	rd_sp(r);
	rd_loc_angle(r, lon, 'E', 'W');
	rd_sp(r);
	/* Altitude is centimetres above a base 100 km below the spheroid. */
	if (alt < 10000000u) {
		proto_buf_putc(r->out, '-');
		alt = 10000000u - alt;
	} else {
		alt -= 10000000u;
	}
	rd_u(r, alt / 100);
	rd_put_digits(cm + 1, alt % 100, 2);
	proto_buf_put(r->out, cm, 4);
	for (int i = 1; i < 4; i++) {
		rd_sp(r);
		if ((err = rd_loc_prec(r, p[i])) != 0)
			return err;
	}
	return rd_finish(r);
}

/*
 * UTF-8 as BIND checks it for dohpath: well-formed sequences of at most four
 * bytes, no overlong form, nothing above U+10FFFF (surrogates pass).
 */
static bool
rd_utf8_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t w;
		size_t more;
		uint32_t min;

		if (p[i] < 0x80)
			continue;
		if ((p[i] & 0xe0) == 0xc0) {
			w = p[i] & 0x1fu;
			more = 1;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			w = p[i] & 0x0fu;
			more = 2;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			w = p[i] & 0x07u;
			more = 3;
			min = 0x10000;
		} else {
			return false;
		}
		if (more > n - 1 - i)
			return false;
		for (size_t k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			w = w << 6 | (p[i + k] & 0x3fu);
		}
		if (w < min || w > 0x10ffff)
			return false;
		i += more;
	}
	return true;
}

static bool
rd_is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
rd_is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/*
 * SVCB dohpath (RFC 9461) as BIND 9.18 accepts it: a relative URI template
 * starting with '/', valid UTF-8, whose RFC 6570 expressions are well formed
 * and name a variable "dns". The quirks are BIND's and kept on purpose: an
 * operator may also follow a ',' and the variable after a ":prefix," is not
 * recognised as "dns" - a dohpath dig refuses must be refused here too.
 */
static bool
rd_dohpath_ok(const uint8_t *p, size_t n)
{
	enum { PATH, VAR, PCT1, PCT2, VPCT1, VPCT2, PREFIX, EXPLODE } st = PATH;
	size_t var = 0;    /* where the current variable name starts */
	size_t digits = 0; /* where the current prefix length starts */
	bool op = false;
	bool dns = false;

	if (n == 0 || p[0] != '/' || !rd_utf8_ok(p, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		switch (st) {
		case PATH:
			if (c == '{') {
				st = VAR;
				op = false;
				var = i + 1;
			} else if (c == '%') {
				st = PCT1;
			}
			break;
		case VAR:
			switch (c) {
			case '+': case '#': case '.': case '/': case ';':
			case '?': case '&':
				if (i != var || op)
					return false;
				op = true;
				var = i + 1;
				break;
			case '=': case '!': case '@': case '|':
				return false;
			case '*': case ':': case '}': case ',':
				if (i == var)
					return false;
				if (i - var == 3 && !memcmp(p + var, "dns", 3))
					dns = true;
				if (c == ':') {
					st = PREFIX;
					digits = i + 1;
				} else if (c == '}') {
					st = PATH;
				} else if (c == '*') {
					st = EXPLODE;
				} else {
					op = false;
					var = i + 1;
				}
				break;
			case '%':
				st = VPCT1;
				break;
			default:
				if (c != '_' && !rd_is_alnum(c))
					return false;
			}
			break;
		case EXPLODE:
			if (c == ',') {
				st = VAR;
				op = false;
				var = i + 1;
			} else if (c == '}') {
				st = PATH;
			} else {
				return false;
			}
			break;
		case PCT1:
		case PCT2:
		case VPCT1:
		case VPCT2:
			if (!rd_is_hex(c))
				return false;
			st = st == PCT1 ? PCT2 : st == PCT2 ? PATH :
			     st == VPCT1 ? VPCT2 : VAR;
			break;
		case PREFIX:
			if (c >= '0' && c <= '9')
				break;
			/* A prefix length is 1..9999 without a leading zero. */
			if (i == digits || i - digits > 4 || p[digits] == '0')
				return false;
			if (c == ',') {
				st = VAR;
				op = false;
			} else if (c == '}') {
				st = PATH;
			} else {
				return false;
			}
			break;
		}
	}
	return st == PATH && dns;
}

static const char *const rd_svc_keys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint",
};

/* dig 9.18 names keys 0..6; dohpath (7) and the rest print as keyNNNNN. */
static void
rd_svc_key(struct proto_buf *b, uint16_t key)
{
	if (key < sizeof(rd_svc_keys) / sizeof(rd_svc_keys[0])) {
		proto_buf_puts(b, rd_svc_keys[key]);
	} else {
		proto_buf_put(b, "key", 3);
		proto_buf_put_u64(b, key);
	}
}

/* The value of one SvcParam after "key=", or PROTO_ERDATA. */
static int
rd_svc_value(struct rd *r, uint16_t key, const uint8_t *v, size_t len)
{
	struct proto_buf *b = r->out;

	switch (key) {
	case 0: /* mandatory: ascending keys, checked by the caller */
		for (size_t i = 0; i < len; i += 2) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_svc_key(b, (uint16_t)(v[i] << 8 | v[i + 1]));
		}
		break;
	case 1: /* alpn: non-empty ids */
		proto_buf_putc(b, '"');
		for (size_t i = 0; i < len;) {
			size_t l = v[i];
			if (l == 0 || l > len - i - 1)
				return PROTO_ERDATA;
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_alpn(b, v + i + 1, l);
			i += 1 + l;
		}
		proto_buf_putc(b, '"');
		break;
	case 2: /* no-default-alpn: nothing to print */
		break;
	case 3:
		if (len != 2)
			return PROTO_ERDATA;
		proto_buf_put_u64(b, (uint64_t)(v[0] << 8 | v[1]));
		break;
	case 4:
		if (len % 4 != 0)
			return PROTO_ERDATA;
		for (size_t i = 0; i < len; i += 4) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_ipv4(b, v + i);
		}
		break;
	case 5:
		proto_buf_put_base64(b, v, len);
		break;
	case 6:
		if (len % 16 != 0)
			return PROTO_ERDATA;
		for (size_t i = 0; i < len; i += 16) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_ipv6(b, v + i);
		}
		break;
	case 7:
		if (!rd_dohpath_ok(v, len))
			return PROTO_ERDATA;
		rd_put_qtext(b, v, len);
		break;
	default:
		rd_put_qtext(b, v, len);
	}
	return 0;
}

/*
 * SVCB, HTTPS (RFC 9460) with BIND's wire checks: keys strictly ascending;
 * mandatory a non-empty ascending list without key 0 whose keys all follow;
 * no-default-alpn only after alpn; the fixed encodings of keys 0..7.
 */
static int
rd_svcb(struct rd *r)
{
	const uint8_t *man = NULL; /* mandatory keys still to be seen */
	size_t manleft = 0;
	uint32_t mankey = 0;       /* next one; 0 means none */
	int32_t last = -1;
	bool alpn = false;
	int err;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	if ((err = rd_name(r)) != 0)
		return err;
	while (wire_left(&r->w) > 0) {
		uint16_t key = wire_u16(&r->w);
		size_t len = wire_u16(&r->w);
		const uint8_t *v = wire_take(&r->w, len);

		if (v == NULL || (int32_t)key <= last)
			return PROTO_ERDATA;
		last = key;
		if (mankey != 0) {
			if (key > mankey)
				return PROTO_ERDATA;
			if (key == mankey && manleft >= 2) {
				mankey = (uint32_t)(man[0] << 8 | man[1]);
				man += 2;
				manleft -= 2;
			} else if (key == mankey) {
				mankey = 0;
			}
		}
		if (key == 1)
			alpn = true;
		if (key == 2 && !alpn)
			return PROTO_ERDATA;
		/* Keys whose value must not be empty. */
		if (len == 0 && (key == 0 || key == 1 || key == 3 ||
		                 key == 4 || key == 6 || key == 7))
			return PROTO_ERDATA;
		if (key == 2 && len != 0)
			return PROTO_ERDATA;
		if (key == 0) {
			if (len % 2 != 0)
				return PROTO_ERDATA;
			for (size_t i = 2; i < len; i += 2) {
				if (memcmp(v + i - 2, v + i, 2) >= 0)
					return PROTO_ERDATA;
			}
			mankey = (uint32_t)(v[0] << 8 | v[1]);
			if (mankey == 0)
				return PROTO_ERDATA;
			man = v + 2;
			manleft = len - 2;
		}
		rd_sp(r);
		rd_svc_key(r->out, key);
		if (len == 0)
			continue;
		proto_buf_putc(r->out, '=');
		if ((err = rd_svc_value(r, key, v, len)) != 0)
			return err;
	}
	if (mankey != 0)
		return PROTO_ERDATA;
	return rd_finish(r);
}

/*
 * Types that BIND 9.18 implements but this project prints generically.
 * BIND still reads their structure off the wire and refuses the whole
 * message when it does not fit, so each type gets the checks of BIND's
 * fromwire here; the text stays RFC 3597 and the type name TYPEnnn (or the
 * mnemonic proto_rrtype.h already has). NULL, UNSPEC and KEYDATA take any
 * bytes in BIND too, and a type BIND does not know is opaque, so neither
 * needs a check.
 *
 * WKS, NSAP, NSAP-PTR, PX, ATMA, EID, NIMLOC, A6, APL and DHCID are class IN
 * types in BIND: in another class it treats them as unknown and takes any
 * bytes. proto_rdata_format() has no class argument (and has callers), so
 * they are checked as class IN whatever the class: a message carrying, say,
 * a CHAOS A6 that is only valid as opaque bytes is dropped where BIND would
 * keep it. Records of other classes are never observations, so nothing
 * that matters is lost. TSIG is the other way round: BIND parses it only in
 * class ANY, the class every TSIG record has, and it is checked as such.
 */
enum {
	RD_T_MD = 3, RD_T_MF = 4, RD_T_MB = 7, RD_T_MG = 8, RD_T_MR = 9,
	RD_T_WKS = 11, RD_T_MINFO = 14, RD_T_X25 = 19, RD_T_ISDN = 20,
	RD_T_RT = 21, RD_T_NSAP = 22, RD_T_NSAP_PTR = 23, RD_T_PX = 26,
	RD_T_GPOS = 27, RD_T_NXT = 30, RD_T_EID = 31, RD_T_NIMLOC = 32,
	RD_T_ATMA = 34, RD_T_CERT = 37, RD_T_A6 = 38, RD_T_SINK = 40,
	RD_T_APL = 42, RD_T_IPSECKEY = 45, RD_T_DHCID = 49, RD_T_HIP = 55,
	RD_T_NINFO = 56, RD_T_RKEY = 57, RD_T_TALINK = 58, RD_T_CSYNC = 62,
	RD_T_ZONEMD = 63, RD_T_DSYNC = 66, RD_T_HHIT = 67, RD_T_BRID = 68,
	RD_T_NID = 104, RD_T_L32 = 105, RD_T_L64 = 106, RD_T_LP = 107,
	RD_T_EUI48 = 108, RD_T_EUI64 = 109, RD_T_AVC = 258, RD_T_DOA = 259,
	RD_T_AMTRELAY = 260, RD_T_RESINFO = 261, RD_T_WALLET = 262,
	RD_T_TA = 32768, RD_T_DLV = 32769,
};

/* BIND's bound on rdata once names are decompressed (DNS_RDATA_MAXLENGTH). */
#define RD_EXPANDED_MAX 65512

/* Check the name at the read position; *nlen gets its decompressed length. */
static int
rd_chk_name(struct rd *r, size_t *nlen)
{
	uint8_t name[PROTO_NAME_MAX];

	return rd_name_get(r, name, nlen);
}

/* n names in a row: MD, MF, MB, MG, MR, NSAP-PTR (1); MINFO, TALINK (2). */
static int
rd_chk_names(struct rd *r, int n)
{
	size_t nlen;
	int err;

	for (int i = 0; i < n; i++) {
		if ((err = rd_chk_name(r, &nlen)) != 0)
			return err;
	}
	return 0;
}

/* `skip` fixed octets, then n names: RT, LP (2, 1), PX (2, 2), DSYNC (5, 1). */
static int
rd_chk_fixed_names(struct rd *r, size_t skip, int n)
{
	wire_skip(&r->w, skip);
	return rd_chk_names(r, n);
}

/* Opaque data of at least `min` octets. */
static int
rd_chk_min(struct rd *r, size_t min)
{
	size_t n = wire_left(&r->w);

	if (n < min)
		return PROTO_ERDATA;
	wire_skip(&r->w, n);
	return 0;
}

/* Opaque data of exactly n octets: NID, L32, L64, EUI48, EUI64. */
static int
rd_chk_exact(struct rd *r, size_t n)
{
	if (wire_left(&r->w) != n)
		return PROTO_ERDATA;
	wire_skip(&r->w, n);
	return 0;
}

/* A <character-string> that fits. */
static int
rd_chk_string(struct rd *r)
{
	size_t n;

	return rd_string(r, &n) == NULL ? PROTO_ERDATA : 0;
}

/* NINFO, AVC, RESINFO, WALLET are TXT on the wire: one string or more. */
static int
rd_chk_txt(struct rd *r)
{
	if (wire_left(&r->w) == 0)
		return PROTO_ERDATA;
	while (wire_left(&r->w) > 0) {
		if (rd_chk_string(r) != 0)
			return PROTO_ERDATA;
	}
	return 0;
}

/* WKS: address, protocol, then a port bitmap that does not end in zero. */
static int
rd_chk_wks(struct rd *r)
{
	size_t n = wire_left(&r->w);
	const uint8_t *p = wire_take(&r->w, n);

	if (p == NULL || n < 5 || n > 5 + 65536 / 8 || (n > 5 && p[n - 1] == 0))
		return PROTO_ERDATA;
	return 0;
}

/* X25: one string of at least four decimal digits. */
static int
rd_chk_x25(struct rd *r)
{
	size_t n;
	const uint8_t *s = rd_string(r, &n);

	if (s == NULL || n < 4)
		return PROTO_ERDATA;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PROTO_ERDATA;
	}
	return 0;
}

/* ISDN: an address string and an optional subaddress string. */
static int
rd_chk_isdn(struct rd *r)
{
	if (rd_chk_string(r) != 0)
		return PROTO_ERDATA;
	if (wire_left(&r->w) > 0 && rd_chk_string(r) != 0)
		return PROTO_ERDATA;
	return 0;
}

/* GPOS: longitude, latitude and altitude strings, contents unchecked. */
static int
rd_chk_gpos(struct rd *r)
{
	for (int i = 0; i < 3; i++) {
		if (rd_chk_string(r) != 0)
			return PROTO_ERDATA;
	}
	return 0;
}

/*
 * SIG: the fixed fields of RRSIG, the signer and a signature that is not
 * empty. A SIG(0) (type covered 0) is refused by BIND outside the end of
 * the additional section; that is a rule of the message, not of the rdata.
 */
static int
rd_chk_sig(struct rd *r)
{
	size_t nlen;
	int err;

	wire_skip(&r->w, 18);
	if ((err = rd_chk_name(r, &nlen)) != 0)
		return err;
	return rd_chk_min(r, 1);
}

/*
 * KEY and RKEY (BIND's generic_fromwire_key, which DNSKEY shares): flags,
 * protocol, algorithm, then a key that is not empty, led by a name for
 * PRIVATEDNS (253). An RKEY has no flags; a KEY flagged "no key" (both top
 * bits) carries none.
 */
static int
rd_chk_key(struct rd *r, uint16_t type)
{
	unsigned flags = wire_u16(&r->w);
	unsigned alg;
	size_t nlen;
	int err;

	wire_u8(&r->w);
	alg = wire_u8(&r->w);
	if (r->w.err != 0 || (type == RD_T_RKEY && flags != 0))
		return PROTO_ERDATA;
	if (type == PROTO_T_KEY && (flags & 0xc000) == 0xc000)
		return 0;
	if (wire_left(&r->w) == 0)
		return PROTO_ERDATA;
	if (alg == 253 && (err = rd_chk_name(r, &nlen)) != 0)
		return err;
	wire_skip(&r->w, wire_left(&r->w));
	return 0;
}

/*
 * NXT (RFC 2535): the next name, then a bitmap of types 1..127: at most 16
 * octets, the last one not zero, and the bit of type 0 clear (BIND has no
 * use for the extended form that bit would announce).
 */
static int
rd_chk_nxt(struct rd *r)
{
	size_t nlen;
	size_t n;
	const uint8_t *p;
	int err;

	if ((err = rd_chk_name(r, &nlen)) != 0)
		return err;
	n = wire_left(&r->w);
	p = wire_take(&r->w, n);
	if (p == NULL ||
	    (n > 0 && ((p[0] & 0x80) != 0 || n > 16 || p[n - 1] == 0)))
		return PROTO_ERDATA;
	return 0;
}

/* ATMA: a format octet and an address; format 1 (E.164) is all digits. */
static int
rd_chk_atma(struct rd *r)
{
	size_t n = wire_left(&r->w);
	const uint8_t *p = wire_take(&r->w, n);

	if (p == NULL || n < 2)
		return PROTO_ERDATA;
	if (p[0] == 1) {
		for (size_t i = 1; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return PROTO_ERDATA;
		}
	}
	return 0;
}

/*
 * A6 (RFC 2874): a prefix length of at most 128, the address suffix that
 * is not covered by the prefix (16 - prefix/8 octets, the prefix's own
 * bits in the first of them zero), then the prefix name unless the prefix
 * length is 0.
 */
static int
rd_chk_a6(struct rd *r)
{
	unsigned plen = wire_u8(&r->w);
	const uint8_t *suffix;
	size_t nlen;

	if (r->w.err != 0 || plen > 128)
		return PROTO_ERDATA;
	if (plen != 128) {
		suffix = wire_take(&r->w, 16 - plen / 8);
		if (suffix == NULL || (suffix[0] & ~(0xffu >> plen % 8)) != 0)
			return PROTO_ERDATA;
	}
	if (plen == 0)
		return 0;
	return rd_chk_name(r, &nlen);
}

/*
 * APL (RFC 3123): items of family, prefix, negation bit and length, then
 * the address without its trailing zero octets. IPv4 and IPv6 items keep
 * to their sizes; other families are opaque.
 */
static int
rd_chk_apl(struct rd *r)
{
	while (wire_left(&r->w) > 0) {
		unsigned family = wire_u16(&r->w);
		unsigned prefix = wire_u8(&r->w);
		size_t len = wire_u8(&r->w) & 0x7fu;
		const uint8_t *a = wire_take(&r->w, len);

		if (a == NULL)
			return PROTO_ERDATA;
		if (family == 1 && (prefix > 32 || len > 4))
			return PROTO_ERDATA;
		if (family == 2 && (prefix > 128 || len > 16))
			return PROTO_ERDATA;
		if (len > 0 && a[len - 1] == 0)
			return PROTO_ERDATA;
	}
	return 0;
}

/*
 * IPSECKEY (RFC 4025): precedence, gateway type, algorithm, the gateway
 * (none, IPv4, IPv6 or a name) and a public key that is not empty. BIND
 * knows no gateway type above 3.
 */
static int
rd_chk_ipseckey(struct rd *r)
{
	unsigned gtype;
	size_t nlen;
	int err;

	wire_u8(&r->w);
	gtype = wire_u8(&r->w);
	wire_u8(&r->w);
	if (r->w.err != 0 || gtype > 3)
		return PROTO_ERDATA;
	if (gtype == 1)
		wire_skip(&r->w, 4);
	else if (gtype == 2)
		wire_skip(&r->w, 16);
	else if (gtype == 3 && (err = rd_chk_name(r, &nlen)) != 0)
		return err;
	return rd_chk_min(r, 1);
}

/*
 * HIP (RFC 8005): HIT and public key, neither empty, then rendezvous server
 * names to the end. Each name may be a pointer, so the rdata BIND stores can
 * grow past what it accepts; the total is checked as BIND does.
 */
static int
rd_chk_hip(struct rd *r)
{
	size_t hitlen = wire_u8(&r->w);
	size_t keylen;
	size_t total;
	size_t nlen;
	int err;

	wire_u8(&r->w);
	keylen = wire_u16(&r->w);
	if (r->w.err != 0 || hitlen == 0 || keylen == 0 ||
	    wire_take(&r->w, hitlen + keylen) == NULL)
		return PROTO_ERDATA;
	total = 4 + hitlen + keylen;
	while (wire_left(&r->w) > 0) {
		if ((err = rd_chk_name(r, &nlen)) != 0)
			return err;
		total += nlen;
	}
	return total > RD_EXPANDED_MAX ? PROTO_ERDATA : 0;
}

/* CSYNC (RFC 7477): serial, flags and a type bitmap that may be empty. */
static int
rd_chk_csync(struct rd *r)
{
	size_t n;
	const uint8_t *p;

	wire_skip(&r->w, 6);
	n = wire_left(&r->w);
	p = wire_take(&r->w, n);
	if (p == NULL || !rd_typemap_ok(p, n, true))
		return PROTO_ERDATA;
	return 0;
}

/*
 * ZONEMD (RFC 8976): serial, scheme, hash algorithm and a digest of at
 * least 12 octets, exactly 48 for SHA-384 (1) and 64 for SHA-512 (2).
 */
static int
rd_chk_zonemd(struct rd *r)
{
	size_t n = wire_left(&r->w);
	const uint8_t *p = wire_take(&r->w, n);

	if (p == NULL || n < 6 + 12 || (p[5] == 1 && n != 6 + 48) ||
	    (p[5] == 2 && n != 6 + 64))
		return PROTO_ERDATA;
	return 0;
}

/* DOA: enterprise, type, location, a media type string, opaque data. */
static int
rd_chk_doa(struct rd *r)
{
	wire_skip(&r->w, 9);
	if (rd_chk_string(r) != 0)
		return PROTO_ERDATA;
	wire_skip(&r->w, wire_left(&r->w));
	return 0;
}

/*
 * AMTRELAY (RFC 8777): precedence, discovery bit and relay type, then no
 * relay, an IPv4 or IPv6 address or a name; unknown relay types are opaque.
 */
static int
rd_chk_amtrelay(struct rd *r)
{
	unsigned rtype;
	size_t nlen;

	wire_u8(&r->w);
	rtype = wire_u8(&r->w) & 0x7fu;
	if (r->w.err != 0)
		return PROTO_ERDATA;
	switch (rtype) {
	case 0:
		return 0;
	case 1:
		return rd_chk_exact(r, 4);
	case 2:
		return rd_chk_exact(r, 16);
	case 3:
		return rd_chk_name(r, &nlen);
	default:
		wire_skip(&r->w, wire_left(&r->w));
		return 0;
	}
}

/* TA, DLV: DS on the wire. */
static int
rd_chk_ds(struct rd *r)
{
	unsigned dtype;

	wire_skip(&r->w, 3);
	dtype = wire_u8(&r->w);
	if (r->w.err != 0 || !rd_ds_digest_ok(dtype, wire_left(&r->w)))
		return PROTO_ERDATA;
	wire_skip(&r->w, wire_left(&r->w));
	return 0;
}

/* A 16-bit length and that many octets (TKEY and TSIG fields). */
static int
rd_chk_u16_data(struct rd *r)
{
	size_t n = wire_u16(&r->w);

	return wire_take(&r->w, n) == NULL ? PROTO_ERDATA : 0;
}

/*
 * TKEY (RFC 2930): algorithm name, inception, expiration, mode, error, key
 * and other data, each data field behind its length.
 */
static int
rd_chk_tkey(struct rd *r)
{
	size_t nlen;
	int err;

	if ((err = rd_chk_name(r, &nlen)) != 0)
		return err;
	wire_skip(&r->w, 12);
	if (rd_chk_u16_data(r) != 0 || rd_chk_u16_data(r) != 0)
		return PROTO_ERDATA;
	return 0;
}

/*
 * TSIG (RFC 8945): algorithm name, time signed and fudge, MAC, original
 * id and error, other data.
 */
static int
rd_chk_tsig(struct rd *r)
{
	size_t nlen;
	int err;

	if ((err = rd_chk_name(r, &nlen)) != 0)
		return err;
	wire_skip(&r->w, 8);
	if (rd_chk_u16_data(r) != 0)
		return PROTO_ERDATA;
	wire_skip(&r->w, 4);
	return rd_chk_u16_data(r);
}

/*
 * EDNS client subnet (RFC 7871) as BIND checks it: a known family whose
 * prefix lengths fit it (family 0 only with both 0), the address in just
 * enough octets for the source prefix, and no bit set beyond it.
 */
static bool
rd_ecs_ok(const uint8_t *v, size_t len)
{
	unsigned family;
	unsigned source;
	unsigned scope;
	size_t nbytes;

	if (len < 4)
		return false;
	family = (unsigned)(v[0] << 8 | v[1]);
	source = v[2];
	scope = v[3];
	if (family == 0 && (source != 0 || scope != 0))
		return false;
	if (family == 1 && (source > 32 || scope > 32))
		return false;
	if (family == 2 && (source > 128 || scope > 128))
		return false;
	if (family > 2)
		return false;
	nbytes = (source + 7) / 8;
	if (len != 4 + nbytes)
		return false;
	return source % 8 == 0 || (v[3 + nbytes] & (0xffu >> source % 8)) == 0;
}

/* The value of an EDNS option BIND 9.18 checks when it reads an OPT. */
static bool
rd_edns_option_ok(uint16_t code, const uint8_t *v, size_t len)
{
	switch (code) {
	case 1: /* LLQ */
		return len == 18;
	case 8: /* client subnet */
		return rd_ecs_ok(v, len);
	case 9: /* EXPIRE: empty in a query, 32 bits in a response */
		return len == 0 || len == 4;
	case 10: /* COOKIE: client cookie, or client and 8..32 server octets */
		return len == 8 || (len >= 16 && len <= 40);
	case 14: /* edns-key-tag: a list of 16-bit tags */
		return len != 0 && len % 2 == 0;
	case 15: /* extended error: info code, UTF-8 text without a BOM */
		if (len < 2)
			return false;
		if (len >= 5 && v[2] == 0xef && v[3] == 0xbb && v[4] == 0xbf)
			return false;
		return rd_utf8_ok(v + 2, len - 2);
	case 16: /* client tag */
	case 17: /* server tag */
		return len == 2;
	default:
		return true;
	}
}

/* OPT: options of code, length and value, back to back to the end. */
static int
rd_chk_opt(struct rd *r)
{
	while (wire_left(&r->w) > 0) {
		uint16_t code = wire_u16(&r->w);
		size_t len = wire_u16(&r->w);
		const uint8_t *v = wire_take(&r->w, len);

		if (v == NULL || !rd_edns_option_ok(code, v, len))
			return PROTO_ERDATA;
	}
	return 0;
}

/*
 * The checks of a generically printed type, leaving the reader at the end
 * of the rdata; 0 for a type BIND takes any bytes of.
 */
static int
rd_check(struct rd *r, uint16_t type)
{
	int err;

	switch (type) {
	case RD_T_MD:
	case RD_T_MF:
	case RD_T_MB:
	case RD_T_MG:
	case RD_T_MR:
	case RD_T_NSAP_PTR:
		err = rd_chk_names(r, 1);
		break;
	case RD_T_MINFO:
	case RD_T_TALINK:
		err = rd_chk_names(r, 2);
		break;
	case RD_T_RT:
	case RD_T_LP:
		err = rd_chk_fixed_names(r, 2, 1);
		break;
	case RD_T_PX:
		err = rd_chk_fixed_names(r, 2, 2);
		break;
	case RD_T_DSYNC:
		err = rd_chk_fixed_names(r, 5, 1);
		break;
	case RD_T_NSAP:
	case RD_T_EID:
	case RD_T_NIMLOC:
	case RD_T_DHCID:
	case RD_T_HHIT:
	case RD_T_BRID:
		err = rd_chk_min(r, 1);
		break;
	case RD_T_SINK:
		err = rd_chk_min(r, 3);
		break;
	case RD_T_CERT:
		err = rd_chk_min(r, 6);
		break;
	case RD_T_L32:
	case RD_T_EUI48:
		err = rd_chk_exact(r, 6);
		break;
	case RD_T_EUI64:
		err = rd_chk_exact(r, 8);
		break;
	case RD_T_NID:
	case RD_T_L64:
		err = rd_chk_exact(r, 10);
		break;
	case RD_T_NINFO:
	case RD_T_AVC:
	case RD_T_RESINFO:
	case RD_T_WALLET:
		err = rd_chk_txt(r);
		break;
	case RD_T_WKS:
		err = rd_chk_wks(r);
		break;
	case RD_T_X25:
		err = rd_chk_x25(r);
		break;
	case RD_T_ISDN:
		err = rd_chk_isdn(r);
		break;
	case RD_T_GPOS:
		err = rd_chk_gpos(r);
		break;
	case PROTO_T_SIG:
		err = rd_chk_sig(r);
		break;
	case PROTO_T_KEY:
	case RD_T_RKEY:
		err = rd_chk_key(r, type);
		break;
	case RD_T_NXT:
		err = rd_chk_nxt(r);
		break;
	case RD_T_ATMA:
		err = rd_chk_atma(r);
		break;
	case RD_T_A6:
		err = rd_chk_a6(r);
		break;
	case PROTO_T_OPT:
		err = rd_chk_opt(r);
		break;
	case RD_T_APL:
		err = rd_chk_apl(r);
		break;
	case RD_T_IPSECKEY:
		err = rd_chk_ipseckey(r);
		break;
	case RD_T_HIP:
		err = rd_chk_hip(r);
		break;
	case RD_T_CSYNC:
		err = rd_chk_csync(r);
		break;
	case RD_T_ZONEMD:
		err = rd_chk_zonemd(r);
		break;
	case RD_T_DOA:
		err = rd_chk_doa(r);
		break;
	case RD_T_AMTRELAY:
		err = rd_chk_amtrelay(r);
		break;
	case RD_T_TA:
	case RD_T_DLV:
		err = rd_chk_ds(r);
		break;
	case PROTO_T_TKEY:
		err = rd_chk_tkey(r);
		break;
	case PROTO_T_TSIG:
		err = rd_chk_tsig(r);
		break;
	default:
		return 0;
	}
	if (err != 0)
		return err;
	/* Every check reads to the end; a shorter or longer rdata is wrong. */
	if (r->w.err != 0 || r->w.pos != r->w.len)
		return PROTO_ERDATA;
	return 0;
}

int
proto_rdata_format(uint16_t type, const uint8_t *msg, size_t msglen,
                   size_t off, size_t rdlen, struct proto_buf *out)
{
	struct rd r;
	int err;

	if (off > msglen || rdlen > msglen - off)
		return PROTO_ETRUNC;
	wire_init(&r.w, msg, off + rdlen);
	r.w.pos = off;
	r.out = out;

	switch (type) {
	case 0:
		/* BIND refuses a record of type 0 outright. */
		return PROTO_ERDATA;
	case PROTO_T_A:
		return rd_a(&r, rdlen);
	case PROTO_T_AAAA:
		return rd_aaaa(&r, rdlen);
	case PROTO_T_NS:
	case PROTO_T_CNAME:
	case PROTO_T_DNAME:
	case PROTO_T_PTR:
		return rd_one_name(&r);
	case PROTO_T_MX:
	case PROTO_T_KX:
	case PROTO_T_AFSDB:
		return rd_u16_name(&r);
	case PROTO_T_RP:
		return rd_rp(&r);
	case PROTO_T_SOA:
		return rd_soa(&r);
	case PROTO_T_TXT:
	case PROTO_T_SPF:
		return rd_txt(&r);
	case PROTO_T_HINFO:
		return rd_hinfo(&r);
	case PROTO_T_SRV:
		return rd_srv(&r);
	case PROTO_T_NAPTR:
		return rd_naptr(&r);
	case PROTO_T_CAA:
		return rd_caa(&r);
	case PROTO_T_DS:
	case PROTO_T_CDS:
		return rd_ds(&r);
	case PROTO_T_DNSKEY:
	case PROTO_T_CDNSKEY:
		return rd_dnskey(&r);
	case PROTO_T_RRSIG:
		return rd_rrsig(&r);
	case PROTO_T_NSEC:
		return rd_nsec(&r);
	case PROTO_T_NSEC3:
		return rd_nsec3(&r);
	case PROTO_T_NSEC3PARAM:
		return rd_nsec3param(&r);
	case PROTO_T_SSHFP:
		return rd_sshfp(&r);
	case PROTO_T_TLSA:
	case PROTO_T_SMIMEA:
		return rd_tlsa(&r);
	case PROTO_T_OPENPGPKEY:
		return rd_openpgpkey(&r, rdlen);
	case PROTO_T_URI:
		return rd_uri(&r);
	case PROTO_T_LOC:
		return rd_loc(&r, rdlen);
	case PROTO_T_SVCB:
	case PROTO_T_HTTPS:
		return rd_svcb(&r);
	default:
		if ((err = rd_check(&r, type)) != 0)
			return err;
		r.w.pos = off;
		return rd_generic(&r, rdlen);
	}
}
