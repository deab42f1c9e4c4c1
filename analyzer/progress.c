/* progress.c - the progress line (see progress.h). */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct progress {
	uint64_t total;     /* bytes, 0: unknown */
	double start, last;
	uint64_t calls;
	int drawn;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

progress_t *progress_new(const char *const *paths, size_t n)
{
	progress_t *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode)) {
			p->total = 0;
			break;
		}
		p->total += (uint64_t)st.st_size;
	}
	p->start = p->last = now_s();
	return p;
}

void progress_update(progress_t *p, uint64_t records, uint64_t bytes)
{
	if (!p || (++p->calls & 1023))
		return;
	double t = now_s();
	if (t - p->start < 0.5 || t - p->last < 0.2)
		return;
	p->last = t;
	/* File bytes read: the captured bytes plus a record header each (16 in
	 * pcap, about 32 in pcapng): close enough for a rate and an ETA. */
	uint64_t done = bytes + 16 * records;
	if (p->total && done > p->total)
		done = p->total;
	double el = t - p->start, rate = (double)done / el;
	char tail[96] = "";
	if (p->total && rate > 0) {
		double left = (double)(p->total - done) / rate;
		snprintf(tail, sizeof tail, " of %.1f MB (%.0f%%), ETA %d:%02d", (double)p->total / 1e6,
		         100.0 * (double)done / (double)p->total, (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[Kdnsfrag-analyze: %.1f MB%s, %" PRIu64 " packets, %.1f MB/s", (double)done / 1e6, tail,
	        records, rate / 1e6);
	fflush(stderr);
	p->drawn = 1;
}

void progress_done(progress_t *p)
{
	if (!p)
		return;
	if (p->drawn)
		fputs("\r\033[K", stderr);
	free(p);
}
