/* wire.c - query building and answer headers (see wire.h). */
#include "wire.h"

#include "dnsquery.h"

_Static_assert(WIRE_QUERY_MAX >= DNSQUERY_MAX, "a wire buffer holds any query");

size_t wire_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t edns,
                        int do_bit, int rd)
{
	return wire_query_build_ex(buf, cap, id, qname, qtype, 1, edns, do_bit, rd, 0);
}

size_t wire_query_build_ex(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t qclass,
                           uint16_t edns, int do_bit, int rd, int nsid)
{
	/* An empty name has always meant the root here. */
	dnsquery_t q = { .id = id, .qname = *qname ? qname : ".", .qtype = qtype, .qclass = qclass, .rd = rd,
	                 .opt = edns != 0, .udp_size = edns, .do_bit = do_bit, .nsid = nsid };
	size_t len = 0;
	return dnsquery_build(&q, buf, cap, &len) == DNSQUERY_OK ? len : 0;
}

int wire_answer_head(const uint8_t *msg, size_t len, wire_answer_head_t *h)
{
	if (len < 12)
		return -1;
	h->id = (uint16_t)(msg[0] << 8 | msg[1]);
	h->qr = msg[2] >> 7;
	h->aa = (msg[2] >> 2) & 1;
	h->tc = (msg[2] >> 1) & 1;
	h->rd = msg[2] & 1;
	h->ra = msg[3] >> 7;
	h->ad = (msg[3] >> 5) & 1;
	h->rcode = msg[3] & 0x0f;
	return 0;
}
