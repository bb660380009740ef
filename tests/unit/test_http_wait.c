/* tests/unit/test_http_wait.c: the HTTP client on the one loop (doc/event-loop.md). It
 * registers only the sockets and the timer libcurl asks for (CURLMOPT_SOCKETFUNCTION,
 * CURLMOPT_TIMERFUNCTION) and its own retry timers, so while a request waits the loop sleeps:
 * every wake runs a callback, none is a poll that found nothing. Against the loopback fake
 * cloud (tests/fake/fakecloud.py, its "slow" and 429 faults). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http/http.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
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
};

static void on_done(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct result *res = arg;
	res->done = 1;
	res->status = r->status;
	res->attempts = r->attempts;
	res->seconds = r->seconds;
}

struct turns {
	int turns, idle;
};

/* Turns the loop until res is done, counting the turns and those that ran no callback. */
static struct turns drive(struct loop *l, const struct result *res)
{
	struct turns t = {0, 0};
	while (!res->done) {
		int calls = loop_once(l, -1);
		assert_true(calls >= 0);
		t.turns++;
		t.idle += calls == 0;
	}
	return t;
}

static void get(struct http_client *c, const char *path, struct result *res)
{
	char url[256];
	snprintf(url, sizeof url, "%s%s", fake.base, path);
	memset(res, 0, sizeof *res);
	http_client_submit(c, http_request_new("GET", url, NULL, NULL), on_done, res);
}

/* One GET of /tenants on a fresh loop under the fake's script; the turns it took. */
static struct turns get_tenants(const char *script, struct result *res)
{
	fakecloud_reset(&fake, script);
	struct loop *l = loop_new();
	struct http_client *c = http_client_new(l);
	get(c, "/tenants?api-version=2022-12-01", res);
	struct turns t = drive(l, res);
	print_message("%d turns over %.2f s, %d found nothing\n", t.turns, res->seconds, t.idle);
	http_client_free(c);
	loop_free(l);
	return t;
}

static void test_a_slow_answer_wakes_the_loop_only_for_its_socket_or_timer(void **s)
{
	(void)s;
	struct result res;
	/* The headers and half the body, then 1.5 s of silence, then the rest. */
	struct turns t = get_tenants(NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"action\": \"slow\", "
	                             "\"chunks\": 2, \"delay\": 1.5}]}", &res);
	assert_int_equal(res.status, 200);
	assert_true(res.seconds >= 1.4);   /* the silence happened */
	assert_int_equal(t.idle, 0);
	/* A poll every 100 ms would take 15 turns for the silence alone. */
	assert_true(t.turns <= 12);
}

static void test_a_retry_after_wait_is_one_timer(void **s)
{
	(void)s;
	struct result res;
	struct turns t = get_tenants(NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"times\": 1, "
	                             "\"status\": 429, \"retry_after\": 1}]}", &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.attempts, 2);
	assert_true(res.seconds >= 0.95);
	assert_int_equal(t.idle, 0);
	assert_true(t.turns <= 12);
}

static void on_key(int fd, short revents, void *arg)
{
	(void)revents;
	char ch;
	assert_int_equal(read(fd, &ch, 1), 1);
	++*(int *)arg;
}

/* Beside a front end's own fd: the client's sockets and timers come and go, the key stays. */
static void test_the_client_shares_the_loop_and_leaves_nothing_on_it(void **s)
{
	(void)s;
	fakecloud_reset(&fake, NOAUTH "}");
	struct loop *l = loop_new();
	int p[2], keys = 0;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_watch(l, p[0], POLLIN, on_key, &keys), 0);
	struct http_client *c = http_client_new(l);
	struct result a, b;
	get(c, "/tenants?api-version=2022-12-01", &a);
	get(c, "/subscriptions?api-version=2022-12-01", &b);
	assert_true(loop_pending(l) > 1);   /* the key and what libcurl asked for */
	assert_int_equal(write(p[1], "k", 1), 1);
	drive(l, &a);
	drive(l, &b);
	assert_int_equal(keys, 1);
	assert_int_equal(a.status, 200);
	assert_true(b.status > 0);
	http_client_free(c);
	assert_int_equal(loop_pending(l), 1);   /* only the key's fd is left */
	loop_unwatch(l, p[0]);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static int setup(void **state)
{
	(void)state;
	dir = test_mkdtemp("http-wait");
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
		cmocka_unit_test(test_a_slow_answer_wakes_the_loop_only_for_its_socket_or_timer),
		cmocka_unit_test(test_a_retry_after_wait_is_one_timer),
		cmocka_unit_test(test_the_client_shares_the_loop_and_leaves_nothing_on_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
