/* The answers file: the README's full example loads, defaults follow the guide, and
 * every bad answer is refused with its key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model/answers.h"
#include "core/model/uniqid.h"
#include "tests/unit/testutil.h"

static char full_path[4200];
#define FULL full_path
#define SUB "11111111-2222-3333-4444-555555555555"

static char *home;

/* HOME with ~/.ssh/id_ed25519.pub, which the example names. */
static int setup(void **s)
{
	(void)s;
	test_data_path("answers-full.json", full_path, sizeof full_path);
	home = test_home_with_ssh_key("answers-home");
	return home ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	test_rmrf(home);
	free(home);
	return 0;
}

static enum answers_result load_text(struct answers *a, const char *json, char *err, size_t n)
{
	answers_init(a);
	enum answers_result rc = answers_parse(a, json, err, n);
	if (rc == ANSWERS_OK)
		rc = answers_complete(a, err, n);
	return rc;
}

static void test_full_example_loads_unchanged(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	answers_init(&a);
	assert_int_equal(answers_load(&a, FULL, err, sizeof err), ANSWERS_OK);
	for (int i = 0; (size_t)i < plan_question_count(); i++)
		if (!a.given[i])
			fail_msg("the full example lacks %s", plan_question((plan_qid)i)->key);
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("acr.name")), "leafai1a2b3c4d");
	assert_string_equal(answers_get(&a, plan_q("minio.data_disk_gb")), "1024");
	assert_string_equal(answers_get(&a, plan_q("overlay.clear_text_messages")), "true");
	answers_free(&a);
}

static void test_defaults_follow_the_guide(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	assert_int_equal(load_text(&a, "{\"subscription\":\"" SUB "\",\"uniq_id\":\"1a2b3c4d\"}",
	                           err, sizeof err), ANSWERS_OK);
	static const char *const want[][2] = {
		{"acr.name", "leafai1a2b3c4d"},
		{"acr.resource_group", "studioml-1a2b3c4d"},
		{"aks.resource_group", "leafai-1a2b3c4d"},
		{"aks.name", "leafai-cluster-1a2b3c4d"},
		{"acr.image", "leafai/azure-studio-go-runner:0.14.2"},
		{"location", "eastus"},
		{"rabbitmq.vm_size", "Standard_B2s"},
		{"minio.vm_size", "Standard_D2s_v3"},
		{"minio.data_disk_gb", "1024"},
		{"aks.node_count", "1"},
		{"aks.node_vm_size", "Standard_ND96asr_v4"},
		{"rabbitmq.ssh_public_key_file", "~/.ssh/id_ed25519.pub"},
		{"minio.ssh_public_key_file", "~/.ssh/id_ed25519.pub"},
		{"auth.method", "device-code"},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		int q = plan_question_find(want[i][0]);
		assert_true(q >= 0);
		assert_string_equal(answers_get(&a, (plan_qid)q), want[i][1]);
		assert_int_equal(a.given[q], 0);
	}
	/* The default GPU is one the runner can use. */
	char why[256];
	assert_true(plan_gpu_usable(answers_get(&a, plan_q("aks.node_vm_size")), answers_get(&a, plan_q("acr.image")), why, sizeof why));
	answers_free(&a);
}

static void test_missing_uniq_id_is_derived_like_the_guide(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "", id[UNIQID_LEN + 1], reg[64];
	assert_int_equal(load_text(&a, "{\"subscription\":\"" SUB "\"}", err, sizeof err), ANSWERS_OK);
	assert_int_equal(uniqid_derive(SUB, NULL, id), 0);
	assert_string_equal(answers_get(&a, plan_q("uniq_id")), id);
	snprintf(reg, sizeof reg, "leafai%s", id);
	assert_string_equal(answers_get(&a, plan_q("acr.name")), reg);
	answers_free(&a);
}

static void test_changed_uniq_id_recomputes_defaults(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	assert_int_equal(load_text(&a, "{\"subscription\":\"" SUB "\",\"uniq_id\":\"aaaa\"}", err,
	                           sizeof err), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("acr.name")), "leafaiaaaa");
	assert_int_equal(answers_set(&a, plan_q("uniq_id"), "bbbb"), 0);
	answers_clear_defaults(&a);
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("acr.name")), "leafaibbbb");
	assert_string_equal(answers_get(&a, plan_q("subscription")), SUB);
	answers_free(&a);
}

/* Replaces one key of the full example (path "a.b") with raw JSON and loads it. */
static enum answers_result load_with(const char *path, const char *raw, char *err, size_t n)
{
	FILE *f = fopen(FULL, "r");
	assert_non_null(f);
	static char text[65536];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = '\0';
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	cJSON *parent = root;
	char key[128];
	snprintf(key, sizeof key, "%s", path);
	char *dot = strchr(key, '.');
	if (dot) {
		*dot = '\0';
		parent = cJSON_GetObjectItemCaseSensitive(root, key);
		if (!parent)
			parent = cJSON_AddObjectToObject(root, key);
	}
	const char *name = dot ? dot + 1 : key;
	cJSON_DeleteItemFromObjectCaseSensitive(parent, name);
	cJSON *v = cJSON_Parse(raw);
	assert_non_null(v);
	cJSON_AddItemToObject(parent, name, v);
	char *json = cJSON_Print(root);
	cJSON_Delete(root);
	struct answers a;
	enum answers_result rc = load_text(&a, json, err, n);
	answers_free(&a);
	free(json);
	return rc;
}

static void test_each_invalid_answer_names_its_key(void **s)
{
	(void)s;
	static const char *const bad[][2] = {
		{"cloud", "\"azure\""},
		{"subscription", "\"not-a-guid\""},
		{"location", "\"East US\""},
		{"uniq_id", "\"TOO-LONG-ID\""},
		{"auth.method", "\"password\""},
		{"auth.tenant", "\"no spaces allowed\""},
		{"auth.client_id", "\"x\""},
		{"rabbitmq.resource_group", "\"ends.\""},
		{"rabbitmq.vm_name", "\"-bad\""},
		{"rabbitmq.vm_size", "\"A2_v2\""},
		{"rabbitmq.admin_user", "\"admin\""},
		{"rabbitmq.ssh_public_key_file", "\"/nonexistent/key.pub\""},
		{"rabbitmq.amqp_user", "\"us:er\""},
		{"rabbitmq.amqp_port", "60000"},
		{"minio.resource_group", "\"bad/rg\""},
		{"minio.vm_name", "\"bad_\""},
		{"minio.vm_size", "\"huge\""},
		{"minio.admin_user", "\"root\""},
		{"minio.ssh_public_key_file", "\"/nonexistent/key.pub\""},
		{"minio.allowed_sources", "\"10.0.0.0/33\""},
		{"minio.binary_url", "\"ftp://x\""},
		{"minio.binary_sha256", "\"abc\""},
		{"minio.binary_file", "\"/nonexistent/minio\""},
		{"rabbitmq.allowed_sources", "\"any\""},
		{"minio.data_disk_gb", "2"},
		{"minio.bucket", "\"Bad_Bucket\""},
		{"minio.port", "0"},
		{"acr.resource_group", "\"\""},
		{"acr.name", "\"leafai-1a2b\""},
		{"acr.sku", "\"Free\""},
		{"acr.image", "\"Not An Image\""},
		{"aks.resource_group", "\"x.\""},
		{"aks.name", "\"_x\""},
		{"aks.dns_prefix", "\"under_score\""},
		{"aks.node_vm_size", "\"Standard_NC4as_T4_v3\""},
		{"aks.node_count", "0"},
		{"overlay.dir", "\"\""},
		{"overlay.namespace", "\"kube-system\""},
		{"overlay.queue_match", "\"\""},
		{"overlay.clear_text_messages", "\"maybe\""},
		{"overlay.runner_state", "\"DrainAndTerminate\""},
		{"decisions.register_providers", "\"maybe\""},
		{"decisions.low_quota", "\"gpu\""},
		{"acr.source_registry", "\"Docker Hub\""},
		{"aks.runner_mode", "\"tpu\""},
		{"aks.cpu_node_vm_size", "\"D4s_v5\""},
		{"decisions.minio_upload", "\"perhaps\""},
	};
	int covered[PLAN_Q_MAX] = {0};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[768] = "", want[128];
		if (load_with(bad[i][0], bad[i][1], err, sizeof err) != ANSWERS_E_INVALID)
			fail_msg("%s = %s was accepted", bad[i][0], bad[i][1]);
		snprintf(want, sizeof want, "%s: ", bad[i][0]);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("message for %s does not start with its key: %s", bad[i][0], err);
		covered[plan_question_find(bad[i][0])] = 1;
	}
	for (int q = 0; (size_t)q < plan_question_count(); q++)
		if (!covered[q])
			fail_msg("no invalid-value case for %s", plan_question((plan_qid)q)->key);
}

/* C1 controls (U+0080..U+009F, as UTF-8 or as raw bytes) are control characters too. */
static void test_control_characters_are_refused_c1_too(void **s)
{
	(void)s;
	static const char *const bad[][2] = {
		{"overlay.queue_match", "\"^rmq_\\u009b2J.*$\""},
		{"overlay.queue_match", "\"^rmq_\x9b.*$\""},
		{"overlay.queue_match", "\"^rmq_\\u001b.*$\""},
		{"overlay.queue_match", "\"^rmq_\\u007f.*$\""},
		{"overlay.dir", "\"~/overlay\\u0085x\""},
		{"overlay.dir", "\"~/overlay\x85x\""},
		{"rabbitmq.ssh_public_key_file", "\"~/.ssh/\\u001b]0;pwned\\u0007.pub\""},
		{"acr.image", "\"leafai/runner:0.9\\u009b\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[768] = "";
		if (load_with(bad[i][0], bad[i][1], err, sizeof err) != ANSWERS_E_INVALID)
			fail_msg("%s = %s was accepted", bad[i][0], bad[i][1]);
		for (const unsigned char *p = (const unsigned char *)err; *p; p++)
			if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && *p <= 0x9f && p[-1] != 0xc2) ||
			    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
				fail_msg("message for %s holds a control byte: %s", bad[i][0], err);
	}
	char err[768] = "";
	/* Printable text outside ASCII stays accepted where the rule allows it. */
	assert_int_equal(load_with("overlay.queue_match", "\"^rmq_\xc3\xa9.*$\"", err, sizeof err),
	                 ANSWERS_OK);
}

static void test_unknown_keys_are_refused_comments_allowed(void **s)
{
	(void)s;
	char err[512] = "";
	assert_int_equal(load_with("rabbitmq.vmsize", "\"Standard_A2_v2\"", err, sizeof err),
	                 ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "rabbitmq.vmsize: unknown key"));
	assert_int_equal(load_with("gcp.project", "\"x\"", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "gcp: unknown section"));
	assert_int_equal(load_with("acr._note", "\"anything\"", err, sizeof err), ANSWERS_OK);
	assert_int_equal(load_with("_why", "{\"x\":1}", err, sizeof err), ANSWERS_OK);
}

static void test_secret_keys_are_refused_and_not_echoed(void **s)
{
	(void)s;
	static const char *const keys[] = {"rabbitmq.password", "minio.secret_key", "minio.access_key",
	                                   "acr.sp_client_secret", "azure_token", "overlay.passphrase",
	                                   "auth.client_secret", "secrets.anything"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char err[512] = "";
		assert_int_equal(load_with(keys[i], "\"hunter2-sentinel\"", err, sizeof err),
		                 ANSWERS_E_INVALID);
		if (!strstr(err, "secrets never go in the answers file") || !strstr(err, keys[i]))
			fail_msg("%s: %s", keys[i], err);
		assert_null(strstr(err, "hunter2"));
	}
}

static void test_numbers_booleans_and_null(void **s)
{
	(void)s;
	char err[512] = "";
	assert_int_equal(load_with("aks.node_count", "\"3\"", err, sizeof err), ANSWERS_OK);
	assert_int_equal(load_with("aks.node_count", "2.5", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "aks.node_count: must be a whole number"));
	assert_int_equal(load_with("aks.node_count", "[1]", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "aks.node_count: must be a string"));
	assert_int_equal(load_with("overlay.clear_text_messages", "false", err, sizeof err), ANSWERS_OK);
	assert_int_equal(load_with("acr.name", "null", err, sizeof err), ANSWERS_OK);
}

static void test_bad_json_and_missing_file(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\n\"cloud\": \"AzureCloud\",\n}", err, sizeof err),
	                 ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_int_equal(answers_parse(&a, "[1,2]", err, sizeof err), ANSWERS_E_INVALID);
	assert_int_equal(answers_load(&a, "/nonexistent/answers.json", err, sizeof err), ANSWERS_E_IO);
	assert_non_null(strstr(err, "/nonexistent/answers.json"));
	answers_free(&a);
}

static void test_rules_joining_answers(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	assert_int_equal(load_text(&a, "{\"uniq_id\":\"ab\"}", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "subscription: required"));
	answers_free(&a);
	assert_int_equal(load_with("location", "\"chinaeast2\"", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "location: chinaeast2 is a region of AzureChinaCloud"));
	assert_int_equal(load_with("auth.method", "\"service-principal\"", err, sizeof err),
	                 ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "auth.tenant: a service principal"));
}

/* Issue 17: with --cloud FILE the cloud defaults to the file's and F4 lists it; regions come
 * from the cloud answered (free text for one the wizard does not know); the region rule is
 * checked at the field, and a cloud change takes a given region that no longer fits back to
 * the new cloud's default. */
static void test_cloud_file_cloud_and_its_regions(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "", buf[64];
	size_t n;
	plan_set_extra_cloud("FakeCloud");
	answers_init(&a);
	assert_int_equal(answers_default(&a, plan_q("cloud"), buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "FakeCloud");
	const struct plan_choice *c = answers_choices(&a, plan_q("cloud"), &n);
	assert_int_equal(n, 4);
	assert_string_equal(c[3].value, "FakeCloud");
	answers_set(&a, plan_q("cloud"), "FakeCloud");
	answers_choices(&a, plan_q("location"), &n);
	assert_int_equal(n, 0);   /* free text */
	assert_int_equal(answers_check(&a, plan_q("location"), "eastus", err, sizeof err), 0);
	assert_int_equal(answers_check(&a, plan_q("location"), "local", err, sizeof err), 0);
	assert_int_equal(answers_parse(&a, "{\"subscription\": \"11111111-2222-3333-4444-555555555555\"}", err,
	                               sizeof err), ANSWERS_OK);
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);   /* no dead end at the review */
	answers_free(&a);

	answers_init(&a);
	answers_set(&a, plan_q("cloud"), "AzureChinaCloud");
	c = answers_choices(&a, plan_q("location"), &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c[i].detail, "AzureChinaCloud");
	assert_int_equal(answers_default(&a, plan_q("location"), buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "chinaeast2");
	assert_int_equal(answers_check(&a, plan_q("location"), "eastus", err, sizeof err), -1);
	assert_string_equal(err, "location: eastus is a region of AzureCloud, not of AzureChinaCloud; F4 lists "
	                         "AzureChinaCloud's");
	assert_int_equal(answers_check(&a, plan_q("location"), "chinanorth3", err, sizeof err), 0);
	answers_set(&a, plan_q("location"), "chinanorth3");
	answers_set(&a, plan_q("cloud"), "AzureUSGovernment");
	assert_int_equal(answers_follow_cloud(&a, err, sizeof err), 1);
	assert_null(answers_get(&a, plan_q("location")));
	assert_non_null(strstr(err, "chinanorth3 is not a region of AzureUSGovernment"));
	answers_free(&a);
	plan_set_extra_cloud(NULL);
}

/* The operator's own key is optional: without one, both answers default to empty. */
static void test_no_ssh_key_names_the_key_to_give(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	char *empty = test_mkdtemp("nokey-home");
	setenv("HOME", empty, 1);
	enum answers_result rc = load_text(&a, "{\"subscription\":\"" SUB "\",\"uniq_id\":\"ab\"}",
	                                   err, sizeof err);
	setenv("HOME", home, 1);
	assert_int_equal(rc, ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("rabbitmq.ssh_public_key_file")), "");
	assert_string_equal(answers_get(&a, plan_q("minio.ssh_public_key_file")), "");
	assert_string_equal(answers_get(&a, plan_q("minio.binary_file")), "");
	assert_string_equal(answers_get(&a, plan_q("rabbitmq.allowed_sources")), "*");
	assert_int_equal(plan_question_check(plan_q("rabbitmq.ssh_public_key_file"), "", err, sizeof err), 0);
	assert_int_equal(plan_question_check(plan_q("rabbitmq.vm_name"), "", err, sizeof err), -1);
	answers_free(&a);
	test_rmrf(empty);
	free(empty);
}

static void test_json_round_trip(void **s)
{
	(void)s;
	struct answers a, b;
	char err[512] = "";
	answers_init(&a);
	assert_int_equal(answers_load(&a, FULL, err, sizeof err), ANSWERS_OK);
	cJSON *j = answers_to_json(&a);
	assert_non_null(j);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "aks"), "node_count")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "overlay"),
	                                             "clear_text_messages")));
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	answers_init(&b);
	assert_int_equal(answers_parse(&b, text, err, sizeof err), ANSWERS_OK);
	for (int i = 0; (size_t)i < plan_question_count(); i++)
		assert_string_equal(answers_get(&a, (plan_qid)i), answers_get(&b, (plan_qid)i));
	free(text);
	answers_free(&a);
	answers_free(&b);
}

static void test_kept_answers_load_even_when_a_key_file_has_moved(void **s)
{
	(void)s;
	const char *json = "{\"rabbitmq\": {\"ssh_public_key_file\": \"/nonexistent/id.pub\"}}";
	struct answers a;
	char err[512];
	answers_init(&a);
	assert_int_equal(answers_parse(&a, json, err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "rabbitmq.ssh_public_key_file"));
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse_kept(&a, json, err, sizeof err), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("rabbitmq.ssh_public_key_file")), "/nonexistent/id.pub");
	assert_int_equal(answers_parse_kept(&a, "{\"rabbitmq\": {\"pasword\": \"x\"}}", err, sizeof err),
	                 ANSWERS_E_INVALID);   /* structure is still checked: no secrets, no unknown keys */
	answers_free(&a);
}

int main(void)
{
	test_use_steps();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_answers_load_even_when_a_key_file_has_moved),
		cmocka_unit_test(test_full_example_loads_unchanged),
		cmocka_unit_test(test_defaults_follow_the_guide),
		cmocka_unit_test(test_missing_uniq_id_is_derived_like_the_guide),
		cmocka_unit_test(test_changed_uniq_id_recomputes_defaults),
		cmocka_unit_test(test_each_invalid_answer_names_its_key),
		cmocka_unit_test(test_unknown_keys_are_refused_comments_allowed),
		cmocka_unit_test(test_control_characters_are_refused_c1_too),
		cmocka_unit_test(test_secret_keys_are_refused_and_not_echoed),
		cmocka_unit_test(test_numbers_booleans_and_null),
		cmocka_unit_test(test_bad_json_and_missing_file),
		cmocka_unit_test(test_rules_joining_answers),
		cmocka_unit_test(test_cloud_file_cloud_and_its_regions),
		cmocka_unit_test(test_no_ssh_key_names_the_key_to_give),
		cmocka_unit_test(test_json_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
