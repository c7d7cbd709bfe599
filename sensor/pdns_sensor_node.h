/*
 * pdns_sensor_node.h - pdns-sensor's sink to a node (--node).
 *
 * Part of the pdns-sensor program, like the store sink: the rows of each
 * flush go out as OBS_BATCH messages (doc/peer-protocol.md 3.1, 5.1) over
 * a CURVE DEALER socket: origin = the sensor's name (the [sensor NAME] the
 * node binds to our key), stream = a random u64 chosen at every start,
 * seq = 1, 2, ... A batch holds at most PROTO_PEER_ROWS_MAX rows and
 * PROTO_PEER_MSG_MAX bytes. Every batch is kept (encoded) until the node's
 * cumulative ACK covers it; unacknowledged batches are sent again, in
 * order, every NODE_SINK_RESEND seconds. At most NODE_SINK_INFLIGHT
 * batches are kept: the sink then waits for ACKs, and a flush returns only
 * once all its batches are acknowledged (durable in the node's store).
 * Nothing is spilled to disk: batches not acknowledged when the process
 * ends are lost, and the sink fails when the node has not acknowledged
 * anything for `timeout` seconds, or refused our key (ZAP) or a batch.
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

#define NODE_SINK_INFLIGHT 64 /* batches kept until acknowledged */
#define NODE_SINK_RESEND 5    /* seconds before unacknowledged batches go again */

struct node_sink;

/*
 * Connect to endpoint with our key pair (pub, sec: copied, sec wiped on
 * destroy) to the node's public key node_pub. name is the origin (1..32
 * octets). timeout: seconds without progress before failing (>= 1).
 */
int node_sink_new(struct node_sink **out, const char *endpoint,
                  const uint8_t node_pub[PROTO_KEYS_LEN], const uint8_t pub[PROTO_KEYS_LEN],
                  const uint8_t sec[PROTO_KEYS_LEN], const char *name, int timeout,
                  char *why, size_t whylen);
void node_sink_destroy(struct node_sink **sp);
/* sensor_sink callbacks (arg is the node_sink). */
int node_sink_row(void *arg, const struct proto_obs *row);
int node_sink_done(void *arg);
/* The reason of the failure, or "" when none. */
const char *node_sink_why(const struct node_sink *s);
/* Rows acknowledged by the node. */
uint64_t node_sink_acked_rows(const struct node_sink *s);

#endif
