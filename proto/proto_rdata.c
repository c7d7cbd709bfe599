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
 * proto_rdata_check()); a NAPTR regexp is checked for structure but not
 * compiled.
 *
 * This file holds proto_rdata_format(), which dispatches on the type, the
 * helpers the other parts share (declared in proto_rdata_impl.h) and the
 * simple types. DNSSEC and DANE types are in proto_rdata_dnssec.c, SVCB and
 * HTTPS in proto_rdata_svcb.c, LOC in proto_rdata_loc.c, and the checks of
 * generically printed types in proto_rdata_check.c, to keep each file small.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rdata_impl.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_wire.h"

/*
 * Read the name at the read position into name[0..*nlen). The reader's
 * length is the rdata's end, so the name's own bytes cannot run past
 * RDLENGTH; a pointer may reach anything before the name, as
 * proto_name_unpack() allows.
 */
int
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
int
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

void
rd_put_qtext(struct proto_buf *b, const uint8_t *p, size_t n)
{
	proto_buf_putc(b, '"');
	rd_put_text(b, p, n);
	proto_buf_putc(b, '"');
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

/* RFC 3597: \# LEN HEX, or "\# 0". */
int
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

/*
 * UTF-8 as BIND checks it for dohpath: well-formed sequences of at most four
 * bytes, no overlong form, nothing above U+10FFFF (surrogates pass).
 */
bool
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

static int
format(uint16_t type, const uint8_t *msg, size_t msglen, size_t off, size_t rdlen,
       struct proto_buf *out, bool check_only)
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
		return proto_rdata_dnssec_ds(&r);
	case PROTO_T_DNSKEY:
	case PROTO_T_CDNSKEY:
		return proto_rdata_dnssec_dnskey(&r);
	case PROTO_T_RRSIG:
		return proto_rdata_dnssec_rrsig(&r);
	case PROTO_T_NSEC:
		return proto_rdata_dnssec_nsec(&r);
	case PROTO_T_NSEC3:
		return proto_rdata_dnssec_nsec3(&r);
	case PROTO_T_NSEC3PARAM:
		return proto_rdata_dnssec_nsec3param(&r);
	case PROTO_T_SSHFP:
		return proto_rdata_dnssec_sshfp(&r);
	case PROTO_T_TLSA:
	case PROTO_T_SMIMEA:
		return proto_rdata_dnssec_tlsa(&r);
	case PROTO_T_OPENPGPKEY:
		return proto_rdata_dnssec_openpgpkey(&r, rdlen);
	case PROTO_T_URI:
		return rd_uri(&r);
	case PROTO_T_LOC:
		return proto_rdata_loc_format(&r, rdlen);
	case PROTO_T_SVCB:
	case PROTO_T_HTTPS:
		return proto_rdata_svcb_format(&r);
	default:
		if ((err = proto_rdata_check(&r, type)) != 0 || check_only)
			return err;
		r.w.pos = off;
		return rd_generic(&r, rdlen);
	}
}

int
proto_rdata_format(uint16_t type, const uint8_t *msg, size_t msglen,
                   size_t off, size_t rdlen, struct proto_buf *out)
{
	return format(type, msg, msglen, off, rdlen, out, false);
}

int
proto_rdata_validate(uint16_t type, const uint8_t *msg, size_t msglen,
                     size_t off, size_t rdlen, struct proto_buf *scratch)
{
	return format(type, msg, msglen, off, rdlen, scratch, true);
}

bool
proto_rdata_target(uint16_t rrtype, const char *rdata, size_t len,
                   uint8_t out[PROTO_NAME_MAX], size_t *outlen)
{
	size_t skip;

	switch (rrtype) {
	case PROTO_T_NS: case PROTO_T_CNAME: case PROTO_T_DNAME: case PROTO_T_PTR:
		skip = 0;
		break;
	case PROTO_T_MX: case PROTO_T_KX: case PROTO_T_AFSDB:
		skip = 1;
		break;
	case PROTO_T_SRV:
		skip = 3;
		break;
	default:
		return false;
	}
	size_t p = 0;
	for (size_t s = 0; s < skip; s++) {
		while (p < len && rdata[p] != ' ')
			p++;
		if (p == len)
			return false;
		p++;
	}
	return proto_name_parse(rdata + p, len - p, out, outlen) == 0;
}
