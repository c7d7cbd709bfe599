/*
 * prov_fetch.c - every provider at once on one libcurl multi handle
 * (prov_fetch.h).
 *
 * Each provider is a job that sends one request at a time (page after
 * page) and ends with one struct prov_result; the jobs run side by side.
 * The provider file builds each request and says whether there is another
 * page (prov_def.request/next), parses each body (prov_def.parse); what is
 * here is the same for every provider: HTTP, time limits, status mapping,
 * the rows a provider returns that do not answer the query, the backoff
 * and budget state (prov_state.h), and keeping keys out of every message.
 *
 * Time: a job ends at the earlier of the overall deadline and its own
 * timeout (counted from its first request, over all its pages); libcurl is
 * told the time left for each transfer, so a dead server costs no more.
 */
#include "cli/prov_fetch.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "cli/prov_state.h"
#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_time.h"

#define BODY_MAX (32u << 20)
#define BACKOFF_DEFAULT 60          /* seconds, doubled per strike */
#define BACKOFF_MAX (2 * 86400)

struct job {
	size_t idx;
	const struct pdns_conf_provider *cp;
	const struct proto_query *q;
	struct prov_result *res;
	struct prov_state *st;
	prov_fetch_fn fn;
	void *arg;
	struct prov_creds cr;
	struct prov_cursor cur;
	struct prov_request req;
	uint64_t limit;             /* rows asked per request */
	uint64_t skip;              /* the query's offset, for providers without one */
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	size_t len, cap;
	bool too_big, running, stopped, truncated;
	char cursor_hdr[PROV_CURSOR_MAX];
	int64_t retry_after;        /* Retry-After / X-RateLimit-Reset: Unix time */
	double t0, end;             /* monotonic seconds */
	char errbuf[CURL_ERROR_SIZE];
};

const char *
prov_status_name(enum prov_status st)
{
	static const char *const names[] = {
		"answered", "limited", "refused", "timed out", "quota exceeded",
		"backoff", "unsupported", "error",
	};
	return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "error";
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- libcurl's memory: wiped when freed ------------------------------- */

/*
 * libcurl copies the headers and the Basic auth password into buffers of
 * its own and frees them without clearing. Its allocator hooks let every
 * block it frees be wiped first, so no key outlives its transfer in the
 * heap.
 */
static void
wipe_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void *
wipe_realloc(void *p, size_t n)
{
	void *r;
	size_t old;

	if (!p)
		return malloc(n);
	if (n == 0) {
		wipe_free(p);
		return NULL;
	}
	old = malloc_usable_size(p);
	if ((r = malloc(n)) == NULL)
		return NULL;
	memcpy(r, p, old < n ? old : n);
	wipe_free(p);
	return r;
}

int
prov_fetch_global_init(void)
{
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wipe_free, wipe_realloc, strdup,
	                         calloc) != CURLE_OK)
		return PROTO_EIO;
	return 0;
}

/* ---- messages without secrets ----------------------------------------- */

/* Replace every occurrence of secret in s with "***" (as many '*' as it
 * has bytes when shorter). The search goes on after each mask, so a
 * secret made of '*' cannot make it loop. */
static void
scrub_one(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0, m = n < 3 ? n : 3;
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		memmove(p + m, p + n, strlen(p + n) + 1);
		memset(p, '*', m);
		s = p + m;
	}
}

static void
scrub(struct job *j)
{
	scrub_one(j->res->why, j->cr.key);
	scrub_one(j->res->why, j->cr.user);
	scrub_one(j->res->why, j->cr.key_id);
}

/* The first line of the body, printable ASCII only, for an HTTP error. */
static void
body_line(const struct job *j, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < j->len && o + 1 < cap && j->body[i] != '\n'; i++) {
		unsigned char c = (unsigned char)j->body[i];
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void __attribute__((format(printf, 3, 4)))
finish(struct job *j, enum prov_status st, const char *fmt, ...)
{
	va_list ap;

	j->res->status = st;
	j->res->why[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(j->res->why, sizeof j->res->why, fmt, ap);
		va_end(ap);
	}
	scrub(j);
	j->running = false;
	if (j->res->requests)
		j->res->seconds = mono() - j->t0;
	if (st == PROV_ST_ANSWERED || st == PROV_ST_LIMITED)
		j->st->answered = true;
}

/* ---- rows that answer the query --------------------------------------- */

static bool
rdata_names(const struct proto_obs *o, const struct proto_query *q)
{
	char name[PROTO_NAME_TEXT_MAX];
	struct proto_buf b;
	size_t n, r = o->rdata_len;

	proto_buf_init(&b, name, sizeof name);
	proto_name_format(q->name, q->name_len, &b);
	if (b.err)
		return false;
	n = strlen(name);
	/* the whole rdata (NS, CNAME, PTR) or its last field (MX, SRV) */
	return r >= n && strncasecmp(o->rdata + r - n, name, n) == 0 &&
	       (r == n || o->rdata[r - n - 1] == ' ');
}

static bool
in_range(const struct proto_obs *o, const struct proto_query *q)
{
	unsigned char a[16];
	char text[64];
	size_t n = q->family == 6 ? 16 : 4;

	if (o->rrtype != (q->family == 6 ? PROTO_T_AAAA : PROTO_T_A) || o->rdata_len >= sizeof text)
		return false;
	memcpy(text, o->rdata, o->rdata_len);
	text[o->rdata_len] = '\0';
	if (inet_pton(q->family == 6 ? AF_INET6 : AF_INET, text, a) != 1)
		return false;
	return memcmp(a, q->addr_lo, n) >= 0 && memcmp(a, q->addr_hi, n) <= 0;
}

/* Providers match loosely (Mnemonic and CIRCL on either side of a record):
 * keep only what the query asked for. */
static bool
answers(const struct proto_obs *o, const struct proto_query *q)
{
	bool ok;

	switch (q->kind) {
	case PROTO_Q_RRSET:
		if (q->match == PROTO_M_LEFT)
			ok = o->name_len > q->name_len &&
			     proto_name_is_subdomain(o->name, o->name_len, q->name, q->name_len);
		else if (q->match == PROTO_M_RIGHT)
			ok = o->name_len > q->name_len + 1u &&
			     memcmp(o->name, q->name, q->name_len) == 0;
		else
			ok = o->name_len == q->name_len && memcmp(o->name, q->name, q->name_len) == 0;
		break;
	case PROTO_Q_RDATA_NAME:
		ok = rdata_names(o, q);
		break;
	case PROTO_Q_RDATA_IP:
		ok = in_range(o, q);
		break;
	default:
		ok = true;
	}
	if (ok && q->bailiwick_len && o->bailiwick)
		ok = o->bailiwick_len == q->bailiwick_len &&
		     memcmp(o->bailiwick, q->bailiwick, q->bailiwick_len) == 0;
	return ok && proto_query_match_row(q, o->rrtype, o->section, o->time_first, o->time_last);
}

static int
on_row(const struct proto_obs *o, void *arg)
{
	struct job *j = arg;
	int rc;

	if (!answers(o, j->q))
		return 0;
	if (j->skip) {
		j->skip--;
		return 0;
	}
	if (j->q->limit && j->res->rows >= j->q->limit) {
		j->truncated = true;
		return 0;
	}
	if ((rc = j->fn(j->idx, o, j->arg)) != 0) {
		j->stopped = true;
		return rc;
	}
	j->res->rows++;
	return 0;
}

static int
on_nothing(const struct proto_obs *o, void *arg)
{
	(void)o;
	(void)arg;
	return 0;
}

/* ---- transfers --------------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct job *j = arg;
	size_t n = size * nmemb;

	if (j->len + n > BODY_MAX) {
		j->too_big = true;
		return 0; /* libcurl ends the transfer */
	}
	if (j->len + n > j->cap) {
		size_t cap = j->cap ? j->cap : 16384;
		char *b;
		while (cap < j->len + n)
			cap *= 2;
		if ((b = realloc(j->body, cap)) == NULL)
			return 0;
		j->body = b;
		j->cap = cap;
	}
	memcpy(j->body + j->len, data, n);
	j->len += n;
	return n;
}

/*
 * "Name: value" header line into value when its name is name: blanks
 * around it trimmed, bytes outside printable ASCII (CR, LF, controls,
 * 8-bit) dropped, so a value never carries a line break anywhere.
 */
static bool
header_is(const char *line, size_t n, const char *name, char *value, size_t cap)
{
	size_t k = strlen(name), o = 0;

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return false;
	for (size_t i = k + 1; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c > 0x7e || (c == ' ' && o == 0))
			continue;
		if (o + 1 >= cap)
			return false;
		value[o++] = (char)c;
	}
	while (o && value[o - 1] == ' ')
		o--;
	value[o] = '\0';
	return true;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct job *j = arg;
	size_t n = size * nmemb;
	char v[PROV_CURSOR_MAX];
	time_t now = time(NULL);

	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) { /* a new response (after 100) */
		j->cursor_hdr[0] = '\0';
		j->retry_after = 0;
	} else if (header_is(line, n, "Retry-After", v, sizeof v)) {
		char *end;
		long long s = strtoll(v, &end, 10);
		if (*end == '\0' && end != v && s >= 0)
			j->retry_after = (int64_t)now + (s > BACKOFF_MAX ? BACKOFF_MAX : s);
		else if ((s = (long long)curl_getdate(v, NULL)) > 0)
			j->retry_after = s;
	} else if (header_is(line, n, "X-RateLimit-Reset", v, sizeof v)) {
		long long s = strtoll(v, NULL, 10);
		if (s > now && j->retry_after == 0)
			j->retry_after = s;
	} else if (j->cp->def->cursor_header &&
	           header_is(line, n, j->cp->def->cursor_header, v, sizeof v)) {
		memcpy(j->cursor_hdr, v, strlen(v) + 1);
	}
	return n;
}

/* Headers out of the request, wiped: they hold keys. */
static void
drop_headers(struct job *j)
{
	for (struct curl_slist *h = j->hdrs; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	prov_request_wipe(&j->req);
}

/* Build and add the next request. false: the job finished instead. */
static bool
start(struct job *j, CURLM *multi, const struct pdns_conf *conf)
{
	const char *ca = j->cp->ca_file ? j->cp->ca_file : conf->ca_file;
	char url[PROV_PATH_MAX + 1024];
	double left = j->end - mono();
	long ms;
	int rc;

	if (j->cp->daily_budget && j->st->requests + j->res->requests >= j->cp->daily_budget) {
		if (j->res->requests == 0)
			finish(j, PROV_ST_BACKOFF, "daily budget of %u requests used",
			       j->cp->daily_budget);
		else
			finish(j, PROV_ST_LIMITED, "daily budget of %u requests used",
			       j->cp->daily_budget);
		return false;
	}
	if (left <= 0.001) {
		finish(j, PROV_ST_TIMEOUT, "no time left before the deadline");
		return false;
	}
	rc = j->cp->def->request(j->q, j->limit, &j->cur, &j->cr, &j->req, j->res->why,
	                         sizeof j->res->why);
	if (rc != 0) {
		char why[sizeof j->res->why];
		memcpy(why, j->res->why, sizeof why);
		finish(j, rc == PROTO_ENOTSUP ? PROV_ST_UNSUPPORTED : PROV_ST_ERROR, "%s", why);
		return false;
	}
	if (snprintf(url, sizeof url, "%s%s", j->cp->url, j->req.path) >= (int)sizeof url) {
		drop_headers(j);
		finish(j, PROV_ST_ERROR, "request URL too long");
		return false;
	}
	for (unsigned i = 0; i < j->req.n_headers; i++) {
		struct curl_slist *h = curl_slist_append(j->hdrs, j->req.headers[i]);
		if (!h) {
			drop_headers(j);
			finish(j, PROV_ST_ERROR, "out of memory");
			return false;
		}
		j->hdrs = h;
	}
	ms = (long)(left * 1000) + 1;
	j->len = 0;
	j->too_big = false;
	j->cursor_hdr[0] = '\0';
	j->retry_after = 0;
	j->errbuf[0] = '\0';
	curl_easy_setopt(j->easy, CURLOPT_URL, url);
	curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->hdrs);
	curl_easy_setopt(j->easy, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(j->easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(j->easy, CURLOPT_CAINFO, ca);
	if (j->req.basic_auth) {
		curl_easy_setopt(j->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(j->easy, CURLOPT_USERNAME, j->cr.user ? j->cr.user : "");
		curl_easy_setopt(j->easy, CURLOPT_PASSWORD, j->cr.key ? j->cr.key : "");
	}
	explicit_bzero(url, sizeof url);
	if (curl_multi_add_handle(multi, j->easy) != CURLM_OK) {
		drop_headers(j);
		finish(j, PROV_ST_ERROR, "libcurl refused the transfer");
		return false;
	}
	if (j->res->requests == 0)
		j->t0 = mono();
	j->res->requests++;
	j->cur.page++;
	j->running = true;
	return true;
}

static void
set_backoff(struct job *j, const struct prov_page *pg)
{
	int64_t now = (int64_t)time(NULL), at = j->retry_after;

	if (pg && pg->retry_ms > 0 && now + (pg->retry_ms + 999) / 1000 > at)
		at = now + (pg->retry_ms + 999) / 1000;
	if (at <= now) {
		unsigned s = j->st->strikes < 11 ? j->st->strikes : 11;
		at = now + ((int64_t)BACKOFF_DEFAULT << s);
	}
	if (at > now + BACKOFF_MAX)
		at = now + BACKOFF_MAX;
	j->res->retry_at = j->st->retry_at = at;
	j->st->quota = true;
}

/* The transfer of job j ended with cc; decide what the job does next. */
static void
done(struct job *j, CURLcode cc, CURLM *multi, const struct pdns_conf *conf)
{
	const char *who = j->cp->name;
	struct prov_page pg;
	char why[sizeof j->res->why], line[100];
	long code = 0;
	double t;
	bool more;
	int rc;

	curl_multi_remove_handle(multi, j->easy);
	drop_headers(j);
	j->running = false;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		finish(j, PROV_ST_TIMEOUT, "no answer within %.1f s", mono() - j->t0);
		return;
	}
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && j->too_big)) {
		finish(j, PROV_ST_ERROR, "%s: %s", curl_easy_strerror(cc),
		       j->errbuf[0] ? j->errbuf : "no detail");
		return;
	}
	if (j->too_big) {
		finish(j, PROV_ST_ERROR, "answer larger than %u MiB", BODY_MAX >> 20);
		return;
	}
	body_line(j, line, sizeof line);
	if (line[0] == '\0')
		snprintf(line, sizeof line, "(no body)");
	why[0] = '\0';
	prov_page_init(&pg);
	if (code != 200) {
		/* Read the error body only for its reason and throttle hints;
		 * a quota message in it (PassiveTotal) counts whatever the code. */
		rc = j->len ? j->cp->def->parse(j->body, j->len, on_nothing, NULL, &pg, why,
		                                sizeof why) : 0;
		if (rc == PROTO_EFORMAT || rc == PROTO_ETRUNC)
			why[0] = '\0'; /* not the provider's error form: show the line */
		if (code == 204 || code == 402 || code == 429 || rc == PROTO_EBUSY ||
		    strstr(line, "Rate Limit Exceeded") || strstr(line, "Quota is expired")) {
			set_backoff(j, &pg);
			finish(j, PROV_ST_QUOTA, "HTTP %ld: %s", code, why[0] ? why : line);
		} else if (code == 401 || code == 403) {
			finish(j, PROV_ST_REFUSED, "HTTP %ld (check the key): %s", code,
			       why[0] ? why : line);
		} else if (code == 404 && (j->cp->def->flags & PROV_F_404_EMPTY)) {
			finish(j, PROV_ST_ANSWERED, NULL);
		} else {
			finish(j, PROV_ST_ERROR, "HTTP %ld: %s", code, why[0] ? why : line);
		}
		return;
	}
	if (strncmp(line, "Rate Limit Exceeded", 19) == 0) {
		set_backoff(j, NULL);
		finish(j, PROV_ST_QUOTA, "%s", line);
		return;
	}
	t = mono();
	rc = j->cp->def->parse(j->body ? j->body : "", j->len, on_row, j, &pg, why, sizeof why);
	j->res->parse_seconds += mono() - t;
	j->res->pages++;
	if (j->stopped) {
		finish(j, PROV_ST_ERROR, "stopped by the caller");
		return;
	}
	if (rc == PROTO_EBUSY) {
		set_backoff(j, &pg);
		finish(j, PROV_ST_QUOTA, "%s", why);
		return;
	}
	if (rc == PROTO_EPERM) {
		finish(j, PROV_ST_REFUSED, "%s", why);
		return;
	}
	if (rc == PROTO_ENOENT) { /* VirusTotal's NotFoundError: nothing known */
		finish(j, PROV_ST_ANSWERED, NULL);
		return;
	}
	if (rc != 0) {
		finish(j, PROV_ST_ERROR, "page %u: %s", j->res->pages, why);
		return;
	}
	if (j->cursor_hdr[0])
		memcpy(pg.cursor, j->cursor_hdr, sizeof pg.cursor);
	more = j->cp->def->next(&pg, j->limit, &j->cur);
	if (j->truncated || (more && j->q->limit && j->res->rows >= j->q->limit)) {
		finish(j, PROV_ST_LIMITED, "stopped at the limit of %llu rows",
		       (unsigned long long)j->q->limit);
		return;
	}
	if (!more) {
		if (pg.limited)
			finish(j, PROV_ST_LIMITED, "%s says more rows exist", who);
		else if ((j->cp->def->flags & PROV_F_FULL_LIMITED) && pg.rows >= j->limit)
			finish(j, PROV_ST_LIMITED, "a full page of %llu rows and no paging",
			       (unsigned long long)j->limit);
		else
			finish(j, PROV_ST_ANSWERED, NULL);
		return;
	}
	if (j->res->pages >= j->cp->max_pages) {
		finish(j, PROV_ST_LIMITED, "stopped after max-pages = %u", j->cp->max_pages);
		return;
	}
	(void)start(j, multi, conf);
}

/* ---- the fetch --------------------------------------------------------- */

static bool
setup(struct job *j, int64_t now, char *timebuf)
{
	if (j->st->retry_at > now) {
		proto_time_format_iso(j->st->retry_at, timebuf);
		j->res->retry_at = j->st->retry_at;
		finish(j, PROV_ST_BACKOFF, "over quota: not asked again before %s UTC", timebuf);
		return false;
	}
	if ((j->easy = curl_easy_init()) == NULL) {
		finish(j, PROV_ST_ERROR, "libcurl could not make a handle");
		return false;
	}
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(j->easy, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
	/* Never follow a redirect: the keys would go wherever it points. */
	curl_easy_setopt(j->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "pdns");
	curl_easy_setopt(j->easy, CURLOPT_ACCEPT_ENCODING, "");
	return true;
}

int
prov_fetch(const struct pdns_conf *conf, const struct pdns_conf_provider *const *provs,
           size_t n, const struct proto_query *q, unsigned deadline_ms, prov_fetch_fn fn,
           void *arg, struct prov_result *results)
{
	struct job *jobs = calloc(n ? n : 1, sizeof *jobs);
	struct prov_state *st = calloc(n ? n : 1, sizeof *st);
	char timebuf[PROTO_TIME_TEXT_MAX], swhy[200];
	double t_end = mono() + deadline_ms / 1000.0;
	int64_t now = (int64_t)time(NULL);
	CURLM *multi = curl_multi_init();
	size_t running = 0;
	bool changed = false;
	int rc = 0;

	if (!jobs || !st || !multi) {
		rc = jobs && st ? PROTO_EIO : PROTO_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		st[i].name = provs[i]->name;
	/* A state file we cannot read only loses the memory of past runs. */
	if (prov_state_load(conf->state_file, st, n, now, swhy, sizeof swhy) != 0)
		fprintf(stderr, "pdns: %s\n", swhy);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		double own = provs[i]->timeout_s;
		memset(&results[i], 0, sizeof results[i]);
		j->idx = i;
		j->cp = provs[i];
		j->q = q;
		j->res = &results[i];
		j->st = &st[i];
		j->fn = fn;
		j->arg = arg;
		j->cr.user = provs[i]->user;
		j->cr.key = provs[i]->key;
		j->cr.key_id = provs[i]->key_id;
		if (provs[i]->def->flags & PROV_F_OFFSET)
			j->cur.offset = q->offset;
		else
			j->skip = q->offset;
		j->limit = provs[i]->limit ? provs[i]->limit : 1000;
		/* rows skipped here must be fetched too */
		if (q->limit && q->limit + j->skip < j->limit)
			j->limit = q->limit + j->skip;
		j->end = mono() + own < t_end ? mono() + own : t_end;
		if (setup(j, now, timebuf) && start(j, multi, conf))
			running++;
	}
	while (running) {
		CURLMsg *m;
		int left, still;
		double t = mono();
		/* drive first: new transfers start without waiting for a poll */
		curl_multi_perform(multi, &still);
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			struct job *j = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			done(j, m->data.result, multi, conf);
		}
		/* libcurl's timeouts end transfers; this catches the rest */
		running = 0;
		for (size_t i = 0; i < n; i++) {
			struct job *j = &jobs[i];
			if (!j->running)
				continue;
			if (t > j->end + 0.5) {
				curl_multi_remove_handle(multi, j->easy);
				drop_headers(j);
				finish(j, PROV_ST_TIMEOUT, "no answer before the deadline");
				continue;
			}
			running++;
		}
		if (running)
			curl_multi_poll(multi, NULL, 0, 50, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		st[i].requests = results[i].requests;
		if (st[i].requests || st[i].quota || st[i].answered)
			changed = true;
	}
	if (changed &&
	    prov_state_update(conf->state_file, st, n, (int64_t)time(NULL), swhy, sizeof swhy) != 0)
		fprintf(stderr, "pdns: %s\n", swhy);
out:
	for (size_t i = 0; jobs && i < n; i++) {
		if (jobs[i].easy) {
			if (jobs[i].running)
				curl_multi_remove_handle(multi, jobs[i].easy);
			curl_easy_cleanup(jobs[i].easy);
		}
		drop_headers(&jobs[i]);
		free(jobs[i].body);
	}
	if (multi)
		curl_multi_cleanup(multi);
	free(jobs);
	free(st);
	return rc;
}
