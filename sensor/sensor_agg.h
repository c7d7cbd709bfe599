/*
 * sensor_agg.h - in-memory aggregation of observations.
 *
 * Rows (struct proto_obs) are keyed (section, rrtype, rrname, rdata) and
 * carry time_first, time_last, count and an optional bailiwick. The table
 * is open-addressed and grows by doubling (fixed tables are why
 * gamelinux/passivedns slows down as it fills); row bytes live in an arena
 * freed all at once by a flush.
 * Memory is bounded: once table plus arena pass the limit given to
 * sensor_agg_new, sensor_agg_is_full() turns true and the owner flushes
 * (prints or stores) every row and starts again. A key may therefore be
 * emitted several times as partial aggregates. Single-threaded.
 */
#ifndef SENSOR_AGG_H
#define SENSOR_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"

struct sensor_agg;

/* Flush callback: return 0, or a negative PROTO_E* to stop the flush. */
typedef int (*sensor_agg_fn)(void *arg, const struct proto_obs *row);

int sensor_agg_new(struct sensor_agg **out, size_t mem_limit);
void sensor_agg_destroy(struct sensor_agg **ap);

/*
 * Add one sighting at time ts (seconds). `seq` identifies the message: a
 * second sighting of the same key with the same seq is the same record
 * repeated inside one response and does not count again. bw may be NULL.
 * Returns 0 or PROTO_ENOMEM.
 */
int sensor_agg_add(struct sensor_agg *a, const struct proto_obs *key,
                   int64_t ts, uint64_t seq);

/* True once the memory bound is reached; the owner should flush. */
bool sensor_agg_is_full(const struct sensor_agg *a);
/* Rows held. */
size_t sensor_agg_count(const struct sensor_agg *a);
/* Bytes in use (table and arena). */
size_t sensor_agg_memory(const struct sensor_agg *a);

/*
 * Call fn for every row (in no particular order), then done(arg) (may be
 * NULL) while the rows are still valid, then empty the table. If a call
 * fails, the table is still emptied and the first error returned.
 */
int sensor_agg_flush(struct sensor_agg *a, sensor_agg_fn fn,
                     int (*done)(void *arg), void *arg);

#endif
