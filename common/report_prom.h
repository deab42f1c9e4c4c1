/* report_prom.h - the report in the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector: one HELP and one
 * TYPE line per metric, then its samples; label values escaped (\\ \" \n).
 *
 * Metric names and labels are documented in dnsfrag-analyze(1) PROMETHEUS
 * and never change meaning. Labels: site (only with --site), server (the
 * address as in the text report), family ("4", "6"), verdict (the JSON
 * report's verdict names), outcome (TCP outcomes), missing (lost trains).
 * Counters count what the run saw: a scheduled run starts again from zero.
 * Sizes not measured have no sample. Output is deterministic: no timestamps.
 */
#ifndef DNSFRAG_COMMON_REPORT_PROM_H
#define DNSFRAG_COMMON_REPORT_PROM_H

#include <stdio.h>

#include "report.h"

void report_prom_write(const report_t *r, FILE *out);

#endif /* DNSFRAG_COMMON_REPORT_PROM_H */
