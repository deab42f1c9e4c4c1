/* pipeline.c - record to DNS messages, one capture point at a time (see pipeline.h). */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "ip.h"
#include "link.h"

#define VXLAN_PORT 4789
#define EXPIRE_EVERY_NS 1000000000LL /* check timeouts once per capture second */

struct pipeline {
	pipeline_config_t cfg;
	pipeline_hooks_t hooks;
	reasm_t *reasm;
	tcps_t *tcps;
	pipeline_counts_t counts;
	decode_counts_t decode;
	const pkt_t *cur;     /* the packet being fed, for callbacks fired inside it */
	int64_t last_expire_ns;
};

/* A whole IP datagram: one unfragmented packet, or a reassembled train.
 * The IP fields are pointed to, not copied: the copy of a pkt_ip_t for every
 * packet was 4% of the reading thread (perf, bench/run, 300 MB). */
typedef struct datagram {
	const pkt_ip_t *ip;   /* addresses, id, ttl */
	uint8_t proto;        /* the upper layer (after any IPv6 extension headers) */
	cursor_t payload;
	uint32_t payload_wire_len;
	uint32_t ip_len;
	uint64_t frame, first_frame;
	int64_t ts_ns;
	uint32_t nfrags;
	const reasm_piece_t *pieces;
	int receiver_discards;
} datagram_t;

void pipeline_config_default(pipeline_config_t *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	reasm_limits_default(&cfg->reasm);
	tcps_limits_default(&cfg->tcp);
	/* A capture that starts inside a DNS connection almost always starts at a
	 * message boundary (DNS over TCP is request/response); frame it, and let the
	 * DNS view count what does not parse. */
	cfg->tcp.frame_midstream = 1;
}

static void pipeline_dns_deliver(pipeline_t *p, dns_msg_t *m, cursor_t wire, uint32_t wire_len)
{
	dns_view_t view;
	decode_outcome_t o = dns_view_parse(wire, wire_len, &view, &p->decode);
	if (view.malformed && !view.cut) /* cut by the capture is truncated, not malformed */
		p->counts.dns_malformed++;
	if (o != OUTCOME_OK && view.malformed && wire_len < 12)
		return; /* not even a header: not counted as a query or an answer */
	if (view.qr)
		p->counts.dns_responses++;
	else
		p->counts.dns_queries++;
	p->counts.dns_tc += view.tc;
	if (m->transport == DNS_OVER_UDP)
		p->counts.dns_udp++;
	else
		p->counts.dns_tcp++;
	m->view = &view;
	m->wire = cursor_ptr(&wire);
	m->wire_caplen = (uint32_t)cursor_left(&wire);
	m->point = p->cfg.point;
	if (p->hooks.dns)
		p->hooks.dns(p->hooks.ctx, m);
}

static void pipeline_udp_handle(pipeline_t *p, const datagram_t *d)
{
	l4_udp_t udp;
	if (l4_udp_decode(d->payload, d->payload_wire_len, &udp, &p->decode) != OUTCOME_OK)
		return;
	p->counts.udp++;
	if (udp.sport != DNS_PORT && udp.dport != DNS_PORT) {
		/* DNS first: a client may well pick 4789 as its source port. */
		if (udp.sport == VXLAN_PORT || udp.dport == VXLAN_PORT)
			decode_counts_unsupported(&p->decode, LAYER_UDP, "VXLAN");
		return;
	}
	dns_msg_t m = {
		.transport = DNS_OVER_UDP,
		.src = d->ip->src, .dst = d->ip->dst, .sport = udp.sport, .dport = udp.dport,
		.frame = d->frame, .first_frame = d->first_frame, .ts_ns = d->ts_ns,
		.ip_id = d->ip->id, .ttl = d->ip->ttl, .df = d->ip->df, .ip_len = d->ip_len,
		.nfrags = d->nfrags, .pieces = d->pieces, .receiver_discards = d->receiver_discards,
	};
	pipeline_dns_deliver(p, &m, udp.payload, udp.payload_wire_len);
}

static void pipeline_tcp_event(void *ctx, const tcps_event_t *ev)
{
	pipeline_t *p = ctx;
	if (ev->kind == TCPS_EV_DNS) {
		dns_msg_t m = {
			.transport = DNS_OVER_TCP,
			.src = ev->key->src, .dst = ev->key->dst, .sport = ev->key->sport, .dport = ev->key->dport,
			.frame = ev->frame, .first_frame = ev->first_frame, .ts_ns = ev->ts_ns,
		};
		pipeline_dns_deliver(p, &m, cursor_make(ev->data, ev->len), ev->len);
	}
	if (p->hooks.tcp)
		p->hooks.tcp(p->hooks.ctx, ev, p->cfg.point);
}

static void pipeline_icmp_handle(pipeline_t *p, const datagram_t *d)
{
	l4_icmp_t icmp;
	memset(&icmp, 0, sizeof icmp);
	uint8_t family = d->ip->version;
	if (l4_icmp_decode(family, d->payload, &icmp, &p->decode) != OUTCOME_OK)
		return;
	if (family == 4)
		p->counts.icmp4[icmp.kind]++;
	else
		p->counts.icmp6[icmp.kind]++;
	if (p->hooks.icmp && p->cur)
		p->hooks.icmp(p->hooks.ctx, p->cur, &icmp);
}

/* The upper layer of a whole datagram. */
static void pipeline_datagram_handle(pipeline_t *p, const datagram_t *d)
{
	switch (d->proto) {
	case IP_PROTO_UDP:
		pipeline_udp_handle(p, d);
		break;
	case IP_PROTO_TCP: {
		l4_tcp_t tcp;
		if (l4_tcp_decode(d->payload, d->payload_wire_len, &tcp, &p->decode) != OUTCOME_OK)
			break;
		p->counts.tcp_segments++;
		/* Only DNS flows are worth stream state: other TCP is counted, not followed. */
		if (tcp.sport == DNS_PORT || tcp.dport == DNS_PORT)
			tcps_feed(p->tcps, d->ip, &tcp, d->frame, d->ts_ns);
		break;
	}
	case IP_PROTO_ICMP:
		if (d->ip->version == 4)
			pipeline_icmp_handle(p, d);
		break;
	case IP_PROTO_ICMPV6:
		if (d->ip->version == 6)
			pipeline_icmp_handle(p, d);
		break;
	case IP_PROTO_GRE:
		decode_counts_unsupported(&p->decode, d->ip->version == 4 ? LAYER_IP4 : LAYER_IP6, "GRE");
		break;
	case 4:
		decode_counts_unsupported(&p->decode, d->ip->version == 4 ? LAYER_IP4 : LAYER_IP6, "IPv4-in-IP");
		break;
	case 41:
		decode_counts_unsupported(&p->decode, d->ip->version == 4 ? LAYER_IP4 : LAYER_IP6, "IPv6-in-IP");
		break;
	default:
		break; /* ESP, SCTP, no next header, ...: nothing DNS here */
	}
}

static datagram_t pipeline_datagram_from_packet(const pkt_t *pkt)
{
	datagram_t d = {
		.ip = &pkt->ip, .proto = pkt->ip.proto, .payload = pkt->ip.payload,
		.payload_wire_len = pkt->ip.payload_wire_len,
		.ip_len = pkt->ip.total_len, .frame = pkt->frame, .first_frame = pkt->frame, .ts_ns = pkt->ts_ns,
	};
	return d;
}

/* A train is whole: rebuild the datagram's IP view from its key and decode on. */
static void pipeline_reassembled_handle(pipeline_t *p, const reasm_event_t *ev)
{
	datagram_t d;
	pkt_ip_t ip;
	memset(&d, 0, sizeof d);
	memset(&ip, 0, sizeof ip);
	d.ip = &ip;
	ip.version = ev->key->family;
	ip.src.family = ip.dst.family = ev->key->family;
	memcpy(ip.src.a, ev->key->src, 16);
	memcpy(ip.dst.a, ev->key->dst, 16);
	ip.id = ev->key->id;
	ip.is_fragment = 1;
	d.payload = cursor_make(ev->data, ev->len);
	d.payload_wire_len = ev->len;
	d.proto = ip.proto = ev->next_header;
	if (ev->key->family == 6) {
		uint16_t mask = 0;
		if (ip6_ext_walk(ev->next_header, &d.payload, &d.proto, &mask) != OUTCOME_OK) {
			decode_counts_add(&p->decode, LAYER_IP6_EXT, OUTCOME_INVALID);
			return;
		}
		d.payload_wire_len = (uint32_t)cursor_left(&d.payload);
	}
	ip.proto = d.proto;
	d.ip_len = (ev->key->family == 4 ? 20u : 40u) + ev->len;
	if (p->cur) {
		ip.ttl = p->cur->ip.ttl;
		ip.df = p->cur->ip.df;
	}
	d.nfrags = ev->npieces;
	d.pieces = ev->pieces;
	d.receiver_discards = ev->receiver_discards;
	d.frame = ev->npieces ? ev->pieces[ev->npieces - 1].frame : 0;
	d.first_frame = d.frame;
	d.ts_ns = ev->npieces ? ev->pieces[ev->npieces - 1].ts_ns : 0;
	for (uint32_t i = 0; i < ev->npieces; i++)
		if (ev->pieces[i].offset == 0)
			d.first_frame = ev->pieces[i].frame;
	pipeline_datagram_handle(p, &d);
}

static void pipeline_reasm_event(void *ctx, const reasm_event_t *ev)
{
	pipeline_t *p = ctx;
	int v4 = ev->key->family == 4;
	switch (ev->kind) {
	case REASM_EV_COMPLETE:
		if (v4)
			p->counts.ip4_datagrams++;
		else
			p->counts.ip6_datagrams++;
		break;
	case REASM_EV_INCOMPLETE:
		if (v4) {
			p->counts.ip4_datagrams++;
			p->counts.ip4_incomplete++;
		} else {
			p->counts.ip6_datagrams++;
			p->counts.ip6_incomplete++;
		}
		break;
	case REASM_EV_OVERLAP:
		p->counts.frag_overlap++;
		break;
	case REASM_EV_DUPLICATE:
		p->counts.frag_duplicate++;
		break;
	default:
		break;
	}
	if (p->hooks.reasm)
		p->hooks.reasm(p->hooks.ctx, ev, p->cfg.point);
	if (ev->kind == REASM_EV_COMPLETE)
		pipeline_reassembled_handle(p, ev);
}

static void pipeline_fragment_handle(pipeline_t *p, const pkt_t *pkt)
{
	const pkt_ip_t *ip = &pkt->ip;
	if (ip->version == 4)
		p->counts.ip4_frags++;
	else
		p->counts.ip6_frags++;
	if (ip->chain_incomplete)
		p->counts.first_frag_chain_incomplete++;
	if (ip->version == 6 && ip->frag_offset == 0 && !ip->mf) {
		/* An atomic fragment (RFC 6946): a whole datagram, never reassembled. */
		p->counts.ip6_atomic_frags++;
		datagram_t d = pipeline_datagram_from_packet(pkt);
		uint16_t mask = 0;
		decode_outcome_t o = ip6_ext_walk(ip->proto, &d.payload, &d.proto, &mask);
		if (o != OUTCOME_OK) { /* counted, as for a reassembled datagram */
			decode_counts_add(&p->decode, LAYER_IP6_EXT, o);
			return;
		}
		d.payload_wire_len = (uint32_t)cursor_left(&d.payload);
		pipeline_datagram_handle(p, &d);
		return;
	}
	reasm_frag_t f = {
		.key = { .family = ip->version, .proto = ip->version == 4 ? ip->proto : 0, .id = ip->id },
		.offset = ip->frag_offset,
		.more = ip->mf,
		.data = cursor_ptr(&ip->payload),
		.len = (uint32_t)cursor_left(&ip->payload),
		.wire_len = ip->payload_wire_len,
		.next_header = ip->proto,
		.frame = pkt->frame,
		.ts_ns = pkt->ts_ns,
	};
	memcpy(f.key.src, ip->src.a, ip->version == 4 ? 4 : 16);
	memcpy(f.key.dst, ip->dst.a, ip->version == 4 ? 4 : 16);
	reasm_feed(p->reasm, &f);
}

static void pipeline_expire(pipeline_t *p, int64_t now_ns)
{
	if (now_ns - p->last_expire_ns < EXPIRE_EVERY_NS && now_ns >= p->last_expire_ns)
		return;
	p->last_expire_ns = now_ns;
	reasm_expire(p->reasm, now_ns);
	tcps_expire(p->tcps, now_ns);
}

void pipeline_feed(pipeline_t *p, const capture_record_t *rec)
{
	p->counts.packets++;
	p->counts.bytes += rec->caplen;
	if (rec->wirelen < rec->caplen)
		decode_counts_add(&p->decode, LAYER_CAPTURE, OUTCOME_INVALID);
	else if (rec->wirelen > rec->caplen)
		decode_counts_add(&p->decode, LAYER_CAPTURE, OUTCOME_TRUNCATED);
	else
		decode_counts_add(&p->decode, LAYER_CAPTURE, OUTCOME_OK);

	pkt_t pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.frame = rec->frame;
	pkt.ts_ns = rec->ts_ns;
	pkt.caplen = rec->caplen;
	pkt.wirelen = rec->wirelen;
	pkt.point = p->cfg.point;
	cursor_t frame = cursor_make(rec->data, rec->caplen), net;
	if (link_decode(rec->dlt, &frame, &pkt, &net, &p->decode) != OUTCOME_OK)
		return;
	decode_outcome_t o;
	if (pkt.link.ethertype == LINK_ETHERTYPE_IPV4) {
		o = ip4_decode(&net, &pkt.ip, &p->decode);
		p->counts.ip4_packets += o == OUTCOME_OK;
	} else {
		o = ip6_decode(&net, &pkt.ip, &p->decode);
		p->counts.ip6_packets += o == OUTCOME_OK;
	}
	if (o != OUTCOME_OK)
		return;
	pipeline_expire(p, pkt.ts_ns);
	p->cur = &pkt;
	if (p->hooks.packet)
		p->hooks.packet(p->hooks.ctx, &pkt);
	if (pkt.ip.is_fragment) {
		pipeline_fragment_handle(p, &pkt);
	} else {
		datagram_t d = pipeline_datagram_from_packet(&pkt);
		pipeline_datagram_handle(p, &d);
	}
	p->cur = NULL;
}

void pipeline_flush(pipeline_t *p)
{
	reasm_flush(p->reasm);
	tcps_flush(p->tcps);
}

pipeline_t *pipeline_new(const pipeline_config_t *cfg, const pipeline_hooks_t *hooks)
{
	pipeline_t *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cfg = *cfg;
	if (hooks)
		p->hooks = *hooks;
	p->reasm = reasm_new(&cfg->reasm, pipeline_reasm_event, p);
	p->tcps = tcps_new(&cfg->tcp, pipeline_tcp_event, p);
	p->last_expire_ns = INT64_MIN / 2;
	if (!p->reasm || !p->tcps) {
		pipeline_free(p);
		return NULL;
	}
	return p;
}

void pipeline_free(pipeline_t *p)
{
	if (!p)
		return;
	reasm_free(p->reasm);
	tcps_free(p->tcps);
	free(p);
}

const pipeline_counts_t *pipeline_counts(const pipeline_t *p) { return &p->counts; }
const decode_counts_t *pipeline_decode_counts(const pipeline_t *p) { return &p->decode; }
const reasm_stats_t *pipeline_reasm_stats(const pipeline_t *p) { return reasm_stats(p->reasm); }
const tcps_stats_t *pipeline_tcp_stats(const pipeline_t *p) { return tcps_stats(p->tcps); }
