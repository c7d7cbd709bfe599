/*
 * prov_mnemonic.c - Mnemonic Passive DNS v3 to observations.
 *
 * {"responseCode":200,"limit":25,"offset":0,"count":N,"size":n,
 *  "messages":[..],"data":[{"query":Q,"answer":A,"rrtype":"a","rrclass":"in",
 *  "times":K,"firstSeenTimestamp":ms,"lastSeenTimestamp":ms,..}]}
 * query rrtype answer; times in milliseconds (truncated to seconds); times
 * is the count. page->offset and page->total echo offset and count: the
 * next page is offset + size while that is below count. A responseCode
 * other than 200 is an error with the first messages[].message; a 402
 * throttle's metaData.millisUntilResourcesAvailable goes to page->retry_ms.
 */
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

int
prov_mnemonic_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                    struct prov_page *page, char *why, size_t whylen)
{
	struct prov_json j;
	uint32_t data, end;
	int64_t code;
	int rc;

	prov_page_init(page);
	if ((rc = prov_json_parse(&j, body, len, why, whylen)) != 0)
		goto out;
	rc = PROTO_EFORMAT;
	if (prov_json_type(&j, 0) != PROV_JSON_OBJECT) {
		prov_why(why, whylen, rc, "Mnemonic: body is not an object");
		goto out;
	}
	if ((rc = prov_get_int(&j, 0, "responseCode", false, 0, &code, why, whylen)) != 0)
		goto out;
	if (code != 200) {
		uint32_t msgs = prov_json_get(&j, 0, "messages");
		uint32_t meta = prov_json_get(&j, 0, "metaData");
		char msg[200] = "";
		/* The throttle says when to come back. */
		if (meta && prov_json_type(&j, meta) == PROV_JSON_OBJECT)
			prov_get_int(&j, meta, "millisUntilResourcesAvailable", true, -1,
			             &page->retry_ms, NULL, 0);
		if (msgs && prov_json_type(&j, msgs) == PROV_JSON_ARRAY && j.tok[msgs].n)
			prov_get_str(&j, msgs + 1, "message", msg, sizeof msg, NULL, 0);
		rc = code == 402 || code == 429 ? PROTO_EBUSY :
		     code == 401 || code == 403 ? PROTO_EPERM : PROTO_EIO;
		prov_why(why, whylen, rc, "Mnemonic: responseCode %lld%s%s", (long long)code,
		         msg[0] ? ": " : "", msg);
		goto out;
	}
	if ((rc = prov_get_int(&j, 0, "offset", true, -1, &page->offset, why, whylen)) ||
	    (rc = prov_get_int(&j, 0, "count", true, -1, &page->total, why, whylen)))
		goto out;
	if (page->offset < -1 || page->total < -1) {
		rc = prov_why(why, whylen, PROTO_EFORMAT, "Mnemonic: negative 'offset' or 'count'");
		goto out;
	}
	rc = PROTO_EFORMAT;
	data = prov_json_get(&j, 0, "data");
	if (data == 0 || prov_json_type(&j, data) != PROV_JSON_ARRAY) {
		prov_why(why, whylen, rc, "Mnemonic: no 'data' array");
		goto out;
	}
	end = j.tok[data].next;
	for (uint32_t r = data + 1; r < end; r = j.tok[r].next) {
		char q[PROTO_NAME_TEXT_MAX], a[PROV_RDATA_MAX], t[PROTO_RRTYPE_TEXT_MAX];
		int64_t first, last, times;
		if (prov_json_type(&j, r) != PROV_JSON_OBJECT) {
			rc = prov_why(why, whylen, PROTO_EFORMAT, "Mnemonic: record is not an object");
			goto out;
		}
		if ((rc = prov_get_str(&j, r, "query", q, sizeof q, why, whylen)) ||
		    (rc = prov_get_str(&j, r, "answer", a, sizeof a, why, whylen)) ||
		    (rc = prov_get_str(&j, r, "rrtype", t, sizeof t, why, whylen)) ||
		    (rc = prov_get_int(&j, r, "firstSeenTimestamp", false, 0, &first, why, whylen)) ||
		    (rc = prov_get_int(&j, r, "lastSeenTimestamp", false, 0, &last, why, whylen)) ||
		    (rc = prov_get_int(&j, r, "times", true, 0, &times, why, whylen)))
			goto out;
		if (times < 0) {
			rc = prov_why(why, whylen, PROTO_EFORMAT, "Mnemonic: negative 'times'");
			goto out;
		}
		rc = prov_emit(q, t, a, NULL, first / 1000, last / 1000, (uint64_t)times,
		               fn, arg, page, why, whylen);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	prov_json_free(&j);
	return rc;
}

/*
 * Requests: GET /pdns/v3/VALUE?limit=N&offset=K[&rrType=t...] (a name or
 * one address; Mnemonic matches it on either side, prov_fetch keeps the
 * side asked for), the Argus-API-Key header when a key is set. limit is
 * capped at 1000, the public maximum (above it Mnemonic answers 412).
 * Paging: offset + size while below count.
 */
int
prov_mnemonic_request(const struct proto_query *q, uint64_t limit,
                      const struct prov_cursor *cur, const struct prov_creds *cr,
                      struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX], tmp[PROTO_RRTYPE_TEXT_MAX];
	int rc;

	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_NAME | PROV_K_RDATA_IP,
	                         "Mnemonic", why, whylen)))
		return rc;
	prov_request_init(r);
	rc = prov_req_value(q, v, sizeof v) || prov_req_path(r, "/pdns/v3/%s?limit=%llu&offset=%llu", v,
	                         (unsigned long long)(limit > 1000 ? 1000 : limit),
	                         (unsigned long long)cur->offset);
	for (unsigned i = 0; rc == 0 && i < q->ntypes; i++) {
		const char *t = proto_rrtype_name(q->types[i], tmp);
		char lower[PROTO_RRTYPE_TEXT_MAX];
		size_t k = 0;
		for (; t[k] && k + 1 < sizeof lower; k++)
			lower[k] = (char)(t[k] >= 'A' && t[k] <= 'Z' ? t[k] + 32 : t[k]);
		lower[k] = '\0';
		rc = prov_req_path(r, "&rrType=%s", lower);
	}
	rc = rc || prov_req_header(r, "Accept: application/json");
	if (rc == 0 && cr->key)
		rc = prov_req_header(r, "Argus-API-Key: %s", cr->key);
	return prov_req_done(r, rc, "Mnemonic", why, whylen);
}

bool
prov_mnemonic_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	(void)limit;
	if (p->total < 0 || p->offset < 0 || p->rows == 0 ||
	    (uint64_t)p->offset + p->rows >= (uint64_t)p->total)
		return false;
	cur->offset = (uint64_t)p->offset + p->rows;
	return true;
}
