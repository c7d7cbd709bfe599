/*
 * sensor_watch_impl.h - what --watch's two files share: sensor_watch.c
 * (listing, deciding when a file is finished, reading it, the store hook)
 * and sensor_watch_state.c (the progress as text and its state file).
 * Internal to pdns-sensor; one thread.
 */
#ifndef SENSOR_WATCH_IMPL_H
#define SENSOR_WATCH_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/sensor_watch.h"
#include "store/store_db.h"

#define PROG "pdns-sensor"

/* A file's identity: a file grown or replaced has another one. */
struct ident {
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
};

struct entry {
	char *name;
	struct ident id;
};

/* One listing of the directory, in name order. */
struct list {
	struct entry *v;
	size_t n, cap;
};

/* The progress: the last file read and, with a store, the file being read. */
struct progress {
	char *done;              /* NULL: none yet */
	struct ident done_id;
	char *part;              /* NULL: none */
	struct ident part_id;
	uint64_t part_batches, part_rows, part_fp;
};

/* A growing text buffer; `oom` is sticky. */
struct text {
	char *p;
	size_t n, cap;
	bool oom;
};

struct watch {
	const struct sensor_watch_cfg *cfg;
	struct sensor_watch_report *rep;
	char *dir;               /* the directory's real path */
	char *state, *state_tmp, *lock; /* state file mode */
	const char *ignore[3];   /* base names of those, when they are in dir */
	int lock_fd;
	char meta_key[STORE_META_KEY_MAX]; /* store mode */
	size_t meta_klen;
	uint64_t fp;             /* the settings that make reading deterministic */
	struct progress pg;
	struct list prev;        /* the previous listing */
	bool listed;
	char *newest;            /* the newest file, unchanged since newest_since */
	struct ident newest_id;
	int64_t newest_since;
	bool warned_change;      /* about pg.done */
	uint64_t batches, rows, skip, skip_rows; /* store: the file being read */
	bool reading;
	struct text buf;         /* the encoded progress */
};

/* Set the report's one-line reason; returns err. */
int watch_fail(struct watch *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* errno to a PROTO_E* code. */
int watch_errno_err(int e);

/* sensor_watch_state.c */
/* Encode w->pg into w->buf; PROTO_ENOMEM. */
int watch_encode(struct watch *w);
void watch_progress_free(struct progress *pg);
/* The directory of path (allocated), or NULL. */
char *watch_parent_of(const char *path);
/* Write the progress where it is kept (state file or store meta row). */
int watch_save(struct watch *w);
/* Read the progress back at start; lock the state file. */
int watch_state_load(struct watch *w);
int watch_state_lock(struct watch *w);

#endif
