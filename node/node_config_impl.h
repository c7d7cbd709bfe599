/*
 * node_config_impl.h - internal to the pdns-node config parser; not for
 * other modules, whose interface is node/node_config.h.
 *
 * node_config_parse() (node_config.c) keeps one struct pstate for the whole
 * parse and hands it to the code in files named for what they hold:
 *
 *   node_config.c        reading the file, lines, sections and key = value
 *                        lines, error reporting, lists, the entry points;
 *   node_config_keys.c   the table of sections and keys, the per-key value
 *                        parsers and checks, unknown-key hints;
 *   node_config_check.c  the checks that need the whole file.
 *
 * Every error goes through node_config_fail() and none stops the parse.
 * Allocation failures set ps->oom. Not thread-safe, like the parser.
 */
#ifndef NODE_CONFIG_IMPL_H
#define NODE_CONFIG_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node_config.h"

#define DEFAULT_STORE "/var/lib/pdns-node/store"
#define DEFAULT_SENSOR_LISTEN "tcp://127.0.0.1:7301"
#define DEFAULT_QUERY_LISTEN "tcp://127.0.0.1:7302"
#define DEFAULT_MAX_MESSAGE (4u << 20)
#define DEFAULT_SNAPSHOT_ROWS 10000000u
#define DEFAULT_REPLAY_LOG (256ull << 20)
#define DEFAULT_HEARTBEAT 30
#define DEFAULT_FUTURE_SKEW 300
#define DEFAULT_RATE 2000
#define DEFAULT_QUERY_RATE 10
#define DEFAULT_HTTP_QUOTA_PERIOD 86400u
#define DEFAULT_HTTP_MAX_CONNECTIONS 256u
#define DEFAULT_HTTP_MAX_PER_CLIENT 32u
#define DEFAULT_HTTP_TIMEOUT 30u
#define DEFAULT_HTTP_MAX_REQUEST (16u << 10)
#define DEFAULT_HTTP_MAX_ROWS 100000u
#define DEFAULT_HTTP_MAX_SCAN 10000000u
#define DEFAULT_HTTP_THREADS 2u
#define DAY 86400ull
enum vt {
	VT_NAME,        /* a name: letters, digits, '.', '_', '-' */
	VT_PATH,        /* a path (relative to the config's directory) */
	VT_KEY_FILE,    /* the node's secret key file: a path, checked */
	VT_SECRET_FILE, /* a pseudonym secret file: a path, checked */
	VT_BOOL,
	VT_U32,         /* a number in [min, max] */
	VT_DURATION,    /* seconds (300, 5m, 1h30m, 2d, 1w) as uint32_t */
	VT_GRANULARITY, /* "exact" (0) or a duration, uint32_t */
	VT_RETENTION,   /* "off" (0) or a duration, uint64_t */
	VT_SIZE,        /* bytes (65536, 64k, 1M) as uint64_t */
	VT_BIND,        /* one endpoint to bind */
	VT_BIND_OPT,    /* one endpoint to bind, or none (NULL) */
	VT_BIND_LIST,   /* endpoints to bind, or none; repeatable */
	VT_CONNECT_LIST, /* endpoints to connect to; repeatable */
	VT_PUBKEY,      /* Z85 text or a .pub/.key path */
	VT_TLP,
	VT_ZONES,       /* domain names; repeatable */
	VT_GROUPS,      /* group names, resolved at the end; repeatable */
	VT_ACCEPT,      /* observations, queries or none; repeatable */
	VT_KEYS_FILE,   /* a secret file of HTTP credentials: a path, checked */
};

struct keydef {
	const char *name;
	enum vt type;
	size_t off;     /* into struct node_config, or the named section's struct */
	bool required;
	uint64_t min, max;
};

enum sect { S_NONE, S_SKIP, S_NODE, S_EXPORT, S_LIMITS, S_RETENTION, S_GROUP, S_SENSOR,
            S_PEER, S_CLIENT, S_HTTP, S_COUNT };

struct sectdef {
	const char *name;
	bool named;
	const struct keydef *keys;
	size_t nkeys;
	const char *secret_hint; /* where this section's secrets go */
};
#define MAX_KEYS 16
/* Every section's keys, by enum sect. */
extern const struct sectdef node_config_keys_sects[S_COUNT];

/* ---- Parser state ---- */

struct bind_use {
	const char *ep;     /* borrowed from the config */
	const char *key;
	unsigned line;
	bool is_default;
};

struct key_use {
	uint8_t key[PROTO_KEYS_LEN];
	char label[80];     /* "sensor s1" */
	unsigned line;
};

struct pstate {
	struct node_config *cfg;
	unsigned flags;
	node_config_error_fn *on_error;
	void *arg;
	const char *file;
	char dir[PATH_MAX];     /* relative paths start here */
	unsigned nerr;
	bool oom;

	enum sect sect;
	void *base;             /* the struct keys of this section write into */
	char label[80];         /* "peer cert-b" */
	unsigned sect_line;
	unsigned key_line[MAX_KEYS];
	bool was_none[MAX_KEYS];    /* a list key set to none */
	unsigned once_line[S_COUNT];
	unsigned node_key_line[MAX_KEYS]; /* kept for defaults after [node] ends */

	struct bind_use *binds;
	size_t n_binds;
	struct key_use *keys;
	size_t n_keys;
	uint8_t node_sec[PROTO_KEYS_LEN];
	bool have_node_key;
	unsigned key_file_line;
};
/* node_config.c: report an error at line (0: the file) and key (NULL: none). */
void node_config_fail(struct pstate *ps, unsigned line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A NUL-terminated copy of s[0..n); NULL (and ps->oom) when out of memory. */
char *node_config_dup_n(struct pstate *ps, const char *s, size_t n);
bool node_config_list_add(struct pstate *ps, struct node_config_list *l, const char *s, size_t n);
bool node_config_list_has(const struct node_config_list *l, const char *s);

/* node_config_keys.c: value checks, a key's value into its field, bind uses. */
bool node_config_keys_is_name(const char *s);
bool node_config_keys_is_showable(const char *s, size_t n);
void node_config_keys_apply(struct pstate *ps, unsigned line, const struct keydef *kd,
                            const char *v, bool first, bool *was_none);
void node_config_keys_unknown(struct pstate *ps, unsigned line, const char *key);
void node_config_keys_add_bind(struct pstate *ps, const char *ep, const char *key, unsigned line,
                               bool is_default);

/* node_config_check.c: the whole-file checks, after the last line. */
void node_config_check_defaults_and_refs(struct pstate *ps);
void node_config_check_binds(struct pstate *ps);
void node_config_check_keys(struct pstate *ps);

/* node_config_http.c: [http]'s credential files and whole-file checks. */
void node_config_http_file(struct pstate *ps, unsigned line, const struct keydef *kd,
                           const char *path);
void node_config_http_check(struct pstate *ps);

#endif
