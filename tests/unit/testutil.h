/* tests/unit/testutil.h: small helpers shared by the cmocka tests (header-only). */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh directory under $TEST_TMP (or /tmp); caller frees. */
static inline char *test_mkdtemp(const char *tag)
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

static inline void test_rmrf(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
