/*
 * sensor_frag.h - IPv4 and IPv6 fragment reassembly.
 *
 * Fragments are keyed (family, source, destination, identification,
 * protocol). A datagram is complete when its last fragment has arrived and
 * the pieces cover it exactly; any overlap poisons it (overlaps are how
 * IDS evasion and cache-poisoning tricks work, and no honest sender makes
 * them). The table is bounded in datagrams and bytes; the oldest is evicted
 * first, and datagrams older than the timeout (packet time) are dropped.
 * Every drop is counted. Single-threaded.
 */
#ifndef SENSOR_FRAG_H
#define SENSOR_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_stats.h"

struct sensor_frag;

struct sensor_frag_key {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* transport protocol (IPv6: next header after the fragment header) */
	uint32_t id;
	uint8_t src[16], dst[16];
};

int sensor_frag_new(struct sensor_frag **out, struct sensor_stats *st,
                    size_t max_datagrams, size_t max_bytes, int timeout);
void sensor_frag_destroy(struct sensor_frag **fp);

/*
 * Add the fragment data[0..len) at byte offset `off`; `more` is the MF flag.
 * When this completes a datagram, returns true with out and outlen pointing at
 * the reassembled payload, valid until the next call.
 */
bool sensor_frag_add(struct sensor_frag *f, const struct sensor_frag_key *key,
                     size_t off, const uint8_t *data, size_t len, bool more,
                     int64_t now, const uint8_t **out, size_t *outlen);

/* Drop datagrams older than the timeout. */
void sensor_frag_expire(struct sensor_frag *f, int64_t now);

#endif
