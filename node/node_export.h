/*
 * node_export.h - the export filter: may one observation of our own
 * sensors leave for peers? Plus the rounding of exported times and the
 * sensor pseudonym of a sharing group.
 *
 * security.md 2.2 (P4, P5, P8, P12) and doc/pdns-node.conf.md [export]
 * give the rules; node_export_new() compiles [export] of a parsed config
 * into a read-only policy, node_export_check() judges one observation, in
 * this order (the first rule that matches gives the verdict):
 *
 *   1. section NXDOMAIN: never shared (a fixed rule, not a setting);
 *   2. the rrname, or a name inside the rdata, at or under an internal
 *      zone (internal-zones);
 *   3. the same names at or under a special-use or reserved name, or an
 *      RFC 6303 (AS112) reverse zone (suppress-special-use-names);
 *   4. A/AAAA rdata in a special-purpose range, IPv4-mapped addresses
 *      judged by their IPv4 address (suppress-special-purpose-addresses);
 *   5. an rrname of any type that is a reverse name (in-addr.arpa,
 *      ip6.arpa, partial ones included) whose prefix lies inside one of
 *      those ranges (the same setting).
 *
 * Names inside the rdata: the target of CNAME, DNAME, NS, PTR; the
 * exchange or host of MX, KX, AFSDB; the SRV target; SOA mname and rname;
 * the SVCB/HTTPS target; the NAPTR replacement; both names of RP; the
 * NSEC next name; the RRSIG signer. So a public CNAME to an internal host
 * does not leak the host. The bailiwick needs no check: the rrname is at
 * or under it.
 *
 * A reverse name is read from the wire form: the labels before
 * in-addr.arpa (decimal 0..255, no leading zero, at most 4) or ip6.arpa
 * (one hex digit each, at most 32), from the right. A label that is not
 * one of those ends the address: the name is then judged as a name under
 * the reverse name of the labels read (so "x.1.168.192.in-addr.arpa" is
 * under 192.168.1/24, and "256.in-addr.arpa" under nothing). A partial
 * reverse name is inside a range when its whole prefix is.
 *
 * Cost: node_export_check() allocates nothing, formats nothing and runs
 * no regex. Internal zones and special names are one hash set of wire
 * names; a name is hashed once from its right end and each ancestor is
 * one probe (at most 127), so the cost does not grow with the number of
 * zones (up to NODE_CONFIG_MAX_ZONES).
 *
 * Memory: node_export_new() allocates the policy; node_export_free()
 * releases it. A policy is read-only after node_export_new() and may be
 * shared between threads. Errors: 0 or a negative PROTO_E*.
 */
#ifndef NODE_EXPORT_H
#define NODE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "node/node_config.h"
#include "proto/proto_obs.h"

#define NODE_EXPORT_PSEUDONYM_LEN 8 /* octets: 16 hex digits (security.md P8) */

struct node_export;

enum node_export_verdict {
	NODE_EXPORT_OK = 0,
	NODE_EXPORT_NXDOMAIN,        /* NXDOMAIN rows: never shared (fixed rule) */
	NODE_EXPORT_INTERNAL_ZONE,   /* rrname or a name in the rdata at/under an internal zone */
	NODE_EXPORT_SPECIAL_NAME,    /* ... under a special-use / reserved name */
	NODE_EXPORT_SPECIAL_ADDRESS, /* A/AAAA rdata in a special-purpose range */
	NODE_EXPORT_SPECIAL_PTR,     /* a reverse name (in-addr.arpa / ip6.arpa) of such a range */
	NODE_EXPORT_VERDICTS         /* count, for counters */
};

/*
 * Compile cfg->export into *out (the caller's, for node_export_free()).
 * PROTO_EINVAL when an internal zone is not a name (the config parser
 * refuses those already), PROTO_ENOMEM.
 */
int node_export_new(struct node_export **out, const struct node_config *cfg);
/* Free a policy and NULL *ep; NULL is fine. */
void node_export_free(struct node_export **ep);

/* The verdict on one observation of our own sensors (see the top). */
enum node_export_verdict node_export_check(const struct node_export *e,
                                           const struct proto_obs *o);

/* "ok", "nxdomain", "internal_zone", "special_name", "special_address",
 * "special_ptr" (for counters and logs); "unknown" for anything else. */
const char *node_export_verdict_name(enum node_export_verdict v);

/*
 * Round for export: *first down and *last up to a multiple of the
 * configured time-granularity (exact: both unchanged). Either may be NULL.
 * Times whose rounding would leave int64_t stop at the last multiple
 * inside it.
 */
void node_export_times(const struct node_export *e, int64_t *first, int64_t *last);

/* The min-count threshold of the config (1 = none), for the node's delta logic. */
uint32_t node_export_min_count(const struct node_export *e);
/* The min-days threshold of the config (1 = none). */
uint32_t node_export_min_days(const struct node_export *e);

/*
 * The keyed pseudonym of a sensor in a sharing group: HMAC-SHA256(secret,
 * sensor_name) truncated to NODE_EXPORT_PSEUDONYM_LEN octets (libsodium's
 * crypto_auth_hmacsha256 with a key of any length). Deterministic; a
 * different secret per group makes the groups' pseudonyms unlinkable.
 */
void node_export_pseudonym(const uint8_t *secret, size_t secret_len, const char *sensor_name,
                           uint8_t out[NODE_EXPORT_PSEUDONYM_LEN]);

#endif
