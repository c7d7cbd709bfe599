/*
 * node_config_check.c - the checks of the pdns-node config that need the
 * whole file, run after the last line: defaults of the [node] keys never
 * given, group references, peers with nothing to subscribe to, endpoints
 * bound twice and public keys used twice (or the node's own).
 *
 * Split out of node_config.c to keep files small; the parser state is in
 * node_config_impl.h.
 */
#include "node/node_config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/node_config_impl.h"

static size_t
key_index(enum sect s, const char *name)
{
	size_t i;

	for (i = 0; i < node_config_keys_sects[s].nkeys; i++)
		if (strcmp(node_config_keys_sects[s].keys[i].name, name) == 0)
			break;
	assert(i < node_config_keys_sects[s].nkeys);
	return i;
}

void
node_config_check_defaults_and_refs(struct pstate *ps)
{
	struct node_config *c = ps->cfg;
	unsigned node_line = ps->once_line[S_NODE] ? ps->once_line[S_NODE] : 1;

	if (ps->once_line[S_NODE] == 0)
		node_config_fail(ps, 1, "[node]", "missing section (name and key-file are required)");
	if (c->store == NULL)
		c->store = node_config_dup_n(ps, DEFAULT_STORE, strlen(DEFAULT_STORE));
	if (ps->node_key_line[key_index(S_NODE, "sensor-listen")] == 0 &&
	    node_config_list_add(ps, &c->sensor_listen, DEFAULT_SENSOR_LISTEN, strlen(DEFAULT_SENSOR_LISTEN)))
		node_config_keys_add_bind(ps, c->sensor_listen.v[0], "sensor-listen", node_line, true);
	if (ps->node_key_line[key_index(S_NODE, "query-listen")] == 0 &&
	    node_config_list_add(ps, &c->query_listen, DEFAULT_QUERY_LISTEN, strlen(DEFAULT_QUERY_LISTEN)))
		node_config_keys_add_bind(ps, c->query_listen.v[0], "query-listen", node_line, true);

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
				node_config_fail(ps, p->groups_line, "groups", "group '%s' is not defined (no "
				                 "[group %s])", p->groups.v[j], p->groups.v[j]);
			p->group_index[j] = g;
		}
		if (p->accept_observations && p->endpoints.n == 0)
			node_config_fail(ps, p->line, "endpoint", "missing: [peer %s] accepts observations but "
			                 "has no endpoint to subscribe to (or set accept)", p->name);
		else if (p->accept_observations && p->query_endpoints.n == 0)
			node_config_fail(ps, p->line, "query-endpoint", "missing: [peer %s] accepts "
			                 "observations, and replays and snapshots are asked for at its "
			                 "query endpoint", p->name);
	}
}

void
node_config_check_binds(struct pstate *ps)
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
			node_config_fail(ps, at->line, at->key, "'%s' is also bound by '%s' (line %u%s)", at->ep,
			                 other->key, other->line, other->is_default ? ", its default" : "");
			break;
		}
	}
}

void
node_config_check_keys(struct pstate *ps)
{
	for (size_t i = 0; i < ps->n_keys; i++) {
		const struct key_use *k = &ps->keys[i];
		if (ps->have_node_key && memcmp(k->key, ps->node_sec, PROTO_KEYS_LEN) == 0) {
			node_config_fail(ps, k->line, "public-key", "this is the node's secret key (from "
			                 "key-file); secrets live in files of their own: give the %s's public "
			                 "key", strncmp(k->label, "peer", 4) == 0 ? "peer" :
			                 strncmp(k->label, "client", 6) == 0 ? "client" : "sensor");
			continue;
		}
		if (ps->have_node_key &&
		    memcmp(k->key, ps->cfg->public_key, PROTO_KEYS_LEN) == 0) {
			node_config_fail(ps, k->line, "public-key", "this is the node's own public key (from "
			                 "key-file, line %u)", ps->key_file_line);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (memcmp(ps->keys[j].key, k->key, PROTO_KEYS_LEN) == 0) {
				node_config_fail(ps, k->line, "public-key", "the same key as [%s] (line %u); each "
				                 "sensor, peer and client needs its own", ps->keys[j].label, ps->keys[j].line);
				break;
			}
	}
}
