/*
 * prov.h - provider response parsers: one file per provider maps its
 * response body to observations (issue 6).
 *
 * Every parser has the same shape: it reads a whole response body, calls
 * fn once per observation (struct proto_obs, proto_obs.h: wire-form names,
 * canonical rdata text, Unix seconds) and fills struct prov_page with what
 * the format says about the next page. Pointers in the observation are
 * valid only during the call. A body that is not the provider's format, or
 * is its error or quota form, returns a PROTO_E* code with a one-line
 * reason in why; observations before the error may already have been
 * delivered (a SAF stream that fails midway).
 *
 * count is 0 when the provider reports none (VirusTotal, PassiveTotal): 0
 * means unknown and is shown as null later, never as "seen 0 times".
 * time_first/time_last are 0 when unknown (PassiveTotal's "None").
 * Rdata: A and AAAA are rewritten in canonical address form, NS, CNAME,
 * DNAME and PTR targets as canonical names (lowercase, no trailing dot);
 * other types are kept as the provider wrote them (printable ASCII only).
 */
#ifndef PROV_H
#define PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto_obs.h"

#define PROV_CURSOR_MAX 512
#define PROV_RDATA_MAX 4096 /* longest rdata text taken from a provider */

/* Returns 0 to go on; anything else stops the parser, which returns it. */
typedef int (*prov_row_fn)(const struct proto_obs *obs, void *arg);

struct prov_page {
	uint64_t rows;                 /* observations delivered */
	char cursor[PROV_CURSOR_MAX];  /* VirusTotal: next cursor, "" at the end */
	int64_t offset, total;         /* Mnemonic: offset echoed, count; -1 unknown */
	bool limited;                  /* DNSDB: "cond":"limited" (more exist) */
};

typedef int (*prov_parse_fn)(const char *body, size_t len, prov_row_fn fn,
                             void *arg, struct prov_page *page, char *why,
                             size_t whylen);

struct prov_def {
	const char *name;
	const char *desc;
	prov_parse_fn parse;
};

/* The providers, ended by an entry whose name is NULL. */
extern const struct prov_def prov_table[];
/* The provider called `name`, or NULL. */
const struct prov_def *prov_find(const char *name);

int prov_dnsdb_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                     struct prov_page *page, char *why, size_t whylen);
int prov_circl_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                     struct prov_page *page, char *why, size_t whylen);
int prov_vt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                  struct prov_page *page, char *why, size_t whylen);
int prov_pt_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                  struct prov_page *page, char *why, size_t whylen);
int prov_mnemonic_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                        struct prov_page *page, char *why, size_t whylen);
int prov_360_parse(const char *body, size_t len, prov_row_fn fn, void *arg,
                   struct prov_page *page, char *why, size_t whylen);

/* Shared by the parsers (prov.c). */
struct prov_json;
void prov_page_init(struct prov_page *page);
int prov_why(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Build and deliver one observation from text fields: rrname (presentation,
 * trailing dot optional), rrtype mnemonic, rdata text, optional bailiwick
 * (NULL when unknown). Counts the row in page->rows.
 */
int prov_emit(const char *rrname, const char *rrtype, const char *rdata,
              const char *bailiwick, int64_t first, int64_t last,
              uint64_t count, prov_row_fn fn, void *arg,
              struct prov_page *page, char *why, size_t whylen);
/*
 * Map one COF object (DNSDB, CIRCL, 360: rrname, rrtype, rdata as a string
 * or an array, time_first/time_last or zone_time_*, count, bailiwick) to
 * observations; rdata strings are split on split_on when it is not '\0'.
 */
int prov_cof_obj(const struct prov_json *j, uint32_t obj, char split_on,
                 prov_row_fn fn, void *arg, struct prov_page *page,
                 char *why, size_t whylen);
/* String member key of obj into out; PROTO_EFORMAT with a reason. */
int prov_get_str(const struct prov_json *j, uint32_t obj, const char *key,
                 char *out, size_t cap, char *why, size_t whylen);
/* Integer member key of obj (absent: *v = dflt when optional). */
int prov_get_int(const struct prov_json *j, uint32_t obj, const char *key,
                 bool optional, int64_t dflt, int64_t *v, char *why,
                 size_t whylen);
/* Calls line() for each non-empty line of an NDJSON body. */
int prov_ndjson(const char *body, size_t len,
                int (*line)(const struct prov_json *j, void *ctx), void *ctx,
                char *why, size_t whylen);

#endif
