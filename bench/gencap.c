/* gencap.c - a synthetic resolver-side capture for the benchmark (bench/run).
 *
 * Writes a pcap (Ethernet, microsecond timestamps, little-endian) of the
 * traffic a busy resolver sees, from a fixed seed, so every run of the
 * benchmark reads the same bytes:
 *   - DNS over UDP, IPv4 (70%) and IPv6 (30%), between clients in 192.0.2.0/24
 *     and 2001:db8:1::/64 and servers in 198.51.100.0/24, 203.0.113.0/24 and
 *     2001:db8:53::/64; queries advertise EDNS 512/1232/4096 (or none), DO mixed;
 *     answers of 60-4000 bytes by query type;
 *   - answers larger than the server's MTU fragmented (IPv4 at 1,500; IPv6 at
 *     1,280 as NSD does, 1,500 for every fourth IPv6 server), 6% of trains with
 *     the first, a middle or the last fragment missing; half of those with the
 *     first fragment draw an ICMP reassembly time-exceeded from the client 30 s
 *     (IPv4) / 60 s (IPv6) later, half are retried over TCP;
 *   - answers larger than the advertised size truncated (TC=1) and retried over
 *     TCP: handshake (MSS), length-prefixed query, answer in MSS segments, FINs;
 *     2% of retries never see a SYN-ACK (SYN retransmitted at 1 s and 3 s);
 *   - ICMP needs-frag (MTU 1400) and ICMPv6 packet-too-big (MTU 1280) from a
 *     router to the server, quoting a DF answer, for 20% of the answers that
 *     would not fit;
 *   - 3% unanswered queries (a third retransmitted 800 ms later);
 *   - unrelated traffic: TCP/443 bursts and NTP (UDP/123).
 * Packets average 20,000 per second of capture time. Checksums (IPv4 header,
 * UDP, TCP, ICMP, ICMPv6) are all valid; the analyzer does not check them.
 *
 * Usage: gencap [-m MB] [-s SEED] -o FILE     (default 300 MB, seed 1)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PPS 20000               /* mean packets per second of capture time */
#define US 1LL
#define MS 1000LL
#define SEC 1000000LL
#define START_SEC 1767225600LL  /* 2026-01-01T00:00:00Z */
#define MAX_PKT 1600            /* every emitted frame fits an Ethernet MTU of 1500 */
#define NNAMES 4096
#define NFLOWS443 256

/* ---- randomness: splitmix64, fixed seed */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint32_t rng_below(uint32_t n) { return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32); }
static uint32_t rng_range(uint32_t lo, uint32_t hi) { return lo + rng_below(hi - lo + 1); }
static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }
static int rng_pct(double pct) { return rng_unit() * 100.0 < pct; }

/* ---- pending frames, a min-heap on (time, sequence): written in time order */
typedef struct frame {
	int64_t t_us;
	uint64_t seq;
	uint32_t len;
	uint8_t *data;
} frame_t;

static frame_t *heap;
static size_t heap_len, heap_cap;
static uint64_t frame_seq;

static int frame_before(const frame_t *a, const frame_t *b)
{
	return a->t_us < b->t_us || (a->t_us == b->t_us && a->seq < b->seq);
}

static void heap_push(int64_t t_us, const uint8_t *data, uint32_t len)
{
	if (heap_len == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 4096;
		heap = realloc(heap, heap_cap * sizeof *heap);
		if (!heap) {
			perror("gencap");
			exit(1);
		}
	}
	frame_t f = { t_us, frame_seq++, len, malloc(len) };
	if (!f.data) {
		perror("gencap");
		exit(1);
	}
	memcpy(f.data, data, len);
	size_t i = heap_len++;
	while (i > 0 && frame_before(&f, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = f;
}

static frame_t heap_pop(void)
{
	frame_t top = heap[0], last = heap[--heap_len];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = l;
		if (l >= heap_len)
			break;
		if (r < heap_len && frame_before(&heap[r], &heap[l]))
			m = r;
		if (!frame_before(&heap[m], &last))
			break;
		heap[i] = heap[m];
		i = m;
	}
	if (heap_len)
		heap[i] = last;
	return top;
}

/* ---- output */
static FILE *out;
static uint64_t out_bytes, out_frames;

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void out_write(const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("gencap: write");
		exit(1);
	}
	out_bytes += n;
}

static void pcap_header_write(void)
{
	uint8_t h[24];
	put32le(h, 0xa1b2c3d4u);
	h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0; /* version 2.4 */
	put32le(h + 8, 0);                      /* thiszone */
	put32le(h + 12, 0);                     /* sigfigs */
	put32le(h + 16, 65535);                 /* snaplen */
	put32le(h + 20, 1);                     /* LINKTYPE_ETHERNET */
	out_write(h, sizeof h);
}

static void frame_write(const frame_t *f)
{
	uint8_t h[16];
	int64_t t = START_SEC * SEC + f->t_us;
	put32le(h, (uint32_t)(t / SEC));
	put32le(h + 4, (uint32_t)(t % SEC));
	put32le(h + 8, f->len);
	put32le(h + 12, f->len);
	out_write(h, sizeof h);
	out_write(f->data, f->len);
	out_frames++;
}

/* Write every pending frame due by t_us. */
static void heap_drain(int64_t t_us)
{
	while (heap_len && heap[0].t_us <= t_us) {
		frame_t f = heap_pop();
		frame_write(&f);
		free(f.data);
	}
}

/* ---- addresses */
typedef struct addr {
	int fam; /* 4 or 6 */
	uint8_t a[16];
} addr_t;

static addr_t addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	addr_t x = { 4, { a, b, c, d } };
	return x;
}

static addr_t addr6(uint16_t net, uint16_t host)
{
	addr_t x = { 6, { 0x20, 0x01, 0x0d, 0xb8, (uint8_t)(net >> 8), (uint8_t)net } };
	x.a[14] = (uint8_t)(host >> 8);
	x.a[15] = (uint8_t)host;
	return x;
}

static addr_t client_pick(int fam)
{
	if (fam == 4)
		return addr4(192, 0, 2, (uint8_t)rng_range(10, 250));
	return addr6(0x0001, (uint16_t)rng_range(0x10, 0x2ff));
}

/* servers: 200 in each IPv4 /24, 200 in 2001:db8:53::/64 */
static addr_t server_pick(int fam, uint32_t *index)
{
	*index = rng_below(200);
	if (fam == 4)
		return rng_pct(50) ? addr4(198, 51, 100, (uint8_t)(1 + *index)) : addr4(203, 0, 113, (uint8_t)(1 + *index));
	return addr6(0x0053, (uint16_t)(0x100 + *index));
}

static uint16_t port_pick(void) { return (uint16_t)rng_range(1024, 65535); }

/* ---- checksums (RFC 1071) */
static uint32_t sum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t l4_checksum(const addr_t *src, const addr_t *dst, uint8_t proto, const uint8_t *seg, size_t len)
{
	size_t alen = src->fam == 4 ? 4 : 16;
	uint32_t s = sum_add(0, src->a, alen);
	s = sum_add(s, dst->a, alen);
	s += proto;
	s += (uint32_t)len; /* fits 16 bits here; for IPv6 the upper half is zero */
	s = sum_add(s, seg, len);
	uint16_t c = sum_fold(s);
	return c == 0 && proto == 17 ? 0xffff : c;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* ---- IP packets */
static uint16_t ip4_ids[256 * 2];
static uint8_t last_ip[MAX_PKT]; /* the IP packet emitted last: what an ICMP error quotes */
static uint32_t last_ip_len;

typedef struct ipfrag {
	int is_frag;
	uint32_t id;
	uint32_t offset;
	int more;
} ipfrag_t;

/* One frame: Ethernet, IPv4 or IPv6 (with a fragment header when f->is_frag), payload. */
static void ip_emit(int64_t t, const addr_t *src, const addr_t *dst, uint8_t proto, uint8_t ttl, int df,
                    const ipfrag_t *f, const uint8_t *payload, uint32_t len)
{
	uint8_t b[MAX_PKT];
	static const uint8_t mac_a[6] = { 0x02, 0, 0x5e, 0x10, 0, 1 }, mac_b[6] = { 0x02, 0, 0x5e, 0x10, 0, 2 };
	int toward_client = src->a[0] != 192 && !(src->fam == 6 && src->a[5] == 1);
	memcpy(b, toward_client ? mac_a : mac_b, 6);
	memcpy(b + 6, toward_client ? mac_b : mac_a, 6);
	uint8_t *ip = b + 14;
	uint32_t hl;
	if (src->fam == 4) {
		hl = 20;
		uint16_t off = (uint16_t)((f && f->is_frag ? f->offset / 8 : 0) | (f && f->more ? 0x2000 : 0) |
		                          (df ? 0x4000 : 0));
		uint16_t id = f && f->is_frag ? (uint16_t)f->id : ip4_ids[src->a[3] + (src->a[0] == 203 ? 256 : 0)]++;
		ip[0] = 0x45, ip[1] = 0;
		put16(ip + 2, (uint16_t)(hl + len));
		put16(ip + 4, id);
		put16(ip + 6, off);
		ip[8] = ttl, ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, src->a, 4);
		memcpy(ip + 16, dst->a, 4);
		put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
		put16(b + 12, 0x0800);
	} else {
		hl = f && f->is_frag ? 48 : 40;
		put32(ip, 0x60000000u);
		put16(ip + 4, (uint16_t)(hl - 40 + len));
		ip[6] = f && f->is_frag ? 44 : proto;
		ip[7] = ttl;
		memcpy(ip + 8, src->a, 16);
		memcpy(ip + 24, dst->a, 16);
		if (f && f->is_frag) {
			ip[40] = proto, ip[41] = 0;
			put16(ip + 42, (uint16_t)(f->offset | (f->more ? 1 : 0)));
			put32(ip + 44, f->id);
		}
		put16(b + 12, 0x86dd);
	}
	if (14 + hl + len > MAX_PKT) {
		fprintf(stderr, "gencap: internal error: frame of %u bytes\n", 14 + hl + len);
		exit(1);
	}
	memcpy(ip + hl, payload, len);
	heap_push(t, b, 14 + hl + len);
	last_ip_len = hl + len;
	memcpy(last_ip, ip, last_ip_len);
}

/* A UDP datagram, fragmented to the sender's MTU. drop: bit i set means
 * fragment i never reaches the capture. Returns the number of fragments (0
 * when it went whole); *first (when non-NULL) gets the first fragment (or the
 * whole packet) as an ICMP error would quote it. */
static uint8_t first_frag[MAX_PKT];
static uint32_t first_frag_len;

static int udp_send(int64_t t, const addr_t *src, uint16_t sport, const addr_t *dst, uint16_t dport,
                    const uint8_t *msg, uint32_t len, uint32_t mtu, int df, uint32_t drop)
{
	static uint8_t dg[65536];
	uint32_t ulen = 8 + len;
	put16(dg, sport);
	put16(dg + 2, dport);
	put16(dg + 4, (uint16_t)ulen);
	put16(dg + 6, 0);
	memcpy(dg + 8, msg, len);
	put16(dg + 6, l4_checksum(src, dst, 17, dg, ulen));
	uint8_t ttl = src->a[0] == 192 || (src->fam == 6 && src->a[5] == 1) ? 64 : 57;
	uint32_t hl = src->fam == 4 ? 20 : 40;
	if (hl + ulen <= mtu) {
		ip_emit(t, src, dst, 17, ttl, df, NULL, dg, ulen);
		memcpy(first_frag, last_ip, last_ip_len);
		first_frag_len = last_ip_len;
		return 0;
	}
	uint32_t per = (mtu - hl - (src->fam == 6 ? 8 : 0)) & ~7u;
	uint32_t id = src->fam == 4 ? ip4_ids[src->a[3] + (src->a[0] == 203 ? 256 : 0)]++ : (uint32_t)rng_next();
	int n = 0;
	for (uint32_t off = 0; off < ulen; off += per, n++) {
		uint32_t chunk = ulen - off < per ? ulen - off : per;
		ipfrag_t f = { 1, id, off, off + chunk < ulen };
		if (drop & (1u << n))
			continue;
		ip_emit(t + n * 12, src, dst, 17, ttl, 0, &f, dg + off, chunk);
		if (off == 0) {
			memcpy(first_frag, last_ip, last_ip_len);
			first_frag_len = last_ip_len;
		}
	}
	return n;
}

static uint32_t frags_of(int fam, uint32_t dns_len, uint32_t mtu)
{
	uint32_t hl = fam == 4 ? 20 : 40, ulen = dns_len + 8;
	if (hl + ulen <= mtu)
		return 0;
	uint32_t per = (mtu - hl - (fam == 6 ? 8 : 0)) & ~7u;
	return (ulen + per - 1) / per;
}

/* ICMP error from reporter to dst quoting q (as much as fits 576 / 1280 bytes). */
static void icmp_error_send(int64_t t, const addr_t *reporter, const addr_t *dst, uint8_t type, uint8_t code,
                            uint32_t mtu, const uint8_t *q, uint32_t qlen)
{
	uint8_t m[MAX_PKT];
	uint32_t room = reporter->fam == 4 ? 576 - 20 - 8 : 1280 - 40 - 8;
	if (qlen > room)
		qlen = room;
	m[0] = type, m[1] = code;
	put16(m + 2, 0);
	put32(m + 4, reporter->fam == 4 ? mtu & 0xffff : mtu);
	memcpy(m + 8, q, qlen);
	if (reporter->fam == 4)
		put16(m + 2, sum_fold(sum_add(0, m, 8 + qlen)));
	else
		put16(m + 2, l4_checksum(reporter, dst, 58, m, 8 + qlen));
	ip_emit(t, reporter, dst, reporter->fam == 4 ? 1 : 58, 64, 0, NULL, m, 8 + qlen);
}

/* ---- TCP */
enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

static void tcp_send(int64_t t, const addr_t *src, uint16_t sport, const addr_t *dst, uint16_t dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, uint16_t mss, const uint8_t *data, uint32_t len)
{
	uint8_t s[MAX_PKT];
	uint32_t hl = mss ? 24 : 20;
	put16(s, sport);
	put16(s + 2, dport);
	put32(s + 4, seq);
	put32(s + 8, flags & TH_ACK ? ack : 0);
	s[12] = (uint8_t)(hl / 4 << 4);
	s[13] = flags;
	put16(s + 14, 64240);
	put16(s + 16, 0);
	put16(s + 18, 0);
	if (mss) {
		s[20] = 2, s[21] = 4;
		put16(s + 22, mss);
	}
	memcpy(s + hl, data, len);
	put16(s + 16, l4_checksum(src, dst, 6, s, hl + len));
	uint8_t ttl = src->a[0] == 192 || (src->fam == 6 && src->a[5] == 1) ? 64 : 57;
	ip_emit(t, src, dst, 6, ttl, 1, NULL, s, hl + len);
}

/* ---- DNS messages */
typedef struct name {
	uint8_t wire[64];
	uint32_t len;
} name_t;

static name_t names[NNAMES];

static void name_append(name_t *n, const char *label)
{
	size_t l = strlen(label);
	n->wire[n->len++] = (uint8_t)l;
	memcpy(n->wire + n->len, label, l);
	n->len += (uint32_t)l;
}

static void names_make(void)
{
	static const char *const hosts[] = { "www", "mail", "api", "cdn", "ns1", "_dmarc", "txt", "static",
	                                     "login", "img", "m", "smtp" };
	static const char *const tlds[] = { "example", "test", "invalid" };
	for (uint32_t i = 0; i < NNAMES; i++) {
		name_t *n = &names[i];
		char zone[32];
		n->len = 0;
		if (i % 4) /* a quarter are zone apexes (DNSKEY, MX) */
			name_append(n, hosts[rng_below(sizeof hosts / sizeof hosts[0])]);
		snprintf(zone, sizeof zone, "zone%u", i / 4);
		name_append(n, zone);
		name_append(n, tlds[i % 3]);
		n->wire[n->len++] = 0;
	}
}

enum { T_A = 1, T_MX = 15, T_TXT = 16, T_AAAA = 28, T_DNSKEY = 48, T_OPT = 41 };

static uint32_t dns_header(uint8_t *m, uint16_t id, uint16_t flags, uint16_t an, uint16_t ar, const name_t *q,
                           uint16_t qtype)
{
	put16(m, id);
	put16(m + 2, flags);
	put16(m + 4, 1);
	put16(m + 6, an);
	put16(m + 8, 0);
	put16(m + 10, ar);
	memcpy(m + 12, q->wire, q->len);
	put16(m + 12 + q->len, qtype);
	put16(m + 14 + q->len, 1);
	return 16 + q->len;
}

static uint32_t dns_opt(uint8_t *p, uint16_t udp_size, int do_bit)
{
	p[0] = 0;
	put16(p + 1, T_OPT);
	put16(p + 3, udp_size);
	put32(p + 5, do_bit ? 0x8000 : 0);
	put16(p + 9, 0);
	return 11;
}

static uint32_t dns_query_make(uint8_t *m, uint16_t id, const name_t *q, uint16_t qtype, uint16_t edns, int do_bit)
{
	uint32_t n = dns_header(m, id, 0x0100, 0, edns ? 1 : 0, q, qtype);
	if (edns)
		n += dns_opt(m + n, edns, do_bit);
	return n;
}

/* One RR, owner a pointer to the question, rdata rdlen bytes in the form of qtype. */
static uint32_t dns_rr(uint8_t *p, uint16_t qtype, uint32_t rdlen)
{
	put16(p, 0xc00c);
	put16(p + 2, qtype);
	put16(p + 4, 1);
	put32(p + 6, 3600);
	put16(p + 10, (uint16_t)rdlen);
	uint8_t *r = p + 12;
	for (uint32_t i = 0; i < rdlen; i++)
		r[i] = (uint8_t)('a' + (i * 7 + rdlen) % 26);
	if (qtype == T_TXT) { /* character-strings of at most 255 bytes */
		for (uint32_t at = 0; at < rdlen; at += 256)
			r[at] = (uint8_t)(rdlen - at - 1 < 255 ? rdlen - at - 1 : 255);
	} else if (qtype == T_DNSKEY) {
		put16(r, 257), r[2] = 3, r[3] = 8;
	} else if (qtype == T_MX) {
		put16(r, 10);
		r[2] = (uint8_t)(rdlen - 4), r[rdlen - 1] = 0; /* one label, then the root */
	}
	return 12 + rdlen;
}

/* An answer of exactly size bytes (TC=1: header, question and OPT only). */
static uint32_t dns_answer_make(uint8_t *m, uint16_t id, const name_t *q, uint16_t qtype, uint16_t edns, int do_bit,
                                uint32_t size, int tc)
{
	uint32_t head = 16 + q->len, opt = edns ? 11 : 0;
	uint32_t unit = qtype == T_A ? 4 : qtype == T_AAAA ? 16 : qtype == T_MX ? 20 : qtype == T_TXT ? 240 : 260;
	uint32_t body = size > head + opt ? size - head - opt : 0, n = head;
	uint16_t an = 0;
	/* full records of unit bytes; the last one takes what is left (a TXT
	 * when that does not suit the type's rdata) */
	while (!tc && body >= 13) {
		uint32_t rd = body - 12 > unit + 13 ? unit : body - 12;
		uint16_t type = qtype;
		if (((qtype == T_A || qtype == T_AAAA) && rd != unit) || rd < 4)
			type = T_TXT;
		n += dns_rr(m + n, type, rd);
		body -= 12 + rd;
		an++;
	}
	dns_header(m, id, (uint16_t)(0x8580 | (tc ? 0x0200 : 0)), an, edns ? 1 : 0, q, qtype);
	if (edns)
		n += dns_opt(m + n, 1232, do_bit);
	return n;
}

/* ---- scenarios */
static int64_t now_us; /* capture time of the activity being made */
static uint64_t stat_txn, stat_frag, stat_lost, stat_tc, stat_tcp_fail, stat_noans, stat_icmp, stat_other;

typedef struct txn {
	int fam;
	addr_t client, server;
	uint32_t server_index;
	uint16_t cport, id, qtype, edns;
	int do_bit;
	const name_t *q;
	uint32_t size;
	int64_t rtt;
} txn_t;

/* A TCP retry of the question: full connection, or SYNs never answered. */
static void tcp_retry(const txn_t *x, int64_t t)
{
	uint8_t m[8192], seg[2048];
	addr_t c = x->client, s = x->server;
	uint16_t cp = port_pick();
	uint32_t ci = (uint32_t)rng_next(), si = (uint32_t)rng_next();
	uint16_t mss = x->fam == 4 ? 1460 : 1220;
	if (rng_pct(2)) { /* the server never answers the SYN */
		stat_tcp_fail++;
		for (int k = 0; k < 3; k++)
			tcp_send(t + (k == 0 ? 0 : k == 1 ? 1 * SEC : 3 * SEC), &c, cp, &s, 53, ci, 0, TH_SYN, mss, NULL, 0);
		return;
	}
	tcp_send(t, &c, cp, &s, 53, ci, 0, TH_SYN, mss, NULL, 0);
	t += x->rtt;
	tcp_send(t, &s, 53, &c, cp, si, ci + 1, TH_SYN | TH_ACK, mss, NULL, 0);
	t += 15 * US;
	tcp_send(t, &c, cp, &s, 53, ci + 1, si + 1, TH_ACK, 0, NULL, 0);
	uint32_t ql = dns_query_make(m + 2, x->id ^ 0x5a5a, x->q, x->qtype, x->edns, x->do_bit);
	put16(m, (uint16_t)ql);
	t += 20 * US;
	tcp_send(t, &c, cp, &s, 53, ci + 1, si + 1, TH_PSH | TH_ACK, 0, m, ql + 2);
	uint32_t cseq = ci + 1 + ql + 2;
	uint32_t al = dns_answer_make(m + 2, x->id ^ 0x5a5a, x->q, x->qtype, x->edns, x->do_bit, x->size, 0);
	put16(m, (uint16_t)al);
	t += x->rtt;
	uint32_t sseq = si + 1;
	for (uint32_t off = 0; off < al + 2; off += mss) {
		uint32_t chunk = al + 2 - off < mss ? al + 2 - off : mss;
		memcpy(seg, m + off, chunk);
		tcp_send(t, &s, 53, &c, cp, sseq, cseq, TH_ACK | (off + chunk == al + 2 ? TH_PSH : 0), 0, seg, chunk);
		sseq += chunk;
		t += 12 * US;
	}
	t += 40 * US;
	tcp_send(t, &c, cp, &s, 53, cseq, sseq, TH_ACK, 0, NULL, 0);
	t += 100 * US;
	tcp_send(t, &c, cp, &s, 53, cseq, sseq, TH_FIN | TH_ACK, 0, NULL, 0);
	t += x->rtt;
	tcp_send(t, &s, 53, &c, cp, sseq, cseq + 1, TH_FIN | TH_ACK, 0, NULL, 0);
	t += 15 * US;
	tcp_send(t, &c, cp, &s, 53, cseq + 1, sseq + 1, TH_ACK, 0, NULL, 0);
}

static void dns_txn_make(void)
{
	uint8_t m[8192];
	txn_t x;
	memset(&x, 0, sizeof x);
	x.fam = rng_pct(30) ? 6 : 4;
	x.client = client_pick(x.fam);
	x.server = server_pick(x.fam, &x.server_index);
	x.cport = port_pick();
	x.id = (uint16_t)rng_next();
	double r = rng_unit();
	uint32_t ni = rng_below(NNAMES);
	if (r < 0.45) {
		x.qtype = T_A, x.size = rng_range(60, 250);
	} else if (r < 0.65) {
		x.qtype = T_AAAA, x.size = rng_range(80, 300);
	} else if (r < 0.80) {
		x.qtype = T_TXT, x.size = rng_pct(60) ? rng_range(100, 500) : rng_range(500, 4000);
	} else if (r < 0.90) {
		x.qtype = T_DNSKEY, x.size = rng_range(500, 4000), ni &= ~3u;
	} else {
		x.qtype = T_MX, x.size = rng_range(100, 700), ni &= ~3u;
	}
	x.q = &names[ni];
	double e = rng_unit();
	x.edns = e < 0.05 ? 0 : e < 0.15 ? 512 : e < 0.60 ? 1232 : 4096;
	x.do_bit = x.edns && rng_pct(x.qtype == T_DNSKEY ? 90 : 50);
	uint32_t minimum = 16 + x.q->len + (x.edns ? 11 : 0) + 16;
	if (x.size < minimum)
		x.size = minimum;
	x.rtt = rng_range(1000, 40000);
	stat_txn++;

	int64_t t = now_us;
	uint32_t ql = dns_query_make(m, x.id, x.q, x.qtype, x.edns, x.do_bit);
	udp_send(t, &x.client, x.cport, &x.server, 53, m, ql, 1500, 0, 0);
	if (rng_pct(3)) { /* never answered */
		stat_noans++;
		if (rng_pct(33))
			udp_send(t + 800 * MS, &x.client, x.cport, &x.server, 53, m, ql, 1500, 0, 0);
		return;
	}
	t += x.rtt;
	uint32_t limit = x.edns > 512 ? x.edns : 512;
	if (x.size > limit) { /* truncated, then TCP */
		stat_tc++;
		uint32_t al = dns_answer_make(m, x.id, x.q, x.qtype, x.edns, x.do_bit, x.size, 1);
		udp_send(t, &x.server, 53, &x.client, x.cport, m, al, 1500, 0, 0);
		tcp_retry(&x, t + 300 * US);
		return;
	}
	uint32_t mtu = x.fam == 4 || x.server_index % 4 == 0 ? 1500 : 1280;
	uint32_t al = dns_answer_make(m, x.id, x.q, x.qtype, x.edns, x.do_bit, x.size, 0);
	uint32_t nf = frags_of(x.fam, al, mtu);
	if (nf == 0) {
		uint32_t iplen = (x.fam == 4 ? 28 : 48) + al;
		int df = x.fam == 4 && rng_pct(50);
		udp_send(t, &x.server, 53, &x.client, x.cport, m, al, mtu, df, 0);
		int too_big = x.fam == 4 ? df && iplen > 1400 : iplen > 1280;
		if (too_big && rng_pct(20)) { /* a hop with a smaller MTU says so to the server */
			stat_icmp++;
			addr_t router = x.fam == 4 ? addr4(192, 0, 2, 1) : addr6(0x0001, 0x0001);
			icmp_error_send(t + 150 * US, &router, &x.server, x.fam == 4 ? 3 : 2, x.fam == 4 ? 4 : 0,
			                x.fam == 4 ? 1400 : 1280, first_frag, first_frag_len);
		}
		return;
	}
	stat_frag++;
	uint32_t drop = 0;
	if (rng_pct(6)) {
		stat_lost++;
		uint32_t which = rng_below(nf >= 3 ? 3 : 2);
		drop = which == 0 ? 1u : which == 1 && nf >= 3 ? 1u << rng_range(1, nf - 2) : 1u << (nf - 1);
	}
	udp_send(t, &x.server, 53, &x.client, x.cport, m, al, mtu, 0, drop);
	if (!drop)
		return;
	if (!(drop & 1) && rng_pct(50)) { /* the client's reassembly timer runs out */
		stat_icmp++;
		icmp_error_send(t + (x.fam == 4 ? 30 : 60) * SEC, &x.client, &x.server, x.fam == 4 ? 11 : 3, 1, 0,
		                first_frag, first_frag_len);
	} else if (rng_pct(50)) {
		tcp_retry(&x, t + 1 * SEC);
	}
}

/* Unrelated traffic: HTTPS bursts on long-lived flows, and NTP. */
typedef struct flow443 {
	addr_t c, s;
	uint16_t cp;
	uint32_t cseq, sseq;
} flow443_t;

static flow443_t flows443[NFLOWS443];

static void flows443_make(void)
{
	for (int i = 0; i < NFLOWS443; i++) {
		flow443_t *f = &flows443[i];
		int fam = i % 3 == 0 ? 6 : 4;
		f->c = client_pick(fam);
		f->s = fam == 4 ? addr4(203, 0, 113, (uint8_t)rng_range(201, 250)) : addr6(0x0443, (uint16_t)rng_range(1, 50));
		f->cp = port_pick();
		f->cseq = (uint32_t)rng_next();
		f->sseq = (uint32_t)rng_next();
	}
}

static void other_make(void)
{
	static uint8_t data[1500];
	int64_t t = now_us;
	stat_other++;
	if (rng_pct(70)) {
		flow443_t *f = &flows443[rng_below(NFLOWS443)];
		uint32_t mss = f->c.fam == 4 ? 1460 : 1440, n = rng_range(1, 4);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = rng_pct(60) ? mss : rng_range(60, mss);
			for (uint32_t k = 0; k < len; k += 8)
				data[k] = (uint8_t)rng_next();
			tcp_send(t, &f->s, 443, &f->c, f->cp, f->sseq, f->cseq, TH_ACK | TH_PSH, 0, data, len);
			f->sseq += len;
			t += 15 * US;
		}
		tcp_send(t + 300 * US, &f->c, f->cp, &f->s, 443, f->cseq, f->sseq, TH_ACK, 0, NULL, 0);
		if (rng_pct(30)) {
			uint32_t len = rng_range(40, 600);
			tcp_send(t + 2 * MS, &f->c, f->cp, &f->s, 443, f->cseq, f->sseq, TH_ACK | TH_PSH, 0, data, len);
			f->cseq += len;
		}
	} else {
		int fam = rng_pct(30) ? 6 : 4;
		addr_t c = client_pick(fam), s = fam == 4 ? addr4(198, 51, 100, 123) : addr6(0x0053, 0x0123);
		uint16_t cp = port_pick();
		memset(data, 0, 48);
		data[0] = 0x23; /* v4, client */
		udp_send(t, &c, cp, &s, 123, data, 48, 1500, 0, 0);
		data[0] = 0x24; /* v4, server */
		data[1] = 2;
		udp_send(t + rng_range(500, 20000), &s, 123, &c, cp, data, 48, 1500, 0, 0);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: gencap [-m MB] [-s SEED] -o FILE\n"
	                "  writes a synthetic resolver capture of about MB megabytes (default 300)\n");
}

int main(int argc, char **argv)
{
	double mb = 300;
	uint64_t seed = 1;
	const char *path = NULL;
	int ch;
	while ((ch = getopt(argc, argv, "m:s:o:h")) != -1) {
		switch (ch) {
		case 'm': mb = strtod(optarg, NULL); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'o': path = optarg; break;
		default: usage(); return 2;
		}
	}
	if (!path || mb <= 0) {
		usage();
		return 2;
	}
	out = fopen(path, "wb");
	if (!out) {
		fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	rng_state = seed;
	names_make();
	flows443_make();
	pcap_header_write();
	uint64_t target = (uint64_t)(mb * 1e6);
	while (out_bytes < target) {
		uint64_t before = frame_seq;
		if (rng_pct(88))
			dns_txn_make();
		else
			other_make();
		/* the next activity starts when this one's frames have "used" their
		 * share of time, with +-50% jitter */
		now_us += (int64_t)((double)(frame_seq - before) * (SEC / PPS) * (0.5 + rng_unit()));
		heap_drain(now_us);
	}
	/* the capture stops two seconds after the last activity began */
	heap_drain(now_us + 2 * SEC);
	while (heap_len)
		free(heap_pop().data);
	if (fclose(out) != 0) {
		fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(stderr,
	        "gencap: %s: %" PRIu64 " frames, %" PRIu64 " bytes, %.1f s of capture; %" PRIu64
	        " DNS transactions (%" PRIu64 " fragmented, %" PRIu64 " with fragments lost, %" PRIu64
	        " truncated, %" PRIu64 " TCP SYN timeouts, %" PRIu64 " unanswered), %" PRIu64 " ICMP errors made (those due after the end are not written), %" PRIu64
	        " other activities\n",
	        path, out_frames, out_bytes, (double)now_us / SEC, stat_txn, stat_frag, stat_lost, stat_tc, stat_tcp_fail,
	        stat_noans, stat_icmp, stat_other);
	return 0;
}
