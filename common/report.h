/* report.h - the report model: finalized transactions aggregated per path
 * (server x family) and per answer size, with health, evidence and the
 * recommended EDNS buffer size. Built in memory; the writers only render it
 * (report_text_write, report_json_write).
 *
 * Health (DESIGN.md "What healthy means"; RFC 8900, RFC 9715, DNS Flag Day 2020):
 *   OK        every answer arrived: whole, in fragments, or TC=1 then complete over TCP
 *   WARNING   fragmented answers lost (or discarded for overlaps, or reassembly
 *             timeouts reported) but no answer proved unobtainable; or more
 *             answers missing than --loss-threshold allows
 *
 * Loss is not a verdict: a lost fragmented answer whose question (client,
 * server, name in any case, type, DO, EDNS size) was answered in fragments in
 * another attempt is intermittent loss, the mark of random loss and not of a
 * path that drops fragments. It counts against --loss-threshold like a
 * missing answer, not as "fragmented answers lost".
 *   CRITICAL  an answer neither UDP nor TCP brought (TCP reset, SYN timeout,
 *             handshake then stall); with --policy=fragments-required also any
 *             lost fragmented answer
 *   UNKNOWN   nothing to judge: no path has --min-samples transactions
 */
#ifndef DNSFRAG_COMMON_REPORT_H
#define DNSFRAG_COMMON_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "pipeline.h"
#include "txn.h"

typedef enum health { HEALTH_OK, HEALTH_WARNING, HEALTH_CRITICAL, HEALTH_UNKNOWN } health_t;

typedef enum report_policy { POLICY_AVOID_FRAGMENTS, POLICY_FRAGMENTS_REQUIRED } report_policy_t;

#define REPORT_MAX_ROWS 64        /* answer sizes per path; further sizes share the last row */
#define REPORT_MAX_PATHS 1024     /* further servers share the last path */
#define REPORT_MAX_EVIDENCE 256   /* transactions kept as evidence */
#define REPORT_MAX_INPUTS 16
#define REPORT_RECOMMENDED_CAP 1400

typedef struct report_counts {
	uint64_t total;            /* transactions with a query */
	uint64_t verdict[TXN_VERDICT_COUNT];
	uint64_t tcp[TXN_TCP_OUTCOME_COUNT];
	uint64_t delivered;
	uint64_t critical;         /* answers neither transport brought */
} report_counts_t;

typedef struct report_row {
	uint32_t answer_size;      /* DNS message bytes; 0 when no answer told it */
	uint16_t advertised;       /* the query's EDNS size (0: no EDNS) when answer_size is 0 */
	uint8_t do_bit;
	report_counts_t c;
	uint32_t max_frags;        /* most fragments an answer of this size came in */
} report_row_t;

typedef struct report_path {
	ip_addr_t server;
	report_counts_t c;
	uint32_t largest_whole;    /* largest answer delivered unfragmented (DNS bytes) */
	uint32_t largest_whole_ip; /* its IP packet size */
	uint32_t largest_fragmented; /* largest answer delivered in fragments */
	uint32_t largest_fragment_ip;/* largest fragment seen: the MTU where it was cut, at most */
	uint32_t smallest_lost;    /* smallest answer whose fragments were lost (0: none known) */
	uint32_t ptb_mtu;          /* smallest MTU named by needs-frag / packet-too-big */
	uint64_t icmp[ICMP_KIND_COUNT];
	uint64_t lost_first_missing, lost_middle_missing, lost_last_missing, lost_only_first;
	uint64_t lost_none_arrived; /* inferred from the TCP retry's size */
	uint64_t lost_intermittent; /* lost trains whose question's fragmented answer arrived in another attempt */
	uint64_t reasm_icmp_intermittent; /* reassembly timeouts tied to those trains */
	uint64_t edns_no_opt, edns_formerr, edns_badvers, edns_over_advertised;
	uint64_t duplicate_answers;
	report_row_t rows[REPORT_MAX_ROWS];
	uint32_t nrows;
	health_t health;
	char why[256];
} report_path_t;

typedef struct report_family {
	uint8_t family;
	report_counts_t c;
	health_t health;
	uint32_t largest_whole;
	uint32_t recommended;       /* 0 when not measured */
	uint32_t ptb_mtu;           /* smallest MTU an ICMP too-big named, 0 when none */
	uint32_t largest_fragment_ip; /* the MTU answers were cut at, at most */
	uint8_t exercised;          /* a fragmented answer was seen (delivered or lost) */
	uint64_t lost_intermittent; /* of the lost fragmented answers, those lost at random (report.h) */
	char sentence[320];
} report_family_t;

struct json_writer;
struct report;

typedef struct report_config {
	report_policy_t policy;
	uint32_t min_samples;
	uint32_t loss_threshold_pct;
	const char *inputs[REPORT_MAX_INPUTS];
	uint32_t ninputs;
	const char *program;
	const char *site;          /* --site NAME: JSON key "site", a label in the other formats; NULL: none */
	int text_color;            /* colour the health words of the text report (a terminal, no NO_COLOR) */
	/* Optional: written right after the text report's headline, on its line
	 * (the Nagios perfdata of --perfdata: "| 'v4_largest_whole'=1452B;;;0 ..."). */
	void (*text_tail)(const void *ctx, const struct report *r, FILE *out);
	const void *text_tail_ctx;
	/* Optional: more top-level JSON keys, written after all the others (the
	 * probe's targets, plan and socket view: additions within the schema). */
	void (*json_extra)(const void *ctx, struct json_writer *w);
	const void *json_extra_ctx;
	/* Optional: the run metadata, JSON key "run" (report_run.h); NULL: no key. */
	const struct report_run *run;
	/* CPUs the writers may use: above 1, the JSON report's paths are
	 * formatted by two threads (report_json.c). 0 or 1: one. */
	uint32_t threads;
} report_config_t;

void report_config_default(report_config_t *cfg);

typedef struct report {
	report_config_t cfg;
	report_path_t *paths;
	uint32_t npaths;
	txn_t evidence[REPORT_MAX_EVIDENCE];
	uint32_t nevidence;
	uint64_t evidence_dropped;
	report_family_t fam[2];     /* [0] IPv4, [1] IPv6 */
	health_t health;
	char headline[400];
	uint32_t recommended;       /* over both families; 0 when not measured */
	/* the packet layer, copied in at the end */
	pipeline_counts_t counts;
	decode_counts_t decode;
	capture_stats_t capture;
	reasm_stats_t reasm;
	tcps_stats_t tcp;
	txn_stats_t txn;
	uint32_t points;
	uint64_t pcap_received, pcap_dropped, pcap_ifdropped; /* live capture only */
	uint32_t *path_slots;       /* lookup only: open addressing over paths by server, see report.c */
	struct report_question *questions; /* fragmented questions and their attempts, see report.c */
	uint32_t nquestions;
	uint64_t questions_untracked; /* fragmented transactions past REPORT_MAX_QUESTIONS: never intermittent */
	uint64_t *row_keys;         /* lookup only: each path's row keys, REPORT_MAX_ROWS a path, see report.c */
} report_t;

report_t *report_new(const report_config_t *cfg);
void report_free(report_t *r);
/* The txn tracker's sink: aggregate one finalized transaction. */
void report_add_txn(void *report, const txn_t *t);
/* After the input ended: judge paths and families, choose the headline. */
void report_finish(report_t *r);

const char *health2str(health_t h);
int health2exit(health_t h);

void report_text_write(const report_t *r, FILE *out);
/* The first line of the text report without its newline (then cfg.text_tail,
 * e.g. Nagios perfdata). */
void report_text_headline_write(const report_t *r, FILE *out);
void report_json_write(const report_t *r, FILE *out);
/* The key "counts" and its object (transactions, delivered, failed_both,
 * verdicts, tcp): the same in the report, its JSON Lines and the fleet. */
void report_json_counts_write(struct json_writer *w, const report_counts_t *c);
/* JSON Lines (dnsfrag-json(5) JSON LINES): one compact object per path, then a
 * summary object, one per line. */
void report_jsonl_write(const report_t *r, FILE *out);

#define REPORT_SCHEMA "dnsfrag-report/1"
#define REPORT_JSONL_SCHEMA "dnsfrag-jsonl/1"

#endif /* DNSFRAG_COMMON_REPORT_H */
