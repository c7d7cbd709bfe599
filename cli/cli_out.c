/*
 * cli_out.c - the -p formats and summarize.
 *
 * Each row (or each rdata of an rrset group) is formatted into one bounded
 * buffer and handed to stdio, so a row is never half-written by us and an
 * rrset with thousands of rdata needs no buffer of its own size.
 *
 * With sources, the json line is still proto_cof_format's (so it stays
 * byte for byte pdns-sensor's COF up to the count) and is spliced: the
 * count becomes null when unknown and the sources go before the brace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_out.h"
#include "proto/proto_cof.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_rdata.h"
#include "proto/proto_rrtype.h"
#include "proto/proto_time.h"

/* The worst field is canonical rdata with every byte escaped to 6 (xml). */
static char cli_out_line[6 * PROTO_RDATA_TEXT_MAX + 8 * PROTO_NAME_TEXT_MAX];
/* One COF line before it is spliced (proto_cof.h's bound). */
static char cli_out_cof[2 * PROTO_RDATA_TEXT_MAX + 8192];
/* A row's source names, for text, csv and tsv. */
static char cli_out_names[16384];

struct cli_out_w {
	FILE *f;
	struct proto_buf b;
	int err;
};

static void
cli_out_w_init(struct cli_out_w *w, FILE *f)
{
	w->f = f;
	w->err = 0;
	proto_buf_init(&w->b, cli_out_line, sizeof(cli_out_line));
}

/* Hand what the buffer holds to stdio and empty it. */
static void
cli_out_flush(struct cli_out_w *w)
{
	if (w->err == 0 && w->b.err != 0)
		w->err = w->b.err;
	if (w->err == 0 && w->b.len > 0 &&
	    fwrite(w->b.data, 1, w->b.len, w->f) != w->b.len)
		w->err = PROTO_EIO;
	proto_buf_reset(&w->b);
}

static int
cli_out_done(struct cli_out_w *w)
{
	cli_out_flush(w);
	if (w->err == 0 && fflush(w->f) != 0)
		w->err = PROTO_EIO;
	return w->err;
}

int
cli_out_format_parse(const char *text, enum cli_format *fmt)
{
	static const char *const names[] = {
		[CLI_FMT_TEXT] = "text", [CLI_FMT_JSON] = "json",
		[CLI_FMT_CSV] = "csv", [CLI_FMT_TSV] = "tsv",
		[CLI_FMT_RRSET] = "rrset", [CLI_FMT_XML] = "xml",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*fmt = (enum cli_format)i;
			return 0;
		}
	}
	return PROTO_EINVAL;
}

/* A name as dnsdbq prints it: dig's text with the trailing dot. */
static void
cli_out_name_dot(struct proto_buf *b, const uint8_t *wire, size_t len)
{
	proto_name_format(wire, len, b);
	if (len > 1) /* the root is "." already */
		proto_buf_putc(b, '.');
}

/* A name into tmp, with or without the trailing dot; returns its length. */
static size_t
cli_out_name_text(const uint8_t *wire, size_t len, bool dot,
                  char tmp[PROTO_NAME_TEXT_MAX + 1])
{
	struct proto_buf nb;

	proto_buf_init(&nb, tmp, PROTO_NAME_TEXT_MAX + 1);
	if (dot)
		cli_out_name_dot(&nb, wire, len);
	else
		proto_name_format(wire, len, &nb);
	return nb.len;
}

static void
cli_out_time(struct proto_buf *b, int64_t t)
{
	char iso[PROTO_TIME_TEXT_MAX];

	proto_time_format_iso(t, iso);
	proto_buf_puts(b, iso);
}

static const char *
cli_out_type(uint16_t type, char tmp[PROTO_RRTYPE_TEXT_MAX])
{
	return proto_rrtype_name(type, tmp);
}

static const char *
cli_out_section(const struct proto_obs *o)
{
	const char *s = proto_section_name(o->section);

	return s != NULL ? s : "unknown";
}

/* Row i's source names, ", " between them, into cli_out_names. */
static size_t
cli_out_src_names(const struct cli_rows *r, size_t i)
{
	struct proto_buf nb;
	struct cli_src src;
	size_t it = 0;

	proto_buf_init(&nb, cli_out_names, sizeof(cli_out_names));
	while (cli_rows_src_next(r, i, &it, &src)) {
		if (nb.len > 0)
			proto_buf_puts(&nb, ", ");
		proto_buf_puts(&nb, src.origin);
	}
	return nb.err == 0 ? nb.len : 0;
}

/* A count, or `unknown` when row i's is not known and sources are shown. */
static void
cli_out_count(struct proto_buf *b, const struct cli_rows *r, size_t i, unsigned flags,
              const char *unknown)
{
	if ((flags & CLI_OUT_SOURCES) && !cli_rows_count_known(r, i))
		proto_buf_puts(b, unknown);
	else
		proto_buf_put_u64(b, cli_rows_get(r, i)->count);
}

/* text: one dnsdbq block per row. */
static void
cli_out_text_row(struct proto_buf *b, const struct cli_rows *r, size_t i, unsigned flags)
{
	const struct proto_obs *o = cli_rows_get(r, i);
	char tt[PROTO_RRTYPE_TEXT_MAX];

	proto_buf_puts(b, ";; record times: ");
	cli_out_time(b, o->time_first);
	proto_buf_puts(b, " .. ");
	cli_out_time(b, o->time_last);
	proto_buf_puts(b, "\n;; count: ");
	cli_out_count(b, r, i, flags, "unknown");
	if (o->bailiwick != NULL) {
		proto_buf_puts(b, "; bailiwick: ");
		cli_out_name_dot(b, o->bailiwick, o->bailiwick_len);
	}
	proto_buf_putc(b, '\n');
	if (flags & CLI_OUT_SOURCES) {
		proto_buf_puts(b, ";; sources: ");
		proto_buf_put(b, cli_out_names, cli_out_src_names(r, i));
		proto_buf_putc(b, '\n');
	}
	if (o->section != PROTO_SEC_ANSWER && o->section != PROTO_SEC_NXDOMAIN) {
		proto_buf_puts(b, ";; section: ");
		proto_buf_puts(b, cli_out_section(o));
		proto_buf_putc(b, '\n');
	}
	cli_out_name_dot(b, o->name, o->name_len);
	proto_buf_puts(b, "  ");
	proto_buf_puts(b, cli_out_type(o->rrtype, tt));
	proto_buf_puts(b, "  ");
	if (o->section == PROTO_SEC_NXDOMAIN)
		proto_buf_puts(b, "NXDOMAIN");
	else
		proto_buf_put(b, o->rdata, o->rdata_len);
	proto_buf_puts(b, "\n\n");
}

/* One csv or tsv field. */
static void
cli_out_sv_field(struct proto_buf *b, const char *s, size_t n, char sep)
{
	if (sep == '\t') {
		/* Our text never holds these; escape them anyway so a row is a line. */
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '\t')
				proto_buf_puts(b, "\\t");
			else if (s[i] == '\n')
				proto_buf_puts(b, "\\n");
			else if (s[i] == '\r')
				proto_buf_puts(b, "\\r");
			else
				proto_buf_putc(b, s[i]);
		}
		return;
	}
	if (memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL &&
	    memchr(s, '\n', n) == NULL && memchr(s, '\r', n) == NULL) {
		proto_buf_put(b, s, n);
		return;
	}
	proto_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			proto_buf_putc(b, '"');
		proto_buf_putc(b, s[i]);
	}
	proto_buf_putc(b, '"');
}

static void
cli_out_sv_header(struct proto_buf *b, char sep, unsigned flags)
{
	static const char *const cols[] = { "time_first", "time_last", "count",
	                                    "bailiwick", "rrname", "rrtype",
	                                    "rdata", "section" };

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (i > 0)
			proto_buf_putc(b, sep);
		proto_buf_puts(b, cols[i]);
	}
	if (flags & CLI_OUT_SOURCES) {
		proto_buf_putc(b, sep);
		proto_buf_puts(b, "sources");
	}
	proto_buf_putc(b, '\n');
}

static void
cli_out_sv_row(struct proto_buf *b, const struct cli_rows *r, size_t i, unsigned flags,
               char sep)
{
	const struct proto_obs *o = cli_rows_get(r, i);
	char tt[PROTO_RRTYPE_TEXT_MAX], name[PROTO_NAME_TEXT_MAX + 1];
	const char *tn = cli_out_type(o->rrtype, tt), *sec = cli_out_section(o);
	size_t n;

	cli_out_time(b, o->time_first);
	proto_buf_putc(b, sep);
	cli_out_time(b, o->time_last);
	proto_buf_putc(b, sep);
	cli_out_count(b, r, i, flags, "");
	proto_buf_putc(b, sep);
	if (o->bailiwick != NULL) {
		n = cli_out_name_text(o->bailiwick, o->bailiwick_len, true, name);
		cli_out_sv_field(b, name, n, sep);
	}
	proto_buf_putc(b, sep);
	n = cli_out_name_text(o->name, o->name_len, true, name);
	cli_out_sv_field(b, name, n, sep);
	proto_buf_putc(b, sep);
	proto_buf_puts(b, tn);
	proto_buf_putc(b, sep);
	if (o->section != PROTO_SEC_NXDOMAIN)
		cli_out_sv_field(b, o->rdata, o->rdata_len, sep);
	proto_buf_putc(b, sep);
	proto_buf_puts(b, sec);
	if (flags & CLI_OUT_SOURCES) {
		proto_buf_putc(b, sep);
		cli_out_sv_field(b, cli_out_names, cli_out_src_names(r, i), sep);
	}
	proto_buf_putc(b, '\n');
}

/*
 * XML text: the five entities, and any byte outside printable ASCII as
 * dig's \DDD, because XML 1.0 cannot carry most control characters at all
 * and canonical text never holds them anyway.
 */
static void
cli_out_xml_text(struct proto_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': proto_buf_puts(b, "&amp;"); break;
		case '<': proto_buf_puts(b, "&lt;"); break;
		case '>': proto_buf_puts(b, "&gt;"); break;
		case '"': proto_buf_puts(b, "&quot;"); break;
		case '\'': proto_buf_puts(b, "&apos;"); break;
		default:
			if (c < 0x20 || c >= 0x7f) {
				char e[4] = { '\\', (char)('0' + c / 100),
				              (char)('0' + c / 10 % 10), (char)('0' + c % 10) };
				proto_buf_put(b, e, sizeof(e));
			} else {
				proto_buf_putc(b, (char)c);
			}
		}
	}
}

static void
cli_out_xml_elem(struct proto_buf *b, const char *tag, const char *s, size_t n)
{
	proto_buf_putc(b, '<');
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
	cli_out_xml_text(b, s, n);
	proto_buf_puts(b, "</");
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
}

static void
cli_out_xml_i64(struct proto_buf *b, const char *tag, int64_t v)
{
	proto_buf_putc(b, '<');
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
	proto_buf_put_i64(b, v);
	proto_buf_puts(b, "</");
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
}

static void
cli_out_xml_u64(struct proto_buf *b, const char *tag, uint64_t v)
{
	proto_buf_putc(b, '<');
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
	proto_buf_put_u64(b, v);
	proto_buf_puts(b, "</");
	proto_buf_puts(b, tag);
	proto_buf_putc(b, '>');
}

static void
cli_out_xml_sources(struct proto_buf *b, const struct cli_rows *r, size_t i)
{
	struct cli_src src;
	size_t it = 0;

	proto_buf_puts(b, "<sources>");
	while (cli_rows_src_next(r, i, &it, &src)) {
		proto_buf_puts(b, "<source>");
		cli_out_xml_elem(b, "origin", src.origin, strlen(src.origin));
		cli_out_xml_i64(b, "time_first", src.time_first);
		cli_out_xml_i64(b, "time_last", src.time_last);
		if (src.has_count)
			cli_out_xml_u64(b, "count", src.count);
		proto_buf_puts(b, "</source>");
	}
	proto_buf_puts(b, "</sources>");
}

static void
cli_out_xml_row(struct proto_buf *b, const struct cli_rows *r, size_t i, unsigned flags)
{
	const struct proto_obs *o = cli_rows_get(r, i);
	char tt[PROTO_RRTYPE_TEXT_MAX], name[PROTO_NAME_TEXT_MAX + 1];
	const char *tn = cli_out_type(o->rrtype, tt), *sec = cli_out_section(o);
	bool nxd = o->section == PROTO_SEC_NXDOMAIN;
	size_t n = cli_out_name_text(o->name, o->name_len, false, name);

	proto_buf_puts(b, "  <result>");
	cli_out_xml_elem(b, nxd ? "qname" : "rrname", name, n);
	cli_out_xml_elem(b, nxd ? "qtype" : "rrtype", tn, strlen(tn));
	if (!nxd)
		cli_out_xml_elem(b, "rdata", o->rdata, o->rdata_len);
	cli_out_xml_i64(b, "time_first", o->time_first);
	cli_out_xml_i64(b, "time_last", o->time_last);
	if (!(flags & CLI_OUT_SOURCES) || cli_rows_count_known(r, i))
		cli_out_xml_u64(b, "count", o->count);
	if (!nxd) {
		cli_out_xml_elem(b, "section", sec, strlen(sec));
		if (o->bailiwick != NULL) {
			n = cli_out_name_text(o->bailiwick, o->bailiwick_len, false, name);
			cli_out_xml_elem(b, "bailiwick", name, n);
		}
	}
	if (flags & CLI_OUT_SOURCES)
		cli_out_xml_sources(b, r, i);
	proto_buf_puts(b, "</result>\n");
}

static bool
cli_out_same_rrset(const struct proto_obs *a, const struct proto_obs *b)
{
	return a->rrtype == b->rrtype && a->name_len == b->name_len &&
	       memcmp(a->name, b->name, a->name_len) == 0 &&
	       (a->bailiwick == NULL) == (b->bailiwick == NULL) &&
	       (a->bailiwick == NULL ||
	        (a->bailiwick_len == b->bailiwick_len &&
	         memcmp(a->bailiwick, b->bailiwick, a->bailiwick_len) == 0));
}

static uint64_t
cli_out_rrset_hash(const struct proto_obs *o)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < o->name_len; i++)
		h = (h ^ o->name[i]) * 0x100000001b3ULL;
	h = (h ^ o->rrtype) * 0x100000001b3ULL;
	for (size_t i = 0; o->bailiwick != NULL && i < o->bailiwick_len; i++)
		h = (h ^ o->bailiwick[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * For rrset: next[i] links row i to the next row of its group (SIZE_MAX
 * ends it); lead[i] says whether row i starts a group. O(n) with a table
 * of group leaders.
 */
static int
cli_out_rrset_groups(const struct cli_rows *r, size_t *next, bool *lead)
{
	size_t n = cli_rows_count(r), ns = 16, *slot, *tail;

	while (ns < 2 * n)
		ns *= 2;
	slot = calloc(ns, sizeof(*slot));
	tail = calloc(n ? n : 1, sizeof(*tail));
	if (slot == NULL || tail == NULL) {
		free(slot);
		free(tail);
		return PROTO_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proto_obs *o = cli_rows_get(r, i);
		size_t k = (size_t)cli_out_rrset_hash(o) & (ns - 1);
		while (slot[k] != 0 && !cli_out_same_rrset(cli_rows_get(r, slot[k] - 1), o))
			k = (k + 1) & (ns - 1);
		next[i] = SIZE_MAX;
		if (slot[k] == 0) {
			slot[k] = i + 1;
			lead[i] = true;
			tail[i] = i;
		} else {
			size_t g = slot[k] - 1;
			lead[i] = false;
			next[tail[g]] = i;
			tail[g] = i;
		}
	}
	free(slot);
	free(tail);
	return 0;
}

/* One source as JSON: {"origin":..,"time_first":..,"time_last":..,"count":..}. */
static void
cli_out_src_json(struct proto_buf *b, const char *origin, int64_t tf, int64_t tl,
                 uint64_t count, bool has_count)
{
	proto_buf_putc(b, '{');
	proto_cof_put_field(b, "origin", origin, strlen(origin));
	proto_buf_puts(b, ",\"time_first\":");
	proto_buf_put_i64(b, tf);
	proto_buf_puts(b, ",\"time_last\":");
	proto_buf_put_i64(b, tl);
	proto_buf_puts(b, ",\"count\":");
	if (has_count)
		proto_buf_put_u64(b, count);
	else
		proto_buf_puts(b, "null");
	proto_buf_putc(b, '}');
}

/* json with sources: row i's COF line, its count spliced, sources appended. */
static void
cli_out_json_row(struct proto_buf *b, const struct cli_rows *r, size_t i)
{
	const struct proto_obs *o = cli_rows_get(r, i);
	struct proto_buf cb;
	const char *p, *q, *end;
	struct cli_src src;
	size_t it = 0;
	bool first = true;

	proto_buf_init(&cb, cli_out_cof, sizeof(cli_out_cof));
	proto_cof_format(&cb, o);
	/*
	 * Inside a JSON string every '"' is escaped, so the first `,"count":`
	 * is the key; the line ends "}\n".
	 */
	p = cb.err == 0 ? memmem(cb.data, cb.len, ",\"count\":", 9) : NULL;
	if (p == NULL || cb.len < 2) {
		if (b->err == 0)
			b->err = cb.err != 0 ? cb.err : PROTO_ESPACE;
		return;
	}
	p += 9;
	end = cb.data + cb.len - 2;
	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
		;
	proto_buf_put(b, cb.data, (size_t)(p - cb.data));
	if (cli_rows_count_known(r, i))
		proto_buf_put(b, p, (size_t)(q - p));
	else
		proto_buf_puts(b, "null");
	proto_buf_put(b, q, (size_t)(end - q));
	proto_buf_puts(b, ",\"sources\":[");
	while (cli_rows_src_next(r, i, &it, &src)) {
		if (!first)
			proto_buf_putc(b, ',');
		first = false;
		cli_out_src_json(b, src.origin, src.time_first, src.time_last, src.count,
		                 src.has_count);
	}
	proto_buf_puts(b, "]}\n");
}

/*
 * An rrset's sources: one entry per source id, summed over the group's
 * rows; `order` lists the ids in the order they first appear.
 */
struct cli_out_srcsum {
	struct cli_out_srcacc {
		int64_t tf, tl;
		uint64_t count;
		bool seen, has_count;
	} *acc;
	size_t *order, n;
};

static void
cli_out_srcsum_add(struct cli_out_srcsum *ss, const struct cli_rows *r, size_t j)
{
	struct cli_src src;
	size_t it = 0;

	while (cli_rows_src_next(r, j, &it, &src)) {
		struct cli_out_srcacc *a = &ss->acc[src.id];
		if (!a->seen) {
			*a = (struct cli_out_srcacc){ src.time_first, src.time_last, 0, true, false };
			ss->order[ss->n++] = src.id;
		}
		if (src.time_first != 0 && (a->tf == 0 || src.time_first < a->tf))
			a->tf = src.time_first;
		if (src.time_last > a->tl)
			a->tl = src.time_last;
		a->count = src.count > UINT64_MAX - a->count ? UINT64_MAX : a->count + src.count;
		a->has_count = a->has_count || src.has_count;
	}
}

/* ,"sources":[..] of a group, and the accumulators emptied for the next. */
static void
cli_out_srcsum_put(struct proto_buf *b, struct cli_out_srcsum *ss, const struct cli_rows *r)
{
	proto_buf_puts(b, ",\"sources\":[");
	for (size_t k = 0; k < ss->n; k++) {
		struct cli_out_srcacc *a = &ss->acc[ss->order[k]];
		if (k > 0)
			proto_buf_putc(b, ',');
		cli_out_src_json(b, cli_rows_source(r, ss->order[k]), a->tf, a->tl, a->count,
		                 a->has_count);
		a->seen = false;
	}
	proto_buf_putc(b, ']');
	ss->n = 0;
}

static void
cli_out_rrset_group(struct cli_out_w *w, const struct cli_rows *r, size_t i,
                    const size_t *next, struct cli_out_srcsum *ss)
{
	const struct proto_obs *o = cli_rows_get(r, i);
	struct proto_buf *b = &w->b;
	char tt[PROTO_RRTYPE_TEXT_MAX], name[PROTO_NAME_TEXT_MAX + 1];
	const char *tn = cli_out_type(o->rrtype, tt);
	int64_t tf = o->time_first, tl = o->time_last;
	uint64_t count = 0;
	bool known = false;
	size_t n = cli_out_name_text(o->name, o->name_len, true, name);

	proto_buf_putc(b, '{');
	proto_cof_put_field(b, "rrname", name, n);
	proto_buf_putc(b, ',');
	proto_cof_put_field(b, "rrtype", tn, strlen(tn));
	proto_buf_puts(b, ",\"rdata\":[");
	for (size_t j = i; j != SIZE_MAX; j = next[j]) {
		const struct proto_obs *m = cli_rows_get(r, j);
		if (j != i)
			proto_buf_putc(b, ',');
		proto_buf_putc(b, '"');
		proto_buf_put_json(b, m->rdata, m->rdata_len);
		proto_buf_putc(b, '"');
		cli_out_flush(w);
		if (m->time_first < tf)
			tf = m->time_first;
		if (m->time_last > tl)
			tl = m->time_last;
		count = m->count > UINT64_MAX - count ? UINT64_MAX : count + m->count;
		known = known || cli_rows_count_known(r, j);
		if (ss != NULL)
			cli_out_srcsum_add(ss, r, j);
	}
	proto_buf_puts(b, "],\"time_first\":");
	proto_buf_put_i64(b, tf);
	proto_buf_puts(b, ",\"time_last\":");
	proto_buf_put_i64(b, tl);
	proto_buf_puts(b, ",\"count\":");
	if (ss == NULL || known)
		proto_buf_put_u64(b, count);
	else
		proto_buf_puts(b, "null");
	if (o->bailiwick != NULL) {
		proto_buf_putc(b, ',');
		n = cli_out_name_text(o->bailiwick, o->bailiwick_len, true, name);
		proto_cof_put_field(b, "bailiwick", name, n);
	}
	if (ss != NULL)
		cli_out_srcsum_put(b, ss, r);
	proto_buf_puts(b, "}\n");
	cli_out_flush(w);
}

static int
cli_out_rrsets(struct cli_out_w *w, const struct cli_rows *r, unsigned flags)
{
	size_t n = cli_rows_count(r), *next = calloc(n ? n : 1, sizeof(*next));
	size_t ns = cli_rows_nsources(r);
	bool *lead = calloc(n ? n : 1, sizeof(*lead));
	struct cli_out_srcsum ss = { calloc(ns ? ns : 1, sizeof(*ss.acc)),
	                             calloc(ns ? ns : 1, sizeof(*ss.order)), 0 };
	int err = next != NULL && lead != NULL && ss.acc != NULL && ss.order != NULL ?
	          cli_out_rrset_groups(r, next, lead) : PROTO_ENOMEM;

	for (size_t i = 0; err == 0 && i < n && w->err == 0; i++) {
		const struct proto_obs *o = cli_rows_get(r, i);
		if (o->section == PROTO_SEC_NXDOMAIN) {
			if (flags & CLI_OUT_SOURCES)
				cli_out_json_row(&w->b, r, i);
			else
				proto_cof_format(&w->b, o);
			cli_out_flush(w);
		} else if (lead[i]) {
			cli_out_rrset_group(w, r, i, next, (flags & CLI_OUT_SOURCES) ? &ss : NULL);
		}
	}
	free(next);
	free(lead);
	free(ss.acc);
	free(ss.order);
	return err;
}

int
cli_out_rows(FILE *f, enum cli_format fmt, const struct cli_rows *r)
{
	return cli_out_print(f, fmt, r, 0);
}

int
cli_out_print(FILE *f, enum cli_format fmt, const struct cli_rows *r, unsigned flags)
{
	struct cli_out_w w;
	size_t n = cli_rows_count(r);
	int err;

	cli_out_w_init(&w, f);
	if (fmt == CLI_FMT_RRSET) {
		if ((err = cli_out_rrsets(&w, r, flags)) != 0)
			return err;
		return cli_out_done(&w);
	}
	if (fmt == CLI_FMT_CSV || fmt == CLI_FMT_TSV)
		cli_out_sv_header(&w.b, fmt == CLI_FMT_CSV ? ',' : '\t', flags);
	else if (fmt == CLI_FMT_XML)
		proto_buf_puts(&w.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results>\n");
	for (size_t i = 0; i < n && w.err == 0; i++) {
		switch (fmt) {
		case CLI_FMT_TEXT: cli_out_text_row(&w.b, r, i, flags); break;
		case CLI_FMT_CSV: cli_out_sv_row(&w.b, r, i, flags, ','); break;
		case CLI_FMT_TSV: cli_out_sv_row(&w.b, r, i, flags, '\t'); break;
		case CLI_FMT_XML: cli_out_xml_row(&w.b, r, i, flags); break;
		case CLI_FMT_JSON: case CLI_FMT_RRSET:
			if (flags & CLI_OUT_SOURCES)
				cli_out_json_row(&w.b, r, i);
			else
				proto_cof_format(&w.b, cli_rows_get(r, i));
			break;
		}
		cli_out_flush(&w);
	}
	if (fmt == CLI_FMT_XML)
		proto_buf_puts(&w.b, "</results>\n");
	return cli_out_done(&w);
}

int
cli_out_summary(FILE *f, enum cli_format fmt, const struct cli_rows *r)
{
	struct cli_out_w w;
	struct proto_buf *b = &w.b;
	size_t n = cli_rows_count(r);
	uint64_t count = 0;
	int64_t tf = INT64_MAX, tl = INT64_MIN;
	char sep = fmt == CLI_FMT_TSV ? '\t' : ',';

	cli_out_w_init(&w, f);
	for (size_t i = 0; i < n; i++) {
		const struct proto_obs *o = cli_rows_get(r, i);
		count = o->count > UINT64_MAX - count ? UINT64_MAX : count + o->count;
		if (o->time_first < tf)
			tf = o->time_first;
		if (o->time_last > tl)
			tl = o->time_last;
	}
	if (n == 0) {
		if (fmt == CLI_FMT_XML)
			proto_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			               "<summary><count>0</count><num_results>0</num_results>"
			               "</summary>\n");
		return cli_out_done(&w);
	}
	switch (fmt) {
	case CLI_FMT_JSON:
	case CLI_FMT_RRSET:
		proto_buf_puts(b, "{\"count\":");
		proto_buf_put_u64(b, count);
		proto_buf_puts(b, ",\"num_results\":");
		proto_buf_put_u64(b, n);
		proto_buf_puts(b, ",\"time_first\":");
		proto_buf_put_i64(b, tf);
		proto_buf_puts(b, ",\"time_last\":");
		proto_buf_put_i64(b, tl);
		proto_buf_puts(b, "}\n");
		break;
	case CLI_FMT_TEXT:
		proto_buf_puts(b, ";; count: ");
		proto_buf_put_u64(b, count);
		proto_buf_puts(b, "; num_results: ");
		proto_buf_put_u64(b, n);
		proto_buf_puts(b, "; first: ");
		cli_out_time(b, tf);
		proto_buf_puts(b, "; last: ");
		cli_out_time(b, tl);
		proto_buf_putc(b, '\n');
		break;
	case CLI_FMT_CSV:
	case CLI_FMT_TSV:
		proto_buf_puts(b, "count");
		proto_buf_putc(b, sep);
		proto_buf_puts(b, "num_results");
		proto_buf_putc(b, sep);
		proto_buf_puts(b, "time_first");
		proto_buf_putc(b, sep);
		proto_buf_puts(b, "time_last\n");
		proto_buf_put_u64(b, count);
		proto_buf_putc(b, sep);
		proto_buf_put_u64(b, n);
		proto_buf_putc(b, sep);
		cli_out_time(b, tf);
		proto_buf_putc(b, sep);
		cli_out_time(b, tl);
		proto_buf_putc(b, '\n');
		break;
	case CLI_FMT_XML:
		proto_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<summary>");
		cli_out_xml_u64(b, "count", count);
		cli_out_xml_u64(b, "num_results", n);
		cli_out_xml_i64(b, "time_first", tf);
		cli_out_xml_i64(b, "time_last", tl);
		proto_buf_puts(b, "</summary>\n");
		break;
	}
	return cli_out_done(&w);
}
