/*
 * node_http_req.c - request targets into queries.
 *
 * The path is cut into raw segments first and each is decoded on its own,
 * then the lookup's parts are handed to cli_query's parsers as one
 * "VALUE/TYPE/BAILIWICK" argument in which a '/' decoded from %2F is
 * written "\/", the escape those parsers (and dig) read as a '/' inside a
 * label.
 */
#include "node/node_http_req.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_query.h"
#include "proto/proto_err.h"

#define SEG_MAX 16         /* path segments looked at */
#define PART_MAX 1100      /* decoded bytes of one value (hex of a name: 510) */
#define ARG_MAX (3 * (2 * PART_MAX) + 8)
#define COUNT_MAX 1000000000000ULL

/* DNSDB's ANY-DNSSEC: the DNSSEC types (at most PROTO_QUERY_MAX_TYPES). */
#define ANY_DNSSEC "DS,RRSIG,NSEC,DNSKEY,NSEC3,NSEC3PARAM,CDS,CDNSKEY"

struct seg {
	const char *p;
	size_t n;
};

static int __attribute__((format(printf, 3, 4)))
refuse(struct node_http_req *r, unsigned status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	/* One line: a reason quoting the request must not break it. */
	for (char *c = r->why; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			*c = '?';
	return PROTO_EINVAL;
}

/* The value of a %XX escape at s (two characters), or -1. */
static int
escape_value(const char *s)
{
	unsigned char h = (unsigned char)s[0], l = (unsigned char)s[1];

	if (!isxdigit(h) || !isxdigit(l))
		return -1;
	/* '0'..'9' are 0x3N; 'A'..'F' and 'a'..'f' are 0x4N/0x6N with N 1..6. */
	return ((h & 0xf) + (h >> 6) * 9) << 4 | ((l & 0xf) + (l >> 6) * 9);
}

/* Percent-decode s[0..n) into out (NUL-terminated); '+' is a blank when
 * plus is set (query strings). False for %00, a bad escape or no room. */
static bool
decode(const char *s, size_t n, bool plus, char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int v = n - i < 3 ? -1 : escape_value(s + i + 1);
			if (v < 0)
				return false;
			c = (char)v;
			if (c == '\0')
				return false;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		} else if (c == '\0') {
			return false;
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return true;
}

static bool
seg_is(const struct seg *s, const char *word)
{
	return s->n == strlen(word) && memcmp(s->p, word, s->n) == 0;
}

/*
 * Append the decoded segment s to arg at *at, '/' written "\/" when escape
 * is set (names) and refused otherwise (types, hex, addresses); a '\'
 * escape of the name is copied with what it escapes.
 */
static bool
put_part(char *arg, size_t *at, const struct seg *s, bool escape)
{
	char part[PART_MAX];
	size_t n;

	if (!decode(s->p, s->n, false, part, sizeof(part), &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (*at + 3 >= ARG_MAX)
			return false;
		if (part[i] == '\\' && i + 1 < n) {
			arg[(*at)++] = part[i++];
			arg[(*at)++] = part[i];
		} else if (part[i] == '/') {
			if (!escape)
				return false;
			arg[(*at)++] = '\\';
			arg[(*at)++] = '/';
		} else {
			arg[(*at)++] = part[i];
		}
	}
	arg[*at] = '\0';
	return true;
}

/* The TYPE segment: ANY-DNSSEC is the DNSSEC types; '/' is refused. */
static bool
put_type(char *arg, size_t *at, const struct seg *s)
{
	char t[PART_MAX];

	if (!decode(s->p, s->n, false, t, sizeof(t), NULL) || strchr(t, '/') != NULL)
		return false;
	const char *v = strcasecmp(t, "ANY-DNSSEC") == 0 ? ANY_DNSSEC : t;
	size_t n = strlen(v);
	if (*at + n + 1 >= ARG_MAX)
		return false;
	memcpy(arg + *at, v, n + 1);
	*at += n;
	return true;
}

/* The lookup forms, each read by its cli_query parser. */
enum form { F_RRSET_NAME, F_RRSET_RAW, F_RDATA_NAME, F_RDATA_RAW, F_RDATA_IP };

static int
read_arg(struct node_http_req *r, enum form f, const char *arg)
{
	char why[200] = "";
	bool typed;
	int err;

	switch (f) {
	case F_RRSET_NAME: err = cli_query_rrset(&r->q, arg, &typed, why, sizeof(why)); break;
	case F_RRSET_RAW: err = cli_query_raw_name(&r->q, arg, &typed, why, sizeof(why)); break;
	case F_RDATA_NAME: err = cli_query_rdata_name(&r->q, arg, &typed, why, sizeof(why)); break;
	case F_RDATA_RAW: err = cli_query_raw_rdata(&r->q, arg, &typed, why, sizeof(why)); break;
	default: err = cli_query_ip(&r->q, arg, why, sizeof(why)); break;
	}
	if (err != 0)
		return refuse(r, 400, "%s", why[0] ? why : "unparsable lookup");
	return 0;
}

/* What a lookup path names, after the verb: TYPE (rrset|rdata), FORM
 * (name|raw|ip) and 1..3 parts. */
static int
parse_lookup(struct node_http_req *r, const struct seg *s, size_t n)
{
	char arg[ARG_MAX];
	size_t at = 0;
	bool rrset, ok = true;

	if (n < 3)
		return refuse(r, 404, "unknown path: expected .../rrset/name/NAME, .../rdata/ip/ADDR "
		              "and the like");
	rrset = seg_is(&s[0], "rrset");
	if (!rrset && !seg_is(&s[0], "rdata"))
		return refuse(r, 404, "unknown path: expected rrset or rdata after the verb");
	bool name = seg_is(&s[1], "name"), raw = seg_is(&s[1], "raw"), ip = seg_is(&s[1], "ip");
	if (!name && !raw && !(ip && !rrset))
		return refuse(r, 404, "unknown path: expected %s after %s", rrset ? "name or raw" :
		              "name, ip or raw", rrset ? "rrset" : "rdata");
	size_t parts = n - 2, max = ip ? 1 : rrset ? 3 : 2;
	if (parts > max)
		return refuse(r, 400, "too many path segments: expected %s", ip ?
		              "rdata/ip/ADDR, ADDR,PFX or ADDR-ADDR" : rrset ?
		              "VALUE[/TYPE[/BAILIWICK]]" : "VALUE[/TYPE]");
	if (s[2].n == 0)
		return refuse(r, 400, "empty lookup value");
	r->rdata = !rrset;
	ok = put_part(arg, &at, &s[2], name);
	if (ok && parts > 1) {
		arg[at++] = '/';
		ok = put_type(arg, &at, &s[3]);
	}
	if (ok && parts > 2) {
		arg[at++] = '/';
		ok = put_part(arg, &at, &s[4], true);
	}
	if (!ok)
		return refuse(r, 400, "a path segment is too long, has a bad %%-escape or %%00, or a "
		              "'/' where none may be");
	if (ip) {
		/* DNSDB writes a prefix ADDR,PFX; pdns ADDR/PFX (and ADDR,ADDR a range). */
		char *comma = strchr(arg, ',');
		if (comma != NULL) {
			if (comma[1] == '\0' || strspn(comma + 1, "0123456789") != strlen(comma + 1))
				return refuse(r, 400, "rdata/ip: expected ADDR, ADDR,PFX or ADDR-ADDR");
			*comma = '/';
		}
		return read_arg(r, F_RDATA_IP, arg);
	}
	return read_arg(r, rrset ? (name ? F_RRSET_NAME : F_RRSET_RAW)
	                         : (name ? F_RDATA_NAME : F_RDATA_RAW), arg);
}

static bool
parse_count(const char *v, uint64_t *out)
{
	uint64_t n = 0;

	if (*v == '\0' || strlen(v) > 13)
		return false;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	if (n > COUNT_MAX)
		return false;
	*out = n;
	return true;
}

/* An absolute epoch time, or a negative number of seconds before now. */
static bool
parse_fence(const char *v, int64_t now, int64_t *out)
{
	uint64_t n;
	bool neg = *v == '-';

	if (!parse_count(neg ? v + 1 : v, &n))
		return false;
	*out = neg ? now - (int64_t)n : (int64_t)n;
	return true;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "t", "true", "1", "yes", "y", "on" };
	static const char *const no[] = { "f", "false", "0", "no", "n", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return (*out = true);
		if (strcasecmp(v, no[i]) == 0)
			return !(*out = false);
	}
	return false;
}

struct params {
	bool have_limit;
	uint64_t limit, offset;
};

static int
parse_param(struct node_http_req *r, struct params *p, const char *qs, size_t n, int64_t now)
{
	static const struct { const char *name; uint8_t bit; } fences[] = {
		{ "time_first_after", PROTO_F_FIRST_AFTER },
		{ "time_first_before", PROTO_F_FIRST_BEFORE },
		{ "time_last_after", PROTO_F_LAST_AFTER },
		{ "time_last_before", PROTO_F_LAST_BEFORE },
	};
	int64_t *fval[] = { &r->q.first_after, &r->q.first_before, &r->q.last_after,
	                    &r->q.last_before };
	const char *eq = memchr(qs, '=', n);
	size_t kn = eq != NULL ? (size_t)(eq - qs) : n;
	char key[32], val[64];
	const struct {
		const char *name;
		uint64_t *count;   /* a number, or */
		bool *flag;        /* a boolean */
		const char *what;
	} fields[] = {
		{ "limit", &p->limit, NULL, "not a number of rows" },
		{ "offset", &p->offset, NULL, "not a number of rows" },
		{ "max_count", &r->max_count, NULL, "not a number" },
		{ "aggr", NULL, &r->aggr, "expected true or false" },
		{ "humantime", NULL, &r->humantime, "expected true or false" },
	};

	/* Parameters we do not know (swclient, version, id, ...) are ignored,
	 * whatever they hold. */
	if (kn == 0 || !decode(qs, kn, true, key, sizeof(key), NULL))
		return 0;
	bool vok = decode(eq != NULL ? eq + 1 : qs + n, eq != NULL ? n - kn - 1 : 0, true, val,
	                  sizeof(val), NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(key, fields[i].name) != 0)
			continue;
		if (!vok || (fields[i].count != NULL ? !parse_count(val, fields[i].count)
		                                     : !parse_bool(val, fields[i].flag)))
			return refuse(r, 400, "%s: %s", key, fields[i].what);
		p->have_limit = p->have_limit || fields[i].count == &p->limit;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fences) / sizeof(fences[0]); i++) {
		if (strcmp(key, fences[i].name) != 0)
			continue;
		if (!vok || !parse_fence(val, now, fval[i]))
			return refuse(r, 400, "%s: expected epoch seconds, or negative seconds before "
			              "now", key);
		r->q.fences |= fences[i].bit;
		return 0;
	}
	return 0;
}

static int
parse_query_string(struct node_http_req *r, struct params *p, const char *qs, size_t n,
                   int64_t now)
{
	while (n > 0) {
		const char *amp = memchr(qs, '&', n);
		size_t len = amp != NULL ? (size_t)(amp - qs) : n;
		int err = parse_param(r, p, qs, len, now);
		if (err != 0)
			return err;
		if (amp == NULL)
			break;
		qs += len + 1;
		n -= len + 1;
	}
	return 0;
}

/* CIRCL's one value: an address, or a name (no CIDR, no range). */
static int
parse_circl(struct node_http_req *r, const struct seg *s, size_t n)
{
	char arg[ARG_MAX];
	uint8_t a[16];
	size_t at = 0;

	if (n != 1 || s[0].n == 0)
		return refuse(r, 404, "unknown path: expected /pdns/query/VALUE");
	if (!put_part(arg, &at, &s[0], true))
		return refuse(r, 400, "the value is too long or has a bad %%-escape or %%00");
	size_t cut = strcspn(arg, ",-\\");
	char head[INET6_ADDRSTRLEN + 1];
	bool addr = false;
	if (cut < sizeof(head)) {
		memcpy(head, arg, cut);
		head[cut] = '\0';
		addr = inet_pton(AF_INET, head, a) == 1 || inet_pton(AF_INET6, head, a) == 1;
	}
	if (addr && arg[cut] != '\0')
		return refuse(r, 400, "the CIRCL API takes one address, not a CIDR or a range; use "
		              "/dnsdb/v2/lookup/rdata/ip/ADDR,PFX");
	r->rdata = addr;
	return read_arg(r, addr ? F_RDATA_IP : F_RRSET_NAME, arg);
}

/* The API and what follows its root. */
static int
route(struct node_http_req *r, const struct seg *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (seg_is(&s[i], "dnsdb") && seg_is(&s[i + 1], "v2")) {
			r->api = NODE_HTTP_API_V2;
			s += i + 2;
			n -= i + 2;
			if (n == 1 && seg_is(&s[0], "rate_limit"))
				return r->verb = NODE_HTTP_RATE_LIMIT, 0;
			if (n == 1 && seg_is(&s[0], "ping"))
				return r->verb = NODE_HTTP_PING, 0;
			if (n > 0 && (seg_is(&s[0], "regex") || seg_is(&s[0], "glob")))
				return refuse(r, 404, "flex searches (regex, glob) are not supported");
			if (n > 0 && seg_is(&s[0], "summarize"))
				r->verb = NODE_HTTP_SUMMARIZE;
			else if (n == 0 || !seg_is(&s[0], "lookup"))
				return refuse(r, 404, "unknown path: expected /dnsdb/v2/lookup, summarize, "
				              "rate_limit or ping");
			return parse_lookup(r, s + 1, n - 1);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (seg_is(&s[i], "lookup") || seg_is(&s[i], "summarize")) {
			r->api = NODE_HTTP_API_V1;
			r->verb = seg_is(&s[i], "lookup") ? NODE_HTTP_LOOKUP : NODE_HTTP_SUMMARIZE;
			if (r->verb == NODE_HTTP_LOOKUP && n - i == 2 && seg_is(&s[i + 1], "rate_limit"))
				return r->verb = NODE_HTTP_RATE_LIMIT, 0;
			return parse_lookup(r, s + i + 1, n - i - 1);
		}
		if (i + 1 < n && seg_is(&s[i], "pdns") && seg_is(&s[i + 1], "query")) {
			r->api = NODE_HTTP_API_CIRCL;
			return parse_circl(r, s + i + 2, n - i - 2);
		}
	}
	if (n == 1 && seg_is(&s[0], "metrics")) {
		r->api = NODE_HTTP_API_METRICS;
		r->verb = NODE_HTTP_METRICS;
		return 0;
	}
	return refuse(r, 404, "unknown path (the APIs are under /dnsdb/v2/, /lookup/, "
	              "/pdns/query/ and /metrics)");
}

int
node_http_req_parse(struct node_http_req *r, const char *uri, size_t len, int64_t now,
                    const struct node_http_limits *lim)
{
	struct seg s[SEG_MAX];
	struct params p = { false, 0, 0 };
	size_t n = 0, at, plen;
	int err;

	memset(r, 0, sizeof(*r));
	proto_query_init(&r->q);
	r->aggr = true;
	if (len > NODE_HTTP_URI_MAX)
		return refuse(r, 414, "the request target is longer than %d bytes",
		              NODE_HTTP_URI_MAX);
	if (len == 0 || uri[0] != '/')
		return refuse(r, 400, "the request target must be a path");
	const char *q = memchr(uri, '?', len);
	plen = q != NULL ? (size_t)(q - uri) : len;
	const char *hash = memchr(uri, '#', plen);
	if (hash != NULL)
		plen = (size_t)(hash - uri);
	/* Segments; one trailing '/' is forgiven (a client's habit). */
	at = 1;
	if (plen > 1 && uri[plen - 1] == '/')
		plen--;
	while (at <= plen) {
		const char *slash = memchr(uri + at, '/', plen - at);
		size_t sn = slash != NULL ? (size_t)(slash - (uri + at)) : plen - at;
		if (n == SEG_MAX)
			return refuse(r, 404, "unknown path: more than %d segments", SEG_MAX);
		s[n++] = (struct seg){ uri + at, sn };
		at += sn + 1;
	}
	if ((err = route(r, s, n)) != 0)
		return err;
	if (q != NULL &&
	    (err = parse_query_string(r, &p, q + 1, len - (size_t)(q + 1 - uri), now)) != 0)
		return err;
	if (r->verb != NODE_HTTP_LOOKUP && r->verb != NODE_HTTP_SUMMARIZE)
		return 0;
	if (!p.have_limit)
		r->q.limit = NODE_HTTP_DEFAULT_LIMIT < lim->max_rows ? NODE_HTTP_DEFAULT_LIMIT
		                                                     : lim->max_rows;
	else
		r->q.limit = p.limit == 0 || p.limit > lim->max_rows ? lim->max_rows : p.limit;
	if (p.offset > lim->max_offset)
		return refuse(r, 416, "offset %llu is more than the maximum, %llu",
		              (unsigned long long)p.offset, (unsigned long long)lim->max_offset);
	r->q.offset = p.offset;
	if (r->verb != NODE_HTTP_SUMMARIZE)
		r->max_count = 0;
	return 0;
}
