/* sensor_file.c - pcap and pcapng readers with bounded, checked records. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "proto/proto_err.h"
#include "sensor/sensor_file.h"
#include "sensor/sensor_pkt.h"

#define RD_BUF (1u << 20)
#define MAX_RECORD (1u << 24) /* pcapng blocks and pcap records: 16 MiB */
#define MAX_IFACES 256

struct rd {
	FILE *f;
	uint8_t *buf;
	size_t len, pos;
	uint64_t off; /* file offset of buf[pos] */
	bool eof;
	bool error;
	bool mapped;  /* buf is the whole file, mapped read-only */
	size_t released; /* mapped bytes before this were given back */
};

#define RELEASE_STEP (8u << 20)

/*
 * Make n contiguous bytes available at rd->buf + rd->pos. Returns false at
 * the end of the input (rd->len - rd->pos tells how much was left).
 */
static bool
rd_need(struct rd *r, size_t n)
{
	if (r->len - r->pos >= n)
		return true;
	if (r->mapped)
		return false;
	if (n > RD_BUF) {
		uint8_t *nb = realloc(r->buf, n);
		if (nb == NULL) {
			r->error = true;
			return false;
		}
		r->buf = nb;
	}
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	size_t cap = n > RD_BUF ? n : RD_BUF;
	while (r->len < n && !r->eof) {
		size_t got = fread(r->buf + r->len, 1, cap - r->len, r->f);
		if (got == 0) {
			if (ferror(r->f))
				r->error = true;
			r->eof = true;
		}
		r->len += got;
	}
	return r->len >= n;
}

static void
rd_skip(struct rd *r, size_t n)
{
	r->pos += n;
	r->off += n;
	/*
	 * Pages already read are dropped from the mapping, so the resident
	 * size stays bounded by the cache, not by the file's size.
	 */
	if (r->mapped && r->pos - r->released >= 2 * RELEASE_STEP) {
		(void)madvise(r->buf + r->released, RELEASE_STEP, MADV_DONTNEED);
		r->released += RELEASE_STEP;
	}
}

static uint32_t
get32(const uint8_t *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
get16(const uint8_t *p, bool swap)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static int __attribute__((format(printf, 4, 5)))
fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return err;
}

/* End of input inside a record: a truncated file, or a read error. */
static int
cut_short(struct rd *r, char *why, size_t whylen, const char *what)
{
	if (r->error)
		return fail(why, whylen, PROTO_EIO, "read error at offset %llu: %s",
		            (unsigned long long)r->off, strerror(errno));
	return fail(why, whylen, PROTO_ETRUNC, "truncated %s at offset %llu", what,
	            (unsigned long long)r->off);
}

static int
read_pcap(struct rd *r, sensor_file_fn fn, void *arg, char *why, size_t whylen)
{
	const uint8_t *h = r->buf + r->pos;
	uint32_t magic;
	memcpy(&magic, h, 4);
	bool swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	bool nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	uint32_t linktype = get32(h + 20, swap) & 0xffff;

	if (!sensor_pkt_link_supported((int)linktype))
		return fail(why, whylen, PROTO_ENOTSUP, "unsupported link type %u",
		            (unsigned)linktype);
	rd_skip(r, 24);
	for (;;) {
		if (!rd_need(r, 16)) {
			if (r->len == r->pos && !r->error)
				return 0;
			return cut_short(r, why, whylen, "record header");
		}
		h = r->buf + r->pos;
		uint32_t sec = get32(h, swap), frac = get32(h + 4, swap);
		uint32_t caplen = get32(h + 8, swap), wirelen = get32(h + 12, swap);
		if (caplen > MAX_RECORD)
			return fail(why, whylen, PROTO_EFORMAT,
			            "record at offset %llu claims %u bytes",
			            (unsigned long long)r->off, (unsigned)caplen);
		if ((nano && frac >= 1000000000u) || (!nano && frac >= 1000000u))
			frac = 0; /* a broken fraction does not move the second */
		if (!rd_need(r, 16 + (size_t)caplen))
			return cut_short(r, why, whylen, "record");
		int err = fn(arg, (int)linktype, r->buf + r->pos + 16, caplen,
		             wirelen > caplen ? wirelen : caplen, (int64_t)sec,
		             nano ? frac : frac * 1000u);
		if (err != 0)
			return err;
		rd_skip(r, 16 + (size_t)caplen);
	}
}

struct iface {
	int linktype;
	bool pow2;      /* resolution is 2^-exp, else 10^-exp */
	uint8_t exp;
	int64_t offset; /* if_tsoffset, seconds */
};

static void
ts_split(const struct iface *i, uint64_t t, int64_t *sec, uint32_t *nsec)
{
	if (i->pow2) {
		unsigned e = i->exp > 63 ? 63 : i->exp;
		uint64_t frac = t & ((e ? (1ull << e) : 1ull) - 1);
		*sec = (int64_t)(t >> e);
		*nsec = e ? (uint32_t)((((unsigned __int128)frac) * 1000000000u) >> e) : 0;
	} else {
		uint64_t div = 1;
		for (unsigned k = 0; k < i->exp && k < 19; k++)
			div *= 10;
		*sec = (int64_t)(t / div);
		uint64_t frac = t % div;
		if (div >= 1000000000u)
			*nsec = (uint32_t)(frac / (div / 1000000000u));
		else
			*nsec = (uint32_t)(frac * (1000000000u / div));
	}
	*sec += i->offset;
}

/* Options of an interface description block: if_tsresol and if_tsoffset. */
static void
idb_options(struct iface *ifc, const uint8_t *p, size_t n, bool swap)
{
	while (n >= 4) {
		uint16_t code = get16(p, swap), len = get16(p + 2, swap);
		size_t padded = ((size_t)len + 3) & ~(size_t)3;
		if (code == 0 || padded > n - 4)
			break;
		if (code == 9 && len >= 1) {
			ifc->pow2 = (p[4] & 0x80) != 0;
			ifc->exp = p[4] & 0x7f;
		} else if (code == 14 && len >= 8) {
			uint64_t v;
			memcpy(&v, p + 4, 8);
			if (swap)
				v = __builtin_bswap64(v);
			ifc->offset = (int64_t)v;
		}
		p += 4 + padded;
		n -= 4 + padded;
	}
}

static int
read_pcapng(struct rd *r, sensor_file_fn fn, void *arg, char *why, size_t whylen)
{
	struct iface *ifs = calloc(MAX_IFACES, sizeof(*ifs));
	size_t nifs = 0;
	bool swap = false;
	int err = 0;

	if (ifs == NULL)
		return PROTO_ENOMEM;
	for (;;) {
		if (!rd_need(r, 12)) {
			if (!(r->len == r->pos && !r->error))
				err = cut_short(r, why, whylen, "block header");
			break;
		}
		const uint8_t *b = r->buf + r->pos;
		uint32_t type;
		memcpy(&type, b, 4);
		if (type == 0x0A0D0D0Au) {
			/* Section header: its byte-order magic sets the order. */
			uint32_t bom;
			memcpy(&bom, b + 8, 4);
			if (bom == 0x1A2B3C4Du)
				swap = false;
			else if (bom == 0x4D3C2B1Au)
				swap = true;
			else {
				err = fail(why, whylen, PROTO_EFORMAT,
				           "bad pcapng byte-order magic at offset %llu",
				           (unsigned long long)r->off);
				break;
			}
			nifs = 0;
		} else if (swap) {
			type = __builtin_bswap32(type);
		}
		uint32_t blen = get32(b + 4, swap);
		if (blen < 12 || blen % 4 != 0 || blen > MAX_RECORD) {
			err = fail(why, whylen, PROTO_EFORMAT,
			           "bad pcapng block length %u at offset %llu",
			           (unsigned)blen, (unsigned long long)r->off);
			break;
		}
		if (!rd_need(r, blen)) {
			err = cut_short(r, why, whylen, "block");
			break;
		}
		b = r->buf + r->pos;
		const uint8_t *body = b + 8;
		size_t blen_body = blen - 12;

		if (type == 1) { /* interface description */
			if (blen_body < 8) {
				err = fail(why, whylen, PROTO_EFORMAT, "short interface block at offset %llu",
				           (unsigned long long)r->off);
				break;
			}
			if (nifs == MAX_IFACES) {
				err = fail(why, whylen, PROTO_EFORMAT, "more than %d interfaces",
				           MAX_IFACES);
				break;
			}
			struct iface *ifc = &ifs[nifs++];
			memset(ifc, 0, sizeof(*ifc));
			ifc->linktype = get16(body, swap);
			ifc->exp = 6;
			if (!sensor_pkt_link_supported(ifc->linktype)) {
				err = fail(why, whylen, PROTO_ENOTSUP,
				           "unsupported link type %d (interface %zu)",
				           ifc->linktype, nifs - 1);
				break;
			}
			idb_options(ifc, body + 8, blen_body - 8, swap);
		} else if (type == 6 || type == 2 || type == 3) {
			uint32_t ifid, caplen, wirelen;
			uint64_t t = 0;
			size_t hdr;
			if (type == 3) {
				hdr = 4;
				ifid = 0;
				wirelen = blen_body >= 4 ? get32(body, swap) : 0;
				caplen = (uint32_t)(blen_body - 4);
				if (caplen > wirelen)
					caplen = wirelen;
			} else {
				hdr = 20;
				if (blen_body < hdr) {
					err = fail(why, whylen, PROTO_EFORMAT,
					           "short packet block at offset %llu",
					           (unsigned long long)r->off);
					break;
				}
				ifid = type == 6 ? get32(body, swap) : get16(body, swap);
				t = (uint64_t)get32(body + 4, swap) << 32 | get32(body + 8, swap);
				caplen = get32(body + 12, swap);
				wirelen = get32(body + 16, swap);
			}
			if (blen_body < hdr || caplen > blen_body - hdr) {
				err = fail(why, whylen, PROTO_EFORMAT,
				           "packet block at offset %llu overruns its block",
				           (unsigned long long)r->off);
				break;
			}
			if (ifid >= nifs) {
				err = fail(why, whylen, PROTO_EFORMAT,
				           "packet block at offset %llu names unknown interface %u",
				           (unsigned long long)r->off, (unsigned)ifid);
				break;
			}
			int64_t sec = 0;
			uint32_t nsec = 0;
			if (type != 3)
				ts_split(&ifs[ifid], t, &sec, &nsec);
			err = fn(arg, ifs[ifid].linktype, body + hdr, caplen,
			         wirelen > caplen ? wirelen : caplen, sec, nsec);
			if (err != 0)
				break;
		}
		rd_skip(r, blen);
	}
	free(ifs);
	return err;
}

int
sensor_file_read(const char *path, sensor_file_fn fn, void *arg, char *why,
                 size_t whylen)
{
	struct rd r = { 0 };
	int err;

	if (strcmp(path, "-") == 0) {
		r.f = stdin;
	} else {
		r.f = fopen(path, "rb");
		if (r.f == NULL) {
			int e = errno;
			snprintf(why, whylen, "%s", strerror(e));
			return e == ENOENT ? PROTO_ENOENT
			       : (e == EACCES || e == EPERM) ? PROTO_EPERM : PROTO_EIO;
		}
	}
	struct stat sb;
	if (fstat(fileno(r.f), &sb) != 0) {
		err = fail(why, whylen, PROTO_EIO, "%s", strerror(errno));
		goto done;
	}
	if (S_ISDIR(sb.st_mode)) {
		err = fail(why, whylen, PROTO_ENOENT, "is a directory");
		goto done;
	}
	/* Regular files are mapped: no copy per record, and the kernel reads ahead. */
	if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
		               fileno(r.f), 0);
		if (m != MAP_FAILED) {
			(void)madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
			r.buf = m;
			r.len = (size_t)sb.st_size;
			r.mapped = true;
			r.eof = true;
		}
	}
	if (!r.mapped && (r.buf = malloc(RD_BUF)) == NULL) {
		err = PROTO_ENOMEM;
		goto done;
	}
	if (!rd_need(&r, 24)) {
		if (r.error)
			err = fail(why, whylen, PROTO_EIO, "%s", strerror(errno));
		else
			err = fail(why, whylen, PROTO_EFORMAT,
			           "not a capture file (%zu bytes, too short for a header)",
			           r.len);
		goto done;
	}
	uint32_t magic;
	memcpy(&magic, r.buf, 4);
	switch (magic) {
	case 0xa1b2c3d4u: case 0xd4c3b2a1u: case 0xa1b23c4du: case 0x4d3cb2a1u:
		err = read_pcap(&r, fn, arg, why, whylen);
		break;
	case 0x0A0D0D0Au:
		err = read_pcapng(&r, fn, arg, why, whylen);
		break;
	default:
		err = fail(why, whylen, PROTO_EFORMAT,
		           "not a pcap or pcapng file (magic 0x%08x)", (unsigned)magic);
	}
done:
	if (r.mapped)
		munmap(r.buf, r.len);
	else
		free(r.buf);
	if (r.f != stdin)
		fclose(r.f);
	return err;
}
