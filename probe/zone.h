/* zone.h - mode zone (--zone NAME): the DNSSEC state a validating resolver
 * behind this probe's path reaches for a zone, and why.
 *
 *   1. walk   from the root servers (--server or the hints), ask "ZONE NS"
 *             (DO, EDNS 1,232, TCP after TC) and follow the referrals down to
 *             the zone's own servers: every zone cut, its parent's servers,
 *             its servers' names and glue addresses (servers named outside
 *             their zone, without glue: A/AAAA asked iteratively from the
 *             root, two levels of such indirection at most), the NS TTLs at
 *             the parent and at the zone. Small answers only, one server at
 *             a time; every address from a referral or a resolution passes
 *             the lab guard before anything is sent to it.
 *   2. measure  a plan for the engine (engine.h, with the live capture):
 *             '. DNSKEY' at the root servers, and for every cut the DS
 *             RRset at each parent server and the DNSKEY RRset at each of
 *             the zone's servers, with DO, at each advertised EDNS size
 *             (default 1,232 and 4,096), TCP after truncation and after a
 *             lost UDP answer; answers kept for validation.
 *   3. judge  zonestate.h validates the chain from the answers that arrived
 *             (by any transport), and each needed answer gets its path
 *             verdict from the socket and the capture (fragments lost, TCP
 *             blocked), so the report can say "Bogus risk: the DNSKEY answer
 *             is 2,189 bytes, fragmented on this path, and fragments are
 *             lost; resolvers that retry over TCP recover (TCP/53 works here)".
 *
 * Verdicts and exit codes (Nagios):
 *   secure         OK
 *   insecure       OK (a legitimate state: no DS, or only unsupported algorithms)
 *   bogus          CRITICAL (the data fails validation at some server)
 *   bogus-risk     the data validates (or could not be fetched) but the path
 *                  loses a needed answer: WARNING when TCP saves every one of
 *                  them (or another server of the same family brings it at
 *                  every size that failed), CRITICAL when at some advertised
 *                  size neither UDP nor TCP brings it from any server of the
 *                  family (a resolver using that size fails the zone)
 *   indeterminate  UNKNOWN (no trust anchor: --anchors none)
 *   unknown        UNKNOWN (no server answered the needed questions)
 * The verdict speaks for a resolver at this probe's location only.
 *
 * Transfer checks (the registrar / DNS-provider transfer guideline, RFC 8901):
 * per server address of the zone, does its DNSKEY set hold a key the parent's
 * DS names; DS records naming no published key; servers publishing different
 * key sets; NS sets at the parent and the zone; and the TTLs that must pass
 * before the next step is safe.
 */
#ifndef DNSFRAG_PROBE_ZONE_H
#define DNSFRAG_PROBE_ZONE_H

#include <stdint.h>
#include <stdio.h>

#include "anchors.h"
#include "config.h"
#include "plan.h"
#include "readiness.h"
#include "report.h"
#include "targets.h"
#include "zonestate.h"

#define ZONE_MAX_FETCH (ZS_MAX_LEVELS * ZS_MAX_SERVERS * 2)
#define ZONE_MAX_SIZES 8

typedef struct zone_cut {
	char name[PROBE_NAME_MAX];
	int parent;                          /* index of the parent cut, -1 for the root */
	uint32_t ns_ttl_parent, ns_ttl_child;/* 0: not seen */
	char ns_parent[ZS_MAX_SERVERS][PROBE_NAME_MAX]; /* NS names in the parent's referral */
	uint32_t nns_parent;
	char ns_child[ZS_MAX_SERVERS][PROBE_NAME_MAX];  /* NS names the zone's servers give */
	uint32_t nns_child;
	probe_target_t srv[ZS_MAX_SERVERS];  /* server addresses (name: the NS name) */
	uint32_t nsrv;
	uint32_t tidx[ZS_MAX_SERVERS];       /* index into the run's targets */
} zone_cut_t;

/* One advertised size of a fetch. */
typedef struct zone_fq {
	uint16_t advertised;
	const char *udp;                 /* "whole", "fragmented", "truncated", "fragments-lost", "lost", "refused", "error", "not-sent" */
	uint32_t fragments;
	const char *tcp;                 /* plan_tcp2str */
	uint8_t delivered;               /* over UDP or TCP */
	char why[200];
} zone_fq_t;

/* One needed answer from one server address: every size asked, and what the
 * path delivered. */
typedef struct zone_fetch {
	uint32_t cut;
	uint16_t qtype;                      /* DS or DNSKEY */
	uint32_t target;
	char server[64];
	uint8_t family;
	uint32_t size;                       /* largest answer that arrived (DNS bytes); 0 none */
	uint32_t nq;
	zone_fq_t q[ZONE_MAX_SIZES];
	uint8_t delivered_any, delivered_all, udp_loss, frag_loss, tcp_ok, tcp_failed;
	uint8_t needed;                      /* the verdict depends on it */
	health_t risk;                       /* OK, WARNING (TCP saves it), CRITICAL (some size gets nothing) */
	char sentence[400];
	const uint8_t *answer;               /* a complete answer (into the plan), or NULL */
	uint32_t answer_len;
} zone_fetch_t;

typedef struct zone_wait {
	const char *after, *before;
	uint32_t seconds;
	const char *ttl;                     /* which TTL */
} zone_wait_t;

typedef struct zone_run {
	char zone[PROBE_NAME_MAX];           /* lower case, with the final dot */
	zone_cut_t cut[ZS_MAX_LEVELS];
	uint32_t ncut;
	uint16_t sizes[ZONE_MAX_SIZES];
	uint32_t nsizes;
	uint32_t walk_queries;
	/* after the measurement */
	zone_fetch_t fetch[ZONE_MAX_FETCH];
	uint32_t nfetch;
	zs_result_t res;
	int64_t validated_at;
	const char *anchors_source;          /* "none" for indeterminate */
	const char *verdict;                 /* "secure", "insecure", "bogus", "bogus-risk", "indeterminate", "unknown" */
	health_t health;
	int worst_fetch;                     /* the fetch the sentence cites, -1 */
	char sentence[700];
	/* transfer checks (the zone's own cut) */
	char disagree[ZS_MAX_SERVERS][64];   /* servers whose DNSKEY set the DS names no key of */
	uint32_t ndisagree;
	uint8_t key_sets_differ;
	uint8_t ns_sets_differ;
	uint32_t ttl_ds, ttl_dnskey, ttl_ns_parent, ttl_ns_child;
	zone_wait_t waits[4];
	uint32_t nwaits;
	char advice[600];
} zone_run_t;

/* Step 1: walk from the root servers in roots to cfg->zone. Returns 0, or -1
 * with err (no answer, the name does not exist or is no zone cut, servers
 * whose addresses cannot be found, an address refused by the lab guard). */
int zone_walk(const probe_cfg_t *cfg, const probe_targets_t *roots, zone_run_t *z, char *err, size_t errlen);

/* Step 2: the run's targets (every server address of the walk) and its plan. */
int zone_plan(zone_run_t *z, const probe_cfg_t *cfg, probe_targets_t *targets, probe_plan_t *plan, char *err,
              size_t errlen);

/* Step 3: path verdicts, validation at now, transfer checks, the verdict.
 * anchors NULL: indeterminate. mtu: the capture interface's. */
void zone_judge(zone_run_t *z, const probe_targets_t *targets, const probe_plan_t *plan, const readiness_log_t *log,
                uint32_t mtu, const anchor_set_t *anchors, int64_t now);

/* Raise the report's health (and headline) to the zone verdict's. */
void zone_report_apply(const zone_run_t *z, report_t *r);
void zone_text_write(const zone_run_t *z, FILE *out);
struct json_writer;
void zone_json_write(const zone_run_t *z, struct json_writer *w);

#endif /* DNSFRAG_PROBE_ZONE_H */
