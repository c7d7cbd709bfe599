/*
 * bench_lookup.c - store build rate, size on disk and lookup latency.
 *
 * Prints figures, asserts nothing; every mode is bounded. On one store
 * directory:
 *
 *   bench_lookup --store DIR --build-rows N [--build-seconds S]
 *       builds a fresh store of N synthetic rows with store_db_put in
 *       batches (default 10,000, STORE_BULK like pdns-sensor --store),
 *       printing progress, the build rate and the size on disk; stops
 *       early, at a batch boundary, after S seconds.
 *   bench_lookup --store DIR --queries K [--warm-only] [--primary]
 *       evicts the store's files from the page cache (POSIX_FADV_DONTNEED
 *       on each file, and drop_caches when permitted; mincore() shows what
 *       stayed resident), opens the store like the pdns CLI (STORE_READ;
 *       --primary: STORE_WRITE, which skips the reader's catch-up) and
 *       times K queries of each kind (exact name, left wildcard, one IPv4
 *       address, an IPv4 /24), interleaved, once cold and once warm,
 *       printing p50/p90/p99/max and rows per query. A "noise floor" line
 *       first times a fixed piece of CPU work: on a shared machine its p99
 *       bounds every p99 below it; run under `chrt -f 10` (root) to get
 *       the store's own tail.
 *   bench_lookup --store DIR --stats | --probe-catchup
 *       RocksDB alone (not the store library): the LSM shape of each column
 *       family; the reader's open and per-query catch-up cost with RocksDB's
 *       default max_file_opening_threads (16) against 1, and a plain
 *       read-only open.
 *   bench_lookup --store DIR --compact | --print-targets K
 *       store_db_compact(), timed; K existing targets of each kind as pdns
 *       arguments (for bench_pdns_run.sh).
 *
 * The rows are a deterministic function of the seed: zone z has a name, an
 * apex (NS, MX, TXT, A) and 4..13 hosts with 1..3 labels below the zone
 * (A, A+AAAA or CNAME to a shared CDN edge). Zones are about N/20. Every
 * A address of zone z falls in one of a few /24s near z's "home" /24, so a
 * /24 holds tens of rows, and the /24s are scattered over the IPv4 space.
 * Times spread over 2019..2025, counts are heavy-tailed, origin 0. The
 * query mode regenerates existing targets from the same function, reading
 * the row and zone counts from DIR/bench_lookup.params.
 *
 * Memory: one batch of rows (about 8 MB) and the latency arrays.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "proto/proto_buf.h"
#include "proto/proto_err.h"
#include "proto/proto_name.h"
#include "proto/proto_query.h"
#include "proto/proto_rrtype.h"
#include "store/store_db.h"

#define PROG "bench_lookup"
#define PARAMS "bench_lookup.params"

/* Model constants: see the header comment. */
#define ZONES_PER_24 4     /* zones whose home is one /24 */
#define ADDR_WINDOW 12     /* an A row lands up to this many zones further */
#define T0 1546300800      /* 2019-01-01 */
#define SPAN (6 * 365 * 86400)
#define MAX_LIFE (2 * 365 * 86400)
#define ROW_TEXT 400

static uint64_t seed = 1;

/* --- the deterministic data model -------------------------------------- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t
hash2(uint64_t a, uint64_t b)
{
	return mix64(mix64(a ^ (seed << 48)) ^ b);
}

static const char *const SYL[] = {
	"ka", "lo", "mi", "ne", "ra", "to", "shi", "vu", "pe", "do", "fa", "gri",
	"zen", "bar", "qui", "mon", "tel", "sta", "ix", "or", "an", "web", "net",
	"cloud", "app", "data", "shop", "news", "mail", "cdn", "pay", "go",
};
static const char *const TLD[] = {
	"com", "com", "com", "com", "net", "org", "de", "io", "uk", "fr", "info",
	"nl", "ru", "br", "jp", "it",
};
static const char *const HOST[] = {
	"www", "api", "cdn", "img", "static", "m", "login", "mail", "ads", "edge",
	"vpn", "smtp", "shop", "blog", "dev", "app",
};
static const char *const MID[] = { "eu", "us", "prod", "int", "ap", "stage", "corp", "lb" };

struct name {
	uint8_t wire[PROTO_NAME_MAX];
	size_t len;            /* with the root label */
	char text[PROTO_NAME_MAX];
};

static void
name_init(struct name *n)
{
	n->len = 0;
	n->text[0] = '\0';
}

/* Append a label (text form and wire form, lowercase ASCII). */
static void
name_add(struct name *n, const char *label)
{
	size_t l = strlen(label), t = strlen(n->text);
	if (l == 0 || l > 63 || n->len + 1 + l + 1 > PROTO_NAME_MAX || t + l + 2 > sizeof(n->text))
		abort(); /* the model never builds such names */
	n->wire[n->len] = (uint8_t)l;
	memcpy(n->wire + n->len + 1, label, l);
	n->len += 1 + l;
	if (t > 0)
		n->text[t++] = '.';
	memcpy(n->text + t, label, l + 1);
}

static void
name_end(struct name *n)
{
	n->wire[n->len++] = 0;
}

static void
b36(uint64_t v, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = digits[v % 36];
		v /= 36;
	} while (v != 0);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

struct zone {
	uint64_t z, h;
	struct name name;
	unsigned nhosts, nns, nmx, ntxt;
};

static void
zone_make(uint64_t z, struct zone *zn)
{
	char word[64], num[16];
	uint64_t h = hash2(z, 1);

	zn->z = z;
	zn->h = h;
	b36(z, num);
	snprintf(word, sizeof(word), "%s%s%s%s", SYL[h % 32], SYL[(h >> 5) % 32],
	         (h >> 10) % 3 == 0 ? SYL[(h >> 12) % 32] : "", num);
	name_init(&zn->name);
	name_add(&zn->name, word);
	name_add(&zn->name, TLD[(h >> 17) % 16]);
	name_end(&zn->name);
	zn->nhosts = 4 + (unsigned)((h >> 21) % 10);
	zn->nns = 2 + (unsigned)((h >> 25) % 3);
	zn->nmx = 1 + (unsigned)((h >> 27) % 2);
	zn->ntxt = 1 + (unsigned)((h >> 28) % 2);
}

enum { HOST_A, HOST_A_AAAA, HOST_CNAME };

struct host {
	uint64_t h;
	struct name name;
	int kind;
	unsigned na;           /* A rows */
};

static void
host_make(const struct zone *zn, unsigned k, struct host *ho)
{
	char first[64], num[16];
	uint64_t h = hash2(zn->z, 1000 + k);
	unsigned labels = (h % 10) < 6 ? 1 : (h % 10) < 9 ? 2 : 3;

	ho->h = h;
	/* k makes every host of a zone distinct */
	num[0] = '\0';
	if (k > 0)
		b36(k, num);
	snprintf(first, sizeof(first), "%s%s", HOST[(h >> 4) % 16], num);
	name_init(&ho->name);
	name_add(&ho->name, first);
	for (unsigned i = 1; i < labels; i++)
		name_add(&ho->name, MID[(h >> (8 + 3 * i)) % 8]);
	/* then the zone's labels */
	for (size_t p = 0; zn->name.wire[p] != 0; p += 1 + zn->name.wire[p]) {
		char l[64];
		memcpy(l, zn->name.wire + p + 1, zn->name.wire[p]);
		l[zn->name.wire[p]] = '\0';
		name_add(&ho->name, l);
	}
	name_end(&ho->name);
	unsigned r = (unsigned)((h >> 20) % 100);
	ho->kind = r < 70 ? HOST_A : r < 85 ? HOST_A_AAAA : HOST_CNAME;
	r = (unsigned)((h >> 28) % 10);
	ho->na = ho->kind == HOST_A ? (r < 6 ? 1 : r < 9 ? 2 : 3)
	         : ho->kind == HOST_A_AAAA ? 1 : 0;
}

/*
 * The /24 of block j: an affine bijection onto the 222 * 65536 /24s whose
 * first octet is 1..223 but 127 (the multiplier is prime to 222 * 65536),
 * so neighbouring blocks land far apart.
 */
static uint32_t
scatter24(uint64_t j)
{
	const uint64_t m = 222ull * 65536;
	uint64_t x = (j * 2654435761ull + 12345) % m;
	uint32_t first = (uint32_t)(x >> 16) + 1;
	if (first >= 127)
		first++;
	return first << 16 | (uint32_t)(x & 0xFFFF);
}

/* The /24 index of an A row of zone z with row hash h. */
static uint64_t
addr_block(uint64_t z, uint64_t h)
{
	return (z + h % ADDR_WINDOW) / ZONES_PER_24;
}

static void
a_addr(uint64_t z, uint64_t h, uint8_t out[4])
{
	uint32_t x = scatter24(addr_block(z, h));
	out[0] = (uint8_t)(x >> 16);
	out[1] = (uint8_t)(x >> 8);
	out[2] = (uint8_t)x;
	out[3] = (uint8_t)(1 + (h >> 20) % 254);
}

/* The address of A row i of host k (k == nhosts: the apex). */
static void
host_a(const struct zone *zn, unsigned k, unsigned i, uint8_t out[4])
{
	a_addr(zn->z, hash2(zn->z, 50000 + k * 8 + i), out);
}

/* --- building ----------------------------------------------------------- */

struct slot {
	uint8_t name[PROTO_NAME_MAX];
	uint8_t bail[PROTO_NAME_MAX];
	char rdata[ROW_TEXT];
};

struct builder {
	struct store_db *db;
	struct proto_obs *rows;
	struct slot *slots;
	size_t n, batch;
	uint64_t total, target, zones_full;
	uint64_t max_ns;       /* stop after this long (0: no limit) */
	uint64_t t_start, t_last;
	double put_secs;
	bool stop;
	int err;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
flush_batch(struct builder *b)
{
	char why[512] = "";

	if (b->n == 0)
		return 0;
	uint64_t t = now_ns();
	int err = store_db_put(b->db, b->rows, b->n, STORE_ORIGIN_LOCAL, why, sizeof(why));
	b->put_secs += (double)(now_ns() - t) / 1e9;
	if (err != 0) {
		fprintf(stderr, PROG ": store_db_put failed: %s (%s)\n", why, proto_strerror(err));
		return err;
	}
	b->total += b->n;
	b->n = 0;
	uint64_t now = now_ns();
	if (now - b->t_last >= 10000000000ull || b->total % 1000000 == 0) {
		double el = (double)(now - b->t_start) / 1e9;
		fprintf(stderr, PROG ": built %" PRIu64 " rows in %.0f s (%.0f rows/s)\n",
		        b->total, el, (double)b->total / el);
		b->t_last = now;
	}
	if (b->total >= b->target || (b->max_ns != 0 && now - b->t_start >= b->max_ns))
		b->stop = true;
	return 0;
}

static void
add_row(struct builder *b, const struct zone *zn, const struct name *owner, uint16_t type,
        const char *rdata, uint64_t h)
{
	if (b->stop || b->err != 0)
		return;
	struct slot *s = &b->slots[b->n];
	struct proto_obs *o = &b->rows[b->n];
	size_t rl = strlen(rdata);
	if (rl >= ROW_TEXT)
		abort();
	memcpy(s->name, owner->wire, owner->len);
	memcpy(s->bail, zn->name.wire, zn->name.len);
	memcpy(s->rdata, rdata, rl);
	memset(o, 0, sizeof(*o));
	o->name = s->name;
	o->name_len = (uint32_t)owner->len;
	o->bailiwick = s->bail;
	o->bailiwick_len = (uint32_t)zn->name.len;
	o->rdata = s->rdata;
	o->rdata_len = (uint32_t)rl;
	o->rrtype = type;
	o->section = PROTO_SEC_ANSWER;
	uint64_t r = mix64(h);
	o->time_first = T0 + (int64_t)(r % SPAN);
	int64_t room = T0 + SPAN - o->time_first;
	if (room > MAX_LIFE)
		room = MAX_LIFE;
	o->time_last = o->time_first + (int64_t)((r >> 24) % (uint64_t)(room + 1));
	unsigned bits = (unsigned)((r >> 50) % 20);
	o->count = 1 + ((r >> 8) & ((1ull << bits) - 1));
	if (++b->n == b->batch || b->total + b->n >= b->target) {
		if ((b->err = flush_batch(b)) != 0)
			b->stop = true;
	}
}

static void
ip4_text(const uint8_t a[4], char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* Every row of zone z. */
static void
build_zone(struct builder *b, uint64_t z)
{
	struct zone zn;
	struct host ho;
	char rd[ROW_TEXT], num[16];
	uint8_t a[4];

	zone_make(z, &zn);
	uint64_t h = zn.h;
	uint64_t prov = hash2(z, 2) % (b->target / 20000 + 8); /* DNS providers */
	b36(prov, num);
	for (unsigned i = 0; i < zn.nns; i++) {
		snprintf(rd, sizeof(rd), "ns%u.dns%s.net", i + 1, num);
		add_row(b, &zn, &zn.name, PROTO_T_NS, rd, hash2(z, 10 + i));
	}
	for (unsigned i = 0; i < zn.nmx; i++) {
		if ((h >> 30) % 3 == 0)
			snprintf(rd, sizeof(rd), "%u aspmx%u.mailhost%u.com", 10 * (i + 1), i + 1,
			         (unsigned)((h >> 33) % 50));
		else
			snprintf(rd, sizeof(rd), "%u mx%u.%s", 10 * (i + 1), i + 1, zn.name.text);
		add_row(b, &zn, &zn.name, PROTO_T_MX, rd, hash2(z, 20 + i));
	}
	for (unsigned i = 0; i < zn.ntxt; i++) {
		if (i == 0)
			snprintf(rd, sizeof(rd), "\"v=spf1 include:_spf.%s ~all\"", zn.name.text);
		else
			snprintf(rd, sizeof(rd), "\"site-verification=%016" PRIx64 "%016" PRIx64 "\"",
			         hash2(z, 30), hash2(z, 31));
		add_row(b, &zn, &zn.name, PROTO_T_TXT, rd, hash2(z, 30 + i));
	}
	host_a(&zn, zn.nhosts, 0, a);
	ip4_text(a, rd, sizeof(rd));
	add_row(b, &zn, &zn.name, PROTO_T_A, rd, hash2(z, 40));
	for (unsigned k = 0; k < zn.nhosts; k++) {
		host_make(&zn, k, &ho);
		for (unsigned i = 0; i < ho.na; i++) {
			host_a(&zn, k, i, a);
			ip4_text(a, rd, sizeof(rd));
			add_row(b, &zn, &ho.name, PROTO_T_A, rd, hash2(z, 60000 + k * 8 + i));
		}
		if (ho.kind == HOST_A_AAAA) {
			uint64_t x = hash2(z, 70000 + k);
			/* canonical RFC 5952: nonzero groups, then ::, then one group */
			snprintf(rd, sizeof(rd), "2a0%x:%x:%x:%x::%x", (unsigned)(x & 0xf),
			         (unsigned)((x >> 4) & 0xfff) | 0x100,
			         (unsigned)((x >> 16) & 0xffff) | 1,
			         (unsigned)((x >> 32) & 0xffff) | 1,
			         (unsigned)((x >> 48) & 0xffff) | 1);
			add_row(b, &zn, &ho.name, PROTO_T_AAAA, rd, x);
		}
		if (ho.kind == HOST_CNAME) {
			uint64_t x = hash2(z, 80000 + k);
			char e[16];
			b36(x % (b->target / 40 + 16), e);
			snprintf(rd, sizeof(rd), "e%s.cdn%u.net", e, (unsigned)((x >> 40) % 7));
			add_row(b, &zn, &ho.name, PROTO_T_CNAME, rd, x);
		}
	}
}

static uint64_t
dir_bytes(const char *dir, unsigned *files, unsigned *ssts)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	struct stat sb;
	uint64_t total = 0;

	*files = *ssts = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		total += (uint64_t)sb.st_blocks * 512;
		(*files)++;
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".sst") == 0)
			(*ssts)++;
	}
	closedir(d);
	return total;
}

/* "1.23 4.56 7.89\n" from /proc/loadavg (a static buffer). */
static const char *
loadavg(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/loadavg", "r");
	buf[0] = '\0';
	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL) {
			/* keep the three averages */
			char *p = buf;
			for (int i = 0; i < 3 && p != NULL; i++)
				p = strchr(p + 1, ' ');
			if (p != NULL) {
				p[0] = '\n';
				p[1] = '\0';
			}
		}
		fclose(f);
	}
	return buf;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int
do_build(const char *dir, uint64_t rows, size_t batch, double max_secs, bool bulk)
{
	char why[512] = "", cur[4096];
	struct builder b;
	int rc = 1;

	snprintf(cur, sizeof(cur), "%s/CURRENT", dir);
	if (access(cur, F_OK) == 0) {
		fprintf(stderr, PROG ": '%s' already holds a store; remove it to build afresh\n", dir);
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.batch = batch;
	b.target = rows;
	b.max_ns = (uint64_t)(max_secs * 1e9);
	b.rows = calloc(batch, sizeof(*b.rows));
	b.slots = calloc(batch, sizeof(*b.slots));
	if (b.rows == NULL || b.slots == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	int err = store_db_open(&b.db, dir, bulk ? STORE_BULK : STORE_WRITE, why, sizeof(why));
	if (err != 0) {
		fprintf(stderr, PROG ": cannot open store '%s': %s\n", dir, why);
		goto out;
	}
	b.t_start = b.t_last = now_ns();
	uint64_t z = 0;
	while (!b.stop) {
		build_zone(&b, z);
		if (!b.stop)
			z++;
	}
	/* Every stop follows a flush, so nothing is left in the batch. The
	 * zone being written when we stopped may be partial: queries draw
	 * their targets from zones 0..z-1 only. */
	b.zones_full = z;
	uint64_t t_put_end = now_ns();
	store_db_close(&b.db);
	uint64_t t_end = now_ns();
	if (b.err != 0)
		goto out;
	double secs = (double)(t_end - b.t_start) / 1e9;
	double put_only = (double)(t_put_end - b.t_start) / 1e9;
	unsigned files, ssts;
	uint64_t bytes = dir_bytes(dir, &files, &ssts);
	printf("build: %" PRIu64 " rows, %" PRIu64 " zones, batches of %zu, %s mode\n", b.total,
	       b.zones_full, batch, bulk ? "STORE_BULK" : "STORE_WRITE");
	printf("build: %.1f s including close (%.1f s of store_db_put, %.1f s close)\n", secs,
	       b.put_secs, (double)(t_end - t_put_end) / 1e9);
	printf("build rate: %.0f rows/s including close, %.0f rows/s to the last put\n",
	       (double)b.total / secs, (double)b.total / put_only);
	printf("disk: %.1f MB in %u files (%u .sst), %.1f MB per million rows\n",
	       (double)bytes / 1e6, files, ssts, (double)bytes / ((double)b.total));
	printf("peak RSS: %.1f MB\n", (double)peak_rss_kb() / 1024.0);

	snprintf(cur, sizeof(cur), "%s/" PARAMS, dir);
	FILE *f = fopen(cur, "w");
	if (f == NULL) {
		fprintf(stderr, PROG ": cannot write '%s': %s\n", cur, strerror(errno));
		goto out;
	}
	fprintf(f, "seed %" PRIu64 "\nrows %" PRIu64 "\ntarget %" PRIu64 "\nzones %" PRIu64 "\n",
	        seed, b.total, b.target, b.zones_full);
	fclose(f);
	rc = 0;
out:
	store_db_close(&b.db);
	free(b.rows);
	free(b.slots);
	return rc;
}

/* Compact every index (store_db_compact) and print the time and sizes. */
static int
do_compact(const char *dir)
{
	struct store_db *db = NULL;
	char why[512] = "";
	unsigned files, ssts;
	uint64_t before = dir_bytes(dir, &files, &ssts);

	printf("compact: before %.1f MB in %u files (%u .sst)\n", (double)before / 1e6, files, ssts);
	uint64_t t0 = now_ns();
	int err = store_db_open(&db, dir, STORE_WRITE, why, sizeof(why));
	if (err != 0) {
		fprintf(stderr, PROG ": cannot open store '%s': %s\n", dir, why);
		return 1;
	}
	uint64_t t1 = now_ns();
	err = store_db_compact(db);
	uint64_t t2 = now_ns();
	store_db_close(&db);
	uint64_t t3 = now_ns();
	if (err != 0) {
		fprintf(stderr, PROG ": compaction failed: %s\n", proto_strerror(err));
		return 1;
	}
	uint64_t after = dir_bytes(dir, &files, &ssts);
	printf("compact: open %.1f s, compact %.1f s, close %.1f s; after %.1f MB in %u files "
	       "(%u .sst); peak RSS %.1f MB\n", (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9,
	       (double)(t3 - t2) / 1e9, (double)after / 1e6, files, ssts,
	       (double)peak_rss_kb() / 1024.0);
	return 0;
}

/* --- page cache --------------------------------------------------------- */

/* Bytes of the directory's regular files resident in the page cache. */
static uint64_t
resident_bytes(const char *dir, uint64_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	uint64_t res = 0;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *vec = NULL;
	size_t veccap = 0;

	*total = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(p, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		    sb.st_size == 0)
			continue;
		*total += (uint64_t)sb.st_size;
		int fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			continue;
		size_t pages = ((size_t)sb.st_size + (size_t)page - 1) / (size_t)page;
		if (pages > veccap) {
			free(vec);
			veccap = pages;
			vec = malloc(veccap);
		}
		if (vec != NULL && mincore(m, (size_t)sb.st_size, vec) == 0)
			for (size_t i = 0; i < pages; i++)
				if (vec[i] & 1)
					res += (uint64_t)page;
		munmap(m, (size_t)sb.st_size);
	}
	free(vec);
	closedir(d);
	return res;
}

static void
evict(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	uint64_t total, before = resident_bytes(dir, &total);
	int advised = 0;

	sync();
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			int fd = open(p, O_RDONLY);
			if (fd < 0)
				continue;
			if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
				advised++;
			close(fd);
		}
		closedir(d);
	}
	/* drop_caches too, when this process may (root outside a container). */
	const char *dc = "not permitted";
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		dc = write(fd, "3\n", 2) == 2 ? "done" : "write refused";
		close(fd);
	} else if (errno != EACCES && errno != EPERM && errno != EROFS) {
		dc = strerror(errno);
	}
	uint64_t after = resident_bytes(dir, &total);
	printf("cold: evicted %d files with POSIX_FADV_DONTNEED, drop_caches: %s; resident "
	       "%.1f MB before, %.1f MB after, of %.1f MB\n", advised, dc,
	       (double)before / 1e6, (double)after / 1e6, (double)total / 1e6);
}

/* --- querying ------------------------------------------------------------ */

enum { K_EXACT, K_LEFT, K_IP, K_CIDR, K_COUNT_ };
static const char *const KIND_NAME[K_COUNT_] = {
	"exact name", "left wildcard *.zone", "rdata IPv4", "rdata /24 CIDR",
};

struct target {
	uint8_t name[PROTO_NAME_MAX];
	uint16_t name_len;
	uint8_t ip[4];
};

struct params {
	uint64_t rows, target, zones;
};

static int
read_params(const char *dir, struct params *pp)
{
	char p[4096], line[128];

	memset(pp, 0, sizeof(*pp));
	snprintf(p, sizeof(p), "%s/" PARAMS, dir);
	FILE *f = fopen(p, "r");
	if (f == NULL) {
		fprintf(stderr, PROG ": cannot read '%s': %s (build the store with "
		        "--build-rows first)\n", p, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		uint64_t v = strtoull(sp + 1, NULL, 10);
		if (strcmp(line, "seed") == 0)
			seed = v;
		else if (strcmp(line, "rows") == 0)
			pp->rows = v;
		else if (strcmp(line, "target") == 0)
			pp->target = v;
		else if (strcmp(line, "zones") == 0)
			pp->zones = v;
	}
	fclose(f);
	if (pp->zones == 0) {
		fprintf(stderr, PROG ": '%s' names no zones\n", p);
		return -1;
	}
	return 0;
}

/* Random existing targets, from the model (not from the store). */
static void
make_target(int kind, uint64_t r, uint64_t zones, struct target *t)
{
	struct zone zn;
	struct host ho;
	uint64_t z = r % zones;

	memset(t, 0, sizeof(*t));
	zone_make(z, &zn);
	unsigned k = (unsigned)((r >> 40) % (zn.nhosts + 1)); /* nhosts: the apex */
	switch (kind) {
	case K_EXACT:
		if (k == zn.nhosts) {
			memcpy(t->name, zn.name.wire, zn.name.len);
			t->name_len = (uint16_t)zn.name.len;
		} else {
			host_make(&zn, k, &ho);
			memcpy(t->name, ho.name.wire, ho.name.len);
			t->name_len = (uint16_t)ho.name.len;
		}
		break;
	case K_LEFT:
		memcpy(t->name, zn.name.wire, zn.name.len);
		t->name_len = (uint16_t)zn.name.len;
		break;
	case K_IP:
		if (k < zn.nhosts) {
			host_make(&zn, k, &ho);
			if (ho.na == 0)
				k = zn.nhosts; /* a CNAME host: the apex A instead */
		}
		host_a(&zn, k, 0, t->ip);
		break;
	case K_CIDR: {
		uint32_t x = scatter24(addr_block(z, r >> 20));
		t->ip[0] = (uint8_t)(x >> 16);
		t->ip[1] = (uint8_t)(x >> 8);
		t->ip[2] = (uint8_t)x;
		break;
	}
	}
}

static void
make_query(int kind, const struct target *t, struct proto_query *q)
{
	proto_query_init(q);
	switch (kind) {
	case K_EXACT:
	case K_LEFT:
		q->kind = PROTO_Q_RRSET;
		q->match = kind == K_EXACT ? PROTO_M_EXACT : PROTO_M_LEFT;
		memcpy(q->name, t->name, t->name_len);
		q->name_len = t->name_len;
		break;
	case K_IP:
	case K_CIDR:
		q->kind = PROTO_Q_RDATA_IP;
		q->family = 4;
		memcpy(q->addr_lo, t->ip, 4);
		memcpy(q->addr_hi, t->ip, 4);
		if (kind == K_CIDR) {
			q->addr_lo[3] = 0;
			q->addr_hi[3] = 255;
		}
		break;
	}
}

struct touch {
	uint64_t rows, sum;
};

/* Read every byte a printer would: name, rdata, bailiwick, numbers. */
static int
touch_row(void *arg, const struct store_result *r)
{
	struct touch *t = arg;
	uint64_t s = 0;

	for (uint32_t i = 0; i < r->obs.name_len; i++)
		s = s * 31 + r->obs.name[i];
	for (uint32_t i = 0; i < r->obs.rdata_len; i++)
		s = s * 31 + (uint8_t)r->obs.rdata[i];
	for (uint32_t i = 0; r->obs.bailiwick != NULL && i < r->obs.bailiwick_len; i++)
		s = s * 31 + r->obs.bailiwick[i];
	s += (uint64_t)r->obs.time_first ^ (uint64_t)r->obs.time_last ^ r->obs.count ^ r->origin;
	t->sum += s;
	t->rows++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double
pct(const double *v, size_t n, double p)
{
	size_t r = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return v[r - 1];
}

static int
run_pass(struct store_db *db, const char *label, const struct target *tg, size_t k,
         double *lat[K_COUNT_], uint64_t rows[K_COUNT_], uint64_t *checksum)
{
	struct proto_query q;
	struct store_query_info info;
	char why[512];

	for (int c = 0; c < K_COUNT_; c++)
		rows[c] = 0;
	uint64_t t0 = now_ns();
	for (size_t i = 0; i < k; i++) {
		for (int c = 0; c < K_COUNT_; c++) {
			struct touch t = { 0, 0 };
			make_query(c, &tg[i * K_COUNT_ + c], &q);
			uint64_t a = now_ns();
			int err = store_db_query(db, &q, 0, touch_row, &t, &info, why, sizeof(why));
			uint64_t bns = now_ns();
			if (err != 0) {
				fprintf(stderr, PROG ": %s query failed: %s (%s)\n", KIND_NAME[c], why,
				        proto_strerror(err));
				return -1;
			}
			lat[c][i] = (double)(bns - a) / 1000.0;
			rows[c] += t.rows;
			*checksum += t.sum;
		}
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	printf("%s: %zu queries in %.2f s\n", label, k * K_COUNT_, secs);
	printf("  %-22s %9s %9s %9s %9s %9s %10s\n", "kind", "p50 us", "p90 us", "p99 us",
	       "max us", "mean us", "rows/query");
	for (int c = 0; c < K_COUNT_; c++) {
		double sum = 0;
		for (size_t i = 0; i < k; i++)
			sum += lat[c][i];
		qsort(lat[c], k, sizeof(double), cmp_double);
		printf("  %-22s %9.1f %9.1f %9.1f %9.1f %9.1f %10.1f\n", KIND_NAME[c],
		       pct(lat[c], k, 50), pct(lat[c], k, 90), pct(lat[c], k, 99), lat[c][k - 1],
		       sum / (double)k, (double)rows[c] / (double)k);
	}
	return 0;
}

/*
 * The machine's own tail: the same fixed piece of CPU work (about 50 us)
 * timed n times. On a shared or loaded machine its p99 is the floor under
 * every query p99 printed after it.
 */
static void
noise_floor(size_t n)
{
	double *v = calloc(n, sizeof(double));
	volatile uint64_t sink = 0;
	uint64_t spins = 1000, x = 1;

	if (v == NULL)
		return;
	for (;;) { /* calibrate to about 50 us */
		uint64_t t = now_ns();
		for (uint64_t i = 0; i < spins; i++)
			x = mix64(x);
		if (now_ns() - t >= 50000 || spins > (1ull << 40))
			break;
		spins *= 2;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t t = now_ns();
		for (uint64_t j = 0; j < spins; j++)
			x = mix64(x);
		v[i] = (double)(now_ns() - t) / 1000.0;
	}
	sink = x;
	(void)sink;
	qsort(v, n, sizeof(double), cmp_double);
	printf("noise floor (fixed CPU work x%zu): p50 %.1f us, p90 %.1f us, p99 %.1f us, "
	       "max %.1f us; load average %s", n, pct(v, n, 50), pct(v, n, 90), pct(v, n, 99),
	       v[n - 1], loadavg());
	free(v);
}

static int
do_queries(const char *dir, size_t k, bool cold, bool primary)
{
	struct params pp;
	struct store_db *db = NULL;
	char why[512] = "";
	double *lat[K_COUNT_] = { NULL };
	uint64_t rows[K_COUNT_], checksum = 0;
	int rc = 1;

	if (read_params(dir, &pp) != 0)
		return 1;
	struct target *tg = calloc(k * K_COUNT_, sizeof(*tg));
	for (int c = 0; c < K_COUNT_; c++)
		lat[c] = calloc(k, sizeof(double));
	if (tg == NULL || lat[0] == NULL || lat[1] == NULL || lat[2] == NULL || lat[3] == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	/* Targets are drawn before the clock starts; the order is interleaved
	 * so each kind meets the cache in the same state. */
	uint64_t r = mix64(seed * 7919 + k);
	for (size_t i = 0; i < k; i++)
		for (int c = 0; c < K_COUNT_; c++) {
			r = mix64(r);
			make_target(c, r, pp.zones, &tg[i * K_COUNT_ + c]);
		}
	printf("store: %s, %" PRIu64 " rows, %" PRIu64 " zones (seed %" PRIu64 ")\n", dir,
	       pp.rows, pp.zones, seed);
	if (cold)
		evict(dir);
	uint64_t t = now_ns();
	int err = store_db_open(&db, dir, primary ? STORE_WRITE : STORE_READ, why, sizeof(why));
	double open_ms = (double)(now_ns() - t) / 1e6;
	if (err != 0) {
		fprintf(stderr, PROG ": cannot open store '%s': %s\n", dir, why);
		goto out;
	}
	printf("open (%s, %s): %.1f ms\n", primary ? "STORE_WRITE" : "STORE_READ",
	       cold ? "cold" : "page cache as found", open_ms);
	noise_floor(k * K_COUNT_);
	if (run_pass(db, cold ? "cold pass" : "first pass", tg, k, lat, rows, &checksum) != 0)
		goto out;
	if (run_pass(db, "warm pass (same queries)", tg, k, lat, rows, &checksum) != 0)
		goto out;
	t = now_ns();
	store_db_close(&db);
	printf("close: %.1f ms\n", (double)(now_ns() - t) / 1e6);
	printf("peak RSS: %.1f MB (checksum %016" PRIx64 ")\n", (double)peak_rss_kb() / 1024.0,
	       checksum);
	rc = 0;
out:
	store_db_close(&db);
	for (int c = 0; c < K_COUNT_; c++)
		free(lat[c]);
	free(tg);
	return rc;
}

/* Print k random existing targets of each kind, as pdns CLI arguments. */
static int
print_targets(const char *dir, size_t k)
{
	struct params pp;
	struct target t;
	char text[PROTO_NAME_TEXT_MAX];
	struct proto_buf b;

	if (read_params(dir, &pp) != 0)
		return 1;
	uint64_t r = mix64(seed * 104729 + k);
	for (size_t i = 0; i < k; i++)
		for (int c = 0; c < K_COUNT_; c++) {
			r = mix64(r);
			make_target(c, r, pp.zones, &t);
			proto_buf_init(&b, text, sizeof(text));
			if (c == K_EXACT || c == K_LEFT)
				proto_name_format(t.name, t.name_len, &b);
			if (c == K_EXACT)
				printf("exact -r %s\n", text);
			else if (c == K_LEFT)
				printf("left -r *.%s\n", text);
			else if (c == K_IP)
				printf("ip -i %u.%u.%u.%u\n", t.ip[0], t.ip[1], t.ip[2], t.ip[3]);
			else
				printf("cidr -i %u.%u.%u.0/24\n", t.ip[0], t.ip[1], t.ip[2]);
		}
	return 0;
}

/* --- LSM shape, straight from RocksDB ----------------------------------- */

static rocksdb_options_t *probe_options(void);

static int
do_stats(const char *dir)
{
	char *err = NULL;
	size_t ncf = 0;
	rocksdb_options_t *o = probe_options();
	char **names = rocksdb_list_column_families(o, dir, &ncf, &err);
	int rc = 1;

	if (err != NULL) {
		fprintf(stderr, PROG ": cannot list column families of '%s': %s\n", dir, err);
		free(err);
		rocksdb_options_destroy(o);
		return 1;
	}
	const rocksdb_options_t **opts = calloc(ncf, sizeof(*opts));
	rocksdb_column_family_handle_t **cf = calloc(ncf, sizeof(*cf));
	for (size_t i = 0; i < ncf; i++)
		opts[i] = o;
	rocksdb_t *db = rocksdb_open_for_read_only_column_families(
		o, dir, (int)ncf, (const char *const *)names, opts, cf, 0, &err);
	if (db == NULL) {
		fprintf(stderr, PROG ": cannot open '%s' read-only: %s\n", dir, err);
		free(err);
		goto out;
	}
	static const char *const props[] = {
		"rocksdb.estimate-num-keys", "rocksdb.total-sst-files-size",
		"rocksdb.num-files-at-level0", "rocksdb.num-files-at-level1",
		"rocksdb.num-files-at-level2", "rocksdb.num-files-at-level3",
		"rocksdb.estimate-table-readers-mem",
	};
	for (size_t i = 0; i < ncf; i++) {
		printf("cf %s:", names[i]);
		for (size_t p = 0; p < sizeof(props) / sizeof(props[0]); p++) {
			char *v = rocksdb_property_value_cf(db, cf[i], props[p]);
			printf(" %s=%s", props[p] + 8, v ? v : "?");
			free(v);
		}
		printf("\n");
	}
	for (size_t i = 0; i < ncf; i++)
		rocksdb_column_family_handle_destroy(cf[i]);
	rocksdb_close(db);
	rc = 0;
out:
	rocksdb_list_column_families_destroy(names, ncf);
	free(opts);
	free(cf);
	rocksdb_options_destroy(o);
	return rc;
}

/* A stand-in merge operator for the raw probes (keeps the last operand):
 * replaying the writer's WAL needs one, the values are never read. */
static char *
probe_full_merge(void *st, const char *key, size_t klen, const char *existing, size_t elen,
                 const char *const *ops, const size_t *oplen, int nops, unsigned char *ok,
                 size_t *outlen)
{
	(void)st; (void)key; (void)klen; (void)existing; (void)elen;
	char *v = malloc(oplen[nops - 1] + 1);
	*ok = v != NULL;
	if (v != NULL)
		memcpy(v, ops[nops - 1], oplen[nops - 1]);
	*outlen = oplen[nops - 1];
	return v;
}

static char *
probe_partial_merge(void *st, const char *key, size_t klen, const char *const *ops,
                    const size_t *oplen, int nops, unsigned char *ok, size_t *outlen)
{
	return probe_full_merge(st, key, klen, NULL, 0, ops, oplen, nops, ok, outlen);
}

static void
probe_free(void *st, const char *v, size_t len)
{
	(void)st; (void)len;
	free((void *)v);
}

static void
probe_destroy(void *st)
{
	(void)st;
}

static const char *
probe_name(void *st)
{
	(void)st;
	return "pdns.aggregate.v1";
}

/*
 * Options for opening the store with RocksDB alone, with the store's table
 * settings (store_db.c): a 256 MB LRU block cache holding index and filter
 * blocks, 10-bit bloom filters, L0 index and filters pinned.
 */
static rocksdb_options_t *
probe_options(void)
{
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_block_based_table_options_t *t = rocksdb_block_based_options_create();
	rocksdb_cache_t *c = rocksdb_cache_create_lru(256u << 20);

	rocksdb_block_based_options_set_block_cache(t, c);
	rocksdb_block_based_options_set_filter_policy(t, rocksdb_filterpolicy_create_bloom(10));
	rocksdb_block_based_options_set_cache_index_and_filter_blocks(t, 1);
	rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(t, 1);
	rocksdb_options_set_block_based_table_factory(o, t);
	rocksdb_block_based_options_destroy(t); /* the factory keeps what it needs */
	rocksdb_cache_destroy(c);               /* shared_ptr: the table options hold it */
	rocksdb_options_set_info_log_level(o, 3);
	rocksdb_options_set_merge_operator(o, rocksdb_mergeoperator_create(
		NULL, probe_destroy, probe_full_merge, probe_partial_merge, probe_free, probe_name));
	return o;
}

/*
 * The reader's per-query cost, isolated: store_db_query() on a STORE_READ
 * handle first calls rocksdb_try_catch_up_with_primary(). Time that call
 * alone on a secondary opened like the store's reader (max_open_files -1),
 * with RocksDB's default max_file_opening_threads (16) and with 1.
 */
static int
probe_catchup(const char *dir, int threads, int max_open, size_t calls)
{
	char *err = NULL, sec[] = "/tmp/bench-lookup-secondary-XXXXXX";
	size_t ncf = 0;
	int rc = 1;
	rocksdb_options_t *o = probe_options();
	rocksdb_options_set_max_open_files(o, max_open);
	if (threads > 0)
		rocksdb_options_set_max_file_opening_threads(o, threads);
	char **names = rocksdb_list_column_families(o, dir, &ncf, &err);
	if (err != NULL || mkdtemp(sec) == NULL) {
		fprintf(stderr, PROG ": cannot probe '%s': %s\n", dir, err ? err : strerror(errno));
		free(err);
		rocksdb_options_destroy(o);
		return 1;
	}
	const rocksdb_options_t **opts = calloc(ncf, sizeof(*opts));
	rocksdb_column_family_handle_t **cf = calloc(ncf, sizeof(*cf));
	double *lat = calloc(calls, sizeof(double));
	for (size_t i = 0; i < ncf; i++)
		opts[i] = o;
	uint64_t t = now_ns();
	rocksdb_t *db = rocksdb_open_as_secondary_column_families(
		o, dir, sec, (int)ncf, (const char *const *)names, opts, cf, &err);
	double open_ms = (double)(now_ns() - t) / 1e6;
	if (db == NULL) {
		fprintf(stderr, PROG ": cannot open '%s' as secondary: %s\n", dir, err);
		free(err);
		goto out;
	}
	for (size_t i = 0; i < calls; i++) {
		t = now_ns();
		rocksdb_try_catch_up_with_primary(db, &err);
		lat[i] = (double)(now_ns() - t) / 1000.0;
		free(err);
		err = NULL;
	}
	qsort(lat, calls, sizeof(double), cmp_double);
	printf("secondary, max_file_opening_threads %d%s, max_open_files %d: open %.1f ms; "
	       "try_catch_up_with_primary x%zu: p50 %.1f us, p99 %.1f us, max %.1f us\n",
	       rocksdb_options_get_max_file_opening_threads(o), threads > 0 ? "" : " (default)",
	       max_open, open_ms, calls,
	       pct(lat, calls, 50), pct(lat, calls, 99), lat[calls - 1]);
	for (size_t i = 0; i < ncf; i++)
		rocksdb_column_family_handle_destroy(cf[i]);
	rocksdb_close(db);
	rc = 0;
out:
	rocksdb_list_column_families_destroy(names, ncf);
	free(opts);
	free(cf);
	free(lat);
	rocksdb_options_destroy(o);
	/* the secondary's own directory: its LOG and OPTIONS files */
	DIR *d = opendir(sec);
	struct dirent *e;
	char p[4096];
	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", sec, e->d_name);
		if (e->d_name[0] != '.')
			unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(sec);
	return rc;
}

/* Open time of a plain read-only instance (no secondary, no catch-up). */
static int
probe_readonly(const char *dir, int threads)
{
	char *err = NULL;
	size_t ncf = 0;
	rocksdb_options_t *o = probe_options();
	rocksdb_options_set_max_open_files(o, -1);
	if (threads > 0)
		rocksdb_options_set_max_file_opening_threads(o, threads);
	char **names = rocksdb_list_column_families(o, dir, &ncf, &err);
	if (err != NULL) {
		fprintf(stderr, PROG ": cannot probe '%s': %s\n", dir, err);
		free(err);
		rocksdb_options_destroy(o);
		return 1;
	}
	const rocksdb_options_t **opts = calloc(ncf, sizeof(*opts));
	rocksdb_column_family_handle_t **cf = calloc(ncf, sizeof(*cf));
	for (size_t i = 0; i < ncf; i++)
		opts[i] = o;
	uint64_t t = now_ns();
	rocksdb_t *db = rocksdb_open_for_read_only_column_families(
		o, dir, (int)ncf, (const char *const *)names, opts, cf, 0, &err);
	double ms = (double)(now_ns() - t) / 1e6;
	int rc = 1;
	if (db == NULL) {
		fprintf(stderr, PROG ": cannot open '%s' read-only: %s\n", dir, err);
		free(err);
	} else {
		printf("read-only instance, max_file_opening_threads %d: open %.1f ms\n",
		       rocksdb_options_get_max_file_opening_threads(o), ms);
		for (size_t i = 0; i < ncf; i++)
			rocksdb_column_family_handle_destroy(cf[i]);
		rocksdb_close(db);
		rc = 0;
	}
	rocksdb_list_column_families_destroy(names, ncf);
	free(opts);
	free(cf);
	rocksdb_options_destroy(o);
	return rc;
}

/* --- main ---------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: " PROG " --store DIR --build-rows N [--build-seconds S] [--batch B]\n"
	        "                    [--seed S] [--write-mode]\n"
	        "       " PROG " --store DIR --queries K [--warm-only] [--primary]\n"
	        "       " PROG " --store DIR --stats | --probe-catchup | --print-targets K | --compact\n"
	        "  --build-rows N     build a fresh store of N rows (stops early after S s)\n"
	        "  --batch B          rows per store_db_put (default 10000)\n"
	        "  --write-mode       build with STORE_WRITE instead of STORE_BULK\n"
	        "  --queries K        K queries of each kind, cold then warm\n"
	        "  --warm-only        do not evict the store from the page cache first\n"
	        "  --primary          open STORE_WRITE for queries (no secondary catch-up)\n"
	        "  --stats            print the LSM shape of each column family\n"
	        "  --probe-catchup    time the reader's per-query catch-up with the writer\n"
	        "  --print-targets K  print K existing targets of each kind as pdns arguments\n"
	        "  --compact          compact every index (store_db_compact), timed\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "build-rows", required_argument, NULL, 'n' },
		{ "build-seconds", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'S' },
		{ "write-mode", no_argument, NULL, 'w' },
		{ "queries", required_argument, NULL, 'q' },
		{ "warm-only", no_argument, NULL, 'W' },
		{ "primary", no_argument, NULL, 'P' },
		{ "stats", no_argument, NULL, 'x' },
		{ "probe-catchup", no_argument, NULL, 'C' },
		{ "print-targets", required_argument, NULL, 'T' },
		{ "compact", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	uint64_t rows = 0, queries = 0, targets = 0;
	double secs = 0;
	size_t batch = 10000;
	bool bulk = true, cold = true, primary = false, stats = false, probe = false,
	     compact = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'n': rows = strtoull(optarg, NULL, 10); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		case 'w': bulk = false; break;
		case 'q': queries = strtoull(optarg, NULL, 10); break;
		case 'W': cold = false; break;
		case 'P': primary = true; break;
		case 'x': stats = true; break;
		case 'C': probe = true; break;
		case 'T': targets = strtoull(optarg, NULL, 10); break;
		case 'K': compact = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (dir == NULL || optind != argc || (rows == 0) + (queries == 0) + (targets == 0) + !stats + !probe + !compact != 5 ||
	    targets > 1000000 ||
	    batch == 0 || batch > 1000000 || queries > 10000000) {
		usage(stderr);
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rows != 0)
		return do_build(dir, rows, batch, secs, bulk);
	if (stats)
		return do_stats(dir);
	if (compact)
		return do_compact(dir);
	if (targets != 0)
		return print_targets(dir, (size_t)targets);
	if (probe)
		return probe_catchup(dir, 0, -1, 200) | probe_catchup(dir, 1, -1, 200) |
		       probe_catchup(dir, 1, 64, 200) | probe_readonly(dir, 0) |
		       probe_readonly(dir, 1);
	return do_queries(dir, (size_t)queries, cold, primary);
}
