/* test_zonestate.c - zone mode's chain validation (probe/zonestate.c) on real
 * signed answers recorded in the lab (tests/unit/zonestate/, written by
 * tests/fuzz/seed-zonestate): each DNSSEC state, and the same answers judged
 * later (signatures expired), without anchors, with an answer missing, with a
 * server whose keys the DS does not name, with a truncated message.
 * Run from the top of the tree (tests/run-all does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/zonestate.c"

#define NREC 7

typedef struct rec_file {
	uint8_t buf[65536];
	size_t len;
	const uint8_t *rec[NREC];
	uint32_t rlen[NREC];
	char name[256];
	int64_t when;
	anchor_set_t anchors;
} rec_file_t;

static rec_file_t *load(const char *which)
{
	char path[256], err[256];
	snprintf(path, sizeof path, "tests/unit/zonestate/%s.bin", which);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	rec_file_t *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->len = fread(r->buf, 1, sizeof r->buf, f);
	fclose(f);
	size_t off = 0;
	for (int i = 0; i < NREC; i++) {
		assert_true(off + 2 <= r->len);
		uint32_t n = (uint32_t)r->buf[off] << 8 | r->buf[off + 1];
		off += 2;
		assert_true(n <= r->len - off);
		r->rec[i] = r->buf + off;
		r->rlen[i] = n;
		off += n;
	}
	assert_true(r->rlen[1] < sizeof r->name);
	memcpy(r->name, r->rec[1], r->rlen[1]);
	char t[32] = "";
	assert_true(r->rlen[2] < sizeof t);
	memcpy(t, r->rec[2], r->rlen[2]);
	r->when = strtoll(t, NULL, 10);
	assert_true(r->when > 1700000000);
	assert_true(anchors_parse(&r->anchors, path, (const char *)r->rec[0], r->rlen[0], err, sizeof err) > 0);
	return r;
}

static void input(const rec_file_t *r, zs_level_in_t in[2])
{
	memset(in, 0, 2 * sizeof *in);
	in[0].name = ".";
	in[0].nservers = 1;
	strcpy(in[0].server[0], "203.0.113.2");
	in[0].dnskey[0] = (zs_msg_t){ r->rec[3], r->rlen[3] };
	in[1].name = r->name;
	in[1].ds = (zs_msg_t){ r->rec[4], r->rlen[4] };
	in[1].nservers = 2;
	strcpy(in[1].server[0], "203.0.113.5");
	strcpy(in[1].server[1], "2001:db8:4::5");
	in[1].dnskey[0] = (zs_msg_t){ r->rec[5], r->rlen[5] };
	in[1].dnskey[1] = (zs_msg_t){ r->rec[6], r->rlen[6] };
}

static zs_result_t res;

static void judge(const char *which, zone_state_t want, const char *why)
{
	rec_file_t *r = load(which);
	zs_level_in_t in[2];
	input(r, in);
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	if (res.state != want || !strstr(res.why, why))
		fprintf(stderr, "%s: %s: %s\n", which, zonestate2str(res.state), res.why);
	assert_int_equal(res.state, want);
	assert_non_null(strstr(res.why, why));
	assert_int_equal(res.level[0].state, ZS_SECURE);
	free(r);
}

static void test_secure(void **s)
{
	(void)s;
	judge("good", ZS_SECURE, "validates at every server address (2)");
	assert_int_equal(res.level[1].nds, 1);
	assert_true(res.level[1].ds[0].supported && res.level[1].ds[0].matched);
	assert_true(res.level[1].servers[0].matches_ds && res.level[1].servers[1].matches_ds);
	assert_int_equal(res.level[1].servers[0].nkeys, 2);
}

static void test_ds_names_no_key(void **s)
{
	(void)s;
	judge("other", ZS_BOGUS, "no DNSKEY here matches the parent's DS");
	assert_false(res.level[1].ds[0].matched);
}

static void test_expired(void **s)
{
	(void)s;
	judge("expired", ZS_BOGUS, "expired");
}

static void test_unsupported_algorithm(void **s)
{
	(void)s;
	judge("alg253", ZS_INSECURE, "algorithm 253");
	assert_false(res.level[1].needs_dnskey);
}

static void test_no_ds(void **s)
{
	(void)s;
	judge("unsig", ZS_INSECURE, "proven by a signed NSEC record");
	assert_true(res.level[1].ds_denied);
}

/* The unsigned delegation's DS answer with its NSEC record replaced by an
 * NSEC3 record ldns cannot judge: owned by the root (ldns takes the zone from
 * the owner's parent and aborts: found by fuzz_zonestate), of hash algorithm
 * 2 (only SHA-1 is defined), with a field missing, with a next hashed owner
 * that is not a SHA-1 hash, or an NSEC with a field missing. Each
 * must be judged bogus with the reason, not abort the probe. */
static void denial_variant(const char *owner, int alg, size_t nrdf, ldns_rr_type type, const char *next)
{
	rec_file_t *r = load("unsig");
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, r->rec[4], r->rlen[4]), LDNS_STATUS_OK);
	ldns_rr_list *au = ldns_pkt_authority(pkt);
	ldns_rr *bad = ldns_rr_new();
	ldns_rr_set_owner(bad, ldns_dname_new_frm_str(owner));
	ldns_rr_set_type(bad, type);
	ldns_rr_set_class(bad, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(bad, 86400);
	if (type == LDNS_RR_TYPE_NSEC3) {
		const char *fields[6] = { alg == 1 ? "1" : "2", "0", "0", "-", next, "NS" };
		const ldns_rdf_type types[6] = { LDNS_RDF_TYPE_INT8, LDNS_RDF_TYPE_INT8, LDNS_RDF_TYPE_INT16,
			                         LDNS_RDF_TYPE_NSEC3_SALT, LDNS_RDF_TYPE_NSEC3_NEXT_OWNER,
			                         LDNS_RDF_TYPE_BITMAP };
		for (size_t i = 0; i < nrdf; i++)
			ldns_rr_push_rdf(bad, ldns_rdf_new_frm_str(types[i], fields[i]));
	} else {
		ldns_rr_push_rdf(bad, ldns_dname_new_frm_str("zzz."));
	}
	/* the NSEC goes, the new record takes its place */
	ldns_rr_list *keep = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(au); i++) {
		ldns_rr *rr = ldns_rr_list_rr(au, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			ldns_rr_list_push_rr(keep, ldns_rr_clone(rr));
	}
	ldns_rr_list_push_rr(keep, bad);
	ldns_rr_list_deep_free(au);
	ldns_pkt_set_authority(pkt, keep);
	ldns_pkt_set_nscount(pkt, (uint16_t)ldns_rr_list_rr_count(keep));
	uint8_t *wire = NULL;
	size_t wlen = 0;
	assert_int_equal(ldns_pkt2wire(&wire, pkt, &wlen), LDNS_STATUS_OK);
	zs_level_in_t in[2];
	input(r, in);
	in[1].ds = (zs_msg_t){ wire, (uint32_t)wlen };
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	if (res.state != ZS_BOGUS || !strstr(res.level[1].why, "malformed or of a hash algorithm"))
		fprintf(stderr, "%s alg %d, %zu fields: %s: %s\n", owner, alg, nrdf, zonestate2str(res.state),
		        res.level[1].why);
	assert_int_equal(res.state, ZS_BOGUS);
	assert_non_null(strstr(res.level[1].why, "malformed or of a hash algorithm"));
	free(wire);
	ldns_pkt_free(pkt);
	free(r);
}

static void test_denial_unusable(void **s)
{
	(void)s;
	const char *sha1 = "2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S";
	denial_variant(".", 1, 6, LDNS_RR_TYPE_NSEC3, sha1);
	denial_variant("2vptu5timamqttgl4luu9kg21e0aor3s.", 2, 6, LDNS_RR_TYPE_NSEC3, sha1);
	denial_variant("2vptu5timamqttgl4luu9kg21e0aor3s.", 1, 4, LDNS_RR_TYPE_NSEC3, sha1);
	denial_variant("unsig.", 1, 1, LDNS_RR_TYPE_NSEC, sha1);
	/* a next hashed owner of 5 bytes, and of 40 (64 characters: too long
	 * for a label) */
	denial_variant("2vptu5timamqttgl4luu9kg21e0aor3s.", 1, 6, LDNS_RR_TYPE_NSEC3, "2VPTU5TI");
	denial_variant("2vptu5timamqttgl4luu9kg21e0aor3s.", 1, 6, LDNS_RR_TYPE_NSEC3,
	               "2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S");
}

/* The secure answers judged 31 days later: the root's signatures (30 days)
 * have expired first. */
static void test_later_expired(void **s)
{
	(void)s;
	rec_file_t *r = load("good");
	zs_level_in_t in[2];
	input(r, in);
	zonestate_validate(in, 2, &r->anchors, r->when + 31 * 86400, &res);
	assert_int_equal(res.state, ZS_BOGUS);
	assert_int_equal(res.decided_at, 0);
	assert_non_null(strstr(res.why, "expired"));
	free(r);
}

static void test_no_anchor(void **s)
{
	(void)s;
	rec_file_t *r = load("good");
	zs_level_in_t in[2];
	input(r, in);
	zonestate_validate(in, 2, NULL, r->when, &res);
	assert_int_equal(res.state, ZS_INDETERMINATE);
	r->anchors.n = 0;
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_INDETERMINATE);
	free(r);
}

/* Anchors of another root (the "other" file's are the same lab's: use the
 * DS of a key the root does not have). */
static void test_wrong_anchor(void **s)
{
	(void)s;
	rec_file_t *r = load("good");
	char err[256];
	const char *ds = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
	assert_true(anchors_parse(&r->anchors, "real-root", ds, strlen(ds), err, sizeof err) > 0);
	zs_level_in_t in[2];
	input(r, in);
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_BOGUS);
	assert_non_null(strstr(res.why, "trust anchor"));
	free(r);
}

/* One server's answer missing: still secure (the other validates); both
 * missing, or the DS answer missing: unknown. */
static void test_missing_answers(void **s)
{
	(void)s;
	rec_file_t *r = load("good");
	zs_level_in_t in[2];
	input(r, in);
	in[1].dnskey[1] = (zs_msg_t){ NULL, 0 };
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_SECURE);
	assert_int_equal(res.level[1].servers[1].state, ZS_UNKNOWN);
	in[1].dnskey[0] = (zs_msg_t){ NULL, 0 };
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_UNKNOWN);
	input(r, in);
	in[1].ds = (zs_msg_t){ NULL, 0 };
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_UNKNOWN);
	assert_non_null(strstr(res.why, "DS answer was not obtained"));
	free(r);
}

/* A transfer: one server publishes the zone's keys, the other another set
 * (the "other" zone's answer under this name does not parse as this zone's
 * keys): bogus at that one server only. */
static void test_one_server_bogus(void **s)
{
	(void)s;
	rec_file_t *r = load("good"), *o = load("other");
	zs_level_in_t in[2];
	input(r, in);
	in[1].dnskey[1] = (zs_msg_t){ o->rec[5], o->rlen[5] };
	zonestate_validate(in, 2, &r->anchors, r->when, &res);
	assert_int_equal(res.state, ZS_BOGUS);
	assert_int_equal(res.level[1].servers[0].state, ZS_SECURE);
	assert_int_equal(res.level[1].servers[1].state, ZS_BOGUS);
	assert_non_null(strstr(res.why, "at 1 of 2 server address(es)"));
	free(r);
	free(o);
}

/* Cut messages never validate and never crash. */
static void test_truncated_messages(void **s)
{
	(void)s;
	rec_file_t *r = load("good");
	zs_level_in_t in[2];
	for (uint32_t cut = 0; cut < r->rlen[5]; cut += 37) {
		input(r, in);
		in[1].dnskey[0] = (zs_msg_t){ r->rec[5], cut };
		in[1].dnskey[1] = (zs_msg_t){ r->rec[6], cut };
		zonestate_validate(in, 2, &r->anchors, r->when, &res);
		assert_int_not_equal(res.state, ZS_SECURE);
	}
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secure),           cmocka_unit_test(test_ds_names_no_key),
		cmocka_unit_test(test_expired),          cmocka_unit_test(test_unsupported_algorithm),
		cmocka_unit_test(test_no_ds),            cmocka_unit_test(test_later_expired),
		cmocka_unit_test(test_no_anchor),        cmocka_unit_test(test_wrong_anchor),
		cmocka_unit_test(test_missing_answers),  cmocka_unit_test(test_one_server_bogus),
		cmocka_unit_test(test_truncated_messages), cmocka_unit_test(test_denial_unusable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
