/* report_probe.h - what the probe knows that its capture alone does not: the
 * targets and where they came from, the plan, the socket view of every
 * question, the reply-size test's verdict. Added to the analyzer's report as
 * the optional top-level JSON key "probe" (schema dnsfrag-report/1: an
 * addition) and as a "Probe:" section after the analyzer's text.
 */
#ifndef DNSFRAG_PROBE_REPORT_PROBE_H
#define DNSFRAG_PROBE_REPORT_PROBE_H

#include <stdio.h>

#include "config.h"
#include "crafted.h"
#include "engine.h"
#include "findings.h"
#include "loss.h"
#include "oarc.h"
#include "plan.h"
#include "report.h"
#include "rollover.h"
#include "targets.h"

typedef struct probe_info {
	const probe_cfg_t *cfg;
	const probe_targets_t *targets;
	const probe_plan_t *plan;
	const engine_stats_t *engine;
	const char *profile;       /* the profile file, or NULL */
	const char *iface;
	const char *filter;
	const char *session_file;  /* -w FILE, or NULL */
	const char *dropped_to;    /* -Z USER, or NULL */
	const crafted_check_t *checks; /* [2]: the crafting self-checks, or NULL (not crafting) */
	const probe_findings_t *findings; /* or NULL */
	const struct rollover *rollover;  /* --rollover / --anchors, or NULL */
	const loss_table_t *loss;         /* the loss bound per size question, or NULL */
	const struct zone_run *zone;      /* mode zone, or NULL */
} probe_info_t;

/* The report_config_t json_extra hook: ctx is a probe_info_t. */
void report_probe_json(const void *ctx, struct json_writer *w);

/* report_run_t.instances: [{server, family, nsid, hostname_bind}] per target
 * (ctx is a probe_info_t with findings built). */
void report_probe_instances_json(const void *ctx, struct json_writer *w);

/* The "Probe:" section of the text report. */
void report_probe_text(const probe_info_t *info, FILE *out);

/* Mode oarc: judge the reply-size test from each answer. A test without its
 * result strings makes the report UNKNOWN "service unavailable" (never a path
 * verdict). Call after report_finish. */
void report_probe_oarc_apply(const probe_info_t *info, report_t *r);

#endif /* DNSFRAG_PROBE_REPORT_PROBE_H */
