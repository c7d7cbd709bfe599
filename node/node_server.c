/*
 * node_server.c - sensors' batches in, queries answered, one loop.
 *
 * The loop polls both ROUTER sockets; each message is handled to the end
 * (store write, state file, ACK; or the whole query) before the next, which
 * keeps the store single-threaded and the exactly-once state simple. A
 * store writer thread fed by inproc sockets comes with peers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>
#include <sodium.h>

#include "node/node_log.h"
#include "node/node_server.h"
#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "proto/proto_query.h"
#include "store/store_db.h"

#define ID_MAX 256          /* bytes of a ROUTER routing id */
#define RATE_LOG_INTERVAL 10 /* seconds between input-error log lines */
#define STATE_MAX 1000000   /* sensor streams remembered */

/* Exactly-once state of one sensor stream. */
struct stream_state {
	uint8_t origin[PROTO_PEER_ORIGIN_MAX];
	uint8_t origin_len;
	uint64_t stream, last;
};

/* Input errors, logged at most once per RATE_LOG_INTERVAL. */
struct rate_log {
	time_t last;
	uint64_t pending;
};

struct node_server {
	const struct node_config *cfg;
	uint8_t sec[PROTO_KEYS_LEN];
	struct store_db *db;
	struct stream_state *st;
	size_t nst, capst;
	zsock_t *sensors, *queries;
	/* The message being handled. */
	uint8_t id[ID_MAX];
	size_t id_len;
	uint8_t *in;                  /* its payload, PROTO_PEER_MSG_MAX */
	uint8_t *out;                 /* encode buffer, PROTO_PEER_MSG_MAX */
	struct proto_peer_row *rows;  /* PROTO_PEER_ROWS_MAX */
	struct proto_obs *obs;        /* PROTO_PEER_ROWS_MAX */
	/* A QUERY_RESULT part being built. */
	uint8_t *arena;               /* PROTO_PEER_MSG_MAX */
	size_t arena_used, part_bytes;
	uint32_t part_n, part_no;
	uint64_t query_id;
	int part_err;
	struct rate_log bad_input;
	uint64_t batches, rows_in;
};

static volatile sig_atomic_t stop_flag;

void
node_server_stop(void)
{
	stop_flag = 1;
}

static void
rate_log(struct rate_log *r, const char *what, const char *a, const char *b)
{
	time_t now = time(NULL);

	r->pending++;
	if (now - r->last < RATE_LOG_INTERVAL)
		return;
	node_log("%s: '%s' refused: %s (%llu refused since the last report)", what, a, b,
	         (unsigned long long)r->pending);
	r->pending = 0;
	r->last = now;
}

/* ---- Sensor stream state ---- */

static struct stream_state *
state_find(struct node_server *s, const uint8_t *origin, uint8_t len, uint64_t stream)
{
	for (size_t i = 0; i < s->nst; i++)
		if (s->st[i].stream == stream && s->st[i].origin_len == len &&
		    memcmp(s->st[i].origin, origin, len) == 0)
			return &s->st[i];
	return NULL;
}

static struct stream_state *
state_add(struct node_server *s, const uint8_t *origin, uint8_t len, uint64_t stream)
{
	if (s->nst == s->capst) {
		size_t cap = s->capst ? s->capst * 2 : 64;
		if (cap > STATE_MAX)
			return NULL;
		struct stream_state *n = realloc(s->st, cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		s->st = n;
		s->capst = cap;
	}
	struct stream_state *e = &s->st[s->nst++];
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

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
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
	struct stream_state *e = state_add(s, k + n + 1, k[n], get_be64(k + n + 1 + k[n]));
	if (e == NULL)
		return PROTO_ENOMEM;
	e->last = get_be64(val);
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

/* ---- Sending ---- */

static void
send_msg(struct node_server *s, zsock_t *sock, const struct proto_peer_msg *m)
{
	size_t len;
	int err = proto_peer_encode(m, s->out, PROTO_PEER_MSG_MAX, &len);

	if (err != 0) {
		node_log("cannot encode %s: %s", proto_peer_type_name(m->type), proto_strerror(err));
		return;
	}
	void *h = zsock_resolve(sock);
	if (zmq_send(h, s->id, s->id_len, ZMQ_SNDMORE) < 0 || zmq_send(h, s->out, len, 0) < 0)
		node_log("cannot send %s: %s", proto_peer_type_name(m->type), zmq_strerror(errno));
}

static void
send_error(struct node_server *s, zsock_t *sock, uint16_t code, uint64_t ref, const char *text)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_ERROR, .code = code, .ref = ref,
	                            .text = text, .text_len = (uint16_t)strlen(text) };
	send_msg(s, sock, &m);
}

static void
send_ack(struct node_server *s, const struct proto_peer_msg *b, uint64_t last)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_ACK, .origin = b->origin,
	                            .origin_len = b->origin_len, .stream = b->stream,
	                            .seq = last };
	send_msg(s, s->sensors, &m);
}

/* ---- Sensors ---- */

static const char *
sensor_name(const struct node_server *s, const char *user_id)
{
	for (size_t i = 0; i < s->cfg->n_sensors; i++)
		if (strcmp(s->cfg->sensors[i].public_key_z85, user_id) == 0)
			return s->cfg->sensors[i].name;
	return NULL;
}

static void
on_batch(struct node_server *s, const char *user_id, size_t len)
{
	struct proto_peer_msg m;
	char why[256] = "";
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
		rate_log(&s->bad_input, "sensors", name, reason);
		send_error(s, s->sensors, PROTO_PEER_E_MALFORMED, 0, reason);
		return;
	}
	if (m.origin_len != strlen(name) || memcmp(m.origin, name, m.origin_len) != 0) {
		rate_log(&s->bad_input, "sensors", name, "the batch's origin is not the sensor's name");
		send_error(s, s->sensors, PROTO_PEER_E_ORIGIN, m.seq,
		           "origin is not this key's sensor name");
		return;
	}
	struct stream_state *st = state_find(s, m.origin, m.origin_len, m.stream);
	uint64_t last = st ? st->last : 0;
	switch (proto_peer_verdict(m.stream, last, m.stream, m.seq)) {
	case PROTO_PEER_APPLY: {
		for (uint32_t i = 0; i < m.nrows; i++)
			s->obs[i] = s->rows[i].obs;
		uint8_t key[sizeof(STATE_PREFIX) + PROTO_PEER_ORIGIN_MAX + 9], val[8];
		size_t klen = state_key(key, m.origin, (uint8_t)m.origin_len, m.stream);
		for (int i = 0; i < 8; i++)
			val[i] = (uint8_t)(m.seq >> (8 * (7 - i)));
		/* The rows and the stream's new state land in one atomic batch. */
		if ((err = store_db_put_meta(s->db, s->obs, m.nrows, STORE_ORIGIN_LOCAL, key,
		                             klen, val, sizeof(val), why, sizeof(why))) != 0) {
			node_log("store: write failed for '%s': %s", s->cfg->store,
			         why[0] ? why : proto_strerror(err));
			send_error(s, s->sensors, PROTO_PEER_E_UNAVAILABLE, m.seq,
			           "store write failed");
			return;
		}
		if (st == NULL) {
			if ((st = state_add(s, m.origin, m.origin_len, m.stream)) == NULL) {
				node_log("sensors: out of memory for stream state");
				send_error(s, s->sensors, PROTO_PEER_E_INTERNAL, m.seq, "out of memory");
				return;
			}
			node_log("sensors: sensor '%s' started stream %" PRIu64, name, m.stream);
		}
		st->last = m.seq;
		s->batches++;
		s->rows_in += m.nrows;
		send_ack(s, &m, st->last);
		break;
	}
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
	                            .limited = final && limited, .rows = s->rows,
	                            .nrows = s->part_n };
	send_msg(s, s->queries, &m);
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

static int
on_row(void *arg, const struct store_result *r)
{
	struct node_server *s = arg;
	char other[32];
	const char *origin = s->cfg->name;
	struct proto_peer_row row = { .obs = r->obs };

	if (r->origin != STORE_ORIGIN_LOCAL) {
		snprintf(other, sizeof(other), "origin-%u", (unsigned)r->origin);
		origin = other;
	}
	row.origin = (const uint8_t *)origin;
	row.origin_len = (uint8_t)strlen(origin);
	if (proto_peer_row_check(&row, true) != 0)
		return 0; /* a row the protocol cannot carry; the store checked it */
	size_t size = proto_peer_row_size(&row, true);
	if (s->part_n == PROTO_PEER_ROWS_MAX ||
	    PROTO_PEER_HEAD_MAX + s->part_bytes + size > PROTO_PEER_MSG_MAX)
		part_send(s, false, 0, false);
	struct proto_peer_row *d = &s->rows[s->part_n++];
	d->obs = r->obs;
	d->obs.name = arena_copy(s, r->obs.name, r->obs.name_len);
	d->obs.rdata = (const char *)arena_copy(s, r->obs.rdata, r->obs.rdata_len);
	d->obs.bailiwick = arena_copy(s, r->obs.bailiwick, r->obs.bailiwick_len);
	d->origin = arena_copy(s, row.origin, row.origin_len);
	d->origin_len = row.origin_len;
	s->part_bytes += size;
	return 0;
}

static void
on_query(struct node_server *s, const char *user_id, size_t len)
{
	struct proto_peer_msg m;
	static struct proto_query q;
	struct store_query_info info;
	char why[256] = "";
	int err;

	memset(&m, 0, sizeof(m));
	err = proto_peer_decode(&m, s->in, len, NULL, 0);
	if (err != 0 || m.type != PROTO_PEER_QUERY) {
		const char *reason = err != 0 ? (m.why ? m.why : proto_strerror(err))
		                              : "only QUERY is accepted here";
		rate_log(&s->bad_input, "queries", user_id, reason);
		send_error(s, s->queries, PROTO_PEER_E_MALFORMED, 0, reason);
		return;
	}
	s->query_id = m.query_id;
	s->part_no = 0;
	s->part_n = 0;
	s->part_bytes = 0;
	s->arena_used = 0;
	if (proto_query_decode(&q, m.query, m.query_len) != 0) {
		part_send(s, true, PROTO_PEER_ST_BAD_QUERY, false);
		return;
	}
	memset(&info, 0, sizeof(info));
	err = store_db_query(s->db, &q, NODE_SERVER_MAX_SCAN, on_row, s, &info, why,
	                     sizeof(why));
	uint8_t status = PROTO_PEER_ST_OK;
	if (err == PROTO_EINVAL)
		status = PROTO_PEER_ST_BAD_QUERY;
	else if (err != 0)
		status = PROTO_PEER_ST_INTERNAL;
	if (err != 0) {
		s->part_n = 0; /* a failed query sends no partial rows */
		node_log("queries: query %" PRIu64 " failed: %s", m.query_id,
		         why[0] ? why : proto_strerror(err));
	}
	part_send(s, true, status, info.limited);
}

/* ---- The loop ---- */

/* Receive one message from sock: routing id, then exactly one payload frame. */
static void
on_readable(struct node_server *s, zsock_t *sock)
{
	void *h = zsock_resolve(sock);
	zmq_msg_t f;
	int n;
	bool more;

	zmq_msg_init(&f);
	if ((n = zmq_msg_recv(&f, h, ZMQ_DONTWAIT)) < 0) {
		zmq_msg_close(&f);
		return;
	}
	s->id_len = (size_t)n <= ID_MAX ? (size_t)n : 0;
	memcpy(s->id, zmq_msg_data(&f), s->id_len);
	more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	if (!more)
		return;
	zmq_msg_init(&f);
	n = zmq_msg_recv(&f, h, 0);
	if (n < 0) {
		zmq_msg_close(&f);
		return;
	}
	char user_id[PROTO_KEYS_Z85_LEN + 1] = "";
	const char *uid = zmq_msg_gets(&f, "User-Id");
	if (uid != NULL)
		snprintf(user_id, sizeof(user_id), "%s", uid);
	size_t len = (size_t)n <= PROTO_PEER_MSG_MAX ? (size_t)n : 0;
	memcpy(s->in, zmq_msg_data(&f), len);
	more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	if (more) { /* one payload frame per message: drop the rest */
		do {
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, h, 0) < 0)
				more = false;
			else
				more = zmq_msg_more(&f);
			zmq_msg_close(&f);
		} while (more);
		send_error(s, sock, PROTO_PEER_E_MALFORMED, 0, "more than one frame");
		return;
	}
	if (!proto_keys_is_z85_key(user_id)) {
		node_log("zap: a message arrived without a ZAP User-Id; dropped");
		return;
	}
	if (sock == s->sensors)
		on_batch(s, user_id, len);
	else
		on_query(s, user_id, len);
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
	zsock_set_maxmsgsize(sock, (int)PROTO_PEER_MSG_MAX);
	zsock_set_zap_domain(sock, domain);
	zsock_set_curve_server(sock, 1);
	zsock_set_curve_secretkey_bin(sock, s->sec);
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
                const uint8_t sec[PROTO_KEYS_LEN], char *why, size_t whylen)
{
	struct node_server *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	why[0] = '\0';
	if (s == NULL)
		return PROTO_ENOMEM;
	s->cfg = cfg;
	memcpy(s->sec, sec, PROTO_KEYS_LEN);
	s->in = malloc(PROTO_PEER_MSG_MAX);
	s->out = malloc(PROTO_PEER_MSG_MAX);
	s->arena = malloc(PROTO_PEER_MSG_MAX);
	s->rows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->rows));
	s->obs = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->obs));
	if (!s->in || !s->out || !s->arena || !s->rows || !s->obs) {
		node_server_destroy(&s);
		return PROTO_ENOMEM;
	}
	if ((err = store_db_open(&s->db, cfg->store, STORE_WRITE, why, whylen)) != 0 ||
	    (err = state_load(s, why, whylen)) != 0) {
		node_server_destroy(&s);
		return err;
	}
	*out = s;
	return 0;
}

int
node_server_run(struct node_server *s, char *why, size_t whylen)
{
	zpoller_t *poller = NULL;
	int err = PROTO_EIO;

	why[0] = '\0';
	if (s->cfg->sensor_listen.n > 0 &&
	    (s->sensors = bind_router(s, "sensors", &s->cfg->sensor_listen, "sensors", why,
	                              whylen)) == NULL)
		return PROTO_EIO;
	if (s->cfg->query_listen.n > 0 &&
	    (s->queries = bind_router(s, "queries", &s->cfg->query_listen, "queries", why,
	                              whylen)) == NULL)
		return PROTO_EIO;
	if ((poller = zpoller_new(NULL)) == NULL)
		return PROTO_ENOMEM;
	if (s->sensors)
		zpoller_add(poller, s->sensors);
	if (s->queries)
		zpoller_add(poller, s->queries);
	zpoller_set_nonstop(poller, true);
	node_log("ready");
	while (!stop_flag) {
		void *which = zpoller_wait(poller, 500);
		if (which != NULL)
			on_readable(s, which);
	}
	node_log("stopping: %" PRIu64 " batches, %" PRIu64 " rows applied", s->batches,
	         s->rows_in);
	err = 0;
	zpoller_destroy(&poller);
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
	store_db_close(&s->db);
	sodium_memzero(s->sec, sizeof(s->sec));
	free(s->in);
	free(s->out);
	free(s->arena);
	free(s->rows);
	free(s->obs);
	free(s->st);
	free(s);
	*sp = NULL;
}
