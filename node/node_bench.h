/*
 * node_bench.h - CURVE on the node's sockets, and the one place a benchmark
 * build turns it off.
 *
 * Every socket of the node gets its security through these two functions.
 * In a normal build they set CURVE (server with the node's secret key, or
 * client checking the peer's public key). Configured with
 * -DPDNS_BENCH_PLAINTEXT=ON (tests/bench/bench_peer.py's baseline, never
 * installed, announced on every start) they set nothing, so the same
 * pipeline runs without encryption and the cost of CURVE can be measured;
 * ZAP then admits a NULL connection as the first key its domain allows.
 */
#ifndef NODE_BENCH_H
#define NODE_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "proto/proto_keys.h"

#ifdef PDNS_BENCH_PLAINTEXT
#define NODE_BENCH_PLAINTEXT 1
#else
#define NODE_BENCH_PLAINTEXT 0
#endif

static inline void
node_curve_server(zsock_t *z, const uint8_t sec[PROTO_KEYS_LEN])
{
	if (NODE_BENCH_PLAINTEXT)
		return;
	zsock_set_curve_server(z, 1);
	zsock_set_curve_secretkey_bin(z, sec);
}

static inline void
node_curve_client(zsock_t *z, const uint8_t server[PROTO_KEYS_LEN],
                  const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN])
{
	if (NODE_BENCH_PLAINTEXT)
		return;
	zsock_set_curve_serverkey_bin(z, server);
	zsock_set_curve_publickey_bin(z, pub);
	zsock_set_curve_secretkey_bin(z, sec);
}

#ifdef PDNS_BENCH_PLAINTEXT
/* The first key allowed in domain (allow maps "domain\nZ85" to a name). */
static inline bool
node_bench_plain_user(zhash_t *allow, const char *domain, char *z85, size_t len)
{
	size_t dl = strlen(domain);

	for (void *v = zhash_first(allow); v != NULL; v = zhash_next(allow)) {
		const char *k = zhash_cursor(allow);
		if (strncmp(k, domain, dl) == 0 && k[dl] == '\n') {
			snprintf(z85, len, "%s", k + dl + 1);
			return true;
		}
	}
	return false;
}
#endif

#endif
