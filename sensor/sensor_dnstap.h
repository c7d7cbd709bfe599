/*
 * sensor_dnstap.h - dnstap input: protobuf dnstap.Dnstap messages carried
 * by Frame Streams (sensor_fstrm.h) from a resolver's socket or a file.
 *
 * Only response messages of the kept types become observations: by
 * default RESOLVER_RESPONSE and FORWARDER_RESPONSE, the resolver-to-
 * authoritative side a passive DNS sensor should see. The type is read from
 * the protobuf wire before anything else; CLIENT_QUERY, CLIENT_RESPONSE and
 * every other type are then counted and dropped without being decoded
 * (their client addresses and DNS messages are never parsed). A kept
 * message is decoded with protobuf-c (code generated at build time from
 * Debian's dnstap.proto); its response_message goes through sensor_dns
 * with response_time as the time and query_zone as the bailiwick. The
 * addresses and ports in the message are never read.
 */
#ifndef SENSOR_DNSTAP_H
#define SENSOR_DNSTAP_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_stats.h"

#define SENSOR_DNSTAP_CONTENT_TYPE "protobuf:dnstap.Dnstap"
/* The largest data frame accepted: a dnstap message holds at most a query
 * and a response of 64 KiB each plus a few hundred bytes. */
#define SENSOR_DNSTAP_MAX_FRAME (256u * 1024)

/* Kept message types (--dnstap-types). */
enum {
	SENSOR_DNSTAP_RESOLVER = 1,   /* RESOLVER_RESPONSE */
	SENSOR_DNSTAP_FORWARDER = 2,  /* FORWARDER_RESPONSE */
	SENSOR_DNSTAP_AUTH = 4,       /* AUTH_RESPONSE */
};
#define SENSOR_DNSTAP_DEFAULT (SENSOR_DNSTAP_RESOLVER | SENSOR_DNSTAP_FORWARDER)

/* "resolver,forwarder,auth" (any non-empty subset) to bits; PROTO_EINVAL. */
int sensor_dnstap_parse_types(const char *text, unsigned *out);

/* What a kept message gives the pipeline. */
struct sensor_dnstap_msg {
	const uint8_t *dns;   /* response_message */
	size_t len;
	int64_t sec;          /* response_time */
	uint32_t nsec;
	const uint8_t *zone;  /* query_zone, lowercased wire form; NULL if absent */
	size_t zlen;
};

/* Return 0, or a negative PROTO_E* that stops the input. */
typedef int (*sensor_dnstap_fn)(void *arg, const struct sensor_dnstap_msg *m);

/*
 * One data frame (a serialized dnstap.Dnstap): counted in st by what it
 * is; a kept message with a response goes to fn. Never fails on the
 * frame's content; returns 0 or fn's error.
 */
int sensor_dnstap_frame(const uint8_t *data, size_t len, unsigned types,
                        struct sensor_stats *st, sensor_dnstap_fn fn, void *arg);

struct sensor_run;

/* The live inputs of a run: either or both listeners. */
struct sensor_dnstap_cfg {
	unsigned types;             /* kept types; 0 means the default */
	const char *unix_path;      /* --dnstap-unix, or NULL */
	const char *tcp;            /* --dnstap-tcp HOST:PORT, or NULL */
	int flush_interval;         /* seconds between flushes of held rows */
};

/*
 * Read one Frame Streams file ("-": standard input) into the run. Returns
 * 0 or a PROTO_E* code with a one-line reason in why (frames before a
 * damaged or truncated part are processed): PROTO_ENOENT / PROTO_EPERM /
 * PROTO_EIO (cannot open or read), PROTO_EFORMAT (not Frame Streams of
 * dnstap, or a frame over the bound), PROTO_ETRUNC (ends inside a frame or
 * without its STOP frame).
 */
int sensor_dnstap_run_file(struct sensor_run *r, const char *path,
                           unsigned types, char *why, size_t whylen);

/*
 * Listen until sensor_run_stop(): every connection that completes the
 * Frame Streams handshake for dnstap feeds the run; held rows are flushed
 * every flush_interval seconds. Returns 0, PROTO_EINVAL (bad HOST:PORT),
 * PROTO_EIO (cannot listen; why says why) or the run's error.
 */
int sensor_dnstap_run_live(struct sensor_run *r, const struct sensor_dnstap_cfg *c,
                           char *why, size_t whylen);

#endif
