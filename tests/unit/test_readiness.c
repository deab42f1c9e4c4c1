/* test_readiness.c - mode rollover: the RFC 8509 trust verdict from the two
 * sentinel answers, the parse of a sentinel answer (rcode, AD, RFC 8914 EDE),
 * the sentinel names (five-digit key tags) and the rollover sets of the config.
 * The probe's pure sources are compiled in (the Makefile links unit tests with
 * common/ only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/config.c"
#include "../../probe/plan.c"
#include "../../probe/readiness.c"

static rollover_sentinel_answer_t ans(int rcode, int ad)
{
	rollover_sentinel_answer_t a;
	memset(&a, 0, sizeof a);
	a.rcode = (int16_t)rcode;
	a.ad = (uint8_t)ad;
	a.ede = -1;
	return a;
}

static void test_judge(void **state)
{
	(void)state;
	char why[240];
	rollover_sentinel_answer_t nx = ans(3, 1), ok = ans(0, 1), sf = ans(2, 0), none = ans(-1, 0), plain = ans(3, 0);
	assert_int_equal(readiness_trust_judge(&nx, &sf, 1, why, sizeof why), RO_TRUST_YES);
	assert_int_equal(readiness_trust_judge(&ok, &sf, 1, why, sizeof why), RO_TRUST_YES);
	assert_int_equal(readiness_trust_judge(&sf, &nx, 1, why, sizeof why), RO_TRUST_NO);
	assert_non_null(strstr(why, "not one of its trust anchors"));
	assert_int_equal(readiness_trust_judge(&plain, &plain, 0, why, sizeof why), RO_TRUST_CANNOT_TELL);
	assert_non_null(strstr(why, "not a validating resolver"));
	assert_int_equal(readiness_trust_judge(&nx, &nx, 1, why, sizeof why), RO_TRUST_CANNOT_TELL);
	assert_non_null(strstr(why, "no RFC 8509"));
	assert_int_equal(readiness_trust_judge(&sf, &sf, 1, why, sizeof why), RO_TRUST_CANNOT_TELL);
	assert_int_equal(readiness_trust_judge(&none, &sf, 1, why, sizeof why), RO_TRUST_CANNOT_TELL);
	rollover_sentinel_answer_t refused = ans(5, 0);
	assert_int_equal(readiness_trust_judge(&refused, &nx, 1, why, sizeof why), RO_TRUST_CANNOT_TELL);
	assert_non_null(strstr(why, "REFUSED"));
}

static void test_parse(void **state)
{
	(void)state;
	/* SERVFAIL, RA, AD clear, one question, an OPT with EDE 9 "DNSKEY Missing" + "no key" */
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x82, 0, 1, 0, 0, 0, 0, 0, 1,
		0, 0, 1, 0, 1,                              /* . A IN */
		0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 10, /* OPT 1232, DO, rdlen 10 */
		0, 15, 0, 6, 0, 9, 'n', 'o', ' ', 'k',
	};
	rollover_sentinel_answer_t a;
	readiness_sentinel_parse(msg, sizeof msg, &a);
	assert_int_equal(a.rcode, 2);
	assert_int_equal(a.ad, 0);
	assert_int_equal(a.ede, 9);
	assert_string_equal(a.ede_text, "no k");
	readiness_sentinel_parse(NULL, 0, &a);
	assert_int_equal(a.rcode, -1);
	readiness_sentinel_parse(msg, 5, &a);
	assert_int_equal(a.rcode, -1);
}

static void test_names_and_sets(void **state)
{
	(void)state;
	static probe_cfg_t cfg;
	char err[256];
	probe_cfg_default(&cfg);
	assert_int_equal(probe_cfg_set(&cfg, NULL, "mode", "rollover", err, sizeof err), 0);
	assert_int_equal(probe_cfg_set(&cfg, NULL, "zone", "lab", err, sizeof err), 0);
	assert_int_equal(probe_cfg_set(&cfg, NULL, "rd", "on", err, sizeof err), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.nsets, 2);
	assert_int_equal(cfg.sets[0].nnames, 5);
	assert_string_equal(cfg.sets[0].names[0], "864.size.lab");
	assert_string_equal(cfg.sets[0].names[4], "1700.size.lab");
	assert_int_equal(cfg.sets[0].qtype, 16);
	assert_int_equal(cfg.sets[0].do_mask, PROBE_DO_OFF);
	assert_int_equal(cfg.sets[0].nsizes, 2);
	assert_int_equal(cfg.sets[0].sizes[0], 1232);
	assert_int_equal(cfg.sets[0].sizes[1], 4096);
	assert_string_equal(cfg.sets[1].names[0], ".");
	assert_int_equal(cfg.sets[1].qtype, 48);
	assert_int_equal(cfg.sets[1].do_mask, PROBE_DO_ON);
	assert_int_equal(cfg.sets[1].rd, 1);
	uint16_t tags[] = { 20326, 38696, 20326, 77 };
	assert_int_equal(probe_cfg_sentinels(&cfg, tags, 4, err, sizeof err), 0);
	assert_int_equal(cfg.ntags, 3);
	assert_string_equal(cfg.sentinel_names[0], "root-key-sentinel-is-ta-20326.");
	assert_string_equal(cfg.sentinel_names[3], "root-key-sentinel-not-ta-38696.");
	assert_string_equal(cfg.sentinel_names[4], "root-key-sentinel-is-ta-00077.");
	assert_int_equal(probe_cfg_set(&cfg, NULL, "sentinel-zone", "signed.example", err, sizeof err), 0);
	assert_int_equal(probe_cfg_sentinels(&cfg, tags, 1, err, sizeof err), 0);
	assert_string_equal(cfg.sentinel_names[1], "root-key-sentinel-not-ta-20326.signed.example");
	assert_int_equal(probe_cfg_set(&cfg, NULL, "mode", "bogus", err, sizeof err), -1);
	assert_non_null(strstr(err, "sweep, oarc, rollover or zone"));
}

/* Mode zone: --zone alone selects it; a given mode keeps --zone for itself;
 * mode zone without a zone is an error. */
static void test_zone_mode(void **state)
{
	(void)state;
	static probe_cfg_t cfg;
	char err[256];
	probe_cfg_default(&cfg);
	assert_int_equal(probe_cfg_override(&cfg, "zone", "example.", err, sizeof err), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.mode, PROBE_MODE_ZONE);
	probe_cfg_default(&cfg);
	assert_int_equal(probe_cfg_set(&cfg, NULL, "mode", "rollover", err, sizeof err), 0);
	assert_int_equal(probe_cfg_override(&cfg, "zone", "lab", err, sizeof err), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.mode, PROBE_MODE_ROLLOVER);
	probe_cfg_default(&cfg);
	assert_int_equal(probe_cfg_override(&cfg, "mode", "zone", err, sizeof err), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "--zone NAME"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_zone_mode),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_names_and_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
