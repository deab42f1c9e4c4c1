/* plan.h - the questions of a run, in the order they are asked, and what the
 * probe's own sockets saw of each (the socket view; the capture's view is the
 * pipeline's report).
 *
 * Order: repeat, then set, name, EDNS size, DO, and targets innermost, so every
 * target is asked the same question at about the same time and the pacing
 * (engine.c) spreads the work over all targets at once.
 */
#ifndef DNSFRAG_PROBE_PLAN_H
#define DNSFRAG_PROBE_PLAN_H

#include <stdint.h>

#include "config.h"
#include "targets.h"

/* An answer larger than this may come in fragments: IPv6's minimum MTU (1,280)
 * less 48 bytes of headers, where servers such as NSD fragment. */
#define PLAN_UNFRAGMENTED_MAX 1232

typedef enum probe_udp_result {
	UDP_NOT_SENT, UDP_OK, UDP_TC, UDP_TIMEOUT, UDP_REFUSED, UDP_ERROR, UDP_RESULT_COUNT
} probe_udp_result_t;

typedef enum probe_tcp_result {
	TCP_NOT_TRIED, TCP_OK, TCP_SYN_TIMEOUT, TCP_STALL, TCP_RESET, TCP_REFUSED, TCP_CLOSED, TCP_ERROR,
	TCP_RESULT_COUNT
} probe_tcp_result_t;

typedef struct probe_outcome {
	probe_udp_result_t udp;
	probe_tcp_result_t tcp;
	uint32_t udp_size, tcp_size;  /* DNS message bytes received */
	uint16_t id;
	uint8_t rcode, aa, ra, ad;    /* of the answer used (TCP's when it came) */
	uint16_t cport;               /* the UDP socket's local port (to find its transaction) */
	int64_t sent_ms;              /* since the run started (monotonic) */
	uint32_t udp_rtt_us, tcp_rtt_us;
	int err;                      /* errno of an error result */
	uint8_t *answer;              /* the complete answer, kept when the plan asks (OARC) */
	uint32_t answer_len;
} probe_outcome_t;

/* What a question is for: an EDNS size probe, a target's identity, or (mode
 * rollover, through a resolver) its trust: RFC 8509 sentinels and the AD bit. */
typedef enum probe_qkind {
	QK_SIZE, QK_NSID, QK_HOSTNAME_BIND, QK_SENTINEL_IS, QK_SENTINEL_NOT, QK_AD
} probe_qkind_t;

typedef struct probe_query {
	uint32_t target;              /* index into the targets */
	const char *qname;            /* into the config's sets (or a constant) */
	uint16_t qtype;
	uint16_t qclass;              /* 0: IN */
	uint8_t kind;                 /* probe_qkind_t */
	uint8_t crafted;              /* sent as a raw packet by probe/crafted.c */
	uint8_t qfrag;                /* the query itself is sent in fragments (fragment-query) */
	uint8_t control;              /* the unfragmented control of a fragmented query */
	uint16_t edns;                /* advertised size; 0: no EDNS */
	uint8_t do_bit, rd;
	uint8_t may_fragment;         /* edns > PLAN_UNFRAGMENTED_MAX */
	uint8_t keep_answer;
	uint32_t repeat;              /* the attempt: 0 first, 1.. repeats (fixed or --repeats auto) */
	uint32_t group;               /* size questions: 1.. the same for every attempt of one question
	                                 (target, name, type, size, DO, fragmented query); 0 others */
	uint16_t tag;                 /* QK_SENTINEL_*: the key tag asked about */
	probe_outcome_t out;
} probe_query_t;

typedef struct probe_plan {
	probe_query_t *q;
	uint32_t n;
} probe_plan_t;

/* Expand the config over the targets. With identity on, each target first
 * gets two small questions: ". SOA" with an NSID option and hostname.bind CH
 * TXT (no TCP after them). With fragment-query, every size question is asked
 * twice, fragmented and as an unfragmented control (crafted, not fragmented,
 * no padding beyond an explicit pad). In mode rollover with RD, each target
 * then gets the trust questions: '. SOA' with DO (the AD bit), and for every
 * tag of cfg->ta_tags root-key-sentinel-is-ta-NNNNN and -not-ta-NNNNN A with
 * DO (answers kept, no TCP). Returns 0 or -1 (out of memory, or more
 * than 100,000 questions) with err. */
int plan_build(const probe_cfg_t *cfg, const probe_targets_t *targets, probe_plan_t *plan, char *err, size_t errlen);
void plan_free(probe_plan_t *plan);

const char *plan_udp2str(probe_udp_result_t r);
const char *plan_kind2str(uint8_t kind);
const char *plan_tcp2str(probe_tcp_result_t r);

#endif /* DNSFRAG_PROBE_PLAN_H */
