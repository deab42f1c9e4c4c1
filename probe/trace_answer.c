/* trace_answer.c - the answer-direction trace (see trace_answer.h). */
#include "trace_answer.h"

#include <stdio.h>
#include <string.h>

void trace_answer_run(const probe_cfg_t *cfg, const probe_target_t *t, const ip_addr_t *src, trace_path_t *p)
{
	memset(p, 0, sizeof *p);
	p->kind = TRACE_KIND_ANSWER;
	p->family = t->addr.family;
	p->target = t->addr;
	p->source = *src;
	if (!cfg->trace_zone[0])
		snprintf(p->error, sizeof p->error, "the answer-direction trace needs a dnsfrag-responder zone (trace-zone)");
	else
		snprintf(p->error, sizeof p->error, "not implemented yet");
	trace_path_conclude(p);
}
