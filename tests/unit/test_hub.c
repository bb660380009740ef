/* tests/unit/test_hub.c: the registry client (core/registry/hub.c) against a hostile token
 * service: tests/fake/fakehub.py (a child on 127.0.0.1) handing out a token with a line
 * break in it, or a challenge whose realm carries a user name and password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/registry/hub.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define REPO "leafai/azure-studio-go-runner"

static pid_t hub_pid;
static char *dir;
static struct fakecloud hub;   /* only base is used: the control calls of fakecloud_child.h */

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("hub");
	char portfile[4200], script[600];
	const char *top = getenv("SW_TOP");
	snprintf(script, sizeof script, "%s/tests/fake/fakehub.py", top ? top : ".");
	snprintf(portfile, sizeof portfile, "%s/hub.port", dir);
	hub_pid = fork();
	if (hub_pid < 0)
		return -1;
	if (hub_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execlp("python3", "python3", script, "--port-file", portfile, (char *)NULL);
		_exit(127);
	}
	int port = fake_wait_port(portfile, hub_pid);
	snprintf(hub.base, sizeof hub.base, "http://127.0.0.1:%d", port);
	return port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (hub_pid > 0) {
		kill(hub_pid, SIGTERM);
		waitpid(hub_pid, NULL, 0);
	}
	test_rmrf(dir);
	free(dir);
	log_redact_clear();
	return 0;
}

struct outcome {
	int done;
	char error[700];
	size_t ntags;
};

static void on_done(const struct hub_result *r, void *arg)
{
	struct outcome *o = arg;
	o->done = 1;
	o->ntags = r->ntags;
	snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
}

static struct outcome list_tags(void)
{
	struct outcome o = {0};
	struct loop *l = loop_new();
	struct http_client *h = http_client_new(l);
	assert_non_null(hub_tags(h, hub.base, REPO, NULL, 0, on_done, &o));
	loop_run(l, &o.done);
	http_client_free(h);
	loop_free(l);
	assert_true(o.done);
	return o;
}

/* The fake's request log; the test fails when it cannot be read (an empty capture proves nothing). */
static cJSON *hub_requests(void)
{
	cJSON *j = fakecloud_requests(&hub);
	assert_non_null(j);
	return j;
}

static int count_path(const cJSON *reqs, const char *path)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "path"));
		n += p && strcmp(p, path) == 0;
	}
	return n;
}

static int count_header(const cJSON *reqs, const char *name)
{
	int n = 0;
	const cJSON *it, *h;
	cJSON_ArrayForEach(it, reqs)
	{
		cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(it, "headers"))
		{
			n += cJSON_IsString(h) && strcmp(h->valuestring, name) == 0;
		}
	}
	return n;
}

static void test_plain_token_lists_tags(void **state)
{
	(void)state;
	fakecloud_reset(&hub, "{}");
	struct outcome o = list_tags();
	assert_string_equal(o.error, "");
	assert_int_equal(o.ntags, 5);
}

static void test_token_with_a_line_break_injects_no_header(void **state)
{
	(void)state;
	fakecloud_reset(&hub, "{\"token_text\": \"tok\\r\\nX-Injected: yes\"}");
	struct outcome o = list_tags();
	cJSON *reqs = hub_requests();
	assert_int_equal(count_path(reqs, "/token"), 1);   /* the capture holds the token fetch */
	assert_int_equal(count_header(reqs, "x-injected"), 0);
	cJSON_Delete(reqs);
	if (!strstr(o.error, "registry token") || !strstr(o.error, "visible ASCII"))
		fail_msg("the step should fail naming the bad token, got: '%s'", o.error);
	assert_null(strchr(o.error, '\r'));
}

static void test_token_with_other_bytes_is_refused(void **state)
{
	(void)state;
	fakecloud_reset(&hub, "{\"token_text\": \"tok en\\u00e9\"}");
	struct outcome o = list_tags();
	cJSON *reqs = hub_requests();
	assert_int_equal(count_path(reqs, "/token"), 1);
	/* the first tags/list answered 401; no second one went out with the token */
	assert_int_equal(count_path(reqs, "/v2/" REPO "/tags/list"), 1);
	cJSON_Delete(reqs);
	assert_non_null(strstr(o.error, "visible ASCII"));
}

static void test_realm_with_userinfo_is_refused(void **state)
{
	(void)state;
	fakecloud_reset(&hub, "{\"realm_userinfo\": \"intruder:pw\"}");
	struct outcome o = list_tags();
	cJSON *reqs = hub_requests();
	assert_int_equal(count_path(reqs, "/v2/" REPO "/tags/list"), 1);   /* the challenge was read */
	assert_int_equal(count_path(reqs, "/token"), 0);
	cJSON_Delete(reqs);
	if (!strstr(o.error, "realm") || !strstr(o.error, "user name or password"))
		fail_msg("the step should fail naming the realm, got: '%s'", o.error);
	assert_null(strstr(o.error, "pw@"));   /* the password is not repeated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_token_lists_tags),
		cmocka_unit_test(test_token_with_a_line_break_injects_no_header),
		cmocka_unit_test(test_token_with_other_bytes_is_refused),
		cmocka_unit_test(test_realm_with_userinfo_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
