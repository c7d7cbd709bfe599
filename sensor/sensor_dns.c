/*
 * sensor_dns.c - DNS response to observations.
 *
 * Two passes over the message. The first checks everything (names, counts,
 * rdlength, rdata against its type) because a message that is damaged
 * anywhere must yield nothing, as BIND would refuse it; on the way it
 * formats the rdata of candidate records into a text arena and finds the
 * bailiwick zone Z. The second pass emits the records that are kept.
 *
 * Bailiwick: Z is the longest ancestor-or-self of the qname that owns an NS
 * or SOA record in the authority section. Authority and additional records
 * are kept only at or below Z; their bailiwick is Z when AA=1, else Z's
 * parent (a referral comes from the parent zone). Answer records are always
 * kept, and get the same bailiwick when their owner is at or below Z.
 * dnstap input names the zone the resolver asked the server as
 * (query_zone): sensor_dns_process_zone() then uses it as Z and as the
 * bailiwick, AA or not.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "sensor/sensor_dns.h"

#define DNS_HDR 12
/* The smallest record is a 1-octet name plus 10 fixed octets. */
#define MAX_RECORDS (65535 / 11 + 1)
/* Text arena: large enough for any normal message; past it, rdata is
 * formatted a second time in pass two instead. */
#define TEXT_ARENA (1u << 20)

struct rec {
	uint32_t owner;   /* offset of the decoded owner in the owner arena */
	uint8_t owner_len;
	uint32_t rdoff;
	uint16_t rdlen;
	uint16_t type;
	uint8_t section;
	bool keep;        /* class IN, not meta: a candidate observation */
	uint32_t text;    /* offset in the text arena, or UINT32_MAX */
	uint32_t text_len;
};

struct sensor_dns {
	struct sensor_agg *agg, *nxd;
	struct sensor_stats *st;
	bool all_sections;
	uint64_t seq;
	struct rec recs[MAX_RECORDS];
	uint8_t owners[MAX_RECORDS * PROTO_NAME_MAX]; /* decoded owner names */
	char *arena;
	size_t arena_used;
	char rdtext[PROTO_RDATA_TEXT_MAX];
};

int
sensor_dns_new(struct sensor_dns **out, struct sensor_agg *agg,
               struct sensor_agg *nxd, struct sensor_stats *st, bool all_sections)
{
	struct sensor_dns *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return PROTO_ENOMEM;
	d->arena = malloc(TEXT_ARENA);
	if (d->arena == NULL) {
		free(d);
		return PROTO_ENOMEM;
	}
	d->agg = agg;
	d->nxd = nxd;
	d->st = st;
	d->all_sections = all_sections;
	*out = d;
	return 0;
}

void
sensor_dns_destroy(struct sensor_dns **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	free((*dp)->arena);
	free(*dp);
	*dp = NULL;
}

static void
count_malformed(struct sensor_stats *st, int err)
{
	switch (err) {
	case PROTO_EPTR: SENSOR_STAT_INC(st, malformed_ptr); break;
	case PROTO_ELABEL: SENSOR_STAT_INC(st, malformed_label); break;
	case PROTO_ENAMELEN: SENSOR_STAT_INC(st, malformed_name_len); break;
	case PROTO_ERDATA: SENSOR_STAT_INC(st, malformed_rdata); break;
	case PROTO_ESPACE: SENSOR_STAT_INC(st, malformed_toolong); break;
	default: SENSOR_STAT_INC(st, malformed_trunc); break;
	}
}

/* OPT, TSIG, TKEY and SIG(0) are transaction metadata, never data. */
static bool
is_meta(uint16_t type, const uint8_t *msg, const struct rec *r)
{
	if (type == PROTO_T_OPT || type == PROTO_T_TSIG || type == PROTO_T_TKEY)
		return true;
	if (type == PROTO_T_SIG)
		return r->rdlen >= 2 && msg[r->rdoff] == 0 && msg[r->rdoff + 1] == 0;
	return false;
}

static void
format_rdata(struct sensor_dns *d, const uint8_t *msg, size_t len,
             const struct rec *r, struct proto_buf *b, int *err)
{
	proto_buf_init(b, d->rdtext, sizeof(d->rdtext));
	*err = proto_rdata_format(r->type, msg, len, r->rdoff, r->rdlen, b);
}

/* Pass one: validate the whole message; returns the record count or error. */
static int
scan(struct sensor_dns *d, const uint8_t *msg, size_t len, size_t *pos,
     unsigned total, const uint8_t *qname, size_t qlen, uint8_t *zone,
     size_t *zlen)
{
	uint16_t an = (uint16_t)(msg[6] << 8 | msg[7]);
	uint16_t ns = (uint16_t)(msg[8] << 8 | msg[9]);
	size_t olen, owners_used = 0;
	struct proto_buf b;

	d->arena_used = 0;
	for (unsigned i = 0; i < total; i++) {
		if (i >= MAX_RECORDS)
			return PROTO_ETRUNC;
		struct rec *r = &d->recs[i];
		size_t p = *pos;
		int err;

		uint8_t *owner = d->owners + owners_used;
		/*
		 * Most owners are a bare pointer to the question name at offset
		 * 12, which is decoded already: copy it rather than walk it
		 * again (the pointer is backward by construction, p > 12).
		 */
		if (qlen != 0 && len - p >= 2 && msg[p] == 0xc0 && msg[p + 1] == 12) {
			memcpy(owner, qname, qlen);
			olen = qlen;
			p += 2;
		} else if ((err = proto_name_unpack(msg, len, &p, owner, &olen, true)) != 0) {
			return err;
		}
		r->owner = (uint32_t)owners_used;
		r->owner_len = (uint8_t)olen;
		owners_used += olen;
		if (len - p < 10)
			return PROTO_ETRUNC;
		r->type = (uint16_t)(msg[p] << 8 | msg[p + 1]);
		uint16_t cls = (uint16_t)(msg[p + 2] << 8 | msg[p + 3]);
		r->rdlen = (uint16_t)(msg[p + 8] << 8 | msg[p + 9]);
		p += 10;
		if (len - p < r->rdlen)
			return PROTO_ETRUNC;
		r->rdoff = (uint32_t)p;
		r->section = i < an ? PROTO_SEC_ANSWER
		             : i < (unsigned)an + ns ? PROTO_SEC_AUTHORITY
		                                     : PROTO_SEC_ADDITIONAL;
		r->text = UINT32_MAX;
		*pos = p + r->rdlen;

		/* Records that are never observations are only validated. */
		if (is_meta(r->type, msg, r) || cls != PROTO_CLASS_IN) {
			proto_buf_init(&b, d->rdtext, sizeof(d->rdtext));
			err = proto_rdata_validate(r->type, msg, len, r->rdoff, r->rdlen, &b);
			if (err != 0)
				return err;
			if (is_meta(r->type, msg, r))
				SENSOR_STAT_INC(d->st, drop_meta);
			else
				SENSOR_STAT_INC(d->st, drop_class);
			r->keep = false;
			continue;
		}
		/* Format straight into the arena; when it is full, into scratch. */
		proto_buf_init(&b, d->arena + d->arena_used, TEXT_ARENA - d->arena_used);
		err = proto_rdata_format(r->type, msg, len, r->rdoff, r->rdlen, &b);
		bool in_arena = err == 0;
		if (err == PROTO_ESPACE)
			format_rdata(d, msg, len, r, &b, &err);
		if (err != 0)
			return err;
		r->keep = true;
		if (r->section == PROTO_SEC_AUTHORITY && qlen != 0 &&
		    (r->type == PROTO_T_NS || r->type == PROTO_T_SOA) &&
		    olen > *zlen && proto_name_is_subdomain(qname, qlen, owner, olen)) {
			memcpy(zone, owner, olen);
			*zlen = olen;
		}
		if (in_arena) {
			r->text = (uint32_t)d->arena_used;
			r->text_len = (uint32_t)b.len;
			d->arena_used += b.len;
		}
	}
	return 0;
}

/*
 * One message; xzone[0..xzlen) (lowercased wire form), when not NULL, is the
 * bailiwick the sender vouches for (dnstap's query_zone) and replaces Z.
 */
static int
process(struct sensor_dns *d, const uint8_t *msg, size_t len, int64_t ts,
        bool cut, const uint8_t *xzone, size_t xzlen)
{
	struct sensor_stats *st = d->st;
	uint8_t qname[PROTO_NAME_MAX], zone[PROTO_NAME_MAX];
	size_t qlen = 0, zlen = 0;
	uint16_t qtype = 0;
	size_t pos = DNS_HDR;
	int err;

	if (len < DNS_HDR) {
		SENSOR_STAT_INC(st, malformed_header);
		return 0;
	}
	if ((msg[2] & 0x80) == 0) {
		SENSOR_STAT_INC(st, queries);
		return 0;
	}
	if (((msg[2] >> 3) & 0x0f) != 0) {
		SENSOR_STAT_INC(st, drop_opcode);
		return 0;
	}
	if (cut) {
		SENSOR_STAT_INC(st, malformed_snaplen);
		return 0;
	}
	bool aa = (msg[2] & 0x04) != 0;
	unsigned rcode = msg[3] & 0x0f;
	unsigned qd = (unsigned)(msg[4] << 8 | msg[5]);
	unsigned total = (unsigned)(msg[6] << 8 | msg[7]) +
	                 (unsigned)(msg[8] << 8 | msg[9]) +
	                 (unsigned)(msg[10] << 8 | msg[11]);

	for (unsigned i = 0; i < qd; i++) {
		uint8_t tmp[PROTO_NAME_MAX];
		size_t tlen;
		err = proto_name_unpack(msg, len, &pos, i == 0 ? qname : tmp,
		                        i == 0 ? &qlen : &tlen, true);
		if (err == 0 && len - pos < 4)
			err = PROTO_ETRUNC;
		if (err != 0) {
			count_malformed(st, err);
			return 0;
		}
		if (i == 0)
			qtype = (uint16_t)(msg[pos] << 8 | msg[pos + 1]);
		pos += 4;
	}
	err = scan(d, msg, len, &pos, total, qname, qlen, zone, &zlen);
	if (err != 0) {
		count_malformed(st, err);
		return 0;
	}
	if (pos < len)
		SENSOR_STAT_INC(st, trailing_bytes);
	SENSOR_STAT_INC(st, responses);
	d->seq++;

	/* Bailiwick: Z itself, or its parent for a non-authoritative answer. */
	size_t bwoff = zlen != 0 && !aa ? proto_name_parent(zone, zlen) : 0;
	if (xzone != NULL) {
		memcpy(zone, xzone, xzlen);
		zlen = xzlen;
		bwoff = 0; /* the zone the server was asked as, AA or not */
	}

	for (unsigned i = 0; i < total; i++) {
		const struct rec *r = &d->recs[i];
		if (!r->keep)
			continue;
		const uint8_t *owner = d->owners + r->owner;
		size_t olen = r->owner_len;
		bool below = zlen != 0 && proto_name_is_subdomain(owner, olen, zone, zlen);
		if (r->section != PROTO_SEC_ANSWER) {
			if (!below) {
				SENSOR_STAT_INC(st, drop_bailiwick);
				continue;
			}
			if (!d->all_sections) {
				SENSOR_STAT_INC(st, drop_section);
				continue;
			}
		}
		/* Names stay in wire form: only rows that are printed get text. */
		struct proto_obs row = {
			.name = owner,
			.name_len = (uint32_t)olen,
			.rrtype = r->type,
			.section = r->section,
			.bailiwick = below ? zone + bwoff : NULL,
			.bailiwick_len = (uint32_t)(zlen - bwoff),
		};
		if (r->text != UINT32_MAX) {
			row.rdata = d->arena + r->text;
			row.rdata_len = r->text_len;
		} else {
			struct proto_buf b;
			format_rdata(d, msg, len, r, &b, &err);
			row.rdata = b.data;
			row.rdata_len = (uint32_t)b.len;
		}
		SENSOR_STAT_INC(st, records);
		err = sensor_agg_add(d->agg, &row, ts, d->seq);
		if (err != 0)
			return err;
	}

	if (rcode == 3)
		SENSOR_STAT_INC(st, nxdomain);
	if (rcode == 3 && qlen != 0 && d->nxd != NULL) {
		struct proto_obs row = {
			.name = qname,
			.name_len = (uint32_t)qlen,
			.rdata = "",
			.rrtype = qtype,
			.section = PROTO_SEC_NXDOMAIN,
		};
		return sensor_agg_add(d->nxd, &row, ts, d->seq);
	}
	return 0;
}

int
sensor_dns_process(struct sensor_dns *d, const uint8_t *msg, size_t len,
                   int64_t ts, bool cut)
{
	return process(d, msg, len, ts, cut, NULL, 0);
}

int
sensor_dns_process_zone(struct sensor_dns *d, const uint8_t *msg, size_t len,
                        int64_t ts, const uint8_t *zone, size_t zlen)
{
	if (zone == NULL || zlen == 0 || zlen > PROTO_NAME_MAX)
		return process(d, msg, len, ts, false, NULL, 0);
	return process(d, msg, len, ts, false, zone, zlen);
}
