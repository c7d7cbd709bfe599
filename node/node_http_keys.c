/*
 * node_http_keys.c - API key and CIRCL user files: parsing, hashing and
 * the constant-time lookup.
 *
 * A request's secret is hashed with the same keyed BLAKE2b as the file's
 * and the hashes are compared with sodium_memcmp against every entry:
 * the time taken depends on the number of entries only.
 */
#include "node/node_http_keys.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/node_config_impl.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"

static uint8_t hash_key[crypto_generichash_KEYBYTES];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void
hash_init(void)
{
	if (sodium_init() < 0)
		abort(); /* libsodium cannot work at all: nothing safe to do */
	randombytes_buf(hash_key, sizeof(hash_key));
}

static void
hash_secret(const char *s, size_t n, uint8_t out[NODE_HTTP_KEYS_HASH_LEN])
{
	pthread_once(&hash_once, hash_init);
	crypto_generichash(out, NODE_HTTP_KEYS_HASH_LEN, (const unsigned char *)s, n, hash_key,
	                   sizeof(hash_key));
}

static int __attribute__((format(printf, 5, 6)))
keys_fail(char *why, size_t whylen, const char *label, unsigned line, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line != 0)
		snprintf(why, whylen, "%s line %u: %s", label, line, reason);
	else
		snprintf(why, whylen, "%s: %s", label, reason);
	return PROTO_EINVAL;
}

/* A NAME or USER: the config's own rule for names (node_config_keys_is_name). */
static bool
is_name(const char *s, size_t n)
{
	char tmp[NODE_HTTP_KEYS_NAME_MAX + 1];

	if (n == 0 || n > NODE_HTTP_KEYS_NAME_MAX)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return node_config_keys_is_name(tmp);
}

/* Printable ASCII without blanks (and without ':' when colon is false). */
static bool
is_secret(const char *s, size_t n, bool colon)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || (!colon && s[i] == ':'))
			return false;
	return true;
}

static bool
parse_quota(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 9 && memcmp(s, "unlimited", 9) == 0) {
		*out = NODE_HTTP_QUOTA_UNLIMITED;
		return true;
	}
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > 1000000000)
		return false;
	*out = v;
	return true;
}

/* One non-comment line: fields split on blanks into c. */
static int
parse_line(const char *s, size_t n, enum node_http_keys_kind kind, const char *label,
           unsigned line, struct node_http_cred *c, char *why, size_t whylen)
{
	const char *f[3];
	size_t fl[3], nf = 0, i = 0;
	bool basic = kind == NODE_HTTP_KEYS_BASIC;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		if (nf == 3)
			return keys_fail(why, whylen, label, line, "more than two fields");
		f[nf] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		fl[nf] = (size_t)(s + i - f[nf]);
		nf++;
	}
	memset(c, 0, sizeof(*c));
	c->quota = NODE_HTTP_QUOTA_DEFAULT;
	if (nf == 2 && !parse_quota(f[1], fl[1], &c->quota))
		return keys_fail(why, whylen, label, line,
		                 "the quota is a number of queries (1..1000000000) or unlimited");
	const char *colon = memchr(f[0], ':', fl[0]);
	const char *secret = f[0];
	size_t slen = fl[0];
	if (basic) {
		if (colon == NULL || !is_name(f[0], (size_t)(colon - f[0])))
			return keys_fail(why, whylen, label, line, "expected USER:PASSWORD [QUOTA] "
			                 "(USER: letters, digits, '.', '_', '-')");
		size_t plen = fl[0] - (size_t)(colon + 1 - f[0]);
		if (plen < 8 || plen > NODE_HTTP_KEYS_SECRET_MAX || !is_secret(colon + 1, plen, true))
			return keys_fail(why, whylen, label, line, "a password is 8..%d printable "
			                 "characters without blanks", NODE_HTTP_KEYS_SECRET_MAX);
		memcpy(c->name, f[0], (size_t)(colon - f[0]));
	} else {
		if (colon != NULL) {
			if (!is_name(f[0], (size_t)(colon - f[0])))
				return keys_fail(why, whylen, label, line, "expected [NAME:]KEY [QUOTA] "
				                 "(NAME: letters, digits, '.', '_', '-')");
			memcpy(c->name, f[0], (size_t)(colon - f[0]));
			secret = colon + 1;
			slen = fl[0] - (size_t)(colon + 1 - f[0]);
		} else {
			snprintf(c->name, sizeof(c->name), "key-%u", line);
		}
		if (slen < 16 || slen > NODE_HTTP_KEYS_SECRET_MAX || !is_secret(secret, slen, false))
			return keys_fail(why, whylen, label, line, "an API key is 16..%d printable "
			                 "characters without blanks or ':'", NODE_HTTP_KEYS_SECRET_MAX);
	}
	hash_secret(secret, slen, c->hash);
	return 0;
}

void
node_http_keys_free(struct node_http_keys *k)
{
	if (k == NULL)
		return;
	if (k->v != NULL)
		sodium_memzero(k->v, k->n * sizeof(*k->v));
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

int
node_http_keys_parse(const char *text, size_t len, enum node_http_keys_kind kind,
                     const char *label, struct node_http_keys *out, char *why, size_t whylen)
{
	size_t at = 0, cap = 0;
	unsigned line = 0;
	int err;

	out->v = NULL;
	out->n = 0;
	while (at < len) {
		const char *s = text + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - at;
		at += n + 1;
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		size_t lead = 0;
		while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
			lead++;
		if (lead == n || s[lead] == '#')
			continue;
		if (memchr(s, '\0', n) != NULL) {
			err = keys_fail(why, whylen, label, line, "NUL byte in the line");
			goto fail;
		}
		if (out->n == NODE_HTTP_KEYS_MAX) {
			err = keys_fail(why, whylen, label, line, "more than %d entries",
			                NODE_HTTP_KEYS_MAX);
			goto fail;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct node_http_cred *v = realloc(out->v, ncap * sizeof(*v));
			if (v == NULL) {
				err = PROTO_ENOMEM;
				goto fail;
			}
			out->v = v;
			cap = ncap;
		}
		struct node_http_cred *c = &out->v[out->n];
		if ((err = parse_line(s + lead, n - lead, kind, label, line, c, why, whylen)) != 0)
			goto fail;
		for (size_t j = 0; j < out->n; j++) {
			if (sodium_memcmp(out->v[j].hash, c->hash, sizeof(c->hash)) == 0) {
				err = keys_fail(why, whylen, label, line, "the same %s as '%s'",
				                kind == NODE_HTTP_KEYS_BASIC ? "credentials" : "key",
				                out->v[j].name);
				goto fail;
			}
			if (strcmp(out->v[j].name, c->name) == 0) {
				err = keys_fail(why, whylen, label, line, "the name '%s' is used twice",
				                c->name);
				goto fail;
			}
		}
		out->n++;
	}
	if (out->n == 0) {
		err = keys_fail(why, whylen, label, 0, "holds no %s (one per line: %s)",
		                kind == NODE_HTTP_KEYS_BASIC ? "user" : "key",
		                kind == NODE_HTTP_KEYS_BASIC ? "USER:PASSWORD [QUOTA]"
		                                             : "[NAME:]KEY [QUOTA]");
		goto fail;
	}
	return 0;
fail:
	node_http_keys_free(out);
	return err;
}

int
node_http_keys_load(const char *path, unsigned flags, enum node_http_keys_kind kind,
                    struct node_http_keys *out, char *why, size_t whylen)
{
	char label[4200];
	size_t n = 0;
	uint8_t *buf = malloc(NODE_HTTP_KEYS_FILE_MAX);
	int err;

	out->v = NULL;
	out->n = 0;
	if (buf == NULL)
		return PROTO_ENOMEM;
	err = proto_keys_read_secret_file(path, flags, buf, NODE_HTTP_KEYS_FILE_MAX, &n, why,
	                                  whylen);
	if (err == PROTO_ESPACE)
		snprintf(why, whylen, "secret file '%s' is larger than %u bytes", path,
		         NODE_HTTP_KEYS_FILE_MAX);
	if (err == 0) {
		snprintf(label, sizeof(label), "%s '%s'",
		         kind == NODE_HTTP_KEYS_BASIC ? "basic-auth-file" : "api-keys-file", path);
		err = node_http_keys_parse((const char *)buf, n, kind, label, out, why, whylen);
	}
	sodium_memzero(buf, NODE_HTTP_KEYS_FILE_MAX);
	free(buf);
	return err;
}

long
node_http_keys_find(const struct node_http_keys *k, const char *s, size_t n)
{
	uint8_t h[NODE_HTTP_KEYS_HASH_LEN];
	long found = -1;

	hash_secret(s, n, h);
	for (size_t i = 0; i < k->n; i++) {
		/* No early exit: every entry costs the same. */
		bool eq = sodium_memcmp(k->v[i].hash, h, sizeof(h)) == 0;
		found = eq && found < 0 ? (long)i : found;
	}
	sodium_memzero(h, sizeof(h));
	return found;
}
