/*
 * cli_rows.c - merge rows by key in a hash table, sort them dnsdbq's way.
 *
 * Rows live in one growing array (order of first appearance); an open
 * addressing table of indices finds a key's row. Names and rdata are copied
 * into an arena of large chunks, because a result set is built once, read
 * once and freed at once: one malloc per row would cost more than the rest.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_rows.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

#define CLI_ROWS_CHUNK ((size_t)1 << 20)

struct cli_rows_chunk {
	struct cli_rows_chunk *next;
	size_t used, cap;
	unsigned char data[];
};

struct cli_row {
	struct proto_obs obs;
	uint64_t hash;
	uint8_t addr[16];  /* A/AAAA rdata as an address, for sorting */
	uint8_t family;    /* 4, 6, or 0 when rdata is not an address */
};

struct cli_rows {
	struct cli_row *row;
	size_t n, cap;
	size_t *slot;      /* row index + 1; 0 is empty */
	size_t nslots;     /* a power of two, at least twice n */
	struct cli_rows_chunk *chunk;
};

static const char *const cli_rows_key_names[CLI_KEY_N_] = {
	[CLI_KEY_FIRST] = "first", [CLI_KEY_LAST] = "last",
	[CLI_KEY_DURATION] = "duration", [CLI_KEY_COUNT] = "count",
	[CLI_KEY_NAME] = "name", [CLI_KEY_TYPE] = "type", [CLI_KEY_DATA] = "data",
};

int
cli_rows_sort_parse(const char *text, struct cli_sort *s, char *why,
                    size_t whylen)
{
	const char *p = text;

	for (;;) {
		size_t len = strcspn(p, ","), k, i;

		for (k = 0; k < CLI_KEY_N_; k++) {
			if (strlen(cli_rows_key_names[k]) == len &&
			    strncmp(p, cli_rows_key_names[k], len) == 0)
				break;
		}
		if (k == CLI_KEY_N_) {
			snprintf(why, whylen, "unknown sort key '%.*s' (expected first, "
			         "last, duration, count, name, type or data)", (int)len, p);
			return PROTO_EINVAL;
		}
		for (i = 0; i < s->nkeys && s->keys[i] != k; i++)
			;
		if (i < s->nkeys) {
			snprintf(why, whylen, "sort key '%s' given twice",
			         cli_rows_key_names[k]);
			return PROTO_EINVAL;
		}
		s->keys[s->nkeys++] = (unsigned char)k;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

int
cli_rows_new(struct cli_rows **out)
{
	struct cli_rows *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return PROTO_ENOMEM;
	*out = r;
	return 0;
}

void
cli_rows_destroy(struct cli_rows **rp)
{
	struct cli_rows *r = rp != NULL ? *rp : NULL;

	if (r == NULL)
		return;
	while (r->chunk != NULL) {
		struct cli_rows_chunk *c = r->chunk;
		r->chunk = c->next;
		free(c);
	}
	free(r->row);
	free(r->slot);
	free(r);
	*rp = NULL;
}

/* Copy n bytes (plus a NUL, so rdata can go to inet_pton) into the arena. */
static void *
cli_rows_copy(struct cli_rows *r, const void *p, size_t n)
{
	struct cli_rows_chunk *c = r->chunk;
	unsigned char *dst;

	if (c == NULL || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > CLI_ROWS_CHUNK ? n + 1 : CLI_ROWS_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = r->chunk;
		r->chunk = c;
	}
	dst = c->data + c->used;
	if (n > 0)
		memcpy(dst, p, n);
	dst[n] = '\0';
	c->used += n + 1;
	return dst;
}

static uint64_t
cli_rows_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
cli_rows_hash(const struct proto_obs *o)
{
	unsigned char fixed[3] = { (unsigned char)(o->rrtype >> 8),
	                           (unsigned char)o->rrtype, o->section };
	uint64_t h = 0xcbf29ce484222325ULL;

	h = cli_rows_fnv(h, o->name, o->name_len);
	h = cli_rows_fnv(h, fixed, sizeof(fixed));
	return cli_rows_fnv(h, o->rdata, o->rdata_len);
}

static bool
cli_rows_same_key(const struct proto_obs *a, const struct proto_obs *b)
{
	return a->rrtype == b->rrtype && a->section == b->section &&
	       a->name_len == b->name_len && a->rdata_len == b->rdata_len &&
	       memcmp(a->name, b->name, a->name_len) == 0 &&
	       (a->rdata_len == 0 || memcmp(a->rdata, b->rdata, a->rdata_len) == 0);
}

/* The slot that holds o's key, or the empty slot where it would go. */
static size_t *
cli_rows_find(struct cli_rows *r, const struct proto_obs *o, uint64_t h)
{
	size_t mask = r->nslots - 1, i = (size_t)h & mask;

	while (r->slot[i] != 0) {
		const struct cli_row *row = &r->row[r->slot[i] - 1];
		if (row->hash == h && cli_rows_same_key(&row->obs, o))
			break;
		i = (i + 1) & mask;
	}
	return &r->slot[i];
}

static int
cli_rows_reindex(struct cli_rows *r, size_t nslots)
{
	size_t *slot = calloc(nslots, sizeof(*slot));

	if (slot == NULL)
		return PROTO_ENOMEM;
	free(r->slot);
	r->slot = slot;
	r->nslots = nslots;
	for (size_t i = 0; i < r->n; i++)
		*cli_rows_find(r, &r->row[i].obs, r->row[i].hash) = i + 1;
	return 0;
}

static void
cli_rows_merge(struct cli_rows *r, struct cli_row *row, const struct proto_obs *o,
               int *err)
{
	struct proto_obs *m = &row->obs;

	if (o->time_first < m->time_first)
		m->time_first = o->time_first;
	if (o->time_last > m->time_last)
		m->time_last = o->time_last;
	m->count = o->count > UINT64_MAX - m->count ? UINT64_MAX : m->count + o->count;
	if (o->bailiwick != NULL &&
	    (m->bailiwick == NULL ||
	     proto_name_labels(o->bailiwick, o->bailiwick_len) >
	     proto_name_labels(m->bailiwick, m->bailiwick_len))) {
		const uint8_t *b = cli_rows_copy(r, o->bailiwick, o->bailiwick_len);
		if (b == NULL) {
			*err = PROTO_ENOMEM;
			return;
		}
		m->bailiwick = b;
		m->bailiwick_len = o->bailiwick_len;
	}
}

int
cli_rows_add(struct cli_rows *r, const struct proto_obs *o)
{
	uint64_t h;
	size_t *slot;
	struct cli_row *row;
	int err = 0;

	if (o->name == NULL || o->name_len == 0 || o->name_len > PROTO_NAME_MAX ||
	    (o->rdata == NULL && o->rdata_len != 0) ||
	    (o->bailiwick != NULL &&
	     (o->bailiwick_len == 0 || o->bailiwick_len > PROTO_NAME_MAX)))
		return PROTO_EINVAL;
	if (r->nslots < 2 * (r->n + 1)) {
		size_t ns = r->nslots ? r->nslots : 1024;
		while (ns < 2 * (r->n + 1))
			ns *= 2;
		if ((err = cli_rows_reindex(r, ns)) != 0)
			return err;
	}
	h = cli_rows_hash(o);
	slot = cli_rows_find(r, o, h);
	if (*slot != 0) {
		cli_rows_merge(r, &r->row[*slot - 1], o, &err);
		return err;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		struct cli_row *nr = cap > SIZE_MAX / sizeof(*nr) ? NULL :
		                     realloc(r->row, cap * sizeof(*nr));
		if (nr == NULL)
			return PROTO_ENOMEM;
		r->row = nr;
		r->cap = cap;
	}
	row = &r->row[r->n];
	memset(row, 0, sizeof(*row));
	row->obs = *o;
	row->hash = h;
	row->obs.name = cli_rows_copy(r, o->name, o->name_len);
	row->obs.rdata = cli_rows_copy(r, o->rdata != NULL ? o->rdata : "", o->rdata_len);
	row->obs.bailiwick = o->bailiwick == NULL ? NULL :
	                     cli_rows_copy(r, o->bailiwick, o->bailiwick_len);
	if (row->obs.name == NULL || row->obs.rdata == NULL ||
	    (o->bailiwick != NULL && row->obs.bailiwick == NULL))
		return PROTO_ENOMEM;
	if (o->rrtype == PROTO_T_A && inet_pton(AF_INET, row->obs.rdata, row->addr) == 1)
		row->family = 4;
	else if (o->rrtype == PROTO_T_AAAA &&
	         inet_pton(AF_INET6, row->obs.rdata, row->addr) == 1)
		row->family = 6;
	*slot = ++r->n;
	return 0;
}

size_t
cli_rows_count(const struct cli_rows *r)
{
	return r->n;
}

const struct proto_obs *
cli_rows_get(const struct cli_rows *r, size_t i)
{
	return i < r->n ? &r->row[i].obs : NULL;
}

/* Label offsets of a wire name, root excluded; returns how many. */
static size_t
cli_rows_labels(const uint8_t *p, size_t len, size_t off[128])
{
	size_t n = 0, i = 0;

	while (i < len && p[i] != 0 && n < 128) {
		off[n++] = i;
		i += 1 + (size_t)p[i];
	}
	return n;
}

/* RFC 4034 6.1 canonical order of two lowercased wire names. */
static int
cli_rows_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t ao[128], bo[128];
	size_t na = cli_rows_labels(a, alen, ao), nb = cli_rows_labels(b, blen, bo);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + ao[--na], *lb = b + bo[--nb];
		size_t m = la[0] < lb[0] ? la[0] : lb[0];
		int c = memcmp(la + 1, lb + 1, m);
		if (c != 0)
			return c;
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return na == nb ? 0 : na < nb ? -1 : 1;
}

static int
cli_rows_i64_cmp(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* time_last - time_first, exact in uint64_t (0 for an inverted pair). */
static uint64_t
cli_rows_duration(const struct proto_obs *o)
{
	return o->time_last >= o->time_first ?
	       (uint64_t)o->time_last - (uint64_t)o->time_first : 0;
}

static int
cli_rows_data_cmp(const struct cli_row *a, const struct cli_row *b)
{
	size_t m;
	int c;

	/*
	 * IPv4 before IPv6 before text, so the order stays total when address
	 * and text rows mix (numeric within a family, bytes within text).
	 */
	int ra = a->family == 4 ? 0 : a->family == 6 ? 1 : 2;
	int rb = b->family == 4 ? 0 : b->family == 6 ? 1 : 2;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra < 2)
		return memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
	m = a->obs.rdata_len < b->obs.rdata_len ? a->obs.rdata_len : b->obs.rdata_len;
	c = memcmp(a->obs.rdata, b->obs.rdata, m);
	if (c != 0)
		return c;
	return a->obs.rdata_len < b->obs.rdata_len ? -1 :
	       a->obs.rdata_len > b->obs.rdata_len;
}

static int
cli_rows_key_cmp(const struct cli_row *a, const struct cli_row *b, unsigned key)
{
	const struct proto_obs *x = &a->obs, *y = &b->obs;

	switch (key) {
	case CLI_KEY_FIRST: return cli_rows_i64_cmp(x->time_first, y->time_first);
	case CLI_KEY_LAST: return cli_rows_i64_cmp(x->time_last, y->time_last);
	case CLI_KEY_DURATION: {
		uint64_t dx = cli_rows_duration(x), dy = cli_rows_duration(y);
		return dx < dy ? -1 : dx > dy;
	}
	case CLI_KEY_COUNT: return x->count < y->count ? -1 : x->count > y->count;
	case CLI_KEY_NAME: return cli_rows_name_cmp(x->name, x->name_len, y->name, y->name_len);
	case CLI_KEY_TYPE: return x->rrtype < y->rrtype ? -1 : x->rrtype > y->rrtype;
	case CLI_KEY_DATA: return cli_rows_data_cmp(a, b);
	}
	return 0;
}

static int
cli_rows_cmp(const void *pa, const void *pb, void *arg)
{
	const struct cli_sort *s = arg;
	const struct cli_row *a = pa, *b = pb;
	int c = 0;

	for (size_t i = 0; i < s->nkeys && c == 0; i++)
		c = cli_rows_key_cmp(a, b, s->keys[i]);
	if (c == 0)
		c = a->obs.section < b->obs.section ? -1 : a->obs.section > b->obs.section;
	return s->descending ? -c : c;
}

void
cli_rows_sort(struct cli_rows *r, const struct cli_sort *s)
{
	static const unsigned char ties[] = { CLI_KEY_FIRST, CLI_KEY_LAST,
	                                      CLI_KEY_COUNT, CLI_KEY_NAME,
	                                      CLI_KEY_TYPE, CLI_KEY_DATA };
	struct cli_sort all = *s;

	for (size_t t = 0; t < sizeof(ties); t++) {
		size_t i;
		for (i = 0; i < all.nkeys && all.keys[i] != ties[t]; i++)
			;
		if (i == all.nkeys && all.nkeys < CLI_KEY_N_)
			all.keys[all.nkeys++] = ties[t];
	}
	if (r->n > 1)
		qsort_r(r->row, r->n, sizeof(r->row[0]), cli_rows_cmp, &all);
	/* The index holds positions; rebuild it so later adds still merge. */
	if (r->nslots > 0 && cli_rows_reindex(r, r->nslots) != 0) {
		free(r->slot);
		r->slot = NULL;
		r->nslots = 0; /* the next add builds a new one */
	}
}
