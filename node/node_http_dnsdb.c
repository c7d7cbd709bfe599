/*
 * node_http_dnsdb.c - DNSDB API answers: v2 in SAF framing, v1 as bare
 * lines, and rate_limit and ping.
 *
 * One object per stored (rrname, rrtype, rdata) row, rdata an array of
 * that one value (v1 rdata lookups: the string), names and bailiwicks with
 * their trailing dot, keys in DNSDB's order. SAF: {"cond":"begin"} first,
 * {"obj":...} lines, then exactly one of succeeded, limited (with a msg
 * saying which limit) or failed; every line ends with a newline and none
 * is blank, because dnsdbq aborts on a line that is not JSON and ignores a
 * last line without its newline.
 */
#include <stdio.h>
#include <string.h>

#include "node/node_http_impl.h"
#include "proto/proto_cof.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_time.h"

#define NO_RESULTS "no results found for query."

static void
put_name(struct proto_buf *b, const char *key, const uint8_t *wire, size_t len)
{
	char tmp[PROTO_NAME_TEXT_MAX + 2];
	struct proto_buf nb;

	proto_buf_init(&nb, tmp, sizeof(tmp));
	proto_name_format(wire, len, &nb);
	if (len > 1) /* the root is "." already */
		proto_buf_putc(&nb, '.');
	proto_cof_put_field(b, key, tmp, nb.len);
}

/* ,"key":T (epoch) or ,"key":"2024-01-31T12:00:00Z" (humantime). */
static void
put_time(struct proto_buf *b, const char *key, int64_t t, bool human)
{
	char iso[PROTO_TIME_TEXT_MAX];

	proto_buf_puts(b, ",\"");
	proto_buf_puts(b, key);
	proto_buf_puts(b, "\":");
	if (!human) {
		proto_buf_put_i64(b, t);
		return;
	}
	proto_time_format_iso(t, iso);
	char *sp = strchr(iso, ' ');
	if (sp != NULL)
		*sp = 'T';
	proto_buf_putc(b, '"');
	proto_buf_puts(b, iso);
	proto_buf_puts(b, "Z\"");
}

struct row_arg {
	const struct proto_obs *o;
	const struct node_http_req *r;
};

static void
fmt_row(struct proto_buf *b, const void *arg)
{
	const struct row_arg *ra = arg;
	const struct proto_obs *o = ra->o;
	bool v2 = ra->r->api == NODE_HTTP_API_V2;
	char tt[PROTO_RRTYPE_TEXT_MAX];
	const char *tn = proto_rrtype_name(o->rrtype, tt);

	proto_buf_puts(b, v2 ? "{\"obj\":{\"count\":" : "{\"count\":");
	proto_buf_put_u64(b, o->count);
	put_time(b, "time_first", o->time_first, ra->r->humantime);
	put_time(b, "time_last", o->time_last, ra->r->humantime);
	proto_buf_putc(b, ',');
	put_name(b, "rrname", o->name, o->name_len);
	proto_buf_putc(b, ',');
	proto_cof_put_field(b, "rrtype", tn, strlen(tn));
	if (o->bailiwick != NULL) {
		proto_buf_putc(b, ',');
		put_name(b, "bailiwick", o->bailiwick, o->bailiwick_len);
	}
	if (!v2 && ra->r->rdata) {
		proto_buf_putc(b, ',');
		proto_cof_put_field(b, "rdata", o->rdata, o->rdata_len);
	} else {
		proto_buf_puts(b, ",\"rdata\":[\"");
		proto_buf_put_json(b, o->rdata, o->rdata_len);
		proto_buf_puts(b, "\"]");
	}
	proto_buf_puts(b, v2 ? "}}\n" : "}\n");
}

struct answer_ctx {
	struct node_http_answer *a;
	const struct node_http_req *r;
	bool full;               /* the body reached half its bound: rows stop */
	uint64_t count, n;       /* summarize */
	int64_t first, last;
};

static void
on_row(void *arg, const struct proto_obs *o)
{
	struct answer_ctx *c = arg;

	if (c->r->verb == NODE_HTTP_SUMMARIZE) {
		c->count = o->count > UINT64_MAX - c->count ? UINT64_MAX : c->count + o->count;
		if (c->n == 0 || o->time_first < c->first)
			c->first = o->time_first;
		if (c->n == 0 || o->time_last > c->last)
			c->last = o->time_last;
		c->n++;
		return;
	}
	if (c->full || c->a->body.len >= NODE_HTTP_BODY_MAX / 2) {
		c->full = true;
		return;
	}
	struct row_arg ra = { o, c->r };
	node_http_body_add(&c->a->body, fmt_row, &ra);
	c->a->rows++;
}

static void
fmt_summary(struct proto_buf *b, const void *arg)
{
	const struct answer_ctx *c = arg;
	bool v2 = c->r->api == NODE_HTTP_API_V2;

	proto_buf_puts(b, v2 ? "{\"obj\":{\"count\":" : "{\"count\":");
	proto_buf_put_u64(b, c->count);
	proto_buf_puts(b, ",\"num_results\":");
	proto_buf_put_u64(b, c->n);
	put_time(b, "time_first", c->first, c->r->humantime);
	put_time(b, "time_last", c->last, c->r->humantime);
	proto_buf_puts(b, v2 ? "}}\n" : "}\n");
}

/* {"cond":"COND","msg":"MSG"} */
static void
saf_cond(struct node_http_body *body, const char *cond, const char *msg)
{
	char line[512];
	struct proto_buf b;

	proto_buf_init(&b, line, sizeof(line));
	proto_buf_puts(&b, "{\"cond\":\"");
	proto_buf_puts(&b, cond);
	proto_buf_putc(&b, '"');
	if (msg != NULL) {
		proto_buf_puts(&b, ",\"msg\":\"");
		proto_buf_put_json(&b, msg, strnlen(msg, 300));
		proto_buf_putc(&b, '"');
	}
	proto_buf_puts(&b, "}\n");
	node_http_body_puts(body, line);
}

void
node_http_dnsdb_answer(struct node_http *h, const struct node_http_req *r,
                       struct node_http_answer *a)
{
	struct answer_ctx c = { a, r, false, 0, 0, 0, 0 };
	struct node_http_result res;
	bool v2 = r->api == NODE_HTTP_API_V2;
	int api = v2 ? NODE_HTTP_CNT_V2 : NODE_HTTP_CNT_V1;

	a->status = 200;
	a->type = v2 ? "application/x-ndjson" : "application/json";
	if (v2)
		saf_cond(&a->body, "begin", NULL);
	atomic_fetch_add(&h->queries[api], 1);
	int err = node_http_run(h, r, on_row, &c, &res);
	if (err == PROTO_EINVAL) {
		node_http_drop(h, NODE_HTTP_DROP_REFUSED);
		node_http_answer_error(a, 400, res.why);
		return;
	}
	if (r->verb == NODE_HTTP_SUMMARIZE && err == 0 && c.n > 0) {
		node_http_body_add(&a->body, fmt_summary, &c);
		a->rows = 1;
	}
	atomic_fetch_add(&h->rows[api], a->rows);
	if (err != 0) {
		node_http_drop(h, NODE_HTTP_DROP_FAILED);
		if (!v2) {
			node_http_answer_error(a, 500, "the store failed; try again");
			return;
		}
		saf_cond(&a->body, "failed", "the store failed; try again");
		return;
	}
	if (!v2 && a->rows == 0) {
		node_http_answer_error(a, 404, NO_RESULTS);
		return;
	}
	if (!v2)
		return;
	if (c.full)
		saf_cond(&a->body, "limited", "Result size limit reached");
	else if (res.capped)
		saf_cond(&a->body, "limited", "Query scan limit reached (max-scan); narrow the "
		         "query for complete results");
	else if (res.limited)
		saf_cond(&a->body, "limited", "Result limit reached");
	else
		saf_cond(&a->body, "succeeded", NULL);
}

void
node_http_dnsdb_rate_limit(struct node_http *h, const struct node_http_req *r, long b,
                           struct node_http_answer *a)
{
	struct node_http_rate rate;
	char line[512];
	bool v2 = r->api == NODE_HTTP_API_V2;
	/* v1's was pretty-printed over lines; dnsdbq joins the lines either way. */
	const char *sep = v2 ? "" : "\n    ", *open = v2 ? "{\"rate\":{" : "{\n  \"rate\": {";
	const char *close = v2 ? "}}\n" : "\n  }\n}\n", *colon = v2 ? ":" : ": ";

	node_http_quota_peek(h, b, &rate);
	if (rate.limit == 0)
		snprintf(line, sizeof(line), "%s%s\"reset\"%s\"n/a\",%s\"limit\"%s\"unlimited\",%s"
		         "\"remaining\"%s\"n/a\",%s\"results_max\"%s%u,%s\"offset_max\"%s%u%s", open,
		         sep, colon, sep, colon, sep, colon, sep, colon, h->cfg->http.max_rows, sep,
		         colon, h->cfg->http.max_scan, close);
	else
		snprintf(line, sizeof(line), "%s%s\"reset\"%s%lld,%s\"limit\"%s%llu,%s"
		         "\"remaining\"%s%llu,%s\"results_max\"%s%u,%s\"offset_max\"%s%u%s", open,
		         sep, colon, (long long)rate.reset, sep, colon,
		         (unsigned long long)rate.limit, sep, colon,
		         (unsigned long long)rate.remaining, sep, colon, h->cfg->http.max_rows, sep,
		         colon, h->cfg->http.max_scan, close);
	a->status = 200;
	a->type = "application/json";
	node_http_body_puts(&a->body, line);
}

void
node_http_dnsdb_ping(struct node_http_answer *a)
{
	a->status = 200;
	a->type = "application/json";
	node_http_body_puts(&a->body, "{\"ping\":\"ok\"}\n");
}
