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
proto_buf_puts(struct proto_buf *b, const char *s)
{
	proto_buf_put(b, s, strlen(s));
}

void
proto_buf_put_u64(struct proto_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	if (v < 10) {
		proto_buf_putc(b, (char)('0' + v));
		return;
	}
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

/* Decimal text of 0..255, for dotted quads without division. */
static const char dec3[256][4] = {
#define D1(n) { (char)('0' + (n)), 0, 0, 1 }
#define D2(n) { (char)('0' + (n) / 10), (char)('0' + (n) % 10), 0, 2 }
#define D3(n) { (char)('0' + (n) / 100), (char)('0' + (n) / 10 % 10), (char)('0' + (n) % 10), 3 }
#define R10(f, b) f(b), f(b + 1), f(b + 2), f(b + 3), f(b + 4), f(b + 5), f(b + 6), f(b + 7), f(b + 8), f(b + 9)
	R10(D1, 0),
	R10(D2, 10), R10(D2, 20), R10(D2, 30), R10(D2, 40), R10(D2, 50),
	R10(D2, 60), R10(D2, 70), R10(D2, 80), R10(D2, 90),
	R10(D3, 100), R10(D3, 110), R10(D3, 120), R10(D3, 130), R10(D3, 140),
	R10(D3, 150), R10(D3, 160), R10(D3, 170), R10(D3, 180), R10(D3, 190),
	R10(D3, 200), R10(D3, 210), R10(D3, 220), R10(D3, 230), R10(D3, 240),
	D3(250), D3(251), D3(252), D3(253), D3(254), D3(255),
#undef R10
#undef D3
#undef D2
#undef D1
};

static size_t
ipv4_text(char *o, const uint8_t *p)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		const char *d = dec3[p[i]];
		if (i != 0)
			o[n++] = '.';
		memcpy(o + n, d, 3);
		n += (size_t)d[3];
	}
	return n;
}

void
proto_buf_put_ipv4(struct proto_buf *b, const uint8_t a[4])
{
	char *o = proto_buf_reserve(b, 16);

	if (o != NULL)
		proto_buf_commit(b, ipv4_text(o, a));
}

void
proto_buf_put_ipv6(struct proto_buf *b, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	char *o = proto_buf_reserve(b, 48);
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	size_t n = 0;

	if (o == NULL)
		return;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
			if (cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1; /* RFC 5952: a single zero group is not compressed */
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o[n++] = ':';
			if (best + best_len == 8)
				o[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i != 0)
			o[n++] = ':';
		/*
		 * The embedded IPv4 forms that inet_ntop (glibc's and BIND's)
		 * print: ::a.b.c.d (but not ::1) and ::ffff:a.b.c.d.
		 */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 7 && w[7] != 1) ||
		     (best_len == 5 && w[5] == 0xffff))) {
			n += ipv4_text(o + n, a + 12);
			break;
		}
		bool lead = true;
		for (int s = 12; s >= 0; s -= 4) {
			unsigned nib = (w[i] >> s) & 15;
			if (lead && nib == 0 && s != 0)
				continue;
			lead = false;
			o[n++] = hex[nib];
		}
	}
	proto_buf_commit(b, n);
}
