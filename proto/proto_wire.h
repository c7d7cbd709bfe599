/*
 * proto_wire.h - the one reader for untrusted bytes.
 *
 * A reader holds a borrowed buffer, its length (the bytes really present,
 * e.g. the pcap caplen, never a length a header claims), a position and a
 * sticky error. A read past the end sets err = PROTO_ETRUNC and returns 0;
 * every later read returns 0 too, so a decoder may read a whole structure and
 * check `err` once. Nothing here allocates or asserts on input.
 */
#ifndef PROTO_WIRE_H
#define PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_err.h"

struct wire {
	const uint8_t *buf; /* borrowed */
	size_t len;
	size_t pos;
	int err;
};

static inline void
wire_init(struct wire *w, const void *buf, size_t len)
{
	w->buf = (const uint8_t *)buf;
	w->len = len;
	w->pos = 0;
	w->err = 0;
}

static inline size_t
wire_left(const struct wire *w)
{
	return w->err != 0 ? 0 : w->len - w->pos;
}

/* True when n more bytes are present; otherwise sets the error. */
static inline bool
wire_need(struct wire *w, size_t n)
{
	if (w->err != 0)
		return false;
	if (n > w->len - w->pos) {
		w->err = PROTO_ETRUNC;
		return false;
	}
	return true;
}

static inline uint8_t
wire_u8(struct wire *w)
{
	if (!wire_need(w, 1))
		return 0;
	return w->buf[w->pos++];
}

static inline uint16_t
wire_u16(struct wire *w)
{
	if (!wire_need(w, 2))
		return 0;
	uint16_t v = (uint16_t)(w->buf[w->pos] << 8 | w->buf[w->pos + 1]);
	w->pos += 2;
	return v;
}

static inline uint32_t
wire_u32(struct wire *w)
{
	if (!wire_need(w, 4))
		return 0;
	const uint8_t *p = w->buf + w->pos;
	w->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Borrow n bytes and advance; NULL (and err set) if they are not present. */
static inline const uint8_t *
wire_take(struct wire *w, size_t n)
{
	if (!wire_need(w, n))
		return NULL;
	const uint8_t *p = w->buf + w->pos;
	w->pos += n;
	return p;
}

static inline void
wire_skip(struct wire *w, size_t n)
{
	(void)wire_take(w, n);
}

#endif
