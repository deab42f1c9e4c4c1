/* ip.h - IPv4 (RFC 791) and IPv6 (RFC 8200) header decoders.
 *
 * IPv4 options are skipped (their length is checked). IPv6 extension headers are
 * walked in order — hop-by-hop, routing, destination options, fragment, AH and
 * the other RFC 7045 "extension" types — with a bound on their number, so a
 * looping or absurd chain stops safely. At a fragment header the walk stops:
 * what follows is fragmentable payload for reassembly. A first fragment that
 * does not hold the whole header chain up to the upper-layer header is flagged
 * (RFC 7112).
 */
#ifndef DNSFRAG_COMMON_IP_H
#define DNSFRAG_COMMON_IP_H

#include "cursor.h"
#include "packet.h"
#include "status.h"

#define IP_PROTO_HOPOPT 0
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_GRE 47
#define IP_PROTO_ESP 50
#define IP_PROTO_AH 51
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_NONE 59
#define IP_PROTO_DSTOPTS 60

#define IP6_MAX_EXT_HEADERS 16

/* Decode an IPv4 header at *net into ip. OK, TRUNCATED (the header itself is
 * cut) or INVALID; a cut payload is OK with ip->payload shorter than
 * ip->payload_wire_len. Counted in dc under LAYER_IP4. */
decode_outcome_t ip4_decode(cursor_t *net, pkt_ip_t *ip, decode_counts_t *dc);

/* The same for IPv6, counting under LAYER_IP6 and LAYER_IP6_EXT. */
decode_outcome_t ip6_decode(cursor_t *net, pkt_ip_t *ip, decode_counts_t *dc);

/* Walk an IPv6 extension-header chain starting with next header nh over c
 * (used again after reassembly, on the fragmentable part). On OK, *proto is the
 * upper-layer protocol, c is left at its header and *mask gains IP6_EXT_* bits.
 * A fragment header met here (a nested one) is INVALID. Not counted. */
decode_outcome_t ip6_ext_walk(uint8_t nh, cursor_t *c, uint8_t *proto, uint16_t *mask);

/* 1 when nh names an IPv6 extension header. */
int ip6_is_ext(uint8_t nh);

/* Bytes the upper-layer header needs before its ports/type are readable:
 * UDP 8, TCP 20, ICMPv6 8; 1 for anything else. */
uint32_t ip_upper_header_len(uint8_t proto);

#endif /* DNSFRAG_COMMON_IP_H */
