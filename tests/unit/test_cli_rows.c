/*
 * test_cli_rows.c - merging rows with their sources (issue 6): distinct
 * sources add their counts, the same source reached twice counts once,
 * unknown counts stay unknown, "PEER/GROUP" and "PEER" are one source; and
 * a random differential check against a naive model of those rules, with
 * sets merged into sets and sorted in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_rows.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

#define WWW "\3www\7example\3com"
#define COM "\3com"

static struct proto_obs
obs(const char *rdata, int64_t tf, int64_t tl, uint64_t count)
{
	struct proto_obs o = {
		.name = (const uint8_t *)WWW, .name_len = sizeof(WWW),
		.rdata = rdata, .rdata_len = (uint32_t)strlen(rdata),
		.rrtype = PROTO_T_A, .section = PROTO_SEC_ANSWER,
		.time_first = tf, .time_last = tl, .count = count,
	};
	return o;
}

/* "origin:first:last:count|?" for each source of row i, comma separated. */
static const char *
srcs(const struct cli_rows *r, size_t i)
{
	static char buf[512];
	size_t it = 0, len = 0;
	struct cli_src s;

	buf[0] = '\0';
	while (cli_rows_src_next(r, i, &it, &s) && len < sizeof(buf) - 100) {
		char c[24];
		if (s.has_count)
			snprintf(c, sizeof(c), "%llu", (unsigned long long)s.count);
		else
			snprintf(c, sizeof(c), "?");
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s:%lld:%lld:%s",
		                        len ? "," : "", s.origin, (long long)s.time_first,
		                        (long long)s.time_last, c);
	}
	return buf;
}

static void
test_rules(void)
{
	struct cli_rows *r = NULL;
	const struct proto_obs *o;
	struct proto_obs a;

	cli_rows_new(&r);
	ok(!cli_rows_has_sources(r), "a new set has no sources");

	/* Distinct sources add. */
	a = obs("192.0.2.1", 100, 200, 3);
	is_int(cli_rows_add_src(r, &a, "local", true), 0, "local adds");
	a = obs("192.0.2.1", 50, 150, 4);
	is_int(cli_rows_add_src(r, &a, "dnsdb", true), 0, "dnsdb adds");
	o = cli_rows_get(r, 0);
	ok(o->time_first == 50 && o->time_last == 200 && o->count == 7,
	   "distinct sources: min first, max last, counts added (%lld %lld %llu)",
	   (long long)o->time_first, (long long)o->time_last, (unsigned long long)o->count);
	is_str(srcs(r, 0), "local:100:200:3,dnsdb:50:150:4", "both sources listed");
	ok(cli_rows_has_sources(r) && cli_rows_count_known(r, 0), "count known");

	/* The same peer through replication ("PEER/GROUP") and live ("PEER"). */
	a = obs("192.0.2.1", 90, 300, 5);
	is_int(cli_rows_add_src(r, &a, "peerA/sensors", true), 0, "replicated peer row");
	a = obs("192.0.2.1", 80, 250, 6);
	is_int(cli_rows_add_src(r, &a, "peerA", true), 0, "the same peer live");
	o = cli_rows_get(r, 0);
	is_int(o->count, 3 + 4 + 6, "PEER/GROUP and PEER count once: the larger count");
	ok(o->time_first == 50 && o->time_last == 300, "times still min/max");
	is_str(srcs(r, 0), "local:100:200:3,dnsdb:50:150:4,peerA:80:300:6",
	       "one peerA source, its own min first, max last, max count");

	/* The same source twice, a smaller count: nothing added. */
	a = obs("192.0.2.1", 120, 130, 2);
	cli_rows_add_src(r, &a, "local", true);
	is_int(cli_rows_get(r, 0)->count, 13, "local again with a smaller count adds 0");

	/* A cached provider row "prov:dnsdb" is the provider. */
	a = obs("192.0.2.1", 40, 150, 9);
	cli_rows_add_src(r, &a, "prov:dnsdb", true);
	o = cli_rows_get(r, 0);
	is_int(o->count, 3 + 9 + 6, "prov:dnsdb is dnsdb: its count raised to 9");
	is_int(o->time_first, 40, "and its earlier first counts");
	is_int(cli_rows_nsources(r), 3, "three distinct sources");

	/* A source without counts adds 0. */
	a = obs("192.0.2.1", 10, 20, 0);
	cli_rows_add_src(r, &a, "vt", false);
	o = cli_rows_get(r, 0);
	ok(o->count == 18 && o->time_first == 10 && cli_rows_count_known(r, 0),
	   "vt adds no count, its time still counts");

	/* A row only from count-less sources: unknown count. */
	a = obs("192.0.2.2", 1000, 1000, 77);
	cli_rows_add_src(r, &a, "vt", false);
	a = obs("192.0.2.2", 0, 0, 0);
	cli_rows_add_src(r, &a, "pt", false);
	o = cli_rows_get(r, 1);
	ok(o->count == 0 && !cli_rows_count_known(r, 1), "vt + pt: count unknown (0)");
	ok(o->time_first == 1000 && o->time_last == 1000,
	   "pt's unknown times (0) never win the first");
	is_str(srcs(r, 1), "vt:1000:1000:?,pt:0:0:?", "both listed with unknown counts");
	a = obs("192.0.2.2", 900, 1100, 2);
	cli_rows_add_src(r, &a, "circl", true);
	o = cli_rows_get(r, 1);
	ok(o->count == 2 && cli_rows_count_known(r, 1) && o->time_first == 900,
	   "one counting source makes the count known");

	/* Bad origins. */
	a = obs("192.0.2.3", 1, 1, 1);
	is_int(cli_rows_add_src(r, &a, "", true), PROTO_EINVAL, "empty origin refused");
	is_int(cli_rows_add_src(r, &a, "/g", true), PROTO_EINVAL, "'/g' is empty too");
	char longname[80];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	is_int(cli_rows_add_src(r, &a, longname, true), PROTO_EINVAL, "79 octets refused");
	is_int(cli_rows_count(r), 2, "refused rows add nothing");

	/* cli_rows_add (no origin) keeps its sum rule beside sources. */
	a = obs("192.0.2.9", 5, 6, 2);
	cli_rows_add(r, &a);
	cli_rows_add(r, &a);
	o = cli_rows_get(r, 2);
	ok(o->count == 4 && cli_rows_count_known(r, 2), "no-origin adds sum");
	is_str(srcs(r, 2), "", "and list no source");

	char name[CLI_ROWS_ORIGIN_MAX + 1];
	is_int(cli_rows_source_name("peerB/g1/x", name), 5, "PEER/GROUP/.. -> PEER");
	is_str(name, "peerB", "name peerB");
	is_int(cli_rows_source_name("prov:", name), 0, "'prov:' alone is empty");
	is_int(cli_rows_source_name("pe\ner\x1b[2J/g", name), 9, "control bytes kept in place");
	is_str(name, "pe?er?[2J", "as '?'");
	cli_rows_destroy(&r);
}

/* --- the naive model ------------------------------------------------------ */

#define NKEYS 64
#define NORIG 7
#define NADDS 4000

/* Each origin and the source it is. */
static const char *const orig[NORIG] = { "local", "peerA/g1", "peerA", "peerA/g2",
                                         "prov:vt", "vt", "dnsdb" };
static const int orig_src[NORIG] = { 0, 1, 1, 1, 2, 2, 3 };
#define NSRC 4

struct model_src {
	bool seen, has_count;
	int64_t tf, tl;
	uint64_t count;
};

static struct model_src model[NKEYS][NSRC];

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t
model_first(int64_t a, int64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* The key index of a row (rdata "10.0.0.K"), or -1. */
static int
key_of(const struct proto_obs *o)
{
	unsigned k;

	if (sscanf(o->rdata, "10.0.0.%u", &k) != 1 || k >= NKEYS)
		return -1;
	return (int)k;
}

/* Compare every row of r with the model; returns the mismatches. */
static int
check_model(const struct cli_rows *r)
{
	int bad = 0, keys = 0;

	for (int k = 0; k < NKEYS; k++)
		for (int s = 0; s < NSRC; s++)
			if (model[k][s].seen) {
				keys++;
				break;
			}
	if (cli_rows_count(r) != (size_t)keys)
		bad++;
	for (size_t i = 0; i < cli_rows_count(r); i++) {
		const struct proto_obs *o = cli_rows_get(r, i);
		int k = key_of(o);
		int64_t tf = 0, tl = INT64_MIN;
		uint64_t count = 0;
		bool known = false;
		int nsrc = 0, got = 0;
		size_t it = 0;
		struct cli_src s;

		if (k < 0) {
			bad++;
			continue;
		}
		for (int j = 0; j < NSRC; j++) {
			const struct model_src *m = &model[k][j];
			if (!m->seen)
				continue;
			nsrc++;
			tf = model_first(tf, m->tf);
			tl = m->tl > tl ? m->tl : tl;
			count += m->count;
			known = known || m->has_count;
		}
		if (o->time_first != tf || o->time_last != tl || o->count != count ||
		    cli_rows_count_known(r, i) != known) {
			if (bad < 5)
				printf("# key %d: got %lld %lld %llu, want %lld %lld %llu\n", k,
				       (long long)o->time_first, (long long)o->time_last,
				       (unsigned long long)o->count, (long long)tf, (long long)tl,
				       (unsigned long long)count);
			bad++;
		}
		while (cli_rows_src_next(r, i, &it, &s)) {
			int j;
			got++;
			for (j = 0; j < NORIG && strcmp(orig[j], s.origin) != 0; j++)
				;
			if (j == NORIG) {
				bad++;
				continue;
			}
			const struct model_src *m = &model[k][orig_src[j]];
			if (!m->seen || m->tf != s.time_first || m->tl != s.time_last ||
			    m->count != s.count || m->has_count != s.has_count)
				bad++;
		}
		if (got != nsrc)
			bad++;
	}
	return bad;
}

static void
test_model(void)
{
	struct cli_rows *whole = NULL, *part[3] = { NULL, NULL, NULL }, *joined = NULL;
	static const struct cli_sort by_count = { { CLI_KEY_COUNT }, 1, true };
	char rd[NADDS][16];
	int fails = 0;

	memset(model, 0, sizeof(model));
	cli_rows_new(&whole);
	cli_rows_new(&joined);
	for (int p = 0; p < 3; p++)
		cli_rows_new(&part[p]);
	for (int n = 0; n < NADDS; n++) {
		int k = (int)(rnd() % NKEYS), oi = (int)(rnd() % NORIG);
		bool has_count = rnd() % 4 != 0;
		int64_t tf = rnd() % 8 == 0 ? 0 : (int64_t)(rnd() % 100000) + 1;
		int64_t tl = tf + (int64_t)(rnd() % 1000);
		uint64_t count = rnd() % 50;
		struct model_src *m = &model[k][orig_src[oi]];

		snprintf(rd[n], sizeof(rd[n]), "10.0.0.%d", k);
		struct proto_obs o = obs(rd[n], tf, tl, count);
		if (cli_rows_add_src(whole, &o, orig[oi], has_count) != 0 ||
		    cli_rows_add_src(part[n % 3], &o, orig[oi], has_count) != 0)
			fails++;
		if (!m->seen) {
			m->seen = true;
			m->tf = tf;
			m->tl = tl;
			m->count = has_count ? count : 0;
			m->has_count = has_count;
		} else {
			m->tf = model_first(m->tf, tf);
			m->tl = tl > m->tl ? tl : m->tl;
			if (has_count && count > m->count)
				m->count = count;
			m->has_count = m->has_count || has_count;
		}
		/* Sort in the middle: later adds must still merge into moved rows. */
		if (n == NADDS / 2)
			cli_rows_sort(whole, &by_count);
	}
	is_int(fails, 0, "%d random adds succeed", NADDS);
	is_int(check_model(whole), 0, "one set equals the model");
	for (int p = 0; p < 3; p++)
		if (cli_rows_add_rows(joined, part[p]) != 0)
			fails++;
	is_int(fails, 0, "three sets merge into one");
	is_int(check_model(joined), 0, "three sets merged equal the model");
	cli_rows_sort(joined, &by_count);
	is_int(check_model(joined), 0, "sorted, sources still follow their rows");
	ok(cli_rows_nsources(joined) == NSRC, "%d sources named", NSRC);

	/* A broken merge must show: a wrong count is caught by the model. */
	printf("# a difference made on purpose:\n");
	model[key_of(cli_rows_get(joined, 0))][0].count += 1;
	model[key_of(cli_rows_get(joined, 0))][0].seen = true;
	ok(check_model(joined) > 0, "the model check catches a difference");

	cli_rows_destroy(&whole);
	cli_rows_destroy(&joined);
	for (int p = 0; p < 3; p++)
		cli_rows_destroy(&part[p]);
}

int
main(void)
{
	test_rules();
	test_model();
	return tap_done();
}
