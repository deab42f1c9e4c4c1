/* test_decode.c - unit tests for the cursor, link, IP, transport and DNS-view decoders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "cursor.h"
#include "dnsview.h"
#include "ip.h"
#include "l4.h"
#include "link.h"

/* ---- builders: small byte writers so each test reads as its wire diagram */
typedef struct buf {
	uint8_t b[2048];
	size_t n;
} buf_t;

static void put8(buf_t *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(buf_t *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put32(buf_t *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(buf_t *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void putz(buf_t *b, size_t n) { memset(b->b + b->n, 0, n); b->n += n; }

static const uint8_t v4src[4] = { 192, 0, 2, 1 }, v4dst[4] = { 198, 51, 100, 53 };
static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0x53 };

static void ip4_hdr(buf_t *b, unsigned ihl_words, unsigned total, unsigned id, unsigned flags_off, unsigned proto)
{
	put8(b, 0x40 | ihl_words);
	put8(b, 0);
	put16(b, total);
	put16(b, id);
	put16(b, flags_off);
	put8(b, 64);
	put8(b, proto);
	put16(b, 0);
	putn(b, v4src, 4);
	putn(b, v4dst, 4);
	putz(b, (ihl_words - 5) * 4);
}

static void ip6_hdr(buf_t *b, unsigned plen, unsigned nh)
{
	put32(b, 0x60000000);
	put16(b, plen);
	put8(b, nh);
	put8(b, 64);
	putn(b, v6src, 16);
	putn(b, v6dst, 16);
}

static void udp_hdr(buf_t *b, unsigned sport, unsigned dport, unsigned len)
{
	put16(b, sport);
	put16(b, dport);
	put16(b, len);
	put16(b, 0);
}

/* ---- cursor */
static void test_cursor_sticky_error(void **state)
{
	(void)state;
	const uint8_t bytes[3] = { 1, 2, 3 };
	cursor_t c = cursor_make(bytes, sizeof bytes);
	assert_int_equal(cursor_u16(&c), 0x0102);
	assert_int_equal(cursor_u16(&c), 0); /* one byte left: past the end */
	assert_false(cursor_ok(&c));
	assert_int_equal(cursor_u8(&c), 0);  /* stays failed */
	assert_int_equal(cursor_left(&c), 0);
}

static void test_cursor_child_clamps(void **state)
{
	(void)state;
	const uint8_t bytes[8] = { 0 };
	cursor_t c = cursor_make(bytes, sizeof bytes);
	size_t short_by = 99;
	cursor_t child = cursor_child(&c, 5, &short_by);
	assert_int_equal(short_by, 0);
	assert_int_equal(cursor_left(&child), 5);
	child = cursor_child(&c, 10, &short_by); /* a length field larger than what is there */
	assert_int_equal(short_by, 7);
	assert_int_equal(cursor_left(&child), 3);
	assert_true(cursor_ok(&c));
}

/* ---- link */
static decode_outcome_t decode_link(int dlt, const buf_t *b, pkt_t *pkt, cursor_t *net, decode_counts_t *dc)
{
	memset(pkt, 0, sizeof *pkt);
	cursor_t frame = cursor_make(b->b, b->n);
	return link_decode(dlt, &frame, pkt, net, dc);
}

static void test_link_ether_qinq_pppoe(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	putz(&b, 12);
	put16(&b, 0x88a8); put16(&b, 100);  /* outer tag, VLAN 100 */
	put16(&b, 0x8100); put16(&b, 11);   /* inner tag, VLAN 11 */
	put16(&b, 0x8864);                  /* PPPoE session */
	put8(&b, 0x11); put8(&b, 0); put16(&b, 0x1234); put16(&b, 2 + 20);
	put16(&b, 0x0021);                  /* PPP: IPv4 */
	ip4_hdr(&b, 5, 20, 1, 0, 17);
	putz(&b, 6);                        /* Ethernet padding beyond the PPPoE length */
	pkt_t pkt;
	cursor_t net;
	decode_counts_t dc = { 0 };
	assert_int_equal(decode_link(DLT_EN10MB, &b, &pkt, &net, &dc), OUTCOME_OK);
	assert_int_equal(pkt.link.vlan_count, 2);
	assert_int_equal(pkt.link.vlan[0], 100);
	assert_int_equal(pkt.link.vlan[1], 11);
	assert_true(pkt.link.has_pppoe);
	assert_int_equal(pkt.link.pppoe_session, 0x1234);
	assert_int_equal(pkt.link.ethertype, LINK_ETHERTYPE_IPV4);
	assert_int_equal(cursor_left(&net), 20); /* padding cut off by the PPPoE length */
}

static void test_link_sll2_ifindex(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	put16(&b, 0x86dd); put16(&b, 0); put32(&b, 7); put16(&b, 1); put8(&b, 0); put8(&b, 6); putz(&b, 8);
	ip6_hdr(&b, 0, 59);
	pkt_t pkt;
	cursor_t net;
	decode_counts_t dc = { 0 };
	assert_int_equal(decode_link(276, &b, &pkt, &net, &dc), OUTCOME_OK);
	assert_true(pkt.link.has_ifindex);
	assert_int_equal(pkt.link.ifindex, 7);
	assert_int_equal(pkt.link.ethertype, LINK_ETHERTYPE_IPV6);
}

static void test_link_null_af_values(void **state)
{
	(void)state;
	const uint32_t v6_afs[] = { 10, 24, 28, 30 };
	for (size_t i = 0; i < 4; i++) {
		for (int big = 0; big < 2; big++) {
			buf_t b = { .n = 0 };
			uint32_t af = v6_afs[i];
			if (big)
				put32(&b, af);
			else {
				put8(&b, af); put8(&b, 0); put8(&b, 0); put8(&b, 0);
			}
			ip6_hdr(&b, 0, 59);
			pkt_t pkt;
			cursor_t net;
			decode_counts_t dc = { 0 };
			assert_int_equal(decode_link(DLT_NULL, &b, &pkt, &net, &dc), OUTCOME_OK);
			assert_int_equal(pkt.link.ethertype, LINK_ETHERTYPE_IPV6);
		}
	}
	buf_t b = { .n = 0 };
	put32(&b, 2); /* DLT_LOOP: network order, AF_INET */
	ip4_hdr(&b, 5, 20, 0, 0, 17);
	pkt_t pkt;
	cursor_t net;
	decode_counts_t dc = { 0 };
	assert_int_equal(decode_link(DLT_LOOP, &b, &pkt, &net, &dc), OUTCOME_OK);
	assert_int_equal(pkt.link.ethertype, LINK_ETHERTYPE_IPV4);
}

static void test_link_unsupported_counted_by_name(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	putz(&b, 12);
	put16(&b, 0x8847); /* MPLS */
	put32(&b, 0x00001140);
	pkt_t pkt;
	cursor_t net;
	decode_counts_t dc = { 0 };
	assert_int_equal(decode_link(DLT_EN10MB, &b, &pkt, &net, &dc), OUTCOME_UNSUPPORTED);
	assert_string_equal(dc.unsupported[0].name, "MPLS");
	assert_int_equal(dc.unsupported[0].count, 1);
	assert_int_equal(decode_link(12345, &b, &pkt, &net, &dc), OUTCOME_UNSUPPORTED);
	assert_false(link_dlt_supported(12345));
}

static void test_link_truncated(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	putz(&b, 13); /* Ethernet header cut inside the type */
	pkt_t pkt;
	cursor_t net;
	decode_counts_t dc = { 0 };
	assert_int_equal(decode_link(DLT_EN10MB, &b, &pkt, &net, &dc), OUTCOME_TRUNCATED);
	assert_int_equal(dc.n[LAYER_LINK][OUTCOME_TRUNCATED], 1);
}

/* ---- IPv4 */
static void test_ip4_options_and_fragment(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip4_hdr(&b, 6, 24 + 16, 0x4242, 0x2000 | 185, 17); /* MF, offset 1480 */
	putz(&b, 16);
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip4_decode(&net, &ip, &dc), OUTCOME_OK);
	assert_int_equal(ip.options_len, 4);
	assert_true(ip.is_fragment);
	assert_true(ip.mf);
	assert_int_equal(ip.frag_offset, 1480);
	assert_int_equal(ip.id, 0x4242);
	assert_int_equal(cursor_left(&ip.payload), 16);
}

static void test_ip4_truncated_vs_invalid(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip4_hdr(&b, 5, 100, 0, 0, 17); /* claims 100 bytes, capture holds 20 */
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip4_decode(&net, &ip, &dc), OUTCOME_OK);
	assert_int_equal(ip.payload_wire_len, 80);
	assert_int_equal(cursor_left(&ip.payload), 0);

	buf_t bad = { .n = 0 };
	ip4_hdr(&bad, 5, 10, 0, 0, 17); /* total length smaller than the header: a lie */
	net = cursor_make(bad.b, bad.n);
	assert_int_equal(ip4_decode(&net, &ip, &dc), OUTCOME_INVALID);

	net = cursor_make(bad.b, 10); /* header cut by the capture */
	assert_int_equal(ip4_decode(&net, &ip, &dc), OUTCOME_TRUNCATED);
	assert_int_equal(dc.n[LAYER_IP4][OUTCOME_INVALID], 1);
	assert_int_equal(dc.n[LAYER_IP4][OUTCOME_TRUNCATED], 1);
}

/* ---- IPv6 */
static void test_ip6_ext_chain_then_fragment(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip6_hdr(&b, 8 + 8 + 8 + 8 + 8, 0);                /* hop-by-hop first */
	put8(&b, 43); put8(&b, 0); putz(&b, 6);             /* hop-by-hop -> routing */
	put8(&b, 60); put8(&b, 0); put8(&b, 4); put8(&b, 0); putz(&b, 4); /* routing -> dstopts */
	put8(&b, 44); put8(&b, 0); putz(&b, 6);             /* dstopts -> fragment */
	put8(&b, 17); put8(&b, 0); put16(&b, 0x0001); put32(&b, 0xdeadbeef); /* offset 0, M */
	udp_hdr(&b, 53, 40000, 1000);
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip6_decode(&net, &ip, &dc), OUTCOME_OK);
	assert_int_equal(ip.ext_mask, IP6_EXT_HOP | IP6_EXT_ROUTING | IP6_EXT_DSTOPT | IP6_EXT_FRAG);
	assert_true(ip.is_fragment);
	assert_true(ip.mf);
	assert_int_equal(ip.id, 0xdeadbeef);
	assert_int_equal(ip.proto, 17);
	assert_false(ip.chain_incomplete);
	assert_int_equal(cursor_left(&ip.payload), 8);
}

static void test_ip6_rfc7112_chain_incomplete(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip6_hdr(&b, 8 + 16, 44);
	put8(&b, 60); put8(&b, 0); put16(&b, 0x0001); put32(&b, 7); /* fragment: next is dstopts */
	put8(&b, 17); put8(&b, 2); putz(&b, 14);    /* dstopts of 24 bytes, only 16 here */
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip6_decode(&net, &ip, &dc), OUTCOME_OK);
	assert_true(ip.chain_incomplete);
}

static void test_ip6_long_chain_stops(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip6_hdr(&b, 8 * 40, 60);
	for (int i = 0; i < 40; i++) {
		put8(&b, 60); put8(&b, 0); putz(&b, 6);
	}
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip6_decode(&net, &ip, &dc), OUTCOME_INVALID);
	assert_int_equal(dc.n[LAYER_IP6_EXT][OUTCOME_INVALID], 1);
}

static void test_ip6_ext_overruns_payload_length(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	ip6_hdr(&b, 8, 60);
	put8(&b, 17); put8(&b, 3); putz(&b, 30); /* claims 32 bytes, payload length says 8 */
	cursor_t net = cursor_make(b.b, b.n);
	pkt_ip_t ip;
	memset(&ip, 0, sizeof ip);
	decode_counts_t dc = { 0 };
	assert_int_equal(ip6_decode(&net, &ip, &dc), OUTCOME_INVALID);
}

/* ---- transport */
static void test_udp_length_lies(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	udp_hdr(&b, 53, 1234, 500);
	putz(&b, 10);
	l4_udp_t udp;
	decode_counts_t dc = { 0 };
	assert_int_equal(l4_udp_decode(cursor_make(b.b, b.n), 18, &udp, &dc), OUTCOME_INVALID);
	buf_t ok = { .n = 0 };
	udp_hdr(&ok, 53, 1234, 18);
	putz(&ok, 10);
	assert_int_equal(l4_udp_decode(cursor_make(ok.b, ok.n), 18, &udp, &dc), OUTCOME_OK);
	assert_int_equal(cursor_left(&udp.payload), 10);
}

static void test_icmp4_needs_frag_quotes_udp(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	put8(&b, 3); put8(&b, 4); put16(&b, 0); put16(&b, 0); put16(&b, 1400);
	ip4_hdr(&b, 5, 1500, 0x77, 0x2000, 17); /* the quoted first fragment */
	udp_hdr(&b, 53, 33333, 2000);            /* only 8 bytes of UDP quoted */
	l4_icmp_t icmp;
	memset(&icmp, 0, sizeof icmp);
	decode_counts_t dc = { 0 };
	assert_int_equal(l4_icmp_decode(4, cursor_make(b.b, b.n), &icmp, &dc), OUTCOME_OK);
	assert_int_equal(icmp.kind, ICMP_KIND_NEEDS_FRAG);
	assert_int_equal(icmp.mtu, 1400);
	assert_true(icmp.quoted_ok);
	assert_int_equal(icmp.quoted.id, 0x77);
	assert_true(icmp.quoted_ports);
	assert_int_equal(icmp.quoted_sport, 53);
	assert_int_equal(icmp.quoted_dport, 33333);
}

static void test_icmp6_ptb_and_reassembly(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	put8(&b, 2); put8(&b, 0); put16(&b, 0); put32(&b, 1280);
	ip6_hdr(&b, 1400, 17);
	udp_hdr(&b, 53, 4444, 1400);
	l4_icmp_t icmp;
	memset(&icmp, 0, sizeof icmp);
	decode_counts_t dc = { 0 };
	assert_int_equal(l4_icmp_decode(6, cursor_make(b.b, b.n), &icmp, &dc), OUTCOME_OK);
	assert_int_equal(icmp.kind, ICMP_KIND_PACKET_TOO_BIG);
	assert_int_equal(icmp.mtu, 1280);
	assert_int_equal(icmp.quoted_dport, 4444);
	b.n = 0;
	put8(&b, 3); put8(&b, 1); put16(&b, 0); put32(&b, 0);
	memset(&icmp, 0, sizeof icmp);
	assert_int_equal(l4_icmp_decode(6, cursor_make(b.b, b.n), &icmp, &dc), OUTCOME_OK);
	assert_int_equal(icmp.kind, ICMP_KIND_REASSEMBLY_TIMEOUT);
	assert_false(icmp.quoted_ok);
}

/* ---- DNS view */
static void dns_question(buf_t *b, unsigned id, unsigned flags, unsigned ar)
{
	put16(b, id); put16(b, flags); put16(b, 1); put16(b, 0); put16(b, 0); put16(b, ar);
	put8(b, 2); putn(b, "Rs", 2); put8(b, 3); putn(b, "ex\x2e", 3); put8(b, 0);
	put16(b, 16); put16(b, 1);
}

static void test_dns_view_question_opt(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	dns_question(&b, 0xabcd, 0x8380 /* QR TC RD RA */, 1);
	put8(&b, 0); put16(&b, 41); put16(&b, 1232); put32(&b, 0x01008000); /* ext rcode 1, DO */
	put16(&b, 6 + 6); put16(&b, 15); put16(&b, 2); put16(&b, 18); put16(&b, 3); put16(&b, 2); putn(&b, "ab", 2);
	dns_view_t v;
	decode_counts_t dc = { 0 };
	assert_int_equal(dns_view_parse(cursor_make(b.b, b.n), (uint32_t)b.n, &v, &dc), OUTCOME_OK);
	assert_null(v.malformed);
	assert_int_equal(v.id, 0xabcd);
	assert_true(v.qr);
	assert_true(v.tc);
	assert_string_equal(v.qname, "Rs.ex\\..");
	assert_int_equal(v.qname_len, strlen("Rs.ex\\.."));
	assert_int_equal(v.qtype, 16);
	assert_true(v.has_opt);
	assert_int_equal(v.udp_size, 1232);
	assert_true(v.do_bit);
	assert_int_equal(v.rcode, 16); /* BADVERS: extended rcode 1 << 4 */
	assert_true(v.has_ede);
	assert_int_equal(v.ede_code, 18);
	assert_true(v.has_nsid);
	assert_int_equal(v.opt_options, 2);
}

static void test_dns_view_pointer_loop_and_forward(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	put16(&b, 1); put16(&b, 0x8000); put16(&b, 1); put16(&b, 1); put16(&b, 0); put16(&b, 0);
	put8(&b, 1); put8(&b, 'a'); put8(&b, 0); put16(&b, 1); put16(&b, 1);
	put16(&b, 0xc000 | (uint16_t)b.n); /* answer name points at itself */
	put16(&b, 1); put16(&b, 1); put32(&b, 0); put16(&b, 0);
	dns_view_t v;
	decode_counts_t dc = { 0 };
	dns_view_parse(cursor_make(b.b, b.n), (uint32_t)b.n, &v, &dc);
	assert_non_null(v.malformed);
	assert_int_equal(dc.n[LAYER_DNS][OUTCOME_INVALID], 1);

	b.n = 0;
	put16(&b, 1); put16(&b, 0); put16(&b, 1); put16(&b, 0); put16(&b, 0); put16(&b, 0);
	put16(&b, 0xc000 | 40); /* question name points forward */
	put16(&b, 1); put16(&b, 1);
	dns_view_parse(cursor_make(b.b, b.n), (uint32_t)b.n, &v, &dc);
	assert_non_null(v.malformed);
	assert_false(v.has_question);
}

static void test_dns_view_backward_pointer_ok(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	dns_question(&b, 2, 0x8000, 0);
	b.b[7] = 1; /* ancount = 1 */
	put16(&b, 0xc000 | 12); put16(&b, 16); put16(&b, 1); put32(&b, 0); put16(&b, 2); put8(&b, 1); put8(&b, 'x');
	dns_view_t v;
	decode_counts_t dc = { 0 };
	assert_int_equal(dns_view_parse(cursor_make(b.b, b.n), (uint32_t)b.n, &v, &dc), OUTCOME_OK);
	assert_null(v.malformed);
}

static void test_dns_view_option_overrun(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	dns_question(&b, 3, 0, 1);
	put8(&b, 0); put16(&b, 41); put16(&b, 4096); put32(&b, 0);
	put16(&b, 6); put16(&b, 10); put16(&b, 40); putz(&b, 2); /* option claims 40 in 6 */
	dns_view_t v;
	decode_counts_t dc = { 0 };
	dns_view_parse(cursor_make(b.b, b.n), (uint32_t)b.n, &v, &dc);
	assert_string_equal(v.malformed, "EDNS option overruns the OPT record");
}

static void test_dns_view_truncated_capture(void **state)
{
	(void)state;
	buf_t b = { .n = 0 };
	dns_question(&b, 4, 0x8000, 0);
	dns_view_t v;
	decode_counts_t dc = { 0 };
	assert_int_equal(dns_view_parse(cursor_make(b.b, 6), 200, &v, &dc), OUTCOME_TRUNCATED);
	assert_int_equal(dc.n[LAYER_DNS][OUTCOME_TRUNCATED], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_sticky_error),
		cmocka_unit_test(test_cursor_child_clamps),
		cmocka_unit_test(test_link_ether_qinq_pppoe),
		cmocka_unit_test(test_link_sll2_ifindex),
		cmocka_unit_test(test_link_null_af_values),
		cmocka_unit_test(test_link_unsupported_counted_by_name),
		cmocka_unit_test(test_link_truncated),
		cmocka_unit_test(test_ip4_options_and_fragment),
		cmocka_unit_test(test_ip4_truncated_vs_invalid),
		cmocka_unit_test(test_ip6_ext_chain_then_fragment),
		cmocka_unit_test(test_ip6_rfc7112_chain_incomplete),
		cmocka_unit_test(test_ip6_long_chain_stops),
		cmocka_unit_test(test_ip6_ext_overruns_payload_length),
		cmocka_unit_test(test_udp_length_lies),
		cmocka_unit_test(test_icmp4_needs_frag_quotes_udp),
		cmocka_unit_test(test_icmp6_ptb_and_reassembly),
		cmocka_unit_test(test_dns_view_question_opt),
		cmocka_unit_test(test_dns_view_pointer_loop_and_forward),
		cmocka_unit_test(test_dns_view_backward_pointer_ok),
		cmocka_unit_test(test_dns_view_option_overrun),
		cmocka_unit_test(test_dns_view_truncated_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
