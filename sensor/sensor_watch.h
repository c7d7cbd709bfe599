/*
 * sensor_watch.h - pdns-sensor --watch DIR: follow a directory of rotated
 * captures (tcpdump -C/-G, Suricata, Arkime, netsniff-ng ...).
 *
 * Part of the pdns-sensor program, like the store and node sinks. The
 * directory is listed every SENSOR_WATCH_POLL_MS. Its capture files (the
 * default names or --pattern; hidden files never) are read whole, one
 * after the other, in name order (strverscmp: dns.pcap9 before
 * dns.pcap10), each once:
 *
 *  - a file is finished when a later file exists and its size and mtime
 *    did not change between two listings, or, for the newest file, when
 *    its size, mtime and inode have not changed for `settle` seconds of
 *    our own clock (and it holds at least a pcap header);
 *  - each file is read by a fresh pipeline, exactly as `pdns-sensor -r
 *    FILE` reads it alone (a TCP message or a fragmented datagram cut by
 *    the rotation is not put together across files), and its rows are
 *    flushed to the sink before the next file is started;
 *  - the progress (the last file read, with its size, mtime and inode) is
 *    kept in a state file, written to a temporary name, synced and renamed
 *    after the file's rows were flushed: printed rows synced to disk, a
 *    node's acknowledgement (or its spool), so a restart resumes after it.
 *    With a store, the progress is a meta row of the store, written in the
 *    same atomic batches as the rows (below);
 *  - a damaged file (truncated, not a capture, unsupported link type) or
 *    one that vanished before it was read is reported in one line and
 *    counted as read: what was read before the damage is kept. A file
 *    that cannot be read for lack of permission, or a read error, stops
 *    the watch without counting it, so a restart reads it again;
 *  - a file that appears with a name sorting before the last file read is
 *    reported once and skipped; a last file that changes after it was read
 *    (a writer quiet for longer than `settle`) is reported once.
 *
 * sensor_watch_stop() (from a signal handler) ends the watch once the file
 * being read is finished and recorded: a stop never leaves half a file.
 *
 * Exactly once: with a store, every batch written while a file is read
 * carries the progress "file F, its first k batches", and the end of the
 * file "F read". Reading is deterministic for the same file and settings,
 * so a sensor killed inside F reads F again and leaves out its first k
 * batches: no row is lost or counted twice, even after kill -9 (the
 * settings and the sensor's version are kept with the progress; if they
 * changed, F is read whole and one line says its first batches may count
 * twice). Printing and --node are at least once at a file boundary: a
 * crash after a file's rows were flushed but before the state file was
 * renamed (microseconds), or inside a file whose rows overflowed --cache
 * (flushed in parts), sends those rows again after the restart.
 */
#ifndef SENSOR_WATCH_H
#define SENSOR_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sensor/pdns_sensor_store.h"
#include "sensor/sensor_run.h"

#define SENSOR_WATCH_SETTLE 60           /* default --settle, seconds */
#define SENSOR_WATCH_SETTLE_MAX 86400
#define SENSOR_WATCH_POLL_MS 1000        /* between two listings */
#define SENSOR_WATCH_STATE ".pdns-sensor.state" /* default state, in DIR */

struct sensor_watch_cfg {
	const char *dir;
	const char *state;        /* NULL: DIR/SENSOR_WATCH_STATE; unused with store */
	const char *pattern;      /* fnmatch(3) glob on names, or NULL: the default */
	int settle;               /* seconds, 1..SENSOR_WATCH_SETTLE_MAX */
	bool verbose;             /* a line per file read */
	bool quiet;               /* no summary line at the end */
	/* The pipeline and where its rows go. */
	const struct sensor_run_cfg *run;
	const struct sensor_sink *obs, *nxd;  /* nxd may be NULL */
	struct store_sink *store; /* --store: the progress lives in the store */
	FILE *sync[2];            /* printed outputs, synced after each file (or NULL) */
	bool (*broken)(void *arg);/* true once the output failed (store, node, print) */
	void *broken_arg;
};

struct sensor_watch_report {
	struct sensor_stats st;   /* every file's counters, added up */
	uint64_t files;           /* files read this run (damaged ones included) */
	uint64_t damaged;         /* of which reported damaged or vanished */
	uint64_t late;            /* skipped: appeared sorting before the last read */
	bool state_error;         /* the error concerns the state, not the input */
	char why[768];            /* the one-line reason of the error */
};

/*
 * Follow cfg->dir until sensor_watch_stop(). Returns 0 after a stop, or a
 * PROTO_E* with rep->why: PROTO_ENOENT / PROTO_EPERM: the directory (or a
 * file in it) is missing or unreadable; PROTO_EFORMAT: the state is not
 * a state of this directory; PROTO_EBUSY: another sensor uses the state
 * file; PROTO_EIO: a read error, or the state or the output could not be
 * written (cfg->broken tells the output); PROTO_ENOMEM. rep->state_error
 * tells a state error from an input one.
 */
int sensor_watch_run(const struct sensor_watch_cfg *cfg, struct sensor_watch_report *rep);

/* End the watch after the file being read (async-signal-safe). */
void sensor_watch_stop(void);

/* True for the default capture names: *.pcap, *.pcapng, *.cap, each
 * optionally followed by digits or by '.' and digits (dns.pcap7,
 * log.pcap.1700000000), in any case. */
bool sensor_watch_default_name(const char *name);

#endif
