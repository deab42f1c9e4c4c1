/* live.h - dnsfrag-analyze -i: passive live monitoring (sends nothing).
 *
 * Each interface is a capture point with its own libpcap handle (immediate
 * mode, non-blocking, nanosecond timestamps), pipeline, transaction tracker
 * and report, so the counts of two interfaces (both sides of a firewall on
 * one host) never mix. Every --interval seconds one line on stderr gives each
 * point's rolling counts (transactions judged so far, per family: whole,
 * fragmented, fragments lost; servers; libpcap drops). At SIGINT, SIGTERM or
 * after --duration the pipelines and trackers are flushed and the report of
 * the first interface is written in the chosen format (as for a file, where
 * transactions are judged at the first point), the packet-layer counts and
 * libpcap's statistics summed over every point; the JSON report gains the
 * optional key "monitor" with every point's counts. With --ring-pcap, each
 * point keeps the frames of its last --ring failing transactions (ring.h):
 * the first point's go to FILE, point k's to FILE.k.
 *
 * Needs CAP_NET_RAW (and CAP_NET_ADMIN for some interfaces): without it the
 * message says so and the exit status is 3.
 */
#ifndef DNSFRAG_ANALYZER_LIVE_H
#define DNSFRAG_ANALYZER_LIVE_H

#include "extopts.h"
#include "report.h"
#include "txn.h"

/* The default filter: DNS, every ICMP, every fragment. */
#define LIVE_DEFAULT_FILTER                                                                                           \
	"udp port 53 or tcp port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)"

/* Run until a signal or the duration; returns the exit status. */
int analyze_live(const analyze_ext_t *x, const report_config_t *rc, const txn_config_t *tc);

#endif /* DNSFRAG_ANALYZER_LIVE_H */
