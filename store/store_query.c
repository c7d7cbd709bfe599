/*
 * store_query.c - lookups: each query kind is one or a few range scans.
 *
 * Exact names are prefix scans of the reversed-name indexes; left wildcards
 * are scans of everything below a reversed zone; right wildcards first
 * collect names from the forward names index, then look each up exactly;
 * IP, CIDR and range lookups are one scan of the address keys. Every scan
 * counts the entries it reads and stops at max_scan, so no query runs
 * without bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_rrtype.h"
#include "store/store_impl.h"

struct run {
	struct store_db *db;
	const struct proto_query *q;
	uint64_t max_scan;
	store_result_fn fn;
	void *arg;
	struct store_query_info *info;
	uint64_t skipped;         /* rows passed over for the offset */
	int stop;                 /* 1: limit, scan cap or callback */
	int err;
};

static bool
type_ok(const struct proto_query *q, uint16_t t)
{
	if (q->ntypes == 0)
		return true;
	for (unsigned i = 0; i < q->ntypes; i++)
		if (q->types[i] == t || q->types[i] == PROTO_T_ANY)
			return true;
	return false;
}

static bool
row_ok(const struct proto_query *q, const struct store_key_parts *k,
       const struct store_value *v)
{
	if (!type_ok(q, k->rrtype))
		return false;
	if (k->section != PROTO_SEC_NXDOMAIN) {
		unsigned secs = q->sections ? q->sections : PROTO_QS_ANSWER;
		if ((secs & (1u << k->section)) == 0)
			return false;
	}
	if ((q->fences & PROTO_F_FIRST_AFTER) && v->time_first < q->first_after)
		return false;
	if ((q->fences & PROTO_F_FIRST_BEFORE) && v->time_first > q->first_before)
		return false;
	if ((q->fences & PROTO_F_LAST_AFTER) && v->time_last < q->last_after)
		return false;
	if ((q->fences & PROTO_F_LAST_BEFORE) && v->time_last > q->last_before)
		return false;
	if (q->bailiwick_len != 0 &&
	    (v->bailiwick_len != q->bailiwick_len ||
	     memcmp(v->bailiwick, q->bailiwick, q->bailiwick_len) != 0))
		return false;
	return true;
}

void
store_result_fill(struct store_result *res, const struct store_key_parts *k,
                  const struct store_value *v, char text[64])
{
	memset(res, 0, sizeof(*res));
	res->obs.name = k->owner;
	res->obs.name_len = (uint32_t)k->owner_len;
	res->obs.rrtype = k->rrtype;
	res->obs.section = k->section;
	res->obs.time_first = v->time_first;
	res->obs.time_last = v->time_last;
	res->obs.count = v->count;
	if (v->bailiwick_len != 0) {
		res->obs.bailiwick = v->bailiwick;
		res->obs.bailiwick_len = v->bailiwick_len;
	}
	if (k->rdata != NULL) {
		res->obs.rdata = k->rdata;
		res->obs.rdata_len = (uint32_t)k->rdata_len;
	} else {
		struct proto_buf b;
		proto_buf_init(&b, text, 64);
		if (k->rkind == STORE_RK_IPV4)
			proto_buf_put_ipv4(&b, k->rvalue);
		else
			proto_buf_put_ipv6(&b, k->rvalue);
		res->obs.rdata = b.data;
		res->obs.rdata_len = (uint32_t)b.len;
	}
	res->origin = k->origin;
}

/* Hand one matching row to the caller, honouring offset and limit. */
static void
emit(struct run *r, const struct store_key_parts *k, const struct store_value *v)
{
	const struct proto_query *q = r->q;
	char text[64];
	struct store_result res;

	if (r->skipped < q->offset) {
		r->skipped++;
		return;
	}
	if (q->limit != 0 && r->info->returned == q->limit) {
		/* One more match exists: the results were limited. */
		r->info->limited = true;
		r->stop = 1;
		return;
	}
	store_result_fill(&res, k, v, text);
	r->info->returned++;
	int rc = r->fn(r->arg, &res);
	if (rc < 0) {
		r->err = rc;
		r->stop = 1;
	} else if (rc > 0) {
		r->stop = 1;
	}
}

typedef int (*parse_fn)(const uint8_t *key, size_t len, struct store_key_parts *p);

/*
 * Scan cf over [lo, hi) (hi NULL: to the end) and emit matching rows.
 * `accept` may reject keys the range cannot exclude (e.g. the exact name
 * inside a left-wildcard range).
 */
static void
scan(struct run *r, int cf, const uint8_t *lo, size_t lolen, const uint8_t *hi,
     size_t hilen, parse_fn parse)
{
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
	struct store_key_parts k;
	struct store_value v;

	if (hi != NULL)
		rocksdb_readoptions_set_iterate_upper_bound(ro, (const char *)hi, hilen);
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(r->db->db, ro, r->db->cf[cf]);
	for (rocksdb_iter_seek(it, (const char *)lo, lolen);
	     !r->stop && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
		if (r->info->scanned == r->max_scan) {
			r->info->limited = true;
			r->stop = 1;
			break;
		}
		r->info->scanned++;
		size_t klen, vlen;
		const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &klen);
		const uint8_t *val = (const uint8_t *)rocksdb_iter_value(it, &vlen);
		if (parse(key, klen, &k) != 0 || store_value_decode(val, vlen, &v) != 0)
			continue; /* not ours: skipped, never fatal to a lookup */
		if (row_ok(r->q, &k, &v))
			emit(r, &k, &v);
	}
	if (store_iter_close(it) != 0)
		r->err = PROTO_EIO;
	rocksdb_readoptions_destroy(ro);
}

/* Keys starting with p[0..n): [p, p+1) as a range, where p+1 increments. */
static size_t
prefix_end(const uint8_t *p, size_t n, uint8_t *out)
{
	if (out != p)
		memcpy(out, p, n);
	while (n > 0) {
		if (out[n - 1] != 0xff) {
			out[n - 1]++;
			return n;
		}
		n--;
	}
	return 0; /* no upper bound */
}

static void
scan_prefix(struct run *r, int cf, const uint8_t *p, size_t n, parse_fn parse)
{
	uint8_t hi[2 + 2 * PROTO_NAME_MAX + 8];
	size_t hn = prefix_end(p, n, hi);
	scan(r, cf, p, n, hn ? hi : NULL, hn, parse);
}

/* Names strictly below the reversed zone prefix p (without its final 0). */
static void
scan_below(struct run *r, int cf, const uint8_t *p, size_t n, parse_fn parse)
{
	uint8_t lo[2 + 2 * PROTO_NAME_MAX + 8], hi[2 + 2 * PROTO_NAME_MAX + 8];

	memcpy(lo, p, n);
	memcpy(hi, p, n);
	lo[n] = 0x01; /* a further label, of length 1.. */
	hi[n] = 0x40; /* ..63 */
	scan(r, cf, lo, n + 1, hi, n + 1, parse);
}

/* Exact lookups of every name in the names index starting with the labels. */
static void
scan_right(struct run *r, uint8_t kind, const struct proto_query *q,
           void (*exact)(struct run *, const uint8_t *, size_t))
{
	uint8_t p[1 + PROTO_NAME_MAX], hi[1 + PROTO_NAME_MAX];
	size_t n = store_key_names(p, kind, q->name, q->name_len);
	size_t hn = prefix_end(p, n, hi);
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();

	rocksdb_readoptions_set_iterate_upper_bound(ro, (const char *)hi, hn);
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(r->db->db, ro,
	                                                    r->db->cf[STORE_CF_NAMES]);
	for (rocksdb_iter_seek(it, (const char *)p, n); !r->stop && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		if (r->info->scanned == r->max_scan) {
			r->info->limited = true;
			r->stop = 1;
			break;
		}
		r->info->scanned++;
		size_t klen;
		const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &klen);
		/* "www.example.*" needs at least one more label. */
		if (klen <= n + 1 || key[n] == 0)
			continue;
		exact(r, key + 1, klen - 1);
	}
	rocksdb_iter_destroy(it);
	rocksdb_readoptions_destroy(ro);
}

static void
exact_rrset(struct run *r, const uint8_t *wire, size_t len)
{
	uint8_t p[PROTO_NAME_MAX + 2];
	size_t n = store_key_revname(wire, len, p);

	if (r->q->ntypes == 1 && r->q->types[0] != PROTO_T_ANY) {
		p[n] = (uint8_t)(r->q->types[0] >> 8);
		p[n + 1] = (uint8_t)r->q->types[0];
		n += 2;
	}
	scan_prefix(r, STORE_CF_RRSET, p, n, store_key_parse_rrset);
}

static void
exact_rdata_name(struct run *r, const uint8_t *wire, size_t len)
{
	uint8_t p[PROTO_NAME_MAX + 2];

	p[0] = STORE_RK_NAME;
	size_t n = 1 + store_key_revname(wire, len, p + 1);
	scan_prefix(r, STORE_CF_RDATA, p, n, store_key_parse_rdata);
}

/* A bare zone in reversed form without its final zero octet. */
static size_t
rev_zone(const struct proto_query *q, uint8_t *out)
{
	return store_key_revname(q->name, q->name_len, out) - 1;
}

static int
refuse(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s would scan the whole store; narrow it", what);
	return PROTO_EINVAL;
}

static bool
is_root(const struct proto_query *q)
{
	return q->name_len <= 1;
}

int
store_db_query(struct store_db *db, const struct proto_query *q, uint64_t max_scan,
               store_result_fn fn, void *arg, struct store_query_info *info,
               char *why, size_t whylen)
{
	struct run r = { .db = db, .q = q, .fn = fn, .arg = arg, .info = info,
	                 .max_scan = max_scan ? max_scan : UINT64_MAX };
	uint8_t p[2 + 2 * PROTO_NAME_MAX + 8];
	size_t n;

	memset(info, 0, sizeof(*info));
	switch (q->kind) {
	case PROTO_Q_RRSET:
		if (q->match == PROTO_M_EXACT) {
			exact_rrset(&r, q->name, q->name_len);
		} else if (q->match == PROTO_M_LEFT) {
			if (is_root(q))
				return refuse(why, whylen, "a wildcard of the root ('*')");
			n = rev_zone(q, p);
			scan_below(&r, STORE_CF_RRSET, p, n, store_key_parse_rrset);
		} else {
			if (q->name_len == 0)
				return refuse(why, whylen, "a bare right wildcard");
			scan_right(&r, STORE_NK_OWNER, q, exact_rrset);
		}
		break;
	case PROTO_Q_RDATA_NAME:
		if (q->match == PROTO_M_EXACT) {
			exact_rdata_name(&r, q->name, q->name_len);
		} else if (q->match == PROTO_M_LEFT) {
			if (is_root(q))
				return refuse(why, whylen, "a wildcard of the root ('*')");
			p[0] = STORE_RK_NAME;
			n = 1 + rev_zone(q, p + 1);
			scan_below(&r, STORE_CF_RDATA, p, n, store_key_parse_rdata);
		} else {
			if (q->name_len == 0)
				return refuse(why, whylen, "a bare right wildcard");
			scan_right(&r, STORE_NK_RDATA, q, exact_rdata_name);
		}
		break;
	case PROTO_Q_RDATA_IP: {
		size_t alen = q->family == 4 ? 4 : 16;
		uint8_t lo[17], hi[17];
		static const uint8_t zero[16], ones[16] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		if (q->family != 4 && q->family != 6)
			return PROTO_EINVAL;
		if (memcmp(q->addr_lo, zero, alen) == 0 && memcmp(q->addr_hi, ones, alen) == 0)
			return refuse(why, whylen, "the whole address space (a /0)");
		lo[0] = hi[0] = q->family == 4 ? STORE_RK_IPV4 : STORE_RK_IPV6;
		memcpy(lo + 1, q->addr_lo, alen);
		memcpy(hi + 1, q->addr_hi, alen);
		/* Inclusive upper address: the bound is the next one. */
		size_t hn = prefix_end(hi, 1 + alen, hi);
		scan(&r, STORE_CF_RDATA, lo, 1 + alen, hn ? hi : NULL, hn, store_key_parse_rdata);
		break;
	}
	case PROTO_Q_RDATA_RAW: {
		/* Raw rdata: addresses and names by their index, anything else by
		 * its RFC 3597 text, which is how unknown rdata is stored. */
		if (q->raw_len == 4 || q->raw_len == 16) {
			p[0] = q->raw_len == 4 ? STORE_RK_IPV4 : STORE_RK_IPV6;
			memcpy(p + 1, q->raw, q->raw_len);
			scan_prefix(&r, STORE_CF_RDATA, p, 1 + q->raw_len, store_key_parse_rdata);
		}
		uint8_t wire[PROTO_NAME_MAX];
		size_t wlen, pos = 0;
		if (!r.stop && proto_name_unpack(q->raw, q->raw_len, &pos, wire, &wlen, false) == 0 &&
		    pos == q->raw_len)
			exact_rdata_name(&r, wire, wlen);
		if (!r.stop) {
			char text[16 + 2 * PROTO_QUERY_RAW_MAX];
			struct proto_buf b;
			proto_buf_init(&b, text, sizeof(text));
			proto_buf_puts(&b, "\\# ");
			proto_buf_put_u64(&b, q->raw_len);
			if (q->raw_len) {
				proto_buf_putc(&b, ' ');
				proto_buf_put_hex(&b, q->raw, q->raw_len);
			}
			uint8_t *kp = malloc(b.len + 2);
			if (kp == NULL)
				return PROTO_ENOMEM;
			kp[0] = STORE_RK_TEXT;
			memcpy(kp + 1, b.data, b.len);
			kp[1 + b.len] = 0;
			uint8_t *hi = malloc(b.len + 2);
			if (hi == NULL) {
				free(kp);
				return PROTO_ENOMEM;
			}
			size_t hn = prefix_end(kp, b.len + 2, hi);
			scan(&r, STORE_CF_RDATA, kp, b.len + 2, hn ? hi : NULL, hn,
			     store_key_parse_rdata);
			free(kp);
			free(hi);
		}
		break;
	}
	case PROTO_Q_NXDOMAIN:
		if (q->match == PROTO_M_LEFT) {
			if (is_root(q))
				return refuse(why, whylen, "a wildcard of the root ('*')");
			n = rev_zone(q, p);
			scan_below(&r, STORE_CF_NXDOMAIN, p, n, store_key_parse_nxdomain);
		} else if (q->match == PROTO_M_RIGHT) {
			snprintf(why, whylen, "right wildcards are not indexed for NXDOMAIN "
			         "names (use an exact name or *.zone)");
			return PROTO_EINVAL;
		} else {
			n = store_key_revname(q->name, q->name_len, p);
			scan_prefix(&r, STORE_CF_NXDOMAIN, p, n, store_key_parse_nxdomain);
		}
		break;
	default:
		snprintf(why, whylen, "unknown query kind %u", q->kind);
		return PROTO_EINVAL;
	}
	if (r.err != 0)
		snprintf(why, whylen, "read failed");
	return r.err;
}

int
store_db_get(struct store_db *db, const struct proto_obs *key, uint16_t origin,
             struct proto_obs *agg)
{
	struct store_value v;
	size_t k;
	int cf;

	/* The longest key must fit the scratch buffer (rdata text of 4 x 64 KiB). */
	if (key->name == NULL || key->name_len == 0 || key->name_len > PROTO_NAME_MAX ||
	    key->rdata_len > STORE_KEY_MAX - PROTO_NAME_MAX - 8 ||
	    (key->rdata_len > 0 && key->rdata == NULL))
		return PROTO_EINVAL;
	if (key->section == PROTO_SEC_NXDOMAIN) {
		k = store_key_nxdomain(db->kbuf, key, origin);
		cf = STORE_CF_NXDOMAIN;
	} else {
		k = store_key_rrset(db->kbuf, key, origin);
		cf = STORE_CF_RRSET;
	}
	/* A point read folds the memtables' merge operands too: a writer's
	 * own unflushed rows count. */
	int rc;
	rocksdb_pinnableslice_t *ps = store_get_pinned(db, cf, db->kbuf, k, &rc);
	if (ps == NULL)
		return rc;
	size_t vlen;
	const char *val = rocksdb_pinnableslice_value(ps, &vlen);
	rc = store_value_decode((const uint8_t *)val, vlen, &v);
	rocksdb_pinnableslice_destroy(ps);
	if (rc != 0)
		return rc;
	agg->time_first = v.time_first;
	agg->time_last = v.time_last;
	agg->count = v.count;
	return 0;
}
