/* tests/unit/testutil.c: small helpers shared by the cmocka tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/steps/steps.h"
#include "tests/unit/testutil.h"

char *test_mkdtemp(const char *tag)
{
	const char *base = getenv("TEST_TMP");
	char *path = malloc(4096);
	if (!path)
		abort();
	snprintf(path, 4096, "%s/%s.XXXXXX", base && *base ? base : "/tmp", tag);
	if (!mkdtemp(path))
		abort();
	return path;
}

void test_rmrf(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

char *test_home_with_ssh_key(const char *tag)
{
	char *home = test_mkdtemp(tag);
	char cmd[4500];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/.ssh' && ssh-keygen -q -t ed25519 -N '' -C t "
	         "-f '%s/.ssh/id_ed25519' >/dev/null", home, home);
	if (system(cmd) != 0) {
		free(home);
		return NULL;
	}
	setenv("HOME", home, 1);
	return home;
}

void test_data_path(const char *name, char *out, size_t outlen)
{
	const char *top = getenv("SW_TOP");
	snprintf(out, outlen, "%s/tests/data/%s", top ? top : ".", name);
}

void test_use_steps(void)
{
	char why[256];
	if (step_table_use(steps_table(), why, sizeof why) != 0) {
		fprintf(stderr, "step_table_use: %s\n", why);
		abort();
	}
}
