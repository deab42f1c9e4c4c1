/* test_tcpstream.c - TCP stream reassembly and RFC 7766 DNS framing.
 *
 * Segments are built as decoded records (pkt_ip_t, l4_tcp_t), no pcap. Every
 * event is rendered as one line of a trace and each test pins the whole trace,
 * bytes included, so an extra, missing or reordered event fails.
 *
 * Trace lines: <who> <event> <fields>, where who is c (client -> server) or s
 * (server -> client), followed by the client port when it is not 40000.
 * Data is quoted with \xNN for bytes that are not printable; f=frame/first_frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcpstream.h"

#define CLIENT_PORT 40000
#define SERVER_PORT 53
#define C_ISN 1000u
#define S_ISN 5000u
#define MS 1000000ll
#define SEC 1000000000ll

enum { C, S }; /* who sends a segment */

typedef struct fixture {
	tcps_t *t;
	tcps_limits_t lim;
	char trace[16384];
	size_t used;
} fixture_t;

/* ---- rendering */

static void trace_add(fixture_t *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(x->trace + x->used, sizeof(x->trace) - x->used, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(x->trace) - x->used);
	x->used += (size_t)n;
}

static void trace_bytes(fixture_t *x, const uint8_t *p, uint32_t len)
{
	trace_add(x, " \"");
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			trace_add(x, "%c", p[i]);
		else
			trace_add(x, "\\x%02x", p[i]);
	}
	trace_add(x, "\"");
}

/* The client is the endpoint that is not port 53. */
static void trace_who(fixture_t *x, const tcp_flow_key_t *k)
{
	int from_server = k->sport == SERVER_PORT;
	uint16_t cport = from_server ? k->dport : k->sport;
	trace_add(x, "%s", from_server ? "s" : "c");
	if (cport != CLIENT_PORT)
		trace_add(x, "%u", cport);
}

static void on_event(void *ctx, const tcps_event_t *ev)
{
	fixture_t *x = ctx;
	trace_who(x, ev->key);
	trace_add(x, " %s", tcps_event2str(ev->kind));
	switch (ev->kind) {
	case TCPS_EV_SYN:
	case TCPS_EV_SYNACK:
		trace_add(x, " mss=%u f=%llu", ev->mss, (unsigned long long)ev->frame);
		break;
	case TCPS_EV_DATA:
	case TCPS_EV_DNS:
		trace_add(x, " %u", ev->len);
		trace_bytes(x, ev->data, ev->len);
		trace_add(x, " f=%llu/%llu", (unsigned long long)ev->frame, (unsigned long long)ev->first_frame);
		break;
	case TCPS_EV_DNS_CUT:
		trace_add(x, " %u/%u", ev->len, ev->want);
		trace_bytes(x, ev->data, ev->len);
		trace_add(x, " why=%s f=%llu", tcps_why2str(ev->why), (unsigned long long)ev->frame);
		break;
	case TCPS_EV_GAP:
		trace_add(x, " %u why=%s f=%llu", ev->gap_len, tcps_why2str(ev->why), (unsigned long long)ev->frame);
		break;
	case TCPS_EV_END:
		trace_add(x, " why=%s f=%llu", tcps_why2str(ev->why), (unsigned long long)ev->frame);
		break;
	default:
		trace_add(x, " f=%llu", (unsigned long long)ev->frame);
		break;
	}
	trace_add(x, "\n");
}

static void trace_expect(fixture_t *x, const char *want)
{
	assert_string_equal(x->trace, want);
	x->used = 0;
	x->trace[0] = '\0';
}

/* ---- segments */

static void addr4(ip_addr_t *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->a[0] = 192;
	a->a[1] = 0;
	a->a[2] = 2;
	a->a[3] = last;
}

/* One segment of the connection from client port cport, fed at ts_ns. */
static void feed(tcps_t *t, uint16_t cport, int who, uint8_t flags, uint32_t seq, uint32_t ack,
                 const void *data, uint32_t len, uint32_t wire_len, uint16_t mss, uint64_t frame, int64_t ts_ns)
{
	pkt_ip_t ip;
	l4_tcp_t tcp;
	memset(&ip, 0, sizeof(ip));
	memset(&tcp, 0, sizeof(tcp));
	ip.version = 4;
	ip.proto = 6;
	addr4(who == C ? &ip.src : &ip.dst, 1);
	addr4(who == C ? &ip.dst : &ip.src, 53);
	tcp.sport = who == C ? cport : SERVER_PORT;
	tcp.dport = who == C ? SERVER_PORT : cport;
	tcp.seq = seq;
	tcp.ack = ack;
	tcp.flags = flags;
	tcp.mss = mss;
	tcp.header_len = 20;
	tcp.payload = cursor_make(data, len);
	tcp.payload_wire_len = wire_len;
	tcps_feed(t, &ip, &tcp, frame, ts_ns);
}

static void seg_full(fixture_t *x, uint16_t cport, int who, uint8_t flags, uint32_t seq, uint32_t ack,
                     const char *data, uint32_t len, uint32_t wire_len, uint16_t mss, uint64_t frame,
                     int64_t ts_ns)
{
	feed(x->t, cport, who, flags, seq, ack, data, len, wire_len, mss, frame, ts_ns);
}

/* The usual case: client port 40000, timestamps 1 ms per frame. */
static void seg(fixture_t *x, int who, uint8_t flags, uint32_t seq, uint32_t ack, const char *data, uint32_t len,
                uint64_t frame)
{
	seg_full(x, CLIENT_PORT, who, flags, seq, ack, data, len, len, 0, frame, SEC + (int64_t)frame * MS);
}

/* Frames 1-3: SYN (MSS 1460), SYN+ACK (MSS 1400), ACK. */
static void handshake(fixture_t *x, uint16_t cport, uint32_t c_isn, uint32_t s_isn)
{
	seg_full(x, cport, C, TCP_SYN, c_isn, 0, NULL, 0, 0, 1460, 1, SEC + 1 * MS);
	seg_full(x, cport, S, TCP_SYN | TCP_ACK, s_isn, c_isn + 1, NULL, 0, 0, 1400, 2, SEC + 2 * MS);
	seg_full(x, cport, C, TCP_ACK, c_isn + 1, s_isn + 1, NULL, 0, 0, 0, 3, SEC + 3 * MS);
}

#define HANDSHAKE_TRACE "c syn mss=1460 f=1\ns synack mss=1400 f=2\n"

/* A query: prefix 12, body QUERY-000001 (14 bytes on the wire). */
#define QUERY "\x00\x0c" "QUERY-000001"
#define QUERY_LEN 14u
/* An answer: prefix 30, body of 30 bytes (32 on the wire). */
#define ANSWER "\x00\x1e" "ANSWER-0123456789-abcdefghijkl"
#define ANSWER_LEN 32u
static const char answer[] = ANSWER; /* for pieces of it: answer + offset */

#define ACKF (TCP_ACK | TCP_PSH)

static int setup(void **state)
{
	static fixture_t x;
	memset(&x, 0, sizeof(x));
	tcps_limits_default(&x.lim);
	*state = &x;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *x = *state;
	tcps_free(x->t);
	x->t = NULL;
	return 0;
}

static void start(fixture_t *x)
{
	x->t = tcps_new(&x->lim, on_event, x);
	assert_non_null(x->t);
}

/* Handshake and the query in frame 4: the common prefix of most tests. */
static void open_and_query(fixture_t *x)
{
	start(x);
	handshake(x, CLIENT_PORT, C_ISN, S_ISN);
	seg(x, C, ACKF, C_ISN + 1, S_ISN + 1, QUERY, QUERY_LEN, 4);
	trace_expect(x, HANDSHAKE_TRACE
	             "c data 14 \"\\x00\\x0cQUERY-000001\" f=4/4\n"
	             "c dns 12 \"QUERY-000001\" f=4/4\n");
}

/* ---- tests */

static void test_names_and_defaults(void **state)
{
	(void)state;
	tcps_limits_t lim;
	tcps_limits_default(&lim);
	assert_int_equal(lim.max_flows, 65536);
	assert_int_equal(lim.max_ooo_bytes, 256 * 1024);
	assert_true(lim.max_total_bytes == 16ull * 1024 * 1024);
	assert_true(lim.idle_timeout_ns == 120 * SEC);
	assert_int_equal(lim.frame_dns, 1);
	assert_int_equal(lim.frame_midstream, 0);
	assert_string_equal(tcps_event2str(TCPS_EV_DNS_CUT), "dns-cut");
	assert_string_equal(tcps_event2str(TCPS_EV_COUNT), "?");
	assert_string_equal(tcps_why2str(TCPS_WHY_ACKED), "acked");
	assert_string_equal(tcps_why2str(TCPS_WHY_COUNT), "?");

	/* max_flows 0 means 1; no callback is fine (statistics only). */
	lim.max_flows = 0;
	tcps_t *t = tcps_new(&lim, NULL, NULL);
	assert_non_null(t);
	feed(t, 40001, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 1, SEC);
	feed(t, 40002, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 2, SEC);
	assert_int_equal(tcps_stats(t)->flows, 2);
	assert_int_equal(tcps_stats(t)->evicted, 1);
	tcps_flush(t);
	tcps_free(t);
	tcps_free(NULL);
}

static void test_query_answer_in_order(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	seg(x, S, ACKF, S_ISN + 1, C_ISN + 1 + QUERY_LEN, ANSWER, ANSWER_LEN, 5);
	seg(x, C, TCP_FIN | TCP_ACK, C_ISN + 1 + QUERY_LEN, S_ISN + 1 + ANSWER_LEN, NULL, 0, 6);
	seg(x, S, TCP_FIN | TCP_ACK, S_ISN + 1 + ANSWER_LEN, C_ISN + 2 + QUERY_LEN, NULL, 0, 7);
	/* The last ACK must not bring the flow back. */
	seg(x, C, TCP_ACK, C_ISN + 2 + QUERY_LEN, S_ISN + 2 + ANSWER_LEN, NULL, 0, 8);
	tcps_flush(x->t);
	trace_expect(x, "s data 32 \"\\x00\\x1eANSWER-0123456789-abcdefghijkl\" f=5/5\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=5/5\n"
	                "c fin f=6\n"
	                "s fin f=7\n"
	                "c end why=fin f=7\n");
	const tcps_stats_t *st = tcps_stats(x->t);
	assert_int_equal(st->segments, 8);
	assert_int_equal(st->flows, 1);
	assert_int_equal(st->dns_messages, 2);
	assert_int_equal(st->dns_cut, 0);
	assert_int_equal(st->gaps, 0);
	assert_int_equal(st->retransmitted_bytes, 0);
}

static void test_answer_split_in_three(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, S, ACKF, s + 10, ack, answer + 10, 10, 6);
	seg(x, S, ACKF, s + 20, ack, answer + 20, 12, 7);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n"
	                "s data 10 \"123456789-\" f=6/6\n"
	                "s data 12 \"abcdefghijkl\" f=7/7\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=7/5\n");
}

static void test_two_messages_in_one_segment(void **state)
{
	fixture_t *x = *state;
	start(x);
	handshake(x, CLIENT_PORT, C_ISN, S_ISN);
	/* Two pipelined queries in one segment. */
	const char two[] = QUERY "\x00\x03" "Q2!";
	seg(x, C, ACKF, C_ISN + 1, S_ISN + 1, two, sizeof(two) - 1, 4);
	/* The second answer starts in the first answer's segment and ends in the next. */
	const char a1[] = "\x00\x02" "A1" "\x00\x04" "A";
	seg(x, S, ACKF, S_ISN + 1, C_ISN + 20, a1, sizeof(a1) - 1, 5);
	seg(x, S, ACKF, S_ISN + 8, C_ISN + 20, "22!", 3, 6);
	trace_expect(x, HANDSHAKE_TRACE
	             "c data 19 \"\\x00\\x0cQUERY-000001\\x00\\x03Q2!\" f=4/4\n"
	             "c dns 12 \"QUERY-000001\" f=4/4\n"
	             "c dns 3 \"Q2!\" f=4/4\n"
	             "s data 7 \"\\x00\\x02A1\\x00\\x04A\" f=5/5\n"
	             "s dns 2 \"A1\" f=5/5\n"
	             "s data 3 \"22!\" f=6/6\n"
	             "s dns 4 \"A22!\" f=6/5\n");
	assert_int_equal(tcps_stats(x->t)->dns_messages, 4);
}

static void test_out_of_order(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s + 10, ack, answer + 10, 10, 5);
	seg(x, S, ACKF, s + 20, ack, answer + 20, 12, 6);
	trace_expect(x, ""); /* held, nothing in order yet */
	seg(x, S, ACKF, s, ack, ANSWER, 10, 7);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=7/7\n"
	                "s data 10 \"123456789-\" f=7/5\n"
	                "s data 12 \"abcdefghijkl\" f=7/6\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=7/7\n");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 0);
	assert_int_equal(tcps_stats(x->t)->gaps, 0);
}

static void test_retransmission_delivered_once(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s + 16, ack, answer + 16, 16, 5); /* held */
	seg(x, S, ACKF, s + 16, ack, answer + 16, 16, 6); /* held again: a duplicate */
	seg(x, S, ACKF, s, ack, ANSWER, 16, 7);
	seg(x, S, ACKF, s, ack, ANSWER, 16, 8);           /* delivered already */
	seg(x, C, ACKF, C_ISN + 1, S_ISN + 1, QUERY, QUERY_LEN, 9); /* the query again */
	trace_expect(x, "s data 16 \"\\x00\\x1eANSWER-0123456\" f=7/7\n"
	                "s data 16 \"789-abcdefghijkl\" f=7/5\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=7/7\n");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 16 + 16 + QUERY_LEN);
}

static void test_overlap_with_extra_bytes(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, S, ACKF, s, ack, ANSWER, 18, 6);  /* 10 again, 8 new */
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n"
	                "s data 8 \"12345678\" f=6/6\n");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 10);
	/* Out of order overlaps: held [20,26); [24,32) adds only the piece not held
	 * yet, [26,32); [19,30) adds only [19,20). */
	seg(x, S, ACKF, s + 20, ack, answer + 20, 6, 7);
	seg(x, S, ACKF, s + 24, ack, answer + 24, 8, 8);
	seg(x, S, ACKF, s + 19, ack, answer + 19, 11, 9);
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 10 + 2 + 6 + 4);
	trace_expect(x, "");
	seg(x, S, ACKF, s + 16, ack, answer + 16, 4, 10);
	trace_expect(x, "s data 2 \"9-\" f=10/10\n"
	                "s data 6 \"abcdef\" f=10/7\n"
	                "s data 6 \"ghijkl\" f=10/8\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=10/5\n");
	/* [16,18) of frame 10 was delivered, and frame 10 beat frame 9 to [19,20). */
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 10 + 2 + 6 + 4 + 2 + 1);
}

/* A segment that never arrives: when the client acknowledges past it, the
 * capture lost it (no retransmission will come). */
static void test_gap_acked(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	/* [10,20) never arrives */
	seg(x, S, ACKF | TCP_FIN, s + 20, ack, answer + 20, 12, 6);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n");
	seg(x, C, TCP_ACK, ack, s + ANSWER_LEN + 1, NULL, 0, 7); /* acks the FIN */
	trace_expect(x, "s gap 10 why=acked f=7\n"
	                "s dns-cut 8/30 \"ANSWER-0\" why=gap f=7\n"
	                "s data 12 \"abcdefghijkl\" f=7/6\n"
	                "s fin f=7\n");
	seg(x, C, TCP_FIN | TCP_ACK, ack, s + ANSWER_LEN + 1, NULL, 0, 8);
	trace_expect(x, "c fin f=8\n"
	                "c end why=fin f=8\n");
	const tcps_stats_t *st = tcps_stats(x->t);
	assert_int_equal(st->gaps, 1);
	assert_int_equal(st->gap_bytes, 10);
	assert_int_equal(st->dns_cut, 1);
}

/* The same hole left at the end of the capture. */
static void test_gap_at_flush(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, S, ACKF, s + 20, ack, answer + 20, 12, 6);
	tcps_flush(x->t);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n"
	                "s gap 10 why=flush f=6\n"
	                "s dns-cut 8/30 \"ANSWER-0\" why=gap f=6\n"
	                "s data 12 \"abcdefghijkl\" f=6/6\n"
	                "c end why=flush f=6\n");
}

/* An ACK field does not invent bytes past the highest one seen. */
static void test_ack_beyond_seen_bytes(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, C, TCP_ACK, ack, s + 1000, NULL, 0, 6);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n");
	seg(x, S, ACKF, s + 10, ack, answer + 10, 22, 7);
	trace_expect(x, "s data 22 \"123456789-abcdefghijkl\" f=7/7\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=7/5\n");
	assert_int_equal(tcps_stats(x->t)->gaps, 0);
}

static void test_midstream(void **state)
{
	fixture_t *x = *state;
	start(x);
	/* No handshake: the capture starts with the query. */
	seg(x, C, ACKF, 7000, 9000, QUERY, QUERY_LEN, 1);
	seg(x, S, ACKF, 9000, 7000 + QUERY_LEN, ANSWER, ANSWER_LEN, 2);
	/* Bytes from before the capture started count as retransmitted. */
	seg(x, S, ACKF, 8990, 7000 + QUERY_LEN, "0123456789", 10, 3);
	tcps_flush(x->t);
	/* Data, but no framing: where a prefix starts is unknown mid-stream. */
	trace_expect(x, "c data 14 \"\\x00\\x0cQUERY-000001\" f=1/1\n"
	                "s data 32 \"\\x00\\x1eANSWER-0123456789-abcdefghijkl\" f=2/2\n"
	                "c end why=flush f=3\n");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 10);
	tcps_free(x->t);

	x->lim.frame_midstream = 1; /* the caller trusts the first segment to start a message */
	start(x);
	seg(x, C, ACKF, 7000, 9000, QUERY, QUERY_LEN, 1);
	tcps_flush(x->t);
	trace_expect(x, "c data 14 \"\\x00\\x0cQUERY-000001\" f=1/1\n"
	                "c dns 12 \"QUERY-000001\" f=1/1\n"
	                "c end why=flush f=1\n");
}

/* The capture missed the SYN: the SYN+ACK's ACK field gives the client's start,
 * so its query is framed; the END names the client as the opener. */
static void test_synack_gives_client_start(void **state)
{
	fixture_t *x = *state;
	start(x);
	seg_full(x, CLIENT_PORT, S, TCP_SYN | TCP_ACK, S_ISN, C_ISN + 1, NULL, 0, 0, 1400, 1, SEC);
	seg(x, C, ACKF, C_ISN + 1, S_ISN + 1, QUERY, QUERY_LEN, 2);
	tcps_flush(x->t);
	trace_expect(x, "s synack mss=1400 f=1\n"
	                "c data 14 \"\\x00\\x0cQUERY-000001\" f=2/2\n"
	                "c dns 12 \"QUERY-000001\" f=2/2\n"
	                "c end why=flush f=2\n");
}

static void test_seq_wraparound(void **state)
{
	fixture_t *x = *state;
	start(x);
	uint32_t c_isn = 0xfffffffeu, s_isn = 0xfffffff0u; /* the client's data starts at 2^32 - 1 */
	handshake(x, CLIENT_PORT, c_isn, s_isn);
	seg(x, C, ACKF, c_isn + 1, s_isn + 1, QUERY, QUERY_LEN, 4);
	uint32_t s = s_isn + 1, ack = c_isn + 1 + QUERY_LEN;
	assert_true(s + 16 < s); /* the second half is past 2^32 */
	seg(x, S, ACKF | TCP_FIN, s + 16, ack, answer + 16, 16, 5);
	seg(x, S, ACKF, s, ack, ANSWER, 16, 6);
	seg(x, C, TCP_FIN | TCP_ACK, ack, s + ANSWER_LEN + 1, NULL, 0, 7);
	trace_expect(x, HANDSHAKE_TRACE
	             "c data 14 \"\\x00\\x0cQUERY-000001\" f=4/4\n"
	             "c dns 12 \"QUERY-000001\" f=4/4\n"
	             "s data 16 \"\\x00\\x1eANSWER-0123456\" f=6/6\n"
	             "s data 16 \"789-abcdefghijkl\" f=6/5\n"
	             "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=6/6\n"
	             "s fin f=6\n"
	             "c fin f=7\n"
	             "c end why=fin f=7\n");
	assert_int_equal(tcps_stats(x->t)->gaps, 0);
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 0);
}

static void test_rst(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, S, TCP_RST | TCP_ACK, s + 10, ack, NULL, 0, 6);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n"
	                "s rst f=6\n"
	                "s dns-cut 8/30 \"ANSWER-0\" why=rst f=6\n"
	                "c end why=rst f=6\n");
	/* A RST with no flow left: reported, nothing to end. */
	seg(x, C, TCP_RST, ack, 0, NULL, 0, 7);
	trace_expect(x, "c rst f=7\n");
	assert_int_equal(tcps_stats(x->t)->flows, 1);
}

static void test_idle_timeout(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	/* Half an answer, then silence. */
	seg(x, S, ACKF, S_ISN + 1, C_ISN + 1 + QUERY_LEN, ANSWER, 10, 5);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n");
	int64_t last = SEC + 5 * MS;
	tcps_expire(x->t, last + 120 * SEC - 1);
	trace_expect(x, "");
	tcps_expire(x->t, last + 120 * SEC);
	trace_expect(x, "s dns-cut 8/30 \"ANSWER-0\" why=idle f=5\n"
	                "c end why=idle f=5\n");

	/* Implicitly: a segment of another flow, later, ends the idle one first. */
	handshake(x, 40001, C_ISN, S_ISN); /* frames 1-3 at 1 s */
	seg_full(x, 40002, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 10, SEC + 3 * MS + 120 * SEC);
	trace_expect(x, "c40001 syn mss=1460 f=1\n"
	                "s40001 synack mss=1400 f=2\n"
	                "c40001 end why=idle f=3\n"
	                "c40002 syn mss=0 f=10\n");
}

static void test_max_flows_evicts_oldest(void **state)
{
	fixture_t *x = *state;
	x->lim.max_flows = 2;
	start(x);
	seg_full(x, 40001, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 1, SEC + 1 * MS);
	seg_full(x, 40002, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 2, SEC + 2 * MS);
	/* 40001 is active again, so 40002 is the least recently active. */
	seg_full(x, 40001, C, TCP_ACK, C_ISN + 1, 1, QUERY, QUERY_LEN, QUERY_LEN, 0, 3, SEC + 3 * MS);
	seg_full(x, 40003, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 4, SEC + 4 * MS);
	trace_expect(x, "c40001 syn mss=0 f=1\n"
	                "c40002 syn mss=0 f=2\n"
	                "c40001 data 14 \"\\x00\\x0cQUERY-000001\" f=3/3\n"
	                "c40001 dns 12 \"QUERY-000001\" f=3/3\n"
	                "c40002 end why=evicted f=4\n"
	                "c40003 syn mss=0 f=4\n");
	assert_int_equal(tcps_stats(x->t)->evicted, 1);
	assert_int_equal(tcps_stats(x->t)->flows, 3);
	tcps_flush(x->t);
	trace_expect(x, "c40001 end why=flush f=3\n"
	                "c40003 end why=flush f=4\n");
}

static void test_max_ooo_bytes_forces_gap(void **state)
{
	fixture_t *x = *state;
	x->lim.max_ooo_bytes = 16;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 4, 5);
	/* [4,10) is lost; 10 bytes held fit, 20 do not. */
	seg(x, S, ACKF, s + 10, ack, answer + 10, 10, 6);
	trace_expect(x, "s data 4 \"\\x00\\x1eAN\" f=5/5\n");
	seg(x, S, ACKF, s + 20, ack, answer + 20, 10, 7);
	trace_expect(x, "s gap 6 why=limit f=7\n"
	                "s dns-cut 2/30 \"AN\" why=gap f=7\n"
	                "s data 10 \"123456789-\" f=7/6\n"
	                "s data 10 \"abcdefghij\" f=7/7\n");
	/* The stream goes on after the gap, without framing. */
	seg(x, S, ACKF, s + 30, ack, answer + 30, 2, 8);
	trace_expect(x, "s data 2 \"kl\" f=8/8\n");
	/* The lost bytes turn up late: counted, not delivered. */
	seg(x, S, ACKF, s + 4, ack, answer + 4, 6, 9);
	trace_expect(x, "");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 6);
	assert_int_equal(tcps_stats(x->t)->gap_bytes, 6);
}

static void test_max_total_bytes_evicts_other_flow(void **state)
{
	fixture_t *x = *state;
	x->lim.max_total_bytes = 16;
	start(x);
	handshake(x, 40001, C_ISN, S_ISN);
	seg_full(x, 40001, C, ACKF, C_ISN + 11, S_ISN + 1, "0123456789", 10, 10, 0, 4, SEC + 4 * MS);
	handshake(x, 40002, C_ISN, S_ISN);
	seg_full(x, 40002, C, ACKF, C_ISN + 11, S_ISN + 1, "abcdefghij", 10, 10, 0, 5, SEC + 5 * MS);
	trace_expect(x, "c40001 syn mss=1460 f=1\n"
	                "s40001 synack mss=1400 f=2\n"
	                "c40002 syn mss=1460 f=1\n"
	                "s40002 synack mss=1400 f=2\n"
	                "c40001 gap 10 why=evicted f=5\n"
	                "c40001 data 10 \"0123456789\" f=5/4\n"
	                "c40001 end why=evicted f=5\n");
	assert_int_equal(tcps_stats(x->t)->evicted, 1);
	/* Alone and still over: the flow gives up its own hole. */
	seg_full(x, 40002, C, ACKF, C_ISN + 21, S_ISN + 1, "ABCDEFGHIJ", 10, 10, 0, 6, SEC + 6 * MS);
	trace_expect(x, "c40002 gap 10 why=limit f=6\n"
	                "c40002 data 10 \"abcdefghij\" f=6/5\n"
	                "c40002 data 10 \"ABCDEFGHIJ\" f=6/6\n");
}

static void test_flush_cuts_and_ends(void **state)
{
	fixture_t *x = *state;
	start(x);
	handshake(x, CLIENT_PORT, C_ISN, S_ISN);
	seg(x, C, ACKF, C_ISN + 1, S_ISN + 1, QUERY, 7, 4); /* half a query */
	seg(x, S, ACKF, S_ISN + 1, C_ISN + 1, "\x00", 1, 5);  /* half a prefix */
	tcps_flush(x->t);
	trace_expect(x, HANDSHAKE_TRACE
	             "c data 7 \"\\x00\\x0cQUERY\" f=4/4\n"
	             "s data 1 \"\\x00\" f=5/5\n"
	             "c dns-cut 5/12 \"QUERY\" why=flush f=5\n"
	             "s dns-cut 0/0 \"\" why=flush f=5\n"
	             "c end why=flush f=5\n");
	assert_int_equal(tcps_stats(x->t)->dns_cut, 2);
	tcps_flush(x->t); /* nothing left */
	trace_expect(x, "");
}

static void test_zero_length_prefix(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	const char a[] = "\x00\x00" "\x00\x02" "OK";
	seg(x, S, ACKF, S_ISN + 1, C_ISN + 1 + QUERY_LEN, a, sizeof(a) - 1, 5);
	trace_expect(x, "s data 6 \"\\x00\\x00\\x00\\x02OK\" f=5/5\n"
	                "s dns-cut 0/0 \"\" why=empty f=5\n"
	                "s dns 2 \"OK\" f=5/5\n");
}

static void test_port_reuse_new_syn(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	seg(x, C, TCP_SYN, C_ISN, 0, NULL, 0, 5);             /* a retransmitted SYN: same flow */
	seg(x, C, TCP_SYN, C_ISN + 100000, 0, NULL, 0, 6);    /* a new connection */
	trace_expect(x, "c syn mss=0 f=5\n"
	                "c end why=reused f=6\n"
	                "c syn mss=0 f=6\n");
	assert_int_equal(tcps_stats(x->t)->flows, 2);
}

/* A segment cut by the snap length: the uncaptured bytes are a hole. */
static void test_truncated_segment(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg_full(x, CLIENT_PORT, S, ACKF, s, ack, ANSWER, 20, ANSWER_LEN, 0, 5, SEC + 5 * MS);
	seg(x, C, TCP_ACK, ack, s + ANSWER_LEN, NULL, 0, 6);
	trace_expect(x, "s data 20 \"\\x00\\x1eANSWER-0123456789-\" f=5/5\n"
	                "s gap 12 why=acked f=6\n"
	                "s dns-cut 18/30 \"ANSWER-0123456789-\" why=gap f=6\n");
}

/* Zero-length segments, bytes after a FIN, and a half-closed direction. */
static void test_zero_length_and_after_fin(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t ack = C_ISN + 1 + QUERY_LEN;
	seg(x, C, TCP_ACK, ack, S_ISN + 1, NULL, 0, 5);
	seg(x, C, TCP_FIN | TCP_ACK, ack, S_ISN + 1, NULL, 0, 6);
	seg(x, C, ACKF, ack, S_ISN + 1, "late", 4, 7);  /* after the FIN: not stream bytes */
	seg(x, S, ACKF, S_ISN + 1, ack + 1, ANSWER, ANSWER_LEN, 8);
	trace_expect(x, "c fin f=6\n"
	                "s data 32 \"\\x00\\x1eANSWER-0123456789-abcdefghijkl\" f=8/8\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=8/8\n");
	assert_int_equal(tcps_stats(x->t)->gaps, 0);
}

/* The same connection seen with IPv6 addresses, one direction's key reversed. */
static void test_ipv6_keys(void **state)
{
	fixture_t *x = *state;
	start(x);
	pkt_ip_t ip;
	l4_tcp_t tcp;
	memset(&ip, 0, sizeof(ip));
	memset(&tcp, 0, sizeof(tcp));
	ip.version = 6;
	ip.src.family = ip.dst.family = 6;
	ip.src.a[0] = 0x20, ip.src.a[1] = 0x01, ip.src.a[15] = 1;
	ip.dst.a[0] = 0x20, ip.dst.a[1] = 0x01, ip.dst.a[15] = 0x53;
	tcp.sport = CLIENT_PORT;
	tcp.dport = SERVER_PORT;
	tcp.seq = C_ISN;
	tcp.flags = TCP_SYN;
	tcps_feed(x->t, &ip, &tcp, 1, SEC);
	pkt_ip_t rip = ip;
	rip.src = ip.dst;
	rip.dst = ip.src;
	l4_tcp_t rtcp = tcp;
	rtcp.sport = SERVER_PORT;
	rtcp.dport = CLIENT_PORT;
	rtcp.seq = S_ISN;
	rtcp.ack = C_ISN + 1;
	rtcp.flags = TCP_SYN | TCP_ACK;
	tcps_feed(x->t, &rip, &rtcp, 2, SEC);
	tcps_flush(x->t);
	trace_expect(x, "c syn mss=0 f=1\n"
	                "s synack mss=0 f=2\n"
	                "c end why=flush f=2\n");
	assert_int_equal(tcps_stats(x->t)->flows, 1);
}

/* A FIN seen ahead of the stream bounds it: bytes past it are not stream bytes. */
static void test_bytes_past_fin_trimmed(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF | TCP_FIN, s + 20, ack, answer + 20, 12, 5);  /* FIN at 32, held */
	/* 4 bytes past the FIN, and a second FIN further on: the first one stands. */
	seg(x, S, ACKF | TCP_FIN, s + 28, ack, "ijklXXXX", 8, 6);
	seg(x, S, ACKF, s, ack, ANSWER, 20, 7);
	trace_expect(x, "s data 20 \"\\x00\\x1eANSWER-0123456789-\" f=7/7\n"
	                "s data 12 \"abcdefghijkl\" f=7/5\n"
	                "s dns 30 \"ANSWER-0123456789-abcdefghijkl\" f=7/7\n"
	                "s fin f=7\n");
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 4);
}

/* tcps_free without a flush: held pieces and a partial message are freed
 * (LeakSanitizer checks), no events. */
static void test_free_with_bytes_held(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s, ack, ANSWER, 10, 5);
	seg(x, S, ACKF, s + 20, ack, answer + 20, 6, 6);
	seg(x, S, ACKF, s + 28, ack, answer + 28, 4, 7);
	trace_expect(x, "s data 10 \"\\x00\\x1eANSWER-0\" f=5/5\n");
	tcps_free(x->t);
	x->t = NULL;
	trace_expect(x, "");
}

static void test_idle_timeout_off(void **state)
{
	fixture_t *x = *state;
	x->lim.idle_timeout_ns = 0;
	start(x);
	handshake(x, CLIENT_PORT, C_ISN, S_ISN);
	tcps_expire(x->t, INT64_MAX);
	seg_full(x, 40001, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 4, INT64_MAX);
	trace_expect(x, HANDSHAKE_TRACE "c40001 syn mss=0 f=4\n");
}

/* A segment or RST more than 2^30 from the stream is another connection's:
 * ignored (no 2 GiB gap at the end, no reset of this flow). */
static void test_out_of_window(void **state)
{
	fixture_t *x = *state;
	open_and_query(x);
	uint32_t s = S_ISN + 1, ack = C_ISN + 1 + QUERY_LEN;
	seg(x, S, ACKF, s + 0x7ffffff0u, ack, answer, 10, 5);
	seg(x, S, ACKF, s - 0x50000000u, ack, answer, 10, 6);
	seg(x, S, TCP_RST, s + 0x40000001u, 0, NULL, 0, 7);
	seg(x, S, ACKF, s + 0x40000000u - 10, ack, answer + 22, 10, 8); /* the far edge: in window, held */
	tcps_flush(x->t);
	trace_expect(x, "s gap 1073741814 why=flush f=8\n"
	                "s data 10 \"cdefghijkl\" f=8/8\n"
	                "c end why=flush f=8\n");
	assert_int_equal(tcps_stats(x->t)->out_of_window, 3);
	assert_int_equal(tcps_stats(x->t)->retransmitted_bytes, 0);
}

typedef struct end_order {
	uint32_t ends;
	uint16_t last_port;
	int ordered; /* ENDs came in the order the flows were last active */
} end_order_t;

static void on_end(void *ctx, const tcps_event_t *ev)
{
	end_order_t *o = ctx;
	if (ev->kind != TCPS_EV_END)
		return;
	/* The flows were last active in falling port order. */
	if (o->ends > 0 && ev->key->sport >= o->last_port)
		o->ordered = 0;
	o->last_port = ev->key->sport;
	o->ends++;
}

/* Many flows in a table of as many buckets: chains form, lookups and removals
 * walk them, and the activity order holds. */
static void test_many_flows(void **state)
{
	(void)state;
	enum { N = 3000 };
	tcps_limits_t lim;
	tcps_limits_default(&lim);
	lim.max_flows = N;
	end_order_t o = { 0, 0, 1 };
	tcps_t *t = tcps_new(&lim, on_end, &o);
	assert_non_null(t);
	for (uint32_t i = 0; i < N; i++)
		feed(t, (uint16_t)(10000 + i), C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, i + 1, SEC);
	for (uint32_t i = N; i-- > 0;)
		feed(t, (uint16_t)(10000 + i), S, TCP_SYN | TCP_ACK, S_ISN, C_ISN + 1, NULL, 0, 0, 0, 2 * N - i, SEC);
	assert_int_equal(tcps_stats(t)->flows, N);
	assert_int_equal(o.ends, 0);
	/* One more flow: the SYN+ACKs ran down the ports, so 10000 + N - 1 is the
	 * least recently active and goes. */
	feed(t, 9999, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, 2 * N + 1, SEC);
	assert_int_equal(o.ends, 1);
	assert_int_equal(o.last_port, 10000 + N - 1);
	assert_int_equal(tcps_stats(t)->evicted, 1);
	tcps_flush(t);
	assert_int_equal(o.ends, N + 1);
	assert_int_equal(o.last_port, 9999);
	assert_int_equal(o.ordered, 1);
	tcps_free(t);
}

/* ---- randomized: the answer direction cut, reordered, duplicated and (with
 * loss) thinned; checked against the stream it came from. */

#define R_STREAM_MAX 8192
#define R_MSGS_MAX 64
#define R_SEGS_MAX 1024

typedef struct rstream {
	uint8_t bytes[R_STREAM_MAX];
	uint32_t len;
	uint32_t msg_off[R_MSGS_MAX], msg_len[R_MSGS_MAX]; /* body offset and length */
	uint32_t nmsg;
} rstream_t;

typedef struct rsink {
	const rstream_t *st;
	uint32_t pos;           /* stream bytes accounted for: delivered or gapped */
	uint32_t delivered, gapped;
	uint32_t first_gap;     /* pos of the first gap; UINT32_MAX when none */
	uint32_t next_msg;      /* index of the next message DNS must match */
	uint32_t dns, cuts, cuts_gap, ends, fins;
	int bad;                /* a mismatch; checked after the run */
} rsink_t;

typedef struct rseg {
	uint32_t off, len;
} rseg_t;

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

static void rstream_make(rstream_t *st, uint64_t *rng)
{
	memset(st, 0, sizeof(*st));
	uint32_t n = 1 + rng_below(rng, 20);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = rng_below(rng, 8) == 0 ? 0 : rng_below(rng, 300);
		st->bytes[st->len++] = (uint8_t)(len >> 8);
		st->bytes[st->len++] = (uint8_t)len;
		st->msg_off[st->nmsg] = st->len;
		st->msg_len[st->nmsg++] = len;
		for (uint32_t j = 0; j < len; j++)
			st->bytes[st->len++] = (uint8_t)rng_next(rng);
	}
}

/* Skip zero-length messages: they show as DNS_CUT, not DNS. */
static void rsink_skip_empty(rsink_t *k)
{
	while (k->next_msg < k->st->nmsg && k->st->msg_len[k->next_msg] == 0)
		k->next_msg++;
}

static void rsink_dns(rsink_t *k, const tcps_event_t *ev)
{
	rsink_skip_empty(k);
	uint32_t i = k->next_msg++;
	if (i >= k->st->nmsg || ev->len != k->st->msg_len[i] ||
	    memcmp(ev->data, k->st->bytes + k->st->msg_off[i], ev->len) != 0 ||
	    k->st->msg_off[i] + ev->len > k->first_gap)
		k->bad = 1;
	k->dns++;
}

static void rsink_event(void *ctx, const tcps_event_t *ev)
{
	rsink_t *k = ctx;
	int from_server = ev->key->sport == SERVER_PORT;
	if (ev->kind == TCPS_EV_END) {
		k->ends++;
		return;
	}
	if (!from_server)
		return;
	switch (ev->kind) {
	case TCPS_EV_DATA:
		if (k->pos + ev->len > k->st->len || memcmp(ev->data, k->st->bytes + k->pos, ev->len) != 0)
			k->bad = 1;
		k->pos += ev->len;
		k->delivered += ev->len;
		break;
	case TCPS_EV_GAP:
		if (k->first_gap == UINT32_MAX)
			k->first_gap = k->pos;
		k->pos += ev->gap_len;
		k->gapped += ev->gap_len;
		break;
	case TCPS_EV_DNS:
		rsink_dns(k, ev);
		break;
	case TCPS_EV_DNS_CUT:
		k->cuts++;
		k->cuts_gap += ev->why == TCPS_WHY_GAP;
		break;
	case TCPS_EV_FIN:
		k->fins++;
		if (k->pos != k->st->len)
			k->bad = 1;
		break;
	default:
		break;
	}
}

/* Segments covering the stream, then extra copies (exact and overlapping),
 * then a shuffle that moves each segment a few places at most. */
static uint32_t rsegs_make(rseg_t *segs, uint32_t stream_len, uint64_t *rng)
{
	uint32_t n = 0;
	for (uint32_t off = 0; off < stream_len && n < R_SEGS_MAX / 2;) {
		uint32_t len = 1 + rng_below(rng, 120);
		if (len > stream_len - off)
			len = stream_len - off;
		segs[n].off = off;
		segs[n++].len = len;
		off += len;
	}
	for (uint32_t i = 0, base = n; i < base && n < R_SEGS_MAX; i++) {
		if (rng_below(rng, 5) != 0)
			continue;
		uint32_t grow = rng_below(rng, 40);
		uint32_t off = segs[i].off > grow ? segs[i].off - grow : 0;
		uint32_t end = segs[i].off + segs[i].len + rng_below(rng, 40);
		segs[n].off = off;
		segs[n++].len = (end < stream_len ? end : stream_len) - off;
	}
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint32_t j = i + rng_below(rng, 8);
		if (j >= n)
			j = n - 1;
		rseg_t tmp = segs[i];
		segs[i] = segs[j];
		segs[j] = tmp;
	}
	return n;
}

/* One run: handshake, the query, the answer stream per segs (each dropped with
 * probability 1/drop_one_in when drop_one_in > 0), a FIN, then flush. */
static void rrun(const rstream_t *st, rsink_t *k, const tcps_limits_t *lim, uint32_t s_isn, int drop_one_in,
                 uint64_t *rng)
{
	static rseg_t segs[R_SEGS_MAX];
	memset(k, 0, sizeof(*k));
	k->st = st;
	k->first_gap = UINT32_MAX;
	tcps_t *t = tcps_new(lim, rsink_event, k);
	assert_non_null(t);
	uint64_t frame = 1;
	feed(t, CLIENT_PORT, C, TCP_SYN, C_ISN, 0, NULL, 0, 0, 0, frame++, SEC);
	feed(t, CLIENT_PORT, S, TCP_SYN | TCP_ACK, s_isn, C_ISN + 1, NULL, 0, 0, 0, frame++, SEC);
	feed(t, CLIENT_PORT, C, ACKF, C_ISN + 1, s_isn + 1, QUERY, QUERY_LEN, QUERY_LEN, 0, frame++, SEC);
	uint32_t n = rsegs_make(segs, st->len, rng), base = s_isn + 1, ack = C_ISN + 1 + QUERY_LEN;
	for (uint32_t i = 0; i < n; i++) {
		if (drop_one_in > 0 && rng_below(rng, (uint32_t)drop_one_in) == 0)
			continue;
		feed(t, CLIENT_PORT, S, ACKF, base + segs[i].off, ack, st->bytes + segs[i].off, segs[i].len,
		     segs[i].len, 0, frame++, SEC);
		if (drop_one_in > 0 && rng_below(rng, 10) == 0) /* the client acknowledges what it has */
			feed(t, CLIENT_PORT, C, TCP_ACK, ack, base + segs[i].off + segs[i].len, NULL, 0, 0, 0,
			     frame++, SEC);
	}
	feed(t, CLIENT_PORT, S, TCP_FIN | TCP_ACK, base + st->len, ack, NULL, 0, 0, 0, frame++, SEC);
	tcps_flush(t);
	const tcps_stats_t *stats = tcps_stats(t);
	assert_int_equal(stats->gap_bytes, k->gapped);
	tcps_free(t);
}

static uint32_t rstream_empty_msgs(const rstream_t *st)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < st->nmsg; i++)
		n += st->msg_len[i] == 0;
	return n;
}

static void test_random_reorder_and_duplicates(void **state)
{
	(void)state;
	static rstream_t st;
	rsink_t k;
	tcps_limits_t lim;
	tcps_limits_default(&lim);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	for (int run = 0; run < 300; run++) {
		rstream_make(&st, &rng);
		/* Half the runs start the answer within 4 KiB of 2^32. */
		uint32_t s_isn = run % 2 ? (uint32_t)rng_next(&rng) : 0xffffffffu - rng_below(&rng, 4096);
		rrun(&st, &k, &lim, s_isn, 0, &rng);
		assert_int_equal(k.bad, 0);
		assert_int_equal(k.pos, st.len);
		assert_int_equal(k.delivered, st.len);
		assert_int_equal(k.gapped, 0);
		assert_int_equal(k.dns + rstream_empty_msgs(&st), st.nmsg);
		assert_int_equal(k.cuts, rstream_empty_msgs(&st));
		assert_int_equal(k.fins, 1);
		assert_int_equal(k.ends, 1);
	}
}

static void test_random_loss_and_small_limits(void **state)
{
	(void)state;
	static rstream_t st;
	rsink_t k;
	tcps_limits_t lim;
	tcps_limits_default(&lim);
	uint64_t rng = 0x2545f4914f6cdd1dull;
	for (int run = 0; run < 300; run++) {
		rstream_make(&st, &rng);
		lim.max_ooo_bytes = rng_below(&rng, 2000);
		lim.max_total_bytes = rng_below(&rng, 3) == 0 ? rng_below(&rng, 600) : 64u << 20;
		uint32_t s_isn = run % 2 ? (uint32_t)rng_next(&rng) : 0xffffffffu - rng_below(&rng, 4096);
		rrun(&st, &k, &lim, s_isn, 1 + (int)rng_below(&rng, 6), &rng);
		/* Every byte delivered is the stream's byte at its place, every byte
		 * is delivered or reported missing, DNS messages only before the
		 * first gap, and a gap cuts at most one message. */
		assert_int_equal(k.bad, 0);
		assert_int_equal(k.pos, st.len);
		assert_int_equal(k.delivered + k.gapped, st.len);
		assert_true(k.cuts_gap <= 1);
		if (k.gapped == 0)
			assert_int_equal(k.dns + rstream_empty_msgs(&st), st.nmsg);
		assert_int_equal(k.fins, 1);
		assert_int_equal(k.ends, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_defaults),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_query_answer_in_order),
		T(test_answer_split_in_three),
		T(test_two_messages_in_one_segment),
		T(test_out_of_order),
		T(test_retransmission_delivered_once),
		T(test_overlap_with_extra_bytes),
		T(test_gap_acked),
		T(test_gap_at_flush),
		T(test_ack_beyond_seen_bytes),
		T(test_midstream),
		T(test_synack_gives_client_start),
		T(test_seq_wraparound),
		T(test_rst),
		T(test_idle_timeout),
		T(test_max_flows_evicts_oldest),
		T(test_max_ooo_bytes_forces_gap),
		T(test_max_total_bytes_evicts_other_flow),
		T(test_flush_cuts_and_ends),
		T(test_zero_length_prefix),
		T(test_port_reuse_new_syn),
		T(test_truncated_segment),
		T(test_zero_length_and_after_fin),
		T(test_ipv6_keys),
		T(test_out_of_window),
		T(test_bytes_past_fin_trimmed),
		T(test_free_with_bytes_held),
		T(test_idle_timeout_off),
		cmocka_unit_test(test_many_flows),
		cmocka_unit_test(test_random_reorder_and_duplicates),
		cmocka_unit_test(test_random_loss_and_small_limits),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
