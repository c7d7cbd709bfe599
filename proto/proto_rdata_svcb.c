/*
 * proto_rdata_svcb.c - rdata text of SVCB and HTTPS (RFC 9460), with the
 * checks BIND 9.18 makes of the SvcParams when it reads them off the wire,
 * dohpath's URI template included.
 *
 * Split out of proto_rdata.c to keep files small; the rules are the ones
 * stated there and the shared reader and helpers are in
 * proto_rdata_impl.h.
 */
#include <stdbool.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_rdata_impl.h"
#include "proto/proto_wire.h"

/*
 * One ALPN id inside alpn="...": dig escapes twice, once for the comma list
 * and once for the quoted string, so ',' is \\, and '\' is four
 * backslashes; a space is \032 because the id is unquoted at the inner
 * level.
 */
static void
rd_put_alpn(struct proto_buf *b, const uint8_t *p, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ',')
			continue;
		proto_buf_put(b, (const char *)p + run, i - run);
		run = i + 1;
		if (c == '"')
			proto_buf_put(b, "\\\"", 2);
		else if (c == ',')
			proto_buf_put(b, "\\\\,", 3);
		else if (c == '\\')
			proto_buf_put(b, "\\\\\\\\", 4);
		else
			rd_put_ddd(b, c);
	}
	proto_buf_put(b, (const char *)p + run, n - run);
}

static bool
rd_is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
rd_is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/*
 * SVCB dohpath (RFC 9461) as BIND 9.18 accepts it: a relative URI template
 * starting with '/', valid UTF-8, whose RFC 6570 expressions are well formed
 * and name a variable "dns". The quirks are BIND's and kept on purpose: an
 * operator may also follow a ',' and the variable after a ":prefix," is not
 * recognised as "dns" - a dohpath dig refuses must be refused here too.
 */
static bool
rd_dohpath_ok(const uint8_t *p, size_t n)
{
	enum { PATH, VAR, PCT1, PCT2, VPCT1, VPCT2, PREFIX, EXPLODE } st = PATH;
	size_t var = 0;    /* where the current variable name starts */
	size_t digits = 0; /* where the current prefix length starts */
	bool op = false;
	bool dns = false;

	if (n == 0 || p[0] != '/' || !rd_utf8_ok(p, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		switch (st) {
		case PATH:
			if (c == '{') {
				st = VAR;
				op = false;
				var = i + 1;
			} else if (c == '%') {
				st = PCT1;
			}
			break;
		case VAR:
			switch (c) {
			case '+': case '#': case '.': case '/': case ';':
			case '?': case '&':
				if (i != var || op)
					return false;
				op = true;
				var = i + 1;
				break;
			case '=': case '!': case '@': case '|':
				return false;
			case '*': case ':': case '}': case ',':
				if (i == var)
					return false;
				if (i - var == 3 && !memcmp(p + var, "dns", 3))
					dns = true;
				if (c == ':') {
					st = PREFIX;
					digits = i + 1;
				} else if (c == '}') {
					st = PATH;
				} else if (c == '*') {
					st = EXPLODE;
				} else {
					op = false;
					var = i + 1;
				}
				break;
			case '%':
				st = VPCT1;
				break;
			default:
				if (c != '_' && !rd_is_alnum(c))
					return false;
			}
			break;
		case EXPLODE:
			if (c == ',') {
				st = VAR;
				op = false;
				var = i + 1;
			} else if (c == '}') {
				st = PATH;
			} else {
				return false;
			}
			break;
		case PCT1:
		case PCT2:
		case VPCT1:
		case VPCT2:
			if (!rd_is_hex(c))
				return false;
			st = st == PCT1 ? PCT2 : st == PCT2 ? PATH :
			     st == VPCT1 ? VPCT2 : VAR;
			break;
		case PREFIX:
			if (c >= '0' && c <= '9')
				break;
			/* A prefix length is 1..9999 without a leading zero. */
			if (i == digits || i - digits > 4 || p[digits] == '0')
				return false;
			if (c == ',') {
				st = VAR;
				op = false;
			} else if (c == '}') {
				st = PATH;
			} else {
				return false;
			}
			break;
		}
	}
	return st == PATH && dns;
}

static const char *const rd_svc_keys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint",
};

/* dig 9.18 names keys 0..6; dohpath (7) and the rest print as keyNNNNN. */
static void
rd_svc_key(struct proto_buf *b, uint16_t key)
{
	if (key < sizeof(rd_svc_keys) / sizeof(rd_svc_keys[0])) {
		proto_buf_puts(b, rd_svc_keys[key]);
	} else {
		proto_buf_put(b, "key", 3);
		proto_buf_put_u64(b, key);
	}
}

/* The value of one SvcParam after "key=", or PROTO_ERDATA. */
static int
rd_svc_value(struct rd *r, uint16_t key, const uint8_t *v, size_t len)
{
	struct proto_buf *b = r->out;

	switch (key) {
	case 0: /* mandatory: ascending keys, checked by the caller */
		for (size_t i = 0; i < len; i += 2) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_svc_key(b, (uint16_t)(v[i] << 8 | v[i + 1]));
		}
		break;
	case 1: /* alpn: non-empty ids */
		proto_buf_putc(b, '"');
		for (size_t i = 0; i < len;) {
			size_t l = v[i];
			if (l == 0 || l > len - i - 1)
				return PROTO_ERDATA;
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_alpn(b, v + i + 1, l);
			i += 1 + l;
		}
		proto_buf_putc(b, '"');
		break;
	case 2: /* no-default-alpn: nothing to print */
		break;
	case 3:
		if (len != 2)
			return PROTO_ERDATA;
		proto_buf_put_u64(b, (uint64_t)(v[0] << 8 | v[1]));
		break;
	case 4:
		if (len % 4 != 0)
			return PROTO_ERDATA;
		for (size_t i = 0; i < len; i += 4) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_ipv4(b, v + i);
		}
		break;
	case 5:
		proto_buf_put_base64(b, v, len);
		break;
	case 6:
		if (len % 16 != 0)
			return PROTO_ERDATA;
		for (size_t i = 0; i < len; i += 16) {
			if (i != 0)
				proto_buf_putc(b, ',');
			rd_put_ipv6(b, v + i);
		}
		break;
	case 7:
		if (!rd_dohpath_ok(v, len))
			return PROTO_ERDATA;
		rd_put_qtext(b, v, len);
		break;
	default:
		rd_put_qtext(b, v, len);
	}
	return 0;
}

/*
 * SVCB, HTTPS (RFC 9460) with BIND's wire checks: keys strictly ascending;
 * mandatory a non-empty ascending list without key 0 whose keys all follow;
 * no-default-alpn only after alpn; the fixed encodings of keys 0..7.
 */
int
proto_rdata_svcb_format(struct rd *r)
{
	const uint8_t *man = NULL; /* mandatory keys still to be seen */
	size_t manleft = 0;
	uint32_t mankey = 0;       /* next one; 0 means none */
	int32_t last = -1;
	bool alpn = false;
	int err;

	rd_u(r, wire_u16(&r->w));
	rd_sp(r);
	if ((err = rd_name(r)) != 0)
		return err;
	while (wire_left(&r->w) > 0) {
		uint16_t key = wire_u16(&r->w);
		size_t len = wire_u16(&r->w);
		const uint8_t *v = wire_take(&r->w, len);

		if (v == NULL || (int32_t)key <= last)
			return PROTO_ERDATA;
		last = key;
		if (mankey != 0) {
			if (key > mankey)
				return PROTO_ERDATA;
			if (key == mankey && manleft >= 2) {
				mankey = (uint32_t)(man[0] << 8 | man[1]);
				man += 2;
				manleft -= 2;
			} else if (key == mankey) {
				mankey = 0;
			}
		}
		if (key == 1)
			alpn = true;
		if (key == 2 && !alpn)
			return PROTO_ERDATA;
		/* Keys whose value must not be empty. */
		if (len == 0 && (key == 0 || key == 1 || key == 3 ||
		                 key == 4 || key == 6 || key == 7))
			return PROTO_ERDATA;
		if (key == 2 && len != 0)
			return PROTO_ERDATA;
		if (key == 0) {
			if (len % 2 != 0)
				return PROTO_ERDATA;
			for (size_t i = 2; i < len; i += 2) {
				if (memcmp(v + i - 2, v + i, 2) >= 0)
					return PROTO_ERDATA;
			}
			mankey = (uint32_t)(v[0] << 8 | v[1]);
			if (mankey == 0)
				return PROTO_ERDATA;
			man = v + 2;
			manleft = len - 2;
		}
		rd_sp(r);
		rd_svc_key(r->out, key);
		if (len == 0)
			continue;
		proto_buf_putc(r->out, '=');
		if ((err = rd_svc_value(r, key, v, len)) != 0)
			return err;
	}
	if (mankey != 0)
		return PROTO_ERDATA;
	return rd_finish(r);
}
