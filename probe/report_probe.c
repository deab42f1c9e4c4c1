/* report_probe.c - the probe's additions to the report (see report_probe.h). */
#include "report_probe.h"
#include "zone.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dnsview.h"
#include "json.h"

static const char *do2str(uint8_t mask)
{
	return mask == PROBE_DO_BOTH ? "both" : mask == PROBE_DO_ON ? "on" : "off";
}

static void json_targets(json_writer_t *w, const probe_info_t *in)
{
	json_key(w, "targets");
	json_array_begin(w);
	for (uint32_t i = 0; i < in->targets->n; i++) {
		const probe_target_t *t = &in->targets->t[i];
		json_object_begin(w);
		json_kv_string(w, "address", t->text);
		json_kv_uint(w, "family", t->addr.family);
		json_kv_string_or_null(w, "name", t->name);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_string(w, "targets_source", in->targets->source);
}

static void json_plan(json_writer_t *w, const probe_info_t *in)
{
	const probe_cfg_t *c = in->cfg;
	char type[16];
	json_key(w, "plan");
	json_object_begin(w);
	json_kv_string(w, "mode", c->mode == PROBE_MODE_OARC       ? "oarc"
	                          : c->mode == PROBE_MODE_ROLLOVER ? "rollover"
	                          : c->mode == PROBE_MODE_ZONE     ? "zone"
	                                                           : "sweep");
	json_kv_string_or_null(w, "profile", in->profile);
	json_kv_string_or_null(w, "description", c->description);
	json_key(w, "sets");
	json_array_begin(w);
	for (uint32_t s = 0; s < c->nsets; s++) {
		const probe_qset_t *q = &c->sets[s];
		json_object_begin(w);
		json_key(w, "names");
		json_array_begin(w);
		for (uint32_t i = 0; i < q->nnames; i++)
			json_string(w, q->names[i]);
		json_array_end(w);
		json_kv_string(w, "type", dns_type2str(q->qtype, type, sizeof type));
		json_key(w, "sizes");
		json_array_begin(w);
		for (uint32_t i = 0; i < q->nsizes; i++)
			json_uint(w, q->sizes[i]);
		json_array_end(w);
		json_kv_string(w, "do", do2str(q->do_mask));
		json_kv_bool(w, "rd", q->rd);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "families");
	json_array_begin(w);
	if (c->families & PROBE_FAM_4)
		json_uint(w, 4);
	if (c->families & PROBE_FAM_6)
		json_uint(w, 6);
	json_array_end(w);
	json_kv_uint(w, "repeats", c->repeats);
	json_kv_bool(w, "repeats_auto", c->repeats_auto);
	json_kv_uint(w, "timeout_ms", c->timeout_ms);
	json_kv_uint(w, "settle_ms", c->settle_ms);
	json_kv_uint(w, "rate_per_target", c->rate);
	json_kv_uint(w, "inflight", c->inflight);
	json_kv_bool(w, "tcp", c->tcp);
	json_kv_uint(w, "questions", in->plan->n);
	json_kv_bool(w, "identity", c->identity);
	json_kv_string_or_null(w, "expect_nsid", c->expect_nsid);
	json_key(w, "crafting");
	if (!probe_cfg_crafted(c)) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_key(w, "df");
		if (c->df < 0)
			json_null(w);
		else
			json_bool(w, c->df);
		json_key(w, "ttl");
		if (c->ttl < 0)
			json_null(w);
		else
			json_uint(w, (uint64_t)c->ttl);
		json_key(w, "ip_id");
		if (c->ip_id < 0)
			json_null(w);
		else
			json_uint(w, (uint64_t)c->ip_id);
		json_kv_string_or_null(w, "vrf", c->vrf);
		json_kv_uint(w, "pad", c->pad);
		json_kv_uint(w, "fragment_query", c->frag_query);
		json_object_end(w);
	}
	json_object_end(w);
}

static void json_selfcheck(json_writer_t *w, const probe_info_t *in)
{
	json_key(w, "selfcheck");
	json_array_begin(w);
	for (int i = 0; in->checks && i < 2; i++) {
		const crafted_check_t *k = &in->checks[i];
		if (!k->family)
			continue;
		json_object_begin(w);
		json_kv_uint(w, "family", k->family);
		json_kv_string(w, "source", k->source);
		json_kv_string(w, "status", craft_status2str(k->status));
		json_kv_string(w, "text", k->text);
		json_object_end(w);
	}
	json_array_end(w);
}

static void json_identity(json_writer_t *w, const probe_info_t *in)
{
	const probe_findings_t *f = in->findings;
	json_key(w, "identity");
	json_array_begin(w);
	for (uint32_t t = 0; f && t < f->nid; t++) {
		const probe_identity_t *id = &f->id[t];
		if (!id->asked)
			continue;
		json_object_begin(w);
		json_kv_string(w, "server", in->targets->t[t].text);
		json_kv_bool(w, "answered", id->nsid_answered || id->hostname_answered);
		json_kv_string_or_null(w, "nsid", id->has_nsid ? id->nsid : NULL);
		json_kv_string_or_null(w, "nsid_hex", id->has_nsid ? id->nsid_hex : NULL);
		json_kv_string_or_null(w, "hostname_bind", id->has_hostname ? id->hostname : NULL);
		json_kv_bool(w, "ra", id->ra);
		json_kv_bool(w, "aa", id->aa);
		json_object_end(w);
	}
	json_array_end(w);
}

/* The run metadata's "instances" (report_run.h): per target the instance
 * that answered its identity queries, in the targets' order. */
void report_probe_instances_json(const void *ctx, struct json_writer *w)
{
	const probe_info_t *in = ctx;
	const probe_findings_t *f = in->findings;
	json_array_begin(w);
	for (uint32_t t = 0; f && t < f->nid && t < in->targets->n; t++) {
		const probe_identity_t *id = &f->id[t];
		json_object_begin(w);
		json_kv_string(w, "server", in->targets->t[t].text);
		json_kv_uint(w, "family", in->targets->t[t].addr.family);
		json_kv_string_or_null(w, "nsid", id->has_nsid ? id->nsid : NULL);
		json_kv_string_or_null(w, "hostname_bind", id->has_hostname ? id->hostname : NULL);
		json_object_end(w);
	}
	json_array_end(w);
}

static void json_findings(json_writer_t *w, const probe_info_t *in)
{
	const probe_findings_t *f = in->findings;
	json_key(w, "findings");
	json_array_begin(w);
	for (uint32_t i = 0; f && i < f->n; i++) {
		json_object_begin(w);
		json_kv_string(w, "kind", f->f[i].kind);
		json_key(w, "family");
		if (f->f[i].family)
			json_uint(w, f->f[i].family);
		else
			json_null(w);
		json_kv_string_or_null(w, "server", f->f[i].server);
		json_kv_bool(w, "raises_health", f->f[i].raises);
		json_kv_string(w, "text", f->f[i].text);
		json_object_end(w);
	}
	json_array_end(w);
}

static void json_socket_view(json_writer_t *w, const probe_info_t *in)
{
	char type[16];
	json_key(w, "socket_view");
	json_array_begin(w);
	for (uint32_t i = 0; i < in->plan->n; i++) {
		const probe_query_t *q = &in->plan->q[i];
		const probe_outcome_t *o = &q->out;
		json_object_begin(w);
		json_kv_string(w, "server", in->targets->t[q->target].text);
		json_kv_uint(w, "family", in->targets->t[q->target].addr.family);
		json_kv_string(w, "qname", q->qname);
		json_kv_string(w, "qtype", dns_type2str(q->qtype, type, sizeof type));
		json_kv_uint(w, "advertised", q->edns);
		json_kv_bool(w, "do", q->do_bit);
		json_kv_uint(w, "sent_ms", (uint64_t)(o->sent_ms > 0 ? o->sent_ms : 0));
		json_kv_string(w, "udp", plan_udp2str(o->udp));
		json_kv_uint(w, "udp_size", o->udp_size);
		json_kv_string(w, "tcp", plan_tcp2str(o->tcp));
		json_kv_uint(w, "tcp_size", o->tcp_size);
		json_kv_uint(w, "rcode", o->rcode);
		json_kv_bool(w, "ra", o->ra);
		json_kv_string(w, "kind", plan_kind2str(q->kind));
		json_kv_bool(w, "crafted", q->crafted);
		json_kv_bool(w, "query_fragmented", q->qfrag);
		json_object_end(w);
	}
	json_array_end(w);
}

/* A probability as a decimal string (the JSON writer has no floating point). */
static void json_prob(json_writer_t *w, double v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%.9g", v);
	json_string(w, buf);
}

static void json_kv_prob(json_writer_t *w, const char *key, double v)
{
	json_key(w, key);
	json_prob(w, v);
}

/* "loss": the random-loss bound per size question (probe/loss.h). */
static void json_loss(json_writer_t *w, const probe_info_t *in)
{
	const loss_table_t *t = in->loss;
	char type[16];
	json_key(w, "loss");
	if (!t) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_kv_prob(w, "assumed_loss", t->p);
	json_kv_prob(w, "bound", LOSS_BOUND);
	json_kv_uint(w, "max_attempts", in->cfg->repeats_auto ? LOSS_MAX_ATTEMPTS : in->cfg->repeats);
	json_kv_bool(w, "repeats_auto", in->cfg->repeats_auto);
	json_key(w, "questions");
	json_array_begin(w);
	for (uint32_t i = 0; i < t->n; i++) {
		const loss_row_t *r = &t->r[i];
		const probe_query_t *q = &in->plan->q[r->first];
		const probe_target_t *tg = &in->targets->t[q->target];
		json_object_begin(w);
		json_kv_string(w, "server", tg->text);
		json_kv_uint(w, "family", tg->addr.family);
		json_kv_string(w, "qname", q->qname);
		json_kv_string(w, "qtype", dns_type2str(q->qtype, type, sizeof type));
		json_kv_uint(w, "advertised", q->edns);
		json_kv_bool(w, "do", q->do_bit);
		json_kv_bool(w, "query_fragmented", q->qfrag);
		json_kv_uint(w, "attempts", r->attempts);
		json_kv_uint(w, "answered", r->answered);
		json_kv_uint(w, "lost", r->lost);
		json_kv_uint(w, "answer_bytes", r->answer_bytes);
		json_kv_bool(w, "answer_bytes_seen", r->bytes_known);
		json_kv_uint(w, "packets", r->packets);
		json_kv_prob(w, "attempt_failure", r->q);
		json_kv_uint(w, "attempts_needed", r->needed);
		json_key(w, "random_chance");
		if (r->verdict == LOSS_SYSTEMATIC || r->verdict == LOSS_INCONCLUSIVE)
			json_prob(w, r->chance);
		else
			json_null(w);
		json_key(w, "confidence");
		if (r->verdict == LOSS_SYSTEMATIC || r->verdict == LOSS_INCONCLUSIVE)
			json_prob(w, 1.0 - r->chance);
		else
			json_null(w);
		json_kv_string(w, "verdict", loss_verdict2str(r->verdict));
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void json_oarc(json_writer_t *w, const probe_info_t *in)
{
	json_key(w, "oarc");
	json_array_begin(w);
	for (uint32_t i = 0; i < in->plan->n; i++) {
		const probe_query_t *q = &in->plan->q[i];
		if (q->kind != QK_SIZE)
			continue;
		oarc_result_t r;
		oarc_answer_parse(q->out.answer, q->out.answer_len, &r);
		json_object_begin(w);
		json_kv_string(w, "resolver", in->targets->t[q->target].text);
		json_kv_string(w, "qname", q->qname);
		json_kv_string(w, "status", r.available ? "ok" : "service unavailable");
		json_key(w, "limit");
		if (r.available)
			json_uint(w, r.limit);
		else
			json_null(w);
		json_key(w, "edns_seen");
		if (r.edns)
			json_uint(w, r.edns);
		else
			json_null(w);
		json_kv_string_or_null(w, "reported_by", r.reporter);
		json_kv_string_or_null(w, "why", r.why);
		json_key(w, "strings");
		json_array_begin(w);
		for (uint32_t k = 0; k < r.nstrings; k++)
			json_string(w, r.strings[k]);
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
}

void report_probe_json(const void *ctx, struct json_writer *w)
{
	const probe_info_t *in = ctx;
	json_key(w, "probe");
	json_object_begin(w);
	json_targets(w, in);
	json_kv_string(w, "interface", in->iface);
	json_kv_string(w, "filter", in->filter);
	json_kv_string_or_null(w, "session_capture", in->session_file);
	json_kv_string_or_null(w, "dropped_privileges_to", in->dropped_to);
	json_plan(w, in);
	json_kv_uint(w, "udp_sent", in->engine->udp_sent);
	json_kv_uint(w, "tcp_connects", in->engine->tcp_connects);
	json_kv_uint(w, "stray_answers", in->engine->stray_answers);
	json_kv_uint(w, "questions_ms", in->engine->questions_ms);
	json_kv_uint(w, "elapsed_ms", in->engine->elapsed_ms);
	if (in->cfg->mode == PROBE_MODE_OARC)
		json_oarc(w, in);
	json_selfcheck(w, in);
	json_identity(w, in);
	json_findings(w, in);
	json_loss(w, in);
	json_socket_view(w, in);
	json_object_end(w);
	if (in->rollover) /* a top-level key of its own, as the analyzer writes it */
		rollover_json_write(in->rollover, w);
	if (in->zone) /* mode zone: top-level "zone" (dnsfrag-json(5) ZONE) */
		zone_json_write(in->zone, w);
}

/* Per family: how the sockets fared. */
static void text_socket_summary(const probe_info_t *in, FILE *out)
{
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		uint64_t udp[UDP_RESULT_COUNT] = { 0 }, tcp[TCP_RESULT_COUNT] = { 0 }, n = 0;
		for (uint32_t i = 0; i < in->plan->n; i++) {
			const probe_query_t *q = &in->plan->q[i];
			if (in->targets->t[q->target].addr.family != fam)
				continue;
			n++;
			udp[q->out.udp]++;
			tcp[q->out.tcp]++;
		}
		if (!n)
			continue;
		fprintf(out, "  IPv%u sockets: %" PRIu64 " questions; UDP %" PRIu64 " answered, %" PRIu64 " truncated, %" PRIu64
		             " timed out, %" PRIu64 " refused, %" PRIu64 " errors; TCP %" PRIu64 " complete, %" PRIu64
		             " SYN timeout, %" PRIu64 " stalled, %" PRIu64 " reset/refused, %" PRIu64 " closed early\n",
		        fam, n, udp[UDP_OK], udp[UDP_TC], udp[UDP_TIMEOUT], udp[UDP_REFUSED], udp[UDP_ERROR], tcp[TCP_OK],
		        tcp[TCP_SYN_TIMEOUT], tcp[TCP_STALL], tcp[TCP_RESET] + tcp[TCP_REFUSED], tcp[TCP_CLOSED]);
	}
}

static void text_crafting(const probe_info_t *in, FILE *out)
{
	const probe_cfg_t *c = in->cfg;
	if (!probe_cfg_crafted(c))
		return;
	fprintf(out, "  crafted UDP queries (libnet):");
	if (c->df >= 0)
		fprintf(out, " DF %s (IPv4);", c->df ? "set" : "clear");
	if (c->ttl >= 0)
		fprintf(out, " TTL/hop limit %d;", c->ttl);
	if (c->ip_id >= 0)
		fprintf(out, " IP id %d;", c->ip_id);
	if (c->vrf[0])
		fprintf(out, " device %s;", c->vrf);
	if (c->pad)
		fprintf(out, " padded to %u bytes;", c->pad);
	if (c->frag_query)
		fprintf(out, " queries fragmented by the probe into %u-byte fragments, each with an unfragmented control;",
		        c->frag_query);
	fprintf(out, "\n");
	for (int i = 0; in->checks && i < 2; i++)
		if (in->checks[i].family)
			fprintf(out, "  self-check IPv%u from %s: %s: %s\n", in->checks[i].family, in->checks[i].source,
			        in->checks[i].status == CRAFT_OK ? "ok" : craft_status2str(in->checks[i].status),
			        in->checks[i].text);
}

static void text_identity(const probe_info_t *in, FILE *out)
{
	const probe_findings_t *f = in->findings;
	for (uint32_t t = 0; f && t < f->nid; t++) {
		const probe_identity_t *id = &f->id[t];
		if (!id->asked)
			continue;
		if (!id->nsid_answered && !id->hostname_answered) {
			fprintf(out, "  identity of %s: no answer to NSID or hostname.bind\n", in->targets->t[t].text);
			continue;
		}
		fprintf(out, "  identity of %s: NSID %s%s%s, hostname.bind %s%s%s%s\n", in->targets->t[t].text,
		        id->has_nsid ? "\"" : "", id->has_nsid ? id->nsid : "none", id->has_nsid ? "\"" : "",
		        id->has_hostname ? "\"" : "", id->has_hostname ? id->hostname : "none",
		        id->has_hostname ? "\"" : "", id->ra ? "; RA=1" : "");
	}
}

/* Per size question that lost an answer: attempts, answers, and whether the
 * loss is systematic at the bound (probe/loss.h). */
static void text_loss(const probe_info_t *in, FILE *out)
{
	const loss_table_t *t = in->loss;
	char type[16];
	uint32_t nlost = 0;
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		nlost += t->r[i].lost > 0;
	uint32_t cap = in->cfg->repeats_auto ? LOSS_MAX_ATTEMPTS : in->cfg->repeats;
	fprintf(out, "  loss: %u of %u size question(s) lost a UDP answer; assumed random loss %.3g%% per packet, "
	             "systematic only when random loss explains the failures with probability < %g (%s%u attempt(s))\n",
	        nlost, t->n, t->p * 100.0, LOSS_BOUND, in->cfg->repeats_auto ? "--repeats auto, at most " : "--repeats ",
	        cap);
	for (uint32_t i = 0; i < t->n; i++) {
		const loss_row_t *r = &t->r[i];
		if (!r->lost)
			continue;
		const probe_query_t *q = &in->plan->q[r->first];
		const probe_target_t *tg = &in->targets->t[q->target];
		fprintf(out, "    IPv%u %s %s %s EDNS %u DO %s%s: %u attempt(s), %u answered; %u-byte answer%s, %u packets, "
		             "an attempt fails by chance with %.3g%%: ",
		        tg->addr.family, tg->text, q->qname, dns_type2str(q->qtype, type, sizeof type), q->edns,
		        q->do_bit ? "on" : "off", q->qfrag ? " (fragmented query)" : "", r->attempts, r->answered,
		        r->answer_bytes, r->bytes_known ? "" : " at most", r->packets, r->q * 100.0);
		switch (r->verdict) {
		case LOSS_SYSTEMATIC:
			fprintf(out, "systematically lost (confidence %.9f; chance %.2g)\n", 1.0 - r->chance, r->chance);
			break;
		case LOSS_INCONCLUSIVE:
			fprintf(out, "inconclusive (random loss cannot be ruled out: confidence %.6f, chance %.2g; %u attempts "
			             "needed%s)\n",
			        1.0 - r->chance, r->chance, r->needed,
			        !in->cfg->repeats_auto ? ", try --repeats auto"
			        : r->attempts >= LOSS_MAX_ATTEMPTS ? ", the cap of attempts was reached" : "");
			break;
		case LOSS_INTERMITTENT:
			fprintf(out, "intermittent loss, not systematic (an attempt was answered)\n");
			break;
		default:
			fprintf(out, "%s\n", loss_verdict2str(r->verdict));
			break;
		}
	}
}

void report_probe_text(const probe_info_t *in, FILE *out)
{
	const probe_cfg_t *c = in->cfg;
	fprintf(out, "\nProbe: %u question(s) to %u target(s) from %s%s%s\n", in->plan->n, in->targets->n,
	        in->targets->source, in->profile ? "; profile " : "", in->profile ? in->profile : "");
	fprintf(out, "  capture on %s, filter: %s\n", in->iface, in->filter);
	fprintf(out, "  timeout %u ms, pacing %u/s per target, %u in flight, TCP %s; questions took %" PRIu64
	             " ms, the run %" PRIu64 " ms\n",
	        c->timeout_ms, c->rate, c->inflight, c->tcp ? "after TC and failures" : "off", in->engine->questions_ms,
	        in->engine->elapsed_ms);
	text_socket_summary(in, out);
	if (c->mode == PROBE_MODE_OARC)
		for (uint32_t i = 0; i < in->plan->n; i++) {
			oarc_result_t r;
			if (in->plan->q[i].kind != QK_SIZE)
				continue;
			oarc_answer_parse(in->plan->q[i].out.answer, in->plan->q[i].out.answer_len, &r);
			if (r.available)
				fprintf(out, "  reply-size test via %s: DNS reply size limit is at least %u bytes (%s sent EDNS %u)\n",
				        in->targets->t[in->plan->q[i].target].text, r.limit, r.reporter, r.edns);
			else
				fprintf(out, "  reply-size test via %s: service unavailable: %s\n",
				        in->targets->t[in->plan->q[i].target].text, r.why);
		}
	text_loss(in, out);
	text_crafting(in, out);
	text_identity(in, out);
	if (in->findings && in->findings->n) {
		fprintf(out, "  findings:\n");
		for (uint32_t i = 0; i < in->findings->n; i++)
			fprintf(out, "    %-15s %s\n", in->findings->f[i].kind, in->findings->f[i].text);
	}
	if (in->session_file)
		fprintf(out, "  session capture: %s (read it with dnsfrag-analyze)\n", in->session_file);
}

void report_probe_oarc_apply(const probe_info_t *in, report_t *r)
{
	if (in->cfg->mode != PROBE_MODE_OARC)
		return;
	for (uint32_t i = 0; i < in->plan->n; i++) {
		oarc_result_t o;
		if (in->plan->q[i].kind != QK_SIZE)
			continue;
		oarc_answer_parse(in->plan->q[i].out.answer, in->plan->q[i].out.answer_len, &o);
		if (o.available)
			continue;
		r->health = HEALTH_UNKNOWN;
		snprintf(r->headline, sizeof r->headline, "UNKNOWN: service unavailable: the reply-size test via %s: %s",
		         in->targets->t[in->plan->q[i].target].text, o.why);
		return;
	}
}
