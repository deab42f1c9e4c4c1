/* filter.h - tcpdump-style capture filters for capture files (libpcap's
 * pcap_offline_filter, compiled once per link type), and the check that a
 * filter keeps what dnsfrag needs.
 *
 * The check is exact, not a guess from the filter's words: the filter is
 * compiled for Ethernet and run over synthetic frames, in pairs: a whole DNS
 * answer over UDP and a non-first IPv4 fragment of an answer between the same
 * addresses; the same over IPv6 (a fragment header); an ICMP needs-frag and an
 * ICMPv6 packet-too-big. A filter that takes the whole answer and refuses its
 * fragment (as "port 53" does: non-first fragments carry no ports) is reported.
 * The addresses are the documentation ones, or the first IPv4 and IPv6
 * literal in the filter, so "host 192.0.2.53 and port 53" is caught too.
 */
#ifndef DNSFRAG_ANALYZER_FILTER_H
#define DNSFRAG_ANALYZER_FILTER_H

#include <stddef.h>

#include "capture.h"

typedef struct capfilter capfilter_t;

/* Compile expr (for Ethernet, to check its syntax). NULL with a message in err. */
capfilter_t *capfilter_new(const char *expr, char *err, size_t errlen);
/* 1: the record passes; 0: it does not; -1: the filter does not compile for
 * the record's link type (message in err). */
int capfilter_match(capfilter_t *f, const capture_record_t *rec, char *err, size_t errlen);
void capfilter_free(capfilter_t *f);

/* What expr would lose, as a sentence ("drops non-first IPv4 fragments, ...")
 * into buf; 0 when it keeps everything checked (or cannot be compiled). */
int capfilter_check(const char *expr, char *buf, size_t len);

#endif /* DNSFRAG_ANALYZER_FILTER_H */
