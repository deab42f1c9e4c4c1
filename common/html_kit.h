/* html_kit.h - the building blocks every dnsfrag HTML page shares: escaping,
 * the page head (inline CSS with print rules, a Content-Security-Policy that
 * loads nothing) and foot, the verdict colours (Okabe-Ito, colour-blind safe)
 * and their legend, the size-matrix columns (answer size x DO) and cells.
 *
 * Used by the report page (report_html.c: dnsfrag-analyze, dnsfrag-probe) and
 * the fleet page (report/fleet_html.c: dnsfrag-report --merge), so the two
 * look and read alike. Every string that came from a capture, a report or a
 * command line goes through html_escape.
 */
#ifndef DNSFRAG_COMMON_HTML_KIT_H
#define DNSFRAG_COMMON_HTML_KIT_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* Write s HTML-escaped (text and attribute values alike): & < > " ' become
 * entities; control bytes, DEL and bytes that are not valid UTF-8 become the
 * visible text \xNN; valid UTF-8 passes. NULL writes nothing. */
void html_escape(FILE *out, const char *s);

/* ---- the page */

/* <!DOCTYPE html> ... <body><h1>: <title> "TITLE: WORD (SITE)", <h1>
 * "HEADING: WORD - SITE"; without " (SITE)" / " - SITE" when site is NULL
 * (all escaped). */
void html_page_begin(FILE *out, const char *title, const char *heading, const char *word, const char *site);
/* The same with extra_css (a constant of the caller, not escaped) after the
 * shared CSS, for a page's own elements; NULL adds nothing. */
void html_page_begin_css(FILE *out, const char *title, const char *heading, const char *word, const char *site,
                         const char *extra_css);
/* The footer naming the program (escaped) and version, then </body></html>. */
void html_page_end(FILE *out, const char *program, const char *from_what);
/* <p class="verdict h-WORD"><span class="hw">WORD</span> ... : the caller
 * writes the sentence, then html_verdict_end. */
void html_verdict_begin(FILE *out, health_t h);
void html_verdict_end(FILE *out);

/* <tr><th>command line</th><td>ARGV...</td></tr> (escaped); nothing when argc is 0. */
void html_command_line_row(FILE *out, int argc, char *const *argv);

/* ---- matrix cells: one verdict per (size, DO) cell, by the counts */

typedef enum html_cell {
	HTML_CELL_WHOLE,
	HTML_CELL_FRAGMENTED,
	HTML_CELL_FRAGS_LOST,
	HTML_CELL_TC_TCP_OK,
	HTML_CELL_TCP_FAILED,
	HTML_CELL_NO_ANSWER,
	HTML_CELL_COUNT
} html_cell_t;

/* The cell's verdict: TCP failed > fragments lost > no answer > TC then TCP
 * ok > fragmented > whole (the worst thing that happened at that size). */
html_cell_t html_cell_classify(const report_counts_t *c);
/* The legend table: each verdict's swatch, label and meaning. */
void html_legend(FILE *out);
/* One <td> of a matrix: class and data-verdict, title = title_prefix (escaped)
 * then ": " and the counts, the label, the fragment count. An empty cell
 * (no transactions) is a dash. */
void html_cell_write(FILE *out, const report_counts_t *c, uint32_t max_frags, const char *title_prefix);
/* The same with a note (escaped) below the label, e.g. "differs (rest OK)". */
void html_cell_write_note(FILE *out, const report_counts_t *c, uint32_t max_frags, const char *title_prefix,
                          const char *note);

/* A matrix column: an answer size (or the size asked, when no answer told it) and DO. */
typedef struct html_col {
	uint32_t size;
	uint16_t advertised;
	uint8_t do_bit;
} html_col_t;

#define HTML_MAX_COLS 256

/* Add (size, advertised, do) unless present; 0, or -1 when HTML_MAX_COLS are in. */
int html_cols_add(html_col_t *cols, uint32_t *n, uint32_t size, uint16_t advertised, uint8_t do_bit);
int html_col_match(const html_col_t *c, uint32_t size, uint16_t advertised, uint8_t do_bit);
/* Known sizes first, ascending, then the unknown ones by the size asked; no DO before DO. */
void html_cols_sort(html_col_t *cols, uint32_t n);
/* <table class="matrix"><thead><tr> the row heads, a header per column
 * (html_col_header) </tr></thead><tbody> */
void html_matrix_begin(FILE *out, const char *const *heads, uint32_t nheads, const html_col_t *cols, uint32_t ncols,
                       int show_asked);
/* <th>SIZE<br/>DO</th>; an unknown size is "? (asked N)" with show_asked
 * (the size the question advertised), else "?". */
void html_col_header(FILE *out, const html_col_t *c, int show_asked);

/* A page to path, atomically: write(f, ctx) into path.tmp, fsync, rename.
 * 0, or -1 with err filled ("FILE: reason"). */
int html_write_file(const char *path, void (*write)(FILE *out, const void *ctx), const void *ctx, char *err,
                    size_t errlen);

#endif /* DNSFRAG_COMMON_HTML_KIT_H */
