/*
 * cli_query.h - dnsdbq's lookup arguments into a query value.
 *
 * Each function parses one command-line argument in dnsdbq's form and fills
 * the matching fields of a struct proto_query (set up by proto_query_init),
 * so scripts written for dnsdbq keep working. Wildcards: a leading "*."
 * is a left wildcard (names strictly below the rest), a trailing ".*" a
 * right wildcard (names starting with the labels before it); a bare "*",
 * "*." and a /0 are refused here because they would read the whole store.
 * Unparsable input returns PROTO_EINVAL with a short reason in `why`
 * ("empty label", "unknown rrtype 'XYZ'"); the caller names the option and
 * the argument. Pure functions: thread-safe, no allocation.
 */
#ifndef CLI_QUERY_H
#define CLI_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/proto_query.h"

/*
 * -r NAME[/TYPE[,TYPE...][/BAILIWICK]]: rrset by owner name (wildcards
 * allowed). *typed says whether the argument named types (ANY included, which
 * leaves ntypes 0), so the caller can refuse a second -t.
 */
int cli_query_rrset(struct proto_query *q, const char *arg, bool *typed,
                    char *why, size_t whylen);

/* -n NAME[/TYPE[,TYPE...]]: rdata that is or points at NAME (wildcards). */
int cli_query_rdata_name(struct proto_query *q, const char *arg, bool *typed,
                         char *why, size_t whylen);

/* -R HEX[/TYPE[,TYPE...][/BAILIWICK]]: the owner name in wire-format hex. */
int cli_query_raw_name(struct proto_query *q, const char *arg, bool *typed,
                       char *why, size_t whylen);

/* -N HEX[/TYPE[,TYPE...]]: rdata by its wire bytes in hex. */
int cli_query_raw_rdata(struct proto_query *q, const char *arg, bool *typed,
                        char *why, size_t whylen);

/* --nxdomain NAME[/TYPE[,TYPE...]]: recorded NXDOMAIN answers (wildcards). */
int cli_query_nxdomain(struct proto_query *q, const char *arg, bool *typed,
                       char *why, size_t whylen);

/* -i IP, IP/PREFIX, IP-IP or IP,IP: A/AAAA rdata in an address range. */
int cli_query_ip(struct proto_query *q, const char *arg, char *why,
                 size_t whylen);

/* -t TYPE[,TYPE...]: at most PROTO_QUERY_MAX_TYPES; ANY only alone. */
int cli_query_types(struct proto_query *q, const char *text, char *why,
                    size_t whylen);

/* -b BAILIWICK: a name (no wildcard). */
int cli_query_bailiwick(struct proto_query *q, const char *text, char *why,
                        size_t whylen);

#endif
