/*
 * cli_graph.c - nodes and edges of a pivot, and their DOT and GDF forms.
 *
 * Nodes and edges live in growing arrays (in order of first appearance, so
 * the output is stable), each found again through an open addressing table
 * of indices, as cli_rows does for rows. A pivot draws a few thousand
 * nodes at most, so each id is its own allocation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_graph.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"

struct cli_graph_n {
	struct cli_graph_node pub;
	uint64_t hash;
};

struct cli_graph {
	struct cli_graph_n *node;
	size_t nnodes, node_cap;
	struct cli_graph_edge *edge;
	size_t nedges, edge_cap;
	size_t *node_slot, *edge_slot;  /* index + 1; 0 is empty */
	size_t node_nslots, edge_nslots; /* powers of two, at least twice n */
};

int
cli_graph_format_parse(const char *text, enum cli_graph_format *fmt)
{
	if (strcmp(text, "dot") == 0)
		*fmt = CLI_GRAPH_DOT;
	else if (strcmp(text, "gdf") == 0)
		*fmt = CLI_GRAPH_GDF;
	else
		return PROTO_EINVAL;
	return 0;
}

int
cli_graph_new(struct cli_graph **out)
{
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? PROTO_ENOMEM : 0;
}

void
cli_graph_destroy(struct cli_graph **gp)
{
	struct cli_graph *g = *gp;

	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nnodes; i++)
		free((char *)g->node[i].pub.id);
	free(g->node);
	free(g->edge);
	free(g->node_slot);
	free(g->edge_slot);
	free(g);
	*gp = NULL;
}

/* FNV-1a, seeded with the kind so a name and an address never collide. */
static uint64_t
cli_graph_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static uint64_t
cli_graph_edge_hash(size_t from, size_t to, uint16_t rrtype)
{
	uint64_t h = cli_graph_hash(&from, sizeof(from), 1469598103934665603ULL);

	h = cli_graph_hash(&to, sizeof(to), h);
	return cli_graph_hash(&rrtype, sizeof(rrtype), h);
}

/* Rebuild a table of nslots for n items whose hash hash_of(i) gives. */
static int
cli_graph_rehash(size_t **slot, size_t *nslots, size_t n,
                 uint64_t (*hash_of)(const struct cli_graph *, size_t),
                 const struct cli_graph *g)
{
	size_t want = *nslots ? *nslots : 64;

	while (want < 2 * (n + 1))
		want *= 2;
	if (want == *nslots)
		return 0;
	size_t *s = calloc(want, sizeof(*s));
	if (s == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)hash_of(g, i) & (want - 1);
		while (s[k] != 0)
			k = (k + 1) & (want - 1);
		s[k] = i + 1;
	}
	free(*slot);
	*slot = s;
	*nslots = want;
	return 0;
}

static uint64_t
cli_graph_node_hash_of(const struct cli_graph *g, size_t i)
{
	return g->node[i].hash;
}

static uint64_t
cli_graph_edge_hash_of(const struct cli_graph *g, size_t i)
{
	const struct cli_graph_edge *e = &g->edge[i];

	return cli_graph_edge_hash(e->from, e->to, e->rrtype);
}

/* Grow an array of *cap elements of size sz to hold one more. */
static int
cli_graph_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t want = *cap ? 2 * *cap : 64;
	void *p = realloc(*arr, want * sz);
	if (p == NULL)
		return PROTO_ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}

int
cli_graph_node_add(struct cli_graph *g, enum cli_graph_kind kind,
                   const char *id, size_t len, unsigned hop, size_t *idx,
                   bool *added)
{
	uint64_t h = cli_graph_hash(id, len, 1469598103934665603ULL ^ (uint64_t)kind);
	size_t k;
	int err;

	if (len == 0 || len > CLI_GRAPH_TEXT_MAX)
		return PROTO_EINVAL;
	if ((err = cli_graph_rehash(&g->node_slot, &g->node_nslots, g->nnodes,
	                            cli_graph_node_hash_of, g)) != 0)
		return err;
	for (k = (size_t)h & (g->node_nslots - 1); g->node_slot[k] != 0;
	     k = (k + 1) & (g->node_nslots - 1)) {
		const struct cli_graph_n *n = &g->node[g->node_slot[k] - 1];
		if (n->hash == h && n->pub.kind == kind && n->pub.id_len == len &&
		    memcmp(n->pub.id, id, len) == 0) {
			*idx = g->node_slot[k] - 1;
			if (added != NULL)
				*added = false;
			return 0;
		}
	}
	if ((err = cli_graph_grow((void **)&g->node, &g->node_cap, g->nnodes,
	                          sizeof(*g->node))) != 0)
		return err;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return PROTO_ENOMEM;
	memcpy(copy, id, len);
	copy[len] = '\0';
	g->node[g->nnodes] = (struct cli_graph_n){
		.pub = { .id = copy, .id_len = len, .kind = (uint8_t)kind, .hop = hop },
		.hash = h,
	};
	g->node_slot[k] = ++g->nnodes;
	*idx = g->nnodes - 1;
	if (added != NULL)
		*added = true;
	return 0;
}

/*
 * The node an rdata points at: an address for A/AAAA, the name for the
 * types that end in one (MX and SRV after their numbers). False when the
 * type is not drawn or the rdata does not parse.
 */
static bool
cli_graph_target(uint16_t rrtype, const char *rdata, size_t len,
                 enum cli_graph_kind *kind, struct proto_buf *b)
{
	char tmp[64];
	uint8_t addr[16], wire[PROTO_NAME_MAX];
	size_t wlen;

	if (rrtype == PROTO_T_A || rrtype == PROTO_T_AAAA) {
		if (len >= sizeof(tmp))
			return false;
		memcpy(tmp, rdata, len);
		tmp[len] = '\0';
		*kind = CLI_GRAPH_ADDR;
		if (rrtype == PROTO_T_A) {
			if (inet_pton(AF_INET, tmp, addr) != 1)
				return false;
			proto_buf_put_ipv4(b, addr);
		} else {
			if (inet_pton(AF_INET6, tmp, addr) != 1)
				return false;
			proto_buf_put_ipv6(b, addr);
		}
		return b->err == 0;
	}
	/* The store's rdata-name index uses the same function: what -n finds
	 * is what is drawn. */
	if (!proto_rdata_target(rrtype, rdata, len, wire, &wlen) || wlen <= 1)
		return false;
	*kind = CLI_GRAPH_NAME;
	proto_name_format(wire, wlen, b);
	proto_buf_putc(b, '.');
	return b->err == 0;
}

int
cli_graph_add_row(struct cli_graph *g, const struct proto_obs *o, unsigned hop,
                  size_t *edge)
{
	char owner_s[CLI_GRAPH_TEXT_MAX + 1], target_s[CLI_GRAPH_TEXT_MAX + 1];
	struct proto_buf owner, target;
	enum cli_graph_kind kind;
	size_t from, to, k;
	int err;

	*edge = SIZE_MAX;
	if (o->section == PROTO_SEC_NXDOMAIN || o->name_len <= 1)
		return 0;
	proto_buf_init(&owner, owner_s, sizeof(owner_s));
	proto_buf_init(&target, target_s, sizeof(target_s));
	proto_name_format(o->name, o->name_len, &owner);
	proto_buf_putc(&owner, '.');
	if (owner.err != 0 ||
	    !cli_graph_target(o->rrtype, o->rdata, o->rdata_len, &kind, &target))
		return 0;
	if ((err = cli_graph_node_add(g, CLI_GRAPH_NAME, owner.data, owner.len, hop,
	                              &from, NULL)) != 0 ||
	    (err = cli_graph_node_add(g, kind, target.data, target.len, hop, &to,
	                              NULL)) != 0)
		return err;
	if ((err = cli_graph_rehash(&g->edge_slot, &g->edge_nslots, g->nedges,
	                            cli_graph_edge_hash_of, g)) != 0)
		return err;
	uint64_t h = cli_graph_edge_hash(from, to, o->rrtype);
	for (k = (size_t)h & (g->edge_nslots - 1); g->edge_slot[k] != 0;
	     k = (k + 1) & (g->edge_nslots - 1)) {
		struct cli_graph_edge *e = &g->edge[g->edge_slot[k] - 1];
		if (e->from == from && e->to == to && e->rrtype == o->rrtype) {
			if (o->time_first < e->time_first)
				e->time_first = o->time_first;
			if (o->time_last > e->time_last)
				e->time_last = o->time_last;
			e->count += o->count;
			*edge = g->edge_slot[k] - 1;
			return 0;
		}
	}
	if ((err = cli_graph_grow((void **)&g->edge, &g->edge_cap, g->nedges,
	                          sizeof(*g->edge))) != 0)
		return err;
	g->edge[g->nedges] = (struct cli_graph_edge){
		.from = from, .to = to, .rrtype = o->rrtype,
		.time_first = o->time_first, .time_last = o->time_last, .count = o->count,
	};
	g->edge_slot[k] = ++g->nedges;
	*edge = g->nedges - 1;
	return 0;
}

size_t
cli_graph_nnodes(const struct cli_graph *g)
{
	return g->nnodes;
}

size_t
cli_graph_nedges(const struct cli_graph *g)
{
	return g->nedges;
}

const struct cli_graph_node *
cli_graph_node(const struct cli_graph *g, size_t i)
{
	return i < g->nnodes ? &g->node[i].pub : NULL;
}

const struct cli_graph_edge *
cli_graph_edge(const struct cli_graph *g, size_t i)
{
	return i < g->nedges ? &g->edge[i] : NULL;
}

void
cli_graph_set_seed(struct cli_graph *g, size_t i)
{
	if (i < g->nnodes)
		g->node[i].pub.seed = true;
}

void
cli_graph_set_skip(struct cli_graph *g, size_t i, enum cli_graph_skip why)
{
	if (i < g->nnodes)
		g->node[i].pub.skip = (uint8_t)why;
}

/* Writers: everything goes through one FILE; errors are checked at the end. */

/* A label drops a name's final dot: "example.com" reads better. */
static size_t
cli_graph_label_len(const struct cli_graph_node *n)
{
	if (n->kind == CLI_GRAPH_NAME && n->id_len > 1 && n->id[n->id_len - 1] == '.')
		return n->id_len - 1;
	return n->id_len;
}

static void
cli_graph_ddd(FILE *f, unsigned char c)
{
	fprintf(f, "\\%03u", c);
}

/*
 * A DOT string body. In an id only \" is special to dot; in a label dot
 * also reads \\ and \n, so a label gets "\\DDD" to show dig's \DDD.
 */
static void
cli_graph_dot_str(FILE *f, const char *s, size_t n, bool label)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c < 0x20 || c >= 0x7f) {
			if (label)
				fputc('\\', f);
			cli_graph_ddd(f, c);
		} else {
			fputc(c, f);
		}
	}
}

static const char *
cli_graph_skip_text(unsigned skip)
{
	switch (skip) {
	case CLI_GRAPH_SKIP_FANOUT: return "skipped: fan-out cap";
	case CLI_GRAPH_SKIP_PREFIX: return "skipped: excluded prefix";
	default: return NULL;
	}
}

/* "2024-01-31" (dates: an edge label has little room), or "?" for 0. */
static void
cli_graph_date(char out[32], int64_t t, bool with_time)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, with_time ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d", &tm) == 0)
		snprintf(out, 32, "%s", t == 0 ? "?" : "-");
}

static int
cli_graph_end(FILE *f)
{
	if (fflush(f) != 0 || ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return PROTO_EIO;
	}
	return 0;
}

int
cli_graph_write_dot(FILE *f, const struct cli_graph *g)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX], d1[32], d2[32];

	fputs("digraph pdns {\n"
	      "\tgraph [rankdir=LR, overlap=false, fontname=\"Helvetica\"];\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=10, style=filled];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=8];\n", f);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct cli_graph_node *n = &g->node[i].pub;
		const char *skip = cli_graph_skip_text(n->skip);
		bool name = n->kind == CLI_GRAPH_NAME;
		size_t llen = cli_graph_label_len(n);

		fputs("\t\"", f);
		cli_graph_dot_str(f, n->id, n->id_len, false);
		fputs("\" [label=\"", f);
		cli_graph_dot_str(f, n->id, llen, true);
		if (skip != NULL)
			fprintf(f, "\\n(%s)", skip);
		fprintf(f, "\", shape=%s, fillcolor=\"%s\"", name ? "ellipse" : "box",
		        n->seed ? "#f4a6a6" : skip != NULL ? "#dddddd"
		        : name ? "#cfe2f3" : "#fff2cc");
		if (n->seed)
			fputs(", color=\"#cc0000\", penwidth=3", f);
		if (skip != NULL)
			fputs(", style=\"filled,dashed\"", f);
		fputs("];\n", f);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const struct cli_graph_edge *e = &g->edge[i];
		const struct cli_graph_node *a = &g->node[e->from].pub;
		const struct cli_graph_node *b = &g->node[e->to].pub;

		fputs("\t\"", f);
		cli_graph_dot_str(f, a->id, a->id_len, false);
		fputs("\" -> \"", f);
		cli_graph_dot_str(f, b->id, b->id_len, false);
		cli_graph_date(d1, e->time_first, false);
		cli_graph_date(d2, e->time_last, false);
		fprintf(f, "\" [label=\"%s\\n%s .. %s", proto_rrtype_name(e->rrtype, tmp),
		        d1, d2);
		if (e->count > 0)
			fprintf(f, "\\ncount %" PRIu64, e->count);
		fputs("\"];\n", f);
	}
	fputs("}\n", f);
	return cli_graph_end(f);
}

/* A GDF VARCHAR: single-quoted, with what would end it early as \DDD. */
static void
cli_graph_gdf_str(FILE *f, const char *s, size_t n)
{
	fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\'' || c == '\\' || c < 0x20 || c >= 0x7f)
			cli_graph_ddd(f, c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

int
cli_graph_write_gdf(FILE *f, const struct cli_graph *g)
{
	char tmp[PROTO_RRTYPE_TEXT_MAX], d1[32], d2[32];

	fputs("nodedef>name VARCHAR,label VARCHAR,kind VARCHAR,seed BOOLEAN,"
	      "hop INTEGER,skipped VARCHAR\n", f);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct cli_graph_node *n = &g->node[i].pub;
		const char *skip = cli_graph_skip_text(n->skip);
		bool name = n->kind == CLI_GRAPH_NAME;
		size_t llen = cli_graph_label_len(n);

		cli_graph_gdf_str(f, n->id, n->id_len);
		fputc(',', f);
		cli_graph_gdf_str(f, n->id, llen);
		fprintf(f, ",'%s',%s,%u,'%s'\n", name ? "name" : "address",
		        n->seed ? "true" : "false", n->hop,
		        skip != NULL ? skip + sizeof("skipped: ") - 1 : "");
	}
	fputs("edgedef>node1 VARCHAR,node2 VARCHAR,directed BOOLEAN,rrtype VARCHAR,"
	      "time_first VARCHAR,time_last VARCHAR,count DOUBLE\n", f);
	for (size_t i = 0; i < g->nedges; i++) {
		const struct cli_graph_edge *e = &g->edge[i];

		const struct cli_graph_node *a = &g->node[e->from].pub;
		const struct cli_graph_node *b = &g->node[e->to].pub;

		cli_graph_gdf_str(f, a->id, a->id_len);
		fputc(',', f);
		cli_graph_gdf_str(f, b->id, b->id_len);
		cli_graph_date(d1, e->time_first, true);
		cli_graph_date(d2, e->time_last, true);
		fprintf(f, ",true,'%s','%s','%s',%" PRIu64 "\n",
		        proto_rrtype_name(e->rrtype, tmp), d1, d2, e->count);
	}
	return cli_graph_end(f);
}

int
cli_graph_write(FILE *f, enum cli_graph_format fmt, const struct cli_graph *g)
{
	return fmt == CLI_GRAPH_GDF ? cli_graph_write_gdf(f, g) : cli_graph_write_dot(f, g);
}
