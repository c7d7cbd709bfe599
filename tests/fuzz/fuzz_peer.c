/*
 * fuzz_peer.c - libFuzzer target: arbitrary bytes through the peer message
 * decoder (proto/proto_peer.h), the way a node reads a peer's message.
 * What decodes must decode the same way with and without a rows array,
 * hold the document's rules on its group, TLP, sensor pseudonym and control
 * fields (checked here again, apart from the decoder), re-encode, and
 * decode again to the same canonical text; anything else aborts. The decoder allocates nothing, so run with -malloc_limit_mb=1
 * to prove it under fuzzing too.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/peer/peer_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_CAP (4 * PROTO_PEER_MSG_MAX + 4096)

static const char *
text_of(const struct proto_peer_msg *m, char *store)
{
	struct proto_buf b;

	proto_buf_init(&b, store, TEXT_CAP);
	if (peer_text(m, &b) != 0 || b.err != 0)
		abort();
	return store;
}

/* Octets of p[0..n) all in the set, the first also in first. */
static bool
all_in(const char *p, size_t n, const char *first, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0' || strchr(i == 0 ? first : set, p[i]) == NULL)
			return false;
	}
	return true;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define COMMAND "abcdefghijklmnopqrstuvwxyz0123456789-"

/* doc/peer-protocol.md, sections 2 and 5, on an accepted message. */
static bool
rules_hold(const struct proto_peer_msg *m)
{
	bool grouped = m->type == PROTO_PEER_OBS_BATCH || m->type == PROTO_PEER_REPLAY_REQ ||
	               m->type == PROTO_PEER_REPLAY_END || m->type == PROTO_PEER_SNAPSHOT_BEGIN;

	if (grouped && (m->group_len > PROTO_PEER_GROUP_MAX ||
	                !all_in(m->group, m->group_len, ALNUM, ALNUM "._-") ||
	                (m->group_len == 0 && m->type != PROTO_PEER_OBS_BATCH)))
		return false;
	if (m->type == PROTO_PEER_OBS_BATCH &&
	    ((m->group_len == 0) != !m->has_tlp || m->sensor_len > PROTO_PEER_SENSOR_MAX))
		return false;
	if (m->type == PROTO_PEER_SNAPSHOT_BEGIN && !m->has_tlp)
		return false;
	if (m->has_tlp && m->tlp > PROTO_PEER_TLP_MAX)
		return false;
	if (m->type == PROTO_PEER_CONTROL &&
	    (m->request_id == 0 || m->command_len == 0 ||
	     m->command_len > PROTO_PEER_COMMAND_MAX ||
	     !all_in(m->command, m->command_len, COMMAND, COMMAND) ||
	     m->arg_len > PROTO_PEER_TEXT_MAX))
		return false;
	if (m->type == PROTO_PEER_CONTROL_RESULT &&
	    (m->request_id == 0 || m->report_len > PROTO_PEER_REPORT_MAX))
		return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Static, not malloc'd: -malloc_limit_mb=1 then catches any
	 * allocation the decoder would make. */
	static struct proto_peer_row rows[PROTO_PEER_ROWS_MAX];
	static struct proto_peer_source sources[PROTO_PEER_SOURCES_MAX];
	static char pnames[PROTO_PEER_PROVIDERS_MAX][PROTO_PEER_ORIGIN_MAX + 1];
	static const char *pptrs[PROTO_PEER_PROVIDERS_MAX];
	static uint8_t out[PROTO_PEER_MSG_MAX];
	static char t1[TEXT_CAP], t2[TEXT_CAP];
	struct proto_peer_msg m, d;
	size_t len;
	int err;

	err = proto_peer_decode(&m, data, size, NULL, 0);
	if (err != 0) {
		/* A refusal always says what and why. */
		if (m.why == NULL || m.field == NULL || m.at > size)
			abort();
		return 0;
	}
	if (!rules_hold(&m))
		abort();
	text_of(&m, t1);
	if (proto_peer_decode(&d, data, size, rows, PROTO_PEER_ROWS_MAX) != 0 ||
	    strcmp(text_of(&d, t2), t1) != 0)
		abort();
	/* Re-encode from the rows array (and the sources walked into theirs);
	 * the smallest encodings can only be as long as the input or shorter. */
	if (pt_sources_take(&d, sources) != 0 || pt_providers_take(&d, pnames, pptrs) != 0 ||
	    proto_peer_encode(&d, out, PROTO_PEER_MSG_MAX, &len) != 0 || len > size)
		abort();
	if (proto_peer_decode(&d, out, len, NULL, 0) != 0 ||
	    strcmp(text_of(&d, t2), t1) != 0)
		abort();
	return 0;
}
