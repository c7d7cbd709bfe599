/*
 * cli_query.c - dnsdbq's lookup arguments into a query value.
 *
 * Arguments are split on '/' the way dnsdbq splits them, except that a
 * backslash-escaped '/' stays inside the name (dig's escapes are allowed in
 * names, and "\/" is how one would type a slash in a label).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_query.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"

/* Longest argument accepted: -N with PROTO_QUERY_RAW_MAX octets of hex. */
#define CLI_QUERY_ARG_MAX (2 * PROTO_QUERY_RAW_MAX + 2 * PROTO_NAME_TEXT_MAX)
#define CLI_QUERY_UNBOUNDED \
	"a bare wildcard would read every name in the store; give a zone, like *.example.com"

static int __attribute__((format(printf, 3, 4)))
cli_query_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return PROTO_EINVAL;
}

/*
 * Copy arg into buf and cut it at unescaped '/' into at most max parts.
 * Returns the number of parts, or 0 when there are more (or it is too long).
 */
static size_t
cli_query_split(const char *arg, char buf[CLI_QUERY_ARG_MAX], char *part[],
                size_t max)
{
	size_t n = strlen(arg), np = 1;

	if (n >= CLI_QUERY_ARG_MAX)
		return 0;
	memcpy(buf, arg, n + 1);
	part[0] = buf;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\\' && i + 1 < n) {
			i++;
		} else if (buf[i] == '/') {
			if (np == max)
				return 0;
			buf[i] = '\0';
			part[np++] = buf + i + 1;
		}
	}
	return np;
}

/* `what` names the part ("" for the lookup's name, "bailiwick: "). */
static int
cli_query_name_err(int err, const char *what, char *why, size_t whylen)
{
	if (err == PROTO_ELABEL)
		return cli_query_fail(why, whylen, "%sa label is longer than 63 octets", what);
	if (err == PROTO_ENAMELEN)
		return cli_query_fail(why, whylen, "%sname longer than 255 octets", what);
	return cli_query_fail(why, whylen,
	                      "%snot a domain name (empty label or bad escape)", what);
}

static int
cli_query_plain_name(const char *text, const char *what,
                     uint8_t out[PROTO_NAME_MAX], uint16_t *outlen, char *why,
                     size_t whylen)
{
	size_t len;
	int err;

	if (*text == '\0')
		return cli_query_fail(why, whylen, "%sempty name", what);
	if ((err = proto_name_parse(text, strlen(text), out, &len)) != 0)
		return cli_query_name_err(err, what, why, whylen);
	*outlen = (uint16_t)len;
	return 0;
}

/* True when text[pos] is a character of its own, not escaped by '\'. */
static bool
cli_query_unescaped_at(const char *text, size_t pos)
{
	size_t i = 0;

	while (i < pos)
		i += text[i] == '\\' ? 2 : 1;
	return i == pos;
}

/* A name that may carry one wildcard, into q->name and q->match. */
static int
cli_query_wild_name(struct proto_query *q, const char *text, char *why,
                    size_t whylen)
{
	size_t n = strlen(text);
	bool left = n >= 2 && text[0] == '*' && text[1] == '.';
	bool right = n >= 2 && text[n - 1] == '*' && text[n - 2] == '.' &&
	             cli_query_unescaped_at(text, n - 2);
	char buf[PROTO_NAME_TEXT_MAX];
	int err;

	if (strcmp(text, "*") == 0 || strcmp(text, "*.") == 0)
		return cli_query_fail(why, whylen, CLI_QUERY_UNBOUNDED);
	if (left && right)
		return cli_query_fail(why, whylen,
		                      "a left and a right wildcard at once are not supported");
	if (left) {
		if (strcmp(text + 2, ".") == 0)
			return cli_query_fail(why, whylen, CLI_QUERY_UNBOUNDED);
		if ((err = cli_query_plain_name(text + 2, "", q->name, &q->name_len,
		                                why, whylen)) != 0)
			return err;
		q->match = PROTO_M_LEFT;
		return 0;
	}
	if (right) {
		if (n - 2 >= sizeof(buf))
			return cli_query_name_err(PROTO_ENAMELEN, "", why, whylen);
		memcpy(buf, text, n - 2);
		buf[n - 2] = '\0';
		if ((err = cli_query_plain_name(buf, "", q->name, &q->name_len, why,
		                                whylen)) != 0)
			return err;
		if (q->name_len == 1) /* ".*": the root's labels are none */
			return cli_query_fail(why, whylen, CLI_QUERY_UNBOUNDED);
		q->name_len--; /* labels only: the root label is not part of the prefix */
		q->match = PROTO_M_RIGHT;
		return 0;
	}
	q->match = PROTO_M_EXACT;
	return cli_query_plain_name(text, "", q->name, &q->name_len, why, whylen);
}

int
cli_query_types(struct proto_query *q, const char *text, char *why,
                size_t whylen)
{
	uint16_t types[PROTO_QUERY_MAX_TYPES];
	size_t nt = 0;
	bool any = false;
	const char *s = text;

	for (;;) {
		char tok[PROTO_RRTYPE_TEXT_MAX];
		size_t len = strcspn(s, ",");
		uint16_t t;
		size_t i;

		if (len == 0)
			return cli_query_fail(why, whylen, "empty rrtype in the list");
		if (len >= sizeof(tok))
			return cli_query_fail(why, whylen, "unknown rrtype '%.*s'",
			                      (int)len, s);
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (proto_rrtype_parse(tok, &t) != 0 || t == 0)
			return cli_query_fail(why, whylen, "unknown rrtype '%s'", tok);
		if (t == PROTO_T_ANY) {
			any = true;
		} else {
			for (i = 0; i < nt && types[i] != t; i++)
				;
			if (i == nt) {
				if (nt == PROTO_QUERY_MAX_TYPES)
					return cli_query_fail(why, whylen, "more than %d rrtypes",
					                      PROTO_QUERY_MAX_TYPES);
				types[nt++] = t;
			}
		}
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (any && nt > 0)
		return cli_query_fail(why, whylen, "ANY cannot be mixed with other rrtypes");
	/* ANY is no type filter at all: ntypes 0. */
	memcpy(q->types, types, nt * sizeof(types[0]));
	q->ntypes = (uint8_t)nt;
	return 0;
}

int
cli_query_bailiwick(struct proto_query *q, const char *text, char *why,
                    size_t whylen)
{
	size_t n = strlen(text);

	if (strcmp(text, "*") == 0 || strncmp(text, "*.", 2) == 0 ||
	    (n >= 2 && strcmp(text + n - 2, ".*") == 0))
		return cli_query_fail(why, whylen, "a bailiwick cannot be a wildcard");
	return cli_query_plain_name(text, "bailiwick: ", q->bailiwick,
	                            &q->bailiwick_len, why, whylen);
}

/* The optional /TYPES part of a lookup argument. */
static int
cli_query_opt_types(struct proto_query *q, char *part[], size_t np, size_t i,
                    bool *typed, char *why, size_t whylen)
{
	*typed = np > i;
	return np > i ? cli_query_types(q, part[i], why, whylen) : 0;
}

static int
cli_query_name_kind(struct proto_query *q, const char *arg, unsigned kind,
                    bool bailiwick, bool *typed, char *why, size_t whylen)
{
	char buf[CLI_QUERY_ARG_MAX], *part[3];
	size_t np = cli_query_split(arg, buf, part, bailiwick ? 3 : 2);
	int err;

	if (np == 0)
		return cli_query_fail(why, whylen, bailiwick ?
		                      "expected NAME[/TYPE[,TYPE...][/BAILIWICK]]" :
		                      "expected NAME[/TYPE[,TYPE...]]");
	q->kind = (uint8_t)kind;
	if ((err = cli_query_wild_name(q, part[0], why, whylen)) != 0 ||
	    (err = cli_query_opt_types(q, part, np, 1, typed, why, whylen)) != 0)
		return err;
	return np > 2 ? cli_query_bailiwick(q, part[2], why, whylen) : 0;
}

int
cli_query_rrset(struct proto_query *q, const char *arg, bool *typed, char *why,
                size_t whylen)
{
	return cli_query_name_kind(q, arg, PROTO_Q_RRSET, true, typed, why, whylen);
}

int
cli_query_rdata_name(struct proto_query *q, const char *arg, bool *typed,
                     char *why, size_t whylen)
{
	return cli_query_name_kind(q, arg, PROTO_Q_RDATA_NAME, false, typed, why,
	                           whylen);
}

int
cli_query_nxdomain(struct proto_query *q, const char *arg, bool *typed,
                   char *why, size_t whylen)
{
	return cli_query_name_kind(q, arg, PROTO_Q_NXDOMAIN, false, typed, why,
	                           whylen);
}

static int
cli_query_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex text into out[0..max); *n gets the octet count. */
static int
cli_query_hex(const char *text, uint8_t *out, size_t max, size_t *n,
              char *why, size_t whylen)
{
	size_t len = strlen(text);

	if (len == 0)
		return cli_query_fail(why, whylen, "empty hex string");
	if (len % 2 != 0)
		return cli_query_fail(why, whylen, "odd number of hex digits");
	if (len / 2 > max)
		return cli_query_fail(why, whylen, "more than %zu octets of hex", max);
	for (size_t i = 0; i < len; i += 2) {
		int hi = cli_query_hexval(text[i]), lo = cli_query_hexval(text[i + 1]);
		if (hi < 0 || lo < 0)
			return cli_query_fail(why, whylen, "not a hex string");
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

int
cli_query_raw_name(struct proto_query *q, const char *arg, bool *typed,
                   char *why, size_t whylen)
{
	char buf[CLI_QUERY_ARG_MAX], *part[3];
	size_t np = cli_query_split(arg, buf, part, 3), n, pos = 0, len;
	uint8_t wire[PROTO_NAME_MAX];
	int err;

	if (np == 0)
		return cli_query_fail(why, whylen, "expected HEX[/TYPE[,TYPE...][/BAILIWICK]]");
	if ((err = cli_query_hex(part[0], wire, sizeof(wire), &n, why, whylen)) != 0)
		return err;
	/* A name on its own: no pointers, and nothing may follow the root. */
	if (proto_name_unpack(wire, n, &pos, q->name, &len, false) != 0 || pos != n)
		return cli_query_fail(why, whylen, "not one uncompressed wire-format name");
	q->kind = PROTO_Q_RRSET;
	q->match = PROTO_M_EXACT;
	q->name_len = (uint16_t)len;
	if ((err = cli_query_opt_types(q, part, np, 1, typed, why, whylen)) != 0)
		return err;
	return np > 2 ? cli_query_bailiwick(q, part[2], why, whylen) : 0;
}

int
cli_query_raw_rdata(struct proto_query *q, const char *arg, bool *typed,
                    char *why, size_t whylen)
{
	char buf[CLI_QUERY_ARG_MAX], *part[2];
	size_t np = cli_query_split(arg, buf, part, 2), n;
	int err;

	if (np == 0)
		return cli_query_fail(why, whylen, "expected HEX[/TYPE[,TYPE...]]");
	if ((err = cli_query_hex(part[0], q->raw, sizeof(q->raw), &n, why, whylen)) != 0)
		return err;
	q->kind = PROTO_Q_RDATA_RAW;
	q->match = PROTO_M_EXACT;
	q->raw_len = (uint16_t)n;
	return cli_query_opt_types(q, part, np, 1, typed, why, whylen);
}

/* One address into a[16]; returns 4, 6, or 0 when it is neither. */
static unsigned
cli_query_addr(const char *text, size_t len, uint8_t a[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, text, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, tmp, a) == 1)
		return 6;
	return 0;
}

int
cli_query_ip(struct proto_query *q, const char *arg, char *why, size_t whylen)
{
	size_t cut = strcspn(arg, "/-,"), alen;
	uint8_t lo[16] = { 0 }, hi[16] = { 0 };
	unsigned fam = cli_query_addr(arg, cut, lo), fam2;

	if (fam == 0 && arg[cut] == '\0')
		return cli_query_fail(why, whylen, "not an IPv4 or IPv6 address");
	if (fam == 0)
		return cli_query_fail(why, whylen, "'%.*s' is not an IPv4 or IPv6 address",
		                      (int)cut, arg);
	alen = fam == 4 ? 4 : 16;
	if (arg[cut] == '\0') {
		memcpy(hi, lo, alen);
	} else if (arg[cut] == '/') {
		const char *p = arg + cut + 1;
		unsigned bits = 0, maxbits = (unsigned)alen * 8;
		size_t nd = strspn(p, "0123456789");
		if (nd == 0 || nd > 3 || p[nd] != '\0')
			return cli_query_fail(why, whylen, "prefix length '%s' is not a number", p);
		for (size_t i = 0; i < nd; i++)
			bits = bits * 10 + (unsigned)(p[i] - '0');
		if (bits > maxbits)
			return cli_query_fail(why, whylen, "prefix length %u is more than %u",
			                      bits, maxbits);
		if (bits == 0)
			return cli_query_fail(why, whylen,
			                      "a /0 would read every address in the store");
		/* Host bits are masked, so 192.0.2.7/24 means 192.0.2.0/24. */
		for (size_t i = 0; i < alen; i++) {
			unsigned in = bits > 8 * i ? bits - 8 * (unsigned)i : 0; /* prefix bits here */
			uint8_t mask = (uint8_t)(0xff00u >> (in > 8 ? 8 : in));
			lo[i] &= mask;
			hi[i] = (uint8_t)(lo[i] | (uint8_t)~mask);
		}
	} else {
		const char *p = arg + cut + 1;
		fam2 = cli_query_addr(p, strlen(p), hi);
		if (fam2 == 0)
			return cli_query_fail(why, whylen, "'%s' is not an IPv4 or IPv6 address", p);
		if (fam2 != fam)
			return cli_query_fail(why, whylen,
			                      "the two ends of the range are not of one family");
		if (memcmp(lo, hi, alen) > 0)
			return cli_query_fail(why, whylen,
			                      "the range ends before it starts");
		bool all = true;
		for (size_t i = 0; i < alen; i++)
			all = all && lo[i] == 0 && hi[i] == 0xff;
		if (all)
			return cli_query_fail(why, whylen,
			                      "the range would read every address in the store");
	}
	q->kind = PROTO_Q_RDATA_IP;
	q->match = PROTO_M_EXACT;
	q->family = (uint8_t)fam;
	memcpy(q->addr_lo, lo, sizeof(lo));
	memcpy(q->addr_hi, hi, sizeof(hi));
	return 0;
}
