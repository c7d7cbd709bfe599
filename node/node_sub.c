/*
 * node_sub.c - peers: their published batches in, exactly once
 * (doc/peer-protocol.md, 3.2 and 3.3).
 *
 * For each [peer] we subscribe (SUB, CURVE client with the peer's public
 * key, so only the peer can be on the other end) to every endpoint it
 * publishes, and keep a DEALER to its query endpoint for replay requests
 * and their answers. State is per (peer, group): the stream followed and
 * the last batch applied, written with the rows in one atomic store write,
 * and each (peer, group) is its own store origin "PEER/GROUP", so a snapshot
 * replaces exactly that group's rows.
 *
 * Quota: a peer's sockets are read only while it has tokens (its `rate`
 * in observations per second, one second of burst). A peer over its quota
 * is read more slowly, never dropped: the messages wait in ZeroMQ's queues
 * (and beyond their high-water mark the peer's own PUB socket drops them,
 * which its stream's sequence numbers reveal and a replay repairs), so the
 * quota itself never makes a gap and never costs another peer anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/node_bench.h"
#include "node/node_impl.h"
#include "node/node_log.h"
#include "node/node_purge.h"
#include "proto/proto_err.h"

#define PEER_PREFIX NODE_PEER_STATE_PREFIX
#define PSTREAMS_MAX 64           /* groups followed per peer */
#define CHUNK (1u << 20)          /* snapshot staging copies */

/* "peer:" LEN ORIGIN GROUP */
static size_t
pstate_key(uint8_t *out, const char *peer, const char *group)
{
	size_t n = sizeof(PEER_PREFIX) - 1, pl = strlen(peer), gl = strlen(group);

	memcpy(out, PEER_PREFIX, n);
	out[n++] = (uint8_t)pl;
	memcpy(out + n, peer, pl);
	n += pl;
	memcpy(out + n, group, gl);
	return n + gl;
}

static void
timespec_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* ---- State ---- */

static struct node_pstream *
pstream_get(struct node_server *s, struct node_peer *p, const char *group, size_t len)
{
	char origin[2 * PROTO_PEER_GROUP_MAX + 2], why[256];

	for (size_t i = 0; i < p->nps; i++)
		if (strlen(p->ps[i].group) == len && strncasecmp(p->ps[i].group, group, len) == 0)
			return &p->ps[i];
	if (p->nps == PSTREAMS_MAX)
		return NULL;
	struct node_pstream *n = realloc(p->ps, (p->nps + 1) * sizeof(*n));
	if (n == NULL)
		return NULL;
	p->ps = n;
	n = &p->ps[p->nps];
	memset(n, 0, sizeof(*n));
	memcpy(n->group, group, len);
	snprintf(origin, sizeof(origin), "%s/%s", p->cfg->name, n->group);
	if (store_db_origin_id(s->db, origin, true, &n->origin, why, sizeof(why)) != 0) {
		node_log("peer '%s': no store origin for group '%s': %s", p->cfg->name, n->group, why);
		return NULL;
	}
	p->nps++;
	return n;
}

struct load_arg {
	struct node_server *s;
	struct node_peer *p;
	size_t plen;
};

static int
pstate_row(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct load_arg *a = arg;
	size_t skip = sizeof(PEER_PREFIX) - 1 + 1 + a->plen;
	struct node_pstream *ps;

	if (klen <= skip || klen - skip > PROTO_PEER_GROUP_MAX || vlen != 17)
		return 0; /* not ours (another peer's name is a prefix of ours) */
	ps = pstream_get(a->s, a->p, (const char *)key + skip, klen - skip);
	if (ps == NULL)
		return PROTO_ENOMEM;
	ps->stream = node_get_be64(val);
	ps->last = node_get_be64((const uint8_t *)val + 8);
	ps->tlp = ((const uint8_t *)val)[16];
	return 0;
}

int
node_sub_open(struct node_server *s, char *why, size_t whylen)
{
	s->npeers = s->cfg->n_peers;
	if (s->npeers == 0)
		return 0;
	if ((s->peers = calloc(s->npeers, sizeof(*s->peers))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < s->npeers; i++) {
		struct node_peer *p = &s->peers[i];
		uint8_t key[STORE_META_KEY_MAX];
		size_t n = sizeof(PEER_PREFIX) - 1;
		int err;

		p->cfg = &s->cfg->peers[i];
		p->index = i;
		p->tokens = p->cfg->rate;
		timespec_now(&p->refill);
		memcpy(key, PEER_PREFIX, n);
		key[n++] = (uint8_t)strlen(p->cfg->name);
		memcpy(key + n, p->cfg->name, strlen(p->cfg->name));
		n += strlen(p->cfg->name);
		struct load_arg a = { s, p, strlen(p->cfg->name) };
		if ((err = store_db_scan_meta(s->db, key, n, pstate_row, &a)) != 0) {
			snprintf(why, whylen, "cannot read the state of peer '%s': %s", p->cfg->name,
			         proto_strerror(err));
			return err;
		}
		for (size_t j = 0; j < p->nps; j++)
			node_log("peer '%s': group '%s' at stream %" PRIu64 " batch %" PRIu64,
			         p->cfg->name, p->ps[j].group, p->ps[j].stream, p->ps[j].last);
	}
	return 0;
}

static zsock_t *
curve_client(struct node_server *s, struct node_peer *p, int type)
{
	zsock_t *z = zsock_new(type);

	if (z == NULL)
		return NULL;
	zsock_set_linger(z, 0);
	zsock_set_maxmsgsize(z, (int)s->cfg->limits.max_message_size);
	zsock_set_rcvhwm(z, 1000);
	node_curve_client(z, p->cfg->public_key, s->pub, s->sec);
	return z;
}

int
node_sub_connect(struct node_server *s, char *why, size_t whylen)
{
	for (size_t i = 0; i < s->npeers; i++) {
		struct node_peer *p = &s->peers[i];
		const struct node_config_peer *c = p->cfg;

		/* A DEALER to its query endpoint for replays (when we take its
		 * observations) and federated queries (when we ask it). */
		if (c->query_endpoints.n > 0 && (c->accept_observations || c->forward)) {
			if ((p->dealer = curve_client(s, p, ZMQ_DEALER)) == NULL)
				return PROTO_ENOMEM;
			zsock_set_sndhwm(p->dealer, 100);
			for (size_t j = 0; j < c->query_endpoints.n; j++)
				if (zsock_connect(p->dealer, "%s", c->query_endpoints.v[j]) < 0) {
					snprintf(why, whylen, "peer '%s': cannot connect to '%s': %s",
					         c->name, c->query_endpoints.v[j], zmq_strerror(errno));
					return PROTO_EIO;
				}
		}
		if (!c->accept_observations) {
			if (p->dealer != NULL)
				node_log("peer '%s': queries go to %s", c->name, c->query_endpoints.v[0]);
			continue;
		}
		if ((p->subs = calloc(c->endpoints.n, sizeof(*p->subs))) == NULL)
			return PROTO_ENOMEM;
		for (size_t j = 0; j < c->endpoints.n; j++) {
			zsock_t *z = curve_client(s, p, ZMQ_SUB);
			if (z == NULL)
				return PROTO_ENOMEM;
			p->subs[p->nsubs++] = z;
			zsock_set_subscribe(z, "");
			if (zsock_connect(z, "%s", c->endpoints.v[j]) < 0) {
				snprintf(why, whylen, "peer '%s': cannot connect to '%s': %s", c->name,
				         c->endpoints.v[j], zmq_strerror(errno));
				return PROTO_EIO;
			}
		}
		node_log("peer '%s': subscribed to %zu endpoint(s), replays from %s", c->name,
		         c->endpoints.n, c->query_endpoints.n ? c->query_endpoints.v[0] : "nowhere");
	}
	return 0;
}

/* ---- Replays ---- */

static void
ask_replay(struct node_server *s, struct node_peer *p, struct node_pstream *ps, time_t now)
{
	struct proto_peer_msg m = { .type = PROTO_PEER_REPLAY_REQ,
	                            .origin = (const uint8_t *)p->cfg->name,
	                            .origin_len = (uint8_t)strlen(p->cfg->name),
	                            .stream = ps->stream, .seq = ps->last + 1,
	                            .group = ps->group, .group_len = (uint8_t)strlen(ps->group) };
	size_t len;

	if (ps->pending && now - ps->asked < NODE_REPLAY_RETRY)
		return;
	if (p->dealer == NULL || proto_peer_encode(&m, s->out, PROTO_PEER_MSG_MAX, &len) != 0)
		return;
	ps->pending = true;
	ps->asked = now;
	if (zmq_send(zsock_resolve(p->dealer), s->out, len, ZMQ_DONTWAIT) < 0)
		return; /* not connected yet: asked again after NODE_REPLAY_RETRY */
	p->resyncs++;
	node_log("peer '%s': group '%s': asking for batches from %" PRIu64 " of stream %" PRIu64,
	         p->cfg->name, ps->group, ps->last + 1, ps->stream);
}

/* ---- Applying ---- */

static bool
check_origin(struct node_peer *p, const struct proto_peer_msg *m)
{
	if (m->origin_len == strlen(p->cfg->name) &&
	    memcmp(m->origin, p->cfg->name, m->origin_len) == 0)
		return true;
	p->refused++;
	node_ratelog(&p->bad, "peer '%s': a message with another origin refused", p->cfg->name);
	return false;
}

/* Rows from a peer whose times lie too far in the future are dropped. */
static size_t
take_rows(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m,
          time_t now)
{
	int64_t limit = (int64_t)now + s->cfg->limits.max_future_skew;
	size_t k = 0;

	for (uint32_t i = 0; i < m->nrows; i++) {
		if (s->rows[i].obs.time_last > limit) {
			p->future++;
			continue;
		}
		s->obs[k++] = s->rows[i].obs;
	}
	if (k < m->nrows)
		node_ratelog(&p->bad, "peer '%s': %" PRIu64 " rows with times in the future dropped "
		             "so far (clock skew over %us)", p->cfg->name, p->future,
		             s->cfg->limits.max_future_skew);
	return k;
}

/* The state row: stream (8), last (8), and the TLP label (1) the peer
 * gives the group's rows, kept with them. */
static int
state_op(struct node_server *s, struct node_peer *p, struct node_pstream *ps, uint64_t stream,
         uint64_t seq, uint8_t tlp)
{
	uint8_t *k = node_ops_alloc(s, STORE_META_KEY_MAX), *v = node_ops_alloc(s, 17);

	if (k == NULL || v == NULL)
		return PROTO_ENOMEM;
	node_put_be64(v, stream);
	node_put_be64(v + 8, seq);
	v[16] = tlp;
	node_ops_put(s, k, pstate_key(k, p->cfg->name, ps->group), v, 17);
	return 0;
}

/* Write one in-order batch: its rows and the (peer, group) state together.
 * Returns false when the store refused it (the next batch asks again). */
static bool
apply_batch(struct node_server *s, struct node_peer *p, struct node_pstream *ps,
            const struct proto_peer_msg *m, time_t now, size_t *rows)
{
	char why[256] = "";
	size_t n = take_rows(s, p, m, now);
	int err;

	node_ops_reset(s);
	if ((err = state_op(s, p, ps, m->stream, m->seq, m->tlp)) != 0 ||
	    (err = store_db_write(s->db, s->obs, n, ps->origin, s->ops, s->nops, why,
	                          sizeof(why))) != 0) {
		node_log("peer '%s': batch %" PRIu64 " not stored: %s", p->cfg->name, m->seq,
		         why[0] ? why : proto_strerror(err));
		return false;
	}
	ps->last = m->seq;
	ps->tlp = m->tlp;
	p->batches++;
	p->rows += n;
	*rows += n;
	return true;
}

/* ---- Batches ahead of a gap ---- */

/*
 * While a replay fills a gap, the publisher goes on publishing: batches
 * past the gap are held (copies, at most NODE_HELD_MAX per stream) and
 * applied as soon as the gap closes, so a receiver that falls behind once
 * catches up instead of dropping live batches and asking again forever.
 */
static void
held_clear(struct node_pstream *ps)
{
	for (unsigned i = 0; i < ps->nheld; i++)
		free(ps->held[i].msg);
	ps->nheld = 0;
}

static void
held_add(struct node_pstream *ps, uint64_t seq, const uint8_t *msg, size_t len)
{
	for (unsigned i = 0; i < ps->nheld; i++)
		if (ps->held[i].seq == seq)
			return;
	if (ps->nheld == NODE_HELD_MAX || (ps->held[ps->nheld].msg = malloc(len)) == NULL)
		return; /* dropped: the replay covers it */
	memcpy(ps->held[ps->nheld].msg, msg, len);
	ps->held[ps->nheld].seq = seq;
	ps->held[ps->nheld].len = len;
	ps->nheld++;
}

static size_t
held_drain(struct node_server *s, struct node_peer *p, struct node_pstream *ps, time_t now)
{
	size_t rows = 0;

	for (;;) {
		unsigned i, next = NODE_HELD_MAX;
		for (i = 0; i < ps->nheld;) {
			if (ps->held[i].seq <= ps->last) { /* applied meanwhile */
				free(ps->held[i].msg);
				ps->held[i] = ps->held[--ps->nheld];
				continue;
			}
			i++;
		}
		for (i = 0; i < ps->nheld; i++)
			if (ps->held[i].seq == ps->last + 1)
				next = i;
		if (next == NODE_HELD_MAX)
			return rows;
		struct node_held h = ps->held[next];
		struct proto_peer_msg m;
		ps->held[next] = ps->held[--ps->nheld];
		memset(&m, 0, sizeof(m));
		bool ok = proto_peer_decode(&m, h.msg, h.len, s->rows, PROTO_PEER_ROWS_MAX) == 0 &&
		          m.stream == ps->stream && apply_batch(s, p, ps, &m, now, &rows);
		free(h.msg);
		if (!ok)
			return rows;
	}
}

/* Returns the rows applied (what the quota charges). raw[0..len) is the
 * message, kept when it arrives ahead of a gap. */
static size_t
on_batch(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m,
         const uint8_t *raw, size_t len, time_t now)
{
	struct node_pstream *ps;
	size_t rows = 0;

	if (!check_origin(p, m))
		return 0;
	if (m->group_len == 0 || !m->has_tlp) {
		p->refused++;
		node_ratelog(&p->bad, "peer '%s': a batch without a group or TLP refused", p->cfg->name);
		return 0;
	}
	if ((ps = pstream_get(s, p, m->group, m->group_len)) == NULL) {
		node_ratelog(&p->bad, "peer '%s': too many groups, batch dropped", p->cfg->name);
		return 0;
	}
	if (ps->snap_active)
		return 0; /* the snapshot will cover it, or the next batch asks again */
	switch (proto_peer_verdict(ps->stream, ps->last, m->stream, m->seq)) {
	case PROTO_PEER_DUP:
		p->dups++;
		return 0;
	case PROTO_PEER_RESYNC:
		if (ps->stream != 0 && m->stream == ps->stream)
			held_add(ps, m->seq, raw, len);
		ask_replay(s, p, ps, now);
		return 0;
	case PROTO_PEER_APPLY:
		break;
	}
	if (apply_batch(s, p, ps, m, now, &rows))
		rows += held_drain(s, p, ps, now);
	return rows;
}

/* ---- Snapshots ---- */

static void
snap_reset(struct node_peer *p)
{
	for (size_t i = 0; i < p->snap_nchunks; i++)
		free(p->snap_chunks[i]);
	free(p->snap_chunks);
	free(p->snap_rows);
	p->snap_chunks = NULL;
	p->snap_rows = NULL;
	p->snap_nchunks = p->snap_chunk_used = p->snap_n = p->snap_cap = 0;
	for (size_t i = 0; i < p->nps; i++)
		p->ps[i].snap_active = false;
}

static const void *
snap_copy(struct node_peer *p, const void *src, size_t n)
{
	if (src == NULL)
		return NULL;
	if (p->snap_nchunks == 0 || p->snap_chunk_used + n > CHUNK) {
		uint8_t **c = realloc(p->snap_chunks, (p->snap_nchunks + 1) * sizeof(*c));
		if (c == NULL)
			return NULL;
		p->snap_chunks = c;
		if ((c[p->snap_nchunks] = malloc(CHUNK)) == NULL)
			return NULL;
		p->snap_nchunks++;
		p->snap_chunk_used = 0;
	}
	uint8_t *d = p->snap_chunks[p->snap_nchunks - 1] + p->snap_chunk_used;
	memcpy(d, src, n);
	p->snap_chunk_used += n;
	return d;
}

static struct node_pstream *
snap_stream(struct node_peer *p, uint64_t id)
{
	for (size_t i = 0; i < p->nps; i++)
		if (p->ps[i].snap_active && p->ps[i].snap_id == id)
			return &p->ps[i];
	return NULL;
}

static void
snap_abort(struct node_peer *p, const char *why)
{
	node_ratelog(&p->bad, "peer '%s': snapshot discarded: %s", p->cfg->name, why);
	for (size_t i = 0; i < p->nps; i++)
		if (p->ps[i].snap_active)
			p->ps[i].pending = false; /* ask again at once */
	snap_reset(p);
}

static void
on_snapshot(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m,
            time_t now)
{
	struct node_pstream *ps;
	char why[256] = "";
	int err;

	if (!check_origin(p, m))
		return;
	if (m->type == PROTO_PEER_SNAPSHOT_BEGIN) {
		if ((ps = pstream_get(s, p, m->group, m->group_len)) == NULL)
			return;
		snap_reset(p);
		ps->snap_active = true;
		ps->snap_id = m->snapshot_id;
		ps->snap_stream = m->stream;
		ps->snap_seq = m->seq;
		ps->snap_tlp = m->tlp;
		ps->snap_parts = 0;
		return;
	}
	if ((ps = snap_stream(p, m->snapshot_id)) == NULL) {
		snap_abort(p, "a part of an unknown snapshot");
		return;
	}
	if (m->type == PROTO_PEER_SNAPSHOT_ROWS) {
		if (m->part != ps->snap_parts) {
			snap_abort(p, "parts out of order");
			return;
		}
		ps->snap_parts++;
		int64_t limit = (int64_t)now + s->cfg->limits.max_future_skew;
		for (uint32_t i = 0; i < m->nrows; i++) {
			const struct proto_obs *o = &s->rows[i].obs;
			if (o->time_last > limit) {
				p->future++;
				continue;
			}
			if (p->snap_n == s->cfg->limits.max_snapshot_rows) {
				snap_abort(p, "more rows than max-snapshot-rows");
				return;
			}
			if (p->snap_n == p->snap_cap) {
				size_t cap = p->snap_cap ? p->snap_cap * 2 : 4096;
				struct proto_obs *r = realloc(p->snap_rows, cap * sizeof(*r));
				if (r == NULL) {
					snap_abort(p, "out of memory");
					return;
				}
				p->snap_rows = r;
				p->snap_cap = cap;
			}
			struct proto_obs *d = &p->snap_rows[p->snap_n];
			*d = *o;
			d->name = snap_copy(p, o->name, o->name_len);
			d->rdata = snap_copy(p, o->rdata, o->rdata_len ? o->rdata_len : 1);
			d->bailiwick = snap_copy(p, o->bailiwick, o->bailiwick_len);
			if (d->name == NULL || d->rdata == NULL ||
			    (o->bailiwick != NULL && d->bailiwick == NULL)) {
				snap_abort(p, "out of memory");
				return;
			}
			p->snap_n++;
		}
		return;
	}
	/* SNAPSHOT_END: complete, then replace the group's rows in one write. */
	if (m->parts != ps->snap_parts) {
		snap_abort(p, "parts missing");
		return;
	}
	node_ops_reset(s);
	if ((err = state_op(s, p, ps, ps->snap_stream, ps->snap_seq, ps->snap_tlp)) != 0 ||
	    (err = store_db_replace_origin(s->db, ps->origin, p->snap_rows, p->snap_n, s->ops,
	                                   s->nops, why, sizeof(why))) != 0) {
		node_log("peer '%s': snapshot not stored: %s", p->cfg->name,
		         why[0] ? why : proto_strerror(err));
		snap_abort(p, "store write failed");
		return;
	}
	if (ps->stream != ps->snap_stream)
		held_clear(ps);
	ps->stream = ps->snap_stream;
	ps->last = ps->snap_seq;
	ps->tlp = ps->snap_tlp;
	ps->pending = false;
	p->snapshots++;
	node_log("peer '%s': group '%s': snapshot of %zu rows applied, following stream %" PRIu64
	         " from batch %" PRIu64, p->cfg->name, ps->group, p->snap_n, ps->stream,
	         ps->last + 1);
	snap_reset(p);
	held_drain(s, p, ps, now); /* batches that came during the snapshot */
}

static void
on_replay_end(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m,
              time_t now)
{
	struct node_pstream *ps;

	if (!check_origin(p, m) || (ps = pstream_get(s, p, m->group, m->group_len)) == NULL)
		return;
	ps->pending = false;
	if (ps->stream == m->stream && ps->last < m->seq)
		ask_replay(s, p, ps, now); /* some of the replay was lost on the way */
}

/* ---- Receiving ---- */

/* One single-frame message from sock into s->in; false when there is none
 * or it has several frames (drained and refused). */
static bool
recv_one(struct node_server *s, struct node_peer *p, zsock_t *sock, size_t *len)
{
	void *h = zsock_resolve(sock);
	bool more;
	int n = node_recv_frame(h, ZMQ_DONTWAIT, s->in, PROTO_PEER_MSG_MAX, &more, NULL);

	if (n < 0)
		return false;
	*len = (size_t)n;
	if (!more)
		return true;
	node_drain(h);
	p->refused++;
	node_ratelog(&p->bad, "peer '%s': a message of several frames refused", p->cfg->name);
	return false;
}

void
node_sub_message(struct node_server *s, struct node_peer *p, zsock_t *sock)
{
	struct proto_peer_msg m;
	time_t now = time(NULL);
	size_t len;
	int err;

	if (!recv_one(s, p, sock, &len))
		return;
	memset(&m, 0, sizeof(m));
	err = proto_peer_decode(&m, s->in, len, s->rows, PROTO_PEER_ROWS_MAX);
	if (err != 0) {
		p->refused++;
		node_ratelog(&p->bad, "peer '%s': message refused: %s%s%s", p->cfg->name,
		             m.field ? m.field : "", m.field ? ": " : "",
		             m.why ? m.why : proto_strerror(err));
		return;
	}
	/* The quota counts what is applied (a message that changes nothing
	 * costs one), so the duplicates and gaps of a catch-up never eat it. */
	p->tokens -= 1;
	bool on_sub = sock != p->dealer;
	switch (m.type) {
	case PROTO_PEER_OBS_BATCH:
		p->tokens -= (double)on_batch(s, p, &m, s->in, len, now);
		return;
	case PROTO_PEER_SNAPSHOT_BEGIN:
	case PROTO_PEER_SNAPSHOT_ROWS:
	case PROTO_PEER_SNAPSHOT_END:
		if (!on_sub) {
			p->tokens -= m.nrows;
			on_snapshot(s, p, &m, now);
			return;
		}
		break;
	case PROTO_PEER_REPLAY_END:
		if (!on_sub) {
			on_replay_end(s, p, &m, now);
			return;
		}
		break;
	case PROTO_PEER_QUERY_RESULT:
		if (!on_sub) {
			node_fed_result(s, p, &m);
			return;
		}
		break;
	case PROTO_PEER_ERROR:
		if (!on_sub) {
			node_fed_error(s, p, &m);
			node_ratelog(&p->bad, "peer '%s' says: error %u: %.*s", p->cfg->name,
			             (unsigned)m.code, (int)m.text_len, m.text);
			return;
		}
		break;
	}
	p->refused++;
	node_ratelog(&p->bad, "peer '%s': %s refused on its %s socket", p->cfg->name,
	             proto_peer_type_name(m.type), on_sub ? "publishing" : "query");
}

bool
node_sub_readable(struct node_server *s, struct node_peer *p)
{
	struct timespec now;
	double dt;

	(void)s;
	timespec_now(&now);
	dt = (double)(now.tv_sec - p->refill.tv_sec) + (double)(now.tv_nsec - p->refill.tv_nsec) / 1e9;
	p->refill = now;
	p->tokens += dt * p->cfg->rate;
	if (p->tokens > p->cfg->rate)
		p->tokens = p->cfg->rate;
	if (p->tokens > 0)
		return true;
	p->throttled++;
	node_ratelog(&p->bad, "peer '%s': over its quota of %u observations/s; reading it more "
	             "slowly", p->cfg->name, p->cfg->rate);
	return false;
}

void
node_sub_tick(struct node_server *s, time_t now)
{
	for (size_t i = 0; i < s->npeers; i++) {
		struct node_peer *p = &s->peers[i];
		for (size_t j = 0; j < p->nps; j++)
			if (p->ps[j].pending && !p->ps[j].snap_active &&
			    now - p->ps[j].asked >= NODE_REPLAY_RETRY)
				ask_replay(s, p, &p->ps[j], now);
	}
}

/* ---- Purge ---- */

int
node_sub_purge(struct node_server *s, const char *peer, uint64_t *removed, char *why,
               size_t whylen)
{
	size_t origins;
	int err = node_purge_peer(s->db, peer, removed, &origins, why, whylen);

	if (err != 0)
		return err;
	/* Still configured? Its next batch finds no state and starts over with
	 * a snapshot. */
	for (size_t i = 0; i < s->npeers; i++)
		if (strcmp(s->peers[i].cfg->name, peer) == 0)
			for (size_t j = 0; j < s->peers[i].nps; j++) {
				held_clear(&s->peers[i].ps[j]);
				s->peers[i].ps[j].stream = 0;
				s->peers[i].ps[j].last = 0;
			}
	node_log("purge: %" PRIu64 " rows of peer '%s' removed (%zu origins)", *removed, peer,
	         origins);
	return 0;
}

void
node_sub_close(struct node_server *s)
{
	for (size_t i = 0; i < s->npeers; i++) {
		struct node_peer *p = &s->peers[i];
		for (size_t j = 0; j < p->nsubs; j++)
			zsock_destroy(&p->subs[j]);
		free(p->subs);
		zsock_destroy(&p->dealer);
		snap_reset(p);
		for (size_t j = 0; j < p->nps; j++)
			held_clear(&p->ps[j]);
		free(p->ps);
	}
	free(s->peers);
	s->peers = NULL;
	s->npeers = 0;
}
