/*
 * prov_fetch.h - ask providers over HTTPS, all at once (issue 6).
 *
 * prov_fetch() turns one query value into each provider's request (one
 * file per provider maps request and response: prov_<name>.c), runs every
 * provider concurrently on one libcurl multi handle (OpenSSL, the CA file
 * of the config or the system's), follows pagination (VirusTotal cursors,
 * Mnemonic offsets, CIRCL's cursor header, DNSDB offset when "limited")
 * up to the provider's page and row limits, and hands every observation
 * to fn with the provider's index. Rows a provider returns that do not
 * answer the query (Mnemonic and CIRCL match both sides; fences and types
 * are applied here too) are dropped before fn.
 *
 * Limits: each request asks for min(provider limit, q->limit) rows; at
 * most q->limit rows (0: no cap) reach fn per provider, then the status is
 * LIMITED. q->offset is sent to DNSDB and Mnemonic and skipped here for
 * the others. A provider's timeout counts from its first request over all
 * its pages; deadline_ms bounds everything. Rows delivered before a
 * timeout, quota or error stay delivered (the status says what happened).
 *
 * Each provider ends with one struct prov_result: a status and a one-line
 * reason. Rate-limit and quota signals (HTTP 429, 402, 204, VirusTotal's
 * QuotaExceededError, PassiveTotal's quota message, Mnemonic's
 * millisUntilResourcesAvailable, Retry-After and X-RateLimit-* headers)
 * give PROV_ST_QUOTA and put the provider in backoff in the state file
 * (conf->state_file, prov_state.h), so the next runs do not call it until
 * the backoff ends (PROV_ST_BACKOFF, no request sent); a per-provider daily
 * request budget is kept in the same file. A provider that cannot answer a
 * query kind (VirusTotal and a wildcard, say) gets PROV_ST_UNSUPPORTED
 * without a request. A state file that cannot be read or written costs
 * only that memory: one line on stderr, the fetch goes on.
 *
 * Secrets: API keys are read from the config's secrets (pdns_conf.h) and
 * put into request headers only (or libcurl's Basic auth), never into a
 * URL; redirects are not followed. Our request buffers are wiped after
 * each transfer, and libcurl's blocks are wiped when freed (allocator
 * hooks installed by prov_fetch_global_init). A reason that would quote a
 * key (a provider echoing it in an error) has it masked as "***".
 *
 * Threads: prov_fetch blocks until every provider is done or the deadline
 * passes; it may run in its own thread (fn is called from that thread).
 * curl_global_init is done once by prov_fetch_global_init(), which must
 * come before any other libcurl use in the process.
 */
#ifndef PROV_FETCH_H
#define PROV_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/pdns_conf.h"
#include "proto/proto_obs.h"
#include "proto/proto_query.h"

enum prov_status {
	PROV_ST_ANSWERED = 0,   /* complete answer, rows may be 0 */
	PROV_ST_LIMITED,        /* answered, but more rows exist than were fetched */
	PROV_ST_REFUSED,        /* auth failure (401/403) or the provider refused */
	PROV_ST_TIMEOUT,        /* no complete answer before the deadline */
	PROV_ST_QUOTA,          /* rate limit or quota exceeded: backoff set */
	PROV_ST_BACKOFF,        /* not asked: in backoff or over its daily budget */
	PROV_ST_UNSUPPORTED,    /* not asked: it cannot answer this kind of query */
	PROV_ST_ERROR,          /* connection, TLS, HTTP or body error */
};

/* "answered", "limited", "refused", "timed out", "quota exceeded",
 * "backoff", "unsupported", "error". */
const char *prov_status_name(enum prov_status st);

struct prov_result {
	enum prov_status status;
	uint64_t rows;           /* observations handed to fn */
	unsigned requests;       /* HTTP requests sent */
	unsigned pages;          /* pages parsed */
	double seconds;          /* wall time from first request to done */
	double parse_seconds;    /* of which reading bodies and calling fn */
	int64_t retry_at;        /* Unix time the backoff ends, or 0 */
	char why[256];           /* one line, no secret; "" when answered */
};

/* Return 0 to go on; anything else stops that provider (status ERROR). */
typedef int (*prov_fetch_fn)(size_t prov_index, const struct proto_obs *obs, void *arg);

/* Once per process, before any thread calls prov_fetch. 0 or PROTO_EIO. */
int prov_fetch_global_init(void);

/*
 * Ask provs[0..n) (each a configured provider of conf) for q, for at most
 * deadline_ms in all. results[0..n) get one result each. Returns 0 when
 * every provider has its result (whatever the statuses), PROTO_ENOMEM or
 * PROTO_EIO (libcurl could not be set up) otherwise.
 */
int prov_fetch(const struct pdns_conf *conf, const struct pdns_conf_provider *const *provs,
               size_t n, const struct proto_query *q, unsigned deadline_ms,
               prov_fetch_fn fn, void *arg, struct prov_result *results);

#endif
