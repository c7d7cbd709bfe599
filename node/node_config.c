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

#include "node/node_config_impl.h"
#include "proto/proto_err.h"

/* ---- Errors and lists ---- */

void __attribute__((format(printf, 4, 5)))
node_config_fail(struct pstate *ps, unsigned line, const char *key, const char *fmt, ...)
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

char *
node_config_dup_n(struct pstate *ps, const char *s, size_t n)
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

bool
node_config_list_add(struct pstate *ps, struct node_config_list *l, const char *s, size_t n)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	char *d;

	if (v == NULL) {
		ps->oom = true;
		return false;
	}
	l->v = v;
	if ((d = node_config_dup_n(ps, s, n)) == NULL)
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

bool
node_config_list_has(const struct node_config_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}
/* ---- Sections ---- */

static bool
is_list(enum vt t)
{
	return t == VT_BIND_LIST || t == VT_CONNECT_LIST || t == VT_ZONES || t == VT_GROUPS ||
	       t == VT_ACCEPT;
}

/* Check the section that ends: required keys. */
static void
end_section(struct pstate *ps)
{
	const struct sectdef *sd;

	if (ps->sect == S_NONE || ps->sect == S_SKIP)
		return;
	sd = &node_config_keys_sects[ps->sect];
	for (size_t i = 0; i < sd->nkeys; i++)
		if (sd->keys[i].required && ps->key_line[i] == 0)
			node_config_fail(ps, ps->sect_line, sd->keys[i].name, "missing (required in [%s])",
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
		node_config_fail(ps, line, hdr, "more than %zu such sections", max);
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
		if (strcmp(type, node_config_keys_sects[i].name) == 0)
			s = (enum sect)i;
	if (s == S_NONE) {
		node_config_fail(ps, line, hdr, "unknown section (expected [node], [export], [limits], "
		                 "[retention], [group NAME], [sensor NAME], [peer NAME] or [client NAME])");
		return;
	}
	if (!node_config_keys_sects[s].named && *name != '\0') {
		node_config_fail(ps, line, hdr, "[%s] takes no name", type);
		return;
	}
	if (node_config_keys_sects[s].named && *name == '\0') {
		node_config_fail(ps, line, hdr, "[%s] needs a name ([%s NAME])", type, type);
		return;
	}
	if (node_config_keys_sects[s].named && (strpbrk(name, " \t") != NULL || !node_config_keys_is_name(name))) {
		node_config_fail(ps, line, hdr, "not a %s name (1..63 letters, digits, '.', '_', '-')", type);
		return;
	}
	if (!node_config_keys_sects[s].named) {
		if (ps->once_line[s] != 0) {
			node_config_fail(ps, line, hdr, "duplicate section (first at line %u)", ps->once_line[s]);
			return;
		}
		ps->once_line[s] = line;
		ps->base = c;
		snprintf(ps->label, sizeof(ps->label), "%s", type);
	} else {
		if ((prev = name_used(ps, s, name)) != 0) {
			node_config_fail(ps, line, hdr, "duplicate section (first at line %u)", prev);
			return;
		}
		char *copy = node_config_dup_n(ps, name, strlen(name));
		if (copy == NULL)
			return;
		if (s == S_GROUP) {
			struct node_config_group *g = grow(ps, (void **)&c->groups, &c->n_groups,
			                                   sizeof(*g), NODE_CONFIG_MAX_GROUPS, line,
			                                   hdr);
			if (g != NULL)
				*g = (struct node_config_group){ .name = copy, .line = line,
				                                 .tlp = NODE_TLP_AMBER,
				                                 .replay_log = DEFAULT_REPLAY_LOG,
				                                 .heartbeat = DEFAULT_HEARTBEAT };
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
				p->forward = true;
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
		node_config_fail(ps, line, node_config_keys_is_showable(key, strlen(key)) ? key : "",
		                 "not a key name (lowercase letters, digits and '-')");
		return;
	}
	vlen = strlen(v);
	if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
		v[vlen - 1] = '\0';
		v++;
	} else if (v[0] == '"') {
		node_config_fail(ps, line, key, "unterminated quote");
		return;
	}
	if (ps->sect == S_SKIP)
		return;
	if (ps->sect == S_NONE) {
		node_config_fail(ps, line, key, "key outside a section (start the file with [node])");
		return;
	}
	sd = &node_config_keys_sects[ps->sect];
	for (size_t i = 0; i < sd->nkeys; i++) {
		const struct keydef *kd = &sd->keys[i];
		if (strcmp(key, kd->name) != 0)
			continue;
		if (ps->key_line[i] != 0 && !is_list(kd->type)) {
			node_config_fail(ps, line, key, "given twice in [%s] (first at line %u)", ps->label,
			                 ps->key_line[i]);
			return;
		}
		if (*v == '\0' && !is_list(kd->type)) {
			node_config_fail(ps, line, key, "empty value");
			ps->key_line[i] = line;
			return;
		}
		bool first = ps->key_line[i] == 0;
		ps->key_line[i] = line;
		node_config_keys_apply(ps, line, kd, v, first, &ps->was_none[i]);
		return;
	}
	node_config_keys_unknown(ps, line, key);
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
		node_config_fail(ps, line, "", "NUL byte in the line");
		return;
	}
	if (n > NODE_CONFIG_MAX_LINE) {
		node_config_fail(ps, line, "", "line longer than %d bytes", NODE_CONFIG_MAX_LINE);
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
			node_config_fail(ps, line, node_config_keys_is_showable(s + 1, strcspn(s + 1, " \t]")) ? s : "",
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
		if (node_config_keys_is_showable(s, tok))
			snprintf(shown, sizeof(shown), "%.*s", (int)tok, s);
		node_config_fail(ps, line, shown, "expected 'key = value' or '[section]'");
		return;
	}
	key_value(ps, line, s, eq);
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
		node_config_fail(ps, 0, NULL, "cannot read config: not a regular file");
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
				node_config_fail(ps, 0, NULL, "cannot read config: larger than %u bytes",
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
	node_config_fail(ps, 0, NULL, "cannot read config: %s", strerror(e));
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
	c->file = node_config_dup_n(&ps, name, strlen(name));
	c->export.suppress_special_use_names = true;
	c->export.suppress_special_purpose_addresses = true;
	c->export.min_count = 1;
	c->export.min_days = 1;
	c->limits.max_message_size = DEFAULT_MAX_MESSAGE;
	c->limits.max_future_skew = DEFAULT_FUTURE_SKEW;
	c->limits.max_snapshot_rows = DEFAULT_SNAPSHOT_ROWS;
	c->http.quota_period = DEFAULT_HTTP_QUOTA_PERIOD;
	c->http.max_connections = DEFAULT_HTTP_MAX_CONNECTIONS;
	c->http.max_per_client = DEFAULT_HTTP_MAX_PER_CLIENT;
	c->http.timeout = DEFAULT_HTTP_TIMEOUT;
	c->http.max_request_size = DEFAULT_HTTP_MAX_REQUEST;
	c->http.max_rows = DEFAULT_HTTP_MAX_ROWS;
	c->http.max_scan = DEFAULT_HTTP_MAX_SCAN;
	c->http.threads = DEFAULT_HTTP_THREADS;
	c->http.access_log = true;
	config_dir(&ps, name);

	if (path != NULL) {
		if ((err = read_config(&ps, path, &buf, &len)) != 0)
			goto done;
	} else if (len > NODE_CONFIG_MAX_SIZE) {
		node_config_fail(&ps, 0, NULL, "cannot read config: larger than %u bytes", NODE_CONFIG_MAX_SIZE);
		err = PROTO_EINVAL;
		goto done;
	} else if ((buf = node_config_dup_n(&ps, text, len)) == NULL) {
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
	node_config_check_defaults_and_refs(&ps);
	node_config_check_binds(&ps);
	node_config_check_keys(&ps);
	node_config_http_check(&ps);
	err = ps.nerr > 0 ? PROTO_EINVAL : 0;
done:
	if (ps.oom) {
		node_config_fail(&ps, 0, NULL, "out of memory");
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
	free(c->providers);
	free(c->key_file);
	free(c->control);
	free(c->http.listen);
	free(c->http.api_keys_file);
	free(c->http.basic_auth_file);
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
