/* dnsview.h - the per-packet DNS view: header, question and OPT (RFC 1035 §4.1,
 * RFC 6891 §6, RFC 8914 extended errors), read through the project's cursor.
 *
 * Only what verdicts need is read; whole messages go to ldns where a full
 * parse is needed (DNSSEC). Names are never followed through a compression
 * loop or a forward pointer: either makes the message malformed.
 */
#ifndef DNSFRAG_COMMON_DNSVIEW_H
#define DNSFRAG_COMMON_DNSVIEW_H

#include <stdint.h>

#include "cursor.h"
#include "status.h"

#define DNS_NAME_TEXT_MAX 1024 /* 255 wire bytes, each at worst "\DDD" */

enum {
	DNS_TYPE_OPT = 41,
	DNS_OPT_NSID = 3,
	DNS_OPT_COOKIE = 10,
	DNS_OPT_PADDING = 12,
	DNS_OPT_EDE = 15,
};

typedef struct dns_view {
	uint16_t id;
	uint8_t qr, opcode, aa, tc, rd, ra, ad, cd;
	uint16_t rcode;            /* with the OPT's extended bits: 12 bits */
	uint16_t qdcount, ancount, nscount, arcount;
	uint8_t has_question;
	uint16_t qname_len;        /* bytes of qname before its NUL: whoever copies or hashes
	                              the name need not measure it again */
	char qname[DNS_NAME_TEXT_MAX]; /* presentation form, case kept ("." for the root) */
	uint16_t qtype, qclass;
	uint8_t has_opt;
	uint16_t udp_size;         /* OPT class: the advertised EDNS buffer size */
	uint8_t edns_version;
	uint8_t do_bit;
	uint16_t opt_options;      /* options in the OPT record */
	uint8_t has_nsid, has_cookie, has_padding;
	uint8_t has_ede;
	uint16_t ede_code;         /* the first extended DNS error */
	uint32_t wire_len;         /* the message's size on the wire */
	uint8_t cut;               /* the capture holds fewer than wire_len bytes */
	const char *malformed;     /* NULL, or why parsing stopped (with cut: the capture ended) */
} dns_view_t;

/* Parse msg (wire_len bytes on the wire; the capture may hold fewer). OK when
 * header and question are read; the OPT is read if the sections before it
 * parse. TRUNCATED when the capture cut the message, INVALID when a field lies
 * (v->malformed says which). Counted under LAYER_DNS. */
decode_outcome_t dns_view_parse(cursor_t msg, uint32_t wire_len, dns_view_t *v, decode_counts_t *dc);

/* "DNSKEY", "TXT" or "TYPE65000" into buf; returns buf. */
const char *dns_type2str(uint16_t type, char *buf, size_t len);
/* "NOERROR", "BADVERS" or "RCODE23" into buf; returns buf. */
const char *dns_rcode2str(uint16_t rcode, char *buf, size_t len);

#endif /* DNSFRAG_COMMON_DNSVIEW_H */
