/*
 * prov.h - providers: one file per provider (prov_<name>.c) maps a query
 * to its HTTP request, says where the next page is, and maps its response
 * body to observations (issue 6). prov_fetch.h runs them; adding a
 * provider is that file, its prov_table entry and its declarations here.
 *
 * Every parser has the same shape: it reads a whole response body, calls
 * fn once per observation (struct proto_obs, proto_obs.h: wire-form names,
 * canonical rdata text, Unix seconds) and fills struct prov_page with what
 * the format says about the next page. Pointers in the observation are
 * valid only during the call. A body that is not the provider's format, or
 * is its error or quota form, returns a PROTO_E* code with a one-line
 * reason in why; observations before the error may already have been
 * delivered (a SAF stream that fails midway).
 *
 * count is 0 when the provider reports none (VirusTotal, PassiveTotal): 0
 * means unknown and is shown as null later, never as "seen 0 times".
 * time_first/time_last are 0 when unknown (PassiveTotal's "None").
 * Rdata: A and AAAA are rewritten in canonical address form, NS, CNAME,
 * DNAME and PTR targets as canonical names (lowercase, no trailing dot);
 * other types are kept as the provider wrote them (printable ASCII only).
 */
#ifndef PROV_H
#define PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"
#include "proto/proto_query.h"

#define PROV_CURSOR_MAX 512
#define PROV_RDATA_MAX 4096 /* longest rdata text taken from a provider */

/* Returns 0 to go on; anything else stops the parser, which returns it. */
typedef int (*prov_row_fn)(const struct proto_obs *obs, void *arg);

struct prov_page {
	uint64_t rows;                 /* observations delivered */
	char cursor[PROV_CURSOR_MAX];  /* VirusTotal: next cursor, "" at the end;
	                                * CIRCL: the x-dribble-cursor header,
	                                * copied in by prov_fetch */
	int64_t offset, total;         /* Mnemonic: offset echoed, count; -1 unknown */
	int64_t retry_ms;              /* Mnemonic: millisUntilResourcesAvailable, -1 */
	bool limited;                  /* DNSDB: "cond":"limited" (more exist) */
};

typedef int (*prov_parse_fn)(const char *body, size_t len, prov_row_fn fn,
                             void *arg, struct prov_page *page, char *why,
                             size_t whylen);

/*
 * Requests. A builder maps a query to one HTTP GET of its provider: the
 * path and query string appended to the configured base URL, and the
 * headers. Headers carry API keys, so a struct prov_request is wiped by
 * whoever made it (prov_request_wipe) and never printed. Basic auth is not
 * a header here: basic_auth asks prov_fetch to send creds->user and
 * creds->key through libcurl.
 */
#define PROV_PATH_MAX 2048
#define PROV_HEADERS_MAX 6
#define PROV_HEADER_MAX 600

/* A provider's secrets (pdns_conf.h); any may be NULL. */
struct prov_creds {
	const char *user, *key, *key_id;
};

/* Where paging stands: what the next request asks for. */
struct prov_cursor {
	unsigned page;                 /* requests made so far */
	uint64_t offset;               /* DNSDB, Mnemonic: rows to skip */
	char token[PROV_CURSOR_MAX];   /* VirusTotal, CIRCL: opaque cursor */
};

struct prov_request {
	char path[PROV_PATH_MAX];      /* "/dnsdb/v2/lookup/...?limit=10" */
	char headers[PROV_HEADERS_MAX][PROV_HEADER_MAX]; /* "Name: value" */
	unsigned n_headers;
	bool basic_auth;               /* HTTP Basic creds->user:creds->key */
};

/*
 * Fill r for query q, asking for at most limit rows (> 0), at cur. Returns
 * 0, PROTO_ENOTSUP with why ("VirusTotal cannot look up rdata by name")
 * when the provider cannot answer that kind of query, PROTO_EINVAL when a
 * secret it needs is missing, PROTO_ESPACE when the request is too long.
 */
typedef int (*prov_request_fn)(const struct proto_query *q, uint64_t limit,
                               const struct prov_cursor *cur,
                               const struct prov_creds *cr,
                               struct prov_request *r, char *why, size_t whylen);
/*
 * After page p answered the request made at cur (with that limit): move
 * cur to the next page and return true, or false when p was the last.
 */
typedef bool (*prov_next_fn)(const struct prov_page *p, uint64_t limit,
                             struct prov_cursor *cur);

/* prov_def flags */
enum {
	PROV_F_404_EMPTY = 1u << 0,   /* HTTP 404 can mean "no rows" */
	PROV_F_FULL_LIMITED = 1u << 1, /* no paging: a full page may hide more */
	PROV_F_OFFSET = 1u << 2,       /* the request sends the query's offset;
	                                * otherwise prov_fetch skips that many */
};

struct prov_def {
	const char *name;
	const char *desc;
	prov_parse_fn parse;
	prov_request_fn request;
	prov_next_fn next;
	const char *cursor_header;     /* response header holding the next
	                                * cursor (CIRCL), or NULL */
	const char *base_url;          /* the real service */
	unsigned flags;
};

/* The providers, ended by an entry whose name is NULL. */
extern const struct prov_def prov_table[];
/* The provider called `name`, or NULL. */
const struct prov_def *prov_find(const char *name);

int prov_dnsdb_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                     struct prov_page *page, char *why, size_t whylen);
int prov_circl_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                     struct prov_page *page, char *why, size_t whylen);
int prov_vt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                  struct prov_page *page, char *why, size_t whylen);
int prov_pt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                  struct prov_page *page, char *why, size_t whylen);
int prov_mnemonic_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                        struct prov_page *page, char *why, size_t whylen);
int prov_360_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                   struct prov_page *page, char *why, size_t whylen);

/* Request builders and pagers, one pair per provider file. */
int prov_dnsdb_request(const struct proto_query *q, uint64_t limit,
                       const struct prov_cursor *cur, const struct prov_creds *cr,
                       struct prov_request *r, char *why, size_t whylen);
bool prov_dnsdb_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);
int prov_circl_request(const struct proto_query *q, uint64_t limit,
                       const struct prov_cursor *cur, const struct prov_creds *cr,
                       struct prov_request *r, char *why, size_t whylen);
bool prov_circl_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);
int prov_vt_request(const struct proto_query *q, uint64_t limit,
                    const struct prov_cursor *cur, const struct prov_creds *cr,
                    struct prov_request *r, char *why, size_t whylen);
bool prov_vt_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);
int prov_pt_request(const struct proto_query *q, uint64_t limit,
                    const struct prov_cursor *cur, const struct prov_creds *cr,
                    struct prov_request *r, char *why, size_t whylen);
bool prov_pt_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);
int prov_mnemonic_request(const struct proto_query *q, uint64_t limit,
                          const struct prov_cursor *cur, const struct prov_creds *cr,
                          struct prov_request *r, char *why, size_t whylen);
bool prov_mnemonic_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);
int prov_360_request(const struct proto_query *q, uint64_t limit,
                     const struct prov_cursor *cur, const struct prov_creds *cr,
                     struct prov_request *r, char *why, size_t whylen);
bool prov_360_next(const struct prov_page *p, uint64_t limit, struct prov_cursor *cur);

/* Shared by the request builders (prov_req.c). */
/* Empty r: no path, no headers. */
void prov_request_init(struct prov_request *r);
/* Overwrite r (headers hold keys) before it goes out of scope. */
void prov_request_wipe(struct prov_request *r);
/* Append printf text to r->path; PROTO_ESPACE when it does not fit. */
int prov_req_path(struct prov_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add one "Name: value" header; PROTO_ESPACE when it does not fit. */
int prov_req_header(struct prov_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The query's name as a URL path segment: presentation form without the
 * trailing dot, wildcards written "*.example.com" or "www.example.*",
 * percent-encoded (only RFC 3986 unreserved bytes stay as they are).
 */
int prov_req_name(const struct proto_query *q, char *out, size_t cap);
/* Percent-encode text (unreserved bytes kept) into out. */
int prov_req_escape(const char *text, char *out, size_t cap);
/*
 * The query's address range: "192.0.2.1" when it is one address (*single
 * true), "192.0.2.0,24" when it is a CIDR block, "lo-hi" otherwise.
 */
int prov_req_addr(const struct proto_query *q, char *out, size_t cap, bool *single);
/* The query's value for a provider that takes a name or one address:
 * prov_req_addr for address queries, prov_req_name otherwise. */
int prov_req_value(const struct proto_query *q, char *out, size_t cap);
/* The end of a builder: 0 when rc is 0, else r wiped and PROTO_ESPACE
 * "<who> request too long". */
int prov_req_done(struct prov_request *r, int rc, const char *who, char *why, size_t whylen);
/* Query kinds a provider answers, for prov_req_check. */
enum {
	PROV_K_RRSET = 1u << 0,       /* exact owner name */
	PROV_K_RDATA_NAME = 1u << 1,  /* exact rdata name */
	PROV_K_RDATA_IP = 1u << 2,    /* one address */
	PROV_K_WILDCARD = 1u << 3,    /* left and right wildcards */
	PROV_K_CIDR = 1u << 4,        /* address blocks and ranges */
	PROV_K_RAW = 1u << 5,         /* raw owner or rdata bytes */
	PROV_K_BAILIWICK = 1u << 6,   /* a bailiwick qualifier */
};
/*
 * 0 when q is a kind in `kinds`, else PROTO_ENOTSUP with "<who> cannot
 * look up ..." in why.
 */
int prov_req_check(const struct proto_query *q, unsigned kinds, const char *who,
                   char *why, size_t whylen);
/* PROTO_EINVAL "<who> needs <what> in the secrets file" when s is unset. */
int prov_req_need(const char *s, const char *who, const char *what, char *why,
                  size_t whylen);

/* Shared by the parsers (prov.c). */
struct prov_json;
void prov_page_init(struct prov_page *page);
int prov_why(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Build and deliver one observation from text fields: rrname (presentation,
 * trailing dot optional), rrtype mnemonic, rdata text, optional bailiwick
 * (NULL when unknown). Counts the row in page->rows.
 */
int prov_emit(const char *rrname, const char *rrtype, const char *rdata,
              const char *bailiwick, int64_t first, int64_t last,
              uint64_t count, prov_row_fn fn, void *arg,
              struct prov_page *page, char *why, size_t whylen);
/*
 * Map one COF object (DNSDB, CIRCL, 360: rrname, rrtype, rdata as a string
 * or an array, time_first/time_last or zone_time_*, count, bailiwick) to
 * observations; rdata strings are split on split_on when it is not '\0'.
 */
int prov_cof_obj(const struct prov_json *j, uint32_t obj, char split_on,
                 prov_row_fn fn, void *arg, struct prov_page *page,
                 char *why, size_t whylen);
/* String member key of obj into out; PROTO_EFORMAT with a reason. */
int prov_get_str(const struct prov_json *j, uint32_t obj, const char *key,
                 char *out, size_t cap, char *why, size_t whylen);
/* Integer member key of obj (absent: *v = dflt when optional). */
int prov_get_int(const struct prov_json *j, uint32_t obj, const char *key,
                 bool optional, int64_t dflt, int64_t *v, char *why,
                 size_t whylen);
/* Calls line() for each non-empty line of an NDJSON body. */
int prov_ndjson(const char *body, size_t len,
                int (*line)(const struct prov_json *j, void *ctx), void *ctx,
                char *why, size_t whylen);

#endif
