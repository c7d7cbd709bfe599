/*
 * node_http_auth.c - who asks, and how many queries they have left.
 *
 * DNSDB paths and /metrics take an API key in X-API-Key (what dnsdbq and
 * DNSDB clients send) or "Authorization: Bearer KEY" (what Prometheus
 * sends); a missing or wrong key is 403 with one line, as DNSDB answers.
 * CIRCL takes HTTP Basic credentials of basic-auth-file, or an API key as
 * the Authorization header (PyPDNS's token form) or X-API-Key; otherwise
 * 401 with a Basic challenge. With no credentials configured (allowed on
 * loopback only) every request is let in, with or without a key, and all
 * share one quota.
 *
 * Quotas count lookups and summaries per credential in fixed windows of
 * [http] quota-period (aligned to the epoch, so reset times are round);
 * they are kept in memory and start again with the node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "node/node_http_impl.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"

int
node_http_auth_load(struct node_http *h, char *why, size_t whylen)
{
	const struct node_config *c = h->cfg;
	int err;

	if (c->http.api_keys_file != NULL &&
	    (err = node_http_keys_load(c->http.api_keys_file, 0, NODE_HTTP_KEYS_API, &h->api, why,
	                               whylen)) != 0)
		return err;
	if (c->http.basic_auth_file != NULL &&
	    (err = node_http_keys_load(c->http.basic_auth_file, 0, NODE_HTTP_KEYS_BASIC, &h->basic,
	                               why, whylen)) != 0)
		return err;
	h->open_dnsdb = h->api.n == 0;
	h->open_circl = h->api.n == 0 && h->basic.n == 0;
	size_t n = h->api.n + h->basic.n + 1;
	if ((h->buckets = calloc(n, sizeof(*h->buckets))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct node_http_cred *cr = i < h->api.n ? &h->api.v[i]
		                                  : i < n - 1 ? &h->basic.v[i - h->api.n] : NULL;
		h->buckets[i].quota = cr == NULL || cr->quota == NODE_HTTP_QUOTA_DEFAULT
		                      ? c->http.quota : cr->quota;
	}
	return 0;
}

void
node_http_auth_free(struct node_http *h)
{
	node_http_keys_free(&h->api);
	node_http_keys_free(&h->basic);
	free(h->buckets);
	h->buckets = NULL;
}

static long
anonymous(struct node_http *h, struct node_http_answer *a)
{
	a->who = "-";
	return (long)(h->api.n + h->basic.n);
}

/* "Bearer KEY" -> KEY, or NULL. */
static const char *
bearer_token(const char *authorization)
{
	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	return authorization + 7 + strspn(authorization + 7, " ");
}

long
node_http_auth_dnsdb(struct node_http *h, const char *api_key, const char *authorization,
                     struct node_http_answer *a)
{
	const char *key = api_key != NULL ? api_key : bearer_token(authorization);
	long i;

	if (h->open_dnsdb)
		return anonymous(h, a);
	if (key == NULL) {
		node_http_drop(h, NODE_HTTP_DROP_AUTH);
		node_http_answer_error(a, 403, "API key required (X-API-Key)");
		return -1;
	}
	if ((i = node_http_keys_find(&h->api, key, strlen(key))) < 0) {
		node_http_drop(h, NODE_HTTP_DROP_AUTH);
		node_http_answer_error(a, 403, "Bad API key");
		return -1;
	}
	a->who = h->api.v[i].name;
	return i;
}

long
node_http_auth_circl(struct node_http *h, const char *authorization, const char *api_key,
                     struct node_http_answer *a)
{
	long i = -1;

	if (h->open_circl)
		return anonymous(h, a);
	if (authorization != NULL && strncasecmp(authorization, "Basic ", 6) == 0) {
		const char *b64 = authorization + 6 + strspn(authorization + 6, " ");
		char cred[2 * NODE_HTTP_KEYS_SECRET_MAX];
		size_t n = 0;
		if (sodium_base642bin((unsigned char *)cred, sizeof(cred), b64, strlen(b64), NULL, &n,
		                      NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
		    (i = node_http_keys_find(&h->basic, cred, n)) >= 0) {
			a->who = h->basic.v[i].name;
			i += (long)h->api.n;
		}
		sodium_memzero(cred, sizeof(cred));
	} else {
		const char *key = bearer_token(authorization);
		key = key != NULL ? key : authorization != NULL ? authorization : api_key;
		if (key != NULL && (i = node_http_keys_find(&h->api, key, strlen(key))) >= 0)
			a->who = h->api.v[i].name;
	}
	if (i < 0) {
		node_http_drop(h, NODE_HTTP_DROP_AUTH);
		node_http_answer_error(a, 401, "not authenticated");
		a->basic_challenge = true;
	}
	return i;
}

/* The bucket's window as of now; the caller holds quota_lock. */
static struct node_http_bucket *
bucket_now(struct node_http *h, long b, struct node_http_rate *r)
{
	struct node_http_bucket *k = &h->buckets[b];
	int64_t period = h->cfg->http.quota_period, now = (int64_t)time(NULL);
	int64_t window = now - now % period;

	if (k->window != window) {
		k->window = window;
		k->used = 0;
	}
	r->limit = k->quota;
	r->remaining = k->quota > k->used ? k->quota - k->used : 0;
	r->reset = window + period;
	return k;
}

void
node_http_quota_peek(struct node_http *h, long b, struct node_http_rate *r)
{
	pthread_mutex_lock(&h->quota_lock);
	bucket_now(h, b, r);
	pthread_mutex_unlock(&h->quota_lock);
}

bool
node_http_quota_take(struct node_http *h, long b, struct node_http_answer *a)
{
	struct node_http_rate *r = &a->rate;
	bool ok;

	pthread_mutex_lock(&h->quota_lock);
	struct node_http_bucket *k = bucket_now(h, b, r);
	ok = k->quota == 0 || k->used < k->quota;
	if (ok) {
		k->used++;
		if (r->remaining > 0)
			r->remaining--;
	}
	pthread_mutex_unlock(&h->quota_lock);
	a->rate_headers = r->limit != 0;
	if (!ok) {
		char msg[160];
		snprintf(msg, sizeof(msg), "quota exhausted: %llu queries per %u seconds; it resets "
		         "at %lld", (unsigned long long)r->limit, h->cfg->http.quota_period,
		         (long long)r->reset);
		node_http_drop(h, NODE_HTTP_DROP_QUOTA);
		node_http_answer_error(a, 429, msg);
	}
	return ok;
}
