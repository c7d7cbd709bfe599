/*
 * node_http_impl.h - internal to pdns-node's HTTP server; other modules use
 * node/node_http.h.
 *
 * One struct node_http, shared by the server's threads; its files:
 *
 *   node_http.c          libmicrohttpd: start, stop, connections, the
 *                        request handler, the access log;
 *   node_http_conn.c     connection accounting: the per-client cap and the
 *                        janitor that cuts slow senders;
 *   node_http_auth.c     credentials and per-key quotas;
 *   node_http_run.c      the store handles and running a query;
 *   node_http_body.c     answer bodies;
 *   node_http_dnsdb.c    DNSDB v2 (SAF) and v1 answers, rate_limit, ping;
 *   node_http_circl.c    CIRCL answers;
 *   node_http_metrics.c  /metrics.
 *
 * What several threads touch is either read-only after start (the config,
 * the credentials), behind a mutex (quotas, connections, store handles) or
 * atomic (counters).
 */
#ifndef NODE_HTTP_IMPL_H
#define NODE_HTTP_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "node/node_config.h"
#include "node/node_http_keys.h"
#include "node/node_http_req.h"
#include "proto/proto_buf.h"
#include "proto/proto_obs.h"
#include "store/store_db.h"

#define NODE_HTTP_BODY_MAX (256u << 20) /* bytes of one answer */
#define NODE_HTTP_REFRESH_MS 1000        /* a store handle catches up this often */

/* Why a request or connection was refused (/metrics, drops by reason). */
enum node_http_drop {
	NODE_HTTP_DROP_AUTH,        /* no or a wrong key or password (401, 403) */
	NODE_HTTP_DROP_QUOTA,       /* 429 */
	NODE_HTTP_DROP_CONNECTIONS, /* max-connections reached */
	NODE_HTTP_DROP_PER_CLIENT,  /* max-per-client reached */
	NODE_HTTP_DROP_SLOW,        /* no whole request within timeout */
	NODE_HTTP_DROP_BAD_REQUEST, /* unparsable path or parameter (400, 404, 414, 416) */
	NODE_HTTP_DROP_METHOD,      /* not GET or HEAD (405) */
	NODE_HTTP_DROP_BODY,        /* a request body (413) */
	NODE_HTTP_DROP_REFUSED,     /* a query the store refuses (too wide) */
	NODE_HTTP_DROP_FAILED,      /* a store error */
	NODE_HTTP_DROPS
};

/* The APIs, for counters. */
enum { NODE_HTTP_CNT_V2, NODE_HTTP_CNT_V1, NODE_HTTP_CNT_CIRCL, NODE_HTTP_CNT_APIS };

/* A growing answer body (never over NODE_HTTP_BODY_MAX). */
struct node_http_body {
	char *data;
	size_t len, cap;
	int err;                 /* PROTO_ENOMEM or PROTO_ESPACE, sticky */
};

/* A quota window of one credential. */
struct node_http_bucket {
	uint64_t quota;          /* queries per period; 0: unlimited */
	int64_t window;          /* start of the current period */
	uint64_t used;
};

/* What a quota says now. */
struct node_http_rate {
	uint64_t limit;          /* 0: unlimited */
	uint64_t remaining;
	int64_t reset;           /* when the window ends */
};

/* Where a connection is in its exchange. */
enum node_http_conn_state {
	NODE_HTTP_CONN_FIRST,    /* open, its first request not yet whole */
	NODE_HTTP_CONN_HEADERS,  /* a request line read, its headers not yet */
	NODE_HTTP_CONN_BUSY,     /* a request being answered */
	NODE_HTTP_CONN_IDLE,     /* kept alive after an answer */
};

/* One connection (connection accounting). */
struct node_http_conn {
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd;
	enum node_http_conn_state state;
	int64_t since_ms;        /* the state's deadline counts from here */
	bool cut;                /* shut down by the janitor */
	struct node_http_conn *prev, *next;
};

/* A read-only store handle and when it last caught up. */
struct node_http_db {
	struct store_db *db;
	int64_t refreshed_ms;
	bool busy;
};

struct node_http {
	const struct node_config *cfg;
	struct MHD_Daemon *daemon;
	unsigned port;
	/* Credentials; open_* when none is configured (loopback only). */
	struct node_http_keys api, basic;
	bool open_dnsdb, open_circl;
	pthread_mutex_t quota_lock;
	struct node_http_bucket *buckets;  /* api.n, then basic.n, then anonymous */
	/* Store handles, one per thread. */
	pthread_mutex_t db_lock;
	pthread_cond_t db_free;
	struct node_http_db *dbs;
	size_t ndbs;
	/* Connections and the janitor. */
	pthread_mutex_t conn_lock;
	pthread_cond_t conn_wake;
	struct node_http_conn *conns;
	size_t nconns;
	pthread_t janitor;
	bool janitor_started, stopping;
	/* Counters. */
	_Atomic uint64_t drops[NODE_HTTP_DROPS];
	_Atomic uint64_t queries[NODE_HTTP_CNT_APIS], rows[NODE_HTTP_CNT_APIS];
	_Atomic uint64_t requests, responses_2xx, responses_4xx, responses_5xx;
	_Atomic uint64_t bytes_out;
};

/* What one request's handler builds. */
struct node_http_answer {
	unsigned status;
	const char *type;        /* Content-Type */
	struct node_http_body body;
	uint64_t rows;           /* objects in the body */
	bool rate_headers;       /* X-RateLimit-* from rate */
	struct node_http_rate rate;
	bool basic_challenge;    /* 401 with WWW-Authenticate */
	const char *who;         /* the credential's name, for the log ("-": none) */
};

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t node_http_now_ms(void);
void node_http_drop(struct node_http *h, enum node_http_drop why);

/* ---- node_http_conn.c ---- */
/* May a connection from addr be accepted now? (counts the refusal) */
bool node_http_conn_allowed(struct node_http *h, const struct sockaddr *addr, socklen_t alen);
struct node_http_conn *node_http_conn_open(struct node_http *h, int fd,
                                           const struct sockaddr *addr, socklen_t alen);
void node_http_conn_close(struct node_http *h, struct node_http_conn *c);
/* A request line read (HEADERS), a request whole (BUSY), an answer sent (IDLE). */
void node_http_conn_state(struct node_http *h, struct node_http_conn *c,
                          enum node_http_conn_state state);
int node_http_conn_start(struct node_http *h, char *why, size_t whylen);
void node_http_conn_stop(struct node_http *h);

/* ---- node_http_body.c ---- */
void node_http_body_init(struct node_http_body *b);
void node_http_body_free(struct node_http_body *b);
void node_http_body_puts(struct node_http_body *b, const char *s);
/* Append what fn formats (fn gets a proto_buf over the body's spare room;
 * retried with room for the longest row when it does not fit). */
void node_http_body_add(struct node_http_body *b,
                        void (*fn)(struct proto_buf *pb, const void *arg), const void *arg);
/* A one-line text answer: "Error: " what "\n" (text/plain). */
void node_http_answer_error(struct node_http_answer *a, unsigned status, const char *what);

/* ---- node_http_auth.c ---- */
int node_http_auth_load(struct node_http *h, char *why, size_t whylen);
void node_http_auth_free(struct node_http *h);
/* The bucket of the request's credential (-1: refused, a->status set), for
 * DNSDB's X-API-Key (and /metrics) or CIRCL's Authorization. */
long node_http_auth_dnsdb(struct node_http *h, const char *api_key, const char *bearer,
                          struct node_http_answer *a);
long node_http_auth_circl(struct node_http *h, const char *authorization,
                          const char *api_key, struct node_http_answer *a);
/* Take one query from bucket b: false (a 429 in a) when none is left. */
bool node_http_quota_take(struct node_http *h, long b, struct node_http_answer *a);
/* The bucket's state without taking. */
void node_http_quota_peek(struct node_http *h, long b, struct node_http_rate *r);

/* ---- node_http_run.c ---- */
int node_http_run_open(struct node_http *h, char *why, size_t whylen);
void node_http_run_close(struct node_http *h);

struct node_http_result {
	uint64_t scanned, returned;
	bool limited;            /* the limit or the scan cap cut it */
	bool capped;             /* ... the scan cap */
	bool max_counted;        /* summarize stopped at max_count */
	int err;                 /* PROTO_EINVAL: refused; else a store error */
	char why[256];
};

/*
 * Run r's query; every row to fn (merged per key first when r->aggr, so the
 * rows are pdns's), in index order. The summed counts stop the scan at
 * r->max_count. Returns res->err.
 */
int node_http_run(struct node_http *h, const struct node_http_req *r,
                  void (*fn)(void *arg, const struct proto_obs *o), void *arg,
                  struct node_http_result *res);

/* ---- node_http_dnsdb.c ---- */
void node_http_dnsdb_answer(struct node_http *h, const struct node_http_req *r,
                            struct node_http_answer *a);
void node_http_dnsdb_rate_limit(struct node_http *h, const struct node_http_req *r, long b,
                                struct node_http_answer *a);
void node_http_dnsdb_ping(struct node_http_answer *a);

/* ---- node_http_circl.c ---- */
void node_http_circl_answer(struct node_http *h, const struct node_http_req *r,
                            struct node_http_answer *a);

/* ---- node_http_metrics.c ---- */
void node_http_metrics_answer(struct node_http *h, struct node_http_answer *a);

#endif
