/* fuzz_responder.c - the responder's query handler (responder_answer) over
 * arbitrary bytes, several queries per input against one responder, so the
 * reply-size test's per-nonce state and the rate limit see sequences.
 * Each query is [flags: bit0 TCP, bit1 IPv6 client, bit2 no_frag, bits3-7 time
 * step in 100 ms][length: 2 bytes][query bytes].
 * Invariants: the answer fits out, parses as DNS (ldns), a UDP answer never
 * passes what the query allows, the log line is terminated.
 *
 * The Makefile links fuzz targets with common/ only, so the responder's
 * socket-free sources are compiled in here (as tests/unit/test_responder.c does). */
#include <ldns/ldns.h>
#include <stdint.h>
#include <string.h>

#include "../../responder/answer.c"
#include "../../responder/query.c"
#include "../../responder/ratelimit.c"
#include "../../responder/rstest.c"

static uint8_t fuzz_out[RESPONDER_MSG_MAX];

static void fuzz_check(const uint8_t *q, size_t len, const responder_client_t *cl, const responder_reply_t *rep)
{
	if (rep->len > sizeof fuzz_out || memchr(rep->log, 0, sizeof rep->log) == NULL)
		__builtin_trap();
	if (rep->len == 0)
		return;
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, fuzz_out, rep->len) != LDNS_STATUS_OK)
		__builtin_trap(); /* every answer must be a well-formed message */
	ldns_pkt_free(p);
	query_t pq;
	if (cl->transport == RESPONDER_UDP && query_parse(q, len, &pq) == QUERY_OK && rep->len > query_udp_limit(&pq))
		__builtin_trap();
	uint8_t tc[RESPONDER_MSG_MAX];
	if (responder_truncated(q, len, tc, sizeof tc) > sizeof tc)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	responder_config_t cfg = { .zone = "rs-test.example.", .ns_addr = { "192.0.2.53", "2001:db8::53" },
		                   .nns_addr = 2, .rate = 20, .burst = 4, .slip = 2, .tests_max = 16,
		                   .allow_ttl = 1 };
	responder_t r;
	char err[256];
	if (responder_init(&r, &cfg, 1, err, sizeof err) != 0)
		__builtin_trap();
	responder_clock_t now = { 1000, 1700000000 };
	size_t pos = 0;
	while (pos + 3 <= size) {
		uint8_t fl = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		responder_client_t cl = { .v6 = fl & 2, .port = 4242, .transport = (fl & 1) ? RESPONDER_TCP : RESPONDER_UDP,
			                  .frag = (fl & 2) ? 1232 : 1472, .no_frag = fl & 4 };
		cl.addr[0] = (fl & 2) ? 0x20 : 192;
		now.mono_ms += (uint64_t)(fl >> 3) * 100;
		now.wall_s = 1700000000 + (int64_t)(now.mono_ms / 1000);
		responder_reply_t rep;
		/* a copy of exactly len bytes, so ASan sees any read past the query */
		uint8_t *q = malloc(len ? len : 1);
		if (!q)
			break;
		memcpy(q, data + pos, len);
		responder_answer(&r, q, len, &cl, now, fuzz_out, sizeof fuzz_out, &rep);
		fuzz_check(q, len, &cl, &rep);
		free(q);
		pos += len;
	}
	responder_free(&r);
	return 0;
}
