/* tests/unit/test_engine_resume.c: the step engine stopped in the middle and run again on
 * the test graph (tests/unit/engine_table.h) against the fake cloud: kill -9 at random
 * moments, an operation URL in the state that is not this cloud's, engine_cancel. Each time
 * a new engine finishes the install with every resource PUT exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/unit/engine_cases.h"

/* ---- kill -9 at random moments ---- */

static int child_install(const char *dir)
{
	struct et_run r;
	char err[512];
	memset(&r, 0, sizeof r);
	r.fake = &ec_fake;
	r.table = ec_table;
	r.dir = (char *)dir;
	if (et_answers(&r.ans, 1, err, sizeof err) != 0 || et_run_attach(&r, err, sizeof err) != 0)
		return 2;
	return et_run_all(&r) == 0 ? 0 : 1;
}

/* Requests the fake has seen; -1 when unreadable. */
static int fake_request_count(void)
{
	cJSON *j = fakecloud_requests(&ec_fake);
	int n = j ? cJSON_GetArraySize(j) : -1;
	cJSON_Delete(j);
	return n;
}

static void test_kill_9_at_random_moments_then_resume(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, "{\"lro_seconds\": 0.5, \"import_seconds\": 0.5, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"virtualNetworks\": 4, \"publicIPAddresses\": 2}}");
	struct et_run r;
	char err[512];
	run_open(&r, "eng-e", 1);
	et_run_detach(&r);
	const char *env = getenv("SW_SEED");
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	srand(seed);
	int kills = 0;
	for (int round = 0; round < 3; round++) {
		int base = fake_request_count();
		assert_true(base >= 0);
		/* A whole run makes 40-50 requests (resumes look again); three K land anywhere in it. */
		int k = base + 2 + rand() % 12;
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(child_install(r.dir));
		}
		int seen = base, status = 0, exited = 0;
		while ((seen = fake_request_count()) >= 0 && seen < k) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				exited = 1;
				break;
			}
			usleep(2000);
		}
		if (!exited) {
			kill(pid, SIGKILL);
			assert_int_equal(waitpid(pid, &status, 0), pid);
			kills += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		}
		print_message("seed %u, round %d: K=%d, killed after %d requests%s\n", seed, round + 1, k, seen,
		              exited ? " (no: it ran to the end)" : "");
	}
	assert_true(kills >= 2);
	if (et_run_attach(&r, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(et_run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	assert_all_done(&r);
	print_message("the fake saw %d requests in all\n", cJSON_GetArraySize(reqs));
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- an operation URL in the state that is not this cloud's ---- */

static char vm_id[512];

static int vm_operation_saved(struct et_run *r)
{
	return cJSON_GetObjectItemCaseSensitive(et_resource_rec(r->st, vm_id), "operation") != NULL;
}

static void test_tampered_operation_url_is_refused_without_connecting(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, "{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"virtualNetworks\": 1, \"publicIPAddresses\": 3}}");
	/* Somewhere else on this host, counting who connects. */
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof sa;
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(ls, 16), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &salen), 0);

	struct et_run r;
	char err[512], evil[512];
	run_open(&r, "eng-f", 1);
	plan_id(&r, "front.ip", vm_id, sizeof vm_id);
	assert_int_equal(et_run_start(&r, err, sizeof err), 0);
	assert_true(et_run_until(&r, vm_operation_saved));
	et_run_detach(&r);   /* stops as a crash would: nothing more is written */

	struct state *st;
	assert_int_equal(state_load(r.dir, "default", &st, err, sizeof err), STATE_OK);
	cJSON *rec = et_resource_rec(st, vm_id);
	const char *tail = strstr(et_str(rec, "operation"), "/subscriptions/");
	assert_non_null(tail);
	snprintf(evil, sizeof evil, "http://127.0.0.1:%d%s", ntohs(sa.sin_port), tail);
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "operation", cJSON_CreateString(evil));
	assert_int_equal(state_save(r.dir, st, err, sizeof err), STATE_OK);
	state_free(st);

	if (et_run_attach(&r, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(et_run_all(&r), 0);
	int fl = fcntl(ls, F_GETFL);
	assert_int_equal(fcntl(ls, F_SETFL, fl | O_NONBLOCK), 0);
	int connections = 0, c;
	while ((c = accept(ls, NULL, NULL)) >= 0) {
		connections++;
		close(c);
	}
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);   /* the count is real: the socket answered */
	close(ls);
	assert_int_equal(connections, 0);
	assert_string_equal(et_action_str(r.st, "front.ip", "status"), "done");
	cJSON *reqs = requests();
	assert_int_equal(et_count(reqs, "PUT", vm_id), 1);
	assert_true(et_count(reqs, "GET", vm_id) >= 2);   /* it looked at the address instead */
	assert_all_done(&r);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

/* ---- cancel in the middle, then resume ---- */

static char cluster_id[512];

static int cluster_and_vm_in_flight(struct et_run *r)
{
	if (!cJSON_GetObjectItemCaseSensitive(et_resource_rec(r->st, cluster_id), "operation"))
		return 0;
	for (size_t i = 0; i < engine_action_count(r->e); i++) {
		struct engine_action_view v;
		engine_action_at(r->e, i, &v);
		if (strcmp(v.key, "front.ip") == 0)
			return v.state == ACT_RUNNING;
	}
	return 0;
}

/* Issue 17: a stop is the operator's, not a failure: the actions say "stopped by the
 * operator", the state records them "stopped" (Azure goes on with what it started) and the
 * steps are not marked failed; a new engine resumes them. */
static void test_cancel_stops_running_actions_and_a_new_engine_finishes(void **state)
{
	(void)state;
	fakecloud_reset(&ec_fake, "{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"virtualNetworks\": 4, \"publicIPAddresses\": 2}}");
	struct et_run r;
	char err[512];
	run_open(&r, "eng-h", 1);
	plan_id(&r, "slow.net", cluster_id, sizeof cluster_id);
	assert_int_equal(et_run_start(&r, err, sizeof err), 0);
	assert_true(et_run_until(&r, cluster_and_vm_in_flight));
	engine_cancel(r.e);
	assert_int_equal(engine_status(r.e), -1);
	assert_int_equal(r.finished_seen, 1);
	int stopped = 0;
	for (size_t i = 0; i < engine_action_count(r.e); i++) {
		struct engine_action_view v;
		assert_int_equal(engine_action_at(r.e, i, &v), 0);
		assert_true(v.state != ACT_RUNNING && v.state != ACT_WAITING);
		if (v.state == ACT_FAILED) {
			assert_string_equal(v.detail, "stopped by the operator");
			stopped++;
		}
	}
	assert_true(stopped >= 2);
	struct engine_summary sum;
	engine_summary(r.e, &sum);
	assert_int_equal(sum.failed, 0);
	assert_int_equal(sum.stopped, stopped);
	et_run_detach(&r);
	/* What was saved says so. */
	struct state *st;
	assert_int_equal(state_load(r.dir, "default", &st, err, sizeof err), STATE_OK);
	assert_string_equal(et_action_str(st, "slow.net", "status"), "stopped");
	assert_string_equal(et_action_str(st, "slow.net", "detail"), "stopped by the operator");
	assert_null(et_action_str(st, "slow.net", "error"));
	assert_string_equal(et_action_str(st, "front.ip", "status"), "stopped");
	assert_int_not_equal(st->steps[plan_step_parse("slow")].status, STEP_FAILED);
	assert_int_not_equal(st->steps[plan_step_parse("front")].status, STEP_FAILED);
	state_free(st);

	if (et_run_attach(&r, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(et_run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	assert_all_done(&r);
	cJSON_Delete(reqs);
	et_run_close(&r);
}

int main(void)
{
	ec_use_table();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_9_at_random_moments_then_resume),
		cmocka_unit_test(test_tampered_operation_url_is_refused_without_connecting),
		cmocka_unit_test(test_cancel_stops_running_actions_and_a_new_engine_finishes),
	};
	return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
