/*
 * node_zap.c - a ZAP handler with a fixed allowlist per domain.
 *
 * czmq's zauth would do, but it logs through zsys, takes its allowlist
 * from certificate files and has no per-domain lists; this handler is
 * short, answers exactly what the node configured and counts refusals.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>

#include "node/node_log.h"
#include "node/node_bench.h"
#include "node/node_zap.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"

/* The probe's domain: not a name a config can give, never logged. */
#define PROBE_DOMAIN "\x01probe"

struct node_zap {
	zhash_t *allow;            /* "domain\nZ85" -> name */
	zactor_t *actor;
	atomic_uint_least64_t refused;
	/* Refusal log state, owned by the actor thread. */
	uint64_t pending;
	time_t last_log;
	char last_what[160];
};

int
node_zap_new(struct node_zap **out)
{
	struct node_zap *z = calloc(1, sizeof(*z));

	*out = NULL;
	if (z == NULL || (z->allow = zhash_new()) == NULL) {
		free(z);
		return PROTO_ENOMEM;
	}
	zhash_autofree(z->allow);
	atomic_init(&z->refused, 0);
	*out = z;
	return 0;
}

int
node_zap_allow(struct node_zap *z, const char *domain, const char *z85, const char *name)
{
	char key[128];

	if (z->actor != NULL || !proto_keys_is_z85_key(z85) ||
	    snprintf(key, sizeof(key), "%s\n%s", domain, z85) >= (int)sizeof(key))
		return PROTO_EINVAL;
	if (zhash_insert(z->allow, key, (void *)name) != 0)
		return PROTO_EINVAL; /* the config refuses one key twice already */
	return 0;
}

static void
log_refusals(struct node_zap *z, bool force)
{
	time_t now = time(NULL);

	if (z->pending == 0 || (!force && now - z->last_log < NODE_ZAP_LOG_INTERVAL))
		return;
	node_log("zap: refused %llu connection(s) since the last report (latest: %s)",
	         (unsigned long long)z->pending, z->last_what);
	z->pending = 0;
	z->last_log = now;
}

/* Answer one request; frames as RFC 27. */
static void
handle(struct node_zap *z, zsock_t *rep)
{
	zmsg_t *req = zmsg_recv(rep);
	char *f[6] = { NULL };
	char z85[PROTO_KEYS_Z85_LEN + 1] = "";
	const char *status = "400", *text = "not allowed", *user = "";
	bool probe = false;

	if (req == NULL)
		return;
	if (zmsg_size(req) < 6)
		goto reply_bad;
	for (int i = 0; i < 6; i++)
		f[i] = zmsg_popstr(req);
	/* f: version, request_id, domain, address, identity, mechanism */
	probe = f[2] != NULL && strcmp(f[2], PROBE_DOMAIN) == 0;
	if (f[0] == NULL || strcmp(f[0], "1.0") != 0 || f[5] == NULL)
		goto reply;
	if (strcmp(f[5], "CURVE") == 0) {
		zframe_t *cred = zmsg_pop(req);
		if (cred != NULL && zframe_size(cred) == PROTO_KEYS_LEN &&
		    proto_keys_z85_encode(zframe_data(cred), PROTO_KEYS_LEN, z85,
		                          sizeof(z85)) == 0) {
			char key[128];
			snprintf(key, sizeof(key), "%s\n%s", f[2] ? f[2] : "", z85);
			if (!probe && zhash_lookup(z->allow, key) != NULL) {
				status = "200";
				text = "OK";
				user = z85;
			}
		}
		zframe_destroy(&cred);
	}
#ifdef PDNS_BENCH_PLAINTEXT
	/* Benchmark builds only (node/node_bench.h): no CURVE, and a NULL
	 * connection is taken for the first key its domain allows. */
	if (f[5] != NULL && strcmp(f[5], "NULL") == 0 && !probe &&
	    node_bench_plain_user(z->allow, f[2] ? f[2] : "", z85, sizeof(z85))) {
		status = "200";
		text = "OK";
		user = z85;
	}
#endif
reply:
	if (strcmp(status, "200") != 0 && !probe) {
		atomic_fetch_add(&z->refused, 1);
		z->pending++;
		snprintf(z->last_what, sizeof(z->last_what), "domain '%.20s', address %.46s, "
		         "mechanism %.10s, key %s", f[2] ? f[2] : "?", f[3] ? f[3] : "?",
		         f[5] ? f[5] : "?", z85[0] ? z85 : "none");
		log_refusals(z, false);
	}
	zmsg_t *rsp = zmsg_new();
	zmsg_addstr(rsp, "1.0");
	zmsg_addstr(rsp, f[1] ? f[1] : "");
	zmsg_addstr(rsp, status);
	zmsg_addstr(rsp, text);
	zmsg_addstr(rsp, user);
	zmsg_addmem(rsp, "", 0);
	zmsg_send(&rsp, rep);
	for (int i = 0; i < 6; i++)
		free(f[i]);
	zmsg_destroy(&req);
	return;
reply_bad:
	status = "500";
	text = "malformed request";
	goto reply;
}

static void
zap_actor(zsock_t *pipe, void *arg)
{
	struct node_zap *z = arg;
	zsock_t *rep = zsock_new(ZMQ_REP);

	if (rep == NULL || zsock_bind(rep, "%s", NODE_ZAP_ENDPOINT) != 0) {
		zsock_destroy(&rep);
		zsock_signal(pipe, 1);
		return;
	}
	zpoller_t *poller = zpoller_new(pipe, rep, NULL);
	zsock_signal(pipe, 0);
	while (poller != NULL) {
		void *which = zpoller_wait(poller, 1000);
		if (which == pipe) {
			char *cmd = zstr_recv(pipe);
			bool term = cmd == NULL || strcmp(cmd, "$TERM") == 0;
			free(cmd);
			if (term)
				break;
		} else if (which == rep) {
			handle(z, rep);
		} else if (zpoller_terminated(poller)) {
			break;
		}
		log_refusals(z, false);
	}
	log_refusals(z, true);
	zpoller_destroy(&poller);
	zsock_destroy(&rep);
}

/* Ask the handler about an all-zero key in a domain nothing allows. */
static int
probe(char *why, size_t whylen)
{
	static const uint8_t zero[PROTO_KEYS_LEN];
	zsock_t *req = zsock_new(ZMQ_REQ);
	int err = PROTO_EIO;

	if (req == NULL) {
		snprintf(why, whylen, "cannot make the ZAP probe socket");
		return PROTO_EIO;
	}
	zsock_set_rcvtimeo(req, 1000);
	zsock_set_sndtimeo(req, 1000);
	zsock_set_linger(req, 0);
	if (zsock_connect(req, "%s", NODE_ZAP_ENDPOINT) != 0) {
		snprintf(why, whylen, "no ZAP handler at %s", NODE_ZAP_ENDPOINT);
		goto out;
	}
	zmsg_t *m = zmsg_new();
	zmsg_addstr(m, "1.0");
	zmsg_addstr(m, "probe");
	zmsg_addstr(m, PROBE_DOMAIN);
	zmsg_addstr(m, "127.0.0.1");
	zmsg_addmem(m, "", 0);
	zmsg_addstr(m, "CURVE");
	zmsg_addmem(m, zero, sizeof(zero));
	if (zmsg_send(&m, req) != 0) {
		zmsg_destroy(&m);
		snprintf(why, whylen, "cannot send the ZAP probe");
		goto out;
	}
	zmsg_t *r = zmsg_recv(req);
	if (r == NULL) {
		snprintf(why, whylen, "the ZAP handler did not answer within 1 s");
		goto out;
	}
	char *ver = zmsg_popstr(r), *id = zmsg_popstr(r), *st = zmsg_popstr(r);
	if (ver != NULL && strcmp(ver, "1.0") == 0 && id != NULL && strcmp(id, "probe") == 0 &&
	    st != NULL && strcmp(st, "400") == 0)
		err = 0;
	else
		snprintf(why, whylen, "the ZAP handler answered the probe wrongly (status %s)",
		         st ? st : "none");
	free(ver);
	free(id);
	free(st);
	zmsg_destroy(&r);
out:
	zsock_destroy(&req);
	return err;
}

int
node_zap_start(struct node_zap *z, char *why, size_t whylen)
{
	why[0] = '\0';
	z->actor = zactor_new(zap_actor, z);
	if (z->actor == NULL) {
		snprintf(why, whylen, "cannot start the ZAP handler on %s (is another bound?)",
		         NODE_ZAP_ENDPOINT);
		return PROTO_EIO;
	}
	return probe(why, whylen);
}

uint64_t
node_zap_refused(const struct node_zap *z)
{
	return atomic_load(&((struct node_zap *)z)->refused);
}

void
node_zap_destroy(struct node_zap **zp)
{
	struct node_zap *z = *zp;

	if (z == NULL)
		return;
	zactor_destroy(&z->actor);
	zhash_destroy(&z->allow);
	free(z);
	*zp = NULL;
}
