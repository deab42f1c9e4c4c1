/* wire.h - the probe's DNS messages on the wire (RFC 1035 4.1, RFC 6891 6.1):
 * building a query and reading the header of an answer. No cookies, no NSID,
 * no padding: options shift answer sizes by tens of bytes (issue 6).
 */
#ifndef DNSFRAG_PROBE_WIRE_H
#define DNSFRAG_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_QUERY_MAX 300 /* at least DNSQUERY_MAX: header, a 255-byte name, question, OPT with NSID */

/* Build a query into buf (at least WIRE_QUERY_MAX bytes): edns 0 means no OPT.
 * Returns its length, or 0 when the name cannot be encoded (common/dnsquery.h:
 * no escapes; "" is the root). */
size_t wire_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t edns,
                        int do_bit, int rd);

/* The same with a class (0: IN) and, when nsid is set, an empty NSID option
 * (RFC 5001, code 3) in the OPT record (edns must then not be 0). Only the
 * probe's separate identity query asks for NSID. */
size_t wire_query_build_ex(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype, uint16_t qclass,
                           uint16_t edns, int do_bit, int rd, int nsid);

typedef struct wire_answer_head {
	uint16_t id;
	uint8_t qr, aa, tc, rd, ra, ad;
	uint8_t rcode;
} wire_answer_head_t;

/* Read the 12-byte header; -1 when shorter. */
int wire_answer_head(const uint8_t *msg, size_t len, wire_answer_head_t *h);

#endif /* DNSFRAG_PROBE_WIRE_H */
