/* query.h - read one DNS query from the network (RFC 1035 §4.1, RFC 6891 §6).
 *
 *   header:   id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *   question: qname (labels, no compression) qtype(2) qclass(2)
 *   OPT:      name "." type 41, class = UDP size,
 *             ttl = ext-rcode(8) version(8) DO(1) Z(15), rdata = options
 *
 * Every byte is hostile: read through common/cursor.h, bounded by the length
 * received. The parse decides one of three outcomes: drop (no answer can be
 * addressed: shorter than a header, or a response), an error rcode to answer
 * with (FORMERR, NOTIMP), or a usable query.
 */
#ifndef DNSFRAG_RESPONDER_QUERY_H
#define DNSFRAG_RESPONDER_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define QUERY_NAME_MAX 255   /* wire bytes of a name, root label included */
#define QUERY_LABELS_MAX 128

enum {
	DNS_CLASS_IN = 1,
	DNS_T_SOA = 6,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_TXT = 16,
	DNS_T_OPT = 41,
	DNS_T_ANY = 255,
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: needs the OPT's upper bits */
};

typedef enum query_status {
	QUERY_OK,       /* header, question and (if present) the OPT are usable */
	QUERY_DROP,     /* no answer: shorter than a header, or QR set */
	QUERY_FORMERR,  /* answer FORMERR (question echoed if has_question) */
	QUERY_NOTIMP,   /* opcode other than QUERY */
} query_status_t;

typedef struct query {
	uint16_t id;
	uint16_t flags;            /* as received */
	uint8_t opcode, rd, cd;
	uint16_t qdcount, ancount, nscount, arcount;

	int has_question;
	const uint8_t *question;   /* into the caller's bytes: qname + qtype + qclass as sent */
	size_t question_len;
	size_t qname_len;          /* wire bytes of qname, root label included */
	uint8_t lname[QUERY_NAME_MAX]; /* qname in lower case (0x20 removed) */
	uint8_t nlabels;           /* labels, root excluded */
	uint8_t label_off[QUERY_LABELS_MAX]; /* offset of each label's length byte in lname */
	uint16_t qtype, qclass;

	int has_opt;
	uint16_t udp_size;         /* the OPT class as sent */
	uint8_t edns_version;
	uint8_t do_bit;

	const char *why;           /* for FORMERR: what was wrong */
} query_t;

/* Parse len bytes at msg into q. q->question points into msg, which must
 * outlive q. Never reads outside [msg, msg+len). */
query_status_t query_parse(const uint8_t *msg, size_t len, query_t *q);

/* The largest UDP answer the query allows: its EDNS size (at least 512) or
 * 512 without EDNS. */
unsigned query_udp_limit(const query_t *q);

/* Label i of the lower-cased name (0 = leftmost): pointer and length. */
const uint8_t *query_label(const query_t *q, unsigned i, unsigned *len);

#endif /* DNSFRAG_RESPONDER_QUERY_H */
