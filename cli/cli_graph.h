/*
 * cli_graph.h - the picture of a pivot: names and addresses joined by rows.
 *
 * A node is a DNS name or an IP address; an edge is what passive DNS saw
 * between them: an owner name and the name or address in its rdata, with
 * the rrtype, the earliest time_first, the latest time_last and the summed
 * count. Only rows that join two such nodes are drawn: A and AAAA (name to
 * address), CNAME, DNAME, NS, PTR, MX, KX, AFSDB and SRV (name to the name
 * in the rdata, as the store indexes it for -n; a null MX or SRV target "."
 * is not drawn). Other rows (TXT, SOA,
 * NXDOMAIN...) stay in the rows output but have no edge.
 *
 * Node ids are the names with their trailing dot ("example.com.", as
 * dnsdbq writes them) and the addresses in canonical text (RFC 5952 for
 * IPv6), so a name can never take an address's id and graphs from two runs
 * join on their ids. Edges are deduplicated by (from, to, rrtype).
 *
 * Writers: Graphviz DOT (cli_graph_write_dot; valid input for `dot -Tpng`)
 * and GDF, GUESS's format that Gephi imports (cli_graph_write_gdf). Both
 * quote every id and label themselves; the escaping is described at each.
 *
 * Memory: the graph copies every text it is given; node and edge pointers
 * are borrowed until the next add or cli_graph_destroy. One thread.
 * Errors: PROTO_ENOMEM, PROTO_EINVAL (a text longer than
 * CLI_GRAPH_TEXT_MAX), PROTO_EIO from the writers (errno says why).
 */
#ifndef CLI_GRAPH_H
#define CLI_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/proto_obs.h"

enum cli_graph_kind {
	CLI_GRAPH_NAME = 1,
	CLI_GRAPH_ADDR = 2,
};

/* Why a pivot did not follow a node (drawn dashed and grey). */
enum cli_graph_skip {
	CLI_GRAPH_FOLLOWED = 0,
	CLI_GRAPH_SKIP_FANOUT,  /* it has more names (or zones) than the cap */
	CLI_GRAPH_SKIP_PREFIX,  /* an address in a prefix the user excluded */
};

/* A name's id plus its dot, or an address: the longest id held. */
#define CLI_GRAPH_TEXT_MAX 1100

struct cli_graph_node {
	const char *id;     /* NUL-terminated: "example.com." or "192.0.2.1" */
	size_t id_len;
	uint8_t kind;       /* enum cli_graph_kind */
	uint8_t skip;       /* enum cli_graph_skip */
	bool seed;          /* what the user asked about: highlighted */
	unsigned hop;       /* the pivot hop that first reached it */
};

struct cli_graph_edge {
	size_t from, to;    /* node indexes */
	uint16_t rrtype;
	int64_t time_first, time_last;
	uint64_t count;
};

enum cli_graph_format {
	CLI_GRAPH_DOT,
	CLI_GRAPH_GDF,
};

/* "dot" or "gdf"; PROTO_EINVAL otherwise (then try cli_out_format_parse). */
int cli_graph_format_parse(const char *text, enum cli_graph_format *fmt);

struct cli_graph;

int cli_graph_new(struct cli_graph **out);
void cli_graph_destroy(struct cli_graph **gp);

/*
 * Find or add the node (kind, id[0..len)); *idx gets its index and *added
 * (when not NULL) whether it is new. A new node gets `hop`. The id is taken
 * as given: callers use cli_graph_add_row or the canonical forms above.
 */
int cli_graph_node_add(struct cli_graph *g, enum cli_graph_kind kind,
                       const char *id, size_t len, unsigned hop, size_t *idx,
                       bool *added);

/*
 * Draw one row: its owner name and its rdata target become nodes (new ones
 * get `hop`) and the edge is added or merged (earliest first, latest last,
 * counts added). *edge gets the edge's index, or SIZE_MAX when the row is
 * not drawn (a type above does not list, unparsable rdata, an NXDOMAIN
 * row); that is not an error.
 */
int cli_graph_add_row(struct cli_graph *g, const struct proto_obs *o,
                      unsigned hop, size_t *edge);

size_t cli_graph_nnodes(const struct cli_graph *g);
size_t cli_graph_nedges(const struct cli_graph *g);
const struct cli_graph_node *cli_graph_node(const struct cli_graph *g, size_t i);
const struct cli_graph_edge *cli_graph_edge(const struct cli_graph *g, size_t i);

/* Mark node i as a seed, or as skipped for `why`. */
void cli_graph_set_seed(struct cli_graph *g, size_t i);
void cli_graph_set_skip(struct cli_graph *g, size_t i, enum cli_graph_skip why);

/*
 * Graphviz DOT: a digraph, left to right; names are blue ellipses,
 * addresses yellow boxes, seeds red with a thick border, skipped nodes grey
 * and dashed with the reason in their label; edge labels give the rrtype,
 * the dates of first and last sight (UTC) and the count. Ids and labels are
 * double-quoted with '"' and '\' backslash-escaped, a newline written \n
 * and every other control or non-ASCII byte as \DDD (dig's form), so any
 * text gives a file dot accepts and distinct ids stay distinct.
 */
int cli_graph_write_dot(FILE *f, const struct cli_graph *g);

/*
 * GDF: "nodedef>name VARCHAR,label VARCHAR,kind VARCHAR,seed BOOLEAN,
 * hop INTEGER,skipped VARCHAR", one line per node, then "edgedef>node1
 * VARCHAR,node2 VARCHAR,directed BOOLEAN,rrtype VARCHAR,time_first
 * VARCHAR,time_last VARCHAR,count DOUBLE" (DOUBLE: Gephi's INTEGER is 32
 * bits), one line per edge. Every VARCHAR value is in single quotes; a
 * quote, a backslash, a control or a non-ASCII byte inside one is written
 * \DDD, so a value never holds the "'," that ends it early in Gephi's
 * reader, nor a backslash before its closing quote.
 */
int cli_graph_write_gdf(FILE *f, const struct cli_graph *g);

int cli_graph_write(FILE *f, enum cli_graph_format fmt, const struct cli_graph *g);

#endif
