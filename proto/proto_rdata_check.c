/*
 * proto_rdata_check.c - the structure checks of the types BIND 9.18 reads
 * off the wire but this project prints in the RFC 3597 generic form (WKS,
 * A6, SIG, KEY, NXT, APL, IPSECKEY, HIP, CSYNC, OPT and its EDNS options,
 * TKEY, TSIG and more): rdata BIND refuses must be refused here too, though
 * none of it is formatted.
 *
 * Split out of proto_rdata.c to keep files small; proto_rdata_format()
 * calls proto_rdata_check() before printing such a type generically. The
 * shared reader and helpers are in proto_rdata_impl.h.
 */
#include <stdbool.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata_impl.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_wire.h"

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
	if (p == NULL || !proto_rdata_dnssec_typemap_ok(p, n, true))
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
int
proto_rdata_check(struct rd *r, uint16_t type)
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
