/* trace_html.c - the traces as one self-contained HTML page (see
 * trace_html.h). A renderer only: verdicts, ranges, sentences and ambiguity
 * reasons come from trace_conclude.c and trace.c through trace_result_t.
 *
 * Each trace's path is drawn twice from the same hops: an overview in a row
 * (the capture-point path's look: boxes and segments) and, below it, the hop
 * table in path order with a row for every segment between two hops, where
 * the mark (vanish, ambiguous) stands with its evidence. Every mark is text
 * as well as a colour and a line style, so the page reads in greyscale.
 */
#include "trace_html.h"

#include <string.h>

#include "html_kit.h"
#include "report.h"
#include "version.h"

#define E(s) html_escape(out, (s))

/* The page's own elements, after html_kit's CSS (Okabe-Ito colours; dashed
 * vermillion: fragments vanish; dotted orange: ambiguous range). */
static const char *const th_css =
        ".node.reached{border-color:#009E73}.node.unreached{border-style:dashed;border-color:#777;background:#fff}\n"
        ".seg.ambig{border-top:3px dotted #E69F00;font-weight:bold;background:#fdf0d5}"
        ".seg.beyond{border-top:3px dotted #999;color:#333}\n"
        "table.hops tr.segrow td{font-size:.85em;border-left:.5em solid #009E73}"
        "table.hops tr.s-vanish td{border-left:.5em dashed #D55E00;background:#fbe3d6}"
        "table.hops tr.s-ambig td{border-left:.5em dotted #E69F00;background:#fdf0d5}"
        "table.hops tr.s-beyond td,table.hops tr.s-unknown td{border-left:.5em dotted #999}\n"
        ".mark{font-weight:bold}.evidence{border-left:.3em solid #333;padding:.2em .6em;margin:.5em 0}\n"
        ".r-ok{background:#009E73;color:#000}.r-lost{background:#D55E00;color:#000}"
        ".r-big{background:#56B4E9;color:#000}.r-local,.r-other{background:#eee;color:#000}\n"
        "@media print{table.hops tr.s-vanish td,table.hops tr.s-ambig td,.seg.ambig{background:none}}\n";

/* ---- words */

static const char *th_addr(const ip_addr_t *a, char *buf, size_t len)
{
	return trace_addr_text(a, buf, len, "");
}

static const char *th_direction(const trace_path_t *p)
{
	return p->kind == TRACE_KIND_ANSWER ? "Answer direction" : p->kind == TRACE_KIND_QUERY ? "Query direction"
	                                                                                       : "Where";
}

/* What dies on this path, as the conclusion says it. */
static const char *th_what(const trace_path_t *p)
{
	return p->kind == TRACE_KIND_PMTU ? "DF packets of the lost size" :
	       p->kind == TRACE_KIND_ANSWER ? "fragmented answers" : "fragmented queries";
}

static health_t th_path_health(const trace_path_t *p)
{
	switch (p->verdict) {
	case TRACE_PASS: return HEALTH_OK;
	case TRACE_LOCATED:
	case TRACE_AMBIGUOUS: return HEALTH_WARNING;
	default: return HEALTH_UNKNOWN;
	}
}

static health_t th_pmtu_health(const trace_pmtu_t *m)
{
	if (!m->largest_ok)
		return HEALTH_UNKNOWN;
	return m->black_hole ? HEALTH_CRITICAL : HEALTH_OK;
}

static int th_has_range(const trace_path_t *p)
{
	return p->verdict == TRACE_LOCATED || p->verdict == TRACE_AMBIGUOUS;
}

/* The fragmented IPv6 query: the page shows first and non-first fragments apart. */
static int th_split_fragments(const trace_path_t *p)
{
	return p->kind == TRACE_KIND_QUERY && p->family == 6;
}

/* The path's two ends: hop 0 sends, the destination answers the control. */
static void th_ends(const trace_path_t *p, const char **from_name, const ip_addr_t **from, const char **to_name,
                    const ip_addr_t **to)
{
	if (p->kind == TRACE_KIND_ANSWER) {
		*from_name = "responder";
		*from = &p->target;
		*to_name = "probe host";
		*to = &p->source;
	} else {
		*from_name = "probe host";
		*from = &p->source;
		*to_name = "destination";
		*to = &p->target;
	}
}

/* "time-exceeded from 192.0.2.2", "silent (3 attempts)", "too-big MTU 1400
 * from ...": the words of the text report. */
static void th_obs_write(FILE *out, const trace_obs_t *o)
{
	char a[64];
	if (o->seen == TRACE_SILENT) {
		fprintf(out, "silent (%u attempt%s)", o->attempts, o->attempts == 1 ? "" : "s");
		return;
	}
	E(trace_seen2str(o->seen));
	if (o->seen == TRACE_TOO_BIG)
		fprintf(out, " MTU %u", o->mtu);
	if (o->from.family) {
		fputs(" from <span class=\"mono\">", out);
		E(th_addr(&o->from, a, sizeof a));
		fputs("</span>", out);
	}
	if (o->addr_differs)
		fputs(" (repeats answered from different addresses)", out);
}

/* The probe's result at a hop, with the first / non-first split for IPv6 queries. */
static void th_probe_obs_write(FILE *out, const trace_path_t *p, const trace_obs_t *o)
{
	th_obs_write(out, o);
	if (th_split_fragments(p) && o->seen == TRACE_TIME_EXCEEDED)
		fprintf(out, "; Time Exceeded for the first fragment: %s, for the non-first: %s", o->first_te ? "yes" : "no",
		        o->later_te ? "yes" : "no");
}

/* The hop's address(es): the control's and the probe's repliers when they differ. */
static void th_hop_addrs_write(FILE *out, const trace_hop_t *h)
{
	char a[64], b[64];
	const ip_addr_t *c = &h->control.from, *q = &h->probe.from;
	if (!c->family && !q->family) {
		fputs("no reply", out);
		return;
	}
	fputs("<span class=\"mono\">", out);
	E(th_addr(c->family ? c : q, a, sizeof a));
	if (c->family && q->family && !ip_addr_equal(c, q)) {
		fputs("</span> (control), <span class=\"mono\">", out);
		E(th_addr(q, b, sizeof b));
		fputs("</span> (probe)", out);
		return;
	}
	fputs("</span>", out);
}

/* ---- the verdict */

static void th_verdict_path(FILE *out, const trace_path_t *p)
{
	html_verdict_begin(out, th_path_health(p));
	fputs(" <b>", out);
	E(th_direction(p));
	fprintf(out, ", IPv%u</b> (%s): ", p->family, trace_verdict2str(p->verdict));
	E(p->sentence);
	fputc('.', out);
	html_verdict_end(out);
}

static void th_verdict_pmtu(FILE *out, const trace_pmtu_t *m)
{
	html_verdict_begin(out, th_pmtu_health(m));
	fprintf(out, " <b>Path MTU, IPv%u</b>%s: ", m->family, m->black_hole ? " (black hole)" : "");
	E(m->sentence);
	fputc('.', out);
	html_verdict_end(out);
}

static void th_verdict(FILE *out, const trace_result_t *res)
{
	fputs("<section id=\"verdict\">\n<h2>Verdict</h2>\n", out);
	for (uint32_t i = 0; i < res->npaths; i++)
		th_verdict_path(out, &res->path[i]);
	for (uint32_t i = 0; i < res->npmtu; i++)
		th_verdict_pmtu(out, &res->pmtu[i]);
	if (!res->npaths && !res->npmtu)
		fputs("<p>No trace ran.</p>\n", out);
	fputs("<p class=\"small\">Each trace sends a control and a probe that differ in one property only (the probe is "
	      "fragmented, or larger with DF), hop by hop with a growing TTL / hop limit, and names the last hop the probe "
	      "reached and the next hop the control reached.</p>\n</section>\n",
	      out);
}

/* ---- one trace: marks and evidence */

typedef enum th_seg {
	TH_SEG_PASS,    /* the probe went on over this segment */
	TH_SEG_VANISH,  /* located: the probe vanished here */
	TH_SEG_AMBIG,   /* ambiguous: somewhere in this range */
	TH_SEG_BEYOND,  /* after the place where it vanished */
	TH_SEG_UNKNOWN, /* no conclusion */
} th_seg_t;

/* The segment from hop k to hop k+1 (hop 0: the sender). */
static th_seg_t th_segment(const trace_path_t *p, uint32_t k)
{
	if (p->verdict == TRACE_PASS)
		return TH_SEG_PASS;
	if (!th_has_range(p))
		return TH_SEG_UNKNOWN;
	if (k < p->after_hop)
		return TH_SEG_PASS;
	if (k + 1 <= p->before_hop)
		return p->verdict == TRACE_LOCATED ? TH_SEG_VANISH : TH_SEG_AMBIG;
	return TH_SEG_BEYOND;
}

/* "hop 2 (198.51.100.2)", "hop 0, the probe host (192.0.2.1)". */
static void th_hop_name_write(FILE *out, const trace_path_t *p, uint32_t hop, const ip_addr_t *addr)
{
	char a[64];
	const char *fn, *tn;
	const ip_addr_t *fa, *ta;
	th_ends(p, &fn, &fa, &tn, &ta);
	fprintf(out, "hop %u", hop);
	if (hop == 0)
		fprintf(out, ", the %s", fn);
	else if (hop == p->dest_hop)
		fprintf(out, ", the %s", tn);
	fputs(" (<span class=\"mono\">", out);
	E(trace_addr_text(addr, a, sizeof a, "no reply"));
	fputs("</span>)", out);
}

/* The last hop the probe was seen at (0: none), by the rule of the conclusion. */
static uint32_t th_last_reached(const trace_path_t *p)
{
	uint32_t last = 0, end = p->dest_hop ? p->dest_hop : p->nhops;
	for (uint32_t i = 0; i < p->nhops && p->hop[i].hop <= end; i++)
		if (trace_hop_probe_reached(p, &p->hop[i]))
			last = p->hop[i].hop;
	return last;
}

/* The evidence for the range [after_hop, before_hop]: where the probe was
 * last seen and what it drew there, and what the control and the probe drew
 * at the next hop the control reached. */
static void th_evidence_write(FILE *out, const trace_path_t *p)
{
	uint32_t last = th_last_reached(p), n = p->before_hop;
	if (last == 0) {
		fputs("The probe was seen at no hop after ", out);
		th_hop_name_write(out, p, 0, &p->after_addr);
	} else {
		const trace_hop_t *h = &p->hop[last - 1];
		ip_addr_t a = h->control.from.family ? h->control.from : h->probe.from;
		fputs("The probe was last seen at ", out);
		th_hop_name_write(out, p, last, &a);
		fputs(": it drew ", out);
		th_probe_obs_write(out, p, &h->probe);
	}
	fputs(". At ", out);
	th_hop_name_write(out, p, n, &p->before_addr);
	if (n >= 1 && n <= p->nhops) {
		fputs(", the control drew ", out);
		th_obs_write(out, &p->hop[n - 1].control);
		fputs(", the probe ", out);
		th_probe_obs_write(out, p, &p->hop[n - 1].probe);
	}
	fprintf(out, ". The marked range: hop %u to hop %u.", p->after_hop, n);
	if (p->verdict == TRACE_LOCATED && n > p->after_hop + 1)
		fprintf(out, " Hops %u-%u send no Time Exceeded to the control either: the range is wider.",
		        p->after_hop + 1, n - 1);
}

static void th_mark_write(FILE *out, const trace_path_t *p, th_seg_t s)
{
	switch (s) {
	case TH_SEG_PASS: fputs("&#8595; the probe passes", out); break;
	case TH_SEG_VANISH:
		fputs("<span class=\"mark\">&#10007; ", out);
		E(th_what(p));
		fputs(" vanish here</span>", out);
		break;
	case TH_SEG_AMBIG:
		fputs("<span class=\"mark\">? ", out);
		E(th_what(p));
		fputs(" vanish somewhere in this range (ambiguous)</span>", out);
		break;
	case TH_SEG_BEYOND: fputs("&#8595; not reached by the probe", out); break;
	default: fputs("&#8595; no conclusion", out); break;
	}
}

/* ---- one trace: the overview in a row */

static const char *const th_seg_class[] = { "seg", "seg vanish", "seg ambig", "seg beyond", "seg beyond" };

static void th_overview_node(FILE *out, const char *cls, const char *name, uint32_t hop, const ip_addr_t *addr)
{
	char a[64];
	fprintf(out, "<div class=\"%s\" data-hop=\"%u\">", cls, hop);
	E(name);
	fputs("<br/><span class=\"mono\">", out);
	E(trace_addr_text(addr, a, sizeof a, "no reply"));
	fputs("</span></div>\n", out);
}

static void th_overview_seg(FILE *out, const trace_path_t *p, uint32_t k)
{
	th_seg_t s = th_segment(p, k);
	fprintf(out, "<div class=\"%s\" data-between=\"%u-%u\">", th_seg_class[s], k, k + 1);
	if (s == TH_SEG_VANISH) /* short: the hop table below has the long mark and the evidence */
		fputs("<span class=\"mark\">&#10007; vanish here</span>", out);
	else if (s == TH_SEG_AMBIG)
		fputs("<span class=\"mark\">? somewhere here (ambiguous)</span>", out);
	else
		fputs(s == TH_SEG_PASS ? "&#8594; passes" : "&#8594;", out);
	fputs("</div>\n", out);
}

static void th_overview(FILE *out, const trace_path_t *p)
{
	const char *fn, *tn;
	const ip_addr_t *fa, *ta;
	char name[64];
	th_ends(p, &fn, &fa, &tn, &ta);
	fputs("<div class=\"path\">\n", out);
	th_overview_node(out, "node reached", fn, 0, fa);
	for (uint32_t i = 0; i < p->nhops; i++) {
		const trace_hop_t *h = &p->hop[i];
		ip_addr_t a = h->control.from.family ? h->control.from : h->probe.from;
		th_overview_seg(out, p, h->hop - 1);
		snprintf(name, sizeof name, "hop %u%s%s", h->hop, h->hop == p->dest_hop ? ": " : "",
		         h->hop == p->dest_hop ? tn : "");
		th_overview_node(out, trace_hop_probe_reached(p, h) ? "node reached" : "node unreached", name, h->hop, &a);
	}
	if (!p->dest_hop && p->nhops) {
		fputs("<div class=\"seg beyond\">&#8594; &#8230;</div>\n", out);
		th_overview_node(out, "node unreached", "destination: not reached by the control", 0, ta);
	}
	fputs("</div>\n", out);
}

/* ---- one trace: the hop table */

static void th_hops_segrow(FILE *out, const trace_path_t *p, uint32_t k, int *evidence_done)
{
	th_seg_t s = th_segment(p, k);
	static const char *const cls[] = { "s-pass", "s-vanish", "s-ambig", "s-beyond", "s-unknown" };
	fprintf(out, "<tr class=\"segrow %s\"><td>%u&#8594;%u</td><td colspan=\"3\">", cls[s], k, k + 1);
	th_mark_write(out, p, s);
	if ((s == TH_SEG_VANISH || s == TH_SEG_AMBIG) && !*evidence_done) {
		fputs("<br/>Evidence: ", out);
		th_evidence_write(out, p);
		if (p->ambiguous[0]) {
			fputs("<br/>Why ambiguous: ", out);
			E(p->ambiguous);
		}
		*evidence_done = 1;
	} else if (s == TH_SEG_VANISH || s == TH_SEG_AMBIG) {
		fprintf(out, " (the same range: hop %u to hop %u)", p->after_hop, p->before_hop);
	}
	fputs("</td></tr>\n", out);
}

/* Whether the probe reached the hop, and by what the trace can tell: IPv4
 * routers answer for fragment zero only, and the responder hears only of its
 * first fragments; an IPv6 query's non-first fragments are seen on their own. */
static const char *th_reached_word(const trace_path_t *p, const trace_hop_t *h)
{
	if (!trace_hop_probe_reached(p, h))
		return "probe not seen here";
	if (h->probe.seen == TRACE_ANSWER || p->kind == TRACE_KIND_PMTU)
		return "probe reached this hop";
	if (th_split_fragments(p))
		return "probe reached this hop (its non-first fragments too)";
	return "probe reached this hop (its first fragment: the only one a router reports)";
}

static void th_hops_row(FILE *out, const trace_path_t *p, const trace_hop_t *h)
{
	const char *fn, *tn;
	const ip_addr_t *fa, *ta;
	th_ends(p, &fn, &fa, &tn, &ta);
	fprintf(out, "<tr data-hop=\"%u\"><th>%u%s%s</th><td>", h->hop, h->hop, h->hop == p->dest_hop ? " " : "",
	        h->hop == p->dest_hop ? tn : "");
	th_hop_addrs_write(out, h);
	fputs("</td><td>", out);
	th_obs_write(out, &h->control);
	fputs("</td><td>", out);
	th_probe_obs_write(out, p, &h->probe);
	fprintf(out, "<br/><small>%s</small></td></tr>\n", th_reached_word(p, h));
}

static void th_hops(FILE *out, const trace_path_t *p)
{
	char a[64];
	const char *fn, *tn;
	const ip_addr_t *fa, *ta;
	int evidence_done = 0;
	th_ends(p, &fn, &fa, &tn, &ta);
	fputs("<table class=\"hops\">\n<thead><tr><th>hop</th><th>address</th><th>control</th><th>probe</th></tr></thead>"
	      "\n<tbody>\n",
	      out);
	fprintf(out, "<tr data-hop=\"0\"><th>0 %s</th><td><span class=\"mono\">", fn);
	E(th_addr(fa, a, sizeof a));
	fputs("</span></td><td>sent</td><td>sent</td></tr>\n", out);
	for (uint32_t i = 0; i < p->nhops; i++) {
		th_hops_segrow(out, p, p->hop[i].hop - 1, &evidence_done);
		th_hops_row(out, p, &p->hop[i]);
	}
	fputs("</tbody>\n</table>\n", out);
}

/* The conclusion under the drawing: the sentence, and why the trace stopped
 * (the evidence and the ambiguity reason stand beside the mark in the hop
 * table). */
static void th_conclusion(FILE *out, const trace_path_t *p)
{
	fprintf(out, "<div class=\"evidence\"><p><b>%s</b>: ", trace_verdict2str(p->verdict));
	E(p->sentence);
	fputs(".</p>\n", out);
	if (p->error[0] && p->nhops) {
		fputs("<p>The trace stopped: ", out);
		E(p->error);
		fputs("</p>\n", out);
	}
	fputs("</div>\n", out);
}

/* The path of one trace: its heading (h3, or h4 inside a PMTU trace), what
 * was sent, the overview, the conclusion and evidence, the hop table. */
static void th_path(FILE *out, const trace_path_t *p, const char *id, uint32_t index, const char *hn)
{
	char a[64], b[64];
	const char *fn, *tn;
	const ip_addr_t *fa, *ta;
	th_ends(p, &fn, &fa, &tn, &ta);
	fprintf(out, "<section class=\"trace\" id=\"%s-%u\" data-verdict=\"%s\">\n<%s>", id, index + 1,
	        trace_verdict2str(p->verdict), hn);
	E(th_direction(p));
	if (p->kind == TRACE_KIND_PMTU)
		fputs(": a TTL trace of the lost size against the delivered one", out);
	fprintf(out, ", IPv%u: <span class=\"mono\">", p->family);
	E(trace_addr_text(fa, a, sizeof a, "not known"));
	fputs("</span> &#8594; <span class=\"mono\">", out);
	E(trace_addr_text(ta, b, sizeof b, "not known"));
	fprintf(out, "</span></%s>\n", hn);
	if (p->control_what[0]) {
		fputs("<p class=\"small\">Control: ", out);
		E(p->control_what);
		if (p->kind == TRACE_KIND_QUERY && p->control_bytes) /* the others name their size */
			fprintf(out, " (%u IP bytes)", p->control_bytes);
		fputs(". Probe: ", out);
		E(p->probe_what);
		if (p->kind == TRACE_KIND_QUERY && p->probe_bytes)
			fprintf(out, " (%u IP bytes)", p->probe_bytes);
		fputs(".</p>\n", out);
	}
	if (p->nhops)
		th_overview(out, p);
	th_conclusion(out, p);
	if (p->nhops)
		th_hops(out, p);
	fputs("</section>\n", out);
}

static void th_traces(FILE *out, const trace_result_t *res)
{
	if (!res->npaths)
		return;
	fputs("<section id=\"paths\">\n<h2>The path, hop by hop</h2>\n<p>Hops in path order from the sender. A box "
	      "with a solid green border: the probe reached that hop; dashed: it was not seen there. A dashed vermillion "
	      "segment (&#10007;) is where the probe vanishes; a dotted orange one (?) a range the evidence cannot narrow "
	      "(the reason is given).</p>\n",
	      out);
	for (uint32_t i = 0; i < res->npaths; i++)
		th_path(out, &res->path[i], "trace", i, "h3");
	fputs("</section>\n", out);
}

/* ---- path MTU */

static const char *th_size_class(trace_seen_t s)
{
	switch (s) {
	case TRACE_ANSWER: return "r-ok";
	case TRACE_SILENT: return "r-lost";
	case TRACE_TOO_BIG: return "r-big";
	case TRACE_LOCAL: return "r-local";
	default: return "r-other";
	}
}

static const char *th_size_word(trace_seen_t s)
{
	switch (s) {
	case TRACE_ANSWER: return "delivered";
	case TRACE_SILENT: return "lost";
	case TRACE_TOO_BIG: return "too big";
	case TRACE_LOCAL: return "refused locally";
	default: return "error";
	}
}

static void th_pmtu_sizes(FILE *out, const trace_pmtu_t *m)
{
	fputs("<table class=\"sizes\">\n<thead><tr><th>IP bytes (DF)</th><th>tried by</th><th>result</th><th>what came "
	      "back</th></tr></thead>\n<tbody>\n",
	      out);
	for (uint32_t k = 0; k < m->ntried; k++) {
		const trace_size_t *s = &m->tried[k];
		fprintf(out, "<tr><td>%u</td><td>%s</td><td class=\"%s\">%s</td><td>", s->size,
		        s->search ? "binary search" : "fixed list", th_size_class(s->obs.seen), th_size_word(s->obs.seen));
		th_obs_write(out, &s->obs);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

/* <tr><th>NAME</th><td>N bytes</td></tr>, or none when n is 0. */
static void th_bytes_row(FILE *out, const char *name, uint32_t n, const char *none)
{
	if (n)
		fprintf(out, "<tr><th>%s</th><td>%u bytes</td></tr>\n", name, n);
	else
		fprintf(out, "<tr><th>%s</th><td>%s</td></tr>\n", name, none);
}

static void th_pmtu_summary(FILE *out, const trace_pmtu_t *m)
{
	char a[64];
	fputs("<table class=\"pmtu\">\n<tbody>\n", out);
	th_bytes_row(out, "largest delivered", m->largest_ok, "none");
	th_bytes_row(out, "smallest lost", m->smallest_lost, "none");
	th_bytes_row(out, "path MTU", m->mtu, "not known exactly");
	fputs("<tr><th>too-big</th><td>", out);
	if (m->ptb_mtu) {
		fprintf(out, "MTU %u from <span class=\"mono\">", m->ptb_mtu);
		E(trace_addr_text(&m->ptb_from, a, sizeof a, "?"));
		fputs("</span> (path MTU discovery works)", out);
	} else {
		fputs("none came back", out);
	}
	fprintf(out, "</td></tr>\n<tr><th>black hole</th><td class=\"%s\">%s</td></tr>\n", m->black_hole ? "r-lost" : "r-ok",
	        m->black_hole ? "yes: packets above the MTU vanish and no ICMP says so" : "no");
	if (m->local_refused)
		fprintf(out, "<tr><th>refused by this host</th><td>%u bytes and up (its own MTU or a learned path MTU: not "
		             "evidence about the path)</td></tr>\n",
		        m->local_refused);
	fputs("</tbody>\n</table>\n", out);
}

static void th_pmtu(FILE *out, const trace_pmtu_t *m, uint32_t index)
{
	char a[64];
	fprintf(out, "<section class=\"pmtu\" id=\"pmtu-%u\">\n<h3>Path MTU, IPv%u, DF queries to <span class=\"mono\">",
	        index + 1, m->family);
	E(th_addr(&m->target, a, sizeof a));
	fputs("</span></h3>\n<div class=\"evidence\"><p>", out);
	E(m->sentence);
	fputs(".</p>", out);
	if (m->error[0]) {
		fputs("<p>Error: ", out);
		E(m->error);
		fputs("</p>", out);
	}
	fputs("</div>\n", out);
	th_pmtu_summary(out, m);
	if (m->ntried)
		th_pmtu_sizes(out, m);
	if (m->where_run)
		th_path(out, &m->where, "where", index, "h4");
	fputs("</section>\n", out);
}

static void th_pmtus(FILE *out, const trace_result_t *res)
{
	if (!res->npmtu)
		return;
	fputs("<section id=\"pmtu\">\n<h2>Path MTU</h2>\n<p>DF queries of decreasing size, then a binary search between "
	      "the largest delivered and the smallest lost size. Lost sizes with no too-big are a black hole; then a TTL "
	      "trace names the hops around it.</p>\n",
	      out);
	for (uint32_t i = 0; i < res->npmtu; i++)
		th_pmtu(out, &res->pmtu[i], i);
	fputs("</section>\n", out);
}

/* ---- settings */

static void th_settings(FILE *out, const trace_result_t *res, const trace_html_extra_t *x)
{
	fputs("<section id=\"settings\">\n<h2>Settings, version and command line</h2>\n<table>\n<tbody>\n", out);
	fputs("<tr><th>program</th><td>dnsfrag-probe " DNSFRAG_VERSION "</td></tr>\n", out);
	fputs("<tr><th>result</th><td>the same as --json (schema dnsfrag-trace/1) and the text output</td></tr>\n", out);
	fprintf(out, "<tr><th>health</th><td>%s (exit %d)</td></tr>\n", health2str((health_t)res->health),
	        health2exit((health_t)res->health));
	if (x) {
		fprintf(out, "<tr><th>traces</th><td>%s%s%s</td></tr>\n", x->trace & TRACE_DO_QUERY ? "query " : "",
		        x->trace & TRACE_DO_ANSWER ? "answer " : "", x->trace & TRACE_DO_PMTU ? "pmtu" : "");
		fprintf(out, "<tr><th>max hops</th><td>%u</td></tr>\n<tr><th>attempts per hop</th><td>%u</td></tr>\n",
		        x->max_hops, x->attempts);
		fprintf(out, "<tr><th>timeout</th><td>%u ms</td></tr>\n", x->timeout_ms);
		if (x->rate)
			fprintf(out, "<tr><th>rate</th><td>%u probes a second</td></tr>\n", x->rate);
		else
			fputs("<tr><th>rate</th><td>unlimited</td></tr>\n", out);
		if (x->trace_zone && x->trace_zone[0]) {
			fputs("<tr><th>trace zone</th><td class=\"mono\">", out);
			E(x->trace_zone);
			fputs("</td></tr>\n", out);
		}
		html_command_line_row(out, x->argc, x->argv);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* ---- the page */

void trace_html_write(const trace_result_t *res, const trace_html_extra_t *x, FILE *out)
{
	html_page_begin_css(out, "dnsfrag trace", "Where fragments die", health2str((health_t)res->health), NULL,
	                    th_css);
	th_verdict(out, res);
	th_traces(out, res);
	th_pmtus(out, res);
	th_settings(out, res, x);
	html_page_end(out, "dnsfrag-probe", "from the same trace result as its text and JSON output.");
}

typedef struct th_page {
	const trace_result_t *res;
	const trace_html_extra_t *x;
} th_page_t;

static void th_page_write(FILE *out, const void *ctx)
{
	const th_page_t *pg = ctx;
	trace_html_write(pg->res, pg->x, out);
}

int trace_html_write_file(const trace_result_t *res, const trace_html_extra_t *x, const char *path, char *err,
                          size_t errlen)
{
	th_page_t pg = { res, x };
	return html_write_file(path, th_page_write, &pg, err, errlen);
}
