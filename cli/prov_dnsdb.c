/*
 * prov_dnsdb.c - Farsight DNSDB responses to observations.
 *
 * API v2 answers in SAF: NDJSON lines {"cond":...,"msg":...,"obj":{COF}};
 * the first line must be "begin", the last a terminator (succeeded, limited,
 * failed); anything else in between is "ongoing". A missing terminator is a
 * truncated answer, "failed" an error with the server's msg, "limited" sets
 * page->limited. API v1 bodies (bare COF lines, no cond) are read too.
 * DNSDB has no cursor: paging is the caller's offset= parameter.
 */
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"

struct saf {
	prov_row_fn fn;
	void *arg;
	struct prov_page *page;
	char *why;
	size_t whylen;
	unsigned lines;
	bool saf, begun, ended;
};

static int
saf_line(const struct prov_json *j, void *ctx)
{
	struct saf *s = ctx;
	uint32_t cond, obj;
	char msg[256] = "";

	s->lines++;
	if (prov_json_type(j, 0) != PROV_JSON_OBJECT)
		return prov_why(s->why, s->whylen, PROTO_EFORMAT, "not an object");
	if (s->ended)
		return prov_why(s->why, s->whylen, PROTO_EFORMAT,
		                "a line after the SAF terminator");
	cond = prov_json_get(j, 0, "cond");
	obj = prov_json_get(j, 0, "obj");
	if (s->lines == 1)
		s->saf = cond || obj || prov_json_get(j, 0, "msg");
	if (!s->saf) /* API v1: one COF object a line */
		return prov_cof_obj(j, 0, '\0', s->fn, s->arg, s->page, s->why, s->whylen);
	if (cond && prov_json_type(j, cond) != PROV_JSON_STRING)
		return prov_why(s->why, s->whylen, PROTO_EFORMAT, "'cond' is not a string");
	if (prov_json_get(j, 0, "msg"))
		prov_get_str(j, 0, "msg", msg, sizeof msg, NULL, 0);
	if (!s->begun) {
		if (!prov_json_str_is(j, cond, "begin"))
			return prov_why(s->why, s->whylen, PROTO_EFORMAT,
			                "SAF stream does not start with \"begin\"");
		s->begun = true;
	} else if (cond == 0 || prov_json_str_is(j, cond, "ongoing")) {
		/* a row or a keepalive */
	} else if (prov_json_str_is(j, cond, "succeeded")) {
		s->ended = true;
	} else if (prov_json_str_is(j, cond, "limited")) {
		s->ended = true;
		s->page->limited = true;
	} else if (prov_json_str_is(j, cond, "failed")) {
		return prov_why(s->why, s->whylen, PROTO_EIO, "DNSDB failed: %s",
		                msg[0] ? msg : "(no message)");
	} else {
		return prov_why(s->why, s->whylen, PROTO_EFORMAT, "unknown SAF cond");
	}
	if (obj)
		return prov_cof_obj(j, obj, '\0', s->fn, s->arg, s->page, s->why, s->whylen);
	return 0;
}

int
prov_dnsdb_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                 struct prov_page *page, char *why, size_t whylen)
{
	struct saf s = {fn, arg, page, why, whylen, 0, false, false, false};
	int rc;

	prov_page_init(page);
	if (len >= 6 && memcmp(body, "Error:", 6) == 0) /* v1 404 and 403 texts */
		return prov_why(why, whylen, PROTO_EIO, "DNSDB: %.*s",
		                (int)(len > 120 ? 120 : len - (body[len - 1] == '\n')), body);
	if ((rc = prov_ndjson(body, len, saf_line, &s, why, whylen)) != 0)
		return rc;
	if (s.saf && !s.ended)
		return prov_why(why, whylen, PROTO_ETRUNC,
		                "no SAF terminator at end of stream");
	return 0;
}
