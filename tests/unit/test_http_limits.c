/* tests/unit/test_http_limits.c: what the one HTTP path refuses to send, against the loopback
 * fake cloud (tests/fake/fakecloud.py, a child on 127.0.0.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/http.h"
#include "core/sys/log.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define NOAUTH "{\"require_auth\": false"

static struct fakecloud fake;
static char *dir;

struct result {
	int done;
	long status;
	unsigned attempts;
	double seconds;
	char error[600];
};

static void on_done(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct result *res = arg;
	res->done = 1;
	res->status = r->status;
	res->attempts = r->attempts;
	res->seconds = r->seconds;
	snprintf(res->error, sizeof res->error, "%s", r->error ? r->error : "");
}

static void test_header_with_a_line_break_is_refused_unsent(void **state)
{
	(void)state;
	fakecloud_reset(&fake, NOAUTH "}");
	char url[128];
	snprintf(url, sizeof url, "%s/tenants?api-version=2022-12-01", fake.base);
	const char *hdrs[] = {"Authorization: Bearer tok\r\nX-Injected: yes", NULL};
	struct http_client *c = http_client_new();
	struct result res = {0};
	http_client_submit(c, http_request_new("GET", url, hdrs, NULL), on_done, &res);
	http_client_wait(c);
	http_client_free(c);
	assert_true(res.done);
	assert_int_equal(res.status, 0);
	if (!strstr(res.error, "127.0.0.1") || !strstr(res.error, "line break"))
		fail_msg("expected a refusal naming the host, got '%s'", res.error);
	cJSON *reqs = fakecloud_requests(&fake);
	assert_non_null(reqs);   /* the fake answered: its empty log means nothing was sent */
	assert_int_equal(cJSON_GetArraySize(reqs), 0);
	cJSON_Delete(reqs);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("http-limits");
	return fakecloud_start(&fake, dir);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	test_rmrf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_with_a_line_break_is_refused_unsent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
