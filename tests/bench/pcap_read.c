/*
 * pcap_read.c - the baseline for the sensor benchmark: libpcap's raw read
 * rate (a pcap_next_ex loop touching nothing but the header).
 * Usage: pcap_read FILE; prints "packets SECONDS".
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int
main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0;
	struct timespec t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_read FILE\n");
		return 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pcap_t *p = pcap_open_offline(argv[1], ebuf);
	if (p == NULL) {
		fprintf(stderr, "pcap_read: %s\n", ebuf);
		return 66;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		bytes += h->caplen;
	}
	pcap_close(p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%llu %.6f %llu\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       bytes);
	return 0;
}
