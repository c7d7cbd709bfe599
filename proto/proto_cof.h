/*
 * proto_cof.h - the COF line (draft-dulaunoy-dnsop-passive-dns-cof) of a row.
 *
 * One formatter for every program that prints observations as NDJSON
 * (pdns-sensor --format cof, pdns -j), so their lines are byte-identical:
 * keys rrname, rrtype, rdata, time_first, time_last, count, section and,
 * when known, bailiwick, in that order; names as dig prints them without
 * the trailing dot; JSON escapes by proto_buf_put_json. NXDOMAIN rows are
 * {"qname", "qtype", time_first, time_last, count}. Thread-safe.
 */
#ifndef PROTO_COF_H
#define PROTO_COF_H

#include "proto/proto_buf.h"
#include "proto/proto_obs.h"

/*
 * Append the line of r, '\n' included. Errors are the buffer's (sticky
 * PROTO_ESPACE); a buffer of 2 * PROTO_RDATA_TEXT_MAX + 8192 always fits a
 * row whose rdata is canonical text.
 */
void proto_cof_format(struct proto_buf *b, const struct proto_obs *r);

/* Append the JSON string "key":"value" with value escaped. */
void proto_cof_put_field(struct proto_buf *b, const char *key, const char *v,
                         size_t n);

#endif
