/* report_text.c - the readable report: verdict first, one line per family, then
 * per server and size, then the evidence with packet numbers, then the
 * recommended EDNS size with config lines for both directions. */
#include <inttypes.h>
#include <string.h>

#include "report.h"

/* A health word, padded to width, in colour when asked (ECMA-48 SGR: OK
 * green, WARNING yellow, CRITICAL bold red, UNKNOWN left plain). */
static void text_health(FILE *out, health_t h, int width, int color)
{
	static const char *const sgr[] = { "\033[32m", "\033[33m", "\033[1;31m", "" };
	const char *word = health2str(h);
	if (color && (unsigned)h < HEALTH_UNKNOWN)
		fprintf(out, "%s%s\033[0m", sgr[h], word);
	else
		fputs(word, out);
	for (int n = (int)strlen(word); n < width; n++)
		fputc(' ', out);
}

static void text_config_lines(FILE *out, uint32_t n)
{
	fprintf(out, "Recommended EDNS buffer size: %u (the largest answer this path carries unfragmented, at most %u)\n",
	        n, REPORT_RECOMMENDED_CAP);
	fprintf(out, "  BIND              options { edns-udp-size %u; max-udp-size %u; };\n", n, n);
	fprintf(out, "  Unbound           server: edns-buffer-size: %u  /  max-udp-size: %u\n", n, n);
	fprintf(out, "  Knot Resolver 5.x net.bufsize(%u, %u)\n", n, n);
	fprintf(out, "  Knot Resolver 6.x network: { edns-buffer-size: { upstream: %u, downstream: %u } }\n", n, n);
	fprintf(out, "  PowerDNS Recursor edns-outgoing-bufsize=%u  /  udp-truncation-threshold=%u\n", n, n);
	fprintf(out, "  (upstream: what the resolver advertises to servers; downstream: the largest UDP answer it sends clients)\n");
}

static void text_row(FILE *out, const report_row_t *row)
{
	char size[32];
	if (row->answer_size)
		snprintf(size, sizeof size, "%u", row->answer_size);
	else
		snprintf(size, sizeof size, "? (asked %u)", row->advertised);
	const report_counts_t *c = &row->c;
	fprintf(out, "    %-14s %-3s %5" PRIu64 " %6" PRIu64 " %5" PRIu64 " %5" PRIu64 " %6" PRIu64 " %7" PRIu64
	             " %6" PRIu64 " %6" PRIu64 "\n",
	        size, row->do_bit ? "DO" : "-", c->total, c->verdict[TXN_WHOLE], c->verdict[TXN_FRAGMENTED],
	        c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED], c->verdict[TXN_TRUNCATED],
	        c->tcp[TXN_TCP_COMPLETE], c->verdict[TXN_NO_ANSWER], c->critical);
}

static void text_path(FILE *out, const report_path_t *p, int color)
{
	char addr[64];
	ip_addr2str(&p->server, addr, sizeof addr);
	fprintf(out, "  %s (IPv%u): ", addr, p->server.family);
	text_health(out, p->health, 0, color);
	fprintf(out, " - %s; %" PRIu64 " transaction(s)\n", p->why, p->c.total);
	if (p->largest_whole)
		fprintf(out, "    largest answer delivered unfragmented: %u bytes (IP packet %u)\n", p->largest_whole,
		        p->largest_whole_ip);
	if (p->largest_fragment_ip)
		fprintf(out, "    fragmented at an MTU of about %u (largest fragment %u bytes; by the sender or a hop)\n",
		        p->largest_fragment_ip, p->largest_fragment_ip);
	if (p->largest_whole_ip || p->ptb_mtu) {
		fprintf(out, "    path MTU within [%u, ", p->largest_whole_ip > p->largest_fragment_ip ? p->largest_whole_ip
		                                                                                    : p->largest_fragment_ip);
		if (p->ptb_mtu)
			fprintf(out, "%u] (smallest MTU named by ICMP)\n", p->ptb_mtu);
		else
			fprintf(out, "?] (no ICMP too-big seen)\n");
	}
	if (p->lost_first_missing + p->lost_middle_missing + p->lost_last_missing + p->lost_none_arrived)
		fprintf(out, "    lost trains: %" PRIu64 " with no fragment arriving, %" PRIu64 " without their first fragment, %" PRIu64
		             " without a middle one, %" PRIu64 " without the last%s\n",
		        p->lost_none_arrived, p->lost_first_missing, p->lost_middle_missing, p->lost_last_missing,
		        p->lost_only_first ? " (first fragment only: an ACL without a fragments clause?)" : "");
	if (p->lost_intermittent)
		fprintf(out, "    of the lost trains, %" PRIu64 " intermittent: the same question's fragmented answer arrived"
		             " in another attempt (loss that comes and goes, as random loss does; a path that drops fragments loses every attempt)\n",
		        p->lost_intermittent);
	if (p->edns_no_opt || p->edns_formerr || p->edns_badvers || p->edns_over_advertised)
		fprintf(out, "    EDNS trouble: %" PRIu64 " answers without OPT, %" PRIu64 " FORMERR, %" PRIu64 " BADVERS, %" PRIu64
		             " larger than advertised\n",
		        p->edns_no_opt, p->edns_formerr, p->edns_badvers, p->edns_over_advertised);
	fprintf(out, "    %-14s %-3s %5s %6s %5s %5s %6s %7s %6s %6s\n", "answer bytes", "DO", "n", "whole", "frag",
	        "lost", "trunc", "tcp-ok", "noans", "failed");
	for (uint32_t i = 0; i < p->nrows; i++)
		text_row(out, &p->rows[i]);
}

static void text_ranges(FILE *out, const txn_t *t)
{
	fprintf(out, "bytes");
	for (uint32_t i = 0; i < t->lost_nranges; i++)
		fprintf(out, "%s%u-%u", i ? "," : " ", t->lost_ranges[i].start, t->lost_ranges[i].end - 1);
}

static void text_evidence(FILE *out, const txn_t *t, uint32_t n)
{
	char c[64], s[64], type[16];
	ip_addr2str(&t->client, c, sizeof c);
	ip_addr2str(&t->server, s, sizeof s);
	fprintf(out, "  #%u %s: %s#%u -> %s#%u id %u %s %s", n, txn_verdict2str(t->verdict), c, t->cport, s, t->sport,
	        t->id, t->qname, dns_type2str(t->qtype, type, sizeof type));
	if (t->has_query)
		fprintf(out, " (EDNS %u%s) query frame %" PRIu64, t->udp_size, t->do_bit ? " DO" : "", t->query_frame);
	fputc('\n', out);
	if (t->answered)
		fprintf(out, "     answer %u bytes in frame %" PRIu64 "%s%s", t->answer_size, t->answer_frame,
		        t->tc ? ", TC=1" : "", t->receiver_discards ? ", overlapping fragments: receiver discards it" : "");
	if (t->answered && t->nfrags) {
		fprintf(out, ", %u fragments (IP sizes", t->nfrags);
		for (uint32_t i = 0; i < t->nfrags && i < TXN_MAX_FRAGS; i++)
			fprintf(out, " %u", t->frag_ip_sizes[i]);
		fputc(')', out);
	}
	if (t->answered)
		fputc('\n', out);
	if (t->lost_inferred) {
		fprintf(out, "     no fragment arrived: TCP brought the answer, %u bytes, too big for one packet on a "
		             "1500-byte link, so its UDP fragments were all lost\n",
		        t->tcp_answer_size);
	} else if (t->frags_lost) {
		fprintf(out, "     fragments lost: %u arrived from frame %" PRIu64 ", ", t->lost_arrived, t->lost_first_frame);
		text_ranges(out, t);
		fprintf(out, "%s%s%s\n", t->lost_have_first ? "" : ", first fragment lost",
		        t->lost_have_last ? "" : ", last fragment lost",
		        t->lost_tied_by_addresses ? " (tied to this query by addresses and time)" : "");
	}
	for (uint32_t i = 0; i < t->nicmp; i++) {
		char rep[64];
		ip_addr2str(&t->icmp[i].reporter, rep, sizeof rep);
		fprintf(out, "     ICMP %s from %s in frame %" PRIu64 " about the %s", icmp_kind2str(t->icmp[i].kind), rep,
		        t->icmp[i].frame, t->icmp[i].about_answer ? "answer" : "query");
		if (t->icmp[i].mtu)
			fprintf(out, ", MTU %u", t->icmp[i].mtu);
		fputc('\n', out);
	}
	if (t->tcp != TXN_TCP_NOT_TRIED) {
		fprintf(out, "     TCP: %s", txn_tcp_outcome2str(t->tcp));
		if (t->tcp_syn_frame)
			fprintf(out, ", SYN frame %" PRIu64, t->tcp_syn_frame);
		if (t->tcp_answer_frame)
			fprintf(out, ", answer %u bytes in frame %" PRIu64, t->tcp_answer_size, t->tcp_answer_frame);
		fputc('\n', out);
	}
	if (t->duplicate_answers)
		fprintf(out, "     %u further answer(s) to this query\n", t->duplicate_answers);
}

static void text_packet_layer(FILE *out, const report_t *r)
{
	const pipeline_counts_t *c = &r->counts;
	fprintf(out, "Capture: %" PRIu64 " packets at %u point(s); IPv4 %" PRIu64 " (fragments %" PRIu64 "), IPv6 %" PRIu64
	             " (fragments %" PRIu64 "); DNS %" PRIu64 " queries, %" PRIu64 " answers (%" PRIu64 " TC), %" PRIu64
	             " malformed\n",
	        c->packets, r->points, c->ip4_packets, c->ip4_frags, c->ip6_packets, c->ip6_frags, c->dns_queries,
	        c->dns_responses, c->dns_tc, c->dns_malformed);
	fprintf(out, "Reassembly: IPv4 %" PRIu64 " trains (%" PRIu64 " incomplete), IPv6 %" PRIu64 " trains (%" PRIu64
	             " incomplete); %" PRIu64 " overlaps, %" PRIu64 " duplicates\n",
	        c->ip4_datagrams, c->ip4_incomplete, c->ip6_datagrams, c->ip6_incomplete, c->frag_overlap,
	        c->frag_duplicate);
	if (r->pcap_received || r->pcap_dropped)
		fprintf(out, "libpcap: %" PRIu64 " received, %" PRIu64 " dropped, %" PRIu64 " dropped by the interface\n",
		        r->pcap_received, r->pcap_dropped, r->pcap_ifdropped);
	int any = 0;
	for (int l = 0; l < LAYER_COUNT; l++)
		for (int o = OUTCOME_TRUNCATED; o < OUTCOME_COUNT; o++)
			if (r->decode.n[l][o]) {
				fprintf(out, "%s %s %s %" PRIu64, any ? "," : "Decode problems:", decode_layer2str(l),
				        decode_outcome2str(o), r->decode.n[l][o]);
				any = 1;
			}
	if (any)
		fputc('\n', out);
	for (int u = 0; u < DECODE_UNSUPPORTED_NAMES && r->decode.unsupported[u].name; u++)
		fprintf(out, "%s %s %" PRIu64 "%s", u ? "," : "Not decoded:", r->decode.unsupported[u].name,
		        r->decode.unsupported[u].count,
		        u + 1 == DECODE_UNSUPPORTED_NAMES || !r->decode.unsupported[u + 1].name ? "\n" : "");
	if (r->capture.truncated_files || r->capture.read_errors || r->capture.wirelen_short)
		fprintf(out, "Capture files: %" PRIu64 " cut short, %" PRIu64 " read errors, %" PRIu64
		             " records with a length smaller than captured\n",
		        r->capture.truncated_files, r->capture.read_errors, r->capture.wirelen_short);
	const txn_stats_t *t = &r->txn;
	fprintf(out, "Matching: %" PRIu64 " answers without a query, %" PRIu64 " duplicate answers, %" PRIu64
	             " retransmitted queries, %" PRIu64 " fragment trains and %" PRIu64 " ICMP errors not tied to a query\n",
	        t->orphan_answers, t->duplicate_answers, t->retransmitted_queries, t->trains_unattributed,
	        t->icmp_unattributed);
}

void report_text_headline_write(const report_t *r, FILE *out)
{
	const char *word = health2str(r->health);
	size_t n = strlen(word);
	if (r->cfg.text_color && strncmp(r->headline, word, n) == 0) {
		text_health(out, r->health, 0, 1);
		fputs(r->headline + n, out);
	} else {
		fputs(r->headline, out);
	}
	if (r->cfg.text_tail)
		r->cfg.text_tail(r->cfg.text_tail_ctx, r, out);
}

void report_text_write(const report_t *r, FILE *out)
{
	report_text_headline_write(r, out);
	fputc('\n', out);
	for (int i = 0; i < 2; i++) {
		fputs("  ", out);
		text_health(out, r->fam[i].health, 8, r->cfg.text_color);
		fprintf(out, " %s\n", r->fam[i].sentence);
	}
	fputc('\n', out);
	if (r->npaths) {
		fprintf(out, "Per server and answer size:\n");
		for (uint32_t i = 0; i < r->npaths; i++)
			text_path(out, &r->paths[i], r->cfg.text_color);
		fputc('\n', out);
	}
	if (r->nevidence) {
		fprintf(out, "Evidence (%u transactions other than whole answers%s):\n", r->nevidence,
		        r->evidence_dropped ? ", more not shown" : "");
		for (uint32_t i = 0; i < r->nevidence; i++)
			text_evidence(out, &r->evidence[i], i + 1);
		fputc('\n', out);
	}
	if (r->recommended)
		text_config_lines(out, r->recommended);
	else
		fprintf(out, "Recommended EDNS buffer size: not measured (no answer showed where this path's limit is); "
		             "1232 is the DNS Flag Day 2020 default\n");
	fputc('\n', out);
	text_packet_layer(out, r);
}
