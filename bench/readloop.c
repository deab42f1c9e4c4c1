/* readloop.c - the limit for dnsfrag-analyze: libpcap reading every record of
 * a capture and doing nothing else (pcap_open_offline + pcap_next_ex).
 * Usage: bench/readloop CAPTURE      prints "records N bytes N" (captured bytes) */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: readloop CAPTURE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t records = 0, bytes = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		records++;
		bytes += h->caplen;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "readloop: %s\n", pcap_geterr(p));
	pcap_close(p);
	printf("records %" PRIu64 " bytes %" PRIu64 "\n", records, bytes);
	return rc == PCAP_ERROR;
}
