/* config.h - what a probe run measures: the one vocabulary shared by profile
 * keys (the profiles/ directory, dnsfrag-probe(8) "PROFILES") and command-line flags.
 *
 * A flag and a profile key with the same name set the same field through
 * probe_cfg_set(), so "a flag overrides a profile key" is just "flags are set
 * after the profile". Pure: no I/O, no sockets; errors are returned as text.
 */
#ifndef DNSFRAG_PROBE_CONFIG_H
#define DNSFRAG_PROBE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_MAX_SIZES 32
#define PROBE_MAX_NAMES 32
#define PROBE_MAX_SETS 16
#define PROBE_MAX_SERVERS 64
#define PROBE_NAME_MAX 256   /* a presentation-form domain name, with its NUL */
#define PROBE_TEXT_MAX 256

/* DO bit choices (a mask: both means each question is asked with DO off and on). */
enum { PROBE_DO_OFF = 1, PROBE_DO_ON = 2, PROBE_DO_BOTH = 3 };
/* Address families (a mask). */
enum { PROBE_FAM_4 = 1, PROBE_FAM_6 = 2 };

typedef enum probe_mode {
	PROBE_MODE_SWEEP, /* names x EDNS sizes x DO to each server */
	PROBE_MODE_OARC,  /* the reply-size test: rs.<zone> TXT through a resolver */
	PROBE_MODE_ROLLOVER, /* root key rollover readiness: answers of each phase's size; with RD,
	                      * the resolver's trust (RFC 8509 sentinels) */
	PROBE_MODE_ZONE,     /* a zone's DNSSEC state behind this path (probe/zone.h) */
} probe_mode_t;

#define PROBE_MAX_TAGS 8     /* key tags whose trust the sentinels ask about */

/* Which keys of a query set were given (the rest come from the defaults). */
enum { QSET_NAMES = 1, QSET_TYPE = 2, QSET_SIZES = 4, QSET_DO = 8, QSET_RD = 16 };

/* One set of questions: every name x every EDNS size x DO choice. */
typedef struct probe_qset {
	char names[PROBE_MAX_NAMES][PROBE_NAME_MAX];
	uint32_t nnames;
	uint16_t qtype;
	uint16_t sizes[PROBE_MAX_SIZES]; /* advertised EDNS sizes; 0 means no EDNS */
	uint32_t nsizes;
	uint8_t do_mask;
	uint8_t rd;                      /* recursion desired (a resolver target) */
	uint32_t given;                  /* QSET_* */
} probe_qset_t;

typedef struct probe_cfg {
	probe_mode_t mode;
	uint8_t mode_given;              /* a mode key or flag was given (--zone alone selects mode zone) */
	probe_qset_t defaults;           /* the keys outside a [query] section */
	probe_qset_t sets[PROBE_MAX_SETS];
	uint32_t nsets;
	char servers[PROBE_MAX_SERVERS][64];
	uint32_t nservers;
	char hints[PROBE_TEXT_MAX];      /* root.hints file; "" means the default */
	char zone[PROBE_NAME_MAX];       /* the reply-size test's zone (mode oarc); the zone judged (mode zone) */
	char iface[64];                  /* "" means the interface of the route to the targets */
	char description[PROBE_TEXT_MAX];
	uint8_t families;                /* PROBE_FAM_* */
	uint8_t tcp;                     /* TCP after truncation and as control after a UDP failure */
	uint8_t fragments_required;      /* --policy=fragments-required */
	uint32_t repeats;
	uint8_t repeats_auto;            /* --repeats auto: lost questions asked again (probe/loss.h) */
	double assume_loss;              /* per-packet loss rate assumed by the loss bound (0.05) */
	uint32_t timeout_ms;             /* per UDP wait and per TCP attempt */
	uint32_t settle_ms;              /* capture kept open after the last answer */
	uint32_t rate;                   /* queries per second per target; 0 unlimited */
	uint32_t inflight;               /* queries outstanding over all targets */
	/* Crafted queries (probe/crafted.c): any of these makes every UDP size
	 * question a raw packet built by probe/craft.c. */
	int8_t df;                       /* IPv4 DF: -1 not given, 0 clear, 1 set */
	int16_t ttl;                     /* TTL / hop limit: -1 not given */
	int32_t ip_id;                   /* IPv4 id (and IPv6 fragment id): -1 not given (random) */
	char sources[2][64];             /* source address per family ([0] IPv4, [1] IPv6), "" from the route */
	char vrf[64];                    /* bind every socket to this device (an interface or a VRF master) */
	uint32_t pad;                    /* EDNS padding: the query grows to this many bytes; 0 none */
	uint32_t frag_query;             /* the probe fragments its own queries: UDP bytes per fragment; 0 off */
	/* Findings beyond sizes (probe/findings.c). */
	uint8_t identity;                /* NSID and hostname.bind CH TXT, one small query each per target */
	char expect_nsid[PROBE_TEXT_MAX];/* "NSID" for every target, or "ADDR=NSID ..." */
	/* Mode rollover (probe/readiness.c). */
	char sentinel_zone[PROBE_NAME_MAX]; /* the signed zone the sentinel names are under; "" = "." */
	uint16_t ta_tags[PROBE_MAX_TAGS];   /* key tags asked about (the trust anchors'), probe_cfg_sentinels */
	uint32_t ntags;
	char sentinel_names[2 * PROBE_MAX_TAGS][PROBE_NAME_MAX]; /* is-ta then not-ta, per tag */
	/* --trace (probe/trace.h): where fragments die, by hop. */
	uint8_t trace;                   /* TRACE_DO_* mask (query 1, answer 2, pmtu 4); 0: no trace */
	uint32_t max_hops;               /* hops a trace goes out to (default 16) */
	uint32_t trace_attempts;         /* probes per hop while they draw nothing (default 3) */
	char trace_zone[PROBE_NAME_MAX]; /* the dnsfrag-responder zone for the answer-direction trace */
} probe_cfg_t;

/* Polite pacing: a rate above PROBE_POLITE_RATE questions a second per target
 * (or 0, unlimited) or more than PROBE_POLITE_INFLIGHT questions outstanding
 * is refused unless --unsafe-rate is given (with a warning on stderr) or the
 * run is in the lab (DNSFRAG_LAB=1, every target a lab address). */
#define PROBE_POLITE_RATE 20
#define PROBE_POLITE_INFLIGHT 32

/* The pacing check, after the flags and the lab guard. unsafe: --unsafe-rate
 * given; lab: DNSFRAG_LAB=1 (targets already checked). Returns 0 (within the
 * limits, or the lab), 1 (above them with --unsafe-rate: warn holds the
 * warning), or -1 with err (refused). */
int probe_cfg_pacing_check(const probe_cfg_t *cfg, int unsafe, int lab, char *warn, size_t warnlen, char *err,
                           size_t errlen);

/* The sizes of the root DNSKEY answer in the phases of a rollover (RSA-2048,
 * DO): the sized names N.size.ZONE asked in mode rollover. */
#define PROBE_ROLLOVER_NSIZES 5
extern const uint16_t probe_rollover_sizes[PROBE_ROLLOVER_NSIZES];

/* Mode rollover: the key tags the sentinel questions ask about (the trust
 * anchors', duplicates dropped, at most PROBE_MAX_TAGS), and their names
 * root-key-sentinel-is-ta-NNNNN.ZONE / -not-ta- (RFC 8509: five digits).
 * Returns 0, or -1 with err when a name does not fit. */
int probe_cfg_sentinels(probe_cfg_t *cfg, const uint16_t *tags, uint32_t n, char *err, size_t errlen);

/* Does the run craft its UDP queries (any of df, ttl, ip-id, source, vrf, pad,
 * fragment-query given)? */
int probe_cfg_crafted(const probe_cfg_t *cfg);

/* The NSID expected from the target at address text (from expect-nsid), or NULL. */
const char *probe_cfg_expected_nsid(const probe_cfg_t *cfg, const char *addr, char *buf, size_t len);

/* The built-in defaults: the root DNSKEY sweep with DO, polite pacing. */
void probe_cfg_default(probe_cfg_t *cfg);

/* Set KEY to VALUE. set == NULL: a top-level key (query keys there are the
 * defaults of every set); else a key of that [query] set, where only query keys
 * are allowed. Returns 0, or -1 with the reason in err. */
int probe_cfg_set(probe_cfg_t *cfg, probe_qset_t *set, const char *key, const char *value, char *err, size_t errlen);

/* A command-line flag: like a top-level key, and a query key also overrides
 * that key in every [query] set. */
int probe_cfg_override(probe_cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen);

/* Open a new [query] set; NULL when there are PROBE_MAX_SETS already. */
probe_qset_t *probe_cfg_add_set(probe_cfg_t *cfg);

/* After the profile and the flags: fill each set's missing keys from the
 * defaults (or make the defaults the only set). Returns 0 or -1 with err. */
int probe_cfg_finish(probe_cfg_t *cfg, char *err, size_t errlen);

/* Is KEY a query-set key (name, type, sizes, do, rd)? */
int probe_cfg_is_query_key(const char *key);

#endif /* DNSFRAG_PROBE_CONFIG_H */
