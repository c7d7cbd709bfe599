/*
 * prov_json.c - the bounded, iterative JSON tokenizer (prov_json.h).
 *
 * One pass over the text with an explicit stack of open containers; every
 * limit is checked before it could be exceeded.
 */
#include "cli/prov_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"

static int
fail(char *why, size_t whylen, size_t off, const char *what)
{
	if (whylen)
		snprintf(why, whylen, "bad JSON at byte %zu: %s", off, what);
	return PROTO_EFORMAT;
}

static int
newtok(struct prov_json *j, unsigned type, size_t start, uint32_t *idx)
{
	if (j->ntok == j->cap) {
		uint32_t cap = j->cap ? j->cap * 2 : 64;
		struct prov_json_tok *t;
		if (j->cap >= PROV_JSON_MAX_TOKENS)
			return PROTO_ESPACE;
		if (cap > PROV_JSON_MAX_TOKENS)
			cap = PROV_JSON_MAX_TOKENS;
		t = realloc(j->tok, cap * sizeof *t);
		if (t == NULL)
			return PROTO_ENOMEM;
		j->tok = t;
		j->cap = cap;
	}
	*idx = j->ntok++;
	memset(&j->tok[*idx], 0, sizeof j->tok[*idx]);
	j->tok[*idx].type = (uint8_t)type;
	j->tok[*idx].start = (uint32_t)start;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long
hex4(const char *s, size_t i, size_t len)
{
	long v = 0;
	if (len - i < 4)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Scan the string whose opening quote is at s[*pos]; *pos past the close. */
static const char *
scan_string(const char *s, size_t len, size_t *pos)
{
	size_t i = *pos + 1;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"') {
			*pos = i + 1;
			return NULL;
		}
		if (c < 0x20)
			return "control character in string";
		if (c != '\\') {
			i++;
			continue;
		}
		if (++i >= len)
			break;
		switch (s[i]) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			i++;
			break;
		case 'u': {
			long u = hex4(s, i + 1, len);
			if (u < 0)
				return "bad \\u escape";
			i += 5;
			if (u >= 0xdc00 && u <= 0xdfff)
				return "lone low surrogate";
			if (u >= 0xd800 && u <= 0xdbff) {
				long lo;
				if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
					return "lone high surrogate";
				lo = hex4(s, i + 2, len);
				if (lo < 0xdc00 || lo > 0xdfff)
					return "lone high surrogate";
				i += 6;
			}
			break;
		}
		default:
			return "bad escape";
		}
	}
	return "unterminated string";
}

static const char *
scan_number(const char *s, size_t len, size_t *pos)
{
	size_t i = *pos;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len || s[i] < '0' || s[i] > '9')
		return "bad number";
	if (s[i] == '0')
		i++;
	else
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return "bad number";
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return "bad number";
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i - *pos > 64)
		return "number too long";
	*pos = i;
	return NULL;
}

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

int
prov_json_parse(struct prov_json *j, const char *s, size_t len, char *why,
                size_t whylen)
{
	uint32_t stack[PROV_JSON_DEPTH];
	unsigned depth = 0;
	size_t i = 0;
	/* What the grammar wants next. */
	enum { VALUE, KEY_OR_CLOSE, KEY, COLON, COMMA_OR_CLOSE, DONE } want = VALUE;
	bool first = true; /* VALUE right after '[' may be ']' */

	memset(j, 0, sizeof *j);
	j->src = s;
	if (len > PROV_JSON_MAX_BODY)
		return fail(why, whylen, 0, "body too large");
	for (;;) {
		uint32_t t;
		int rc;
		char c;

		i = skip_ws(s, len, i);
		if (want == DONE) {
			if (i != len)
				return fail(why, whylen, i, "trailing bytes after the value");
			return 0;
		}
		if (i >= len)
			return fail(why, whylen, i, "truncated");
		c = s[i];
		if (want == COLON) {
			if (c != ':')
				return fail(why, whylen, i, "':' expected");
			i++;
			want = VALUE;
			first = false;
			continue;
		}
		if (want == COMMA_OR_CLOSE || want == KEY_OR_CLOSE ||
		    (want == VALUE && first && depth &&
		     j->tok[stack[depth - 1]].type == PROV_JSON_ARRAY && c == ']')) {
			struct prov_json_tok *top = &j->tok[stack[depth - 1]];
			char close = top->type == PROV_JSON_OBJECT ? '}' : ']';
			if (c == close) {
				top->next = j->ntok;
				top->len = (uint32_t)(i + 1 - top->start);
				i++;
				depth--;
				want = depth ? COMMA_OR_CLOSE : DONE;
				continue;
			}
			if (want == KEY_OR_CLOSE) {
				want = KEY;
			} else if (want == COMMA_OR_CLOSE) {
				if (c != ',')
					return fail(why, whylen, i, "',' or close expected");
				i++;
				want = top->type == PROV_JSON_OBJECT ? KEY : VALUE;
				first = false;
				continue;
			}
		}
		if (want == KEY) {
			size_t st = i;
			const char *e;
			if (c != '"')
				return fail(why, whylen, i, "object key expected");
			if ((e = scan_string(s, len, &i)) != NULL)
				return fail(why, whylen, st, e);
			if ((rc = newtok(j, PROV_JSON_STRING, st + 1, &t)) != 0)
				return rc == PROTO_ENOMEM ? rc : fail(why, whylen, st, "too many values");
			j->tok[t].len = (uint32_t)(i - st - 2);
			j->tok[t].next = t + 1;
			j->tok[stack[depth - 1]].n++;
			want = COLON;
			continue;
		}
		/* want == VALUE */
		first = false;
		if (depth && j->tok[stack[depth - 1]].type == PROV_JSON_ARRAY)
			j->tok[stack[depth - 1]].n++;
		if (c == '{' || c == '[') {
			if (depth == PROV_JSON_DEPTH)
				return fail(why, whylen, i, "nested too deep");
			if ((rc = newtok(j, c == '{' ? PROV_JSON_OBJECT : PROV_JSON_ARRAY, i, &t)) != 0)
				return rc == PROTO_ENOMEM ? rc : fail(why, whylen, i, "too many values");
			stack[depth++] = t;
			i++;
			want = c == '{' ? KEY_OR_CLOSE : VALUE;
			first = true;
			continue;
		}
		{
			size_t st = i;
			unsigned type;
			const char *e = NULL;
			if (c == '"') {
				type = PROV_JSON_STRING;
				e = scan_string(s, len, &i);
			} else if (c == '-' || (c >= '0' && c <= '9')) {
				type = PROV_JSON_NUMBER;
				e = scan_number(s, len, &i);
			} else if (len - i >= 4 && memcmp(s + i, "true", 4) == 0) {
				type = PROV_JSON_TRUE;
				i += 4;
			} else if (len - i >= 5 && memcmp(s + i, "false", 5) == 0) {
				type = PROV_JSON_FALSE;
				i += 5;
			} else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
				type = PROV_JSON_NULL;
				i += 4;
			} else {
				return fail(why, whylen, i, "value expected");
			}
			if (e)
				return fail(why, whylen, st, e);
			if ((rc = newtok(j, type, type == PROV_JSON_STRING ? st + 1 : st, &t)) != 0)
				return rc == PROTO_ENOMEM ? rc : fail(why, whylen, st, "too many values");
			j->tok[t].len = (uint32_t)(type == PROV_JSON_STRING ? i - st - 2 : i - st);
			j->tok[t].next = t + 1;
			want = depth ? COMMA_OR_CLOSE : DONE;
		}
	}
}

void
prov_json_free(struct prov_json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = j->cap = 0;
}

bool
prov_json_str_is(const struct prov_json *j, uint32_t t, const char *s)
{
	size_t n = strlen(s);
	return t < j->ntok && j->tok[t].type == PROV_JSON_STRING &&
	       j->tok[t].len == n && memcmp(j->src + j->tok[t].start, s, n) == 0;
}

uint32_t
prov_json_get(const struct prov_json *j, uint32_t t, const char *key)
{
	uint32_t k, end;

	if (t >= j->ntok || j->tok[t].type != PROV_JSON_OBJECT)
		return 0;
	end = j->tok[t].next;
	for (k = t + 1; k < end; k = j->tok[k + 1].next)
		if (prov_json_str_is(j, k, key))
			return k + 1;
	return 0;
}

static size_t
put_utf8(char *o, unsigned long u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xc0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		o[0] = (char)(0xe0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		o[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

int
prov_json_str(const struct prov_json *j, uint32_t t, char *out, size_t cap,
              size_t *outlen)
{
	const char *s;
	size_t n, i = 0, o = 0;

	if (t == 0 || t >= j->ntok || j->tok[t].type != PROV_JSON_STRING || cap == 0)
		return PROTO_EINVAL;
	s = j->src + j->tok[t].start;
	n = j->tok[t].len;
	while (i < n) {
		char tmp[4];
		size_t k = 1;
		if (s[i] != '\\') {
			tmp[0] = s[i++];
		} else {
			char e = s[i + 1];
			i += 2;
			switch (e) {
			case 'b': tmp[0] = '\b'; break;
			case 'f': tmp[0] = '\f'; break;
			case 'n': tmp[0] = '\n'; break;
			case 'r': tmp[0] = '\r'; break;
			case 't': tmp[0] = '\t'; break;
			case 'u': {
				/* Checked by scan_string: 4 hex digits, pairs whole. */
				unsigned long u = (unsigned long)hex4(s, i, n);
				i += 4;
				if (u >= 0xd800 && u <= 0xdbff) {
					unsigned long lo = (unsigned long)hex4(s, i + 2, n);
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
				if (u == 0)
					return PROTO_EINVAL;
				k = put_utf8(tmp, u);
				break;
			}
			default: tmp[0] = e; break;
			}
		}
		if (cap - o <= k)
			return PROTO_ESPACE;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return 0;
}

int
prov_json_int(const struct prov_json *j, uint32_t t, int64_t *v)
{
	const char *s;
	size_t n, i = 0;
	bool neg = false;
	uint64_t acc = 0;

	if (t == 0 || t >= j->ntok || j->tok[t].type != PROV_JSON_NUMBER)
		return PROTO_EINVAL;
	s = j->src + j->tok[t].start;
	n = j->tok[t].len;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PROTO_EINVAL;
		if (acc > (UINT64_C(1) << 63) / 10)
			return PROTO_ESPACE;
		acc = acc * 10 + (uint64_t)(s[i] - '0');
		if (acc > (UINT64_C(1) << 63))
			return PROTO_ESPACE;
	}
	if (!neg && acc > (uint64_t)INT64_MAX)
		return PROTO_ESPACE;
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return 0;
}
