/*
 * prov_circl.c - CIRCL Passive DNS responses to observations.
 *
 * The body is COF (draft-dulaunoy-dnsop-passive-dns-cof) as NDJSON: one
 * object a line with rrname, rrtype, rdata (a string, or an array),
 * time_first, time_last, count and extras (origin, sensor_id) ignored here.
 * An empty body is an empty answer. CIRCL has no paging.
 */
#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"

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
