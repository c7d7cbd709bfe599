/* proto_name.c - DNS name decompression, comparison and presentation. */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"

/* ASCII lowercasing by table: names are lowercased byte by byte in the hot path. */
static const uint8_t lower_tab[256] = {
#define L1(c) (uint8_t)(((c) >= 'A' && (c) <= 'Z') ? (c) + 32 : (c))
#define L4(c) L1(c), L1(c + 1), L1(c + 2), L1(c + 3)
#define L16(c) L4(c), L4(c + 4), L4(c + 8), L4(c + 12)
#define L64(c) L16(c), L16(c + 16), L16(c + 32), L16(c + 48)
	L64(0), L64(64), L64(128), L64(192)
#undef L64
#undef L16
#undef L4
#undef L1
};

static inline uint8_t
lower(uint8_t c)
{
	return lower_tab[c];
}

/* Lowercase the ASCII letters of eight bytes at once (SWAR). */
static inline uint64_t
lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t low7 = w & ~high;
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;  /* high bit: >= 'A' */
	uint64_t gt_z = low7 + (0x7f - 'Z') * ones;  /* high bit: > 'Z' */
	uint64_t upper = (ge_a ^ gt_z) & ~w & high;  /* ASCII 'A'..'Z' only */
	return w | (upper >> 2);
}

int
proto_name_unpack(const uint8_t *msg, size_t len, size_t *pos,
                  uint8_t out[PROTO_NAME_MAX], size_t *outlen, bool allow_ptr)
{
	size_t p = *pos;
	size_t limit = *pos; /* every pointer must go strictly below this */
	size_t after = 0;    /* where the caller resumes, once a pointer is seen */
	size_t n = 0;

	for (;;) {
		if (p >= len)
			return PROTO_ETRUNC;
		uint8_t c = msg[p];
		if (c == 0) {
			out[n++] = 0;
			p++;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			if (!allow_ptr)
				return PROTO_EPTR;
			if (p + 1 >= len)
				return PROTO_ETRUNC;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			if (target >= limit)
				return PROTO_EPTR;
			if (after == 0)
				after = p + 2;
			limit = target;
			p = target;
			continue;
		}
		if ((c & 0xc0) != 0)
			return PROTO_ELABEL; /* 0x40 extended, 0x80 reserved */
		/* c <= 63 here; the label plus the final root octet must fit. */
		if (n + 1 + c + 1 > PROTO_NAME_MAX)
			return PROTO_ENAMELEN;
		if (p + 1 + c > len)
			return PROTO_ETRUNC;
		out[n++] = c;
		const uint8_t *src = msg + p + 1;
		if (n + c + 8 <= PROTO_NAME_MAX && p + 1 + c + 8 <= len) {
			/* Eight bytes at a time; the slack past the label is
			 * inside both buffers and is overwritten next. */
			for (size_t i = 0; i < c; i += 8) {
				uint64_t w;
				memcpy(&w, src + i, 8);
				w = lower8(w);
				memcpy(out + n + i, &w, 8);
			}
		} else {
			for (size_t i = 0; i < c; i++)
				out[n + i] = lower_tab[src[i]];
		}
		n += c;
		p += 1 + (size_t)c;
	}
	*pos = after != 0 ? after : p;
	*outlen = n;
	return 0;
}

void
proto_name_format(const uint8_t *wire, size_t len, struct proto_buf *b)
{
	/* Every octet becomes at most 4 characters: reserve once, then write. */
	char *o = proto_buf_reserve(b, 4 * len + 1);
	size_t n = 0, p = 0;

	if (o == NULL)
		return;
	if (len == 0 || wire[0] == 0) {
		o[n++] = '.';
		proto_buf_commit(b, n);
		return;
	}
	while (p < len && wire[p] != 0) {
		size_t l = wire[p++];
		if (p != 1)
			o[n++] = '.';
		for (size_t end = p + l; p < end && p < len; p++) {
			uint8_t c = wire[p];
			switch (c) {
			case '.': case ';': case '\\': case '(': case ')':
			case '"': case '@': case '$':
				o[n++] = '\\';
				o[n++] = (char)c;
				break;
			default:
				if (c > 0x20 && c < 0x7f) {
					o[n++] = (char)c;
				} else {
					o[n++] = '\\';
					o[n++] = (char)('0' + c / 100);
					o[n++] = (char)('0' + c / 10 % 10);
					o[n++] = (char)('0' + c % 10);
				}
			}
		}
	}
	proto_buf_commit(b, n);
}

unsigned
proto_name_labels(const uint8_t *wire, size_t len)
{
	unsigned n = 0;

	for (size_t p = 0; p < len && wire[p] != 0; p += 1 + (size_t)wire[p])
		n++;
	return n;
}

bool
proto_name_is_subdomain(const uint8_t *name, size_t nlen, const uint8_t *zone,
                        size_t zlen)
{
	/* Walk name's label boundaries; the suffix must line up with one. */
	for (size_t p = 0; p < nlen; p += 1 + (size_t)name[p]) {
		if (nlen - p == zlen && memcmp(name + p, zone, zlen) == 0)
			return true;
		if (name[p] == 0)
			break;
	}
	return false;
}

size_t
proto_name_parent(const uint8_t *wire, size_t len)
{
	if (len == 0 || wire[0] == 0)
		return 0;
	return 1 + (size_t)wire[0];
}

int
proto_name_parse(const char *text, size_t tlen, uint8_t out[PROTO_NAME_MAX],
                 size_t *outlen)
{
	size_t n = 0;     /* bytes written */
	size_t lab = 0;   /* offset of the current label's length byte */
	size_t i = 0;

	if (tlen == 0)
		return PROTO_EINVAL;
	if (tlen == 1 && text[0] == '.') {
		out[0] = 0;
		*outlen = 1;
		return 0;
	}
	out[n++] = 0;
	while (i < tlen) {
		uint8_t c = (uint8_t)text[i++];
		if (c == '.') {
			size_t l = n - lab - 1;
			if (l == 0)
				return PROTO_EINVAL; /* empty label */
			out[lab] = (uint8_t)l;
			if (i == tlen) {
				lab = n;
				goto root;
			}
			if (n + 1 >= PROTO_NAME_MAX)
				return PROTO_ENAMELEN;
			lab = n;
			out[n++] = 0;
			continue;
		}
		if (c == '\\') {
			if (i >= tlen)
				return PROTO_EINVAL;
			if (text[i] >= '0' && text[i] <= '9') {
				if (i + 3 > tlen)
					return PROTO_EINVAL;
				unsigned v = 0;
				for (int k = 0; k < 3; k++, i++) {
					if (text[i] < '0' || text[i] > '9')
						return PROTO_EINVAL;
					v = v * 10 + (unsigned)(text[i] - '0');
				}
				if (v > 255)
					return PROTO_EINVAL;
				c = (uint8_t)v;
			} else {
				c = (uint8_t)text[i++];
			}
		}
		if (n - lab - 1 >= 63)
			return PROTO_ELABEL;
		if (n + 1 >= PROTO_NAME_MAX)
			return PROTO_ENAMELEN;
		out[n++] = lower(c);
	}
	if (n - lab - 1 == 0)
		return PROTO_EINVAL;
	out[lab] = (uint8_t)(n - lab - 1);
	lab = n;
root:
	if (lab + 1 > PROTO_NAME_MAX)
		return PROTO_ENAMELEN;
	out[lab] = 0;
	*outlen = lab + 1;
	return 0;
}
