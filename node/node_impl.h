/*
 * node_impl.h - internal to pdns-node's server; other modules use
 * node/node_server.h.
 *
 * One struct node_server holds everything the loop owns. The code is split
 * by what it serves, each file working on this struct:
 *
 *   node_server.c  the loop, the sensor and query sockets, sensor batches;
 *   node_pub.c     sharing groups: publishing deltas, the replay log,
 *                  serving replays and snapshots;
 *   node_sub.c     peers: subscriptions, applying their batches exactly
 *                  once, asking for replays, staging snapshots, quotas;
 *   node_fed.c     federated queries: budgets, loops, forwarding to peers
 *                  and streaming their answers back;
 *   node_ctl.c     the control socket (status, peers, purge).
 *
 * Everything runs on the loop's thread; the store handle is used by it
 * only. Store meta rows of the node (written with the rows they account
 * for, in one atomic batch):
 *
 *   stream:  LEN ORIGIN STREAM(8)      -> last applied seq (8)   sensors
 *   pgroup:  GROUP                     -> stream (8), seq (8)     our groups
 *   plog:    GROUP 00 SEQ(8)           -> the published message   replay log
 *   peer:    LEN ORIGIN GROUP          -> stream, last (8 each), TLP (1)  peers' groups
 */
#ifndef NODE_IMPL_H
#define NODE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <czmq.h>

#include "node/node_config.h"
#include "node/node_export.h"
#include "proto/proto_peer.h"
#include "store/store_db.h"

#define NODE_ID_MAX 256           /* bytes of a ROUTER routing id */
#define NODE_LOG_INTERVAL 10      /* seconds between repeated log lines */
#define NODE_REPLAY_RETRY 10      /* seconds before a replay request is repeated */
#define NODE_SEND_TIMEOUT 10000   /* ms a reply may wait for a slow peer */
#define NODE_OPS_MAX 4096         /* meta operations in one store write */
#define NODE_SNAPSHOT_INTERVAL 10 /* seconds between snapshots for one peer */

/* Something logged at most once per NODE_LOG_INTERVAL, with a count. */
struct node_ratelog {
	time_t last;
	uint64_t pending;
};

/* An entry of a group's replay log index (the messages are in the store). */
struct node_log_ent {
	uint64_t seq;
	uint32_t size;
};

/* One of our sharing groups. */
struct node_group {
	const struct node_config_group *cfg;
	zsock_t *pub;
	uint8_t secret[NODE_CONFIG_SECRET_MAX];
	size_t secret_len;
	uint64_t stream, seq;          /* the stream and its last published batch */
	struct node_log_ent *log;      /* log[head..n): seqs in order */
	size_t log_head, log_n, log_cap;
	uint64_t log_bytes;
	time_t last_publish;
	uint8_t *buf;                  /* messages of the batch being published */
	size_t buf_used;
	size_t msg_off[8], msg_len[8]; /* up to 8 messages per sensor batch */
	unsigned nmsg;
	/* Counters. */
	uint64_t batches, rows, replays, snapshots;
	uint64_t withheld[NODE_EXPORT_VERDICTS];
	uint64_t below;                /* rows below the export thresholds */
};

/* A peer's batch that arrived ahead of a gap (node_sub.c). */
struct node_held {
	uint64_t seq;
	uint8_t *msg;
	size_t len;
};
#define NODE_HELD_MAX 64          /* batches held per (peer, group) */

/* Our state of one (peer, group) stream. */
struct node_pstream {
	char group[PROTO_PEER_GROUP_MAX + 1];
	uint16_t origin;               /* store origin of "peer/group" */
	uint64_t stream, last;
	uint8_t tlp;                   /* the label the peer gives these rows */
	bool pending;                  /* a REPLAY_REQ is outstanding */
	time_t asked;
	/* A snapshot being staged. */
	uint64_t snap_id, snap_stream, snap_seq;
	uint8_t snap_tlp;
	struct node_held held[NODE_HELD_MAX];
	unsigned nheld;
	uint32_t snap_parts;
	bool snap_active;
};

/* A configured peer. */
struct node_peer {
	const struct node_config_peer *cfg;
	size_t index;
	zsock_t **subs;                /* one SUB per endpoint */
	size_t nsubs;
	zsock_t *dealer;               /* to its query endpoint */
	struct node_pstream *ps;
	size_t nps;
	double tokens;                 /* observations it may still send now */
	struct timespec refill;
	double qtokens;                /* queries it may still ask now (node_fed.c) */
	struct timespec qrefill;
	bool qstarted;
	/* Snapshot staging: copies of the rows (one snapshot at a time). */
	struct proto_obs *snap_rows;
	size_t snap_n, snap_cap;
	uint8_t **snap_chunks;
	size_t snap_nchunks, snap_chunk_used;
	/* Counters. */
	time_t snapshot_served;        /* when we last sent it a snapshot */
	uint64_t batches, rows, dups, resyncs, snapshots, refused, future, throttled;
	struct node_ratelog bad;
};

struct node_server {
	const struct node_config *cfg;
	uint8_t sec[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN];
	struct store_db *db;
	struct node_export *exp;
	time_t started;
	/* Sensor streams (node_server.c). */
	struct node_sstate *st;
	size_t nst, capst;
	zsock_t *sensors, *queries, *control;
	struct node_group *groups;
	size_t ngroups;
	struct node_peer *peers;
	size_t npeers;
	/* The message being handled. */
	uint8_t id[NODE_ID_MAX];
	size_t id_len;
	uint8_t *in;                   /* its payload, PROTO_PEER_MSG_MAX */
	uint8_t *out;                  /* encode buffer, PROTO_PEER_MSG_MAX */
	struct proto_peer_row *rows;   /* PROTO_PEER_ROWS_MAX, decoded rows */
	struct proto_peer_row *xrows;  /* PROTO_PEER_ROWS_MAX, rows being built */
	struct proto_obs *obs;         /* PROTO_PEER_ROWS_MAX */
	uint8_t *arena;                /* PROTO_PEER_MSG_MAX, copies for xrows */
	size_t arena_used, part_bytes;
	uint32_t part_n, part_no;
	uint64_t query_id;
	struct store_meta_op ops[NODE_OPS_MAX];
	uint8_t *opbuf;                /* keys and values of ops */
	size_t opbuf_used;
	size_t nops;
	struct node_ratelog bad_input;
	pthread_t retention;           /* compacts for [retention] (node_server.c) */
	bool retention_running;
	atomic_bool retention_stop;
	time_t error_second;           /* ERROR replies sent in this second */
	unsigned errors_sent;
	uint64_t batches, rows_in, queries_served;
	/* Federated queries (node_fed.c). */
	struct node_fed *fed;
	struct node_ratelog refusals;
	uint64_t answered_peers, forwarded, refused_policy, refused_rate, refused_seen,
	         peer_timeouts;
	/* Providers (node_prov.c), and what a store answer leaves out or keeps
	 * to: the origins of providers being asked (their rows come as the
	 * providers' own), or one provider's origin (a cached answer). */
	struct node_prov *prov;
	uint16_t q_skip[PROTO_PEER_PROVIDERS_MAX];
	size_t q_nskip;
	bool q_has_only;
	uint16_t q_only;
};

/* ---- node_server.c ---- */
void node_ratelog(struct node_ratelog *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send one frame to the ROUTER peer s->id on sock (blocking up to
 * NODE_SEND_TIMEOUT for a slow reader); false when it could not be sent. */
bool node_reply_raw(struct node_server *s, zsock_t *sock, const void *buf, size_t len);
bool node_reply(struct node_server *s, zsock_t *sock, const struct proto_peer_msg *m);
void node_reply_error(struct node_server *s, zsock_t *sock, uint16_t code, uint64_t ref,
                      const char *text);
/* Receive one frame of the socket handle h into buf (up to cap bytes kept;
 * a larger frame counts as empty); *more says whether frames follow and
 * user_id, when given, gets the ZAP User-Id. The frame's kept size, or -1
 * when none is waiting (flags ZMQ_DONTWAIT). */
int node_recv_frame(void *h, int flags, uint8_t *buf, size_t cap, bool *more, char *user_id);
/* Read and drop the rest of a message. */
void node_drain(void *h);
/* Meta operations collected for the next store write. */
void node_ops_reset(struct node_server *s);
bool node_ops_put(struct node_server *s, const void *key, size_t klen, const void *val,
                  size_t vlen);
bool node_ops_del(struct node_server *s, const void *key, size_t klen);
/* A pointer into opbuf for a key or value being built (n bytes). */
uint8_t *node_ops_alloc(struct node_server *s, size_t n);
void node_put_be64(uint8_t *p, uint64_t v);
uint64_t node_get_be64(const uint8_t *p);
/* The [peer] whose key is user_id (Z85), or NULL. */
struct node_peer *node_peer_by_key(struct node_server *s, const char *user_id);
/* The [client] whose key is user_id, or NULL. */
const struct node_config_client *node_client_by_key(struct node_server *s,
                                                    const char *user_id);

/* Queries: start a result (parts of query_id to s->id on s->queries); the
 * store's answer in parts (final: its last part is the final one, else
 * all are sent not final and the caller ends the result), returning the
 * PROTO_PEER_ST_* status, *limited and the rows sent; a final, empty,
 * refused part with the reason as its one source. */
struct proto_query;
void node_query_begin(struct node_server *s, uint64_t query_id);
uint8_t node_store_answer(struct node_server *s, const struct proto_query *q, bool own_only,
                          bool final, bool *limited, uint32_t *nrows);
void node_query_refuse(struct node_server *s, const char *who, uint64_t query_id,
                       const char *why);

/* ---- node_fed.c ---- */
/* A QUERY that may travel (from peer p, or from a client with a hop
 * limit): the budget and loop checks, then our answer, forwarded to peers. */
void node_fed_query(struct node_server *s, struct node_peer *p, const char *who,
                    const struct proto_peer_msg *m);
/* A QUERY_RESULT (or an ERROR) from p's query socket, decoded into m. */
void node_fed_result(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m);
void node_fed_error(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m);
/* The poll timeout: at most dflt ms, less when a deadline is nearer. */
int node_fed_wait_ms(struct node_server *s, int dflt);
/* End the queries whose deadline passed. */
void node_fed_tick(struct node_server *s);
void node_fed_close(struct node_server *s);

/* Provider rows and statuses of the query token waits for (from
 * node_prov.c on the loop; ignored when that query has ended). */
struct node_prov_out;
void node_fed_prov_done(struct node_server *s, uint64_t token, const struct node_prov_out *out,
                        size_t n);

/* ---- node_prov.c ---- */
#define NODE_PROV_MAX PROTO_PEER_PROVIDERS_MAX
struct pdns_conf_provider;
struct prov_cache_hit;
/* The providers a client's QUERY names (none: all of the node's). */
struct node_prov_plan {
	const struct pdns_conf_provider *p[NODE_PROV_MAX]; /* NULL: no such provider here */
	char name[NODE_PROV_MAX][PROTO_PEER_ORIGIN_MAX + 1];
	size_t n;
	bool no_cache;
};
/* One provider's answer, back on the loop. */
struct node_prov_out {
	const char *name;
	uint8_t status;                /* PROTO_PEER_SRC_* */
	char why[PROTO_PEER_REASON_MAX + 1];
	const struct proto_obs *rows;  /* absolute values; count 0: none reported */
	size_t n;
};
/* Read [node] providers (nothing without it). */
int node_prov_open(struct node_server *s, char *why, size_t whylen);
void node_prov_close(struct node_server *s);
/* The pipe the loop polls for finished workers, or -1. */
int node_prov_fd(const struct node_server *s);
/* Finished workers: node_fed_prov_done, then their answers into the store. */
void node_prov_ready(struct node_server *s);
int node_prov_plan(struct node_server *s, const struct proto_peer_msg *m,
                   struct node_prov_plan *plan);
/* Whether plan's provider i has a fresh answer to q in the store. */
bool node_prov_fresh(struct node_server *s, const struct node_prov_plan *plan, size_t i,
                     const struct proto_query *q, struct prov_cache_hit *hit);
/* Ask provs[0..n) for q in a worker; node_fed_prov_done(token) follows.
 * PROTO_EBUSY (too many running), PROTO_ENOMEM, PROTO_EIO, with a why. */
int node_prov_start(struct node_server *s, uint64_t token, const struct proto_query *q,
                    const struct pdns_conf_provider *const *provs, size_t n,
                    unsigned deadline_ms, char *why, size_t whylen);

/* ---- node_pub.c ---- */
int node_pub_open(struct node_server *s, char *why, size_t whylen);
int node_pub_bind(struct node_server *s, char *why, size_t whylen);
/* Add the group messages for a sensor batch rows[0..n) to s->ops (before the
 * store write); sensor is the [sensor] name. */
int node_pub_prepare(struct node_server *s, const char *sensor, const struct proto_obs *rows,
                     size_t n);
/* After the write is durable: advance the groups and send. */
void node_pub_commit(struct node_server *s);
/* Forget what node_pub_prepare made (the write failed). */
void node_pub_abort(struct node_server *s);
/* Heartbeats of idle groups. */
void node_pub_tick(struct node_server *s, time_t now);
/* REPLAY_REQ from the peer p on the query socket. */
void node_pub_replay(struct node_server *s, struct node_peer *p, const struct proto_peer_msg *m);
struct node_group *node_group_by_name(struct node_server *s, const char *name, size_t len);
void node_pub_close(struct node_server *s);

/* ---- node_sub.c ---- */
int node_sub_open(struct node_server *s, char *why, size_t whylen);
int node_sub_connect(struct node_server *s, char *why, size_t whylen);
/* A message arrived on one of p's sockets (SUB or DEALER). */
void node_sub_message(struct node_server *s, struct node_peer *p, zsock_t *sock);
/* Refill quotas, retry replay requests. */
void node_sub_tick(struct node_server *s, time_t now);
/* May p's sockets be read now (within its quota)? */
bool node_sub_readable(struct node_server *s, struct node_peer *p);
/* Remove everything a peer sent (its origins and stream states). */
int node_sub_purge(struct node_server *s, const char *peer, uint64_t *removed, char *why,
                   size_t whylen);
void node_sub_close(struct node_server *s);

/* ---- node_ctl.c ---- */
void node_ctl_message(struct node_server *s, const char *user_id, size_t len);

#endif
