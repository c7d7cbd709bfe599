/*
 * store_oracle.c - the store against an oracle.
 *
 * Random observations are written with store_db_put in batches and kept in
 * memory by an independent model: arrays, one sort to merge repeated keys,
 * linear scans to answer. The model never builds a store key; it knows
 * only what store_db.h, proto_query.h and doc/store-encoding.md promise.
 * Then random queries go through store_db_query and through the model, and
 * the answers must be the same rows in the same order, with the same
 * `limited` flag.
 *
 * Usage: store_oracle [--rows N] [--queries N] [--seed S] [--dir DIR]
 *                     [--keep] [--show N]
 *   CI:        store_oracle --rows 50000 --queries 1000 --seed 1
 *   full size: build-rel/bin/store_oracle --rows 1000000 --queries 10000
 *
 * What the model holds (and why):
 * - Rows are observations of origin 0. About a quarter of the puts repeat
 *   an earlier key (often from an earlier batch, sometimes the same
 *   batch), so the merge operator folds operands in memtables, in
 *   compactions and at read time: the model merges them the documented
 *   way (min time_first, max time_last, sum of counts, the deeper
 *   bailiwick = the longer wire name, on a tie the smaller bytes). The
 *   first half is written by a STORE_WRITE handle (sorted batches, skip
 *   list); then the store is compacted, closed and reopened as STORE_BULK
 *   (pdns-sensor's mode: unsorted batches, vector memtable) for the second
 *   half, so later merges also land on values already folded on disk.
 * - Names are compared as decoded wire names (lowercase): their text is a
 *   function of the wire form, and mismatch reports print the text.
 * - Matching, as documented: exact name; left wildcard = names strictly
 *   below the zone; right wildcard = names that start with the given
 *   labels and have at least one more; rdata by name = NS, CNAME, DNAME,
 *   PTR (the whole rdata), MX, KX, AFSDB (the exchange), SRV (the target);
 *   IP = A/AAAA rows whose address is in [lo, hi]; raw = the address kinds
 *   for 4 and 16 octets, rows targeting the name when the octets are
 *   exactly one uncompressed wire name, and rows whose rdata text is the
 *   RFC 3597 form `\# len HEX` (doc/store-encoding.md, "rdata kinds").
 *   Filters: types (ANY matches all), sections (0 means answer; NXDOMAIN
 *   rows have no section to filter), inclusive fences, bailiwick equal to
 *   the row's merged bailiwick.
 * - Order: store_db.h promises "index order", and doc/store-encoding.md
 *   gives each index's key layout, so the model sorts its answer the way
 *   those keys sort (reversed names, big-endian numbers, text followed by
 *   a zero octet) and applies offset and limit to that sequence. Right
 *   wildcards are ordered by the forward name, then per name; raw lookups
 *   give the address rows, then the name rows, then the text rows.
 *
 * Half the queries go through a reader (STORE_READ) opened beside the bulk
 * writer, half through the writer: the first four through the bulk handle
 * (its vector memtable sorts on every read: seconds per lookup), then
 * the writer is closed and reopened as STORE_WRITE (recovering the WAL)
 * and the reader is opened again. With --reader-follows, the reader stays
 * open while the writer flushes, closes and reopens, and follows it with
 * store_db_refresh: RocksDB 7.8 secondaries keep memtables replayed from a
 * WAL the primary has since flushed (facebook/rocksdb#14444, #15051), so
 * the merge operands in them count twice; off by default until the store
 * copes with it.
 * Exit 0 when every answer matched, 1 on any mismatch, 2 when the test
 * itself could not run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_obs.h"
#include "proto/proto_query.h"
#include "proto/proto_rrtype.h"
#include "store/store_db.h"

#define PROG "store_oracle"
#define T0 INT64_C(1577836800)              /* 2020-01-01 */
#define SPAN (INT64_C(3) * 365 * 86400)     /* three years of sightings */
#define TYPE_UNKNOWN 65280

static void
die(const char *what)
{
	fprintf(stderr, "%s: %s\n", PROG, what);
	exit(2);
}

/* --- random numbers: splitmix64, so a seed gives the same run anywhere -- */

static uint64_t rng;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
below(uint32_t n)
{
	return n != 0 ? (uint32_t)(rnd() % n) : 0;
}

static bool
chance(unsigned pct)
{
	return below(100) < pct;
}

/* --- memory: one bump arena for everything generated ------------------- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

static struct chunk *arena;

static void *
arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (arena == NULL || arena->cap - arena->used < n) {
		size_t cap = n > ((size_t)1 << 22) ? n : (size_t)1 << 22;
		struct chunk *c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			die("out of memory");
		c->next = arena;
		c->used = 0;
		c->cap = cap;
		arena = c;
	}
	void *p = (uint8_t *)arena->data + arena->used;
	arena->used += n;
	return p;
}

static void *
arena_copy(const void *p, size_t n)
{
	void *d = arena_alloc(n + 1);
	memcpy(d, p, n);
	((uint8_t *)d)[n] = 0;
	return d;
}

static void
arena_free(void)
{
	while (arena != NULL) {
		struct chunk *c = arena;
		arena = c->next;
		free(c);
	}
}

/* Make room for need elements of size elem in *p (capacity *cap). */
static void
grow(void *p, size_t *cap, size_t need, size_t elem)
{
	void **pp = p;

	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 1024;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*pp, ncap * elem);
	if (n == NULL)
		die("out of memory");
	*pp = n;
	*cap = ncap;
}

/* --- names, in wire form, built and printed without the library -------- */

/*
 * Presentation text as dig writes it (what the sensor puts in rdata): the
 * special characters get a backslash, other bytes outside 0x21..0x7e are
 * \DDD. With `vary`, letters get a random case, some plain bytes become
 * \DDD and a trailing dot may be added: the same name, as a user types it.
 */
static void
name_text(const uint8_t *w, bool vary, struct proto_buf *b)
{
	bool upper = vary && chance(50), ddd = vary && chance(15);
	char e[5];

	if (w[0] == 0) {
		proto_buf_putc(b, '.');
		return;
	}
	for (unsigned p = 0; w[p] != 0; p += 1u + w[p]) {
		if (p != 0)
			proto_buf_putc(b, '.');
		for (unsigned i = 1; i <= w[p]; i++) {
			uint8_t c = w[p + i];
			if (ddd && chance(20)) {
				snprintf(e, sizeof(e), "\\%03u", c);
				proto_buf_puts(b, e);
			} else if (strchr(".;\\()\"@$", c) != NULL && c != 0) {
				proto_buf_putc(b, '\\');
				proto_buf_putc(b, (char)c);
			} else if (c > 0x20 && c < 0x7f) {
				if (upper && c >= 'a' && c <= 'z' && chance(50))
					c = (uint8_t)(c - 'a' + 'A');
				proto_buf_putc(b, (char)c);
			} else {
				snprintf(e, sizeof(e), "\\%03u", c);
				proto_buf_puts(b, e);
			}
		}
	}
	if (vary && chance(50))
		proto_buf_putc(b, '.');
}

/* The library's text of a wire name, for reports only. */
static const char *
show_name(const uint8_t *w, unsigned len, char *buf, size_t cap)
{
	struct proto_buf b;

	proto_buf_init(&b, buf, cap);
	if (len == 0)
		proto_buf_puts(&b, "(none)");
	else
		proto_name_format(w, len, &b);
	return buf;
}

static unsigned
label_count(const uint8_t *w)
{
	unsigned n = 0;

	for (unsigned p = 0; w[p] != 0; p += 1u + w[p])
		n++;
	return n;
}

/* Offset of the label that leaves `keep` labels to its right. */
static unsigned
suffix_at(const uint8_t *w, unsigned keep)
{
	unsigned n = label_count(w), p = 0;

	for (unsigned i = 0; i + keep < n; i++)
		p += 1u + w[p];
	return p;
}

/*
 * The labels in reverse order, still ending with the root label: how the
 * documented rrset, rdata and nxdomain keys order names.
 */
static uint8_t *
reversed(const uint8_t *w, unsigned len)
{
	unsigned starts[128], n = 0, o = 0;
	uint8_t *out = arena_alloc(len);

	for (unsigned p = 0; w[p] != 0; p += 1u + w[p])
		starts[n++] = p;
	while (n-- > 0) {
		memcpy(out + o, w + starts[n], 1u + w[starts[n]]);
		o += 1u + w[starts[n]];
	}
	out[o] = 0;
	return out;
}

static bool
name_eq(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Strictly below zone: a proper suffix that starts on a label boundary. */
static bool
name_below(const uint8_t *n, unsigned nlen, const uint8_t *z, unsigned zlen)
{
	if (nlen <= zlen || memcmp(n + nlen - zlen, z, zlen) != 0)
		return false;
	unsigned p = 0;
	while (p < nlen - zlen)
		p += 1u + n[p];
	return p == nlen - zlen;
}

/* Starts with the labels l[0..llen) (no root) and has one label more. */
static bool
name_right(const uint8_t *n, unsigned nlen, const uint8_t *l, unsigned llen)
{
	return nlen > llen + 1 && memcmp(n, l, llen) == 0 && n[llen] != 0;
}

static int
bytes_cmp(const void *a, size_t al, const void *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = n != 0 ? memcmp(a, b, n) : 0; /* an absent bailiwick is NULL */

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

/* --- what is generated: zones, a name pool, keys and sightings -------------- */

struct zone {
	const uint8_t *wire;
	unsigned len;
	bool arpa;
};

struct key {
	const uint8_t *owner, *target;   /* target: NULL when the type has none */
	const uint8_t *raw;              /* TYPE65280: the rdata octets */
	const char *rdata;
	unsigned owner_len, target_len, rdata_len, raw_len;
	unsigned zone;
	uint16_t rrtype;
	uint8_t section;
	uint8_t alen;                    /* 4 for A, 16 for AAAA, else 0 */
	uint8_t addr[16];
};

struct put {
	const struct key *key;
	const uint8_t *bw;               /* NULL: unknown */
	unsigned bw_len;
	int64_t first, last;
	uint64_t count;
};

/* One distinct key with its merged aggregate: the model's row. */
struct orow {
	const struct key *k;
	const uint8_t *rev_owner, *rev_target;
	const uint8_t *bw;
	unsigned bw_len;
	int64_t first, last;
	uint64_t count;
};

static struct zone *zones;
static unsigned nzones;
static struct {
	const uint8_t *wire;
	unsigned len, zone;
} *pool;
static unsigned npool;
static struct put *sightings;
static size_t nsightings, csightings;
static struct orow *rows;
static size_t nrows;

/*
 * NXDOMAIN lookups with a right wildcard (`pdns --nxdomain 'www.example.*'`)
 * are off by default: the store runs them as an exact lookup of the labels
 *. With the option on,
 * the model expects what a right wildcard means for rrsets.
 */
static bool opt_nx_right;
static bool opt_reader_follows; /* see the header */

static const char *const words[] = {
	"www", "mail", "api", "cdn", "ns1", "ns2", "mx", "smtp", "vpn", "dev",
	"static", "img", "m", "login", "edge", "app", "db", "shop", "news",
	"blog", "ftp", "git", "wiki", "portal", "a", "b", "c", "x", "www2",
	"autodiscover", "cloud", "eu", "us", "int",
};
/* Labels that need escapes in text: dig's specials, odd bytes, '*'. */
static const struct {
	const char *b;
	unsigned n;
} odd_labels[] = {
	{ "a b", 3 }, { "john.doe", 8 }, { "back\\slash", 10 }, { "q\"uote", 6 },
	{ "semi;colon", 10 }, { "at@sign", 7 }, { "dollar$", 7 },
	{ "paren(s)", 8 }, { "\0nul", 4 }, { "\xffhigh", 5 }, { "tab\t", 4 },
	{ "del\x7f", 4 }, { "*", 1 }, { "_x", 2 }, { "\xc3\xa9t\xc3\xa9", 6 },
	{ "-", 1 },
};
static const char *const tlds[] = {
	"com", "net", "org", "de", "uk", "jp", "io", "nl", "fr", "info",
};

/* One label into out (length byte first); returns its size. */
static unsigned
gen_label(uint8_t *out, bool arpa)
{
	char t[16];
	unsigned n;

	if (arpa) {
		n = (unsigned)snprintf(t, sizeof(t), "%u", below(256));
	} else if (chance(4)) {
		unsigned i = below(sizeof(odd_labels) / sizeof(odd_labels[0]));
		out[0] = (uint8_t)odd_labels[i].n;
		memcpy(out + 1, odd_labels[i].b, odd_labels[i].n);
		return 1 + odd_labels[i].n;
	} else if (chance(50)) {
		n = (unsigned)snprintf(t, sizeof(t), "%s",
		                       words[below(sizeof(words) / sizeof(words[0]))]);
	} else {
		n = (unsigned)snprintf(t, sizeof(t), "h%u", below(100000));
	}
	out[0] = (uint8_t)n;
	memcpy(out + 1, t, n);
	return 1 + n;
}

/* Wire name of dot-separated plain text (no escapes needed). */
static unsigned
plain_wire(const char *text, uint8_t *out)
{
	unsigned o = 0;

	while (*text != '\0') {
		size_t l = strcspn(text, ".");
		out[o] = (uint8_t)l;
		memcpy(out + o + 1, text, l);
		o += 1 + (unsigned)l;
		text += l;
		if (*text == '.')
			text++;
	}
	out[o++] = 0;
	return o;
}

static void
gen_zones(unsigned n)
{
	char t[96];
	uint8_t w[PROTO_NAME_MAX];

	zones = calloc(n, sizeof(*zones));
	if (zones == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++) {
		const char *tld = tlds[i % (sizeof(tlds) / sizeof(tlds[0]))];
		const char *word = words[i % (sizeof(words) / sizeof(words[0]))];
		bool arpa = i % 25 == 2;
		if (i == 0)
			snprintf(t, sizeof(t), "example");
		else if (i == 1)
			snprintf(t, sizeof(t), "test");
		else if (arpa)
			snprintf(t, sizeof(t), "%u.%u.in-addr.arpa", i % 256, 10 + i / 256);
		else if (i % 7 == 3)
			snprintf(t, sizeof(t), "%s%u.co.%s", word, i, i % 2 ? "uk" : "jp");
		else if (i % 31 == 4)
			snprintf(t, sizeof(t), "dept%u.corp%u.example.%s", i, i / 2, tld);
		else /* word.tld in threes (www7.com, www7.net...): right wildcards span TLDs */
			snprintf(t, sizeof(t), "%s%u.%s",
			         words[i / 3 % (sizeof(words) / sizeof(words[0]))], i / 3, tld);
		unsigned len = plain_wire(t, w);
		zones[i].wire = arena_copy(w, len);
		zones[i].len = len;
		zones[i].arpa = arpa;
	}
	nzones = n;
}

static unsigned
pick_zone(void)
{
	unsigned z = below(nzones);

	return chance(50) ? below(z + 1) : z; /* a few zones are busier */
}

/* A name of 0..4 labels above zone z, into out; returns its length. */
static unsigned
gen_name(uint8_t *out, unsigned z)
{
	unsigned r = below(100), extra = r < 10 ? 0 : r < 65 ? 1 : r < 90 ? 2 : r < 97 ? 3 : 4;
	unsigned o = 0;

	for (unsigned i = 0; i < extra; i++) {
		uint8_t l[64];
		unsigned ll = gen_label(l, zones[z].arpa);
		if (o + ll + zones[z].len > PROTO_NAME_MAX)
			break;
		memcpy(out + o, l, ll);
		o += ll;
	}
	memcpy(out + o, zones[z].wire, zones[z].len);
	return o + zones[z].len;
}

static void
gen_pool(unsigned n)
{
	uint8_t w[PROTO_NAME_MAX];

	pool = calloc(n, sizeof(*pool));
	if (pool == NULL)
		die("out of memory");
	for (unsigned i = 0; i < n; i++) {
		unsigned z = pick_zone(), len;
		const uint8_t *zw = zones[z].wire;
		if (chance(2) && zw[0] != 0 && zw[1 + zw[0]] != 0 && zw[0] < 60) {
			/*
			 * "ab\007example.com": its octets end with example.com's
			 * wire form, but not on a label boundary, so it is below
			 * com and not below example.com.
			 */
			w[0] = (uint8_t)(2 + 1 + zw[0]);
			w[1] = 'a';
			w[2] = 'b';
			memcpy(w + 3, zw, 1u + zw[0]);
			memcpy(w + 3 + 1 + zw[0], zw + 1 + zw[0], zones[z].len - 1 - zw[0]);
			len = 3 + zones[z].len;
		} else {
			len = gen_name(w, z);
		}
		pool[i].wire = arena_copy(w, len);
		pool[i].len = len;
		pool[i].zone = z;
	}
	npool = n;
}

/* A name that no generated row has: its first label starts with "zz". */
static unsigned
missing_name(uint8_t *out)
{
	char t[16];
	unsigned z = pick_zone();
	unsigned n = (unsigned)snprintf(t, sizeof(t), "zz%u", below(1000000));

	out[0] = (uint8_t)n;
	memcpy(out + 1, t, n);
	memcpy(out + 1 + n, zones[z].wire, zones[z].len);
	return 1 + n + zones[z].len;
}

/* Addresses clustered in a few /16s and /48s, so CIDRs hit. */
static const uint8_t v4_nets[][2] = {
	{ 0, 0 }, { 10, 1 }, { 192, 0 }, { 198, 51 }, { 203, 0 }, { 172, 16 },
	{ 100, 64 }, { 255, 255 },
};
static const uint8_t v6_nets[][6] = {
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00 }, { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff },
	{ 0x2a, 0x00, 0x14, 0x50, 0x40, 0x01 }, { 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static void
gen_v4(uint8_t a[4])
{
	unsigned c = below(sizeof(v4_nets) / sizeof(v4_nets[0]));

	a[0] = v4_nets[c][0];
	a[1] = v4_nets[c][1];
	a[2] = (uint8_t)(chance(60) ? below(4) : below(256));
	a[3] = (uint8_t)below(256);
}

static void
gen_v6(uint8_t a[16])
{
	unsigned r = below(100);

	memset(a, 0, 16);
	if (r < 8) {
		/* ::ffff:192.0.2.x, IPv4-mapped */
		a[10] = a[11] = 0xff;
		a[12] = 192;
		a[14] = 2;
		a[15] = (uint8_t)below(256);
	} else if (r < 12) {
		/* ::198.51.100.x, IPv4-compatible (both text forms agree) */
		a[12] = 198;
		a[13] = 51;
		a[14] = 100;
		a[15] = (uint8_t)below(256);
	} else {
		unsigned c = below(sizeof(v6_nets) / sizeof(v6_nets[0]));
		memcpy(a, v6_nets[c], 6);
		if (chance(50)) {
			a[7] = (uint8_t)below(4);
			a[14] = (uint8_t)below(4);
			a[15] = (uint8_t)below(256);
		} else {
			for (int i = 6; i < 16; i++)
				a[i] = (uint8_t)rnd();
		}
	}
}

/* An address some row already has, most of the time. */
static const struct key *
row_with(bool (*want)(const struct key *))
{
	for (int tries = 0; tries < 200 && nsightings > 0; tries++) {
		const struct key *k = sightings[below((uint32_t)nsightings)].key;
		if (want(k))
			return k;
	}
	return NULL;
}

static bool
is_a(const struct key *k)
{
	return k->alen == 4;
}

static bool
is_aaaa(const struct key *k)
{
	return k->alen == 16;
}

static bool
has_target(const struct key *k)
{
	return k->target != NULL;
}

static bool
is_unknown(const struct key *k)
{
	return k->rrtype == TYPE_UNKNOWN && k->section != PROTO_SEC_NXDOMAIN;
}

static bool
is_nx(const struct key *k)
{
	return k->section == PROTO_SEC_NXDOMAIN;
}

static bool
is_rrset(const struct key *k)
{
	return k->section != PROTO_SEC_NXDOMAIN;
}

static const struct key *
new_key(void)
{
	static const uint16_t nx_types[] = {
		PROTO_T_A, PROTO_T_AAAA, PROTO_T_MX, PROTO_T_TXT, PROTO_T_NS,
		PROTO_T_PTR, TYPE_UNKNOWN,
	};
	struct key *k = arena_alloc(sizeof(*k));
	uint8_t w[PROTO_NAME_MAX], t[PROTO_NAME_MAX];
	char text[PROTO_NAME_TEXT_MAX + 64], tn[PROTO_NAME_TEXT_MAX];
	struct proto_buf b, bn;
	unsigned r, pi = below(npool), tl = 0;

	memset(k, 0, sizeof(*k));
	proto_buf_init(&b, text, sizeof(text));
	proto_buf_init(&bn, tn, sizeof(tn));
	k->zone = pool[pi].zone;
	k->owner = pool[pi].wire;
	k->owner_len = pool[pi].len;
	r = below(100);
	k->section = r < 75 ? PROTO_SEC_ANSWER : r < 88 ? PROTO_SEC_AUTHORITY
	             : PROTO_SEC_ADDITIONAL;
	r = below(1000);
	if (r < 65) {
		/* NXDOMAIN: qname, qtype, empty rdata, no bailiwick */
		k->section = PROTO_SEC_NXDOMAIN;
		k->rrtype = nx_types[below(sizeof(nx_types) / sizeof(nx_types[0]))];
		if (chance(50)) {
			unsigned len = missing_name(w);
			k->owner = arena_copy(w, len);
			k->owner_len = len;
		}
		k->rdata = "";
		return k;
	}
	r = below(935);
	const struct key *same;
	if (r < 280) {
		k->rrtype = PROTO_T_A;
		k->alen = 4;
		if (chance(20) && (same = row_with(is_a)) != NULL)
			memcpy(k->addr, same->addr, 4);
		else
			gen_v4(k->addr);
		inet_ntop(AF_INET, k->addr, text, sizeof(text));
		b.len = strlen(text);
	} else if (r < 420) {
		k->rrtype = PROTO_T_AAAA;
		k->alen = 16;
		if (chance(20) && (same = row_with(is_aaaa)) != NULL)
			memcpy(k->addr, same->addr, 16);
		else
			gen_v6(k->addr);
		inet_ntop(AF_INET6, k->addr, text, sizeof(text));
		b.len = strlen(text);
	} else if (r < 700) {
		/* the types whose rdata is or targets a name */
		unsigned s = below(280);
		k->rrtype = s < 90 ? PROTO_T_NS : s < 180 ? PROTO_T_CNAME
		            : s < 195 ? PROTO_T_DNAME : s < 245 ? PROTO_T_PTR
		            : s < 260 ? PROTO_T_MX : s < 270 ? PROTO_T_KX : PROTO_T_AFSDB;
		if (s >= 245 && chance(45))
			k->rrtype = PROTO_T_MX;
		unsigned ti = below(npool);
		memcpy(t, pool[ti].wire, pool[ti].len);
		tl = pool[ti].len;
		if (k->rrtype == PROTO_T_MX && chance(3)) {
			t[0] = 0; /* null MX, RFC 7505 */
			tl = 1;
		}
		name_text(t, false, &bn);
		if (k->rrtype == PROTO_T_MX || k->rrtype == PROTO_T_KX)
			snprintf(text, sizeof(text), "%u %s", (unsigned[]){ 0, 5, 10, 20, 50 }[below(5)], tn);
		else if (k->rrtype == PROTO_T_AFSDB)
			snprintf(text, sizeof(text), "%u %s", 1 + below(2), tn);
		else
			snprintf(text, sizeof(text), "%s", tn);
		b.len = strlen(text);
		if (k->rrtype == PROTO_T_PTR && chance(70)) {
			/* reverse names under the arpa zones */
			unsigned z = 2 + 25 * below((nzones - 2 + 24) / 25);
			if (z < nzones && zones[z].arpa) {
				unsigned len = 0;
				len += gen_label(w, true);
				memcpy(w + len, zones[z].wire, zones[z].len);
				len += zones[z].len;
				k->owner = arena_copy(w, len);
				k->owner_len = len;
				k->zone = z;
			}
		}
	} else if (r < 770) {
		k->rrtype = PROTO_T_SRV;
		unsigned ti = below(npool);
		memcpy(t, pool[ti].wire, pool[ti].len);
		tl = pool[ti].len;
		if (chance(3)) {
			t[0] = 0; /* "no service here" */
			tl = 1;
		}
		name_text(t, false, &bn);
		snprintf(text, sizeof(text), "%u %u %u %s", below(21), below(101),
		         (unsigned[]){ 80, 443, 5060, 389, 5222 }[below(5)], tn);
		b.len = strlen(text);
		if (chance(80)) {
			static const char *const svc[] = {
				"\x04_sip\x04_tcp", "\x05_ldap\x04_tcp", "\x05_xmpp\x04_udp",
			};
			const char *s = svc[below(3)];
			unsigned sl = (unsigned)strlen(s);
			memcpy(w, s, sl);
			memcpy(w + sl, zones[k->zone].wire, zones[k->zone].len);
			k->owner = arena_copy(w, sl + zones[k->zone].len);
			k->owner_len = sl + zones[k->zone].len;
		}
	} else if (r < 840) {
		k->rrtype = PROTO_T_TXT;
		static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789 =:-\"\\\x01\xe9";
		unsigned ns = 1 + below(3);
		for (unsigned s = 0; s < ns; s++) {
			if (s != 0)
				proto_buf_putc(&b, ' ');
			proto_buf_putc(&b, '"');
			unsigned len = below(31);
			for (unsigned i = 0; i < len; i++) {
				uint8_t c = (uint8_t)alpha[below(sizeof(alpha) - 1)];
				char e[5];
				if (c == '"' || c == '\\') {
					proto_buf_putc(&b, '\\');
					proto_buf_putc(&b, (char)c);
				} else if (c < 0x20 || c >= 0x7f) {
					snprintf(e, sizeof(e), "\\%03u", c);
					proto_buf_puts(&b, e);
				} else {
					proto_buf_putc(&b, (char)c);
				}
			}
			proto_buf_putc(&b, '"');
		}
	} else {
		/* TYPE65280, RFC 3597: octets that are also an address, a name, or none */
		uint8_t raw[64];
		unsigned n, s = below(100);
		k->rrtype = TYPE_UNKNOWN;
		if (s < 20 && (same = row_with(is_a)) != NULL) {
			memcpy(raw, same->addr, 4);
			n = 4;
		} else if (s < 35 && (same = row_with(is_aaaa)) != NULL) {
			memcpy(raw, same->addr, 16);
			n = 16;
		} else if (s < 45 && pool[pi].len <= sizeof(raw)) {
			memcpy(raw, pool[pi].wire, pool[pi].len);
			n = pool[pi].len;
		} else if (s < 50) {
			n = 0;
		} else {
			n = 1 + below(24);
			for (unsigned i = 0; i < n; i++)
				raw[i] = (uint8_t)rnd();
		}
		char num[16];
		snprintf(num, sizeof(num), "\\# %u", n);
		proto_buf_puts(&b, num);
		if (n != 0) {
			proto_buf_putc(&b, ' ');
			proto_buf_put_hex(&b, raw, n);
		}
		k->raw = arena_copy(raw, n);
		k->raw_len = n;
	}
	if (b.err != 0 || bn.err != 0)
		die("generated rdata too long");
	k->rdata = arena_copy(text, b.len);
	k->rdata_len = (unsigned)b.len;
	if (tl != 0) {
		k->target = arena_copy(t, tl);
		k->target_len = tl;
	}
	return k;
}

/* A bailiwick for one sighting of k: none, its zone, an ancestor, deeper. */
static void
gen_bailiwick(const struct key *k, struct put *p)
{
	const struct zone *z = &zones[k->zone];
	unsigned r = below(100);

	p->bw = NULL;
	p->bw_len = 0;
	if (k->section == PROTO_SEC_NXDOMAIN || r < 40)
		return;
	if (r < 75 || r >= 95) {
		if (r >= 95)
			z = &zones[below(nzones)]; /* same length as another: the tie rule */
		p->bw = z->wire;
		p->bw_len = z->len;
	} else if (r < 85 && z->wire[0] != 0 && z->wire[1 + z->wire[0]] != 0) {
		p->bw = z->wire + 1 + z->wire[0];
		p->bw_len = z->len - 1 - z->wire[0];
	} else if (k->owner[0] != 0) {
		p->bw = k->owner + 1 + k->owner[0];
		p->bw_len = k->owner_len - 1 - k->owner[0];
	}
}

static void
gen_value(struct put *p)
{
	unsigned r = below(100);

	p->first = T0 + (int64_t)below((uint32_t)SPAN);
	p->last = r < 30 ? p->first : r < 60 ? p->first + below(86400)
	          : p->first + below(365 * 86400);
	r = below(100);
	p->count = r < 50 ? 1 + below(10) : r < 85 ? 1 + below(100) : 1 + below(1000);
	gen_bailiwick(p->key, p);
}

/* --- writing ------------------------------------------------------------ */

struct writer {
	const char *dir;
	struct store_db *db;
	struct proto_obs *obs;
	size_t cobs;
	uint64_t batches;
};

static void
write_batch(struct writer *w, size_t from, size_t to)
{
	char why[512], msg[700];

	if (to == from)
		return;
	grow(&w->obs, &w->cobs, to - from, sizeof(*w->obs));
	for (size_t i = from; i < to; i++) {
		const struct put *p = &sightings[i];
		struct proto_obs *o = &w->obs[i - from];
		memset(o, 0, sizeof(*o));
		o->name = p->key->owner;
		o->name_len = p->key->owner_len;
		o->rdata = p->key->rdata;
		o->rdata_len = p->key->rdata_len;
		o->bailiwick = p->bw;
		o->bailiwick_len = p->bw_len;
		o->rrtype = p->key->rrtype;
		o->section = p->key->section;
		o->time_first = p->first;
		o->time_last = p->last;
		o->count = p->count;
	}
	int rc = store_db_put(w->db, w->obs, to - from, STORE_ORIGIN_LOCAL, why, sizeof(why));
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "store_db_put failed: %s (%s)", why, proto_strerror(rc));
		die(msg);
	}
	w->batches++;
}

static void
open_store(struct store_db **db, const char *dir, enum store_mode mode)
{
	char why[512], msg[1024];

	int rc = store_db_open(db, dir, mode, why, sizeof(why));
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "cannot open store '%s': %s (%s)", dir, why,
		         proto_strerror(rc));
		die(msg);
	}
}

/*
 * Generate and write nrows sightings in batches of 1..1000. About a quarter
 * repeat an earlier key (of any batch), a few a key of the same batch.
 */
static void
generate_and_write(struct writer *w, size_t n)
{
	size_t start = 0, left = 0;
	bool reopened = false;

	grow(&sightings, &csightings, n, sizeof(*sightings));
	for (size_t i = 0; i <= n; i++) {
		if (left == 0 || i == n) {
			write_batch(w, start, i);
			if (!reopened && i >= n / 2) {
				/*
				 * Fold what is there into values on disk and go on as a
				 * bulk writer (what pdns-sensor --store is: unsorted
				 * batches into a vector memtable), so later operands
				 * merge into old values through the other write path.
				 */
				store_db_compact(w->db);
				store_db_close(&w->db);
				open_store(&w->db, w->dir, STORE_BULK);
				reopened = true;
			}
			start = i;
			left = 1 + below(1000);
		}
		if (i == n)
			break;
		struct put *p = &sightings[i];
		if (i > 0 && chance(25))
			p->key = sightings[below((uint32_t)i)].key;
		else if (i > start && chance(3))
			p->key = sightings[start + below((uint32_t)(i - start))].key;
		else
			p->key = new_key();
		gen_value(p);
		nsightings = i + 1;
		left--;
	}
}

/* --- the model: merge repeated keys ------------------------------------- */

static int
key_cmp(const struct key *a, const struct key *b)
{
	int c = bytes_cmp(a->owner, a->owner_len, b->owner, b->owner_len);

	if (c != 0)
		return c;
	if (a->rrtype != b->rrtype)
		return a->rrtype < b->rrtype ? -1 : 1;
	if (a->section != b->section)
		return a->section < b->section ? -1 : 1;
	return bytes_cmp(a->rdata, a->rdata_len, b->rdata, b->rdata_len);
}

static int
put_cmp(const void *x, const void *y)
{
	const struct put *const *a = x, *const *b = y;

	return key_cmp((*a)->key, (*b)->key);
}

/* The deeper bailiwick: longer wire name; on a tie, the smaller bytes. */
static bool
bw_better(const uint8_t *b, unsigned blen, const uint8_t *a, unsigned alen)
{
	if (blen != alen)
		return blen > alen;
	return blen != 0 && memcmp(b, a, blen) < 0;
}

static void
build_model(void)
{
	const struct put **order = malloc(nsightings * sizeof(*order));

	if (order == NULL)
		die("out of memory");
	for (size_t i = 0; i < nsightings; i++)
		order[i] = &sightings[i];
	qsort(order, nsightings, sizeof(*order), put_cmp);
	rows = calloc(nsightings, sizeof(*rows));
	if (rows == NULL)
		die("out of memory");
	for (size_t i = 0; i < nsightings; i++) {
		const struct put *p = order[i];
		if (nrows == 0 || key_cmp(rows[nrows - 1].k, p->key) != 0) {
			struct orow *r = &rows[nrows++];
			r->k = p->key;
			r->first = p->first;
			r->last = p->last;
			r->count = p->count;
			r->bw = p->bw;
			r->bw_len = p->bw_len;
			r->rev_owner = reversed(p->key->owner, p->key->owner_len);
			if (p->key->target != NULL)
				r->rev_target = reversed(p->key->target, p->key->target_len);
			continue;
		}
		struct orow *r = &rows[nrows - 1];
		if (p->first < r->first)
			r->first = p->first;
		if (p->last > r->last)
			r->last = p->last;
		r->count += p->count;
		if (bw_better(p->bw, p->bw_len, r->bw, r->bw_len)) {
			r->bw = p->bw;
			r->bw_len = p->bw_len;
		}
	}
	free(order);
}

/* --- the model: candidates ---------------------------------------------- */

/*
 * A scan of every row for every query made the full-size run take a
 * quarter of an hour. These buckets only narrow where the scan looks: a
 * name equal to or below a zone has the zone's last label, a name a right
 * wildcard matches has its first label. Every candidate still goes
 * through the full match, so a bucket that missed a row would show up as
 * a row the store has and the model lacks, never as a silent pass.
 */
#define NBUCKET 512

struct bucket {
	uint32_t *ix;
	size_t n;
};

enum { B_OWNER_TOP, B_OWNER_FIRST, B_TARGET_TOP, B_TARGET_FIRST, B_COUNT };
static struct bucket buckets[B_COUNT][NBUCKET];
static struct bucket by_a, by_aaaa, by_nx;

static unsigned
label_hash(const uint8_t *l)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i <= l[0]; i++)
		h = (h ^ l[i]) * 16777619u;
	return h % NBUCKET;
}

/* The last label before the root (the root's own empty label for "."). */
static unsigned
top_hash(const uint8_t *w)
{
	unsigned p = 0, last = 0;

	while (w[p] != 0) {
		last = p;
		p += 1u + w[p];
	}
	return label_hash(w + last);
}

static void
bucket_add(struct bucket *b, size_t *cap, uint32_t i)
{
	grow(&b->ix, cap, b->n + 1, sizeof(*b->ix));
	b->ix[b->n++] = i;
}

static void
build_buckets(void)
{
	static size_t caps[B_COUNT][NBUCKET];
	size_t ca = 0, caaaa = 0, cnx = 0;

	for (size_t i = 0; i < nrows; i++) {
		const struct key *k = rows[i].k;
		uint32_t ix = (uint32_t)i;
		if (k->section == PROTO_SEC_NXDOMAIN) {
			bucket_add(&by_nx, &cnx, ix);
			continue;
		}
		unsigned h = top_hash(k->owner);
		bucket_add(&buckets[B_OWNER_TOP][h], &caps[B_OWNER_TOP][h], ix);
		h = label_hash(k->owner);
		bucket_add(&buckets[B_OWNER_FIRST][h], &caps[B_OWNER_FIRST][h], ix);
		if (k->target != NULL) {
			h = top_hash(k->target);
			bucket_add(&buckets[B_TARGET_TOP][h], &caps[B_TARGET_TOP][h], ix);
			h = label_hash(k->target);
			bucket_add(&buckets[B_TARGET_FIRST][h], &caps[B_TARGET_FIRST][h], ix);
		}
		if (k->alen == 4)
			bucket_add(&by_a, &ca, ix);
		else if (k->alen == 16)
			bucket_add(&by_aaaa, &caaaa, ix);
	}
}

static void
free_buckets(void)
{
	for (int b = 0; b < B_COUNT; b++)
		for (int h = 0; h < NBUCKET; h++)
			free(buckets[b][h].ix);
	free(by_a.ix);
	free(by_aaaa.ix);
	free(by_nx.ix);
}

/* Where q's rows can be; NULL: anywhere. */
static const struct bucket *
candidates(const struct proto_query *q)
{
	bool right = q->match == PROTO_M_RIGHT;

	switch (q->kind) {
	case PROTO_Q_RRSET:
		return right ? &buckets[B_OWNER_FIRST][label_hash(q->name)]
		       : &buckets[B_OWNER_TOP][top_hash(q->name)];
	case PROTO_Q_RDATA_NAME:
		return right ? &buckets[B_TARGET_FIRST][label_hash(q->name)]
		       : &buckets[B_TARGET_TOP][top_hash(q->name)];
	case PROTO_Q_RDATA_IP:
		return q->family == 4 ? &by_a : &by_aaaa;
	case PROTO_Q_NXDOMAIN:
		return &by_nx;
	default:
		return NULL;
	}
}

/* --- the model: answering ----------------------------------------------- */

/* A row of an answer, from the model or from the store. */
struct ans {
	const uint8_t *owner, *bw;
	const char *rdata;
	unsigned owner_len, bw_len, rdata_len;
	uint16_t rrtype, origin;
	uint8_t section;
	int64_t first, last;
	uint64_t count;
};

struct hit {
	const struct orow *r;
	unsigned group;            /* raw lookups: 0 address, 1 name, 2 text */
};

static bool
filters_pass(const struct proto_query *q, const struct orow *r)
{
	const struct key *k = r->k;

	if (q->ntypes != 0) {
		bool ok = false;
		for (unsigned i = 0; i < q->ntypes; i++)
			if (q->types[i] == PROTO_T_ANY || q->types[i] == k->rrtype)
				ok = true;
		if (!ok)
			return false;
	}
	if (k->section != PROTO_SEC_NXDOMAIN) {
		unsigned secs = q->sections ? q->sections : PROTO_QS_ANSWER;
		if ((secs & (1u << k->section)) == 0)
			return false;
	}
	if ((q->fences & PROTO_F_FIRST_AFTER) && r->first < q->first_after)
		return false;
	if ((q->fences & PROTO_F_FIRST_BEFORE) && r->first > q->first_before)
		return false;
	if ((q->fences & PROTO_F_LAST_AFTER) && r->last < q->last_after)
		return false;
	if ((q->fences & PROTO_F_LAST_BEFORE) && r->last > q->last_before)
		return false;
	if (q->bailiwick_len != 0 && !name_eq(r->bw, r->bw_len, q->bailiwick, q->bailiwick_len))
		return false;
	return true;
}

/* Index orders, as the documented keys sort. */
static int
cmp_u(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

static int
ord_rrset(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->rev_owner, a->k->owner_len, b->rev_owner, b->k->owner_len);

	if (c == 0)
		c = cmp_u(a->k->rrtype, b->k->rrtype);
	if (c == 0)
		c = cmp_u(a->k->section, b->k->section);
	if (c == 0)
		c = bytes_cmp(a->k->rdata, a->k->rdata_len, b->k->rdata, b->k->rdata_len);
	return c;
}

static int
ord_fwd_owner(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->k->owner, a->k->owner_len, b->k->owner, b->k->owner_len);

	return c != 0 ? c : ord_rrset(a, b);
}

/* After the indexed value: rrtype, section, reversed owner (rdata index). */
static int
ord_tail(const struct orow *a, const struct orow *b)
{
	int c = cmp_u(a->k->rrtype, b->k->rrtype);

	if (c == 0)
		c = cmp_u(a->k->section, b->k->section);
	if (c == 0)
		c = bytes_cmp(a->rev_owner, a->k->owner_len, b->rev_owner, b->k->owner_len);
	return c;
}

static int
ord_addr(const struct orow *a, const struct orow *b)
{
	int c = memcmp(a->k->addr, b->k->addr, a->k->alen);

	return c != 0 ? c : ord_tail(a, b);
}

static int
ord_target(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->rev_target, a->k->target_len, b->rev_target, b->k->target_len);

	if (c == 0)
		c = ord_tail(a, b);
	if (c == 0)
		c = bytes_cmp(a->k->rdata, a->k->rdata_len, b->k->rdata, b->k->rdata_len);
	return c;
}

static int
ord_fwd_target(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->k->target, a->k->target_len, b->k->target, b->k->target_len);

	return c != 0 ? c : ord_target(a, b);
}

static int
ord_text(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->k->rdata, a->k->rdata_len, b->k->rdata, b->k->rdata_len);

	return c != 0 ? c : ord_tail(a, b);
}

static int
ord_nx(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->rev_owner, a->k->owner_len, b->rev_owner, b->k->owner_len);

	return c != 0 ? c : cmp_u(a->k->rrtype, b->k->rrtype);
}

/* A right wildcard of NXDOMAIN names, if the store had one: by name, then qtype. */
static int
ord_fwd_nx(const struct orow *a, const struct orow *b)
{
	int c = bytes_cmp(a->k->owner, a->k->owner_len, b->k->owner, b->k->owner_len);

	return c != 0 ? c : cmp_u(a->k->rrtype, b->k->rrtype);
}

static int (*ord)(const struct orow *, const struct orow *);

static int
hit_cmp(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->group == 0)
		return ord_addr(a->r, b->r);
	if (a->group == 1)
		return ord_target(a->r, b->r);
	if (a->group == 2)
		return ord_text(a->r, b->r);
	return ord(a->r, b->r);
}

/* Raw octets that are exactly one uncompressed wire name, lowercased. */
static bool
raw_name(const uint8_t *raw, unsigned n, uint8_t *out, unsigned *outlen)
{
	unsigned p = 0;

	while (p < n) {
		unsigned l = raw[p];
		if (l == 0) {
			if (p + 1 != n || n > PROTO_NAME_MAX)
				return false;
			/* Length octets are <= 63, below 'A': lowercase everything. */
			for (unsigned i = 0; i < n; i++)
				out[i] = raw[i] >= 'A' && raw[i] <= 'Z' ? (uint8_t)(raw[i] + 32) : raw[i];
			*outlen = n;
			return true;
		}
		if (l > 63 || p + 1 + l >= n)
			return false;
		p += 1 + l;
	}
	return false;
}

/* Which rows answer q, in index order; groups for raw lookups. */
static size_t
model_answer(const struct proto_query *q, struct hit **hits, size_t *cap)
{
	size_t n = 0;
	uint8_t rname[PROTO_NAME_MAX];
	unsigned rlen = 0;
	char rtext[16 + 2 * PROTO_QUERY_RAW_MAX];
	struct proto_buf b;
	bool rawname = false;

	if (q->kind == PROTO_Q_RDATA_RAW) {
		rawname = raw_name(q->raw, q->raw_len, rname, &rlen);
		proto_buf_init(&b, rtext, sizeof(rtext));
		char num[16];
		snprintf(num, sizeof(num), "\\# %u", q->raw_len);
		proto_buf_puts(&b, num);
		if (q->raw_len != 0) {
			proto_buf_putc(&b, ' ');
			proto_buf_put_hex(&b, q->raw, q->raw_len);
		}
	}
	const struct bucket *cand = candidates(q);
	size_t ncand = cand != NULL ? cand->n : nrows;
	for (size_t ci = 0; ci < ncand; ci++) {
		const struct orow *r = &rows[cand != NULL ? cand->ix[ci] : ci];
		const struct key *k = r->k;
		bool nx = k->section == PROTO_SEC_NXDOMAIN, hit = false;
		unsigned group = 3;
		switch (q->kind) {
		case PROTO_Q_RRSET:
			if (nx)
				break;
			if (q->match == PROTO_M_EXACT)
				hit = name_eq(k->owner, k->owner_len, q->name, q->name_len);
			else if (q->match == PROTO_M_LEFT)
				hit = name_below(k->owner, k->owner_len, q->name, q->name_len);
			else
				hit = name_right(k->owner, k->owner_len, q->name, q->name_len);
			break;
		case PROTO_Q_RDATA_NAME:
			if (k->target == NULL)
				break;
			if (q->match == PROTO_M_EXACT)
				hit = name_eq(k->target, k->target_len, q->name, q->name_len);
			else if (q->match == PROTO_M_LEFT)
				hit = name_below(k->target, k->target_len, q->name, q->name_len);
			else
				hit = name_right(k->target, k->target_len, q->name, q->name_len);
			break;
		case PROTO_Q_RDATA_IP:
			if (k->alen == (q->family == 4 ? 4 : 16))
				hit = memcmp(k->addr, q->addr_lo, k->alen) >= 0 &&
				      memcmp(k->addr, q->addr_hi, k->alen) <= 0;
			break;
		case PROTO_Q_RDATA_RAW:
			if (nx)
				break;
			if (k->alen != 0) {
				hit = k->alen == q->raw_len && memcmp(k->addr, q->raw, k->alen) == 0;
				group = 0;
			} else if (k->target != NULL) {
				hit = rawname && name_eq(k->target, k->target_len, rname, rlen);
				group = 1;
			} else {
				hit = b.len == k->rdata_len && memcmp(k->rdata, rtext, b.len) == 0;
				group = 2;
			}
			break;
		case PROTO_Q_NXDOMAIN:
			if (!nx)
				break;
			if (q->match == PROTO_M_LEFT)
				hit = name_below(k->owner, k->owner_len, q->name, q->name_len);
			else if (q->match == PROTO_M_RIGHT)
				hit = name_right(k->owner, k->owner_len, q->name, q->name_len);
			else
				hit = name_eq(k->owner, k->owner_len, q->name, q->name_len);
			break;
		}
		if (!hit || !filters_pass(q, r))
			continue;
		grow(hits, cap, n + 1, sizeof(**hits));
		(*hits)[n].r = r;
		(*hits)[n].group = group;
		n++;
	}
	switch (q->kind) {
	case PROTO_Q_RRSET:
		ord = q->match == PROTO_M_RIGHT ? ord_fwd_owner : ord_rrset;
		break;
	case PROTO_Q_RDATA_NAME:
		ord = q->match == PROTO_M_RIGHT ? ord_fwd_target : ord_target;
		break;
	case PROTO_Q_RDATA_IP:
		ord = ord_addr;
		break;
	case PROTO_Q_NXDOMAIN:
		ord = q->match == PROTO_M_RIGHT ? ord_fwd_nx : ord_nx;
		break;
	default:
		ord = NULL; /* raw: by group */
	}
	if (n > 1)
		qsort(*hits, n, sizeof(**hits), hit_cmp);
	return n;
}

/* --- queries ------------------------------------------------------------ */

static const uint16_t filter_types[] = {
	PROTO_T_A, PROTO_T_AAAA, PROTO_T_NS, PROTO_T_CNAME, PROTO_T_MX, PROTO_T_PTR,
	PROTO_T_TXT, PROTO_T_SRV, TYPE_UNKNOWN, PROTO_T_DNAME, PROTO_T_KX,
	PROTO_T_AFSDB, PROTO_T_SOA, PROTO_T_ANY,
};

/*
 * The row a query was built from: its filters take their type, bailiwick
 * and fence times from it half the time, so filters cut through answers
 * (a fence at exactly a row's time catches an off-by-one).
 */
static const struct orow *seed_row;

static const struct orow *
random_row(bool (*want)(const struct key *))
{
	for (int tries = 0; tries < 500; tries++) {
		const struct orow *r = &rows[below((uint32_t)nrows)];
		if (want == NULL || want(r->k)) {
			seed_row = r;
			return r;
		}
	}
	return NULL;
}

/* Set q's name from a wire name, through text as a user would type it. */
static void
set_name(struct proto_query *q, const uint8_t *w, unsigned len, bool right)
{
	char text[PROTO_NAME_TEXT_MAX + 2], msg[PROTO_NAME_TEXT_MAX + 64];
	struct proto_buf b;
	size_t out;

	proto_buf_init(&b, text, sizeof(text));
	name_text(w, true, &b);
	int rc = proto_name_parse(text, b.len, q->name, &out);
	if (rc != 0 || out != len || memcmp(q->name, w, len) != 0) {
		snprintf(msg, sizeof(msg), "proto_name_parse('%s') does not give the name back",
		         text);
		die(msg);
	}
	q->name_len = (uint16_t)(right ? out - 1 : out);
}

/* A zone (suffix) of w: a random depth, rarely a top-level domain. */
static unsigned
pick_suffix(const uint8_t *w, bool *heavy)
{
	unsigned n = label_count(w);
	unsigned keep = 1 + below(n);

	if (keep == 1 && n > 1 && chance(75))
		keep = 2 + below(n - 1);
	*heavy = keep == 1;
	return suffix_at(w, keep);
}

/*
 * The first j labels of w; returns their length. Now and then all of them:
 * the name itself must then not match, only names with a label more.
 */
static unsigned
pick_prefix(const uint8_t *w, bool *heavy)
{
	unsigned n = label_count(w), j = chance(20) ? n : 1 + below(n - 1), p = 0;

	for (unsigned i = 0; i < j; i++)
		p += 1u + w[p];
	*heavy = j == 1;
	return p;
}

static bool
owner_two_labels(const struct key *k)
{
	return k->section != PROTO_SEC_NXDOMAIN && label_count(k->owner) >= 2;
}

static bool
target_two_labels(const struct key *k)
{
	return k->target != NULL && label_count(k->target) >= 2;
}

static void
q_names(struct proto_query *q, unsigned kind, bool *heavy)
{
	uint8_t w[PROTO_NAME_MAX];
	unsigned len, m = below(100);
	const struct orow *r;

	q->kind = (uint8_t)kind;
	if (kind == PROTO_Q_NXDOMAIN) {
		r = random_row(is_nx);
		if (r == NULL || chance(15)) {
			len = missing_name(w);
			set_name(q, w, len, false);
			return;
		}
		if (opt_nx_right && m < 20 && label_count(r->k->owner) >= 2) {
			unsigned p = pick_prefix(r->k->owner, heavy);
			uint8_t w2[PROTO_NAME_MAX];
			memcpy(w2, r->k->owner, p);
			w2[p] = 0;
			q->match = PROTO_M_RIGHT;
			set_name(q, w2, p + 1, true);
		} else if (m < 70) {
			set_name(q, r->k->owner, r->k->owner_len, false);
		} else {
			unsigned s = pick_suffix(r->k->owner, heavy);
			q->match = PROTO_M_LEFT;
			set_name(q, r->k->owner + s, r->k->owner_len - s, false);
		}
		return;
	}
	bool rdata = kind == PROTO_Q_RDATA_NAME;
	q->match = (uint8_t)(m < 55 ? PROTO_M_EXACT : m < 80 ? PROTO_M_LEFT : PROTO_M_RIGHT);
	if (q->match == PROTO_M_RIGHT) {
		r = random_row(rdata ? target_two_labels : owner_two_labels);
		if (r == NULL || chance(5)) {
			missing_name(w);
			w[1 + w[0]] = 0; /* "zzN.*": a first label no row has */
			set_name(q, w, 2u + w[0], true);
			return;
		}
		const uint8_t *n = rdata ? r->k->target : r->k->owner;
		unsigned p = pick_prefix(n, heavy);
		memcpy(w, n, p);
		w[p] = 0;
		set_name(q, w, p + 1, true);
		return;
	}
	r = random_row(rdata ? has_target : is_rrset);
	if (r == NULL)
		die("no rows to query");
	const uint8_t *n = rdata ? r->k->target : r->k->owner;
	unsigned nlen = rdata ? r->k->target_len : r->k->owner_len;
	if (q->match == PROTO_M_EXACT) {
		unsigned x = below(100);
		if (x < 8) {
			len = missing_name(w);
			set_name(q, w, len, false);
		} else if (x < 16 && !rdata) {
			const struct zone *z = &zones[r->k->zone];
			set_name(q, z->wire, z->len, false);
		} else if (x < 11 && rdata) {
			set_name(q, (const uint8_t *)"", 1, false); /* the root: null MX, SRV "." */
		} else {
			set_name(q, n, nlen, false);
		}
		return;
	}
	if (n[0] == 0) {
		r = random_row(rdata ? target_two_labels : owner_two_labels);
		if (r == NULL)
			die("no rows to query");
		n = rdata ? r->k->target : r->k->owner;
		nlen = rdata ? r->k->target_len : r->k->owner_len;
	}
	if (chance(5)) {
		len = missing_name(w);
		set_name(q, w, len, false);
		return;
	}
	unsigned s = pick_suffix(n, heavy);
	set_name(q, n + s, nlen - s, false);
}

static void
q_ip(struct proto_query *q, bool *heavy)
{
	bool v6 = chance(45);
	unsigned alen = v6 ? 16 : 4, bits = alen * 8;
	uint8_t base[16];
	const struct orow *r = random_row(v6 ? is_aaaa : is_a);

	q->kind = PROTO_Q_RDATA_IP;
	q->family = v6 ? 6 : 4;
	unsigned m = below(100);
	if (r != NULL && m < 70)
		memcpy(base, r->k->addr, alen);
	else if (m < 90 && !v6)
		gen_v4(base);
	else if (m < 90)
		gen_v6(base);
	else
		for (unsigned i = 0; i < alen; i++)
			base[i] = (uint8_t)rnd();
	if (chance(80)) {
		/* a CIDR of every length but /0, each length in turn */
		static unsigned next_len[2];
		unsigned plen = 1 + next_len[v6]++ % bits;
		for (unsigned i = 0; i < alen; i++) {
			unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;
			uint8_t mask = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));
			q->addr_lo[i] = base[i] & mask;
			q->addr_hi[i] = (uint8_t)(base[i] | (uint8_t)~mask);
		}
		*heavy = plen < (v6 ? 48u : 16u);
		return;
	}
	/* a range: base, and base plus up to 2^16 (carrying) or another row */
	uint8_t hi[16];
	memcpy(hi, base, alen);
	const struct orow *o = random_row(v6 ? is_aaaa : is_a);
	if (o != NULL && chance(30)) {
		memcpy(hi, o->k->addr, alen);
	} else {
		unsigned add = below(65536), carry = 0;
		for (int i = (int)alen - 1; i >= 0; i--) {
			unsigned s = hi[i] + (add & 0xff) + carry;
			hi[i] = (uint8_t)s;
			carry = s >> 8;
			add >>= 8;
		}
		if (carry)
			memset(hi, 0xff, alen);
	}
	if (memcmp(hi, base, alen) < 0) {
		memcpy(q->addr_lo, hi, alen);
		memcpy(q->addr_hi, base, alen);
	} else {
		memcpy(q->addr_lo, base, alen);
		memcpy(q->addr_hi, hi, alen);
	}
	static const uint8_t zero[16], ones[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	if (memcmp(q->addr_lo, zero, alen) == 0 && memcmp(q->addr_hi, ones, alen) == 0)
		q->addr_lo[alen - 1] = 1; /* never the whole space: that is refused */
	*heavy = q->addr_lo[0] != q->addr_hi[0] || q->addr_lo[1] != q->addr_hi[1];
}

static void
q_raw(struct proto_query *q)
{
	unsigned m = below(100);
	const struct orow *r;

	q->kind = PROTO_Q_RDATA_RAW;
	if (m < 25 && (r = random_row(is_a)) != NULL) {
		memcpy(q->raw, r->k->addr, 4);
		q->raw_len = 4;
	} else if (m < 40 && (r = random_row(is_aaaa)) != NULL) {
		memcpy(q->raw, r->k->addr, 16);
		q->raw_len = 16;
	} else if (m < 65 && (r = random_row(has_target)) != NULL) {
		/* a wire name, in any case: names compare case-insensitively */
		memcpy(q->raw, r->k->target, r->k->target_len);
		q->raw_len = (uint16_t)r->k->target_len;
		for (unsigned i = 0; i < q->raw_len; i++)
			if (q->raw[i] >= 'a' && q->raw[i] <= 'z' && chance(30))
				q->raw[i] = (uint8_t)(q->raw[i] - 32);
		/* only label octets were touched: length bytes are <= 63 < 'a' */
	} else if (m < 90 && (r = random_row(is_unknown)) != NULL) {
		memcpy(q->raw, r->k->raw, r->k->raw_len);
		q->raw_len = (uint16_t)r->k->raw_len;
	} else {
		q->raw_len = (uint16_t)below(12);
		for (unsigned i = 0; i < q->raw_len; i++)
			q->raw[i] = (uint8_t)rnd();
	}
}

static void
q_filters(struct proto_query *q, bool heavy)
{
	const struct orow *seed = seed_row != NULL ? seed_row : &rows[0];
	unsigned m = below(100);
	const struct orow *r;

	if (m < 30) {
		q->ntypes = 1;
		q->types[0] = chance(60) ? seed->k->rrtype
		              : filter_types[below(sizeof(filter_types) / sizeof(filter_types[0]) - 1)];
	} else if (m < 40) {
		unsigned n = 2 + below(PROTO_QUERY_MAX_TYPES - 1);
		for (unsigned i = 0; i < n; i++) {
			uint16_t t = filter_types[below(sizeof(filter_types) / sizeof(filter_types[0]))];
			bool dup = false;
			for (unsigned j = 0; j < q->ntypes; j++)
				dup |= q->types[j] == t;
			if (!dup)
				q->types[q->ntypes++] = t;
		}
	} else if (m < 45) {
		q->ntypes = 1;
		q->types[0] = PROTO_T_ANY;
	}
	m = below(100);
	if (m < 10)
		q->sections = 0;
	else if (m < 35)
		q->sections = PROTO_QS_ALL;
	else if (m < 45)
		q->sections = (uint8_t)((1 + below(7)) << 1);
	if (chance(8)) {
		r = seed;
		for (int tries = 0; tries < 20 && r->bw_len == 0; tries++)
			r = &rows[below((uint32_t)nrows)];
		if (r->bw_len != 0 && chance(75)) {
			memcpy(q->bailiwick, r->bw, r->bw_len);
			q->bailiwick_len = (uint16_t)r->bw_len;
		} else {
			const struct zone *z = &zones[below(nzones)];
			memcpy(q->bailiwick, z->wire, z->len);
			q->bailiwick_len = (uint16_t)z->len;
		}
	}
	int64_t *fence[4] = { &q->first_after, &q->first_before, &q->last_after, &q->last_before };
	for (unsigned f = 0; f < 4; f++) {
		if (!chance(12))
			continue;
		q->fences |= (uint8_t)(1u << f);
		*fence[f] = chance(60) ? (chance(50) ? seed->first : seed->last)
		            : T0 + (int64_t)below((uint32_t)(SPAN + 365 * 86400));
	}
	if (chance(15) || (heavy && chance(70)))
		q->limit = 1 + below(30);
	if (chance(10))
		q->offset = below(30);
}

static void
gen_query(struct proto_query *q)
{
	unsigned m = below(100);
	bool heavy = false;

	proto_query_init(q);
	seed_row = NULL;
	if (m < 38)
		q_names(q, PROTO_Q_RRSET, &heavy);
	else if (m < 56)
		q_names(q, PROTO_Q_RDATA_NAME, &heavy);
	else if (m < 80)
		q_ip(q, &heavy);
	else if (m < 90)
		q_raw(q);
	else
		q_names(q, PROTO_Q_NXDOMAIN, &heavy);
	q_filters(q, heavy);
}

static void
describe(const struct proto_query *q, char *out, size_t cap)
{
	static const char *const kinds[] = {
		"?", "rrset", "rdata-name", "rdata-ip", "rdata-raw", "nxdomain",
	};
	static const char *const fn[] = { "first>=", "first<=", "last>=", "last<=" };
	const int64_t fv[] = { q->first_after, q->first_before, q->last_after, q->last_before };
	char t[PROTO_NAME_TEXT_MAX], tt[PROTO_RRTYPE_TEXT_MAX], a[64];
	struct proto_buf b;

	proto_buf_init(&b, out, cap);
	proto_buf_puts(&b, kinds[q->kind <= 5 ? q->kind : 0]);
	proto_buf_putc(&b, ' ');
	if (q->kind == PROTO_Q_RDATA_IP) {
		int af = q->family == 4 ? AF_INET : AF_INET6;
		proto_buf_puts(&b, inet_ntop(af, q->addr_lo, a, sizeof(a)));
		proto_buf_putc(&b, '-');
		proto_buf_puts(&b, inet_ntop(af, q->addr_hi, a, sizeof(a)));
	} else if (q->kind == PROTO_Q_RDATA_RAW) {
		proto_buf_puts(&b, "0x");
		proto_buf_put_hex(&b, q->raw, q->raw_len);
	} else {
		if (q->match == PROTO_M_LEFT)
			proto_buf_puts(&b, "*.");
		proto_buf_puts(&b, show_name(q->name, q->name_len, t, sizeof(t)));
		if (q->match == PROTO_M_RIGHT)
			proto_buf_puts(&b, ".*");
	}
	if (q->ntypes != 0) {
		proto_buf_puts(&b, " types=");
		for (unsigned i = 0; i < q->ntypes; i++) {
			if (i != 0)
				proto_buf_putc(&b, ',');
			proto_buf_puts(&b, proto_rrtype_name(q->types[i], tt));
		}
	}
	snprintf(a, sizeof(a), " sections=0x%x", q->sections);
	proto_buf_puts(&b, a);
	if (q->bailiwick_len != 0) {
		proto_buf_puts(&b, " bailiwick=");
		proto_buf_puts(&b, show_name(q->bailiwick, q->bailiwick_len, t, sizeof(t)));
	}
	for (unsigned f = 0; f < 4; f++) {
		if (q->fences & (1u << f)) {
			snprintf(a, sizeof(a), " %s%" PRId64, fn[f], fv[f]);
			proto_buf_puts(&b, a);
		}
	}
	if (q->limit || q->offset) {
		snprintf(a, sizeof(a), " limit=%" PRIu64 " offset=%" PRIu64, q->limit, q->offset);
		proto_buf_puts(&b, a);
	}
}

/* --- the store's answer ------------------------------------------------- */

struct got {
	struct ans *a;
	size_t n, cap;
	uint8_t *bytes;            /* copies of names and rdata */
	size_t blen, bcap;
};

static size_t
got_copy(struct got *g, const void *p, size_t n)
{
	size_t off = g->blen;

	grow(&g->bytes, &g->bcap, g->blen + n + 1, 1);
	if (n != 0)
		memcpy(g->bytes + off, p, n);
	g->blen += n;
	return off;
}

static int
collect(void *arg, const struct store_result *r)
{
	struct got *g = arg;

	grow(&g->a, &g->cap, g->n + 1, sizeof(*g->a));
	struct ans *a = &g->a[g->n++];
	memset(a, 0, sizeof(*a));
	/* Offsets for now: the byte buffer may move while collecting. */
	a->owner = (const uint8_t *)(uintptr_t)got_copy(g, r->obs.name, r->obs.name_len);
	a->owner_len = r->obs.name_len;
	a->rdata = (const char *)(uintptr_t)got_copy(g, r->obs.rdata, r->obs.rdata_len);
	a->rdata_len = r->obs.rdata_len;
	a->bw = (const uint8_t *)(uintptr_t)got_copy(g, r->obs.bailiwick, r->obs.bailiwick_len);
	a->bw_len = r->obs.bailiwick != NULL ? r->obs.bailiwick_len : 0;
	a->rrtype = r->obs.rrtype;
	a->section = r->obs.section;
	a->first = r->obs.time_first;
	a->last = r->obs.time_last;
	a->count = r->obs.count;
	a->origin = r->origin;
	return 0;
}

static void
got_fix(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ans *a = &g->a[i];
		a->owner = g->bytes + (uintptr_t)a->owner;
		a->rdata = (const char *)g->bytes + (uintptr_t)a->rdata;
		a->bw = g->bytes + (uintptr_t)a->bw;
	}
}

static void
ans_of(const struct orow *r, struct ans *a)
{
	a->owner = r->k->owner;
	a->owner_len = r->k->owner_len;
	a->rdata = r->k->rdata;
	a->rdata_len = r->k->rdata_len;
	a->bw = r->bw;
	a->bw_len = r->bw_len;
	a->rrtype = r->k->rrtype;
	a->section = r->k->section;
	a->first = r->first;
	a->last = r->last;
	a->count = r->count;
	a->origin = STORE_ORIGIN_LOCAL;
}

static int
ans_cmp(const struct ans *a, const struct ans *b)
{
	int c = bytes_cmp(a->owner, a->owner_len, b->owner, b->owner_len);

	if (c == 0)
		c = cmp_u(a->rrtype, b->rrtype);
	if (c == 0)
		c = cmp_u(a->section, b->section);
	if (c == 0)
		c = bytes_cmp(a->rdata, a->rdata_len, b->rdata, b->rdata_len);
	if (c == 0)
		c = a->first < b->first ? -1 : a->first > b->first;
	if (c == 0)
		c = a->last < b->last ? -1 : a->last > b->last;
	if (c == 0)
		c = a->count < b->count ? -1 : a->count > b->count;
	if (c == 0)
		c = bytes_cmp(a->bw, a->bw_len, b->bw, b->bw_len);
	if (c == 0)
		c = cmp_u(a->origin, b->origin);
	return c;
}

static int
ans_qcmp(const void *x, const void *y)
{
	return ans_cmp(x, y);
}

static void
show_ans(const char *tag, const struct ans *a)
{
	char o[PROTO_NAME_TEXT_MAX], bw[PROTO_NAME_TEXT_MAX], tt[PROTO_RRTYPE_TEXT_MAX];
	const char *sec = proto_section_name(a->section);

	printf("#     %s %s %s %.*s %s %" PRId64 "..%" PRId64 " count=%" PRIu64
	       " bailiwick=%s origin=%u\n", tag, show_name(a->owner, a->owner_len, o, sizeof(o)),
	       proto_rrtype_name(a->rrtype, tt), (int)a->rdata_len, a->rdata,
	       sec ? sec : "?", a->first, a->last, a->count,
	       show_name(a->bw, a->bw_len, bw, sizeof(bw)), a->origin);
}

/* Print how the two answers differ: rows only one side has, or the order. */
static void
show_diff(struct ans *want, size_t nw, struct ans *got, size_t ng)
{
	size_t i = 0, j = 0, shown = 0;

	for (size_t k = 0; k < nw && k < ng; k++) {
		if (ans_cmp(&want[k], &got[k]) != 0) {
			printf("#   first difference at row %zu of the answer:\n", k);
			show_ans("want", &want[k]);
			show_ans("got ", &got[k]);
			break;
		}
	}
	if (nw > 1)
		qsort(want, nw, sizeof(*want), ans_qcmp);
	if (ng > 1)
		qsort(got, ng, sizeof(*got), ans_qcmp);
	while ((i < nw || j < ng) && shown < 8) {
		int c = i == nw ? 1 : j == ng ? -1 : ans_cmp(&want[i], &got[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			show_ans("missing", &want[i++]);
			shown++;
		} else {
			show_ans("extra  ", &got[j++]);
			shown++;
		}
	}
	if (shown == 0)
		printf("#   same rows, different order\n");
}

/* --- main --------------------------------------------------------------- */

struct opts {
	uint64_t rows, queries, seed, show;
	const char *dir;
	bool keep;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static uint64_t
num_arg(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	char msg[160];

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		snprintf(msg, sizeof(msg), "%s '%s': not a number in %" PRIu64 "..%" PRIu64,
		         opt, s, min, max);
		fprintf(stderr, "%s: %s\n", PROG, msg);
		exit(64);
	}
	return v;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "rows", required_argument, NULL, 'r' },
		{ "queries", required_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "show", required_argument, NULL, 'S' },
		{ "nxdomain-right", no_argument, NULL, 'N' },
		{ "reader-follows", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:q:s:d:kS:NFh", lo, NULL)) != -1) {
		switch (c) {
		case 'r': o->rows = num_arg("--rows", optarg, 100, 100000000); break;
		case 'q': o->queries = num_arg("--queries", optarg, 1, 100000000); break;
		case 's': o->seed = num_arg("--seed", optarg, 0, UINT64_MAX); break;
		case 'd': o->dir = optarg; break;
		case 'k': o->keep = true; break;
		case 'S': o->show = num_arg("--show", optarg, 0, 1000); break;
		case 'N': opt_nx_right = true; break;
		case 'F': opt_reader_follows = true; break;
		case 'h':
			printf("usage: %s [--rows N] [--queries N] [--seed S] [--dir DIR] [--keep] [--show N]\n"
			       "  --rows N      observations written (default 50000; repeats included)\n"
			       "  --queries N   random queries compared (default 1000)\n"
			       "  --seed S      the run is a function of S (default 1)\n"
			       "  --dir DIR     store directory (default /tmp/pdns-oracle-PID, removed)\n"
			       "  --keep        keep the store directory\n"
			       "  --show N      mismatches printed in detail (default 5)\n"
			       "  --nxdomain-right  also NXDOMAIN lookups with a right wildcard\n"
			       "  --reader-follows  keep the reader open while the writer flushes and restarts\n",
			       PROG);
			exit(0);
		default:
			exit(64);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
		exit(64);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct opts o = { .rows = 50000, .queries = 1000, .seed = 1, .show = 5 };
	char dirbuf[64], why[512], desc[4096];
	struct writer w = { 0 };
	struct store_db *rd = NULL;
	double t0 = now();

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0); /* reports survive a sanitizer abort */
	if (o.dir == NULL) {
		snprintf(dirbuf, sizeof(dirbuf), "/tmp/pdns-oracle-%ld", (long)getpid());
		o.dir = dirbuf;
	}
	nftw(o.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rng = o.seed;
	unsigned nz = o.rows < 20000 ? 60 : 300;
	gen_zones(nz);
	gen_pool(o.rows / 4 > 2000 ? (unsigned)(o.rows / 4) : 2000);

	w.dir = o.dir;
	open_store(&w.db, o.dir, STORE_WRITE);
	generate_and_write(&w, (size_t)o.rows);
	double t_write = now();
	build_model();
	build_buckets();
	size_t nnx = 0;
	for (size_t i = 0; i < nrows; i++)
		nnx += rows[i].k->section == PROTO_SEC_NXDOMAIN;
	printf("# %s: seed %" PRIu64 ": %zu rows written in %" PRIu64 " batches (%.1f s), "
	       "%zu distinct keys (%zu NXDOMAIN), %u zones, %u pool names\n", PROG, o.seed,
	       nsightings, w.batches, t_write - t0, nrows, nnx, nzones, npool);
	fflush(stdout);

	/* A reader beside the writer, as the CLI and the node will be. */
	open_store(&rd, o.dir, STORE_READ);

	struct hit *hits = NULL;
	size_t chits = 0;
	struct ans *want = NULL;
	size_t cwant = 0;
	struct got g = { 0 };
	uint64_t mismatches = 0, nonempty = 0, compared = 0, limited = 0, by_kind[6] = { 0 };
	uint64_t bad_kind[6] = { 0 }, bad_reader = 0, bad_bulk = 0;
	uint64_t bulk_queries = o.queries / 8 < 4 ? o.queries / 8 : 4;
	double t_store = 0, t_model = 0, slowest = 0, t_reader = 0;
	char slow_desc[4096] = "";
	struct store_query_info slow_info = { 0 };
	for (uint64_t qi = 0; qi < o.queries; qi++) {
		struct proto_query q;
		struct store_query_info info;
		gen_query(&q);
		by_kind[q.kind]++;

		double a = now();
		size_t nh = model_answer(&q, &hits, &chits);
		size_t from = q.offset < nh ? (size_t)q.offset : nh;
		size_t to = q.limit != 0 && q.limit < nh - from ? from + (size_t)q.limit : nh;
		bool want_limited = to < nh;
		grow(&want, &cwant, to - from + 1, sizeof(*want));
		for (size_t i = from; i < to; i++)
			ans_of(hits[i].r, &want[i - from]);
		size_t nw = to - from;
		double b = now();
		t_model += b - a;

		if (qi == 2 * bulk_queries) {
			/* The writer flushes and restarts (recovering its WAL). */
			if (opt_reader_follows) {
				store_db_compact(w.db);
				store_db_refresh(rd);
			} else {
				store_db_close(&rd);
			}
			store_db_close(&w.db);
			open_store(&w.db, o.dir, STORE_WRITE);
			if (opt_reader_follows)
				store_db_refresh(rd);
			else
				open_store(&rd, o.dir, STORE_READ);
		}
		const char *hname = (qi & 1) ? "reader" : qi < 2 * bulk_queries ? "bulk writer" : "writer";
		struct store_db *h = (qi & 1) ? rd : w.db;
		g.n = 0;
		g.blen = 0;
		why[0] = '\0';
		int rc = store_db_query(h, &q, 0, collect, &g, &info, why, sizeof(why));
		got_fix(&g);
		double took = now() - b;
		t_store += took;
		t_reader += (qi & 1) ? took : 0;
		if (took > slowest) {
			slowest = took;
			describe(&q, slow_desc, sizeof(slow_desc));
			slow_info = info;
		}

		bool same = rc == 0 && g.n == nw && info.returned == g.n && info.limited == want_limited;
		for (size_t i = 0; same && i < nw; i++)
			same = ans_cmp(&want[i], &g.a[i]) == 0;
		nonempty += nw != 0;
		compared += nw;
		limited += want_limited;
		if (same)
			continue;
		mismatches++;
		bad_kind[q.kind]++;
		bad_reader += qi & 1;
		bad_bulk += !(qi & 1) && qi < 2 * bulk_queries;
		if (mismatches > o.show)
			continue;
		describe(&q, desc, sizeof(desc));
		printf("# mismatch %" PRIu64 ": query %" PRIu64 " (%s handle): %s\n", mismatches, qi,
		       hname, desc);
		printf("#   store: rc=%d%s%s, %zu rows, returned=%" PRIu64 ", limited=%d; "
		       "model: %zu rows of %zu, limited=%d\n", rc, rc ? " " : "", rc ? why : "",
		       g.n, info.returned, info.limited, nw, nh, want_limited);
		show_diff(want, nw, g.a, g.n);
	}
	double t_end = now();
	printf("# queries by kind: rrset %" PRIu64 ", rdata-name %" PRIu64 ", rdata-ip %" PRIu64
	       ", rdata-raw %" PRIu64 ", nxdomain %" PRIu64 "\n", by_kind[1], by_kind[2],
	       by_kind[3], by_kind[4], by_kind[5]);
	if (mismatches)
		printf("# mismatches by kind: rrset %" PRIu64 ", rdata-name %" PRIu64 ", rdata-ip %"
		       PRIu64 ", rdata-raw %" PRIu64 ", nxdomain %" PRIu64 "; %" PRIu64
		       " through the reader, %" PRIu64 " through the bulk writer\n", bad_kind[1],
		       bad_kind[2], bad_kind[3], bad_kind[4], bad_kind[5], bad_reader, bad_bulk);
	printf("# time: write %.1f s, model %.1f s, store queries %.1f s (%.1f s of them through "
	       "the reader), total %.1f s\n", t_write - t0, t_model, t_store, t_reader, t_end - t0);
	printf("# slowest store query: %.1f ms, %" PRIu64 " entries scanned, %" PRIu64
	       " rows: %s\n", slowest * 1e3, slow_info.scanned, slow_info.returned, slow_desc);
	printf("%s: %" PRIu64 " queries (%" PRIu64 " non-empty, %" PRIu64 " limited), %zu rows "
	       "written, %zu keys, %" PRIu64 " result rows compared, %" PRIu64 " mismatches\n",
	       PROG, o.queries, nonempty, limited, nsightings, nrows, compared, mismatches);

	free_buckets();
	free(hits);
	free(want);
	free(g.a);
	free(g.bytes);
	store_db_close(&rd);
	store_db_close(&w.db);
	free(w.obs);
	free(sightings);
	free(rows);
	free(zones);
	free(pool);
	arena_free();
	if (!o.keep)
		nftw(o.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return mismatches ? 1 : 0;
}
