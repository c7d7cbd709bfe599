/*
 * sensor_agg.h - in-memory aggregation of observations.
 *
 * Rows are keyed (section, rrtype, rrname, rdata) and carry time_first,
 * time_last, count and an optional bailiwick. The table is open-addressed
 * and grows by doubling (fixed tables are why gamelinux/passivedns slows down
 * as it fills); row bytes live in an arena freed all at once by a flush.
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

enum sensor_section {
	SENSOR_SEC_ANSWER = 1,
	SENSOR_SEC_AUTHORITY = 2,
	SENSOR_SEC_ADDITIONAL = 3,
	SENSOR_SEC_NXDOMAIN = 4, /* NXDOMAIN rows: name = qname, no rdata */
};

/*
 * A row handed to a flush callback; every pointer is borrowed. Names are in
 * decoded wire form (lowercased, uncompressed): turning them into text is
 * left to whoever prints a row, so the hot path never formats a name that
 * only repeats a known key.
 */
struct sensor_agg_row {
	const uint8_t *name;
	const char *rdata;
	const uint8_t *bailiwick; /* NULL when unknown */
	uint32_t name_len, rdata_len, bailiwick_len;
	uint16_t rrtype;
	uint8_t section;
	int64_t time_first, time_last;
	uint64_t count;
};

struct sensor_agg;

/* Flush callback: return 0, or a negative PROTO_E* to stop the flush. */
typedef int (*sensor_agg_fn)(void *arg, const struct sensor_agg_row *row);

int sensor_agg_new(struct sensor_agg **out, size_t mem_limit);
void sensor_agg_destroy(struct sensor_agg **ap);

/*
 * Add one sighting at time ts (seconds). `seq` identifies the message: a
 * second sighting of the same key with the same seq is the same record
 * repeated inside one response and does not count again. bw may be NULL.
 * Returns 0 or PROTO_ENOMEM.
 */
int sensor_agg_add(struct sensor_agg *a, const struct sensor_agg_row *key,
                   int64_t ts, uint64_t seq);

/* True once the memory bound is reached; the owner should flush. */
bool sensor_agg_is_full(const struct sensor_agg *a);
/* Rows held. */
size_t sensor_agg_count(const struct sensor_agg *a);
/* Bytes in use (table and arena). */
size_t sensor_agg_memory(const struct sensor_agg *a);

/*
 * Call fn for every row (in no particular order), then empty the table.
 * If fn fails, the table is still emptied and the first error returned.
 */
int sensor_agg_flush(struct sensor_agg *a, sensor_agg_fn fn, void *arg);

#endif
