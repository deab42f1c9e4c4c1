/* readiness.h - mode rollover: what the probe concludes about a root key
 * rollover from its own questions, into the rollover check's report
 * (common/rollover.h: the "readiness" and "trust" parts of the "rollover"
 * JSON key and the "Root key rollover" text section).
 *
 * Path readiness: every size question of the run (the sized names
 * N.size.ZONE for N = 864, 1,139, 1,414, 1,425 and 1,700, the sizes of the
 * root's DNSKEY answer in the phases of a KSK rollover, and '. DNSKEY' itself)
 * at each advertised EDNS size, one verdict per question from the socket view
 * and the capture's transaction (fragments seen, lost):
 *   ready      arrived whole or in fragments over UDP, or truncated (or lost)
 *              and then complete over TCP
 *   not ready  neither: "1,700 bytes needs fragments, fragments lost, TCP
 *              blocked: not ready"
 *   untested   an error rcode (the name does not exist there), a local error,
 *              port unreachable, or TCP off after a truncation
 * then one verdict per (family, phase): ready only when every question of it is.
 *
 * The resolver's trust (mode rollover with RD): RFC 8509 §3. A validating
 * resolver that implements it answers root-key-sentinel-is-ta-X with SERVFAIL
 * when X is not one of its trust anchors, and root-key-sentinel-not-ta-X with
 * SERVFAIL when X is; otherwise it answers normally (NOERROR or NXDOMAIN).
 *   is-ta normal,   not-ta SERVFAIL  -> trusts X: yes
 *   is-ta SERVFAIL, not-ta normal    -> trusts X: no
 *   both normal                      -> cannot tell (not validating, or no RFC 8509; the AD bit says which)
 *   both SERVFAIL, no answer, other  -> cannot tell
 * The AD bit of '. SOA' with DO says whether it validates at all; RFC 8914
 * extended DNS errors of every answer are kept as evidence.
 * Pure but for the data handed in: no I/O.
 */
#ifndef DNSFRAG_PROBE_READINESS_H
#define DNSFRAG_PROBE_READINESS_H

#include <stdint.h>

#include "config.h"
#include "plan.h"
#include "rollover.h"
#include "targets.h"
#include "txn.h"

/* What the capture said about one UDP question (kept from the transaction sink). */
typedef struct readiness_txn {
	ip_addr_t server;
	uint16_t cport, id;
	uint8_t verdict;           /* txn_verdict_t */
	uint8_t frags_lost, train_seen, lost_inferred;
	uint32_t nfrags, lost_arrived;
} readiness_txn_t;

typedef struct readiness_log {
	readiness_txn_t *t;
	uint32_t n, cap;
} readiness_log_t;

/* Keep what matters of a finalized UDP transaction (TCP-only ones are skipped). */
void readiness_log_add(readiness_log_t *log, const txn_t *t);
void readiness_log_free(readiness_log_t *log);

/* Fill ro's readiness rows from the size questions of the plan. mtu is the
 * capture interface's MTU (1,500 when unknown): an answer larger than it
 * less the IP and UDP headers "needs fragments". */
void readiness_build(rollover_t *ro, const probe_cfg_t *cfg, const probe_targets_t *targets,
                     const probe_plan_t *plan, const readiness_log_t *log, uint32_t mtu);

/* Fill ro's trust part from the trust questions of the plan (plan.h). */
void readiness_trust_build(rollover_t *ro, const probe_targets_t *targets, const probe_plan_t *plan);

/* One sentinel (or AD) answer: rcode (-1 without an answer), AD, the first
 * EDE option (INFO-CODE and EXTRA-TEXT, -1 none). Pure; used by tests. */
void readiness_sentinel_parse(const uint8_t *msg, uint32_t len, rollover_sentinel_answer_t *a);

/* The trust verdict from the two sentinel answers, with the reason. */
rollover_trust_t readiness_trust_judge(const rollover_sentinel_answer_t *is_ta,
                                       const rollover_sentinel_answer_t *not_ta, int validates, char *why,
                                       size_t len);

#endif /* DNSFRAG_PROBE_READINESS_H */
