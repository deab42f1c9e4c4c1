/* anchors.h - DNSSEC trust anchors for the root: IANA's root-anchors.xml
 * (RFC 9718), DS and DNSKEY presentation lines (RFC 4034 §5.3 and §2.2, as in
 * Debian's /usr/share/dns/root.ds and root.key or Unbound's root.key), and an
 * embedded, dated fallback.
 *
 * Every byte of an anchors file is treated as hostile: the parsers are small,
 * bounded (ANCHORS_FILE_MAX bytes, ANCHORS_MAX anchors, fixed-size fields) and
 * written for this project; libxml2 is not used. Errors name the file and the
 * line ("FILE:LINE: why") and leave the set empty.
 *
 * Matching (RFC 5011 §2.1, §7): a revoked key's flags gain 0x0080, so its key
 * tag grows by 128 and its DS no longer matches the anchor. Keys are matched
 * with the REVOKE bit masked: the DS of the key with flags & ~0x0080 against DS
 * anchors, the public key (and algorithm) against DNSKEY anchors.
 */
#ifndef DNSFRAG_COMMON_ANCHORS_H
#define DNSFRAG_COMMON_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

#define ANCHORS_MAX 16
#define ANCHORS_FILE_MAX (1u << 20)    /* larger files are refused */
#define ANCHOR_DIGEST_MAX 64
#define ANCHOR_KEY_MAX 1024            /* public key bytes (RSA-4096 needs 516) */
#define ANCHOR_NAME_MAX 32
#define ANCHORS_DEFAULT_FILE "/usr/share/dns/root.ds"
/* The embedded fallback: IANA's anchors as published, KSK-2017 and KSK-2024. */
#define ANCHORS_EMBEDDED_DATE "2024-07-18"

#define DNSKEY_FLAG_ZONE 0x0100u
#define DNSKEY_FLAG_REVOKE 0x0080u
#define DNSKEY_FLAG_SEP 0x0001u

typedef enum anchor_kind { ANCHOR_DS, ANCHOR_DNSKEY } anchor_kind_t;

typedef struct anchor {
	anchor_kind_t kind;
	uint16_t key_tag;        /* DS: as written; DNSKEY: computed (RFC 4034 App. B) */
	uint8_t algorithm;
	uint8_t digest_type;     /* DS only: 1 SHA-1, 2 SHA-256, 4 SHA-384 */
	uint8_t digest_len;
	uint8_t digest[ANCHOR_DIGEST_MAX];
	uint16_t flags;          /* DNSKEY, or the XML <Flags>; 0 when unknown */
	uint16_t key_len;        /* 0: no public key known */
	uint8_t key[ANCHOR_KEY_MAX];
	int64_t valid_from;      /* XML validFrom/validUntil, seconds since 1970; 0: none */
	int64_t valid_until;
	char name[ANCHOR_NAME_MAX]; /* "KSK-2017": a known root key, or "KSK-<validFrom year>"; "" */
	uint32_t line;           /* where it was read */
} anchor_t;

typedef struct anchor_set {
	anchor_t a[ANCHORS_MAX];
	uint32_t n;
	char source[512];        /* the file, or "embedded" */
	const char *format;      /* "root-anchors.xml", "DS/DNSKEY lines", "embedded" */
	char note[512];          /* why the default file was not used, "" otherwise */
} anchor_set_t;

/* Parse text (len bytes, not NUL-terminated) read from name: root-anchors.xml
 * when the first non-blank byte is '<', else DS/DNSKEY lines. Returns the
 * number of anchors (> 0), or -1 with "name:line: why" in err. */
int anchors_parse(anchor_set_t *s, const char *name, const char *text, size_t len, char *err, size_t errlen);
/* Read and parse path. Returns as anchors_parse; errors name the file. */
int anchors_load_file(anchor_set_t *s, const char *path, char *err, size_t errlen);
/* The embedded anchors (KSK-2017 and KSK-2024 as DNSKEYs). */
void anchors_load_embedded(anchor_set_t *s);
/* ANCHORS_DEFAULT_FILE, or the embedded anchors when it cannot be used (then
 * s->note says why). Never fails. */
void anchors_load_default(anchor_set_t *s);

/* RFC 4034 Appendix B key tag of a DNSKEY's RDATA (flags, protocol, algorithm, key). */
uint16_t dnskey_rdata2keytag(const uint8_t *rdata, size_t len);
/* The DS digest of the root's DNSKEY with this RDATA (owner "."): writes
 * out (ANCHOR_DIGEST_MAX bytes) and returns its length, or 0 for an unknown
 * digest type. */
size_t dnskey_rdata2digest(uint8_t digest_type, const uint8_t *rdata, size_t len, uint8_t *out);
/* The anchor, valid at time at (seconds; anchors without dates always are),
 * that this DNSKEY RDATA matches with its REVOKE bit masked; -1 when none. */
int anchors_match_dnskey(const anchor_set_t *s, const uint8_t *rdata, size_t len, int64_t at);
/* The name of a well-known root KSK ("KSK-2017") by its SHA-256 DS digest, or NULL. */
const char *anchors_known_name(const uint8_t *sha256, size_t len);

#endif /* DNSFRAG_COMMON_ANCHORS_H */
