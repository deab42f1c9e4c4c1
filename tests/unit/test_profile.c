/* test_profile.c - dnsfrag-probe's profile parser and settings vocabulary:
 * keys, [query] sections, flags overriding profile keys, every error naming
 * the file and the line; and the root.hints parser and the lab guard.
 *
 * The Makefile links unit tests with common/ only, so the probe's pure sources
 * are compiled in here.
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
#include "../../probe/profile.c"
#include "../../probe/targets.c"

static probe_cfg_t cfg;
static char err[512];

static int parse(const char *text)
{
	probe_cfg_default(&cfg);
	err[0] = '\0';
	return profile_parse(text, strlen(text), "t.conf", &cfg, err, sizeof err);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.nsets, 1);
	assert_string_equal(cfg.sets[0].names[0], ".");
	assert_int_equal(cfg.sets[0].qtype, 48); /* DNSKEY */
	assert_int_equal(cfg.sets[0].nsizes, 8);
	assert_int_equal(cfg.sets[0].sizes[0], 512);
	assert_int_equal(cfg.sets[0].sizes[7], 4096);
	assert_int_equal(cfg.sets[0].do_mask, PROBE_DO_ON);
	assert_int_equal(cfg.families, PROBE_FAM_4 | PROBE_FAM_6);
	assert_int_equal(cfg.timeout_ms, 2000);
}

static void test_keys(void **state)
{
	(void)state;
	const char *p = "# a comment\n"
	                "; another\n"
	                "description = \"a quoted value\"\n"
	                "server = 192.0.2.53, 2001:db8::53\n"
	                "  timeout =   1.5  \r\n"
	                "sizes = 512 1232-1432/100 4096\n"
	                "do = both\n"
	                "families = 6\n"
	                "rate = 0\n"
	                "tcp = off\n";
	assert_int_equal(parse(p), 0);
	assert_string_equal(cfg.description, "a quoted value");
	assert_int_equal(cfg.nservers, 2);
	assert_string_equal(cfg.servers[1], "2001:db8::53");
	assert_int_equal(cfg.timeout_ms, 1500);
	assert_int_equal(cfg.defaults.nsizes, 5);
	assert_int_equal(cfg.defaults.sizes[1], 1232);
	assert_int_equal(cfg.defaults.sizes[2], 1332);
	assert_int_equal(cfg.defaults.sizes[3], 1432);
	assert_int_equal(cfg.defaults.do_mask, PROBE_DO_BOTH);
	assert_int_equal(cfg.families, PROBE_FAM_6);
	assert_int_equal(cfg.rate, 0);
	assert_int_equal(cfg.tcp, 0);
}

static void test_sections_inherit(void **state)
{
	(void)state;
	const char *p = "type = TXT\n"
	                "sizes = 4096\n"
	                "[query]\n"
	                "name = 512.size.lab 3000.size.lab\n"
	                "[query]\n"
	                "name = .\n"
	                "type = DNSKEY\n"
	                "do = both\n"
	                "[probe]\n"
	                "timeout = 1\n";
	assert_int_equal(parse(p), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.nsets, 2);
	assert_int_equal(cfg.sets[0].nnames, 2);
	assert_int_equal(cfg.sets[0].qtype, 16);     /* TXT, from the top level */
	assert_int_equal(cfg.sets[0].sizes[0], 4096);
	assert_int_equal(cfg.sets[0].do_mask, PROBE_DO_ON);
	assert_int_equal(cfg.sets[1].qtype, 48);
	assert_int_equal(cfg.sets[1].do_mask, PROBE_DO_BOTH);
	assert_int_equal(cfg.timeout_ms, 1000);
}

static void test_flag_overrides(void **state)
{
	(void)state;
	assert_int_equal(parse("timeout = 5\n[query]\nsizes = 4096\n[query]\nsizes = 1232\n"), 0);
	assert_int_equal(probe_cfg_override(&cfg, "timeout", "0.25", err, sizeof err), 0);
	assert_int_equal(probe_cfg_override(&cfg, "sizes", "1400", err, sizeof err), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.timeout_ms, 250);
	for (uint32_t i = 0; i < cfg.nsets; i++) {
		assert_int_equal(cfg.sets[i].nsizes, 1);
		assert_int_equal(cfg.sets[i].sizes[0], 1400);
	}
}

/* Every error names the file and the line. */
static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	static const struct { const char *text; const char *want; } cases[] = {
		{ "timeout = 1\nbogus = 2\n", "t.conf:2: unknown key 'bogus'" },
		{ "\n\n[nope]\n", "t.conf:3: unknown section [nope]" },
		{ "sizes = 100\n", "t.conf:1: EDNS size '100'" },
		{ "sizes = 2000-1000\n", "t.conf:1: EDNS size range" },
		{ "do = maybe\n", "t.conf:1: do 'maybe'" },
		{ "type = NOSUCHTYPE\n", "t.conf:1: type 'NOSUCHTYPE'" },
		{ "timeout\n", "t.conf:1: expected 'key = value'" },
		{ "timeout =\n", "t.conf:1: key 'timeout' has no value" },
		{ "[query]\ntimeout = 1\n", "t.conf:2: unknown key 'timeout' in a [query] section" },
		{ "name = a..b\n", "t.conf:1: name 'a..b' has an empty label" },
		{ "families = 5\n", "t.conf:1: family '5'" },
		{ "repeats = 0\n", "t.conf:1: repeats '0'" },
		{ "Timeout = 1\n", "t.conf:1: a key is lower-case" },
		{ "[query\n", "t.conf:1: a section is [NAME]" },
		{ "mode = both\n", "t.conf:1: mode 'both'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].text), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, cases[i].want);
	}
}

static void test_hostile_input(void **state)
{
	(void)state;
	char big[PROFILE_MAX_LINE + 20];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(parse(big), -1);
	assert_non_null(strstr(err, "t.conf:1: line longer"));
	probe_cfg_default(&cfg);
	assert_int_equal(profile_parse("a = b\0c", 7, "t.conf", &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
	/* too many [query] sections */
	char many[PROBE_MAX_SETS * 8 + 16] = "";
	for (int i = 0; i <= PROBE_MAX_SETS; i++)
		strcat(many, "[query]\n");
	assert_int_equal(parse(many), -1);
	assert_non_null(strstr(err, "t.conf:17: more than"));
}

static void test_oarc_needs_zone_and_server(void **state)
{
	(void)state;
	assert_int_equal(parse("mode = oarc\n"), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "zone"));
	assert_int_equal(parse("mode = oarc\nzone = resp4.lab\nserver = 198.51.100.2\n"), 0);
	assert_int_equal(probe_cfg_finish(&cfg, err, sizeof err), 0);
	assert_string_equal(cfg.sets[0].names[0], "rs.resp4.lab");
	assert_int_equal(cfg.sets[0].qtype, 16);
	assert_int_equal(cfg.sets[0].rd, 1);
	assert_int_equal(cfg.sets[0].do_mask, PROBE_DO_OFF);
}

static void test_hints_and_lab_guard(void **state)
{
	(void)state;
	static probe_targets_t t;
	const char *hints = ";  comment\n"
	                    ".                        3600000      NS    A.ROOT-SERVERS.NET.\n"
	                    "A.ROOT-SERVERS.NET.      3600000      A     192.0.2.4\n"
	                    "A.ROOT-SERVERS.NET.      3600000      AAAA  2001:db8::2:30\n"
	                    "B.ROOT-SERVERS.NET. A 198.51.100.2 ; trailing comment\n";
	memset(&t, 0, sizeof t);
	assert_int_equal(targets_hints_parse(hints, strlen(hints), PROBE_FAM_4 | PROBE_FAM_6, &t, err, sizeof err), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.t[0].name, "A.ROOT-SERVERS.NET.");
	assert_string_equal(t.t[1].text, "2001:db8::2:30");
	memset(&t, 0, sizeof t);
	assert_int_equal(targets_hints_parse(hints, strlen(hints), PROBE_FAM_6, &t, err, sizeof err), 0);
	assert_int_equal(t.n, 1);
	memset(&t, 0, sizeof t);
	assert_int_equal(targets_hints_parse("X. A 2001:db8::1\n", 17, PROBE_FAM_4, &t, err, sizeof err), -1);

	probe_target_t a;
	const char *lab[] = { "192.0.2.1", "198.51.100.255", "203.0.113.9", "127.0.0.1", "2001:db8:4::2", "::1" };
	const char *not_lab[] = { "9.9.9.9", "192.0.3.1", "198.51.101.1", "2001:db9::1", "fe80::1", "198.41.0.4" };
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(targets_addr_parse(lab[i], &a), 0);
		assert_true(targets_addr_is_lab(&a.addr));
		assert_int_equal(targets_addr_parse(not_lab[i], &a), 0);
		assert_false(targets_addr_is_lab(&a.addr));
	}
	memset(&t, 0, sizeof t);
	assert_int_equal(targets_addr_parse("9.9.9.9", &t.t[0]), 0);
	t.n = 1;
	setenv("DNSFRAG_LAB", "1", 1);
	assert_int_equal(targets_lab_check(&t, err, sizeof err), -1);
	assert_non_null(strstr(err, "refusing 9.9.9.9"));
	unsetenv("DNSFRAG_LAB");
	assert_int_equal(targets_lab_check(&t, err, sizeof err), 0);
	assert_int_equal(targets_addr_parse("dns.example", &a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sections_inherit),
		cmocka_unit_test(test_flag_overrides),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_oarc_needs_zone_and_server),
		cmocka_unit_test(test_hints_and_lab_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
