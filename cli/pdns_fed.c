/*
 * pdns_fed.c - pdns's federated lookups: which sources --sources names
 * (local, peers, providers, node:NAME), one session of them (the store or
 * node opened once, the provider cache), the lookup with one status per
 * source, and --pivot, which runs the query and its pivots through the
 * same lookups (plain or federated) and prints rows or the graph.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli_node.h"
#include "cli/fed.h"
#include "cli/pdns_impl.h"
#include "proto/proto_err.h"
#include "store/store_db.h"

/* What --sources asks for. */
struct selection {
	bool local, peers;
	const struct pdns_conf_provider **provs;
	size_t nprovs;
	/* node:NAME, node:all: providers the node asks for us (5.3.2). */
	char node_name[PROTO_PEER_PROVIDERS_MAX][PROTO_PEER_ORIGIN_MAX + 1];
	const char *node_provs[PROTO_PEER_PROVIDERS_MAX];
	size_t n_node_provs;
	bool node_all;
};

/* node:NAME: one of the node's providers; prints the error. */
static int
select_node_provider(const struct args *a, struct selection *sel, const char *name)
{
	if (strcmp(name, "all") == 0) {
		sel->node_all = true;
		return 0;
	}
	for (size_t i = 0; i < sel->n_node_provs; i++)
		if (strcmp(sel->node_name[i], name) == 0)
			return 0;
	if (name[0] == '\0' || strlen(name) > PROTO_PEER_ORIGIN_MAX ||
	    sel->n_node_provs == PROTO_PEER_PROVIDERS_MAX)
		return bad_usage("--sources '%s': node:NAME takes a name of 1..32 characters, "
		                 "at most 16 of them", a->sources);
	snprintf(sel->node_name[sel->n_node_provs], sizeof(sel->node_name[0]), "%s", name);
	sel->node_provs[sel->n_node_provs] = sel->node_name[sel->n_node_provs];
	sel->n_node_provs++;
	return 0;
}

static void
select_provider(struct selection *sel, const struct pdns_conf_provider *p)
{
	for (size_t i = 0; i < sel->nprovs; i++)
		if (sel->provs[i] == p)
			return;
	sel->provs[sel->nprovs++] = p;
}

/* Parse the source list; prints the error. */
static int
parse_sources(const struct args *a, const struct pdns_conf *conf, struct selection *sel)
{
	const char *p = a->sources;

	for (;;) {
		size_t len = strcspn(p, ",");
		char name[CLI_ROWS_ORIGIN_MAX + 1];
		const struct pdns_conf_provider *prov;

		if (len == 0 || len > CLI_ROWS_ORIGIN_MAX)
			return bad_usage("--sources '%s': an empty or over-long source name",
			                 a->sources);
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "all") == 0) {
			sel->local = a->store != NULL || a->node != NULL;
			sel->peers = a->node != NULL;
			for (size_t i = 0; i < conf->n_providers; i++)
				select_provider(sel, &conf->providers[i]);
		} else if (strcmp(name, "local") == 0) {
			sel->local = true;
		} else if (strcmp(name, "peers") == 0) {
			sel->peers = true;
		} else if (strncmp(name, "node:", 5) == 0) {
			int code = select_node_provider(a, sel, name + 5);
			if (code != 0)
				return code;
		} else if ((prov = pdns_conf_provider(conf, name)) != NULL) {
			select_provider(sel, prov);
		} else {
			return bad_usage("--sources: '%s' is neither local, peers, all nor a "
			                 "provider of %s (add a [provider %s] section)", name,
			                 conf->file ? conf->file : "pdns.conf", name);
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (sel->peers && a->node == NULL)
		return bad_usage("%s", "--sources peers: peers are asked through a node "
		                 "(give --node or node = in pdns.conf)");
	if (sel->local && a->store == NULL && a->node == NULL)
		return bad_usage("%s", "--sources local: give --store DIR or --node ENDPOINT");
	if ((sel->n_node_provs > 0 || sel->node_all) && a->node == NULL)
		return bad_usage("%s", "--sources node:NAME: the node's providers are asked "
		                 "through the node (give --node or node = in pdns.conf)");
	if (!sel->local && !sel->peers && sel->nprovs == 0 && sel->n_node_provs == 0 &&
	    !sel->node_all)
		return bad_usage("--sources '%s': no source to ask", a->sources);
	return 0;
}

/*
 * A federated session: the sources chosen once, then one lookup or many
 * (a pivot), their statuses summed, reported once at the end.
 */
struct session {
	struct selection sel;
	struct fed_node node;
	struct fed_req req;
	struct fed_totals tot;
	char cache_note[320];
};

/* Choose the sources and load the node's keys; prints the error. */
static int
session_open(const struct args *a, const struct pdns_conf *conf, struct session *ss)
{
	int code;

	memset(ss, 0, sizeof(*ss));
	ss->sel.provs = calloc(conf->n_providers ? conf->n_providers : 1,
	                       sizeof(*ss->sel.provs));
	if (ss->sel.provs == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return EXIT_SOFTWARE;
	}
	if ((code = parse_sources(a, conf, &ss->sel)) != 0)
		return code;
	bool via_node = ss->sel.n_node_provs > 0 || ss->sel.node_all;
	if (a->node != NULL && (ss->sel.local || ss->sel.peers || via_node)) {
		struct fed_node *n = &ss->node;
		if ((code = pdns_node_keys(a, n->node_pub, n->pub, n->sec)) != 0)
			return code;
		n->endpoint = a->node;
		n->timeout_s = a->node_timeout ? (unsigned)a->node_timeout :
		               conf->deadline_s ? conf->deadline_s : 30;
		/* Peers are asked only when the node may forward at least once. */
		n->hop_limit = !ss->sel.peers ? 0 : conf->hop_limit ? conf->hop_limit : 1;
		n->peers_only = !ss->sel.local;
		n->providers = ss->sel.node_provs;
		n->nproviders = ss->sel.n_node_provs;
		n->providers_all = ss->sel.node_all;
		ss->req.node = n;
	} else if (ss->sel.local) {
		char why[512] = "";
		int err;
		ss->req.store = a->store;
		/* Opened once for every lookup of a pivot; a store that cannot be
		 * opened is that source's status, as fed_run would say. */
		if ((err = store_db_open(&ss->req.store_db, a->store, STORE_READ, why,
		                         sizeof(why))) != 0)
			ss->req.store_db = NULL;
	}
	ss->req.max_scan = a->max_scan;
	ss->req.conf = conf;
	ss->req.provs = ss->sel.provs;
	ss->req.nprovs = ss->sel.nprovs;
	ss->req.no_cache = a->no_cache;
	ss->req.deadline_ms = (conf->deadline_s ? conf->deadline_s : 30) * 1000u;
	return 0;
}

/* One federated lookup of q into rows; 0 or PROTO_ENOMEM (why). */
static int
session_lookup(void *arg, const struct proto_query *q, struct cli_rows *rows, char *why,
               size_t whylen)
{
	struct session *ss = arg;
	struct fed_result res;
	int err;

	ss->req.q = q;
	if ((err = fed_run(&ss->req, rows, &res, why, whylen)) != 0)
		return err;
	if (res.cache_note[0] != '\0' && ss->cache_note[0] == '\0')
		memcpy(ss->cache_note, res.cache_note, sizeof(ss->cache_note));
	err = fed_totals_add(&ss->tot, &res);
	fed_result_free(&res);
	if (err != 0)
		snprintf(why, whylen, "out of memory");
	return err;
}

/* The statuses, the status file and the exit code; frees the session. */
static int
session_close(const struct args *a, struct session *ss, size_t rows, int code)
{
	bool any_ok = fed_totals_ok(&ss->tot);

	sodium_memzero(ss->node.sec, sizeof(ss->node.sec));
	if (ss->cache_note[0] != '\0')
		fprintf(stderr, "%s: %s\n", PROG, ss->cache_note);
	fed_totals_print(stderr, PROG, &ss->tot);
	if (code == 0 && rows == 0 && any_ok)
		fprintf(stderr, "%s: no results found for query\n", PROG);
	if (code == 0 && !any_ok && ss->tot.n > 0) {
		fprintf(stderr, "%s: every source failed\n", PROG);
		code = EXIT_UNAVAILABLE;
	}
	if (a->status_file != NULL && ss->tot.n > 0 &&
	    fed_totals_write(a->status_file, &ss->tot, rows, code) != 0) {
		fprintf(stderr, "%s: --status-file '%s': %s\n", PROG, a->status_file,
		        strerror(errno));
		if (code == 0)
			code = EXIT_IOERR;
	}
	fed_totals_free(&ss->tot);
	free(ss->sel.provs);
	store_db_close(&ss->req.store_db);
	return code;
}

/* One federated lookup: ask, print, report each source, exit code. */
int
pdns_run_fed(const struct args *a, const struct proto_query *q, const struct pdns_conf *conf)
{
	struct session ss;
	struct cli_rows *rows = NULL;
	char why[256] = "";
	int code = session_open(a, conf, &ss), err;

	if (code == 0 && cli_rows_new(&rows) != 0)
		code = EXIT_SOFTWARE;
	if (code == 0 && (err = session_lookup(&ss, q, rows, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: %s\n", PROG, why[0] ? why : proto_strerror(err));
		code = EXIT_SOFTWARE;
	}
	if (code == 0)
		code = pdns_print(a, rows, CLI_OUT_SOURCES);
	code = session_close(a, &ss, rows != NULL ? cli_rows_count(rows) : 0, code);
	cli_rows_destroy(&rows);
	return code;
}

/* --- --pivot, and the graph formats -------------------------------------- */

/* Where a pivot without --sources looks: the store (open once) or the node. */
struct plain {
	const struct args *a;
	struct store_db *db;
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
};

static int
plain_lookup(void *arg, const struct proto_query *q, struct cli_rows *rows, char *why,
             size_t whylen)
{
	struct plain *pl = arg;
	struct store_query_info info;
	struct cli_node_result res;

	why[0] = '\0';
	if (pl->db != NULL)
		return store_db_query(pl->db, q, pl->a->max_scan, pdns_collect, rows, &info, why,
		                      whylen);
	return cli_node_query(pl->a->node, pl->node_pub, pl->pub, pl->sec, q,
	                      pl->a->node_timeout ? (unsigned)pl->a->node_timeout : 30, rows,
	                      &res, why, whylen);
}

/* With sources, an answer keeps every row's sources in the whole. */
static int
pivot_merge_sources(void *arg, struct cli_rows *all, const struct cli_rows *answer)
{
	(void)arg;
	return cli_rows_add_rows(all, answer);
}

/* --pivot N, or a graph format: the seed, its pivots, and the output. */
int
pdns_run_pivot(const struct args *a, const struct proto_query *q, const struct pdns_conf *conf)
{
	struct session ss;
	struct plain pl = { .a = a };
	struct pivot_opts o = a->pivot;
	struct pivot_stats st;
	struct cli_graph *g = NULL;
	struct cli_rows *all = NULL;
	char why[512] = "";
	bool fed = a->sources != NULL;
	int code = 0, err;

	if (fed) {
		code = session_open(a, conf, &ss);
		o.merge = pivot_merge_sources;
	} else if (a->node != NULL) {
		code = pdns_node_keys(a, pl.node_pub, pl.pub, pl.sec);
	} else if ((err = store_db_open(&pl.db, a->store, STORE_READ, why, sizeof(why))) != 0) {
		return pdns_store_fail("cannot open store", a->store, err, why);
	}
	if (code == 0 && (cli_graph_new(&g) != 0 || cli_rows_new(&all) != 0))
		code = EXIT_SOFTWARE;
	o.depth = a->pivoting ? a->pivot.depth : 0;
	o.progress = a->pivoting ? stderr : NULL;
	o.notes = stderr;
	o.prog = PROG;
	if (code == 0) {
		err = pivot_run(q, &o, fed ? session_lookup : plain_lookup, fed ? (void *)&ss :
		                (void *)&pl, g, all, &st, why, sizeof(why));
		if (err != 0) {
			fprintf(stderr, "%s: %s\n", PROG, why[0] ? why : proto_strerror(err));
			code = err == PROTO_EINVAL ? EXIT_USAGE : err == PROTO_ENOMEM ?
			       EXIT_SOFTWARE : EXIT_UNAVAILABLE;
		}
	}
	if (code == 0 && a->graph) {
		errno = 0;
		if (cli_graph_write(stdout, a->gfmt, g) != 0) {
			fprintf(stderr, "%s: cannot write standard output: %s\n", PROG,
			        strerror(errno ? errno : EIO));
			code = EXIT_IOERR;
		}
	} else if (code == 0) {
		code = pdns_print(a, all, fed ? CLI_OUT_SOURCES : 0);
	}
	if (fed)
		code = session_close(a, &ss, all != NULL ? cli_rows_count(all) : 0, code);
	sodium_memzero(pl.sec, sizeof(pl.sec));
	store_db_close(&pl.db);
	cli_graph_destroy(&g);
	cli_rows_destroy(&all);
	return code;
}
