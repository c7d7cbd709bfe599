/*
 * proto_rdata_loc.c - rdata text of LOC (RFC 1876) as dig prints it:
 * latitude and longitude in degrees, minutes and seconds, altitude in
 * metres, then size and the two precisions.
 *
 * Split out of proto_rdata.c to keep files small; the rules are the ones
 * stated there and the shared reader and helpers are in
 * proto_rdata_impl.h.
 */
#include <stdbool.h>

#include "proto/proto_err.h"
#include "proto/proto_rdata_impl.h"
#include "proto/proto_wire.h"

/* Powers of ten for LOC sizes, indexed by the exponent. */
static const uint32_t rd_pow10[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

/*
 * A LOC size or precision: mantissa and exponent each 0..9, and a zero
 * mantissa only in the all-zero byte. Metres when the value is whole
 * (exponent >= 2), otherwise 0.CCm.
 */
static int
rd_loc_prec(struct rd *r, uint8_t v)
{
	unsigned m = v >> 4;
	unsigned e = v & 15;

	if (m > 9 || e > 9 || (m == 0 && e != 0))
		return PROTO_ERDATA;
	if (e >= 2) {
		rd_u(r, (uint64_t)m * rd_pow10[e - 2]);
	} else {
		char d[2];
		proto_buf_put(r->out, "0.", 2);
		rd_put_digits(d, m * rd_pow10[e], 2);
		proto_buf_put(r->out, d, 2);
	}
	proto_buf_putc(r->out, 'm');
	return 0;
}

/* Degrees, minutes, seconds.milliseconds and hemisphere of a LOC angle. */
static void
rd_loc_angle(struct rd *r, uint32_t v, char pos, char neg)
{
	bool positive = v >= 0x80000000u;
	uint32_t a = positive ? v - 0x80000000u : 0x80000000u - v;
	char ms[4] = { '.', 0, 0, 0 };

	rd_u(r, a / 3600000);
	rd_sp(r);
	rd_u(r, a / 60000 % 60);
	rd_sp(r);
	rd_u(r, a / 1000 % 60);
	rd_put_digits(ms + 1, a % 1000, 3);
	proto_buf_put(r->out, ms, 4);
	rd_sp(r);
	proto_buf_putc(r->out, positive ? pos : neg);
}

/*
 * LOC version 0 (RFC 1876). Another version is data BIND does not
 * understand but keeps, printing it in the generic form.
 */
int
proto_rdata_loc_format(struct rd *r, size_t rdlen)
{
	const uint8_t *p;
	uint32_t lat, lon, alt;
	char cm[4] = { '.', 0, 0, 'm' };
	int err;

	if (rdlen == 0)
		return PROTO_ERDATA;
	if (r->w.buf[r->w.pos] != 0)
		return rd_generic(r, rdlen);
	if (rdlen != 16)
		return PROTO_ERDATA;
	p = wire_take(&r->w, 4);
	lat = wire_u32(&r->w);
	lon = wire_u32(&r->w);
	alt = wire_u32(&r->w);
	if (lat < 0x80000000u - 90u * 3600000u ||
	    lat > 0x80000000u + 90u * 3600000u ||
	    lon < 0x80000000u - 180u * 3600000u ||
	    lon > 0x80000000u + 180u * 3600000u)
		return PROTO_ERDATA;
	rd_loc_angle(r, lat, 'N', 'S');
	rd_sp(r);
	rd_loc_angle(r, lon, 'E', 'W');
	rd_sp(r);
	/* Altitude is centimetres above a base 100 km below the spheroid. */
	if (alt < 10000000u) {
		proto_buf_putc(r->out, '-');
		alt = 10000000u - alt;
	} else {
		alt -= 10000000u;
	}
	rd_u(r, alt / 100);
	rd_put_digits(cm + 1, alt % 100, 2);
	proto_buf_put(r->out, cm, 4);
	for (int i = 1; i < 4; i++) {
		rd_sp(r);
		if ((err = rd_loc_prec(r, p[i])) != 0)
			return err;
	}
	return rd_finish(r);
}
