/* The log never carries a registered secret, and keeps one line per message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/log.h"
#include "secrets/vault.h"
#include "testutil.h"

static void test_log_masks_registered_secrets(void **state)
{
	(void)state;
	char *dir = test_mkdtemp("log");
	char path[4200];
	snprintf(path, sizeof path, "%s/wizard.log", dir);
	assert_int_equal(log_open(path), 0);
	log_redact("hunter22-secret", 15);
	log_redact("abc", 3);   /* too short to mask without eating ordinary words */
	log_msg(LOG_INFO, "password is %s and again %s", "hunter22-secret", "hunter22-secret");
	log_msg(LOG_WARN, "two\nlines");
	/* A subscription name from Azure with a terminal title escape and a C1 CSI. */
	log_msg(LOG_INFO, "subscription %s", "evil\x1b]0;pwned\x07 \xc2\x9b" "2J \x9b" "2J end");
	log_close();
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[4096] = {0};
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	assert_null(strstr(buf, "hunter22"));
	assert_non_null(strstr(buf, "password is <redacted> and again <redacted>"));
	assert_non_null(strstr(buf, "WARN  two\\x0alines\n"));
	assert_non_null(strstr(buf, "subscription evil\\x1b]0;pwned\\x07 \\u009b2J \\x9b2J end\n"));
	for (size_t i = 0; i < n; i++)
		assert_true(buf[i] == '\n' || ((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f &&
		                                 (unsigned char)buf[i] < 0x80));
	char out[64];
	log_scrub("xx hunter22-secret yy", out, sizeof out);
	assert_string_equal(out, "xx <redacted> yy");
	log_redact_clear();
	test_rmrf(dir);
	free(dir);
}

int main(void)
{
	if (vault_process_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_masks_registered_secrets),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
