/*
 * prov_360.c - 360 PassiveDNS.cn (flint) answers to observations.
 *
 * A JSON array of COF-like objects {rrname, rrtype, rdata, time_first,
 * time_last, count} whose rdata holds every value of the RRset joined by
 * ';' ("a;b;"): one observation per value. Errors: {"err":"..."}.
 * Paging is the request's count path element; the answer carries none.
 */
#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"

int
prov_360_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
               struct prov_page *page, char *why, size_t whylen)
{
	struct prov_json j;
	uint32_t end, e;
	int rc;

	prov_page_init(page);
	if ((rc = prov_json_parse(&j, body, len, why, whylen)) != 0)
		goto out;
	if (prov_json_type(&j, 0) == PROV_JSON_OBJECT && (e = prov_json_get(&j, 0, "err"))) {
		char msg[200] = "?";
		prov_json_str(&j, e, msg, sizeof msg, NULL);
		rc = prov_why(why, whylen, PROTO_EIO, "360: %s", msg);
		goto out;
	}
	if (prov_json_type(&j, 0) != PROV_JSON_ARRAY) {
		rc = prov_why(why, whylen, PROTO_EFORMAT, "360: body is not an array");
		goto out;
	}
	end = j.tok[0].next;
	for (uint32_t r = 1; r < end; r = j.tok[r].next)
		if ((rc = prov_cof_obj(&j, r, ';', fn, arg, page, why, whylen)) != 0)
			goto out;
	rc = 0;
out:
	prov_json_free(&j);
	return rc;
}
