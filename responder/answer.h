/* answer.h - dnsfrag-responder's query handler: query bytes in, answer bytes out.
 *
 * No sockets, no clock, no randomness of its own: everything the answer
 * depends on is an argument, so the handler is unit-tested and fuzzed as a
 * pure function. It serves one zone (REFUSED for anything else):
 *
 *   ZONE                 SOA, NS; NODATA for other types
 *   NS names in ZONE     A, AAAA: the addresses it was given (its listen addresses)
 *   rs.ZONE              TXT: the reply-size test (see rstest.h)
 *   N.size.ZONE          any type: an answer of exactly N bytes (TXT and ANY:
 *                        one TXT record; other types: NODATA padded with a TXT
 *                        record in the additional section); TC=1 when N is
 *                        larger than the query allows over UDP
 *   ttlH.N.size.ZONE     the same, sent with IP TTL / hop limit H (1..255); only
 *                        with allow_ttl (--allow-ttl), else REFUSED
 *   teID.size.ZONE       TXT: the ICMP errors (Time Exceeded, ...) that answers
 *                        to this client with DNS id ID drew, as the server saw
 *                        them (responder_te_add); only with allow_ttl
 *
 * Every byte of the query is hostile: the parse (query.c) is bounds-checked,
 * and every answer is built with the bounds-checked writer (wbuf.h).
 */
#ifndef DNSFRAG_RESPONDER_ANSWER_H
#define DNSFRAG_RESPONDER_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"
#include "rstest.h"

#define RESPONDER_ZONE_WIRE_MAX 128 /* keeps every chain answer under 512 bytes unpadded */
#define RESPONDER_NS_MAX 4
#define RESPONDER_NS_ADDR_MAX 16
#define RESPONDER_MSG_MAX 65535
#define RESPONDER_LOG_MAX 384

typedef enum responder_transport {
	RESPONDER_UDP,
	RESPONDER_TCP,
} responder_transport_t;

typedef struct responder_config {
	const char *zone;               /* presentation form, e.g. "rs-test.example." */
	const char *ns[RESPONDER_NS_MAX]; /* NS names (absolute); none: ns.ZONE */
	unsigned nns;
	const char *ns_addr[RESPONDER_NS_ADDR_MAX]; /* A / AAAA of the NS names inside the zone
	                                   (IPv4 / IPv6 literals; the listen addresses) */
	unsigned nns_addr;
	unsigned oarc_max;              /* ceiling of the reply-size search; 0: 4096 */
	unsigned rate, burst, slip;     /* per-client UDP answers a second; rate 0: off */
	size_t tests_max;               /* reply-size tests remembered; 0: 4096 */
	int allow_ttl;                  /* honour ttlH labels and answer teID (--allow-ttl) */
} responder_config_t;

typedef struct responder_stats {
	uint64_t queries, dropped, formerr, refused, ratelimited, tests, tests_done;
} responder_stats_t;

/* An ICMP error an answer drew (the server reads them from the socket's error
 * queue: IP_RECVERR / IPV6_RECVERR), kept for the client to ask about. */
#define RESPONDER_TE_MAX 256
#define RESPONDER_TE_REPORT_MAX 16  /* records in one teID answer */
typedef struct responder_te {
	int v6;
	uint8_t client[16];              /* the answer's destination */
	uint16_t id;                     /* its DNS id (from the quoted payload) */
	uint8_t from[16];                /* who sent the error (the router) */
	uint8_t type, code;              /* ICMP / ICMPv6 */
	uint32_t info;                   /* the MTU of a needs-frag / packet-too-big */
} responder_te_t;

typedef struct responder {
	uint8_t zone[RESPONDER_ZONE_WIRE_MAX]; /* lower case, wire form */
	size_t zone_len;
	unsigned zone_labels;
	char zone_text[RESPONDER_ZONE_WIRE_MAX * 4 + 2];
	uint8_t ns[RESPONDER_NS_MAX][255];
	size_t ns_len[RESPONDER_NS_MAX];
	unsigned nns;
	uint8_t addr4[RESPONDER_NS_ADDR_MAX][4], addr6[RESPONDER_NS_ADDR_MAX][16];
	unsigned n4, n6;
	unsigned oarc_max;
	rstest_table_t tests;
	ratelimit_t rl;
	uint64_t rng;                   /* splitmix64 state for nonces */
	responder_stats_t stats;
	int allow_ttl;
	responder_te_t te[RESPONDER_TE_MAX]; /* a ring: the newest RESPONDER_TE_MAX */
	unsigned te_next, te_n;
} responder_t;

typedef struct responder_client {
	int v6;                          /* 0: IPv4 */
	uint8_t addr[16];                /* 4 or 16 bytes used */
	uint16_t port;
	responder_transport_t transport;
	unsigned frag;                   /* largest UDP DNS message the server sends to this
	                                    client without fragmenting it; 0 unknown */
	int no_frag;                     /* answers to it leave unfragmentable (DF / IPv6 "dont") */
} responder_client_t;

typedef struct responder_clock {
	uint64_t mono_ms;                /* monotonic: state ages, rate limits */
	int64_t wall_s;                  /* UTC seconds: "Tested at" */
} responder_clock_t;

typedef struct responder_reply {
	size_t len;                      /* answer bytes in out; 0: send nothing */
	uint8_t hop_limit;               /* IP TTL / hop limit to send with; 0: default */
	char log[RESPONDER_LOG_MAX];     /* one line to log (no newline), or "" */
} responder_reply_t;

/* Check cfg and set r up. 0, or -1 with a message in err. */
int responder_init(responder_t *r, const responder_config_t *cfg, uint64_t seed, char *err, size_t errlen);
void responder_free(responder_t *r);

/* Answer len bytes of query from client. The answer goes to out (cap bytes;
 * RESPONDER_MSG_MAX is always enough) and reply says its length, hop limit and
 * a log line. Never reads outside the query, never writes outside out. */
void responder_answer(responder_t *r, const uint8_t *query, size_t len, const responder_client_t *client,
                      responder_clock_t now, uint8_t *out, size_t cap, responder_reply_t *reply);

/* Remember an ICMP error an answer drew (the oldest is forgotten when full). */
void responder_te_add(responder_t *r, const responder_te_t *e);

/* A TC=1 answer (header, question, OPT) to a query responder_answer answered,
 * for when the full answer could not be sent (EMSGSIZE). 0 if none. */
size_t responder_truncated(const uint8_t *query, size_t len, uint8_t *out, size_t cap);

#endif /* DNSFRAG_RESPONDER_ANSWER_H */
