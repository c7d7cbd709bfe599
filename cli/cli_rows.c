/*
 * cli_rows.c - merge rows by key in a hash table, sort them dnsdbq's way.
 *
 * Rows live in one growing array (order of first appearance); an open
 * addressing table of indices finds a key's row. Names and rdata are copied
 * into an arena of large chunks, because a result set is built once, read
 * once and freed at once: one malloc per row would cost more than the rest.
 * A row's first source is held in the row itself and the others form a
 * list threaded through one array of entries (next is an index + 1): a
 * lookup that merges touches the row it has to read anyway, and most rows
 * have one or two sources, so walking the list is cheaper than any index
 * over it. Source names are interned once per set; entries hold a 16-bit
 * id. The fields a probe compares come first in a row, so they share its
 * first cache line.
 */
#include <arpa/inet.h>
#include <sys/mman.h>
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

struct cli_rows_src {
	int64_t time_first, time_last;
	uint64_t count;
	uint32_t next;     /* the row's next entry in cli_rows.src + 1; 0 ends */
	uint16_t origin;   /* index into cli_rows.origin */
	bool has_count;
};

struct cli_row {
	uint64_t hash;
	struct proto_obs obs;
	struct cli_rows_src first; /* the first source, when has_src */
	uint8_t addr[16];  /* A/AAAA rdata as an address, for sorting */
	uint8_t family;    /* 4, 6, or 0 when rdata is not an address */
	bool parsed;       /* addr and family are set (by cli_rows_sort) */
	bool known;        /* obs.count is a count, not "unknown" */
	bool has_src;
};

/*
 * An index slot holds the row and 32 bits of its hash, so a probe that
 * misses costs no visit to the row (a cache miss each on a large set).
 */
struct cli_rows_slot {
	uint32_t row;      /* row index + 1; 0 is empty */
	uint32_t tag;      /* the hash's high half */
};

struct cli_rows {
	struct cli_row *row;
	size_t n, cap;
	struct cli_rows_slot *slot;
	size_t nslots;     /* a power of two, at least twice n */
	struct cli_rows_chunk *chunk;
	size_t nchunks;
	struct cli_rows_src *src; /* second and later sources of rows */
	size_t nsrc, srccap;
	bool any_src;
	char (*origin)[CLI_ROWS_ORIGIN_MAX + 1];
	size_t norigins, origincap;
	size_t last_origin; /* the origin of the previous add: rows come in runs */
};

/*
 * The index, the rows and the sources are read at random once a set is
 * large: in 2 MiB pages (transparent huge pages, where the system leaves
 * them to madvise) a probe costs its cache miss without a page walk too.
 * Smaller arrays come from malloc as usual. cli_rows_big_free takes both.
 */
#define CLI_ROWS_HUGE ((size_t)2 << 20)

static void *
cli_rows_big_alloc(size_t size)
{
	void *p;

	if (size < CLI_ROWS_HUGE)
		return malloc(size);
	size = (size + CLI_ROWS_HUGE - 1) & ~(CLI_ROWS_HUGE - 1);
	if ((p = aligned_alloc(CLI_ROWS_HUGE, size)) != NULL)
		(void)madvise(p, size, MADV_HUGEPAGE); /* advice: failure changes nothing */
	return p;
}

/* Grow p (old octets used) to size octets, like realloc. */
static void *
cli_rows_big_grow(void *p, size_t old, size_t size)
{
	void *np;

	if (size < CLI_ROWS_HUGE)
		return realloc(p, size);
	if ((np = cli_rows_big_alloc(size)) == NULL)
		return NULL;
	if (old > 0)
		memcpy(np, p, old);
	free(p);
	return np;
}

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
	free(r->src);
	free(r->origin);
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
		/* A set past a few chunks is a large one: huge-page chunks. */
		size_t chunk = r->nchunks < 4 ? CLI_ROWS_CHUNK : 2 * CLI_ROWS_HUGE - sizeof(*c);
		size_t cap = n + 1 > chunk ? n + 1 : chunk;
		c = cli_rows_big_alloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = r->chunk;
		r->chunk = c;
		r->nchunks++;
	}
	dst = c->data + c->used;
	if (n > 0)
		memcpy(dst, p, n);
	dst[n] = '\0';
	c->used += n + 1;
	return dst;
}

/*
 * Eight octets a step (a byte-at-a-time hash was a tenth of a merge), the
 * length folded into the last step so "ab"+"c" and "a"+"bc" differ.
 */
static uint64_t
cli_rows_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h = h << 27 | h >> 37;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, s, n);
	h = (h ^ w ^ (uint64_t)n << 59) * 0x9e3779b97f4a7c15ULL;
	return h << 27 | h >> 37;
}

static uint64_t
cli_rows_hash(const struct proto_obs *o)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)o->rrtype << 8 ^ o->section;

	h = cli_rows_mix(h, o->name, o->name_len);
	h = cli_rows_mix(h, o->rdata, o->rdata_len);
	/* Every bit of the key reaches the low bits that pick the slot. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 33;
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
static struct cli_rows_slot *
cli_rows_find(struct cli_rows *r, const struct proto_obs *o, uint64_t h)
{
	size_t mask = r->nslots - 1, i = (size_t)h & mask;
	uint32_t tag = (uint32_t)(h >> 32);

	while (r->slot[i].row != 0) {
		if (r->slot[i].tag == tag) {
			const struct cli_row *row = &r->row[r->slot[i].row - 1];
			if (row->hash == h && cli_rows_same_key(&row->obs, o))
				break;
		}
		i = (i + 1) & mask;
	}
	return &r->slot[i];
}

static int
cli_rows_reindex(struct cli_rows *r, size_t nslots)
{
	struct cli_rows_slot *slot = nslots > SIZE_MAX / sizeof(*slot) ? NULL :
	                             cli_rows_big_alloc(nslots * sizeof(*slot));

	if (slot == NULL)
		return PROTO_ENOMEM;
	memset(slot, 0, nslots * sizeof(*slot));
	free(r->slot);
	r->slot = slot;
	r->nslots = nslots;
	/* Keys are distinct: only the empty slot is looked for. */
	for (size_t i = 0; i < r->n; i++) {
		uint64_t h = r->row[i].hash;
		size_t k = (size_t)h & (nslots - 1);
		while (slot[k].row != 0)
			k = (k + 1) & (nslots - 1);
		slot[k].row = (uint32_t)(i + 1);
		slot[k].tag = (uint32_t)(h >> 32);
	}
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

/* proto_obs's rules for a row we copy. */
static bool
cli_rows_valid(const struct proto_obs *o)
{
	return o->name != NULL && o->name_len != 0 && o->name_len <= PROTO_NAME_MAX &&
	       (o->rdata != NULL || o->rdata_len == 0) &&
	       (o->bailiwick == NULL ||
	        (o->bailiwick_len != 0 && o->bailiwick_len <= PROTO_NAME_MAX));
}

/* Room in the index for `rows` rows without a rebuild. */
static int
cli_rows_reserve(struct cli_rows *r, size_t rows)
{
	size_t ns = r->nslots ? r->nslots : 1024;

	if (r->nslots >= 2 * rows)
		return 0;
	while (ns < 2 * rows)
		ns *= 2;
	return cli_rows_reindex(r, ns);
}

/* Find the row of valid o (its hash h) or make one; *fresh says which. */
static int
cli_rows_locate(struct cli_rows *r, const struct proto_obs *o, uint64_t h,
                struct cli_row **out, bool *fresh)
{
	struct cli_rows_slot *slot;
	struct cli_row *row;
	int err;

	if ((err = cli_rows_reserve(r, r->n + 1)) != 0)
		return err;
	slot = cli_rows_find(r, o, h);
	if (slot->row != 0) {
		*out = &r->row[slot->row - 1];
		*fresh = false;
		return 0;
	}
	if (r->n >= UINT32_MAX - 1)
		return PROTO_ENOMEM;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		struct cli_row *nr = cap > SIZE_MAX / sizeof(*nr) ? NULL :
		                     cli_rows_big_grow(r->row, r->n * sizeof(*nr), cap * sizeof(*nr));
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
	slot->row = (uint32_t)++r->n;
	slot->tag = (uint32_t)(h >> 32);
	*out = row;
	*fresh = true;
	return 0;
}

int
cli_rows_add(struct cli_rows *r, const struct proto_obs *o)
{
	struct cli_row *row;
	bool fresh;
	int err;

	if (!cli_rows_valid(o))
		return PROTO_EINVAL;
	if ((err = cli_rows_locate(r, o, cli_rows_hash(o), &row, &fresh)) != 0)
		return err;
	row->known = true;
	if (!fresh)
		cli_rows_merge(r, row, o, &err);
	return err;
}

size_t
cli_rows_source_name(const char *origin, char out[CLI_ROWS_ORIGIN_MAX + 1])
{
	size_t len;

	if (strncmp(origin, "prov:", 5) == 0)
		origin += 5;
	len = strcspn(origin, "/");
	if (len == 0 || len > CLI_ROWS_ORIGIN_MAX)
		return 0;
	/* Names come from peers too: a control byte must not reach a terminal. */
	for (size_t i = 0; i < len; i++)
		out[i] = origin[i] >= 0x20 && origin[i] < 0x7f ? origin[i] : '?';
	out[len] = '\0';
	return len;
}

/* The id of origin's source, interned on first sight. */
static int
cli_rows_origin_id(struct cli_rows *r, const char *origin, uint16_t *id)
{
	char name[CLI_ROWS_ORIGIN_MAX + 1];
	size_t len = cli_rows_source_name(origin, name), i;

	if (len == 0)
		return PROTO_EINVAL;
	if (r->last_origin < r->norigins &&
	    memcmp(r->origin[r->last_origin], name, len + 1) == 0) {
		*id = (uint16_t)r->last_origin;
		return 0;
	}
	for (i = 0; i < r->norigins && memcmp(r->origin[i], name, len + 1) != 0; i++)
		;
	if (i == r->norigins) {
		if (i > UINT16_MAX)
			return PROTO_ESPACE;
		if (i == r->origincap) {
			size_t cap = r->origincap ? 2 * r->origincap : 8;
			char(*no)[CLI_ROWS_ORIGIN_MAX + 1] = realloc(r->origin, cap * sizeof(*no));
			if (no == NULL)
				return PROTO_ENOMEM;
			r->origin = no;
			r->origincap = cap;
		}
		memcpy(r->origin[i], name, len + 1);
		r->norigins++;
	}
	r->last_origin = i;
	*id = (uint16_t)i;
	return 0;
}

/* The earlier of two times where 0 means unknown. */
static int64_t
cli_rows_first(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

static uint64_t
cli_rows_sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Source entry k of row: 0 is the one in the row, else r->src[k - 1]. */
static struct cli_rows_src *
cli_rows_entry(const struct cli_rows *r, const struct cli_row *row, uint32_t k)
{
	return k == 0 ? (struct cli_rows_src *)&row->first : &r->src[k - 1];
}

/* A new source for row, after its entry `tail` (unless it has none). */
static int
cli_rows_src_append(struct cli_rows *r, struct cli_row *row, uint32_t tail,
                    const struct proto_obs *o, uint16_t id, bool has_count)
{
	struct cli_rows_src *e = &row->first;

	if (row->has_src) {
		if (r->nsrc == r->srccap) {
			size_t cap = r->srccap ? 2 * r->srccap : 1024;
			struct cli_rows_src *ns = cap >= UINT32_MAX ? NULL :
			                          cli_rows_big_grow(r->src, r->nsrc * sizeof(*ns),
			                                            cap * sizeof(*ns));
			if (ns == NULL)
				return PROTO_ENOMEM;
			r->src = ns;
			r->srccap = cap;
		}
		e = &r->src[r->nsrc++];
		cli_rows_entry(r, row, tail)->next = (uint32_t)r->nsrc;
	}
	e->time_first = o->time_first;
	e->time_last = o->time_last;
	e->count = has_count ? o->count : 0;
	e->next = 0;
	e->origin = id;
	e->has_count = has_count;
	row->has_src = true;
	r->any_src = true;
	return 0;
}

/* cli_rows_add_src for valid o, its hash h and source id. */
static int
cli_rows_put_src(struct cli_rows *r, const struct proto_obs *o, uint64_t h, uint16_t id,
                 bool has_count)
{
	struct cli_row *row;
	struct cli_rows_src *e = NULL;
	uint32_t k = 0;
	uint64_t add;
	bool fresh;
	int err;

	if ((err = cli_rows_locate(r, o, h, &row, &fresh)) != 0)
		return err;
	add = has_count ? o->count : 0;
	if (fresh) {
		row->obs.count = add;
		row->known = has_count;
		return cli_rows_src_append(r, row, 0, o, id, has_count);
	}
	if (row->has_src) {
		for (;;) {
			struct cli_rows_src *x = cli_rows_entry(r, row, k);
			if (x->origin == id) {
				e = x;
				break;
			}
			if (x->next == 0)
				break;
			k = x->next;
		}
	}
	if (e != NULL) {
		/* The same source again: its larger count holds, not the sum. */
		e->time_first = cli_rows_first(e->time_first, o->time_first);
		if (o->time_last > e->time_last)
			e->time_last = o->time_last;
		add = add > e->count ? add - e->count : 0;
		e->count += add;
		e->has_count = e->has_count || has_count;
	} else if ((err = cli_rows_src_append(r, row, k, o, id, has_count)) != 0) {
		return err;
	}
	row->known = row->known || has_count;
	{
		/* cli_rows_merge's rules for times, bailiwick; the count is ours. */
		struct proto_obs m = *o;
		int64_t tf = cli_rows_first(row->obs.time_first, o->time_first);
		m.count = 0;
		cli_rows_merge(r, row, &m, &err);
		row->obs.time_first = tf;
		row->obs.count = cli_rows_sat_add(row->obs.count, add);
	}
	return err;
}

int
cli_rows_add_src(struct cli_rows *r, const struct proto_obs *o, const char *origin,
                 bool has_count)
{
	uint16_t id;
	int err;

	if (!cli_rows_valid(o))
		return PROTO_EINVAL;
	if ((err = cli_rows_origin_id(r, origin, &id)) != 0)
		return err;
	return cli_rows_put_src(r, o, cli_rows_hash(o), id, has_count);
}

/* How far ahead cli_rows_add_rows prefetches: index slots, then rows. */
#define CLI_ROWS_AHEAD 16

int
cli_rows_add_rows(struct cli_rows *r, const struct cli_rows *src)
{
	uint16_t *map = calloc(src->norigins ? src->norigins : 1, sizeof(*map));
	size_t mask;
	int err = map == NULL ? PROTO_ENOMEM : cli_rows_reserve(r, r->n + src->n);

	for (size_t k = 0; k < src->norigins && err == 0; k++)
		err = cli_rows_origin_id(r, src->origin[k], &map[k]);
	mask = r->nslots - 1;
	/*
	 * Every row of src is a random place in r's index and rows: the keys
	 * are known ahead (src holds their hashes), so their slots and rows
	 * are fetched some rows early and the misses overlap instead of
	 * queueing one after the other.
	 */
	for (size_t i = 0; i < src->n && err == 0; i++) {
		const struct cli_row *row = &src->row[i];
		struct proto_obs o = row->obs;

		if (i + CLI_ROWS_AHEAD < src->n)
			__builtin_prefetch(&r->slot[src->row[i + CLI_ROWS_AHEAD].hash & mask]);
		if (i + CLI_ROWS_AHEAD / 2 < src->n) {
			uint32_t at = r->slot[src->row[i + CLI_ROWS_AHEAD / 2].hash & mask].row;
			if (at != 0)
				__builtin_prefetch(&r->row[at - 1]);
		}
		if (!row->has_src) {
			err = cli_rows_add(r, &o);
			continue;
		}
		for (const struct cli_rows_src *e = &row->first; e != NULL && err == 0;
		     e = e->next ? &src->src[e->next - 1] : NULL) {
			o.time_first = e->time_first;
			o.time_last = e->time_last;
			o.count = e->count;
			err = cli_rows_put_src(r, &o, row->hash, map[e->origin], e->has_count);
		}
	}
	free(map);
	return err;
}

bool
cli_rows_has_sources(const struct cli_rows *r)
{
	return r->any_src;
}

bool
cli_rows_count_known(const struct cli_rows *r, size_t i)
{
	return i < r->n && r->row[i].known;
}

size_t
cli_rows_nsources(const struct cli_rows *r)
{
	return r->norigins;
}

const char *
cli_rows_source(const struct cli_rows *r, size_t id)
{
	return id < r->norigins ? r->origin[id] : NULL;
}

bool
cli_rows_src_next(const struct cli_rows *r, size_t i, size_t *it, struct cli_src *out)
{
	const struct cli_rows_src *e;

	/* *it: 0 the row's own entry, then r->src index + 1, SIZE_MAX the end. */
	if (i >= r->n || *it == SIZE_MAX || (*it == 0 && !r->row[i].has_src))
		return false;
	e = *it == 0 ? &r->row[i].first : &r->src[*it - 1];
	out->origin = r->origin[e->origin];
	out->id = e->origin;
	out->time_first = e->time_first;
	out->time_last = e->time_last;
	out->count = e->count;
	out->has_count = e->has_count;
	*it = e->next != 0 ? e->next : SIZE_MAX;
	return true;
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
	/* Addresses are parsed for the sort only: most answers are never sorted. */
	for (size_t i = 0; i < r->n; i++) {
		struct cli_row *row = &r->row[i];
		if (row->parsed)
			continue;
		row->parsed = true;
		if (row->obs.rrtype == PROTO_T_A &&
		    inet_pton(AF_INET, row->obs.rdata, row->addr) == 1)
			row->family = 4;
		else if (row->obs.rrtype == PROTO_T_AAAA &&
		         inet_pton(AF_INET6, row->obs.rdata, row->addr) == 1)
			row->family = 6;
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
