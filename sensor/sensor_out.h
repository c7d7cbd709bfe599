/*
 * sensor_out.h - printing observations: COF NDJSON and passivedns lines.
 *
 * COF: one JSON object per line with rrname, rrtype, rdata, time_first,
 * time_last, count, section and (when known) bailiwick. passivedns: the
 * 9-field default line of gamelinux/passivedns, with 0.0.0.0 for both
 * addresses and 0 for the TTL, since the sensor keeps neither. NXDOMAIN
 * rows print as {qname, qtype, time_first, time_last, count}.
 * Output is buffered; write errors are sticky and reported by
 * sensor_out_close(). Single-threaded.
 */
#ifndef SENSOR_OUT_H
#define SENSOR_OUT_H

#include <stdio.h>

#include "sensor/sensor_agg.h"

enum sensor_format { SENSOR_FMT_COF, SENSOR_FMT_PASSIVEDNS };

struct sensor_out {
	FILE *f;               /* borrowed */
	enum sensor_format fmt;
	unsigned long long rows;
	int err;               /* first write error (errno), sticky */
};

void sensor_out_init(struct sensor_out *o, FILE *f, enum sensor_format fmt);
/* sensor_agg_fn printing one observation or NXDOMAIN row. */
int sensor_out_row(void *arg, const struct proto_obs *row);
/* Flush the stream (a sensor_sink's done: arg is the sensor_out);
 * returns 0 or PROTO_EIO (errno in o->err). */
int sensor_out_flush(void *arg);

#endif
