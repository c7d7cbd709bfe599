/*
 * proto_buf.h - a bounded text buffer for presentation forms.
 *
 * The caller owns the storage (usually a stack or context array); appends
 * never write past `cap` and set a sticky `err` (PROTO_ESPACE) instead, so a
 * formatter can append freely and check once at the end. The content is
 * always NUL-terminated when cap > 0. Not thread-safe per buffer.
 */
#ifndef PROTO_BUF_H
#define PROTO_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/proto_err.h"

struct proto_buf {
	char *data;  /* borrowed storage of cap bytes */
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;  /* size of data, including room for the NUL */
	int err;     /* 0 or the first error (sticky) */
};

/* Point b at storage of cap bytes and empty it. */
void proto_buf_init(struct proto_buf *b, char *storage, size_t cap);
/* Empty the buffer and clear its error. */
void proto_buf_reset(struct proto_buf *b);
/* Append n bytes (inline: formatters call this per field). */
static inline void
proto_buf_put(struct proto_buf *b, const char *s, size_t n)
{
	if (b->err != 0)
		return;
	if (b->cap == 0 || n > b->cap - 1 - b->len) {
		b->err = PROTO_ESPACE;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
proto_buf_putc(struct proto_buf *b, char c)
{
	if (b->err != 0)
		return;
	if (b->cap == 0 || b->len + 1 >= b->cap) {
		b->err = PROTO_ESPACE;
		return;
	}
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/*
 * Reserve n bytes for direct writing: returns where they start, or NULL
 * (and the error set) when they do not fit. The caller then calls
 * proto_buf_commit with how many it wrote (at most n).
 */
static inline char *
proto_buf_reserve(struct proto_buf *b, size_t n)
{
	if (b->err != 0)
		return NULL;
	if (b->cap == 0 || n > b->cap - 1 - b->len) {
		b->err = PROTO_ESPACE;
		return NULL;
	}
	return b->data + b->len;
}

static inline void
proto_buf_commit(struct proto_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

void proto_buf_puts(struct proto_buf *b, const char *s);
void proto_buf_put_u64(struct proto_buf *b, uint64_t v);
void proto_buf_put_i64(struct proto_buf *b, int64_t v);
/* Uppercase hex of n bytes, no separators (dig +nosplit). */
void proto_buf_put_hex(struct proto_buf *b, const uint8_t *p, size_t n);
/* RFC 4648 base64 with padding. */
void proto_buf_put_base64(struct proto_buf *b, const uint8_t *p, size_t n);
/* RFC 4648 base32hex, uppercase, no padding (NSEC3 hashes). */
void proto_buf_put_base32hex(struct proto_buf *b, const uint8_t *p, size_t n);
/* Dotted quad. */
void proto_buf_put_ipv4(struct proto_buf *b, const uint8_t a[4]);
/* RFC 5952 text, with inet_ntop's embedded IPv4 forms (::ffff:a.b.c.d). */
void proto_buf_put_ipv6(struct proto_buf *b, const uint8_t a[16]);
/* JSON string body (without quotes): escapes '"', '\\' and control bytes. */
void proto_buf_put_json(struct proto_buf *b, const char *s, size_t n);

#endif
