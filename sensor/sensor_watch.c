/* sensor_watch.c - follow a directory of rotated captures (sensor_watch.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "sensor/sensor_watch.h"
#include "sensor/sensor_watch_impl.h"

#define CAPTURE_HEADER 24      /* bytes of a pcap header: the least a finished file holds */
#define STEP_MS 100            /* how often a stop is looked for while waiting */
#define META_PREFIX "watch:"

static volatile sig_atomic_t stop_requested;

void
sensor_watch_stop(void)
{
	stop_requested = 1;
}

static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
}

int __attribute__((format(printf, 3, 4)))
watch_fail(struct watch *w, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->rep->why, sizeof(w->rep->why), fmt, ap);
	va_end(ap);
	return err;
}

int
watch_errno_err(int e)
{
	return e == ENOENT || e == ENOTDIR ? PROTO_ENOENT
	       : e == EACCES || e == EPERM ? PROTO_EPERM
	       : e == ENOMEM ? PROTO_ENOMEM : PROTO_EIO;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct ident
ident_of(const struct stat *sb)
{
	return (struct ident){ .size = (uint64_t)sb->st_size,
	                       .mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
	                                   sb->st_mtim.tv_nsec,
	                       .ino = (uint64_t)sb->st_ino };
}

static bool
ident_eq(const struct ident *a, const struct ident *b)
{
	return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ino == b->ino;
}

/* Name order: numbers as numbers (dns.pcap9 < dns.pcap10), then bytes. */
static int
name_cmp(const char *a, const char *b)
{
	int c = strverscmp(a, b);
	return c != 0 ? c : strcmp(a, b);
}

static int
entry_cmp(const void *a, const void *b)
{
	return name_cmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static const struct entry *
list_find(const struct list *l, const char *name)
{
	struct entry key = { .name = (char *)name };
	return l->n == 0 ? NULL : bsearch(&key, l->v, l->n, sizeof(*l->v), entry_cmp);
}

static void
list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	*l = (struct list){ 0 };
}

/* --- names ------------------------------------------------------------- */

bool
sensor_watch_default_name(const char *name)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
	size_t len = strlen(name), digits = len;

	while (digits > 0 && isdigit((unsigned char)name[digits - 1]))
		digits--;
	/* Where the extension may end: the end, before digits, before ".digits". */
	size_t ends[3] = { len, digits, digits };
	if (digits < len && digits > 0 && name[digits - 1] == '.')
		ends[2] = digits - 1;
	for (size_t i = 0; i < 3; i++) {
		for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
			size_t el = strlen(ext[k]);
			if (ends[i] > el && strncasecmp(name + ends[i] - el, ext[k], el) == 0)
				return true;
		}
	}
	return false;
}

static bool
wanted(const struct watch *w, const char *name)
{
	if (name[0] == '.')
		return false;
	for (size_t i = 0; i < 3; i++)
		if (w->ignore[i] != NULL && strcmp(name, w->ignore[i]) == 0)
			return false;
	if (w->cfg->pattern != NULL)
		return fnmatch(w->cfg->pattern, name, FNM_PERIOD) == 0;
	return sensor_watch_default_name(name);
}

/* The capture files of the directory, regular files only, in name order. */
static int
list_dir(struct watch *w, struct list *out)
{
	DIR *d = opendir(w->dir);
	struct dirent *de;
	struct stat sb;
	int err = 0;

	if (d == NULL)
		return watch_fail(w, watch_errno_err(errno), "watch '%s': %s", w->dir, strerror(errno));
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!wanted(w, de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, 0) != 0) {
			if (errno == ENOENT)
				continue; /* removed since readdir */
			err = watch_fail(w, watch_errno_err(errno), "file '%s/%s': %s", w->dir, de->d_name,
			           strerror(errno));
			break;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? 2 * out->cap : 64;
			struct entry *v = realloc(out->v, cap * sizeof(*v));
			if (v == NULL) {
				err = PROTO_ENOMEM;
				break;
			}
			out->v = v;
			out->cap = cap;
		}
		if ((out->v[out->n].name = strdup(de->d_name)) == NULL) {
			err = PROTO_ENOMEM;
			break;
		}
		out->v[out->n++].id = ident_of(&sb);
		errno = 0;
	}
	if (err == 0 && de == NULL && errno != 0)
		err = watch_fail(w, watch_errno_err(errno), "watch '%s': %s", w->dir, strerror(errno));
	closedir(d);
	if (err == PROTO_ENOMEM)
		watch_fail(w, err, "watch '%s': out of memory", w->dir);
	if (err == 0)
		qsort(out->v, out->n, sizeof(*out->v), entry_cmp);
	return err;
}

/* --- the store: progress in the same batches as the rows ---------------- */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	for (const uint8_t *b = p; n > 0; n--, b++)
		h = (h ^ *b) * 0x100000001b3ull;
	return h;
}

/* What makes reading a file give the same batches again. */
static uint64_t
fingerprint(const struct sensor_watch_cfg *cfg)
{
	const struct sensor_run_cfg *r = cfg->run;
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t v[4] = { r->cache_bytes, r->all_sections, r->nresolvers,
	                  cfg->store != NULL ? cfg->store->batch : 0 };

	h = fnv(h, PDNS_VERSION, strlen(PDNS_VERSION));
	h = fnv(h, v, sizeof(v));
	for (size_t i = 0; i < r->nresolvers; i++)
		h = fnv(h, &r->resolvers[i], sizeof(r->resolvers[i]));
	return h;
}

static int
store_hook(void *arg, size_t n, struct store_meta_op *op, size_t *nops)
{
	struct watch *w = arg;

	*nops = 0;
	if (!w->reading)
		return 0;
	w->batches++;
	w->rows += n;
	if (w->batches <= w->skip) {
		if (w->batches == w->skip && w->rows != w->skip_rows)
			say("watch: '%s' gives %" PRIu64 " rows in its first %" PRIu64 " batches, "
			    "the store had %" PRIu64 ": its rows may be counted twice or missing",
			    w->pg.part, w->rows, w->skip, w->skip_rows);
		return 1;
	}
	w->pg.part_batches = w->batches;
	w->pg.part_rows = w->rows;
	int err = watch_encode(w);
	if (err != 0)
		return err;
	*op = (struct store_meta_op){ .key = w->meta_key, .klen = w->meta_klen,
	                              .val = w->buf.p, .vlen = w->buf.n };
	*nops = 1;
	return 0;
}

/* Before reading `name` into a store: what of it is there already. */
static int
part_begin(struct watch *w, const char *name, const struct ident *id)
{
	struct progress *pg = &w->pg;

	w->batches = w->rows = w->skip = w->skip_rows = 0;
	if (pg->part != NULL && strcmp(pg->part, name) == 0 && ident_eq(&pg->part_id, id) &&
	    pg->part_fp == w->fp) {
		w->skip = pg->part_batches;
		w->skip_rows = pg->part_rows;
		say("watch: '%s' was being read when the sensor stopped: its first %" PRIu64
		    " batches (%" PRIu64 " rows) are in the store and are left out", name,
		    w->skip, w->skip_rows);
	} else if (pg->part != NULL && strcmp(pg->part, name) == 0) {
		say("watch: '%s' was being read when the sensor stopped, and %s since: it is read "
		    "whole, its first %" PRIu64 " batches (%" PRIu64 " rows) count twice", name,
		    pg->part_fp != w->fp ? "the sensor's version or settings changed"
		                         : "it changed",
		    pg->part_batches, pg->part_rows);
	} else if (pg->part != NULL) {
		say("watch: '%s' was being read when the sensor stopped and is gone: its first %"
		    PRIu64 " batches (%" PRIu64 " rows) stay in the store, the rest is lost",
		    pg->part, pg->part_batches, pg->part_rows);
	}
	free(pg->part);
	if ((pg->part = strdup(name)) == NULL)
		return PROTO_ENOMEM;
	pg->part_id = *id;
	pg->part_batches = pg->part_rows = 0;
	pg->part_fp = w->fp;
	w->reading = true;
	return 0;
}

/* --- reading ----------------------------------------------------------- */

static bool
broken(const struct watch *w)
{
	return w->cfg->broken != NULL && w->cfg->broken(w->cfg->broken_arg);
}

/* Printed rows on disk before the state says they are. */
static int
sync_outputs(struct watch *w)
{
	for (size_t i = 0; i < 2; i++) {
		FILE *f = w->cfg->sync[i];
		if (f == NULL)
			continue;
		if (fflush(f) != 0 || (fsync(fileno(f)) != 0 && errno != EINVAL &&
		                       errno != EROFS && errno != ENOTSUP))
			return watch_fail(w, PROTO_EIO, "cannot write the output: %s", strerror(errno));
	}
	return 0;
}

static void
add_stats(struct sensor_stats *to, const struct sensor_stats *from)
{
	for (size_t i = 0; i < SENSOR_ST_COUNT_; i++)
		to->v[i] += from->v[i];
}

/*
 * Read one finished file, flush its rows, record it. Returns 0, 1 when it
 * changed since it was listed (not finished after all: wait), or PROTO_E*.
 */
static int
process(struct watch *w, const struct entry *e)
{
	const struct sensor_watch_cfg *cfg = w->cfg;
	struct sensor_run_cfg rc = *cfg->run;
	struct sensor_run *run = NULL;
	struct ident id = { 0 };
	struct stat sb;
	char path[PATH_MAX + NAME_MAX + 2], why[512] = "";
	int64_t t0 = now_ms();
	int ferr = 0, err;

	snprintf(path, sizeof(path), "%s/%s", w->dir, e->name);
	if (stat(path, &sb) == 0) {
		id = ident_of(&sb);
		if (!ident_eq(&id, &e->id))
			return 1;
	} else if (errno == ENOENT) {
		ferr = PROTO_ENOENT;
	} else {
		return watch_fail(w, watch_errno_err(errno), "file '%s': %s", path, strerror(errno));
	}
	rc.progress = false;
	if ((err = sensor_run_new(&run, &rc, cfg->obs, cfg->nxd)) != 0)
		return watch_fail(w, err, "file '%s': cannot start: %s", path, proto_strerror(err));
	if (cfg->store != NULL && (err = part_begin(w, e->name, &id)) != 0) {
		sensor_run_destroy(&run);
		return watch_fail(w, err, "out of memory");
	}
	if (ferr == 0)
		ferr = sensor_run_file(run, path, why, sizeof(why));
	if (ferr == PROTO_ENOENT)
		snprintf(why, sizeof(why), "vanished before it was read");
	/* An output failure, or a reason to read the file again later. */
	if (ferr != 0 && (broken(w) || ferr == PROTO_EPERM || ferr == PROTO_EIO ||
	                  ferr == PROTO_ENOMEM)) {
		w->reading = false;
		add_stats(&w->rep->st, sensor_run_stats(run));
		sensor_run_destroy(&run);
		if (broken(w))
			return watch_fail(w, PROTO_EIO, "cannot write the output");
		return watch_fail(w, ferr, "file '%s': %s (not counted as read)", path,
		            why[0] ? why : proto_strerror(ferr));
	}
	if (ferr != 0)
		say("file '%s': %s (%s)", path, why,
		    ferr == PROTO_ETRUNC ? "the rows before the damage are kept; going on"
		                         : "going on with the next file");
	err = sensor_run_flush(run);
	w->reading = false;
	const struct sensor_stats *st = sensor_run_stats(run);
	uint64_t packets = st->v[SENSOR_ST_packets], responses = st->v[SENSOR_ST_responses];
	add_stats(&w->rep->st, st);
	sensor_run_destroy(&run);
	if (err != 0 || broken(w))
		return watch_fail(w, err != 0 ? err : PROTO_EIO, "cannot write the output");
	if ((err = sync_outputs(w)) != 0)
		return err;
	if (cfg->store != NULL && w->batches < w->skip)
		say("watch: '%s' gave %" PRIu64 " batches, the store had %" PRIu64
		    ": its rows may be missing", e->name, w->batches, w->skip);

	char *name = strdup(e->name);
	if (name == NULL)
		return watch_fail(w, PROTO_ENOMEM, "out of memory");
	free(w->pg.done);
	w->pg.done = name;
	w->pg.done_id = id;
	free(w->pg.part);
	w->pg.part = NULL;
	w->warned_change = false;
	if ((err = watch_save(w)) != 0)
		return err;
	w->rep->files++;
	if (ferr != 0)
		w->rep->damaged++;
	if (cfg->verbose || cfg->run->progress)
		say("watch: read '%s': %" PRIu64 " packets, %" PRIu64 " responses in %.1f s "
		    "(%" PRIu64 " files)", e->name, packets, responses,
		    (double)(now_ms() - t0) / 1000.0, w->rep->files);
	return 0;
}

/* One listing: report what sorts before the progress, read what is finished. */
static int
step(struct watch *w, const struct list *cur)
{
	int64_t now = now_ms();
	size_t i = 0;

	for (; w->pg.done != NULL && i < cur->n && name_cmp(cur->v[i].name, w->pg.done) <= 0;
	     i++) {
		const struct entry *e = &cur->v[i];
		if (strcmp(e->name, w->pg.done) == 0) {
			if (!w->warned_change && w->pg.done_id.ino != 0 &&
			    !ident_eq(&e->id, &w->pg.done_id)) {
				say("watch: '%s' changed after it was read (%" PRIu64 " bytes then, %"
				    PRIu64 " now): the change is not read (a longer --settle helps "
				    "when the writer pauses)", e->name, w->pg.done_id.size, e->id.size);
				w->warned_change = true;
			}
		} else if (w->listed && list_find(&w->prev, e->name) == NULL) {
			say("watch: '%s' appeared after '%s' was read and sorts before it: skipped "
			    "(read it with -r)", e->name, w->pg.done);
			w->rep->late++;
		}
	}
	if (i < cur->n) {
		const struct entry *last = &cur->v[cur->n - 1];
		if (w->newest == NULL || strcmp(w->newest, last->name) != 0 ||
		    !ident_eq(&w->newest_id, &last->id)) {
			char *n = strdup(last->name);
			if (n == NULL)
				return watch_fail(w, PROTO_ENOMEM, "out of memory");
			free(w->newest);
			w->newest = n;
			w->newest_id = last->id;
			w->newest_since = now;
		}
	}
	for (; i < cur->n && !stop_requested; i++) {
		const struct entry *e = &cur->v[i];
		bool finished;
		if (i + 1 < cur->n) {
			const struct entry *p = w->listed ? list_find(&w->prev, e->name) : NULL;
			finished = p != NULL && ident_eq(&p->id, &e->id);
		} else {
			finished = e->id.size >= CAPTURE_HEADER &&
			           now - w->newest_since >= (int64_t)w->cfg->settle * 1000;
		}
		if (!finished)
			break;
		int rc = process(w, e);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

/* --- setup ------------------------------------------------------------- */

static char *
concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s != NULL) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

static int
setup(struct watch *w)
{
	const struct sensor_watch_cfg *cfg = w->cfg;
	struct stat sb;

	if ((w->dir = realpath(cfg->dir, NULL)) == NULL)
		return watch_fail(w, watch_errno_err(errno), "watch '%s': %s", cfg->dir, strerror(errno));
	if (stat(w->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return watch_fail(w, PROTO_ENOENT, "watch '%s': not a directory", cfg->dir);
	w->fp = fingerprint(cfg);
	if (cfg->store != NULL) {
		size_t dl = strlen(w->dir), pl = strlen(META_PREFIX);
		if (pl + dl <= sizeof(w->meta_key)) {
			memcpy(w->meta_key, META_PREFIX, pl);
			memcpy(w->meta_key + pl, w->dir, dl);
			w->meta_klen = pl + dl;
		} else {
			w->meta_klen = (size_t)snprintf(w->meta_key, sizeof(w->meta_key),
			                                META_PREFIX "#%016" PRIx64,
			                                fnv(0xcbf29ce484222325ull, w->dir, dl));
		}
		return watch_state_load(w);
	}
	w->state = cfg->state != NULL ? strdup(cfg->state)
	           : concat(w->dir, "/" SENSOR_WATCH_STATE);
	if (w->state == NULL || (w->state_tmp = concat(w->state, ".tmp")) == NULL ||
	    (w->lock = concat(w->state, ".lock")) == NULL)
		return watch_fail(w, PROTO_ENOMEM, "out of memory");
	/* The state's own files are never captures, whatever their names. */
	char *parent = watch_parent_of(w->state), *real = parent ? realpath(parent, NULL) : NULL;
	if (real != NULL && strcmp(real, w->dir) == 0) {
		const char *base = strrchr(w->state, '/');
		base = base != NULL ? base + 1 : w->state;
		w->ignore[0] = base;
		w->ignore[1] = strrchr(w->state_tmp, '/') ? strrchr(w->state_tmp, '/') + 1
		                                          : w->state_tmp;
		w->ignore[2] = strrchr(w->lock, '/') ? strrchr(w->lock, '/') + 1 : w->lock;
	}
	free(parent);
	free(real);
	int err = watch_state_lock(w);
	if (err == 0)
		err = watch_state_load(w);
	if (err != 0)
		w->rep->state_error = true;
	return err;
}

int
sensor_watch_run(const struct sensor_watch_cfg *cfg, struct sensor_watch_report *rep)
{
	struct watch w = { .cfg = cfg, .rep = rep, .lock_fd = -1 };
	int err;

	memset(rep, 0, sizeof(*rep));
	if ((err = setup(&w)) == 0) {
		if (cfg->store != NULL) {
			cfg->store->hook = store_hook;
			cfg->store->hook_arg = &w;
		}
		if (cfg->verbose)
			say("watch: following '%s'%s%s%s", w.dir, w.pg.done ? " after '" : "",
			    w.pg.done ? w.pg.done : "", w.pg.done ? "'" : "");
	}
	while (err == 0 && !stop_requested) {
		struct list cur = { 0 };
		if ((err = list_dir(&w, &cur)) != 0) {
			list_free(&cur);
			break;
		}
		err = step(&w, &cur);
		list_free(&w.prev);
		w.prev = cur;
		w.listed = true;
		for (int64_t t = 0; err == 0 && t < SENSOR_WATCH_POLL_MS && !stop_requested;
		     t += STEP_MS)
			nanosleep(&(struct timespec){ 0, STEP_MS * 1000000L }, NULL);
	}
	if (cfg->store != NULL) {
		cfg->store->hook = NULL;
		cfg->store->hook_arg = NULL;
	}
	if (!cfg->quiet && (err == 0 || rep->files > 0))
		say("watch: %" PRIu64 " files read (%" PRIu64 " damaged or vanished), %" PRIu64
		    " skipped as late; the last read: %s%s%s", rep->files, rep->damaged, rep->late,
		    w.pg.done ? "'" : "", w.pg.done ? w.pg.done : "none", w.pg.done ? "'" : "");
	list_free(&w.prev);
	watch_progress_free(&w.pg);
	free(w.newest);
	free(w.buf.p);
	free(w.dir);
	free(w.state);
	free(w.state_tmp);
	free(w.lock);
	if (w.lock_fd >= 0)
		close(w.lock_fd);
	return err;
}
