/* extopts.h - dnsfrag-analyze's options for live monitoring, capture filters,
 * output formats and the terminal (issue 12), parsed beside main.c's own:
 *
 *   -i, --interface IFACE   live capture point (repeatable: each its own point)
 *   -f, --filter 'BPF'      capture filter (live; files through pcap_offline_filter)
 *   --interval SECONDS      live: one summary line on stderr every SECONDS (default 60)
 *   --duration SECONDS      live: stop after SECONDS (default: at SIGINT/SIGTERM)
 *   --ring-pcap FILE, --ring N   live: the frames of the last N failing transactions
 *   --format text|json|jsonl|prometheus, --output FILE (atomic), --site NAME,
 *   --perfdata, -q/--quiet
 *
 * main.c splices ANALYZE_EXT_LONGOPTS into its option table and hands every
 * option it does not know to analyze_ext_opt().
 */
#ifndef DNSFRAG_ANALYZER_EXTOPTS_H
#define DNSFRAG_ANALYZER_EXTOPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "rollover.h"

#define ANALYZE_EXT_MAX_IFACES 8

typedef enum analyze_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JSONL, FORMAT_PROMETHEUS } analyze_format_t;

enum {
	OPT_EXT_INTERVAL = 0x200,
	OPT_EXT_DURATION,
	OPT_EXT_RING_PCAP,
	OPT_EXT_RING,
	OPT_EXT_FORMAT,
	OPT_EXT_OUTPUT,
	OPT_EXT_SITE,
	OPT_EXT_PERFDATA,
	OPT_EXT_HTML,
};

#define ANALYZE_EXT_SHORTOPTS "i:f:q"
#define ANALYZE_EXT_LONGOPTS                                                                                           \
	{ "interface", required_argument, NULL, 'i' }, { "filter", required_argument, NULL, 'f' },                     \
	{ "quiet", no_argument, NULL, 'q' }, { "interval", required_argument, NULL, OPT_EXT_INTERVAL },                 \
	{ "duration", required_argument, NULL, OPT_EXT_DURATION },                                                     \
	{ "ring-pcap", required_argument, NULL, OPT_EXT_RING_PCAP }, { "ring", required_argument, NULL, OPT_EXT_RING }, \
	{ "format", required_argument, NULL, OPT_EXT_FORMAT }, { "output", required_argument, NULL, OPT_EXT_OUTPUT },  \
	{ "site", required_argument, NULL, OPT_EXT_SITE }, { "perfdata", no_argument, NULL, OPT_EXT_PERFDATA },                \
	{ "html", required_argument, NULL, OPT_EXT_HTML },

#define ANALYZE_EXT_USAGE                                                                                              \
	"  --format=FORMAT        text (default), json (= --json), jsonl (one line per server, then a\n"                    \
	"                         summary) or prometheus (text exposition for node_exporter's textfile collector)\n"       \
	"  --output=FILE          write the report to FILE.tmp, then rename it to FILE (default: stdout)\n"                  \
	"  --html=FILE            also write the report as one self-contained HTML page to FILE\n"                      \
	"                         (atomically: FILE.tmp, then rename)\n"                                              \
	"  --site=NAME            a site label: JSON key \"site\", Prometheus label site\n"                                   \
	"  --perfdata             append Nagios/Icinga perfdata to the text report's first line\n"                          \
	"  -f, --filter=BPF       a tcpdump-style capture filter (live, and for files); warns when it\n"                     \
	"                         would drop non-first fragments or ICMP errors\n"                                           \
	"  -i, --interface=IFACE  monitor IFACE live (passive, sends nothing; repeat for more capture\n"                     \
	"                         points); the report at SIGINT/SIGTERM or after --duration\n"                                \
	"  --interval=SECONDS     live: a summary line on stderr every SECONDS (default 60)\n"                                \
	"  --duration=SECONDS     live: stop after SECONDS\n"                                                                  \
	"  --ring-pcap=FILE       live: write the frames of the last --ring=N (default 100) failing\n"                         \
	"                         transactions to FILE (pcap) at the end, for replay\n"                                       \
	"  -q, --quiet            no progress and no summary lines on stderr\n"

typedef struct analyze_ext {
	const char *ifaces[ANALYZE_EXT_MAX_IFACES];
	uint32_t nifaces;
	const char *filter;
	uint32_t interval_s;   /* default 60 */
	uint32_t duration_s;   /* 0: until a signal */
	const char *ring_pcap;
	uint32_t ring_n;       /* default 100 */
	analyze_format_t format;
	int format_set;
	const char *output;
	const char *html;      /* --html FILE, or NULL */
	const char *site;
	int perfdata;
	int quiet;
	int progress;          /* set by analyze_ext_finish: stderr is a terminal and not --quiet */
	struct capfilter *capfilter;   /* files: the compiled -f filter */
	struct progress *prog;         /* files: the progress line */
} analyze_ext_t;

void analyze_ext_default(analyze_ext_t *x);
/* 1: the option was ours (and valid); 0: not ours; -1: invalid (message written). */
int analyze_ext_opt(analyze_ext_t *x, int ch, const char *arg);
/* After parsing: check combinations, apply --json (json != 0), fill the
 * report config (site, colour, perfdata), warn about a filter that drops
 * fragments, and for files compile the filter and start the progress line.
 * 0, or -1 with a message. */
int analyze_ext_finish(analyze_ext_t *x, int json, int counts, int rollover, char *const *files, int nfiles,
                       report_config_t *rc);
/* Every record read from files: 1 to analyze it, 0 to skip it (the filter
 * refuses it), -1 on a filter error (message written). Draws the progress. */
int analyze_ext_record(analyze_ext_t *x, const capture_t *cap, const capture_record_t *rec);
/* After the last record: erase the progress line; free what finish made. */
void analyze_ext_end(analyze_ext_t *x);

/* Write the finished report in the chosen format to stdout or --output
 * (atomically: FILE.tmp, then rename). ro, when set, adds its section to the
 * text report. 0, or -1 with a message on stderr. */
int analyze_ext_write(const analyze_ext_t *x, const report_t *r, const rollover_t *ro);

#endif /* DNSFRAG_ANALYZER_EXTOPTS_H */
