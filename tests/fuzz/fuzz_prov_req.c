/*
 * fuzz_prov_req.c - libFuzzer target: arbitrary queries and cursors through
 * every provider's request builder (cli/prov_<name>.c), the way prov_fetch
 * calls them. The input is a cursor token (one length byte, then that
 * many bytes, as a VirusTotal body or a CIRCL header may hand back), a
 * limit byte, then a query in proto_query_encode's form (undecodable
 * queries are skipped, as the node would refuse them). Aborts when a
 * builder that succeeds
 * - writes a path that does not start with '/' or holds a byte outside
 *   0x21..0x7e (it goes into a URL as is), or a header that is not one
 *   "Name: value" line of printable ASCII (no CR or LF: no injection);
 * - puts a key anywhere but its own header (the test key is unique);
 * or when a refusal is not a PROTO_E* code with a one-line reason.
 * Seeds (tests/fuzz/corpus/prov_req): the queries of test_pdns_conf.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/prov.h"
#include "proto/proto_err.h"
#include "proto/proto_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY "KEYKEYKEY-0123"

static bool
printable(const char *s, unsigned char lo)
{
	for (; *s; s++)
		if ((unsigned char)*s < lo || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct prov_creds cr = {"user@example.org", KEY, "id-360"};
	struct proto_query q;
	struct prov_cursor cur;
	struct prov_request r;
	char why[256];
	size_t n;

	if (size < 2)
		return 0;
	memset(&cur, 0, sizeof cur);
	n = data[0] < size - 1 ? data[0] : size - 1;
	if (n >= sizeof cur.token)
		n = sizeof cur.token - 1;
	memcpy(cur.token, data + 1, n);
	cur.token[strnlen(cur.token, n)] = '\0';
	if (strstr(cur.token, KEY))
		return 0; /* a cursor may be anything, but not the test's key */
	data += 1 + n;
	size -= 1 + n;
	if (size < 1)
		return 0;
	cur.offset = data[0] * 7u;
	if (proto_query_decode(&q, data + 1, size - 1) != 0)
		return 0;
	for (const struct prov_def *d = prov_table; d->name; d++) {
		uint64_t limit = 1 + data[0];
		bool key_header = false;
		int rc;
		why[0] = '\0';
		rc = d->request(&q, limit, &cur, &cr, &r, why, sizeof why);
		if (rc != 0) {
			if (rc > 0 || rc < PROTO_ERR_MIN_ || why[0] == '\0' || !printable(why, 0x20))
				abort();
			continue;
		}
		if (r.path[0] != '/' || !printable(r.path, 0x21) || strstr(r.path, KEY))
			abort();
		if (r.n_headers > PROV_HEADERS_MAX)
			abort();
		for (unsigned i = 0; i < r.n_headers; i++) {
			const char *h = r.headers[i], *colon = strstr(h, ": ");
			if (!colon || colon == h || !printable(h, 0x20))
				abort();
			if (strstr(h, KEY)) {
				if (key_header)
					abort(); /* one header carries the key, not two */
				key_header = true;
			}
		}
		prov_request_wipe(&r);
	}
	return 0;
}
