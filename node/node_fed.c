/*
 * node_fed.c - federated queries: a QUERY that may travel between nodes
 * (doc/peer-protocol.md 5.3, 5.4.1).
 *
 * A peer's query first passes its budget (query-rate: a token bucket per
 * peer) and the loop check: a query_id seen here in the last 10 minutes is
 * refused at once and not forwarded, so a ring of peers answers each query
 * once per node and ends. Then the node answers from its store at once
 * (a peer gets our own sensors' rows only) and, while the hop limit allows,
 * forwards the query to every peer it asks (a query-endpoint and
 * forward = yes), all at once over the peers' DEALER sockets (node_sub.c),
 * with hop_limit - 1 and a deadline shorter than ours.
 *
 * Nothing here blocks the loop: a forwarded query waits in a small table;
 * the peers' parts are relayed to the asker as they arrive (renumbered as
 * our parts, rows and their origins unchanged: the node merges nothing),
 * and the final part goes when every peer has answered or our deadline has
 * come, with what each source did. A peer that never answers costs the
 * asker no more than the deadline it gave.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>

#include "node/node_impl.h"
#include "node/node_log.h"
#include "cli/prov_cache.h"
#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "proto/proto_query.h"

#define FED_PENDING_MAX 64          /* forwarded queries waiting for peers */
#define FED_SEEN_SLOTS 65536u       /* query ids remembered, a power of 2 */
#define FED_SEEN_PROBE 16           /* slots looked at per id */
#define FED_SEEN_MS (600 * 1000)    /* how long an id is remembered */
#define FED_BURST_MAX 10.0          /* a peer's burst of queries, at most */
#define FED_MIN_FORWARD_MS 20       /* a smaller deadline is not worth sending */

/* One source of the answer (the protocol's proto_peer_source, owned). */
struct fed_src {
	char name[PROTO_PEER_ORIGIN_MAX + 1];
	uint8_t status;
	uint32_t rows;
	char why[PROTO_PEER_REASON_MAX + 1];
};

/* One peer asked. */
struct fed_ask {
	struct node_peer *peer;
	uint32_t next_part;
	size_t src;                    /* its entry in the query's sources */
	bool done;
};

struct fed_query {
	bool used;
	uint64_t id;
	uint8_t asker[NODE_ID_MAX];    /* the ROUTER id of who asked us */
	size_t asker_len;
	char who[64];
	int64_t end_ms;                /* our final part goes by then */
	uint32_t fwd_ms;               /* the deadline the peers were given */
	uint32_t part_no;
	uint8_t status;                /* our store's: PROTO_PEER_ST_* */
	bool limited, partial, asker_gone;
	/* Providers a client had us ask (node_prov.c): one worker for all. */
	uint64_t token;                /* names this query to the worker */
	bool prov_waiting;
	size_t nprov;
	size_t prov_src[NODE_PROV_MAX]; /* their entries in src, in asking order */
	struct fed_ask asks[PROTO_PEER_SOURCES_MAX];
	size_t nasks, waiting;
	struct fed_src src[PROTO_PEER_SOURCES_MAX];
	size_t nsrc;
};

struct fed_seen {
	uint64_t id;
	int64_t at;                    /* ms, 0: free */
};

struct node_fed {
	struct fed_query q[FED_PENDING_MAX];
	struct fed_query scratch;      /* a query answered at once */
	struct fed_seen seen[FED_SEEN_SLOTS];
	uint64_t late;                 /* peer parts of queries already ended */
	uint64_t tokens;               /* the last query token given */
};

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	/* + 1: 0 marks a free seen slot. */
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 + 1;
}

static struct node_fed *
fed_get(struct node_server *s)
{
	if (s->fed == NULL)
		s->fed = calloc(1, sizeof(*s->fed));
	return s->fed;
}

/* ---- Budgets and loops ---- */

/* Whether peer p may ask one more query now (query-rate per second, a
 * burst of as many, at most FED_BURST_MAX). */
static bool
budget_take(struct node_peer *p)
{
	struct timespec now;
	double rate = p->cfg->query_rate;
	double burst = rate < FED_BURST_MAX ? rate : FED_BURST_MAX;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!p->qstarted) {
		p->qtokens = burst;
		p->qstarted = true;
	} else {
		p->qtokens += ((double)(now.tv_sec - p->qrefill.tv_sec) +
		               (double)(now.tv_nsec - p->qrefill.tv_nsec) / 1e9) * rate;
		if (p->qtokens > burst)
			p->qtokens = burst;
	}
	p->qrefill = now;
	if (p->qtokens < 1.0)
		return false;
	p->qtokens -= 1.0;
	return true;
}

/* True when id was seen in the last FED_SEEN_MS; else it is remembered
 * (over the oldest of its probe window when that is full: the table is
 * bounded, and a forgotten id costs at most one more round of a loop,
 * which the hop limit ends). */
static bool
seen_check(struct node_fed *f, uint64_t id, int64_t now)
{
	size_t h = (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 48) & (FED_SEEN_SLOTS - 1);
	struct fed_seen *victim = NULL;  /* a free slot, else the oldest */
	bool victim_live = true;

	for (unsigned i = 0; i < FED_SEEN_PROBE; i++) {
		struct fed_seen *e = &f->seen[(h + i) & (FED_SEEN_SLOTS - 1)];
		bool live = e->at != 0 && now - e->at < FED_SEEN_MS;
		if (live && e->id == id)
			return true;
		if (!live) {
			if (victim_live) {
				victim = e;
				victim_live = false;
			}
		} else if (victim == NULL || (victim_live && e->at < victim->at)) {
			victim = e;
		}
	}
	victim->id = id;
	victim->at = now;
	return false;
}

/* ---- Sources ---- */

static bool
src_answered(uint8_t status)
{
	return status == PROTO_PEER_SRC_ANSWERED || status == PROTO_PEER_SRC_LIMITED;
}

/* Copy n bytes of text, printable ASCII only, into dst[cap]. */
static void
text_copy(char *dst, size_t cap, const char *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++)
		if (src[i] >= 0x20 && src[i] <= 0x7e)
			dst[k++] = src[i];
	dst[k] = '\0';
}

/* Add a source, each name once: an entry that answered replaces one that
 * did not (a loop's refusal, a second path to a node). Its index, or -1
 * when the list is full or the name is there already. */
static long
src_add(struct fed_query *q, const char *name, size_t len, uint8_t status, uint32_t rows,
        const char *why, size_t whylen)
{
	struct fed_src *e = NULL;

	for (size_t i = 0; i < q->nsrc; i++)
		if (strlen(q->src[i].name) == len && memcmp(q->src[i].name, name, len) == 0) {
			if (src_answered(q->src[i].status) || !src_answered(status))
				return -1;
			e = &q->src[i];
			break;
		}
	if (e == NULL) {
		if (q->nsrc == PROTO_PEER_SOURCES_MAX)
			return -1;
		e = &q->src[q->nsrc++];
	}
	text_copy(e->name, sizeof(e->name), name, len);
	if (e->name[0] == '\0')
		snprintf(e->name, sizeof(e->name), "?");
	e->status = status;
	e->rows = rows;
	text_copy(e->why, sizeof(e->why), why, whylen);
	return e - q->src;
}

static void
src_set(struct fed_src *e, uint8_t status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
src_set(struct fed_src *e, uint8_t status, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
}

/* ---- Sending to the asker ---- */

static void
fed_send(struct node_server *s, struct fed_query *q, struct proto_peer_msg *m)
{
	void *h = zsock_resolve(s->queries);
	size_t len;
	int err;

	if (q->asker_gone)
		return;
	m->type = PROTO_PEER_QUERY_RESULT;
	m->query_id = q->id;
	m->part = q->part_no;
	err = proto_peer_encode(m, s->out, PROTO_PEER_MSG_MAX, &len);
	if (err == PROTO_ESPACE && !m->final && m->nrows > 1) {
		/* A peer's full part with our (longer) header: in two. */
		struct proto_peer_msg half = *m;
		half.nrows = m->nrows / 2;
		fed_send(s, q, &half);
		half.rows = m->rows + half.nrows;
		half.nrows = m->nrows - m->nrows / 2;
		fed_send(s, q, &half);
		return;
	}
	if (err != 0) {
		node_log("queries: %016" PRIx64 ": cannot encode a part: %s", q->id,
		         proto_strerror(err));
		return;
	}
	if (zmq_send(h, q->asker, q->asker_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(h, s->out, len, 0) < 0) {
		node_ratelog(&s->bad_input, "queries: %016" PRIx64 ": the asker '%s' is gone: %s",
		             q->id, q->who, zmq_strerror(errno));
		q->asker_gone = true;
		return;
	}
	q->part_no++;
}

/* The final part: every peer answered, or the deadline came. */
static void
finish(struct node_server *s, struct fed_query *q)
{
	struct proto_peer_source src[PROTO_PEER_SOURCES_MAX];
	unsigned answered = 0, late = 0;

	for (size_t i = 0; i < q->nasks; i++) {
		struct fed_ask *a = &q->asks[i];
		if (a->done) {
			answered += src_answered(q->src[a->src].status);
			continue;
		}
		a->done = true;
		q->partial = true;
		late++;
		s->peer_timeouts++;
		src_set(&q->src[a->src], PROTO_PEER_SRC_TIMED_OUT, "no final answer within %u ms",
		        (unsigned)q->fwd_ms);
	}
	for (size_t i = 0; q->prov_waiting && i < q->nprov; i++) {
		q->partial = true;
		src_set(&q->src[q->prov_src[i]], PROTO_PEER_SRC_TIMED_OUT,
		        "no answer within %u ms", (unsigned)q->fwd_ms);
	}
	q->prov_waiting = false;
	for (size_t i = 0; i < q->nsrc; i++)
		src[i] = (struct proto_peer_source){
			.name = q->src[i].name, .name_len = (uint8_t)strlen(q->src[i].name),
			.status = q->src[i].status, .rows = q->src[i].rows,
			.why = q->src[i].why, .why_len = (uint8_t)strlen(q->src[i].why) };
	struct proto_peer_msg m = {
		.final = true, .limited = q->limited, .has_sources = true, .sources = src,
		.nsources = (uint32_t)q->nsrc,
		.status = q->status != PROTO_PEER_ST_OK ? q->status
		          : q->partial ? PROTO_PEER_ST_PARTIAL : PROTO_PEER_ST_OK };
	fed_send(s, q, &m);
	if (q->nasks > 0)
		node_log("queries: %016" PRIx64 " for '%s' done: %zu peers asked, %u answered, "
		         "%u timed out, %zu sources", q->id, q->who, q->nasks, answered, late,
		         q->nsrc);
	q->used = false;
}

/* ---- Providers (node_prov.c) ---- */

/* Which providers; their cached rows stay out of the store answer (they
 * come as the providers' own, once). */
static void
fed_plan(struct node_server *s, const struct proto_peer_msg *m, struct node_prov_plan *plan)
{
	char origin[STORE_ORIGIN_NAME_MAX + 1], why[128];
	uint16_t id;

	node_prov_plan(s, m, plan);
	s->q_nskip = 0;
	for (size_t i = 0; i < plan->n; i++) {
		snprintf(origin, sizeof(origin), PROV_CACHE_ORIGIN "%s", plan->name[i]);
		if (plan->p[i] != NULL &&
		    store_db_origin_id(s->db, origin, false, &id, why, sizeof(why)) == 0)
			s->q_skip[s->q_nskip++] = id;
	}
}

/* Send rows[0..n) of provider name as parts of q, origin name. */
static uint32_t
fed_prov_rows(struct node_server *s, struct fed_query *q, const char *name,
              const struct proto_obs *rows, size_t n)
{
	struct proto_peer_msg m = { .rows = s->xrows };
	size_t bytes = 0;
	uint32_t sent = 0;

	for (size_t i = 0; i < n; i++) {
		struct proto_peer_row r = { .obs = rows[i], .origin = (const uint8_t *)name,
		                            .origin_len = (uint8_t)strlen(name) };
		if (proto_peer_row_check(&r, true) != 0)
			continue; /* a row the protocol cannot carry */
		size_t size = proto_peer_row_size(&r, true);
		if (m.nrows == PROTO_PEER_ROWS_MAX ||
		    PROTO_PEER_HEAD_MAX + bytes + size > PROTO_PEER_MSG_MAX) {
			fed_send(s, q, &m);
			m = (struct proto_peer_msg){ .rows = s->xrows };
			bytes = 0;
		}
		s->xrows[m.nrows++] = r;
		bytes += size;
		sent++;
	}
	if (m.nrows > 0)
		fed_send(s, q, &m);
	return sent;
}

/* Serve the providers with a fresh answer in the store; a worker asks the rest. */
static void
fed_providers(struct node_server *s, struct fed_query *q, const struct node_prov_plan *plan,
              const struct proto_query *pq)
{
	const struct pdns_conf_provider *ask[NODE_PROV_MAX];
	char why[PROTO_PEER_REASON_MAX + 1];

	for (size_t i = 0; i < plan->n; i++) {
		const char *name = plan->name[i];
		long at = src_add(q, name, strlen(name), PROTO_PEER_SRC_ANSWERED, 0, "", 0);
		struct prov_cache_hit hit;
		bool limited;
		uint32_t n;

		if (at < 0)
			continue;
		if (plan->p[i] == NULL) {
			src_set(&q->src[at], PROTO_PEER_SRC_REFUSED, "no such provider here");
			continue;
		}
		if (node_prov_fresh(s, plan, i, pq, &hit)) {
			s->q_has_only = true;
			s->q_only = hit.origin;
			s->part_no = q->part_no;
			node_store_answer(s, pq, false, false, &limited, &n);
			s->q_has_only = false;
			q->part_no = s->part_no;
			q->src[at].rows = n;
			q->limited |= limited || hit.limited;
			src_set(&q->src[at], limited || hit.limited ? PROTO_PEER_SRC_LIMITED
			        : PROTO_PEER_SRC_ANSWERED, "cached, fetched %lld s ago",
			        (long long)(time(NULL) - hit.fetched));
			continue;
		}
		q->prov_src[q->nprov] = (size_t)at;
		ask[q->nprov++] = plan->p[i];
	}
	if (q->nprov == 0)
		return;
	int err = q->fwd_ms < FED_MIN_FORWARD_MS ? PROTO_EINVAL
	          : node_prov_start(s, q->token, pq, ask, q->nprov, q->fwd_ms, why, sizeof(why));
	if (err != 0) {
		for (size_t i = 0; i < q->nprov; i++)
			src_set(&q->src[q->prov_src[i]], PROTO_PEER_SRC_ERROR, "%s",
			        err == PROTO_EINVAL ? "not asked: no time left" : why);
		q->partial = true;
		return;
	}
	q->prov_waiting = true;
	q->waiting++;
}

void
node_fed_prov_done(struct node_server *s, uint64_t token, const struct node_prov_out *out,
                   size_t n)
{
	struct fed_query *q = NULL;

	for (size_t i = 0; s->fed != NULL && i < FED_PENDING_MAX && q == NULL; i++)
		if (s->fed->q[i].used && s->fed->q[i].token == token && s->fed->q[i].prov_waiting)
			q = &s->fed->q[i];
	if (q == NULL) {
		if (s->fed != NULL)
			s->fed->late++;
		return;
	}
	for (size_t i = 0; i < n && i < q->nprov; i++) {
		struct fed_src *e = &q->src[q->prov_src[i]];
		e->rows = fed_prov_rows(s, q, out[i].name, out[i].rows, out[i].n);
		src_set(e, out[i].status, "%s", out[i].why);
		if (out[i].status == PROTO_PEER_SRC_LIMITED)
			q->limited = true;
		if (out[i].status == PROTO_PEER_SRC_TIMED_OUT)
			q->partial = true;
		node_log("queries: %016" PRIx64 ": provider %s: %s, %u rows", q->id, e->name,
		         proto_peer_source_status_name(e->status), (unsigned)e->rows);
	}
	q->prov_waiting = false;
	if (--q->waiting == 0)
		finish(s, q);
}

/* ---- A query ---- */

static struct fed_query *
slot_get(struct node_fed *f)
{
	for (size_t i = 0; i < FED_PENDING_MAX; i++)
		if (!f->q[i].used)
			return &f->q[i];
	return NULL;
}

/* Send the query on to peer p (hop_limit - 1, deadline fwd_ms). */
static void
ask_peer(struct node_server *s, struct fed_query *q, struct node_peer *p,
         const struct proto_peer_msg *m)
{
	struct proto_peer_msg fw = *m;
	const char *name = p->cfg->name;
	size_t len;
	long at = src_add(q, name, strlen(name), PROTO_PEER_SRC_ANSWERED, 0, "", 0);

	if (at < 0 || q->nasks == PROTO_PEER_SOURCES_MAX)
		return; /* more peers than a result can list */
	if (q->fwd_ms < FED_MIN_FORWARD_MS) {
		src_set(&q->src[at], PROTO_PEER_SRC_TIMED_OUT, "not asked: no time left (%u ms)",
		        (unsigned)q->fwd_ms);
		q->partial = true;
		return;
	}
	fw.hop_limit = (uint8_t)(m->hop_limit - 1);
	fw.deadline_ms = q->fwd_ms;
	/* Providers are the asking client's business with us, not our peers'. */
	fw.has_providers = false;
	fw.nproviders = 0;
	fw.prov_flags = 0;
	if (proto_peer_encode(&fw, s->out, PROTO_PEER_MSG_MAX, &len) != 0 ||
	    zmq_send(zsock_resolve(p->dealer), s->out, len, ZMQ_DONTWAIT) < 0) {
		src_set(&q->src[at], PROTO_PEER_SRC_ERROR, "not asked: %s",
		        errno == EAGAIN ? "not connected" : zmq_strerror(errno));
		q->partial = true;
		return;
	}
	q->asks[q->nasks++] = (struct fed_ask){ .peer = p, .src = (size_t)at };
	q->waiting++;
	s->forwarded++;
}

void
node_fed_query(struct node_server *s, struct node_peer *p, const char *who,
               const struct proto_peer_msg *m)
{
	static struct proto_query pq;
	struct node_fed *f = fed_get(s);
	int64_t now = now_ms();
	char why[128];

	if (f == NULL) {
		node_query_refuse(s, who, m->query_id, "out of memory");
		return;
	}
	if (p != NULL && m->has_providers) {
		s->refused_policy++;
		node_query_refuse(s, who, m->query_id, "providers are asked for clients only");
		return;
	}
	if (p != NULL && !budget_take(p)) {
		s->refused_rate++;
		snprintf(why, sizeof(why), "query rate exceeded (%u per second)",
		         (unsigned)p->cfg->query_rate);
		node_query_refuse(s, who, m->query_id, why);
		return;
	}
	if (seen_check(f, m->query_id, now)) {
		s->refused_seen++;
		node_query_refuse(s, who, m->query_id, "query already answered here (a loop)");
		return;
	}
	/* QUERY's decoder checked the query value already. */
	if (proto_query_decode(&pq, m->query, m->query_len) != 0) {
		node_query_refuse(s, who, m->query_id, "not a valid query");
		return;
	}

	struct fed_query *q = m->hop_limit > 0 || m->has_providers ? slot_get(f) : NULL;
	bool can_wait = q != NULL;

	if (m->has_providers && !can_wait) {
		node_query_refuse(s, who, m->query_id, "too many queries are waiting here");
		return;
	}
	if (q == NULL)
		q = &f->scratch;
	memset(q, 0, offsetof(struct fed_query, asks));
	q->nasks = q->waiting = q->nsrc = 0;
	q->id = m->query_id;
	q->token = ++f->tokens;
	memcpy(q->asker, s->id, s->id_len);
	q->asker_len = s->id_len;
	snprintf(q->who, sizeof(q->who), "%s", who);
	/* Our final part must reach the asker within its deadline: we end a
	 * margin before it, and give our peers a margin less again. */
	int64_t margin = m->deadline_ms / 8;
	margin = margin < 20 ? 20 : margin > 1000 ? 1000 : margin;
	q->end_ms = now + (int64_t)m->deadline_ms - margin;
	q->fwd_ms = (int64_t)m->deadline_ms > 2 * margin
	            ? (uint32_t)((int64_t)m->deadline_ms - 2 * margin) : 0;
	src_add(q, s->cfg->name, strlen(s->cfg->name), PROTO_PEER_SRC_ANSWERED, 0, "", 0);

	/* The peers first, so they work while we read our store. */
	for (size_t i = 0; can_wait && m->hop_limit > 0 && i < s->npeers; i++) {
		struct node_peer *pp = &s->peers[i];
		if (pp != p && pp->cfg->forward && pp->dealer != NULL &&
		    pp->cfg->query_endpoints.n > 0)
			ask_peer(s, q, pp, m);
	}
	if (m->hop_limit > 0 && !can_wait) {
		q->partial = true;
		src_set(&q->src[0], PROTO_PEER_SRC_ANSWERED, "peers not asked: %u queries are "
		        "waiting for peers here", FED_PENDING_MAX);
	}
	q->used = true;
	if (p != NULL)
		s->answered_peers++;

	uint32_t n;
	static struct node_prov_plan plan;
	if (m->has_providers)
		fed_plan(s, m, &plan);
	node_query_begin(s, m->query_id);
	q->status = node_store_answer(s, &pq, p != NULL, false, &q->limited, &n);
	s->q_nskip = 0;
	q->part_no = s->part_no;
	if (m->has_providers)
		fed_providers(s, q, &plan, &pq);
	q->src[0].rows = n;
	if (q->status != PROTO_PEER_ST_OK)
		src_set(&q->src[0], PROTO_PEER_SRC_ERROR, "%s",
		        q->status == PROTO_PEER_ST_BAD_QUERY ? "the query is too wide here"
		                                             : "the store failed");
	else if (q->limited)
		q->src[0].status = PROTO_PEER_SRC_LIMITED;
	node_log("queries: %016" PRIx64 " from '%s' (hop limit %u, %u ms): %u rows of ours, "
	         "%zu peers asked, %zu providers asked", m->query_id, who, (unsigned)m->hop_limit,
	         (unsigned)m->deadline_ms, n, q->nasks, q->nprov);
	if (q->waiting == 0)
		finish(s, q);
}

/* ---- Peers' answers ---- */

static struct fed_ask *
ask_find(struct node_fed *f, struct node_peer *p, uint64_t id, struct fed_query **qp)
{
	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < FED_PENDING_MAX; i++) {
		struct fed_query *q = &f->q[i];
		if (!q->used || q->id != id)
			continue;
		for (size_t j = 0; j < q->nasks; j++)
			if (q->asks[j].peer == p && !q->asks[j].done) {
				*qp = q;
				return &q->asks[j];
			}
	}
	return NULL;
}

static void
ask_done(struct node_server *s, struct fed_query *q, struct fed_ask *a)
{
	a->done = true;
	if (--q->waiting == 0)
		finish(s, q);
}

/* What a peer's final status says of it. */
static uint8_t
src_status(const struct proto_peer_msg *m, const char **why)
{
	*why = "";
	switch (m->status) {
	case PROTO_PEER_ST_OK:
	case PROTO_PEER_ST_PARTIAL:
		return m->limited ? PROTO_PEER_SRC_LIMITED : PROTO_PEER_SRC_ANSWERED;
	case PROTO_PEER_ST_REFUSED:
		*why = "refused";
		return PROTO_PEER_SRC_REFUSED;
	case PROTO_PEER_ST_BAD_QUERY:
		*why = "the query is too wide there";
		return PROTO_PEER_SRC_ERROR;
	case PROTO_PEER_ST_UNAVAILABLE:
		*why = "its store is unavailable";
		return PROTO_PEER_SRC_ERROR;
	}
	*why = "it failed to answer";
	return PROTO_PEER_SRC_ERROR;
}

void
node_fed_result(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m)
{
	struct fed_query *q;
	struct fed_ask *a = ask_find(s->fed, p, m->query_id, &q);
	struct fed_src *e;

	if (a == NULL) { /* after our deadline, or never asked */
		if (s->fed != NULL)
			s->fed->late++;
		return;
	}
	e = &q->src[a->src];
	if (m->part != a->next_part) {
		q->partial = true;
		src_set(e, PROTO_PEER_SRC_ERROR, "its answer lost part %u", (unsigned)a->next_part);
		ask_done(s, q, a);
		return;
	}
	a->next_part++;
	if (m->nrows > 0) {
		struct proto_peer_msg part = { .rows = m->rows, .nrows = m->nrows };
		fed_send(s, q, &part);
		e->rows += m->nrows;
	}
	if (!m->final)
		return;
	const char *why;
	e->status = src_status(m, &why);
	snprintf(e->why, sizeof(e->why), "%s", why);
	q->limited |= m->limited;
	q->partial |= m->status == PROTO_PEER_ST_PARTIAL;
	if (m->has_sources) {
		/* Its own entry first (its reason, e.g. why it refused), then
		 * what it heard from the nodes behind it. */
		struct proto_peer_sources it;
		struct proto_peer_source ps;
		bool first = true;
		proto_peer_sources_init(&it, m);
		while (proto_peer_sources_next(&it, &ps) == 1) {
			if (first) {
				if (ps.why_len > 0)
					text_copy(e->why, sizeof(e->why), ps.why, ps.why_len);
				first = false;
				continue;
			}
			src_add(q, ps.name, ps.name_len, ps.status, ps.rows, ps.why, ps.why_len);
		}
	}
	ask_done(s, q, a);
}

void
node_fed_error(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m)
{
	struct fed_query *q;
	struct fed_ask *a = ask_find(s->fed, p, m->ref, &q);

	if (a == NULL)
		return;
	q->partial = true;
	src_set(&q->src[a->src], PROTO_PEER_SRC_ERROR, "error %u", (unsigned)m->code);
	size_t n = strlen(q->src[a->src].why);
	if (m->text_len > 0 && n + 2 < sizeof(q->src[a->src].why)) {
		memcpy(q->src[a->src].why + n, ": ", 3);
		text_copy(q->src[a->src].why + n + 2, sizeof(q->src[a->src].why) - n - 2, m->text,
		          m->text_len);
	}
	ask_done(s, q, a);
}

/* ---- Deadlines ---- */

int
node_fed_wait_ms(struct node_server *s, int dflt)
{
	int64_t now = now_ms(), wait = dflt;

	if (s->fed == NULL)
		return dflt;
	for (size_t i = 0; i < FED_PENDING_MAX; i++)
		if (s->fed->q[i].used && s->fed->q[i].end_ms - now < wait)
			wait = s->fed->q[i].end_ms - now;
	return wait < 0 ? 0 : (int)wait;
}

void
node_fed_tick(struct node_server *s)
{
	int64_t now = now_ms();

	if (s->fed == NULL)
		return;
	for (size_t i = 0; i < FED_PENDING_MAX; i++)
		if (s->fed->q[i].used && now >= s->fed->q[i].end_ms)
			finish(s, &s->fed->q[i]);
}

void
node_fed_close(struct node_server *s)
{
	free(s->fed);
	s->fed = NULL;
}
