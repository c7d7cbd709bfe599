/*
 * store_dump.c - print every row of a store, or of one origin, for tests.
 *
 *   store_dump --store DIR [--origin NAME] [--export CONFIG]
 *
 * One line per row, tab-separated: origin, rrname (text, lowercase, no
 * trailing dot), rrtype, section, rdata, time_first, time_last, count.
 * Rows come in the store's key order. With --export, only the rows a node
 * with that config would share (its export policy and thresholds, times
 * rounded as exported): what a peer's copy of the origin must equal. The
 * store is opened read-only, so it works beside a running node.
 * Exit: 0, 64 usage, 66 no such store or origin, 74 store error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_config.h"
#include "node/node_export.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "store/store_db.h"

struct dump {
	struct store_db *db;
	const char *origin;
	struct node_export *exp;
	const struct node_config *cfg;
};

static int
row(void *arg, const struct store_result *r)
{
	struct dump *d = arg;
	char nbuf[1100], origin[128];
	struct proto_buf b;
	struct proto_obs o = r->obs;

	if (d->exp != NULL) {
		if (node_export_check(d->exp, &o) != NODE_EXPORT_OK ||
		    o.count < d->cfg->export.min_count ||
		    (d->cfg->export.min_days > 1 && o.time_first / 86400 == o.time_last / 86400))
			return 0;
		node_export_times(d->exp, &o.time_first, &o.time_last);
	}
	if (store_db_origin_name(d->db, r->origin, origin, sizeof(origin)) != 0)
		snprintf(origin, sizeof(origin), "%u", (unsigned)r->origin);
	proto_buf_init(&b, nbuf, sizeof(nbuf));
	proto_name_format(o.name, o.name_len, &b);
	if (b.len > 1 && b.data[b.len - 1] == '.')
		b.data[--b.len] = '\0';
	printf("%s\t%s\t%u\t%u\t%.*s\t%" PRId64 "\t%" PRId64 "\t%" PRIu64 "\n", origin, b.data,
	       (unsigned)o.rrtype, (unsigned)o.section, (int)o.rdata_len, o.rdata, o.time_first,
	       o.time_last, o.count);
	return 0;
}

static int
each_origin(void *arg, uint16_t id, const char *name)
{
	struct dump *d = arg;

	if (d->origin != NULL && strcmp(d->origin, name) != 0)
		return 0;
	return store_db_scan_origin(d->db, id, d->exp == NULL, row, d);
}

int
main(int argc, char **argv)
{
	struct dump d = { 0 };
	struct node_config *cfg = NULL;
	const char *store = NULL, *export = NULL;
	char why[512] = "";
	int err;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--store") == 0)
			store = argv[i + 1];
		else if (strcmp(argv[i], "--origin") == 0)
			d.origin = argv[i + 1];
		else if (strcmp(argv[i], "--export") == 0)
			export = argv[i + 1];
	}
	if (store == NULL || argc % 2 == 0) {
		fprintf(stderr, "usage: store_dump --store DIR [--origin NAME] [--export CONFIG]\n");
		return 64;
	}
	if (export != NULL) {
		if (node_config_parse(export, NODE_CONFIG_NO_FILES, &cfg, node_config_print_error,
		                      stderr) != 0 || node_export_new(&d.exp, cfg) != 0)
			return 64;
		d.cfg = cfg;
	}
	if ((err = store_db_open(&d.db, store, STORE_READ, why, sizeof(why))) != 0) {
		fprintf(stderr, "store_dump: '%s': %s\n", store, why[0] ? why : proto_strerror(err));
		return err == PROTO_ENOENT ? 66 : 74;
	}
	err = store_db_origins(d.db, each_origin, &d);
	store_db_close(&d.db);
	node_export_free(&d.exp);
	node_config_free(&cfg);
	if (err != 0) {
		fprintf(stderr, "store_dump: '%s': %s\n", store, proto_strerror(err));
		return 74;
	}
	return fflush(stdout) == 0 ? 0 : 74;
}
