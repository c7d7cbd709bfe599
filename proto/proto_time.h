/*
 * proto_time.h - the time values users type, and the one text form we print.
 *
 * Lookups take time fences the way dnsdbq does: an absolute time (epoch
 * seconds, an ISO 8601 date or date-time) or a time relative to now (a
 * negative number of seconds, or dnsdbq's %dw%dd%dh%dm%ds form, with or
 * without a leading '-'). Everything is UTC; the calendar arithmetic is our
 * own (no timegm/TZ), so results do not depend on the process environment.
 * Pure functions: thread-safe, no allocation.
 */
#ifndef PROTO_TIME_H
#define PROTO_TIME_H

#include <stdint.h>

#define PROTO_TIME_TEXT_MAX 32 /* "YYYY-MM-DD HH:MM:SS" for any int64_t */

/*
 * Parse `text` into Unix seconds. Accepted, and nothing else:
 *   1700000000                   epoch seconds (absolute)
 *   -86400                       seconds before `now`
 *   7d, -7d, 1w2d, 3h30m, 90s    weeks, days, hours, minutes, seconds before
 *                                `now`: each unit at most once, in the order
 *                                w d h m s, case-insensitive
 *   2024-01-31                   that day at 00:00:00 UTC
 *   2024-01-31T12:00:00          UTC; a space may replace the 'T'
 *   ...12:00:00Z, ...12:00:00+02:00, ...-0530, ...+02
 *                                with a zone; '.fraction' after the seconds
 *                                is accepted and truncated
 * Returns 0, or PROTO_EINVAL for anything else: empty text, spaces around
 * it, trailing bytes, an impossible date (2024-02-30, hour 24) or a value
 * that overflows int64_t.
 */
int proto_time_parse(const char *text, int64_t now, int64_t *out);

/* "2024-01-31 12:00:00" (UTC, dnsdbq's text form) of any int64_t. */
void proto_time_format_iso(int64_t t, char out[PROTO_TIME_TEXT_MAX]);

#endif
