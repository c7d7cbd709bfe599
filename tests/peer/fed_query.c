/*
 * fed_query.c - one federated query through cli_node_query_fed (the API
 * pdns uses), for tests/peer/federation_test.py: every row as
 * "row RDATA ORIGIN", then each source as "source NAME STATUS ROWS WHY",
 * then "end partial=0|1 limited=0|1 returned=N", tab-separated.
 *
 * Usage: fed_query ENDPOINT NODE_PUB KEY_FILE NAME TYPE HOP_LIMIT DEADLINE_MS
 * Exit 0, or 1 with the error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_node.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"
#include "proto/proto_name.h"

static int
print_row(void *arg, const struct proto_obs *o, const char *origin)
{
	(void)arg;
	printf("row\t%.*s\t%s\n", (int)o->rdata_len, o->rdata, origin);
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t node_pub[PROTO_KEYS_LEN], pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	static struct cli_node_fed fed;
	struct proto_query q;
	size_t len;
	char why[512] = "";
	int err;

	if (argc != 8) {
		fprintf(stderr, "usage: fed_query ENDPOINT NODE_PUB KEY_FILE NAME TYPE HOP_LIMIT "
		        "DEADLINE_MS\n");
		return 2;
	}
	proto_query_init(&q);
	if (proto_name_parse(argv[4], strlen(argv[4]), q.name, &len) != 0) {
		fprintf(stderr, "fed_query: bad name '%s'\n", argv[4]);
		return 2;
	}
	q.name_len = (uint16_t)len;
	q.types[0] = (uint16_t)atoi(argv[5]);
	q.ntypes = 1;
	if ((err = proto_keys_load_public(argv[2], node_pub, why, sizeof(why))) != 0 ||
	    (err = proto_keys_load_secret(argv[3], 0, pub, sec, why, sizeof(why))) != 0) {
		fprintf(stderr, "fed_query: keys: %s\n", why[0] ? why : proto_strerror(err));
		return 2;
	}
	fed.hop_limit = (unsigned)atoi(argv[6]);
	fed.deadline_ms = (unsigned)atoi(argv[7]);
	err = cli_node_query_fed(argv[1], node_pub, pub, sec, &q, &fed, print_row, NULL, why,
	                         sizeof(why));
	for (size_t i = 0; i < fed.nsources; i++)
		printf("source\t%s\t%s\t%u\t%s\n", fed.sources[i].name,
		       proto_peer_source_status_name(fed.sources[i].status),
		       (unsigned)fed.sources[i].rows, fed.sources[i].why);
	printf("end\tpartial=%d\tlimited=%d\treturned=%llu\n", fed.partial, fed.limited,
	       (unsigned long long)fed.returned);
	if (err != 0) {
		fprintf(stderr, "fed_query: %s (%s)\n", why, proto_strerror(err));
		return 1;
	}
	return 0;
}
