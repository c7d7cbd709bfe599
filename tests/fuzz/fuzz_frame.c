/*
 * fuzz_frame.c - libFuzzer target: a sequence of frames through the link,
 * IP, fragment, TCP and DNS layers, so reassembly state is exercised across
 * frames. Input layout, repeated: 1 byte link type selector, 1 byte flags
 * (bit 0: frame cut by the snap length), 2 bytes big-endian frame length,
 * the frame. Timestamps advance one second every 16 frames so timeouts fire.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sensor/sensor_dns.h"
#include "sensor/sensor_out.h"
#include "sensor/sensor_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static struct sensor_stats st;
	static struct sensor_agg *agg, *nxd;
	/* The DNS parser keeps no state between messages but its scratch
	 * space: reused, so each input costs no megabytes of allocation. */
	static struct sensor_dns *dns;
	struct sensor_pkt *pkt = NULL;
	struct sensor_out out;
	struct sensor_addr res[1];
	size_t pos = 0;
	int64_t ts = 1700000000;

	if (null == NULL) {
		if ((null = fopen("/dev/null", "w")) == NULL ||
		    sensor_agg_new(&agg, 1 << 20) != 0 || sensor_agg_new(&nxd, 1 << 16) != 0 ||
		    sensor_dns_new(&dns, agg, nxd, &st, true) != 0)
			abort();
	}
	(void)sensor_addr_parse("192.0.2.53", &res[0]);
	/* Fragment and TCP state are new for every input, so a crash
	 * reproduces from its input alone. */
	if (sensor_pkt_new(&pkt, dns, &st, res, (size & 3) == 3 ? 1 : 0) != 0)
		abort();
	sensor_out_init(&out, null, SENSOR_FMT_COF);
	for (unsigned n = 0; size - pos >= 4; n++) {
		int link = links[data[pos] % (sizeof(links) / sizeof(links[0]))];
		int cut = data[pos + 1] & 1;
		size_t len = (size_t)(data[pos + 2] << 8 | data[pos + 3]);
		pos += 4;
		if (len > size - pos)
			len = size - pos;
		if (n % 16 == 15)
			ts++;
		sensor_pkt_expire(pkt, ts);
		(void)sensor_pkt_frame(pkt, link, data + pos, len, cut ? len + 100 : len, ts);
		pos += len;
		if (sensor_agg_is_full(agg))
			(void)sensor_agg_flush(agg, sensor_out_row, sensor_out_flush, &out);
	}
	(void)sensor_agg_flush(agg, sensor_out_row, sensor_out_flush, &out);
	(void)sensor_agg_flush(nxd, sensor_out_row, sensor_out_flush, &out);
	sensor_pkt_destroy(&pkt);
	return 0;
}
