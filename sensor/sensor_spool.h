/*
 * sensor_spool.h - pdns-sensor's spool: unacknowledged batches on disk.
 *
 * Part of the pdns-sensor program (--node --spool DIR). The directory holds
 * one file per batch, named STREAM-SEQ.batch (both 16 hex digits, so names
 * sort by stream, then seq) and holding the encoded OBS_BATCH as sent, and
 * a small text file `state`: the origin, the stream and the next seq the
 * sink must not reuse. Every file is written to NAME.tmp (mode 0600),
 * fsynced and renamed, and the directory fsynced, so a crash leaves the old
 * file or the new one, never a torn one. The directory is created 0700
 * when missing, refused when group or others may write it or another user
 * owns it, and locked (flock) for as long as it is open: one sensor per
 * spool.
 *
 * What the files mean is the node sink's business (pdns_sensor_node.c);
 * the spool only stores, lists, reads and removes them, and counts the
 * bytes of the batch files. One thread. Errors: PROTO_E* with a one-line
 * reason in why.
 */
#ifndef SENSOR_SPOOL_H
#define SENSOR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENSOR_SPOOL_ORIGIN_MAX 32

struct sensor_spool;

struct sensor_spool_state {
	uint8_t origin[SENSOR_SPOOL_ORIGIN_MAX];
	uint8_t origin_len;
	uint64_t stream;
	uint64_t next; /* seqs below it were used, unless a batch file says more */
};

/*
 * Open (create 0700 if missing) and lock dir. PROTO_EPERM: group or
 * others may write it, or it is not ours; PROTO_EBUSY: another process
 * holds it; PROTO_EIO: it cannot be created or opened.
 */
int sensor_spool_open(struct sensor_spool **out, const char *dir, char *why, size_t whylen);
void sensor_spool_close(struct sensor_spool **sp);
const char *sensor_spool_dir(const struct sensor_spool *sp);
/* Bytes in the batch files of the stream last scanned, plus those put since. */
uint64_t sensor_spool_bytes(const struct sensor_spool *sp);

/* The state file: *found false (and 0) when there is none yet. */
int sensor_spool_state_read(struct sensor_spool *sp, struct sensor_spool_state *st,
                            bool *found, char *why, size_t whylen);
int sensor_spool_state_write(struct sensor_spool *sp, const struct sensor_spool_state *st,
                             char *why, size_t whylen);

/*
 * The batches of `stream` still held: the run of consecutive seqs that
 * ends at the highest file, from `floor` up (*lo, *n; *n = 0 when none).
 * Everything else is removed and counted in *removed: temporary files,
 * files of other streams (an interrupted renumbering), and files below
 * `floor` or below a gap (acknowledged batches whose removal a crash
 * undid).
 */
int sensor_spool_scan(struct sensor_spool *sp, uint64_t stream, uint64_t floor,
                      uint64_t *lo, uint64_t *n, uint64_t *removed, char *why,
                      size_t whylen);

/* One batch file, durable when this returns. */
int sensor_spool_put(struct sensor_spool *sp, uint64_t stream, uint64_t seq,
                     const void *buf, size_t len, char *why, size_t whylen);
/* Read one batch file (at most max bytes) into a malloc'd *buf. */
int sensor_spool_get(struct sensor_spool *sp, uint64_t stream, uint64_t seq, size_t max,
                     uint8_t **buf, size_t *len, char *why, size_t whylen);
/* Remove one batch file (gone already: not an error). */
int sensor_spool_drop(struct sensor_spool *sp, uint64_t stream, uint64_t seq, char *why,
                      size_t whylen);

#endif
