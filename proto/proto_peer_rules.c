/*
 * proto_peer_rules.c - the rules on peer protocol values
 * (doc/peer-protocol.md), one function per thing checked, called by the
 * encoder (proto_peer_encode.c) and the decoder (proto_peer.c) alike: what
 * we send is exactly what we accept.
 */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_peer.h"
#include "proto/proto_peer_impl.h"
#include "proto/proto_query.h"

/* ---------------------------------------------------------------------
 * Rules on values, shared by the encoder and the decoder. Each returns 0 or
 * an error, with the position of the element at fault and a reason.
 */

bool
proto_peer_printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	}
	return true;
}

bool
proto_peer_provider_ok(const char *name, size_t len)
{
	return name != NULL && len >= 1 && len <= PROTO_PEER_ORIGIN_MAX &&
	       proto_peer_printable((const uint8_t *)name, len);
}

/* An ERROR's text, a CONTROL's argument (printable ASCII) or a
 * CONTROL_RESULT's report (ws: newlines and tabs too); NULL only if empty. */
static bool
text_ok(const char *t, size_t n, bool ws)
{
	const uint8_t *p = (const uint8_t *)t;

	if (p == NULL)
		return n == 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] < 0x20 || p[i] > 0x7e) && !(ws && (p[i] == '\n' || p[i] == '\t')))
			return false;
	}
	return true;
}

static bool
alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A sharing group's name, or empty (the length is the kind's): letters,
 * digits, '.', '_', '-', starting with a letter or a digit. */
static bool
group_ok(const char *g, size_t n)
{
	const uint8_t *p = (const uint8_t *)g;

	if (n == 0)
		return true;
	if (p == NULL || !alnum(p[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!alnum(p[i]) && p[i] != '.' && p[i] != '_' && p[i] != '-')
			return false;
	}
	return true;
}

/* A CONTROL command: lowercase letters, digits and '-'. */
static bool
command_ok(const char *c, size_t n)
{
	const uint8_t *p = (const uint8_t *)c;

	if (p == NULL && n != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return false;
	}
	return true;
}

/* A lowercased, uncompressed wire name of exactly n octets. */
static int
name_rules(const uint8_t *p, size_t n, const char **why)
{
	uint8_t out[PROTO_NAME_MAX];
	size_t pos = 0, outlen = 0;
	int err;

	if (p == NULL || n == 0 || n > PROTO_NAME_MAX) {
		*why = "name length out of range (1..255)";
		return PROTO_EINVAL;
	}
	err = proto_name_unpack(p, n, &pos, out, &outlen, false);
	if (err != 0) {
		*why = err == PROTO_EPTR ? "compression pointer in a name"
		       : err == PROTO_ELABEL ? "bad label type or length"
		       : err == PROTO_ENAMELEN ? "name longer than 255 octets"
		       : "name runs past its bin (no root label)";
		return err == PROTO_ETRUNC ? PROTO_EINVAL : err;
	}
	if (pos != n) {
		*why = "bytes after the root label";
		return PROTO_EINVAL;
	}
	if (memcmp(out, p, n) != 0) {
		*why = "uppercase letters in a name (names are lowercased)";
		return PROTO_EINVAL;
	}
	return 0;
}

int
proto_peer_row_rules(const struct proto_peer_row *r, bool with_origin, unsigned *field,
                     const char **why)
{
	const struct proto_obs *o = &r->obs;
	int err;

	*field = 0;
	if ((err = name_rules(o->name, o->name_len, why)) != 0)
		return err;
	*field = 1;
	if (o->rrtype == 0) {
		*why = "rrtype 0";
		return PROTO_EINVAL;
	}
	*field = 2;
	if (o->rdata_len > PROTO_PEER_RDATA_MAX || (o->rdata == NULL && o->rdata_len != 0)) {
		*why = "rdata longer than the limit";
		return PROTO_EINVAL;
	}
	if (!proto_peer_printable((const uint8_t *)o->rdata, o->rdata_len)) {
		*why = "rdata not printable ASCII";
		return PROTO_EINVAL;
	}
	if (o->section != PROTO_SEC_NXDOMAIN && o->rdata_len == 0) {
		*why = "empty rdata outside an nxdomain row";
		return PROTO_EINVAL;
	}
	if (o->section == PROTO_SEC_NXDOMAIN && o->rdata_len != 0) {
		*why = "nxdomain row with rdata";
		return PROTO_EINVAL;
	}
	*field = 3;
	if (o->section < PROTO_SEC_ANSWER || o->section > PROTO_SEC_NXDOMAIN) {
		*why = "section out of range (1..4)";
		return PROTO_EINVAL;
	}
	*field = 4;
	if (o->time_first < 0) {
		*why = "negative time";
		return PROTO_EINVAL;
	}
	*field = 5;
	if (o->time_last < o->time_first) {
		*why = "time_last before time_first";
		return PROTO_EINVAL;
	}
	*field = 6;
	/* A QUERY_RESULT row may come from a provider that reports no count
	 * (VirusTotal, PassiveTotal: 5.3.2); sensor data always has one. */
	if (o->count == 0 && !with_origin) {
		*why = "count 0";
		return PROTO_EINVAL;
	}
	*field = 7;
	if (o->bailiwick != NULL) {
		if ((err = name_rules(o->bailiwick, o->bailiwick_len, why)) != 0)
			return err;
		if (o->section == PROTO_SEC_NXDOMAIN) {
			*why = "nxdomain row with a bailiwick";
			return PROTO_EINVAL;
		}
		if (!proto_name_is_subdomain(o->name, o->name_len, o->bailiwick,
		                             o->bailiwick_len)) {
			*why = "rrname not at or below its bailiwick";
			return PROTO_EINVAL;
		}
	}
	*field = 8;
	if (with_origin && (r->origin == NULL || r->origin_len == 0 ||
	                    r->origin_len > PROTO_PEER_ORIGIN_MAX)) {
		*why = "origin length out of range (1..32)";
		return PROTO_EINVAL;
	}
	return 0;
}

int
proto_peer_source_rules(const struct proto_peer_source *src, unsigned *field,
                        const char **why)
{
	*field = 0;
	if (src->name == NULL || src->name_len == 0 || src->name_len > PROTO_PEER_ORIGIN_MAX ||
	    !proto_peer_printable((const uint8_t *)src->name, src->name_len)) {
		*why = "source name not 1..32 printable characters";
		return PROTO_EINVAL;
	}
	*field = 1;
	if (src->status > PROTO_PEER_SRC_STATUS_MAX) {
		*why = "unknown source status";
		return PROTO_EINVAL;
	}
	*field = 3;
	if (!text_ok(src->why, src->why_len, false)) {
		*why = "reason not printable ASCII";
		return PROTO_EINVAL;
	}
	return 0;
}

int
proto_peer_row_check(const struct proto_peer_row *r, bool with_origin)
{
	unsigned field;
	const char *why;

	return proto_peer_row_rules(r, with_origin, &field, &why);
}

/*
 * Rules across a message's scalar fields (the kinds' widths and lengths are
 * checked where they are read or written), on the elements before `upto`.
 * *pos gets the element at fault.
 */
int
proto_peer_msg_rules(const struct proto_peer_msg *m, unsigned upto, unsigned *pos,
                     const char **why)
{
	struct proto_query q;

#define RULE(cond, p, text)                                                      \
	do {                                                                     \
		if ((p) < upto && !(cond)) {                                     \
			*pos = (p);                                              \
			*why = (text);                                           \
			return PROTO_EINVAL;                                     \
		}                                                                \
	} while (0)
#define GROUP_RULE(p)                                                            \
	RULE(group_ok(m->group, m->group_len), (p),                              \
	     "not a group name (letters, digits, '.', '_', '-'; "                \
	     "first a letter or digit)")
	switch (m->type) {
	case PROTO_PEER_OBS_BATCH:
		RULE(m->stream != 0, 3, "stream 0");
		RULE(m->seq != 0, 4, "sequence 0 (batches count from 1)");
		GROUP_RULE(6);
		RULE(!m->has_tlp || m->tlp <= PROTO_PEER_TLP_MAX, 7, "TLP above 4 (red)");
		RULE(m->group_len == 0 || m->has_tlp, 7, "a group without a TLP (nil)");
		RULE(m->group_len != 0 || !m->has_tlp, 7, "a TLP without a group");
		break;
	case PROTO_PEER_ACK:
		RULE(m->stream != 0, 3, "stream 0");
		break;
	case PROTO_PEER_REPLAY_END:
		RULE(m->stream != 0, 3, "stream 0");
		GROUP_RULE(5);
		break;
	case PROTO_PEER_REPLAY_REQ:
		RULE(m->seq != 0, 4, "replay from sequence 0 (batches count from 1)");
		GROUP_RULE(5);
		break;
	case PROTO_PEER_QUERY:
		RULE(m->query_id != 0, 2, "query id 0");
		RULE(m->hop_limit <= PROTO_PEER_HOPS_MAX, 3, "hop limit above 8");
		RULE(m->deadline_ms >= 1 && m->deadline_ms <= PROTO_PEER_DEADLINE_MAX,
		     4, "deadline out of range (1..600000 ms)");
		RULE(m->query != NULL && proto_query_decode(&q, m->query, m->query_len) == 0,
		     5, "not a valid proto_query encoding");
		RULE((m->prov_flags & ~PROTO_PEER_PROV_NO_CACHE) == 0, 7, "unknown provider flag");
		break;
	case PROTO_PEER_QUERY_RESULT:
		RULE(m->query_id != 0, 2, "query id 0");
		RULE(m->status <= PROTO_PEER_STATUS_MAX, 5, "unknown status");
		RULE(m->final || m->status == PROTO_PEER_ST_OK, 5,
		     "status on a part that is not final");
		RULE(m->final || !m->limited, 6, "limited on a part that is not final");
		RULE(m->final || !m->has_sources, 8, "sources on a part that is not final");
		break;
	case PROTO_PEER_SNAPSHOT_BEGIN:
		RULE(m->snapshot_id != 0, 3, "snapshot id 0");
		RULE(m->stream != 0, 4, "stream 0");
		GROUP_RULE(6);
		RULE(m->has_tlp, 7, "no TLP (a snapshot always has one)");
		RULE(m->tlp <= PROTO_PEER_TLP_MAX, 7, "TLP above 4 (red)");
		break;
	case PROTO_PEER_SNAPSHOT_ROWS:
		RULE(m->snapshot_id != 0, 3, "snapshot id 0");
		break;
	case PROTO_PEER_SNAPSHOT_END:
		RULE(m->snapshot_id != 0, 3, "snapshot id 0");
		RULE(m->total_rows <= (uint64_t)m->parts * PROTO_PEER_ROWS_MAX, 5,
		     "more rows than its parts can hold");
		break;
	case PROTO_PEER_ERROR:
		RULE(m->code != 0, 2, "error code 0");
		RULE(text_ok(m->text, m->text_len, false), 4, "text not printable ASCII");
		break;
	case PROTO_PEER_CONTROL:
		RULE(m->request_id != 0, 2, "request id 0");
		RULE(command_ok(m->command, m->command_len), 3,
		     "command not lowercase letters, digits and '-'");
		RULE(text_ok(m->arg, m->arg_len, false), 4, "argument not printable ASCII");
		break;
	case PROTO_PEER_CONTROL_RESULT:
		RULE(m->request_id != 0, 2, "request id 0");
		RULE(text_ok(m->report, m->report_len, true), 4,
		     "report not printable ASCII, newlines and tabs");
		break;
	}
#undef GROUP_RULE
#undef RULE
	return 0;
}

/* Bounds of a kind: the largest integer, or the shortest and longest bytes. */
uint64_t
proto_peer_kind_max(unsigned kind)
{
	switch (kind) {
	case K_U8: return UINT8_MAX;
	case K_U16: return UINT16_MAX;
	case K_U32: return UINT32_MAX;
	case K_BOOL: return 1;
	case K_U8_NIL: return UINT8_MAX;
	case K_ORIGIN: return PROTO_PEER_ORIGIN_MAX;
	case K_QUERY: return PROTO_QUERY_WIRE_MAX;
	case K_SENSOR: return PROTO_PEER_SENSOR_MAX;
	case K_TEXT: return PROTO_PEER_TEXT_MAX;
	case K_GROUP: case K_GROUP0: return PROTO_PEER_GROUP_MAX;
	case K_COMMAND: return PROTO_PEER_COMMAND_MAX;
	case K_REPORT: return PROTO_PEER_REPORT_MAX;
	}
	return UINT64_MAX;
}

size_t
proto_peer_kind_min(unsigned kind)
{
	return kind == K_ORIGIN || kind == K_QUERY || kind == K_GROUP || kind == K_COMMAND
	       ? 1 : 0;
}
