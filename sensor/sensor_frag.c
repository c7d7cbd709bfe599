/* sensor_frag.c - bounded IP fragment reassembly. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "sensor/sensor_frag.h"

#define MAX_PIECES 64
#define IP_MAX 65535

struct piece {
	uint32_t off, len;
};

struct dgram {
	struct sensor_frag_key key;
	int64_t first_seen;
	uint8_t *buf;
	size_t cap;
	uint32_t total;    /* known once the last fragment arrived, else 0 */
	uint32_t have;     /* bytes received */
	bool has_last;
	bool poisoned;
	unsigned npieces;
	struct piece pieces[MAX_PIECES];
};

struct sensor_frag {
	struct sensor_stats *st;
	struct dgram *d;   /* array of max slots, unordered */
	size_t n, max;
	size_t bytes, max_bytes;
	int timeout;
	uint8_t *done;     /* last completed datagram, handed to the caller */
};

int
sensor_frag_new(struct sensor_frag **out, struct sensor_stats *st,
                size_t max_datagrams, size_t max_bytes, int timeout)
{
	struct sensor_frag *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return PROTO_ENOMEM;
	f->d = calloc(max_datagrams ? max_datagrams : 1, sizeof(*f->d));
	if (f->d == NULL) {
		free(f);
		return PROTO_ENOMEM;
	}
	f->st = st;
	f->max = max_datagrams ? max_datagrams : 1;
	f->max_bytes = max_bytes;
	f->timeout = timeout;
	*out = f;
	return 0;
}

static void
drop(struct sensor_frag *f, size_t i, bool count)
{
	struct dgram *g = &f->d[i];

	if (count && !g->poisoned)
		SENSOR_STAT_INC(f->st, frag_incomplete);
	f->bytes -= g->cap;
	free(g->buf);
	f->d[i] = f->d[--f->n];
}

void
sensor_frag_destroy(struct sensor_frag **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	struct sensor_frag *f = *fp;
	while (f->n > 0)
		drop(f, f->n - 1, false);
	free(f->done);
	free(f->d);
	free(f);
	*fp = NULL;
}

static bool
key_eq(const struct sensor_frag_key *a, const struct sensor_frag_key *b)
{
	size_t alen = a->family == 4 ? 4 : 16;
	return a->family == b->family && a->id == b->id && a->proto == b->proto &&
	       memcmp(a->src, b->src, alen) == 0 && memcmp(a->dst, b->dst, alen) == 0;
}

static size_t
oldest(const struct sensor_frag *f)
{
	size_t o = 0;
	for (size_t i = 1; i < f->n; i++)
		if (f->d[i].first_seen < f->d[o].first_seen)
			o = i;
	return o;
}

void
sensor_frag_expire(struct sensor_frag *f, int64_t now)
{
	for (size_t i = 0; i < f->n;) {
		if (now - f->d[i].first_seen > f->timeout)
			drop(f, i, true);
		else
			i++;
	}
}

bool
sensor_frag_add(struct sensor_frag *f, const struct sensor_frag_key *key,
                size_t off, const uint8_t *data, size_t len, bool more,
                int64_t now, const uint8_t **out, size_t *outlen)
{
	struct dgram *g = NULL;
	size_t end = off + len;

	SENSOR_STAT_INC(f->st, frag_held);
	if (end > IP_MAX || (more && len == 0))
		return false;
	for (size_t i = 0; i < f->n; i++) {
		if (key_eq(&f->d[i].key, key)) {
			g = &f->d[i];
			break;
		}
	}
	if (g == NULL) {
		if (f->n == f->max)
			drop(f, oldest(f), true);
		g = &f->d[f->n++];
		memset(g, 0, sizeof(*g));
		g->key = *key;
		g->first_seen = now;
	}
	if (g->poisoned)
		return false;
	for (unsigned i = 0; i < g->npieces; i++) {
		const struct piece *p = &g->pieces[i];
		if (off < (size_t)p->off + p->len && p->off < end) {
			g->poisoned = true;
			SENSOR_STAT_INC(f->st, frag_overlap);
			return false;
		}
	}
	if ((!more && (g->has_last || (g->npieces > 0 && end < g->total))) ||
	    (g->has_last && end > g->total) || g->npieces == MAX_PIECES) {
		/* A second end, data past the end, or too many pieces. */
		g->poisoned = true;
		SENSOR_STAT_INC(f->st, frag_overlap);
		return false;
	}
	if (end > g->cap) {
		size_t ncap = end < 2048 ? 2048 : end;
		while (f->bytes + ncap - g->cap > f->max_bytes && f->n > 1) {
			size_t o = oldest(f);
			if (&f->d[o] == g)
				break;
			size_t gi = (size_t)(g - f->d);
			drop(f, o, true);
			if (gi == f->n) /* g was moved into slot o */
				g = &f->d[o];
		}
		uint8_t *nb = realloc(g->buf, ncap);
		if (nb == NULL)
			return false;
		f->bytes += ncap - g->cap;
		g->buf = nb;
		g->cap = ncap;
	}
	memcpy(g->buf + off, data, len);
	g->pieces[g->npieces++] = (struct piece){ (uint32_t)off, (uint32_t)len };
	g->have += (uint32_t)len;
	if (!more) {
		g->has_last = true;
		g->total = (uint32_t)end;
	} else if (end > g->total) {
		g->total = (uint32_t)end; /* highest end so far, for the checks above */
	}
	if (!g->has_last || g->have != g->total)
		return false;

	/* No overlaps and every byte up to the end: complete. */
	free(f->done);
	f->done = g->buf;
	*out = g->buf;
	*outlen = g->total;
	g->buf = NULL;
	f->bytes -= g->cap;
	g->cap = 0;
	f->d[g - f->d] = f->d[--f->n];
	SENSOR_STAT_INC(f->st, frag_reassembled);
	return true;
}
