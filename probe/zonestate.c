/* zonestate.c - the DNSSEC state of a zone's chain of trust (see zonestate.h). */
#include "zonestate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "rollover.h"
#include "textbuf.h"

const char *zonestate2str(zone_state_t s)
{
	switch (s) {
	case ZS_SECURE: return "secure";
	case ZS_INSECURE: return "insecure";
	case ZS_BOGUS: return "bogus";
	case ZS_INDETERMINATE: return "indeterminate";
	default: return "unknown";
	}
}

const char *zonestate2text(zone_state_t s)
{
	switch (s) {
	case ZS_SECURE: return "Secure";
	case ZS_INSECURE: return "Insecure";
	case ZS_BOGUS: return "Bogus";
	case ZS_INDETERMINATE: return "Indeterminate";
	default: return "Unknown";
	}
}

/* RFC 8624 §3.1: what a validator implements today (ldns with OpenSSL has
 * all of these). DSA (3, 6) and RSAMD5 (1) are not validated; 253/254
 * (private) and unassigned numbers are unknown to any general validator. */
int zonestate_alg_supported(uint8_t alg)
{
	switch (alg) {
	case 5: case 7: case 8: case 10: case 13: case 14: case 15: case 16: return 1;
	default: return 0;
	}
}

/* RFC 8624 §3.3: SHA-1, SHA-256, SHA-384 (GOST is not implemented). */
int zonestate_digest_supported(uint8_t digest_type)
{
	return digest_type == 1 || digest_type == 2 || digest_type == 4;
}

/* ---- small ldns helpers */

/* Does some RRSIG of sigs by one of keys verify over rrset at now? */
static int verifies(const ldns_rr_list *rrset, const ldns_rr_list *sigs, const ldns_rr_list *keys, int64_t now)
{
	ldns_rr_list *good = ldns_rr_list_new();
	if (!good)
		return 0;
	int ok = ldns_rr_list_rr_count(rrset) && ldns_rr_list_rr_count(sigs) && ldns_rr_list_rr_count(keys) &&
	         ldns_verify_time(rrset, sigs, keys, (time_t)now, good) == LDNS_STATUS_OK;
	ldns_rr_list_free(good);
	return ok;
}

static int owner_is(const ldns_rr *rr, const ldns_rdf *name)
{
	return ldns_dname_compare(ldns_rr_owner(rr), name) == 0;
}

/* The records of type t owned by name in sec (a new list of borrowed records). */
static ldns_rr_list *rrs_of(const ldns_rr_list *sec, const ldns_rdf *name, ldns_rr_type t)
{
	ldns_rr_list *l = ldns_rr_list_new();
	for (size_t i = 0; l && sec && i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		if (ldns_rr_get_type(rr) == t && (!name || owner_is(rr, name)))
			ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

/* A denial record ldns can judge. ldns asserts (aborting the probe) on an
 * NSEC or NSEC3 record whose RDATA fields are not all there, on an NSEC3 of
 * a hash algorithm it cannot compute (it hashes with the first record's
 * parameters and appends the zone, NULL then) and on an NSEC3 owned by the
 * root (it takes the zone from the owner's parent), and on an NSEC3 whose
 * next hashed owner is not a SHA-1 hash: found by fuzz_zonestate.
 * Only SHA-1 is defined for NSEC3 (RFC 5155 section 11), and RFC 5155
 * section 8.1 has a validator ignore NSEC3 records of other algorithms. */
static int denial_record_usable(const ldns_rr *rr)
{
	int nsec3 = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC3;
	size_t want = nsec3 ? 6 : 2;
	if (ldns_rr_rd_count(rr) != want)
		return 0;
	for (size_t i = 0; i < want; i++)
		if (!ldns_rr_rdf(rr, i) || ldns_rdf_size(ldns_rr_rdf(rr, i)) == 0)
			return 0;
	if (!nsec3)
		return 1;
	/* SHA-1's hash is 20 bytes; ldns turns the next hashed owner into a
	 * label (base32hex), and appends the zone to a NULL name when that
	 * fails (an empty hash, or one too long for a label): a second abort
	 * fuzz_zonestate found. The salt's length byte must match its field. */
	const ldns_rdf *salt = ldns_rr_rdf(rr, 3), *next = ldns_rr_rdf(rr, 4);
	return ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 1 && ldns_rdf_data(ldns_rr_rdf(rr, 0))[0] == LDNS_SHA1 &&
	       ldns_rdf_size(salt) == 1u + ldns_rdf_data(salt)[0] && ldns_rdf_size(next) == 21 &&
	       ldns_rdf_data(next)[0] == 20 && ldns_dname_label_count(ldns_rr_owner(rr)) >= 1;
}

/* The NSEC or NSEC3 records in sec that ldns can judge; *dropped counts the
 * others. */
static ldns_rr_list *denial_rrs_of(const ldns_rr_list *sec, ldns_rr_type t, size_t *dropped)
{
	ldns_rr_list *all = rrs_of(sec, NULL, t), *l = ldns_rr_list_new();
	for (size_t i = 0; all && l && i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);
		if (denial_record_usable(rr))
			ldns_rr_list_push_rr(l, rr);
		else
			(*dropped)++;
	}
	ldns_rr_list_free(all);
	if (!all) {
		ldns_rr_list_free(l);
		return NULL;
	}
	return l;
}

/* The RRSIGs over type t owned by name in sec. */
static ldns_rr_list *sigs_of(const ldns_rr_list *sec, const ldns_rdf *name, ldns_rr_type t)
{
	ldns_rr_list *l = ldns_rr_list_new();
	for (size_t i = 0; l && sec && i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG || ldns_rr_rd_count(rr) < 9 ||
		    (name && !owner_is(rr, name)))
			continue;
		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == t)
			ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

static uint16_t dnskey_flags(const ldns_rr *rr)
{
	return ldns_rr_rd_count(rr) == 4 ? ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)) : 0;
}

static uint8_t dnskey_alg(const ldns_rr *rr)
{
	return ldns_rr_rd_count(rr) == 4 ? ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)) : 0;
}

/* Does the (supported) DS ds name the DNSKEY key? Tag, algorithm and the
 * digest over owner and RDATA (RFC 4034 §5.1.4). */
static int ds_names_key(const ldns_rr *ds, const ldns_rr *key)
{
	if (ldns_rr_rd_count(ds) != 4 || ldns_rr_rd_count(key) != 4)
		return 0;
	uint16_t tag = ldns_rdf2native_int16(ldns_rr_rdf(ds, 0));
	uint8_t alg = ldns_rdf2native_int8(ldns_rr_rdf(ds, 1));
	uint8_t dt = ldns_rdf2native_int8(ldns_rr_rdf(ds, 2));
	if (tag != ldns_calc_keytag(key) || alg != dnskey_alg(key))
		return 0;
	ldns_hash h = dt == 1 ? LDNS_SHA1 : dt == 2 ? LDNS_SHA256 : dt == 4 ? LDNS_SHA384 : (ldns_hash)0;
	if (!h)
		return 0;
	ldns_rr *mine = ldns_key_rr2ds(key, h);
	if (!mine)
		return 0;
	const ldns_rdf *a = ldns_rr_rdf(ds, 3), *b = ldns_rr_rd_count(mine) == 4 ? ldns_rr_rdf(mine, 3) : NULL;
	int eq = b && ldns_rdf_size(a) == ldns_rdf_size(b) && memcmp(ldns_rdf_data(a), ldns_rdf_data(b), ldns_rdf_size(a)) == 0;
	ldns_rr_free(mine);
	return eq;
}

/* Why no signature of keys verified over rrset at now: expired, not yet
 * valid, missing, or failing. */
static void sig_failure(const ldns_rr_list *sigs, const ldns_rr_list *keys, int64_t now, char *why, size_t len)
{
	size_t n = ldns_rr_list_rr_count(sigs);
	if (n == 0) {
		snprintf(why, len, "no RRSIG");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *s = ldns_rr_list_rr(sigs, i);
		uint16_t tag = ldns_rdf2native_int16(ldns_rr_rrsig_keytag(s));
		int by_key = 0;
		for (size_t k = 0; k < ldns_rr_list_rr_count(keys); k++)
			by_key |= ldns_calc_keytag(ldns_rr_list_rr(keys, k)) == tag;
		if (!by_key)
			continue;
		uint32_t inc = ldns_rdf2native_int32(ldns_rr_rrsig_inception(s));
		uint32_t exp = ldns_rdf2native_int32(ldns_rr_rrsig_expiration(s));
		/* RFC 4034 §3.1.5: serial number arithmetic on 32-bit times */
		if ((int32_t)(exp - (uint32_t)now) < 0) {
			time_t t = (time_t)(now + (int32_t)(exp - (uint32_t)now));
			struct tm tm;
			char ts[32] = "?";
			if (gmtime_r(&t, &tm))
				strftime(ts, sizeof ts, "%Y-%m-%d %H:%M UTC", &tm);
			snprintf(why, len, "the RRSIG by key %u expired (%s)", tag, ts);
			return;
		}
		if ((int32_t)(inc - (uint32_t)now) > 0) {
			snprintf(why, len, "the RRSIG by key %u is not yet valid", tag);
			return;
		}
		snprintf(why, len, "the RRSIG by key %u does not verify", tag);
		return;
	}
	snprintf(why, len, "no RRSIG by a key that should sign it (%zu RRSIG(s) by other keys)", n);
}


/* ---- one server's DNSKEY answer */

/* Judge a DNSKEY answer: the keys, which a DS (or an anchor, at the root)
 * names, and whether one of those signs the RRset now. On secure, the keys
 * are pushed (cloned) onto trusted. */
static void server_judge(const zs_msg_t *m, const ldns_rdf *name, const ldns_rr_list *ds_supported,
                         const anchor_set_t *anchors, int root, int64_t now, zs_server_t *sv, ldns_rr_list *trusted)
{
	ldns_pkt *pkt = NULL;
	sv->obtained = m->wire != NULL;
	if (!m->wire) {
		sv->state = ZS_UNKNOWN;
		snprintf(sv->why, sizeof sv->why, "the DNSKEY answer was not obtained from this location");
		return;
	}
	if (ldns_wire2pkt(&pkt, m->wire, m->len) != LDNS_STATUS_OK || !pkt) {
		sv->state = ZS_BOGUS;
		snprintf(sv->why, sizeof sv->why, "the DNSKEY answer does not parse");
		return;
	}
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	ldns_rr_list *keys = rrs_of(an, name, LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *sigs = sigs_of(an, name, LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *cands = ldns_rr_list_new();
	if (!keys || !sigs || !cands) {
		sv->state = ZS_UNKNOWN;
		snprintf(sv->why, sizeof sv->why, "out of memory");
		goto out;
	}
	size_t nk = ldns_rr_list_rr_count(keys);
	for (size_t i = 0; i < nk; i++) {
		ldns_rr *k = ldns_rr_list_rr(keys, i);
		uint16_t fl = dnskey_flags(k);
		int match = 0;
		if (root) {
			uint8_t rd[4 + ANCHOR_KEY_MAX];
			size_t rl = dnskey_rr2rdata(k, rd, sizeof rd);
			match = rl && anchors_match_dnskey(anchors, rd, rl, now) >= 0 && !(fl & DNSKEY_FLAG_REVOKE);
		} else {
			for (size_t d = 0; d < ldns_rr_list_rr_count(ds_supported); d++)
				match |= ds_names_key(ldns_rr_list_rr(ds_supported, d), k);
		}
		/* RFC 4034 §2.1.1: only a zone key (bit 7) may sign zone data */
		if (match && (fl & DNSKEY_FLAG_ZONE))
			ldns_rr_list_push_rr(cands, k);
		if (sv->nkeys < ZS_MAX_KEYS) {
			zs_key_t *zk = &sv->keys[sv->nkeys++];
			zk->tag = ldns_calc_keytag(k);
			zk->flags = fl;
			zk->algorithm = dnskey_alg(k);
			zk->bits = (uint16_t)(ldns_rr_dnskey_key_size(k) & 0xFFFF);
			zk->ds_match = !root && match;
			zk->anchor = root && match;
		}
	}
	if (nk)
		sv->ttl = ldns_rr_ttl(ldns_rr_list_rr(keys, 0));
	sv->matches_ds = ldns_rr_list_rr_count(cands) > 0;
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR || nk == 0) {
		sv->state = ZS_BOGUS;
		snprintf(sv->why, sizeof sv->why, "no DNSKEY RRset in the answer (rcode %d)", (int)ldns_pkt_get_rcode(pkt));
		goto out;
	}
	if (!sv->matches_ds) {
		sv->state = ZS_BOGUS;
		snprintf(sv->why, sizeof sv->why, root ? "no DNSKEY here matches a trust anchor (keys:"
		                                       : "no DNSKEY here matches the parent's DS (keys:");
		for (uint32_t i = 0; i < sv->nkeys; i++)
			text_appendf(sv->why, sizeof sv->why, " %u", sv->keys[i].tag);
		text_appendf(sv->why, sizeof sv->why, ")");
		goto out;
	}
	ldns_rr_list *good = ldns_rr_list_new();
	ldns_status st = good ? ldns_verify_time(keys, sigs, cands, (time_t)now, good) : LDNS_STATUS_MEM_ERR;
	if (st == LDNS_STATUS_OK) {
		for (size_t g = 0; g < ldns_rr_list_rr_count(good); g++) {
			uint16_t t = ldns_calc_keytag(ldns_rr_list_rr(good, g));
			for (uint32_t i = 0; i < sv->nkeys; i++)
				if (sv->keys[i].tag == t)
					sv->keys[i].signs = 1;
		}
		sv->state = ZS_SECURE;
		snprintf(sv->why, sizeof sv->why, "the DNSKEY RRset is signed by key");
		for (uint32_t i = 0; i < sv->nkeys; i++)
			if (sv->keys[i].signs)
				text_appendf(sv->why, sizeof sv->why, " %u", sv->keys[i].tag);
		text_appendf(sv->why, sizeof sv->why, root ? ", a trust anchor" : ", named by the parent's DS");
		for (size_t i = 0; i < nk; i++)
			ldns_rr_list_push_rr(trusted, ldns_rr_clone(ldns_rr_list_rr(keys, i)));
	} else {
		char w[200];
		sig_failure(sigs, cands, now, w, sizeof w);
		sv->state = ZS_BOGUS;
		snprintf(sv->why, sizeof sv->why, "the DNSKEY RRset: %s", w);
	}
	ldns_rr_list_free(good);
out:
	ldns_rr_list_free(keys);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(cands);
	ldns_pkt_free(pkt);
}

/* ---- the DS answer of one cut */

/* Judge the DS answer m for name under the parent's trusted keys. Returns the
 * cut's state so far (secure: go on to the DNSKEY answers; ds_supported then
 * holds clones of the supported DS records). */
static zone_state_t ds_judge(const zs_msg_t *m, const ldns_rdf *name, const ldns_rr_list *trusted, int64_t now,
                             zs_level_t *lv, ldns_rr_list *ds_supported)
{
	ldns_pkt *pkt = NULL;
	zone_state_t st = ZS_BOGUS;
	lv->ds_obtained = m->wire != NULL;
	if (!m->wire) {
		snprintf(lv->why, sizeof lv->why, "the DS answer was not obtained from this location");
		return ZS_UNKNOWN;
	}
	if (ldns_wire2pkt(&pkt, m->wire, m->len) != LDNS_STATUS_OK || !pkt) {
		snprintf(lv->why, sizeof lv->why, "the DS answer does not parse");
		return ZS_BOGUS;
	}
	ldns_rr_list *an = ldns_pkt_answer(pkt), *au = ldns_pkt_authority(pkt);
	ldns_rr_list *ds = rrs_of(an, name, LDNS_RR_TYPE_DS);
	ldns_rr_list *sigs = sigs_of(an, name, LDNS_RR_TYPE_DS);
	if (!ds || !sigs) {
		snprintf(lv->why, sizeof lv->why, "out of memory");
		st = ZS_UNKNOWN;
		goto out;
	}
	if (ldns_rr_list_rr_count(ds) > 0) {
		lv->ds_ttl = ldns_rr_ttl(ldns_rr_list_rr(ds, 0));
		for (size_t i = 0; i < ldns_rr_list_rr_count(ds); i++) {
			ldns_rr *d = ldns_rr_list_rr(ds, i);
			if (ldns_rr_rd_count(d) != 4)
				continue;
			uint8_t alg = ldns_rdf2native_int8(ldns_rr_rdf(d, 1));
			uint8_t dt = ldns_rdf2native_int8(ldns_rr_rdf(d, 2));
			int sup = zonestate_alg_supported(alg) && zonestate_digest_supported(dt);
			if (sup)
				ldns_rr_list_push_rr(ds_supported, ldns_rr_clone(d));
			if (lv->nds < ZS_MAX_DS) {
				zs_ds_t *z = &lv->ds[lv->nds++];
				z->tag = ldns_rdf2native_int16(ldns_rr_rdf(d, 0));
				z->algorithm = alg;
				z->digest_type = dt;
				z->supported = (uint8_t)sup;
			}
		}
		if (!verifies(ds, sigs, trusted, now)) {
			char w[200];
			sig_failure(sigs, trusted, now, w, sizeof w);
			snprintf(lv->why, sizeof lv->why, "the parent's DS RRset for %s: %s", lv->name, w);
			st = ZS_BOGUS;
			goto out;
		}
		if (ldns_rr_list_rr_count(ds_supported) == 0) {
			snprintf(lv->why, sizeof lv->why,
			         "the parent's DS RRset for %s has only algorithms or digest types a validator does not "
			         "support (",
			         lv->name);
			for (uint32_t i = 0; i < lv->nds; i++)
				text_appendf(lv->why, sizeof lv->why, "%stag %u algorithm %u digest type %u", i ? ", " : "",
				       lv->ds[i].tag, lv->ds[i].algorithm, lv->ds[i].digest_type);
			text_appendf(lv->why, sizeof lv->why, "): treated as unsigned (RFC 4035 section 5.2, RFC 6840 section 5.2)");
			st = ZS_INSECURE;
			goto out;
		}
		snprintf(lv->why, sizeof lv->why, "the parent's DS RRset for %s verifies", lv->name);
		st = ZS_SECURE;
		goto out;
	}
	/* No DS: insecure only with a signed proof that there is none (RFC 4035 §5.2). */
	size_t dropped = 0;
	ldns_rr_list *nsec = denial_rrs_of(au, LDNS_RR_TYPE_NSEC, &dropped);
	ldns_rr_list *nsec3 = denial_rrs_of(au, LDNS_RR_TYPE_NSEC3, &dropped);
	ldns_rr_list *nsig = sigs_of(au, NULL, ldns_rr_list_rr_count(nsec) ? LDNS_RR_TYPE_NSEC : LDNS_RR_TYPE_NSEC3);
	ldns_rr *q = ldns_rr_new();
	ldns_rr_list *proof = ldns_rr_list_rr_count(nsec) ? nsec : nsec3;
	st = ZS_BOGUS;
	if (!nsec || !nsec3 || !nsig || !q) {
		snprintf(lv->why, sizeof lv->why, "out of memory");
		st = ZS_UNKNOWN;
	} else if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR) {
		snprintf(lv->why, sizeof lv->why, "the parent answered the DS question for %s with rcode %d", lv->name,
		         (int)ldns_pkt_get_rcode(pkt));
	} else if (ldns_rr_list_rr_count(proof) == 0 && dropped) {
		snprintf(lv->why, sizeof lv->why,
		         "the parent gave no DS for %s, and its %zu NSEC/NSEC3 record(s) are malformed or of a hash "
		         "algorithm other than SHA-1: no proof that there is none",
		         lv->name, dropped);
	} else if (ldns_rr_list_rr_count(proof) == 0) {
		snprintf(lv->why, sizeof lv->why,
		         "the parent gave no DS for %s and no NSEC/NSEC3 proof that there is none", lv->name);
	} else {
		ldns_rr_set_owner(q, ldns_rdf_clone(name));
		ldns_rr_set_type(q, LDNS_RR_TYPE_DS);
		ldns_status pst = proof == nsec ? ldns_dnssec_verify_denial(q, nsec, nsig)
		                                : ldns_dnssec_verify_denial_nsec3(q, nsec3, nsig, LDNS_RCODE_NOERROR,
		                                                                  LDNS_RR_TYPE_DS, true);
		/* every record of the proof must carry a good signature by the parent's keys */
		int signed_ok = 1;
		for (size_t i = 0; i < ldns_rr_list_rr_count(proof) && signed_ok; i++) {
			ldns_rr *p = ldns_rr_list_rr(proof, i);
			ldns_rr_list *one = ldns_rr_list_new(), *psig = sigs_of(au, ldns_rr_owner(p), ldns_rr_get_type(p));
			if (!one || !psig)
				signed_ok = 0;
			else {
				ldns_rr_list_push_rr(one, p);
				signed_ok = verifies(one, psig, trusted, now);
			}
			ldns_rr_list_free(one);
			ldns_rr_list_free(psig);
		}
		if (pst != LDNS_STATUS_OK)
			snprintf(lv->why, sizeof lv->why, "no DS for %s, but the %s proof does not hold (%s)", lv->name,
			         proof == nsec ? "NSEC" : "NSEC3", ldns_get_errorstr_by_id(pst));
		else if (!signed_ok)
			snprintf(lv->why, sizeof lv->why, "no DS for %s, but the %s proof's signature does not verify",
			         lv->name, proof == nsec ? "NSEC" : "NSEC3");
		else {
			lv->ds_denied = 1;
			lv->ds_ttl = ldns_rr_ttl(ldns_rr_list_rr(proof, 0));
			snprintf(lv->why, sizeof lv->why,
			         "no DS at the delegation of %s (proven by a signed %s record): an unsigned delegation",
			         lv->name, proof == nsec ? "NSEC" : "NSEC3");
			st = ZS_INSECURE;
		}
	}
	if (q)
		ldns_rr_free(q);
	ldns_rr_list_free(nsec);
	ldns_rr_list_free(nsec3);
	ldns_rr_list_free(nsig);
out:
	ldns_rr_list_free(ds);
	ldns_rr_list_free(sigs);
	ldns_pkt_free(pkt);
	return st;
}

/* Mark which DS records some server publishes the key of. */
static void ds_mark_matched(zs_level_t *lv)
{
	for (uint32_t d = 0; d < lv->nds; d++)
		for (uint32_t s = 0; s < lv->nservers; s++)
			for (uint32_t k = 0; k < lv->servers[s].nkeys; k++) {
				const zs_key_t *key = &lv->servers[s].keys[k];
				if (key->ds_match && key->tag == lv->ds[d].tag && key->algorithm == lv->ds[d].algorithm)
					lv->ds[d].matched = 1;
			}
}

/* The cut's state from its servers: bogus when any is (a resolver may pick
 * it), unknown when none was obtained, else secure. */
static zone_state_t servers_state(zs_level_t *lv)
{
	uint32_t bogus = 0, secure = 0, unknown = 0;
	int first_bogus = -1;
	for (uint32_t i = 0; i < lv->nservers; i++) {
		zone_state_t s = lv->servers[i].state;
		if (s == ZS_BOGUS) {
			if (first_bogus < 0)
				first_bogus = (int)i;
			bogus++;
		} else if (s == ZS_SECURE)
			secure++;
		else
			unknown++;
	}
	if (bogus) {
		snprintf(lv->why, sizeof lv->why, "at %u of %u server address(es) of %s, e.g. %s: %s", bogus,
		         lv->nservers, lv->name, lv->servers[first_bogus].server,
		         lv->servers[first_bogus].why);
		return ZS_BOGUS;
	}
	if (!secure) {
		snprintf(lv->why, sizeof lv->why, "no DNSKEY answer for %s was obtained from this location", lv->name);
		return ZS_UNKNOWN;
	}
	if (unknown)
		snprintf(lv->why, sizeof lv->why, "%s validates at %u server address(es); %u gave no answer here", lv->name,
		         secure, unknown);
	else
		snprintf(lv->why, sizeof lv->why, "%s validates at every server address (%u)", lv->name, secure);
	return ZS_SECURE;
}

void zonestate_validate(const zs_level_in_t *in, uint32_t nlevels, const anchor_set_t *anchors, int64_t now,
                        zs_result_t *out)
{
	memset(out, 0, sizeof *out);
	out->decided_at = -1;
	if (nlevels > ZS_MAX_LEVELS)
		nlevels = ZS_MAX_LEVELS;
	out->nlevels = nlevels;
	zone_state_t chain = ZS_SECURE;
	ldns_rr_list *trusted = ldns_rr_list_new();
	for (uint32_t i = 0; i < nlevels; i++) {
		zs_level_t *lv = &out->level[i];
		const zs_level_in_t *li = &in[i];
		snprintf(lv->name, sizeof lv->name, "%s", li->name);
		lv->nservers = li->nservers > ZS_MAX_SERVERS ? ZS_MAX_SERVERS : li->nservers;
		for (uint32_t s = 0; s < lv->nservers; s++)
			snprintf(lv->servers[s].server, sizeof lv->servers[s].server, "%s", li->server[s]);
		if (chain != ZS_SECURE) { /* decided above: nothing here can change it */
			lv->state = chain;
			continue;
		}
		lv->checked = 1;
		if (i == 0 && (!anchors || anchors->n == 0)) {
			chain = lv->state = ZS_INDETERMINATE;
			snprintf(lv->why, sizeof lv->why, "no trust anchor: a validator cannot tell secure from bogus");
			out->decided_at = 0;
			continue;
		}
		ldns_rdf *name = ldns_dname_new_frm_str(li->name);
		ldns_rr_list *ds_sup = ldns_rr_list_new();
		ldns_rr_list *next = ldns_rr_list_new();
		if (!name || !ds_sup || !next || !trusted) {
			chain = lv->state = ZS_UNKNOWN;
			snprintf(lv->why, sizeof lv->why, "out of memory or a bad name");
		} else {
			zone_state_t ds = i == 0 ? ZS_SECURE : ds_judge(&li->ds, name, trusted, now, lv, ds_sup);
			if (ds != ZS_SECURE) {
				chain = lv->state = ds;
			} else {
				lv->needs_dnskey = 1;
				for (uint32_t s = 0; s < lv->nservers; s++)
					server_judge(&li->dnskey[s], name, ds_sup, anchors, i == 0, now, &lv->servers[s], next);
				ds_mark_matched(lv);
				chain = lv->state = servers_state(lv);
				if (i == 0 && chain == ZS_BOGUS)
					text_appendf(lv->why, sizeof lv->why, " (the trust anchors do not fit this root)");
			}
		}
		if (chain != ZS_SECURE)
			out->decided_at = (int)i;
		/* the keys of this zone sign the next cut's DS */
		ldns_rr_list_deep_free(trusted);
		trusted = next;
		next = NULL;
		ldns_rr_list_deep_free(ds_sup);
		if (name)
			ldns_rdf_deep_free(name);
	}
	ldns_rr_list_deep_free(trusted);
	out->state = nlevels ? out->level[nlevels - 1].state : ZS_UNKNOWN;
	if (out->decided_at >= 0)
		snprintf(out->why, sizeof out->why, "%s", out->level[out->decided_at].why);
	else if (nlevels)
		snprintf(out->why, sizeof out->why, "the chain of trust validates from the root to %s: %s",
		         out->level[nlevels - 1].name, out->level[nlevels - 1].why);
}
