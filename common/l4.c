/* l4.c - UDP, TCP and ICMP error decoders (see l4.h).
 *
 * UDP:  sport(2) dport(2) length(2) checksum(2)
 * TCP:  sport dport seq(4) ack(4) offset|flags window csum urg options
 * ICMP error: type code checksum | 4 bytes (unused / MTU) | quoted IP header + payload
 *   ICMPv4 may quote only the IP header and 8 bytes (RFC 792); RFC 1812 routers
 *   quote more. ICMPv6 quotes as much as fits in 1,280 bytes (RFC 4443).
 */
#include "l4.h"

#include "ip.h"

static decode_outcome_t l4_count(decode_counts_t *dc, decode_layer_t layer, decode_outcome_t o)
{
	decode_counts_add(dc, layer, o);
	return o;
}

decode_outcome_t l4_udp_decode(cursor_t payload, uint32_t wire_len, l4_udp_t *udp, decode_counts_t *dc)
{
	cursor_t c = payload;
	udp->sport = cursor_u16(&c);
	udp->dport = cursor_u16(&c);
	udp->length = cursor_u16(&c);
	cursor_skip(&c, 2);
	if (!cursor_ok(&c))
		return l4_count(dc, LAYER_UDP, wire_len >= 8 ? OUTCOME_TRUNCATED : OUTCOME_INVALID);
	if (udp->length < 8 || udp->length > wire_len)
		return l4_count(dc, LAYER_UDP, OUTCOME_INVALID);
	udp->payload_wire_len = udp->length - 8u;
	udp->payload = cursor_child(&c, udp->payload_wire_len, NULL);
	return l4_count(dc, LAYER_UDP, OUTCOME_OK);
}

/* Only the MSS matters to us: the probe's TCP black-hole finding depends on it. */
static uint16_t l4_tcp_mss_find(cursor_t opts)
{
	while (cursor_left(&opts) > 0) {
		uint8_t kind = cursor_u8(&opts);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		uint8_t len = cursor_u8(&opts);
		if (!cursor_ok(&opts) || len < 2)
			break;
		if (kind == 2 && len == 4)
			return cursor_u16(&opts);
		cursor_skip(&opts, (size_t)len - 2);
	}
	return 0;
}

decode_outcome_t l4_tcp_decode(cursor_t payload, uint32_t wire_len, l4_tcp_t *tcp, decode_counts_t *dc)
{
	cursor_t c = payload;
	tcp->sport = cursor_u16(&c);
	tcp->dport = cursor_u16(&c);
	tcp->seq = cursor_u32(&c);
	tcp->ack = cursor_u32(&c);
	uint8_t off = cursor_u8(&c);
	tcp->flags = cursor_u8(&c);
	tcp->window = cursor_u16(&c);
	cursor_skip(&c, 4);
	if (!cursor_ok(&c))
		return l4_count(dc, LAYER_TCP, wire_len >= 20 ? OUTCOME_TRUNCATED : OUTCOME_INVALID);
	tcp->header_len = (uint8_t)((off >> 4) * 4);
	if (tcp->header_len < 20 || tcp->header_len > wire_len)
		return l4_count(dc, LAYER_TCP, OUTCOME_INVALID);
	size_t short_by;
	cursor_t opts = cursor_child(&c, tcp->header_len - 20u, &short_by);
	if (short_by)
		return l4_count(dc, LAYER_TCP, OUTCOME_TRUNCATED);
	tcp->mss = (tcp->flags & TCP_SYN) ? l4_tcp_mss_find(opts) : 0;
	tcp->payload_wire_len = wire_len - tcp->header_len;
	tcp->payload = cursor_child(&c, tcp->payload_wire_len, NULL);
	return l4_count(dc, LAYER_TCP, OUTCOME_OK);
}

static icmp_kind_t icmp4_kind(uint8_t type, uint8_t code)
{
	switch (type) {
	case 3:
		switch (code) {
		case 4: return ICMP_KIND_NEEDS_FRAG;
		case 3: return ICMP_KIND_PORT_UNREACHABLE;
		case 9:
		case 10:
		case 13: return ICMP_KIND_ADMIN_PROHIBITED;
		default: return ICMP_KIND_UNREACHABLE;
		}
	case 11: return code == 1 ? ICMP_KIND_REASSEMBLY_TIMEOUT : ICMP_KIND_TTL_EXCEEDED;
	case 12: return ICMP_KIND_PARAM_PROBLEM;
	case 4:
	case 5: return ICMP_KIND_OTHER_ERROR; /* source quench, redirect */
	default: return ICMP_KIND_NOT_ERROR;
	}
}

static icmp_kind_t icmp6_kind(uint8_t type, uint8_t code)
{
	switch (type) {
	case 1:
		switch (code) {
		case 1:
		case 5:
		case 6: return ICMP_KIND_ADMIN_PROHIBITED;
		case 4: return ICMP_KIND_PORT_UNREACHABLE;
		default: return ICMP_KIND_UNREACHABLE;
		}
	case 2: return ICMP_KIND_PACKET_TOO_BIG;
	case 3: return code == 1 ? ICMP_KIND_REASSEMBLY_TIMEOUT : ICMP_KIND_TTL_EXCEEDED;
	case 4: return ICMP_KIND_PARAM_PROBLEM;
	default: return ICMP_KIND_NOT_ERROR; /* 128+ are informational */
	}
}

/* The quoted packet: its IP header, and its ports when the quote starts at the
 * transport header (a whole packet or a first fragment) and holds 4 bytes. */
static void icmp_quote_decode(uint8_t family, cursor_t quote, l4_icmp_t *icmp)
{
	decode_counts_t scratch = { 0 }; /* quotes are cut by design: not the capture's fault */
	icmp->quoted_bytes = (uint32_t)cursor_left(&quote);
	decode_outcome_t o = family == 4 ? ip4_decode(&quote, &icmp->quoted, &scratch)
	                                 : ip6_decode(&quote, &icmp->quoted, &scratch);
	if (o != OUTCOME_OK || icmp->quoted.version != family)
		return;
	icmp->quoted_ok = 1;
	const pkt_ip_t *q = &icmp->quoted;
	icmp->quoted_proto = q->proto;
	icmp->quoted_upper = q->payload;
	if (q->frag_offset != 0)
		return;
	cursor_t up = q->payload;
	uint8_t proto = q->proto;
	uint16_t mask = 0;
	/* A quoted IPv6 first fragment: headers after the fragment header come first. */
	if (family == 6 && q->is_fragment && ip6_ext_walk(q->proto, &up, &proto, &mask) != OUTCOME_OK) {
		icmp->quoted_proto = 0;
		return;
	}
	icmp->quoted_proto = proto;
	icmp->quoted_upper = up;
	if (proto != IP_PROTO_UDP && proto != IP_PROTO_TCP)
		return;
	icmp->quoted_sport = cursor_u16(&up);
	icmp->quoted_dport = cursor_u16(&up);
	icmp->quoted_ports = cursor_ok(&up);
}

decode_outcome_t l4_icmp_decode(uint8_t family, cursor_t payload, l4_icmp_t *icmp, decode_counts_t *dc)
{
	decode_layer_t layer = family == 4 ? LAYER_ICMP4 : LAYER_ICMP6;
	cursor_t c = payload;
	icmp->family = family;
	icmp->type = cursor_u8(&c);
	icmp->code = cursor_u8(&c);
	cursor_skip(&c, 2);
	uint32_t rest = cursor_u32(&c);
	if (!cursor_ok(&c))
		return l4_count(dc, layer, OUTCOME_TRUNCATED);
	icmp->kind = family == 4 ? icmp4_kind(icmp->type, icmp->code) : icmp6_kind(icmp->type, icmp->code);
	if (icmp->kind == ICMP_KIND_NEEDS_FRAG)
		icmp->mtu = rest & 0xffff; /* RFC 1191: next-hop MTU in the low 16 bits */
	else if (icmp->kind == ICMP_KIND_PACKET_TOO_BIG)
		icmp->mtu = rest;
	if (icmp->kind != ICMP_KIND_NOT_ERROR)
		icmp_quote_decode(family, c, icmp);
	return l4_count(dc, layer, OUTCOME_OK);
}

const char *icmp_kind2str(icmp_kind_t kind)
{
	static const char *const names[ICMP_KIND_COUNT] = {
		[ICMP_KIND_NOT_ERROR] = "not-error",
		[ICMP_KIND_NEEDS_FRAG] = "needs-frag",
		[ICMP_KIND_PACKET_TOO_BIG] = "packet-too-big",
		[ICMP_KIND_TTL_EXCEEDED] = "ttl-exceeded",
		[ICMP_KIND_REASSEMBLY_TIMEOUT] = "reassembly-timeout",
		[ICMP_KIND_ADMIN_PROHIBITED] = "admin-prohibited",
		[ICMP_KIND_PORT_UNREACHABLE] = "port-unreachable",
		[ICMP_KIND_UNREACHABLE] = "unreachable",
		[ICMP_KIND_PARAM_PROBLEM] = "parameter-problem",
		[ICMP_KIND_OTHER_ERROR] = "other-error",
	};
	return (unsigned)kind < ICMP_KIND_COUNT ? names[kind] : "?";
}
