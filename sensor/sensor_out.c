/* sensor_out.c - COF and passivedns presentation of aggregated rows. */
#include <errno.h>
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "sensor/sensor_out.h"

/* A row's text: rdata, two names and fixed fields, with JSON escapes. */
static char line[2 * PROTO_RDATA_TEXT_MAX + 8192];

void
sensor_out_init(struct sensor_out *o, FILE *f, enum sensor_format fmt)
{
	o->f = f;
	o->fmt = fmt;
	o->rows = 0;
	o->err = 0;
}

static void
put_json_field(struct proto_buf *b, const char *key, const char *v, size_t n)
{
	proto_buf_putc(b, '"');
	proto_buf_puts(b, key);
	proto_buf_puts(b, "\":\"");
	proto_buf_put_json(b, v, n);
	proto_buf_putc(b, '"');
}

static void
put_times(struct proto_buf *b, const struct proto_obs *r)
{
	proto_buf_puts(b, ",\"time_first\":");
	proto_buf_put_i64(b, r->time_first);
	proto_buf_puts(b, ",\"time_last\":");
	proto_buf_put_i64(b, r->time_last);
	proto_buf_puts(b, ",\"count\":");
	proto_buf_put_u64(b, r->count);
}

/* Text of a wire name into tmp; returns its length. */
static size_t
name_text(const uint8_t *wire, size_t len, char tmp[PROTO_NAME_TEXT_MAX])
{
	struct proto_buf nb;

	proto_buf_init(&nb, tmp, PROTO_NAME_TEXT_MAX);
	proto_name_format(wire, len, &nb);
	return nb.len;
}

static void
format_cof(struct proto_buf *b, const struct proto_obs *r)
{
	char tt[PROTO_RRTYPE_TEXT_MAX], name[PROTO_NAME_TEXT_MAX];
	const char *tn = proto_rrtype_name(r->rrtype, tt);
	size_t nlen = name_text(r->name, r->name_len, name);

	if (r->section == PROTO_SEC_NXDOMAIN) {
		proto_buf_putc(b, '{');
		put_json_field(b, "qname", name, nlen);
		proto_buf_putc(b, ',');
		put_json_field(b, "qtype", tn, strlen(tn));
		put_times(b, r);
		proto_buf_puts(b, "}\n");
		return;
	}
	proto_buf_putc(b, '{');
	put_json_field(b, "rrname", name, nlen);
	proto_buf_putc(b, ',');
	put_json_field(b, "rrtype", tn, strlen(tn));
	proto_buf_putc(b, ',');
	put_json_field(b, "rdata", r->rdata, r->rdata_len);
	put_times(b, r);
	proto_buf_puts(b, ",\"section\":\"");
	proto_buf_puts(b, proto_section_name(r->section));
	proto_buf_putc(b, '"');
	if (r->bailiwick != NULL) {
		proto_buf_putc(b, ',');
		nlen = name_text(r->bailiwick, r->bailiwick_len, name);
		put_json_field(b, "bailiwick", name, nlen);
	}
	proto_buf_puts(b, "}\n");
}

/* gamelinux/passivedns default fields: ts||client||server||class||query||type||answer||ttl||count */
static void
format_passivedns(struct proto_buf *b, const struct proto_obs *r)
{
	char tt[PROTO_RRTYPE_TEXT_MAX];
	bool root = r->name_len == 1; /* the root's wire form is one zero octet */

	proto_buf_put_i64(b, r->time_last);
	proto_buf_puts(b, ".000000||0.0.0.0||0.0.0.0||IN||");
	proto_name_format(r->name, r->name_len, b);
	if (!root)
		proto_buf_putc(b, '.');
	proto_buf_puts(b, "||");
	proto_buf_puts(b, proto_rrtype_name(r->rrtype, tt));
	proto_buf_puts(b, "||");
	if (r->section == PROTO_SEC_NXDOMAIN)
		proto_buf_puts(b, "NXDOMAIN");
	else
		proto_buf_put(b, r->rdata, r->rdata_len);
	proto_buf_puts(b, "||0||");
	proto_buf_put_u64(b, r->count);
	proto_buf_putc(b, '\n');
}

int
sensor_out_row(void *arg, const struct proto_obs *row)
{
	struct sensor_out *o = arg;
	struct proto_buf b;

	proto_buf_init(&b, line, sizeof(line));
	if (o->fmt == SENSOR_FMT_PASSIVEDNS)
		format_passivedns(&b, row);
	else
		format_cof(&b, row);
	if (b.err != 0)
		return b.err; /* cannot happen: line is sized for the worst row */
	if (fwrite(b.data, 1, b.len, o->f) != b.len) {
		if (o->err == 0)
			o->err = errno;
		return PROTO_EIO;
	}
	o->rows++;
	return 0;
}

int
sensor_out_flush(void *arg)
{
	struct sensor_out *o = arg;

	if (fflush(o->f) != 0 && o->err == 0)
		o->err = errno;
	return o->err != 0 ? PROTO_EIO : 0;
}
