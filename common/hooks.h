/* hooks.h - fan-out of the pipeline's hooks: one pipeline_hooks_t that calls
 * several consumers in the order they were added (the transaction tracker,
 * the rollover check, ...). The pipeline keeps one hooks value; this lets more
 * than one module listen without changing it.
 */
#ifndef DNSFRAG_COMMON_HOOKS_H
#define DNSFRAG_COMMON_HOOKS_H

#include "pipeline.h"

#define HOOKS_FANOUT_MAX 4

typedef struct hooks_fanout {
	pipeline_hooks_t h[HOOKS_FANOUT_MAX];
	uint32_t n;
} hooks_fanout_t;

void hooks_fanout_init(hooks_fanout_t *f);
/* Add a consumer (copied). Returns 0, or -1 when HOOKS_FANOUT_MAX are in. */
int hooks_fanout_add(hooks_fanout_t *f, const pipeline_hooks_t *h);
/* The hooks to give pipeline_new(): ctx is f, which must outlive the
 * pipeline; a callback is set only when some consumer has it. */
pipeline_hooks_t hooks_fanout_hooks(hooks_fanout_t *f);

#endif /* DNSFRAG_COMMON_HOOKS_H */
