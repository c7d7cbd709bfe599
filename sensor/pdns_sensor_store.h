/*
 * pdns_sensor_store.h - pdns-sensor's sink into a RocksDB store.
 *
 * Part of the pdns-sensor program, not of the sensor library (which never
 * depends on the store): rows handed over by a flush are written in
 * batches of `batch` rows, each one atomic WriteBatch; after each commit a
 * line `pdns-sensor: committed N rows (M in all)` goes to stderr when
 * verbose, so a crash test knows what was acknowledged.
 */
#ifndef PDNS_SENSOR_STORE_H
#define PDNS_SENSOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"
#include "store/store_db.h"

struct store_sink {
	struct store_db *db;      /* borrowed */
	struct proto_obs *rows;   /* pointers into the flushing table */
	size_t n, batch;
	uint64_t committed;
	bool verbose;
	char why[256];            /* the reason of the last error */
	/*
	 * Optional (--watch, sensor_watch.c): called before each commit of n
	 * rows. Returns 0 to write them, with *op (when *nops is 1) in the
	 * same atomic batch; 1 to leave them out (already in the store); or a
	 * PROTO_E*. NULL: every commit writes its rows alone.
	 */
	int (*hook)(void *arg, size_t n, struct store_meta_op *op, size_t *nops);
	void *hook_arg;
};

/* batch: rows per WriteBatch (>= 1). */
int store_sink_init(struct store_sink *s, struct store_db *db, size_t batch,
                    bool verbose);
void store_sink_fini(struct store_sink *s);
/* sensor_sink callbacks (arg is the store_sink). */
int store_sink_row(void *arg, const struct proto_obs *row);
int store_sink_done(void *arg);

#endif
