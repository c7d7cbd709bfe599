/*
 * prov.c - what the provider parsers share (prov.h): the registry, turning
 * text fields into one observation, COF objects and NDJSON bodies.
 */
#include "cli/prov.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/prov_json.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

const struct prov_def prov_table[] = {
	{.name = "dnsdb", .desc = "Farsight DNSDB API v2 (SAF) and v1 (COF lines)",
	 .parse = prov_dnsdb_parse, .request = prov_dnsdb_request, .next = prov_dnsdb_next,
	 .base_url = "https://api.dnsdb.info", .flags = PROV_F_OFFSET},
	{.name = "circl", .desc = "CIRCL Passive DNS (COF, one object a line)",
	 .parse = prov_circl_parse, .request = prov_circl_request, .next = prov_circl_next,
	 .cursor_header = "x-dribble-cursor", .base_url = "https://www.circl.lu",
	 .flags = PROV_F_404_EMPTY},
	{.name = "virustotal", .desc = "VirusTotal API v3 resolutions",
	 .parse = prov_vt_parse, .request = prov_vt_request, .next = prov_vt_next,
	 .base_url = "https://www.virustotal.com", .flags = PROV_F_404_EMPTY},
	{.name = "passivetotal", .desc = "RiskIQ PassiveTotal /v2/dns/passive",
	 .parse = prov_pt_parse, .request = prov_pt_request, .next = prov_pt_next,
	 .base_url = "https://api.passivetotal.org"},
	{.name = "mnemonic", .desc = "Mnemonic Passive DNS v3",
	 .parse = prov_mnemonic_parse, .request = prov_mnemonic_request,
	 .next = prov_mnemonic_next, .base_url = "https://api.mnemonic.no",
	 .flags = PROV_F_OFFSET},
	{.name = "360", .desc = "360 PassiveDNS.cn (JSON array of COF objects)",
	 .parse = prov_360_parse, .request = prov_360_request, .next = prov_360_next,
	 .base_url = "https://api.passivedns.cn",
	 .flags = PROV_F_FULL_LIMITED},
	{.name = NULL},
};

const struct prov_def *
prov_find(const char *name)
{
	for (const struct prov_def *p = prov_table; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void
prov_page_init(struct prov_page *page)
{
	memset(page, 0, sizeof *page);
	page->offset = page->total = page->retry_ms = -1;
}

int
prov_why(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
		/* Reasons quote the body: keep them one line without escapes. */
		for (char *c = why; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return err;
}

/* Canonical rdata text of rdata for type into out. */
static int
canon_rdata(uint16_t type, const char *rdata, char *out, size_t cap,
            char *why, size_t whylen)
{
	size_t n = strlen(rdata);

	if (type == PROTO_T_A || type == PROTO_T_AAAA) {
		unsigned char a[16];
		int af = type == PROTO_T_A ? AF_INET : AF_INET6;
		if (inet_pton(af, rdata, a) != 1 || !inet_ntop(af, a, out, (socklen_t)cap))
			return prov_why(why, whylen, PROTO_ERDATA,
			                "rdata '%.64s' is not an %s address", rdata,
			                type == PROTO_T_A ? "IPv4" : "IPv6");
		return 0;
	}
	if (type == PROTO_T_NS || type == PROTO_T_CNAME || type == PROTO_T_DNAME ||
	    type == PROTO_T_PTR) {
		uint8_t w[PROTO_NAME_MAX];
		size_t wl;
		struct proto_buf b;
		if (proto_name_parse(rdata, n, w, &wl) != 0)
			return prov_why(why, whylen, PROTO_ERDATA,
			                "rdata '%.64s' is not a DNS name", rdata);
		proto_buf_init(&b, out, cap);
		proto_name_format(w, wl, &b);
		return b.err ? prov_why(why, whylen, PROTO_ESPACE, "rdata too long") : 0;
	}
	if (n == 0 || n >= cap)
		return prov_why(why, whylen, PROTO_ERDATA, "rdata empty or too long");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)rdata[i] < 0x20 || (unsigned char)rdata[i] > 0x7e)
			return prov_why(why, whylen, PROTO_ERDATA,
			                "rdata has a byte that is not printable ASCII");
	memcpy(out, rdata, n + 1);
	return 0;
}

int
prov_emit(const char *rrname, const char *rrtype, const char *rdata,
          const char *bailiwick, int64_t first, int64_t last, uint64_t count,
          prov_row_fn fn, void *arg, struct prov_page *page, char *why,
          size_t whylen)
{
	uint8_t name[PROTO_NAME_MAX], bw[PROTO_NAME_MAX];
	size_t nl, bl = 0;
	char rd[PROV_RDATA_MAX];
	struct proto_obs o;
	uint16_t type;
	int rc;

	if (proto_name_parse(rrname, strlen(rrname), name, &nl) != 0)
		return prov_why(why, whylen, PROTO_EINVAL,
		                "rrname '%.64s' is not a DNS name", rrname);
	if (bailiwick && proto_name_parse(bailiwick, strlen(bailiwick), bw, &bl) != 0)
		return prov_why(why, whylen, PROTO_EINVAL,
		                "bailiwick '%.64s' is not a DNS name", bailiwick);
	if (bailiwick && !proto_name_is_subdomain(name, nl, bw, bl))
		return prov_why(why, whylen, PROTO_EINVAL,
		                "rrname '%.64s' is not within bailiwick '%.64s'", rrname,
		                bailiwick);
	if (proto_rrtype_parse(rrtype, &type) != 0 || type == 0 || type == PROTO_T_ANY)
		return prov_why(why, whylen, PROTO_EINVAL,
		                "rrtype '%.32s' is not an RR type", rrtype);
	if ((rc = canon_rdata(type, rdata, rd, sizeof rd, why, whylen)) != 0)
		return rc;
	if (first < 0 || last < 0 || (first && last && first > last))
		return prov_why(why, whylen, PROTO_EINVAL,
		                "times %lld..%lld are not a time range",
		                (long long)first, (long long)last);
	memset(&o, 0, sizeof o);
	o.name = name;
	o.name_len = (uint32_t)nl;
	o.rdata = rd;
	o.rdata_len = (uint32_t)strlen(rd);
	o.bailiwick = bailiwick ? bw : NULL;
	o.bailiwick_len = (uint32_t)bl;
	o.rrtype = type;
	o.section = PROTO_SEC_ANSWER;
	o.time_first = first;
	o.time_last = last;
	o.count = count;
	if ((rc = fn(&o, arg)) != 0)
		return prov_why(why, whylen, rc, "stopped by the caller");
	page->rows++;
	return 0;
}

int
prov_get_str(const struct prov_json *j, uint32_t obj, const char *key,
             char *out, size_t cap, char *why, size_t whylen)
{
	uint32_t t = prov_json_get(j, obj, key);
	int rc;

	if (t == 0)
		return prov_why(why, whylen, PROTO_EFORMAT, "no '%s'", key);
	if (prov_json_type(j, t) != PROV_JSON_STRING)
		return prov_why(why, whylen, PROTO_EFORMAT, "'%s' is not a string", key);
	if ((rc = prov_json_str(j, t, out, cap, NULL)) != 0)
		return prov_why(why, whylen, PROTO_EFORMAT, "'%s': %s", key,
		                rc == PROTO_ESPACE ? "too long" : "contains NUL");
	return 0;
}

int
prov_get_int(const struct prov_json *j, uint32_t obj, const char *key,
             bool optional, int64_t dflt, int64_t *v, char *why, size_t whylen)
{
	uint32_t t = prov_json_get(j, obj, key);
	int rc;

	if (t == 0 || (optional && prov_json_type(j, t) == PROV_JSON_NULL)) {
		if (!optional)
			return prov_why(why, whylen, PROTO_EFORMAT, "no '%s'", key);
		*v = dflt;
		return 0;
	}
	if ((rc = prov_json_int(j, t, v)) != 0)
		return prov_why(why, whylen, PROTO_EFORMAT, "'%s' is %s", key,
		                rc == PROTO_ESPACE ? "out of range" : "not an integer");
	return 0;
}

static int
cof_one(const char *rrname, const char *rrtype, const char *rdata,
        const char *bw, int64_t first, int64_t last, int64_t count,
        prov_row_fn fn, void *arg, struct prov_page *page, char *why,
        size_t whylen)
{
	return prov_emit(rrname, rrtype, rdata, bw, first, last, (uint64_t)count,
	                 fn, arg, page, why, whylen);
}

int
prov_cof_obj(const struct prov_json *j, uint32_t obj, char split_on,
             prov_row_fn fn, void *arg, struct prov_page *page, char *why,
             size_t whylen)
{
	char rrname[PROTO_NAME_TEXT_MAX], rrtype[PROTO_RRTYPE_TEXT_MAX];
	char bw[PROTO_NAME_TEXT_MAX], rd[PROV_RDATA_MAX];
	int64_t first, last, count;
	uint32_t t;
	bool have_bw;
	int rc;

	if (prov_json_type(j, obj) != PROV_JSON_OBJECT)
		return prov_why(why, whylen, PROTO_EFORMAT, "record is not an object");
	if ((rc = prov_get_str(j, obj, "rrname", rrname, sizeof rrname, why, whylen)) ||
	    (rc = prov_get_str(j, obj, "rrtype", rrtype, sizeof rrtype, why, whylen)) ||
	    (rc = prov_get_int(j, obj, "count", true, 0, &count, why, whylen)))
		return rc;
	if (count < 0)
		return prov_why(why, whylen, PROTO_EFORMAT, "negative count");
	if (prov_json_get(j, obj, "time_first") || !prov_json_get(j, obj, "zone_time_first")) {
		if ((rc = prov_get_int(j, obj, "time_first", false, 0, &first, why, whylen)) ||
		    (rc = prov_get_int(j, obj, "time_last", false, 0, &last, why, whylen)))
			return rc;
	} else if ((rc = prov_get_int(j, obj, "zone_time_first", false, 0, &first, why, whylen)) ||
	           (rc = prov_get_int(j, obj, "zone_time_last", false, 0, &last, why, whylen))) {
		return rc;
	}
	t = prov_json_get(j, obj, "bailiwick");
	have_bw = t && prov_json_type(j, t) != PROV_JSON_NULL;
	if (have_bw && (rc = prov_get_str(j, obj, "bailiwick", bw, sizeof bw, why, whylen)))
		return rc;
	t = prov_json_get(j, obj, "rdata");
	if (t == 0)
		return prov_why(why, whylen, PROTO_EFORMAT, "no 'rdata'");
	if (prov_json_type(j, t) == PROV_JSON_ARRAY) {
		uint32_t end = j->tok[t].next;
		for (uint32_t e = t + 1; e < end; e = j->tok[e].next) {
			if (prov_json_type(j, e) != PROV_JSON_STRING ||
			    prov_json_str(j, e, rd, sizeof rd, NULL) != 0)
				return prov_why(why, whylen, PROTO_EFORMAT,
				                "'rdata' element is not a short string");
			if ((rc = cof_one(rrname, rrtype, rd, have_bw ? bw : NULL, first,
			                  last, count, fn, arg, page, why, whylen)))
				return rc;
		}
		return 0;
	}
	if ((rc = prov_get_str(j, obj, "rdata", rd, sizeof rd, why, whylen)))
		return rc;
	if (split_on) {
		char *p = rd, *q;
		unsigned n = 0;
		for (; *p; p = q) {
			q = strchr(p, split_on);
			if (q)
				*q++ = '\0';
			else
				q = p + strlen(p);
			if (*p == '\0')
				continue;
			n++;
			if ((rc = cof_one(rrname, rrtype, p, have_bw ? bw : NULL, first,
			                  last, count, fn, arg, page, why, whylen)))
				return rc;
		}
		return n ? 0 : prov_why(why, whylen, PROTO_EFORMAT, "empty 'rdata'");
	}
	return cof_one(rrname, rrtype, rd, have_bw ? bw : NULL, first, last, count,
	               fn, arg, page, why, whylen);
}

int
prov_ndjson(const char *body, size_t len,
            int (*line)(const struct prov_json *j, void *ctx), void *ctx,
            char *why, size_t whylen)
{
	size_t i = 0;
	unsigned lineno = 0;

	if (len > PROV_JSON_MAX_BODY)
		return prov_why(why, whylen, PROTO_EFORMAT, "body too large");
	while (i < len) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - body) : len, k = i;
		struct prov_json j;
		char jwhy[160];
		int rc;

		lineno++;
		while (k < end && (body[k] == ' ' || body[k] == '\t' || body[k] == '\r'))
			k++;
		if (k == end) {
			i = end + 1;
			continue;
		}
		rc = prov_json_parse(&j, body + i, end - i, jwhy, sizeof jwhy);
		if (rc == 0) {
			rc = line(&j, ctx);
			if (rc && whylen) { /* say which line */
				char tmp[256];
				snprintf(tmp, sizeof tmp, "%s", why);
				prov_why(why, whylen, rc, "line %u: %s", lineno, tmp);
			}
		} else if (rc == PROTO_EFORMAT)
			prov_why(why, whylen, rc, "line %u: %s", lineno, jwhy);
		else
			prov_why(why, whylen, rc, "line %u: %s", lineno, proto_strerror(rc));
		prov_json_free(&j);
		if (rc)
			return rc;
		i = end + 1;
	}
	return 0;
}
