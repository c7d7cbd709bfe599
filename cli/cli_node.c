/* cli_node.c - a QUERY to a node and its QUERY_RESULT parts. */
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

/* One part: add its rows; 1 when it was the final part. */
static int
take_part(const uint8_t *buf, size_t len, uint64_t qid, uint32_t *next_part,
          struct cli_rows *rows, struct cli_node_result *res, char *why, size_t whylen)
{
	struct proto_peer_msg m;
	struct proto_peer_rows it;
	struct proto_peer_row row;
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
	if (m.type != PROTO_PEER_QUERY_RESULT || m.query_id != qid)
		return 0; /* not an answer to this query */
	if (m.part != *next_part) {
		snprintf(why, whylen, "the node's answer lost part %u", *next_part);
		return PROTO_EIO;
	}
	(*next_part)++;
	proto_peer_rows_init(&it, &m);
	while ((err = proto_peer_rows_next(&it, &row)) == 1) {
		if ((err = cli_rows_add(rows, &row.obs)) != 0) {
			snprintf(why, whylen, "%s after %zu rows", proto_strerror(err),
			         cli_rows_count(rows));
			return err;
		}
		res->returned++;
	}
	if (err < 0) {
		snprintf(why, whylen, "the node sent broken rows");
		return PROTO_EIO;
	}
	if (!m.final)
		return 0;
	res->limited = m.limited;
	switch (m.status) {
	case PROTO_PEER_ST_OK:
	case PROTO_PEER_ST_PARTIAL:
		return 1;
	case PROTO_PEER_ST_BAD_QUERY:
		snprintf(why, whylen, "the node refused the query as invalid or too wide "
		         "(a whole-store scan such as '*' or a /0)");
		return PROTO_EINVAL;
	case PROTO_PEER_ST_UNAVAILABLE:
		snprintf(why, whylen, "the node's store is unavailable");
		return PROTO_EIO;
	default:
		snprintf(why, whylen, "the node failed to answer (status %u)", m.status);
		return PROTO_EIO;
	}
}

int
cli_node_query(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
               const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
               const struct proto_query *q, unsigned timeout_s, struct cli_rows *rows,
               struct cli_node_result *res, char *why, size_t whylen)
{
	uint8_t qbuf[PROTO_QUERY_WIRE_MAX], out[PROTO_QUERY_WIRE_MAX + PROTO_PEER_HEAD_MAX];
	char server_z85[PROTO_KEYS_Z85_LEN + 1], mon[64];
	size_t qlen, len;
	uint64_t qid = 0;
	uint32_t next_part = 0;
	zsock_t *dealer = NULL, *monitor = NULL;
	zpoller_t *poller = NULL;
	int err = PROTO_EIO, done = 0;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	if ((err = proto_query_encode(q, qbuf, sizeof(qbuf), &qlen)) != 0) {
		snprintf(why, whylen, "cannot encode the query");
		return err;
	}
	while (qid == 0)
		randombytes_buf(&qid, sizeof(qid));
	struct proto_peer_msg m = { .type = PROTO_PEER_QUERY, .query_id = qid, .hop_limit = 0,
	                            .deadline_ms = timeout_s * 1000u, .query = qbuf,
	                            .query_len = (uint16_t)qlen };
	if ((err = proto_peer_encode(&m, out, sizeof(out), &len)) != 0) {
		snprintf(why, whylen, "cannot encode the QUERY message");
		return err;
	}
	zsys_handler_set(NULL);
	err = PROTO_EIO;
	if ((dealer = zsock_new(ZMQ_DEALER)) == NULL || (monitor = zsock_new(ZMQ_PAIR)) == NULL) {
		snprintf(why, whylen, "cannot create a socket");
		goto out;
	}
	proto_keys_z85_encode(node_pub, PROTO_KEYS_LEN, server_z85, sizeof(server_z85));
	zsock_set_curve_serverkey(dealer, server_z85);
	zsock_set_curve_publickey_bin(dealer, pub);
	zsock_set_curve_secretkey_bin(dealer, sec);
	zsock_set_maxmsgsize(dealer, (int)PROTO_PEER_MSG_MAX);
	zsock_set_linger(dealer, 0);
	snprintf(mon, sizeof(mon), "inproc://pdns-monitor-%p", (void *)dealer);
	if (zmq_socket_monitor(zsock_resolve(dealer), mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    zsock_connect(monitor, "%s", mon) != 0) {
		snprintf(why, whylen, "cannot monitor the node socket");
		goto out;
	}
	if (zsock_connect(dealer, "%s", endpoint) != 0) {
		snprintf(why, whylen, "not a ZeroMQ endpoint (tcp://HOST:PORT, ipc://PATH)");
		err = PROTO_EINVAL;
		goto out;
	}
	/* The DEALER queues the message until the connection is up. */
	zsock_set_sndtimeo(dealer, (int)timeout_s * 1000);
	if (zmq_send(zsock_resolve(dealer), out, len, 0) < 0) {
		snprintf(why, whylen, "cannot send the query: %s", zmq_strerror(errno));
		goto out;
	}
	poller = zpoller_new(dealer, monitor, NULL);
	time_t deadline = time(NULL) + (time_t)timeout_s;
	while (poller != NULL && done == 0) {
		time_t now = time(NULL);
		if (now >= deadline) {
			snprintf(why, whylen, "no complete answer within %u s (is the node "
			         "running and listening there?)", timeout_s);
			err = PROTO_EIO;
			break;
		}
		void *which = zpoller_wait(poller, 200);
		if (which == monitor) {
			zmsg_t *ev = zmsg_recv(monitor);
			zframe_t *f = ev ? zmsg_first(ev) : NULL;
			uint16_t event = 0;
			if (f != NULL && zframe_size(f) >= 2)
				memcpy(&event, zframe_data(f), sizeof(event));
			zmsg_destroy(&ev);
			if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
				snprintf(why, whylen, "the node refused our key (not a [client] of its "
				         "config?)");
				err = PROTO_EPERM;
			} else {
				snprintf(why, whylen, "the CURVE handshake failed (wrong --node-key?)");
				err = PROTO_EIO;
			}
			break;
		}
		if (which != dealer)
			continue;
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, zsock_resolve(dealer), ZMQ_DONTWAIT) >= 0) {
			int r = take_part(zmq_msg_data(&msg), zmq_msg_size(&msg), qid, &next_part,
			                  rows, res, why, whylen);
			if (r < 0) {
				err = r;
				done = -1;
			} else if (r == 1) {
				err = 0;
				done = 1;
			}
		}
		zmq_msg_close(&msg);
	}
out:
	zpoller_destroy(&poller);
	zsock_destroy(&monitor);
	zsock_destroy(&dealer);
	return err;
}
