/*
 * node_zap.h - the node's own ZAP handler (ZeroMQ RFC 27).
 *
 * libzmq lets any CURVE client in when no handler answers at
 * inproc://zeromq.zap.01 (security.md, finding 1), so the node starts this
 * handler first and node_zap_start() only returns 0 once the handler has
 * answered a probe request: nothing may be bound before that.
 *
 * The handler is a czmq actor (its own thread) with a REP socket in czmq's
 * shared context, the context every node socket must use. It holds an
 * allowlist of Z85 public keys per ZAP domain ("sensors", "queries"),
 * fixed before the start: a CURVE request whose domain and key are listed
 * gets 200 with User-Id = the Z85 key; anything else (unknown domain, key
 * or mechanism) gets 400. Refusals are counted and logged at most once per
 * 10 seconds per handler ("refused N connections ...").
 *
 * Memory: node_zap_new() allocates; node_zap_destroy() stops the actor and
 * frees everything. Errors: 0 or a negative PROTO_E*.
 */
#ifndef NODE_ZAP_H
#define NODE_ZAP_H

#include <stddef.h>
#include <stdint.h>

#define NODE_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define NODE_ZAP_LOG_INTERVAL 10 /* seconds between refusal log lines */

struct node_zap;

int node_zap_new(struct node_zap **out);
/* Allow the Z85 key (40 characters) in domain; name is for the log.
 * Only before node_zap_start(). */
int node_zap_allow(struct node_zap *z, const char *domain, const char *z85,
                   const char *name);
/*
 * Start the handler and probe it: a ZAP request for a key that is not
 * allowed must come back 400 within a second. PROTO_EIO with a reason in
 * why when the handler cannot bind or does not answer.
 */
int node_zap_start(struct node_zap *z, char *why, size_t whylen);
/* Connections refused so far. */
uint64_t node_zap_refused(const struct node_zap *z);
void node_zap_destroy(struct node_zap **zp);

#endif
