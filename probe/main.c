/* main.c - dnsfrag-probe: active EDNS size and fragment measurement.
 *
 * Sends DNS questions with a sweep of EDNS sizes to each target over ordinary
 * UDP/TCP sockets (engine.c), captures everything that comes back (live.c)
 * and feeds the capture into the analyzer's pipeline, transaction tracker and
 * report: the probe's verdict is the analyzer's verdict on the live capture.
 *
 * Order matters: settings (profile, then flags) -> targets -> the lab guard
 * (before any socket) -> capture (needs CAP_NET_RAW) -> session file ->
 * privileges dropped -> questions -> settle -> report.
 * Only main() exits; exit codes as the analyzer's (Nagios, common/exitcode.h).
 */
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "anchors.h"
#include "config.h"
#include "crafted.h"
#include "engine.h"
#include "exitcode.h"
#include "findings.h"
#include "frameclock.h"
#include "hooks.h"
#include "live.h"
#include "loss.h"
#include "pipeline.h"
#include "plan.h"
#include "privs.h"
#include "profile.h"
#include "report_run.h"
#include "readiness.h"
#include "report.h"
#include "report_html.h"
#include "report_probe.h"
#include "targets.h"
#include "trace.h"
#include "trace_html.h"
#include "txn.h"
#include "version.h"
#include "zone.h"

#define PROG "dnsfrag-probe"

typedef struct probe_opts {
	probe_cfg_t cfg;
	char profile[4096];       /* the profile file used, "" for none */
	const char *write_path;   /* -w */
	const char *user;         /* -Z */
	int servers_from_flags;
	int json;
	const char *html;         /* --html FILE */
	int rollover;             /* --rollover / --anchors: validate root DNSKEY answers */
	const char *anchors_file; /* --anchors */
	int unsafe_rate;          /* --unsafe-rate */
	report_config_t report;
	txn_config_t txn;
} probe_opts_t;

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: " PROG " [OPTIONS]\n"
	        "Ask DNS servers questions with a sweep of EDNS buffer sizes, capture what comes back\n"
	        "and report which answer sizes get through, which fragments die and whether TCP\n"
	        "fallback saves the answer (the same report as dnsfrag-analyze, from the live capture).\n\n"
	        "Targets (default: the root servers from " TARGETS_DEFAULT_HINTS "):\n"
	        "  -s, --server ADDR      a server or resolver by address (repeatable; v4 or v6)\n"
	        "      --hints FILE       root servers from a root.hints file\n"
	        "  -4, -6                 only IPv4 / only IPv6\n"
	        "Questions:\n"
	        "  -p, --profile NAME|FILE  settings from a profile (profiles/NAME.conf); flags override it\n"
	        "  -n, --name NAMES       query names (default '.')\n"
	        "  -t, --type TYPE        query type (default DNSKEY)\n"
	        "  -b, --sizes LIST       EDNS sizes: 512,1232,... or A-B/STEP; 0 = no EDNS\n"
	        "                         (default 512,1232,1400,1452,1472,1500,2048,4096)\n"
	        "      --do on|off|both   the DNSSEC OK bit (default on)\n"
	        "      --rd on|off        recursion desired (default off; on in mode oarc)\n"
	        "  -r, --repeats N|auto   ask every question N times (default 1); auto: ask a lost question\n"
	        "                         again until random loss cannot explain its losses (p < 1e-6)\n"
	        "                         or an attempt is answered, at most 12 attempts\n"
	        "      --assume-loss PCT  per-packet random loss assumed by that bound (default 5)\n"
	        "      --tcp on|off       TCP after truncation and after UDP failures (default on)\n"
	        "      --mode sweep|oarc|rollover|zone\n"
	        "                         oarc: the reply-size test, rs.ZONE TXT through a resolver;\n"
	        "                         rollover: can the path carry the root DNSKEY answer of every\n"
	        "                         rollover phase (N.size.ZONE for 864..1700), and with --rd on,\n"
	        "                         which root keys the resolver trusts (RFC 8509 sentinels)\n"
	        "                         zone: the DNSSEC state a validating resolver behind this path\n"
	        "                         reaches for --zone (secure, insecure, bogus, bogus risk)\n"
	        "      --zone ZONE        mode zone (the default mode with --zone): the zone to judge, walked\n"
	        "                         from the root servers (--server / --hints); mode oarc: the\n"
	        "                         reply-size test's zone; mode rollover: the sized names' zone\n"
	        "      --sentinel-zone Z  the signed zone the sentinel names are under (default '.')\n"
	        "Pacing and capture:\n"
	        "  -T, --timeout SEC      wait per UDP answer and per TCP step (default 2)\n"
	        "      --settle SEC       keep capturing after the last answer (default 0.5)\n"
	        "      --rate N           new questions per second per target (default 10; 0 unlimited)\n"
	        "      --inflight N       questions outstanding at once (default 32)\n"
	        "      --unsafe-rate      allow a rate above 20/s (or 0) or inflight above 32 (warns;\n"
	        "                         DNSFRAG_LAB=1 allows them for lab targets)\n"
	        "  -i, --interface IFACE  capture here (default: the interface of the route to the targets)\n"
	        "  -w, --write FILE       write the session capture to FILE (pcap) for dnsfrag-analyze\n"
	        "  -Z, --user USER        drop privileges to USER once the capture is open\n"
	        "Crafted queries (raw packets through libnet; any of these crafts every UDP size query):\n"
	        "      --df on|off        IPv4 DF set or clear\n"
	        "      --ttl N            IP TTL / IPv6 hop limit\n"
	        "      --ip-id N          IPv4 id (and IPv6 fragment id) of every crafted query\n"
	        "      --source ADDR      source address (one per family; must be local)\n"
	        "      --vrf DEV          send by this device (an interface or a VRF master); -i also binds\n"
	        "                         crafted queries to its interface\n"
	        "      --pad N            grow each query to N bytes with EDNS padding (RFC 7830)\n"
	        "      --fragment-query N the probe fragments its own queries, N UDP bytes a fragment\n"
	        "                         (a multiple of 8), each with an unfragmented control\n"
	        "Traces (where fragments die, by hop; the sweep is not run):\n"
	        "      --trace LIST       query, answer, pmtu or all: TTL-limited fragmented vs unfragmented\n"
	        "                         queries; answers from a dnsfrag-responder with a hop limit;\n"
	        "                         DF queries of decreasing size (a PMTU black hole and its MTU)\n"
	        "      --max-hops N       how far a trace goes (default 16)\n"
	        "      --trace-attempts N probes per hop while they draw nothing (default 3; ICMP is rate-limited)\n"
	        "      --trace-zone ZONE  the dnsfrag-responder's zone, for --trace answer\n"
	        "Findings:\n"
	        "      --identity on|off  NSID and hostname.bind queries per target (default on)\n"
	        "      --site NAME        a site label for the JSON report (key \"site\" and run.site)\n"
	        "      --expect-nsid S    the NSID each target should give (or ADDR=NSID ...)\n"
	        "Root key rollover:\n"
	        "      --rollover         validate every '. DNSKEY' answer against the trust anchors\n"
	        "      --anchors FILE     the same with these anchors (root-anchors.xml or DS/DNSKEY lines);\n"
	        "                         mode zone: the chain's trust anchors ('none': indeterminate)\n"
	        "Report:\n"
	        "      --json             the report as JSON (schema dnsfrag-report/1, dnsfrag-json(5))\n"
	        "      --html FILE        also write the report as one self-contained HTML page (atomically)\n"
	        "      --policy=POLICY    avoid-fragments (default) or fragments-required\n"
	        "  -h, --help             show this help\n"
	        "  -V, --version          show the version\n\n"
	        "Needs CAP_NET_RAW for the capture. DNSFRAG_LAB=1 refuses any target outside the\n"
	        "documentation prefixes and loopback.\n"
	        "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage error, no permission,\n"
	        "service unavailable). See dnsfrag-probe(8).\n");
}

enum {
	OPT_HINTS = 256, OPT_DO, OPT_RD, OPT_TCP, OPT_MODE, OPT_ZONE, OPT_SETTLE, OPT_RATE, OPT_INFLIGHT, OPT_JSON,
	OPT_POLICY, OPT_DF, OPT_TTL, OPT_IPID, OPT_SOURCE, OPT_VRF, OPT_PAD, OPT_FRAGQ, OPT_IDENTITY, OPT_NSID,
	OPT_ROLLOVER, OPT_ANCHORS, OPT_SENTINEL_ZONE, OPT_SITE, OPT_HTML, OPT_UNSAFE_RATE, OPT_ASSUME_LOSS,
	OPT_TRACE, OPT_MAX_HOPS, OPT_TRACE_ATTEMPTS, OPT_TRACE_ZONE,
};

static const struct option longopts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "hints", required_argument, NULL, OPT_HINTS },
	{ "profile", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'n' },
	{ "type", required_argument, NULL, 't' },
	{ "sizes", required_argument, NULL, 'b' },
	{ "do", required_argument, NULL, OPT_DO },
	{ "rd", required_argument, NULL, OPT_RD },
	{ "repeats", required_argument, NULL, 'r' },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "zone", required_argument, NULL, OPT_ZONE },
	{ "timeout", required_argument, NULL, 'T' },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "interface", required_argument, NULL, 'i' },
	{ "write", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'Z' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "df", required_argument, NULL, OPT_DF },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "ip-id", required_argument, NULL, OPT_IPID },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "vrf", required_argument, NULL, OPT_VRF },
	{ "pad", required_argument, NULL, OPT_PAD },
	{ "fragment-query", required_argument, NULL, OPT_FRAGQ },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "expect-nsid", required_argument, NULL, OPT_NSID },
	{ "rollover", no_argument, NULL, OPT_ROLLOVER },
	{ "anchors", required_argument, NULL, OPT_ANCHORS },
	{ "sentinel-zone", required_argument, NULL, OPT_SENTINEL_ZONE },
	{ "site", required_argument, NULL, OPT_SITE },
	{ "unsafe-rate", no_argument, NULL, OPT_UNSAFE_RATE },
	{ "assume-loss", required_argument, NULL, OPT_ASSUME_LOSS },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "max-hops", required_argument, NULL, OPT_MAX_HOPS },
	{ "trace-attempts", required_argument, NULL, OPT_TRACE_ATTEMPTS },
	{ "trace-zone", required_argument, NULL, OPT_TRACE_ZONE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char shortopts[] = "s:p:n:t:b:r:T:i:w:Z:46hV";

/* The config key a flag sets (flags and profile keys share one vocabulary). */
static const char *opt_key(int ch)
{
	switch (ch) {
	case OPT_HINTS: return "hints";
	case 'n': return "name";
	case 't': return "type";
	case 'b': return "sizes";
	case OPT_DO: return "do";
	case OPT_RD: return "rd";
	case 'r': return "repeats";
	case OPT_TCP: return "tcp";
	case OPT_MODE: return "mode";
	case OPT_ZONE: return "zone";
	case 'T': return "timeout";
	case OPT_SETTLE: return "settle";
	case OPT_RATE: return "rate";
	case OPT_INFLIGHT: return "inflight";
	case 'i': return "interface";
	case OPT_POLICY: return "policy";
	case OPT_DF: return "df";
	case OPT_TTL: return "ttl";
	case OPT_IPID: return "ip-id";
	case OPT_SOURCE: return "source";
	case OPT_VRF: return "vrf";
	case OPT_PAD: return "pad";
	case OPT_FRAGQ: return "fragment-query";
	case OPT_IDENTITY: return "identity";
	case OPT_NSID: return "expect-nsid";
	case OPT_SENTINEL_ZONE: return "sentinel-zone";
	case OPT_ASSUME_LOSS: return "assume-loss";
	case OPT_TRACE: return "trace";
	case OPT_MAX_HOPS: return "max-hops";
	case OPT_TRACE_ATTEMPTS: return "trace-attempts";
	case OPT_TRACE_ZONE: return "trace-zone";
	default: return NULL;
	}
}

/* First pass: only the profile (and --help / --version), so flags can override it. */
static int probe_profile_pass(int argc, char **argv, probe_opts_t *o)
{
	int ch;
	const char *name = NULL;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'p')
			name = optarg;
		else if (ch == 'h') {
			usage(stdout);
			exit(EXIT_HEALTH_OK);
		} else if (ch == 'V') {
			printf(PROG " " DNSFRAG_VERSION "\n");
			exit(EXIT_HEALTH_OK);
		}
	}
	opterr = 1;
	optind = 0; /* GNU getopt: start over */
	if (!name)
		return 0;
	char err[512];
	if (profile_find(name, o->profile, sizeof o->profile, err, sizeof err) < 0 ||
	    profile_load(o->profile, &o->cfg, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": profile: %s\n", err);
		return -1;
	}
	return 0;
}

/* Second pass: every flag, on top of the profile. */
static int probe_flags_pass(int argc, char **argv, probe_opts_t *o)
{
	char err[512], servers[PROBE_MAX_SERVERS * 48] = "";
	uint8_t fams = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const char *key = opt_key(ch);
		if (key) {
			if (probe_cfg_override(&o->cfg, key, optarg, err, sizeof err) < 0) {
				fprintf(stderr, PROG ": %s; try '" PROG " --help'\n", err);
				return -1;
			}
			continue;
		}
		switch (ch) {
		case 's': /* repeatable: the flags together replace the profile's servers */
			if (strlen(servers) + strlen(optarg) + 2 > sizeof servers) {
				fprintf(stderr, PROG ": too many --server flags\n");
				return -1;
			}
			strcat(strcat(servers, " "), optarg);
			break;
		case '4': fams |= PROBE_FAM_4; break;
		case '6': fams |= PROBE_FAM_6; break;
		case 'w': o->write_path = optarg; break;
		case 'Z': o->user = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_HTML: o->html = optarg; break;
		case OPT_ROLLOVER: o->rollover = 1; break;
		case OPT_UNSAFE_RATE: o->unsafe_rate = 1; break;
		case OPT_ANCHORS:
			o->rollover = 1;
			o->anchors_file = optarg;
			break;
		case OPT_SITE:
			if (!*optarg || strlen(optarg) > 200) {
				fprintf(stderr, PROG ": --site '%s': expected a name of 1 to 200 characters\n", optarg);
				return -1;
			}
			o->report.site = optarg;
			break;
		case 'p': break; /* done in the first pass */
		default:
			fprintf(stderr, PROG ": try '" PROG " --help'\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'; try '" PROG " --help'\n", argv[optind]);
		return -1;
	}
	if (servers[0] && probe_cfg_override(&o->cfg, "server", servers, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	o->servers_from_flags = servers[0] != '\0';
	if (fams)
		o->cfg.families = fams;
	if (probe_cfg_finish(&o->cfg, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	o->report.policy = o->cfg.fragments_required ? POLICY_FRAGMENTS_REQUIRED : POLICY_AVOID_FRAGMENTS;
	return 0;
}

/* ---- the run */

/* The run metadata: profile and its SHA-256, sources, interface, where the
 * targets and anchors came from, and the identity hook. */
static void probe_run_meta(report_run_t *m, const probe_opts_t *o, const probe_targets_t *targets, const char *iface,
                           const probe_info_t *info, char *err, size_t errlen)
{
	const probe_cfg_t *cfg = &o->cfg;
	if (o->profile[0]) {
		m->profile = o->profile;
		if (report_run_file_sha256(m, o->profile, err, errlen) < 0)
			fprintf(stderr, PROG ": warning: profile hash: %s\n", err);
	}
	for (int i = 0; i < 2; i++)
		m->source[i] = cfg->sources[i][0] ? cfg->sources[i] : NULL;
	m->interface = iface;
	m->vrf = cfg->vrf[0] ? cfg->vrf : NULL;
	m->hints = targets->source;
	m->anchors = o->rollover ? (o->anchors_file ? o->anchors_file : "default") : NULL;
	m->instances = report_probe_instances_json;
	m->instances_ctx = info;
}

typedef struct probe_run {
	live_t *live;
	pipeline_t *pipe;
	txn_tracker_t *tracker;
	report_t *report;
	int progress;             /* stderr is a terminal */
	readiness_log_t *txlog;   /* mode rollover: what the capture said of each UDP question */
	const probe_cfg_t *cfg;
	const probe_targets_t *targets;
} probe_run_t;

/* The tracker's sink: the report, and in mode rollover the readiness log. */
static void probe_txn_sink(void *ctx, const txn_t *t)
{
	probe_run_t *run = ctx;
	if (run->txlog)
		readiness_log_add(run->txlog, t);
	report_add_txn(run->report, t);
}

/* The MTU of the capture interface; 1,500 when unknown ("any"). */
static uint32_t iface_mtu(const char *iface)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t mtu = 1500;
	if (fd < 0)
		return mtu;
	memset(&ifr, 0, sizeof ifr);
	if (strlen(iface) >= sizeof ifr.ifr_name) {
		close(fd);
		return mtu;
	}
	memcpy(ifr.ifr_name, iface, strlen(iface));
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 576)
		mtu = (uint32_t)ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/* --repeats auto: the engine's more hook. */
static uint32_t probe_more(void *ctx, probe_plan_t *plan)
{
	probe_run_t *run = ctx;
	return loss_extend(plan, run->targets, run->cfg->assume_loss);
}

static int probe_on_capture(void *ctx)
{
	probe_run_t *run = ctx;
	if (live_dispatch(run->live, run->pipe) < 0) {
		fprintf(stderr, PROG ": capture: %s\n", live_error(run->live));
		return -1;
	}
	return 0;
}

static void probe_on_progress(void *ctx, uint32_t done, uint32_t total)
{
	probe_run_t *run = ctx;
	if (run->progress)
		fprintf(stderr, "\r" PROG ": %u/%u questions answered or given up%s", done, total, done == total ? "\n" : "");
}

/* Copy the packet layer's totals into the report, as the analyzer does, plus libpcap's. */
static void probe_report_finish(probe_run_t *run)
{
	report_t *r = run->report;
	live_stats_t ls;
	live_stats_get(run->live, &ls);
	r->counts = *pipeline_counts(run->pipe);
	r->decode = *pipeline_decode_counts(run->pipe);
	r->reasm = *pipeline_reasm_stats(run->pipe);
	r->tcp = *pipeline_tcp_stats(run->pipe);
	r->txn = *txn_tracker_stats(run->tracker);
	r->points = 1;
	r->capture.records = ls.records;
	r->capture.bytes = ls.bytes;
	r->pcap_received = ls.received;
	r->pcap_dropped = ls.dropped;
	r->pcap_ifdropped = ls.ifdropped;
	report_finish(r);
}

/* Open the capture; a permission problem gets its own message. */
static live_t *probe_capture_open(const char *iface, const char *filter)
{
	char err[1024];
	live_status_t st;
	live_t *l = live_open(iface, filter, &st, err, sizeof err);
	if (l)
		return l;
	if (st == LIVE_PERM_DENIED)
		fprintf(stderr,
		        PROG ": cannot capture on %s: permission denied (%s).\n" PROG
		        ": the probe needs CAP_NET_RAW: run it as root (with -Z USER to drop privileges once the capture is "
		        "open), or give the binary the capability: setcap cap_net_raw+ep dnsfrag-probe\n",
		        iface, err);
	else
		fprintf(stderr, PROG ": cannot capture: %s\n", err);
	return NULL;
}

/* --trace: the traces instead of the sweep (probe/trace.h). */
static int probe_trace_main(const probe_opts_t *o, const probe_targets_t *targets, int argc, char **argv)
{
	static trace_result_t res;
	char err[1024], iface[64];
	const probe_cfg_t *cfg = &o->cfg;
	if (cfg->iface[0])
		snprintf(iface, sizeof iface, "%s", cfg->iface);
	else if (live_iface_for(targets, iface, sizeof iface, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	if (trace_run(cfg, targets, iface, &res, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": --trace: %s\n", err);
		if (strstr(err, "ermission"))
			fprintf(stderr, PROG ": traces craft packets and capture ICMP: they need CAP_NET_RAW\n");
		return EXIT_HEALTH_UNKNOWN;
	}
	if (o->json)
		trace_json_write(&res, stdout);
	else
		trace_text_write(&res, stdout);
	if (o->html) { /* --html: the same result, one self-contained page */
		trace_html_extra_t hx = { cfg->trace, cfg->max_hops, cfg->trace_attempts, cfg->timeout_ms, cfg->rate,
		                          cfg->trace_zone, argc, argv };
		if (trace_html_write_file(&res, &hx, o->html, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": --html: %s\n", err);
			return EXIT_HEALTH_UNKNOWN;
		}
	}
	return health2exit((health_t)res.health);
}

int main(int argc, char **argv)
{
	static probe_opts_t opts;  /* large: the config holds its names and sizes */
	static probe_targets_t targets;
	rollover_t *ro = NULL;
	frameclock_t *clock = NULL;
	char err[1024], iface[64], filter[8192];
	probe_cfg_default(&opts.cfg);
	report_config_default(&opts.report);
	txn_config_default(&opts.txn);
	opts.report.program = PROG;
	static report_run_t runmeta; /* JSON "run" (report_run.h) */
	report_run_init(&runmeta);
	report_run_id_random(&runmeta);
	runmeta.start_ns = report_run_now_ns();
	if (probe_profile_pass(argc, argv, &opts) < 0 || probe_flags_pass(argc, argv, &opts) < 0)
		return EXIT_HEALTH_UNKNOWN;
	const probe_cfg_t *cfg = &opts.cfg;
	char from[4200];
	snprintf(from, sizeof from, "%s%s", opts.servers_from_flags ? "--server" : "profile ",
	         opts.servers_from_flags ? "" : opts.profile);
	if (targets_from_cfg(cfg, from, &targets, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	/* The lab guard comes before anything that opens a socket. */
	if (targets_lab_check(&targets, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	/* Pacing above the polite limits: only with --unsafe-rate (warned), or in the lab. */
	{
		char warn[512];
		int pc = probe_cfg_pacing_check(cfg, opts.unsafe_rate, targets_lab_mode(), warn, sizeof warn, err,
		                                sizeof err);
		if (pc < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_HEALTH_UNKNOWN;
		}
		if (pc > 0)
			fprintf(stderr, PROG ": %s\n", warn);
	}
	if (cfg->trace) {
		if (opts.user) { /* the trace opens raw sockets per family as it goes: it cannot drop them early */
			fprintf(stderr, PROG ": -Z cannot be used with --trace: give the binary CAP_NET_RAW instead "
			                     "(setcap cap_net_raw+ep dnsfrag-probe)\n");
			return EXIT_HEALTH_UNKNOWN;
		}
		if (opts.write_path || opts.rollover)
			fprintf(stderr, PROG ": note: --trace runs instead of the sweep: -w and --rollover are not used\n");
		return probe_trace_main(&opts, &targets, argc, argv);
	}
	static anchor_set_t anchors;
	/* Mode zone: the anchors start the chain (not the rollover check), and
	 * the walk finds the servers the plan asks. */
	static zone_run_t zrun;
	static anchor_set_t zanchors;
	const int zone_mode = cfg->mode == PROBE_MODE_ZONE;
	if (zone_mode) {
		if (opts.anchors_file && strcmp(opts.anchors_file, "none") == 0) {
			zanchors.n = 0;
			snprintf(zanchors.source, sizeof zanchors.source, "none");
		} else if (opts.anchors_file) {
			if (anchors_load_file(&zanchors, opts.anchors_file, err, sizeof err) < 0) {
				fprintf(stderr, PROG ": %s\n", err);
				return EXIT_HEALTH_UNKNOWN;
			}
		} else
			anchors_load_default(&zanchors);
		zrun.anchors_source = zanchors.source;
		opts.rollover = 0;
		if (zone_walk(cfg, &targets, &zrun, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": zone %s: %s\n", cfg->zone, err);
			return EXIT_HEALTH_UNKNOWN;
		}
	}
	if (cfg->mode == PROBE_MODE_ROLLOVER)
		opts.rollover = 1;
	if (opts.rollover) { /* before the plan: the sentinel questions ask about the anchors' key tags */
		if (opts.anchors_file && anchors_load_file(&anchors, opts.anchors_file, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_HEALTH_UNKNOWN;
		}
		if (!opts.anchors_file)
			anchors_load_default(&anchors);
		uint16_t tags[ANCHORS_MAX];
		for (uint32_t i = 0; i < anchors.n; i++)
			tags[i] = anchors.a[i].key_tag;
		if (probe_cfg_sentinels(&opts.cfg, tags, anchors.n, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_HEALTH_UNKNOWN;
		}
	}
	probe_plan_t plan;
	privs_user_t user;
	if ((zone_mode ? zone_plan(&zrun, cfg, &targets, &plan, err, sizeof err)
	               : plan_build(cfg, &targets, &plan, err, sizeof err)) < 0 ||
	    (opts.user && privs_user_lookup(opts.user, &user, err, sizeof err) < 0) ||
	    (!cfg->iface[0] && live_iface_for(&targets, iface, sizeof iface, err, sizeof err) < 0) ||
	    live_filter_build(&targets, filter, sizeof filter) < 0) {
		fprintf(stderr, PROG ": %s\n", err[0] ? err : "the capture filter is too long (fewer targets)");
		return EXIT_HEALTH_UNKNOWN;
	}
	if (cfg->iface[0])
		snprintf(iface, sizeof iface, "%s", cfg->iface);

	/* Crafting: raw sockets and the start-up self-check, before the capture
	 * opens (its packets stay out of the session) and before privileges drop. */
	static crafted_check_t checks[2];
	crafted_t *crafted = NULL;
	if (probe_cfg_crafted(cfg)) {
		crafted_status_t cst;
		crafted = crafted_open(cfg, &targets, iface, checks, &cst, err, sizeof err);
		if (!crafted) {
			if (cst == CRAFTED_PERM)
				fprintf(stderr,
				        PROG ": %s\n" PROG ": crafted queries need CAP_NET_RAW: run as root (with -Z USER) or "
				        "setcap cap_net_raw+ep dnsfrag-probe\n", err);
			else
				fprintf(stderr, PROG ": %s\n", err);
			plan_free(&plan);
			return EXIT_HEALTH_UNKNOWN;
		}
		for (int i = 0; i < 2; i++)
			if (checks[i].family && checks[i].status != CRAFT_OK)
				fprintf(stderr, PROG ": note: crafted IPv%u packets may not leave as crafted: %s\n", checks[i].family,
				        checks[i].text);
	}

	probe_run_t run = { 0 };
	run.live = probe_capture_open(iface, filter);
	if (!run.live) {
		crafted_close(crafted);
		plan_free(&plan);
		return EXIT_HEALTH_UNKNOWN;
	}
	int rc = EXIT_HEALTH_UNKNOWN;
	if (opts.write_path && live_dump_open(run.live, opts.write_path, opts.user ? user.uid : (uid_t)-1,
	                                      opts.user ? user.gid : (gid_t)-1, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": -w: %s\n", err);
		goto out;
	}
	if (opts.user) {
		if (privs_drop(&user, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": -Z %s: %s\n", opts.user, err);
			goto out;
		}
		fprintf(stderr, PROG ": capture open on %s; dropped privileges to %s (uid %u, gid %u)\n", iface, user.name,
		        (unsigned)user.uid, (unsigned)user.gid);
	}

	probe_info_t info = {
		.cfg = cfg, .targets = &targets, .plan = &plan, .profile = opts.profile[0] ? opts.profile : NULL,
		.iface = iface, .filter = filter, .session_file = opts.write_path,
		.dropped_to = opts.user ? user.name : NULL, .checks = crafted ? checks : NULL,
	};
	static probe_findings_t findings;
	static readiness_log_t txlog;
	static loss_table_t losstab;
	engine_stats_t estats;
	info.engine = &estats;
	char input[96];
	snprintf(input, sizeof input, "live:%s", iface);
	opts.report.inputs[opts.report.ninputs++] = input;
	opts.report.json_extra = report_probe_json;
	opts.report.json_extra_ctx = &info;
	probe_run_meta(&runmeta, &opts, &targets, iface, &info, err, sizeof err);
	opts.report.run = &runmeta;
	run.report = report_new(&opts.report);
	run.txlog = cfg->mode == PROBE_MODE_ROLLOVER || zone_mode ? &txlog : NULL;
	run.tracker = run.report ? txn_tracker_new(&opts.txn, probe_txn_sink, &run) : NULL;
	pipeline_config_t pcfg;
	pipeline_config_default(&pcfg);
	pipeline_hooks_t hooks = run.tracker ? txn_tracker_hooks(run.tracker) : (pipeline_hooks_t){ 0 };
	static hooks_fanout_t fan;
	if (opts.rollover) { /* root DNSKEY answers also go to the rollover check */
		ro = rollover_new(&anchors);
		if (!ro) {
			fprintf(stderr, PROG ": out of memory\n");
			goto out;
		}
		info.rollover = ro;
		pipeline_hooks_t rh = rollover_hooks(ro);
		hooks_fanout_init(&fan);
		hooks_fanout_add(&fan, &hooks);
		hooks_fanout_add(&fan, &rh);
		hooks = hooks_fanout_hooks(&fan);
	}
	if (opts.html) { /* the capture times of frames: the HTML ladders' time axis */
		if (!(clock = frameclock_new())) {
			fprintf(stderr, PROG ": out of memory\n");
			goto out;
		}
		pipeline_hooks_t fc = frameclock_hooks(clock);
		if (!opts.rollover) {
			hooks_fanout_init(&fan);
			hooks_fanout_add(&fan, &hooks);
		}
		hooks_fanout_add(&fan, &fc);
		hooks = hooks_fanout_hooks(&fan);
	}
	run.pipe = run.tracker ? pipeline_new(&pcfg, &hooks) : NULL;
	if (!run.pipe) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	run.progress = !opts.json && isatty(STDERR_FILENO);
	engine_config_t ecfg = { cfg->timeout_ms, cfg->settle_ms, cfg->rate, cfg->inflight, cfg->tcp,
		                 cfg->vrf[0] ? cfg->vrf : NULL };
	engine_hooks_t eh = { &run, live_fd(run.live), probe_on_capture, probe_on_progress,
		              crafted ? crafted_udp_open : NULL, crafted, cfg->repeats_auto ? probe_more : NULL };
	run.cfg = cfg;
	run.targets = &targets;
	if (engine_run(&ecfg, &targets, &plan, &eh, &estats, err, sizeof err) < 0 || probe_on_capture(&run) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	pipeline_flush(run.pipe);
	txn_tracker_flush(run.tracker);
	probe_report_finish(&run);
	report_probe_oarc_apply(&info, run.report);
	if (findings_build(cfg, &targets, &plan, run.report, &findings) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	info.findings = &findings;
	if (loss_build(&plan, &targets, cfg->assume_loss, &losstab) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	info.loss = &losstab;
	findings_apply(&findings, run.report);
	if (ro) {
		rollover_finish(ro);
		if (cfg->mode == PROBE_MODE_ROLLOVER) {
			readiness_build(ro, cfg, &targets, &plan, &txlog, iface_mtu(iface));
			readiness_trust_build(ro, &targets, &plan);
			rollover_probe_finish(ro);
		}
		rollover_report_apply(ro, run.report);
	}
	if (zone_mode) {
		zone_judge(&zrun, &targets, &plan, &txlog, iface_mtu(iface), &zanchors, (int64_t)time(NULL));
		zone_report_apply(&zrun, run.report);
		info.zone = &zrun;
	}
	if (opts.write_path && live_dump_commit(run.live, err, sizeof err) < 0) {
		fprintf(stderr, PROG ": -w: %s\n", err);
		goto out;
	}
	if (opts.json) {
		report_json_write(run.report, stdout);
	} else {
		report_text_write(run.report, stdout);
		report_probe_text(&info, stdout);
		if (ro)
			rollover_text_write(ro, stdout);
		if (info.zone)
			zone_text_write(&zrun, stdout);
	}
	rc = health2exit(run.report->health);
	if (opts.html) { /* --html: the same report, one self-contained page */
		report_html_extra_t hx = { NULL, ro, argc, argv, clock };
		if (report_html_write_file(run.report, &hx, opts.html, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": --html: %s\n", err);
			rc = EXIT_HEALTH_UNKNOWN;
		}
	}
out:
	frameclock_free(clock);
	rollover_free(ro);
	pipeline_free(run.pipe);
	txn_tracker_free(run.tracker);
	report_free(run.report);
	live_close(run.live);
	crafted_close(crafted);
	findings_free(&findings);
	readiness_log_free(&txlog);
	loss_free(&losstab);
	plan_free(&plan);
	return rc;
}
