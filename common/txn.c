/* txn.c - the transaction tracker (see txn.h). */
#include "txn.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ip.h"
#include "pagetouch.h"

#define LINK_TABLE_SIZE 8192  /* direct-mapped hints: fragment trains and TCP flows */
#define NO_SLOT UINT32_MAX

typedef struct txn_ref {
	uint32_t slot, gen;
} txn_ref_t;

/* A fragment train (family, src, dst, IP id) linked to the transaction its
 * first fragment named. A hint: a collision overwrites, the key is checked. */
typedef struct frag_link {
	reasm_key_t key;
	txn_ref_t ref;
	uint8_t used;
	uint8_t by_addresses; /* tied by addresses and time, not by its first fragment */
} frag_link_t;

/* A TCP connection from a client to port 53, linked to the transaction it retries. */
typedef struct flow_link {
	ip_addr_t client, server;
	uint16_t cport, sport;
	txn_ref_t ref;
	uint8_t used, synack;
	uint8_t tentative;   /* ref was chosen at the SYN, before the query named its question */
	uint64_t syn_frame;
	uint16_t mss;
} flow_link_t;

/* A slot's state and its places in the two indexes. They live beside the
 * transactions, not in them: a lookup that finds nothing (every new query)
 * then touches no transaction, whose 700 bytes are a cache miss each, and
 * neither does linking a new one in, nor asking whether a reference is still
 * live (the FIFO and linger rings do that for every packet). txn_find,
 * txn_index and the removals went from about 20% to 9% of a run (perf,
 * bench/run, 300 MB); moving gen/open/settled here too, with the FIFO head's
 * birth time kept in the tracker (txn_expire), took txn_expire and
 * txn_fifo_drop_stale from 6.5% to 3.9% of the samples. */
typedef struct txn_links {
	uint32_t chain_next;   /* the next slot in its key bucket */
	uint32_t chain_hash;   /* txn_key_hash of its key */
	uint32_t pair_prev, pair_next; /* its (client, server) bucket's list, newest first */
	uint32_t pair_bucket;  /* NO_SLOT until indexed */
	uint32_t gen;          /* bumped when the slot is freed: stale txn_ref_t no longer match */
	uint8_t open;
	uint8_t settled; /* its answer is in: finalized after a short linger, out of creation order */
	uint8_t details; /* the slot's details (txn_t from frag_ip_sizes on) are set: see txn_details */
} txn_links_t;

struct txn_tracker {
	txn_config_t cfg;
	txn_sink_fn sink;
	void *ctx;
	txn_t *slots;            /* max_open transactions (see txn_slots_alloc); their state is in links[] */
	size_t slots_bytes;
	uint32_t nslots;         /* slots used so far */
	uint32_t *free_list;
	uint32_t nfree;
	/* Open transactions in creation order (a ring of twice max_open: entries of
	 * transactions already finalized out of order are skipped when they reach
	 * the head), and the settled ones in the order their answers came. */
	txn_ref_t *fifo;
	uint32_t fifo_head, fifo_len, fifo_cap;
	struct txn_done {
		txn_ref_t ref;
		int64_t ts;
	} *done;
	uint32_t done_head, done_len;
	uint32_t open_count;
	uint32_t *buckets;
	uint32_t nbuckets;
	txn_links_t *links;      /* per slot (max_open) */
	txn_ref_t head_ref;      /* the FIFO head whose birth time is head_born_ns */
	int64_t head_born_ns;
	uint32_t *pair_heads;    /* nbuckets lists by (client, server): see txn_find_recent */
	frag_link_t frags[LINK_TABLE_SIZE];
	flow_link_t flows[LINK_TABLE_SIZE];
	txn_stats_t stats;
	int64_t now_ns;
	txn_t out;               /* what the sink gets for a transaction without details: see txn_finalize */
};

void txn_config_default(txn_config_t *cfg)
{
	cfg->window_ns = 10LL * 1000000000LL;
	cfg->max_open = 32768;
}

/* ---- hashing */
static uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t addr_hash(uint32_t h, const ip_addr_t *a)
{
	h = fnv1a(h, &a->family, 1);
	return fnv1a(h, a->a, a->family == 6 ? 16 : 4);
}

/* The transaction indexes hash a 32-bit word at a time (multiply, xor-shift):
 * byte-wise FNV-1a over the 20 to 44 bytes of a key was 4% of a run (bench/run,
 * 300 MB). Only bucket choice depends on it; the direct-mapped link tables
 * below keep FNV-1a, since their collisions decide what is overwritten. */
static uint32_t hash_mix(uint32_t h, uint32_t v)
{
	h = (h ^ v) * 0x9e3779b1u;
	return h ^ (h >> 16);
}

static uint32_t addr_mix(uint32_t h, const ip_addr_t *a)
{
	uint32_t w[4];
	size_t n = a->family == 6 ? 4 : 1;
	memcpy(w, a->a, n * sizeof *w);
	h = hash_mix(h, a->family);
	for (size_t i = 0; i < n; i++)
		h = hash_mix(h, w[i]);
	return h;
}

/* The (client, server) hash, which the key hash continues: txn_index needs
 * both and computes the addresses' part once. */
static uint32_t txn_pair_hash(const ip_addr_t *client, const ip_addr_t *server)
{
	return addr_mix(addr_mix(2166136261u, client), server);
}

static uint32_t txn_key_hash_from(uint32_t pair_hash, uint16_t cport, uint16_t sport, uint16_t id, uint32_t qname_hash)
{
	uint32_t h = hash_mix(pair_hash, (uint32_t)cport << 16 | sport);
	h = hash_mix(h, id);
	return hash_mix(h, qname_hash);
}

static uint32_t txn_key_hash(const ip_addr_t *client, uint16_t cport, const ip_addr_t *server, uint16_t sport,
                             uint16_t id, uint32_t qname_hash)
{
	return txn_key_hash_from(txn_pair_hash(client, server), cport, sport, id, qname_hash);
}

static uint32_t qname_hash_of(const dns_view_t *v)
{
	return fnv1a(2166136261u, v->qname, v->qname_len);
}

/* ---- slots */
static txn_t *txn_deref(txn_tracker_t *tt, txn_ref_t ref)
{
	if (ref.slot >= tt->nslots || tt->links[ref.slot].gen != ref.gen || !tt->links[ref.slot].open)
		return NULL;
	return &tt->slots[ref.slot];
}

static txn_ref_t txn_ref_of(txn_tracker_t *tt, const txn_t *t)
{
	uint32_t slot = (uint32_t)(t - tt->slots);
	txn_ref_t r = { slot, tt->links[slot].gen };
	return r;
}

/* A slot's details (fragments, ICMP, the TCP retry: txn_t from frag_ip_sizes
 * on, 320 of its 728 bytes) are cleared only when a transaction first needs
 * them; most never do. txn_create clears the first part and the name's first
 * byte, 3 or 4 cache lines, no longer all 12, and txn_finalize reads only
 * those (see there). Every write or read of a details field goes through here. */
static txn_t *txn_details(txn_tracker_t *tt, txn_t *t)
{
	txn_links_t *s = &tt->links[t - tt->slots];
	if (!s->details) {
		memset(&t->frag_ip_sizes, 0, sizeof *t - offsetof(txn_t, frag_ip_sizes));
		s->details = 1;
	}
	return t;
}

static int txn_key_match(const txn_t *t, const ip_addr_t *client, uint16_t cport, const ip_addr_t *server,
                         uint16_t sport, uint16_t id, uint32_t qname_hash)
{
	return t->id == id && t->cport == cport && t->sport == sport && t->qname_hash == qname_hash &&
	       ip_addr_equal(&t->client, client) && ip_addr_equal(&t->server, server);
}

/* h: txn_key_hash of the key */
static txn_t *txn_find_hashed(txn_tracker_t *tt, uint32_t h, const ip_addr_t *client, uint16_t cport,
                              const ip_addr_t *server, uint16_t sport, uint16_t id, uint32_t qname_hash)
{
	for (uint32_t s = tt->buckets[h & (tt->nbuckets - 1)]; s != NO_SLOT; s = tt->links[s].chain_next)
		if (tt->links[s].chain_hash == h && txn_key_match(&tt->slots[s], client, cport, server, sport, id, qname_hash))
			return &tt->slots[s];
	return NULL;
}

static txn_t *txn_find(txn_tracker_t *tt, const ip_addr_t *client, uint16_t cport, const ip_addr_t *server,
                       uint16_t sport, uint16_t id, uint32_t qname_hash)
{
	uint32_t h = txn_key_hash(client, cport, server, sport, id, qname_hash);
	return txn_find_hashed(tt, h, client, cport, server, sport, id, qname_hash);
}

/* Keys do not change once indexed: the hash kept at txn_index finds the bucket. */
static void txn_hash_remove(txn_tracker_t *tt, uint32_t slot)
{
	uint32_t b = tt->links[slot].chain_hash & (tt->nbuckets - 1);
	for (uint32_t *p = &tt->buckets[b]; *p != NO_SLOT; p = &tt->links[*p].chain_next) {
		if (*p == slot) {
			*p = tt->links[slot].chain_next;
			return;
		}
	}
}

/* ---- verdicts */
/* Every fragment of an answer can die on the way: the client then sees nothing
 * at all. When the TCP retry brings an answer that the advertised EDNS size let
 * the server send over UDP, and that cannot fit one packet on a 1,500-byte link
 * (1,472 bytes of DNS over IPv4, 1,452 over IPv6), the UDP answer left the
 * server in fragments and none arrived. Jumbo-frame paths would fool this; the
 * report says the loss was inferred. */
static void txn_infer_lost_fragments(txn_tracker_t *tt, txn_t *t)
{
	uint32_t one_packet = t->server.family == 6 ? 1452 : 1472;
	if (t->answered || t->train_seen || t->transport != DNS_OVER_UDP || t->tcp != TXN_TCP_COMPLETE)
		return;
	txn_details(tt, t);
	if (t->tcp_answer_size <= one_packet || t->udp_size < t->tcp_answer_size)
		return;
	t->frags_lost = 1;
	t->lost_inferred = 1;
	t->lost_total_len = t->tcp_answer_size + 8;
}

static void txn_judge(txn_tracker_t *tt, txn_t *t)
{
	int tcp_ok = t->tcp == TXN_TCP_COMPLETE;
	/* Fragments of the answer arrived but the answer never did: whatever the
	 * reassembler decides later (its timeout is longer than our window). */
	t->frags_lost = t->train_seen && !t->answered;
	txn_infer_lost_fragments(tt, t);
	if (!t->has_query)
		t->verdict = TXN_ORPHAN_ANSWER;
	else if (t->transport == DNS_OVER_TCP)
		t->verdict = TXN_TCP_ONLY;
	else if (t->answered && t->tc)
		t->verdict = TXN_TRUNCATED;
	else if (t->answered && t->receiver_discards)
		t->verdict = TXN_DISCARDED;
	else if (t->answered)
		t->verdict = t->nfrags ? TXN_FRAGMENTED : TXN_WHOLE;
	else if (t->frags_lost)
		t->verdict = TXN_FRAGMENTS_LOST;
	else
		t->verdict = TXN_NO_ANSWER;
	switch (t->verdict) {
	case TXN_WHOLE:
	case TXN_FRAGMENTED:
	case TXN_ORPHAN_ANSWER:
		t->delivered = 1;
		break;
	case TXN_TCP_ONLY:
		t->delivered = (uint8_t)(t->answered || tcp_ok);
		break;
	default:
		t->delivered = (uint8_t)tcp_ok;
		break;
	}
}

static void txn_pair_remove(txn_tracker_t *tt, uint32_t slot);

static void txn_finalize(txn_tracker_t *tt, uint32_t slot)
{
	txn_t *t = &tt->slots[slot];
	txn_links_t *s = &tt->links[slot];
	txn_judge(tt, t);
	tt->stats.finalized++;
	if (tt->sink && s->details) {
		tt->sink(tt->ctx, t);
	} else if (tt->sink) {
		/* No details: the sink gets a copy of the first part and the name in
		 * tt->out, whose details stay zero (the sinks take a const txn_t), and
		 * the slot's other lines, cold for seconds, are not read at all. */
		memcpy(&tt->out, t, offsetof(txn_t, qname));
		memcpy(tt->out.qname, t->qname, (size_t)t->qname_len + 1);
		tt->sink(tt->ctx, &tt->out);
	}
	txn_hash_remove(tt, slot);
	txn_pair_remove(tt, slot);
	s->open = 0;
	s->settled = 0;
	s->gen++;
	tt->open_count--;
	tt->free_list[tt->nfree++] = slot;
}

static int txn_ref_live(const txn_tracker_t *tt, txn_ref_t ref)
{
	return ref.slot < tt->nslots && tt->links[ref.slot].open && tt->links[ref.slot].gen == ref.gen;
}

/* Skip ring entries whose transaction was finalized out of order. */
static void txn_fifo_drop_stale(txn_tracker_t *tt)
{
	while (tt->fifo_len && !txn_ref_live(tt, tt->fifo[tt->fifo_head])) {
		tt->fifo_head = (tt->fifo_head + 1) % tt->fifo_cap;
		tt->fifo_len--;
	}
}

static void txn_fifo_pop_finalize(txn_tracker_t *tt)
{
	txn_fifo_drop_stale(tt);
	if (!tt->fifo_len)
		return;
	uint32_t slot = tt->fifo[tt->fifo_head].slot;
	tt->fifo_head = (tt->fifo_head + 1) % tt->fifo_cap;
	tt->fifo_len--;
	txn_finalize(tt, slot);
}

/* Once its answer is in, a transaction only waits a moment for a second
 * answer or an ICMP error about the first: on a busy resolver capture (6,000
 * queries/s) waiting the whole window would fill the table with finished
 * transactions and evict the ones still waiting for fragments or TCP. */
#define TXN_LINGER_NS (2LL * 1000000000LL)

static void txn_settle(txn_tracker_t *tt, txn_t *t)
{
	txn_ref_t ref = txn_ref_of(tt, t);
	txn_links_t *s = &tt->links[ref.slot];
	if (s->settled)
		return;
	s->settled = 1;
	if (tt->done_len == tt->cfg.max_open) { /* full of answers within the linger: the oldest goes now */
		txn_ref_t old = tt->done[tt->done_head].ref;
		tt->done_head = (tt->done_head + 1) % tt->cfg.max_open;
		tt->done_len--;
		if (txn_ref_live(tt, old))
			txn_finalize(tt, old.slot);
	}
	struct txn_done *d = &tt->done[(tt->done_head + tt->done_len) % tt->cfg.max_open];
	d->ref = ref;
	d->ts = tt->now_ns;
	tt->done_len++;
}

/* A transaction whose answer is stuck half-way in fragments stays open until
 * the receiver's reassembly timer has run out (Linux: 30 s for IPv4, 60 s for
 * IPv6), so the ICMP reassembly-timeout the client sends is tied to it. Later
 * transactions wait behind it (creation order), bounded by max_open. */
static int64_t txn_train_grace(const txn_t *t)
{
	if (!t->train_seen || t->answered)
		return 0;
	return (t->client.family == 6 ? 62LL : 32LL) * 1000000000LL;
}

/* Ask for the lines a finalization reads first: the slot's state and its
 * first part and name (see txn_finalize). The linger ring's next entry is
 * finalized a few packets later, seconds after it was last touched; without
 * this, the first load of the slot was 57% of txn_finalize's samples, itself
 * 9-11% of a run (perf, bench/run, 300 MB). */
/* always_inline: GCC 12 takes a function that only prefetches for one
 * without effects and drops the calls (no prefetch left in the binary). */
static inline __attribute__((always_inline)) void txn_prefetch(const txn_tracker_t *tt, uint32_t slot)
{
	const char *p = (const char *)&tt->slots[slot];
	size_t hot = offsetof(txn_t, qname) + 32; /* the first part and a short name */
	__builtin_prefetch(&tt->links[slot]);
	for (size_t off = 0; off < hot; off += 64)
		__builtin_prefetch(p + off);
	__builtin_prefetch(p + hot - 1);
}

static void txn_expire(txn_tracker_t *tt, int64_t now_ns)
{
	if (now_ns > tt->now_ns)
		tt->now_ns = now_ns;
	int64_t linger = tt->cfg.window_ns < TXN_LINGER_NS ? tt->cfg.window_ns : TXN_LINGER_NS;
	while (tt->done_len && tt->now_ns - tt->done[tt->done_head].ts > linger) {
		txn_ref_t ref = tt->done[tt->done_head].ref;
		tt->done_head = (tt->done_head + 1) % tt->cfg.max_open;
		tt->done_len--;
		if (tt->done_len)
			txn_prefetch(tt, tt->done[tt->done_head].ref.slot);
		if (txn_ref_live(tt, ref))
			txn_finalize(tt, ref.slot);
	}
	for (;;) {
		txn_fifo_drop_stale(tt);
		if (!tt->fifo_len)
			break;
		/* Called for nearly every packet: the oldest transaction's birth time
		 * (fixed once the event that created it is over) is kept beside the
		 * FIFO, so the usual answer, "not yet", reads no transaction. */
		txn_ref_t head = tt->fifo[tt->fifo_head];
		const txn_t *oldest = &tt->slots[head.slot];
		if (head.slot != tt->head_ref.slot || head.gen != tt->head_ref.gen) {
			tt->head_ref = head;
			tt->head_born_ns = oldest->has_query ? oldest->query_ts : oldest->answer_ts;
		}
		int64_t age = tt->now_ns - tt->head_born_ns;
		if (age <= tt->cfg.window_ns || age <= tt->cfg.window_ns + txn_train_grace(oldest))
			break;
		txn_fifo_pop_finalize(tt);
	}
}

/* A new open transaction, evicting the oldest when the table is full. */
static txn_t *txn_create(txn_tracker_t *tt)
{
	txn_fifo_drop_stale(tt);
	if (tt->open_count == tt->cfg.max_open || tt->fifo_len == tt->fifo_cap) {
		tt->slots[tt->fifo[tt->fifo_head].slot].evicted = 1;
		tt->stats.evicted++;
		txn_fifo_pop_finalize(tt);
	}
	uint32_t slot;
	if (tt->nfree) {
		slot = tt->free_list[--tt->nfree];
	} else {
		if (tt->nslots == tt->cfg.max_open)
			return NULL;
		slot = tt->nslots++;
		tt->links[slot].gen = 0;
	}
	txn_t *t = &tt->slots[slot];
	txn_links_t *s = &tt->links[slot];
	/* The first part zero, the name empty; of the name buffer only the bytes
	 * up to its NUL are ever read (txn_name_set writes the name and its NUL),
	 * and the details are cleared when first needed (txn_details). The full
	 * memset wrote 12 cache lines of a slot not touched for seconds: txn_create
	 * went from 8.9% to 0.9% of the samples (perf, bench/run, 300 MB), some
	 * of those misses now paid where the slot is next read. */
	memset(t, 0, offsetof(txn_t, qname));
	t->qname[0] = '\0';
	s->open = 1;
	s->settled = 0;
	s->details = 0;
	tt->open_count++;
	s->chain_next = NO_SLOT;
	s->pair_bucket = NO_SLOT;
	txn_ref_t ref = { slot, s->gen };
	tt->fifo[(tt->fifo_head + tt->fifo_len) % tt->fifo_cap] = ref;
	tt->fifo_len++;
	return t;
}

/* ---- the (client, server) index behind txn_find_recent
 *
 * A scan of every open transaction, newest first, cost one address compare per
 * open transaction: on a busy capture (16,384 open) the SYNs, ICMP errors and
 * fragment trains that found nothing scanned them all, 14% of the run
 * (bench/run, 300 MB). Each open transaction is also on the list of its
 * (client, server) bucket, newest first: a transaction is indexed right after
 * it is created and leaves the list when finalized, so a bucket's list is in
 * creation order as the FIFO is, and walking it gives the same answer. */
static uint32_t txn_pair_bucket(const txn_tracker_t *tt, const ip_addr_t *client, const ip_addr_t *server)
{
	return txn_pair_hash(client, server) & (tt->nbuckets - 1);
}

static void txn_pair_insert(txn_tracker_t *tt, uint32_t slot, uint32_t pair_hash)
{
	txn_links_t *l = &tt->links[slot];
	uint32_t b = pair_hash & (tt->nbuckets - 1);
	l->pair_bucket = b;
	l->pair_prev = NO_SLOT;
	l->pair_next = tt->pair_heads[b];
	if (l->pair_next != NO_SLOT)
		tt->links[l->pair_next].pair_prev = slot;
	tt->pair_heads[b] = slot;
}

static void txn_pair_remove(txn_tracker_t *tt, uint32_t slot)
{
	txn_links_t *l = &tt->links[slot];
	if (l->pair_bucket == NO_SLOT)
		return;
	if (l->pair_prev != NO_SLOT)
		tt->links[l->pair_prev].pair_next = l->pair_next;
	else
		tt->pair_heads[l->pair_bucket] = l->pair_next;
	if (l->pair_next != NO_SLOT)
		tt->links[l->pair_next].pair_prev = l->pair_prev;
	l->pair_bucket = NO_SLOT;
}

/* pair, h: txn_pair_hash and txn_key_hash of t's key */
static void txn_index_hashed(txn_tracker_t *tt, txn_t *t, uint32_t pair, uint32_t h)
{
	uint32_t slot = txn_ref_of(tt, t).slot;
	uint32_t b = h & (tt->nbuckets - 1);
	tt->links[slot].chain_hash = h;
	tt->links[slot].chain_next = tt->buckets[b];
	tt->buckets[b] = slot;
	txn_pair_insert(tt, slot, pair);
}

static void txn_index(txn_tracker_t *tt, txn_t *t)
{
	uint32_t pair = txn_pair_hash(&t->client, &t->server);
	txn_index_hashed(tt, t, pair, txn_key_hash_from(pair, t->cport, t->sport, t->id, t->qname_hash));
}

/* The newest open transaction from client to server (any ports) that pred accepts. */
static txn_t *txn_find_recent(txn_tracker_t *tt, const ip_addr_t *client, const ip_addr_t *server,
                              int (*pred)(const txn_t *, const void *), const void *arg)
{
	for (uint32_t s = tt->pair_heads[txn_pair_bucket(tt, client, server)]; s != NO_SLOT; s = tt->links[s].pair_next) {
		txn_t *t = &tt->slots[s];
		if (ip_addr_equal(&t->client, client) && ip_addr_equal(&t->server, server) && (!pred || pred(t, arg)))
			return t;
	}
	return NULL;
}

/* ---- link tables */
static uint32_t frag_key_slot(const reasm_key_t *k)
{
	uint32_t h = fnv1a(2166136261u, &k->family, 1);
	h = fnv1a(h, &k->id, 4);
	h = fnv1a(h, k->src, 16);
	h = fnv1a(h, k->dst, 16);
	return h & (LINK_TABLE_SIZE - 1);
}

static int frag_key_equal(const reasm_key_t *a, const reasm_key_t *b)
{
	return a->family == b->family && a->id == b->id && memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0 && (a->family == 6 || a->proto == b->proto);
}

static flow_link_t *flow_slot(txn_tracker_t *tt, const ip_addr_t *client, uint16_t cport, const ip_addr_t *server,
                              uint16_t sport, int create)
{
	uint32_t h = addr_hash(addr_hash(2166136261u, client), server);
	h = fnv1a(fnv1a(h, &cport, 2), &sport, 2);
	flow_link_t *f = &tt->flows[h & (LINK_TABLE_SIZE - 1)];
	int same = f->used && f->cport == cport && f->sport == sport && ip_addr_equal(&f->client, client) &&
	           ip_addr_equal(&f->server, server);
	if (same)
		return f;
	if (!create)
		return NULL;
	memset(f, 0, sizeof *f);
	f->used = 1;
	f->client = *client;
	f->server = *server;
	f->cport = cport;
	f->sport = sport;
	f->ref.slot = NO_SLOT;
	return f;
}

/* ---- DNS messages */
/* The key name: hashed whole, kept for display up to TXN_QNAME_MAX - 1 bytes. */
static void txn_name_set(txn_t *t, const dns_view_t *v, uint32_t qname_hash)
{
	size_t n = v->qname_len;
	if (n >= sizeof t->qname)
		n = sizeof t->qname - 1;
	memcpy(t->qname, v->qname, n);
	t->qname[n] = '\0';
	t->qname_len = (uint16_t)n;
	t->qname_hash = qname_hash;
	t->qtype = v->qtype;
}

/* qname_hash: qname_hash_of(m->view), which the caller has at hand. */
static void txn_query_record(txn_t *t, const dns_msg_t *m, uint32_t qname_hash)
{
	const dns_view_t *v = m->view;
	t->client = m->src;
	t->server = m->dst;
	t->cport = m->sport;
	t->sport = m->dport;
	t->id = v->id;
	txn_name_set(t, v, qname_hash);
	t->transport = m->transport;
	t->has_query = 1;
	t->query_has_opt = v->has_opt;
	t->do_bit = v->do_bit;
	t->udp_size = v->has_opt ? v->udp_size : 0;
	t->query_frame = m->frame;
	t->query_ts = m->ts_ns;
}

static void txn_answer_record(txn_tracker_t *tt, txn_t *t, const dns_msg_t *m)
{
	const dns_view_t *v = m->view;
	t->answered = 1;
	t->tc = v->tc;
	t->aa = v->aa;
	t->ra = v->ra;
	t->rcode = v->rcode;
	t->answer_has_opt = v->has_opt;
	t->answer_udp_size = v->udp_size;
	t->answer_size = v->wire_len;
	t->answer_ip_len = m->ip_len;
	t->answer_frame = m->frame;
	t->answer_first_frame = m->first_frame;
	t->answer_ts = m->ts_ns;
	t->nfrags = m->nfrags;
	t->receiver_discards = (uint8_t)m->receiver_discards;
	uint32_t hdr = m->src.family == 4 ? 20 : 48; /* IPv6: with the fragment header */
	if (m->nfrags)
		txn_details(tt, t);
	for (uint32_t i = 0; i < m->nfrags && i < TXN_MAX_FRAGS; i++)
		t->frag_ip_sizes[i] = hdr + m->pieces[i].len;
}

/* An answer whose query is not in the capture: a transaction of its own. */
static txn_t *txn_orphan_create(txn_tracker_t *tt, const dns_msg_t *m)
{
	txn_t *t = txn_create(tt);
	if (!t)
		return NULL;
	t->client = m->dst;
	t->server = m->src;
	t->cport = m->dport;
	t->sport = m->sport;
	t->id = m->view->id;
	t->transport = m->transport;
	txn_name_set(t, m->view, qname_hash_of(m->view));
	txn_index(tt, t);
	tt->stats.orphan_answers++;
	return t;
}

typedef struct tcp_candidate {
	int64_t syn_ts, window_ns;
	int need_tc;
} tcp_candidate_t;

static int txn_is_tcp_candidate(const txn_t *t, const void *arg)
{
	const tcp_candidate_t *c = arg;
	return t->transport == DNS_OVER_UDP && t->tcp == TXN_TCP_NOT_TRIED && t->has_query &&
	       (c->need_tc ? t->tc : !t->answered) && c->syn_ts - t->query_ts <= c->window_ns;
}

typedef struct question {
	const char *qname;
	uint16_t qtype;
} question_t;

static int txn_is_same_question_retry(const txn_t *t, const void *arg)
{
	const question_t *q = arg;
	return t->transport == DNS_OVER_UDP && (t->tc || !t->answered) && !t->tcp_query_seen &&
	       t->qtype == q->qtype && strcasecmp(t->qname, q->qname) == 0;
}

/* The TCP outcome a flow has reached so far, before any answer. */
static txn_tcp_outcome_t flow_outcome(const flow_link_t *f)
{
	return f->synack ? TXN_TCP_STALL : TXN_TCP_SYN_TIMEOUT;
}

static void txn_tcp_attach(txn_tracker_t *tt, flow_link_t *f, txn_t *t)
{
	t->tcp = flow_outcome(f);
	txn_details(tt, t);
	t->tcp_syn_frame = f->syn_frame;
	t->tcp_mss = f->mss;
	f->ref = txn_ref_of(tt, t);
}

static void txn_tcp_query(txn_tracker_t *tt, const dns_msg_t *m)
{
	flow_link_t *f = flow_slot(tt, &m->src, m->sport, &m->dst, m->dport, 1);
	txn_t *guess = txn_deref(tt, f->ref);
	question_t q = { m->view->qname, m->view->qtype };
	txn_t *t = guess && txn_is_same_question_retry(guess, &q) ? guess
	                                                           : txn_find_recent(tt, &m->src, &m->dst,
	                                                                             txn_is_same_question_retry, &q);
	if (guess && guess != t && f->tentative && guess->tcp != TXN_TCP_COMPLETE) {
		/* The SYN was tied to the wrong transaction: the query names another. */
		guess->tcp = TXN_TCP_NOT_TRIED;
		txn_details(tt, guess);
		guess->tcp_syn_frame = 0;
		guess->tcp_mss = 0;
	}
	f->tentative = 0;
	if (!t) { /* asked over TCP from the start */
		t = txn_create(tt);
		if (!t)
			return;
		txn_query_record(t, m, qname_hash_of(m->view));
		txn_index(tt, t);
	}
	t->tcp_query_seen = 1;
	if (t->tcp != TXN_TCP_COMPLETE) {
		/* The latest connection decides; its query went out, so the handshake
		 * completed even if the capture missed the SYN-ACK: only an answer can
		 * make it better than a stall now. */
		txn_tcp_attach(tt, f, t);
		t->tcp = TXN_TCP_STALL;
	}
}

static int txn_is_open_tcp_retry(const txn_t *t, const void *arg)
{
	const question_t *q = arg;
	return t->tcp_query_seen && t->tcp != TXN_TCP_COMPLETE && t->qtype == q->qtype &&
	       strcasecmp(t->qname, q->qname) == 0;
}

/* An answer over TCP belongs to, in order: the transaction asked over TCP with
 * the same key (several queries may share one connection); the UDP transaction
 * this connection retries, if it asked the same question; any open TCP retry
 * of the same question between the two addresses. */
static txn_t *txn_of_tcp_answer(txn_tracker_t *tt, const dns_msg_t *m)
{
	const dns_view_t *v = m->view;
	txn_t *t = txn_find(tt, &m->dst, m->dport, &m->src, m->sport, v->id, qname_hash_of(v));
	if (t)
		return t;
	question_t q = { v->qname, v->qtype };
	flow_link_t *f = flow_slot(tt, &m->dst, m->dport, &m->src, m->sport, 0);
	t = f ? txn_deref(tt, f->ref) : NULL;
	if (t && t->qtype == q.qtype && strcasecmp(t->qname, q.qname) == 0)
		return t;
	return txn_find_recent(tt, &m->dst, &m->src, txn_is_open_tcp_retry, &q);
}

static void txn_tcp_answer(txn_tracker_t *tt, const dns_msg_t *m)
{
	txn_t *t = txn_of_tcp_answer(tt, m);
	if (!t) {
		txn_t *o = txn_orphan_create(tt, m);
		if (o)
			txn_answer_record(tt, o, m);
		return;
	}
	if (t->transport == DNS_OVER_TCP && t->answered) {
		t->duplicate_answers++;
		tt->stats.duplicate_answers++;
		return;
	}
	t->tcp = TXN_TCP_COMPLETE;
	txn_details(tt, t);
	t->tcp_answer_frame = m->frame;
	t->tcp_answer_size = m->view->wire_len;
	if (t->transport == DNS_OVER_TCP)
		txn_answer_record(tt, t, m);
	txn_settle(tt, t);
}

static void txn_on_dns(void *ctx, const dns_msg_t *m)
{
	txn_tracker_t *tt = ctx;
	const dns_view_t *v = m->view;
	/* A UDP message's key: its hashes first, and its buckets asked for (two
	 * 256 kB tables, a cache miss each, 50-75% of txn_find's and txn_index's
	 * samples): they arrive while txn_expire finalizes what is due. */
	uint32_t qh = 0, pair = 0, h = 0;
	if (v->has_question && m->transport != DNS_OVER_TCP && (v->qr ? m->sport : m->dport) == DNS_PORT) {
		qh = qname_hash_of(v);
		pair = v->qr ? txn_pair_hash(&m->dst, &m->src) : txn_pair_hash(&m->src, &m->dst);
		h = txn_key_hash_from(pair, v->qr ? m->dport : m->sport, DNS_PORT, v->id, qh);
		__builtin_prefetch(&tt->buckets[h & (tt->nbuckets - 1)]);
		if (!v->qr)
			__builtin_prefetch(&tt->pair_heads[pair & (tt->nbuckets - 1)]);
	}
	txn_expire(tt, m->ts_ns);
	if (!v->has_question)
		return; /* no key without a question: counted by the pipeline as malformed */
	if (!v->qr) {
		tt->stats.queries++;
		if (m->dport != DNS_PORT)
			return; /* a query to port 53 is what we track */
		if (m->transport == DNS_OVER_TCP) {
			txn_tcp_query(tt, m);
			return;
		}
		txn_t *t = txn_find_hashed(tt, h, &m->src, m->sport, &m->dst, m->dport, v->id, qh);
		if (t) {
			t->query_copies++;
			tt->stats.retransmitted_queries++;
			return;
		}
		t = txn_create(tt);
		if (!t)
			return;
		txn_query_record(t, m, qh);
		txn_index_hashed(tt, t, pair, h);
		return;
	}
	tt->stats.answers++;
	if (m->sport != DNS_PORT)
		return;
	if (m->transport == DNS_OVER_TCP) {
		txn_tcp_answer(tt, m);
		return;
	}
	txn_t *t = txn_find_hashed(tt, h, &m->dst, m->dport, &m->src, m->sport, v->id, qh);
	if (t && t->answered) {
		t->duplicate_answers++;
		tt->stats.duplicate_answers++;
		return;
	}
	if (!t)
		t = txn_orphan_create(tt, m);
	if (!t)
		return;
	txn_answer_record(tt, t, m);
	if (!v->tc) /* a truncated answer still waits for its TCP retry */
		txn_settle(tt, t);
}

/* ---- fragments */
static void train_key_of(const pkt_ip_t *ip, reasm_key_t *key)
{
	memset(key, 0, sizeof *key);
	key->family = ip->version;
	key->proto = ip->version == 4 ? ip->proto : 0;
	key->id = ip->id;
	memcpy(key->src, ip->src.a, ip->version == 4 ? 4 : 16);
	memcpy(key->dst, ip->dst.a, ip->version == 4 ? 4 : 16);
}

/* The transaction a first fragment names through its UDP and DNS headers. */
static txn_t *txn_of_first_fragment(txn_tracker_t *tt, const pkt_ip_t *ip)
{
	cursor_t c = ip->payload;
	uint8_t proto = ip->proto;
	uint16_t mask = 0;
	if (ip->version == 6 && ip6_ext_walk(ip->proto, &c, &proto, &mask) != OUTCOME_OK)
		return NULL;
	if (proto != IP_PROTO_UDP)
		return NULL;
	uint16_t sport = cursor_u16(&c), dport = cursor_u16(&c);
	cursor_skip(&c, 4);
	if (!cursor_ok(&c) || sport != DNS_PORT)
		return NULL;
	dns_view_t v;
	decode_counts_t scratch = { 0 };
	dns_view_parse(c, 0xffff, &v, &scratch);
	if (!v.has_question)
		return NULL;
	return txn_find(tt, &ip->dst, dport, &ip->src, sport, v.id, qname_hash_of(&v));
}

/* Add [start, end) to a sorted list of at most TXN_MAX_RANGES merged ranges;
 * when full, the last range grows to cover it (the count stays exact). */
static void train_range_add(txn_t *t, uint32_t start, uint32_t end)
{
	reasm_range_t *r = t->lost_ranges;
	uint32_t n = t->lost_nranges, i = 0;
	while (i < n && r[i].end < start)
		i++;
	if (i < n && r[i].start <= end) { /* touches or overlaps range i: merge forward */
		if (start < r[i].start)
			r[i].start = start;
		if (end > r[i].end)
			r[i].end = end;
		while (i + 1 < n && r[i + 1].start <= r[i].end) {
			if (r[i + 1].end > r[i].end)
				r[i].end = r[i + 1].end;
			memmove(&r[i + 1], &r[i + 2], (n - i - 2) * sizeof *r);
			n--;
		}
	} else if (n < TXN_MAX_RANGES) {
		memmove(&r[i + 1], &r[i], (n - i) * sizeof *r);
		r[i].start = start;
		r[i].end = end;
		n++;
	} else if (end > r[n - 1].end) {
		r[n - 1].end = end;
	}
	t->lost_nranges = n;
}

static void train_fragment_add(txn_t *t, const pkt_t *pkt, int by_addresses)
{
	const pkt_ip_t *ip = &pkt->ip;
	if (!t->train_seen) {
		t->train_seen = 1;
		t->lost_first_frame = pkt->frame;
	}
	t->lost_tied_by_addresses = (uint8_t)(by_addresses && !t->lost_have_first);
	t->lost_arrived++;
	if (ip->frag_offset == 0) {
		t->lost_have_first = 1;
		t->train_first_ip = ip->total_len;
	}
	if (!ip->mf) {
		t->lost_have_last = 1;
		t->lost_total_len = ip->frag_offset + ip->payload_wire_len;
	}
	train_range_add(t, ip->frag_offset, ip->frag_offset + ip->payload_wire_len);
}

typedef struct train_time {
	int64_t first_ts, window_ns;
} train_time_t;

/* An unanswered UDP query sent before the train's first fragment arrived, and
 * not longer ago than the window: the query such a train most likely answers. */
static int txn_is_unanswered_before(const txn_t *t, const void *arg)
{
	const train_time_t *tt = arg;
	return t->has_query && !t->answered && !t->train_seen && t->transport == DNS_OVER_UDP &&
	       t->query_ts <= tt->first_ts && tt->first_ts - t->query_ts <= tt->window_ns;
}

/* Every fragment is tied to a transaction as it arrives: by the first
 * fragment's DNS header when it is there, otherwise by addresses and time.
 * The transaction then knows which bytes of its answer arrived even if it
 * closes before the reassembler gives up on the train. */
static void txn_on_packet(void *ctx, const pkt_t *pkt)
{
	txn_tracker_t *tt = ctx;
	const pkt_ip_t *ip = &pkt->ip;
	txn_expire(tt, pkt->ts_ns);
	if (!ip->is_fragment || (ip->frag_offset == 0 && !ip->mf))
		return;
	reasm_key_t key;
	train_key_of(ip, &key);
	frag_link_t *l = &tt->frags[frag_key_slot(&key)];
	int linked = l->used && frag_key_equal(&l->key, &key);
	txn_t *t = linked ? txn_deref(tt, l->ref) : NULL;
	int by_addresses = linked ? l->by_addresses : 0;
	if (ip->frag_offset == 0) {
		txn_t *named = txn_of_first_fragment(tt, ip);
		if (named && named != t) {
			t = named;
			by_addresses = 0;
		}
	}
	if (!t && !linked) {
		train_time_t when = { pkt->ts_ns, tt->cfg.window_ns };
		t = txn_find_recent(tt, &ip->dst, &ip->src, txn_is_unanswered_before, &when);
		by_addresses = 1;
	}
	if (!t)
		return;
	l->key = key;
	l->ref = txn_ref_of(tt, t);
	l->used = 1;
	l->by_addresses = (uint8_t)by_addresses;
	train_fragment_add(txn_details(tt, t), pkt, by_addresses);
}

/* The reassembler gave up on a train: its account of what arrived is exact. */
static void txn_lost_record(txn_t *t, const reasm_event_t *ev, int by_addresses)
{
	t->train_seen = 1;
	t->lost_tied_by_addresses = (uint8_t)(by_addresses && !ev->have_first);
	t->lost_have_first = (uint8_t)ev->have_first;
	t->lost_have_last = (uint8_t)ev->have_last;
	t->lost_arrived = ev->npieces;
	t->lost_total_len = ev->total_len;
	t->lost_nranges = ev->nranges < TXN_MAX_RANGES ? ev->nranges : TXN_MAX_RANGES;
	if (t->lost_nranges) /* a train dropped before it held a byte has no ranges (NULL) */
		memcpy(t->lost_ranges, ev->ranges, t->lost_nranges * sizeof *ev->ranges);
	t->lost_first_frame = ev->npieces ? ev->pieces[0].frame : 0;
}

static void txn_on_reasm(void *ctx, const reasm_event_t *ev, uint32_t point)
{
	(void)point;
	txn_tracker_t *tt = ctx;
	if (ev->kind != REASM_EV_INCOMPLETE && ev->kind != REASM_EV_COMPLETE)
		return;
	frag_link_t *l = &tt->frags[frag_key_slot(ev->key)];
	if (!l->used || !frag_key_equal(&l->key, ev->key)) {
		if (ev->kind == REASM_EV_INCOMPLETE)
			tt->stats.trains_unattributed++; /* no query it could answer */
		return;
	}
	l->used = 0;
	txn_t *t = txn_deref(tt, l->ref);
	/* COMPLETE: the DNS message it carried arrives through the DNS hook. A train
	 * whose transaction already closed was judged from what had arrived. */
	if (ev->kind == REASM_EV_INCOMPLETE && t && !t->answered)
		txn_lost_record(txn_details(tt, t), ev, l->by_addresses);
}

/* ---- ICMP */
typedef struct tuple {
	uint16_t cport, sport;
} tuple_t;

static int txn_has_ports(const txn_t *t, const void *arg)
{
	const tuple_t *p = arg;
	return t->cport == p->cport && t->sport == p->sport;
}

/* The transaction an ICMP error's quote names, and whether it quotes the answer
 * (server to client) or the query. Quotes with ports (a whole packet or a first
 * fragment) match by the 4-tuple; a quoted non-first fragment (no ports) by
 * its fragment train; anything else by addresses alone. */
static txn_t *txn_of_icmp_quote(txn_tracker_t *tt, const l4_icmp_t *icmp, int *about_answer)
{
	const pkt_ip_t *q = &icmp->quoted;
	if (icmp->quoted_ports) {
		tuple_t answer = { icmp->quoted_dport, icmp->quoted_sport };
		tuple_t query = { icmp->quoted_sport, icmp->quoted_dport };
		txn_t *t = txn_find_recent(tt, &q->dst, &q->src, txn_has_ports, &answer);
		*about_answer = t != NULL;
		return t ? t : txn_find_recent(tt, &q->src, &q->dst, txn_has_ports, &query);
	}
	if (q->is_fragment) {
		reasm_key_t key;
		train_key_of(q, &key);
		frag_link_t *l = &tt->frags[frag_key_slot(&key)];
		if (l->used && frag_key_equal(&l->key, &key)) {
			*about_answer = 1;
			return txn_deref(tt, l->ref);
		}
	}
	txn_t *t = txn_find_recent(tt, &q->dst, &q->src, NULL, NULL);
	*about_answer = t != NULL;
	return t ? t : txn_find_recent(tt, &q->src, &q->dst, NULL, NULL);
}

static void txn_on_icmp(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	txn_tracker_t *tt = ctx;
	if (icmp->kind == ICMP_KIND_NOT_ERROR || !icmp->quoted_ok)
		return;
	int about_answer = 0;
	txn_t *t = txn_of_icmp_quote(tt, icmp, &about_answer);
	if (!t) {
		tt->stats.icmp_unattributed++;
		return;
	}
	tt->stats.icmp_attributed++;
	txn_details(tt, t);
	if (t->nicmp < TXN_MAX_ICMP) {
		txn_icmp_t *e = &t->icmp[t->nicmp++];
		e->kind = icmp->kind;
		e->mtu = icmp->mtu;
		e->frame = pkt->frame;
		e->reporter = pkt->ip.src;
		e->about_answer = (uint8_t)about_answer;
	}
}

/* ---- TCP */
static void txn_on_tcp(void *ctx, const tcps_event_t *ev, uint32_t point)
{
	(void)point;
	txn_tracker_t *tt = ctx;
	const tcp_flow_key_t *k = ev->key;
	txn_expire(tt, ev->ts_ns);
	if (ev->kind == TCPS_EV_SYN && k->dport == DNS_PORT) {
		flow_link_t *f = flow_slot(tt, &k->src, k->sport, &k->dst, k->dport, 1);
		if (f->syn_frame)
			return; /* a retransmitted SYN */
		f->syn_frame = ev->frame;
		/* Until its query names the question, a connection is the retry of the
		 * newest truncated transaction between these addresses (else the newest
		 * unanswered one), and no older than the window. */
		tcp_candidate_t want = { ev->ts_ns, tt->cfg.window_ns, 1 };
		txn_t *t = txn_find_recent(tt, &k->src, &k->dst, txn_is_tcp_candidate, &want);
		if (!t) {
			want.need_tc = 0;
			t = txn_find_recent(tt, &k->src, &k->dst, txn_is_tcp_candidate, &want);
		}
		if (t) {
			txn_tcp_attach(tt, f, t);
			f->tentative = 1;
		}
		return;
	}
	if (k->sport != DNS_PORT && k->dport != DNS_PORT)
		return;
	int from_server = k->sport == DNS_PORT;
	flow_link_t *f = from_server ? flow_slot(tt, &k->dst, k->dport, &k->src, k->sport, 0)
	                             : flow_slot(tt, &k->src, k->sport, &k->dst, k->dport, 0);
	if (!f)
		return;
	txn_t *t = txn_deref(tt, f->ref);
	switch (ev->kind) {
	case TCPS_EV_SYNACK:
		f->synack = 1;
		f->mss = ev->mss;
		if (t && t->tcp == TXN_TCP_SYN_TIMEOUT) {
			t->tcp = TXN_TCP_STALL;
			txn_details(tt, t)->tcp_mss = ev->mss;
		}
		break;
	case TCPS_EV_RST:
		if (t && t->tcp != TXN_TCP_COMPLETE)
			t->tcp = TXN_TCP_RESET;
		break;
	default:
		break;
	}
}

pipeline_hooks_t txn_tracker_hooks(txn_tracker_t *tt)
{
	pipeline_hooks_t h = {
		.ctx = tt,
		.packet = txn_on_packet,
		.reasm = txn_on_reasm,
		.dns = txn_on_dns,
		.icmp = txn_on_icmp,
		.tcp = txn_on_tcp,
	};
	return h;
}

/* The transactions' memory: reserved whole (23 MB at the default max_open;
 * pages are only backed once touched) and, where the kernel offers
 * transparent huge pages on request (madvise mode), backed by 2 MB pages.
 * A transaction is read last (verdict, report) seconds after it was last
 * touched, somewhere in those 23 MB: with 4 kB pages txn_finalize was 11.5%
 * of the samples, with 2 MB pages 9.2%, and the run's CPU time 6% less
 * (perf and bench/rusage, 300 MB capture of bench/run; peak RSS 26 -> 28 MB). */
static txn_t *txn_slots_alloc(uint32_t n, size_t *bytes)
{
	*bytes = (size_t)n * sizeof(txn_t);
	void *p = mmap(NULL, *bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, *bytes, MADV_HUGEPAGE);
#endif
	return p;
}

txn_tracker_t *txn_tracker_new(const txn_config_t *cfg, txn_sink_fn sink, void *ctx)
{
	txn_tracker_t *tt = calloc(1, sizeof *tt);
	if (!tt)
		return NULL;
	pagetouch_zeroed(tt, sizeof *tt); /* the link tables are probed before they are written */
	tt->cfg = *cfg;
	if (tt->cfg.max_open < 16)
		tt->cfg.max_open = 16;
	tt->sink = sink;
	tt->ctx = ctx;
	tt->nbuckets = 1;
	while (tt->nbuckets < tt->cfg.max_open * 2)
		tt->nbuckets <<= 1;
	tt->buckets = malloc(tt->nbuckets * sizeof *tt->buckets);
	tt->pair_heads = malloc(tt->nbuckets * sizeof *tt->pair_heads);
	tt->links = malloc(tt->cfg.max_open * sizeof *tt->links);
	tt->fifo_cap = 2 * tt->cfg.max_open;
	tt->fifo = malloc(tt->fifo_cap * sizeof *tt->fifo);
	tt->done = malloc(tt->cfg.max_open * sizeof *tt->done);
	tt->free_list = malloc(tt->cfg.max_open * sizeof *tt->free_list);
	tt->slots = txn_slots_alloc(tt->cfg.max_open, &tt->slots_bytes);
	tt->now_ns = INT64_MIN;
	tt->head_ref.slot = NO_SLOT;
	if (!tt->slots || !tt->buckets || !tt->pair_heads || !tt->links || !tt->fifo || !tt->done || !tt->free_list) {
		txn_tracker_free(tt);
		return NULL;
	}
	for (uint32_t i = 0; i < tt->nbuckets; i++)
		tt->buckets[i] = tt->pair_heads[i] = NO_SLOT;
	return tt;
}

void txn_tracker_flush(txn_tracker_t *tt)
{
	while (tt->fifo_len)
		txn_fifo_pop_finalize(tt);
	tt->done_len = 0; /* every entry left pointed at a transaction just finalized */
}

void txn_tracker_free(txn_tracker_t *tt)
{
	if (!tt)
		return;
	if (tt->slots)
		munmap(tt->slots, tt->slots_bytes);
	free(tt->buckets);
	free(tt->pair_heads);
	free(tt->links);
	free(tt->fifo);
	free(tt->done);
	free(tt->free_list);
	free(tt);
}

const txn_stats_t *txn_tracker_stats(const txn_tracker_t *tt) { return &tt->stats; }

const char *txn_verdict2str(txn_verdict_t v)
{
	static const char *const names[TXN_VERDICT_COUNT] = {
		[TXN_WHOLE] = "whole",
		[TXN_FRAGMENTED] = "fragmented",
		[TXN_FRAGMENTS_LOST] = "fragments-lost",
		[TXN_DISCARDED] = "overlap-discarded",
		[TXN_TRUNCATED] = "truncated",
		[TXN_NO_ANSWER] = "no-answer",
		[TXN_TCP_ONLY] = "tcp",
		[TXN_ORPHAN_ANSWER] = "answer-without-query",
	};
	return (unsigned)v < TXN_VERDICT_COUNT ? names[v] : "?";
}

const char *txn_tcp_outcome2str(txn_tcp_outcome_t o)
{
	static const char *const names[TXN_TCP_OUTCOME_COUNT] = {
		[TXN_TCP_NOT_TRIED] = "not-tried",
		[TXN_TCP_COMPLETE] = "complete",
		[TXN_TCP_RESET] = "reset",
		[TXN_TCP_SYN_TIMEOUT] = "syn-timeout",
		[TXN_TCP_STALL] = "handshake-then-stall",
	};
	return (unsigned)o < TXN_TCP_OUTCOME_COUNT ? names[o] : "?";
}
