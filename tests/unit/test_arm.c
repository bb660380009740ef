/* tests/unit/test_arm.c: the ARM client against the loopback fake cloud: long-running
 * operations (Azure-AsyncOperation, Location), the operation hook before the first
 * poll, resume without a second PUT, one token renewal on 401, and error messages; Azure's
 * own state while it runs, and the deadline that stops waiting without losing the operation;
 * a call that cannot be sent ends from the loop, never inside the call that started it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>

#include "core/azure/arm.h"
#include "core/azure/auth.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "secrets/vault.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define SUB "/subscriptions/00000000-0000-0000-0000-000000000000"
#define RG SUB "/resourceGroups/rg-arm"
#define DISK RG "/providers/Microsoft.Compute/disks/data1"

static struct fakecloud fake;
static char *dir;
static vault *v;
static int fail_next_secmem;   /* the next sodium_malloc returns NULL, as when locked pages ran out */

/* Interposes libsodium's: the test binary's definition is the one libsw.a's secmem_alloc links to. */
void *sodium_malloc(size_t size)
{
	static void *(*real)(size_t);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sodium_malloc");
	if (fail_next_secmem) {
		fail_next_secmem = 0;
		errno = ENOMEM;
		return NULL;
	}
	return real(size);
}

struct t {
	struct loop *loop;
	struct http_client *http;
	struct auth *auth;
	struct arm *arm;
	int done;
	long status;
	char *error;
	char *code;
	char *body;
	unsigned polls, requests;
	char *op_url;
	int op_polls_seen;     /* operation GETs the fake had seen when on_op ran */
	int op_refuse;
	int still_running;
	char states[256];      /* what arm_watch heard, "|"-separated */
};

static void on_state(const char *s, void *arg)
{
	struct t *t = arg;
	size_t o = strlen(t->states);
	snprintf(t->states + o, sizeof t->states - o, "%s|", s);
}

static void on_done(const struct arm_result *r, void *arg)
{
	struct t *t = arg;
	t->done++;
	t->status = r->status;
	free(t->error);
	free(t->code);
	free(t->body);
	t->error = r->error ? strdup(r->error) : NULL;
	t->code = strdup(r->code);
	t->body = strdup(r->body);
	t->polls = r->polls;
	t->requests = r->requests;
	t->still_running = r->still_running;
}

static int on_op(const char *url, void *arg)
{
	struct t *t = arg;
	free(t->op_url);
	t->op_url = strdup(url);
	t->op_polls_seen = fakecloud_count(&fake, "GET", "/operations/", 0);
	return t->op_refuse ? -1 : 0;
}

static void t_open(struct t *t)
{
	char err[512];
	memset(t, 0, sizeof *t);
	t->loop = loop_new();
	t->http = http_client_new(t->loop);
	struct auth_config cfg = {t->http, &fake.cloud, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111",
	                          "33333333-3333-3333-3333-333333333333", v, NULL, NULL, NULL, NULL, NULL};
	t->auth = auth_new(&cfg, err, sizeof err);
	assert_non_null(t->auth);
	t->arm = arm_new(t->http, t->auth, &fake.cloud);
}

static void t_wait(struct t *t)
{
	int before = t->done;
	while (t->done == before)
		assert_true(loop_once(t->loop, -1) >= 0);
}

static void t_close(struct t *t)
{
	arm_free(t->arm);
	auth_free(t->auth);
	http_client_free(t->http);
	loop_free(t->loop);
	free(t->error);
	free(t->code);
	free(t->body);
	free(t->op_url);
}

static const char *provisioning_state(const char *body)
{
	static char out[64];
	cJSON *j = cJSON_Parse(body);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "properties"),
	                                                  "provisioningState");
	snprintf(out, sizeof out, "%s", cJSON_IsString(s) ? s->valuestring : "(none)");
	cJSON_Delete(j);
	return out;
}

static void make_group(struct t *t)
{
	arm_put(t->arm, RG, "2021-04-01", "{\"location\":\"eastus\"}", NULL, on_done, t);
	t_wait(t);
	assert_null(t->error);
}

static void test_async_operation_is_polled_at_retry_after_then_resource_fetched(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 2, \"retry_after\": 1}");
	struct t t;
	t_open(&t);
	make_group(&t);
	arm_put(t.arm, DISK, "2024-03-02", "{\"location\":\"eastus\",\"properties\":{\"diskSizeGB\":1024}}", on_op,
	        on_done, &t);
	t_wait(&t);
	assert_null(t.error);
	assert_int_equal(t.status, 200);
	assert_non_null(t.op_url);
	assert_non_null(strstr(t.op_url, "/operations/"));
	assert_int_equal(t.op_polls_seen, 0);   /* the hook ran before the first poll */
	/* 2 s at Retry-After 1 s: between 2 and ceil(2/1)+1 polls. */
	assert_in_range(t.polls, 2, 3);
	assert_string_equal(provisioning_state(t.body), "Succeeded");
	assert_int_equal(fakecloud_count(&fake, "GET", "/disks/data1", 200), 1);   /* the final GET */
	assert_int_equal(fakecloud_count(&fake, "PUT", "/disks/data1", 0), 1);
	t_close(&t);
}

static void test_location_operation_ends_on_200(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 1, \"retry_after\": 1}");
	struct t t;
	t_open(&t);
	make_group(&t);
	arm_delete(t.arm, RG, "2021-04-01", on_op, on_done, &t);
	t_wait(&t);
	assert_null(t.error);
	assert_non_null(strstr(t.op_url, "/operationresults/"));
	assert_true(t.polls >= 1);
	arm_get(t.arm, RG, "2021-04-01", on_done, &t);
	t_wait(&t);
	assert_int_equal(t.status, 404);
	assert_string_equal(t.code, "ResourceGroupNotFound");
	t_close(&t);
}

static void test_resume_polls_the_saved_operation_without_a_second_put(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 2, \"retry_after\": 1}");
	struct t t;
	t_open(&t);
	make_group(&t);
	t.op_refuse = 1;   /* as if the process stopped right after saving the URL */
	arm_put(t.arm, DISK, "2024-03-02", "{\"location\":\"eastus\"}", on_op, on_done, &t);
	t_wait(&t);
	assert_non_null(t.error);
	assert_non_null(t.op_url);
	char *url = strdup(t.op_url);
	arm_resume(t.arm, url, "PUT", DISK, "2024-03-02", on_done, &t);
	t_wait(&t);
	assert_null(t.error);
	assert_string_equal(provisioning_state(t.body), "Succeeded");
	assert_int_equal(fakecloud_count(&fake, "PUT", "/disks/data1", 0), 1);
	free(url);
	t_close(&t);
}

static void test_deadline_stops_waiting_names_azures_state_and_the_operation_resumes(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 5, \"retry_after\": 1}");
	struct t t;
	t_open(&t);
	make_group(&t);
	arm_set_lro_deadline(t.arm, ARM_LRO_OTHER, 1500);   /* a disk: the "other" kind */
	struct arm_op *op = arm_put(t.arm, DISK, "2024-03-02", "{\"location\":\"eastus\"}", on_op, on_done, &t);
	arm_watch(op, on_state);
	t_wait(&t);
	assert_non_null(t.op_url);
	assert_true(t.still_running);
	assert_string_equal(t.code, "StillRunning");
	/* The PUT answered Creating; the operation's InProgress does not hide it. */
	assert_string_equal(t.states, "Creating|");
	assert_non_null(strstr(t.error, "still working on it after 2 s (provisioningState Creating)"));
	assert_non_null(strstr(t.error, "/operations/"));
	assert_non_null(strstr(t.error, "kept and polled again when the install starts again"));
	assert_int_equal(arm_pending(t.arm), 0);   /* nothing polls it any more */
	/* Azure was never told anything: the disk is still being made, and a resume finishes it. */
	arm_resume(t.arm, t.op_url, "PUT", DISK, "2024-03-02", on_done, &t);
	arm_set_lro_deadline(t.arm, ARM_LRO_OTHER, 60000);
	t_wait(&t);
	assert_null(t.error);
	assert_false(t.still_running);
	assert_string_equal(provisioning_state(t.body), "Succeeded");
	assert_int_equal(fakecloud_count(&fake, "PUT", "/disks/data1", 0), 1);
	t_close(&t);
}

/* A Retry-After of more seconds than a long holds waits the longest poll interval (cut at the
 * deadline here: one look at it), never an overflowed (negative) wait that polls every second. */
static void test_huge_retry_after_waits_the_longest_interval(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 10, \"retry_after\": \"99999999999999999999\"}");
	struct t t;
	t_open(&t);
	make_group(&t);
	arm_set_lro_deadline(t.arm, ARM_LRO_OTHER, 3000);
	arm_put(t.arm, DISK, "2024-03-02", "{\"location\":\"eastus\"}", on_op, on_done, &t);
	t_wait(&t);
	assert_true(t.still_running);
	assert_true(fakecloud_count(&fake, "GET", "/operations/", 0) <= 1);
	t_close(&t);
}

static void test_expired_token_is_renewed_once_and_the_request_replayed(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	struct t t;
	t_open(&t);
	arm_get(t.arm, "/subscriptions", "2022-12-01", on_done, &t);
	t_wait(&t);
	assert_null(t.error);
	free(fakecloud_call(&fake, "POST", "/_fake/expire_tokens", NULL));
	arm_get(t.arm, "/subscriptions", "2022-12-01", on_done, &t);
	t_wait(&t);
	assert_null(t.error);
	assert_int_equal(t.status, 200);
	assert_int_equal(auth_fetches(t.auth), 2);
	assert_int_equal(fakecloud_count(&fake, "GET", "/subscriptions", 401), 1);
	/* A 401 that persists is reported after one renewal, not retried forever. */
	free(fakecloud_call(&fake, "POST", "/_fake/script",
	                    "{\"faults\": [{\"path\": \"^/subscriptions$\", \"status\": 401}]}"));
	arm_get(t.arm, "/subscriptions", "2022-12-01", on_done, &t);
	t_wait(&t);
	assert_int_equal(t.status, 401);
	assert_non_null(t.error);
	assert_int_equal(t.requests, 2);
	assert_int_equal(auth_fetches(t.auth), 3);
	t_close(&t);
}

static void test_failed_put_gives_an_actionable_message(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"faults\": [{\"method\": \"PUT\", \"path\": \"/disks/\", \"action\": \"file\", "
	                       "\"file\": \"arm/compute/virtualMachines_createOrUpdate_409_SkuNotAvailable.json\"}]}");
	struct t t;
	t_open(&t);
	make_group(&t);
	arm_put(t.arm, DISK, "2024-03-02", "{}", on_op, on_done, &t);
	t_wait(&t);
	assert_int_equal(t.status, 409);
	assert_string_equal(t.code, "SkuNotAvailable");
	assert_non_null(strstr(t.error, "size not available"));
	assert_non_null(strstr(t.error, "Standard_NC4as_T4_v3"));   /* the original message is kept */
	assert_null(t.op_url);
	t_close(&t);
}

static char *recorded_body(const char *file)
{
	char path[4200];
	const char *top = getenv("SW_TOP");
	snprintf(path, sizeof path, "%s/tests/fake/recordings/%s", top ? top : ".", file);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	char *body = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "response"), "body"));
	cJSON_Delete(j);
	return body;
}

static void expect_message(const char *file, long status, const char *code, const char *label, const char *kept)
{
	char c[128], msg[2048];
	char *body = recorded_body(file);
	arm_error_message(status, body, c, sizeof c, msg, sizeof msg);
	assert_string_equal(c, code);
	if (!strstr(msg, label) || !strstr(msg, kept))
		fail_msg("%s: %s", file, msg);
	free(body);
}

static void test_error_bodies_become_operator_messages(void **state)
{
	(void)state;
	expect_message("arm/compute/virtualMachines_createOrUpdate_409_QuotaExceeded.json", 409, "OperationNotAllowed",
	               "quota exceeded: ", "Current Limit: 0");
	expect_message("arm/containerservice/managedClusters_createOrUpdate_400_QuotaExceeded.json", 400,
	               "QuotaExceeded", "quota exceeded: ", "standardNCASv3_T4Family");
	expect_message("arm/compute/virtualMachines_createOrUpdate_409_SkuNotAvailable.json", 409, "SkuNotAvailable",
	               "choose another size or region", "not available in location 'eastus'");
	expect_message("arm/compute/virtualMachines_createOrUpdate_400_MarketplacePurchaseEligibilityFailed.json", 400,
	               "MarketplacePurchaseEligibilityFailed", "marketplace terms not accepted", "bitnami");
	expect_message("arm/resources/resourceGroups_createOrUpdate_403_AuthorizationFailed.json", 403,
	               "AuthorizationFailed", "Contributor", "resourcegroups/write");
	expect_message("arm/compute/virtualMachines_createOrUpdate_400_InvalidParameter.json", 400, "InvalidParameter",
	               "invalid parameter 'linuxConfiguration.ssh.publicKeys.path'", "authorized_keys");
	char c[64], msg[256];
	arm_error_message(502, "<html>bad gateway</html>", c, sizeof c, msg, sizeof msg);
	assert_string_equal(msg, "HTTP 502 without an ARM error body");
}

/* A POST without a body (provider registration, list*Credential) carries no form
 * Content-Type: the fake refuses that with ARM's 415 UnsupportedMediaType. */
static void test_post_without_body_is_not_sent_as_a_form(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"unregistered\": [\"Microsoft.Compute\"], \"require_auth\": false}");
	/* The fake does refuse a form: what curl sends unless told otherwise. */
	char url[512], *body;
	snprintf(url, sizeof url, "%s" SUB "/providers/Microsoft.Network/register?api-version=2021-04-01", fake.base);
	const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	struct loop *l = loop_new();
	struct http_client *c = http_client_new(l);
	struct fakecloud_reply rep = {0, NULL};
	http_client_submit(c, http_request_new("POST", url, form, NULL), fakecloud_on_reply, &rep);
	http_client_wait(c);
	http_client_free(c);
	loop_free(l);
	body = rep.body;
	assert_int_equal(rep.status, 415);
	assert_non_null(strstr(body, "UnsupportedMediaType"));
	free(body);
	struct t t;
	t_open(&t);
	arm_post(t.arm, SUB "/providers/Microsoft.Compute/register", "2021-04-01", NULL, NULL, on_done, &t);
	t_wait(&t);
	if (t.error)
		fail_msg("register: %s", t.error);
	assert_int_equal(t.status, 200);
	assert_int_equal(fakecloud_count(&fake, "POST", "Microsoft.Compute/register", 200), 1);
	assert_int_equal(fakecloud_count(&fake, "POST", "Microsoft.Compute/register", 415), 0);
	t_close(&t);
}

static void test_taken_registry_name_is_reported(void **state)
{
	(void)state;
	char why[512];
	char *body = recorded_body("arm/containerregistry/checkNameAvailability_200_alreadyExists.json");
	cJSON *j = cJSON_Parse(body);
	assert_int_equal(arm_name_available(j, "myregistry", why, sizeof why), 0);
	assert_non_null(strstr(why, "name already taken: 'myregistry'"));
	assert_non_null(strstr(why, "AlreadyExists"));
	cJSON_Delete(j);
	free(body);
	body = recorded_body("arm/containerregistry/checkNameAvailability_200_available.json");
	j = cJSON_Parse(body);
	assert_int_equal(arm_name_available(j, "leafai1a2b3c4d", why, sizeof why), 1);
	cJSON_Delete(j);
	free(body);
}

/* With a token cached and no protected memory for the Authorization header, arm_call used to
 * run done() and free the op before returning it; core/engine/act.c kept the freed pointer and
 * arm_watch wrote through it (a use after free under `make asan`). */
static void test_a_call_that_cannot_be_sent_ends_from_the_loop_not_inside_arm_call(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{}");
	struct t t;
	t_open(&t);
	make_group(&t);   /* signs in: the next call finds the token cached and builds its request at once */
	assert_non_null(auth_token(t.auth, AUTH_ARM));
	int gets = fakecloud_count(&fake, "GET", "/resourceGroups/rg-arm", 0);
	fail_next_secmem = 1;
	struct arm_op *op = arm_get(t.arm, RG, "2021-04-01", on_done, &t);
	arm_watch(op, on_state);                 /* what core/engine/act.c does with the op */
	assert_int_equal(fail_next_secmem, 0);   /* the header did ask for protected memory */
	assert_non_null(op);
	assert_int_equal(t.done, 1);             /* done() has not run inside arm_get */
	assert_int_equal(arm_pending(t.arm), 1);
	t_wait(&t);
	assert_int_equal(t.done, 2);
	assert_string_equal(t.error, "out of protected memory");
	assert_int_equal(arm_pending(t.arm), 0);
	assert_int_equal(fakecloud_count(&fake, "GET", "/resourceGroups/rg-arm", 0), gets);   /* nothing sent */
	t_close(&t);
}

static int setup(void **state)
{
	(void)state;
	char err[512];
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("arm");
	if (vault_create(dir, "passphrase-for-tests", 20, VAULT_KDF_INTERACTIVE, &v, err, sizeof err) != VAULT_OK ||
	    vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", "fake-secret-0001", 16) != VAULT_OK)
		return -1;
	return fakecloud_start(&fake, dir);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	vault_close(v);
	test_rmrf(dir);
	free(dir);
	log_redact_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_async_operation_is_polled_at_retry_after_then_resource_fetched),
		cmocka_unit_test(test_location_operation_ends_on_200),
		cmocka_unit_test(test_resume_polls_the_saved_operation_without_a_second_put),
		cmocka_unit_test(test_deadline_stops_waiting_names_azures_state_and_the_operation_resumes),
		cmocka_unit_test(test_huge_retry_after_waits_the_longest_interval),
		cmocka_unit_test(test_expired_token_is_renewed_once_and_the_request_replayed),
		cmocka_unit_test(test_failed_put_gives_an_actionable_message),
		cmocka_unit_test(test_error_bodies_become_operator_messages),
		cmocka_unit_test(test_taken_registry_name_is_reported),
		cmocka_unit_test(test_post_without_body_is_not_sent_as_a_form),
		cmocka_unit_test(test_a_call_that_cannot_be_sent_ends_from_the_loop_not_inside_arm_call),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
