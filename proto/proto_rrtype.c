/*
 * proto_rrtype.c - RR type mnemonics.
 *
 * proto_rrtype_name() runs once per record on the capture path, so a known
 * type is a switch that returns a string literal (the compiler turns it into
 * a jump table); only types without a mnemonic pay for the TYPEnnn digits.
 * Parsing is rare (queries, config) and walks the same list of names.
 */
#include <stdbool.h>
#include <stddef.h>

#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"

/* Every type with a mnemonic, in type order; parsing walks this. */
static const uint16_t rrtype_known[] = {
	PROTO_T_A, PROTO_T_NS, PROTO_T_CNAME, PROTO_T_SOA, PROTO_T_PTR,
	PROTO_T_HINFO, PROTO_T_MX, PROTO_T_TXT, PROTO_T_RP, PROTO_T_AFSDB,
	PROTO_T_SIG, PROTO_T_KEY, PROTO_T_AAAA, PROTO_T_LOC, PROTO_T_SRV,
	PROTO_T_NAPTR, PROTO_T_KX, PROTO_T_DNAME, PROTO_T_OPT, PROTO_T_DS,
	PROTO_T_SSHFP, PROTO_T_RRSIG, PROTO_T_NSEC, PROTO_T_DNSKEY,
	PROTO_T_NSEC3, PROTO_T_NSEC3PARAM, PROTO_T_TLSA, PROTO_T_SMIMEA,
	PROTO_T_CDS, PROTO_T_CDNSKEY, PROTO_T_OPENPGPKEY, PROTO_T_SVCB,
	PROTO_T_HTTPS, PROTO_T_SPF, PROTO_T_TKEY, PROTO_T_TSIG, PROTO_T_ANY,
	PROTO_T_URI, PROTO_T_CAA,
};

/* The mnemonic of a known type, or NULL. */
static const char *
proto_rrtype_mnemonic(uint16_t type)
{
	switch (type) {
	case PROTO_T_A: return "A";
	case PROTO_T_NS: return "NS";
	case PROTO_T_CNAME: return "CNAME";
	case PROTO_T_SOA: return "SOA";
	case PROTO_T_PTR: return "PTR";
	case PROTO_T_HINFO: return "HINFO";
	case PROTO_T_MX: return "MX";
	case PROTO_T_TXT: return "TXT";
	case PROTO_T_RP: return "RP";
	case PROTO_T_AFSDB: return "AFSDB";
	case PROTO_T_SIG: return "SIG";
	case PROTO_T_KEY: return "KEY";
	case PROTO_T_AAAA: return "AAAA";
	case PROTO_T_LOC: return "LOC";
	case PROTO_T_SRV: return "SRV";
	case PROTO_T_NAPTR: return "NAPTR";
	case PROTO_T_KX: return "KX";
	case PROTO_T_DNAME: return "DNAME";
	case PROTO_T_OPT: return "OPT";
	case PROTO_T_DS: return "DS";
	case PROTO_T_SSHFP: return "SSHFP";
	case PROTO_T_RRSIG: return "RRSIG";
	case PROTO_T_NSEC: return "NSEC";
	case PROTO_T_DNSKEY: return "DNSKEY";
	case PROTO_T_NSEC3: return "NSEC3";
	case PROTO_T_NSEC3PARAM: return "NSEC3PARAM";
	case PROTO_T_TLSA: return "TLSA";
	case PROTO_T_SMIMEA: return "SMIMEA";
	case PROTO_T_CDS: return "CDS";
	case PROTO_T_CDNSKEY: return "CDNSKEY";
	case PROTO_T_OPENPGPKEY: return "OPENPGPKEY";
	case PROTO_T_SVCB: return "SVCB";
	case PROTO_T_HTTPS: return "HTTPS";
	case PROTO_T_SPF: return "SPF";
	case PROTO_T_TKEY: return "TKEY";
	case PROTO_T_TSIG: return "TSIG";
	case PROTO_T_ANY: return "ANY";
	case PROTO_T_URI: return "URI";
	case PROTO_T_CAA: return "CAA";
	default: return NULL;
	}
}

const char *
proto_rrtype_name(uint16_t type, char tmp[PROTO_RRTYPE_TEXT_MAX])
{
	const char *m = proto_rrtype_mnemonic(type);
	char digits[5];
	size_t n = 0;
	size_t i;

	if (m != NULL)
		return m;
	do {
		digits[n++] = (char)('0' + type % 10);
		type /= 10;
	} while (type != 0);
	tmp[0] = 'T';
	tmp[1] = 'Y';
	tmp[2] = 'P';
	tmp[3] = 'E';
	for (i = 0; i < n; i++)
		tmp[4 + i] = digits[n - 1 - i];
	tmp[4 + n] = '\0';
	return tmp;
}

static char
proto_rrtype_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

/* Case-insensitive equality of text with an uppercase mnemonic. */
static bool
proto_rrtype_equal(const char *text, const char *mnemonic)
{
	while (*text != '\0' && proto_rrtype_upper(*text) == *mnemonic) {
		text++;
		mnemonic++;
	}
	return *text == '\0' && *mnemonic == '\0';
}

int
proto_rrtype_parse(const char *text, uint16_t *type)
{
	uint32_t v = 0;
	size_t i;

	if (text == NULL)
		return PROTO_EINVAL;
	for (i = 0; i < sizeof(rrtype_known) / sizeof(rrtype_known[0]); i++) {
		uint16_t t = rrtype_known[i];
		if (proto_rrtype_equal(text, proto_rrtype_mnemonic(t))) {
			*type = t;
			return 0;
		}
	}
	/* RFC 3597 TYPEnnn: one to five decimal digits, at most 65535. */
	for (i = 0; i < 4; i++) {
		if (proto_rrtype_upper(text[i]) != "TYPE"[i])
			return PROTO_EINVAL;
	}
	text += 4;
	for (i = 0; text[i] != '\0'; i++) {
		if (i == 5 || text[i] < '0' || text[i] > '9')
			return PROTO_EINVAL;
		v = v * 10 + (uint32_t)(text[i] - '0');
	}
	if (i == 0 || v > 65535)
		return PROTO_EINVAL;
	*type = (uint16_t)v;
	return 0;
}
