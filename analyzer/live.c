/* live.c - passive live monitoring (see live.h). */
#include "live.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exitcode.h"
#include "hooks.h"
#include "json.h"
#include "link.h"
#include "pipeline.h"
#include "ring.h"

#define PROG "dnsfrag-analyze"
#define LIVE_SNAPLEN 262144
#define LIVE_BUFFER (8 * 1024 * 1024)

typedef struct live_point {
	const char *iface;
	pcap_t *pcap;
	int dlt, fd;
	uint64_t frame, bytes;
	pipeline_t *pipe;
	txn_tracker_t *tracker;
	report_t *report;
	ring_t *ring;
	hooks_fanout_t fan;
	uint64_t last_total;      /* transactions at the previous summary line */
	struct pcap_stat ps;      /* at the end */
} live_point_t;

typedef struct live_run {
	const analyze_ext_t *x;
	live_point_t p[ANALYZE_EXT_MAX_IFACES];
	uint32_t n;
	const char *filter;
	double started;
} live_run_t;

static volatile sig_atomic_t live_stop_signal;

static void live_on_signal(int sig)
{
	live_stop_signal = sig;
}

static double live_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void live_sink(void *ctx, const txn_t *t)
{
	live_point_t *p = ctx;
	report_add_txn(p->report, t);
	if (p->ring)
		ring_txn(p->ring, t);
}

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	live_point_t *p = (live_point_t *)user;
	capture_record_t rec = {
		.data = data,
		.caplen = h->caplen,
		.wirelen = h->len,
		/* nanosecond precision was asked for: tv_usec holds nanoseconds */
		.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec,
		.dlt = p->dlt,
		.frame = ++p->frame,
	};
	rec.file_frame = rec.frame;
	p->bytes += h->caplen;
	if (p->ring)
		ring_frame(p->ring, rec.frame, rec.ts_ns, data, h->caplen, h->len);
	pipeline_feed(p->pipe, &rec);
}

/* Open one interface. Returns 0, or the exit status with a message written. */
static int live_point_open(live_run_t *run, live_point_t *p, uint32_t idx, const report_config_t *rc,
                           const txn_config_t *tc)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	p->pcap = pcap_create(p->iface, ebuf);
	if (!p->pcap) {
		fprintf(stderr, PROG ": %s: %s\n", p->iface, ebuf);
		return EXIT_HEALTH_UNKNOWN;
	}
	pcap_set_snaplen(p->pcap, LIVE_SNAPLEN);
	pcap_set_promisc(p->pcap, 0);
	/* without immediate mode libpcap delivers packets on veth seconds late */
	pcap_set_immediate_mode(p->pcap, 1);
	pcap_set_buffer_size(p->pcap, LIVE_BUFFER);
	pcap_set_tstamp_precision(p->pcap, PCAP_TSTAMP_PRECISION_NANO);
	int rc_act = pcap_activate(p->pcap);
	if (rc_act == PCAP_ERROR_PERM_DENIED || (rc_act < 0 && strstr(pcap_geterr(p->pcap), "ermission"))) {
		fprintf(stderr,
		        PROG ": cannot capture on %s: permission denied (%s)\n" PROG
		        ": live monitoring needs CAP_NET_RAW: run it as root, or give the program the capability: "
		        "setcap cap_net_raw,cap_net_admin+ep dnsfrag-analyze\n",
		        p->iface, pcap_geterr(p->pcap));
		return EXIT_HEALTH_UNKNOWN;
	}
	if (rc_act < 0) {
		fprintf(stderr, PROG ": cannot capture on %s: %s\n", p->iface,
		        rc_act == PCAP_ERROR ? pcap_geterr(p->pcap) : pcap_statustostr(rc_act));
		return EXIT_HEALTH_UNKNOWN;
	}
	p->dlt = pcap_datalink(p->pcap);
	if (!link_dlt_supported(p->dlt)) {
		fprintf(stderr, PROG ": %s: link type %s (DLT %d) is not supported\n", p->iface, capture_dlt2str(p->dlt),
		        p->dlt);
		return EXIT_HEALTH_UNKNOWN;
	}
	struct bpf_program prog;
	if (pcap_compile(p->pcap, &prog, run->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, PROG ": filter '%s' on %s: %s\n", run->filter, p->iface, pcap_geterr(p->pcap));
		return EXIT_HEALTH_UNKNOWN;
	}
	int bad = pcap_setfilter(p->pcap, &prog) < 0;
	pcap_freecode(&prog);
	if (bad || pcap_setnonblock(p->pcap, 1, ebuf) < 0 || (p->fd = pcap_get_selectable_fd(p->pcap)) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", p->iface, bad ? pcap_geterr(p->pcap) : ebuf[0] ? ebuf : "no selectable descriptor");
		return EXIT_HEALTH_UNKNOWN;
	}
	report_config_t cfg = *rc;
	cfg.inputs[0] = p->iface;
	cfg.ninputs = 1;
	p->report = report_new(&cfg);
	p->tracker = p->report ? txn_tracker_new(tc, live_sink, p) : NULL;
	if (run->x->ring_pcap)
		p->ring = ring_new(p->dlt, run->x->ring_n);
	if (!p->tracker || (run->x->ring_pcap && !p->ring)) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_HEALTH_UNKNOWN;
	}
	pipeline_hooks_t th = txn_tracker_hooks(p->tracker), hooks = th;
	if (p->ring) {
		pipeline_hooks_t rh = ring_hooks(p->ring);
		hooks_fanout_init(&p->fan);
		hooks_fanout_add(&p->fan, &rh); /* first: it names the frame before the tracker judges */
		hooks_fanout_add(&p->fan, &th);
		hooks = hooks_fanout_hooks(&p->fan);
	}
	pipeline_config_t pc;
	pipeline_config_default(&pc);
	pc.point = idx;
	p->pipe = pipeline_new(&pc, &hooks);
	if (!p->pipe) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_HEALTH_UNKNOWN;
	}
	return 0;
}

/* Sum of a report's paths of one family (report_finish does it only once, at the end). */
static void live_family_sum(const report_t *r, int family, report_counts_t *c)
{
	memset(c, 0, sizeof *c);
	for (uint32_t i = 0; i < r->npaths; i++) {
		const report_path_t *p = &r->paths[i];
		if (p->server.family != family)
			continue;
		c->total += p->c.total;
		c->delivered += p->c.delivered;
		c->critical += p->c.critical;
		for (int v = 0; v < TXN_VERDICT_COUNT; v++)
			c->verdict[v] += p->c.verdict[v];
	}
}

/* One line for every point: the rolling counts of the transactions judged so far. */
static void live_summary(live_run_t *run)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, PROG ": %s %.0fs", when, live_now() - run->started);
	for (uint32_t i = 0; i < run->n; i++) {
		live_point_t *p = &run->p[i];
		report_counts_t f4, f6;
		live_family_sum(p->report, 4, &f4);
		live_family_sum(p->report, 6, &f6);
		uint64_t total = f4.total + f6.total;
		struct pcap_stat ps = { 0 };
		pcap_stats(p->pcap, &ps);
		const txn_stats_t *ts = txn_tracker_stats(p->tracker);
		fprintf(stderr,
		        "%s %s: %" PRIu64 " txn (+%" PRIu64 ", %" PRIu64 " open); v4 %" PRIu64 " whole %" PRIu64
		        " frag %" PRIu64 " lost %" PRIu64 " failed %" PRIu64 "; v6 %" PRIu64 " whole %" PRIu64 " frag %" PRIu64
		        " lost %" PRIu64 " failed %" PRIu64 "; %u servers; %u dropped",
		        i ? ";" : "", p->iface, total, total - p->last_total,
		        ts->queries > ts->finalized ? ts->queries - ts->finalized : 0, f4.total, f4.verdict[TXN_WHOLE],
		        f4.verdict[TXN_FRAGMENTED], f4.verdict[TXN_FRAGMENTS_LOST] + f4.verdict[TXN_DISCARDED], f4.critical,
		        f6.total, f6.verdict[TXN_WHOLE], f6.verdict[TXN_FRAGMENTED],
		        f6.verdict[TXN_FRAGMENTS_LOST] + f6.verdict[TXN_DISCARDED], f6.critical, p->report->npaths,
		        ps.ps_drop);
		p->last_total = total;
	}
	fputc('\n', stderr);
}

/* The optional JSON key "monitor": every point's counts (dnsfrag-json(5)). */
static void live_json_extra(const void *ctx, json_writer_t *w)
{
	const live_run_t *run = ctx;
	json_key(w, "monitor");
	json_object_begin(w);
	json_kv_string(w, "filter", run->filter);
	json_kv_uint(w, "interval", run->x->interval_s);
	json_kv_uint(w, "duration", run->x->duration_s);
	json_kv_uint(w, "elapsed_ms", (uint64_t)((live_now() - run->started) * 1000));
	json_key(w, "ring_pcap");
	if (run->x->ring_pcap)
		json_string(w, run->x->ring_pcap);
	else
		json_null(w);
	json_key(w, "points");
	json_array_begin(w);
	for (uint32_t i = 0; i < run->n; i++) {
		const live_point_t *p = &run->p[i];
		json_object_begin(w);
		json_kv_uint(w, "point", i);
		json_kv_string(w, "interface", p->iface);
		json_kv_string(w, "link_type", capture_dlt2str(p->dlt));
		json_kv_uint(w, "packets", p->frame);
		json_kv_uint(w, "pcap_received", p->ps.ps_recv);
		json_kv_uint(w, "pcap_dropped", p->ps.ps_drop);
		json_kv_uint(w, "pcap_ifdropped", p->ps.ps_ifdrop);
		json_kv_uint(w, "servers", p->report->npaths);
		json_key(w, "families");
		json_array_begin(w);
		for (int fam = 4; fam <= 6; fam += 2) {
			report_counts_t c;
			live_family_sum(p->report, fam, &c);
			json_object_begin(w);
			json_kv_uint(w, "family", (uint64_t)fam);
			json_kv_uint(w, "transactions", c.total);
			json_kv_uint(w, "delivered", c.delivered);
			json_kv_uint(w, "failed_both", c.critical);
			json_key(w, "verdicts");
			json_object_begin(w);
			for (int v = 0; v < TXN_VERDICT_COUNT; v++)
				json_kv_uint(w, txn_verdict2str(v), c.verdict[v]);
			json_object_end(w);
			json_object_end(w);
		}
		json_array_end(w);
		json_kv_uint(w, "ring_transactions", p->ring ? ring_kept(p->ring) : 0);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void live_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = live_on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int live_loop(live_run_t *run)
{
	struct pollfd fds[ANALYZE_EXT_MAX_IFACES];
	double next_summary = run->started + run->x->interval_s;
	double deadline = run->x->duration_s ? run->started + run->x->duration_s : 0;
	for (uint32_t i = 0; i < run->n; i++)
		fds[i] = (struct pollfd){ .fd = run->p[i].fd, .events = POLLIN };
	while (!live_stop_signal) {
		double now = live_now();
		if (deadline && now >= deadline)
			break;
		if (now >= next_summary) {
			if (!run->x->quiet)
				live_summary(run);
			while (next_summary <= now)
				next_summary += run->x->interval_s;
		}
		double until = next_summary;
		if (deadline && deadline < until)
			until = deadline;
		int ms = (int)((until - now) * 1000) + 1;
		if (ms > 1000)
			ms = 1000;
		int rc = poll(fds, run->n, ms);
		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return -1;
		}
		for (uint32_t i = 0; rc > 0 && i < run->n; i++) {
			if (!(fds[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			live_point_t *p = &run->p[i];
			int n;
			do
				n = pcap_dispatch(p->pcap, -1, live_packet, (u_char *)p);
			while (n > 0 && !live_stop_signal);
			if (n < 0) {
				fprintf(stderr, PROG ": %s: %s\n", p->iface, pcap_geterr(p->pcap));
				return -1;
			}
		}
	}
	return 0;
}

/* The first point's report, with the packet layer and libpcap's counts of every point. */
static void live_report_finish(live_run_t *run)
{
	report_t *r = run->p[0].report;
	memset(&r->counts, 0, sizeof r->counts);
	memset(&r->decode, 0, sizeof r->decode);
	for (uint32_t i = 0; i < run->n; i++) {
		live_point_t *p = &run->p[i];
		const uint64_t *a = (const uint64_t *)pipeline_counts(p->pipe);
		uint64_t *s = (uint64_t *)&r->counts;
		for (size_t k = 0; k < sizeof r->counts / sizeof(uint64_t); k++)
			s[k] += a[k];
		decode_counts_merge(&r->decode, pipeline_decode_counts(p->pipe));
		r->capture.records += p->frame;
		r->capture.bytes += p->bytes;
		r->pcap_received += p->ps.ps_recv;
		r->pcap_dropped += p->ps.ps_drop;
		r->pcap_ifdropped += p->ps.ps_ifdrop;
	}
	r->points = run->n;
	r->reasm = *pipeline_reasm_stats(run->p[0].pipe);
	r->tcp = *pipeline_tcp_stats(run->p[0].pipe);
	r->txn = *txn_tracker_stats(run->p[0].tracker);
	report_finish(r);
	for (uint32_t i = 1; i < run->n; i++)
		report_finish(run->p[i].report);
}

static void live_close(live_run_t *run)
{
	for (uint32_t i = 0; i < run->n; i++) {
		live_point_t *p = &run->p[i];
		if (p->pipe)
			pipeline_free(p->pipe);
		txn_tracker_free(p->tracker);
		report_free(p->report);
		ring_free(p->ring);
		if (p->pcap)
			pcap_close(p->pcap);
	}
}

int analyze_live(const analyze_ext_t *x, const report_config_t *rc, const txn_config_t *tc)
{
	static live_run_t run; /* large; one per process */
	memset(&run, 0, sizeof run);
	run.x = x;
	run.filter = x->filter ? x->filter : LIVE_DEFAULT_FILTER;
	report_config_t cfg = *rc;
	cfg.json_extra = live_json_extra;
	cfg.json_extra_ctx = &run;
	int status = 0;
	for (uint32_t i = 0; i < x->nifaces && !status; i++) {
		run.p[i].iface = x->ifaces[i];
		run.n = i + 1;
		status = live_point_open(&run, &run.p[i], i, &cfg, tc);
	}
	if (status) {
		live_close(&run);
		return status;
	}
	live_signals();
	run.started = live_now();
	if (!x->quiet) {
		fprintf(stderr, PROG ": monitoring");
		for (uint32_t i = 0; i < run.n; i++)
			fprintf(stderr, "%s %s (point %u, %s)", i ? "," : "", run.p[i].iface, i, capture_dlt2str(run.p[i].dlt));
		fprintf(stderr, ", filter '%s'; passive, sends nothing; report at SIGINT/SIGTERM", run.filter);
		if (x->duration_s)
			fprintf(stderr, " or after %u s", x->duration_s);
		fputc('\n', stderr);
	}
	if (live_loop(&run) < 0) {
		live_close(&run);
		return EXIT_HEALTH_UNKNOWN;
	}
	/* What libpcap still holds, then the end of input for every point. */
	for (uint32_t i = 0; i < run.n; i++) {
		live_point_t *p = &run.p[i];
		while (pcap_dispatch(p->pcap, -1, live_packet, (u_char *)p) > 0)
			;
		pcap_stats(p->pcap, &p->ps);
		pipeline_flush(p->pipe);
		txn_tracker_flush(p->tracker);
	}
	if (!x->quiet)
		live_summary(&run);
	live_report_finish(&run);
	int exit_code = health2exit(run.p[0].report->health);
	if (analyze_ext_write(x, run.p[0].report, NULL) < 0)
		exit_code = EXIT_HEALTH_UNKNOWN;
	for (uint32_t i = 0; x->ring_pcap && i < run.n; i++) {
		char path[4096], err[4300];
		if (i == 0)
			snprintf(path, sizeof path, "%s", x->ring_pcap);
		else
			snprintf(path, sizeof path, "%s.%u", x->ring_pcap, i);
		if (ring_write(run.p[i].ring, path, err, sizeof err) < 0) {
			fprintf(stderr, PROG ": ring: %s\n", err);
			exit_code = EXIT_HEALTH_UNKNOWN;
		} else if (!x->quiet) {
			fprintf(stderr, PROG ": %s: the frames of %u failing transaction(s) at %s\n", path,
			        ring_kept(run.p[i].ring), run.p[i].iface);
		}
	}
	live_close(&run);
	return exit_code;
}
