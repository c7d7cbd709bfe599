/*
 * sensor_tcp.h - DNS over TCP: stream reassembly of the server's side.
 *
 * Only segments from port 53 are fed here. Each flow keeps the next
 * expected sequence number, the bytes of a message not yet complete and a
 * few out-of-order segments; complete 2-byte-length-prefixed messages go to
 * the callback with the time of the segment that completed them. Bytes seen
 * twice (retransmissions) are used once. A flow whose handshake was not
 * captured starts at its first data segment, assumed to begin a message.
 * Flows end on FIN/RST, after an idle timeout, or when the table is full
 * (8192 flows) or holds more than 64 MiB of partial data
 * (least recently used first). Single-threaded.
 */
#ifndef SENSOR_TCP_H
#define SENSOR_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_stats.h"

struct sensor_tcp;

struct sensor_tcp_key {
	uint8_t family;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Receives one whole DNS message (without its length prefix). */
typedef int (*sensor_tcp_fn)(void *arg, const uint8_t *msg, size_t len,
                             int64_t ts);

int sensor_tcp_new(struct sensor_tcp **out, struct sensor_stats *st,
                   size_t max_flows, int timeout, sensor_tcp_fn fn, void *arg);
void sensor_tcp_destroy(struct sensor_tcp **tp);

/*
 * One segment: flags are the TCP flag byte; data is the payload. `cut`
 * means the capture lost part of the payload (snap length).
 */
int sensor_tcp_segment(struct sensor_tcp *t, const struct sensor_tcp_key *key,
                       uint32_t seq, uint8_t flags, const uint8_t *data,
                       size_t len, bool cut, int64_t now);

/* Drop flows idle for longer than the timeout. */
void sensor_tcp_expire(struct sensor_tcp *t, int64_t now);

#endif
