/* report_json.c - the machine report, schema "dnsfrag-report/1" (man/dnsfrag-json.5,
 * man/dnsfrag-report.schema.json). Keys appear in a fixed order; additions are
 * new keys, never changed meanings. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "report_run.h"
#include "version.h"

static void json_addr(json_writer_t *w, const char *key, const ip_addr_t *a)
{
	char buf[64];
	json_kv_string(w, key, ip_addr2str(a, buf, sizeof buf));
}

void report_json_counts_write(struct json_writer *w, const report_counts_t *c)
{
	json_key(w, "counts");
	json_object_begin(w);
	json_kv_uint(w, "transactions", c->total);
	json_kv_uint(w, "delivered", c->delivered);
	json_kv_uint(w, "failed_both", c->critical);
	json_key(w, "verdicts");
	json_object_begin(w);
	for (int v = 0; v < TXN_VERDICT_COUNT; v++)
		json_kv_uint(w, txn_verdict2str(v), c->verdict[v]);
	json_object_end(w);
	json_key(w, "tcp");
	json_object_begin(w);
	for (int o = 0; o < TXN_TCP_OUTCOME_COUNT; o++)
		json_kv_uint(w, txn_tcp_outcome2str(o), c->tcp[o]);
	json_object_end(w);
	json_object_end(w);
}

static void json_row(json_writer_t *w, const report_row_t *row)
{
	json_object_begin(w);
	json_kv_uint_or_null(w, "answer_size", row->answer_size);
	json_kv_uint(w, "advertised", row->advertised);
	json_kv_bool(w, "do", row->do_bit);
	json_kv_uint(w, "max_fragments", row->max_frags);
	report_json_counts_write(w, &row->c);
	json_object_end(w);
}

static void json_path_fields(json_writer_t *w, const report_path_t *p)
{
	json_addr(w, "server", &p->server);
	json_kv_uint(w, "family", p->server.family);
	json_kv_string(w, "health", health2str(p->health));
	json_kv_string(w, "why", p->why);
	report_json_counts_write(w, &p->c);
	json_kv_uint_or_null(w, "largest_whole", p->largest_whole);
	json_kv_uint_or_null(w, "largest_whole_ip", p->largest_whole_ip);
	json_kv_uint_or_null(w, "largest_fragmented", p->largest_fragmented);
	json_kv_uint_or_null(w, "largest_fragment_ip", p->largest_fragment_ip);
	json_kv_uint_or_null(w, "smallest_lost", p->smallest_lost);
	json_kv_uint_or_null(w, "icmp_mtu", p->ptb_mtu);
	json_key(w, "lost_trains");
	json_object_begin(w);
	json_kv_uint(w, "none_arrived", p->lost_none_arrived);
	json_kv_uint(w, "first_missing", p->lost_first_missing);
	json_kv_uint(w, "middle_missing", p->lost_middle_missing);
	json_kv_uint(w, "last_missing", p->lost_last_missing);
	json_kv_uint(w, "only_first_arrived", p->lost_only_first);
	json_kv_uint(w, "intermittent", p->lost_intermittent);
	json_object_end(w);
	json_key(w, "edns");
	json_object_begin(w);
	json_kv_uint(w, "answers_without_opt", p->edns_no_opt);
	json_kv_uint(w, "formerr", p->edns_formerr);
	json_kv_uint(w, "badvers", p->edns_badvers);
	json_kv_uint(w, "larger_than_advertised", p->edns_over_advertised);
	json_object_end(w);
	json_key(w, "icmp");
	json_object_begin(w);
	for (int k = 1; k < ICMP_KIND_COUNT; k++)
		json_kv_uint(w, icmp_kind2str(k), p->icmp[k]);
	json_object_end(w);
	json_kv_uint(w, "duplicate_answers", p->duplicate_answers);
	json_key(w, "sizes");
	json_array_begin(w);
	for (uint32_t i = 0; i < p->nrows; i++)
		json_row(w, &p->rows[i]);
	json_array_end(w);
}

static void json_path(json_writer_t *w, const report_path_t *p)
{
	json_object_begin(w);
	json_path_fields(w, p);
	json_object_end(w);
}

static void json_evidence(json_writer_t *w, const txn_t *t)
{
	char type[16];
	json_object_begin(w);
	json_kv_string(w, "verdict", txn_verdict2str(t->verdict));
	json_kv_bool(w, "delivered", t->delivered);
	json_addr(w, "client", &t->client);
	json_kv_uint(w, "client_port", t->cport);
	json_addr(w, "server", &t->server);
	json_kv_uint(w, "server_port", t->sport);
	json_kv_uint(w, "id", t->id);
	json_kv_string(w, "qname", t->qname);
	json_kv_string(w, "qtype", dns_type2str(t->qtype, type, sizeof type));
	json_kv_string(w, "transport", t->transport == DNS_OVER_TCP ? "tcp" : "udp");
	json_key(w, "query");
	if (t->has_query) {
		json_object_begin(w);
		json_kv_uint(w, "frame", t->query_frame);
		json_kv_bool(w, "edns", t->query_has_opt);
		json_kv_uint(w, "advertised", t->udp_size);
		json_kv_bool(w, "do", t->do_bit);
		json_kv_uint(w, "copies", t->query_copies + 1);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "answer");
	if (t->answered) {
		json_object_begin(w);
		json_kv_uint(w, "frame", t->answer_frame);
		json_kv_uint(w, "size", t->answer_size);
		json_kv_uint(w, "ip_size", t->answer_ip_len);
		json_kv_bool(w, "tc", t->tc);
		json_kv_uint(w, "rcode", t->rcode);
		json_kv_bool(w, "edns", t->answer_has_opt);
		json_kv_uint(w, "fragments", t->nfrags);
		json_key(w, "fragment_ip_sizes");
		json_array_begin(w);
		for (uint32_t i = 0; i < t->nfrags && i < TXN_MAX_FRAGS; i++)
			json_uint(w, t->frag_ip_sizes[i]);
		json_array_end(w);
		json_kv_bool(w, "receiver_discards", t->receiver_discards);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "fragments_lost");
	if (t->frags_lost) {
		json_object_begin(w);
		json_kv_uint(w, "arrived", t->lost_arrived);
		json_kv_uint(w, "first_frame", t->lost_first_frame);
		json_kv_bool(w, "first_arrived", t->lost_have_first);
		json_kv_bool(w, "last_arrived", t->lost_have_last);
		json_kv_uint_or_null(w, "total_length", t->lost_total_len);
		json_kv_bool(w, "tied_by_addresses", t->lost_tied_by_addresses);
		json_kv_bool(w, "inferred", t->lost_inferred);
		json_key(w, "ranges");
		json_array_begin(w);
		for (uint32_t i = 0; i < t->lost_nranges; i++) {
			json_array_begin(w);
			json_uint(w, t->lost_ranges[i].start);
			json_uint(w, t->lost_ranges[i].end);
			json_array_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "icmp");
	json_array_begin(w);
	for (uint32_t i = 0; i < t->nicmp; i++) {
		json_object_begin(w);
		json_kv_string(w, "kind", icmp_kind2str(t->icmp[i].kind));
		json_addr(w, "from", &t->icmp[i].reporter);
		json_kv_uint(w, "frame", t->icmp[i].frame);
		json_kv_string(w, "about", t->icmp[i].about_answer ? "answer" : "query");
		json_kv_uint_or_null(w, "mtu", t->icmp[i].mtu);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "tcp");
	json_object_begin(w);
	json_kv_string(w, "outcome", txn_tcp_outcome2str(t->tcp));
	json_kv_uint(w, "syn_frame", t->tcp_syn_frame);
	json_kv_uint(w, "answer_frame", t->tcp_answer_frame);
	json_kv_uint(w, "answer_size", t->tcp_answer_size);
	json_object_end(w);
	json_kv_uint(w, "duplicate_answers", t->duplicate_answers);
	json_object_end(w);
}

static void json_packet_layer(json_writer_t *w, const report_t *r)
{
	const pipeline_counts_t *c = &r->counts;
	json_key(w, "packet_layer");
	json_object_begin(w);
	json_kv_uint(w, "points", r->points);
	json_kv_uint(w, "packets", c->packets);
	json_kv_uint(w, "bytes", c->bytes);
	json_kv_uint(w, "ip4_packets", c->ip4_packets);
	json_kv_uint(w, "ip6_packets", c->ip6_packets);
	json_kv_uint(w, "ip4_frags", c->ip4_frags);
	json_kv_uint(w, "ip6_frags", c->ip6_frags);
	json_kv_uint(w, "ip6_atomic_frags", c->ip6_atomic_frags);
	json_kv_uint(w, "first_frag_chain_incomplete", c->first_frag_chain_incomplete);
	json_kv_uint(w, "ip4_datagrams", c->ip4_datagrams);
	json_kv_uint(w, "ip4_incomplete", c->ip4_incomplete);
	json_kv_uint(w, "ip6_datagrams", c->ip6_datagrams);
	json_kv_uint(w, "ip6_incomplete", c->ip6_incomplete);
	json_kv_uint(w, "frag_overlap", c->frag_overlap);
	json_kv_uint(w, "frag_duplicate", c->frag_duplicate);
	json_kv_uint(w, "dns_queries", c->dns_queries);
	json_kv_uint(w, "dns_responses", c->dns_responses);
	json_kv_uint(w, "dns_tc", c->dns_tc);
	json_kv_uint(w, "dns_malformed", c->dns_malformed);
	json_key(w, "decode_problems");
	json_object_begin(w);
	for (int l = 0; l < LAYER_COUNT; l++) {
		json_key(w, decode_layer2str(l));
		json_object_begin(w);
		for (int o = OUTCOME_TRUNCATED; o < OUTCOME_COUNT; o++)
			json_kv_uint(w, decode_outcome2str(o), r->decode.n[l][o]);
		json_object_end(w);
	}
	json_object_end(w);
	json_key(w, "not_decoded");
	json_object_begin(w);
	for (int u = 0; u < DECODE_UNSUPPORTED_NAMES && r->decode.unsupported[u].name; u++)
		json_kv_uint(w, r->decode.unsupported[u].name, r->decode.unsupported[u].count);
	json_object_end(w);
	json_key(w, "capture");
	json_object_begin(w);
	json_kv_uint(w, "records", r->capture.records);
	json_kv_uint(w, "truncated_files", r->capture.truncated_files);
	json_kv_uint(w, "read_errors", r->capture.read_errors);
	json_kv_uint(w, "over_snaplen", r->capture.over_snaplen);
	json_kv_uint(w, "wirelen_short", r->capture.wirelen_short);
	json_kv_uint(w, "pcap_received", r->pcap_received);
	json_kv_uint(w, "pcap_dropped", r->pcap_dropped);
	json_kv_uint(w, "pcap_ifdropped", r->pcap_ifdropped);
	json_object_end(w);
	json_key(w, "matching");
	json_object_begin(w);
	json_kv_uint(w, "answers_without_query", r->txn.orphan_answers);
	json_kv_uint(w, "duplicate_answers", r->txn.duplicate_answers);
	json_kv_uint(w, "retransmitted_queries", r->txn.retransmitted_queries);
	json_kv_uint(w, "trains_unattributed", r->txn.trains_unattributed);
	json_kv_uint(w, "icmp_unattributed", r->txn.icmp_unattributed);
	json_kv_uint(w, "evicted", r->txn.evicted);
	json_object_end(w);
	/* What the memory bounds gave up (the same figures as --counts). */
	json_key(w, "limits");
	json_object_begin(w);
	json_kv_uint(w, "reasm_evicted", r->reasm.incomplete_why[REASM_WHY_EVICTED]);
	json_kv_uint(w, "reasm_timeout", r->reasm.incomplete_why[REASM_WHY_TIMEOUT]);
	json_kv_uint(w, "reasm_oversize", r->reasm.ev[REASM_EV_OVERSIZE]);
	json_kv_uint(w, "reasm_too_many_frags", r->reasm.ev[REASM_EV_TOO_MANY_FRAGS]);
	json_kv_uint(w, "reasm_peak_datagrams", r->reasm.peak_datagrams);
	json_kv_uint(w, "reasm_peak_bytes", r->reasm.peak_bytes);
	json_kv_uint(w, "tcp_evicted", r->tcp.evicted);
	json_kv_uint(w, "tcp_gaps", r->tcp.gaps);
	json_kv_uint(w, "tcp_dns_cut", r->tcp.dns_cut);
	json_kv_uint(w, "tcp_out_of_window", r->tcp.out_of_window);
	json_object_end(w);
	json_object_end(w);
}

static void json_family(json_writer_t *w, const report_family_t *f)
{
	json_object_begin(w);
	json_kv_uint(w, "family", f->family);
	json_kv_string(w, "health", health2str(f->health));
	json_kv_string(w, "sentence", f->sentence);
	json_kv_bool(w, "fragmentation_exercised", f->exercised);
	json_kv_uint_or_null(w, "largest_whole", f->largest_whole);
	json_kv_uint_or_null(w, "recommended_edns_size", f->recommended);
	report_json_counts_write(w, &f->c);
	json_object_end(w);
}

/* ---- the paths, formatted by two threads
 *
 * The paths are most of a large report: 29 MB of the 30 MB of JSON for the
 * 600 servers of bench/run's 300 MB capture, and formatting them took 16 ms,
 * 6% of the run, after everything else was done. With a CPU to spare they
 * are cut into JSON_PATH_CHUNKS chunks; the writer's thread formats the even
 * ones and a second thread the odd ones, each into a buffer of its own (one
 * chunk at a time, so memory stays bounded), and each chunk is written out
 * in its turn. Every byte is what one writer would have written: the chunk
 * writers start at the paths array's nesting (json_init_within). */
#define JSON_PATH_CHUNKS 64

typedef struct json_paths_job {
	const report_t *r;
	const json_writer_t *outer; /* positioned inside the paths array, synced */
	FILE *out;
	uint32_t per_chunk, nchunks;
	pthread_mutex_t mu;
	pthread_cond_t turn_changed;
	uint32_t turn;              /* the chunk to be written out next */
} json_paths_job_t;

/* One thread's chunk in memory. The buffer is kept from chunk to chunk:
 * a fresh one per chunk had every page of the 29 MB faulted in and cleared
 * anew, which took as long as the formatting saved. */
typedef struct json_chunk_buf {
	char *bytes;
	size_t len, cap;
	FILE *out;                 /* when memory ran out: straight here (in turn) */
} json_chunk_buf_t;

static void json_chunk_sink(void *ctx, const char *p, size_t n)
{
	json_chunk_buf_t *b = ctx;
	if (b->out) {
		fwrite(p, 1, n, b->out);
		return;
	}
	if (b->len == SIZE_MAX) /* lost already */
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n)
			cap *= 2;
		char *bytes = realloc(b->bytes, cap);
		if (!bytes) {
			b->len = SIZE_MAX; /* the chunk is lost: formatted again, straight out */
			return;
		}
		b->bytes = bytes;
		b->cap = cap;
	}
	memcpy(b->bytes + b->len, p, n);
	b->len += n;
}

static void json_chunk_format(json_paths_job_t *job, json_chunk_buf_t *b, uint32_t from, uint32_t to)
{
	json_writer_t w;
	json_init_within(&w, json_chunk_sink, b, job->outer, from > 0);
	for (uint32_t i = from; i < to; i++)
		json_path(&w, &job->r->paths[i]);
	json_sync(&w);
}

/* Chunks first, first + 2, ...: each formatted into memory, then written in turn. */
static void json_paths_chunks(json_paths_job_t *job, uint32_t first)
{
	json_chunk_buf_t b = { 0 };
	for (uint32_t k = first; k < job->nchunks; k += 2) {
		uint32_t from = k * job->per_chunk, to = from + job->per_chunk;
		if (to > job->r->npaths)
			to = job->r->npaths;
		b.len = 0;
		json_chunk_format(job, &b, from, to);
		pthread_mutex_lock(&job->mu);
		while (job->turn != k)
			pthread_cond_wait(&job->turn_changed, &job->mu);
		pthread_mutex_unlock(&job->mu);
		if (b.len != SIZE_MAX) {
			fwrite(b.bytes, 1, b.len, job->out);
		} else { /* no memory for the chunk: format it again, straight out */
			b.out = job->out;
			json_chunk_format(job, &b, from, to);
			b.out = NULL;
		}
		pthread_mutex_lock(&job->mu);
		job->turn++;
		pthread_cond_broadcast(&job->turn_changed);
		pthread_mutex_unlock(&job->mu);
	}
	free(b.bytes);
}

static void *json_paths_odd_chunks(void *arg)
{
	json_paths_chunks(arg, 1);
	return NULL;
}

/* 1: the paths were written by two threads; 0: not (one path, one CPU, no thread). */
static int json_paths_parallel(json_writer_t *w, const report_t *r, FILE *out)
{
	if (r->cfg.threads < 2 || r->npaths < 2)
		return 0;
	json_paths_job_t job = { .r = r, .outer = w, .out = out };
	job.per_chunk = (r->npaths + JSON_PATH_CHUNKS - 1) / JSON_PATH_CHUNKS;
	job.nchunks = (r->npaths + job.per_chunk - 1) / job.per_chunk;
	if (pthread_mutex_init(&job.mu, NULL) != 0)
		return 0;
	if (pthread_cond_init(&job.turn_changed, NULL) != 0) {
		pthread_mutex_destroy(&job.mu);
		return 0;
	}
	json_sync(w);
	pthread_t odd;
	int started = pthread_create(&odd, NULL, json_paths_odd_chunks, &job) == 0;
	if (started) {
		json_paths_chunks(&job, 0);
		pthread_join(odd, NULL);
	}
	pthread_cond_destroy(&job.turn_changed);
	pthread_mutex_destroy(&job.mu);
	if (!started)
		return 0;
	json_values_written(w);
	return 1;
}

void report_json_write(const report_t *r, FILE *out)
{
	json_writer_t w;
	json_init(&w, out, 2);
	json_object_begin(&w);
	json_kv_string(&w, "schema", REPORT_SCHEMA);
	json_key(&w, "tool");
	json_object_begin(&w);
	json_kv_string(&w, "name", r->cfg.program);
	json_kv_string(&w, "version", DNSFRAG_VERSION);
	json_object_end(&w);
	if (r->cfg.site)
		json_kv_string(&w, "site", r->cfg.site);
	if (r->cfg.run)
		report_run_json_write(r->cfg.run, &r->cfg, &w);
	json_key(&w, "config");
	json_object_begin(&w);
	json_kv_string(&w, "policy", r->cfg.policy == POLICY_FRAGMENTS_REQUIRED ? "fragments-required" : "avoid-fragments");
	json_kv_uint(&w, "min_samples", r->cfg.min_samples);
	json_kv_uint(&w, "loss_threshold_pct", r->cfg.loss_threshold_pct);
	json_key(&w, "inputs");
	json_array_begin(&w);
	for (uint32_t i = 0; i < r->cfg.ninputs; i++)
		json_string(&w, r->cfg.inputs[i]);
	json_array_end(&w);
	json_object_end(&w);
	json_kv_string(&w, "health", health2str(r->health));
	json_kv_uint(&w, "exit_code", (uint64_t)health2exit(r->health));
	json_kv_string(&w, "headline", r->headline);
	json_kv_uint_or_null(&w, "recommended_edns_size", r->recommended);
	json_key(&w, "families");
	json_array_begin(&w);
	for (int i = 0; i < 2; i++)
		json_family(&w, &r->fam[i]);
	json_array_end(&w);
	json_key(&w, "paths");
	json_array_begin(&w);
	if (!json_paths_parallel(&w, r, out))
		for (uint32_t i = 0; i < r->npaths; i++)
			json_path(&w, &r->paths[i]);
	json_array_end(&w);
	json_key(&w, "evidence");
	json_array_begin(&w);
	for (uint32_t i = 0; i < r->nevidence; i++)
		json_evidence(&w, &r->evidence[i]);
	json_array_end(&w);
	json_kv_uint(&w, "evidence_not_shown", r->evidence_dropped);
	json_packet_layer(&w, r);
	if (r->cfg.json_extra)
		r->cfg.json_extra(r->cfg.json_extra_ctx, &w);
	json_object_end(&w);
	json_finish(&w);
}

/* JSON Lines: every line a whole compact object with "record" first, so a
 * line can be read alone (jq -c 'select(.record == "path")'). Paths in the
 * report's order, then the summary. */
void report_jsonl_write(const report_t *r, FILE *out)
{
	json_writer_t w;
	for (uint32_t i = 0; i < r->npaths; i++) {
		json_init(&w, out, 0);
		json_object_begin(&w);
		json_kv_string(&w, "record", "path");
		json_kv_string(&w, "schema", REPORT_JSONL_SCHEMA);
		if (r->cfg.site)
			json_kv_string(&w, "site", r->cfg.site);
		json_path_fields(&w, &r->paths[i]);
		json_object_end(&w);
		json_finish(&w);
	}
	json_init(&w, out, 0);
	json_object_begin(&w);
	json_kv_string(&w, "record", "summary");
	json_kv_string(&w, "schema", REPORT_JSONL_SCHEMA);
	if (r->cfg.site)
		json_kv_string(&w, "site", r->cfg.site);
	if (r->cfg.run)
		report_run_json_write(r->cfg.run, &r->cfg, &w);
	json_key(&w, "tool");
	json_object_begin(&w);
	json_kv_string(&w, "name", r->cfg.program);
	json_kv_string(&w, "version", DNSFRAG_VERSION);
	json_object_end(&w);
	json_kv_string(&w, "health", health2str(r->health));
	json_kv_uint(&w, "exit_code", (uint64_t)health2exit(r->health));
	json_kv_string(&w, "headline", r->headline);
	json_kv_uint_or_null(&w, "recommended_edns_size", r->recommended);
	json_kv_uint(&w, "paths", r->npaths);
	json_key(&w, "families");
	json_array_begin(&w);
	for (int i = 0; i < 2; i++)
		json_family(&w, &r->fam[i]);
	json_array_end(&w);
	json_kv_uint(&w, "evidence", r->nevidence + r->evidence_dropped);
	json_kv_uint(&w, "packets", r->counts.packets);
	json_kv_uint(&w, "pcap_received", r->pcap_received);
	json_kv_uint(&w, "pcap_dropped", r->pcap_dropped);
	json_kv_uint(&w, "pcap_ifdropped", r->pcap_ifdropped);
	json_object_end(&w);
	json_finish(&w);
}
