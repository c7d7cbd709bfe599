/*
 * fuzz_dns.c - libFuzzer target: one DNS message through the response
 * parser, rdata formatter, bailiwick logic and aggregation, then a flush
 * through the COF printer. Every path that untrusted message bytes reach.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sensor/sensor_dns.h"
#include "sensor/sensor_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sensor_agg *agg, *nxd;
	static struct sensor_dns *dns;
	static struct sensor_stats st;
	static struct sensor_out out;
	static FILE *null;

	if (dns == NULL) {
		null = fopen("/dev/null", "w");
		if (null == NULL || sensor_agg_new(&agg, 1 << 20) != 0 ||
		    sensor_agg_new(&nxd, 1 << 20) != 0 ||
		    sensor_dns_new(&dns, agg, nxd, &st, true) != 0)
			abort();
		sensor_out_init(&out, null, SENSOR_FMT_COF);
	}
	if (size > 65535)
		return 0;
	(void)sensor_dns_process(dns, data, size, 1700000000, false);
	(void)sensor_agg_flush(agg, sensor_out_row, sensor_out_flush, &out);
	out.fmt = (size & 1) ? SENSOR_FMT_PASSIVEDNS : SENSOR_FMT_COF;
	(void)sensor_agg_flush(nxd, sensor_out_row, sensor_out_flush, &out);
	return 0;
}
