/*
 * prov_mnemonic.c - Mnemonic Passive DNS v3 to observations.
 *
 * {"responseCode":200,"limit":25,"offset":0,"count":N,"size":n,
 *  "messages":[..],"data":[{"query":Q,"answer":A,"rrtype":"a","rrclass":"in",
 *  "times":K,"firstSeenTimestamp":ms,"lastSeenTimestamp":ms,..}]}
 * query rrtype answer; times in milliseconds (truncated to seconds); times
 * is the count. page->offset and page->total echo offset and count: the
 * next page is offset + size while that is below count. A responseCode
 * other than 200 is an error with the first messages[].message.
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
		char msg[200] = "";
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
