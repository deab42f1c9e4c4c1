/* main.c - dnsfrag-report: the fleet view over JSON reports (dnsfrag-report/1
 * documents and dnsfrag-jsonl/1 streams) of dnsfrag-analyze and dnsfrag-probe.
 *
 *   --merge RUN...     a site x target x family x answer-size matrix with the
 *                      health of every cell, the sites that differ from the
 *                      rest and the instances (NSID / hostname.bind) behind them
 *   --diff OLD NEW     what changed between two runs of one site and profile;
 *                      exit 0 no regression, 1 WARNING, 2 CRITICAL, 3 unusable
 *
 * Input is read one JSON value at a time (a report, or one JSON Lines line)
 * with libjansson and freed before the next, so memory follows the matrix,
 * not the number of runs. See dnsfrag-report(1).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fleet.h"
#include "fleet_html.h"
#include "json.h"
#include "version.h"

#define PROG "dnsfrag-report"
#define EXIT_OK 0
#define EXIT_WARNING 1
#define EXIT_CRITICAL 2
#define EXIT_UNKNOWN 3

static const char *const health_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
static int health_rank(int h) { return h == H_UNKNOWN ? -1 : h; }

/* ---- the matrix */

static int cell_cmp(const void *a, const void *b, void *names)
{
	const cell_t *x = *(cell_t *const *)a, *y = *(cell_t *const *)b;
	char **sv = names;
	int k = strcmp(sv[x->server], sv[y->server]);
	if (k)
		return k;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->do_bit != y->do_bit)
		return x->do_bit - y->do_bit;
	return x->site < y->site ? -1 : x->site > y->site;
}

static cell_t **fleet_sorted(fleet_t *f, const char *const *site_order)
{
	(void)site_order;
	cell_t **v = malloc((f->ncells + 1) * sizeof *v);
	if (!v)
		return NULL;
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->cap; i++)
		if (f->cells[i].used)
			v[n++] = &f->cells[i];
	qsort_r(v, n, sizeof *v, cell_cmp, f->servers.v);
	return v;
}

static const char *size2str(uint32_t size, char *buf, size_t len)
{
	if (size)
		snprintf(buf, len, "%u", size);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *cell_why(const cell_counts_t *c, char *buf, size_t len)
{
	if (!c->total)
		snprintf(buf, len, "no transactions");
	else if (c->critical)
		snprintf(buf, len, "%llu answer(s) neither UDP nor TCP brought", (unsigned long long)c->critical);
	else if (fleet_frags_lost(c))
		snprintf(buf, len, "%llu fragmented answer(s) lost", (unsigned long long)fleet_frags_lost(c));
	else if (c->delivered < c->total)
		snprintf(buf, len, "%llu of %llu answers missing", (unsigned long long)(c->total - c->delivered),
		         (unsigned long long)c->total);
	else
		snprintf(buf, len, "every answer arrived");
	return buf;
}

/* A column (server, family, size) over the sites: the most common health is
 * the rest's; a site with another health differs. */
static int column_majority(cell_t **v, uint32_t from, uint32_t to)
{
	uint32_t n[4] = { 0 };
	for (uint32_t i = from; i < to; i++)
		n[fleet_cell_health(&v[i]->c)]++;
	int best = H_OK;
	for (int h = 0; h < 4; h++)
		if (n[h] > n[best] || (n[h] == n[best] && health_rank(h) < health_rank(best) && h != H_UNKNOWN))
			best = h;
	return best;
}

static int same_column(const cell_t *a, const cell_t *b)
{
	return a->server == b->server && a->family == b->family && a->size == b->size && a->do_bit == b->do_bit;
}

/* Mark the cells whose health is not the rest's (cell_t.differs, .rest). */
static uint32_t fleet_mark_differences(fleet_t *f, cell_t **v)
{
	uint32_t ndiff = 0;
	for (uint32_t from = 0; from < f->ncells;) {
		uint32_t to = from + 1;
		while (to < f->ncells && same_column(v[from], v[to]))
			to++;
		/* a column measured at one site only (e.g. answers that never came) differs
		 * when it is not OK and there are other sites */
		int lone = to - from == 1 && f->sites.n >= 2;
		if (to - from >= 2 || lone) {
			int maj = lone ? H_UNKNOWN : column_majority(v, from, to);
			for (uint32_t i = from; i < to; i++) {
				cell_t *c = v[i];
				int h = fleet_cell_health(&c->c);
				if (h == maj || (lone && h == H_OK))
					continue;
				c->differs = 1;
				c->rest = lone ? -1 : (int8_t)maj;
				ndiff++;
			}
		}
		from = to;
	}
	return ndiff;
}

/* The keys a cell and a difference share. */
static void json_cell_head(json_writer_t *w, const fleet_t *f, const cell_t *c, int h)
{
	json_kv_string(w, "site", f->sites.v[c->site]);
	json_kv_string(w, "server", f->servers.v[c->server]);
	json_kv_uint(w, "family", c->family);
	json_kv_uint_or_null(w, "answer_size", c->size);
	json_kv_bool(w, "do", c->do_bit);
	json_kv_string(w, "health", health_names[h]);
}

static int fleet_merge_write(fleet_t *f, int as_json, const char *html, int argc, char **argv)
{
	cell_t **v = fleet_sorted(f, NULL);
	if (!v) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_UNKNOWN;
	}
	int worst = H_UNKNOWN;
	uint32_t ndiff = fleet_mark_differences(f, v);
	for (uint32_t i = 0; i < f->ncells; i++) {
		int h = fleet_cell_health(&v[i]->c);
		if (health_rank(h) > health_rank(worst))
			worst = h;
	}
	if (html) {
		char err[1024];
		fleet_html_t fh = { f, v, worst, argc, argv };
		if (fleet_html_write_file(&fh, html, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": --html: %s\n", err);
			free(v);
			return EXIT_UNKNOWN;
		}
	}
	char sz[16], why[128];
	json_writer_t w;
	if (as_json) {
		json_init(&w, stdout, 2);
		json_object_begin(&w);
		json_kv_string(&w, "schema", "dnsfrag-fleet/1");
		json_kv_string(&w, "tool", PROG);
		json_kv_string(&w, "version", DNSFRAG_VERSION);
		json_kv_uint(&w, "runs", f->docs);
		json_key(&w, "sites");
		json_array_begin(&w);
		for (uint32_t i = 0; i < f->sites.n; i++)
			json_string(&w, f->sites.v[i]);
		json_array_end(&w);
		json_key(&w, "cells");
		json_array_begin(&w);
	} else {
		printf("Fleet: %u run(s), %u site(s), %u target(s), %u cell(s)\n\n", f->docs, f->sites.n, f->servers.n,
		       f->ncells);
		printf("%-24s %-6s %-6s %-5s %-16s %-8s %6s %6s %5s %6s %s\n", "server", "family", "bytes", "DO", "site",
		       "health", "n", "deliv", "lost", "failed", "instance");
	}
	for (uint32_t i = 0; i < f->ncells; i++) {
		const cell_t *c = v[i];
		int h = fleet_cell_health(&c->c);
		const char *inst = fleet_instance_get(f, c->site, c->server);
		if (as_json) {
			json_object_begin(&w);
			json_cell_head(&w, f, c, h);
			json_kv_string(&w, "why", cell_why(&c->c, why, sizeof why));
			json_kv_uint(&w, "transactions", c->c.total);
			json_kv_uint(&w, "delivered", c->c.delivered);
			json_kv_uint(&w, "fragments_lost", fleet_frags_lost(&c->c));
			json_kv_uint(&w, "failed_both", c->c.critical);
			json_kv_uint(&w, "tcp_failed", fleet_tcp_failed(&c->c));
			json_kv_uint(&w, "max_fragments", c->max_frags);
			report_json_counts_write(&w, &c->c);
			json_kv_string_or_null(&w, "instance", inst);
			json_object_end(&w);
		} else {
			printf("%-24s IPv%-2u  %-6s %-5s %-16s %-8s %6llu %6llu %5llu %6llu %s\n", f->servers.v[c->server],
			       c->family, size2str(c->size, sz, sizeof sz), c->do_bit ? "DO" : "-", f->sites.v[c->site],
			       health_names[h], (unsigned long long)c->c.total, (unsigned long long)c->c.delivered,
			       (unsigned long long)fleet_frags_lost(&c->c), (unsigned long long)c->c.critical,
			       inst ? inst : "-");
		}
	}
	if (as_json) {
		json_array_end(&w);
		json_key(&w, "differences");
		json_array_begin(&w);
	} else {
		printf("\nSites that differ from the rest:\n");
	}
	for (uint32_t i = 0; i < f->ncells; i++) {
		const cell_t *c = v[i];
		if (!c->differs)
			continue;
		int h = fleet_cell_health(&c->c);
		const char *rest = c->rest < 0 ? "not measured" : health_names[c->rest];
		const char *inst = fleet_instance_get(f, c->site, c->server);
		if (as_json) {
			json_object_begin(&w);
			json_cell_head(&w, f, c, h);
			json_kv_string(&w, "rest", rest);
			json_kv_string(&w, "why", cell_why(&c->c, why, sizeof why));
			json_kv_string_or_null(&w, "instance", inst);
			json_object_end(&w);
		} else {
			printf("  %s IPv%u %s bytes%s: site %s %s (%s), the rest %s; instance %s\n", f->servers.v[c->server],
			       c->family, size2str(c->size, sz, sizeof sz), c->do_bit ? " DO" : "", f->sites.v[c->site],
			       health_names[h], cell_why(&c->c, why, sizeof why), rest, inst ? inst : "unknown");
		}
	}
	if (as_json) {
		json_array_end(&w);
		json_kv_string(&w, "health", health_names[worst]);
		json_object_end(&w);
		json_finish(&w);
	} else {
		if (!ndiff)
			printf("  none\n");
		printf("\nWorst cell: %s\n", health_names[worst]);
	}
	free(v);
	return worst == H_UNKNOWN ? EXIT_UNKNOWN : worst;
}

/* ---- diff */

static int fleet_diff_write(fleet_t *o, fleet_t *n, int as_json)
{
	/* the two runs' servers are in their own tables: compare by name */
	cell_t **vn = fleet_sorted(n, NULL), **vo = fleet_sorted(o, NULL);
	if (!vn || !vo) {
		free(vn);
		free(vo);
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_UNKNOWN;
	}
	int worst = H_OK, nreg = 0, nimp = 0;
	json_writer_t w;
	char sz[16], wo[128], wn[128];
	if (as_json) {
		json_init(&w, stdout, 2);
		json_object_begin(&w);
		json_kv_string(&w, "schema", "dnsfrag-diff/1");
		json_kv_string(&w, "site", n->site0);
		json_key(&w, "changes");
		json_array_begin(&w);
	} else {
		printf("Diff of site %s: old -> new\n", n->site0);
	}
	/* every column of either run (merge of two sorted lists by server name, family, size) */
	uint32_t i = 0, j = 0;
	while (i < o->ncells || j < n->ncells) {
		int k;
		if (i == o->ncells)
			k = 1;
		else if (j == n->ncells)
			k = -1;
		else {
			k = strcmp(o->servers.v[vo[i]->server], n->servers.v[vn[j]->server]);
			if (!k)
				k = vo[i]->family != vn[j]->family ? vo[i]->family - vn[j]->family
				    : vo[i]->size != vn[j]->size   ? (vo[i]->size > vn[j]->size) - (vo[i]->size < vn[j]->size)
				                                   : vo[i]->do_bit - vn[j]->do_bit;
		}
		const cell_t *co = k <= 0 ? vo[i] : NULL, *cn = k >= 0 ? vn[j] : NULL;
		if (k <= 0)
			i++;
		if (k >= 0)
			j++;
		const cell_t *c = cn ? cn : co;
		const char *server = cn ? n->servers.v[cn->server] : o->servers.v[co->server];
		int ho = co ? fleet_cell_health(&co->c) : H_UNKNOWN, hn = cn ? fleet_cell_health(&cn->c) : H_UNKNOWN;
		const char *kind = NULL;
		int regression = 0;
		static const cell_counts_t none;
		const cell_counts_t *oc = co ? &co->c : &none;
		/* a column only one run has: new trouble is a regression, trouble gone an improvement */
		int ro = co ? ho : H_OK, rn = cn ? hn : H_OK;
		if (!co && rn == H_OK)
			kind = "new";
		else if (!cn && ro == H_OK)
			kind = "not measured any more";
		else if (health_rank(rn) > health_rank(ro)) {
			regression = 1;
			if (cn->c.critical && !oc->critical)
				kind = fleet_tcp_failed(&cn->c) ? "TCP newly failing: an answer neither UDP nor TCP brought"
				                      : "an answer neither UDP nor TCP brought";
			else if (fleet_frags_lost(&cn->c) && !fleet_frags_lost(oc))
				kind = "started losing fragments";
			else
				kind = "stopped getting through";
		} else if (health_rank(rn) < health_rank(ro) && rn != H_UNKNOWN) {
			kind = cn ? "improved" : "improved: no longer seen";
		}
		if (!kind)
			continue;
		if (regression) {
			nreg++;
			if (health_rank(rn) > health_rank(worst))
				worst = rn;
		} else if (kind[0] == 'i') {
			nimp++;
		}
		if (as_json) {
			json_object_begin(&w);
			json_kv_string(&w, "server", server);
			json_kv_uint(&w, "family", c->family);
			json_kv_uint_or_null(&w, "answer_size", c->size);
			json_kv_bool(&w, "do", c->do_bit);
			json_kv_string_or_null(&w, "old", co ? health_names[ho] : NULL);
			json_kv_string_or_null(&w, "new", cn ? health_names[hn] : NULL);
			json_kv_string(&w, "change", kind);
			json_kv_bool(&w, "regression", regression);
			json_kv_string_or_null(&w, "old_why", co ? cell_why(&co->c, wo, sizeof wo) : NULL);
			json_kv_string_or_null(&w, "new_why", cn ? cell_why(&cn->c, wn, sizeof wn) : NULL);
			json_object_end(&w);
		} else {
			printf("  %s %s IPv%u %s bytes%s: %s -> %s: %s (%s -> %s)\n", regression ? "REGRESSION " : "change     ",
			       server, c->family, size2str(c->size, sz, sizeof sz), c->do_bit ? " DO" : "", co ? health_names[ho] : "-",
			       cn ? health_names[hn] : "-", kind, co ? cell_why(&co->c, wo, sizeof wo) : "-",
			       cn ? cell_why(&cn->c, wn, sizeof wn) : "-");
		}
	}
	if (as_json) {
		json_array_end(&w);
		json_kv_uint(&w, "regressions", (uint64_t)nreg);
		json_kv_uint(&w, "improvements", (uint64_t)nimp);
		json_kv_string(&w, "health", health_names[worst]);
		json_kv_uint(&w, "exit_code", (uint64_t)worst);
		json_object_end(&w);
		json_finish(&w);
	} else {
		printf("%s: %d regression(s), %d improvement(s)\n", health_names[worst], nreg, nimp);
	}
	free(vn);
	free(vo);
	return worst;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: " PROG " --merge [--json] [--html FILE] RUN.json|RUN.jsonl...\n"
	        "       " PROG " --diff [--json] OLD.json NEW.json\n"
	        "Combine JSON reports of dnsfrag-analyze and dnsfrag-probe ('-' reads stdin).\n\n"
	        "  --merge     a site x target x family x answer-size matrix with the health of each\n"
	        "              cell, the sites that differ from the rest and the instances behind them\n"
	        "  --diff      what changed between two runs of the same site and profile\n"
	        "  --json      JSON output (schemas dnsfrag-fleet/1, dnsfrag-diff/1)\n"
	        "  --html FILE --merge: also write the fleet as one self-contained HTML page\n"
	        "              (atomically): summary, verdicts per site and family, the matrix\n"
	        "  -h, --help, -V, --version\n\n"
	        "Exit status: --diff 0 no regression, 1 a regression to WARNING, 2 to CRITICAL;\n"
	        "--merge the worst cell (0 OK, 1 WARNING, 2 CRITICAL); 3 unusable input or usage error.\n"
	        "See dnsfrag-report(1).\n");
}

int main(int argc, char **argv)
{
	enum { OPT_MERGE = 256, OPT_DIFF, OPT_JSON, OPT_HTML };
	static const struct option longopts[] = {
		{ "merge", no_argument, NULL, OPT_MERGE }, { "diff", no_argument, NULL, OPT_DIFF },
		{ "json", no_argument, NULL, OPT_JSON },   { "html", required_argument, NULL, OPT_HTML },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     { NULL, 0, NULL, 0 },
	};
	int mode = 0, as_json = 0, ch;
	const char *html = NULL;
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_MERGE:
		case OPT_DIFF:
			if (mode && mode != ch) {
				fprintf(stderr, PROG ": --merge or --diff, not both; try '" PROG " --help'\n");
				return EXIT_UNKNOWN;
			}
			mode = ch;
			break;
		case OPT_JSON: as_json = 1; break;
		case OPT_HTML:
			if (!*optarg) {
				fprintf(stderr, PROG ": --html needs a file name; try '" PROG " --help'\n");
				return EXIT_UNKNOWN;
			}
			html = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf(PROG " %s\n", DNSFRAG_VERSION); return EXIT_OK;
		default: fprintf(stderr, PROG ": try '" PROG " --help'\n"); return EXIT_UNKNOWN;
		}
	}
	int nfiles = argc - optind;
	if (!mode || (mode == OPT_MERGE && nfiles < 1) || (mode == OPT_DIFF && nfiles != 2)) {
		fprintf(stderr, PROG ": %s; try '" PROG " --help'\n",
		        !mode ? "give --merge or --diff" : mode == OPT_DIFF ? "--diff takes OLD and NEW" : "no input");
		return EXIT_UNKNOWN;
	}
	if (html && mode != OPT_MERGE) {
		fprintf(stderr, PROG ": --html goes with --merge; try '" PROG " --help'\n");
		return EXIT_UNKNOWN;
	}
	char err[1024];
	int rc = EXIT_UNKNOWN;
	if (mode == OPT_MERGE) {
		fleet_t f = { .sites.max = FLEET_MAX_SITES, .servers.max = FLEET_MAX_SERVERS };
		int ok = 1;
		for (int i = optind; i < argc && ok; i++)
			if (fleet_read_file(&f, argv[i], err, sizeof err) < 0) {
				fprintf(stderr, PROG ": %s\n", err);
				ok = 0;
			}
		if (ok)
			rc = fleet_merge_write(&f, as_json, html, argc, argv);
		fleet_free(&f);
		return rc;
	}
	fleet_t o = { .sites.max = FLEET_MAX_SITES, .servers.max = FLEET_MAX_SERVERS };
	fleet_t n = o;
	if (fleet_read_file(&o, argv[optind], err, sizeof err) < 0 ||
	    fleet_read_file(&n, argv[optind + 1], err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
	} else if (o.sites.n != 1 || n.sites.n != 1 || strcmp(o.site0, n.site0) != 0) {
		fprintf(stderr, PROG ": --diff compares two runs of one site; OLD has %s '%s', NEW '%s'\n",
		        o.sites.n == 1 ? "site" : "several sites, the first", o.site0, n.site0);
	} else if (o.profile_hash[0] && n.profile_hash[0] && strcmp(o.profile_hash, n.profile_hash) != 0) {
		fprintf(stderr, PROG ": --diff compares two runs of one profile; the profiles' SHA-256 differ\n");
	} else {
		rc = fleet_diff_write(&o, &n, as_json);
	}
	fleet_free(&o);
	fleet_free(&n);
	return rc;
}
