/*
 * prov_vt.c - VirusTotal API v3 resolutions to observations.
 *
 * {"meta":{"count":N,"cursor":"..."},"data":[{"type":"resolution",
 * "attributes":{"date":T,"host_name":H,"ip_address":I,...}}],"links":{...}}
 * Each resolution is host_name A (or AAAA, by the address family of
 * ip_address) ip_address, seen once at date: time_first = time_last = date,
 * count 0 (VT gives none: unknown). meta.cursor is the next page's cursor.
 * Errors: {"error":{"code":"QuotaExceededError","message":"..."}}.
 */
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"

int
prov_vt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
              struct prov_page *page, char *why, size_t whylen)
{
	struct prov_json j;
	uint32_t err, meta, data, end;
	int rc;

	prov_page_init(page);
	if ((rc = prov_json_parse(&j, body, len, why, whylen)) != 0)
		goto out;
	rc = PROTO_EFORMAT;
	if (prov_json_type(&j, 0) != PROV_JSON_OBJECT) {
		prov_why(why, whylen, rc, "VirusTotal: body is not an object");
		goto out;
	}
	if ((err = prov_json_get(&j, 0, "error")) != 0) {
		char code[64] = "?", msg[200] = "";
		prov_get_str(&j, err, "code", code, sizeof code, NULL, 0);
		prov_get_str(&j, err, "message", msg, sizeof msg, NULL, 0);
		rc = strcmp(code, "QuotaExceededError") == 0 ? PROTO_EBUSY :
		     strstr(code, "Credentials") || strstr(code, "Authentication") ? PROTO_EPERM :
		     strcmp(code, "NotFoundError") == 0 ? PROTO_ENOENT : PROTO_EIO;
		prov_why(why, whylen, rc, "VirusTotal: %s%s%s", code, msg[0] ? ": " : "", msg);
		goto out;
	}
	if ((meta = prov_json_get(&j, 0, "meta")) != 0 &&
	    prov_json_get(&j, meta, "cursor") &&
	    (rc = prov_get_str(&j, meta, "cursor", page->cursor, sizeof page->cursor,
	                       why, whylen)) != 0)
		goto out;
	if (meta && prov_json_get(&j, meta, "count") &&
	    (rc = prov_get_int(&j, meta, "count", false, 0, &page->total, why, whylen)) != 0)
		goto out;
	if (page->total < -1) {
		rc = prov_why(why, whylen, PROTO_EFORMAT, "VirusTotal: negative 'meta.count'");
		goto out;
	}
	rc = PROTO_EFORMAT;
	data = prov_json_get(&j, 0, "data");
	if (data == 0 || prov_json_type(&j, data) != PROV_JSON_ARRAY) {
		prov_why(why, whylen, rc, "VirusTotal: no 'data' array");
		goto out;
	}
	end = j.tok[data].next;
	for (uint32_t r = data + 1; r < end; r = j.tok[r].next) {
		char host[PROTO_NAME_TEXT_MAX], ip[64];
		uint32_t at = prov_json_get(&j, r, "attributes");
		int64_t date;
		if (at == 0) {
			rc = prov_why(why, whylen, PROTO_EFORMAT, "VirusTotal: no 'attributes'");
			goto out;
		}
		if ((rc = prov_get_str(&j, at, "host_name", host, sizeof host, why, whylen)) ||
		    (rc = prov_get_str(&j, at, "ip_address", ip, sizeof ip, why, whylen)) ||
		    (rc = prov_get_int(&j, at, "date", false, 0, &date, why, whylen)))
			goto out;
		rc = prov_emit(host, strchr(ip, ':') ? "AAAA" : "A", ip, NULL, date, date,
		               0, fn, arg, page, why, whylen);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	prov_json_free(&j);
	return rc;
}
