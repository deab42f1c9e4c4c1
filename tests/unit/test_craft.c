/* test_craft.c - the crafter's pure builders (probe/craft.c): DNS queries and
 * their RFC 7830 padding, IPv4 headers and checksums, fragment offsets and MF,
 * the IPv6 fragment header's byte order, and libnet 1.1.6 rebuilding exactly
 * the crafted bytes (in a LIBNET_NONE context: no socket, no root).
 *
 * The Makefile links unit tests with common/ only, so craft.c is compiled in
 * here; this test also needs libnet's CFLAGS and -lnet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/craft.c"

/* ------------------------------------------------------------- helpers */

static ip_addr_t addr(const char *s)
{
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, s, a.a) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.a) == 1)
		a.family = 6;
	assert_true(a.family != 0);
	return a;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* An independent one's-complement sum: 64-bit accumulator, byte pairs built
 * from a contiguous copy (pseudo header + datagram), folded at the end. */
static uint16_t ref_checksum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)(~s & 0xffff);
}

static uint16_t ref_udp_checksum(const ip_addr_t *src, const ip_addr_t *dst, const uint8_t *d, size_t n)
{
	static uint8_t buf[70000];
	size_t al = src->family == 6 ? 16 : 4, k = 0;
	memcpy(buf + k, src->a, al), k += al;
	memcpy(buf + k, dst->a, al), k += al;
	if (src->family == 6) { /* RFC 8200 §8.1: 32-bit length, 3 zero bytes, next header */
		buf[k++] = (uint8_t)(n >> 24), buf[k++] = (uint8_t)(n >> 16);
		buf[k++] = (uint8_t)(n >> 8), buf[k++] = (uint8_t)n;
		buf[k++] = 0, buf[k++] = 0, buf[k++] = 0, buf[k++] = 17;
	} else { /* RFC 768: zero, protocol, UDP length */
		buf[k++] = 0, buf[k++] = 17, buf[k++] = (uint8_t)(n >> 8), buf[k++] = (uint8_t)n;
	}
	memcpy(buf + k, d, n);
	buf[k + 6] = buf[k + 7] = 0;
	uint16_t s = ref_checksum(buf, k + n);
	return s ? s : 0xffff;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static size_t mkquery(uint8_t *buf, size_t cap, const char *name, uint16_t qtype, uint16_t id, int do_bit)
{
	craft_query_t q = { .id = id, .qname = name, .qtype = qtype, .edns = 1, .udp_size = 4096, .do_bit = do_bit };
	size_t len = 0;
	char err[256];
	assert_int_equal(craft_dns_query2wire(&q, buf, cap, &len, err, sizeof err), CRAFT_OK);
	return len;
}

/* Reassemble a train's slices into the UDP datagram; its length. */
static size_t reassemble(const craft_train_t *t, uint8_t *out, size_t cap)
{
	size_t end = 0;
	for (size_t i = 0; i < t->count; i++) {
		const craft_packet_t *k = &t->pkt[i];
		size_t n = k->len - k->hdr_len;
		assert_true(k->frag_offset + n <= cap);
		memcpy(out + k->frag_offset, k->data + k->hdr_len, n);
		if (k->frag_offset + n > end)
			end = k->frag_offset + n;
	}
	return end;
}

/* ------------------------------------------------------------- DNS */

static void test_query_bytes(void **state)
{
	(void)state;
	uint8_t b[512];
	size_t n = mkquery(b, sizeof b, ".", 48, 0xbeef, 1);
	static const uint8_t want[] = {
		0xbe, 0xef, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1, /* header: RD off, QD 1, AR 1 */
		0x00, 0x00, 0x30, 0x00, 0x01,                   /* . DNSKEY IN */
		0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, /* OPT 4096, DO */
	};
	assert_int_equal(n, sizeof want);
	assert_memory_equal(b, want, sizeof want);

	n = mkquery(b, sizeof b, "512.size.lab.", 16, 1, 0);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, b, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_edns_udp_size(p), 4096);
	assert_false(ldns_pkt_edns_do(p));
	assert_false(ldns_pkt_rd(p));
	char *s = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	assert_string_equal(s, "512.size.lab.");
	free(s);
	ldns_pkt_free(p);

	craft_query_t rd = { .id = 7, .qname = "example.org", .qtype = 1, .rd = 1 };
	assert_int_equal(craft_dns_query2wire(&rd, b, sizeof b, &n, NULL, 0), CRAFT_OK);
	assert_int_equal(n, 12 + 13 + 4); /* no OPT */
	assert_int_equal(b[2], 0x01);
	assert_int_equal(b[11], 0);
}

static void test_query_errors(void **state)
{
	(void)state;
	uint8_t b[512];
	size_t n;
	char err[256], name[300];
	const char *bad[] = { "", "a..b", ".a", "a\\.b" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		craft_query_t q = { .qname = bad[i], .qtype = 1 };
		assert_int_equal(craft_dns_query2wire(&q, b, sizeof b, &n, err, sizeof err), CRAFT_ERR_ARG);
	}
	memset(name, 'a', 64);
	name[64] = 0;
	craft_query_t q = { .qname = name, .qtype = 1 };
	assert_int_equal(craft_dns_query2wire(&q, b, sizeof b, &n, err, sizeof err), CRAFT_ERR_ARG);
	name[63] = 0;
	assert_int_equal(craft_dns_query2wire(&q, b, sizeof b, &n, err, sizeof err), CRAFT_OK);
	/* 255 bytes of wire name at most: 4 labels of 63 = 4 * 64 + 1 = 257 */
	for (size_t i = 0; i < 4 * 64 - 1; i++)
		name[i] = i % 64 == 63 ? '.' : 'b';
	name[4 * 64 - 1] = 0;
	assert_int_equal(craft_dns_query2wire(&q, b, sizeof b, &n, err, sizeof err), CRAFT_ERR_ARG);
	craft_query_t ok = { .qname = "example", .qtype = 1, .edns = 1 };
	assert_int_equal(craft_dns_query2wire(&ok, b, 20, &n, err, sizeof err), CRAFT_ERR_SPACE);
}

static void test_pad_sizes(void **state)
{
	(void)state;
	uint8_t b[4096];
	for (size_t target = 0; target <= 1500; target++) {
		size_t n = mkquery(b, sizeof b, "512.size.lab", 16, 0x2222, target & 1);
		size_t out = 0;
		craft_status_t st = craft_dns_pad(b, n, sizeof b, target, &out, NULL, 0);
		if (target < n + 4) {
			assert_int_equal(st, CRAFT_ERR_ARG);
			continue;
		}
		assert_int_equal(st, CRAFT_OK);
		assert_int_equal(out, target);
		/* The OPT's RDLENGTH covers exactly the option; option 12, zeros. */
		assert_int_equal(be16(b + n - 2), target - n);
		assert_int_equal(be16(b + n), CRAFT_DNS_OPT_PADDING);
		assert_int_equal(be16(b + n + 2), target - n - 4);
		for (size_t i = n + 4; i < target; i++)
			assert_int_equal(b[i], 0);
		/* An independent parser agrees. */
		ldns_pkt *p = NULL;
		assert_int_equal(ldns_wire2pkt(&p, b, out), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_edns_udp_size(p), 4096);
		assert_int_equal(ldns_pkt_edns_do(p), (int)(target & 1));
		ldns_rdf *d = ldns_pkt_edns_data(p);
		assert_non_null(d);
		assert_int_equal(ldns_rdf_size(d), target - n);
		ldns_pkt_free(p);
	}
}

static void test_pad_errors(void **state)
{
	(void)state;
	uint8_t b[600], keep[600];
	size_t out, n = mkquery(b, sizeof b, "example", 1, 1, 0);
	char err[256];
	memcpy(keep, b, sizeof b);
	assert_int_equal(craft_dns_pad(b, n, 100, 200, &out, err, sizeof err), CRAFT_ERR_SPACE);
	assert_memory_equal(b, keep, sizeof b);
	assert_int_equal(craft_dns_pad(b, n, sizeof b, 300, &out, err, sizeof err), CRAFT_OK);
	assert_int_equal(craft_dns_pad(b, out, sizeof b, 400, &out, err, sizeof err), CRAFT_ERR_ARG);
	assert_non_null(strstr(err, "already"));

	craft_query_t noedns = { .qname = "example", .qtype = 1 };
	assert_int_equal(craft_dns_query2wire(&noedns, b, sizeof b, &n, NULL, 0), CRAFT_OK);
	assert_int_equal(craft_dns_pad(b, n, sizeof b, 100, &out, err, sizeof err), CRAFT_ERR_ARG);
	n = mkquery(b, sizeof b, "example", 1, 1, 0);
	b[n] = 0xff; /* a trailing byte */
	assert_int_equal(craft_dns_pad(b, n + 1, sizeof b, 100, &out, err, sizeof err), CRAFT_ERR_ARG);
	assert_int_equal(craft_dns_pad(b, n - 1, sizeof b, 100, &out, err, sizeof err), CRAFT_ERR_ARG); /* cut */
	assert_int_equal(craft_dns_pad(b, 5, sizeof b, 100, &out, err, sizeof err), CRAFT_ERR_ARG);
}

/* ------------------------------------------------------------- checksums */

static void test_checksums(void **state)
{
	(void)state;
	/* RFC 1071 §3's example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2. */
	static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(craft_inet_checksum(rfc1071, sizeof rfc1071), (uint16_t)~0xddf2);
	uint8_t odd[3] = { 0x12, 0x34, 0x56 };
	assert_int_equal(craft_inet_checksum(odd, 3), ref_checksum(odd, 3));

	/* UDP over many random datagrams, both families, odd and even lengths. */
	ip_addr_t s4 = addr("192.0.2.1"), d4 = addr("203.0.113.2"), s6 = addr("2001:db8:1::1"), d6 = addr("2001:db8:4::2");
	uint8_t d[2000];
	srand(7);
	for (int round = 0; round < 300; round++) {
		size_t n = 8 + (size_t)(rand() % 1900);
		for (size_t i = 0; i < n; i++)
			d[i] = (uint8_t)rand();
		d[4] = (uint8_t)(n >> 8), d[5] = (uint8_t)n, d[6] = d[7] = 0;
		assert_int_equal(craft_udp_checksum(&s4, &d4, d, n), ref_udp_checksum(&s4, &d4, d, n));
		assert_int_equal(craft_udp_checksum(&s6, &d6, d, n), ref_udp_checksum(&s6, &d6, d, n));
	}
}

/* ------------------------------------------------------------- trains */

/* Cross-checked on the wire by tests/probe/test-craft.sh's scapy fixture: an
 * IPv4 query, DF clear, TTL 9, id 0x1234, source port 44784. */
static void test_ip4_vector(void **state)
{
	(void)state;
	uint8_t q[512], buf[512], want[512];
	size_t qn = mkquery(q, sizeof q, "512.size.lab", 16, 0x1111, 0);
	craft_params_t p = { .src = addr("192.0.2.1"), .dst = addr("203.0.113.2"), .sport = 44784, .dport = 53,
	                     .ttl = 9, .id = 0x1234 };
	craft_train_t t;
	char err[256];
	assert_int_equal(craft_udp2train(&p, q, qn, buf, sizeof buf, &t, err, sizeof err), CRAFT_OK);
	size_t wn = unhex("45000045123400000911a170c0000201cb007102aef0003500314274111100000001000000000001"
	                  "033531320473697a65036c616200001000010000291000000000000000", want, sizeof want);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.pkt[0].len, wn);
	assert_memory_equal(t.pkt[0].data, want, wn);
	/* The header's own checksum verifies to zero; DF clear, no MF, offset 0. */
	assert_int_equal(ref_checksum(t.pkt[0].data, 20), 0);
	assert_int_equal(be16(t.pkt[0].data + 6), 0);

	p.df = 1;
	p.tos = 0xb8;
	assert_int_equal(craft_udp2train(&p, q, qn, buf, sizeof buf, &t, err, sizeof err), CRAFT_OK);
	assert_int_equal(be16(t.pkt[0].data + 6), 0x4000);
	assert_int_equal(t.pkt[0].data[1], 0xb8);
	assert_int_equal(ref_checksum(t.pkt[0].data, 20), 0);
}

static void test_ip4_fragments(void **state)
{
	(void)state;
	uint8_t q[2048], buf[4096], dg[4096];
	size_t qn = mkquery(q, sizeof q, "512.size.lab", 16, 0x2222, 0), out;
	assert_int_equal(craft_dns_pad(q, qn, sizeof q, 300, &out, NULL, 0), CRAFT_OK);
	for (int df = 0; df <= 1; df++) {
		craft_params_t p = { .src = addr("192.0.2.1"), .dst = addr("203.0.113.2"), .sport = 4000, .dport = 53,
		                     .ttl = 64, .id = 0xabcd, .df = df, .frag_data = 64 };
		craft_train_t t;
		size_t need = craft_train_size(&p, out, NULL, 0);
		assert_int_equal(need, 5 * 20 + 308);
		assert_int_equal(craft_udp2train(&p, q, out, buf, need - 1, &t, NULL, 0), CRAFT_ERR_SPACE);
		assert_int_equal(craft_udp2train(&p, q, out, buf, need, &t, NULL, 0), CRAFT_OK);
		assert_int_equal(t.count, 5); /* 308 = 4 * 64 + 52 */
		for (size_t i = 0; i < t.count; i++) {
			const uint8_t *h = t.pkt[i].data;
			size_t data = i < 4 ? 64 : 52;
			assert_int_equal(h[0], 0x45);
			assert_int_equal(be16(h + 2), 20 + data);
			assert_int_equal(t.pkt[i].len, 20 + data);
			assert_int_equal(be16(h + 4), 0xabcd);
			assert_int_equal(be16(h + 6) & 0x1fff, i * 64 / 8);
			assert_int_equal(!!(be16(h + 6) & 0x2000), i < 4);
			assert_int_equal(!!(be16(h + 6) & 0x4000), df);
			assert_int_equal(h[9], 17);
			assert_int_equal(ref_checksum(h, 20), 0);
		}
		/* The reassembled datagram: UDP length and checksum cover all of it. */
		size_t dn = reassemble(&t, dg, sizeof dg);
		assert_int_equal(dn, 308);
		assert_int_equal(be16(dg + 4), 308);
		assert_int_equal(be16(dg + 6), ref_udp_checksum(&p.src, &p.dst, dg, dn));
		assert_memory_equal(dg + 8, q, out);
	}
}

/* Cross-checked on the wire: IPv6, hop limit 64, 2 fragments of a query padded
 * to 120 bytes, fragment id 0xdeadbeef, source port 58249. */
static void test_ip6_fragment_header(void **state)
{
	(void)state;
	uint8_t q[512], buf[1024], want[256], dg[512];
	size_t qn = mkquery(q, sizeof q, "512.size.lab", 16, 0x3333, 0), out;
	assert_int_equal(craft_dns_pad(q, qn, sizeof q, 120, &out, NULL, 0), CRAFT_OK);
	craft_params_t p = { .src = addr("2001:db8:1::1"), .dst = addr("2001:db8:4::2"), .sport = 58249, .dport = 53,
	                     .ttl = 64, .id = 0xdeadbeef, .frag_data = 64 };
	craft_train_t t;
	assert_int_equal(craft_udp2train(&p, q, out, buf, sizeof buf, &t, NULL, 0), CRAFT_OK);
	assert_int_equal(t.count, 2);
	size_t wn = unhex("6000000000482c4020010db800010000000000000000000120010db80004000000000000000000021100"
	                  "0001deadbeefe38900350080e7a4333300000001000000000001033531320473697a65036c616200"
	                  "00100001000029100000000000004f000c004b0000000000000000000000", want, sizeof want);
	assert_int_equal(t.pkt[0].len, wn);
	assert_memory_equal(t.pkt[0].data, want, wn);
	/* Fragment header, network order: next header, reserved, offset<<3|M, id. */
	const uint8_t *f0 = t.pkt[0].data + 40, *f1 = t.pkt[1].data + 40;
	static const uint8_t fh0[8] = { 17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t fh1[8] = { 17, 0, 0x00, 0x40, 0xde, 0xad, 0xbe, 0xef };
	assert_memory_equal(f0, fh0, 8);
	assert_memory_equal(f1, fh1, 8);
	assert_int_equal(be32(f1 + 4), 0xdeadbeef);
	assert_int_equal(be16(t.pkt[1].data + 4), 8 + 64);
	assert_int_equal(t.pkt[1].data[6], 44);
	assert_int_equal(t.pkt[1].data[7], 64);
	size_t dn = reassemble(&t, dg, sizeof dg);
	assert_int_equal(dn, 128);
	assert_int_equal(be16(dg + 6), ref_udp_checksum(&p.src, &p.dst, dg, dn));

	/* Larger offsets and an id with every byte different. */
	uint8_t big[3000], bbuf[8192];
	memset(big, 0x5a, sizeof big);
	p.id = 0x01020304;
	p.frag_data = 1232;
	assert_int_equal(craft_udp2train(&p, big, sizeof big, bbuf, sizeof bbuf, &t, NULL, 0), CRAFT_OK);
	assert_int_equal(t.count, 3);
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *f = t.pkt[i].data + 40;
		assert_int_equal(be16(f + 2), (uint16_t)(i * 1232 | (i < 2)));
		assert_int_equal(f[4], 1);
		assert_int_equal(f[7], 4);
	}

	/* An atomic fragment: fragmenting asked, the datagram fits one. */
	p.frag_data = 1024;
	assert_int_equal(craft_udp2train(&p, q, out, buf, sizeof buf, &t, NULL, 0), CRAFT_OK);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.pkt[0].data[6], 44);
	assert_int_equal(be16(t.pkt[0].data + 42), 0);
	/* Unfragmented IPv6: no fragment header. */
	p.frag_data = 0;
	assert_int_equal(craft_udp2train(&p, q, out, buf, sizeof buf, &t, NULL, 0), CRAFT_OK);
	assert_int_equal(t.pkt[0].data[6], 17);
	assert_int_equal(be16(t.pkt[0].data + 4), 8 + out);
}

static void test_params_errors(void **state)
{
	(void)state;
	uint8_t q[64] = { 0 }, buf[256];
	craft_train_t t;
	char err[256];
	craft_params_t p = { .src = addr("192.0.2.1"), .dst = addr("2001:db8::1"), .id = 1 };
	assert_int_equal(craft_udp2train(&p, q, 20, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	p.dst = addr("203.0.113.2");
	p.id = 0;
	assert_int_equal(craft_udp2train(&p, q, 20, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	assert_non_null(strstr(err, "id"));
	p.id = 0x10000;
	assert_int_equal(craft_udp2train(&p, q, 20, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	p.id = 5;
	p.frag_data = 12;
	assert_int_equal(craft_udp2train(&p, q, 20, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	p.frag_data = 8; /* 65 fragments of a 512-byte datagram > CRAFT_MAX_PACKETS */
	static uint8_t big[600];
	assert_int_equal(craft_train_size(&p, 512, err, sizeof err), 0);
	assert_int_equal(craft_udp2train(&p, big, 512, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	p.frag_data = 0;
	memset(p.src.a, 0, 4);
	assert_int_equal(craft_udp2train(&p, q, 20, buf, sizeof buf, &t, err, sizeof err), CRAFT_ERR_ARG);
	p.src = addr("192.0.2.1");
	assert_int_equal(craft_train_size(&p, 65535 - 28 + 1, NULL, 0), 0);
	assert_int_equal(craft_train_size(&p, 65535 - 28, NULL, 0), 65535);
	assert_string_equal(craft_status2str(CRAFT_ERR_REWRITTEN), "crafted packets rewritten");
	assert_string_equal(craft_status2str((craft_status_t)99), "?");
}

/* ------------------------------------------------------------- libnet */

/* libnet's builders, fed the train's fields, must produce the crafted bytes. */
static void test_libnet_rebuilds_same_bytes(void **state)
{
	(void)state;
	char lerr[LIBNET_ERRBUF_SIZE], err[256];
	libnet_t *l = libnet_init(LIBNET_NONE, NULL, lerr);
	assert_non_null(l);
	uint8_t q[2048], buf[8192];
	size_t qn = mkquery(q, sizeof q, "512.size.lab", 16, 9, 1), out;
	assert_int_equal(craft_dns_pad(q, qn, sizeof q, 1000, &out, NULL, 0), CRAFT_OK);
	const char *pairs[][2] = { { "192.0.2.1", "203.0.113.2" }, { "2001:db8:1::1", "2001:db8:4::2" } };
	uint32_t frags[] = { 0, 128, 512, 2048 };
	for (size_t a = 0; a < 2; a++)
		for (size_t f = 0; f < 4; f++)
			for (int df = 0; df <= 1; df++) {
				craft_params_t p = { .src = addr(pairs[a][0]), .dst = addr(pairs[a][1]), .sport = 1234,
				                     .dport = 53, .ttl = (uint8_t)(3 + f), .tos = 0x10, .df = df,
				                     .id = a ? 0x80706050u : 0x8001, .frag_data = frags[f] };
				craft_train_t t;
				assert_int_equal(craft_udp2train(&p, q, out, buf, sizeof buf, &t, err, sizeof err), CRAFT_OK);
				for (size_t i = 0; i < t.count; i++) {
					libnet_clear_packet(l);
					craft_status_t st = craft_libnet_check(l, &t, i, err, sizeof err);
					if (st != CRAFT_OK)
						fail_msg("%s: %s", pairs[a][0], err);
				}
			}
	/* The check is not vacuous: a crafted byte libnet would not write (a hop
	 * limit differing from the parameters) is caught. */
	craft_params_t p6 = { .src = addr(pairs[1][0]), .dst = addr(pairs[1][1]), .sport = 1, .dport = 53, .ttl = 7,
	                      .id = 1, .frag_data = 64 };
	craft_train_t t6;
	assert_int_equal(craft_udp2train(&p6, q, out, buf, sizeof buf, &t6, NULL, 0), CRAFT_OK);
	buf[7] = 8;
	libnet_clear_packet(l);
	assert_int_equal(craft_libnet_check(l, &t6, 0, err, sizeof err), CRAFT_ERR_INTERNAL);
	assert_non_null(strstr(err, "byte 7"));

	/* The quirk itself: libnet 1.1.6 copies the IPv6 fragment header's
	 * offset and id as given, so host-order values come out swapped. */
	libnet_clear_packet(l);
	uint8_t pl[8] = { 0 }, *pkt = NULL;
	uint32_t sz = 0;
	assert_true(libnet_build_ipv6_frag(17, 0, 0x0040, 0x11223344, pl, 8, l, 0) != -1);
	assert_int_equal(libnet_pblock_coalesce(l, &pkt, &sz), 1);
	assert_int_equal(sz, 16);
	int swapped = pkt[2] == 0x40 && pkt[4] == 0x44; /* little-endian host */
	int bigend = htons(1) == 1;
	assert_true(bigend || swapped);
	libnet_adv_free_packet(l, pkt);
	libnet_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_bytes),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_pad_sizes),
		cmocka_unit_test(test_pad_errors),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_ip4_vector),
		cmocka_unit_test(test_ip4_fragments),
		cmocka_unit_test(test_ip6_fragment_header),
		cmocka_unit_test(test_params_errors),
		cmocka_unit_test(test_libnet_rebuilds_same_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
