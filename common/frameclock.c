/* frameclock.c - frame -> capture time (see frameclock.h). */
#include "frameclock.h"

#include <stdlib.h>

#include "packet.h"

struct frameclock {
	uint64_t *frame;
	int64_t *ts;
	uint32_t n;
	uint8_t unsorted;  /* a frame number lower than the one before it was recorded */
	uint64_t dropped;
};

frameclock_t *frameclock_new(void)
{
	frameclock_t *fc = calloc(1, sizeof *fc);
	if (!fc)
		return NULL;
	fc->frame = malloc(FRAMECLOCK_MAX * sizeof *fc->frame);
	fc->ts = malloc(FRAMECLOCK_MAX * sizeof *fc->ts);
	if (!fc->frame || !fc->ts) {
		frameclock_free(fc);
		return NULL;
	}
	return fc;
}

void frameclock_free(frameclock_t *fc)
{
	if (!fc)
		return;
	free(fc->frame);
	free(fc->ts);
	free(fc);
}

static void frameclock_packet(void *ctx, const pkt_t *pkt)
{
	frameclock_t *fc = ctx;
	if (fc->n && pkt->frame == fc->frame[fc->n - 1])
		return; /* the same frame again (a packet inside a tunnel) */
	if (fc->n == FRAMECLOCK_MAX) {
		fc->dropped++;
		return;
	}
	if (fc->n && pkt->frame < fc->frame[fc->n - 1])
		fc->unsorted = 1;
	fc->frame[fc->n] = pkt->frame;
	fc->ts[fc->n] = pkt->ts_ns;
	fc->n++;
}

pipeline_hooks_t frameclock_hooks(frameclock_t *fc)
{
	pipeline_hooks_t h = { 0 };
	h.ctx = fc;
	h.packet = frameclock_packet;
	return h;
}

typedef struct pair {
	uint64_t frame;
	int64_t ts;
} pair_t;

static int pair_cmp(const void *a, const void *b)
{
	const pair_t *x = a, *y = b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Frames recorded out of order (rare): sort once, on the first look-up. */
static void frameclock_sort(frameclock_t *fc)
{
	pair_t *p = malloc((fc->n ? fc->n : 1) * sizeof *p);
	if (!p) {
		fc->n = 0; /* nothing known rather than wrong times */
		return;
	}
	for (uint32_t i = 0; i < fc->n; i++)
		p[i] = (pair_t){ fc->frame[i], fc->ts[i] };
	qsort(p, fc->n, sizeof *p, pair_cmp);
	for (uint32_t i = 0; i < fc->n; i++) {
		fc->frame[i] = p[i].frame;
		fc->ts[i] = p[i].ts;
	}
	free(p);
	fc->unsorted = 0;
}

int frameclock_get(frameclock_t *fc, uint64_t frame, int64_t *ts)
{
	if (!fc || !frame)
		return 0;
	if (fc->unsorted)
		frameclock_sort(fc);
	uint32_t lo = 0, hi = fc->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (fc->frame[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < fc->n && fc->frame[lo] == frame) {
		*ts = fc->ts[lo];
		return 1;
	}
	return 0;
}

uint64_t frameclock_dropped(const frameclock_t *fc) { return fc ? fc->dropped : 0; }
