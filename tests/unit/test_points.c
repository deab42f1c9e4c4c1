/* test_points.c - unit tests for common/points.c: datagrams matched across
 * capture points (whole, fragmented, first fragment only, no first fragment,
 * NAT with re-fragmentation and new IP ids, TCP segments, capture misses,
 * ICMP errors dropped, passed through NAT and originated between points),
 * fed as raw IPv4 records through one pipeline per point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "points.h"

#define SEC INT64_C(1000000000)
#define MS INT64_C(1000000)
#define DLT_IPV4_RAW 228

static const uint8_t CLIENT[4] = { 192, 0, 2, 1 }, SERVER[4] = { 203, 0, 113, 2 }, NATTED[4] = { 198, 51, 100, 1 };

/* A DNS message of len bytes: id, QR, question "big.example. TXT", padding. */
static uint32_t dns_make(uint8_t *m, uint32_t len, uint16_t id, int qr)
{
	static const uint8_t q[] = { 3, 'b', 'i', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 16, 0, 1 };
	memset(m, 0, len);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = qr ? 0x84 : 0x01;
	m[5] = 1; /* qdcount */
	memcpy(m + 12, q, sizeof q);
	for (uint32_t i = 12 + sizeof q; i < len; i++)
		m[i] = (uint8_t)(i * 7);
	return len;
}

typedef struct rig {
	points_t *pt;
	pipeline_t *p[POINTS_MAX];
	uint64_t frame[POINTS_MAX];
} rig_t;

static void rig_init(rig_t *r, uint32_t n)
{
	memset(r, 0, sizeof *r);
	const char *labels[POINTS_MAX] = { "client", "mb:in", "mb:out", "server" };
	r->pt = points_new(NULL, n, labels, NULL);
	assert_non_null(r->pt);
	for (uint32_t i = 0; i < n; i++) {
		pipeline_config_t cfg;
		pipeline_config_default(&cfg);
		cfg.point = i;
		pipeline_hooks_t h = points_hooks(r->pt, i, NULL);
		r->p[i] = pipeline_new(&cfg, &h);
		assert_non_null(r->p[i]);
	}
}

static void rig_free(rig_t *r)
{
	for (uint32_t i = 0; i < points_count(r->pt); i++)
		pipeline_free(r->p[i]);
	points_free(r->pt);
}

static void rig_finish(rig_t *r)
{
	for (uint32_t i = 0; i < points_count(r->pt); i++) {
		pipeline_flush(r->p[i]);
		points_point_end(r->pt, i, NULL);
	}
	points_finish(r->pt);
}

static uint16_t cksum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One IPv4 packet carrying bytes [off, off+len) of the UDP datagram udp. */
static void feed_ip(rig_t *r, uint32_t point, int64_t ts, const uint8_t *src, const uint8_t *dst, uint16_t ipid,
                    uint8_t proto, const uint8_t *udp, uint32_t udplen, uint32_t off, uint32_t len)
{
	static uint8_t pkt[70000];
	int more = off + len < udplen;
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)((20 + len) >> 8);
	pkt[3] = (uint8_t)(20 + len);
	pkt[4] = (uint8_t)(ipid >> 8);
	pkt[5] = (uint8_t)ipid;
	uint16_t fo = (uint16_t)(off / 8) | (more ? 0x2000 : 0);
	pkt[6] = (uint8_t)(fo >> 8);
	pkt[7] = (uint8_t)fo;
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, src, 4);
	memcpy(pkt + 16, dst, 4);
	uint16_t c = cksum(pkt, 20);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	memcpy(pkt + 20, udp + off, len);
	capture_record_t rec = { .data = pkt, .caplen = 20 + len, .wirelen = 20 + len, .ts_ns = ts, .dlt = DLT_IPV4_RAW };
	rec.frame = rec.file_frame = ++r->frame[point];
	points_record(r->pt, point, ts);
	pipeline_feed(r->p[point], &rec);
}

/* A UDP datagram (DNS len bytes) from src:sport to dst:dport, cut at mtu
 * payload bytes per fragment (0: whole). skip: bit i set drops fragment i. */
static void feed_dns(rig_t *r, uint32_t point, int64_t ts, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                     uint16_t dport, uint16_t ipid, uint16_t id, int qr, uint32_t len, uint32_t mtu, uint32_t skip)
{
	static uint8_t udp[70000];
	uint32_t ul = 8 + dns_make(udp + 8, len, id, qr);
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ul >> 8);
	udp[5] = (uint8_t)ul;
	udp[6] = udp[7] = 0; /* no checksum: a NAT would rewrite it anyway */
	if (!mtu) {
		feed_ip(r, point, ts, src, dst, ipid, 17, udp, ul, 0, ul);
		return;
	}
	uint32_t k = 0;
	for (uint32_t off = 0; off < ul; off += mtu, k++)
		if (!(skip & (1u << k)))
			feed_ip(r, point, ts + k * 1000, src, dst, ipid, 17, udp, ul, off, off + mtu < ul ? mtu : ul - off);
}

static const points_segment_counts_t *segc(rig_t *r, uint32_t i, uint32_t j, points_dir_t d)
{
	return points_segment(r->pt, i, j, d);
}

/* Answers travel server -> client: point 1 (server side) sees all three
 * fragments, point 0 only the first. */
static void test_nonfirst_lost(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	int64_t t = 1000 * SEC;
	feed_dns(&r, 0, t, CLIENT, 40000, SERVER, 53, 1, 0x1234, 0, 40, 0, 0);
	feed_dns(&r, 1, t + 1 * MS, CLIENT, 40000, SERVER, 53, 1, 0x1234, 0, 40, 0, 0);
	feed_dns(&r, 1, t + 5 * MS, SERVER, 53, CLIENT, 40000, 77, 0x1234, 1, 3000, 1480, 0);
	feed_dns(&r, 0, t + 6 * MS, SERVER, 53, CLIENT, 40000, 77, 0x1234, 1, 3000, 1480, 0x6);
	rig_finish(&r);
	const points_segment_counts_t *a = segc(&r, 0, 1, POINTS_DIR_ANSWER);
	assert_int_equal(a->upstream, 1);
	assert_int_equal(a->downstream, 1);
	assert_int_equal(a->lost[0][POINTS_LOSS_NONFIRST], 1);
	assert_int_equal(a->frags_lost[0][POINTS_LOSS_NONFIRST], 2);
	assert_int_equal(a->lost[0][POINTS_LOSS_FIRST], 0);
	const points_segment_counts_t *q = segc(&r, 0, 1, POINTS_DIR_QUERY);
	assert_int_equal(q->upstream, 1);
	assert_int_equal(q->downstream, 1);
	assert_int_equal(points_evidence_count(r.pt), 1);
	const points_evidence_t *e = points_evidence_get(r.pt, 0);
	assert_int_equal(e->from, 1);
	assert_int_equal(e->to, 0);
	assert_int_equal(e->dns_id, 0x1234);
	assert_string_equal(e->qname, "big.example.");
	assert_int_equal(e->at[1].nfrags, 3);
	assert_int_equal(e->at[0].nfrags, 1);
	assert_int_equal(e->at[0].frames[0], 2); /* the client point's second frame */
	assert_int_equal(points_totals(r.pt)->beyond_last[POINTS_DIR_QUERY], 0);
	rig_free(&r);
}

/* Behind a NAT that reassembles and re-fragments: new addresses, port, IP id
 * and fragment sizes, the same DNS message: matched, nothing lost. */
static void test_nat_refragment(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	int64_t t = 50 * SEC;
	feed_dns(&r, 0, t, CLIENT, 40001, SERVER, 53, 1, 0xbeef, 0, 40, 0, 0);
	feed_dns(&r, 1, t + 1 * MS, NATTED, 61000, SERVER, 53, 9, 0xbeef, 0, 40, 0, 0);
	feed_dns(&r, 1, t + 5 * MS, SERVER, 53, NATTED, 61000, 500, 0xbeef, 1, 3000, 1480, 0);
	/* the client side's clock is 300 ms behind */
	feed_dns(&r, 0, t - 300 * MS, SERVER, 53, CLIENT, 40001, 4242, 0xbeef, 1, 3000, 1232, 0);
	rig_finish(&r);
	const points_segment_counts_t *a = segc(&r, 0, 1, POINTS_DIR_ANSWER), *q = segc(&r, 0, 1, POINTS_DIR_QUERY);
	assert_int_equal(a->downstream, 1);
	assert_int_equal(a->nat, 1);
	assert_int_equal(a->refragmented, 1);
	assert_int_equal(a->changed, 0);
	assert_int_equal(q->nat, 1);
	for (int l = 0; l < POINTS_LOSS_COUNT; l++)
		assert_int_equal(a->lost[0][l] + q->lost[0][l], 0);
	assert_int_equal(points_totals(r.pt)->matched_all, 2);
	rig_free(&r);
}

/* The first fragment dropped: the rest arrive at the client side with no
 * ports or DNS header, tied to the answer by their bytes. */
static void test_first_lost_orphans(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	int64_t t = 7 * SEC;
	feed_dns(&r, 1, t, SERVER, 53, CLIENT, 40002, 88, 0x0a0b, 1, 3000, 1480, 0);
	feed_dns(&r, 0, t + 2 * MS, SERVER, 53, CLIENT, 40002, 88, 0x0a0b, 1, 3000, 1480, 0x1);
	rig_finish(&r);
	const points_segment_counts_t *a = segc(&r, 0, 1, POINTS_DIR_ANSWER);
	assert_int_equal(a->downstream, 1);
	assert_int_equal(a->lost[0][POINTS_LOSS_FIRST], 1);
	assert_int_equal(a->frags_lost[0][POINTS_LOSS_FIRST], 1);
	assert_int_equal(points_point(r.pt, 0)->unattributed_trains, 0);
	rig_free(&r);
}

/* Three points: a whole answer lost between the middle and the client side;
 * a query missing only at the middle point is a capture miss, not a loss; a
 * query that reached the far end and drew no answer is counted beyond it. */
static void test_whole_miss_beyond(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 3);
	int64_t t = 100 * SEC;
	for (uint32_t p = 0; p < 3; p++)
		feed_dns(&r, p, t + p * MS, CLIENT, 40003, SERVER, 53, 1, 1, 0, 40, 0, 0);
	for (uint32_t p = 3; p-- > 1;)
		feed_dns(&r, p, t + (10 - p) * MS, SERVER, 53, CLIENT, 40003, 2, 1, 1, 900, 0, 0);
	/* query 2: seen at 0 and 2, not at 1 */
	feed_dns(&r, 0, t + 20 * MS, CLIENT, 40004, SERVER, 53, 3, 2, 0, 40, 0, 0);
	feed_dns(&r, 2, t + 21 * MS, CLIENT, 40004, SERVER, 53, 3, 2, 0, 40, 0, 0);
	feed_dns(&r, 2, t + 25 * MS, SERVER, 53, CLIENT, 40004, 4, 2, 1, 100, 0, 0);
	feed_dns(&r, 1, t + 26 * MS, SERVER, 53, CLIENT, 40004, 4, 2, 1, 100, 0, 0);
	feed_dns(&r, 0, t + 27 * MS, SERVER, 53, CLIENT, 40004, 4, 2, 1, 100, 0, 0);
	/* query 3: everywhere, never answered */
	for (uint32_t p = 0; p < 3; p++)
		feed_dns(&r, p, t + (30 + p) * MS, CLIENT, 40005, SERVER, 53, 5, 3, 0, 40, 0, 0);
	/* keep every point's capture running past the datagrams */
	for (uint32_t p = 0; p < 3; p++)
		feed_dns(&r, p, t + 40 * SEC, CLIENT, 40006, SERVER, 53, 6, 4, 0, 40, 0, 0);
	rig_finish(&r);
	const points_segment_counts_t *a01 = segc(&r, 0, 1, POINTS_DIR_ANSWER);
	assert_int_equal(a01->lost[0][POINTS_LOSS_WHOLE], 1);
	assert_int_equal(segc(&r, 1, 2, POINTS_DIR_ANSWER)->lost[0][POINTS_LOSS_WHOLE], 0);
	assert_int_equal(points_point(r.pt, 1)->missed[POINTS_DIR_QUERY], 1);
	assert_int_equal(segc(&r, 0, 1, POINTS_DIR_QUERY)->lost[0][POINTS_LOSS_WHOLE], 0);
	/* query 3 and query 4 (the last one, unanswered) */
	assert_int_equal(points_totals(r.pt)->beyond_last[POINTS_DIR_QUERY], 2);
	rig_free(&r);
}

/* A TCP SYN to port 53 seen at the client side only. */
static void test_tcp_syn_lost(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	uint8_t tcp[20] = { 0x9c, 0x40, 0, 53, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff };
	feed_ip(&r, 0, 3 * SEC, CLIENT, SERVER, 1, 6, tcp, 20, 0, 20);
	feed_ip(&r, 1, 4 * SEC, CLIENT, SERVER, 1, 6, tcp, 20, 0, 20); /* a retransmission-free echo */
	tcp[7] = 0x45; /* another SYN, lost */
	feed_ip(&r, 0, 5 * SEC, CLIENT, SERVER, 2, 6, tcp, 20, 0, 20);
	feed_ip(&r, 1, 6 * SEC, SERVER, CLIENT, 3, 6, (const uint8_t[20]){ 0 }, 20, 0, 20); /* not port 53: ignored */
	rig_finish(&r);
	const points_segment_counts_t *q = segc(&r, 0, 1, POINTS_DIR_QUERY);
	assert_int_equal(q->tcp_upstream, 2);
	assert_int_equal(q->tcp_downstream, 1);
	assert_int_equal(q->lost[0][POINTS_LOSS_TCP], 1);
	rig_free(&r);
}

/* Bounded: a table of 4 datagrams judges the oldest early and counts it. */
static void test_bounded(void **state)
{
	(void)state;
	points_config_t cfg;
	points_config_default(&cfg);
	cfg.max_open = 4;
	cfg.max_trains = 2;
	points_t *pt = points_new(&cfg, 2, NULL, NULL);
	assert_non_null(pt);
	pipeline_t *p[2];
	for (uint32_t i = 0; i < 2; i++) {
		pipeline_config_t pc;
		pipeline_config_default(&pc);
		pc.point = i;
		pipeline_hooks_t h = points_hooks(pt, i, NULL);
		p[i] = pipeline_new(&pc, &h);
	}
	rig_t r = { .pt = pt, .p = { p[0], p[1] } };
	for (uint16_t id = 0; id < 20; id++)
		feed_dns(&r, id & 1, SEC + id * MS, CLIENT, 40000, SERVER, 53, id, id, 0, 40, 0, 0);
	for (uint16_t id = 0; id < 6; id++)
		feed_dns(&r, 1, 2 * SEC + id * MS, SERVER, 53, CLIENT, 40000, id, id, 1, 3000, 1480, 0x2);
	rig_finish(&r);
	assert_true(points_totals(pt)->evicted_early >= 16);
	assert_true(points_point(pt, 1)->trains_evicted >= 1);
	rig_free(&r);
}

/* An ICMPv4 error (type, code, MTU) from `from` to `to`, quoting an IPv4 UDP
 * datagram qsrc:qsport -> qdst:qdport whose DNS message (id, QR) is 600 bytes:
 * its headers and the first quote_dns bytes of DNS. frag_off (bytes, a
 * multiple of 8) quotes a non-first fragment: no UDP header then. */
static void feed_icmp(rig_t *r, uint32_t point, int64_t ts, const uint8_t *from, const uint8_t *to, uint8_t type,
                      uint8_t code, uint16_t mtu, const uint8_t *qsrc, uint16_t qsport, const uint8_t *qdst,
                      uint16_t qdport, uint16_t qipid, uint16_t id, int qr, uint32_t quote_dns, uint32_t frag_off)
{
	static uint8_t icmp[2000], dns[600];
	dns_make(dns, sizeof dns, id, qr);
	uint8_t *ip = icmp + 8, *udp = ip + 20;
	memset(icmp, 0, 28 + 8);
	icmp[0] = type;
	icmp[1] = code;
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	uint32_t ulen = 8 + sizeof dns, iplen = 20 + ulen;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[4] = (uint8_t)(qipid >> 8);
	ip[5] = (uint8_t)qipid;
	uint16_t fo = (uint16_t)(frag_off / 8) | (frag_off ? 0 : 0x4000);
	ip[6] = (uint8_t)(fo >> 8);
	ip[7] = (uint8_t)fo;
	ip[8] = 60;
	ip[9] = 17;
	memcpy(ip + 12, qsrc, 4);
	memcpy(ip + 16, qdst, 4);
	uint16_t c = cksum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	uint32_t n = 8 + 20;
	if (!frag_off) {
		udp[0] = (uint8_t)(qsport >> 8);
		udp[1] = (uint8_t)qsport;
		udp[2] = (uint8_t)(qdport >> 8);
		udp[3] = (uint8_t)qdport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(qsport ^ qdport); /* a checksum a NAT would rewrite */
		n += 8;
		memcpy(icmp + n, dns, quote_dns);
	} else {
		memcpy(icmp + n, dns + frag_off - 8, quote_dns);
	}
	n += quote_dns;
	c = cksum(icmp, n);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	feed_ip(r, point, ts, from, to, 0, 1, icmp, n, 0, n);
}

static const uint8_t ROUTER[4] = { 192, 0, 2, 254 };

/* A router beyond point 0 (client side) sends needs-frag about the server's
 * answers toward the server. The first passes a NAT (addresses, ports, IP id
 * and UDP checksum rewritten, also in the quote) and matches at point 1; the
 * second is filtered between the points: a PMTU black hole. */
static void test_icmp_dropped_nat(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	int64_t t = 100 * SEC;
	feed_icmp(&r, 0, t, ROUTER, SERVER, 3, 4, 1280, SERVER, 53, CLIENT, 40000, 5, 0x1111, 1, 548, 0);
	feed_icmp(&r, 1, t + 1 * MS, NATTED, SERVER, 3, 4, 1280, SERVER, 53, NATTED, 61000, 9, 0x1111, 1, 548, 0);
	feed_icmp(&r, 0, t + 10 * MS, ROUTER, SERVER, 3, 4, 1280, SERVER, 53, CLIENT, 40000, 6, 0x2222, 1, 548, 0);
	feed_dns(&r, 1, t + 20 * MS, CLIENT, 40002, SERVER, 53, 1, 0x3333, 0, 40, 0, 0); /* point 1 captures then */
	rig_finish(&r);
	const points_segment_counts_t *q = segc(&r, 0, 1, POINTS_DIR_QUERY), *a = segc(&r, 0, 1, POINTS_DIR_ANSWER);
	assert_int_equal(points_totals(r.pt)->icmp_errors, 2);
	assert_int_equal(points_totals(r.pt)->icmp_matched_all, 1);
	assert_int_equal(q->icmp_upstream, 2);
	assert_int_equal(q->icmp_downstream, 1);
	assert_int_equal(q->icmp_dropped[ICMP_KIND_NEEDS_FRAG], 1);
	assert_int_equal(q->icmp_originated[ICMP_KIND_NEEDS_FRAG], 0);
	assert_int_equal(a->icmp_upstream, 0);
	assert_int_equal(points_point(r.pt, 0)->icmp_seen[POINTS_DIR_QUERY], 2);
	assert_int_equal(points_point(r.pt, 1)->icmp_seen[POINTS_DIR_QUERY], 1);
	assert_int_equal(points_icmp_evidence_count(r.pt), 1);
	const points_icmp_evidence_t *e = points_icmp_evidence_get(r.pt, 0);
	assert_int_equal(e->fate, POINTS_ICMP_DROPPED);
	assert_int_equal(e->dir, POINTS_DIR_QUERY);
	assert_int_equal(e->kind, ICMP_KIND_NEEDS_FRAG);
	assert_int_equal(e->mtu, 1280);
	assert_int_equal(e->dns_id, 0x2222);
	assert_int_equal(e->from, 0);
	assert_int_equal(e->to, 1);
	assert_true(e->at[0].seen);
	assert_int_equal(e->at[0].frame, 2);
	assert_false(e->at[1].seen);
	assert_true(e->at[1].covered);
	rig_free(&r);
}

/* Time exceeded about a query travels toward the client: seen at the middle
 * point and the client's, not at the server's although it was capturing:
 * sent between them. A quote of a non-first fragment has no ports: counted,
 * not matched. Different DNS bytes or code: a different error. */
static void test_icmp_originated(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 3);
	int64_t t = 200 * SEC;
	feed_dns(&r, 2, t, CLIENT, 40003, SERVER, 53, 1, 0x4444, 0, 40, 0, 0);
	feed_icmp(&r, 1, t + 1 * MS, ROUTER, CLIENT, 11, 0, 0, CLIENT, 40003, SERVER, 53, 1, 0x4444, 0, 12, 0);
	feed_icmp(&r, 0, t + 2 * MS, ROUTER, CLIENT, 11, 0, 0, CLIENT, 40003, SERVER, 53, 1, 0x4444, 0, 12, 0);
	feed_icmp(&r, 0, t + 3 * MS, ROUTER, CLIENT, 11, 1, 0, CLIENT, 40003, SERVER, 53, 1, 0x4444, 0, 12, 0);
	feed_icmp(&r, 0, t + 4 * MS, ROUTER, SERVER, 11, 1, 0, SERVER, 53, CLIENT, 40003, 1, 0x4444, 1, 100, 496);
	feed_dns(&r, 2, t + 5 * MS, CLIENT, 40004, SERVER, 53, 2, 0x5555, 0, 40, 0, 0);
	rig_finish(&r);
	const points_segment_counts_t *a21 = segc(&r, 1, 2, POINTS_DIR_ANSWER), *a10 = segc(&r, 0, 1, POINTS_DIR_ANSWER);
	assert_int_equal(points_totals(r.pt)->icmp_errors, 2); /* code 0 and code 1 */
	assert_int_equal(a21->icmp_originated[ICMP_KIND_TTL_EXCEEDED], 1);
	assert_int_equal(a21->icmp_upstream, 0);
	assert_int_equal(a10->icmp_upstream, 1);
	assert_int_equal(a10->icmp_downstream, 1);
	assert_int_equal(a10->icmp_dropped[ICMP_KIND_TTL_EXCEEDED], 0);
	/* the reassembly timeout seen only at the client's point: born between 1 and 0 */
	assert_int_equal(a10->icmp_originated[ICMP_KIND_REASSEMBLY_TIMEOUT], 1);
	assert_int_equal(points_point(r.pt, 0)->icmp_undirected, 1);
	assert_int_equal(points_icmp_evidence_count(r.pt), 2);
	const points_icmp_evidence_t *e = points_icmp_evidence_get(r.pt, 0);
	assert_int_equal(e->fate, POINTS_ICMP_ORIGINATED);
	assert_int_equal(e->from, 2);
	assert_int_equal(e->to, 1);
	assert_int_equal(e->at[1].frame, 1);
	assert_int_equal(e->at[0].frame, 1);
	rig_free(&r);
}

/* Bounded: more ICMP errors in the window than are held are judged early. */
static void test_icmp_bounded(void **state)
{
	(void)state;
	rig_t r;
	rig_init(&r, 2);
	feed_dns(&r, 1, SEC, CLIENT, 40000, SERVER, 53, 1, 0x6666, 0, 40, 0, 0); /* point 1 captures then */
	for (uint32_t k = 0; k < POINTS_MAX_ICMP + 100; k++)
		feed_icmp(&r, 0, SEC + k * 1000, ROUTER, SERVER, 3, 4, 1280, SERVER, 53, CLIENT, 40000, 5, (uint16_t)k, 1, 12, 0);
	rig_finish(&r);
	assert_int_equal(points_totals(r.pt)->icmp_errors, POINTS_MAX_ICMP + 100);
	assert_int_equal(points_totals(r.pt)->icmp_judged_early, 100);
	assert_int_equal(points_icmp_evidence_count(r.pt), POINTS_MAX_ICMP_EVIDENCE);
	assert_int_equal(points_totals(r.pt)->icmp_evidence_dropped, POINTS_MAX_ICMP + 100 - POINTS_MAX_ICMP_EVIDENCE);
	rig_free(&r);
}

static void test_list_parse(void **state)
{
	(void)state;
	char buf[POINTS_PARSE_BUF(200)], err[200];
	const char *files[POINTS_MAX], *labels[POINTS_MAX];
	assert_int_equal(points_list_parse("d/s-probe.pcap,d/s-mb1-to-probe.pcap,s-mb1-to-resolver.pcapng", buf, sizeof buf,
	                                   files, labels, err, sizeof err),
	                 3);
	assert_string_equal(labels[0], "probe");
	assert_string_equal(labels[1], "mb1-to-probe");
	assert_string_equal(labels[2], "mb1-to-resolver");
	assert_string_equal(files[1], "d/s-mb1-to-probe.pcap");
	assert_int_equal(points_list_parse("in=a.pcap,fw:out=b.pcap", buf, sizeof buf, files, labels, err, sizeof err), 2);
	assert_string_equal(labels[1], "fw:out");
	assert_string_equal(files[1], "b.pcap");
	assert_int_equal(points_list_parse("a.pcap", buf, sizeof buf, files, labels, err, sizeof err), -1);
	assert_int_equal(points_list_parse("a.pcap,", buf, sizeof buf, files, labels, err, sizeof err), -1);
	assert_int_equal(points_list_parse("a,b,c,d,e,f,g,h,i", buf, sizeof buf, files, labels, err, sizeof err), -1);
	/* labels that would be empty without their prefix keep it */
	assert_int_equal(points_list_parse("x-.pcap,x-b.pcap", buf, sizeof buf, files, labels, err, sizeof err), 2);
	assert_string_equal(labels[0], "x-");
	assert_string_equal(labels[1], "x-b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nonfirst_lost),     cmocka_unit_test(test_nat_refragment),
		cmocka_unit_test(test_first_lost_orphans), cmocka_unit_test(test_whole_miss_beyond),
		cmocka_unit_test(test_tcp_syn_lost),      cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_list_parse),       cmocka_unit_test(test_icmp_dropped_nat),
		cmocka_unit_test(test_icmp_originated),  cmocka_unit_test(test_icmp_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
