/* perfdata.h - Nagios / Icinga performance data for the text report's first
 * line (Nagios Plugin Development Guidelines, "Performance data"):
 *
 *   HEADLINE | 'v4_transactions'=12;;;0 'v4_largest_whole'=1452B;;;0 ... 'recommended_edns'=1400B;;;0
 *
 * Per family (v4_, v6_): transactions, delivered, failed_both (answers neither
 * UDP nor TCP brought), largest_whole and largest_fragmented (bytes of DNS
 * message), frag_loss (fragmented answers lost, % of those fragmented),
 * no_answer (% of transactions without any UDP answer); then
 * recommended_edns. A value that was not measured is U (undetermined), as the
 * guidelines allow. Labels and units never change meaning.
 */
#ifndef DNSFRAG_COMMON_PERFDATA_H
#define DNSFRAG_COMMON_PERFDATA_H

#include <stdio.h>

#include "report.h"

/* Write " | ..." (a leading space, the bar, the data); fits report_config_t.text_tail. */
void report_perfdata_write(const void *ctx, const report_t *r, FILE *out);

#endif /* DNSFRAG_COMMON_PERFDATA_H */
