/*
 * test_prov.c - provider response parsers (cli/prov*.c): the example bodies
 * of doc providers.md / http-compat.md give exactly the observations they
 * describe, every field checked; error and quota forms, truncated and
 * malformed bodies, deep nesting, huge numbers, bad escapes and names that
 * are not DNS names are refused with a reason and no crash.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

#define MAXROWS 16

struct row {
	char name[PROTO_NAME_TEXT_MAX], bw[PROTO_NAME_TEXT_MAX];
	char rdata[PROV_RDATA_MAX];
	uint16_t rrtype;
	uint8_t section;
	int64_t first, last;
	uint64_t count;
	int has_bw;
};

static struct row rows[MAXROWS];
static unsigned nrows;

static int
collect(const struct proto_obs *o, void *arg)
{
	struct row *r;
	struct proto_buf b;

	(void)arg;
	if (nrows == MAXROWS)
		return PROTO_ESPACE;
	r = &rows[nrows++];
	memset(r, 0, sizeof *r);
	proto_buf_init(&b, r->name, sizeof r->name);
	proto_name_format(o->name, o->name_len, &b);
	if (o->bailiwick) {
		r->has_bw = 1;
		proto_buf_init(&b, r->bw, sizeof r->bw);
		proto_name_format(o->bailiwick, o->bailiwick_len, &b);
	}
	memcpy(r->rdata, o->rdata, o->rdata_len);
	r->rdata[o->rdata_len] = '\0';
	r->rrtype = o->rrtype;
	r->section = o->section;
	r->first = o->time_first;
	r->last = o->time_last;
	r->count = o->count;
	return 0;
}

static int
run(prov_parse_fn f, const char *body, struct prov_page *page, char *why)
{
	nrows = 0;
	why[0] = '\0';
	return f(body, strlen(body), collect, NULL, page, why, 256);
}

static void
check_row(unsigned i, const char *name, uint16_t type, const char *rdata,
          const char *bw, int64_t first, int64_t last, uint64_t count)
{
	const struct row *r = &rows[i];
	is_str(r->name, name, "row %u rrname", i);
	is_int(r->rrtype, type, "row %u rrtype", i);
	is_str(r->rdata, rdata, "row %u rdata", i);
	if (bw)
		is_str(r->has_bw ? r->bw : NULL, bw, "row %u bailiwick", i);
	else
		ok(!r->has_bw, "row %u no bailiwick", i);
	is_int(r->section, PROTO_SEC_ANSWER, "row %u section", i);
	is_int(r->first, first, "row %u time_first", i);
	is_int(r->last, last, "row %u time_last", i);
	is_int(r->count, count, "row %u count", i);
}

/* http-compat.md 2.1, the SAF example. */
static const char dnsdb_saf[] =
	"{\"cond\":\"begin\"}\n"
	"{\"obj\":{\"count\":5215640,\"time_first\":1277353926,\"time_last\":1364835122,\"rrname\":\"www.example.com.\",\"rrtype\":\"A\",\"bailiwick\":\"example.com.\",\"rdata\":[\"93.184.216.34\"]}}\n"
	"{\"obj\":{\"count\":452,\"zone_time_first\":1358889033,\"zone_time_last\":1358899917,\"rrname\":\"www.example.com.\",\"rrtype\":\"A\",\"bailiwick\":\"example.com.\",\"rdata\":[\"93.184.216.34\",\"93.184.216.35\"]}}\n"
	"{\"cond\":\"succeeded\"}\n";

static void
test_dnsdb(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	rc = run(prov_dnsdb_parse, dnsdb_saf, &pg, why);
	is_int(rc, 0, "dnsdb SAF example parses (%s)", why);
	is_int(nrows, 3, "dnsdb: one row per rdata");
	is_int(pg.rows, 3, "dnsdb: page rows");
	ok(!pg.limited && pg.cursor[0] == '\0' && pg.offset == -1 && pg.total == -1,
	   "dnsdb: no paging");
	check_row(0, "www.example.com", PROTO_T_A, "93.184.216.34", "example.com",
	          1277353926, 1364835122, 5215640);
	check_row(1, "www.example.com", PROTO_T_A, "93.184.216.34", "example.com",
	          1358889033, 1358899917, 452);
	check_row(2, "www.example.com", PROTO_T_A, "93.184.216.35", "example.com",
	          1358889033, 1358899917, 452);

	rc = run(prov_dnsdb_parse,
	         "{\"cond\":\"begin\"}\n{\"obj\":{\"count\":1,\"time_first\":1,\"time_last\":2,"
	         "\"rrname\":\"a.example.\",\"rrtype\":\"CNAME\",\"rdata\":[\"B.Example.NET.\"]}}\n"
	         "{\"cond\":\"limited\",\"msg\":\"Result limit reached\"}\n", &pg, why);
	is_int(rc, 0, "dnsdb limited (%s)", why);
	ok(pg.limited, "dnsdb limited sets page.limited");
	check_row(0, "a.example", PROTO_T_CNAME, "b.example.net", NULL, 1, 2, 1);

	rc = run(prov_dnsdb_parse, "{\"cond\":\"begin\"}\n{\"cond\":\"succeeded\"}\n", &pg, why);
	ok(rc == 0 && nrows == 0, "dnsdb empty answer");

	/* v1: bare COF lines (the docs' example). */
	rc = run(prov_dnsdb_parse,
	         "{\"count\":271,\"time_first\":1578076118,\"time_last\":1580765117,\"rrname\":\"fsi.io.\",\"rrtype\":\"A\",\"bailiwick\":\"fsi.io.\",\"rdata\":[\"104.244.14.108\"]}\n",
	         &pg, why);
	is_int(rc, 0, "dnsdb v1 line (%s)", why);
	is_int(nrows, 1, "dnsdb v1 one row");
	check_row(0, "fsi.io", PROTO_T_A, "104.244.14.108", "fsi.io", 1578076118,
	          1580765117, 271);

	rc = run(prov_dnsdb_parse, "{\"cond\":\"begin\"}\n{\"obj\":{\"count\":1,\"time_first\":1,"
	         "\"time_last\":2,\"rrname\":\"a.example.\",\"rrtype\":\"A\",\"rdata\":[\"192.0.2.1\"]}}\n",
	         &pg, why);
	ok(rc == PROTO_ETRUNC && nrows == 1 && strstr(why, "terminator"),
	   "dnsdb missing terminator refused after its rows: %s", why);
	rc = run(prov_dnsdb_parse, "{\"cond\":\"begin\"}\n{\"cond\":\"failed\",\"msg\":\"Query timeout\"}\n",
	         &pg, why);
	ok(rc == PROTO_EIO && strstr(why, "Query timeout"), "dnsdb failed: %s", why);
	rc = run(prov_dnsdb_parse, "{\"obj\":{}}\n{\"cond\":\"succeeded\"}\n", &pg, why);
	ok(rc == PROTO_EFORMAT && strstr(why, "begin"), "dnsdb no begin: %s", why);
	rc = run(prov_dnsdb_parse, "Error: no results found for query.\n", &pg, why);
	ok(rc == PROTO_EIO && strstr(why, "no results"), "dnsdb v1 error text: %s", why);
	rc = run(prov_dnsdb_parse, "{\"cond\":\"begin\"}\n{\"cond\":\"succeeded\"}\n{\"cond\":\"begin\"}\n",
	         &pg, why);
	ok(rc == PROTO_EFORMAT, "dnsdb line after terminator: %s", why);
}

static void
test_circl(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	/* http-compat.md, CIRCL mode: the accepted response line. */
	rc = run(prov_circl_parse,
	         "{\"count\":120,\"origin\":\"...\",\"time_first\":1697408000,\"time_last\":1699996400,\"rrtype\":\"A\",\"rrname\":\"www.example.com\",\"rdata\":\"192.0.2.10\"}\n"
	         "\n"
	         "{\"count\":3,\"time_first\":10,\"time_last\":20,\"rrtype\":\"AAAA\",\"rrname\":\"v6.example.com\",\"rdata\":\"2001:DB8:0:0::10\",\"sensor_id\":\"x\"}",
	         &pg, why);
	is_int(rc, 0, "circl parses (%s)", why);
	is_int(nrows, 2, "circl two rows");
	check_row(0, "www.example.com", PROTO_T_A, "192.0.2.10", NULL, 1697408000,
	          1699996400, 120);
	check_row(1, "v6.example.com", PROTO_T_AAAA, "2001:db8::10", NULL, 10, 20, 3);
	ok(pg.cursor[0] == '\0' && pg.offset == -1 && !pg.limited, "circl no paging");
	rc = run(prov_circl_parse, "", &pg, why);
	ok(rc == 0 && nrows == 0, "circl empty body is no rows");
}

/* providers.md 2.7 */
static const char vt_body[] =
	"{\"meta\":{\"count\":37,\"cursor\":\"eyJsaW1pdCI6IDEwLCAib2Zmc2V0IjogMTB9\"},\n"
	" \"data\":[{\"type\":\"resolution\",\"id\":\"93.184.216.34example.com\",\n"
	"          \"attributes\":{\"date\":1599471348,\"host_name\":\"example.com\",\n"
	"            \"host_name_last_analysis_stats\":{\"harmless\":77,\"malicious\":0,\"suspicious\":0,\"undetected\":8,\"timeout\":0},\n"
	"            \"ip_address\":\"93.184.216.34\",\n"
	"            \"ip_address_last_analysis_stats\":{\"harmless\":80,\"malicious\":0,\"suspicious\":0,\"undetected\":6,\"timeout\":0},\n"
	"            \"resolver\":\"VirusTotal\"},\n"
	"          \"links\":{\"self\":\"https://www.virustotal.com/api/v3/resolutions/93.184.216.34example.com\"}}],\n"
	" \"links\":{\"self\":\"https://www.virustotal.com/api/v3/domains/example.com/resolutions?limit=10\",\n"
	"          \"next\":\"https://www.virustotal.com/api/v3/domains/example.com/resolutions?cursor=eyJsaW1pdCI6IDEwLCAib2Zmc2V0IjogMTB9&limit=10\"}}";

static void
test_vt(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	rc = run(prov_vt_parse, vt_body, &pg, why);
	is_int(rc, 0, "vt example parses (%s)", why);
	is_int(nrows, 1, "vt one row");
	check_row(0, "example.com", PROTO_T_A, "93.184.216.34", NULL, 1599471348,
	          1599471348, 0);
	is_str(pg.cursor, "eyJsaW1pdCI6IDEwLCAib2Zmc2V0IjogMTB9", "vt cursor");
	is_int(pg.total, 37, "vt meta.count");
	rc = run(prov_vt_parse, "{\"data\":[{\"attributes\":{\"date\":5,\"host_name\":\"h.example\",\"ip_address\":\"2001:db8::1\"}}]}",
	         &pg, why);
	ok(rc == 0 && nrows == 1 && rows[0].rrtype == PROTO_T_AAAA && pg.cursor[0] == '\0',
	   "vt IPv6 is AAAA, no cursor at the end");
	rc = run(prov_vt_parse, "{\"error\":{\"code\":\"QuotaExceededError\",\"message\":\"Quota exceeded\"}}",
	         &pg, why);
	ok(rc == PROTO_EBUSY && strstr(why, "QuotaExceededError"), "vt quota: %s", why);
	rc = run(prov_vt_parse, "{\"error\":{\"code\":\"WrongCredentialsError\",\"message\":\"bad key\"}}",
	         &pg, why);
	ok(rc == PROTO_EPERM, "vt credentials: %s", why);
	rc = run(prov_vt_parse, "{\"data\":[{\"attributes\":{\"date\":\"x\",\"host_name\":\"h\",\"ip_address\":\"192.0.2.1\"}}]}",
	         &pg, why);
	ok(rc == PROTO_EFORMAT && strstr(why, "date"), "vt date not a number: %s", why);
	rc = run(prov_vt_parse, "{\"data\":[{\"attributes\":{\"date\":1,\"host_name\":\"h\",\"ip_address\":\"999.0.2.1\"}}]}",
	         &pg, why);
	ok(rc == PROTO_ERDATA, "vt bad address: %s", why);
}

/* providers.md 2.8 (the elided recordHash written out). */
static const char pt_body[] =
	"{\"pager\":null,\"queryValue\":\"example.com\",\"queryType\":\"domain\",\n"
	" \"firstSeen\":\"2015-04-27 11:05:10\",\"lastSeen\":\"2020-06-03 03:04:53\",\"totalRecords\":3,\n"
	" \"results\":[{\"firstSeen\":\"2018-09-21 14:46:28\",\"lastSeen\":\"2020-06-02 18:49:26\",\"source\":[\"riskiq\",\"pingly\"],\n"
	"             \"value\":\"example.com\",\"collected\":\"2020-06-03 10:04:53\",\"recordType\":\"A\",\n"
	"             \"resolve\":\"93.184.216.34\",\"resolveType\":\"ip\",\"recordHash\":\"6a4b\"}]}";

static void
test_pt(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	rc = run(prov_pt_parse, pt_body, &pg, why);
	is_int(rc, 0, "pt example parses (%s)", why);
	is_int(nrows, 1, "pt one row");
	/* 2018-09-21 14:46:28 UTC = 1537541188, 2020-06-02 18:49:26 = 1591123766 */
	check_row(0, "example.com", PROTO_T_A, "93.184.216.34", NULL, 1537541188,
	          1591123766, 0);
	rc = run(prov_pt_parse, "{\"queryValue\":\"192.0.2.1\",\"results\":[{\"firstSeen\":\"None\",\"lastSeen\":\"2020-01-01 00:00:00\","
	         "\"value\":\"192.0.2.1\",\"recordType\":\"A\",\"resolve\":\"www.example.org\",\"resolveType\":\"domain\"}]}",
	         &pg, why);
	is_int(rc, 0, "pt address query (%s)", why);
	check_row(0, "www.example.org", PROTO_T_A, "192.0.2.1", NULL, 0, 1577836800, 0);
	rc = run(prov_pt_parse, "{\"message\":\"quota_exceeded: daily limit\"}", &pg, why);
	ok(rc == PROTO_EBUSY && strstr(why, "quota_exceeded"), "pt quota: %s", why);
	rc = run(prov_pt_parse, "{\"message\":\"invalid credentials\"}", &pg, why);
	ok(rc == PROTO_EIO && strstr(why, "credentials"), "pt message: %s", why);
	rc = run(prov_pt_parse, "{\"results\":[{\"firstSeen\":\"2018-09-21T14:46:28\",\"lastSeen\":\"None\","
	         "\"value\":\"a.example\",\"recordType\":\"A\",\"resolve\":\"192.0.2.1\"}]}", &pg, why);
	ok(rc == PROTO_EFORMAT && strstr(why, "firstSeen"), "pt bad time: %s", why);
}

/* providers.md 2.9 */
static const char mn_body[] =
	"{\"responseCode\":200,\"limit\":25,\"offset\":0,\"count\":2,\"metaData\":{},\"messages\":[],\"size\":2,\n"
	" \"data\":[{\"query\":\"example.com\",\"answer\":\"93.184.216.34\",\"rrtype\":\"a\",\"rrclass\":\"in\",\"minTtl\":3600,\"maxTtl\":86400,\n"
	"          \"times\":42,\"tlp\":\"white\",\"firstSeenTimestamp\":1375142400000,\"lastSeenTimestamp\":1700000000000,\n"
	"          \"createdTimestamp\":0,\"lastUpdatedTimestamp\":0}]}";

static void
test_mnemonic(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	rc = run(prov_mnemonic_parse, mn_body, &pg, why);
	is_int(rc, 0, "mnemonic example parses (%s)", why);
	is_int(nrows, 1, "mnemonic one row");
	check_row(0, "example.com", PROTO_T_A, "93.184.216.34", NULL, 1375142400,
	          1700000000, 42);
	is_int(pg.offset, 0, "mnemonic offset");
	is_int(pg.total, 2, "mnemonic count");
	rc = run(prov_mnemonic_parse, "{\"responseCode\":402,\"messages\":[{\"message\":\"Resource limit exceeded\"}],"
	         "\"metaData\":{\"millisUntilResourcesAvailable\":1000},\"data\":null}", &pg, why);
	ok(rc == PROTO_EBUSY && strstr(why, "Resource limit"), "mnemonic 402: %s", why);
	rc = run(prov_mnemonic_parse, "{\"responseCode\":200,\"data\":[{\"query\":\"a.example\",\"answer\":\"x\",\"rrtype\":\"a\","
	         "\"firstSeenTimestamp\":1e3,\"lastSeenTimestamp\":2}]}", &pg, why);
	ok(rc == PROTO_EFORMAT && strstr(why, "firstSeenTimestamp"), "mnemonic exponent refused: %s", why);
}

static void
test_360(void)
{
	struct prov_page pg;
	char why[256];
	int rc;

	rc = run(prov_360_parse, "[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1;192.0.2.2;\","
	         "\"time_first\":1500000000,\"time_last\":1600000000,\"count\":7}]", &pg, why);
	is_int(rc, 0, "360 parses (%s)", why);
	is_int(nrows, 2, "360 rdata split on ';'");
	check_row(0, "www.example.com", PROTO_T_A, "192.0.2.1", NULL, 1500000000, 1600000000, 7);
	check_row(1, "www.example.com", PROTO_T_A, "192.0.2.2", NULL, 1500000000, 1600000000, 7);
	rc = run(prov_360_parse, "{\"err\":\"token expired\"}", &pg, why);
	ok(rc == PROTO_EIO && strstr(why, "token expired"), "360 err: %s", why);
	ok(prov_find("360") && prov_find("dnsdb") && !prov_find("bfk"), "registry lookup");
}

static void
test_json(void)
{
	struct prov_json j;
	char why[160], s[64];
	size_t n;
	int64_t v;
	int rc;

	{
		static const char doc[] = "{\"a\":\"x\\u00e9\\ud83d\\ude00\\n\",\"b\":[1,-9223372036854775808,{}],\"c\":true}";
		rc = prov_json_parse(&j, doc, strlen(doc), why, sizeof why);
	}
	is_int(rc, 0, "json parses (%s)", why);
	ok(prov_json_str(&j, prov_json_get(&j, 0, "a"), s, sizeof s, &n) == 0 &&
	   strcmp(s, "x\xc3\xa9\xf0\x9f\x98\x80\n") == 0 && n == 8, "json \\u escapes to UTF-8");
	ok(prov_json_int(&j, prov_json_get(&j, 0, "b") + 2, &v) == 0 && v == INT64_MIN, "json INT64_MIN");
	is_int(j.tok[prov_json_get(&j, 0, "b")].n, 3, "json array size");
	is_int(prov_json_type(&j, prov_json_get(&j, 0, "c")), PROV_JSON_TRUE, "json true");
	ok(prov_json_get(&j, 0, "zz") == 0, "json missing key");
	prov_json_free(&j);
	rc = prov_json_parse(&j, "[9223372036854775808]", 21, why, sizeof why);
	ok(rc == 0 && prov_json_int(&j, 1, &v) == PROTO_ESPACE, "json int64 overflow refused");
	prov_json_free(&j);
	rc = prov_json_parse(&j, "\"a\\u0000b\"", 10, why, sizeof why);
	ok(rc == 0 && prov_json_str(&j, 0, s, sizeof s, NULL) == PROTO_EINVAL, "json NUL refused");
	prov_json_free(&j);

	static const char *bad[] = {
		"", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "[1,]", "[1 2]",
		"{a:1}", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"tab\there\"", "01", "1.", "-", "1e", "+1", "tru", "nul", "[] []", "{\"a\":1}}",
		"\"unterminated", "[\"a\\", "123456789012345678901234567890123456789012345678901234567890123456789",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc = prov_json_parse(&j, bad[i], strlen(bad[i]), why, sizeof why);
		ok(rc == PROTO_EFORMAT && why[0], "json refuses '%s': %s", bad[i], why);
		prov_json_free(&j);
	}
	/* Nesting: 32 deep is fine, 33 is not; 100000 '[' is refused quickly. */
	{
		char deep[200000];
		memset(deep, '[', 32);
		memset(deep + 32, ']', 32);
		rc = prov_json_parse(&j, deep, 64, why, sizeof why);
		is_int(rc, 0, "json depth 32 (%s)", why);
		prov_json_free(&j);
		memset(deep, '[', 33);
		memset(deep + 33, ']', 33);
		rc = prov_json_parse(&j, deep, 66, why, sizeof why);
		ok(rc == PROTO_EFORMAT && strstr(why, "deep"), "json depth 33: %s", why);
		prov_json_free(&j);
		memset(deep, '[', sizeof deep);
		rc = prov_json_parse(&j, deep, sizeof deep, why, sizeof why);
		ok(rc == PROTO_EFORMAT, "json 200000 '[': %s", why);
		prov_json_free(&j);
	}
	/* Every prefix of a real body is refused or parsed, never a crash. */
	for (size_t k = 0; k < strlen(vt_body); k++) {
		struct prov_page pg;
		nrows = 0;
		rc = prov_vt_parse(vt_body, k, collect, NULL, &pg, why, sizeof why);
		if (rc == 0)
			break;
	}
	ok(1, "every prefix of the VT body handled");
}

static void
test_bad_fields(void)
{
	struct prov_page pg;
	char why[256];
	static const char *bad[] = {
		/* name not a DNS name */
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a..b\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\",\"rdata\":\"192.0.2.1\"}",
		/* wrong types */
		"{\"count\":\"1\",\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":1,\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":[1]}",
		"[{\"count\":1}]",
		"\"just a string\"",
		/* huge numbers, negative, fractions */
		"{\"count\":1,\"time_first\":99999999999999999999999,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":-1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1.5,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1,\"time_first\":3,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"}",
		/* bad rrtype, rdata, escapes */
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"BOGUS\",\"rrname\":\"a.example\",\"rdata\":\"x\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"TXT\",\"rrname\":\"a.example\",\"rdata\":\"a\\u0001b\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"NS\",\"rrname\":\"a.example\",\"rdata\":\"a..b\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.ex\\qample\",\"rdata\":\"192.0.2.1\"}",
		"{\"count\":1,\"time_first\":1,\"time_last\":2,\"rrtype\":\"A\",\"rrname\":\"a.example\",\"rdata\":\"192.0.2.1\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = run(prov_circl_parse, bad[i], &pg, why);
		ok(rc < 0 && nrows == 0 && why[0], "circl refuses body %zu: %s", i, why);
	}
}

/* Random mutations of every example through every parser: no crash, and
 * every refusal has a reason (the sanitizer build checks the memory). */
static void
test_mutations(void)
{
	const char *bodies[] = {dnsdb_saf, vt_body, pt_body, mn_body};
	static const char alphabet[] = "{}[]\",:\\u0-9eE.\n ";
	char buf[4096], why[256];
	unsigned refused_ok = 1;

	srand(6);
	for (unsigned it = 0; it < 20000; it++) {
		const char *src = bodies[it % 4];
		size_t n = strlen(src);
		const struct prov_def *p = &prov_table[(it / 4) % 6];
		struct prov_page pg;
		int rc;
		memcpy(buf, src, n);
		for (unsigned k = 0, m = 1 + (unsigned)rand() % 4; k < m; k++) {
			size_t at = (size_t)rand() % n;
			switch (rand() % 3) {
			case 0: buf[at] = alphabet[(size_t)rand() % (sizeof alphabet - 1)]; break;
			case 1: n = at; break;
			default: buf[at] = (char)(rand() & 0xff); break;
			}
			if (n == 0)
				break;
		}
		nrows = 0;
		why[0] = '\0';
		{
			/* exactly n bytes, no NUL: the sanitizer sees any overread */
			char *exact = malloc(n ? n : 1);
			if (exact == NULL)
				abort();
			memcpy(exact, buf, n);
			rc = p->parse(exact, n, collect, NULL, &pg, why, sizeof why);
			free(exact);
		}
		if (rc != 0 && why[0] == '\0') {
			refused_ok = 0;
			printf("# %s refused without a reason: %.*s\n", p->name, (int)n, buf);
		}
	}
	ok(refused_ok, "20000 mutated bodies: no crash, every refusal has a reason");
}

int
main(void)
{
	test_mutations();
	test_json();
	test_dnsdb();
	test_circl();
	test_vt();
	test_pt();
	test_mnemonic();
	test_360();
	test_bad_fields();
	return tap_done();
}
