/*
 * cli_out.h - how pdns prints an answer: the -p formats and summarize.
 *
 * Everything goes to one FILE (standard output: data only; messages are the
 * caller's, on standard error). Formats, one row per merged key unless said:
 *   json   COF NDJSON, byte for byte pdns-sensor --format cof (proto_cof.h)
 *   text   dnsdbq's blocks: ";; record times: A .. B", ";; count: N;
 *          bailiwick: Z.", ";; section: S" when not answer, then
 *          "NAME.  TYPE  RDATA" and a blank line
 *   csv    header time_first,time_last,count,bailiwick,rrname,rrtype,rdata,
 *          section; ISO times; RFC 4180 quoting
 *   tsv    the same columns, tab separated; a tab, CR or LF inside a field
 *          is written \t, \r, \n
 *   rrset  DNSDB-style NDJSON, one object per (rrname, rrtype, bailiwick)
 *          in order of first appearance, rdata an array, times min/max,
 *          count summed
 *   xml    <results> of <result> elements with the COF fields
 * Names are written with a trailing dot in text, csv, tsv and rrset (as
 * dnsdbq and DNSDB do) and without it in json and xml (as COF does); rdata
 * is always the stored canonical text. NXDOMAIN rows have rdata "NXDOMAIN"
 * in text and an empty rdata in csv/tsv; json, rrset and xml give them
 * COF's {"qname", "qtype", times, count} form.
 *
 * Sources (CLI_OUT_SOURCES, a federated lookup: cli_rows.h): every row
 * also says where it came from, and an unknown count is shown as such:
 *   json   ,"sources":[{"origin":"dnsdb","time_first":T,"time_last":T,
 *          "count":N|null},..] before the closing brace; "count":null
 *   rrset  the same, each source's times and counts summed over the
 *          group's rdata
 *   text   ";; count: unknown" and a line ";; sources: local, dnsdb"
 *          after the count line
 *   csv    a last column "sources" ("local, dnsdb"), count empty when
 *   tsv    unknown
 *   xml    <sources><source><origin>..</origin><time_first>..
 *          </time_first><time_last>..</time_last><count>N</count>
 *          </source>..</sources> after the last field; no <count> when
 *          unknown
 * Sources come in the order they first gave the row. Without the flag
 * the output is the plain one above, byte for byte.
 *
 * With no rows, csv and tsv still print their header and xml an empty
 * <results> element, so the output always parses; the others print
 * nothing. Errors: PROTO_EIO (errno says why), PROTO_ENOMEM,
 * PROTO_ESPACE (a field longer than any canonical rdata). One thread.
 */
#ifndef CLI_OUT_H
#define CLI_OUT_H

#include <stdio.h>

#include "cli/cli_rows.h"

enum cli_format {
	CLI_FMT_TEXT,
	CLI_FMT_JSON,
	CLI_FMT_CSV,
	CLI_FMT_TSV,
	CLI_FMT_RRSET,
	CLI_FMT_XML,
};

/* "text", "json", "csv", "tsv", "rrset" or "xml"; PROTO_EINVAL otherwise. */
int cli_out_format_parse(const char *text, enum cli_format *fmt);

/* Print every row of r in order. */
int cli_out_rows(FILE *f, enum cli_format fmt, const struct cli_rows *r);

#define CLI_OUT_SOURCES 1u  /* each row's sources, unknown counts as such */

/* cli_out_rows with flags (CLI_OUT_*; 0 is cli_out_rows). */
int cli_out_print(FILE *f, enum cli_format fmt, const struct cli_rows *r,
                  unsigned flags);

/*
 * Print one summary of r (-V summarize): the sum of counts, the number of
 * rows, the earliest time_first and the latest time_last, as
 * {"count":N,"num_results":N,"time_first":T,"time_last":T} (json, rrset),
 * ";; count: N; num_results: N; first: ISO; last: ISO" (text), a header and
 * one line (csv, tsv) or a <summary> element (xml). Nothing when r is empty,
 * except xml's <summary><count>0</count><num_results>0</num_results></summary>.
 */
int cli_out_summary(FILE *f, enum cli_format fmt, const struct cli_rows *r);

#endif
