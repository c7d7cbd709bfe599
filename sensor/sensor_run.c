/* sensor_run.c - the pipeline from capture to printed observations. */
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "sensor/sensor_dns.h"
#include "sensor/sensor_file.h"
#include "sensor/sensor_run.h"

struct sensor_run {
	struct sensor_run_cfg cfg;
	struct sensor_stats st;
	struct sensor_agg *agg, *nxd;
	struct sensor_dns *dns;
	struct sensor_pkt *pkt;
	struct sensor_sink out, nxd_out;
	int64_t last_expire;       /* packet time of the last expiry pass */
	time_t last_progress;      /* wall clock */
	pcap_t *live;
};

static volatile sig_atomic_t stop_requested;
static pcap_t *volatile live_handle;

void
sensor_run_stop(void)
{
	stop_requested = 1;
	if (live_handle != NULL)
		pcap_breakloop(live_handle);
}

int
sensor_run_new(struct sensor_run **out, const struct sensor_run_cfg *cfg,
               const struct sensor_sink *obs, const struct sensor_sink *nxd)
{
	struct sensor_run *r = calloc(1, sizeof(*r));
	int err = PROTO_ENOMEM;

	if (r == NULL)
		return PROTO_ENOMEM;
	r->cfg = *cfg;
	r->out = *obs;
	if (nxd != NULL)
		r->nxd_out = *nxd;
	/* NXDOMAIN rows are few; give them a tenth of the bound. */
	size_t nxd_bytes = cfg->cache_bytes / 10;
	if ((err = sensor_agg_new(&r->agg, cfg->cache_bytes - nxd_bytes)) != 0)
		goto fail;
	if (nxd != NULL && (err = sensor_agg_new(&r->nxd, nxd_bytes)) != 0)
		goto fail;
	if ((err = sensor_dns_new(&r->dns, r->agg, r->nxd, &r->st, cfg->all_sections)) != 0)
		goto fail;
	if ((err = sensor_pkt_new(&r->pkt, r->dns, &r->st, cfg->resolvers,
	                          cfg->nresolvers)) != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	sensor_run_destroy(&r);
	return err;
}

void
sensor_run_destroy(struct sensor_run **rp)
{
	if (rp == NULL || *rp == NULL)
		return;
	struct sensor_run *r = *rp;
	sensor_pkt_destroy(&r->pkt);
	sensor_dns_destroy(&r->dns);
	sensor_agg_destroy(&r->agg);
	sensor_agg_destroy(&r->nxd);
	free(r);
	*rp = NULL;
}

const struct sensor_stats *
sensor_run_stats(const struct sensor_run *r)
{
	return &r->st;
}

int
sensor_run_flush(struct sensor_run *r)
{
	int err = sensor_agg_flush(r->agg, r->out.row, r->out.done, r->out.arg);
	if (r->nxd != NULL) {
		int e = sensor_agg_flush(r->nxd, r->nxd_out.row, r->nxd_out.done,
		                         r->nxd_out.arg);
		if (err == 0)
			err = e;
	}
	return err;
}

static void
progress(struct sensor_run *r, bool last)
{
	time_t now = time(NULL);
	if (!last && now == r->last_progress)
		return;
	r->last_progress = now;
	fprintf(stderr, "\rpdns-sensor: %llu packets, %llu responses, %zu held%s",
	        (unsigned long long)r->st.v[SENSOR_ST_packets],
	        (unsigned long long)r->st.v[SENSOR_ST_responses],
	        sensor_agg_count(r->agg), last ? "\n" : "");
}

/* When a table reached its memory bound, print (or store) everything held. */
static int
flush_if_full(struct sensor_run *r)
{
	if (!sensor_agg_is_full(r->agg) && (r->nxd == NULL || !sensor_agg_is_full(r->nxd)))
		return 0;
	SENSOR_STAT_INC(&r->st, flushes);
	return sensor_run_flush(r);
}

/* One frame from a file or the wire. */
static int
frame(void *arg, int linktype, const uint8_t *data, size_t caplen,
      size_t wirelen, int64_t sec, uint32_t nsec)
{
	struct sensor_run *r = arg;
	int err;

	(void)nsec; /* aggregates keep whole seconds */
	if (sec - r->last_expire >= 1 || sec < r->last_expire) {
		sensor_pkt_expire(r->pkt, sec);
		r->last_expire = sec;
		if (r->cfg.progress && (r->st.v[SENSOR_ST_packets] & 0x3ff) == 0)
			progress(r, false);
	}
	err = sensor_pkt_frame(r->pkt, linktype, data, caplen, wirelen, sec);
	if (err != 0)
		return err;
	return flush_if_full(r);
}

int
sensor_run_file(struct sensor_run *r, const char *path, char *why, size_t whylen)
{
	int err = sensor_file_read(path, frame, r, why, whylen);
	if (r->cfg.progress)
		progress(r, true);
	return err;
}

static void
live_cb(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct sensor_run *r = (struct sensor_run *)arg;
	/* Timestamps were asked for in nanoseconds when the interface opened. */
	int err = frame(r, pcap_datalink(r->live), data, h->caplen, h->len,
	                (int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec);
	if (err != 0)
		pcap_breakloop(r->live);
}

static int
live_open(struct sensor_run *r, const char *iface, char *why, size_t whylen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, ebuf);
	int rc;

	if (p == NULL) {
		snprintf(why, whylen, "%s", ebuf);
		return PROTO_ENOENT;
	}
	pcap_set_snaplen(p, r->cfg.snaplen);
	pcap_set_promisc(p, r->cfg.promisc ? 1 : 0);
	pcap_set_timeout(p, 200);
	pcap_set_buffer_size(p, 16 << 20);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(why, whylen, "%s", pcap_geterr(p));
		pcap_close(p);
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			return PROTO_ENOENT;
		if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
			return PROTO_EPERM;
		return PROTO_EIO;
	}
	if (!sensor_pkt_link_supported(pcap_datalink(p))) {
		snprintf(why, whylen, "unsupported link type %d", pcap_datalink(p));
		pcap_close(p);
		return PROTO_ENOTSUP;
	}
	if (r->cfg.filter != NULL) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, r->cfg.filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(p, &prog) != 0) {
			snprintf(why, whylen, "filter '%s': %s", r->cfg.filter, pcap_geterr(p));
			pcap_close(p);
			return PROTO_EINVAL;
		}
		pcap_freecode(&prog);
	}
	r->live = p;
	return 0;
}

int
sensor_run_live(struct sensor_run *r, const char *iface, char *why, size_t whylen)
{
	int err = live_open(r, iface, why, whylen);
	time_t next_flush;

	if (err != 0)
		return err;
	live_handle = r->live;
	next_flush = time(NULL) + r->cfg.flush_interval;
	/*
	 * pcap_dispatch alone may block while the link is idle (TPACKET_V3
	 * returns a block only once a packet came), so the flush interval
	 * would wait for the next packet: poll the capture's descriptor with a
	 * timeout and read without blocking.
	 */
	char errbuf[PCAP_ERRBUF_SIZE];
	int fd = pcap_setnonblock(r->live, 1, errbuf) == 0 ? pcap_get_selectable_fd(r->live) : -1;
	while (!stop_requested) {
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			(void)poll(&pfd, 1, 200);
		}
		int n = pcap_dispatch(r->live, -1, live_cb, (u_char *)r);
		if (n == PCAP_ERROR) {
			snprintf(why, whylen, "capture failed: %s", pcap_geterr(r->live));
			err = PROTO_EIO;
			break;
		}
		if (time(NULL) >= next_flush) {
			if ((err = sensor_run_flush(r)) != 0) {
				snprintf(why, whylen, "cannot write output");
				break;
			}
			next_flush = time(NULL) + r->cfg.flush_interval;
		}
	}
	live_handle = NULL;
	struct pcap_stat ps;
	if (pcap_stats(r->live, &ps) == 0 && (ps.ps_drop > 0 || ps.ps_ifdrop > 0))
		fprintf(stderr, "pdns-sensor: %s: kernel dropped %u packets, interface %u\n",
		        iface, ps.ps_drop, ps.ps_ifdrop);
	pcap_close(r->live);
	r->live = NULL;
	return err;
}

int
sensor_run_message(struct sensor_run *r, const uint8_t *msg, size_t len,
                   int64_t sec, const uint8_t *zone, size_t zlen)
{
	int err = sensor_dns_process_zone(r->dns, msg, len, sec, zone, zlen);
	if (err != 0)
		return err;
	return flush_if_full(r);
}

struct sensor_stats *
sensor_run_counters(struct sensor_run *r)
{
	return &r->st;
}

bool
sensor_run_stopping(void)
{
	return stop_requested != 0;
}
