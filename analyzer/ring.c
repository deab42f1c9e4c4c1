/* ring.c - failing transactions' frames for replay (see ring.h). */
#include "ring.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ring_frame {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	uint8_t *data;
	ip_addr_t src, dst;   /* family 0: not IP (or not decoded) */
} ring_frame_t;

typedef struct ring_kept_txn {
	ring_frame_t f[RING_TXN_FRAMES];
	uint32_t n;
} ring_kept_txn_t;

struct ring {
	int dlt;
	ring_frame_t *recent;     /* circular, RING_RECENT_FRAMES */
	uint64_t nrecent;         /* frames ever stored; slot = index % RING_RECENT_FRAMES */
	uint64_t oldest;          /* index of the oldest still held */
	uint64_t bytes;
	ring_kept_txn_t *kept;    /* circular, ntxn */
	uint32_t ntxn, nkept, next;
};

ring_t *ring_new(int dlt, uint32_t ntxn)
{
	ring_t *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->dlt = dlt;
	r->ntxn = ntxn;
	r->recent = calloc(RING_RECENT_FRAMES, sizeof *r->recent);
	r->kept = calloc(ntxn, sizeof *r->kept);
	if (!r->recent || !r->kept) {
		ring_free(r);
		return NULL;
	}
	return r;
}

static void kept_clear(ring_kept_txn_t *k)
{
	for (uint32_t i = 0; i < k->n; i++)
		free(k->f[i].data);
	k->n = 0;
}

void ring_free(ring_t *r)
{
	if (!r)
		return;
	if (r->recent)
		for (uint64_t i = r->oldest; i < r->nrecent; i++)
			free(r->recent[i % RING_RECENT_FRAMES].data);
	if (r->kept)
		for (uint32_t i = 0; i < r->ntxn; i++)
			kept_clear(&r->kept[i]);
	free(r->recent);
	free(r->kept);
	free(r);
}

static void recent_drop_oldest(ring_t *r)
{
	ring_frame_t *o = &r->recent[r->oldest % RING_RECENT_FRAMES];
	r->bytes -= o->caplen;
	free(o->data);
	o->data = NULL;
	r->oldest++;
}

void ring_frame(ring_t *r, uint64_t frame, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	while (r->nrecent - r->oldest >= RING_RECENT_FRAMES || (r->nrecent > r->oldest && r->bytes + caplen > RING_RECENT_BYTES))
		recent_drop_oldest(r);
	uint8_t *copy = malloc(caplen ? caplen : 1);
	if (!copy)
		return;
	memcpy(copy, data, caplen);
	ring_frame_t *f = &r->recent[r->nrecent % RING_RECENT_FRAMES];
	*f = (ring_frame_t){ .frame = frame, .ts_ns = ts_ns, .caplen = caplen, .wirelen = wirelen, .data = copy };
	r->nrecent++;
	r->bytes += caplen;
}

static void ring_on_packet(void *ctx, const pkt_t *pkt)
{
	ring_t *r = ctx;
	if (r->nrecent == r->oldest || !pkt->ip.version)
		return;
	ring_frame_t *f = &r->recent[(r->nrecent - 1) % RING_RECENT_FRAMES];
	if (f->frame == pkt->frame && !f->src.family) {
		f->src = pkt->ip.src;
		f->dst = pkt->ip.dst;
	}
}

pipeline_hooks_t ring_hooks(ring_t *r)
{
	pipeline_hooks_t h = { 0 };
	h.ctx = r;
	h.packet = ring_on_packet;
	return h;
}

static int txn_failing(const txn_t *t)
{
	if (t->verdict == TXN_ORPHAN_ANSWER || !t->has_query)
		return 0;
	return !t->delivered || t->verdict == TXN_FRAGMENTS_LOST || t->verdict == TXN_DISCARDED;
}

/* The held frame with this number, or NULL (frame numbers only grow). */
static const ring_frame_t *recent_find(const ring_t *r, uint64_t frame)
{
	uint64_t lo = r->oldest, hi = r->nrecent;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const ring_frame_t *f = &r->recent[mid % RING_RECENT_FRAMES];
		if (f->frame == frame)
			return f;
		if (f->frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int pair_of(const ring_frame_t *f, const txn_t *t)
{
	return (ip_addr_equal(&f->src, &t->client) && ip_addr_equal(&f->dst, &t->server)) ||
	       (ip_addr_equal(&f->src, &t->server) && ip_addr_equal(&f->dst, &t->client));
}

void ring_txn(ring_t *r, const txn_t *t)
{
	if (!txn_failing(t) || r->nrecent == r->oldest)
		return;
	uint64_t last = t->query_frame;
	const uint64_t named[] = { t->answer_frame, t->lost_first_frame, t->tcp_syn_frame, t->tcp_answer_frame };
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i] > last)
			last = named[i];
	for (uint32_t i = 0; i < t->nicmp; i++)
		if (t->icmp[i].frame > last)
			last = t->icmp[i].frame;
	const ring_frame_t *lf = recent_find(r, last);
	int64_t end_ts = (lf ? lf->ts_ns : t->query_ts) + 1000000000LL;
	ring_kept_txn_t *k = &r->kept[r->next];
	kept_clear(k);
	for (uint64_t i = r->oldest; i < r->nrecent && k->n < RING_TXN_FRAMES; i++) {
		const ring_frame_t *f = &r->recent[i % RING_RECENT_FRAMES];
		if (f->frame < t->query_frame)
			continue;
		if (f->frame > last && f->ts_ns > end_ts)
			break;
		int want = pair_of(f, t);
		for (uint32_t c = 0; c < t->nicmp && !want; c++)
			want = f->frame == t->icmp[c].frame;
		if (!want)
			continue;
		ring_frame_t *copy = &k->f[k->n];
		*copy = *f;
		if (!(copy->data = malloc(f->caplen ? f->caplen : 1)))
			break;
		memcpy(copy->data, f->data, f->caplen);
		k->n++;
	}
	if (!k->n)
		return;
	r->next = (r->next + 1) % r->ntxn;
	if (r->nkept < r->ntxn)
		r->nkept++;
}

uint32_t ring_kept(const ring_t *r)
{
	return r->nkept;
}

static int frame_cmp(const void *a, const void *b)
{
	const ring_frame_t *x = *(const ring_frame_t *const *)a, *y = *(const ring_frame_t *const *)b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

int ring_write(const ring_t *r, const char *path, char *err, size_t errlen)
{
	size_t n = 0;
	const ring_frame_t **all = malloc(((size_t)r->ntxn * RING_TXN_FRAMES + 1) * sizeof *all);
	if (!all)
		return snprintf(err, errlen, "out of memory"), -1;
	for (uint32_t i = 0; i < r->ntxn; i++)
		for (uint32_t j = 0; j < r->kept[i].n; j++)
			all[n++] = &r->kept[i].f[j];
	qsort(all, n, sizeof *all, frame_cmp);
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(r->dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, tmp) : NULL;
	if (!d) {
		snprintf(err, errlen, "%s: %s", tmp, dead ? pcap_geterr(dead) : "out of memory");
		if (dead)
			pcap_close(dead);
		free(all);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (i && all[i]->frame == all[i - 1]->frame)
			continue; /* a frame two failing transactions share, once */
		struct pcap_pkthdr h = { .caplen = all[i]->caplen, .len = all[i]->wirelen };
		h.ts.tv_sec = (time_t)(all[i]->ts_ns / 1000000000LL);
		h.ts.tv_usec = (suseconds_t)(all[i]->ts_ns % 1000000000LL); /* nanoseconds: see the precision above */
		pcap_dump((u_char *)d, &h, all[i]->data);
	}
	free(all);
	int bad = pcap_dump_flush(d) < 0;
	pcap_dump_close(d);
	pcap_close(dead);
	if (bad || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return snprintf(err, errlen, "%s: %s", path, bad ? "write error" : strerror(e)), -1;
	}
	return 0;
}
