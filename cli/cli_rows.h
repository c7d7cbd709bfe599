/*
 * cli_rows.h - the rows of one answer: merged, then sorted, then printed.
 *
 * A store gives one row per (key, origin), and later peers and providers
 * will give rows of their own; cli_rows merges them by (rrname, rrtype,
 * rdata, section): the earliest time_first, the latest time_last, the sum of
 * the counts and the deeper bailiwick (more labels; the first seen on a
 * tie). Rows stay in the order their key first appeared until
 * cli_rows_sort. Sorting is dnsdbq's: the keys asked for, then first, last,
 * count, name, type and data as tie-breakers, all ascending or all
 * descending; names compare in DNS order (by label from the right, RFC 4034
 * 6.1) and A/AAAA data by address.
 *
 * Memory: the set copies every name and rdata into an arena it owns; rows
 * returned by cli_rows_get are borrowed until cli_rows_destroy. One thread.
 * Errors: PROTO_ENOMEM, PROTO_EINVAL for a row that breaks proto_obs's rules.
 */
#ifndef CLI_ROWS_H
#define CLI_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/proto_obs.h"

enum cli_key {
	CLI_KEY_FIRST,     /* time_first */
	CLI_KEY_LAST,      /* time_last */
	CLI_KEY_DURATION,  /* time_last - time_first */
	CLI_KEY_COUNT,
	CLI_KEY_NAME,      /* rrname, DNS order */
	CLI_KEY_TYPE,      /* rrtype number */
	CLI_KEY_DATA,      /* rdata: address order for A/AAAA, else bytes */
	CLI_KEY_N_
};

struct cli_sort {
	unsigned char keys[CLI_KEY_N_];
	size_t nkeys;
	bool descending;
};

/*
 * Parse -k's list ("first,count"): names from enum cli_key in lowercase,
 * each at most once. Appends to s->keys; PROTO_EINVAL with why otherwise.
 */
int cli_rows_sort_parse(const char *text, struct cli_sort *s, char *why,
                        size_t whylen);

struct cli_rows;

int cli_rows_new(struct cli_rows **out);
void cli_rows_destroy(struct cli_rows **rp);

/* Add a row (copied), merging it into an equal key already held. */
int cli_rows_add(struct cli_rows *r, const struct proto_obs *o);

size_t cli_rows_count(const struct cli_rows *r);
const struct proto_obs *cli_rows_get(const struct cli_rows *r, size_t i);

/* Sort by s (see above); rows may still be added afterwards. */
void cli_rows_sort(struct cli_rows *r, const struct cli_sort *s);

#endif
