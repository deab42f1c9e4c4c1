/* fleet_html.h - dnsfrag-report --merge --html FILE: the fleet as one
 * self-contained HTML page (issue 14), rendered from the same merged matrix
 * (fleet_t) as the text and JSON output, with the building blocks of the
 * report page (common/html_kit.h: CSS, colours, legend, cells, escaping):
 *
 *   - the fleet summary: how many sites are OK / WARNING / CRITICAL / UNKNOWN
 *     (a site's health is its worst cell);
 *   - a verdict sentence per site and family, from its cells;
 *   - the matrix: one row per target, family and site, one column per answer
 *     size and DO setting, each cell coloured by its verdict with the label
 *     as text, counts and fragments in its title, "differs" when its health
 *     is not the rest's;
 *   - the differences, then the runs read (file, site, tool, run id, times,
 *     profile, the report's own verdicts) and the settings.
 *
 * No scripts, fonts or requests; every string from the input is escaped.
 */
#ifndef DNSFRAG_REPORT_FLEET_HTML_H
#define DNSFRAG_REPORT_FLEET_HTML_H

#include <stddef.h>

#include "fleet.h"

typedef struct fleet_html {
	const fleet_t *f;
	cell_t *const *sorted; /* f's cells by server, family, size, DO, site; differs/rest marked */
	int worst;             /* H_* over every cell */
	int argc;              /* the command line, shown on the page */
	char *const *argv;
} fleet_html_t;

void fleet_html_write(const fleet_html_t *fh, FILE *out);
/* Atomically (FILE.tmp, fsync, rename). 0, or -1 with err filled. */
int fleet_html_write_file(const fleet_html_t *fh, const char *path, char *err, size_t errlen);

#endif /* DNSFRAG_REPORT_FLEET_HTML_H */
