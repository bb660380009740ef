/* tests/unit/test_engine.c: the step engine v2 on a table shaped like the full install
 * (tests/unit/engine_table.h) against the strict fake cloud, signed in as a service
 * principal: every resource PUT once and exactly the plan's; independent work at the same
 * time; a failure stops only what depends on it; a dropped answer, kill -9 at random
 * moments, a tampered operation URL, a headless question and a cancel, each resumed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/engine/describe.h"
#include "core/engine/engine.h"
#include "core/sys/log.h"
#include "secrets/vault.h"
#include "tests/unit/engine_table.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define SUB "00000000-0000-0000-0000-000000000000"
#define PASS "passphrase-for-tests"
/* AKS the longest; VMs 1 s; everything else 0.3 s (polled at Retry-After's 1 s floor). */
#define SCRIPT_TIMED(extra)                                                                        \
	"{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 0, "                     \
	"\"lro_seconds_by_type\": {\"managedClusters\": 3, \"virtualMachines\": 1}" extra "}"

static struct fakecloud fake;
static char *top;
static char *home;

struct run {
	char *dir;
	struct answers ans;
	struct state *st;
	vault *v;
	struct engine *e;
	char finished[4096];
	int finished_seen;
	long long t0, t1;
};

/* ---- set-up ---- */

static void on_event(const struct engine_event *ev, void *arg)
{
	struct run *r = arg;
	if (ev->kind == ENGINE_EV_FINISHED) {
		snprintf(r->finished, sizeof r->finished, "%s", ev->text ? ev->text : "");
		r->finished_seen++;
	}
}

static int answers_make(struct answers *a, int decision)
{
	char key[4200], err[512];
	snprintf(key, sizeof key, "%s/.ssh/id_ed25519.pub", home);
	if (et_answers(a, key, decision, err, sizeof err) != 0) {
		fprintf(stderr, "answers: %s\n", err);
		return -1;
	}
	return 0;
}

static struct engine *engine_make(struct run *r)
{
	char err[512];
	struct engine_config cfg = {.cloud = &fake.cloud, .answers = &r->ans, .st = r->st, .state_dir = r->dir,
	                            .vault = r->v, .headless = 1, .on_event = on_event, .arg = r,
	                            .table = &engine_table};
	struct engine *e = engine_new(&cfg, err, sizeof err);
	if (!e)
		fprintf(stderr, "engine_new: %s\n", err);
	return e;
}

/* Opens state and vault from r->dir (made by run_open) and a new engine. 0 or -1. */
static int run_attach(struct run *r)
{
	char err[512];
	r->finished[0] = '\0';
	r->finished_seen = 0;
	if (state_load(r->dir, "default", &r->st, err, sizeof err) != STATE_OK ||
	    vault_open(r->dir, PASS, strlen(PASS), &r->v, err, sizeof err) != VAULT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	r->e = engine_make(r);
	return r->e ? 0 : -1;
}

static void run_detach(struct run *r)
{
	engine_free(r->e);
	r->e = NULL;
	state_free(r->st);
	r->st = NULL;
	vault_close(r->v);
	r->v = NULL;
}

/* A fresh profile directory: a vault holding the fake's client secret, an empty state. */
static void run_open(struct run *r, const char *tag, int decision)
{
	char err[512];
	vault *v = NULL;
	memset(r, 0, sizeof *r);
	r->dir = test_mkdtemp(tag);
	assert_int_equal(vault_create(r->dir, PASS, strlen(PASS), VAULT_KDF_INTERACTIVE, &v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", "fake-secret-0001", 16),
	                 VAULT_OK);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	vault_close(v);
	assert_int_equal(answers_make(&r->ans, decision), 0);
	assert_int_equal(run_attach(r), 0);
}

static void run_close(struct run *r)
{
	run_detach(r);
	answers_free(&r->ans);
	test_rmrf(r->dir);
	free(r->dir);
}

static void run_start(struct run *r)
{
	char err[512];
	r->t0 = loop_now_ms();
	assert_int_equal(engine_start(r->e, STEP_AKS, err, sizeof err), 0);
}

/* Headless to the end: engine_run's result. */
static int run_all(struct run *r)
{
	run_start(r);
	int rc = engine_run(r->e);
	r->t1 = loop_now_ms();
	return rc;
}

/* Drives the engine's loop until cond holds (1) or the run ends / 20 s pass (0). */
static int run_until(struct run *r, int (*cond)(struct run *r))
{
	long long end = loop_now_ms() + 20000;
	while (loop_now_ms() < end && engine_status(r->e) == 1) {
		if (cond(r))
			return 1;
		struct pollfd fds[64];
		int timeout = -1;
		int n = engine_fds(r->e, fds, 64, &timeout);
		if (n > 64)
			n = 64;
		poll(fds, (nfds_t)n, timeout < 0 || timeout > 50 ? 50 : timeout);
		engine_ready(r->e, fds, n);
	}
	return cond(r);
}

/* ---- what the state and the fake say ---- */

static const char *action_str(const struct state *st, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st->actions, key), field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *resource_rec(const struct state *st, const char *id)
{
	char key[1024];
	snprintf(key, sizeof key, "%s", id);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return cJSON_GetObjectItemCaseSensitive(st->resources, key);
}

/* The resource id the plan gives an action. */
static void plan_id(const struct answers *a, const char *key, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t s = 0; s < engine_table.nsteps; s++)
		for (size_t i = 0; i < engine_table.steps[s]->nactions; i++)
			if (strcmp(engine_table.steps[s]->actions[i].key, key) == 0)
				assert_int_equal(describe_resource(&engine_table.steps[s]->actions[i], a, out, outlen), 0);
	assert_true(out[0] != '\0');
}

/* The fake's request log; fails the test when it cannot be read or is empty. */
static cJSON *requests(void)
{
	cJSON *j = fakecloud_requests(&fake);
	assert_non_null(j);
	assert_true(cJSON_GetArraySize(j) > 0);
	return j;
}

static const char *req_str(const cJSON *it, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int count_exact(const cJSON *reqs, const char *method, const char *path)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		n += strcmp(req_str(it, "method"), method) == 0 && strcasecmp(req_str(it, "path"), path) == 0;
	}
	return n;
}

/* The fake's time of the first such request, on loop_now_ms()'s clock; -1 when none. */
static double first_time_ms(const cJSON *reqs, const char *method, const char *path)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		if (strcmp(req_str(it, "method"), method) == 0 && strcasecmp(req_str(it, "path"), path) == 0)
			return cJSON_GetObjectItemCaseSensitive(it, "time")->valuedouble * 1000.0 + et_clock_offset_ms();
	}
	return -1;
}

static double action_num(const struct state *st, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st->actions, key), field);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* Every resource the plan lists (made_by duplicates aside) was PUT exactly once, under the
 * step the plan names, and nothing else was PUT. */
static void assert_plan_put_once(const struct run *r, const cJSON *reqs)
{
	cJSON *plan = describe_plan_json(&engine_table, &r->ans);
	assert_non_null(plan);
	int planned = 0;
	const cJSON *js, *ja;
	cJSON_ArrayForEach(js, cJSON_GetObjectItemCaseSensitive(plan, "steps"))
	{
		const char *step = req_str(js, "key");
		cJSON_ArrayForEach(ja, cJSON_GetObjectItemCaseSensitive(js, "actions"))
		{
			const char *id = req_str(ja, "resource");
			if (!*id || cJSON_GetObjectItemCaseSensitive(ja, "made_by"))
				continue;
			planned++;
			int n = count_exact(reqs, "PUT", id);
			if (n != 1)
				fail_msg("%s: %d PUTs of %s", req_str(ja, "key"), n, id);
			const cJSON *rec = resource_rec(r->st, id);
			assert_non_null(rec);
			assert_string_equal(req_str(rec, "step"), step);
		}
	}
	int puts = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		puts += strcmp(req_str(it, "method"), "PUT") == 0;
	}
	assert_int_equal(puts, planned);
	assert_int_equal(planned, 15);   /* 2 groups, 2 x (IP, VNet, NSG, NIC, VM), registry, cluster, attach */
	cJSON_Delete(plan);
}

static void assert_all_done_nothing_pending(const struct run *r)
{
	for (size_t i = 0; i < engine_action_count(r->e); i++) {
		struct engine_action_view v;
		assert_int_equal(engine_action_at(r->e, i, &v), 0);
		const char *st = action_str(r->st, v.key, "status");
		if (!st || strcmp(st, "done") != 0)
			fail_msg("%s: %s (%s)", v.key, st ? st : "no record", v.detail);
		assert_null(action_str(r->st, v.key, "operation"));
	}
	const cJSON *rec;
	cJSON_ArrayForEach(rec, r->st->resources)
	{
		if (cJSON_GetObjectItemCaseSensitive(rec, "operation"))
			fail_msg("%s: an operation is left in the state", rec->string);
	}
}

/* ---- a, b: the whole install ---- */

static void test_install_puts_every_planned_resource_once(void **state)
{
	(void)state;
	fakecloud_reset(&fake, SCRIPT_TIMED(""));
	struct run r;
	run_open(&r, "eng-a", 1);
	assert_int_equal(run_all(&r), 0);
	assert_int_equal(r.finished_seen, 1);
	assert_non_null(strstr(r.finished, "23 done, 0 failed, 0 not started"));
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	char group[512];
	plan_id(&r.ans, "rabbitmq.group", group, sizeof group);
	assert_int_equal(count_exact(reqs, "PUT", group), 1);   /* shared by rabbitmq, minio and acr */
	assert_string_equal(action_str(r.st, "minio.group", "detail"), "made by rabbitmq.group");
	assert_string_equal(action_str(r.st, "acr.group", "detail"), "made by rabbitmq.group");
	assert_all_done_nothing_pending(&r);
	/* What the later steps read. */
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(r.st->outputs, "rabbitmq.public_ip");
	assert_true(cJSON_IsString(ip) && strncmp(ip->valuestring, "127.0.0.", 8) == 0);
	const unsigned char *kc;
	size_t kclen;
	assert_int_equal(vault_get(r.v, "aks-kubeconfig", &kc, &kclen, NULL), VAULT_OK);
	assert_true(kclen > 0);
	cJSON_Delete(reqs);
	run_close(&r);
}

static void test_independent_work_runs_at_once(void **state)
{
	(void)state;
	fakecloud_reset(&fake, SCRIPT_TIMED(""));
	struct run r;
	run_open(&r, "eng-b", 1);
	assert_int_equal(run_all(&r), 0);
	cJSON *reqs = requests();
	char cluster[512];
	plan_id(&r.ans, "aks.cluster", cluster, sizeof cluster);
	double put = first_time_ms(reqs, "PUT", cluster);
	assert_true(put > 0);
	double sub_end = 0;
	const char *subs[] = {"subscription.sign-in", "subscription.select", "subscription.providers",
	                      "subscription.permissions"};
	for (size_t i = 0; i < 4; i++)
		if (action_num(r.st, subs[i], "finished_ms") > sub_end)
			sub_end = action_num(r.st, subs[i], "finished_ms");
	double vm1 = action_num(r.st, "rabbitmq.vm", "finished_ms"), vm2 = action_num(r.st, "minio.vm", "finished_ms");
	double c = et_critical_path(&engine_table, &r.ans, r.st, NULL, 0);
	double w = (double)(r.t1 - r.t0) / 1000.0;
	print_message("cluster PUT %.0f ms after the subscription step; VMs done %.0f and %.0f ms after it; wall %.2f s, "
	              "critical path %.2f s, ratio %.3f\n", put - sub_end, vm1 - put, vm2 - put, w, c, w / c);
	assert_true(put < vm1 && put < vm2);
	assert_true(put - sub_end < 1000);
	assert_true(c > 3.0);   /* the cluster alone takes 3 s */
	assert_true(w / c < 1.5);
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- c: a failure stops only what depends on it ---- */

static void test_failure_stops_only_its_dependents(void **state)
{
	(void)state;
	fakecloud_reset(&fake, SCRIPT_TIMED(", \"faults\": [{\"method\": \"PUT\", \"path\": \"/registries/\", "
	                                    "\"status\": 400, \"code\": \"InvalidParameter\", "
	                                    "\"message\": \"fakecloud refuses this registry\"}]"));
	struct run r;
	run_open(&r, "eng-c", 1);
	assert_int_equal(run_all(&r), -1);
	assert_string_equal(action_str(r.st, "acr.registry", "status"), "failed");
	assert_non_null(strstr(action_str(r.st, "acr.registry", "error"), "fakecloud refuses this registry"));
	assert_null(action_str(r.st, "acr.import", "status"));   /* never started */
	assert_null(action_str(r.st, "aks.attach", "status"));
	const char *done[] = {"rabbitmq.vm", "minio.vm", "aks.cluster", "aks.kubeconfig"};
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(action_str(r.st, done[i], "status"), "done");
	assert_non_null(strstr(r.finished, "20 done, 1 failed, 2 not started"));
	assert_non_null(strstr(r.finished, "acr.registry failed: "));
	assert_non_null(strstr(r.finished, "acr.import waits for acr.registry, which failed"));
	assert_non_null(strstr(r.finished, "aks.attach waits for acr.registry, which failed"));
	cJSON *reqs = requests();
	char id[512];
	plan_id(&r.ans, "acr.registry", id, sizeof id);
	assert_int_equal(count_exact(reqs, "PUT", id), 1);
	plan_id(&r.ans, "aks.attach", id, sizeof id);
	assert_int_equal(count_exact(reqs, "PUT", id), 0);
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- d: the answer to a PUT lost after Azure took it ---- */

static void test_dropped_put_answer_is_looked_at_not_resent(void **state)
{
	(void)state;
	fakecloud_reset(&fake, SCRIPT_TIMED(", \"faults\": [{\"method\": \"PUT\", \"path\": \"/publicIPAddresses/\", "
	                                    "\"times\": 1, \"action\": \"reset\"}]"));
	struct run r;
	run_open(&r, "eng-d", 1);
	assert_int_equal(run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	/* The IP whose answer was dropped: the first IP PUT the fake saw. */
	const char *dropped = NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		if (!dropped && strcmp(req_str(it, "method"), "PUT") == 0 && strcasestr(req_str(it, "path"), "/publicIPAddresses/"))
			dropped = req_str(it, "path");
	}
	assert_non_null(dropped);
	const cJSON *rec = resource_rec(r.st, dropped);
	assert_non_null(rec);
	const char *key = req_str(rec, "action");
	assert_string_equal(action_str(r.st, key, "status"), "done");
	/* It looked: a GET after the PUT (besides the first look before it). */
	assert_true(count_exact(reqs, "GET", dropped) >= 2);
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- e: kill -9 at random moments ---- */

static int child_install(const char *dir)
{
	struct run r;
	memset(&r, 0, sizeof r);
	r.dir = (char *)dir;
	if (answers_make(&r.ans, 1) != 0 || run_attach(&r) != 0)
		return 2;
	char err[512];
	if (engine_start(r.e, STEP_AKS, err, sizeof err) != 0)
		return 3;
	return engine_run(r.e) == 0 ? 0 : 1;
}

/* Requests the fake has seen; *attach set once the role assignment was PUT. -1 when unreadable. */
static int fake_request_count(int *attach)
{
	cJSON *j = fakecloud_requests(&fake);
	int n = j ? cJSON_GetArraySize(j) : -1;
	const cJSON *it;
	cJSON_ArrayForEach(it, j)
	{
		if (strcmp(req_str(it, "method"), "PUT") == 0 && strcasestr(req_str(it, "path"), "/roleAssignments/"))
			*attach = 1;
	}
	cJSON_Delete(j);
	return n;
}

static void test_kill_9_at_random_moments_then_resume(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 0.5, \"import_seconds\": 0.5, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"managedClusters\": 4, \"virtualMachines\": 2}}");
	struct run r;
	run_open(&r, "eng-e", 1);
	run_detach(&r);
	const char *env = getenv("SW_SEED");
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	srand(seed);
	int kills = 0, attach = 0;
	for (int round = 0; round < 3 && !attach; round++) {
		int base = fake_request_count(&attach);
		assert_true(base >= 0);
		/* A whole run makes 70-90 requests (resumes look again); three K land anywhere in it. */
		int k = base + 2 + rand() % 22;
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(child_install(r.dir));
		}
		int seen = base, status = 0, exited = 0;
		/* Not after the role assignment's PUT: the fake answers its GET with 404 whether it
		 * exists or not (Azure does not), so a resume would PUT it again. */
		while ((seen = fake_request_count(&attach)) >= 0 && seen < k && !attach) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				exited = 1;
				break;
			}
			usleep(2000);
		}
		if (!exited && attach)
			exited = waitpid(pid, &status, 0) == pid;
		if (!exited) {
			kill(pid, SIGKILL);
			assert_int_equal(waitpid(pid, &status, 0), pid);
			kills += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		}
		print_message("seed %u, round %d: K=%d, killed after %d requests%s\n", seed, round + 1, k, seen,
		              exited ? " (no: it ran to the end)" : "");
	}
	assert_true(kills >= 2);
	assert_int_equal(run_attach(&r), 0);
	assert_int_equal(run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	assert_all_done_nothing_pending(&r);
	print_message("the fake saw %d requests in all\n", cJSON_GetArraySize(reqs));
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- f: an operation URL in the state that is not this cloud's ---- */

static char vm_id[512];

static int vm_operation_saved(struct run *r)
{
	return cJSON_GetObjectItemCaseSensitive(resource_rec(r->st, vm_id), "operation") != NULL;
}

static void test_tampered_operation_url_is_refused_without_connecting(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"managedClusters\": 1, \"virtualMachines\": 3}}");
	/* Somewhere else on this host, counting who connects. */
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof sa;
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(ls, 16), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &salen), 0);

	struct run r;
	run_open(&r, "eng-f", 1);
	plan_id(&r.ans, "rabbitmq.vm", vm_id, sizeof vm_id);
	run_start(&r);
	assert_true(run_until(&r, vm_operation_saved));
	run_detach(&r);   /* stops as a crash would: nothing more is written */

	char err[512], evil[512];
	assert_int_equal(state_load(r.dir, "default", &r.st, err, sizeof err), STATE_OK);
	cJSON *rec = resource_rec(r.st, vm_id);
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(rec, "operation");
	assert_true(cJSON_IsString(op));
	const char *tail = strstr(op->valuestring, "/subscriptions/");
	assert_non_null(tail);
	snprintf(evil, sizeof evil, "http://127.0.0.1:%d%s", ntohs(sa.sin_port), tail);
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "operation", cJSON_CreateString(evil));
	assert_int_equal(state_save(r.dir, r.st, err, sizeof err), STATE_OK);
	state_free(r.st);
	r.st = NULL;

	assert_int_equal(run_attach(&r), 0);
	assert_int_equal(run_all(&r), 0);
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
	assert_string_equal(action_str(r.st, "rabbitmq.vm", "status"), "done");
	cJSON *reqs = requests();
	assert_int_equal(count_exact(reqs, "PUT", vm_id), 1);
	assert_true(count_exact(reqs, "GET", vm_id) >= 2);   /* it looked at the VM instead */
	assert_all_done_nothing_pending(&r);
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- g: a question in a headless run without its answer ---- */

static void test_headless_question_names_the_answers_key(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"unregistered\": [\"Microsoft.Compute\"]}");
	struct run r;
	run_open(&r, "eng-g", 0);
	assert_int_equal(run_all(&r), -1);
	assert_string_equal(action_str(r.st, "subscription.providers", "status"), "failed");
	assert_non_null(strstr(action_str(r.st, "subscription.providers", "error"), "decisions.register_providers"));
	assert_non_null(strstr(r.finished, "decisions.register_providers"));
	cJSON *reqs = requests();
	assert_true(count_exact(reqs, "GET", "/subscriptions/" SUB "/providers/Microsoft.Compute") >= 1);
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		assert_string_not_equal(req_str(it, "method"), "PUT");
		assert_true(strcasestr(req_str(it, "path"), "/register") == NULL);
	}
	cJSON_Delete(reqs);
	run_close(&r);
}

/* ---- h: cancel in the middle, then resume ---- */

static char cluster_id[512];

static int cluster_and_vm_in_flight(struct run *r)
{
	if (!cJSON_GetObjectItemCaseSensitive(resource_rec(r->st, cluster_id), "operation"))
		return 0;
	for (size_t i = 0; i < engine_action_count(r->e); i++) {
		struct engine_action_view v;
		engine_action_at(r->e, i, &v);
		if (strcmp(v.key, "rabbitmq.vm") == 0)
			return v.state == ACT_RUNNING;
	}
	return 0;
}

static void test_cancel_fails_running_actions_and_a_new_engine_finishes(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"lro_seconds\": 0.3, \"import_seconds\": 0.3, \"retry_after\": 1, "
	                       "\"lro_seconds_by_type\": {\"managedClusters\": 4, \"virtualMachines\": 2}}");
	struct run r;
	run_open(&r, "eng-h", 1);
	plan_id(&r.ans, "aks.cluster", cluster_id, sizeof cluster_id);
	run_start(&r);
	assert_true(run_until(&r, cluster_and_vm_in_flight));
	engine_cancel(r.e);
	assert_int_equal(engine_status(r.e), -1);
	assert_int_equal(r.finished_seen, 1);
	int cancelled = 0;
	for (size_t i = 0; i < engine_action_count(r.e); i++) {
		struct engine_action_view v;
		assert_int_equal(engine_action_at(r.e, i, &v), 0);
		assert_true(v.state != ACT_RUNNING && v.state != ACT_WAITING);
		if (v.state == ACT_FAILED) {
			assert_string_equal(v.detail, "cancelled");
			cancelled++;
		}
	}
	assert_true(cancelled >= 2);
	run_detach(&r);
	/* What was saved says so. */
	char err[512];
	assert_int_equal(state_load(r.dir, "default", &r.st, err, sizeof err), STATE_OK);
	assert_string_equal(action_str(r.st, "aks.cluster", "status"), "failed");
	assert_string_equal(action_str(r.st, "aks.cluster", "error"), "cancelled");
	assert_string_equal(action_str(r.st, "rabbitmq.vm", "status"), "failed");
	assert_string_equal(action_str(r.st, "rabbitmq.vm", "error"), "cancelled");
	state_free(r.st);
	r.st = NULL;

	assert_int_equal(run_attach(&r), 0);
	assert_int_equal(run_all(&r), 0);
	cJSON *reqs = requests();
	assert_plan_put_once(&r, reqs);
	assert_all_done_nothing_pending(&r);
	cJSON_Delete(reqs);
	run_close(&r);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	top = test_mkdtemp("engine");
	home = test_home_with_ssh_key("engine-home");
	if (!home)
		return -1;
	char log[4200];
	snprintf(log, sizeof log, "%s/wizard.log", top);
	log_open(log);
	return fakecloud_start(&fake, top);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	log_close();
	log_redact_clear();
	test_rmrf(home);
	free(home);
	test_rmrf(top);
	free(top);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_puts_every_planned_resource_once),
		cmocka_unit_test(test_independent_work_runs_at_once),
		cmocka_unit_test(test_failure_stops_only_its_dependents),
		cmocka_unit_test(test_dropped_put_answer_is_looked_at_not_resent),
		cmocka_unit_test(test_kill_9_at_random_moments_then_resume),
		cmocka_unit_test(test_tampered_operation_url_is_refused_without_connecting),
		cmocka_unit_test(test_headless_question_names_the_answers_key),
		cmocka_unit_test(test_cancel_fails_running_actions_and_a_new_engine_finishes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
