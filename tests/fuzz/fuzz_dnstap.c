/*
 * fuzz_dnstap.c - libFuzzer target: untrusted dnstap input through the
 * Frame Streams parser, the dnstap decoder (type walk, protobuf-c,
 * query_zone), the DNS parser with an explicit zone, aggregation and the
 * COF printer.
 *
 * The first octet picks the mode. Below 0x80: the rest is one data frame
 * (a serialized dnstap.Dnstap) and the octet's low 3 bits are the kept
 * types (0: the default). From 0x80: the rest is what a socket would carry
 * (handshake, frames, STOP), fed (octet & 0x7f) octets at a time (0: all at
 * once), with replies written to a socket pair. Seeds: tests/dnstap/dnstap_gen
 * corpus DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sensor/sensor_dnstap.h"
#include "sensor/sensor_dns.h"
#include "sensor/sensor_fstrm.h"
#include "sensor/sensor_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sensor_agg *agg, *nxd;
static struct sensor_dns *dns;
static struct sensor_stats st;
static unsigned types;

static int
to_dns(void *arg, const struct sensor_dnstap_msg *m)
{
	(void)arg;
	return sensor_dns_process_zone(dns, m->dns, m->len, m->sec, m->zone, m->zlen);
}

static int
frame(void *arg, const uint8_t *data, size_t len)
{
	return sensor_dnstap_frame(data, len, types, &st, to_dns, arg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sensor_out out;
	static FILE *null;
	static int sv[2] = { -1, -1 };
	bool open;

	if (dns == NULL) {
		null = fopen("/dev/null", "w");
		if (null == NULL || sensor_agg_new(&agg, 1 << 20) != 0 ||
		    sensor_agg_new(&nxd, 1 << 20) != 0 ||
		    sensor_dns_new(&dns, agg, nxd, &st, true) != 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			abort();
		sensor_out_init(&out, null, SENSOR_FMT_COF);
	}
	if (size == 0 || size > (1u << 20))
		return 0;
	if (data[0] < 0x80) {
		types = data[0] & 7;
		(void)frame(NULL, data + 1, size - 1);
	} else {
		types = 0;
		(void)sensor_fstrm_feed(sv[0], data + 1, size - 1, data[0] & 0x7f,
		                        SENSOR_DNSTAP_CONTENT_TYPE, SENSOR_DNSTAP_MAX_FRAME,
		                        &st, frame, NULL, &open);
		/* Drain the replies so the pair never fills. */
		char buf[4096];
		while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	(void)sensor_agg_flush(agg, sensor_out_row, sensor_out_flush, &out);
	(void)sensor_agg_flush(nxd, sensor_out_row, sensor_out_flush, &out);
	return 0;
}
