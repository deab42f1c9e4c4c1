/* reasm.c - IPv4 and IPv6 fragment reassembly (RFC 791, RFC 815, RFC 8200 §4.5,
 * RFC 5722, RFC 6946). The policy is stated once, in reasm.h.
 *
 * Shape of the data:
 *
 *   reasm_t ── buckets[hash(key)] ──► train ──► train ...   (lookup, chained)
 *          └─ fifo[v4], fifo[v6]: oldest ◄──► ... ◄──► newest (creation order)
 *
 *   train: holes   sorted RFC 815 hole descriptors [start, end); while the end of
 *                  the datagram is unknown the last hole is open (end REASM_OPEN)
 *          chunks  the bytes held: each is a piece of one former hole, pointing
 *                  into the block of new bytes its fragment brought; the first
 *                  chunk of a fragment owns that block
 *          pieces  every fragment kept, in arrival order (what events show)
 *
 * Payload is stored per fragment, never in a buffer as large as the datagram, so
 * max_bytes bounds memory even when fragments are sparse. The whole datagram is
 * assembled into one scratch buffer only when it completes.
 */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#define REASM_OPEN UINT32_MAX /* end of the last hole while no MF=0 fragment arrived */
#define REASM_BUCKETS_MIN 16u
#define REASM_BUCKETS_MAX 65536u /* chains just get longer past this */

typedef struct reasm_chunk {
	uint32_t start, len;  /* len 0 once clipped away */
	uint8_t *bytes;       /* inside its fragment's block */
	int owns;             /* bytes is the block's start: free it */
} reasm_chunk_t;

typedef struct reasm_train {
	reasm_key_t key; /* normalized: see reasm_key_normalize */
	uint32_t hash;
	struct reasm_train *hnext;         /* hash chain */
	struct reasm_train *older, *newer; /* creation FIFO of its family */
	int linked;                        /* in the table and a FIFO (not transient) */
	uint64_t seq;                      /* creation order across both families */
	int64_t born_ns;                   /* capture time of its first fragment */

	uint8_t next_header;
	int have_first, have_last, receiver_discards, truncated;
	uint32_t total_len;                /* valid once have_last */
	uint32_t wire_end;                 /* largest offset + wire_len seen */
	uint64_t held;                     /* payload bytes held, as counted in r->bytes */

	reasm_range_t *holes;
	uint32_t nholes, cap_holes;
	reasm_range_t *ranges; /* room for the event's ranges: nholes + 1 at most */
	uint32_t cap_ranges;
	reasm_piece_t *pieces;
	uint32_t npieces, cap_pieces;
	reasm_chunk_t *chunks;
	uint32_t nchunks, cap_chunks;
} reasm_train_t;

typedef struct reasm_fifo {
	reasm_train_t *oldest, *newest;
} reasm_fifo_t;

struct reasm {
	reasm_limits_t lim;
	reasm_event_fn fn;
	void *ctx;
	reasm_train_t **buckets;
	uint32_t mask;        /* bucket count - 1 */
	reasm_fifo_t fifo[2]; /* [0] IPv4, [1] IPv6: one timeout each, so each is in expiry order */
	uint64_t seq;
	uint32_t in_flight;
	uint64_t bytes;
	reasm_stats_t stats;
	uint8_t *scratch;     /* the completed datagram, valid during its COMPLETE event */
	uint32_t cap_scratch;
};

/* What one fragment does to a train, worked out before anything changes, so an
 * allocation failure or a limit never leaves a train half updated. */
typedef struct reasm_plan {
	uint32_t a, b;        /* held bytes to keep: [a, b), clipped to the datagram's end */
	uint32_t fresh;       /* bytes of [a, b) that fill holes */
	uint32_t touched;     /* holes [a, b) reaches into */
	int sets_total;       /* the first MF=0 fragment */
	int inconsistent;     /* contradicts the end the train knows or claimed */
	int duplicate;        /* consistent, and every byte of [a, b) already held */
	int overlap;          /* inconsistent, or [a, b) partly held (RFC 5722) */
	int differs;          /* bytes shared with held ones differ */
} reasm_plan_t;

/* ---- names */

static const char *const reasm_event_names[REASM_EV_COUNT] = {
	[REASM_EV_COMPLETE] = "complete",
	[REASM_EV_INCOMPLETE] = "incomplete",
	[REASM_EV_DUPLICATE] = "duplicate",
	[REASM_EV_OVERLAP] = "overlap",
	[REASM_EV_OVERSIZE] = "oversize",
	[REASM_EV_TOO_MANY_FRAGS] = "too-many-fragments",
};

static const char *const reasm_why_names[REASM_WHY_DROPPED + 1] = {
	[REASM_WHY_NONE] = "none",
	[REASM_WHY_TIMEOUT] = "timeout",
	[REASM_WHY_EVICTED] = "evicted",
	[REASM_WHY_END] = "end",
	[REASM_WHY_TRUNCATED] = "truncated",
	[REASM_WHY_DROPPED] = "dropped",
};

const char *reasm_event2str(reasm_event_kind_t kind)
{
	return (unsigned)kind < REASM_EV_COUNT ? reasm_event_names[kind] : "?";
}

const char *reasm_why2str(reasm_incomplete_reason_t why)
{
	return (unsigned)why <= REASM_WHY_DROPPED ? reasm_why_names[why] : "?";
}

void reasm_limits_default(reasm_limits_t *lim)
{
	lim->max_datagrams = 4096;
	lim->max_frags = 128;
	lim->max_bytes = 16u << 20;
	lim->max_datagram_len = 65535;
	lim->timeout_ns_v4 = 30 * INT64_C(1000000000);
	lim->timeout_ns_v6 = 60 * INT64_C(1000000000);
}

/* ---- keys: hashed and compared field by field, so padding never matters */

static int reasm_key_addr_len(const reasm_key_t *k) { return k->family == 4 ? 4 : 16; }

/* Copy a caller's key with everything outside the key zeroed: bytes past an IPv4
 * address, the protocol of an IPv6 key and bits above an IPv4 id's 16. */
static int reasm_key_normalize(reasm_key_t *out, const reasm_key_t *in)
{
	if (in->family != 4 && in->family != 6)
		return -1;
	memset(out, 0, sizeof *out);
	out->family = in->family;
	out->proto = in->family == 4 ? in->proto : 0;
	out->id = in->family == 4 ? in->id & 0xffff : in->id;
	memcpy(out->src, in->src, (size_t)reasm_key_addr_len(in));
	memcpy(out->dst, in->dst, (size_t)reasm_key_addr_len(in));
	return 0;
}

static uint32_t reasm_hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u; /* FNV-1a */
	return h;
}

static uint32_t reasm_key_hash(const reasm_key_t *k)
{
	uint8_t head[6] = { k->family, k->proto, (uint8_t)(k->id >> 24), (uint8_t)(k->id >> 16),
			    (uint8_t)(k->id >> 8), (uint8_t)k->id };
	size_t n = (size_t)reasm_key_addr_len(k);
	uint32_t h = reasm_hash_bytes(2166136261u, head, sizeof head);
	h = reasm_hash_bytes(h, k->src, n);
	return reasm_hash_bytes(h, k->dst, n);
}

static int reasm_key_equal(const reasm_key_t *x, const reasm_key_t *y)
{
	size_t n = (size_t)reasm_key_addr_len(x);
	return x->family == y->family && x->proto == y->proto && x->id == y->id &&
	       memcmp(x->src, y->src, n) == 0 && memcmp(x->dst, y->dst, n) == 0;
}

/* ---- arrays: grown by doubling; callers reserve before they change anything */

/* Returns arr (possibly moved) with room for need elements, or NULL with arr
 * untouched. Trains start with non-empty arrays, so NULL always means failure. */
static void *reasm_array_grow(void *arr, uint32_t *cap, uint32_t need, size_t size)
{
	if (need <= *cap)
		return arr;
	uint64_t n = *cap ? *cap : 4;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX)
		n = need;
	void *p = reallocarray(arr, (size_t)n, size);
	if (p)
		*cap = (uint32_t)n;
	return p;
}

/* ---- trains */

static reasm_train_t *reasm_train_new(const reasm_key_t *key, uint32_t hash, int64_t born_ns, uint64_t seq)
{
	reasm_train_t *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->key = *key;
	t->hash = hash;
	t->seq = seq;
	t->born_ns = born_ns;
	t->cap_holes = t->cap_pieces = t->cap_chunks = 4;
	t->cap_ranges = t->cap_holes + 1;
	t->holes = calloc(t->cap_holes, sizeof *t->holes);
	t->ranges = calloc(t->cap_ranges, sizeof *t->ranges);
	t->pieces = calloc(t->cap_pieces, sizeof *t->pieces);
	t->chunks = calloc(t->cap_chunks, sizeof *t->chunks);
	if (!t->holes || !t->ranges || !t->pieces || !t->chunks) {
		free(t->holes);
		free(t->ranges);
		free(t->pieces);
		free(t->chunks);
		free(t);
		return NULL;
	}
	/* RFC 815: one hole from 0 to "infinity" */
	t->holes[0].start = 0;
	t->holes[0].end = REASM_OPEN;
	t->nholes = 1;
	return t;
}

static void reasm_train_free(reasm_train_t *t)
{
	for (uint32_t i = 0; i < t->nchunks; i++)
		if (t->chunks[i].owns)
			free(t->chunks[i].bytes);
	free(t->holes);
	free(t->ranges);
	free(t->pieces);
	free(t->chunks);
	free(t);
}

/* The held bytes as sorted, merged ranges: the complement of the holes up to the
 * end (total_len, or the start of the open hole). Holes are never adjacent, so
 * the ranges come out merged. */
static uint32_t reasm_train_ranges(reasm_train_t *t)
{
	uint32_t limit = t->have_last ? t->total_len : t->holes[t->nholes - 1].start;
	uint32_t n = 0, pos = 0;
	for (uint32_t i = 0; i < t->nholes; i++) {
		if (t->holes[i].start > pos)
			t->ranges[n++] = (reasm_range_t){ pos, t->holes[i].start };
		pos = t->holes[i].end;
	}
	if (pos < limit)
		t->ranges[n++] = (reasm_range_t){ pos, limit };
	return n;
}

/* Do the held bytes in [a, b) differ from data (whose first byte is at a)? */
static int reasm_train_differs(const reasm_train_t *t, uint32_t a, uint32_t b, const uint8_t *data)
{
	for (uint32_t i = 0; i < t->nchunks; i++) {
		const reasm_chunk_t *c = &t->chunks[i];
		uint32_t lo = c->start > a ? c->start : a;
		uint32_t hi = c->start + c->len < b ? c->start + c->len : b;
		if (lo < hi && memcmp(c->bytes + (lo - c->start), data + (lo - a), hi - lo) != 0)
			return 1;
	}
	return 0;
}

/* ---- RFC 815 hole list */

/* Index of the first hole ending after pos (nholes when there is none). */
static uint32_t reasm_holes_find(const reasm_train_t *t, uint32_t pos)
{
	uint32_t i = 0;
	while (i < t->nholes && t->holes[i].end <= pos)
		i++;
	return i;
}

/* How many bytes of [a, b) would fill holes, and how many holes they reach. */
static uint32_t reasm_holes_count(const reasm_train_t *t, uint32_t a, uint32_t b, uint32_t *touched)
{
	uint32_t fresh = 0;
	*touched = 0;
	if (a >= b)
		return 0;
	for (uint32_t i = reasm_holes_find(t, a); i < t->nholes && t->holes[i].start < b; i++) {
		uint32_t lo = t->holes[i].start > a ? t->holes[i].start : a;
		uint32_t hi = t->holes[i].end < b ? t->holes[i].end : b;
		fresh += hi - lo;
		(*touched)++;
	}
	return fresh;
}

/* RFC 815 steps 1-6 for [a, b): every hole the fragment reaches is replaced by
 * what it leaves open on either side, and the bytes it fills become chunks in
 * block. Capacity was reserved by the caller (one more hole, `touched` more
 * chunks). data is byte a. */
static void reasm_holes_fill(reasm_train_t *t, uint32_t a, uint32_t b, const uint8_t *data, uint8_t *block)
{
	if (a >= b)
		return;
	uint32_t i = reasm_holes_find(t, a), j = i, used = 0;
	for (; j < t->nholes && t->holes[j].start < b; j++) {
		uint32_t lo = t->holes[j].start > a ? t->holes[j].start : a;
		uint32_t hi = t->holes[j].end < b ? t->holes[j].end : b;
		memcpy(block + used, data + (lo - a), hi - lo);
		t->chunks[t->nchunks++] = (reasm_chunk_t){ lo, hi - lo, block + used, used == 0 };
		used += hi - lo;
	}
	if (i == j)
		return;
	reasm_range_t keep[2];
	uint32_t nkeep = 0;
	if (t->holes[i].start < a)
		keep[nkeep++] = (reasm_range_t){ t->holes[i].start, a };
	if (t->holes[j - 1].end > b)
		keep[nkeep++] = (reasm_range_t){ b, t->holes[j - 1].end };
	memmove(&t->holes[i + nkeep], &t->holes[j], (t->nholes - j) * sizeof *t->holes);
	memcpy(&t->holes[i], keep, nkeep * sizeof *keep);
	t->nholes = t->nholes - (j - i) + nkeep;
}

/* The end became known: holes and held bytes past it go. Returns how many held
 * bytes were dropped. */
static uint64_t reasm_train_clip(reasm_train_t *t, uint32_t end)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->nholes; i++) {
		if (t->holes[i].start >= end)
			continue;
		t->holes[n] = t->holes[i];
		if (t->holes[n].end > end)
			t->holes[n].end = end;
		n++;
	}
	t->nholes = n;
	uint64_t dropped = 0;
	for (uint32_t i = 0; i < t->nchunks; i++) {
		reasm_chunk_t *c = &t->chunks[i];
		uint32_t keep = c->start >= end ? 0 : c->start + c->len > end ? end - c->start : c->len;
		dropped += c->len - keep;
		c->len = keep; /* kept (if empty) so its block is still freed */
	}
	t->held -= dropped;
	return dropped;
}

/* ---- the table and the FIFOs */

static int reasm_fifo_index(const reasm_key_t *k) { return k->family == 6; }

static reasm_train_t *reasm_table_find(const reasm_t *r, const reasm_key_t *key, uint32_t hash)
{
	for (reasm_train_t *t = r->buckets[hash & r->mask]; t; t = t->hnext)
		if (t->hash == hash && reasm_key_equal(&t->key, key))
			return t;
	return NULL;
}

static void reasm_table_insert(reasm_t *r, reasm_train_t *t)
{
	reasm_train_t **b = &r->buckets[t->hash & r->mask];
	t->hnext = *b;
	*b = t;
	reasm_fifo_t *f = &r->fifo[reasm_fifo_index(&t->key)];
	t->older = f->newest;
	if (f->newest)
		f->newest->newer = t;
	else
		f->oldest = t;
	f->newest = t;
	t->linked = 1;
	r->in_flight++;
	if (r->in_flight > r->stats.peak_datagrams)
		r->stats.peak_datagrams = r->in_flight;
}

static void reasm_table_remove(reasm_t *r, reasm_train_t *t)
{
	reasm_train_t **p = &r->buckets[t->hash & r->mask];
	while (*p != t)
		p = &(*p)->hnext;
	*p = t->hnext;
	reasm_fifo_t *f = &r->fifo[reasm_fifo_index(&t->key)];
	if (t->older)
		t->older->newer = t->newer;
	else
		f->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		f->newest = t->older;
	t->linked = 0;
	r->in_flight--;
	r->bytes -= t->held;
}

/* The oldest train in flight other than skip (which may be NULL), or NULL. */
static reasm_train_t *reasm_table_oldest(const reasm_t *r, const reasm_train_t *skip)
{
	reasm_train_t *best = NULL;
	for (int f = 0; f < 2; f++) {
		reasm_train_t *t = r->fifo[f].oldest;
		if (t && t == skip)
			t = t->newer;
		if (t && (!best || t->seq < best->seq))
			best = t;
	}
	return best;
}

static void reasm_bytes_add(reasm_t *r, reasm_train_t *t, uint64_t n)
{
	t->held += n;
	if (!t->linked)
		return; /* a transient train is never counted */
	r->bytes += n;
	if (r->bytes > r->stats.peak_bytes)
		r->stats.peak_bytes = r->bytes;
}

/* ---- events */

static void reasm_event_emit(reasm_t *r, reasm_train_t *t, reasm_event_kind_t kind,
			     reasm_incomplete_reason_t why, uint64_t frame, int differs, const uint8_t *data)
{
	reasm_event_t ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.reason = kind == REASM_EV_INCOMPLETE ? why : REASM_WHY_NONE;
	ev.key = &t->key;
	ev.next_header = t->next_header;
	ev.data = data;
	ev.len = data ? t->total_len : 0;
	ev.receiver_discards = t->receiver_discards;
	ev.have_first = t->have_first;
	ev.have_last = t->have_last;
	ev.total_len = t->have_last ? t->total_len : 0;
	ev.nranges = reasm_train_ranges(t);
	ev.ranges = ev.nranges ? t->ranges : NULL;
	ev.pieces = t->npieces ? t->pieces : NULL;
	ev.npieces = t->npieces;
	ev.frame = frame;
	ev.differs = differs;
	ev.truncated = t->truncated;
	r->stats.ev[kind]++;
	if (kind == REASM_EV_INCOMPLETE)
		r->stats.incomplete_why[ev.reason]++;
	if (r->fn)
		r->fn(r->ctx, &ev);
}

/* The whole payload in r->scratch, or NULL when it cannot grow. */
static const uint8_t *reasm_train_assemble(reasm_t *r, const reasm_train_t *t)
{
	uint32_t need = t->total_len ? t->total_len : 1; /* an empty datagram still gets a pointer */
	if (need > r->cap_scratch) {
		uint8_t *p = realloc(r->scratch, need);
		if (!p)
			return NULL;
		r->scratch = p;
		r->cap_scratch = need;
	}
	for (uint32_t i = 0; i < t->nchunks; i++)
		memcpy(r->scratch + t->chunks[i].start, t->chunks[i].bytes, t->chunks[i].len);
	return r->scratch;
}

/* Report a train's last event, then forget it. */
static void reasm_train_finish(reasm_t *r, reasm_train_t *t, reasm_event_kind_t kind,
			       reasm_incomplete_reason_t why, uint64_t frame)
{
	const uint8_t *data = NULL;
	if (kind == REASM_EV_COMPLETE) {
		data = reasm_train_assemble(r, t);
		if (!data) {
			r->stats.nomem++;
			kind = REASM_EV_INCOMPLETE;
			why = REASM_WHY_EVICTED;
		}
	}
	reasm_event_emit(r, t, kind, why, frame, 0, data);
	if (t->linked)
		reasm_table_remove(r, t);
	reasm_train_free(t);
}

/* ---- timeouts, on capture time */

static int reasm_train_expired(const reasm_t *r, const reasm_train_t *t, int64_t now_ns)
{
	int64_t timeout = t->key.family == 6 ? r->lim.timeout_ns_v6 : r->lim.timeout_ns_v4;
	if (now_ns <= t->born_ns) /* time went backwards (merged files): never early */
		return 0;
	/* unsigned: the difference of two int64 fits in uint64 but may not in int64 */
	return (uint64_t)now_ns - (uint64_t)t->born_ns > (uint64_t)timeout;
}

void reasm_expire(reasm_t *r, int64_t now_ns)
{
	for (;;) {
		/* each FIFO has one timeout, so only its oldest can be the next to go;
		 * of the two, the one created first goes first */
		reasm_train_t *next = NULL;
		for (int f = 0; f < 2; f++) {
			reasm_train_t *t = r->fifo[f].oldest;
			if (t && reasm_train_expired(r, t, now_ns) && (!next || t->seq < next->seq))
				next = t;
		}
		if (!next)
			return;
		reasm_train_finish(r, next, REASM_EV_INCOMPLETE, REASM_WHY_TIMEOUT, 0);
	}
}

void reasm_flush(reasm_t *r)
{
	reasm_train_t *t;
	while ((t = reasm_table_oldest(r, NULL)) != NULL)
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
}

/* ---- feeding */

/* Bytes of a fragment we can keep: the capture may have cut it, and a caller's
 * len past wire_len would be link padding, not payload. */
static uint32_t reasm_frag_held(const reasm_frag_t *frag)
{
	if (!frag->data)
		return 0;
	return frag->len < frag->wire_len ? frag->len : frag->wire_len;
}

static reasm_plan_t reasm_plan_make(const reasm_train_t *t, const reasm_frag_t *frag)
{
	reasm_plan_t p;
	memset(&p, 0, sizeof p);
	uint32_t wend = frag->offset + frag->wire_len; /* <= max_datagram_len: checked */
	uint32_t limit = REASM_OPEN;
	if (t->have_last) {
		p.inconsistent = wend > t->total_len || (!frag->more && wend != t->total_len);
		limit = t->total_len;
	} else if (!frag->more) {
		p.sets_total = 1;
		p.inconsistent = t->wire_end > wend;
		limit = wend;
	}
	p.a = frag->offset;
	p.b = frag->offset + reasm_frag_held(frag);
	if (p.b > limit)
		p.b = limit;
	if (p.a > p.b)
		p.a = p.b;
	p.fresh = reasm_holes_count(t, p.a, p.b, &p.touched);
	p.duplicate = !p.inconsistent && p.b > p.a && p.fresh == 0;
	p.overlap = p.inconsistent || (p.fresh > 0 && p.fresh < p.b - p.a);
	if (p.fresh < p.b - p.a)
		p.differs = reasm_train_differs(t, p.a, p.b, frag->data);
	return p;
}

/* Room for one more piece, hole and range and the plan's chunks, and *block for
 * the new bytes (a dummy when there are none). -1 when memory ran out. */
static int reasm_train_reserve(reasm_train_t *t, const reasm_plan_t *p, uint8_t **block)
{
	static uint8_t none;
	void *q;
	if (!(q = reasm_array_grow(t->pieces, &t->cap_pieces, t->npieces + 1, sizeof *t->pieces)))
		return -1;
	t->pieces = q;
	if (!(q = reasm_array_grow(t->holes, &t->cap_holes, t->nholes + 1, sizeof *t->holes)))
		return -1;
	t->holes = q;
	if (!(q = reasm_array_grow(t->ranges, &t->cap_ranges, t->nholes + 2, sizeof *t->ranges)))
		return -1;
	t->ranges = q;
	if (!(q = reasm_array_grow(t->chunks, &t->cap_chunks, t->nchunks + p->touched, sizeof *t->chunks)))
		return -1;
	t->chunks = q;
	*block = p->fresh ? malloc(p->fresh) : &none;
	return *block ? 0 : -1;
}

/* Keep the fragment: a piece, its facts, its new bytes. */
static void reasm_train_apply(reasm_t *r, reasm_train_t *t, const reasm_frag_t *frag,
			      const reasm_plan_t *p, uint8_t *block)
{
	uint32_t wend = frag->offset + frag->wire_len;
	t->pieces[t->npieces++] = (reasm_piece_t){ frag->frame, frag->ts_ns, frag->offset,
						   frag->wire_len, frag->more };
	if (frag->offset == 0 && !t->have_first) {
		t->have_first = 1;
		t->next_header = frag->next_header;
	}
	if (reasm_frag_held(frag) < frag->wire_len)
		t->truncated = 1;
	if (wend > t->wire_end)
		t->wire_end = wend;
	if (p->sets_total) {
		t->have_last = 1;
		t->total_len = wend;
		uint64_t dropped = reasm_train_clip(t, wend);
		if (t->linked)
			r->bytes -= dropped;
	}
	if (p->fresh)
		reasm_holes_fill(t, p->a, p->b, frag->data, block);
	reasm_bytes_add(r, t, p->fresh);
	if (p->overlap)
		t->receiver_discards = 1;
}

/* A train for a key nobody holds: evict the oldest while at max_datagrams. A
 * transient train (atomic fragment, or one about to be dropped) is not kept. */
static reasm_train_t *reasm_train_start(reasm_t *r, const reasm_key_t *key, const reasm_frag_t *frag,
					int transient)
{
	if (!transient)
		while (r->in_flight >= r->lim.max_datagrams)
			reasm_train_finish(r, reasm_table_oldest(r, NULL), REASM_EV_INCOMPLETE,
					   REASM_WHY_EVICTED, 0);
	reasm_train_t *t = reasm_train_new(key, reasm_key_hash(key), frag->ts_ns, r->seq++);
	if (!t) {
		r->stats.nomem++;
		return NULL;
	}
	r->stats.datagrams_started++;
	if (!transient)
		reasm_table_insert(r, t);
	return t;
}

/* Make room for n more held bytes in t: evict other trains, oldest first. When
 * t could not hold them even alone, only t goes: emptying the table would not
 * help. Returns 0 when they fit, -1 when t was evicted. */
static int reasm_bytes_make_room(reasm_t *r, reasm_train_t *t, uint64_t n, uint64_t frame)
{
	if (t->held + n > r->lim.max_bytes) {
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, frame);
		return -1;
	}
	while (r->bytes + n > r->lim.max_bytes)
		reasm_train_finish(r, reasm_table_oldest(r, t), REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, 0);
	return 0;
}

void reasm_feed(reasm_t *r, const reasm_frag_t *frag)
{
	reasm_key_t key;
	r->stats.fragments++;
	reasm_expire(r, frag->ts_ns);
	if (reasm_key_normalize(&key, &frag->key) != 0) {
		r->stats.invalid++;
		return;
	}
	/* offset 0 and MF=0 is a whole datagram, kept apart from any train (RFC 6946) */
	int atomic = frag->offset == 0 && !frag->more;
	int oversize = (uint64_t)frag->offset + frag->wire_len > r->lim.max_datagram_len;
	reasm_train_t *t = atomic ? NULL : reasm_table_find(r, &key, reasm_key_hash(&key));
	if (!t && !(t = reasm_train_start(r, &key, frag, atomic || oversize)))
		return;

	if (oversize) {
		reasm_event_emit(r, t, REASM_EV_OVERSIZE, REASM_WHY_NONE, frag->frame, 0, NULL);
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, frag->frame);
		return;
	}
	reasm_plan_t p = reasm_plan_make(t, frag);
	if (p.duplicate && !p.sets_total) {
		reasm_event_emit(r, t, REASM_EV_DUPLICATE, REASM_WHY_NONE, frag->frame, p.differs, NULL);
		return; /* ignored, as Linux does */
	}
	if (t->linked && t->npieces >= r->lim.max_frags) {
		reasm_event_emit(r, t, REASM_EV_TOO_MANY_FRAGS, REASM_WHY_NONE, frag->frame, 0, NULL);
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, frag->frame);
		return;
	}
	if (t->linked && reasm_bytes_make_room(r, t, p.fresh, frag->frame) != 0)
		return;
	uint8_t *block;
	if (reasm_train_reserve(t, &p, &block) != 0) {
		r->stats.nomem++;
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, frag->frame);
		return;
	}
	reasm_train_apply(r, t, frag, &p, block);

	if (p.overlap || p.duplicate) /* a duplicate here gave the end: kept for that */
		reasm_event_emit(r, t, p.overlap ? REASM_EV_OVERLAP : REASM_EV_DUPLICATE, REASM_WHY_NONE,
				 frag->frame, p.differs, NULL);
	if (t->have_last && t->nholes == 0 && !t->truncated)
		reasm_train_finish(r, t, REASM_EV_COMPLETE, REASM_WHY_NONE, frag->frame);
	else if (!t->linked) /* an atomic fragment the capture cut */
		reasm_train_finish(r, t, REASM_EV_INCOMPLETE, REASM_WHY_TRUNCATED, frag->frame);
}

/* ---- life cycle and accessors */

reasm_t *reasm_new(const reasm_limits_t *lim, reasm_event_fn fn, void *ctx)
{
	reasm_t *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	if (lim)
		r->lim = *lim;
	else
		reasm_limits_default(&r->lim);
	/* limits that would make no train possible, or meet the open-hole marker */
	if (r->lim.max_datagrams == 0)
		r->lim.max_datagrams = 1;
	if (r->lim.max_frags == 0)
		r->lim.max_frags = 1;
	if (r->lim.max_datagram_len >= REASM_OPEN)
		r->lim.max_datagram_len = REASM_OPEN - 1;
	if (r->lim.timeout_ns_v4 < 0)
		r->lim.timeout_ns_v4 = 0;
	if (r->lim.timeout_ns_v6 < 0)
		r->lim.timeout_ns_v6 = 0;
	r->fn = fn;
	r->ctx = ctx;
	uint32_t n = REASM_BUCKETS_MIN;
	while (n < r->lim.max_datagrams && n < REASM_BUCKETS_MAX)
		n *= 2;
	r->buckets = calloc(n, sizeof *r->buckets);
	if (!r->buckets) {
		free(r);
		return NULL;
	}
	r->mask = n - 1;
	return r;
}

void reasm_free(reasm_t *r)
{
	if (!r)
		return;
	reasm_train_t *t;
	while ((t = reasm_table_oldest(r, NULL)) != NULL) {
		reasm_table_remove(r, t);
		reasm_train_free(t);
	}
	free(r->buckets);
	free(r->scratch);
	free(r);
}

const reasm_stats_t *reasm_stats(const reasm_t *r) { return &r->stats; }
uint32_t reasm_in_flight(const reasm_t *r) { return r->in_flight; }
uint64_t reasm_bytes_held(const reasm_t *r) { return r->bytes; }
