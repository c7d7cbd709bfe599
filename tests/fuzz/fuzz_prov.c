/*
 * fuzz_prov.c - libFuzzer target: arbitrary bytes as one provider's response
 * body through its parser (cli/prov.h), the way a provider client hands it
 * what came back. One source, built once per provider: -DFUZZ_PROV="name"
 * picks the prov_table entry (tests/fuzz/CMakeLists.txt). Aborts when
 * - a delivered observation breaks proto_obs.h's rules: name and bailiwick
 *   are lowercase decoded wire names, the name at or below the bailiwick,
 *   rdata is printable ASCII without NUL and canonical for A, AAAA and name
 *   types (parsing it again gives the same text), times are not negative
 *   and first <= last when both are known, section answer, type neither 0
 *   nor ANY; or the provider's own rules (VirusTotal: one date and no
 *   count; PassiveTotal: no count);
 * - page->rows differs from the number of callbacks, or the page holds what
 *   its provider never sends (a cursor from anyone but VirusTotal);
 * - a refusal is not a PROTO_E* code with a one-line printable reason, or a
 *   success wrote a reason;
 * - a body that is not JSON (NDJSON: a line that is not), or is in the
 *   provider's error form (VirusTotal "error", PassiveTotal "message",
 *   Mnemonic responseCode other than 200, a 360 object, DNSDB "Error:" or a
 *   SAF "failed" line), is accepted;
 * - a callback that stops at row k does not stop the parser there with the
 *   callback's code after the same k rows as the full run.
 * Seeds (tests/fuzz/corpus/prov_*): the example, error and malformed bodies
 * of providers.md, http-compat.md and tests/unit/test_prov.c.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

#ifndef FUZZ_PROV
#error "build with -DFUZZ_PROV=\"<a prov_table name>\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STOP 7          /* the callback's own code: never a PROTO_E* */
#define WHY_LEN 256
#define HASHES 65536    /* rows whose running hash is kept for the rerun */

enum { IS_DNSDB = 1, IS_VT = 2, IS_PT = 4, IS_MN = 8, IS_360 = 16, NDJSON = 32 };

static unsigned flags;
static uint64_t hashes[HASHES];

struct seen {
	uint64_t calls, stop_at, hash;
	bool record;    /* first run: keep hashes[] */
};

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* A whole, lowercase, decoded wire name, as proto_name_unpack leaves it. */
static void
check_name(const uint8_t *w, size_t n)
{
	uint8_t out[PROTO_NAME_MAX];
	size_t pos = 0, outlen;

	if (w == NULL || n == 0 || n > PROTO_NAME_MAX ||
	    proto_name_unpack(w, n, &pos, out, &outlen, false) != 0 || pos != n ||
	    outlen != n || memcmp(out, w, n) != 0)
		abort();
}

static void
check_rdata(const struct proto_obs *o)
{
	char text[PROV_RDATA_MAX], back[PROV_RDATA_MAX];
	size_t n = o->rdata_len;

	if (o->rdata == NULL || n == 0 || n >= PROV_RDATA_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)o->rdata[i] < 0x20 || (unsigned char)o->rdata[i] > 0x7e)
			abort();
	memcpy(text, o->rdata, n);
	text[n] = '\0';
	if (o->rrtype == PROTO_T_A || o->rrtype == PROTO_T_AAAA) {
		int af = o->rrtype == PROTO_T_A ? AF_INET : AF_INET6;
		unsigned char a[16];
		if (inet_pton(af, text, a) != 1 || !inet_ntop(af, a, back, sizeof back) ||
		    strcmp(back, text) != 0)
			abort();
	} else if (o->rrtype == PROTO_T_NS || o->rrtype == PROTO_T_CNAME ||
	           o->rrtype == PROTO_T_DNAME || o->rrtype == PROTO_T_PTR) {
		uint8_t w[PROTO_NAME_MAX];
		size_t wl;
		struct proto_buf b;
		if (proto_name_parse(text, n, w, &wl) != 0)
			abort();
		proto_buf_init(&b, back, sizeof back);
		proto_name_format(w, wl, &b);
		if (b.err || strcmp(back, text) != 0)
			abort();
	}
}

static int
row(const struct proto_obs *o, void *arg)
{
	struct seen *s = arg;

	check_name(o->name, o->name_len);
	if (o->bailiwick) {
		check_name(o->bailiwick, o->bailiwick_len);
		if (!proto_name_is_subdomain(o->name, o->name_len, o->bailiwick,
		                             o->bailiwick_len))
			abort();
	} else if (o->bailiwick_len) {
		abort();
	}
	check_rdata(o);
	if (o->rrtype == 0 || o->rrtype == PROTO_T_ANY || o->section != PROTO_SEC_ANSWER ||
	    o->time_first < 0 || o->time_last < 0 ||
	    (o->time_first && o->time_last && o->time_first > o->time_last))
		abort();
	if ((flags & IS_VT) && (o->time_first != o->time_last || o->count ||
	    (o->rrtype != PROTO_T_A && o->rrtype != PROTO_T_AAAA)))
		abort();
	if ((flags & (IS_VT | IS_PT | IS_MN)) && o->bailiwick)
		abort();
	if ((flags & IS_PT) && o->count)
		abort();
	s->hash = mix(s->hash, o->name, o->name_len);
	s->hash = mix(s->hash, o->rdata, o->rdata_len);
	s->hash = mix(s->hash, &o->rrtype, sizeof o->rrtype);
	s->hash = mix(s->hash, &o->time_first, sizeof o->time_first);
	s->hash = mix(s->hash, &o->time_last, sizeof o->time_last);
	s->hash = mix(s->hash, &o->count, sizeof o->count);
	if (o->bailiwick)
		s->hash = mix(s->hash, o->bailiwick, o->bailiwick_len);
	if (s->record && s->calls < HASHES)
		hashes[s->calls] = s->hash;
	return ++s->calls == s->stop_at ? STOP : 0;
}

/* A reason: one non-empty line without control characters. */
static void
check_why(const char *why)
{
	size_t n = strnlen(why, WHY_LEN);

	if (n == 0 || n == WHY_LEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
			abort();
}

/* What a page says; on success offset and total are -1 or not negative. */
static void
check_page(const struct prov_page *pg, bool ok)
{
	size_t cl = strnlen(pg->cursor, sizeof pg->cursor);

	if (cl == sizeof pg->cursor || (cl && !(flags & IS_VT)) ||
	    (pg->limited && !(flags & IS_DNSDB)) ||
	    (pg->offset != -1 && !(flags & IS_MN)) ||
	    (pg->total != -1 && !(flags & (IS_MN | IS_VT))) ||
	    (ok && (pg->offset < -1 || pg->total < -1)))
		abort();
}

/* The body is one the parser must refuse: not its syntax, or its error form. */
static bool
must_refuse(const char *body, size_t len)
{
	struct prov_json j;
	bool refuse = false;

	if (flags & NDJSON) {
		if ((flags & IS_DNSDB) && len >= 6 && memcmp(body, "Error:", 6) == 0)
			return true;
		for (size_t i = 0; i < len && !refuse;) {
			const char *nl = memchr(body + i, '\n', len - i);
			size_t end = nl ? (size_t)(nl - body) : len, k = i;
			while (k < end && (body[k] == ' ' || body[k] == '\t' || body[k] == '\r'))
				k++;
			if (k < end) {
				if (prov_json_parse(&j, body + i, end - i, NULL, 0) != 0)
					refuse = true;
				else if ((flags & IS_DNSDB) && prov_json_type(&j, 0) == PROV_JSON_OBJECT)
					refuse = prov_json_str_is(&j, prov_json_get(&j, 0, "cond"), "failed");
				prov_json_free(&j);
			}
			i = end + 1;
		}
		return refuse;
	}
	if (prov_json_parse(&j, body, len, NULL, 0) != 0) {
		refuse = true;
	} else if (prov_json_type(&j, 0) != PROV_JSON_OBJECT) {
		refuse = !(flags & IS_360);
	} else if (flags & IS_VT) {
		refuse = prov_json_get(&j, 0, "error") != 0;
	} else if (flags & IS_PT) {
		uint32_t m = prov_json_get(&j, 0, "message");
		refuse = m && prov_json_type(&j, m) != PROV_JSON_NULL;
	} else if (flags & IS_MN) {
		int64_t code = 0;
		refuse = prov_json_int(&j, prov_json_get(&j, 0, "responseCode"), &code) != 0 ||
		         code != 200;
	} else {
		refuse = true; /* 360: an object is an error or not an answer */
	}
	prov_json_free(&j);
	return refuse;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct prov_def *p;
	const char *body = (const char *)data;
	struct prov_page pg;
	struct seen s = {0, 0, 0, true}, t = {0, 0, 0, false};
	char why[WHY_LEN];
	int rc;

	if (p == NULL) {
		if ((p = prov_find(FUZZ_PROV)) == NULL)
			abort();
		flags = strcmp(p->name, "dnsdb") == 0 ? IS_DNSDB | NDJSON :
		        strcmp(p->name, "circl") == 0 ? NDJSON :
		        strcmp(p->name, "virustotal") == 0 ? IS_VT :
		        strcmp(p->name, "passivetotal") == 0 ? IS_PT :
		        strcmp(p->name, "mnemonic") == 0 ? IS_MN : IS_360;
	}
	memset(why, 'w', sizeof why); /* no NUL: a success must leave it so */
	rc = p->parse(body, size, row, &s, &pg, why, sizeof why);
	if (pg.rows != s.calls)
		abort();
	check_page(&pg, rc == 0);
	if (rc == 0) {
		for (size_t i = 0; i < sizeof why; i++)
			if (why[i] != 'w')
				abort();
		if (must_refuse(body, size))
			abort();
	} else {
		if (rc < PROTO_ERR_MIN_ || rc > -1)
			abort();
		check_why(why);
	}
	if (s.calls == 0)
		return 0;
	/* Again, stopped by the callback at row k: the same k rows, then STOP. */
	t.stop_at = 1 + size % s.calls;
	rc = p->parse(body, size, row, &t, &pg, why, sizeof why);
	if (rc != STOP || t.calls != t.stop_at || pg.rows != t.stop_at - 1 ||
	    (t.stop_at <= HASHES && t.hash != hashes[t.stop_at - 1]))
		abort();
	check_why(why);
	return 0;
}
