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
 *
 * Policy, stated once:
 *  - A flow is the 4-tuple; both directions share one record (the key is
 *    normalized for the lookup), each direction has its own stream state.
 *  - A direction's stream starts at its SYN's sequence number + 1. Without a
 *    SYN (the capture started mid-connection, or missed it) it starts at the
 *    first segment seen in that direction; bytes before that point, if they
 *    turn up later, count as retransmitted. A SYN+ACK also fixes the start of
 *    the other direction (its ACK field) when that SYN was missed.
 *  - Sequence numbers compare in serial arithmetic (RFC 1982), so a stream may
 *    wrap past 2^32. A segment or RST more than 2^30 bytes (the largest
 *    window, RFC 7323) from its stream is ignored and counted (out_of_window).
 *  - Every stream byte is delivered once (TCPS_EV_DATA); bytes seen again
 *    (retransmissions, overlaps, keep-alives) count as retransmitted_bytes and
 *    the first copy wins. Bytes after a direction's FIN are ignored. A segment
 *    cut by the snap length holds only its captured bytes: the rest is a hole.
 *  - A hole is reported as TCPS_EV_GAP (gap_len bytes, with why) when
 *    (a) holding what follows it would pass max_ooo_bytes or max_total_bytes
 *    (why LIMIT), (b) the peer acknowledges past it: the receiver has the bytes,
 *    the capture missed them, no retransmission will come (why ACKED), or
 *    (c) the flow ends (why = the reason it ended). A FIN is not itself a reason:
 *    retransmissions of the lost bytes usually follow the FIN.
 *  - The flow is forgotten (TCPS_EV_END, why) when both FINs are delivered, on
 *    a RST (its payload is ignored), after idle_timeout_ns of capture time
 *    without a segment (tcps_expire, and tcps_feed before each segment), when
 *    max_flows or max_total_bytes force out the least recently active flow, on
 *    a new SYN that reuses the 4-tuple, and at tcps_flush. Only a segment
 *    with a SYN, a FIN or payload creates a flow: the last ACK of a closed
 *    connection does not bring it back, and a RST without a flow is reported
 *    (TCPS_EV_RST, no END) without making one. At an end, a RST comes first,
 *    then what each direction had left (GAP, DATA, FIN, DNS_CUT; the opener's
 *    direction first), then END.
 *  - DNS framing runs on flows with port 53 at either end, on a direction
 *    whose start was seen (SYN or SYN+ACK), or on any direction with
 *    frame_midstream: without the start there is no telling where a length
 *    prefix is. A gap at a message boundary cuts nothing but stops framing
 *    all the same (the hole may hold whole messages). A zero-length prefix
 *    is reported as TCPS_EV_DNS_CUT with want 0 (why EMPTY) and framing goes
 *    on: the prefix itself was whole, so the next two bytes are the next prefix.
 *
 * Buffer contract: tcps copies the bytes it must hold; DATA and DNS events point
 * into the caller's segment or tcps's own buffers, valid during the callback.
 * The callback must not call tcps_feed, tcps_expire or tcps_flush.
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

/* Why a GAP, DNS_CUT or END happened. */
typedef enum tcps_why {
	TCPS_WHY_NONE,    /* other events */
	TCPS_WHY_LIMIT,   /* GAP: max_ooo_bytes or max_total_bytes would be passed */
	TCPS_WHY_ACKED,   /* GAP: the peer acknowledged bytes the capture never held */
	TCPS_WHY_GAP,     /* DNS_CUT: a gap inside the message */
	TCPS_WHY_EMPTY,   /* DNS_CUT: a zero-length prefix */
	TCPS_WHY_FIN,     /* DNS_CUT: the direction closed mid-message; END: both FINs delivered */
	TCPS_WHY_RST,     /* a RST ended the flow */
	TCPS_WHY_IDLE,    /* idle_timeout_ns of capture time without a segment */
	TCPS_WHY_EVICTED, /* max_flows or max_total_bytes forced the flow out */
	TCPS_WHY_REUSED,  /* a new SYN on the same 4-tuple */
	TCPS_WHY_FLUSH,   /* tcps_flush: the capture ended */
	TCPS_WHY_COUNT
} tcps_why_t;

typedef struct tcps_event {
	tcps_event_kind_t kind;
	const tcp_flow_key_t *key; /* src is the sender; END: the connection's opener
	                              (SYN sender, else the first segment's sender) */
	const uint8_t *data; /* DATA, DNS, DNS_CUT */
	uint32_t len;
	uint32_t want;       /* DNS_CUT: the length the prefix announced (0 if the prefix was cut) */
	uint32_t gap_len;    /* GAP */
	uint64_t frame;      /* the frame that completed this event (for IDLE and FLUSH:
	                        the flow's last frame) */
	uint64_t first_frame;/* DNS: the frame holding the message's first byte;
	                        DATA: the frame that carried the bytes */
	int64_t ts_ns;
	uint16_t mss;        /* SYN/SYNACK: the MSS option, 0 if none */
	tcps_why_t why;      /* GAP, DNS_CUT, END */
} tcps_event_t;

typedef void (*tcps_event_fn)(void *ctx, const tcps_event_t *ev);

typedef struct tcps_limits {
	uint32_t max_flows;          /* flows (both directions) tracked; oldest evicted */
	uint32_t max_ooo_bytes;      /* out-of-order bytes held per direction */
	uint64_t max_total_bytes;    /* held in all flows (out-of-order bytes and partial DNS messages) */
	int64_t idle_timeout_ns;     /* a flow idle this long is ended; <= 0: never */
	int frame_dns;               /* run the RFC 7766 framer (port 53 flows) */
	int frame_midstream;         /* also frame directions whose start was not seen (default 0) */
} tcps_limits_t;

void tcps_limits_default(tcps_limits_t *lim);

typedef struct tcps_stats {
	uint64_t segments, flows, gaps, gap_bytes, retransmitted_bytes, evicted, dns_messages, dns_cut;
	uint64_t out_of_window; /* segments (and RSTs) more than 2^30 from their stream: ignored */
} tcps_stats_t;

typedef struct tcps tcps_t;

/* NULL when out of memory. A max_flows of 0 is taken as 1. */
tcps_t *tcps_new(const tcps_limits_t *lim, tcps_event_fn fn, void *ctx);
/* Frees every flow without events: call tcps_flush first to hear about them. */
void tcps_free(tcps_t *t);
/* Feed one decoded segment of a whole (unfragmented or reassembled) datagram.
 * The payload is tcp->payload (captured bytes); tcp->payload_wire_len places the FIN. */
void tcps_feed(tcps_t *t, const pkt_ip_t *ip, const l4_tcp_t *tcp, uint64_t frame, int64_t ts_ns);
void tcps_expire(tcps_t *t, int64_t now_ns);
/* End of capture: report pending gaps, cut messages and END for every flow. */
void tcps_flush(tcps_t *t);
const tcps_stats_t *tcps_stats(const tcps_t *t);
const char *tcps_event2str(tcps_event_kind_t kind);
const char *tcps_why2str(tcps_why_t why);

#endif /* DNSFRAG_COMMON_TCPSTREAM_H */
