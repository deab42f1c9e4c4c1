/* loss.h - loss is not a verdict: how sure the probe is that a question's
 * UDP answer is lost systematically and not by chance, and (--repeats auto)
 * which questions to ask again until it is sure.
 *
 * The model: every packet of an attempt is lost independently with the
 * assumed rate p (--assume-loss, default 5 %). An attempt is the query (one
 * packet) and the answer in k packets, k = ceil((answer bytes + 8) / 1,480)
 * over IPv4 (a 1,500-byte MTU) or / 1,232 over IPv6 (NSD fragments at 1,280),
 * so random loss fails it with q = 1 - (1 - p)^(k + 1): about 19 % for a
 * three-fragment answer at 5 %. The answer's size is the largest one seen for
 * that question (the TCP fallback's answer, or a UDP answer), else the
 * advertised EDNS size (512 without EDNS): an upper bound, so q is never
 * underestimated. n attempts that all failed are explained by random loss with
 * probability q^n; the question is "systematically lost" only when
 * q^n < LOSS_BOUND (one in a million), with confidence 1 - q^n; otherwise it is
 * "inconclusive (random loss cannot be ruled out)". One answered attempt makes
 * it "intermittent" (never systematic).
 *
 * --repeats auto: after each round, every size question whose attempts all
 * timed out is asked once more (paced like the rest), until the bound holds,
 * one attempt is answered, or LOSS_MAX_ATTEMPTS attempts were made (then it
 * stays inconclusive and the report says the cap was reached). Refused and
 * local errors are not loss: never repeated. The plan never grows beyond
 * LOSS_PLAN_MAX questions (bounded memory).
 * Pure but for the plan handed in: no I/O.
 */
#ifndef DNSFRAG_PROBE_LOSS_H
#define DNSFRAG_PROBE_LOSS_H

#include <stdint.h>

#include "plan.h"
#include "targets.h"

#define LOSS_BOUND 1e-6
#define LOSS_MAX_ATTEMPTS 12
#define LOSS_PLAN_MAX 200000  /* questions in a plan, repeats included: no attempt beyond */
#define LOSS_V4_FRAG_DATA 1480
#define LOSS_V6_FRAG_DATA 1232

typedef enum loss_verdict {
	LOSS_ANSWERED,     /* every attempt answered (UDP answer or TC) */
	LOSS_INTERMITTENT, /* some lost, some answered: not systematic */
	LOSS_SYSTEMATIC,   /* all lost, and random loss would explain it with probability < LOSS_BOUND */
	LOSS_INCONCLUSIVE, /* all lost, random loss cannot be ruled out */
	LOSS_UNTESTED,     /* refused, a local error, or never sent: not a loss question */
	LOSS_VERDICT_COUNT
} loss_verdict_t;

typedef struct loss_row {
	uint32_t first;        /* plan index of the first attempt */
	uint32_t attempts, answered, lost, other;
	uint32_t answer_bytes; /* the size used for k */
	uint8_t bytes_known;   /* seen in an answer (else the advertised size) */
	uint32_t packets;      /* k + 1: the query and the answer's packets */
	double q;              /* per-attempt failure probability under random loss */
	double chance;         /* q^lost when nothing was answered, else 1 */
	uint32_t needed;       /* attempts that make q^n < LOSS_BOUND */
	loss_verdict_t verdict;
} loss_row_t;

typedef struct loss_table {
	loss_row_t *r;         /* indexed by group - 1 */
	uint32_t n;
	double p;
	uint32_t max_attempts;
} loss_table_t;

/* q = 1 - (1 - p)^packets. */
double loss_attempt_failure(double p, uint32_t packets);
/* The answer's packets (k) for bytes of DNS message over family 4 or 6. */
uint32_t loss_answer_packets(uint32_t bytes, uint8_t family);
/* The smallest n with q^n < LOSS_BOUND (1 when q is 0; UINT32_MAX when q >= 1). */
uint32_t loss_needed(double q);

/* Judge every size question of the plan. Returns 0, or -1 out of memory. */
int loss_build(const probe_plan_t *plan, const probe_targets_t *targets, double p, loss_table_t *t);
void loss_free(loss_table_t *t);

/* --repeats auto: append one more attempt of every question still
 * inconclusive and below LOSS_MAX_ATTEMPTS (plan->q may move). Returns the
 * number appended (0: done, or out of memory). */
uint32_t loss_extend(probe_plan_t *plan, const probe_targets_t *targets, double p);

const char *loss_verdict2str(loss_verdict_t v);

#endif /* DNSFRAG_PROBE_LOSS_H */
