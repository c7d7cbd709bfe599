/*
 * node_http_circl.c - CIRCL pDNS answers: COF NDJSON, one line per merged
 * row, byte for byte the lines pdns -j prints (proto_cof.h: names without
 * the trailing dot, rdata a string, integer times and count). No result is
 * 200 with an empty body (PyPDNS refuses any other status; dnsdbq prints
 * nothing either way). CIRCL has no way to say an answer was cut, so a
 * limited answer is only logged.
 */
#include "node/node_http_impl.h"
#include "node/node_log.h"
#include "proto/proto_cof.h"
#include "proto/proto_err.h"

struct circl_ctx {
	struct node_http_answer *a;
	bool full;
};

static void
fmt_row(struct proto_buf *b, const void *arg)
{
	proto_cof_format(b, arg);
}

static void
on_row(void *arg, const struct proto_obs *o)
{
	struct circl_ctx *c = arg;

	if (c->full || c->a->body.len >= NODE_HTTP_BODY_MAX / 2) {
		c->full = true;
		return;
	}
	node_http_body_add(&c->a->body, fmt_row, o);
	c->a->rows++;
}

void
node_http_circl_answer(struct node_http *h, const struct node_http_req *r,
                       struct node_http_answer *a)
{
	struct circl_ctx c = { a, false };
	struct node_http_result res;

	a->status = 200;
	a->type = "application/x-ndjson";
	atomic_fetch_add(&h->queries[NODE_HTTP_CNT_CIRCL], 1);
	int err = node_http_run(h, r, on_row, &c, &res);
	atomic_fetch_add(&h->rows[NODE_HTTP_CNT_CIRCL], a->rows);
	if (err == PROTO_EINVAL) {
		node_http_drop(h, NODE_HTTP_DROP_REFUSED);
		node_http_answer_error(a, 400, res.why);
	} else if (err != 0) {
		node_http_drop(h, NODE_HTTP_DROP_FAILED);
		node_http_answer_error(a, 500, "the store failed; try again");
	} else if (res.limited || c.full) {
		node_log("http: a CIRCL answer was cut at %llu rows (%s)",
		         (unsigned long long)a->rows, res.capped ? "max-scan" : "the row limit");
	}
}
