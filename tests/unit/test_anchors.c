/* test_anchors.c - trust anchors (root-anchors.xml, DS and DNSKEY lines, errors
 * naming the file and the line), key tags and REVOKE-masked matching with the
 * real KSK-2017 (20326 -> 20454 when revoked), and the rollover check on
 * answers built here: phases, unsigned answers, names of revoked keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "anchors.h"
#include "rollover.h"

#define KSK2017_B64 \
	"AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="
#define KSK2024_B64 \
	"AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc="
#define DS_20326 ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
#define DS_38696 ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n"

static anchor_set_t set;
static char err[512];

static int parse(const char *text)
{
	err[0] = '\0';
	return anchors_parse(&set, "t.anchors", text, strlen(text), err, sizeof err);
}

/* The RDATA of the DNSKEY "flags 3 8 b64" into buf; its length. */
static size_t rdata_of(uint16_t flags, const char *b64, uint8_t *buf, size_t max)
{
	ldns_rdf *k = NULL;
	assert_int_equal(ldns_str2rdf_b64(&k, b64), LDNS_STATUS_OK);
	size_t kl = ldns_rdf_size(k);
	assert_true(4 + kl <= max);
	buf[0] = (uint8_t)(flags >> 8);
	buf[1] = (uint8_t)flags;
	buf[2] = 3;
	buf[3] = 8;
	memcpy(buf + 4, ldns_rdf_data(k), kl);
	ldns_rdf_deep_free(k);
	return 4 + kl;
}

static void test_ds_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("; Debian's root.ds\n" DS_20326 DS_38696), 2);
	assert_string_equal(set.format, "DS/DNSKEY lines");
	assert_int_equal(set.a[0].kind, ANCHOR_DS);
	assert_int_equal(set.a[0].key_tag, 20326);
	assert_int_equal(set.a[0].algorithm, 8);
	assert_int_equal(set.a[0].digest_type, 2);
	assert_int_equal(set.a[0].digest_len, 32);
	assert_string_equal(set.a[0].name, "KSK-2017");
	assert_string_equal(set.a[1].name, "KSK-2024");
	assert_int_equal(set.a[1].line, 3);
	/* TTL and class in either order, split digest in parentheses, lower case */
	assert_int_equal(parse(". 172800 IN DS 20326 8 2 ( e06d44b80b8f1d39a95c0b0d7c65d084\n"
	                       "  58e880409bbc683457104237c7f8ec8d ) ; comment\n"),
	                 1);
	assert_string_equal(set.a[0].name, "KSK-2017");
}

static void test_dnskey_lines(void **state)
{
	(void)state;
	assert_int_equal(parse(". 172800 IN DNSKEY 257 3 8 " KSK2017_B64 " ;{id = 20326 (ksk), size = 2048b}\n"
	                       ". IN DNSKEY 257 3 8 ( " KSK2024_B64 " )\n"),
	                 2);
	assert_int_equal(set.a[0].kind, ANCHOR_DNSKEY);
	assert_int_equal(set.a[0].key_tag, 20326);
	assert_int_equal(set.a[1].key_tag, 38696);
	assert_string_equal(set.a[0].name, "KSK-2017");
	assert_int_equal(set.a[0].key_len, 260);
	/* the embedded fallback is the same two keys */
	anchors_load_embedded(&set);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.a[0].key_tag, 20326);
	assert_int_equal(set.a[1].key_tag, 38696);
	assert_string_equal(set.format, "embedded");
}

static const char xml_iana[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<TrustAnchor id=\"38A5D8E1-0A1B-4C0E-9D6C-3B1E0F5A7C2D\" source=\"http://data.iana.org/root-anchors/root-anchors.xml\">\n"
	"<Zone>.</Zone>\n"
	"<!-- KSK-2010, retired -->\n"
	"<KeyDigest id=\"Kjqmt7v\" validFrom=\"2010-07-15T00:00:00+00:00\" validUntil=\"2019-01-11T00:00:00+00:00\">\n"
	"<KeyTag>19036</KeyTag>\n<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n"
	"<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>\n"
	"</KeyDigest>\n"
	"<KeyDigest id=\"Klajeyz\" validFrom=\"2017-02-02T00:00:00+00:00\">\n"
	"<KeyTag>20326</KeyTag>\n<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n"
	"<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>\n"
	"<PublicKey>" KSK2017_B64 "</PublicKey>\n<Flags>257</Flags>\n"
	"</KeyDigest>\n"
	"<KeyDigest id=\"Kmyv6jo\" validFrom=\"2024-07-18T00:00:00+00:00\">\n"
	"<KeyTag>38696</KeyTag>\n<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n"
	"<Digest>683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16</Digest>\n"
	"</KeyDigest>\n"
	"</TrustAnchor>\n";

static void test_xml(void **state)
{
	(void)state;
	assert_int_equal(parse(xml_iana), 3);
	assert_string_equal(set.format, "root-anchors.xml");
	assert_int_equal(set.a[0].key_tag, 19036);
	assert_string_equal(set.a[0].name, "KSK-2010");
	assert_int_equal(set.a[0].valid_from, 1279152000);  /* 2010-07-15 */
	assert_int_equal(set.a[0].valid_until, 1547164800); /* 2019-01-11 */
	assert_int_equal(set.a[1].key_tag, 20326);
	assert_int_equal(set.a[1].key_len, 260);
	assert_int_equal(set.a[1].flags, 257);
	assert_string_equal(set.a[2].name, "KSK-2024");
	assert_int_equal(set.a[2].line, 19);

	/* a lab key named by its validFrom year */
	assert_int_equal(parse("<TrustAnchor><Zone>.</Zone><KeyDigest id='x' validFrom='2026-01-01T00:00:00Z'>"
	                       "<KeyTag>1</KeyTag><Algorithm>8</Algorithm><DigestType>1</DigestType>"
	                       "<Digest>0102030405060708090a0b0c0d0e0f1011121314</Digest></KeyDigest></TrustAnchor>"),
	                 1);
	assert_string_equal(set.a[0].name, "KSK-2026");
}

static void expect_error(const char *text, const char *want)
{
	assert_int_equal(parse(text), -1);
	assert_int_equal(set.n, 0);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", "t.anchors: no trust anchors");
	expect_error("; only a comment\n", "t.anchors: no trust anchors");
	expect_error(DS_20326 "example. IN DS 1 8 2 00\n", "t.anchors:2: owner 'example.'");
	expect_error("\n\n. IN DS 20326 8 2 E06D44\n", "t.anchors:3: digest of 3 bytes, digest type 2 needs 32");
	expect_error(". IN DS 20326 8 3 E06D44\n", "t.anchors:1: digest type 3 is not supported");
	expect_error(". IN DS 70000 8 2 00\n", "t.anchors:1: key tag '70000' is not a number");
	expect_error(". IN DS 1 8 2 XYZ\n", "t.anchors:1: digest 'XYZ' is not hex");
	expect_error(". IN A 192.0.2.1\n", "t.anchors:1: type 'A': expected DS or DNSKEY");
	expect_error(". IN DNSKEY 257 3 8 !!!!\n", "t.anchors:1: public key '!!!!' is not base64");
	expect_error(". IN DNSKEY 385 3 8 " KSK2017_B64 "\n", "t.anchors:1: DNSKEY flags 385 carry the REVOKE bit");
	expect_error(". IN DNSKEY 1 3 8 AwEAAQ==\n", "lack the zone key bit");
	expect_error(". IN DS ( 20326 8 2\n", "t.anchors:1: '(' without ')'");
	expect_error("$TTL 3600\n", "t.anchors:1: directive '$TTL'");
	expect_error(". IN DS 1 8 2 \"00\"\n", "unexpected quote");
	expect_error("<TrustAnchor>\n<Zone>example.</Zone>\n</TrustAnchor>", "t.anchors:2: <Zone> 'example.'");
	expect_error("<TrustAnchor>\n<Zone>.</Zone>\n<KeyDigest>\n<KeyTag>abc</KeyTag>", "t.anchors:4: <KeyTag> 'abc'");
	expect_error("<TrustAnchor>\n<Zone>.</Zone>\n<KeyDigest>\n<KeyTag>1</KeyTag>\n</KeyDigest>\n</TrustAnchor>",
	             "t.anchors:3: <KeyDigest> without <Algorithm>");
	expect_error("<TrustAnchor><Zone>.</Zone>", "is not closed before the end of the file");
	expect_error("<TrustAnchor>\n<!-- never ends", "t.anchors:2: comment '<!--' never ends");
	expect_error("<Foo/>", "t.anchors:1: expected <TrustAnchor>");
	expect_error("<TrustAnchor>\n<Zone>.</Zone>\n<KeyDigest validFrom=\"yesterday\">", "t.anchors:3: validFrom 'yesterday'");
	expect_error("<TrustAnchor><Zone>.</Zone><KeyDigest><KeyTag>20326</KeyTag><Algorithm>8</Algorithm>"
	             "<DigestType>2</DigestType><Digest>683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"
	             "</Digest><PublicKey>" KSK2017_B64 "</PublicKey><Flags>257</Flags></KeyDigest></TrustAnchor>",
	             "<PublicKey> does not match <Digest>");
	expect_error("<TrustAnchor><Zone>.</Zone><![CDATA[x]]></TrustAnchor>", "CDATA");
	/* a file that is not there, named */
	assert_int_equal(anchors_load_file(&set, "/nonexistent/anchors.xml", err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/anchors.xml: cannot open"));
}

static void test_keytag_revoke(void **state)
{
	(void)state;
	uint8_t rd[600];
	size_t n = rdata_of(257, KSK2017_B64, rd, sizeof rd);
	assert_int_equal(dnskey_rdata2keytag(rd, n), 20326);
	rd[1] |= DNSKEY_FLAG_REVOKE; /* flags 385 */
	assert_int_equal(rd[0] << 8 | rd[1], 385);
	assert_int_equal(dnskey_rdata2keytag(rd, n), 20454);
	/* the revoked key's DS no longer matches root.ds ... */
	uint8_t d[ANCHOR_DIGEST_MAX];
	assert_int_equal(dnskey_rdata2digest(2, rd, n, d), 32);
	assert_int_equal(parse(DS_20326 DS_38696), 2);
	assert_memory_not_equal(d, set.a[0].digest, 32);
	/* ... but it matches with the REVOKE bit masked */
	assert_int_equal(anchors_match_dnskey(&set, rd, n, 1800000000), 0);
	size_t n2 = rdata_of(257, KSK2024_B64, rd, sizeof rd);
	assert_int_equal(dnskey_rdata2keytag(rd, n2), 38696);
	assert_int_equal(anchors_match_dnskey(&set, rd, n2, 1800000000), 1);
	/* and against DNSKEY anchors by public key */
	anchors_load_embedded(&set);
	rdata_of(385, KSK2017_B64, rd, sizeof rd);
	assert_int_equal(anchors_match_dnskey(&set, rd, n, 1800000000), 0);
	/* not before an XML anchor's validFrom, not from its validUntil */
	assert_int_equal(parse(xml_iana), 3);
	assert_int_equal(anchors_match_dnskey(&set, rd, n, 1485900000), -1); /* 2017-02-02 minus a day */
	assert_int_equal(anchors_match_dnskey(&set, rd, n, 1486080000), 1);
}

/* A '. DNSKEY' answer holding these keys (flags, base64) and no RRSIG. */
static uint8_t *answer_of(const uint16_t *flags, const char *const *keys, int n, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str("."), LDNS_RR_TYPE_DNSKEY, LDNS_RR_CLASS_IN, 0);
	assert_non_null(p);
	ldns_pkt_set_qr(p, 1);
	for (int i = 0; i < n; i++) {
		char text[1024];
		ldns_rr *rr = NULL;
		snprintf(text, sizeof text, ". 172800 IN DNSKEY %u 3 8 %s", flags[i], keys[i]);
		assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	uint8_t *wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static void test_rollover_revoked_name(void **state)
{
	(void)state;
	anchors_load_embedded(&set);
	rollover_t *ro = rollover_new(&set);
	assert_non_null(ro);
	const uint16_t flags[] = { 385, 257, 256 };
	const char *const keys[] = { KSK2017_B64, KSK2024_B64, "AwEAAQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=" };
	size_t len;
	uint8_t *wire = answer_of(flags, keys, 3, &len);
	rollover_answer_t a;
	memset(&a, 0, sizeof a);
	rollover_check_answer(ro, wire, (uint32_t)len, 1800000000, &a);
	free(wire);
	assert_int_equal(a.nkeys, 3);
	assert_int_equal(a.n_revoked, 1);
	assert_int_equal(a.n_ksk, 1);
	assert_int_equal(a.n_zsk, 1);
	assert_int_equal(a.phase, RO_PHASE_REVOKED);
	assert_string_equal(rollover_phase2str(a.phase), "revoked");
	assert_int_equal(rollover_phase_reference_size(a.phase), 1425);
	assert_int_equal(a.status, RO_UNSIGNED); /* no RRSIG: not judged */
	char b[96];
	const rollover_key_t *k = &ro->keys[a.key[0]];
	assert_int_equal(k->tag, 20326);
	assert_int_equal(k->revoked_tag, 20454);
	assert_int_equal(k->anchor, 0);
	assert_string_equal(rollover_key2str(ro, k, 1, b, sizeof b), "KSK-2017 (20326) revoked, now 20454");
	assert_string_equal(rollover_key2str(ro, &ro->keys[a.key[1]], 0, b, sizeof b), "KSK-2024 (38696)");
	assert_int_equal(ro->keys[a.key[2]].sep, 0);
	rollover_finish(ro);
	assert_int_equal(ro->health, HEALTH_UNKNOWN);
	rollover_free(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ds_lines),
		cmocka_unit_test(test_dnskey_lines),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_keytag_revoke),
		cmocka_unit_test(test_rollover_revoked_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
