/* trace_report.c - the traces as text and as JSON (schema "dnsfrag-trace/1",
 * keys in dnsfrag-json(5) "TRACE REPORT"). Renderers only: every conclusion
 * is made in trace.c. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "trace.h"
#include "version.h"

static const char *addr_text(const ip_addr_t *a, char *buf, size_t len)
{
	if (!a->family)
		return "";
	return ip_addr2str(a, buf, len);
}

/* "time-exceeded from 198.51.100.2", "answer", "silent (3 attempts)". */
static const char *obs_text(const trace_obs_t *o, char *buf, size_t len)
{
	char a[64];
	switch (o->seen) {
	case TRACE_SILENT:
		snprintf(buf, len, "silent (%u attempt%s)", o->attempts, o->attempts == 1 ? "" : "s");
		break;
	case TRACE_TOO_BIG:
		snprintf(buf, len, "too-big MTU %u from %s", o->mtu, addr_text(&o->from, a, sizeof a));
		break;
	default:
		snprintf(buf, len, "%s from %s", trace_seen2str(o->seen), addr_text(&o->from, a, sizeof a));
	}
	return buf;
}

static void path_text(const trace_path_t *p, FILE *out)
{
	char a[64], b[64], c1[128], c2[128];
	if (p->kind == TRACE_KIND_PMTU)
		fprintf(out, "  where: a TTL trace of the lost size against the delivered one, %s -> %s\n",
		        addr_text(&p->source, a, sizeof a), addr_text(&p->target, b, sizeof b));
	else
		fprintf(out, "\n%s-direction trace, IPv%u, %s -> %s\n", trace_kind2str(p->kind), p->family,
	        p->kind == TRACE_KIND_ANSWER ? addr_text(&p->target, a, sizeof a) : addr_text(&p->source, a, sizeof a),
	        p->kind == TRACE_KIND_ANSWER ? addr_text(&p->source, b, sizeof b) : addr_text(&p->target, b, sizeof b));
	if (p->control_what[0])
		fprintf(out, "  control: %s\n  probe:   %s\n", p->control_what, p->probe_what);
	if (p->nhops)
		fprintf(out, "  %-4s %-40s %s\n", "hop", "control", "probe");
	for (uint32_t i = 0; i < p->nhops; i++) {
		const trace_hop_t *h = &p->hop[i];
		obs_text(&h->probe, c2, sizeof c2);
		if (p->kind == TRACE_KIND_QUERY && p->family == 6 && h->probe.seen == TRACE_TIME_EXCEEDED)
			snprintf(c2 + strlen(c2), sizeof c2 - strlen(c2), " [first %s, non-first %s]",
			         h->probe.first_te ? "yes" : "no", h->probe.later_te ? "yes" : "no");
		fprintf(out, "  %-4u %-40s %s\n", h->hop, obs_text(&h->control, c1, sizeof c1), c2);
	}
	fprintf(out, "  => %s: %s\n", trace_verdict2str(p->verdict), p->sentence);
	if (p->ambiguous[0])
		fprintf(out, "  ambiguous: %s\n", p->ambiguous);
	if (p->error[0] && p->nhops)
		fprintf(out, "  stopped: %s\n", p->error);
}

void trace_text_write(const trace_result_t *res, FILE *out)
{
	char a[64];
	fprintf(out, "dnsfrag-probe %s: traces (where fragments die, by hop)\n", DNSFRAG_VERSION);
	for (uint32_t i = 0; i < res->npaths; i++)
		path_text(&res->path[i], out);
	for (uint32_t i = 0; i < res->npmtu; i++) {
		const trace_pmtu_t *m = &res->pmtu[i];
		fprintf(out, "\npath MTU trace, IPv%u, DF queries to %s\n", m->family, addr_text(&m->target, a, sizeof a));
		for (uint32_t k = 0; k < m->ntried; k++) {
			char o[128];
			fprintf(out, "  %5u bytes%s  %s\n", m->tried[k].size, m->tried[k].search ? "*" : " ",
			        obs_text(&m->tried[k].obs, o, sizeof o));
		}
		fprintf(out, "  => %s\n", m->sentence);
		if (m->where_run)
			path_text(&m->where, out);
	}
	fprintf(out, "\nHealth: %s\n", health2str((health_t)res->health));
}

static void obs_json(json_writer_t *w, const char *key, const trace_obs_t *o, int fragments)
{
	char a[64];
	json_key(w, key);
	json_object_begin(w);
	json_kv_string(w, "result", trace_seen2str(o->seen));
	json_kv_string_or_null(w, "from", addr_text(&o->from, a, sizeof a));
	json_kv_uint_or_null(w, "mtu", o->mtu);
	json_kv_uint(w, "attempts", o->attempts);
	json_kv_uint_or_null(w, "rtt_us", o->rtt_us);
	if (fragments) {
		json_kv_bool(w, "first_fragment_time_exceeded", o->first_te);
		json_kv_bool(w, "non_first_fragment_time_exceeded", o->later_te);
	}
	json_kv_bool(w, "addresses_differ", o->addr_differs);
	json_object_end(w);
}

static void path_json(json_writer_t *w, const trace_path_t *p)
{
	char a[64];
	json_object_begin(w);
	json_kv_string(w, "direction", trace_kind2str(p->kind));
	json_kv_uint(w, "family", p->family);
	json_kv_string_or_null(w, "target", addr_text(&p->target, a, sizeof a));
	json_kv_string_or_null(w, "source", addr_text(&p->source, a, sizeof a));
	json_kv_string_or_null(w, "control", p->control_what);
	json_kv_string_or_null(w, "probe", p->probe_what);
	json_kv_uint_or_null(w, "control_bytes", p->control_bytes);
	json_kv_uint_or_null(w, "probe_bytes", p->probe_bytes);
	json_key(w, "hops");
	json_array_begin(w);
	for (uint32_t i = 0; i < p->nhops; i++) {
		json_object_begin(w);
		json_kv_uint(w, "hop", p->hop[i].hop);
		obs_json(w, "control", &p->hop[i].control, 0);
		obs_json(w, "probe", &p->hop[i].probe, p->kind == TRACE_KIND_QUERY);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint_or_null(w, "destination_hop", p->dest_hop);
	json_key(w, "conclusion");
	json_object_begin(w);
	json_kv_string(w, "verdict", trace_verdict2str(p->verdict));
	int range = p->verdict == TRACE_LOCATED || p->verdict == TRACE_AMBIGUOUS;
	json_key(w, "after_hop");
	if (range)
		json_uint(w, p->after_hop);
	else
		json_null(w);
	json_kv_string_or_null(w, "after_addr", range ? addr_text(&p->after_addr, a, sizeof a) : NULL);
	json_kv_uint_or_null(w, "before_hop", range ? p->before_hop : 0);
	json_kv_string_or_null(w, "before_addr", range ? addr_text(&p->before_addr, a, sizeof a) : NULL);
	json_kv_string(w, "sentence", p->sentence);
	json_kv_string_or_null(w, "ambiguous", p->ambiguous);
	json_object_end(w);
	json_kv_string_or_null(w, "error", p->error);
	json_object_end(w);
}

void trace_json_write(const trace_result_t *res, FILE *out)
{
	static json_writer_t w;
	char a[64];
	json_init(&w, out, 2);
	json_object_begin(&w);
	json_kv_string(&w, "schema", "dnsfrag-trace/1");
	json_kv_string(&w, "program", "dnsfrag-probe");
	json_kv_string(&w, "version", DNSFRAG_VERSION);
	json_kv_string(&w, "health", health2str((health_t)res->health));
	json_kv_uint(&w, "exit", (uint64_t)health2exit((health_t)res->health));
	json_key(&w, "traces");
	json_array_begin(&w);
	for (uint32_t i = 0; i < res->npaths; i++)
		path_json(&w, &res->path[i]);
	json_array_end(&w);
	json_key(&w, "pmtu");
	json_array_begin(&w);
	for (uint32_t i = 0; i < res->npmtu; i++) {
		const trace_pmtu_t *m = &res->pmtu[i];
		json_object_begin(&w);
		json_kv_uint(&w, "family", m->family);
		json_kv_string_or_null(&w, "target", addr_text(&m->target, a, sizeof a));
		json_kv_string_or_null(&w, "source", addr_text(&m->source, a, sizeof a));
		json_key(&w, "sizes");
		json_array_begin(&w);
		for (uint32_t k = 0; k < m->ntried; k++) {
			json_object_begin(&w);
			json_kv_uint(&w, "size", m->tried[k].size);
			json_kv_bool(&w, "search", m->tried[k].search);
			obs_json(&w, "result", &m->tried[k].obs, 0);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_kv_uint_or_null(&w, "largest_delivered", m->largest_ok);
		json_kv_uint_or_null(&w, "smallest_lost", m->smallest_lost);
		json_kv_uint_or_null(&w, "too_big_mtu", m->ptb_mtu);
		json_kv_string_or_null(&w, "too_big_from", addr_text(&m->ptb_from, a, sizeof a));
		json_kv_bool(&w, "black_hole", m->black_hole);
		json_kv_uint_or_null(&w, "mtu", m->mtu);
		json_kv_string(&w, "sentence", m->sentence);
		json_key(&w, "where");
		if (m->where_run)
			path_json(&w, &m->where);
		else
			json_null(&w);
		json_kv_string_or_null(&w, "error", m->error);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}
