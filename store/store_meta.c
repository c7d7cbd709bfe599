/*
 * store_meta.c - the callers' meta rows: "user:" + their key in the meta
 * family, written in the same batches as rows (store_db_write), read one
 * at a time or by prefix in key order.
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto_err.h"
#include "store/store_impl.h"

/* Meta keys of callers start with this, apart from the store's own. */
#define META_USER "user:"
#define META_USER_LEN (sizeof(META_USER) - 1)

static size_t
user_key(char *out, const void *key, size_t klen)
{
	memcpy(out, META_USER, META_USER_LEN);
	if (klen)
		memcpy(out + META_USER_LEN, key, klen);
	return META_USER_LEN + klen;
}

int
store_meta_check(const struct store_meta_op *ops, size_t nops, char *why, size_t whylen)
{
	if (nops > 0 && ops == NULL) {
		snprintf(why, whylen, "%zu meta ops and no array", nops);
		return PROTO_EINVAL;
	}
	for (size_t i = 0; i < nops; i++) {
		const struct store_meta_op *m = &ops[i];
		if (m->key == NULL || m->klen == 0 || m->klen > STORE_META_KEY_MAX) {
			snprintf(why, whylen, "meta op %zu: key of %zu octets (1..%d)", i,
			         m->key ? m->klen : 0, STORE_META_KEY_MAX);
			return PROTO_EINVAL;
		}
		if (m->val != NULL && m->vlen > STORE_META_VALUE_MAX) {
			snprintf(why, whylen, "meta op %zu: value of %zu octets (at most %u)", i,
			         m->vlen, STORE_META_VALUE_MAX);
			return PROTO_EINVAL;
		}
	}
	return 0;
}

void
store_meta_add(struct store_db *db, rocksdb_writebatch_t *wb, const struct store_meta_op *ops,
               size_t nops)
{
	char k[META_USER_LEN + STORE_META_KEY_MAX];

	for (size_t i = 0; i < nops; i++) {
		size_t kl = user_key(k, ops[i].key, ops[i].klen);
		if (ops[i].val == NULL)
			rocksdb_writebatch_delete_cf(wb, db->cf[STORE_CF_META], k, kl);
		else
			rocksdb_writebatch_put_cf(wb, db->cf[STORE_CF_META], k, kl, ops[i].val,
			                          ops[i].vlen);
	}
}

int
store_db_get_meta(struct store_db *db, const void *key, size_t klen, void *val, size_t cap,
                  size_t *vlen)
{
	char k[META_USER_LEN + STORE_META_KEY_MAX];
	int rc;

	if (key == NULL || klen == 0 || klen > STORE_META_KEY_MAX)
		return PROTO_EINVAL;
	size_t kl = user_key(k, key, klen);
	rocksdb_pinnableslice_t *ps = store_get_pinned(db, STORE_CF_META, k, kl, &rc);
	if (ps == NULL)
		return rc;
	size_t len;
	const char *v = rocksdb_pinnableslice_value(ps, &len);
	*vlen = len;
	if (len > cap)
		rc = PROTO_ESPACE;
	else if (len > 0)
		memcpy(val, v, len);
	rocksdb_pinnableslice_destroy(ps);
	return rc;
}

/*
 * The meta family uses RocksDB's default bytewise comparator, so an
 * iterator returns keys in memcmp order: the documented sorted order.
 */
int
store_db_scan_meta(struct store_db *db, const void *prefix, size_t plen,
                   int (*fn)(void *arg, const void *key, size_t klen, const void *val,
                             size_t vlen),
                   void *arg)
{
	char p[META_USER_LEN + STORE_META_KEY_MAX];
	int rc = 0;

	if (plen > STORE_META_KEY_MAX || (plen > 0 && prefix == NULL))
		return PROTO_EINVAL;
	size_t pl = user_key(p, prefix, plen);
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(db->db, db->ropts,
	                                                    db->cf[STORE_CF_META]);
	for (rocksdb_iter_seek(it, p, pl); rc == 0 && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t klen, vlen;
		const char *key = rocksdb_iter_key(it, &klen);
		const char *val = rocksdb_iter_value(it, &vlen);
		if (klen < pl || memcmp(key, p, pl) != 0)
			break;
		rc = fn(arg, key + META_USER_LEN, klen - META_USER_LEN, val, vlen);
	}
	int err = store_iter_close(it);
	return err != 0 ? err : rc;
}
