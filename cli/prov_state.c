/*
 * prov_state.c - the provider backoff and budget file (prov_state.h).
 *
 * The file is rewritten in place under flock rather than replaced by a
 * rename: a rename would give the next locker a different inode, and two
 * runs could then both believe they hold the lock.
 */
#include "cli/prov_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/prov.h"
#include "proto/proto_err.h"

#define STATE_MAX_BYTES (64u << 10)
#define STATE_MAX_LINES 256

struct line {
	char name[64];
	int64_t retry_at;
	uint32_t day, requests, strikes;
};

uint32_t
prov_state_day(int64_t t)
{
	return t <= 0 ? 0 : (uint32_t)(t / 86400);
}

void
prov_make_parent_dirs(const char *path)
{
	char d[4096];
	size_t n = strlen(path);

	if (n >= sizeof d)
		return;
	memcpy(d, path, n + 1);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(d, 0700);
		*p = '/';
	}
}

static int
open_locked(const char *path, bool create, int *fdp, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	if (create)
		prov_make_parent_dirs(path);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return errno == ENOENT && !create ? PROTO_ENOENT :
		       prov_why(why, whylen, PROTO_EIO, "provider state '%s': %s", path,
		                strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return prov_why(why, whylen, PROTO_EPERM,
		                "provider state '%s' is not a regular file of this user", path);
	}
	/* Budgets are not secret, but nobody else should reset them. */
	if ((st.st_mode & 077) && fchmod(fd, 0600) != 0) {
		close(fd);
		return prov_why(why, whylen, PROTO_EPERM, "provider state '%s': %s", path,
		                strerror(errno));
	}
	if (flock(fd, LOCK_EX) != 0) {
		close(fd);
		return prov_why(why, whylen, PROTO_EIO, "provider state '%s': lock: %s", path,
		                strerror(errno));
	}
	*fdp = fd;
	return 0;
}

/* " retry_at day requests strikes" into l. */
static bool
parse_nums(const char *s, struct line *l)
{
	long long v[4];

	for (int i = 0; i < 4; i++) {
		char *end;
		if (*s != ' ')
			return false;
		errno = 0;
		v[i] = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || v[i] < 0 || (i && v[i] > UINT32_MAX))
			return false;
		s = end;
	}
	if (*s)
		return false;
	l->retry_at = v[0];
	l->day = (uint32_t)v[1];
	l->requests = (uint32_t)v[2];
	l->strikes = (uint32_t)v[3];
	return true;
}

/* Parse the file at fd into lines[]; lines that do not parse are dropped
 * (the file is ours: a damaged line costs one provider its history). */
static size_t
read_lines(int fd, struct line *lines)
{
	char *buf = malloc(STATE_MAX_BYTES + 1), *s, *nl;
	size_t n = 0, len = 0;
	ssize_t r;

	if (!buf)
		return 0;
	while (len < STATE_MAX_BYTES &&
	       (r = pread(fd, buf + len, STATE_MAX_BYTES - len, (off_t)len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	for (s = buf; s && *s && n < STATE_MAX_LINES; s = nl) {
		struct line *l = &lines[n];
		char *end;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		if (*s == '#')
			continue;
		end = strchr(s, ' ');
		if (!end || (size_t)(end - s) >= sizeof l->name)
			continue;
		memcpy(l->name, s, (size_t)(end - s));
		l->name[end - s] = '\0';
		if (parse_nums(end, l))
			n++;
	}
	free(buf);
	return n;
}

static struct line *
find(struct line *lines, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i].name, name) == 0)
			return &lines[i];
	return NULL;
}

int
prov_state_load(const char *path, struct prov_state *st, size_t n, int64_t now, char *why,
                size_t whylen)
{
	struct line *lines;
	size_t nl;
	int fd, rc;

	for (size_t i = 0; i < n; i++) {
		st[i].retry_at = 0;
		st[i].day = prov_state_day(now);
		st[i].requests = st[i].strikes = 0;
	}
	if (!path)
		return 0;
	if ((rc = open_locked(path, false, &fd, why, whylen)) != 0)
		return rc == PROTO_ENOENT ? 0 : rc;
	if ((lines = calloc(STATE_MAX_LINES, sizeof *lines)) == NULL) {
		close(fd);
		return PROTO_ENOMEM;
	}
	nl = read_lines(fd, lines);
	close(fd);
	for (size_t i = 0; i < n; i++) {
		const struct line *l = find(lines, nl, st[i].name);
		if (!l)
			continue;
		st[i].retry_at = l->retry_at;
		st[i].strikes = l->strikes;
		if (l->day == st[i].day)
			st[i].requests = l->requests;
	}
	free(lines);
	return 0;
}

int
prov_state_update(const char *path, const struct prov_state *st, size_t n, int64_t now,
                  char *why, size_t whylen)
{
	uint32_t today = prov_state_day(now);
	struct line *lines;
	size_t nl;
	char *out;
	size_t len = 0;
	int fd, rc;

	if (!path)
		return 0;
	if ((rc = open_locked(path, true, &fd, why, whylen)) != 0)
		return rc;
	lines = calloc(STATE_MAX_LINES, sizeof *lines);
	out = malloc(STATE_MAX_BYTES);
	if (!lines || !out) {
		rc = PROTO_ENOMEM;
		goto out;
	}
	nl = read_lines(fd, lines);
	for (size_t i = 0; i < n; i++) {
		struct line *l = find(lines, nl, st[i].name);
		if (!l) {
			if (nl == STATE_MAX_LINES || strlen(st[i].name) >= sizeof l->name)
				continue;
			l = &lines[nl++];
			memset(l, 0, sizeof *l);
			memcpy(l->name, st[i].name, strlen(st[i].name) + 1);
		}
		if (l->day != today) {
			l->day = today;
			l->requests = 0;
		}
		l->requests += st[i].requests;
		if (st[i].quota) {
			l->strikes++;
			if (st[i].retry_at > l->retry_at)
				l->retry_at = st[i].retry_at;
		} else if (st[i].answered) {
			l->strikes = 0;
		}
	}
	len = (size_t)snprintf(out, STATE_MAX_BYTES,
	                       "# pdns provider state v1: name retry_at day requests strikes\n");
	for (size_t i = 0; i < nl && len < STATE_MAX_BYTES; i++)
		len += (size_t)snprintf(out + len, STATE_MAX_BYTES - len,
		                        "%s %" PRId64 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
		                        lines[i].name, lines[i].retry_at, lines[i].day,
		                        lines[i].requests, lines[i].strikes);
	if (len > STATE_MAX_BYTES)
		len = STATE_MAX_BYTES;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, out, len, 0) != (ssize_t)len)
		rc = prov_why(why, whylen, PROTO_EIO, "provider state '%s': write: %s", path,
		              strerror(errno));
out:
	free(lines);
	free(out);
	close(fd);
	return rc;
}
