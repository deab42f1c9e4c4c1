/* pagetouch.h - make the first touch of each page of a fresh, zeroed table a write.
 *
 * calloc and mmap hand out large blocks as pages not yet backed. A table that
 * is read before it is written (a hash table probed for an empty slot) maps
 * the shared zero page on that read, and the first write to the page then
 * replaces it: a copy-on-write fault, which flushes the TLB of every CPU the
 * process runs on. With the tracker on a thread of its own (relay.h) each
 * such fault was an interrupt to the other, busy CPU: 1,150 of them on the
 * 300 MB capture of bench/run, 9% of the tracker thread's samples in the
 * kernel's IPI code (perf). A write as the first touch needs no flush: with
 * the tables below touched so, 1 such fault was left, and the run took
 * 0.277 -> 0.259 s (medians of 11 interleaved runs, CPU 0.491 -> 0.460 s).
 * Used for: the tracker's link tables, the TCP flow buckets, the report's
 * path slots, row keys and questions.
 *
 * Only for memory already zero (calloc, anonymous mmap): it writes zeros, one
 * byte a page. The writes are volatile so that the compiler, which knows
 * calloc's memory is zero, keeps them.
 */
#ifndef DNSFRAG_COMMON_PAGETOUCH_H
#define DNSFRAG_COMMON_PAGETOUCH_H

#include <stddef.h>
#include <stdint.h>

static inline void pagetouch_zeroed(void *p, size_t bytes)
{
	volatile uint8_t *b = p;
	for (size_t i = 0; i < bytes; i += 4096) /* the smallest page size Linux uses */
		b[i] = 0;
}

#endif /* DNSFRAG_COMMON_PAGETOUCH_H */
