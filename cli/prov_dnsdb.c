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
#include <stdio.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

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

/*
 * Requests: API v2 only, /dnsdb/v2/lookup/{rrset/name,rdata/name,rdata/ip,
 * rdata/raw}/VALUE[/TYPE[/BAILIWICK]] with limit, offset and the four time
 * fences as DNSDB names them. One type goes into the path; several types
 * ask for all (prov_fetch keeps those asked for), as does a bailiwick
 * without a type ("ANY"). Paging: a "limited" answer of `limit` rows is
 * followed by offset += limit.
 */
static const char *const fence_param[4] = {
	"time_first_after", "time_first_before", "time_last_after", "time_last_before",
};

int
prov_dnsdb_request(const struct proto_query *q, uint64_t limit,
                   const struct prov_cursor *cur, const struct prov_creds *cr,
                   struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX], bw[3 * PROTO_NAME_TEXT_MAX], tmp[PROTO_RRTYPE_TEXT_MAX];
	const char *type = q->ntypes == 1 ? proto_rrtype_name(q->types[0], tmp) : NULL;
	const int64_t fence[4] = {q->first_after, q->first_before, q->last_after, q->last_before};
	bool single;
	int rc = 0;

	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_NAME | PROV_K_RDATA_IP |
	                                PROV_K_WILDCARD | PROV_K_CIDR | PROV_K_RAW |
	                                PROV_K_BAILIWICK, "DNSDB", why, whylen)) ||
	    (rc = prov_req_need(cr->key, "DNSDB", "api-key", why, whylen)))
		return rc;
	prov_request_init(r);
	switch (q->kind) {
	case PROTO_Q_RRSET:
		rc = prov_req_name(q, v, sizeof v) ||
		     prov_req_path(r, "/dnsdb/v2/lookup/rrset/name/%s", v);
		if (rc == 0 && (type || q->bailiwick_len))
			rc = prov_req_path(r, "/%s", type ? type : "ANY");
		if (rc == 0 && q->bailiwick_len) {
			struct proto_buf b;
			char t[PROTO_NAME_TEXT_MAX];
			proto_buf_init(&b, t, sizeof t);
			proto_name_format(q->bailiwick, q->bailiwick_len, &b);
			rc = b.err || prov_req_escape(t, bw, sizeof bw) || prov_req_path(r, "/%s", bw);
		}
		break;
	case PROTO_Q_RDATA_NAME:
		rc = prov_req_name(q, v, sizeof v) ||
		     prov_req_path(r, "/dnsdb/v2/lookup/rdata/name/%s", v);
		break;
	case PROTO_Q_RDATA_IP:
		rc = prov_req_addr(q, v, sizeof v, &single) ||
		     prov_req_path(r, "/dnsdb/v2/lookup/rdata/ip/%s", v);
		break;
	default: /* PROTO_Q_RDATA_RAW, prov_req_check let nothing else by */
		rc = prov_req_path(r, "/dnsdb/v2/lookup/rdata/raw/");
		for (size_t i = 0; rc == 0 && i < q->raw_len; i++)
			rc = prov_req_path(r, "%02x", q->raw[i]);
		break;
	}
	if (rc == 0 && type && q->kind != PROTO_Q_RRSET && q->kind != PROTO_Q_RDATA_IP)
		rc = prov_req_path(r, "/%s", type);
	if (rc == 0)
		rc = prov_req_path(r, "?limit=%llu", (unsigned long long)limit);
	if (rc == 0 && cur->offset)
		rc = prov_req_path(r, "&offset=%llu", (unsigned long long)cur->offset);
	for (unsigned i = 0; rc == 0 && i < 4; i++)
		if (q->fences & (1u << i))
			rc = prov_req_path(r, "&%s=%lld", fence_param[i], (long long)fence[i]);
	if (rc == 0)
		rc = prov_req_header(r, "Accept: application/x-ndjson") ||
		     prov_req_header(r, "X-API-Key: %s", cr->key);
	return prov_req_done(r, rc, "DNSDB", why, whylen);
}

bool
prov_dnsdb_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	if (!p->limited || p->rows == 0)
		return false;
	cur->offset += limit;
	return true;
}
