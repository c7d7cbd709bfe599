/* cli_admin.c - pdns status / peers / purge (cli_admin.h). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli_admin.h"
#include "cli/cli_node.h"
#include "node/node_purge.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"
#include "proto/proto_opt.h"
#include "store/store_db.h"

#define PROG "pdns"

enum { EXIT_USAGE = 64, EXIT_NOINPUT = 66, EXIT_UNAVAILABLE = 69, EXIT_SOFTWARE = 70,
       EXIT_IOERR = 74, EXIT_NOPERM = 77 };

enum { OPT_NODE = 256, OPT_NODE_KEY, OPT_KEY, OPT_NODE_TIMEOUT, OPT_STORE, OPT_ORIGIN };

static const struct proto_opt opts[] = {
	{ { "node", required_argument, NULL, OPT_NODE }, 0, "ENDPOINT",
	  "the node's control socket (its [node] control)" },
	{ { "node-key", required_argument, NULL, OPT_NODE_KEY }, 0, "PUB",
	  "the node's public key (Z85 or a .pub file)" },
	{ { "key", required_argument, NULL, OPT_KEY }, 0, "FILE",
	  "our secret key file, a [client] with control = yes" },
	{ { "node-timeout", required_argument, NULL, OPT_NODE_TIMEOUT }, 0, "SECONDS",
	  "wait at most this long for the node (default 30)" },
	{ { "store", required_argument, NULL, OPT_STORE }, 0, "DIR",
	  "purge: open this store directly (only when no node runs)" },
	{ { "origin", required_argument, NULL, OPT_ORIGIN }, 0, "PEER",
	  "purge: the peer whose rows go" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, "show this help" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const char *const commands[] = { "status", "peers", "purge" };

bool
cli_admin_is_command(const char *word)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(word, commands[i]) == 0)
			return true;
	return false;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s status|peers --node ENDPOINT --node-key PUB --key FILE\n"
	        "       %s purge --origin PEER (--node ENDPOINT --node-key PUB --key FILE | "
	        "--store DIR)\n\n", PROG, PROG);
	proto_opt_usage(f, opts, NOPTS, 24);
	fprintf(f, "\nexit: 0 done, 64 usage, 66 no such origin, 69 node unreachable or store "
	        "held by a node,\n74 store error, 77 key file permissions or our key refused\n");
}

static int
purge_store(const char *dir, const char *origin)
{
	struct store_db *db = NULL;
	char why[512] = "";
	uint64_t removed = 0;
	size_t origins = 0;
	int err;

	if ((err = store_db_open(&db, dir, STORE_WRITE, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: store '%s': %s%s\n", PROG, dir, why[0] ? why : proto_strerror(err),
		        err == PROTO_EBUSY ? " (a running node: use --node with its control socket)"
		        : "");
		return err == PROTO_EBUSY ? EXIT_UNAVAILABLE : err == PROTO_EPERM ? EXIT_NOPERM
		       : err == PROTO_ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
	}
	err = node_purge_peer(db, origin, &removed, &origins, why, sizeof(why));
	store_db_close(&db);
	if (err != 0) {
		fprintf(stderr, "%s: purge in '%s': %s\n", PROG, dir, why[0] ? why : proto_strerror(err));
		return err == PROTO_ENOENT ? EXIT_NOINPUT : err == PROTO_EINVAL ? EXIT_USAGE
		       : EXIT_IOERR;
	}
	printf("purged %" PRIu64 " rows of '%s'\n", removed, origin);
	return 0;
}

static int
ask_node(const char *node, const char *node_key, const char *key, unsigned timeout,
         const char *command, const char *arg)
{
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	char why[1024] = "";
	int err;

	if ((err = proto_keys_load_public(node_key, node_pub, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: --node-key '%s': %s\n", PROG, node_key,
		        why[0] ? why : proto_strerror(err));
		return err == PROTO_ENOENT ? EXIT_NOINPUT : EXIT_USAGE;
	}
	if ((err = proto_keys_load_secret(key, 0, pub, sec, why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: --key '%s': %s\n", PROG, key, why[0] ? why : proto_strerror(err));
		return err == PROTO_EPERM ? EXIT_NOPERM : EXIT_NOINPUT;
	}
	err = cli_node_control(node, node_pub, pub, sec, command, arg, timeout, stdout, why,
	                       sizeof(why));
	sodium_memzero(sec, sizeof(sec));
	if (err == 0)
		return fflush(stdout) == 0 ? 0 : EXIT_IOERR;
	fprintf(stderr, "%s: %s on node '%s': %s\n", PROG, command, node,
	        why[0] ? why : proto_strerror(err));
	if (err == PROTO_EPERM)
		return EXIT_NOPERM;
	if (err == PROTO_EINVAL)
		return strstr(why, "no origin named") ? EXIT_NOINPUT : EXIT_USAGE;
	return EXIT_UNAVAILABLE;
}

int
cli_admin_main(int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	char sopts[3 * NOPTS + 1];
	const char *command = argv[0], *node = NULL, *node_key = NULL, *key = NULL;
	const char *store = NULL, *origin = NULL;
	unsigned long timeout = 30;
	char *end;
	int c;

	proto_opt_tables(opts, NOPTS, lopts, sopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		switch (c) {
		case OPT_NODE: node = optarg; break;
		case OPT_NODE_KEY: node_key = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_STORE: store = optarg; break;
		case OPT_ORIGIN: origin = optarg; break;
		case OPT_NODE_TIMEOUT:
			timeout = strtoul(optarg, &end, 10);
			if (*end != '\0' || timeout == 0 || timeout > 3600)
				return proto_opt_usage_error(PROG, "--node-timeout '%s': not a number of "
				                             "seconds (1..3600)", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "%s %s: option '%s': unknown or missing its argument "
			        "(see %s %s --help)\n", PROG, command, argv[optind - 1], PROG, command);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s %s: unexpected argument '%s'\n", PROG, command, argv[optind]);
		return EXIT_USAGE;
	}
	bool purge = strcmp(command, "purge") == 0;
	if (purge && origin == NULL) {
		fprintf(stderr, "%s purge: give --origin PEER\n", PROG);
		return EXIT_USAGE;
	}
	if (!purge && (origin != NULL || store != NULL)) {
		fprintf(stderr, "%s %s: --origin and --store apply to purge\n", PROG, command);
		return EXIT_USAGE;
	}
	if (purge && store != NULL) {
		if (node != NULL || node_key != NULL || key != NULL) {
			fprintf(stderr, "%s purge: give --store or --node, not both\n", PROG);
			return EXIT_USAGE;
		}
		return purge_store(store, origin);
	}
	if (node == NULL || node_key == NULL || key == NULL) {
		fprintf(stderr, "%s %s: give --node ENDPOINT --node-key PUB --key FILE%s\n", PROG,
		        command, purge ? " (or --store DIR when no node runs)" : "");
		return EXIT_USAGE;
	}
	return ask_node(node, node_key, key, (unsigned)timeout, command, purge ? origin : "");
}
