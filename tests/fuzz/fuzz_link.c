/* fuzz_link.c - link and IP decoders: first byte picks the link type, the rest is a frame. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "ip.h"
#include "l4.h"
#include "link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	pkt_t pkt;
	memset(&pkt, 0, sizeof pkt);
	decode_counts_t dc = { 0 };
	cursor_t frame = cursor_make(data + 1, size - 1), net;
	if (link_decode(fuzz_dlts[data[0] % FUZZ_NDLTS], &frame, &pkt, &net, &dc) != OUTCOME_OK)
		return 0;
	decode_outcome_t o = pkt.link.ethertype == LINK_ETHERTYPE_IPV4 ? ip4_decode(&net, &pkt.ip, &dc)
	                                                                : ip6_decode(&net, &pkt.ip, &dc);
	if (o != OUTCOME_OK)
		return 0;
	l4_udp_t udp;
	l4_tcp_t tcp;
	l4_icmp_t icmp;
	memset(&icmp, 0, sizeof icmp);
	l4_udp_decode(pkt.ip.payload, pkt.ip.payload_wire_len, &udp, &dc);
	l4_tcp_decode(pkt.ip.payload, pkt.ip.payload_wire_len, &tcp, &dc);
	l4_icmp_decode(pkt.ip.version, pkt.ip.payload, &icmp, &dc);
	return 0;
}
