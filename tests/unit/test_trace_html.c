/* test_trace_html.c - the trace page (probe/trace_html.c) from trace results
 * built by hand, the way test_trace.c builds them and concluded by
 * trace_conclude.c: an IPv4 query trace that cannot tell where non-first
 * fragments die (ambiguous), an IPv4 answer trace located between hop 1 and
 * hop 2, an IPv6 query trace where only non-first fragments die after hop 1,
 * an IPv6 answer trace that could not run (its error holds hostile markup),
 * an IPv4 PMTU black hole with its TTL trace, an IPv6 PMTU reported by a
 * packet-too-big.
 *
 *   test_trace_html                run the checks (cmocka)
 *   test_trace_html --write FILE   write the page (tests/golden/test-trace-html.sh:
 *                                  tidy and the golden file)
 *
 * The pure sources are compiled in (the Makefile links unit tests with
 * common/ only).
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
#include "../../probe/trace_html.c"

#define HOSTILE "responder said <script>alert(\"x\")</script> & 'bye'"

static ip_addr_t a4(const char *s)
{
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	a.family = 4;
	if (inet_pton(AF_INET, s, a.a) != 1)
		abort();
	return a;
}

static ip_addr_t a6(const char *s)
{
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	a.family = 6;
	if (inet_pton(AF_INET6, s, a.a) != 1)
		abort();
	return a;
}

static ip_addr_t addr(uint8_t family, const char *s)
{
	return family == 4 ? a4(s) : a6(s);
}

/* The lab chain (tests/lab): probe - mb1 - resolver - mb2 - auth. Routers
 * as seen going out (query) and coming back (answer). */
static const char *const out4[] = { "192.0.2.2", "198.51.100.2", "198.51.100.10", "203.0.113.2" };
static const char *const out6[] = { "2001:db8:1::2", "2001:db8:2::2", "2001:db8:3::2", "2001:db8:4::2" };
static const char *const back4[] = { "203.0.113.1", "198.51.100.9", "198.51.100.1", "192.0.2.1" };

/* A path: ctl and prb spell each hop's result: T time exceeded (from that
 * hop's router), A answer, S silent, R reassembly timeout. */
static void path_make(trace_path_t *p, trace_kind_t kind, uint8_t family, const char *const *routers,
                      const char *ctl, const char *prb)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->family = family;
	p->source = addr(family, family == 4 ? "192.0.2.1" : "2001:db8:1::1");
	p->target = addr(family, family == 4 ? "203.0.113.2" : "2001:db8:4::2");
	for (uint32_t i = 0; ctl[i]; i++) {
		trace_hop_t *h = &p->hop[p->nhops++];
		h->hop = i + 1;
		for (int k = 0; k < 2; k++) {
			trace_obs_t *o = k ? &h->probe : &h->control;
			char c = k ? prb[i] : ctl[i];
			o->attempts = c == 'S' ? 2 : 1;
			o->rtt_us = c == 'S' ? 0 : 400 + 100 * i;
			o->seen = c == 'T' ? TRACE_TIME_EXCEEDED : c == 'A' ? TRACE_ANSWER : c == 'R' ? TRACE_REASSEMBLY
			                                                                           : TRACE_SILENT;
			if (c != 'S')
				o->from = addr(family, routers[i]);
			if (c == 'T')
				o->first_te = o->later_te = 1;
		}
		if (ctl[i] == 'A')
			p->dest_hop = i + 1;
	}
}

static void query_what(trace_path_t *p)
{
	p->control_bytes = p->probe_bytes = p->family == 4 ? 1044 : 1064;
	snprintf(p->control_what, sizeof p->control_what, "'. SOA' query padded to 1016 bytes, unfragmented");
	snprintf(p->probe_what, sizeof p->probe_what, "the same query in 2 fragments of 512 UDP bytes");
}

static void answer_what(trace_path_t *p)
{
	p->control_bytes = 600;
	p->probe_bytes = 3000;
	snprintf(p->control_what, sizeof p->control_what, "a 600-byte answer (unfragmented) with the hop limit asked");
	snprintf(p->probe_what, sizeof p->probe_what,
	         "a 3000-byte answer (fragmented by the responder) with the same hop limit");
}

static void pmtu_try(trace_pmtu_t *m, uint32_t size, int search, trace_seen_t seen, const char *from)
{
	trace_size_t *s = &m->tried[m->ntried++];
	s->size = size;
	s->search = (uint8_t)search;
	s->obs.seen = seen;
	s->obs.attempts = seen == TRACE_SILENT ? 3 : 1;
	if (from)
		s->obs.from = addr(m->family, from);
}

/* IPv4: DF packets above 1420 bytes vanish with no needs-frag; the TTL trace
 * of 1421 against 1420 bytes says between hop 2 and hop 3. */
static void pmtu_black_hole(trace_pmtu_t *m)
{
	static const uint32_t fixed[] = { 1500, 1492, 1480, 1472, 1460, 1452 };
	memset(m, 0, sizeof *m);
	m->family = 4;
	m->source = a4("192.0.2.1");
	m->target = a4("203.0.113.2");
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		pmtu_try(m, fixed[i], 0, TRACE_SILENT, NULL);
	pmtu_try(m, 1400, 0, TRACE_ANSWER, "203.0.113.2");
	pmtu_try(m, 1426, 1, TRACE_SILENT, NULL);
	pmtu_try(m, 1413, 1, TRACE_ANSWER, "203.0.113.2");
	pmtu_try(m, 1419, 1, TRACE_ANSWER, "203.0.113.2");
	pmtu_try(m, 1422, 1, TRACE_SILENT, NULL);
	pmtu_try(m, 1420, 1, TRACE_ANSWER, "203.0.113.2");
	pmtu_try(m, 1421, 1, TRACE_SILENT, NULL);
	m->largest_ok = m->mtu = 1420;
	m->smallest_lost = 1421;
	m->black_hole = 1;
	trace_path_t *w = &m->where;
	path_make(w, TRACE_KIND_PMTU, 4, out4, "TTTA", "TTSS");
	w->control_bytes = 1420;
	w->probe_bytes = 1421;
	snprintf(w->control_what, sizeof w->control_what, "DF query of 1420 bytes (delivered)");
	snprintf(w->probe_what, sizeof w->probe_what, "DF query of 1421 bytes (lost)");
	trace_path_conclude(w);
	m->where_run = 1;
	snprintf(m->sentence, sizeof m->sentence,
	         "PMTU black hole: DF packets of 1421 bytes and more vanish and no needs-frag / packet-too-big comes "
	         "back; path MTU 1420; the bottleneck is between hop 2 (198.51.100.2) and hop 3 (198.51.100.10)");
}

/* IPv6: a packet-too-big of 1280 from the resolver; path MTU discovery works. */
static void pmtu_too_big(trace_pmtu_t *m)
{
	memset(m, 0, sizeof *m);
	m->family = 6;
	m->source = a6("2001:db8:1::1");
	m->target = a6("2001:db8:4::2");
	pmtu_try(m, 1500, 0, TRACE_TOO_BIG, "2001:db8:2::2");
	m->tried[0].obs.mtu = 1280;
	pmtu_try(m, 1280, 0, TRACE_ANSWER, "2001:db8:4::2");
	m->largest_ok = m->mtu = 1280;
	m->smallest_lost = 1281;
	m->ptb_mtu = 1280;
	m->ptb_from = a6("2001:db8:2::2");
	snprintf(m->sentence, sizeof m->sentence, "MTU bottleneck 1280 reported by 2001:db8:2::2 (needs-frag / "
	         "packet-too-big arrives: path MTU discovery works)");
}

static trace_result_t *result_make(void)
{
	trace_result_t *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	trace_path_t *p = &r->path[r->npaths++]; /* query v4: first fragment to hop 3, never answered */
	path_make(p, TRACE_KIND_QUERY, 4, out4, "TTTA", "TTTR");
	query_what(p);
	trace_path_conclude(p);
	p = &r->path[r->npaths++]; /* answer v4: dies between hop 1 (mb2) and hop 2 (resolver) */
	path_make(p, TRACE_KIND_ANSWER, 4, back4, "TTTA", "TSSS");
	answer_what(p);
	trace_path_conclude(p);
	p = &r->path[r->npaths++]; /* query v6: non-first fragments stop after hop 1 */
	path_make(p, TRACE_KIND_QUERY, 6, out6, "TTTA", "TTTS");
	p->hop[1].probe.later_te = 0;
	p->hop[2].probe.later_te = 0;
	query_what(p);
	trace_path_conclude(p);
	p = &r->path[r->npaths++]; /* answer v6: could not run */
	memset(p, 0, sizeof *p);
	p->kind = TRACE_KIND_ANSWER;
	p->family = 6;
	p->target = a6("2001:db8:4::2");
	snprintf(p->error, sizeof p->error, "%s", HOSTILE);
	trace_path_conclude(p);
	pmtu_black_hole(&r->pmtu[r->npmtu++]);
	pmtu_too_big(&r->pmtu[r->npmtu++]);
	r->health = HEALTH_CRITICAL;
	return r;
}

static char *const argv_fixed[] = { "dnsfrag-probe", "--trace", "all", "--trace-zone", "lab.example.", "-s",
	                            "203.0.113.2", "-s", "2001:db8:4::2", "--html", "trace.html", NULL };
static const trace_html_extra_t extra = { TRACE_DO_QUERY | TRACE_DO_ANSWER | TRACE_DO_PMTU, 16, 3, 1000, 10,
	                                  "lab.example.", 11, argv_fixed };

static char *render(const trace_result_t *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	trace_html_write(r, &extra, f);
	fclose(f);
	return buf;
}

/* The part of page from the element with id="ID" to the next </section>. */
static char *section(const char *page, const char *id)
{
	char key[64];
	snprintf(key, sizeof key, "id=\"%s\"", id);
	const char *s = strstr(page, key);
	assert_non_null(s);
	const char *e = strstr(s, "</section>");
	assert_non_null(e);
	return strndup(s, (size_t)(e - s));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *s = hay; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

/* The verdict comes first, one sentence per trace, direction and family named. */
static void test_verdict_first(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	const char *v = strstr(page, "<section id=\"verdict\">");
	const char *paths = strstr(page, "<section id=\"paths\">");
	assert_non_null(v);
	assert_non_null(paths);
	assert_true(v < paths);
	assert_non_null(strstr(page, "<title>dnsfrag trace: CRITICAL</title>"));
	char *vs = section(page, "verdict");
	assert_int_equal(count(vs, "<p class=\"verdict "), 6);
	assert_non_null(strstr(vs, "<p class=\"verdict h-WARNING\"><span class=\"hw\">WARNING</span> <b>Query direction, "
	                           "IPv4</b> (ambiguous): fragmented queries are not answered"));
	assert_non_null(strstr(vs, "<b>Answer direction, IPv4</b> (located): fragmented answers die between hop 1 "
	                           "(203.0.113.1) and hop 2 (198.51.100.9)"));
	assert_non_null(strstr(vs, "<span class=\"hw\">UNKNOWN</span> <b>Answer direction, IPv6</b> (unknown)"));
	assert_non_null(strstr(vs, "<span class=\"hw\">CRITICAL</span> <b>Path MTU, IPv4</b> (black hole): PMTU black "
	                           "hole"));
	assert_non_null(strstr(vs, "<span class=\"hw\">OK</span> <b>Path MTU, IPv6</b>: MTU bottleneck 1280"));
	free(vs);
	free(page);
	free(r);
}

/* Located: exactly one vanish segment, between hop 1 and hop 2, with the
 * evidence beside it naming both hops' addresses. */
static void test_located_segment(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	char *s = section(page, "trace-2");
	assert_non_null(strstr(s, "data-verdict=\"located\""));
	assert_int_equal(count(s, "<div class=\"seg vanish\""), 1);
	assert_non_null(strstr(s, "<div class=\"seg vanish\" data-between=\"1-2\">"));
	assert_int_equal(count(s, "<tr class=\"segrow s-vanish\">"), 1);
	assert_non_null(strstr(s, "<tr class=\"segrow s-vanish\"><td>1&#8594;2</td>"));
	assert_int_equal(count(s, "seg ambig"), 0);
	/* the evidence, beside the mark: hop 1 drew Time Exceeded, hop 2 only for the control */
	assert_non_null(strstr(s, "fragmented answers vanish here</span><br/>Evidence: The probe was last seen at hop 1 "
	                          "(<span class=\"mono\">203.0.113.1</span>): it drew time-exceeded from <span "
	                          "class=\"mono\">203.0.113.1</span>. At hop 2 (<span class=\"mono\">198.51.100.9</span>), "
	                          "the control drew time-exceeded from <span class=\"mono\">198.51.100.9</span>, the probe "
	                          "silent (2 attempts)."));
	/* the answer direction starts at the responder and ends at the probe host */
	assert_non_null(strstr(s, "<div class=\"node reached\" data-hop=\"0\">responder<br/><span "
	                          "class=\"mono\">203.0.113.2</span></div>"));
	assert_non_null(strstr(s, "data-hop=\"4\">hop 4: probe host<br/>"));
	free(s);
	free(page);
	free(r);
}

/* Ambiguous IPv4 non-first case: every segment from the sender to the
 * destination is in the dotted range, the reason is said. */
static void test_ambiguous_range(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	char *s = section(page, "trace-1");
	assert_non_null(strstr(s, "data-verdict=\"ambiguous\""));
	assert_int_equal(count(s, "<div class=\"seg ambig\""), 4);
	assert_int_equal(count(s, "seg vanish"), 0);
	assert_int_equal(count(s, "<tr class=\"segrow s-ambig\">"), 4);
	assert_non_null(strstr(s, "Why ambiguous: the destination reported a reassembly timeout"));
	assert_non_null(strstr(s, "IPv4 routers answer for fragment zero only"));
	assert_non_null(strstr(s, "reassembly timeout"));
	/* hop 3 saw the first fragment: the evidence says so, not "seen nowhere" */
	assert_non_null(strstr(s, "The probe was last seen at hop 3"));
	assert_non_null(strstr(s, "The marked range: hop 0 to hop 4."));
	free(s);
	free(page);
	free(r);
}

/* IPv6: first and non-first fragments apart, hop 2 not reached by the
 * non-first ones although its router answered the first. */
static void test_v6_fragments_apart(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	char *s = section(page, "trace-3");
	assert_non_null(strstr(s, "<div class=\"seg vanish\" data-between=\"1-2\">"));
	assert_non_null(strstr(s, "<div class=\"node unreached\" data-hop=\"2\">hop 2<br/><span "
	                          "class=\"mono\">2001:db8:2::2</span></div>"));
	assert_non_null(strstr(s, "Time Exceeded for the first fragment: yes, for the non-first: no"));
	assert_non_null(strstr(s, "only non-first fragments are dropped"));
	free(s);
	free(page);
	free(r);
}

/* PMTU: the sizes, the black hole, its where trace; the too-big and its sender. */
static void test_pmtu(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	char *s = section(page, "pmtu-1");
	assert_int_equal(count(s, "<tr><td>"), 13);
	assert_non_null(strstr(s, "<tr><td>1421</td><td>binary search</td><td class=\"r-lost\">lost</td>"));
	assert_non_null(strstr(s, "<tr><td>1420</td><td>binary search</td><td class=\"r-ok\">delivered</td>"));
	assert_non_null(strstr(s, "<tr><th>path MTU</th><td>1420 bytes</td></tr>"));
	assert_non_null(strstr(s, "<td class=\"r-lost\">yes: packets above the MTU vanish and no ICMP says so</td>"));
	free(s);
	s = section(page, "where-1");
	assert_non_null(strstr(s, "<div class=\"seg vanish\" data-between=\"2-3\">"));
	assert_non_null(strstr(s, "<span class=\"mark\">&#10007; DF packets of the lost size vanish here</span><br/>Evidence: "
	                          "The probe was last seen at hop 2"));
	free(s);
	s = section(page, "pmtu-2");
	assert_non_null(strstr(s, "<td class=\"r-big\">too big</td><td>too-big MTU 1280 from <span "
	                          "class=\"mono\">2001:db8:2::2</span>"));
	assert_non_null(strstr(s, "MTU 1280 from <span class=\"mono\">2001:db8:2::2</span> (path MTU discovery works)"));
	assert_null(strstr(s, "where-"));
	free(s);
	free(page);
	free(r);
}

/* A hostile error string comes out escaped everywhere it is shown. */
static void test_hostile_escaped(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	assert_null(strstr(page, "<script"));
	assert_int_equal(count(page, "responder said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
	                             "&#39;bye&#39;"), 2); /* the verdict and the trace's conclusion */
	free(page);
	free(r);
}

/* Settings, version, command line; the same result gives the same bytes. */
static void test_settings_and_determinism(void **state)
{
	(void)state;
	trace_result_t *r = result_make();
	char *page = render(r);
	char *again = render(r);
	assert_string_equal(page, again);
	char *s = section(page, "settings");
	assert_non_null(strstr(s, "<tr><th>program</th><td>dnsfrag-probe " DNSFRAG_VERSION "</td></tr>"));
	assert_non_null(strstr(s, "<tr><th>health</th><td>CRITICAL (exit 2)</td></tr>"));
	assert_non_null(strstr(s, "<tr><th>traces</th><td>query answer pmtu</td></tr>"));
	assert_non_null(strstr(s, "<td class=\"mono\">dnsfrag-probe --trace all --trace-zone lab.example. -s 203.0.113.2"));
	free(s);
	/* self-contained: nothing to load */
	assert_null(strstr(page, "http:"));
	assert_null(strstr(page, "https:"));
	assert_null(strstr(page, "src="));
	assert_null(strstr(page, "href="));
	free(again);
	free(page);
	free(r);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		char err[256];
		trace_result_t *r = result_make();
		int rc = trace_html_write_file(r, &extra, argv[2], err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "test_trace_html: %s\n", err);
		free(r);
		return rc < 0 ? 1 : 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_first),
		cmocka_unit_test(test_located_segment),
		cmocka_unit_test(test_ambiguous_range),
		cmocka_unit_test(test_v6_fragments_apart),
		cmocka_unit_test(test_pmtu),
		cmocka_unit_test(test_hostile_escaped),
		cmocka_unit_test(test_settings_and_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
