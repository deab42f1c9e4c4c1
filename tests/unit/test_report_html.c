/* test_report_html.c - html_escape (html_kit.c) with hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html_kit.h"

static char *esc(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	html_escape(f, s);
	fclose(f);
	return buf;
}

static void check(const char *in, const char *want)
{
	char *got = esc(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_markup(void **state)
{
	(void)state;
	check("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	check("a\"b'c&d", "a&quot;b&#39;c&amp;d");
	check("&amp;", "&amp;amp;");
	check("", "");
}

static void test_bytes(void **state)
{
	(void)state;
	check("a\x01\x1f\x7f" "b", "a\\x01\\x1F\\x7Fb");   /* control bytes and DEL: visible */
	check("\xff\xfe", "\\xFF\\xFE");                   /* never valid UTF-8 */
	check("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");   /* valid UTF-8 passes */
	check("\xc3", "\\xC3");                            /* cut sequence */
	check("\xc0\xbc", "\\xC0\\xBC");                   /* overlong '<' */
	check("\xed\xa0\x80", "\\xED\\xA0\\x80");          /* surrogate */
	check("\xc2\x85", "\\xC2\\x85");                   /* C1 control */
	check("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");     /* 4-byte sequence */
	check("tab\there", "tab\\x09here");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
