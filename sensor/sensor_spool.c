/* sensor_spool.c - batch files and the state file of pdns-sensor's spool. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "sensor/sensor_spool.h"

#define STATE_NAME "state"
#define STATE_MAX 4096           /* bytes of a state file: a few short lines */
#define STATE_MAGIC "pdns-sensor spool 1"
#define BATCH_SUFFIX ".batch"
#define TMP_SUFFIX ".tmp"
/* STREAM-SEQ.batch: 16 + 1 + 16 hex digits and the suffix. */
#define BATCH_NAME_LEN (16 + 1 + 16 + sizeof(BATCH_SUFFIX) - 1)

struct sensor_spool {
	int dfd;                 /* the directory: locked, and the base of every *at call */
	char dir[4096];
	uint64_t bytes;
};

static int __attribute__((format(printf, 4, 5)))
say(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return err;
}

int
sensor_spool_open(struct sensor_spool **out, const char *dir, char *why, size_t whylen)
{
	struct sensor_spool *sp;
	struct stat st;
	bool made = false;

	*out = NULL;
	if (mkdir(dir, 0700) == 0)
		made = true;
	else if (errno != EEXIST)
		return say(errno == EACCES ? PROTO_EPERM : PROTO_EIO, why, whylen,
		           "cannot create the spool directory '%s': %s", dir, strerror(errno));
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return PROTO_ENOMEM;
	snprintf(sp->dir, sizeof(sp->dir), "%s", dir);
	if ((sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int e = errno;
		free(sp);
		return say(e == EACCES ? PROTO_EPERM : PROTO_EIO, why, whylen,
		           "cannot open the spool directory '%s': %s", dir, strerror(e));
	}
	/* mkdir's mode went through the umask; ours is exactly 0700. */
	if (made && fchmod(sp->dfd, 0700) != 0) {
		int e = errno;
		sensor_spool_close(&sp);
		return say(PROTO_EIO, why, whylen, "cannot set the mode of the spool directory "
		           "'%s': %s", dir, strerror(e));
	}
	if (fstat(sp->dfd, &st) != 0) {
		int e = errno;
		sensor_spool_close(&sp);
		return say(PROTO_EIO, why, whylen, "cannot stat the spool directory '%s': %s", dir,
		           strerror(e));
	}
	/* Whoever may write here may make us send observations in our name. */
	if (st.st_uid != geteuid()) {
		sensor_spool_close(&sp);
		return say(PROTO_EPERM, why, whylen, "the spool directory '%s' belongs to uid %u, "
		           "not to this user (uid %u)", dir, (unsigned)st.st_uid,
		           (unsigned)geteuid());
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		sensor_spool_close(&sp);
		return say(PROTO_EPERM, why, whylen, "the spool directory '%s' has mode %04o; "
		           "group and others must not write it (chmod 700)", dir,
		           (unsigned)(st.st_mode & 07777));
	}
	/* Two sensors sharing a spool would send each other's batches. */
	if (flock(sp->dfd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		sensor_spool_close(&sp);
		if (e == EWOULDBLOCK)
			return say(PROTO_EBUSY, why, whylen, "the spool directory '%s' is in use by "
			           "another pdns-sensor", dir);
		return say(PROTO_EIO, why, whylen, "cannot lock the spool directory '%s': %s", dir,
		           strerror(e));
	}
	*out = sp;
	return 0;
}

void
sensor_spool_close(struct sensor_spool **spp)
{
	struct sensor_spool *sp = *spp;

	if (sp == NULL)
		return;
	if (sp->dfd >= 0)
		close(sp->dfd); /* releases the lock */
	free(sp);
	*spp = NULL;
}

const char *
sensor_spool_dir(const struct sensor_spool *sp)
{
	return sp->dir;
}

uint64_t
sensor_spool_bytes(const struct sensor_spool *sp)
{
	return sp->bytes;
}

static void
batch_name(char out[BATCH_NAME_LEN + 1], uint64_t stream, uint64_t seq)
{
	snprintf(out, BATCH_NAME_LEN + 1, "%016" PRIx64 "-%016" PRIx64 BATCH_SUFFIX, stream, seq);
}

/* A lowercase hex digit's value, or -1. */
static int
nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 16 lowercase hex digits, as batch_name writes them. */
static bool
parse_hex16(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	for (int i = 0; i < 16; i++) {
		int x = nibble(s[i]);
		if (x < 0)
			return false;
		v = v << 4 | (uint64_t)x;
	}
	*out = v;
	return true;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* name.tmp written, synced and renamed to name, then the directory synced. */
static int
put_file(struct sensor_spool *sp, const char *name, const void *buf, size_t len, char *why,
         size_t whylen)
{
	char tmp[256];
	int fd, e = 0;

	snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, name);
	fd = openat(sp->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return say(PROTO_EIO, why, whylen, "cannot create '%s/%s': %s", sp->dir, tmp,
		           strerror(errno));
	if (fchmod(fd, 0600) != 0 || write_all(fd, buf, len) != 0 || fsync(fd) != 0)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e == 0 && renameat(sp->dfd, tmp, sp->dfd, name) != 0)
		e = errno;
	if (e != 0) {
		(void)unlinkat(sp->dfd, tmp, 0);
		return say(PROTO_EIO, why, whylen, "cannot write '%s/%s': %s", sp->dir, name,
		           strerror(e));
	}
	if (fsync(sp->dfd) != 0)
		return say(PROTO_EIO, why, whylen, "cannot sync the spool directory '%s': %s",
		           sp->dir, strerror(errno));
	return 0;
}

/* The whole of a file of at most max bytes, malloc'd. */
static int
get_file(struct sensor_spool *sp, const char *name, size_t max, uint8_t **buf, size_t *len,
         bool *missing, char *why, size_t whylen)
{
	struct stat st;
	int fd = openat(sp->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return say(PROTO_EIO, why, whylen, "cannot open '%s/%s': %s", sp->dir, name,
		           strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return say(PROTO_EFORMAT, why, whylen, "'%s/%s' is not a regular file of at most "
		           "%zu bytes", sp->dir, name, max);
	}
	if ((*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return PROTO_ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	int e = errno;
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		return say(PROTO_EIO, why, whylen, "cannot read '%s/%s': %s", sp->dir, name,
		           got < (size_t)st.st_size ? "the file shrank" : strerror(e));
	}
	*len = got;
	return 0;
}

int
sensor_spool_state_write(struct sensor_spool *sp, const struct sensor_spool_state *st,
                         char *why, size_t whylen)
{
	char text[STATE_MAX];
	int n = snprintf(text, sizeof(text), STATE_MAGIC "\norigin ");

	/* The origin in hex: any octets, one line. */
	for (size_t i = 0; i < st->origin_len; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%02x", st->origin[i]);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\nstream %" PRIu64 "\nnext %" PRIu64
	              "\n", st->stream, st->next);
	return put_file(sp, STATE_NAME, text, (size_t)n, why, whylen);
}

/* "KEY VALUE" with VALUE a decimal u64. */
static bool
state_u64(const char *line, const char *key, uint64_t *out)
{
	size_t k = strlen(key);
	char *end;

	if (strncmp(line, key, k) != 0 || line[k] != ' ' || line[k + 1] < '0' || line[k + 1] > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(line + k + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static bool
state_origin(const char *line, struct sensor_spool_state *st)
{
	const char *h = line + sizeof("origin ") - 1;
	size_t n = strlen(h);

	if (strncmp(line, "origin ", 7) != 0 || n == 0 || n % 2 != 0 ||
	    n / 2 > SENSOR_SPOOL_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(h[2 * i]), lo = nibble(h[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		st->origin[i] = (uint8_t)(hi << 4 | lo);
	}
	st->origin_len = (uint8_t)(n / 2);
	return true;
}

int
sensor_spool_state_read(struct sensor_spool *sp, struct sensor_spool_state *st, bool *found,
                        char *why, size_t whylen)
{
	uint8_t *buf;
	size_t len;
	bool missing;
	int err;

	memset(st, 0, sizeof(*st));
	*found = false;
	err = get_file(sp, STATE_NAME, STATE_MAX - 1, &buf, &len, &missing, why, whylen);
	if (missing)
		return 0;
	if (err != 0)
		return err;
	buf[len] = '\0';
	/* Exactly the four lines state_write writes, in its order. */
	char *lines[5], *save = NULL, *l = strtok_r((char *)buf, "\n", &save);
	int n = 0;
	while (l != NULL && n < 5) {
		lines[n++] = l;
		l = strtok_r(NULL, "\n", &save);
	}
	bool ok = n == 4 && strcmp(lines[0], STATE_MAGIC) == 0 && state_origin(lines[1], st) &&
	          state_u64(lines[2], "stream", &st->stream) && st->stream != 0 &&
	          state_u64(lines[3], "next", &st->next) && st->next != 0;
	free(buf);
	if (!ok)
		return say(PROTO_EFORMAT, why, whylen, "'%s/" STATE_NAME "' is not a pdns-sensor "
		           "spool state (%s, then origin, stream and next lines)", sp->dir,
		           STATE_MAGIC);
	*found = true;
	return 0;
}

struct held {
	uint64_t seq, size;
};

static int
cmp_held(const void *a, const void *b)
{
	uint64_t x = ((const struct held *)a)->seq, y = ((const struct held *)b)->seq;
	return x < y ? -1 : x > y;
}

static bool
has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int
sensor_spool_scan(struct sensor_spool *sp, uint64_t stream, uint64_t floor, uint64_t *lo,
                  uint64_t *n, uint64_t *removed, char *why, size_t whylen)
{
	struct held *h = NULL;
	size_t nh = 0, cap = 0;
	int dfd = dup(sp->dfd), err = 0;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;

	*lo = *n = *removed = 0;
	sp->bytes = 0;
	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return say(PROTO_EIO, why, whylen, "cannot list the spool directory '%s': %s",
		           sp->dir, strerror(errno));
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		uint64_t s, q;
		struct stat st;

		if (has_suffix(e->d_name, len, TMP_SUFFIX)) {
			/* A write that did not finish: its rename never happened. */
			if (unlinkat(sp->dfd, e->d_name, 0) == 0 &&
			    strcmp(e->d_name, STATE_NAME TMP_SUFFIX) != 0)
				(*removed)++;
			continue;
		}
		if (len != BATCH_NAME_LEN || !has_suffix(e->d_name, len, BATCH_SUFFIX) ||
		    e->d_name[16] != '-' || !parse_hex16(e->d_name, &s) ||
		    !parse_hex16(e->d_name + 17, &q))
			continue; /* not ours: left alone */
		if (s != stream) {
			(void)unlinkat(sp->dfd, e->d_name, 0);
			(*removed)++;
			continue;
		}
		if (fstatat(sp->dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (nh == cap) {
			size_t c = cap ? 2 * cap : 256;
			struct held *nw = realloc(h, c * sizeof(*h));
			if (nw == NULL) {
				err = PROTO_ENOMEM;
				break;
			}
			h = nw;
			cap = c;
		}
		h[nh++] = (struct held){ q, (uint64_t)st.st_size };
	}
	closedir(d);
	if (err != 0) {
		free(h);
		return err;
	}
	if (nh > 0)
		qsort(h, nh, sizeof(*h), cmp_held);
	/* The held run: consecutive seqs ending at the highest, from floor up. */
	size_t first = nh;
	while (first > 0 && h[first - 1].seq >= floor &&
	       (first == nh || h[first - 1].seq + 1 == h[first].seq))
		first--;
	for (size_t i = 0; i < nh; i++) {
		if (i < first) {
			char name[BATCH_NAME_LEN + 1];
			batch_name(name, stream, h[i].seq);
			(void)unlinkat(sp->dfd, name, 0);
			(*removed)++;
		} else {
			sp->bytes += h[i].size;
		}
	}
	if (first < nh) {
		*lo = h[first].seq;
		*n = nh - first;
	}
	free(h);
	return 0;
}

int
sensor_spool_put(struct sensor_spool *sp, uint64_t stream, uint64_t seq, const void *buf,
                 size_t len, char *why, size_t whylen)
{
	char name[BATCH_NAME_LEN + 1];
	int err;

	batch_name(name, stream, seq);
	if ((err = put_file(sp, name, buf, len, why, whylen)) == 0)
		sp->bytes += len;
	return err;
}

int
sensor_spool_get(struct sensor_spool *sp, uint64_t stream, uint64_t seq, size_t max,
                 uint8_t **buf, size_t *len, char *why, size_t whylen)
{
	char name[BATCH_NAME_LEN + 1];
	bool missing;

	batch_name(name, stream, seq);
	return get_file(sp, name, max, buf, len, &missing, why, whylen);
}

int
sensor_spool_drop(struct sensor_spool *sp, uint64_t stream, uint64_t seq, char *why,
                  size_t whylen)
{
	char name[BATCH_NAME_LEN + 1];
	struct stat st;

	batch_name(name, stream, seq);
	if (fstatat(sp->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : say(PROTO_EIO, why, whylen, "cannot stat '%s/%s': %s",
		                                 sp->dir, name, strerror(errno));
	if (unlinkat(sp->dfd, name, 0) != 0 && errno != ENOENT)
		return say(PROTO_EIO, why, whylen, "cannot remove '%s/%s': %s", sp->dir, name,
		           strerror(errno));
	sp->bytes -= (uint64_t)st.st_size < sp->bytes ? (uint64_t)st.st_size : sp->bytes;
	return 0;
}
