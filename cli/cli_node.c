/*
 * cli_node.c - a QUERY to a node and its QUERY_RESULT parts (the node's
 * own lookup, or a federated one with each source's status), and CONTROL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>
#include <sodium.h>

#include "cli/cli_node.h"
#include "proto/proto_err.h"
#include "proto/proto_peer.h"

/* Where the parts of one answer go. */
struct sink {
	uint64_t qid;
	uint32_t next_part;
	cli_node_row_fn fn;
	void *arg;
	struct cli_rows *rows;         /* cli_node_query's, for its messages */
	struct cli_node_fed *fed;      /* cli_node_query_fed's, for the sources */
	uint64_t returned;
	bool limited;
};

/* The final part's sources into fed (each string NUL-ended). */
static void
take_sources(const struct proto_peer_msg *m, struct cli_node_fed *fed)
{
	struct proto_peer_sources it;
	struct proto_peer_source src;

	fed->nsources = 0;
	proto_peer_sources_init(&it, m);
	while (fed->nsources < PROTO_PEER_SOURCES_MAX && proto_peer_sources_next(&it, &src) == 1) {
		struct cli_node_source *d = &fed->sources[fed->nsources++];
		snprintf(d->name, sizeof(d->name), "%.*s", (int)src.name_len, src.name);
		d->status = src.status;
		d->rows = src.rows;
		snprintf(d->why, sizeof(d->why), "%.*s", (int)src.why_len, src.why);
	}
}

/* One part: its rows to the sink; 1 when it was the final part. */
static int
take_part(const uint8_t *buf, size_t len, struct sink *k, char *why, size_t whylen)
{
	struct proto_peer_msg m;
	struct proto_peer_rows it;
	struct proto_peer_row row;
	char origin[PROTO_PEER_ORIGIN_MAX + 1];
	int err;

	memset(&m, 0, sizeof(m));
	if ((err = proto_peer_decode(&m, buf, len, NULL, 0)) != 0) {
		snprintf(why, whylen, "the node sent a broken message: %s (%s)",
		         m.why ? m.why : proto_strerror(err), m.field ? m.field : "?");
		return PROTO_EIO;
	}
	if (m.type == PROTO_PEER_ERROR) {
		snprintf(why, whylen, "the node refused the query: %.*s", (int)m.text_len, m.text);
		return PROTO_EIO;
	}
	if (m.type != PROTO_PEER_QUERY_RESULT || m.query_id != k->qid)
		return 0; /* not an answer to this query */
	if (m.part != k->next_part) {
		snprintf(why, whylen, "the node's answer lost part %u", k->next_part);
		return PROTO_EIO;
	}
	k->next_part++;
	proto_peer_rows_init(&it, &m);
	while ((err = proto_peer_rows_next(&it, &row)) == 1) {
		snprintf(origin, sizeof(origin), "%.*s", (int)row.origin_len,
		         (const char *)row.origin);
		if ((err = k->fn(k->arg, &row.obs, origin)) != 0) {
			snprintf(why, whylen, "%s after %zu rows", proto_strerror(err),
			         k->rows != NULL ? cli_rows_count(k->rows) : (size_t)k->returned);
			return err;
		}
		k->returned++;
	}
	if (err < 0) {
		snprintf(why, whylen, "the node sent broken rows");
		return PROTO_EIO;
	}
	if (!m.final)
		return 0;
	k->limited = m.limited;
	if (k->fed != NULL) {
		take_sources(&m, k->fed);
		k->fed->partial = m.status == PROTO_PEER_ST_PARTIAL;
	}
	switch (m.status) {
	case PROTO_PEER_ST_OK:
	case PROTO_PEER_ST_PARTIAL:
		return 1;
	case PROTO_PEER_ST_REFUSED:
		if (k->fed == NULL)
			break;
		snprintf(why, whylen, "the node refused the query%s%s",
		         k->fed->nsources > 0 && k->fed->sources[0].why[0] ? ": " : "",
		         k->fed->nsources > 0 ? k->fed->sources[0].why : "");
		return PROTO_EPERM;
	case PROTO_PEER_ST_BAD_QUERY:
		snprintf(why, whylen, "the node refused the query as invalid or too wide "
		         "(a whole-store scan such as '*' or a /0)");
		return PROTO_EINVAL;
	case PROTO_PEER_ST_UNAVAILABLE:
		snprintf(why, whylen, "the node's store is unavailable");
		return PROTO_EIO;
	}
	snprintf(why, whylen, "the node failed to answer (status %u)", m.status);
	return PROTO_EIO;
}

/* A CURVE DEALER to the node, with a monitor for refused handshakes. */
struct conn {
	zsock_t *dealer, *monitor;
	zpoller_t *poller;
};

static void
conn_close(struct conn *c)
{
	zpoller_destroy(&c->poller);
	zsock_destroy(&c->monitor);
	zsock_destroy(&c->dealer);
}

static int
conn_open(struct conn *c, const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
          const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
          unsigned timeout_s, char *why, size_t whylen)
{
	char server_z85[PROTO_KEYS_Z85_LEN + 1], mon[64];

	memset(c, 0, sizeof(*c));
	zsys_handler_set(NULL);
	if ((c->dealer = zsock_new(ZMQ_DEALER)) == NULL ||
	    (c->monitor = zsock_new(ZMQ_PAIR)) == NULL) {
		snprintf(why, whylen, "cannot create a socket");
		return PROTO_EIO;
	}
	proto_keys_z85_encode(node_pub, PROTO_KEYS_LEN, server_z85, sizeof(server_z85));
	zsock_set_curve_serverkey(c->dealer, server_z85);
	zsock_set_curve_publickey_bin(c->dealer, pub);
	zsock_set_curve_secretkey_bin(c->dealer, sec);
	zsock_set_maxmsgsize(c->dealer, (int)PROTO_PEER_MSG_MAX);
	zsock_set_linger(c->dealer, 0);
	snprintf(mon, sizeof(mon), "inproc://pdns-monitor-%p", (void *)c->dealer);
	if (zmq_socket_monitor(zsock_resolve(c->dealer), mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    zsock_connect(c->monitor, "%s", mon) != 0) {
		snprintf(why, whylen, "cannot monitor the node socket");
		return PROTO_EIO;
	}
	if (zsock_connect(c->dealer, "%s", endpoint) != 0) {
		snprintf(why, whylen, "not a ZeroMQ endpoint (tcp://HOST:PORT, ipc://PATH)");
		return PROTO_EINVAL;
	}
	/* The DEALER queues a message until the connection is up. */
	zsock_set_sndtimeo(c->dealer, (int)timeout_s * 1000);
	if ((c->poller = zpoller_new(c->dealer, c->monitor, NULL)) == NULL) {
		snprintf(why, whylen, "cannot poll the node socket");
		return PROTO_EIO;
	}
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for one message until end (now_ms()): 1 and *msg received, or an
 * error (a refused handshake, the deadline) with why set. */
static int
conn_recv(struct conn *c, zmq_msg_t *msg, int64_t end, unsigned timeout_ms, const char *who,
          char *why, size_t whylen)
{
	for (;;) {
		int64_t left = end - now_ms();
		if (left <= 0) {
			if (timeout_ms % 1000 == 0)
				snprintf(why, whylen, "no complete answer within %u s (is the node "
				         "running and listening there?)", timeout_ms / 1000);
			else
				snprintf(why, whylen, "no complete answer within %.1f s (is the node "
				         "running and listening there?)", timeout_ms / 1000.0);
			return PROTO_EIO;
		}
		void *which = zpoller_wait(c->poller, left < 200 ? (int)left : 200);
		if (which == c->monitor) {
			zmsg_t *ev = zmsg_recv(c->monitor);
			zframe_t *f = ev ? zmsg_first(ev) : NULL;
			uint16_t event = 0;
			if (f != NULL && zframe_size(f) >= 2)
				memcpy(&event, zframe_data(f), sizeof(event));
			zmsg_destroy(&ev);
			if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
				snprintf(why, whylen, "the node refused our key (not a %s of its "
				         "config?)", who);
				return PROTO_EPERM;
			}
			snprintf(why, whylen, "the CURVE handshake failed (wrong --node-key?)");
			return PROTO_EIO;
		}
		if (which != c->dealer)
			continue;
		zmq_msg_init(msg);
		if (zmq_msg_recv(msg, zsock_resolve(c->dealer), ZMQ_DONTWAIT) >= 0)
			return 1;
		zmq_msg_close(msg);
	}
}

/* Send QUERY(hop_limit, deadline_ms) and feed the parts to k until the
 * final one or wait_ms. */
static int
run_query(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
          const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
          const struct proto_query *q, unsigned hop_limit, unsigned deadline_ms,
          unsigned wait_ms, struct sink *k, char *why, size_t whylen)
{
	/* Room for the query and up to 16 provider names of 32 octets. */
	uint8_t qbuf[PROTO_QUERY_WIRE_MAX],
	        out[PROTO_QUERY_WIRE_MAX + PROTO_PEER_HEAD_MAX +
	            PROTO_PEER_PROVIDERS_MAX * (PROTO_PEER_ORIGIN_MAX + 2) + 8];
	size_t qlen, len;
	struct conn c;
	int err;

	why[0] = '\0';
	if ((err = proto_query_encode(q, qbuf, sizeof(qbuf), &qlen)) != 0) {
		snprintf(why, whylen, "cannot encode the query");
		return err;
	}
	while (k->qid == 0)
		randombytes_buf(&k->qid, sizeof(k->qid));
	struct proto_peer_msg m = { .type = PROTO_PEER_QUERY, .query_id = k->qid,
	                            .hop_limit = (uint8_t)hop_limit, .deadline_ms = deadline_ms,
	                            .query = qbuf, .query_len = (uint16_t)qlen };
	const struct cli_node_fed *fed = k->fed;
	if (fed != NULL && (fed->providers_all || fed->nproviders > 0)) {
		m.has_providers = true;
		m.providers = fed->providers_all ? NULL : fed->providers;
		m.nproviders = fed->providers_all ? 0 : (uint32_t)fed->nproviders;
		m.prov_flags = fed->no_cache ? PROTO_PEER_PROV_NO_CACHE : 0;
	}
	if (hop_limit > PROTO_PEER_HOPS_MAX || deadline_ms < 1 ||
	    deadline_ms > PROTO_PEER_DEADLINE_MAX ||
	    (err = proto_peer_encode(&m, out, sizeof(out), &len)) != 0) {
		snprintf(why, whylen, "cannot encode the QUERY message (hop limit 0..%u, deadline "
		         "1..%u ms)", PROTO_PEER_HOPS_MAX, PROTO_PEER_DEADLINE_MAX);
		return PROTO_EINVAL;
	}
	if ((err = conn_open(&c, endpoint, node_pub, pub, sec, (wait_ms + 999) / 1000, why,
	                     whylen)) != 0)
		goto out;
	if (zmq_send(zsock_resolve(c.dealer), out, len, 0) < 0) {
		snprintf(why, whylen, "cannot send the query: %s", zmq_strerror(errno));
		err = PROTO_EIO;
		goto out;
	}
	int64_t end = now_ms() + wait_ms;
	for (;;) {
		zmq_msg_t msg;
		if ((err = conn_recv(&c, &msg, end, wait_ms, "[client]", why, whylen)) < 0)
			break;
		err = take_part(zmq_msg_data(&msg), zmq_msg_size(&msg), k, why, whylen);
		zmq_msg_close(&msg);
		if (err != 0)
			break;
	}
	if (err == 1)
		err = 0;
out:
	conn_close(&c);
	return err;
}

static int
add_row(void *arg, const struct proto_obs *o, const char *origin)
{
	(void)origin;
	return cli_rows_add(arg, o);
}

int
cli_node_query(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
               const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
               const struct proto_query *q, unsigned timeout_s, struct cli_rows *rows,
               struct cli_node_result *res, char *why, size_t whylen)
{
	struct sink k = { .fn = add_row, .arg = rows, .rows = rows };
	int err = run_query(endpoint, node_pub, pub, sec, q, 0, timeout_s * 1000u,
	                    timeout_s * 1000u, &k, why, whylen);

	res->returned = k.returned;
	res->limited = k.limited;
	return err;
}

int
cli_node_query_fed(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                   const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                   const struct proto_query *q, struct cli_node_fed *fed,
                   cli_node_row_fn fn, void *arg, char *why, size_t whylen)
{
	struct sink k = { .fn = fn, .arg = arg, .fed = fed };
	int err;

	fed->returned = 0;
	fed->limited = fed->partial = false;
	fed->nsources = 0;
	/* The node ends its answer within deadline_ms; half a second more
	 * for the last part's way to us. */
	err = run_query(endpoint, node_pub, pub, sec, q, fed->hop_limit, fed->deadline_ms,
	                fed->deadline_ms + 500, &k, why, whylen);
	fed->returned = k.returned;
	fed->limited = k.limited;
	return err;
}

int
cli_node_control(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                 const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                 const char *command, const char *arg, unsigned timeout_s, FILE *report,
                 char *why, size_t whylen)
{
	uint8_t out[PROTO_PEER_HEAD_MAX + PROTO_PEER_COMMAND_MAX + PROTO_PEER_TEXT_MAX];
	uint64_t rid = 0;
	size_t len;
	struct conn c;
	int err;

	why[0] = '\0';
	while (rid == 0)
		randombytes_buf(&rid, sizeof(rid));
	struct proto_peer_msg m = { .type = PROTO_PEER_CONTROL, .request_id = rid,
	                            .command = command, .command_len = (uint8_t)strlen(command),
	                            .arg = arg, .arg_len = (uint16_t)strlen(arg) };
	if ((err = proto_peer_encode(&m, out, sizeof(out), &len)) != 0) {
		snprintf(why, whylen, "the argument '%s' cannot be sent (printable ASCII, at most "
		         "%u bytes)", arg, PROTO_PEER_TEXT_MAX);
		return PROTO_EINVAL;
	}
	if ((err = conn_open(&c, endpoint, node_pub, pub, sec, timeout_s, why, whylen)) != 0)
		goto out;
	if (zmq_send(zsock_resolve(c.dealer), out, len, 0) < 0) {
		snprintf(why, whylen, "cannot send the request: %s", zmq_strerror(errno));
		err = PROTO_EIO;
		goto out;
	}
	int64_t end = now_ms() + (int64_t)timeout_s * 1000;
	for (;;) {
		zmq_msg_t msg;
		struct proto_peer_msg r;
		if ((err = conn_recv(&c, &msg, end, timeout_s * 1000u, "[client] with control = yes",
		                     why, whylen)) < 0)
			break;
		memset(&r, 0, sizeof(r));
		err = proto_peer_decode(&r, zmq_msg_data(&msg), zmq_msg_size(&msg), NULL, 0);
		if (err != 0) {
			snprintf(why, whylen, "the node sent a broken message: %s",
			         r.why ? r.why : proto_strerror(err));
			err = PROTO_EIO;
		} else if (r.type == PROTO_PEER_ERROR) {
			snprintf(why, whylen, "the node refused the request: %.*s", (int)r.text_len,
			         r.text);
			err = PROTO_EIO;
		} else if (r.type == PROTO_PEER_CONTROL_RESULT && r.request_id == rid) {
			if (r.ok) {
				fwrite(r.report, 1, r.report_len, report);
				err = 0;
			} else {
				snprintf(why, whylen, "%.*s", (int)r.report_len, r.report);
				why[strcspn(why, "\n")] = '\0';
				err = PROTO_EINVAL;
			}
		} else {
			err = 1; /* not ours: wait on */
		}
		zmq_msg_close(&msg);
		if (err != 1)
			break;
	}
out:
	conn_close(&c);
	return err;
}
