/*
 * node_http_body.c - answer bodies: one growing buffer per answer, handed
 * to libmicrohttpd whole once built (a query's answer is complete before
 * its first byte leaves, so a failure can still change the status).
 *
 * Rows are formatted straight into the buffer's spare room: first with
 * room for an ordinary row, and only when that does not fit with room for
 * the longest canonical rdata, so a body grows with what it holds.
 */
#include <stdlib.h>
#include <string.h>

#include "node/node_http_impl.h"
#include "proto/proto_err.h"
#include "proto/proto_rdata.h"

#define ROOM_SMALL (16u << 10)
/* JSON escapes can double a canonical rdata; names and fields besides. */
#define ROOM_LARGE (2u * PROTO_RDATA_TEXT_MAX + 16384u)

void
node_http_body_init(struct node_http_body *b)
{
	memset(b, 0, sizeof(*b));
}

void
node_http_body_free(struct node_http_body *b)
{
	free(b->data);
	node_http_body_init(b);
}

/* Make room for n more bytes (and a NUL). */
static bool
reserve(struct node_http_body *b, size_t n)
{
	if (b->err != 0)
		return false;
	if (n > NODE_HTTP_BODY_MAX - b->len) {
		b->err = PROTO_ESPACE;
		return false;
	}
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (d == NULL) {
		b->err = PROTO_ENOMEM;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void
node_http_body_puts(struct node_http_body *b, const char *s)
{
	size_t n = strlen(s);

	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

void
node_http_body_add(struct node_http_body *b,
                   void (*fn)(struct proto_buf *pb, const void *arg), const void *arg)
{
	static const size_t room[] = { ROOM_SMALL, ROOM_LARGE };
	struct proto_buf pb;

	for (size_t i = 0; i < sizeof(room) / sizeof(room[0]); i++) {
		if (!reserve(b, room[i]))
			return;
		proto_buf_init(&pb, b->data + b->len, b->cap - b->len);
		fn(&pb, arg);
		if (pb.err == 0) {
			b->len += pb.len;
			return;
		}
		b->data[b->len] = '\0';
	}
	b->err = PROTO_ESPACE; /* longer than any canonical row: never */
}

void
node_http_answer_error(struct node_http_answer *a, unsigned status, const char *what)
{
	node_http_body_free(&a->body);
	a->status = status;
	a->type = "text/plain; charset=utf-8";
	a->rows = 0;
	node_http_body_puts(&a->body, "Error: ");
	node_http_body_puts(&a->body, what);
	node_http_body_puts(&a->body, "\n");
}
