/* trace_conclude.c - a trace's conclusion from its hops (see trace.h): pure,
 * no I/O, unit-tested (tests/unit/test_trace.c). */
#include <stdio.h>
#include <string.h>

#include "textbuf.h"
#include "trace.h"

static const char *const seen_names[TRACE_SEEN_COUNT] = {
	"silent", "time-exceeded", "answer", "reassembly-time-exceeded", "too-big", "unreachable",
	"refused-locally",
};

const char *trace_seen2str(trace_seen_t s)
{
	return s < TRACE_SEEN_COUNT ? seen_names[s] : "?";
}

const char *trace_kind2str(trace_kind_t k)
{
	return k == TRACE_KIND_QUERY ? "query" : k == TRACE_KIND_ANSWER ? "answer" : "pmtu";
}

const char *trace_verdict2str(trace_verdict_t v)
{
	static const char *const n[] = { "pass", "located", "ambiguous", "unknown" };
	return v <= TRACE_UNKNOWN ? n[v] : "?";
}

/* ------------------------------------------------------------ conclusions */

static int obs_replied(const trace_obs_t *o)
{
	return o->seen != TRACE_SILENT;
}

/* Did the probe reach hop h (its Time Exceeded, or the answer)? For an IPv6
 * train it is the non-first fragments that count: the place where they die
 * is what an ACL without a fragments clause hides. */
int trace_hop_probe_reached(const trace_path_t *p, const trace_hop_t *h)
{
	const trace_obs_t *o = &h->probe;
	if (o->seen == TRACE_ANSWER)
		return 1;
	if (p->kind == TRACE_KIND_QUERY && p->family == 6)
		return o->later_te;
	return o->seen == TRACE_TIME_EXCEEDED || o->seen == TRACE_TOO_BIG;
}

static void hop_addr(const trace_path_t *p, uint32_t hop, ip_addr_t *out)
{
	memset(out, 0, sizeof *out);
	if (hop == 0) {
		*out = p->kind == TRACE_KIND_ANSWER ? p->target : p->source;
		return;
	}
	for (uint32_t i = 0; i < p->nhops; i++)
		if (p->hop[i].hop == hop) {
			const trace_hop_t *h = &p->hop[i];
			if (obs_replied(&h->control) && h->control.seen != TRACE_ANSWER)
				*out = h->control.from;
			else if (obs_replied(&h->probe) && h->probe.seen != TRACE_ANSWER)
				*out = h->probe.from;
			else if (h->control.seen == TRACE_ANSWER)
				*out = p->kind == TRACE_KIND_ANSWER ? p->source : p->target;
		}
}

const char *trace_addr_text(const ip_addr_t *a, char *buf, size_t len, const char *none)
{
	if (!a->family)
		return snprintf(buf, len, "%s", none), buf;
	return ip_addr2str(a, buf, len);
}

void trace_path_conclude(trace_path_t *p)
{
	char a[64], b[64];
	const char *what = p->kind == TRACE_KIND_PMTU ? "DF packets of the lost size" :
	                   p->kind == TRACE_KIND_ANSWER ? "fragmented answers" : "fragmented queries";
	p->sentence[0] = p->ambiguous[0] = '\0';
	p->after_hop = p->before_hop = 0;
	memset(&p->after_addr, 0, sizeof p->after_addr);
	memset(&p->before_addr, 0, sizeof p->before_addr);
	if (p->error[0] && !p->nhops) {
		p->verdict = TRACE_UNKNOWN;
		snprintf(p->sentence, sizeof p->sentence, "the trace could not run: %s", p->error);
		return;
	}
	uint32_t D = p->dest_hop;
	if (!D) {
		p->verdict = TRACE_UNKNOWN;
		snprintf(p->sentence, sizeof p->sentence,
		         "no conclusion: the control was not answered within %u hops, so the path itself is not known "
		         "to carry it", p->nhops);
		return;
	}
	const trace_hop_t *dh = &p->hop[D - 1];
	if (dh->probe.seen == TRACE_ANSWER) {
		p->verdict = TRACE_PASS;
		snprintf(p->sentence, sizeof p->sentence, "%s reach the destination (answered at hop %u, like the control)",
		         what, D);
		return;
	}
	/* M: the last hop the probe reached; N: the first hop after M that the control
	 * shows to be on the way (its Time Exceeded, or the answer at D). */
	uint32_t M = 0, N = D;
	for (uint32_t h = 1; h <= D; h++)
		if (trace_hop_probe_reached(p, &p->hop[h - 1]))
			M = h;
	for (uint32_t h = M + 1; h <= D; h++)
		if (obs_replied(&p->hop[h - 1].control)) {
			N = h;
			break;
		}
	p->after_hop = M;
	p->before_hop = N;
	hop_addr(p, M, &p->after_addr);
	hop_addr(p, N, &p->before_addr);
	p->verdict = TRACE_LOCATED;
	snprintf(p->sentence, sizeof p->sentence, "%s die between hop %u (%s) and hop %u (%s)", what, M,
	         trace_addr_text(&p->after_addr, a, sizeof a, "no reply"), N, trace_addr_text(&p->before_addr, b, sizeof b, "no reply"));
	if (M == 0)
		text_appendf(p->sentence, sizeof p->sentence, ": not even the first hop saw them");
	text_appendf(p->sentence, sizeof p->sentence, "; the control reaches hop %u%s", N,
	        N == D ? " (the destination answers it)" : " and beyond");
	if (N > M + 1)
		text_appendf(p->sentence, sizeof p->sentence, "; hops %u-%u send no Time Exceeded to the control either, so the "
		        "range is wider", M + 1, N - 1);
	/* What makes it ambiguous. */
	for (uint32_t h = 1; h < M; h++)
		if (!trace_hop_probe_reached(p, &p->hop[h - 1]) && obs_replied(&p->hop[h - 1].control))
			text_appendf(p->ambiguous, sizeof p->ambiguous,
			        "%shop %u did not answer the probe but a later hop did (rate-limited ICMP or loss)",
			        p->ambiguous[0] ? "; " : "", h);
	for (uint32_t h = 1; h <= D; h++) {
		const trace_hop_t *x = &p->hop[h - 1];
		if (x->control.addr_differs || x->probe.addr_differs ||
		    (x->control.seen == TRACE_TIME_EXCEEDED && trace_hop_probe_reached(p, x) && x->probe.seen == TRACE_TIME_EXCEEDED &&
		     !ip_addr_equal(&x->control.from, &x->probe.from)))
			text_appendf(p->ambiguous, sizeof p->ambiguous,
			        "%shop %u answered from different addresses (load balancing: the probe and the control may "
			        "take different paths)", p->ambiguous[0] ? "; " : "", h);
	}
	if (p->kind == TRACE_KIND_QUERY && p->family == 6) {
		uint32_t F = 0;
		for (uint32_t h = 1; h <= D; h++)
			if (p->hop[h - 1].probe.first_te)
				F = h;
		if (F > M)
			text_appendf(p->sentence, sizeof p->sentence, "; the first fragment still reaches hop %u: only non-first "
			        "fragments are dropped", F);
	}
	if (dh->probe.seen == TRACE_REASSEMBLY) {
		text_appendf(p->ambiguous, sizeof p->ambiguous,
		        "%sthe destination reported a reassembly timeout: some fragments reached it and others did not",
		        p->ambiguous[0] ? "; " : "");
	}
	if (p->kind == TRACE_KIND_QUERY && p->family == 4 && M + 1 >= D) {
		snprintf(p->sentence, sizeof p->sentence,
		         "fragmented queries are not answered although their first fragment reaches hop %u (%s): either "
		         "it dies between hop %u and hop %u (%s), or non-first fragments die anywhere before the "
		         "destination", M, trace_addr_text(&p->after_addr, a, sizeof a, "no reply"), M, N,
		         trace_addr_text(&p->before_addr, b, sizeof b, "no reply"));
		p->after_hop = 0;
		hop_addr(p, 0, &p->after_addr);
	}
	if (p->kind == TRACE_KIND_QUERY && p->family == 4 && M + 1 >= D)
		text_appendf(p->ambiguous, sizeof p->ambiguous,
		        "%sIPv4 routers answer for fragment zero only: the first fragment reached hop %u, but a box that "
		        "drops only non-first fragments anywhere before the destination looks the same to an IPv4 trace",
		        p->ambiguous[0] ? "; " : "", M);
	/* The responder hears only of its first fragments: an ICMP error about a
	 * non-first one quotes no UDP ports, so no socket receives it (and IPv4
	 * routers send none). */
	if (p->kind == TRACE_KIND_ANSWER && M + 1 >= D)
		text_appendf(p->ambiguous, sizeof p->ambiguous,
		        "%sthe responder learns only of errors about the first fragment of its answers: a box that drops "
		        "only non-first answer fragments anywhere on the way looks the same", p->ambiguous[0] ? "; " : "");
	if (p->ambiguous[0])
		p->verdict = TRACE_AMBIGUOUS;
}

