/*
 * pdns_node.c - pdns-node: the daemon (sensors in, peers in and out,
 * queries answered).
 *
 * main() reads the options and the config, reads the node's secret key
 * (refused when group or others may read it), starts the ZAP handler and
 * checks it answers, then runs the server until SIGINT/SIGTERM. Exit codes:
 * 0 clean stop, 64 usage, 69 a socket cannot be bound or the ZAP handler
 * does not answer, 70 internal, 74 store error, 77 the key file's
 * permissions, 78 the config (FILE:LINE errors).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>
#include <sodium.h>

#include "node/node_bench.h"
#include "node/node_check.h"
#include "node/node_config.h"
#include "node/node_http.h"
#include "node/node_log.h"
#include "node/node_server.h"
#include "node/node_zap.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"

#define PROG "pdns-node"

enum { EXIT_USAGE = 64, EXIT_UNAVAILABLE = 69, EXIT_SOFTWARE = 70, EXIT_IOERR = 74,
       EXIT_NOPERM = 77 };

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s --config FILE [--check-config]\n\n"
	        "  -c, --config FILE     the node's configuration (pdns-node.conf(5))\n"
	        "  -n, --check-config    check FILE and the files it names, print errors, exit\n"
	        "  -h, --help            show this help\n"
	        "  -V, --version         show the version\n"
	        "\nRuns in the foreground, one log line per event on stderr, and prints\n"
	        "'pdns-node: ready' once ZAP answers and every socket is bound.\n"
	        "exit: 0 stopped by SIGTERM/SIGINT, 64 usage, 69 cannot bind or no ZAP,\n"
	        "70 internal, 74 store error, 77 secret key file readable by others, 78 config\n",
	        PROG);
}

static void
on_signal(int sig)
{
	(void)sig;
	node_server_stop();
}

static int
serve(const struct node_config *cfg)
{
	uint8_t pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	struct node_zap *zap = NULL;
	struct node_server *srv = NULL;
	struct node_http *http = NULL;
	char why[512] = "";
	int err, code = 0;

	/* The config parse checked the key file already; read it for use. */
	if ((err = proto_keys_load_secret(cfg->key_file, 0, pub, sec, why, sizeof(why))) != 0) {
		node_log("cannot use key-file: %s", why[0] ? why : proto_strerror(err));
		return err == PROTO_EPERM ? EXIT_NOPERM : NODE_CONFIG_EXIT;
	}
	zsys_handler_set(NULL); /* our own handlers below, not czmq's */
	if (NODE_BENCH_PLAINTEXT)
		node_log("WARNING: a benchmark build without CURVE (PDNS_BENCH_PLAINTEXT); "
		         "never run it for real");
	if ((err = node_zap_new(&zap)) != 0) {
		code = EXIT_SOFTWARE;
		goto out;
	}
	for (size_t i = 0; i < cfg->n_sensors; i++)
		if (node_zap_allow(zap, "sensors", cfg->sensors[i].public_key_z85,
		                   cfg->sensors[i].name) != 0)
			goto bad_key;
	for (size_t i = 0; i < cfg->n_clients; i++) {
		if (node_zap_allow(zap, "queries", cfg->clients[i].public_key_z85,
		                   cfg->clients[i].name) != 0)
			goto bad_key;
		if (cfg->clients[i].control &&
		    node_zap_allow(zap, "control", cfg->clients[i].public_key_z85,
		                   cfg->clients[i].name) != 0)
			goto bad_key;
	}
	/* Peers: the query socket (replay requests; queries where accepted)
	 * and the PUB socket of each group they are in, and no other. */
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct node_config_peer *p = &cfg->peers[i];
		char domain[80];
		if (node_zap_allow(zap, "queries", p->public_key_z85, p->name) != 0)
			goto bad_key;
		for (size_t j = 0; j < p->groups.n; j++) {
			snprintf(domain, sizeof(domain), "group:%s", cfg->groups[p->group_index[j]].name);
			if (node_zap_allow(zap, domain, p->public_key_z85, p->name) != 0)
				goto bad_key;
		}
	}
	if ((err = node_zap_start(zap, why, sizeof(why))) != 0) {
		node_log("zap: %s; refusing to start (CURVE without ZAP lets every key in)", why);
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	node_log("zap: handler answers on %s (%zu sensor keys, %zu client keys, %zu peer keys)",
	         NODE_ZAP_ENDPOINT, cfg->n_sensors, cfg->n_clients, cfg->n_peers);
	if ((err = node_server_new(&srv, cfg, pub, sec, why, sizeof(why))) != 0) {
		node_log("cannot open store '%s': %s", cfg->store, why[0] ? why : proto_strerror(err));
		code = err == PROTO_EBUSY ? EXIT_UNAVAILABLE : err == PROTO_EPERM ? EXIT_NOPERM
		       : EXIT_IOERR;
		goto out;
	}
	/* The HTTP APIs read the store the server just opened (or made). */
	if ((err = node_http_start(&http, cfg, why, sizeof(why))) != 0) {
		node_log("http: %s", why[0] ? why : proto_strerror(err));
		code = err == PROTO_EPERM ? EXIT_NOPERM : err == PROTO_EIO ? EXIT_UNAVAILABLE
		       : err == PROTO_EINVAL ? NODE_CONFIG_EXIT : EXIT_IOERR;
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((err = node_server_run(srv, why, sizeof(why))) != 0) {
		node_log("%s", why[0] ? why : proto_strerror(err));
		code = EXIT_UNAVAILABLE;
	}
	goto out;
bad_key:
	node_log("a public key of the config cannot be allowed (internal)");
	code = EXIT_SOFTWARE;
out:
	sodium_memzero(sec, sizeof(sec));
	node_http_stop(&http);
	node_server_destroy(&srv);
	node_zap_destroy(&zap);
	if (code == 0)
		node_log("stopped");
	return code;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false;
	struct node_config *cfg = NULL;
	int c, code;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:nhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n': check = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("%s %s\n", PROG, PDNS_VERSION); return 0;
		default:
			fprintf(stderr, "%s: option '%s': unknown or missing its argument (see --help)\n",
			        PROG, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || path == NULL) {
		fprintf(stderr, "%s: %s (see --help)\n", PROG,
		        path == NULL ? "give --config FILE" : "unexpected argument");
		return EXIT_USAGE;
	}
	if (check)
		return node_check_config_main(path);
	if (node_config_parse(path, 0, &cfg, node_config_print_error, stderr) != 0)
		return NODE_CONFIG_EXIT;
	code = serve(cfg);
	node_config_free(&cfg);
	return code;
}
