/* tests/unit/test_engine_wait.c: long waits on the test graph (tests/unit/engine_table.h)
 * against the fake cloud: Azure's own provisioningState in the action's progress, the
 * deadline that stops waiting but keeps the operation, and a resume that finishes it without
 * a second PUT while its clock counts from the operation's first start (doc/azure-waits.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/engine_cases.h"

/* slow.net takes 7 s; everything else is over at the first poll (1 s). */
#define SCRIPT_SLOW_CLUSTER                                                                        \
	"{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 1, "                     \
	"\"lro_seconds_by_type\": {\"virtualNetworks\": 7, \"publicIPAddresses\": 0.5}}"

struct seen {
	char progress[2048];     /* slow.net's progress details, "|"-separated */
	char infos[4096];        /* its info lines */
	double end_seconds;      /* its ACTION_END seconds; -1 before */
	int ok;
};

static void on_cluster_event(const struct engine_event *ev, struct et_run *r)
{
	struct seen *s = r->data;
	if (!ev->action || strcmp(ev->action, "slow.net") != 0)
		return;
	char *buf = ev->kind == ENGINE_EV_ACTION_PROGRESS ? s->progress : ev->kind == ENGINE_EV_INFO ? s->infos : NULL;
	size_t len = ev->kind == ENGINE_EV_ACTION_PROGRESS ? sizeof s->progress : sizeof s->infos;
	if (buf) {
		size_t o = strlen(buf);
		snprintf(buf + o, len - o, "%s|", ev->kind == ENGINE_EV_INFO ? ev->text : ev->detail);
	}
	if (ev->kind == ENGINE_EV_ACTION_END) {
		s->end_seconds = ev->seconds;
		s->ok = ev->ok;
	}
}

static void attach(struct et_run *r, struct seen *s, long deadline_ms)
{
	char err[512];
	memset(s, 0, sizeof *s);
	s->end_seconds = -1;
	r->lro_deadline_ms = deadline_ms;
	r->also = on_cluster_event;
	r->data = s;
	if (et_run_attach(r, err, sizeof err) != 0)
		fail_msg("%s", err);
}

/* Runs the install with a 2.5 s deadline: the network (7 s) stops waiting, its operation
 * kept. Returns the fake's time of the network's PUT on loop_now_ms()'s clock. */
static double stop_at_the_deadline(struct et_run *r, struct seen *s, const char *cluster)
{
	attach(r, s, 2500);
	assert_int_equal(et_run_all(r), -1);
	assert_non_null(strstr(s->progress, "Azure says Creating|"));
	assert_non_null(strstr(s->infos, "Azure says Creating|"));   /* the log and run's output too */
	assert_int_equal(s->ok, 0);
	const char *error = et_action_str(r->st, "slow.net", "error");
	assert_non_null(error);
	assert_non_null(strstr(error, "still working on it after 3 s (provisioningState Creating); stopped waiting"));
	assert_non_null(strstr(error, "/operations/"));
	/* The summary says what it waits for and how to go on. */
	assert_non_null(strstr(r->finished, "slow.net failed: "));
	assert_non_null(strstr(r->finished, "kept and polled again when the install starts again"));
	const cJSON *rec = et_resource_rec(r->st, cluster);
	assert_non_null(strstr(et_str(rec, "operation"), "/operations/"));
	assert_string_equal(et_str(rec, "op_state"), "Creating");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rec, "op_started")));
	cJSON *reqs = requests();
	double first_put = et_first_ms(reqs, "PUT", cluster);
	assert_true(first_put > 0);
	cJSON_Delete(reqs);
	et_run_detach(r);
	return first_put;
}

static long long until_ms;

static int cluster_running(struct et_run *r)
{
	struct engine_action_view v;
	for (size_t i = 0; i < engine_action_count(r->e); i++)
		if (engine_action_at(r->e, i, &v) == 0 && strcmp(v.key, "slow.net") == 0)
			return v.state == ACT_RUNNING;
	return 0;
}

static int clock_passed(struct et_run *r)
{
	(void)r;
	return loop_now_ms() >= until_ms;
}

static void cluster_view(struct et_run *r, struct engine_action_view *v)
{
	for (size_t i = 0; i < engine_action_count(r->e); i++)
		if (engine_action_at(r->e, i, v) == 0 && strcmp(v->key, "slow.net") == 0)
			return;
	fail_msg("no slow.net action");
}

static void test_deadline_keeps_the_operation_and_a_resume_finishes_it_from_its_first_start(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_SLOW_CLUSTER);
	struct et_run r;
	struct seen s;
	char cluster[512];
	run_open(&r, "eng-wait", 1);
	plan_id(&r, "slow.net", cluster, sizeof cluster);
	et_run_detach(&r);
	double first_put = stop_at_the_deadline(&r, &s, cluster);

	/* The next start polls the kept operation to its end: no second PUT, and the clock
	 * counts from the first start (7 s), not from this run's (about 4.5 s). */
	attach(&r, &s, 0);
	/* What is left shrinks while the network runs (its usual 7 min less what it spent). */
	char err[512];
	assert_int_equal(et_run_start(&r, err, sizeof err), 0);
	assert_true(et_run_until(&r, cluster_running));
	struct engine_summary s1, s2;
	engine_summary(r.e, &s1);
	until_ms = loop_now_ms() + 1500;
	assert_true(et_run_until(&r, clock_passed));
	engine_summary(r.e, &s2);
	print_message("left: %.1f s, then %.1f s\n", s1.expected_s, s2.expected_s);
	assert_true(s2.running >= 1 && s1.expected_s - s2.expected_s >= 1.0);
	assert_int_equal(engine_run(r.e), 0);
	assert_int_equal(s.ok, 1);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	assert_all_done(&r);
	cJSON_Delete(reqs);
	struct engine_action_view v;
	cluster_view(&r, &v);
	print_message("first PUT at %.0f, the resumed action's start at %lld, its end at %lld (%.1f s)\n", first_put,
	              v.started_ms, v.finished_ms, s.end_seconds);
	assert_true((double)v.started_ms <= first_put + 500);   /* the operation was recorded right after the PUT */
	assert_true(s.end_seconds * 1000 >= (double)v.finished_ms - first_put - 500);
	assert_true(s.end_seconds >= 6.0);
	et_run_close(&r);
}

/* Azure has been at it for 8.5 minutes when the install starts again: the action says at
 * once that it takes longer than the usual 7, with Azure's last word. */
static void test_a_late_resume_says_longer_than_usual_with_azures_last_state(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_SLOW_CLUSTER);
	struct et_run r;
	struct seen s;
	char cluster[512], err[512];
	run_open(&r, "eng-late", 1);
	plan_id(&r, "slow.net", cluster, sizeof cluster);
	et_run_detach(&r);
	stop_at_the_deadline(&r, &s, cluster);

	struct state *st;
	assert_int_equal(state_load(r.dir, "default", &st, err, sizeof err), STATE_OK);
	cJSON *rec = et_resource_rec(st, cluster);
	double first = cJSON_GetObjectItemCaseSensitive(rec, "op_started")->valuedouble;
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "op_started", cJSON_CreateNumber(first - 510000));
	assert_int_equal(state_save(r.dir, st, err, sizeof err), STATE_OK);
	state_free(st);

	attach(&r, &s, 0);
	assert_int_equal(et_run_all(&r), 0);
	print_message("%s\n", s.infos);
	assert_non_null(strstr(s.infos, "longer than usual (usually 7 min, 8 min so far); Azure says Creating"));
	assert_true(s.end_seconds >= 510);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

int main(void)
{
	ec_use_table();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline_keeps_the_operation_and_a_resume_finishes_it_from_its_first_start),
		cmocka_unit_test(test_a_late_resume_says_longer_than_usual_with_azures_last_state),
	};
	return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
