/* node_purge.c - remove a peer's rows and stream states (node_purge.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_purge.h"
#include "proto/proto_err.h"

#define STATES_MAX 256  /* stream states of one peer (groups) */

struct pick {
	const char *peer;
	uint16_t *ids;
	size_t n, cap;
	/* State keys to delete, copied (scan keys live during the callback). */
	uint8_t keys[STATES_MAX][STORE_META_KEY_MAX];
	size_t klen[STATES_MAX];
	size_t nkeys;
};

static int
pick_origin(void *arg, uint16_t id, const char *name)
{
	struct pick *p = arg;
	size_t pl = strlen(p->peer);

	if (strncmp(name, p->peer, pl) != 0 || (name[pl] != '\0' && name[pl] != '/'))
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		uint16_t *n = realloc(p->ids, cap * sizeof(*n));
		if (n == NULL)
			return PROTO_ENOMEM;
		p->ids = n;
		p->cap = cap;
	}
	p->ids[p->n++] = id;
	return 0;
}

static int
pick_state(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct pick *p = arg;

	(void)val;
	(void)vlen;
	if (p->nkeys == STATES_MAX || klen > STORE_META_KEY_MAX)
		return PROTO_ESPACE;
	memcpy(p->keys[p->nkeys], key, klen);
	p->klen[p->nkeys++] = klen;
	return 0;
}

int
node_purge_peer(struct store_db *db, const char *peer, uint64_t *removed, size_t *origins,
                char *why, size_t whylen)
{
	struct pick *p = calloc(1, sizeof(*p));
	struct store_meta_op ops[STATES_MAX];
	uint8_t prefix[STORE_META_KEY_MAX];
	size_t n = sizeof(NODE_PEER_STATE_PREFIX) - 1, pl = strlen(peer);
	int err;

	*removed = 0;
	*origins = 0;
	why[0] = '\0';
	if (p == NULL)
		return PROTO_ENOMEM;
	p->peer = peer;
	if (pl == 0 || pl > 63 || strchr(peer, '/') != NULL) {
		snprintf(why, whylen, "'%s' is not a peer name", peer);
		err = PROTO_EINVAL;
		goto out;
	}
	if ((err = store_db_origins(db, pick_origin, p)) != 0) {
		snprintf(why, whylen, "cannot list the store's origins: %s", proto_strerror(err));
		goto out;
	}
	memcpy(prefix, NODE_PEER_STATE_PREFIX, n);
	prefix[n++] = (uint8_t)pl;
	memcpy(prefix + n, peer, pl);
	n += pl;
	if ((err = store_db_scan_meta(db, prefix, n, pick_state, p)) != 0) {
		snprintf(why, whylen, "cannot read the peer's stream states: %s", proto_strerror(err));
		goto out;
	}
	if (p->n == 0 && p->nkeys == 0) {
		snprintf(why, whylen, "no origin named '%s' in the store", peer);
		err = PROTO_ENOENT;
		goto out;
	}
	for (size_t i = 0; i < p->nkeys; i++)
		ops[i] = (struct store_meta_op){ p->keys[i], p->klen[i], NULL, 0 };
	if (p->nkeys > 0 &&
	    (err = store_db_write(db, NULL, 0, STORE_ORIGIN_LOCAL, ops, p->nkeys, why, whylen)) != 0)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		uint64_t r = 0;
		if ((err = store_db_purge_origin(db, p->ids[i], &r, why, whylen)) != 0)
			goto out;
		*removed += r;
	}
	*origins = p->n;
out:
	free(p->ids);
	free(p);
	return err;
}
