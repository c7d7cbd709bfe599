/* pdns_sensor_node.c - observation batches to a node, with ACKs, resends and a spool. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>
#include <sodium.h>

#include "proto/proto_err.h"
#include "proto/proto_peer.h"
#include "sensor/pdns_sensor_node.h"
#include "sensor/sensor_spool.h"

#define POLL_MS 200 /* longest wait for one socket event */

_Static_assert(SENSOR_SPOOL_ORIGIN_MAX == PROTO_PEER_ORIGIN_MAX,
               "a spool's state holds any origin");

struct batch {
	uint64_t seq, nrows;
	uint8_t *buf;
	size_t len;
};

struct node_sink {
	zsock_t *dealer, *monitor;
	zpoller_t *poller;
	char endpoint[256];
	uint8_t origin[PROTO_PEER_ORIGIN_MAX];
	uint8_t origin_len;
	uint64_t stream, next_seq;
	/* The held (unacknowledged) batches are lo .. next_seq - 1; the first
	 * `count` of them are in the ring, the rest only in the spool. */
	uint64_t lo;
	struct batch q[NODE_SINK_INFLIGHT];
	size_t head, count, window;
	struct sensor_spool *spool;         /* NULL: memory only */
	uint64_t spool_max;
	uint64_t state_next;                /* `next` in the spool's state file */
	struct proto_peer_row *rows;        /* the batch being filled */
	uint32_t n;
	size_t bytes;
	struct proto_peer_row *drows;       /* a held batch decoded for renumbering */
	uint8_t *enc;
	uint8_t in[PROTO_PEER_HEAD_MAX + PROTO_PEER_TEXT_MAX];
	bool connected;
	int timeout;
	time_t last_progress, last_send, last_warn;
	uint64_t acked_rows;
	int failed;
	char why[768];
};

static volatile sig_atomic_t stop_requested;

static uint64_t
held(const struct node_sink *s)
{
	return s->next_seq - s->lo;
}

/* The i-th held batch in memory. */
static struct batch *
at(struct node_sink *s, size_t i)
{
	return &s->q[(s->head + i) % NODE_SINK_INFLIGHT];
}

static int __attribute__((format(printf, 3, 4)))
fail(struct node_sink *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (s->failed == 0) {
		va_start(ap, fmt);
		int n = vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
		/* What the failure leaves behind belongs in the same line. */
		if (s->spool != NULL && held(s) > 0 && n >= 0 && (size_t)n < sizeof(s->why))
			snprintf(s->why + n, sizeof(s->why) - (size_t)n, " (%" PRIu64 " batches stay "
			         "in the spool '%s' for the next start)", held(s),
			         sensor_spool_dir(s->spool));
		s->failed = err;
	}
	return s->failed;
}

/* A line on stderr that does not end the run. */
static void __attribute__((format(printf, 1, 2)))
note(const char *fmt, ...)
{
	va_list ap;

	fputs("pdns-sensor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
node_sink_stop(void)
{
	stop_requested = 1;
}

/* Record `stream` and `next` in the spool's state file. */
static int
state_save(struct node_sink *s, uint64_t stream, uint64_t next)
{
	struct sensor_spool_state st = { .origin_len = s->origin_len, .stream = stream,
	                                 .next = next };
	char why[512] = "";
	int err;

	memcpy(st.origin, s->origin, s->origin_len);
	if ((err = sensor_spool_state_write(s->spool, &st, why, sizeof(why))) != 0)
		return fail(s, err, "%s", why);
	s->state_next = next;
	return 0;
}

/* Read held batch `seq` of the current stream from the spool into b. */
static int
load(struct node_sink *s, uint64_t seq, struct batch *b)
{
	struct proto_peer_msg m;
	char why[512] = "";
	int err = sensor_spool_get(s->spool, s->stream, seq, PROTO_PEER_MSG_MAX, &b->buf,
	                           &b->len, why, sizeof(why));

	if (err != 0)
		return fail(s, err, "%s", why);
	memset(&m, 0, sizeof(m));
	err = proto_peer_decode(&m, b->buf, b->len, NULL, 0);
	const char *bad = err != 0 ? (m.why ? m.why : proto_strerror(err))
	                  : m.type != PROTO_PEER_OBS_BATCH ? "not an OBS_BATCH"
	                  : m.origin_len != s->origin_len ||
	                    memcmp(m.origin, s->origin, s->origin_len) != 0 ? "another origin"
	                  : m.stream != s->stream || m.seq != seq ? "another stream or seq"
	                  : NULL;
	if (bad != NULL) {
		free(b->buf);
		b->buf = NULL;
		return fail(s, PROTO_EFORMAT, "spool '%s': the file of batch %" PRIu64 " of stream "
		            "%016" PRIx64 " is damaged: %s", sensor_spool_dir(s->spool), seq,
		            s->stream, bad);
	}
	b->seq = seq;
	b->nrows = m.nrows;
	return 0;
}

static void
send_batch(struct node_sink *s, const struct batch *b)
{
	/* EAGAIN while not connected: the resend timer tries again. */
	(void)zmq_send(zsock_resolve(s->dealer), b->buf, b->len, ZMQ_DONTWAIT);
}

static void
resend_all(struct node_sink *s)
{
	for (size_t i = 0; i < s->count; i++)
		send_batch(s, at(s, i));
	s->last_send = time(NULL);
}

/* Bring held batches from the spool into the window, in order, and send them. */
static void
refill(struct node_sink *s)
{
	while (s->failed == 0 && s->count < s->window && s->lo + s->count < s->next_seq) {
		struct batch *b = at(s, s->count);
		if (load(s, s->lo + s->count, b) != 0)
			return;
		s->count++;
		send_batch(s, b);
	}
}

/* Open the spool: resume the stream it keeps, or record ours in a new one. */
static void
spool_start(struct node_sink *s, const struct node_sink_cfg *cfg)
{
	struct sensor_spool_state st;
	uint64_t lo, n, removed;
	char why[512] = "";
	bool found;
	int err;

	if ((err = sensor_spool_open(&s->spool, cfg->spool, why, sizeof(why))) != 0 ||
	    (err = sensor_spool_state_read(s->spool, &st, &found, why, sizeof(why))) != 0) {
		fail(s, err, "%s", why);
		return;
	}
	s->spool_max = cfg->spool_max;
	if (!found) {
		(void)state_save(s, s->stream, s->next_seq);
		return;
	}
	if (st.origin_len != s->origin_len || memcmp(st.origin, s->origin, s->origin_len) != 0) {
		fail(s, PROTO_EINVAL, "the spool '%s' holds the batches of sensor '%.*s', not of "
		     "'%.*s' (another --sensor-name?)", cfg->spool, (int)st.origin_len, st.origin,
		     (int)s->origin_len, s->origin);
		return;
	}
	if ((err = sensor_spool_scan(s->spool, st.stream, st.next, &lo, &n, &removed, why,
	                             sizeof(why))) != 0) {
		fail(s, err, "%s", why);
		return;
	}
	s->stream = st.stream;
	s->state_next = st.next;
	s->next_seq = n > 0 ? lo + n : st.next;
	s->lo = n > 0 ? lo : s->next_seq;
	if (removed > 0)
		note("spool '%s': removed %" PRIu64 " leftover files (acknowledged batches, or "
		     "writes a stop interrupted)", cfg->spool, removed);
	if (n > 0)
		note("spool '%s': resuming stream %" PRIu64 " with %" PRIu64 " unacknowledged "
		     "batches (seq %" PRIu64 "..%" PRIu64 "), sent before new ones", cfg->spool,
		     s->stream, n, lo, lo + n - 1);
	refill(s);
}

int
node_sink_new(struct node_sink **out, const struct node_sink_cfg *cfg, char *why,
              size_t whylen)
{
	struct node_sink *s = calloc(1, sizeof(*s));
	char mon[64], server_z85[PROTO_KEYS_Z85_LEN + 1];
	size_t nlen = strlen(cfg->name);
	int err;

	*out = NULL;
	if (s == NULL)
		return PROTO_ENOMEM;
	if (nlen == 0 || nlen > PROTO_PEER_ORIGIN_MAX) {
		snprintf(why, whylen, "the sensor name '%s' must be 1..%u octets", cfg->name,
		         PROTO_PEER_ORIGIN_MAX);
		free(s);
		return PROTO_EINVAL;
	}
	memcpy(s->origin, cfg->name, nlen);
	s->origin_len = (uint8_t)nlen;
	snprintf(s->endpoint, sizeof(s->endpoint), "%s", cfg->endpoint);
	do
		randombytes_buf(&s->stream, sizeof(s->stream));
	while (s->stream == 0);
	s->next_seq = 1;
	s->lo = 1;
	s->timeout = cfg->timeout;
	s->window = cfg->window >= 1 && cfg->window <= NODE_SINK_INFLIGHT ? cfg->window
	            : NODE_SINK_INFLIGHT;
	s->rows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->rows));
	s->enc = malloc(PROTO_PEER_MSG_MAX);
	zsys_handler_set(NULL); /* the program's own signal handling stays */
	s->dealer = zsock_new(ZMQ_DEALER);
	if (s->rows == NULL || s->enc == NULL || s->dealer == NULL) {
		node_sink_destroy(&s);
		return PROTO_ENOMEM;
	}
	proto_keys_z85_encode(cfg->node_pub, PROTO_KEYS_LEN, server_z85, sizeof(server_z85));
	zsock_set_curve_serverkey(s->dealer, server_z85);
	zsock_set_curve_publickey_bin(s->dealer, cfg->pub);
	zsock_set_curve_secretkey_bin(s->dealer, cfg->sec);
	zsock_set_maxmsgsize(s->dealer, (int)PROTO_PEER_MSG_MAX);
	zsock_set_immediate(s->dealer, 1); /* no queueing while not connected */
	zsock_set_linger(s->dealer, 0);
	snprintf(mon, sizeof(mon), "inproc://pdns-sensor-monitor-%p", (void *)s);
	if (zmq_socket_monitor(zsock_resolve(s->dealer), mon,
	                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (s->monitor = zsock_new(ZMQ_PAIR)) == NULL ||
	    zsock_connect(s->monitor, "%s", mon) != 0 ||
	    (s->poller = zpoller_new(s->dealer, s->monitor, NULL)) == NULL) {
		snprintf(why, whylen, "cannot monitor the node socket");
		node_sink_destroy(&s);
		return PROTO_EIO;
	}
	/* Before connecting: batches the spool holds go first once connected. */
	if (cfg->spool != NULL)
		spool_start(s, cfg);
	if (s->failed != 0) {
		snprintf(why, whylen, "%s", s->why);
		err = s->failed;
		node_sink_destroy(&s);
		return err;
	}
	if (zsock_connect(s->dealer, "%s", cfg->endpoint) != 0) {
		snprintf(why, whylen, "not a ZeroMQ endpoint (tcp://HOST:PORT, ipc://PATH)");
		node_sink_destroy(&s);
		return PROTO_EINVAL;
	}
	s->last_progress = time(NULL);
	*out = s;
	return 0;
}

void
node_sink_destroy(struct node_sink **sp)
{
	struct node_sink *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->count; i++)
		free(at(s, i)->buf);
	zpoller_destroy(&s->poller);
	zsock_destroy(&s->monitor);
	zsock_destroy(&s->dealer);
	sensor_spool_close(&s->spool);
	free(s->rows);
	free(s->drows);
	free(s->enc);
	free(s);
	*sp = NULL;
}

const char *
node_sink_why(const struct node_sink *s)
{
	return s->why;
}

uint64_t
node_sink_acked_rows(const struct node_sink *s)
{
	return s->acked_rows;
}

/* Batches lo..upto are acknowledged: forget them, and remove their files. */
static void
release(struct node_sink *s, uint64_t upto)
{
	uint64_t from = s->lo;
	char why[512] = "";
	int err;

	while (s->count > 0 && at(s, 0)->seq <= upto) {
		struct batch *b = at(s, 0);
		s->acked_rows += b->nrows;
		free(b->buf);
		b->buf = NULL;
		s->head = (s->head + 1) % NODE_SINK_INFLIGHT;
		s->count--;
	}
	s->lo = upto + 1;
	if (s->spool == NULL)
		return;
	/* Once no batch file is left, only the state file says which seqs
	 * this stream has used: it must say so before the last files go. */
	if (held(s) == 0 && s->state_next < s->next_seq &&
	    state_save(s, s->stream, s->next_seq) != 0)
		return;
	for (uint64_t q = from; q <= upto && s->failed == 0; q++)
		if ((err = sensor_spool_drop(s->spool, s->stream, q, why, sizeof(why))) != 0)
			fail(s, err, "%s", why);
}

/*
 * The node acknowledges `acked`, below the lo - 1 it acknowledged before:
 * it lost our stream's state, and would take batch lo for a gap forever.
 * The held batches go again as 1, 2, ... of a new stream (3.1).
 */
static void
renumber(struct node_sink *s, uint64_t acked)
{
	uint64_t old = s->stream, n = held(s), stream;
	char why[512] = "";
	size_t len;
	int err;

	if (s->drows == NULL)
		s->drows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->drows));
	if (s->drows == NULL) {
		fail(s, PROTO_ENOMEM, "%s", "out of memory");
		return;
	}
	do
		randombytes_buf(&stream, sizeof(stream));
	while (stream == 0 || stream == old);
	/* New files first, then the state naming the new stream, then the old
	 * files go: a crash in between leaves one complete stream (the state's). */
	for (uint64_t i = 0; i < n; i++) {
		struct batch tmp = { 0 }, *b = i < s->count ? at(s, (size_t)i) : &tmp;
		struct proto_peer_msg m;
		if (b == &tmp && load(s, s->lo + i, &tmp) != 0)
			return;
		memset(&m, 0, sizeof(m));
		err = proto_peer_decode(&m, b->buf, b->len, s->drows, PROTO_PEER_ROWS_MAX);
		if (err == 0) {
			m.stream = stream;
			m.seq = i + 1;
			err = proto_peer_encode(&m, s->enc, PROTO_PEER_MSG_MAX, &len);
		}
		if (err == 0 && s->spool != NULL &&
		    (err = sensor_spool_put(s->spool, stream, i + 1, s->enc, len, why,
		                            sizeof(why))) != 0) {
			free(tmp.buf);
			fail(s, err, "%s", why);
			return;
		}
		free(tmp.buf);
		if (err != 0) {
			fail(s, err, "cannot renumber batch %" PRIu64 ": %s", s->lo + i,
			     proto_strerror(err));
			return;
		}
		if (b != &tmp) {
			uint8_t *buf = malloc(len);
			if (buf == NULL) {
				fail(s, PROTO_ENOMEM, "%s", "out of memory");
				return;
			}
			memcpy(buf, s->enc, len);
			free(b->buf);
			b->buf = buf;
			b->len = len;
			b->seq = i + 1;
		}
	}
	uint64_t old_lo = s->lo, old_next = s->next_seq;
	if (s->spool != NULL && state_save(s, stream, 1) != 0)
		return;
	s->stream = stream;
	s->lo = 1;
	s->next_seq = n + 1;
	for (uint64_t q = old_lo; s->spool != NULL && q < old_next && s->failed == 0; q++)
		if ((err = sensor_spool_drop(s->spool, old, q, why, sizeof(why))) != 0)
			fail(s, err, "%s", why);
	if (s->failed != 0)
		return;
	note("node '%s' has lost the state of stream %" PRIu64 " (a new store?): it "
	     "acknowledges seq %" PRIu64 " after %" PRIu64 ", so %" PRIu64 " batches it had "
	     "acknowledged are lost with it; the %" PRIu64 " held go again as batches 1..%" PRIu64
	     " of new stream %" PRIu64, s->endpoint, old, acked, old_lo - 1, old_lo - 1 - acked,
	     n, n, stream);
	s->last_progress = time(NULL);
	resend_all(s);
}

static void
on_ack(struct node_sink *s, const struct proto_peer_msg *m)
{
	if (m->origin_len != s->origin_len || memcmp(m->origin, s->origin, s->origin_len) != 0 ||
	    m->stream != s->stream)
		return; /* not ours: an old stream's late answer */
	if (held(s) == 0)
		return;
	if (m->seq + 1 < s->lo) {
		renumber(s, m->seq);
		return;
	}
	if (m->seq < s->lo) {
		resend_all(s); /* a gap: the node says where to resume */
		return;
	}
	release(s, m->seq < s->next_seq ? m->seq : s->next_seq - 1);
	s->last_progress = time(NULL);
	refill(s);
}

static void
on_message(struct node_sink *s)
{
	struct proto_peer_msg m;
	int n;

	/* Everything that is there: ACKs come in bursts after a resend. */
	while (s->failed == 0 &&
	       (n = zmq_recv(zsock_resolve(s->dealer), s->in, sizeof(s->in), ZMQ_DONTWAIT)) >= 0) {
		if ((size_t)n > sizeof(s->in))
			continue; /* larger than any ACK or ERROR */
		memset(&m, 0, sizeof(m));
		if (proto_peer_decode(&m, s->in, (size_t)n, NULL, 0) != 0)
			continue;
		if (m.type == PROTO_PEER_ACK) {
			on_ack(s, &m);
		} else if (m.type == PROTO_PEER_ERROR) {
			char text[PROTO_PEER_TEXT_MAX + 1];
			snprintf(text, sizeof(text), "%.*s", (int)m.text_len, m.text);
			if (m.code == PROTO_PEER_E_UNAVAILABLE || m.code == PROTO_PEER_E_QUOTA)
				continue; /* resent after the timer */
			fail(s, PROTO_EIO, "node '%s' refused a batch: %s", s->endpoint, text);
		}
	}
}

static void
on_monitor(struct node_sink *s)
{
	zmsg_t *ev = zmsg_recv(s->monitor);
	zframe_t *f = ev ? zmsg_first(ev) : NULL;

	if (f != NULL && zframe_size(f) >= 2) {
		uint16_t event;
		memcpy(&event, zframe_data(f), sizeof(event));
		switch (event) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			s->connected = true;
			resend_all(s); /* (re)connected: what was unacknowledged goes again */
			break;
		case ZMQ_EVENT_DISCONNECTED:
			s->connected = false;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			fail(s, PROTO_EPERM, "node '%s' refused our key (not a [sensor] of its "
			     "config?)", s->endpoint);
			break;
		default:
			fail(s, PROTO_EIO, "CURVE handshake with node '%s' failed (wrong "
			     "--node-key?)", s->endpoint);
		}
	}
	zmsg_destroy(&ev);
}

/* Handle what arrives within ms, and resend when it is time. */
static void
pump(struct node_sink *s, int ms)
{
	void *which = zpoller_wait(s->poller, ms);

	if (which == s->dealer)
		on_message(s);
	else if (which == s->monitor)
		on_monitor(s);
	if (s->failed == 0 && time(NULL) - s->last_send >= NODE_SINK_RESEND)
		resend_all(s);
}

/* Wait until at most `target` batches are held; fail after `timeout` s without progress. */
static int
wait_acks(struct node_sink *s, uint64_t target)
{
	time_t start = time(NULL);

	while (s->failed == 0 && held(s) > target) {
		pump(s, POLL_MS);
		time_t now = time(NULL);
		if (s->failed != 0 || held(s) <= target)
			break;
		if (now - s->last_progress >= s->timeout)
			fail(s, PROTO_EIO, "node '%s' did not acknowledge for %d s "
			     "(unreachable, or not listening there?)", s->endpoint, s->timeout);
		else if (s->spool != NULL && now > start && now - s->last_warn >= NODE_SINK_WARN) {
			s->last_warn = now;
			note("waiting for node '%s' to acknowledge %" PRIu64 " batches (in the "
			     "spool '%s'; --node-timeout %d s)", s->endpoint, held(s),
			     sensor_spool_dir(s->spool), s->timeout);
		}
	}
	return s->failed;
}

/*
 * --spool: wait until `need` more bytes of batch files fit in spool_max
 * (the first held batch always fits). No timeout: input waits for the
 * node rather than being dropped, unless a stop was asked for.
 */
static int
wait_room(struct node_sink *s, uint64_t need)
{
	while (s->failed == 0 && held(s) > 0 && !stop_requested &&
	       sensor_spool_bytes(s->spool) + need > s->spool_max) {
		time_t now = time(NULL);
		if (now - s->last_warn >= NODE_SINK_WARN) {
			s->last_warn = now;
			note("spool '%s' is full (%" PRIu64 " batches, %" PRIu64 " bytes, --spool-max "
			     "%" PRIu64 "): input waits for node '%s' to acknowledge",
			     sensor_spool_dir(s->spool), held(s), sensor_spool_bytes(s->spool),
			     s->spool_max, s->endpoint);
		}
		pump(s, POLL_MS);
	}
	return s->failed;
}

/* Encode the rows held into a batch, keep it (on disk too with a spool) and send it. */
static int
emit(struct node_sink *s)
{
	struct proto_peer_msg m;
	char why[512] = "";
	size_t len;
	int err;

	/* Wait before encoding: a renumbering meanwhile changes stream and seq. */
	if (s->spool != NULL)
		err = wait_room(s, PROTO_PEER_HEAD_MAX + s->bytes);
	else
		err = s->count < s->window ? 0 : wait_acks(s, s->window - 1);
	if (err != 0)
		return err;
	memset(&m, 0, sizeof(m));
	m.type = PROTO_PEER_OBS_BATCH;
	m.origin = s->origin;
	m.origin_len = s->origin_len;
	m.stream = s->stream;
	m.seq = s->next_seq;
	m.rows = s->rows;
	m.nrows = s->n;
	if ((err = proto_peer_encode(&m, s->enc, PROTO_PEER_MSG_MAX, &len)) != 0)
		return fail(s, err, "cannot encode a batch: %s", proto_strerror(err));
	if (s->spool != NULL && (err = sensor_spool_put(s->spool, s->stream, m.seq, s->enc, len,
	                                                why, sizeof(why))) != 0)
		return fail(s, err, "%s", why);
	if (held(s) == 0)
		s->last_progress = time(NULL);
	/* In the window only when every earlier held batch is: order is kept. */
	if (s->count < s->window && s->lo + s->count == m.seq) {
		struct batch *b = at(s, s->count);
		if ((b->buf = malloc(len)) == NULL)
			return fail(s, PROTO_ENOMEM, "%s", "out of memory");
		memcpy(b->buf, s->enc, len);
		b->len = len;
		b->seq = m.seq;
		b->nrows = s->n;
		s->count++;
		send_batch(s, b);
		s->last_send = time(NULL);
	}
	s->next_seq++;
	s->n = 0;
	s->bytes = 0;
	return 0;
}

int
node_sink_row(void *arg, const struct proto_obs *row)
{
	struct node_sink *s = arg;
	struct proto_peer_row r = { .obs = *row };
	int err;

	if (s->failed != 0)
		return s->failed;
	if ((err = proto_peer_row_check(&r, false)) != 0)
		return fail(s, err, "a row breaks the peer protocol: %s", proto_strerror(err));
	size_t size = proto_peer_row_size(&r, false);
	if ((s->n == PROTO_PEER_ROWS_MAX ||
	     PROTO_PEER_HEAD_MAX + s->bytes + size > PROTO_PEER_MSG_MAX) &&
	    (err = emit(s)) != 0)
		return err;
	s->rows[s->n++] = r;
	s->bytes += size;
	return 0;
}

/* Rows point into the flushing table until this returns: emit, then wait. */
int
node_sink_done(void *arg)
{
	struct node_sink *s = arg;
	int err;

	if (s->failed != 0)
		return s->failed;
	if (s->n > 0 && (err = emit(s)) != 0)
		return err;
	if (s->spool == NULL)
		return wait_acks(s, 0);
	/* The batches are on disk: a connected node gets a moment to take them
	 * (and more from the spool); otherwise back to the input at once. */
	int64_t end = zclock_mono() + NODE_SINK_DRAIN * 1000;
	pump(s, 0);
	while (s->failed == 0 && s->connected && held(s) > 0 && zclock_mono() < end)
		pump(s, POLL_MS);
	return s->failed;
}

int
node_sink_finish(struct node_sink *s)
{
	int err;

	if (s->failed != 0)
		return s->failed;
	if (s->n > 0 && (err = emit(s)) != 0)
		return err;
	/* The timeout counts from here: with a spool, the node may have been
	 * away for long already without that being an error. */
	if (s->spool != NULL)
		s->last_progress = time(NULL);
	return wait_acks(s, 0);
}
