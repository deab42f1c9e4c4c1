/* tcpstream.c - TCP stream reassembly and RFC 7766 DNS framing (see tcpstream.h).
 *
 * RFC 9293 §3.4 sequence space, compared in RFC 1982 serial arithmetic.
 * RFC 7766 §8 framing on each direction's in-order bytes:
 *   | length (2, network order) | DNS message (length bytes) | length | message | ...
 *
 * Shape: a hash table of flows (chained, keyed by the normalized 4-tuple) and a
 * list of the same flows from least to most recently active, which gives both
 * the idle timeout and the eviction order in O(1) per flow. Each direction keeps
 * its out-of-order bytes as a sorted list of disjoint pieces: a segment that
 * overlaps held bytes is cut into the pieces not held yet (first copy wins).
 */
#include "tcpstream.h"

#include <stdlib.h>
#include <string.h>

#include "pagetouch.h"

#define TCPS_WINDOW_MAX (1ll << 30)
#define TCPS_BUCKETS_MIN 16u
#define TCPS_BUCKETS_MAX (1u << 20)

/* One run of out-of-order bytes held until the hole before it fills. */
typedef struct tcps_seg {
	struct tcps_seg *next; /* next higher sequence; pieces never overlap */
	uint32_t seq, len;
	uint64_t frame;        /* the frame that carried these bytes */
	uint8_t data[];
} tcps_seg_t;

typedef enum tcps_frame_state {
	TCPS_FRAME_OFF,  /* not a DNS flow, or the stream's start was not seen */
	TCPS_FRAME_ON,
	TCPS_FRAME_LOST, /* a gap or the end: no reliable prefix from here on */
} tcps_frame_state_t;

/* RFC 7766 framer of one direction. */
typedef struct tcps_dns {
	tcps_frame_state_t state;
	uint8_t prefix[2];
	uint8_t prefix_have;  /* 0, 1 or 2 prefix bytes seen */
	uint32_t want, have;  /* announced length; body bytes in buf */
	uint8_t *buf;         /* want bytes, only for a message spanning deliveries */
	uint64_t first_frame; /* carried the first prefix byte */
} tcps_dns_t;

typedef struct tcps_dir {
	tcp_flow_key_t key;   /* src is the sender */
	uint8_t known;        /* next_seq is set */
	uint8_t syn_seen;     /* isn is the SYN's sequence number */
	uint8_t fin_seen, closed;
	uint32_t isn, next_seq;
	uint32_t fin_seq;     /* where the FIN sits in sequence space */
	uint32_t max_end;     /* highest sequence end seen (data or FIN) */
	tcps_seg_t *ooo;
	uint32_t ooo_bytes;
	tcps_dns_t dns;
} tcps_dir_t;

typedef struct tcps_flow {
	struct tcps_flow *hnext;        /* hash chain */
	struct tcps_flow *older, *newer; /* activity order */
	tcp_flow_key_t key;             /* normalized: src is the lower endpoint */
	uint32_t hash;
	tcps_dir_t dir[2];              /* [0] sends from key.src, [1] from key.dst */
	int opener;                     /* index of the SYN sender, else the first sender */
	int dns;                        /* port 53 at either end and frame_dns */
	uint64_t last_frame;
	int64_t last_ts;
} tcps_flow_t;

struct tcps {
	tcps_limits_t lim;
	tcps_event_fn fn;
	void *ctx;
	tcps_flow_t **buckets;
	uint32_t nbuckets;              /* a power of two */
	uint32_t nflows;
	tcps_flow_t *oldest, *newest;
	uint64_t held;                  /* out-of-order bytes and partial DNS messages */
	tcps_stats_t stats;
};

/* What made an event happen: the frame and time to stamp it with, and why. */
typedef struct tcps_cause {
	uint64_t frame;
	int64_t ts_ns;
	tcps_why_t why;
} tcps_cause_t;

static const char *const event_names[TCPS_EV_COUNT] = {
	[TCPS_EV_SYN] = "syn",  [TCPS_EV_SYNACK] = "synack", [TCPS_EV_DATA] = "data",
	[TCPS_EV_GAP] = "gap",  [TCPS_EV_FIN] = "fin",       [TCPS_EV_RST] = "rst",
	[TCPS_EV_DNS] = "dns",  [TCPS_EV_DNS_CUT] = "dns-cut", [TCPS_EV_END] = "end",
};

static const char *const why_names[TCPS_WHY_COUNT] = {
	[TCPS_WHY_NONE] = "none",   [TCPS_WHY_LIMIT] = "limit",     [TCPS_WHY_ACKED] = "acked",
	[TCPS_WHY_GAP] = "gap",     [TCPS_WHY_EMPTY] = "empty",     [TCPS_WHY_FIN] = "fin",
	[TCPS_WHY_RST] = "rst",     [TCPS_WHY_IDLE] = "idle",       [TCPS_WHY_EVICTED] = "evicted",
	[TCPS_WHY_REUSED] = "reused", [TCPS_WHY_FLUSH] = "flush",
};

const char *tcps_event2str(tcps_event_kind_t kind)
{
	return (unsigned)kind < TCPS_EV_COUNT ? event_names[kind] : "?";
}

const char *tcps_why2str(tcps_why_t why)
{
	return (unsigned)why < TCPS_WHY_COUNT ? why_names[why] : "?";
}

void tcps_limits_default(tcps_limits_t *lim)
{
	lim->max_flows = 65536;
	lim->max_ooo_bytes = 256u * 1024;
	lim->max_total_bytes = 16ull * 1024 * 1024; /* with max_flows, keeps the analyzer under 64 MB */
	lim->idle_timeout_ns = 120ll * 1000000000;
	lim->frame_dns = 1;
	lim->frame_midstream = 0;
}

const tcps_stats_t *tcps_stats(const tcps_t *t)
{
	return &t->stats;
}

/* ---- sequence space */

/* a - b as a signed distance (RFC 1982): positive when a is after b. Written
 * without a cast of an out-of-range value, which C leaves to the implementation. */
static int64_t tcps_seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;
	return d < 0x80000000u ? (int64_t)d : (int64_t)d - 0x100000000ll;
}

/* ---- keys */

static size_t tcps_addr_len(const ip_addr_t *a)
{
	return a->family == 6 ? 16 : 4;
}

/* Copy only the bytes the family uses, so keys hash and print the same however
 * the decoder left the rest of the array. */
static void tcps_addr_copy(ip_addr_t *dst, const ip_addr_t *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->family = src->family;
	memcpy(dst->a, src->a, tcps_addr_len(src));
}

static int tcps_endpoint_cmp(const ip_addr_t *a, uint16_t pa, const ip_addr_t *b, uint16_t pb)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int r = memcmp(a->a, b->a, tcps_addr_len(a));
	if (r != 0)
		return r < 0 ? -1 : 1;
	return pa < pb ? -1 : pa > pb;
}

static int tcps_key_equal(const tcp_flow_key_t *x, const tcp_flow_key_t *y)
{
	return tcps_endpoint_cmp(&x->src, x->sport, &y->src, y->sport) == 0 &&
	       tcps_endpoint_cmp(&x->dst, x->dport, &y->dst, y->dport) == 0;
}

static tcp_flow_key_t tcps_key_reverse(const tcp_flow_key_t *k)
{
	tcp_flow_key_t r = { k->dst, k->src, k->dport, k->sport };
	return r;
}

/* The lookup key puts the lower endpoint first, so both directions find the same
 * flow; *side says which direction the sender's bytes travel in. */
static tcp_flow_key_t tcps_key_normalize(const tcp_flow_key_t *sender, int *side)
{
	*side = tcps_endpoint_cmp(&sender->src, sender->sport, &sender->dst, sender->dport) > 0;
	return *side ? tcps_key_reverse(sender) : *sender;
}

/* A hash of the normalized key, a 32-bit word at a time (multiply, xor-shift),
 * as the transaction tracker's (txn.c): byte-wise FNV-1a over its 12 to 36
 * bytes was a tenth of the TCP layer's samples (perf, bench/run, 300 MB).
 * Only the bucket depends on it (flows are walked in LRU order, never by
 * bucket), and chains stay short because the table has a bucket per flow
 * allowed; a crafted capture can only slow itself down. */
static uint32_t tcps_hash_mix(uint32_t h, uint32_t v)
{
	h = (h ^ v) * 0x9e3779b1u;
	return h ^ (h >> 16);
}

static uint32_t tcps_key_hash(const tcp_flow_key_t *k)
{
	uint32_t w[8];
	size_t alen = tcps_addr_len(&k->src);
	memcpy(w, k->src.a, alen);
	memcpy(w + alen / 4, k->dst.a, alen);
	uint32_t h = tcps_hash_mix(2166136261u, (uint32_t)k->src.family << 16 | k->sport);
	h = tcps_hash_mix(h, k->dport);
	for (size_t i = 0; i < 2 * alen / 4; i++)
		h = tcps_hash_mix(h, w[i]);
	return h;
}

/* ---- events */

static tcps_event_t tcps_event_make(tcps_event_kind_t kind, const tcp_flow_key_t *key, const tcps_cause_t *c)
{
	tcps_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.key = key;
	ev.frame = c->frame;
	ev.ts_ns = c->ts_ns;
	return ev;
}

static void tcps_event_send(tcps_t *t, const tcps_event_t *ev)
{
	if (t->fn)
		t->fn(t->ctx, ev);
}

/* ---- DNS framing (one direction's in-order bytes) */

static void tcps_dns_reset(tcps_t *t, tcps_dns_t *m)
{
	if (m->buf) {
		free(m->buf);
		m->buf = NULL;
		t->held -= m->want;
	}
	m->prefix_have = 0;
	m->want = m->have = 0;
}

static void tcps_dns_emit(tcps_t *t, tcps_dir_t *d, const uint8_t *msg, const tcps_cause_t *c)
{
	tcps_event_t ev = tcps_event_make(TCPS_EV_DNS, &d->key, c);
	ev.data = msg;
	ev.len = d->dns.want;
	ev.first_frame = d->dns.first_frame;
	t->stats.dns_messages++;
	tcps_event_send(t, &ev);
}

/* Report the message in progress as cut: its body bytes so far and the length
 * its prefix announced (0 when the prefix itself was cut). */
static void tcps_dns_cut(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c, tcps_why_t why)
{
	tcps_dns_t *m = &d->dns;
	tcps_event_t ev = tcps_event_make(TCPS_EV_DNS_CUT, &d->key, c);
	ev.data = m->buf;
	ev.len = m->have;
	ev.want = m->prefix_have == 2 ? m->want : 0;
	ev.first_frame = m->first_frame;
	ev.why = why;
	t->stats.dns_cut++;
	tcps_event_send(t, &ev);
	tcps_dns_reset(t, m);
}

/* Framing stops for good: a gap, or the direction or flow ended. A message in
 * progress is cut; at a message boundary there is nothing to report (the GAP
 * event already says bytes are missing), but framing stops all the same: the
 * hole may hold messages and the start of the next one. */
static void tcps_dns_stop(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c, tcps_why_t why)
{
	if (d->dns.state != TCPS_FRAME_ON)
		return;
	if (d->dns.prefix_have > 0)
		tcps_dns_cut(t, d, c, why);
	d->dns.state = TCPS_FRAME_LOST;
}

/* Take one prefix byte; a whole prefix of 0 is reported and skipped. */
static void tcps_dns_prefix(tcps_t *t, tcps_dir_t *d, uint8_t byte, uint64_t carried, const tcps_cause_t *c)
{
	tcps_dns_t *m = &d->dns;
	if (m->prefix_have == 0)
		m->first_frame = carried;
	m->prefix[m->prefix_have++] = byte;
	if (m->prefix_have < 2)
		return;
	m->want = (uint32_t)m->prefix[0] << 8 | m->prefix[1];
	m->have = 0;
	if (m->want == 0)
		tcps_dns_cut(t, d, c, TCPS_WHY_EMPTY);
}

/* Take body bytes; returns how many were used. A message wholly inside this
 * delivery is reported from the caller's bytes without a copy. */
static uint32_t tcps_dns_body(tcps_t *t, tcps_dir_t *d, const uint8_t *p, uint32_t len, const tcps_cause_t *c)
{
	tcps_dns_t *m = &d->dns;
	uint32_t take = len < m->want - m->have ? len : m->want - m->have;
	if (m->have == 0 && take == m->want) {
		tcps_dns_emit(t, d, p, c);
		tcps_dns_reset(t, m);
		return take;
	}
	if (!m->buf) {
		m->buf = malloc(m->want);
		if (!m->buf) { /* cannot hold it: as good as a gap for this direction */
			tcps_dns_stop(t, d, c, TCPS_WHY_LIMIT);
			return len;
		}
		t->held += m->want;
	}
	memcpy(m->buf + m->have, p, take);
	m->have += take;
	if (m->have == m->want) {
		tcps_dns_emit(t, d, m->buf, c);
		tcps_dns_reset(t, m);
	}
	return take;
}

static void tcps_dns_feed(tcps_t *t, tcps_dir_t *d, const uint8_t *p, uint32_t len, uint64_t carried,
                          const tcps_cause_t *c)
{
	while (len > 0 && d->dns.state == TCPS_FRAME_ON) {
		if (d->dns.prefix_have < 2) {
			tcps_dns_prefix(t, d, *p, carried, c);
			p++;
			len--;
			continue;
		}
		uint32_t used = tcps_dns_body(t, d, p, len, c);
		p += used;
		len -= used;
	}
}

/* ---- one direction's stream */

static void tcps_dir_start(const tcps_t *t, const tcps_flow_t *f, tcps_dir_t *d, uint32_t next_seq, int start_seen)
{
	d->known = 1;
	d->next_seq = d->max_end = next_seq;
	d->dns.state = f->dns && (start_seen || t->lim.frame_midstream) ? TCPS_FRAME_ON : TCPS_FRAME_OFF;
}

/* RFC 7323 §2.3: no window is larger than 2^30 bytes, so a segment further than
 * that from the stream is not this connection's (an older one on the same
 * 4-tuple, or garbage); holding it would make a gap of up to 2 GiB. */
static int tcps_dir_in_window(const tcps_dir_t *d, uint32_t seq)
{
	int64_t off = tcps_seq_diff(seq, d->next_seq);
	return !d->known || (off <= TCPS_WINDOW_MAX && off >= -TCPS_WINDOW_MAX);
}

static void tcps_dir_drop_held(tcps_t *t, tcps_dir_t *d)
{
	while (d->ooo) {
		tcps_seg_t *s = d->ooo;
		d->ooo = s->next;
		t->held -= s->len;
		free(s);
	}
	d->ooo_bytes = 0;
}

/* In-order bytes: to the caller, then to the framer. */
static void tcps_dir_deliver(tcps_t *t, tcps_dir_t *d, const uint8_t *p, uint32_t len, uint64_t carried,
                             const tcps_cause_t *c)
{
	if (len == 0)
		return;
	tcps_event_t ev = tcps_event_make(TCPS_EV_DATA, &d->key, c);
	ev.data = p;
	ev.len = len;
	ev.first_frame = carried;
	tcps_event_send(t, &ev);
	d->next_seq += len;
	tcps_dns_feed(t, d, p, len, carried, c);
}

static void tcps_dir_fin(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c)
{
	tcps_event_t ev = tcps_event_make(TCPS_EV_FIN, &d->key, c);
	tcps_event_send(t, &ev);
	d->closed = 1;
	d->next_seq++; /* the FIN occupies one sequence number */
	tcps_dns_stop(t, d, c, TCPS_WHY_FIN);
	tcps_dir_drop_held(t, d);
}

/* Deliver held pieces that the stream has reached, then the FIN if it is next. */
static void tcps_dir_drain(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c)
{
	tcps_seg_t *s;
	while ((s = d->ooo) != NULL && tcps_seq_diff(s->seq, d->next_seq) <= 0) {
		d->ooo = s->next;
		d->ooo_bytes -= s->len;
		t->held -= s->len;
		/* Bytes delivered since the piece was held (a later segment covered them). */
		uint32_t dup = d->next_seq - s->seq;
		if (dup > s->len)
			dup = s->len;
		t->stats.retransmitted_bytes += dup;
		tcps_dir_deliver(t, d, s->data + dup, s->len - dup, s->frame, c);
		free(s);
	}
	if (d->fin_seen && !d->closed && tcps_seq_diff(d->next_seq, d->fin_seq) >= 0)
		tcps_dir_fin(t, d, c);
}

static void tcps_dir_gap(tcps_t *t, tcps_dir_t *d, uint32_t len, const tcps_cause_t *c, tcps_why_t why)
{
	tcps_event_t ev = tcps_event_make(TCPS_EV_GAP, &d->key, c);
	ev.gap_len = len;
	ev.why = why;
	t->stats.gaps++;
	t->stats.gap_bytes += len;
	tcps_event_send(t, &ev);
	d->next_seq += len;
	tcps_dns_stop(t, d, c, TCPS_WHY_GAP);
}

/* Give up on the hole before the first held piece and go on after it. */
static void tcps_dir_skip_hole(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c, tcps_why_t why)
{
	int64_t hole = tcps_seq_diff(d->ooo->seq, d->next_seq);
	if (hole > 0)
		tcps_dir_gap(t, d, (uint32_t)hole, c, why);
	tcps_dir_drain(t, d, c);
}

static tcps_seg_t *tcps_seg_new(uint32_t seq, const uint8_t *p, uint32_t len, uint64_t frame)
{
	tcps_seg_t *s = malloc(sizeof(*s) + len);
	if (!s)
		return NULL;
	s->next = NULL;
	s->seq = seq;
	s->len = len;
	s->frame = frame;
	memcpy(s->data, p, len);
	return s;
}

/* Hold [seq, seq+len) ahead of the stream: only the pieces not held yet are
 * copied, bytes already held count as retransmitted. Out of memory, a piece is
 * not held and its bytes turn up later as a gap. */
static void tcps_dir_hold(tcps_t *t, tcps_dir_t *d, uint32_t seq, const uint8_t *p, uint32_t len, uint64_t frame)
{
	tcps_seg_t **pp = &d->ooo;
	uint32_t cur = seq, end = seq + len;
	while (tcps_seq_diff(end, cur) > 0) {
		tcps_seg_t *h = *pp;
		if (!h || tcps_seq_diff(h->seq, cur) > 0) {
			uint32_t piece_end = h && tcps_seq_diff(end, h->seq) > 0 ? h->seq : end;
			tcps_seg_t *s = tcps_seg_new(cur, p + (cur - seq), piece_end - cur, frame);
			if (!s)
				return;
			s->next = h;
			*pp = s;
			pp = &s->next;
			d->ooo_bytes += s->len;
			t->held += s->len;
			cur = piece_end;
			continue;
		}
		uint32_t h_end = h->seq + h->len;
		if (tcps_seq_diff(h_end, cur) > 0) {
			uint32_t covered = tcps_seq_diff(end, h_end) < 0 ? end : h_end;
			t->stats.retransmitted_bytes += covered - cur;
			cur = covered;
		}
		pp = &h->next;
	}
}

/* Payload bytes at seq from one segment (len may be 0: a FIN or pure ACK still
 * lets the stream move on to a FIN that is next). */
static void tcps_dir_accept(tcps_t *t, tcps_dir_t *d, uint32_t seq, const uint8_t *p, uint32_t len,
                            const tcps_cause_t *c)
{
	if (d->closed)
		return;
	if (d->fin_seen) { /* nothing the sender says after its FIN belongs to the stream */
		int64_t room = tcps_seq_diff(d->fin_seq, seq);
		if (room < (int64_t)len)
			len = room > 0 ? (uint32_t)room : 0;
	}
	int64_t ahead = tcps_seq_diff(seq, d->next_seq);
	if (ahead > 0) {
		if (len > 0)
			tcps_dir_hold(t, d, seq, p, len, c->frame);
		while (d->ooo && d->ooo_bytes > t->lim.max_ooo_bytes)
			tcps_dir_skip_hole(t, d, c, TCPS_WHY_LIMIT);
		return;
	}
	uint32_t dup = (uint64_t)-ahead < len ? (uint32_t)-ahead : len;
	t->stats.retransmitted_bytes += dup;
	tcps_dir_deliver(t, d, p + dup, len - dup, c->frame, c);
	tcps_dir_drain(t, d, c);
}

/* The peer acknowledged up to ack: the receiver has every byte before it, so a
 * hole there was lost by the capture, not the path, and nothing will fill it.
 * Only holes below the highest byte seen are closed this way: an ACK field is
 * not evidence enough to invent bytes at the end of a stream. */
static void tcps_dir_acked(tcps_t *t, tcps_dir_t *d, uint32_t ack, const tcps_cause_t *c)
{
	if (!d->known || d->closed)
		return;
	if (tcps_seq_diff(ack, d->max_end) > 0)
		ack = d->max_end;
	while (!d->closed && tcps_seq_diff(ack, d->next_seq) > 0) {
		uint32_t to = ack;
		if (d->ooo && tcps_seq_diff(d->ooo->seq, ack) < 0)
			to = d->ooo->seq;
		if (to != d->next_seq)
			tcps_dir_gap(t, d, to - d->next_seq, c, TCPS_WHY_ACKED);
		tcps_dir_drain(t, d, c);
	}
}

/* The flow ends: every hole left is a gap, a FIN seen is delivered, a message
 * in progress is cut. */
static void tcps_dir_finish(tcps_t *t, tcps_dir_t *d, const tcps_cause_t *c)
{
	if (!d->known || d->closed)
		return;
	while (d->ooo && !d->closed)
		tcps_dir_skip_hole(t, d, c, c->why);
	if (d->fin_seen && !d->closed) {
		int64_t hole = tcps_seq_diff(d->fin_seq, d->next_seq);
		if (hole > 0)
			tcps_dir_gap(t, d, (uint32_t)hole, c, c->why);
		tcps_dir_drain(t, d, c);
	}
	tcps_dns_stop(t, d, c, c->why);
}

/* ---- flows */

static void tcps_lru_unlink(tcps_t *t, tcps_flow_t *f)
{
	if (f->older)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void tcps_lru_append(tcps_t *t, tcps_flow_t *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

static tcps_flow_t *tcps_flow_find(const tcps_t *t, const tcp_flow_key_t *key, uint32_t hash)
{
	tcps_flow_t *f = t->buckets[hash & (t->nbuckets - 1)];
	while (f && !(f->hash == hash && tcps_key_equal(&f->key, key)))
		f = f->hnext;
	return f;
}

static void tcps_flow_release(tcps_t *t, tcps_flow_t *f)
{
	for (int i = 0; i < 2; i++) {
		tcps_dir_drop_held(t, &f->dir[i]);
		tcps_dns_reset(t, &f->dir[i].dns);
	}
	free(f);
}

/* Take the flow out of the table and the activity list, and free it. */
static void tcps_flow_forget(tcps_t *t, tcps_flow_t *f)
{
	tcps_flow_t **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	tcps_lru_unlink(t, f);
	t->nflows--;
	tcps_flow_release(t, f);
}

/* What is left is reported opener's direction first, then END. */
static void tcps_flow_end(tcps_t *t, tcps_flow_t *f, const tcps_cause_t *c)
{
	tcps_dir_finish(t, &f->dir[f->opener], c);
	tcps_dir_finish(t, &f->dir[!f->opener], c);
	tcps_event_t ev = tcps_event_make(TCPS_EV_END, &f->dir[f->opener].key, c);
	ev.why = c->why;
	tcps_event_send(t, &ev);
	tcps_flow_forget(t, f);
}

static void tcps_flow_evict_oldest(tcps_t *t, const tcps_cause_t *at)
{
	tcps_cause_t c = { at->frame, at->ts_ns, TCPS_WHY_EVICTED };
	t->stats.evicted++;
	tcps_flow_end(t, t->oldest, &c);
}

static tcps_flow_t *tcps_flow_create(tcps_t *t, const tcp_flow_key_t *norm, uint32_t hash,
                                     const tcp_flow_key_t *sender, int side, int opener, const tcps_cause_t *c)
{
	while (t->nflows >= t->lim.max_flows && t->oldest)
		tcps_flow_evict_oldest(t, c);
	tcps_flow_t *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *norm;
	f->hash = hash;
	f->dir[side].key = *sender;
	f->dir[!side].key = tcps_key_reverse(sender);
	f->opener = opener;
	f->dns = t->lim.frame_dns && (sender->sport == 53 || sender->dport == 53);
	f->last_ts = c->ts_ns;
	f->hnext = t->buckets[hash & (t->nbuckets - 1)];
	t->buckets[hash & (t->nbuckets - 1)] = f;
	tcps_lru_append(t, f);
	t->nflows++;
	t->stats.flows++;
	return f;
}

static void tcps_flow_touch(tcps_t *t, tcps_flow_t *f, const tcps_cause_t *c)
{
	f->last_frame = c->frame;
	if (c->ts_ns > f->last_ts) /* a capture may step back a little; idle time never does */
		f->last_ts = c->ts_ns;
	tcps_lru_unlink(t, f);
	tcps_lru_append(t, f);
}

/* max_total_bytes: force out the least recently active other flows first (their
 * holes are the least likely to fill), then give up the holes of this one. */
static void tcps_mem_enforce(tcps_t *t, tcps_flow_t *cur, const tcps_cause_t *c)
{
	while (t->held > t->lim.max_total_bytes && t->oldest && t->oldest != cur)
		tcps_flow_evict_oldest(t, c);
	for (int i = 0; i < 2; i++)
		while (t->held > t->lim.max_total_bytes && cur->dir[i].ooo)
			tcps_dir_skip_hole(t, &cur->dir[i], c, TCPS_WHY_LIMIT);
}

/* ---- segments */

/* A pure SYN that is not a retransmission of the SYN we know opens a new
 * connection on the same 4-tuple (the old one ended unseen). */
static int tcps_segment_reuses(const tcps_dir_t *d, const l4_tcp_t *tcp)
{
	if ((tcp->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN || !d->known)
		return 0;
	return !(d->syn_seen && d->isn == tcp->seq);
}

static void tcps_segment_syn(tcps_t *t, tcps_flow_t *f, tcps_dir_t *d, tcps_dir_t *o, const l4_tcp_t *tcp,
                             const tcps_cause_t *c)
{
	int synack = (tcp->flags & TCP_ACK) != 0;
	tcps_event_t ev = tcps_event_make(synack ? TCPS_EV_SYNACK : TCPS_EV_SYN, &d->key, c);
	ev.mss = tcp->mss;
	tcps_event_send(t, &ev);
	if (!d->known) {
		tcps_dir_start(t, f, d, tcp->seq + 1, 1);
		d->syn_seen = 1;
		d->isn = tcp->seq;
	}
	/* A SYN+ACK acknowledges the peer's SYN: its stream starts there even if
	 * the capture missed that SYN. */
	if (synack && !o->known) {
		tcps_dir_start(t, f, o, tcp->ack, 1);
		o->syn_seen = 1;
		o->isn = tcp->ack - 1;
	}
}

static void tcps_segment_rst(tcps_t *t, const tcp_flow_key_t *sender, const tcps_cause_t *c)
{
	tcps_event_t ev = tcps_event_make(TCPS_EV_RST, sender, c);
	tcps_event_send(t, &ev);
}

static void tcps_segment_fin(tcps_dir_t *d, uint32_t fin_seq)
{
	if (d->fin_seen) /* the first FIN's place stands; a later one is a retransmission or bogus */
		return;
	d->fin_seen = 1;
	d->fin_seq = fin_seq;
}

static tcp_flow_key_t tcps_segment_key(const pkt_ip_t *ip, const l4_tcp_t *tcp)
{
	tcp_flow_key_t k;
	tcps_addr_copy(&k.src, &ip->src);
	tcps_addr_copy(&k.dst, &ip->dst);
	k.sport = tcp->sport;
	k.dport = tcp->dport;
	return k;
}

/* The flow a segment belongs to, created when the segment carries a SYN, FIN or
 * payload. Not for a pure ACK: the last ACK of a closed connection would revive
 * it. Not for a RST: it has nothing left to end. */
static tcps_flow_t *tcps_segment_flow(tcps_t *t, const tcp_flow_key_t *sender, const l4_tcp_t *tcp,
                                      int *side, const tcps_cause_t *c)
{
	tcp_flow_key_t norm = tcps_key_normalize(sender, side);
	uint32_t hash = tcps_key_hash(&norm);
	tcps_flow_t *f = tcps_flow_find(t, &norm, hash);
	if (f && tcps_segment_reuses(&f->dir[*side], tcp)) {
		tcps_cause_t end = { c->frame, c->ts_ns, TCPS_WHY_REUSED };
		tcps_flow_end(t, f, &end);
		f = NULL;
	}
	if (f)
		return f;
	if ((tcp->flags & TCP_RST) || (!(tcp->flags & (TCP_SYN | TCP_FIN)) && tcp->payload_wire_len == 0))
		return NULL;
	int synack = (tcp->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	return tcps_flow_create(t, &norm, hash, sender, *side, synack ? !*side : *side, c);
}

/* A RST ends the flow, unless it is too far from the stream to be this
 * connection's. Its payload (some stacks explain themselves) is ignored. */
static void tcps_flow_reset(tcps_t *t, tcps_flow_t *f, const tcps_dir_t *d, const l4_tcp_t *tcp,
                            const tcps_cause_t *c)
{
	if (!tcps_dir_in_window(d, tcp->seq)) {
		t->stats.out_of_window++;
		return;
	}
	tcps_segment_rst(t, &d->key, c);
	tcps_cause_t end = { c->frame, c->ts_ns, TCPS_WHY_RST };
	tcps_flow_end(t, f, &end);
}

/* What a segment says about the streams: the peer's bytes it acknowledges, its
 * own bytes and FIN at seq (after the SYN). */
static void tcps_segment_stream(tcps_t *t, tcps_dir_t *d, tcps_dir_t *o, const l4_tcp_t *tcp, uint32_t seq,
                                const tcps_cause_t *c)
{
	if (tcp->flags & TCP_ACK)
		tcps_dir_acked(t, o, tcp->ack, c);
	uint32_t end = seq + tcp->payload_wire_len;
	if (tcps_seq_diff(end, d->max_end) > 0)
		d->max_end = end;
	if (tcp->flags & TCP_FIN)
		tcps_segment_fin(d, end);
	size_t have = cursor_left(&tcp->payload);
	uint32_t len = have < tcp->payload_wire_len ? (uint32_t)have : tcp->payload_wire_len;
	tcps_dir_accept(t, d, seq, cursor_ptr(&tcp->payload), len, c);
}

void tcps_feed(tcps_t *t, const pkt_ip_t *ip, const l4_tcp_t *tcp, uint64_t frame, int64_t ts_ns)
{
	tcps_cause_t c = { frame, ts_ns, TCPS_WHY_NONE };
	t->stats.segments++;
	tcps_expire(t, ts_ns);
	tcp_flow_key_t sender = tcps_segment_key(ip, tcp);
	int side;
	tcps_flow_t *f = tcps_segment_flow(t, &sender, tcp, &side, &c);
	if (!f) {
		if (tcp->flags & TCP_RST) /* no flow: still evidence (a late or injected reset) */
			tcps_segment_rst(t, &sender, &c);
		return;
	}
	tcps_flow_touch(t, f, &c);
	tcps_dir_t *d = &f->dir[side], *o = &f->dir[!side];
	if (tcp->flags & TCP_RST) {
		tcps_flow_reset(t, f, d, tcp, &c);
		return;
	}
	if (tcp->flags & TCP_SYN)
		tcps_segment_syn(t, f, d, o, tcp, &c);
	uint32_t seq = tcp->seq + ((tcp->flags & TCP_SYN) ? 1u : 0u);
	if (!d->known)
		tcps_dir_start(t, f, d, seq, 0);
	if (tcps_dir_in_window(d, seq))
		tcps_segment_stream(t, d, o, tcp, seq, &c);
	else
		t->stats.out_of_window++;
	tcps_mem_enforce(t, f, &c);
	if (f->dir[0].closed && f->dir[1].closed) {
		c.why = TCPS_WHY_FIN;
		tcps_flow_end(t, f, &c);
	}
}

/* Capture time: flows are in activity order, so stop at the first one still live
 * (with timestamps that step back, a flow may outlive its timeout a little). */
void tcps_expire(tcps_t *t, int64_t now_ns)
{
	if (t->lim.idle_timeout_ns <= 0)
		return;
	while (t->oldest && now_ns > t->oldest->last_ts &&
	       (uint64_t)now_ns - (uint64_t)t->oldest->last_ts >= (uint64_t)t->lim.idle_timeout_ns) {
		tcps_cause_t c = { t->oldest->last_frame, now_ns, TCPS_WHY_IDLE };
		tcps_flow_end(t, t->oldest, &c);
	}
}

void tcps_flush(tcps_t *t)
{
	while (t->oldest) {
		tcps_cause_t c = { t->oldest->last_frame, t->oldest->last_ts, TCPS_WHY_FLUSH };
		tcps_flow_end(t, t->oldest, &c);
	}
}

tcps_t *tcps_new(const tcps_limits_t *lim, tcps_event_fn fn, void *ctx)
{
	tcps_t *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lim = *lim;
	if (t->lim.max_flows == 0)
		t->lim.max_flows = 1;
	t->fn = fn;
	t->ctx = ctx;
	/* A bucket per flow allowed, within bounds: the table is allocated once. */
	t->nbuckets = TCPS_BUCKETS_MIN;
	while (t->nbuckets < t->lim.max_flows && t->nbuckets < TCPS_BUCKETS_MAX)
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	pagetouch_zeroed(t->buckets, t->nbuckets * sizeof(*t->buckets)); /* probed before written */
	return t;
}

void tcps_free(tcps_t *t)
{
	if (!t)
		return;
	while (t->oldest) {
		tcps_flow_t *f = t->oldest;
		tcps_lru_unlink(t, f);
		tcps_flow_release(t, f);
	}
	free(t->buckets);
	free(t);
}
