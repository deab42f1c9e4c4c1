/* l4.h - transport decoders: UDP (RFC 768), TCP (RFC 9293) and ICMP / ICMPv6
 * errors (RFC 792, RFC 1191, RFC 4443, RFC 8201) with their quoted header.
 *
 * Each takes the payload of a whole IP datagram (one unfragmented packet, or a
 * reassembled one) and fills a record; the outcome is counted per layer.
 */
#ifndef DNSFRAG_COMMON_L4_H
#define DNSFRAG_COMMON_L4_H

#include "cursor.h"
#include "packet.h"
#include "status.h"

typedef struct l4_udp {
	uint16_t sport, dport, length;
	cursor_t payload;          /* clamped to the UDP length */
	uint32_t payload_wire_len; /* length - 8 */
} l4_udp_t;

enum {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10,
};

typedef struct l4_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	uint16_t mss;              /* from the MSS option, 0 when absent */
	uint8_t header_len;
	cursor_t payload;
	uint32_t payload_wire_len;
} l4_tcp_t;

typedef enum icmp_kind {
	ICMP_KIND_NOT_ERROR,          /* echo, neighbour discovery, ... */
	ICMP_KIND_NEEDS_FRAG,         /* IPv4 type 3 code 4 (RFC 1191) */
	ICMP_KIND_PACKET_TOO_BIG,     /* ICMPv6 type 2 (RFC 8201) */
	ICMP_KIND_TTL_EXCEEDED,       /* time exceeded in transit */
	ICMP_KIND_REASSEMBLY_TIMEOUT, /* time exceeded code 1 */
	ICMP_KIND_ADMIN_PROHIBITED,   /* a filter said so */
	ICMP_KIND_PORT_UNREACHABLE,
	ICMP_KIND_UNREACHABLE,        /* other destination unreachable codes */
	ICMP_KIND_PARAM_PROBLEM,
	ICMP_KIND_OTHER_ERROR,
	ICMP_KIND_COUNT
} icmp_kind_t;

typedef struct l4_icmp {
	uint8_t family; /* 4 or 6 */
	uint8_t type, code;
	icmp_kind_t kind;
	uint32_t mtu;          /* NEEDS_FRAG / PACKET_TOO_BIG; 0 when the sender left it out */
	int quoted_ok;         /* the quoted IP header decoded */
	pkt_ip_t quoted;       /* the offending packet's header as quoted */
	int quoted_ports;      /* quoted_sport/dport are valid (first fragment or whole, UDP/TCP) */
	uint16_t quoted_sport, quoted_dport;
	uint32_t quoted_bytes; /* bytes of the offending packet quoted */
	uint8_t quoted_proto;  /* the quoted packet's upper layer (after an IPv6 first fragment's chain) */
	cursor_t quoted_upper; /* its quoted bytes from that layer's header on (a non-first
	                          fragment: its data at quoted.frag_offset) */
} l4_icmp_t;

decode_outcome_t l4_udp_decode(cursor_t payload, uint32_t wire_len, l4_udp_t *udp, decode_counts_t *dc);
decode_outcome_t l4_tcp_decode(cursor_t payload, uint32_t wire_len, l4_tcp_t *tcp, decode_counts_t *dc);
/* family 4 for ICMP, 6 for ICMPv6. */
decode_outcome_t l4_icmp_decode(uint8_t family, cursor_t payload, l4_icmp_t *icmp, decode_counts_t *dc);

const char *icmp_kind2str(icmp_kind_t kind);

#endif /* DNSFRAG_COMMON_L4_H */
