/* core/format/percent: the secret form of percent-encoding writes exactly what libcurl's
 * curl_easy_escape writes, for every byte; neither writes past a short buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/format/percent.h"

static void test_secret_form_equals_libcurl_for_every_byte(void **state)
{
	(void)state;
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char a[800], b[800];
	assert_int_equal(percent_escape((const char *)all, sizeof all, a, sizeof a), 0);
	assert_int_equal(percent_escape_secret(all, sizeof all, b, sizeof b), (long)strlen(a));
	assert_string_equal(a, b);
	/* Unreserved kept, the rest %XX in upper case (RFC 3986 sections 2.1 and 2.3). */
	assert_int_equal(strncmp(a, "%00%01", 6), 0);
	assert_non_null(strstr(a, "%2F0123456789%3A"));
	assert_non_null(strstr(a, "-.%2F"));
	assert_non_null(strstr(a, "Z%5B%5C%5D%5E_%60a"));
	assert_non_null(strstr(a, "z%7B%7C%7D~%7F"));
	assert_int_equal(percent_escape("p@ss word", 9, a, sizeof a), 0);
	assert_string_equal(a, "p%40ss%20word");
}

static void test_short_buffer_refused(void **state)
{
	(void)state;
	char out[6];
	memset(out, 'X', sizeof out);
	assert_int_equal(percent_escape("a b", 3, out, 5), -1);   /* "a%20b" needs 6 */
	assert_int_equal(out[5], 'X');
	assert_int_equal(percent_escape_secret((const unsigned char *)"a b", 3, out, 5), -1);
	assert_int_equal(out[5], 'X');
	assert_int_equal(percent_escape("a b", 3, out, 6), 0);
	assert_string_equal(out, "a%20b");
	/* A length of 0 is the empty string, not "up to the NUL". */
	assert_int_equal(percent_escape("abc", 0, out, sizeof out), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_form_equals_libcurl_for_every_byte),
		cmocka_unit_test(test_short_buffer_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
