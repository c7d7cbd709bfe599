/*
 * sensor_watch_state.c - where --watch keeps its progress: the progress as
 * text (one line per field, names escaped) and the state file that holds
 * it (written atomically beside a lock file, read back at start). With
 * --store the same text is a meta row written with the rows
 * (sensor_watch.c's store hook).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "sensor/sensor_watch.h"
#include "sensor/sensor_watch_impl.h"

#define STATE_MAGIC "pdns-sensor watch state 1"
#define STATE_MAX (64u << 10)  /* a state is a few lines */

/* --- the progress as text ------------------------------------------------
 *
 *   pdns-sensor watch state 1
 *   dir /var/spool/pcap
 *   done NAME SIZE MTIME_NS INODE
 *   part NAME SIZE MTIME_NS INODE BATCHES ROWS FINGERPRINT    (store only)
 *
 * Names and the directory are %XX-escaped outside 0x21..0x7e and for '%'.
 */

static void __attribute__((format(printf, 2, 3)))
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = t->cap - t->n;
		va_start(ap, fmt);
		int k = t->oom ? 0 : vsnprintf(t->p + t->n, room, fmt, ap);
		va_end(ap);
		if (t->oom || k < 0)
			return;
		if ((size_t)k < room) {
			t->n += (size_t)k;
			return;
		}
		size_t cap = (t->cap ? t->cap : 256) * 2;
		while (cap < t->n + (size_t)k + 1)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (p == NULL) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
}

static void
text_name(struct text *t, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '%')
			text_add(t, "%c", *p);
		else
			text_add(t, "%%%02X", *p);
	}
}

static void
text_ident(struct text *t, const struct ident *id)
{
	text_add(t, " %" PRIu64 " %" PRId64 " %" PRIu64, id->size, id->mtime_ns, id->ino);
}

int
watch_encode(struct watch *w)
{
	struct text *t = &w->buf;

	t->n = 0;
	t->oom = false;
	text_add(t, "%s\ndir ", STATE_MAGIC);
	text_name(t, w->dir);
	if (w->pg.done != NULL) {
		text_add(t, "\ndone ");
		text_name(t, w->pg.done);
		text_ident(t, &w->pg.done_id);
	}
	if (w->pg.part != NULL) {
		text_add(t, "\npart ");
		text_name(t, w->pg.part);
		text_ident(t, &w->pg.part_id);
		text_add(t, " %" PRIu64 " %" PRIu64 " %016" PRIx64, w->pg.part_batches,
		         w->pg.part_rows, w->pg.part_fp);
	}
	text_add(t, "\n");
	return t->oom ? PROTO_ENOMEM : 0;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescape s[0..n) into a new string; NULL when malformed or empty. */
static char *
unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*o = '\0';
	if (o == out) {
		free(out);
		return NULL;
	}
	return out;
}

static bool
parse_u64(const char *s, size_t n, int base, uint64_t *out)
{
	char tmp[32], *end;
	if (n == 0 || n >= sizeof(tmp) || !isxdigit((unsigned char)s[0]))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	unsigned long long v = strtoull(tmp, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* Split line[0..n) at single spaces into at most max fields. */
static size_t
fields(const char *line, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != ' ')
			continue;
		if (k == max)
			return max + 1;
		f[k] = line + start;
		fl[k++] = i - start;
		start = i + 1;
	}
	return k;
}

static bool
parse_ident(const char **f, const size_t *fl, struct ident *id)
{
	uint64_t mt;
	bool neg = fl[1] > 0 && f[1][0] == '-';
	if (!parse_u64(f[0], fl[0], 10, &id->size) ||
	    !parse_u64(f[1] + neg, fl[1] - neg, 10, &mt) || mt > INT64_MAX ||
	    !parse_u64(f[2], fl[2], 10, &id->ino))
		return false;
	id->mtime_ns = neg ? -(int64_t)mt : (int64_t)mt;
	return true;
}

void
watch_progress_free(struct progress *pg)
{
	free(pg->done);
	free(pg->part);
	*pg = (struct progress){ 0 };
}

/* Parse a state; `where` names it in errors. */
static int
decode(struct watch *w, const char *s, size_t n, const char *where)
{
	struct progress pg = { 0 };
	const char *f[9];
	size_t fl[9], line = 0, k;
	bool dir_seen = false;
	int err = 0;

	for (size_t pos = 0; pos < n && err == 0;) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		if (nl == NULL) {
			err = watch_fail(w, PROTO_EFORMAT, "state %s: line %zu has no end", where, line + 1);
			break;
		}
		const char *l = s + pos;
		size_t ll = (size_t)(nl - l);
		pos += ll + 1;
		if (++line == 1) {
			if (ll != strlen(STATE_MAGIC) || memcmp(l, STATE_MAGIC, ll) != 0)
				err = watch_fail(w, PROTO_EFORMAT, "state %s: not a pdns-sensor watch state",
				           where);
			continue;
		}
		k = fields(l, ll, f, fl, 9);
		if (k == 2 && fl[0] == 3 && memcmp(f[0], "dir", 3) == 0 && !dir_seen) {
			char *d = unescape(f[1], fl[1]);
			if (d != NULL && strcmp(d, w->dir) != 0)
				err = watch_fail(w, PROTO_EFORMAT, "state %s follows directory '%s', not '%s'",
				           where, d, w->dir);
			else if (d == NULL)
				err = watch_fail(w, PROTO_EFORMAT, "state %s: line %zu: bad directory", where,
				           line);
			free(d);
			dir_seen = true;
		} else if (k == 5 && fl[0] == 4 && memcmp(f[0], "done", 4) == 0 && !pg.done) {
			if ((pg.done = unescape(f[1], fl[1])) == NULL ||
			    !parse_ident(f + 2, fl + 2, &pg.done_id))
				err = watch_fail(w, PROTO_EFORMAT, "state %s: line %zu: bad 'done' line", where,
				           line);
		} else if (k == 8 && fl[0] == 4 && memcmp(f[0], "part", 4) == 0 && !pg.part) {
			if ((pg.part = unescape(f[1], fl[1])) == NULL ||
			    !parse_ident(f + 2, fl + 2, &pg.part_id) ||
			    !parse_u64(f[5], fl[5], 10, &pg.part_batches) ||
			    !parse_u64(f[6], fl[6], 10, &pg.part_rows) ||
			    !parse_u64(f[7], fl[7], 16, &pg.part_fp))
				err = watch_fail(w, PROTO_EFORMAT, "state %s: line %zu: bad 'part' line", where,
				           line);
		} else {
			err = watch_fail(w, PROTO_EFORMAT, "state %s: line %zu: unexpected '%.*s'", where,
			           line, (int)(ll > 40 ? 40 : ll), l);
		}
	}
	if (err == 0 && !dir_seen)
		err = watch_fail(w, PROTO_EFORMAT, "state %s: no 'dir' line", where);
	if (err != 0) {
		watch_progress_free(&pg);
		return err;
	}
	watch_progress_free(&w->pg);
	w->pg = pg;
	return 0;
}

/* --- where the progress is kept ---------------------------------------- */

/* The directory part of path ("." when none), in a new string. */
char *
watch_parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The state file: written to a temporary name, synced, renamed, the
 * directory synced. */
static int
state_save(struct watch *w)
{
	int err = watch_encode(w), e = 0;
	FILE *f;

	if (err != 0)
		return watch_fail(w, err, "state '%s': out of memory", w->state);
	errno = 0;
	if ((f = fopen(w->state_tmp, "we")) == NULL ||
	    fwrite(w->buf.p, 1, w->buf.n, f) != w->buf.n || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		e = errno != 0 ? errno : EIO;
	if (f != NULL && fclose(f) != 0 && e == 0)
		e = errno;
	if (e == 0 && rename(w->state_tmp, w->state) != 0)
		e = errno;
	if (e != 0) {
		(void)unlink(w->state_tmp);
		return watch_fail(w, PROTO_EIO, "state '%s': cannot write: %s", w->state, strerror(e));
	}
	char *parent = watch_parent_of(w->state);
	int dfd = parent != NULL ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(parent);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* With a store: one meta row, alone (the end of a file). */
static int
meta_save(struct watch *w)
{
	struct store_sink *s = w->cfg->store;
	int err = watch_encode(w);
	if (err == 0)
		err = store_db_put_meta(s->db, NULL, 0, STORE_ORIGIN_LOCAL, w->meta_key,
		                        w->meta_klen, w->buf.p, w->buf.n, s->why, sizeof(s->why));
	if (err != 0)
		return watch_fail(w, err, "cannot record the progress in the store: %s",
		            s->why[0] ? s->why : proto_strerror(err));
	return 0;
}

int
watch_save(struct watch *w)
{
	int err = w->cfg->store != NULL ? meta_save(w) : state_save(w);
	if (err != 0)
		w->rep->state_error = true;
	return err;
}

int
watch_state_load(struct watch *w)
{
	char where[PATH_MAX + 64];
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	int err;

	if (buf == NULL)
		return PROTO_ENOMEM;
	if (w->cfg->store != NULL) {
		snprintf(where, sizeof(where), "in the store (meta row '%.*s')",
		         (int)w->meta_klen, w->meta_key);
		err = store_db_get_meta(w->cfg->store->db, w->meta_key, w->meta_klen, buf, cap, &n);
		if (err == PROTO_ESPACE && n <= STATE_MAX) {
			char *nb = realloc(buf, n);
			err = nb == NULL ? PROTO_ENOMEM
			      : store_db_get_meta(w->cfg->store->db, w->meta_key, w->meta_klen, nb, n,
			                          &n);
			buf = nb != NULL ? nb : buf;
		}
		if (err == PROTO_ENOENT) {
			err = 0;
			n = 0;
		} else if (err != 0)
			err = watch_fail(w, err == PROTO_ESPACE ? PROTO_EFORMAT : err,
			           "state %s: cannot read it: %s", where, proto_strerror(err));
	} else {
		snprintf(where, sizeof(where), "'%s'", w->state);
		int fd = open(w->state, O_RDONLY | O_CLOEXEC);
		err = 0;
		if (fd < 0 && errno != ENOENT)
			err = watch_fail(w, watch_errno_err(errno), "state '%s': %s", w->state, strerror(errno));
		while (fd >= 0 && err == 0) {
			if (n == cap) {
				char *nb = cap < STATE_MAX ? realloc(buf, cap * 2) : NULL;
				if (nb == NULL) {
					err = watch_fail(w, PROTO_EFORMAT, "state '%s': larger than %u bytes",
					           w->state, STATE_MAX);
					break;
				}
				buf = nb;
				cap *= 2;
			}
			ssize_t k = read(fd, buf + n, cap - n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				err = watch_fail(w, PROTO_EIO, "state '%s': %s", w->state, strerror(errno));
			if (k <= 0)
				break;
			n += (size_t)k;
		}
		if (fd >= 0)
			close(fd);
	}
	if (err == 0 && n > 0)
		err = decode(w, buf, n, where);
	free(buf);
	if (err != 0)
		w->rep->state_error = true;
	return err;
}

/* One sensor at a time per state file: a lock file beside it with our pid. */
int
watch_state_lock(struct watch *w)
{
	char pid[32];
	int fd = open(w->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return watch_fail(w, watch_errno_err(errno), "state '%s': cannot create '%s': %s", w->state,
		            w->lock, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t k = errno == EWOULDBLOCK ? pread(fd, pid, sizeof(pid) - 1, 0) : -1;
		int e = errno;
		close(fd);
		if (k < 0)
			return watch_fail(w, PROTO_EIO, "state '%s': cannot lock '%s': %s", w->state,
			            w->lock, strerror(e));
		pid[k] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		return watch_fail(w, PROTO_EBUSY, "state '%s' is used by another pdns-sensor (process %s)",
		            w->state, pid[0] ? pid : "unknown");
	}
	int k = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)k, 0) != k) {
		int e = errno;
		close(fd);
		return watch_fail(w, PROTO_EIO, "state '%s': cannot write '%s': %s", w->state, w->lock,
		            strerror(e));
	}
	w->lock_fd = fd;
	return 0;
}
