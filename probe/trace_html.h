/* trace_html.h - the traces of dnsfrag-probe --trace as one self-contained
 * HTML page (--html FILE; issue 14, "the path: hops from a trace"):
 *
 *   - the verdict first: one sentence per trace (direction and family) and
 *     per path MTU trace, each with its health word and its verdict word;
 *   - per trace, the path drawn as hops in order (the sender, hop 1, ...,
 *     the destination), each hop with its address(es), what the control and
 *     the fragmented probe drew (IPv6 queries: Time Exceeded for the first and
 *     for the non-first fragments); the segment between hop M and hop M+1
 *     where fragments vanish marked (an ambiguous range marked differently,
 *     with the reason), and the evidence beside it; then the hop table;
 *   - the path MTU traces: each size tried and what it drew, the MTU, the
 *     too-big and its sender or the black hole, and the TTL trace of where;
 *   - the run's settings, the version and the command line.
 *
 * Rendered from the same trace_result_t as the text and JSON writers
 * (trace_report.c): no conclusion is made here. Shared blocks of
 * common/html_kit.h (page head with a CSP that loads nothing, CSS with print
 * rules, the Okabe-Ito colours); every mark has a text label too. Every
 * string from the network or the command line is HTML-escaped. Deterministic:
 * the same result gives the same bytes.
 */
#ifndef DNSFRAG_PROBE_TRACE_HTML_H
#define DNSFRAG_PROBE_TRACE_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* The run's settings, shown at the end of the page. */
typedef struct trace_html_extra {
	uint8_t trace;          /* TRACE_DO_* asked */
	uint32_t max_hops;      /* --max-hops */
	uint32_t attempts;      /* --trace-attempts */
	uint32_t timeout_ms;    /* --timeout */
	uint32_t rate;          /* --rate; 0 unlimited */
	const char *trace_zone; /* --trace-zone; NULL or "" none */
	int argc;               /* the command line, so the run can be repeated */
	char *const *argv;
} trace_html_extra_t;

/* The whole page to out. x may be NULL (no settings, no command line). */
void trace_html_write(const trace_result_t *res, const trace_html_extra_t *x, FILE *out);

/* The page to path, atomically (html_write_file): 0, or -1 with err filled
 * ("FILE: reason"). */
int trace_html_write_file(const trace_result_t *res, const trace_html_extra_t *x, const char *path, char *err,
                          size_t errlen);

#endif /* DNSFRAG_PROBE_TRACE_HTML_H */
