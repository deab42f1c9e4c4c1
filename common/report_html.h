/* report_html.h - the report as one self-contained HTML page (issue 14): the
 * verdict per family first, a size matrix (servers x answer sizes, one cell
 * per DO setting, coloured by verdict with a legend and a text label), the
 * capture points of --points with the segment where fragments vanish, a
 * fragment ladder (inline SVG, report_ladder.h: on a time axis, one lane per
 * capture point with --points) for each evidence transaction that lost
 * fragments or was truncated, then the settings, the version and the inputs.
 *
 * Rendered from the same report_t as the text and JSON writers; no external
 * scripts, fonts, images or requests, no JavaScript; inline CSS with print
 * rules. Every string from the capture is HTML-escaped. Deterministic: the
 * same report gives the same bytes (no clock, no name lookups).
 */
#ifndef DNSFRAG_COMMON_REPORT_HTML_H
#define DNSFRAG_COMMON_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

struct frameclock;
struct points;
struct rollover;

typedef struct report_html_extra {
	const struct points *points;     /* --points results, or NULL */
	const struct rollover *rollover; /* --rollover / --anchors results, or NULL */
	int argc;                        /* the command line, shown so the report can be reproduced */
	char *const *argv;
	struct frameclock *clock;        /* capture times of point 0's frames (frameclock.h): the ladders'
	                                    time axis; NULL: ladders in capture order */
} report_html_extra_t;

/* The whole page to out. x may be NULL. */
void report_html_write(const report_t *r, const report_html_extra_t *x, FILE *out);

/* The page to path, atomically: path.tmp, fsync, rename. 0, or -1 with err
 * filled ("FILE: reason"). */
int report_html_write_file(const report_t *r, const report_html_extra_t *x, const char *path, char *err,
                           size_t errlen);

#endif /* DNSFRAG_COMMON_REPORT_HTML_H */
