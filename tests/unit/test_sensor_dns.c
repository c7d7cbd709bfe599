/*
 * test_sensor_dns.c - sensor_dns: hand-made responses, one per rule and per
 * malformation reason; what is kept, what is dropped and how it is counted.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_name.h"
#include "sensor/sensor_dns.h"
#include "obs_rows.h"
#include "tap.h"

/* A tiny message builder: bytes appended to a fixed buffer. */
struct msg {
	uint8_t b[4096];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
u8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void
u16(struct msg *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xff);
}

static void
u32(struct msg *m, uint32_t v)
{
	u16(m, v >> 16);
	u16(m, v & 0xffff);
}

/* "www.example.com" as uncompressed wire labels. */
static void
name(struct msg *m, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		u8(m, (unsigned)l);
		put(m, s, l);
		s += l + (dot ? 1 : 0);
	}
	u8(m, 0);
}

static void
header(struct msg *m, unsigned flags, unsigned qd, unsigned an, unsigned ns,
       unsigned ar)
{
	m->n = 0;
	u16(m, 0x1234);
	u16(m, flags);
	u16(m, qd);
	u16(m, an);
	u16(m, ns);
	u16(m, ar);
}

static void
question(struct msg *m, const char *q, unsigned type)
{
	name(m, q);
	u16(m, type);
	u16(m, 1);
}

static void
rr_a(struct msg *m, const char *owner, const uint8_t ip[4])
{
	name(m, owner);
	u16(m, 1);
	u16(m, 1);
	u32(m, 300);
	u16(m, 4);
	put(m, ip, 4);
}

static void
rr_name(struct msg *m, const char *owner, unsigned type, const char *target)
{
	name(m, owner);
	u16(m, type);
	u16(m, 1);
	u32(m, 300);
	size_t at = m->n;
	u16(m, 0);
	size_t start = m->n;
	name(m, target);
	m->b[at] = (uint8_t)((m->n - start) >> 8);
	m->b[at + 1] = (uint8_t)((m->n - start) & 0xff);
}

struct env {
	struct sensor_agg *agg, *nxd;
	struct sensor_dns *dns;
	struct sensor_stats st;
};

static void
env_new(struct env *e, bool all)
{
	memset(e, 0, sizeof(*e));
	if (sensor_agg_new(&e->agg, 1 << 20) || sensor_agg_new(&e->nxd, 1 << 20) ||
	    sensor_dns_new(&e->dns, e->agg, e->nxd, &e->st, all))
		abort();
}

static void
env_free(struct env *e)
{
	sensor_dns_destroy(&e->dns);
	sensor_agg_destroy(&e->agg);
	sensor_agg_destroy(&e->nxd);
}

static const uint8_t ip1[4] = { 192, 0, 2, 1 }, ip2[4] = { 192, 0, 2, 2 };

static void
test_basic_and_dedup(void)
{
	struct env e;
	struct msg m;

	env_new(&e, false);
	header(&m, 0x8180, 1, 3, 0, 0);
	question(&m, "www.example.com", 1);
	rr_a(&m, "WWW.Example.COM", ip1);
	rr_a(&m, "www.example.com", ip1); /* repeated inside the response */
	rr_a(&m, "www.example.com", ip2);
	sensor_dns_process(e.dns, m.b, m.n, 100, false);
	sensor_dns_process(e.dns, m.b, m.n, 90, false);
	sensor_dns_process(e.dns, m.b, m.n, 130, false);
	is_int(drain(e.agg), 2, "two distinct answer keys");
	is_str(rows[0], "1|www.example.com|1|192.0.2.1|-|3|90|130",
	       "lowercased, repeated record counted once per response, min/max times");
	is_str(rows[1], "1|www.example.com|1|192.0.2.2|-|3|90|130", "second key");
	is_int(e.st.v[SENSOR_ST_responses], 3, "three responses");
	env_free(&e);
}

static void
test_query_opcode_cut(void)
{
	struct env e;
	struct msg m;

	env_new(&e, false);
	header(&m, 0x0100, 1, 1, 0, 0); /* QR=0 */
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_queries], 1, "query counted, not used");
	m.b[2] = 0x80 | (5 << 3); /* opcode UPDATE */
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_drop_opcode], 1, "opcode other than QUERY dropped");
	m.b[2] = 0x80;
	sensor_dns_process(e.dns, m.b, m.n, 1, true);
	is_int(e.st.v[SENSOR_ST_malformed_snaplen], 1, "message cut by snaplen dropped");
	sensor_dns_process(e.dns, m.b, 11, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_header], 1, "short header dropped");
	m.b[2] = 0x82; /* TC=1 still counts */
	m.b[3] = 0x05; /* REFUSED: any rcode */
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(drain(e.agg), 1, "TC=1 and rcode REFUSED responses still count");
	env_free(&e);
}

/* Each malformed message has a good record first: nothing may be kept. */
static void
test_malformed(void)
{
	struct env e;
	struct msg m;

	env_new(&e, true);

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	u16(&m, 0xc000 | (uint16_t)(m.n + 0)); /* pointer to itself */
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 4); put(&m, ip2, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_ptr], 1, "pointer loop: malformed_ptr");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	u16(&m, 0xc000 | (uint16_t)(m.n + 20)); /* forward pointer */
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 4); put(&m, ip2, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_ptr], 2, "forward pointer: malformed_ptr");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	u8(&m, 64); /* label type 0x40 */
	for (int i = 0; i < 64; i++)
		u8(&m, 'x');
	u8(&m, 0);
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 4); put(&m, ip2, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_label], 1, "label of 64: malformed_label");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	for (int l = 0; l < 5; l++) { /* 5 labels of 63: 320 octets */
		u8(&m, 63);
		for (int i = 0; i < 63; i++)
			u8(&m, 'y');
	}
	u8(&m, 0);
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 4); put(&m, ip2, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_name_len], 1, "name over 255: malformed_name_len");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	name(&m, "b.test");
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 40); put(&m, ip2, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_trunc], 1, "rdlength past the end: malformed_trunc");

	header(&m, 0x8180, 1, 3, 0, 0); /* says 3 answers, has 1 */
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_trunc], 2, "counts larger than records: malformed_trunc");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	name(&m, "b.test");
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 5); put(&m, "\1\2\3\4\5", 5);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_rdata], 1, "A with rdlength 5: malformed_rdata");

	header(&m, 0x8180, 1, 2, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	rr_name(&m, "a.test", 5, "c.test"); /* CNAME with a byte after its name */
	m.b[m.n - 9]++;
	u8(&m, 0);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_malformed_rdata], 2, "CNAME with a byte left over: malformed_rdata");

	is_int(drain(e.agg), 0, "no malformed message left any observation");
	is_int(e.st.v[SENSOR_ST_responses], 0, "none counted as a response");

	header(&m, 0x8180, 1, 1, 0, 0);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	put(&m, "junk", 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_trailing_bytes], 1, "bytes after the last record counted");
	is_int(drain(e.agg), 1, "... and not fatal");
	env_free(&e);
}

static void
test_class_meta(void)
{
	struct env e;
	struct msg m;

	env_new(&e, true);
	header(&m, 0x8180, 1, 2, 0, 2);
	question(&m, "a.test", 1);
	rr_a(&m, "a.test", ip1);
	name(&m, "a.test"); /* class CH */
	u16(&m, 1); u16(&m, 3); u32(&m, 1); u16(&m, 4); put(&m, ip2, 4);
	u8(&m, 0); /* OPT */
	u16(&m, 41); u16(&m, 1232); u32(&m, 0); u16(&m, 0);
	name(&m, "key"); /* TSIG (class ANY), minimal valid rdata */
	u16(&m, 250); u16(&m, 255); u32(&m, 0);
	size_t at = m.n;
	u16(&m, 0);
	size_t start = m.n;
	name(&m, "hmac-sha256");
	u16(&m, 0); u32(&m, 1700000000); u16(&m, 300); /* time signed, fudge */
	u16(&m, 0);                                    /* MAC size */
	u16(&m, 0x1234); u16(&m, 0); u16(&m, 0);       /* orig id, error, other len */
	m.b[at + 1] = (uint8_t)(m.n - start);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(e.st.v[SENSOR_ST_drop_class], 1, "class CH record dropped");
	is_int(e.st.v[SENSOR_ST_drop_meta], 2, "OPT and TSIG never observations");
	is_int(drain(e.agg), 1, "the IN answer is kept");
	env_free(&e);
}

static void
test_bailiwick(void)
{
	struct env e;
	struct msg m;

	/* A referral (AA=0) from the com servers for www.example.com. */
	env_new(&e, true);
	header(&m, 0x8000, 1, 0, 2, 2);
	question(&m, "www.example.com", 1);
	rr_name(&m, "example.com", 2, "ns1.example.com");
	rr_name(&m, "example.com", 2, "ns.other.net");
	rr_a(&m, "ns1.example.com", ip1); /* in-bailiwick glue */
	rr_a(&m, "ns.other.net", ip2);    /* out of bailiwick */
	sensor_dns_process(e.dns, m.b, m.n, 5, false);
	is_int(drain(e.agg), 3, "referral: 2 NS and 1 glue kept");
	is_str(rows[0], "2|example.com|2|ns.other.net|com|1|5|5", "NS in authority, bailiwick = parent of Z");
	is_str(rows[1], "2|example.com|2|ns1.example.com|com|1|5|5", "second NS");
	is_str(rows[2], "3|ns1.example.com|1|192.0.2.1|com|1|5|5", "glue below Z kept");
	is_int(e.st.v[SENSOR_ST_drop_bailiwick], 1, "out-of-bailiwick glue dropped");

	/* Authoritative answer: bailiwick Z itself, on the answer too. */
	header(&m, 0x8400, 1, 2, 1, 0);
	question(&m, "www.example.com", 1);
	rr_a(&m, "www.example.com", ip1);
	rr_a(&m, "evil.test", ip2); /* answer outside Z: kept, no bailiwick */
	rr_name(&m, "example.com", 2, "ns1.example.com");
	sensor_dns_process(e.dns, m.b, m.n, 6, false);
	is_int(drain(e.agg), 3, "AA answer: 2 answers and the NS");
	is_str(rows[0], "1|evil.test|1|192.0.2.2|-|1|6|6", "answer outside Z has no bailiwick");
	is_str(rows[1], "1|www.example.com|1|192.0.2.1|example.com|1|6|6", "answer under Z: bailiwick Z");
	is_str(rows[2], "2|example.com|2|ns1.example.com|example.com|1|6|6", "NS with AA: bailiwick Z");

	/* No NS or SOA in authority: authority and additional all dropped. */
	header(&m, 0x8180, 1, 1, 0, 1);
	question(&m, "www.example.com", 1);
	rr_a(&m, "www.example.com", ip1);
	rr_a(&m, "www.example.com", ip2);
	sensor_dns_process(e.dns, m.b, m.n, 7, false);
	is_int(drain(e.agg), 1, "no Z: only the answer");

	/* An NS for a zone that is not an ancestor of the qname gives no Z. */
	header(&m, 0x8000, 1, 0, 1, 1);
	question(&m, "www.example.com", 1);
	rr_name(&m, "evil.test", 2, "ns.evil.test");
	rr_a(&m, "ns.evil.test", ip2);
	sensor_dns_process(e.dns, m.b, m.n, 8, false);
	is_int(drain(e.agg), 0, "unrelated NS: nothing kept");

	/* NXDOMAIN with the zone's SOA. */
	header(&m, 0x8403, 1, 0, 1, 0);
	question(&m, "nope.example.com", 28);
	name(&m, "example.com");
	u16(&m, 6); u16(&m, 1); u32(&m, 60);
	size_t at = m.n;
	u16(&m, 0);
	size_t start = m.n;
	name(&m, "ns1.example.com");
	name(&m, "hostmaster.example.com");
	u32(&m, 1); u32(&m, 2); u32(&m, 3); u32(&m, 4); u32(&m, 5);
	m.b[at + 1] = (uint8_t)(m.n - start);
	sensor_dns_process(e.dns, m.b, m.n, 9, false);
	is_int(drain(e.agg), 1, "SOA of an NXDOMAIN kept");
	is_str(rows[0], "2|example.com|6|ns1.example.com hostmaster.example.com 1 2 3 4 5|example.com|1|9|9",
	       "SOA row");
	is_int(drain(e.nxd), 1, "NXDOMAIN row");
	is_str(rows[0], "4|nope.example.com|28||-|1|9|9", "NXDOMAIN keyed (qname, qtype)");
	env_free(&e);
}

static void
test_sections_answer_only(void)
{
	struct env e;
	struct msg m;

	env_new(&e, false);
	header(&m, 0x8400, 1, 1, 1, 0);
	question(&m, "www.example.com", 1);
	rr_a(&m, "www.example.com", ip1);
	rr_name(&m, "example.com", 2, "ns1.example.com");
	sensor_dns_process(e.dns, m.b, m.n, 6, false);
	is_int(drain(e.agg), 1, "answer rows only without --sections all");
	is_int(e.st.v[SENSOR_ST_drop_section], 1, "the NS counted as not printed");
	env_free(&e);
}

static void
test_escapes(void)
{
	struct env e;
	struct msg m;

	env_new(&e, false);
	header(&m, 0x8180, 1, 1, 0, 0);
	question(&m, "x.test", 1);
	u8(&m, 8);
	put(&m, "john.doe", 8);
	u8(&m, 3);
	put(&m, "a b", 3);
	u8(&m, 0);
	u16(&m, 1); u16(&m, 1); u32(&m, 1); u16(&m, 4); put(&m, ip1, 4);
	sensor_dns_process(e.dns, m.b, m.n, 1, false);
	is_int(drain(e.agg), 1, "one row");
	is_str(rows[0], "1|john\\.doe.a\\032b|1|192.0.2.1|-|1|1|1", "dig escapes in owner names");
	env_free(&e);
}

int
main(void)
{
	test_basic_and_dedup();
	test_query_opcode_cut();
	test_malformed();
	test_class_meta();
	test_bailiwick();
	test_sections_answer_only();
	test_escapes();
	return tap_done();
}
