/* plan.c - expand a config into the questions of a run (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX 100000

/* Trust questions: mode rollover, a resolver (RD in the first set), tags known. */
static int plan_wants_trust(const probe_cfg_t *cfg)
{
	return cfg->mode == PROBE_MODE_ROLLOVER && cfg->nsets && cfg->sets[0].rd && cfg->ntags;
}

static uint64_t plan_count(const probe_cfg_t *cfg, uint32_t ntargets)
{
	uint64_t n = 0;
	for (uint32_t s = 0; s < cfg->nsets; s++) {
		const probe_qset_t *set = &cfg->sets[s];
		uint32_t ndo = set->do_mask == PROBE_DO_BOTH ? 2 : 1;
		n += (uint64_t)set->nnames * set->nsizes * ndo;
	}
	return n * ntargets * cfg->repeats * (cfg->frag_query ? 2 : 1) + (cfg->identity ? 2 * (uint64_t)ntargets : 0) +
	       (plan_wants_trust(cfg) ? (1 + 2 * (uint64_t)cfg->ntags) * ntargets : 0);
}

/* Mode rollover through a resolver: the trust questions. */
static void plan_trust(const probe_cfg_t *cfg, probe_plan_t *plan, const probe_targets_t *targets)
{
	for (uint32_t t = 0; t < targets->n; t++) {
		probe_query_t *q = &plan->q[plan->n++];
		q->target = t;
		q->kind = QK_AD;
		q->qname = ".";
		q->qtype = 6; /* SOA: signed, small */
		q->edns = 1232;
		q->do_bit = 1;
		q->rd = 1;
		q->keep_answer = 1;
		for (uint32_t k = 0; k < cfg->ntags; k++)
			for (int n = 0; n < 2; n++) {
				q = &plan->q[plan->n++];
				q->target = t;
				q->kind = n ? QK_SENTINEL_NOT : QK_SENTINEL_IS;
				q->qname = cfg->sentinel_names[2 * k + (uint32_t)n];
				q->qtype = 1; /* A: RFC 8509 §3 applies to A and AAAA */
				q->edns = 1232;
				q->do_bit = 1;
				q->rd = 1;
				q->keep_answer = 1;
				q->tag = cfg->ta_tags[k];
			}
	}
}

static void plan_identity(probe_plan_t *plan, const probe_targets_t *targets)
{
	for (uint32_t t = 0; t < targets->n; t++)
		for (int k = 0; k < 2; k++) {
			probe_query_t *q = &plan->q[plan->n++];
			q->target = t;
			q->kind = k ? QK_HOSTNAME_BIND : QK_NSID;
			q->qname = k ? "hostname.bind" : ".";
			q->qtype = k ? 16 : 6;  /* TXT, SOA */
			q->qclass = k ? 3 : 1;  /* CH, IN */
			q->edns = 1232;
			q->keep_answer = 1;
		}
}

int plan_build(const probe_cfg_t *cfg, const probe_targets_t *targets, probe_plan_t *plan, char *err, size_t errlen)
{
	uint64_t total = plan_count(cfg, targets->n);
	memset(plan, 0, sizeof *plan);
	if (total == 0)
		return snprintf(err, errlen, "nothing to ask (no name, size or target)"), -1;
	if (total > PLAN_MAX)
		return snprintf(err, errlen, "%llu questions: more than %d", (unsigned long long)total, PLAN_MAX), -1;
	plan->q = calloc(total, sizeof *plan->q);
	if (!plan->q)
		return snprintf(err, errlen, "out of memory"), -1;
	if (cfg->identity)
		plan_identity(plan, targets);
	if (plan_wants_trust(cfg))
		plan_trust(cfg, plan, targets);
	int crafted = probe_cfg_crafted(cfg);
	for (uint32_t r = 0; r < cfg->repeats; r++) {
		uint32_t group = 0; /* the same sequence in every repeat */
		for (uint32_t s = 0; s < cfg->nsets; s++) {
			const probe_qset_t *set = &cfg->sets[s];
			for (uint32_t nm = 0; nm < set->nnames; nm++)
				for (uint32_t z = 0; z < set->nsizes; z++)
					for (uint8_t d = 0; d < 2; d++) {
						if (!(set->do_mask & (d ? PROBE_DO_ON : PROBE_DO_OFF)))
							continue;
						for (uint32_t t = 0; t < targets->n; t++)
							for (int f = cfg->frag_query ? 1 : 0; f >= 0; f--) {
								probe_query_t *q = &plan->q[plan->n++];
								q->target = t;
								q->qname = set->names[nm];
								q->qtype = set->qtype;
								q->edns = set->sizes[z];
								q->do_bit = d;
								q->rd = set->rd;
								q->may_fragment = q->edns > PLAN_UNFRAGMENTED_MAX;
								q->keep_answer = cfg->mode == PROBE_MODE_OARC;
								q->repeat = r;
								q->crafted = (uint8_t)crafted;
								q->qfrag = (uint8_t)f;
								q->control = cfg->frag_query && !f;
								q->group = ++group;
							}
					}
		}
	}
	return 0;
}

void plan_free(probe_plan_t *plan)
{
	for (uint32_t i = 0; i < plan->n; i++)
		free(plan->q[i].out.answer);
	free(plan->q);
	plan->q = NULL;
	plan->n = 0;
}

const char *plan_kind2str(uint8_t kind)
{
	switch (kind) {
	case QK_NSID: return "nsid";
	case QK_HOSTNAME_BIND: return "hostname.bind";
	case QK_SENTINEL_IS: return "sentinel-is-ta";
	case QK_SENTINEL_NOT: return "sentinel-not-ta";
	case QK_AD: return "ad";
	default: return "size";
	}
}

const char *plan_udp2str(probe_udp_result_t r)
{
	static const char *const names[UDP_RESULT_COUNT] = { "not-sent", "ok", "tc", "timeout", "refused", "error" };
	return (unsigned)r < UDP_RESULT_COUNT ? names[r] : "?";
}

const char *plan_tcp2str(probe_tcp_result_t r)
{
	static const char *const names[TCP_RESULT_COUNT] = { "not-tried", "ok", "syn-timeout", "stall",
		                                             "reset", "refused", "closed", "error" };
	return (unsigned)r < TCP_RESULT_COUNT ? names[r] : "?";
}
