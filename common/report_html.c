/* report_html.c - the self-contained HTML report (see report_html.h).
 *
 * Colours: the Okabe-Ito palette (colour-blind safe); every coloured cell also
 * carries its verdict as text, so the page reads in greyscale and in print.
 */
#include "report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "points.h"
#include "rollover.h"
#include "version.h"

/* ---- escaping */

/* Length of the valid UTF-8 sequence at s (2..4), or 0. */
static size_t html_utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned char c = s[0];
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) /* C1 controls, non-characters */
		return 0;
	return n;
}

void report_html_escape(FILE *out, const char *s)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		size_t n;
		switch (c) {
		case '&': fputs("&amp;", out); p++; continue;
		case '<': fputs("&lt;", out); p++; continue;
		case '>': fputs("&gt;", out); p++; continue;
		case '"': fputs("&quot;", out); p++; continue;
		case '\'': fputs("&#39;", out); p++; continue;
		default: break;
		}
		if (c >= 0x20 && c < 0x7f) {
			fputc(c, out);
			p++;
		} else if (c >= 0x80 && (n = html_utf8_len(p)) > 0) {
			fwrite(p, 1, n, out);
			p += n;
		} else {
			fprintf(out, "\\x%02X", c);
			p++;
		}
	}
}

#define E(s) report_html_escape(out, (s))

/* ---- the size matrix's verdicts */

typedef enum cell_verdict {
	CELL_WHOLE,
	CELL_FRAGMENTED,
	CELL_FRAGS_LOST,
	CELL_TC_TCP_OK,
	CELL_TCP_FAILED,
	CELL_NO_ANSWER,
	CELL_COUNT
} cell_verdict_t;

static const struct {
	const char *cls, *label, *meaning, *bg, *fg;
} cell_style[CELL_COUNT] = {
	{ "v-whole", "whole", "answered in one unfragmented packet", "#009E73", "#000" },
	{ "v-frag", "fragmented, delivered", "answered in IP fragments that all arrived", "#56B4E9", "#000" },
	{ "v-lost", "fragments lost", "answer fragments arrived but the answer never completed (or none arrived)",
	  "#E69F00", "#000" },
	{ "v-tcok", "TC \xE2\x86\x92 TCP ok", "truncated (TC=1) or asked again over TCP, and TCP brought the answer",
	  "#0072B2", "#fff" },
	{ "v-tcpfail", "TCP failed", "the TCP retry failed (reset, SYN timeout or stall): no answer by either transport",
	  "#D55E00", "#000" },
	{ "v-noans", "no answer", "no usable answer came back (nothing, or TC=1 with no TCP retry seen)", "#CC79A7",
	  "#000" },
};

static cell_verdict_t cell_verdict(const report_counts_t *c)
{
	uint64_t tcp_bad = c->tcp[TXN_TCP_RESET] + c->tcp[TXN_TCP_SYN_TIMEOUT] + c->tcp[TXN_TCP_STALL];
	if (tcp_bad)
		return CELL_TCP_FAILED;
	if (c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED])
		return CELL_FRAGS_LOST;
	if (c->delivered < c->total) /* no answer, or TC=1 with no TCP retry seen */
		return CELL_NO_ANSWER;
	if (c->verdict[TXN_TRUNCATED] || c->verdict[TXN_TCP_ONLY] || c->verdict[TXN_NO_ANSWER])
		return CELL_TC_TCP_OK;
	if (c->verdict[TXN_FRAGMENTED])
		return CELL_FRAGMENTED;
	if (c->verdict[TXN_WHOLE])
		return CELL_WHOLE;
	return CELL_NO_ANSWER;
}

/* A matrix column: an answer size (or the size asked, when no answer told it) and DO. */
typedef struct col {
	uint32_t size;
	uint16_t advertised;
	uint8_t do_bit;
} col_t;

static int col_cmp(const void *a, const void *b)
{
	const col_t *x = a, *y = b;
	/* known sizes first, ascending; then the unknown ones by the size asked */
	uint64_t kx = x->size ? x->size : 0x100000000ull + x->advertised;
	uint64_t ky = y->size ? y->size : 0x100000000ull + y->advertised;
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return (int)x->do_bit - (int)y->do_bit;
}

static int col_match(const col_t *c, const report_row_t *row)
{
	return c->size == row->answer_size && c->do_bit == row->do_bit && (row->answer_size || c->advertised == row->advertised);
}

#define MAX_COLS 256

/* ---- sections */

static const char *const css =
        "body{font-family:sans-serif;margin:1.5em;color:#111;background:#fff;max-width:80em}\n"
        "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}\n"
        ".verdict{font-size:1.1em;padding:.4em .6em;margin:.3em 0;border-left:.5em solid #999}\n"
        ".h-OK{border-color:#009E73}.h-WARNING{border-color:#E69F00}.h-CRITICAL{border-color:#D55E00}"
        ".h-UNKNOWN{border-color:#999}\n"
        ".hw{font-weight:bold;display:inline-block;min-width:6em}\n"
        "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #777;padding:.25em .45em;"
        "text-align:left;vertical-align:top}\n"
        "th{background:#eee}td.cell{font-size:.85em;text-align:center;min-width:5.5em}\n"
        "td.empty{background:#fff;color:#777}\n"
        ".v-whole{background:#009E73;color:#000}.v-frag{background:#56B4E9;color:#000}"
        ".v-lost{background:#E69F00;color:#000}.v-tcok{background:#0072B2;color:#fff}"
        ".v-tcpfail{background:#D55E00;color:#000}.v-noans{background:#CC79A7;color:#000}\n"
        ".legend td{font-size:.9em}.swatch{display:inline-block;width:1.2em;height:1.2em;border:1px solid #000;"
        "vertical-align:middle}\n"
        ".path{display:flex;flex-wrap:wrap;align-items:center;gap:.3em;margin:.6em 0}\n"
        ".node{border:2px solid #333;border-radius:.3em;padding:.3em .6em;background:#f4f4f4}\n"
        ".seg{padding:.2em .5em;border-top:3px solid #009E73;min-width:6em;text-align:center;font-size:.85em}\n"
        ".seg.vanish{border-top:3px dashed #D55E00;color:#000;font-weight:bold;background:#fbe3d6}\n"
        ".mono{font-family:monospace}.small{font-size:.85em;color:#333}\n"
        "svg text{font-family:sans-serif;font-size:11px}\n"
        "@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg,.ladder{break-inside:avoid}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.seg.vanish{background:none}}\n";

static void html_health(FILE *out, health_t h)
{
	fprintf(out, "<span class=\"hw\">%s</span>", health2str(h));
}

static void html_verdict(FILE *out, const report_t *r)
{
	fputs("<section id=\"verdict\">\n<h2>Verdict</h2>\n<p class=\"small\">", out);
	E(r->headline);
	fputs("</p>\n", out);
	for (int i = 0; i < 2; i++) {
		const report_family_t *f = &r->fam[i];
		fprintf(out, "<p class=\"verdict h-%s\">", health2str(f->health));
		html_health(out, f->health);
		fputc(' ', out);
		E(f->sentence);
		if (f->recommended)
			fprintf(out, " Set edns-buffer-size %u.", f->recommended);
		fputs("</p>\n", out);
	}
	if (r->recommended)
		fprintf(out,
		        "<p>Recommended EDNS buffer size: <b>%u</b> (the largest answer this path carries unfragmented, at most "
		        "%u). BIND <span class=\"mono\">edns-udp-size %u; max-udp-size %u;</span>, Unbound <span "
		        "class=\"mono\">edns-buffer-size: %u</span>, PowerDNS Recursor <span "
		        "class=\"mono\">edns-outgoing-bufsize=%u</span>.</p>\n",
		        r->recommended, REPORT_RECOMMENDED_CAP, r->recommended, r->recommended, r->recommended,
		        r->recommended);
	else
		fputs("<p>Recommended EDNS buffer size: not measured (no answer showed where this path's limit is); 1232 is "
		      "the DNS Flag Day 2020 default.</p>\n",
		      out);
	fputs("</section>\n", out);
}

static void html_legend(FILE *out)
{
	fputs("<table class=\"legend\"><caption>Legend</caption>\n", out);
	for (int v = 0; v < CELL_COUNT; v++)
		fprintf(out,
		        "<tr><td class=\"cell %s\"><span class=\"swatch %s\"></span> %s</td><td>%s</td></tr>\n",
		        cell_style[v].cls, cell_style[v].cls, cell_style[v].label, cell_style[v].meaning);
	fputs("</table>\n", out);
}

static void html_cell_title(FILE *out, const report_path_t *p, const report_row_t *row)
{
	char addr[64];
	const report_counts_t *c = &row->c;
	ip_addr2str(&p->server, addr, sizeof addr);
	E(addr);
	if (row->answer_size)
		fprintf(out, ", %u-byte answer", row->answer_size);
	else
		fprintf(out, ", answer size unknown (asked with EDNS %u)", row->advertised);
	fprintf(out, ", %s: %" PRIu64 " transaction(s); whole %" PRIu64 ", fragmented %" PRIu64 ", fragments lost %" PRIu64
	             ", truncated %" PRIu64 ", TCP ok %" PRIu64 ", no answer %" PRIu64 ", failed both %" PRIu64,
	        row->do_bit ? "DO" : "no DO", c->total, c->verdict[TXN_WHOLE], c->verdict[TXN_FRAGMENTED],
	        c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED], c->verdict[TXN_TRUNCATED],
	        c->tcp[TXN_TCP_COMPLETE], c->verdict[TXN_NO_ANSWER], c->critical);
	if (row->max_frags)
		fprintf(out, "; up to %u fragments", row->max_frags);
	else
		fputs("; not fragmented", out);
}

static void html_matrix(FILE *out, const report_t *r)
{
	fputs("<section id=\"matrix\">\n<h2>Size matrix</h2>\n", out);
	if (!r->npaths) {
		fputs("<p>No DNS transactions: nothing to show.</p>\n</section>\n", out);
		return;
	}
	col_t *cols = calloc(MAX_COLS, sizeof *cols);
	uint32_t ncols = 0, more = 0;
	for (uint32_t i = 0; cols && i < r->npaths; i++)
		for (uint32_t k = 0; k < r->paths[i].nrows; k++) {
			const report_row_t *row = &r->paths[i].rows[k];
			uint32_t c;
			for (c = 0; c < ncols && !col_match(&cols[c], row); c++)
				;
			if (c < ncols)
				continue;
			if (ncols == MAX_COLS) {
				more = 1;
				continue;
			}
			cols[ncols].size = row->answer_size;
			cols[ncols].advertised = row->answer_size ? 0 : row->advertised;
			cols[ncols].do_bit = row->do_bit;
			ncols++;
		}
	if (!cols) {
		fputs("<p>Out of memory.</p>\n</section>\n", out);
		return;
	}
	qsort(cols, ncols, sizeof *cols, col_cmp);
	fputs("<p>Rows: servers (by family); columns: the answer's size in DNS bytes and the DNSSEC OK bit of the "
	      "question. Each cell names its verdict; hover for the counts and fragments.</p>\n",
	      out);
	fputs("<table class=\"matrix\">\n<thead><tr><th>server</th><th>family</th>", out);
	for (uint32_t c = 0; c < ncols; c++) {
		if (cols[c].size)
			fprintf(out, "<th>%u<br/>%s</th>", cols[c].size, cols[c].do_bit ? "DO" : "no DO");
		else
			fprintf(out, "<th>? (asked %u)<br/>%s</th>", cols[c].advertised, cols[c].do_bit ? "DO" : "no DO");
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (int fam = 4; fam <= 6; fam += 2)
		for (uint32_t i = 0; i < r->npaths; i++) {
			const report_path_t *p = &r->paths[i];
			if (p->server.family != fam)
				continue;
			char addr[64];
			ip_addr2str(&p->server, addr, sizeof addr);
			fputs("<tr><th class=\"mono\">", out);
			E(addr);
			fprintf(out, "</th><td>IPv%u</td>", p->server.family);
			for (uint32_t c = 0; c < ncols; c++) {
				const report_row_t *row = NULL;
				for (uint32_t k = 0; k < p->nrows && !row; k++)
					if (col_match(&cols[c], &p->rows[k]))
						row = &p->rows[k];
				if (!row || !row->c.total) {
					fputs("<td class=\"cell empty\">&#8212;</td>", out);
					continue;
				}
				cell_verdict_t v = cell_verdict(&row->c);
				fprintf(out, "<td class=\"cell %s\" data-verdict=\"%s\" title=\"", cell_style[v].cls, cell_style[v].cls + 2);
				html_cell_title(out, p, row);
				fprintf(out, "\">%s", v == CELL_NO_ANSWER && row->c.verdict[TXN_TRUNCATED] ? "TC=1, no TCP seen"
				                                                                           : cell_style[v].label);
				if (row->max_frags)
					fprintf(out, "<br/><small>%u frags</small>", row->max_frags);
				fputs("</td>", out);
			}
			fputs("</tr>\n", out);
		}
	fputs("</tbody>\n</table>\n", out);
	if (more)
		fprintf(out, "<p>More than %u size columns: the rest are not shown (see the text or JSON report).</p>\n",
		        MAX_COLS);
	free(cols);
	html_legend(out);
	fputs("<table>\n<thead><tr><th>server</th><th>health</th><th>why</th><th>largest whole</th><th>largest "
	      "fragment (IP)</th><th>smallest lost</th><th>ICMP MTU</th></tr></thead>\n<tbody>\n",
	      out);
	for (uint32_t i = 0; i < r->npaths; i++) {
		const report_path_t *p = &r->paths[i];
		char addr[64];
		ip_addr2str(&p->server, addr, sizeof addr);
		fputs("<tr><td class=\"mono\">", out);
		E(addr);
		fprintf(out, "</td><td>%s</td><td>", health2str(p->health));
		E(p->why);
		fputs("</td>", out);
		uint32_t v[4] = { p->largest_whole, p->largest_fragment_ip, p->smallest_lost, p->ptb_mtu };
		for (int k = 0; k < 4; k++)
			if (v[k])
				fprintf(out, "<td>%u</td>", v[k]);
			else
				fputs("<td>&#8212;</td>", out);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* ---- the path (--points) */

static void html_points(FILE *out, const points_t *pt)
{
	uint32_t n = points_count(pt);
	fputs("<section id=\"path\">\n<h2>The path</h2>\n<p>Capture points in path order, client side first. A dashed "
	      "segment is where datagrams or fragments seen before it were not seen after it.</p>\n<div "
	      "class=\"path\"><span class=\"node\">client</span>\n",
	      out);
	for (uint32_t i = 0; i < n; i++) {
		const points_point_t *pp = points_point(pt, i);
		fputs("<span class=\"node\" title=\"", out);
		E(pp->file);
		fprintf(out, ", %" PRIu64 " packets\">", pp->packets);
		E(pp->label);
		fputs("</span>\n", out);
		if (i + 1 == n)
			break;
		uint64_t lost = 0, frags = 0;
		for (int d = 0; d < POINTS_DIR_COUNT; d++) {
			const points_segment_counts_t *sc = points_segment(pt, i, i + 1, (points_dir_t)d);
			for (int f = 0; f < 2; f++)
				for (int l = 0; l < POINTS_LOSS_COUNT; l++) {
					lost += sc->lost[f][l];
					frags += sc->frags_lost[f][l];
				}
		}
		if (lost)
			fprintf(out,
			        "<span class=\"seg vanish\">&#10007; lost here: %" PRIu64 " datagram(s), %" PRIu64
			        " fragment(s)</span>\n",
			        lost, frags);
		else
			fputs("<span class=\"seg\">no loss</span>\n", out);
	}
	fputs("<span class=\"node\">server</span></div>\n", out);

	/* per segment (any pair) and direction: what vanished */
	int any = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			for (int d = 0; d < POINTS_DIR_COUNT; d++) {
				const points_segment_counts_t *sc = points_segment(pt, i, j, (points_dir_t)d);
				for (int f = 0; f < 2; f++)
					for (int l = 0; l < POINTS_LOSS_COUNT; l++) {
						if (!sc->lost[f][l])
							continue;
						if (!any)
							fputs("<table>\n<thead><tr><th>segment</th><th>direction</th><th>family</th><th>what "
							      "vanished</th><th>datagrams</th><th>fragments</th></tr></thead>\n<tbody>\n",
							      out);
						any = 1;
						const points_point_t *a = points_point(pt, d == POINTS_DIR_QUERY ? i : j);
						const points_point_t *b = points_point(pt, d == POINTS_DIR_QUERY ? j : i);
						fputs("<tr><td>between ", out);
						E(a->label);
						fputs(" and ", out);
						E(b->label);
						fprintf(out, "</td><td>%s</td><td>IPv%d</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64
						             "</td></tr>\n",
						        points_dir2str((points_dir_t)d), f ? 6 : 4, points_loss2str((points_loss_t)l),
						        sc->lost[f][l], sc->frags_lost[f][l]);
					}
			}
	if (any)
		fputs("</tbody>\n</table>\n", out);
	else
		fputs("<p>Every datagram seen at one point was seen at the next: no segment loses anything.</p>\n", out);

	uint32_t ne = points_evidence_count(pt);
	if (ne) {
		fputs("<h3>Evidence</h3>\n<table>\n<thead><tr><th>#</th><th>datagram</th><th>lost</th>", out);
		for (uint32_t p = 0; p < n; p++) {
			fputs("<th>", out);
			E(points_point(pt, p)->label);
			fputs("</th>", out);
		}
		fputs("</tr></thead>\n<tbody>\n", out);
		for (uint32_t k = 0; k < ne; k++) {
			const points_evidence_t *e = points_evidence_get(pt, k);
			char type[24];
			fprintf(out, "<tr><td>%u</td><td>", k + 1);
			if (e->tcp) {
				fprintf(out, "TCP IPv%u towards the %s, %u payload bytes", e->family,
				        e->dir == POINTS_DIR_QUERY ? "server" : "client", e->dns_len);
			} else {
				fprintf(out, "%s IPv%u id %u <span class=\"mono\">", points_dir2str((points_dir_t)e->dir), e->family,
				        e->dns_id);
				E(e->qname[0] ? e->qname : "(no question)");
				fputc(' ', out);
				E(dns_type2str(e->qtype, type, sizeof type));
				fprintf(out, "</span> (%u bytes)", e->dns_len);
			}
			fputs("</td><td>", out);
			E(points_loss2str(e->loss));
			if (!e->tcp && e->loss != POINTS_LOSS_WHOLE)
				fprintf(out, " (%u fragment%s)", e->frags_lost, e->frags_lost == 1 ? "" : "s");
			fputs(" between ", out);
			E(points_point(pt, e->from)->label);
			fputs(" and ", out);
			E(points_point(pt, e->to)->label);
			fputs("</td>", out);
			for (uint32_t p = 0; p < n; p++) {
				if (!e->at[p].seen) {
					fprintf(out, "<td>%s</td>", e->at[p].covered ? "<b>not seen</b>" : "not captured then");
					continue;
				}
				fputs("<td>", out);
				if (e->at[p].nfrags)
					fprintf(out, "%u fragment%s%s, ", e->at[p].nfrags, e->at[p].nfrags == 1 ? "" : "s",
					        e->at[p].complete ? " (complete)" : "");
				fprintf(out, "frame%s", e->at[p].nframes == 1 ? "" : "s");
				for (uint32_t f = 0; f < e->at[p].nframes && f < POINTS_EVIDENCE_FRAMES; f++)
					fprintf(out, " %" PRIu64, e->at[p].frames[f]);
				fputs("</td>", out);
			}
			fputs("</tr>\n", out);
		}
		fputs("</tbody>\n</table>\n", out);
	}
	fputs("</section>\n", out);
}

/* ---- the fragment ladder */

typedef struct ladder_ev {
	uint64_t frame;
	int from_server;   /* 1: server -> client */
	int lost;          /* dashed, ends in a cross midway */
	int note;          /* no arrow: a mark on the time line */
	char label[200];
	char when[40];
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

static void html_ladder(FILE *out, const txn_t *t, uint32_t idx)
{
	static ladder_ev_t ev[LADDER_MAX];
	uint32_t n;
	ladder_events(t, ev, &n);
	char c[64], s[64], type[16];
	ip_addr2str(&t->client, c, sizeof c);
	ip_addr2str(&t->server, s, sizeof s);
	fprintf(out, "<div class=\"ladder\" id=\"ladder-%u\">\n<h3>#%u %s: <span class=\"mono\">", idx, idx,
	        txn_verdict2str(t->verdict));
	E(t->qname);
	fputc(' ', out);
	E(dns_type2str(t->qtype, type, sizeof type));
	fputs("</span></h3>\n", out);
	const int W = 760, xc = 150, xs = 610, top = 46, step = 34;
	int h = top + step * (int)n + 20;
	fprintf(out,
	        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	        "aria-label=\"fragment ladder of transaction %u\">\n",
	        W, h, W, h, idx);
	fprintf(out, "<text x=\"%d\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">client ", xc);
	E(c);
	fprintf(out, "#%u</text>\n<text x=\"%d\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">server ", t->cport, xs);
	E(s);
	fprintf(out, "#%u</text>\n", t->sport);
	fprintf(out, "<text x=\"4\" y=\"34\" fill=\"#333\">capture order (frame, time)</text>\n");
	fprintf(out, "<line x1=\"%d\" y1=\"22\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n", xc, xc, h - 8);
	fprintf(out, "<line x1=\"%d\" y1=\"22\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n", xs, xs, h - 8);
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
	fputs("</svg>\n</div>\n", out);
}

static void html_ladders(FILE *out, const report_t *r)
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
	fputs("<p>The evidence transactions that lost fragments, were truncated, drew ICMP errors or failed over TCP: the "
	      "query, each answer fragment as seen (offset and length of the data that arrived, and of what never did), "
	      "ICMP errors and the TCP retry, in capture order. Frame numbers are the capture's.</p>\n",
	      out);
	for (uint32_t i = 0, k = 0; i < r->nevidence && k < 16; i++)
		if (ladder_wanted(&r->evidence[i])) {
			html_ladder(out, &r->evidence[i], i + 1);
			k++;
		}
	if (shown > 16)
		fprintf(out, "<p>%u more transactions not drawn (see the text or JSON report).</p>\n", shown - 16);
	fputs("</section>\n", out);
}

/* ---- rollover */

static void html_rollover(FILE *out, const rollover_t *ro)
{
	fputs("<section id=\"rollover\">\n<h2>Root key rollover</h2>\n", out);
	fprintf(out, "<p class=\"verdict h-%s\">", health2str(ro->health));
	html_health(out, ro->health);
	fputc(' ', out);
	E(ro->sentence);
	fputs("</p>\n<table>\n<thead><tr>", out);
	for (int s = 0; s < RO_STATUS_COUNT; s++)
		fprintf(out, "<th>%s</th>", rollover_status2str((rollover_status_t)s));
	fputs("</tr></thead>\n<tbody><tr>", out);
	for (int s = 0; s < RO_STATUS_COUNT; s++)
		fprintf(out, "<td>%" PRIu64 "</td>", ro->count[s]);
	fputs("</tr></tbody>\n</table>\n", out);
	if (ro->nready_sum) {
		fputs("<table>\n<thead><tr><th>family</th><th>phase</th><th>size</th><th>readiness</th><th>why</th></tr>"
		      "</thead>\n<tbody>\n",
		      out);
		for (uint32_t i = 0; i < ro->nready_sum; i++) {
			const rollover_ready_sum_t *s = &ro->ready_sum[i];
			fprintf(out, "<tr><td>IPv%u</td><td>%s</td><td>%u</td><td>%s</td><td>", s->family,
			        rollover_phase2text(s->phase), s->size, rollover_ready2str(s->verdict));
			E(s->why);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody>\n</table>\n", out);
	}
	for (uint32_t i = 0; i < ro->nresolvers; i++) {
		fputs("<p>", out);
		E(ro->resolvers[i].sentence);
		fputs("</p>\n", out);
	}
	fputs("</section>\n", out);
}

/* ---- settings */

static void html_settings(FILE *out, const report_t *r, const report_html_extra_t *x)
{
	const report_config_t *c = &r->cfg;
	fputs("<section id=\"settings\">\n<h2>Settings, version and inputs</h2>\n<table>\n<tbody>\n", out);
	fputs("<tr><th>program</th><td>", out);
	E(c->program ? c->program : "dnsfrag");
	fputs(" " DNSFRAG_VERSION "</td></tr>\n", out);
	fprintf(out, "<tr><th>report schema</th><td>%s</td></tr>\n", REPORT_SCHEMA);
	fprintf(out, "<tr><th>policy</th><td>%s</td></tr>\n",
	        c->policy == POLICY_FRAGMENTS_REQUIRED ? "fragments-required" : "avoid-fragments");
	fprintf(out, "<tr><th>min samples</th><td>%u</td></tr>\n<tr><th>loss threshold</th><td>%u%%</td></tr>\n",
	        c->min_samples, c->loss_threshold_pct);
	if (c->site) {
		fputs("<tr><th>site</th><td>", out);
		E(c->site);
		fputs("</td></tr>\n", out);
	}
	fputs("<tr><th>inputs</th><td>", out);
	for (uint32_t i = 0; i < c->ninputs; i++) {
		fputs(i ? "<br/><span class=\"mono\">" : "<span class=\"mono\">", out);
		E(c->inputs[i]);
		fputs("</span>", out);
	}
	fputs("</td></tr>\n", out);
	if (x && x->argc > 0 && x->argv) {
		fputs("<tr><th>command line</th><td class=\"mono\">", out);
		for (int i = 0; i < x->argc; i++) {
			if (i)
				fputc(' ', out);
			E(x->argv[i]);
		}
		fputs("</td></tr>\n", out);
	}
	const pipeline_counts_t *pc = &r->counts;
	fprintf(out,
	        "<tr><th>capture</th><td>%" PRIu64 " packets at %u point(s); IPv4 %" PRIu64 " (fragments %" PRIu64
	        "), IPv6 %" PRIu64 " (fragments %" PRIu64 "); DNS %" PRIu64 " queries, %" PRIu64 " answers (%" PRIu64
	        " TC), %" PRIu64 " malformed</td></tr>\n",
	        pc->packets, r->points, pc->ip4_packets, pc->ip4_frags, pc->ip6_packets, pc->ip6_frags, pc->dns_queries,
	        pc->dns_responses, pc->dns_tc, pc->dns_malformed);
	if (r->pcap_received || r->pcap_dropped)
		fprintf(out, "<tr><th>libpcap</th><td>%" PRIu64 " received, %" PRIu64 " dropped, %" PRIu64
		             " dropped by the interface</td></tr>\n",
		        r->pcap_received, r->pcap_dropped, r->pcap_ifdropped);
	fputs("</tbody>\n</table>\n</section>\n", out);
}

void report_html_write(const report_t *r, const report_html_extra_t *x, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n", out);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n", out);
	/* Nothing may load: the page must open the same on an offline laptop. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n",
	      out);
	fputs("<title>dnsfrag report: ", out);
	E(health2str(r->health));
	if (r->cfg.site) {
		fputs(" (", out);
		E(r->cfg.site);
		fputc(')', out);
	}
	fputs("</title>\n<style>\n", out);
	fputs(css, out);
	fputs("</style>\n</head>\n<body>\n<h1>DNS fragmentation report: ", out);
	E(health2str(r->health));
	if (r->cfg.site) {
		fputs(" &#8212; ", out);
		E(r->cfg.site);
	}
	fputs("</h1>\n", out);
	html_verdict(out, r);
	html_matrix(out, r);
	if (x && x->points)
		html_points(out, x->points);
	html_ladders(out, r);
	if (x && x->rollover)
		html_rollover(out, x->rollover);
	html_settings(out, r, x);
	fputs("<footer class=\"small\"><p>Written by ", out);
	E(r->cfg.program ? r->cfg.program : "dnsfrag");
	fputs(" " DNSFRAG_VERSION " from the same report as its text and JSON output.</p></footer>\n</body>\n</html>\n",
	      out);
}

int report_html_write_file(const report_t *r, const report_html_extra_t *x, const char *path, char *err,
                           size_t errlen)
{
	size_t n = strlen(path) + 5;
	char *tmp = malloc(n);
	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(tmp, n, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	report_html_write(r, x, f);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	int e = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad || rename(tmp, path) != 0) {
		if (!bad)
			e = errno;
		snprintf(err, errlen, "%s: %s", bad ? tmp : path, strerror(e));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
