/* text_safe: the one sanitizer for text from outside on its way to a terminal or the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/text.h"

static void expect_safe(const char *in, const char *want)
{
	char out[256];
	size_t n = text_safe(in, out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_text_escapes_c0_del(void **state)
{
	(void)state;
	expect_safe("sub \x1b]0;pwned\x07 name", "sub \\x1b]0;pwned\\x07 name");
	expect_safe("a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd");
	expect_safe("del\x7f", "del\\x7f");
	expect_safe("", "");
}

static void test_text_escapes_c1_both_forms(void **state)
{
	(void)state;
	/* U+009B (CSI) as UTF-8, and a raw 0x9b byte that is not UTF-8. */
	expect_safe("x\xc2\x9b" "31mred", "x\\u009b31mred");
	expect_safe("x\x9b" "31mred", "x\\x9b31mred");
	expect_safe("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
	/* Other invalid UTF-8: lone lead byte, overlong, surrogate, truncated sequence. */
	expect_safe("\xc0\xaf", "\\xc0\\xaf");
	expect_safe("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_safe("end\xe2\x82", "end\\xe2\\x82");
}

static void test_text_keeps_utf8(void **state)
{
	(void)state;
	expect_safe("Abonnement \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0",
	            "Abonnement \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");
	assert_int_equal(text_has_control("Pay-As-You-Go \xc3\xa9"), 0);
	assert_int_equal(text_has_control("a\x1b"), 1);
	assert_int_equal(text_has_control("a\xc2\x85"), 1);
	assert_int_equal(text_has_control("a\x85"), 1);
	assert_int_equal(text_has_control("a\t"), 1);
}

static void test_text_cuts_between_characters(void **state)
{
	(void)state;
	char out[6];
	/* "ab" fits, the escape for ESC (4 bytes) does not: nothing half-written. */
	assert_int_equal(text_safe("ab\x1b" "cd", out, sizeof out), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(text_safe("abcd\xe2\x82\xac", out, sizeof out), 4);
	assert_string_equal(out, "abcd");
	char one[1] = {'x'};
	assert_int_equal(text_safe("abc", one, 1), 0);
	assert_int_equal(one[0], '\0');
	char nul[32];
	text_safe_n("a\0b", 3, nul, sizeof nul);
	assert_string_equal(nul, "a\\x00b");
	char *dup = text_safe_dup("\x1b\x1b\x9b\xc2\x85");
	assert_string_equal(dup, "\\x1b\\x1b\\x9b\\u0085");
	free(dup);
	text_safe(NULL, nul, sizeof nul);
	assert_string_equal(nul, "");
}

static void expect_prefix(const char *prefix, const char *text, const char *want)
{
	char out[256];
	assert_int_equal(text_prefix(prefix, text, out, sizeof out), strlen(want));
	assert_string_equal(out, want);
}

static void test_text_prefix_is_not_repeated(void **state)
{
	(void)state;
	expect_prefix("sign-in", "sign-in: sign-in: device code sign-in: HTTP 400",
	              "device code sign-in: HTTP 400");
	expect_prefix("sign-in", "sign-in: device code sign-in refused (HTTP 401 x: y); check",
	              "device code sign-in refused (HTTP 401 x: y); check");
	expect_prefix("sign-in", "sign-in cancelled", "sign-in cancelled");
	expect_prefix("sign-in", "sign-in: az account get-access-token failed (exit 1: no)",
	              "sign-in: az account get-access-token failed (exit 1: no)");
	expect_prefix("sign-in", "out of memory", "sign-in: out of memory");
	expect_prefix("sign-in", "", "sign-in: ");
	char small[8];
	assert_int_equal(text_prefix("sign-in", "out of memory", small, sizeof small), 7);
	assert_string_equal(small, "sign-in");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes_c0_del),
		cmocka_unit_test(test_text_escapes_c1_both_forms),
		cmocka_unit_test(test_text_keeps_utf8),
		cmocka_unit_test(test_text_cuts_between_characters),
		cmocka_unit_test(test_text_prefix_is_not_repeated),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
