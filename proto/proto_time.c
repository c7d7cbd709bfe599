/*
 * proto_time.c - time fences as users type them, and ISO text.
 *
 * The calendar conversions are Howard Hinnant's days_from_civil and
 * civil_from_days: exact for the proleptic Gregorian calendar, branch-light
 * and free of the TZ environment that timegm/gmtime_r would consult.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "proto/proto_err.h"
#include "proto/proto_time.h"

static bool
proto_time_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n digits at *p (advanced past them) into *v. */
static bool
proto_time_digits(const char **p, int n, int *v)
{
	int r = 0;

	for (int i = 0; i < n; i++) {
		if (!proto_time_is_digit((*p)[i]))
			return false;
		r = r * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = r;
	return true;
}

/* One or more digits at *p into *v without overflowing int64_t. */
static bool
proto_time_number(const char **p, int64_t *v)
{
	const char *s = *p;
	int64_t r = 0;

	if (!proto_time_is_digit(*s))
		return false;
	for (; proto_time_is_digit(*s); s++) {
		int d = *s - '0';
		if (r > (INT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	*p = s;
	*v = r;
	return true;
}

static bool
proto_time_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
proto_time_month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && proto_time_is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
static int64_t
proto_time_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
proto_time_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * dnsdbq's relative form: %dw%dd%dh%dm%ds, each unit at most once and in
 * that order, so "1d1d" or "1h1d" (most likely typos) are refused.
 */
static int
proto_time_units(const char *s, int64_t *out)
{
	static const char units[] = "wdhms";
	static const int64_t secs[] = { 604800, 86400, 3600, 60, 1 };
	int next = 0; /* index of the first unit still allowed */
	int64_t total = 0;

	if (*s == '\0')
		return PROTO_EINVAL;
	while (*s != '\0') {
		int64_t v;
		int u;
		char c;

		if (!proto_time_number(&s, &v))
			return PROTO_EINVAL;
		c = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
		for (u = next; u < 5 && units[u] != c; u++)
			;
		if (c == '\0' || u == 5)
			return PROTO_EINVAL; /* no unit, an unknown one, or out of order */
		s++;
		next = u + 1;
		if (v > INT64_MAX / secs[u] || total > INT64_MAX - v * secs[u])
			return PROTO_EINVAL;
		total += v * secs[u];
	}
	*out = total;
	return 0;
}

/* YYYY-MM-DD[(T| )HH:MM:SS[.frac][Z|(+|-)HH[[:]MM]]] */
static int
proto_time_iso(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;

	if (!proto_time_digits(&s, 4, &y) || *s++ != '-' ||
	    !proto_time_digits(&s, 2, &mo) || *s++ != '-' ||
	    !proto_time_digits(&s, 2, &d))
		return PROTO_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > proto_time_month_days(y, mo))
		return PROTO_EINVAL;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!proto_time_digits(&s, 2, &h) || *s++ != ':' ||
		    !proto_time_digits(&s, 2, &mi) || *s++ != ':' ||
		    !proto_time_digits(&s, 2, &sec))
			return PROTO_EINVAL;
		if (h > 23 || mi > 59 || sec > 59)
			return PROTO_EINVAL;
		if (*s == '.') {
			s++;
			if (!proto_time_is_digit(*s))
				return PROTO_EINVAL;
			while (proto_time_is_digit(*s))
				s++;
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '+' ? 1 : -1;
			if (!proto_time_digits(&s, 2, &oh))
				return PROTO_EINVAL;
			if (*s == ':') {
				s++;
				if (!proto_time_digits(&s, 2, &om))
					return PROTO_EINVAL;
			} else if (proto_time_is_digit(*s) &&
			           !proto_time_digits(&s, 2, &om)) {
				return PROTO_EINVAL;
			}
			if (oh > 23 || om > 59)
				return PROTO_EINVAL;
		}
	}
	if (*s != '\0')
		return PROTO_EINVAL;
	/* Four-digit years keep every term far from int64_t's limits. */
	*out = proto_time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	       sec - sign * (oh * 3600 + om * 60);
	return 0;
}

int
proto_time_parse(const char *text, int64_t now, int64_t *out)
{
	const char *s = text;
	int64_t v, rel;
	int err;

	if (text == NULL || *text == '\0')
		return PROTO_EINVAL;
	if (*s == '-') {
		s++;
		if (proto_time_number(&s, &v) && *s == '\0') {
			rel = v; /* -SECONDS */
		} else if ((err = proto_time_units(text + 1, &rel)) != 0) {
			return err;
		}
	} else {
		if (proto_time_number(&s, &v) && *s == '\0') {
			*out = v; /* epoch seconds */
			return 0;
		}
		if (proto_time_is_digit(text[0]) && proto_time_is_digit(text[1]) &&
		    proto_time_is_digit(text[2]) && proto_time_is_digit(text[3]) &&
		    text[4] == '-')
			return proto_time_iso(text, out);
		if ((err = proto_time_units(text, &rel)) != 0)
			return err;
	}
	if (now < INT64_MIN + rel)
		return PROTO_EINVAL;
	*out = now - rel;
	return 0;
}

void
proto_time_format_iso(int64_t t, char out[PROTO_TIME_TEXT_MAX])
{
	int64_t days = t / 86400, secs = t % 86400, y;
	int m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	proto_time_civil_from_days(days, &y, &m, &d);
	snprintf(out, PROTO_TIME_TEXT_MAX, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d",
	         y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
