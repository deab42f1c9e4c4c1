/* packet.h - the one normalized record a frame is decoded into.
 *
 * Each layer's decoder fills its part; every module above matches on this
 * record, never on raw bytes again (scamper's lesson). Payload cursors point
 * into the capture buffer and are valid as long as it is.
 */
#ifndef DNSFRAG_COMMON_PACKET_H
#define DNSFRAG_COMMON_PACKET_H

#include <stdint.h>

#include "cursor.h"

#include <string.h>

typedef struct ip_addr {
	uint8_t family; /* 4 or 6; 0 when unset */
	uint8_t a[16];  /* IPv4 in the first 4 bytes */
} ip_addr_t;

/* Text form into buf (INET6_ADDRSTRLEN is enough); returns buf. */
char *ip_addr2str(const ip_addr_t *addr, char *buf, size_t len);
/* Same family and address. Inline: the transaction tracker compares
 * addresses several times per packet, and the call plus memcmp of a
 * variable length was 3% of a run (perf, bench/run, 300 MB). */
static inline int ip_addr_equal(const ip_addr_t *x, const ip_addr_t *y)
{
	if (x->family != y->family)
		return 0;
	if (x->family == 6)
		return memcmp(x->a, y->a, 16) == 0;
	return memcmp(x->a, y->a, 4) == 0;
}

typedef struct pkt_link {
	int dlt;
	uint16_t ethertype;        /* of the network layer, after tags */
	uint8_t vlan_count;        /* 802.1Q / QinQ tags seen */
	uint16_t vlan[2];          /* outermost first */
	uint8_t has_pppoe;
	uint16_t pppoe_session;
	uint8_t has_ifindex;       /* Linux SLL2 */
	uint32_t ifindex;
} pkt_link_t;

/* Which IPv6 extension headers a packet carried (bit per kind). */
enum {
	IP6_EXT_HOP = 1 << 0,
	IP6_EXT_ROUTING = 1 << 1,
	IP6_EXT_DSTOPT = 1 << 2,
	IP6_EXT_FRAG = 1 << 3,
	IP6_EXT_AH = 1 << 4,
	IP6_EXT_OTHER = 1 << 5,
};

typedef struct pkt_ip {
	uint8_t version;      /* 4 or 6; 0 when not IP */
	ip_addr_t src, dst;
	uint8_t ttl;          /* TTL / hop limit */
	uint8_t tos;
	uint8_t df;           /* IPv4 don't-fragment */
	uint8_t is_fragment;  /* MF set or offset > 0 (IPv4); a fragment header (IPv6) */
	uint8_t mf;
	uint32_t frag_offset; /* bytes */
	uint32_t id;          /* IPv4 id, or the IPv6 fragment header's id */
	uint8_t proto;        /* the upper layer: IPv4 protocol, or the header after the IPv6 chain
	                         (for a fragment: the fragment header's next header) */
	uint16_t ext_mask;    /* IP6_EXT_* seen */
	uint8_t chain_incomplete; /* RFC 7112: a first fragment that does not hold the whole chain */
	uint8_t options_len;  /* IPv4 options bytes */
	uint32_t header_len;  /* IP header plus extension headers up to the payload */
	uint32_t total_len;   /* per the header: IPv4 total length, IPv6 40 + payload length */
	cursor_t payload;     /* after the headers, clamped to the header's length */
	uint32_t payload_wire_len; /* what the header says the payload is */
} pkt_ip_t;

typedef struct pkt {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	uint32_t point;       /* capture point index */
	pkt_link_t link;
	pkt_ip_t ip;
} pkt_t;

#endif /* DNSFRAG_COMMON_PACKET_H */
