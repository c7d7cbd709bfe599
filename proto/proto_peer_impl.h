/*
 * proto_peer_impl.h - internal to the peer protocol codec; not for other
 * modules, whose interface is proto/proto_peer.h.
 *
 * The codec lives in files named for what they hold:
 *
 *   proto_peer.c         the layout table, the decoder and the
 *                        iterators, and the sequence rules;
 *   proto_peer_rules.c   the rules on values, shared by the encoder and
 *                        the decoder;
 *   proto_peer_encode.c  the encoder.
 *
 * The rules are one function each (proto_peer_msg_rules,
 * proto_peer_row_rules), called by both directions: what we send is
 * exactly what we accept. No allocation, no state, nothing shared between
 * threads.
 */
#ifndef PROTO_PEER_IMPL_H
#define PROTO_PEER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_peer.h"

/* Element kinds in a layout. The bytes kinds are contiguous: bin first,
 * then str (KIND_BYTES, KIND_STR). */
enum {
	K_U8 = 1, K_U16, K_U32, K_U64, K_BOOL,
	K_U8_NIL,  /* an integer 0..255 or nil (slot.nil) */
	K_ORIGIN,  /* bin, 1..PROTO_PEER_ORIGIN_MAX */
	K_QUERY,   /* bin, 1..PROTO_QUERY_WIRE_MAX */
	K_SENSOR,  /* bin, 0..PROTO_PEER_SENSOR_MAX */
	K_TEXT,    /* str, 0..PROTO_PEER_TEXT_MAX */
	K_GROUP,   /* str, 1..PROTO_PEER_GROUP_MAX */
	K_GROUP0,  /* str, 0..PROTO_PEER_GROUP_MAX (empty: no group) */
	K_COMMAND, /* str, 1..PROTO_PEER_COMMAND_MAX */
	K_REPORT,  /* str, 0..PROTO_PEER_REPORT_MAX */
	K_ROWS,    /* array of nrows * stride scalars */
	K_SOURCES, /* array of nsources * 4 scalars (QUERY_RESULT, optional) */
	K_PROVIDERS, /* array of 0..16 provider names (QUERY, optional, clients') */
};
#define KIND_BYTES(k) ((k) >= K_ORIGIN && (k) <= K_REPORT)
#define KIND_STR(k) ((k) >= K_TEXT && (k) <= K_REPORT)

#define FIELDS_MAX 9 /* elements of the longest message (OBS_BATCH) */

struct layout {
	uint8_t n;                  /* elements, version and type included */
	uint8_t opt;                /* of them, trailing ones a sender may leave out */
	uint8_t kind[FIELDS_MAX];   /* by position; [0], [1] unused */
	const char *name[FIELDS_MAX];
};

/* One element's value, whatever its kind. */
struct slot {
	uint64_t u;
	const uint8_t *p;
	size_t n;
	bool nil;                   /* K_U8_NIL: nil, not an integer */
};


/* Each message type's layout, by type; [0] unused. */
extern const struct layout proto_peer_layouts[PROTO_PEER_TYPE_MAX + 1];

/*
 * Rules on a row and on a message's scalar fields: 0 or an error, with the
 * position of the element at fault (*field, *pos) and a reason (*why).
 * proto_peer_msg_rules checks only the rules on elements before position
 * `upto` (a rule across elements counts at its last one): the decoder
 * checks what precedes the rows before it reads them, and everything at
 * the end; the encoder passes FIELDS_MAX.
 */
int proto_peer_row_rules(const struct proto_peer_row *r, bool with_origin, unsigned *field,
                         const char **why);
int proto_peer_msg_rules(const struct proto_peer_msg *m, unsigned upto, unsigned *pos,
                         const char **why);
/* The rules on one source of a QUERY_RESULT (*field: 0..3 at fault). */
int proto_peer_source_rules(const struct proto_peer_source *src, unsigned *field,
                            const char **why);

/* The rule on one provider name of a QUERY: 1..32 printable characters. */
bool proto_peer_provider_ok(const char *name, size_t len);
/* Whether p[0..n) is printable ASCII (0x20..0x7e). */
bool proto_peer_printable(const uint8_t *p, size_t n);

/* Bounds of a kind: the largest integer, or the shortest and longest bytes. */
uint64_t proto_peer_kind_max(unsigned kind);
size_t proto_peer_kind_min(unsigned kind);

#endif
