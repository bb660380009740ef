/* tests/unit/test_auth.c: sign-in against the loopback fake cloud: service principal,
 * device code (prompt, slow_down, expiry, cancel, the sealed refresh token) and the
 * Azure CLI (a fake az). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>

#include "core/azure/auth.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "secrets/vault.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

static struct fakecloud fake;
static char *dir;

struct t {
	struct loop *loop;
	struct http_client *http;
	struct auth *auth;
	vault *v;
	int done;
	char *token;
	char *error;
	int prompts;
	char user_code[64];
	int expires_in;   /* as the prompt got it */
	int persists;
	int approve;      /* approve from the prompt */
	int cancel;       /* cancel from the prompt */
};

static void on_done(const char *token, const char *error, void *arg)
{
	struct t *t = arg;
	t->done++;
	free(t->token);
	free(t->error);
	t->token = token ? strdup(token) : NULL;
	t->error = error ? strdup(error) : NULL;
}

static void on_approve_done(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	(void)r;
	(void)arg;
}

static void do_cancel(void *arg)
{
	struct t *t = arg;
	auth_cancel(t->auth);
}

static void on_prompt(const struct auth_device_code *dc, void *arg)
{
	struct t *t = arg;
	t->prompts++;
	snprintf(t->user_code, sizeof t->user_code, "%s", dc->user_code);
	t->expires_in = dc->expires_in;
	if (t->approve) {
		char url[128];
		snprintf(url, sizeof url, "%s/_fake/approve", fake.base);
		http_client_submit(t->http, http_request_new("POST", url, NULL, ""), on_approve_done, NULL);
	}
	if (t->cancel)
		loop_after(t->loop, 100, do_cancel, t);
}

static int on_persist(void *arg, char *err, size_t errlen)
{
	struct t *t = arg;
	t->persists++;
	return vault_save(t->v, err, errlen) == VAULT_OK ? 0 : -1;
}

static void t_open(struct t *t, enum auth_method m, const char *tenant, vault *v, const char *az)
{
	char err[512];
	memset(t, 0, sizeof *t);
	t->loop = loop_new();
	t->http = http_client_new(t->loop);
	t->v = v;
	struct auth_config cfg = {t->http, &fake.cloud, m, tenant, "33333333-3333-3333-3333-333333333333", v,
	                          on_persist, on_prompt, t, az, NULL};
	t->auth = auth_new(&cfg, err, sizeof err);
	if (!t->auth)
		fail_msg("auth_new: %s", err);
}

/* Runs the loop until the request completes. */
static void t_get(struct t *t, enum auth_resource r)
{
	int before = t->done;
	auth_request(t->auth, r, on_done, t);
	assert_int_equal(t->done, before);   /* never delivered inside the call */
	while (t->done == before)
		assert_true(loop_once(t->loop, -1) >= 0);
}

static void t_close(struct t *t)
{
	auth_free(t->auth);
	http_client_free(t->http);
	loop_free(t->loop);
	free(t->token);
	free(t->error);
}

static vault *new_vault(const char *name, const char *secret)
{
	char path[4200], err[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	mkdir(path, 0700);
	vault *v = NULL;
	assert_int_equal(vault_create(path, "passphrase-for-tests", 20, VAULT_KDF_INTERACTIVE, &v, err, sizeof err),
	                 VAULT_OK);
	if (secret)
		assert_int_equal(vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", secret, strlen(secret)),
		                 VAULT_OK);
	return v;
}

static void test_service_principal_token_is_fetched_once_and_cached(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	vault *v = new_vault("sp", "fake-secret-0001");
	struct t t;
	t_open(&t, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111", v, NULL);
	t_get(&t, AUTH_ARM);
	assert_non_null(t.token);
	assert_null(t.error);
	char *first = strdup(t.token);
	t_get(&t, AUTH_ARM);
	assert_string_equal(t.token, first);
	assert_int_equal(auth_fetches(t.auth), 1);
	assert_int_equal(fakecloud_count(&fake, "POST", "/oauth2/v2.0/token", 200), 1);
	free(first);
	t_close(&t);
	vault_close(v);
}

static void test_service_principal_wrong_secret_names_the_vault_entry(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	vault *v = new_vault("spbad", "not-the-secret");
	struct t t;
	t_open(&t, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111", v, NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.token);
	assert_non_null(strstr(t.error, "invalid_client"));
	assert_non_null(strstr(t.error, AUTH_SECRET_ENTRY));
	t_close(&t);
	vault_close(v);
}

static void test_service_principal_without_secret_is_refused_up_front(void **state)
{
	(void)state;
	char err[512];
	vault *v = new_vault("spnone", NULL);
	struct loop *l = loop_new();
	struct http_client *h = http_client_new(l);
	struct auth_config cfg = {h, &fake.cloud, AUTH_SERVICE_PRINCIPAL, "t1", "c1", v, NULL, NULL, NULL, NULL, NULL};
	assert_null(auth_new(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "`studio-wizard vault set azure-client-secret"));
	/* Issue 17: the command suggested names the profile in use, else it opens another one. */
	cfg.command = "studio-wizard --profile lab";
	assert_null(auth_new(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "`studio-wizard --profile lab vault set azure-client-secret --kind client-secret`"));
	http_client_free(h);
	loop_free(l);
	vault_close(v);
}

static void test_device_code_prompts_then_seals_the_refresh_token(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	vault *v = new_vault("dc", NULL);
	struct t t;
	t_open(&t, AUTH_DEVICE_CODE, "organizations", v, NULL);
	t.approve = 1;
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_non_null(t.token);
	assert_int_equal(t.prompts, 1);
	assert_string_equal(t.user_code, "FAKEC0DE1");
	assert_true(auth_has_refresh_token(t.auth));
	assert_true(t.persists >= 1);
	const unsigned char *val;
	size_t len;
	struct vault_entry_info info;
	assert_int_equal(vault_get(v, AUTH_REFRESH_ENTRY, &val, &len, &info), VAULT_OK);
	assert_int_equal(info.kind, VAULT_KIND_TOKEN);
	assert_memory_equal(val, "fake-refresh-token-", 19);
	/* Graph comes silently through the refresh token. */
	t_get(&t, AUTH_GRAPH);
	assert_null(t.error);
	assert_int_equal(t.prompts, 1);
	t_close(&t);

	/* A new sign-in with the same vault needs no code. */
	t_open(&t, AUTH_DEVICE_CODE, "organizations", v, NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_int_equal(t.prompts, 0);
	assert_int_equal(fakecloud_count(&fake, "POST", "/oauth2/v2.0/devicecode", 0), 1);
	t_close(&t);
	vault_close(v);
}

static void test_device_code_slow_down_adds_five_seconds(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"device_slow_down\": 1}");
	struct t t;
	t_open(&t, AUTH_DEVICE_CODE, "organizations", NULL, NULL);
	t.approve = 1;
	time_t start = time(NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	/* interval 1 s, slow_down: the next poll waits 1 + 5 s. */
	assert_true(time(NULL) - start >= 6);
	assert_int_equal(fakecloud_count(&fake, "POST", "/oauth2/v2.0/token", 0), 2);
	t_close(&t);
}

static void test_device_code_expiry_says_start_again(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"device_expires_in\": 1}");
	struct t t;
	t_open(&t, AUTH_DEVICE_CODE, "organizations", NULL, NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.token);
	assert_non_null(strstr(t.error, "expired"));
	assert_non_null(strstr(t.error, "start the sign-in again"));
	/* Restartable: a new request starts a new code. */
	fakecloud_reset(&fake, NULL);
	t.approve = 1;
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_int_equal(t.prompts, 2);
	t_close(&t);
}

static void test_device_code_cancel_reaches_the_waiter(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	struct t t;
	t_open(&t, AUTH_DEVICE_CODE, "organizations", NULL, NULL);
	t.cancel = 1;
	t_get(&t, AUTH_ARM);
	assert_null(t.token);
	assert_string_equal(t.error, "sign-in cancelled");
	t_close(&t);
}

static void test_azure_cli_token_comes_from_stdout(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	char az[4200], log[4200];
	const char *top = getenv("SW_TOP");
	snprintf(az, sizeof az, "%s/tests/fake/fake_az.py", top ? top : ".");
	snprintf(log, sizeof log, "%s/az.log", dir);
	setenv("FAKE_AZ_BASE", fake.base, 1);
	setenv("FAKE_AZ_LOG", log, 1);
	struct t t;
	t_open(&t, AUTH_AZURE_CLI, "organizations", NULL, az);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_non_null(t.token);
	/* The token is the one the fake minted for the fake az. */
	char *secrets = fakecloud_call(&fake, "GET", "/_fake/secrets", NULL);
	assert_non_null(strstr(secrets, t.token));
	free(secrets);
	/* "organizations" is not passed as --tenant (az would refuse it). */
	FILE *f = fopen(log, "r");
	char line[65536];
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_null(strstr(line, "--tenant"));
	assert_null(strstr(line, t.token));
	t_close(&t);
	unsetenv("FAKE_AZ_LOG");
}

/* The child gets stdin, stdout and stderr only: not libcurl's sockets, not the vault's or
 * the log's descriptors, not one a library forgot to mark close-on-exec. */
static void test_azure_cli_child_inherits_no_descriptors(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NULL);
	char az[4200], log[4200];
	const char *top = getenv("SW_TOP");
	snprintf(az, sizeof az, "%s/tests/fake/fake_az.py", top ? top : ".");
	snprintf(log, sizeof log, "%s/az-fds.log", dir);
	setenv("FAKE_AZ_BASE", fake.base, 1);
	setenv("FAKE_AZ_LOG", log, 1);
	setenv("FAKE_AZ_STRICT_FDS", "1", 1);
	int leak = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC, like a careless library */
	assert_true(leak > 2);
	assert_int_equal(dup2(leak, 200), 200);
	struct t t;
	t_open(&t, AUTH_AZURE_CLI, "organizations", NULL, az);
	t_get(&t, AUTH_ARM);
	if (t.error)
		fail_msg("%s", t.error);
	assert_non_null(t.token);
	t_close(&t);
	close(leak);
	close(200);
	unsetenv("FAKE_AZ_STRICT_FDS");
	unsetenv("FAKE_AZ_LOG");
	/* The fake did look: its log line holds the (empty) list. */
	FILE *f = fopen(log, "r");
	assert_non_null(f);
	static char line[65536];
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_non_null(strstr(line, "\"fds\": []"));
}

static void test_azure_cli_missing_is_reported_from_the_loop(void **state)
{
	(void)state;
	struct t t;
	t_open(&t, AUTH_AZURE_CLI, "organizations", NULL, "/nonexistent/az");
	t_get(&t, AUTH_ARM);
	assert_null(t.token);
	assert_non_null(strstr(t.error, "az login"));
	t_close(&t);
}

/* Numbers from the server far outside any int: clamped before a cast (UBSan's
 * float-cast-overflow in `make asan` catches a cast that is not). */
static void test_huge_numbers_are_clamped_not_cast(void **state)
{
	(void)state;
	/* A device code that lives 1e300 s: capped at an hour, and the sign-in works. */
	fakecloud_reset(&fake, "{\"device_expires_in\": 1e300}");
	struct t t;
	t_open(&t, AUTH_DEVICE_CODE, "organizations", NULL, NULL);
	t.approve = 1;
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_non_null(t.token);
	assert_int_equal(t.expires_in, 3600);
	t_close(&t);

	/* Not a usable number (a negative one, NaN or infinity as text): the default 900 s. */
	static const char *const odd[] = {"-1e300", "\"nan\"", "\"1e400\"", "\"-inf\""};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		char script[96];
		snprintf(script, sizeof script, "{\"device_expires_in\": %s}", odd[i]);
		fakecloud_reset(&fake, script);
		t_open(&t, AUTH_DEVICE_CODE, "organizations", NULL, NULL);
		t.cancel = 1;
		t_get(&t, AUTH_ARM);
		assert_null(t.token);
		if (strcmp(odd[i], "-1e300") == 0)
			assert_int_equal(t.expires_in, 1);   /* below the floor: the floor */
		else
			assert_int_equal(t.expires_in, 900);
		t_close(&t);
	}

	/* An access token that lives 1e300 s (and -1e300 s): delivered; the long one cached. */
	vault *v = new_vault("huge", "fake-secret-0001");
	fakecloud_reset(&fake, "{\"token_lifetime\": 1e300}");
	t_open(&t, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111", v, NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_int_equal(auth_fetches(t.auth), 1);
	t_close(&t);
	fakecloud_reset(&fake, "{\"token_lifetime\": -1e300}");
	t_open(&t, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111", v, NULL);
	t_get(&t, AUTH_ARM);
	assert_null(t.error);
	assert_non_null(t.token);
	t_close(&t);
	vault_close(v);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("auth");
	return fakecloud_start(&fake, dir);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	test_rmrf(dir);
	free(dir);
	log_redact_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_principal_token_is_fetched_once_and_cached),
		cmocka_unit_test(test_service_principal_wrong_secret_names_the_vault_entry),
		cmocka_unit_test(test_service_principal_without_secret_is_refused_up_front),
		cmocka_unit_test(test_device_code_prompts_then_seals_the_refresh_token),
		cmocka_unit_test(test_device_code_slow_down_adds_five_seconds),
		cmocka_unit_test(test_device_code_expiry_says_start_again),
		cmocka_unit_test(test_device_code_cancel_reaches_the_waiter),
		cmocka_unit_test(test_azure_cli_token_comes_from_stdout),
		cmocka_unit_test(test_azure_cli_missing_is_reported_from_the_loop),
		cmocka_unit_test(test_azure_cli_child_inherits_no_descriptors),
		cmocka_unit_test(test_huge_numbers_are_clamped_not_cast),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
