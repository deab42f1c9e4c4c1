/* fleet_html.c - the fleet page of dnsfrag-report --merge --html (fleet_html.h). */
#include "fleet_html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_kit.h"
#include "version.h"

#define E(s) html_escape(out, (s))

/* H_* (fleet.h) are in health_t's order */
static health_t fleet2health(int h) { return (health_t)h; }

static int rank(int h) { return h == H_UNKNOWN ? -1 : h; }

/* ---- per site */

#define SIZES_LISTED 8

typedef struct size_list {
	uint32_t v[SIZES_LISTED];
	uint32_t n, more;
} size_list_t;

static void size_list_add(size_list_t *l, uint32_t size)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i] == size)
			return;
	if (l->n < SIZES_LISTED)
		l->v[l->n++] = size;
	else
		l->more++;
}

/* "1473 and 3000 bytes", "1473 bytes and an unknown size", "an unknown size" */
static void size_list_write(FILE *out, const size_list_t *l)
{
	uint32_t known = 0, unknown = 0, k = 0;
	for (uint32_t i = 0; i < l->n; i++)
		l->v[i] ? known++ : unknown++;
	for (uint32_t i = 0; i < l->n; i++) {
		if (!l->v[i])
			continue;
		fputs(k == 0 ? "" : k + 1 == known && !l->more ? " and " : ", ", out);
		fprintf(out, "%u", l->v[i]);
		k++;
	}
	if (l->more)
		fprintf(out, " and %u more sizes", l->more);
	if (known)
		fputs(" bytes", out);
	if (unknown)
		fputs(known ? " and an unknown size" : "an unknown size", out);
}

/* One site and family, summed from its cells. */
typedef struct site_fam {
	int health;
	uint64_t total, delivered;
	uint32_t cells, largest_delivered;
	size_list_t critical, lost, missing;
} site_fam_t;

/* Every site and family in one pass: sf[site * 2 + (family == 6)]. */
static void site_fam_sum(const fleet_html_t *fh, site_fam_t *sf)
{
	for (uint32_t i = 0; i < fh->f->sites.n * 2; i++)
		sf[i].health = H_UNKNOWN;
	for (uint32_t i = 0; i < fh->f->ncells; i++) {
		const cell_t *c = fh->sorted[i];
		site_fam_t *x = &sf[c->site * 2 + (c->family == 6)];
		int h = fleet_cell_health(&c->c);
		if (rank(h) > rank(x->health))
			x->health = h;
		x->cells++;
		x->total += c->c.total;
		x->delivered += c->c.delivered;
		if (c->c.critical)
			size_list_add(&x->critical, c->size);
		else if (fleet_frags_lost(&c->c))
			size_list_add(&x->lost, c->size);
		else if (c->c.delivered < c->c.total)
			size_list_add(&x->missing, c->size);
		else if (c->c.total && c->size > x->largest_delivered)
			x->largest_delivered = c->size;
	}
}

static void html_site_verdicts(FILE *out, const fleet_html_t *fh)
{
	const fleet_t *f = fh->f;
	uint32_t nh[4] = { 0 };
	int *site_h = calloc(f->sites.n ? f->sites.n : 1, sizeof *site_h);
	site_fam_t *sfs = calloc(f->sites.n ? f->sites.n * 2 : 1, sizeof *sfs);
	if (!site_h || !sfs) {
		free(site_h);
		free(sfs);
		fputs("<p>Out of memory.</p>\n", out);
		return;
	}
	site_fam_sum(fh, sfs);
	for (uint32_t s = 0; s < f->sites.n; s++)
		site_h[s] = H_UNKNOWN;
	for (uint32_t i = 0; i < f->ncells; i++) {
		const cell_t *c = fh->sorted[i];
		int h = fleet_cell_health(&c->c);
		if (rank(h) > rank(site_h[c->site]))
			site_h[c->site] = h;
	}
	for (uint32_t s = 0; s < f->sites.n; s++)
		nh[site_h[s]]++;
	fputs("<section id=\"summary\">\n<h2>Fleet summary</h2>\n", out);
	html_verdict_begin(out, fleet2health(fh->worst));
	fprintf(out,
	        " %u site(s): <b>%u healthy</b> (OK), <b>%u warning</b>, <b>%u critical</b>, %u unknown (no "
	        "transactions); %u run(s), %u target(s).",
	        f->sites.n, nh[H_OK], nh[H_WARNING], nh[H_CRITICAL], nh[H_UNKNOWN], f->docs, f->servers.n);
	html_verdict_end(out);
	fputs("<p class=\"small\">A site's health is that of its worst cell: CRITICAL when some answer came neither over "
	      "UDP nor over TCP, WARNING when fragmented answers were lost or answers are missing, OK when every answer "
	      "arrived.</p>\n",
	      out);
	static const int order[4] = { H_CRITICAL, H_WARNING, H_UNKNOWN, H_OK };
	fputs("<table>\n<thead><tr><th>health</th><th>sites</th></tr></thead>\n<tbody>\n", out);
	for (int k = 0; k < 4; k++) {
		if (!nh[order[k]])
			continue;
		fprintf(out, "<tr><td class=\"h-%s\">%s</td><td>", health2str(fleet2health(order[k])),
		        health2str(fleet2health(order[k])));
		int first = 1;
		for (uint32_t s = 0; s < f->sites.n; s++)
			if (site_h[s] == order[k]) {
				if (!first)
					fputs(", ", out);
				first = 0;
				E(f->sites.v[s]);
			}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);

	fputs("<section id=\"verdict\">\n<h2>Verdict per site and family</h2>\n", out);
	for (uint32_t s = 0; s < f->sites.n; s++)
		for (uint8_t fam = 4; fam <= 6; fam += 2) {
			const site_fam_t *sfp = &sfs[s * 2 + (fam == 6)];
#define sf (*sfp)
			if (!sf.cells)
				continue;
			html_verdict_begin(out, fleet2health(sf.health));
			fputs(" <b>", out);
			E(f->sites.v[s]);
			fprintf(out, "</b> IPv%u: ", fam);
			int any = 0;
			if (sf.critical.n) {
				fputs("answers neither UDP nor TCP brought at ", out);
				size_list_write(out, &sf.critical);
				any = 1;
			}
			if (sf.lost.n) {
				fputs(any ? "; fragmented answers lost at " : "fragmented answers lost at ", out);
				size_list_write(out, &sf.lost);
				any = 1;
			}
			if (sf.missing.n) {
				fputs(any ? "; answers missing at " : "answers missing at ", out);
				size_list_write(out, &sf.missing);
				any = 1;
			}
			if (!any)
				fputs(sf.total ? "every answer arrived" : "no transactions", out);
			fprintf(out, "; %" PRIu64 " transaction(s), %" PRIu64 " delivered", sf.total, sf.delivered);
			if (sf.largest_delivered)
				fprintf(out, "; largest size with every answer delivered: %u bytes", sf.largest_delivered);
			fputc('.', out);
			html_verdict_end(out);
#undef sf
		}
	fputs("</section>\n", out);
	free(site_h);
	free(sfs);
}

/* ---- the matrix */

static int row_cmp(const void *a, const void *b, void *ctx)
{
	const cell_t *x = *(cell_t *const *)a, *y = *(cell_t *const *)b;
	char **sv = ctx;
	int k = strcmp(sv[x->server], sv[y->server]);
	if (k)
		return k;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->do_bit - y->do_bit;
}

static int same_row(const cell_t *a, const cell_t *b)
{
	return a->server == b->server && a->family == b->family && a->site == b->site;
}

static void html_fleet_matrix(FILE *out, const fleet_html_t *fh)
{
	const fleet_t *f = fh->f;
	fputs("<section id=\"matrix\">\n<h2>Size matrix</h2>\n", out);
	if (!f->ncells) {
		fputs("<p>No cells: the reports held no transactions.</p>\n</section>\n", out);
		return;
	}
	html_col_t *cols = calloc(HTML_MAX_COLS, sizeof *cols);
	cell_t **v = malloc(f->ncells * sizeof *v);
	if (!cols || !v) {
		free(cols);
		free(v);
		fputs("<p>Out of memory.</p>\n</section>\n", out);
		return;
	}
	uint32_t ncols = 0, more = 0;
	for (uint32_t i = 0; i < f->ncells; i++) {
		v[i] = fh->sorted[i];
		if (html_cols_add(cols, &ncols, v[i]->size, 0, v[i]->do_bit) < 0)
			more = 1;
	}
	html_cols_sort(cols, ncols);
	qsort_r(v, f->ncells, sizeof *v, row_cmp, f->servers.v);
	fputs("<p>Rows: each target (server) and family, one row per site; columns: the answer's size in DNS bytes (? "
	      "when no answer told it) and the DNSSEC OK bit of the question. Each cell names its verdict, over every "
	      "run of the site; hover for the counts and fragments. \"differs\" marks a cell whose health is not the "
	      "other sites' (see the differences below).</p>\n",
	      out);
	static const char *const heads[] = { "site", "target", "family" };
	html_matrix_begin(out, heads, 3, cols, ncols, 0);
	for (uint32_t from = 0; from < f->ncells;) {
		uint32_t to = from + 1;
		while (to < f->ncells && same_row(v[from], v[to]))
			to++;
		const cell_t *r0 = v[from];
		const char *site = f->sites.v[r0->site], *server = f->servers.v[r0->server];
		const char *inst = fleet_instance_get(f, r0->site, r0->server);
		fputs("<tr><th>", out);
		E(site);
		fputs("</th><td class=\"mono\">", out);
		E(server);
		if (inst) {
			fputs("<br/><small>", out);
			E(inst);
			fputs("</small>", out);
		}
		fprintf(out, "</td><td>IPv%u</td>", r0->family);
		for (uint32_t c = 0; c < ncols; c++) {
			const cell_t *cell = NULL;
			for (uint32_t i = from; i < to && !cell; i++)
				if (html_col_match(&cols[c], v[i]->size, 0, v[i]->do_bit))
					cell = v[i];
			if (!cell) {
				html_cell_write(out, NULL, 0, NULL);
				continue;
			}
			char title[3 * FLEET_MAX_NAME + 128], note[64];
			int n = snprintf(title, sizeof title, "site %s, target %s", site, server);
			if (inst && n > 0 && (size_t)n < sizeof title)
				n += snprintf(title + n, sizeof title - (size_t)n, " (instance %s)", inst);
			if (n > 0 && (size_t)n < sizeof title) {
				if (cell->size)
					snprintf(title + n, sizeof title - (size_t)n, ", IPv%u, %u-byte answer, %s", cell->family,
					         cell->size, cell->do_bit ? "DO" : "no DO");
				else
					snprintf(title + n, sizeof title - (size_t)n, ", IPv%u, answer size unknown, %s",
					         cell->family, cell->do_bit ? "DO" : "no DO");
			}
			if (cell->differs)
				snprintf(note, sizeof note, "differs (rest %s)",
				         cell->rest < 0 ? "not measured" : health2str(fleet2health(cell->rest)));
			html_cell_write_note(out, &cell->c, cell->max_frags, title, cell->differs ? note : NULL);
		}
		fputs("</tr>\n", out);
		from = to;
	}
	fputs("</tbody>\n</table>\n", out);
	if (more)
		fprintf(out, "<p>More than %u size columns: the rest are not shown (see the text or JSON output).</p>\n",
		        HTML_MAX_COLS);
	free(cols);
	free(v);
	html_legend(out);
	fputs("</section>\n", out);
}

static void html_differences(FILE *out, const fleet_html_t *fh)
{
	const fleet_t *f = fh->f;
	fputs("<section id=\"differences\">\n<h2>Sites that differ from the rest</h2>\n", out);
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->ncells; i++) {
		const cell_t *c = fh->sorted[i];
		if (!c->differs)
			continue;
		if (!n++)
			fputs("<table>\n<thead><tr><th>target</th><th>family</th><th>size</th><th>DO</th><th>site</th><th>health"
			      "</th><th>the rest</th><th>why</th><th>instance</th></tr></thead>\n<tbody>\n",
			      out);
		const char *inst = fleet_instance_get(f, c->site, c->server);
		int h = fleet_cell_health(&c->c);
		fputs("<tr><td class=\"mono\">", out);
		E(f->servers.v[c->server]);
		fprintf(out, "</td><td>IPv%u</td><td>", c->family);
		if (c->size)
			fprintf(out, "%u", c->size);
		else
			fputs("?", out);
		fprintf(out, "</td><td>%s</td><td>", c->do_bit ? "DO" : "no DO");
		E(f->sites.v[c->site]);
		fprintf(out, "</td><td class=\"h-%s\">%s</td><td>%s</td><td>", health2str(fleet2health(h)),
		        health2str(fleet2health(h)), c->rest < 0 ? "not measured" : health2str(fleet2health(c->rest)));
		if (c->c.critical)
			fprintf(out, "%" PRIu64 " answer(s) neither UDP nor TCP brought", c->c.critical);
		else if (fleet_frags_lost(&c->c))
			fprintf(out, "%" PRIu64 " fragmented answer(s) lost", fleet_frags_lost(&c->c));
		else if (c->c.delivered < c->c.total)
			fprintf(out, "%" PRIu64 " of %" PRIu64 " answers missing", c->c.total - c->c.delivered, c->c.total);
		else
			fputs("every answer arrived", out);
		fputs("</td><td>", out);
		E(inst ? inst : "unknown");
		fputs("</td></tr>\n", out);
	}
	if (n)
		fputs("</tbody>\n</table>\n", out);
	else
		fputs("<p>None: every site has the same health in every column.</p>\n", out);
	fputs("</section>\n", out);
}

/* ---- runs and settings */

static void td_text(FILE *out, const char *s)
{
	fputs("<td>", out);
	if (s)
		E(s);
	else
		fputs("&#8212;", out);
	fputs("</td>", out);
}

static void html_runs(FILE *out, const fleet_html_t *fh)
{
	const fleet_t *f = fh->f;
	fputs("<section id=\"runs\">\n<h2>Runs and inputs</h2>\n", out);
	fprintf(out, "<p>%u run(s) read", f->docs);
	if (f->docs > f->nruns)
		fprintf(out, "; the first %u listed", f->nruns);
	fputs(". Each run's own verdicts are as its report gave them.</p>\n", out);
	fputs("<table>\n<thead><tr><th>#</th><th>file</th><th>site</th><th>tool</th><th>run id</th><th>start (UTC)</th>"
	      "<th>end (UTC)</th><th>profile</th><th>health</th><th>IPv4</th><th>IPv6</th></tr></thead>\n<tbody>\n",
	      out);
	for (uint32_t i = 0; i < f->nruns; i++) {
		const fleet_run_t *r = &f->runs[i];
		fprintf(out, "<tr><td>%u</td><td class=\"mono\">", i + 1);
		E(r->file ? r->file : "?");
		fputs("</td>", out);
		td_text(out, r->site);
		fputs("<td>", out);
		E(r->tool ? r->tool : "?");
		if (r->version) {
			fputc(' ', out);
			E(r->version);
		}
		fputs("</td><td class=\"mono\">", out);
		E(r->id ? r->id : "?");
		fputs("</td>", out);
		td_text(out, r->start);
		td_text(out, r->end);
		fputs("<td>", out);
		if (r->profile) {
			E(r->profile);
			if (r->profile_sha256) {
				fputs(" <span class=\"mono small\">sha256 ", out);
				E(r->profile_sha256);
				fputs("</span>", out);
			}
		} else {
			fputs("&#8212;", out);
		}
		fputs("</td>", out);
		td_text(out, r->health);
		for (int k = 0; k < 2; k++) {
			fputs("<td>", out);
			if (r->fam_health[k] || r->fam_sentence[k]) {
				if (r->fam_health[k]) {
					E(r->fam_health[k]);
					fputc(' ', out);
				}
				E(r->fam_sentence[k]);
			} else {
				fputs("&#8212;", out);
			}
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);

	fputs("<section id=\"settings\">\n<h2>Settings, version and inputs</h2>\n<table>\n<tbody>\n", out);
	fputs("<tr><th>program</th><td>dnsfrag-report " DNSFRAG_VERSION "</td></tr>\n", out);
	fputs("<tr><th>output schema</th><td>dnsfrag-fleet/1 (--json), from dnsfrag-report/1 and dnsfrag-jsonl/1 "
	      "reports</td></tr>\n",
	      out);
	fprintf(out,
	        "<tr><th>matrix</th><td>%u run(s), %u site(s), %u target(s), %u cell(s) (site, target, family, size, "
	        "DO)</td></tr>\n",
	        f->docs, f->sites.n, f->servers.n, f->ncells);
	html_command_line_row(out, fh->argc, fh->argv);
	fputs("</tbody>\n</table>\n</section>\n", out);
}

void fleet_html_write(const fleet_html_t *fh, FILE *out)
{
	html_page_begin(out, "dnsfrag fleet", "DNS fragmentation fleet report", health2str(fleet2health(fh->worst)),
	                NULL);
	html_site_verdicts(out, fh);
	html_fleet_matrix(out, fh);
	html_differences(out, fh);
	html_runs(out, fh);
	html_page_end(out, "dnsfrag-report", "from the same merged matrix as its text and JSON output.");
}

static void page_write(FILE *out, const void *ctx) { fleet_html_write(ctx, out); }

int fleet_html_write_file(const fleet_html_t *fh, const char *path, char *err, size_t errlen)
{
	return html_write_file(path, page_write, fh, err, errlen);
}
