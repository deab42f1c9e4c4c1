/* report_ladder.h - the HTML report's fragment ladders (inline SVG), one per
 * evidence transaction that lost fragments, was truncated, drew ICMP errors
 * or failed over TCP:
 *
 *   - on a true time axis when the capture times of its frames are known
 *     (report_html_extra_t.clock, or the --points traces): each arrow at its
 *     capture time relative to the query, ticks labelled in ms, the labels in
 *     a column beside the lanes with a leader line to their arrow;
 *   - with --points, one lane per capture point (path order, client side
 *     first): the query, each answer fragment (offset and length in the UDP
 *     datagram) and each DNS TCP segment drawn through the points that saw it,
 *     at that point's capture time; where a point whose capture was running
 *     did not see it, a cross on its lane; ICMP errors (seen at the first
 *     point) on the first lane;
 *   - else, client and server lanes and the events in capture order (the old
 *     ladder), e.g. when the times are unknown.
 */
#ifndef DNSFRAG_COMMON_REPORT_LADDER_H
#define DNSFRAG_COMMON_REPORT_LADDER_H

#include <stdio.h>

#include "report.h"
#include "report_html.h"

/* The section <section id="ladders">...</section>. x may be NULL. */
void report_ladders_write(FILE *out, const report_t *r, const report_html_extra_t *x);

#endif /* DNSFRAG_COMMON_REPORT_LADDER_H */
