/* shquote: the one quoting function between a value and a shell on a VM. Each value is
 * handed to a real /bin/sh and must come back byte for byte, with nothing run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/format/shquote.h"

/* The tests run in a fresh directory of their own: each injection would make ./PWNED there. */
static const char *const nasty[] = {
	"00000000-0000-4000-8000-000000000000'; touch PWNED; : '",
	"a\"b$(touch PWNED)`touch PWNED`;touch PWNED|touch PWNED&&touch PWNED", "'", "''", "\\'",
	"$HOME ${HOME} $((1+1))", "*", "~", "-n", "", "http://x/$(touch${IFS}PWNED)", "\xc3\xa9t\xc3\xa9",
};

/* What sh prints for printf %s WORD; the marker's absence shows nothing ran. */
static void roundtrip(const char *value)
{
	char word[1024], cmd[1200], got[1024] = "";
	assert_int_equal(shquote(value, word, sizeof word), 0);
	snprintf(cmd, sizeof cmd, "printf %%s %s", word);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(got, 1, sizeof got - 1, p);
	got[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(got, value);
	assert_int_equal(access("PWNED", F_OK), -1);
}

static void test_shquote_values_reach_sh_as_one_literal_word(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++)
		roundtrip(nasty[i]);
}

static void test_shquote_refuses_control_characters_and_short_buffers(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(shquote("a\nid", out, sizeof out), -1);
	assert_int_equal(shquote("a\rb", out, sizeof out), -1);
	assert_int_equal(shquote("del\x7f", out, sizeof out), -1);
	assert_int_equal(shquote("abc", out, 5), -1);
	assert_int_equal(shquote("abc", out, 6), 0);
	assert_string_equal(out, "'abc'");
	assert_int_equal(shquote("it's", out, sizeof out), 0);
	assert_string_equal(out, "'it'\\''s'");
	/* A quote at the end: 'a'\''' is 7 bytes and its NUL. */
	assert_int_equal(shquote("a'", out, 7), -1);
	assert_int_equal(shquote("a'", out, 8), 0);
	assert_string_equal(out, "'a'\\'''");
}

static void test_shquote_script_assigns_then_runs_the_body(void **state)
{
	(void)state;
	const char *kv[] = {"P", nasty[0], "SRC", nasty[1], NULL};
	char *s = shquote_script(kv, "printf '%s|%s' \"$P\" \"$SRC\"\n");
	assert_non_null(s);
	FILE *p = popen(s, "r");
	assert_non_null(p);
	char got[512] = "", want[512];
	size_t n = fread(got, 1, sizeof got - 1, p);
	got[n] = '\0';
	assert_int_equal(pclose(p), 0);
	snprintf(want, sizeof want, "%s|%s", nasty[0], nasty[1]);
	assert_string_equal(got, want);
	assert_int_equal(access("PWNED", F_OK), -1);
	free(s);
	const char *bad_name[] = {"P;touch PWNED;X", "x", NULL};
	assert_null(shquote_script(bad_name, "true\n"));
	const char *bad_value[] = {"P", "a\ntouch PWNED", NULL};
	assert_null(shquote_script(bad_value, "true\n"));
	const char *none[] = {NULL};
	s = shquote_script(none, "true\n");
	assert_non_null(s);
	assert_string_equal(s, "true\n");
	free(s);
}

static int in_fresh_dir(void **state)
{
	(void)state;
	static char dir[] = "/tmp/test_shquote.XXXXXX";
	return mkdtemp(dir) && chdir(dir) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shquote_values_reach_sh_as_one_literal_word),
		cmocka_unit_test(test_shquote_refuses_control_characters_and_short_buffers),
		cmocka_unit_test(test_shquote_script_assigns_then_runs_the_body),
	};
	return cmocka_run_group_tests_name("shquote", tests, in_fresh_dir, NULL);
}
