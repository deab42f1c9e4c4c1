/* test_dnsquery.c - the one DNS query builder (common/dnsquery.c), which the
 * probe's socket queries and its crafted packets share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ldns/ldns.h>
#include <string.h>

#include "dnsquery.h"

static void test_bytes(void **state)
{
	(void)state;
	uint8_t b[DNSQUERY_MAX];
	size_t n = 0;
	dnsquery_t q = { .id = 0xbeef, .qname = ".", .qtype = 48, .opt = 1, .udp_size = 4096, .do_bit = 1 };
	assert_int_equal(dnsquery_build(&q, b, sizeof b, &n), DNSQUERY_OK);
	static const uint8_t want[] = {
		0xbe, 0xef, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,                   /* RD off, QD 1, AR 1 */
		0x00, 0x00, 0x30, 0x00, 0x01,                                     /* . DNSKEY IN */
		0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, /* OPT 4096, DO */
	};
	assert_int_equal(n, sizeof want);
	assert_memory_equal(b, want, sizeof want);

	/* NSID: an empty option in the OPT record; CH class; RD */
	dnsquery_t id = { .id = 1, .qname = "hostname.bind.", .qtype = 16, .qclass = 3, .rd = 1, .opt = 1,
	                  .udp_size = 1232, .nsid = 1 };
	assert_int_equal(dnsquery_build(&id, b, sizeof b, &n), DNSQUERY_OK);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, b, n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_rd(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_false(ldns_pkt_edns_do(p));
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	assert_int_equal(ldns_rr_get_class(qr), LDNS_RR_CLASS_CH);
	char *s = ldns_rdf2str(ldns_rr_owner(qr));
	assert_string_equal(s, "hostname.bind.");
	free(s);
	ldns_rdf *opts = ldns_pkt_edns_data(p);
	assert_non_null(opts);
	assert_int_equal(ldns_rdf_size(opts), 4);
	assert_memory_equal(ldns_rdf_data(opts), "\x00\x03\x00\x00", 4);
	ldns_pkt_free(p);

	/* no OPT */
	dnsquery_t plain = { .id = 7, .qname = "example.org", .qtype = 1 };
	assert_int_equal(dnsquery_build(&plain, b, sizeof b, &n), DNSQUERY_OK);
	assert_int_equal(n, 12 + 13 + 4);
	assert_int_equal(b[11], 0);
}

static void test_errors(void **state)
{
	(void)state;
	uint8_t b[DNSQUERY_MAX];
	size_t n;
	char name[300];
	const char *bad[] = { "", "a..b", ".a", "a\\.b", "a\\046b" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		dnsquery_t q = { .qname = bad[i], .qtype = 1 };
		assert_int_equal(dnsquery_build(&q, b, sizeof b, &n), DNSQUERY_BAD_NAME);
	}
	memset(name, 'a', 64);
	name[64] = 0;
	dnsquery_t q = { .qname = name, .qtype = 1 };
	assert_int_equal(dnsquery_build(&q, b, sizeof b, &n), DNSQUERY_BAD_NAME); /* a 64-byte label */
	name[63] = 0;
	assert_int_equal(dnsquery_build(&q, b, sizeof b, &n), DNSQUERY_OK);
	/* 255 bytes of wire name at most: 4 labels of 63 = 4 * 64 + 1 = 257 */
	for (size_t i = 0; i < 4 * 64 - 1; i++)
		name[i] = i % 64 == 63 ? '.' : 'b';
	name[4 * 64 - 1] = 0;
	assert_int_equal(dnsquery_build(&q, b, sizeof b, &n), DNSQUERY_BAD_NAME);
	/* 3 labels of 63 and one of 61: 255 bytes, the largest there is */
	name[3 * 64 + 61] = 0;
	dnsquery_t big = { .qname = name, .qtype = 1, .opt = 1, .udp_size = 4096, .nsid = 1 };
	assert_int_equal(dnsquery_build(&big, b, sizeof b, &n), DNSQUERY_OK);
	assert_int_equal(n, DNSQUERY_MAX);
	assert_int_equal(dnsquery_build(&big, b, n - 1, &n), DNSQUERY_NO_ROOM);
	dnsquery_t nsid_alone = { .qname = ".", .qtype = 1, .nsid = 1 };
	assert_int_equal(dnsquery_build(&nsid_alone, b, sizeof b, &n), DNSQUERY_BAD_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
