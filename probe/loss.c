/* loss.c - the random-loss bound and --repeats auto (see loss.h). */
#include "loss.h"

#include <stdlib.h>
#include <string.h>

/* x^n for a whole n (no libm: the probe does not link it). */
static double ipow(double x, uint32_t n)
{
	double r = 1.0;
	while (n--)
		r *= x;
	return r;
}

double loss_attempt_failure(double p, uint32_t packets)
{
	return 1.0 - ipow(1.0 - p, packets);
}

uint32_t loss_answer_packets(uint32_t bytes, uint8_t family)
{
	uint32_t per = family == 6 ? LOSS_V6_FRAG_DATA : LOSS_V4_FRAG_DATA;
	uint32_t k = (bytes + 8 + per - 1) / per; /* the UDP header travels too */
	return k ? k : 1;
}

uint32_t loss_needed(double q)
{
	if (q <= 0.0)
		return 1;
	if (q >= 1.0)
		return UINT32_MAX;
	uint32_t n = 1;
	double c = q;
	while (c >= LOSS_BOUND && n < 100000) {
		c *= q;
		n++;
	}
	return n;
}

const char *loss_verdict2str(loss_verdict_t v)
{
	static const char *const names[LOSS_VERDICT_COUNT] = { "answered", "intermittent", "systematic", "inconclusive",
		                                               "untested" };
	return (unsigned)v < LOSS_VERDICT_COUNT ? names[v] : "?";
}

static uint32_t max_group(const probe_plan_t *plan)
{
	uint32_t g = 0;
	for (uint32_t i = 0; i < plan->n; i++)
		if (plan->q[i].group > g)
			g = plan->q[i].group;
	return g;
}

int loss_build(const probe_plan_t *plan, const probe_targets_t *targets, double p, loss_table_t *t)
{
	memset(t, 0, sizeof *t);
	t->p = p;
	t->max_attempts = LOSS_MAX_ATTEMPTS;
	uint32_t g = max_group(plan);
	if (!g)
		return 0;
	t->r = calloc(g, sizeof *t->r);
	if (!t->r)
		return -1;
	t->n = g;
	for (uint32_t i = 0; i < g; i++)
		t->r[i].first = UINT32_MAX;
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		if (!q->group)
			continue;
		loss_row_t *r = &t->r[q->group - 1];
		if (r->first == UINT32_MAX)
			r->first = i;
		switch (q->out.udp) {
		case UDP_OK:
		case UDP_TC:
			r->attempts++;
			r->answered++;
			break;
		case UDP_TIMEOUT:
			r->attempts++;
			r->lost++;
			break;
		default:
			r->other++;
			break;
		}
		uint32_t seen = q->out.udp == UDP_OK ? q->out.udp_size : 0;
		if (q->out.tcp == TCP_OK && q->out.tcp_size > seen)
			seen = q->out.tcp_size;
		if (seen > r->answer_bytes) {
			r->answer_bytes = seen;
			r->bytes_known = 1;
		}
	}
	for (uint32_t i = 0; i < g; i++) {
		loss_row_t *r = &t->r[i];
		if (r->first == UINT32_MAX) { /* a group with no question (cannot happen) */
			r->first = 0;
			r->verdict = LOSS_UNTESTED;
			continue;
		}
		const probe_query_t *q = &plan->q[r->first];
		if (!r->bytes_known) { /* the answer cannot be larger than advertised */
			r->answer_bytes = q->edns ? q->edns : 512;
			/* a TC answer (or a small one) says nothing about the full size */
		}
		uint8_t fam = targets->t[q->target].addr.family;
		r->packets = 1 + loss_answer_packets(r->answer_bytes, fam);
		r->q = loss_attempt_failure(p, r->packets);
		r->needed = loss_needed(r->q);
		r->chance = 1.0;
		if (r->attempts == 0 || (r->other && !r->answered && !r->lost))
			r->verdict = LOSS_UNTESTED;
		else if (r->lost == 0)
			r->verdict = LOSS_ANSWERED;
		else if (r->answered)
			r->verdict = LOSS_INTERMITTENT;
		else {
			r->chance = ipow(r->q, r->lost);
			r->verdict = r->chance < LOSS_BOUND ? LOSS_SYSTEMATIC : LOSS_INCONCLUSIVE;
		}
	}
	return 0;
}

void loss_free(loss_table_t *t)
{
	free(t->r);
	memset(t, 0, sizeof *t);
}

uint32_t loss_extend(probe_plan_t *plan, const probe_targets_t *targets, double p)
{
	loss_table_t t;
	if (loss_build(plan, targets, p, &t) < 0)
		return 0;
	uint32_t want = 0;
	for (uint32_t i = 0; i < t.n; i++)
		want += t.r[i].verdict == LOSS_INCONCLUSIVE && !t.r[i].other && t.r[i].attempts < LOSS_MAX_ATTEMPTS;
	if (plan->n >= LOSS_PLAN_MAX)
		want = 0;
	else if (want > LOSS_PLAN_MAX - plan->n) /* bounded memory: the first ones get their attempt */
		want = LOSS_PLAN_MAX - plan->n;
	if (!want) {
		loss_free(&t);
		return 0;
	}
	probe_query_t *nq = realloc(plan->q, (plan->n + want) * sizeof *plan->q);
	if (!nq) {
		loss_free(&t);
		return 0;
	}
	plan->q = nq;
	uint32_t added = 0;
	for (uint32_t i = 0; i < t.n; i++) {
		const loss_row_t *r = &t.r[i];
		if (r->verdict != LOSS_INCONCLUSIVE || r->other || r->attempts >= LOSS_MAX_ATTEMPTS)
			continue;
		if (added == want)
			break;
		probe_query_t *q = &plan->q[plan->n + added++];
		*q = plan->q[r->first];
		memset(&q->out, 0, sizeof q->out);
		q->repeat = r->attempts;
	}
	plan->n += added;
	loss_free(&t);
	return added;
}
