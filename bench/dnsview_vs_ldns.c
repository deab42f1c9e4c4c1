/* dnsview_vs_ldns.c - is the project's cursor-based DNS view measurably faster
 * than a full ldns parse for the per-packet path? Parses the DNS messages of
 * the given captures' UDP/53 datagrams N times each way and prints ns/message.
 * Usage: bench/dnsview_vs_ldns ROUNDS CAPTURE...   (built by `make bench`) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "capture.h"
#include "dnsview.h"
#include "pipeline.h"

typedef struct msgs {
	uint8_t **data;
	uint32_t *len;
	size_t n, cap;
} msgs_t;

static void collect(void *ctx, const dns_msg_t *m)
{
	msgs_t *ms = ctx;
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 1024;
		ms->data = realloc(ms->data, ms->cap * sizeof *ms->data);
		ms->len = realloc(ms->len, ms->cap * sizeof *ms->len);
	}
	ms->data[ms->n] = malloc(m->wire_caplen);
	memcpy(ms->data[ms->n], m->wire, m->wire_caplen);
	ms->len[ms->n++] = m->wire_caplen;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s ROUNDS CAPTURE...\n", argv[0]);
		return 3;
	}
	int rounds = atoi(argv[1]);
	msgs_t ms = { 0 };
	char err[256];
	capture_t *cap = capture_open((const char *const *)argv + 2, (size_t)(argc - 2), err, sizeof err);
	if (!cap) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	pipeline_config_t cfg;
	pipeline_config_default(&cfg);
	pipeline_hooks_t hooks = { .ctx = &ms, .dns = collect };
	pipeline_t *p = pipeline_new(&cfg, &hooks);
	capture_record_t rec;
	while (capture_next(cap, &rec) == 1)
		pipeline_feed(p, &rec);
	pipeline_flush(p);
	printf("%zu DNS messages, %d rounds\n", ms.n, rounds);
	uint64_t sink = 0;
	double t0 = now_s();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ms.n; i++) {
			dns_view_t v;
			decode_counts_t dc = { 0 };
			dns_view_parse(cursor_make(ms.data[i], ms.len[i]), ms.len[i], &v, &dc);
			sink += v.id + v.udp_size;
		}
	double t1 = now_s();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ms.n; i++) {
			ldns_pkt *pkt = NULL;
			if (ldns_wire2pkt(&pkt, ms.data[i], ms.len[i]) == LDNS_STATUS_OK) {
				sink += ldns_pkt_id(pkt) + ldns_pkt_edns_udp_size(pkt);
				ldns_pkt_free(pkt);
			}
		}
	double t2 = now_s();
	double n = (double)ms.n * rounds;
	printf("dns_view_parse: %.0f ns/message\nldns_wire2pkt:  %.0f ns/message\nratio: %.1fx (sink %" PRIu64 ")\n",
	       (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, (t2 - t1) / (t1 - t0), sink);
	return 0;
}
