/*
 * proto_peer.h - the peer protocol's messages: msgpack encoder and a strict,
 * non-allocating decoder (doc/peer-protocol.md is the specification).
 *
 * Every ZeroMQ message between sensor and node, pdns and node (queries and
 * the control socket), and node and peer is one msgpack array [version, type, fields...] in a strict profile:
 * fields in fixed positions, a fixed element count per type, only the
 * msgpack types the document lists, no maps, at most two levels of arrays
 * (rows are one flat array of fields, PROTO_PEER_ROW_FIELDS per row).
 *
 * Decoding is one pass over untrusted bytes with struct wire: every declared
 * length or count is checked against the bytes left before it is used, so a
 * header claiming 4 GiB costs nothing. The decoder never allocates: names,
 * rdata and origins in the decoded message point into the caller's buffer,
 * and rows go into a caller-provided array or are walked with
 * proto_peer_rows_next. Every rule (types, ranges, wire names, printable
 * rdata, times in order) is checked on the whole message before success is
 * returned, so a batch is applied whole or not at all.
 *
 * Encoding writes into a caller-provided bounded buffer and applies the same
 * checks first, so this node never sends what a peer must refuse.
 *
 * Threads: no state; any number of threads may encode and decode at once.
 * Errors: 0 or a negative PROTO_E* (proto_err.h); decode failures also set
 * msg->field and msg->why (static strings: what was refused and why) and
 * msg->at (its byte offset), for a one-line log and a counter per reason.
 */
#ifndef PROTO_PEER_H
#define PROTO_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"
#include "proto/proto_wire.h"

#define PROTO_PEER_VERSION 1

/* Limits (doc/peer-protocol.md, "Limits"). */
#define PROTO_PEER_MSG_MAX (4u << 20)   /* bytes in one message (ZMQ_MAXMSGSIZE) */
#define PROTO_PEER_ROWS_MAX 10000u      /* rows in one message */
#define PROTO_PEER_ORIGIN_MAX 32u       /* octets of an origin id (min 1) */
#define PROTO_PEER_RDATA_MAX (4u * 65536u + 1024u) /* octets of rdata text */
#define PROTO_PEER_TEXT_MAX 1024u       /* octets of an ERROR's text, a CONTROL's argument */
#define PROTO_PEER_HOPS_MAX 8u          /* QUERY hop_limit */
#define PROTO_PEER_DEADLINE_MAX 600000u /* QUERY deadline_ms (10 minutes) */
#define PROTO_PEER_GROUP_MAX 63u        /* octets of a sharing group's name */
#define PROTO_PEER_TLP_MAX 4u           /* TLP label: 0 clear ... 4 red */
#define PROTO_PEER_SENSOR_MAX 16u       /* octets of a sensor pseudonym (8 sent) */
#define PROTO_PEER_COMMAND_MAX 32u      /* octets of a CONTROL command (min 1) */
#define PROTO_PEER_REPORT_MAX (1u << 20) /* octets of a CONTROL_RESULT report */
#define PROTO_PEER_SOURCES_MAX 64u      /* sources in a final QUERY_RESULT */
#define PROTO_PEER_REASON_MAX 255u      /* octets of a source's one-line reason */
#define PROTO_PEER_PROVIDERS_MAX 16u    /* provider names in a client's QUERY */
#define PROTO_PEER_PROV_NO_CACHE 1u     /* QUERY prov_flags: ask, do not serve cached */
/* Bytes of a message with rows besides the rows themselves (headers and
 * scalar fields): a batch fits when PROTO_PEER_HEAD_MAX plus the sum of
 * proto_peer_row_size() is at most PROTO_PEER_MSG_MAX. The largest is an
 * OBS_BATCH's, 144 bytes: array header 1, version 1, type 1, origin 2 + 32,
 * stream 9, seq 9, rows array 32 header 5, group 2 + 63, tlp 1, sensor
 * 2 + 16 (QUERY_RESULT's is 25, SNAPSHOT_ROWS' 56). 192 (it was 96 before
 * batches carried their group, TLP and sensor) leaves room to spare. */
#define PROTO_PEER_HEAD_MAX 192u

/* Fields per row in a flat rows array. */
#define PROTO_PEER_ROW_FIELDS 8u        /* OBS_BATCH, SNAPSHOT_ROWS */
#define PROTO_PEER_RESULT_FIELDS 9u     /* QUERY_RESULT: the 8 plus origin */
#define PROTO_PEER_SOURCE_FIELDS 4u     /* QUERY_RESULT sources: name, status, rows, why */

enum proto_peer_type {
	PROTO_PEER_OBS_BATCH = 1,      /* origin, stream, seq, rows, group, tlp, sensor */
	PROTO_PEER_ACK = 2,            /* origin, stream, seq (highest applied) */
	PROTO_PEER_QUERY = 3,          /* query_id, hop_limit, deadline_ms, query
	                                * [, providers [, prov_flags]] */
	PROTO_PEER_QUERY_RESULT = 4,   /* query_id, part, final, status, limited, rows
	                                * [, sources] */
	PROTO_PEER_REPLAY_REQ = 5,     /* origin, stream (0: none), seq (from), group */
	PROTO_PEER_REPLAY_END = 6,     /* origin, stream, seq (last sent), group */
	PROTO_PEER_SNAPSHOT_BEGIN = 7, /* origin, snapshot_id, stream, seq, group, tlp */
	PROTO_PEER_SNAPSHOT_ROWS = 8,  /* origin, snapshot_id, part, rows */
	PROTO_PEER_SNAPSHOT_END = 9,   /* origin, snapshot_id, parts, total_rows */
	PROTO_PEER_ERROR = 10,         /* code, ref, text */
	PROTO_PEER_CONTROL = 11,       /* request_id, command, arg */
	PROTO_PEER_CONTROL_RESULT = 12, /* request_id, ok, report */
};
#define PROTO_PEER_TYPE_MAX 12

/* TLP 2.0 labels (the tlp of OBS_BATCH and SNAPSHOT_BEGIN). */
enum proto_peer_tlp {
	PROTO_PEER_TLP_CLEAR = 0,
	PROTO_PEER_TLP_GREEN = 1,
	PROTO_PEER_TLP_AMBER = 2,
	PROTO_PEER_TLP_AMBER_STRICT = 3,
	PROTO_PEER_TLP_RED = 4,
};

/* QUERY_RESULT status. */
enum proto_peer_status {
	PROTO_PEER_ST_OK = 0,          /* complete (up to limited) */
	PROTO_PEER_ST_PARTIAL = 1,     /* some sources did not answer in time */
	PROTO_PEER_ST_REFUSED = 2,     /* policy or budget */
	PROTO_PEER_ST_BAD_QUERY = 3,   /* the query is valid but not allowed here */
	PROTO_PEER_ST_UNAVAILABLE = 4, /* store busy or closed */
	PROTO_PEER_ST_INTERNAL = 5,
};
#define PROTO_PEER_STATUS_MAX 5

/*
 * What one source of a federated answer did (the sources of a final
 * QUERY_RESULT, doc/peer-protocol.md 5.4): the answering node itself, each
 * peer it asked, and what those peers reported of theirs.
 */
enum proto_peer_source_status {
	PROTO_PEER_SRC_ANSWERED = 0,   /* all its rows, in time */
	PROTO_PEER_SRC_LIMITED = 1,    /* answered, cut by the limit or a scan cap */
	PROTO_PEER_SRC_REFUSED = 2,    /* policy, budget, or the query seen before */
	PROTO_PEER_SRC_TIMED_OUT = 3,  /* no final part before the deadline */
	PROTO_PEER_SRC_ERROR = 4,      /* a bad query there, store unavailable, ... */
};
#define PROTO_PEER_SRC_STATUS_MAX 4

/* One source of a final QUERY_RESULT. Strings are not NUL-ended. */
struct proto_peer_source {
	const char *name;              /* printable ASCII, 1..PROTO_PEER_ORIGIN_MAX */
	uint8_t name_len;
	uint8_t status;                /* enum proto_peer_source_status */
	uint32_t rows;                 /* rows it gave */
	const char *why;               /* printable ASCII, 0..PROTO_PEER_REASON_MAX */
	uint8_t why_len;
};

/* ERROR codes; decoders accept any code 1..65535 (newer codes). */
enum proto_peer_code {
	PROTO_PEER_E_MALFORMED = 1,    /* the message broke a rule of the profile */
	PROTO_PEER_E_VERSION = 2,      /* unknown protocol version */
	PROTO_PEER_E_TOO_LARGE = 3,    /* over a size limit */
	PROTO_PEER_E_REFUSED = 4,      /* not allowed for this key */
	PROTO_PEER_E_QUOTA = 5,        /* rate quota exceeded; back off */
	PROTO_PEER_E_ORIGIN = 6,       /* origin not this sender's / not served here */
	PROTO_PEER_E_UNAVAILABLE = 7,  /* try again later */
	PROTO_PEER_E_INTERNAL = 8,
};

/* One row: an observation, plus its origin in QUERY_RESULT rows. */
struct proto_peer_row {
	struct proto_obs obs;          /* borrowed pointers; bailiwick may be NULL */
	const uint8_t *origin;         /* QUERY_RESULT only, else NULL */
	uint8_t origin_len;
};

/*
 * A message. Fields not used by `type` are zero after decoding and ignored
 * by the encoder. Pointers are borrowed: into the decoded buffer, or the
 * caller's for encoding.
 */
struct proto_peer_msg {
	uint8_t type;                  /* enum proto_peer_type */
	const uint8_t *origin;         /* OBS_BATCH, ACK, REPLAY_*, SNAPSHOT_* */
	uint8_t origin_len;            /* 1..PROTO_PEER_ORIGIN_MAX */
	uint64_t stream;               /* OBS_BATCH, ACK, REPLAY_*, SNAPSHOT_BEGIN */
	/* OBS_BATCH: this batch (>= 1); ACK: highest applied in order (>= 0);
	 * REPLAY_REQ: first wanted (>= 1); REPLAY_END: last sent (>= 0);
	 * SNAPSHOT_BEGIN: the last batch the rows include (>= 0). */
	uint64_t seq;
	uint64_t query_id;             /* QUERY, QUERY_RESULT (>= 1) */
	uint8_t hop_limit;             /* QUERY: 0..PROTO_PEER_HOPS_MAX */
	uint32_t deadline_ms;          /* QUERY: 1..PROTO_PEER_DEADLINE_MAX */
	const uint8_t *query;          /* QUERY: proto_query_encode bytes */
	uint16_t query_len;            /* 1..PROTO_QUERY_WIRE_MAX */
	uint32_t part;                 /* QUERY_RESULT, SNAPSHOT_ROWS: from 0 */
	bool final;                    /* QUERY_RESULT: last part */
	bool limited;                  /* QUERY_RESULT: cut by limit or scan cap */
	uint8_t status;                /* QUERY_RESULT: enum proto_peer_status */
	uint64_t snapshot_id;          /* SNAPSHOT_* (>= 1) */
	uint32_t parts;                /* SNAPSHOT_END: SNAPSHOT_ROWS sent */
	uint64_t total_rows;           /* SNAPSHOT_END: rows in them */
	uint16_t code;                 /* ERROR: enum proto_peer_code, >= 1 */
	uint64_t ref;                  /* ERROR: query_id, seq or 0 */
	const char *text;              /* ERROR: printable ASCII, not NUL-ended */
	uint16_t text_len;             /* 0..PROTO_PEER_TEXT_MAX */
	/* Strings below are not NUL-ended either. A zero-initialised
	 * OBS_BATCH is a sensor's: no group, tlp nil, no sensor pseudonym. */
	const char *group;             /* OBS_BATCH (may be empty), REPLAY_REQ, REPLAY_END, SNAPSHOT_BEGIN */
	uint8_t group_len;             /* 0..PROTO_PEER_GROUP_MAX */
	bool has_tlp;                  /* OBS_BATCH: false for nil; SNAPSHOT_BEGIN: always true */
	uint8_t tlp;                   /* 0..PROTO_PEER_TLP_MAX when has_tlp */
	const uint8_t *sensor;         /* OBS_BATCH: the sensor pseudonym (may be empty) */
	uint8_t sensor_len;            /* 0..PROTO_PEER_SENSOR_MAX */
	uint64_t request_id;           /* CONTROL, CONTROL_RESULT (>= 1) */
	const char *command;           /* CONTROL */
	uint8_t command_len;           /* 1..PROTO_PEER_COMMAND_MAX */
	const char *arg;               /* CONTROL */
	uint16_t arg_len;              /* 0..PROTO_PEER_TEXT_MAX */
	bool ok;                       /* CONTROL_RESULT */
	const char *report;            /* CONTROL_RESULT */
	uint32_t report_len;           /* 0..PROTO_PEER_REPORT_MAX */
	/* Rows of OBS_BATCH, SNAPSHOT_ROWS, QUERY_RESULT. Encoding reads
	 * rows[0..nrows); decoding sets rows to the caller's array (or NULL
	 * when none was given) and nrows to the count. */
	const struct proto_peer_row *rows;
	uint32_t nrows;
	/* QUERY_RESULT's optional last element, on a final part only: the
	 * encoder writes it when has_sources (sources[0..nsources)); the
	 * decoder sets has_sources and nsources, and proto_peer_sources_next
	 * walks them (sources stays NULL). Without it the message has the
	 * 8 elements of the first QUERY_RESULT. */
	bool has_sources;
	const struct proto_peer_source *sources;
	uint32_t nsources;
	const uint8_t *sources_buf;
	size_t sources_len;
	/* QUERY's optional elements 6 and 7 (a client's, doc/peer-protocol.md
	 * 5.3.2): the providers the node should ask too (none named: all of
	 * its own) and prov_flags (PROTO_PEER_PROV_NO_CACHE). The encoder
	 * writes both when has_providers (providers[0..nproviders), NUL-ended
	 * names); the decoder sets has_providers, nproviders and prov_flags,
	 * and proto_peer_providers_next walks the names. Without them the
	 * message has the 6 elements of the first QUERY. */
	bool has_providers;
	const char *const *providers;
	uint32_t nproviders;
	uint8_t prov_flags;
	const uint8_t *providers_buf;
	size_t providers_len;
	/* Decoder output for proto_peer_rows_init, and the failure detail. */
	const uint8_t *rows_buf;       /* the row elements' bytes */
	size_t rows_len;
	uint64_t version;              /* the version the message claimed */
	const char *field;             /* the element refused ("seq", "rrname") */
	const char *why;               /* static reason, NULL on success */
	size_t at;                     /* its byte offset in the message */
};

/* Walks the rows of a decoded message without a rows array. */
struct proto_peer_rows {
	struct wire w;
	uint32_t left;
	bool with_origin;
};

/* "OBS_BATCH", ... or NULL for an unknown type. */
const char *proto_peer_type_name(unsigned type);

/*
 * Decode and validate msg[0..len) (untrusted). Rows are stored in
 * rows[0..cap) when rows is not NULL (PROTO_ESPACE when the message has
 * more than cap; PROTO_PEER_ROWS_MAX always suffices); with rows NULL they
 * are validated and proto_peer_rows_next walks them. m points into buf,
 * which must outlive it. Errors: PROTO_ETRUNC (a length or count runs past
 * the end), PROTO_EFORMAT (not a peer message, or an unknown version),
 * PROTO_EINVAL (a rule of the profile), PROTO_ELABEL / PROTO_ENAMELEN /
 * PROTO_EPTR (a bad wire name), PROTO_ESPACE (cap); m->why and m->at say
 * what and where. Never allocates.
 */
int proto_peer_decode(struct proto_peer_msg *m, const uint8_t *buf, size_t len,
                      struct proto_peer_row *rows, size_t cap);

/* Start walking the rows of a message proto_peer_decode accepted. */
void proto_peer_rows_init(struct proto_peer_rows *it,
                          const struct proto_peer_msg *m);

/* Next row: 1 and *row set, 0 at the end, or a negative error (only if the
 * message was not the one proto_peer_decode accepted). */
int proto_peer_rows_next(struct proto_peer_rows *it, struct proto_peer_row *row);

/* Walks the sources of a decoded final QUERY_RESULT. */
struct proto_peer_sources {
	struct wire w;
	uint32_t left;
};

void proto_peer_sources_init(struct proto_peer_sources *it, const struct proto_peer_msg *m);

/* Next source: 1 and *src set (pointing into the message), 0 at the end. */
int proto_peer_sources_next(struct proto_peer_sources *it, struct proto_peer_source *src);

/* Walks the provider names of a decoded QUERY. */
struct proto_peer_names {
	struct wire w;
	uint32_t left;
};

void proto_peer_providers_init(struct proto_peer_names *it, const struct proto_peer_msg *m);

/* Next name: 1 with *name, *len set (pointing into the message, not
 * NUL-ended), 0 at the end. */
int proto_peer_providers_next(struct proto_peer_names *it, const char **name, size_t *len);

/* "answered", "limited", "refused", "timed out", "error" or NULL. */
const char *proto_peer_source_status_name(unsigned status);

/*
 * Encode m (with m->rows[0..m->nrows)) into buf[0..cap); *len gets the
 * size. PROTO_EINVAL when a field breaks a rule the decoder checks (the
 * same rules, from the same code), PROTO_ESPACE when the message does not
 * fit cap or PROTO_PEER_MSG_MAX. Integers use msgpack's smallest encoding.
 */
int proto_peer_encode(const struct proto_peer_msg *m, uint8_t *buf, size_t cap,
                      size_t *len);

/* Encoded size of one row (with its origin when with_origin). */
size_t proto_peer_row_size(const struct proto_peer_row *r, bool with_origin);

/* Encoded size of m's sources element (0 without one): a final part fits
 * when PROTO_PEER_HEAD_MAX, its rows and this are at most PROTO_PEER_MSG_MAX. */
size_t proto_peer_sources_size(const struct proto_peer_msg *m);

/* Check one row against the rules (for producers that build rows). */
int proto_peer_row_check(const struct proto_peer_row *r, bool with_origin);

/*
 * The exactly-once rule for a stream of batches (origin, stream, seq),
 * given what the receiver has applied: cur_stream (0: nothing from this
 * origin yet) and cur_seq, the last batch applied in it.
 *   APPLY:  stream == cur_stream and seq == cur_seq + 1
 *   DUP:    stream == cur_stream and seq <= cur_seq: ignore (re-ACK)
 *   RESYNC: anything else (a gap, another stream, no state): a peer sends
 *           REPLAY_REQ(origin, cur_stream, cur_seq + 1, group); a node receiving
 *           from a sensor answers ACK(stream, cur_seq).
 * A peer's state is per (origin, group): each group a peer publishes is a
 * stream of its own. A sensor's is per (origin, stream): for a stream the
 * node has not seen it passes cur_stream = stream, cur_seq = 0, so batch 1
 * applies (doc/peer-protocol.md, 3.1).
 */
enum proto_peer_verdict {
	PROTO_PEER_APPLY = 0,
	PROTO_PEER_DUP = 1,
	PROTO_PEER_RESYNC = 2,
};
enum proto_peer_verdict proto_peer_verdict(uint64_t cur_stream, uint64_t cur_seq,
                                           uint64_t stream, uint64_t seq);

/*
 * The publisher's answer to REPLAY_REQ(stream, from): true to replay
 * batches from..cur_seq (none when from == cur_seq + 1) then REPLAY_END;
 * false to send a snapshot. cur_stream/cur_seq are the stream of the group
 * the request names (once the requester is known to be in it); log_first
 * is the oldest batch still in that group's replay log
 * (cur_seq + 1 when the log is empty).
 */
bool proto_peer_replay_ok(uint64_t cur_stream, uint64_t cur_seq,
                          uint64_t log_first, uint64_t stream, uint64_t from);

#endif
