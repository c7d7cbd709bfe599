/*
 * test_sensor_dnstap.c - the dnstap decoder and the Frame Streams parser:
 * which message types become observations, query_zone as the bailiwick
 * (against the capture rule on the same message), what is counted and
 * dropped, and the socket handshake (READY/ACCEPT/START/STOP/FINISH),
 * bounds and refusals, whole or one octet at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstrm.h>

#include "proto/proto_name.h"
#include "sensor/sensor_dns.h"
#include "sensor/sensor_dnstap.h"
#include "sensor/sensor_fstrm.h"
#include "obs_rows.h"
#include "tap.h"
#include "tests/dnstap/dnstap_build.h"

#define T0 1700000000u
#define CT SENSOR_DNSTAP_CONTENT_TYPE

static struct sensor_agg *agg, *nxd;
static struct sensor_dns *dns;
static struct sensor_stats st;

static void
reset(void)
{
	sensor_dns_destroy(&dns);
	sensor_agg_destroy(&agg);
	sensor_agg_destroy(&nxd);
	memset(&st, 0, sizeof(st));
	if (sensor_agg_new(&agg, 1 << 20) || sensor_agg_new(&nxd, 1 << 20) ||
	    sensor_dns_new(&dns, agg, nxd, &st, true))
		abort();
}

static int64_t last_nsec;

static int
to_dns(void *arg, const struct sensor_dnstap_msg *m)
{
	(void)arg;
	last_nsec = m->nsec;
	return sensor_dns_process_zone(dns, m->dns, m->len, m->sec, m->zone, m->zlen);
}

static uint8_t fbuf[1 << 16];

/* Pack and decode one frame with the kept types. */
static size_t
feed(const struct dt_spec *s, unsigned types)
{
	size_t n = dt_pack(s, fbuf, sizeof(fbuf));
	if (n == 0)
		abort();
	(void)sensor_dnstap_frame(fbuf, n, types, &st, to_dns, NULL);
	return n;
}

#define ST(name) st.v[SENSOR_ST_##name]

/* A root referral (AA=0) and a TLD answer with an out-of-bailiwick record. */
static struct dmsg referral, answer;

static void
build_messages(void)
{
	dm_header(&referral, 0x8000, 0, 1, 2);
	dm_question(&referral, "www.example.test", 1);
	dm_rr_name(&referral, "test", 2, "ns1.nic.test");
	dm_a(&referral, "ns1.nic.test", 127, 0, 0, 3);
	dm_a(&referral, "a.root-servers.lab", 127, 0, 0, 2); /* outside test. */

	dm_header(&answer, 0x8400, 1, 1, 2);
	dm_question(&answer, "www.example.test", 1);
	dm_a(&answer, "www.example.test", 192, 0, 2, 10);
	dm_rr_name(&answer, "test", 2, "ns1.nic.test");
	dm_a(&answer, "ns1.nic.test", 127, 0, 0, 3);
	dm_a(&answer, "evil.example.com", 203, 0, 113, 66);
}

static void
test_zone_is_bailiwick(void)
{
	reset();
	feed(&(struct dt_spec){ .type = RR, .zone = ".", .response = &referral, .sec = T0 }, 0);
	is_int(drain(agg), 3, "root referral with query_zone '.': every record kept");
	is_str(rows[0], "2|test|2|ns1.nic.test|.|1|1700000000|1700000000",
	       "referral NS, bailiwick the root");
	is_str(rows[1], "3|a.root-servers.lab|1|127.0.0.2|.|1|1700000000|1700000000",
	       "glue outside test. kept: the root is authoritative for it");
	is_str(rows[2], "3|ns1.nic.test|1|127.0.0.3|.|1|1700000000|1700000000", "glue");
	is_int(ST(dnstap_resolver), 1, "counted as RESOLVER_RESPONSE");

	/* The same message under the capture rule: Z = test., parent "." */
	reset();
	sensor_dns_process(dns, referral.b, referral.n, T0, false);
	is_int(drain(agg), 2, "capture rule: a.root-servers.lab is not below test.");
	is_int(ST(drop_bailiwick), 1, "counted as out of bailiwick");

	reset();
	feed(&(struct dt_spec){ .type = RR, .zone = "test.", .response = &answer,
	                        .sec = T0 + 5, .nsec = 999999999 }, 0);
	feed(&(struct dt_spec){ .type = RR, .zone = "test.", .response = &answer,
	                        .sec = T0 + 9 }, 0);
	is_int(drain(agg), 3, "TLD answer: evil.example.com dropped");
	is_str(rows[0], "1|www.example.test|1|192.0.2.10|test|2|1700000005|1700000009",
	       "answer, bailiwick test, whole seconds");
	is_str(rows[1], "2|test|2|ns1.nic.test|test|2|1700000005|1700000009", "NS");
	is_str(rows[2], "3|ns1.nic.test|1|127.0.0.3|test|2|1700000005|1700000009", "glue");
	is_int(ST(drop_bailiwick), 2, "out-of-bailiwick record counted per response");
	is_int(last_nsec, 0, "nanoseconds passed along");

	/* A zone below the records: a forwarder's forward zone. */
	reset();
	feed(&(struct dt_spec){ .type = FR, .zone = "example.test.", .response = &answer,
	                        .sec = T0 }, 0);
	is_int(drain(agg), 1, "forward zone example.test: test. NS and glue above it dropped");
	is_str(rows[0], "1|www.example.test|1|192.0.2.10|example.test|1|1700000000|1700000000",
	       "answer gets the forward zone");
	is_int(ST(dnstap_forwarder), 1, "counted as FORWARDER_RESPONSE");

	/* Upper case zone, AA=0 answer: the zone itself, lowercased. */
	reset();
	struct dmsg m;
	dm_header(&m, 0x8000, 1, 0, 0);
	dm_question(&m, "WWW.Example.Test", 1);
	dm_a(&m, "WWW.Example.Test", 192, 0, 2, 10);
	feed(&(struct dt_spec){ .type = RR, .zone = "TEST.", .response = &m, .sec = T0 }, 0);
	is_int(drain(agg), 1, "upper case");
	is_str(rows[0], "1|www.example.test|1|192.0.2.10|test|1|1700000000|1700000000",
	       "names and zone lowercased; AA=0 keeps the zone, not its parent");

	/* No zone: the capture rule. */
	reset();
	feed(&(struct dt_spec){ .type = RR, .response = &answer, .sec = T0 }, 0);
	is_int(drain(agg), 3, "no query_zone: capture rule");
	is_str(rows[1], "2|test|2|ns1.nic.test|test|1|1700000000|1700000000", "Z from the NS");
}

static void
test_types(void)
{
	struct dmsg q, garbage;

	dm_header(&q, 0x0100, 0, 0, 0);
	dm_question(&q, "www.example.test", 1);
	memset(garbage.b, 0xc0, 64); /* every byte a pointer: parsing would fail */
	garbage.n = 64;

	reset();
	feed(&(struct dt_spec){ .type = CR, .response = &answer, .sec = T0 }, 0);
	feed(&(struct dt_spec){ .type = CR, .response = &garbage, .sec = T0 }, 7);
	feed(&(struct dt_spec){ .type = CQ, .query = &q, .sec = T0 }, 7);
	is_int(ST(dnstap_client), 3, "CLIENT_RESPONSE and CLIENT_QUERY discarded, any types");
	is_int(ST(responses) + ST(malformed_ptr) + ST(malformed_trunc), 0,
	       "their DNS messages are never parsed");
	feed(&(struct dt_spec){ .type = RQ, .zone = "test.", .query = &q, .sec = T0 }, 7);
	feed(&(struct dt_spec){ .type = AR, .zone = "test.", .response = &answer, .sec = T0 }, 0);
	feed(&(struct dt_spec){ .type = FR, .zone = "test.", .response = &answer, .sec = T0 },
	     SENSOR_DNSTAP_RESOLVER);
	is_int(ST(dnstap_other), 3, "queries, AUTH_RESPONSE by default, types not kept");
	is_int(drain(agg), 0, "nothing observed");
	feed(&(struct dt_spec){ .type = AR, .zone = "test.", .response = &answer, .sec = T0 },
	     SENSOR_DNSTAP_AUTH);
	is_int(ST(dnstap_auth), 1, "AUTH_RESPONSE kept when asked");
	is_int(drain(agg), 3, "its rows");
	is_int(ST(dnstap_frames), 7, "every frame counted");

	unsigned t = 0;
	is_int(sensor_dnstap_parse_types("resolver,auth", &t), 0, "parse types");
	is_int(t, SENSOR_DNSTAP_RESOLVER | SENSOR_DNSTAP_AUTH, "bits");
	ok(sensor_dnstap_parse_types("client", &t) != 0, "client is not a kept type");
	ok(sensor_dnstap_parse_types("resolver,", &t) != 0, "empty item");
	ok(sensor_dnstap_parse_types("", &t) != 0, "empty");
}

static void
test_malformed(void)
{
	static const uint8_t badzone[] = { 4, 't', 'e', 's' };
	static const uint8_t ptrzone[] = { 0xc0, 0x00 };
	static const uint8_t trailzone[] = { 4, 't', 'e', 's', 't', 0, 0 };

	reset();
	feed(&(struct dt_spec){ .type = RR, .zone_raw = badzone, .zone_raw_len = 4,
	                        .response = &answer, .sec = T0 }, 0);
	feed(&(struct dt_spec){ .type = RR, .zone_raw = ptrzone, .zone_raw_len = 2,
	                        .response = &answer, .sec = T0 }, 0);
	feed(&(struct dt_spec){ .type = RR, .zone_raw = trailzone, .zone_raw_len = 7,
	                        .response = &answer, .sec = T0 }, 0);
	is_int(ST(dnstap_malformed), 3, "truncated, compressed, trailing query_zone");
	feed(&(struct dt_spec){ .type = RR, .zone = "test.", .sec = T0 }, 0);
	feed(&(struct dt_spec){ .type = RR, .zone = "test.", .response = &answer,
	                        .no_time = true }, 0);
	is_int(ST(dnstap_empty), 2, "no response_message, no response_time");
	is_int(drain(agg), 0, "nothing observed");

	/* Protobuf damage: every prefix of a good frame, and odd bytes. */
	size_t n = dt_pack(&(struct dt_spec){ .type = RR, .zone = "test.", .response = &answer,
	                                      .sec = T0 }, fbuf, sizeof(fbuf));
	uint64_t before = ST(dnstap_malformed) + ST(dnstap_empty) + ST(dnstap_other) +
	                  ST(dnstap_resolver);
	for (size_t i = 0; i < n; i++)
		(void)sensor_dnstap_frame(fbuf, i, 0, &st, to_dns, NULL);
	is_int(ST(dnstap_frames), 5 + n, "every prefix counted as a frame");
	ok(ST(dnstap_malformed) + ST(dnstap_empty) + ST(dnstap_other) + ST(dnstap_resolver) -
	   before == n, "every prefix is malformed, empty or without a message");
	static const uint8_t odd[][8] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, /* endless varint */
		{ 0x72, 0x10, 0x08, 0x04 },                         /* length past the end */
		{ 0x73, 0x08, 0x04, 0x74 },                         /* field 14 as a group */
		{ 0x70, 0x04 },                                     /* field 14 as a varint */
		{ 0x72, 0x02, 0x0a, 0x00 },                         /* type as bytes */
		{ 0x00, 0x01 },                                     /* field number 0 */
	};
	static const size_t oddlen[] = { 8, 4, 4, 2, 4, 2 };
	before = ST(dnstap_malformed);
	for (size_t i = 0; i < 6; i++)
		(void)sensor_dnstap_frame(odd[i], oddlen[i], 7, &st, to_dns, NULL);
	is_int(ST(dnstap_malformed) - before, 6, "broken wire format is malformed");
	/* Type 4 in the walk, but no Dnstap.type (required): protobuf-c refuses. */
	static const uint8_t notype[] = { 0x72, 0x02, 0x08, 0x04 };
	before = ST(dnstap_malformed);
	(void)sensor_dnstap_frame(notype, sizeof(notype), 0, &st, to_dns, NULL);
	is_int(ST(dnstap_malformed) - before, 1, "a required field missing is malformed");
	is_int(drain(agg), 0, "still nothing observed");
}

/* ---- Frame Streams ---- */

static int nframes;

static int
count_frame(void *arg, const uint8_t *data, size_t len)
{
	(void)arg;
	nframes++;
	return sensor_dnstap_frame(data, len, 0, &st, to_dns, NULL);
}

static uint8_t stream[1 << 20];
static size_t slen;

static void
s_control(fstrm_control_type t, const char *ctype, const char *ctype2)
{
	struct fstrm_control *c = fstrm_control_init();
	size_t len = sizeof(stream) - slen;
	fstrm_control_set_type(c, t);
	if (ctype != NULL)
		fstrm_control_add_field_content_type(c, (const uint8_t *)ctype, strlen(ctype));
	if (ctype2 != NULL)
		fstrm_control_add_field_content_type(c, (const uint8_t *)ctype2, strlen(ctype2));
	if (fstrm_control_encode(c, stream + slen, &len, FSTRM_CONTROL_FLAG_WITH_HEADER) !=
	    fstrm_res_success)
		abort();
	slen += len;
	fstrm_control_destroy(&c);
}

static void
s_u32(uint32_t v)
{
	stream[slen++] = (uint8_t)(v >> 24);
	stream[slen++] = (uint8_t)(v >> 16);
	stream[slen++] = (uint8_t)(v >> 8);
	stream[slen++] = (uint8_t)v;
}

static void
s_frame(const struct dt_spec *s)
{
	size_t n = dt_pack(s, stream + slen + 4, sizeof(stream) - slen - 4);
	s_u32((uint32_t)n);
	slen += n;
}

/* Feed the stream; the replies the peer got, as control types (e.g. "1,5"). */
static bool
run(size_t chunk, char *replies, size_t cap)
{
	int sv[2];
	bool open;
	uint8_t buf[4096];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	nframes = 0;
	(void)sensor_fstrm_feed(sv[0], stream, slen, chunk, CT, SENSOR_DNSTAP_MAX_FRAME, &st,
	                        count_frame, NULL, &open);
	close(sv[0]);
	ssize_t n = recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);
	close(sv[1]);
	replies[0] = '\0';
	for (ssize_t p = 0; p + 12 <= n;) {
		uint32_t clen = (uint32_t)buf[p + 4] << 24 | (uint32_t)buf[p + 5] << 16 |
		                (uint32_t)buf[p + 6] << 8 | buf[p + 7];
		struct fstrm_control *c = fstrm_control_init();
		fstrm_control_type t = 0;
		if (fstrm_control_decode(c, buf + p + 8, clen, 0) == fstrm_res_success)
			fstrm_control_get_type(c, &t);
		bool ours = t == FSTRM_CONTROL_ACCEPT &&
		            fstrm_control_match_field_content_type(
				    c, (const uint8_t *)CT, strlen(CT)) == fstrm_res_success;
		fstrm_control_destroy(&c);
		snprintf(replies + strlen(replies), cap - strlen(replies), "%s%d%s",
		         replies[0] ? "," : "", (int)t, ours ? "+" : "");
		p += 8 + clen;
	}
	return open;
}

static void
test_fstrm(void)
{
	char rep[64];
	struct dt_spec good = { .type = RR, .zone = "test.", .response = &answer, .sec = T0 };
	struct dt_spec client = { .type = CR, .response = &answer, .sec = T0 };

	/* Bidirectional: READY offering two types, ACCEPT naming ours. */
	slen = 0;
	s_control(FSTRM_CONTROL_READY, "protobuf:other", CT);
	s_control(FSTRM_CONTROL_START, CT, NULL);
	s_frame(&good);
	s_frame(&client);
	s_u32(300000); /* an oversized frame, skipped unread */
	memset(stream + slen, 0xab, 300000);
	slen += 300000;
	s_frame(&good);
	s_control(FSTRM_CONTROL_STOP, NULL, NULL);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		reset();
		bool open = run(chunk, rep, sizeof(rep));
		is_str(rep, "1+,5", "%s: ACCEPT with our content type, then FINISH",
		       chunk ? "one octet at a time" : "whole");
		ok(!open, "closed after STOP");
		is_int(nframes, 3, "three frames delivered");
		is_int(ST(dnstap_oversized), 1, "the oversized frame counted");
		is_int(ST(dnstap_client), 1, "client frame discarded");
		is_int(ST(responses), 2, "two responses");
		is_int(ST(dnstap_refused), 0, "nothing refused");
	}

	/* Unidirectional: START first; no replies, no FINISH. */
	slen = 0;
	s_control(FSTRM_CONTROL_START, CT, NULL);
	s_frame(&good);
	s_control(FSTRM_CONTROL_STOP, NULL, NULL);
	reset();
	ok(!run(7, rep, sizeof(rep)), "unidirectional: closed after STOP");
	is_str(rep, "", "no replies");
	is_int(nframes, 1, "one frame");

	/* Still open while frames come; a partial frame waits. */
	slen = 0;
	s_control(FSTRM_CONTROL_START, NULL, NULL);
	s_frame(&good);
	slen -= 3;
	reset();
	ok(run(0, rep, sizeof(rep)), "no STOP yet: still open");
	is_int(nframes, 0, "the partial frame is not delivered");

	/* Refusals. */
	slen = 0;
	s_control(FSTRM_CONTROL_READY, "protobuf:other", NULL);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1 && rep[0] == '\0',
	   "READY without our content type: closed, refused, no ACCEPT (%s)", rep);

	slen = 0;
	s_control(FSTRM_CONTROL_START, "protobuf:other", NULL);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1, "START of another type");

	slen = 0;
	s_frame(&good);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1 && nframes == 0,
	   "data before START refused");

	slen = 0;
	s_u32(0);
	s_u32(513);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1,
	   "control frame over 512 octets refused");

	slen = 0;
	s_control(FSTRM_CONTROL_START, CT, NULL);
	s_control(FSTRM_CONTROL_START, CT, NULL);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1, "a second START refused");

	slen = 0;
	s_control(FSTRM_CONTROL_READY, CT, NULL);
	s_control(FSTRM_CONTROL_STOP, NULL, NULL);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1, "STOP before START refused");

	slen = 0;
	s_u32(0);
	s_u32(8);
	s_u32(0x99); /* unknown control type */
	s_u32(0);
	reset();
	ok(!run(0, rep, sizeof(rep)) && ST(dnstap_refused) == 1, "unknown control type");

	ok(sensor_fstrm_check_hostport("127.0.0.1:6000") == 0, "HOST:PORT");
	ok(sensor_fstrm_check_hostport("[::1]:6000") == 0, "[V6]:PORT");
	ok(sensor_fstrm_check_hostport("localhost:1") == 0, "name:PORT");
	ok(sensor_fstrm_check_hostport("::1:6000") != 0, "IPv6 without brackets");
	ok(sensor_fstrm_check_hostport("127.0.0.1") != 0, "no port");
	ok(sensor_fstrm_check_hostport("127.0.0.1:0") != 0, "port 0");
	ok(sensor_fstrm_check_hostport("127.0.0.1:65536") != 0, "port too large");
	ok(sensor_fstrm_check_hostport(":53") != 0, "no host");
	ok(sensor_fstrm_check_hostport("h:+53") != 0, "signed port");
}

int
main(void)
{
	build_messages();
	test_zone_is_bailiwick();
	test_types();
	test_malformed();
	test_fstrm();
	reset();
	sensor_dns_destroy(&dns);
	sensor_agg_destroy(&agg);
	sensor_agg_destroy(&nxd);
	return tap_done();
}
