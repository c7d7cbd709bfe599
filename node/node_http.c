/*
 * node_http.c - the HTTP server: libmicrohttpd in epoll mode on a pool of
 * [http] threads threads, the request handler and the access log.
 *
 * A request is handled whole on the thread that read it: its target is
 * taken as the client sent it (the URI log callback sees it before
 * libmicrohttpd decodes anything, so node_http_req.c decodes each path
 * segment itself and %2F stays inside a name), then authenticated,
 * counted against the quota, run and answered with one buffer. Only GET
 * and HEAD are served, and never with a body.
 *
 * The access log is one line per request: client address, method, the
 * path and the known query parameters (values of others are not logged,
 * and neither are headers: no key or password ever reaches the log),
 * status, rows, bytes, milliseconds and the credential's name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "node/node_http.h"
#include "node/node_http_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

#define LOG_TARGET_MAX 400   /* bytes of a request target in the access log */
#define MHD_LOG_PER_SECOND 10

/* One request, from its request line to the end of its answer. */
struct node_http_rq {
	char *uri;               /* the target as sent (NUL-terminated copy) */
	size_t uri_len;
	int64_t start_ms;
	struct node_http_conn *conn;
	bool answered;
	bool called;             /* the first call (headers only) has been seen */
	unsigned status;
	uint64_t rows, bytes;
	const char *who;
	char method[8];
};

/* ---- libmicrohttpd's log, rate-limited ---- */

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	static _Atomic int64_t second;
	static _Atomic int count;
	char line[512];
	int64_t now = (int64_t)time(NULL);

	(void)cls;
	if (atomic_exchange(&second, now) != now)
		atomic_store(&count, 0);
	if (atomic_fetch_add(&count, 1) >= MHD_LOG_PER_SECOND)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	node_log("http: libmicrohttpd: %s", line);
}

/* ---- Connections ---- */

static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t alen)
{
	return node_http_conn_allowed(cls, addr, alen) ? MHD_YES : MHD_NO;
}

static struct node_http_conn *
conn_of(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
	struct node_http *h = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ad != NULL ? ad->client_addr : NULL;
		socklen_t alen = sa == NULL ? 0 : sa->sa_family == AF_INET6
		                 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
		*socket_context = node_http_conn_open(h, fd != NULL ? fd->connect_fd : -1, sa, alen);
	} else {
		node_http_conn_close(h, *socket_context);
		*socket_context = NULL;
	}
}

/* ---- Requests ---- */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct node_http *h = cls;
	struct node_http_rq *rq = calloc(1, sizeof(*rq));

	if (rq == NULL)
		return NULL;
	rq->uri_len = strnlen(uri, NODE_HTTP_URI_MAX + 1);
	if ((rq->uri = malloc(rq->uri_len + 1)) == NULL) {
		free(rq);
		return NULL;
	}
	memcpy(rq->uri, uri, rq->uri_len);
	rq->uri[rq->uri_len] = '\0';
	rq->start_ms = node_http_now_ms();
	rq->conn = conn_of(con);
	rq->who = "-";
	node_http_conn_state(h, rq->conn, NODE_HTTP_CONN_HEADERS);
	atomic_fetch_add(&h->requests, 1);
	return rq;
}

static void
rq_free(struct node_http_rq *rq)
{
	if (rq == NULL)
		return;
	free(rq->uri);
	free(rq);
}

/* The request target as logged: the path, and the known parameters with
 * their values (others by name only); bytes outside printable ASCII and
 * '"' as %XX. */
static void
log_target(const char *uri, size_t len, char *out, size_t cap)
{
	static const char *const known[] = { "limit", "offset", "max_count", "aggr", "humantime",
	                                     "swclient", "version", "id",
	                                     "time_first_before", "time_first_after",
	                                     "time_last_before", "time_last_after" };
	size_t o = 0;
	bool in_query = false, show = true;

	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)uri[i];
		if (c == '?' || (in_query && c == '&')) {
			in_query = true;
			show = false;
			size_t kn = strcspn(uri + i + 1, "=&");
			for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
				show = show || (kn == strlen(known[k]) &&
				                memcmp(uri + i + 1, known[k], kn) == 0);
			out[o++] = (char)c;
			if (!show) {
				size_t copy = kn < cap - o - 8 ? kn : cap - o - 8;
				for (size_t k = 0; k < copy; k++) {
					unsigned char kc = (unsigned char)uri[i + 1 + k];
					out[o++] = kc > ' ' && kc < 0x7f && kc != '"' ? (char)kc : '_';
				}
				out[o++] = '=';
				out[o++] = '-';
				i += kn;
				while (i + 1 < len && uri[i + 1] != '&')
					i++;
			}
			continue;
		}
		if (c <= ' ' || c >= 0x7f || c == '"')
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void
on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct node_http *h = cls;
	struct node_http_rq *rq = *req_cls;
	static const char *const why[] = {
		[MHD_REQUEST_TERMINATED_COMPLETED_OK] = "",
		[MHD_REQUEST_TERMINATED_WITH_ERROR] = " (connection error)",
		[MHD_REQUEST_TERMINATED_TIMEOUT_REACHED] = " (timeout)",
		[MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN] = " (shutting down)",
		[MHD_REQUEST_TERMINATED_READ_ERROR] = " (client went away)",
		[MHD_REQUEST_TERMINATED_CLIENT_ABORT] = " (client went away)",
	};

	*req_cls = NULL;
	if (rq == NULL)
		return;
	node_http_conn_state(h, rq->conn != NULL ? rq->conn : conn_of(con), NODE_HTTP_CONN_IDLE);
	if (h->cfg->http.access_log) {
		char target[LOG_TARGET_MAX + 16], client[INET6_ADDRSTRLEN] = "?";
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ad != NULL ? ad->client_addr : NULL;
		if (sa != NULL && sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, client,
			          sizeof(client));
		else if (sa != NULL && sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, client,
			          sizeof(client));
		log_target(rq->uri, rq->uri_len, target, sizeof(target));
		char status[8] = "-";
		if (rq->answered)
			snprintf(status, sizeof(status), "%u", rq->status);
		node_log("http: %s \"%s %s\" %s rows=%llu bytes=%llu ms=%lld key=%s%s", client,
		         rq->method[0] ? rq->method : "-", target, status,
		         (unsigned long long)rq->rows, (unsigned long long)rq->bytes,
		         (long long)(node_http_now_ms() - rq->start_ms), rq->who,
		         (unsigned)toe < sizeof(why) / sizeof(why[0]) && why[toe] ? why[toe]
		                                                                  : " (ended)");
	}
	rq_free(rq);
}

/* The request's answer into a (every path: status, type, body). */
static void
handle(struct node_http *h, struct MHD_Connection *con, struct node_http_rq *rq,
       const char *method, struct node_http_answer *a)
{
	const struct node_http_limits lim = { h->cfg->http.max_rows, h->cfg->http.max_scan };
	struct node_http_req *r = calloc(1, sizeof(*r));
	const char *key = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-API-Key");
	const char *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                               MHD_HTTP_HEADER_AUTHORIZATION);
	const char *clen = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_TRANSFER_ENCODING);
	long b;

	if (r == NULL) {
		node_http_answer_error(a, 503, "out of memory; try again");
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		node_http_drop(h, NODE_HTTP_DROP_METHOD);
		node_http_answer_error(a, 405, "only GET and HEAD are served");
		goto done;
	}
	if ((clen != NULL && strspn(clen, "0") != strlen(clen)) || te != NULL) {
		node_http_drop(h, NODE_HTTP_DROP_BODY);
		node_http_answer_error(a, 413, "requests have no body here");
		goto done;
	}
	if (rq->uri == NULL ||
	    node_http_req_parse(r, rq->uri, rq->uri_len, (int64_t)time(NULL), &lim) != 0) {
		node_http_drop(h, NODE_HTTP_DROP_BAD_REQUEST);
		node_http_answer_error(a, r->status ? r->status : 400,
		                       r->why[0] ? r->why : "bad request");
		goto done;
	}
	if (r->api == NODE_HTTP_API_CIRCL) {
		if ((b = node_http_auth_circl(h, auth, key, a)) >= 0 && node_http_quota_take(h, b, a))
			node_http_circl_answer(h, r, a);
		goto done;
	}
	if (r->verb == NODE_HTTP_PING) {
		node_http_dnsdb_ping(a);
		goto done;
	}
	if ((b = node_http_auth_dnsdb(h, key, auth, a)) < 0)
		goto done;
	if (r->verb == NODE_HTTP_METRICS)
		node_http_metrics_answer(h, a);
	else if (r->verb == NODE_HTTP_RATE_LIMIT)
		node_http_dnsdb_rate_limit(h, r, b, a);
	else if (node_http_quota_take(h, b, a))
		node_http_dnsdb_answer(h, r, a);
done:
	free(r);
	if (a->body.err != 0) {
		a->body.err = 0;
		node_http_answer_error(a, 500, "the answer could not be built (out of memory); "
		                       "narrow the query");
	}
}

static void
add_header(struct MHD_Response *resp, const char *name, const char *value)
{
	MHD_add_response_header(resp, name, value);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size,
           void **req_cls)
{
	struct node_http *h = cls;
	struct node_http_rq *rq = *req_cls;
	struct node_http_answer a;
	char num[32];

	(void)url;
	(void)version;
	(void)upload_data;
	if (rq == NULL) /* out of memory in on_uri: nothing to answer with */
		return MHD_NO;
	/* libmicrohttpd closes a connection whose answer was queued on the
	 * first call: answer on the next one (the request complete), so
	 * keep-alive clients keep their connection. A request announcing a
	 * body is answered at once (413), which also ends its connection. */
	if (!rq->called) {
		const char *clen = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
		rq->called = true;
		if ((clen == NULL || strspn(clen, "0") == strlen(clen)) &&
		    MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		                                MHD_HTTP_HEADER_TRANSFER_ENCODING) == NULL)
			return MHD_YES;
	}
	if (rq->answered) { /* a body after the answer: read and dropped */
		*upload_data_size = 0;
		return MHD_YES;
	}
	node_http_conn_state(h, rq->conn, NODE_HTTP_CONN_BUSY);
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	memset(&a, 0, sizeof(a));
	a.who = "-";
	handle(h, con, rq, method, &a);
	rq->answered = true;
	rq->status = a.status;
	rq->rows = a.rows;
	rq->bytes = a.body.len;
	rq->who = a.who;
	struct MHD_Response *resp = a.body.len > 0
		? MHD_create_response_from_buffer(a.body.len, a.body.data, MHD_RESPMEM_MUST_FREE)
		: MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		node_http_body_free(&a.body);
		return MHD_NO;
	}
	if (a.body.len > 0)
		a.body.data = NULL; /* the response owns it now */
	add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.type ? a.type : "text/plain");
	add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (a.status == 405)
		add_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (a.basic_challenge)
		add_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		           "Basic realm=\"pdns\", charset=\"UTF-8\"");
	if (a.rate_headers) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)a.rate.limit);
		add_header(resp, "X-RateLimit-Limit", num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)a.rate.remaining);
		add_header(resp, "X-RateLimit-Remaining", num);
		snprintf(num, sizeof(num), "%lld", (long long)a.rate.reset);
		add_header(resp, "X-RateLimit-Reset", num);
		if (a.status == 429) {
			int64_t wait = a.rate.reset - (int64_t)time(NULL);
			snprintf(num, sizeof(num), "%lld", (long long)(wait > 0 ? wait : 1));
			add_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
		}
	}
	enum MHD_Result ret = MHD_queue_response(con, a.status, resp);
	MHD_destroy_response(resp);
	atomic_fetch_add(&h->bytes_out, rq->bytes);
	if (a.status < 300)
		atomic_fetch_add(&h->responses_2xx, 1);
	else if (a.status < 500)
		atomic_fetch_add(&h->responses_4xx, 1);
	else
		atomic_fetch_add(&h->responses_5xx, 1);
	return ret;
}

/* ---- Start and stop ---- */

/* [http] listen (checked by the config parser) into a socket address. */
static bool
listen_addr(const char *ep, struct sockaddr_storage *ss, bool *v6)
{
	const char *h = ep + 6, *colon = strrchr(h, ':');
	char host[64];
	unsigned long port = 0;
	size_t n;

	if (strncmp(ep, "tcp://", 6) != 0 || colon == NULL)
		return false;
	if (strcmp(colon + 1, "*") != 0) {
		char *end;
		port = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || port > 65535)
			return false;
	}
	n = (size_t)(colon - h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	*v6 = false;
	if (strcmp(host, "*") == 0) {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*v6 = true;
		return true;
	}
	return false;
}

int
node_http_start(struct node_http **out, const struct node_config *cfg, char *why,
                size_t whylen)
{
	struct node_http *h;
	struct sockaddr_storage ss;
	bool v6;
	int err;

	*out = NULL;
	why[0] = '\0';
	if (cfg->http.listen == NULL)
		return 0;
	if (!listen_addr(cfg->http.listen, &ss, &v6)) {
		snprintf(why, whylen, "listen '%s': not tcp://ADDRESS:PORT", cfg->http.listen);
		return PROTO_EINVAL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return PROTO_ENOMEM;
	h->cfg = cfg;
	pthread_mutex_init(&h->quota_lock, NULL);
	pthread_mutex_init(&h->db_lock, NULL);
	pthread_cond_init(&h->db_free, NULL);
	pthread_mutex_init(&h->conn_lock, NULL);
	if ((err = node_http_auth_load(h, why, whylen)) != 0 ||
	    (err = node_http_run_open(h, why, whylen)) != 0 ||
	    (err = node_http_conn_start(h, why, whylen)) != 0) {
		node_http_stop(&h);
		return err;
	}
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
		(v6 ? MHD_USE_IPv6 : 0), 0, on_accept, h, on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http.threads,
		/* Our caps (node_http_conn.c) come first and count what they
		 * refuse; libmicrohttpd's, a little higher, only back them up
		 * (threads accepting at once may each pass ours). */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http.max_connections * 2,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)(cfg->http.max_per_client + cfg->http.threads),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http.timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->http.max_request_size,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 256u,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_END);
	if (h->daemon == NULL) {
		int e = errno;
		snprintf(why, whylen, "cannot listen on '%s': %s", cfg->http.listen,
		         e ? strerror(e) : "libmicrohttpd refused to start");
		node_http_stop(&h);
		return PROTO_EIO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di != NULL ? di->port : 0;
	node_log("http: listening on %s (port %u; DNSDB API v2 /dnsdb/v2/, v1 /lookup/, CIRCL "
	         "/pdns/query/, /metrics; %s)", cfg->http.listen, h->port,
	         h->open_dnsdb ? "no api-keys-file: any key is accepted"
	                       : "API keys required");
	*out = h;
	return 0;
}

void
node_http_stop(struct node_http **hp)
{
	struct node_http *h = *hp;

	if (h == NULL)
		return;
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	node_http_conn_stop(h);
	node_http_run_close(h);
	node_http_auth_free(h);
	pthread_mutex_destroy(&h->quota_lock);
	pthread_mutex_destroy(&h->db_lock);
	pthread_cond_destroy(&h->db_free);
	pthread_mutex_destroy(&h->conn_lock);
	free(h);
	*hp = NULL;
}
