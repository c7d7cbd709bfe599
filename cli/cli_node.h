/*
 * cli_node.h - pdns --node: one query, or one control request, to a running
 * pdns-node.
 *
 * Sends QUERY (doc/peer-protocol.md 5.3) over a CURVE DEALER socket and
 * collects the QUERY_RESULT parts until the final one, adding every row to
 * a cli_rows set (merged as rows from a local store are). Part of the pdns
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
#include "proto/proto_query.h"

struct cli_node_result {
	uint64_t returned;  /* rows received */
	bool limited;       /* cut by the limit or the node's scan cap */
};

int cli_node_query(const char *endpoint, const uint8_t node_pub[PROTO_KEYS_LEN],
                   const uint8_t pub[PROTO_KEYS_LEN], const uint8_t sec[PROTO_KEYS_LEN],
                   const struct proto_query *q, unsigned timeout_s, struct cli_rows *rows,
                   struct cli_node_result *res, char *why, size_t whylen);

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
