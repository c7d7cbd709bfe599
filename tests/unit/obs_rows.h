/*
 * obs_rows.h - for the sensor's unit tests: the rows a table flushes,
 * flattened to "section|name|type|rdata|bailiwick|count|first|last"
 * (bailiwick "-" when unknown) and sorted, to compare as strings.
 */
#ifndef OBS_ROWS_H
#define OBS_ROWS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_name.h"
#include "sensor/sensor_agg.h"

static char rows[64][2600];
static int nrows;

static int
collect(void *arg, const struct proto_obs *r)
{
	char name[PROTO_NAME_TEXT_MAX], bw[PROTO_NAME_TEXT_MAX] = "-";
	struct proto_buf b;

	(void)arg;
	proto_buf_init(&b, name, sizeof(name));
	proto_name_format(r->name, r->name_len, &b);
	if (r->bailiwick != NULL) {
		proto_buf_init(&b, bw, sizeof(bw));
		proto_name_format(r->bailiwick, r->bailiwick_len, &b);
	}
	if (nrows < 64)
		snprintf(rows[nrows++], sizeof(rows[0]), "%d|%s|%u|%.*s|%s|%llu|%lld|%lld",
		         r->section, name, r->rrtype, (int)r->rdata_len, r->rdata, bw,
		         (unsigned long long)r->count, (long long)r->time_first,
		         (long long)r->time_last);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Flush agg (or nxd) into rows[], sorted; returns the row count. */
static int
drain(struct sensor_agg *a)
{
	nrows = 0;
	sensor_agg_flush(a, collect, NULL, NULL);
	qsort(rows, (size_t)nrows, sizeof(rows[0]), cmp);
	return nrows;
}

#endif
