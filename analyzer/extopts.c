/* extopts.c - live monitoring, filter, format and terminal options (see extopts.h). */
#include "extopts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "perfdata.h"
#include "progress.h"
#include "report_prom.h"

#define PROG "dnsfrag-analyze"

static int ext_error(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, PROG ": %s '%s': expected %s; try '" PROG " --help'\n", opt, value, want);
	return -1;
}

static int ext_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *s == '-' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

void analyze_ext_default(analyze_ext_t *x)
{
	memset(x, 0, sizeof *x);
	x->interval_s = 60;
	x->ring_n = 100;
}

int analyze_ext_opt(analyze_ext_t *x, int ch, const char *arg)
{
	switch (ch) {
	case 'i':
		if (x->nifaces == ANALYZE_EXT_MAX_IFACES)
			return ext_error("-i", arg, "at most 8 interfaces");
		x->ifaces[x->nifaces++] = arg;
		return 1;
	case 'f': x->filter = arg; return 1;
	case 'q': x->quiet = 1; return 1;
	case OPT_EXT_INTERVAL:
		return ext_uint(arg, 1, 86400, &x->interval_s) < 0 ? ext_error("--interval", arg, "seconds from 1 to 86400") : 1;
	case OPT_EXT_DURATION:
		return ext_uint(arg, 1, 31 * 86400, &x->duration_s) < 0
		               ? ext_error("--duration", arg, "seconds from 1 to 2678400")
		               : 1;
	case OPT_EXT_RING_PCAP: x->ring_pcap = arg; return 1;
	case OPT_EXT_RING:
		return ext_uint(arg, 1, 10000, &x->ring_n) < 0 ? ext_error("--ring", arg, "a number from 1 to 10000") : 1;
	case OPT_EXT_FORMAT:
		if (strcmp(arg, "text") == 0)
			x->format = FORMAT_TEXT;
		else if (strcmp(arg, "json") == 0)
			x->format = FORMAT_JSON;
		else if (strcmp(arg, "jsonl") == 0)
			x->format = FORMAT_JSONL;
		else if (strcmp(arg, "prometheus") == 0)
			x->format = FORMAT_PROMETHEUS;
		else
			return ext_error("--format", arg, "text, json, jsonl or prometheus");
		x->format_set = 1;
		return 1;
	case OPT_EXT_OUTPUT:
		if (!*arg)
			return ext_error("--output", arg, "a file name");
		x->output = arg;
		return 1;
	case OPT_EXT_SITE:
		if (!*arg || strlen(arg) > 200)
			return ext_error("--site", arg, "a name of 1 to 200 characters");
		x->site = arg;
		return 1;
	case OPT_EXT_PERFDATA: x->perfdata = 1; return 1;
	case OPT_EXT_HTML:
		if (!*arg)
			return ext_error("--html", arg, "a file name");
		x->html = arg;
		return 1;
	default: return 0;
	}
}

/* NO_COLOR (no-color.org): present and not empty turns colour off. */
static int ext_color_wanted(const analyze_ext_t *x)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	if (x->format != FORMAT_TEXT || x->output || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return 0;
	return isatty(STDOUT_FILENO);
}

int analyze_ext_finish(analyze_ext_t *x, int json, int counts, int rollover, char *const *files, int nfiles,
                       report_config_t *rc)
{
	if (json) {
		if (x->format_set && x->format != FORMAT_JSON) {
			fprintf(stderr, PROG ": --json and --format disagree; try '" PROG " --help'\n");
			return -1;
		}
		x->format = FORMAT_JSON;
	}
	if (x->perfdata && x->format != FORMAT_TEXT) {
		fprintf(stderr, PROG ": --perfdata goes with the text report only; try '" PROG " --help'\n");
		return -1;
	}
	if (x->nifaces && nfiles) {
		fprintf(stderr, PROG ": give capture files or -i interfaces, not both; try '" PROG " --help'\n");
		return -1;
	}
	if (x->nifaces && (counts || rollover)) {
		fprintf(stderr, PROG ": %s reads capture files only, not -i; try '" PROG " --help'\n",
		        counts ? "--counts" : "--rollover/--anchors");
		return -1;
	}
	if (x->nifaces && x->html) {
		fprintf(stderr, PROG ": --html reads capture files only, not -i; try '" PROG " --help'\n");
		return -1;
	}
	if (!x->nifaces && x->ring_pcap) {
		fprintf(stderr, PROG ": --ring-pcap goes with -i (live monitoring); try '" PROG " --help'\n");
		return -1;
	}
	rc->site = x->site;
	rc->text_color = ext_color_wanted(x);
	if (x->perfdata)
		rc->text_tail = report_perfdata_write;
	x->progress = !x->quiet && isatty(STDERR_FILENO);
	if (x->filter) {
		char err[512], why[320];
		if (!(x->capfilter = capfilter_new(x->filter, err, sizeof err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return -1;
		}
		if (capfilter_check(x->filter, why, sizeof why))
			fprintf(stderr,
			        PROG ": warning: the filter '%s' %s, so lost fragments and their ICMP errors cannot be told "
			        "apart from lost answers; keep them with: (%s) or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or "
			        "(ip6 and ip6[6] == 44)\n",
			        x->filter, why, x->filter);
		if (x->nifaces) { /* live: libpcap compiles it on each handle */
			capfilter_free(x->capfilter);
			x->capfilter = NULL;
		}
	}
	if (nfiles && x->progress)
		x->prog = progress_new((const char *const *)files, (size_t)nfiles);
	return 0;
}

int analyze_ext_record(analyze_ext_t *x, const capture_t *cap, const capture_record_t *rec)
{
	if (x->prog) {
		const capture_stats_t *cs = capture_stats(cap);
		progress_update(x->prog, cs->records, cs->bytes);
	}
	if (!x->capfilter)
		return 1;
	char err[512];
	int k = capfilter_match(x->capfilter, rec, err, sizeof err);
	if (k < 0)
		fprintf(stderr, PROG ": %s\n", err);
	return k;
}

void analyze_ext_end(analyze_ext_t *x)
{
	progress_done(x->prog);
	x->prog = NULL;
	capfilter_free(x->capfilter);
	x->capfilter = NULL;
}

static void ext_render(const analyze_ext_t *x, const report_t *r, const rollover_t *ro, FILE *out)
{
	switch (x->format) {
	case FORMAT_JSON: report_json_write(r, out); break;
	case FORMAT_JSONL: report_jsonl_write(r, out); break;
	case FORMAT_PROMETHEUS: report_prom_write(r, out); break;
	case FORMAT_TEXT:
		report_text_write(r, out);
		if (ro)
			rollover_text_write(ro, out);
		break;
	}
}

int analyze_ext_write(const analyze_ext_t *x, const report_t *r, const rollover_t *ro)
{
	if (!x->output) {
		ext_render(x, r, ro, stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, PROG ": standard output: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	/* Same directory, so the rename is atomic; node_exporter's textfile
	 * collector reads only *.prom, never FILE.tmp. */
	size_t n = strlen(x->output) + 5;
	char *tmp = malloc(n);
	if (!tmp) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	snprintf(tmp, n, "%s.tmp", x->output);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ext_render(x, r, ro, f);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	int e = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad || rename(tmp, x->output) != 0) {
		if (!bad)
			e = errno;
		fprintf(stderr, PROG ": %s: %s\n", bad ? tmp : x->output, strerror(e));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
