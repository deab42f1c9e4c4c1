/* test_responder.c - dnsfrag-responder's pure query handler: fixed sizes, TC,
 * REFUSED, hostile input, the reply-size test's chain and search, the rate
 * limit and the command line.
 *
 * The Makefile links unit tests with common/ only, so the responder's
 * socket-free sources are compiled in here.
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

#include "../../responder/answer.c"
#include "../../responder/options.c"
#include "../../responder/query.c"
#include "../../responder/ratelimit.c"
#include "../../responder/rstest.c"

#define ZONE "rs-test.example"
#define WALL 1700000000 /* 2023-11-14 22:13:20 UTC */

/* ------------------------------------------------------------- helpers */

typedef struct qopt {
	int edns;          /* 0: no OPT */
	uint16_t bufsize;
	int do_bit;
	uint8_t version;
	uint16_t qtype;
	uint16_t qclass;
} qopt_t;

static qopt_t qo(uint16_t qtype, int edns, uint16_t bufsize, int do_bit)
{
	qopt_t o = { edns, bufsize, do_bit, 0, qtype, 1 };
	return o;
}

/* A query for name (presentation form, case kept) into buf; its length. */
static size_t qbuild(uint8_t *buf, size_t cap, uint16_t id, const char *name, qopt_t o)
{
	size_t n = 0;
	assert_true(cap >= 512);
	buf[n++] = (uint8_t)(id >> 8);
	buf[n++] = (uint8_t)id;
	buf[n++] = 0x00; /* RD off */
	buf[n++] = 0x00;
	buf[n++] = 0;
	buf[n++] = 1;
	memset(buf + n, 0, 6);
	buf[11] = o.edns ? 1 : 0;
	n += 6;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t ll = dot ? (size_t)(dot - p) : strlen(p);
		if (ll == 0)
			break;
		buf[n++] = (uint8_t)ll;
		memcpy(buf + n, p, ll);
		n += ll;
		p += ll + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	buf[n++] = (uint8_t)(o.qtype >> 8);
	buf[n++] = (uint8_t)o.qtype;
	buf[n++] = (uint8_t)(o.qclass >> 8);
	buf[n++] = (uint8_t)o.qclass;
	if (o.edns) {
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = 41;
		buf[n++] = (uint8_t)(o.bufsize >> 8);
		buf[n++] = (uint8_t)o.bufsize;
		buf[n++] = 0;
		buf[n++] = o.version;
		buf[n++] = o.do_bit ? 0x80 : 0;
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = 0;
	}
	return n;
}

typedef struct fixture {
	responder_t r;
	responder_client_t cl;
	responder_clock_t now;
	uint8_t q[1024];
	uint8_t out[RESPONDER_MSG_MAX];
	responder_reply_t reply;
} fixture_t;

static fixture_t *fx_new(unsigned rate)
{
	fixture_t *f = calloc(1, sizeof(*f));
	responder_config_t cfg = { .zone = ZONE, .rate = rate, .burst = rate ? 2 : 0, .slip = 2 };
	char err[256];
	assert_non_null(f);
	assert_int_equal(responder_init(&f->r, &cfg, 42, err, sizeof(err)), 0);
	f->cl.v6 = 0;
	f->cl.addr[0] = 192;
	f->cl.addr[1] = 0;
	f->cl.addr[2] = 2;
	f->cl.addr[3] = 53;
	f->cl.port = 40000;
	f->cl.transport = RESPONDER_UDP;
	f->cl.frag = 1472;
	f->now.mono_ms = 1000;
	f->now.wall_s = WALL;
	return f;
}

static void fx_free(fixture_t *f)
{
	responder_free(&f->r);
	free(f);
}

/* Ask; the answer length (0: none). */
static size_t fx_ask(fixture_t *f, const char *name, qopt_t o)
{
	size_t n = qbuild(f->q, sizeof(f->q), 0x1234, name, o);
	f->now.mono_ms += 10;
	responder_answer(&f->r, f->q, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	return f->reply.len;
}

/* The answer parsed by ldns (an independent parser); checks id and QR. */
static ldns_pkt *fx_pkt(fixture_t *f)
{
	ldns_pkt *p = NULL;
	assert_true(f->reply.len >= 12);
	assert_int_equal(ldns_wire2pkt(&p, f->out, f->reply.len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_true(ldns_pkt_qr(p));
	return p;
}

static unsigned fx_rcode(fixture_t *f)
{
	return f->out[3] & 0x0f;
}

static unsigned fx_count(fixture_t *f, unsigned which) /* 0 qd, 1 an, 2 ns, 3 ar */
{
	return (unsigned)f->out[4 + 2 * which] << 8 | f->out[5 + 2 * which];
}

static int fx_tc(fixture_t *f)
{
	return (f->out[2] & 0x02) != 0;
}

/* The CNAME target of the answer in presentation form (lower case). */
static void fx_cname(fixture_t *f, char *buf, size_t len)
{
	ldns_pkt *p = fx_pkt(f);
	ldns_rr_list *an = ldns_pkt_answer(p);
	assert_int_equal(ldns_rr_list_rr_count(an), 1);
	ldns_rr *rr = ldns_rr_list_rr(an, 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_CNAME);
	char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	snprintf(buf, len, "%s", s);
	free(s);
	ldns_pkt_free(p);
}

/* Randomise the case of letters (0x20), deterministically. */
static void case_mix(char *s, unsigned seed)
{
	for (size_t i = 0; s[i]; i++)
		if (s[i] >= 'a' && s[i] <= 'z' && ((seed >> (i % 23)) ^ i) & 1)
			s[i] = (char)(s[i] - 'a' + 'A');
}

/* -------------------------------------------------------- fixed sizes */

static void test_size_exact(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	static const unsigned sizes[] = { 100, 101, 255, 256, 257, 300, 511, 512, 513, 1000, 1232, 1233, 1400,
	                                  1401, 1452, 1453, 1472, 1473, 1500, 1501, 2048, 3000, 4096, 8192, 65000 };
	static const uint16_t types[] = { 16, 1, 48, 255 };
	char name[64];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			for (int mode = 0; mode < 4; mode++) { /* EDNS, EDNS+DO, no EDNS (TCP), EDNS over TCP */
				snprintf(name, sizeof(name), "%u.SiZe." ZONE, sizes[i]);
				int edns = mode != 2;
				f->cl.transport = mode >= 2 ? RESPONDER_TCP : RESPONDER_UDP;
				size_t n = fx_ask(f, name, qo(types[t], edns, 65535, mode == 1));
				if (sizes[i] < 150 && types[t] != 16 && types[t] != 255) {
					/* NODATA carries a SOA: too large to be this small */
					assert_int_equal(fx_rcode(f), 3);
					continue;
				}
				assert_int_equal(n, sizes[i]);
				assert_false(fx_tc(f));
				assert_int_equal(fx_rcode(f), 0);
				ldns_pkt *p = fx_pkt(f);
				assert_int_equal(ldns_pkt_edns(p) ? 1 : 0, edns);
				if (edns)
					assert_int_equal(ldns_pkt_edns_do(p) ? 1 : 0, mode == 1);
				/* 0x20: the question comes back exactly as sent */
				assert_memory_equal(f->out + 12, f->q + 12, strlen(name) + 2 + 4);
				ldns_pkt_free(p);
			}
	f->cl.transport = RESPONDER_UDP;
	/* Without EDNS over UDP: 512 is the most, larger is TC. */
	assert_int_equal(fx_ask(f, "512.size." ZONE, qo(16, 0, 0, 0)), 512);
	size_t n = fx_ask(f, "513.size." ZONE, qo(16, 0, 0, 0));
	assert_true(fx_tc(f));
	assert_true(n < 512);
	fx_free(f);
}

static void test_size_tc(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	size_t qlen = qbuild(f->q, sizeof(f->q), 0x1234, "1500.size." ZONE, qo(16, 1, 1232, 1));
	size_t n = fx_ask(f, "1500.size." ZONE, qo(16, 1, 1232, 1));
	assert_true(fx_tc(f));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	assert_true(n <= qlen); /* never amplifies */
	ldns_pkt *p = fx_pkt(f);
	assert_true(ldns_pkt_edns(p));
	assert_true(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	/* exactly the advertised size is fine */
	assert_int_equal(fx_ask(f, "1232.size." ZONE, qo(16, 1, 1232, 1)), 1232);
	assert_false(fx_tc(f));
	/* EDNS sizes below 512 mean 512 */
	assert_int_equal(fx_ask(f, "512.size." ZONE, qo(16, 1, 100, 0)), 512);
	/* over TCP, complete */
	f->cl.transport = RESPONDER_TCP;
	assert_int_equal(fx_ask(f, "1500.size." ZONE, qo(16, 1, 1232, 1)), 1500);
	assert_int_equal(fx_ask(f, "65535.size." ZONE, qo(16, 1, 1232, 1)), 65535);
	/* too small to build, or not a number: NXDOMAIN */
	fx_ask(f, "20.size." ZONE, qo(16, 1, 1232, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_ask(f, "0.size." ZONE, qo(16, 1, 1232, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_ask(f, "01500.size." ZONE, qo(16, 1, 1232, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_ask(f, "65536.size." ZONE, qo(16, 1, 1232, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_free(f);
}

static void test_size_hop_limit(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	/* Without --allow-ttl a hop limit is never set: REFUSED. */
	fx_ask(f, "ttl7.1400.size." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 5);
	assert_int_equal(f->reply.hop_limit, 0);
	f->r.allow_ttl = 1;
	fx_ask(f, "ttl0.1400.size." ZONE, qo(16, 1, 4096, 0)); /* never below 1 */
	assert_int_equal(fx_rcode(f), 3);
	assert_int_equal(f->reply.hop_limit, 0);
	assert_int_equal(fx_ask(f, "TTL7.1400.size." ZONE, qo(16, 1, 4096, 0)), 1400);
	assert_int_equal(f->reply.hop_limit, 7);
	assert_int_equal(fx_ask(f, "1400.size." ZONE, qo(16, 1, 4096, 0)), 1400);
	assert_int_equal(f->reply.hop_limit, 0);
	fx_ask(f, "ttl256.1400.size." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	assert_int_equal(f->reply.hop_limit, 0);
	fx_free(f);
}

/* teID.size.ZONE: the ICMP errors answers with that DNS id drew, to this client only. */
static void test_te_report(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	responder_te_t e;
	memset(&e, 0, sizeof(e));
	memcpy(e.client, f->cl.addr, 4);
	e.id = 42;
	e.from[0] = 198, e.from[1] = 51, e.from[2] = 100, e.from[3] = 2;
	e.type = 11;
	responder_te_add(&f->r, &e);
	e.id = 43;
	responder_te_add(&f->r, &e);
	e.id = 42;
	e.client[3] ^= 1; /* another client's */
	responder_te_add(&f->r, &e);
	fx_ask(f, "te42.size." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 5); /* not without --allow-ttl */
	f->r.allow_ttl = 1;
	size_t n = fx_ask(f, "te42.size." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 1);
	assert_non_null(memmem(f->out, n, "from=198.51.100.2 type=11 code=0 info=0", 39));
	fx_ask(f, "te44.size." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	for (unsigned i = 0; i < RESPONDER_TE_MAX + 5; i++) /* the ring keeps the newest */
		responder_te_add(&f->r, &e);
	assert_int_equal(f->r.te_n, RESPONDER_TE_MAX);
	fx_free(f);
}

/* ------------------------------------------------------ zone and errors */

static void test_refused_and_apex(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	fx_ask(f, "www.example.com", qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 5);
	assert_int_equal(fx_count(f, 1) + fx_count(f, 2), 0);
	fx_ask(f, "xrs-test.example", qo(1, 1, 4096, 0)); /* a suffix, not a sub-domain */
	assert_int_equal(fx_rcode(f), 5);
	fx_ask(f, "example", qo(1, 0, 0, 0));
	assert_int_equal(fx_rcode(f), 5);
	qopt_t ch = qo(16, 0, 0, 0);
	ch.qclass = 3;
	fx_ask(f, "1000.size." ZONE, ch);
	assert_int_equal(fx_rcode(f), 5);
	fx_ask(f, ZONE, qo(252, 0, 0, 0)); /* AXFR */
	assert_int_equal(fx_rcode(f), 5);

	fx_ask(f, "Rs-TEST.example", qo(6, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 1);
	ldns_pkt *p = fx_pkt(f);
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);
	fx_ask(f, ZONE, qo(2, 1, 4096, 0));
	assert_int_equal(fx_count(f, 1), 1);
	fx_ask(f, ZONE, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	assert_int_equal(fx_count(f, 2), 1);
	fx_ask(f, "nothing-here." ZONE, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_free(f);

	/* the NS name in the zone answers with the addresses it was given */
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	char err[128];
	responder_config_t cfg = { .zone = ZONE, .ns_addr = { "203.0.113.3", "2001:db8:4::3", "203.0.113.4" },
	                           .nns_addr = 3 };
	assert_int_equal(responder_init(&f->r, &cfg, 1, err, sizeof(err)), 0);
	f->now.wall_s = WALL;
	fx_ask(f, "NS." ZONE, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 2);
	fx_ask(f, "ns." ZONE, qo(28, 1, 4096, 0));
	assert_int_equal(fx_count(f, 1), 1);
	ldns_pkt *p6 = fx_pkt(f);
	char *a6 = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p6), 0), 0));
	assert_string_equal(a6, "2001:db8:4::3");
	free(a6);
	ldns_pkt_free(p6);
	fx_ask(f, "ns." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	fx_free(f);
}

static void answer_check_sane(fixture_t *f, size_t qlen)
{
	if (f->reply.len == 0)
		return;
	ldns_pkt *p = NULL;
	assert_true(f->reply.len >= 12);
	assert_int_equal(ldns_wire2pkt(&p, f->out, f->reply.len), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(p));
	ldns_pkt_free(p);
	/* an error answer is never larger than the query */
	if ((f->out[3] & 0x0f) != 0 && (f->out[3] & 0x0f) != 3)
		assert_true(f->reply.len <= qlen + 11);
}

static void test_garbage(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	uint8_t buf[600];
	size_t full = qbuild(buf, sizeof(buf), 0x1234, "rst.x1232.n12345678.rs." ZONE, qo(16, 1, 4096, 1));
	/* every truncation of a valid query */
	for (size_t n = 0; n <= full; n++) {
		responder_answer(&f->r, n ? buf : NULL, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
		if (n < 12)
			assert_int_equal(f->reply.len, 0);
		answer_check_sane(f, n);
		if (n >= 12 && n < full - 11) /* question cut: FORMERR */
			assert_int_equal(fx_rcode(f), 1);
	}
	/* every single-bit flip */
	for (size_t i = 0; i < full * 8; i++) {
		uint8_t m[600];
		memcpy(m, buf, full);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		f->now.mono_ms++;
		responder_answer(&f->r, m, full, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
		answer_check_sane(f, full);
	}
	/* random bytes, with a plausible header now and then */
	srand(7);
	for (int round = 0; round < 20000; round++) {
		uint8_t m[600];
		size_t n = (size_t)rand() % sizeof(m);
		for (size_t i = 0; i < n; i++)
			m[i] = (uint8_t)rand();
		if (round & 1 && n >= 12) {
			m[2] &= 0x07; /* a query, opcode 0 */
			m[4] = 0;
			m[5] = 1;
		}
		responder_answer(&f->r, m, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
		answer_check_sane(f, n);
	}
	/* a small output buffer is never overrun */
	uint8_t small[64];
	size_t n = qbuild(f->q, sizeof(f->q), 1, "1000.size." ZONE, qo(16, 1, 4096, 0));
	memset(small, 0xee, sizeof(small));
	responder_answer(&f->r, f->q, n, &f->cl, f->now, small, 40, &f->reply);
	assert_true(f->reply.len <= 40);
	assert_int_equal(small[40], 0xee);
	responder_answer(&f->r, f->q, n, &f->cl, f->now, small, 60, &f->reply);
	assert_true(f->reply.len > 0 && f->reply.len <= 60); /* TC=1, not NXDOMAIN */
	assert_int_equal(small[2] & 0x02, 0x02);
	assert_int_equal(small[3] & 0x0f, 0);
	fx_free(f);
}

static void test_formerr_cases(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	uint8_t m[600];
	size_t n;

	/* a response is never answered */
	n = qbuild(m, sizeof(m), 0x1234, "1000.size." ZONE, qo(16, 1, 4096, 0));
	m[2] |= 0x80;
	responder_answer(&f->r, m, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(f->reply.len, 0);

	/* qdcount 0 */
	n = qbuild(m, sizeof(m), 0x1234, "1000.size." ZONE, qo(16, 0, 0, 0));
	m[5] = 0;
	responder_answer(&f->r, m, 12, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);
	assert_int_equal(fx_count(f, 0), 0);

	/* a compression pointer in the question */
	static const uint8_t ptr[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 16, 0, 1 };
	responder_answer(&f->r, ptr, sizeof(ptr), &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);
	static const uint8_t loop[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0e, 0xc0, 0x0c, 0, 1 };
	responder_answer(&f->r, loop, sizeof(loop), &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);

	/* two OPT records */
	n = qbuild(m, sizeof(m), 0x1234, "1000.size." ZONE, qo(16, 1, 4096, 0));
	memcpy(m + n, m + n - 11, 11);
	m[11] = 2;
	responder_answer(&f->r, m, n + 11, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);

	/* an EDNS option longer than the OPT */
	n = qbuild(m, sizeof(m), 0x1234, "1000.size." ZONE, qo(16, 1, 4096, 0));
	m[n - 1] = 4; /* rdlength 4 */
	memcpy(m + n, "\x00\x0a\x00\x08", 4);
	responder_answer(&f->r, m, n + 4, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);

	/* arcount larger than what is there */
	n = qbuild(m, sizeof(m), 0x1234, "1000.size." ZONE, qo(16, 1, 4096, 0));
	m[11] = 9;
	responder_answer(&f->r, m, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);

	/* an opcode other than QUERY */
	n = qbuild(m, sizeof(m), 0x1234, ZONE, qo(6, 0, 0, 0));
	m[2] = 4 << 3; /* NOTIFY */
	responder_answer(&f->r, m, n, &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 4);

	/* EDNS version 1: BADVERS (16 = extended rcode 1, low bits 0) */
	qopt_t v1 = qo(16, 1, 4096, 0);
	v1.version = 1;
	fx_ask(f, "1000.size." ZONE, v1);
	ldns_pkt *p = fx_pkt(f);
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(fx_rcode(f), 0);
	ldns_pkt_free(p);

	/* a 64-byte label (reserved label type) */
	uint8_t big[80] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64 };
	responder_answer(&f->r, big, sizeof(big), &f->cl, f->now, f->out, sizeof(f->out), &f->reply);
	assert_int_equal(fx_rcode(f), 1);
	fx_free(f);
}

/* ------------------------------------------------- the reply-size test */

/* Follow a chain as a resolver would; lose answers as `lose` says. Returns
 * the final answer's TXT strings in lines (3 x 256). lose(size, retry#) says
 * whether the answer of that size is lost; ceil_retry is the EDNS size of
 * retries (Unbound falls back to 1472/1232), 0: unchanged. */
typedef int (*lose_fn)(unsigned size, unsigned attempt);

static void rs_run(fixture_t *f, uint16_t bufsize, lose_fn lose, uint16_t ceil_retry, char lines[3][256],
                   char chain_out[4][256])
{
	char name[256], target[256];
	unsigned seed = 1;
	snprintf(name, sizeof(name), "rs." ZONE);
	case_mix(name, seed++);
	size_t n = fx_ask(f, name, qo(16, bufsize != 0, bufsize, 1));
	assert_true(n > 0 && n < 512);
	fx_cname(f, target, sizeof(target));
	snprintf(chain_out[0], 256, "%s", target);
	for (int step = 0; step < 3; step++) {
		unsigned attempt = 0;
		char cur[256]; /* the name being asked: the target of the last answer that arrived */
		snprintf(cur, sizeof(cur), "%s", target);
		cur[strlen(cur) - 1] = '\0'; /* drop the final dot */
		for (;;) {
			snprintf(name, sizeof(name), "%s", cur);
			case_mix(name, seed++);
			/* qname minimisation first: every ancestor below the zone, type A */
			const char *dot = strchr(name, '.');
			while (dot && strlen(dot + 1) > strlen(ZONE)) {
				fx_ask(f, dot + 1, qo(1, 1, bufsize, 0));
				assert_int_equal(fx_rcode(f), 0); /* NODATA, never NXDOMAIN */
				assert_int_equal(fx_count(f, 1), 0);
				assert_int_equal(fx_count(f, 2), 1);
				dot = strchr(dot + 1, '.');
			}
			uint16_t b = attempt && ceil_retry ? ceil_retry : bufsize;
			n = fx_ask(f, name, qo(16, b != 0, b, 1));
			assert_int_equal(fx_rcode(f), 0);
			assert_false(fx_tc(f));
			/* the answer is as large as the name it points to says */
			fx_cname(f, target, sizeof(target));
			unsigned named = (unsigned)atoi(target + 5);
			assert_int_equal(target[4], 'x');
			assert_int_equal(n, named);
			assert_true(n <= (b ? (b < 512 ? 512 : b) : 512));
			if (getenv("TEST_RS_VERBOSE"))
				fprintf(stderr, "step %d attempt %u edns %u %s: %zu %s\n", step, attempt, b, name, n,
				        lose && lose((unsigned)n, attempt) ? "lost" : "delivered");
			if (!lose || !lose((unsigned)n, attempt))
				break;
			attempt++;
			assert_true(attempt < 8);
		}
		snprintf(chain_out[step + 1], 256, "%s", target);
	}
	snprintf(name, sizeof(name), "%s", target);
	name[strlen(name) - 1] = '\0';
	case_mix(name, seed++);
	n = fx_ask(f, name, qo(16, bufsize != 0, bufsize, 1));
	assert_true(n > 0 && n < 512);
	ldns_pkt *p = fx_pkt(f);
	ldns_rr_list *an = ldns_pkt_answer(p);
	assert_int_equal(ldns_rr_list_rr_count(an), 3);
	for (size_t i = 0; i < 3; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_TXT);
		assert_int_equal(ldns_rr_ttl(rr), 0);
		assert_int_equal(ldns_rr_rd_count(rr), 1);
		ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		size_t len = ldns_rdf_data(rd)[0];
		assert_int_equal(len + 1, ldns_rdf_size(rd));
		memcpy(lines[i], ldns_rdf_data(rd) + 1, len);
		lines[i][len] = '\0';
	}
	/* the TXT owner is the last name of the chain, as asked (0x20 kept) */
	assert_memory_equal(f->out + 12, f->q + 12, strlen(name) + 2);
	ldns_pkt_free(p);
}

static void test_rs_clean(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	char lines[3][256], chain[4][256];
	rs_run(f, 4096, NULL, 0, lines, chain);
	assert_string_equal(lines[0], "192.0.2.53 sent EDNS buffer size 4096");
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 4096 bytes");
	assert_string_equal(lines[2], "Tested at 2023-11-14 22:13:20 UTC");
	assert_non_null(strstr(chain[1], "rst.x4096.n"));
	assert_non_null(strstr(chain[3], "rst.x4096.x4096.x4096.n"));
	assert_non_null(strstr(chain[3], ".rs." ZONE "."));
	assert_non_null(strstr(f->reply.log, "limit=4096"));
	/* a repeated final query: the same strings, logged once */
	fx_free(f);

	/* a smaller advertised size is the ceiling; none is 512 */
	f = fx_new(0);
	rs_run(f, 1232, NULL, 0, lines, chain);
	assert_string_equal(lines[0], "192.0.2.53 sent EDNS buffer size 1232");
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 1232 bytes");
	rs_run(f, 0, NULL, 0, lines, chain);
	assert_string_equal(lines[0], "192.0.2.53 lacks EDNS, defaults to 512");
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 512 bytes");
	fx_free(f);

	/* an IPv6 client */
	f = fx_new(0);
	f->cl.v6 = 1;
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	memcpy(f->cl.addr, a6, 16);
	f->cl.frag = 1232;
	rs_run(f, 4096, NULL, 0, lines, chain);
	assert_string_equal(lines[0], "2001:db8:4::2 sent EDNS buffer size 4096");
	assert_string_equal(lines[1], "2001:db8:4::2 DNS reply size limit is at least 4096 bytes");
	fx_free(f);
}

static int lose_fragmented_1472(unsigned size, unsigned attempt)
{
	(void)attempt;
	return size > 1472;
}

static int lose_fragmented_1232(unsigned size, unsigned attempt)
{
	(void)attempt;
	return size > 1232;
}

static int lose_above_1372(unsigned size, unsigned attempt)
{
	(void)attempt;
	return size > 1372; /* a 1400-byte MTU further on, and no fragments */
}

static void test_rs_fragments_dropped(void **state)
{
	(void)state;
	char lines[3][256], chain[4][256];
	/* IPv4, server link 1500: fragments lost, Unbound's retries at 1472 */
	fixture_t *f = fx_new(0);
	rs_run(f, 4096, lose_fragmented_1472, 1472, lines, chain);
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 1472 bytes");
	assert_string_equal(lines[0], "192.0.2.53 sent EDNS buffer size 4096");
	assert_non_null(strstr(f->reply.log, "lost=4096,1473"));
	fx_free(f);
	/* a resolver that keeps its EDNS size on retries */
	f = fx_new(0);
	rs_run(f, 4096, lose_fragmented_1472, 0, lines, chain);
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 1472 bytes");
	fx_free(f);
	/* a server whose fragmentation point is 1232 (an IPv6 link of 1280) */
	f = fx_new(0);
	f->cl.frag = 1232;
	rs_run(f, 4096, lose_fragmented_1232, 1232, lines, chain);
	assert_string_equal(lines[1], "192.0.2.53 DNS reply size limit is at least 1232 bytes");
	fx_free(f);
	/* a smaller MTU further on: not exact, but a true lower bound */
	f = fx_new(0);
	rs_run(f, 4096, lose_above_1372, 0, lines, chain);
	unsigned got = (unsigned)atoi(lines[1] + strlen("192.0.2.53 DNS reply size limit is at least "));
	assert_true(got <= 1372 && got >= 1252);
	fx_free(f);
}

static void test_rs_tcp_retry_and_unknown(void **state)
{
	(void)state;
	fixture_t *f = fx_new(0);
	char target[256], name[256];
	fx_ask(f, "rs." ZONE, qo(16, 1, 4096, 0));
	fx_cname(f, target, sizeof(target));
	snprintf(name, sizeof(name), "%s", target);
	assert_int_equal(fx_ask(f, name, qo(16, 1, 4096, 0)), 4096);
	/* the same name over TCP: the 4096 counts as lost; a "t" step */
	f->cl.transport = RESPONDER_TCP;
	size_t n = fx_ask(f, name, qo(16, 1, 4096, 0));
	fx_cname(f, target, sizeof(target));
	assert_int_equal(target[4], 't');
	assert_int_equal(n, (size_t)atoi(target + 5));
	assert_int_equal(n, 1472);
	f->cl.transport = RESPONDER_UDP;
	/* a name the test never issued */
	char forged[256];
	snprintf(forged, sizeof(forged), "rst.x9999.%s", strchr(name, '.') + 1);
	fx_ask(f, forged, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	/* an unknown nonce */
	fx_ask(f, "rst.n0badf00d.rs." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_ask(f, "rst.nzzzzzzzz.rs." ZONE, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	/* empty non-terminals of the chain, and other types at chain names */
	fx_ask(f, "n0badf00d.rs." ZONE, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	fx_ask(f, "x1472.x4096.n0badf00d.rs." ZONE, qo(28, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	fx_ask(f, name, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	fx_ask(f, "rs." ZONE, qo(1, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 0);
	assert_int_equal(fx_count(f, 1), 0);
	/* a test is forgotten after RSTEST_IDLE_MS */
	f->now.mono_ms += RSTEST_IDLE_MS + 1;
	fx_ask(f, name, qo(16, 1, 4096, 0));
	assert_int_equal(fx_rcode(f), 3);
	fx_free(f);
}

static void test_rs_no_frag(void **state)
{
	(void)state;
	/* DF on: never try more than the server can send unfragmented */
	fixture_t *f = fx_new(0);
	char target[256];
	f->cl.no_frag = 1;
	fx_ask(f, "rs." ZONE, qo(16, 1, 4096, 0));
	fx_cname(f, target, sizeof(target));
	assert_int_equal(fx_ask(f, target, qo(16, 1, 4096, 0)), 1472);
	fx_free(f);
}

static void test_size_next(void **state)
{
	(void)state;
	rstest_query_t rq = { .tcp = 0, .ceiling = 4096, .frag = 1472, .v6 = 0 };
	assert_int_equal(rstest_size_next(&rq, 0, 0), 4096);       /* nothing known */
	assert_int_equal(rstest_size_next(&rq, 4096, 0), 4096);    /* converged at the ceiling */
	assert_int_equal(rstest_size_next(&rq, 0, 4096), 1472);    /* lost: the fragmentation point */
	assert_int_equal(rstest_size_next(&rq, 1472, 4096), 1473); /* the smallest fragmented */
	assert_int_equal(rstest_size_next(&rq, 1472, 1473), 1472); /* exact */
	assert_int_equal(rstest_size_next(&rq, 2000, 4096), 3048); /* fragments pass: bisect */
	assert_int_equal(rstest_size_next(&rq, 0, 1472), 1464);    /* PPPoE */
	assert_int_equal(rstest_size_next(&rq, 0, 1464), 1252);    /* 1280 */
	assert_int_equal(rstest_size_next(&rq, 0, 1252), 626 > 512 ? 626 : 512);
	assert_int_equal(rstest_size_next(&rq, 0, 513), 512);      /* never below 512 */
	rq.ceiling = 1472;                                          /* a retry at a smaller EDNS size */
	assert_int_equal(rstest_size_next(&rq, 0, 4096), 1472);
	rq.ceiling = 300;
	assert_int_equal(rstest_size_next(&rq, 0, 0), 512);
	rq = (rstest_query_t){ .ceiling = 4096, .frag = 0, .v6 = 1 };
	assert_int_equal(rstest_size_next(&rq, 0, 4096), 1444);    /* unknown MTU: the ladder */
	assert_int_equal(rstest_size_next(&rq, 1444, 4096), 2770);
}

/* ------------------------------------------------- rate limit, options */

static void test_rate_limit(void **state)
{
	(void)state;
	fixture_t *f = fx_new(1); /* 1 a second, burst 2, slip 2 */
	assert_int_equal(fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0)), 1000);
	assert_int_equal(fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0)), 1000);
	size_t a = fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0));
	size_t b = fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0));
	assert_true(a == 0 || b == 0);
	size_t slip = a ? a : b;
	assert_true(slip > 0 && slip < 100); /* TC, as small as the query */
	assert_true(fx_tc(f) || a > 0);
	/* another client is not affected */
	f->cl.addr[3] = 54;
	assert_int_equal(fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0)), 1000);
	f->cl.addr[3] = 53;
	/* refilled after a second */
	f->now.mono_ms += 1000;
	assert_int_equal(fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0)), 1000);
	/* TCP is not limited */
	f->cl.transport = RESPONDER_TCP;
	for (int i = 0; i < 10; i++)
		assert_int_equal(fx_ask(f, "1000.size." ZONE, qo(16, 1, 4096, 0)), 1000);
	assert_true(f->r.stats.ratelimited >= 2);
	fx_free(f);
}

static void test_options(void **state)
{
	(void)state;
	responder_options_t o;
	char err[256];
	char *ok[] = { "x", "-z", ZONE, "-l", "127.0.0.1", "-l", "::1", "-p", "5353", "--ipv4-df", "on",
	               "--ipv6-frag", "pmtu", "--delay", "250", NULL };
	assert_int_equal(responder_options_parse(15, ok, &o, err, sizeof(err)), 0);
	assert_int_equal(o.srv.port, 5353);
	assert_int_equal(o.srv.ipv4_df, 1);
	assert_int_equal(o.srv.ipv6_frag, SERVER_V6FRAG_PMTU);
	assert_int_equal(o.srv.delay_ms, 250);
	assert_int_equal(o.srv.nlisten, 2);
	char *dflt[] = { "x", "--zone", ZONE, NULL };
	assert_int_equal(responder_options_parse(3, dflt, &o, err, sizeof(err)), 0);
	assert_int_equal(o.srv.port, 53);
	assert_int_equal(o.srv.ipv6_frag, SERVER_V6FRAG_MIN_MTU);
	assert_int_equal(o.srv.nlisten, 2);
	assert_int_equal(o.cfg.oarc_max, 4096);

	char *bad1[] = { "x", "-z", ZONE, "--ipv4-df", "maybe", NULL };
	assert_int_equal(responder_options_parse(5, bad1, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--ipv4-df"));
	char *bad2[] = { "x", "-z", ZONE, "-l", "localhost", NULL };
	assert_int_equal(responder_options_parse(5, bad2, &o, err, sizeof(err)), -1);
	char *bad3[] = { "x", "-p", "70000", "-z", ZONE, NULL };
	assert_int_equal(responder_options_parse(5, bad3, &o, err, sizeof(err)), -1);
	char *bad4[] = { "x", NULL };
	assert_int_equal(responder_options_parse(1, bad4, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zone"));
	char *bad5[] = { "x", "-z", ZONE, "--bogus", NULL };
	assert_int_equal(responder_options_parse(4, bad5, &o, err, sizeof(err)), -1);
	char *bad6[] = { "x", "-z", ZONE, "--delay", NULL };
	assert_int_equal(responder_options_parse(4, bad6, &o, err, sizeof(err)), -1);

	responder_t r;
	responder_config_t cfg = { .zone = "bad zone" };
	assert_int_equal(responder_init(&r, &cfg, 1, err, sizeof(err)), -1);
	cfg.zone = ".";
	assert_int_equal(responder_init(&r, &cfg, 1, err, sizeof(err)), -1);
	cfg.zone = "a..b";
	assert_int_equal(responder_init(&r, &cfg, 1, err, sizeof(err)), -1);
	cfg.zone = "Example.ORG.";
	assert_int_equal(responder_init(&r, &cfg, 1, err, sizeof(err)), 0);
	assert_string_equal(r.zone_text, "example.org.");
	responder_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_exact),
		cmocka_unit_test(test_size_tc),
		cmocka_unit_test(test_size_hop_limit),
		cmocka_unit_test(test_te_report),
		cmocka_unit_test(test_refused_and_apex),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_formerr_cases),
		cmocka_unit_test(test_rs_clean),
		cmocka_unit_test(test_rs_fragments_dropped),
		cmocka_unit_test(test_rs_tcp_retry_and_unknown),
		cmocka_unit_test(test_rs_no_frag),
		cmocka_unit_test(test_size_next),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
