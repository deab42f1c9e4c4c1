/* report_ladder.c - the fragment ladders of the HTML report (report_ladder.h). */
#include "report_ladder.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frameclock.h"
#include "html_kit.h"
#include "l4.h"
#include "points.h"

#define E(s) html_escape(out, (s))

/* ---- one point: the events of a transaction (frames from the tracker) */

typedef struct ladder_ev {
	uint64_t frame;
	int from_server;   /* 1: server -> client */
	int lost;          /* dashed, ends in a cross midway */
	int note;          /* no arrow: a mark on the time line */
	char label[200];
	char when[40];
	int64_t ts;        /* capture time (the frame clock), when has_ts */
	uint8_t has_ts;
} ladder_ev_t;

#define LADDER_MAX 48

static void ladder_add(ladder_ev_t *ev, uint32_t *n, uint64_t frame, int from_server, int lost, int note,
                       const char *label)
{
	if (*n == LADDER_MAX)
		return;
	ladder_ev_t *e = &ev[(*n)++];
	memset(e, 0, sizeof *e);
	e->frame = frame;
	e->from_server = from_server;
	e->lost = lost;
	e->note = note;
	snprintf(e->label, sizeof e->label, "%s", label);
}

static int ladder_wanted(const txn_t *t)
{
	return t->frags_lost || t->lost_inferred || t->verdict == TXN_TRUNCATED || t->verdict == TXN_DISCARDED ||
	       t->nicmp || (t->tcp != TXN_TCP_NOT_TRIED && t->tcp != TXN_TCP_COMPLETE);
}

static void ladder_events(const txn_t *t, ladder_ev_t *ev, uint32_t *n)
{
	char b[200];
	*n = 0;
	if (t->has_query) {
		snprintf(b, sizeof b, "query id %u, EDNS %u%s", t->id, t->udp_size, t->do_bit ? " DO" : "");
		ladder_add(ev, n, t->query_frame, 0, 0, 0, b);
		snprintf(ev[*n - 1].when, sizeof ev[0].when, "t=0");
	}
	if (t->answered && t->nfrags) {
		uint32_t kept = t->nfrags < TXN_MAX_FRAGS ? t->nfrags : TXN_MAX_FRAGS;
		for (uint32_t k = 0; k < kept; k++) {
			snprintf(b, sizeof b, "answer fragment %u of %u: IP packet %u bytes", k + 1, t->nfrags, t->frag_ip_sizes[k]);
			if (k > 0 && k + 1 < kept && t->answer_first_frame && t->answer_frame)
				snprintf(b + strlen(b), sizeof b - strlen(b), " (between frames %" PRIu64 " and %" PRIu64 ")",
				         t->answer_first_frame, t->answer_frame);
			ladder_add(ev, n, k + 1 == kept ? t->answer_frame : t->answer_first_frame, 1, 0, 0, b);
		}
	} else if (t->answered) {
		snprintf(b, sizeof b, "answer %u bytes%s", t->answer_size, t->tc ? ", TC=1 (truncated)" : "");
		ladder_add(ev, n, t->answer_frame, 1, 0, 0, b);
	}
	if (t->answered && t->has_query && t->answer_ts >= t->query_ts)
		snprintf(ev[*n - 1].when, sizeof ev[0].when, "t=+%.3f ms", (double)(t->answer_ts - t->query_ts) / 1e6);
	if (t->frags_lost && !t->lost_inferred) {
		uint32_t at = 0;
		for (uint32_t k = 0; k < t->lost_nranges && k < TXN_MAX_RANGES; k++) {
			const reasm_range_t *g = &t->lost_ranges[k];
			if (g->start > at) {
				snprintf(b, sizeof b, "fragment data at offset %u, length %u: never arrived", at, g->start - at);
				ladder_add(ev, n, t->lost_first_frame, 1, 1, 0, b);
			}
			snprintf(b, sizeof b, "fragment data arrived: offset %u, length %u", g->start, g->end - g->start);
			ladder_add(ev, n, t->lost_first_frame, 1, 0, 0, b);
			at = g->end;
		}
		if (t->lost_total_len && t->lost_total_len > at)
			snprintf(b, sizeof b, "fragment data at offset %u, length %u: never arrived", at, t->lost_total_len - at);
		else if (!t->lost_have_last)
			snprintf(b, sizeof b, "fragment data from offset %u (the last fragment): never arrived", at);
		else
			b[0] = '\0';
		if (b[0])
			ladder_add(ev, n, t->lost_first_frame, 1, 1, 0, b);
	}
	if (t->lost_inferred) {
		snprintf(b, sizeof b, "UDP answer in fragments (%u bytes, from the TCP retry): none arrived", t->tcp_answer_size);
		ladder_add(ev, n, t->query_frame, 1, 1, 0, b);
	}
	for (uint32_t k = 0; k < t->nicmp && k < TXN_MAX_ICMP; k++) {
		char rep[64];
		ip_addr2str(&t->icmp[k].reporter, rep, sizeof rep);
		if (t->icmp[k].mtu)
			snprintf(b, sizeof b, "ICMP %s from %s, MTU %u (about the %s)", icmp_kind2str(t->icmp[k].kind), rep,
			         t->icmp[k].mtu, t->icmp[k].about_answer ? "answer" : "query");
		else
			snprintf(b, sizeof b, "ICMP %s from %s (about the %s)", icmp_kind2str(t->icmp[k].kind), rep,
			         t->icmp[k].about_answer ? "answer" : "query");
		/* the error goes back to whoever sent the datagram it quotes */
		ladder_add(ev, n, t->icmp[k].frame, !t->icmp[k].about_answer, 0, 0, b);
	}
	if (t->tcp != TXN_TCP_NOT_TRIED) {
		ladder_add(ev, n, t->tcp_syn_frame, 0, 0, 0, "TCP SYN (the retry over TCP)");
		if (t->tcp == TXN_TCP_COMPLETE) {
			snprintf(b, sizeof b, "TCP answer %u bytes", t->tcp_answer_size);
			ladder_add(ev, n, t->tcp_answer_frame, 1, 0, 0, b);
		} else {
			snprintf(b, sizeof b, "TCP %s: no answer", txn_tcp_outcome2str(t->tcp));
			ladder_add(ev, n, t->tcp_answer_frame ? t->tcp_answer_frame : t->tcp_syn_frame, 1, 1, 0, b);
		}
	}
	/* capture order; unknown frames (0) keep the previous one's place */
	uint64_t last = 0;
	for (uint32_t k = 0; k < *n; k++) {
		if (!ev[k].frame)
			ev[k].frame = last;
		last = ev[k].frame;
	}
	for (uint32_t k = 1; k < *n; k++) { /* stable insertion sort */
		ladder_ev_t tmp = ev[k];
		uint32_t j = k;
		while (j > 0 && ev[j - 1].frame > tmp.frame) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = tmp;
	}
}

/* <svg ...> and the client and server names over their lanes. */
static void ladder_svg_begin(FILE *out, const txn_t *t, uint32_t idx, int W, int h, int xc, int xs, const char *how)
{
	char c[64], s[64];
	ip_addr2str(&t->client, c, sizeof c);
	ip_addr2str(&t->server, s, sizeof s);
	fprintf(out,
	        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	        "aria-label=\"fragment ladder of transaction %u%s\">\n",
	        W, h, W, h, idx, how);
	fprintf(out, "<text x=\"%d\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">client ", xc);
	E(c);
	fprintf(out, "#%u</text>\n<text x=\"%d\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">server ", t->cport, xs);
	E(s);
	fprintf(out, "#%u</text>\n", t->sport);
}

/* The client's and the server's lanes (after the grid, so they cover it). */
static void ladder_lanes(FILE *out, int h, int xc, int xs)
{
	for (int k = 0; k < 2; k++)
		fprintf(out, "<line x1=\"%d\" y1=\"22\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n",
		        k ? xs : xc, k ? xs : xc, h - 8);
}

/* The ladder in capture order (times unknown): evenly spaced rows. */
static void ladder_write_order(FILE *out, const txn_t *t, uint32_t idx, const ladder_ev_t *ev, uint32_t n)
{
	const int W = 760, xc = 150, xs = 610, top = 46, step = 34;
	int h = top + step * (int)n + 20;
	ladder_svg_begin(out, t, idx, W, h, xc, xs, "");
	fprintf(out, "<text x=\"4\" y=\"34\" fill=\"#333\">capture order (frame, time)</text>\n");
	ladder_lanes(out, h, xc, xs);
	for (uint32_t k = 0; k < n; k++) {
		const ladder_ev_t *e = &ev[k];
		int y = top + step * (int)k;
		int x1 = e->from_server ? xs : xc, x2 = e->from_server ? xc : xs;
		if (e->lost) /* nothing was captured: no frame to name */
			fprintf(out, "<text x=\"4\" y=\"%d\" fill=\"#333\">(never seen)</text>\n", y + 4);
		else
			fprintf(out, "<text x=\"4\" y=\"%d\" fill=\"#333\">frame %" PRIu64 "%s%s</text>\n", y + 4, e->frame,
			        e->when[0] ? " " : "", e->when);
		if (e->lost) {
			int xm = (x1 + x2) / 2;
			fprintf(out,
			        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#D55E00\" stroke-width=\"2\" "
			        "stroke-dasharray=\"6 4\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#D55E00\" "
			        "font-size=\"16\" font-weight=\"bold\">&#10007;</text>\n",
			        x1, y, xm, y + 6, xm, y + 12);
		} else {
			/* the arrowhead drawn, not a marker: no url() references at all */
			int back = x2 > x1 ? -10 : 10;
			fprintf(out,
			        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" stroke-width=\"1.5\"/>\n"
			        "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"#000\"/>\n",
			        x1, y, x2, y + 8, x2, y + 8, x2 + back, y + 3, x2 + back, y + 12);
		}
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>", (xc + xs) / 2, y - 4,
		        e->lost ? " fill=\"#8a3a00\"" : "");
		E(e->label);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}

/* ---- drawing: the time axis, arrows, the label column */

#define LBL_X_GAP 24   /* from the last lane to the label column */
#define LBL_STEP 15    /* least distance between two labels */
#define AXIS_X 64      /* the tick labels end here */

/* The time axis: linear in capture time, broken across an idle gap over
 * eight times as long as everything else (a TCP retry a second after a UDP
 * exchange of a millisecond): each part keeps its own scale and ticks, a band
 * between them says how long the break is. */
#define AXIS_SEGS 4
#define AXIS_BREAK 40   /* pixels of a break band */

typedef struct axis {
	int64_t t0;         /* the query's capture time: 0 ms */
	uint32_t nseg;
	struct {
		int64_t from, to;
		int top, height;
		double px_per_ns;
	} seg[AXIS_SEGS];
	int top, bottom;
} axis_t;

static int ts_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* times: every time that will be drawn (n <= 2 * LADDER_MAX * POINTS_MAX). */
static void axis_init(axis_t *a, int64_t t0, const int64_t *times, uint32_t n, int top)
{
	static int64_t v[2 * LADDER_MAX * POINTS_MAX + 1];
	uint32_t m = 0;
	for (uint32_t i = 0; i < n && m + 1 < sizeof v / sizeof v[0]; i++)
		v[m++] = times[i];
	v[m++] = t0;
	qsort(v, m, sizeof v[0], ts_cmp);
	int64_t span = v[m - 1] - v[0];
	/* the largest gaps become breaks while each is over eight times what is
	 * left of the span without the breaks (the rest would be squashed) */
	uint32_t cut[AXIS_SEGS - 1], ncut = 0;
	int64_t left = span;
	for (uint32_t k = 0; k < AXIS_SEGS - 1; k++) {
		int64_t best = 0;
		uint32_t at = 0;
		for (uint32_t i = 1; i < m; i++) {
			int64_t g = v[i] - v[i - 1];
			int taken = 0;
			for (uint32_t j = 0; j < ncut; j++)
				taken |= cut[j] == i;
			if (!taken && g > best) {
				best = g;
				at = i;
			}
		}
		if (!at || best <= 8 * (left - best))
			break;
		cut[ncut++] = at;
		left -= best;
	}
	for (uint32_t i = 1; i < ncut; i++) { /* sort the cut indexes */
		uint32_t c = cut[i], j = i;
		while (j > 0 && cut[j - 1] > c) {
			cut[j] = cut[j - 1];
			j--;
		}
		cut[j] = c;
	}
	a->t0 = t0;
	a->top = top;
	a->nseg = ncut + 1;
	int y = top;
	for (uint32_t s = 0, from = 0; s < a->nseg; s++) {
		uint32_t to = s < ncut ? cut[s] : m; /* v[from, to) */
		a->seg[s].from = v[from];
		a->seg[s].to = v[to - 1];
		int h = 50 + 14 * (int)(to - from);
		if (a->seg[s].to == a->seg[s].from)
			h = 20;
		a->seg[s].height = h > 420 ? 420 : h;
		a->seg[s].top = y;
		int64_t sp = a->seg[s].to - a->seg[s].from;
		a->seg[s].px_per_ns = sp > 0 ? (double)a->seg[s].height / (double)sp : 0;
		y += a->seg[s].height + (s + 1 < a->nseg ? AXIS_BREAK : 0);
		from = to;
	}
	a->bottom = y;
}

static int axis_y(const axis_t *a, int64_t ts)
{
	uint32_t s = 0;
	while (s + 1 < a->nseg && ts > a->seg[s].to)
		s++;
	if (ts < a->seg[s].from)
		ts = a->seg[s].from;
	return a->seg[s].top + (int)((double)(ts - a->seg[s].from) * a->seg[s].px_per_ns + 0.5);
}

static void axis_tick(FILE *out, const axis_t *a, int64_t ts, int x0, int x1, int digits)
{
	int y = axis_y(a, ts);
	fprintf(out,
	        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-width=\"1\" "
	        "stroke-dasharray=\"2 3\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#333\">%+.*f ms</text>\n",
	        x0, y, x1, y, AXIS_X, y + 4, digits, (double)(ts - a->t0) / 1e6);
}

/* Ticks at 1, 2 or 5 x 10^k ms, up to six per part, labelled relative to the query. */
static void axis_draw(FILE *out, const axis_t *a, int x0, int x1)
{
	fprintf(out, "<text x=\"4\" y=\"%d\" fill=\"#333\">ms after the query</text>\n", a->top - 22);
	for (uint32_t s = 0; s < a->nseg; s++) {
		int64_t from = a->seg[s].from, to = a->seg[s].to;
		if (s > 0) {
			int yb = a->seg[s - 1].top + a->seg[s - 1].height + 14;
			fprintf(out,
			        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eee\"/>\n<text x=\"%d\" y=\"%d\" "
			        "text-anchor=\"middle\" fill=\"#333\">&#8776; %.3f ms later (axis broken)</text>\n",
			        x0, yb, x1 - x0, AXIS_BREAK - 20, (x0 + x1) / 2, yb + 14,
			        (double)(from - a->seg[s - 1].to) / 1e6);
		}
		double span_ms = (double)(to - from) / 1e6;
		if (span_ms <= 0) {
			axis_tick(out, a, from, x0, x1, 3);
			continue;
		}
		double step = 1e-3;
		while (span_ms / step > 6) {
			if (span_ms / (step * 2) <= 6) {
				step *= 2;
				break;
			}
			if (span_ms / (step * 5) <= 6) {
				step *= 5;
				break;
			}
			step *= 10;
		}
		int digits = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
		double lo = (double)(from - a->t0) / 1e6, hi = (double)(to - a->t0) / 1e6;
		for (long k = (long)(lo / step) - 1; k <= (long)(hi / step) + 1; k++) {
			double ms = (double)k * step;
			if (ms < lo - 1e-9 || ms > hi + 1e-9)
				continue;
			axis_tick(out, a, a->t0 + (int64_t)(ms * 1e6 + (ms < 0 ? -0.5 : 0.5)), x0, x1, digits);
		}
	}
}

/* A line ending in a drawn arrowhead (no markers: no url() references). */
static void draw_arrow(FILE *out, double x1, double y1, double x2, double y2, int head)
{
	fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"/>\n", x1,
	        y1, x2, y2);
	if (!head)
		return;
	double dx = x2 - x1, dy = y2 - y1, len = dx * dx + dy * dy;
	if (len <= 0)
		return;
	double l = 1.0;
	for (int i = 0; i < 20; i++) /* sqrt without libm */
		l = 0.5 * (l + len / l);
	double ux = dx / l, uy = dy / l;
	fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#000\"/>\n", x2, y2,
	        x2 - 10 * ux - 4.5 * uy, y2 - 10 * uy + 4.5 * ux, x2 - 10 * ux + 4.5 * uy, y2 - 10 * uy - 4.5 * ux);
}

static void draw_cross(FILE *out, int x, int y)
{
	fprintf(out,
	        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#D55E00\" font-size=\"16\" "
	        "font-weight=\"bold\">&#10007;</text>\n",
	        x, y + 6);
}

static void draw_lost(FILE *out, int x1, int y, int x2)
{
	fprintf(out,
	        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#D55E00\" stroke-width=\"2\" "
	        "stroke-dasharray=\"6 4\"/>\n",
	        x1, y, x2, y);
	draw_cross(out, x2, y);
}

/* Labels beside the lanes: label i wants height y[i]; place them in order of
 * y at least LBL_STEP apart (ly[]), returning the lowest. */
static int labels_place(const int *y, int *ly, uint32_t n)
{
	uint32_t idx[LADDER_MAX];
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	for (uint32_t i = 1; i < n; i++) { /* stable: equal heights keep their order */
		uint32_t v = idx[i], j = i;
		while (j > 0 && y[idx[j - 1]] > y[v]) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	int last = -1000000, low = 0;
	for (uint32_t k = 0; k < n; k++) {
		int want = y[idx[k]];
		ly[idx[k]] = want < last + LBL_STEP ? last + LBL_STEP : want;
		last = ly[idx[k]];
		low = last;
	}
	return low;
}

static void draw_label(FILE *out, int from_x, int y, int lx, int ly, int lost, const char *label, const char *prefix)
{
	if (ly != y || from_x + 2 < lx - 4)
		fprintf(out, "<polyline points=\"%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.8\"/>\n",
		        from_x + 2, y, lx - 12, ly - 4, lx - 4, ly - 4);
	fprintf(out, "<text x=\"%d\" y=\"%d\"%s>", lx, ly, lost ? " fill=\"#8a3a00\"" : "");
	if (prefix)
		E(prefix);
	E(label);
	fputs("</text>\n", out);
}

/* ---- one point: client and server lanes on a time axis */

static void ladder_write_time(FILE *out, const txn_t *t, uint32_t idx, const ladder_ev_t *ev, uint32_t n)
{
	const int xc = 150, xs = 420, lx = xs + LBL_X_GAP, top = 58;
	int64_t times[LADDER_MAX];
	for (uint32_t k = 0; k < n; k++)
		times[k] = ev[k].ts;
	axis_t a;
	axis_init(&a, t->has_query ? t->query_ts : ev[0].ts, times, n, top);
	int y[LADDER_MAX] = { 0 }, ly[LADDER_MAX] = { 0 };
	for (uint32_t k = 0; k < n; k++) /* data never seen: just below the arrival it is missing from */
		y[k] = axis_y(&a, ev[k].ts) + (ev[k].lost ? 7 : 0);
	int low = labels_place(y, ly, n);
	int h = (low > a.bottom ? low : a.bottom) + 24;
	ladder_svg_begin(out, t, idx, 980, h, xc, xs, " on a time axis");
	axis_draw(out, &a, AXIS_X + 6, xs);
	ladder_lanes(out, h, xc, xs);
	for (uint32_t k = 0; k < n; k++) {
		const ladder_ev_t *e = &ev[k];
		int x1 = e->from_server ? xs : xc, x2 = e->from_server ? xc : xs;
		char pre[48];
		if (e->lost) {
			draw_lost(out, x1, y[k], (x1 + x2) / 2);
			snprintf(pre, sizeof pre, "(never seen) ");
		} else {
			draw_arrow(out, x1, y[k], x2, y[k], 1);
			snprintf(pre, sizeof pre, "frame %" PRIu64 ": ", e->frame);
		}
		draw_label(out, xs, y[k], lx, ly[k], e->lost, e->label, pre);
	}
	fputs("</svg>\n", out);
}

/* ---- several points: one lane per point */

#define LANE_ROWS 40

typedef enum lane_state { LANE_NONE, LANE_SEEN, LANE_MISSING, LANE_MISSED } lane_state_t;

typedef struct lane_row {
	char label[160];
	uint8_t to_client;            /* travels from the server side to the client side */
	uint8_t lost;                 /* some point after the last that saw it did not */
	uint8_t is_query;
	uint8_t state[POINTS_MAX];
	int64_t ts[POINTS_MAX];
	uint64_t frame[POINTS_MAX];
	int64_t first;                /* earliest sighting: the row's place on the time axis */
} lane_row_t;

static int trace_is(const points_trace_t *tr, const txn_t *t, int dir)
{
	return !tr->tcp && tr->dir == dir && tr->dns_id == t->id && tr->qtype == t->qtype &&
	       strncmp(tr->qname, t->qname, POINTS_QNAME_MAX - 1) == 0;
}

static int64_t trace_first(const points_trace_t *tr, uint32_t np)
{
	int64_t f = INT64_MAX;
	for (uint32_t p = 0; p < np; p++)
		if (tr->at[p].seen && tr->at[p].ts_ns < f)
			f = tr->at[p].ts_ns;
	return f;
}

/* Was [off, off+len) carried at this point in other pieces (re-fragmented)? */
static int lane_covered(const points_trace_at_t *a, uint32_t off, uint32_t len)
{
	if (a->complete && !a->fragmented)
		return 1;
	uint32_t at = off, end = off + len;
	for (int progress = 1; progress && at < end;) {
		progress = 0;
		for (uint32_t f = 0; f < a->nkept; f++)
			if (a->frags[f].offset <= at && a->frags[f].offset + a->frags[f].len > at) {
				at = a->frags[f].offset + a->frags[f].len;
				progress = 1;
			}
	}
	return at >= end;
}

/* Missing where covered and not seen: lost when no later point (in travel
 * order) saw it, else missed by that capture. */
static void lane_finish(lane_row_t *row, uint32_t np)
{
	int last = -1;
	for (uint32_t k = 0; k < np; k++) {
		uint32_t p = row->to_client ? np - 1 - k : k;
		if (row->state[p] == LANE_SEEN)
			last = (int)k;
	}
	row->first = INT64_MAX;
	for (uint32_t k = 0; k < np; k++) {
		uint32_t p = row->to_client ? np - 1 - k : k;
		if (row->state[p] == LANE_SEEN && row->ts[p] < row->first)
			row->first = row->ts[p];
		if (row->state[p] == LANE_MISSING && (int)k < last)
			row->state[p] = LANE_MISSED;
		if (row->state[p] == LANE_MISSING)
			row->lost = 1;
	}
}

static void lane_row_whole(lane_row_t *row, const points_trace_t *tr, uint32_t np)
{
	row->to_client = tr->dir == POINTS_DIR_ANSWER;
	for (uint32_t p = 0; p < np; p++) {
		const points_trace_at_t *a = &tr->at[p];
		row->state[p] = a->seen ? LANE_SEEN : a->covered ? LANE_MISSING : LANE_NONE;
		row->ts[p] = a->ts_ns;
		row->frame[p] = a->frame;
	}
	lane_finish(row, np);
}

/* The answer: one row per fragment (offset, length) any point saw. */
static void lane_rows_answer(lane_row_t *rows, uint32_t *n, const points_trace_t *tr, uint32_t np)
{
	int fragmented = 0;
	for (uint32_t p = 0; p < np; p++)
		fragmented |= tr->at[p].seen && tr->at[p].fragmented;
	if (!fragmented) {
		if (*n == LANE_ROWS)
			return;
		lane_row_t *row = &rows[(*n)++];
		memset(row, 0, sizeof *row);
		snprintf(row->label, sizeof row->label, "answer, %u bytes (DNS)", tr->dns_len);
		lane_row_whole(row, tr, np);
		return;
	}
	/* the distinct fragments, by offset */
	struct { uint32_t off, len; } fr[POINTS_MAX * POINTS_TRACE_FRAGS];
	uint32_t nf = 0;
	for (uint32_t p = 0; p < np; p++)
		for (uint32_t f = 0; f < tr->at[p].nkept; f++) {
			uint32_t off = tr->at[p].frags[f].offset, len = tr->at[p].frags[f].len, i;
			for (i = 0; i < nf && !(fr[i].off == off && fr[i].len == len); i++)
				;
			if (i == nf && nf < POINTS_MAX * POINTS_TRACE_FRAGS) {
				uint32_t j = nf++;
				while (j > 0 && (fr[j - 1].off > off || (fr[j - 1].off == off && fr[j - 1].len > len))) {
					fr[j] = fr[j - 1];
					j--;
				}
				fr[j].off = off;
				fr[j].len = len;
			}
		}
	for (uint32_t i = 0; i < nf && *n < LANE_ROWS; i++) {
		lane_row_t *row = &rows[(*n)++];
		memset(row, 0, sizeof *row);
		row->to_client = 1;
		snprintf(row->label, sizeof row->label, "answer fragment: offset %u, length %u", fr[i].off, fr[i].len);
		for (uint32_t p = 0; p < np; p++) {
			const points_trace_at_t *a = &tr->at[p];
			const points_frag_t *hit = NULL;
			for (uint32_t f = 0; f < a->nkept && !hit; f++)
				if (a->frags[f].offset == fr[i].off && a->frags[f].len == fr[i].len)
					hit = &a->frags[f];
			if (hit) {
				row->state[p] = LANE_SEEN;
				row->ts[p] = hit->ts_ns;
				row->frame[p] = hit->frame;
			} else if (a->seen && lane_covered(a, fr[i].off, fr[i].len)) {
				row->state[p] = LANE_NONE; /* carried here in other pieces */
			} else if (a->seen && a->nfrags > a->nkept) {
				row->state[p] = LANE_NONE; /* more fragments than kept: cannot tell */
			} else {
				row->state[p] = a->covered || a->seen ? LANE_MISSING : LANE_NONE;
			}
		}
		lane_finish(row, np);
	}
}

static const char *tcp_label(const points_trace_t *tr, char *b, size_t len)
{
	const char *who = tr->dir == POINTS_DIR_QUERY ? "to the server" : "to the client";
	if (tr->tcp_flags & TCP_RST)
		snprintf(b, len, "TCP RST %s", who);
	else if (tr->tcp_flags & TCP_SYN)
		snprintf(b, len, "TCP %s %s", tr->dir == POINTS_DIR_QUERY ? "SYN" : "SYN-ACK", who);
	else if (tr->tcp_flags & TCP_FIN)
		snprintf(b, len, "TCP FIN %s%s", who, tr->dns_len ? " with data" : "");
	else
		snprintf(b, len, "TCP segment %s, %u bytes", who, tr->dns_len);
	return b;
}

static int tuple_is(const points_trace_at_t *a, const points_trace_at_t *syn)
{
	return (ip_addr_equal(&a->src, &syn->src) && ip_addr_equal(&a->dst, &syn->dst) && a->sport == syn->sport &&
	        a->dport == syn->dport) ||
	       (ip_addr_equal(&a->src, &syn->dst) && ip_addr_equal(&a->dst, &syn->src) && a->sport == syn->dport &&
	        a->dport == syn->sport);
}

/* The rows of a transaction from the --points traces; 0 when its query was
 * not traced (then the one-point ladder is drawn). */
static uint32_t lane_rows(const txn_t *t, const points_t *pt, frameclock_t *clock, lane_row_t *rows)
{
	uint32_t np = points_count(pt), nt = points_trace_count(pt), n = 0;
	const points_trace_t *q = NULL, *ans = NULL, *syn = NULL;
	for (uint32_t i = 0; i < nt && !q; i++) {
		const points_trace_t *tr = points_trace_get(pt, i);
		if (trace_is(tr, t, POINTS_DIR_QUERY) && tr->at[0].seen && tr->at[0].frame == t->query_frame)
			q = tr;
	}
	if (!q)
		return 0;
	int64_t qt = q->at[0].ts_ns;
	/* its answer: the one whose frame at the first point the tracker names, else
	 * the first with its identity within 10 s of the query */
	const points_trace_t *near = NULL;
	for (uint32_t i = 0; i < nt && !ans; i++) {
		const points_trace_t *tr = points_trace_get(pt, i);
		if (!trace_is(tr, t, POINTS_DIR_ANSWER))
			continue;
		uint64_t f = tr->at[0].seen ? tr->at[0].frame : 0;
		if (f && (f == t->answer_first_frame || f == t->answer_frame || f == t->lost_first_frame))
			ans = tr;
		else if (!near && trace_first(tr, np) >= qt - 2000000000LL && trace_first(tr, np) <= qt + 10000000000LL)
			near = tr;
	}
	if (!ans)
		ans = near;
	lane_row_t *row = &rows[n++];
	memset(row, 0, sizeof *row);
	snprintf(row->label, sizeof row->label, "query id %u, EDNS %u%s", t->id, t->udp_size, t->do_bit ? " DO" : "");
	row->is_query = 1;
	lane_row_whole(row, q, np);
	if (ans)
		lane_rows_answer(rows, &n, ans, np);
	for (uint32_t k = 0; clock && k < t->nicmp && k < TXN_MAX_ICMP && n < LANE_ROWS; k++) {
		int64_t ts;
		if (!frameclock_get(clock, t->icmp[k].frame, &ts))
			continue;
		char rep[64];
		ip_addr2str(&t->icmp[k].reporter, rep, sizeof rep);
		row = &rows[n++];
		memset(row, 0, sizeof *row);
		row->to_client = !t->icmp[k].about_answer;
		if (t->icmp[k].mtu)
			snprintf(row->label, sizeof row->label, "ICMP %s from %s, MTU %u (about the %s)",
			         icmp_kind2str(t->icmp[k].kind), rep, t->icmp[k].mtu, t->icmp[k].about_answer ? "answer" : "query");
		else
			snprintf(row->label, sizeof row->label, "ICMP %s from %s (about the %s)", icmp_kind2str(t->icmp[k].kind),
			         rep, t->icmp[k].about_answer ? "answer" : "query");
		row->state[0] = LANE_SEEN; /* the tracker's point */
		row->ts[0] = ts;
		row->frame[0] = t->icmp[k].frame;
		lane_finish(row, np);
	}
	if (t->tcp != TXN_TCP_NOT_TRIED)
		for (uint32_t i = 0; i < nt && !syn; i++) {
			const points_trace_t *tr = points_trace_get(pt, i);
			if (tr->tcp && tr->dir == POINTS_DIR_QUERY && (tr->tcp_flags & TCP_SYN) && tr->at[0].seen &&
			    tr->at[0].frame == t->tcp_syn_frame)
				syn = tr;
		}
	for (uint32_t i = 0; syn && i < nt && n < LANE_ROWS; i++) {
		const points_trace_t *tr = points_trace_get(pt, i);
		if (!tr->tcp)
			continue;
		int64_t f = trace_first(tr, np);
		if (f < syn->at[0].ts_ns - 2000000000LL || f > syn->at[0].ts_ns + 30000000000LL)
			continue;
		int same = 0;
		for (uint32_t p = 0; p < np && !same; p++)
			same = syn->at[p].seen && tr->at[p].seen && tuple_is(&tr->at[p], &syn->at[p]);
		if (!same)
			continue;
		row = &rows[n++];
		memset(row, 0, sizeof *row);
		tcp_label(tr, row->label, sizeof row->label);
		lane_row_whole(row, tr, np);
	}
	/* in time order */
	for (uint32_t k = 1; k < n; k++) {
		lane_row_t tmp = rows[k];
		uint32_t j = k;
		while (j > 0 && rows[j - 1].first > tmp.first) {
			rows[j] = rows[j - 1];
			j--;
		}
		rows[j] = tmp;
	}
	return n;
}

static void ladder_write_lanes(FILE *out, const txn_t *t, uint32_t idx, const points_t *pt, const lane_row_t *rows,
                               uint32_t n)
{
	uint32_t np = points_count(pt);
	const int x0 = 150, x1 = 470, lx = x1 + LBL_X_GAP, top = 70, W = 1000;
	int x[POINTS_MAX];
	for (uint32_t p = 0; p < np; p++)
		x[p] = np > 1 ? x0 + (int)((x1 - x0) * p / (np - 1)) : x0;
	static int64_t times[LANE_ROWS * POINTS_MAX];
	uint32_t nts = 0;
	int64_t t0 = rows[0].first;
	for (uint32_t k = 0; k < n; k++) {
		for (uint32_t p = 0; p < np; p++)
			if (rows[k].state[p] == LANE_SEEN)
				times[nts++] = rows[k].ts[p];
		if (rows[k].is_query && rows[k].state[0] == LANE_SEEN)
			t0 = rows[k].ts[0];
	}
	axis_t a;
	axis_init(&a, t0, times, nts, top);
	int y[LADDER_MAX] = { 0 }, ly[LADDER_MAX] = { 0 }, rx[LADDER_MAX] = { 0 }, ry[LADDER_MAX] = { 0 };
	for (uint32_t k = 0; k < n; k++) {
		/* the label joins the row where it ends (its last lane in travel order) */
		rx[k] = x0;
		ry[k] = axis_y(&a, rows[k].first);
		for (uint32_t p = 0; p < np; p++)
			if (rows[k].state[p] == LANE_SEEN && x[p] >= rx[k]) {
				rx[k] = x[p];
				ry[k] = axis_y(&a, rows[k].ts[p]);
			}
		y[k] = ry[k];
	}
	int low = labels_place(y, ly, n);
	int h = (low > a.bottom ? low : a.bottom) + 24;
	char c[64], s[64];
	ip_addr2str(&t->client, c, sizeof c);
	ip_addr2str(&t->server, s, sizeof s);
	fprintf(out,
	        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	        "aria-label=\"fragment ladder of transaction %u, one lane per capture point, on a time axis\">\n",
	        W, h, W, h, idx);
	fprintf(out, "<text x=\"%d\" y=\"14\" fill=\"#333\">client side: ", 4);
	E(c);
	fprintf(out, "#%u</text>\n<text x=\"%d\" y=\"14\" text-anchor=\"end\" fill=\"#333\">server side: ", t->cport, x1);
	E(s);
	fprintf(out, "#%u</text>\n", t->sport);
	for (uint32_t p = 0; p < np; p++) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">", x[p], p % 2 ? 46 : 34);
		E(points_point(pt, p)->label);
		fprintf(out, "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n",
		        x[p], 52, x[p], h - 8);
	}
	axis_draw(out, &a, AXIS_X + 6, x1);
	for (uint32_t k = 0; k < n; k++) {
		const lane_row_t *row = &rows[k];
		fputs("<g><title>", out);
		E(row->label);
		for (uint32_t p = 0; p < np; p++) {
			fputs("; ", out);
			E(points_point(pt, p)->label);
			if (row->state[p] == LANE_SEEN)
				fprintf(out, ": frame %" PRIu64 " at %+.3f ms", row->frame[p], (double)(row->ts[p] - a.t0) / 1e6);
			else
				fputs(row->state[p] == LANE_MISSING ? ": not seen (lost before it)"
				      : row->state[p] == LANE_MISSED ? ": not seen (missed by this capture)"
				                                     : ": -",
				      out);
		}
		fputs("</title>\n", out);
		/* travel order: the seen lanes joined by lines, an arrowhead at the last */
		int prev = -1, lastx = 0, lasty = 0, nseen = 0;
		for (uint32_t kk = 0; kk < np; kk++) {
			uint32_t p = row->to_client ? np - 1 - kk : kk;
			if (row->state[p] != LANE_SEEN)
				continue;
			int yy = axis_y(&a, row->ts[p]);
			fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#000\"/>\n", x[p], yy);
			if (prev >= 0)
				draw_arrow(out, x[prev], lasty, x[p], yy, 1);
			prev = (int)p;
			lastx = x[p];
			lasty = yy;
			nseen++;
		}
		if (nseen == 1 && !row->lost) { /* seen at one point only: a stub in its direction */
			int dx = row->to_client ? -28 : 28;
			draw_arrow(out, lastx, lasty, lastx + dx, lasty, 1);
		}
		for (uint32_t kk = 0; kk < np && prev >= 0; kk++) {
			uint32_t p = row->to_client ? np - 1 - kk : kk;
			if (row->state[p] == LANE_MISSING) {
				draw_lost(out, lastx, lasty, x[p]);
				lastx = x[p];
			} else if (row->state[p] == LANE_MISSED) {
				fprintf(out,
				        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\" font-size=\"13\">?</text>\n",
				        x[p], lasty - 4);
			}
		}
		draw_label(out, rx[k] > lastx ? rx[k] : lastx, ry[k], lx, ly[k], row->lost, row->label,
		           row->lost ? "lost: " : NULL);
		fputs("</g>\n", out);
	}
	fputs("</svg>\n", out);
}

/* ---- the section */

static void ladder_write(FILE *out, const txn_t *t, uint32_t idx, const report_html_extra_t *x)
{
	static ladder_ev_t ev[LADDER_MAX];
	static lane_row_t rows[LANE_ROWS];
	char type[16];
	fprintf(out, "<div class=\"ladder\" id=\"ladder-%u\">\n<h3>#%u %s: <span class=\"mono\">", idx, idx,
	        txn_verdict2str(t->verdict));
	E(t->qname);
	fputc(' ', out);
	E(dns_type2str(t->qtype, type, sizeof type));
	fputs("</span></h3>\n", out);
	uint32_t n;
	if (x && x->points && (n = lane_rows(t, x->points, x->clock, rows)) > 0) {
		ladder_write_lanes(out, t, idx, x->points, rows, n);
		fputs("</div>\n", out);
		return;
	}
	ladder_events(t, ev, &n);
	int timed = x && x->clock && n > 0;
	for (uint32_t k = 0; timed && k < n; k++)
		timed = frameclock_get(x->clock, ev[k].frame, &ev[k].ts);
	if (timed) {
		ladder_write_time(out, t, idx, ev, n);
	} else {
		ladder_write_order(out, t, idx, ev, n);
		if (x && x->clock)
			fputs("<p class=\"small\">Drawn in capture order: the capture times of some of its frames are not "
			      "known (more packets than the time table holds).</p>\n",
			      out);
	}
	fputs("</div>\n", out);
}

void report_ladders_write(FILE *out, const report_t *r, const report_html_extra_t *x)
{
	uint32_t shown = 0;
	for (uint32_t i = 0; i < r->nevidence; i++)
		if (ladder_wanted(&r->evidence[i]))
			shown++;
	fputs("<section id=\"ladders\">\n<h2>Fragment ladders</h2>\n", out);
	if (!shown) {
		fputs("<p>No transaction lost fragments, was truncated or failed over TCP.</p>\n</section>\n", out);
		return;
	}
	if (x && x->points)
		fputs("<p>The evidence transactions that lost fragments, were truncated, drew ICMP errors or failed over TCP, "
		      "one lane per capture point in path order (client side first): the query, each answer fragment (its "
		      "offset and length in the UDP datagram) and each DNS TCP segment, drawn through the points that saw "
		      "it at each point's capture time; a red cross where a point whose capture was running did not see it "
		      "and no point after it did (lost on the way), a question mark where only that capture missed it. "
		      "ICMP errors are those seen at the first point. Time runs down, in ms after the query at the first "
		      "point; the points' clocks may differ by their offset. Hover over a row for its frames at each "
		      "point.</p>\n",
		      out);
	else
		fputs("<p>The evidence transactions that lost fragments, were truncated, drew ICMP errors or failed over TCP: "
		      "the query, each answer fragment as seen (offset and length of the data that arrived, and of what "
		      "never did), ICMP errors and the TCP retry. Time runs down, each arrow at its capture time in ms "
		      "after the query (data that never arrived beside the fragment it was missing from). Frame numbers "
		      "are the capture's.</p>\n",
		      out);
	for (uint32_t i = 0, k = 0; i < r->nevidence && k < 16; i++)
		if (ladder_wanted(&r->evidence[i])) {
			ladder_write(out, &r->evidence[i], i + 1, x);
			k++;
		}
	if (shown > 16)
		fprintf(out, "<p>%u more transactions not drawn (see the text or JSON report).</p>\n", shown - 16);
	fputs("</section>\n", out);
}
