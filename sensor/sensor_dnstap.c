/*
 * sensor_dnstap.c - dnstap frames to DNS responses for the pipeline.
 *
 * A frame is first walked as protobuf wire format, only far enough to find
 * Message.type (field 14, then field 1). Messages whose type is not kept
 * are dropped there, so the query, the client addresses and the DNS
 * messages of CLIENT_* frames are never decoded. Kept frames are decoded
 * with protobuf-c, which must agree on the type; anything inconsistent
 * counts as malformed and yields nothing.
 */
#include <string.h>
#include <time.h>

#include <dnstap.pb-c.h>

#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "sensor/sensor_dnstap.h"
#include "sensor/sensor_fstrm.h"
#include "sensor/sensor_run.h"

#define DNS_MAX 65535
/* Protobuf field numbers and wire types used by the walk. */
#define F_DNSTAP_MESSAGE 14
#define F_MESSAGE_TYPE 1
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

int
sensor_dnstap_parse_types(const char *text, unsigned *out)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "resolver", SENSOR_DNSTAP_RESOLVER },
		{ "forwarder", SENSOR_DNSTAP_FORWARDER },
		{ "auth", SENSOR_DNSTAP_AUTH },
	};
	unsigned bits = 0;
	const char *p = text;

	for (;;) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return PROTO_EINVAL;
		bits |= names[i].bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*out = bits;
	return 0;
}

static bool
varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p == end)
			return false;
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*v = r;
			return true;
		}
	}
	return false; /* over 10 octets */
}

/*
 * Walk one field's key at *p; on success *field, *wt and, for WT_LEN, the
 * payload [*val, *val + *vlen) (other values are skipped; *num holds a
 * varint's value).
 */
static bool
field(const uint8_t **p, const uint8_t *end, uint64_t *fieldno, unsigned *wt,
      const uint8_t **val, size_t *vlen, uint64_t *num)
{
	uint64_t key, n;

	if (!varint(p, end, &key) || (key >> 3) == 0)
		return false;
	*fieldno = key >> 3;
	*wt = (unsigned)(key & 7);
	switch (*wt) {
	case WT_VARINT:
		return varint(p, end, num);
	case WT_I64:
		if (end - *p < 8)
			return false;
		*p += 8;
		return true;
	case WT_I32:
		if (end - *p < 4)
			return false;
		*p += 4;
		return true;
	case WT_LEN:
		if (!varint(p, end, &n) || n > (uint64_t)(end - *p))
			return false;
		*val = *p;
		*vlen = (size_t)n;
		*p += n;
		return true;
	default:
		return false; /* groups are not in the schema */
	}
}

/*
 * The Message.type a frame carries, as protobuf would read it (the last
 * value wins, repeated embedded messages merge); 0 without a Message; -1
 * when the wire format is broken.
 */
static int64_t
peek_type(const uint8_t *data, size_t len)
{
	const uint8_t *p = data, *end = data + len, *val = NULL;
	uint64_t f, num = 0;
	size_t vlen = 0;
	unsigned wt;
	int64_t type = 0;

	while (p < end) {
		if (!field(&p, end, &f, &wt, &val, &vlen, &num))
			return -1;
		if (f != F_DNSTAP_MESSAGE)
			continue;
		if (wt != WT_LEN)
			return -1;
		const uint8_t *q = val, *qend = val + vlen;
		while (q < qend) {
			const uint8_t *v2 = NULL;
			size_t v2len = 0;
			if (!field(&q, qend, &f, &wt, &v2, &v2len, &num))
				return -1;
			if (f == F_MESSAGE_TYPE) {
				if (wt != WT_VARINT)
					return -1;
				type = num > 1000 ? 1000 : (int64_t)num;
			}
		}
	}
	return type;
}

/* The kept-type bit of a Message.Type, 0 when the type is never kept. */
static unsigned
type_bit(int64_t type)
{
	switch (type) {
	case DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE: return SENSOR_DNSTAP_RESOLVER;
	case DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE: return SENSOR_DNSTAP_FORWARDER;
	case DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE: return SENSOR_DNSTAP_AUTH;
	default: return 0;
	}
}

/* A decoded, kept message to the pipeline. */
static int
deliver(const Dnstap__Message *m, struct sensor_stats *st, sensor_dnstap_fn fn,
        void *arg)
{
	uint8_t zone[PROTO_NAME_MAX];
	struct sensor_dnstap_msg out = { 0 };

	if (!m->has_response_message || !m->has_response_time_sec) {
		SENSOR_STAT_INC(st, dnstap_empty);
		return 0;
	}
	if (m->response_message.len > DNS_MAX || m->response_time_sec > INT64_MAX) {
		SENSOR_STAT_INC(st, dnstap_malformed);
		return 0;
	}
	if (m->has_query_zone && m->query_zone.len != 0) {
		size_t pos = 0, zlen;
		if (proto_name_unpack(m->query_zone.data, m->query_zone.len, &pos, zone,
		                      &zlen, false) != 0 || pos != m->query_zone.len) {
			SENSOR_STAT_INC(st, dnstap_malformed);
			return 0;
		}
		out.zone = zone;
		out.zlen = zlen;
	}
	out.dns = m->response_message.data;
	out.len = m->response_message.len;
	out.sec = (int64_t)m->response_time_sec;
	out.nsec = m->has_response_time_nsec ? m->response_time_nsec : 0;
	return fn(arg, &out);
}

int
sensor_dnstap_frame(const uint8_t *data, size_t len, unsigned types,
                    struct sensor_stats *st, sensor_dnstap_fn fn, void *arg)
{
	int64_t type = peek_type(data, len);
	int err = 0;

	SENSOR_STAT_INC(st, dnstap_frames);
	if (type < 0) {
		SENSOR_STAT_INC(st, dnstap_malformed);
		return 0;
	}
	if (type == DNSTAP__MESSAGE__TYPE__CLIENT_QUERY ||
	    type == DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE) {
		SENSOR_STAT_INC(st, dnstap_client);
		return 0;
	}
	unsigned bit = type_bit(type);
	if ((bit & (types ? types : SENSOR_DNSTAP_DEFAULT)) == 0) {
		SENSOR_STAT_INC(st, dnstap_other);
		return 0;
	}

	Dnstap__Dnstap *d = dnstap__dnstap__unpack(NULL, len, data);
	if (d == NULL || d->type != DNSTAP__DNSTAP__TYPE__MESSAGE || d->message == NULL ||
	    (int64_t)d->message->type != type) {
		SENSOR_STAT_INC(st, dnstap_malformed);
	} else {
		if (bit == SENSOR_DNSTAP_RESOLVER)
			SENSOR_STAT_INC(st, dnstap_resolver);
		else if (bit == SENSOR_DNSTAP_FORWARDER)
			SENSOR_STAT_INC(st, dnstap_forwarder);
		else
			SENSOR_STAT_INC(st, dnstap_auth);
		err = deliver(d->message, st, fn, arg);
	}
	if (d != NULL)
		dnstap__dnstap__free_unpacked(d, NULL);
	return err;
}

/* ---- wiring into a run ---- */

struct glue {
	struct sensor_run *run;
	unsigned types;
	int flush_interval;
	time_t next_flush;
};

static int
to_run(void *arg, const struct sensor_dnstap_msg *m)
{
	struct glue *g = arg;
	return sensor_run_message(g->run, m->dns, m->len, m->sec, m->zone, m->zlen);
}

static int
frame_to_run(void *arg, const uint8_t *data, size_t len)
{
	struct glue *g = arg;
	return sensor_dnstap_frame(data, len, g->types, sensor_run_counters(g->run),
	                           to_run, g);
}

int
sensor_dnstap_run_file(struct sensor_run *r, const char *path, unsigned types,
                       char *why, size_t whylen)
{
	struct glue g = { .run = r, .types = types };
	return sensor_fstrm_file(path, SENSOR_DNSTAP_CONTENT_TYPE, SENSOR_DNSTAP_MAX_FRAME,
	                         sensor_run_counters(r), frame_to_run, &g, why, whylen);
}

/* Live: flush held rows every flush_interval seconds, as live capture does. */
static int
tick(void *arg)
{
	struct glue *g = arg;
	time_t now = time(NULL);

	if (now < g->next_flush)
		return 0;
	g->next_flush = now + g->flush_interval;
	return sensor_run_flush(g->run);
}

int
sensor_dnstap_run_live(struct sensor_run *r, const struct sensor_dnstap_cfg *c,
                       char *why, size_t whylen)
{
	struct glue g = { .run = r, .types = c->types,
	                  .flush_interval = c->flush_interval > 0 ? c->flush_interval : 60 };
	struct sensor_fstrm_server_cfg sc = {
		.unix_path = c->unix_path,
		.tcp = c->tcp,
		.content_type = SENSOR_DNSTAP_CONTENT_TYPE,
		.max_frame = SENSOR_DNSTAP_MAX_FRAME,
		.max_conns = 64,
	};

	g.next_flush = time(NULL) + g.flush_interval;
	int err = sensor_fstrm_serve(&sc, sensor_run_counters(r), frame_to_run, tick,
	                             sensor_run_stopping, &g, why, whylen);
	if (err != 0 && why[0] == '\0')
		snprintf(why, whylen, "%s", proto_strerror(err));
	return err;
}
