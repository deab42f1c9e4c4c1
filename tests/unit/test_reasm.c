/* test_reasm.c - unit tests for common/reasm.c: exact event sequences for each
 * part of the policy in reasm.h (order, duplicates, overlaps, missing pieces,
 * atomic fragments, keys, capture-time timeouts, every limit, accounting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reasm.h"

#define SEC INT64_C(1000000000)

/* Payload byte i of every datagram: the tests check reassembled data against it. */
static uint8_t pat[70000];

/* ---- recording events */

typedef struct rec_event {
	reasm_event_kind_t kind;
	reasm_incomplete_reason_t reason;
	reasm_key_t key;
	uint8_t next_header;
	uint8_t *data; /* copy, COMPLETE only */
	uint32_t len;
	int receiver_discards, have_first, have_last, differs, truncated;
	uint32_t total_len;
	reasm_range_t *ranges;
	uint32_t nranges;
	reasm_piece_t *pieces;
	uint32_t npieces;
	uint64_t frame;
} rec_event_t;

typedef struct fx {
	reasm_t *r;
	rec_event_t *ev;
	size_t n, cap;
} fx_t;

static void *dup_bytes(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

static void on_event(void *ctx, const reasm_event_t *ev)
{
	fx_t *fx = ctx;
	if (fx->n == fx->cap) {
		fx->cap = fx->cap ? fx->cap * 2 : 16;
		fx->ev = realloc(fx->ev, fx->cap * sizeof *fx->ev);
		assert_non_null(fx->ev);
	}
	rec_event_t *e = &fx->ev[fx->n++];
	memset(e, 0, sizeof *e);
	e->kind = ev->kind;
	e->reason = ev->reason;
	assert_non_null(ev->key);
	e->key = *ev->key;
	e->next_header = ev->next_header;
	if (ev->kind == REASM_EV_COMPLETE) {
		assert_non_null(ev->data);
		e->data = dup_bytes(ev->data, ev->len);
	} else {
		assert_null(ev->data);
	}
	e->len = ev->len;
	e->receiver_discards = ev->receiver_discards;
	e->have_first = ev->have_first;
	e->have_last = ev->have_last;
	e->differs = ev->differs;
	e->truncated = ev->truncated;
	e->total_len = ev->total_len;
	e->nranges = ev->nranges;
	e->ranges = dup_bytes(ev->ranges, ev->nranges * sizeof *ev->ranges);
	e->npieces = ev->npieces;
	e->pieces = dup_bytes(ev->pieces, ev->npieces * sizeof *ev->pieces);
	e->frame = ev->frame;
}

static void fx_clear(fx_t *fx)
{
	for (size_t i = 0; i < fx->n; i++) {
		free(fx->ev[i].data);
		free(fx->ev[i].ranges);
		free(fx->ev[i].pieces);
	}
	fx->n = 0;
}

/* Replace the reassembler with one using lim (NULL: the defaults). */
static void fx_limits(fx_t *fx, const reasm_limits_t *lim)
{
	reasm_free(fx->r);
	fx_clear(fx);
	fx->r = reasm_new(lim, on_event, fx);
	assert_non_null(fx->r);
}

static int setup(void **state)
{
	fx_t *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	fx_limits(fx, NULL);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fx_t *fx = *state;
	reasm_free(fx->r); /* may still hold trains: must free them silently */
	fx_clear(fx);
	free(fx->ev);
	free(fx);
	return 0;
}

/* ---- building fragments */

static reasm_key_t key4(uint32_t id, uint8_t proto)
{
	reasm_key_t k;
	memset(&k, 0, sizeof k);
	k.family = 4;
	k.proto = proto;
	k.id = id;
	memcpy(k.src, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(k.dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
	return k;
}

static reasm_key_t key6(uint32_t id)
{
	reasm_key_t k;
	memset(&k, 0, sizeof k);
	k.family = 6;
	k.id = id;
	k.src[0] = 0x20, k.src[1] = 0x01, k.src[2] = 0x0d, k.src[3] = 0xb8, k.src[15] = 1;
	k.dst[0] = 0x20, k.dst[1] = 0x01, k.dst[2] = 0x0d, k.dst[3] = 0xb8, k.dst[15] = 2;
	return k;
}

/* One fragment with explicit bytes: len captured of wire_len. */
static void feed_raw(fx_t *fx, reasm_key_t k, uint32_t off, const uint8_t *data, uint32_t len,
		     uint32_t wire_len, int more, uint64_t frame, int64_t ts)
{
	reasm_frag_t f;
	memset(&f, 0, sizeof f);
	f.key = k;
	f.offset = off;
	f.more = more;
	f.data = data;
	f.len = len;
	f.wire_len = wire_len;
	f.next_header = k.family == 4 ? k.proto : 17;
	f.frame = frame;
	f.ts_ns = ts;
	reasm_feed(fx->r, &f);
}

/* One fragment carrying the pattern's bytes [off, off + len), all captured. */
static void feed(fx_t *fx, reasm_key_t k, uint32_t off, uint32_t len, int more, uint64_t frame, int64_t ts)
{
	feed_raw(fx, k, off, pat + off, len, len, more, frame, ts);
}

/* ---- checking events */

static const rec_event_t *ev_at(const fx_t *fx, size_t i)
{
	assert_true(i < fx->n);
	return &fx->ev[i];
}

static void check_ev(const rec_event_t *e, reasm_event_kind_t kind, reasm_incomplete_reason_t why, uint64_t frame)
{
	assert_string_equal(reasm_event2str(e->kind), reasm_event2str(kind));
	assert_string_equal(reasm_why2str(e->reason), reasm_why2str(why));
	assert_int_equal(e->frame, frame);
}

/* ranges as start, end pairs */
static void check_ranges(const rec_event_t *e, uint32_t n, const uint32_t *se)
{
	assert_int_equal(e->nranges, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(e->ranges[i].start, se[2 * i]);
		assert_int_equal(e->ranges[i].end, se[2 * i + 1]);
	}
}

/* pieces' offsets in arrival order */
static void check_piece_offsets(const rec_event_t *e, uint32_t n, const uint32_t *off)
{
	assert_int_equal(e->npieces, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(e->pieces[i].offset, off[i]);
}

static void check_complete(const rec_event_t *e, uint32_t total, uint64_t frame)
{
	check_ev(e, REASM_EV_COMPLETE, REASM_WHY_NONE, frame);
	assert_int_equal(e->len, total);
	assert_int_equal(e->total_len, total);
	assert_true(e->have_first && e->have_last);
	assert_false(e->truncated);
	assert_memory_equal(e->data, pat, total);
	check_ranges(e, 1, (uint32_t[]){ 0, total });
}

static void check_idle(const fx_t *fx)
{
	assert_int_equal(reasm_in_flight(fx->r), 0);
	assert_int_equal(reasm_bytes_held(fx->r), 0);
}

/* Every train ends in exactly one COMPLETE or INCOMPLETE. */
static void check_invariant(const fx_t *fx)
{
	const reasm_stats_t *s = reasm_stats(fx->r);
	assert_int_equal(s->datagrams_started,
			 s->ev[REASM_EV_COMPLETE] + s->ev[REASM_EV_INCOMPLETE] + reasm_in_flight(fx->r));
}

/* ---- order */

static void test_in_order(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(1, 17);
	feed(fx, k, 0, 8, 1, 1, 0);
	assert_int_equal(reasm_bytes_held(fx->r), 8);
	feed(fx, k, 8, 8, 1, 2, 0);
	assert_int_equal(reasm_bytes_held(fx->r), 16);
	assert_int_equal(fx->n, 0);
	feed(fx, k, 16, 4, 0, 3, 0);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_complete(e, 20, 3);
	assert_int_equal(e->key.family, 4);
	assert_int_equal(e->key.proto, 17);
	assert_int_equal(e->key.id, 1);
	assert_int_equal(e->next_header, 17);
	assert_false(e->receiver_discards);
	check_piece_offsets(e, 3, (uint32_t[]){ 0, 8, 16 });
	assert_int_equal(e->pieces[0].len, 8);
	assert_int_equal(e->pieces[2].len, 4);
	assert_int_equal(e->pieces[0].more, 1);
	assert_int_equal(e->pieces[2].more, 0);
	assert_int_equal(e->pieces[1].frame, 2);
	check_idle(fx);
}

static void test_reverse_order(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key6(0xdeadbeef);
	feed(fx, k, 16, 4, 0, 1, 0);
	feed(fx, k, 8, 8, 1, 2, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, k, 0, 8, 1, 3, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 20, 3);
	check_piece_offsets(ev_at(fx, 0), 3, (uint32_t[]){ 16, 8, 0 });
	assert_int_equal(ev_at(fx, 0)->key.id, 0xdeadbeef);
	check_idle(fx);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random_order(void **state)
{
	fx_t *fx = *state;
	enum { N = 13, TRIALS = 300 };
	uint32_t seed = 2463534242u;
	for (uint32_t trial = 0; trial < TRIALS; trial++) {
		uint32_t order[N];
		for (uint32_t i = 0; i < N; i++)
			order[i] = i;
		for (uint32_t i = N - 1; i > 0; i--) { /* Fisher-Yates */
			uint32_t j = xorshift(&seed) % (i + 1), tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		reasm_key_t k = trial % 2 ? key6(trial) : key4(trial, 17);
		uint32_t offs[N];
		for (uint32_t i = 0; i < N; i++) {
			uint32_t piece = order[i];
			offs[i] = piece * 16;
			/* the last piece is 5 bytes: total 12 * 16 + 5 */
			feed(fx, k, piece * 16, piece == N - 1 ? 5 : 16, piece != N - 1, i + 1, 0);
			assert_int_equal(fx->n, trial + (i == N - 1));
		}
		const rec_event_t *e = ev_at(fx, trial);
		check_complete(e, (N - 1) * 16 + 5, N);
		check_piece_offsets(e, N, offs);
		assert_false(e->receiver_discards);
		check_idle(fx);
	}
}

/* ---- duplicates */

static void test_duplicate_same(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(2, 17);
	feed(fx, k, 0, 8, 1, 1, 0);
	feed(fx, k, 0, 8, 1, 2, 0);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_DUPLICATE, REASM_WHY_NONE, 2);
	assert_false(e->differs);
	assert_false(e->receiver_discards);
	check_piece_offsets(e, 1, (uint32_t[]){ 0 }); /* a duplicate is not a piece */
	check_ranges(e, 1, (uint32_t[]){ 0, 8 });
	assert_int_equal(reasm_bytes_held(fx->r), 8);
	feed(fx, k, 8, 4, 0, 3, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 12, 3);
	check_piece_offsets(ev_at(fx, 1), 2, (uint32_t[]){ 0, 8 });
	assert_false(ev_at(fx, 1)->receiver_discards);
	check_idle(fx);
}

static void test_duplicate_differs(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(3, 17);
	uint8_t other[8];
	for (int i = 0; i < 8; i++)
		other[i] = (uint8_t)~pat[4 + i];
	feed(fx, k, 0, 16, 1, 1, 0);
	feed_raw(fx, k, 4, other, 8, 8, 1, 2, 0);
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_DUPLICATE, REASM_WHY_NONE, 2);
	assert_true(ev_at(fx, 0)->differs);
	assert_false(ev_at(fx, 0)->receiver_discards);
	feed(fx, k, 16, 4, 0, 3, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 20, 3); /* the first bytes were kept */
	check_idle(fx);
}

/* Wholly inside held bytes, though they came from two fragments. */
static void test_duplicate_spanning(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key6(4);
	feed(fx, k, 0, 8, 1, 1, 0);
	feed(fx, k, 8, 8, 1, 2, 0);
	feed(fx, k, 4, 8, 1, 3, 0);
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_DUPLICATE, REASM_WHY_NONE, 3);
	assert_false(ev_at(fx, 0)->differs);
	check_ranges(ev_at(fx, 0), 1, (uint32_t[]){ 0, 16 });
	assert_int_equal(reasm_bytes_held(fx->r), 16);
}

/* An MF=0 fragment whose bytes are all held still gives the end. */
static void test_duplicate_gives_end(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(5, 17);
	feed(fx, k, 0, 16, 1, 1, 0);
	feed(fx, k, 8, 8, 0, 2, 0);
	assert_int_equal(fx->n, 2);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_DUPLICATE, REASM_WHY_NONE, 2);
	assert_true(e->have_last);
	assert_int_equal(e->total_len, 16);
	check_piece_offsets(e, 2, (uint32_t[]){ 0, 8 });
	check_complete(ev_at(fx, 1), 16, 2);
	assert_false(ev_at(fx, 1)->receiver_discards);
	check_idle(fx);
}

/* ---- overlaps */

static void test_overlap_partial(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(6, 17);
	uint8_t other[16];
	for (int i = 0; i < 16; i++)
		other[i] = (uint8_t)~pat[8 + i];
	feed(fx, k, 0, 16, 1, 1, 0);
	feed_raw(fx, k, 8, other, 16, 16, 1, 2, 0);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_OVERLAP, REASM_WHY_NONE, 2);
	assert_true(e->receiver_discards);
	assert_true(e->differs);
	check_piece_offsets(e, 2, (uint32_t[]){ 0, 8 });
	check_ranges(e, 1, (uint32_t[]){ 0, 24 });
	assert_int_equal(reasm_bytes_held(fx->r), 24); /* shared bytes counted once */
	feed(fx, k, 24, 8, 0, 3, 0);
	assert_int_equal(fx->n, 2);
	e = ev_at(fx, 1);
	check_ev(e, REASM_EV_COMPLETE, REASM_WHY_NONE, 3);
	assert_int_equal(e->len, 32);
	assert_true(e->receiver_discards); /* still assembled */
	assert_memory_equal(e->data, pat, 16);          /* first bytes win */
	assert_memory_equal(e->data + 16, other + 8, 8); /* the rest of the overlapping one */
	assert_memory_equal(e->data + 24, pat + 24, 8);
	check_idle(fx);

	/* the same geometry with the same bytes: still an overlap, bytes equal */
	k = key4(7, 17);
	feed(fx, k, 0, 16, 1, 4, 0);
	feed(fx, k, 8, 16, 1, 5, 0);
	assert_int_equal(fx->n, 3);
	check_ev(ev_at(fx, 2), REASM_EV_OVERLAP, REASM_WHY_NONE, 5);
	assert_false(ev_at(fx, 2)->differs);
	assert_true(ev_at(fx, 2)->receiver_discards);
}

static void test_overlap_past_end(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(8, 17);
	feed(fx, k, 16, 8, 0, 1, 0); /* end 24 */
	feed(fx, k, 16, 16, 1, 2, 0);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_OVERLAP, REASM_WHY_NONE, 2);
	assert_true(e->receiver_discards);
	assert_int_equal(e->total_len, 24);
	check_ranges(e, 1, (uint32_t[]){ 16, 24 });
	assert_int_equal(reasm_bytes_held(fx->r), 8); /* nothing kept past the end */
	feed(fx, k, 0, 16, 1, 3, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 24, 3);
	assert_true(ev_at(fx, 1)->receiver_discards);
	check_piece_offsets(ev_at(fx, 1), 3, (uint32_t[]){ 16, 16, 0 });
	check_idle(fx);
}

static void test_overlap_second_last(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key6(9);
	feed(fx, k, 16, 8, 0, 1, 0); /* end 24 */
	feed(fx, k, 8, 8, 0, 2, 0);  /* says end 16 */
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_OVERLAP, REASM_WHY_NONE, 2);
	assert_int_equal(ev_at(fx, 0)->total_len, 24); /* the first end stays */
	assert_int_equal(reasm_bytes_held(fx->r), 16);
	feed(fx, k, 0, 8, 1, 3, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 24, 3);
	assert_true(ev_at(fx, 1)->receiver_discards);
	check_idle(fx);
}

/* The first MF=0 fragment ends before bytes already held: they are dropped,
 * the accounting follows, and what is left is complete. */
static void test_overlap_end_before_held(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(10, 17);
	feed(fx, k, 0, 16, 1, 1, 0);
	feed(fx, k, 16, 16, 1, 2, 0);
	assert_int_equal(reasm_bytes_held(fx->r), 32);
	feed(fx, k, 8, 16, 0, 3, 0); /* end 24 */
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 0), REASM_EV_OVERLAP, REASM_WHY_NONE, 3);
	assert_int_equal(ev_at(fx, 0)->total_len, 24);
	check_ranges(ev_at(fx, 0), 1, (uint32_t[]){ 0, 24 });
	check_complete(ev_at(fx, 1), 24, 3);
	assert_true(ev_at(fx, 1)->receiver_discards);
	check_idle(fx);
	assert_int_equal(reasm_stats(fx->r)->peak_bytes, 32);
}

/* Random consistent fragments (overlapping freely, never past the end) against
 * a byte map: after every fragment the event, the bytes held and, at the end,
 * the ranges must be what the map says. */
static void test_random_overlaps_oracle(void **state)
{
	fx_t *fx = *state;
	enum { TRIALS = 400, MAXLEN = 200, FRAGS = 60 };
	uint32_t seed = 1234567u;
	for (uint32_t trial = 0; trial < TRIALS; trial++) {
		uint8_t map[MAXLEN] = { 0 };
		uint32_t total = 2 + xorshift(&seed) % (MAXLEN - 1), held = 0;
		int have_last = 0, overlapped = 0, done = 0;
		reasm_key_t k = trial % 2 ? key6(trial) : key4(trial, 17);
		fx_clear(fx);
		for (uint32_t i = 0; i < FRAGS && !done; i++) {
			uint32_t x = xorshift(&seed), o, e;
			int more = x % 5 != 0;
			if (more) {
				o = x % total;
				e = o + 1 + (x >> 8) % (total - o);
			} else { /* ends at total; offset >= 1 so it is not atomic */
				o = 1 + (x >> 8) % (total - 1);
				e = total;
			}
			uint32_t prev = 0;
			for (uint32_t b = o; b < e; b++)
				prev += map[b];
			size_t before = fx->n;
			feed(fx, k, o, e - o, more, i + 1, 0);
			for (uint32_t b = o; b < e; b++)
				map[b] = 1;
			held += (e - o) - prev;
			have_last |= !more;
			size_t want = before;
			if (prev == e - o) {
				check_ev(ev_at(fx, want++), REASM_EV_DUPLICATE, REASM_WHY_NONE, i + 1);
			} else if (prev > 0) {
				check_ev(ev_at(fx, want++), REASM_EV_OVERLAP, REASM_WHY_NONE, i + 1);
				overlapped = 1;
			}
			if (have_last && held == total) {
				check_complete(ev_at(fx, want++), total, i + 1);
				assert_int_equal(ev_at(fx, want - 1)->receiver_discards, overlapped);
				done = 1;
			}
			assert_int_equal(fx->n, want);
			assert_int_equal(reasm_bytes_held(fx->r), done ? 0 : held);
		}
		if (done)
			continue;
		reasm_flush(fx->r);
		const rec_event_t *ev = ev_at(fx, fx->n - 1);
		check_ev(ev, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
		assert_int_equal(ev->have_first, map[0]);
		assert_int_equal(ev->have_last, have_last);
		assert_int_equal(ev->total_len, have_last ? total : 0);
		assert_int_equal(ev->receiver_discards, overlapped);
		uint32_t n = 0;
		for (uint32_t b = 0; b < MAXLEN; b++) {
			if (!map[b] || (b > 0 && map[b - 1]))
				continue;
			uint32_t end = b;
			while (end < MAXLEN && map[end])
				end++;
			assert_true(n < ev->nranges);
			assert_int_equal(ev->ranges[n].start, b);
			assert_int_equal(ev->ranges[n].end, end);
			n++;
		}
		assert_int_equal(ev->nranges, n);
		check_idle(fx);
	}
}

/* ---- sizes */

static void test_tiny_fragments(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(11, 17);
	for (uint32_t i = 0; i < 32; i++)
		feed(fx, k, i * 8, 8, i != 31, i + 1, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 256, 32);
	assert_int_equal(ev_at(fx, 0)->npieces, 32);
	check_idle(fx);
}

/* Not a multiple of 8 in a non-last fragment: invalid per RFC, accepted. */
static void test_odd_length_accepted(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key6(12);
	feed(fx, k, 0, 5, 1, 1, 0);
	feed(fx, k, 5, 5, 0, 2, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 10, 2);
	check_idle(fx);
}

/* ---- missing pieces, reported at the end */

static void test_missing_first(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(13, 17);
	feed(fx, k, 8, 8, 1, 1, 0);
	feed(fx, k, 16, 4, 0, 2, 0);
	assert_int_equal(fx->n, 0);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
	check_ranges(e, 1, (uint32_t[]){ 8, 20 });
	assert_false(e->have_first);
	assert_true(e->have_last);
	assert_int_equal(e->total_len, 20);
	assert_int_equal(e->next_header, 0);
	assert_int_equal(e->len, 0);
	check_piece_offsets(e, 2, (uint32_t[]){ 8, 16 });
	check_idle(fx);
}

static void test_missing_middle(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(14, 17);
	feed(fx, k, 16, 4, 0, 1, 0);
	feed(fx, k, 0, 8, 1, 2, 0);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
	check_ranges(e, 2, (uint32_t[]){ 0, 8, 16, 20 });
	assert_true(e->have_first);
	assert_true(e->have_last);
	assert_int_equal(e->total_len, 20);
	assert_int_equal(e->next_header, 17);
	check_idle(fx);
}

static void test_missing_last(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key6(15);
	feed(fx, k, 8, 8, 1, 1, 0);
	feed(fx, k, 0, 8, 1, 2, 0);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
	check_ranges(e, 1, (uint32_t[]){ 0, 16 }); /* two pieces, merged */
	assert_true(e->have_first);
	assert_false(e->have_last);
	assert_int_equal(e->total_len, 0);
	check_idle(fx);
}

/* flush reports in creation order, across families */
static void test_flush_order(void **state)
{
	fx_t *fx = *state;
	feed(fx, key4(16, 17), 0, 8, 1, 1, 0);
	feed(fx, key6(16), 0, 8, 1, 2, 0);
	feed(fx, key4(17, 17), 0, 8, 1, 3, 0);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 3);
	assert_int_equal(ev_at(fx, 0)->key.family, 4);
	assert_int_equal(ev_at(fx, 0)->key.id, 16);
	assert_int_equal(ev_at(fx, 1)->key.family, 6);
	assert_int_equal(ev_at(fx, 2)->key.id, 17);
	check_idle(fx);
}

/* ---- atomic fragments and cut captures */

static void test_ipv6_atomic(void **state)
{
	fx_t *fx = *state;
	feed(fx, key6(20), 0, 40, 0, 1, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 40, 1);
	assert_int_equal(ev_at(fx, 0)->npieces, 1);
	assert_int_equal(ev_at(fx, 0)->next_header, 17);
	check_idle(fx);

	/* in isolation from a train with the same key (RFC 6946) */
	reasm_key_t k = key6(21);
	feed(fx, k, 0, 8, 1, 2, 0);
	feed(fx, k, 0, 20, 0, 3, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 20, 3);
	check_piece_offsets(ev_at(fx, 1), 1, (uint32_t[]){ 0 });
	assert_false(ev_at(fx, 1)->receiver_discards);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	assert_int_equal(reasm_bytes_held(fx->r), 8);
	feed(fx, k, 8, 8, 0, 4, 0);
	assert_int_equal(fx->n, 3);
	check_complete(ev_at(fx, 2), 16, 4);
	check_piece_offsets(ev_at(fx, 2), 2, (uint32_t[]){ 0, 8 });
	check_idle(fx);
	assert_int_equal(reasm_stats(fx->r)->datagrams_started, 3);
	check_invariant(fx);
}

static void test_atomic_truncated(void **state)
{
	fx_t *fx = *state;
	feed_raw(fx, key6(22), 0, pat, 20, 40, 0, 1, 0);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_INCOMPLETE, REASM_WHY_TRUNCATED, 1);
	assert_true(e->truncated);
	assert_true(e->have_first && e->have_last);
	assert_int_equal(e->total_len, 40);
	check_ranges(e, 1, (uint32_t[]){ 0, 20 });
	assert_int_equal(e->pieces[0].len, 40); /* what the header claimed */
	check_idle(fx);
}

/* A cut fragment's missing tail is never held, and such a train never completes. */
static void test_truncated_train(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(23, 17);
	feed_raw(fx, k, 0, pat, 10, 16, 1, 1, 0);
	feed(fx, k, 16, 8, 0, 2, 0);
	assert_int_equal(reasm_bytes_held(fx->r), 18);
	reasm_expire(fx->r, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, k, 10, 6, 1, 3, 0); /* fills the cut gap: not an overlap, still no COMPLETE */
	assert_int_equal(fx->n, 0);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 1);
	const rec_event_t *e = ev_at(fx, 0);
	check_ev(e, REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
	assert_true(e->truncated);
	assert_false(e->receiver_discards);
	check_ranges(e, 1, (uint32_t[]){ 0, 24 });
	check_piece_offsets(e, 3, (uint32_t[]){ 0, 16, 10 });
	check_idle(fx);

	/* without the filler the gap shows in the ranges */
	k = key4(24, 17);
	feed_raw(fx, k, 0, pat, 10, 16, 1, 4, 0);
	feed(fx, k, 16, 8, 0, 5, 0);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 2);
	check_ranges(ev_at(fx, 1), 2, (uint32_t[]){ 0, 10, 16, 24 });
	assert_true(ev_at(fx, 1)->truncated);
	check_idle(fx);
}

/* ---- keys */

static void test_keys_v4_proto(void **state)
{
	fx_t *fx = *state;
	feed(fx, key4(30, 17), 0, 8, 1, 1, 0);
	feed(fx, key4(30, 1), 0, 8, 1, 2, 0);
	assert_int_equal(fx->n, 0); /* not a duplicate: another train */
	assert_int_equal(reasm_in_flight(fx->r), 2);
	feed(fx, key4(30, 17), 8, 4, 0, 3, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 12, 3);
	assert_int_equal(ev_at(fx, 0)->key.proto, 17);
	check_piece_offsets(ev_at(fx, 0), 2, (uint32_t[]){ 0, 8 });
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 1), REASM_EV_INCOMPLETE, REASM_WHY_END, 0);
	assert_int_equal(ev_at(fx, 1)->key.proto, 1);
	check_idle(fx);
}

static void test_keys_v6_ignores_proto(void **state)
{
	fx_t *fx = *state;
	reasm_key_t a = key6(31), b = key6(31);
	a.proto = 17;
	b.proto = 58;
	feed(fx, a, 0, 8, 1, 1, 0);
	feed(fx, b, 8, 4, 0, 2, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 12, 2);
	assert_int_equal(ev_at(fx, 0)->key.proto, 0);
	check_idle(fx);
}

/* Bytes outside the key never split a train; families never share one. */
static void test_keys_normalized(void **state)
{
	fx_t *fx = *state;
	reasm_key_t clean = key4(32, 17), dirty = key4(32 | 0x10000, 17);
	memset(dirty.src + 4, 0xaa, 12);
	memset(dirty.dst + 4, 0x55, 12);
	feed(fx, clean, 0, 8, 1, 1, 0);
	feed(fx, dirty, 8, 4, 0, 2, 0);
	assert_int_equal(fx->n, 1);
	check_complete(ev_at(fx, 0), 12, 2);
	assert_int_equal(ev_at(fx, 0)->key.id, 32);
	assert_int_equal(ev_at(fx, 0)->key.src[4], 0);

	/* same id and address bytes, other family */
	reasm_key_t k6 = key4(33, 0);
	k6.family = 6;
	feed(fx, key4(33, 0), 0, 8, 1, 3, 0);
	feed(fx, k6, 0, 8, 1, 4, 0);
	assert_int_equal(fx->n, 1);
	assert_int_equal(reasm_in_flight(fx->r), 2);
}

static void test_invalid_family(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(34, 17);
	k.family = 5;
	feed(fx, k, 0, 8, 1, 1, 0);
	assert_int_equal(fx->n, 0);
	assert_int_equal(reasm_stats(fx->r)->invalid, 1);
	assert_int_equal(reasm_stats(fx->r)->fragments, 1);
	assert_int_equal(reasm_stats(fx->r)->datagrams_started, 0);
	check_idle(fx);
}

/* ---- capture-time timeouts */

static void test_timeout_v4(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(40, 17);
	feed(fx, k, 0, 8, 1, 1, 0);
	feed(fx, k, 8, 8, 1, 2, 30 * SEC); /* exactly 30 s: still joins */
	assert_int_equal(fx->n, 0);
	reasm_expire(fx->r, 30 * SEC);
	assert_int_equal(fx->n, 0);
	reasm_expire(fx->r, 30 * SEC + 1);
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_INCOMPLETE, REASM_WHY_TIMEOUT, 0);
	check_piece_offsets(ev_at(fx, 0), 2, (uint32_t[]){ 0, 8 });
	check_idle(fx);

	/* expired by reasm_feed's own clock; the same key then starts afresh */
	feed(fx, k, 0, 8, 1, 3, 100 * SEC);
	feed(fx, k, 8, 8, 1, 4, 130 * SEC + 1);
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 1), REASM_EV_INCOMPLETE, REASM_WHY_TIMEOUT, 0);
	check_piece_offsets(ev_at(fx, 1), 1, (uint32_t[]){ 0 });
	assert_int_equal(reasm_in_flight(fx->r), 1);
	assert_int_equal(reasm_bytes_held(fx->r), 8);
	assert_int_equal(reasm_stats(fx->r)->datagrams_started, 3);
	check_invariant(fx);
}

static void test_timeout_v6(void **state)
{
	fx_t *fx = *state;
	feed(fx, key6(41), 0, 8, 1, 1, 5 * SEC);
	reasm_expire(fx->r, 35 * SEC + 1); /* past the IPv4 timeout only */
	reasm_expire(fx->r, 65 * SEC);
	assert_int_equal(fx->n, 0);
	reasm_expire(fx->r, 65 * SEC + 1);
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_INCOMPLETE, REASM_WHY_TIMEOUT, 0);
	assert_int_equal(ev_at(fx, 0)->key.family, 6);
	check_idle(fx);
}

/* A long-lived IPv6 train does not hold back IPv4 timeouts; otherwise trains go
 * in creation order. */
static void test_timeout_mixed(void **state)
{
	fx_t *fx = *state;
	feed(fx, key6(42), 0, 8, 1, 1, 0);
	feed(fx, key4(42, 17), 0, 8, 1, 2, 10 * SEC);
	reasm_expire(fx->r, 40 * SEC + 1);
	assert_int_equal(fx->n, 1);
	assert_int_equal(ev_at(fx, 0)->key.family, 4);
	reasm_expire(fx->r, 60 * SEC + 1);
	assert_int_equal(fx->n, 2);
	assert_int_equal(ev_at(fx, 1)->key.family, 6);

	feed(fx, key4(43, 17), 0, 8, 1, 3, 100 * SEC);
	feed(fx, key6(43), 0, 8, 1, 4, 101 * SEC);
	feed(fx, key4(44, 17), 0, 8, 1, 5, 102 * SEC);
	reasm_expire(fx->r, 1000 * SEC);
	assert_int_equal(fx->n, 5);
	assert_int_equal(ev_at(fx, 2)->key.id, 43);
	assert_int_equal(ev_at(fx, 2)->key.family, 4);
	assert_int_equal(ev_at(fx, 3)->key.family, 6);
	assert_int_equal(ev_at(fx, 4)->key.id, 44);
	check_idle(fx);
}

/* Capture time going backwards (merged files): late, never early, never a crash. */
static void test_time_backwards(void **state)
{
	fx_t *fx = *state;
	feed(fx, key4(45, 17), 0, 8, 1, 1, 100 * SEC);
	feed(fx, key4(46, 17), 0, 8, 1, 2, 50 * SEC);
	reasm_expire(fx->r, 81 * SEC); /* 46 is past its timeout, but behind 45 */
	reasm_expire(fx->r, 0);
	assert_int_equal(fx->n, 0);
	reasm_expire(fx->r, 130 * SEC + 1);
	assert_int_equal(fx->n, 2);
	assert_int_equal(ev_at(fx, 0)->key.id, 45);
	assert_int_equal(ev_at(fx, 1)->key.id, 46);
	check_idle(fx);

	/* the extremes of the clock */
	feed(fx, key4(47, 17), 0, 8, 1, 3, INT64_MAX);
	reasm_expire(fx->r, INT64_MIN);
	assert_int_equal(fx->n, 2);
	reasm_flush(fx->r);
	feed(fx, key4(48, 17), 0, 8, 1, 4, INT64_MIN);
	reasm_expire(fx->r, INT64_MAX);
	assert_int_equal(fx->n, 4);
	check_ev(ev_at(fx, 3), REASM_EV_INCOMPLETE, REASM_WHY_TIMEOUT, 0);
	check_idle(fx);
}

/* ---- limits */

static void test_limit_datagrams(void **state)
{
	fx_t *fx = *state;
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_datagrams = 2;
	fx_limits(fx, &lim);
	feed(fx, key4(50, 17), 0, 8, 1, 1, 0);
	feed(fx, key4(51, 17), 0, 8, 1, 2, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, key4(52, 17), 0, 8, 1, 3, 0);
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, 0);
	assert_int_equal(ev_at(fx, 0)->key.id, 50);
	check_piece_offsets(ev_at(fx, 0), 1, (uint32_t[]){ 0 });
	assert_int_equal(reasm_in_flight(fx->r), 2);
	assert_int_equal(reasm_bytes_held(fx->r), 16);
	/* the survivors still work */
	feed(fx, key4(51, 17), 8, 4, 0, 4, 0);
	assert_int_equal(fx->n, 2);
	check_complete(ev_at(fx, 1), 12, 4);
	assert_int_equal(reasm_stats(fx->r)->peak_datagrams, 2);
	assert_int_equal(reasm_stats(fx->r)->incomplete_why[REASM_WHY_EVICTED], 1);
	check_invariant(fx);
}

static void test_limit_bytes(void **state)
{
	fx_t *fx = *state;
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_bytes = 24;
	fx_limits(fx, &lim);
	feed(fx, key4(53, 17), 0, 16, 1, 1, 0);
	feed(fx, key4(54, 17), 0, 8, 1, 2, 0); /* 24: fits exactly */
	assert_int_equal(fx->n, 0);
	feed(fx, key4(54, 17), 8, 8, 1, 3, 0); /* 32: the oldest goes */
	assert_int_equal(fx->n, 1);
	check_ev(ev_at(fx, 0), REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, 0);
	assert_int_equal(ev_at(fx, 0)->key.id, 53);
	assert_int_equal(reasm_bytes_held(fx->r), 16);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	/* a duplicate brings no new bytes: no eviction */
	feed(fx, key4(54, 17), 0, 8, 1, 4, 0);
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 1), REASM_EV_DUPLICATE, REASM_WHY_NONE, 4);
	/* too big even alone: only its own train goes, the fragment with it; the
	 * younger train 56 is not sacrificed for nothing */
	feed(fx, key6(56), 0, 4, 1, 5, 0);
	feed(fx, key4(54, 17), 16, 16, 0, 6, 0);
	assert_int_equal(fx->n, 3);
	check_ev(ev_at(fx, 2), REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, 6);
	assert_int_equal(ev_at(fx, 2)->key.id, 54);
	check_piece_offsets(ev_at(fx, 2), 2, (uint32_t[]){ 0, 8 });
	assert_int_equal(reasm_in_flight(fx->r), 1);
	assert_int_equal(reasm_bytes_held(fx->r), 4);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 4);
	assert_int_equal(ev_at(fx, 3)->key.id, 56);
	check_idle(fx);
	assert_int_equal(reasm_stats(fx->r)->peak_bytes, 24);
	/* an atomic datagram is never held, so the limit does not apply */
	feed(fx, key4(55, 17), 0, 100, 0, 7, 0);
	assert_int_equal(fx->n, 5);
	check_complete(ev_at(fx, 4), 100, 7);
	/* the fragment's own train is the oldest: the younger one goes instead */
	feed(fx, key4(57, 17), 0, 8, 1, 8, 0);
	feed(fx, key4(58, 17), 0, 12, 1, 9, 0);
	feed(fx, key4(57, 17), 8, 16, 1, 10, 0); /* 36 > 24, but 57 alone is 24 */
	assert_int_equal(fx->n, 6);
	check_ev(ev_at(fx, 5), REASM_EV_INCOMPLETE, REASM_WHY_EVICTED, 0);
	assert_int_equal(ev_at(fx, 5)->key.id, 58);
	assert_int_equal(reasm_bytes_held(fx->r), 24);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	check_invariant(fx);
}

static void test_limit_frags(void **state)
{
	fx_t *fx = *state;
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_frags = 3;
	fx_limits(fx, &lim);
	reasm_key_t k = key6(56);
	feed(fx, k, 0, 8, 1, 1, 0);
	feed(fx, k, 8, 8, 1, 2, 0);
	feed(fx, k, 16, 8, 1, 3, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, k, 24, 8, 1, 4, 0);
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 0), REASM_EV_TOO_MANY_FRAGS, REASM_WHY_NONE, 4);
	check_piece_offsets(ev_at(fx, 0), 3, (uint32_t[]){ 0, 8, 16 });
	check_ev(ev_at(fx, 1), REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, 4);
	check_ranges(ev_at(fx, 1), 1, (uint32_t[]){ 0, 24 });
	check_idle(fx);
	/* a later fragment of the same key starts a new train (documented) */
	feed(fx, k, 32, 4, 0, 5, 0);
	assert_int_equal(fx->n, 2);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	reasm_flush(fx->r);
	assert_int_equal(fx->n, 3);
	check_piece_offsets(ev_at(fx, 2), 1, (uint32_t[]){ 32 });

	/* duplicates do not count */
	k = key6(57);
	feed(fx, k, 0, 8, 1, 6, 0);
	for (int i = 0; i < 5; i++)
		feed(fx, k, 0, 8, 1, 7 + (uint64_t)i, 0);
	feed(fx, k, 8, 8, 1, 12, 0);
	feed(fx, k, 16, 4, 0, 13, 0);
	assert_int_equal(fx->n, 3 + 5 + 1);
	check_complete(ev_at(fx, 8), 20, 13);
	check_idle(fx);
	check_invariant(fx);
}

static void test_limit_oversize(void **state)
{
	fx_t *fx = *state;
	reasm_key_t k = key4(58, 17);
	feed(fx, k, 0, 8, 1, 1, 0);
	feed(fx, k, 65528, 7, 0, 2, 0); /* ends at 65535: allowed */
	assert_int_equal(fx->n, 0);
	feed(fx, k, 65528, 8, 1, 3, 0); /* ends at 65536 */
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 0), REASM_EV_OVERSIZE, REASM_WHY_NONE, 3);
	check_piece_offsets(ev_at(fx, 0), 2, (uint32_t[]){ 0, 65528 });
	check_ev(ev_at(fx, 1), REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, 3);
	check_ranges(ev_at(fx, 1), 2, (uint32_t[]){ 0, 8, 65528, 65535 });
	assert_true(ev_at(fx, 1)->have_last);
	check_idle(fx);

	/* a new key: reported, but it neither starts a train nor evicts one */
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_datagrams = 1;
	lim.max_datagram_len = 100;
	fx_limits(fx, &lim);
	feed(fx, key4(59, 17), 0, 8, 1, 1, 0);
	feed(fx, key4(60, 17), 96, 8, 1, 2, 0);
	assert_int_equal(fx->n, 2);
	check_ev(ev_at(fx, 0), REASM_EV_OVERSIZE, REASM_WHY_NONE, 2);
	assert_int_equal(ev_at(fx, 0)->key.id, 60);
	assert_int_equal(ev_at(fx, 0)->npieces, 0);
	check_ev(ev_at(fx, 1), REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, 2);
	assert_int_equal(ev_at(fx, 1)->nranges, 0);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	assert_int_equal(reasm_bytes_held(fx->r), 8);
	/* an atomic datagram too */
	feed(fx, key6(61), 0, 101, 0, 3, 0);
	assert_int_equal(fx->n, 4);
	check_ev(ev_at(fx, 2), REASM_EV_OVERSIZE, REASM_WHY_NONE, 3);
	check_ev(ev_at(fx, 3), REASM_EV_INCOMPLETE, REASM_WHY_DROPPED, 3);
	assert_int_equal(reasm_in_flight(fx->r), 1);
	check_invariant(fx);
}

/* ---- accounting and stats */

static void test_stats(void **state)
{
	fx_t *fx = *state;
	reasm_key_t a = key4(70, 17), b = key6(70), c = key4(71, 17);
	feed(fx, a, 0, 16, 1, 1, 0);
	feed(fx, a, 0, 16, 1, 2, 0);        /* DUPLICATE */
	feed(fx, a, 8, 16, 1, 3, 0);        /* OVERLAP */
	feed(fx, a, 24, 8, 0, 4, 0);        /* COMPLETE */
	feed(fx, b, 0, 64, 1, 5, 0);
	feed(fx, c, 8, 32, 1, 6, 1 * SEC);
	feed(fx, c, 0, 8, 1, 7, 40 * SEC);  /* c times out first, then starts again */
	assert_int_equal(reasm_bytes_held(fx->r), 72);
	reasm_flush(fx->r);                 /* b and the new c: END */
	check_idle(fx);
	assert_int_equal(fx->n, 6);

	const reasm_stats_t *s = reasm_stats(fx->r);
	assert_int_equal(s->fragments, 7);
	assert_int_equal(s->datagrams_started, 4);
	assert_int_equal(s->ev[REASM_EV_COMPLETE], 1);
	assert_int_equal(s->ev[REASM_EV_INCOMPLETE], 3);
	assert_int_equal(s->ev[REASM_EV_DUPLICATE], 1);
	assert_int_equal(s->ev[REASM_EV_OVERLAP], 1);
	assert_int_equal(s->ev[REASM_EV_OVERSIZE], 0);
	assert_int_equal(s->ev[REASM_EV_TOO_MANY_FRAGS], 0);
	assert_int_equal(s->incomplete_why[REASM_WHY_TIMEOUT], 1);
	assert_int_equal(s->incomplete_why[REASM_WHY_END], 2);
	assert_int_equal(s->incomplete_why[REASM_WHY_EVICTED], 0);
	assert_int_equal(s->peak_datagrams, 2);
	assert_int_equal(s->peak_bytes, 64 + 32); /* b and the first c, before it timed out */
	assert_int_equal(s->invalid, 0);
	assert_int_equal(s->nomem, 0);
	check_invariant(fx);
}

/* Many trains, every kind of event: the byte count comes back to exactly 0. */
static void test_bytes_return_to_zero(void **state)
{
	fx_t *fx = *state;
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_datagrams = 50;
	lim.max_bytes = 4000;
	lim.max_frags = 6;
	fx_limits(fx, &lim);
	uint32_t seed = 88172645u;
	for (uint64_t frame = 1; frame <= 20000; frame++) {
		uint32_t x = xorshift(&seed);
		reasm_key_t k = x & 1 ? key6(x >> 1 & 127) : key4(x >> 1 & 127, 17);
		uint32_t off = (x >> 8 & 15) * 8, len = 1 + (x >> 12 & 63);
		feed(fx, k, off, len, (x >> 20 & 3) != 0, frame, (int64_t)frame * (SEC / 100));
		uint64_t held = reasm_bytes_held(fx->r);
		assert_true(held <= lim.max_bytes);
		assert_true(reasm_in_flight(fx->r) <= lim.max_datagrams);
		if (fx->n > 1000)
			fx_clear(fx);
	}
	check_invariant(fx);
	reasm_flush(fx->r);
	check_idle(fx);
	check_invariant(fx);
}

static void test_no_callback(void **state)
{
	(void)state;
	reasm_t *r = reasm_new(NULL, NULL, NULL);
	assert_non_null(r);
	reasm_frag_t f;
	memset(&f, 0, sizeof f);
	f.key = key4(80, 17);
	f.data = pat;
	f.len = f.wire_len = 8;
	f.more = 1;
	reasm_feed(r, &f);
	reasm_flush(r);
	assert_int_equal(reasm_stats(r)->ev[REASM_EV_INCOMPLETE], 1);
	assert_int_equal(reasm_bytes_held(r), 0);
	reasm_free(r);
	reasm_free(NULL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(reasm_event2str(REASM_EV_COMPLETE), "complete");
	assert_string_equal(reasm_event2str(REASM_EV_TOO_MANY_FRAGS), "too-many-fragments");
	assert_string_equal(reasm_event2str(REASM_EV_COUNT), "?");
	assert_string_equal(reasm_why2str(REASM_WHY_TIMEOUT), "timeout");
	assert_string_equal(reasm_why2str(REASM_WHY_TRUNCATED), "truncated");
	assert_string_equal(reasm_why2str(REASM_WHY_DROPPED), "dropped");
	assert_string_equal(reasm_why2str((reasm_incomplete_reason_t)(REASM_WHY_DROPPED + 1)), "?");
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	assert_int_equal(lim.max_datagrams, 4096);
	assert_int_equal(lim.max_frags, 128);
	assert_int_equal(lim.max_bytes, 16u << 20);
	assert_int_equal(lim.max_datagram_len, 65535);
	assert_int_equal(lim.timeout_ns_v4, 30 * SEC);
	assert_int_equal(lim.timeout_ns_v6, 60 * SEC);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	for (size_t i = 0; i < sizeof pat; i++)
		pat[i] = (uint8_t)(i * 31 + 7);
	const struct CMUnitTest tests[] = {
		T(test_in_order),
		T(test_reverse_order),
		T(test_random_order),
		T(test_duplicate_same),
		T(test_duplicate_differs),
		T(test_duplicate_spanning),
		T(test_duplicate_gives_end),
		T(test_overlap_partial),
		T(test_overlap_past_end),
		T(test_overlap_second_last),
		T(test_overlap_end_before_held),
		T(test_random_overlaps_oracle),
		T(test_tiny_fragments),
		T(test_odd_length_accepted),
		T(test_missing_first),
		T(test_missing_middle),
		T(test_missing_last),
		T(test_flush_order),
		T(test_ipv6_atomic),
		T(test_atomic_truncated),
		T(test_truncated_train),
		T(test_keys_v4_proto),
		T(test_keys_v6_ignores_proto),
		T(test_keys_normalized),
		T(test_invalid_family),
		T(test_timeout_v4),
		T(test_timeout_v6),
		T(test_timeout_mixed),
		T(test_time_backwards),
		T(test_limit_datagrams),
		T(test_limit_bytes),
		T(test_limit_frags),
		T(test_limit_oversize),
		T(test_stats),
		T(test_bytes_return_to_zero),
		T(test_no_callback),
		T(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
