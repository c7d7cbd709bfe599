/*
 * dnstap_gen.c - dnstap test inputs, written with libfstrm's file writer.
 *
 *   dnstap_gen cases FILE       the case set (tests/dnstap/cases.cof is what
 *                               pdns-sensor --sections all must print for it)
 *   dnstap_gen oversized FILE   a good frame, one of 300000 octets, a good one
 *   dnstap_gen corpus DIR       seeds for fuzz_dnstap (see fuzz_dnstap.c)
 *
 * The cases, at T = 1700000000 (each line one frame):
 *  1 RESOLVER_RESPONSE zone "."        root referral for www.example.test (AA=0)
 *  2 RESOLVER_RESPONSE zone "test."    www.example.test A, NS, glue, an
 *                                      out-of-bailiwick evil.example.com A (T+5)
 *  3 the same at T+10.999999999
 *  4 FORWARDER_RESPONSE zone "fwd.test." www.fwd.test A; test. NS above the zone
 *  5 CLIENT_RESPONSE                   secret.example.test A (must not appear)
 *  6 CLIENT_QUERY                      (discarded)
 *  7 RESOLVER_QUERY                    (discarded)
 *  8 AUTH_RESPONSE zone "test."        auth.example.test A (only with auth)
 *  9 RESOLVER_RESPONSE zone "test."    NXDOMAIN nx.example.test, SOA
 * 10 RESOLVER_RESPONSE zone "TEST."    Mixed.Example.TEST A (case folded)
 * 11 RESOLVER_RESPONSE no zone         nozone.example.test A, test. NS (capture rule)
 * 12 RESOLVER_RESPONSE zone damaged    (malformed)
 * 13 RESOLVER_RESPONSE no response     (empty)
 * 14 not protobuf                      (malformed)
 * 15 RESOLVER_RESPONSE zone "test."    DNS message with a forward pointer
 * 16 RESOLVER_RESPONSE no times        (empty)
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <fstrm.h>

#include "tests/dnstap/dnstap_build.h"

#define T0 1700000000u
#define NCASES 16
#define CAP 4096
#define CTYPE "protobuf:dnstap.Dnstap"

static uint8_t frames[NCASES][CAP];
static size_t lens[NCASES];

static void
add(size_t i, const struct dt_spec *s)
{
	lens[i] = dt_pack(s, frames[i], CAP);
	if (lens[i] == 0) {
		fprintf(stderr, "dnstap_gen: case %zu does not fit\n", i + 1);
		exit(1);
	}
}

static void
build(void)
{
	static struct dmsg q, m;

	/* 1: the root refers www.example.test to test. */
	dm_header(&q, 0x0000, 0, 0, 0);
	dm_question(&q, "www.example.test", 1);
	dm_header(&m, 0x8000, 0, 1, 1);
	dm_question(&m, "www.example.test", 1);
	dm_rr_name(&m, "test", 2, "ns1.nic.test");
	dm_a(&m, "ns1.nic.test", 127, 0, 0, 3);
	add(0, &(struct dt_spec){ .type = RR, .zone = ".", .query = &q, .response = &m,
	                          .sec = T0 });

	/* 2, 3: the TLD answers, with glue and an out-of-bailiwick record. */
	dm_header(&m, 0x8400, 1, 1, 2);
	dm_question(&m, "www.example.test", 1);
	dm_a(&m, "www.example.test", 192, 0, 2, 10);
	dm_rr_name(&m, "test", 2, "ns1.nic.test");
	dm_a(&m, "ns1.nic.test", 127, 0, 0, 3);
	dm_a(&m, "evil.example.com", 203, 0, 113, 66);
	add(1, &(struct dt_spec){ .type = RR, .zone = "test.", .query = &q, .response = &m,
	                          .sec = T0 + 5 });
	add(2, &(struct dt_spec){ .type = RR, .zone = "test.", .query = &q, .response = &m,
	                          .sec = T0 + 10, .nsec = 999999999 });

	/* 4: forwarded: the zone is the forward zone. */
	dm_header(&m, 0x8400, 1, 1, 0);
	dm_question(&m, "www.fwd.test", 1);
	dm_a(&m, "www.fwd.test", 192, 0, 2, 77);
	dm_rr_name(&m, "test", 2, "ns1.nic.test");
	add(3, &(struct dt_spec){ .type = FR, .zone = "fwd.test.", .response = &m,
	                          .sec = T0 + 20 });

	/* 5, 6: a client's view: never read. */
	dm_header(&m, 0x8180, 1, 0, 0);
	dm_question(&m, "secret.example.test", 1);
	dm_a(&m, "secret.example.test", 198, 51, 100, 1);
	add(4, &(struct dt_spec){ .type = CR, .response = &m, .sec = T0 + 30 });
	dm_header(&q, 0x0100, 0, 0, 0);
	dm_question(&q, "secret.example.test", 1);
	add(5, &(struct dt_spec){ .type = CQ, .query = &q, .sec = T0 + 30 });

	/* 7: a resolver's query. */
	dm_header(&q, 0x0000, 0, 0, 0);
	dm_question(&q, "www.example.test", 1);
	add(6, &(struct dt_spec){ .type = RQ, .zone = "test.", .query = &q, .sec = T0 + 31 });

	/* 8: an authoritative server's response. */
	dm_header(&m, 0x8400, 1, 1, 0);
	dm_question(&m, "auth.example.test", 1);
	dm_a(&m, "auth.example.test", 192, 0, 2, 200);
	dm_rr_name(&m, "test", 2, "ns1.nic.test");
	add(7, &(struct dt_spec){ .type = AR, .zone = "test.", .response = &m,
	                          .sec = T0 + 32 });

	/* 9: NXDOMAIN with the zone's SOA. */
	dm_header(&m, 0x8403, 0, 1, 0);
	dm_question(&m, "nx.example.test", 1);
	dm_soa(&m, "test", "ns1.nic.test", "hostmaster.nic.test");
	add(8, &(struct dt_spec){ .type = RR, .zone = "test.", .response = &m,
	                          .sec = T0 + 40 });

	/* 10: upper case in the zone and the names. */
	dm_header(&m, 0x8400, 1, 0, 0);
	dm_question(&m, "Mixed.Example.TEST", 1);
	dm_a(&m, "Mixed.Example.TEST", 192, 0, 2, 11);
	add(9, &(struct dt_spec){ .type = RR, .zone = "TEST.", .response = &m,
	                          .sec = T0 + 50 });

	/* 11: no query_zone: the capture rule finds test. in the authority. */
	dm_header(&m, 0x8400, 1, 1, 0);
	dm_question(&m, "nozone.example.test", 1);
	dm_a(&m, "nozone.example.test", 192, 0, 2, 12);
	dm_rr_name(&m, "test", 2, "ns1.nic.test");
	add(10, &(struct dt_spec){ .type = RR, .response = &m, .sec = T0 + 60 });

	/* 12: a zone that ends inside its label. */
	static const uint8_t badzone[] = { 4, 't', 'e', 's' };
	dm_header(&m, 0x8400, 1, 0, 0);
	dm_question(&m, "bad.example.test", 1);
	dm_a(&m, "bad.example.test", 192, 0, 2, 13);
	add(11, &(struct dt_spec){ .type = RR, .zone_raw = badzone,
	                           .zone_raw_len = sizeof(badzone), .response = &m,
	                           .sec = T0 + 70 });

	/* 13: a response type without its response. */
	add(12, &(struct dt_spec){ .type = RR, .zone = "test.", .query = &q, .sec = T0 + 80 });

	/* 14: not protobuf at all. */
	memset(frames[13], 0xff, 40);
	lens[13] = 40;

	/* 15: a DNS message with a compression pointer forward. */
	dm_header(&m, 0x8400, 1, 0, 0);
	dm_question(&m, "ptr.example.test", 1);
	dm_u16(&m, 0xc000 | 0x0fff);
	dm_u16(&m, 1);
	dm_u16(&m, 1);
	dm_u16(&m, 0);
	dm_u16(&m, 300);
	dm_u16(&m, 4);
	dm_put(&m, "\xc0\x00\x02\x0e", 4);
	add(14, &(struct dt_spec){ .type = RR, .zone = "test.", .response = &m,
	                           .sec = T0 + 90 });

	/* 16: no times. */
	dm_header(&m, 0x8400, 1, 0, 0);
	dm_question(&m, "notime.example.test", 1);
	dm_a(&m, "notime.example.test", 192, 0, 2, 14);
	add(15, &(struct dt_spec){ .type = RR, .zone = "test.", .response = &m,
	                           .no_time = true });
}

static struct fstrm_writer *
open_writer(const char *path)
{
	struct fstrm_file_options *fopt = fstrm_file_options_init();
	struct fstrm_writer_options *wopt = fstrm_writer_options_init();
	struct fstrm_writer *w;

	fstrm_file_options_set_file_path(fopt, path);
	fstrm_writer_options_add_content_type(wopt, CTYPE, strlen(CTYPE));
	w = fstrm_file_writer_init(fopt, wopt);
	fstrm_file_options_destroy(&fopt);
	fstrm_writer_options_destroy(&wopt);
	if (w == NULL || fstrm_writer_open(w) != fstrm_res_success) {
		fprintf(stderr, "dnstap_gen: cannot write '%s'\n", path);
		exit(1);
	}
	return w;
}

static void
write_frame(struct fstrm_writer *w, const void *data, size_t len)
{
	if (fstrm_writer_write(w, data, len) != fstrm_res_success) {
		fprintf(stderr, "dnstap_gen: write failed\n");
		exit(1);
	}
}

static void
close_writer(struct fstrm_writer **w)
{
	if (fstrm_writer_close(*w) != fstrm_res_success) {
		fprintf(stderr, "dnstap_gen: close failed\n");
		exit(1);
	}
	fstrm_writer_destroy(w);
}

/* A control frame with its escape and length, appended to a seed. */
static size_t
control(uint8_t *out, size_t cap, fstrm_control_type t, const char *ctype)
{
	struct fstrm_control *c = fstrm_control_init();
	size_t len = cap;

	fstrm_control_set_type(c, t);
	if (ctype != NULL)
		fstrm_control_add_field_content_type(c, (const uint8_t *)ctype, strlen(ctype));
	if (fstrm_control_encode(c, out, &len, FSTRM_CONTROL_FLAG_WITH_HEADER) !=
	    fstrm_res_success)
		len = 0;
	fstrm_control_destroy(&c);
	return len;
}

static void
seed(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "dnstap_gen: cannot write '%s'\n", path);
		exit(1);
	}
}

/* A stream seed: mode octet, handshake, some frames, STOP. */
static void
stream_seed(const char *dir, const char *name, uint8_t mode, bool bidi,
            const char *ctype, const int *which, size_t n)
{
	static uint8_t s[NCASES * (CAP + 4) + 4096];
	size_t len = 0;

	s[len++] = mode;
	if (bidi)
		len += control(s + len, 600, FSTRM_CONTROL_READY, ctype);
	len += control(s + len, 600, FSTRM_CONTROL_START, ctype);
	for (size_t i = 0; i < n; i++) {
		size_t fl = lens[which[i]];
		s[len++] = (uint8_t)(fl >> 24);
		s[len++] = (uint8_t)(fl >> 16);
		s[len++] = (uint8_t)(fl >> 8);
		s[len++] = (uint8_t)fl;
		memcpy(s + len, frames[which[i]], fl);
		len += fl;
	}
	len += control(s + len, 600, FSTRM_CONTROL_STOP, NULL);
	seed(dir, name, s, len);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: dnstap_gen cases|oversized FILE | corpus DIR\n");
		return 64;
	}
	build();
	if (strcmp(argv[1], "cases") == 0) {
		struct fstrm_writer *w = open_writer(argv[2]);
		for (size_t i = 0; i < NCASES; i++)
			write_frame(w, frames[i], lens[i]);
		close_writer(&w);
	} else if (strcmp(argv[1], "oversized") == 0) {
		struct fstrm_writer *w = open_writer(argv[2]);
		uint8_t *big = calloc(1, 300000);
		if (big == NULL)
			return 1;
		write_frame(w, frames[1], lens[1]);
		write_frame(w, big, 300000);
		write_frame(w, frames[10], lens[10]);
		close_writer(&w);
		free(big);
	} else if (strcmp(argv[1], "corpus") == 0) {
		uint8_t s[CAP + 1];
		char name[64];
		if (mkdir(argv[2], 0755) != 0 && errno != EEXIST) {
			perror(argv[2]);
			return 1;
		}
		for (size_t i = 0; i < NCASES; i++) {
			s[0] = i == 7 ? 7 : 0; /* case 8 with every type kept */
			memcpy(s + 1, frames[i], lens[i]);
			snprintf(name, sizeof(name), "frame-%02zu", i + 1);
			seed(argv[2], name, s, lens[i] + 1);
		}
		static const int all[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
		static const int few[] = { 0, 1, 4, 8 };
		stream_seed(argv[2], "stream-bidi", 0x80, true, CTYPE, all, NCASES);
		stream_seed(argv[2], "stream-uni-chunk7", 0x87, false, CTYPE, few, 4);
		stream_seed(argv[2], "stream-bidi-chunk1", 0x81, true, CTYPE, few, 4);
		stream_seed(argv[2], "stream-other-type", 0x80, true, "protobuf:other", few, 4);
		stream_seed(argv[2], "stream-no-type", 0x80, true, NULL, few, 4);
	} else {
		fprintf(stderr, "dnstap_gen: unknown mode '%s'\n", argv[1]);
		return 64;
	}
	return 0;
}
