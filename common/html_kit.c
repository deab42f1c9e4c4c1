/* html_kit.c - the shared blocks of dnsfrag's HTML pages (see html_kit.h).
 *
 * Colours: the Okabe-Ito palette (colour-blind safe); every coloured cell also
 * carries its verdict as text, so the page reads in greyscale and in print.
 */
#include "html_kit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void html_escape(FILE *out, const char *s)
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
        "svg{max-width:100%;height:auto}svg text{font-family:sans-serif;font-size:11px}\n"
        "@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg,.ladder{break-inside:avoid}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.seg.vanish{background:none}}\n";

#define E(s) html_escape(out, (s))

/* ---- the page */

void html_page_begin(FILE *out, const char *title, const char *heading, const char *word, const char *site)
{
	html_page_begin_css(out, title, heading, word, site, NULL);
}

void html_page_begin_css(FILE *out, const char *title, const char *heading, const char *word, const char *site,
                         const char *extra_css)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n", out);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n", out);
	/* Nothing may load: the page must open the same on an offline laptop. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n",
	      out);
	fputs("<title>", out);
	E(title);
	fputs(": ", out);
	E(word);
	if (site) {
		fputs(" (", out);
		E(site);
		fputc(')', out);
	}
	fputs("</title>\n<style>\n", out);
	fputs(css, out);
	if (extra_css)
		fputs(extra_css, out);
	fputs("</style>\n</head>\n<body>\n<h1>", out);
	E(heading);
	fputs(": ", out);
	E(word);
	if (site) {
		fputs(" &#8212; ", out);
		E(site);
	}
	fputs("</h1>\n", out);
}

void html_page_end(FILE *out, const char *program, const char *from_what)
{
	fputs("<footer class=\"small\"><p>Written by ", out);
	E(program ? program : "dnsfrag");
	fputs(" " DNSFRAG_VERSION " ", out);
	E(from_what);
	fputs("</p></footer>\n</body>\n</html>\n", out);
}

void html_verdict_begin(FILE *out, health_t h)
{
	fprintf(out, "<p class=\"verdict h-%s\"><span class=\"hw\">%s</span>", health2str(h), health2str(h));
}

void html_verdict_end(FILE *out) { fputs("</p>\n", out); }

void html_command_line_row(FILE *out, int argc, char *const *argv)
{
	if (argc <= 0 || !argv)
		return;
	fputs("<tr><th>command line</th><td class=\"mono\">", out);
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(' ', out);
		E(argv[i]);
	}
	fputs("</td></tr>\n", out);
}

/* ---- matrix cells */

static const struct {
	const char *cls, *label, *meaning;
} cell_style[HTML_CELL_COUNT] = {
	{ "v-whole", "whole", "answered in one unfragmented packet" },
	{ "v-frag", "fragmented, delivered", "answered in IP fragments that all arrived" },
	{ "v-lost", "fragments lost", "answer fragments arrived but the answer never completed (or none arrived)" },
	{ "v-tcok", "TC \xE2\x86\x92 TCP ok", "truncated (TC=1) or asked again over TCP, and TCP brought the answer" },
	{ "v-tcpfail", "TCP failed", "the TCP retry failed (reset, SYN timeout or stall): no answer by either transport" },
	{ "v-noans", "no answer", "no usable answer came back (nothing, or TC=1 with no TCP retry seen)" },
};

html_cell_t html_cell_classify(const report_counts_t *c)
{
	uint64_t tcp_bad = c->tcp[TXN_TCP_RESET] + c->tcp[TXN_TCP_SYN_TIMEOUT] + c->tcp[TXN_TCP_STALL];
	if (tcp_bad)
		return HTML_CELL_TCP_FAILED;
	if (c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED])
		return HTML_CELL_FRAGS_LOST;
	if (c->delivered < c->total) /* no answer, or TC=1 with no TCP retry seen */
		return HTML_CELL_NO_ANSWER;
	if (c->verdict[TXN_TRUNCATED] || c->verdict[TXN_TCP_ONLY] || c->verdict[TXN_NO_ANSWER])
		return HTML_CELL_TC_TCP_OK;
	if (c->verdict[TXN_FRAGMENTED])
		return HTML_CELL_FRAGMENTED;
	if (c->verdict[TXN_WHOLE])
		return HTML_CELL_WHOLE;
	return HTML_CELL_NO_ANSWER;
}

void html_legend(FILE *out)
{
	fputs("<table class=\"legend\"><caption>Legend</caption>\n", out);
	for (int v = 0; v < HTML_CELL_COUNT; v++)
		fprintf(out,
		        "<tr><td class=\"cell %s\"><span class=\"swatch %s\"></span> %s</td><td>%s</td></tr>\n",
		        cell_style[v].cls, cell_style[v].cls, cell_style[v].label, cell_style[v].meaning);
	fputs("</table>\n", out);
}

void html_cell_write(FILE *out, const report_counts_t *c, uint32_t max_frags, const char *title_prefix)
{
	html_cell_write_note(out, c, max_frags, title_prefix, NULL);
}

void html_cell_write_note(FILE *out, const report_counts_t *c, uint32_t max_frags, const char *title_prefix,
                          const char *note)
{
	if (!c || !c->total) {
		fputs("<td class=\"cell empty\">&#8212;</td>", out);
		return;
	}
	html_cell_t v = html_cell_classify(c);
	fprintf(out, "<td class=\"cell %s\" data-verdict=\"%s\" title=\"", cell_style[v].cls, cell_style[v].cls + 2);
	E(title_prefix);
	fprintf(out, ": %" PRIu64 " transaction(s); whole %" PRIu64 ", fragmented %" PRIu64 ", fragments lost %" PRIu64
	             ", truncated %" PRIu64 ", TCP ok %" PRIu64 ", no answer %" PRIu64 ", failed both %" PRIu64,
	        c->total, c->verdict[TXN_WHOLE], c->verdict[TXN_FRAGMENTED],
	        c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED], c->verdict[TXN_TRUNCATED],
	        c->tcp[TXN_TCP_COMPLETE], c->verdict[TXN_NO_ANSWER], c->critical);
	if (max_frags)
		fprintf(out, "; up to %u fragments", max_frags);
	else
		fputs("; not fragmented", out);
	fprintf(out, "\">%s",
	        v == HTML_CELL_NO_ANSWER && c->verdict[TXN_TRUNCATED] ? "TC=1, no TCP seen" : cell_style[v].label);
	if (max_frags)
		fprintf(out, "<br/><small>%u frags</small>", max_frags);
	if (note) {
		fputs("<br/><small class=\"note\">", out);
		E(note);
		fputs("</small>", out);
	}
	fputs("</td>", out);
}

/* ---- matrix columns */

int html_col_match(const html_col_t *c, uint32_t size, uint16_t advertised, uint8_t do_bit)
{
	return c->size == size && c->do_bit == do_bit && (size || c->advertised == advertised);
}

int html_cols_add(html_col_t *cols, uint32_t *n, uint32_t size, uint16_t advertised, uint8_t do_bit)
{
	for (uint32_t c = 0; c < *n; c++)
		if (html_col_match(&cols[c], size, advertised, do_bit))
			return 0;
	if (*n == HTML_MAX_COLS)
		return -1;
	cols[*n].size = size;
	cols[*n].advertised = size ? 0 : advertised;
	cols[*n].do_bit = do_bit;
	(*n)++;
	return 0;
}

static int col_cmp(const void *a, const void *b)
{
	const html_col_t *x = a, *y = b;
	/* known sizes first, ascending; then the unknown ones by the size asked */
	uint64_t kx = x->size ? x->size : 0x100000000ull + x->advertised;
	uint64_t ky = y->size ? y->size : 0x100000000ull + y->advertised;
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return (int)x->do_bit - (int)y->do_bit;
}

void html_cols_sort(html_col_t *cols, uint32_t n) { qsort(cols, n, sizeof *cols, col_cmp); }

void html_col_header(FILE *out, const html_col_t *c, int show_asked)
{
	const char *d = c->do_bit ? "DO" : "no DO";
	if (c->size)
		fprintf(out, "<th>%u<br/>%s</th>", c->size, d);
	else if (show_asked)
		fprintf(out, "<th>? (asked %u)<br/>%s</th>", c->advertised, d);
	else
		fprintf(out, "<th>?<br/>%s</th>", d);
}

/* ---- the file */

int html_write_file(const char *path, void (*write)(FILE *out, const void *ctx), const void *ctx, char *err,
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
	write(f, ctx);
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

void html_matrix_begin(FILE *out, const char *const *heads, uint32_t nheads, const html_col_t *cols, uint32_t ncols,
                       int show_asked)
{
	fputs("<table class=\"matrix\">\n<thead><tr>", out);
	for (uint32_t h = 0; h < nheads; h++) {
		fputs("<th>", out);
		E(heads[h]);
		fputs("</th>", out);
	}
	for (uint32_t c = 0; c < ncols; c++)
		html_col_header(out, &cols[c], show_asked);
	fputs("</tr></thead>\n<tbody>\n", out);
}
