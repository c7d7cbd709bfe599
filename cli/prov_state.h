/*
 * prov_state.h - what pdns remembers about each provider between runs:
 * when its backoff ends and how many requests it got today (UTC).
 *
 * One small text file (pdns.conf's "state", default
 * ~/.cache/pdns/prov-state), mode 0600, one line per provider source name:
 *
 *   # pdns provider state v1: name retry_at day requests strikes
 *   vt 1764281234 20419 37 2
 *
 * retry_at: Unix time the backoff ends (0: none); day: days since the
 * epoch that `requests` counts; strikes: quota answers in a row, which
 * doubles the backoff when the provider names no time. Readers and
 * writers take flock(LOCK_EX), and an update adds this run's requests to
 * what the file holds, so concurrent pdns runs share one budget. No key
 * or URL is ever written here.
 *
 * Errors: PROTO_EIO / PROTO_EPERM / PROTO_EFORMAT with a one-line why.
 */
#ifndef PROV_STATE_H
#define PROV_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prov_state {
	const char *name;      /* the provider's source name (borrowed) */
	int64_t retry_at;      /* loaded: backoff end; update: new end or 0 */
	uint32_t day;          /* loaded: the day requests counts */
	uint32_t requests;     /* loaded: today's; update: sent this run */
	uint32_t strikes;      /* loaded: quota answers in a row */
	bool quota;            /* update: this run hit the quota */
	bool answered;         /* update: this run got an answer (strikes = 0) */
};

/* Days since the epoch of Unix time t (UTC). */
uint32_t prov_state_day(int64_t t);

/*
 * Fill st[0..n) (name set by the caller) from path; providers not in the
 * file, or a missing file, get zeroes; counts of another day read as 0.
 */
int prov_state_load(const char *path, struct prov_state *st, size_t n, int64_t now,
                    char *why, size_t whylen);

/*
 * Merge this run into path under the lock: requests added (a new day
 * starts from 0), retry_at raised to st->retry_at when quota, strikes
 * counted up on quota and reset on answered. Creates path (and its
 * directory, 0700) when missing.
 */
int prov_state_update(const char *path, const struct prov_state *st, size_t n, int64_t now,
                      char *why, size_t whylen);

/*
 * mkdir -p the directory path is in, 0700 for what it creates (errors are
 * left to the open that follows): ~/.cache/pdns for the state file and the
 * provider cache store.
 */
void prov_make_parent_dirs(const char *path);

#endif
