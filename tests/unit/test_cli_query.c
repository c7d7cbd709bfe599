/* test_cli_query.c - dnsdbq's lookup arguments into query values. */
#include <string.h>

#include "cli/cli_query.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

static struct proto_query q;
static char why[256];
static bool typed;

typedef int (*lookup_fn)(struct proto_query *, const char *, bool *, char *, size_t);

static int
run(lookup_fn fn, const char *arg)
{
	proto_query_init(&q);
	why[0] = '\0';
	typed = false;
	return fn(&q, arg, &typed, why, sizeof(why));
}

static bool
name_is(const uint8_t *got, size_t glen, const char *want, size_t wlen)
{
	return glen == wlen && memcmp(got, want, wlen) == 0;
}

#define NAME_IS(got, glen, lit) name_is(got, glen, lit, sizeof(lit) - 1)

static void
refused(lookup_fn fn, const char *arg, const char *want_why)
{
	int err = run(fn, arg);

	is_int(err, PROTO_EINVAL, "'%s' refused", arg);
	is_str(why, want_why, "'%s': reason", arg);
}

static void
test_rrset(void)
{
	is_int(run(cli_query_rrset, "www.example.com"), 0, "-r www.example.com");
	ok(q.kind == PROTO_Q_RRSET && q.match == PROTO_M_EXACT && !typed &&
	   q.ntypes == 0 && q.bailiwick_len == 0, "exact rrset, any type");
	ok(NAME_IS(q.name, q.name_len, "\3www\7example\3com\0"), "name in wire form");

	is_int(run(cli_query_rrset, "WWW.Example.COM."), 0, "mixed case, trailing dot");
	ok(NAME_IS(q.name, q.name_len, "\3www\7example\3com\0"), "the same wire name");

	is_int(run(cli_query_rrset, "www.example.com/A"), 0, "with a type");
	ok(typed && q.ntypes == 1 && q.types[0] == PROTO_T_A, "A");

	is_int(run(cli_query_rrset, "www.example.com/a,AAAA,a/example.com"), 0,
	       "types and a bailiwick");
	ok(q.ntypes == 2 && q.types[0] == PROTO_T_A && q.types[1] == PROTO_T_AAAA,
	   "A, AAAA (the repeat dropped)");
	ok(NAME_IS(q.bailiwick, q.bailiwick_len, "\7example\3com\0"), "bailiwick");

	is_int(run(cli_query_rrset, "www.example.com/ANY"), 0, "ANY");
	ok(typed && q.ntypes == 0, "ANY is no filter, but counts as typed");

	is_int(run(cli_query_rrset, "*.example.com"), 0, "left wildcard");
	ok(q.match == PROTO_M_LEFT && NAME_IS(q.name, q.name_len, "\7example\3com\0"),
	   "left: the zone below which names match");
	is_int(run(cli_query_rrset, "*.com"), 0, "*.com is the store's to cap");

	is_int(run(cli_query_rrset, "www.example.*"), 0, "right wildcard");
	ok(q.match == PROTO_M_RIGHT && NAME_IS(q.name, q.name_len, "\3www\7example"),
	   "right: labels without the root");

	is_int(run(cli_query_rrset, "a\\/b.example/TXT"), 0, "an escaped slash");
	ok(NAME_IS(q.name, q.name_len, "\3a/b\7example\0") && q.types[0] == PROTO_T_TXT,
	   "stays in the name");
	is_int(run(cli_query_rrset, "www\\.*"), 0, "an escaped dot before '*'");
	ok(q.match == PROTO_M_EXACT && NAME_IS(q.name, q.name_len, "\5www.*\0"),
	   "is a literal label, not a right wildcard");
	is_int(run(cli_query_rrset, "."), 0, "the root");
	ok(NAME_IS(q.name, q.name_len, "\0"), "root's wire form");

	const char *unbounded = "a bare wildcard would read every name in the store; "
	                        "give a zone, like *.example.com";
	refused(cli_query_rrset, "*", unbounded);
	refused(cli_query_rrset, "*.", unbounded);
	refused(cli_query_rrset, "*..", unbounded);
	refused(cli_query_rrset, "*/A", unbounded);
	refused(cli_query_rrset, "*.*", "a left and a right wildcard at once are not supported");
	refused(cli_query_rrset, "*.example.*",
	        "a left and a right wildcard at once are not supported");
	refused(cli_query_rrset, ".*", "empty name");
	refused(cli_query_rrset, "", "empty name");
	refused(cli_query_rrset, "www..example.com",
	        "not a domain name (empty label or bad escape)");
	refused(cli_query_rrset, "www.example.com\\",
	        "not a domain name (empty label or bad escape)");
	refused(cli_query_rrset,
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	        "a label is longer than 63 octets");
	char longname[400] = "";
	for (int i = 0; i < 100; i++)
		memcpy(longname + 3 * i, "ab.", 4);
	refused(cli_query_rrset, longname, "name longer than 255 octets");
	refused(cli_query_rrset, "www.example.com/XYZ", "unknown rrtype 'XYZ'");
	refused(cli_query_rrset, "www.example.com/", "empty rrtype in the list");
	refused(cli_query_rrset, "www.example.com/A,", "empty rrtype in the list");
	refused(cli_query_rrset, "www.example.com/A,ANY", "ANY cannot be mixed with other rrtypes");
	refused(cli_query_rrset, "www.example.com/TYPE0", "unknown rrtype 'TYPE0'");
	refused(cli_query_rrset, "www.example.com/AVERYLONGTYPENAME", "unknown rrtype 'AVERYLONGTYPENAME'");
	refused(cli_query_rrset, "www.example.com/A,NS,MX,TXT,SOA,PTR,SRV,CAA,AAAA",
	        "more than 8 rrtypes");
	refused(cli_query_rrset, "www.example.com/A/*.example.com",
	        "a bailiwick cannot be a wildcard");
	refused(cli_query_rrset, "www.example.com/A/a..b",
	        "bailiwick: not a domain name (empty label or bad escape)");
	refused(cli_query_rrset, "a/A/b/c", "expected NAME[/TYPE[,TYPE...][/BAILIWICK]]");
}

static void
test_rdata_name(void)
{
	is_int(run(cli_query_rdata_name, "ns1.evil.test"), 0, "-n ns1.evil.test");
	ok(q.kind == PROTO_Q_RDATA_NAME && q.match == PROTO_M_EXACT &&
	   NAME_IS(q.name, q.name_len, "\3ns1\4evil\4test\0"), "rdata name, exact");
	is_int(run(cli_query_rdata_name, "*.evil.test/NS"), 0, "-n *.evil.test/NS");
	ok(q.match == PROTO_M_LEFT && q.ntypes == 1 && q.types[0] == PROTO_T_NS, "left, NS");
	is_int(run(cli_query_rdata_name, "ns1.evil.*"), 0, "-n right wildcard");
	ok(q.match == PROTO_M_RIGHT, "right");
	refused(cli_query_rdata_name, "a/NS/example.com", "expected NAME[/TYPE[,TYPE...]]");
	refused(cli_query_rdata_name, "*", "a bare wildcard would read every name in the "
	        "store; give a zone, like *.example.com");

	is_int(run(cli_query_nxdomain, "nope.example.com"), 0, "--nxdomain");
	ok(q.kind == PROTO_Q_NXDOMAIN && NAME_IS(q.name, q.name_len, "\4nope\7example\3com\0"),
	   "nxdomain by name");
}

static void
test_raw(void)
{
	is_int(run(cli_query_raw_name, "03777777076578616D706c6503636f6d00/A/example.com"), 0,
	       "-R hex/A/bailiwick");
	ok(q.kind == PROTO_Q_RRSET && q.match == PROTO_M_EXACT &&
	   NAME_IS(q.name, q.name_len, "\3www\7example\3com\0") && q.ntypes == 1 &&
	   q.bailiwick_len == 13, "exact rrset by the decoded name");
	is_int(run(cli_query_raw_name, "0357575700"), 0, "-R uppercase wire name");
	ok(NAME_IS(q.name, q.name_len, "\3www\0"), "lowercased like every name");
	refused(cli_query_raw_name, "0377777", "odd number of hex digits");
	refused(cli_query_raw_name, "zz", "not a hex string");
	refused(cli_query_raw_name, "", "empty hex string");
	refused(cli_query_raw_name, "c00c", "not one uncompressed wire-format name");
	refused(cli_query_raw_name, "03777777", "not one uncompressed wire-format name");
	refused(cli_query_raw_name, "0000", "not one uncompressed wire-format name");
	refused(cli_query_raw_name, "4000", "not one uncompressed wire-format name");

	is_int(run(cli_query_raw_rdata, "c0000201/A"), 0, "-N hex/A");
	ok(q.kind == PROTO_Q_RDATA_RAW && q.raw_len == 4 &&
	   memcmp(q.raw, "\300\0\2\1", 4) == 0 && q.types[0] == PROTO_T_A, "raw rdata");
	char big[2 * PROTO_QUERY_RAW_MAX + 3];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[2 * PROTO_QUERY_RAW_MAX] = '\0';
	is_int(run(cli_query_raw_rdata, big), 0, "1024 octets of rdata");
	big[2 * PROTO_QUERY_RAW_MAX] = 'a';
	refused(cli_query_raw_rdata, big, "more than 1024 octets of hex");
	refused(cli_query_raw_rdata, "c0/A/x", "expected HEX[/TYPE[,TYPE...]]");
}

static int
ip(const char *arg)
{
	proto_query_init(&q);
	why[0] = '\0';
	return cli_query_ip(&q, arg, why, sizeof(why));
}

static void
ip_is(const char *arg, unsigned fam, const char *lo, const char *hi)
{
	size_t n = fam == 4 ? 4 : 16;

	is_int(ip(arg), 0, "-i %s", arg);
	ok(q.kind == PROTO_Q_RDATA_IP && q.family == fam &&
	   memcmp(q.addr_lo, lo, n) == 0 && memcmp(q.addr_hi, hi, n) == 0,
	   "-i %s: family and range", arg);
}

static void
ip_refused(const char *arg, const char *want)
{
	is_int(ip(arg), PROTO_EINVAL, "-i '%s' refused", arg);
	is_str(why, want, "-i '%s': reason", arg);
}

static void
test_ip(void)
{
	ip_is("192.0.2.1", 4, "\300\0\2\1", "\300\0\2\1");
	ip_is("192.0.2.7/24", 4, "\300\0\2\0", "\300\0\2\377");
	ip_is("192.0.2.7/32", 4, "\300\0\2\7", "\300\0\2\7");
	ip_is("10.1.2.3/8", 4, "\12\0\0\0", "\12\377\377\377");
	ip_is("192.0.2.77/28", 4, "\300\0\2\100", "\300\0\2\117");
	ip_is("128.0.0.0/1", 4, "\200\0\0\0", "\377\377\377\377");
	ip_is("192.0.2.1-192.0.2.9", 4, "\300\0\2\1", "\300\0\2\11");
	ip_is("192.0.2.1,192.0.2.9", 4, "\300\0\2\1", "\300\0\2\11");
	ip_is("2001:db8::/32", 6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0",
	      "\x20\x01\x0d\xb8\377\377\377\377\377\377\377\377\377\377\377\377");
	ip_is("2001:db8::1/127", 6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0",
	      "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1");
	ip_is("2001:db8:ffff::/36", 6, "\x20\x01\x0d\xb8\xf0\0\0\0\0\0\0\0\0\0\0\0",
	      "\x20\x01\x0d\xb8\xff\xff\377\377\377\377\377\377\377\377\377\377");
	ip_is("::1", 6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1");
	ip_is("2001:db8::1-2001:db8::ff", 6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1",
	      "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\377");

	ip_refused("300.1.1.1", "not an IPv4 or IPv6 address");
	ip_refused("", "not an IPv4 or IPv6 address");
	ip_refused("example.com", "not an IPv4 or IPv6 address");
	ip_refused("192.0.2", "not an IPv4 or IPv6 address");
	ip_refused("1.2.3.4/", "prefix length '' is not a number");
	ip_refused("1.2.3.4/x", "prefix length 'x' is not a number");
	ip_refused("1.2.3.4/24x", "prefix length '24x' is not a number");
	ip_refused("1.2.3.4/0024", "prefix length '0024' is not a number");
	ip_refused("1.2.3.4/33", "prefix length 33 is more than 32");
	ip_refused("::/129", "prefix length 129 is more than 128");
	ip_refused("0.0.0.0/0", "a /0 would read every address in the store");
	ip_refused("::/0", "a /0 would read every address in the store");
	ip_refused("0.0.0.0-255.255.255.255", "the range would read every address in the store");
	ip_refused("192.0.2.9-192.0.2.1", "the range ends before it starts");
	ip_refused("192.0.2.1-2001:db8::1", "the two ends of the range are not of one family");
	ip_refused("192.0.2.1-", "'' is not an IPv4 or IPv6 address");
	ip_refused("192.0.2.1-x", "'x' is not an IPv4 or IPv6 address");
	ip_refused("x/24", "'x' is not an IPv4 or IPv6 address");
	ip_refused("192.0.2.1-192.0.2.2-192.0.2.3", "'192.0.2.2-192.0.2.3' is not an IPv4 or IPv6 address");
}

static void
test_types_bailiwick(void)
{
	proto_query_init(&q);
	is_int(cli_query_types(&q, "A,NS,MX,TXT,SOA,PTR,SRV,CAA", why, sizeof(why)), 0,
	       "-t with 8 types");
	is_int(q.ntypes, 8, "8 types");
	is_int(cli_query_types(&q, "any", why, sizeof(why)), 0, "-t any");
	is_int(q.ntypes, 0, "any clears the filter");
	is_int(cli_query_types(&q, "TYPE65535", why, sizeof(why)), 0, "-t TYPE65535");
	is_int(q.types[0], 65535, "TYPE65535");
	is_int(cli_query_types(&q, "TYPE65536", why, sizeof(why)), PROTO_EINVAL, "TYPE65536");
	is_int(cli_query_bailiwick(&q, "Example.COM", why, sizeof(why)), 0, "-b Example.COM");
	ok(NAME_IS(q.bailiwick, q.bailiwick_len, "\7example\3com\0"), "bailiwick lowercased");
	is_int(cli_query_bailiwick(&q, "*", why, sizeof(why)), PROTO_EINVAL, "-b * refused");
	is_int(cli_query_bailiwick(&q, "example.*", why, sizeof(why)), PROTO_EINVAL,
	       "-b example.* refused");
	is_int(cli_query_bailiwick(&q, "", why, sizeof(why)), PROTO_EINVAL, "-b '' refused");
	is_str(why, "bailiwick: empty name", "reason");
}

int
main(void)
{
	test_rrset();
	test_rdata_name();
	test_raw();
	test_ip();
	test_types_bailiwick();
	return tap_done();
}
