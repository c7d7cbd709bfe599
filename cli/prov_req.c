/*
 * prov_req.c - what the provider request builders share (prov.h): the
 * request buffer, the query's name and address as URL text, and the check
 * that a provider can answer a query at all.
 *
 * Requests hold API keys in their headers, so they live in fixed buffers
 * the caller wipes (no allocation that could leave a copy behind).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/prov.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"

void
prov_request_init(struct prov_request *r)
{
	memset(r, 0, sizeof *r);
}

void
prov_request_wipe(struct prov_request *r)
{
	/* explicit_bzero: a plain memset before the end of scope may be
	 * optimised away, and the headers hold keys. */
	explicit_bzero(r, sizeof *r);
}

/* Append vprintf text at buf + strlen(buf); PROTO_ESPACE, buf unchanged,
 * when it does not fit. */
static int __attribute__((format(printf, 3, 0)))
vappend(char *buf, size_t cap, const char *fmt, va_list ap)
{
	size_t n = strlen(buf);
	int w = vsnprintf(buf + n, cap - n, fmt, ap);

	if (w < 0 || (size_t)w >= cap - n) {
		buf[n] = '\0';
		return PROTO_ESPACE;
	}
	return 0;
}

int
prov_req_path(struct prov_request *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vappend(r->path, sizeof r->path, fmt, ap);
	va_end(ap);
	return rc;
}

int
prov_req_header(struct prov_request *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (r->n_headers == PROV_HEADERS_MAX)
		return PROTO_ESPACE;
	va_start(ap, fmt);
	rc = vappend(r->headers[r->n_headers], PROV_HEADER_MAX, fmt, ap);
	va_end(ap);
	if (rc == 0)
		r->n_headers++;
	else
		explicit_bzero(r->headers[r->n_headers], PROV_HEADER_MAX);
	return rc;
}

int
prov_req_escape(const char *text, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		            (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		            *p == '_' || *p == '~';
		if (o + (keep ? 1 : 3) >= cap)
			return PROTO_ESPACE;
		if (keep) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (cap == 0)
		return PROTO_ESPACE;
	out[o] = '\0';
	return 0;
}

int
prov_req_name(const struct proto_query *q, char *out, size_t cap)
{
	char text[PROTO_NAME_TEXT_MAX + 4];
	struct proto_buf b;

	proto_buf_init(&b, text, sizeof text);
	if (q->match == PROTO_M_LEFT)
		proto_buf_puts(&b, "*.");
	proto_name_format(q->name, q->name_len, &b);
	if (q->match == PROTO_M_RIGHT)
		proto_buf_puts(&b, ".*");
	if (b.err)
		return PROTO_ESPACE;
	/* "*." below the root would read "*.." */
	if (q->match == PROTO_M_LEFT && strcmp(text, "*..") == 0)
		text[1] = '\0';
	return prov_req_escape(text, out, cap);
}

/* Length of the common prefix of lo and hi that makes them one CIDR block
 * (lo has only zero bits after it, hi only ones), or -1. */
static int
cidr_len(const uint8_t *lo, const uint8_t *hi, unsigned bits)
{
	unsigned i = 0;

	while (i < bits && ((lo[i / 8] ^ hi[i / 8]) & (0x80 >> (i % 8))) == 0)
		i++;
	for (unsigned k = i; k < bits; k++) {
		unsigned m = 0x80u >> (k % 8);
		if ((lo[k / 8] & m) != 0 || (hi[k / 8] & m) == 0)
			return -1;
	}
	return (int)i;
}

int
prov_req_addr(const struct proto_query *q, char *out, size_t cap, bool *single)
{
	int af = q->family == 6 ? AF_INET6 : AF_INET;
	unsigned bits = q->family == 6 ? 128 : 32;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int pfx, w;

	if (!inet_ntop(af, q->addr_lo, lo, sizeof lo) || !inet_ntop(af, q->addr_hi, hi, sizeof hi))
		return PROTO_EINVAL;
	pfx = cidr_len(q->addr_lo, q->addr_hi, bits);
	*single = pfx == (int)bits;
	if (*single)
		w = snprintf(out, cap, "%s", lo);
	else if (pfx >= 0)
		w = snprintf(out, cap, "%s,%d", lo, pfx);
	else
		w = snprintf(out, cap, "%s-%s", lo, hi);
	return w < 0 || (size_t)w >= cap ? PROTO_ESPACE : 0;
}

int
prov_req_check(const struct proto_query *q, unsigned kinds, const char *who,
               char *why, size_t whylen)
{
	bool single = true;
	char a[2 * INET6_ADDRSTRLEN + 2];

	if (q->bailiwick_len && !(kinds & PROV_K_BAILIWICK))
		return prov_why(why, whylen, PROTO_ENOTSUP, "%s cannot filter by bailiwick", who);
	switch (q->kind) {
	case PROTO_Q_RRSET:
	case PROTO_Q_RDATA_NAME:
		if (!(kinds & (q->kind == PROTO_Q_RRSET ? PROV_K_RRSET : PROV_K_RDATA_NAME)))
			return prov_why(why, whylen, PROTO_ENOTSUP, "%s cannot look up %s by name",
			                who, q->kind == PROTO_Q_RRSET ? "rrsets" : "rdata");
		if (q->match != PROTO_M_EXACT && !(kinds & PROV_K_WILDCARD))
			return prov_why(why, whylen, PROTO_ENOTSUP, "%s cannot look up wildcards", who);
		return 0;
	case PROTO_Q_RDATA_IP:
		if (!(kinds & PROV_K_RDATA_IP))
			return prov_why(why, whylen, PROTO_ENOTSUP, "%s cannot look up addresses", who);
		if (prov_req_addr(q, a, sizeof a, &single) != 0)
			return prov_why(why, whylen, PROTO_EINVAL, "bad address range");
		if (!single && !(kinds & PROV_K_CIDR))
			return prov_why(why, whylen, PROTO_ENOTSUP,
			                "%s cannot look up address blocks or ranges", who);
		return 0;
	case PROTO_Q_RDATA_RAW:
		if (!(kinds & PROV_K_RAW))
			return prov_why(why, whylen, PROTO_ENOTSUP, "%s cannot look up raw rdata", who);
		return 0;
	default:
		return prov_why(why, whylen, PROTO_ENOTSUP, "%s keeps no NXDOMAIN answers", who);
	}
}

int
prov_req_need(const char *s, const char *who, const char *what, char *why, size_t whylen)
{
	if (s && *s)
		return 0;
	return prov_why(why, whylen, PROTO_EINVAL, "%s needs %s in the secrets file", who, what);
}

int
prov_req_value(const struct proto_query *q, char *out, size_t cap)
{
	bool single;

	return q->kind == PROTO_Q_RDATA_IP ? prov_req_addr(q, out, cap, &single)
	                                   : prov_req_name(q, out, cap);
}

int
prov_req_done(struct prov_request *r, int rc, const char *who, char *why, size_t whylen)
{
	if (rc == 0)
		return 0;
	prov_request_wipe(r);
	return prov_why(why, whylen, PROTO_ESPACE, "%s request too long", who);
}
