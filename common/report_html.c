/* report_html.c - the self-contained HTML report (see report_html.h); the
 * page, the CSS, the colours, the legend and the matrix cells are the shared
 * blocks of html_kit.c. */
#include "report_html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_kit.h"
#include "points.h"
#include "report_ladder.h"
#include "rollover.h"
#include "version.h"

#define E(s) html_escape(out, (s))

static void html_verdict(FILE *out, const report_t *r)
{
	fputs("<section id=\"verdict\">\n<h2>Verdict</h2>\n<p class=\"small\">", out);
	E(r->headline);
	fputs("</p>\n", out);
	for (int i = 0; i < 2; i++) {
		const report_family_t *f = &r->fam[i];
		html_verdict_begin(out, f->health);
		fputc(' ', out);
		E(f->sentence);
		if (f->recommended)
			fprintf(out, " Set edns-buffer-size %u.", f->recommended);
		html_verdict_end(out);
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

/* "ADDR, 3000-byte answer, DO": the start of a cell's title */
static void cell_title(char *buf, size_t len, const report_path_t *p, const report_row_t *row)
{
	char addr[64];
	ip_addr2str(&p->server, addr, sizeof addr);
	if (row->answer_size)
		snprintf(buf, len, "%s, %u-byte answer, %s", addr, row->answer_size, row->do_bit ? "DO" : "no DO");
	else
		snprintf(buf, len, "%s, answer size unknown (asked with EDNS %u), %s", addr, row->advertised,
		         row->do_bit ? "DO" : "no DO");
}

static void html_matrix(FILE *out, const report_t *r)
{
	fputs("<section id=\"matrix\">\n<h2>Size matrix</h2>\n", out);
	if (!r->npaths) {
		fputs("<p>No DNS transactions: nothing to show.</p>\n</section>\n", out);
		return;
	}
	html_col_t *cols = calloc(HTML_MAX_COLS, sizeof *cols);
	uint32_t ncols = 0, more = 0;
	if (!cols) {
		fputs("<p>Out of memory.</p>\n</section>\n", out);
		return;
	}
	for (uint32_t i = 0; i < r->npaths; i++)
		for (uint32_t k = 0; k < r->paths[i].nrows; k++) {
			const report_row_t *row = &r->paths[i].rows[k];
			if (html_cols_add(cols, &ncols, row->answer_size, row->advertised, row->do_bit) < 0)
				more = 1;
		}
	html_cols_sort(cols, ncols);
	fputs("<p>Rows: servers (by family); columns: the answer's size in DNS bytes and the DNSSEC OK bit of the "
	      "question. Each cell names its verdict; hover for the counts and fragments.</p>\n",
	      out);
	static const char *const heads[] = { "server", "family" };
	html_matrix_begin(out, heads, 2, cols, ncols, 1);
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
					if (html_col_match(&cols[c], p->rows[k].answer_size, p->rows[k].advertised, p->rows[k].do_bit))
						row = &p->rows[k];
				char title[160];
				if (row)
					cell_title(title, sizeof title, p, row);
				html_cell_write(out, row ? &row->c : NULL, row ? row->max_frags : 0, title);
			}
			fputs("</tr>\n", out);
		}
	fputs("</tbody>\n</table>\n", out);
	if (more)
		fprintf(out, "<p>More than %u size columns: the rest are not shown (see the text or JSON report).</p>\n",
		        HTML_MAX_COLS);
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

/* ---- rollover */

static void html_rollover(FILE *out, const rollover_t *ro)
{
	fputs("<section id=\"rollover\">\n<h2>Root key rollover</h2>\n", out);
	html_verdict_begin(out, ro->health);
	fputc(' ', out);
	E(ro->sentence);
	html_verdict_end(out);
	fputs("<table>\n<thead><tr>", out);
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
	if (x)
		html_command_line_row(out, x->argc, x->argv);
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
	html_page_begin(out, "dnsfrag report", "DNS fragmentation report", health2str(r->health), r->cfg.site);
	html_verdict(out, r);
	html_matrix(out, r);
	if (x && x->points)
		html_points(out, x->points);
	report_ladders_write(out, r, x);
	if (x && x->rollover)
		html_rollover(out, x->rollover);
	html_settings(out, r, x);
	html_page_end(out, r->cfg.program, "from the same report as its text and JSON output.");
}

typedef struct page_ctx {
	const report_t *r;
	const report_html_extra_t *x;
} page_ctx_t;

static void page_write(FILE *out, const void *ctx)
{
	const page_ctx_t *pc = ctx;
	report_html_write(pc->r, pc->x, out);
}

int report_html_write_file(const report_t *r, const report_html_extra_t *x, const char *path, char *err,
                           size_t errlen)
{
	page_ctx_t pc = { r, x };
	return html_write_file(path, page_write, &pc, err, errlen);
}
