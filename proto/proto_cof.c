/* proto_cof.c - the COF line of a row (the form pdns-sensor and pdns share). */
#include <string.h>

#include "proto/proto_cof.h"
#include "proto/proto_name.h"
#include "proto/proto_rrtype.h"

void
proto_cof_put_field(struct proto_buf *b, const char *key, const char *v,
                    size_t n)
{
	proto_buf_putc(b, '"');
	proto_buf_puts(b, key);
	proto_buf_puts(b, "\":\"");
	proto_buf_put_json(b, v, n);
	proto_buf_putc(b, '"');
}

static void
proto_cof_put_times(struct proto_buf *b, const struct proto_obs *r)
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
proto_cof_name(const uint8_t *wire, size_t len, char tmp[PROTO_NAME_TEXT_MAX])
{
	struct proto_buf nb;

	proto_buf_init(&nb, tmp, PROTO_NAME_TEXT_MAX);
	proto_name_format(wire, len, &nb);
	return nb.len;
}

void
proto_cof_format(struct proto_buf *b, const struct proto_obs *r)
{
	char tt[PROTO_RRTYPE_TEXT_MAX], name[PROTO_NAME_TEXT_MAX];
	const char *tn = proto_rrtype_name(r->rrtype, tt);
	const char *sec = proto_section_name(r->section);
	size_t nlen = proto_cof_name(r->name, r->name_len, name);

	proto_buf_putc(b, '{');
	if (r->section == PROTO_SEC_NXDOMAIN) {
		proto_cof_put_field(b, "qname", name, nlen);
		proto_buf_putc(b, ',');
		proto_cof_put_field(b, "qtype", tn, strlen(tn));
		proto_cof_put_times(b, r);
		proto_buf_puts(b, "}\n");
		return;
	}
	proto_cof_put_field(b, "rrname", name, nlen);
	proto_buf_putc(b, ',');
	proto_cof_put_field(b, "rrtype", tn, strlen(tn));
	proto_buf_putc(b, ',');
	proto_cof_put_field(b, "rdata", r->rdata, r->rdata_len);
	proto_cof_put_times(b, r);
	proto_buf_puts(b, ",\"section\":\"");
	/* A section outside the enum is a caller's bug; never print "(null)". */
	proto_buf_puts(b, sec != NULL ? sec : "unknown");
	proto_buf_putc(b, '"');
	if (r->bailiwick != NULL) {
		proto_buf_putc(b, ',');
		nlen = proto_cof_name(r->bailiwick, r->bailiwick_len, name);
		proto_cof_put_field(b, "bailiwick", name, nlen);
	}
	proto_buf_puts(b, "}\n");
}
