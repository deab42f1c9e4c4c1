/* tcpstream.h - TCP segments to in-order byte streams, per flow and direction,
 * and DNS-over-TCP framing on top (RFC 7766 §8: a two-byte length before each
 * message; several messages in a segment, a message split across segments).
 *
 * Bounded: flows in flight, out-of-order bytes held per direction and in total;
 * a hole that cannot be filled within the limits (or by the end of the capture)
 * is reported as a gap and the stream resumes after it. After a gap the DNS
 * framing of that direction is lost: the partial message is reported as cut and
 * framing resumes only on a new connection (a length prefix cannot be found
 * reliably in the middle of a stream).
 *
 * Runs on capture time. Events carry pointers valid only during the callback.
 */
#ifndef DNSFRAG_COMMON_TCPSTREAM_H
#define DNSFRAG_COMMON_TCPSTREAM_H

#include <stdint.h>

#include "l4.h"
#include "packet.h"

typedef struct tcp_flow_key {
	ip_addr_t src, dst; /* the direction the bytes travel */
	uint16_t sport, dport;
} tcp_flow_key_t;

typedef enum tcps_event_kind {
	TCPS_EV_SYN,      /* a SYN (no ACK) from src: a connection attempt */
	TCPS_EV_SYNACK,   /* SYN+ACK from src */
	TCPS_EV_DATA,     /* in-order payload bytes from src */
	TCPS_EV_GAP,      /* gap_len bytes from src were never seen */
	TCPS_EV_FIN,      /* src closed its direction */
	TCPS_EV_RST,      /* src reset the connection */
	TCPS_EV_DNS,      /* a whole DNS message from src (framing removed) */
	TCPS_EV_DNS_CUT,  /* a DNS message cut by a gap or the end: len bytes of want */
	TCPS_EV_END,      /* the flow is forgotten (both sides closed, timeout, eviction, end) */
	TCPS_EV_COUNT
} tcps_event_kind_t;

typedef struct tcps_event {
	tcps_event_kind_t kind;
	const tcp_flow_key_t *key;
	const uint8_t *data; /* DATA, DNS, DNS_CUT */
	uint32_t len;
	uint32_t want;       /* DNS_CUT: the length the prefix announced */
	uint32_t gap_len;    /* GAP */
	uint64_t frame;      /* the frame that completed this event */
	uint64_t first_frame;/* DNS: the frame holding the message's first byte */
	int64_t ts_ns;
	uint16_t mss;        /* SYN/SYNACK: the MSS option, 0 if none */
} tcps_event_t;

typedef void (*tcps_event_fn)(void *ctx, const tcps_event_t *ev);

typedef struct tcps_limits {
	uint32_t max_flows;          /* flows (both directions) tracked; oldest evicted */
	uint32_t max_ooo_bytes;      /* out-of-order bytes held per direction */
	uint64_t max_total_bytes;    /* held in all flows */
	int64_t idle_timeout_ns;     /* a flow idle this long is ended */
	int frame_dns;               /* run the RFC 7766 framer (port 53 flows) */
} tcps_limits_t;

void tcps_limits_default(tcps_limits_t *lim);

typedef struct tcps_stats {
	uint64_t segments, flows, gaps, gap_bytes, retransmitted_bytes, evicted, dns_messages, dns_cut;
} tcps_stats_t;

typedef struct tcps tcps_t;

tcps_t *tcps_new(const tcps_limits_t *lim, tcps_event_fn fn, void *ctx);
void tcps_free(tcps_t *t);
/* Feed one decoded segment of a whole (unfragmented or reassembled) datagram. */
void tcps_feed(tcps_t *t, const pkt_ip_t *ip, const l4_tcp_t *tcp, uint64_t frame, int64_t ts_ns);
void tcps_expire(tcps_t *t, int64_t now_ns);
/* End of capture: report pending gaps, cut messages and END for every flow. */
void tcps_flush(tcps_t *t);
const tcps_stats_t *tcps_stats(const tcps_t *t);
const char *tcps_event2str(tcps_event_kind_t kind);

#endif /* DNSFRAG_COMMON_TCPSTREAM_H */
