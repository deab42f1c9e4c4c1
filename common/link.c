/* link.c - link-layer decoders (see link.h).
 *
 * Ethernet II (IEEE 802.3), 802.1Q / 802.1ad tags, PPPoE session stage (RFC 2516)
 *   +--------+--------+------+-- [tag: TPID 0x8100/0x88a8/0x9100, TCI] --+---------+
 *   | dst(6) | src(6) | type | ...                                      | payload |
 * PPPoE session: ver/type(1) code(1) session(2) length(2) | PPP protocol(2) | payload
 * Linux SLL:  pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
 * Linux SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
 * NULL: AF as 4 bytes in the capturing host's order; LOOP: the same in network order.
 */
#include "link.h"

#include <pcap/dlt.h>

#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_PPPOE_DISC 0x8863
#define ETHERTYPE_PPPOE_SESS 0x8864
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_LLDP 0x88cc
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define MAX_VLAN_TAGS 4

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

typedef decode_outcome_t (*link_decoder_fn)(cursor_t *c, pkt_t *pkt, decode_counts_t *dc);

static decode_outcome_t link_fail(decode_counts_t *dc, decode_outcome_t o)
{
	decode_counts_add(dc, LAYER_LINK, o);
	return o;
}

/* The name under which a non-IP ethertype is counted as unsupported. */
static const char *link_ethertype_name(uint16_t type)
{
	switch (type) {
	case ETHERTYPE_ARP: return "ARP";
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC: return "MPLS";
	case ETHERTYPE_PPPOE_DISC: return "PPPoE-discovery";
	case ETHERTYPE_LLDP: return "LLDP";
	case 0x88e5: return "MACsec";
	case 0x8035: return "RARP";
	default: return type < 0x0600 ? "802.3-LLC" : "other-ethertype";
	}
}

/* Settle on an ethertype: IP goes on, anything else is counted by name. */
static decode_outcome_t link_ethertype_accept(uint16_t type, pkt_t *pkt, decode_counts_t *dc)
{
	pkt->link.ethertype = type;
	if (type == LINK_ETHERTYPE_IPV4 || type == LINK_ETHERTYPE_IPV6) {
		decode_counts_add(dc, LAYER_LINK, OUTCOME_OK);
		return OUTCOME_OK;
	}
	decode_counts_unsupported(dc, LAYER_LINK, link_ethertype_name(type));
	return OUTCOME_UNSUPPORTED;
}

static decode_outcome_t link_pppoe_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	uint8_t vertype = cursor_u8(c);
	cursor_skip(c, 1); /* code: 0 in the session stage */
	uint16_t session = cursor_u16(c);
	uint16_t length = cursor_u16(c);
	uint16_t proto = cursor_u16(c);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	if (vertype != 0x11 || length < 2)
		return link_fail(dc, OUTCOME_INVALID);
	pkt->link.has_pppoe = 1;
	pkt->link.pppoe_session = session;
	/* The PPPoE length covers the PPP protocol field and the payload: clamp to it
	 * so Ethernet padding never reaches the IP layer. */
	size_t short_by;
	*c = cursor_child(c, (size_t)length - 2, &short_by);
	if (proto == PPP_IPV4)
		return link_ethertype_accept(LINK_ETHERTYPE_IPV4, pkt, dc);
	if (proto == PPP_IPV6)
		return link_ethertype_accept(LINK_ETHERTYPE_IPV6, pkt, dc);
	decode_counts_unsupported(dc, LAYER_LINK, "PPP-non-IP");
	return OUTCOME_UNSUPPORTED;
}

/* The ethertype and anything stacked on it (tags, PPPoE). */
static decode_outcome_t link_ethertype_decode(uint16_t type, cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	for (int tags = 0; type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ_OLD; tags++) {
		if (tags == MAX_VLAN_TAGS)
			return link_fail(dc, OUTCOME_INVALID);
		uint16_t tci = cursor_u16(c);
		type = cursor_u16(c);
		if (!cursor_ok(c))
			return link_fail(dc, OUTCOME_TRUNCATED);
		if (pkt->link.vlan_count < 2)
			pkt->link.vlan[pkt->link.vlan_count] = tci & 0x0fff;
		pkt->link.vlan_count++;
	}
	if (type == ETHERTYPE_PPPOE_SESS)
		return link_pppoe_decode(c, pkt, dc);
	return link_ethertype_accept(type, pkt, dc);
}

static decode_outcome_t link_ether_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	cursor_skip(c, 12);
	uint16_t type = cursor_u16(c);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	return link_ethertype_decode(type, c, pkt, dc);
}

static decode_outcome_t link_sll_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	cursor_skip(c, 14);
	uint16_t type = cursor_u16(c);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	return link_ethertype_decode(type, c, pkt, dc);
}

static decode_outcome_t link_sll2_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	uint16_t type = cursor_u16(c);
	cursor_skip(c, 2);
	uint32_t ifindex = cursor_u32(c);
	cursor_skip(c, 12);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	pkt->link.has_ifindex = 1;
	pkt->link.ifindex = ifindex;
	return link_ethertype_decode(type, c, pkt, dc);
}

/* Raw IP: the version nibble says which. */
static decode_outcome_t link_raw_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	int first = cursor_peek_u8(c, cursor_pos(c));
	if (first < 0)
		return link_fail(dc, OUTCOME_TRUNCATED);
	switch (first >> 4) {
	case 4: return link_ethertype_accept(LINK_ETHERTYPE_IPV4, pkt, dc);
	case 6: return link_ethertype_accept(LINK_ETHERTYPE_IPV6, pkt, dc);
	default: return link_fail(dc, OUTCOME_INVALID);
	}
}

/* BSD address families: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux),
 * 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly) or 30 (macOS). */
static decode_outcome_t link_af_accept(uint32_t af, pkt_t *pkt, decode_counts_t *dc)
{
	switch (af) {
	case 2: return link_ethertype_accept(LINK_ETHERTYPE_IPV4, pkt, dc);
	case 10:
	case 24:
	case 28:
	case 30: return link_ethertype_accept(LINK_ETHERTYPE_IPV6, pkt, dc);
	default:
		decode_counts_unsupported(dc, LAYER_LINK, "NULL-other-AF");
		return OUTCOME_UNSUPPORTED;
	}
}

static decode_outcome_t link_null_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	/* Written in the capturing host's order, which the file does not record:
	 * every valid AF is below 256, so a value above 0xffff was written the other way. */
	uint32_t af = cursor_u32le(c);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	if (af > 0xffff)
		af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
	return link_af_accept(af, pkt, dc);
}

static decode_outcome_t link_loop_decode(cursor_t *c, pkt_t *pkt, decode_counts_t *dc)
{
	uint32_t af = cursor_u32(c);
	if (!cursor_ok(c))
		return link_fail(dc, OUTCOME_TRUNCATED);
	return link_af_accept(af, pkt, dc);
}

static const struct {
	int dlt;
	link_decoder_fn decode;
} link_table[] = {
	{ DLT_EN10MB, link_ether_decode },
	{ DLT_LINUX_SLL, link_sll_decode },
	{ DLT_LINUX_SLL2, link_sll2_decode },
	{ DLT_RAW, link_raw_decode },
	{ 101, link_raw_decode }, /* LINKTYPE_RAW, should a caller pass the file's value */
	{ DLT_IPV4, link_raw_decode },
	{ DLT_IPV6, link_raw_decode },
	{ DLT_NULL, link_null_decode },
	{ DLT_LOOP, link_loop_decode },
};

static link_decoder_fn link_decoder_find(int dlt)
{
	for (size_t i = 0; i < sizeof link_table / sizeof link_table[0]; i++)
		if (link_table[i].dlt == dlt)
			return link_table[i].decode;
	return NULL;
}

int link_dlt_supported(int dlt)
{
	return link_decoder_find(dlt) != NULL;
}

decode_outcome_t link_decode(int dlt, cursor_t *frame, pkt_t *pkt, cursor_t *net, decode_counts_t *dc)
{
	link_decoder_fn decode = link_decoder_find(dlt);
	pkt->link.dlt = dlt;
	if (!decode) {
		decode_counts_unsupported(dc, LAYER_LINK, "unknown-link-type");
		return OUTCOME_UNSUPPORTED;
	}
	cursor_t c = *frame;
	decode_outcome_t o = decode(&c, pkt, dc);
	if (o == OUTCOME_OK)
		*net = cursor_make(cursor_ptr(&c), cursor_left(&c));
	return o;
}
