/* frameclock.h - capture times of frames, for the HTML report's fragment
 * ladders (a true time axis): a pipeline hook records (frame, capture time)
 * for every IP packet of one capture point, so a transaction's frames (its
 * query, answer fragments, ICMP errors, TCP retry) can be placed in time.
 *
 * Bounded: the first FRAMECLOCK_MAX packets (12 bytes each: 6 MB); later
 * frames are unknown (the ladder then falls back to capture order and says
 * so). Only made when an HTML page is asked for.
 */
#ifndef DNSFRAG_COMMON_FRAMECLOCK_H
#define DNSFRAG_COMMON_FRAMECLOCK_H

#include <stdint.h>

#include "pipeline.h"

#define FRAMECLOCK_MAX (1u << 19)

typedef struct frameclock frameclock_t;

frameclock_t *frameclock_new(void);
void frameclock_free(frameclock_t *fc);
/* The hooks that record (only .packet is set). fc must outlive the pipeline. */
pipeline_hooks_t frameclock_hooks(frameclock_t *fc);
/* The capture time of frame (ns) into *ts: 1, or 0 when not recorded (or
 * frame is 0). Call after the input ended (it may sort the table once). */
int frameclock_get(frameclock_t *fc, uint64_t frame, int64_t *ts);
/* Frames not recorded because the table was full. */
uint64_t frameclock_dropped(const frameclock_t *fc);

#endif /* DNSFRAG_COMMON_FRAMECLOCK_H */
