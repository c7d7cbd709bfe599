/*
 * node_server.h - pdns-node's sockets and main loop.
 *
 * Two CURVE ROUTER sockets with the node's key pair: one for sensors (ZAP
 * domain "sensors", only [sensor] keys) and one for queries (ZAP domain
 * "queries", only [client] keys), both with ZMQ_MAXMSGSIZE =
 * PROTO_PEER_MSG_MAX. node_server_run() binds them (the ZAP handler must
 * already answer: node_zap.h), prints "pdns-node: ready" and serves until
 * node_server_stop() (a signal handler may call it):
 *
 * - OBS_BATCH from a sensor: its origin must be the [sensor NAME] bound to
 *   the sender's key (ZAP User-Id), else ERROR 6. Each (origin, stream,
 *   seq) is applied once (proto_peer_verdict): the rows (as origin
 *   STORE_ORIGIN_LOCAL) and the stream's new last seq (a meta row) are
 *   written in one atomic store batch, then ACK(origin, stream, last) is
 *   sent, so a crash can lose an unacknowledged batch (the sensor resends
 *   it) but never apply one twice.
 * - QUERY from a client: run on the store (scan cap NODE_SERVER_MAX_SCAN),
 *   answered with QUERY_RESULT parts of at most PROTO_PEER_ROWS_MAX rows and
 *   PROTO_PEER_MSG_MAX bytes; hop_limit and deadline are not used yet (no
 *   peers).
 *
 * One thread: the store handle is used by the loop only; the node is the
 * store's only writer (RocksDB's lock). Errors: 0 or a negative PROTO_E*
 * with a one-line reason in why.
 */
#ifndef NODE_SERVER_H
#define NODE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "node/node_config.h"

#define NODE_SERVER_MAX_SCAN 10000000u /* index entries one query may read */

struct node_server;

/*
 * Open the store (STORE_WRITE) and load the sensor streams' state. sec is
 * the node's secret key (copied; wiped by destroy). cfg is borrowed.
 */
int node_server_new(struct node_server **out, const struct node_config *cfg,
                    const uint8_t sec[PROTO_KEYS_LEN], char *why, size_t whylen);
/* Bind, say ready, serve until stopped. */
int node_server_run(struct node_server *s, char *why, size_t whylen);
/* Ask a running loop to return (async-signal-safe). */
void node_server_stop(void);
void node_server_destroy(struct node_server **sp);

#endif
