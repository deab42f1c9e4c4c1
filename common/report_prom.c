/* report_prom.c - Prometheus text exposition of the report (see report_prom.h). */
#include "report_prom.h"

#include <inttypes.h>

#include "version.h"

typedef struct prom_label {
	const char *name, *value;
} prom_label_t;

static void prom_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{site="..",labels...} value */
static void prom_sample(FILE *out, const report_t *r, const char *name, const prom_label_t *labels, int n,
                        uint64_t value)
{
	int any = 0;
	fputs(name, out);
	if (r->cfg.site) {
		fputs("{site=\"", out);
		prom_escape(out, r->cfg.site);
		fputc('"', out);
		any = 1;
	}
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s%s=\"", any ? "," : "{", labels[i].name);
		prom_escape(out, labels[i].value);
		fputc('"', out);
		any = 1;
	}
	fprintf(out, "%s %" PRIu64 "\n", any ? "}" : "", value);
}

typedef struct prom_path_labels {
	char server[64];
	char family[2];
	prom_label_t l[3];
} prom_path_labels_t;

static void prom_path_labels(prom_path_labels_t *pl, const report_path_t *p)
{
	ip_addr2str(&p->server, pl->server, sizeof pl->server);
	pl->family[0] = p->server.family == 6 ? '6' : '4';
	pl->family[1] = '\0';
	pl->l[0] = (prom_label_t){ "server", pl->server };
	pl->l[1] = (prom_label_t){ "family", pl->family };
}

/* One gauge or counter with one sample per path (skipped where the value is 0 and skip_zero). */
static void prom_path_metric(FILE *out, const report_t *r, const char *name, const char *type, const char *help,
                             uint64_t (*get)(const report_path_t *), int skip_zero)
{
	prom_head(out, name, type, help);
	for (uint32_t i = 0; i < r->npaths; i++) {
		uint64_t v = get(&r->paths[i]);
		if (!v && skip_zero)
			continue;
		prom_path_labels_t pl;
		prom_path_labels(&pl, &r->paths[i]);
		prom_sample(out, r, name, pl.l, 2, v);
	}
}

static uint64_t get_health(const report_path_t *p) { return (uint64_t)health2exit(p->health); }
static uint64_t get_delivered(const report_path_t *p) { return p->c.delivered; }
static uint64_t get_failed(const report_path_t *p) { return p->c.critical; }
static uint64_t get_largest_whole(const report_path_t *p) { return p->largest_whole; }
static uint64_t get_largest_fragmented(const report_path_t *p) { return p->largest_fragmented; }
static uint64_t get_fragment_ip(const report_path_t *p) { return p->largest_fragment_ip; }
static uint64_t get_smallest_lost(const report_path_t *p) { return p->smallest_lost; }
static uint64_t get_icmp_mtu(const report_path_t *p) { return p->ptb_mtu; }

static void prom_family_sample(FILE *out, const report_t *r, const char *name, int fam, uint64_t v)
{
	prom_label_t l = { "family", fam == 6 ? "6" : "4" };
	prom_sample(out, r, name, &l, 1, v);
}

void report_prom_write(const report_t *r, FILE *out)
{
	prom_label_t info[2] = { { "version", DNSFRAG_VERSION }, { "tool", r->cfg.program } };
	prom_head(out, "dnsfrag_info", "gauge", "Constant 1: the program and version that wrote these metrics.");
	prom_sample(out, r, "dnsfrag_info", info, 2, 1);

	prom_head(out, "dnsfrag_health", "gauge",
	          "Overall health as the exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	prom_sample(out, r, "dnsfrag_health", NULL, 0, (uint64_t)health2exit(r->health));
	prom_head(out, "dnsfrag_family_health", "gauge", "Health per address family: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	for (int i = 0; i < 2; i++)
		prom_family_sample(out, r, "dnsfrag_family_health", r->fam[i].family, (uint64_t)health2exit(r->fam[i].health));
	prom_path_metric(out, r, "dnsfrag_path_health", "gauge",
	                 "Health per server: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", get_health, 0);

	prom_head(out, "dnsfrag_transactions_total", "counter",
	          "DNS transactions (queries seen) by server, family and verdict.");
	for (uint32_t i = 0; i < r->npaths; i++) {
		prom_path_labels_t pl;
		prom_path_labels(&pl, &r->paths[i]);
		for (int v = 0; v < TXN_VERDICT_COUNT; v++) {
			if (v == TXN_ORPHAN_ANSWER)
				continue; /* an answer without a query is never a sample */
			pl.l[2] = (prom_label_t){ "verdict", txn_verdict2str(v) };
			prom_sample(out, r, "dnsfrag_transactions_total", pl.l, 3, r->paths[i].c.verdict[v]);
		}
	}
	prom_path_metric(out, r, "dnsfrag_delivered_total", "counter",
	                 "Transactions whose answer reached the client, over UDP or TCP.", get_delivered, 0);
	prom_path_metric(out, r, "dnsfrag_failed_both_total", "counter",
	                 "Answers that came neither over UDP nor over TCP.", get_failed, 0);
	prom_head(out, "dnsfrag_tcp_total", "counter", "TCP retries and TCP transactions by outcome.");
	for (uint32_t i = 0; i < r->npaths; i++) {
		prom_path_labels_t pl;
		prom_path_labels(&pl, &r->paths[i]);
		for (int o = TXN_TCP_COMPLETE; o < TXN_TCP_OUTCOME_COUNT; o++) {
			pl.l[2] = (prom_label_t){ "outcome", txn_tcp_outcome2str(o) };
			prom_sample(out, r, "dnsfrag_tcp_total", pl.l, 3, r->paths[i].c.tcp[o]);
		}
	}
	prom_head(out, "dnsfrag_lost_trains_total", "counter",
	          "Fragmented answers lost, by what was missing: none (no fragment arrived), first, middle, last.");
	for (uint32_t i = 0; i < r->npaths; i++) {
		const report_path_t *p = &r->paths[i];
		const struct { const char *what; uint64_t v; } lost[] = {
			{ "none", p->lost_none_arrived }, { "first", p->lost_first_missing },
			{ "middle", p->lost_middle_missing }, { "last", p->lost_last_missing },
		};
		prom_path_labels_t pl;
		prom_path_labels(&pl, p);
		for (size_t k = 0; k < sizeof lost / sizeof lost[0]; k++) {
			pl.l[2] = (prom_label_t){ "missing", lost[k].what };
			prom_sample(out, r, "dnsfrag_lost_trains_total", pl.l, 3, lost[k].v);
		}
	}
	prom_path_metric(out, r, "dnsfrag_largest_whole_bytes", "gauge",
	                 "Largest answer (DNS message bytes) delivered unfragmented; no sample when none.",
	                 get_largest_whole, 1);
	prom_path_metric(out, r, "dnsfrag_largest_fragmented_bytes", "gauge",
	                 "Largest answer (DNS message bytes) delivered in fragments; no sample when none.",
	                 get_largest_fragmented, 1);
	prom_path_metric(out, r, "dnsfrag_largest_fragment_ip_bytes", "gauge",
	                 "Largest IP fragment seen: the MTU answers were cut at, at most.", get_fragment_ip, 1);
	prom_path_metric(out, r, "dnsfrag_smallest_lost_bytes", "gauge",
	                 "Smallest answer (DNS message bytes) whose fragments were lost.", get_smallest_lost, 1);
	prom_path_metric(out, r, "dnsfrag_icmp_mtu_bytes", "gauge",
	                 "Smallest MTU named by an ICMP needs-frag or packet-too-big.", get_icmp_mtu, 1);

	prom_head(out, "dnsfrag_family_largest_whole_bytes", "gauge",
	          "Largest answer delivered unfragmented, per family; no sample when none.");
	for (int i = 0; i < 2; i++)
		if (r->fam[i].largest_whole)
			prom_family_sample(out, r, "dnsfrag_family_largest_whole_bytes", r->fam[i].family, r->fam[i].largest_whole);
	prom_head(out, "dnsfrag_family_recommended_edns_size", "gauge",
	          "Recommended EDNS buffer size per family; no sample when not measured.");
	for (int i = 0; i < 2; i++)
		if (r->fam[i].recommended)
			prom_family_sample(out, r, "dnsfrag_family_recommended_edns_size", r->fam[i].family, r->fam[i].recommended);
	prom_head(out, "dnsfrag_recommended_edns_size", "gauge",
	          "Recommended EDNS buffer size over both families (at most 1400); no sample when not measured.");
	if (r->recommended)
		prom_sample(out, r, "dnsfrag_recommended_edns_size", NULL, 0, r->recommended);

	const pipeline_counts_t *c = &r->counts;
	prom_head(out, "dnsfrag_packets_total", "counter", "Packets read (all capture points).");
	prom_sample(out, r, "dnsfrag_packets_total", NULL, 0, c->packets);
	prom_head(out, "dnsfrag_ip_fragments_total", "counter", "IP packets that were fragments, per family.");
	prom_family_sample(out, r, "dnsfrag_ip_fragments_total", 4, c->ip4_frags);
	prom_family_sample(out, r, "dnsfrag_ip_fragments_total", 6, c->ip6_frags);
	prom_head(out, "dnsfrag_fragment_trains_incomplete_total", "counter",
	          "Fragment trains never completed, per family.");
	prom_family_sample(out, r, "dnsfrag_fragment_trains_incomplete_total", 4, c->ip4_incomplete);
	prom_family_sample(out, r, "dnsfrag_fragment_trains_incomplete_total", 6, c->ip6_incomplete);
	prom_head(out, "dnsfrag_pcap_received_total", "counter", "Packets libpcap received (live capture; 0 for files).");
	prom_sample(out, r, "dnsfrag_pcap_received_total", NULL, 0, r->pcap_received);
	prom_head(out, "dnsfrag_pcap_dropped_total", "counter",
	          "Packets libpcap dropped for want of buffer space (live capture; 0 for files).");
	prom_sample(out, r, "dnsfrag_pcap_dropped_total", NULL, 0, r->pcap_dropped);
	prom_head(out, "dnsfrag_pcap_ifdropped_total", "counter",
	          "Packets the interface or its driver dropped (live capture; 0 for files).");
	prom_sample(out, r, "dnsfrag_pcap_ifdropped_total", NULL, 0, r->pcap_ifdropped);
}
