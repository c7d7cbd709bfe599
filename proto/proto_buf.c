/* proto_buf.c - bounded text buffer. */
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"

void
proto_buf_init(struct proto_buf *b, char *storage, size_t cap)
{
	b->data = storage;
	b->cap = cap;
	proto_buf_reset(b);
}

void
proto_buf_reset(struct proto_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->cap > 0)
		b->data[0] = '\0';
}

void
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

void
proto_buf_putc(struct proto_buf *b, char c)
{
	proto_buf_put(b, &c, 1);
}

void
proto_buf_puts(struct proto_buf *b, const char *s)
{
	proto_buf_put(b, s, strlen(s));
}

void
proto_buf_put_u64(struct proto_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	proto_buf_put(b, tmp + i, sizeof(tmp) - i);
}

void
proto_buf_put_i64(struct proto_buf *b, int64_t v)
{
	if (v < 0) {
		proto_buf_putc(b, '-');
		proto_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		proto_buf_put_u64(b, (uint64_t)v);
	}
}

void
proto_buf_put_hex(struct proto_buf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[128];
	size_t t = 0;

	for (size_t i = 0; i < n; i++) {
		tmp[t++] = hex[p[i] >> 4];
		tmp[t++] = hex[p[i] & 15];
		if (t == sizeof(tmp)) {
			proto_buf_put(b, tmp, t);
			t = 0;
		}
	}
	proto_buf_put(b, tmp, t);
}

void
proto_buf_put_base64(struct proto_buf *b, const uint8_t *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	char q[4];

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		q[0] = b64[v >> 18];
		q[1] = b64[(v >> 12) & 63];
		q[2] = b64[(v >> 6) & 63];
		q[3] = b64[v & 63];
		proto_buf_put(b, q, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		q[0] = b64[v >> 18];
		q[1] = b64[(v >> 12) & 63];
		q[2] = q[3] = '=';
		proto_buf_put(b, q, 4);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		q[0] = b64[v >> 18];
		q[1] = b64[(v >> 12) & 63];
		q[2] = b64[(v >> 6) & 63];
		q[3] = '=';
		proto_buf_put(b, q, 4);
	}
}

void
proto_buf_put_base32hex(struct proto_buf *b, const uint8_t *p, size_t n)
{
	static const char b32[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			proto_buf_putc(b, b32[(acc >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		proto_buf_putc(b, b32[(acc << (5 - bits)) & 31]);
}

void
proto_buf_put_json(struct proto_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f)
			continue;
		proto_buf_put(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			proto_buf_put(b, e, 2);
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			proto_buf_put(b, e, 6);
		}
	}
	proto_buf_put(b, s + run, n - run);
}
