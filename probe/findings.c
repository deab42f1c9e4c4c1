/* findings.c - identity, interception, inspection, query-direction and pattern
 * findings (see findings.h). */
#include "findings.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#define INSPECT_SMALL 512       /* the old DNS-over-UDP limit an inspecting firewall enforces */
#define INSPECT_V4_MAX 1472     /* unfragmented on a 1,500-byte link: 1500 - 20 - 8 */
#define INSPECT_V6_MAX 1452     /* 1500 - 40 - 8 */

/* The analyzer's own words (common/report_text.c), reused. */
#define HINT_FIRST_ONLY "first fragment only: an ACL without a fragments clause"

static probe_finding_t *finding_add(probe_findings_t *out, const char *kind, uint8_t family, const char *server,
                                    uint8_t raises, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static probe_finding_t *finding_add(probe_findings_t *out, const char *kind, uint8_t family, const char *server,
                                    uint8_t raises, const char *fmt, ...)
{
	if (out->n == FINDINGS_MAX)
		return NULL;
	probe_finding_t *f = &out->f[out->n++];
	f->kind = kind;
	f->family = family;
	snprintf(f->server, sizeof f->server, "%s", server ? server : "");
	f->raises = raises;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	return f;
}

/* ---- identity */

static void nsid_option_parse(const ldns_pkt *pkt, probe_identity_t *id)
{
	ldns_rdf *d = ldns_pkt_edns_data(pkt);
	if (!d)
		return;
	const uint8_t *p = ldns_rdf_data(d);
	size_t n = ldns_rdf_size(d), o = 0;
	while (o + 4 <= n) {
		uint16_t code = (uint16_t)(p[o] << 8 | p[o + 1]), len = (uint16_t)(p[o + 2] << 8 | p[o + 3]);
		if (o + 4 + len > n)
			return;
		if (code == 3) {
			size_t w = 0, h = 0;
			for (uint16_t i = 0; i < len; i++) {
				uint8_t c = p[o + 4 + i];
				if (h + 3 < sizeof id->nsid_hex)
					h += (size_t)snprintf(id->nsid_hex + h, sizeof id->nsid_hex - h, "%02x", c);
				if (w + 5 < sizeof id->nsid)
					w += (size_t)snprintf(id->nsid + w, sizeof id->nsid - w, isprint(c) && c != '\\' ? "%c" : "\\%03u",
					                      c);
			}
			id->has_nsid = 1;
			return;
		}
		o += 4 + (size_t)len;
	}
}

static void hostname_parse(const ldns_pkt *pkt, probe_identity_t *id)
{
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT || ldns_rr_rd_count(rr) < 1)
			continue;
		ldns_rdf *s = ldns_rr_rdf(rr, 0);
		const uint8_t *p = ldns_rdf_data(s);
		size_t n = ldns_rdf_size(s);
		if (n < 1 || p[0] + 1u > n)
			continue;
		size_t w = 0;
		for (size_t k = 1; k <= p[0] && w + 5 < sizeof id->hostname; k++)
			w += (size_t)snprintf(id->hostname + w, sizeof id->hostname - w,
			                      isprint(p[k]) && p[k] != '\\' ? "%c" : "\\%03u", p[k]);
		id->has_hostname = 1;
		return;
	}
}

void findings_identity_parse(const uint8_t *msg, size_t len, int hostname_bind, probe_identity_t *id)
{
	ldns_pkt *pkt = NULL;
	if (!msg || !len || ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK)
		return;
	if (hostname_bind) {
		id->hostname_answered = 1;
		id->rcode_hostname = (uint8_t)ldns_pkt_get_rcode(pkt);
		hostname_parse(pkt, id);
	} else {
		id->nsid_answered = 1;
		id->rcode_nsid = (uint8_t)ldns_pkt_get_rcode(pkt);
		id->ra = ldns_pkt_ra(pkt);
		id->aa = ldns_pkt_aa(pkt);
		nsid_option_parse(pkt, id);
	}
	ldns_pkt_free(pkt);
}

/* ---- interception */

/* Every size question to target t was asked without RD, in sweep mode: t is
 * meant to be an authoritative server, which never offers recursion. */
static int target_authoritative(const probe_cfg_t *cfg, const probe_plan_t *plan, uint32_t t)
{
	int any = 0;
	if (cfg->mode != PROBE_MODE_SWEEP)
		return 0;
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		if (q->target != t || q->kind != QK_SIZE)
			continue;
		if (q->rd)
			return 0;
		any = 1;
	}
	return any;
}

static void findings_interception(const probe_cfg_t *cfg, const probe_targets_t *targets, const probe_plan_t *plan,
                                  probe_findings_t *out)
{
	char buf[PROBE_TEXT_MAX];
	for (uint32_t t = 0; t < targets->n; t++) {
		const probe_target_t *tg = &targets->t[t];
		const probe_identity_t *id = &out->id[t];
		if (target_authoritative(cfg, plan, t)) {
			uint32_t ra = 0, answered = 0;
			for (uint32_t i = 0; i < plan->n; i++) {
				const probe_query_t *q = &plan->q[i];
				if (q->target != t || (q->out.udp != UDP_OK && q->out.udp != UDP_TC && q->out.tcp != TCP_OK))
					continue;
				answered++;
				ra += q->out.ra;
			}
			if (ra)
				finding_add(out, "interception", tg->addr.family, tg->text, 1,
				            "%s: transparent DNS interception? %u of %u answers from this authoritative target "
				            "(asked without RD) carry RA=1: a resolver answers in its place",
				            tg->text, ra, answered);
		}
		const char *want = probe_cfg_expected_nsid(cfg, tg->text, buf, sizeof buf);
		if (want && id->nsid_answered && (!id->has_nsid || strcmp(want, id->nsid) != 0))
			finding_add(out, "interception", tg->addr.family, tg->text, 1,
			            "%s: transparent DNS interception? NSID %s%s%s where \"%s\" was expected (expect-nsid)",
			            tg->text, id->has_nsid ? "\"" : "", id->has_nsid ? id->nsid : "absent",
			            id->has_nsid ? "\"" : "", want);
		else if (want && id->asked && !id->nsid_answered)
			finding_add(out, "note", tg->addr.family, tg->text, 0,
			            "%s: the NSID query went unanswered; the expected NSID \"%s\" could not be checked", tg->text,
			            want);
	}
}

/* ---- the query direction (fragment-query) */

static int answered_udp(const probe_query_t *q)
{
	return q->out.udp == UDP_OK || q->out.udp == UDP_TC;
}

static void findings_query_direction(const probe_cfg_t *cfg, const probe_targets_t *targets, const probe_plan_t *plan,
                                     probe_findings_t *out)
{
	if (!cfg->frag_query)
		return;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		uint32_t fs = 0, fa = 0, cs = 0, ca = 0;
		for (uint32_t i = 0; i < plan->n; i++) {
			const probe_query_t *q = &plan->q[i];
			if (q->kind != QK_SIZE || targets->t[q->target].addr.family != fam)
				continue;
			if (q->qfrag) {
				fs++;
				fa += (uint32_t)answered_udp(q);
			} else if (q->control) {
				cs++;
				ca += (uint32_t)answered_udp(q);
			}
		}
		if (!fs)
			continue;
		if (fa < fs && ca > 0)
			finding_add(out, "query-direction", fam, NULL, 1,
			            "IPv%u: fragmented queries lost (query direction): %u of %u queries sent in %u-byte "
			            "fragments answered over UDP, %u of %u unfragmented controls answered",
			            fam, fa, fs, cfg->frag_query, ca, cs);
		else if (fa < fs)
			finding_add(out, "note", fam, NULL, 0,
			            "IPv%u: %u of %u fragmented queries answered, and only %u of %u unfragmented controls: "
			            "the query direction cannot be judged",
			            fam, fa, fs, ca, cs);
		else
			finding_add(out, "note", fam, NULL, 0,
			            "IPv%u: fragmented queries pass: %u of %u queries sent in %u-byte fragments answered", fam,
			            fa, fs, cfg->frag_query);
	}
}

/* ---- DNS-aware inspection */

static void findings_inspection(const probe_targets_t *targets, const probe_plan_t *plan, probe_findings_t *out)
{
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		uint32_t lim = fam == 4 ? INSPECT_V4_MAX : INSPECT_V6_MAX, small_ok = 0, mid_ok = 0, mid_lost = 0;
		uint32_t lo = 0, hi = 0;
		for (uint32_t i = 0; i < plan->n; i++) {
			const probe_query_t *q = &plan->q[i];
			if (q->kind != QK_SIZE || q->qfrag || targets->t[q->target].addr.family != fam)
				continue;
			if (q->out.udp == UDP_OK && q->out.udp_size <= INSPECT_SMALL)
				small_ok++;
			else if (q->out.udp == UDP_OK && q->out.udp_size <= lim)
				mid_ok++;
			else if (q->out.udp == UDP_TIMEOUT && q->out.tcp == TCP_OK && q->out.tcp_size > INSPECT_SMALL &&
			         q->out.tcp_size <= lim && (!q->edns || q->out.tcp_size <= q->edns)) {
				mid_lost++;
				lo = !lo || q->out.tcp_size < lo ? q->out.tcp_size : lo;
				hi = q->out.tcp_size > hi ? q->out.tcp_size : hi;
			}
		}
		if (mid_lost && small_ok && !mid_ok)
			finding_add(out, "inspection", fam, NULL, 1,
			            "IPv%u: DNS-aware inspection? %u unfragmented UDP answer(s) of %u to %u bytes lost while %u "
			            "answer(s) of at most 512 bytes arrived and TCP brought the large ones: a firewall "
			            "enforcing the old 512-byte DNS limit",
			            fam, mid_lost, lo, hi, small_ok);
	}
}

/* ---- per-pattern hints */

static void findings_patterns(const probe_targets_t *targets, const probe_plan_t *plan, const report_t *r,
                              probe_findings_t *out)
{
	char a[64];
	for (uint32_t i = 0; r && i < r->npaths; i++) {
		const report_path_t *p = &r->paths[i];
		ip_addr2str(&p->server, a, sizeof a);
		if (p->lost_only_first)
			finding_add(out, "pattern", p->server.family, a, 0,
			            "%s: %" PRIu64 " fragmented answer(s) arrived as their first fragment only: %s?", a,
			            p->lost_only_first, HINT_FIRST_ONLY);
		if (p->lost_none_arrived)
			finding_add(out, "pattern", p->server.family, a, 0,
			            "%s: %" PRIu64 " fragmented answer(s) lost with no fragment arriving (inferred from the TCP "
			            "answer's size): every fragment dropped, or the first fragment too big for a link "
			            "and its ICMP too-big filtered",
			            a, p->lost_none_arrived);
	}
	for (uint32_t t = 0; t < targets->n; t++) {
		uint32_t stall = 0, syn = 0;
		for (uint32_t i = 0; i < plan->n; i++) {
			const probe_query_t *q = &plan->q[i];
			if (q->target != t)
				continue;
			stall += q->out.tcp == TCP_STALL;
			syn += q->out.tcp == TCP_SYN_TIMEOUT;
		}
		const probe_target_t *tg = &targets->t[t];
		if (stall)
			finding_add(out, "pattern", tg->addr.family, tg->text, 0,
			            "%s: %u TCP connection(s) completed the handshake, then stalled: a PMTU black hole "
			            "(ICMP needs-frag / packet-too-big filtered on the path)",
			            tg->text, stall);
		if (syn)
			finding_add(out, "pattern", tg->addr.family, tg->text, 0,
			            "%s: %u TCP handshake(s) timed out: TCP/53 blocked on the path", tg->text, syn);
	}
}

int findings_build(const probe_cfg_t *cfg, const probe_targets_t *targets, const probe_plan_t *plan,
                   const report_t *r, probe_findings_t *out)
{
	memset(out, 0, sizeof *out);
	out->id = calloc(targets->n ? targets->n : 1, sizeof *out->id);
	if (!out->id)
		return -1;
	out->nid = targets->n;
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		if (q->kind != QK_NSID && q->kind != QK_HOSTNAME_BIND)
			continue;
		probe_identity_t *id = &out->id[q->target];
		id->asked = 1;
		findings_identity_parse(q->out.answer, q->out.answer_len, q->kind == QK_HOSTNAME_BIND, id);
	}
	findings_interception(cfg, targets, plan, out);
	findings_query_direction(cfg, targets, plan, out);
	findings_inspection(targets, plan, out);
	findings_patterns(targets, plan, r, out);
	return 0;
}

void findings_free(probe_findings_t *f)
{
	free(f->id);
	f->id = NULL;
	f->nid = 0;
}

void findings_apply(const probe_findings_t *f, report_t *r)
{
	for (uint32_t i = 0; i < f->n; i++) {
		if (!f->f[i].raises)
			continue;
		if (r->health == HEALTH_OK) {
			r->health = HEALTH_WARNING;
			snprintf(r->headline, sizeof r->headline, "WARNING: %s", f->f[i].text);
		}
	}
}
