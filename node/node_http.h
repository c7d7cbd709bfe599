/*
 * node_http.h - pdns-node's HTTP APIs: DNSDB API v2 (SAF) and v1, CIRCL
 * pDNS, /metrics (doc/pdns-node-http.md; config: [http] in
 * doc/pdns-node.conf.md).
 *
 * libmicrohttpd serves them on threads of its own ([http] threads, epoll),
 * each request answered to the end on the thread that read it. Lookups go
 * through read-only store handles of the HTTP server's own (STORE_READ, one
 * per thread, caught up with the node's writes at most once a second), so
 * the node's loop and its writer handle are never touched; what /metrics
 * shows of the loop comes from node_metrics.h.
 *
 * Abuse limits: max-connections in all and max-per-client per address
 * (refused at accept), a request must arrive whole within timeout seconds
 * (slow senders are cut), max-request-size for the request line and
 * headers, no request bodies, max-rows per answer and max-scan index
 * entries per query (answers cut there say so: `limited`), per-key quotas.
 *
 * node_http_start() and node_http_stop() are called from the main thread.
 * Errors: 0 or a negative PROTO_E* with one line in why.
 */
#ifndef NODE_HTTP_H
#define NODE_HTTP_H

#include <stddef.h>

#include "node/node_config.h"

struct node_http;

/*
 * Load the credential files, open the store handles, bind [http] listen and
 * start serving. With no listen configured, *out is NULL and 0 is
 * returned. cfg is borrowed until node_http_stop. PROTO_EPERM: a
 * credential file's permissions; PROTO_EIO: cannot bind; others as
 * store_db_open.
 */
int node_http_start(struct node_http **out, const struct node_config *cfg, char *why,
                    size_t whylen);

/* Stop serving (requests in progress are finished), close everything; NULL
 * is fine. */
void node_http_stop(struct node_http **hp);

#endif
