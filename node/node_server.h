/*
 * node_server.h - pdns-node's sockets and main loop.
 *
 * CURVE sockets with the node's key pair, each with ZMQ_MAXMSGSIZE = the
 * config's max-message-size and its own ZAP domain: a ROUTER for sensors
 * ("sensors": [sensor] keys), a ROUTER for queries and replay requests
 * ("queries": [client] and [peer] keys), an optional control ROUTER
 * ("control": [client] keys with control = yes), one PUB per sharing group
 * ("group:NAME": the keys of the group's peers), and a SUB per peer
 * endpoint plus a DEALER to its query endpoint (CURVE clients checking the
 * peer's key). node_server_run() binds and connects them (the ZAP handler
 * must already answer: node_zap.h), prints "pdns-node: ready" and serves
 * until node_server_stop() (a signal handler may call it). The details are
 * in node_impl.h and the files it names; in short:
 *
 * - OBS_BATCH from a sensor: its origin must be the [sensor NAME] bound to
 *   the sender's key (ZAP User-Id), else ERROR 6. Each (origin, stream,
 *   seq) is applied once (proto_peer_verdict): the rows (as origin
 *   STORE_ORIGIN_LOCAL) and the stream's new last seq (a meta row) are
 *   written in one atomic store batch, then ACK(origin, stream, last) is
 *   sent, so a crash can lose an unacknowledged batch (the sensor resends
 *   it) but never apply one twice.
 *   What the groups publish of the batch is written in the same batch.
 * - QUERY from a client (or a peer with accept = queries, which gets our
 *   own rows only): run on the store (scan cap NODE_SERVER_MAX_SCAN),
 *   answered with QUERY_RESULT parts of at most PROTO_PEER_ROWS_MAX rows and
 *   PROTO_PEER_MSG_MAX bytes; hop_limit and deadline are not used yet.
 * - Peers' batches, replays and snapshots: node_sub.c; ours: node_pub.c.
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
 * Open the store (STORE_WRITE), load the sensor streams', groups' and
 * peers' states. pub/sec are the node's key pair (copied; the secret is
 * wiped by destroy). cfg is borrowed.
 */
int node_server_new(struct node_server **out, const struct node_config *cfg,
                    const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                    char *why, size_t whylen);
/* Bind, say ready, serve until stopped. */
int node_server_run(struct node_server *s, char *why, size_t whylen);
/* Ask a running loop to return (async-signal-safe). */
void node_server_stop(void);
void node_server_destroy(struct node_server **sp);

#endif
