/*
 * node_ctl.c - the control socket: administration of a running node.
 *
 * A CURVE ROUTER (ZAP domain "control": only [client] keys with
 * `control = yes`) answering CONTROL(request_id, command, argument) with
 * one CONTROL_RESULT(request_id, ok, report). Commands:
 *
 *   status          the node, its store, sensors, groups and peers in brief
 *   peers           one block per peer: its groups' streams and counters
 *   purge PEER      remove everything PEER ever sent (its origins' rows and
 *                   stream states; if it is still configured, its next batch
 *                   starts over with a snapshot)
 *
 * The node is the store's only writer, so administration that changes the
 * store goes through here while a node runs (`pdns purge --node ...`).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

struct report {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
say(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len + 1 >= r->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n < r->cap - r->len ? (size_t)n : r->cap - r->len - 1;
}

static const char *
tlp(const struct node_config_group *g)
{
	return node_config_tlp_name(g->tlp);
}

static void
report_groups(struct node_server *s, struct report *r)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct node_group *g = &s->groups[i];
		uint64_t first = g->log_head < g->log_n ? g->log[g->log_head].seq : g->seq + 1;
		say(r, "group %s: TLP:%s stream %" PRIu64 " batch %" PRIu64 ", replay log %" PRIu64
		    "..%" PRIu64 " (%" PRIu64 " bytes), published %" PRIu64 " batches, %" PRIu64
		    " replays, %" PRIu64 " snapshots; withheld:", g->cfg->name, tlp(g->cfg),
		    g->stream, g->seq, first, g->seq, g->log_bytes, g->batches, g->replays,
		    g->snapshots);
		for (int v = 1; v < NODE_EXPORT_VERDICTS; v++)
			say(r, " %s %" PRIu64, node_export_verdict_name(v), g->withheld[v]);
		say(r, " below_threshold %" PRIu64 "\n", g->below);
	}
}

static void
report_peers(struct node_server *s, struct report *r)
{
	for (size_t i = 0; i < s->npeers; i++) {
		const struct node_peer *p = &s->peers[i];
		say(r, "peer %s: %s%s, rate %u/s; applied %" PRIu64 " batches (%" PRIu64
		    " rows), duplicates %" PRIu64 ", replay requests %" PRIu64 ", snapshots %" PRIu64
		    ", refused %" PRIu64 ", future rows %" PRIu64 ", throttled %" PRIu64 "\n",
		    p->cfg->name, p->cfg->accept_observations ? "observations" : "",
		    p->cfg->accept_queries ? (p->cfg->accept_observations ? "+queries" : "queries")
		    : "", p->cfg->rate, p->batches, p->rows, p->dups, p->resyncs, p->snapshots,
		    p->refused, p->future, p->throttled);
		for (size_t j = 0; j < p->nps; j++)
			say(r, "peer %s group %s: stream %" PRIu64 " batch %" PRIu64 " TLP:%s%s\n",
			    p->cfg->name, p->ps[j].group, p->ps[j].stream, p->ps[j].last,
			    p->ps[j].stream ? node_config_tlp_name(p->ps[j].tlp) : "-",
			    p->ps[j].pending ? " (catching up)" : "");
	}
}

static void
report_status(struct node_server *s, struct report *r)
{
	say(r, "node %s: up %llds, store %s\n", s->cfg->name,
	    (long long)(time(NULL) - s->started), s->cfg->store);
	say(r, "sensors: %zu configured, %zu streams, %" PRIu64 " batches, %" PRIu64
	    " rows applied\n", s->cfg->n_sensors, s->nst, s->batches, s->rows_in);
	say(r, "queries: %" PRIu64 " answered\n", s->queries_served);
	say(r, "federated: %" PRIu64 " answered for peers, %" PRIu64 " forwarded, %" PRIu64
	    " peers timed out; refused: %" PRIu64 " over a peer's query-rate, %" PRIu64
	    " seen before (loops), %" PRIu64 " not accepted\n", s->answered_peers, s->forwarded,
	    s->peer_timeouts, s->refused_rate, s->refused_seen, s->refused_policy);
	report_groups(s, r);
	report_peers(s, r);
}

static bool
allowed(struct node_server *s, const char *user_id)
{
	const struct node_config_client *c = node_client_by_key(s, user_id);
	return c != NULL && c->control;
}

void
node_ctl_message(struct node_server *s, const char *user_id, size_t len)
{
	static char text[PROTO_PEER_REPORT_MAX];
	struct report r = { text, 0, sizeof(text) };
	struct proto_peer_msg m;
	char cmd[PROTO_PEER_COMMAND_MAX + 1], arg[PROTO_PEER_TEXT_MAX + 1], why[256] = "";
	bool ok = true;
	int err;

	text[0] = '\0';
	memset(&m, 0, sizeof(m));
	if (!allowed(s, user_id)) { /* ZAP lets only control keys in; never reached */
		node_log("control: key %s is not a control client; refused", user_id);
		return;
	}
	if ((err = proto_peer_decode(&m, s->in, len, NULL, 0)) != 0 ||
	    m.type != PROTO_PEER_CONTROL) {
		node_reply_error(s, s->control, PROTO_PEER_E_MALFORMED, 0,
		                 err ? (m.why ? m.why : proto_strerror(err))
		                     : "only CONTROL is accepted here");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%.*s", (int)m.command_len, m.command);
	snprintf(arg, sizeof(arg), "%.*s", (int)m.arg_len, m.arg);
	if (strcmp(cmd, "status") == 0) {
		report_status(s, &r);
	} else if (strcmp(cmd, "peers") == 0) {
		report_peers(s, &r);
	} else if (strcmp(cmd, "purge") == 0) {
		uint64_t removed = 0;
		if (arg[0] == '\0') {
			ok = false;
			say(&r, "purge: give the origin (a peer's name)");
		} else if ((err = node_sub_purge(s, arg, &removed, why, sizeof(why))) != 0) {
			ok = false;
			say(&r, "purge: %s", why[0] ? why : proto_strerror(err));
		} else {
			say(&r, "purged %" PRIu64 " rows of '%s'\n", removed, arg);
		}
	} else {
		ok = false;
		say(&r, "unknown command '%s' (status, peers, purge)", cmd);
	}
	node_log("control: '%s%s%s' from client '%s': %s", cmd, arg[0] ? " " : "", arg,
	         node_client_by_key(s, user_id)->name, ok ? "done" : "failed");
	struct proto_peer_msg res = { .type = PROTO_PEER_CONTROL_RESULT,
	                              .request_id = m.request_id, .ok = ok, .report = text,
	                              .report_len = (uint32_t)r.len };
	node_reply(s, s->control, &res);
}
