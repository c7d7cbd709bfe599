/*
 * sensor_stats.h - the sensor's counters.
 *
 * One flat array of uint64_t indexed by enum sensor_stat; the X-macro keeps
 * the names (printed on stderr as `name=value`) next to their meaning.
 * Owned by the sensor context; single-threaded.
 */
#ifndef SENSOR_STATS_H
#define SENSOR_STATS_H

#include <stdint.h>
#include <stdio.h>

#define SENSOR_STATS(X)                                                        \
	X(packets, "frames read")                                              \
	X(responses, "DNS responses accepted")                                 \
	X(records, "records kept as observations (before dedup)")              \
	X(nxdomain, "NXDOMAIN responses")                                      \
	X(queries, "DNS queries (QR=0), ignored")                              \
	X(not_dns, "frames that are not UDP/TCP from port 53")                 \
	X(link_unknown, "frames of an unsupported link or ethertype")          \
	X(link_short, "frames shorter than their link header")                 \
	X(ip_bad, "IP headers that are short or inconsistent")                 \
	X(ip_len_short, "IP lengths past an uncut frame (decoded as present)") \
	X(frag_held, "IP fragments queued for reassembly")                     \
	X(frag_reassembled, "datagrams rebuilt from fragments")                \
	X(frag_overlap, "datagrams dropped for overlapping fragments")         \
	X(frag_incomplete, "datagrams dropped incomplete (timeout or limit)")  \
	X(tcp_messages, "DNS messages taken from TCP streams")                 \
	X(tcp_client, "TCP segments towards port 53 (not followed)")          \
	X(tcp_retrans, "TCP segments or bytes seen twice, used once")          \
	X(tcp_gap, "TCP streams abandoned at a gap")                           \
	X(tcp_dropped, "TCP streams dropped for the table or buffer bound")    \
	X(drop_opcode, "responses with an opcode other than QUERY")            \
	X(drop_resolver, "responses not addressed to a --resolver")            \
	X(malformed_header, "messages shorter than a header")                  \
	X(malformed_ptr, "messages with a bad compression pointer")            \
	X(malformed_label, "messages with a label over 63 or of a bad type")   \
	X(malformed_name_len, "messages with a name over 255 octets")          \
	X(malformed_trunc, "messages ending before their counts or rdlength") \
	X(malformed_rdata, "messages with rdata inconsistent with its type")   \
	X(malformed_snaplen, "messages cut by the capture snap length")        \
	X(malformed_toolong, "messages whose text form exceeds a bound")       \
	X(trailing_bytes, "responses with bytes after the last record")        \
	X(drop_class, "records of a class other than IN")                      \
	X(drop_meta, "OPT, TSIG, TKEY and SIG(0) records")                     \
	X(drop_bailiwick, "authority/additional records out of bailiwick")     \
	X(drop_section, "records not printed because of --sections")          \
	X(dnstap_frames, "dnstap data frames read")                          \
	X(dnstap_resolver, "RESOLVER_RESPONSE messages decoded")               \
	X(dnstap_forwarder, "FORWARDER_RESPONSE messages decoded")             \
	X(dnstap_auth, "AUTH_RESPONSE messages decoded (--dnstap-types auth)") \
	X(dnstap_client, "CLIENT_QUERY/CLIENT_RESPONSE discarded unread")      \
	X(dnstap_other, "other dnstap messages discarded unread")             \
	X(dnstap_empty, "kept messages without a response or its time")        \
	X(dnstap_malformed, "frames not a dnstap protobuf, or bad query_zone") \
	X(dnstap_oversized, "frames over 256 KiB, dropped unread")             \
	X(dnstap_connections, "Frame Streams connections accepted")            \
	X(dnstap_refused, "connections closed: limit, handshake or protocol")  \
	X(flushes, "times the cache was flushed to make room")

enum sensor_stat {
#define SENSOR_STAT_ENUM(name, doc) SENSOR_ST_##name,
	SENSOR_STATS(SENSOR_STAT_ENUM)
#undef SENSOR_STAT_ENUM
	SENSOR_ST_COUNT_
};

struct sensor_stats {
	uint64_t v[SENSOR_ST_COUNT_];
};

#define SENSOR_STAT_INC(st, name) ((st)->v[SENSOR_ST_##name]++)
#define SENSOR_STAT_ADD(st, name, n) ((st)->v[SENSOR_ST_##name] += (n))

/* Name of counter i. */
const char *sensor_stats_name(int i);
/* Print "pdns-sensor: stats: a=1 b=2 ..." (all counters, one line). */
void sensor_stats_print(const struct sensor_stats *st, const char *prog,
                        uint64_t observations, FILE *f);

#endif
