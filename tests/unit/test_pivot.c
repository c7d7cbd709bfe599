/*
 * test_pivot.c - pivoting over a small synthetic internet, and the graph's
 * DOT and GDF forms.
 *
 * The model: an IOC domain (ioc.example) is now on a CDN address shared by
 * 500 names; earlier it was on two addresses that host a few other domains,
 * once a CNAME into a chain, and its name server serves two sister zones.
 * The fake lookup answers from the model as a store would (exact rrset,
 * single address, rdata name; types, fences, limit) and logs every query,
 * so the tests can see what was asked, how often and with what.
 *
 * With an argument DIR, also writes DIR/pivot.dot, DIR/pivot.gdf and
 * DIR/escape.dot (ids full of quotes, backslashes and newlines) for
 * tests/cli/graph_render.sh to give to Graphviz, with the node and edge
 * counts in DIR/counts.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_graph.h"
#include "cli/cli_rows.h"
#include "cli/pivot.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "tap.h"

#define T1 1672531200 /* 2023-01-01 */
#define T2 1688169600 /* 2023-07-01 */
#define T3 1704067200 /* 2024-01-01 */
#define T4 1719792000 /* 2024-07-01 */
#define NOW 1735689600 /* 2025-01-01 */
#define CDN "203.0.113.10"
#define NCDN 500

struct mrow {
	char name[64];
	uint16_t type;
	char rdata[64];
	int64_t first, last;
	uint64_t count;
};

static const struct mrow base[] = {
	{ "ioc.example", PROTO_T_A, CDN, T4, NOW, 900 },
	{ "ioc.example", PROTO_T_A, "198.51.100.1", T1, T2, 40 },
	{ "ioc.example", PROTO_T_A, "198.51.100.2", T2, T3, 25 },
	{ "ioc.example", PROTO_T_CNAME, "step1.example", T3, T4, 5 },
	{ "ioc.example", PROTO_T_NS, "ns1.evildns.example", T1, NOW, 70 },
	{ "ioc.example", PROTO_T_TXT, "\"v=spf1 -all\"", T1, NOW, 3 },
	{ "step1.example", PROTO_T_CNAME, "step2.example", T3, T4, 5 },
	{ "step2.example", PROTO_T_A, "198.51.100.3", T3, T4, 5 },
	{ "other3.example", PROTO_T_A, "198.51.100.3", T2, T4, 8 },
	{ "ns1.evildns.example", PROTO_T_A, "198.51.100.53", T1, NOW, 60 },
	{ "sister.example", PROTO_T_NS, "ns1.evildns.example", T1, NOW, 12 },
	{ "sister.example", PROTO_T_A, "192.0.2.20", T1, NOW, 12 },
	{ "cousin.example", PROTO_T_NS, "ns1.evildns.example", T2, NOW, 7 },
	{ "cousin.example", PROTO_T_A, "198.51.100.1", T2, T3, 7 },
	{ "bad1.example", PROTO_T_A, "198.51.100.1", T1, T2, 9 },
	{ "bad1.example", PROTO_T_A, "192.0.2.77", T2, NOW, 9 },
	{ "bad2.example", PROTO_T_A, "198.51.100.1", T1, T3, 4 },
	{ "bad2.example", PROTO_T_MX, "10 mail.bad2.example", T1, T3, 4 },
	{ "mail.bad2.example", PROTO_T_A, "192.0.2.25", T1, T3, 4 },
	{ "bad3.example", PROTO_T_A, "198.51.100.2", T2, T3, 6 },
	{ "bad3.example", PROTO_T_AAAA, "2001:db8::3", T3, NOW, 6 },
	{ "far77.example", PROTO_T_A, "192.0.2.77", T3, NOW, 2 },
	{ "far6.example", PROTO_T_AAAA, "2001:db8::3", T3, NOW, 2 },
};
#define NBASE (sizeof(base) / sizeof(base[0]))

static struct mrow model[NBASE + NCDN];
static uint8_t model_wire[NBASE + NCDN][PROTO_NAME_MAX];
static size_t model_wlen[NBASE + NCDN];
static size_t nmodel;

/* What the fake lookup saw. */
#define MAXCALLS 2000
static char calls[MAXCALLS][PROTO_NAME_TEXT_MAX + 8];
static struct proto_query callq[MAXCALLS];
static size_t ncalls;
static char fail_on[PROTO_NAME_TEXT_MAX + 8];  /* a call key that fails */

static void
model_build(void)
{
	nmodel = 0;
	for (size_t i = 0; i < NBASE; i++)
		model[nmodel++] = base[i];
	for (int i = 0; i < NCDN; i++) {
		struct mrow *m = &model[nmodel++];
		memset(m, 0, sizeof(*m));
		snprintf(m->name, sizeof(m->name), "cdn-site-%d.example", i);
		m->type = PROTO_T_A;
		snprintf(m->rdata, sizeof(m->rdata), "%s", CDN);
		m->first = T1 + i;
		m->last = NOW;
		m->count = 1;
	}
	for (size_t i = 0; i < nmodel; i++)
		if (proto_name_parse(model[i].name, strlen(model[i].name), model_wire[i],
		                     &model_wlen[i]) != 0)
			printf("# bad model name %s\n", model[i].name);
}

/* A query as a key: "r:NAME", "i:ADDR" or "n:NAME". */
static void
query_key(const struct proto_query *q, char *out, size_t cap)
{
	char text[PROTO_NAME_TEXT_MAX];
	struct proto_buf b;

	proto_buf_init(&b, text, sizeof(text));
	if (q->kind == PROTO_Q_RDATA_IP) {
		if (q->family == 4)
			proto_buf_put_ipv4(&b, q->addr_lo);
		else
			proto_buf_put_ipv6(&b, q->addr_lo);
	} else {
		proto_name_format(q->name, q->name_len, &b);
	}
	snprintf(out, cap, "%c:%s", q->kind == PROTO_Q_RRSET ? 'r'
	         : q->kind == PROTO_Q_RDATA_IP ? 'i' : 'n', text);
}

/* The name an rdata ends in, as text (for -n). */
static const char *
rdata_target(const struct mrow *m)
{
	if (m->type == PROTO_T_MX)
		return strchr(m->rdata, ' ') + 1;
	return m->rdata;
}

static bool
model_match(const struct proto_query *q, size_t i, const char *qtext)
{
	const struct mrow *m = &model[i];

	if (q->ntypes > 0) {
		bool any = false;
		for (unsigned t = 0; t < q->ntypes; t++)
			any |= q->types[t] == m->type;
		if (!any)
			return false;
	}
	if (!proto_query_match_row(q, m->type, PROTO_SEC_ANSWER, m->first, m->last))
		return false;
	switch (q->kind) {
	case PROTO_Q_RRSET:
		return model_wlen[i] == q->name_len &&
		       memcmp(model_wire[i], q->name, model_wlen[i]) == 0;
	case PROTO_Q_RDATA_IP: {
		uint8_t a[16] = { 0 };
		int fam = m->type == PROTO_T_A ? AF_INET : m->type == PROTO_T_AAAA ? AF_INET6 : 0;
		if (fam == 0 || (q->family == 4) != (fam == AF_INET) ||
		    inet_pton(fam, m->rdata, a) != 1)
			return false;
		return memcmp(a, q->addr_lo, 16) >= 0 && memcmp(a, q->addr_hi, 16) <= 0;
	}
	case PROTO_Q_RDATA_NAME:
		if (m->type != PROTO_T_NS && m->type != PROTO_T_CNAME && m->type != PROTO_T_MX)
			return false;
		return strcmp(rdata_target(m), qtext) == 0;
	default:
		return false;
	}
}

static int
fake_lookup(void *arg, const struct proto_query *q, struct cli_rows *rows, char *why,
            size_t whylen)
{
	char qtext[PROTO_NAME_TEXT_MAX];
	struct proto_buf b;
	uint64_t n = 0;

	(void)arg;
	if (ncalls < MAXCALLS) {
		query_key(q, calls[ncalls], sizeof(calls[0]));
		callq[ncalls] = *q;
		ncalls++;
	}
	if (fail_on[0] != '\0' && strcmp(calls[ncalls - 1], fail_on) == 0) {
		snprintf(why, whylen, "provider said no");
		return PROTO_EIO;
	}
	proto_buf_init(&b, qtext, sizeof(qtext));
	proto_name_format(q->name, q->name_len, &b);
	for (size_t i = 0; i < nmodel; i++) {
		const struct mrow *m = &model[i];
		if (!model_match(q, i, qtext))
			continue;
		if (q->limit != 0 && n == q->limit)
			break;
		struct proto_obs o = {
			.name = model_wire[i], .name_len = (uint32_t)model_wlen[i],
			.rdata = m->rdata,
			.rdata_len = (uint32_t)strlen(m->rdata), .rrtype = m->type,
			.section = PROTO_SEC_ANSWER, .time_first = m->first,
			.time_last = m->last, .count = m->count,
		};
		int err = cli_rows_add(rows, &o);
		if (err != 0)
			return err;
		n++;
	}
	return 0;
}

static struct proto_query
seed_rrset(const char *name)
{
	struct proto_query q;
	size_t len;

	proto_query_init(&q);
	q.kind = PROTO_Q_RRSET;
	q.match = PROTO_M_EXACT;
	proto_name_parse(name, strlen(name), q.name, &len);
	q.name_len = (uint16_t)len;
	q.limit = 10000;
	return q;
}

/* Options for a quiet pivot of depth hops with a fan-out cap. */
static struct pivot_opts
opts_of(unsigned depth, size_t fanout)
{
	struct pivot_opts o;

	pivot_opts_init(&o);
	o.depth = depth;
	o.fanout = fanout;
	return o;
}

struct run {
	struct cli_graph *g;
	struct cli_rows *all;
	struct pivot_stats st;
	int err;
	char why[256];
	char *notes, *progress;
};

static void
run_free(struct run *r)
{
	cli_graph_destroy(&r->g);
	cli_rows_destroy(&r->all);
	free(r->notes);
	free(r->progress);
}

static struct run
run_pivot(const struct proto_query *seed, struct pivot_opts *o)
{
	struct run r = { 0 };
	size_t nl = 0, pl = 0;
	FILE *nf = open_memstream(&r.notes, &nl), *pf = open_memstream(&r.progress, &pl);

	ncalls = 0;
	cli_graph_new(&r.g);
	cli_rows_new(&r.all);
	o->notes = nf;
	o->progress = pf;
	r.err = pivot_run(seed, o, fake_lookup, NULL, r.g, r.all, &r.st, r.why,
	                  sizeof(r.why));
	fclose(nf);
	fclose(pf);
	o->notes = o->progress = NULL;
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted ids of one kind of node, space separated (caller frees). */
static char *
ids(const struct cli_graph *g, enum cli_graph_kind kind)
{
	size_t n = cli_graph_nnodes(g), k = 0, len = 1;
	const char **v = calloc(n + 1, sizeof(*v));
	char *out;

	for (size_t i = 0; i < n; i++) {
		const struct cli_graph_node *x = cli_graph_node(g, i);
		if (x->kind == kind) {
			v[k++] = x->id;
			len += x->id_len + 1;
		}
	}
	qsort(v, k, sizeof(*v), cmp_str);
	out = calloc(1, len);
	for (size_t i = 0; i < k; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	free(v);
	return out;
}

static const struct cli_graph_node *
find(const struct cli_graph *g, const char *id)
{
	for (size_t i = 0; i < cli_graph_nnodes(g); i++)
		if (strcmp(cli_graph_node(g, i)->id, id) == 0)
			return cli_graph_node(g, i);
	return NULL;
}

static size_t
duplicate_calls(void)
{
	size_t d = 0;

	for (size_t i = 0; i < ncalls; i++)
		for (size_t j = i + 1; j < ncalls; j++)
			d += strcmp(calls[i], calls[j]) == 0;
	return d;
}

static bool
called(const char *key)
{
	for (size_t i = 0; i < ncalls; i++)
		if (strcmp(calls[i], key) == 0)
			return true;
	return false;
}

static const char *const want_names[4] = {
	"ioc.example. ns1.evildns.example. step1.example.",
	"bad1.example. bad2.example. bad3.example. cousin.example. ioc.example. "
	"ns1.evildns.example. sister.example. step1.example. step2.example.",
	"bad1.example. bad2.example. bad3.example. cousin.example. ioc.example. "
	"mail.bad2.example. ns1.evildns.example. sister.example. step1.example. "
	"step2.example.",
	"bad1.example. bad2.example. bad3.example. cousin.example. far6.example. "
	"far77.example. ioc.example. mail.bad2.example. ns1.evildns.example. "
	"other3.example. sister.example. step1.example. step2.example.",
};
static const char *const want_addrs[4] = {
	"198.51.100.1 198.51.100.2 203.0.113.10",
	"198.51.100.1 198.51.100.2 198.51.100.53 203.0.113.10",
	"192.0.2.20 192.0.2.77 198.51.100.1 198.51.100.2 198.51.100.3 198.51.100.53 "
	"2001:db8::3 203.0.113.10",
	"192.0.2.20 192.0.2.25 192.0.2.77 198.51.100.1 198.51.100.2 198.51.100.3 "
	"198.51.100.53 2001:db8::3 203.0.113.10",
};
static const size_t want_calls[4] = { 1, 7, 14, 19 };

static void
test_depths(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o;

	for (unsigned d = 0; d <= 3; d++) {
		o = opts_of(d, 50);
		struct run r = run_pivot(&seed, &o);
		char *names = ids(r.g, CLI_GRAPH_NAME), *addrs = ids(r.g, CLI_GRAPH_ADDR);

		is_int(r.err, 0, "depth %u: pivot_run succeeds", d);
		is_str(names, want_names[d], "depth %u: exactly the expected names", d);
		is_str(addrs, want_addrs[d], "depth %u: exactly the expected addresses", d);
		is_int(ncalls, want_calls[d], "depth %u: lookups made", d);
		is_int(r.st.queries, ncalls, "depth %u: stats count every lookup", d);
		is_int(duplicate_calls(), 0, "depth %u: no query asked twice", d);
		is_int(r.st.hops, d, "depth %u: hops run", d);
		ok(!r.st.budget_hit && r.st.unasked == 0, "depth %u: the budget did not bind", d);
		is_int(cli_rows_count(r.all), r.st.rows, "depth %u: every distinct row kept", d);
		ok(strstr(names, "cdn-site-") == NULL, "depth %u: no CDN neighbour", d);
		if (d >= 1) {
			const struct cli_graph_node *cdn = find(r.g, CDN);
			ok(cdn != NULL && cdn->skip == CLI_GRAPH_SKIP_FANOUT,
			   "depth %u: the CDN address is skipped by the fan-out cap", d);
			is_int(r.st.skipped_fanout, 1, "depth %u: one node skipped", d);
			ok(r.notes && strstr(r.notes, "pdns: pivot: not following 203.0.113.10: "
			                     "more than 50 names (fan-out cap)") != NULL,
			   "depth %u: the skip is said", d);
			ok(called("n:ns1.evildns.example"), "depth %u: the name server's zones asked", d);
			ok(r.progress && strstr(r.progress, "pdns: pivot hop 1/") != NULL,
			   "depth %u: progress names the hop", d);
		}
		ok(r.progress && strstr(r.progress, "pdns: pivot done: ") != NULL,
		   "depth %u: progress ends with a summary", d);
		const struct cli_graph_node *s = find(r.g, "ioc.example.");
		ok(s != NULL && s->seed && s->hop == 0, "depth %u: the seed is marked", d);
		free(names);
		free(addrs);
		run_free(&r);
	}
}

/* The same row from two answers counts once, in rows and in edges. */
static void
test_no_double_count(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(2, 50);
	struct run r = run_pivot(&seed, &o);
	uint64_t c = 0;
	size_t hits = 0;

	for (size_t i = 0; i < cli_rows_count(r.all); i++) {
		const struct proto_obs *x = cli_rows_get(r.all, i);
		if (x->rrtype == PROTO_T_A && x->rdata_len == 12 &&
		    memcmp(x->rdata, "198.51.100.1", 12) == 0 && x->name_len == 13 &&
		    memcmp(x->name, "\3ioc\7example", 13) == 0) {
			c = x->count;
			hits++;
		}
	}
	is_int(hits, 1, "ioc.example A 198.51.100.1 is one row");
	is_int(c, 40, "its count is the model's, not summed per answer");
	for (size_t i = 0; i < cli_graph_nedges(r.g); i++) {
		const struct cli_graph_edge *e = cli_graph_edge(r.g, i);
		if (strcmp(cli_graph_node(r.g, e->from)->id, "ioc.example.") == 0 &&
		    strcmp(cli_graph_node(r.g, e->to)->id, "198.51.100.1") == 0) {
			is_int(e->count, 40, "its edge's count too");
			is_int(e->time_first, T1, "edge first");
			is_int(e->time_last, T2, "edge last");
		}
	}
	/* The TXT row is kept for the usual formats but not drawn. */
	ok(cli_rows_count(r.all) > cli_graph_nedges(r.g), "undrawn rows are still rows");
	run_free(&r);
}

static void
test_no_cap(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(1, 0);
	struct run r = run_pivot(&seed, &o);
	size_t cdn_names = 0;

	for (size_t i = 0; i < cli_graph_nnodes(r.g); i++)
		cdn_names += strncmp(cli_graph_node(r.g, i)->id, "cdn-site-", 9) == 0;
	is_int(cdn_names, NCDN, "without a cap the CDN's %d names are drawn", NCDN);
	is_int(r.st.skipped_fanout, 0, "and nothing is skipped");
	is_int(callq[1].limit, 10000, "address queries then keep the seed's limit");
	run_free(&r);
}

/* The cap also holds a name server that serves too many zones. */
static void
test_ns_cap(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(1, 2);
	struct run r = run_pivot(&seed, &o);
	const struct cli_graph_node *ns = find(r.g, "ns1.evildns.example.");

	ok(ns != NULL && ns->skip == CLI_GRAPH_SKIP_FANOUT, "a name server over the cap is skipped");
	ok(find(r.g, "sister.example.") == NULL, "its zones are not drawn");
	ok(find(r.g, "198.51.100.53") != NULL, "its own addresses still are (-r is not capped)");
	ok(r.notes && strstr(r.notes, "not following ns1.evildns.example: more than 2 zones "
	                     "(fan-out cap)") != NULL, "and the note says zones");
	ok(find(r.g, "bad3.example.") != NULL, "an address with 2 names is within a cap of 2");
	ok(find(r.g, "bad1.example.") == NULL, "one with 4 names is not");
	is_int(r.st.skipped_fanout, 3, "CDN, 198.51.100.1 and the name server skipped");
	run_free(&r);
}

static void
test_budget(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(3, 50);
	o.budget = 5;
	struct run r = run_pivot(&seed, &o);

	is_int(r.err, 0, "a budget stop is not an error");
	is_int(ncalls, 5, "the budget bounds the lookups");
	ok(r.st.budget_hit, "the stats say the budget stopped it");
	/* Asked: the seed, -i CDN, -i .1, -i .2, -r step1; left: -r ns1,
	 * -n ns1 and the five names .1, .2 and step1 gave. */
	is_int(r.st.unasked, 7, "the queries left are counted");
	ok(r.notes && strstr(r.notes, "pdns: pivot stopped by its budget of 5 queries: "
	                     "7 not asked (use --pivot-budget N)") != NULL,
	   "and the notes say so");
	is_int(duplicate_calls(), 0, "no query twice under a budget either");
	run_free(&r);

	o = opts_of(3, PIVOT_DEFAULT_FANOUT);
	o.budget = 1;
	r = run_pivot(&seed, &o);
	is_int(ncalls, 1, "budget 1: the seed alone");
	ok(r.st.budget_hit && r.st.unasked == 6, "budget 1: six queued, unasked");
	run_free(&r);
}

static void
test_prefix(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o;
	char why[128];

	o = opts_of(1, 50);
	is_int(pivot_skip_add(&o, "198.51.100.2/32", why, sizeof(why)), 0, "skip a /32");
	is_int(pivot_skip_add(&o, "2001:db8::/32", why, sizeof(why)), 0, "skip an IPv6 /32");
	struct run r = run_pivot(&seed, &o);
	const struct cli_graph_node *n = find(r.g, "198.51.100.2");

	ok(!called("i:198.51.100.2"), "an excluded address is never asked about");
	ok(n != NULL && n->skip == CLI_GRAPH_SKIP_PREFIX, "it is drawn as skipped");
	ok(find(r.g, "bad3.example.") == NULL, "its other names are not reached");
	is_int(r.st.skipped_prefix, 1, "one prefix skip counted");
	ok(r.notes && strstr(r.notes, "not following 198.51.100.2: in an excluded prefix"),
	   "and said");
	run_free(&r);

	pivot_opts_init(&o);
	ok(pivot_skip_add(&o, "not-an-ip", why, sizeof(why)) == PROTO_EINVAL && why[0],
	   "a bad prefix is refused with a reason");
	for (int i = 0; i < PIVOT_MAX_SKIP; i++)
		pivot_skip_add(&o, "192.0.2.1", why, sizeof(why));
	is_int(pivot_skip_add(&o, "192.0.2.1", why, sizeof(why)), PROTO_ESPACE,
	       "at most %d prefixes", PIVOT_MAX_SKIP);
}

/* Fences go everywhere; rrtypes only on the seed; limits as documented. */
static void
test_inherit(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o;
	bool same = true, untyped = true;

	seed.types[0] = PROTO_T_A;
	seed.ntypes = 1;
	seed.fences = PROTO_F_LAST_AFTER;
	seed.last_after = T2;
	seed.sections = PROTO_QS_ALL;
	o = opts_of(2, 50);
	o.limit = 77;
	struct run r = run_pivot(&seed, &o);

	is_int(callq[0].ntypes, 1, "the seed keeps its rrtype");
	for (size_t i = 1; i < ncalls; i++) {
		same &= callq[i].fences == seed.fences && callq[i].last_after == T2 &&
		        callq[i].sections == PROTO_QS_ALL;
		if (callq[i].kind == PROTO_Q_RRSET)
			untyped &= callq[i].ntypes == 0 && callq[i].limit == 77;
		if (callq[i].kind == PROTO_Q_RDATA_IP)
			untyped &= callq[i].limit == 51;
	}
	ok(ncalls > 3, "the pivot ran (%zu lookups)", ncalls);
	ok(same, "every pivot query has the seed's fences and sections");
	ok(untyped, "pivot rrset queries ask every type with opts.limit; address queries K+1");
	bool ioc_ns = false;
	for (size_t i = 0; i < cli_graph_nedges(r.g); i++) {
		const struct cli_graph_edge *e = cli_graph_edge(r.g, i);
		ioc_ns |= e->rrtype != PROTO_T_A &&
		          strcmp(cli_graph_node(r.g, e->from)->id, "ioc.example.") == 0;
	}
	ok(find(r.g, "step1.example.") == NULL && !ioc_ns,
	   "-t A on the seed: its CNAME and NS rows are neither asked nor followed");
	ok(find(r.g, "ns1.evildns.example.") != NULL,
	   "while hop 2 (no -t) reaches the name server through cousin.example");
	/* last_after T2 drops 198.51.100.1 (last seen T2 - 0 is kept: >=). */
	ok(find(r.g, "198.51.100.2") != NULL, "rows inside the fences are followed");
	ok(find(r.g, "bad1.example.") != NULL, "last_after includes its boundary (bad1 last T2)");
	run_free(&r);

	/* Fences that keep only today's answer: the CDN, nothing behind it. */
	seed = seed_rrset("ioc.example");
	seed.fences = PROTO_F_FIRST_AFTER;
	seed.first_after = T4;
	o = opts_of(3, 50);
	r = run_pivot(&seed, &o);
	char *names = ids(r.g, CLI_GRAPH_NAME), *addrs = ids(r.g, CLI_GRAPH_ADDR);
	is_str(names, "ioc.example.", "first-after today: only the IOC");
	is_str(addrs, CDN, "and its CDN address, skipped");
	is_int(ncalls, 2, "two lookups: the seed and the CDN address");
	free(names);
	free(addrs);
	run_free(&r);
}

static void
test_failures(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(3, 50);
	snprintf(fail_on, sizeof(fail_on), "r:step1.example");
	struct run r = run_pivot(&seed, &o);
	is_int(r.err, 0, "a failed pivot query does not fail the pivot");
	is_int(r.st.failed, 1, "it is counted");
	ok(find(r.g, "step2.example.") == NULL, "what only it led to is missing");
	ok(find(r.g, "far6.example.") != NULL, "the rest is there");
	ok(r.notes && strstr(r.notes, "pdns: pivot: -r step1.example failed: provider said no"),
	   "the failure is said with the query");
	run_free(&r);

	snprintf(fail_on, sizeof(fail_on), "r:ioc.example");
	r = run_pivot(&seed, &o);
	is_int(r.err, PROTO_EIO, "a failed seed fails the pivot");
	is_str(r.why, "provider said no", "with the lookup's reason");
	run_free(&r);
	fail_on[0] = '\0';

	o = opts_of(PIVOT_MAX_DEPTH + 1, PIVOT_DEFAULT_FANOUT);
	r = run_pivot(&seed, &o);
	ok(r.err == PROTO_EINVAL && ncalls == 0, "depth past the maximum is refused");
	run_free(&r);
	pivot_opts_init(&o);
	o.budget = 0;
	r = run_pivot(&seed, &o);
	ok(r.err == PROTO_EINVAL && ncalls == 0, "a budget of 0 is refused");
	run_free(&r);
}

static size_t merges;

static int
count_merge(void *arg, struct cli_rows *all, const struct cli_rows *answer)
{
	(void)arg;
	merges++;
	for (size_t i = 0; i < cli_rows_count(answer); i++)
		if (cli_rows_add(all, cli_rows_get(answer, i)) != 0)
			return PROTO_ENOMEM;
	return 0;
}

static void
test_merge_hook(void)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(1, 50);
	o.merge = count_merge;
	merges = 0;
	struct run r = run_pivot(&seed, &o);
	/* The skipped CDN answer is not merged. */
	is_int(merges, ncalls - 1, "the hook gets every answer kept");
	ok(cli_rows_count(r.all) >= r.st.rows, "and fills all");
	run_free(&r);
}

/* Seeds that are not one node: an address, a range. */
static void
test_seeds(void)
{
	struct proto_query seed;
	struct pivot_opts o;

	proto_query_init(&seed);
	seed.kind = PROTO_Q_RDATA_IP;
	seed.family = 4;
	inet_pton(AF_INET, "198.51.100.1", seed.addr_lo);
	inet_pton(AF_INET, "198.51.100.1", seed.addr_hi);
	o = opts_of(1, 2); /* the seed itself has 4 names: never capped */
	struct run r = run_pivot(&seed, &o);
	const struct cli_graph_node *n = find(r.g, "198.51.100.1");
	ok(n != NULL && n->seed, "-i seed: the address is the seed node");
	ok(find(r.g, "bad1.example.") != NULL, "-i seed: its names are drawn though over the cap");
	ok(!called("i:198.51.100.1") || ncalls == 0 || strcmp(calls[0], "i:198.51.100.1") == 0,
	   "the seed address is not asked again");
	is_int(duplicate_calls(), 0, "-i seed: no query twice");
	run_free(&r);

	inet_pton(AF_INET, "198.51.100.0", seed.addr_lo);
	inet_pton(AF_INET, "198.51.100.255", seed.addr_hi);
	r = run_pivot(&seed, &o);
	size_t seeds = 0;
	for (size_t i = 0; i < cli_graph_nnodes(r.g); i++)
		seeds += cli_graph_node(r.g, i)->seed;
	is_int(seeds, 0, "a range seed highlights no single node");
	ok(find(r.g, "other3.example.") != NULL, "a range seed finds every address in it");
	run_free(&r);
}

static struct proto_obs
obs(const uint8_t *name, size_t nlen, uint16_t type, const char *rdata, uint8_t sec)
{
	struct proto_obs o = {
		.name = name, .name_len = (uint32_t)nlen, .rdata = rdata,
		.rdata_len = (uint32_t)strlen(rdata), .rrtype = type, .section = sec,
		.time_first = T1, .time_last = T2, .count = 3,
	};
	return o;
}

#define OBS(name, type, rdata) \
	obs((const uint8_t *)(name), sizeof(name), type, rdata, PROTO_SEC_ANSWER)

static void
test_graph_rows(void)
{
	struct cli_graph *g = NULL;
	size_t e;
	struct proto_obs o;

	cli_graph_new(&g);
	o = OBS("\1x\7example", PROTO_T_MX, "10 Mail.Example");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == 0, "MX drawn");
	ok(find(g, "mail.example.") != NULL, "MX target canonical, after its preference");
	o = OBS("\4_sip\4_tcp\1x\7example", PROTO_T_SRV, "1 2 5060 sip.example");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == 1, "SRV drawn");
	ok(find(g, "sip.example.") != NULL, "SRV target after three numbers");
	o = OBS("\1x\7example", PROTO_T_MX, "0 .");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == SIZE_MAX, "null MX not drawn");
	o = OBS("\1x\7example", PROTO_T_TXT, "\"hello\"");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == SIZE_MAX, "TXT not drawn");
	o = OBS("\1x\7example", PROTO_T_A, "999.1.1.1");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == SIZE_MAX, "bad A rdata not drawn");
	o = OBS("\1x\7example", PROTO_T_AAAA, "2001:DB8:0:0::1");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && find(g, "2001:db8::1") != NULL,
	   "AAAA in RFC 5952 form");
	o = obs((const uint8_t *)"\1x\7example", 11, PROTO_T_A, "", PROTO_SEC_NXDOMAIN);
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == SIZE_MAX, "NXDOMAIN not drawn");
	o = OBS("\1x\7example", PROTO_T_MX, "20 mail.example");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e == 0, "a second MX row merges into the edge");
	is_int(cli_graph_edge(g, 0)->count, 6, "with its count added");
	is_int(cli_graph_nnodes(g), 5, "nodes: x, mail, _sip._tcp.x, sip, 2001:db8::1");
	o = OBS("\007" "1.2.3.4", PROTO_T_A, "1.2.3.4");
	ok(cli_graph_add_row(g, &o, 0, &e) == 0 && e != SIZE_MAX, "a name spelled like an address");
	const struct cli_graph_edge *x = cli_graph_edge(g, e);
	ok(x->from != x->to, "is a different node from the address");
	is_str(cli_graph_node(g, x->from)->id, "1\\.2\\.3\\.4.", "with dig's escapes and its dot");
	cli_graph_destroy(&g);
	ok(g == NULL, "destroy clears the pointer");
	cli_graph_destroy(&g);

	enum cli_graph_format f;
	ok(cli_graph_format_parse("dot", &f) == 0 && f == CLI_GRAPH_DOT, "dot parses");
	ok(cli_graph_format_parse("gdf", &f) == 0 && f == CLI_GRAPH_GDF, "gdf parses");
	ok(cli_graph_format_parse("json", &f) == PROTO_EINVAL, "json is not a graph format");
}

static char *
write_graph(const struct cli_graph *g, enum cli_graph_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = cli_graph_write(f, fmt, g);

	fclose(f);
	if (err != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static size_t
count_lines(const char *s, const char *prefix)
{
	size_t n = 0;

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/*
 * A graph of hostile ids, for the escaping tests and graph_render.sh: nodes
 * added as they are, and rows whose names hold quotes, backslashes and a
 * newline (dig escapes them; the writers escape the escapes).
 */
static struct cli_graph *
hostile_graph(void)
{
	static const char *const texts[] = {
		"a\"b", "back\\slash", "new\nline", "quote'comma,", "trail\\", "\\\"",
		"tab\tbell\a", "utf8-\xc3\xa9-bad-\xff", "digraph", "}", "--", "->",
	};
	struct cli_graph *g = NULL;
	struct proto_obs o;
	size_t i, e;

	cli_graph_new(&g);
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		cli_graph_node_add(g, k % 2 ? CLI_GRAPH_NAME : CLI_GRAPH_ADDR, texts[k],
		                   strlen(texts[k]), 0, &i, NULL);
		if (k == 0)
			cli_graph_set_seed(g, i);
		if (k == 3)
			cli_graph_set_skip(g, i, CLI_GRAPH_SKIP_FANOUT);
	}
	o = OBS("\3a\"b\7example", PROTO_T_A, "192.0.2.1");
	cli_graph_add_row(g, &o, 1, &e);
	o = OBS("\4x\ny\\\7example", PROTO_T_CNAME, "q\\\"z.example");
	cli_graph_add_row(g, &o, 1, &e);
	return g;
}

static void
test_graph_output(const char *dir)
{
	struct proto_query seed = seed_rrset("ioc.example");
	struct pivot_opts o = opts_of(2, 50);
	struct run r = run_pivot(&seed, &o);
	char *dot = write_graph(r.g, CLI_GRAPH_DOT), *gdf = write_graph(r.g, CLI_GRAPH_GDF);

	ok(dot != NULL && strncmp(dot, "digraph pdns {\n", 15) == 0, "DOT starts a digraph");
	is_int(count_lines(dot, "\t\"") , cli_graph_nnodes(r.g) + cli_graph_nedges(r.g),
	       "DOT: one line per node and edge");
	ok(strstr(dot, "\t\"ioc.example.\" [label=\"ioc.example\", shape=ellipse, "
	           "fillcolor=\"#f4a6a6\", color=\"#cc0000\", penwidth=3];") != NULL,
	   "DOT: the seed is highlighted");
	ok(strstr(dot, "\t\"ioc.example.\" -> \"198.51.100.1\" [label=\"A\\n2023-01-01 .. "
	           "2023-07-01\\ncount 40\"];") != NULL, "DOT: edge label with type, dates, count");
	ok(strstr(dot, "\"203.0.113.10\" [label=\"203.0.113.10\\n(skipped: fan-out cap)\", "
	           "shape=box") != NULL, "DOT: the skipped node says why");
	ok(gdf != NULL && strncmp(gdf, "nodedef>name VARCHAR,label VARCHAR,kind VARCHAR,", 48) == 0,
	   "GDF starts with nodedef");
	is_int(count_lines(gdf, "'") , cli_graph_nnodes(r.g) + cli_graph_nedges(r.g),
	       "GDF: one line per node and edge");
	size_t nodes_before_edgedef = 0;
	const char *ed = gdf ? strstr(gdf, "\nedgedef>node1 VARCHAR,node2 VARCHAR,") : NULL;
	ok(ed != NULL, "GDF has its edgedef");
	if (ed != NULL) {
		for (const char *p = gdf; p < ed; p++)
			nodes_before_edgedef += *p == '\n';
		is_int(nodes_before_edgedef, cli_graph_nnodes(r.g), "GDF: the nodes come first");
		is_int(count_lines(ed + 1, "'"), cli_graph_nedges(r.g), "GDF: then the edges");
	}
	ok(strstr(gdf, "'ioc.example.','ioc.example','name',true,0,''\n") != NULL,
	   "GDF: the seed's node line");
	ok(strstr(gdf, "'ioc.example.','198.51.100.1',true,'A','2023-01-01T00:00:00Z',"
	           "'2023-07-01T00:00:00Z',40\n") != NULL, "GDF: an edge line");
	ok(strstr(gdf, "'203.0.113.10','203.0.113.10','address',false,0,'fan-out cap'\n") != NULL,
	   "GDF: the skipped address");

	struct cli_graph *h = hostile_graph();
	char *hd = write_graph(h, CLI_GRAPH_DOT), *hg = write_graph(h, CLI_GRAPH_GDF);
	ok(hd && strstr(hd, "\t\"a\\\"b\" [label=\"a\\\"b\"") != NULL, "DOT: a quote is \\\"");
	ok(hd && strstr(hd, "\t\"back\\\\slash\" [label=\"back\\\\slash\"") != NULL,
	   "DOT: a backslash is \\\\ (and a label drops only a final dot)");
	ok(hd && strstr(hd, "\t\"new\\nline\"") != NULL, "DOT: a newline is \\n");
	ok(hd && strstr(hd, "\t\"trail\\\\\"") != NULL, "DOT: a trailing backslash stays inside");
	ok(hd && strstr(hd, "tab\\009bell\\007") != NULL, "DOT: control bytes as \\DDD in ids");
	ok(hd && strstr(hd, "utf8-\\195\\169-bad-\\255") != NULL, "DOT: non-ASCII as \\DDD");
	ok(hd && strchr(hd, '\t') && strchr(hd, '\a') == NULL, "DOT: no raw control byte");
	ok(hg && strstr(hg, "'quote\\039comma,'") != NULL, "GDF: a quote is \\039");
	ok(hg && strstr(hg, "'trail\\092'") != NULL, "GDF: a backslash is \\092");
	ok(hg && strstr(hg, "'new\\010line'") != NULL, "GDF: a newline is \\010");
	is_int(cli_graph_nedges(h), 2, "hostile rows drawn");
	ok(hd && strstr(hd, "\t\"a\\\\\\\"b.example.\" -> \"192.0.2.1\"") != NULL,
	   "DOT: dig's \\\" in a name is written \\\\\\\"");
	ok(hd && strstr(hd, "\"x\\\\010y\\\\\\\\.example.\" -> \"q\\\\\\\"z.example.\"") != NULL,
	   "DOT: a name's \\010 and \\\\ escaped again");
	is_int(count_lines(hg, "'"), cli_graph_nnodes(h) + cli_graph_nedges(h),
	       "GDF: one line per hostile node and edge");

	if (dir != NULL) {
		char path[4096];
		FILE *f;
		snprintf(path, sizeof(path), "%s/pivot.dot", dir);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(dot, f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/pivot.gdf", dir);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(gdf, f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/escape.dot", dir);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(hd, f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/counts", dir);
		if ((f = fopen(path, "w")) != NULL) {
			fprintf(f, "pivot %zu %zu\nescape %zu %zu\n", cli_graph_nnodes(r.g),
			        cli_graph_nedges(r.g), cli_graph_nnodes(h), cli_graph_nedges(h));
			fclose(f);
		}
	}
	free(hd);
	free(hg);
	cli_graph_destroy(&h);
	free(dot);
	free(gdf);
	run_free(&r);
}

int
main(int argc, char **argv)
{
	model_build();
	test_depths();
	test_no_double_count();
	test_no_cap();
	test_ns_cap();
	test_budget();
	test_prefix();
	test_inherit();
	test_failures();
	test_merge_hook();
	test_seeds();
	test_graph_rows();
	test_graph_output(argc > 1 ? argv[1] : NULL);
	return tap_done();
}
