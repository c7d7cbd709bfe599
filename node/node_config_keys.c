/*
 * node_config_keys.c - the table of every section and key of the pdns-node
 * config, and the per-key value parsers and checks that write each key's
 * typed field (paths, endpoints, zones, public keys, key and secret files).
 *
 * Split out of node_config.c to keep files small; the parser state and the
 * declarations shared by the parser's files are in node_config_impl.h.
 * Values are echoed in reasons only where they cannot be secrets.
 */
#include "node/node_config.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "node/node_config_impl.h"
#include "proto/proto_buf.h"
#include "proto/proto_name.h"

/* The parsers write public_key and public_key_z85 together. */
static_assert(offsetof(struct node_config_sensor, public_key_z85) ==
              offsetof(struct node_config_sensor, public_key) + PROTO_KEYS_LEN, "layout");
static_assert(offsetof(struct node_config_client, public_key_z85) ==
              offsetof(struct node_config_client, public_key) + PROTO_KEYS_LEN, "layout");
static_assert(offsetof(struct node_config_peer, public_key_z85) ==
              offsetof(struct node_config_peer, public_key) + PROTO_KEYS_LEN, "layout");
/* ---- Tables: every section and key ---- */

#define NODE_OFF(f) offsetof(struct node_config, f)
#define GROUP_OFF(f) offsetof(struct node_config_group, f)
#define SENSOR_OFF(f) offsetof(struct node_config_sensor, f)
#define PEER_OFF(f) offsetof(struct node_config_peer, f)
#define CLIENT_OFF(f) offsetof(struct node_config_client, f)

static const struct keydef node_keys[] = {
	{ "name", VT_NAME, NODE_OFF(name), true, 0, 0 },
	{ "store", VT_PATH, NODE_OFF(store), false, 0, 0 },
	{ "providers", VT_PATH, NODE_OFF(providers), false, 0, 0 },
	{ "key-file", VT_KEY_FILE, NODE_OFF(key_file), true, 0, 0 },
	{ "sensor-listen", VT_BIND_LIST, NODE_OFF(sensor_listen), false, 0, 0 },
	{ "query-listen", VT_BIND_LIST, NODE_OFF(query_listen), false, 0, 0 },
	{ "control", VT_BIND_OPT, NODE_OFF(control), false, 0, 0 },
};
static const struct keydef export_keys[] = {
	{ "internal-zones", VT_ZONES, NODE_OFF(export.internal_zones), false, 0, 0 },
	{ "suppress-special-use-names", VT_BOOL, NODE_OFF(export.suppress_special_use_names),
	  false, 0, 0 },
	{ "suppress-special-purpose-addresses", VT_BOOL,
	  NODE_OFF(export.suppress_special_purpose_addresses), false, 0, 0 },
	{ "min-count", VT_U32, NODE_OFF(export.min_count), false, 1, UINT32_MAX },
	/* Distinct days are judged from the first and last sightings, which is
	 * exact for 2 (the common threshold) and impossible beyond it with an
	 * aggregate of (first, last, count): larger values are refused. */
	{ "min-days", VT_U32, NODE_OFF(export.min_days), false, 1, 2 },
	{ "time-granularity", VT_GRANULARITY, NODE_OFF(export.time_granularity), false, 1, DAY },
};
static const struct keydef limits_keys[] = {
	{ "max-message-size", VT_SIZE, NODE_OFF(limits.max_message_size), false, 1024,
	  4u << 20 },
	{ "max-snapshot-rows", VT_U32, NODE_OFF(limits.max_snapshot_rows), false, 1000,
	  1000000000 },
	{ "max-future-skew", VT_DURATION, NODE_OFF(limits.max_future_skew), false, 0, 7 * DAY },
};
static const struct keydef http_keys[] = {
	{ "listen", VT_BIND_OPT, NODE_OFF(http.listen), false, 0, 0 },
	{ "api-keys-file", VT_KEYS_FILE, NODE_OFF(http.api_keys_file), false, 0, 0 },
	{ "basic-auth-file", VT_KEYS_FILE, NODE_OFF(http.basic_auth_file), false, 0, 0 },
	{ "quota", VT_U32, NODE_OFF(http.quota), false, 0, 1000000000 },
	{ "quota-period", VT_DURATION, NODE_OFF(http.quota_period), false, 60, 366 * DAY },
	{ "max-connections", VT_U32, NODE_OFF(http.max_connections), false, 1, 100000 },
	{ "max-per-client", VT_U32, NODE_OFF(http.max_per_client), false, 1, 100000 },
	{ "timeout", VT_DURATION, NODE_OFF(http.timeout), false, 1, 3600 },
	{ "max-request-size", VT_SIZE, NODE_OFF(http.max_request_size), false, 4096, 1u << 20 },
	{ "max-rows", VT_U32, NODE_OFF(http.max_rows), false, 1, 10000000 },
	{ "max-scan", VT_U32, NODE_OFF(http.max_scan), false, 100, 1000000000 },
	{ "threads", VT_U32, NODE_OFF(http.threads), false, 1, 64 },
	{ "access-log", VT_BOOL, NODE_OFF(http.access_log), false, 0, 0 },
	{ "provider-rows", VT_BOOL, NODE_OFF(http.provider_rows), false, 0, 0 },
};
static const struct keydef retention_keys[] = {
	{ "own", VT_RETENTION, NODE_OFF(retention.own), false, 3600, 36525 * DAY },
	{ "peers", VT_RETENTION, NODE_OFF(retention.peers), false, 3600, 36525 * DAY },
};
static const struct keydef group_keys[] = {
	{ "tlp", VT_TLP, GROUP_OFF(tlp), false, 0, 0 },
	{ "publish", VT_BIND, GROUP_OFF(publish), true, 0, 0 },
	{ "pseudonym-secret-file", VT_SECRET_FILE, GROUP_OFF(pseudonym_secret_file), true, 0,
	  0 },
	{ "replay-log", VT_SIZE, GROUP_OFF(replay_log), false, 1u << 20, 64ull << 30 },
	{ "heartbeat", VT_DURATION, GROUP_OFF(heartbeat), false, 1, 3600 },
};
static const struct keydef sensor_keys[] = {
	{ "public-key", VT_PUBKEY, SENSOR_OFF(public_key), true, 0, 0 },
};
static const struct keydef client_keys[] = {
	{ "public-key", VT_PUBKEY, CLIENT_OFF(public_key), true, 0, 0 },
	{ "control", VT_BOOL, CLIENT_OFF(control), false, 0, 0 },
};
static const struct keydef peer_keys[] = {
	{ "public-key", VT_PUBKEY, PEER_OFF(public_key), true, 0, 0 },
	{ "endpoint", VT_CONNECT_LIST, PEER_OFF(endpoints), false, 0, 0 },
	{ "query-endpoint", VT_CONNECT_LIST, PEER_OFF(query_endpoints), false, 0, 0 },
	{ "accept", VT_ACCEPT, 0, false, 0, 0 },
	{ "groups", VT_GROUPS, PEER_OFF(groups), false, 0, 0 },
	{ "rate", VT_U32, PEER_OFF(rate), false, 1, 10000000 },
	{ "query-rate", VT_U32, PEER_OFF(query_rate), false, 1, 100000 },
	{ "forward", VT_BOOL, PEER_OFF(forward), false, 0, 0 },
};

#define KEYS(t) t, sizeof(t) / sizeof(t[0])
const struct sectdef node_config_keys_sects[S_COUNT] = {
	[S_NODE] = { "node", false, KEYS(node_keys), "key-file = PATH" },
	[S_EXPORT] = { "export", false, KEYS(export_keys), NULL },
	[S_LIMITS] = { "limits", false, KEYS(limits_keys), NULL },
	[S_RETENTION] = { "retention", false, KEYS(retention_keys), NULL },
	[S_GROUP] = { "group", true, KEYS(group_keys), "pseudonym-secret-file = PATH" },
	[S_SENSOR] = { "sensor", true, KEYS(sensor_keys), NULL },
	[S_PEER] = { "peer", true, KEYS(peer_keys), NULL },
	[S_CLIENT] = { "client", true, KEYS(client_keys), NULL },
	[S_HTTP] = { "http", false, KEYS(http_keys), "api-keys-file = PATH" },
};

static_assert(sizeof(peer_keys) / sizeof(peer_keys[0]) <= MAX_KEYS, "MAX_KEYS");
static_assert(sizeof(node_keys) / sizeof(node_keys[0]) <= MAX_KEYS, "MAX_KEYS");
static_assert(sizeof(export_keys) / sizeof(export_keys[0]) <= MAX_KEYS, "MAX_KEYS");
static_assert(sizeof(http_keys) / sizeof(http_keys[0]) <= MAX_KEYS, "MAX_KEYS");

/* Key names that can only mean a secret given inline. */
static const char *const secret_names[] = {
	"key", "secret", "secret-key", "private-key", "password", "passphrase", "token",
	"api-key", "psk", "pseudonym-secret", "hmac-key",
};

/* ---- Small value checks ---- */

bool
node_config_keys_is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || strchr("._-", c) == NULL))
			return false;
	}
	return true;
}

/* Whether text may be shown in a message: short and made of name bytes. */
bool
node_config_keys_is_showable(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/*
 * Whether a value given where a path belongs looks like key material (a
 * Z85 key, hex, base64) rather than a file name: such a value is refused
 * without being echoed. A path that exists is a path.
 */
static bool
looks_secret(const struct pstate *ps, const char *v)
{
	char p[PATH_MAX];
	int n = v[0] == '/' ? snprintf(p, sizeof(p), "%s", v)
	                    : snprintf(p, sizeof(p), "%s/%s", ps->dir, v);
	bool exists = n > 0 && (size_t)n < sizeof(p) && access(p, F_OK) == 0;

	/* '/' and '.' are Z85 characters: a 40-character path that exists is a
	 * path, whatever it looks like. */
	if (proto_keys_is_z85_key(v))
		return !exists;
	if (strlen(v) < 24 ||
	    (strpbrk(v, "^!*?&<>()[]{}%$#=+") == NULL && strpbrk(v, "/.") != NULL))
		return false;
	return !exists;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* 300, 5m, 1h30m, 2d, 1w (units s m h d w, any order, each a number). */
static bool
parse_duration(const char *s, uint64_t *out)
{
	uint64_t total = 0;

	if (*s == '\0')
		return false;
	while (*s != '\0') {
		uint64_t v = 0, unit;
		const char *start = s;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > 1000000000000ull)
				return false;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (s == start)
			return false;
		switch (*s) {
		case '\0': unit = 1; break;
		case 's': unit = 1; s++; break;
		case 'm': unit = 60; s++; break;
		case 'h': unit = 3600; s++; break;
		case 'd': unit = DAY; s++; break;
		case 'w': unit = 7 * DAY; s++; break;
		default: return false;
		}
		total += v * unit;
		if (total > 1000000000000ull)
			return false;
	}
	*out = total;
	return true;
}

/* 65536, 64k, 64KiB, 1M, 1MiB, 2G (k = 1024). */
static bool
parse_size(const char *s, uint64_t *out)
{
	char digits[24];
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	uint64_t v, mul;

	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (!parse_u64(digits, &v))
		return false;
	if (*unit == '\0' || strcmp(unit, "B") == 0)
		mul = 1;
	else if (strcmp(unit, "k") == 0 || strcmp(unit, "K") == 0 || strcmp(unit, "KiB") == 0)
		mul = 1024;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "M") == 0 || strcmp(unit, "MiB") == 0)
		mul = 1024 * 1024;
	else if (strcmp(unit, "g") == 0 || strcmp(unit, "G") == 0 || strcmp(unit, "GiB") == 0)
		mul = 1024ull * 1024 * 1024;
	else
		return false;
	if (v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static bool
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on" }, *const no[] = { "no", "false",
	                                                                      "off" };
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return (*out = true);
		if (strcasecmp(s, no[i]) == 0)
			return !(*out = false);
	}
	return false;
}

static bool
parse_tlp(const char *s, enum node_tlp *out)
{
	static const struct { const char *name; enum node_tlp tlp; } tlps[] = {
		{ "clear", NODE_TLP_CLEAR }, { "white", NODE_TLP_CLEAR },
		{ "green", NODE_TLP_GREEN }, { "amber", NODE_TLP_AMBER },
		{ "amber+strict", NODE_TLP_AMBER_STRICT }, { "red", NODE_TLP_RED },
	};

	if (strncasecmp(s, "tlp:", 4) == 0)
		s += 4;
	for (size_t i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
		if (strcasecmp(s, tlps[i].name) == 0) {
			*out = tlps[i].tlp;
			return true;
		}
	return false;
}

/*
 * NULL when ep is an endpoint we can bind (bind) or connect to, else the
 * reason. tcp://HOST:PORT (HOST may be [IPv6]; binding also takes * for
 * HOST or PORT) or ipc://PATH.
 */
static const char *
endpoint_problem(const char *ep, bool bind)
{
	if (strncmp(ep, "ipc://", 6) == 0) {
		size_t n = strlen(ep + 6);
		if (n == 0)
			return "an ipc:// endpoint needs a path";
		if (n > 107)
			return "an ipc:// path is longer than 107 bytes";
		return NULL;
	}
	if (strncmp(ep, "tcp://", 6) != 0)
		return "not an endpoint (tcp://HOST:PORT or ipc://PATH)";
	const char *host = ep + 6, *colon = strrchr(host, ':'), *port;
	size_t hlen;
	uint64_t p;

	if (colon == NULL || colon == host)
		return "a tcp:// endpoint needs HOST:PORT";
	hlen = (size_t)(colon - host);
	port = colon + 1;
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return "an IPv6 address in an endpoint goes in brackets ([::1]:7301)";
	} else if (memchr(host, ':', hlen) != NULL) {
		return "an IPv6 address in an endpoint goes in brackets ([::1]:7301)";
	}
	for (size_t i = 0; i < hlen; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_:[]%*",
		           host[i]) == NULL)
			return "bad character in the endpoint's host";
	if (!bind && (hlen == 1 && host[0] == '*'))
		return "a peer endpoint needs a host, not '*'";
	if (bind && strcmp(port, "*") == 0)
		return NULL;
	if (!parse_u64(port, &p) || p == 0 || p > 65535)
		return bind ? "the port must be 1..65535 or *" : "the port must be 1..65535";
	return NULL;
}

/* Join a relative path to the config's directory. */
static char *
resolve_path(struct pstate *ps, unsigned line, const char *key, const char *v)
{
	char buf[PATH_MAX];
	int n;

	if (v[0] == '/')
		n = snprintf(buf, sizeof(buf), "%s", v);
	else
		n = snprintf(buf, sizeof(buf), "%s/%s", ps->dir, v);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		node_config_fail(ps, line, key, "path longer than %d bytes", PATH_MAX - 1);
		return NULL;
	}
	return node_config_dup_n(ps, buf, (size_t)n);
}

static void
set_str(char **field, char *v)
{
	free(*field);
	*field = v;
}

/* ---- Values ---- */

/* Split a list value on commas and blanks; calls each for every item. */
static void
each_item(struct pstate *ps, unsigned line, const struct keydef *kd, const char *v,
          void (*each)(struct pstate *, unsigned, const struct keydef *, const char *))
{
	char item[NODE_CONFIG_MAX_LINE + 1];

	while (*v != '\0') {
		size_t n;
		v += strspn(v, ", \t");
		n = strcspn(v, ", \t");
		if (n == 0)
			break;
		memcpy(item, v, n);
		item[n] = '\0';
		each(ps, line, kd, item);
		v += n;
	}
}

void
node_config_keys_add_bind(struct pstate *ps, const char *ep, const char *key, unsigned line, bool is_default)
{
	struct bind_use *b = realloc(ps->binds, (ps->n_binds + 1) * sizeof(*b));

	if (b == NULL) {
		ps->oom = true;
		return;
	}
	ps->binds = b;
	ps->binds[ps->n_binds++] = (struct bind_use){ ep, key, line, is_default };
}

static void
item_endpoint(struct pstate *ps, unsigned line, const struct keydef *kd, const char *item)
{
	struct node_config_list *l = (struct node_config_list *)((char *)ps->base + kd->off);
	bool bind = kd->type == VT_BIND_LIST;
	const char *why = endpoint_problem(item, bind);

	if (strcmp(item, "none") == 0) {
		node_config_fail(ps, line, kd->name, "'none' must be the only value");
		return;
	}
	if (why != NULL) {
		node_config_fail(ps, line, kd->name, "'%s': %s", item, why);
		return;
	}
	if (l->n >= NODE_CONFIG_MAX_ENDPOINTS) {
		node_config_fail(ps, line, kd->name, "more than %d endpoints", NODE_CONFIG_MAX_ENDPOINTS);
		return;
	}
	if (node_config_list_has(l, item)) {
		node_config_fail(ps, line, kd->name, "'%s' is listed twice", item);
		return;
	}
	if (node_config_list_add(ps, l, item, strlen(item)) && bind)
		node_config_keys_add_bind(ps, l->v[l->n - 1], kd->name, line, false);
}

static void
item_zone(struct pstate *ps, unsigned line, const struct keydef *kd, const char *item)
{
	struct node_config_list *l = (struct node_config_list *)((char *)ps->base + kd->off);
	uint8_t wire[PROTO_NAME_MAX];
	char text[PROTO_NAME_TEXT_MAX];
	struct proto_buf b;
	size_t wlen;

	if (proto_name_parse(item, strlen(item), wire, &wlen) != 0) {
		node_config_fail(ps, line, kd->name, "'%s' is not a domain name", item);
		return;
	}
	if (wlen == 1) {
		node_config_fail(ps, line, kd->name, "the root zone would suppress every name");
		return;
	}
	proto_buf_init(&b, text, sizeof(text));
	proto_name_format(wire, wlen, &b);
	if (node_config_list_has(l, text))
		return;
	if (l->n >= NODE_CONFIG_MAX_ZONES) {
		node_config_fail(ps, line, kd->name, "more than %d zones", NODE_CONFIG_MAX_ZONES);
		return;
	}
	node_config_list_add(ps, l, text, b.len);
}

static void
item_group(struct pstate *ps, unsigned line, const struct keydef *kd, const char *item)
{
	struct node_config_list *l = (struct node_config_list *)((char *)ps->base + kd->off);

	if (!node_config_keys_is_name(item)) {
		node_config_fail(ps, line, kd->name, "not a group name (letters, digits, '.', '_', '-')");
		return;
	}
	if (node_config_list_has(l, item)) {
		node_config_fail(ps, line, kd->name, "group '%s' is listed twice", item);
		return;
	}
	if (l->n >= NODE_CONFIG_MAX_GROUPS) {
		node_config_fail(ps, line, kd->name, "more than %d groups", NODE_CONFIG_MAX_GROUPS);
		return;
	}
	node_config_list_add(ps, l, item, strlen(item));
}

static void
item_accept(struct pstate *ps, unsigned line, const struct keydef *kd, const char *item)
{
	struct node_config_peer *p = ps->base;

	if (strcmp(item, "observations") == 0)
		p->accept_observations = true;
	else if (strcmp(item, "queries") == 0)
		p->accept_queries = true;
	else if (strcmp(item, "none") == 0)
		node_config_fail(ps, line, kd->name, "'none' must be the only value");
	else
		node_config_fail(ps, line, kd->name, "'%s': expected observations, queries or none",
		                 node_config_keys_is_showable(item, strlen(item)) ? item : "...");
}

static void
add_key_use(struct pstate *ps, const uint8_t key[PROTO_KEYS_LEN], unsigned line)
{
	struct key_use *k = realloc(ps->keys, (ps->n_keys + 1) * sizeof(*k));

	if (k == NULL) {
		ps->oom = true;
		return;
	}
	ps->keys = k;
	k = &ps->keys[ps->n_keys++];
	memcpy(k->key, key, PROTO_KEYS_LEN);
	snprintf(k->label, sizeof(k->label), "%s", ps->label);
	k->line = line;
}

static void
value_pubkey(struct pstate *ps, unsigned line, const struct keydef *kd, const char *v)
{
	uint8_t *key = (uint8_t *)ps->base + kd->off;
	char *z85 = (char *)key + PROTO_KEYS_LEN;
	char why[PATH_MAX + 256];
	char *path;

	/* An existing .pub/.key file first: a 40-character path can be Z85. */
	bool z85_text = false;
	if (proto_keys_is_z85_key(v)) {
		path = resolve_path(ps, line, kd->name, v);
		z85_text = path == NULL || !proto_keys_is_key_path(path);
		free(path);
	}
	if (z85_text) {
		proto_keys_z85_decode(v, PROTO_KEYS_Z85_LEN, key, PROTO_KEYS_LEN);
		memcpy(z85, v, PROTO_KEYS_Z85_LEN + 1);
		add_key_use(ps, key, line);
		return;
	}
	if (!proto_keys_is_z85_key(v) && looks_secret(ps, v)) {
		node_config_fail(ps, line, kd->name, "not a public key: give 40 Z85 characters or the path "
		                 "of a .pub file");
		return;
	}
	if ((path = resolve_path(ps, line, kd->name, v)) == NULL)
		return;
	if (!(ps->flags & NODE_CONFIG_NO_FILES)) {
		if (proto_keys_load_public(path, key, why, sizeof(why)) != 0) {
			node_config_fail(ps, line, kd->name, "%s", why);
		} else {
			proto_keys_z85_encode(key, PROTO_KEYS_LEN, z85, PROTO_KEYS_Z85_LEN + 1);
			add_key_use(ps, key, line);
		}
	}
	free(path);
}

static void
value_secret_path(struct pstate *ps, unsigned line, const struct keydef *kd, const char *v)
{
	char **field = (char **)((char *)ps->base + kd->off);
	unsigned pflags = ps->flags & NODE_CONFIG_INSECURE_PERMS ? PROTO_KEYS_INSECURE_OK : 0;
	char why[PATH_MAX + 256];
	char *path;

	if (looks_secret(ps, v)) {
		node_config_fail(ps, line, kd->name, "looks like an inline secret; secrets live in files of "
		                 "their own, never in the main config: give the path of the file that "
		                 "holds it");
		return;
	}
	if ((path = resolve_path(ps, line, kd->name, v)) == NULL)
		return;
	set_str(field, path);
	if (ps->flags & NODE_CONFIG_NO_FILES)
		return;
	if (kd->type == VT_KEY_FILE) {
		struct node_config *cfg = ps->base;
		if (proto_keys_load_secret(path, pflags, cfg->public_key, ps->node_sec, why,
		                           sizeof(why)) != 0) {
			node_config_fail(ps, line, kd->name, "%s", why);
			return;
		}
		proto_keys_z85_encode(cfg->public_key, PROTO_KEYS_LEN, cfg->public_key_z85,
		                      sizeof(cfg->public_key_z85));
		ps->have_node_key = true;
		ps->key_file_line = line;
		return;
	}
	if (kd->type == VT_KEYS_FILE) {
		node_config_http_file(ps, line, kd, path);
		return;
	}
	uint8_t secret[NODE_CONFIG_SECRET_MAX];
	size_t n = 0;
	int err = proto_keys_read_secret_file(path, pflags, secret, sizeof(secret), &n, why,
	                                      sizeof(why));
	if (err != 0)
		node_config_fail(ps, line, kd->name, "%s", why);
	else if (n < NODE_CONFIG_SECRET_MIN)
		node_config_fail(ps, line, kd->name, "secret file '%s' holds %zu bytes; a pseudonym secret "
		                 "needs at least %d (head -c 32 /dev/urandom > FILE)", path, n,
		                 NODE_CONFIG_SECRET_MIN);
	explicit_bzero(secret, sizeof(secret));
}

/* Parse one key's value into its field. */
void
node_config_keys_apply(struct pstate *ps, unsigned line, const struct keydef *kd, const char *v, bool first,
                       bool *was_none)
{
	void *field = (char *)ps->base + kd->off;
	const char *why;
	uint64_t u;
	char *s;

	switch (kd->type) {
	case VT_NAME:
		if (!node_config_keys_is_name(v))
			node_config_fail(ps, line, kd->name, "not a name (1..63 letters, digits, '.', '_', '-', "
			                 "starting with a letter or digit)");
		else if ((s = node_config_dup_n(ps, v, strlen(v))) != NULL)
			set_str(field, s);
		return;
	case VT_PATH:
		if ((s = resolve_path(ps, line, kd->name, v)) != NULL)
			set_str(field, s);
		return;
	case VT_KEY_FILE:
	case VT_SECRET_FILE:
	case VT_KEYS_FILE:
		value_secret_path(ps, line, kd, v);
		return;
	case VT_BOOL:
		if (!parse_bool(v, field))
			node_config_fail(ps, line, kd->name, "expected yes or no");
		return;
	case VT_U32:
		if (!parse_u64(v, &u))
			node_config_fail(ps, line, kd->name, "not a number");
		else if (u < kd->min || u > kd->max)
			node_config_fail(ps, line, kd->name, "%llu is out of range (%llu..%llu)",
			                 (unsigned long long)u, (unsigned long long)kd->min,
			                 (unsigned long long)kd->max);
		else
			*(uint32_t *)field = (uint32_t)u;
		return;
	case VT_DURATION:
	case VT_GRANULARITY:
	case VT_RETENTION:
		if (kd->type == VT_GRANULARITY && strcmp(v, "exact") == 0) {
			*(uint32_t *)field = 0;
			return;
		}
		if (kd->type == VT_RETENTION && strcmp(v, "off") == 0) {
			*(uint64_t *)field = 0;
			return;
		}
		if (!parse_duration(v, &u))
			node_config_fail(ps, line, kd->name, "not a duration (300, 5m, 1h30m, 2d, 1w)%s",
			                 kd->type == VT_GRANULARITY ? " or exact" :
			                 kd->type == VT_RETENTION ? " or off" : "");
		else if (u < kd->min || u > kd->max)
			node_config_fail(ps, line, kd->name, "%llu seconds is out of range (%llu..%llu)",
			                 (unsigned long long)u, (unsigned long long)kd->min,
			                 (unsigned long long)kd->max);
		else if (kd->type == VT_RETENTION)
			*(uint64_t *)field = u;
		else
			*(uint32_t *)field = (uint32_t)u;
		return;
	case VT_SIZE:
		if (!parse_size(v, &u))
			node_config_fail(ps, line, kd->name, "not a size (65536, 64k, 1M, 2G)");
		else if (u < kd->min || u > kd->max)
			node_config_fail(ps, line, kd->name, "%llu bytes is out of range (%llu..%llu)",
			                 (unsigned long long)u, (unsigned long long)kd->min,
			                 (unsigned long long)kd->max);
		else
			*(uint64_t *)field = u;
		return;
	case VT_BIND:
	case VT_BIND_OPT:
		if (kd->type == VT_BIND_OPT && strcmp(v, "none") == 0) {
			set_str(field, NULL);
		} else if ((why = endpoint_problem(v, true)) != NULL) {
			node_config_fail(ps, line, kd->name, "'%s': %s", v, why);
		} else if ((s = node_config_dup_n(ps, v, strlen(v))) != NULL) {
			set_str(field, s);
			node_config_keys_add_bind(ps, s, kd->name, line, false);
		}
		return;
	case VT_BIND_LIST:
	case VT_CONNECT_LIST:
	case VT_ZONES:
	case VT_GROUPS:
	case VT_ACCEPT:
		break;
	case VT_PUBKEY:
		value_pubkey(ps, line, kd, v);
		return;
	case VT_TLP:
		if (!parse_tlp(v, field))
			node_config_fail(ps, line, kd->name, "expected clear, green, amber, amber+strict or red");
		return;
	}

	/* Lists: repeated keys add to the list; 'none' alone empties it. */
	if (kd->type == VT_ACCEPT && first) {
		struct node_config_peer *p = ps->base;
		p->accept_observations = p->accept_queries = false;
	}
	if (kd->type == VT_GROUPS)
		((struct node_config_peer *)ps->base)->groups_line = line;
	if (strcmp(v, "none") == 0 ? !first : *was_none) {
		node_config_fail(ps, line, kd->name, "'none' must be the only value");
		return;
	}
	if (strcmp(v, "none") == 0) {
		*was_none = true;
		return;
	}
	switch (kd->type) {
	case VT_BIND_LIST:
	case VT_CONNECT_LIST:
		each_item(ps, line, kd, v, item_endpoint);
		break;
	case VT_ZONES:
		each_item(ps, line, kd, v, item_zone);
		break;
	case VT_GROUPS:
		each_item(ps, line, kd, v, item_group);
		break;
	default:
		each_item(ps, line, kd, v, item_accept);
		break;
	}
}
/* ---- Unknown keys ---- */

static unsigned
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= 64 || lb >= 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* An unknown key: say whether it is a secret, misplaced or misspelt. */
void
node_config_keys_unknown(struct pstate *ps, unsigned line, const char *key)
{
	const struct sectdef *sd = &node_config_keys_sects[ps->sect];
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++)
		if (strcmp(key, secret_names[i]) == 0) {
			if (sd->secret_hint != NULL)
				node_config_fail(ps, line, key, "secrets live in files of their own, never in the "
				                 "main config (use %s)", sd->secret_hint);
			else
				node_config_fail(ps, line, key, "secrets live in files of their own, never in the "
				                 "main config");
			return;
		}
	for (int s = S_NODE; s < S_COUNT; s++)
		for (size_t i = 0; i < node_config_keys_sects[s].nkeys; i++) {
			if (s != (int)ps->sect && strcmp(key, node_config_keys_sects[s].keys[i].name) == 0) {
				node_config_fail(ps, line, key, "unknown key in [%s] (it belongs in [%s%s])",
				                 ps->label, node_config_keys_sects[s].name, node_config_keys_sects[s].named ? " NAME" : "");
				return;
			}
			unsigned d = edit_distance(key, node_config_keys_sects[s].keys[i].name);
			if (s == (int)ps->sect && d < best_d) {
				best_d = d;
				best = sd->keys[i].name;
			}
		}
	if (best != NULL)
		node_config_fail(ps, line, key, "unknown key in [%s] (did you mean '%s'?)", ps->label, best);
	else
		node_config_fail(ps, line, key, "unknown key in [%s]", ps->label);
}
