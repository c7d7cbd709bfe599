/*
 * node_metrics.h - what the node's loop counts, published for /metrics.
 *
 * The loop owns its counters (struct node_server and its peers and
 * groups) and never shares them: once a second it copies them into one
 * snapshot behind a mutex (node_metrics_publish, one call in the loop's
 * tick), and the HTTP server reads that copy (node_metrics_read). So the
 * HTTP threads never touch the loop's state, and the loop takes the mutex
 * for a copy of a few hundred bytes per peer once a second.
 *
 * Names in the snapshot are the config's (borrowed; the config outlives
 * both). Thread-safe.
 */
#ifndef NODE_METRICS_H
#define NODE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node_export.h"

struct node_server;

struct node_metrics_peer {
	const char *name;
	uint64_t batches, rows, dups, resyncs, snapshots, refused, future, throttled;
};

struct node_metrics_group {
	const char *name;
	uint64_t batches, rows, replays, snapshots, below;
	uint64_t withheld[NODE_EXPORT_VERDICTS];
};

struct node_metrics_snap {
	bool published;          /* false until the loop's first tick */
	int64_t started;         /* the node's start, Unix seconds */
	uint64_t batches, rows_in, queries, sensor_streams;
	struct node_metrics_peer *peers;
	size_t npeers;
	struct node_metrics_group *groups;
	size_t ngroups;
};

/* The loop: copy its counters into the snapshot. */
void node_metrics_publish(const struct node_server *s);

/* Call fn with the snapshot, under its mutex (fn must be quick). */
void node_metrics_read(void (*fn)(void *arg, const struct node_metrics_snap *m), void *arg);

#endif
