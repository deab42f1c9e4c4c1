/* fuzz_tcpstream.c - TCP stream reassembly and RFC 7766 DNS framing fed a
 * sequence of segments for a few flows, under tight limits, then flushed.
 * Each segment is 12 bytes of header then its payload:
 *   [flags: TCP flags (FIN SYN RST PSH ACK) in bits 0-4, bits 5-6 which of 4 flows,
 *    bit7 reverse direction][seq: 4][ack: 4][len: 1][time step in 100 ms: 1][cut: 1]
 * "cut" > 0 makes the capture hold cut fewer bytes than the segment had.
 * Invariants: a DNS message is exactly its prefix's length, a cut one shorter
 * than announced, every flow ends exactly once, counters agree with events. */
#include <stdint.h>
#include <string.h>

#include "tcpstream.h"

typedef struct fuzz_tally {
	uint64_t sum, ends, dns, cuts;
} fuzz_tally_t;

static void fuzz_event(void *ctx, const tcps_event_t *ev)
{
	fuzz_tally_t *t = ctx;
	for (uint32_t i = 0; ev->data && i < ev->len; i++) /* touch every byte handed out */
		t->sum += ev->data[i];
	if (ev->kind == TCPS_EV_END)
		t->ends++;
	if (ev->kind == TCPS_EV_DNS && (t->dns++, ev->len == 0 || ev->len > 65535))
		__builtin_trap();
	if (ev->kind == TCPS_EV_DNS_CUT && (t->cuts++, ev->want != 0 && ev->len >= ev->want))
		__builtin_trap();
	if (ev->kind == TCPS_EV_GAP && ev->gap_len == 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tcps_limits_t lim;
	tcps_limits_default(&lim);
	lim.max_flows = 2;
	lim.max_ooo_bytes = 512;
	lim.max_total_bytes = 1024;
	lim.idle_timeout_ns = 5000000000LL;
	lim.frame_midstream = size > 0 && (data[0] & 0x80); /* either policy, by the first byte */
	fuzz_tally_t tally = { 0 };
	tcps_t *t = tcps_new(&lim, fuzz_event, &tally);
	if (!t)
		return 0;
	int64_t now = 0;
	size_t pos = 0;
	uint64_t frame = 1;
	while (pos + 12 <= size) {
		const uint8_t *h = data + pos;
		uint32_t len = h[9], cut = h[11];
		now += (int64_t)h[10] * 100000000LL;
		pos += 12;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		pkt_ip_t ip;
		memset(&ip, 0, sizeof ip);
		ip.version = 4;
		ip.src.family = ip.dst.family = 4;
		ip.src.a[0] = 192, ip.dst.a[0] = 198, ip.src.a[3] = (h[0] >> 5) & 3;
		l4_tcp_t tcp;
		memset(&tcp, 0, sizeof tcp);
		tcp.sport = 40000 + ((h[0] >> 5) & 3), tcp.dport = 53;
		tcp.flags = h[0] & 0x1f;
		tcp.seq = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
		tcp.ack = (uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8];
		tcp.payload = cursor_make(data + pos, cut < len ? len - cut : 0);
		tcp.payload_wire_len = len;
		if (h[0] & 0x80) { /* the other direction */
			ip_addr_t a = ip.src;
			ip.src = ip.dst, ip.dst = a;
			uint16_t p = tcp.sport;
			tcp.sport = tcp.dport, tcp.dport = p;
		}
		tcps_feed(t, &ip, &tcp, frame++, now);
		pos += len;
	}
	tcps_flush(t);
	const tcps_stats_t *st = tcps_stats(t);
	if (tally.ends != st->flows || tally.dns != st->dns_messages || tally.cuts != st->dns_cut)
		__builtin_trap(); /* every flow ends once; counters agree with events */
	tcps_free(t);
	return 0;
}
