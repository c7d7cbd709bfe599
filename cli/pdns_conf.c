/*
 * pdns_conf.c - pdns's configuration file and the provider secrets file
 * (pdns_conf.h; format in doc/pdns.conf.md).
 *
 * Both files are INI: "[section]" or "[section NAME]", "key = value", '#'
 * or ';' comment lines. The config may also carry "# comment" after a
 * blank; the secrets file may not, because a key may contain " #".
 *
 * The secrets file is read with proto_keys_read_secret_file (mode, owner
 * and directory checks) straight into pages locked against swapping, and
 * parsed there in place: the values never pass through another buffer,
 * and error messages name the file and line, never a value.
 */
#include "cli/pdns_conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "proto/proto_err.h"
#include "proto/proto_keys.h"

#define CONF_MAX_BYTES (1u << 20)
#define SECRETS_MAX_BYTES (64u << 10)
#define CONF_MAX_PROVIDERS 64

struct parse {
	struct pdns_conf *c;
	const char *file;
	char *dir;          /* the config's directory, for relative paths */
	char *why;
	size_t whylen;
};

static int __attribute__((format(printf, 4, 5)))
fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* PROTO_EFORMAT with "FILE:LINE: reason" in why. */
static int __attribute__((format(printf, 3, 4)))
bad(struct parse *ps, unsigned line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fail(ps->why, ps->whylen, PROTO_EFORMAT, "%s:%u: %s", ps->file, line, msg);
}

/* ---- one INI line ------------------------------------------------------ */

enum ini_kind { INI_BLANK, INI_SECTION, INI_KEY, INI_BAD };

struct ini_line {
	enum ini_kind kind;
	char *a, *b;        /* section: word and NAME (or NULL); key: key, value */
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split line s (NUL-terminated, modified in place). comments: a blank
 * followed by '#' ends the line outside double quotes. */
static struct ini_line
ini_split(char *s, bool comments)
{
	struct ini_line l = {INI_BAD, NULL, NULL};
	char *eq;

	s = trim(s);
	if (*s == '\0' || *s == '#' || *s == ';') {
		l.kind = INI_BLANK;
		return l;
	}
	if (*s == '[') {
		char *end = strchr(s, ']');
		if (!end || *trim(end + 1) != '\0')
			return l;
		*end = '\0';
		s = trim(s + 1);
		l.a = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s) {
			*s++ = '\0';
			l.b = trim(s);
		}
		l.kind = INI_SECTION;
		return l;
	}
	if ((eq = strchr(s, '=')) == NULL)
		return l;
	*eq = '\0';
	l.a = trim(s);
	s = trim(eq + 1);
	if (*s == '"') {
		char *q = strchr(s + 1, '"');
		if (!q || (*trim(q + 1) != '\0' && !(comments && q[1] && strchr(" \t", q[1]) &&
		                                     *trim(q + 1) == '#')))
			return l;
		*q = '\0';
		s++;
	} else if (comments) {
		for (char *p = s; *p; p++)
			if (*p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
				*p = '\0';
				s = trim(s);
				break;
			}
	}
	l.b = s;
	l.kind = *l.a ? INI_KEY : INI_BAD;
	return l;
}

/* ---- values ------------------------------------------------------------ */

static int
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)*s))
		return PROTO_EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return PROTO_EINVAL;
	*v = x;
	return 0;
}

/* "90", "90s", "15m", "2h", "1d", "1w": seconds. */
static int
parse_duration(const char *s, int64_t *v)
{
	static const struct { char unit; int64_t mul; } units[] = {
		{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800},
	};
	char num[24];
	size_t n = strlen(s);
	int64_t mul = 1;
	uint64_t x;

	if (n == 0 || n >= sizeof num)
		return PROTO_EINVAL;
	memcpy(num, s, n + 1);
	/* one unit at most, and a number before it ("h" and "1hs" are not) */
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (num[n - 1] == units[i].unit) {
			mul = units[i].mul;
			num[--n] = '\0';
			break;
		}
	if (n == 0 || parse_uint(num, (uint64_t)INT64_MAX / (uint64_t)mul, &x) != 0)
		return PROTO_EINVAL;
	*v = (int64_t)x * mul;
	return 0;
}

/* *dst = value; a path: "~/x" is below $HOME, a relative one below dir. */
static int
set_str(char **dst, const char *value, const char *dir, bool path)
{
	const char *home = getenv("HOME");
	char *s;

	if (path && strncmp(value, "~/", 2) == 0 && home && home[0] == '/') {
		value += 2;
		dir = home;
	}
	if (path && value[0] != '/' && dir) {
		size_t n = strlen(dir) + strlen(value) + 2;
		if ((s = malloc(n)) == NULL)
			return PROTO_ENOMEM;
		snprintf(s, n, "%s/%s", dir, value);
	} else if ((s = strdup(value)) == NULL) {
		return PROTO_ENOMEM;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static char *
home_path(const char *xdg_var, const char *home_rel, const char *tail)
{
	const char *x = getenv(xdg_var), *h = getenv("HOME");
	char buf[4096];
	int w;

	if (x && x[0] == '/')
		w = snprintf(buf, sizeof buf, "%s/%s", x, tail);
	else if (h && h[0] == '/')
		w = snprintf(buf, sizeof buf, "%s/%s/%s", h, home_rel, tail);
	else
		return NULL;
	return w > 0 && (size_t)w < sizeof buf ? strdup(buf) : NULL;
}

/* ---- the config file --------------------------------------------------- */

static const char *const type_alias[][2] = {
	{"vt", "virustotal"},
	{"pt", "passivetotal"},
};

static const struct prov_def *
find_type(const char *name)
{
	for (size_t i = 0; i < sizeof type_alias / sizeof type_alias[0]; i++)
		if (strcasecmp(name, type_alias[i][0]) == 0)
			name = type_alias[i][1];
	return prov_find(name);
}

static bool
valid_name(const char *s)
{
	static const char *const reserved[] = {"local", "peers", "node", "all", "store"};
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcasecmp(s, reserved[i]) == 0)
			return false;
	return true;
}

static int
add_provider(struct parse *ps, unsigned line, const char *name)
{
	struct pdns_conf *c = ps->c;
	struct pdns_conf_provider *p;

	if (!name || !valid_name(name))
		return bad(ps, line, "[provider NAME]: NAME must be 1 to 63 letters, digits, '-' "
		            "or '_', and not local, peers, node, store or all");
	if (pdns_conf_provider(c, name))
		return bad(ps, line, "provider '%s' is defined twice", name);
	if (c->n_providers == CONF_MAX_PROVIDERS)
		return bad(ps, line, "more than %u providers", CONF_MAX_PROVIDERS);
	p = realloc(c->providers, (c->n_providers + 1) * sizeof *p);
	if (!p)
		return PROTO_ENOMEM;
	c->providers = p;
	p = &c->providers[c->n_providers];
	memset(p, 0, sizeof *p);
	if ((p->name = strdup(name)) == NULL)
		return PROTO_ENOMEM;
	c->n_providers++;
	p->line = line;
	p->def = find_type(name);
	p->timeout_s = 20;
	p->max_pages = 10;
	p->limit = 1000;
	p->cache_ttl = -1;
	return 0;
}

static int
pdns_key(struct parse *ps, unsigned line, const char *k, const char *v)
{
	struct pdns_conf *c = ps->c;
	uint64_t u;

	if (strcmp(k, "sources") == 0)
		return set_str(&c->sources, v, NULL, false);
	if (strcmp(k, "node") == 0)
		return set_str(&c->node, v, NULL, false);
	if (strcmp(k, "node-key") == 0) /* a Z85 key or a path */
		return set_str(&c->node_key, v, ps->dir, !proto_keys_is_z85_key(v));
	if (strcmp(k, "store") == 0)
		return set_str(&c->store, v, ps->dir, true);
	if (strcmp(k, "key") == 0)
		return set_str(&c->key, v, ps->dir, true);
	if (strcmp(k, "ca-file") == 0)
		return set_str(&c->ca_file, v, ps->dir, true);
	if (strcmp(k, "secrets") == 0)
		return set_str(&c->secrets_file, v, ps->dir, true);
	if (strcmp(k, "state") == 0)
		return set_str(&c->state_file, v, ps->dir, true);
	if (strcmp(k, "cache") == 0) {
		if (strcmp(v, "none") == 0) {
			free(c->cache_dir);
			c->cache_dir = NULL;
			return 0;
		}
		return set_str(&c->cache_dir, v, ps->dir, true);
	}
	if (strcmp(k, "deadline") == 0) {
		int64_t d;
		if (parse_duration(v, &d) != 0 || d < 1 || d > 3600)
			goto bad;
		c->deadline_s = (unsigned)d;
		return 0;
	}
	if (strcmp(k, "hop-limit") == 0) {
		if (parse_uint(v, 8, &u) != 0)
			goto bad;
		c->hop_limit = (unsigned)u;
		return 0;
	}
	if (strcmp(k, "cache-ttl") == 0) {
		if (parse_duration(v, &c->cache_ttl) != 0)
			goto bad;
		return 0;
	}
	return bad(ps, line, "key '%.40s': unknown key in [pdns]", k);
bad:
	return bad(ps, line, "key '%s': '%.64s' is out of range", k, v);
}

static int
provider_key(struct parse *ps, unsigned line, struct pdns_conf_provider *p, const char *k,
             const char *v)
{
	static const struct { const char *key; uint64_t min, max; } nums[] = {
		{"timeout", 1, 3600}, {"max-pages", 1, 1000}, {"limit", 1, 1000000},
		{"daily-budget", 0, 10000000},
	};
	uint64_t u;

	if (strcmp(k, "type") == 0) {
		if ((p->def = find_type(v)) == NULL)
			return bad(ps, line, "key 'type': '%.32s' is not a provider type (dnsdb, circl, "
			            "virustotal or vt, passivetotal or pt, mnemonic, 360)",
			            v);
		return 0;
	}
	if (strcmp(k, "url") == 0) {
		size_t n = strlen(v);
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
			return bad(ps, line, "key 'url': it must start with https://");
		while (n > 8 && v[n - 1] == '/')
			n--;
		free(p->url);
		if ((p->url = strndup(v, n)) == NULL)
			return PROTO_ENOMEM;
		return 0;
	}
	if (strcmp(k, "ca-file") == 0)
		return set_str(&p->ca_file, v, ps->dir, true);
	if (strcmp(k, "cache-ttl") == 0) {
		if (parse_duration(v, &p->cache_ttl) != 0)
			return bad(ps, line, "key 'cache-ttl': not a duration (90, 15m, 2h, 1d)");
		return 0;
	}
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		if (strcmp(k, nums[i].key) != 0)
			continue;
		if (parse_uint(v, nums[i].max, &u) != 0 || u < nums[i].min)
			return bad(ps, line, "key '%s': '%.32s' is not a number from %llu to %llu",
			            k, v, (unsigned long long)nums[i].min,
			            (unsigned long long)nums[i].max);
		if (i == 0)
			p->timeout_s = (unsigned)u;
		else if (i == 1)
			p->max_pages = (unsigned)u;
		else if (i == 2)
			p->limit = u;
		else
			p->daily_budget = (uint32_t)u;
		return 0;
	}
	return bad(ps, line, "key '%.40s': unknown key in [provider %s]", k, p->name);
}

static int
parse_config(struct parse *ps, char *text)
{
	struct pdns_conf_provider *cur = NULL;
	bool in_pdns = false, seen_pdns = false;
	unsigned line = 0;
	char *s = text, *nl;
	int rc;

	for (; s; s = nl) {
		struct ini_line l;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		line++;
		l = ini_split(s, true);
		switch (l.kind) {
		case INI_BLANK:
			break;
		case INI_BAD:
			return bad(ps, line, "not '[section]' nor 'key = value'");
		case INI_SECTION:
			cur = NULL;
			in_pdns = false;
			if (strcmp(l.a, "pdns") == 0 && !l.b) {
				if (seen_pdns)
					return bad(ps, line, "a second [pdns]");
				in_pdns = seen_pdns = true;
			} else if (strcmp(l.a, "provider") == 0) {
				if ((rc = add_provider(ps, line, l.b)) != 0)
					return rc;
				cur = &ps->c->providers[ps->c->n_providers - 1];
			} else {
				return bad(ps, line, "unknown section (only [pdns] and [provider NAME])");
			}
			break;
		case INI_KEY:
			if (in_pdns)
				rc = pdns_key(ps, line, l.a, l.b);
			else if (cur)
				rc = provider_key(ps, line, cur, l.a, l.b);
			else
				rc = bad(ps, line, "a key before any section");
			if (rc != 0)
				return rc;
			break;
		}
	}
	for (size_t i = 0; i < ps->c->n_providers; i++) {
		struct pdns_conf_provider *p = &ps->c->providers[i];
		if (!p->def)
			return bad(ps, p->line, "provider '%s': no 'type', and '%s' is no provider type",
			            p->name, p->name);
		if (!p->url && (p->url = strdup(p->def->base_url)) == NULL)
			return PROTO_ENOMEM;
	}
	return 0;
}

/* ---- the secrets file -------------------------------------------------- */

/* Copy value into the locked arena; *dst points at the copy. */
static int
secret_put(struct pdns_conf *c, char **dst, const char *value)
{
	size_t n = strlen(value) + 1;

	if (c->secret_used + n > c->secret_cap / 2)
		return PROTO_ESPACE;
	*dst = (char *)c->secret_mem + c->secret_cap / 2 + c->secret_used;
	memcpy(*dst, value, n);
	c->secret_used += n;
	return 0;
}

static int
parse_secrets(struct parse *ps, char *text)
{
	struct pdns_conf_provider *cur = NULL;
	unsigned line = 0;
	char *s = text, *nl;

	for (; s; s = nl) {
		struct ini_line l;
		char **dst = NULL;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		line++;
		l = ini_split(s, false);
		if (l.kind == INI_BLANK)
			continue;
		if (l.kind == INI_BAD)
			return bad(ps, line, "not '[NAME]' nor 'key = value'");
		if (l.kind == INI_SECTION) {
			if (l.b || (cur = (struct pdns_conf_provider *)pdns_conf_provider(ps->c, l.a)) == NULL)
				return bad(ps, line, "the section names no [provider NAME] of the config");
			continue;
		}
		if (!cur)
			return bad(ps, line, "a key before any [NAME]");
		if (strcmp(l.a, "api-key") == 0)
			dst = &cur->key;
		else if (strcmp(l.a, "user") == 0)
			dst = &cur->user;
		else if (strcmp(l.a, "api-id") == 0)
			dst = &cur->key_id;
		if (!dst)
			return bad(ps, line, "unknown key (api-key, user and api-id are known)");
		if (*dst)
			return bad(ps, line, "a second value for the same key");
		for (const char *v = l.b; *v; v++)
			if ((unsigned char)*v < 0x21 || (unsigned char)*v > 0x7e)
				return bad(ps, line, "a secret may hold only printable ASCII without "
				            "blanks");
		if (secret_put(ps->c, dst, l.b) != 0)
			return PROTO_ESPACE;
	}
	return 0;
}

static int
load_secrets(struct pdns_conf *c, char *why, size_t whylen)
{
	struct parse ps = {c, c->secrets_file, NULL, why, whylen};
	size_t len = 0;
	int rc;

	c->secret_cap = 2 * SECRETS_MAX_BYTES;
	c->secret_mem = mmap(NULL, c->secret_cap, PROT_READ | PROT_WRITE,
	                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->secret_mem == MAP_FAILED) {
		c->secret_mem = NULL;
		return PROTO_ENOMEM;
	}
	/* Best effort: RLIMIT_MEMLOCK may be small; keys then may swap. */
	(void)mlock(c->secret_mem, c->secret_cap);
	(void)madvise(c->secret_mem, c->secret_cap, MADV_DONTDUMP);
	rc = proto_keys_read_secret_file(c->secrets_file, 0, c->secret_mem,
	                                 SECRETS_MAX_BYTES - 1, &len, why, whylen);
	if (rc == PROTO_ESPACE)
		return prov_why(why, whylen, rc, "secrets file '%s' is larger than %u bytes",
		                c->secrets_file, SECRETS_MAX_BYTES - 1);
	if (rc != 0)
		return rc;
	((char *)c->secret_mem)[len] = '\0';
	if (memchr(c->secret_mem, '\0', len))
		rc = prov_why(why, whylen, PROTO_EFORMAT, "%s: holds a NUL byte", c->secrets_file);
	else
		rc = parse_secrets(&ps, c->secret_mem);
	/* The raw text is no longer needed: only the copies stay. */
	explicit_bzero(c->secret_mem, SECRETS_MAX_BYTES);
	return rc;
}

/* ---- load and free ----------------------------------------------------- */

static int
read_text(const char *path, char **out, char *why, size_t whylen)
{
	FILE *f = fopen(path, "re");
	size_t n;
	char *t;

	if (!f)
		return prov_why(why, whylen, errno == ENOENT ? PROTO_ENOENT : PROTO_EIO,
		                "cannot read config '%s': %s", path, strerror(errno));
	if ((t = malloc(CONF_MAX_BYTES + 1)) == NULL) {
		fclose(f);
		return PROTO_ENOMEM;
	}
	n = fread(t, 1, CONF_MAX_BYTES + 1, f);
	if (ferror(f) || n > CONF_MAX_BYTES) {
		fclose(f);
		free(t);
		return prov_why(why, whylen, PROTO_EFORMAT,
		                "cannot read config '%s': %s", path,
		                n > CONF_MAX_BYTES ? "larger than 1 MiB" : strerror(errno));
	}
	fclose(f);
	t[n] = '\0';
	if (memchr(t, '\0', n)) {
		free(t);
		return prov_why(why, whylen, PROTO_EFORMAT, "%s: holds a NUL byte", path);
	}
	*out = t;
	return 0;
}

static int
load(struct pdns_conf *c, const char *path, char *why, size_t whylen)
{
	struct parse ps = {c, NULL, NULL, why, whylen};
	char *text = NULL, *slash;
	struct stat st;
	int rc;

	c->cache_dir = home_path("XDG_CACHE_HOME", ".cache", "pdns/store");
	c->state_file = home_path("XDG_CACHE_HOME", ".cache", "pdns/prov-state");
	if (path) {
		if ((c->file = strdup(path)) == NULL)
			return PROTO_ENOMEM;
	} else if ((c->file = home_path("XDG_CONFIG_HOME", ".config", "pdns/pdns.conf")) == NULL ||
	           stat(c->file, &st) != 0) {
		free(c->file); /* no config: every default holds */
		c->file = NULL;
		return 0;
	}
	if ((rc = read_text(c->file, &text, why, whylen)) != 0)
		return rc;
	ps.file = c->file;
	if ((ps.dir = strdup(c->file)) == NULL) {
		free(text);
		return PROTO_ENOMEM;
	}
	slash = strrchr(ps.dir, '/');
	if (!slash) {
		free(ps.dir);
		ps.dir = strdup(".");
	} else {
		slash[slash == ps.dir] = '\0';
	}
	if (!ps.dir) {
		free(text);
		return PROTO_ENOMEM;
	}
	rc = parse_config(&ps, text);
	free(text);
	if (rc == 0 && !c->secrets_file)
		rc = set_str(&c->secrets_file, "secrets", ps.dir, true);
	free(ps.dir);
	if (rc != 0)
		return rc;
	if (c->n_providers && stat(c->secrets_file, &st) == 0) {
		if ((rc = load_secrets(c, why, whylen)) != 0)
			return rc;
	} else if (c->n_providers && errno != ENOENT) {
		return prov_why(why, whylen, PROTO_EIO, "cannot read secrets file '%s': %s",
		                c->secrets_file, strerror(errno));
	}
	for (size_t i = 0; i < c->n_providers; i++) {
		struct pdns_conf_provider *p = &c->providers[i];
		if (strncmp(p->url, "http://", 7) == 0 && (p->key || p->user || p->key_id))
			return prov_why(why, whylen, PROTO_EFORMAT,
			                "%s:%u: provider '%s': its url is http:// but it has secrets, "
			                "which would travel in clear text; use https://", c->file,
			                p->line, p->name);
	}
	return 0;
}

int
pdns_conf_load(struct pdns_conf *c, const char *path, char *why, size_t whylen)
{
	int rc;

	memset(c, 0, sizeof *c);
	c->deadline_s = 30;
	c->hop_limit = 1;
	c->cache_ttl = 86400;
	if (whylen)
		why[0] = '\0';
	rc = load(c, path, why, whylen);
	if (rc == PROTO_ENOMEM || rc == PROTO_ESPACE)
		prov_why(why, whylen, rc, "%s: %s", c->file ? c->file : "pdns.conf",
		         rc == PROTO_ESPACE ? "secrets too long" : "out of memory");
	if (rc != 0)
		pdns_conf_free(c);
	return rc;
}

void
pdns_conf_free(struct pdns_conf *c)
{
	for (size_t i = 0; i < c->n_providers; i++) {
		free(c->providers[i].name);
		free(c->providers[i].url);
		free(c->providers[i].ca_file);
	}
	free(c->providers);
	if (c->secret_mem) {
		explicit_bzero(c->secret_mem, c->secret_cap);
		munlock(c->secret_mem, c->secret_cap);
		munmap(c->secret_mem, c->secret_cap);
	}
	free(c->file);
	free(c->secrets_file);
	free(c->sources);
	free(c->store);
	free(c->node);
	free(c->node_key);
	free(c->key);
	free(c->cache_dir);
	free(c->ca_file);
	free(c->state_file);
	memset(c, 0, sizeof *c);
}

const struct pdns_conf_provider *
pdns_conf_provider(const struct pdns_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_providers; i++)
		if (strcasecmp(c->providers[i].name, name) == 0)
			return &c->providers[i];
	return NULL;
}
