/* zonestate.h - the DNSSEC state a validating resolver reaches for a zone
 * (RFC 4033 §5, RFC 4035 §4.3 and §5), from the answers the probe fetched
 * along the delegation chain: '. DNSKEY' checked against the trust anchors,
 * then for every zone cut below it the DS RRset from the parent's servers and
 * the DNSKEY RRset from each of the zone's own servers. Validation is ldns's
 * (ldns_verify_time at the time of measurement); the decisions around it are
 * here, each with the words a report can show.
 *
 *   secure         every link verifies: the DS RRset (signed by the parent's
 *                  keys) names a DNSKEY that every server of the zone
 *                  publishes and that signs the DNSKEY RRset there, in time
 *   insecure       a delegation on the way has no DS, proven by a signed
 *                  NSEC/NSEC3 answer, or a DS RRset whose algorithms or digest
 *                  types are all unsupported (RFC 4035 §5.2, RFC 6840 §5.2)
 *   bogus          a DS with no matching DNSKEY at some server, a missing,
 *                  expired, not yet valid or failing signature, an unsigned
 *                  answer where a signed one is due, or the root's keys not
 *                  matching the trust anchors
 *   indeterminate  no trust anchor to start from
 *   unknown        an answer needed to decide was not obtained (the path lost
 *                  it, or no server answered): the report says which
 *
 * Per server, because a resolver picks one of the zone's servers: during a
 * provider transfer the old and the new provider may publish different
 * DNSKEY sets, and a DS that matches one set only makes the zone bogus for
 * every resolver that asks the other provider (RFC 8901, the registrar
 * transfer guideline: bogus must never happen).
 *
 * Every answer is hostile input: ldns_wire2pkt parses it (bounded), and
 * every count kept here is capped.
 */
#ifndef DNSFRAG_PROBE_ZONESTATE_H
#define DNSFRAG_PROBE_ZONESTATE_H

#include <stdint.h>

#include "anchors.h"

#define ZS_MAX_LEVELS 8      /* zone cuts from the root down (root included) */
#define ZS_MAX_SERVERS 16    /* server addresses kept per zone */
#define ZS_MAX_KEYS 16       /* DNSKEYs kept per server answer */
#define ZS_MAX_DS 16         /* DS records kept */

typedef enum zone_state {
	ZS_SECURE, ZS_INSECURE, ZS_BOGUS, ZS_INDETERMINATE, ZS_UNKNOWN, ZS_STATE_COUNT
} zone_state_t;

/* One answer as fetched (the whole DNS message), or none. */
typedef struct zs_msg {
	const uint8_t *wire;     /* NULL: not obtained */
	uint32_t len;
} zs_msg_t;

typedef struct zs_level_in {
	const char *name;                 /* the zone at this cut ("." first) */
	zs_msg_t ds;                      /* DS answer from a parent server (unused for ".") */
	char ds_server[64];               /* where it came from */
	zs_msg_t dnskey[ZS_MAX_SERVERS];  /* DNSKEY answer from each server of the zone */
	char server[ZS_MAX_SERVERS][64];
	uint32_t nservers;
} zs_level_in_t;

typedef struct zs_key {
	uint16_t tag, flags, bits;
	uint8_t algorithm;
	uint8_t ds_match;        /* a supported DS of the parent names it (digest checked) */
	uint8_t anchor;          /* root only: matches a trust anchor */
	uint8_t signs;           /* an RRSIG of it over the DNSKEY RRset verifies now */
} zs_key_t;

typedef struct zs_server {
	char server[64];
	uint8_t obtained;
	zone_state_t state;
	uint32_t ttl;            /* of the DNSKEY RRset */
	zs_key_t keys[ZS_MAX_KEYS];
	uint32_t nkeys;
	uint8_t matches_ds;      /* some DNSKEY here matches a supported DS (root: an anchor) */
	char why[280];
} zs_server_t;

typedef struct zs_ds {
	uint16_t tag;
	uint8_t algorithm, digest_type;
	uint8_t supported;       /* algorithm and digest type both supported */
	uint8_t matched;         /* some server publishes the key it names */
} zs_ds_t;

typedef struct zs_level {
	char name[256];
	zone_state_t state;      /* the chain's state down to this cut */
	uint8_t checked;         /* judged (not skipped below an insecure, bogus or unknown cut) */
	uint8_t ds_obtained, ds_denied; /* denied: no DS, proven by signed NSEC/NSEC3 */
	uint32_t ds_ttl;
	zs_ds_t ds[ZS_MAX_DS];
	uint32_t nds;
	zs_server_t servers[ZS_MAX_SERVERS];
	uint32_t nservers;
	uint8_t needs_dnskey;    /* the DNSKEY answers matter to the verdict (not below an insecure DS) */
	char why[400];
} zs_level_t;

typedef struct zs_result {
	zone_state_t state;      /* of the last level: the zone asked about */
	int decided_at;          /* the level that decided it (-1) */
	zs_level_t level[ZS_MAX_LEVELS];
	uint32_t nlevels;
	char why[480];
} zs_result_t;

/* Validate the chain at time now (seconds since 1970). anchors NULL or empty:
 * indeterminate. Pure but for ldns. */
void zonestate_validate(const zs_level_in_t *in, uint32_t nlevels, const anchor_set_t *anchors, int64_t now,
                        zs_result_t *out);

const char *zonestate2str(zone_state_t s);   /* "secure", "insecure", "bogus", "indeterminate", "unknown" */
const char *zonestate2text(zone_state_t s);  /* "Secure", ... */

/* DNSSEC algorithms and DS digest types this validator supports (RFC 8624). */
int zonestate_alg_supported(uint8_t alg);
int zonestate_digest_supported(uint8_t digest_type);

#endif /* DNSFRAG_PROBE_ZONESTATE_H */
