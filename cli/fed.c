/*
 * fed.c - one federated lookup: store or node here, providers in a thread,
 * the provider cache around them, one merge at the end.
 *
 * Each provider collects into a set of its own (in the provider thread),
 * so the merged set is touched by one thread only and the merge order is
 * fixed; those per-provider sets are also exactly what the cache stores.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_node.h"
#include "cli/fed.h"
#include "cli/prov_cache.h"
#include "cli/prov_fetch.h"
#include "cli/prov_state.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "proto/proto_time.h"
#include "store/store_db.h"


const char *
fed_status_name(enum fed_status st)
{
	switch (st) {
	case FED_ANSWERED: return "answered";
	case FED_LIMITED: return "limited";
	case FED_CACHED: return "cached";
	case FED_REFUSED: return "refused";
	case FED_TIMEOUT: return "timed out";
	case FED_QUOTA: return "quota exceeded";
	case FED_BACKOFF: return "backoff";
	case FED_UNSUPPORTED: return "unsupported";
	case FED_ERROR: return "error";
	}
	return "error";
}

bool
fed_status_ok(enum fed_status st)
{
	return st == FED_ANSWERED || st == FED_LIMITED || st == FED_CACHED;
}

static double
fed_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fed_set(struct fed_source *s, enum fed_status st, const char *why)
{
	size_t n = why != NULL ? strlen(why) : 0;

	/* A long reason is cut: it is one line for a person. */
	if (n >= sizeof(s->why))
		n = sizeof(s->why) - 1;
	s->status = st;
	if (n > 0)
		memcpy(s->why, why, n);
	s->why[n] = '\0';
}

/* --- the local store ----------------------------------------------------- */

struct fed_store_ctx {
	struct store_db *db;
	struct cli_rows *rows;
	uint16_t origin;          /* the origin whose name is in `name` */
	bool named;
	char name[STORE_ORIGIN_NAME_MAX + 1];
	uint16_t only;            /* with filter: the one origin wanted */
	bool filter;
	bool has_count_by_value;  /* provider rows: count 0 means unknown */
	uint64_t rows_added;
};

static int
fed_store_row(void *arg, const struct store_result *r)
{
	struct fed_store_ctx *c = arg;
	int err;

	if (c->filter && r->origin != c->only)
		return 0;
	/* Rows come in runs of one origin: one name lookup per run. */
	if (!c->named || r->origin != c->origin) {
		if (store_db_origin_name(c->db, r->origin, c->name, sizeof(c->name)) != 0)
			snprintf(c->name, sizeof(c->name), "origin-%u", r->origin);
		c->origin = r->origin;
		c->named = true;
	}
	err = cli_rows_add_src(c->rows, &r->obs, c->name,
	                       !c->has_count_by_value || r->obs.count != 0);
	if (err == 0)
		c->rows_added++;
	return err == PROTO_EINVAL ? 0 : err;
}

static void
fed_store(const struct fed_req *req, struct cli_rows *rows, struct fed_source *s,
          bool *limited)
{
	struct fed_store_ctx c = { .rows = rows };
	struct store_query_info info;
	char why[512] = "", line[600];
	int err;

	c.db = req->store_db;
	if (c.db == NULL &&
	    (err = store_db_open(&c.db, req->store, STORE_READ, why, sizeof(why))) != 0) {
		snprintf(line, sizeof(line), "cannot open store '%s': %s", req->store,
		         why[0] ? why : proto_strerror(err));
		fed_set(s, FED_ERROR, line);
		return;
	}
	memset(&info, 0, sizeof(info));
	err = store_db_query(c.db, req->q, req->max_scan, fed_store_row, &c, &info, why,
	                     sizeof(why));
	if (c.db != req->store_db)
		store_db_close(&c.db);
	s->rows = c.rows_added;
	if (err == PROTO_EINVAL) {
		fed_set(s, FED_REFUSED, why[0] ? why : "invalid query");
	} else if (err != 0) {
		snprintf(line, sizeof(line), "cannot read store '%s': %s", req->store,
		         why[0] ? why : proto_strerror(err));
		fed_set(s, FED_ERROR, line);
	} else if (info.limited) {
		*limited = true;
		fed_set(s, FED_LIMITED, info.returned >= req->q->limit && req->q->limit != 0 ?
		        "cut at the row limit" : "cut by the scan cap (--max-scan)");
	} else {
		fed_set(s, FED_ANSWERED, NULL);
	}
}

/* --- the node ------------------------------------------------------------ */

static int
fed_node_row(void *arg, const struct proto_obs *o, const char *origin)
{
	/* Node and peer rows always have a count; a provider's row the node
	 * asked for us has count 0 when the provider reports none. */
	int err = cli_rows_add_src(arg, o, origin, o->count != 0);

	return err == PROTO_EINVAL ? 0 : err;
}

static enum fed_status
fed_from_peer(unsigned st)
{
	switch (st) {
	case PROTO_PEER_SRC_ANSWERED: return FED_ANSWERED;
	case PROTO_PEER_SRC_LIMITED: return FED_LIMITED;
	case PROTO_PEER_SRC_REFUSED: return FED_REFUSED;
	case PROTO_PEER_SRC_TIMED_OUT: return FED_TIMEOUT;
	}
	return FED_ERROR;
}

/* Whether origin is one of the sources the node reported after itself. */
static bool
fed_node_listed(const struct cli_node_fed *fed, const char *origin)
{
	char name[CLI_ROWS_ORIGIN_MAX + 1];

	for (size_t k = 1; k < fed->nsources; k++) {
		cli_rows_source_name(fed->sources[k].name, name);
		if (strcmp(name, origin) == 0)
			return true;
	}
	return false;
}

/* Add got's rows to rows, every source but the node's own (its name
 * first in fed's sources); with listed_only, only the sources it listed
 * (providers it asked for us, when peers are not wanted). */
static void
fed_node_peers(struct cli_rows *rows, const struct cli_rows *got,
               const struct cli_node_fed *fed, bool listed_only)
{
	char name[CLI_ROWS_ORIGIN_MAX + 1] = "";

	if (fed->nsources > 0)
		cli_rows_source_name(fed->sources[0].name, name);
	for (size_t i = 0; i < cli_rows_count(got); i++) {
		struct proto_obs o = *cli_rows_get(got, i);
		struct cli_src s;
		size_t it = 0;
		while (cli_rows_src_next(got, i, &it, &s)) {
			if (strcmp(s.origin, name) == 0 ||
			    (listed_only && !fed_node_listed(fed, s.origin)))
				continue;
			o.time_first = s.time_first;
			o.time_last = s.time_last;
			o.count = s.count;
			if (cli_rows_add_src(rows, &o, s.origin, s.has_count) == PROTO_ENOMEM)
				return;
		}
	}
}

/*
 * Ask the node (and through it its peers, up to the hop limit): every row
 * with its origin; one source per status the node reports (itself first,
 * then each peer), or one "node" source when it reports none. Returns how
 * many of src[0..cap) it filled (at least 1).
 */
static size_t
fed_node(const struct fed_req *req, struct cli_rows *rows, struct fed_source *src,
         size_t cap, bool *limited)
{
	const struct fed_node *n = req->node;
	struct cli_node_fed *fed = calloc(1, sizeof(*fed));
	struct cli_rows *got = NULL;
	char why[512] = "";
	size_t k = 0, skip;
	uint64_t before = cli_rows_count(rows);
	int err;

	snprintf(src[0].name, sizeof(src[0].name), "node");
	if (fed == NULL || (n->peers_only && cli_rows_new(&got) != 0)) {
		free(fed);
		fed_set(&src[0], FED_ERROR, "out of memory");
		return 1;
	}
	fed->hop_limit = n->hop_limit;
	fed->deadline_ms = n->timeout_s * 1000u;
	fed->providers = n->providers;
	fed->nproviders = n->nproviders;
	fed->providers_all = n->providers_all;
	fed->no_cache = req->no_cache;
	err = cli_node_query_fed(n->endpoint, n->node_pub, n->pub, n->sec, req->q, fed,
	                         fed_node_row, got != NULL ? got : rows, why, sizeof(why));
	if (fed->limited)
		*limited = true;
	if (got != NULL) {
		/* The node always answers from its store too: drop its own rows. */
		fed_node_peers(rows, got, fed,
		               n->hop_limit == 0 && (n->nproviders > 0 || n->providers_all));
		cli_rows_destroy(&got);
	}
	if (err == 0 && fed->nsources > 0) {
		/* The node itself comes first: not a source when only peers are. */
		skip = n->peers_only ? 1 : 0;
		for (k = 0; k + skip < fed->nsources && k < cap; k++) {
			const struct cli_node_source *ns = &fed->sources[k + skip];
			snprintf(src[k].name, sizeof(src[k].name), "%s", ns->name);
			fed_set(&src[k], fed_from_peer(ns->status), ns->why);
			src[k].rows = ns->rows;
		}
		free(fed);
		return k > 0 ? k : 1;
	}
	/* Rows received before a failure are kept, as any source's are. */
	src[0].rows = fed->returned ? fed->returned : cli_rows_count(rows) - before;
	if (err == 0)
		fed_set(&src[0], fed->limited ? FED_LIMITED : FED_ANSWERED,
		        fed->limited ? "cut by the limit or the node's scan cap" : NULL);
	else if (err == PROTO_EINVAL || err == PROTO_EPERM)
		fed_set(&src[0], FED_REFUSED, why);
	else if (err == PROTO_EIO && strncmp(why, "no complete answer", 18) == 0)
		fed_set(&src[0], FED_TIMEOUT, why);
	else
		fed_set(&src[0], FED_ERROR, why[0] ? why : proto_strerror(err));
	free(fed);
	return 1;
}

/* --- the provider cache -------------------------------------------------- */

struct fed_cache {
	struct store_db *db;
	struct prov_cache_q q;
};

/* Whether paths a and b (b may be NULL) name the same existing directory. */
static bool
fed_same_dir(const char *a, const char *b)
{
	char *ra, *rb;
	bool same;

	if (b == NULL)
		return false;
	ra = realpath(a, NULL);
	rb = realpath(b, NULL);
	same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}

/* Open the cache store; a cache that cannot be used is a note, not an error. */
static void
fed_cache_open(const struct fed_req *req, struct fed_cache *c, struct fed_result *res)
{
	char why[256] = "";
	int err;

	c->db = NULL;
	if (req->conf == NULL || req->conf->cache_dir == NULL || req->nprovs == 0)
		return;
	if (fed_same_dir(req->conf->cache_dir, req->store)) {
		/* Provider rows must never land in a store a node shares from. */
		snprintf(res->cache_note, sizeof(res->cache_note), "provider cache '%s' not "
		         "used: it is the local store (give pdns.conf a cache of its own)",
		         req->conf->cache_dir);
		return;
	}
	if (prov_cache_q_init(&c->q, req->q) != 0)
		return;
	prov_make_parent_dirs(req->conf->cache_dir);
	err = store_db_open(&c->db, req->conf->cache_dir, STORE_WRITE, why, sizeof(why));
	if (err != 0) {
		c->db = NULL;
		snprintf(res->cache_note, sizeof(res->cache_note),
		         "provider cache '%s' not used: %s", req->conf->cache_dir,
		         why[0] ? why : proto_strerror(err));
	}
}

static int64_t
fed_cache_ttl(const struct fed_req *req, const struct pdns_conf_provider *p)
{
	return p->cache_ttl >= 0 ? p->cache_ttl : req->conf->cache_ttl;
}

/*
 * Serve provider p from the cache when its answer to this query is fresh:
 * its rows go to `rows` (its own set) and s says "cached". Returns whether
 * it was served.
 */
static bool
fed_cache_serve(const struct fed_req *req, struct fed_cache *c,
                const struct pdns_conf_provider *p, struct cli_rows *rows,
                struct fed_source *s, bool *limited)
{
	struct fed_store_ctx ctx = { .db = c->db, .rows = rows, .filter = true,
	                             .has_count_by_value = true };
	struct prov_cache_hit hit;
	struct store_query_info info;
	char why[256] = "";
	double t0 = fed_now();

	if (c->db == NULL || req->no_cache ||
	    !prov_cache_fresh(c->db, &c->q, p->name, (int64_t)time(NULL), &hit))
		return false;
	ctx.only = hit.origin;
	memset(&info, 0, sizeof(info));
	/* A failed read leaves what it added: the provider, asked instead,
	 * is the same source, so nothing counts twice. */
	if (store_db_query(c->db, req->q, 0, fed_store_row, &ctx, &info, why,
	                   sizeof(why)) != 0)
		return false;
	s->rows = ctx.rows_added;
	s->seconds = fed_now() - t0;
	if (hit.limited)
		*limited = true;
	snprintf(s->why, sizeof(s->why), "fetched %lld s ago%s",
	         (long long)(time(NULL) - hit.fetched), hit.limited ? ", limited" : "");
	s->status = FED_CACHED;
	return true;
}

/*
 * Keep provider p's answer (rows, its own set) in the cache: one write of
 * its rows as absolute values and the meta row with the expiry.
 */
static void
fed_cache_store(const struct fed_req *req, struct fed_cache *c,
                const struct pdns_conf_provider *p, const struct cli_rows *rows,
                bool limited, struct fed_result *res)
{
	size_t n = cli_rows_count(rows);
	struct proto_obs *w = calloc(n ? n : 1, sizeof(*w));
	char why[256] = "";
	int err = PROTO_ENOMEM;

	for (size_t i = 0; w != NULL && i < n; i++)
		w[i] = *cli_rows_get(rows, i);
	if (w != NULL)
		err = prov_cache_put(c->db, &c->q, p->name, w, n, limited, (int64_t)time(NULL),
		                     fed_cache_ttl(req, p), why, sizeof(why));
	if (err != 0 && res->cache_note[0] == '\0')
		snprintf(res->cache_note, sizeof(res->cache_note),
		         "provider cache '%s': cannot store %s's answer: %s",
		         req->conf->cache_dir, p->name, why[0] ? why : proto_strerror(err));
	free(w);
}

/* --- the providers ------------------------------------------------------- */

struct fed_job {
	const struct fed_req *req;
	const struct pdns_conf_provider **provs; /* the ones to ask */
	struct cli_rows **rows;                  /* their sets */
	struct prov_result *results;
	size_t n;
	int err;
};

static pthread_once_t fed_curl_once = PTHREAD_ONCE_INIT;
static int fed_curl_err;

static void
fed_curl_init(void)
{
	fed_curl_err = prov_fetch_global_init();
}

static int
fed_prov_row(size_t i, const struct proto_obs *o, void *arg)
{
	struct fed_job *j = arg;
	const char *name = j->provs[i]->name;
	/* count 0 from a provider means it reports none (prov.h). */
	int err = cli_rows_add_src(j->rows[i], o, name, o->count != 0);

	return err == PROTO_EINVAL ? 0 : err;
}

static void *
fed_prov_thread(void *arg)
{
	struct fed_job *j = arg;

	j->err = prov_fetch(j->req->conf, j->provs, j->n, j->req->q, j->req->deadline_ms,
	                    fed_prov_row, j, j->results);
	return NULL;
}

static enum fed_status
fed_from_prov(enum prov_status st)
{
	switch (st) {
	case PROV_ST_ANSWERED: return FED_ANSWERED;
	case PROV_ST_LIMITED: return FED_LIMITED;
	case PROV_ST_REFUSED: return FED_REFUSED;
	case PROV_ST_TIMEOUT: return FED_TIMEOUT;
	case PROV_ST_QUOTA: return FED_QUOTA;
	case PROV_ST_BACKOFF: return FED_BACKOFF;
	case PROV_ST_UNSUPPORTED: return FED_UNSUPPORTED;
	case PROV_ST_ERROR: return FED_ERROR;
	}
	return FED_ERROR;
}

/* --- one lookup ---------------------------------------------------------- */

void
fed_result_free(struct fed_result *res)
{
	if (res == NULL)
		return;
	free(res->src);
	res->src = NULL;
	res->n = 0;
}

struct fed_run {
	struct fed_job job;
	struct cli_rows **sets;   /* one per provider, NULL when not asked */
	size_t *asked;            /* job index -> provider index */
	struct fed_cache cache;
	pthread_t thread;
	bool started;
};

static void
fed_run_free(struct fed_run *f, size_t nprovs)
{
	for (size_t i = 0; f->sets != NULL && i < nprovs; i++)
		cli_rows_destroy(&f->sets[i]);
	free(f->sets);
	free(f->asked);
	free(f->job.provs);
	free(f->job.rows);
	free(f->job.results);
	store_db_close(&f->cache.db);
}

/* Serve what the cache can, and start the thread for the other providers. */
static int
fed_run_start(const struct fed_req *req, struct fed_run *f, struct fed_result *res,
              struct fed_source *ps, char *why, size_t whylen)
{
	size_t np = req->nprovs;

	fed_cache_open(req, &f->cache, res);
	for (size_t i = 0; i < np; i++) {
		if (cli_rows_new(&f->sets[i]) != 0)
			return PROTO_ENOMEM;
		snprintf(ps[i].name, sizeof(ps[i].name), "%s", req->provs[i]->name);
		if (f->cache.db != NULL &&
		    fed_cache_serve(req, &f->cache, req->provs[i], f->sets[i], &ps[i],
		                    &res->limited))
			continue;
		f->asked[f->job.n] = i;
		f->job.provs[f->job.n] = req->provs[i];
		f->job.rows[f->job.n] = f->sets[i];
		f->job.n++;
	}
	if (f->job.n == 0)
		return 0;
	pthread_once(&fed_curl_once, fed_curl_init);
	if (fed_curl_err != 0) {
		snprintf(why, whylen, "cannot set up libcurl");
		return PROTO_EIO;
	}
	if (pthread_create(&f->thread, NULL, fed_prov_thread, &f->job) != 0) {
		snprintf(why, whylen, "cannot start the provider thread");
		return PROTO_EIO;
	}
	f->started = true;
	return 0;
}

/* Join the providers: statuses, the cache refreshed. */
static void
fed_run_join(const struct fed_req *req, struct fed_run *f, struct fed_result *res,
             struct fed_source *ps)
{
	if (!f->started)
		return;
	pthread_join(f->thread, NULL);
	for (size_t k = 0; k < f->job.n; k++) {
		const struct prov_result *pr = &f->job.results[k];
		struct fed_source *s = &ps[f->asked[k]];

		if (f->job.err != 0) {
			fed_set(s, FED_ERROR, f->job.err == PROTO_ENOMEM ? "out of memory" :
			        "cannot set up libcurl");
			continue;
		}
		fed_set(s, fed_from_prov(pr->status), pr->why);
		s->rows = cli_rows_count(f->sets[f->asked[k]]);
		s->seconds = pr->seconds;
		s->retry_at = pr->retry_at;
		if (pr->status == PROV_ST_LIMITED)
			res->limited = true;
		if (f->cache.db != NULL &&
		    (pr->status == PROV_ST_ANSWERED || pr->status == PROV_ST_LIMITED))
			fed_cache_store(req, &f->cache, req->provs[f->asked[k]],
			                f->sets[f->asked[k]], pr->status == PROV_ST_LIMITED, res);
	}
}

int
fed_run(const struct fed_req *req, struct cli_rows *rows, struct fed_result *res,
        char *why, size_t whylen)
{
	size_t np = req->nprovs;
	/* Room for the node's statuses (itself and its peers) or the store's. */
	size_t nfirst = req->node != NULL ? PROTO_PEER_SOURCES_MAX : req->store != NULL;
	struct fed_run f;
	struct fed_source *ps;
	size_t used = 0;
	int err = 0;

	double t_start = fed_now(), t_merge;

	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	res->src = calloc(nfirst + np, sizeof(*res->src));
	f.sets = calloc(np ? np : 1, sizeof(*f.sets));
	f.asked = calloc(np ? np : 1, sizeof(*f.asked));
	f.job.provs = calloc(np ? np : 1, sizeof(*f.job.provs));
	f.job.rows = calloc(np ? np : 1, sizeof(*f.job.rows));
	f.job.results = calloc(np ? np : 1, sizeof(*f.job.results));
	f.job.req = req;
	if (res->src == NULL || f.sets == NULL || f.asked == NULL || f.job.provs == NULL ||
	    f.job.rows == NULL || f.job.results == NULL) {
		fed_run_free(&f, np);
		fed_result_free(res);
		snprintf(why, whylen, "out of memory");
		return PROTO_ENOMEM;
	}
	ps = res->src + nfirst;
	err = fed_run_start(req, &f, res, ps, why, whylen);
	/* The store or the node, here, while the providers work. */
	if (nfirst > 0) {
		double t0 = fed_now();
		size_t k = 1;
		snprintf(res->src[0].name, sizeof(res->src[0].name), "local");
		if (req->node != NULL)
			k = fed_node(req, rows, res->src, nfirst, &res->limited);
		else
			fed_store(req, rows, &res->src[0], &res->limited);
		for (size_t i = 0; i < k; i++)
			res->src[i].seconds = fed_now() - t0;
		used = k;
	}
	fed_run_join(req, &f, res, ps);
	if (err != 0) {
		/* Providers that could not be asked say why; the rest stands. */
		for (size_t k = 0; k < f.job.n; k++)
			fed_set(&ps[f.asked[k]], FED_ERROR, why);
	}
	/* The providers' statuses follow the ones the node or store filled. */
	if (used < nfirst)
		memmove(res->src + used, ps, np * sizeof(*ps));
	res->n = used + np;

	t_merge = fed_now();
	for (size_t i = 0; i < np && err != PROTO_ENOMEM; i++) {
		if (f.sets[i] != NULL && cli_rows_add_rows(rows, f.sets[i]) == PROTO_ENOMEM)
			err = PROTO_ENOMEM;
	}
	res->merge_seconds = fed_now() - t_merge;
	fed_run_free(&f, np);
	res->seconds = fed_now() - t_start;
	if (err == PROTO_ENOMEM) {
		snprintf(why, whylen, "out of memory after %zu rows", cli_rows_count(rows));
		return err;
	}
	return 0;
}

/* --- statuses ------------------------------------------------------------ */

int
fed_totals_add(struct fed_totals *tt, const struct fed_result *res)
{
	tt->limited = tt->limited || res->limited;
	tt->seconds += res->seconds;
	tt->merge_seconds += res->merge_seconds;
	for (size_t i = 0; i < res->n; i++) {
		const struct fed_source *s = &res->src[i];
		struct fed_total *t = NULL;
		bool ok = fed_status_ok(s->status);

		for (size_t k = 0; k < tt->n && t == NULL; k++)
			if (strcmp(tt->t[k].s.name, s->name) == 0)
				t = &tt->t[k];
		if (t == NULL) {
			if (tt->n == tt->cap) {
				size_t cap = tt->cap ? 2 * tt->cap : 8;
				struct fed_total *nt = realloc(tt->t, cap * sizeof(*nt));
				if (nt == NULL)
					return PROTO_ENOMEM;
				tt->t = nt;
				tt->cap = cap;
			}
			t = &tt->t[tt->n++];
			memset(t, 0, sizeof(*t));
			t->s = *s;
			t->s.rows = 0;
			t->s.seconds = 0;
		} else if (!ok || fed_status_ok(t->s.status)) {
			/* The last failure stays the status; else the last answer. */
			t->s.status = s->status;
			memcpy(t->s.why, s->why, sizeof(t->s.why));
		}
		t->s.rows += s->rows;
		t->s.seconds += s->seconds;
		if (s->retry_at > t->s.retry_at)
			t->s.retry_at = s->retry_at;
		t->lookups++;
		t->answered += ok;
	}
	return 0;
}

void
fed_totals_free(struct fed_totals *tt)
{
	free(tt->t);
	memset(tt, 0, sizeof(*tt));
}

bool
fed_totals_ok(const struct fed_totals *tt)
{
	for (size_t i = 0; i < tt->n; i++)
		if (tt->t[i].answered > 0)
			return true;
	return false;
}

void
fed_totals_print(FILE *f, const char *prog, const struct fed_totals *tt)
{
	char iso[PROTO_TIME_TEXT_MAX];

	for (size_t i = 0; i < tt->n; i++) {
		const struct fed_total *t = &tt->t[i];
		const struct fed_source *s = &t->s;

		fprintf(f, "%s: source %s: %s", prog, s->name, fed_status_name(s->status));
		if (fed_status_ok(s->status) || s->rows > 0)
			fprintf(f, " %" PRIu64 " rows in %.1f s", s->rows, s->seconds);
		if (s->why[0] != '\0')
			fprintf(f, ": %s", s->why);
		if (s->retry_at > 0) {
			proto_time_format_iso(s->retry_at, iso);
			fprintf(f, " (retry after %s UTC)", iso);
		}
		if (t->lookups > 1)
			fprintf(f, " (answered %zu of %zu lookups)", t->answered, t->lookups);
		fputc('\n', f);
	}
}

static void
fed_json_str(struct proto_buf *b, const char *s)
{
	proto_buf_putc(b, '"');
	proto_buf_put_json(b, s, strlen(s));
	proto_buf_putc(b, '"');
}

int
fed_totals_write(const char *path, const struct fed_totals *tt, size_t rows, int code)
{
	size_t cap = 512 + tt->n * (2 * CLI_ROWS_ORIGIN_MAX + 6 * 256 + 200);
	char *mem = malloc(cap), num[32];
	struct proto_buf b;
	FILE *f;
	bool ok;

	if (mem == NULL)
		return PROTO_ENOMEM;
	proto_buf_init(&b, mem, cap);
	proto_buf_puts(&b, "{\"sources\":{");
	for (size_t i = 0; i < tt->n; i++) {
		const struct fed_source *s = &tt->t[i].s;
		if (i > 0)
			proto_buf_putc(&b, ',');
		fed_json_str(&b, s->name);
		proto_buf_puts(&b, ":{\"status\":");
		fed_json_str(&b, fed_status_name(s->status));
		proto_buf_puts(&b, ",\"rows\":");
		proto_buf_put_u64(&b, s->rows);
		snprintf(num, sizeof(num), "%.3f", s->seconds);
		proto_buf_puts(&b, ",\"seconds\":");
		proto_buf_puts(&b, num);
		proto_buf_puts(&b, ",\"why\":");
		fed_json_str(&b, s->why);
		proto_buf_puts(&b, ",\"retry_at\":");
		proto_buf_put_i64(&b, s->retry_at);
		proto_buf_puts(&b, ",\"lookups\":");
		proto_buf_put_u64(&b, tt->t[i].lookups);
		proto_buf_puts(&b, ",\"answered\":");
		proto_buf_put_u64(&b, tt->t[i].answered);
		proto_buf_putc(&b, '}');
	}
	proto_buf_puts(&b, "},\"rows\":");
	proto_buf_put_u64(&b, rows);
	proto_buf_puts(&b, tt->limited ? ",\"limited\":true" : ",\"limited\":false");
	snprintf(num, sizeof(num), "%.6f", tt->seconds);
	proto_buf_puts(&b, ",\"seconds\":");
	proto_buf_puts(&b, num);
	snprintf(num, sizeof(num), "%.6f", tt->merge_seconds);
	proto_buf_puts(&b, ",\"merge_seconds\":");
	proto_buf_puts(&b, num);
	proto_buf_puts(&b, ",\"exit\":");
	proto_buf_put_i64(&b, code);
	proto_buf_puts(&b, "}\n");
	if (b.err != 0) {
		free(mem);
		errno = ENOSPC;
		return PROTO_EIO;
	}
	f = fopen(path, "w");
	ok = f != NULL && fwrite(b.data, 1, b.len, f) == b.len;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	free(mem);
	return ok ? 0 : PROTO_EIO;
}
