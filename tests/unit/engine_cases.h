/* tests/unit/engine_cases.h: what test_engine.c, test_engine_resume.c and test_engine_wait.c
 * share (tests/unit/engine_cases.c, after cmocka.h): the fake, the table they run
 * (tests/unit/engine_table.h), a profile per case, assertions over the run and its requests,
 * setup and teardown. */
#ifndef SW_ENGINE_CASES_H
#define SW_ENGINE_CASES_H

#include "tests/unit/engine_run.h"

#define SUB "00000000-0000-0000-0000-000000000000"
/* slow.net the longest (3 s); the public IPs 1 s; everything else 0.3 s. */
#define SCRIPT_TIMED(extra)                                                                        \
	"{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 0, "                     \
	"\"lro_seconds_by_type\": {\"virtualNetworks\": 3, \"publicIPAddresses\": 1}" extra "}"

extern struct fakecloud ec_fake;
extern const struct step_table *const ec_table;

/* The graph's steps and questions handed to core/model (instead of the install's). */
void ec_use_table(void);
/* A fresh profile and engine on the fake; the test fails when it cannot be made. */
void run_open(struct et_run *r, const char *tag, int decision);
/* The fake's request log; fails the test when it cannot be read or is empty. */
cJSON *requests(void);
void assert_plan_put_once(const struct et_run *r, const cJSON *reqs);
void assert_all_done(const struct et_run *r);
/* The resource id the plan gives the action key; fails the test when it has none. */
void plan_id(const struct et_run *r, const char *key, char *out, size_t outlen);

/* cmocka group setup and teardown: the fake, a HOME with a key, the log. */
int engine_setup(void **state);
int engine_teardown(void **state);

#endif
