/*
 * pivot.c - breadth-first pivoting over lookups (see pivot.h).
 *
 * The graph is the memory of what was reached: every query is about one
 * node (a name or an address), so "never ask twice" is three bits per node
 * (rrset, addresses, zones served) set when the query is queued. The queue
 * is a plain array read from the front; breadth first means its hops never
 * decrease, so a node is queued at the shortest hop that reaches it.
 *
 * Rows seen in several answers (the seed's "evil.example A 192.0.2.1" comes
 * back when 192.0.2.1 is asked about) must count once: cli_rows sums the
 * counts of equal rows, so a second set, `seen`, tells new rows by whether
 * adding them made it grow.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_query.h"
#include "cli/pivot.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

enum {
	PIVOT_ASK_RRSET = 1,   /* -r NAME */
	PIVOT_ASK_IP = 2,      /* -i ADDR */
	PIVOT_ASK_NS = 4,      /* -n NAME/NS */
	PIVOT_ASK_CHECKED = 8, /* an address checked against the excluded prefixes */
};

struct pivot_item {
	size_t node;
	uint8_t what;          /* one PIVOT_ASK_* bit */
	unsigned hop;
};

struct pivot {
	const struct proto_query *seed;
	const struct pivot_opts *o;
	struct cli_graph *g;
	struct cli_rows *all, *seen;
	struct pivot_stats *st;
	uint8_t *asked;        /* PIVOT_ASK_* bits per graph node */
	size_t nasked;
	struct pivot_item *q;
	size_t head, tail, qcap;
	struct timespec last_progress;
};

void
pivot_opts_init(struct pivot_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->depth = 1;
	o->budget = PIVOT_DEFAULT_BUDGET;
	o->fanout = PIVOT_DEFAULT_FANOUT;
	o->prog = "pdns";
}

int
pivot_skip_add(struct pivot_opts *o, const char *text, char *why, size_t whylen)
{
	struct proto_query q;
	int err;

	if (o->nskip == PIVOT_MAX_SKIP) {
		snprintf(why, whylen, "at most %d excluded prefixes", PIVOT_MAX_SKIP);
		return PROTO_ESPACE;
	}
	proto_query_init(&q);
	if ((err = cli_query_ip(&q, text, why, whylen)) != 0)
		return err;
	struct pivot_range *r = &o->skip[o->nskip++];
	r->family = q.family;
	memcpy(r->lo, q.addr_lo, sizeof(r->lo));
	memcpy(r->hi, q.addr_hi, sizeof(r->hi));
	return 0;
}

static void __attribute__((format(printf, 3, 4)))
pivot_say(const struct pivot *p, FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (f == NULL)
		return;
	fprintf(f, "%s: pivot", p->o->prog);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

static void
pivot_progress(struct pivot *p, unsigned hop, bool force)
{
	struct timespec now;

	if (p->o->progress == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && now.tv_sec - p->last_progress.tv_sec < 1)
		return;
	p->last_progress = now;
	pivot_say(p, p->o->progress, " hop %u/%u: %zu queries done, %zu queued, %zu rows",
	          hop, p->o->depth, p->st->queries, p->tail - p->head, p->st->rows);
}

/* The asked bits of node i, growing the array to the graph's size. */
static uint8_t *
pivot_bits(struct pivot *p, size_t i)
{
	size_t n = cli_graph_nnodes(p->g);

	if (n > p->nasked) {
		size_t want = p->nasked ? p->nasked : 64;
		while (want < n)
			want *= 2;
		uint8_t *a = realloc(p->asked, want);
		if (a == NULL)
			return NULL;
		memset(a + p->nasked, 0, want - p->nasked);
		p->asked = a;
		p->nasked = want;
	}
	return &p->asked[i];
}

/* An address node's text as bytes; family 4 or 6. */
static uint8_t
pivot_addr(const struct cli_graph_node *n, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, n->id, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, n->id, addr) == 1)
		return 6;
	return 0;
}

static bool
pivot_excluded(const struct pivot_opts *o, const uint8_t addr[16], uint8_t family)
{
	size_t len = family == 4 ? 4 : 16;

	for (size_t i = 0; i < o->nskip; i++) {
		const struct pivot_range *r = &o->skip[i];
		if (r->family == family && memcmp(addr, r->lo, len) >= 0 &&
		    memcmp(addr, r->hi, len) <= 0)
			return true;
	}
	return false;
}

/* How a query is written in notes: as the pdns option that asks it. */
static void
pivot_describe(const struct cli_graph_node *n, uint8_t what, char *out, size_t cap)
{
	/* Names are ids with their dot; the options take them without. */
	int len = n->kind == CLI_GRAPH_NAME && n->id_len > 1 ? (int)n->id_len - 1
	          : (int)n->id_len;

	snprintf(out, cap, "%s %.*s%s", what == PIVOT_ASK_RRSET ? "-r"
	         : what == PIVOT_ASK_IP ? "-i" : "-n", len, n->id,
	         what == PIVOT_ASK_NS ? "/NS" : "");
}

/* Queue `what` about node i at hop, unless it was queued before. */
static int
pivot_want(struct pivot *p, size_t i, uint8_t what, unsigned hop)
{
	uint8_t *bits = pivot_bits(p, i);
	const struct cli_graph_node *n = cli_graph_node(p->g, i);

	if (bits == NULL)
		return PROTO_ENOMEM;
	if (n->kind == CLI_GRAPH_ADDR && !(*bits & PIVOT_ASK_CHECKED)) {
		uint8_t addr[16], family = pivot_addr(n, addr);
		*bits |= PIVOT_ASK_CHECKED;
		if (family != 0 && pivot_excluded(p->o, addr, family)) {
			*bits |= PIVOT_ASK_IP;
			cli_graph_set_skip(p->g, i, CLI_GRAPH_SKIP_PREFIX);
			p->st->skipped_prefix++;
			pivot_say(p, p->o->notes, ": not following %s: in an excluded prefix",
			          n->id);
		}
	}
	if ((*bits & what) != 0 || hop > p->o->depth)
		return 0;
	*bits |= what;
	if (p->tail == p->qcap) {
		size_t want = p->qcap ? 2 * p->qcap : 64;
		struct pivot_item *q = realloc(p->q, want * sizeof(*q));
		if (q == NULL)
			return PROTO_ENOMEM;
		p->q = q;
		p->qcap = want;
	}
	p->q[p->tail++] = (struct pivot_item){ .node = i, .what = what, .hop = hop };
	return 0;
}

/*
 * Take one answer given at `hop`: draw its new rows, queue what they name
 * for hop + 1, and merge it into all.
 */
static int
pivot_take(struct pivot *p, const struct cli_rows *answer, unsigned hop)
{
	size_t n = cli_rows_count(answer);
	int err;

	for (size_t i = 0; i < n; i++) {
		const struct proto_obs *o = cli_rows_get(answer, i);
		size_t before = cli_rows_count(p->seen), e;

		if ((err = cli_rows_add(p->seen, o)) != 0)
			return err;
		if (cli_rows_count(p->seen) == before)
			continue;
		p->st->rows++;
		if (p->o->merge == NULL && (err = cli_rows_add(p->all, o)) != 0)
			return err;
		if ((err = cli_graph_add_row(p->g, o, hop, &e)) != 0)
			return err;
		if (e == SIZE_MAX)
			continue;
		const struct cli_graph_edge *edge = cli_graph_edge(p->g, e);
		size_t from = edge->from, to = edge->to;
		bool addr = cli_graph_node(p->g, to)->kind == CLI_GRAPH_ADDR;

		if ((err = pivot_want(p, from, PIVOT_ASK_RRSET, hop + 1)) != 0 ||
		    (err = pivot_want(p, to, addr ? PIVOT_ASK_IP : PIVOT_ASK_RRSET,
		                      hop + 1)) != 0)
			return err;
		if (o->rrtype == PROTO_T_NS &&
		    (err = pivot_want(p, to, PIVOT_ASK_NS, hop + 1)) != 0)
			return err;
	}
	if (p->o->merge != NULL)
		return p->o->merge(p->o->merge_arg, p->all, answer);
	return 0;
}

/* The query an item asks, with what it inherits from the seed. */
static int
pivot_query(const struct pivot *p, const struct pivot_item *it, struct proto_query *q)
{
	const struct cli_graph_node *n = cli_graph_node(p->g, it->node);
	const struct proto_query *s = p->seed;
	size_t len;

	proto_query_init(q);
	q->fences = s->fences;
	q->first_after = s->first_after;
	q->first_before = s->first_before;
	q->last_after = s->last_after;
	q->last_before = s->last_before;
	q->sections = s->sections;
	q->limit = p->o->limit ? p->o->limit : s->limit;
	if (it->what != PIVOT_ASK_RRSET && p->o->fanout > 0)
		q->limit = (uint64_t)p->o->fanout + 1;
	if (it->what == PIVOT_ASK_IP) {
		q->kind = PROTO_Q_RDATA_IP;
		q->family = pivot_addr(n, q->addr_lo);
		memcpy(q->addr_hi, q->addr_lo, sizeof(q->addr_hi));
		return q->family != 0 ? 0 : PROTO_EINVAL;
	}
	q->kind = it->what == PIVOT_ASK_NS ? PROTO_Q_RDATA_NAME : PROTO_Q_RRSET;
	q->match = PROTO_M_EXACT;
	if (proto_name_parse(n->id, n->id_len, q->name, &len) != 0)
		return PROTO_EINVAL;
	q->name_len = (uint16_t)len;
	if (it->what == PIVOT_ASK_NS) {
		q->types[0] = PROTO_T_NS;
		q->ntypes = 1;
	}
	return 0;
}

static int
pivot_cmp_name(const void *a, const void *b)
{
	const struct proto_obs *x = *(const struct proto_obs *const *)a;
	const struct proto_obs *y = *(const struct proto_obs *const *)b;

	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(x->name, y->name, x->name_len);
}

/* The number of distinct owner names in an answer, or PROTO_ENOMEM. */
static int
pivot_owners(const struct cli_rows *r, size_t *out)
{
	size_t n = cli_rows_count(r), k = 0;
	const struct proto_obs **v;

	*out = 0;
	if (n == 0)
		return 0;
	if ((v = malloc(n * sizeof(*v))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = cli_rows_get(r, i);
	qsort(v, n, sizeof(*v), pivot_cmp_name);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || pivot_cmp_name(&v[i - 1], &v[i]) != 0)
			k++;
	free(v);
	*out = k;
	return 0;
}

/*
 * Mark what the seed itself asks about as asked and highlight it: an
 * exact name, or a single address. Wildcards and ranges have no one node.
 */
static int
pivot_seed_node(struct pivot *p)
{
	const struct proto_query *s = p->seed;
	char text[CLI_GRAPH_TEXT_MAX + 1];
	struct proto_buf b;
	enum cli_graph_kind kind;
	uint8_t what;
	size_t i;
	int err;

	proto_buf_init(&b, text, sizeof(text));
	if ((s->kind == PROTO_Q_RRSET || s->kind == PROTO_Q_RDATA_NAME) &&
	    s->match == PROTO_M_EXACT && s->name_len > 1) {
		kind = CLI_GRAPH_NAME;
		what = s->kind == PROTO_Q_RRSET ? PIVOT_ASK_RRSET : PIVOT_ASK_NS;
		proto_name_format(s->name, s->name_len, &b);
		proto_buf_putc(&b, '.');
	} else if (s->kind == PROTO_Q_RDATA_IP && (s->family == 4 || s->family == 6) &&
	           memcmp(s->addr_lo, s->addr_hi, 16) == 0) {
		kind = CLI_GRAPH_ADDR;
		what = PIVOT_ASK_IP | PIVOT_ASK_CHECKED;
		if (s->family == 4)
			proto_buf_put_ipv4(&b, s->addr_lo);
		else
			proto_buf_put_ipv6(&b, s->addr_lo);
	} else {
		return 0;
	}
	if (b.err != 0)
		return 0;
	if ((err = cli_graph_node_add(p->g, kind, b.data, b.len, 0, &i, NULL)) != 0)
		return err;
	cli_graph_set_seed(p->g, i);
	uint8_t *bits = pivot_bits(p, i);
	if (bits == NULL)
		return PROTO_ENOMEM;
	*bits |= what;
	return 0;
}

/* One pivot query: ask it, judge its fan-out, take its rows. */
static int
pivot_step(struct pivot *p, pivot_lookup_fn lookup, void *arg,
           const struct pivot_item *it)
{
	const struct cli_graph_node *n = cli_graph_node(p->g, it->node);
	char what[CLI_GRAPH_TEXT_MAX + 16], why[256] = "";
	struct cli_rows *answer = NULL;
	struct proto_query q;
	size_t owners;
	int err;

	pivot_describe(n, it->what, what, sizeof(what));
	if (pivot_query(p, it, &q) != 0) {
		p->st->failed++;
		pivot_say(p, p->o->notes, ": %s: cannot make a query of it", what);
		return 0;
	}
	if ((err = cli_rows_new(&answer)) != 0)
		return err;
	p->st->queries++;
	err = lookup(arg, &q, answer, why, sizeof(why));
	if (err == PROTO_ENOMEM)
		goto out;
	if (err != 0) {
		p->st->failed++;
		pivot_say(p, p->o->notes, ": %s failed: %s", what,
		          why[0] ? why : proto_strerror(err));
		err = 0;
		goto out;
	}
	if (it->what != PIVOT_ASK_RRSET && p->o->fanout > 0) {
		if ((err = pivot_owners(answer, &owners)) != 0)
			goto out;
		if (owners > p->o->fanout) {
			cli_graph_set_skip(p->g, it->node, CLI_GRAPH_SKIP_FANOUT);
			p->st->skipped_fanout++;
			pivot_say(p, p->o->notes, ": not following %.*s: more than %zu %s "
			          "(fan-out cap)", (int)(n->id_len - (n->kind == CLI_GRAPH_NAME)),
			          n->id, p->o->fanout,
			          it->what == PIVOT_ASK_IP ? "names" : "zones");
			goto out;
		}
	}
	err = pivot_take(p, answer, it->hop);
out:
	cli_rows_destroy(&answer);
	return err;
}

int
pivot_run(const struct proto_query *seed, const struct pivot_opts *o,
          pivot_lookup_fn lookup, void *arg, struct cli_graph *g,
          struct cli_rows *all, struct pivot_stats *st, char *why, size_t whylen)
{
	struct pivot p = { .seed = seed, .o = o, .g = g, .all = all, .st = st };
	struct cli_rows *answer = NULL;
	unsigned hop = 0;
	int err;

	memset(st, 0, sizeof(*st));
	if (o->depth > PIVOT_MAX_DEPTH || o->budget == 0 || o->prog == NULL) {
		snprintf(why, whylen, "pivot depth 0..%d and a budget of at least 1 query",
		         PIVOT_MAX_DEPTH);
		return PROTO_EINVAL;
	}
	if ((err = cli_rows_new(&p.seen)) != 0 || (err = cli_rows_new(&answer)) != 0 ||
	    (err = pivot_seed_node(&p)) != 0)
		goto fail;
	why[0] = '\0';
	st->queries = 1;
	if ((err = lookup(arg, seed, answer, why, whylen)) != 0)
		goto fail;
	if ((err = pivot_take(&p, answer, 0)) != 0)
		goto fail;
	cli_rows_destroy(&answer);
	while (p.head < p.tail) {
		const struct pivot_item it = p.q[p.head];

		if (st->queries >= o->budget) {
			st->budget_hit = true;
			st->unasked = p.tail - p.head;
			pivot_say(&p, o->notes, " stopped by its budget of %zu queries: %zu not "
			          "asked (use --pivot-budget N)", o->budget, st->unasked);
			break;
		}
		p.head++;
		if (it.hop != hop) {
			hop = it.hop;
			st->hops = hop;
			pivot_progress(&p, hop, true);
		} else {
			pivot_progress(&p, hop, false);
		}
		if ((err = pivot_step(&p, lookup, arg, &it)) != 0)
			goto fail;
	}
	pivot_say(&p, o->progress, " done: %u hop%s, %zu queries, %zu rows, %zu nodes, "
	          "%zu edges", st->hops, st->hops == 1 ? "" : "s", st->queries, st->rows,
	          cli_graph_nnodes(g), cli_graph_nedges(g));
	err = 0;
fail:
	if (err == PROTO_ENOMEM)
		snprintf(why, whylen, "out of memory after %zu queries", st->queries);
	cli_rows_destroy(&answer);
	cli_rows_destroy(&p.seen);
	free(p.asked);
	free(p.q);
	return err;
}
