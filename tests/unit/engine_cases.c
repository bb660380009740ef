/* tests/unit/engine_cases.c: the engine tests' fake, table, profiles and assertions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/sys/log.h"
#include "tests/unit/engine_cases.h"
#include "tests/unit/engine_table.h"
#include "tests/unit/testutil.h"

struct fakecloud ec_fake;
const struct step_table *const ec_table = &engine_table;
static char *top;

void ec_use_table(void)
{
	char why[256];
	if (step_table_use(ec_table, why, sizeof why) != 0) {
		fprintf(stderr, "step_table_use: %s\n", why);
		abort();
	}
}

void run_open(struct et_run *r, const char *tag, int decision)
{
	char err[512];
	if (et_run_open(r, &ec_fake, ec_table, tag, decision, err, sizeof err) != 0)
		fail_msg("%s", err);
}

cJSON *requests(void)
{
	cJSON *j = fakecloud_requests(&ec_fake);
	assert_non_null(j);
	assert_true(cJSON_GetArraySize(j) > 0);
	return j;
}

void assert_plan_put_once(const struct et_run *r, const cJSON *reqs)
{
	char why[1024];
	if (et_check_plan_put_once(r, reqs, why, sizeof why) != 0)
		fail_msg("%s", why);
}

void assert_all_done(const struct et_run *r)
{
	char why[1024];
	if (et_check_all_done(r, why, sizeof why) != 0)
		fail_msg("%s", why);
}

void plan_id(const struct et_run *r, const char *key, char *out, size_t outlen)
{
	et_plan_id(r->table, &r->ans, key, out, outlen);
	assert_true(out[0] != '\0');
}

int engine_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	top = test_mkdtemp("engine");
	char log[4200];
	snprintf(log, sizeof log, "%s/wizard.log", top);
	log_open(log);
	return fakecloud_start(&ec_fake, top);
}

int engine_teardown(void **state)
{
	(void)state;
	fakecloud_stop(&ec_fake);
	log_close();
	log_redact_clear();
	test_rmrf(top);
	free(top);
	return 0;
}
