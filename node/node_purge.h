/*
 * node_purge.h - remove everything a peer ever sent from a store.
 *
 * A peer's rows are stored under one origin per group we receive from it,
 * named "PEER/GROUP" (node_sub.c); its stream states are the meta rows
 * "peer:" LEN PEER GROUP. node_purge_peer() deletes the states first (a
 * crash in between leaves rows that a later snapshot replaces, never a
 * state claiming rows that are gone), then every row of those origins.
 * Used by a running node (the control command `purge`) and by `pdns purge
 * --store` when no node holds the store. Errors: 0 or a negative PROTO_E*
 * with a one-line reason in why; PROTO_ENOENT when no origin has that name.
 */
#ifndef NODE_PURGE_H
#define NODE_PURGE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_db.h"

#define NODE_PEER_STATE_PREFIX "peer:"

int node_purge_peer(struct store_db *db, const char *peer, uint64_t *removed,
                    size_t *origins, char *why, size_t whylen);

#endif
