/* pipeline.h - the one streaming decoder shared by the analyzer and the probe.
 *
 *   record -> link -> IPv4/IPv6 (+ extension headers) -> reassembly -> UDP / TCP stream / ICMP
 *          -> DNS view -> hooks (the transaction tracker above)
 *
 * Push interface: feed a record with its capture timestamp, receive callbacks,
 * flush at the end. Every outcome is counted; nothing is dropped silently.
 */
#ifndef DNSFRAG_COMMON_PIPELINE_H
#define DNSFRAG_COMMON_PIPELINE_H

#include <stdint.h>

#include "capture.h"
#include "dnsview.h"
#include "l4.h"
#include "packet.h"
#include "reasm.h"
#include "status.h"
#include "tcpstream.h"

typedef enum dns_transport { DNS_OVER_UDP, DNS_OVER_TCP } dns_transport_t;

/* A DNS message as it arrived, with everything the tracker keys and judges on. */
typedef struct dns_msg {
	dns_transport_t transport;
	const dns_view_t *view;
	ip_addr_t src, dst;
	uint16_t sport, dport;
	uint64_t frame;        /* the frame that completed the message */
	uint64_t first_frame;  /* the frame holding its first byte */
	int64_t ts_ns;
	uint32_t point;
	const uint8_t *wire;   /* captured bytes of the message */
	uint32_t wire_caplen;
	uint32_t ip_id;        /* of the datagram (or its fragments) */
	uint8_t ttl, df;
	uint32_t ip_len;       /* the IP datagram's size: header + payload */
	uint32_t nfrags;       /* 0: not fragmented; else the fragments it came in */
	const reasm_piece_t *pieces;
	int receiver_discards; /* reassembled despite overlapping fragments */
} dns_msg_t;

typedef struct pipeline_hooks {
	void *ctx;
	void (*packet)(void *ctx, const pkt_t *pkt);                /* every IP packet, fragments too */
	void (*reasm)(void *ctx, const reasm_event_t *ev, uint32_t point);
	void (*dns)(void *ctx, const dns_msg_t *msg);
	void (*icmp)(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp);
	void (*tcp)(void *ctx, const tcps_event_t *ev, uint32_t point);
} pipeline_hooks_t;

typedef struct pipeline_counts {
	uint64_t packets, bytes;
	uint64_t ip4_packets, ip6_packets;
	uint64_t ip4_frags, ip6_frags;          /* packets that are fragments */
	uint64_t ip6_atomic_frags;              /* offset 0, M=0 (RFC 6946) */
	uint64_t first_frag_chain_incomplete;   /* RFC 7112 / tiny first fragments */
	uint64_t ip4_datagrams, ip4_incomplete; /* fragment trains, and those never completed */
	uint64_t ip6_datagrams, ip6_incomplete;
	uint64_t frag_overlap, frag_duplicate;
	uint64_t udp, tcp_segments;
	uint64_t dns_queries, dns_responses, dns_tc, dns_malformed;
	uint64_t dns_udp, dns_tcp;
	uint64_t icmp4[ICMP_KIND_COUNT], icmp6[ICMP_KIND_COUNT];
} pipeline_counts_t;

/* One pipeline per capture point: reassembly and TCP streams must never mix
 * packets seen at two places on the path. */
typedef struct pipeline_config {
	uint32_t point;
	reasm_limits_t reasm;
	tcps_limits_t tcp;
} pipeline_config_t;

void pipeline_config_default(pipeline_config_t *cfg);

typedef struct pipeline pipeline_t;

pipeline_t *pipeline_new(const pipeline_config_t *cfg, const pipeline_hooks_t *hooks);
void pipeline_free(pipeline_t *p);
void pipeline_feed(pipeline_t *p, const capture_record_t *rec);
/* End of input: incomplete trains and open TCP flows are reported. */
void pipeline_flush(pipeline_t *p);

const pipeline_counts_t *pipeline_counts(const pipeline_t *p);
const decode_counts_t *pipeline_decode_counts(const pipeline_t *p);
const reasm_stats_t *pipeline_reasm_stats(const pipeline_t *p);
const tcps_stats_t *pipeline_tcp_stats(const pipeline_t *p);

#define DNS_PORT 53

#endif /* DNSFRAG_COMMON_PIPELINE_H */
