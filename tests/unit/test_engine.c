/* tests/unit/test_engine.c: the step engine on a small synthetic graph
 * (tests/unit/engine_table.h) against the strict fake cloud, signed in as a service
 * principal: every resource PUT once and exactly the plan's; independent work at the same
 * time; a failure stops only what depends on it; a PUT whose answer is lost; a question a
 * headless run cannot answer. Crashes, tampering and cancel: test_engine_resume.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "core/engine/describe.h"
#include "tests/unit/engine_cases.h"

/* ---- the whole install ---- */

static void test_install_puts_every_planned_resource_once(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_TIMED(""));
	struct et_run r;
	run_open(&r, "eng-a", 1);
	assert_int_equal(et_run_all(&r), 0);
	assert_int_equal(r.finished_seen, 1);
	assert_non_null(strstr(r.finished, "12 done, 0 failed, 0 not started"));   /* 4 of subscription, 8 */
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	char group[512];
	plan_id(&r, "front.group", group, sizeof group);
	assert_int_equal(et_count(reqs, "PUT", group), 1);   /* shared by front and back */
	assert_string_equal(et_action_str(r.st, "back.group", "detail"), "made by front.group");
	int puts = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		puts += strcmp(et_str(it, "method"), "PUT") == 0;
	}
	assert_int_equal(puts, 7);   /* 2 groups, 2 IPs, 2 NSGs, the network */
	assert_all_done(&r);
	/* One text per action: the install screen's line is the plan's, describe() included. */
	cJSON *plan = describe_plan_json(ec_table, &r.ans);
	const cJSON *js, *ja;
	int compared = 0;
	cJSON_ArrayForEach(js, cJSON_GetObjectItemCaseSensitive(plan, "steps"))
	{
		cJSON_ArrayForEach(ja, cJSON_GetObjectItemCaseSensitive(js, "actions"))
		{
			for (size_t i = 0; i < engine_action_count(r.e); i++) {
				struct engine_action_view v;
				if (engine_action_at(r.e, i, &v) == 0 && strcmp(v.key, et_str(ja, "key")) == 0) {
					assert_string_equal(v.text, et_str(ja, "text"));
					if (strcmp(v.key, "slow.nsg") == 0)
						assert_non_null(strstr(v.text, "(back's group is front's)"));
					compared++;
				}
			}
		}
	}
	assert_int_equal(compared, 12);
	cJSON_Delete(plan);
	/* What later steps read. */
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(r.st->outputs, "front.public_ip");
	assert_true(cJSON_IsString(ip) && strncmp(ip->valuestring, "127.0.0.", 8) == 0);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

static void test_independent_work_runs_at_once(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_TIMED(""));
	struct et_run r;
	run_open(&r, "eng-b", 1);
	assert_int_equal(et_run_all(&r), 0);
	cJSON *reqs = requests();
	char slow[512];
	plan_id(&r, "slow.net", slow, sizeof slow);
	double put = et_first_ms(reqs, "PUT", slow);
	assert_true(put > 0);
	double sub_end = 0;
	const char *subs[] = {"subscription.sign-in", "subscription.select", "subscription.providers",
	                      "subscription.permissions"};
	for (size_t i = 0; i < 4; i++) {
		double f = et_action_num(r.st, subs[i], "finished_ms");
		assert_true(f > 0);
		sub_end = f > sub_end ? f : sub_end;
	}
	double ip1 = et_action_num(r.st, "front.ip", "finished_ms"), ip2 = et_action_num(r.st, "back.ip", "finished_ms");
	double c = et_critical_path(ec_table, &r.ans, r.st, NULL, 0);
	double w = (double)(r.t1 - r.t0) / 1000.0;
	print_message("network PUT %.0f ms after the subscription step; IPs done %.0f and %.0f ms after it; wall %.2f s, "
	              "critical path %.2f s, ratio %.3f\n", put - sub_end, ip1 - put, ip2 - put, w, c, w / c);
	assert_true(put < ip1 && put < ip2);
	assert_true(put - sub_end < 1000);
	assert_true(c > 3.0);   /* the network alone takes 3 s */
	assert_true(w / c < 1.5);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- a failure stops only what depends on it ---- */

static void test_failure_stops_only_its_dependents(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_TIMED(", \"faults\": [{\"method\": \"PUT\", \"path\": \"/publicIPAddresses/back-ip\", "
	                                    "\"status\": 400, \"code\": \"InvalidParameter\", "
	                                    "\"message\": \"fakecloud refuses this address\"}]"));
	struct et_run r;
	run_open(&r, "eng-c", 1);
	assert_int_equal(et_run_all(&r), -1);
	assert_string_equal(et_action_str(r.st, "back.ip", "status"), "failed");
	assert_non_null(strstr(et_action_str(r.st, "back.ip", "error"), "fakecloud refuses this address"));
	assert_null(et_action_str(r.st, "slow.nsg", "status"));   /* never started */
	const char *done[] = {"front.ip", "front.nsg", "slow.net"};
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(et_action_str(r.st, done[i], "status"), "done");
	assert_non_null(strstr(r.finished, "10 done, 1 failed, 1 not started"));
	assert_non_null(strstr(r.finished, "back.ip failed: "));
	/* The root cause once, with what it blocks; no chain of "waits for" lines. */
	assert_non_null(strstr(r.finished, "; it blocks slow.nsg"));
	assert_null(strstr(r.finished, "waits for"));
	cJSON *reqs = requests();
	char id[512];
	plan_id(&r, "back.ip", id, sizeof id);
	assert_int_equal(et_count(reqs, "PUT", id), 1);
	plan_id(&r, "slow.net", id, sizeof id);
	assert_int_equal(et_count(reqs, "PUT", id), 1);
	plan_id(&r, "slow.nsg", id, sizeof id);
	assert_int_equal(et_count(reqs, "PUT", id), 0);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- the answer to a PUT lost after Azure took it ---- */

static void test_dropped_put_answer_is_looked_at_not_resent(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_TIMED(", \"faults\": [{\"method\": \"PUT\", \"path\": \"/publicIPAddresses/\", "
	                                    "\"times\": 1, \"action\": \"reset\"}]"));
	struct et_run r;
	run_open(&r, "eng-d", 1);
	assert_int_equal(et_run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	/* The IP whose answer was dropped: the first IP PUT the fake saw. */
	const char *dropped = NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		if (!dropped && strcmp(et_str(it, "method"), "PUT") == 0 && strcasestr(et_str(it, "path"), "/publicIPAddresses/"))
			dropped = et_str(it, "path");
	}
	assert_non_null(dropped);
	const char *key = et_str(et_resource_rec(r.st, dropped), "action");
	assert_true(*key);
	assert_string_equal(et_action_str(r.st, key, "status"), "done");
	/* It looked: a GET after the PUT besides the look before it. */
	assert_true(et_count(reqs, "GET", dropped) >= 2);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- an endpoint that accepts a PUT, refuses its own operation URL and keeps nothing ---- */

static int run_over(struct et_run *r)
{
	return engine_status(r->e) != 1;
}

static void test_accepted_put_that_never_appears_is_sent_a_few_times_then_fails(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, SCRIPT_TIMED(", \"faults\": [{\"method\": \"PUT\", \"path\": "
	                                    "\"/publicIPAddresses/front\", \"action\": \"accept_elsewhere\"}]"));
	struct et_run r;
	char err[512], ip[512];
	run_open(&r, "eng-storm", 1);
	et_run_detach(&r);
	r.poll_ms = 200;   /* the waits between the PUTs: 200, 400, 800 ms */
	if (et_run_attach(&r, err, sizeof err) != 0)
		fail_msg("%s", err);
	plan_id(&r, "front.ip", ip, sizeof ip);
	assert_int_equal(et_run_start(&r, err, sizeof err), 0);
	et_run_until(&r, run_over);   /* bounded: a storm never ends on its own */
	cJSON *reqs = requests();
	int puts = et_count(reqs, "PUT", ip);
	double first = -1, last = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		if (strcmp(et_str(it, "method"), "PUT") == 0 && strcasecmp(et_str(it, "path"), ip) == 0) {
			last = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "time")) * 1000.0;
			first = first < 0 ? last : first;
		}
	}
	print_message("%d PUTs of the IP over %.0f ms\n", puts, last - first);
	assert_int_equal(engine_status(r.e), -1);
	assert_int_equal(puts, 4);   /* the first and three more */
	assert_true(last - first >= 1400 - 100);   /* after waits of 200, 400 and 800 ms */
	const char *why = et_action_str(r.st, "front.ip", "error");
	assert_string_equal(et_action_str(r.st, "front.ip", "status"), "failed");
	if (!strstr(why, "sent 4 times") || !strstr(why, "https://elsewhere.invalid/operations/lost"))
		fail_msg("the failure should count the PUTs and name the refused URL, got: %s", why);
	assert_string_equal(et_action_str(r.st, "back.ip", "status"), "done");   /* the rest went on */
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- a question a headless run cannot answer ---- */

static void test_headless_question_names_the_answers_key(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, "{\"unregistered\": [\"Microsoft.Compute\"]}");
	struct et_run r;
	run_open(&r, "eng-g", 0);
	assert_int_equal(et_run_all(&r), -1);
	assert_string_equal(et_action_str(r.st, "subscription.providers", "status"), "failed");
	assert_non_null(strstr(et_action_str(r.st, "subscription.providers", "error"), "decisions.register_providers"));
	assert_non_null(strstr(r.finished, "decisions.register_providers"));
	cJSON *reqs = requests();
	assert_true(et_count(reqs, "GET", "/subscriptions/" SUB "/providers/Microsoft.Compute") >= 1);
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		assert_string_not_equal(et_str(it, "method"), "PUT");
		assert_null(strcasestr(et_str(it, "path"), "/register"));
	}
	cJSON_Delete(reqs);
	et_run_close(&r);
}

int main(void)
{
	ec_use_table();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_puts_every_planned_resource_once),
		cmocka_unit_test(test_independent_work_runs_at_once),
		cmocka_unit_test(test_failure_stops_only_its_dependents),
		cmocka_unit_test(test_dropped_put_answer_is_looked_at_not_resent),
		cmocka_unit_test(test_headless_question_names_the_answers_key),
		cmocka_unit_test(test_accepted_put_that_never_appears_is_sent_a_few_times_then_fails),
	};
	return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
