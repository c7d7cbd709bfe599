/*
 * node_server.c - the loop: sensors' batches in, queries answered, and the
 * sockets of groups (node_pub.c), peers (node_sub.c) and control
 * (node_ctl.c) served in turn.
 *
 * Each message is handled to the end (store write, then ACK and published
 * batches; or the whole query, replay or snapshot) before the next, which
 * keeps the store single-threaded and every exactly-once state simple: what
 * a snapshot reads is exactly what the published sequence numbers account
 * for, because nothing else writes meanwhile. The one thing that outlives
 * its message is a federated query waiting for peers (node_fed.c): its
 * store part is done at once, the rest is relaying and a timer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>
#include <sodium.h>

#include "cli/prov_cache.h"
#include "node/node_bench.h"
#include "node/node_impl.h"
#include "node/node_log.h"
#include "node/node_metrics.h"
#include "node/node_server.h"
#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "proto/proto_query.h"
#include "store/store_db.h"

#define STATE_MAX 1000000   /* sensor streams remembered */

/* Exactly-once state of one sensor stream. */
struct node_sstate {
	uint8_t origin[PROTO_PEER_ORIGIN_MAX];
	uint8_t origin_len;
	uint64_t stream, last;
};

static volatile sig_atomic_t stop_flag;

void
node_server_stop(void)
{
	stop_flag = 1;
}

void
node_ratelog(struct node_ratelog *r, const char *fmt, ...)
{
	time_t now = time(NULL);
	char line[512];
	va_list ap;

	r->pending++;
	if (now - r->last < NODE_LOG_INTERVAL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r->pending > 1)
		node_log("%s (%llu times since the last report)", line,
		         (unsigned long long)r->pending);
	else
		node_log("%s", line);
	r->pending = 0;
	r->last = now;
}

void
node_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * (7 - i)));
}

uint64_t
node_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- Meta operations of the next store write ---- */

#define OPBUF_SIZE (1u << 20)

void
node_ops_reset(struct node_server *s)
{
	s->nops = 0;
	s->opbuf_used = 0;
}

uint8_t *
node_ops_alloc(struct node_server *s, size_t n)
{
	uint8_t *p;

	if (s->opbuf_used + n > OPBUF_SIZE)
		return NULL;
	p = s->opbuf + s->opbuf_used;
	s->opbuf_used += n;
	return p;
}

bool
node_ops_put(struct node_server *s, const void *key, size_t klen, const void *val,
             size_t vlen)
{
	if (s->nops == NODE_OPS_MAX)
		return false;
	s->ops[s->nops++] = (struct store_meta_op){ key, klen, val, vlen };
	return true;
}

bool
node_ops_del(struct node_server *s, const void *key, size_t klen)
{
	return node_ops_put(s, key, klen, NULL, 0);
}

/* ---- Sensor stream state ---- */

static struct node_sstate *
state_find(struct node_server *s, const uint8_t *origin, uint8_t len, uint64_t stream)
{
	for (size_t i = 0; i < s->nst; i++)
		if (s->st[i].stream == stream && s->st[i].origin_len == len &&
		    memcmp(s->st[i].origin, origin, len) == 0)
			return &s->st[i];
	return NULL;
}

static struct node_sstate *
state_add(struct node_server *s, const uint8_t *origin, uint8_t len, uint64_t stream)
{
	if (s->nst == s->capst) {
		size_t cap = s->capst ? s->capst * 2 : 64;
		if (cap > STATE_MAX)
			return NULL;
		struct node_sstate *n = realloc(s->st, cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		s->st = n;
		s->capst = cap;
	}
	struct node_sstate *e = &s->st[s->nst++];
	memset(e, 0, sizeof(*e));
	memcpy(e->origin, origin, len);
	e->origin_len = len;
	e->stream = stream;
	return e;
}

/*
 * A stream's state is a meta row of the store, written in the same atomic
 * batch as the rows it accounts for: key "stream:" + origin length (1) +
 * origin + stream (8, big-endian), value the last applied seq (8).
 */
#define STATE_PREFIX "stream:"

static size_t
state_key(uint8_t *out, const uint8_t *origin, uint8_t len, uint64_t stream)
{
	size_t n = sizeof(STATE_PREFIX) - 1;

	memcpy(out, STATE_PREFIX, n);
	out[n++] = len;
	memcpy(out + n, origin, len);
	n += len;
	for (int i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(stream >> (8 * i));
	return n;
}

static int
state_row(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct node_server *s = arg;
	const uint8_t *k = key;
	size_t n = sizeof(STATE_PREFIX) - 1;

	if (klen < n + 1 + 8 || k[n] == 0 || k[n] > PROTO_PEER_ORIGIN_MAX ||
	    klen != n + 1 + k[n] + 8 || vlen != 8)
		return PROTO_EFORMAT;
	struct node_sstate *e = state_add(s, k + n + 1, k[n], node_get_be64(k + n + 1 + k[n]));
	if (e == NULL)
		return PROTO_ENOMEM;
	e->last = node_get_be64(val);
	return 0;
}

static int
state_load(struct node_server *s, char *why, size_t whylen)
{
	int err = store_db_scan_meta(s->db, STATE_PREFIX, sizeof(STATE_PREFIX) - 1,
	                             state_row, s);
	if (err != 0)
		snprintf(why, whylen, "cannot read the sensor stream states: %s",
		         proto_strerror(err));
	return err;
}

/* ---- Retention ---- */

/*
 * Rows past [retention] go as compactions rewrite them; a node whose data
 * no longer changes might keep them for long, so a thread of its own
 * compacts once RETENTION_FIRST seconds after start and then once a day.
 * store_db_compact may run beside the loop's writes (store_db.h).
 */
#define RETENTION_FIRST 600
#define RETENTION_EVERY 86400

static void *
retention_thread(void *arg)
{
	struct node_server *s = arg;
	time_t next = time(NULL) + RETENTION_FIRST;

	while (!atomic_load(&s->retention_stop)) {
		if (time(NULL) >= next) {
			node_log("retention: compacting the store");
			store_db_compact(s->db);
			node_log("retention: compaction done");
			next = time(NULL) + RETENTION_EVERY;
		}
		sleep(1);
	}
	return NULL;
}

static int
retention_start(struct node_server *s, char *why, size_t whylen)
{
	const struct node_config *c = s->cfg;

	if (c->retention.own == 0 && c->retention.peers == 0)
		return 0;
	store_db_set_retention_origins(s->db, (int64_t)c->retention.own,
	                               (int64_t)c->retention.peers);
	if (pthread_create(&s->retention, NULL, retention_thread, s) != 0) {
		snprintf(why, whylen, "cannot start the retention thread");
		return PROTO_ENOMEM;
	}
	s->retention_running = true;
	node_log("retention: own rows %llus, peers' rows %llus (0: kept)",
	         (unsigned long long)c->retention.own, (unsigned long long)c->retention.peers);
	return 0;
}

/* ---- Sending ---- */

bool
node_reply_raw(struct node_server *s, zsock_t *sock, const void *buf, size_t len)
{
	void *h = zsock_resolve(sock);

	if (zmq_send(h, s->id, s->id_len, ZMQ_SNDMORE) < 0 || zmq_send(h, buf, len, 0) < 0) {
		node_ratelog(&s->bad_input, "cannot send a reply: %s", zmq_strerror(errno));
		return false;
	}
	return true;
}

bool
node_reply(struct node_server *s, zsock_t *sock, const struct proto_peer_msg *m)
{
	size_t len;
	int err = proto_peer_encode(m, s->out, PROTO_PEER_MSG_MAX, &len);

	if (err != 0) {
		node_log("cannot encode %s: %s", proto_peer_type_name(m->type), proto_strerror(err));
		return false;
	}
	return node_reply_raw(s, sock, s->out, len);
}

/* At most ERRORS_PER_SECOND ERROR replies in all: a sender of garbage gets
 * no amplification out of us, and the log line counts the rest. */
#define ERRORS_PER_SECOND 100

void
node_reply_error(struct node_server *s, zsock_t *sock, uint16_t code, uint64_t ref,
                 const char *text)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_ERROR, .code = code, .ref = ref,
	                            .text = text, .text_len = (uint16_t)strlen(text) };
	time_t now = time(NULL);

	if (now != s->error_second) {
		s->error_second = now;
		s->errors_sent = 0;
	}
	if (s->errors_sent++ >= ERRORS_PER_SECOND)
		return;
	node_reply(s, sock, &m);
}

static void
send_ack(struct node_server *s, const struct proto_peer_msg *b, uint64_t last)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_ACK, .origin = b->origin,
	                            .origin_len = b->origin_len, .stream = b->stream,
	                            .seq = last };
	node_reply(s, s->sensors, &m);
}

/* ---- Who is who ---- */

static const char *
sensor_name(const struct node_server *s, const char *user_id)
{
	for (size_t i = 0; i < s->cfg->n_sensors; i++)
		if (strcmp(s->cfg->sensors[i].public_key_z85, user_id) == 0)
			return s->cfg->sensors[i].name;
	return NULL;
}

struct node_peer *
node_peer_by_key(struct node_server *s, const char *user_id)
{
	for (size_t i = 0; i < s->npeers; i++)
		if (strcmp(s->peers[i].cfg->public_key_z85, user_id) == 0)
			return &s->peers[i];
	return NULL;
}

const struct node_config_client *
node_client_by_key(struct node_server *s, const char *user_id)
{
	for (size_t i = 0; i < s->cfg->n_clients; i++)
		if (strcmp(s->cfg->clients[i].public_key_z85, user_id) == 0)
			return &s->cfg->clients[i];
	return NULL;
}

/* ---- Sensors ---- */

/* Apply a batch: its rows, the stream's new state and what the groups
 * publish of it, in one atomic store write; then publish and ACK. */
static int
apply_batch(struct node_server *s, const char *name, const struct proto_peer_msg *m,
            struct node_sstate *st)
{
	char why[256] = "";
	uint8_t *key, *val;
	int err;

	for (uint32_t i = 0; i < m->nrows; i++)
		s->obs[i] = s->rows[i].obs;
	node_ops_reset(s);
	if ((key = node_ops_alloc(s, sizeof(STATE_PREFIX) + PROTO_PEER_ORIGIN_MAX + 9)) == NULL ||
	    (val = node_ops_alloc(s, 8)) == NULL)
		return PROTO_ENOMEM;
	node_put_be64(val, m->seq);
	node_ops_put(s, key, state_key(key, m->origin, (uint8_t)m->origin_len, m->stream), val, 8);
	if ((err = node_pub_prepare(s, name, s->obs, m->nrows)) != 0) {
		node_log("sensors: cannot prepare the published batches: %s", proto_strerror(err));
		node_pub_abort(s);
		return err;
	}
	if ((err = store_db_write(s->db, s->obs, m->nrows, STORE_ORIGIN_LOCAL, s->ops, s->nops,
	                          why, sizeof(why))) != 0) {
		node_log("store: write failed for '%s': %s", s->cfg->store,
		         why[0] ? why : proto_strerror(err));
		node_pub_abort(s);
		return err;
	}
	st->last = m->seq;
	node_pub_commit(s);
	s->batches++;
	s->rows_in += m->nrows;
	return 0;
}

static void
on_batch(struct node_server *s, const char *user_id, size_t len)
{
	struct proto_peer_msg m;
	const char *name = sensor_name(s, user_id);
	int err;

	if (name == NULL) { /* ZAP let in a key that is no sensor's: never */
		node_log("sensors: message from unknown key %s refused", user_id);
		return;
	}
	memset(&m, 0, sizeof(m));
	err = proto_peer_decode(&m, s->in, len, s->rows, PROTO_PEER_ROWS_MAX);
	if (err != 0 || m.type != PROTO_PEER_OBS_BATCH) {
		const char *reason = err != 0 ? (m.why ? m.why : proto_strerror(err))
		                              : "only OBS_BATCH is accepted here";
		node_ratelog(&s->bad_input, "sensors: '%s' refused: %s", name, reason);
		node_reply_error(s, s->sensors, PROTO_PEER_E_MALFORMED, 0, reason);
		return;
	}
	if (m.group_len != 0 || m.has_tlp || m.sensor_len != 0) {
		node_ratelog(&s->bad_input, "sensors: '%s' refused: a sensor's batch names no group, "
		             "TLP or sensor pseudonym", name);
		node_reply_error(s, s->sensors, PROTO_PEER_E_REFUSED, m.seq,
		                 "a sensor's batch has an empty group, tlp nil and no pseudonym");
		return;
	}
	if (m.origin_len != strlen(name) || memcmp(m.origin, name, m.origin_len) != 0) {
		node_ratelog(&s->bad_input, "sensors: '%s' refused: the batch's origin is not the "
		             "sensor's name", name);
		node_reply_error(s, s->sensors, PROTO_PEER_E_ORIGIN, m.seq,
		                 "origin is not this key's sensor name");
		return;
	}
	struct node_sstate *st = state_find(s, m.origin, m.origin_len, m.stream);
	uint64_t last = st ? st->last : 0;
	switch (proto_peer_verdict(m.stream, last, m.stream, m.seq)) {
	case PROTO_PEER_APPLY:
		if (st == NULL) {
			if ((st = state_add(s, m.origin, m.origin_len, m.stream)) == NULL) {
				node_log("sensors: out of memory for stream state");
				node_reply_error(s, s->sensors, PROTO_PEER_E_INTERNAL, m.seq,
				                 "out of memory");
				return;
			}
			node_log("sensors: sensor '%s' started stream %" PRIu64, name, m.stream);
		}
		if (apply_batch(s, name, &m, st) != 0) {
			node_reply_error(s, s->sensors, PROTO_PEER_E_UNAVAILABLE, m.seq,
			                 "store write failed");
			return;
		}
		send_ack(s, &m, st->last);
		break;
	case PROTO_PEER_DUP:
	case PROTO_PEER_RESYNC:
		send_ack(s, &m, last);
		break;
	}
}

/* ---- Queries ---- */

static void
part_send(struct node_server *s, bool final, uint8_t status, bool limited)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_QUERY_RESULT, .query_id = s->query_id,
	                            .part = s->part_no++, .final = final,
	                            .status = final ? status : 0,
	                            .limited = final && limited, .rows = s->xrows,
	                            .nrows = s->part_n };
	node_reply(s, s->queries, &m);
	s->part_n = 0;
	s->part_bytes = 0;
	s->arena_used = 0;
}

static const uint8_t *
arena_copy(struct node_server *s, const void *p, size_t n)
{
	if (p == NULL)
		return NULL;
	uint8_t *d = s->arena + s->arena_used;
	memcpy(d, p, n);
	s->arena_used += n;
	return d;
}

struct query_ctx {
	struct node_server *s;
	bool own_only;                 /* a peer asks: our own sensors' rows only */
	uint32_t n;                    /* rows sent */
};

static int
on_row(void *arg, const struct store_result *r)
{
	struct query_ctx *qc = arg;
	struct node_server *s = qc->s;
	char name[128];
	const char *origin = s->cfg->name;
	struct proto_peer_row row = { .obs = r->obs };

	if (s->q_has_only && r->origin != s->q_only)
		return 0;
	for (size_t i = 0; i < s->q_nskip; i++)
		if (r->origin == s->q_skip[i])
			return 0;
	if (r->origin != STORE_ORIGIN_LOCAL) {
		const char *prov;
		/* A peer gets our sensors' rows only: never peers', never a
		 * provider's (origin "prov:NAME", node_prov.c). */
		if (qc->own_only)
			return 0;
		/* "PEER/GROUP": the peer is who saw it. */
		if (store_db_origin_name(s->db, r->origin, name, sizeof(name)) != 0)
			snprintf(name, sizeof(name), "origin-%u", (unsigned)r->origin);
		name[strcspn(name, "/")] = '\0';
		origin = prov_cache_is_origin(name, &prov) ? prov : name;
	}
	row.origin = (const uint8_t *)origin;
	row.origin_len = (uint8_t)strnlen(origin, PROTO_PEER_ORIGIN_MAX);
	if (proto_peer_row_check(&row, true) != 0)
		return 0; /* a row the protocol cannot carry; the store checked it */
	size_t size = proto_peer_row_size(&row, true);
	if (s->part_n == PROTO_PEER_ROWS_MAX ||
	    PROTO_PEER_HEAD_MAX + s->part_bytes + size > PROTO_PEER_MSG_MAX)
		part_send(s, false, 0, false);
	struct proto_peer_row *d = &s->xrows[s->part_n++];
	d->obs = r->obs;
	d->obs.name = arena_copy(s, r->obs.name, r->obs.name_len);
	d->obs.rdata = (const char *)arena_copy(s, r->obs.rdata, r->obs.rdata_len);
	d->obs.bailiwick = arena_copy(s, r->obs.bailiwick, r->obs.bailiwick_len);
	d->origin = arena_copy(s, row.origin, row.origin_len);
	d->origin_len = row.origin_len;
	s->part_bytes += size;
	qc->n++;
	return 0;
}

void
node_query_begin(struct node_server *s, uint64_t query_id)
{
	s->query_id = query_id;
	s->part_no = 0;
	s->part_n = 0;
	s->part_bytes = 0;
	s->arena_used = 0;
}

uint8_t
node_store_answer(struct node_server *s, const struct proto_query *q, bool own_only,
                  bool final, bool *limited, uint32_t *nrows)
{
	struct store_query_info info;
	struct query_ctx qc = { s, own_only, 0 };
	char why[256] = "";
	int err;

	memset(&info, 0, sizeof(info));
	err = store_db_query(s->db, q, NODE_SERVER_MAX_SCAN, on_row, &qc, &info, why,
	                     sizeof(why));
	uint8_t status = PROTO_PEER_ST_OK;
	if (err == PROTO_EINVAL)
		status = PROTO_PEER_ST_BAD_QUERY;
	else if (err != 0)
		status = PROTO_PEER_ST_INTERNAL;
	if (err != 0) {
		s->part_n = 0; /* a failed query sends no partial rows */
		node_log("queries: query %016" PRIx64 " failed: %s", s->query_id,
		         why[0] ? why : proto_strerror(err));
	}
	s->queries_served++;
	*limited = info.limited;
	*nrows = qc.n;
	if (final)
		part_send(s, true, status, info.limited);
	else if (s->part_n > 0)
		part_send(s, false, 0, false);
	return status;
}

void
node_query_refuse(struct node_server *s, const char *who, uint64_t query_id, const char *why)
{
	struct proto_peer_source self = {
		.name = s->cfg->name, .name_len = (uint8_t)strlen(s->cfg->name),
		.status = PROTO_PEER_SRC_REFUSED, .why = why, .why_len = (uint8_t)strlen(why),
	};
	struct proto_peer_msg m = { .type = PROTO_PEER_QUERY_RESULT, .query_id = query_id,
	                            .part = 0, .final = true, .status = PROTO_PEER_ST_REFUSED,
	                            .has_sources = true, .sources = &self, .nsources = 1 };

	node_ratelog(&s->refusals, "queries: query %016" PRIx64 " from '%s' refused: %s",
	             query_id, who, why);
	node_reply(s, s->queries, &m);
}

static void
run_query(struct node_server *s, const struct proto_peer_msg *m, bool own_only)
{
	static struct proto_query q;
	bool limited;
	uint32_t n;

	node_query_begin(s, m->query_id);
	if (proto_query_decode(&q, m->query, m->query_len) != 0) {
		part_send(s, true, PROTO_PEER_ST_BAD_QUERY, false);
		return;
	}
	node_store_answer(s, &q, own_only, true, &limited, &n);
}

/* The query socket: QUERY from clients and from peers that may ask,
 * REPLAY_REQ from peers. */
static void
on_query(struct node_server *s, const char *user_id, size_t len)
{
	struct proto_peer_msg m;
	struct node_peer *peer = node_peer_by_key(s, user_id);
	const struct node_config_client *client = node_client_by_key(s, user_id);
	const char *who = peer ? peer->cfg->name : client ? client->name : "?";
	int err;

	memset(&m, 0, sizeof(m));
	err = proto_peer_decode(&m, s->in, len, NULL, 0);
	if (err != 0 || (m.type != PROTO_PEER_QUERY && m.type != PROTO_PEER_REPLAY_REQ)) {
		const char *reason = err != 0 ? (m.why ? m.why : proto_strerror(err))
		                              : "only QUERY and REPLAY_REQ are accepted here";
		if (peer != NULL)
			peer->refused++;
		node_ratelog(&s->bad_input, "queries: '%s' refused: %s", who, reason);
		node_reply_error(s, s->queries,
		                 err == PROTO_EFORMAT && m.version != PROTO_PEER_VERSION
		                 ? PROTO_PEER_E_VERSION : PROTO_PEER_E_MALFORMED, 0, reason);
		return;
	}
	if (m.type == PROTO_PEER_REPLAY_REQ) {
		if (peer == NULL) {
			node_reply_error(s, s->queries, PROTO_PEER_E_REFUSED, 0, "not a peer");
			return;
		}
		node_pub_replay(s, peer, &m);
		return;
	}
	if (client == NULL && (peer == NULL || !peer->cfg->accept_queries)) {
		s->refused_policy++;
		node_query_refuse(s, who, m.query_id, "queries not accepted from this peer "
		                  "(accept has no 'queries')");
		return;
	}
	/* A client's own lookup answered here alone is what it always was;
	 * anything that may travel (a peer's, or one to forward) is federated
	 * (node_fed.c): budgets, loops, forwarding. */
	if (client != NULL && m.hop_limit == 0 && !m.has_providers) {
		run_query(s, &m, false);
		return;
	}
	node_fed_query(s, client == NULL ? peer : NULL, who, &m);
}

/* ---- The loop ---- */

int
node_recv_frame(void *h, int flags, uint8_t *buf, size_t cap, bool *more, char *user_id)
{
	zmq_msg_t f;
	int n;

	zmq_msg_init(&f);
	if ((n = zmq_msg_recv(&f, h, flags)) < 0) {
		zmq_msg_close(&f);
		return -1;
	}
	size_t len = (size_t)n <= cap ? (size_t)n : 0;
	memcpy(buf, zmq_msg_data(&f), len);
	*more = zmq_msg_more(&f);
	if (user_id != NULL) {
		const char *uid = zmq_msg_gets(&f, "User-Id");
		snprintf(user_id, PROTO_KEYS_Z85_LEN + 1, "%s", uid != NULL ? uid : "");
	}
	zmq_msg_close(&f);
	return (int)len;
}

void
node_drain(void *h)
{
	bool more = true;
	uint8_t sink[1];

	while (more && node_recv_frame(h, 0, sink, 0, &more, NULL) >= 0)
		;
}

/* Receive one message from a ROUTER: routing id, then exactly one payload
 * frame, into s->id and s->in. */
static void
on_readable(struct node_server *s, zsock_t *sock)
{
	void *h = zsock_resolve(sock);
	char user_id[PROTO_KEYS_Z85_LEN + 1] = "";
	bool more;
	int n;

	if ((n = node_recv_frame(h, ZMQ_DONTWAIT, s->id, NODE_ID_MAX, &more, NULL)) < 0)
		return;
	s->id_len = (size_t)n;
	if (!more)
		return;
	if ((n = node_recv_frame(h, 0, s->in, PROTO_PEER_MSG_MAX, &more, user_id)) < 0)
		return;
	if (more) { /* one payload frame per message: drop the rest */
		node_drain(h);
		node_reply_error(s, sock, PROTO_PEER_E_MALFORMED, 0, "more than one frame");
		return;
	}
	if (!proto_keys_is_z85_key(user_id)) {
		node_log("zap: a message arrived without a ZAP User-Id; dropped");
		return;
	}
	if (sock == s->sensors)
		on_batch(s, user_id, (size_t)n);
	else if (sock == s->queries)
		on_query(s, user_id, (size_t)n);
	else
		node_ctl_message(s, user_id, (size_t)n);
}

static zsock_t *
bind_router(struct node_server *s, const char *domain, const struct node_config_list *eps,
            const char *what, char *why, size_t whylen)
{
	zsock_t *sock = zsock_new(ZMQ_ROUTER);

	if (sock == NULL) {
		snprintf(why, whylen, "cannot create the %s socket", what);
		return NULL;
	}
	zsock_set_linger(sock, 1000);
	zsock_set_maxmsgsize(sock, (int)s->cfg->limits.max_message_size);
	zsock_set_zap_domain(sock, domain);
	node_curve_server(sock, s->sec);
	/* Replies to a slow reader (replays, snapshots, big results) wait for it
	 * for a while instead of being dropped silently at the high-water mark. */
	zsock_set_router_mandatory(sock, 1);
	zsock_set_sndtimeo(sock, NODE_SEND_TIMEOUT);
	for (size_t i = 0; i < eps->n; i++) {
		if (zsock_bind(sock, "%s", eps->v[i]) < 0) {
			snprintf(why, whylen, "cannot bind %s endpoint '%s': %s", what, eps->v[i],
			         zmq_strerror(errno));
			zsock_destroy(&sock);
			return NULL;
		}
		node_log("%s: listening on %s (CURVE, ZAP domain '%s')", what, eps->v[i], domain);
	}
	return sock;
}

int
node_server_new(struct node_server **out, const struct node_config *cfg,
                const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                char *why, size_t whylen)
{
	struct node_server *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	why[0] = '\0';
	if (s == NULL)
		return PROTO_ENOMEM;
	s->cfg = cfg;
	s->started = time(NULL);
	memcpy(s->pub, pub, PROTO_KEYS_LEN);
	memcpy(s->sec, sec, PROTO_KEYS_LEN);
	s->in = malloc(PROTO_PEER_MSG_MAX);
	s->out = malloc(PROTO_PEER_MSG_MAX);
	s->arena = malloc(PROTO_PEER_MSG_MAX);
	s->opbuf = malloc(OPBUF_SIZE);
	s->rows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->rows));
	s->xrows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->xrows));
	s->obs = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->obs));
	if (!s->in || !s->out || !s->arena || !s->opbuf || !s->rows || !s->xrows || !s->obs) {
		node_server_destroy(&s);
		return PROTO_ENOMEM;
	}
	if ((err = node_export_new(&s->exp, cfg)) != 0) {
		snprintf(why, whylen, "cannot compile the export policy: %s", proto_strerror(err));
		node_server_destroy(&s);
		return err;
	}
	if ((err = store_db_open(&s->db, cfg->store, STORE_WRITE, why, whylen)) != 0 ||
	    (err = state_load(s, why, whylen)) != 0 ||
	    (err = node_prov_open(s, why, whylen)) != 0 ||
	    (err = node_pub_open(s, why, whylen)) != 0 ||
	    (err = node_sub_open(s, why, whylen)) != 0 ||
	    (err = retention_start(s, why, whylen)) != 0) {
		node_server_destroy(&s);
		return err;
	}
	*out = s;
	return 0;
}

/* Every socket to poll now; peers over their quota wait. */
static size_t
poll_set(struct node_server *s, zmq_pollitem_t *items, zsock_t **socks,
         struct node_peer **owner, size_t cap, bool *throttled)
{
	size_t n = 0;

	*throttled = false;
	zsock_t *own[] = { s->sensors, s->queries, s->control };
	int fd = node_prov_fd(s);

	if (fd >= 0 && n < cap) { /* provider workers that finished */
		socks[n] = NULL;
		owner[n] = NULL;
		items[n++] = (zmq_pollitem_t){ NULL, fd, ZMQ_POLLIN, 0 };
	}
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] != NULL && n < cap) {
			socks[n] = own[i];
			owner[n] = NULL;
			items[n++] = (zmq_pollitem_t){ zsock_resolve(own[i]), 0, ZMQ_POLLIN, 0 };
		}
	for (size_t i = 0; i < s->npeers; i++) {
		struct node_peer *p = &s->peers[i];
		if (p->nsubs == 0 && p->dealer == NULL)
			continue;
		if (!node_sub_readable(s, p)) {
			*throttled = true;
			continue;
		}
		for (size_t j = 0; j <= p->nsubs && n < cap; j++) {
			zsock_t *z = j < p->nsubs ? p->subs[j] : p->dealer;
			if (z == NULL)
				continue;
			socks[n] = z;
			owner[n] = p;
			items[n++] = (zmq_pollitem_t){ zsock_resolve(z), 0, ZMQ_POLLIN, 0 };
		}
	}
	return n;
}

int
node_server_run(struct node_server *s, char *why, size_t whylen)
{
	size_t cap = 4 + NODE_CONFIG_MAX_PEERS * (NODE_CONFIG_MAX_ENDPOINTS + 1);
	zmq_pollitem_t *items = calloc(cap, sizeof(*items));
	zsock_t **socks = calloc(cap, sizeof(*socks));
	struct node_peer **owner = calloc(cap, sizeof(*owner));
	struct node_config_list control = { NULL, 0 };
	char *ctl_ep = s->cfg->control;
	time_t last_tick = 0;
	int err = PROTO_EIO;

	why[0] = '\0';
	if (items == NULL || socks == NULL || owner == NULL) {
		err = PROTO_ENOMEM;
		goto out;
	}
	if (ctl_ep != NULL) {
		control.v = &ctl_ep;
		control.n = 1;
	}
	if ((s->cfg->sensor_listen.n > 0 &&
	     (s->sensors = bind_router(s, "sensors", &s->cfg->sensor_listen, "sensors", why,
	                               whylen)) == NULL) ||
	    (s->cfg->query_listen.n > 0 &&
	     (s->queries = bind_router(s, "queries", &s->cfg->query_listen, "queries", why,
	                               whylen)) == NULL) ||
	    (control.n > 0 &&
	     (s->control = bind_router(s, "control", &control, "control", why, whylen)) == NULL) ||
	    node_pub_bind(s, why, whylen) != 0 || node_sub_connect(s, why, whylen) != 0)
		goto out;
	node_log("ready");
	while (!stop_flag) {
		bool throttled;
		size_t n = poll_set(s, items, socks, owner, cap, &throttled);
		int r = zmq_poll(items, (int)n, node_fed_wait_ms(s, throttled ? 20 : 250));
		if (r < 0 && errno != EINTR) {
			snprintf(why, whylen, "poll failed: %s", zmq_strerror(errno));
			goto out;
		}
		for (size_t i = 0; r > 0 && i < n; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			if (socks[i] == NULL)
				node_prov_ready(s);
			else if (owner[i] != NULL)
				node_sub_message(s, owner[i], socks[i]);
			else
				on_readable(s, socks[i]);
		}
		node_fed_tick(s);
		time_t now = time(NULL);
		if (now != last_tick) {
			node_pub_tick(s, now);
			node_sub_tick(s, now);
			node_metrics_publish(s); /* for /metrics (node_metrics.h) */
			last_tick = now;
		}
	}
	node_log("stopping: %" PRIu64 " batches, %" PRIu64 " rows applied", s->batches,
	         s->rows_in);
	err = 0;
out:
	free(items);
	free(socks);
	free(owner);
	return err;
}

void
node_server_destroy(struct node_server **sp)
{
	struct node_server *s = *sp;

	if (s == NULL)
		return;
	zsock_destroy(&s->sensors);
	zsock_destroy(&s->queries);
	zsock_destroy(&s->control);
	if (s->retention_running) {
		atomic_store(&s->retention_stop, true);
		pthread_join(s->retention, NULL);
	}
	node_prov_close(s);
	node_fed_close(s);
	node_pub_close(s);
	node_sub_close(s);
	node_export_free(&s->exp);
	store_db_close(&s->db);
	sodium_memzero(s->sec, sizeof(s->sec));
	free(s->in);
	free(s->out);
	free(s->arena);
	free(s->opbuf);
	free(s->rows);
	free(s->xrows);
	free(s->obs);
	free(s->st);
	free(s);
	*sp = NULL;
}
