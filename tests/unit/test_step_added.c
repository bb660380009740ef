/* tests/unit/test_step_added.c: a step is one record. A throwaway seventh step, defined here
 * and nowhere else, joins the six real ones in a table; everything that names steps or their
 * questions follows from the table: the answers file takes its question (and refuses a typo
 * in it), `plan` lists its action with its default expanded, --until knows it, the help and
 * `status` (the text overview) show it, the state keeps its status by its key, and the engine
 * refuses a table other than the one the state and answers are indexed by. */
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

#include "cli/cli.h"
#include "cli/plan.h"
#include "cli/status.h"
#include "core/engine/describe.h"
#include "core/engine/engine.h"
#include "core/model/answers.h"
#include "core/model/state.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "core/sys/exitcode.h"
#include "tests/unit/testutil.h"

/* ---- the seventh step: its file would be core/steps/probe.c ---- */

static void probe_start(struct act *a)
{
	act_done(a, "said %s", act_answer(a, "probe.greeting"));
}

static const struct plan_question probe_questions[] = {
	{.key = "probe.greeting", .label = "Greeting", .def_kind = PLAN_DEF_TEMPLATE, .def = "hello-{uniq_id}",
	 .validate = validate_dns_prefix, .help = "What the probe says once the overlay is up."},
};
static const struct action_def probe_actions[] = {
	{.key = "probe.say", .text = "say {probe.greeting} to the runners", .after = {"overlay"}, .kind = ACTION_TASK,
	 .expect_s = 1, .start = probe_start},
};
static const struct plan_secret probe_secrets[] = {
	{"probe-token", VAULT_KIND_TOKEN, "the probe's token", NULL, "the probe's greeting"},
};
static const struct step_def step_probe = {
	.plan = {.key = "probe", .title = "Probe the runners", .questions = probe_questions, .nquestions = 1},
	.actions = probe_actions, .nactions = 1, .secrets = probe_secrets, .nsecrets = 1,
};

/* ---- the table: the six real steps, then the probe ---- */

static const struct step_def *steps[7];
static struct step_table table = {steps, 7};
static char answers_path[4200];
static char *dir;

static int setup(void **s)
{
	(void)s;
	const struct step_table *install = steps_table();
	assert_int_equal(install->nsteps, 6);
	for (size_t i = 0; i < 6; i++)
		steps[i] = install->steps[i];
	steps[6] = &step_probe;
	char why[256];
	if (step_table_use(&table, why, sizeof why) != 0) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	dir = test_mkdtemp("step-added");
	snprintf(answers_path, sizeof answers_path, "%s/a.json", dir);
	FILE *f = fopen(answers_path, "w");
	if (!f)
		return -1;
	fputs("{\"subscription\": \"11111111-2222-3333-4444-555555555555\", \"uniq_id\": \"1a2b3c4d\", "
	      "\"rabbitmq\": {\"ssh_public_key_file\": \"\"}}", f);
	return fclose(f);
}

static int teardown(void **s)
{
	(void)s;
	test_rmrf(dir);
	free(dir);
	return 0;
}

static void test_the_answers_take_its_question(void **s)
{
	(void)s;
	struct answers a;
	char err[512];
	answers_init(&a);
	assert_int_equal(answers_load(&a, answers_path, err, sizeof err), ANSWERS_OK);
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("probe.greeting")), "hello-1a2b3c4d");
	assert_int_equal(plan_question_step(plan_q("probe.greeting")), 6);
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\"probe\": {\"greeting\": \"-bad-\"}}", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "probe.greeting: "));
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\"probe\": {\"greting\": \"hi\"}}", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "probe.greting"));
	answers_free(&a);
}

static void test_plan_lists_it_last(void **s)
{
	(void)s;
	char *out = NULL, *err = NULL;
	size_t on = 0, en = 0;
	FILE *fo = open_memstream(&out, &on), *fe = open_memstream(&err, &en);
	int code = plan_cmd(&table, answers_path, 0, fo, fe);
	fclose(fo);
	fclose(fe);
	assert_int_equal(code, SW_EXIT_OK);
	assert_string_equal(err, "");
	const char *seventh = strstr(out, "\n7. probe: Probe the runners\n");
	if (!seventh)
		fail_msg("plan lacks the seventh step:\n%s", out);
	assert_true(strstr(out, "6. overlay: ") < seventh);
	assert_non_null(strstr(seventh, "   - say hello-1a2b3c4d to the runners\n"));
	assert_non_null(strstr(out, "<sealed:probe-token> token, the probe's token (probe)"));
	free(out);
	free(err);
}

/* cli_main's code and what it wrote to stderr, for argv. */
static int cli_stderr(char **argv, int argc, char *text, size_t len)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/stderr", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved = dup(2);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	int code = cli_main(argc, argv, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, len - 1, f);
	text[n] = '\0';
	fclose(f);
	return code;
}

static void test_until_and_help_know_it(void **s)
{
	(void)s;
	char text[4096], state_dir[4300];
	snprintf(state_dir, sizeof state_dir, "%s/profile", dir);
	char *bad[] = {"studio-wizard", "--state-dir", state_dir, "--until", "prob", NULL};
	assert_int_equal(cli_stderr(bad, 5, text, sizeof text), SW_EXIT_USAGE);
	assert_non_null(strstr(text, "--until: unknown step 'prob' (subscription, rabbitmq, minio, acr, aks, overlay, probe)"));
	/* A known step passes the check; with no command and no wizard the usage follows. */
	char *good[] = {"studio-wizard", "--state-dir", state_dir, "--until", "probe", NULL};
	assert_int_equal(cli_stderr(good, 5, text, sizeof text), SW_EXIT_USAGE);
	assert_null(strstr(text, "unknown step"));
	assert_non_null(strstr(text, "STEP: subscription, rabbitmq, minio, acr, aks, overlay, probe\n"));
	assert_int_equal(plan_step_parse("probe"), 6);
}

static void test_status_and_the_state_show_it(void **s)
{
	(void)s;
	char err[512];
	struct state *st;
	char sdir[4300];
	snprintf(sdir, sizeof sdir, "%s/state", dir);
	assert_int_equal(mkdir(sdir, 0700), 0);
	assert_int_equal(state_load(sdir, "default", &st, err, sizeof err), STATE_OK);
	state_step_set(st, 6, STEP_FAILED, "the runners did not answer");
	assert_int_equal(state_save(sdir, st, err, sizeof err), STATE_OK);
	state_free(st);
	assert_int_equal(state_load(sdir, "default", &st, err, sizeof err), STATE_OK);
	assert_int_equal(st->steps[6].status, STEP_FAILED);
	char *json = state_to_json(st);
	assert_non_null(strstr(json, "\"step\":\t\"probe\""));
	free(json);

	struct profile p;
	assert_int_equal(profile_resolve(&p, "default", sdir, err, sizeof err), 0);
	char *out = NULL;
	size_t on = 0;
	FILE *f = open_memstream(&out, &on);
	assert_int_equal(status_print(&table, &p, st, f), SW_EXIT_OK);
	fclose(f);
	if (!strstr(out, "\n7   probe          failed") || !strstr(out, "Probe the runners: the runners did not answer"))
		fail_msg("status lacks the seventh step:\n%s", out);
	free(out);
	state_free(st);
}

/* The engine runs only the table the state and answers are indexed by. */
static void test_the_engine_refuses_another_table(void **s)
{
	(void)s;
	const struct step_def *other[] = {steps[0], steps[2]};
	struct step_table t = {other, 2};
	struct answers a;
	char err[256] = "";
	answers_init(&a);
	struct engine_config cfg = {.answers = &a, .table = &t};
	assert_null(engine_new(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "not (the start of) the steps in use"));
	answers_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_answers_take_its_question),
		cmocka_unit_test(test_plan_lists_it_last),
		cmocka_unit_test(test_until_and_help_know_it),
		cmocka_unit_test(test_status_and_the_state_show_it),
		cmocka_unit_test(test_the_engine_refuses_another_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
