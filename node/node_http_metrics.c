/*
 * node_http_metrics.c - /metrics in Prometheus's text format (0.0.4):
 * ingest, peers, groups, queries, drops by reason and the store's size.
 * The loop's counters come from its snapshot (node_metrics.h), the HTTP
 * server's from its atomics; the store's size is the sum of its files.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "node/node_export.h"
#include "node/node_http_impl.h"
#include "node/node_metrics.h"

static const char *const drop_names[NODE_HTTP_DROPS] = {
	[NODE_HTTP_DROP_AUTH] = "auth",
	[NODE_HTTP_DROP_QUOTA] = "quota",
	[NODE_HTTP_DROP_CONNECTIONS] = "max_connections",
	[NODE_HTTP_DROP_PER_CLIENT] = "max_per_client",
	[NODE_HTTP_DROP_SLOW] = "slow_request",
	[NODE_HTTP_DROP_BAD_REQUEST] = "bad_request",
	[NODE_HTTP_DROP_METHOD] = "method",
	[NODE_HTTP_DROP_BODY] = "request_body",
	[NODE_HTTP_DROP_REFUSED] = "query_refused",
	[NODE_HTTP_DROP_FAILED] = "store_failed",
};

static const char *const api_names[NODE_HTTP_CNT_APIS] = {
	[NODE_HTTP_CNT_V2] = "dnsdb_v2", [NODE_HTTP_CNT_V1] = "dnsdb_v1",
	[NODE_HTTP_CNT_CIRCL] = "circl",
};

/* Bytes of the regular files in dir and its subdirectories (depth-bounded). */
static uint64_t
dir_size(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t sum = 0;
	char path[4096];
	struct stat st;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &st) != 0)
			continue;
		if (S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode) && depth > 0)
			sum += dir_size(path, depth - 1);
	}
	closedir(d);
	return sum;
}

static void __attribute__((format(printf, 2, 3)))
out(struct node_http_body *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	node_http_body_puts(b, line);
}

static void
head(struct node_http_body *b, const char *name, const char *type, const char *help)
{
	out(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
loop_metrics(void *arg, const struct node_metrics_snap *m)
{
	struct node_http_body *b = arg;
	uint64_t peer_drops[4] = { 0, 0, 0, 0 }, withheld[NODE_EXPORT_VERDICTS], below = 0;

	memset(withheld, 0, sizeof(withheld));
	head(b, "pdns_node_start_time_seconds", "gauge", "When the node started (Unix time).");
	out(b, "pdns_node_start_time_seconds %lld\n", (long long)m->started);
	head(b, "pdns_ingest_batches_total", "counter", "Sensor batches applied to the store.");
	out(b, "pdns_ingest_batches_total %llu\n", (unsigned long long)m->batches);
	head(b, "pdns_ingest_rows_total", "counter", "Observations of our sensors applied.");
	out(b, "pdns_ingest_rows_total %llu\n", (unsigned long long)m->rows_in);
	head(b, "pdns_sensor_streams", "gauge", "Sensor streams the node remembers.");
	out(b, "pdns_sensor_streams %llu\n", (unsigned long long)m->sensor_streams);
	head(b, "pdns_peer_batches_total", "counter", "Batches applied from each peer.");
	for (size_t i = 0; i < m->npeers; i++)
		out(b, "pdns_peer_batches_total{peer=\"%s\"} %llu\n", m->peers[i].name,
		    (unsigned long long)m->peers[i].batches);
	head(b, "pdns_peer_rows_total", "counter", "Observations applied from each peer.");
	for (size_t i = 0; i < m->npeers; i++)
		out(b, "pdns_peer_rows_total{peer=\"%s\"} %llu\n", m->peers[i].name,
		    (unsigned long long)m->peers[i].rows);
	head(b, "pdns_peer_drops_total", "counter", "What each peer sent that was not applied, by "
	     "reason.");
	for (size_t i = 0; i < m->npeers; i++) {
		const struct node_metrics_peer *p = &m->peers[i];
		const uint64_t v[4] = { p->dups, p->refused, p->future, p->throttled };
		static const char *const why[4] = { "duplicate", "refused", "future", "throttled" };
		for (size_t j = 0; j < 4; j++) {
			out(b, "pdns_peer_drops_total{peer=\"%s\",reason=\"%s\"} %llu\n", p->name, why[j],
			    (unsigned long long)v[j]);
			peer_drops[j] += v[j];
		}
	}
	head(b, "pdns_group_rows_total", "counter", "Observations published to each sharing "
	     "group.");
	for (size_t i = 0; i < m->ngroups; i++)
		out(b, "pdns_group_rows_total{group=\"%s\"} %llu\n", m->groups[i].name,
		    (unsigned long long)m->groups[i].rows);
	for (size_t i = 0; i < m->ngroups; i++) {
		for (size_t v = 0; v < NODE_EXPORT_VERDICTS; v++)
			withheld[v] += m->groups[i].withheld[v];
		below += m->groups[i].below;
	}
	head(b, "pdns_queries_total", "counter", "Queries answered, by interface.");
	out(b, "pdns_queries_total{api=\"zmq\"} %llu\n", (unsigned long long)m->queries);
	/* The HTTP APIs' lines follow (same metric family). */
	head(b, "pdns_drops_total", "counter", "Observations, requests and connections dropped, "
	     "by source and reason.");
	static const char *const pwhy[4] = { "duplicate", "refused", "future", "throttled" };
	for (size_t j = 0; j < 4; j++)
		out(b, "pdns_drops_total{source=\"peer\",reason=\"%s\"} %llu\n", pwhy[j],
		    (unsigned long long)peer_drops[j]);
	for (size_t v = 1; v < NODE_EXPORT_VERDICTS; v++)
		out(b, "pdns_drops_total{source=\"export\",reason=\"%s\"} %llu\n",
		    node_export_verdict_name((enum node_export_verdict)v),
		    (unsigned long long)withheld[v]);
	out(b, "pdns_drops_total{source=\"export\",reason=\"below_threshold\"} %llu\n",
	    (unsigned long long)below);
}

void
node_http_metrics_answer(struct node_http *h, struct node_http_answer *a)
{
	struct node_http_body *b = &a->body;

	a->status = 200;
	a->type = "text/plain; version=0.0.4; charset=utf-8";
	/* pdns_drops_total and pdns_queries_total are opened by loop_metrics;
	 * the HTTP lines of both families go right after theirs. */
	node_metrics_read(loop_metrics, b);
	for (int i = 0; i < NODE_HTTP_DROPS; i++)
		out(b, "pdns_drops_total{source=\"http\",reason=\"%s\"} %llu\n", drop_names[i],
		    (unsigned long long)atomic_load(&h->drops[i]));
	head(b, "pdns_http_queries_total", "counter", "Lookups and summaries answered over HTTP, "
	     "by API.");
	for (int i = 0; i < NODE_HTTP_CNT_APIS; i++)
		out(b, "pdns_http_queries_total{api=\"%s\"} %llu\n", api_names[i],
		    (unsigned long long)atomic_load(&h->queries[i]));
	head(b, "pdns_http_rows_total", "counter", "Rows sent over HTTP, by API.");
	for (int i = 0; i < NODE_HTTP_CNT_APIS; i++)
		out(b, "pdns_http_rows_total{api=\"%s\"} %llu\n", api_names[i],
		    (unsigned long long)atomic_load(&h->rows[i]));
	head(b, "pdns_http_requests_total", "counter", "HTTP requests answered.");
	out(b, "pdns_http_requests_total %llu\n", (unsigned long long)atomic_load(&h->requests));
	head(b, "pdns_http_responses_total", "counter", "HTTP responses by status class.");
	out(b, "pdns_http_responses_total{class=\"2xx\"} %llu\n",
	    (unsigned long long)atomic_load(&h->responses_2xx));
	out(b, "pdns_http_responses_total{class=\"4xx\"} %llu\n",
	    (unsigned long long)atomic_load(&h->responses_4xx));
	out(b, "pdns_http_responses_total{class=\"5xx\"} %llu\n",
	    (unsigned long long)atomic_load(&h->responses_5xx));
	head(b, "pdns_http_response_bytes_total", "counter", "Bytes of HTTP response bodies.");
	out(b, "pdns_http_response_bytes_total %llu\n",
	    (unsigned long long)atomic_load(&h->bytes_out));
	pthread_mutex_lock(&h->conn_lock);
	size_t conns = h->nconns;
	pthread_mutex_unlock(&h->conn_lock);
	head(b, "pdns_http_connections", "gauge", "Open HTTP connections.");
	out(b, "pdns_http_connections %zu\n", conns);
	head(b, "pdns_store_size_bytes", "gauge", "Bytes of the store's files.");
	out(b, "pdns_store_size_bytes %llu\n", (unsigned long long)dir_size(h->cfg->store, 2));
}
