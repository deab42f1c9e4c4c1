/* dnsquery.h - a DNS query on the wire (RFC 1035 4.1, RFC 6891 6.1): the one
 * builder the probe's socket queries (probe/wire.c) and its crafted packets
 * (probe/craft.c) share.
 */
#ifndef DNSFRAG_COMMON_DNSQUERY_H
#define DNSFRAG_COMMON_DNSQUERY_H

#include <stddef.h>
#include <stdint.h>

typedef struct dnsquery {
	uint16_t id;
	const char *qname;  /* presentation form, "." or "example.org" (trailing dot
	                       optional); no escapes: a backslash is refused */
	uint16_t qtype;
	uint16_t qclass;    /* 0 means IN */
	int rd;             /* recursion desired */
	int opt;            /* add an OPT record (the only RR of the additional section) */
	uint16_t udp_size;  /* OPT CLASS: the advertised UDP payload size */
	int do_bit;         /* OPT DO flag */
	int nsid;           /* an empty NSID option (RFC 5001, code 3) in the OPT */
} dnsquery_t;

typedef enum dnsquery_status {
	DNSQUERY_OK,
	DNSQUERY_BAD_NAME,  /* empty or over-long label, over 255 bytes, a backslash */
	DNSQUERY_NO_ROOM,   /* cap too small (buf then holds garbage) */
	DNSQUERY_BAD_ARG,   /* nsid without opt */
} dnsquery_status_t;

#define DNSQUERY_MAX 286 /* header 12, a 255-byte name, type and class 4, OPT 11, NSID 4 */

/* Write q into buf (cap bytes); *len gets its length. */
dnsquery_status_t dnsquery_build(const dnsquery_t *q, uint8_t *buf, size_t cap, size_t *len);

#endif /* DNSFRAG_COMMON_DNSQUERY_H */
