/*
 * node_pub.c - sharing groups: what we publish, the replay log, replays and
 * snapshots (doc/peer-protocol.md, 3.2 and 3.3).
 *
 * Every sensor batch the node applies is filtered once by the export policy
 * (node_export.h) and becomes, for each group, one published OBS_BATCH (two
 * if it does not fit a message) with the group's next sequence numbers. The
 * messages are written into the group's replay log in the same atomic store
 * write as the sensor's rows, with the group's new (stream, seq): after a
 * crash the published history and the own-origin rows still agree, so a
 * receiver that replays or takes a snapshot ends with exactly our counts.
 * Only after the write is durable are the messages sent on the group's PUB
 * socket; a receiver that missed one asks for a replay.
 *
 * With a threshold (min-count > 1 or min-days 2) a row is exported only
 * once its aggregate qualifies: the batch that makes it qualify exports the
 * whole aggregate, later batches their deltas, so a receiver's copy is the
 * aggregate of every qualifying key, which is what a snapshot sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "node/node_bench.h"
#include "node/node_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

#define GROUP_PREFIX "pgroup:"
#define LOG_PREFIX "plog:"
#define LOG_ENTRIES_MAX 1000000  /* batches indexed per replay log */
#define GROUP_MSGS_MAX 8         /* messages per group per sensor batch */

static size_t
prefix_key(uint8_t *out, const char *prefix, const char *group)
{
	size_t p = strlen(prefix), g = strlen(group);

	memcpy(out, prefix, p);
	memcpy(out + p, group, g);
	return p + g;
}

/* "plog:" GROUP 00 SEQ: in seq order under the group's prefix. */
static size_t
log_key(uint8_t *out, const char *group, uint64_t seq)
{
	size_t n = prefix_key(out, LOG_PREFIX, group);

	out[n++] = 0;
	node_put_be64(out + n, seq);
	return n + 8;
}

struct node_group *
node_group_by_name(struct node_server *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (strlen(s->groups[i].cfg->name) == len &&
		    strncasecmp(s->groups[i].cfg->name, name, len) == 0)
			return &s->groups[i];
	return NULL;
}

static uint64_t
log_first(const struct node_group *g)
{
	return g->log_head < g->log_n ? g->log[g->log_head].seq : g->seq + 1;
}

/* ---- Opening: secrets, state, the log index ---- */

static int
read_secret(struct node_group *g, char *why, size_t whylen)
{
	int fd = open(g->cfg->pseudonym_secret_file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(why, whylen, "cannot open pseudonym secret '%s': %s",
		         g->cfg->pseudonym_secret_file, strerror(errno));
		return PROTO_EIO;
	}
	n = read(fd, g->secret, sizeof(g->secret));
	close(fd);
	if (n < NODE_CONFIG_SECRET_MIN) {
		snprintf(why, whylen, "pseudonym secret '%s' holds fewer than %d bytes",
		         g->cfg->pseudonym_secret_file, NODE_CONFIG_SECRET_MIN);
		return PROTO_EINVAL;
	}
	g->secret_len = (size_t)n;
	return 0;
}

static int
log_row(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct node_group *g = arg;

	(void)val;
	if (klen < 8)
		return PROTO_EFORMAT;
	if (g->log_n == g->log_cap) {
		size_t cap = g->log_cap ? g->log_cap * 2 : 1024;
		struct node_log_ent *n = realloc(g->log, cap * sizeof(*n));
		if (n == NULL)
			return PROTO_ENOMEM;
		g->log = n;
		g->log_cap = cap;
	}
	g->log[g->log_n].seq = node_get_be64((const uint8_t *)key + klen - 8);
	g->log[g->log_n].size = (uint32_t)vlen;
	g->log_n++;
	g->log_bytes += vlen;
	return 0;
}

/* Write the group's (stream, seq) now (a new stream). */
static int
state_write(struct node_server *s, struct node_group *g, char *why, size_t whylen)
{
	uint8_t *k, *v;
	size_t klen;

	node_ops_reset(s);
	if ((k = node_ops_alloc(s, 7 + PROTO_PEER_GROUP_MAX)) == NULL ||
	    (v = node_ops_alloc(s, 16)) == NULL)
		return PROTO_ENOMEM;
	klen = prefix_key(k, GROUP_PREFIX, g->cfg->name);
	node_put_be64(v, g->stream);
	node_put_be64(v + 8, g->seq);
	node_ops_put(s, k, klen, v, 16);
	return store_db_write(s->db, NULL, 0, STORE_ORIGIN_LOCAL, s->ops, s->nops, why, whylen);
}

int
node_pub_open(struct node_server *s, char *why, size_t whylen)
{
	const struct node_config *cfg = s->cfg;
	int err;

	s->ngroups = cfg->n_groups;
	if (s->ngroups == 0)
		return 0;
	if ((s->groups = calloc(s->ngroups, sizeof(*s->groups))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < s->ngroups; i++) {
		struct node_group *g = &s->groups[i];
		uint8_t key[STORE_META_KEY_MAX], val[16];
		size_t klen, vlen;

		g->cfg = &cfg->groups[i];
		if ((err = read_secret(g, why, whylen)) != 0)
			return err;
		klen = prefix_key(key, GROUP_PREFIX, g->cfg->name);
		err = store_db_get_meta(s->db, key, klen, val, sizeof(val), &vlen);
		if (err == 0 && vlen == 16) {
			g->stream = node_get_be64(val);
			g->seq = node_get_be64(val + 8);
		} else if (err == PROTO_ENOENT || err == 0) {
			/* A new group, or a state we cannot read: a new stream, so every
			 * receiver resynchronises with a snapshot. */
			do
				randombytes_buf(&g->stream, sizeof(g->stream));
			while (g->stream == 0);
			g->seq = 0;
			if ((err = state_write(s, g, why, whylen)) != 0)
				return err;
			node_log("group '%s': new stream %" PRIu64, g->cfg->name, g->stream);
		} else {
			snprintf(why, whylen, "cannot read the state of group '%s': %s", g->cfg->name,
			         proto_strerror(err));
			return err;
		}
		klen = prefix_key(key, LOG_PREFIX, g->cfg->name);
		key[klen++] = 0;
		if ((err = store_db_scan_meta(s->db, key, klen, log_row, g)) != 0) {
			snprintf(why, whylen, "cannot read the replay log of group '%s': %s",
			         g->cfg->name, proto_strerror(err));
			return err;
		}
		/* Entries past the state cannot exist (one atomic write), but a log
		 * must never claim batches the state does not. */
		while (g->log_n > 0 && g->log[g->log_n - 1].seq > g->seq)
			g->log_bytes -= g->log[--g->log_n].size;
		if ((g->buf = malloc(2 * (size_t)PROTO_PEER_MSG_MAX)) == NULL)
			return PROTO_ENOMEM;
		g->last_publish = time(NULL);
		node_log("group '%s': stream %" PRIu64 " at batch %" PRIu64 ", replay log %" PRIu64
		         "..%" PRIu64 " (%" PRIu64 " bytes)", g->cfg->name, g->stream, g->seq,
		         log_first(g), g->seq, g->log_bytes);
	}
	return 0;
}

int
node_pub_bind(struct node_server *s, char *why, size_t whylen)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		struct node_group *g = &s->groups[i];
		char domain[80];

		snprintf(domain, sizeof(domain), "group:%s", g->cfg->name);
		if ((g->pub = zsock_new(ZMQ_PUB)) == NULL) {
			snprintf(why, whylen, "cannot create the PUB socket of group '%s'", g->cfg->name);
			return PROTO_ENOMEM;
		}
		zsock_set_linger(g->pub, 1000);
		zsock_set_sndhwm(g->pub, 10000);
		zsock_set_maxmsgsize(g->pub, (int)s->cfg->limits.max_message_size);
		zsock_set_zap_domain(g->pub, domain);
		node_curve_server(g->pub, s->sec);
		if (zsock_bind(g->pub, "%s", g->cfg->publish) < 0) {
			snprintf(why, whylen, "cannot bind group '%s' endpoint '%s': %s", g->cfg->name,
			         g->cfg->publish, zmq_strerror(errno));
			return PROTO_EIO;
		}
		node_log("group '%s': publishing on %s (CURVE, ZAP domain '%s', TLP:%s)",
		         g->cfg->name, g->cfg->publish, domain, node_config_tlp_name(g->cfg->tlp));
	}
	return 0;
}

/* ---- Publishing ---- */

/* Does an own-origin aggregate meet the thresholds? */
static bool
qualifies(const struct node_server *s, uint64_t count, int64_t first, int64_t last)
{
	if (count < s->cfg->export.min_count)
		return false;
	if (s->cfg->export.min_days >= 2 && first / 86400 == last / 86400)
		return false;
	return true;
}

static bool
thresholds(const struct node_server *s)
{
	return s->cfg->export.min_count > 1 || s->cfg->export.min_days > 1;
}

/*
 * The rows of a sensor batch that leave: s->xrows[0..*n). The export policy
 * is the node's, the same for every group; groups differ in their headers.
 */
static int
export_rows(struct node_server *s, const struct proto_obs *rows, size_t n, size_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		enum node_export_verdict v = node_export_check(s->exp, &rows[i]);
		struct proto_peer_row *x = &s->xrows[k];

		if (v != NODE_EXPORT_OK) {
			for (size_t j = 0; j < s->ngroups; j++)
				s->groups[j].withheld[v]++;
			continue;
		}
		*x = (struct proto_peer_row){ .obs = rows[i] };
		if (thresholds(s)) {
			struct proto_obs agg;
			int err = store_db_get(s->db, &rows[i], STORE_ORIGIN_LOCAL, &agg);
			bool before = false;

			if (err == 0)
				before = qualifies(s, agg.count, agg.time_first, agg.time_last);
			else if (err != PROTO_ENOENT)
				return err;
			else
				agg.count = 0;
			if (!before) {
				uint64_t c = agg.count + rows[i].count;
				int64_t f = rows[i].time_first, l = rows[i].time_last;
				if (err == 0) {
					f = agg.time_first < f ? agg.time_first : f;
					l = agg.time_last > l ? agg.time_last : l;
				}
				if (!qualifies(s, c, f, l)) {
					for (size_t j = 0; j < s->ngroups; j++)
						s->groups[j].below++;
					continue;
				}
				/* It qualifies with this batch: the whole aggregate leaves. */
				x->obs.count = c;
				x->obs.time_first = f;
				x->obs.time_last = l;
			}
		}
		node_export_times(s->exp, &x->obs.time_first, &x->obs.time_last);
		k++;
	}
	*out = k;
	return 0;
}

/* Encode rows[0..n) as the group's next message into g->buf, and add its
 * replay log entry to the pending store write. */
static int
group_add(struct node_server *s, struct node_group *g, const struct proto_peer_row *rows,
          size_t n, const uint8_t *pseudo, size_t pseudo_len)
{
	struct proto_peer_msg m = {
		.type = PROTO_PEER_OBS_BATCH, .origin = (const uint8_t *)s->cfg->name,
		.origin_len = (uint8_t)strlen(s->cfg->name), .stream = g->stream,
		.seq = g->seq + g->nmsg + 1, .rows = rows, .nrows = (uint32_t)n,
		.group = g->cfg->name, .group_len = (uint8_t)strlen(g->cfg->name),
		.has_tlp = true, .tlp = (uint8_t)g->cfg->tlp, .sensor = pseudo,
		.sensor_len = (uint8_t)pseudo_len,
	};
	size_t len, cap = 2 * (size_t)PROTO_PEER_MSG_MAX - g->buf_used;
	uint8_t *k;
	int err;

	if (g->nmsg == GROUP_MSGS_MAX)
		return PROTO_ESPACE;
	if (cap > s->cfg->limits.max_message_size)
		cap = s->cfg->limits.max_message_size;
	if ((err = proto_peer_encode(&m, g->buf + g->buf_used, cap, &len)) != 0)
		return err;
	if ((k = node_ops_alloc(s, 6 + PROTO_PEER_GROUP_MAX + 9)) == NULL)
		return PROTO_ENOMEM;
	size_t klen = log_key(k, g->cfg->name, m.seq);
	if (!node_ops_put(s, k, klen, g->buf + g->buf_used, len))
		return PROTO_ENOMEM;
	g->msg_off[g->nmsg] = g->buf_used;
	g->msg_len[g->nmsg] = len;
	g->nmsg++;
	g->buf_used += len;
	return 0;
}

/* The group's new state and the log entries that fall out of the budget. */
static int
group_state_ops(struct node_server *s, struct node_group *g)
{
	uint64_t bytes = g->log_bytes, entries = g->log_n - g->log_head;
	uint8_t *k, *v;

	for (unsigned i = 0; i < g->nmsg; i++)
		bytes += g->msg_len[i];
	entries += g->nmsg;
	for (size_t i = g->log_head; i < g->log_n && (bytes > g->cfg->replay_log ||
	     entries > LOG_ENTRIES_MAX) && s->nops + 2 < NODE_OPS_MAX; i++) {
		if ((k = node_ops_alloc(s, 6 + PROTO_PEER_GROUP_MAX + 9)) == NULL)
			return PROTO_ENOMEM;
		node_ops_del(s, k, log_key(k, g->cfg->name, g->log[i].seq));
		bytes -= g->log[i].size;
		entries--;
	}
	if ((k = node_ops_alloc(s, 7 + PROTO_PEER_GROUP_MAX)) == NULL ||
	    (v = node_ops_alloc(s, 16)) == NULL)
		return PROTO_ENOMEM;
	node_put_be64(v, g->stream);
	node_put_be64(v + 8, g->seq + g->nmsg);
	if (!node_ops_put(s, k, prefix_key(k, GROUP_PREFIX, g->cfg->name), v, 16))
		return PROTO_ENOMEM;
	return 0;
}

static int
group_prepare(struct node_server *s, struct node_group *g, const char *sensor, size_t n)
{
	uint8_t pseudo[NODE_EXPORT_PSEUDONYM_LEN];
	size_t plen = 0, start = 0, bytes = 0;
	int err;

	g->nmsg = 0;
	g->buf_used = 0;
	if (sensor != NULL) {
		node_export_pseudonym(g->secret, g->secret_len, sensor, pseudo);
		plen = sizeof(pseudo);
	}
	/* Split where a message would outgrow the limit. */
	for (size_t i = 0; i < n; i++) {
		size_t sz = proto_peer_row_size(&s->xrows[i], false);
		if (i > start && PROTO_PEER_HEAD_MAX + bytes + sz > s->cfg->limits.max_message_size) {
			if ((err = group_add(s, g, s->xrows + start, i - start, pseudo, plen)) != 0)
				return err;
			start = i;
			bytes = 0;
		}
		bytes += sz;
	}
	if (n > start || n == 0)
		if ((err = group_add(s, g, s->xrows + start, n - start, pseudo, plen)) != 0)
			return err;
	return group_state_ops(s, g);
}

int
node_pub_prepare(struct node_server *s, const char *sensor, const struct proto_obs *rows,
                 size_t n)
{
	size_t k;
	int err;

	if (s->ngroups == 0)
		return 0;
	if ((err = export_rows(s, rows, n, &k)) != 0)
		return err;
	if (k == 0) /* nothing to publish: no sequence number is used */
		return 0;
	for (size_t i = 0; i < s->ngroups; i++)
		if ((err = group_prepare(s, &s->groups[i], sensor, k)) != 0)
			return err;
	return 0;
}

void
node_pub_abort(struct node_server *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		s->groups[i].nmsg = 0;
}

static void
group_commit(struct node_server *s, struct node_group *g, time_t now)
{
	uint64_t bytes = g->log_bytes;

	(void)s;
	for (unsigned i = 0; i < g->nmsg; i++) {
		uint64_t seq = g->seq + i + 1;
		const uint8_t *msg = g->buf + g->msg_off[i];

		if (g->log_head > 0 && (g->log_n == g->log_cap || g->log_head > g->log_n / 2)) {
			/* Reclaim the evicted front before growing. */
			memmove(g->log, g->log + g->log_head,
			        (g->log_n - g->log_head) * sizeof(*g->log));
			g->log_n -= g->log_head;
			g->log_head = 0;
		}
		if (g->log_n == g->log_cap) {
			size_t cap = g->log_cap ? g->log_cap * 2 : 1024;
			struct node_log_ent *e = realloc(g->log, cap * sizeof(*e));
			if (e == NULL) {
				/* The entry is in the store; only the index lost it. Replays
				 * from before it then take the snapshot path. */
				node_log("group '%s': out of memory for the replay log index", g->cfg->name);
				g->log_head = g->log_n = 0;
				bytes = 0;
				continue;
			}
			g->log = e;
			g->log_cap = cap;
		}
		g->log[g->log_n++] = (struct node_log_ent){ .seq = seq,
		                                           .size = (uint32_t)g->msg_len[i] };
		bytes += g->msg_len[i];
		if (zmq_send(zsock_resolve(g->pub), msg, g->msg_len[i], ZMQ_DONTWAIT) < 0)
			node_log("group '%s': batch %" PRIu64 " not sent (%s); receivers will ask for it",
			         g->cfg->name, seq, zmq_strerror(errno));
		g->batches++;
	}
	g->seq += g->nmsg;
	/* The same evictions group_state_ops wrote. */
	while (g->log_head < g->log_n && (bytes > g->cfg->replay_log ||
	       g->log_n - g->log_head > LOG_ENTRIES_MAX) && g->log_head < g->log_n - 1) {
		bytes -= g->log[g->log_head].size;
		g->log_head++;
	}
	g->log_bytes = bytes;
	g->nmsg = 0;
	g->last_publish = now;
}

void
node_pub_commit(struct node_server *s)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].nmsg > 0)
			group_commit(s, &s->groups[i], now);
}

void
node_pub_tick(struct node_server *s, time_t now)
{
	char why[256] = "";

	for (size_t i = 0; i < s->ngroups; i++) {
		struct node_group *g = &s->groups[i];
		int err;

		if (now - g->last_publish < (time_t)g->cfg->heartbeat)
			continue;
		/* An empty batch, so a receiver notices a lost last batch. */
		node_ops_reset(s);
		if ((err = group_prepare(s, g, NULL, 0)) != 0 ||
		    (err = store_db_write(s->db, NULL, 0, STORE_ORIGIN_LOCAL, s->ops, s->nops, why,
		                          sizeof(why))) != 0) {
			node_log("group '%s': heartbeat not written: %s", g->cfg->name,
			         why[0] ? why : proto_strerror(err));
			g->nmsg = 0;
			g->last_publish = now;
			continue;
		}
		group_commit(s, g, now);
	}
}

/* ---- Replays and snapshots ---- */

struct snap {
	struct node_server *s;
	struct node_group *g;
	uint64_t id, total;
	uint32_t part;
	bool failed;
};

static bool
snap_flush(struct snap *sn)
{
	struct node_server *s = sn->s;
	struct proto_peer_msg m = { .type = PROTO_PEER_SNAPSHOT_ROWS,
	                            .origin = (const uint8_t *)s->cfg->name,
	                            .origin_len = (uint8_t)strlen(s->cfg->name),
	                            .snapshot_id = sn->id, .part = sn->part,
	                            .rows = s->xrows, .nrows = s->part_n };

	if (!node_reply(s, s->queries, &m))
		return false;
	sn->part++;
	sn->total += s->part_n;
	s->part_n = 0;
	s->part_bytes = 0;
	s->arena_used = 0;
	return true;
}

static const void *
arena_copy(struct node_server *s, const void *p, size_t n)
{
	uint8_t *d;

	if (p == NULL)
		return NULL;
	d = s->arena + s->arena_used;
	memcpy(d, p, n);
	s->arena_used += n;
	return d;
}

static int
snap_row(void *arg, const struct store_result *r)
{
	struct snap *sn = arg;
	struct node_server *s = sn->s;
	struct proto_peer_row row = { .obs = r->obs };

	if (node_export_check(s->exp, &r->obs) != NODE_EXPORT_OK ||
	    !qualifies(s, r->obs.count, r->obs.time_first, r->obs.time_last))
		return 0;
	node_export_times(s->exp, &row.obs.time_first, &row.obs.time_last);
	if (proto_peer_row_check(&row, false) != 0)
		return 0;
	size_t size = proto_peer_row_size(&row, false);
	if (s->part_n == PROTO_PEER_ROWS_MAX ||
	    PROTO_PEER_HEAD_MAX + s->part_bytes + size > s->cfg->limits.max_message_size)
		if (!snap_flush(sn)) {
			sn->failed = true;
			return 1;
		}
	struct proto_peer_row *d = &s->xrows[s->part_n++];
	*d = row;
	d->obs.name = arena_copy(s, r->obs.name, r->obs.name_len);
	d->obs.rdata = arena_copy(s, r->obs.rdata, r->obs.rdata_len);
	d->obs.bailiwick = arena_copy(s, r->obs.bailiwick, r->obs.bailiwick_len);
	s->part_bytes += size;
	return 0;
}

static void
send_snapshot(struct node_server *s, struct node_peer *p, struct node_group *g)
{
	struct snap sn = { .s = s, .g = g };
	struct proto_peer_msg m = { .origin = (const uint8_t *)s->cfg->name,
	                            .origin_len = (uint8_t)strlen(s->cfg->name) };
	int err;

	do
		randombytes_buf(&sn.id, sizeof(sn.id));
	while (sn.id == 0);
	m.type = PROTO_PEER_SNAPSHOT_BEGIN;
	m.snapshot_id = sn.id;
	m.stream = g->stream;
	m.seq = g->seq;
	m.group = g->cfg->name;
	m.group_len = (uint8_t)strlen(g->cfg->name);
	m.has_tlp = true;
	m.tlp = (uint8_t)g->cfg->tlp;
	if (!node_reply(s, s->queries, &m))
		goto failed;
	s->part_n = 0;
	s->part_bytes = 0;
	s->arena_used = 0;
	/* The loop writes nothing while this runs, so the rows are exactly
	 * batches 1..g->seq of the group's stream. */
	err = store_db_scan_origin(s->db, STORE_ORIGIN_LOCAL, false, snap_row, &sn);
	if (sn.failed)
		goto failed;
	if (err < 0) {
		node_log("group '%s': snapshot for peer '%s' failed: %s", g->cfg->name,
		         p->cfg->name, proto_strerror(err));
		node_reply_error(s, s->queries, PROTO_PEER_E_UNAVAILABLE, 0, "snapshot failed");
		return;
	}
	if (s->part_n > 0 && !snap_flush(&sn))
		goto failed;
	memset(&m, 0, sizeof(m));
	m.type = PROTO_PEER_SNAPSHOT_END;
	m.origin = (const uint8_t *)s->cfg->name;
	m.origin_len = (uint8_t)strlen(s->cfg->name);
	m.snapshot_id = sn.id;
	m.parts = sn.part;
	m.total_rows = sn.total;
	if (!node_reply(s, s->queries, &m))
		goto failed;
	g->snapshots++;
	node_log("group '%s': snapshot of %" PRIu64 " rows (%u parts) at batch %" PRIu64
	         " sent to peer '%s'", g->cfg->name, sn.total, sn.part, g->seq, p->cfg->name);
	return;
failed:
	node_log("group '%s': snapshot for peer '%s' not delivered (it reads too slowly or "
	         "left); it will ask again", g->cfg->name, p->cfg->name);
}

void
node_pub_replay(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m)
{
	struct node_group *g = node_group_by_name(s, m->group, m->group_len);
	bool member = false;

	if (m->origin_len != strlen(s->cfg->name) ||
	    memcmp(m->origin, s->cfg->name, m->origin_len) != 0) {
		node_reply_error(s, s->queries, PROTO_PEER_E_ORIGIN, m->seq,
		                 "replays are served for this node's own origin only");
		return;
	}
	for (size_t i = 0; g != NULL && i < p->cfg->groups.n; i++)
		member |= &s->cfg->groups[p->cfg->group_index[i]] == g->cfg;
	if (!member) {
		node_ratelog(&p->bad, "peer '%s': replay of a group it is not in refused",
		             p->cfg->name);
		node_reply_error(s, s->queries, PROTO_PEER_E_REFUSED, m->seq,
		                 "not a member of that group");
		return;
	}
	if (!proto_peer_replay_ok(g->stream, g->seq, log_first(g), m->stream, m->seq)) {
		/* A snapshot reads every own row: one per peer per interval, so a
		 * peer asking again and again costs us little. */
		time_t now = time(NULL);
		if (now - p->snapshot_served < NODE_SNAPSHOT_INTERVAL) {
			node_reply_error(s, s->queries, PROTO_PEER_E_UNAVAILABLE, m->seq,
			                 "a snapshot was sent less than 10 s ago; ask again later");
			return;
		}
		p->snapshot_served = now;
		send_snapshot(s, p, g);
		return;
	}
	uint8_t key[STORE_META_KEY_MAX];
	for (uint64_t seq = m->seq; seq <= g->seq; seq++) {
		size_t vlen;
		int err = store_db_get_meta(s->db, key, log_key(key, g->cfg->name, seq), s->out,
		                            PROTO_PEER_MSG_MAX, &vlen);
		if (err != 0) {
			node_log("group '%s': replay log entry %" PRIu64 " unreadable (%s); snapshot",
			         g->cfg->name, seq, proto_strerror(err));
			send_snapshot(s, p, g);
			return;
		}
		if (!node_reply_raw(s, s->queries, s->out, vlen)) {
			node_log("group '%s': replay to peer '%s' not delivered; it will ask again",
			         g->cfg->name, p->cfg->name);
			return;
		}
	}
	struct proto_peer_msg e = { .type = PROTO_PEER_REPLAY_END,
	                            .origin = (const uint8_t *)s->cfg->name,
	                            .origin_len = (uint8_t)strlen(s->cfg->name),
	                            .stream = g->stream, .seq = g->seq, .group = g->cfg->name,
	                            .group_len = (uint8_t)strlen(g->cfg->name) };
	if (node_reply(s, s->queries, &e)) {
		g->replays++;
		node_log("group '%s': replayed batches %" PRIu64 "..%" PRIu64 " to peer '%s'",
		         g->cfg->name, m->seq, g->seq, p->cfg->name);
	}
}

void
node_pub_close(struct node_server *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		struct node_group *g = &s->groups[i];
		zsock_destroy(&g->pub);
		sodium_memzero(g->secret, sizeof(g->secret));
		free(g->log);
		free(g->buf);
	}
	free(s->groups);
	s->groups = NULL;
	s->ngroups = 0;
}
