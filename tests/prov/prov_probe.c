/*
 * prov_probe.c - a test-only front end to the provider library: load a
 * pdns.conf, ask the named providers one query through prov_fetch, print
 * each row and each provider's status as tab-separated lines, so the mock
 * provider tests (prov_test.py) check the library without pdns.
 *
 *   prov_probe --config FILE [--deadline MS] [-l N] [-O N] [-t TYPES]
 *              [-b BAILIWICK] (-r NAME | -n NAME | -i ADDR) PROVIDER...
 *
 *   row     PROV RRNAME RRTYPE RDATA FIRST LAST COUNT
 *   status  PROV STATUS ROWS REQUESTS PAGES RETRY_AT SECONDS WHY
 *
 * Exit: 0 when every provider has a status, 64 usage, 78 config, 70 else.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_query.h"
#include "cli/pdns_conf.h"
#include "cli/prov_fetch.h"
#include "proto/proto_buf.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

struct probe {
	const struct pdns_conf_provider **provs;
};

static int
print_row(size_t i, const struct proto_obs *o, void *arg)
{
	struct probe *p = arg;
	char name[PROTO_NAME_TEXT_MAX], tmp[PROTO_RRTYPE_TEXT_MAX];
	struct proto_buf b;

	proto_buf_init(&b, name, sizeof name);
	proto_name_format(o->name, o->name_len, &b);
	printf("row\t%s\t%s\t%s\t%.*s\t%" PRId64 "\t%" PRId64 "\t%" PRIu64 "\n",
	       p->provs[i]->name, name, proto_rrtype_name(o->rrtype, tmp), (int)o->rdata_len,
	       o->rdata, o->time_first, o->time_last, o->count);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: prov_probe --config FILE [--deadline MS] [-l N] [-O N] "
	                "[-t TYPES] [-b BAILIWICK] (-r NAME | -n NAME | -i ADDR) PROVIDER...\n");
	return 64;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"deadline", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	unsigned deadline_ms = 0;
	struct proto_query q;
	struct pdns_conf conf;
	struct probe p;
	struct prov_result *res;
	char why[256];
	bool have_q = false, typed = false;
	int opt, rc = 0;
	size_t n;

	proto_query_init(&q);
	while ((opt = getopt_long(argc, argv, "r:n:i:t:b:l:O:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			deadline_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rc = cli_query_rrset(&q, optarg, &typed, why, sizeof why);
			have_q = true;
			break;
		case 'n':
			rc = cli_query_rdata_name(&q, optarg, &typed, why, sizeof why);
			have_q = true;
			break;
		case 'i':
			rc = cli_query_ip(&q, optarg, why, sizeof why);
			have_q = true;
			break;
		case 't':
			rc = cli_query_types(&q, optarg, why, sizeof why);
			break;
		case 'b':
			rc = cli_query_bailiwick(&q, optarg, why, sizeof why);
			break;
		case 'l':
			q.limit = strtoull(optarg, NULL, 10);
			break;
		case 'O':
			q.offset = strtoull(optarg, NULL, 10);
			break;
		default:
			return usage();
		}
		if (rc != 0) {
			fprintf(stderr, "prov_probe: -%c '%s': %s\n", opt, optarg, why);
			return 64;
		}
	}
	if (!config || !have_q || optind == argc)
		return usage();
	if ((rc = pdns_conf_load(&conf, config, why, sizeof why)) != 0) {
		fprintf(stderr, "prov_probe: %s\n", why);
		return 78;
	}
	n = (size_t)(argc - optind);
	p.provs = calloc(n, sizeof *p.provs);
	res = calloc(n, sizeof *res);
	if (!p.provs || !res)
		return 70;
	for (size_t i = 0; i < n; i++)
		if ((p.provs[i] = pdns_conf_provider(&conf, argv[optind + (int)i])) == NULL) {
			fprintf(stderr, "prov_probe: no [provider %s] in %s\n", argv[optind + (int)i],
			        config);
			return 78;
		}
	if (prov_fetch_global_init() != 0)
		return 70;
	rc = prov_fetch(&conf, p.provs, n, &q, deadline_ms ? deadline_ms : conf.deadline_s * 1000,
	                print_row, &p, res);
	for (size_t i = 0; rc == 0 && i < n; i++)
		printf("status\t%s\t%s\t%" PRIu64 "\t%u\t%u\t%" PRId64 "\t%.3f\t%s\n",
		       p.provs[i]->name, prov_status_name(res[i].status), res[i].rows,
		       res[i].requests, res[i].pages, res[i].retry_at, res[i].seconds, res[i].why);
	if (rc != 0)
		fprintf(stderr, "prov_probe: fetch failed (%d)\n", rc);
	free(p.provs);
	free(res);
	pdns_conf_free(&conf);
	return rc ? 70 : 0;
}
