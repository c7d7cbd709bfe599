/*
 * sensor_run.h - one sensor run: inputs through the pipeline to an output.
 *
 * Owns the observation and NXDOMAIN tables, the DNS parser and the packet
 * decoder, and wires them to the outputs. Files are read in order; a live
 * interface runs until SIGINT/SIGTERM. Held rows are printed when the
 * memory bound is reached, at each live flush interval and at the end, so
 * nothing acknowledged as read is lost on a clean stop.
 */
#ifndef SENSOR_RUN_H
#define SENSOR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sensor/sensor_agg.h"
#include "sensor/sensor_pkt.h"
#include "sensor/sensor_stats.h"

struct sensor_run_cfg {
	bool all_sections;
	size_t cache_bytes;        /* bound on held rows (both tables) */
	const struct sensor_addr *resolvers;
	size_t nresolvers;
	bool progress;             /* progress line on stderr */
	/* live capture */
	int snaplen;
	bool promisc;
	const char *filter;        /* BPF, or NULL */
	int flush_interval;        /* seconds */
};

/*
 * Where held rows go when the table is flushed: `row` for each, then
 * `done` once the flush is complete (write out what is buffered). The
 * sensor prints rows (sensor_out) or stores them (the executable wires a
 * store), without depending on the store.
 */
struct sensor_sink {
	sensor_agg_fn row;
	int (*done)(void *arg);
	void *arg;
};

struct sensor_run;

/* Sinks are copied; nxd may be NULL (NXDOMAIN rows are then not kept). */
int sensor_run_new(struct sensor_run **out, const struct sensor_run_cfg *cfg,
                   const struct sensor_sink *obs, const struct sensor_sink *nxd);
void sensor_run_destroy(struct sensor_run **rp);

/*
 * Read one capture file. Returns 0 or a PROTO_E* code with a one-line
 * reason in why (frames before a truncation are processed).
 */
int sensor_run_file(struct sensor_run *r, const char *path, char *why,
                    size_t whylen);

/*
 * Capture live on iface until a stop signal. PROTO_ENOENT: no such
 * interface; PROTO_EPERM: no permission; PROTO_EINVAL: bad filter.
 */
int sensor_run_live(struct sensor_run *r, const char *iface, char *why,
                    size_t whylen);

/* Hand every held row to the sinks. Returns 0 or the sinks' error. */
int sensor_run_flush(struct sensor_run *r);

/* Ask a running live capture to stop (async-signal-safe). */
void sensor_run_stop(void);

const struct sensor_stats *sensor_run_stats(const struct sensor_run *r);

/*
 * Inputs that are not captures (dnstap, sensor_dnstap.c): one DNS message
 * seen at time sec, with the zone its sender names as the bailiwick (wire
 * form, lowercased; NULL for the capture rule), through the same parser,
 * tables and sinks. Returns 0 or PROTO_ENOMEM / the sinks' error.
 */
int sensor_run_message(struct sensor_run *r, const uint8_t *msg, size_t len,
                       int64_t sec, const uint8_t *zone, size_t zlen);
/* The run's counters, for those inputs to count in. */
struct sensor_stats *sensor_run_counters(struct sensor_run *r);
/* True once sensor_run_stop() was called. */
bool sensor_run_stopping(void);

#endif
