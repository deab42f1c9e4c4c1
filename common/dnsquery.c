/* dnsquery.c - building a DNS query (see dnsquery.h). */
#include "dnsquery.h"

#include "wbuf.h"

#include <string.h>

#define DNS_TYPE_OPT 41
#define EDNS_OPTION_NSID 3

/* Presentation form to wire form; "." is the root. -1 for a name that is not
 * one: an empty label ("a..b", a leading dot), a label over 63 bytes, a wire
 * name over 255 bytes, or a backslash (escapes are not supported, and copying
 * one literally would ask for another name). */
static int dnsquery_name(wbuf_t *w, const char *name)
{
	size_t total = 1;
	const char *p = name;
	if (!name || !*name)
		return -1;
	if (strcmp(name, ".") == 0) {
		wbuf_u8(w, 0);
		return 0;
	}
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63 || memchr(p, '\\', n))
			return -1;
		total += n + 1;
		if (total > 255)
			return -1;
		wbuf_u8(w, (uint8_t)n);
		wbuf_bytes(w, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	wbuf_u8(w, 0);
	return 0;
}

dnsquery_status_t dnsquery_build(const dnsquery_t *q, uint8_t *buf, size_t cap, size_t *len)
{
	if (q->nsid && !q->opt)
		return DNSQUERY_BAD_ARG;
	wbuf_t w = wbuf_make(buf, cap);
	wbuf_u16(&w, q->id);
	wbuf_u16(&w, q->rd ? 0x0100 : 0x0000); /* opcode QUERY */
	wbuf_u16(&w, 1);                       /* QDCOUNT */
	wbuf_u16(&w, 0);                       /* ANCOUNT */
	wbuf_u16(&w, 0);                       /* NSCOUNT */
	wbuf_u16(&w, q->opt ? 1 : 0);          /* ARCOUNT */
	if (dnsquery_name(&w, q->qname) < 0)
		return DNSQUERY_BAD_NAME;
	wbuf_u16(&w, q->qtype);
	wbuf_u16(&w, q->qclass ? q->qclass : 1);
	if (q->opt) {
		wbuf_u8(&w, 0);                /* owner: root */
		wbuf_u16(&w, DNS_TYPE_OPT);
		wbuf_u16(&w, q->udp_size);
		wbuf_u8(&w, 0);                /* extended RCODE */
		wbuf_u8(&w, 0);                /* version 0 */
		wbuf_u16(&w, q->do_bit ? 0x8000 : 0);
		wbuf_u16(&w, q->nsid ? 4 : 0); /* RDLENGTH */
		if (q->nsid) {
			wbuf_u16(&w, EDNS_OPTION_NSID); /* empty in a query */
			wbuf_u16(&w, 0);
		}
	}
	if (!wbuf_ok(&w))
		return DNSQUERY_NO_ROOM;
	*len = w.len;
	return DNSQUERY_OK;
}
