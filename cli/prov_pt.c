/*
 * prov_pt.c - RiskIQ PassiveTotal /v2/dns/passive to observations.
 *
 * {"queryValue":Q,"results":[{"firstSeen":"YYYY-MM-DD HH:MM:SS","lastSeen":..,
 * "value":V,"recordType":"A","resolve":R,"resolveType":"ip",..}],..}
 * A row is value recordType resolve, except that for an address query the
 * value is the address and resolve the name: when value is an address the
 * two swap. Times are UTC text; "None" (or null) is 0, unknown. PassiveTotal
 * gives no count (0, unknown) and no paging. Errors: {"message":"..."},
 * "quota_exceeded" in it being the quota.
 */
#include <arpa/inet.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_time.h"

static int
pt_time(const struct prov_json *j, uint32_t r, const char *key, int64_t *t,
        char *why, size_t whylen)
{
	uint32_t v = prov_json_get(j, r, key);
	char s[32];

	*t = 0;
	if (v == 0 || prov_json_type(j, v) == PROV_JSON_NULL || prov_json_str_is(j, v, "None"))
		return 0;
	if (prov_json_str(j, v, s, sizeof s, NULL) != 0 || strlen(s) != 19 ||
	    s[4] != '-' || s[10] != ' ' || proto_time_parse(s, 0, t) != 0)
		return prov_why(why, whylen, PROTO_EFORMAT,
		                "PassiveTotal: '%s' is not a \"YYYY-MM-DD HH:MM:SS\" time", key);
	return 0;
}

static bool
is_addr(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int
prov_pt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
              struct prov_page *page, char *why, size_t whylen)
{
	struct prov_json j;
	uint32_t res, end, m;
	int rc;

	prov_page_init(page);
	if ((rc = prov_json_parse(&j, body, len, why, whylen)) != 0)
		goto out;
	rc = PROTO_EFORMAT;
	if (prov_json_type(&j, 0) != PROV_JSON_OBJECT) {
		prov_why(why, whylen, rc, "PassiveTotal: body is not an object");
		goto out;
	}
	if ((m = prov_json_get(&j, 0, "message")) != 0 &&
	    prov_json_type(&j, m) != PROV_JSON_NULL) {
		char msg[200] = "?";
		prov_json_str(&j, m, msg, sizeof msg, NULL);
		rc = strstr(msg, "quota_exceeded") ? PROTO_EBUSY : PROTO_EIO;
		prov_why(why, whylen, rc, "PassiveTotal: %s", msg);
		goto out;
	}
	res = prov_json_get(&j, 0, "results");
	if (res == 0 || prov_json_type(&j, res) != PROV_JSON_ARRAY) {
		prov_why(why, whylen, rc, "PassiveTotal: no 'results' array");
		goto out;
	}
	end = j.tok[res].next;
	for (uint32_t r = res + 1; r < end; r = j.tok[r].next) {
		char value[PROTO_NAME_TEXT_MAX], type[16], resolve[PROV_RDATA_MAX];
		int64_t first, last;
		bool swap;
		if (prov_json_type(&j, r) != PROV_JSON_OBJECT) {
			rc = prov_why(why, whylen, PROTO_EFORMAT, "PassiveTotal: result is not an object");
			goto out;
		}
		if ((rc = prov_get_str(&j, r, "value", value, sizeof value, why, whylen)) ||
		    (rc = prov_get_str(&j, r, "recordType", type, sizeof type, why, whylen)) ||
		    (rc = prov_get_str(&j, r, "resolve", resolve, sizeof resolve, why, whylen)) ||
		    (rc = pt_time(&j, r, "firstSeen", &first, why, whylen)) ||
		    (rc = pt_time(&j, r, "lastSeen", &last, why, whylen)))
			goto out;
		swap = is_addr(value) && !is_addr(resolve);
		rc = prov_emit(swap ? resolve : value, type, swap ? value : resolve, NULL,
		               first, last, 0, fn, arg, page, why, whylen);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	prov_json_free(&j);
	return rc;
}

/*
 * Requests: GET /v2/dns/passive?query=VALUE (a name or one address), HTTP
 * Basic user:api-key. One page: PassiveTotal's pager is not used.
 */
int
prov_pt_request(const struct proto_query *q, uint64_t limit,
                const struct prov_cursor *cur, const struct prov_creds *cr,
                struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX];
	int rc;

	(void)limit;
	(void)cur;
	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_IP, "PassiveTotal", why,
	                         whylen)) ||
	    (rc = prov_req_need(cr->user, "PassiveTotal", "user", why, whylen)) ||
	    (rc = prov_req_need(cr->key, "PassiveTotal", "api-key", why, whylen)))
		return rc;
	prov_request_init(r);
	rc = prov_req_value(q, v, sizeof v) || prov_req_path(r, "/v2/dns/passive?query=%s", v) ||
	     prov_req_header(r, "Accept: application/json");
	r->basic_auth = rc == 0;
	return prov_req_done(r, rc, "PassiveTotal", why, whylen);
}

bool
prov_pt_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	(void)p;
	(void)limit;
	(void)cur;
	return false;
}
