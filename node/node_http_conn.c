/*
 * node_http_conn.c - connection accounting: caps at accept, and a janitor
 * for slow senders.
 *
 * libmicrohttpd's own timeout is an idle timeout: a client sending one
 * byte every few seconds keeps a connection forever (slowloris). So every
 * connection is tracked here, and a janitor thread shuts down (never
 * closes: the descriptor stays libmicrohttpd's) any connection whose
 * request has not arrived whole within [http] timeout of the connection's
 * start or of the previous answer. libmicrohttpd tells us a connection is
 * closed before it closes the descriptor, and both sides hold conn_lock,
 * so the janitor never touches a descriptor number already reused.
 *
 * The caps: max-connections in all, max-per-client per address, checked
 * when libmicrohttpd accepts (and counted, by reason, when refused);
 * libmicrohttpd's own limits, set to the same values, are a backstop.
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "node/node_http_impl.h"
#include "node/node_log.h"
#include "proto/proto_err.h"

void
node_http_drop(struct node_http *h, enum node_http_drop why)
{
	atomic_fetch_add(&h->drops[why], 1);
}

static bool
same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		              &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		              &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}

bool
node_http_conn_allowed(struct node_http *h, const struct sockaddr *addr, socklen_t alen)
{
	size_t same = 0;
	bool ok = true;

	(void)alen;
	pthread_mutex_lock(&h->conn_lock);
	if (h->nconns >= h->cfg->http.max_connections) {
		node_http_drop(h, NODE_HTTP_DROP_CONNECTIONS);
		ok = false;
	} else {
		for (struct node_http_conn *c = h->conns; c != NULL; c = c->next)
			same += same_addr(addr, &c->addr);
		if (same >= h->cfg->http.max_per_client) {
			node_http_drop(h, NODE_HTTP_DROP_PER_CLIENT);
			ok = false;
		}
	}
	pthread_mutex_unlock(&h->conn_lock);
	return ok;
}

struct node_http_conn *
node_http_conn_open(struct node_http *h, int fd, const struct sockaddr *addr, socklen_t alen)
{
	struct node_http_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	if (addr != NULL && alen <= sizeof(c->addr)) {
		memcpy(&c->addr, addr, alen);
		c->alen = alen;
	}
	c->state = NODE_HTTP_CONN_FIRST;
	c->since_ms = node_http_now_ms();
	pthread_mutex_lock(&h->conn_lock);
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	pthread_mutex_unlock(&h->conn_lock);
	return c;
}

void
node_http_conn_close(struct node_http *h, struct node_http_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&h->conn_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	bool last = --h->nconns == 0;
	pthread_mutex_unlock(&h->conn_lock);
	free(c);
	/* After a burst of connections glibc keeps the freed memory of the
	 * worker threads' arenas (30 MiB after 1,000 connections in
	 * bench_http.py); the last connection gone, give it back. */
	if (last)
		malloc_trim(0);
}

void
node_http_conn_state(struct node_http *h, struct node_http_conn *c,
                     enum node_http_conn_state state)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&h->conn_lock);
	/* A first request's deadline runs from the connection's start; a later
	 * one's from the request line (an idle wait is libmicrohttpd's). */
	if (!(state == NODE_HTTP_CONN_HEADERS && c->state == NODE_HTTP_CONN_FIRST))
		c->since_ms = node_http_now_ms();
	c->state = state;
	pthread_mutex_unlock(&h->conn_lock);
}

static void *
janitor(void *arg)
{
	struct node_http *h = arg;
	int64_t limit = (int64_t)h->cfg->http.timeout * 1000;
	struct timespec ts;

	pthread_mutex_lock(&h->conn_lock);
	while (!h->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&h->conn_wake, &h->conn_lock, &ts);
		int64_t now = node_http_now_ms();
		for (struct node_http_conn *c = h->conns; c != NULL; c = c->next) {
			if (c->cut || c->state == NODE_HTTP_CONN_BUSY || now - c->since_ms <= limit)
				continue;
			/* Bytes the kernel holds that libmicrohttpd has not read yet
			 * mean we are behind, not the client: a loaded node must not
			 * cut a keep-alive connection whose next request has come. */
			int unread = 0;
			if ((c->state == NODE_HTTP_CONN_IDLE || c->state == NODE_HTTP_CONN_FIRST) &&
			    ioctl(c->fd, FIONREAD, &unread) == 0 &&
			    unread > 0)
				continue;
			/* An idle keep-alive connection is closed quietly; a request that
			 * does not come whole is a slow client. */
			if (c->state != NODE_HTTP_CONN_IDLE)
				node_http_drop(h, NODE_HTTP_DROP_SLOW);
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
		}
	}
	pthread_mutex_unlock(&h->conn_lock);
	return NULL;
}

int
node_http_conn_start(struct node_http *h, char *why, size_t whylen)
{
	pthread_condattr_t ca;
	int e;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->conn_wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((e = pthread_create(&h->janitor, NULL, janitor, h)) != 0) {
		snprintf(why, whylen, "cannot start a thread: %s", strerror(e));
		return PROTO_ENOMEM;
	}
	h->janitor_started = true;
	return 0;
}

void
node_http_conn_stop(struct node_http *h)
{
	if (!h->janitor_started)
		return;
	pthread_mutex_lock(&h->conn_lock);
	h->stopping = true;
	pthread_cond_signal(&h->conn_wake);
	pthread_mutex_unlock(&h->conn_lock);
	pthread_join(h->janitor, NULL);
	h->janitor_started = false;
}
