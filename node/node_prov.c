/*
 * node_prov.c - the node asks commercial providers for its clients
 * (doc/peer-protocol.md 5.3.2, [node] providers in doc/pdns-node.conf.md).
 *
 * The providers file is pdns's own format (cli/pdns_conf.h), read once at
 * start with the provider library pdns links too (cli/prov_fetch.h), so a
 * node and pdns ask providers alike; its secrets file is refused when
 * others may read it, as pdns refuses it.
 *
 * HTTP never runs on the loop: each lookup that must ask providers gets a
 * worker thread running prov_fetch, which copies the rows it gets into the
 * job and, when done, writes the job's pointer into a pipe the loop polls.
 * The loop then hands rows and statuses to the waiting query (node_fed.c)
 * and keeps each answer in the store under origin "prov:NAME" with an
 * expiry (cli/prov_cache.h): the loop stays the store's only writer, and
 * an answer still fresh is served from the store without a worker.
 * A job whose query ended (its deadline came) still fills the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/pdns_conf.h"
#include "cli/prov_cache.h"
#include "cli/prov_fetch.h"
#include "node/node_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

#define PROV_JOBS_MAX 8             /* lookups asking providers at once */

/* One lookup's providers, asked by one worker. */
struct prov_job {
	struct node_prov *np;
	uint64_t token;                /* the waiting query (node_fed.c) */
	struct proto_query q;
	struct prov_cache_q cq;
	unsigned deadline_ms;
	const struct pdns_conf_provider *provs[NODE_PROV_MAX];
	size_t n;
	struct prov_result results[NODE_PROV_MAX];
	struct proto_obs *rows[NODE_PROV_MAX]; /* per provider; strings in blocks */
	size_t nrows[NODE_PROV_MAX], caprows[NODE_PROV_MAX];
	int err;
	pthread_t thread;
};

struct node_prov {
	struct pdns_conf conf;
	int pipe[2];                   /* workers write job pointers, the loop reads */
	struct prov_job *jobs[PROV_JOBS_MAX];
	uint64_t asked, cached, stored;
};

static const char *const prov_no_name = "?";

int
node_prov_open(struct node_server *s, char *why, size_t whylen)
{
	struct node_prov *np;
	int err;

	if (s->cfg->providers == NULL)
		return 0;
	if ((np = calloc(1, sizeof(*np))) == NULL)
		return PROTO_ENOMEM;
	np->pipe[0] = np->pipe[1] = -1;
	if ((err = pdns_conf_load(&np->conf, s->cfg->providers, why, whylen)) != 0) {
		free(np);
		return err;
	}
	if (pipe(np->pipe) != 0 || fcntl(np->pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
	    prov_fetch_global_init() != 0) {
		snprintf(why, whylen, "providers: cannot set up the workers' pipe or libcurl");
		s->prov = np;
		node_prov_close(s);
		return PROTO_EIO;
	}
	s->prov = np;
	node_log("providers: %zu from '%s' (secrets '%s')", np->conf.n_providers,
	         s->cfg->providers, np->conf.secrets_file ? np->conf.secrets_file : "none");
	return 0;
}

int
node_prov_fd(const struct node_server *s)
{
	return s->prov != NULL ? s->prov->pipe[0] : -1;
}

static void
job_free(struct prov_job *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++) {
		for (size_t r = 0; r < j->nrows[i]; r++)
			free((void *)j->rows[i][r].name);
		free(j->rows[i]);
	}
	free(j);
}

void
node_prov_close(struct node_server *s)
{
	struct node_prov *np = s->prov;

	if (np == NULL)
		return;
	/* Workers end by their deadline: wait for them, then drop their jobs. */
	for (size_t i = 0; i < PROV_JOBS_MAX; i++) {
		if (np->jobs[i] == NULL)
			continue;
		pthread_join(np->jobs[i]->thread, NULL);
		job_free(np->jobs[i]);
	}
	if (np->pipe[0] >= 0)
		close(np->pipe[0]);
	if (np->pipe[1] >= 0)
		close(np->pipe[1]);
	pdns_conf_free(&np->conf);
	free(np);
	s->prov = NULL;
}

/* ---- Which providers ---- */

int
node_prov_plan(struct node_server *s, const struct proto_peer_msg *m,
               struct node_prov_plan *plan)
{
	struct node_prov *np = s->prov;
	struct proto_peer_names it;
	const char *name;
	size_t len;

	memset(plan, 0, sizeof(*plan));
	plan->no_cache = (m->prov_flags & PROTO_PEER_PROV_NO_CACHE) != 0;
	if (m->nproviders == 0) {
		/* None named: every provider the node has. */
		for (size_t i = 0; np != NULL && i < np->conf.n_providers &&
		                   plan->n < NODE_PROV_MAX; i++) {
			snprintf(plan->name[plan->n], sizeof(plan->name[0]), "%s",
			         np->conf.providers[i].name);
			plan->p[plan->n++] = &np->conf.providers[i];
		}
		return 0;
	}
	proto_peer_providers_init(&it, m);
	while (proto_peer_providers_next(&it, &name, &len) == 1 && plan->n < NODE_PROV_MAX) {
		char *dst = plan->name[plan->n];
		bool dup = false;
		memcpy(dst, name, len);
		dst[len] = '\0';
		for (size_t i = 0; i < plan->n; i++)
			dup |= strcmp(plan->name[i], dst) == 0;
		if (dup)
			continue;
		/* NULL: not a provider here, reported refused. */
		plan->p[plan->n++] = np != NULL ? pdns_conf_provider(&np->conf, dst) : NULL;
	}
	return 0;
}

bool
node_prov_fresh(struct node_server *s, const struct node_prov_plan *plan, size_t i,
                const struct proto_query *q, struct prov_cache_hit *hit)
{
	struct prov_cache_q cq;

	if (plan->no_cache || plan->p[i] == NULL || prov_cache_q_init(&cq, q) != 0 ||
	    !prov_cache_fresh(s->db, &cq, plan->p[i]->name, (int64_t)time(NULL), hit))
		return false;
	s->prov->cached++;
	return true;
}

/* ---- The worker ---- */

/* Copy one observation (its strings in one block the row owns). */
static int
job_row(size_t i, const struct proto_obs *o, void *arg)
{
	struct prov_job *j = arg;
	size_t need = (size_t)o->name_len + o->rdata_len + o->bailiwick_len + 1;
	uint8_t *blk;

	if (j->nrows[i] == j->caprows[i]) {
		size_t cap = j->caprows[i] ? 2 * j->caprows[i] : 64;
		struct proto_obs *r = realloc(j->rows[i], cap * sizeof(*r));
		if (r == NULL)
			return PROTO_ENOMEM;
		j->rows[i] = r;
		j->caprows[i] = cap;
	}
	if ((blk = malloc(need)) == NULL)
		return PROTO_ENOMEM;
	struct proto_obs *d = &j->rows[i][j->nrows[i]++];
	*d = *o;
	memcpy(blk, o->name, o->name_len);
	d->name = blk;
	memcpy(blk + o->name_len, o->rdata, o->rdata_len);
	d->rdata = (const char *)blk + o->name_len;
	if (o->bailiwick != NULL) {
		memcpy(blk + o->name_len + o->rdata_len, o->bailiwick, o->bailiwick_len);
		d->bailiwick = blk + o->name_len + o->rdata_len;
	}
	return 0;
}

static void *
job_run(void *arg)
{
	struct prov_job *j = arg;
	ssize_t w;

	j->err = prov_fetch(&j->np->conf, j->provs, j->n, &j->q, j->deadline_ms, job_row, j,
	                    j->results);
	do
		w = write(j->np->pipe[1], &j, sizeof(j));
	while (w < 0 && errno == EINTR);
	return NULL;
}

int
node_prov_start(struct node_server *s, uint64_t token, const struct proto_query *q,
                const struct pdns_conf_provider *const *provs, size_t n, unsigned deadline_ms,
                char *why, size_t whylen)
{
	struct node_prov *np = s->prov;
	struct prov_job *j;
	size_t slot = PROV_JOBS_MAX;

	for (size_t i = 0; i < PROV_JOBS_MAX && slot == PROV_JOBS_MAX; i++)
		if (np->jobs[i] == NULL)
			slot = i;
	if (slot == PROV_JOBS_MAX) {
		snprintf(why, whylen, "not asked: %u provider lookups are running here",
		         PROV_JOBS_MAX);
		return PROTO_EBUSY;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(why, whylen, "not asked: out of memory");
		return PROTO_ENOMEM;
	}
	j->np = np;
	j->token = token;
	j->q = *q;
	j->deadline_ms = deadline_ms;
	j->n = n;
	memcpy(j->provs, provs, n * sizeof(*provs));
	if (prov_cache_q_init(&j->cq, q) != 0 ||
	    pthread_create(&j->thread, NULL, job_run, j) != 0) {
		free(j);
		snprintf(why, whylen, "not asked: cannot start a worker");
		return PROTO_EIO;
	}
	np->jobs[slot] = j;
	np->asked += n;
	return 0;
}

/* ---- Back on the loop ---- */

static uint8_t
src_status(enum prov_status st)
{
	switch (st) {
	case PROV_ST_ANSWERED: return PROTO_PEER_SRC_ANSWERED;
	case PROV_ST_LIMITED: return PROTO_PEER_SRC_LIMITED;
	case PROV_ST_REFUSED: return PROTO_PEER_SRC_REFUSED;
	case PROV_ST_TIMEOUT: return PROTO_PEER_SRC_TIMED_OUT;
	default: return PROTO_PEER_SRC_ERROR;
	}
}

/* A finished job: its answers to the query (when it still waits), then
 * into the store. */
static void
job_done(struct node_server *s, struct prov_job *j)
{
	struct node_prov_out out[NODE_PROV_MAX];
	char why[256];

	for (size_t i = 0; i < j->n; i++) {
		const struct prov_result *r = &j->results[i];
		struct node_prov_out *o = &out[i];
		o->name = j->provs[i]->name != NULL ? j->provs[i]->name : prov_no_name;
		o->rows = j->rows[i];
		o->n = j->nrows[i];
		if (j->err != 0) {
			o->status = PROTO_PEER_SRC_ERROR;
			snprintf(o->why, sizeof(o->why), "%s", proto_strerror(j->err));
			continue;
		}
		o->status = src_status(r->status);
		/* Quota, backoff and unsupported travel as errors: the reason
		 * says which (r->why never holds a secret, prov_fetch.h). */
		if (o->status == PROTO_PEER_SRC_ERROR && r->status != PROV_ST_ERROR)
			snprintf(o->why, sizeof(o->why), "%s%s%s", prov_status_name(r->status),
			         r->why[0] ? ": " : "", r->why);
		else
			snprintf(o->why, sizeof(o->why), "%s", r->why);
	}
	node_fed_prov_done(s, j->token, out, j->n);
	for (size_t i = 0; i < j->n; i++) {
		const struct prov_result *r = &j->results[i];
		const struct pdns_conf_provider *p = j->provs[i];
		int64_t ttl = p->cache_ttl >= 0 ? p->cache_ttl : s->prov->conf.cache_ttl;
		int err;
		if (j->err != 0 || (r->status != PROV_ST_ANSWERED && r->status != PROV_ST_LIMITED))
			continue;
		why[0] = '\0';
		err = prov_cache_put(s->db, &j->cq, p->name, j->rows[i], j->nrows[i],
		                     r->status == PROV_ST_LIMITED, (int64_t)time(NULL), ttl, why,
		                     sizeof(why));
		if (err != 0)
			node_log("providers: cannot keep %s's answer in the store: %s", p->name,
			         why[0] ? why : proto_strerror(err));
		else
			s->prov->stored += j->nrows[i];
	}
}

void
node_prov_ready(struct node_server *s)
{
	struct node_prov *np = s->prov;
	struct prov_job *j;

	while (np != NULL && read(np->pipe[0], &j, sizeof(j)) == (ssize_t)sizeof(j)) {
		for (size_t i = 0; i < PROV_JOBS_MAX; i++)
			if (np->jobs[i] == j)
				np->jobs[i] = NULL;
		pthread_join(j->thread, NULL);
		job_done(s, j);
		job_free(j);
	}
}
