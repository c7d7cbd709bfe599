/* sensor_tcp.c - bounded TCP reassembly for DNS messages. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "sensor/sensor_tcp.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define MAX_OOO 16          /* out-of-order segments held per flow */
#define BUF_MAX (2 + 65535) /* one whole message with its prefix */
#define NBUCKET 4096u
/* Bytes held by all flows together: buffers of partial messages and
 * out-of-order segments. Past it, the least recently used flows go. */
#define MAX_BYTES (64u << 20)

struct ooo {
	uint32_t seq;
	uint32_t len;
	uint8_t *data;
};

struct flow {
	struct sensor_tcp_key key;
	struct flow *hnext;            /* hash chain */
	struct flow *prev, *next;      /* LRU list, most recent at head */
	uint64_t hash;
	int64_t last_seen;
	uint32_t next_seq;
	bool synced;                   /* next_seq is known */
	uint8_t *buf;                  /* bytes of an incomplete message */
	size_t len;
	unsigned nooo;
	struct ooo ooo[MAX_OOO];
};

struct sensor_tcp {
	struct sensor_stats *st;
	struct flow *buckets[NBUCKET];
	struct flow *head, *tail;
	size_t n, max;
	size_t bytes;              /* held by all flows */
	int timeout;
	sensor_tcp_fn fn;
	void *arg;
};

int
sensor_tcp_new(struct sensor_tcp **out, struct sensor_stats *st, size_t max_flows,
               int timeout, sensor_tcp_fn fn, void *arg)
{
	struct sensor_tcp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return PROTO_ENOMEM;
	t->st = st;
	t->max = max_flows ? max_flows : 1;
	t->timeout = timeout;
	t->fn = fn;
	t->arg = arg;
	*out = t;
	return 0;
}

static uint64_t
key_hash(const struct sensor_tcp_key *k)
{
	uint64_t h = (uint64_t)k->sport << 16 | k->dport | (uint64_t)k->family << 32;
	size_t alen = k->family == 4 ? 4 : 16;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ k->src[i]) * 0x100000001b3ull ^ k->dst[i];
	return h * 0x9E3779B97F4A7C15ull;
}

static bool
key_eq(const struct sensor_tcp_key *a, const struct sensor_tcp_key *b)
{
	size_t alen = a->family == 4 ? 4 : 16;
	return a->family == b->family && a->sport == b->sport &&
	       a->dport == b->dport && memcmp(a->src, b->src, alen) == 0 &&
	       memcmp(a->dst, b->dst, alen) == 0;
}

static void
lru_unlink(struct sensor_tcp *t, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		t->tail = f->prev;
	f->prev = f->next = NULL;
}

static void
lru_push(struct sensor_tcp *t, struct flow *f)
{
	f->next = t->head;
	f->prev = NULL;
	if (t->head)
		t->head->prev = f;
	t->head = f;
	if (t->tail == NULL)
		t->tail = f;
}

static void
flow_free(struct sensor_tcp *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash % NBUCKET];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	if (f->nooo > 0)
		SENSOR_STAT_INC(t->st, tcp_gap);
	for (unsigned i = 0; i < f->nooo; i++) {
		t->bytes -= f->ooo[i].len;
		free(f->ooo[i].data);
	}
	if (f->buf != NULL)
		t->bytes -= BUF_MAX;
	free(f->buf);
	free(f);
	t->n--;
}

void
sensor_tcp_destroy(struct sensor_tcp **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	struct sensor_tcp *t = *tp;
	while (t->head)
		flow_free(t, t->head);
	free(t);
	*tp = NULL;
}

void
sensor_tcp_expire(struct sensor_tcp *t, int64_t now)
{
	while (t->tail && now - t->tail->last_seen > t->timeout)
		flow_free(t, t->tail);
}

/* Append in-order bytes and hand every complete message to the callback. */
static int
consume(struct sensor_tcp *t, struct flow *f, const uint8_t *p, size_t n,
        int64_t now)
{
	int err = 0;

	f->next_seq += (uint32_t)n;
	/* Whole messages straight from the segment when nothing is pending. */
	while (f->len == 0 && n >= 2) {
		size_t m = (size_t)(p[0] << 8 | p[1]);
		if (n < 2 + m)
			break;
		SENSOR_STAT_INC(t->st, tcp_messages);
		if (err == 0)
			err = t->fn(t->arg, p + 2, m, now);
		p += 2 + m;
		n -= 2 + m;
	}
	while (n > 0) {
		if (f->buf == NULL) {
			f->buf = malloc(BUF_MAX);
			if (f->buf == NULL)
				return PROTO_ENOMEM;
			t->bytes += BUF_MAX;
		}
		size_t need = 2;
		if (f->len >= 2)
			need = 2 + (size_t)(f->buf[0] << 8 | f->buf[1]);
		size_t take = need - f->len < n ? need - f->len : n;
		memcpy(f->buf + f->len, p, take);
		f->len += take;
		p += take;
		n -= take;
		if (f->len >= 2 && f->len == 2 + (size_t)(f->buf[0] << 8 | f->buf[1])) {
			SENSOR_STAT_INC(t->st, tcp_messages);
			if (err == 0)
				err = t->fn(t->arg, f->buf + 2, f->len - 2, now);
			f->len = 0;
		}
	}
	return err;
}

static int
drain_ooo(struct sensor_tcp *t, struct flow *f, int64_t now)
{
	bool progress = true;
	int err = 0;

	while (progress && f->nooo > 0) {
		progress = false;
		for (unsigned i = 0; i < f->nooo; i++) {
			struct ooo *o = &f->ooo[i];
			int32_t d = (int32_t)(o->seq - f->next_seq);
			if (d > 0)
				continue;
			uint32_t skip = (uint32_t)-d;
			if (skip < o->len) {
				if (skip > 0)
					SENSOR_STAT_INC(t->st, tcp_retrans);
				int e = consume(t, f, o->data + skip, o->len - skip, now);
				if (err == 0)
					err = e;
			} else {
				SENSOR_STAT_INC(t->st, tcp_retrans);
			}
			t->bytes -= o->len;
			free(o->data);
			f->ooo[i] = f->ooo[--f->nooo];
			progress = true;
			break;
		}
	}
	return err;
}

int
sensor_tcp_segment(struct sensor_tcp *t, const struct sensor_tcp_key *key,
                   uint32_t seq, uint8_t flags, const uint8_t *data, size_t len,
                   bool cut, int64_t now)
{
	uint64_t h = key_hash(key);
	struct flow *f = t->buckets[h % NBUCKET];
	int err = 0;

	while (f != NULL && !(f->hash == h && key_eq(&f->key, key)))
		f = f->hnext;
	if (f == NULL) {
		if (len == 0 && !(flags & TCP_SYN))
			return 0; /* nothing to follow */
		if (t->n == t->max) {
			SENSOR_STAT_INC(t->st, tcp_dropped);
			flow_free(t, t->tail);
		}
		f = calloc(1, sizeof(*f));
		if (f == NULL)
			return PROTO_ENOMEM;
		f->key = *key;
		f->hash = h;
		f->hnext = t->buckets[h % NBUCKET];
		t->buckets[h % NBUCKET] = f;
		lru_push(t, f);
		t->n++;
	} else {
		lru_unlink(t, f);
		lru_push(t, f);
	}
	f->last_seen = now;

	if (flags & TCP_SYN) {
		/* A SYN (or SYN+ACK) fixes the stream start; a new one restarts it. */
		f->next_seq = seq + 1;
		f->synced = true;
		f->len = 0;
		seq++;
	} else if (!f->synced) {
		f->next_seq = seq;
		f->synced = true;
	}

	if (cut) {
		/* The payload is incomplete: the stream cannot be followed. */
		SENSOR_STAT_INC(t->st, malformed_snaplen);
		flow_free(t, f);
		return 0;
	}
	if (len > 0) {
		int32_t d = (int32_t)(seq - f->next_seq);
		if (d > 0) {
			/* A hole before this segment: hold it. */
			if (f->nooo == MAX_OOO || len > BUF_MAX) {
				flow_free(t, f);
				return 0;
			}
			uint8_t *copy = malloc(len);
			if (copy == NULL)
				return PROTO_ENOMEM;
			memcpy(copy, data, len);
			f->ooo[f->nooo++] = (struct ooo){ seq, (uint32_t)len, copy };
			t->bytes += len;
		} else {
			uint32_t skip = (uint32_t)-d;
			if (skip >= len) {
				SENSOR_STAT_INC(t->st, tcp_retrans);
			} else {
				if (skip > 0)
					SENSOR_STAT_INC(t->st, tcp_retrans);
				err = consume(t, f, data + skip, len - skip, now);
				int e = drain_ooo(t, f, now);
				if (err == 0)
					err = e;
			}
		}
	}
	/* A FIN that overtook missing data waits for it (or the timeout). */
	if ((flags & TCP_RST) || ((flags & TCP_FIN) && f->nooo == 0))
		flow_free(t, f);
	while (t->bytes > MAX_BYTES && t->tail != NULL) {
		SENSOR_STAT_INC(t->st, tcp_dropped);
		flow_free(t, t->tail);
	}
	return err;
}
