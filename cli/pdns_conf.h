/*
 * pdns_conf.h - pdns's configuration: ~/.config/pdns/pdns.conf (or
 * --config FILE) and the provider secrets file beside it.
 *
 * Format (INI, as pdns-node's: "key = value", '#' comments):
 *
 *   [pdns]
 *   sources = local,dnsdb,circl   # default for --sources
 *   store = DIR                    # default for --store
 *   node = tcp://HOST:PORT         # default for --node, with node-key, key
 *   node-key = PUB | FILE
 *   key = FILE
 *   deadline = 30                  # seconds for one federated lookup
 *   hop-limit = 1                  # how far the node may forward (0..8)
 *   cache = DIR | none             # provider cache store (default
 *                                  # ~/.cache/pdns/store) and backoff state
 *   cache-ttl = 1d                 # how long a cached provider answer holds
 *   ca-file = FILE                 # CA bundle for every provider
 *   secrets = FILE                 # default: "secrets" beside the config
 *   state = FILE                   # provider backoff and budget state
 *                                  # (default ~/.cache/pdns/prov-state)
 *
 *   [provider NAME]                # NAME is the source name (--sources)
 *   type = dnsdb|circl|virustotal|passivetotal|mnemonic|360  # default NAME
 *   url = https://...              # base URL; default the real service
 *   timeout = 20                   # seconds for this provider's requests
 *   max-pages = 10
 *   limit = 1000                   # rows asked per request
 *   daily-budget = 500             # requests per UTC day, 0: no cap
 *   cache-ttl = 1d                 # overrides [pdns]
 *   ca-file = FILE                 # overrides [pdns]
 *
 * The secrets file holds one [NAME] section per provider with api-key,
 * and user (PassiveTotal) or api-id (360); it is refused (PROTO_EPERM)
 * when group or others may read it, or when it is not owned by the user.
 * Secrets are kept in memory locked against swapping where possible and
 * wiped by pdns_conf_free; no error message quotes a secret's value.
 *
 * Relative paths in the config are relative to its directory. A provider
 * whose url is plain http:// may have no secrets (they would travel in
 * clear text): refused with PROTO_EFORMAT.
 *
 * Errors: PROTO_ENOENT (a named file is missing; the default config may
 * be absent: then every field keeps its default), PROTO_EFORMAT with
 * "FILE:LINE: reason" in why, PROTO_EPERM, PROTO_ENOMEM.
 */
#ifndef PDNS_CONF_H
#define PDNS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/prov.h"

struct pdns_conf_provider {
	char *name;                  /* section name: the source name */
	const struct prov_def *def;  /* its type */
	unsigned line;               /* of its [provider NAME] header */
	char *url;                   /* base URL, no trailing '/' */
	char *ca_file;               /* NULL: [pdns] ca-file or the system's */
	char *user, *key, *key_id;   /* secrets, NULL when absent */
	unsigned timeout_s;          /* default 20 */
	unsigned max_pages;          /* default 10 */
	uint64_t limit;              /* default 1000 */
	uint32_t daily_budget;       /* default 0: no cap */
	int64_t cache_ttl;           /* seconds; -1: [pdns]'s */
};

struct pdns_conf {
	char *file;                  /* the config read, or NULL when none */
	char *secrets_file;
	char *sources;               /* NULL: "local" (or "node" with node set) */
	char *store, *node, *node_key, *key;
	unsigned deadline_s;         /* default 30 */
	unsigned hop_limit;          /* default 1 */
	char *cache_dir;             /* NULL: cache off */
	int64_t cache_ttl;           /* default 86400 */
	char *ca_file;
	char *state_file;            /* NULL: no state kept (no HOME) */
	struct pdns_conf_provider *providers;
	size_t n_providers;
	void *secret_mem;            /* private: the locked pages secrets live in */
	size_t secret_cap, secret_used;
};

/*
 * Read path (NULL: $XDG_CONFIG_HOME/pdns/pdns.conf or
 * ~/.config/pdns/pdns.conf, absent is fine) and its secrets file.
 */
int pdns_conf_load(struct pdns_conf *c, const char *path, char *why, size_t whylen);
void pdns_conf_free(struct pdns_conf *c);

/* The provider whose source name is name, or NULL. */
const struct pdns_conf_provider *pdns_conf_provider(const struct pdns_conf *c,
                                                    const char *name);

#endif
