/* tests/unit/engine_cases.h: what test_engine.c and test_engine_resume.c share (after cmocka.h):
 * the fake, a profile per case, assertions over the run and its requests, setup and teardown. */
#ifndef SW_ENGINE_CASES_H
#define SW_ENGINE_CASES_H

#include <sodium.h>

#include "core/sys/log.h"
#include "tests/unit/engine_run.h"

#define SUB "00000000-0000-0000-0000-000000000000"
/* slow.net the longest (3 s); the public IPs 1 s; everything else 0.3 s. */
#define SCRIPT_TIMED(extra)                                                                        \
	"{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 0, "                     \
	"\"lro_seconds_by_type\": {\"virtualNetworks\": 3, \"publicIPAddresses\": 1}" extra "}"

static struct fakecloud fake;
static char *top;

/* A fresh profile and engine on the fake; the test fails when it cannot be made. */
static void run_open(struct et_run *r, const char *tag, int decision)
{
	char err[512];
	if (et_run_open(r, &fake, tag, decision, err, sizeof err) != 0)
		fail_msg("%s", err);
}

/* The fake's request log; fails the test when it cannot be read or is empty. */
static cJSON *requests(void)
{
	cJSON *j = fakecloud_requests(&fake);
	assert_non_null(j);
	assert_true(cJSON_GetArraySize(j) > 0);
	return j;
}

static void assert_plan_put_once(const struct et_run *r, const cJSON *reqs)
{
	char why[1024];
	if (et_check_plan_put_once(r, reqs, why, sizeof why) != 0)
		fail_msg("%s", why);
}

static void assert_all_done(const struct et_run *r)
{
	char why[1024];
	if (et_check_all_done(r, why, sizeof why) != 0)
		fail_msg("%s", why);
}

static void plan_id(const struct et_run *r, const char *key, char *out, size_t outlen)
{
	et_plan_id(&r->ans, key, out, outlen);
	assert_true(out[0] != '\0');
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	top = test_mkdtemp("engine");
	char log[4200];
	snprintf(log, sizeof log, "%s/wizard.log", top);
	log_open(log);
	return fakecloud_start(&fake, top);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	log_close();
	log_redact_clear();
	test_rmrf(top);
	free(top);
	return 0;

#endif
