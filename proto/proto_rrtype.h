/*
 * proto_rrtype.h - RR type and class mnemonics.
 *
 * Only types whose rdata this project formats in their own presentation
 * form have a mnemonic; every other type is written TYPEnnn with RFC 3597
 * generic rdata, so a name and an rdata form always agree.
 */
#ifndef PROTO_RRTYPE_H
#define PROTO_RRTYPE_H

#include <stddef.h>
#include <stdint.h>

enum {
	PROTO_T_A = 1, PROTO_T_NS = 2, PROTO_T_CNAME = 5, PROTO_T_SOA = 6,
	PROTO_T_PTR = 12, PROTO_T_HINFO = 13, PROTO_T_MX = 15, PROTO_T_TXT = 16,
	PROTO_T_RP = 17, PROTO_T_AFSDB = 18, PROTO_T_SIG = 24, PROTO_T_KEY = 25,
	PROTO_T_AAAA = 28, PROTO_T_LOC = 29, PROTO_T_SRV = 33, PROTO_T_NAPTR = 35,
	PROTO_T_KX = 36, PROTO_T_DNAME = 39, PROTO_T_OPT = 41, PROTO_T_DS = 43,
	PROTO_T_SSHFP = 44, PROTO_T_RRSIG = 46, PROTO_T_NSEC = 47,
	PROTO_T_DNSKEY = 48, PROTO_T_NSEC3 = 50, PROTO_T_NSEC3PARAM = 51,
	PROTO_T_TLSA = 52, PROTO_T_SMIMEA = 53, PROTO_T_CDS = 59,
	PROTO_T_CDNSKEY = 60, PROTO_T_OPENPGPKEY = 61, PROTO_T_SVCB = 64,
	PROTO_T_HTTPS = 65, PROTO_T_SPF = 99, PROTO_T_TKEY = 249,
	PROTO_T_TSIG = 250, PROTO_T_ANY = 255, PROTO_T_URI = 256, PROTO_T_CAA = 257,
};

#define PROTO_CLASS_IN 1
#define PROTO_RRTYPE_TEXT_MAX 16 /* "TYPE65535" and every mnemonic fit */

/*
 * Mnemonic of `type` ("A", "NSEC3PARAM") or "TYPEnnn" written into tmp.
 * Returns a pointer to a static string or to tmp.
 */
const char *proto_rrtype_name(uint16_t type, char tmp[PROTO_RRTYPE_TEXT_MAX]);

/* Parse a mnemonic (case-insensitive), "TYPEnnn" or "ANY". */
int proto_rrtype_parse(const char *text, uint16_t *type);

#endif
