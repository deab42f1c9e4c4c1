/* wire.c - query building and answer headers (see wire.h). */
#include "wire.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Presentation form to wire form; "." is the root. Returns bytes or 0. */
static size_t wire_name_encode(uint8_t *out, size_t cap, const char *name)
{
	size_t o = 0;
	const char *p = name;
	if (strcmp(name, ".") == 0 || *name == '\0') {
		if (cap < 1)
			return 0;
		out[0] = 0;
		return 1;
	}
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len > 63 || o + 1 + len + 1 > cap || o + 1 + len > 254)
			return 0;
		out[o++] = (uint8_t)len;
		memcpy(out + o, p, len);
		o += len;
		p += len;
		if (*p == '.')
			p++;
	}
	out[o++] = 0;
	return o;
}

size_t wire_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t edns,
                        int do_bit, int rd)
{
	return wire_query_build_ex(buf, cap, id, qname, qtype, 1, edns, do_bit, rd, 0);
}

size_t wire_query_build_ex(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t qclass,
                           uint16_t edns, int do_bit, int rd, int nsid)
{
	if (nsid && !edns)
		return 0;
	if (cap < 12)
		return 0;
	memset(buf, 0, 12);
	put16(buf, id);
	buf[2] = rd ? 0x01 : 0x00; /* opcode QUERY, RD */
	put16(buf + 4, 1);         /* QDCOUNT */
	put16(buf + 10, edns ? 1 : 0);
	size_t n = wire_name_encode(buf + 12, cap - 12, qname);
	if (n == 0)
		return 0;
	size_t o = 12 + n;
	if (o + 4 + (edns ? 11 : 0) > cap)
		return 0;
	put16(buf + o, qtype);
	put16(buf + o + 2, qclass ? qclass : 1); /* IN unless told */
	o += 4;
	if (edns && o + 11 + (nsid ? 4 : 0) > cap)
		return 0;
	if (edns) {
		buf[o] = 0;                       /* root owner */
		put16(buf + o + 1, 41);           /* OPT */
		put16(buf + o + 3, edns);         /* the advertised UDP payload size */
		buf[o + 5] = 0;                   /* extended RCODE */
		buf[o + 6] = 0;                   /* version 0 */
		put16(buf + o + 7, do_bit ? 0x8000 : 0);
		put16(buf + o + 9, nsid ? 4 : 0); /* RDLENGTH */
		o += 11;
		if (nsid) {
			put16(buf + o, 3);        /* NSID, empty in a query */
			put16(buf + o + 2, 0);
			o += 4;
		}
	}
	return o;
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
