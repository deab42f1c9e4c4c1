/* anchors.c - trust anchors for the root: root-anchors.xml (RFC 9718), DS and
 * DNSKEY presentation lines (RFC 4034), the embedded fallback; key tags, DS
 * digests and REVOKE-masked matching (RFC 5011). See anchors.h.
 *
 * root-anchors.xml, as IANA publishes it:
 *
 *   <TrustAnchor id="..." source="...">
 *   <Zone>.</Zone>
 *   <KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00" [validUntil="..."]>
 *   <KeyTag>20326</KeyTag> <Algorithm>8</Algorithm> <DigestType>2</DigestType>
 *   <Digest>E06D...</Digest> [<PublicKey>AwEAA...</PublicKey> <Flags>257</Flags>]
 *   </KeyDigest> ...
 *   </TrustAnchor>
 *
 * The XML reader knows only what that format needs: elements, attributes in
 * double or single quotes, comments, <?...?> and <!...> declarations skipped,
 * text without entities in the fields that are read. Anything else is an error
 * with its line. Nothing is allocated; every loop is bounded by the input.
 */
#include "anchors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/sha1.h>
#include <ldns/sha2.h>

#define XML_DEPTH_MAX 8
#define XML_NAME_MAX 32

/* ---- well-known root KSKs, by the SHA-256 digest of their DS */
static const struct {
	const char *name;
	uint8_t sha256[32];
} known_keys[] = {
	{ "KSK-2010", { 0x49, 0xAA, 0xC1, 0x1D, 0x7B, 0x6F, 0x64, 0x46, 0x70, 0x2E, 0x54, 0xA1, 0x60, 0x73, 0x71, 0x60,
	                0x7A, 0x1A, 0x41, 0x85, 0x52, 0x00, 0xFD, 0x2C, 0xE1, 0xCD, 0xDE, 0x32, 0xF2, 0x4E, 0x8F, 0xB5 } },
	{ "KSK-2017", { 0xE0, 0x6D, 0x44, 0xB8, 0x0B, 0x8F, 0x1D, 0x39, 0xA9, 0x5C, 0x0B, 0x0D, 0x7C, 0x65, 0xD0, 0x84,
	                0x58, 0xE8, 0x80, 0x40, 0x9B, 0xBC, 0x68, 0x34, 0x57, 0x10, 0x42, 0x37, 0xC7, 0xF8, 0xEC, 0x8D } },
	{ "KSK-2024", { 0x68, 0x3D, 0x2D, 0x0A, 0xCB, 0x8C, 0x9B, 0x71, 0x2A, 0x19, 0x48, 0xB2, 0x7F, 0x74, 0x12, 0x19,
	                0x29, 0x8D, 0x0A, 0x45, 0x0D, 0x61, 0x2C, 0x48, 0x3A, 0xF4, 0x44, 0xA4, 0xC0, 0xFB, 0x2B, 0x16 } },
};

/* The embedded fallback: IANA's root anchors as of ANCHORS_EMBEDDED_DATE (the
 * same keys as dns-root-data's root.key), parsed by the same code as a file. */
static const char embedded_anchors[] =
	"; IANA root-anchors.xml of " ANCHORS_EMBEDDED_DATE ": KSK-2017 and KSK-2024\n"
	". IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emL"
	"vN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9t"
	"arpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8A"
	"nXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU= ; 20326\n"
	". IN DNSKEY 257 3 8 AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5e"
	"eHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL"
	"/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaB"
	"evYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc= ; 38696\n";

const char *anchors_known_name(const uint8_t *sha256, size_t len)
{
	if (len != 32)
		return NULL;
	for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
		if (memcmp(known_keys[i].sha256, sha256, 32) == 0)
			return known_keys[i].name;
	return NULL;
}

/* ---- key tags and digests */
uint16_t dnskey_rdata2keytag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;
	if (len >= 4 && rdata[3] == 1) /* RSA/MD5: the low 16 bits of the modulus (RFC 4034 App. B.1) */
		return len >= 6 ? (uint16_t)((rdata[len - 3] << 8) | rdata[len - 2]) : 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

size_t dnskey_rdata2digest(uint8_t digest_type, const uint8_t *rdata, size_t len, uint8_t *out)
{
	/* The digest covers the owner name in wire form (the root: one zero byte) and the RDATA. */
	uint8_t buf[1 + 4 + ANCHOR_KEY_MAX];
	if (len > sizeof buf - 1)
		return 0;
	buf[0] = 0;
	memcpy(buf + 1, rdata, len);
	switch (digest_type) {
	case 1: ldns_sha1(buf, (unsigned)(len + 1), out); return 20;
	case 2: ldns_sha256(buf, (unsigned)(len + 1), out); return 32;
	case 4: ldns_sha384(buf, (unsigned)(len + 1), out); return 48;
	default: return 0;
	}
}

int anchors_match_dnskey(const anchor_set_t *s, const uint8_t *rdata, size_t len, int64_t at)
{
	if (len < 5 || len > 4 + ANCHOR_KEY_MAX)
		return -1;
	uint8_t masked[4 + ANCHOR_KEY_MAX];
	memcpy(masked, rdata, len);
	masked[1] &= (uint8_t)~DNSKEY_FLAG_REVOKE;
	uint16_t tag = dnskey_rdata2keytag(masked, len);
	for (uint32_t i = 0; i < s->n; i++) {
		const anchor_t *a = &s->a[i];
		if (a->valid_from && at < a->valid_from)
			continue;
		if (a->valid_until && at >= a->valid_until)
			continue;
		if (a->algorithm != masked[3])
			continue;
		if (a->key_len) { /* compare public keys */
			if (a->key_len == len - 4 && memcmp(a->key, masked + 4, a->key_len) == 0)
				return (int)i;
			continue;
		}
		if (a->kind == ANCHOR_DS && a->key_tag == tag) {
			uint8_t d[ANCHOR_DIGEST_MAX];
			size_t dl = dnskey_rdata2digest(a->digest_type, masked, len, d);
			if (dl && dl == a->digest_len && memcmp(d, a->digest, dl) == 0)
				return (int)i;
		}
	}
	return -1;
}

/* ---- shared helpers */
static int fail(char *err, size_t errlen, const char *name, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *name, uint32_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return -1;
}

/* Printable form of at most 24 bytes of hostile text, for messages. */
static const char *shown(const char *p, size_t n, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n && i < 24 && o + 5 < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7F && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\%03o", c);
	}
	if (n > 24 && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static int num_parse(const char *p, size_t n, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		uint64_t nv = (uint64_t)v * 10 + (uint32_t)(p[i] - '0');
		if (nv > max)
			return -1;
		v = (uint32_t)nv;
	}
	*out = v;
	return 0;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append hex digits (whitespace skipped) to out; -1 on a bad digit or overflow. */
static int hex_append(const char *p, size_t n, uint8_t *out, size_t max, size_t *len, int *half)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
			continue;
		int v = hex_val(p[i]);
		if (v < 0)
			return -1;
		if (*half < 0) {
			*half = v;
		} else {
			if (*len >= max)
				return -1;
			out[(*len)++] = (uint8_t)(*half << 4 | v);
			*half = -1;
		}
	}
	return 0;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

typedef struct b64_state {
	uint32_t acc;
	int bits;
	int pad;     /* '=' seen: only more '=' may follow */
} b64_state_t;

/* Append base64 (whitespace skipped) to out; -1 on a bad character or overflow. */
static int b64_append(const char *p, size_t n, uint8_t *out, size_t max, size_t *len, b64_state_t *st)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			st->pad++;
			if (st->pad > 2)
				return -1;
			continue;
		}
		int v = b64_val(c);
		if (v < 0 || st->pad)
			return -1;
		st->acc = (st->acc << 6 | (uint32_t)v) & 0xFFFFFF;
		st->bits += 6;
		if (st->bits >= 8) {
			st->bits -= 8;
			if (*len >= max)
				return -1;
			out[(*len)++] = (uint8_t)(st->acc >> st->bits);
		}
	}
	return 0;
}

/* The anchor complete: check lengths, compute tag or name. 0 or -1 with err. */
static int anchor_finish(anchor_t *a, const char *name, char *err, size_t errlen)
{
	if (a->kind == ANCHOR_DS) {
		size_t want = a->digest_type == 1 ? 20 : a->digest_type == 2 ? 32 : a->digest_type == 4 ? 48 : 0;
		if (!want)
			return fail(err, errlen, name, a->line, "digest type %u is not supported (1, 2 or 4)", a->digest_type);
		if (a->digest_len != want)
			return fail(err, errlen, name, a->line, "digest of %u bytes, digest type %u needs %zu", a->digest_len,
			            a->digest_type, want);
		if (a->digest_type == 2) {
			const char *k = anchors_known_name(a->digest, a->digest_len);
			if (k)
				snprintf(a->name, sizeof a->name, "%s", k);
		}
	}
	if (a->key_len) {
		uint8_t rdata[4 + ANCHOR_KEY_MAX];
		rdata[0] = (uint8_t)(a->flags >> 8);
		rdata[1] = (uint8_t)a->flags;
		rdata[2] = 3;
		rdata[3] = a->algorithm;
		memcpy(rdata + 4, a->key, a->key_len);
		uint16_t tag = dnskey_rdata2keytag(rdata, 4u + a->key_len);
		if (a->kind == ANCHOR_DNSKEY) {
			a->key_tag = tag;
			uint8_t d[ANCHOR_DIGEST_MAX];
			size_t dl = dnskey_rdata2digest(2, rdata, 4u + a->key_len, d);
			const char *k = anchors_known_name(d, dl);
			if (k)
				snprintf(a->name, sizeof a->name, "%s", k);
		} else if (a->flags && tag != a->key_tag) {
			return fail(err, errlen, name, a->line, "<PublicKey> has key tag %u, <KeyTag> says %u", tag, a->key_tag);
		}
	}
	return 0;
}

/* ---- DS / DNSKEY presentation lines */
typedef struct tok {
	const char *p;
	size_t n;
	uint32_t line;
} tok_t;

#define REC_TOKENS_MAX 64

/* The next record: tokens up to the end of the line, parentheses joining lines
 * (RFC 1035 §5.1), ';' comments. Returns tokens read, 0 at the end, -1 on error. */
static int rec_next(const char *text, size_t len, size_t *pos, uint32_t *line, tok_t *t, uint32_t *start_line,
                    const char *name, char *err, size_t errlen)
{
	int nt = 0, paren = 0;
	size_t i = *pos;
	*start_line = *line;
	while (i < len) {
		char c = text[i];
		if (c == '\n') {
			(*line)++;
			i++;
			if (!paren && nt)
				break;
			if (!paren)
				*start_line = *line;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (c == ';') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '(') {
			if (paren)
				return fail(err, errlen, name, *line, "nested '('");
			paren = 1;
			i++;
			continue;
		}
		if (c == ')') {
			if (!paren)
				return fail(err, errlen, name, *line, "')' without '('");
			paren = 0;
			i++;
			continue;
		}
		if (c == '"' || c == '\0' || c == '\\')
			return fail(err, errlen, name, *line, "unexpected %s in a DS/DNSKEY record",
			            c == '"' ? "quote" : c == '\\' ? "backslash" : "NUL byte");
		size_t s = i;
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n' &&
		       text[i] != ';' && text[i] != '(' && text[i] != ')' && text[i] != '"' && text[i] != '\0' &&
		       text[i] != '\\')
			i++;
		if (nt >= REC_TOKENS_MAX)
			return fail(err, errlen, name, *start_line, "more than %d fields in one record", REC_TOKENS_MAX);
		t[nt].p = text + s;
		t[nt].n = i - s;
		t[nt].line = *line;
		nt++;
	}
	if (paren)
		return fail(err, errlen, name, *start_line, "'(' without ')' before the end of the file");
	*pos = i;
	return nt;
}

static int tok_is(const tok_t *t, const char *s)
{
	return t->n == strlen(s) && strncasecmp(t->p, s, t->n) == 0;
}

static int lines_record(anchor_set_t *s, const tok_t *t, int nt, uint32_t line, const char *name, char *err,
                        size_t errlen)
{
	char b[128];
	int i = 0;
	if (t[0].p[0] == '$')
		return fail(err, errlen, name, line, "directive '%s' is not supported in an anchors file",
		            shown(t[0].p, t[0].n, b, sizeof b));
	if (!(t[0].n == 1 && t[0].p[0] == '.'))
		return fail(err, errlen, name, line, "owner '%s': only anchors for the root '.' are supported",
		            shown(t[0].p, t[0].n, b, sizeof b));
	i = 1;
	uint32_t v;
	for (int k = 0; k < 2 && i < nt; k++) { /* [TTL] [class], either order */
		if (num_parse(t[i].p, t[i].n, 0x7FFFFFFF, &v) == 0)
			i++;
		else if (tok_is(&t[i], "IN"))
			i++;
	}
	if (i >= nt)
		return fail(err, errlen, name, line, "record without a type");
	anchor_t a;
	memset(&a, 0, sizeof a);
	a.line = line;
	int is_ds = tok_is(&t[i], "DS"), is_key = tok_is(&t[i], "DNSKEY");
	if (!is_ds && !is_key)
		return fail(err, errlen, name, line, "type '%s': expected DS or DNSKEY",
		            shown(t[i].p, t[i].n, b, sizeof b));
	i++;
	if (nt - i < 4)
		return fail(err, errlen, name, line, "%s record with %d fields, needs 4", is_ds ? "DS" : "DNSKEY", nt - i);
	uint32_t f0, f1, f2;
	if (num_parse(t[i].p, t[i].n, 65535, &f0) < 0)
		return fail(err, errlen, name, t[i].line, "%s '%s' is not a number from 0 to 65535",
		            is_ds ? "key tag" : "flags", shown(t[i].p, t[i].n, b, sizeof b));
	if (num_parse(t[i + 1].p, t[i + 1].n, 255, &f1) < 0 || num_parse(t[i + 2].p, t[i + 2].n, 255, &f2) < 0)
		return fail(err, errlen, name, t[i].line, "%s '%s %s' are not numbers from 0 to 255",
		            is_ds ? "algorithm and digest type" : "protocol and algorithm",
		            shown(t[i + 1].p, t[i + 1].n, b, sizeof b / 2), shown(t[i + 2].p, t[i + 2].n, b + 64, 64));
	if (is_ds) {
		a.kind = ANCHOR_DS;
		a.key_tag = (uint16_t)f0;
		a.algorithm = (uint8_t)f1;
		a.digest_type = (uint8_t)f2;
		size_t dl = 0;
		int half = -1;
		for (int k = i + 3; k < nt; k++)
			if (hex_append(t[k].p, t[k].n, a.digest, sizeof a.digest, &dl, &half) < 0)
				return fail(err, errlen, name, t[k].line, "digest '%s' is not hex of at most %d bytes",
				            shown(t[k].p, t[k].n, b, sizeof b), ANCHOR_DIGEST_MAX);
		if (half >= 0)
			return fail(err, errlen, name, line, "digest has an odd number of hex digits");
		a.digest_len = (uint8_t)dl;
	} else {
		a.kind = ANCHOR_DNSKEY;
		a.flags = (uint16_t)f0;
		if (f1 != 3)
			return fail(err, errlen, name, line, "DNSKEY protocol %u, must be 3", f1);
		a.algorithm = (uint8_t)f2;
		size_t kl = 0;
		b64_state_t st = { 0, 0, 0 };
		for (int k = i + 3; k < nt; k++)
			if (b64_append(t[k].p, t[k].n, a.key, sizeof a.key, &kl, &st) < 0)
				return fail(err, errlen, name, t[k].line, "public key '%s' is not base64 of at most %d bytes",
				            shown(t[k].p, t[k].n, b, sizeof b), ANCHOR_KEY_MAX);
		if (kl == 0)
			return fail(err, errlen, name, line, "empty public key");
		a.key_len = (uint16_t)kl;
		if (!(a.flags & DNSKEY_FLAG_ZONE))
			return fail(err, errlen, name, line, "DNSKEY flags %u lack the zone key bit (256)", a.flags);
		if (a.flags & DNSKEY_FLAG_REVOKE)
			return fail(err, errlen, name, line, "DNSKEY flags %u carry the REVOKE bit: a revoked key is no anchor",
			            a.flags);
	}
	if (anchor_finish(&a, name, err, errlen) < 0)
		return -1;
	if (s->n >= ANCHORS_MAX)
		return fail(err, errlen, name, line, "more than %d trust anchors", ANCHORS_MAX);
	s->a[s->n++] = a;
	return 0;
}

static int lines_parse(anchor_set_t *s, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	tok_t t[REC_TOKENS_MAX];
	size_t pos = 0;
	uint32_t line = 1, start;
	for (;;) {
		int nt = rec_next(text, len, &pos, &line, t, &start, name, err, errlen);
		if (nt < 0)
			return -1;
		if (nt == 0)
			break;
		if (lines_record(s, t, nt, start, name, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* ---- root-anchors.xml */
typedef enum xml_kind { XML_END, XML_OPEN, XML_CLOSE, XML_EMPTY, XML_TEXT } xml_kind_t;

typedef struct xml {
	const char *text;
	size_t len, pos;
	uint32_t line;
	const char *name;   /* the file */
	char *err;
	size_t errlen;
} xml_t;

typedef struct xml_tok {
	xml_kind_t kind;
	const char *name;   /* element name (OPEN/CLOSE/EMPTY) */
	size_t name_n;
	const char *body;   /* OPEN/EMPTY: the attributes; TEXT: the text */
	size_t body_n;
	uint32_t line;
} xml_tok_t;

static int xml_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.' || c == ':';
}

static void xml_advance(xml_t *x, size_t n)
{
	for (size_t i = 0; i < n && x->pos < x->len; i++, x->pos++)
		if (x->text[x->pos] == '\n')
			x->line++;
}

/* Skip past the first occurrence of end; -1 when the file ends first. */
static int xml_skip_past(xml_t *x, const char *end)
{
	size_t el = strlen(end);
	while (x->pos < x->len) {
		if (x->len - x->pos >= el && memcmp(x->text + x->pos, end, el) == 0) {
			xml_advance(x, el);
			return 0;
		}
		xml_advance(x, 1);
	}
	return -1;
}

static int xml_next(xml_t *x, xml_tok_t *t)
{
	char b[128];
	memset(t, 0, sizeof *t);
	for (;;) {
		t->line = x->line;
		if (x->pos >= x->len) {
			t->kind = XML_END;
			return 0;
		}
		const char *p = x->text + x->pos;
		size_t left = x->len - x->pos;
		if (p[0] != '<') {
			size_t n = 0;
			while (n < left && p[n] != '<')
				n++;
			t->kind = XML_TEXT;
			t->body = p;
			t->body_n = n;
			xml_advance(x, n);
			return 0;
		}
		if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
			xml_advance(x, 4);
			if (xml_skip_past(x, "-->") < 0)
				return fail(x->err, x->errlen, x->name, t->line, "comment '<!--' never ends");
			continue;
		}
		if (left >= 2 && (p[1] == '?' || p[1] == '!')) {
			if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
				return fail(x->err, x->errlen, x->name, t->line, "CDATA sections are not supported");
			xml_advance(x, 2);
			if (xml_skip_past(x, ">") < 0)
				return fail(x->err, x->errlen, x->name, t->line, "declaration '<%c' never ends", p[1]);
			continue;
		}
		size_t i = 1;
		int close = 0;
		if (i < left && p[i] == '/') {
			close = 1;
			i++;
		}
		size_t ns = i;
		while (i < left && xml_name_char(p[i]) && i - ns <= XML_NAME_MAX)
			i++;
		if (i == ns || i - ns > XML_NAME_MAX)
			return fail(x->err, x->errlen, x->name, t->line, "bad element name after '<' ('%s')",
			            shown(p, left < 24 ? left : 24, b, sizeof b));
		t->name = p + ns;
		t->name_n = i - ns;
		size_t as = i;
		char quote = 0;
		while (i < left) {
			if (quote) {
				if (p[i] == quote)
					quote = 0;
			} else if (p[i] == '"' || p[i] == '\'') {
				quote = p[i];
			} else if (p[i] == '>' || p[i] == '<') {
				break;
			}
			i++;
		}
		if (i >= left || p[i] != '>')
			return fail(x->err, x->errlen, x->name, t->line, "element <%.*s never closes with '>'", (int)t->name_n,
			            t->name);
		size_t ae = i;
		if (!close && ae > as && p[ae - 1] == '/') {
			t->kind = XML_EMPTY;
			ae--;
		} else {
			t->kind = close ? XML_CLOSE : XML_OPEN;
		}
		t->body = p + as;
		t->body_n = ae - as;
		if (close) {
			for (size_t k = 0; k < t->body_n; k++)
				if (t->body[k] != ' ' && t->body[k] != '\t' && t->body[k] != '\r' && t->body[k] != '\n')
					return fail(x->err, x->errlen, x->name, t->line, "closing tag </%.*s> has attributes",
					            (int)t->name_n, t->name);
		}
		xml_advance(x, i + 1);
		return 0;
	}
}

static int tok_name_is(const xml_tok_t *t, const char *s)
{
	return t->name_n == strlen(s) && memcmp(t->name, s, t->name_n) == 0;
}

/* The value of attribute key in an element's attribute text; 1 found, 0 not, -1 malformed. */
static int xml_attr(const xml_tok_t *t, const char *key, const char **val, size_t *vn)
{
	const char *p = t->body;
	size_t n = t->body_n, i = 0, kl = strlen(key);
	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i >= n)
			break;
		size_t ks = i;
		while (i < n && xml_name_char(p[i]))
			i++;
		size_t ke = i;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			i++;
		if (ke == ks || i >= n || p[i] != '=')
			return -1;
		i++;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i >= n || (p[i] != '"' && p[i] != '\''))
			return -1;
		char q = p[i++];
		size_t vs = i;
		while (i < n && p[i] != q)
			i++;
		if (i >= n)
			return -1;
		if (ke - ks == kl && memcmp(p + ks, key, kl) == 0) {
			*val = p + vs;
			*vn = i - vs;
			return 1;
		}
		i++;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DDThh:mm:ss" with an optional fraction, then "Z" or "+hh:mm"/"-hh:mm" or nothing (UTC). */
static int xml_datetime(const char *p, size_t n, int64_t *out, int *year)
{
	uint32_t y, mo, d, h, mi, s;
	if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
		return -1;
	if (num_parse(p, 4, 9999, &y) || num_parse(p + 5, 2, 12, &mo) || num_parse(p + 8, 2, 31, &d) ||
	    num_parse(p + 11, 2, 23, &h) || num_parse(p + 14, 2, 59, &mi) || num_parse(p + 17, 2, 60, &s) || mo == 0 ||
	    d == 0 || y < 1970)
		return -1;
	size_t i = 19;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	int64_t off = 0;
	if (i < n && p[i] == 'Z') {
		i++;
	} else if (i < n && (p[i] == '+' || p[i] == '-')) {
		uint32_t oh, om;
		if (n - i != 6 || p[i + 3] != ':' || num_parse(p + i + 1, 2, 23, &oh) || num_parse(p + i + 4, 2, 59, &om))
			return -1;
		off = (int64_t)(oh * 3600 + om * 60) * (p[i] == '+' ? 1 : -1);
		i += 6;
	}
	if (i != n)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
	*year = (int)y;
	return 0;
}

/* The text of a simple element: the TEXT tokens up to its closing tag. */
static int xml_text_of(xml_t *x, const xml_tok_t *open, const char **p, size_t *n)
{
	xml_tok_t t;
	*p = "";
	*n = 0;
	for (;;) {
		if (xml_next(x, &t) < 0)
			return -1;
		if (t.kind == XML_TEXT) {
			if (*n)
				return fail(x->err, x->errlen, x->name, t.line, "<%.*s> has mixed content", (int)open->name_n,
				            open->name);
			*p = t.body;
			*n = t.body_n;
			continue;
		}
		if (t.kind == XML_CLOSE && t.name_n == open->name_n && memcmp(t.name, open->name, t.name_n) == 0)
			return 0;
		return fail(x->err, x->errlen, x->name, t.line, "<%.*s> must hold only text, found %s", (int)open->name_n,
		            open->name, t.kind == XML_END ? "the end of the file" : "an element");
	}
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n'))
		(*n)--;
}

/* Skip an unknown element with its content (bounded nesting). */
static int xml_skip_element(xml_t *x, const xml_tok_t *open)
{
	int depth = 1;
	xml_tok_t t;
	while (depth > 0) {
		if (xml_next(x, &t) < 0)
			return -1;
		if (t.kind == XML_END)
			return fail(x->err, x->errlen, x->name, open->line, "<%.*s> is never closed", (int)open->name_n,
			            open->name);
		if (t.kind == XML_OPEN && ++depth > XML_DEPTH_MAX)
			return fail(x->err, x->errlen, x->name, t.line, "elements nested deeper than %d", XML_DEPTH_MAX);
		if (t.kind == XML_CLOSE)
			depth--;
	}
	return 0;
}

static int xml_keydigest(xml_t *x, anchor_set_t *s, const xml_tok_t *open)
{
	char b[128];
	anchor_t a;
	memset(&a, 0, sizeof a);
	a.kind = ANCHOR_DS;
	a.line = open->line;
	const char *v;
	size_t vn;
	int year = 0, y2;
	int r = xml_attr(open, "validFrom", &v, &vn);
	if (r < 0)
		return fail(x->err, x->errlen, x->name, open->line, "malformed attributes in <KeyDigest>");
	if (r == 1 && xml_datetime(v, vn, &a.valid_from, &year) < 0)
		return fail(x->err, x->errlen, x->name, open->line, "validFrom '%s' is not a date and time",
		            shown(v, vn, b, sizeof b));
	r = xml_attr(open, "validUntil", &v, &vn);
	if (r < 0)
		return fail(x->err, x->errlen, x->name, open->line, "malformed attributes in <KeyDigest>");
	if (r == 1 && xml_datetime(v, vn, &a.valid_until, &y2) < 0)
		return fail(x->err, x->errlen, x->name, open->line, "validUntil '%s' is not a date and time",
		            shown(v, vn, b, sizeof b));
	unsigned seen = 0; /* bits: tag, alg, digest type, digest */
	xml_tok_t t;
	for (;;) {
		if (xml_next(x, &t) < 0)
			return -1;
		if (t.kind == XML_TEXT) {
			const char *p = t.body;
			size_t n = t.body_n;
			trim(&p, &n);
			if (n)
				return fail(x->err, x->errlen, x->name, t.line, "text '%s' inside <KeyDigest>",
				            shown(p, n, b, sizeof b));
			continue;
		}
		if (t.kind == XML_CLOSE && tok_name_is(&t, "KeyDigest"))
			break;
		if (t.kind == XML_END || t.kind == XML_CLOSE)
			return fail(x->err, x->errlen, x->name, t.line, "<KeyDigest> (line %u) is not closed", open->line);
		if (t.kind == XML_EMPTY)
			continue;
		const char *p;
		size_t n;
		uint32_t num;
		int field = tok_name_is(&t, "KeyTag") ? 0 : tok_name_is(&t, "Algorithm") ? 1 : tok_name_is(&t, "DigestType") ? 2
		          : tok_name_is(&t, "Digest") ? 3 : tok_name_is(&t, "PublicKey") ? 4 : tok_name_is(&t, "Flags") ? 5 : -1;
		if (field < 0) {
			if (xml_skip_element(x, &t) < 0)
				return -1;
			continue;
		}
		if (xml_text_of(x, &t, &p, &n) < 0)
			return -1;
		trim(&p, &n);
		if (seen & (1u << field))
			return fail(x->err, x->errlen, x->name, t.line, "<%.*s> given twice", (int)t.name_n, t.name);
		seen |= 1u << field;
		switch (field) {
		case 0:
		case 5:
			if (num_parse(p, n, 65535, &num) < 0)
				return fail(x->err, x->errlen, x->name, t.line, "<%.*s> '%s' is not a number from 0 to 65535",
				            (int)t.name_n, t.name, shown(p, n, b, sizeof b));
			if (field == 0)
				a.key_tag = (uint16_t)num;
			else
				a.flags = (uint16_t)num;
			break;
		case 1:
		case 2:
			if (num_parse(p, n, 255, &num) < 0)
				return fail(x->err, x->errlen, x->name, t.line, "<%.*s> '%s' is not a number from 0 to 255",
				            (int)t.name_n, t.name, shown(p, n, b, sizeof b));
			if (field == 1)
				a.algorithm = (uint8_t)num;
			else
				a.digest_type = (uint8_t)num;
			break;
		case 3: {
			size_t dl = 0;
			int half = -1;
			if (hex_append(p, n, a.digest, sizeof a.digest, &dl, &half) < 0 || half >= 0)
				return fail(x->err, x->errlen, x->name, t.line, "<Digest> '%s' is not hex of at most %d bytes",
				            shown(p, n, b, sizeof b), ANCHOR_DIGEST_MAX);
			a.digest_len = (uint8_t)dl;
			break;
		}
		case 4: {
			size_t kl = 0;
			b64_state_t st = { 0, 0, 0 };
			if (b64_append(p, n, a.key, sizeof a.key, &kl, &st) < 0 || kl == 0)
				return fail(x->err, x->errlen, x->name, t.line, "<PublicKey> '%s' is not base64 of at most %d bytes",
				            shown(p, n, b, sizeof b), ANCHOR_KEY_MAX);
			a.key_len = (uint16_t)kl;
			break;
		}
		}
	}
	static const char *const need[] = { "KeyTag", "Algorithm", "DigestType", "Digest" };
	for (int f = 0; f < 4; f++)
		if (!(seen & (1u << f)))
			return fail(x->err, x->errlen, x->name, open->line, "<KeyDigest> without <%s>", need[f]);
	if (a.key_len && !(seen & (1u << 5)))
		return fail(x->err, x->errlen, x->name, open->line, "<KeyDigest> has <PublicKey> without <Flags>");
	if (a.key_len) { /* the public key must be the one the digest names */
		uint8_t rdata[4 + ANCHOR_KEY_MAX], d[ANCHOR_DIGEST_MAX];
		rdata[0] = (uint8_t)(a.flags >> 8);
		rdata[1] = (uint8_t)a.flags;
		rdata[2] = 3;
		rdata[3] = a.algorithm;
		memcpy(rdata + 4, a.key, a.key_len);
		size_t dl = dnskey_rdata2digest(a.digest_type, rdata, 4u + a.key_len, d);
		if (dl && (dl != a.digest_len || memcmp(d, a.digest, dl) != 0))
			return fail(x->err, x->errlen, x->name, open->line, "<PublicKey> does not match <Digest>");
	}
	if (anchor_finish(&a, x->name, x->err, x->errlen) < 0)
		return -1;
	if (!a.name[0] && year)
		snprintf(a.name, sizeof a.name, "KSK-%d", year);
	if (s->n >= ANCHORS_MAX)
		return fail(x->err, x->errlen, x->name, open->line, "more than %d trust anchors", ANCHORS_MAX);
	s->a[s->n++] = a;
	return 0;
}

static int xml_parse(anchor_set_t *s, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	char b[128];
	xml_t x = { text, len, 0, 1, name, err, errlen };
	xml_tok_t t;
	int in_anchor = 0, done = 0, zone_ok = 0;
	for (;;) {
		if (xml_next(&x, &t) < 0)
			return -1;
		if (t.kind == XML_END)
			break;
		if (t.kind == XML_TEXT) {
			const char *p = t.body;
			size_t n = t.body_n;
			trim(&p, &n);
			if (n)
				return fail(err, errlen, name, t.line, "unexpected text '%s'", shown(p, n, b, sizeof b));
			continue;
		}
		if (done)
			return fail(err, errlen, name, t.line, "content after </TrustAnchor>");
		if (!in_anchor) {
			if (t.kind != XML_OPEN || !tok_name_is(&t, "TrustAnchor"))
				return fail(err, errlen, name, t.line, "expected <TrustAnchor>, found <%s%.*s>",
				            t.kind == XML_CLOSE ? "/" : "", (int)t.name_n, t.name);
			in_anchor = 1;
			continue;
		}
		if (t.kind == XML_CLOSE) {
			if (!tok_name_is(&t, "TrustAnchor"))
				return fail(err, errlen, name, t.line, "unexpected </%.*s>", (int)t.name_n, t.name);
			done = 1;
			continue;
		}
		if (t.kind == XML_EMPTY)
			continue;
		if (tok_name_is(&t, "Zone")) {
			const char *p;
			size_t n;
			if (xml_text_of(&x, &t, &p, &n) < 0)
				return -1;
			trim(&p, &n);
			if (!(n == 1 && p[0] == '.'))
				return fail(err, errlen, name, t.line, "<Zone> '%s': only anchors for the root '.' are supported",
				            shown(p, n, b, sizeof b));
			zone_ok = 1;
		} else if (tok_name_is(&t, "KeyDigest")) {
			if (xml_keydigest(&x, s, &t) < 0)
				return -1;
		} else if (xml_skip_element(&x, &t) < 0) {
			return -1;
		}
	}
	if (!in_anchor)
		return fail(err, errlen, name, 0, "no <TrustAnchor> element");
	if (!done)
		return fail(err, errlen, name, x.line, "<TrustAnchor> is not closed before the end of the file");
	if (!zone_ok)
		return fail(err, errlen, name, 0, "<TrustAnchor> without <Zone>.</Zone>");
	return 0;
}

/* ---- entry points */
int anchors_parse(anchor_set_t *s, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	snprintf(s->source, sizeof s->source, "%s", name);
	if (len > ANCHORS_FILE_MAX)
		return fail(err, errlen, name, 0, "larger than %u bytes", ANCHORS_FILE_MAX);
	size_t i = 0;
	if (len >= 3 && (uint8_t)text[0] == 0xEF && (uint8_t)text[1] == 0xBB && (uint8_t)text[2] == 0xBF)
		i = 3; /* UTF-8 byte order mark */
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	int rc;
	if (i < len && text[i] == '<') {
		s->format = "root-anchors.xml";
		rc = xml_parse(s, name, text, len, err, errlen);
	} else {
		s->format = "DS/DNSKEY lines";
		rc = lines_parse(s, name, text, len, err, errlen);
	}
	if (rc == 0 && s->n == 0)
		rc = fail(err, errlen, name, 0, "no trust anchors (DS or DNSKEY records for '.')");
	if (rc < 0) {
		s->n = 0;
		return -1;
	}
	return (int)s->n;
}

int anchors_load_file(anchor_set_t *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
	char *buf = malloc(ANCHORS_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return fail(err, errlen, path, 0, "out of memory");
	}
	size_t n = fread(buf, 1, ANCHORS_FILE_MAX + 1, f);
	int rd_err = ferror(f);
	fclose(f);
	int rc;
	if (rd_err)
		rc = fail(err, errlen, path, 0, "read error");
	else if (n > ANCHORS_FILE_MAX)
		rc = fail(err, errlen, path, 0, "larger than %u bytes", ANCHORS_FILE_MAX);
	else
		rc = anchors_parse(s, path, buf, n, err, errlen);
	free(buf);
	return rc;
}

void anchors_load_embedded(anchor_set_t *s)
{
	char err[256];
	if (anchors_parse(s, "embedded", embedded_anchors, sizeof embedded_anchors - 1, err, sizeof err) < 0)
		abort(); /* a build error: the embedded text is constant */
	snprintf(s->source, sizeof s->source, "embedded (IANA root-anchors.xml of %s)", ANCHORS_EMBEDDED_DATE);
	s->format = "embedded";
}

void anchors_load_default(anchor_set_t *s)
{
	char err[512];
	if (anchors_load_file(s, ANCHORS_DEFAULT_FILE, err, sizeof err) > 0)
		return;
	anchors_load_embedded(s);
	snprintf(s->note, sizeof s->note, "%s", err);
}
