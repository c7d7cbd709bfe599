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
 * Sources (federated lookups, issue 6): cli_rows_add_src adds a row with
 * the name of the origin it came from, and every merged row keeps one
 * entry per source: {origin, time_first, time_last, count or unknown}.
 * A source is its origin name normalised (cli_rows_source_name): a store
 * origin "PEER/GROUP" (a peer's replicated data) and the peer's live
 * answer "PEER" are one source, as are a provider's live answer "NAME" and
 * its cached rows "prov:NAME". Reaching the same source twice counts once
 * (earliest first, latest last, the larger count); distinct sources add
 * their counts. A source without counts (VirusTotal, PassiveTotal) adds 0
 * and its count is unknown; a row's count is unknown only when no source
 * of it knows one. A time of 0 from a source means unknown (PassiveTotal's
 * "None") and never wins the earliest first. cli_rows_add (no origin)
 * keeps its rule: every add is summed, the count is known.
 *
 * Memory: the set copies every name and rdata into an arena it owns; rows
 * returned by cli_rows_get are borrowed until cli_rows_destroy. One thread.
 * Errors: PROTO_ENOMEM, PROTO_EINVAL for a row that breaks proto_obs's rules
 * or an origin name that is empty or longer than CLI_ROWS_ORIGIN_MAX,
 * PROTO_ESPACE past 65535 distinct sources.
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

/*
 * Add a row (copied) seen by `origin`, with its count when has_count
 * (else o->count is ignored: unknown), merging it as the top says.
 */
#define CLI_ROWS_ORIGIN_MAX 63
int cli_rows_add_src(struct cli_rows *r, const struct proto_obs *o, const char *origin,
                     bool has_count);

/*
 * Add every row of src to r (another set): rows with sources source by
 * source, rows without through cli_rows_add. Sets built apart (one per
 * provider, in its own thread) merge into one answer this way; it is the
 * fast way in, as src knows its keys ahead and their places in r are
 * fetched early.
 */
int cli_rows_add_rows(struct cli_rows *r, const struct cli_rows *src);

/*
 * The source name of a store or answer origin into out: "PEER/GROUP" gives
 * "PEER", "prov:NAME" gives "NAME", anything else itself, with any byte
 * outside printable ASCII as '?'. Returns its length, or 0 for an empty
 * or over-long result (nothing written then).
 */
size_t cli_rows_source_name(const char *origin, char out[CLI_ROWS_ORIGIN_MAX + 1]);

size_t cli_rows_count(const struct cli_rows *r);
const struct proto_obs *cli_rows_get(const struct cli_rows *r, size_t i);

/* Whether any row was added with a source. */
bool cli_rows_has_sources(const struct cli_rows *r);

/* Whether row i's count is known (cli_rows_get's count is 0 when not). */
bool cli_rows_count_known(const struct cli_rows *r, size_t i);

/* The number of distinct sources in the set, and the name of source id. */
size_t cli_rows_nsources(const struct cli_rows *r);
const char *cli_rows_source(const struct cli_rows *r, size_t id);

/* One source of a row; origin is borrowed until cli_rows_destroy. */
struct cli_src {
	const char *origin;    /* normalised source name */
	size_t id;             /* < cli_rows_nsources */
	int64_t time_first, time_last;
	uint64_t count;        /* 0 when !has_count */
	bool has_count;
};

/*
 * The sources of row i, in the order they first gave the row: set *it to
 * 0, then call until it returns false.
 */
bool cli_rows_src_next(const struct cli_rows *r, size_t i, size_t *it,
                       struct cli_src *out);

/* Sort by s (see above); rows may still be added afterwards. */
void cli_rows_sort(struct cli_rows *r, const struct cli_sort *s);

#endif
