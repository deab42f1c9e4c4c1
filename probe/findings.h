/* findings.h - what the probe concludes beyond answer sizes, from its own
 * sockets (the plan's outcomes) and the capture's report:
 *
 *   identity        per target, from the separate small queries: the NSID
 *                   (RFC 5001) of ". SOA" and the hostname.bind CH TXT string,
 *                   naming the (anycast) instance that answered.
 *   interception    transparent DNS interception hints: a target asked only
 *                   without RD (an authoritative server) answering with RA=1;
 *                   an NSID other than the one configured (expect-nsid).
 *   query direction with fragment-query: fragmented queries unanswered while
 *                   their unfragmented controls are answered.
 *   inspection      DNS-aware inspection: unfragmented UDP answers of 513 to
 *                   1,472 bytes (IPv6: 1,452) lost while answers of at most
 *                   512 bytes arrive and TCP brings the large ones.
 *   pattern         per-path hints from the capture's lost fragment trains and
 *                   the TCP outcomes (the analyzer's own wording where it has one).
 * Pure: no I/O. Built after report_finish; findings_apply raises the report's
 * health to WARNING for interception, inspection and query-direction loss.
 */
#ifndef DNSFRAG_PROBE_FINDINGS_H
#define DNSFRAG_PROBE_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "plan.h"
#include "report.h"
#include "targets.h"

#define FINDINGS_MAX 64

typedef struct probe_identity {
	uint8_t asked;            /* identity queries were in the plan */
	uint8_t nsid_answered, hostname_answered;
	uint8_t ra, aa;           /* of the NSID query's answer */
	uint8_t rcode_nsid, rcode_hostname;
	char nsid[128];           /* printable form (non-printable bytes as \DDD) */
	char nsid_hex[260];
	uint8_t has_nsid;
	char hostname[256];       /* the first TXT string of hostname.bind */
	uint8_t has_hostname;
} probe_identity_t;

typedef struct probe_finding {
	const char *kind;         /* "query-direction", "interception", "inspection", "pattern", "note" */
	uint8_t family;           /* 4, 6, or 0 for none */
	char server[64];          /* a target, or "" */
	uint8_t raises;           /* makes the run at least WARNING */
	char text[400];
} probe_finding_t;

typedef struct probe_findings {
	probe_identity_t *id;     /* one per target */
	uint32_t nid;
	probe_finding_t f[FINDINGS_MAX];
	uint32_t n;
} probe_findings_t;

/* Fill out from the run. r may be NULL (no pattern hints then). Returns 0, or
 * -1 when out of memory. */
int findings_build(const probe_cfg_t *cfg, const probe_targets_t *targets, const probe_plan_t *plan,
                   const report_t *r, probe_findings_t *out);
void findings_free(probe_findings_t *f);

/* Parse an identity answer (NSID query or hostname.bind) into id. Pure. */
void findings_identity_parse(const uint8_t *msg, size_t len, int hostname_bind, probe_identity_t *id);

/* Raise r's health to WARNING for the findings that say so (headline too). */
void findings_apply(const probe_findings_t *f, report_t *r);

#endif /* DNSFRAG_PROBE_FINDINGS_H */
