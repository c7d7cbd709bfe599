/*
 * sensor_dns.h - from one DNS response to observations.
 *
 * sensor_dns_process() takes the bytes of one DNS message that came from
 * port 53 and, if it is a well-formed response (QR=1, opcode QUERY, any
 * rcode, TC too), adds its class IN records to the observation table:
 * answers always, authority and additional records only when in bailiwick
 * (see sensor_dns.c). NXDOMAIN responses also go to the NXDOMAIN table.
 * A message malformed anywhere adds nothing and is counted by reason.
 * The parser owns scratch buffers sized for the largest possible message, so
 * processing never allocates. Single-threaded.
 */
#ifndef SENSOR_DNS_H
#define SENSOR_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor_agg.h"
#include "sensor/sensor_stats.h"

struct sensor_dns;

/*
 * agg and nxd are borrowed (nxd may be NULL: NXDOMAIN rows are then not
 * kept); all_sections keeps in-bailiwick authority/additional rows.
 */
int sensor_dns_new(struct sensor_dns **out, struct sensor_agg *agg,
                   struct sensor_agg *nxd, struct sensor_stats *st,
                   bool all_sections);
void sensor_dns_destroy(struct sensor_dns **dp);

/*
 * Process one message seen at time ts (Unix seconds). `cut` says the
 * capture lost part of it (snap length): it is then only counted.
 * Returns 0, or PROTO_ENOMEM when the tables could not grow.
 */
int sensor_dns_process(struct sensor_dns *d, const uint8_t *msg, size_t len,
                       int64_t ts, bool cut);

/*
 * The same for a message whose sender names the zone it asked the server
 * as (dnstap's query_zone): zone[0..zlen), lowercased uncompressed wire
 * form, replaces Z above. Authority and additional records are kept only at
 * or below it and get it as their bailiwick, AA or not; answer records at
 * or below it get it too. zone NULL (or empty): as sensor_dns_process().
 */
int sensor_dns_process_zone(struct sensor_dns *d, const uint8_t *msg,
                            size_t len, int64_t ts, const uint8_t *zone,
                            size_t zlen);

#endif
