/* rollover.h - root key rollover readiness: every '. DNSKEY' answer seen (in a
 * capture or live) validated with ldns at its capture time against the trust
 * anchors (anchors.h): which KSKs (flags 257) and ZSKs (256) it holds, REVOKE
 * bits (flags 385, RFC 5011 §2.1: the key tag grows by 128), whether the RRset
 * is signed by a key that chains to an anchor, signature inception/expiry
 * (RFC 4034 §3.1.5, serial arithmetic) against the capture time, the phase of
 * the rollover the set shows and its size on the wire.
 *
 * Validation of one answer (RFC 4035 §5.2, RFC 5011 §2.1):
 *   secure         an RRSIG over the DNSKEY RRset verifies at the capture time
 *                  and was made by an unrevoked key that matches an anchor
 *   stale-anchors  not secure, but the RRset verifies under a KSK missing from
 *                  the anchors while an anchored KSK is still published,
 *                  unrevoked: the rollover happened and the anchors did not follow
 *   bogus          anything else with signatures: no anchored key in the set,
 *                  the anchored key revoked with no other anchored signer,
 *                  signatures that do not verify, expired or not yet valid
 *   unsigned       no RRSIG over the keys (asked without DO): not judged
 *   not-checked    TC=1, an error rcode, a capture cut short, no DNSKEY, or
 *                  ldns could not parse it: not judged
 *
 * Health of the rollover check (folded into the report by rollover_report_apply):
 *   CRITICAL  some answer is bogus: a validator with these anchors fails
 *   WARNING   some answer is stale-anchors, or secure while a KSK that signs it
 *             is not an anchor: "update trust anchors (RFC 5011 or dns-root-data)"
 *   OK        every judged answer is secure and every signing KSK is anchored
 *   UNKNOWN   no answer could be judged: the report's health is left alone
 */
#ifndef DNSFRAG_COMMON_ROLLOVER_H
#define DNSFRAG_COMMON_ROLLOVER_H

#include <stdint.h>
#include <stdio.h>

#include "anchors.h"
#include "pipeline.h"
#include "report.h"

struct ldns_struct_rr;
/* A DNSKEY record's RDATA in wire form (flags, protocol, algorithm, key) into
 * buf; its length, 0 when malformed (not 4 fields, empty key) or over max. For
 * keytags, digests and anchor matching (anchors.h), here and in zone mode. */
size_t dnskey_rr2rdata(const struct ldns_struct_rr *rr, uint8_t *buf, size_t max);

#define ROLLOVER_MAX_KEYS 16      /* distinct keys remembered; more are counted */
#define ROLLOVER_MAX_ANSWERS 64   /* answers kept in detail; more are counted */
#define ROLLOVER_MAX_SET 8        /* keys and signatures kept per answer */
#define ROLLOVER_MAX_PHASES 16    /* distinct (phase, size) pairs */

typedef enum rollover_status {
	RO_SECURE,
	RO_STALE_ANCHORS,
	RO_BOGUS,
	RO_UNSIGNED,
	RO_NOT_CHECKED,
	RO_STATUS_COUNT
} rollover_status_t;

typedef enum rollover_phase {
	RO_PHASE_SINGLE,       /* one KSK, one ZSK */
	RO_PHASE_STANDBY,      /* two KSKs (a standby, or the old one after the roll), one ZSK */
	RO_PHASE_STANDBY_ZSK,  /* two KSKs, two ZSKs */
	RO_PHASE_REVOKED,      /* old KSK revoked, new KSK, one ZSK */
	RO_PHASE_REVOKED_ZSK,  /* old KSK revoked, new KSK, two ZSKs */
	RO_PHASE_ZSK_ROLL,     /* one KSK, two ZSKs */
	RO_PHASE_OTHER,
	RO_PHASE_COUNT
} rollover_phase_t;

typedef struct rollover_key {     /* one key seen in some answer, REVOKE masked to compare */
	uint64_t hash;                /* of its RDATA with the REVOKE bit cleared */
	uint16_t tag;                 /* unrevoked tag */
	uint16_t revoked_tag;         /* the tag with REVOKE set (tag + 128 but for carries) */
	uint16_t flags;               /* as last seen */
	uint8_t algorithm;
	uint16_t bits;                /* key size */
	int anchor;                   /* matching anchor, -1 */
	char name[ANCHOR_NAME_MAX];   /* "KSK-2017", from the anchors; "" */
	uint8_t sep, revoked_seen, unrevoked_seen;
	uint8_t signs;                /* a signature of it over the DNSKEY RRset verified */
	uint64_t answers;
} rollover_key_t;

typedef struct rollover_sig {
	uint16_t tag;
	uint8_t algorithm;
	int key;                      /* index into the rollover's keys, -1: no key with that tag */
	uint32_t inception, expiration;
	uint8_t verifies;             /* the signature is cryptographically good */
	uint8_t in_time;              /* inception <= capture time <= expiration */
} rollover_sig_t;

typedef struct rollover_answer {
	uint64_t frame;
	int64_t ts_ns;
	ip_addr_t server, client;
	uint16_t sport, cport;
	dns_transport_t transport;
	uint32_t size;                /* DNS message bytes */
	uint8_t do_bit, tc;
	uint8_t nkeys;
	uint8_t key[ROLLOVER_MAX_SET];       /* indices into the rollover's keys */
	uint16_t key_flags[ROLLOVER_MAX_SET];/* flags in this answer */
	uint8_t nsigs;
	rollover_sig_t sig[ROLLOVER_MAX_SET];
	uint8_t n_ksk, n_zsk, n_revoked;
	rollover_phase_t phase;
	rollover_status_t status;
	char why[320];
} rollover_answer_t;

typedef struct rollover_phase_seen {
	rollover_phase_t phase;
	uint32_t size;
	uint64_t answers;
} rollover_phase_seen_t;

/* ---- filled by the probe (probe/readiness.c); the analyzer leaves them empty */

/* Path readiness: can the path deliver an answer of a rollover phase's size
 * over UDP at the advertised EDNS size, and over TCP when truncated or lost? */
typedef enum rollover_ready {
	RO_READY,       /* the answer arrived: whole or in fragments over UDP, or over TCP */
	RO_NOT_READY,   /* neither UDP nor TCP brought it */
	RO_UNTESTED,    /* not asked, or the server gave an error: no verdict */
	RO_READY_COUNT
} rollover_ready_t;

#define ROLLOVER_MAX_READY 128     /* (target, advertised size, answer size) rows */
#define ROLLOVER_MAX_READY_SUM 32  /* (family, phase) verdicts */

typedef struct rollover_ready_row {
	char server[64];
	uint8_t family;
	rollover_phase_t phase;      /* the phase whose size the answer has; RO_PHASE_OTHER: none */
	uint32_t size;               /* DNS message bytes of the answer (expected, or seen) */
	uint16_t advertised;         /* EDNS size asked with; 0: no EDNS */
	char qname[96];
	uint8_t dnskey;              /* the '. DNSKEY' answer itself, not a sized name */
	const char *udp;             /* "whole", "fragmented", "truncated", "fragments-lost", "lost", "refused", "error" */
	uint32_t fragments;          /* fragments the UDP answer came in (0: whole or none) */
	const char *tcp;             /* plan_tcp2str words: "not-tried", "ok", "syn-timeout", ... */
	rollover_ready_t verdict;
	char why[240];
} rollover_ready_row_t;

typedef struct rollover_ready_sum {
	uint8_t family;
	rollover_phase_t phase;
	uint32_t size;
	rollover_ready_t verdict;     /* ready only when every row of it is */
	uint32_t rows, ready, not_ready;
	char why[240];               /* the first not-ready row's reason, else the first row's */
} rollover_ready_sum_t;

/* The resolver's trust (RFC 8509 sentinels, the AD bit, RFC 8914 EDE). */
typedef enum rollover_trust {
	RO_TRUST_YES, RO_TRUST_NO, RO_TRUST_CANNOT_TELL, RO_TRUST_COUNT
} rollover_trust_t;

#define ROLLOVER_MAX_TRUST 64
#define ROLLOVER_MAX_RESOLVERS 16

typedef struct rollover_sentinel_answer { /* one sentinel query's answer */
	char qname[96];
	int16_t rcode;               /* -1: no answer */
	uint8_t ad;
	int32_t ede;                 /* RFC 8914 INFO-CODE, -1 none */
	char ede_text[80];
} rollover_sentinel_answer_t;

typedef struct rollover_trust_check {
	char server[64];
	uint16_t tag;
	char name[ANCHOR_NAME_MAX];  /* "KSK-2024", "" */
	rollover_sentinel_answer_t is_ta, not_ta;
	rollover_trust_t trusts;
	uint8_t revoked_seen;        /* the key was seen revoked in a DNSKEY answer of this run */
	char why[240];
} rollover_trust_check_t;

typedef struct rollover_resolver {
	char server[64];
	int16_t ad_rcode;            /* '. SOA' with DO: rcode, -1 no answer */
	uint8_t ad;                  /* its AD bit */
	int32_t ad_ede;
	char ad_ede_text[80];
	rollover_trust_t validates;  /* yes: AD=1 on the signed answer; no: AD=0; cannot-tell: no answer */
	char sentence[240];
} rollover_resolver_t;

typedef struct rollover {
	anchor_set_t anchors;
	rollover_key_t keys[ROLLOVER_MAX_KEYS];
	uint32_t nkeys;
	uint64_t keys_not_kept;
	rollover_answer_t answers[ROLLOVER_MAX_ANSWERS];
	uint32_t nanswers;
	uint64_t answers_not_shown;
	uint64_t total;
	uint64_t count[RO_STATUS_COUNT];
	rollover_phase_seen_t phases[ROLLOVER_MAX_PHASES];
	uint32_t nphases;
	int unanchored_signer;        /* a signing KSK not in the anchors, -1 */
	health_t health;
	char sentence[400];
	/* the probe's additions (empty in the analyzer) */
	uint8_t has_readiness, has_trust;
	rollover_ready_row_t ready[ROLLOVER_MAX_READY];
	uint32_t nready;
	rollover_ready_sum_t ready_sum[ROLLOVER_MAX_READY_SUM];
	uint32_t nready_sum;
	char readiness_note[240];
	rollover_resolver_t resolvers[ROLLOVER_MAX_RESOLVERS];
	uint32_t nresolvers;
	rollover_trust_check_t trust[ROLLOVER_MAX_TRUST];
	uint32_t ntrust;
} rollover_t;

/* A rollover check with a copy of anchors. NULL when out of memory. */
rollover_t *rollover_new(const anchor_set_t *anchors);
void rollover_free(rollover_t *ro);
/* Hooks (dns only) to add to the pipeline's fan-out (hooks.h). */
pipeline_hooks_t rollover_hooks(rollover_t *ro);
/* Look at one DNS message: '. DNSKEY' answers are validated, the rest ignored. */
void rollover_add_msg(rollover_t *ro, const dns_msg_t *msg);
/* Validate one '. DNSKEY' answer of len bytes (the whole message) at time at
 * (seconds); fills a and updates the keys and counts. Used by rollover_add_msg
 * and by tests. */
void rollover_check_answer(rollover_t *ro, const uint8_t *wire, uint32_t len, int64_t at, rollover_answer_t *a);
/* After the input: the check's health and sentence. */
void rollover_finish(rollover_t *ro);
/* Raise the report's health (and take over its headline) when the rollover
 * check is worse: WARNING or CRITICAL. UNKNOWN and OK change nothing. */
void rollover_report_apply(const rollover_t *ro, report_t *r);
/* The "Root key rollover" section of the text report. */
void rollover_text_write(const rollover_t *ro, FILE *out);
struct json_writer;
/* The top-level "rollover" key and its object (dnsfrag-json(5)). */
void rollover_json_write(const rollover_t *ro, struct json_writer *w);
/* report_config_t.json_extra adapter: ctx is a rollover_t. */
void rollover_json_extra(const void *ctx, struct json_writer *w);

/* Probe additions: summarise the readiness rows per (family, phase) and raise
 * ro's health: WARNING when a phase is not ready or a resolver does not trust
 * an anchored key that was not seen revoked. Call after rollover_finish. */
void rollover_probe_finish(rollover_t *ro);
/* The phase whose reference size is size (864 single, 1,139 standby, ...), or RO_PHASE_OTHER. */
rollover_phase_t rollover_phase_of_size(uint32_t size);
/* The five sizes of the phases, in rollover order (864, 1139, 1414, 1425, 1700). */
extern const uint32_t rollover_phase_sizes[5];
const char *rollover_ready2str(rollover_ready_t r);   /* "ready", "not-ready", "untested" */
const char *rollover_trust2str(rollover_trust_t t);   /* "yes", "no", "cannot-tell" */

const char *rollover_status2str(rollover_status_t s);
const char *rollover_phase2str(rollover_phase_t p);       /* "revoked" (the lab's phase names) */
const char *rollover_phase2text(rollover_phase_t p);      /* "old KSK revoked" */
uint32_t rollover_phase_reference_size(rollover_phase_t p); /* the real root's answer with DO, RSA-2048; 0 */
/* "KSK-2017 (20326) revoked, now 20454" / "KSK 12345" / "ZSK 4321" into buf. */
const char *rollover_key2str(const rollover_t *ro, const rollover_key_t *k, int revoked, char *buf, size_t len);

#endif /* DNSFRAG_COMMON_ROLLOVER_H */
