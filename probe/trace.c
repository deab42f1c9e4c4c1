/* trace.c - TTL-limited traces: plan, send, collect per hop, conclude (see
 * trace.h). RFC 792 / RFC 4443 (Time Exceeded, Packet Too Big), RFC 1191 and
 * RFC 8201 (path MTU discovery), RFC 8200 §4.5 (IPv6 fragments).
 *
 * One tracer per target: a libnet crafter (craft.c), a libpcap capture of
 * ICMP / ICMPv6 on the interface toward the target (decoded by common/link.c,
 * ip.c and l4.c: the one parser of ICMP quotes), and one bound UDP socket per
 * probe, on which its answer arrives.
 */
#include "trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "craft.h"
#include "crafted.h"
#include "ip.h"
#include "l4.h"
#include "link.h"
#include "report.h"
#include "textbuf.h"
#include "trace_answer.h"

#define TR_MAX_PROBES 1024
#define TR_MSG_MAX 9000
#define TR_FRAG_DATA 512            /* UDP bytes per fragment of the fragmented query */
#define TR_QTYPE_SOA 6

typedef struct tr_probe {
	uint16_t sport, dnsid;
	uint32_t ipid;       /* IPv4 id, or the IPv6 fragment id (fragmented trains) */
	int fd;
	trace_obs_t *obs;
	uint8_t v6frag;      /* an IPv6 fragment train: wait for the non-first fragments' Time Exceeded too */
	uint64_t sent_us;
} tr_probe_t;

typedef struct tracer {
	const probe_cfg_t *cfg;
	const probe_target_t *t;
	uint8_t family;
	ip_addr_t src, dst;
	craft_t *craft;
	pcap_t *pcap;
	int pfd, dlt;
	tr_probe_t probes[TR_MAX_PROBES];
	uint32_t nprobes;
	uint32_t ipid_next;
	uint16_t dnsid_next;
	uint64_t last_send_us;
	uint8_t msg[TR_MSG_MAX];
	uint8_t train[TR_MSG_MAX + CRAFT_MAX_PACKETS * (CRAFT_IP6_HDR + CRAFT_IP6_FRAG_HDR) + 64];
	decode_counts_t dc;
} tracer_t;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint32_t rnd32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now_us();
	return v;
}

/* How much a reply tells: an answer beats an error, which beats silence. */
static int seen_rank(trace_seen_t s)
{
	static const int rank[TRACE_SEEN_COUNT] = { 0, 2, 5, 4, 3, 1, 0 };
	return s < TRACE_SEEN_COUNT ? rank[s] : 0;
}

static void obs_note(trace_obs_t *o, trace_seen_t s, const ip_addr_t *from, uint32_t mtu, uint64_t sent_us)
{
	if (o->seen != TRACE_SILENT && !ip_addr_equal(from, &o->from) && seen_rank(s) == seen_rank(o->seen))
		o->addr_differs = 1;
	if (o->seen == TRACE_SILENT || seen_rank(s) > seen_rank(o->seen)) {
		o->seen = s;
		o->from = *from;
		o->mtu = mtu;
	}
	if (!o->rtt_us && sent_us)
		o->rtt_us = (uint32_t)(now_us() - sent_us);
}

/* ------------------------------------------------------------ capture */

/* An ICMP error quoting one of our probes: note it on the probe's record. */
static void tr_icmp(tracer_t *tr, const pkt_ip_t *ip, const l4_icmp_t *ic)
{
	const pkt_ip_t *q = &ic->quoted;
	if (!ip_addr_equal(&q->dst, &tr->dst) || !ip_addr_equal(&q->src, &tr->src))
		return;
	for (uint32_t i = tr->nprobes; i-- > 0;) {
		tr_probe_t *p = &tr->probes[i];
		int match;
		if (tr->family == 4)
			match = q->id == p->ipid;
		else if (q->is_fragment)
			match = q->id == p->ipid;
		else
			match = ic->quoted_ports && ic->quoted_sport == p->sport && !p->v6frag;
		if (!match)
			continue;
		trace_seen_t s;
		switch (ic->kind) {
		case ICMP_KIND_TTL_EXCEEDED: s = TRACE_TIME_EXCEEDED; break;
		case ICMP_KIND_REASSEMBLY_TIMEOUT: s = TRACE_REASSEMBLY; break;
		case ICMP_KIND_NEEDS_FRAG:
		case ICMP_KIND_PACKET_TOO_BIG: s = TRACE_TOO_BIG; break;
		default: s = TRACE_UNREACHABLE; break;
		}
		if (s == TRACE_TIME_EXCEEDED) {
			/* Which fragment the router quoted: IPv4 routers quote fragment zero only. */
			if (!q->is_fragment || q->frag_offset == 0)
				p->obs->first_te = 1;
			else
				p->obs->later_te = 1;
		}
		obs_note(p->obs, s, &ip->src, ic->mtu, p->sent_us);
		return;
	}
}

static void tr_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	tracer_t *tr = (tracer_t *)user;
	cursor_t frame = cursor_make(data, h->caplen), net;
	pkt_t pkt;
	memset(&pkt, 0, sizeof pkt);
	if (link_decode(tr->dlt, &frame, &pkt, &net, &tr->dc) != OUTCOME_OK)
		return;
	decode_outcome_t o = pkt.link.ethertype == LINK_ETHERTYPE_IPV6 ? ip6_decode(&net, &pkt.ip, &tr->dc)
	                                                                : ip4_decode(&net, &pkt.ip, &tr->dc);
	/* An ICMP error is small: one whose packet is itself fragmented is not ours to read. */
	if (o != OUTCOME_OK || pkt.ip.is_fragment || pkt.ip.version != tr->family)
		return;
	if (pkt.ip.proto != (tr->family == 6 ? IP_PROTO_ICMPV6 : IP_PROTO_ICMP))
		return;
	l4_icmp_t ic;
	memset(&ic, 0, sizeof ic);
	if (l4_icmp_decode(tr->family, pkt.ip.payload, &ic, &tr->dc) != OUTCOME_OK || ic.kind == ICMP_KIND_NOT_ERROR ||
	    !ic.quoted_ok)
		return;
	tr_icmp(tr, &pkt.ip, &ic);
}

/* A DNS answer on a probe's socket: ours when it carries our id and QR. */
static void tr_socket_read(tracer_t *tr, tr_probe_t *p)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = recv(p->fd, buf, sizeof buf, 0);
		if (n < 0)
			return;
		cursor_t c = cursor_make(buf, (size_t)n);
		uint16_t id = cursor_u16(&c), flags = cursor_u16(&c);
		if (cursor_ok(&c) && id == p->dnsid && (flags & 0x8000))
			obs_note(p->obs, TRACE_ANSWER, &tr->dst, 0, p->sent_us);
	}
}

static int tr_probe_done(const tr_probe_t *p)
{
	const trace_obs_t *o = p->obs;
	if (o->seen == TRACE_SILENT)
		return 0;
	/* An IPv6 train: both kinds of fragment tell, unless the answer came. */
	if (p->v6frag && o->seen == TRACE_TIME_EXCEEDED)
		return o->first_te && o->later_te;
	return 1;
}

/* Collect replies until p is answered (NULL: only the time) or ms pass. */
static void tr_wait(tracer_t *tr, tr_probe_t *p, uint32_t ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000u;
	for (;;) {
		struct pollfd pf[2] = { { tr->pfd, POLLIN, 0 }, { p ? p->fd : -1, POLLIN, 0 } };
		uint64_t now = now_us();
		if (now >= end)
			break;
		int wait_ms = (int)((end - now + 999) / 1000);
		(void)poll(pf, p ? 2 : 1, wait_ms > 50 ? 50 : wait_ms);
		(void)pcap_dispatch(tr->pcap, -1, tr_packet, (u_char *)tr);
		if (p) {
			tr_socket_read(tr, p);
			if (tr_probe_done(p))
				break;
		}
	}
}

/* Close every probe socket (after reading what they hold) and forget the probes. */
static void tr_probes_reset(tracer_t *tr)
{
	for (uint32_t i = 0; i < tr->nprobes; i++) {
		tr_socket_read(tr, &tr->probes[i]);
		close(tr->probes[i].fd);
	}
	tr->nprobes = 0;
}

/* Pace: at most cfg->rate probes a second (ICMP is rate-limited by routers). */
static void tr_pace(tracer_t *tr)
{
	if (!tr->cfg->rate || !tr->last_send_us)
		return;
	uint64_t gap = 1000000u / tr->cfg->rate, next = tr->last_send_us + gap;
	if (now_us() < next)
		tr_wait(tr, NULL, (uint32_t)((next - now_us() + 999) / 1000));
}

/* ------------------------------------------------------------ sending */

/* The probe's DNS message: ". SOA" with EDNS, padded to payload bytes (RFC
 * 7830) so the control and the probe carry the same question and differ only
 * in size or fragmentation. */
static int tr_query(tracer_t *tr, uint16_t id, size_t payload, size_t *len, char *err, size_t errlen)
{
	craft_query_t q = { .id = id, .qname = ".", .qtype = TR_QTYPE_SOA, .edns = 1, .udp_size = 1232 };
	if (craft_dns_query2wire(&q, tr->msg, sizeof tr->msg, len, err, errlen) != CRAFT_OK)
		return -1;
	if (payload > sizeof tr->msg)
		payload = sizeof tr->msg;
	if (payload >= *len + 4 &&
	    craft_dns_pad(tr->msg, *len, sizeof tr->msg, payload, len, err, errlen) != CRAFT_OK)
		return -1;
	return 0;
}

/* Send one crafted probe: the query padded to payload bytes, TTL ttl, as
 * fragments of frag bytes (0: one packet), DF (IPv4). Its record, or NULL
 * (the reason noted in err). */
static tr_probe_t *tr_send(tracer_t *tr, trace_obs_t *obs, uint8_t ttl, size_t payload, uint32_t frag, int df,
                           char *err, size_t errlen)
{
	if (tr->nprobes >= TR_MAX_PROBES)
		return snprintf(err, errlen, "too many probes"), NULL;
	tr_probe_t *p = &tr->probes[tr->nprobes];
	memset(p, 0, sizeof *p);
	p->dnsid = tr->dnsid_next++;
	size_t len;
	if (tr_query(tr, p->dnsid, payload, &len, err, errlen) < 0)
		return NULL;
	if (craft_port_bind(&tr->src, &p->fd, &p->sport, err, errlen) != CRAFT_OK)
		return NULL;
	if (connect(p->fd, (const struct sockaddr *)&tr->t->sa, tr->t->salen) < 0 ||
	    fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		close(p->fd);
		return NULL;
	}
	/* A fresh id per probe: the quoted id ties an ICMP error to it. */
	p->ipid = tr->family == 4 ? 1 + tr->ipid_next++ % 65535 : tr->ipid_next++;
	craft_params_t cp = {
		.src = tr->src, .dst = tr->dst, .sport = p->sport, .dport = 53, .ttl = ttl,
		.df = tr->family == 4 && df, .id = p->ipid, .frag_data = frag,
	};
	static craft_train_t train;
	if (craft_udp2train(&cp, tr->msg, len, tr->train, sizeof tr->train, &train, err, errlen) != CRAFT_OK ||
	    craft_send_train(tr->craft, &train, err, errlen) != CRAFT_OK) {
		close(p->fd);
		return NULL;
	}
	p->obs = obs;
	p->v6frag = tr->family == 6 && frag;
	p->sent_us = tr->last_send_us = now_us();
	obs->attempts++;
	tr->nprobes++;
	return p;
}

/* Probe one hop with one kind of packet, repeating while it draws nothing. */
static int tr_probe_hop(tracer_t *tr, trace_obs_t *obs, uint8_t ttl, size_t payload, uint32_t frag, int df, char *err,
                        size_t errlen)
{
	for (uint32_t a = 0; a < tr->cfg->trace_attempts; a++) {
		tr_pace(tr);
		tr_probe_t *p = tr_send(tr, obs, ttl, payload, frag, df, err, errlen);
		if (!p)
			return -1;
		tr_wait(tr, p, tr->cfg->timeout_ms);
		if (tr_probe_done(p))
			break;
	}
	return 0;
}

/* The hop loop shared by the query and PMTU traces: control and probe at TTL
 * 1, 2, ... until the control is answered or max-hops. */
static void tr_trace_hops(tracer_t *tr, trace_path_t *p, size_t ctl_payload, uint32_t ctl_frag, size_t prb_payload,
                          uint32_t prb_frag, int df)
{
	char err[256];
	p->target = tr->dst;
	p->source = tr->src;
	p->family = tr->family;
	for (uint32_t h = 1; h <= tr->cfg->max_hops && h <= TRACE_MAX_HOPS; h++) {
		trace_hop_t *hop = &p->hop[p->nhops++];
		memset(hop, 0, sizeof *hop);
		hop->hop = h;
		if (tr_probe_hop(tr, &hop->control, (uint8_t)h, ctl_payload, ctl_frag, df, err, sizeof err) < 0 ||
		    tr_probe_hop(tr, &hop->probe, (uint8_t)h, prb_payload, prb_frag, df, err, sizeof err) < 0) {
			snprintf(p->error, sizeof p->error, "hop %u: %.200s", h, err);
			break;
		}
		if (hop->control.seen == TRACE_ANSWER) {
			p->dest_hop = h;
			break;
		}
	}
	tr_wait(tr, NULL, tr->cfg->settle_ms); /* late errors: reassembly time exceeded */
	tr_probes_reset(tr);
	trace_path_conclude(p);
}

/* ------------------------------------------------------------ PMTU */

static const uint32_t pmtu_sizes[] = { 9000, 4352, 1500, 1492, 1480, 1472, 1460, 1452, 1400, 1360, 1280, 1232,
	                               1200, 1100, 1024, 900, 800, 700, 576 };

static trace_size_t *pmtu_try(tracer_t *tr, trace_pmtu_t *m, uint32_t size, int search)
{
	char err[256];
	uint32_t hdr = tr->family == 6 ? CRAFT_IP6_HDR : CRAFT_IP4_HDR;
	if (m->ntried >= TRACE_MAX_SIZES)
		return NULL;
	trace_size_t *s = &m->tried[m->ntried++];
	memset(s, 0, sizeof *s);
	s->size = size;
	s->search = (uint8_t)search;
	if (tr_probe_hop(tr, &s->obs, 64, size - hdr - CRAFT_UDP_HDR, 0, 1, err, sizeof err) < 0) {
		if (strstr(err, "Message too long")) {
			/* This host refuses it: its route (or a path MTU it learned from an
			 * earlier packet-too-big) is smaller. Not evidence about the path. */
			s->obs.seen = TRACE_LOCAL;
			m->local_refused = size;
			return s;
		}
		snprintf(m->error, sizeof m->error, "%u bytes: %.200s", size, err);
		m->ntried--;
		return NULL;
	}
	if (s->obs.seen == TRACE_TOO_BIG && s->obs.mtu && (!m->ptb_mtu || s->obs.mtu < m->ptb_mtu)) {
		m->ptb_mtu = s->obs.mtu;
		m->ptb_from = s->obs.from;
	}
	return s;
}

static void tr_pmtu(tracer_t *tr, trace_pmtu_t *m, uint32_t link_mtu)
{
	uint32_t floor = tr->family == 6 ? 1280 : 576;
	m->family = tr->family;
	m->target = tr->dst;
	m->source = tr->src;
	/* Decreasing sizes from the interface's MTU; a packet-too-big's MTU is tried next. */
	uint32_t cur = link_mtu;
	for (;;) {
		trace_size_t *s = pmtu_try(tr, m, cur, 0);
		if (!s)
			break;
		if (s->obs.seen == TRACE_ANSWER) {
			m->largest_ok = cur;
			break;
		}
		m->smallest_lost = cur;
		uint32_t next = 0;
		if (m->ptb_mtu && m->ptb_mtu < cur && m->ptb_mtu >= floor)
			next = m->ptb_mtu;
		for (size_t i = 0; i < sizeof pmtu_sizes / sizeof pmtu_sizes[0] && !next; i++)
			if (pmtu_sizes[i] < cur && pmtu_sizes[i] >= floor)
				next = pmtu_sizes[i];
		if (next && m->ptb_mtu && m->ptb_mtu < next && m->ptb_mtu >= floor)
			next = m->ptb_mtu;
		if (!next)
			break;
		cur = next;
	}
	/* Binary search between the largest delivered and the smallest lost size,
	 * unless a packet-too-big named the MTU and that size was delivered. */
	if (m->largest_ok && m->smallest_lost && m->ptb_mtu != m->largest_ok) {
		uint32_t lo = m->largest_ok, hi = m->smallest_lost;
		while (hi - lo > 1) {
			uint32_t mid = lo + (hi - lo) / 2;
			trace_size_t *s = pmtu_try(tr, m, mid, 1);
			if (!s)
				break;
			if (s->obs.seen == TRACE_ANSWER)
				lo = mid;
			else
				hi = mid;
		}
		m->largest_ok = lo;
		m->smallest_lost = hi;
	}
	tr_probes_reset(tr);
	char a[64];
	int lost_without_icmp = 0;
	for (uint32_t i = 0; i < m->ntried; i++)
		if (m->tried[i].obs.seen == TRACE_SILENT && m->tried[i].size > m->largest_ok)
			lost_without_icmp = 1;
	if (m->local_refused && !lost_without_icmp && !m->ptb_mtu) {
		snprintf(m->sentence, sizeof m->sentence,
		         "this host refuses DF packets of %u bytes toward the target (its route MTU, or a path MTU it "
		         "learned earlier: ip route flush cache); largest delivered %u", m->local_refused, m->largest_ok);
		return;
	}
	if (!m->largest_ok) {
		snprintf(m->sentence, sizeof m->sentence, "no DF query was answered, not even %u bytes: no conclusion",
		         m->ntried ? m->tried[m->ntried - 1].size : 0);
		return;
	}
	if (!m->smallest_lost) {
		m->mtu = 0;
		snprintf(m->sentence, sizeof m->sentence, "DF packets of %u bytes (the interface MTU) are delivered: no "
		         "bottleneck below it", m->largest_ok);
		return;
	}
	if (m->smallest_lost == m->largest_ok + 1)
		m->mtu = m->largest_ok;
	if (m->ptb_mtu && !lost_without_icmp) {
		snprintf(m->sentence, sizeof m->sentence,
		         "MTU bottleneck %u reported by %s (needs-frag / packet-too-big arrives: path MTU discovery works)",
		         m->ptb_mtu, ip_addr2str(&m->ptb_from, a, sizeof a));
	} else if (!m->ptb_mtu && lost_without_icmp) {
		m->black_hole = 1;
		snprintf(m->sentence, sizeof m->sentence,
		         "PMTU black hole: DF packets of %u bytes and more vanish and no needs-frag / packet-too-big comes "
		         "back; path MTU %u%s", m->smallest_lost, m->largest_ok,
		         m->mtu ? "" : " or a little more (bounds in the sizes tried)");
	} else {
		snprintf(m->sentence, sizeof m->sentence,
		         "MTU bottleneck: %s reports MTU %u, but some larger DF packets vanished without an ICMP error "
		         "(rate limiting, or a second bottleneck that swallows its ICMP); largest delivered %u",
		         ip_addr2str(&m->ptb_from, a, sizeof a), m->ptb_mtu, m->largest_ok);
	}
	if (m->local_refused && m->smallest_lost >= m->local_refused)
		return; /* the lost size cannot even leave this host */
	if (!m->black_hole)
		return; /* a too-big already names the router; and this host now refuses the larger size itself */
	/* Where: the smallest lost size against the largest delivered one, by hop. */
	trace_path_t *w = &m->where;
	memset(w, 0, sizeof *w);
	w->kind = TRACE_KIND_PMTU;
	uint32_t hdr = tr->family == 6 ? CRAFT_IP6_HDR : CRAFT_IP4_HDR;
	w->control_bytes = m->largest_ok;
	w->probe_bytes = m->smallest_lost;
	snprintf(w->control_what, sizeof w->control_what, "DF query of %u bytes (delivered)", m->largest_ok);
	snprintf(w->probe_what, sizeof w->probe_what, "DF query of %u bytes (lost)", m->smallest_lost);
	tr_trace_hops(tr, w, m->largest_ok - hdr - CRAFT_UDP_HDR, 0, m->smallest_lost - hdr - CRAFT_UDP_HDR, 0, 1);
	m->where_run = 1;
	if (w->verdict == TRACE_LOCATED || w->verdict == TRACE_AMBIGUOUS) {
		char b[64];
		text_appendf(m->sentence, sizeof m->sentence, "; the bottleneck is between hop %u (%s) and hop %u (%s)",
		        w->after_hop, trace_addr_text(&w->after_addr, a, sizeof a, "no reply"), w->before_hop,
		        trace_addr_text(&w->before_addr, b, sizeof b, "no reply"));
	}
}

/* ------------------------------------------------------------ set-up */

static uint32_t iface_mtu_of(const char *iface)
{
	char path[128], buf[32];
	snprintf(path, sizeof path, "/sys/class/net/%s/mtu", iface);
	FILE *f = fopen(path, "r");
	uint32_t mtu = 1500;
	if (f) {
		if (fgets(buf, sizeof buf, f)) {
			unsigned long v = strtoul(buf, NULL, 10);
			if (v >= 576 && v <= 65535)
				mtu = (uint32_t)v;
		}
		fclose(f);
	}
	return mtu;
}

static int tr_open(tracer_t *tr, const probe_cfg_t *cfg, const probe_target_t *t, const char *iface, char *err,
                   size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	tr->cfg = cfg;
	tr->t = t;
	tr->family = t->addr.family;
	tr->dst = t->addr;
	tr->ipid_next = rnd32();
	tr->dnsid_next = (uint16_t)rnd32();
	const char *dev = cfg->vrf[0] ? cfg->vrf : cfg->iface[0] ? cfg->iface : NULL;
	if (cfg->sources[tr->family == 6][0]) {
		memset(&tr->src, 0, sizeof tr->src);
		tr->src.family = tr->family;
		if (inet_pton(tr->family == 6 ? AF_INET6 : AF_INET, cfg->sources[tr->family == 6], tr->src.a) != 1)
			return snprintf(err, errlen, "source %s is not an IPv%u address", cfg->sources[tr->family == 6],
			                tr->family), -1;
	} else if (crafted_route_source(t, dev, &tr->src, err, errlen) < 0) {
		return -1;
	}
	if (craft_open(&tr->craft, tr->family, dev, err, errlen) != CRAFT_OK)
		return -1;
	/* The trace's fragments must leave as crafted, or their fate says nothing. */
	char text[1024];
	craft_status_t st = craft_selfcheck(tr->craft, iface, &tr->src, &tr->dst, text, sizeof text);
	if (st != CRAFT_OK)
		return snprintf(err, errlen, "crafted IPv%u fragments do not leave this host as crafted: %.700s", tr->family,
		                text), -1;
	tr->pcap = pcap_create(iface, ebuf);
	if (!tr->pcap)
		return snprintf(err, errlen, "capture on %s: %s", iface, ebuf), -1;
	pcap_set_snaplen(tr->pcap, 2048);
	pcap_set_immediate_mode(tr->pcap, 1);
	pcap_set_timeout(tr->pcap, 10);
	struct bpf_program prog;
	if (pcap_activate(tr->pcap) < 0 ||
	    pcap_compile(tr->pcap, &prog, tr->family == 6 ? "icmp6" : "icmp", 1, PCAP_NETMASK_UNKNOWN) < 0)
		return snprintf(err, errlen, "capture on %s: %s", iface, pcap_geterr(tr->pcap)), -1;
	int rc = pcap_setfilter(tr->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0 || pcap_setnonblock(tr->pcap, 1, ebuf) < 0)
		return snprintf(err, errlen, "capture on %s: %s", iface, pcap_geterr(tr->pcap)), -1;
	tr->dlt = pcap_datalink(tr->pcap);
	tr->pfd = pcap_get_selectable_fd(tr->pcap);
	if (!link_dlt_supported(tr->dlt) || tr->pfd < 0)
		return snprintf(err, errlen, "capture on %s: link type %d not usable", iface, tr->dlt), -1;
	return 0;
}

static void tr_close(tracer_t *tr)
{
	tr_probes_reset(tr);
	if (tr->pcap)
		pcap_close(tr->pcap);
	craft_close(tr->craft);
	tr->pcap = NULL;
	tr->craft = NULL;
}

static void path_fail(trace_path_t *p, trace_kind_t kind, const probe_target_t *t, const char *err)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->family = t->addr.family;
	p->target = t->addr;
	snprintf(p->error, sizeof p->error, "%s", err);
	trace_path_conclude(p);
}

/* The query-direction trace: the same padded query whole and fragmented. */
static void tr_query_trace(tracer_t *tr, trace_path_t *p)
{
	uint32_t frag = tr->cfg->frag_query ? tr->cfg->frag_query : TR_FRAG_DATA;
	size_t payload = 2 * (size_t)frag - CRAFT_UDP_HDR; /* two fragments' worth of UDP */
	uint32_t hdr = tr->family == 6 ? CRAFT_IP6_HDR : CRAFT_IP4_HDR;
	memset(p, 0, sizeof *p);
	p->kind = TRACE_KIND_QUERY;
	p->control_bytes = (uint32_t)(hdr + CRAFT_UDP_HDR + payload);
	p->probe_bytes = p->control_bytes;
	snprintf(p->control_what, sizeof p->control_what, "'. SOA' query padded to %zu bytes, unfragmented", payload);
	snprintf(p->probe_what, sizeof p->probe_what, "the same query in 2 fragments of %u UDP bytes", frag);
	tr_trace_hops(tr, p, payload, 0, payload, frag, 0);
}

static int health_max(int a, int b)
{
	return a > b ? a : b;
}

int trace_run(const probe_cfg_t *cfg, const probe_targets_t *targets, const char *iface, trace_result_t *res,
              char *err, size_t errlen)
{
	memset(res, 0, sizeof *res);
	res->health = HEALTH_OK;
	int ran = 0;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		const probe_target_t *t = NULL;
		for (uint32_t i = 0; i < targets->n && !t; i++)
			if (targets->t[i].addr.family == fam)
				t = &targets->t[i];
		if (!t)
			continue;
		tracer_t *tr = calloc(1, sizeof *tr);
		if (!tr)
			return snprintf(err, errlen, "out of memory"), -1;
		char e[1024] = "";
		int ok = tr_open(tr, cfg, t, iface, e, sizeof e) == 0;
		if (!ok && strstr(e, "ermission")) {
			snprintf(err, errlen, "%s", e);
			tr_close(tr);
			free(tr);
			return -1;
		}
		if (cfg->trace & TRACE_DO_QUERY) {
			trace_path_t *p = &res->path[res->npaths++];
			if (ok)
				tr_query_trace(tr, p);
			else
				path_fail(p, TRACE_KIND_QUERY, t, e);
		}
		if (cfg->trace & TRACE_DO_ANSWER) {
			trace_path_t *p = &res->path[res->npaths++];
			/* Ordinary sockets only: it runs even when crafting could not start. */
			ip_addr_t src;
			char e2[256];
			const char *dev = cfg->vrf[0] ? cfg->vrf : cfg->iface[0] ? cfg->iface : NULL;
			if (ok)
				trace_answer_run(cfg, t, &tr->src, p);
			else if (crafted_route_source(t, dev, &src, e2, sizeof e2) == 0)
				trace_answer_run(cfg, t, &src, p);
			else
				path_fail(p, TRACE_KIND_ANSWER, t, e2);
		}
		if (cfg->trace & TRACE_DO_PMTU) {
			trace_pmtu_t *m = &res->pmtu[res->npmtu++];
			memset(m, 0, sizeof *m);
			if (ok)
				tr_pmtu(tr, m, iface_mtu_of(iface));
			else {
				m->family = fam;
				m->target = t->addr;
				snprintf(m->error, sizeof m->error, "%s", e);
				snprintf(m->sentence, sizeof m->sentence, "the PMTU trace could not run: %s", e);
			}
		}
		tr_close(tr);
		free(tr);
		ran = 1;
	}
	if (!ran)
		return snprintf(err, errlen, "no target to trace"), -1;
	/* Health: fragments dying on the way is a finding (WARNING, as elsewhere in
	 * dnsfrag); a PMTU black hole loses answers outright (CRITICAL); no
	 * conclusion at all is UNKNOWN. */
	int any = 0;
	for (uint32_t i = 0; i < res->npaths; i++) {
		const trace_path_t *p = &res->path[i];
		if (p->verdict == TRACE_UNKNOWN)
			continue;
		any = 1;
		if (p->verdict != TRACE_PASS)
			res->health = health_max(res->health, HEALTH_WARNING);
	}
	for (uint32_t i = 0; i < res->npmtu; i++) {
		const trace_pmtu_t *m = &res->pmtu[i];
		if (!m->largest_ok)
			continue;
		any = 1;
		if (m->black_hole)
			res->health = health_max(res->health, HEALTH_CRITICAL);
	}
	if (!any)
		res->health = HEALTH_UNKNOWN;
	return 0;
}
