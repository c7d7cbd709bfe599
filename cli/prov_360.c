/*
 * prov_360.c - 360 PassiveDNS.cn (flint) answers to observations.
 *
 * A JSON array of COF-like objects {rrname, rrtype, rdata, time_first,
 * time_last, count} whose rdata holds every value of the RRset joined by
 * ';' ("a;b;"): one observation per value. Errors: {"err":"..."}.
 * Paging is the request's count path element; the answer carries none.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

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

/*
 * Requests: GET /api/{rrset,rdata}/keyword/VALUE/count/N/ with
 * X-BashTokid (the api-id) and X-BashToken = md5(path + api-key) in hex:
 * the key signs the path and never travels itself. One page of at most
 * `limit` rows.
 */
static int
bash_token(const char *path, const char *key, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	/* Two updates instead of a concatenated copy of the key. */
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, path, strlen(path)) == 1 &&
	     EVP_DigestUpdate(ctx, key, strlen(key)) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 16;
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; ok && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return ok ? 0 : PROTO_EIO;
}

int
prov_360_request(const struct proto_query *q, uint64_t limit,
                 const struct prov_cursor *cur, const struct prov_creds *cr,
                 struct prov_request *r, char *why, size_t whylen)
{
	char v[3 * PROTO_NAME_TEXT_MAX], token[33];
	int rc;

	(void)cur;
	if ((rc = prov_req_check(q, PROV_K_RRSET | PROV_K_RDATA_NAME | PROV_K_RDATA_IP, "360",
	                         why, whylen)) ||
	    (rc = prov_req_need(cr->key_id, "360", "api-id", why, whylen)) ||
	    (rc = prov_req_need(cr->key, "360", "api-key", why, whylen)))
		return rc;
	prov_request_init(r);
	rc = prov_req_value(q, v, sizeof v) ||
	     prov_req_path(r, "/api/%s/keyword/%s/count/%llu/",
	                   q->kind == PROTO_Q_RRSET ? "rrset" : "rdata", v,
	                   (unsigned long long)limit);
	if (rc == 0 && bash_token(r->path, cr->key, token) != 0) {
		prov_request_wipe(r);
		return prov_why(why, whylen, PROTO_EIO, "360: OpenSSL has no MD5");
	}
	rc = rc || prov_req_header(r, "Accept: application/json") ||
	     prov_req_header(r, "X-BashTokid: %s", cr->key_id) ||
	     prov_req_header(r, "X-BashToken: %s", token);
	explicit_bzero(token, sizeof token);
	return prov_req_done(r, rc, "360", why, whylen);
}

bool
prov_360_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur)
{
	(void)p;
	(void)limit;
	(void)cur;
	return false;
}
