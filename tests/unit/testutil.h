/* tests/unit/testutil.h: small helpers shared by the cmocka tests (tests/unit/testutil.c). */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <stddef.h>

#include "core/steps/steps.h"

/* A fresh directory under $TEST_TMP (or /tmp); caller frees. */
char *test_mkdtemp(const char *tag);
/* The install's steps handed to core/model, as cli_main does: before any answers or state. */
void test_use_steps(void);

void test_rmrf(const char *dir);

/* A fresh HOME holding ~/.ssh/id_ed25519(.pub), the key the answers examples name; HOME is
 * set to it. Caller frees (and test_rmrf's) it. NULL when ssh-keygen fails. */
char *test_home_with_ssh_key(const char *tag);

/* $SW_TOP/tests/data/<name> into out. */
void test_data_path(const char *name, char *out, size_t outlen);

#endif
