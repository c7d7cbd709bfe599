/*
 * node_config.c - the pdns-node config parser.
 *
 * One pass over the lines fills the struct (each key's parser writes its
 * typed field) and reports what is wrong with a line at that line; a final
 * pass checks what needs the whole file (required keys, group references,
 * duplicate keys and endpoints). Every error is reported, none stops the
 * parse, so one run of --check-config shows them all.
 *
 * Values are echoed in reasons only where they cannot be secrets: a line
 * with a pasted key in it must not end up on a terminal or in a log.
 */
#include "node/node_config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"

#define DEFAULT_STORE "/var/lib/pdns-node/store"
#define DEFAULT_SENSOR_LISTEN "tcp://127.0.0.1:7301"
#define DEFAULT_QUERY_LISTEN "tcp://127.0.0.1:7302"
#define DEFAULT_MAX_MESSAGE (256u * 1024)
#define DEFAULT_FUTURE_SKEW 300
#define DEFAULT_RATE 2000
#define DEFAULT_QUERY_RATE 10
#define DAY 86400ull

/* The parsers write public_key and public_key_z85 together. */
static_assert(offsetof(struct node_config_sensor, public_key_z85) ==
              offsetof(struct node_config_sensor, public_key) + PROTO_KEYS_LEN, "layout");
static_assert(offsetof(struct node_config_client, public_key_z85) ==
              offsetof(struct node_config_client, public_key) + PROTO_KEYS_LEN, "layout");
static_assert(offsetof(struct node_config_peer, public_key_z85) ==
              offsetof(struct node_config_peer, public_key) + PROTO_KEYS_LEN, "layout");

/* ---- Tables: every section and key ---- */

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
};

struct keydef {
	const char *name;
	enum vt type;
	size_t off;     /* into struct node_config, or the named section's struct */
	bool required;
	uint64_t min, max;
};

#define NODE_OFF(f) offsetof(struct node_config, f)
#define GROUP_OFF(f) offsetof(struct node_config_group, f)
#define SENSOR_OFF(f) offsetof(struct node_config_sensor, f)
#define PEER_OFF(f) offsetof(struct node_config_peer, f)
#define CLIENT_OFF(f) offsetof(struct node_config_client, f)

static const struct keydef node_keys[] = {
	{ "name", VT_NAME, NODE_OFF(name), true, 0, 0 },
	{ "store", VT_PATH, NODE_OFF(store), false, 0, 0 },
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
	{ "min-days", VT_U32, NODE_OFF(export.min_days), false, 1, 3650 },
	{ "time-granularity", VT_GRANULARITY, NODE_OFF(export.time_granularity), false, 1, DAY },
};
static const struct keydef limits_keys[] = {
	{ "max-message-size", VT_SIZE, NODE_OFF(limits.max_message_size), false, 1024,
	  64u << 20 },
	{ "max-future-skew", VT_DURATION, NODE_OFF(limits.max_future_skew), false, 0, 7 * DAY },
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
};
static const struct keydef sensor_keys[] = {
	{ "public-key", VT_PUBKEY, SENSOR_OFF(public_key), true, 0, 0 },
};
static const struct keydef client_keys[] = {
	{ "public-key", VT_PUBKEY, CLIENT_OFF(public_key), true, 0, 0 },
};
static const struct keydef peer_keys[] = {
	{ "public-key", VT_PUBKEY, PEER_OFF(public_key), true, 0, 0 },
	{ "endpoint", VT_CONNECT_LIST, PEER_OFF(endpoints), false, 0, 0 },
	{ "query-endpoint", VT_CONNECT_LIST, PEER_OFF(query_endpoints), false, 0, 0 },
	{ "accept", VT_ACCEPT, 0, false, 0, 0 },
	{ "groups", VT_GROUPS, PEER_OFF(groups), false, 0, 0 },
	{ "rate", VT_U32, PEER_OFF(rate), false, 1, 10000000 },
	{ "query-rate", VT_U32, PEER_OFF(query_rate), false, 1, 100000 },
};

enum sect { S_NONE, S_SKIP, S_NODE, S_EXPORT, S_LIMITS, S_RETENTION, S_GROUP, S_SENSOR,
            S_PEER, S_CLIENT, S_COUNT };

struct sectdef {
	const char *name;
	bool named;
	const struct keydef *keys;
	size_t nkeys;
	const char *secret_hint; /* where this section's secrets go */
};

#define KEYS(t) t, sizeof(t) / sizeof(t[0])
static const struct sectdef sects[S_COUNT] = {
	[S_NODE] = { "node", false, KEYS(node_keys), "key-file = PATH" },
	[S_EXPORT] = { "export", false, KEYS(export_keys), NULL },
	[S_LIMITS] = { "limits", false, KEYS(limits_keys), NULL },
	[S_RETENTION] = { "retention", false, KEYS(retention_keys), NULL },
	[S_GROUP] = { "group", true, KEYS(group_keys), "pseudonym-secret-file = PATH" },
	[S_SENSOR] = { "sensor", true, KEYS(sensor_keys), NULL },
	[S_PEER] = { "peer", true, KEYS(peer_keys), NULL },
	[S_CLIENT] = { "client", true, KEYS(client_keys), NULL },
};
#define MAX_KEYS 8
static_assert(sizeof(peer_keys) / sizeof(peer_keys[0]) <= MAX_KEYS, "MAX_KEYS");
static_assert(sizeof(node_keys) / sizeof(node_keys[0]) <= MAX_KEYS, "MAX_KEYS");
static_assert(sizeof(export_keys) / sizeof(export_keys[0]) <= MAX_KEYS, "MAX_KEYS");

/* Key names that can only mean a secret given inline. */
static const char *const secret_names[] = {
	"key", "secret", "secret-key", "private-key", "password", "passphrase", "token",
	"api-key", "psk", "pseudonym-secret", "hmac-key",
};

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

static void __attribute__((format(printf, 4, 5)))
fail(struct pstate *ps, unsigned line, const char *key, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ps->nerr++;
	if (ps->on_error != NULL)
		ps->on_error(ps->arg, ps->file, line, key, reason);
}

void
node_config_print_error(void *arg, const char *file, unsigned line, const char *key,
                        const char *reason)
{
	FILE *f = arg != NULL ? arg : stderr;

	if (line == 0 || key == NULL)
		fprintf(f, "%s: %s\n", file, reason);
	else
		fprintf(f, "%s:%u: key '%s': %s\n", file, line, key, reason);
}

const char *
node_config_tlp_name(enum node_tlp tlp)
{
	switch (tlp) {
	case NODE_TLP_CLEAR: return "clear";
	case NODE_TLP_GREEN: return "green";
	case NODE_TLP_AMBER: return "amber";
	case NODE_TLP_AMBER_STRICT: return "amber+strict";
	case NODE_TLP_RED: return "red";
	}
	return "?";
}

static char *
dup_n(struct pstate *ps, const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL) {
		ps->oom = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static bool
list_add(struct pstate *ps, struct node_config_list *l, const char *s, size_t n)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	char *d;

	if (v == NULL) {
		ps->oom = true;
		return false;
	}
	l->v = v;
	if ((d = dup_n(ps, s, n)) == NULL)
		return false;
	l->v[l->n++] = d;
	return true;
}

static void
list_free(struct node_config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool
list_has(const struct node_config_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* ---- Small value checks ---- */

static bool
is_name(const char *s)
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
static bool
is_showable(const char *s, size_t n)
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

	if (proto_keys_is_z85_key(v))
		return true;
	if (strlen(v) < 24 ||
	    (strpbrk(v, "^!*?&<>()[]{}%$#=+") == NULL && strpbrk(v, "/.") != NULL))
		return false;
	if (v[0] == '/')
		return access(v, F_OK) != 0;
	int n = snprintf(p, sizeof(p), "%s/%s", ps->dir, v);
	return n < 0 || (size_t)n >= sizeof(p) || access(p, F_OK) != 0;
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

/* 65536, 64k, 64KiB, 1M, 1MiB (k = 1024). */
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
		fail(ps, line, key, "path longer than %d bytes", PATH_MAX - 1);
		return NULL;
	}
	return dup_n(ps, buf, (size_t)n);
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

static void
add_bind(struct pstate *ps, const char *ep, const char *key, unsigned line, bool is_default)
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
		fail(ps, line, kd->name, "'none' must be the only value");
		return;
	}
	if (why != NULL) {
		fail(ps, line, kd->name, "'%s': %s", item, why);
		return;
	}
	if (l->n >= NODE_CONFIG_MAX_ENDPOINTS) {
		fail(ps, line, kd->name, "more than %d endpoints", NODE_CONFIG_MAX_ENDPOINTS);
		return;
	}
	if (list_has(l, item)) {
		fail(ps, line, kd->name, "'%s' is listed twice", item);
		return;
	}
	if (list_add(ps, l, item, strlen(item)) && bind)
		add_bind(ps, l->v[l->n - 1], kd->name, line, false);
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
		fail(ps, line, kd->name, "'%s' is not a domain name", item);
		return;
	}
	if (wlen == 1) {
		fail(ps, line, kd->name, "the root zone would suppress every name");
		return;
	}
	proto_buf_init(&b, text, sizeof(text));
	proto_name_format(wire, wlen, &b);
	if (list_has(l, text))
		return;
	if (l->n >= NODE_CONFIG_MAX_ZONES) {
		fail(ps, line, kd->name, "more than %d zones", NODE_CONFIG_MAX_ZONES);
		return;
	}
	list_add(ps, l, text, b.len);
}

static void
item_group(struct pstate *ps, unsigned line, const struct keydef *kd, const char *item)
{
	struct node_config_list *l = (struct node_config_list *)((char *)ps->base + kd->off);

	if (!is_name(item)) {
		fail(ps, line, kd->name, "not a group name (letters, digits, '.', '_', '-')");
		return;
	}
	if (list_has(l, item)) {
		fail(ps, line, kd->name, "group '%s' is listed twice", item);
		return;
	}
	if (l->n >= NODE_CONFIG_MAX_GROUPS) {
		fail(ps, line, kd->name, "more than %d groups", NODE_CONFIG_MAX_GROUPS);
		return;
	}
	list_add(ps, l, item, strlen(item));
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
		fail(ps, line, kd->name, "'none' must be the only value");
	else
		fail(ps, line, kd->name, "'%s': expected observations, queries or none",
		     is_showable(item, strlen(item)) ? item : "...");
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

	if (proto_keys_is_z85_key(v)) {
		proto_keys_z85_decode(v, PROTO_KEYS_Z85_LEN, key, PROTO_KEYS_LEN);
		memcpy(z85, v, PROTO_KEYS_Z85_LEN + 1);
		add_key_use(ps, key, line);
		return;
	}
	if (looks_secret(ps, v)) {
		fail(ps, line, kd->name, "not a public key: give 40 Z85 characters or the path "
		     "of a .pub file");
		return;
	}
	if ((path = resolve_path(ps, line, kd->name, v)) == NULL)
		return;
	if (!(ps->flags & NODE_CONFIG_NO_FILES)) {
		if (proto_keys_load_public(path, key, why, sizeof(why)) != 0) {
			fail(ps, line, kd->name, "%s", why);
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
		fail(ps, line, kd->name, "looks like an inline secret; secrets live in files of "
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
			fail(ps, line, kd->name, "%s", why);
			return;
		}
		proto_keys_z85_encode(cfg->public_key, PROTO_KEYS_LEN, cfg->public_key_z85,
		                      sizeof(cfg->public_key_z85));
		ps->have_node_key = true;
		ps->key_file_line = line;
		return;
	}
	uint8_t secret[NODE_CONFIG_SECRET_MAX];
	size_t n = 0;
	int err = proto_keys_read_secret_file(path, pflags, secret, sizeof(secret), &n, why,
	                                      sizeof(why));
	if (err != 0)
		fail(ps, line, kd->name, "%s", why);
	else if (n < NODE_CONFIG_SECRET_MIN)
		fail(ps, line, kd->name, "secret file '%s' holds %zu bytes; a pseudonym secret "
		     "needs at least %d (head -c 32 /dev/urandom > FILE)", path, n,
		     NODE_CONFIG_SECRET_MIN);
	explicit_bzero(secret, sizeof(secret));
}

/* Parse one key's value into its field. */
static void
apply(struct pstate *ps, unsigned line, const struct keydef *kd, const char *v, bool first,
      bool *was_none)
{
	void *field = (char *)ps->base + kd->off;
	const char *why;
	uint64_t u;
	char *s;

	switch (kd->type) {
	case VT_NAME:
		if (!is_name(v))
			fail(ps, line, kd->name, "not a name (1..63 letters, digits, '.', '_', '-', "
			     "starting with a letter or digit)");
		else if ((s = dup_n(ps, v, strlen(v))) != NULL)
			set_str(field, s);
		return;
	case VT_PATH:
		if ((s = resolve_path(ps, line, kd->name, v)) != NULL)
			set_str(field, s);
		return;
	case VT_KEY_FILE:
	case VT_SECRET_FILE:
		value_secret_path(ps, line, kd, v);
		return;
	case VT_BOOL:
		if (!parse_bool(v, field))
			fail(ps, line, kd->name, "expected yes or no");
		return;
	case VT_U32:
		if (!parse_u64(v, &u))
			fail(ps, line, kd->name, "not a number");
		else if (u < kd->min || u > kd->max)
			fail(ps, line, kd->name, "%llu is out of range (%llu..%llu)",
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
			fail(ps, line, kd->name, "not a duration (300, 5m, 1h30m, 2d, 1w)%s",
			     kd->type == VT_GRANULARITY ? " or exact" :
			     kd->type == VT_RETENTION ? " or off" : "");
		else if (u < kd->min || u > kd->max)
			fail(ps, line, kd->name, "%llu seconds is out of range (%llu..%llu)",
			     (unsigned long long)u, (unsigned long long)kd->min,
			     (unsigned long long)kd->max);
		else if (kd->type == VT_RETENTION)
			*(uint64_t *)field = u;
		else
			*(uint32_t *)field = (uint32_t)u;
		return;
	case VT_SIZE:
		if (!parse_size(v, &u))
			fail(ps, line, kd->name, "not a size (65536, 64k, 1M)");
		else if (u < kd->min || u > kd->max)
			fail(ps, line, kd->name, "%llu bytes is out of range (%llu..%llu)",
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
			fail(ps, line, kd->name, "'%s': %s", v, why);
		} else if ((s = dup_n(ps, v, strlen(v))) != NULL) {
			set_str(field, s);
			add_bind(ps, s, kd->name, line, false);
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
			fail(ps, line, kd->name, "expected clear, green, amber, amber+strict or red");
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
		fail(ps, line, kd->name, "'none' must be the only value");
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

/* ---- Sections ---- */

static bool
is_list(enum vt t)
{
	return t == VT_BIND_LIST || t == VT_CONNECT_LIST || t == VT_ZONES || t == VT_GROUPS ||
	       t == VT_ACCEPT;
}

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
static void
unknown_key(struct pstate *ps, unsigned line, const char *key)
{
	const struct sectdef *sd = &sects[ps->sect];
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++)
		if (strcmp(key, secret_names[i]) == 0) {
			if (sd->secret_hint != NULL)
				fail(ps, line, key, "secrets live in files of their own, never in the "
				     "main config (use %s)", sd->secret_hint);
			else
				fail(ps, line, key, "secrets live in files of their own, never in the "
				     "main config");
			return;
		}
	for (int s = S_NODE; s < S_COUNT; s++)
		for (size_t i = 0; i < sects[s].nkeys; i++) {
			if (s != (int)ps->sect && strcmp(key, sects[s].keys[i].name) == 0) {
				fail(ps, line, key, "unknown key in [%s] (it belongs in [%s%s])",
				     ps->label, sects[s].name, sects[s].named ? " NAME" : "");
				return;
			}
			unsigned d = edit_distance(key, sects[s].keys[i].name);
			if (s == (int)ps->sect && d < best_d) {
				best_d = d;
				best = sd->keys[i].name;
			}
		}
	if (best != NULL)
		fail(ps, line, key, "unknown key in [%s] (did you mean '%s'?)", ps->label, best);
	else
		fail(ps, line, key, "unknown key in [%s]", ps->label);
}

/* Check the section that ends: required keys. */
static void
end_section(struct pstate *ps)
{
	const struct sectdef *sd;

	if (ps->sect == S_NONE || ps->sect == S_SKIP)
		return;
	sd = &sects[ps->sect];
	for (size_t i = 0; i < sd->nkeys; i++)
		if (sd->keys[i].required && ps->key_line[i] == 0)
			fail(ps, ps->sect_line, sd->keys[i].name, "missing (required in [%s])",
			     ps->label);
	if (ps->sect == S_NODE)
		memcpy(ps->node_key_line, ps->key_line, sizeof(ps->key_line));
	ps->sect = S_SKIP;
}

/* Append a zeroed element to a named-section array; NULL on failure. */
static void *
grow(struct pstate *ps, void **arr, size_t *n, size_t size, size_t max, unsigned line,
     const char *hdr)
{
	char *a;

	if (*n >= max) {
		fail(ps, line, hdr, "more than %zu such sections", max);
		return NULL;
	}
	if ((a = realloc(*arr, (*n + 1) * size)) == NULL) {
		ps->oom = true;
		return NULL;
	}
	*arr = a;
	memset(a + *n * size, 0, size);
	return a + (*n)++ * size;
}

/* Where a named section's name is already used, or 0. */
static unsigned
name_used(const struct pstate *ps, enum sect s, const char *name)
{
	const struct node_config *c = ps->cfg;

	if (s == S_GROUP)
		for (size_t i = 0; i < c->n_groups; i++)
			if (strcasecmp(c->groups[i].name, name) == 0)
				return c->groups[i].line;
	if (s == S_SENSOR)
		for (size_t i = 0; i < c->n_sensors; i++)
			if (strcasecmp(c->sensors[i].name, name) == 0)
				return c->sensors[i].line;
	if (s == S_PEER)
		for (size_t i = 0; i < c->n_peers; i++)
			if (strcasecmp(c->peers[i].name, name) == 0)
				return c->peers[i].line;
	if (s == S_CLIENT)
		for (size_t i = 0; i < c->n_clients; i++)
			if (strcasecmp(c->clients[i].name, name) == 0)
				return c->clients[i].line;
	return 0;
}

/* A "[type name]" line (text without the brackets). */
static void
begin_section(struct pstate *ps, unsigned line, const char *hdr, char *inner)
{
	struct node_config *c = ps->cfg;
	char *type = inner + strspn(inner, " \t"), *name;
	enum sect s = S_NONE;
	unsigned prev;

	end_section(ps);
	for (char *e = type + strlen(type); e > type && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	name = type + strcspn(type, " \t");
	if (*name != '\0') {
		*name++ = '\0';
		name += strspn(name, " \t");
	}
	for (int i = S_NODE; i < S_COUNT; i++)
		if (strcmp(type, sects[i].name) == 0)
			s = (enum sect)i;
	if (s == S_NONE) {
		fail(ps, line, hdr, "unknown section (expected [node], [export], [limits], "
		     "[retention], [group NAME], [sensor NAME], [peer NAME] or [client NAME])");
		return;
	}
	if (!sects[s].named && *name != '\0') {
		fail(ps, line, hdr, "[%s] takes no name", type);
		return;
	}
	if (sects[s].named && *name == '\0') {
		fail(ps, line, hdr, "[%s] needs a name ([%s NAME])", type, type);
		return;
	}
	if (sects[s].named && (strpbrk(name, " \t") != NULL || !is_name(name))) {
		fail(ps, line, hdr, "not a %s name (1..63 letters, digits, '.', '_', '-')", type);
		return;
	}
	if (!sects[s].named) {
		if (ps->once_line[s] != 0) {
			fail(ps, line, hdr, "duplicate section (first at line %u)", ps->once_line[s]);
			return;
		}
		ps->once_line[s] = line;
		ps->base = c;
		snprintf(ps->label, sizeof(ps->label), "%s", type);
	} else {
		if ((prev = name_used(ps, s, name)) != 0) {
			fail(ps, line, hdr, "duplicate section (first at line %u)", prev);
			return;
		}
		char *copy = dup_n(ps, name, strlen(name));
		if (copy == NULL)
			return;
		if (s == S_GROUP) {
			struct node_config_group *g = grow(ps, (void **)&c->groups, &c->n_groups,
			                                   sizeof(*g), NODE_CONFIG_MAX_GROUPS, line,
			                                   hdr);
			if (g != NULL)
				*g = (struct node_config_group){ .name = copy, .line = line,
				                                 .tlp = NODE_TLP_AMBER };
			ps->base = g;
		} else if (s == S_SENSOR) {
			struct node_config_sensor *se = grow(ps, (void **)&c->sensors, &c->n_sensors,
			                                     sizeof(*se), NODE_CONFIG_MAX_SENSORS,
			                                     line, hdr);
			if (se != NULL) {
				se->name = copy;
				se->line = line;
			}
			ps->base = se;
		} else if (s == S_CLIENT) {
			struct node_config_client *cl = grow(ps, (void **)&c->clients, &c->n_clients,
			                                     sizeof(*cl), NODE_CONFIG_MAX_CLIENTS,
			                                     line, hdr);
			if (cl != NULL) {
				cl->name = copy;
				cl->line = line;
			}
			ps->base = cl;
		} else {
			struct node_config_peer *p = grow(ps, (void **)&c->peers, &c->n_peers,
			                                  sizeof(*p), NODE_CONFIG_MAX_PEERS, line, hdr);
			if (p != NULL) {
				p->name = copy;
				p->line = line;
				p->accept_observations = true;
				p->rate = DEFAULT_RATE;
				p->query_rate = DEFAULT_QUERY_RATE;
			}
			ps->base = p;
		}
		if (ps->base == NULL) {
			free(copy);
			return;
		}
		snprintf(ps->label, sizeof(ps->label), "%s %s", type, name);
	}
	ps->sect = s;
	ps->sect_line = line;
	memset(ps->key_line, 0, sizeof(ps->key_line));
	memset(ps->was_none, 0, sizeof(ps->was_none));
}

/* A "key = value" line. */
static void
key_value(struct pstate *ps, unsigned line, char *text, char *eq)
{
	const struct sectdef *sd;
	char *key = text, *v = eq + 1, *end;
	size_t vlen;

	*eq = '\0';
	for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	v += strspn(v, " \t");
	if (*key == '\0' || strlen(key) > 40 ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(key)) {
		fail(ps, line, is_showable(key, strlen(key)) ? key : "",
		     "not a key name (lowercase letters, digits and '-')");
		return;
	}
	vlen = strlen(v);
	if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
		v[vlen - 1] = '\0';
		v++;
	} else if (v[0] == '"') {
		fail(ps, line, key, "unterminated quote");
		return;
	}
	if (ps->sect == S_SKIP)
		return;
	if (ps->sect == S_NONE) {
		fail(ps, line, key, "key outside a section (start the file with [node])");
		return;
	}
	sd = &sects[ps->sect];
	for (size_t i = 0; i < sd->nkeys; i++) {
		const struct keydef *kd = &sd->keys[i];
		if (strcmp(key, kd->name) != 0)
			continue;
		if (ps->key_line[i] != 0 && !is_list(kd->type)) {
			fail(ps, line, key, "given twice in [%s] (first at line %u)", ps->label,
			     ps->key_line[i]);
			return;
		}
		if (*v == '\0' && !is_list(kd->type)) {
			fail(ps, line, key, "empty value");
			ps->key_line[i] = line;
			return;
		}
		bool first = ps->key_line[i] == 0;
		ps->key_line[i] = line;
		apply(ps, line, kd, v, first, &ps->was_none[i]);
		return;
	}
	unknown_key(ps, line, key);
}

/*
 * Cut a comment: '#' after a blank, outside double quotes. A Z85 key may
 * hold '#' but never a blank, so a key pasted unquoted stays whole.
 */
static void
strip_comment(char *s)
{
	bool quoted = false;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static void
parse_line(struct pstate *ps, unsigned line, char *s, size_t n)
{
	char *end;

	if (memchr(s, '\0', n) != NULL) {
		fail(ps, line, "", "NUL byte in the line");
		return;
	}
	if (n > NODE_CONFIG_MAX_LINE) {
		fail(ps, line, "", "line longer than %d bytes", NODE_CONFIG_MAX_LINE);
		return;
	}
	s[n] = '\0';
	s += strspn(s, " \t");
	if (*s == '#' || *s == ';')
		return;
	strip_comment(s);
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		if (end[-1] != ']') {
			fail(ps, line, is_showable(s + 1, strcspn(s + 1, " \t]")) ? s : "",
			     "a section header ends with ']'");
			end_section(ps);
			return;
		}
		end[-1] = '\0';
		/* The header names the errors about it, unless it could be a secret. */
		char hdr[96] = "[...]";
		size_t hn = strlen(s + 1);
		if (hn <= 80 && strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                       "0123456789._- \t") == hn &&
		    (hn < 24 || strpbrk(s + 1, " \t") != NULL))
			snprintf(hdr, sizeof(hdr), "[%s]", s + 1);
		begin_section(ps, line, hdr, s + 1);
		return;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		size_t tok = strcspn(s, " \t");
		char shown[40] = "";
		if (is_showable(s, tok))
			snprintf(shown, sizeof(shown), "%.*s", (int)tok, s);
		fail(ps, line, shown, "expected 'key = value' or '[section]'");
		return;
	}
	key_value(ps, line, s, eq);
}

/* ---- Whole-file checks ---- */

static size_t
key_index(enum sect s, const char *name)
{
	size_t i;

	for (i = 0; i < sects[s].nkeys; i++)
		if (strcmp(sects[s].keys[i].name, name) == 0)
			break;
	assert(i < sects[s].nkeys);
	return i;
}

static void
defaults_and_refs(struct pstate *ps)
{
	struct node_config *c = ps->cfg;
	unsigned node_line = ps->once_line[S_NODE] ? ps->once_line[S_NODE] : 1;

	if (ps->once_line[S_NODE] == 0)
		fail(ps, 1, "[node]", "missing section (name and key-file are required)");
	if (c->store == NULL)
		c->store = dup_n(ps, DEFAULT_STORE, strlen(DEFAULT_STORE));
	if (ps->node_key_line[key_index(S_NODE, "sensor-listen")] == 0 &&
	    list_add(ps, &c->sensor_listen, DEFAULT_SENSOR_LISTEN, strlen(DEFAULT_SENSOR_LISTEN)))
		add_bind(ps, c->sensor_listen.v[0], "sensor-listen", node_line, true);
	if (ps->node_key_line[key_index(S_NODE, "query-listen")] == 0 &&
	    list_add(ps, &c->query_listen, DEFAULT_QUERY_LISTEN, strlen(DEFAULT_QUERY_LISTEN)))
		add_bind(ps, c->query_listen.v[0], "query-listen", node_line, true);

	for (size_t i = 0; i < c->n_peers; i++) {
		struct node_config_peer *p = &c->peers[i];
		if (p->groups.n > 0 &&
		    (p->group_index = calloc(p->groups.n, sizeof(*p->group_index))) == NULL) {
			ps->oom = true;
			return;
		}
		for (size_t j = 0; j < p->groups.n; j++) {
			size_t g;
			for (g = 0; g < c->n_groups; g++)
				if (strcasecmp(c->groups[g].name, p->groups.v[j]) == 0)
					break;
			if (g == c->n_groups)
				fail(ps, p->groups_line, "groups", "group '%s' is not defined (no "
				     "[group %s])", p->groups.v[j], p->groups.v[j]);
			p->group_index[j] = g;
		}
		if (p->accept_observations && p->endpoints.n == 0)
			fail(ps, p->line, "endpoint", "missing: [peer %s] accepts observations but "
			     "has no endpoint to subscribe to (or set accept)", p->name);
	}
}

static void
check_binds(struct pstate *ps)
{
	for (size_t i = 0; i < ps->n_binds; i++) {
		const struct bind_use *b = &ps->binds[i];
		size_t n = strlen(b->ep);
		if (n > 2 && strcmp(b->ep + n - 2, ":*") == 0)
			continue; /* each bind gets its own port */
		for (size_t j = 0; j < i; j++) {
			const struct bind_use *a = &ps->binds[j];
			if (strcmp(a->ep, b->ep) != 0)
				continue;
			/* Report at the later line; a default is never "later". */
			const struct bind_use *at = b->is_default ? a : b, *other = at == a ? b : a;
			fail(ps, at->line, at->key, "'%s' is also bound by '%s' (line %u%s)", at->ep,
			     other->key, other->line, other->is_default ? ", its default" : "");
			break;
		}
	}
}

static void
check_keys(struct pstate *ps)
{
	for (size_t i = 0; i < ps->n_keys; i++) {
		const struct key_use *k = &ps->keys[i];
		if (ps->have_node_key && memcmp(k->key, ps->node_sec, PROTO_KEYS_LEN) == 0) {
			fail(ps, k->line, "public-key", "this is the node's secret key (from "
			     "key-file); secrets live in files of their own: give the %s's public "
			     "key", strncmp(k->label, "peer", 4) == 0 ? "peer" :
			     strncmp(k->label, "client", 6) == 0 ? "client" : "sensor");
			continue;
		}
		if (ps->have_node_key &&
		    memcmp(k->key, ps->cfg->public_key, PROTO_KEYS_LEN) == 0) {
			fail(ps, k->line, "public-key", "this is the node's own public key (from "
			     "key-file, line %u)", ps->key_file_line);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (memcmp(ps->keys[j].key, k->key, PROTO_KEYS_LEN) == 0) {
				fail(ps, k->line, "public-key", "the same key as [%s] (line %u); each "
				     "sensor, peer and client needs its own", ps->keys[j].label, ps->keys[j].line);
				break;
			}
	}
}

/* ---- Entry points ---- */

/*
 * Read the file at path into a buffer of its own (the parser writes NULs
 * into it). Sized from fstat, grown to the limit if the file grows.
 */
static int
read_config(struct pstate *ps, const char *path, char **text, size_t *len)
{
	struct stat st;
	char *buf = NULL, *bigger;
	size_t n = 0, cap;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		goto fail;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		fail(ps, 0, NULL, "cannot read config: not a regular file");
		return PROTO_EINVAL;
	}
	cap = (uint64_t)st.st_size < NODE_CONFIG_MAX_SIZE ? (size_t)st.st_size + 1 :
	      NODE_CONFIG_MAX_SIZE + 1;
	if ((buf = malloc(cap)) == NULL)
		goto oom;
	for (;;) {
		if (n == cap) {
			if (cap > NODE_CONFIG_MAX_SIZE) {
				close(fd);
				free(buf);
				fail(ps, 0, NULL, "cannot read config: larger than %u bytes",
				     NODE_CONFIG_MAX_SIZE);
				return PROTO_EINVAL;
			}
			cap = NODE_CONFIG_MAX_SIZE + 1;
			if ((bigger = realloc(buf, cap)) == NULL)
				goto oom;
			buf = bigger;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*text = buf;
	*len = n;
	return 0;
oom:
	close(fd);
	free(buf);
	ps->oom = true;
	return PROTO_ENOMEM;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	fail(ps, 0, NULL, "cannot read config: %s", strerror(e));
	return e == ENOENT || e == ENOTDIR ? PROTO_ENOENT :
	       e == EACCES || e == EPERM ? PROTO_EPERM : PROTO_EIO;
}

static void
config_dir(struct pstate *ps, const char *path)
{
	const char *slash = strrchr(path, '/');
	char d[PATH_MAX];

	if (slash == NULL)
		snprintf(d, sizeof(d), ".");
	else if (slash == path)
		snprintf(d, sizeof(d), "/");
	else
		snprintf(d, sizeof(d), "%.*s", (int)(slash - path), path);
	/* Absolute, so the node may change directory later. */
	if (realpath(d, ps->dir) == NULL)
		snprintf(ps->dir, sizeof(ps->dir), "%s", d);
	if (strcmp(ps->dir, "/") == 0)
		ps->dir[0] = '\0'; /* joined as "/file", not "//file" */
}

/* The file's text (from the file at path, or a copy of text) and a parse. */
static int
parse(const char *name, const char *path, const char *text, size_t len, unsigned flags,
      struct node_config **out, node_config_error_fn *on_error, void *arg)
{
	struct pstate ps;
	struct node_config *c;
	char *buf = NULL;
	size_t at = 0;
	unsigned line = 0;
	int err;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.flags = flags;
	ps.on_error = on_error;
	ps.arg = arg;
	ps.file = name;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PROTO_ENOMEM;
	ps.cfg = c;
	c->file = dup_n(&ps, name, strlen(name));
	c->export.suppress_special_use_names = true;
	c->export.suppress_special_purpose_addresses = true;
	c->export.min_count = 1;
	c->export.min_days = 1;
	c->limits.max_message_size = DEFAULT_MAX_MESSAGE;
	c->limits.max_future_skew = DEFAULT_FUTURE_SKEW;
	config_dir(&ps, name);

	if (path != NULL) {
		if ((err = read_config(&ps, path, &buf, &len)) != 0)
			goto done;
	} else if (len > NODE_CONFIG_MAX_SIZE) {
		fail(&ps, 0, NULL, "cannot read config: larger than %u bytes", NODE_CONFIG_MAX_SIZE);
		err = PROTO_EINVAL;
		goto done;
	} else if ((buf = dup_n(&ps, text, len)) == NULL) {
		err = PROTO_ENOMEM;
		goto done;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		at = 3; /* a UTF-8 byte order mark */
	while (at < len) {
		char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (buf + at)) : len - at;
		parse_line(&ps, ++line, buf + at, n); /* writes a NUL at buf[at + n] */
		at += n + 1;
	}
	end_section(&ps);
	defaults_and_refs(&ps);
	check_binds(&ps);
	check_keys(&ps);
	err = ps.nerr > 0 ? PROTO_EINVAL : 0;
done:
	if (ps.oom) {
		fail(&ps, 0, NULL, "out of memory");
		err = PROTO_ENOMEM;
	}
	explicit_bzero(ps.node_sec, sizeof(ps.node_sec));
	free(buf);
	free(ps.binds);
	free(ps.keys);
	if (err != 0)
		node_config_free(&c);
	*out = c;
	return err;
}

int
node_config_parse(const char *path, unsigned flags, struct node_config **out,
                  node_config_error_fn *on_error, void *arg)
{
	return parse(path, path, NULL, 0, flags, out, on_error, arg);
}

int
node_config_parse_text(const char *name, const char *text, size_t len, unsigned flags,
                       struct node_config **out, node_config_error_fn *on_error, void *arg)
{
	return parse(name, NULL, text, len, flags, out, on_error, arg);
}

void
node_config_free(struct node_config **cfgp)
{
	struct node_config *c = cfgp != NULL ? *cfgp : NULL;

	if (c == NULL)
		return;
	free(c->file);
	free(c->name);
	free(c->store);
	free(c->key_file);
	free(c->control);
	list_free(&c->sensor_listen);
	list_free(&c->query_listen);
	list_free(&c->export.internal_zones);
	for (size_t i = 0; i < c->n_groups; i++) {
		free(c->groups[i].name);
		free(c->groups[i].publish);
		free(c->groups[i].pseudonym_secret_file);
	}
	free(c->groups);
	for (size_t i = 0; i < c->n_sensors; i++)
		free(c->sensors[i].name);
	free(c->sensors);
	for (size_t i = 0; i < c->n_peers; i++) {
		struct node_config_peer *p = &c->peers[i];
		free(p->name);
		list_free(&p->endpoints);
		list_free(&p->query_endpoints);
		list_free(&p->groups);
		free(p->group_index);
	}
	free(c->peers);
	for (size_t i = 0; i < c->n_clients; i++)
		free(c->clients[i].name);
	free(c->clients);
	free(c);
	*cfgp = NULL;
}
