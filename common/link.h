/* link.h - link-layer decoders, chosen by a table on the capture's DLT.
 *
 * Supported: Ethernet (with 802.1Q / 802.1ad / QinQ tags and PPPoE sessions),
 * Linux cooked v1 (SLL) and v2 (SLL2, whose interface index is kept), raw IP
 * (DLT_RAW, DLT_IPV4, DLT_IPV6), BSD loopback NULL (host byte order; AF_INET6 is
 * 10, 24, 28 or 30 depending on the capturing OS) and LOOP (network order).
 * MPLS, PPPoE discovery, ARP and other non-IP payloads are counted as
 * unsupported by name and go no further.
 */
#ifndef DNSFRAG_COMMON_LINK_H
#define DNSFRAG_COMMON_LINK_H

#include "cursor.h"
#include "packet.h"
#include "status.h"

#define LINK_ETHERTYPE_IPV4 0x0800
#define LINK_ETHERTYPE_IPV6 0x86dd

/* 1 when the DLT has a decoder. */
int link_dlt_supported(int dlt);

/* Decode the link header of frame into pkt->link and leave *net over the
 * network-layer bytes. Returns OUTCOME_OK only when the payload is IPv4 or IPv6
 * (pkt->link.ethertype says which); every other outcome is counted in dc. */
decode_outcome_t link_decode(int dlt, cursor_t *frame, pkt_t *pkt, cursor_t *net, decode_counts_t *dc);

#endif /* DNSFRAG_COMMON_LINK_H */
