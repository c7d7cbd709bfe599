/*
 * prov_json.h - a small bounded JSON reader for provider responses.
 *
 * Provider bodies are untrusted, so the reader is iterative (no recursion),
 * nests at most PROV_JSON_DEPTH deep, refuses bodies over PROV_JSON_MAX_BODY
 * and documents over PROV_JSON_MAX_TOKENS values, and checks every string
 * escape (\uXXXX with surrogate pairs) and number while it tokenizes, so the
 * accessors work on text already known to be valid. A document is a flat
 * array of tokens: a container's children follow it, each token's `next` is
 * the index after its subtree, which makes walking and skipping O(1).
 */
#ifndef PROV_JSON_H
#define PROV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROV_JSON_DEPTH 32
#define PROV_JSON_MAX_BODY (64u << 20)
#define PROV_JSON_MAX_TOKENS (4u << 20)

enum prov_json_type {
	PROV_JSON_OBJECT = 1,
	PROV_JSON_ARRAY,
	PROV_JSON_STRING,
	PROV_JSON_NUMBER,
	PROV_JSON_TRUE,
	PROV_JSON_FALSE,
	PROV_JSON_NULL,
};

struct prov_json_tok {
	uint32_t start, len; /* source bytes; strings without their quotes */
	uint32_t next;       /* index of the token after this subtree */
	uint32_t n;          /* containers: members (object keys count once) */
	uint8_t type;        /* enum prov_json_type */
};

struct prov_json {
	const char *src;
	struct prov_json_tok *tok; /* owned */
	uint32_t ntok, cap;
};

/*
 * Parse exactly one JSON value (whitespace around it allowed) from
 * src[0..len). Object members are stored as key token, value token. Returns
 * 0, PROTO_ENOMEM, or PROTO_EFORMAT with a one-line reason in why.
 * prov_json_free() releases what was allocated, also after an error.
 */
int prov_json_parse(struct prov_json *j, const char *src, size_t len,
                    char *why, size_t whylen);
void prov_json_free(struct prov_json *j);

/* Type of token t. */
static inline unsigned
prov_json_type(const struct prov_json *j, uint32_t t)
{
	return j->tok[t].type;
}

/* The value of member `key` of object t, or 0 (token 0 is never a member). */
uint32_t prov_json_get(const struct prov_json *j, uint32_t t, const char *key);

/*
 * Decode string token t into out[0..cap) with a NUL: escapes become UTF-8.
 * PROTO_EINVAL when t is not a string or the text contains a NUL,
 * PROTO_ESPACE when it does not fit.
 */
int prov_json_str(const struct prov_json *j, uint32_t t, char *out,
                  size_t cap, size_t *outlen);

/* True when string token t decodes to exactly `s` (no escapes compared). */
bool prov_json_str_is(const struct prov_json *j, uint32_t t, const char *s);

/*
 * Integer value of number token t. PROTO_EINVAL when t is not a number or
 * has a fraction or exponent, PROTO_ESPACE when it does not
 * fit int64_t.
 */
int prov_json_int(const struct prov_json *j, uint32_t t, int64_t *v);

#endif
