/*
 * node_export.c - the export filter, the rounding of exported times and
 * the sensor pseudonym (node_export.h has the rules).
 *
 * Internal zones and special-use names share one open-addressing hash set
 * of wire names, each with flags saying which rule it belongs to. A name
 * is hashed from its right end (FNV-1a over the bytes in reverse), so one
 * pass over the name yields the hash of every ancestor; a 256-bit set of
 * the wire lengths present skips the probes that cannot match. Addresses
 * are compared against fixed prefix tables. Nothing here allocates after
 * node_export_new().
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/node_export.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

/* Which rule a name of the set belongs to (both, when listed twice). */
enum {
	Z_INTERNAL = 1u << 0,
	Z_SPECIAL = 1u << 1,
};

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define MAX_LABELS 128 /* 127 one-octet labels and the root fill 255 octets */

struct zone {
	uint64_t hash;   /* mixed hash of the wire name */
	uint32_t off;    /* of the wire name in arena */
	uint8_t len;     /* wire octets; 0: empty slot */
	uint8_t flags;   /* Z_* */
};

struct node_export {
	struct zone *tab;            /* mask + 1 slots, at most half used */
	size_t mask, n;
	uint8_t *arena;              /* the wire names, back to back */
	size_t arena_len, arena_cap;
	uint64_t lens[4];            /* bit L: some name has L wire octets */
	bool special_addresses;
	uint32_t granularity;        /* seconds; 0: exact */
	uint32_t min_count, min_days;
};

/*
 * RFC 6761/6762/7686/8375/9476 special-use names, the usual private-use
 * TLDs, the RFC 2606 reserved second-level names and the RFC 6303 reverse
 * zones that are not ranges (those are added in add_specials()).
 */
static const char *const special_names[] = {
	"local", "localhost", "test", "invalid", "example", "onion", "alt",
	"home.arpa", "resolver.arpa", "service.arpa", "ipv4only.arpa", "6tisch.arpa",
	"internal", "lan", "corp", "home", "private", "intranet", "localdomain",
	"example.com", "example.net", "example.org",
	"0.in-addr.arpa", "10.in-addr.arpa", "127.in-addr.arpa", "254.169.in-addr.arpa",
	"168.192.in-addr.arpa", "2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa",
	"113.0.203.in-addr.arpa", "255.255.255.255.in-addr.arpa",
	"d.f.ip6.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa",
	"b.e.f.ip6.arpa", "8.b.d.0.1.0.0.2.ip6.arpa",
};
/* ... plus 16..31.172.in-addr.arpa, 64..127.100.in-addr.arpa, :: and ::1. */
#define N_SPECIAL (sizeof(special_names) / sizeof(special_names[0]) + 16 + 64 + 2)

/* IANA special-purpose IPv4 ranges (security.md P5). */
static const struct {
	uint32_t net;
	unsigned plen;
} v4_ranges[] = {
	{ 0x00000000u, 8 },  /* 0/8 */
	{ 0x0a000000u, 8 },  /* 10/8 */
	{ 0x64400000u, 10 }, /* 100.64/10 */
	{ 0x7f000000u, 8 },  /* 127/8 */
	{ 0xa9fe0000u, 16 }, /* 169.254/16 */
	{ 0xac100000u, 12 }, /* 172.16/12 */
	{ 0xc0000000u, 24 }, /* 192.0.0/24 */
	{ 0xc0000200u, 24 }, /* 192.0.2/24 */
	{ 0xc0586300u, 24 }, /* 192.88.99/24 */
	{ 0xc0a80000u, 16 }, /* 192.168/16 */
	{ 0xc6120000u, 15 }, /* 198.18/15 */
	{ 0xc6336400u, 24 }, /* 198.51.100/24 */
	{ 0xcb007100u, 24 }, /* 203.0.113/24 */
	{ 0xe0000000u, 4 },  /* 224/4 */
	{ 0xf0000000u, 4 },  /* 240/4 */
};

/* IPv6 ones; ::ffff:0:0/96 is judged by its IPv4 address (v6_inside()). */
static const struct {
	uint8_t net[16];
	unsigned plen;
} v6_ranges[] = {
	{ { 0 }, 128 },                                      /* ::/128 */
	{ { [15] = 1 }, 128 },                               /* ::1/128 */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48 },      /* 64:ff9b:1::/48 */
	{ { 0x01, 0x00 }, 64 },                              /* 100::/64 */
	{ { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 }, 48 },      /* 2001:2::/48 */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },                  /* 2001:db8::/32 */
	{ { 0xfc }, 7 },                                     /* fc00::/7 */
	{ { 0xfe, 0x80 }, 10 },                              /* fe80::/10 */
	{ { 0xff }, 8 },                                     /* ff00::/8 */
};

/* The tails of reverse names, in wire form with the root label. */
static const uint8_t in_addr_arpa[] = "\x07" "in-addr" "\x04" "arpa";
static const uint8_t ip6_arpa[] = "\x03" "ip6" "\x04" "arpa";
#define IN_ADDR_ARPA_LEN sizeof(in_addr_arpa) /* the string's NUL is the root */
#define IP6_ARPA_LEN sizeof(ip6_arpa)

static const char *const verdict_names[NODE_EXPORT_VERDICTS] = {
	[NODE_EXPORT_OK] = "ok",
	[NODE_EXPORT_NXDOMAIN] = "nxdomain",
	[NODE_EXPORT_INTERNAL_ZONE] = "internal_zone",
	[NODE_EXPORT_SPECIAL_NAME] = "special_name",
	[NODE_EXPORT_SPECIAL_ADDRESS] = "special_address",
	[NODE_EXPORT_SPECIAL_PTR] = "special_ptr",
};

/* A 64-bit finalizer, so the low bits that index the table are mixed. */
static inline uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/*
 * The offsets of the labels of the wire name w[0..len), root excluded, in
 * starts[]; their count, or -1 when w is not one well-formed name.
 */
static int
name_labels(const uint8_t *w, size_t len, uint8_t starts[MAX_LABELS])
{
	size_t p = 0;
	int k = 0;

	if (len == 0 || len > PROTO_NAME_MAX)
		return -1;
	while (p < len && w[p] != 0) {
		if (w[p] > 63 || k == MAX_LABELS)
			return -1;
		starts[k++] = (uint8_t)p;
		p += 1 + (size_t)w[p];
	}
	return p == len - 1 ? k : -1;
}

static inline bool
has_len(const struct node_export *e, size_t len)
{
	return (e->lens[len >> 6] >> (len & 63) & 1) != 0;
}

/* The flags of the wire name w[0..len) with mixed hash h, or 0. */
static unsigned
lookup(const struct node_export *e, uint64_t h, const uint8_t *w, size_t len)
{
	for (size_t i = h & e->mask;; i = (i + 1) & e->mask) {
		const struct zone *z = &e->tab[i];
		if (z->len == 0)
			return 0;
		if (z->hash == h && z->len == len && memcmp(e->arena + z->off, w, len) == 0)
			return z->flags;
	}
}

/* The union of the flags of the name and its ancestors (Z_INTERNAL stops). */
static unsigned
name_flags(const struct node_export *e, const uint8_t *w, size_t len)
{
	uint8_t starts[MAX_LABELS];
	uint64_t h = FNV_OFFSET;
	unsigned flags = 0;
	size_t q;
	int k;

	if (e->n == 0 || (k = name_labels(w, len, starts)) < 0)
		return 0;
	q = len;
	while (k-- > 0) {
		size_t s = starts[k];
		while (q > s)
			h = (h ^ w[--q]) * FNV_PRIME;
		if (has_len(e, len - s) &&
		    (flags |= lookup(e, mix(h), w + s, len - s)) & Z_INTERNAL)
			break;
	}
	return flags;
}

/* The flags of the presentation name t[0..n) (an rdata token). */
static unsigned
text_flags(const struct node_export *e, const char *t, size_t n)
{
	uint8_t w[PROTO_NAME_MAX];
	size_t wlen;

	if (n == 0 || proto_name_parse(t, n, w, &wlen) != 0)
		return 0;
	return name_flags(e, w, wlen);
}

#define TOK_LAST (1u << 31) /* the last token (NAPTR: after quoted strings) */

/*
 * Which space-separated tokens of a type's rdata are names: bit i for
 * token i. Names print with \032 for a space, so they never contain one.
 */
static uint32_t
name_tokens(uint16_t type)
{
	switch (type) {
	case PROTO_T_NS:
	case PROTO_T_CNAME:
	case PROTO_T_DNAME:
	case PROTO_T_PTR:
	case PROTO_T_NSEC:      /* next owner name, then the type map */
		return 1u << 0;
	case PROTO_T_MX:
	case PROTO_T_KX:
	case PROTO_T_AFSDB:
	case PROTO_T_SVCB:      /* priority, target, parameters */
	case PROTO_T_HTTPS:
		return 1u << 1;
	case PROTO_T_SOA:       /* mname rname serial ... */
	case PROTO_T_RP:        /* mbox txtdname */
		return 1u << 0 | 1u << 1;
	case PROTO_T_SRV:       /* priority weight port target */
		return 1u << 3;
	case PROTO_T_RRSIG:     /* type alg labels ttl exp inc tag signer sig */
		return 1u << 7;
	case PROTO_T_NAPTR:     /* order pref "flags" "service" "regexp" replacement */
		return TOK_LAST;
	default:
		return 0;
	}
}

/* The union of the flags of the names inside o's rdata. */
static unsigned
rdata_flags(const struct node_export *e, const struct proto_obs *o)
{
	uint32_t want = name_tokens(o->rrtype);
	const char *s, *end;
	unsigned flags = 0;

	if (want == 0 || e->n == 0 || o->rdata == NULL)
		return 0;
	s = o->rdata;
	end = s + o->rdata_len;
	if (want & TOK_LAST) {
		const char *t = end;
		while (t > s && t[-1] != ' ')
			t--;
		return text_flags(e, t, (size_t)(end - t));
	}
	for (unsigned i = 0; i < 32 && (want >> i) != 0 && s < end; i++) {
		const char *t = s;
		while (s < end && *s != ' ')
			s++;
		if ((want >> i & 1) && (flags |= text_flags(e, t, (size_t)(s - t))) & Z_INTERNAL)
			break;
		if (s < end)
			s++;
	}
	return flags;
}

static bool
v4_inside(uint32_t a, unsigned plen)
{
	for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
		unsigned r = v4_ranges[i].plen;
		if (r <= plen && ((a ^ v4_ranges[i].net) & (~0u << (32 - r))) == 0)
			return true;
	}
	return false;
}

static bool
prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

/* Is the prefix a[0..plen bits) inside a special-purpose IPv6 range? */
static bool
v6_inside(const uint8_t a[16], unsigned plen)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (plen >= 96 && memcmp(a, mapped, 12) == 0)
		return v4_inside((uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
		                 (uint32_t)a[14] << 8 | a[15], plen - 96);
	for (size_t i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++)
		if (v6_ranges[i].plen <= plen && prefix_equal(a, v6_ranges[i].net, v6_ranges[i].plen))
			return true;
	return false;
}

/* Dotted-quad text s[0..n) into a; false when it is not one. */
static bool
parse_v4(const char *s, size_t n, uint32_t *a)
{
	uint32_t v = 0;
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned x = 0, digits = 0;
		if (part > 0 && (i >= n || s[i++] != '.'))
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) {
			x = x * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || x > 255)
			return false;
		v = v << 8 | x;
	}
	*a = v;
	return i == n;
}

static bool
address_special(const struct proto_obs *o)
{
	char text[INET6_ADDRSTRLEN];
	uint8_t a6[16];
	uint32_t a4;

	if (o->rdata == NULL)
		return false;
	if (o->rrtype == PROTO_T_A)
		return parse_v4(o->rdata, o->rdata_len, &a4) && v4_inside(a4, 32);
	if (o->rdata_len >= sizeof(text))
		return false;
	memcpy(text, o->rdata, o->rdata_len);
	text[o->rdata_len] = '\0';
	return inet_pton(AF_INET6, text, a6) == 1 && v6_inside(a6, 128);
}

/* The value of a reverse label "0".."255" (no leading zero), or -1. */
static int
v4_label(const uint8_t *l)
{
	int v = 0;

	if (l[0] == 0 || l[0] > 3 || (l[0] > 1 && l[1] == '0'))
		return -1;
	for (unsigned i = 1; i <= l[0]; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -1;
		v = v * 10 + (l[i] - '0');
	}
	return v <= 255 ? v : -1;
}

/* The value of a nibble label (one hex digit), or -1. */
static int
nibble_label(const uint8_t *l)
{
	uint8_t c;

	if (l[0] != 1)
		return -1;
	c = l[1];
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Is the wire name w[0..len) a reverse name (or under one) of a prefix
 * inside a special-purpose range?
 */
static bool
reverse_special(const uint8_t *w, size_t len)
{
	uint8_t starts[MAX_LABELS];
	uint8_t a[16] = { 0 };
	size_t tail;
	unsigned n = 0;
	int k, i, v;
	bool v4;

	/* Quick refusal: every reverse name ends in "\4arpa\0". */
	if (len < IP6_ARPA_LEN || memcmp(w + len - 6, "\x04" "arpa", 6) != 0)
		return false;
	if (len >= IN_ADDR_ARPA_LEN && memcmp(w + len - IN_ADDR_ARPA_LEN, in_addr_arpa,
	                                      IN_ADDR_ARPA_LEN) == 0)
		v4 = true;
	else if (memcmp(w + len - IP6_ARPA_LEN, ip6_arpa, IP6_ARPA_LEN) == 0)
		v4 = false;
	else
		return false;
	if ((k = name_labels(w, len, starts)) < 2)
		return false;
	tail = len - (v4 ? IN_ADDR_ARPA_LEN : IP6_ARPA_LEN);
	if (starts[k - 2] != tail)
		return false; /* e.g. "\3xin-addr\4arpa" */
	for (i = k - 3; i >= 0 && n < (v4 ? 4u : 32u); i--, n++) {
		const uint8_t *l = w + starts[i];
		if (v4) {
			if ((v = v4_label(l)) < 0)
				break;
			a[n] = (uint8_t)v;
		} else {
			if ((v = nibble_label(l)) < 0)
				break;
			a[n / 2] |= (uint8_t)(n % 2 == 0 ? v << 4 : v);
		}
	}
	if (v4)
		return v4_inside((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
		                 (uint32_t)a[2] << 8 | a[3], 8 * n);
	return v6_inside(a, 4 * n);
}

enum node_export_verdict
node_export_check(const struct node_export *e, const struct proto_obs *o)
{
	unsigned flags;

	if (o->section == PROTO_SEC_NXDOMAIN)
		return NODE_EXPORT_NXDOMAIN;
	flags = name_flags(e, o->name, o->name_len);
	if ((flags & Z_INTERNAL) == 0)
		flags |= rdata_flags(e, o);
	if (flags & Z_INTERNAL)
		return NODE_EXPORT_INTERNAL_ZONE;
	if (flags & Z_SPECIAL)
		return NODE_EXPORT_SPECIAL_NAME;
	if (!e->special_addresses)
		return NODE_EXPORT_OK;
	if ((o->rrtype == PROTO_T_A || o->rrtype == PROTO_T_AAAA) && address_special(o))
		return NODE_EXPORT_SPECIAL_ADDRESS;
	if (reverse_special(o->name, o->name_len))
		return NODE_EXPORT_SPECIAL_PTR;
	return NODE_EXPORT_OK;
}

const char *
node_export_verdict_name(enum node_export_verdict v)
{
	if ((unsigned)v >= NODE_EXPORT_VERDICTS)
		return "unknown";
	return verdict_names[v];
}

/* Add the wire name w[0..len) with flags to the set (sized beforehand). */
static int
add_wire(struct node_export *e, const uint8_t *w, size_t len, unsigned flags)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (size_t q = len; q > 0;)
		h = (h ^ w[--q]) * FNV_PRIME;
	h = mix(h);
	for (i = h & e->mask; e->tab[i].len != 0; i = (i + 1) & e->mask) {
		struct zone *z = &e->tab[i];
		if (z->hash == h && z->len == len && memcmp(e->arena + z->off, w, len) == 0) {
			z->flags |= (uint8_t)flags;
			return 0;
		}
	}
	if (2 * (e->n + 1) > e->mask + 1)
		return PROTO_ESPACE; /* the table was sized for every name */
	if (e->arena_len + len > e->arena_cap) {
		size_t cap = e->arena_cap != 0 ? 2 * e->arena_cap : 4096;
		uint8_t *p = realloc(e->arena, cap);
		if (p == NULL)
			return PROTO_ENOMEM;
		e->arena = p;
		e->arena_cap = cap;
	}
	memcpy(e->arena + e->arena_len, w, len);
	e->tab[i] = (struct zone){ .hash = h, .off = (uint32_t)e->arena_len, .len = (uint8_t)len,
	                           .flags = (uint8_t)flags };
	e->arena_len += len;
	e->n++;
	e->lens[len >> 6] |= 1ull << (len & 63);
	return 0;
}

static int
add_text(struct node_export *e, const char *text, unsigned flags)
{
	uint8_t w[PROTO_NAME_MAX];
	size_t wlen;

	if (proto_name_parse(text, strlen(text), w, &wlen) != 0 || wlen < 2)
		return PROTO_EINVAL; /* not a name, or the root */
	return add_wire(e, w, wlen, flags);
}

static int
add_specials(struct node_export *e)
{
	char text[80];
	int err = 0;

	for (size_t i = 0; err == 0 && i < sizeof(special_names) / sizeof(special_names[0]); i++)
		err = add_text(e, special_names[i], Z_SPECIAL);
	for (int i = 16; err == 0 && i <= 31; i++) {
		snprintf(text, sizeof(text), "%d.172.in-addr.arpa", i);
		err = add_text(e, text, Z_SPECIAL);
	}
	for (int i = 64; err == 0 && i <= 127; i++) {
		snprintf(text, sizeof(text), "%d.100.in-addr.arpa", i);
		err = add_text(e, text, Z_SPECIAL);
	}
	/* :: and ::1: 32 nibble labels each. */
	for (int one = 0; err == 0 && one <= 1; one++) {
		size_t n = 0;
		for (int i = 0; i < 32; i++) {
			text[n++] = i == 0 && one ? '1' : '0';
			text[n++] = '.';
		}
		memcpy(text + n, "ip6.arpa", sizeof("ip6.arpa"));
		err = add_text(e, text, Z_SPECIAL);
	}
	return err;
}

int
node_export_new(struct node_export **out, const struct node_config *cfg)
{
	struct node_export *e;
	size_t want, cap = 64;
	int err = 0;

	*out = NULL;
	if (cfg == NULL)
		return PROTO_EINVAL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return PROTO_ENOMEM;
	e->special_addresses = cfg->export.suppress_special_purpose_addresses;
	e->granularity = cfg->export.time_granularity;
	e->min_count = cfg->export.min_count;
	e->min_days = cfg->export.min_days;
	want = cfg->export.internal_zones.n +
	       (cfg->export.suppress_special_use_names ? N_SPECIAL : 0);
	while (cap < 2 * want)
		cap *= 2;
	if ((e->tab = calloc(cap, sizeof(*e->tab))) == NULL) {
		free(e);
		return PROTO_ENOMEM;
	}
	e->mask = cap - 1;
	for (size_t i = 0; err == 0 && i < cfg->export.internal_zones.n; i++)
		err = add_text(e, cfg->export.internal_zones.v[i], Z_INTERNAL);
	if (err == 0 && cfg->export.suppress_special_use_names)
		err = add_specials(e);
	if (err != 0) {
		node_export_free(&e);
		return err;
	}
	*out = e;
	return 0;
}

void
node_export_free(struct node_export **ep)
{
	if (ep == NULL || *ep == NULL)
		return;
	free((*ep)->tab);
	free((*ep)->arena);
	free(*ep);
	*ep = NULL;
}

void
node_export_times(const struct node_export *e, int64_t *first, int64_t *last)
{
	int64_t g = e->granularity, r;

	if (g <= 1)
		return;
	if (first != NULL && (r = *first % g) != 0) {
		if (r < 0)
			r += g;
		*first = *first >= INT64_MIN + r ? *first - r : INT64_MIN / g * g;
	}
	if (last != NULL && (r = *last % g) != 0) {
		r = r < 0 ? -r : g - r; /* what is missing up to the next multiple */
		*last = *last <= INT64_MAX - r ? *last + r : INT64_MAX / g * g;
	}
}

uint32_t
node_export_min_count(const struct node_export *e)
{
	return e->min_count;
}

uint32_t
node_export_min_days(const struct node_export *e)
{
	return e->min_days;
}

void
node_export_pseudonym(const uint8_t *secret, size_t secret_len, const char *sensor_name,
                      uint8_t out[NODE_EXPORT_PSEUDONYM_LEN])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)sensor_name, strlen(sensor_name));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, mac, NODE_EXPORT_PSEUDONYM_LEN);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
}
