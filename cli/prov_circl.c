/*
 * prov_circl.c - CIRCL Passive DNS responses to observations.
 *
 * The body is COF (draft-dulaunoy-dnsop-passive-dns-cof) as NDJSON: one
 * object a line with rrname, rrtype, rdata (a string, or an array),
 * time_first, time_last, count and extras (origin, sensor_id) ignored here.
 * An empty body is an empty answer. Requests and paging (pDNS 2.0's
 * dribble cursor) are at the end.
 */
#include <stdio.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"

struct circl {
	prov_row_fn fn;
	void *arg;
	struct prov_page *page;
	char *why;
	size_t whylen;
};

static int
circl_line(const struct prov_json *j, void *ctx)
{
	struct circl *c = ctx;

	return prov_cof_obj(j, 0, '\0', c->fn, c->arg, c->page, c->why, c->whylen);
}

int
prov_circl_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                 struct prov_page *page, char *why, size_t whylen)
{
	struct circl c = {fn, arg, page, why, whylen};

	prov_page_init(page);
	return prov_ndjson(body, len, circl_line, &c, why, whylen);
}

/*
 * Requests: GET /pdns/query/VALUE (a name or one address) with Basic auth
 * (user and api-key) or, with an api-key alone, the raw Authorization
 * header PyPDNS sends. CIRCL pDNS 2.0's dribble headers ask for pages of
 * `limit` rows and say not to resolve the name actively; a 1.0 server
 * ignores them and answers everything at once. Paging: the response's
 * x-dribble-cursor header (copied into page->cursor by prov_fetch).
 */
int
prov_circl_request(const struct proto_query *q, uint64_t limit,
                   const struct prov_cursor *cur, const struct prov_creds *cr,
                   struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX], tmp[PROTO_RRTYPE_TEXT_MAX];
	int rc;

	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_NAME | PROV_K_RDATA_IP,
	                         "CIRCL", why, whylen)))
		return rc;
	/* The cursor came from a response header: it goes back into one. */
	for (const char *c = cur->token; *c; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
			return prov_why(why, whylen, PROTO_EINVAL, "CIRCL: a cursor that is not "
			                "printable ASCII");
	prov_request_init(r);
	rc = prov_req_value(q, v, sizeof v) || prov_req_path(r, "/pdns/query/%s", v) ||
	     prov_req_header(r, "Accept: application/json") ||
	     prov_req_header(r, "dribble-disable-active-query: 1") ||
	     prov_req_header(r, "dribble-paginate-count: %llu", (unsigned long long)limit);
	if (rc == 0 && cur->token[0])
		rc = prov_req_header(r, "dribble-paginate-cursor: %s", cur->token);
	if (rc == 0 && q->ntypes == 1)
		rc = prov_req_header(r, "dribble-filter-rrtype: %s",
		                     proto_rrtype_name(q->types[0], tmp));
	if (rc == 0 && cr->key && cr->user)
		r->basic_auth = true;
	else if (rc == 0 && cr->key)
		rc = prov_req_header(r, "Authorization: %s", cr->key);
	return prov_req_done(r, rc, "CIRCL", why, whylen);
}

bool
prov_circl_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	(void)limit;
	if (p->cursor[0] == '\0' || p->rows == 0 || strcmp(p->cursor, cur->token) == 0)
		return false;
	snprintf(cur->token, sizeof cur->token, "%s", p->cursor);
	return true;
}
