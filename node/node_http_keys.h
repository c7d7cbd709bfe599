/*
 * node_http_keys.h - the HTTP APIs' credentials: API keys and CIRCL users.
 *
 * Both live in secret files of their own ([http] api-keys-file and
 * basic-auth-file; refused when group or others may read them), one
 * credential per line, blank lines and '#' comment lines ignored:
 *
 *   api-keys-file     [NAME:]KEY [QUOTA]
 *   basic-auth-file   USER:PASSWORD [QUOTA]
 *
 * KEY and PASSWORD are printable ASCII without blanks (a KEY also without
 * ':'), KEY 16..256 characters, PASSWORD 8..256; NAME and USER 1..63
 * letters, digits, '.', '_', '-' (a key without NAME is named "key-LINE").
 * QUOTA is the number of queries per [http] quota-period, or "unlimited";
 * without it, [http] quota applies. The name is what the access log and
 * /metrics show; the secret is kept only as a keyed BLAKE2b hash (a random
 * key per process) and compared in constant time against every entry, so
 * neither a match's position nor a near miss shows in the timing.
 *
 * Errors name the file and line, never the secret. Memory: the set owns its
 * array (node_http_keys_free). Thread-safe once loaded (read-only).
 */
#ifndef NODE_HTTP_KEYS_H
#define NODE_HTTP_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODE_HTTP_KEYS_FILE_MAX (4u << 20) /* bytes in a credential file */
#define NODE_HTTP_KEYS_MAX 100000          /* credentials in one file */
#define NODE_HTTP_KEYS_SECRET_MAX 256
#define NODE_HTTP_KEYS_NAME_MAX 63
#define NODE_HTTP_KEYS_HASH_LEN 32

enum node_http_keys_kind {
	NODE_HTTP_KEYS_API,    /* [NAME:]KEY [QUOTA] */
	NODE_HTTP_KEYS_BASIC,  /* USER:PASSWORD [QUOTA] */
};

#define NODE_HTTP_QUOTA_DEFAULT UINT64_MAX /* no QUOTA column: [http] quota */
#define NODE_HTTP_QUOTA_UNLIMITED 0

struct node_http_cred {
	char name[NODE_HTTP_KEYS_NAME_MAX + 1];
	uint8_t hash[NODE_HTTP_KEYS_HASH_LEN];
	uint64_t quota;        /* queries per period; 0 unlimited; or _DEFAULT */
};

struct node_http_keys {
	struct node_http_cred *v;
	size_t n;
};

/*
 * Parse a file's text[0..len) of the given kind into *out (emptied first).
 * label names the file in errors ("api-keys-file '/etc/pdns/keys'"). Returns
 * 0, PROTO_EINVAL with "LABEL line N: reason" in why, or PROTO_ENOMEM.
 */
int node_http_keys_parse(const char *text, size_t len, enum node_http_keys_kind kind,
                         const char *label, struct node_http_keys *out, char *why,
                         size_t whylen);

/*
 * Read the secret file at path (proto_keys_read_secret_file's permission
 * rules; flags PROTO_KEYS_*) and parse it. PROTO_EPERM, PROTO_ENOENT,
 * PROTO_EIO, PROTO_ESPACE (over NODE_HTTP_KEYS_FILE_MAX) or the parser's.
 */
int node_http_keys_load(const char *path, unsigned flags, enum node_http_keys_kind kind,
                        struct node_http_keys *out, char *why, size_t whylen);

void node_http_keys_free(struct node_http_keys *k);

/*
 * The index of the credential whose secret is s[0..n) (for BASIC:
 * "USER:PASSWORD"), or -1. Every entry is compared, in constant time each.
 */
long node_http_keys_find(const struct node_http_keys *k, const char *s, size_t n);

#endif
