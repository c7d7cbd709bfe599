/* pdns_sensor_store.c - batches of observations into the store. */
#include <stdio.h>
#include <stdlib.h>

#include "proto/proto_err.h"
#include "sensor/pdns_sensor_store.h"

int
store_sink_init(struct store_sink *s, struct store_db *db, size_t batch, bool verbose)
{
	s->db = db;
	s->batch = batch ? batch : 1;
	s->n = 0;
	s->committed = 0;
	s->verbose = verbose;
	s->why[0] = '\0';
	s->hook = NULL;
	s->hook_arg = NULL;
	s->rows = calloc(s->batch, sizeof(*s->rows));
	return s->rows != NULL ? 0 : PROTO_ENOMEM;
}

void
store_sink_fini(struct store_sink *s)
{
	free(s->rows);
	s->rows = NULL;
}

static int
commit(struct store_sink *s)
{
	struct store_meta_op op;
	size_t nops = 0;
	int err;

	if (s->n == 0)
		return 0;
	if (s->hook != NULL && (err = s->hook(s->hook_arg, s->n, &op, &nops)) != 0) {
		if (err < 0)
			return err;
		s->n = 0; /* already in the store */
		return 0;
	}
	err = store_db_write(s->db, s->rows, s->n, STORE_ORIGIN_LOCAL, &op, nops, s->why,
	                     sizeof(s->why));
	if (err != 0)
		return err;
	s->committed += s->n;
	if (s->verbose) {
		fprintf(stderr, "pdns-sensor: committed %zu rows (%llu in all)\n", s->n,
		        (unsigned long long)s->committed);
		fflush(stderr);
	}
	s->n = 0;
	return 0;
}

/*
 * The rows' names and rdata point into the aggregation table, which stays
 * intact until its flush has handed over every row: keeping pointers until
 * store_sink_done() is safe and saves a copy.
 */
int
store_sink_row(void *arg, const struct proto_obs *row)
{
	struct store_sink *s = arg;

	s->rows[s->n++] = *row;
	return s->n == s->batch ? commit(s) : 0;
}

int
store_sink_done(void *arg)
{
	return commit(arg);
}
