/* rstest.c - reply-size test state and size search (see rstest.h). */
#include "rstest.h"

#include <stdlib.h>
#include <string.h>

#define RSTEST_PROBE 16 /* slots looked at from a nonce's home slot */

int rstest_table_init(rstest_table_t *t, size_t nslots)
{
	size_t n = 16;
	while (n < nslots)
		n <<= 1;
	t->slot = calloc(n, sizeof(*t->slot));
	t->nslots = t->slot ? n : 0;
	return t->slot ? 0 : -1;
}

void rstest_table_free(rstest_table_t *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslots = 0;
}

static int rstest_live(const rstest_t *s, uint64_t now_ms)
{
	return s->nonce != 0 && now_ms - s->last_ms <= RSTEST_IDLE_MS;
}

rstest_t *rstest_find(rstest_table_t *t, uint32_t nonce, uint64_t now_ms)
{
	if (nonce == 0 || !t->nslots)
		return NULL;
	for (size_t i = 0; i < RSTEST_PROBE; i++) {
		rstest_t *s = &t->slot[(nonce + i) & (t->nslots - 1)];
		if (s->nonce == nonce)
			return rstest_live(s, now_ms) ? s : NULL;
	}
	return NULL;
}

rstest_t *rstest_mint(rstest_table_t *t, uint64_t now_ms, uint32_t (*rand32)(void *), void *rand_ctx)
{
	uint32_t nonce = 0;
	for (int tries = 0; tries < 64; tries++) {
		nonce = rand32(rand_ctx);
		if (nonce != 0 && !rstest_find(t, nonce, now_ms))
			break;
		nonce = 0;
	}
	if (nonce == 0)
		nonce = 1; /* a broken generator: still answer */
	rstest_t *victim = NULL;
	for (size_t i = 0; i < RSTEST_PROBE; i++) {
		rstest_t *s = &t->slot[(nonce + i) & (t->nslots - 1)];
		if (!rstest_live(s, now_ms)) {
			victim = s;
			break;
		}
		if (!victim || s->last_ms < victim->last_ms)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->nonce = nonce;
	victim->last_ms = now_ms;
	return victim;
}

unsigned rstest_hi(const rstest_t *t)
{
	unsigned hi = 0;
	for (unsigned i = 0; i < t->nlost; i++)
		if (t->lost[i] > t->lo && (hi == 0 || t->lost[i] < hi))
			hi = t->lost[i];
	return hi;
}

unsigned rstest_chain_limit(const rstest_chain_t *name)
{
	unsigned udp = 0, tcp = 0;
	for (unsigned i = 0; i < name->n && i < RSTEST_STEPS; i++) {
		unsigned *best = name->tcp[i] ? &tcp : &udp;
		if (name->size[i] > *best)
			*best = name->size[i];
	}
	return udp ? udp : tcp;
}

unsigned rstest_size_next(const rstest_query_t *rq, unsigned lo, unsigned hi)
{
	/* Answers a path with a smaller MTU than the server's own link may still
	 * carry: PPPoE (1492) and the IPv6 minimum (1280). */
	static const unsigned ladder4[] = { 1492 - 28, 1280 - 28 };
	static const unsigned ladder6[] = { 1492 - 48, 1280 - 48 };
	const unsigned *ladder = rq->v6 ? ladder6 : ladder4;
	unsigned cq = rq->ceiling < RSTEST_MIN_SIZE ? RSTEST_MIN_SIZE : rq->ceiling;
	unsigned frag = rq->frag;
	unsigned ub = (hi && hi <= cq) ? hi : cq + 1; /* sizes below ub may work */
	unsigned s;

	if (lo + 1 >= ub)
		s = lo < cq ? lo : cq;              /* converged: confirm the best */
	else if (hi == 0 || hi > cq)
		s = cq;                             /* nothing lost up to the ceiling */
	else if (frag > lo && frag < ub)
		s = frag;                           /* the largest unfragmented answer */
	else if (frag && lo == frag)
		s = frag + 1;                       /* the smallest fragmented one */
	else if (frag && lo > frag)
		s = lo + (ub - lo) / 2;             /* fragments arrive: bisect */
	else {
		s = 0;
		for (unsigned i = 0; i < 2; i++)
			if (ladder[i] > lo && ladder[i] < ub) {
				s = ladder[i];
				break;
			}
		if (!s)
			s = lo + (ub - lo) / 2;
	}
	if (s < RSTEST_MIN_SIZE)
		s = RSTEST_MIN_SIZE;
	if (s > cq)
		s = cq;
	return s;
}

static int rstest_chain_eq(const rstest_chain_t *a, const rstest_chain_t *b)
{
	if (a->n != b->n)
		return 0;
	for (unsigned i = 0; i < a->n; i++)
		if (a->size[i] != b->size[i] || a->tcp[i] != b->tcp[i])
			return 0;
	return 1;
}

static rstest_node_t *rstest_node_find(rstest_t *t, const rstest_chain_t *name)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (rstest_chain_eq(&t->node[i].name, name))
			return &t->node[i];
	return NULL;
}

static void rstest_lost_add(rstest_t *t, unsigned size)
{
	t->nlost_total++;
	for (unsigned i = 0; i < t->nlost; i++)
		if (t->lost[i] == size)
			return;
	if (t->nlost < RSTEST_LOST_MAX)
		t->lost[t->nlost++] = (uint16_t)size;
	else
		t->lost[RSTEST_LOST_MAX - 1] = (uint16_t)size;
}

static void rstest_try_add(rstest_node_t *n, unsigned size, int tcp)
{
	unsigned i = n->ntries < RSTEST_TRIES ? n->ntries++ : RSTEST_TRIES - 1;
	n->try_size[i] = (uint16_t)size;
	n->try_tcp[i] = tcp ? 1 : 0;
}

rstest_verdict_t rstest_step(rstest_t *t, const rstest_chain_t *name, const rstest_query_t *rq,
                             uint64_t now_ms, unsigned *size)
{
	*size = 0;
	if (name->n > RSTEST_STEPS)
		return RSTEST_UNKNOWN;
	rstest_node_t *node = rstest_node_find(t, name);
	if (node) {
		/* Asked again: the last answer to this name did not arrive. */
		t->last_ms = now_ms;
		if (name->n == RSTEST_STEPS)
			return RSTEST_FINAL;
		if (node->ntries > 0 && !node->try_tcp[node->ntries - 1])
			rstest_lost_add(t, node->try_size[node->ntries - 1]);
	} else {
		if (name->n > 0) {
			/* A new name must be one this test issued: its newest label is
			 * one of the answers given to the name without it. */
			rstest_chain_t parent = { .n = (uint8_t)(name->n - 1) };
			for (unsigned i = 1; i < name->n; i++) {
				parent.size[i - 1] = name->size[i];
				parent.tcp[i - 1] = name->tcp[i];
			}
			rstest_node_t *p = rstest_node_find(t, &parent);
			int issued = 0;
			for (unsigned i = 0; p && i < p->ntries; i++)
				if (p->try_size[i] == name->size[0] && p->try_tcp[i] == name->tcp[0])
					issued = 1;
			if (!issued)
				return RSTEST_UNKNOWN;
			if (!name->tcp[0] && name->size[0] > t->lo)
				t->lo = name->size[0]; /* that answer arrived */
		}
		if (t->nnodes >= RSTEST_NODES)
			return RSTEST_UNKNOWN;
		node = &t->node[t->nnodes++];
		memset(node, 0, sizeof(*node));
		node->name = *name;
		t->last_ms = now_ms;
		if (name->n == RSTEST_STEPS)
			return RSTEST_FINAL;
	}
	unsigned s = rstest_size_next(rq, t->lo, rstest_hi(t));
	rstest_try_add(node, s, rq->tcp);
	*size = s;
	return RSTEST_ANSWER;
}
