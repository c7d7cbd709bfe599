/*
 * test_node_export.c - the export filter: every rule with and without its
 * setting, the edges of every special-purpose range, reverse names whole
 * and partial, names inside the rdata, 10,000 internal zones, the time
 * rounding and the sensor pseudonym (against libsodium and fixed vectors
 * from Python's hmac). Ends with a throughput line (a comment, not a test).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "node/node_config.h"
#include "node/node_export.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "tests/unit/tap.h"

#define BASE "[node]\nname = n\nkey-file = /nonexistent/n.key\n[export]\n"

/* A policy from the [export] lines given; bails out when they are wrong. */
static struct node_export *
policy(const char *export_lines)
{
	static char text[NODE_CONFIG_MAX_SIZE];
	struct node_config *cfg = NULL;
	struct node_export *e = NULL;
	int err, n;

	n = snprintf(text, sizeof(text), BASE "%s", export_lines);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    node_config_parse_text("/nonexistent/test.conf", text, (size_t)n, NODE_CONFIG_NO_FILES,
	                           &cfg, node_config_print_error, stdout) != 0) {
		printf("Bail out! the test's config does not parse\n");
		exit(1);
	}
	err = node_export_new(&e, cfg);
	node_config_free(&cfg); /* the policy keeps nothing of the config */
	if (err != 0) {
		printf("Bail out! node_export_new: %s\n", proto_strerror(err));
		exit(1);
	}
	return e;
}

/* The verdict on (name, type, rdata) in section sec, as its name. */
static const char *
verdict_sec(const struct node_export *e, const char *name, uint16_t type, const char *rdata,
            unsigned sec)
{
	uint8_t wire[PROTO_NAME_MAX];
	size_t wlen;
	struct proto_obs o = { 0 };

	if (proto_name_parse(name, strlen(name), wire, &wlen) != 0)
		return "(bad test name)";
	o.name = wire;
	o.name_len = (uint32_t)wlen;
	o.rdata = rdata;
	o.rdata_len = (uint32_t)strlen(rdata);
	o.rrtype = type;
	o.section = (uint8_t)sec;
	o.time_first = o.time_last = 1700000000;
	o.count = 1;
	return node_export_verdict_name(node_export_check(e, &o));
}

#define V(e, name, type, rdata, want)                                                     \
	is_str(verdict_sec(e, name, PROTO_T_##type, rdata, PROTO_SEC_ANSWER), want,         \
	       "%s %s '%s': %s", name, #type, rdata, want)

/* One observation and the verdict it should get. */
struct row {
	const char *name;
	uint16_t type;
	const char *rdata;
	const char *want;
};
#define OK "ok"
#define INTERNAL "internal_zone"
#define SPECIAL "special_name"

static void
check_rows(const struct node_export *e, const struct row *rows, size_t n)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX];

	for (size_t i = 0; i < n; i++)
		is_str(verdict_sec(e, rows[i].name, rows[i].type, rows[i].rdata, PROTO_SEC_ANSWER),
		       rows[i].want, "%s %s '%s': %s", rows[i].name,
		       proto_rrtype_name(rows[i].type, tmp), rows[i].rdata, rows[i].want);
}

/* "1.0.0.0.....ip6.arpa" of the first nibbles of addr (a test's own formatter). */
static const char *
rev6(const char *addr, unsigned nibbles, const char *prefix)
{
	static char out[4][300];
	static int k;
	uint8_t a[16];
	char *o;

	k = (k + 1) % 4;
	o = out[k];
	if (inet_pton(AF_INET6, addr, a) != 1)
		return "(bad test address)";
	o += sprintf(o, "%s", prefix);
	for (unsigned i = nibbles; i-- > 0;)
		o += sprintf(o, "%x.", i % 2 == 0 ? a[i / 2] >> 4 : a[i / 2] & 15);
	sprintf(o, "ip6.arpa");
	return out[k];
}

static void
test_fixed_rules(void)
{
	struct node_export *e = policy("internal-zones = corp.acme.ee\n");

	is_str(verdict_sec(e, "www.google.com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN), "nxdomain",
	       "NXDOMAIN: never shared");
	is_str(verdict_sec(e, "x.corp.acme.ee", PROTO_T_A, "", PROTO_SEC_NXDOMAIN), "nxdomain",
	       "NXDOMAIN comes before internal zones");
	is_str(verdict_sec(e, "www.google.com", PROTO_T_A, "142.250.74.4", PROTO_SEC_AUTHORITY), "ok",
	       "authority section: ok");
	is_str(verdict_sec(e, "ns1.google.com", PROTO_T_A, "216.239.32.10", PROTO_SEC_ADDITIONAL), "ok",
	       "additional section: ok");
	V(e, "www.google.com", A, "142.250.74.4", "ok");
	V(e, "www.google.com", AAAA, "2a00:1450:4001:82a::2004", "ok");
	V(e, ".", NS, "a.root-servers.net", "ok");
	V(e, "com", TXT, "\"v=spf1 -all\"", "ok");
	node_export_free(&e);
	ok(e == NULL, "free NULLs the pointer");
	node_export_free(&e);
	node_export_free(NULL);
	ok(1, "free of NULL is fine");

	/* With every setting off only NXDOMAIN remains. */
	e = policy("suppress-special-use-names = no\nsuppress-special-purpose-addresses = no\n");
	V(e, "printer.local", A, "10.0.0.1", "ok");
	V(e, "1.0.0.10.in-addr.arpa", PTR, "printer.local", "ok");
	is_str(verdict_sec(e, "nope.com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN), "nxdomain",
	       "all off: NXDOMAIN still never shared");
	node_export_free(&e);
}

static void
test_internal_zones(void)
{
	static const struct row rows[] = {
		{ "corp.acme.ee", PROTO_T_SOA,
		  "ns1.acme.ee hostmaster.acme.ee 1 2 3 4 5", INTERNAL },
		{ "a.b.corp.acme.ee", PROTO_T_A, "192.0.2.1", INTERNAL },
		{ "x.lab.acme.ee", PROTO_T_A, "8.8.8.8", INTERNAL },
		{ "notcorp.acme.ee", PROTO_T_A, "8.8.8.8", OK },
		{ "corp-acme.ee", PROTO_T_A, "8.8.8.8", OK },
		{ "acme.ee", PROTO_T_A, "8.8.8.8", OK },
		{ "ee", PROTO_T_NS, "b.tld.ee", OK },
		{ "corp.acme.ee.evil.com", PROTO_T_A, "8.8.8.8", OK },
		{ "corp.acme", PROTO_T_A, "8.8.8.8", OK },
		/* Names inside the rdata. */
		{ "www.acme.ee", PROTO_T_CNAME, "host.corp.acme.ee", INTERNAL },
		{ "www.acme.ee", PROTO_T_CNAME, "corp.acme.ee", INTERNAL },
		{ "www.acme.ee", PROTO_T_CNAME, "host.notcorp.acme.ee", OK },
		{ "www.acme.ee", PROTO_T_CNAME, "a\\.b.corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_DNAME, "corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_NS, "ns1.corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_NS, "ns1.acme.ee", OK },
		{ "4.3.2.1.in-addr.arpa", PROTO_T_PTR, "host.lab.acme.ee", INTERNAL },
		{ "4.3.2.1.in-addr.arpa", PROTO_T_PTR, "host.acme.ee", OK },
		{ "acme.ee", PROTO_T_MX, "10 mx.corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_MX, "10 mx.acme.ee", OK },
		{ "acme.ee", PROTO_T_MX, "0 .", OK },
		{ "acme.ee", PROTO_T_KX, "10 kx.corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_AFSDB, "1 afs.corp.acme.ee", INTERNAL },
		{ "_sip._udp.acme.ee", PROTO_T_SRV, "0 5 5060 sip.corp.acme.ee", INTERNAL },
		{ "_sip._udp.acme.ee", PROTO_T_SRV, "0 5 5060 sip.acme.ee", OK },
		{ "acme.ee", PROTO_T_SOA,
		  "ns1.corp.acme.ee hostmaster.acme.ee 1 2 3 4 5", INTERNAL },
		{ "acme.ee", PROTO_T_SOA,
		  "ns1.acme.ee hostmaster.corp.acme.ee 1 2 3 4 5", INTERNAL },
		{ "acme.ee", PROTO_T_SOA, "ns1.acme.ee hostmaster.acme.ee 1 2 3 4 5", OK },
		{ "acme.ee", PROTO_T_HTTPS, "1 target.corp.acme.ee alpn=h2", INTERNAL },
		{ "acme.ee", PROTO_T_HTTPS, "1 . alpn=h2", OK },
		{ "_dns.acme.ee", PROTO_T_SVCB,
		  "1 doh.lab.acme.ee alpn=h2 dohpath=/q{?dns}", INTERNAL },
		{ "acme.ee", PROTO_T_NAPTR,
		  "100 10 \"u\" \"E2U+sip\" \"\" sip.corp.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_NAPTR, "100 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.acme.ee", OK },
		{ "acme.ee", PROTO_T_RP, "admin.corp.acme.ee txt.acme.ee", INTERNAL },
		{ "acme.ee", PROTO_T_RP, "admin.acme.ee info.lab.acme.ee", INTERNAL },
		{ "b.acme.ee", PROTO_T_NSEC, "corp.acme.ee NS DS RRSIG NSEC", INTERNAL },
		{ "b.acme.ee", PROTO_T_NSEC, "d.acme.ee A RRSIG NSEC", OK },
		{ "www.acme.ee", PROTO_T_RRSIG,
		  "A 13 3 300 20240101000000 20231201000000 12345 corp.acme.ee AAAA", INTERNAL },
		{ "www.acme.ee", PROTO_T_RRSIG,
		  "A 13 3 300 20240101000000 20231201000000 12345 acme.ee AAAA", OK },
		/* Text is not a name. */
		{ "acme.ee", PROTO_T_TXT, "\"host.corp.acme.ee\"", OK },
		/* Internal comes before special, whichever name matched. */
		{ "printer.local", PROTO_T_CNAME, "host.corp.acme.ee", INTERNAL },
		{ "www.acme.ee", PROTO_T_CNAME, "printer.local", SPECIAL },
	};
	struct node_export *e = policy("internal-zones = corp.acme.ee, Lab.Acme.EE.\n");

	check_rows(e, rows, sizeof(rows) / sizeof(rows[0]));
	node_export_free(&e);

	/* A zone equal to a special one, and the brief's own example. */
	e = policy("internal-zones = corp.example\nsuppress-special-use-names = no\n");
	V(e, "corp.example", A, "8.8.8.8", "internal_zone");
	V(e, "www.corp.example", A, "8.8.8.8", "internal_zone");
	V(e, "notcorp.example", A, "8.8.8.8", "ok");
	V(e, "corp.example.com", A, "8.8.8.8", "ok");
	node_export_free(&e);
	e = policy("internal-zones = test\n");
	V(e, "a.test", A, "8.8.8.8", "internal_zone");
	V(e, "a.invalid", A, "8.8.8.8", "special_name");
	node_export_free(&e);
}

/* A policy with the most internal zones a config may hold: z0.big.ee ... */
static struct node_export *
many_zones(void)
{
	static char lines[NODE_CONFIG_MAX_SIZE / 2];
	size_t n = 0;

	for (int i = 0; i < NODE_CONFIG_MAX_ZONES; i++) {
		if (i % 200 == 0) /* lines of at most 4096 bytes */
			n += (size_t)snprintf(lines + n, sizeof(lines) - n, "%sinternal-zones =",
			                      i > 0 ? "\n" : "");
		n += (size_t)snprintf(lines + n, sizeof(lines) - n, " z%d.big.ee", i);
	}
	snprintf(lines + n, sizeof(lines) - n, "\n");
	return policy(lines);
}

static void
test_many_zones(void)
{
	struct node_export *e = many_zones();
	char name[64];
	int hits = 0;

	for (int i = 0; i < NODE_CONFIG_MAX_ZONES; i++) {
		snprintf(name, sizeof(name), "www.z%d.big.ee", i);
		hits += strcmp(verdict_sec(e, name, PROTO_T_A, "8.8.8.8", PROTO_SEC_ANSWER),
		               "internal_zone") == 0;
	}
	is_int(hits, NODE_CONFIG_MAX_ZONES, "10,000 zones: every one matches below it");
	V(e, "z10000.big.ee", A, "8.8.8.8", "ok");
	V(e, "big.ee", A, "8.8.8.8", "ok");
	V(e, "z1.big.ee.z2.big", A, "8.8.8.8", "ok");
	V(e, "printer.local", A, "8.8.8.8", "special_name");
	node_export_free(&e);
}

static void
test_special_names(void)
{
	static const char *const names[] = {
		"local", "localhost", "test", "invalid", "example", "onion", "alt",
		"home.arpa", "resolver.arpa", "service.arpa", "ipv4only.arpa", "6tisch.arpa",
		"internal", "lan", "corp", "home", "private", "intranet", "localdomain",
		"example.com", "example.net", "example.org",
		"0.in-addr.arpa", "10.in-addr.arpa", "127.in-addr.arpa", "254.169.in-addr.arpa",
		"16.172.in-addr.arpa", "23.172.in-addr.arpa", "31.172.in-addr.arpa",
		"168.192.in-addr.arpa", "2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa",
		"113.0.203.in-addr.arpa", "255.255.255.255.in-addr.arpa",
		"64.100.in-addr.arpa", "100.100.in-addr.arpa", "127.100.in-addr.arpa",
		"d.f.ip6.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa",
		"b.e.f.ip6.arpa", "8.b.d.0.1.0.0.2.ip6.arpa",
	};
	static const char *const not_special[] = {
		"mylocal", "local.ee", "localhost.com", "test.com", "notexample.com", "example.co",
		"example.com.ee", "arpa", "in-addr.arpa", "xhome.arpa", "ip6.arpa", "alt.com",
		"15.172.in-addr.arpa", "32.172.in-addr.arpa", "63.100.in-addr.arpa",
		"128.100.in-addr.arpa", "172.in-addr.arpa", "100.in-addr.arpa", "7.e.f.ip6.arpa",
		"c.e.f.ip6.arpa", "9.b.d.0.1.0.0.2.ip6.arpa", "8.8.8.8.in-addr.arpa",
	};
	struct node_export *e = policy("");
	struct node_export *off = policy("suppress-special-use-names = no\n");
	char name[300];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		is_str(verdict_sec(e, names[i], PROTO_T_SOA, "a.b c.d 1 2 3 4 5", PROTO_SEC_AUTHORITY),
		       "special_name", "%s: special", names[i]);
		snprintf(name, sizeof(name), "a.b.%s", names[i]);
		is_str(verdict_sec(e, name, PROTO_T_TXT, "\"x\"", PROTO_SEC_ANSWER), "special_name",
		       "%s: special", name);
	}
	for (size_t i = 0; i < sizeof(not_special) / sizeof(not_special[0]); i++) {
		snprintf(name, sizeof(name), "a.%s", not_special[i]);
		is_str(verdict_sec(e, name, PROTO_T_TXT, "\"x\"", PROTO_SEC_ANSWER), "ok",
		       "%s: not special", name);
	}
	V(e, rev6("::", 32, ""), PTR, "x.com", "special_name");
	V(e, rev6("::1", 32, ""), PTR, "localhost", "special_name");
	V(e, rev6("::2", 32, ""), PTR, "x.com", "ok");
	/* A reverse name under an AS112 zone is a special name first. */
	V(e, "1.0.0.10.in-addr.arpa", PTR, "x.com", "special_name");

	/* Names in the rdata. */
	V(e, "www.acme.ee", CNAME, "printer.local", "special_name");
	V(e, "acme.ee", MX, "10 mail.example.com", "special_name");
	V(e, "acme.ee", MX, "10 mail.example.com.ee", "ok");
	V(e, "_x._tcp.acme.ee", SRV, "0 0 80 web.home.arpa", "special_name");
	V(e, "acme.ee", SOA, "ns.acme.ee hostmaster.localhost 1 2 3 4 5", "special_name");
	V(e, "acme.ee", HTTPS, "1 cdn.test", "special_name");
	V(e, "acme.ee", NAPTR, "1 1 \"a\" \"b\" \"\" srv.onion", "special_name");

	/* Turned off: the names pass, their addresses are still judged. */
	V(off, "www.example.com", A, "93.184.215.14", "ok");
	V(off, "printer.local", A, "8.8.8.8", "ok");
	V(off, "www.acme.ee", CNAME, "printer.local", "ok");
	V(off, "printer.local", A, "192.168.1.20", "special_address");
	V(off, "10.in-addr.arpa", SOA, "a.b c.d 1 2 3 4 5", "special_ptr");
	node_export_free(&e);
	node_export_free(&off);
}

struct addr_case {
	const char *addr;
	const char *want;
};

static void
test_addresses(void)
{
	static const struct addr_case v4[] = {
		{ "0.0.0.0", "special_address" }, { "0.255.255.255", "special_address" },
		{ "1.0.0.0", "ok" },
		{ "9.255.255.255", "ok" }, { "10.0.0.0", "special_address" },
		{ "10.255.255.255", "special_address" }, { "11.0.0.0", "ok" },
		{ "100.63.255.255", "ok" }, { "100.64.0.0", "special_address" },
		{ "100.127.255.255", "special_address" }, { "100.128.0.0", "ok" },
		{ "126.255.255.255", "ok" }, { "127.0.0.0", "special_address" },
		{ "127.0.0.1", "special_address" },
		{ "127.255.255.255", "special_address" }, { "128.0.0.0", "ok" },
		{ "169.253.255.255", "ok" }, { "169.254.0.0", "special_address" },
		{ "169.254.255.255", "special_address" }, { "169.255.0.0", "ok" },
		{ "172.15.255.255", "ok" }, { "172.16.0.0", "special_address" },
		{ "172.31.255.255", "special_address" }, { "172.32.0.0", "ok" },
		{ "191.255.255.255", "ok" }, { "192.0.0.0", "special_address" },
		{ "192.0.0.255", "special_address" }, { "192.0.1.0", "ok" },
		{ "192.0.1.255", "ok" }, { "192.0.2.0", "special_address" },
		{ "192.0.2.255", "special_address" }, { "192.0.3.0", "ok" },
		{ "192.88.98.255", "ok" }, { "192.88.99.0", "special_address" },
		{ "192.88.99.255", "special_address" }, { "192.88.100.0", "ok" },
		{ "192.167.255.255", "ok" }, { "192.168.0.0", "special_address" },
		{ "192.168.255.255", "special_address" }, { "192.169.0.0", "ok" },
		{ "198.17.255.255", "ok" }, { "198.18.0.0", "special_address" },
		{ "198.19.255.255", "special_address" }, { "198.20.0.0", "ok" },
		{ "198.51.99.255", "ok" }, { "198.51.100.0", "special_address" },
		{ "198.51.100.255", "special_address" }, { "198.51.101.0", "ok" },
		{ "203.0.112.255", "ok" }, { "203.0.113.0", "special_address" },
		{ "203.0.113.255", "special_address" }, { "203.0.114.0", "ok" },
		{ "223.255.255.255", "ok" }, { "224.0.0.0", "special_address" },
		{ "239.255.255.255", "special_address" }, { "240.0.0.0", "special_address" },
		{ "255.255.255.255", "special_address" },
		{ "8.8.8.8", "ok" }, { "1.1.1.1", "ok" },
		/* Not an address: nothing to judge. */
		{ "10.0.0", "ok" }, { "10.0.0.1.5", "ok" }, { "10.0.0.256", "ok" }, { "", "ok" },
	};
	static const struct addr_case v6[] = {
		{ "::", "special_address" }, { "::1", "special_address" }, { "::2", "ok" },
		{ "::ffff:10.0.0.1", "special_address" }, { "::ffff:0.0.0.0", "special_address" },
		{ "::ffff:100.64.0.0", "special_address" }, { "::ffff:100.63.255.255", "ok" },
		{ "::ffff:100.128.0.0", "ok" }, { "::ffff:8.8.8.8", "ok" },
		{ "::ffff:192.168.255.255", "special_address" }, { "::fffe:10.0.0.1", "ok" },
		{ "64:ff9b::808:808", "ok" }, { "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "64:ff9b:1::", "special_address" },
		{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "64:ff9b:2::", "ok" }, { "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "100::", "special_address" }, { "100::ffff:ffff:ffff:ffff", "special_address" },
		{ "100:0:0:1::", "ok" }, { "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "2001:2::", "special_address" },
		{ "2001:2:0:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "2001:2:1::", "ok" }, { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "2001:db8::", "special_address" },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "2001:db9::", "ok" }, { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "fc00::", "special_address" },
		{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "fe00::", "ok" }, { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "fe80::", "special_address" },
		{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "fec0::", "ok" }, { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ok" },
		{ "ff00::", "special_address" }, { "ff02::1", "special_address" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "special_address" },
		{ "2a00:1450:4001:82a::200e", "ok" }, { "2606:4700::1111", "ok" },
		{ "not-an-address", "ok" }, { "", "ok" },
	};
	struct node_export *e = policy("");
	struct node_export *off = policy("suppress-special-purpose-addresses = no\n");

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		V(e, "h.acme.ee", A, v4[i].addr, v4[i].want);
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		V(e, "h.acme.ee", AAAA, v6[i].addr, v6[i].want);
	/* Only A and AAAA rdata are addresses. */
	V(e, "h.acme.ee", TXT, "10.0.0.1", "ok");
	V(e, "h.acme.ee", A, "2001:db8::1", "ok");
	V(e, "h.acme.ee", AAAA, "10.0.0.1", "ok");
	V(off, "h.acme.ee", A, "10.0.0.1", "ok");
	V(off, "h.acme.ee", AAAA, "fe80::1", "ok");
	V(off, "1.0.0.10.in-addr.arpa", PTR, "h.acme.ee", "special_name");
	node_export_free(&e);
	node_export_free(&off);
}

static void
test_reverse_names(void)
{
	static const struct addr_case v4[] = {
		{ "1.0.0.10.in-addr.arpa", "special_ptr" }, { "10.in-addr.arpa", "special_ptr" },
		{ "0.0.10.in-addr.arpa", "special_ptr" }, { "in-addr.arpa", "ok" },
		{ "9.in-addr.arpa", "ok" }, { "11.in-addr.arpa", "ok" },
		{ "100.in-addr.arpa", "ok" }, { "63.100.in-addr.arpa", "ok" },
		{ "64.100.in-addr.arpa", "special_ptr" }, { "127.100.in-addr.arpa", "special_ptr" },
		{ "128.100.in-addr.arpa", "ok" }, { "255.255.127.100.in-addr.arpa", "special_ptr" },
		{ "0.0.128.100.in-addr.arpa", "ok" }, { "172.in-addr.arpa", "ok" },
		{ "15.172.in-addr.arpa", "ok" }, { "16.172.in-addr.arpa", "special_ptr" },
		{ "31.172.in-addr.arpa", "special_ptr" }, { "32.172.in-addr.arpa", "ok" },
		{ "192.in-addr.arpa", "ok" }, { "0.192.in-addr.arpa", "ok" },
		{ "1.0.192.in-addr.arpa", "ok" }, { "2.0.192.in-addr.arpa", "special_ptr" },
		{ "3.0.192.in-addr.arpa", "ok" }, { "0.0.192.in-addr.arpa", "special_ptr" },
		{ "99.88.192.in-addr.arpa", "special_ptr" }, { "98.88.192.in-addr.arpa", "ok" },
		{ "17.198.in-addr.arpa", "ok" }, { "18.198.in-addr.arpa", "special_ptr" },
		{ "19.198.in-addr.arpa", "special_ptr" }, { "20.198.in-addr.arpa", "ok" },
		{ "198.in-addr.arpa", "ok" }, { "223.in-addr.arpa", "ok" },
		{ "224.in-addr.arpa", "special_ptr" }, { "239.in-addr.arpa", "special_ptr" },
		{ "240.in-addr.arpa", "special_ptr" }, { "255.in-addr.arpa", "special_ptr" },
		{ "0.in-addr.arpa", "special_ptr" }, { "1.in-addr.arpa", "ok" },
		{ "254.169.in-addr.arpa", "special_ptr" }, { "253.169.in-addr.arpa", "ok" },
		{ "8.8.8.8.in-addr.arpa", "ok" }, { "1.1.1.1.in-addr.arpa", "ok" },
		/* Malformed labels are no address; what lies under a reverse name
		 * of a range is inside it (RFC 2317 classless names included). */
		{ "256.in-addr.arpa", "ok" }, { "010.in-addr.arpa", "ok" },
		{ "a.in-addr.arpa", "ok" }, { "-1.in-addr.arpa", "ok" }, { "1000.in-addr.arpa", "ok" },
		{ "x.1.168.192.in-addr.arpa", "special_ptr" },
		{ "256.168.192.in-addr.arpa", "special_ptr" },
		{ "5.0/25.2.0.192.in-addr.arpa", "special_ptr" },
		{ "5.0/25.2.0.193.in-addr.arpa", "ok" },
		{ "1.1.0.0.10.in-addr.arpa", "special_ptr" }, { "10.1.1.1.1.in-addr.arpa", "ok" },
		{ "10.in-addr.arpa.com", "ok" }, { "10.xin-addr.arpa", "ok" },
		{ "10.in-addr.arpa.arpa", "ok" }, { "10.ip6.arpa", "ok" },
	};
	/* IPv6, whole and partial: names, then the reverse names of addresses. */
	static const struct addr_case v6[] = {
		{ "8.b.d.0.1.0.0.2.ip6.arpa", "special_ptr" }, { "b.d.0.1.0.0.2.ip6.arpa", "ok" },
		{ "9.b.d.0.1.0.0.2.ip6.arpa", "ok" }, { "8.e.f.ip6.arpa", "special_ptr" },
		{ "b.e.f.ip6.arpa", "special_ptr" }, { "c.e.f.ip6.arpa", "ok" },
		{ "7.e.f.ip6.arpa", "ok" }, { "e.f.ip6.arpa", "ok" },
		{ "c.f.ip6.arpa", "special_ptr" }, { "d.f.ip6.arpa", "special_ptr" },
		{ "b.f.ip6.arpa", "ok" }, { "f.f.ip6.arpa", "special_ptr" },
		{ "f.ip6.arpa", "ok" }, { "ip6.arpa", "ok" }, { "g.f.ip6.arpa", "ok" },
		{ "x.8.e.f.ip6.arpa", "special_ptr" }, { "ab.8.e.f.ip6.arpa", "special_ptr" },
		{ "8.E.F.ip6.arpa", "special_ptr" },
	};
	static const struct {
		const char *addr;
		unsigned nibbles;
		const char *prefix;
		const char *want;
	} v6_addr[] = {
		{ "fe80::1", 32, "", "special_ptr" },
		{ "::1", 32, "", "special_ptr" },
		{ "::", 32, "", "special_ptr" },
		{ "::", 31, "", "ok" },
		{ "::2", 32, "", "ok" },
		{ "2a00:1450:4001:82a::200e", 32, "", "ok" },
		{ "2001:db8::1", 32, "", "special_ptr" },
		{ "64:ff9b:1::", 12, "", "special_ptr" },
		{ "64:ff9b:1::", 11, "", "ok" },
		{ "100::", 16, "", "special_ptr" },
		{ "100::", 15, "", "ok" },
		/* IPv4-mapped: judged by the IPv4 prefix. */
		{ "::ffff:10.0.0.1", 32, "", "special_ptr" },
		{ "::ffff:8.8.8.8", 32, "", "ok" },
		{ "::ffff:0:0", 24, "", "ok" },
		{ "::ffff:10.0.0.0", 26, "", "special_ptr" },
		{ "::ffff:100.0.0.0", 26, "", "ok" },
		{ "::ffff:100.48.0.0", 27, "", "ok" },          /* 100.48/12 */
		{ "::ffff:100.64.0.0", 27, "", "special_ptr" }, /* 100.64/12 */
		{ "::ffff:100.128.0.0", 28, "", "ok" },         /* 100.128/16 */
		/* More than 32 nibbles: under the /128. */
		{ "::1", 32, "0.", "special_ptr" },
		{ "2606:4700::1111", 32, "0.", "ok" },
	};
	struct node_export *e = policy("suppress-special-use-names = no\n");
	char name[300];

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		V(e, v4[i].addr, PTR, "h.acme.ee", v4[i].want);
	/* Any type at a reverse name. */
	V(e, "1.0.0.10.in-addr.arpa", CNAME, "1.0/26.0.0.10.in-addr.arpa", "special_ptr");
	V(e, "10.in-addr.arpa", SOA, "ns.acme.ee h.acme.ee 1 2 3 4 5", "special_ptr");
	V(e, "10.in-addr.arpa", NS, "ns.acme.ee", "special_ptr");

	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		V(e, v6[i].addr, NS, "ns.acme.ee", v6[i].want);
	for (size_t i = 0; i < sizeof(v6_addr) / sizeof(v6_addr[0]); i++)
		V(e, rev6(v6_addr[i].addr, v6_addr[i].nibbles, v6_addr[i].prefix), PTR, "h.acme.ee",
		  v6_addr[i].want);
	snprintf(name, sizeof(name), "%s", rev6("fe80::", 32, "_x._tcp."));
	V(e, name, SRV, "0 0 1 h.acme.ee", "special_ptr");
	node_export_free(&e);
}

static void
test_malformed(void)
{
	struct node_export *e = policy("internal-zones = corp.acme.ee\n");
	static const uint8_t bad1[] = { 4, 'c', 'o', 'r', 'p' };           /* no root */
	static const uint8_t bad2[] = { 9, 'c', 'o', 'r', 'p', 0 };        /* past the end */
	static const uint8_t bad3[] = { 0x41, 'x', 0 };                    /* label type */
	static const uint8_t bad4[] = { 3, 'a', 'r', 'p', 'a', 0 };        /* short */
	static const uint8_t bad5[] = { 4, 'c', 'o', 'r', 'p', 0, 0 };     /* root twice */
	const uint8_t *bad[] = { bad1, bad2, bad3, bad4, bad5, bad1 };
	const uint32_t lens[] = { sizeof(bad1), sizeof(bad2), sizeof(bad3), sizeof(bad4),
	                          sizeof(bad5), 0 };
	struct proto_obs o = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.name = bad[i];
		o.name_len = lens[i];
		o.rrtype = PROTO_T_PTR;
		o.rdata = "x";
		o.rdata_len = 1;
		o.section = PROTO_SEC_ANSWER;
		is_str(node_export_verdict_name(node_export_check(e, &o)), "ok",
		       "malformed wire name %zu: judged as no name, no crash", i + 1);
	}
	/* rdata that is not NUL-terminated: only rdata_len counts. */
	static const char mx[] = "10 mx.corp.acme.eeXXXX";
	uint8_t wire[PROTO_NAME_MAX];
	size_t wlen;
	proto_name_parse("acme.ee", 7, wire, &wlen);
	o.name = wire;
	o.name_len = (uint32_t)wlen;
	o.rrtype = PROTO_T_MX;
	o.rdata = mx;
	o.rdata_len = 18;
	is_str(node_export_verdict_name(node_export_check(e, &o)), "internal_zone",
	       "rdata_len bounds the rdata (MX)");
	o.rdata_len = 17;
	is_str(node_export_verdict_name(node_export_check(e, &o)), "ok",
	       "rdata_len bounds the rdata (MX, cut)");
	static const char a[] = "10.0.0.19";
	o.rrtype = PROTO_T_A;
	o.rdata = a;
	o.rdata_len = 8;
	is_str(node_export_verdict_name(node_export_check(e, &o)), "special_address",
	       "rdata_len bounds the rdata (A)");
	o.rdata = NULL;
	o.rdata_len = 0;
	is_str(node_export_verdict_name(node_export_check(e, &o)), "ok", "NULL rdata: ok");
	o.rrtype = PROTO_T_CNAME;
	is_str(node_export_verdict_name(node_export_check(e, &o)), "ok", "NULL rdata CNAME: ok");
	node_export_free(&e);
}

static void
test_new_errors(void)
{
	struct node_config cfg = { 0 };
	struct node_export *e = (struct node_export *)&cfg;
	char *bad_zone[] = { "a..b" };
	char *root_zone[] = { "." };

	is_int(node_export_new(&e, NULL), PROTO_EINVAL, "new: NULL config");
	ok(e == NULL, "new: NULL on error");
	cfg.export.internal_zones.v = bad_zone;
	cfg.export.internal_zones.n = 1;
	is_int(node_export_new(&e, &cfg), PROTO_EINVAL, "new: a zone that is not a name");
	ok(e == NULL, "new: NULL on error (zone)");
	cfg.export.internal_zones.v = root_zone;
	is_int(node_export_new(&e, &cfg), PROTO_EINVAL, "new: the root as a zone");
	cfg.export.internal_zones.n = 0;
	is_int(node_export_new(&e, &cfg), 0, "new: an empty export section");
	V(e, "printer.local", A, "10.0.0.1", "ok");
	node_export_free(&e);
}

static void
times(const struct node_export *e, int64_t first, int64_t last, int64_t wf, int64_t wl)
{
	int64_t f = first, l = last;

	node_export_times(e, &f, &l);
	ok(f == wf && l == wl, "times %lld..%lld -> %lld..%lld", (long long)first, (long long)last,
	   (long long)wf, (long long)wl);
	if (f != wf || l != wl)
		printf("#   got %lld..%lld\n", (long long)f, (long long)l);
}

static void
test_times_and_thresholds(void)
{
	struct node_export *exact = policy("");
	struct node_export *hour = policy("time-granularity = 1h\nmin-count = 5\n");
	struct node_export *day = policy("time-granularity = 1d\n");
	struct node_export *sec = policy("time-granularity = 1s\n");
	int64_t f = 7199;

	times(exact, 7199, 3601, 7199, 3601);
	times(exact, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX);
	times(sec, 7199, 7201, 7199, 7201);
	times(hour, 7199, 3601, 3600, 7200);
	times(hour, 3600, 7200, 3600, 7200);
	times(hour, 0, 0, 0, 0);
	times(hour, 1, 1, 0, 3600);
	times(hour, 3599, 3599, 0, 3600);
	times(hour, 1700000000, 1700000001, 1699999200, 1700002800);
	times(hour, -1, -1, -3600, 0);
	times(hour, -3601, -3599, -7200, 0);
	times(hour, INT64_MAX, INT64_MAX, INT64_MAX - INT64_MAX % 3600 - 3600 * 0,
	      INT64_MAX - INT64_MAX % 3600);
	times(hour, INT64_MIN, INT64_MIN, INT64_MIN / 3600 * 3600, INT64_MIN / 3600 * 3600);
	times(day, 86399, 86401, 0, 172800);
	times(day, 1700000000, 1700000000, 1699920000, 1700006400);
	node_export_times(hour, &f, NULL);
	is_int(f, 3600, "times: last may be NULL");
	f = 3601;
	node_export_times(hour, NULL, &f);
	is_int(f, 7200, "times: first may be NULL");

	is_int(node_export_min_count(exact), 1, "min-count: default 1");
	is_int(node_export_min_count(hour), 5, "min-count: 5 as configured");
	is_int(node_export_min_days(exact), 1, "min-days: default 1");
	node_export_free(&exact);
	node_export_free(&hour);
	node_export_free(&day);
	node_export_free(&sec);
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void
test_pseudonym(void)
{
	uint8_t k32[32], k40[40], k100[100], a[NODE_EXPORT_PSEUDONYM_LEN],
	        b[NODE_EXPORT_PSEUDONYM_LEN], mac[crypto_auth_hmacsha256_BYTES];
	char ha[2 * NODE_EXPORT_PSEUDONYM_LEN + 1], hb[2 * NODE_EXPORT_PSEUDONYM_LEN + 1];

	for (size_t i = 0; i < sizeof(k32); i++)
		k32[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof(k40); i++)
		k40[i] = (uint8_t)i;
	memset(k100, 0xaa, sizeof(k100));

	is_int(NODE_EXPORT_PSEUDONYM_LEN, 8, "pseudonym: 8 octets (16 hex digits)");
	node_export_pseudonym(k32, sizeof(k32), "resolver-dmz", a);
	node_export_pseudonym(k32, sizeof(k32), "resolver-dmz", b);
	ok(memcmp(a, b, sizeof(a)) == 0, "pseudonym: deterministic");
	crypto_auth_hmacsha256(mac, (const uint8_t *)"resolver-dmz", 12, k32);
	ok(memcmp(a, mac, sizeof(a)) == 0, "pseudonym: libsodium's crypto_auth_hmacsha256, truncated");
	node_export_pseudonym(k32, sizeof(k32), "resolver-dmy", b);
	ok(memcmp(a, b, sizeof(a)) != 0, "pseudonym: differs by name");
	k32[31] ^= 1;
	node_export_pseudonym(k32, sizeof(k32), "resolver-dmz", b);
	ok(memcmp(a, b, sizeof(a)) != 0, "pseudonym: differs by secret");
	node_export_pseudonym(k32, 31, "resolver-dmz", a);
	ok(memcmp(a, b, sizeof(a)) != 0, "pseudonym: differs by secret length");

	/* Vectors from Python: hmac.new(key, name, hashlib.sha256).hexdigest()[:16]. */
	node_export_pseudonym(k40, sizeof(k40), "resolver-dmz", a);
	hex(a, sizeof(a), ha);
	is_str(ha, "b614da5ea5b4be22", "pseudonym: bytes(range(40)), 'resolver-dmz'");
	node_export_pseudonym(k100, sizeof(k100), "s1", b);
	hex(b, sizeof(b), hb);
	is_str(hb, "442ee82b4ab2202d", "pseudonym: 100 x 0xaa (a key longer than a block), 's1'");
}

static void
test_verdict_names(void)
{
	static const char *const want[] = { "ok", "nxdomain", "internal_zone", "special_name",
		                            "special_address", "special_ptr" };

	is_int(NODE_EXPORT_VERDICTS, 6, "six verdicts");
	for (int v = 0; v < NODE_EXPORT_VERDICTS; v++)
		is_str(node_export_verdict_name((enum node_export_verdict)v), want[v],
		       "verdict %d is '%s'", v, want[v]);
	is_str(node_export_verdict_name(NODE_EXPORT_VERDICTS), "unknown", "out of range: unknown");
	is_str(node_export_verdict_name((enum node_export_verdict)-1), "unknown", "negative: unknown");
}

/* Rows per second over a mixed set; printed, not asserted. */
static void
throughput(const struct node_export *e, const char *what)
{
	static const struct {
		const char *name;
		uint16_t type;
		const char *rdata;
	} rows[] = {
		{ "www.google.com", PROTO_T_A, "142.250.74.4" },
		{ "www.google.com", PROTO_T_AAAA, "2a00:1450:4001:82a::2004" },
		{ "mail.acme.ee", PROTO_T_A, "10.1.2.3" },
		{ "host.z7.big.ee", PROTO_T_A, "8.8.4.4" },
		{ "cdn.example.org", PROTO_T_CNAME, "edge.cdn-provider.net" },
		{ "www.acme.ee", PROTO_T_CNAME, "web.z9999.big.ee" },
		{ "acme.ee", PROTO_T_MX, "10 mx1.mailhost.com" },
		{ "acme.ee", PROTO_T_SOA, "ns1.acme.ee hostmaster.acme.ee 2024010101 7200 3600 1209600 300" },
		{ "4.3.2.1.in-addr.arpa", PROTO_T_PTR, "host.isp.net" },
		{ "20.1.168.192.in-addr.arpa", PROTO_T_PTR, "printer.lan" },
		{ "_sip._tcp.acme.ee", PROTO_T_SRV, "0 5 5060 sip.acme.ee" },
		{ "a1b2c3d4e5f6.telemetry.some-vendor.com", PROTO_T_A, "52.1.2.3" },
		{ "router.local", PROTO_T_A, "192.168.1.1" },
		{ "acme.ee", PROTO_T_TXT, "\"v=spf1 include:_spf.google.com ~all\"" },
		{ "acme.ee", PROTO_T_HTTPS, "1 . alpn=h2,h3" },
		{ "fe80-host.acme.ee", PROTO_T_AAAA, "fe80::1" },
	};
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	static uint8_t wire[N][PROTO_NAME_MAX];
	struct proto_obs o[N];
	struct timespec t0, t1;
	unsigned long long done = 0, sum = 0;
	double secs;

	memset(o, 0, sizeof(o));
	for (int i = 0; i < N; i++) {
		size_t wlen;
		proto_name_parse(rows[i].name, strlen(rows[i].name), wire[i], &wlen);
		o[i].name = wire[i];
		o[i].name_len = (uint32_t)wlen;
		o[i].rdata = rows[i].rdata;
		o[i].rdata_len = (uint32_t)strlen(rows[i].rdata);
		o[i].rrtype = rows[i].type;
		o[i].section = PROTO_SEC_ANSWER;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int r = 0; r < 1000; r++)
			for (int i = 0; i < N; i++)
				sum += (unsigned)node_export_check(e, &o[i]);
		done += 1000 * N;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (secs < 0.5);
	printf("# throughput (%s): %.0f rows/s over a mixed set of %d rows (%llu checks, sum %llu)\n",
	       what, (double)done / secs, N, done, sum);
}

int
main(void)
{
	test_fixed_rules();
	test_internal_zones();
	test_many_zones();
	test_special_names();
	test_addresses();
	test_reverse_names();
	test_malformed();
	test_new_errors();
	test_times_and_thresholds();
	test_pseudonym();
	test_verdict_names();

	struct node_export *e = policy("internal-zones = corp.acme.ee\n");
	throughput(e, "defaults, 1 internal zone");
	node_export_free(&e);
	e = many_zones();
	throughput(e, "defaults, 10,000 internal zones");
	node_export_free(&e);
	return tap_done();
}
