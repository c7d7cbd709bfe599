/* test_proto_time.c - time fences as typed, and the ISO form, exact values. */
#include <stdint.h>
#include <stdlib.h>

#include "proto/proto_err.h"
#include "proto/proto_time.h"
#include "tap.h"

#define NOW INT64_C(1700000000)

static void
parses(const char *text, int64_t now, int64_t want)
{
	int64_t got = -12345;
	int err = proto_time_parse(text, now, &got);

	is_int(err, 0, "'%s' parses", text);
	is_int(got, want, "'%s' is %lld", text, (long long)want);
}

static void
refused(const char *text, int64_t now)
{
	int64_t got = -12345;

	is_int(proto_time_parse(text, now, &got), PROTO_EINVAL, "'%s' refused", text);
	is_int(got, -12345, "'%s' leaves the output alone", text);
}

static void
formats(int64_t t, const char *want)
{
	char out[PROTO_TIME_TEXT_MAX];

	proto_time_format_iso(t, out);
	is_str(out, want, "%lld formats as %s", (long long)t, want);
}

int
main(void)
{
	/* Absolute: epoch seconds. */
	parses("1700000000", NOW, 1700000000);
	parses("0", NOW, 0);
	parses("0001", NOW, 1);
	parses("9223372036854775807", NOW, INT64_MAX);
	refused("9223372036854775808", NOW);
	refused("99999999999999999999999", NOW);

	/* Absolute: ISO 8601 dates and date-times, UTC unless a zone is given. */
	parses("2024-01-31", NOW, 1706659200);
	parses("2024-01-31T12:00:00", NOW, 1706702400);
	parses("2024-01-31t12:00:00z", NOW, 1706702400);
	parses("2024-01-31 12:00:00", NOW, 1706702400);
	parses("2024-01-31T12:00:00Z", NOW, 1706702400);
	parses("2024-01-31T12:00:00.999Z", NOW, 1706702400);
	parses("2024-01-31T12:00:00+02:00", NOW, 1706702400 - 7200);
	parses("2024-01-31T12:00:00+0200", NOW, 1706702400 - 7200);
	parses("2024-01-31T12:00:00+02", NOW, 1706702400 - 7200);
	parses("2024-01-31T12:00:00-05:30", NOW, 1706702400 + 19800);
	parses("2000-02-29", NOW, 951782400);
	parses("1970-01-01T00:00:00Z", NOW, 0);
	parses("1969-07-20T20:17:40Z", NOW, -14182940);
	parses("9999-12-31T23:59:59Z", NOW, 253402300799);
	parses("0001-01-01", NOW, -62135596800);

	/* Relative: now minus the value. */
	parses("-86400", NOW, NOW - 86400);
	parses("-0", NOW, NOW);
	parses("7d", NOW, NOW - 7 * 86400);
	parses("-7d", NOW, NOW - 7 * 86400);
	parses("1w2d", NOW, NOW - 9 * 86400);
	parses("3h30m", NOW, NOW - 12600);
	parses("90s", NOW, NOW - 90);
	parses("1W2D3H4M5S", NOW, NOW - (604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5));
	parses("-1w0d0h0m1s", NOW, NOW - 604801);
	parses("-9223372036854775807", 0, -INT64_MAX);
	refused("-9223372036854775807", -2);
	refused("15250284452472w", NOW);
	refused("9223372036854775807s1s", NOW);

	/* Everything else. */
	refused("", NOW);
	refused(" 1", NOW);
	refused("1 ", NOW);
	refused("1x", NOW);
	refused("+1", NOW);
	refused("-", NOW);
	refused("--1", NOW);
	refused("-1-", NOW);
	refused("1d1d", NOW);
	refused("1h1d", NOW);
	refused("1h30", NOW);
	refused("d", NOW);
	refused("-d", NOW);
	refused("1.5d", NOW);
	refused("yesterday", NOW);
	refused("2024-1-31", NOW);
	refused("2024-01-1", NOW);
	refused("2024/01/31", NOW);
	refused("2024-13-01", NOW);
	refused("2024-00-10", NOW);
	refused("2024-01-00", NOW);
	refused("2024-01-32", NOW);
	refused("2024-02-30", NOW);
	refused("2023-02-29", NOW);
	refused("1900-02-29", NOW);
	refused("2024-04-31", NOW);
	refused("2024-01-31T", NOW);
	refused("2024-01-31T12:00", NOW);
	refused("2024-01-31T24:00:00", NOW);
	refused("2024-01-31T12:60:00", NOW);
	refused("2024-01-31T12:00:60", NOW);
	refused("2024-01-31T12:00:00.", NOW);
	refused("2024-01-31T12:00:00.Z", NOW);
	refused("2024-01-31Z", NOW);
	refused("2024-01-31T12:00:00ZZ", NOW);
	refused("2024-01-31T12:00:00+", NOW);
	refused("2024-01-31T12:00:00+2", NOW);
	refused("2024-01-31T12:00:00+02:0", NOW);
	refused("2024-01-31T12:00:00+020", NOW);
	refused("2024-01-31T12:00:00+24:00", NOW);
	refused("2024-01-31T12:00:00+02:60", NOW);
	refused("2024-01-31T12:00:00 ", NOW);
	refused("2024-01-31x", NOW);
	/* All digits is always epoch seconds, as in dnsdbq: not a basic-format date. */
	parses("20240131", NOW, 20240131);

	/* The ISO form: dnsdbq's text style, for every int64_t. */
	formats(0, "1970-01-01 00:00:00");
	formats(1706702400, "2024-01-31 12:00:00");
	formats(1700000000, "2023-11-14 22:13:20");
	formats(951782400, "2000-02-29 00:00:00");
	formats(-1, "1969-12-31 23:59:59");
	formats(-14182940, "1969-07-20 20:17:40");
	formats(253402300799, "9999-12-31 23:59:59");
	formats(INT64_MAX, "292277026596-12-04 15:30:07");
	formats(INT64_MIN, "-292277022657-01-27 08:29:52");

	/* Round trip through the ISO form over years 1..9999. */
	srand(7);
	int bad = 0;
	for (int i = 0; i < 100000; i++) {
		int64_t t = -62135596800 +
		            (int64_t)(((uint64_t)rand() << 31 | (uint64_t)rand()) %
		                      (253402300799ULL + 62135596800ULL + 1));
		char iso[PROTO_TIME_TEXT_MAX];
		int64_t back;
		proto_time_format_iso(t, iso);
		if (proto_time_parse(iso, 0, &back) != 0 || back != t)
			bad++;
	}
	is_int(bad, 0, "100000 random times survive format and parse");
	return tap_done();
}
