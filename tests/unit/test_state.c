/* The install state: round trip, refusal of newer schemas, named parse errors, resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/state.h"
#include "testutil.h"

static char err[1024];

static int setup(void **state)
{
	*state = test_mkdtemp("state");
	return 0;
}

static int teardown(void **state)
{
	test_rmrf(*state);
	free(*state);
	return 0;
}

static void test_state_missing_file_is_a_fresh_install(void **state)
{
	struct state *st = NULL;
	assert_int_equal(state_load(*state, "default", &st, err, sizeof err), STATE_OK);
	assert_int_equal(st->schema, STATE_SCHEMA);
	assert_int_equal(state_resume_step(st), plan_step_parse("subscription"));
	for (int i = 0; i < (int)plan_step_count(); i++)
		assert_int_equal(st->steps[i].status, STEP_PENDING);
	state_free(st);
}

static void test_state_round_trip_keeps_everything(void **state)
{
	struct state *st = NULL;
	assert_int_equal(state_load(*state, "prod", &st, err, sizeof err), STATE_OK);
	state_answer_set(st, "rabbitmq.vm_size", "Standard_A2_v2");
	state_answer_set(st, "location", "eastus");
	state_step_set(st, plan_step_parse("subscription"), STEP_DONE, NULL);
	st->steps[plan_step_parse("subscription")].confirmed = 1;
	st->steps[plan_step_parse("rabbitmq")].confirmed = 1;
	state_step_set(st, plan_step_parse("rabbitmq"), STEP_FAILED, "QuotaExceeded: raise the quota");
	cJSON *rec = cJSON_AddObjectToObject(st->resources, "/subscriptions/0000/resourcegroups/rg");
	cJSON_AddStringToObject(rec, "operation", "https://management.azure.com/op/1?api-version=x");
	cJSON_AddObjectToObject(st->actions, "minio.vm");
	cJSON_AddStringToObject(st->outputs, "rabbitmq.public_ip", "10.0.0.4");
	char iid[17];
	memcpy(iid, st->install_id, sizeof iid);
	cJSON_AddItemToArray(st->steps[plan_step_parse("rabbitmq")].secrets, cJSON_CreateString("rabbitmq-password"));
	st->vault_generation = 9;
	assert_int_equal(state_save(*state, st, err, sizeof err), STATE_OK);
	state_free(st);

	assert_int_equal(state_load(*state, "prod", &st, err, sizeof err), STATE_OK);
	assert_string_equal(state_answer_get(st, "rabbitmq.vm_size"), "Standard_A2_v2");
	assert_string_equal(state_answer_get(st, "location"), "eastus");
	assert_null(state_answer_get(st, "rabbitmq.nothing"));
	assert_int_equal(st->steps[plan_step_parse("subscription")].status, STEP_DONE);
	assert_true(st->steps[plan_step_parse("subscription")].finished > 0);
	assert_int_equal(st->steps[plan_step_parse("rabbitmq")].status, STEP_FAILED);
	assert_true(st->steps[plan_step_parse("rabbitmq")].confirmed);
	assert_false(st->steps[plan_step_parse("minio")].confirmed);
	assert_string_equal(st->steps[plan_step_parse("rabbitmq")].error, "QuotaExceeded: raise the quota");
	rec = cJSON_GetObjectItemCaseSensitive(st->resources, "/subscriptions/0000/resourcegroups/rg");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "operation")->valuestring,
	                    "https://management.azure.com/op/1?api-version=x");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(st->actions, "minio.vm"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(st->outputs, "rabbitmq.public_ip")->valuestring,
	                    "10.0.0.4");
	assert_string_equal(st->install_id, iid);
	assert_string_equal(cJSON_GetArrayItem(st->steps[plan_step_parse("rabbitmq")].secrets, 0)->valuestring,
	                    "rabbitmq-password");
	assert_int_equal(st->vault_generation, 9);
	assert_int_equal(state_resume_step(st), plan_step_parse("rabbitmq")); /* it failed */
	state_step_set(st, plan_step_parse("rabbitmq"), STEP_PENDING, NULL);
	assert_int_equal(state_resume_step(st), plan_step_parse("minio"));    /* its answers are not confirmed */
	st->steps[plan_step_parse("minio")].confirmed = st->steps[plan_step_parse("acr")].confirmed = 1;
	st->steps[plan_step_parse("aks")].confirmed = st->steps[plan_step_parse("overlay")].confirmed = 1;
	assert_int_equal(state_resume_step(st), plan_step_parse("rabbitmq")); /* all confirmed: first not done */
	state_free(st);

	char path[4200];
	snprintf(path, sizeof path, "%s/state.json", (char *)*state);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_state_newer_schema_is_refused_with_a_message(void **state)
{
	(void)state;
	struct state *st = NULL;
	assert_int_equal(state_from_json("{\"schema\": 99, \"steps\": []}", "default", &st, err,
	                                 sizeof err),
	                 STATE_E_NEWER);
	assert_null(st);
	assert_non_null(strstr(err, "schema 99 is newer"));
}

static void test_state_parse_errors_name_the_field(void **state)
{
	(void)state;
	struct state *st = NULL;
	assert_int_equal(state_from_json("[1,2]", "d", &st, err, sizeof err), STATE_E_PARSE);
	assert_int_equal(state_from_json("{\"schema\": 1, \"steps\": [{\"step\": \"rabbitmq\", "
	                                 "\"status\": \"flying\"}]}",
	                                 "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
	assert_non_null(strstr(err, "steps[0].status"));
	assert_int_equal(state_from_json("{\"schema\": 1, \"steps\": [{\"step\": \"mars\", "
	                                 "\"status\": \"done\"}]}",
	                                 "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
	assert_non_null(strstr(err, "steps[0].step"));
	assert_int_equal(state_from_json("{\"schema\": 1, \"steps\": [{\"step\": \"acr\", \"status\": "
	                                 "\"done\", \"started\": \"yesterday\"}]}",
	                                 "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
	assert_non_null(strstr(err, "steps[0].started"));
	assert_int_equal(state_from_json("{\"schema\": \"one\"}", "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
	assert_non_null(strstr(err, "schema"));
}

static void test_state_complete_install_has_no_resume_step(void **state)
{
	(void)state;
	struct state *st = NULL;
	assert_int_equal(state_from_json("{\"schema\": 1}", "d", &st, err, sizeof err), STATE_OK);
	for (int i = 0; i < (int)plan_step_count(); i++) {
		st->steps[i].confirmed = 1;
		state_step_set(st, (step_id)i, STEP_DONE, NULL);
	}
	assert_int_equal(state_resume_step(st), -1);
	state_free(st);
}

static void test_state_schema_1_migrates_to_2(void **state)
{
	(void)state;
	struct state *st = NULL;
	const char *v1 = "{\"schema\": 1, \"profile\": \"default\", \"vault_generation\": 4, "
	                 "\"answers\": {\"location\": \"eastus\"}, \"steps\": ["
	                 "{\"step\": \"subscription\", \"status\": \"done\"},"
	                 "{\"step\": \"rabbitmq\", \"status\": \"pending\"}]}";
	assert_int_equal(state_from_json(v1, "default", &st, err, sizeof err), STATE_OK);
	assert_int_equal(st->schema, STATE_SCHEMA);
	assert_true(st->steps[plan_step_parse("subscription")].confirmed);
	assert_false(st->steps[plan_step_parse("rabbitmq")].confirmed);
	assert_int_equal(st->vault_generation, 4);
	assert_string_equal(state_answer_get(st, "location"), "eastus");
	assert_int_equal(state_resume_step(st), plan_step_parse("rabbitmq"));
	char *text = state_to_json(st);
	assert_non_null(strstr(text, "\"schema\":\t3"));
	free(text);
	state_free(st);
}

/* Schema 3 keeps per-resource records: a step's resource ids become resources this install
 * made, and its in-flight operation belongs to the last of them (polled on resume). */
static void test_state_schema_2_migrates_operations_to_resource_records(void **state)
{
	(void)state;
	struct state *st = NULL;
	const char *v2 = "{\"schema\": 2, \"steps\": [{\"step\": \"subscription\", \"status\": \"running\","
	                 "\"confirmed\": true, \"operation\": \"https://management.azure.com/op/7\","
	                 "\"resources\": [\"/subscriptions/s/resourceGroups/A\", \"/subscriptions/s/resourceGroups/B\"]}]}";
	assert_int_equal(state_from_json(v2, "default", &st, err, sizeof err), STATE_OK);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(st->resources, "/subscriptions/s/resourcegroups/a");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(st->resources, "/subscriptions/s/resourcegroups/b");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "ours")));
	assert_null(cJSON_GetObjectItemCaseSensitive(a, "operation"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "operation")->valuestring,
	                    "https://management.azure.com/op/7");
	assert_int_equal(strlen(st->install_id), 16);
	state_free(st);
}

/* Numbers out of range are refused, never cast (a cast of 1e300 to int is undefined). */
static void test_state_huge_numbers_are_refused(void **state)
{
	(void)state;
	struct state *st = NULL;
	assert_int_equal(state_from_json("{\"schema\": 1e300}", "d", &st, err, sizeof err), STATE_E_PARSE);
	assert_int_equal(state_from_json("{\"schema\": -1e300}", "d", &st, err, sizeof err), STATE_E_PARSE);
	assert_int_equal(state_from_json("{\"schema\": 3, \"vault_generation\": 1e300}", "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
	assert_non_null(strstr(err, "vault_generation"));
	assert_int_equal(state_from_json("{\"schema\": 3, \"install_id\": \"../x\"}", "d", &st, err, sizeof err),
	                 STATE_E_PARSE);
}

int main(void)
{
	test_use_steps();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_missing_file_is_a_fresh_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_round_trip_keeps_everything, setup, teardown),
		cmocka_unit_test(test_state_newer_schema_is_refused_with_a_message),
		cmocka_unit_test(test_state_parse_errors_name_the_field),
		cmocka_unit_test(test_state_complete_install_has_no_resume_step),
		cmocka_unit_test(test_state_schema_1_migrates_to_2),
		cmocka_unit_test(test_state_schema_2_migrates_operations_to_resource_records),
		cmocka_unit_test(test_state_huge_numbers_are_refused),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
