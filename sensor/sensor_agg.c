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

/*
 * Rows wait in a short queue before they are inserted: the table and its
 * entries are far bigger than the CPU caches, so each insertion would stall
 * twice on memory. Queued rows have their slot prefetched when they enter
 * and their entry prefetched half-way, and are inserted when they leave.
 * Rows too long for a queue slot are inserted at once (order does not
 * matter: a key's aggregate is the same in any order).
 */
#define QUEUE 16
#define QUEUE_TEXT 240

struct pending {
	uint64_t hash;
	int64_t ts;
	uint64_t seq;
	struct proto_obs key;
	char text[QUEUE_TEXT];
};

struct sensor_agg {
	struct pending queue[QUEUE];
	unsigned qhead, qlen;
	int qerr;      /* first insertion error from the queue, sticky */
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
key_hash(const struct proto_obs *k)
{
	uint64_t h = ((uint64_t)k->rrtype << 8 | k->section) * 0xff51afd7ed558ccdull;
	h = hash_bytes(h, (const char *)k->name, k->name_len);
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
same_key(const struct entry *e, const struct proto_obs *k)
{
	return e->rrtype == k->rrtype && e->section == k->section &&
	       e->name_len == k->name_len && e->rdata_len == k->rdata_len &&
	       memcmp(e->data, k->name, k->name_len) == 0 &&
	       memcmp(e->data + e->name_len, k->rdata, k->rdata_len) == 0;
}

/*
 * Of two bailiwick estimates for one key, keep the deeper zone (the longer
 * wire form: both are ancestors of the same owner), and on a tie the
 * smaller bytes, so the result does not depend on input order.
 */
static bool
bw_better(const uint8_t *cand, size_t clen, const struct entry *e)
{
	if (e->bw_len == 0)
		return true;
	if (clen != e->bw_len)
		return clen > e->bw_len;
	return memcmp(cand, e->data + e->name_len + e->rdata_len, clen) < 0;
}

static int
insert(struct sensor_agg *a, const struct proto_obs *k, uint64_t h,
       int64_t ts, uint64_t seq)
{
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
	 * A bailiwick is the owner's zone or its parent, so it is never longer
	 * than the owner: reserving name_len bytes lets a later, better
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

static void
queue_pop(struct sensor_agg *a)
{
	struct pending *p = &a->queue[a->qhead];
	int err = insert(a, &p->key, p->hash, p->ts, p->seq);

	if (err != 0 && a->qerr == 0)
		a->qerr = err;
	a->qhead = (a->qhead + 1) % QUEUE;
	a->qlen--;
}

static int
queue_drain(struct sensor_agg *a)
{
	while (a->qlen > 0)
		queue_pop(a);
	int err = a->qerr;
	a->qerr = 0;
	return err;
}

int
sensor_agg_add(struct sensor_agg *a, const struct proto_obs *k, int64_t ts,
               uint64_t seq)
{
	uint64_t h = key_hash(k);
	size_t bwl = k->bailiwick != NULL ? k->bailiwick_len : 0;
	size_t need = (size_t)k->name_len + k->rdata_len + bwl;

	if (need > QUEUE_TEXT)
		return insert(a, k, h, ts, seq);
	if (a->qlen == QUEUE)
		queue_pop(a);
	struct pending *p = &a->queue[(a->qhead + a->qlen) % QUEUE];
	a->qlen++;
	p->hash = h;
	p->ts = ts;
	p->seq = seq;
	p->key = *k;
	memcpy(p->text, k->name, k->name_len);
	memcpy(p->text + k->name_len, k->rdata, k->rdata_len);
	p->key.name = (const uint8_t *)p->text;
	p->key.rdata = p->text + k->name_len;
	if (bwl != 0) {
		memcpy(p->text + k->name_len + k->rdata_len, k->bailiwick, bwl);
		p->key.bailiwick = (const uint8_t *)p->text + k->name_len + k->rdata_len;
	}
	__builtin_prefetch(&a->slots[h & (a->cap - 1)]);
	/* The row half-way through the queue: its slot is cached by now. */
	if (a->qlen > QUEUE / 2) {
		const struct pending *m = &a->queue[(a->qhead + a->qlen - 1 - QUEUE / 2) % QUEUE];
		const struct slot *sl = &a->slots[m->hash & (a->cap - 1)];
		if (sl->hash != 0)
			__builtin_prefetch(sl->e);
	}
	int err = a->qerr;
	a->qerr = 0;
	return err;
}

bool
sensor_agg_is_full(const struct sensor_agg *a)
{
	return sensor_agg_memory(a) >= a->limit;
}

size_t
sensor_agg_count(const struct sensor_agg *a)
{
	return a->count + a->qlen;
}

size_t
sensor_agg_memory(const struct sensor_agg *a)
{
	return a->cap * sizeof(struct slot) + a->arena_bytes;
}

int
sensor_agg_flush(struct sensor_agg *a, sensor_agg_fn fn, int (*done)(void *arg),
                 void *arg)
{
	int err = queue_drain(a);

	for (size_t i = 0; i < a->cap; i++) {
		if (a->slots[i].hash == 0)
			continue;
		const struct entry *e = a->slots[i].e;
		if (err == 0 && fn != NULL) {
			struct proto_obs r = {
				.name = (const uint8_t *)e->data,
				.name_len = e->name_len,
				.rdata = e->data + e->name_len,
				.rdata_len = e->rdata_len,
				.bailiwick = e->bw_len ? (const uint8_t *)e->data + e->name_len + e->rdata_len : NULL,
				.bailiwick_len = e->bw_len,
				.rrtype = e->rrtype,
				.section = e->section,
				.time_first = e->first,
				.time_last = e->last,
				.count = e->count,
			};
			err = fn(arg, &r);
		}
	}
	if (done != NULL) {
		int e = done(arg);
		if (err == 0)
			err = e;
	}
	for (size_t i = 0; i < a->cap; i++)
		a->slots[i].hash = 0;
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
