/*
 * fuzz_http.c - libFuzzer target: arbitrary bytes as an HTTP request
 * target through the node's path and query-string parser
 * (node/node_http_req.h), the way the HTTP server hands it what a client
 * sent. A refusal must carry a status of 400, 404, 414 or 416 and a
 * one-line reason; what is accepted must name an API and a verb, keep its
 * limit within max_rows and its offset within max_offset, and its query
 * must be a valid query value (encode, decode, encode again: the same
 * bytes). The parser allocates nothing; run with -malloc_limit_mb=1.
 */
#include <stdlib.h>
#include <string.h>

#include "node/node_http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROWS 5000
#define MAX_OFFSET 100000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct node_http_limits lim = { MAX_ROWS, MAX_OFFSET };
	static struct node_http_req r;
	static struct proto_query back;
	uint8_t w1[PROTO_QUERY_WIRE_MAX], w2[PROTO_QUERY_WIRE_MAX];
	size_t n1, n2;

	if (node_http_req_parse(&r, (const char *)data, size, 1700000000, &lim) != 0) {
		if (r.status != 400 && r.status != 404 && r.status != 414 && r.status != 416)
			abort();
		size_t wl = strnlen(r.why, sizeof(r.why));
		if (wl == 0 || wl == sizeof(r.why))
			abort();
		for (size_t i = 0; i < wl; i++)
			if ((unsigned char)r.why[i] < 0x20)
				abort();
		return 0;
	}
	if (r.api == NODE_HTTP_API_NONE)
		abort();
	if (r.verb != NODE_HTTP_LOOKUP && r.verb != NODE_HTTP_SUMMARIZE)
		return 0;
	if (r.api == NODE_HTTP_API_METRICS || r.q.limit == 0 || r.q.limit > MAX_ROWS ||
	    r.q.offset > MAX_OFFSET || (r.verb == NODE_HTTP_LOOKUP && r.max_count != 0))
		abort();
	if (proto_query_encode(&r.q, w1, sizeof(w1), &n1) != 0 ||
	    proto_query_decode(&back, w1, n1) != 0 ||
	    proto_query_encode(&back, w2, sizeof(w2), &n2) != 0 || n1 != n2 ||
	    memcmp(w1, w2, n1) != 0)
		abort();
	return 0;
}
