/*
 * test_proto_rdata.c - rdata presentation, RR type names and DNS names.
 *
 * Each case builds a real message by hand: a header, the question
 * "example.com" at offset 12 (the usual compression target) and one answer
 * whose rdata starts at offset 41. Expected strings are what dig 9.18
 * +nosplit prints for the same message, with names lowercased and without
 * the trailing dot.
 */
#include <stdint.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

#define RDOFF 41 /* where msg_build() puts the rdata */

/* Pointer to the question name "example.com" at offset 12. */
#define PQ "\xc0\x0c"

/* A string literal as rdata: pointer and length without the final NUL. */
#define RD(s) (const uint8_t *)(s), sizeof(s) - 1

/*
 * Types BIND 9.18 implements that proto_rrtype.h has no mnemonic for; they
 * print generically but must have the structure BIND reads.
 */
enum {
	T_MD = 3, T_MF = 4, T_MB = 7, T_MG = 8, T_MR = 9, T_NULL = 10,
	T_WKS = 11, T_MINFO = 14, T_X25 = 19, T_ISDN = 20, T_RT = 21,
	T_NSAP = 22, T_NSAP_PTR = 23, T_PX = 26, T_GPOS = 27, T_NXT = 30,
	T_EID = 31, T_NIMLOC = 32, T_ATMA = 34, T_CERT = 37, T_A6 = 38,
	T_SINK = 40, T_APL = 42, T_IPSECKEY = 45, T_DHCID = 49, T_HIP = 55,
	T_NINFO = 56, T_RKEY = 57, T_TALINK = 58, T_CSYNC = 62, T_ZONEMD = 63,
	T_DSYNC = 66, T_HHIT = 67, T_BRID = 68, T_UINFO = 100, T_NID = 104,
	T_L32 = 105, T_L64 = 106, T_LP = 107, T_EUI48 = 108, T_EUI64 = 109,
	T_AVC = 258, T_DOA = 259, T_AMTRELAY = 260, T_RESINFO = 261,
	T_WALLET = 262, T_TA = 32768, T_DLV = 32769,
};

static uint8_t msg[70000];
static char text[PROTO_RDATA_TEXT_MAX];

/* Header, question example.com/type/IN, answer owner=ptr type IN ttl rdata. */
static size_t
msg_build(uint16_t type, const uint8_t *rd, size_t rdlen)
{
	static const uint8_t head[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	size_t n = sizeof(head);

	memcpy(msg, head, n);
	msg[n++] = (uint8_t)(type >> 8);
	msg[n++] = (uint8_t)type;
	msg[n++] = 0;
	msg[n++] = 1;
	msg[n++] = 0xc0;
	msg[n++] = 0x0c;
	msg[n++] = (uint8_t)(type >> 8);
	msg[n++] = (uint8_t)type;
	msg[n++] = 0;
	msg[n++] = 1;
	msg[n++] = 0;
	msg[n++] = 0;
	msg[n++] = 0x0e;
	msg[n++] = 0x10;
	msg[n++] = (uint8_t)(rdlen >> 8);
	msg[n++] = (uint8_t)rdlen;
	memcpy(msg + n, rd, rdlen);
	return n + rdlen;
}

static int
fmt(uint16_t type, const uint8_t *rd, size_t rdlen)
{
	struct proto_buf b;
	size_t len = msg_build(type, rd, rdlen);

	proto_buf_init(&b, text, sizeof(text));
	return proto_rdata_format(type, msg, len, RDOFF, rdlen, &b);
}

static void
ok_rdata(uint16_t type, const uint8_t *rd, size_t rdlen, const char *want,
         const char *what)
{
	int err = fmt(type, rd, rdlen);

	is_int(err, 0, "%s: formats", what);
	is_str(err == 0 ? text : "(error)", want, "%s: text", what);
}

static void
bad_rdata(uint16_t type, const uint8_t *rd, size_t rdlen, int want,
          const char *what)
{
	is_int(fmt(type, rd, rdlen), want, "%s: refused", what);
}

static void
test_addresses(void)
{
	ok_rdata(PROTO_T_A, RD("\xc0\x00\x02\x01"), "192.0.2.1", "A");
	ok_rdata(PROTO_T_A, RD("\x00\x00\x00\x00"), "0.0.0.0", "A zero");
	bad_rdata(PROTO_T_A, RD("\x01\x02\x03"), PROTO_ERDATA, "A rdlen 3");
	bad_rdata(PROTO_T_A, RD("\x01\x02\x03\x04\x05"), PROTO_ERDATA,
	          "A rdlen 5");
	ok_rdata(PROTO_T_AAAA,
	         RD("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"),
	         "2001:db8::1", "AAAA");
	ok_rdata(PROTO_T_AAAA,
	         RD("\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04"),
	         "::ffff:1.2.3.4", "AAAA v4-mapped");
	ok_rdata(PROTO_T_AAAA, RD("\0\x01\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\0"),
	         "1:0:1:0:1:0:1:0", "AAAA no single-zero compression");
	ok_rdata(PROTO_T_AAAA, RD("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "::",
	         "AAAA unspecified");
	bad_rdata(PROTO_T_AAAA, RD("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
	          PROTO_ERDATA, "AAAA rdlen 15");
}

static void
test_names(void)
{
	ok_rdata(PROTO_T_NS, RD("\x03ns1" PQ), "ns1.example.com",
	         "NS compressed");
	ok_rdata(PROTO_T_NS, RD("\x03NS1\x07" "Example\x03" "COM\x00"),
	         "ns1.example.com", "NS lowercased");
	ok_rdata(PROTO_T_CNAME, RD("\x00"), ".", "CNAME root");
	ok_rdata(PROTO_T_CNAME, RD("\x05" "a.b c\x00"), "a\\.b\\032c",
	         "CNAME escapes '.' and space");
	ok_rdata(PROTO_T_DNAME, RD(PQ), "example.com", "DNAME pointer only");
	ok_rdata(PROTO_T_PTR, RD("\x01" "4\x01" "3" PQ), "4.3.example.com",
	         "PTR");
	ok_rdata(PROTO_T_MX, RD("\x00\x0a" PQ), "10 example.com", "MX");
	ok_rdata(PROTO_T_KX, RD("\x00\x05\x02kx\x00"), "5 kx", "KX");
	ok_rdata(PROTO_T_AFSDB, RD("\x00\x01\x03" "afs" PQ),
	         "1 afs.example.com", "AFSDB");
	ok_rdata(PROTO_T_RP, RD("\x04root" PQ "\x00"), "root.example.com .",
	         "RP");
	/* rname points back into mname inside the same rdata (offset 41). */
	ok_rdata(PROTO_T_SOA,
	         RD("\x02ns" PQ "\x05" "admin\xc0\x29"
	            "\x78\x56\x34\x12\x00\x00\x0e\x10\x00\x00\x02\x58"
	            "\x00\x09\x3a\x80\x00\x00\x01\x2c"),
	         "ns.example.com admin.ns.example.com 2018915346 3600 600 "
	         "604800 300", "SOA with a pointer into the rdata");
	ok_rdata(PROTO_T_SOA,
	         RD("\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	            "\xff\xff\xff\xff\xff\xff\xff\xff"),
	         ". . 4294967295 4294967295 4294967295 4294967295 4294967295",
	         "SOA root names, maximal numbers");

	bad_rdata(PROTO_T_SOA,
	          RD("\x02ns" PQ "\x05" "admin" PQ
	             "\x78\x56\x34\x12\x00\x00\x0e\x10\x00\x00\x02\x58"
	             "\x00\x09\x3a\x80"),
	          PROTO_ERDATA, "SOA missing minimum");
	bad_rdata(PROTO_T_NS, RD("\x03" "abc"), PROTO_ERDATA,
	          "name overrunning rdlen");
	bad_rdata(PROTO_T_NS, RD("\x03" "abc\x00\x00"), PROTO_ERDATA,
	          "trailing byte after NS name");
	bad_rdata(PROTO_T_MX, RD("\x00\x0a" PQ "\x00"), PROTO_ERDATA,
	          "trailing byte after MX name");
	bad_rdata(PROTO_T_MX, RD("\x00\x0a"), PROTO_ERDATA, "MX without name");
	bad_rdata(PROTO_T_CNAME, RD("\xc0\x2b\x03" "abc\x00"), PROTO_EPTR,
	          "forward compression pointer inside rdata");
	bad_rdata(PROTO_T_CNAME, RD("\xc0\x29"), PROTO_EPTR,
	          "pointer to itself");
	bad_rdata(PROTO_T_CNAME, RD("\x41\x00"), PROTO_ELABEL,
	          "extended label type in rdata");
}

static void
test_text(void)
{
	ok_rdata(PROTO_T_TXT, RD("\x05hello"), "\"hello\"", "TXT");
	ok_rdata(PROTO_T_TXT, RD("\x05hello\x00\x03" "a b"),
	         "\"hello\" \"\" \"a b\"", "TXT several strings, one empty");
	ok_rdata(PROTO_T_TXT, RD("\x00"), "\"\"", "TXT one empty string");
	ok_rdata(PROTO_T_TXT, RD("\x06" "a\"b\\\x00\xff"),
	         "\"a\\\"b\\\\\\000\\255\"", "TXT quote, backslash, 0x00, 0xff");
	ok_rdata(PROTO_T_TXT, RD("\x02\x1f\x7f"), "\"\\031\\127\"",
	         "TXT control bytes and DEL");
	ok_rdata(PROTO_T_SPF, RD("\x0bv=spf1 -all"), "\"v=spf1 -all\"", "SPF");
	bad_rdata(PROTO_T_TXT, RD(""), PROTO_ERDATA,
	          "TXT empty rdata (BIND refuses it)");
	bad_rdata(PROTO_T_TXT, RD("\x05hell"), PROTO_ERDATA,
	          "TXT string length past end");
	bad_rdata(PROTO_T_TXT, RD("\x01" "a\x02" "b"), PROTO_ERDATA,
	          "TXT second string past end");

	ok_rdata(PROTO_T_HINFO, RD("\x09INTEL-386\x07Linux \x01"),
	         "\"INTEL-386\" \"Linux \\001\"", "HINFO");
	bad_rdata(PROTO_T_HINFO, RD("\x03" "abc"), PROTO_ERDATA,
	          "HINFO one string");
	bad_rdata(PROTO_T_HINFO, RD("\x01" "a\x01" "b\x00"), PROTO_ERDATA,
	          "HINFO three strings");

	ok_rdata(PROTO_T_CAA, RD("\x00\x05issueletsencrypt.org"),
	         "0 issue \"letsencrypt.org\"", "CAA");
	ok_rdata(PROTO_T_CAA, RD("\x80\x05" "Issue\"a\\"),
	         "128 Issue \"\\\"a\\\\\"", "CAA escapes, tag case kept");
	ok_rdata(PROTO_T_CAA, RD("\x00\x05issue"), "0 issue \"\"",
	         "CAA empty value");
	bad_rdata(PROTO_T_CAA, RD("\x00\x00"), PROTO_ERDATA, "CAA empty tag");
	bad_rdata(PROTO_T_CAA, RD("\x00\x05-ssue"), PROTO_ERDATA,
	          "CAA tag not alphanumeric");
	bad_rdata(PROTO_T_CAA, RD("\x00\x06issue"), PROTO_ERDATA,
	          "CAA tag past end");

	ok_rdata(PROTO_T_URI, RD("\x00\x0a\x00\x01https://x/\"q\""),
	         "10 1 \"https://x/\\\"q\\\"\"", "URI");
	ok_rdata(PROTO_T_URI, RD("\x00\x0a\x00\x01"), "10 1 \"\"",
	         "URI empty target");
	bad_rdata(PROTO_T_URI, RD("\x00\x0a\x00"), PROTO_ERDATA, "URI short");
}

static void
test_srv_naptr(void)
{
	ok_rdata(PROTO_T_SRV, RD("\x00\x0a\x00\x14\x01\xbb\x03www" PQ),
	         "10 20 443 www.example.com", "SRV");
	ok_rdata(PROTO_T_SRV, RD("\x00\x00\x00\x00\x00\x00\x00"), "0 0 0 .",
	         "SRV root target");
	bad_rdata(PROTO_T_SRV, RD("\x00\x0a\x00\x14\x01\xbb\x00\x00"),
	          PROTO_ERDATA, "SRV trailing byte");

	ok_rdata(PROTO_T_NAPTR,
	         RD("\x00\x64\x00\x0a\x01u\x07" "E2U+sip"
	            "\x1b!^.*$!sip:info@example.com!\x00"),
	         "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
	         "NAPTR");
	ok_rdata(PROTO_T_NAPTR,
	         RD("\x00\x64\x00\x0a\x01S\x07SIP+D2U\x00\x04_sip\x04_udp" PQ),
	         "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com",
	         "NAPTR replacement compressed");
	ok_rdata(PROTO_T_NAPTR,
	         RD("\x00\x64\x00\x0a\x00\x00\x0e/(a)(b)/\\2\\1/i\x00"),
	         "100 10 \"\" \"\" \"/(a)(b)/\\\\2\\\\1/i\" .",
	         "NAPTR regexp with back-references and flag");
	bad_rdata(PROTO_T_NAPTR, RD("\x00\x64\x00\x0a\x01u\x00\x03" "abc\x00"),
	          PROTO_ERDATA, "NAPTR regexp without delimiters");
	bad_rdata(PROTO_T_NAPTR,
	          RD("\x00\x64\x00\x0a\x01u\x00\x05!a!!x\x00"), PROTO_ERDATA,
	          "NAPTR regexp flag other than i");
	bad_rdata(PROTO_T_NAPTR,
	          RD("\x00\x64\x00\x0a\x01u\x00\x06!a!\\0!\x00"), PROTO_ERDATA,
	          "NAPTR \\0 in replacement");
	bad_rdata(PROTO_T_NAPTR, RD("\x00\x64\x00\x0a\x01u\x00"), PROTO_ERDATA,
	          "NAPTR truncated");
}

static void
test_dnssec(void)
{
	ok_rdata(PROTO_T_DS,
	         RD("\x09\x43\x0d\x02"
	            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
	            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"),
	         "2371 13 2 000102030405060708090A0B0C0D0E0F"
	         "101112131415161718191A1B1C1D1E1F", "DS SHA-256");
	ok_rdata(PROTO_T_CDS, RD("\x00\x00\x00\x00\x00"), "0 0 0 00",
	         "CDS delete");
	ok_rdata(PROTO_T_DS, RD("\x30\x39\x08\x05\xab"), "12345 8 5 AB",
	         "DS unknown digest type");
	bad_rdata(PROTO_T_DS, RD("\x30\x39\x08\x02\x00\x11"), PROTO_ERDATA,
	          "DS SHA-256 too short");
	bad_rdata(PROTO_T_DS,
	          RD("\x30\x39\x08\x01"
	             "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99"
	             "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\x00"),
	          PROTO_ERDATA, "DS SHA-1 too long");
	bad_rdata(PROTO_T_DS, RD("\x30\x39\x08\x05"), PROTO_ERDATA,
	          "DS empty digest");

	ok_rdata(PROTO_T_DNSKEY, RD("\x01\x01\x03\x08\xaa\xbb\xcc"),
	         "257 3 8 qrvM", "DNSKEY");
	ok_rdata(PROTO_T_CDNSKEY, RD("\x00\x00\x03\x00\x00"), "0 3 0 AA==",
	         "CDNSKEY delete");
	bad_rdata(PROTO_T_DNSKEY, RD("\x01\x01\x03\x08"), PROTO_ERDATA,
	          "DNSKEY empty key");
	ok_rdata(PROTO_T_DNSKEY, RD("\x01\x01\x03\xfd\x03" "abc\x00\xaa\xbb"),
	         "257 3 253 A2FiYwCquw==", "DNSKEY PRIVATEDNS");
	/* BIND keeps the decompressed name: 7example3com0 then aabb. */
	ok_rdata(PROTO_T_DNSKEY, RD("\x01\x01\x03\xfd" PQ "\xaa\xbb"),
	         "257 3 253 B2V4YW1wbGUDY29tAKq7",
	         "DNSKEY PRIVATEDNS name decompressed");
	bad_rdata(PROTO_T_DNSKEY, RD("\x01\x01\x03\xfd\x05" "a"), PROTO_ERDATA,
	          "DNSKEY PRIVATEDNS bad name");

	ok_rdata(PROTO_T_RRSIG,
	         RD("\x00\x01\x08\x02\x00\x00\x0e\x10\x65\x92\x00\x80"
	            "\x65\x68\xa2\x00\x30\x39" PQ "\xaa\xbb\xcc"),
	         "A 8 2 3600 20240101000000 20231130145352 12345 example.com qrvM",
	         "RRSIG compressed signer");
	ok_rdata(PROTO_T_RRSIG,
	         RD("\xff\x00\x08\x00\x00\x00\x00\x00\xff\xff\xff\xff"
	            "\x00\x00\x00\x00\x00\x00\x00\xaa"),
	         "TYPE65280 8 0 0 21060207062815 19700101000000 0 . qg==",
	         "RRSIG unknown type, time limits");
	bad_rdata(PROTO_T_RRSIG,
	          RD("\x00\x01\x08\x02\x00\x00\x0e\x10\x65\x92\x00\x80"
	             "\x65\x68\xa2\x00\x30\x39" PQ),
	          PROTO_ERDATA, "RRSIG empty signature");
	bad_rdata(PROTO_T_RRSIG, RD("\x00\x01\x08\x02\x00\x00\x0e\x10"),
	          PROTO_ERDATA, "RRSIG truncated");

	ok_rdata(PROTO_T_NSEC, RD(PQ "\x00\x06\x40\x00\x00\x00\x00\x03"
	                          "\x01\x01\xc0\x02\x01\x40"),
	         "example.com A RRSIG NSEC URI CAA TYPE513", "NSEC");
	bad_rdata(PROTO_T_NSEC, RD("\x00\x01\x01\x40\x00\x01\x40"),
	          PROTO_ERDATA, "NSEC bitmap windows out of order");
	bad_rdata(PROTO_T_NSEC, RD("\x00\x00\x01\x40\x00\x01\x40"),
	          PROTO_ERDATA, "NSEC bitmap window repeated");
	bad_rdata(PROTO_T_NSEC, RD("\x00\x00\x01\x00"), PROTO_ERDATA,
	          "NSEC bitmap last octet zero");
	bad_rdata(PROTO_T_NSEC, RD("\x00\x00\x00"), PROTO_ERDATA,
	          "NSEC bitmap window length 0");
	bad_rdata(PROTO_T_NSEC,
	          RD("\x00\x00\x21" "0123456789abcdef0123456789abcdef\x01"),
	          PROTO_ERDATA, "NSEC bitmap window length 33");
	bad_rdata(PROTO_T_NSEC, RD("\x00\x00\x02\x40"), PROTO_ERDATA,
	          "NSEC bitmap past end");
	bad_rdata(PROTO_T_NSEC, RD("\x00"), PROTO_ERDATA,
	          "NSEC empty bitmap");

	ok_rdata(PROTO_T_NSEC3,
	         RD("\x01\x01\x00\x0a\x02\xaa\xbb\x14"
	            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	            "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
	            "\x00\x06\x40\x00\x00\x00\x00\x03"),
	         "1 1 10 AABB 000G40O40K30E209185GO38E1S8124GJ A RRSIG NSEC",
	         "NSEC3");
	ok_rdata(PROTO_T_NSEC3, RD("\x02\x00\x00\x00\x00\x01\x0a"),
	         "2 0 0 - 18", "NSEC3 no salt, empty bitmap, no trailing space");
	bad_rdata(PROTO_T_NSEC3, RD("\x02\x00\x00\x00\x00\x00"), PROTO_ERDATA,
	          "NSEC3 empty hash");
	bad_rdata(PROTO_T_NSEC3, RD("\x01\x00\x00\x00\x00\x05\x01\x02\x03\x04\x05"),
	          PROTO_ERDATA, "NSEC3 SHA-1 hash not 20 octets");
	bad_rdata(PROTO_T_NSEC3, RD("\x02\x00\x00\x00\x00\x01\x0a\x00\x01\x40\x00"),
	          PROTO_ERDATA, "NSEC3 bitmap trailing byte");
	ok_rdata(PROTO_T_NSEC3PARAM, RD("\x01\x00\x00\x0a\x00"), "1 0 10 -",
	         "NSEC3PARAM");
	ok_rdata(PROTO_T_NSEC3PARAM, RD("\x01\x00\x00\x00\x02\xab\xcd"),
	         "1 0 0 ABCD", "NSEC3PARAM salt");
	bad_rdata(PROTO_T_NSEC3PARAM, RD("\x01\x00\x00\x00\x02\xab\xcd\xee"),
	          PROTO_ERDATA, "NSEC3PARAM trailing byte");
}

static void
test_keys_and_hashes(void)
{
	ok_rdata(PROTO_T_SSHFP,
	         RD("\x01\x01\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99"
	            "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99"),
	         "1 1 0011223344556677889900112233445566778899", "SSHFP SHA-1");
	ok_rdata(PROTO_T_SSHFP, RD("\x01\x03\x00"), "1 3 00",
	         "SSHFP unknown type");
	bad_rdata(PROTO_T_SSHFP, RD("\x01\x02\xaa"), PROTO_ERDATA,
	          "SSHFP SHA-256 wrong length");
	bad_rdata(PROTO_T_SSHFP, RD("\x01\x01"), PROTO_ERDATA,
	          "SSHFP empty fingerprint");
	ok_rdata(PROTO_T_TLSA, RD("\x03\x01\x01\xaa\xbb"), "3 1 1 AABB", "TLSA");
	ok_rdata(PROTO_T_SMIMEA, RD("\x03\x00\x00\x01"), "3 0 0 01", "SMIMEA");
	bad_rdata(PROTO_T_TLSA, RD("\x03\x01\x01"), PROTO_ERDATA,
	          "TLSA empty data");
	ok_rdata(PROTO_T_OPENPGPKEY, RD("\xaa\xbb\xcc\xdd"), "qrvM3Q==",
	         "OPENPGPKEY");
	bad_rdata(PROTO_T_OPENPGPKEY, RD(""), PROTO_ERDATA, "OPENPGPKEY empty");
}

static void
test_svcb(void)
{
	ok_rdata(PROTO_T_HTTPS,
	         RD("\x00\x01\x00"
	            "\x00\x01\x00\x06\x02h3\x02h2"
	            "\x00\x04\x00\x08\x68\x10\x01\x01\x68\x10\x02\x02"
	            "\x00\x05\x00\x04\x00\x45\xfe\x0d"
	            "\x00\x06\x00\x10\x26\x06\x47\x00\0\0\0\0\0\0\0\0\x68\x10\x01\x01"),
	         "1 . alpn=\"h3,h2\" ipv4hint=104.16.1.1,104.16.2.2 ech=AEX+DQ== "
	         "ipv6hint=2606:4700::6810:101", "HTTPS");
	ok_rdata(PROTO_T_SVCB,
	         RD("\x00\x10\x03svc" PQ
	            "\x00\x00\x00\x04\x00\x01\x00\x03"
	            "\x00\x01\x00\x03\x02h2"
	            "\x00\x03\x00\x02\x01\xbb"
	            "\x00\x07\x00\x10/dns-query{?dns}"
	            "\x00\x09\x00\x0bhello world"),
	         "16 svc.example.com mandatory=alpn,port alpn=\"h2\" port=443 "
	         "key7=\"/dns-query{?dns}\" key9=\"hello world\"",
	         "SVCB mandatory, dohpath, unknown key");
	ok_rdata(PROTO_T_SVCB, RD("\x00\x00" PQ "\x00\x03\x00\x02\x01\xbb"),
	         "0 example.com port=443", "SVCB AliasMode with a param");
	ok_rdata(PROTO_T_SVCB, RD("\x00\x00\x00"), "0 .", "SVCB AliasMode");
	ok_rdata(PROTO_T_SVCB,
	         RD("\x00\x01\x00\x00\x01\x00\x05\x01\xff\x02,\\"
	            "\x00\x02\x00\x00"),
	         "1 . alpn=\"\\255,\\\\,\\\\\\\\\" no-default-alpn",
	         "SVCB alpn escapes, no-default-alpn");
	ok_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x01\x00\x06\x05" "a b\"c"),
	         "1 . alpn=\"a\\032b\\\"c\"", "SVCB alpn space and quote");
	ok_rdata(PROTO_T_SVCB,
	         RD("\x00\x01\x00\x00\x05\x00\x00\xfd\xe8\x00\x00"
	            "\xfd\xe9\x00\x03" "a\"\\"),
	         "1 . ech key65000 key65001=\"a\\\"\\\\\"",
	         "SVCB empty values print the key alone");

	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x03\x00\x02\x01\xbb"
	             "\x00\x01\x00\x03\x02h3"),
	          PROTO_ERDATA, "SVCB keys not increasing");
	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x03\x00\x02\x01\xbb"
	             "\x00\x03\x00\x02\x01\xbb"),
	          PROTO_ERDATA, "SVCB key repeated");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x00\x00\x02\x00\x04"),
	          PROTO_ERDATA, "SVCB mandatory key missing");
	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x00\x00\x02\x00\x00"), PROTO_ERDATA,
	          "SVCB mandatory lists itself");
	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x00\x00\x04\x00\x03\x00\x01"
	             "\x00\x01\x00\x03\x02h3\x00\x03\x00\x02\x01\xbb"),
	          PROTO_ERDATA, "SVCB mandatory not sorted");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x02\x00\x00"),
	          PROTO_ERDATA, "SVCB no-default-alpn without alpn");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x01\x00\x00"),
	          PROTO_ERDATA, "SVCB empty alpn");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x01\x00\x04\x02h2\x00"),
	          PROTO_ERDATA, "SVCB empty alpn id");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x03\x00\x03\x01\xbb\x00"),
	          PROTO_ERDATA, "SVCB port of 3 octets");
	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x04\x00\x05\x01\x02\x03\x04\x05"),
	          PROTO_ERDATA, "SVCB ipv4hint of 5 octets");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x06\x00\x00"),
	          PROTO_ERDATA, "SVCB empty ipv6hint");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x07\x00\x03" "abc"),
	          PROTO_ERDATA, "SVCB dohpath not a path");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x07\x00\x06/{DNS}"),
	          PROTO_ERDATA, "SVCB dohpath without the dns variable");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x07\x00\x07/{dns}%"),
	          PROTO_ERDATA, "SVCB dohpath broken percent escape");
	bad_rdata(PROTO_T_SVCB,
	          RD("\x00\x01\x00\x00\x07\x00\x08/{dns}\xc0\xaf"),
	          PROTO_ERDATA, "SVCB dohpath overlong UTF-8");
	ok_rdata(PROTO_T_SVCB,
	         RD("\x00\x01\x00\x00\x07\x00\x0b/{dns:9999}"),
	         "1 . key7=\"/{dns:9999}\"", "SVCB dohpath prefix modifier");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01\x00\x00\x03\x00\x02\x01"),
	          PROTO_ERDATA, "SVCB value past end");
	bad_rdata(PROTO_T_SVCB, RD("\x00\x01"), PROTO_ERDATA,
	          "SVCB without target");
}

static void
test_loc(void)
{
	ok_rdata(PROTO_T_LOC,
	         RD("\x00\x12\x16\x13\x8b\x0d\x2c\x8c\x7f\x5a\x1f\xa8"
	            "\x00\x98\x96\x80"),
	         "51 30 12.748 N 3 1 10.872 W 0.00m 1m 10000m 10m", "LOC");
	ok_rdata(PROTO_T_LOC,
	         RD("\x00\x33\x16\x13\x7f\xfd\x2a\xb8\x80\x6f\xa8\xe0"
	            "\x00\x97\x0f\xe0"),
	         "0 3 5.672 S 2 1 57.728 E -1000.00m 30m 10000m 10m",
	         "LOC south, east, below the spheroid");
	ok_rdata(PROTO_T_LOC,
	         RD("\x00\x00\x00\x00\x80\x00\x00\x00\x80\x00\x00\x00"
	            "\x00\x00\x00\x00"),
	         "0 0 0.000 N 0 0 0.000 E -100000.00m 0.00m 0.00m 0.00m",
	         "LOC all-zero precisions, lowest altitude");
	ok_rdata(PROTO_T_LOC,
	         RD("\x00\x10\x99\x13\x80\x00\x00\x00\x80\x00\x00\x00"
	            "\xff\xff\xff\xff"),
	         "0 0 0.000 N 0 0 0.000 E 42849672.95m 0.01m 90000000m 10m",
	         "LOC centimetre size, largest values");
	ok_rdata(PROTO_T_LOC, RD("\x01\x02"), "\\# 2 0102",
	         "LOC version 1 is unknown data, generic form (as BIND)");
	bad_rdata(PROTO_T_LOC,
	          RD("\x00\x1a\x16\x13\x80\x00\x00\x00\x80\x00\x00\x00"
	             "\x00\x98\x96\x80"),
	          PROTO_ERDATA, "LOC size exponent 10");
	bad_rdata(PROTO_T_LOC,
	          RD("\x00\x01\x16\x13\x80\x00\x00\x00\x80\x00\x00\x00"
	             "\x00\x98\x96\x80"),
	          PROTO_ERDATA, "LOC size mantissa 0 with exponent");
	ok_rdata(PROTO_T_LOC,
	         RD("\x00\x12\x16\x13\x93\x4f\xd9\x00\x59\x60\x4e\x00"
	            "\x00\x98\x96\x80"),
	         "90 0 0.000 N 180 0 0.000 W 0.00m 1m 10000m 10m",
	         "LOC pole and antimeridian");
	bad_rdata(PROTO_T_LOC,
	          RD("\x00\x12\x16\x13\x93\x4f\xd9\x01\x80\x00\x00\x00"
	             "\x00\x98\x96\x80"),
	          PROTO_ERDATA, "LOC latitude beyond 90 degrees");
	bad_rdata(PROTO_T_LOC,
	          RD("\x00\x12\x16\x13\x80\x00\x00\x00\x80\x00\x00\x00"
	             "\x00\x98\x96"),
	          PROTO_ERDATA, "LOC rdlen 15");
	bad_rdata(PROTO_T_LOC,
	          RD("\x00\x12\x16\x13\x80\x00\x00\x00\x80\x00\x00\x00"
	             "\x00\x98\x96\x80\x00"),
	          PROTO_ERDATA, "LOC rdlen 17");
	bad_rdata(PROTO_T_LOC, RD(""), PROTO_ERDATA, "LOC empty");
}

static void
test_generic(void)
{
	ok_rdata(65280, RD("\xaa\xbb"), "\\# 2 AABB", "unknown type");
	ok_rdata(65280, RD(""), "\\# 0", "unknown type, empty");
	ok_rdata(PROTO_T_OPT, RD("\x00\x0c\x00\x00"), "\\# 4 000C0000",
	         "OPT with empty padding");
	ok_rdata(T_UINFO, RD("\x01"), "\\# 1 01",
	         "UINFO: BIND has no code for it");
	ok_rdata(T_NULL, RD("\x01\x01"), "\\# 2 0101", "NULL takes any bytes");
	ok_rdata(T_NULL, RD(""), "\\# 0", "NULL empty");
	bad_rdata(0, RD("\x01"), PROTO_ERDATA, "type 0");
}

/* Names BIND reads in types this project prints generically. */
static void
test_bind_names(void)
{
	ok_rdata(T_MB, RD("\x03ns1" PQ), "\\# 6 036E7331C00C", "MB");
	ok_rdata(T_MD, RD("\x00"), "\\# 1 00", "MD root");
	ok_rdata(T_MF, RD(PQ), "\\# 2 C00C", "MF");
	ok_rdata(T_MG, RD("\x03ns1" PQ), "\\# 6 036E7331C00C", "MG");
	ok_rdata(T_MR, RD("\x03ns1" PQ), "\\# 6 036E7331C00C", "MR");
	ok_rdata(T_NSAP_PTR, RD("\x03ns1" PQ), "\\# 6 036E7331C00C",
	         "NSAP-PTR");
	bad_rdata(T_MB, RD("\x03ns1"), PROTO_ERDATA,
	          "MB name overrunning rdlen");
	bad_rdata(T_MG, RD("\x03ns1" PQ "\x00"), PROTO_ERDATA,
	          "MG trailing byte");
	bad_rdata(T_MR, RD(""), PROTO_ERDATA, "MR empty");
	bad_rdata(T_MD, RD("\xc0\x2b\x00"), PROTO_EPTR, "MD forward pointer");
	bad_rdata(T_NSAP_PTR, RD("\x41\x00"), PROTO_ELABEL,
	          "NSAP-PTR extended label");
	ok_rdata(T_MINFO, RD("\x03ns1" PQ "\x00"), "\\# 7 036E7331C00C00",
	         "MINFO");
	bad_rdata(T_MINFO, RD("\x03ns1" PQ), PROTO_ERDATA, "MINFO one name");
	ok_rdata(T_TALINK, RD(PQ "\x03ns1" PQ), "\\# 8 C00C036E7331C00C",
	         "TALINK");
	bad_rdata(T_TALINK, RD(PQ PQ "\x00"), PROTO_ERDATA,
	          "TALINK trailing byte");
	ok_rdata(T_RT, RD("\x00\x0a\x03ns1" PQ), "\\# 8 000A036E7331C00C",
	         "RT");
	bad_rdata(T_RT, RD("\x00\x0a"), PROTO_ERDATA, "RT without name");
	ok_rdata(T_LP, RD("\x00\x01" PQ), "\\# 4 0001C00C", "LP");
	bad_rdata(T_LP, RD("\x00"), PROTO_ERDATA, "LP short");
	ok_rdata(T_PX, RD("\x00\x0a\x03ns1" PQ "\x00"),
	         "\\# 9 000A036E7331C00C00", "PX");
	bad_rdata(T_PX, RD("\x00\x0a\x03ns1" PQ), PROTO_ERDATA,
	          "PX one name");
	ok_rdata(T_DSYNC, RD("\x00\x3b\x01\x12\x34\x03ns1" PQ),
	         "\\# 11 003B011234036E7331C00C", "DSYNC");
	bad_rdata(T_DSYNC, RD("\x00\x3b\x01\x12"), PROTO_ERDATA,
	          "DSYNC short");
}

/* Opaque data, strings and fixed sizes. */
static void
test_bind_opaque(void)
{
	ok_rdata(T_NSAP, RD("\xaa"), "\\# 1 AA", "NSAP");
	bad_rdata(T_NSAP, RD(""), PROTO_ERDATA, "NSAP empty");
	ok_rdata(T_EID, RD("\xaa"), "\\# 1 AA", "EID");
	bad_rdata(T_EID, RD(""), PROTO_ERDATA, "EID empty");
	ok_rdata(T_NIMLOC, RD("\xaa"), "\\# 1 AA", "NIMLOC");
	bad_rdata(T_NIMLOC, RD(""), PROTO_ERDATA, "NIMLOC empty");
	ok_rdata(T_DHCID, RD("\xaa"), "\\# 1 AA", "DHCID");
	bad_rdata(T_DHCID, RD(""), PROTO_ERDATA, "DHCID empty");
	ok_rdata(T_HHIT, RD("\xaa"), "\\# 1 AA", "HHIT");
	bad_rdata(T_HHIT, RD(""), PROTO_ERDATA, "HHIT empty");
	ok_rdata(T_BRID, RD("\xaa"), "\\# 1 AA", "BRID");
	bad_rdata(T_BRID, RD(""), PROTO_ERDATA, "BRID empty");
	ok_rdata(T_SINK, RD("\x01\x02\x03"), "\\# 3 010203", "SINK");
	bad_rdata(T_SINK, RD("\x01\x02"), PROTO_ERDATA, "SINK short");
	ok_rdata(T_CERT, RD("\x00\x01\x30\x39\x08\xaa\xbb"),
	         "\\# 7 0001303908AABB", "CERT");
	bad_rdata(T_CERT, RD("\x00\x01\x30\x39\x08"), PROTO_ERDATA,
	          "CERT short");
	ok_rdata(T_L32, RD("\x00\x0a\xc0\x00\x02\x01"), "\\# 6 000AC0000201",
	         "L32");
	bad_rdata(T_L32, RD("\x00\x0a\xc0\x00\x02"), PROTO_ERDATA,
	          "L32 short");
	ok_rdata(T_EUI48, RD("\x00\x00\x5e\x00\x53\xaa"),
	         "\\# 6 00005E0053AA", "EUI48");
	bad_rdata(T_EUI48, RD("\x00\x00\x5e\x00\x53\xaa\xbb"), PROTO_ERDATA,
	          "EUI48 long");
	ok_rdata(T_EUI64, RD("\x00\x00\x5e\x00\x00\x00\x00\x01"),
	         "\\# 8 00005E0000000001", "EUI64");
	bad_rdata(T_EUI64, RD("\x00\x00\x5e\x00\x00\x00\x00"), PROTO_ERDATA,
	          "EUI64 short");
	ok_rdata(T_NID, RD("\x00\x0a\x00\x14\x4f\xff\xfe\x00\x00\x01"),
	         "\\# 10 000A00144FFFFE000001", "NID");
	bad_rdata(T_NID, RD("\x00\x0a\x00\x14\x4f\xff\xfe\x00\x00\x01\x00"),
	          PROTO_ERDATA, "NID long");
	ok_rdata(T_L64, RD("\x00\x0a\x20\x01\x0d\xb8\x11\x40\x10\x00"),
	         "\\# 10 000A20010DB811401000", "L64");
	bad_rdata(T_L64, RD("\x00\x0a\x20\x01\x0d\xb8"), PROTO_ERDATA,
	          "L64 short");
	ok_rdata(T_NINFO, RD("\x02\x6f\x6b\x00"), "\\# 4 026F6B00", "NINFO");
	bad_rdata(T_NINFO, RD(""), PROTO_ERDATA, "NINFO empty");
	ok_rdata(T_AVC, RD("\x05" "app=x"), "\\# 6 056170703D78", "AVC");
	bad_rdata(T_AVC, RD("\x05" "app"), PROTO_ERDATA,
	          "AVC string past end");
	ok_rdata(T_RESINFO, RD("\x08qnamemin"), "\\# 9 08716E616D656D696E",
	         "RESINFO");
	bad_rdata(T_RESINFO, RD("\x01\x61\x02\x62"), PROTO_ERDATA,
	          "RESINFO second string past end");
	ok_rdata(T_WALLET, RD("\x03" "BTC\x03" "abc"),
	         "\\# 8 0342544303616263", "WALLET");
	bad_rdata(T_WALLET, RD(""), PROTO_ERDATA, "WALLET empty");
}

/* Fields with structure of their own, TKEY and TSIG. */
static void
test_bind_structured(void)
{
	ok_rdata(T_WKS, RD("\xc0\x00\x02\x01\x06\x00\x00\x00\x04"),
	         "\\# 9 C00002010600000004", "WKS");
	ok_rdata(T_WKS, RD("\xc0\x00\x02\x01\x11"), "\\# 5 C000020111",
	         "WKS no ports");
	bad_rdata(T_WKS, RD("\xc0\x00\x02\x01\x06\x40\x00"), PROTO_ERDATA,
	          "WKS bitmap ends in zero");
	bad_rdata(T_WKS, RD("\xc0\x00\x02\x01"), PROTO_ERDATA, "WKS short");
	ok_rdata(T_X25, RD("\x0c" "311061700956"),
	         "\\# 13 0C333131303631373030393536", "X25");
	bad_rdata(T_X25, RD("\x04" "12a4"), PROTO_ERDATA, "X25 not digits");
	bad_rdata(T_X25, RD("\x03" "123"), PROTO_ERDATA, "X25 three digits");
	ok_rdata(T_ISDN, RD("\x0f" "150862028003217"),
	         "\\# 16 0F313530383632303238303033323137", "ISDN");
	ok_rdata(T_ISDN, RD("\x0f" "150862028003217\x03" "004"),
	         "\\# 20 0F31353038363230323830303332313703303034",
	         "ISDN subaddress");
	bad_rdata(T_ISDN, RD("\x01\x31\x01\x32\x01\x33"), PROTO_ERDATA,
	          "ISDN three strings");
	ok_rdata(T_GPOS, RD("\x08-32.6882\x08" "116.8652\x04" "10.0"),
	         "\\# 23 082D33322E36383832083131362E383635320431302E30",
	         "GPOS");
	bad_rdata(T_GPOS, RD("\x01\x31\x01\x32"), PROTO_ERDATA,
	          "GPOS two strings");
	ok_rdata(PROTO_T_SIG,
	         RD("\x00\x01\x08\x02\x00\x00\x0e\x10\x65\x92\x00\x80\x65\x68"
	            "\xa2\x00\x30\x39" PQ "\xaa\xbb"),
	         "\\# 22 0001080200000E10659200806568A2003039C00CAABB", "SIG");
	bad_rdata(PROTO_T_SIG,
	          RD("\x00\x01\x08\x02\x00\x00\x0e\x10\x65\x92\x00\x80\x65\x68"
	             "\xa2\x00\x30\x39" PQ), PROTO_ERDATA,
	          "SIG empty signature");
	bad_rdata(PROTO_T_SIG,
	          RD("\x00\x01\x08\x02\x00\x00\x0e\x10\x65\x92\x00\x80\x65\x68"
	             "\xa2\x00\x30"), PROTO_ERDATA, "SIG short");
	ok_rdata(PROTO_T_KEY, RD("\x01\x00\x03\x08\xaa\xbb\xcc"),
	         "\\# 7 01000308AABBCC", "KEY");
	ok_rdata(PROTO_T_KEY, RD("\xc1\x00\x03\x08"), "\\# 4 C1000308",
	         "KEY flagged no key");
	bad_rdata(PROTO_T_KEY, RD("\xc1\x00\x03\x08\xaa"), PROTO_ERDATA,
	          "KEY flagged no key with a key");
	bad_rdata(PROTO_T_KEY, RD("\x01\x00\x03\x08"), PROTO_ERDATA,
	          "KEY empty key");
	bad_rdata(PROTO_T_KEY, RD("\x01\x01\x03"), PROTO_ERDATA, "KEY short");
	bad_rdata(PROTO_T_KEY, RD("\x01\x00\x03\xfd\x05\x61"), PROTO_ERDATA,
	          "KEY PRIVATEDNS bad name");
	ok_rdata(T_RKEY, RD("\x00\x00\x03\x08\xaa\xbb"), "\\# 6 00000308AABB",
	         "RKEY");
	bad_rdata(T_RKEY, RD("\x01\x00\x03\x08\xaa\xbb"), PROTO_ERDATA,
	          "RKEY with flags");
	ok_rdata(T_NXT, RD("\x03ns1" PQ "\x40\x01"), "\\# 8 036E7331C00C4001",
	         "NXT");
	ok_rdata(T_NXT, RD(PQ), "\\# 2 C00C", "NXT empty bitmap");
	bad_rdata(T_NXT, RD(PQ "\xc0"), PROTO_ERDATA, "NXT type 0 bit set");
	bad_rdata(T_NXT, RD(PQ "\x40\x00"), PROTO_ERDATA,
	          "NXT bitmap ends in zero");
	bad_rdata(T_NXT, RD(PQ
	             "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
	             "\x01\x01\x01"), PROTO_ERDATA, "NXT bitmap of 17 octets");
	ok_rdata(T_ATMA, RD("\x01" "3125551212"),
	         "\\# 11 0133313235353531323132", "ATMA E.164");
	ok_rdata(T_ATMA,
	         RD("\x00\x47\x00\x05\x80\xff\xff\x00\x00\x00\x00\x00\x00\x00"
	            "\x00\x00\x00\x00\x00\x00\x00\x00"),
	         "\\# 22 0047000580FFFF000000000000000000000000000000",
	         "ATMA AESA");
	bad_rdata(T_ATMA, RD("\x01" "31x5"), PROTO_ERDATA,
	          "ATMA E.164 not digits");
	bad_rdata(T_ATMA, RD("\x00"), PROTO_ERDATA, "ATMA short");
	bad_rdata(T_A6, RD("\x03ns1\xc0\x10"), PROTO_ERDATA,
	          "A6 prefix 3 with 4 octets of suffix (capture)");
	ok_rdata(T_A6,
	         RD("\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	            "\x00\x00\x01"),
	         "\\# 17 0020010DB8000000000000000000000001",
	         "A6 0 2001:db8::1");
	ok_rdata(T_A6, RD("\x40\x00\x00\x00\x00\x00\x00\x00\x01\x03ns1" PQ),
	         "\\# 15 400000000000000001036E7331C00C",
	         "A6 prefix 64 and name");
	ok_rdata(T_A6, RD("\x80" PQ), "\\# 3 80C00C",
	         "A6 prefix 128, name only");
	bad_rdata(T_A6,
	          RD("\x03\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	             "\x00\x00\x00\x00"), PROTO_ERDATA, "A6 pad bits set");
	bad_rdata(T_A6, RD("\x81" PQ), PROTO_ERDATA, "A6 prefix 129");
	bad_rdata(T_A6, RD("\x40\x00\x00\x00\x00\x00\x00\x00\x01"),
	          PROTO_ERDATA, "A6 prefix name missing");
	ok_rdata(T_APL, RD(""), "\\# 0", "APL empty");
	ok_rdata(T_APL,
	         RD("\x00\x01\x18\x03\xc0\x00\x02\x00\x02\x40\x82\x20\x01"),
	         "\\# 13 00011803C00002000240822001", "APL two items");
	bad_rdata(T_APL, RD("\x00\x01\x21\x00"), PROTO_ERDATA,
	          "APL IPv4 prefix 33");
	bad_rdata(T_APL, RD("\x00\x01\x18\x03\xc0\x00\x00"), PROTO_ERDATA,
	          "APL address ends in zero");
	bad_rdata(T_APL, RD("\x00\x01\x18\x03\xc0\x00"), PROTO_ERDATA,
	          "APL address past end");
	ok_rdata(T_IPSECKEY, RD("\x0a\x01\x02\xc0\x00\x02\x01\xaa\xbb"),
	         "\\# 9 0A0102C0000201AABB", "IPSECKEY IPv4 gateway");
	ok_rdata(T_IPSECKEY, RD("\x0a\x03\x02" PQ "\xaa"),
	         "\\# 6 0A0302C00CAA", "IPSECKEY name gateway");
	bad_rdata(T_IPSECKEY, RD("\x0a\x01\x02\xc0\x00\x02\x01"),
	          PROTO_ERDATA, "IPSECKEY without key");
	bad_rdata(T_IPSECKEY, RD("\x0a\x04\x02\xaa"), PROTO_ERDATA,
	          "IPSECKEY gateway type 4");
	ok_rdata(T_HIP, RD("\x02\x02\x00\x02\xaa\xaa\xbb\xbb" PQ),
	         "\\# 10 02020002AAAABBBBC00C", "HIP");
	ok_rdata(T_HIP, RD("\x01\x02\x00\x01\xaa\xbb"), "\\# 6 01020001AABB",
	         "HIP without servers");
	bad_rdata(T_HIP, RD("\x00\x02\x00\x01\xbb"), PROTO_ERDATA,
	          "HIP empty HIT");
	bad_rdata(T_HIP, RD("\x01\x02\x00\x02\xaa\xbb"), PROTO_ERDATA,
	          "HIP key past end");
	bad_rdata(T_HIP, RD("\x01\x02\x00\x01\xaa\xbb\x41\x00"), PROTO_ELABEL,
	          "HIP server with extended label");
	ok_rdata(T_CSYNC,
	         RD("\x00\x00\x00\x01\x00\x03\x00\x06\x60\x00\x00\x00\x00\x0c"),
	         "\\# 14 000000010003000660000000000C", "CSYNC");
	ok_rdata(T_CSYNC, RD("\x00\x00\x00\x01\x00\x03"),
	         "\\# 6 000000010003", "CSYNC empty bitmap");
	bad_rdata(T_CSYNC, RD("\x00\x00\x00\x01\x00\x03\x00\x01\x00"),
	          PROTO_ERDATA, "CSYNC bitmap ends in zero");
	ok_rdata(T_ZONEMD,
	         RD("\x00\x00\x00\x01\x01\x01\x00\x01\x02\x03\x04\x05\x06\x07"
	            "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"
	            "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23"
	            "\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f"),
	         "\\# 54 000000010101000102030405060708090A0B0C0D0E0F101112131"
	         "415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F",
	         "ZONEMD SHA-384");
	ok_rdata(T_ZONEMD,
	         RD("\x00\x00\x00\x01\x01\x05\x00\x01\x02\x03\x04\x05\x06\x07"
	            "\x08\x09\x0a\x0b"),
	         "\\# 18 000000010105000102030405060708090A0B",
	         "ZONEMD unknown hash");
	bad_rdata(T_ZONEMD,
	          RD("\x00\x00\x00\x01\x01\x01\x00\x01\x02\x03\x04\x05\x06\x07"
	             "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"
	             "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23"
	             "\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e"),
	          PROTO_ERDATA, "ZONEMD SHA-384 short");
	bad_rdata(T_ZONEMD,
	          RD("\x00\x00\x00\x01\x01\x05\x00\x01\x02\x03\x04\x05\x06\x07"
	             "\x08\x09\x0a"), PROTO_ERDATA, "ZONEMD digest under 12");
	ok_rdata(T_DOA,
	         RD("\x00\x00\x00\x01\x00\x00\x00\x01\x01\x0aimage/jpeg\xaa\xbb"),
	         "\\# 22 0000000100000001010A696D6167652F6A706567AABB", "DOA");
	ok_rdata(T_DOA, RD("\x00\x00\x00\x01\x00\x00\x00\x01\x01\x00"),
	         "\\# 10 00000001000000010100",
	         "DOA empty media type and data");
	bad_rdata(T_DOA, RD("\x00\x00\x00\x01\x00\x00\x00\x01\x01\x02\x61"),
	          PROTO_ERDATA, "DOA media type past end");
	ok_rdata(T_AMTRELAY, RD("\x0a\x80"), "\\# 2 0A80",
	         "AMTRELAY no relay");
	ok_rdata(T_AMTRELAY, RD("\x0a\x03\x03ns1" PQ),
	         "\\# 8 0A03036E7331C00C", "AMTRELAY name relay");
	ok_rdata(T_AMTRELAY, RD("\x0a\x05\xaa\xbb\xcc"), "\\# 5 0A05AABBCC",
	         "AMTRELAY unknown relay type");
	bad_rdata(T_AMTRELAY, RD("\x0a\x00\xaa"), PROTO_ERDATA,
	          "AMTRELAY no relay with data");
	bad_rdata(T_AMTRELAY, RD("\x0a\x01\xc0\x00\x02"), PROTO_ERDATA,
	          "AMTRELAY IPv4 short");
	ok_rdata(T_TA,
	         RD("\x30\x39\x08\x02\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	            "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
	            "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"),
	         "\\# 36 30390802000102030405060708090A0B0C0D0E0F1011121314151"
	         "61718191A1B1C1D1E1F", "TA");
	bad_rdata(T_TA,
	          RD("\x30\x39\x08\x02\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	             "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
	             "\x18\x19\x1a\x1b\x1c\x1d\x1e"), PROTO_ERDATA,
	          "TA SHA-256 short");
	ok_rdata(T_DLV, RD("\x30\x39\x08\x05\xaa"), "\\# 5 30390805AA",
	         "DLV unknown digest");
	bad_rdata(T_DLV, RD("\x30\x39\x08\x05"), PROTO_ERDATA,
	          "DLV empty digest");
	ok_rdata(PROTO_T_TKEY,
	         RD("\x08gss-tsig\x00\x65\x92\x00\x80\x65\x92\xff\xff\x00\x03"
	            "\x00\x00\x00\x02\xaa\xbb\x00\x00"),
	         "\\# 28 086773732D7473696700659200806592FFFF000300000002AABB0"
	         "000", "TKEY");
	bad_rdata(PROTO_T_TKEY,
	          RD("\x08gss-tsig\x00\x65\x92\x00\x80\x65\x92\xff\xff\x00\x03"
	             "\x00\x00\x00\x02\xaa\xbb\x00\x00\x00"), PROTO_ERDATA,
	          "TKEY trailing byte");
	bad_rdata(PROTO_T_TKEY,
	          RD("\x08gss-tsig\x00\x65\x92\x00\x80\x65\x92\xff\xff\x00\x03"
	             "\x00\x00\x00\x03\xaa\xbb"), PROTO_ERDATA,
	          "TKEY key past end");
	ok_rdata(PROTO_T_TSIG,
	         RD("\x0bhmac-sha256\x00\x00\x00\x65\x92\x00\x80\x01\x2c\x00"
	            "\x04\xaa\xbb\xcc\xdd\x12\x34\x00\x00\x00\x00"),
	         "\\# 33 0B686D61632D73686132353600000065920080012C0004AABBCCD"
	         "D123400000000", "TSIG");
	ok_rdata(PROTO_T_TSIG,
	         RD("\x0bhmac-sha256\x00\x00\x00\x65\x92\x00\x80\x01\x2c\x00"
	            "\x00\x12\x34\x00\x12\x00\x06\x00\x00\x65\x92\x00\x80"),
	         "\\# 35 0B686D61632D73686132353600000065920080012C00001234001"
	         "20006000065920080", "TSIG BADTIME with other data");
	bad_rdata(PROTO_T_TSIG,
	          RD("\x0bhmac-sha256\x00\x00\x00\x65\x92\x00\x80\x01\x2c\x00"
	             "\x05\xaa\xbb\xcc\xdd\x12\x34\x00\x00\x00\x00"),
	          PROTO_ERDATA, "TSIG MAC past end");
	bad_rdata(PROTO_T_TSIG,
	          RD("\x0bhmac-sha256\x00\x00\x00\x65\x92\x00\x80\x01\x2c\x00"
	             "\x00\x12\x34\x00\x00"), PROTO_ERDATA,
	          "TSIG without other length");
	bad_rdata(PROTO_T_TSIG, RD("\x01"), PROTO_ERDATA, "TSIG of one octet");
}

/* EDNS options, with the checks BIND makes of the ones it knows. */
static void
test_bind_opt(void)
{
	ok_rdata(PROTO_T_OPT, RD(""), "\\# 0", "OPT empty");
	ok_rdata(PROTO_T_OPT,
	         RD("\x00\x0a\x00\x08\x01\x02\x03\x04\x05\x06\x07\x08"),
	         "\\# 12 000A00080102030405060708", "OPT client cookie");
	ok_rdata(PROTO_T_OPT,
	         RD("\x00\x0a\x00\x10\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	            "\x0a\x0b\x0c\x0d\x0e\x0f\x00\x0c\x00\x02\x00\x00"),
	         "\\# 26 000A0010000102030405060708090A0B0C0D0E0F000C00020000",
	         "OPT cookies and padding");
	ok_rdata(PROTO_T_OPT,
	         RD("\x00\x08\x00\x07\x00\x01\x18\x00\xc0\x00\x02"),
	         "\\# 11 0008000700011800C00002", "OPT client subnet");
	ok_rdata(PROTO_T_OPT, RD("\x00\x0f\x00\x05\x00\x12" "abc"),
	         "\\# 9 000F00050012616263", "OPT extended error");
	ok_rdata(PROTO_T_OPT, RD("\xfd\xe9\x00\x03" "abc"),
	         "\\# 7 FDE90003616263", "OPT unknown option");
	bad_rdata(PROTO_T_OPT, RD("\x00\x0a\x00\x00"), PROTO_ERDATA,
	          "OPT empty cookie");
	bad_rdata(PROTO_T_OPT,
	          RD("\x00\x0a\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
	          PROTO_ERDATA, "OPT cookie of 9");
	bad_rdata(PROTO_T_OPT, RD("\x00\x0a\x00"), PROTO_ERDATA,
	          "OPT option header cut");
	bad_rdata(PROTO_T_OPT, RD("\xfd\xe9\x00\x04\x61\x62"), PROTO_ERDATA,
	          "OPT option past end");
	bad_rdata(PROTO_T_OPT,
	          RD("\x00\x08\x00\x07\x00\x01\x16\x00\xc0\x00\x02"),
	          PROTO_ERDATA, "OPT client subnet bit past prefix");
	bad_rdata(PROTO_T_OPT,
	          RD("\x00\x08\x00\x08\x00\x01\x18\x00\xc0\x00\x02\x00"),
	          PROTO_ERDATA, "OPT client subnet address too long");
	bad_rdata(PROTO_T_OPT, RD("\x00\x08\x00\x04\x00\x03\x00\x00"),
	          PROTO_ERDATA, "OPT client subnet family 3");
	bad_rdata(PROTO_T_OPT, RD("\x00\x0f\x00\x05\x00\x12\xef\xbb\xbf"),
	          PROTO_ERDATA, "OPT extended error with BOM");
	bad_rdata(PROTO_T_OPT, RD("\x00\x0f\x00\x04\x00\x12\xc0\xaf"),
	          PROTO_ERDATA, "OPT extended error bad UTF-8");
	bad_rdata(PROTO_T_OPT, RD("\x00\x01\x00\x02\x00\x00"), PROTO_ERDATA,
	          "OPT LLQ wrong length");
	bad_rdata(PROTO_T_OPT, RD("\x00\x09\x00\x02\x00\x00"), PROTO_ERDATA,
	          "OPT EXPIRE wrong length");
	bad_rdata(PROTO_T_OPT, RD("\x00\x0e\x00\x03" "090"), PROTO_ERDATA,
	          "OPT key tag odd length");
	bad_rdata(PROTO_T_OPT, RD("\x00\x10\x00\x01\x00"), PROTO_ERDATA,
	          "OPT client tag wrong length");
}

/* Write a wire name of exactly n octets (2..255) at p; returns n. */
static size_t
put_name(uint8_t *p, size_t n)
{
	size_t k = 0;
	size_t left = n - 1;

	while (left > 0) {
		size_t l = left - 1 < 63 ? left - 1 : 63;
		p[k++] = (uint8_t)l;
		memset(p + k, 'x', l);
		k += l;
		left -= l + 1;
	}
	p[k++] = 0;
	return k;
}

/*
 * HIP rendezvous servers may be compressed, each pointer standing for up
 * to 255 octets; BIND refuses rdata that decompresses to more than 65512.
 * Here: HIT, key, a name of 255, 255 pointers to it and one more name.
 */
static void
test_bind_expansion(void)
{
	static uint8_t rd[6 + 255 + 2 * 255 + 255];

	for (size_t last = 226; last <= 227; last++) {
		size_t n;

		memcpy(rd, "\x01\x02\x00\x01\xaa\xbb", 6);
		n = 6 + put_name(rd + 6, 255);
		for (int i = 0; i < 255; i++) {
			rd[n++] = 0xc0;
			rd[n++] = RDOFF + 6;
		}
		n += put_name(rd + n, last);
		is_int(fmt(T_HIP, rd, n), last == 226 ? 0 : PROTO_ERDATA,
		       "HIP decompressing to %zu octets", 6 + 255 * 256 + last);
	}
}

static void
test_bounds(void)
{
	struct proto_buf b;
	char small[6];
	size_t len = msg_build(PROTO_T_TXT, RD("\x05hello"));

	proto_buf_init(&b, text, sizeof(text));
	is_int(proto_rdata_format(PROTO_T_TXT, msg, len, RDOFF, 7, &b),
	       PROTO_ETRUNC, "rdata past the message");
	is_int(proto_rdata_format(PROTO_T_TXT, msg, len, len + 1, 0, &b),
	       PROTO_ETRUNC, "offset past the message");
	proto_buf_init(&b, small, sizeof(small));
	is_int(proto_rdata_format(PROTO_T_TXT, msg, len, RDOFF, 6, &b),
	       PROTO_ESPACE, "output larger than the buffer");
}

static void
test_rrtype(void)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX];
	const char *names[] = {
		"A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "RP",
		"AFSDB", "AAAA", "LOC", "SRV", "NAPTR", "KX", "DNAME", "DS",
		"SSHFP", "RRSIG", "NSEC", "DNSKEY", "NSEC3", "NSEC3PARAM",
		"TLSA", "SMIMEA", "CDS", "CDNSKEY", "OPENPGPKEY", "SVCB",
		"HTTPS", "SPF", "URI", "CAA", "OPT", "SIG", "KEY", "TKEY",
		"TSIG", "ANY",
	};
	uint16_t t;

	is_str(proto_rrtype_name(PROTO_T_A, tmp), "A", "name of 1");
	is_str(proto_rrtype_name(PROTO_T_NSEC3PARAM, tmp), "NSEC3PARAM",
	       "name of 51");
	is_str(proto_rrtype_name(PROTO_T_CAA, tmp), "CAA", "name of 257");
	is_str(proto_rrtype_name(0, tmp), "TYPE0", "name of 0");
	is_str(proto_rrtype_name(11, tmp), "TYPE11", "WKS has no mnemonic");
	is_str(proto_rrtype_name(65535, tmp), "TYPE65535", "name of 65535");
	ok(proto_rrtype_name(PROTO_T_MX, tmp) != tmp,
	   "known type returns a static string");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int err = proto_rrtype_parse(names[i], &t);
		ok(err == 0 && strcmp(proto_rrtype_name(t, tmp), names[i]) == 0,
		   "round trip %s", names[i]);
	}
	is_int(proto_rrtype_parse("nsec3param", &t), 0, "lowercase mnemonic");
	is_int(t, PROTO_T_NSEC3PARAM, "lowercase mnemonic value");
	is_int(proto_rrtype_parse("TYPE65535", &t), 0, "TYPE65535");
	is_int(t, 65535, "TYPE65535 value");
	is_int(proto_rrtype_parse("type1", &t), 0, "type1 case-insensitive");
	is_int(t, 1, "type1 value");
	is_int(proto_rrtype_parse("TYPE0", &t), 0, "TYPE0");
	is_int(t, 0, "TYPE0 value");
	is_int(proto_rrtype_parse("TYPE65536", &t), PROTO_EINVAL, "TYPE65536");
	is_int(proto_rrtype_parse("TYPE100000", &t), PROTO_EINVAL,
	       "TYPE with six digits");
	is_int(proto_rrtype_parse("TYPEx", &t), PROTO_EINVAL, "TYPEx");
	is_int(proto_rrtype_parse("TYPE", &t), PROTO_EINVAL, "TYPE alone");
	is_int(proto_rrtype_parse("TYPE+1", &t), PROTO_EINVAL, "TYPE+1");
	is_int(proto_rrtype_parse("TYPE1 ", &t), PROTO_EINVAL,
	       "TYPE1 with a space");
	is_int(proto_rrtype_parse("WKS", &t), PROTO_EINVAL, "no mnemonic WKS");
	is_int(proto_rrtype_parse("AA", &t), PROTO_EINVAL, "prefix of AAAA");
	is_int(proto_rrtype_parse("", &t), PROTO_EINVAL, "empty");
	is_int(proto_rrtype_parse(NULL, &t), PROTO_EINVAL, "NULL");
}

/* Format a wire name into text; returns text. */
static const char *
name_text(const uint8_t *wire, size_t len)
{
	struct proto_buf b;

	proto_buf_init(&b, text, sizeof(text));
	proto_name_format(wire, len, &b);
	return text;
}

static void
name_parse_round_trip(const char *in, const char *want)
{
	uint8_t wire[PROTO_NAME_MAX];
	size_t len;
	int err = proto_name_parse(in, strlen(in), wire, &len);

	is_int(err, 0, "parse '%s'", in);
	is_str(err == 0 ? name_text(wire, len) : "(error)", want,
	       "round trip '%s'", in);
}

static void
test_name(void)
{
	uint8_t out[PROTO_NAME_MAX];
	uint8_t zone[PROTO_NAME_MAX];
	uint8_t m[600];
	size_t len, zlen, pos;

	name_parse_round_trip("a\\032b", "a\\032b");
	name_parse_round_trip("john\\.doe.example.com.", "john\\.doe.example.com");
	name_parse_round_trip(".", ".");
	name_parse_round_trip("WWW.Example.COM", "www.example.com");
	name_parse_round_trip("a\\\\b\\\"c", "a\\\\b\\\"c");
	name_parse_round_trip("\\000\\255", "\\000\\255");
	name_parse_round_trip("a;b(c)@d$e", "a\\;b\\(c\\)\\@d\\$e");
	is_int(proto_name_parse("a..b", 4, out, &len), PROTO_EINVAL,
	       "empty label refused");
	is_int(proto_name_parse("a\\25", 4, out, &len), PROTO_EINVAL,
	       "short \\DDD refused");
	is_int(proto_name_parse("a\\256", 5, out, &len), PROTO_EINVAL,
	       "\\256 refused");

	memset(m, 'a', sizeof(m));
	m[0] = 64;
	is_int(proto_name_parse((const char *)m + 1, 64, out, &len),
	       PROTO_ELABEL, "parse label of 64 refused");

	/* Wire: "a b" as one label shows as a\032b. */
	memcpy(m, "\x03" "a b\x00", 5);
	pos = 0;
	is_int(proto_name_unpack(m, 5, &pos, out, &len, true), 0,
	       "unpack a\\032b");
	is_str(name_text(out, len), "a\\032b", "space shown as \\032");
	memcpy(m, "\x08john.doe\x00", 10);
	pos = 0;
	is_int(proto_name_unpack(m, 10, &pos, out, &len, true), 0,
	       "unpack john.doe");
	is_str(name_text(out, len), "john\\.doe", "dot inside a label escaped");
	m[0] = 0;
	pos = 0;
	is_int(proto_name_unpack(m, 1, &pos, out, &len, true), 0, "unpack root");
	is_str(name_text(out, len), ".", "root is '.'");

	/* Pointers: forward, to itself, a loop, and one that is not allowed. */
	memcpy(m, "\xc0\x02\x01" "a\x00", 5);
	pos = 0;
	is_int(proto_name_unpack(m, 5, &pos, out, &len, true), PROTO_EPTR,
	       "forward pointer refused");
	memcpy(m, "\x01" "a\x00\x01" "a\xc0\x00", 7);
	pos = 3;
	is_int(proto_name_unpack(m, 7, &pos, out, &len, true), 0,
	       "backward pointer followed");
	is_int(pos, 7, "position after the pointer");
	is_str(name_text(out, len), "a.a", "backward pointer name");
	memcpy(m, "\x01" "a\xc0\x02", 4);
	pos = 0;
	is_int(proto_name_unpack(m, 4, &pos, out, &len, true), PROTO_EPTR,
	       "pointer to itself refused");
	memcpy(m, "\x01" "a\x00\x01" "b\xc0\x00\x01" "c\xc0\x03", 11);
	pos = 7;
	is_int(proto_name_unpack(m, 11, &pos, out, &len, true), 0,
	       "chain of backward pointers");
	is_str(name_text(out, len), "c.b.a", "chain of backward pointers name");
	memcpy(m, "\x01" "a\xc0\x04\x01" "b\xc0\x00", 8);
	pos = 4;
	is_int(proto_name_unpack(m, 8, &pos, out, &len, true), PROTO_EPTR,
	       "pointer loop refused");
	memcpy(m, "\x01" "a\x00\xc0\x00", 5);
	pos = 3;
	is_int(proto_name_unpack(m, 5, &pos, out, &len, false), PROTO_EPTR,
	       "pointer refused when not allowed");
	pos = 3;
	is_int(proto_name_unpack(m, 4, &pos, out, &len, true), PROTO_ETRUNC,
	       "pointer cut in half");

	/* Label types and lengths. */
	m[0] = 0x40;
	m[1] = 0;
	pos = 0;
	is_int(proto_name_unpack(m, 2, &pos, out, &len, true), PROTO_ELABEL,
	       "label type 0x40 refused");
	m[0] = 0x80;
	pos = 0;
	is_int(proto_name_unpack(m, 2, &pos, out, &len, true), PROTO_ELABEL,
	       "label type 0x80 refused");
	memcpy(m, "\x05" "ab", 3);
	pos = 0;
	is_int(proto_name_unpack(m, 3, &pos, out, &len, true), PROTO_ETRUNC,
	       "label past the end");

	/* 63+1 three times, then 61+1, then root: 255 octets. */
	memset(m, 'x', sizeof(m));
	m[0] = 63;
	m[64] = 63;
	m[128] = 63;
	m[192] = 61;
	m[254] = 0;
	pos = 0;
	is_int(proto_name_unpack(m, 255, &pos, out, &len, true), 0,
	       "name of 255 octets");
	is_int(len, 255, "name of 255 octets length");
	m[192] = 62;
	m[254] = 'x';
	m[255] = 0;
	pos = 0;
	is_int(proto_name_unpack(m, 256, &pos, out, &len, true),
	       PROTO_ENAMELEN, "name of 256 octets refused");

	/* Subdomains are label-aligned. */
	is_int(proto_name_parse("x\\.example.com", 14, out, &len), 0,
	       "parse x\\.example.com");
	is_int(proto_name_parse("example.com", 11, zone, &zlen), 0,
	       "parse example.com");
	ok(!proto_name_is_subdomain(out, len, zone, zlen),
	   "x\\.example.com is not under example.com");
	is_int(proto_name_parse("com", 3, zone, &zlen), 0, "parse com");
	ok(proto_name_is_subdomain(out, len, zone, zlen),
	   "x\\.example.com is under com");
	is_int(proto_name_parse("www.example.com", 15, out, &len), 0,
	       "parse www.example.com");
	is_int(proto_name_parse("example.com", 11, zone, &zlen), 0,
	       "parse example.com again");
	ok(proto_name_is_subdomain(out, len, zone, zlen),
	   "www.example.com is under example.com");
	ok(proto_name_is_subdomain(zone, zlen, zone, zlen),
	   "a name is under itself");
	is_int(proto_name_parse("ample.com", 9, zone, &zlen), 0,
	       "parse ample.com");
	ok(!proto_name_is_subdomain(out, len, zone, zlen),
	   "www.example.com is not under ample.com");
	is_int(proto_name_parse(".", 1, zone, &zlen), 0, "parse root");
	ok(proto_name_is_subdomain(out, len, zone, zlen),
	   "everything is under the root");
	is_int(proto_name_labels(out, len), 3, "www.example.com has 3 labels");
}

int
main(void)
{
	test_addresses();
	test_names();
	test_text();
	test_srv_naptr();
	test_dnssec();
	test_keys_and_hashes();
	test_svcb();
	test_loc();
	test_generic();
	test_bind_names();
	test_bind_opaque();
	test_bind_structured();
	test_bind_opt();
	test_bind_expansion();
	test_bounds();
	test_rrtype();
	test_name();
	return tap_done();
}
