/* trace.h - where fragments die, by hop: TTL-limited traces (dnsfrag-probe
 * --trace, DESIGN.md "Where fragments die", point 3).
 *
 * Three measurements, each a path of hops probed with a control and a probe
 * that differ in one property only:
 *
 *   query   the same padded DNS query, unfragmented (control) and fragmented
 *           by the probe (craft.c), sent with TTL / hop limit 1, 2, ... until
 *           the control is answered. Each hop's router answers a probe that
 *           reaches it with ICMP Time Exceeded (RFC 792, RFC 4443 §3.3):
 *           IPv4 routers for fragment zero only, Linux IPv6 routers for every
 *           fragment, so the IPv6 probe's non-first fragments are tracked on
 *           their own (by the fragment offset in the ICMP quote).
 *   answer  a cooperating dnsfrag-responder sends a small (control) and a
 *           fragmented (probe) answer with the hop limit the query names
 *           (ttlH.N.size.ZONE; the responder honours it with --allow-ttl
 *           only). The Time Exceeded goes to the responder, which reports it
 *           in the answer to a later query (te-ID.size.ZONE TXT).
 *   pmtu    DF queries of decreasing size (like tracepath) find the largest
 *           packet delivered and whether larger ones draw needs-frag /
 *           packet-too-big (RFC 1191, RFC 8201) or vanish (a PMTU black
 *           hole); then a TTL trace of the smallest lost size against the
 *           largest delivered one names the hops around the bottleneck.
 *
 * ICMP is rate-limited by routers: each probe is repeated (attempts) while
 * it draws nothing, paced by the run's rate. Replies are matched to probes
 * by the quoted header: destination, source, IPv4 id / IPv6 fragment id, or
 * the UDP source port (each probe has its own, bound by a socket).
 *
 * The conclusion of a trace is data: a verdict (pass, located, ambiguous,
 * unknown), the hop range [M, N] with addresses, the sentence, and why the
 * evidence is ambiguous when it is.
 */
#ifndef DNSFRAG_PROBE_TRACE_H
#define DNSFRAG_PROBE_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "packet.h"
#include "targets.h"

#define TRACE_MAX_HOPS 32
#define TRACE_MAX_SIZES 48

/* What one probe (or its repeats) drew at one hop. */
typedef enum trace_seen {
	TRACE_SILENT = 0,
	TRACE_TIME_EXCEEDED,  /* ICMP time exceeded in transit from a router */
	TRACE_ANSWER,         /* the DNS answer (the destination was reached) */
	TRACE_REASSEMBLY,     /* time exceeded in reassembly: some fragments arrived, not all */
	TRACE_TOO_BIG,        /* needs-frag / packet-too-big */
	TRACE_UNREACHABLE,    /* another ICMP error (unreachable, prohibited) */
	TRACE_LOCAL,          /* not sent: this host refused it (EMSGSIZE: its own MTU or learned PMTU) */
	TRACE_SEEN_COUNT
} trace_seen_t;

const char *trace_seen2str(trace_seen_t s);

typedef struct trace_obs {
	trace_seen_t seen;
	ip_addr_t from;      /* who sent it (the router, or the destination) */
	uint32_t mtu;        /* TRACE_TOO_BIG */
	uint32_t attempts;   /* probes sent */
	uint32_t rtt_us;     /* of the first reply */
	uint8_t first_te;    /* a Time Exceeded quoting the first (or only) packet */
	uint8_t later_te;    /* ... quoting a non-first fragment (IPv6) */
	uint8_t addr_differs;/* replies to repeats came from different addresses */
} trace_obs_t;

typedef struct trace_hop {
	uint32_t hop;
	trace_obs_t control, probe;
} trace_hop_t;

typedef enum trace_kind { TRACE_KIND_QUERY, TRACE_KIND_ANSWER, TRACE_KIND_PMTU } trace_kind_t;
const char *trace_kind2str(trace_kind_t k);

typedef enum trace_verdict {
	TRACE_PASS,       /* the probe reaches the destination like the control */
	TRACE_LOCATED,    /* the probe dies between two named hops */
	TRACE_AMBIGUOUS,  /* it dies, but the evidence does not pin the place */
	TRACE_UNKNOWN,    /* no conclusion (the control never arrived, no responder) */
} trace_verdict_t;
const char *trace_verdict2str(trace_verdict_t v);

typedef struct trace_path {
	trace_kind_t kind;
	uint8_t family;
	ip_addr_t target, source;
	char control_what[128], probe_what[128]; /* what the control and probe were */
	uint32_t control_bytes, probe_bytes;     /* IP bytes (query) or DNS answer bytes (answer) */
	trace_hop_t hop[TRACE_MAX_HOPS];
	uint32_t nhops;
	uint32_t dest_hop;                        /* hop where the control was answered; 0: never */
	trace_verdict_t verdict;
	uint32_t after_hop, before_hop;           /* the range: the probe reaches after_hop, not before_hop */
	ip_addr_t after_addr, before_addr;        /* after_hop 0 is the probe host itself */
	char sentence[768];
	char ambiguous[768];                      /* why, when TRACE_AMBIGUOUS (or a caveat); "" none */
	char error[256];                          /* why the trace could not run; "" none */
} trace_path_t;

typedef struct trace_size {
	uint32_t size;      /* IP packet bytes */
	trace_obs_t obs;
	uint8_t search;     /* tried by the binary search, not the fixed list */
} trace_size_t;

typedef struct trace_pmtu {
	uint8_t family;
	ip_addr_t target, source;
	trace_size_t tried[TRACE_MAX_SIZES];
	uint32_t ntried;
	uint32_t largest_ok;     /* largest DF packet answered; 0 none */
	uint32_t smallest_lost;  /* smallest DF packet that drew no answer above largest_ok; 0 none */
	uint32_t ptb_mtu;        /* the MTU a needs-frag / packet-too-big named; 0 none */
	ip_addr_t ptb_from;
	int black_hole;          /* packets were lost and no ICMP came back */
	uint32_t local_refused;  /* smallest size this host refused to send (EMSGSIZE); 0 none */
	uint32_t mtu;            /* the path MTU when known exactly; 0 unknown */
	trace_path_t where;      /* TTL trace: smallest_lost (probe) vs largest_ok (control) */
	int where_run;
	char sentence[768];
	char error[256];
} trace_pmtu_t;

enum { TRACE_DO_QUERY = 1, TRACE_DO_ANSWER = 2, TRACE_DO_PMTU = 4 };

typedef struct trace_result {
	trace_path_t path[4];    /* query v4/v6, answer v4/v6 */
	uint32_t npaths;
	trace_pmtu_t pmtu[2];
	uint32_t npmtu;
	int health;              /* HEALTH_* of common/report.h */
} trace_result_t;

/* Run the traces the config asks for (cfg->trace) toward the first target of
 * each family. iface: the capture interface. Returns 0, or -1 with err when
 * the run could not start at all (permissions, no self-check). A trace that
 * could not run keeps its error in its record. */
int trace_run(const probe_cfg_t *cfg, const probe_targets_t *targets, const char *iface, trace_result_t *res,
              char *err, size_t errlen);

/* Judge one path from its hops (trace_conclude.c; pure: no I/O). */
void trace_path_conclude(trace_path_t *p);
/* Did the probe reach hop h (its Time Exceeded, too-big or the answer)? For a
 * fragmented IPv6 query it is the non-first fragments' Time Exceeded that
 * counts. The rule trace_path_conclude judges by (and the HTML page draws). */
int trace_hop_probe_reached(const trace_path_t *p, const trace_hop_t *h);

/* The address as text into buf, or none when it is unset; returns buf. */
const char *trace_addr_text(const ip_addr_t *a, char *buf, size_t len, const char *none);

/* Renderers (trace_report.c). */
void trace_text_write(const trace_result_t *res, FILE *out);
void trace_json_write(const trace_result_t *res, FILE *out);

#endif /* DNSFRAG_PROBE_TRACE_H */
