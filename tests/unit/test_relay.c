/* test_relay.c - the relay (common/relay.c) makes the same hook calls, with
 * the same values in the same order, as the pipeline made on it: called
 * directly, through a synchronous relay, and through a relay with its
 * consumer thread, on rings large and as small as allowed (so records wrap,
 * the producer waits for room and large calls go by heap copies).
 *
 * A recorder hook appends a text line per call with every field relay.h says
 * is carried; the three logs must be equal. The calls are made up by a seeded
 * generator covering each kind and its edge cases: first fragments with
 * payloads up to 70 kB, names up to the longest presentation form, events
 * without ranges or pieces, and many pieces. (The pipeline never makes a call
 * without its key, and neither does the generator.) Each is also run with
 * relay_elide_dns_ticks, against the direct log less the packet lines that
 * rule leaves out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

/* ---- the recorder */

typedef struct rec_log {
	char *buf;
	size_t len, cap;
	uint64_t calls;
} rec_log_t;

static void log_printf(rec_log_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_printf(rec_log_t *l, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < l->cap - l->len) {
			l->len += (size_t)n;
			return;
		}
		l->cap = l->cap * 2 + (size_t)n + 1;
		l->buf = realloc(l->buf, l->cap);
		assert_non_null(l->buf);
	}
}

static void log_bytes(rec_log_t *l, const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a: the bytes themselves are compared by their hash and length */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	log_printf(l, " bytes=%zu:%08x", n, h);
}

static void log_addr(rec_log_t *l, const ip_addr_t *a)
{
	log_printf(l, " %u/", a->family);
	for (int i = 0; i < 16; i++)
		log_printf(l, "%02x", a->a[i]);
}

static void log_ip(rec_log_t *l, const pkt_ip_t *ip)
{
	log_printf(l, " v%u", ip->version);
	log_addr(l, &ip->src);
	log_addr(l, &ip->dst);
	log_printf(l, " ttl=%u tos=%u df=%u frag=%u mf=%u off=%u id=%u proto=%u ext=%u ci=%u opt=%u hl=%u tl=%u pwl=%u",
	           ip->ttl, ip->tos, ip->df, ip->is_fragment, ip->mf, ip->frag_offset, ip->id, ip->proto,
	           ip->ext_mask, ip->chain_incomplete, ip->options_len, ip->header_len, ip->total_len,
	           ip->payload_wire_len);
}

static void log_pkt(rec_log_t *l, const pkt_t *p, int full)
{
	log_printf(l, " frame=%llu ts=%lld cap=%u wire=%u point=%u", (unsigned long long)p->frame,
	           (long long)p->ts_ns, p->caplen, p->wirelen, p->point);
	if (!full) { /* relay.h: a packet that is not a fragment carries no more than this */
		log_printf(l, " v%u frag=%u", p->ip.version, p->ip.is_fragment);
		return;
	}
	log_printf(l, " dlt=%d et=%u vl=%u/%u/%u pppoe=%u/%u if=%u/%u", p->link.dlt, p->link.ethertype,
	           p->link.vlan_count, p->link.vlan[0], p->link.vlan[1], p->link.has_pppoe, p->link.pppoe_session,
	           p->link.has_ifindex, p->link.ifindex);
	log_ip(l, &p->ip);
}

static void log_pieces(rec_log_t *l, const reasm_piece_t *p, uint32_t n)
{
	log_printf(l, " pieces=%u", n);
	for (uint32_t i = 0; p && i < n; i++)
		log_printf(l, " [%llu %lld %u %u %d]", (unsigned long long)p[i].frame, (long long)p[i].ts_ns,
		           p[i].offset, p[i].len, p[i].more);
}

static void rec_packet(void *ctx, const pkt_t *pkt)
{
	rec_log_t *l = ctx;
	l->calls++;
	log_printf(l, "packet");
	log_pkt(l, pkt, pkt->ip.is_fragment);
	if (pkt->ip.is_fragment && pkt->ip.frag_offset == 0)
		log_bytes(l, cursor_ptr(&pkt->ip.payload), cursor_left(&pkt->ip.payload));
	log_printf(l, "\n");
}

static void rec_reasm(void *ctx, const reasm_event_t *ev, uint32_t point)
{
	rec_log_t *l = ctx;
	l->calls++;
	log_printf(l, "reasm point=%u kind=%d reason=%d nh=%u disc=%d first=%d last=%d total=%u frame=%llu differs=%d trunc=%d",
	           point, ev->kind, ev->reason, ev->next_header, ev->receiver_discards, ev->have_first,
	           ev->have_last, ev->total_len, (unsigned long long)ev->frame, ev->differs, ev->truncated);
	const reasm_key_t *k = ev->key;
	log_printf(l, " key=%u/%u/%u", k->family, k->proto, k->id);
	log_bytes(l, k->src, 16);
	log_bytes(l, k->dst, 16);
	log_printf(l, " ranges=%u", ev->nranges);
	for (uint32_t i = 0; ev->ranges && i < ev->nranges; i++)
		log_printf(l, " [%u,%u)", ev->ranges[i].start, ev->ranges[i].end);
	log_pieces(l, ev->pieces, ev->npieces);
	log_printf(l, "\n");
}

static void rec_dns(void *ctx, const dns_msg_t *m)
{
	rec_log_t *l = ctx;
	const dns_view_t *v = m->view;
	l->calls++;
	log_printf(l, "dns t=%d", m->transport);
	log_addr(l, &m->src);
	log_addr(l, &m->dst);
	log_printf(l, " %u>%u frame=%llu first=%llu ts=%lld point=%u id=%u ttl=%u df=%u iplen=%u nfrags=%u disc=%d",
	           m->sport, m->dport, (unsigned long long)m->frame, (unsigned long long)m->first_frame,
	           (long long)m->ts_ns, m->point, m->ip_id, m->ttl, m->df, m->ip_len, m->nfrags,
	           m->receiver_discards);
	log_printf(l, " view id=%u qr=%u op=%u aa=%u tc=%u rd=%u ra=%u ad=%u cd=%u rcode=%u counts=%u/%u/%u/%u q=%u",
	           v->id, v->qr, v->opcode, v->aa, v->tc, v->rd, v->ra, v->ad, v->cd, v->rcode, v->qdcount,
	           v->ancount, v->nscount, v->arcount, v->has_question);
	log_printf(l, " name=%s/%u type=%u class=%u opt=%u size=%u ver=%u do=%u opts=%u nsid=%u cookie=%u pad=%u ede=%u/%u len=%u cut=%u mal=%s",
	           v->qname, v->qname_len, v->qtype, v->qclass, v->has_opt, v->udp_size, v->edns_version, v->do_bit,
	           v->opt_options, v->has_nsid, v->has_cookie, v->has_padding, v->has_ede, v->ede_code,
	           v->wire_len, v->cut, v->malformed ? v->malformed : "-");
	log_pieces(l, m->pieces, m->nfrags);
	log_printf(l, "\n");
}

static void rec_icmp(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	rec_log_t *l = ctx;
	l->calls++;
	log_printf(l, "icmp");
	log_pkt(l, pkt, 1);
	log_printf(l, " fam=%u type=%u code=%u kind=%d mtu=%u ok=%d ports=%d %u>%u qb=%u qp=%u", icmp->family,
	           icmp->type, icmp->code, icmp->kind, icmp->mtu, icmp->quoted_ok, icmp->quoted_ports,
	           icmp->quoted_sport, icmp->quoted_dport, icmp->quoted_bytes, icmp->quoted_proto);
	log_ip(l, &icmp->quoted);
	log_printf(l, "\n");
}

static void rec_tcp(void *ctx, const tcps_event_t *ev, uint32_t point)
{
	rec_log_t *l = ctx;
	l->calls++;
	log_printf(l, "tcp point=%u kind=%d", point, ev->kind);
	log_addr(l, &ev->key->src);
	log_addr(l, &ev->key->dst);
	log_printf(l, " %u>%u want=%u gap=%u frame=%llu first=%llu ts=%lld mss=%u why=%d\n", ev->key->sport,
	           ev->key->dport, ev->want, ev->gap_len, (unsigned long long)ev->frame,
	           (unsigned long long)ev->first_frame, (long long)ev->ts_ns, ev->mss, ev->why);
}

static pipeline_hooks_t recorder(rec_log_t *l)
{
	pipeline_hooks_t h = { l, rec_packet, rec_reasm, rec_dns, rec_icmp, rec_tcp };
	return h;
}

/* ---- the made-up calls */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) /* 0 .. n-1 */
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng_state >> 33) % n);
}

static uint8_t payload[70200]; /* up to 64 bytes in, up to 70000 long */
static reasm_piece_t pieces[300];
static reasm_range_t ranges[40];

static void make_addr(ip_addr_t *a, int v6)
{
	memset(a, 0, sizeof *a);
	a->family = v6 ? 6 : 4;
	for (int i = 0; i < (v6 ? 16 : 4); i++)
		a->a[i] = (uint8_t)rnd(256);
}

static void make_ip(pkt_ip_t *ip)
{
	memset(ip, 0, sizeof *ip);
	int v6 = (int)rnd(2);
	ip->version = v6 ? 6 : 4;
	make_addr(&ip->src, v6);
	make_addr(&ip->dst, v6);
	ip->ttl = (uint8_t)rnd(256);
	ip->tos = (uint8_t)rnd(256);
	ip->df = (uint8_t)rnd(2);
	ip->is_fragment = rnd(3) == 0;
	ip->mf = (uint8_t)rnd(2);
	ip->frag_offset = rnd(2) ? 0 : rnd(65536) & ~7u;
	ip->id = rnd(1u << 31);
	ip->proto = (uint8_t)rnd(256);
	ip->ext_mask = (uint16_t)rnd(64);
	ip->chain_incomplete = (uint8_t)rnd(2);
	ip->options_len = (uint8_t)rnd(40);
	ip->header_len = rnd(100);
	ip->total_len = rnd(70000);
	/* the payload: sometimes none, sometimes large (over a small ring's quarter) */
	uint32_t n = rnd(8) == 0 ? rnd(sizeof payload - 64) : rnd(1600);
	ip->payload = cursor_make(rnd(10) ? payload + rnd(64) : NULL, n);
	if (rnd(5) == 0)
		cursor_skip(&ip->payload, rnd(40)); /* a cursor partly read */
	ip->payload_wire_len = rnd(70000);
}

static int64_t last_pkt_ts; /* a DNS message is often its packet's (relay_elide_dns_ticks) */

static void make_pkt(pkt_t *p)
{
	memset(p, 0, sizeof *p);
	p->frame = rnd(1u << 30) + ((uint64_t)rnd(4) << 32);
	p->ts_ns = (int64_t)rnd(1u << 30) * 1000 - 5000;
	last_pkt_ts = p->ts_ns;
	p->caplen = rnd(70000);
	p->wirelen = rnd(70000);
	p->point = rnd(4);
	p->link.dlt = (int)rnd(300);
	p->link.ethertype = (uint16_t)rnd(65536);
	p->link.vlan_count = (uint8_t)rnd(3);
	p->link.vlan[0] = (uint16_t)rnd(4096);
	p->link.vlan[1] = (uint16_t)rnd(4096);
	p->link.has_pppoe = (uint8_t)rnd(2);
	p->link.pppoe_session = (uint16_t)rnd(65536);
	p->link.has_ifindex = (uint8_t)rnd(2);
	p->link.ifindex = rnd(1000);
	make_ip(&p->ip);
}

static uint32_t make_pieces(uint32_t max)
{
	uint32_t n = rnd(4) == 0 ? rnd(max + 1) : rnd(5);
	for (uint32_t i = 0; i < n; i++) {
		pieces[i].frame = rnd(1u << 30);
		pieces[i].ts_ns = (int64_t)rnd(1u << 30);
		pieces[i].offset = rnd(65536);
		pieces[i].len = rnd(1500);
		pieces[i].more = (int)rnd(2);
	}
	return n;
}

static void call_one(const pipeline_hooks_t *h)
{
	switch (rnd(5)) {
	case 0: {
		pkt_t p;
		make_pkt(&p);
		h->packet(h->ctx, &p);
		break;
	}
	case 1: {
		reasm_key_t key = { (uint8_t)(rnd(2) ? 4 : 6), (uint8_t)rnd(256), rnd(1u << 31), { 0 }, { 0 } };
		for (int i = 0; i < 16; i++) {
			key.src[i] = (uint8_t)rnd(256);
			key.dst[i] = (uint8_t)rnd(256);
		}
		reasm_event_t ev = {
			.kind = (reasm_event_kind_t)rnd(6), .reason = (reasm_incomplete_reason_t)rnd(4), .key = &key,
			.next_header = (uint8_t)rnd(256), .data = payload, .len = rnd(1000), .receiver_discards = (int)rnd(2),
			.have_first = (int)rnd(2), .have_last = (int)rnd(2), .total_len = rnd(70000),
			.frame = rnd(1u << 30), .differs = (int)rnd(2), .truncated = (int)rnd(2),
		};
		ev.nranges = rnd(41);
		for (uint32_t i = 0; i < ev.nranges; i++) {
			ranges[i].start = rnd(65536);
			ranges[i].end = rnd(65536);
		}
		ev.ranges = ev.nranges || rnd(2) ? ranges : NULL;
		ev.npieces = make_pieces(300);
		ev.pieces = ev.npieces || rnd(2) ? pieces : NULL;
		h->reasm(h->ctx, &ev, rnd(4));
		break;
	}
	case 2: {
		dns_view_t v;
		memset(&v, 0xa5, sizeof v); /* what lies past the name must not matter */
		v.id = (uint16_t)rnd(65536);
		v.qr = (uint8_t)rnd(2);
		v.opcode = (uint8_t)rnd(16);
		v.aa = (uint8_t)rnd(2);
		v.tc = (uint8_t)rnd(2);
		v.rd = (uint8_t)rnd(2);
		v.ra = (uint8_t)rnd(2);
		v.ad = (uint8_t)rnd(2);
		v.cd = (uint8_t)rnd(2);
		v.rcode = (uint16_t)rnd(4096);
		v.qdcount = (uint16_t)rnd(3);
		v.ancount = (uint16_t)rnd(100);
		v.nscount = (uint16_t)rnd(100);
		v.arcount = (uint16_t)rnd(100);
		v.has_question = (uint8_t)rnd(2);
		uint32_t n = rnd(4) == 0 ? rnd(DNS_NAME_TEXT_MAX) : rnd(40);
		for (uint32_t i = 0; i < n; i++)
			v.qname[i] = (char)('!' + rnd(90));
		v.qname[n] = '\0';
		v.qname_len = (uint16_t)n;
		v.qtype = (uint16_t)rnd(65536);
		v.qclass = (uint16_t)rnd(65536);
		v.has_opt = (uint8_t)rnd(2);
		v.udp_size = (uint16_t)rnd(65536);
		v.edns_version = (uint8_t)rnd(256);
		v.do_bit = (uint8_t)rnd(2);
		v.opt_options = (uint16_t)rnd(20);
		v.has_nsid = (uint8_t)rnd(2);
		v.has_cookie = (uint8_t)rnd(2);
		v.has_padding = (uint8_t)rnd(2);
		v.has_ede = (uint8_t)rnd(2);
		v.ede_code = (uint16_t)rnd(30);
		v.wire_len = rnd(70000);
		v.cut = (uint8_t)rnd(2);
		v.malformed = rnd(3) ? NULL : "name runs past the message";
		dns_msg_t m = {
			.transport = rnd(2) ? DNS_OVER_UDP : DNS_OVER_TCP, .view = &v,
			.sport = (uint16_t)rnd(65536), .dport = 53, .frame = rnd(1u << 30), .first_frame = rnd(1u << 30),
			.ts_ns = rnd(2) ? last_pkt_ts : (int64_t)rnd(1u << 30), .point = rnd(4), .wire = payload,
			.wire_caplen = rnd(1000),
			.ip_id = rnd(65536), .ttl = (uint8_t)rnd(256), .df = (uint8_t)rnd(2), .ip_len = rnd(70000),
			.receiver_discards = (int)rnd(2),
		};
		make_addr(&m.src, (int)rnd(2));
		make_addr(&m.dst, m.src.family == 6);
		m.nfrags = make_pieces(300);
		m.pieces = m.nfrags ? pieces : NULL;
		h->dns(h->ctx, &m);
		break;
	}
	case 3: {
		pkt_t p;
		make_pkt(&p);
		l4_icmp_t icmp;
		memset(&icmp, 0, sizeof icmp);
		icmp.family = p.ip.version;
		icmp.type = (uint8_t)rnd(256);
		icmp.code = (uint8_t)rnd(256);
		icmp.kind = (icmp_kind_t)rnd(ICMP_KIND_COUNT);
		icmp.mtu = rnd(70000);
		icmp.quoted_ok = (int)rnd(2);
		make_ip(&icmp.quoted);
		icmp.quoted_ports = (int)rnd(2);
		icmp.quoted_sport = (uint16_t)rnd(65536);
		icmp.quoted_dport = (uint16_t)rnd(65536);
		icmp.quoted_bytes = rnd(1500);
		icmp.quoted_proto = (uint8_t)rnd(256);
		icmp.quoted_upper = cursor_make(payload, rnd(100));
		h->icmp(h->ctx, &p, &icmp);
		break;
	}
	default: {
		tcp_flow_key_t key;
		memset(&key, 0, sizeof key);
		make_addr(&key.src, (int)rnd(2));
		make_addr(&key.dst, key.src.family == 6);
		key.sport = (uint16_t)rnd(65536);
		key.dport = (uint16_t)rnd(65536);
		tcps_event_t ev = {
			.kind = (tcps_event_kind_t)rnd(8), .key = &key, .data = payload, .len = rnd(1000),
			.want = rnd(65536), .gap_len = rnd(65536), .frame = rnd(1u << 30), .first_frame = rnd(1u << 30),
			.ts_ns = (int64_t)rnd(1u << 30), .mss = (uint16_t)rnd(65536), .why = (tcps_why_t)rnd(3),
		};
		h->tcp(h->ctx, &ev, rnd(4));
		break;
	}
	}
}

#define NCALLS 20000

static void run_calls(const pipeline_hooks_t *h, uint64_t seed)
{
	rng_state = seed;
	last_pkt_ts = 0; /* both runs of a comparison start alike */
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)rnd(256);
	for (int i = 0; i < NCALLS; i++)
		call_one(h);
}

static long long line_ts(const char *line)
{
	const char *ts = strstr(line, " ts=");
	assert_non_null(ts);
	return strtoll(ts + 4, NULL, 10);
}

/* relay_elide_dns_ticks, told from the log alone: drop the line of a packet
 * that is not a fragment (logged without its link fields) when the next line
 * is a DNS message of the same ts. Returns the lines dropped. */
static uint64_t drop_elided(rec_log_t *l)
{
	uint64_t dropped = 0;
	size_t out = 0;
	for (size_t at = 0; at < l->len;) {
		char *end = memchr(l->buf + at, '\n', l->len - at);
		assert_non_null(end);
		size_t n = (size_t)(end - (l->buf + at)) + 1;
		char *next = end + 1;
		int tick = strncmp(l->buf + at, "packet ", 7) == 0 && !memmem(l->buf + at, n, " dlt=", 5);
		*end = '\0';
		int elided = 0;
		if (tick && next < l->buf + l->len && strncmp(next, "dns ", 4) == 0) {
			char *next_end = memchr(next, '\n', (size_t)(l->buf + l->len - next));
			assert_non_null(next_end);
			*next_end = '\0';
			elided = line_ts(l->buf + at) == line_ts(next);
			*next_end = '\n';
		}
		*end = '\n';
		if (elided)
			dropped++;
		else
			memmove(l->buf + out, l->buf + at, n), out += n;
		at += n;
	}
	l->len = out;
	l->calls -= dropped;
	return dropped;
}

/* The log of the calls made straight on the recorder, and through a relay
 * (with relay_elide_dns_ticks when elide is set: the direct log less those). */
static void compare_mode(size_t ring, int threaded, uint64_t seed, int elide)
{
	rec_log_t direct = { 0 }, relayed = { 0 };
	pipeline_hooks_t d = recorder(&direct), r = recorder(&relayed);
	run_calls(&d, seed);
	uint64_t want_elided = elide ? drop_elided(&direct) : 0;

	relay_t *rl = relay_new(ring, &r);
	assert_non_null(rl);
	if (elide)
		relay_elide_dns_ticks(rl);
	if (threaded)
		assert_int_equal(relay_start(rl), 0);
	pipeline_hooks_t in = relay_hooks(rl);
	run_calls(&in, seed);
	relay_finish(rl);
	const relay_stats_t *st = relay_stats(rl);
	assert_int_equal(st->elided, want_elided);
	if (elide) /* the generator makes such pairs often */
		assert_true(want_elided > NCALLS / 200); /* about 1 in 75 calls */
	assert_int_equal(st->calls + st->elided, NCALLS);
	assert_int_equal(st->lost, 0);
	if (ring == RELAY_RING_MIN) /* the large payloads and names went by heap copies */
		assert_true(st->spilled > 0);
	/* where the writer wraps depends only on the records' sizes, never on
	 * timing, so this holds for the threaded runs too */
	if (st->bytes > 2 * ring)
		assert_true(st->wraps > 0);

	assert_int_equal(relayed.calls, direct.calls);
	assert_int_equal(relayed.len, direct.len);
	if (memcmp(relayed.buf, direct.buf, direct.len) != 0) {
		size_t i = 0;
		while (relayed.buf[i] == direct.buf[i])
			i++;
		size_t from = i > 200 ? i - 200 : 0;
		fail_msg("logs differ at byte %zu:\n direct:  %.300s\n relayed: %.300s", i, direct.buf + from,
		         relayed.buf + from);
	}
	relay_free(rl);
	free(direct.buf);
	free(relayed.buf);
}

static void compare(size_t ring, int threaded, uint64_t seed)
{
	compare_mode(ring, threaded, seed, 0);
	compare_mode(ring, threaded, seed, 1);
}

static void test_synchronous(void **state)
{
	(void)state;
	compare(RELAY_RING_DEFAULT, 0, 1);
	compare(RELAY_RING_MIN, 0, 2);
}

static void test_threaded(void **state)
{
	(void)state;
	compare(RELAY_RING_DEFAULT, 1, 3);
	compare(RELAY_RING_MIN, 1, 4); /* wraps every few calls; the producer waits for room */
	compare(8192, 1, 5);
}

/* Only the hooks the consumer has are called through; a relay nobody fed
 * finishes at once, threaded or not; bad ring sizes are refused. */
static void test_life(void **state)
{
	(void)state;
	rec_log_t l = { 0 };
	pipeline_hooks_t only_dns = { .ctx = &l, .dns = rec_dns };
	relay_t *r = relay_new(RELAY_RING_MIN, &only_dns);
	assert_non_null(r);
	pipeline_hooks_t h = relay_hooks(r);
	assert_null(h.packet);
	assert_null(h.reasm);
	assert_non_null(h.dns);
	assert_null(h.icmp);
	assert_null(h.tcp);
	assert_int_equal(relay_start(r), 0);
	relay_finish(r);
	relay_finish(r);
	assert_int_equal(relay_stats(r)->calls, 0);
	relay_free(r);
	relay_free(NULL);
	assert_null(relay_new(RELAY_RING_MIN / 2, &only_dns));
	assert_null(relay_new(RELAY_RING_MIN + 8, &only_dns));
	free(l.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synchronous),
		cmocka_unit_test(test_threaded),
		cmocka_unit_test(test_life),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
