/*
 * pdns_sensor.c - pdns-sensor: DNS captures to passive DNS observations.
 *
 * main() parses options, builds a run, feeds it files or an interface and
 * maps errors to sysexits codes. One table drives getopt_long and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto/proto_err.h"
#include "proto/proto_opt.h"
#include "proto/proto_time.h"
#include "proto/proto_keys.h"
#include "sensor/pdns_sensor_node.h"
#include "sensor/pdns_sensor_store.h"
#include "sensor/sensor_out.h"
#include "sensor/sensor_run.h"
#include "sensor/sensor_dnstap.h"
#include "sensor/sensor_fstrm.h"
#include "sensor/sensor_watch.h"
#include "store/store_db.h"

#define PROG "pdns-sensor"
#define MAX_FILES 4096
#define MAX_RESOLVERS 64

/* sysexits.h values, spelled out so the documentation and code agree. */
enum {
	EXIT_USAGE = 64, EXIT_DATA = 65, EXIT_NOINPUT = 66, EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70, EXIT_CANTCREAT = 73, EXIT_IOERR = 74, EXIT_NOPERM = 77,
};

enum { OPT_FORMAT = 256, OPT_SECTIONS, OPT_NXDOMAIN, OPT_RESOLVER, OPT_CACHE,
       OPT_FLUSH, OPT_SNAPLEN, OPT_STORE, OPT_BATCH, OPT_RETENTION, OPT_NODE,
       OPT_NODE_KEY, OPT_KEY, OPT_SENSOR_NAME, OPT_NODE_TIMEOUT, OPT_NODE_WINDOW,
       OPT_SPOOL, OPT_SPOOL_MAX };
enum { OPT_DNSTAP_FILE = 400, OPT_DNSTAP_UNIX, OPT_DNSTAP_TCP, OPT_DNSTAP_TYPES };

enum { OPT_WATCH = 450, OPT_SETTLE, OPT_STATE, OPT_PATTERN };

static const struct proto_opt opts[] = {
	{ { "read", required_argument, NULL, 'r' }, 'r', "FILE",
	  "read a pcap or pcapng file (repeatable; - is standard input)" },
	{ { "interface", required_argument, NULL, 'i' }, 'i', "IFACE",
	  "capture live on IFACE until SIGINT/SIGTERM" },
	{ { "watch", required_argument, NULL, OPT_WATCH }, 0, "DIR",
	  "follow DIR's rotated captures in name order, each once, until SIGINT/SIGTERM" },
	{ { "settle", required_argument, NULL, OPT_SETTLE }, 0, "SECONDS",
	  "watch: the newest file is finished once unchanged for SECONDS (default 60, 1..86400)" },
	{ { "state", required_argument, NULL, OPT_STATE }, 0, "FILE",
	  "watch: keep the progress in FILE (default DIR/.pdns-sensor.state; not with --store)" },
	{ { "pattern", required_argument, NULL, OPT_PATTERN }, 0, "GLOB",
	  "watch: the names to read (default *.pcap, *.pcapng, *.cap, also followed by N or .N)" },
	{ { "filter", required_argument, NULL, 'b' }, 'b', "BPF",
	  "BPF filter for live capture (default: none, every frame is decoded)" },
	{ { "no-promisc", no_argument, NULL, 'N' }, 'N', NULL,
	  "do not put the interface in promiscuous mode" },
	{ { "snaplen", required_argument, NULL, OPT_SNAPLEN }, 0, "BYTES",
	  "live capture snap length (default 65535, 64..262144)" },
	{ { "flush", required_argument, NULL, OPT_FLUSH }, 0, "SECONDS",
	  "live capture: print held rows every SECONDS (default 60, 1..86400)" },
	{ { "dnstap-file", required_argument, NULL, OPT_DNSTAP_FILE }, 0, "FILE",
	  "read a dnstap Frame Streams file (repeatable; - is standard input)" },
	{ { "dnstap-unix", required_argument, NULL, OPT_DNSTAP_UNIX }, 0, "PATH",
	  "listen for dnstap on unix socket PATH until SIGINT/SIGTERM" },
	{ { "dnstap-tcp", required_argument, NULL, OPT_DNSTAP_TCP }, 0, "HOST:PORT",
	  "listen for dnstap on TCP HOST:PORT ([V6]:PORT) until SIGINT/SIGTERM" },
	{ { "dnstap-types", required_argument, NULL, OPT_DNSTAP_TYPES }, 0, "LIST",
	  "dnstap responses kept: resolver,forwarder,auth (default resolver,forwarder)" },
	{ { "format", required_argument, NULL, OPT_FORMAT }, 0, "cof|passivedns",
	  "output format (default cof: one JSON object per line)" },
	{ { "sections", required_argument, NULL, OPT_SECTIONS }, 0, "answer|all",
	  "print answer rows only (default) or in-bailiwick authority/additional too" },
	{ { "nxdomain", required_argument, NULL, OPT_NXDOMAIN }, 0, "FILE",
	  "write NXDOMAIN rows (qname, qtype, times, count) to FILE" },
	{ { "resolver", required_argument, NULL, OPT_RESOLVER }, 0, "ADDR",
	  "keep only responses sent to resolver ADDR (repeatable, max 64)" },
	{ { "cache", required_argument, NULL, OPT_CACHE }, 0, "MB",
	  "memory for held rows before they are printed (default 256, 1..65536)" },
	{ { "output", required_argument, NULL, 'o' }, 'o', "FILE",
	  "write observations to FILE instead of standard output" },
	{ { "store", required_argument, NULL, OPT_STORE }, 0, "DIR",
	  "aggregate into the RocksDB store at DIR (created if missing) instead of printing" },
	{ { "batch", required_argument, NULL, OPT_BATCH }, 0, "ROWS",
	  "rows per atomic store write (default 10000, 1..1000000)" },
	{ { "retention", required_argument, NULL, OPT_RETENTION }, 0, "AGE",
	  "store: remove rows last seen more than AGE ago (e.g. 90d, 1w2d, 3600), by compaction" },
	{ { "node", required_argument, NULL, OPT_NODE }, 0, "ENDPOINT",
	  "send observations to the pdns-node at ENDPOINT (tcp://HOST:PORT) instead of printing" },
	{ { "node-key", required_argument, NULL, OPT_NODE_KEY }, 0, "PUB",
	  "node: the node's public key (40 Z85 characters, or a .pub/.key file)" },
	{ { "key", required_argument, NULL, OPT_KEY }, 0, "FILE",
	  "node: our secret key file (pdns keygen; mode 0600)" },
	{ { "sensor-name", required_argument, NULL, OPT_SENSOR_NAME }, 0, "NAME",
	  "node: our [sensor NAME] in the node's config (default: --key's file name without .key)" },
	{ { "node-timeout", required_argument, NULL, OPT_NODE_TIMEOUT }, 0, "SECONDS",
	  "node: fail (exit 69) after SECONDS without an acknowledgement (default 30, 1..86400)" },
	{ { "node-window", required_argument, NULL, OPT_NODE_WINDOW }, 0, "BATCHES",
	  "node: batches kept in memory until acknowledged (default 64, 1..64)" },
	{ { "spool", required_argument, NULL, OPT_SPOOL }, 0, "DIR",
	  "node: keep unacknowledged batches in DIR (0700) across outages and restarts; "
	  "alone (no -r/-i): send what it holds" },
	{ { "spool-max", required_argument, NULL, OPT_SPOOL_MAX }, 0, "SIZE",
	  "node: bytes of batches in --spool before input waits (default 1G; k, M, G)" },
	{ { "verbose", no_argument, NULL, 'v' }, 'v', NULL,
	  "store: print 'committed N rows' after every store write; --watch: a line per file" },
	{ { "quiet", no_argument, NULL, 'q' }, 'q', NULL,
	  "no counters on standard error at the end" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, "show this help" },
	{ { "version", no_argument, NULL, 'V' }, 'V', NULL, "show the version" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s (-r FILE ... | -i IFACE) [options]\n", PROG);
	fprintf(f, "       %s (--dnstap-file FILE ... | --dnstap-unix PATH | --dnstap-tcp HOST:PORT)"
	           " [options]\n", PROG);
	fprintf(f, "       %s --watch DIR [--settle SECONDS] [--state FILE] [options]\n", PROG);
	fprintf(f, "       %s --node ENDPOINT --spool DIR [options]\n\n", PROG);
	proto_opt_usage(f, opts, NOPTS, 30);
	fprintf(f, "\nexit: 0 ok, 64 usage, 65 bad or truncated capture, 66 missing or\n"
	           "unreadable file, 69 no such interface or node unreachable or refused\n"
	           "(with --spool, unacknowledged batches stay there for the next start),\n"
	           "73/74 output error, 77 no permission (or a key file readable by others,\n"
	           "or a --spool others may write)\n");
}

/* A one-line usage error; returns EXIT_USAGE. */
#define bad_usage(...) proto_opt_usage_error(PROG, __VA_ARGS__)

static bool
parse_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/*
 * An age: plain seconds, or the relative forms proto_time_parse knows
 * (90d, 1w2d, 3h30m), read as "that long before time 0".
 */
static bool
parse_age(const char *s, int64_t *out)
{
	long v;
	int64_t t;

	if (parse_num(s, 1, LONG_MAX, &v)) {
		*out = v;
		return true;
	}
	if (s[0] == '-' || proto_time_parse(s, 0, &t) != 0 || t >= 0)
		return false;
	*out = -t;
	return true;
}

/* A size: bytes, or a number with k, M or G (powers of 1024). */
static bool
parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kKmMgG";
	const char *u;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return false;
	if (*end != '\0') {
		if ((u = strchr(units, *end)) == NULL || end[1] != '\0')
			return false;
		shift = 10 * (int)((u - units) / 2 + 1);
	}
	if (v > UINT64_MAX >> shift)
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static void
on_signal(int sig)
{
	(void)sig;
	sensor_run_stop();
	node_sink_stop(); /* a full spool no longer holds the stop up */
	sensor_watch_stop();
}

/* Map a run error to an exit code, after printing the one-line reason. */
static int
report(const char *what, const char *name, int err, const char *why)
{
	fprintf(stderr, "%s: %s '%s': %s\n", PROG, what, name,
	        why[0] ? why : proto_strerror(err));
	switch (err) {
	case PROTO_ENOENT: return strcmp(what, "interface") == 0 ? EXIT_UNAVAILABLE : EXIT_NOINPUT;
	case PROTO_EPERM: return strcmp(what, "interface") == 0 ? EXIT_NOPERM : EXIT_NOINPUT;
	case PROTO_EFORMAT: case PROTO_ENOTSUP: case PROTO_ETRUNC: return EXIT_DATA;
	case PROTO_EINVAL: return EXIT_USAGE;
	case PROTO_ENOMEM: return EXIT_SOFTWARE;
	default: return EXIT_IOERR;
	}
}

struct args {
	const char *files[MAX_FILES];
	size_t nfiles;
	const char *iface, *out_path, *nxd_path, *store_path;
	const char *node, *node_key, *key, *sensor_name, *spool;
	long node_timeout, node_window;
	uint64_t spool_max;
	size_t batch;
	int64_t retention;
	bool verbose;
	struct sensor_addr res[MAX_RESOLVERS];
	enum sensor_format fmt;
	bool quiet;
	struct sensor_run_cfg cfg;
	struct sensor_watch_cfg watch;
	const char *dnstap_files[MAX_FILES];
	size_t ndnstap_files;
	struct sensor_dnstap_cfg dnstap;
};

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct option lopts[NOPTS + 1];
	char sopts[3 * NOPTS + 1];
	long v;
	int c;

	proto_opt_tables(opts, NOPTS, lopts, sopts);

	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (a->nfiles == MAX_FILES)
				return bad_usage("too many -r files (max %d)", MAX_FILES);
			a->files[a->nfiles++] = optarg;
			break;
		case 'i': a->iface = optarg; break;
		case OPT_WATCH: a->watch.dir = optarg; break;
		case OPT_STATE: a->watch.state = optarg; break;
		case OPT_PATTERN: a->watch.pattern = optarg; break;
		case OPT_SETTLE:
			if (!parse_num(optarg, 1, SENSOR_WATCH_SETTLE_MAX, &v))
				return bad_usage("--settle '%s': not a number of seconds in 1..%d", optarg,
				                 SENSOR_WATCH_SETTLE_MAX);
			a->watch.settle = (int)v;
			break;
		case 'b': a->cfg.filter = optarg; break;
		case 'N': a->cfg.promisc = false; break;
		case 'o': a->out_path = optarg; break;
		case 'q': a->quiet = true; break;
		case 'v': a->verbose = true; break;
		case OPT_STORE: a->store_path = optarg; break;
		case OPT_NODE: a->node = optarg; break;
		case OPT_NODE_KEY: a->node_key = optarg; break;
		case OPT_KEY: a->key = optarg; break;
		case OPT_SENSOR_NAME: a->sensor_name = optarg; break;
		case OPT_NODE_TIMEOUT:
			if (!parse_num(optarg, 1, 86400, &a->node_timeout))
				return bad_usage("--node-timeout '%s': not a number of seconds in 1..86400",
				                 optarg);
			break;
		case OPT_NODE_WINDOW:
			if (!parse_num(optarg, 1, NODE_SINK_INFLIGHT, &a->node_window))
				return bad_usage("--node-window '%s': not a number of batches in 1..%d",
				                 optarg, NODE_SINK_INFLIGHT);
			break;
		case OPT_SPOOL: a->spool = optarg; break;
		case OPT_SPOOL_MAX:
			if (!parse_size(optarg, &a->spool_max))
				return bad_usage("--spool-max '%s': not a size such as 1G, 512M or 100k",
				                 optarg);
			break;
		case OPT_BATCH:
			if (!parse_num(optarg, 1, 1000000, &v))
				return bad_usage("--batch '%s': not a number of rows in 1..1000000", optarg);
			a->batch = (size_t)v;
			break;
		case OPT_RETENTION:
			if (!parse_age(optarg, &a->retention))
				return bad_usage("--retention '%s': not a duration such as 90d, 1w2d or 3600", optarg);
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", PROG, PDNS_VERSION); exit(0);
		case OPT_SNAPLEN:
			if (!parse_num(optarg, 64, 262144, &v))
				return bad_usage("--snaplen '%s': not a number in 64..262144", optarg);
			a->cfg.snaplen = (int)v;
			break;
		case OPT_FLUSH:
			if (!parse_num(optarg, 1, 86400, &v))
				return bad_usage("--flush '%s': not a number of seconds in 1..86400", optarg);
			a->cfg.flush_interval = (int)v;
			break;
		case OPT_CACHE:
			if (!parse_num(optarg, 1, 65536, &v))
				return bad_usage("--cache '%s': not a size in MB in 1..65536", optarg);
			a->cfg.cache_bytes = (size_t)v << 20;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "cof") == 0)
				a->fmt = SENSOR_FMT_COF;
			else if (strcmp(optarg, "passivedns") == 0)
				a->fmt = SENSOR_FMT_PASSIVEDNS;
			else
				return bad_usage("--format '%s': expected cof or passivedns", optarg);
			break;
		case OPT_SECTIONS:
			if (strcmp(optarg, "all") == 0)
				a->cfg.all_sections = true;
			else if (strcmp(optarg, "answer") == 0)
				a->cfg.all_sections = false;
			else
				return bad_usage("--sections '%s': expected answer or all", optarg);
			break;
		case OPT_NXDOMAIN: a->nxd_path = optarg; break;
		case OPT_RESOLVER:
			if (a->cfg.nresolvers == MAX_RESOLVERS)
				return bad_usage("too many --resolver addresses (max %d)", MAX_RESOLVERS);
			if (sensor_addr_parse(optarg, &a->res[a->cfg.nresolvers]) != 0)
				return bad_usage("--resolver '%s': not an IPv4 or IPv6 address", optarg);
			a->cfg.nresolvers++;
			break;
		case OPT_DNSTAP_FILE:
			if (a->ndnstap_files == MAX_FILES)
				return bad_usage("too many --dnstap-file files (max %d)", MAX_FILES);
			a->dnstap_files[a->ndnstap_files++] = optarg;
			break;
		case OPT_DNSTAP_UNIX: a->dnstap.unix_path = optarg; break;
		case OPT_DNSTAP_TCP:
			if (sensor_fstrm_check_hostport(optarg) != 0)
				return bad_usage("--dnstap-tcp '%s': not HOST:PORT or [IPV6]:PORT", optarg);
			a->dnstap.tcp = optarg;
			break;
		case OPT_DNSTAP_TYPES:
			if (sensor_dnstap_parse_types(optarg, &a->dnstap.types) != 0)
				return bad_usage("--dnstap-types '%s': expected a list of resolver, "
				                 "forwarder, auth", optarg);
			break;
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
	/* dnstap: --dnstap-file is read like -r, the listeners run like -i. */
	bool dnstap_live = a->dnstap.unix_path != NULL || a->dnstap.tcp != NULL;
	size_t ninputs = a->nfiles + a->ndnstap_files;
	if (a->iface != NULL && dnstap_live)
		return bad_usage("%s", "-i and --dnstap-unix/--dnstap-tcp are separate runs");
	if (a->dnstap.types != 0 && a->ndnstap_files == 0 && !dnstap_live)
		return bad_usage("%s", "--dnstap-types applies to dnstap input");
	if (a->watch.dir != NULL && (ninputs != 0 || a->iface != NULL || dnstap_live))
		return bad_usage("%s", "--watch DIR is an input of its own: not with -r, -i or dnstap");
	if (a->watch.dir == NULL && (a->watch.state || a->watch.pattern || a->watch.settle))
		return bad_usage("%s", "--settle, --state and --pattern apply to --watch");
	if (a->watch.state != NULL && a->store_path != NULL)
		return bad_usage("%s", "--state: with --store the progress is kept in the store");
	if (a->watch.settle == 0)
		a->watch.settle = SENSOR_WATCH_SETTLE;
	/* --spool alone sends what the spool holds and reads nothing. */
	if (a->watch.dir == NULL && (ninputs == 0) == (a->iface == NULL && !dnstap_live) &&
	    (ninputs != 0 || a->spool == NULL || a->node == NULL))
		return bad_usage("%s", "give either -r FILE (or --dnstap-file FILE), or -i IFACE "
		                 "(or --dnstap-unix PATH, --dnstap-tcp HOST:PORT)");
	if (a->store_path != NULL && (a->out_path != NULL || a->nxd_path != NULL))
		return bad_usage("%s", "--store writes the store; -o and --nxdomain print rows");
	if (a->node != NULL && (a->store_path != NULL || a->out_path != NULL ||
	                        a->nxd_path != NULL))
		return bad_usage("%s", "--node sends rows to a node; --store, -o and --nxdomain "
		                 "are other outputs");
	if (a->node != NULL && (a->node_key == NULL || a->key == NULL))
		return bad_usage("%s", "--node needs --node-key PUB and --key SECRETFILE");
	if (a->node == NULL && (a->node_key != NULL || a->key != NULL ||
	                        a->sensor_name != NULL || a->node_timeout != 0))
		return bad_usage("%s", "--node-key, --key, --sensor-name and --node-timeout "
		                 "apply to --node");
	if (a->node == NULL && (a->spool != NULL || a->spool_max != 0 || a->node_window != 0))
		return bad_usage("%s", "--spool, --spool-max and --node-window apply to --node");
	if (a->spool == NULL && a->spool_max != 0)
		return bad_usage("%s", "--spool-max applies to --spool");
	if (a->node_timeout == 0)
		a->node_timeout = 30;
	if (a->spool_max == 0)
		a->spool_max = (uint64_t)1 << 30;
	if (a->store_path == NULL && (a->retention != 0 || (a->verbose && !a->watch.dir)))
		return bad_usage("%s", "--retention and -v apply to --store");
	/* A store keeps every in-bailiwick section; lookups choose (pdns --sections). */
	if (a->store_path != NULL || a->node != NULL)
		a->cfg.all_sections = true;
	a->cfg.resolvers = a->res;
	return 0;
}

static FILE *
open_out(const char *path, bool append, int *code)
{
	FILE *f = fopen(path, append ? "a" : "w"); /* --watch goes on after a restart */
	if (f == NULL) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", PROG, path, strerror(errno));
		*code = (errno == EACCES || errno == EPERM) ? EXIT_NOPERM : EXIT_CANTCREAT;
	}
	return f;
}

/* Where rows go: printed (COF or passivedns) or into a store. */
struct outputs {
	FILE *of, *nf;
	struct sensor_out out, nxd;
	struct store_db *db;
	struct store_sink store;
	struct node_sink *node;
	struct sensor_sink obs_sink, nxd_sink;
	bool has_nxd;
};

/* The default sensor name: the key file's name without its directory and ".key". */
static void
default_name(const char *key, char *out, size_t cap)
{
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	size_t n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".key") == 0)
		n -= 4;
	snprintf(out, cap, "%.*s", (int)n, base);
}

static int
node_open(struct outputs *o, const struct args *a)
{
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	char why[512] = "", name[256];
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
	if (a->sensor_name != NULL)
		snprintf(name, sizeof(name), "%s", a->sensor_name);
	else
		default_name(a->key, name, sizeof(name));
	why[0] = '\0';
	struct node_sink_cfg cfg = { .endpoint = a->node, .node_pub = node_pub, .pub = pub,
	                             .sec = sec, .name = name, .timeout = (int)a->node_timeout,
	                             .window = (unsigned)a->node_window, .spool = a->spool,
	                             .spool_max = a->spool_max };
	err = node_sink_new(&o->node, &cfg, why, sizeof(why));
	sodium_memzero(sec, sizeof(sec));
	if (err != 0) {
		fprintf(stderr, "%s: --node '%s': %s\n", PROG, a->node,
		        why[0] ? why : proto_strerror(err));
		/* The spool's own failures: its mode, its lock, its files. */
		return err == PROTO_EINVAL ? EXIT_USAGE : err == PROTO_EPERM ? EXIT_NOPERM
		       : err == PROTO_EBUSY ? EXIT_UNAVAILABLE : err == PROTO_EFORMAT ? EXIT_DATA
		       : err == PROTO_EIO && a->spool != NULL ? EXIT_IOERR : EXIT_SOFTWARE;
	}
	o->obs_sink = (struct sensor_sink){ node_sink_row, node_sink_done, o->node };
	o->nxd_sink = o->obs_sink;
	o->has_nxd = true;
	return 0;
}

static int
outputs_open(struct outputs *o, const struct args *a)
{
	static char obuf[1 << 20];
	char why[512] = "";
	int code = 0;

	o->of = stdout;
	if (a->node != NULL)
		return node_open(o, a);
	if (a->store_path != NULL) {
		int err = store_db_open(&o->db, a->store_path, STORE_BULK, why, sizeof(why));
		if (err != 0) {
			fprintf(stderr, "%s: cannot open store '%s': %s\n", PROG, a->store_path, why);
			return err == PROTO_EBUSY ? EXIT_UNAVAILABLE
			       : err == PROTO_EPERM ? EXIT_NOPERM
			       : err == PROTO_EFORMAT ? EXIT_DATA : EXIT_IOERR;
		}
		if (a->retention != 0)
			(void)store_db_set_retention(o->db, a->retention);
		if (store_sink_init(&o->store, o->db, a->batch, a->verbose) != 0)
			return EXIT_SOFTWARE;
		o->obs_sink = (struct sensor_sink){ store_sink_row, store_sink_done, &o->store };
		o->nxd_sink = o->obs_sink;
		o->has_nxd = true;
		return 0;
	}
	if (a->out_path != NULL &&
	    (o->of = open_out(a->out_path, a->watch.dir != NULL, &code)) == NULL)
		return code;
	if (a->nxd_path != NULL &&
	    (o->nf = open_out(a->nxd_path, a->watch.dir != NULL, &code)) == NULL)
		return code;
	setvbuf(o->of, obuf, _IOFBF, sizeof(obuf));
	sensor_out_init(&o->out, o->of, a->fmt);
	o->obs_sink = (struct sensor_sink){ sensor_out_row, sensor_out_flush, &o->out };
	if (o->nf != NULL) {
		sensor_out_init(&o->nxd, o->nf, a->fmt);
		o->nxd_sink = (struct sensor_sink){ sensor_out_row, sensor_out_flush, &o->nxd };
		o->has_nxd = true;
	}
	return 0;
}

/* The output's own failure, if any, as a one-line message and exit code. */
static int
outputs_failed(const struct outputs *o, const struct args *a)
{
	static bool node_reported;

	if (o->node != NULL) {
		const char *why = node_sink_why(o->node);
		if (why[0] == '\0')
			return 0;
		if (!node_reported)
			fprintf(stderr, "%s: %s\n", PROG, why);
		node_reported = true;
		return EXIT_UNAVAILABLE;
	}
	if (o->db != NULL) {
		if (o->store.why[0] == '\0')
			return 0;
		fprintf(stderr, "%s: cannot write store '%s': %s\n", PROG, a->store_path,
		        o->store.why);
		return EXIT_IOERR;
	}
	int e = o->out.err ? o->out.err : (o->nf && o->nxd.err) ? o->nxd.err : 0;
	if (e == 0)
		return 0;
	fprintf(stderr, "%s: cannot write '%s': %s\n", PROG,
	        o->out.err ? (a->out_path ? a->out_path : "standard output") : a->nxd_path,
	        strerror(e));
	return EXIT_IOERR;
}

static int
outputs_close(struct outputs *o, const struct args *a, int code)
{
	if (o->node != NULL) {
		node_sink_destroy(&o->node);
		return code;
	}
	if (o->db != NULL) {
		if (code == 0 && a->retention != 0)
			(void)store_db_compact(o->db);
		store_sink_fini(&o->store);
		store_db_close(&o->db);
		return code;
	}
	if (o->nf != NULL && fclose(o->nf) != 0 && code == 0)
		code = EXIT_IOERR;
	if (o->of != NULL && o->of != stdout && fclose(o->of) != 0 && code == 0)
		code = EXIT_IOERR;
	return code;
}

/* Read every input; returns the exit code of the first input error. */
static int
run_inputs(struct sensor_run *run, const struct args *a, const struct outputs *o)
{
	char why[512];
	int code = 0, err;

	for (size_t i = 0; i < a->nfiles; i++) {
		why[0] = '\0';
		err = sensor_run_file(run, a->files[i], why, sizeof(why));
		if (err != 0 && outputs_failed(o, a) != 0)
			return EXIT_IOERR; /* the output failed, not the input */
		if (err != 0) {
			int c = report("file", a->files[i], err, why);
			if (code == 0)
				code = c;
			if (err == PROTO_ENOMEM)
				return code;
		}
	}
	for (size_t i = 0; i < a->ndnstap_files; i++) {
		why[0] = '\0';
		err = sensor_dnstap_run_file(run, a->dnstap_files[i], a->dnstap.types, why,
		                             sizeof(why));
		if (err != 0 && outputs_failed(o, a) != 0)
			return EXIT_IOERR;
		if (err != 0) {
			int c = report("file", a->dnstap_files[i], err, why);
			if (code == 0)
				code = c;
			if (err == PROTO_ENOMEM)
				return code;
		}
	}
	if (a->iface != NULL || a->dnstap.unix_path != NULL || a->dnstap.tcp != NULL) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (a->iface != NULL) {
		why[0] = '\0';
		err = sensor_run_live(run, a->iface, why, sizeof(why));
		if (err != 0 && outputs_failed(o, a) == 0)
			code = report("interface", a->iface, err, why);
	}
	if (a->dnstap.unix_path != NULL || a->dnstap.tcp != NULL) {
		struct sensor_dnstap_cfg dc = a->dnstap;
		dc.flush_interval = a->cfg.flush_interval;
		why[0] = '\0';
		err = sensor_dnstap_run_live(run, &dc, why, sizeof(why));
		if (err != 0 && outputs_failed(o, a) == 0) {
			fprintf(stderr, "%s: dnstap: %s\n", PROG, why);
			code = err == PROTO_EINVAL ? EXIT_USAGE : err == PROTO_ENOMEM ? EXIT_SOFTWARE
			       : EXIT_UNAVAILABLE;
		}
	}
	return code;
}

/* True once the output failed; outputs_failed() says why. */
static bool
outputs_broken(void *arg)
{
	const struct outputs *o = arg;

	if (o->node != NULL)
		return node_sink_why(o->node)[0] != '\0';
	if (o->db != NULL)
		return o->store.why[0] != '\0';
	return o->out.err != 0 || (o->nf != NULL && o->nxd.err != 0);
}

/* --watch DIR until SIGINT/SIGTERM (sensor_watch.h); an exit code. */
static int
watch_inputs(struct args *a, struct outputs *o, struct sensor_watch_report *rep)
{
	struct sigaction sa;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	a->watch.verbose = a->verbose;
	a->watch.quiet = a->quiet;
	a->watch.run = &a->cfg;
	a->watch.obs = &o->obs_sink;
	a->watch.nxd = o->has_nxd ? &o->nxd_sink : NULL;
	a->watch.store = o->db != NULL ? &o->store : NULL;
	a->watch.sync[0] = o->node == NULL && o->db == NULL ? o->of : NULL;
	a->watch.sync[1] = o->nf;
	a->watch.broken = outputs_broken;
	a->watch.broken_arg = o;
	if ((err = sensor_watch_run(&a->watch, rep)) == 0)
		return 0;
	if (outputs_broken(o))
		return EXIT_IOERR; /* the output's own line comes from outputs_failed() */
	fprintf(stderr, "%s: %s\n", PROG, rep->why);
	if (rep->state_error)
		return err == PROTO_EFORMAT ? EXIT_DATA : err == PROTO_EBUSY ? EXIT_UNAVAILABLE
		       : err == PROTO_EIO ? EXIT_IOERR : EXIT_CANTCREAT;
	return err == PROTO_ENOMEM ? EXIT_SOFTWARE : err == PROTO_EIO ? EXIT_IOERR : EXIT_NOINPUT;
}

int
main(int argc, char **argv)
{
	static struct args a;
	static struct outputs o;
	struct sensor_run *run = NULL;
	int code, err;

	a.cfg.cache_bytes = (size_t)256 << 20;
	a.cfg.snaplen = 65535;
	a.cfg.promisc = true;
	a.cfg.flush_interval = 60;
	a.batch = 10000;
	if ((code = parse_args(argc, argv, &a)) != 0)
		return code;
	a.cfg.progress = isatty(STDERR_FILENO) && !a.quiet;
	if ((code = outputs_open(&o, &a)) != 0)
		return outputs_close(&o, &a, code);
	err = sensor_run_new(&run, &a.cfg, &o.obs_sink, o.has_nxd ? &o.nxd_sink : NULL);
	if (err != 0) {
		fprintf(stderr, "%s: cannot start: %s\n", PROG, proto_strerror(err));
		return outputs_close(&o, &a, EXIT_SOFTWARE);
	}
	signal(SIGPIPE, SIG_IGN);

	static struct sensor_watch_report wrep;
	code = a.watch.dir != NULL ? watch_inputs(&a, &o, &wrep) : run_inputs(run, &a, &o);
	/* Whatever was read is written out, even after an input error. */
	(void)sensor_run_flush(run);
	if (o.node != NULL)
		(void)node_sink_finish(o.node); /* every batch acknowledged, or a timeout */
	int out_code = outputs_failed(&o, &a);
	if (out_code != 0)
		code = out_code;
	if (!a.quiet)
		sensor_stats_print(a.watch.dir != NULL ? &wrep.st : sensor_run_stats(run), PROG,
		                   o.node != NULL ? node_sink_acked_rows(o.node) :
		                   o.db != NULL ? o.store.committed : o.out.rows, stderr);
	sensor_run_destroy(&run);
	return outputs_close(&o, &a, code);
}
