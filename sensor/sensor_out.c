/* sensor_out.c - COF and passivedns presentation of aggregated rows. */
#include <errno.h>
#include <string.h>

#include "proto/proto_buf.h"
#include "proto/proto_cof.h"
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
		proto_cof_format(&b, row);
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
