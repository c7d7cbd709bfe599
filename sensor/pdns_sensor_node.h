/*
 * pdns_sensor_node.h - pdns-sensor's sink to a node (--node).
 *
 * Part of the pdns-sensor program, like the store sink: the rows of each
 * flush go out as OBS_BATCH messages (doc/peer-protocol.md 3.1, 5.1) over
 * a CURVE DEALER socket: origin = the sensor's name (the [sensor NAME] the
 * node binds to our key), stream = a random u64 chosen at every start
 * (unless a spool keeps it), seq = 1, 2, ... A batch holds at most PROTO_PEER_ROWS_MAX rows and
 * PROTO_PEER_MSG_MAX bytes. Every batch is kept (encoded) until the node's
 * cumulative ACK covers it; unacknowledged batches are sent again, in
 * order, every NODE_SINK_RESEND seconds and after every reconnect. At most
 * `window` batches (NODE_SINK_INFLIGHT by default) are kept in memory.
 *
 * Without a spool that is the bound: the sink then waits for ACKs, and a
 * flush returns only once all its batches are acknowledged (durable in the
 * node's store); batches not acknowledged when the process ends are lost.
 *
 * With a spool (sensor_spool.h) every batch is written to its own file
 * before it is sent, and the file is removed once acknowledged, so a
 * flush returns as soon as its batches are on disk (after at most
 * NODE_SINK_DRAIN seconds of waiting for a connected node): the node may
 * be away for long, and the sensor killed meanwhile, without a batch lost.
 * The window holds the oldest held batches; later ones wait on disk and
 * are read back, in order, as acknowledgements free the window. When the
 * batch files reach spool_max bytes a flush waits (no timeout, a line on
 * stderr every NODE_SINK_WARN seconds) until the node acknowledges some,
 * so input is paused rather than dropped. The stream, and the next seq,
 * are kept in the spool: a sink started on a spool with held batches
 * resumes that stream and sends them before new ones.
 *
 * When the node acknowledges less than the sink had seen acknowledged (it
 * lost the stream's state: a new store), the held batches are renumbered
 * 1, 2, ... in a new random stream and sent again (doc/peer-protocol.md
 * 3.1); the batches it had acknowledged are lost with its state, and one
 * line on stderr says how many.
 *
 * The sink fails when the node refused our key (ZAP) or a batch, or, while
 * waiting for ACKs (a full window without a spool, node_sink_finish), when
 * the node has acknowledged nothing for `timeout` seconds.
 *
 * One thread. Errors: PROTO_E*; after the first failure every call fails
 * and `why` holds the one-line reason.
 */
#ifndef PDNS_SENSOR_NODE_H
#define PDNS_SENSOR_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_keys.h"
#include "proto/proto_obs.h"

#define NODE_SINK_INFLIGHT 64 /* batches kept in memory until acknowledged, at most */
#define NODE_SINK_RESEND 5    /* seconds before unacknowledged batches go again */
#define NODE_SINK_DRAIN 1     /* seconds a flush waits for a connected node (spool) */
#define NODE_SINK_WARN 10     /* seconds between "still waiting" lines */

struct node_sink;

struct node_sink_cfg {
	const char *endpoint;
	const uint8_t *node_pub;    /* PROTO_KEYS_LEN: the node's public key */
	const uint8_t *pub, *sec;   /* PROTO_KEYS_LEN each: our key pair */
	const char *name;           /* the origin, 1..PROTO_PEER_ORIGIN_MAX octets */
	int timeout;                /* seconds without progress before failing (>= 1) */
	unsigned window;            /* batches in memory, 1..NODE_SINK_INFLIGHT; 0: the most */
	const char *spool;          /* spool directory, or NULL */
	uint64_t spool_max;         /* bytes of batch files in the spool */
};

/*
 * Connect to the node with our key pair (sec is wiped by the caller once
 * this returns: the socket keeps its own copy). With a spool, open it
 * (sensor_spool_open's errors) and resume its stream.
 */
int node_sink_new(struct node_sink **out, const struct node_sink_cfg *cfg, char *why,
                  size_t whylen);
void node_sink_destroy(struct node_sink **sp);
/* sensor_sink callbacks (arg is the node_sink). */
int node_sink_row(void *arg, const struct proto_obs *row);
int node_sink_done(void *arg);
/*
 * At the end of input: wait until every held batch is acknowledged, or
 * fail after `timeout` seconds without progress (a spool keeps them).
 */
int node_sink_finish(struct node_sink *s);
/* Stop waiting for room in a full spool (async-signal-safe): the batches
 * of the flush in progress then go to the spool beyond spool_max. */
void node_sink_stop(void);
/* The reason of the failure, or "" when none. */
const char *node_sink_why(const struct node_sink *s);
/* Rows acknowledged by the node. */
uint64_t node_sink_acked_rows(const struct node_sink *s);

#endif
