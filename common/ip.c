/* ip.c - IPv4 and IPv6 header decoders (see ip.h).
 *
 * IPv4 (RFC 791 §3.1)
 *   |ver|ihl| tos | total length | id | flags|frag offset | ttl | proto | csum | src | dst | options
 * IPv6 (RFC 8200 §3, §4)
 *   |ver|tc|flow label| payload length | next header | hop limit | src(16) | dst(16) | ext headers
 *   fragment header: next header(1) reserved(1) offset(13 bits)|res(2)|M(1) id(4)
 */
#include "ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

char *ip_addr2str(const ip_addr_t *addr, char *buf, size_t len)
{
	if (!addr || !inet_ntop(addr->family == 6 ? AF_INET6 : AF_INET, addr->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

uint32_t ip_upper_header_len(uint8_t proto)
{
	switch (proto) {
	case IP_PROTO_UDP: return 8;
	case IP_PROTO_TCP: return 20;
	case IP_PROTO_ICMP:
	case IP_PROTO_ICMPV6: return 8;
	default: return 1;
	}
}

static decode_outcome_t ip_count(decode_counts_t *dc, decode_layer_t layer, decode_outcome_t o)
{
	decode_counts_add(dc, layer, o);
	return o;
}

/* Clamp the payload to what the header says it is, noting bytes the capture lacks. */
static void ip_payload_set(pkt_ip_t *ip, cursor_t *rest, uint32_t wire_len)
{
	ip->payload_wire_len = wire_len;
	ip->payload = cursor_child(rest, wire_len, NULL);
}

decode_outcome_t ip4_decode(cursor_t *net, pkt_ip_t *ip, decode_counts_t *dc)
{
	cursor_t c = *net;
	uint8_t vihl = cursor_u8(&c);
	ip->tos = cursor_u8(&c);
	uint16_t total = cursor_u16(&c);
	uint16_t id = cursor_u16(&c);
	uint16_t flags_off = cursor_u16(&c);
	ip->ttl = cursor_u8(&c);
	ip->proto = cursor_u8(&c);
	cursor_skip(&c, 2); /* checksum: not verified, offloads make it unreliable in captures */
	ip->src.family = ip->dst.family = 4;
	cursor_copy(&c, ip->src.a, 4);
	cursor_copy(&c, ip->dst.a, 4);
	if (!cursor_ok(&c))
		return ip_count(dc, LAYER_IP4, OUTCOME_TRUNCATED);
	uint32_t ihl = (uint32_t)(vihl & 0x0f) * 4;
	if (vihl >> 4 != 4 || ihl < 20 || total < ihl)
		return ip_count(dc, LAYER_IP4, OUTCOME_INVALID);
	ip->version = 4;
	ip->options_len = (uint8_t)(ihl - 20);
	cursor_skip(&c, ip->options_len);
	if (!cursor_ok(&c))
		return ip_count(dc, LAYER_IP4, OUTCOME_TRUNCATED);
	ip->id = id;
	ip->df = (flags_off & 0x4000) != 0;
	ip->mf = (flags_off & 0x2000) != 0;
	ip->frag_offset = (uint32_t)(flags_off & 0x1fff) * 8;
	ip->is_fragment = ip->mf || ip->frag_offset != 0;
	ip->header_len = ihl;
	ip->total_len = total;
	ip_payload_set(ip, &c, total - ihl);
	/* A first fragment too small for its transport header (RFC 1858's tiny fragment). */
	if (ip->is_fragment && ip->frag_offset == 0 && ip->payload_wire_len < ip_upper_header_len(ip->proto))
		ip->chain_incomplete = 1;
	return ip_count(dc, LAYER_IP4, OUTCOME_OK);
}

int ip6_is_ext(uint8_t nh)
{
	switch (nh) {
	case IP_PROTO_HOPOPT:
	case IP_PROTO_ROUTING:
	case IP_PROTO_FRAGMENT:
	case IP_PROTO_DSTOPTS:
	case IP_PROTO_AH:
	case 135: /* Mobility */
	case 139: /* HIP */
	case 140: /* Shim6 */
		return 1;
	default:
		return 0;
	}
}

static uint16_t ip6_ext_bit(uint8_t nh)
{
	switch (nh) {
	case IP_PROTO_HOPOPT: return IP6_EXT_HOP;
	case IP_PROTO_ROUTING: return IP6_EXT_ROUTING;
	case IP_PROTO_DSTOPTS: return IP6_EXT_DSTOPT;
	case IP_PROTO_FRAGMENT: return IP6_EXT_FRAG;
	case IP_PROTO_AH: return IP6_EXT_AH;
	default: return IP6_EXT_OTHER;
	}
}

/* Skip one non-fragment extension header; its length unit depends on the type. */
static decode_outcome_t ip6_ext_skip(uint8_t nh, cursor_t *c, uint8_t *next)
{
	*next = cursor_u8(c);
	uint8_t hlen = cursor_u8(c);
	if (!cursor_ok(c))
		return OUTCOME_TRUNCATED;
	size_t len = nh == IP_PROTO_AH ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
	cursor_skip(c, len - 2);
	return cursor_ok(c) ? OUTCOME_OK : OUTCOME_TRUNCATED;
}

decode_outcome_t ip6_ext_walk(uint8_t nh, cursor_t *c, uint8_t *proto, uint16_t *mask)
{
	for (int n = 0; ip6_is_ext(nh); n++) {
		if (n == IP6_MAX_EXT_HEADERS || nh == IP_PROTO_FRAGMENT)
			return OUTCOME_INVALID;
		if (nh == IP_PROTO_HOPOPT && n != 0)
			return OUTCOME_INVALID; /* hop-by-hop only first (RFC 8200 §4.1) */
		*mask |= ip6_ext_bit(nh);
		decode_outcome_t o = ip6_ext_skip(nh, c, &nh);
		if (o != OUTCOME_OK)
			return o;
	}
	*proto = nh;
	return OUTCOME_OK;
}

/* RFC 7112: the first fragment must hold every header up to and including the
 * upper-layer header. Walk what it holds of the fragmentable part. */
static int ip6_first_fragment_chain_incomplete(uint8_t nh, cursor_t payload)
{
	uint8_t proto = 0;
	uint16_t mask = 0;
	if (ip6_ext_walk(nh, &payload, &proto, &mask) != OUTCOME_OK)
		return 1;
	return cursor_left(&payload) < ip_upper_header_len(proto);
}

decode_outcome_t ip6_decode(cursor_t *net, pkt_ip_t *ip, decode_counts_t *dc)
{
	cursor_t c = *net;
	uint32_t vtcfl = cursor_u32(&c);
	uint16_t plen = cursor_u16(&c);
	uint8_t nh = cursor_u8(&c);
	ip->ttl = cursor_u8(&c);
	ip->src.family = ip->dst.family = 6;
	cursor_copy(&c, ip->src.a, 16);
	cursor_copy(&c, ip->dst.a, 16);
	if (!cursor_ok(&c))
		return ip_count(dc, LAYER_IP6, OUTCOME_TRUNCATED);
	if (vtcfl >> 28 != 6)
		return ip_count(dc, LAYER_IP6, OUTCOME_INVALID);
	if (plen == 0 && nh == IP_PROTO_HOPOPT) {
		decode_counts_unsupported(dc, LAYER_IP6, "IPv6-jumbogram");
		return OUTCOME_UNSUPPORTED;
	}
	ip->version = 6;
	ip->tos = (uint8_t)(vtcfl >> 20);
	ip->total_len = 40u + plen;
	size_t short_by = 0;
	cursor_t body = cursor_child(&c, plen, &short_by);
	decode_counts_add(dc, LAYER_IP6, OUTCOME_OK);

	/* Walk the chain up to the upper layer or a fragment header. */
	for (int n = 0; ip6_is_ext(nh) && nh != IP_PROTO_FRAGMENT; n++) {
		if (n == IP6_MAX_EXT_HEADERS)
			return ip_count(dc, LAYER_IP6_EXT, OUTCOME_INVALID);
		ip->ext_mask |= ip6_ext_bit(nh);
		decode_outcome_t o = ip6_ext_skip(nh, &body, &nh);
		if (o != OUTCOME_OK) /* past the capture, or past the payload length */
			return ip_count(dc, LAYER_IP6_EXT, short_by ? OUTCOME_TRUNCATED : OUTCOME_INVALID);
	}
	if (nh == IP_PROTO_FRAGMENT) {
		ip->ext_mask |= IP6_EXT_FRAG;
		nh = cursor_u8(&body);
		cursor_skip(&body, 1);
		uint16_t off_m = cursor_u16(&body);
		ip->id = cursor_u32(&body);
		if (!cursor_ok(&body))
			return ip_count(dc, LAYER_IP6_EXT, short_by ? OUTCOME_TRUNCATED : OUTCOME_INVALID);
		ip->is_fragment = 1;
		ip->frag_offset = off_m & 0xfff8u;
		ip->mf = off_m & 1;
		if (ip->frag_offset == 0 && ip->mf)
			ip->chain_incomplete = (uint8_t)ip6_first_fragment_chain_incomplete(nh, body);
	}
	if (ip->ext_mask)
		decode_counts_add(dc, LAYER_IP6_EXT, OUTCOME_OK);
	ip->proto = nh;
	ip->header_len = 40u + (uint32_t)cursor_pos(&body);
	uint32_t consumed = (uint32_t)cursor_pos(&body);
	ip->payload_wire_len = plen >= consumed ? plen - consumed : 0;
	ip->payload = cursor_make(cursor_ptr(&body), cursor_left(&body));
	return OUTCOME_OK;
}
