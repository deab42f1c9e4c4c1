/* test_trace.c - the conclusion of a TTL trace from its hops
 * (probe/trace_conclude.c): the range [hop M, hop N] and its addresses, pass,
 * unknown, and each reason for "ambiguous". The pure source is compiled in
 * (the Makefile links unit tests with common/ only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/trace_conclude.c"

static ip_addr_t a4(const char *s)
{
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	a.family = 4;
	assert_int_equal(inet_pton(AF_INET, s, a.a), 1);
	return a;
}

static ip_addr_t a6(const char *s)
{
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	a.family = 6;
	assert_int_equal(inet_pton(AF_INET6, s, a.a), 1);
	return a;
}

static const char *const routers4[] = { "192.0.2.2", "198.51.100.2", "198.51.100.10", "203.0.113.2" };
static const char *const routers6[] = { "2001:db8:1::2", "2001:db8:2::2", "2001:db8:3::2", "2001:db8:4::2" };

/* A four-hop query path: ctl and prb spell each hop's result: T time exceeded
 * (from that hop's router), A answer, S silent, R reassembly timeout. */
static void path_make(trace_path_t *p, uint8_t family, const char *ctl, const char *prb)
{
	memset(p, 0, sizeof *p);
	p->kind = TRACE_KIND_QUERY;
	p->family = family;
	p->source = family == 4 ? a4("192.0.2.1") : a6("2001:db8:1::1");
	p->target = family == 4 ? a4("203.0.113.2") : a6("2001:db8:4::2");
	for (uint32_t i = 0; ctl[i]; i++) {
		trace_hop_t *h = &p->hop[p->nhops++];
		h->hop = i + 1;
		ip_addr_t r = family == 4 ? a4(routers4[i]) : a6(routers6[i]);
		for (int k = 0; k < 2; k++) {
			trace_obs_t *o = k ? &h->probe : &h->control;
			char c = k ? prb[i] : ctl[i];
			o->attempts = 1;
			o->seen = c == 'T' ? TRACE_TIME_EXCEEDED : c == 'A' ? TRACE_ANSWER : c == 'R' ? TRACE_REASSEMBLY
			                                                                           : TRACE_SILENT;
			if (c != 'S')
				o->from = r;
			if (c == 'T')
				o->first_te = o->later_te = 1;
		}
		if (ctl[i] == 'A')
			p->dest_hop = i + 1;
	}
}

static void test_located_v4(void **state)
{
	(void)state;
	trace_path_t p;
	char b[64];
	path_make(&p, 4, "TTTA", "TSSS");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_LOCATED);
	assert_int_equal(p.after_hop, 1);
	assert_int_equal(p.before_hop, 2);
	assert_string_equal(ip_addr2str(&p.after_addr, b, sizeof b), "192.0.2.2");
	assert_string_equal(ip_addr2str(&p.before_addr, b, sizeof b), "198.51.100.2");
	assert_non_null(strstr(p.sentence, "die between hop 1 (192.0.2.2) and hop 2 (198.51.100.2)"));
	assert_string_equal(p.ambiguous, "");
}

static void test_pass_and_unknown(void **state)
{
	(void)state;
	trace_path_t p;
	path_make(&p, 6, "TTTA", "TTTA");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_PASS);
	path_make(&p, 4, "TTTT", "TSSS"); /* the control never answered */
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_UNKNOWN);
	memset(&p, 0, sizeof p);
	snprintf(p.error, sizeof p.error, "no permission");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_UNKNOWN);
	assert_non_null(strstr(p.sentence, "no permission"));
}

/* Not even the first hop: the range starts at the sender (hop 0). */
static void test_first_hop(void **state)
{
	(void)state;
	trace_path_t p;
	char b[64];
	path_make(&p, 4, "TTTA", "SSSS");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_LOCATED);
	assert_int_equal(p.after_hop, 0);
	assert_int_equal(p.before_hop, 1);
	assert_string_equal(ip_addr2str(&p.after_addr, b, sizeof b), "192.0.2.1");
}

/* A hop that sends no Time Exceeded to the control widens the range. */
static void test_silent_router_widens(void **state)
{
	(void)state;
	trace_path_t p;
	path_make(&p, 4, "TSTA", "TSSS");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_LOCATED);
	assert_int_equal(p.after_hop, 1);
	assert_int_equal(p.before_hop, 3);
	assert_non_null(strstr(p.sentence, "hops 2-2 send no Time Exceeded"));
}

/* Silent at hop 1 but seen at hop 2: rate limiting or loss, said. */
static void test_gap_is_ambiguous(void **state)
{
	(void)state;
	trace_path_t p;
	path_make(&p, 4, "TTTA", "STSS");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_AMBIGUOUS);
	assert_int_equal(p.after_hop, 2);
	assert_int_equal(p.before_hop, 3);
	assert_non_null(strstr(p.ambiguous, "rate-limited"));
}

/* Different addresses at one hop: load balancing, said. */
static void test_load_balancing(void **state)
{
	(void)state;
	trace_path_t p;
	path_make(&p, 4, "TTTA", "TTSS");
	p.hop[1].probe.from = a4("198.51.100.99");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_AMBIGUOUS);
	assert_non_null(strstr(p.ambiguous, "load balancing"));
}

/* IPv4: the first fragment reaches the last router, no answer: an IPv4 trace
 * cannot tell a first-fragment drop before the server from a non-first drop
 * anywhere. A reassembly timeout from the server is said too. */
static void test_v4_nonfirst_ambiguous(void **state)
{
	(void)state;
	trace_path_t p;
	path_make(&p, 4, "TTTA", "TTTR");
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_AMBIGUOUS);
	assert_int_equal(p.after_hop, 0);
	assert_int_equal(p.before_hop, 4);
	assert_non_null(strstr(p.ambiguous, "fragment zero only"));
	assert_non_null(strstr(p.ambiguous, "reassembly timeout"));
}

/* IPv6: non-first fragments stop after hop 1, the first goes on to hop 3. */
static void test_v6_nonfirst_located(void **state)
{
	(void)state;
	trace_path_t p;
	char b[64];
	path_make(&p, 6, "TTTA", "TTTS");
	p.hop[1].probe.later_te = 0;
	p.hop[2].probe.later_te = 0;
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_LOCATED);
	assert_int_equal(p.after_hop, 1);
	assert_int_equal(p.before_hop, 2);
	assert_string_equal(ip_addr2str(&p.before_addr, b, sizeof b), "2001:db8:2::2");
	assert_non_null(strstr(p.sentence, "first fragment still reaches hop 3"));
}

/* The answer direction: hop 0 is the responder, the destination the probe. */
static void test_answer_direction(void **state)
{
	(void)state;
	trace_path_t p;
	char b[64];
	path_make(&p, 4, "TTTA", "TSSS");
	p.kind = TRACE_KIND_ANSWER;
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_LOCATED);
	assert_non_null(strstr(p.sentence, "fragmented answers die between hop 1"));
	path_make(&p, 4, "TTTA", "SSSS");
	p.kind = TRACE_KIND_ANSWER;
	trace_path_conclude(&p);
	assert_int_equal(p.after_hop, 0);
	assert_string_equal(ip_addr2str(&p.after_addr, b, sizeof b), "203.0.113.2");
	/* Seen up to the last router, never arriving: for answers, of either family,
	 * only the first fragment's errors reach the responder. */
	path_make(&p, 6, "TTTA", "TTTS");
	p.kind = TRACE_KIND_ANSWER;
	trace_path_conclude(&p);
	assert_int_equal(p.verdict, TRACE_AMBIGUOUS);
	assert_non_null(strstr(p.ambiguous, "only of errors about the first fragment"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_located_v4),
		cmocka_unit_test(test_pass_and_unknown),
		cmocka_unit_test(test_first_hop),
		cmocka_unit_test(test_silent_router_widens),
		cmocka_unit_test(test_gap_is_ambiguous),
		cmocka_unit_test(test_load_balancing),
		cmocka_unit_test(test_v4_nonfirst_ambiguous),
		cmocka_unit_test(test_v6_nonfirst_located),
		cmocka_unit_test(test_answer_direction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
