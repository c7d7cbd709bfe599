/*
 * node_config.h - pdns-node's configuration: one typed struct, one parser.
 *
 * The file is INI-like (doc/pdns-node.conf.md has every key and default):
 * sections [node], [export], [limits], [retention] at most once each, and
 * named sections [group NAME], [sensor NAME], [peer NAME]; `key = value`
 * lines; `#` or `;` comment lines. node_config_parse() fills every default,
 * checks every value, resolves references (a peer's groups), reads the
 * files the config names (public keys given as paths, the node key file and
 * the pseudonym secrets, for their permissions and content) and reports
 * *every* error through a callback as (file, line, key, reason); nothing
 * is printed by the parser itself. Secret material is never part of a
 * reason and never kept in the struct: secrets stay in their own files,
 * which the node reads itself (proto/proto_keys.h).
 *
 * Relative paths in the file are relative to the file's directory; the
 * struct holds them joined (e.g. "/etc/pdns/node.key").
 *
 * Memory: node_config_parse() allocates the struct and everything in it;
 * node_config_free() releases it. Not thread-safe while parsing; a parsed
 * struct is read-only and may be shared between threads.
 */
#ifndef NODE_CONFIG_H
#define NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_keys.h"

#define NODE_CONFIG_EXIT 78           /* sysexits EX_CONFIG */
#define NODE_CONFIG_MAX_SIZE (1u << 20) /* bytes in a config file */
#define NODE_CONFIG_MAX_LINE 4096     /* bytes in one line */
#define NODE_CONFIG_MAX_GROUPS 64
#define NODE_CONFIG_MAX_SENSORS 4096
#define NODE_CONFIG_MAX_PEERS 1024
#define NODE_CONFIG_MAX_CLIENTS 4096
#define NODE_CONFIG_MAX_ENDPOINTS 16  /* per list key */
#define NODE_CONFIG_MAX_ZONES 10000
#define NODE_CONFIG_SECRET_MIN 32     /* bytes in a pseudonym secret file */
#define NODE_CONFIG_SECRET_MAX 4096

/* Flags for node_config_parse. */
enum {
	/* Read no file but the config itself: public keys given as paths are
	 * left zero (public_key_z85 empty), key-file and secret files are not
	 * checked. For fuzzing and for syntax-only tests. */
	NODE_CONFIG_NO_FILES = 1u << 0,
	/* Permission problems of secret files are not errors (the node then
	 * warns, e.g. with --allow-insecure-perms). */
	NODE_CONFIG_INSECURE_PERMS = 1u << 1,
};

/* Traffic Light Protocol 2.0 labels. */
enum node_tlp {
	NODE_TLP_CLEAR,
	NODE_TLP_GREEN,
	NODE_TLP_AMBER,
	NODE_TLP_AMBER_STRICT,
	NODE_TLP_RED,
};

/* A list of strings; v[0..n) owned by the config. */
struct node_config_list {
	char **v;
	size_t n;
};

/* [group NAME]: what we share, with whom, under which label. */
struct node_config_group {
	char *name;
	unsigned line;                 /* of its [group NAME] header */
	enum node_tlp tlp;             /* tlp: default amber */
	char *publish;                 /* publish: PUB bind endpoint (required) */
	char *pseudonym_secret_file;   /* pseudonym-secret-file (required) */
	uint64_t replay_log;           /* replay-log: bytes kept for replays, default 256M */
	uint32_t heartbeat;            /* heartbeat: seconds, default 30 */
};

/* [sensor NAME]: a sensor allowed to send us batches. */
struct node_config_sensor {
	char *name;
	unsigned line;
	uint8_t public_key[PROTO_KEYS_LEN];             /* public-key (required) */
	char public_key_z85[PROTO_KEYS_Z85_LEN + 1];
};

/* [client NAME]: a pdns client allowed to query query-listen. */
struct node_config_client {
	char *name;
	unsigned line;
	uint8_t public_key[PROTO_KEYS_LEN];             /* public-key (required) */
	char public_key_z85[PROTO_KEYS_Z85_LEN + 1];
	bool control;                                   /* control: may administer, default no */
};

/* [peer NAME]: a trusted node. */
struct node_config_peer {
	char *name;
	unsigned line;
	uint8_t public_key[PROTO_KEYS_LEN];             /* public-key (required) */
	char public_key_z85[PROTO_KEYS_Z85_LEN + 1];
	struct node_config_list endpoints;              /* endpoint: their PUB sockets */
	struct node_config_list query_endpoints;        /* query-endpoint: their ROUTER */
	bool accept_observations;                       /* accept: default observations */
	bool accept_queries;
	struct node_config_list groups;                 /* groups: names, in file order */
	size_t *group_index;                            /* groups.n indexes into cfg->groups */
	unsigned groups_line;                           /* line of its groups key, or 0 */
	uint32_t rate;                                  /* rate: observations/s, default 2000 */
	uint32_t query_rate;                            /* query-rate: queries/s, default 10 */
	/* forward: whether federated queries go on to it (default yes; only
	 * with a query-endpoint). */
	bool forward;
};

struct node_config {
	char *file;                                     /* the path parsed, as given */

	/* [node] */
	char *name;                                     /* name: the id peers see (required) */
	char *store;                                    /* store: default /var/lib/pdns-node/store */
	char *providers;                                /* providers: a pdns.conf file, or NULL */
	char *key_file;                                 /* key-file: secret key (required) */
	/* The public key from key_file (zero when not read: NODE_CONFIG_NO_FILES). */
	uint8_t public_key[PROTO_KEYS_LEN];
	char public_key_z85[PROTO_KEYS_Z85_LEN + 1];
	struct node_config_list sensor_listen;          /* sensor-listen: ROUTER binds */
	struct node_config_list query_listen;           /* query-listen: ROUTER binds */
	char *control;                                  /* control: bind endpoint or NULL */

	/* [group NAME], [sensor NAME], [peer NAME], [client NAME], in file order. */
	struct node_config_group *groups;
	size_t n_groups;
	struct node_config_sensor *sensors;
	size_t n_sensors;
	struct node_config_peer *peers;
	size_t n_peers;
	struct node_config_client *clients;             /* [client NAME] */
	size_t n_clients;

	/* [export]: what leaves for peers. */
	struct {
		struct node_config_list internal_zones; /* canonical names, no trailing dot */
		bool suppress_special_use_names;        /* default yes */
		bool suppress_special_purpose_addresses; /* default yes (and their PTRs) */
		uint32_t min_count;                     /* default 1 */
		uint32_t min_days;                      /* 1 or 2, default 1 */
		uint32_t time_granularity;              /* seconds; 0: exact (default) */
	} export;

	/* [retention]: 0 is off (the default). */
	struct {
		uint64_t own;                           /* seconds */
		uint64_t peers;                         /* seconds */
	} retention;

	/* [limits] */
	struct {
		uint64_t max_message_size;              /* bytes, default 4 MiB */
		uint32_t max_future_skew;               /* seconds, default 300 */
		uint32_t max_snapshot_rows;             /* rows staged per snapshot, default 10M */
	} limits;

	/* [http]: the DNSDB v2/v1 and CIRCL APIs (node/node_http.h). */
	struct {
		char *listen;                           /* tcp://ADDR:PORT, or NULL: no HTTP */
		char *api_keys_file;                    /* secret file of API keys, or NULL */
		char *basic_auth_file;                  /* secret file of CIRCL users, or NULL */
		uint32_t quota;                         /* queries per key per period; 0: none */
		uint32_t quota_period;                  /* seconds, default 1d */
		uint32_t max_connections;               /* default 256 */
		uint32_t max_per_client;                /* connections per address, default 32 */
		uint32_t timeout;                       /* seconds, default 30 */
		uint64_t max_request_size;              /* bytes of request line and headers, 16k */
		uint32_t max_rows;                      /* rows per answer, default 100000 */
		uint32_t max_scan;                      /* index entries per query, default 10M */
		uint32_t threads;                       /* default 2 */
		bool access_log;                        /* default yes */
		bool provider_rows;                     /* serve cached provider rows, default no */
	} http;
};

/*
 * Called once per error. line is 1-based; line 0 and key NULL mean the
 * file as a whole (it cannot be read, it is too large). reason is one
 * line without the prefix, e.g. "unknown key in [peer]".
 */
typedef void node_config_error_fn(void *arg, const char *file, unsigned line,
                                  const char *key, const char *reason);

/*
 * An error callback that prints "FILE:LINE: key 'NAME': reason" (or
 * "FILE: reason" for the file as a whole) on the stdio stream arg
 * (stderr when arg is NULL).
 */
void node_config_print_error(void *arg, const char *file, unsigned line, const char *key,
                             const char *reason);

/*
 * Parse the file at path. On success *out gets the config (the caller's,
 * for node_config_free) and 0 is returned. Otherwise *out is NULL, every
 * error went to on_error(arg, ...) and the result is PROTO_EINVAL (the
 * content is wrong), PROTO_ENOENT / PROTO_EPERM / PROTO_EIO (the file
 * cannot be read) or PROTO_ENOMEM. flags: NODE_CONFIG_*.
 */
int node_config_parse(const char *path, unsigned flags, struct node_config **out,
                      node_config_error_fn *on_error, void *arg);

/*
 * The same for text[0..len) already in memory (fuzzing, tests): name is
 * the file name used in errors and for relative paths.
 */
int node_config_parse_text(const char *name, const char *text, size_t len, unsigned flags,
                           struct node_config **out, node_config_error_fn *on_error,
                           void *arg);

/* Free a config from node_config_parse and NULL *cfgp; NULL is fine. */
void node_config_free(struct node_config **cfgp);

/* "clear", "green", "amber", "amber+strict", "red". */
const char *node_config_tlp_name(enum node_tlp tlp);

#endif
