/* progress.h - a progress line on stderr for long capture reads: bytes and
 * packets done, rate, and (when the total size is known: regular files, not
 * stdin or a pipe) percentage and ETA. Only for a terminal: the caller decides
 * (isatty(stderr) and not --quiet). Redrawn at most 5 times a second, first
 * after half a second, so short reads print nothing; erased at the end.
 */
#ifndef DNSFRAG_ANALYZER_PROGRESS_H
#define DNSFRAG_ANALYZER_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct progress progress_t;

/* The total is the sum of the files' sizes (0: unknown, e.g. "-"). */
progress_t *progress_new(const char *const *paths, size_t n);
/* records and captured bytes so far (capture_stats); cheap to call often. */
void progress_update(progress_t *p, uint64_t records, uint64_t bytes);
/* Erase the line (if one was drawn) and free. */
void progress_done(progress_t *p);

#endif /* DNSFRAG_ANALYZER_PROGRESS_H */
