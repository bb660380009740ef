/* uniq_id must equal what the 2020 guide's shell line prints on this machine, so a
 * manual install and the wizard name resources the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model/md5.h"
#include "core/model/uniqid.h"
#include "tests/unit/testutil.h"

#define SUB "11111111-2222-3333-4444-555555555555"

static void test_md5_matches_rfc1321_vectors(void **s)
{
	(void)s;
	static const char *const v[][2] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		 "d174ab98d277d9f5a5611c2c9f419d9f"},
		{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		 "57edf4a22be3c955ac49da2e2107b67a"},
	};
	char hex[33];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		md5_hex(v[i][0], strlen(v[i][0]), hex);
		assert_string_equal(hex, v[i][1]);
	}
}

static void test_echo_joins_words_with_single_spaces(void **s)
{
	(void)s;
	char *t = uniqid_seed_text(SUB, "4:\teth0\n\tlink  33:33:00:00:00:01\n\tinet  224.0.0.1\n\n");
	assert_string_equal(t, SUB " 4: eth0 link 33:33:00:00:00:01 inet 224.0.0.1\n");
	free(t);
	t = uniqid_seed_text(SUB, "");
	assert_string_equal(t, SUB "\n");
	free(t);
	t = uniqid_seed_text("", "");
	assert_string_equal(t, "\n");
	free(t);
}

/* Runs the guide's line with bash, unchanged but for the subscription and device. */
static void shell_uniqid(const char *sub, const char *dev, char out[UNIQID_LEN + 1])
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "bash -c 'subscription_id=%s; "
	         "md5sum <(echo $subscription_id $(ip maddress show %s)) | cut -f1 -d\\  | cut -c1-8' "
	         "2>/dev/null",
	         sub, dev);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[64] = "";
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(pclose(p), 0);
	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(strlen(line), UNIQID_LEN);
	memcpy(out, line, UNIQID_LEN + 1);
}

static void test_uniq_id_equals_the_guides_shell_line_on_eth0(void **s)
{
	(void)s;
	char mine[UNIQID_LEN + 1], shell[UNIQID_LEN + 1];
	assert_int_equal(uniqid_derive(SUB, NULL, mine), 0);
	shell_uniqid(SUB, "eth0", shell);
	assert_string_equal(mine, shell);
}

static void test_uniq_id_equals_shell_when_the_device_is_missing(void **s)
{
	(void)s;
	char mine[UNIQID_LEN + 1], shell[UNIQID_LEN + 1], bare[UNIQID_LEN + 1];
	assert_int_equal(uniqid_derive(SUB, "swnosuchif0", mine), 0);
	shell_uniqid(SUB, "swnosuchif0", shell);
	assert_string_equal(mine, shell);
	/* Nothing but the subscription was hashed. */
	assert_int_equal(uniqid_from_output(SUB, "", bare), 0);
	assert_string_equal(mine, bare);
}

/* A host without iproute2: both sides hash the subscription alone. */
static void test_uniq_id_equals_shell_when_ip_is_not_installed(void **s)
{
	(void)s;
	char *dir = test_mkdtemp("noip");
	static const char *const tools[] = {"bash", "md5sum", "cut"};
	char cmd[4400];
	for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
		snprintf(cmd, sizeof cmd, "ln -s \"$(command -v %s)\" '%s/%s'", tools[i], dir, tools[i]);
		assert_int_equal(system(cmd), 0);
	}
	char *old = strdup(getenv("PATH"));
	setenv("PATH", dir, 1);
	char mine[UNIQID_LEN + 1], shell[UNIQID_LEN + 1], bare[UNIQID_LEN + 1];
	int rc = uniqid_derive(SUB, NULL, mine);
	shell_uniqid(SUB, "eth0", shell);
	setenv("PATH", old, 1);
	free(old);
	assert_int_equal(rc, 0);
	assert_string_equal(mine, shell);
	assert_int_equal(uniqid_from_output(SUB, "", bare), 0);
	assert_string_equal(mine, bare);
	test_rmrf(dir);
	free(dir);
}

/* `ip` gets stdin, stdout and stderr only, not a descriptor the wizard holds. */
static void test_ip_child_inherits_no_descriptors(void **s)
{
	(void)s;
	char *dir = test_mkdtemp("fdip");
	char path[4200], report[4200];
	snprintf(path, sizeof path, "%s/ip", dir);
	snprintf(report, sizeof report, "%s/fds", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* Its environment is only LC_ALL=C: the report goes beside the script. */
	fprintf(f, "#!/usr/bin/python3\n"
	           "import os, sys\n"
	           "fds = []\n"
	           "for n in os.listdir('/proc/self/fd'):\n"
	           "    try:\n"
	           "        os.fstat(int(n)); fds += [n] if int(n) > 2 else []\n"
	           "    except OSError:\n"
	           "        pass\n"
	           "open(os.path.join(os.path.dirname(sys.argv[0]), 'fds'), 'w').write(' '.join(fds) or 'none')\n"
	           "print('1: eth0')\n");
	fclose(f);
	assert_int_equal(chmod(path, 0700), 0);
	int leak = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC */
	assert_true(leak > 2);
	assert_int_equal(dup2(leak, 201), 201);
	char *old = strdup(getenv("PATH"));
	setenv("PATH", dir, 1);
	char id[UNIQID_LEN + 1];
	int rc = uniqid_derive(SUB, NULL, id);
	setenv("PATH", old, 1);
	free(old);
	close(leak);
	close(201);
	assert_int_equal(rc, 0);
	char got[256] = "";
	f = fopen(report, "r");
	assert_non_null(f);   /* the fake ran and looked */
	assert_non_null(fgets(got, sizeof got, f));
	fclose(f);
	assert_string_equal(got, "none");
	test_rmrf(dir);
	free(dir);
}

static void test_uniq_id_differs_per_subscription(void **s)
{
	(void)s;
	char a[UNIQID_LEN + 1], b[UNIQID_LEN + 1];
	assert_int_equal(uniqid_derive(SUB, NULL, a), 0);
	assert_int_equal(uniqid_derive("99999999-2222-3333-4444-555555555555", NULL, b), 0);
	assert_string_not_equal(a, b);
	for (int i = 0; i < UNIQID_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_matches_rfc1321_vectors),
		cmocka_unit_test(test_echo_joins_words_with_single_spaces),
		cmocka_unit_test(test_uniq_id_equals_the_guides_shell_line_on_eth0),
		cmocka_unit_test(test_uniq_id_equals_shell_when_the_device_is_missing),
		cmocka_unit_test(test_uniq_id_equals_shell_when_ip_is_not_installed),
		cmocka_unit_test(test_uniq_id_differs_per_subscription),
		cmocka_unit_test(test_ip_child_inherits_no_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
