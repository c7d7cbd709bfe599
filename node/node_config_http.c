/*
 * node_config_http.c - the [http] section's checks: its credential files
 * are read and parsed as the node will read them, and its listen endpoint
 * must be one the HTTP server can bind (tcp:// with an address), with API
 * keys required anywhere but on loopback.
 *
 * Split out of node_config_keys.c; the parser state is node_config_impl.h.
 */
#include "node/node_config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_config_impl.h"
#include "node/node_http_keys.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"

void
node_config_http_file(struct pstate *ps, unsigned line, const struct keydef *kd,
                      const char *path)
{
	unsigned pflags = ps->flags & NODE_CONFIG_INSECURE_PERMS ? PROTO_KEYS_INSECURE_OK : 0;
	enum node_http_keys_kind kind = strcmp(kd->name, "basic-auth-file") == 0
	                                ? NODE_HTTP_KEYS_BASIC : NODE_HTTP_KEYS_API;
	struct node_http_keys k;
	char why[PATH_MAX + 256];
	int err = node_http_keys_load(path, pflags, kind, &k, why, sizeof(why));

	if (err == PROTO_ENOMEM)
		ps->oom = true;
	else if (err != 0)
		node_config_fail(ps, line, kd->name, "%s", why);
	node_http_keys_free(&k);
}

/* "tcp://ADDR:PORT": *is_loopback says whether ADDR is a loopback address.
 * NULL when the server can bind it, else the reason. */
static const char *
listen_problem(const char *ep, bool *is_loopback)
{
	char host[64];
	const char *h = ep + 6, *colon = strrchr(h, ':');
	size_t n;
	uint8_t a[16];

	*is_loopback = false;
	if (strncmp(ep, "tcp://", 6) != 0 || colon == NULL)
		return "the HTTP API listens on tcp://ADDRESS:PORT";
	n = (size_t)(colon - h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 1 && h[0] == '*')
		return NULL;
	if (n == 0 || n >= sizeof(host))
		return "the HTTP API listens on an IPv4 or IPv6 address ([::1]:8080), or *";
	memcpy(host, h, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, a) == 1) {
		*is_loopback = a[0] == 127;
		return NULL;
	}
	if (inet_pton(AF_INET6, host, a) == 1) {
		static const uint8_t one[16] = { [15] = 1 };
		*is_loopback = memcmp(a, one, 16) == 0;
		return NULL;
	}
	return "the HTTP API listens on an IPv4 or IPv6 address ([::1]:8080), or *";
}

void
node_config_http_check(struct pstate *ps)
{
	const struct node_config *c = ps->cfg;
	unsigned line = ps->once_line[S_HTTP]; /* key lines are gone by now: the header's */
	bool loopback;
	const char *why;

	if (c->http.listen == NULL)
		return;
	if ((why = listen_problem(c->http.listen, &loopback)) != NULL) {
		node_config_fail(ps, line, "listen", "'%s': %s",
		                 c->http.listen, why);
		return;
	}
	if (!loopback && c->http.api_keys_file == NULL)
		node_config_fail(ps, line, "listen", "'%s' is not a loopback "
		                 "address: give api-keys-file (without keys, only 127.0.0.0/8 and "
		                 "[::1] may listen, and any key is accepted)", c->http.listen);
	if (c->http.max_per_client > c->http.max_connections)
		node_config_fail(ps, line, "max-per-client",
		                 "%u is more than max-connections (%u)", c->http.max_per_client,
		                 c->http.max_connections);
}
