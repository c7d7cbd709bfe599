/*
 * node_http_req.h - an HTTP request target (path and query string) into
 * what the node answers: which API, which verb, and the query value.
 *
 * The paths (doc/pdns-node-http.md has every one):
 *
 *   /dnsdb/v2/{lookup,summarize}/rrset/name/NAME[/TYPE[/BAILIWICK]]
 *   /dnsdb/v2/{lookup,summarize}/rrset/raw/HEX[/TYPE[/BAILIWICK]]
 *   /dnsdb/v2/{lookup,summarize}/rdata/name/NAME[/TYPE]
 *   /dnsdb/v2/{lookup,summarize}/rdata/ip/ADDR | ADDR,PFX | ADDR-ADDR
 *   /dnsdb/v2/{lookup,summarize}/rdata/raw/HEX[/TYPE]
 *   /dnsdb/v2/rate_limit, /dnsdb/v2/ping
 *   /lookup/..., /summarize/..., /lookup/rate_limit       (DNSDB API v1)
 *   /pdns/query/VALUE                                     (CIRCL)
 *   /metrics                                              (Prometheus)
 *
 * Any path segments before /dnsdb/v2, /lookup, /summarize or /pdns/query
 * are an operator's prefix and skipped. Each segment is percent-decoded
 * on its own (so %2F is a '/' inside a name, not a separator); %00 is
 * refused. NAME, TYPE, BAILIWICK, HEX and the addresses are read by pdns's
 * own argument parsers (cli/cli_query.h), so a node and pdns agree on
 * every name, wildcard, type list and range; TYPE ANY is no type filter,
 * ANY-DNSSEC the DNSSEC types. Query parameters: limit, offset, max_count,
 * time_{first,last}_{before,after} (epoch seconds, or negative: seconds
 * before now), aggr and humantime (t/true/1/yes or f/false/0/no);
 * swclient, version, id and unknown parameters are ignored.
 *
 * limit: absent is min(10000, max_rows); 0 or above max_rows is max_rows.
 * An offset over max_offset is refused with 416.
 *
 * Pure: no allocation, no I/O, thread-safe; the fuzz target
 * tests/fuzz/fuzz_http.c drives it with arbitrary bytes.
 */
#ifndef NODE_HTTP_REQ_H
#define NODE_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_query.h"

#define NODE_HTTP_DEFAULT_LIMIT 10000 /* DNSDB's default */
#define NODE_HTTP_URI_MAX 8192        /* bytes of a request target we read */

enum node_http_api {
	NODE_HTTP_API_NONE = 0,
	NODE_HTTP_API_V2,      /* DNSDB API v2, SAF */
	NODE_HTTP_API_V1,      /* DNSDB API v1, bare COF lines */
	NODE_HTTP_API_CIRCL,   /* CIRCL pDNS, COF NDJSON */
	NODE_HTTP_API_METRICS, /* Prometheus */
};

enum node_http_verb {
	NODE_HTTP_LOOKUP = 0,
	NODE_HTTP_SUMMARIZE,
	NODE_HTTP_RATE_LIMIT,
	NODE_HTTP_PING,
	NODE_HTTP_METRICS,
};

struct node_http_limits {
	uint64_t max_rows;     /* clamp for limit */
	uint64_t max_offset;   /* larger offsets: 416 */
};

struct node_http_req {
	enum node_http_api api;
	enum node_http_verb verb;
	struct proto_query q;  /* lookups and summaries: limit and offset set */
	uint64_t max_count;    /* summarize: stop once the counts reach it; 0 none */
	bool aggr;             /* merge a key's rows of several origins (default) */
	bool humantime;        /* times as RFC 3339 text */
	bool rdata;            /* an rdata lookup: v1 gives rdata as a string */
	unsigned status;       /* after a refusal: 400, 404 or 416 */
	char why[256];         /* after a refusal: one line, no newline */
};

/*
 * Parse the request target uri[0..len) ("/path?query"; it need not be
 * NUL-terminated). now is the clock for relative time fences. Returns 0,
 * or PROTO_EINVAL with r->status and r->why set.
 */
int node_http_req_parse(struct node_http_req *r, const char *uri, size_t len, int64_t now,
                        const struct node_http_limits *lim);

#endif
