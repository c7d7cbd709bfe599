/*
 * sensor_fstrm.h - Frame Streams transport for the dnstap input.
 *
 * Files are read with libfstrm's reader. Sockets (unix and TCP) are served
 * by a poll loop of our own, because libfstrm's reader blocks on one
 * stream; its control-frame codec (fstrm_control_*) encodes and decodes the
 * handshake: the sender's READY (content types offered) is answered with
 * ACCEPT (the one we take), then START, data frames, STOP, answered with
 * FINISH. A sender that starts with START (unidirectional) is accepted too.
 *
 * Bounds: data frames over max_frame are skipped unread and counted
 * (dnstap_oversized); control frames over 512 octets, a content type other
 * than ours, data before START or a handshake not done within 10 seconds
 * close the connection (dnstap_refused); at most max_conns connections are
 * open at once (more are accepted and closed at once, counted). Receive
 * buffers grow to the largest frame seen and no further. Single-threaded.
 */
#ifndef SENSOR_FSTRM_H
#define SENSOR_FSTRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_stats.h"

/* One data frame. Return 0, or a negative PROTO_E* to stop. */
typedef int (*sensor_fstrm_fn)(void *arg, const uint8_t *data, size_t len);

/*
 * Read the Frame Streams file at path ("-": standard input) whose START
 * names content_type (or none). Errors as sensor_dnstap_run_file(); a
 * frame over max_frame ends the read (PROTO_EFORMAT, counted).
 */
int sensor_fstrm_file(const char *path, const char *content_type, size_t max_frame,
                      struct sensor_stats *st, sensor_fstrm_fn fn, void *arg,
                      char *why, size_t whylen);

struct sensor_fstrm_server_cfg {
	const char *unix_path;     /* listen here (a stale socket is replaced), or NULL */
	const char *tcp;           /* HOST:PORT ([v6]:PORT), or NULL */
	const char *content_type;
	size_t max_frame;
	unsigned max_conns;
};

/* Check "HOST:PORT" / "[V6]:PORT" (numeric port 1..65535); PROTO_EINVAL. */
int sensor_fstrm_check_hostport(const char *text);

/*
 * Serve until stop() is true: frames to fn, tick(arg) at least every 200
 * ms (its error stops the loop). What is buffered when the stop comes is
 * read and delivered first. Returns 0, PROTO_EINVAL, PROTO_EIO (cannot
 * listen, with why) or the callbacks' error. The unix socket is removed
 * on return.
 */
int sensor_fstrm_serve(const struct sensor_fstrm_server_cfg *c,
                       struct sensor_stats *st, sensor_fstrm_fn fn,
                       int (*tick)(void *arg), bool (*stop)(void), void *arg,
                       char *why, size_t whylen);

/*
 * For tests and fuzzing: the socket side's parser over data[0..len), given
 * `chunk` octets at a time (0: all at once) as if they arrived on a
 * connection; replies (ACCEPT, FINISH) are written to a dup of fd. *open
 * tells whether the connection is still open at the end. Returns 0 or
 * fn's error.
 */
int sensor_fstrm_feed(int fd, const uint8_t *data, size_t len, size_t chunk,
                      const char *content_type, size_t max_frame,
                      struct sensor_stats *st, sensor_fstrm_fn fn, void *arg,
                      bool *open);

#endif
