/* rollover.c - root key rollover readiness: '. DNSKEY' answers validated with
 * ldns at their capture time against the trust anchors; keys, REVOKE bits
 * (RFC 5011), phases and sizes; the report's "Root key rollover" section and
 * its "rollover" JSON key. See rollover.h for the rules.
 */
#include "rollover.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "json.h"

#define DNS_TYPE_DNSKEY 48
#define DNS_TYPE_RRSIG 46

static const char *const status_names[RO_STATUS_COUNT] = {
	"secure", "stale-anchors", "bogus", "unsigned", "not-checked",
};

static const struct {
	const char *id, *text;
	uint32_t reference_size;
} phase_info[RO_PHASE_COUNT] = {
	{ "single", "one KSK", 864 },
	{ "standby", "standby KSK published", 1139 },
	{ "standby-zsk", "standby KSK published, ZSK roll", 1414 },
	{ "revoked", "old KSK revoked", 1425 },
	{ "revoked-zsk", "old KSK revoked, ZSK roll", 1700 },
	{ "zsk-roll", "ZSK roll", 1139 },
	{ "other", "no rollover phase of the root", 0 },
};

const char *rollover_status2str(rollover_status_t s)
{
	return s < RO_STATUS_COUNT ? status_names[s] : "?";
}

const char *rollover_phase2str(rollover_phase_t p)
{
	return p < RO_PHASE_COUNT ? phase_info[p].id : "?";
}

const char *rollover_phase2text(rollover_phase_t p)
{
	return p < RO_PHASE_COUNT ? phase_info[p].text : "?";
}

uint32_t rollover_phase_reference_size(rollover_phase_t p)
{
	return p < RO_PHASE_COUNT ? phase_info[p].reference_size : 0;
}

const uint32_t rollover_phase_sizes[5] = { 864, 1139, 1414, 1425, 1700 };

rollover_phase_t rollover_phase_of_size(uint32_t size)
{
	for (int p = RO_PHASE_SINGLE; p <= RO_PHASE_REVOKED_ZSK; p++)
		if (phase_info[p].reference_size == size)
			return (rollover_phase_t)p;
	return RO_PHASE_OTHER;
}

const char *rollover_ready2str(rollover_ready_t r)
{
	static const char *const n[RO_READY_COUNT] = { "ready", "not-ready", "untested" };
	return r < RO_READY_COUNT ? n[r] : "?";
}

const char *rollover_trust2str(rollover_trust_t t)
{
	static const char *const n[RO_TRUST_COUNT] = { "yes", "no", "cannot-tell" };
	return t < RO_TRUST_COUNT ? n[t] : "?";
}

rollover_t *rollover_new(const anchor_set_t *anchors)
{
	rollover_t *ro = calloc(1, sizeof *ro);
	if (!ro)
		return NULL;
	ro->anchors = *anchors;
	ro->unanchored_signer = -1;
	ro->health = HEALTH_UNKNOWN;
	return ro;
}

void rollover_free(rollover_t *ro)
{
	free(ro);
}

static void hook_dns(void *ctx, const dns_msg_t *msg)
{
	rollover_add_msg(ctx, msg);
}

pipeline_hooks_t rollover_hooks(rollover_t *ro)
{
	pipeline_hooks_t h;
	memset(&h, 0, sizeof h);
	h.ctx = ro;
	h.dns = hook_dns;
	return h;
}

static uint64_t fnv64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

const char *rollover_key2str(const rollover_t *ro, const rollover_key_t *k, int revoked, char *buf, size_t len)
{
	(void)ro;
	const char *role = k->sep ? "KSK" : "ZSK";
	if (k->name[0])
		snprintf(buf, len, "%s (%u)", k->name, k->tag);
	else
		snprintf(buf, len, "%s %u", role, k->tag);
	if (revoked) {
		size_t o = strlen(buf);
		snprintf(buf + o, len - o, " revoked, now %u", k->revoked_tag);
	}
	return buf;
}

/* The key's index in ro->keys (added when new), -1 when the table is full. */
static int key_intern(rollover_t *ro, const uint8_t *rdata, size_t len, int64_t at)
{
	uint8_t masked[4 + ANCHOR_KEY_MAX];
	if (len < 4 || len > sizeof masked)
		return -1;
	memcpy(masked, rdata, len);
	masked[1] &= (uint8_t)~DNSKEY_FLAG_REVOKE;
	uint64_t h = fnv64(masked, len);
	uint16_t flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	for (uint32_t i = 0; i < ro->nkeys; i++) {
		if (ro->keys[i].hash == h) {
			ro->keys[i].flags = flags;
			return (int)i;
		}
	}
	if (ro->nkeys >= ROLLOVER_MAX_KEYS) {
		ro->keys_not_kept++;
		return -1;
	}
	rollover_key_t *k = &ro->keys[ro->nkeys];
	memset(k, 0, sizeof *k);
	k->hash = h;
	k->tag = dnskey_rdata2keytag(masked, len);
	masked[1] |= DNSKEY_FLAG_REVOKE;
	k->revoked_tag = dnskey_rdata2keytag(masked, len);
	masked[1] &= (uint8_t)~DNSKEY_FLAG_REVOKE;
	k->flags = flags;
	k->algorithm = rdata[3];
	k->bits = (uint16_t)(ldns_rr_dnskey_key_size_raw(rdata + 4, len - 4, rdata[3]) & 0xFFFF);
	k->sep = (flags & DNSKEY_FLAG_SEP) != 0;
	k->anchor = anchors_match_dnskey(&ro->anchors, rdata, len, at);
	if (k->anchor >= 0) {
		const char *an = ro->anchors.a[k->anchor].name;
		size_t nl = strnlen(an, sizeof k->name - 1);
		memcpy(k->name, an, nl);
		k->name[nl] = '\0';
	}
	if (!k->name[0]) { /* a well-known root key named even when not anchored */
		uint8_t d[ANCHOR_DIGEST_MAX];
		size_t dl = dnskey_rdata2digest(2, masked, len, d);
		const char *n = anchors_known_name(d, dl);
		if (n)
			snprintf(k->name, sizeof k->name, "%s", n);
	}
	return (int)ro->nkeys++;
}

static rollover_phase_t phase_of(const rollover_answer_t *a)
{
	uint8_t ksk = a->n_ksk, zsk = a->n_zsk, rev = a->n_revoked;
	if (rev == 0 && ksk == 1 && zsk == 1)
		return RO_PHASE_SINGLE;
	if (rev == 0 && ksk == 2 && zsk == 1)
		return RO_PHASE_STANDBY;
	if (rev == 0 && ksk == 2 && zsk == 2)
		return RO_PHASE_STANDBY_ZSK;
	if (rev == 1 && ksk == 1 && zsk == 1)
		return RO_PHASE_REVOKED;
	if (rev == 1 && ksk == 1 && zsk == 2)
		return RO_PHASE_REVOKED_ZSK;
	if (rev == 0 && ksk == 1 && zsk == 2)
		return RO_PHASE_ZSK_ROLL;
	return RO_PHASE_OTHER;
}

size_t dnskey_rr2rdata(const ldns_rr *rr, uint8_t *buf, size_t max)
{
	if (ldns_rr_rd_count(rr) != 4)
		return 0;
	const ldns_rdf *key = ldns_rr_rdf(rr, 3);
	size_t kl = ldns_rdf_size(key);
	if (kl == 0 || 4 + kl > max)
		return 0;
	uint16_t flags = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	buf[0] = (uint8_t)(flags >> 8);
	buf[1] = (uint8_t)flags;
	buf[2] = ldns_rdf2native_int8(ldns_rr_rdf(rr, 1));
	buf[3] = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
	memcpy(buf + 4, ldns_rdf_data(key), kl);
	return 4 + kl;
}

static void why_set(rollover_answer_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why_set(rollover_answer_t *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof a->why, fmt, ap);
	va_end(ap);
}

static void time2str(int64_t secs, char *buf, size_t len)
{
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%" PRId64, secs);
}

/* Judge the answer from its keys and verified signatures (rules in rollover.h). */
static void answer_judge(rollover_t *ro, rollover_answer_t *a)
{
	char b1[96], b2[96], t1[32];
	const rollover_sig_t *good_anchored = NULL, *revoked_anchored = NULL, *late_anchored = NULL,
	                     *good_unanchored = NULL, *bad_anchored = NULL, *orphan = NULL;
	for (uint8_t i = 0; i < a->nsigs; i++) {
		const rollover_sig_t *s = &a->sig[i];
		if (s->key < 0) {
			if (!orphan)
				orphan = s;
			continue;
		}
		const rollover_key_t *k = &ro->keys[s->key];
		int revoked = 0;
		for (uint8_t j = 0; j < a->nkeys; j++)
			if (a->key[j] == s->key)
				revoked = (a->key_flags[j] & DNSKEY_FLAG_REVOKE) != 0;
		if (k->anchor >= 0) {
			if (!s->verifies) {
				if (!bad_anchored)
					bad_anchored = s;
			} else if (revoked) {
				if (!revoked_anchored)
					revoked_anchored = s;
			} else if (!s->in_time) {
				if (!late_anchored)
					late_anchored = s;
			} else if (!good_anchored) {
				good_anchored = s;
			}
		} else if (s->verifies && s->in_time && !revoked && k->sep && !good_unanchored) {
			good_unanchored = s;
		}
	}
	/* an anchored KSK published unrevoked in this set */
	int anchored_published = -1;
	for (uint8_t j = 0; j < a->nkeys; j++) {
		const rollover_key_t *k = &ro->keys[a->key[j]];
		if (k->anchor >= 0 && !(a->key_flags[j] & DNSKEY_FLAG_REVOKE) && anchored_published < 0)
			anchored_published = a->key[j];
	}
	if (good_anchored) {
		const rollover_key_t *k = &ro->keys[good_anchored->key];
		time2str(good_anchored->expiration, t1, sizeof t1);
		if (good_unanchored) {
			const rollover_key_t *u = &ro->keys[good_unanchored->key];
			a->status = RO_SECURE; /* secure; the warning comes through unanchored_signer */
			ro->unanchored_signer = good_unanchored->key;
			why_set(a, "validates through %s, but %s also signs and is not a trust anchor: update trust anchors "
			           "(RFC 5011 or dns-root-data)",
			        rollover_key2str(ro, k, 0, b1, sizeof b1), rollover_key2str(ro, u, 0, b2, sizeof b2));
			return;
		}
		a->status = RO_SECURE;
		why_set(a, "signed by %s, a trust anchor; valid until %s", rollover_key2str(ro, k, 0, b1, sizeof b1), t1);
		return;
	}
	if (good_unanchored && anchored_published >= 0) {
		a->status = RO_STALE_ANCHORS;
		ro->unanchored_signer = good_unanchored->key;
		why_set(a, "the trust anchors lack %s, which signs the set; the anchored %s is still published: update "
		           "trust anchors (RFC 5011 or dns-root-data)",
		        rollover_key2str(ro, &ro->keys[good_unanchored->key], 0, b1, sizeof b1),
		        rollover_key2str(ro, &ro->keys[anchored_published], 0, b2, sizeof b2));
		return;
	}
	a->status = RO_BOGUS;
	if (late_anchored) {
		const rollover_key_t *k = &ro->keys[late_anchored->key];
		int64_t now = a->ts_ns / 1000000000;
		int expired = (int32_t)(late_anchored->expiration - (uint32_t)now) < 0;
		time2str(expired ? late_anchored->expiration : late_anchored->inception, t1, sizeof t1);
		if (expired)
			why_set(a, "the signature by %s expired %s, before the capture time",
			        rollover_key2str(ro, k, 0, b1, sizeof b1), t1);
		else
			why_set(a, "the signature by %s is not valid until %s, after the capture time",
			        rollover_key2str(ro, k, 0, b1, sizeof b1), t1);
	} else if (revoked_anchored) {
		const rollover_key_t *k = &ro->keys[revoked_anchored->key];
		if (good_unanchored)
			why_set(a, "%s: its anchor is void (RFC 5011), and the trust anchors lack %s, which signs: update "
			           "trust anchors (RFC 5011 or dns-root-data)",
			        rollover_key2str(ro, k, 1, b1, sizeof b1),
			        rollover_key2str(ro, &ro->keys[good_unanchored->key], 0, b2, sizeof b2));
		else
			why_set(a, "%s, and no other trust anchor signs the set", rollover_key2str(ro, k, 1, b1, sizeof b1));
	} else if (bad_anchored) {
		why_set(a, "the signature by %s does not verify",
		        rollover_key2str(ro, &ro->keys[bad_anchored->key], 0, b1, sizeof b1));
	} else if (good_unanchored) {
		why_set(a, "signed by %s, which matches no trust anchor, and no anchored key is in the set (wrong anchors, "
		           "or not the root's keys)",
		        rollover_key2str(ro, &ro->keys[good_unanchored->key], 0, b1, sizeof b1));
	} else if (orphan) {
		why_set(a, "no key in the set has the signature's key tag %u", orphan->tag);
	} else {
		why_set(a, "no signature over the DNSKEY set verifies under a key of the set at the capture time");
	}
}

void rollover_check_answer(rollover_t *ro, const uint8_t *wire, uint32_t len, int64_t at, rollover_answer_t *a)
{
	ldns_pkt *pkt = NULL;
	a->status = RO_NOT_CHECKED;
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK || !pkt) {
		why_set(a, "ldns cannot parse the message");
		return;
	}
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	ldns_rr_list *keys = ldns_rr_list_new();
	ldns_rr *key_rr[ROLLOVER_MAX_SET];
	size_t nan = an ? ldns_rr_list_rr_count(an) : 0;
	uint32_t extra_keys = 0;
	for (size_t i = 0; keys && i < nan; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY || ldns_dname_label_count(ldns_rr_owner(rr)) != 0)
			continue;
		uint8_t rd[4 + ANCHOR_KEY_MAX];
		size_t rl = dnskey_rr2rdata(rr, rd, sizeof rd);
		if (!rl)
			continue;
		if (!ldns_rr_list_push_rr(keys, rr))
			break;
		if (a->nkeys >= ROLLOVER_MAX_SET) {
			extra_keys++;
			continue;
		}
		int ki = key_intern(ro, rd, rl, at);
		if (ki < 0) {
			extra_keys++;
			continue;
		}
		uint16_t flags = (uint16_t)(rd[0] << 8 | rd[1]);
		rollover_key_t *k = &ro->keys[ki];
		k->answers++;
		if (flags & DNSKEY_FLAG_REVOKE)
			k->revoked_seen = 1;
		else
			k->unrevoked_seen = 1;
		key_rr[a->nkeys] = rr;
		a->key_flags[a->nkeys] = flags;
		a->key[a->nkeys++] = (uint8_t)ki;
		if (flags & DNSKEY_FLAG_REVOKE)
			a->n_revoked++;
		else if (flags & DNSKEY_FLAG_SEP)
			a->n_ksk++;
		else
			a->n_zsk++;
	}
	a->phase = extra_keys ? RO_PHASE_OTHER : phase_of(a);
	if (!keys || a->nkeys == 0) {
		why_set(a, "no DNSKEY record for '.' in the answer");
		goto out;
	}
	for (size_t i = 0; i < nan; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG || ldns_rr_rd_count(rr) < 9 ||
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) != LDNS_RR_TYPE_DNSKEY ||
		    ldns_dname_label_count(ldns_rr_owner(rr)) != 0)
			continue;
		if (a->nsigs >= ROLLOVER_MAX_SET)
			break;
		rollover_sig_t *s = &a->sig[a->nsigs++];
		s->tag = ldns_rdf2native_int16(ldns_rr_rrsig_keytag(rr));
		s->algorithm = ldns_rdf2native_int8(ldns_rr_rrsig_algorithm(rr));
		s->inception = ldns_rdf2native_int32(ldns_rr_rrsig_inception(rr));
		s->expiration = ldns_rdf2native_int32(ldns_rr_rrsig_expiration(rr));
		s->key = -1;
		uint32_t now = (uint32_t)at;
		s->in_time = (int32_t)(now - s->inception) >= 0 && (int32_t)(s->expiration - now) >= 0;
		for (uint8_t j = 0; j < a->nkeys; j++) {
			const rollover_key_t *k = &ro->keys[a->key[j]];
			uint16_t tag = (a->key_flags[j] & DNSKEY_FLAG_REVOKE) ? k->revoked_tag : k->tag;
			if (tag != s->tag || k->algorithm != s->algorithm)
				continue;
			s->key = a->key[j];
			/* Crypto alone, at a moment inside the signature's window; the window
			 * against the capture time is in_time (32-bit serial arithmetic). */
			time_t check = (time_t)s->inception;
			if (ldns_verify_rrsig_time(keys, rr, key_rr[j], check) == LDNS_STATUS_OK) {
				s->verifies = 1;
				if (s->in_time && !(a->key_flags[j] & DNSKEY_FLAG_REVOKE) && k->sep)
					ro->keys[a->key[j]].signs = 1;
				if (s->in_time && (a->key_flags[j] & DNSKEY_FLAG_REVOKE))
					ro->keys[a->key[j]].signs = 1;
				break;
			}
		}
	}
	if (a->nsigs == 0) {
		a->status = RO_UNSIGNED;
		why_set(a, "no RRSIG over the DNSKEY set (asked without DO?): not validated");
		goto out;
	}
	answer_judge(ro, a);
out:
	ldns_rr_list_free(keys); /* the records belong to pkt */
	ldns_pkt_free(pkt);
}

/* Append src to the NUL-terminated dst of size bytes, cut to fit. */
static void str_append(char *dst, size_t size, const char *src)
{
	size_t o = strnlen(dst, size);
	while (o + 1 < size && *src)
		dst[o++] = *src++;
	if (o < size)
		dst[o] = '\0';
}

static void phase_note(rollover_t *ro, const rollover_answer_t *a)
{
	for (uint32_t i = 0; i < ro->nphases; i++) {
		if (ro->phases[i].phase == a->phase && ro->phases[i].size == a->size) {
			ro->phases[i].answers++;
			return;
		}
	}
	if (ro->nphases < ROLLOVER_MAX_PHASES)
		ro->phases[ro->nphases++] = (rollover_phase_seen_t){ a->phase, a->size, 1 };
}

void rollover_add_msg(rollover_t *ro, const dns_msg_t *msg)
{
	const dns_view_t *v = msg->view;
	if (!v || !v->qr || v->opcode != 0 || !v->has_question || v->qtype != DNS_TYPE_DNSKEY ||
	    strcmp(v->qname, ".") != 0)
		return;
	rollover_answer_t tmp, *a = ro->nanswers < ROLLOVER_MAX_ANSWERS ? &ro->answers[ro->nanswers] : &tmp;
	memset(a, 0, sizeof *a);
	a->frame = msg->frame;
	a->ts_ns = msg->ts_ns;
	a->server = msg->src;
	a->client = msg->dst;
	a->sport = msg->sport;
	a->cport = msg->dport;
	a->transport = msg->transport;
	a->size = v->wire_len;
	a->do_bit = v->do_bit;
	a->tc = v->tc;
	a->phase = RO_PHASE_OTHER;
	int64_t at = msg->ts_ns / 1000000000;
	char rc[16];
	if (v->tc) {
		a->status = RO_NOT_CHECKED;
		why_set(a, "truncated (TC=1): the keys come with the retry over TCP");
	} else if (v->rcode != 0) {
		a->status = RO_NOT_CHECKED;
		why_set(a, "rcode %s", dns_rcode2str(v->rcode, rc, sizeof rc));
	} else if (v->cut || !msg->wire || msg->wire_caplen < v->wire_len) {
		a->status = RO_NOT_CHECKED;
		why_set(a, "the capture holds %u of its %u bytes", msg->wire ? msg->wire_caplen : 0, v->wire_len);
	} else {
		rollover_check_answer(ro, msg->wire, v->wire_len, at, a);
		if (a->nkeys)
			phase_note(ro, a);
	}
	ro->total++;
	ro->count[a->status]++;
	if (a == &tmp)
		ro->answers_not_shown++;
	else
		ro->nanswers++;
}

void rollover_finish(rollover_t *ro)
{
	char b[96];
	uint64_t judged = ro->count[RO_SECURE] + ro->count[RO_STALE_ANCHORS] + ro->count[RO_BOGUS];
	if (ro->count[RO_BOGUS]) {
		const rollover_answer_t *first = NULL;
		for (uint32_t i = 0; i < ro->nanswers && !first; i++)
			if (ro->answers[i].status == RO_BOGUS)
				first = &ro->answers[i];
		ro->health = HEALTH_CRITICAL;
		snprintf(ro->sentence, sizeof ro->sentence,
		         "%" PRIu64 " of %" PRIu64 " '. DNSKEY' answer(s) do not validate against the trust anchors at "
		         "capture time%s",
		         ro->count[RO_BOGUS], judged, first ? ": " : "");
		if (first)
			str_append(ro->sentence, sizeof ro->sentence, first->why);
	} else if (ro->unanchored_signer >= 0) {
		ro->health = HEALTH_WARNING;
		snprintf(ro->sentence, sizeof ro->sentence,
		         "the trust anchors lack %s, which signs the root DNSKEY set: update trust anchors (RFC 5011 or "
		         "dns-root-data)",
		         rollover_key2str(ro, &ro->keys[ro->unanchored_signer], 0, b, sizeof b));
	} else if (ro->count[RO_SECURE]) {
		ro->health = HEALTH_OK;
		snprintf(ro->sentence, sizeof ro->sentence,
		         "every '. DNSKEY' answer validates against the trust anchors at its capture time (%" PRIu64
		         " answer(s))",
		         ro->count[RO_SECURE]);
	} else {
		ro->health = HEALTH_UNKNOWN;
		snprintf(ro->sentence, sizeof ro->sentence,
		         ro->total ? "no '. DNSKEY' answer could be validated (%" PRIu64 " seen; none signed and complete)"
		                   : "no '. DNSKEY' answer in the input%.0" PRIu64,
		         ro->total);
	}
}

void rollover_report_apply(const rollover_t *ro, report_t *r)
{
	if (ro->health != HEALTH_WARNING && ro->health != HEALTH_CRITICAL)
		return;
	if (r->health != HEALTH_UNKNOWN && r->health >= ro->health)
		return;
	r->health = ro->health;
	snprintf(r->headline, sizeof r->headline, "%s: root DNSKEY: ", health2str(ro->health));
	str_append(r->headline, sizeof r->headline, ro->sentence);
}

/* ---- the probe's additions: readiness summary and health */

/* "1,425" */
static const char *thousands(uint32_t v, char *buf, size_t len)
{
	if (v >= 1000)
		snprintf(buf, len, "%u,%03u", v / 1000, v % 1000);
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

static void ready_summarise(rollover_t *ro)
{
	ro->nready_sum = 0;
	for (uint32_t i = 0; i < ro->nready; i++) {
		const rollover_ready_row_t *r = &ro->ready[i];
		rollover_ready_sum_t *s = NULL;
		for (uint32_t k = 0; k < ro->nready_sum && !s; k++)
			if (ro->ready_sum[k].family == r->family && ro->ready_sum[k].size == r->size &&
			    ro->ready_sum[k].phase == r->phase)
				s = &ro->ready_sum[k];
		if (!s) {
			if (ro->nready_sum >= ROLLOVER_MAX_READY_SUM)
				continue;
			s = &ro->ready_sum[ro->nready_sum++];
			memset(s, 0, sizeof *s);
			s->family = r->family;
			s->phase = r->phase;
			s->size = r->size;
			s->verdict = RO_UNTESTED;
		}
		s->rows++;
		if (r->verdict == RO_READY) {
			s->ready++;
			if (s->verdict == RO_UNTESTED) {
				s->verdict = RO_READY;
				snprintf(s->why, sizeof s->why, "%s", r->why);
			}
		} else if (r->verdict == RO_NOT_READY) {
			if (!s->not_ready)
				snprintf(s->why, sizeof s->why, "%s", r->why);
			s->not_ready++;
			s->verdict = RO_NOT_READY;
		} else if (s->verdict == RO_UNTESTED && !s->why[0]) {
			snprintf(s->why, sizeof s->why, "%s", r->why);
		}
	}
}

void rollover_probe_finish(rollover_t *ro)
{
	char b[96], n[16];
	const char *warn = NULL;
	char text[400];
	if (ro->has_readiness)
		ready_summarise(ro);
	for (uint32_t i = 0; i < ro->nready_sum && !warn; i++) {
		const rollover_ready_sum_t *s = &ro->ready_sum[i];
		if (s->verdict != RO_NOT_READY)
			continue;
		snprintf(text, sizeof text, "IPv%u path not ready for the %s-byte DNSKEY answer of phase '%s': %s",
		         s->family, thousands(s->size, n, sizeof n), rollover_phase2str(s->phase), s->why);
		warn = text;
	}
	for (uint32_t i = 0; i < ro->ntrust && !warn; i++) {
		const rollover_trust_check_t *t = &ro->trust[i];
		if (t->trusts != RO_TRUST_NO || t->revoked_seen)
			continue;
		if (t->name[0])
			snprintf(b, sizeof b, "%s (%u)", t->name, t->tag);
		else
			snprintf(b, sizeof b, "key %u", t->tag);
		snprintf(text, sizeof text,
		         "resolver %s does not trust %s, a trust anchor: update its trust anchors (RFC 5011 or "
		         "dns-root-data)",
		         t->server, b);
		warn = text;
	}
	if (!warn || ro->health == HEALTH_CRITICAL || ro->health == HEALTH_WARNING)
		return;
	ro->health = HEALTH_WARNING;
	snprintf(ro->sentence, sizeof ro->sentence, "%s", warn);
}

static void text_readiness(const rollover_t *ro, FILE *out)
{
	char n[16];
	if (!ro->has_readiness)
		return;
	fprintf(out, "  path readiness (the DNSKEY answer at each rollover phase's size):\n");
	if (ro->readiness_note[0])
		fprintf(out, "    (%s)\n", ro->readiness_note);
	for (uint32_t i = 0; i < ro->nready_sum; i++) {
		const rollover_ready_sum_t *s = &ro->ready_sum[i];
		fprintf(out, "    IPv%u %-12s %6s bytes: %s", s->family,
		        s->phase == RO_PHASE_OTHER ? "(no phase)" : rollover_phase2str(s->phase),
		        thousands(s->size, n, sizeof n),
		        s->verdict == RO_READY ? "ready" : s->verdict == RO_NOT_READY ? "NOT READY" : "untested");
		fprintf(out, " (%u of %u asked)\n", s->ready, s->rows);
	}
	for (uint32_t i = 0; i < ro->nready; i++) {
		const rollover_ready_row_t *r = &ro->ready[i];
		fprintf(out, "      %s %s at EDNS %u: %s\n", r->server, r->qname, r->advertised, r->why);
	}
}

static void trust_evidence(const rollover_sentinel_answer_t *a, const char *what, FILE *out)
{
	char rc[16];
	if (a->rcode < 0)
		fprintf(out, "%s %s: no answer", what, a->qname);
	else
		fprintf(out, "%s %s: %s%s", what, a->qname, dns_rcode2str((uint16_t)a->rcode, rc, sizeof rc),
		        a->ad ? " AD" : "");
	if (a->ede >= 0)
		fprintf(out, " EDE %d%s%s%s", a->ede, a->ede_text[0] ? " \"" : "", a->ede_text,
		        a->ede_text[0] ? "\"" : "");
}

static void text_trust(const rollover_t *ro, FILE *out)
{
	char rc[16];
	if (!ro->has_trust)
		return;
	fprintf(out, "  resolver trust (RFC 8509 sentinels):\n");
	for (uint32_t r = 0; r < ro->nresolvers; r++) {
		const rollover_resolver_t *v = &ro->resolvers[r];
		fprintf(out, "    resolver %s: %s", v->server, v->sentence);
		if (v->ad_rcode >= 0)
			fprintf(out, " ('. SOA' with DO: %s, AD=%u", dns_rcode2str((uint16_t)v->ad_rcode, rc, sizeof rc), v->ad);
		else
			fprintf(out, " ('. SOA' with DO: no answer");
		if (v->ad_ede >= 0)
			fprintf(out, ", EDE %d%s%s", v->ad_ede, v->ad_ede_text[0] ? " " : "", v->ad_ede_text);
		fprintf(out, ")\n");
		for (uint32_t i = 0; i < ro->ntrust; i++) {
			const rollover_trust_check_t *t = &ro->trust[i];
			if (strcmp(t->server, v->server) != 0)
				continue;
			fprintf(out, "      this resolver trusts %s%s%u%s: %s\n", t->name[0] ? t->name : "key ",
			        t->name[0] ? " (" : "", t->tag, t->name[0] ? ")" : "",
			        t->trusts == RO_TRUST_YES ? "yes" : t->trusts == RO_TRUST_NO ? "no" : "cannot tell");
			fprintf(out, "        %s\n        ", t->why);
			trust_evidence(&t->is_ta, "is-ta", out);
			fprintf(out, "; ");
			trust_evidence(&t->not_ta, "not-ta", out);
			fputc('\n', out);
		}
	}
}

/* ---- text */
static void text_anchors(const rollover_t *ro, FILE *out)
{
	const anchor_set_t *s = &ro->anchors;
	fprintf(out, "  trust anchors: %s (%s):", s->source, s->format ? s->format : "?");
	for (uint32_t i = 0; i < s->n; i++) {
		const anchor_t *a = &s->a[i];
		fprintf(out, "%s %s%s%u%s %s alg %u", i ? "," : "", a->name[0] ? a->name : "", a->name[0] ? " (" : "",
		        a->key_tag, a->name[0] ? ")" : "", a->kind == ANCHOR_DS ? "DS" : "DNSKEY", a->algorithm);
	}
	fputc('\n', out);
	if (s->note[0])
		fprintf(out, "  (default anchors not used: %s)\n", s->note);
}

static void text_key(const rollover_t *ro, const rollover_key_t *k, FILE *out)
{
	char b[96];
	int revoked = (k->flags & DNSKEY_FLAG_REVOKE) != 0;
	fprintf(out, "    %-40s flags %u, alg %u, %u bits", rollover_key2str(ro, k, revoked, b, sizeof b), k->flags,
	        k->algorithm, k->bits);
	if (k->anchor >= 0)
		fprintf(out, ", trust anchor");
	else if (k->sep)
		fprintf(out, ", not a trust anchor");
	if (k->signs)
		fprintf(out, ", signs the DNSKEY set");
	if (revoked && k->unrevoked_seen)
		fprintf(out, " (also seen unrevoked)");
	fputc('\n', out);
}

static void text_answer(const rollover_t *ro, const rollover_answer_t *a, FILE *out)
{
	char addr[64], t[32];
	time2str(a->ts_ns / 1000000000, t, sizeof t);
	fprintf(out, "    frame %" PRIu64 " %s %s %s %u bytes%s: %s", a->frame, t, ip_addr2str(&a->server, addr, sizeof addr),
	        a->transport == DNS_OVER_TCP ? "tcp" : "udp", a->size, a->do_bit ? " DO" : "", rollover_status2str(a->status));
	if (a->nkeys) {
		fprintf(out, ", keys");
		for (uint8_t i = 0; i < a->nkeys; i++) {
			const rollover_key_t *k = &ro->keys[a->key[i]];
			int rv = (a->key_flags[i] & DNSKEY_FLAG_REVOKE) != 0;
			fprintf(out, " %u%s", rv ? k->revoked_tag : k->tag, rv ? "(revoked)" : k->sep ? "(KSK)" : "");
		}
		fprintf(out, ", RRSIG by");
		if (!a->nsigs)
			fprintf(out, " none");
		for (uint8_t i = 0; i < a->nsigs; i++)
			fprintf(out, " %u%s", a->sig[i].tag,
			        a->sig[i].key < 0 ? "(no such key)"
			        : !a->sig[i].verifies ? "(fails)"
			        : !a->sig[i].in_time ? "(out of time)" : "");
	}
	fprintf(out, "\n      %s\n", a->why);
}

void rollover_text_write(const rollover_t *ro, FILE *out)
{
	char b[96];
	fprintf(out, "\nRoot key rollover:\n");
	fprintf(out, "  %-8s %s\n", health2str(ro->health), ro->sentence);
	text_anchors(ro, out);
	if (ro->nkeys) {
		fprintf(out, "  keys seen:\n");
		for (uint32_t i = 0; i < ro->nkeys; i++)
			text_key(ro, &ro->keys[i], out);
		if (ro->keys_not_kept)
			fprintf(out, "    (%" PRIu64 " more not kept)\n", ro->keys_not_kept);
	}
	for (uint32_t i = 0; i < ro->nkeys; i++) {
		const rollover_key_t *k = &ro->keys[i];
		if (k->flags & DNSKEY_FLAG_REVOKE)
			fprintf(out, "  %s\n", rollover_key2str(ro, k, 1, b, sizeof b));
	}
	for (uint32_t i = 0; i < ro->nphases; i++) {
		const rollover_phase_seen_t *p = &ro->phases[i];
		uint32_t ref = rollover_phase_reference_size(p->phase);
		fprintf(out, "  phase: %s ('%s'): %u bytes", rollover_phase2text(p->phase), rollover_phase2str(p->phase),
		        p->size);
		if (ref)
			fprintf(out, " (the root with RSA-2048 keys and DO: %u)", ref);
		fprintf(out, ", %" PRIu64 " answer(s)\n", p->answers);
	}
	if (ro->nanswers) {
		fprintf(out, "  answers (%" PRIu64 ": %" PRIu64 " secure, %" PRIu64 " stale-anchors, %" PRIu64 " bogus, %" PRIu64
		             " unsigned, %" PRIu64 " not checked):\n",
		        ro->total, ro->count[RO_SECURE], ro->count[RO_STALE_ANCHORS], ro->count[RO_BOGUS],
		        ro->count[RO_UNSIGNED], ro->count[RO_NOT_CHECKED]);
		for (uint32_t i = 0; i < ro->nanswers; i++)
			text_answer(ro, &ro->answers[i], out);
		if (ro->answers_not_shown)
			fprintf(out, "    (%" PRIu64 " more not shown)\n", ro->answers_not_shown);
	}
	text_readiness(ro, out);
	text_trust(ro, out);
}

/* ---- JSON */
static void json_time(json_writer_t *w, const char *key, int64_t secs)
{
	char t[32];
	time2str(secs, t, sizeof t);
	json_kv_string(w, key, t);
}

static void json_key_obj(const rollover_t *ro, json_writer_t *w, const rollover_key_t *k)
{
	char b[96];
	int revoked = (k->flags & DNSKEY_FLAG_REVOKE) != 0;
	json_object_begin(w);
	json_kv_uint(w, "tag", revoked ? k->revoked_tag : k->tag);
	json_kv_uint(w, "unrevoked_tag", k->tag);
	json_kv_uint(w, "flags", k->flags);
	json_kv_string(w, "role", k->sep ? "KSK" : "ZSK");
	json_kv_bool(w, "revoked", revoked);
	json_kv_uint(w, "algorithm", k->algorithm);
	json_kv_uint(w, "bits", k->bits);
	json_key(w, "name");
	if (k->name[0])
		json_string(w, k->name);
	else
		json_null(w);
	json_kv_string(w, "description", rollover_key2str(ro, k, revoked, b, sizeof b));
	json_kv_bool(w, "trust_anchor", k->anchor >= 0);
	json_kv_bool(w, "signs", k->signs);
	json_kv_uint(w, "answers", k->answers);
	json_object_end(w);
}

static void json_answer(const rollover_t *ro, json_writer_t *w, const rollover_answer_t *a)
{
	char addr[64];
	json_object_begin(w);
	json_kv_uint(w, "frame", a->frame);
	json_time(w, "time", a->ts_ns / 1000000000);
	json_kv_string(w, "server", ip_addr2str(&a->server, addr, sizeof addr));
	json_kv_string(w, "client", ip_addr2str(&a->client, addr, sizeof addr));
	json_kv_string(w, "transport", a->transport == DNS_OVER_TCP ? "tcp" : "udp");
	json_kv_uint(w, "size", a->size);
	json_kv_bool(w, "do", a->do_bit);
	json_kv_bool(w, "tc", a->tc);
	json_kv_string(w, "validation", rollover_status2str(a->status));
	json_kv_string(w, "why", a->why);
	json_key(w, "phase");
	if (a->nkeys)
		json_string(w, rollover_phase2str(a->phase));
	else
		json_null(w);
	json_kv_uint(w, "ksk", a->n_ksk);
	json_kv_uint(w, "zsk", a->n_zsk);
	json_kv_uint(w, "revoked", a->n_revoked);
	json_key(w, "keys");
	json_array_begin(w);
	for (uint8_t i = 0; i < a->nkeys; i++) {
		const rollover_key_t *k = &ro->keys[a->key[i]];
		int rv = (a->key_flags[i] & DNSKEY_FLAG_REVOKE) != 0;
		json_object_begin(w);
		json_kv_uint(w, "tag", rv ? k->revoked_tag : k->tag);
		json_kv_uint(w, "flags", a->key_flags[i]);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "signatures");
	json_array_begin(w);
	for (uint8_t i = 0; i < a->nsigs; i++) {
		const rollover_sig_t *s = &a->sig[i];
		json_object_begin(w);
		json_kv_uint(w, "tag", s->tag);
		json_kv_uint(w, "algorithm", s->algorithm);
		json_time(w, "inception", s->inception);
		json_time(w, "expiration", s->expiration);
		json_kv_bool(w, "key_in_set", s->key >= 0);
		json_kv_bool(w, "verifies", s->verifies);
		json_kv_bool(w, "in_time", s->in_time);
		json_kv_bool(w, "by_trust_anchor", s->key >= 0 && ro->keys[s->key].anchor >= 0);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void json_phase_or_null(json_writer_t *w, rollover_phase_t p)
{
	json_key(w, "phase");
	if (p == RO_PHASE_OTHER)
		json_null(w);
	else
		json_string(w, rollover_phase2str(p));
}

static void json_readiness(const rollover_t *ro, json_writer_t *w)
{
	json_key(w, "readiness");
	json_object_begin(w);
	json_key(w, "note");
	if (ro->readiness_note[0])
		json_string(w, ro->readiness_note);
	else
		json_null(w);
	json_key(w, "phases");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->nready_sum; i++) {
		const rollover_ready_sum_t *s = &ro->ready_sum[i];
		json_object_begin(w);
		json_kv_uint(w, "family", s->family);
		json_phase_or_null(w, s->phase);
		json_kv_uint(w, "size", s->size);
		json_kv_string(w, "verdict", rollover_ready2str(s->verdict));
		json_kv_uint(w, "asked", s->rows);
		json_kv_uint(w, "ready", s->ready);
		json_kv_uint(w, "not_ready", s->not_ready);
		json_kv_string(w, "why", s->why);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "questions");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->nready; i++) {
		const rollover_ready_row_t *r = &ro->ready[i];
		json_object_begin(w);
		json_kv_string(w, "server", r->server);
		json_kv_uint(w, "family", r->family);
		json_phase_or_null(w, r->phase);
		json_kv_uint(w, "size", r->size);
		json_kv_uint(w, "advertised", r->advertised);
		json_kv_string(w, "qname", r->qname);
		json_kv_string(w, "source", r->dnskey ? "dnskey" : "sized-name");
		json_kv_string(w, "udp", r->udp ? r->udp : "not-sent");
		json_kv_uint(w, "fragments", r->fragments);
		json_kv_string(w, "tcp", r->tcp ? r->tcp : "not-tried");
		json_kv_string(w, "verdict", rollover_ready2str(r->verdict));
		json_kv_string(w, "why", r->why);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void json_sentinel(json_writer_t *w, const char *key, const rollover_sentinel_answer_t *a)
{
	char rc[16];
	json_key(w, key);
	json_object_begin(w);
	json_kv_string(w, "qname", a->qname);
	json_key(w, "rcode");
	if (a->rcode < 0)
		json_null(w);
	else
		json_string(w, dns_rcode2str((uint16_t)a->rcode, rc, sizeof rc));
	json_kv_bool(w, "ad", a->ad);
	json_key(w, "ede");
	if (a->ede < 0)
		json_null(w);
	else
		json_uint(w, (uint64_t)a->ede);
	json_key(w, "ede_text");
	if (a->ede < 0)
		json_null(w);
	else
		json_string(w, a->ede_text);
	json_object_end(w);
}

static void json_trust(const rollover_t *ro, json_writer_t *w)
{
	char rc[16];
	json_key(w, "trust");
	json_array_begin(w);
	for (uint32_t r = 0; r < ro->nresolvers; r++) {
		const rollover_resolver_t *v = &ro->resolvers[r];
		json_object_begin(w);
		json_kv_string(w, "resolver", v->server);
		json_kv_string(w, "validates", rollover_trust2str(v->validates));
		json_kv_string(w, "sentence", v->sentence);
		json_key(w, "soa_rcode");
		if (v->ad_rcode < 0)
			json_null(w);
		else
			json_string(w, dns_rcode2str((uint16_t)v->ad_rcode, rc, sizeof rc));
		json_kv_bool(w, "soa_ad", v->ad);
		json_key(w, "keys");
		json_array_begin(w);
		for (uint32_t i = 0; i < ro->ntrust; i++) {
			const rollover_trust_check_t *t = &ro->trust[i];
			if (strcmp(t->server, v->server) != 0)
				continue;
			json_object_begin(w);
			json_kv_uint(w, "tag", t->tag);
			json_key(w, "name");
			if (t->name[0])
				json_string(w, t->name);
			else
				json_null(w);
			json_kv_string(w, "trusts", rollover_trust2str(t->trusts));
			json_kv_bool(w, "revoked_seen", t->revoked_seen);
			json_kv_string(w, "why", t->why);
			json_sentinel(w, "is_ta", &t->is_ta);
			json_sentinel(w, "not_ta", &t->not_ta);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
}

void rollover_json_write(const rollover_t *ro, json_writer_t *w)
{
	json_key(w, "rollover");
	json_object_begin(w);
	json_kv_string(w, "health", health2str(ro->health));
	json_kv_string(w, "sentence", ro->sentence);
	json_key(w, "anchors");
	json_object_begin(w);
	json_kv_string(w, "source", ro->anchors.source);
	json_kv_string(w, "format", ro->anchors.format ? ro->anchors.format : "?");
	json_key(w, "note");
	if (ro->anchors.note[0])
		json_string(w, ro->anchors.note);
	else
		json_null(w);
	json_key(w, "keys");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->anchors.n; i++) {
		const anchor_t *a = &ro->anchors.a[i];
		json_object_begin(w);
		json_kv_uint(w, "tag", a->key_tag);
		json_kv_uint(w, "algorithm", a->algorithm);
		json_kv_string(w, "kind", a->kind == ANCHOR_DS ? "DS" : "DNSKEY");
		json_key(w, "name");
		if (a->name[0])
			json_string(w, a->name);
		else
			json_null(w);
		json_key(w, "valid_from");
		if (a->valid_from) {
			char t[32];
			time2str(a->valid_from, t, sizeof t);
			json_string(w, t);
		} else {
			json_null(w);
		}
		json_key(w, "valid_until");
		if (a->valid_until) {
			char t[32];
			time2str(a->valid_until, t, sizeof t);
			json_string(w, t);
		} else {
			json_null(w);
		}
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
	json_key(w, "counts");
	json_object_begin(w);
	json_kv_uint(w, "answers", ro->total);
	for (int s = 0; s < RO_STATUS_COUNT; s++)
		json_kv_uint(w, status_names[s], ro->count[s]);
	json_object_end(w);
	json_key(w, "keys");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->nkeys; i++)
		json_key_obj(ro, w, &ro->keys[i]);
	json_array_end(w);
	json_kv_uint(w, "keys_not_kept", ro->keys_not_kept);
	json_key(w, "phases");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->nphases; i++) {
		const rollover_phase_seen_t *p = &ro->phases[i];
		json_object_begin(w);
		json_kv_string(w, "phase", rollover_phase2str(p->phase));
		json_kv_string(w, "description", rollover_phase2text(p->phase));
		json_kv_uint(w, "size", p->size);
		json_key(w, "reference_size");
		if (rollover_phase_reference_size(p->phase))
			json_uint(w, rollover_phase_reference_size(p->phase));
		else
			json_null(w);
		json_kv_uint(w, "answers", p->answers);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "answers");
	json_array_begin(w);
	for (uint32_t i = 0; i < ro->nanswers; i++)
		json_answer(ro, w, &ro->answers[i]);
	json_array_end(w);
	json_kv_uint(w, "answers_not_shown", ro->answers_not_shown);
	if (ro->has_readiness)
		json_readiness(ro, w);
	if (ro->has_trust)
		json_trust(ro, w);
	json_object_end(w);
}

void rollover_json_extra(const void *ctx, json_writer_t *w)
{
	rollover_json_write(ctx, w);
}
