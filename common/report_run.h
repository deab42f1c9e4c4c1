/* report_run.h - the run metadata of a JSON report (dnsfrag-report/1 key "run",
 * dnsfrag-json(5) RUN): what dnsfrag-report needs to combine runs from many
 * sites and over time - site, run id, start and end time (UTC ISO 8601), tool
 * and version, and for the probe its profile and the profile's SHA-256, the
 * source addresses and interface, the hints and anchors sources and, per
 * target, the instance that answered (NSID / hostname.bind).
 *
 * Filled by the program before report_json_write and hung on
 * report_config_t.run; the JSON writers render it. Nothing here does I/O
 * except report_run_file_sha256.
 */
#ifndef DNSFRAG_COMMON_REPORT_RUN_H
#define DNSFRAG_COMMON_REPORT_RUN_H

#include <stddef.h>
#include <stdint.h>

struct json_writer;
struct report_config;

#define REPORT_RUN_ID_LEN 37 /* 8-4-4-4-12 hex digits and the NUL */

typedef struct report_run {
	char id[REPORT_RUN_ID_LEN];
	int64_t start_ns;          /* 0: unknown */
	int64_t end_ns;            /* 0: the time the report is written (times_from "clock") */
	const char *times_from;    /* "capture" (first and last record) or "clock" */
	/* probe only; NULL: null in JSON */
	const char *profile;       /* the profile file */
	char profile_sha256[65];   /* "" when unknown */
	const char *source[2];     /* source address per family, NULL: from the route */
	const char *interface;
	const char *vrf;
	const char *hints;         /* where the targets came from */
	const char *anchors;       /* the trust anchors file, "default", or NULL (not used) */
	/* Optional: writes the value of "instances" (an array of {server, nsid,
	 * hostname_bind}); NULL: an empty array. */
	void (*instances)(const void *ctx, struct json_writer *w);
	const void *instances_ctx;
} report_run_t;

void report_run_init(report_run_t *run);
/* A random id shaped like an RFC 9562 version-4 UUID (getrandom; when that
 * fails, from the clock and the pid). */
void report_run_id_random(report_run_t *run);
/* An id derived from strings (SHA-256, shaped like a version-8 UUID): the
 * analyzer's id of a capture, so the same capture is the same run. */
void report_run_id_derive(report_run_t *run, const char *const *parts, size_t nparts);
/* The SHA-256 of a file (at most 16 MiB) as 64 hex digits into run->profile_sha256.
 * 0, or -1 with a message in err. */
int report_run_file_sha256(report_run_t *run, const char *path, char *err, size_t errlen);
/* Nanoseconds since the epoch, from the real-time clock. */
int64_t report_run_now_ns(void);
/* "2026-11-26T04:24:37.123Z" into buf (at least 32 bytes); "" for 0. */
char *report_run_ns2iso(int64_t ns, char *buf, size_t len);
/* Write the key "run" and its object (cfg->site, cfg->program, cfg->inputs). */
void report_run_json_write(const report_run_t *run, const struct report_config *cfg, struct json_writer *w);

#endif /* DNSFRAG_COMMON_REPORT_RUN_H */
