/*
 * bench_merge.c - how fast cli_rows merges a federated answer (issue 6):
 * N rows (default 1,000,000) from 5 sources (a local store, two peers, one
 * of them also through replication as "PEER/GROUP", and two providers, one
 * without counts), with keys overlapping across sources the way a shared
 * history does. Prints rows/s and the time against a plain copy of the
 * same rows (the struct into an array, name and rdata into an arena), the
 * least any merge must do, measured in the same run, and against the
 * merge without sources (cli_rows_add, what pdns did before); best of 3,
 * in CPU seconds of the process.
 *
 * Usage: bench_merge [ROWS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_rows.h"
#include "proto/proto_rrtype.h"

#define NSRC 5

static const char *const src_name[NSRC] = { "local", "peerA/sensors", "peerA", "dnsdb",
                                            "vt" };

/*
 * Process CPU time: the merge is one thread, so on an idle machine this is
 * its wall time, and on a shared one it leaves out the time others ran.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct input {
	struct proto_obs *obs;
	unsigned char *src;  /* source index of each row */
	char *text;          /* names and rdata */
	size_t n;
};

/* Key k: name "hK.example.com" (wire form), rdata "10.a.b.c". */
static size_t
make_key(size_t k, uint8_t *name, char *rdata)
{
	char label[24];
	int ll = snprintf(label, sizeof(label), "h%zu", k % 100000);
	size_t nl = 0;

	name[nl++] = (uint8_t)ll;
	memcpy(name + nl, label, (size_t)ll);
	nl += (size_t)ll;
	memcpy(name + nl, "\7example\3com", 13);
	nl += 13;
	snprintf(rdata, 16, "10.%zu.%zu.%zu", (k >> 16) & 255, (k >> 8) & 255, k & 255);
	return nl;
}

static int
make_input(struct input *in, size_t n)
{
	size_t keys = n * 3 / 5; /* each key is seen ~1.7 times */
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	in->n = n;
	in->obs = calloc(n, sizeof(*in->obs));
	in->src = calloc(n, 1);
	in->text = malloc(n * 48);
	if (in->obs == NULL || in->src == NULL || in->text == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t *name = (uint8_t *)in->text + i * 48;
		char *rdata = in->text + i * 48 + 30;
		size_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (size_t)(x % keys);
		in->src[i] = (unsigned char)(i % NSRC);
		in->obs[i] = (struct proto_obs){
			.name = name, .name_len = (uint32_t)make_key(k, name, rdata),
			.rdata = rdata, .rrtype = PROTO_T_A, .section = PROTO_SEC_ANSWER,
			.time_first = 1600000000 + (int64_t)(x % 1000000),
			.time_last = 1700000000 + (int64_t)(x % 999983),
			.count = in->src[i] == 4 ? 0 : 1 + x % 100,
		};
		in->obs[i].rdata_len = (uint32_t)strlen(rdata);
	}
	return 0;
}

/* The baseline: the rows copied, nothing looked up. */
static double
run_copy(const struct input *in, size_t *check)
{
	struct proto_obs *out = malloc(in->n * sizeof(*out));
	char *arena = malloc(in->n * 48);
	double t0 = now(), t;
	size_t used = 0;

	if (out == NULL || arena == NULL) {
		free(out);
		free(arena);
		return -1;
	}
	for (size_t i = 0; i < in->n; i++) {
		const struct proto_obs *o = &in->obs[i];
		out[i] = *o;
		memcpy(arena + used, o->name, o->name_len);
		out[i].name = (uint8_t *)arena + used;
		used += o->name_len;
		memcpy(arena + used, o->rdata, o->rdata_len + 1);
		out[i].rdata = arena + used;
		used += o->rdata_len + 1;
	}
	t = now() - t0;
	*check = used + out[in->n / 2].name_len;
	free(out);
	free(arena);
	return t;
}

/*
 * pdns's path for provider answers (cli/fed.c): each source's rows are
 * first collected into a set of its own (in the provider thread, while
 * others are still answering: *collect), then the sets are merged into
 * one (cli_rows_add_rows: the return value).
 */
static double
run_sets(const struct input *in, double *collect, size_t *rows)
{
	struct cli_rows *set[NSRC] = { NULL }, *r = NULL;
	double t0 = now(), t1, t = -1;
	int err = cli_rows_new(&r);

	for (int s = 0; s < NSRC && err == 0; s++)
		err = cli_rows_new(&set[s]);
	for (size_t i = 0; i < in->n && err == 0; i++) {
		unsigned s = in->src[i];
		err = cli_rows_add_src(set[s], &in->obs[i], src_name[s], s != 4);
	}
	t1 = now();
	*collect = t1 - t0;
	for (int s = 0; s < NSRC && err == 0; s++)
		err = cli_rows_add_rows(r, set[s]);
	if (err == 0) {
		t = now() - t1;
		*rows = cli_rows_count(r);
	}
	for (int s = 0; s < NSRC; s++)
		cli_rows_destroy(&set[s]);
	cli_rows_destroy(&r);
	return t;
}

/* The merge of pdns without sources (cli_rows_add), for the sources' share. */
static double
run_plain(const struct input *in)
{
	struct cli_rows *r = NULL;
	double t0 = now(), t;

	if (cli_rows_new(&r) != 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		if (cli_rows_add(r, &in->obs[i]) != 0) {
			cli_rows_destroy(&r);
			return -1;
		}
	}
	t = now() - t0;
	cli_rows_destroy(&r);
	return t;
}

static double
run_merge(const struct input *in, size_t *rows, uint64_t *count)
{
	struct cli_rows *r = NULL;
	double t0 = now(), t;

	if (cli_rows_new(&r) != 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		unsigned s = in->src[i];
		if (cli_rows_add_src(r, &in->obs[i], src_name[s], s != 4) != 0) {
			cli_rows_destroy(&r);
			return -1;
		}
	}
	t = now() - t0;
	*rows = cli_rows_count(r);
	*count = 0;
	for (size_t i = 0; i < *rows; i++)
		*count += cli_rows_get(r, i)->count;
	cli_rows_destroy(&r);
	return t;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, rows = 0, check = 0;
	double best_copy = 1e9, best_merge = 1e9, best_plain = 1e9, best_sets = 1e9;
	double best_collect = 1e9;
	size_t set_rows = 0;
	uint64_t count = 0;
	struct input in;

	if (n == 0 || make_input(&in, n) != 0) {
		fprintf(stderr, "bench_merge: cannot build %zu input rows\n", n);
		return 1;
	}
	for (int rep = 0; rep < 3; rep++) {
		double c = run_copy(&in, &check), m = run_merge(&in, &rows, &count);
		double p = run_plain(&in), collect = 0, sm = run_sets(&in, &collect, &set_rows);
		if (c < 0 || m < 0 || p < 0 || sm < 0 || set_rows != rows) {
			fprintf(stderr, "bench_merge: out of memory, or the two merges differ\n");
			return 1;
		}
		best_copy = c < best_copy ? c : best_copy;
		best_merge = m < best_merge ? m : best_merge;
		best_plain = p < best_plain ? p : best_plain;
		best_sets = sm < best_sets ? sm : best_sets;
		best_collect = collect < best_collect ? collect : best_collect;
	}
	printf("merge: %zu input rows from %d sources -> %zu merged rows (sum of counts %llu)\n",
	       n, NSRC, rows, (unsigned long long)count);
	printf("merge: %.3f s, %.0f rows/s\n", best_merge, (double)n / best_merge);
	printf("merge of %d per-source sets (cli_rows_add_rows, pdns's path): %.3f s, "
	       "%.0f rows/s (collecting the sets first: %.3f s)\n", NSRC, best_sets,
	       (double)n / best_sets, best_collect);
	printf("merge without sources (cli_rows_add): %.3f s, %.0f rows/s\n", best_plain,
	       (double)n / best_plain);
	printf("copy baseline: %.3f s, %.0f rows/s (check %zu)\n", best_copy,
	       (double)n / best_copy, check);
	printf("merge/copy: %.1fx row by row, %.1fx merging the sets\n", best_merge / best_copy,
	       best_sets / best_copy);
	free(in.obs);
	free(in.src);
	free(in.text);
	return 0;
}
