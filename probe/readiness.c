/* readiness.c - path readiness and the resolver's trust in mode rollover (see
 * readiness.h). */
#include "readiness.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#define RCODE_SERVFAIL 2
#define RCODE_NXDOMAIN 3
#define EDNS_OPT_EDE 15

void readiness_log_add(readiness_log_t *log, const txn_t *t)
{
	if (t->transport != DNS_OVER_UDP || !t->has_query)
		return;
	if (log->n == log->cap) {
		uint32_t cap = log->cap ? log->cap * 2 : 256;
		readiness_txn_t *p = realloc(log->t, cap * sizeof *p);
		if (!p)
			return;
		log->t = p;
		log->cap = cap;
	}
	readiness_txn_t *r = &log->t[log->n++];
	memset(r, 0, sizeof *r);
	r->server = t->server;
	r->cport = t->cport;
	r->id = t->id;
	r->verdict = (uint8_t)t->verdict;
	r->frags_lost = t->frags_lost;
	r->train_seen = t->train_seen;
	r->lost_inferred = t->lost_inferred;
	r->nfrags = t->nfrags;
	r->lost_arrived = t->lost_arrived;
}

void readiness_log_free(readiness_log_t *log)
{
	free(log->t);
	memset(log, 0, sizeof *log);
}

static const readiness_txn_t *log_find(const readiness_log_t *log, const ip_addr_t *server, uint16_t cport,
                                       uint16_t id)
{
	for (uint32_t i = 0; log && i < log->n; i++)
		if (log->t[i].cport == cport && log->t[i].id == id && ip_addr_equal(&log->t[i].server, server))
			return &log->t[i];
	return NULL;
}

/* "1,425" */
static const char *num(uint32_t v, char *buf, size_t len)
{
	if (v >= 1000)
		snprintf(buf, len, "%u,%03u", v / 1000, v % 1000);
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

/* The leading N of "N.size.ZONE", 0 otherwise. */
static uint32_t sized_name_size(const char *qname)
{
	char *end;
	if (!isdigit((unsigned char)qname[0]))
		return 0;
	unsigned long v = strtoul(qname, &end, 10);
	if (strncmp(end, ".size.", 6) != 0 || v > 65535)
		return 0;
	return (uint32_t)v;
}

/* The TCP part of a reason, and whether it saved the answer. */
static const char *tcp_words(probe_tcp_result_t r, int *ok, int *untested)
{
	*ok = r == TCP_OK;
	*untested = r == TCP_NOT_TRIED;
	switch (r) {
	case TCP_OK: return "TCP works";
	case TCP_NOT_TRIED: return "TCP not tried (tcp off)";
	case TCP_SYN_TIMEOUT: return "TCP blocked (no handshake)";
	case TCP_STALL: return "TCP stalled after the handshake (a PMTU black hole?)";
	case TCP_RESET: return "TCP reset";
	case TCP_REFUSED: return "TCP refused";
	case TCP_CLOSED: return "TCP closed before the answer";
	default: return "TCP failed (local error)";
	}
}

/* The phase of a DNSKEY answer of size bytes from server: the validated
 * answer's key set when the rollover check saw it, else by its size. */
static rollover_phase_t dnskey_phase(const rollover_t *ro, const ip_addr_t *server, uint32_t size)
{
	for (uint32_t i = 0; i < ro->nanswers; i++) {
		const rollover_answer_t *a = &ro->answers[i];
		if (a->size == size && a->nkeys && ip_addr_equal(&a->server, server))
			return a->phase;
	}
	return rollover_phase_of_size(size);
}

static const char *vword(rollover_ready_t v)
{
	return v == RO_READY ? "ready" : v == RO_NOT_READY ? "not ready" : "untested";
}

static void row_judge(rollover_ready_row_t *row, const probe_query_t *q, const readiness_txn_t *tx, uint32_t mtu)
{
	char n[16], adv[16], rc[16];
	const probe_outcome_t *o = &q->out;
	int tcp_ok, tcp_untested;
	const char *tw = tcp_words(o->tcp, &tcp_ok, &tcp_untested);
	uint32_t hdr = row->family == 6 ? 48 : 28;
	num(row->size, n, sizeof n);
	num(q->edns, adv, sizeof adv);
	row->tcp = plan_tcp2str(o->tcp);
	row->fragments = tx ? tx->nfrags : 0;
	if ((o->udp == UDP_OK || o->tcp == TCP_OK) && o->rcode != 0) {
		row->udp = o->udp == UDP_OK ? "whole" : o->udp == UDP_TC ? "truncated" : "lost";
		row->verdict = RO_UNTESTED;
		snprintf(row->why, sizeof row->why, "answered %s: no such sized name there? untested",
		         dns_rcode2str(o->rcode, rc, sizeof rc));
		return;
	}
	switch (o->udp) {
	case UDP_OK:
		row->verdict = RO_READY;
		if (tx && tx->nfrags > 1) {
			row->udp = "fragmented";
			snprintf(row->why, sizeof row->why, "%s bytes arrived in %u fragments over UDP: ready", n, tx->nfrags);
		} else {
			row->udp = "whole";
			snprintf(row->why, sizeof row->why, "%s bytes arrived whole over UDP: ready", n);
		}
		return;
	case UDP_TC:
		row->udp = "truncated";
		row->verdict = tcp_ok ? RO_READY : tcp_untested ? RO_UNTESTED : RO_NOT_READY;
		if (q->edns)
			snprintf(row->why, sizeof row->why, "%s bytes exceeds the %s you advertise: truncated, %s: %s", n, adv,
			         tw, vword(row->verdict));
		else
			snprintf(row->why, sizeof row->why, "%s bytes exceeds 512 (no EDNS): truncated, %s: %s", n, tw,
			         vword(row->verdict));
		return;
	case UDP_TIMEOUT: {
		const char *lost;
		char buf[120];
		if (tx && (tx->frags_lost || tx->train_seen || tx->verdict == TXN_FRAGMENTS_LOST)) {
			row->udp = "fragments-lost";
			snprintf(buf, sizeof buf, "needs fragments, fragments lost (%u arrived)", tx->lost_arrived);
			lost = buf;
		} else if (row->size && row->size + hdr > mtu) {
			row->udp = "fragments-lost";
			snprintf(buf, sizeof buf, "needs fragments (over %u bytes on a %u-byte MTU), no fragment arrived",
			         mtu - hdr, mtu);
			lost = buf;
		} else if (row->size) {
			row->udp = "lost";
			lost = "lost over UDP unfragmented (a filter on large UDP answers?)";
		} else {
			row->udp = "lost";
			lost = "lost over UDP";
		}
		row->verdict = tcp_ok ? RO_READY : tcp_untested ? RO_UNTESTED : RO_NOT_READY;
		snprintf(row->why, sizeof row->why, "%s%s%s, %s: %s", row->size ? n : "the answer (size unknown)",
		         row->size ? " bytes " : " ", lost, tw,
		         vword(row->verdict));
		return;
	}
	case UDP_REFUSED:
		row->udp = "refused";
		row->verdict = tcp_ok ? RO_READY : RO_UNTESTED;
		snprintf(row->why, sizeof row->why, "port unreachable over UDP (no server?), %s: %s", tw,
		         tcp_ok ? "ready" : "untested");
		return;
	default:
		row->udp = "error";
		row->verdict = RO_UNTESTED;
		snprintf(row->why, sizeof row->why, "a local error sending the question: untested");
		return;
	}
}

void readiness_build(rollover_t *ro, const probe_cfg_t *cfg, const probe_targets_t *targets,
                     const probe_plan_t *plan, const readiness_log_t *log, uint32_t mtu)
{
	int sized = 0;
	ro->has_readiness = 1;
	ro->nready = 0;
	if (!mtu)
		mtu = 1500;
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		if (q->kind != QK_SIZE || q->qfrag)
			continue;
		const probe_target_t *t = &targets->t[q->target];
		uint32_t size = sized_name_size(q->qname);
		int dnskey = strcmp(q->qname, ".") == 0 && q->qtype == LDNS_RR_TYPE_DNSKEY;
		if (!size && !dnskey)
			continue;
		if (ro->nready >= ROLLOVER_MAX_READY)
			break;
		rollover_ready_row_t *row = &ro->ready[ro->nready++];
		memset(row, 0, sizeof *row);
		snprintf(row->server, sizeof row->server, "%s", t->text);
		row->family = t->addr.family;
		row->advertised = q->edns;
		snprintf(row->qname, sizeof row->qname, "%s%s", dnskey ? ". DNSKEY" : q->qname,
		         dnskey ? (q->do_bit ? " +DO" : "") : " TXT");
		row->dnskey = (uint8_t)dnskey;
		if (dnskey) {
			size = q->out.tcp == TCP_OK ? q->out.tcp_size : q->out.udp == UDP_OK ? q->out.udp_size : 0;
			row->phase = size ? dnskey_phase(ro, &t->addr, size) : RO_PHASE_OTHER;
		} else {
			sized = 1;
			row->phase = rollover_phase_of_size(size);
		}
		row->size = size;
		row_judge(row, q, log_find(log, &t->addr, q->out.cport, q->out.id), mtu);
	}
	(void)cfg;
	if (!sized)
		snprintf(ro->readiness_note, sizeof ro->readiness_note,
		         "only the DNSKEY answer's own size was tested: give --zone ZONE whose N.size.ZONE names answer "
		         "N bytes (the lab, dnsfrag-responder) to test every phase's size");
	else
		ro->readiness_note[0] = '\0';
}

/* ---- the resolver's trust */

void readiness_sentinel_parse(const uint8_t *msg, uint32_t len, rollover_sentinel_answer_t *a)
{
	ldns_pkt *pkt = NULL;
	a->rcode = -1;
	a->ad = 0;
	a->ede = -1;
	a->ede_text[0] = '\0';
	if (!msg || !len || ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK)
		return;
	a->rcode = (int16_t)ldns_pkt_get_rcode(pkt);
	a->ad = ldns_pkt_ad(pkt);
	ldns_rdf *d = ldns_pkt_edns_data(pkt);
	if (d) {
		const uint8_t *p = ldns_rdf_data(d);
		size_t n = ldns_rdf_size(d), o = 0;
		while (o + 4 <= n) {
			uint16_t code = (uint16_t)(p[o] << 8 | p[o + 1]), olen = (uint16_t)(p[o + 2] << 8 | p[o + 3]);
			if (o + 4 + olen > n)
				break;
			if (code == EDNS_OPT_EDE && olen >= 2) {
				a->ede = p[o + 4] << 8 | p[o + 5];
				size_t w = 0;
				for (uint16_t k = 2; k < olen && w + 5 < sizeof a->ede_text; k++) {
					uint8_t c = p[o + 4 + k];
					w += (size_t)snprintf(a->ede_text + w, sizeof a->ede_text - w,
					                      isprint(c) && c != '\\' && c != '"' ? "%c" : "\\%03u", c);
				}
				break;
			}
			o += 4 + (size_t)olen;
		}
	}
	ldns_pkt_free(pkt);
}

static int rc_normal(int rc)
{
	return rc == 0 || rc == RCODE_NXDOMAIN;
}

rollover_trust_t readiness_trust_judge(const rollover_sentinel_answer_t *is_ta,
                                       const rollover_sentinel_answer_t *not_ta, int validates, char *why,
                                       size_t len)
{
	int i = is_ta->rcode, n = not_ta->rcode;
	if (i < 0 || n < 0) {
		snprintf(why, len, "%s went unanswered: cannot tell", i < 0 && n < 0 ? "both sentinel questions"
		                                                     : i < 0        ? "is-ta"
		                                                                    : "not-ta");
		return RO_TRUST_CANNOT_TELL;
	}
	if (rc_normal(i) && n == RCODE_SERVFAIL) {
		snprintf(why, len, "is-ta answered normally and not-ta SERVFAIL: the key is one of its trust anchors "
		                   "(RFC 8509)");
		return RO_TRUST_YES;
	}
	if (i == RCODE_SERVFAIL && rc_normal(n)) {
		snprintf(why, len, "is-ta SERVFAIL and not-ta answered normally: the key is not one of its trust anchors "
		                   "(RFC 8509)");
		return RO_TRUST_NO;
	}
	if (rc_normal(i) && rc_normal(n)) {
		if (validates == 1)
			snprintf(why, len, "both answered normally although it validates (AD=1): no RFC 8509 sentinel "
			                   "support (or it is switched off): cannot tell");
		else
			snprintf(why, len, "both answered normally%s: not a validating resolver (or the sentinel zone is not "
			                   "signed): cannot tell",
			         is_ta->ad || not_ta->ad ? "" : " without AD");
		return RO_TRUST_CANNOT_TELL;
	}
	if (i == RCODE_SERVFAIL && n == RCODE_SERVFAIL) {
		snprintf(why, len, "both SERVFAIL: the sentinel zone does not validate there (no working trust anchor?) "
		                   "or the resolver fails: cannot tell");
		return RO_TRUST_CANNOT_TELL;
	}
	char a[16], b[16];
	snprintf(why, len, "is-ta %s, not-ta %s: cannot tell", dns_rcode2str((uint16_t)i, a, sizeof a),
	         dns_rcode2str((uint16_t)n, b, sizeof b));
	return RO_TRUST_CANNOT_TELL;
}

static rollover_resolver_t *resolver_of(rollover_t *ro, const char *server)
{
	for (uint32_t i = 0; i < ro->nresolvers; i++)
		if (strcmp(ro->resolvers[i].server, server) == 0)
			return &ro->resolvers[i];
	if (ro->nresolvers >= ROLLOVER_MAX_RESOLVERS)
		return NULL;
	rollover_resolver_t *r = &ro->resolvers[ro->nresolvers++];
	memset(r, 0, sizeof *r);
	snprintf(r->server, sizeof r->server, "%s", server);
	r->ad_rcode = -1;
	r->ad_ede = -1;
	r->validates = RO_TRUST_CANNOT_TELL;
	return r;
}

static rollover_trust_check_t *check_of(rollover_t *ro, const char *server, uint16_t tag)
{
	for (uint32_t i = 0; i < ro->ntrust; i++)
		if (ro->trust[i].tag == tag && strcmp(ro->trust[i].server, server) == 0)
			return &ro->trust[i];
	if (ro->ntrust >= ROLLOVER_MAX_TRUST)
		return NULL;
	rollover_trust_check_t *c = &ro->trust[ro->ntrust++];
	memset(c, 0, sizeof *c);
	snprintf(c->server, sizeof c->server, "%s", server);
	c->tag = tag;
	c->is_ta.rcode = c->not_ta.rcode = -1;
	c->is_ta.ede = c->not_ta.ede = -1;
	for (uint32_t a = 0; a < ro->anchors.n; a++)
		if (ro->anchors.a[a].key_tag == tag && ro->anchors.a[a].name[0]) {
			memcpy(c->name, ro->anchors.a[a].name, sizeof c->name);
			c->name[sizeof c->name - 1] = '\0';
			break;
		}
	for (uint32_t k = 0; k < ro->nkeys; k++)
		if (ro->keys[k].tag == tag) {
			c->revoked_seen = ro->keys[k].revoked_seen;
			if (!c->name[0] && ro->keys[k].name[0]) {
				memcpy(c->name, ro->keys[k].name, sizeof c->name);
				c->name[sizeof c->name - 1] = '\0';
			}
		}
	return c;
}

void readiness_trust_build(rollover_t *ro, const probe_targets_t *targets, const probe_plan_t *plan)
{
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		if (q->kind != QK_AD && q->kind != QK_SENTINEL_IS && q->kind != QK_SENTINEL_NOT)
			continue;
		const char *server = targets->t[q->target].text;
		rollover_resolver_t *r = resolver_of(ro, server);
		if (!r)
			continue;
		ro->has_trust = 1;
		if (q->kind == QK_AD) {
			rollover_sentinel_answer_t a;
			readiness_sentinel_parse(q->out.answer, q->out.answer_len, &a);
			r->ad_rcode = a.rcode;
			r->ad = a.ad;
			r->ad_ede = a.ede;
			snprintf(r->ad_ede_text, sizeof r->ad_ede_text, "%s", a.ede_text);
			continue;
		}
		rollover_trust_check_t *c = check_of(ro, server, q->tag);
		if (!c)
			continue;
		rollover_sentinel_answer_t *a = q->kind == QK_SENTINEL_IS ? &c->is_ta : &c->not_ta;
		readiness_sentinel_parse(q->out.answer, q->out.answer_len, a);
		snprintf(a->qname, sizeof a->qname, "%s", q->qname);
	}
	for (uint32_t v = 0; v < ro->nresolvers; v++) {
		rollover_resolver_t *r = &ro->resolvers[v];
		char rc[16];
		size_t o;
		if (r->ad_rcode == 0 && r->ad) {
			r->validates = RO_TRUST_YES;
			o = (size_t)snprintf(r->sentence, sizeof r->sentence, "validates (AD=1 on the signed '. SOA')");
		} else if (r->ad_rcode == 0) {
			r->validates = RO_TRUST_NO;
			o = (size_t)snprintf(r->sentence, sizeof r->sentence, "does not validate (AD=0 on the signed '. SOA')");
		} else if (r->ad_rcode > 0) {
			o = (size_t)snprintf(r->sentence, sizeof r->sentence, "'. SOA' answered %s: validation cannot be judged",
			                     dns_rcode2str((uint16_t)r->ad_rcode, rc, sizeof rc));
		} else {
			o = (size_t)snprintf(r->sentence, sizeof r->sentence, "no answer to '. SOA': validation cannot be judged");
		}
		for (uint32_t i = 0; i < ro->ntrust; i++) {
			rollover_trust_check_t *c = &ro->trust[i];
			if (strcmp(c->server, r->server) != 0)
				continue;
			c->trusts = readiness_trust_judge(&c->is_ta, &c->not_ta, r->validates == RO_TRUST_YES ? 1 : 0, c->why,
			                                  sizeof c->why);
			if (c->trusts == RO_TRUST_NO && c->revoked_seen && strlen(c->why) + 60 < sizeof c->why)
				strcat(c->why, "; the key was seen revoked: right to drop it");
			if (o < sizeof r->sentence)
				o += (size_t)snprintf(r->sentence + o, sizeof r->sentence - o, "; trusts %s%s%u%s: %s",
				                      c->name[0] ? c->name : "key ", c->name[0] ? " (" : "", c->tag,
				                      c->name[0] ? ")" : "",
				                      c->trusts == RO_TRUST_YES  ? "yes"
				                      : c->trusts == RO_TRUST_NO ? "no"
				                                                 : "cannot tell");
		}
	}
}
