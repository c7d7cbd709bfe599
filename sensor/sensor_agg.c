/* sensor_agg.c - growable open-addressing table over an arena. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "sensor/sensor_agg.h"

#define ARENA_CHUNK (1u << 20)
#define TABLE_MIN 1024u

struct entry {
	uint64_t hash;
	uint64_t seq;
	int64_t first, last;
	uint64_t count;
	uint32_t name_len, rdata_len, bw_len;
	uint16_t rrtype;
	uint8_t section;
	char data[]; /* name, rdata, bailiwick; no NUL terminators */
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	char mem[];
};

struct slot {
	uint64_t hash; /* 0 = empty; real hashes are forced non-zero */
	struct entry *e;
};

struct sensor_agg {
	struct slot *slots;
	size_t cap;   /* power of two */
	size_t count;
	struct chunk *chunks;
	size_t arena_bytes;
	size_t limit;
};

/*
 * A simple word-at-a-time multiplicative hash: keys are short text, the
 * table only needs good spread, and nothing here faces an attacker who can
 * see the hash (a flooding input only costs probes, and probes are bounded
 * by the load factor).
 */
static uint64_t
hash_bytes(uint64_t h, const char *p, size_t n)
{
	const uint64_t m = 0x9E3779B97F4A7C15ull;

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * m;
	h ^= h >> 32;
	return h;
}

static uint64_t
key_hash(const struct sensor_agg_row *k)
{
	uint64_t h = ((uint64_t)k->rrtype << 8 | k->section) * 0xff51afd7ed558ccdull;
	h = hash_bytes(h, k->name, k->name_len);
	h = hash_bytes(h ^ 0x5bd1e995u, k->rdata, k->rdata_len);
	h ^= h >> 31;
	return h != 0 ? h : 1;
}

int
sensor_agg_new(struct sensor_agg **out, size_t mem_limit)
{
	struct sensor_agg *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return PROTO_ENOMEM;
	a->cap = TABLE_MIN;
	a->slots = calloc(a->cap, sizeof(*a->slots));
	if (a->slots == NULL) {
		free(a);
		return PROTO_ENOMEM;
	}
	a->limit = mem_limit;
	*out = a;
	return 0;
}

static void
arena_free(struct sensor_agg *a)
{
	while (a->chunks != NULL) {
		struct chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	a->arena_bytes = 0;
}

void
sensor_agg_destroy(struct sensor_agg **ap)
{
	if (ap == NULL || *ap == NULL)
		return;
	arena_free(*ap);
	free((*ap)->slots);
	free(*ap);
	*ap = NULL;
}

static void *
arena_alloc(struct sensor_agg *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct chunk *c = a->chunks;
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = a->chunks;
		a->chunks = c;
		a->arena_bytes += sizeof(*c) + size;
	}
	void *p = c->mem + c->used;
	c->used += n;
	return p;
}

static int
grow(struct sensor_agg *a)
{
	size_t ncap = a->cap * 2;
	struct slot *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < a->cap; i++) {
		if (a->slots[i].hash == 0)
			continue;
		size_t j = a->slots[i].hash & (ncap - 1);
		while (ns[j].hash != 0)
			j = (j + 1) & (ncap - 1);
		ns[j] = a->slots[i];
	}
	free(a->slots);
	a->slots = ns;
	a->cap = ncap;
	return 0;
}

static bool
same_key(const struct entry *e, const struct sensor_agg_row *k)
{
	return e->rrtype == k->rrtype && e->section == k->section &&
	       e->name_len == k->name_len && e->rdata_len == k->rdata_len &&
	       memcmp(e->data, k->name, k->name_len) == 0 &&
	       memcmp(e->data + e->name_len, k->rdata, k->rdata_len) == 0;
}

/*
 * Of two bailiwick estimates for one key, keep the deeper zone (the longer
 * text: both are ancestors of the same owner), and on a tie the smaller
 * text, so the result does not depend on input order.
 */
static bool
bw_better(const char *cand, size_t clen, const struct entry *e)
{
	if (e->bw_len == 0)
		return true;
	if (clen != e->bw_len)
		return clen > e->bw_len;
	return memcmp(cand, e->data + e->name_len + e->rdata_len, clen) < 0;
}

int
sensor_agg_add(struct sensor_agg *a, const struct sensor_agg_row *k, int64_t ts,
               uint64_t seq)
{
	uint64_t h = key_hash(k);
	size_t mask = a->cap - 1;
	size_t i = h & mask;
	size_t bwl = k->bailiwick != NULL ? k->bailiwick_len : 0;

	for (; a->slots[i].hash != 0; i = (i + 1) & mask) {
		struct entry *e = a->slots[i].e;
		if (a->slots[i].hash != h || !same_key(e, k))
			continue;
		if (e->seq == seq)
			return 0; /* repeated inside one response */
		e->seq = seq;
		e->count++;
		if (ts < e->first)
			e->first = ts;
		if (ts > e->last)
			e->last = ts;
		if (bwl != 0 && bwl <= e->name_len && bw_better(k->bailiwick, bwl, e)) {
			memcpy(e->data + e->name_len + e->rdata_len, k->bailiwick, bwl);
			e->bw_len = (uint32_t)bwl;
		}
		return 0;
	}

	/*
	 * A bailiwick is the owner's zone or its parent, so its text is never
	 * longer than the owner's: reserving name_len bytes lets a later, better
	 * estimate replace it in place.
	 */
	size_t room = (size_t)k->name_len + k->rdata_len +
	              (bwl > k->name_len ? bwl : k->name_len);
	struct entry *e = arena_alloc(a, sizeof(*e) + room);
	if (e == NULL)
		return PROTO_ENOMEM;
	e->hash = h;
	e->seq = seq;
	e->first = e->last = ts;
	e->count = 1;
	e->name_len = k->name_len;
	e->rdata_len = k->rdata_len;
	e->bw_len = (uint32_t)bwl;
	e->rrtype = k->rrtype;
	e->section = k->section;
	memcpy(e->data, k->name, k->name_len);
	memcpy(e->data + k->name_len, k->rdata, k->rdata_len);
	if (bwl != 0)
		memcpy(e->data + k->name_len + k->rdata_len, k->bailiwick, bwl);
	a->slots[i].hash = h;
	a->slots[i].e = e;
	a->count++;
	if (a->count * 10 >= a->cap * 7)
		return grow(a);
	return 0;
}

bool
sensor_agg_is_full(const struct sensor_agg *a)
{
	return sensor_agg_memory(a) >= a->limit;
}

size_t
sensor_agg_count(const struct sensor_agg *a)
{
	return a->count;
}

size_t
sensor_agg_memory(const struct sensor_agg *a)
{
	return a->cap * sizeof(struct slot) + a->arena_bytes;
}

int
sensor_agg_flush(struct sensor_agg *a, sensor_agg_fn fn, void *arg)
{
	int err = 0;

	for (size_t i = 0; i < a->cap; i++) {
		if (a->slots[i].hash == 0)
			continue;
		const struct entry *e = a->slots[i].e;
		if (err == 0 && fn != NULL) {
			struct sensor_agg_row r = {
				.name = e->data,
				.name_len = e->name_len,
				.rdata = e->data + e->name_len,
				.rdata_len = e->rdata_len,
				.bailiwick = e->bw_len ? e->data + e->name_len + e->rdata_len : NULL,
				.bailiwick_len = e->bw_len,
				.rrtype = e->rrtype,
				.section = e->section,
				.time_first = e->first,
				.time_last = e->last,
				.count = e->count,
			};
			err = fn(arg, &r);
		}
		a->slots[i].hash = 0;
	}
	a->count = 0;
	arena_free(a);
	/* Start small again so a flush really gives memory back. */
	if (a->cap > TABLE_MIN) {
		struct slot *ns = calloc(TABLE_MIN, sizeof(*ns));
		if (ns != NULL) {
			free(a->slots);
			a->slots = ns;
			a->cap = TABLE_MIN;
		}
	}
	return err;
}
