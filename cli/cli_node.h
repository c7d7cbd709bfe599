/*
 * cli_node.h - pdns --node: one query, or one control request, to a running
 * pdns-node.
 *
 * Sends QUERY (doc/peer-protocol.md 5.3) over a CURVE DEALER socket and
 * collects the QUERY_RESULT parts until the final one: for the node's own
 * lookup every row goes to a cli_rows set (merged as rows from a local
 * store are); for a federated one (cli_node_query_fed) each row goes to a
 * callback with its origin, and the final part's per-source statuses are
 * returned (5.4.1), for the caller to merge. Part of the pdns
 * program (it links ZeroMQ); pdns_cli stays free of sockets.
 *
 * One thread. Errors: 0, or a negative PROTO_E* with a one-line reason:
 * PROTO_EINVAL the node refused the query as bad or too wide, PROTO_EPERM
 * the node refused our key, PROTO_EIO no complete answer in time or a
 * broken answer, PROTO_ENOMEM.
 */
#ifndef CLI_NODE_H
#define CLI_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli_rows.h"
#include "proto/proto_keys.h"
#include "proto/proto_obs.h"
#include "proto/proto_peer.h"
#include "proto/proto_query.h"

struct cli_node_result {
	uint64_t returned;  /* rows received */
	bool limited;       /* cut by the limit or the node's scan cap */
};

/* The node's own lookup (hop limit 0), every row added to rows. */
int cli_node_query(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                   const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                   const struct proto_query *q, unsigned timeout_s, struct cli_rows *rows,
                   struct cli_node_result *res, char *why, size_t whylen);

/* What one source of a federated answer did (doc/peer-protocol.md 5.4.1):
 * the node itself first, then each peer it asked and the nodes behind
 * them, each name once. */
struct cli_node_source {
	char name[PROTO_PEER_ORIGIN_MAX + 1];
	uint8_t status;     /* enum proto_peer_source_status; proto_peer_source_status_name() */
	uint32_t rows;      /* rows it gave */
	char why[PROTO_PEER_REASON_MAX + 1]; /* one line, may be empty */
};

struct cli_node_fed {
	/* In: how many times the node may forward (0: its store alone;
	 * 1..PROTO_PEER_HOPS_MAX), and the milliseconds the node has to
	 * answer, peers included (1..PROTO_PEER_DEADLINE_MAX); we wait that
	 * long and half a second more. */
	unsigned hop_limit;
	unsigned deadline_ms;
	/* In: providers the node asks too (doc/peer-protocol.md 5.3.2): the
	 * node's source names providers[0..nproviders), or every provider the
	 * node has with providers_all; no_cache has it ask them even when its
	 * store holds a fresh answer. Their rows come with the provider's name
	 * as origin (count 0: the provider reports none), each a source. */
	const char *const *providers;
	size_t nproviders;
	bool providers_all;
	bool no_cache;
	/* Out. */
	uint64_t returned;  /* rows received */
	bool limited;       /* some source cut its rows by the limit or a scan cap */
	bool partial;       /* some source did not answer in time (status 1) */
	struct cli_node_source sources[PROTO_PEER_SOURCES_MAX];
	size_t nsources;    /* 0 when the node sent none (hop limit 0, older nodes) */
};

/* One row with its origin (the node's or a peer's name, NUL-ended); the
 * pointers are good for the call only. Non-zero stops the query and is
 * returned by cli_node_query_fed. */
typedef int (*cli_node_row_fn)(void *arg, const struct proto_obs *o, const char *origin);

/*
 * A federated query: sends QUERY with fed->hop_limit and fed->deadline_ms,
 * calls fn for every row of every part until the final one, and fills the
 * rest of *fed. A source that timed out or refused is not an error (see
 * fed->sources); the node refusing us is PROTO_EPERM with its reason, a
 * query the node finds too wide PROTO_EINVAL, no final part in time or a
 * broken answer PROTO_EIO.
 */
int cli_node_query_fed(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                       const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                       const struct proto_query *q, struct cli_node_fed *fed,
                       cli_node_row_fn fn, void *arg, char *why, size_t whylen);

/*
 * A CONTROL request (doc/peer-protocol.md) to the node's control socket:
 * the report of an ok result is written to `report`. PROTO_EINVAL with the
 * node's one-line reason when the node says the command failed; PROTO_EPERM
 * when our key is not a control client; PROTO_EIO no answer in time.
 */
int cli_node_control(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                     const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                     const char *command, const char *arg, unsigned timeout_s, FILE *report,
                     char *why, size_t whylen);

#endif
