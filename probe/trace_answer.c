/* trace_answer.c - the answer-direction trace (see trace_answer.h).
 *
 * Per hop limit H, two questions to the responder over an ordinary UDP
 * socket, EDNS 4,096:
 *   control  ttlH.600.size.ZONE   an answer of 600 bytes: never fragmented
 *   probe    ttlH.3000.size.ZONE  3,000 bytes: fragmented by the responder's
 *                                 kernel (IPv4 at its link MTU, IPv6 at 1,280)
 * An answer that arrives means the hop limit reached us. One that does not
 * drew (or not) an ICMP error on the way back to the responder, which the
 * probe then asks about: te<ID>.size.ZONE TXT, with ID the DNS id of the
 * question, answered with one "from=ADDR type=T code=C info=N" string per
 * error. The report travels with the default hop limit and is small.
 * Answers are parsed with ldns (bounds-checked); the TXT strings with
 * sscanf into fixed buffers.
 */
#include "trace_answer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "craft.h"

#define TA_CONTROL_SIZE 600
#define TA_PROBE_SIZE 3000
#define TA_QTYPE_TXT 16

typedef struct ta {
	const probe_cfg_t *cfg;
	const probe_target_t *t;
	uint16_t id_next;
	uint64_t last_send_us;
} ta_t;

static uint64_t ta_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint16_t ta_id(ta_t *a)
{
	if (++a->id_next == 0) /* the responder's teID has no id 0 */
		a->id_next = 1;
	return a->id_next;
}

/* Ask qname (TXT, EDNS 4,096, no RD) with DNS id id; the answer into *pkt
 * (the caller frees it). 1 answered, 0 nothing within the timeout, -1 error. */
static int ta_ask(ta_t *a, const char *qname, uint16_t id, ldns_pkt **pkt, char *err, size_t errlen)
{
	uint8_t q[512], buf[65536];
	size_t qlen;
	craft_query_t cq = { .id = id, .qname = qname, .qtype = TA_QTYPE_TXT, .edns = 1, .udp_size = 4096 };
	*pkt = NULL;
	if (craft_dns_query2wire(&cq, q, sizeof q, &qlen, err, errlen) != CRAFT_OK)
		return -1;
	if (a->cfg->rate && a->last_send_us) { /* pace: routers rate-limit their ICMP */
		uint64_t next = a->last_send_us + 1000000u / a->cfg->rate, now = ta_now_us();
		if (now < next)
			usleep((useconds_t)(next - now));
	}
	int fd = socket(a->t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&a->t->sa, a->t->salen) < 0 || send(fd, q, qlen, 0) < 0) {
		snprintf(err, errlen, "%s: %s", qname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a->last_send_us = ta_now_us();
	uint64_t end = a->last_send_us + (uint64_t)a->cfg->timeout_ms * 1000u;
	int rc = 0;
	for (uint64_t now = ta_now_us(); now < end && !rc; now = ta_now_us()) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, (int)((end - now + 999) / 1000)) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 12)
			continue; /* ECONNREFUSED, a runt: keep waiting for ours */
		ldns_pkt *p = NULL;
		if (ldns_wire2pkt(&p, buf, (size_t)n) != LDNS_STATUS_OK)
			continue;
		if (ldns_pkt_id(p) == id && ldns_pkt_qr(p)) {
			*pkt = p;
			rc = 1;
		} else {
			ldns_pkt_free(p);
		}
	}
	close(fd);
	return rc;
}

/* One "from=ADDR type=T code=C info=N" string of a te report into obs. */
static void ta_te_note(uint8_t family, const char *s, trace_obs_t *o)
{
	char from[64];
	unsigned type, code, info;
	ip_addr_t a;
	memset(&a, 0, sizeof a);
	if (sscanf(s, "from=%63s type=%u code=%u info=%u", from, &type, &code, &info) != 4)
		return;
	a.family = family;
	if (inet_pton(family == 6 ? AF_INET6 : AF_INET, from, a.a) != 1)
		return;
	trace_seen_t seen;
	int te = family == 6 ? type == 3 : type == 11;
	if (te)
		seen = code == 0 ? TRACE_TIME_EXCEEDED : TRACE_REASSEMBLY;
	else if ((family == 4 && type == 3 && code == 4) || (family == 6 && type == 2))
		seen = TRACE_TOO_BIG;
	else
		seen = TRACE_UNREACHABLE;
	if (o->seen != TRACE_SILENT && o->seen != seen)
		return; /* keep the first kind of error; repeats are counted as attempts */
	if (o->seen != TRACE_SILENT && !ip_addr_equal(&o->from, &a))
		o->addr_differs = 1;
	o->seen = seen;
	o->from = a;
	if (seen == TRACE_TIME_EXCEEDED)
		o->first_te = 1;
	if (seen == TRACE_TOO_BIG)
		o->mtu = info;
}

/* The te report for id: every error the responder saw for it. -1: no report. */
static int ta_report(ta_t *a, uint16_t id, trace_obs_t *o, char *err, size_t errlen)
{
	char qname[PROBE_NAME_MAX + 16];
	ldns_pkt *p;
	snprintf(qname, sizeof qname, "te%u.size.%s", id, a->cfg->trace_zone);
	int rc = ta_ask(a, qname, ta_id(a), &p, err, errlen);
	if (rc <= 0) {
		if (rc == 0)
			snprintf(err, errlen, "the responder did not answer %.200s", qname);
		return -1;
	}
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		snprintf(err, errlen, "%.120s: rcode %d (is the responder started with --allow-ttl?)", qname,
		         (int)ldns_pkt_get_rcode(p));
		ldns_pkt_free(p);
		return -1;
	}
	ldns_rr_list *an = ldns_pkt_answer(p);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT || ldns_rr_rd_count(rr) < 1)
			continue;
		ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		const uint8_t *d = ldns_rdf_data(rd);
		size_t len = ldns_rdf_size(rd);
		char s[256];
		if (len < 1 || (size_t)d[0] + 1 > len)
			continue;
		memcpy(s, d + 1, d[0]);
		s[d[0]] = '\0';
		ta_te_note(a->t->addr.family, s, o);
	}
	ldns_pkt_free(p);
	return 0;
}

/* One hop, one kind: ask until the answer or an error shows, or attempts run out. */
static int ta_hop(ta_t *a, trace_obs_t *o, uint32_t hop, unsigned size, char *err, size_t errlen)
{
	char qname[PROBE_NAME_MAX + 32];
	snprintf(qname, sizeof qname, "ttl%u.%u.size.%s", hop, size, a->cfg->trace_zone);
	for (uint32_t k = 0; k < a->cfg->trace_attempts && o->seen == TRACE_SILENT; k++) {
		uint16_t id = ta_id(a);
		ldns_pkt *p;
		uint64_t t0 = ta_now_us();
		o->attempts++;
		int rc = ta_ask(a, qname, id, &p, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			ldns_pkt_rcode rcode = ldns_pkt_get_rcode(p);
			int tc = ldns_pkt_tc(p);
			ldns_pkt_free(p);
			if (rcode != LDNS_RCODE_NOERROR)
				return snprintf(err, errlen, "%.120s: rcode %d (a dnsfrag-responder zone, with --allow-ttl?)",
				                qname, (int)rcode), -1;
			if (tc)
				return snprintf(err, errlen, "%.160s: truncated (TC=1): the answer did not leave fragmented", qname),
				       -1;
			o->seen = TRACE_ANSWER;
			o->from = a->t->addr;
			o->rtt_us = (uint32_t)(ta_now_us() - t0);
			return 0;
		}
		if (ta_report(a, id, o, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void trace_answer_run(const probe_cfg_t *cfg, const probe_target_t *t, const ip_addr_t *src, trace_path_t *p)
{
	char err[256] = "";
	memset(p, 0, sizeof *p);
	p->kind = TRACE_KIND_ANSWER;
	p->family = t->addr.family;
	p->target = t->addr;
	p->source = *src;
	p->control_bytes = TA_CONTROL_SIZE;
	p->probe_bytes = TA_PROBE_SIZE;
	snprintf(p->control_what, sizeof p->control_what, "a %u-byte answer (unfragmented) with the hop limit asked",
	         TA_CONTROL_SIZE);
	snprintf(p->probe_what, sizeof p->probe_what, "a %u-byte answer (fragmented by the responder) with the same "
	         "hop limit", TA_PROBE_SIZE);
	if (!cfg->trace_zone[0]) {
		snprintf(p->error, sizeof p->error,
		         "the answer-direction trace needs a dnsfrag-responder (--allow-ttl) and its zone: --trace-zone");
		trace_path_conclude(p);
		return;
	}
	ta_t a = { .cfg = cfg, .t = t };
	if (getrandom(&a.id_next, sizeof a.id_next, 0) != (ssize_t)sizeof a.id_next)
		a.id_next = (uint16_t)getpid();
	for (uint32_t h = 1; h <= cfg->max_hops && h <= TRACE_MAX_HOPS; h++) {
		trace_hop_t *hop = &p->hop[p->nhops++];
		memset(hop, 0, sizeof *hop);
		hop->hop = h;
		if (ta_hop(&a, &hop->control, h, TA_CONTROL_SIZE, err, sizeof err) < 0 ||
		    ta_hop(&a, &hop->probe, h, TA_PROBE_SIZE, err, sizeof err) < 0) {
			snprintf(p->error, sizeof p->error, "hop %u: %.200s", h, err);
			p->nhops--;
			break;
		}
		if (hop->control.seen == TRACE_ANSWER) {
			p->dest_hop = h;
			break;
		}
	}
	trace_path_conclude(p);
}
