/* report.c - aggregation and judgement of finalized transactions (see report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exitcode.h"
#include "pagetouch.h"

void report_config_default(report_config_t *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->policy = POLICY_AVOID_FRAGMENTS;
	cfg->min_samples = 1;
	cfg->loss_threshold_pct = 20;
	cfg->program = "dnsfrag";
}

report_t *report_new(const report_config_t *cfg)
{
	report_t *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->fam[0].family = 4;
	r->fam[1].family = 6;
	return r;
}

const char *health2str(health_t h)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	return (unsigned)h <= HEALTH_UNKNOWN ? names[h] : "UNKNOWN";
}

int health2exit(health_t h)
{
	switch (h) {
	case HEALTH_OK: return EXIT_HEALTH_OK;
	case HEALTH_WARNING: return EXIT_HEALTH_WARNING;
	case HEALTH_CRITICAL: return EXIT_HEALTH_CRITICAL;
	default: return EXIT_HEALTH_UNKNOWN;
	}
}

/* ---- aggregation */
static int txn_failed_both(const txn_t *t)
{
	switch (t->verdict) {
	case TXN_TRUNCATED:
	case TXN_FRAGMENTS_LOST:
	case TXN_DISCARDED:
	case TXN_NO_ANSWER:
	case TXN_TCP_ONLY:
		return !t->delivered && t->tcp != TXN_TCP_NOT_TRIED;
	default:
		return 0;
	}
}

static void report_counts_add(report_counts_t *c, const txn_t *t)
{
	c->total++;
	c->verdict[t->verdict]++;
	c->tcp[t->tcp]++;
	c->delivered += t->delivered;
	c->critical += txn_failed_both(t);
}

/* Paths are found through an open-addressing table of path index + 1 (0:
 * empty) keyed by the server, twice as large as the paths allowed. A linear
 * search of the paths was 21% of a run on a resolver's capture with 600
 * servers (bench/run, 300 MB). The paths keep their order of first sight. */
#define REPORT_PATH_SLOTS (2 * REPORT_MAX_PATHS)

static uint32_t *report_path_slot(report_t *r, const ip_addr_t *server)
{
	uint32_t h = 2166136261u;
	h = (h ^ server->family) * 16777619u;
	for (int i = 0; i < (server->family == 6 ? 16 : 4); i++)
		h = (h ^ server->a[i]) * 16777619u;
	for (uint32_t i = h % REPORT_PATH_SLOTS;; i = (i + 1) % REPORT_PATH_SLOTS) {
		uint32_t *slot = &r->path_slots[i];
		if (*slot == 0 || ip_addr_equal(&r->paths[*slot - 1].server, server))
			return slot;
	}
}

/* Tables allocated whole but used sparsely and at random (the paths, the
 * questions): address space up front, pages resident only as they are
 * touched, in transparent huge pages where the kernel gives them. 600 paths
 * are 6 MB, 1,500 4 kB pages: the first touch of a server's path per
 * transaction was largely a TLB miss (perf, bench/run, 300 MB, 9
 * interleaved runs: 0.339 -> 0.328 s with the paths so placed, 0.325 s with
 * the questions too). The paths array was also realloc'd,
 * moving every path each time a server was added. */
static void *report_table_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

#define REPORT_PATHS_BYTES (REPORT_MAX_PATHS * sizeof(report_path_t))

static report_path_t *report_path_get(report_t *r, const ip_addr_t *server)
{
	/* Both are probed before they are written. */
	if (!r->path_slots) {
		if (!(r->path_slots = calloc(REPORT_PATH_SLOTS, sizeof *r->path_slots)))
			return NULL;
		pagetouch_zeroed(r->path_slots, REPORT_PATH_SLOTS * sizeof *r->path_slots);
	}
	if (!r->row_keys) {
		if (!(r->row_keys = calloc((size_t)REPORT_MAX_PATHS * REPORT_MAX_ROWS, sizeof *r->row_keys)))
			return NULL;
		pagetouch_zeroed(r->row_keys, (size_t)REPORT_MAX_PATHS * REPORT_MAX_ROWS * sizeof *r->row_keys);
	}
	if (!r->paths && !(r->paths = report_table_alloc(REPORT_PATHS_BYTES)))
		return NULL;
	uint32_t *slot = report_path_slot(r, server);
	if (*slot)
		return &r->paths[*slot - 1];
	if (r->npaths == REPORT_MAX_PATHS)
		return &r->paths[r->npaths - 1];
	report_path_t *p = &r->paths[r->npaths++];
	memset(p, 0, sizeof *p);
	p->server = *server;
	*slot = r->npaths;
	return p;
}

/* The answer's size on the wire, when anything told it. */
static uint32_t txn_answer_size(const txn_t *t)
{
	if (t->answered && !t->tc)
		return t->answer_size;
	if (t->tcp_answer_size) /* a TC=1 stub says nothing of the real size; TCP does */
		return t->tcp_answer_size;
	if (t->frags_lost && t->lost_total_len > 8)
		return t->lost_total_len - 8; /* the UDP header is in the reassembled payload */
	return 0;
}

/* A row's key packed in a word. The keys of each path's rows sit together in
 * r->row_keys (8 bytes a row, not a row's 150): searching the rows themselves
 * read up to 64 of them per transaction, 5% of a run (perf, bench/run). */
static uint64_t report_row_key(uint32_t size, uint16_t adv, uint8_t do_bit)
{
	return (uint64_t)size << 24 | (uint64_t)adv << 8 | do_bit;
}

static report_row_t *report_row_get(report_t *r, report_path_t *p, const txn_t *t)
{
	uint32_t size = txn_answer_size(t);
	uint16_t adv = size ? 0 : t->udp_size;
	uint64_t key = report_row_key(size, adv, t->do_bit);
	uint64_t *keys = &r->row_keys[(size_t)(p - r->paths) * REPORT_MAX_ROWS];
	for (uint32_t i = 0; i < p->nrows; i++)
		if (keys[i] == key)
			return &p->rows[i];
	if (p->nrows == REPORT_MAX_ROWS)
		return &p->rows[REPORT_MAX_ROWS - 1];
	keys[p->nrows] = key;
	report_row_t *row = &p->rows[p->nrows++];
	memset(row, 0, sizeof *row);
	row->answer_size = size;
	row->advertised = adv;
	row->do_bit = t->do_bit;
	return row;
}

static void report_path_note_fragments(report_path_t *p, const txn_t *t)
{
	for (uint32_t i = 0; i < t->nfrags && i < TXN_MAX_FRAGS; i++)
		if (t->frag_ip_sizes[i] > p->largest_fragment_ip)
			p->largest_fragment_ip = t->frag_ip_sizes[i];
	if (!t->frags_lost || t->answered)
		return;
	if (t->train_first_ip > p->largest_fragment_ip)
		p->largest_fragment_ip = t->train_first_ip; /* where a lost answer was cut tells the MTU too */
	if (t->lost_inferred)
		p->lost_none_arrived++;
	else if (!t->lost_have_first)
		p->lost_first_missing++;
	else if (!t->lost_have_last)
		p->lost_last_missing++;
	else
		p->lost_middle_missing++;
	if (t->lost_have_first && t->lost_nranges == 1 && t->lost_ranges[0].start == 0 && t->lost_arrived == 1)
		p->lost_only_first++;
	uint32_t size = txn_answer_size(t);
	if (size && (!p->smallest_lost || size < p->smallest_lost))
		p->smallest_lost = size;
}

static void report_path_note_edns(report_path_t *p, const txn_t *t)
{
	if (!t->answered || !t->has_query)
		return;
	if (t->query_has_opt && !t->answer_has_opt)
		p->edns_no_opt++;
	if (t->rcode == 1 && t->query_has_opt)
		p->edns_formerr++;
	if (t->rcode == 16)
		p->edns_badvers++;
	uint32_t limit = t->query_has_opt ? (t->udp_size < 512 ? 512 : t->udp_size) : 512;
	if (t->transport == DNS_OVER_UDP && t->answer_size > limit)
		p->edns_over_advertised++;
}

/* ---- questions: is a lost fragmented answer systematic or intermittent?
 * One open-addressing table keyed by a 64-bit hash of the question (FNV-1a:
 * client address, server address, the name folded to lower case so that
 * 0x20-randomised retries match, type, DO, EDNS size; not the ports or DNS id,
 * which change per attempt). Only transactions that fragmented (delivered,
 * lost or discarded) enter it, so it costs nothing for the whole answers that
 * make up most traffic. Bounded: past REPORT_MAX_QUESTIONS the rest are
 * counted as untracked, and their losses stay systematic (the cautious side).
 * A collision of two 64-bit hashes among 2^16 questions has a probability
 * near 2^-33. */
#define REPORT_MAX_QUESTIONS 65536
#define REPORT_QUESTION_SLOTS (2 * REPORT_MAX_QUESTIONS)

typedef struct report_question {
	uint64_t key;              /* 0: empty slot */
	uint32_t path;             /* index into paths */
	uint32_t lost;             /* attempts whose fragments were lost or discarded */
	uint32_t delivered;        /* attempts whose fragmented answer arrived over UDP */
	uint32_t reasm_icmp;       /* reassembly timeouts tied to the lost attempts */
} report_question_t;

#define REPORT_QUESTIONS_BYTES (REPORT_QUESTION_SLOTS * sizeof(report_question_t))

static uint64_t fnv64(uint64_t h, const void *data, size_t n)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static uint64_t question_key(const txn_t *t)
{
	uint64_t h = 14695981039346656037ull;
	size_t alen = t->server.family == 6 ? 16 : 4;
	h = fnv64(h, &t->server.family, 1);
	h = fnv64(h, t->client.a, alen);
	h = fnv64(h, t->server.a, alen);
	for (const char *c = t->qname; *c; c++) {
		uint8_t lc = (uint8_t)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		h = fnv64(h, &lc, 1);
	}
	uint8_t tail[5] = { (uint8_t)(t->qtype >> 8), (uint8_t)t->qtype, t->do_bit, (uint8_t)(t->udp_size >> 8),
	                    (uint8_t)t->udp_size };
	h = fnv64(h, tail, sizeof tail);
	return h ? h : 1;
}

static void report_question_note(report_t *r, const report_path_t *p, const txn_t *t)
{
	int lost = t->verdict == TXN_FRAGMENTS_LOST || t->verdict == TXN_DISCARDED;
	if (!lost && t->verdict != TXN_FRAGMENTED)
		return;
	if (!r->questions) {
		if (!(r->questions = report_table_alloc(REPORT_QUESTIONS_BYTES))) {
			r->questions_untracked++;
			return;
		}
		pagetouch_zeroed(r->questions, REPORT_QUESTIONS_BYTES); /* probed before written */
	}
	uint64_t key = question_key(t);
	report_question_t *q;
	for (uint32_t i = (uint32_t)(key % REPORT_QUESTION_SLOTS);; i = (i + 1) % REPORT_QUESTION_SLOTS) {
		q = &r->questions[i];
		if (q->key == key)
			break;
		if (q->key == 0) {
			if (r->nquestions == REPORT_MAX_QUESTIONS) {
				r->questions_untracked++;
				return;
			}
			r->nquestions++;
			q->key = key;
			q->path = (uint32_t)(p - r->paths);
			break;
		}
	}
	if (!lost) {
		q->delivered++;
		return;
	}
	q->lost++;
	for (uint32_t i = 0; i < t->nicmp; i++)
		q->reasm_icmp += t->icmp[i].kind == ICMP_KIND_REASSEMBLY_TIMEOUT;
}

/* At the end: the losses of every question that was also delivered in
 * fragments are intermittent. */
static void report_questions_settle(report_t *r)
{
	if (!r->questions)
		return;
	for (uint32_t i = 0; i < REPORT_QUESTION_SLOTS; i++) {
		const report_question_t *q = &r->questions[i];
		if (!q->key || !q->lost || !q->delivered || q->path >= r->npaths)
			continue;
		r->paths[q->path].lost_intermittent += q->lost;
		r->paths[q->path].reasm_icmp_intermittent += q->reasm_icmp;
	}
}

static int txn_answer_too_big(const txn_t *t)
{
	for (uint32_t i = 0; i < t->nicmp; i++)
		if (t->icmp[i].about_answer &&
		    (t->icmp[i].kind == ICMP_KIND_NEEDS_FRAG || t->icmp[i].kind == ICMP_KIND_PACKET_TOO_BIG))
			return 1;
	return 0;
}

void report_add_txn(void *report, const txn_t *t)
{
	report_t *r = report;
	report_path_t *p = report_path_get(r, &t->server);
	if (!p)
		return;
	p->duplicate_answers += t->duplicate_answers;
	for (uint32_t i = 0; i < t->nicmp; i++) {
		p->icmp[t->icmp[i].kind]++;
		if (t->icmp[i].mtu && (!p->ptb_mtu || t->icmp[i].mtu < p->ptb_mtu))
			p->ptb_mtu = t->icmp[i].mtu;
	}
	int interesting = t->verdict != TXN_WHOLE || t->duplicate_answers || t->nicmp;
	if (interesting) {
		if (r->nevidence < REPORT_MAX_EVIDENCE)
			r->evidence[r->nevidence++] = *t;
		else
			r->evidence_dropped++;
	}
	if (t->verdict == TXN_ORPHAN_ANSWER)
		return; /* no query: evidence, never a sample */
	report_counts_add(&p->c, t);
	report_row_t *row = report_row_get(r, p, t);
	report_counts_add(&row->c, t);
	if (t->nfrags > row->max_frags)
		row->max_frags = t->nfrags;
	/* An answer an ICMP too-big says a hop dropped was seen here (a capture at
	 * the server) but never crossed the path: it bounds nothing. */
	if (!txn_answer_too_big(t)) {
		if (t->verdict == TXN_WHOLE && t->answer_size > p->largest_whole) {
			p->largest_whole = t->answer_size;
			p->largest_whole_ip = t->answer_ip_len;
		}
		if (t->verdict == TXN_FRAGMENTED && t->answer_size > p->largest_fragmented)
			p->largest_fragmented = t->answer_size;
		report_path_note_fragments(p, t);
	}
	report_question_note(r, p, t);
	report_path_note_edns(p, t);
}

/* ---- judgement */
static int path_exercised(const report_path_t *p)
{
	return p->c.verdict[TXN_FRAGMENTED] || p->c.verdict[TXN_FRAGMENTS_LOST] || p->c.verdict[TXN_DISCARDED];
}

static void path_judge(const report_config_t *cfg, report_path_t *p)
{
	/* Intermittent losses (report.h) are missing answers, not lost fragments. */
	uint64_t intermittent = p->lost_intermittent;
	uint64_t lost = p->c.verdict[TXN_FRAGMENTS_LOST] + p->c.verdict[TXN_DISCARDED] - intermittent;
	/* A UDP answer that never came counts as missing even when the client then
	 * got it over TCP on its own: the path lost it (RFC 8900's fallback is for
	 * truncated answers, not for lost ones). */
	uint64_t unanswered = p->c.verdict[TXN_NO_ANSWER] + intermittent;
	char also[96] = "";
	if (intermittent)
		snprintf(also, sizeof also, "; %llu of them fragmented answers lost intermittently",
		         (unsigned long long)intermittent);
	if (p->c.total < cfg->min_samples) {
		p->health = HEALTH_UNKNOWN;
		snprintf(p->why, sizeof p->why, "%llu of the %u transaction(s) needed to judge",
		         (unsigned long long)p->c.total, cfg->min_samples);
		return;
	}
	if (p->c.critical) {
		p->health = HEALTH_CRITICAL;
		snprintf(p->why, sizeof p->why, "%llu answer(s) came neither over UDP nor over TCP",
		         (unsigned long long)p->c.critical);
	} else if (lost && cfg->policy == POLICY_FRAGMENTS_REQUIRED) {
		p->health = HEALTH_CRITICAL;
		snprintf(p->why, sizeof p->why, "%llu fragmented answer(s) lost and the policy requires fragments",
		         (unsigned long long)lost);
	} else if (lost) {
		p->health = HEALTH_WARNING;
		snprintf(p->why, sizeof p->why, "%llu fragmented answer(s) lost%s%s", (unsigned long long)lost,
		         p->c.tcp[TXN_TCP_COMPLETE] ? "; TCP fallback works" : "; TCP fallback not exercised",
		         intermittent ? "; more lost intermittently" : "");
	} else if (p->icmp[ICMP_KIND_REASSEMBLY_TIMEOUT] > p->reasm_icmp_intermittent) {
		p->health = HEALTH_WARNING;
		snprintf(p->why, sizeof p->why, "reassembly timeouts reported by ICMP");
	} else if (unanswered * 100 > (uint64_t)cfg->loss_threshold_pct * p->c.total) {
		p->health = HEALTH_WARNING;
		snprintf(p->why, sizeof p->why, "%llu of %llu UDP answers missing (threshold %u%%)%s",
		         (unsigned long long)unanswered, (unsigned long long)p->c.total, cfg->loss_threshold_pct, also);
	} else if (p->c.delivered < p->c.total) {
		p->health = HEALTH_OK;
		snprintf(p->why, sizeof p->why, "%llu of %llu answers arrived, the rest within the loss threshold%s",
		         (unsigned long long)p->c.delivered, (unsigned long long)p->c.total, also);
	} else {
		p->health = HEALTH_OK;
		snprintf(p->why, sizeof p->why, "every answer arrived%s",
		         p->c.verdict[TXN_FRAGMENTED] ? " (some only in fragments: fragile, RFC 8900)" : "");
	}
}

static health_t health_worse(health_t a, health_t b)
{
	/* UNKNOWN only wins over nothing: a judged path outranks an unjudged one. */
	if (a == HEALTH_UNKNOWN)
		return b;
	if (b == HEALTH_UNKNOWN)
		return a;
	return a > b ? a : b;
}

/* The recommended EDNS buffer size for a family (0: not measured):
 * min(the largest answer the path carries unfragmented, 1,400, what fits the
 * smallest MTU an ICMP too-big named). The largest answer carried is the
 * largest delivered whole, or, when answers came in fragments, what fits the
 * MTU they were cut at (the largest fragment minus the IP and UDP headers).
 * A limit below 1,232 with no sign of trouble (nothing fragmented, lost or
 * too big) only says nothing larger was asked: not measured. */
static uint32_t recommended_size(const report_family_t *f)
{
	uint32_t headers = f->family == 4 ? 28 : 48;
	uint32_t limit = f->largest_whole;
	if (f->largest_fragment_ip > headers && f->largest_fragment_ip - headers > limit)
		limit = f->largest_fragment_ip - headers;
	int trouble = f->exercised || f->ptb_mtu;
	if (f->ptb_mtu > headers && f->ptb_mtu - headers > limit)
		limit = f->ptb_mtu - headers; /* a hop named its MTU: answers that fit it pass it */
	if (limit < 512 || (limit < 1232 && !trouble))
		return 0;
	if (limit > REPORT_RECOMMENDED_CAP)
		limit = REPORT_RECOMMENDED_CAP;
	if (f->ptb_mtu > headers && f->ptb_mtu - headers < limit)
		limit = f->ptb_mtu - headers;
	return limit;
}

static void family_sentence(report_family_t *f)
{
	const char *name = f->family == 4 ? "IPv4" : "IPv6";
	uint64_t lost = f->c.verdict[TXN_FRAGMENTS_LOST] + f->c.verdict[TXN_DISCARDED] - f->lost_intermittent;
	uint64_t attempts = f->c.verdict[TXN_FRAGMENTED] + f->c.verdict[TXN_FRAGMENTS_LOST] + f->c.verdict[TXN_DISCARDED];
	char frag[96];
	if (!f->exercised)
		snprintf(frag, sizeof frag, "fragmentation not exercised");
	else if (lost)
		snprintf(frag, sizeof frag, "fragmented answers are lost%s",
		         f->lost_intermittent ? " (some only intermittently)" : "");
	else if (f->lost_intermittent) /* every question got its answer in fragments at least once */
		snprintf(frag, sizeof frag, "fragmented answers lost intermittently (%llu of %llu attempts)",
		         (unsigned long long)f->lost_intermittent, (unsigned long long)attempts);
	else
		snprintf(frag, sizeof frag, "fragmented answers get through");
	const char *tcp = f->c.tcp[TXN_TCP_COMPLETE] && !f->c.critical ? "TCP fallback works"
	                  : f->c.critical                             ? "TCP fallback fails"
	                                                              : "TCP not exercised";
	if (f->c.total == 0) {
		snprintf(f->sentence, sizeof f->sentence, "%s: not measured (no DNS transactions).", name);
		return;
	}
	snprintf(f->sentence, sizeof f->sentence, "%s: %s; %s; %llu transaction(s), %llu delivered.", name, frag, tcp,
	         (unsigned long long)f->c.total, (unsigned long long)f->c.delivered);
}

void report_finish(report_t *r)
{
	r->health = HEALTH_UNKNOWN;
	for (int i = 0; i < 2; i++)
		r->fam[i].health = HEALTH_UNKNOWN;
	report_questions_settle(r);
	for (uint32_t i = 0; i < r->npaths; i++) {
		report_path_t *p = &r->paths[i];
		path_judge(&r->cfg, p);
		report_family_t *f = &r->fam[p->server.family == 6];
		for (int k = 0; k < TXN_VERDICT_COUNT; k++)
			f->c.verdict[k] += p->c.verdict[k];
		for (int k = 0; k < TXN_TCP_OUTCOME_COUNT; k++)
			f->c.tcp[k] += p->c.tcp[k];
		f->c.total += p->c.total;
		f->c.delivered += p->c.delivered;
		f->c.critical += p->c.critical;
		f->exercised |= (uint8_t)path_exercised(p);
		f->lost_intermittent += p->lost_intermittent;
		if (p->largest_whole > f->largest_whole)
			f->largest_whole = p->largest_whole;
		if (p->ptb_mtu && (!f->ptb_mtu || p->ptb_mtu < f->ptb_mtu))
			f->ptb_mtu = p->ptb_mtu;
		if (p->largest_fragment_ip > f->largest_fragment_ip)
			f->largest_fragment_ip = p->largest_fragment_ip;
		f->health = health_worse(f->health, p->health);
		r->health = health_worse(r->health, p->health);
	}
	r->recommended = 0;
	for (int i = 0; i < 2; i++) {
		report_family_t *f = &r->fam[i];
		f->recommended = recommended_size(f);
		if (f->recommended && (!r->recommended || f->recommended < r->recommended))
			r->recommended = f->recommended;
		family_sentence(f);
	}
	/* The headline names the first path at the worst level and why. */
	const report_path_t *worst = NULL;
	uint32_t same = 0;
	for (uint32_t i = 0; i < r->npaths; i++) {
		if (r->paths[i].health != r->health)
			continue;
		if (!worst)
			worst = &r->paths[i];
		same++;
	}
	if (!worst) {
		snprintf(r->headline, sizeof r->headline, "%s: nothing to judge (no DNS transactions)", health2str(r->health));
		return;
	}
	if (r->health == HEALTH_OK) {
		uint64_t total = r->fam[0].c.total + r->fam[1].c.total;
		uint64_t delivered = r->fam[0].c.delivered + r->fam[1].c.delivered;
		const char *fragile = r->fam[0].c.verdict[TXN_FRAGMENTED] + r->fam[1].c.verdict[TXN_FRAGMENTED]
		                              ? "; some only in fragments: fragile (RFC 8900)"
		                              : "";
		if (delivered == total)
			snprintf(r->headline, sizeof r->headline, "OK: every answer arrived (%u server(s))%s", r->npaths,
			         fragile);
		else /* what --loss-threshold tolerates is still said */
			snprintf(r->headline, sizeof r->headline,
			         "OK: %llu of %llu answers arrived, the rest within the loss threshold (%u server(s))%s",
			         (unsigned long long)delivered, (unsigned long long)total, r->npaths, fragile);
		return;
	}
	char addr[64], more[48] = "";
	ip_addr2str(&worst->server, addr, sizeof addr);
	if (same > 1)
		snprintf(more, sizeof more, " (and %u more servers)", same - 1);
	snprintf(r->headline, sizeof r->headline, "%s: IPv%u %s: %s%s", health2str(r->health), worst->server.family, addr,
	         worst->why, more);
}

void report_free(report_t *r)
{
	if (!r)
		return;
	if (r->paths)
		munmap(r->paths, REPORT_PATHS_BYTES);
	free(r->path_slots);
	if (r->questions)
		munmap(r->questions, REPORT_QUESTIONS_BYTES);
	free(r->row_keys);
	free(r);
}
