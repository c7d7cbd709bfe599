/*
 * node_http_run.c - queries on the HTTP server's own store handles.
 *
 * One read-only handle per server thread, so a thread never waits for
 * another's query. A handle sees the store as of its last open: before a
 * query it catches up with the node's writes when it has not for
 * NODE_HTTP_REFRESH_MS (a reopen), so an answer is at most that old.
 *
 * Rows are merged per (rrname, rrtype, rdata, section) across origins with
 * cli_rows, exactly as pdns merges them, unless the request asked for
 * aggr=false; the limit counts store rows, as pdns's does, so a node and
 * pdns on the same store give the same rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_rows.h"
#include "cli/prov_cache.h"
#include "node/node_http_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

int64_t
node_http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
node_http_run_open(struct node_http *h, char *why, size_t whylen)
{
	int err;

	h->ndbs = h->cfg->http.threads;
	if ((h->dbs = calloc(h->ndbs, sizeof(*h->dbs))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < h->ndbs; i++) {
		if ((err = store_db_open(&h->dbs[i].db, h->cfg->store, STORE_READ, why, whylen)) != 0)
			return err;
		h->dbs[i].refreshed_ms = node_http_now_ms();
	}
	return 0;
}

void
node_http_run_close(struct node_http *h)
{
	for (size_t i = 0; h->dbs != NULL && i < h->ndbs; i++)
		store_db_close(&h->dbs[i].db);
	free(h->dbs);
	h->dbs = NULL;
	h->ndbs = 0;
}

/* A free handle, caught up with the writer when it is stale. */
static struct node_http_db *
db_take(struct node_http *h)
{
	struct node_http_db *d = NULL;

	pthread_mutex_lock(&h->db_lock);
	for (;;) {
		for (size_t i = 0; i < h->ndbs && d == NULL; i++)
			if (!h->dbs[i].busy)
				d = &h->dbs[i];
		if (d != NULL)
			break;
		pthread_cond_wait(&h->db_free, &h->db_lock);
	}
	d->busy = true;
	pthread_mutex_unlock(&h->db_lock);
	int64_t now = node_http_now_ms();
	if (now - d->refreshed_ms >= NODE_HTTP_REFRESH_MS) {
		int err = store_db_refresh(d->db);
		if (err != 0)
			node_log("http: cannot catch up with the store: %s (answering from the "
			         "last view)", proto_strerror(err));
		d->refreshed_ms = now;
	}
	return d;
}

static void
db_give(struct node_http *h, struct node_http_db *d)
{
	pthread_mutex_lock(&h->db_lock);
	d->busy = false;
	pthread_cond_signal(&h->db_free);
	pthread_mutex_unlock(&h->db_lock);
}

struct run_ctx {
	const struct node_http_req *r;
	struct store_db *db;     /* for origin names */
	bool provider_rows;      /* [http] provider-rows */
	struct cli_rows *rows;   /* aggr */
	void (*fn)(void *arg, const struct proto_obs *o);
	void *arg;
	uint64_t sum;            /* counts so far, for max_count */
	bool max_counted;
	int err;
};

static int
on_row(void *arg, const struct store_result *res)
{
	struct run_ctx *c = arg;
	char origin[STORE_ORIGIN_NAME_MAX + 1];
	const char *prov;

	/* Provider answers cached by the node are licensed to us, not to
	 * whoever uses our HTTP API: left out unless the operator says. */
	if (!c->provider_rows && res->origin != STORE_ORIGIN_LOCAL &&
	    store_db_origin_name(c->db, res->origin, origin, sizeof(origin)) == 0 &&
	    prov_cache_is_origin(origin, &prov))
		return 0;
	if (c->rows != NULL) {
		if ((c->err = cli_rows_add(c->rows, &res->obs)) != 0)
			return c->err;
	} else {
		c->fn(c->arg, &res->obs);
	}
	c->sum = res->obs.count > UINT64_MAX - c->sum ? UINT64_MAX : c->sum + res->obs.count;
	if (c->r->max_count != 0 && c->sum >= c->r->max_count) {
		c->max_counted = true;
		return 1;
	}
	return 0;
}

int
node_http_run(struct node_http *h, const struct node_http_req *r,
              void (*fn)(void *arg, const struct proto_obs *o), void *arg,
              struct node_http_result *res)
{
	struct run_ctx c = { r, NULL, h->cfg->http.provider_rows, NULL, fn, arg, 0, false, 0 };
	struct store_query_info info;
	int err;

	memset(res, 0, sizeof(*res));
	memset(&info, 0, sizeof(info));
	if (r->aggr && (err = cli_rows_new(&c.rows)) != 0)
		return res->err = err;
	struct node_http_db *d = db_take(h);
	c.db = d->db;
	err = store_db_query(d->db, &r->q, h->cfg->http.max_scan, on_row, &c, &info, res->why,
	                     sizeof(res->why));
	db_give(h, d);
	if (err == 0 && c.rows != NULL)
		for (size_t i = 0; i < cli_rows_count(c.rows); i++)
			fn(arg, cli_rows_get(c.rows, i));
	cli_rows_destroy(&c.rows);
	res->scanned = info.scanned;
	res->returned = info.returned;
	res->limited = info.limited;
	/* The store stops at the limit having seen one more row; anything else
	 * that limited the answer was the scan cap. */
	res->capped = info.limited && !(r->q.limit != 0 && info.returned >= r->q.limit);
	res->max_counted = c.max_counted;
	if (err != 0 && res->why[0] == '\0')
		snprintf(res->why, sizeof(res->why), "%s", proto_strerror(err));
	return res->err = err;
}
