/* main.c - dnsfrag-analyze: read captures, reassemble, decode DNS, report.
 *
 * Only main() exits; everything below returns a status. Exit codes follow
 * Nagios (common/exitcode.h).
 */
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anchors.h"
#include "capture.h"
#include "exitcode.h"
#include "extopts.h"
#include "frameclock.h"
#include "hooks.h"
#include "link.h"
#include "live.h"
#include "pipeline.h"
#include "points.h"
#include "relay.h"
#include "report.h"
#include "report_html.h"
#include "report_run.h"
#include "rollover.h"
#include "txn.h"
#include "version.h"

#define PROG "dnsfrag-analyze"
#define MAX_POINTS 64

typedef struct analyze_opts {
	int counts;
	int json;
	int rollover;             /* --rollover or --anchors: validate '. DNSKEY' answers */
	const char *anchors_file; /* --anchors FILE; NULL: the default anchors */
	report_config_t report;
	txn_config_t txn;
	analyze_ext_t ext;        /* live, filter, formats, terminal (extopts.h) */
	const char *points_list;  /* --points A,B,...: separate capture points in path order */
	uint32_t threads;         /* --threads: 1, or 2 to track transactions on a thread of their own */
} analyze_opts_t;

typedef struct analyze_run {
	pipeline_t *points[MAX_POINTS]; /* one pipeline per capture point (pcapng interface) */
	uint32_t npoints;
	txn_tracker_t *tracker;         /* fed by point 0 only: see analyze_point_get */
	report_t *report;
	rollover_t *rollover;           /* NULL unless --rollover / --anchors */
	hooks_fanout_t fanout;          /* point 0's hooks: the tracker, then the rollover check */
	analyze_ext_t *ext;             /* -f filter and progress line */
	points_t *locate;               /* --points: the multi-point matcher (points.h), or NULL */
	frameclock_t *clock;            /* --html: point 0's frame times for the ladders, or NULL */
	int64_t first_ns, last_ns;      /* capture times of the first and last record analyzed */
	uint32_t threads;               /* --threads */
	relay_t *relay;                 /* point 0's hooks to the tracker on its own thread, or NULL */
} analyze_run_t;

static void analyze_run_time(analyze_run_t *run, int64_t ts_ns)
{
	if (ts_ns <= 0)
		return;
	if (!run->first_ns || ts_ns < run->first_ns)
		run->first_ns = ts_ns;
	if (ts_ns > run->last_ns)
		run->last_ns = ts_ns;
}

#define OPT_POINTS 0x300
#define OPT_THREADS 0x301

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: " PROG " [OPTIONS] CAPTURE...\n"
	        "Read pcap/pcapng captures ('-' for stdin; several files are one capture point,\n"
	        "merged by time), reassemble IPv4/IPv6 fragments, decode DNS over UDP and TCP\n"
	        "and report what was delivered.\n\n"
	        "Options:\n"
	        "  --json                 write the report as JSON (schema dnsfrag-report/1, dnsfrag-json(5))\n"
	        "  --policy=POLICY        avoid-fragments (default: lost fragments with working TCP are\n"
	        "                         WARNING) or fragments-required (lost fragments are CRITICAL)\n"
	        "  --min-samples=N        transactions a path needs before it is judged (default 1)\n"
	        "  --loss-threshold=PCT   missing answers tolerated before WARNING (default 20)\n"
	        "  --window=SECONDS       how long after a query its answer, fragments and TCP retry\n"
	        "                         still count (capture time, default 10)\n"
	        "  --counts               print only the packet-layer counts, 'key<TAB>value' per line\n"
	        "  --rollover             validate every '. DNSKEY' answer at its capture time against the\n"
	        "                         root trust anchors (" ANCHORS_DEFAULT_FILE ", else embedded)\n"
	        "  --anchors=FILE         the same with these anchors: root-anchors.xml or DS/DNSKEY lines\n"
	        "  --points=[LABEL=]A,[LABEL=]B,...  separate capture points in path order, client side first:\n"
	        "                         match DNS datagrams across them and name the segment where\n"
	        "                         fragments vanish (\"Where fragments die\"); verdicts from the first\n"
	        "                         point\n"
	        "  --threads=N            1, or 2 to track transactions on a second thread (default: 2 when\n"
	        "                         two CPUs are available; the report is the same either way)\n"
	        ANALYZE_EXT_USAGE
	        "  -h, --help      show this help\n"
	        "  -V, --version   show the version\n\n"
	        "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage error, unreadable input).\n"
	        "See dnsfrag-analyze(1).\n");
}

static int opt_error(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, PROG ": %s '%s': expected %s; try '" PROG " --help'\n", opt, value, want);
	return -1;
}

/* A decimal number within [lo, hi], nothing else. */
static int opt_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *s == '-' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int analyze_opts_parse(int argc, char **argv, analyze_opts_t *o)
{
	static const struct option longopts[] = {
		{ "counts", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, 'P' },
		{ "min-samples", required_argument, NULL, 'm' },
		{ "loss-threshold", required_argument, NULL, 'l' },
		{ "window", required_argument, NULL, 'w' },
		{ "rollover", no_argument, NULL, 'R' },
		{ "anchors", required_argument, NULL, 'A' },
		{ "points", required_argument, NULL, OPT_POINTS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		ANALYZE_EXT_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "hV" ANALYZE_EXT_SHORTOPTS, longopts, NULL)) != -1) {
		int ext = analyze_ext_opt(&o->ext, ch, optarg);
		if (ext < 0)
			return -1;
		if (ext)
			continue;
		switch (ch) {
		case 'c': o->counts = 1; break;
		case 'j': o->json = 1; break;
		case 'R': o->rollover = 1; break;
		case 'A': o->rollover = 1; o->anchors_file = optarg; break;
		case OPT_POINTS: o->points_list = optarg; break;
		case OPT_THREADS:
			if (opt_uint(optarg, 1, 2, &o->threads) < 0)
				return opt_error("--threads", optarg, "1 or 2");
			break;
		case 'P':
			if (strcmp(optarg, "fragments-required") == 0)
				o->report.policy = POLICY_FRAGMENTS_REQUIRED;
			else if (strcmp(optarg, "avoid-fragments") == 0)
				o->report.policy = POLICY_AVOID_FRAGMENTS;
			else
				return opt_error("--policy", optarg, "avoid-fragments or fragments-required");
			break;
		case 'm':
			if (opt_uint(optarg, 1, 1000000, &o->report.min_samples) < 0)
				return opt_error("--min-samples", optarg, "a number from 1 to 1000000");
			break;
		case 'l':
			if (opt_uint(optarg, 0, 100, &o->report.loss_threshold_pct) < 0)
				return opt_error("--loss-threshold", optarg, "a percentage from 0 to 100");
			break;
		case 'w': {
			uint32_t secs;
			if (opt_uint(optarg, 1, 3600, &secs) < 0)
				return opt_error("--window", optarg, "seconds from 1 to 3600");
			o->txn.window_ns = (int64_t)secs * 1000000000LL;
			break;
		}
		case 'h': usage(stdout); exit(EXIT_HEALTH_OK);
		case 'V': printf(PROG " " DNSFRAG_VERSION "\n"); exit(EXIT_HEALTH_OK);
		default:
			fprintf(stderr, PROG ": try '" PROG " --help'\n");
			return -1;
		}
	}
	if (o->points_list && (optind < argc || o->ext.nifaces)) {
		fprintf(stderr, PROG ": --points names every capture file; give no other files or -i; try '" PROG
		                " --help'\n");
		return -1;
	}
	if (optind >= argc && !o->ext.nifaces && !o->points_list) {
		fprintf(stderr, PROG ": no capture file given (nor -i IFACE); try '" PROG " --help'\n");
		return -1;
	}
	return 0;
}

static pipeline_t *analyze_point_get(analyze_run_t *run, uint32_t point)
{
	if (point >= MAX_POINTS)
		return NULL;
	while (run->npoints <= point) {
		pipeline_config_t cfg;
		pipeline_config_default(&cfg);
		cfg.point = run->npoints;
		/* Transactions are judged at one capture point: the first. Further
		 * points (pcapng interfaces) are decoded and counted; comparing
		 * points is the multi-point matcher's job. */
		pipeline_hooks_t hooks = txn_tracker_hooks(run->tracker);
		if ((run->rollover || run->clock) && run->npoints == 0) {
			hooks_fanout_init(&run->fanout);
			hooks_fanout_add(&run->fanout, &hooks);
			if (run->rollover) {
				pipeline_hooks_t ro = rollover_hooks(run->rollover);
				hooks_fanout_add(&run->fanout, &ro);
			}
			if (run->clock) {
				pipeline_hooks_t fc = frameclock_hooks(run->clock);
				hooks_fanout_add(&run->fanout, &fc);
			}
			hooks = hooks_fanout_hooks(&run->fanout);
		}
		if (run->npoints == 0 && run->threads > 1 && !run->rollover && !run->clock && !run->locate) {
			/* The tracker alone listens: it and the report it feeds run on
			 * a thread of their own (relay.h). The rollover check, the
			 * frame clock and the matcher read packet bytes the relay does
			 * not carry, so with any of them there is one thread.
			 * If the relay or its thread cannot be had, one thread does
			 * it all: the report is the same. */
			run->relay = relay_new(RELAY_RING_DEFAULT, &hooks);
			if (run->relay)
				relay_elide_dns_ticks(run->relay); /* the tracker's DNS hook expires first (txn.c) */
			if (run->relay && relay_start(run->relay) == 0) {
				hooks = relay_hooks(run->relay);
			} else {
				relay_free(run->relay);
				run->relay = NULL;
			}
		}
		pipeline_hooks_t located;
		if (run->locate) /* --points: the matcher listens to every point */
			located = points_hooks(run->locate, run->npoints, run->npoints == 0 ? &hooks : NULL);
		run->points[run->npoints] =
		        pipeline_new(&cfg, run->locate ? &located : run->npoints == 0 ? &hooks : NULL);
		if (!run->points[run->npoints])
			return NULL;
		run->npoints++;
	}
	return run->points[point];
}

/* Sum the counts of every point: the packet layer's totals for the whole input. */
static void analyze_counts_sum(const analyze_run_t *run, pipeline_counts_t *sum, decode_counts_t *dsum)
{
	memset(sum, 0, sizeof *sum);
	memset(dsum, 0, sizeof *dsum);
	for (uint32_t i = 0; i < run->npoints; i++) {
		/* pipeline_counts_t is nothing but uint64_t counters, summed field by field. */
		const uint64_t *a = (const uint64_t *)pipeline_counts(run->points[i]);
		uint64_t *s = (uint64_t *)sum;
		for (size_t k = 0; k < sizeof *sum / sizeof(uint64_t); k++)
			s[k] += a[k];
		decode_counts_merge(dsum, pipeline_decode_counts(run->points[i]));
	}
}

/* Sum reassembly's and the TCP streams' statistics over every point (peaks:
 * the largest point's). */
static void analyze_limits_sum(const analyze_run_t *run, reasm_stats_t *rs, tcps_stats_t *ts)
{
	memset(rs, 0, sizeof *rs);
	memset(ts, 0, sizeof *ts);
	uint64_t peak_datagrams = 0, peak_bytes = 0;
	for (uint32_t i = 0; i < run->npoints; i++) {
		const reasm_stats_t *r = pipeline_reasm_stats(run->points[i]);
		const tcps_stats_t *t = pipeline_tcp_stats(run->points[i]);
		/* Both are nothing but uint64_t counters: summed field by field, then
		 * the peaks replaced by their maximum. */
		const uint64_t *a = (const uint64_t *)r;
		uint64_t *s = (uint64_t *)rs;
		for (size_t k = 0; k < sizeof *rs / sizeof(uint64_t); k++)
			s[k] += a[k];
		const uint64_t *b = (const uint64_t *)t;
		uint64_t *u = (uint64_t *)ts;
		for (size_t k = 0; k < sizeof *ts / sizeof(uint64_t); k++)
			u[k] += b[k];
		if (r->peak_datagrams > peak_datagrams)
			peak_datagrams = r->peak_datagrams;
		if (r->peak_bytes > peak_bytes)
			peak_bytes = r->peak_bytes;
	}
	rs->peak_datagrams = peak_datagrams;
	rs->peak_bytes = peak_bytes;
}

static void analyze_counts_print(const analyze_run_t *run, const capture_stats_t *cs)
{
	pipeline_counts_t c;
	decode_counts_t d;
	analyze_counts_sum(run, &c, &d);
	const struct { const char *key; uint64_t v; } rows[] = {
		{ "packets", c.packets },
		{ "points", run->npoints },
		{ "ip4_packets", c.ip4_packets },
		{ "ip6_packets", c.ip6_packets },
		{ "ip4_frags", c.ip4_frags },
		{ "ip6_frags", c.ip6_frags },
		{ "ip6_atomic_frags", c.ip6_atomic_frags },
		{ "first_frag_chain_incomplete", c.first_frag_chain_incomplete },
		{ "ip4_datagrams", c.ip4_datagrams },
		{ "ip4_incomplete", c.ip4_incomplete },
		{ "ip6_datagrams", c.ip6_datagrams },
		{ "ip6_incomplete", c.ip6_incomplete },
		{ "frag_overlap", c.frag_overlap },
		{ "frag_duplicate", c.frag_duplicate },
		{ "udp", c.udp },
		{ "tcp_segments", c.tcp_segments },
		{ "dns_queries", c.dns_queries },
		{ "dns_responses", c.dns_responses },
		{ "dns_tc", c.dns_tc },
		{ "dns_malformed", c.dns_malformed },
		{ "dns_udp", c.dns_udp },
		{ "dns_tcp", c.dns_tcp },
		{ "icmp_fragneeded", c.icmp4[ICMP_KIND_NEEDS_FRAG] },
		{ "icmp6_ptb", c.icmp6[ICMP_KIND_PACKET_TOO_BIG] },
		{ "icmp_timeexceeded", c.icmp4[ICMP_KIND_TTL_EXCEEDED] + c.icmp4[ICMP_KIND_REASSEMBLY_TIMEOUT] +
		                           c.icmp6[ICMP_KIND_TTL_EXCEEDED] + c.icmp6[ICMP_KIND_REASSEMBLY_TIMEOUT] },
		{ "icmp_te_reassembly", c.icmp4[ICMP_KIND_REASSEMBLY_TIMEOUT] + c.icmp6[ICMP_KIND_REASSEMBLY_TIMEOUT] },
		{ "capture.over_snaplen", cs->over_snaplen },
		{ "capture.wirelen_short", cs->wirelen_short },
		{ "capture.truncated_files", cs->truncated_files },
		{ "capture.read_errors", cs->read_errors },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		printf("%s\t%" PRIu64 "\n", rows[i].key, rows[i].v);
	/* The limits' work: what reassembly and the TCP streams gave up, summed over points. */
	reasm_stats_t rs;
	tcps_stats_t ts;
	analyze_limits_sum(run, &rs, &ts);
	const struct { const char *key; uint64_t v; } limits[] = {
		{ "reasm.evicted", rs.incomplete_why[REASM_WHY_EVICTED] },
		{ "reasm.timeout", rs.incomplete_why[REASM_WHY_TIMEOUT] },
		{ "reasm.oversize", rs.ev[REASM_EV_OVERSIZE] },
		{ "reasm.too_many_frags", rs.ev[REASM_EV_TOO_MANY_FRAGS] },
		{ "reasm.peak_datagrams", rs.peak_datagrams },
		{ "reasm.peak_bytes", rs.peak_bytes },
		{ "tcp.evicted", ts.evicted },
		{ "tcp.gaps", ts.gaps },
		{ "tcp.dns_cut", ts.dns_cut },
		{ "tcp.out_of_window", ts.out_of_window },
	};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
		printf("%s\t%" PRIu64 "\n", limits[i].key, limits[i].v);
	for (int l = 0; l < LAYER_COUNT; l++)
		for (int o = OUTCOME_TRUNCATED; o < OUTCOME_COUNT; o++)
			if (d.n[l][o])
				printf("decode.%s.%s\t%" PRIu64 "\n", decode_layer2str(l), decode_outcome2str(o), d.n[l][o]);
	for (int u = 0; u < DECODE_UNSUPPORTED_NAMES && d.unsupported[u].name; u++)
		printf("unsupported.%s\t%" PRIu64 "\n", d.unsupported[u].name, d.unsupported[u].count);
}

/* Read every record into its point's pipeline. Returns 0, or -1 with a message. */
static int analyze_read(capture_t *cap, char *const *paths, analyze_run_t *run)
{
	capture_record_t rec;
	uint32_t checked_files = 0; /* bit i: file i's link type was checked */
	while (capture_next(cap, &rec) == 1) {
		if (rec.file < 32 && !(checked_files & (1u << rec.file))) {
			checked_files |= 1u << rec.file;
			if (!link_dlt_supported(rec.dlt)) {
				fprintf(stderr,
				        PROG ": %s: link type %s (DLT %d) is not supported; supported: EN10MB (with "
				        "VLAN/QinQ/PPPoE), LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP\n",
				        paths[rec.file], capture_dlt2str(rec.dlt), rec.dlt);
				return -1;
			}
		}
		int pass = run->ext ? analyze_ext_record(run->ext, cap, &rec) : 1;
		if (pass < 0)
			return -1;
		if (!pass)
			continue;
		analyze_run_time(run, rec.ts_ns);
		pipeline_t *p = analyze_point_get(run, rec.interface);
		if (!p) {
			fprintf(stderr, PROG ": %s: more than %d capture points (interfaces)\n", paths[rec.file],
			        MAX_POINTS);
			return -1;
		}
		pipeline_feed(p, &rec);
	}
	if (run->ext)
		analyze_ext_end(run->ext);
	for (uint32_t i = 0; i < run->npoints; i++)
		pipeline_flush(run->points[i]);
	return 0;
}

/* CPUs this process may run on (taskset, cpusets), else those online. */
static int analyze_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* The tracker has had every call point 0 made (relay.h): its thread ends. */
static int analyze_relay_finish(analyze_run_t *run)
{
	if (!run->relay)
		return 0;
	relay_finish(run->relay);
	const relay_stats_t *st = relay_stats(run->relay);
	if (getenv("DNSFRAG_RELAY_STATS")) /* for tests/golden/test-threads.sh: the second thread did run */
		fprintf(stderr,
		        PROG ": relay: %" PRIu64 " calls, %" PRIu64 " bytes, %" PRIu64 " wraps, %" PRIu64
		             " spilled, %" PRIu64 " elided, waits %" PRIu64 "/%" PRIu64
		             "; tracker thread: CPU %.1f ms, waiting %.1f ms\n",
		        st->calls, st->bytes, st->wraps, st->spilled, st->elided, st->producer_waits, st->consumer_waits,
		        st->consumer_cpu_ns / 1e6, st->consumer_wait_ns / 1e6);
	if (st->lost) {
		fprintf(stderr, PROG ": out of memory: %" PRIu64 " packet events did not reach the tracker\n", st->lost);
		return -1;
	}
	return 0;
}

/* --points: one capture per point, read in step by capture time (so the
 * matcher's window stays small), each into its own pipeline. caps[0] is the
 * caller's. Returns 0, or -1 with a message. */
static int analyze_read_points(capture_t *cap0, const char *const *files, uint32_t n, analyze_run_t *run)
{
	capture_t *caps[POINTS_MAX] = { cap0 };
	capture_record_t recs[POINTS_MAX];
	int have[POINTS_MAX] = { 0 }, rc = 0;
	char err[512];
	for (uint32_t i = 1; i < n && rc == 0; i++) {
		caps[i] = capture_open(&files[i], 1, err, sizeof err);
		if (!caps[i]) {
			fprintf(stderr, PROG ": %s\n", err);
			rc = -1;
		}
	}
	for (uint32_t i = 0; i < n && rc == 0; i++)
		if (!analyze_point_get(run, i))
			rc = -1;
	for (uint32_t i = 0; i < n && rc == 0; i++)
		have[i] = capture_next(caps[i], &recs[i]) == 1;
	while (rc == 0) {
		int best = -1;
		for (uint32_t i = 0; i < n; i++)
			if (have[i] && (best < 0 || recs[i].ts_ns < recs[best].ts_ns))
				best = (int)i;
		if (best < 0)
			break;
		capture_record_t *rec = &recs[best];
		if (!link_dlt_supported(rec->dlt)) {
			fprintf(stderr, PROG ": %s: link type %s (DLT %d) is not supported\n", files[best],
			        capture_dlt2str(rec->dlt), rec->dlt);
			rc = -1;
			break;
		}
		int pass = run->ext ? analyze_ext_record(run->ext, caps[best], rec) : 1;
		if (pass < 0)
			rc = -1;
		if (pass > 0) {
			analyze_run_time(run, rec->ts_ns);
			points_record(run->locate, (uint32_t)best, rec->ts_ns);
			pipeline_feed(run->points[best], rec);
		}
		/* the record's bytes are valid until the next read of its capture */
		have[best] = capture_next(caps[best], rec) == 1;
		if (!have[best]) {
			pipeline_flush(run->points[best]);
			points_point_end(run->locate, (uint32_t)best, capture_stats(caps[best]));
			if (best > 0 && capture_last_error(caps[best]))
				fprintf(stderr, PROG ": warning: %s\n", capture_last_error(caps[best]));
		}
	}
	if (run->ext)
		analyze_ext_end(run->ext);
	if (rc == 0)
		points_finish(run->locate);
	for (uint32_t i = 1; i < n; i++)
		if (caps[i])
			capture_close(caps[i]);
	return rc;
}

/* Copy the packet layer's totals into the report and judge it. */
static void analyze_report_finish(analyze_run_t *run, capture_t *cap)
{
	report_t *r = run->report;
	analyze_counts_sum(run, &r->counts, &r->decode);
	r->capture = *capture_stats(cap);
	r->points = run->npoints;
	analyze_limits_sum(run, &r->reasm, &r->tcp);
	r->txn = *txn_tracker_stats(run->tracker);
	report_finish(r);
}

/* A capture's run: its times are the first and last record's; its id is
 * derived from the site, those times and the input names, so analyzing the
 * same capture again gives the same run. */
static void analyze_run_meta(report_run_t *meta, const report_config_t *rc, const analyze_run_t *run)
{
	char start[40], end[40];
	const char *parts[3 + REPORT_MAX_INPUTS] = { rc->site ? rc->site : "",
		                                     report_run_ns2iso(run->first_ns, start, sizeof start),
		                                     report_run_ns2iso(run->last_ns, end, sizeof end) };
	size_t n = 3;
	for (uint32_t i = 0; i < rc->ninputs; i++)
		parts[n++] = rc->inputs[i];
	meta->times_from = "capture";
	meta->start_ns = run->first_ns;
	meta->end_ns = run->last_ns;
	report_run_id_derive(meta, parts, n);
}

int main(int argc, char **argv)
{
	analyze_opts_t opts = { 0 };
	report_config_default(&opts.report);
	txn_config_default(&opts.txn);
	opts.report.program = PROG;
	analyze_ext_default(&opts.ext);
	if (analyze_opts_parse(argc, argv, &opts) < 0 ||
	    analyze_ext_finish(&opts.ext, opts.json, opts.counts, opts.rollover, argv + optind, argc - optind,
	                       &opts.report) < 0)
		return EXIT_HEALTH_UNKNOWN;
	report_run_t runmeta; /* JSON "run": a live run is new, a capture is what it recorded */
	report_run_init(&runmeta);
	opts.report.run = &runmeta;
	/* As the probe says it: the anchors file, "default" (ANCHORS_DEFAULT_FILE,
	 * else the embedded ones), or null when nothing was validated. */
	runmeta.anchors = opts.rollover ? (opts.anchors_file ? opts.anchors_file : "default") : NULL;
	if (opts.ext.nifaces) {
		report_run_id_random(&runmeta);
		runmeta.start_ns = report_run_now_ns();
		return analyze_live(&opts.ext, &opts.report, &opts.txn);
	}
	for (int i = optind; i < argc && opts.report.ninputs < REPORT_MAX_INPUTS; i++)
		opts.report.inputs[opts.report.ninputs++] = argv[i];
	char err[512];
	const char *pfiles[POINTS_MAX], *plabels[POINTS_MAX];
	char *pbuf = NULL;
	int npoints = 0;
	if (opts.points_list) {
		size_t blen = POINTS_PARSE_BUF(strlen(opts.points_list));
		pbuf = malloc(blen);
		npoints = pbuf ? points_list_parse(opts.points_list, pbuf, blen, pfiles, plabels, err, sizeof err) : -1;
		if (npoints < 0) {
			fprintf(stderr, PROG ": --points: %s\n", pbuf ? err : "out of memory");
			free(pbuf);
			return EXIT_HEALTH_UNKNOWN;
		}
		for (int i = 0; i < npoints && opts.report.ninputs < REPORT_MAX_INPUTS; i++)
			opts.report.inputs[opts.report.ninputs++] = pfiles[i];
	}
	capture_t *cap = npoints ? capture_open(pfiles, 1, err, sizeof err)
	                         : capture_open((const char *const *)argv + optind, (size_t)(argc - optind), err, sizeof err);
	if (!cap) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	analyze_run_t run = { 0 };
	run.ext = &opts.ext;
	if (opts.rollover) {
		anchor_set_t *anchors = malloc(sizeof *anchors);
		if (!anchors) {
			fprintf(stderr, PROG ": out of memory\n");
			return EXIT_HEALTH_UNKNOWN;
		}
		if (opts.anchors_file && anchors_load_file(anchors, opts.anchors_file, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			free(anchors);
			capture_close(cap);
			return EXIT_HEALTH_UNKNOWN;
		}
		if (!opts.anchors_file)
			anchors_load_default(anchors);
		run.rollover = rollover_new(anchors);
		free(anchors);
		if (!run.rollover) {
			fprintf(stderr, PROG ": out of memory\n");
			return EXIT_HEALTH_UNKNOWN;
		}
		opts.report.json_extra = rollover_json_extra;
		opts.report.json_extra_ctx = run.rollover;
	}
	if (npoints) {
		run.locate = points_new(NULL, (uint32_t)npoints, plabels, pfiles);
		if (!run.locate) {
			fprintf(stderr, PROG ": out of memory\n");
			return EXIT_HEALTH_UNKNOWN;
		}
		if (opts.ext.html && points_trace_enable(run.locate, POINTS_MAX_TRACES) < 0) {
			fprintf(stderr, PROG ": out of memory\n");
			return EXIT_HEALTH_UNKNOWN;
		}
		points_json_chain(run.locate, opts.report.json_extra, opts.report.json_extra_ctx);
		opts.report.json_extra = points_json_extra;
		opts.report.json_extra_ctx = run.locate;
	}
	if (opts.ext.html && !(run.clock = frameclock_new())) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_HEALTH_UNKNOWN;
	}
	run.threads = opts.threads ? opts.threads : analyze_cpus() >= 2 ? 2 : 1;
	opts.report.threads = run.threads; /* the JSON report's paths are written by two (report_json.c) */
	run.report = report_new(&opts.report);
	run.tracker = run.report ? txn_tracker_new(&opts.txn, report_add_txn, run.report) : NULL;
	if (!run.tracker) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_HEALTH_UNKNOWN;
	}
	int rc = npoints ? analyze_read_points(cap, pfiles, (uint32_t)npoints, &run)
	                 : analyze_read(cap, argv + optind, &run);
	if (analyze_relay_finish(&run) < 0)
		rc = -1;
	int exit_code = EXIT_HEALTH_UNKNOWN;
	if (rc == 0) {
		txn_tracker_flush(run.tracker);
		if (capture_last_error(cap))
			fprintf(stderr, PROG ": warning: %s\n", capture_last_error(cap));
		analyze_report_finish(&run, cap);
		analyze_run_meta(&runmeta, &opts.report, &run);
		if (run.rollover) {
			rollover_finish(run.rollover);
			rollover_report_apply(run.rollover, run.report);
		}
		if (opts.counts) {
			analyze_counts_print(&run, capture_stats(cap));
			exit_code = EXIT_HEALTH_OK;
		} else {
			/* --format / --output / --perfdata (extopts.c); text as before */
			exit_code = analyze_ext_write(&opts.ext, run.report, run.rollover) < 0
			                    ? EXIT_HEALTH_UNKNOWN
			                    : health2exit(run.report->health);
			if (opts.ext.html) { /* --html: the same report, one self-contained page */
				report_html_extra_t hx = { run.locate, run.rollover, argc, argv, run.clock };
				if (report_html_write_file(run.report, &hx, opts.ext.html, err, sizeof err) < 0) {
					fprintf(stderr, PROG ": --html: %s\n", err);
					exit_code = EXIT_HEALTH_UNKNOWN;
				}
			}
			/* TODO(extopts): a text-section hook in analyze_ext_write, so --output gets it too */
			if (run.locate && opts.ext.format == FORMAT_TEXT && !opts.ext.output)
				points_text_write(run.locate, stdout);
		}
	}
	for (uint32_t i = 0; i < run.npoints; i++)
		pipeline_free(run.points[i]);
	relay_free(run.relay);
	txn_tracker_free(run.tracker);
	frameclock_free(run.clock);
	report_free(run.report);
	rollover_free(run.rollover);
	points_free(run.locate);
	free(pbuf);
	capture_close(cap);
	return exit_code;
}
