/*
 * pdns.c - pdns: passive DNS lookups in dnsdbq's vocabulary.
 *
 * main() turns the options into a query value, opens the store read-only,
 * runs the query, merges and sorts the rows and prints them; each failure
 * becomes one line on standard error and a sysexits code. One table drives
 * getopt_long and --help. Standard output carries data only.
 *
 * With sources (--sources, or "sources" in pdns.conf) the lookup is
 * federated (pdns_fed.c, over fed.h): the store or node and the providers at once, every
 * row with its sources, and one status line per source on standard error.
 * Without, pdns does exactly what it did before issue 6. --pivot N (and
 * -p dot|gdf) runs the query and its pivots (pivot.h) through the same
 * lookups, store, node or federated. New options are long ones only, so
 * no short letter can clash with dnsdbq's.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli_admin.h"
#include "cli/cli_graph.h"
#include "cli/cli_keygen.h"
#include "cli/cli_node.h"
#include "cli/cli_out.h"
#include "cli/cli_query.h"
#include "cli/cli_rows.h"
#include "cli/pdns_conf.h"
#include "cli/pdns_impl.h"
#include "cli/pivot.h"
#include "proto/proto_err.h"
#include "proto/proto_opt.h"
#include "proto/proto_keys.h"
#include "proto/proto_time.h"
#include "store/store_db.h"

#define DEFAULT_LIMIT 10000        /* DNSDB's own default */
#define DEFAULT_MAX_SCAN 10000000
#define MAX_COUNT 1000000000000ULL /* bound on -l, -O and --max-scan */

enum { OPT_NXDOMAIN = 256, OPT_SECTIONS, OPT_STORE, OPT_MAX_SCAN,
       OPT_FIRST_AFTER, OPT_FIRST_BEFORE, OPT_LAST_AFTER, OPT_LAST_BEFORE,
       OPT_NOW, OPT_NODE, OPT_NODE_KEY, OPT_KEY, OPT_NODE_TIMEOUT, OPT_CONFIG,
       OPT_SOURCES, OPT_NO_CACHE, OPT_STATUS_FILE, OPT_PIVOT, OPT_PIVOT_BUDGET,
       OPT_PIVOT_FANOUT, OPT_PIVOT_SKIP };

static const struct proto_opt opts[] = {
	{ { "rrset", required_argument, NULL, 'r' }, 'r', "NAME[/TYPE[,..][/BAIL]]",
	  "rrsets owned by NAME (*.example.com, www.example.* wildcards)" },
	{ { "rdata-name", required_argument, NULL, 'n' }, 'n', "NAME[/TYPE[,..]]",
	  "records whose rdata is or points at NAME (wildcards too)" },
	{ { "rdata-ip", required_argument, NULL, 'i' }, 'i', "IP[/PFX]|IP-IP",
	  "A/AAAA records in an address, prefix (1..32, 1..128) or range" },
	{ { "raw-rrset", required_argument, NULL, 'R' }, 'R', "HEX[/TYPE[/BAIL]]",
	  "rrsets owned by the wire-format name HEX" },
	{ { "raw-rdata", required_argument, NULL, 'N' }, 'N', "HEX[/TYPE[,..]]",
	  "records whose rdata wire bytes are HEX (at most 1024 octets)" },
	{ { "nxdomain", required_argument, NULL, OPT_NXDOMAIN }, 0, "NAME",
	  "recorded NXDOMAIN answers for NAME (wildcards too)" },
	{ { "rrtype", required_argument, NULL, 't' }, 't', "TYPE[,TYPE..]",
	  "only these rrtypes (at most 8; ANY alone means all, the default)" },
	{ { "bailiwick", required_argument, NULL, 'b' }, 'b', "ZONE",
	  "only rows whose bailiwick is ZONE (-r, -R)" },
	{ { "after", required_argument, NULL, 'A' }, 'A', "TS",
	  "last seen at or after TS (with -c: first seen at or after TS)" },
	{ { "before", required_argument, NULL, 'B' }, 'B', "TS",
	  "first seen at or before TS (with -c: last seen at or before TS)" },
	{ { "complete", no_argument, NULL, 'c' }, 'c', NULL,
	  "-A/-B fence the whole lifetime (strict), as dnsdbq -c" },
	{ { "first-after", required_argument, NULL, OPT_FIRST_AFTER }, 0, "TS",
	  "first seen at or after TS" },
	{ { "first-before", required_argument, NULL, OPT_FIRST_BEFORE }, 0, "TS",
	  "first seen at or before TS" },
	{ { "last-after", required_argument, NULL, OPT_LAST_AFTER }, 0, "TS",
	  "last seen at or after TS" },
	{ { "last-before", required_argument, NULL, OPT_LAST_BEFORE }, 0, "TS",
	  "last seen at or before TS" },
	{ { "now", required_argument, NULL, OPT_NOW }, 0, "TS",
	  "the time relative TS values count back from (default: the clock)" },
	{ { "sections", required_argument, NULL, OPT_SECTIONS }, 0, "answer|all",
	  "answer rows only (default) or in-bailiwick authority/additional too" },
	{ { "limit", required_argument, NULL, 'l' }, 'l', "N",
	  "at most N rows (default 10000; 0: no limit but --max-scan)" },
	{ { "offset", required_argument, NULL, 'O' }, 'O', "N",
	  "skip the first N rows (default 0)" },
	{ { "max-scan", required_argument, NULL, OPT_MAX_SCAN }, 0, "N",
	  "read at most N index entries (default 10000000; 0: no cap)" },
	{ { "verb", required_argument, NULL, 'V' }, 'V', "lookup|summarize",
	  "print rows (default) or one summary: count, rows, first, last" },
	{ { "format", required_argument, NULL, 'p' }, 'p', "FORMAT",
	  "text (default), json, csv, tsv, rrset, xml; the graph: dot or gdf" },
	{ { "json", no_argument, NULL, 'j' }, 'j', NULL,
	  "the same as -p json: COF NDJSON, as pdns-sensor prints" },
	{ { "sort-keys", required_argument, NULL, 'k' }, 'k', "KEY[,KEY..]",
	  "sort by first, last, duration, count, name, type, data" },
	{ { "ascending", no_argument, NULL, 's' }, 's', NULL,
	  "sort ascending (the default order when -k is given)" },
	{ { "descending", no_argument, NULL, 'S' }, 'S', NULL, "sort descending" },
	{ { "store", required_argument, NULL, OPT_STORE }, 0, "DIR",
	  "the local store to read (default: $PDNS_STORE)" },
	{ { "node", required_argument, NULL, OPT_NODE }, 0, "ENDPOINT",
	  "ask the pdns-node at ENDPOINT (tcp://HOST:PORT) instead of a store" },
	{ { "node-key", required_argument, NULL, OPT_NODE_KEY }, 0, "PUB",
	  "--node: the node's public key (40 Z85 characters, or a .pub/.key file)" },
	{ { "key", required_argument, NULL, OPT_KEY }, 0, "FILE",
	  "--node: our secret key file (pdns keygen; mode 0600), a [client] of the node" },
	{ { "node-timeout", required_argument, NULL, OPT_NODE_TIMEOUT }, 0, "SECONDS",
	  "--node: wait at most SECONDS for the whole answer (default 30, 1..600)" },
	{ { "config", required_argument, NULL, OPT_CONFIG }, 0, "FILE",
	  "pdns.conf, whose values are defaults (default ~/.config/pdns/pdns.conf)" },
	{ { "sources", required_argument, NULL, OPT_SOURCES }, 0, "LIST",
	  "federated: local, peers, providers (dnsdb,vt,..), node:NAME (the node's provider "
	  "NAME, asked by the node for us), node:all, or all (default: pdns.conf)" },
	{ { "no-cache", no_argument, NULL, OPT_NO_CACHE }, 0, NULL,
	  "--sources: ask providers even when the cache holds a fresh answer" },
	{ { "status-file", required_argument, NULL, OPT_STATUS_FILE }, 0, "FILE",
	  "--sources: write each source's status to FILE as one JSON object" },
	{ { "pivot", required_argument, NULL, OPT_PIVOT }, 0, "N",
	  "follow answers N hops (1..10): names to addresses, addresses to names" },
	{ { "pivot-budget", required_argument, NULL, OPT_PIVOT_BUDGET }, 0, "N",
	  "--pivot: at most N lookups in all, the first included (default 100)" },
	{ { "pivot-fanout", required_argument, NULL, OPT_PIVOT_FANOUT }, 0, "K",
	  "--pivot: skip an address with over K names (default 100; 0: no cap)" },
	{ { "pivot-skip", required_argument, NULL, OPT_PIVOT_SKIP }, 0, "IP[/PFX]|IP-IP",
	  "--pivot: never ask about these addresses (repeatable, at most 32)" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, "show this help" },
	{ { "version", no_argument, NULL, 'v' }, 'v', NULL, "show the version" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s (--store DIR | --node ENDPOINT --node-key PUB --key FILE)\n"
	        "       (-r|-n|-i|-R|-N|--nxdomain) ARG [--sources LIST] [options]\n\n", PROG);
	proto_opt_usage(f, opts, NOPTS, 38);
	fprintf(f, "\nTS: epoch seconds, 2024-01-31, 2024-01-31T12:00:00[Z|+hh:mm], or before\n"
	           "now: -86400, 7d, -1w2d, 3h30m (units w d h m s, in that order)\n"
	           "\nexit: 0 ok (no results too), 64 usage or unparsable argument or refused\n"
	           "query, 65 store data error, 66 no store at DIR, 69 store busy or node\n"
	           "unreachable or refusing our key, 70 internal, 74 I/O error, 77 permission\n"
	           "denied (or a key file readable by others), 78 bad pdns.conf or secrets\n"
	           "\n--sources: one line per source on standard error (answered, limited,\n"
	           "cached, refused, timed out, quota exceeded, backoff, unsupported, error);\n"
	           "exit 0 when at least one source answered, 69 when every source failed\n"
	           "\nAlso: pdns keygen PREFIX; pdns status|peers|purge (see pdns status --help)\n");
}

static bool
parse_count(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false; /* strtoull would take "-1" and " 1" */
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > MAX_COUNT)
		return false;
	*out = v;
	return true;
}


static const char *
opt_name(int opt, char tmp[3])
{
	switch (opt) {
	case OPT_NXDOMAIN: return "--nxdomain";
	case OPT_FIRST_AFTER: return "--first-after";
	case OPT_FIRST_BEFORE: return "--first-before";
	case OPT_LAST_AFTER: return "--last-after";
	case OPT_LAST_BEFORE: return "--last-before";
	case OPT_NOW: return "--now";
	}
	tmp[0] = '-';
	tmp[1] = (char)opt;
	tmp[2] = '\0';
	return tmp;
}

static int
parse_opts(int argc, char **argv, struct args *a)
{
	struct option lopts[NOPTS + 1];
	char sopts[3 * NOPTS + 1], why[256];
	uint64_t n;
	int c;

	proto_opt_tables(opts, NOPTS, lopts, sopts);

	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'n': case 'i': case 'R': case 'N': case OPT_NXDOMAIN:
			a->lookup_opt = c;
			a->lookup_arg = optarg;
			a->nlookups++;
			break;
		case 't': a->types = optarg; break;
		case 'b': a->bailiwick = optarg; break;
		case 'A': a->after = optarg; break;
		case 'B': a->before = optarg; break;
		case 'c': a->complete = true; break;
		case OPT_FIRST_AFTER: case OPT_FIRST_BEFORE:
		case OPT_LAST_AFTER: case OPT_LAST_BEFORE:
			a->fence[c - OPT_FIRST_AFTER] = optarg;
			break;
		case OPT_NOW: a->now = optarg; break;
		case OPT_SECTIONS:
			if (strcmp(optarg, "all") == 0)
				a->all_sections = true;
			else if (strcmp(optarg, "answer") == 0)
				a->all_sections = false;
			else
				return bad_usage("--sections '%s': expected answer or all", optarg);
			break;
		case 'l':
			if (!parse_count(optarg, &a->limit))
				return bad_usage("-l '%s': not a number of rows (0..%llu)", optarg,
				                 MAX_COUNT);
			break;
		case 'O':
			if (!parse_count(optarg, &a->offset))
				return bad_usage("-O '%s': not a number of rows (0..%llu)", optarg,
				                 MAX_COUNT);
			break;
		case OPT_MAX_SCAN:
			if (!parse_count(optarg, &a->max_scan))
				return bad_usage("--max-scan '%s': not a number of entries (0..%llu)",
				                 optarg, MAX_COUNT);
			break;
		case 'V':
			if (strcmp(optarg, "summarize") == 0)
				a->summarize = true;
			else if (strcmp(optarg, "lookup") == 0)
				a->summarize = false;
			else
				return bad_usage("-V '%s': expected lookup or summarize", optarg);
			break;
		case 'p':
			a->graph = cli_out_format_parse(optarg, &a->fmt) != 0;
			if (a->graph && cli_graph_format_parse(optarg, &a->gfmt) != 0)
				return bad_usage("-p '%s': expected text, json, csv, tsv, rrset, xml, "
				                 "dot or gdf", optarg);
			break;
		case 'j': a->fmt = CLI_FMT_JSON; a->graph = false; break;
		case OPT_PIVOT:
			if (!parse_count(optarg, &n) || n < 1 || n > PIVOT_MAX_DEPTH)
				return bad_usage("--pivot '%s': not a number of hops in 1..%d", optarg,
				                 PIVOT_MAX_DEPTH);
			a->pivot.depth = (unsigned)n;
			a->pivoting = true;
			break;
		case OPT_PIVOT_BUDGET:
			if (!parse_count(optarg, &n) || n < 1 || n > 1000000)
				return bad_usage("--pivot-budget '%s': not a number of lookups in "
				                 "1..1000000", optarg);
			a->pivot.budget = (size_t)n;
			a->pivot_tuned = true;
			break;
		case OPT_PIVOT_FANOUT:
			if (!parse_count(optarg, &n) || n > 1000000)
				return bad_usage("--pivot-fanout '%s': not a number in 0..1000000", optarg);
			a->pivot.fanout = (size_t)n;
			a->pivot_tuned = true;
			break;
		case OPT_PIVOT_SKIP:
			if (pivot_skip_add(&a->pivot, optarg, why, sizeof(why)) != 0)
				return bad_usage("--pivot-skip '%s': %s", optarg, why);
			a->pivot_tuned = true;
			break;
		case 'k':
			if (cli_rows_sort_parse(optarg, &a->sort, why, sizeof(why)) != 0)
				return bad_usage("-k '%s': %s", optarg, why);
			a->sorting = true;
			break;
		case 's': a->sorting = true; a->sort.descending = false; break;
		case 'S': a->sorting = true; a->sort.descending = true; break;
		case OPT_STORE: a->store = optarg; a->store_given = true; break;
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_SOURCES: a->sources = optarg; break;
		case OPT_NO_CACHE: a->no_cache = true; break;
		case OPT_STATUS_FILE: a->status_file = optarg; break;
		case OPT_NODE: a->node = optarg; break;
		case OPT_NODE_KEY: a->node_key = optarg; break;
		case OPT_KEY: a->key = optarg; break;
		case OPT_NODE_TIMEOUT:
			if (!parse_count(optarg, &a->node_timeout) || a->node_timeout < 1 ||
			    a->node_timeout > 600)
				return bad_usage("--node-timeout '%s': not a number of seconds in 1..600",
				                 optarg);
			break;
		case 'h': usage(stdout); exit(0);
		case 'v': printf("%s %s\n", PROG, PDNS_VERSION); exit(0);
		case '?':
		default:
			if (optopt != 0 && optopt < 256)
				return bad_usage("option -%c: unknown or missing its argument",
				                 optopt);
			return bad_usage("option '%s': unknown or missing its argument",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Parse a TS option; prints the error. */
static int
parse_ts(int opt, const char *text, int64_t now, int64_t *out)
{
	char tmp[3];

	if (proto_time_parse(text, now, out) == 0)
		return 0;
	return bad_usage("%s '%s': not a time (epoch seconds, YYYY-MM-DD[THH:MM:SS[Z]], "
	                 "-SECONDS or 1w2d3h4m5s)", opt_name(opt, tmp), text);
}

/* The four time fences from -A/-B/-c and the long options. */
static int
build_fences(const struct args *a, struct proto_query *q)
{
	static const int bit[4] = { PROTO_F_FIRST_AFTER, PROTO_F_FIRST_BEFORE,
	                            PROTO_F_LAST_AFTER, PROTO_F_LAST_BEFORE };
	int64_t *val[4] = { &q->first_after, &q->first_before, &q->last_after,
	                    &q->last_before };
	int64_t now = (int64_t)time(NULL), after = 0, before = 0;
	int code;

	if (a->now != NULL && (code = parse_ts(OPT_NOW, a->now, now, &now)) != 0)
		return code;
	for (int i = 0; i < 4; i++) {
		if (a->fence[i] == NULL)
			continue;
		if ((code = parse_ts(OPT_FIRST_AFTER + i, a->fence[i], now, val[i])) != 0)
			return code;
		q->fences |= (uint8_t)bit[i];
	}
	if (a->complete && a->after == NULL && a->before == NULL)
		return bad_usage("%s", "-c needs -A or -B");
	if (a->after != NULL && (code = parse_ts('A', a->after, now, &after)) != 0)
		return code;
	if (a->before != NULL && (code = parse_ts('B', a->before, now, &before)) != 0)
		return code;
	if (a->after != NULL && a->before != NULL && after > before)
		return bad_usage("-A '%s' is later than -B '%s'", a->after, a->before);
	/* dnsdbq: -A is "seen since", -B "seen until"; -c makes both strict. */
	int ai = a->complete ? 0 : 2, bi = a->complete ? 3 : 1;
	if ((a->after != NULL && (q->fences & bit[ai])) ||
	    (a->before != NULL && (q->fences & bit[bi])))
		return bad_usage("%s", "a time fence is given twice (-A/-B and a --first-/--last- option)");
	if (a->after != NULL) {
		*val[ai] = after;
		q->fences |= (uint8_t)bit[ai];
	}
	if (a->before != NULL) {
		*val[bi] = before;
		q->fences |= (uint8_t)bit[bi];
	}
	return 0;
}

/* Options to the query value. */
static int
build_query(const struct args *a, struct proto_query *q)
{
	char why[256], tmp[3];
	const char *opt = opt_name(a->lookup_opt, tmp);
	bool typed = false;
	int err = 0;

	proto_query_init(q);
	if (a->nlookups == 0)
		return bad_usage("%s", "give one lookup: -r, -n, -i, -R, -N or --nxdomain");
	if (a->nlookups > 1)
		return bad_usage("%s", "give only one lookup (-r, -n, -i, -R, -N, --nxdomain)");
	switch (a->lookup_opt) {
	case 'r': err = cli_query_rrset(q, a->lookup_arg, &typed, why, sizeof(why)); break;
	case 'n': err = cli_query_rdata_name(q, a->lookup_arg, &typed, why, sizeof(why)); break;
	case 'i': err = cli_query_ip(q, a->lookup_arg, why, sizeof(why)); break;
	case 'R': err = cli_query_raw_name(q, a->lookup_arg, &typed, why, sizeof(why)); break;
	case 'N': err = cli_query_raw_rdata(q, a->lookup_arg, &typed, why, sizeof(why)); break;
	case OPT_NXDOMAIN: err = cli_query_nxdomain(q, a->lookup_arg, &typed, why, sizeof(why)); break;
	}
	if (err != 0)
		return bad_usage("%s '%s': %s", opt, a->lookup_arg, why);
	if (a->types != NULL) {
		if (typed)
			return bad_usage("-t '%s': %s '%s' names rrtypes already", a->types, opt,
			                 a->lookup_arg);
		if (cli_query_types(q, a->types, why, sizeof(why)) != 0)
			return bad_usage("-t '%s': %s", a->types, why);
	}
	if (a->bailiwick != NULL) {
		if (q->kind != PROTO_Q_RRSET)
			return bad_usage("-b '%s': a bailiwick applies to -r and -R only", a->bailiwick);
		if (q->bailiwick_len != 0)
			return bad_usage("-b '%s': %s '%s' names a bailiwick already", a->bailiwick,
			                 opt, a->lookup_arg);
		if (cli_query_bailiwick(q, a->bailiwick, why, sizeof(why)) != 0)
			return bad_usage("-b '%s': %s", a->bailiwick, why);
	}
	q->sections = a->all_sections ? PROTO_QS_ALL : PROTO_QS_ANSWER;
	q->limit = a->limit;
	q->offset = a->offset;
	return build_fences(a, q);
}

/* One line for a store error, and its exit code. */
int
pdns_store_fail(const char *what, const char *dir, int err, const char *why)
{
	fprintf(stderr, "%s: %s '%s': %s\n", PROG, what, dir,
	        why[0] ? why : proto_strerror(err));
	switch (err) {
	case PROTO_ENOENT: return EXIT_NOINPUT;
	case PROTO_EPERM: return EXIT_NOPERM;
	case PROTO_EFORMAT: case PROTO_ETRUNC: case PROTO_ERDATA: return EXIT_DATA;
	case PROTO_EBUSY: return EXIT_UNAVAILABLE;
	case PROTO_EIO: return EXIT_IOERR;
	case PROTO_EINVAL: return EXIT_USAGE;
	default: return EXIT_SOFTWARE;
	}
}

/* store_db_query's callback: every row into the cli_rows set arg. */
int
pdns_collect(void *arg, const struct store_result *r)
{
	return cli_rows_add(arg, &r->obs);
}

/* Run q on the store; rows get every merged row. */
static int
run(const struct args *a, const struct proto_query *q, struct cli_rows *rows,
    struct store_query_info *info)
{
	struct store_db *db = NULL;
	char why[512] = "";
	int err;

	if ((err = store_db_open(&db, a->store, STORE_READ, why, sizeof(why))) != 0)
		return pdns_store_fail("cannot open store", a->store, err, why);
	why[0] = '\0';
	err = store_db_query(db, q, a->max_scan, pdns_collect, rows, info, why, sizeof(why));
	store_db_close(&db);
	if (err == PROTO_ENOMEM) {
		fprintf(stderr, "%s: out of memory after %zu rows (use -l to ask for fewer)\n",
		        PROG, cli_rows_count(rows));
		return EXIT_SOFTWARE;
	}
	if (err == PROTO_EINVAL) {
		fprintf(stderr, "%s: query refused by store '%s': %s\n", PROG, a->store,
		        why[0] ? why : "invalid query");
		return EXIT_USAGE;
	}
	if (err != 0)
		return pdns_store_fail("cannot read store", a->store, err, why);
	return 0;
}

/* The node's public key and our key pair; prints the error. */
int
pdns_node_keys(const struct args *a, uint8_t node_pub[PROTO_KEYS_LEN],
               uint8_t pub[PROTO_KEYS_LEN], uint8_t sec[PROTO_KEYS_LEN])
{
	char why[512] = "";
	int err;

	if ((err = proto_keys_load_public(a->node_key, node_pub, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: --node-key '%s': %s\n", PROG, a->node_key,
		        why[0] ? why : proto_strerror(err));
		return err == PROTO_ENOENT ? EXIT_NOINPUT : EXIT_USAGE;
	}
	if ((err = proto_keys_load_secret(a->key, 0, pub, sec, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: --key '%s': %s\n", PROG, a->key,
		        why[0] ? why : proto_strerror(err));
		return err == PROTO_EPERM ? EXIT_NOPERM : err == PROTO_ENOENT ? EXIT_NOINPUT
		       : EXIT_DATA;
	}
	return 0;
}

/* Run q on a node; rows get every merged row. */
static int
run_node(const struct args *a, const struct proto_query *q, struct cli_rows *rows,
         struct store_query_info *info)
{
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	struct cli_node_result res;
	char why[512] = "";
	int err;

	if ((err = pdns_node_keys(a, node_pub, pub, sec)) != 0)
		return err;
	err = cli_node_query(a->node, node_pub, pub, sec, q,
	                     a->node_timeout ? (unsigned)a->node_timeout : 30, rows, &res, why,
	                     sizeof(why));
	sodium_memzero(sec, sizeof(sec));
	info->returned = res.returned;
	info->limited = res.limited;
	if (err == 0)
		return 0;
	fprintf(stderr, "%s: node '%s': %s\n", PROG, a->node, why[0] ? why : proto_strerror(err));
	switch (err) {
	case PROTO_EINVAL: return EXIT_USAGE;
	case PROTO_ENOMEM: return EXIT_SOFTWARE;
	default: return EXIT_UNAVAILABLE;
	}
}

int
pdns_print(const struct args *a, struct cli_rows *rows, unsigned flags)
{
	int err;

	if (a->sorting)
		cli_rows_sort(rows, &a->sort);
	errno = 0;
	err = a->summarize ? cli_out_summary(stdout, a->fmt, rows) :
	      cli_out_print(stdout, a->fmt, rows, flags);
	if (err == PROTO_EIO) {
		fprintf(stderr, "%s: cannot write standard output: %s\n", PROG,
		        strerror(errno ? errno : EIO));
		return EXIT_IOERR;
	}
	if (err != 0) {
		fprintf(stderr, "%s: cannot print the results: %s\n", PROG, proto_strerror(err));
		return EXIT_SOFTWARE;
	}
	return 0;
}

/* What the user should know about the result, on standard error. */
static void
notes(const struct proto_query *q, const struct cli_rows *rows,
      const struct store_query_info *info)
{
	if (cli_rows_count(rows) == 0)
		fprintf(stderr, "%s: no results found for query\n", PROG);
	if (!info->limited)
		return;
	if (q->limit != 0 && info->returned >= q->limit)
		fprintf(stderr, "%s: results limited to %" PRIu64 " rows (use -l N, "
		        "or -l 0 for all)\n", PROG, q->limit);
	else if (info->scanned == 0)
		fprintf(stderr, "%s: results limited by the node's scan cap (use a narrower "
		        "query)\n", PROG);
	else
		fprintf(stderr, "%s: results limited: the scan stopped after %" PRIu64
		        " index entries (use --max-scan N or a narrower query)\n",
		        PROG, info->scanned);
}

/* Read pdns.conf and take its values where no option or variable gave one. */
static int
load_config(struct args *a, struct pdns_conf *conf)
{
	char why[512] = "";
	int err = pdns_conf_load(conf, a->config, why, sizeof(why));

	if (err != 0) {
		/* pdns_conf's reasons name the file (and line) already. */
		fprintf(stderr, "%s: %s\n", PROG, why[0] ? why : proto_strerror(err));
		return err == PROTO_ENOENT ? EXIT_NOINPUT : err == PROTO_ENOMEM ? EXIT_SOFTWARE
		       : EXIT_CONFIG;
	}
	if (a->sources == NULL)
		a->sources = conf->sources;
	if (!a->store_given && a->store == NULL && a->node == NULL) {
		if (conf->store != NULL)
			a->store = conf->store;
		else
			a->node = conf->node;
	}
	if (a->node != NULL && a->node_key == NULL)
		a->node_key = conf->node_key;
	if (a->node != NULL && a->key == NULL)
		a->key = conf->key;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct args a;
	static struct proto_query q;
	static struct pdns_conf conf;
	struct store_query_info info;
	struct cli_rows *rows = NULL;
	int code;

	if (argc > 1 && strcmp(argv[1], "keygen") == 0)
		return cli_keygen_main(argc - 1, argv + 1);
	if (argc > 1 && cli_admin_is_command(argv[1]))
		return cli_admin_main(argc - 1, argv + 1);
	a.limit = DEFAULT_LIMIT;
	a.max_scan = DEFAULT_MAX_SCAN;
	a.fmt = CLI_FMT_TEXT;
	a.store = getenv("PDNS_STORE");
	pivot_opts_init(&a.pivot);
	if ((code = parse_opts(argc, argv, &a)) != 0 || (code = build_query(&a, &q)) != 0)
		return code;
	if (a.node != NULL && a.store_given)
		return bad_usage("%s", "give --node or --store, not both");
	if ((code = load_config(&a, &conf)) != 0)
		return code;
	if (a.node != NULL)
		a.store = NULL; /* --node wins over $PDNS_STORE, as before */
	if (a.node == NULL && (a.node_key != NULL || a.key != NULL || a.node_timeout != 0))
		code = bad_usage("%s", "--node-key, --key and --node-timeout apply to --node");
	else if (a.node != NULL && (a.node_key == NULL || a.key == NULL))
		code = bad_usage("%s", "--node needs --node-key PUB and --key FILE");
	else if (a.sources == NULL && a.node == NULL && (a.store == NULL || a.store[0] == '\0'))
		code = bad_usage("%s", "give --store DIR (or set PDNS_STORE) or --node ENDPOINT");
	else if (a.sources == NULL && (a.no_cache || a.status_file != NULL))
		code = bad_usage("%s", "--no-cache and --status-file apply to --sources");
	else if (!a.pivoting && a.pivot_tuned)
		code = bad_usage("%s", "--pivot-budget, --pivot-fanout and --pivot-skip apply to "
		                 "--pivot");
	if (code != 0 || a.sources != NULL || a.pivoting || a.graph) {
		if (code == 0)
			code = a.pivoting || a.graph ? pdns_run_pivot(&a, &q, &conf) : pdns_run_fed(&a, &q, &conf);
		pdns_conf_free(&conf);
		return code;
	}
	if (cli_rows_new(&rows) != 0) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		pdns_conf_free(&conf);
		return EXIT_SOFTWARE;
	}
	memset(&info, 0, sizeof(info));
	code = a.node != NULL ? run_node(&a, &q, rows, &info) : run(&a, &q, rows, &info);
	if (code == 0 && (code = pdns_print(&a, rows, 0)) == 0)
		notes(&q, rows, &info);
	cli_rows_destroy(&rows);
	pdns_conf_free(&conf);
	return code;
}
