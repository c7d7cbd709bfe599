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
#include <stdio.h>
#include <string.h>

#include "cli/prov.h"
#include "cli/prov_json.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

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

/*
 * Requests: GET /api/v3/domains/NAME/resolutions or
 * /api/v3/ip_addresses/ADDR/resolutions, limit at most 40 (VirusTotal's
 * cap), the x-apikey header. VirusTotal knows only host-to-address
 * resolutions: no rdata names, wildcards, blocks or types but A and AAAA.
 * Paging: meta.cursor, sent back as cursor= until it is empty.
 */
int
prov_vt_request(const struct proto_query *q, uint64_t limit,
                const struct prov_cursor *cur, const struct prov_creds *cr,
                struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX], c[3 * PROV_CURSOR_MAX];
	bool addr_type = q->ntypes == 0;
	int rc;

	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_IP, "VirusTotal", why, whylen)) ||
	    (rc = prov_req_need(cr->key, "VirusTotal", "api-key", why, whylen)))
		return rc;
	for (unsigned i = 0; i < q->ntypes; i++)
		addr_type |= q->types[i] == PROTO_T_A || q->types[i] == PROTO_T_AAAA;
	if (!addr_type)
		return prov_why(why, whylen, PROTO_ENOTSUP,
		                "VirusTotal knows only A and AAAA resolutions");
	prov_request_init(r);
	rc = prov_req_value(q, v, sizeof v) ||
	     prov_req_path(r, "/api/v3/%s/%s/resolutions",
	                   q->kind == PROTO_Q_RDATA_IP ? "ip_addresses" : "domains", v);
	rc = rc || prov_req_path(r, "?limit=%llu", (unsigned long long)(limit > 40 ? 40 : limit));
	if (rc == 0 && cur->token[0])
		rc = prov_req_escape(cur->token, c, sizeof c) || prov_req_path(r, "&cursor=%s", c);
	rc = rc || prov_req_header(r, "Accept: application/json") ||
	     prov_req_header(r, "x-apikey: %s", cr->key);
	return prov_req_done(r, rc, "VirusTotal", why, whylen);
}

bool
prov_vt_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	(void)limit;
	if (p->cursor[0] == '\0' || p->rows == 0 || strcmp(p->cursor, cur->token) == 0)
		return false;
	snprintf(cur->token, sizeof cur->token, "%s", p->cursor);
	return true;
}
