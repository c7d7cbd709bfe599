/*
 * test_cli_out.c - merging rows, sorting them, and every output format,
 * byte for byte, on synthetic rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_out.h"
#include "cli/cli_rows.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

#define WWW "\3www\7example\3com"
#define WEB "\3web\7example\3com"
#define EXC "\7example\3com"
#define COM "\3com"

static struct proto_obs
row(const char *name, size_t nlen, uint16_t type, const char *rdata, unsigned sec,
    int64_t tf, int64_t tl, uint64_t count, const char *bail, size_t blen)
{
	struct proto_obs o = {
		.name = (const uint8_t *)name, .name_len = (uint32_t)nlen,
		.rdata = rdata, .rdata_len = (uint32_t)strlen(rdata),
		.bailiwick = (const uint8_t *)bail, .bailiwick_len = (uint32_t)blen,
		.rrtype = type, .section = (uint8_t)sec,
		.time_first = tf, .time_last = tl, .count = count,
	};
	return o;
}

/* Names are string literals: sizeof counts the root label's NUL. */
#define ROW(name, type, rdata, sec, tf, tl, count, bail) \
	row(name, sizeof(name), type, rdata, sec, tf, tl, count, bail, sizeof(bail))
#define ROWN(name, type, rdata, sec, tf, tl, count) \
	row(name, sizeof(name), type, rdata, sec, tf, tl, count, NULL, 0)

/* The output of one call, as a string the caller frees; NULL on error. */
static char *
out(const struct cli_rows *r, enum cli_format fmt, bool summary)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = summary ? cli_out_summary(f, fmt, r) : cli_out_rows(f, fmt, r);

	fclose(f);
	if (err != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
is_out(const struct cli_rows *r, enum cli_format fmt, bool summary, const char *want,
       const char *what)
{
	char *got = out(r, fmt, summary);

	is_str(got, want, "%s", what);
	free(got);
}

static struct cli_rows *
rows_of(const struct proto_obs *rows, size_t n)
{
	struct cli_rows *r = NULL;

	if (cli_rows_new(&r) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (cli_rows_add(r, &rows[i]) != 0)
			printf("# add %zu failed\n", i);
	}
	return r;
}

/* Six rows: a merge, characters every format escapes, two sections. */
static struct cli_rows *
sample(void)
{
	const struct proto_obs rows[] = {
		ROW(WWW, PROTO_T_CNAME, "web.example.com", PROTO_SEC_ANSWER,
		    1700000000, 1700000100, 2, COM),
		ROWN(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER,
		     1700000050, 1700000050, 1),
		ROWN(WEB, PROTO_T_A, "192.0.2.9", PROTO_SEC_ANSWER,
		     1700000060, 1700086400, 4),
		/* The first key again, as from another origin: merged into it. */
		ROW(WWW, PROTO_T_CNAME, "web.example.com", PROTO_SEC_ANSWER,
		    1699999000, 1700000090, 3, EXC),
		ROW(EXC, PROTO_T_TXT, "\"v=spf1, mx\" \"x<y&z'\"", PROTO_SEC_ANSWER,
		    1700000001, 1700000002, 7, EXC),
		/* The same A as the second row in another section: its own row. */
		ROW(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ADDITIONAL,
		    1700000070, 1700000080, 1, EXC),
	};
	return rows_of(rows, sizeof(rows) / sizeof(rows[0]));
}

static void
test_merge(void)
{
	struct cli_rows *r = sample();
	const struct proto_obs *o;

	is_int(cli_rows_count(r), 5, "six rows, one merge: five");
	o = cli_rows_get(r, 0);
	ok(o->time_first == 1699999000 && o->time_last == 1700000100 && o->count == 5,
	   "merged: min first, max last, summed count");
	ok(o->bailiwick_len == sizeof(EXC) && memcmp(o->bailiwick, EXC, sizeof(EXC)) == 0,
	   "merged: the deeper bailiwick wins");
	ok(cli_rows_get(r, 5) == NULL, "past the end: NULL");

	struct proto_obs more = ROW(WWW, PROTO_T_CNAME, "web.example.com",
	                            PROTO_SEC_ANSWER, 1700000000, 1700000000, 1, COM);
	is_int(cli_rows_add(r, &more), 0, "add a shallower bailiwick");
	o = cli_rows_get(r, 0);
	ok(o->bailiwick_len == sizeof(EXC) && o->count == 6, "example.com kept, count 6");

	more = ROW(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER, 1700000050,
	           1700000050, UINT64_MAX, COM);
	is_int(cli_rows_add(r, &more), 0, "add a bailiwick to a row without one");
	o = cli_rows_get(r, 1);
	ok(o->bailiwick_len == sizeof(COM) && memcmp(o->bailiwick, COM, sizeof(COM)) == 0,
	   "the known bailiwick fills the unknown one");
	ok(o->count == UINT64_MAX, "counts saturate instead of wrapping");
	is_int(cli_rows_count(r), 5, "still five rows");

	cli_rows_destroy(&r);
	ok(r == NULL, "destroy NULLs the pointer");
	cli_rows_destroy(&r);
	cli_rows_destroy(NULL);

	struct proto_obs bad = ROW(WWW, 1, "x", PROTO_SEC_ANSWER, 0, 0, 1, COM);
	cli_rows_new(&r);
	bad.name_len = 0;
	is_int(cli_rows_add(r, &bad), PROTO_EINVAL, "a row without a name is refused");
	bad.name_len = 300;
	is_int(cli_rows_add(r, &bad), PROTO_EINVAL, "a name over 255 octets is refused");
	bad.name_len = sizeof(WWW);
	bad.bailiwick_len = 0;
	is_int(cli_rows_add(r, &bad), PROTO_EINVAL, "an empty bailiwick is refused");
	cli_rows_destroy(&r);

	/* Many distinct keys, each added twice: the table grows and still merges. */
	cli_rows_new(&r);
	char rd[32];
	int bad_count = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 50000; i++) {
			snprintf(rd, sizeof(rd), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
			struct proto_obs o2 = ROWN(WEB, PROTO_T_A, rd, PROTO_SEC_ANSWER, i, i, 1);
			if (cli_rows_add(r, &o2) != 0)
				bad_count++;
		}
	}
	is_int(bad_count, 0, "100000 adds succeed");
	is_int(cli_rows_count(r), 50000, "50000 keys");
	o = cli_rows_get(r, 12345);
	ok(o->count == 2 && o->time_first == 12345, "each merged once");
	cli_rows_destroy(&r);
}

static const char sample_json[] =
	"{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\",\"rdata\":\"web.example.com\",\"time_first\":1699999000,\"time_last\":1700000100,\"count\":5,\"section\":\"answer\",\"bailiwick\":\"example.com\"}\n"
	"{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.80\",\"time_first\":1700000050,\"time_last\":1700000050,\"count\":1,\"section\":\"answer\"}\n"
	"{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.9\",\"time_first\":1700000060,\"time_last\":1700086400,\"count\":4,\"section\":\"answer\"}\n"
	"{\"rrname\":\"example.com\",\"rrtype\":\"TXT\",\"rdata\":\"\\\"v=spf1, mx\\\" \\\"x<y&z'\\\"\",\"time_first\":1700000001,\"time_last\":1700000002,\"count\":7,\"section\":\"answer\",\"bailiwick\":\"example.com\"}\n"
	"{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.80\",\"time_first\":1700000070,\"time_last\":1700000080,\"count\":1,\"section\":\"additional\",\"bailiwick\":\"example.com\"}\n";

static const char sample_text[] =
	";; record times: 2023-11-14 21:56:40 .. 2023-11-14 22:15:00\n"
	";; count: 5; bailiwick: example.com.\n"
	"www.example.com.  CNAME  web.example.com\n"
	"\n"
	";; record times: 2023-11-14 22:14:10 .. 2023-11-14 22:14:10\n"
	";; count: 1\n"
	"web.example.com.  A  192.0.2.80\n"
	"\n"
	";; record times: 2023-11-14 22:14:20 .. 2023-11-15 22:13:20\n"
	";; count: 4\n"
	"web.example.com.  A  192.0.2.9\n"
	"\n"
	";; record times: 2023-11-14 22:13:21 .. 2023-11-14 22:13:22\n"
	";; count: 7; bailiwick: example.com.\n"
	"example.com.  TXT  \"v=spf1, mx\" \"x<y&z'\"\n"
	"\n"
	";; record times: 2023-11-14 22:14:30 .. 2023-11-14 22:14:40\n"
	";; count: 1; bailiwick: example.com.\n"
	";; section: additional\n"
	"web.example.com.  A  192.0.2.80\n"
	"\n";

static const char sample_csv[] =
	"time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section\n"
	"2023-11-14 21:56:40,2023-11-14 22:15:00,5,example.com.,www.example.com.,CNAME,web.example.com,answer\n"
	"2023-11-14 22:14:10,2023-11-14 22:14:10,1,,web.example.com.,A,192.0.2.80,answer\n"
	"2023-11-14 22:14:20,2023-11-15 22:13:20,4,,web.example.com.,A,192.0.2.9,answer\n"
	"2023-11-14 22:13:21,2023-11-14 22:13:22,7,example.com.,example.com.,TXT,\"\"\"v=spf1, mx\"\" \"\"x<y&z'\"\"\",answer\n"
	"2023-11-14 22:14:30,2023-11-14 22:14:40,1,example.com.,web.example.com.,A,192.0.2.80,additional\n";

static const char sample_tsv[] =
	"time_first\ttime_last\tcount\tbailiwick\trrname\trrtype\trdata\tsection\n"
	"2023-11-14 21:56:40\t2023-11-14 22:15:00\t5\texample.com.\twww.example.com.\tCNAME\tweb.example.com\tanswer\n"
	"2023-11-14 22:14:10\t2023-11-14 22:14:10\t1\t\tweb.example.com.\tA\t192.0.2.80\tanswer\n"
	"2023-11-14 22:14:20\t2023-11-15 22:13:20\t4\t\tweb.example.com.\tA\t192.0.2.9\tanswer\n"
	"2023-11-14 22:13:21\t2023-11-14 22:13:22\t7\texample.com.\texample.com.\tTXT\t\"v=spf1, mx\" \"x<y&z'\"\tanswer\n"
	"2023-11-14 22:14:30\t2023-11-14 22:14:40\t1\texample.com.\tweb.example.com.\tA\t192.0.2.80\tadditional\n";

static const char sample_rrset[] =
	"{\"rrname\":\"www.example.com.\",\"rrtype\":\"CNAME\",\"rdata\":[\"web.example.com\"],\"time_first\":1699999000,\"time_last\":1700000100,\"count\":5,\"bailiwick\":\"example.com.\"}\n"
	"{\"rrname\":\"web.example.com.\",\"rrtype\":\"A\",\"rdata\":[\"192.0.2.80\",\"192.0.2.9\"],\"time_first\":1700000050,\"time_last\":1700086400,\"count\":5}\n"
	"{\"rrname\":\"example.com.\",\"rrtype\":\"TXT\",\"rdata\":[\"\\\"v=spf1, mx\\\" \\\"x<y&z'\\\"\"],\"time_first\":1700000001,\"time_last\":1700000002,\"count\":7,\"bailiwick\":\"example.com.\"}\n"
	"{\"rrname\":\"web.example.com.\",\"rrtype\":\"A\",\"rdata\":[\"192.0.2.80\"],\"time_first\":1700000070,\"time_last\":1700000080,\"count\":1,\"bailiwick\":\"example.com.\"}\n";

static const char sample_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<results>\n"
	"  <result><rrname>www.example.com</rrname><rrtype>CNAME</rrtype><rdata>web.example.com</rdata><time_first>1699999000</time_first><time_last>1700000100</time_last><count>5</count><section>answer</section><bailiwick>example.com</bailiwick></result>\n"
	"  <result><rrname>web.example.com</rrname><rrtype>A</rrtype><rdata>192.0.2.80</rdata><time_first>1700000050</time_first><time_last>1700000050</time_last><count>1</count><section>answer</section></result>\n"
	"  <result><rrname>web.example.com</rrname><rrtype>A</rrtype><rdata>192.0.2.9</rdata><time_first>1700000060</time_first><time_last>1700086400</time_last><count>4</count><section>answer</section></result>\n"
	"  <result><rrname>example.com</rrname><rrtype>TXT</rrtype><rdata>&quot;v=spf1, mx&quot; &quot;x&lt;y&amp;z&apos;&quot;</rdata><time_first>1700000001</time_first><time_last>1700000002</time_last><count>7</count><section>answer</section><bailiwick>example.com</bailiwick></result>\n"
	"  <result><rrname>web.example.com</rrname><rrtype>A</rrtype><rdata>192.0.2.80</rdata><time_first>1700000070</time_first><time_last>1700000080</time_last><count>1</count><section>additional</section><bailiwick>example.com</bailiwick></result>\n"
	"</results>\n";

static void
test_formats(void)
{
	struct cli_rows *r = sample();
	enum cli_format f;

	is_out(r, CLI_FMT_JSON, false, sample_json, "json: COF, one line per merged row");
	is_out(r, CLI_FMT_TEXT, false, sample_text, "text: dnsdbq blocks");
	is_out(r, CLI_FMT_CSV, false, sample_csv, "csv: header, ISO times, RFC 4180 quotes");
	is_out(r, CLI_FMT_TSV, false, sample_tsv, "tsv");
	is_out(r, CLI_FMT_RRSET, false, sample_rrset, "rrset: grouped per name, type, bailiwick");
	is_out(r, CLI_FMT_XML, false, sample_xml, "xml: escaped, well-formed");

	is_out(r, CLI_FMT_JSON, true,
	       "{\"count\":18,\"num_results\":5,\"time_first\":1699999000,\"time_last\":1700086400}\n",
	       "summarize json");
	is_out(r, CLI_FMT_RRSET, true,
	       "{\"count\":18,\"num_results\":5,\"time_first\":1699999000,\"time_last\":1700086400}\n",
	       "summarize rrset is json");
	is_out(r, CLI_FMT_TEXT, true,
	       ";; count: 18; num_results: 5; first: 2023-11-14 21:56:40; last: 2023-11-15 22:13:20\n",
	       "summarize text");
	is_out(r, CLI_FMT_CSV, true,
	       "count,num_results,time_first,time_last\n18,5,2023-11-14 21:56:40,2023-11-15 22:13:20\n",
	       "summarize csv");
	is_out(r, CLI_FMT_TSV, true,
	       "count\tnum_results\ttime_first\ttime_last\n18\t5\t2023-11-14 21:56:40\t2023-11-15 22:13:20\n",
	       "summarize tsv");
	is_out(r, CLI_FMT_XML, true,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<summary><count>18</count>"
	       "<num_results>5</num_results><time_first>1699999000</time_first>"
	       "<time_last>1700086400</time_last></summary>\n",
	       "summarize xml");

	/* Write errors come back as PROTO_EIO. */
	FILE *full = fopen("/dev/full", "w");
	if (full != NULL) {
		is_int(cli_out_rows(full, CLI_FMT_JSON, r), PROTO_EIO, "a full disk is PROTO_EIO");
		fclose(full);
	}
	cli_rows_destroy(&r);

	is_int(cli_out_format_parse("rrset", &f), 0, "-p rrset parses");
	is_int(f, CLI_FMT_RRSET, "to rrset");
	is_int(cli_out_format_parse("JSON", &f), PROTO_EINVAL, "-p JSON (case) refused");
	is_int(cli_out_format_parse("dns", &f), PROTO_EINVAL, "-p dns refused");
}

static void
test_empty_and_odd(void)
{
	struct cli_rows *r = NULL;

	cli_rows_new(&r);
	is_out(r, CLI_FMT_JSON, false, "", "no rows: json prints nothing");
	is_out(r, CLI_FMT_TEXT, false, "", "no rows: text prints nothing");
	is_out(r, CLI_FMT_RRSET, false, "", "no rows: rrset prints nothing");
	is_out(r, CLI_FMT_CSV, false,
	       "time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section\n",
	       "no rows: csv prints its header");
	is_out(r, CLI_FMT_XML, false,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results>\n</results>\n",
	       "no rows: xml is still a document");
	is_out(r, CLI_FMT_JSON, true, "", "no rows: summarize json prints nothing");
	is_out(r, CLI_FMT_XML, true,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<summary><count>0</count>"
	       "<num_results>0</num_results></summary>\n",
	       "no rows: summarize xml");
	cli_rows_destroy(&r);

	/* NXDOMAIN rows in every format. */
	const struct proto_obs nx[] = {
		ROWN("\4nope\7example\3com", PROTO_T_A, "", PROTO_SEC_NXDOMAIN, 1, 2, 3),
	};
	r = rows_of(nx, 1);
	is_out(r, CLI_FMT_JSON, false,
	       "{\"qname\":\"nope.example.com\",\"qtype\":\"A\",\"time_first\":1,\"time_last\":2,\"count\":3}\n",
	       "nxdomain json: pdns-sensor --nxdomain's form");
	is_out(r, CLI_FMT_RRSET, false,
	       "{\"qname\":\"nope.example.com\",\"qtype\":\"A\",\"time_first\":1,\"time_last\":2,\"count\":3}\n",
	       "nxdomain rrset: the same");
	is_out(r, CLI_FMT_TEXT, false,
	       ";; record times: 1970-01-01 00:00:01 .. 1970-01-01 00:00:02\n;; count: 3\n"
	       "nope.example.com.  A  NXDOMAIN\n\n", "nxdomain text");
	is_out(r, CLI_FMT_CSV, false,
	       "time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section\n"
	       "1970-01-01 00:00:01,1970-01-01 00:00:02,3,,nope.example.com.,A,,nxdomain\n",
	       "nxdomain csv");
	is_out(r, CLI_FMT_XML, false,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results>\n"
	       "  <result><qname>nope.example.com</qname><qtype>A</qtype><time_first>1</time_first>"
	       "<time_last>2</time_last><count>3</count></result>\n</results>\n",
	       "nxdomain xml");
	cli_rows_destroy(&r);

	/* The root, an unknown type, and bytes our text never holds. */
	const struct proto_obs odd[] = {
		ROWN("", PROTO_T_NS, "a.root-servers.net", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\1a", 65280, "\\# 0", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\1b", PROTO_T_TXT, "x\ty\nz,\"\x01\x80", PROTO_SEC_ANSWER, 0, 0, 1),
	};
	r = rows_of(odd, 3);
	is_out(r, CLI_FMT_TEXT, false,
	       ";; record times: 1970-01-01 00:00:00 .. 1970-01-01 00:00:00\n;; count: 1\n"
	       ".  NS  a.root-servers.net\n\n"
	       ";; record times: 1970-01-01 00:00:00 .. 1970-01-01 00:00:00\n;; count: 1\n"
	       "a.  TYPE65280  \\# 0\n\n"
	       ";; record times: 1970-01-01 00:00:00 .. 1970-01-01 00:00:00\n;; count: 1\n"
	       "b.  TXT  x\ty\nz,\"\x01\x80\n\n",
	       "text: the root is '.', unknown types are TYPEnnn");
	is_out(r, CLI_FMT_TSV, false,
	       "time_first\ttime_last\tcount\tbailiwick\trrname\trrtype\trdata\tsection\n"
	       "1970-01-01 00:00:00\t1970-01-01 00:00:00\t1\t\t.\tNS\ta.root-servers.net\tanswer\n"
	       "1970-01-01 00:00:00\t1970-01-01 00:00:00\t1\t\ta.\tTYPE65280\t\\# 0\tanswer\n"
	       "1970-01-01 00:00:00\t1970-01-01 00:00:00\t1\t\tb.\tTXT\tx\\ty\\nz,\"\x01\x80\tanswer\n",
	       "tsv: tabs and newlines in a field are escaped");
	is_out(r, CLI_FMT_CSV, false,
	       "time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section\n"
	       "1970-01-01 00:00:00,1970-01-01 00:00:00,1,,.,NS,a.root-servers.net,answer\n"
	       "1970-01-01 00:00:00,1970-01-01 00:00:00,1,,a.,TYPE65280,\\# 0,answer\n"
	       "1970-01-01 00:00:00,1970-01-01 00:00:00,1,,b.,TXT,\"x\ty\nz,\"\"\x01\x80\",answer\n",
	       "csv: a newline, comma or quote makes a quoted field");
	is_out(r, CLI_FMT_XML, false,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results>\n"
	       "  <result><rrname>.</rrname><rrtype>NS</rrtype><rdata>a.root-servers.net</rdata><time_first>0</time_first><time_last>0</time_last><count>1</count><section>answer</section></result>\n"
	       "  <result><rrname>a</rrname><rrtype>TYPE65280</rrtype><rdata>\\# 0</rdata><time_first>0</time_first><time_last>0</time_last><count>1</count><section>answer</section></result>\n"
	       "  <result><rrname>b</rrname><rrtype>TXT</rrtype><rdata>x\\009y\\010z,&quot;\\001\\128</rdata><time_first>0</time_first><time_last>0</time_last><count>1</count><section>answer</section></result>\n"
	       "</results>\n",
	       "xml: control and non-ASCII bytes as \\DDD, so it stays well-formed");
	is_out(r, CLI_FMT_RRSET, false,
	       "{\"rrname\":\".\",\"rrtype\":\"NS\",\"rdata\":[\"a.root-servers.net\"],\"time_first\":0,\"time_last\":0,\"count\":1}\n"
	       "{\"rrname\":\"a.\",\"rrtype\":\"TYPE65280\",\"rdata\":[\"\\\\# 0\"],\"time_first\":0,\"time_last\":0,\"count\":1}\n"
	       "{\"rrname\":\"b.\",\"rrtype\":\"TXT\",\"rdata\":[\"x\\u0009y\\u000az,\\\"\\u0001\\u0080\"],\"time_first\":0,\"time_last\":0,\"count\":1}\n",
	       "rrset: the root stays '.', JSON escapes");
	cli_rows_destroy(&r);
}

/* A short tag per sample row, in the order the rows are held. */
static char *
order(const struct cli_rows *r)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cli_rows_count(r); i++) {
		const struct proto_obs *o = cli_rows_get(r, i);
		const char *tag = o->rrtype == PROTO_T_CNAME ? "C" :
		                  o->rrtype == PROTO_T_TXT ? "T" :
		                  o->section == PROTO_SEC_ADDITIONAL ? "x80" :
		                  strcmp(o->rdata, "192.0.2.9") == 0 ? "a9" : "a80";
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", tag);
	}
	return buf;
}

static void
sorted(const char *keys, bool desc, const char *want)
{
	struct cli_rows *r = sample();
	struct cli_sort s = { .descending = desc };
	char why[128];

	if (keys != NULL && cli_rows_sort_parse(keys, &s, why, sizeof(why)) != 0)
		printf("# %s: %s\n", keys, why);
	cli_rows_sort(r, &s);
	is_str(order(r), want, "sort -k %s %s", keys ? keys : "(none)", desc ? "-S" : "-s");
	cli_rows_destroy(&r);
}

static void
test_sort(void)
{
	struct cli_rows *r = sample();
	struct cli_sort s = { 0 };
	char why[160];

	is_str(order(r), "C a80 a9 T x80", "unsorted: order of first appearance");
	cli_rows_destroy(&r);
	sorted(NULL, false, "C T a80 a9 x80");
	sorted("first", false, "C T a80 a9 x80");
	sorted("first", true, "x80 a9 a80 T C");
	sorted("last", false, "T a80 x80 C a9");
	sorted("duration", false, "a80 T x80 C a9");
	sorted("count", false, "a80 x80 a9 C T");
	sorted("count,first", true, "T C a9 x80 a80");
	sorted("name", false, "T a80 a9 x80 C");
	sorted("type", false, "a80 a9 x80 C T");
	sorted("data", false, "a9 a80 x80 T C");

	/* After a sort, adding a known key still merges. */
	r = sample();
	cli_rows_sort(r, &s);
	struct proto_obs again = ROWN(WEB, PROTO_T_A, "192.0.2.9", PROTO_SEC_ANSWER, 1, 2, 1);
	cli_rows_add(r, &again);
	is_int(cli_rows_count(r), 5, "a key added after sorting merges");
	cli_rows_destroy(&r);

	/* DNS order of names: by label from the right. */
	const struct proto_obs names[] = {
		ROWN("\1b\7example", 1, "1.1.1.1", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\1z\1a\7example", 1, "1.1.1.2", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\7example", 1, "1.1.1.3", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\1a\7example", 1, "1.1.1.4", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\2aa\7example", 1, "1.1.1.5", PROTO_SEC_ANSWER, 0, 0, 1),
		ROWN("\1a\3abc", 1, "1.1.1.6", PROTO_SEC_ANSWER, 0, 0, 1),
	};
	r = rows_of(names, 6);
	memset(&s, 0, sizeof(s));
	cli_rows_sort_parse("name", &s, why, sizeof(why));
	cli_rows_sort(r, &s);
	char got[64] = "";
	for (size_t i = 0; i < 6; i++)
		got[i] = cli_rows_get(r, i)->rdata[6];
	is_str(got, "634251", "a.abc < example < a.example < z.a.example < aa.example < b.example");
	cli_rows_destroy(&r);

	memset(&s, 0, sizeof(s));
	is_int(cli_rows_sort_parse("first,count", &s, why, sizeof(why)), 0, "-k first,count");
	ok(s.nkeys == 2 && s.keys[0] == CLI_KEY_FIRST && s.keys[1] == CLI_KEY_COUNT, "two keys");
	is_int(cli_rows_sort_parse("bogus", &s, why, sizeof(why)), PROTO_EINVAL, "-k bogus");
	is_str(why, "unknown sort key 'bogus' (expected first, last, duration, count, name, "
	       "type or data)", "reason");
	is_int(cli_rows_sort_parse("last,last", &s, why, sizeof(why)), PROTO_EINVAL, "-k last,last");
	is_str(why, "sort key 'last' given twice", "reason");
	memset(&s, 0, sizeof(s));
	is_int(cli_rows_sort_parse("", &s, why, sizeof(why)), PROTO_EINVAL, "-k ''");
	is_int(cli_rows_sort_parse("first,", &s, why, sizeof(why)), PROTO_EINVAL, "-k 'first,'");
}

/* The output of cli_out_print with flags, as a string the caller frees. */
static char *
outf(const struct cli_rows *r, enum cli_format fmt, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = cli_out_print(f, fmt, r, flags);

	fclose(f);
	if (err != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Sources mode: a row from local, peerA (replicated and live: one source)
 * and vt (no count); a row only from vt (count unknown); an NXDOMAIN row.
 */
static void
test_sources(void)
{
	struct cli_rows *r = NULL;
	struct proto_obs o;

	cli_rows_new(&r);
	o = ROWN(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER, 1700000050, 1700000060, 2);
	cli_rows_add_src(r, &o, "local", true);
	o = ROWN(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER, 1700000040, 1700000070, 5);
	cli_rows_add_src(r, &o, "peerA/g1", true);
	o = ROWN(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER, 1700000045, 1700000075, 3);
	cli_rows_add_src(r, &o, "peerA", true);
	o = ROWN(WEB, PROTO_T_A, "192.0.2.80", PROTO_SEC_ANSWER, 1700000100, 1700000100, 0);
	cli_rows_add_src(r, &o, "vt", false);
	o = ROWN(WEB, PROTO_T_A, "192.0.2.9", PROTO_SEC_ANSWER, 1700000200, 1700000200, 0);
	cli_rows_add_src(r, &o, "vt", false);
	o = ROWN(WWW, PROTO_T_A, "", PROTO_SEC_NXDOMAIN, 1700000300, 1700000400, 4);
	cli_rows_add_src(r, &o, "dnsdb", true);

	is_out(r, CLI_FMT_JSON, false,
	       "{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.80\",\"time_first\":1700000040,\"time_last\":1700000100,\"count\":7,\"section\":\"answer\"}\n"
	       "{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.9\",\"time_first\":1700000200,\"time_last\":1700000200,\"count\":0,\"section\":\"answer\"}\n"
	       "{\"qname\":\"www.example.com\",\"qtype\":\"A\",\"time_first\":1700000300,\"time_last\":1700000400,\"count\":4}\n",
	       "sources kept but not asked for: plain COF");

	char *buf = outf(r, CLI_FMT_JSON, CLI_OUT_SOURCES);
	is_str(buf,
	       "{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.80\",\"time_first\":1700000040,\"time_last\":1700000100,\"count\":7,\"section\":\"answer\",\"sources\":["
	       "{\"origin\":\"local\",\"time_first\":1700000050,\"time_last\":1700000060,\"count\":2},"
	       "{\"origin\":\"peerA\",\"time_first\":1700000040,\"time_last\":1700000075,\"count\":5},"
	       "{\"origin\":\"vt\",\"time_first\":1700000100,\"time_last\":1700000100,\"count\":null}]}\n"
	       "{\"rrname\":\"web.example.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.9\",\"time_first\":1700000200,\"time_last\":1700000200,\"count\":null,\"section\":\"answer\",\"sources\":["
	       "{\"origin\":\"vt\",\"time_first\":1700000200,\"time_last\":1700000200,\"count\":null}]}\n"
	       "{\"qname\":\"www.example.com\",\"qtype\":\"A\",\"time_first\":1700000300,\"time_last\":1700000400,\"count\":4,\"sources\":["
	       "{\"origin\":\"dnsdb\",\"time_first\":1700000300,\"time_last\":1700000400,\"count\":4}]}\n",
	       "json: sources per row, count null when unknown");
	free(buf);

	buf = outf(r, CLI_FMT_RRSET, CLI_OUT_SOURCES);
	is_str(buf,
	       "{\"rrname\":\"web.example.com.\",\"rrtype\":\"A\",\"rdata\":[\"192.0.2.80\",\"192.0.2.9\"],\"time_first\":1700000040,\"time_last\":1700000200,\"count\":7,\"sources\":["
	       "{\"origin\":\"local\",\"time_first\":1700000050,\"time_last\":1700000060,\"count\":2},"
	       "{\"origin\":\"peerA\",\"time_first\":1700000040,\"time_last\":1700000075,\"count\":5},"
	       "{\"origin\":\"vt\",\"time_first\":1700000100,\"time_last\":1700000200,\"count\":null}]}\n"
	       "{\"qname\":\"www.example.com\",\"qtype\":\"A\",\"time_first\":1700000300,\"time_last\":1700000400,\"count\":4,\"sources\":["
	       "{\"origin\":\"dnsdb\",\"time_first\":1700000300,\"time_last\":1700000400,\"count\":4}]}\n",
	       "rrset: sources summed over the group");
	free(buf);

	buf = outf(r, CLI_FMT_TEXT, CLI_OUT_SOURCES);
	is_str(buf,
	       ";; record times: 2023-11-14 22:14:00 .. 2023-11-14 22:15:00\n"
	       ";; count: 7\n"
	       ";; sources: local, peerA, vt\n"
	       "web.example.com.  A  192.0.2.80\n\n"
	       ";; record times: 2023-11-14 22:16:40 .. 2023-11-14 22:16:40\n"
	       ";; count: unknown\n"
	       ";; sources: vt\n"
	       "web.example.com.  A  192.0.2.9\n\n"
	       ";; record times: 2023-11-14 22:18:20 .. 2023-11-14 22:20:00\n"
	       ";; count: 4\n"
	       ";; sources: dnsdb\n"
	       "www.example.com.  A  NXDOMAIN\n\n",
	       "text: a sources line, count unknown");
	free(buf);

	buf = outf(r, CLI_FMT_CSV, CLI_OUT_SOURCES);
	is_str(buf,
	       "time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section,sources\n"
	       "2023-11-14 22:14:00,2023-11-14 22:15:00,7,,web.example.com.,A,192.0.2.80,answer,\"local, peerA, vt\"\n"
	       "2023-11-14 22:16:40,2023-11-14 22:16:40,,,web.example.com.,A,192.0.2.9,answer,vt\n"
	       "2023-11-14 22:18:20,2023-11-14 22:20:00,4,,www.example.com.,A,,nxdomain,dnsdb\n",
	       "csv: a sources column, empty count when unknown");
	free(buf);

	buf = outf(r, CLI_FMT_TSV, CLI_OUT_SOURCES);
	ok(buf != NULL && strstr(buf, "section\tsources\n") != NULL &&
	   strstr(buf, "\t192.0.2.80\tanswer\tlocal, peerA, vt\n") != NULL &&
	   strstr(buf, "22:16:40\t\t\tweb") != NULL, "tsv: sources column, empty count");
	free(buf);

	buf = outf(r, CLI_FMT_XML, CLI_OUT_SOURCES);
	ok(buf != NULL &&
	   strstr(buf, "<time_last>1700000200</time_last><section>answer</section><sources>"
	               "<source><origin>vt</origin><time_first>1700000200</time_first>"
	               "<time_last>1700000200</time_last></source></sources></result>") != NULL &&
	   strstr(buf, "<source><origin>local</origin><time_first>1700000050</time_first>"
	               "<time_last>1700000060</time_last><count>2</count></source>") != NULL,
	   "xml: sources, no <count> when unknown");
	free(buf);
	cli_rows_destroy(&r);
}

int
main(void)
{
	test_merge();
	test_formats();
	test_empty_and_odd();
	test_sort();
	test_sources();
	return tap_done();
}
