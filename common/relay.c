/* relay.c - the pipeline's hook calls, copied through a ring to a consumer
 * thread (see relay.h).
 *
 * The ring is single-producer single-consumer: the pipeline's thread appends
 * records, the consumer thread takes them in order. Each side publishes its
 * position in batches (RELAY_BATCH bytes), not per record, so the two cache
 * lines holding the positions change hands about once per batch instead of
 * once per packet. A side with nothing to do sleeps on a condition variable
 * and is woken by the other after its next publish.
 */
#include "relay.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELAY_ALIGN 8
#define RELAY_BATCH (16u << 10) /* bytes between publishes */
#define RELAY_SPINS 4096        /* polls of the other side before sleeping (about 50-200 us) */

typedef enum relay_kind {
	RELAY_WRAP = 1, /* the rest of the ring is unused: go on at its start */
	RELAY_SPILL,    /* the call is in a heap copy too big for the ring */
	RELAY_TICK,
	RELAY_PACKET,
	RELAY_REASM,
	RELAY_DNS,
	RELAY_ICMP,
	RELAY_TCP,
} relay_kind_t;

typedef struct relay_hdr {
	uint32_t kind; /* relay_kind_t */
	uint32_t len;  /* of the whole record, header included: a multiple of RELAY_ALIGN */
} relay_hdr_t;

/* Each call's fixed part, after its header; variable parts follow, each
 * padded to RELAY_ALIGN. Records are written and read in place (the ring is
 * 64-byte aligned and every record starts RELAY_ALIGN-aligned). */
typedef struct tick_rec { /* a packet that is not a fragment */
	uint64_t frame;
	int64_t ts_ns;
	uint32_t caplen, wirelen, point;
	uint8_t version;
} tick_rec_t;

typedef struct packet_rec { /* a fragment */
	uint64_t nbytes; /* ip.payload bytes carried */
	pkt_t pkt;
} packet_rec_t;

typedef struct reasm_rec {
	uint32_t point, nranges, npieces;
	reasm_event_t ev;
	reasm_key_t key;
} reasm_rec_t;

typedef struct dns_rec {
	uint32_t qname_len; /* with its NUL */
	uint32_t npieces;
	dns_msg_t msg;
} dns_rec_t;

typedef struct icmp_rec {
	pkt_t pkt;
	l4_icmp_t icmp;
} icmp_rec_t;

typedef struct tcp_rec {
	uint32_t point;
	tcps_event_t ev;
	tcp_flow_key_t key;
} tcp_rec_t;

typedef struct spill_rec {
	uint8_t *copy; /* a whole record, malloc'd; the consumer frees it */
} spill_rec_t;

/* ICMP and TCP calls always go in the ring (relay_reserve's bound), and every
 * record is read in place at RELAY_ALIGN. */
_Static_assert(sizeof(relay_hdr_t) + sizeof(icmp_rec_t) <= RELAY_RING_MIN / 4, "ICMP record too large");
_Static_assert(sizeof(relay_hdr_t) + sizeof(tcp_rec_t) <= RELAY_RING_MIN / 4, "TCP record too large");
_Static_assert(_Alignof(packet_rec_t) <= RELAY_ALIGN && _Alignof(reasm_rec_t) <= RELAY_ALIGN &&
                       _Alignof(dns_rec_t) <= RELAY_ALIGN && _Alignof(icmp_rec_t) <= RELAY_ALIGN &&
                       _Alignof(tcp_rec_t) <= RELAY_ALIGN && _Alignof(tick_rec_t) <= RELAY_ALIGN &&
                       _Alignof(spill_rec_t) <= RELAY_ALIGN,
               "a record needs more than RELAY_ALIGN");

/* A dns_view_t is carried without the unused tail of its 1 kB qname. */
#define VIEW_HEAD_LEN offsetof(dns_view_t, qname)
#define VIEW_TAIL_OFF offsetof(dns_view_t, qtype)
#define VIEW_TAIL_LEN (sizeof(dns_view_t) - VIEW_TAIL_OFF)

struct relay {
	/* set before the thread starts, then only read */
	pipeline_hooks_t out; /* the consumer's */
	uint8_t *ring;
	size_t size, mask;
	int threaded;

	/* the producer's own: a cache line of their own, or the consumer's reads
	 * of the fields above would pull them across at every record */
	_Alignas(64) size_t wpos; /* bytes written (a running count; & mask for the offset) */
	size_t wpub;          /* the last wpos published */
	size_t tail_seen;     /* the consumer's position as last read */
	size_t want;          /* free bytes a waiting producer needs */
	int finished;
	relay_stats_t stats;  /* but the consumer's fields, kept below */
	/* relay_elide_dns_ticks: a packet that is not a fragment is held as a
	 * tick until the next call shows whether it goes */
	int elide_dns_ticks;
	int tick_held;
	tick_rec_t held_tick;

	/* the consumer's own */
	_Alignas(64) size_t rpos;
	size_t rpub, head_seen;
	uint64_t consumer_waits;
	uint64_t consumer_cpu_ns, consumer_wait_ns; /* set as its thread ends */
	pkt_t tick_pkt;       /* call_tick's */

	/* shared */
	_Alignas(64) _Atomic size_t head; /* published by the producer */
	_Alignas(64) _Atomic size_t tail; /* published by the consumer */
	_Alignas(64) _Atomic int consumer_sleeping;
	_Alignas(64) _Atomic int producer_sleeping;
	_Atomic int done;
	pthread_mutex_t mu;
	pthread_cond_t wake_consumer, wake_producer;
	pthread_t thread;
};

static size_t pad(size_t n) { return (n + RELAY_ALIGN - 1) & ~(size_t)(RELAY_ALIGN - 1); }

/* ---- encoding: each call into one record at dst (len bytes, from *_len) */

#define BODY(type, rec) ((type *)((rec) + sizeof(relay_hdr_t)))

static uint8_t *put(uint8_t *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
	return dst + pad(n);
}

static int packet_is_fragment(const pkt_t *pkt) { return pkt->ip.is_fragment; }

static size_t packet_len(const pkt_t *pkt)
{
	if (!packet_is_fragment(pkt))
		return sizeof(relay_hdr_t) + pad(sizeof(tick_rec_t));
	size_t n = pkt->ip.frag_offset == 0 ? cursor_left(&pkt->ip.payload) : 0;
	return sizeof(relay_hdr_t) + pad(sizeof(packet_rec_t)) + pad(n);
}

/* Most packets are not fragments: of those the tracker reads no more than the
 * time (it expires transactions by capture time), so they go as a tick. */
static void tick_encode(tick_rec_t *t, const pkt_t *pkt)
{
	t->frame = pkt->frame;
	t->ts_ns = pkt->ts_ns;
	t->caplen = pkt->caplen;
	t->wirelen = pkt->wirelen;
	t->point = pkt->point;
	t->version = pkt->ip.version;
}

static relay_kind_t packet_encode(uint8_t *dst, const pkt_t *pkt)
{
	if (!packet_is_fragment(pkt)) {
		tick_encode(BODY(tick_rec_t, dst), pkt);
		return RELAY_TICK;
	}
	packet_rec_t *rec = BODY(packet_rec_t, dst);
	const cursor_t *c = &pkt->ip.payload;
	rec->nbytes = pkt->ip.frag_offset == 0 ? cursor_left(c) : 0;
	rec->pkt = *pkt;
	rec->pkt.ip.payload = cursor_make(NULL, 0);
	put((uint8_t *)rec + pad(sizeof *rec), rec->nbytes ? cursor_ptr(c) : NULL, rec->nbytes);
	return RELAY_PACKET;
}

static size_t reasm_len(const reasm_event_t *ev)
{
	return sizeof(relay_hdr_t) + pad(sizeof(reasm_rec_t)) +
	       pad((ev->ranges ? ev->nranges : 0) * sizeof *ev->ranges) +
	       pad((ev->pieces ? ev->npieces : 0) * sizeof *ev->pieces);
}

static void reasm_encode(uint8_t *dst, const reasm_event_t *ev, uint32_t point)
{
	reasm_rec_t *rec = BODY(reasm_rec_t, dst);
	memset(rec, 0, sizeof *rec);
	rec->point = point;
	rec->nranges = ev->ranges ? ev->nranges : 0;
	rec->npieces = ev->pieces ? ev->npieces : 0;
	rec->ev = *ev;
	if (ev->key)
		rec->key = *ev->key;
	rec->ev.key = NULL;
	rec->ev.data = NULL;
	rec->ev.len = 0;
	rec->ev.ranges = NULL;
	rec->ev.pieces = NULL;
	uint8_t *p = put((uint8_t *)rec + pad(sizeof *rec), ev->ranges, rec->nranges * sizeof *ev->ranges);
	put(p, ev->pieces, rec->npieces * sizeof *ev->pieces);
}

/* With its NUL; the view measured it (dns_view_t.qname_len). */
static size_t qname_len(const dns_view_t *v)
{
	return (v->qname_len < sizeof v->qname - 1 ? v->qname_len : sizeof v->qname - 1) + 1;
}

/* qlen: qname_len(m->view), which the caller measures once for both. */
static size_t dns_len(const dns_msg_t *m, size_t qlen)
{
	return sizeof(relay_hdr_t) + pad(sizeof(dns_rec_t)) + pad(VIEW_HEAD_LEN) + pad(qlen) +
	       pad(VIEW_TAIL_LEN) + pad((m->pieces ? m->nfrags : 0) * sizeof *m->pieces);
}

static void dns_encode(uint8_t *dst, const dns_msg_t *m, size_t qlen)
{
	dns_rec_t *rec = BODY(dns_rec_t, dst);
	rec->qname_len = (uint32_t)qlen;
	rec->npieces = m->pieces ? m->nfrags : 0;
	rec->msg = *m;
	rec->msg.view = NULL;
	rec->msg.wire = NULL;
	rec->msg.wire_caplen = 0;
	rec->msg.pieces = NULL;
	uint8_t *p = put((uint8_t *)rec + pad(sizeof *rec), m->view, VIEW_HEAD_LEN);
	p = put(p, m->view->qname, rec->qname_len); /* the NUL is written on the other side */
	p = put(p, (const uint8_t *)m->view + VIEW_TAIL_OFF, VIEW_TAIL_LEN);
	put(p, m->pieces, rec->npieces * sizeof *m->pieces);
}

static size_t icmp_len(void) { return sizeof(relay_hdr_t) + pad(sizeof(icmp_rec_t)); }

static void icmp_encode(uint8_t *dst, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	icmp_rec_t *rec = BODY(icmp_rec_t, dst);
	rec->pkt = *pkt;
	rec->pkt.ip.payload = cursor_make(NULL, 0);
	rec->icmp = *icmp;
	rec->icmp.quoted.payload = cursor_make(NULL, 0);
	rec->icmp.quoted_upper = cursor_make(NULL, 0);
}

static size_t tcp_len(void) { return sizeof(relay_hdr_t) + pad(sizeof(tcp_rec_t)); }

static void tcp_encode(uint8_t *dst, const tcps_event_t *ev, uint32_t point)
{
	tcp_rec_t *rec = BODY(tcp_rec_t, dst);
	rec->point = point;
	rec->ev = *ev;
	if (ev->key)
		rec->key = *ev->key;
	else
		memset(&rec->key, 0, sizeof rec->key);
	rec->ev.key = NULL;
	rec->ev.data = NULL;
	rec->ev.len = 0;
}

/* ---- decoding: make the call a record holds. The record is the consumer's
 * until it publishes its position past it, so pointers are set in place. */

/* The packet of a tick: a pkt_t kept zero but for these fields (the callee
 * takes it const), not one cleared for each call. */
static void call_tick(relay_t *r, uint8_t *p)
{
	const tick_rec_t *t = (const tick_rec_t *)p;
	pkt_t *pkt = &r->tick_pkt;
	pkt->frame = t->frame;
	pkt->ts_ns = t->ts_ns;
	pkt->caplen = t->caplen;
	pkt->wirelen = t->wirelen;
	pkt->point = t->point;
	pkt->ip.version = t->version;
	r->out.packet(r->out.ctx, pkt);
}

static void call_packet(const relay_t *r, uint8_t *p)
{
	packet_rec_t *rec = (packet_rec_t *)p;
	rec->pkt.ip.payload = cursor_make(rec->nbytes ? p + pad(sizeof *rec) : NULL, (size_t)rec->nbytes);
	r->out.packet(r->out.ctx, &rec->pkt);
}

static void call_reasm(const relay_t *r, uint8_t *p)
{
	reasm_rec_t *rec = (reasm_rec_t *)p;
	p += pad(sizeof *rec);
	rec->ev.key = &rec->key;
	rec->ev.ranges = rec->nranges ? (const reasm_range_t *)p : NULL;
	p += pad(rec->nranges * sizeof *rec->ev.ranges);
	rec->ev.pieces = rec->npieces ? (const reasm_piece_t *)p : NULL;
	r->out.reasm(r->out.ctx, &rec->ev, rec->point);
}

static void call_dns(const relay_t *r, uint8_t *p)
{
	dns_rec_t *rec = (dns_rec_t *)p;
	dns_view_t view; /* only the head, the name and the tail are written: not 1 kB each call */
	p += pad(sizeof *rec);
	memcpy(&view, p, VIEW_HEAD_LEN);
	p += pad(VIEW_HEAD_LEN);
	memcpy(view.qname, p, rec->qname_len);
	view.qname[rec->qname_len - 1] = '\0';
	p += pad(rec->qname_len);
	memcpy((uint8_t *)&view + VIEW_TAIL_OFF, p, VIEW_TAIL_LEN);
	p += pad(VIEW_TAIL_LEN);
	rec->msg.view = &view;
	rec->msg.pieces = rec->npieces ? (const reasm_piece_t *)p : NULL;
	r->out.dns(r->out.ctx, &rec->msg);
}

static void call_icmp(const relay_t *r, uint8_t *p)
{
	icmp_rec_t *rec = (icmp_rec_t *)p;
	r->out.icmp(r->out.ctx, &rec->pkt, &rec->icmp);
}

static void call_tcp(const relay_t *r, uint8_t *p)
{
	tcp_rec_t *rec = (tcp_rec_t *)p;
	rec->ev.key = &rec->key;
	r->out.tcp(r->out.ctx, &rec->ev, rec->point);
}

/* Make the call of the record at p; returns its length. */
static size_t relay_call(relay_t *r, uint8_t *p)
{
	relay_hdr_t h;
	memcpy(&h, p, sizeof h);
	uint8_t *body = p + sizeof h;
	switch ((relay_kind_t)h.kind) {
	case RELAY_SPILL: {
		spill_rec_t s;
		memcpy(&s, body, sizeof s);
		relay_call(r, s.copy);
		free(s.copy);
		break;
	}
	case RELAY_TICK: call_tick(r, body); break;
	case RELAY_PACKET: call_packet(r, body); break;
	case RELAY_REASM: call_reasm(r, body); break;
	case RELAY_DNS: call_dns(r, body); break;
	case RELAY_ICMP: call_icmp(r, body); break;
	case RELAY_TCP: call_tcp(r, body); break;
	case RELAY_WRAP: break;
	}
	return h.len;
}

/* ---- the ring */

static void relay_wake(relay_t *r, _Atomic int *sleeping, pthread_cond_t *cv)
{
	if (!atomic_load(sleeping))
		return;
	pthread_mutex_lock(&r->mu);
	pthread_cond_signal(cv);
	pthread_mutex_unlock(&r->mu);
}

static void relay_publish_head(relay_t *r)
{
	if (r->wpub == r->wpos)
		return;
	r->wpub = r->wpos;
	atomic_store(&r->head, r->wpos); /* sequentially consistent: see relay_sleep */
	relay_wake(r, &r->consumer_sleeping, &r->wake_consumer);
}

static void relay_publish_tail(relay_t *r)
{
	if (r->rpub == r->rpos)
		return;
	r->rpub = r->rpos;
	atomic_store(&r->tail, r->rpos);
	relay_wake(r, &r->producer_sleeping, &r->wake_producer);
}

/* Wait until ready(r) holds: poll a while, then sleep until the other side
 * publishes. The flag is set before the last check and the other side
 * publishes before it reads the flag (both sequentially consistent), so one
 * of the two always sees the other: no wake-up is lost. */
static void relay_sleep(relay_t *r, int (*ready)(relay_t *), _Atomic int *sleeping, pthread_cond_t *cv,
                        uint64_t *waits)
{
	for (int i = 0; i < RELAY_SPINS; i++) {
		if (ready(r))
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	(*waits)++;
	pthread_mutex_lock(&r->mu);
	atomic_store(sleeping, 1);
	while (!ready(r))
		pthread_cond_wait(cv, &r->mu);
	atomic_store(sleeping, 0);
	pthread_mutex_unlock(&r->mu);
}

static size_t relay_free_space(const relay_t *r) { return r->size - (r->wpos - r->tail_seen); }

static int producer_ready(relay_t *r)
{
	r->tail_seen = atomic_load(&r->tail);
	return relay_free_space(r) >= r->want;
}

static void relay_drain(relay_t *r);

/* Room for n bytes (a multiple of RELAY_ALIGN, at most a quarter of the ring) at the
 * write position, wrapping first if they would run past the ring's end. */
static uint8_t *relay_reserve(relay_t *r, size_t n)
{
	size_t off = r->wpos & r->mask;
	size_t need = off + n > r->size ? r->size - off + n : n;
	if (relay_free_space(r) < need) {
		r->tail_seen = atomic_load(&r->tail);
		if (relay_free_space(r) < need) {
			relay_publish_head(r); /* the consumer must have work to make room */
			if (!r->threaded) {
				relay_drain(r);
			} else {
				r->want = need;
				relay_sleep(r, producer_ready, &r->producer_sleeping, &r->wake_producer,
				            &r->stats.producer_waits);
			}
		}
	}
	if (off + n > r->size) {
		relay_hdr_t h = { RELAY_WRAP, (uint32_t)(r->size - off) };
		memcpy(r->ring + off, &h, sizeof h);
		r->wpos += r->size - off;
		r->stats.wraps++;
		off = 0;
	}
	return r->ring + off;
}

static void relay_commit(relay_t *r, uint8_t *rec, relay_kind_t kind, size_t n)
{
	relay_hdr_t h = { kind, (uint32_t)n };
	memcpy(rec, &h, sizeof h);
	r->wpos += n;
	r->stats.calls++;
	r->stats.bytes += n;
	if (!r->threaded) { /* synchronous: the call is made now */
		relay_publish_head(r);
		relay_drain(r);
	} else if (r->wpos - r->wpub >= RELAY_BATCH) {
		relay_publish_head(r);
	}
}

/* A call too large for the ring (over a quarter of it) goes by a heap copy. */
static int relay_too_big(const relay_t *r, size_t n) { return n > r->size / 4; }

static void relay_spill_commit(relay_t *r, uint8_t *copy, relay_kind_t kind, size_t n)
{
	relay_hdr_t h = { kind, (uint32_t)n };
	memcpy(copy, &h, sizeof h);
	size_t len = sizeof(relay_hdr_t) + pad(sizeof(spill_rec_t));
	uint8_t *rec = relay_reserve(r, len);
	spill_rec_t s = { copy };
	memcpy(rec + sizeof(relay_hdr_t), &s, sizeof s);
	r->stats.spilled++;
	relay_commit(r, rec, RELAY_SPILL, len);
}

/* Reserve for one call of n bytes: in the ring, or a heap copy. NULL when a
 * heap copy cannot be had: the call is then lost, and counted. */
static uint8_t *relay_begin(relay_t *r, size_t n, int *spilled)
{
	*spilled = relay_too_big(r, n);
	uint8_t *rec = *spilled ? malloc(n) : relay_reserve(r, n);
	if (!rec)
		r->stats.lost++;
	return rec;
}

static void relay_end(relay_t *r, uint8_t *rec, relay_kind_t kind, size_t n, int spilled)
{
	if (spilled)
		relay_spill_commit(r, rec, kind, n);
	else
		relay_commit(r, rec, kind, n);
}

/* ---- the consumer */

static int consumer_ready(relay_t *r)
{
	r->head_seen = atomic_load(&r->head);
	return r->head_seen != r->rpos || atomic_load(&r->done);
}

/* Make every published call. */
static void relay_drain(relay_t *r)
{
	r->head_seen = atomic_load(&r->head);
	while (r->rpos != r->head_seen) {
		r->rpos += relay_call(r, r->ring + (r->rpos & r->mask));
		if (r->rpos - r->rpub >= RELAY_BATCH)
			relay_publish_tail(r);
		if (r->rpos == r->head_seen)
			r->head_seen = atomic_load(&r->head);
	}
	relay_publish_tail(r);
}

static uint64_t relay_clock_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *relay_consumer_main(void *arg)
{
	relay_t *r = arg;
	uint64_t waited = 0;
	for (;;) {
		relay_drain(r);
		if (atomic_load(&r->done) && r->rpos == atomic_load(&r->head))
			break;
		uint64_t t0 = relay_clock_ns(CLOCK_MONOTONIC);
		relay_sleep(r, consumer_ready, &r->consumer_sleeping, &r->wake_consumer, &r->consumer_waits);
		waited += relay_clock_ns(CLOCK_MONOTONIC) - t0;
	}
	/* read by relay_stats after the join */
	r->consumer_wait_ns = waited;
	r->consumer_cpu_ns = relay_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

/* ---- the producer's hooks */

/* The held tick (relay_elide_dns_ticks) goes now, before any other call. */
static void relay_tick_send(relay_t *r)
{
	if (!r->tick_held)
		return;
	r->tick_held = 0;
	size_t n = sizeof(relay_hdr_t) + pad(sizeof(tick_rec_t));
	uint8_t *rec = relay_reserve(r, n);
	*BODY(tick_rec_t, rec) = r->held_tick;
	relay_commit(r, rec, RELAY_TICK, n);
}

static void hook_packet(void *ctx, const pkt_t *pkt)
{
	relay_t *r = ctx;
	relay_tick_send(r);
	if (r->elide_dns_ticks && !packet_is_fragment(pkt)) {
		tick_encode(&r->held_tick, pkt);
		r->tick_held = 1;
		return;
	}
	size_t n = packet_len(pkt);
	int spilled;
	uint8_t *rec = relay_begin(r, n, &spilled);
	if (!rec)
		return;
	relay_end(r, rec, packet_encode(rec, pkt), n, spilled);
}

static void hook_reasm(void *ctx, const reasm_event_t *ev, uint32_t point)
{
	relay_t *r = ctx;
	relay_tick_send(r);
	size_t n = reasm_len(ev);
	int spilled;
	uint8_t *rec = relay_begin(r, n, &spilled);
	if (!rec)
		return;
	reasm_encode(rec, ev, point);
	relay_end(r, rec, RELAY_REASM, n, spilled);
}

static void hook_dns(void *ctx, const dns_msg_t *m)
{
	relay_t *r = ctx;
	if (r->tick_held && r->held_tick.ts_ns == m->ts_ns) { /* repeated by this call: see relay.h */
		r->tick_held = 0;
		r->stats.elided++;
	}
	relay_tick_send(r);
	size_t qlen = qname_len(m->view);
	size_t n = dns_len(m, qlen);
	int spilled;
	uint8_t *rec = relay_begin(r, n, &spilled);
	if (!rec)
		return;
	dns_encode(rec, m, qlen);
	relay_end(r, rec, RELAY_DNS, n, spilled);
}

static void hook_icmp(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	relay_t *r = ctx;
	relay_tick_send(r);
	size_t n = icmp_len();
	uint8_t *rec = relay_reserve(r, n);
	icmp_encode(rec, pkt, icmp);
	relay_commit(r, rec, RELAY_ICMP, n);
}

static void hook_tcp(void *ctx, const tcps_event_t *ev, uint32_t point)
{
	relay_t *r = ctx;
	relay_tick_send(r);
	size_t n = tcp_len();
	uint8_t *rec = relay_reserve(r, n);
	tcp_encode(rec, ev, point);
	relay_commit(r, rec, RELAY_TCP, n);
}

void relay_elide_dns_ticks(relay_t *r)
{
	r->elide_dns_ticks = 1;
}

pipeline_hooks_t relay_hooks(relay_t *r)
{
	pipeline_hooks_t h = { .ctx = r };
	h.packet = r->out.packet ? hook_packet : NULL;
	h.reasm = r->out.reasm ? hook_reasm : NULL;
	h.dns = r->out.dns ? hook_dns : NULL;
	h.icmp = r->out.icmp ? hook_icmp : NULL;
	h.tcp = r->out.tcp ? hook_tcp : NULL;
	return h;
}

/* ---- life */

relay_t *relay_new(size_t ring_bytes, const pipeline_hooks_t *consumer)
{
	if (ring_bytes < RELAY_RING_MIN || ring_bytes > RELAY_RING_MAX || (ring_bytes & (ring_bytes - 1)))
		return NULL;
	relay_t *r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t)63);
	if (!r)
		return NULL;
	memset(r, 0, sizeof *r);
	r->ring = aligned_alloc(64, ring_bytes);
	if (!r->ring) {
		free(r);
		return NULL;
	}
	r->size = ring_bytes;
	r->mask = ring_bytes - 1;
	r->out = *consumer;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->consumer_sleeping, 0);
	atomic_init(&r->producer_sleeping, 0);
	atomic_init(&r->done, 0);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->wake_consumer, NULL);
	pthread_cond_init(&r->wake_producer, NULL);
	return r;
}

int relay_start(relay_t *r)
{
	if (r->threaded || r->finished)
		return 0;
	int e = pthread_create(&r->thread, NULL, relay_consumer_main, r);
	if (e) {
		errno = e;
		return -1;
	}
	r->threaded = 1;
	return 0;
}

void relay_finish(relay_t *r)
{
	if (r->finished)
		return;
	relay_tick_send(r);
	r->finished = 1;
	relay_publish_head(r);
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		atomic_store(&r->done, 1);
		pthread_cond_signal(&r->wake_consumer);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		r->threaded = 0;
	} else {
		relay_drain(r);
	}
}

void relay_free(relay_t *r)
{
	if (!r)
		return;
	relay_finish(r);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->wake_consumer);
	pthread_cond_destroy(&r->wake_producer);
	free(r->ring);
	free(r);
}

const relay_stats_t *relay_stats(relay_t *r)
{
	r->stats.consumer_waits = r->consumer_waits;
	r->stats.consumer_cpu_ns = r->consumer_cpu_ns;
	r->stats.consumer_wait_ns = r->consumer_wait_ns;
	return &r->stats;
}
