/*
 * sensor_fstrm.c - Frame Streams: files through libfstrm's reader, unix and
 * TCP sockets through a poll loop that speaks the bidirectional handshake
 * with libfstrm's control-frame codec.
 *
 * Wire format: a data frame is a 32-bit big-endian length and that many
 * octets; a control frame is the escape (length 0), a 32-bit length (at
 * most 512) and the control payload (type, then content-type fields).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fstrm.h>

#include "proto/proto_err.h"
#include "sensor/sensor_fstrm.h"

#define CONTROL_MAX FSTRM_CONTROL_FRAME_LENGTH_MAX
#define HANDSHAKE_SECONDS 10
#define BUF_INITIAL (16u * 1024)
#define POLL_MS 200

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- files: libfstrm's reader over a FILE we own ---- */

struct frd {
	FILE *f;
	uint64_t nread;        /* octets read so far */
	uint64_t reads;        /* read calls so far (3 for START, then a length) */
	unsigned call_reads;   /* read calls in the current fstrm_reader_read() */
	uint32_t last4;        /* the last 4-octet read: a frame or control length */
	bool boundary;         /* no read since the last frame was returned */
	bool eof, eof_at_boundary, failed;
	int err;               /* errno of a read error */
};

static fstrm_res
frd_open(void *obj)
{
	(void)obj;
	return fstrm_res_success;
}

static fstrm_res
frd_close(void *obj)
{
	(void)obj; /* the FILE is closed by its owner */
	return fstrm_res_success;
}

static fstrm_res
frd_read(void *obj, void *data, size_t count)
{
	struct frd *r = obj;
	bool first = r->boundary;
	size_t got = fread(data, 1, count, r->f);

	r->boundary = false;
	r->nread += got;
	r->reads++;
	r->call_reads++;
	if (got == count) {
		if (count == 4)
			r->last4 = be32(data);
		return fstrm_res_success;
	}
	if (ferror(r->f)) {
		r->failed = true;
		r->err = errno;
		return fstrm_res_failure;
	}
	r->eof = true;
	r->eof_at_boundary = first && got == 0;
	return fstrm_res_stop;
}

int
sensor_fstrm_file(const char *path, const char *content_type, size_t max_frame,
                  struct sensor_stats *st, sensor_fstrm_fn fn, void *arg,
                  char *why, size_t whylen)
{
	struct frd r = { .boundary = true };
	struct fstrm_rdwr *rdwr = NULL;
	struct fstrm_reader_options *ropt = NULL;
	struct fstrm_reader *reader = NULL;
	uint64_t frames = 0;
	int err = 0;

	bool is_stdin = strcmp(path, "-") == 0;
	r.f = is_stdin ? stdin : fopen(path, "rb");
	if (r.f == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? PROTO_ENOENT
		       : errno == EACCES || errno == EPERM ? PROTO_EPERM : PROTO_EIO;
	}
	rdwr = fstrm_rdwr_init(&r);
	ropt = fstrm_reader_options_init();
	if (rdwr == NULL || ropt == NULL) {
		err = PROTO_ENOMEM;
		goto out;
	}
	fstrm_rdwr_set_open(rdwr, frd_open);
	fstrm_rdwr_set_close(rdwr, frd_close);
	fstrm_rdwr_set_read(rdwr, frd_read);
	if (fstrm_reader_options_add_content_type(ropt, content_type,
	                                          strlen(content_type)) != fstrm_res_success ||
	    fstrm_reader_options_set_max_frame_size(ropt, max_frame) != fstrm_res_success) {
		err = PROTO_EINVAL;
		goto out;
	}
	reader = fstrm_reader_init(ropt, &rdwr); /* takes rdwr */
	if (reader == NULL) {
		err = PROTO_ENOMEM;
		goto out;
	}
	for (;;) {
		const uint8_t *data;
		size_t len;

		r.boundary = true;
		r.call_reads = 0;
		fstrm_res res = fstrm_reader_read(reader, &data, &len);
		/*
		 * libfstrm 0.6 answers a frame over its bound with success and
		 * the previous frame again, after reading only the length: a
		 * real frame takes two reads at least (length, octets), after
		 * the three of the START frame in the first call.
		 */
		if (res == fstrm_res_success && r.call_reads < (frames == 0 ? 5u : 2u)) {
			SENSOR_STAT_INC(st, dnstap_oversized);
			snprintf(why, whylen, "a frame of %lu octets, over the %zu-octet bound, "
			         "after %llu frames", (unsigned long)r.last4, max_frame,
			         (unsigned long long)frames);
			err = PROTO_EFORMAT;
			break;
		}
		if (res == fstrm_res_success) {
			frames++;
			if ((err = fn(arg, data, len)) != 0)
				goto out;
			continue;
		}
		if (r.failed) {
			snprintf(why, whylen, "read error: %s", strerror(r.err));
			err = PROTO_EIO;
		} else if (res == fstrm_res_stop && !r.eof) {
			err = 0; /* the STOP frame */
		} else if (res == fstrm_res_stop && r.nread == 0) {
			snprintf(why, whylen, "empty file, not Frame Streams");
			err = PROTO_EFORMAT;
		} else if (r.reads < 4) {
			/* the START frame (three reads) was not read, or not ours */
			snprintf(why, whylen, "not a Frame Streams file of content type %s",
			         content_type);
			err = PROTO_EFORMAT;
		} else if (res == fstrm_res_stop) {
			snprintf(why, whylen, "%s after %llu frames (%llu octets)",
			         r.eof_at_boundary ? "ends without its STOP frame (cut short, or "
			                             "still being written)"
			                           : "ends inside a frame",
			         (unsigned long long)frames, (unsigned long long)r.nread);
			err = PROTO_ETRUNC;
		} else {
			snprintf(why, whylen, "bad control frame after %llu frames",
			         (unsigned long long)frames);
			err = PROTO_EFORMAT;
		}
		break;
	}
out:
	fstrm_reader_destroy(&reader);
	fstrm_rdwr_destroy(&rdwr);
	fstrm_reader_options_destroy(&ropt);
	if (!is_stdin)
		fclose(r.f);
	return err;
}

/* ---- sockets ---- */

enum cstate { C_NEW, C_ACCEPTED, C_DATA };

struct conn {
	int fd;                /* -1: slot free */
	enum cstate st;
	bool bidi;             /* sent READY: owed ACCEPT and FINISH */
	time_t opened;
	uint8_t *buf;
	size_t cap, off, end;  /* unread octets buf[off..end) */
	size_t need;           /* octets the next frame needs from off */
	uint64_t skip;         /* octets of an oversized frame still to drop */
};

struct server {
	const struct sensor_fstrm_server_cfg *cfg;
	struct sensor_stats *st;
	sensor_fstrm_fn fn;
	void *arg;
	struct fstrm_control *ctl;
	int lfd[2];
	bool unix_bound;
	struct conn *conns;
	unsigned nconns;
};

int
sensor_fstrm_check_hostport(const char *text)
{
	const char *colon = strrchr(text, ':');
	char *end;

	if (colon == NULL || colon == text || colon[1] == '\0')
		return PROTO_EINVAL;
	if (text[0] == '[' && colon[-1] != ']')
		return PROTO_EINVAL;
	if (text[0] != '[' && memchr(text, ':', (size_t)(colon - text)) != NULL)
		return PROTO_EINVAL; /* an IPv6 address needs brackets */
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535 || colon[1] < '0' ||
	    colon[1] > '9')
		return PROTO_EINVAL;
	return 0;
}

static int
listen_unix(struct server *s, const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "unix socket path longer than %zu octets",
		         sizeof(sa.sun_path) - 1);
		return PROTO_EINVAL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(why, whylen, "exists and is not a socket");
			close(fd);
			return PROTO_EIO;
		}
		/* A socket someone still listens on is theirs; a dead one is stale. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			close(fd);
			snprintf(why, whylen, "another process listens on it");
			return PROTO_EIO;
		}
		if (probe >= 0)
			close(probe);
		(void)unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	s->unix_bound = true;
	if (listen(fd, 16) != 0)
		goto fail;
	s->lfd[0] = fd;
	return 0;
fail:
	snprintf(why, whylen, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return PROTO_EIO;
}

static int
listen_tcp(struct server *s, const char *hostport, char *why, size_t whylen)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                          .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int fd = -1, one = 1, rc;

	if (sensor_fstrm_check_hostport(hostport) != 0 ||
	    (size_t)(colon - hostport) >= sizeof(host)) {
		snprintf(why, whylen, "not HOST:PORT or [IPV6]:PORT");
		return PROTO_EINVAL;
	}
	if (hostport[0] == '[')
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport - 2), hostport + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		snprintf(why, whylen, "%s", gai_strerror(rc));
		return PROTO_EIO;
	}
	errno = EADDRNOTAVAIL;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0)
			break;
		int e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return PROTO_EIO;
	}
	s->lfd[1] = fd;
	return 0;
}

static void
conn_close(struct server *s, struct conn *c, bool refused)
{
	if (refused)
		SENSOR_STAT_INC(s->st, dnstap_refused);
	close(c->fd);
	free(c->buf);
	*c = (struct conn){ .fd = -1 };
	s->nconns--;
}

/* Write one control frame of type t (with our content type when asked). */
static bool
send_control(struct server *s, struct conn *c, fstrm_control_type t, bool with_type)
{
	uint8_t frame[8 + CONTROL_MAX];
	size_t len = sizeof(frame), done = 0;

	fstrm_control_reset(s->ctl);
	if (fstrm_control_set_type(s->ctl, t) != fstrm_res_success)
		return false;
	if (with_type &&
	    fstrm_control_add_field_content_type(s->ctl, (const uint8_t *)s->cfg->content_type,
	                                         strlen(s->cfg->content_type)) != fstrm_res_success)
		return false;
	if (fstrm_control_encode(s->ctl, frame, &len, FSTRM_CONTROL_FLAG_WITH_HEADER) !=
	    fstrm_res_success)
		return false;
	/* A few dozen octets to a socket that has sent us its frame: they fit. */
	while (done < len) {
		ssize_t n = send(c->fd, frame + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* One control payload. 0: go on; 1: close (done or refused, counted). */
static int
control(struct server *s, struct conn *c, const uint8_t *p, size_t len)
{
	const struct sensor_fstrm_server_cfg *cfg = s->cfg;
	fstrm_control_type t;

	if (fstrm_control_decode(s->ctl, p, len, 0) != fstrm_res_success ||
	    fstrm_control_get_type(s->ctl, &t) != fstrm_res_success)
		goto refuse;
	bool ours = fstrm_control_match_field_content_type(
		s->ctl, (const uint8_t *)cfg->content_type, strlen(cfg->content_type)) ==
		fstrm_res_success;
	switch (t) {
	case FSTRM_CONTROL_READY:
		if (c->st != C_NEW || !ours)
			goto refuse;
		if (!send_control(s, c, FSTRM_CONTROL_ACCEPT, true))
			goto refuse;
		c->bidi = true;
		c->st = C_ACCEPTED;
		return 0;
	case FSTRM_CONTROL_START:
		if (c->st == C_DATA || !ours)
			goto refuse;
		c->st = C_DATA;
		return 0;
	case FSTRM_CONTROL_STOP:
		if (c->st != C_DATA)
			goto refuse;
		if (c->bidi)
			(void)send_control(s, c, FSTRM_CONTROL_FINISH, false);
		conn_close(s, c, false);
		return 1;
	default:
		goto refuse;
	}
refuse:
	conn_close(s, c, true);
	return 1;
}

/*
 * Every complete frame in the buffer. 0: wait for more; 1: the connection
 * was closed; negative: the callback's error.
 */
static int
process(struct server *s, struct conn *c)
{
	for (;;) {
		size_t avail = c->end - c->off;
		const uint8_t *p = c->buf + c->off;

		c->need = 0;
		if (c->skip != 0) {
			size_t n = c->skip < avail ? (size_t)c->skip : avail;
			c->off += n;
			c->skip -= n;
			if (c->skip != 0)
				return 0;
			continue;
		}
		if (avail < 4) {
			c->need = 4;
			return 0;
		}
		uint32_t len = be32(p);
		if (len == 0) {
			if (avail < 8) {
				c->need = 8;
				return 0;
			}
			uint32_t clen = be32(p + 4);
			if (clen > CONTROL_MAX) {
				conn_close(s, c, true);
				return 1;
			}
			if (avail < 8 + (size_t)clen) {
				c->need = 8 + (size_t)clen;
				return 0;
			}
			c->off += 8 + (size_t)clen;
			if (control(s, c, p + 8, clen) != 0)
				return 1;
			continue;
		}
		if (c->st != C_DATA) {
			conn_close(s, c, true); /* data before START */
			return 1;
		}
		if (len > s->cfg->max_frame) {
			SENSOR_STAT_INC(s->st, dnstap_oversized);
			c->off += 4;
			c->skip = len;
			continue;
		}
		if (avail < 4 + (size_t)len) {
			c->need = 4 + (size_t)len;
			return 0;
		}
		c->off += 4 + (size_t)len;
		int err = s->fn(s->arg, p + 4, len);
		if (err != 0)
			return err;
	}
}

/* Make room for the next read: compact, and grow up to the frame bound. */
static bool
make_room(struct server *s, struct conn *c)
{
	if (c->off != 0 && (c->end == c->cap || c->off >= c->cap / 2)) {
		memmove(c->buf, c->buf + c->off, c->end - c->off);
		c->end -= c->off;
		c->off = 0;
	}
	if (c->end < c->cap)
		return true;
	size_t want = c->cap * 2, max = 8 + s->cfg->max_frame;
	if (want < c->need)
		want = c->need;
	if (want > max)
		want = max;
	if (want <= c->cap)
		return false; /* cannot happen: need is within the bound */
	uint8_t *nb = realloc(c->buf, want);
	if (nb == NULL)
		return false;
	c->buf = nb;
	c->cap = want;
	return true;
}

/* Read what the socket has (up to `rounds` reads) and process it. */
static int
conn_read(struct server *s, struct conn *c, int rounds)
{
	while (rounds-- > 0) {
		if (!make_room(s, c)) {
			conn_close(s, c, true);
			return 0;
		}
		ssize_t n = recv(c->fd, c->buf + c->end, c->cap - c->end, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			conn_close(s, c, false); /* gone; a partial frame goes with it */
			return 0;
		}
		c->end += (size_t)n;
		int r = process(s, c);
		if (r < 0)
			return r;
		if (r == 1)
			return 0;
	}
	return 0;
}

int
sensor_fstrm_feed(int fd, const uint8_t *data, size_t len, size_t chunk,
                  const char *content_type, size_t max_frame, struct sensor_stats *st,
                  sensor_fstrm_fn fn, void *arg, bool *open)
{
	struct sensor_fstrm_server_cfg cfg = { .content_type = content_type,
	                                       .max_frame = max_frame, .max_conns = 1 };
	struct conn c = { .fd = dup(fd), .st = C_NEW, .buf = malloc(BUF_INITIAL),
	                  .cap = BUF_INITIAL };
	struct server s = { .cfg = &cfg, .st = st, .fn = fn, .arg = arg,
	                    .ctl = fstrm_control_init(), .lfd = { -1, -1 }, .conns = &c,
	                    .nconns = 1 };
	size_t pos = 0;
	int err = 0;

	if (c.fd < 0 || c.buf == NULL || s.ctl == NULL) {
		err = c.fd < 0 ? PROTO_EIO : PROTO_ENOMEM;
		goto out;
	}
	if (chunk == 0)
		chunk = len;
	while (pos < len && c.fd >= 0) {
		if (!make_room(&s, &c)) {
			conn_close(&s, &c, true);
			break;
		}
		size_t n = len - pos;
		if (n > chunk)
			n = chunk;
		if (n > c.cap - c.end)
			n = c.cap - c.end;
		memcpy(c.buf + c.end, data + pos, n);
		c.end += n;
		pos += n;
		if ((err = process(&s, &c)) < 0)
			break;
		err = 0;
	}
out:
	*open = c.fd >= 0;
	if (c.fd >= 0)
		conn_close(&s, &c, false);
	free(c.buf); /* after conn_close, NULL */
	fstrm_control_destroy(&s.ctl);
	return err;
}

static void
accept_all(struct server *s, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a connection that went away */
		if (s->nconns == s->cfg->max_conns) {
			SENSOR_STAT_INC(s->st, dnstap_refused);
			close(fd);
			continue;
		}
		struct conn *c = NULL;
		for (unsigned i = 0; i < s->cfg->max_conns; i++)
			if (s->conns[i].fd < 0) {
				c = &s->conns[i];
				break;
			}
		uint8_t *buf = malloc(BUF_INITIAL);
		if (c == NULL || buf == NULL) {
			free(buf);
			close(fd);
			SENSOR_STAT_INC(s->st, dnstap_refused);
			continue;
		}
		*c = (struct conn){ .fd = fd, .st = C_NEW, .opened = time(NULL), .buf = buf,
		                    .cap = BUF_INITIAL };
		s->nconns++;
		SENSOR_STAT_INC(s->st, dnstap_connections);
	}
}

int
sensor_fstrm_serve(const struct sensor_fstrm_server_cfg *cfg, struct sensor_stats *st,
                   sensor_fstrm_fn fn, int (*tick)(void *arg), bool (*stop)(void),
                   void *arg, char *why, size_t whylen)
{
	struct server s = { .cfg = cfg, .st = st, .fn = fn, .arg = arg, .lfd = { -1, -1 } };
	struct pollfd *pfd = NULL;
	unsigned *slot = NULL;
	int err = 0;

	if (cfg->max_conns == 0 || (cfg->unix_path == NULL && cfg->tcp == NULL))
		return PROTO_EINVAL;
	s.conns = calloc(cfg->max_conns, sizeof(*s.conns));
	pfd = calloc(cfg->max_conns + 2, sizeof(*pfd));
	slot = calloc(cfg->max_conns + 2, sizeof(*slot));
	s.ctl = fstrm_control_init();
	if (s.conns == NULL || pfd == NULL || slot == NULL || s.ctl == NULL) {
		err = PROTO_ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < cfg->max_conns; i++)
		s.conns[i].fd = -1;
	char reason[256] = "";
	if (cfg->unix_path != NULL &&
	    (err = listen_unix(&s, cfg->unix_path, reason, sizeof(reason))) != 0) {
		snprintf(why, whylen, "unix socket '%s': %s", cfg->unix_path, reason);
		goto out;
	}
	if (cfg->tcp != NULL && (err = listen_tcp(&s, cfg->tcp, reason, sizeof(reason))) != 0) {
		snprintf(why, whylen, "TCP '%s': %s", cfg->tcp, reason);
		goto out;
	}

	while (!stop()) {
		nfds_t n = 0;
		for (int i = 0; i < 2; i++)
			if (s.lfd[i] >= 0) {
				pfd[n] = (struct pollfd){ .fd = s.lfd[i], .events = POLLIN };
				slot[n++] = UINT32_MAX;
			}
		time_t now = time(NULL);
		for (unsigned i = 0; i < cfg->max_conns; i++) {
			struct conn *c = &s.conns[i];
			if (c->fd < 0)
				continue;
			if (c->st != C_DATA && now - c->opened > HANDSHAKE_SECONDS) {
				conn_close(&s, c, true);
				continue;
			}
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			slot[n++] = i;
		}
		int rc = poll(pfd, n, POLL_MS);
		if (rc < 0 && errno != EINTR) {
			snprintf(why, whylen, "poll: %s", strerror(errno));
			err = PROTO_EIO;
			break;
		}
		for (nfds_t k = 0; rc > 0 && k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (slot[k] == UINT32_MAX) {
				accept_all(&s, pfd[k].fd);
				continue;
			}
			struct conn *c = &s.conns[slot[k]];
			if (c->fd == pfd[k].fd && (err = conn_read(&s, c, 4)) != 0)
				goto out;
		}
		if ((err = tick(arg)) != 0)
			goto out;
	}
	/* Stopping: what the senders already wrote is read and delivered. */
	for (unsigned i = 0; i < cfg->max_conns; i++)
		if (s.conns[i].fd >= 0 && (err = conn_read(&s, &s.conns[i], 64)) != 0)
			break;
out:
	for (unsigned i = 0; s.conns != NULL && i < cfg->max_conns; i++)
		if (s.conns[i].fd >= 0)
			conn_close(&s, &s.conns[i], false);
	for (int i = 0; i < 2; i++)
		if (s.lfd[i] >= 0)
			close(s.lfd[i]);
	if (s.unix_bound)
		(void)unlink(cfg->unix_path);
	fstrm_control_destroy(&s.ctl);
	free(s.conns);
	free(pfd);
	free(slot);
	return err;
}
