/* pdns_sensor_node.c - observation batches to a node, with ACKs and resends. */
#include <errno.h>
#include <inttypes.h>
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

struct batch {
	uint64_t seq, nrows;
	uint8_t *buf;
	size_t len;
};

struct node_sink {
	zsock_t *dealer, *monitor;
	char endpoint[256];
	uint8_t origin[PROTO_PEER_ORIGIN_MAX];
	uint8_t origin_len;
	uint64_t stream, next_seq;
	struct batch q[NODE_SINK_INFLIGHT]; /* ring of unacknowledged batches */
	size_t head, count;
	struct proto_peer_row *rows;        /* the batch being filled */
	uint32_t n;
	size_t bytes;
	uint8_t *enc;
	uint8_t in[PROTO_PEER_HEAD_MAX + PROTO_PEER_TEXT_MAX];
	int timeout;
	time_t last_progress, last_send;
	uint64_t acked_rows;
	int failed;
	char why[512];
};

static int __attribute__((format(printf, 3, 4)))
fail(struct node_sink *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (s->failed == 0) {
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
		s->failed = err;
	}
	return s->failed;
}

int
node_sink_new(struct node_sink **out, const char *endpoint,
              const uint8_t node_pub[PROTO_KEYS_LEN], const uint8_t pub[PROTO_KEYS_LEN],
              const uint8_t sec[PROTO_KEYS_LEN], const char *name, int timeout,
              char *why, size_t whylen)
{
	struct node_sink *s = calloc(1, sizeof(*s));
	char mon[64], server_z85[PROTO_KEYS_Z85_LEN + 1];
	size_t nlen = strlen(name);

	*out = NULL;
	if (s == NULL)
		return PROTO_ENOMEM;
	if (nlen == 0 || nlen > PROTO_PEER_ORIGIN_MAX) {
		snprintf(why, whylen, "the sensor name '%s' must be 1..%u octets", name,
		         PROTO_PEER_ORIGIN_MAX);
		free(s);
		return PROTO_EINVAL;
	}
	memcpy(s->origin, name, nlen);
	s->origin_len = (uint8_t)nlen;
	snprintf(s->endpoint, sizeof(s->endpoint), "%s", endpoint);
	do
		randombytes_buf(&s->stream, sizeof(s->stream));
	while (s->stream == 0);
	s->next_seq = 1;
	s->timeout = timeout;
	s->rows = calloc(PROTO_PEER_ROWS_MAX, sizeof(*s->rows));
	s->enc = malloc(PROTO_PEER_MSG_MAX);
	zsys_handler_set(NULL); /* the program's own signal handling stays */
	s->dealer = zsock_new(ZMQ_DEALER);
	if (s->rows == NULL || s->enc == NULL || s->dealer == NULL) {
		node_sink_destroy(&s);
		return PROTO_ENOMEM;
	}
	proto_keys_z85_encode(node_pub, PROTO_KEYS_LEN, server_z85, sizeof(server_z85));
	zsock_set_curve_serverkey(s->dealer, server_z85);
	zsock_set_curve_publickey_bin(s->dealer, pub);
	zsock_set_curve_secretkey_bin(s->dealer, sec);
	zsock_set_maxmsgsize(s->dealer, (int)PROTO_PEER_MSG_MAX);
	zsock_set_immediate(s->dealer, 1); /* no queueing while not connected */
	zsock_set_linger(s->dealer, 0);
	snprintf(mon, sizeof(mon), "inproc://pdns-sensor-monitor-%p", (void *)s);
	if (zmq_socket_monitor(zsock_resolve(s->dealer), mon,
	                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (s->monitor = zsock_new(ZMQ_PAIR)) == NULL ||
	    zsock_connect(s->monitor, "%s", mon) != 0) {
		snprintf(why, whylen, "cannot monitor the node socket");
		node_sink_destroy(&s);
		return PROTO_EIO;
	}
	if (zsock_connect(s->dealer, "%s", endpoint) != 0) {
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
		free(s->q[(s->head + i) % NODE_SINK_INFLIGHT].buf);
	zsock_destroy(&s->monitor);
	zsock_destroy(&s->dealer);
	free(s->rows);
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
		send_batch(s, &s->q[(s->head + i) % NODE_SINK_INFLIGHT]);
	s->last_send = time(NULL);
}

static void
on_ack(struct node_sink *s, const struct proto_peer_msg *m)
{
	if (m->origin_len != s->origin_len || memcmp(m->origin, s->origin, s->origin_len) != 0 ||
	    m->stream != s->stream)
		return; /* not ours: an old stream's late answer */
	if (s->count > 0 && m->seq + 1 < s->q[s->head].seq) {
		/* The node has lost batches it acknowledged: a new stream would
		 * be the answer (3.1); it is not done yet. */
		fail(s, PROTO_EIO, "node '%s' acknowledged less than before (it lost our "
		     "stream's state)", s->endpoint);
		return;
	}
	bool progress = false;
	while (s->count > 0 && s->q[s->head].seq <= m->seq) {
		struct batch *b = &s->q[s->head];
		s->acked_rows += b->nrows;
		free(b->buf);
		b->buf = NULL;
		s->head = (s->head + 1) % NODE_SINK_INFLIGHT;
		s->count--;
		progress = true;
	}
	if (progress)
		s->last_progress = time(NULL);
	else if (s->count > 0)
		resend_all(s); /* a gap: the node says where to resume */
}

static void
on_message(struct node_sink *s)
{
	struct proto_peer_msg m;
	int n = zmq_recv(zsock_resolve(s->dealer), s->in, sizeof(s->in), ZMQ_DONTWAIT);

	if (n < 0 || (size_t)n > sizeof(s->in))
		return; /* no message, or larger than any ACK or ERROR */
	memset(&m, 0, sizeof(m));
	if (proto_peer_decode(&m, s->in, (size_t)n, NULL, 0) != 0)
		return;
	if (m.type == PROTO_PEER_ACK) {
		on_ack(s, &m);
	} else if (m.type == PROTO_PEER_ERROR) {
		char text[PROTO_PEER_TEXT_MAX + 1];
		snprintf(text, sizeof(text), "%.*s", (int)m.text_len, m.text);
		if (m.code == PROTO_PEER_E_UNAVAILABLE || m.code == PROTO_PEER_E_QUOTA)
			return; /* resent after the timer */
		fail(s, PROTO_EIO, "node '%s' refused a batch: %s", s->endpoint, text);
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
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			resend_all(s); /* (re)connected: what was unacknowledged goes again */
		else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			fail(s, PROTO_EPERM, "node '%s' refused our key (not a [sensor] of its "
			     "config?)", s->endpoint);
		else
			fail(s, PROTO_EIO, "CURVE handshake with node '%s' failed (wrong "
			     "--node-key?)", s->endpoint);
	}
	zmsg_destroy(&ev);
}

/* Wait until at most `target` batches are unacknowledged. */
static int
wait_acks(struct node_sink *s, size_t target)
{
	zpoller_t *p = zpoller_new(s->dealer, s->monitor, NULL);

	if (p == NULL)
		return fail(s, PROTO_ENOMEM, "%s", "out of memory");
	while (s->failed == 0 && s->count > target) {
		void *which = zpoller_wait(p, 200);
		if (which == s->dealer)
			on_message(s);
		else if (which == s->monitor)
			on_monitor(s);
		time_t now = time(NULL);
		if (s->failed == 0 && now - s->last_progress >= s->timeout)
			fail(s, PROTO_EIO, "node '%s' did not acknowledge for %d s "
			     "(unreachable, or not listening there?)", s->endpoint, s->timeout);
		if (s->failed == 0 && now - s->last_send >= NODE_SINK_RESEND)
			resend_all(s);
	}
	zpoller_destroy(&p);
	return s->failed;
}

/* Encode the rows held into a batch, keep it and send it. */
static int
emit(struct node_sink *s)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_OBS_BATCH, .origin = s->origin,
	                            .origin_len = s->origin_len, .stream = s->stream,
	                            .seq = s->next_seq, .rows = s->rows, .nrows = s->n };
	size_t len;
	int err;

	if (s->count == NODE_SINK_INFLIGHT && (err = wait_acks(s, NODE_SINK_INFLIGHT - 1)) != 0)
		return err;
	if ((err = proto_peer_encode(&m, s->enc, PROTO_PEER_MSG_MAX, &len)) != 0)
		return fail(s, err, "cannot encode a batch: %s", proto_strerror(err));
	struct batch *b = &s->q[(s->head + s->count) % NODE_SINK_INFLIGHT];
	if ((b->buf = malloc(len)) == NULL)
		return fail(s, PROTO_ENOMEM, "%s", "out of memory");
	memcpy(b->buf, s->enc, len);
	b->len = len;
	b->seq = s->next_seq++;
	b->nrows = s->n;
	if (s->count++ == 0)
		s->last_progress = time(NULL);
	send_batch(s, b);
	s->last_send = time(NULL);
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
	return wait_acks(s, 0);
}
