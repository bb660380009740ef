/* tests/unit/test_overlay.c: the overlay step through the engine (a step table with only the
 * overlay step's actions) against the strict fake Kubernetes 1.32 API server, with a state
 * and vault holding what the earlier steps leave. Checked with real tools: kubectl kustomize
 * renders what the fake received, openssl decrypts the runner key with the sealed passphrase,
 * ssh-keygen reads the signing key, the real binary exports the experimenter's config. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/azure/cloud.h"
#include "core/http/http.h"
#include "core/crypto/runnerkey.h"
#include "core/engine/engine.h"
#include "core/remote/keys.h"
#include "core/steps/overlay.h"
#include "core/steps/steps.h"
#include "testutil.h"
#include "tests/unit/fakekube_child.h"

#define PASS "overlay test passphrase"
#define RMQ_PASS "Rmq0Pass0word0Xyz9"
#define IMAGE "leafai1a2b3c4d.azurecr.io/leafai/azure-studio-go-runner:0.13.2"

static pid_t fake_pid;
static char fdir[600], control[128], kubeconfig_text[16384], *home;
static size_t kubeconfig_len;

/* ---- the fake ---- */

struct reply {
	long status;
	char *body;
};

static void on_reply(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct reply *out = arg;
	out->status = r->status;
	out->body = strdup(r->body ? r->body : "");
}

/* A blocking call to the fake's control port; the body is returned (caller frees). */
static char *fake_call(const char *path, const char *body, long *status)
{
	char url[300];
	snprintf(url, sizeof url, "%s%s", control, path);
	struct loop *l = loop_new();
	struct http_client *c = http_client_new(l);
	struct reply rep = {0, NULL};
	http_client_submit(c, http_request_new("POST", url, NULL, body ? body : ""), on_reply, &rep);
	http_client_wait(c);
	http_client_free(c);
	loop_free(l);
	if (status)
		*status = rep.status;
	return rep.body;
}

static void fake_post(const char *path, const char *body)
{
	long st = 0;
	free(fake_call(path, body, &st));
	assert_int_equal(st, 200);
}

static int fake_start(void)
{
	return fakekube_start(fdir, &fake_pid, control, sizeof control, kubeconfig_text, sizeof kubeconfig_text,
	                      &kubeconfig_len);
}

/* The overlay step without overlay.proof (its Job needs the sandbox VMs: tests/cli/test_install*.sh). */
static struct step_def overlay_no_proof;

static int group_setup(void **state)
{
	overlay_no_proof = step_overlay;
	while (overlay_no_proof.nactions && !strcmp(overlay_no_proof.actions[overlay_no_proof.nactions - 1].key, "overlay.proof"))
		overlay_no_proof.nactions--;
	(void)state;
	if (vault_process_init() != 0)
		return -1;
	const char *t = getenv("TEST_TMP");
	snprintf(fdir, sizeof fdir, "%s/fakekube", t ? t : "/tmp");
	home = test_home_with_ssh_key("home");
	overlay_set_rollout_timing(200, 30000);
	return home ? fake_start() : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
	}
	return 0;
}

/* ---- a profile holding what the earlier steps leave ---- */

/* The earlier steps' questions without their actions (built by use_only_overlay). */
static struct step_def empty[5];
static const struct step_def *const only_overlay[] = {&empty[0], &empty[1], &empty[2], &empty[3], &empty[4],
                                                       &overlay_no_proof};
static const struct step_table table = {only_overlay, sizeof only_overlay / sizeof only_overlay[0]};

static void use_only_overlay(void)
{
	const struct step_table *t = steps_table();
	for (size_t i = 0; i < 5; i++)
		empty[i] = (struct step_def){.plan = t->steps[i]->plan};
}

struct fix {
	char *dir;
	char overlay[700];
	char answers[2048];
};

static char events[65536];
static int add_capacity;   /* adds GPUs the first time pods wait for them */

static void on_event(const struct engine_event *ev, void *arg)
{
	(void)arg;
	size_t o = strlen(events);
	snprintf(events + o, sizeof events - o, "%s %s | %s | %s\n", engine_event_name(ev->kind),
	         ev->action ? ev->action : "-", ev->text ? ev->text : "", ev->detail ? ev->detail : "");
	if (add_capacity && ev->detail && strstr(ev->detail, "Insufficient nvidia.com/gpu")) {
		add_capacity = 0;
		fake_post("/_fake/capacity", "{\"nvidia.com/gpu\": 1}");
	}
}

/* The runner's keys as the overlay step leaves them (vault entries and public outputs), made
 * once for the cases whose subject is not the key generation: an RSA-4096 key costs seconds
 * of CPU. test_gpu_install_pending_then_running has the step make its own. */
static void seed_keys(vault *v, struct state *st)
{
	static struct runnerkey rk;
	static char *sk_text, line[1024];
	static size_t sk_len;
	char err[512];
	if (!rk.private_pem) {
		assert_int_equal(runnerkey_generate(&rk, err, sizeof err), 0);
		struct keys_pair *sk = keys_generate("studioml experimenter signing key");
		assert_non_null(sk);
		assert_non_null(sk_text = keys_private_openssh(sk, &sk_len));
		assert_int_equal(keys_public_line(sk, line, sizeof line), 0);
		keys_free(sk);
	}
	assert_int_equal(vault_put(v, "runner-key-passphrase", VAULT_KIND_PASSWORD, "overlay", rk.passphrase,
	                           rk.passphrase_len), VAULT_OK);
	assert_int_equal(vault_put(v, "runner-encryption-key", VAULT_KIND_SSH_KEY, "overlay", rk.private_pem,
	                           rk.private_len), VAULT_OK);
	assert_int_equal(vault_put(v, "experimenter-signing-key", VAULT_KIND_SSH_KEY, "overlay", sk_text, sk_len),
	                 VAULT_OK);
	cJSON_AddStringToObject(st->outputs, "overlay.runner_public_key", rk.public_pem);
	cJSON_AddStringToObject(st->outputs, "overlay.signing_public_key", line);
}

enum { KEYS_MADE_BY_STEP, KEYS_SEEDED };

static void fix_new(struct fix *f, const char *tag, const char *mode, int nodes, int gpus, int keys)
{
	char err[512];
	f->dir = test_mkdtemp(tag);
	snprintf(f->overlay, sizeof f->overlay, "%s/ovl/studioml", f->dir);
	snprintf(f->answers, sizeof f->answers,
	         "{\"subscription\": \"11111111-2222-3333-4444-555555555555\", \"uniq_id\": \"1a2b3c4d\","
	         "\"rabbitmq\": {\"ssh_public_key_file\": \"%s/.ssh/id_ed25519.pub\"},"
	         "\"minio\": {\"ssh_public_key_file\": \"%s/.ssh/id_ed25519.pub\"},"
	         "\"aks\": {\"node_count\": %d}, \"overlay\": {\"dir\": \"%s\", \"namespace\": \"team-a\"}}",
	         home, home, nodes, f->overlay);
	vault *v = NULL;
	assert_int_equal(vault_create(f->dir, PASS, strlen(PASS), VAULT_KDF_INTERACTIVE, &v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_put(v, "rabbitmq-password", VAULT_KIND_PASSWORD, "rabbitmq", RMQ_PASS, strlen(RMQ_PASS)), VAULT_OK);
	assert_int_equal(vault_put(v, "minio-access-key", VAULT_KIND_ACCESS_KEY, "minio", "minioadmin7", 11), VAULT_OK);
	assert_int_equal(vault_put(v, "minio-secret-key", VAULT_KIND_PASSWORD, "minio", "Minio/Secret+Key9", 17), VAULT_OK);
	assert_int_equal(vault_put(v, "aks-kubeconfig", VAULT_KIND_KUBECONFIG, "aks", kubeconfig_text, kubeconfig_len), VAULT_OK);
	struct state *st = NULL;
	assert_int_equal(state_load(f->dir, "test", &st, err, sizeof err), STATE_OK);
	if (keys == KEYS_SEEDED)
		seed_keys(v, st);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	st->vault_generation = vault_generation(v);
	char g[16];
	snprintf(g, sizeof g, "%d", gpus);
	cJSON_AddStringToObject(st->outputs, "rabbitmq.public_ip", "10.1.2.3");
	cJSON_AddStringToObject(st->outputs, "minio.endpoint", "http://10.1.2.4:9000");
	cJSON_AddStringToObject(st->outputs, "acr.image", IMAGE);
	cJSON_AddStringToObject(st->outputs, "aks.mode", mode);
	snprintf(g, sizeof g, "%d", nodes);
	cJSON_AddStringToObject(st->outputs, "aks.nodes", g);
	snprintf(g, sizeof g, "%d", gpus);
	cJSON_AddStringToObject(st->outputs, "aks.node_gpus", g);
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
	vault_close(v);
}

/* One install run from what is on disk, as `run` does it; 0 when every action is done. */
static int fix_run(struct fix *f)
{
	char err[512];
	vault *v = NULL;
	struct state *st = NULL;
	struct answers a;
	answers_init(&a);
	assert_int_equal(vault_open(f->dir, PASS, strlen(PASS), &v, err, sizeof err), VAULT_OK);
	assert_int_equal(state_load(f->dir, "test", &st, err, sizeof err), STATE_OK);
	if (answers_parse(&a, f->answers, err, sizeof err) != ANSWERS_OK || answers_complete(&a, err, sizeof err) != ANSWERS_OK)
		fail_msg("answers: %s", err);
	cJSON_Delete(st->answers);
	st->answers = answers_to_json(&a);
	struct engine_config cfg = {.cloud = cloud_find("AzureCloud"), .answers = &a, .st = st, .state_dir = f->dir,
	                            .vault = v, .headless = 1, .on_event = on_event, .table = &table};
	struct engine *e = engine_new(&cfg, err, sizeof err);
	if (!e)
		fail_msg("engine_new: %s", err);
	if (engine_start(e, plan_step_parse("overlay"), err, sizeof err) != 0)
		fail_msg("engine_start: %s", err);
	int rc = engine_run(e);
	if (getenv("OVL_DEBUG"))
		fprintf(stderr, "%s", events);
	engine_free(e);
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
	vault_close(v);
	answers_free(&a);
	return rc;
}

static void fix_free(struct fix *f)
{
	test_rmrf(f->dir);
	free(f->dir);
}

/* ---- helpers over what the fake received ---- */

static cJSON *applied_find(cJSON *all, const char *kind, const char *name)
{
	cJSON *o;
	cJSON_ArrayForEach(o, all)
	{
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind"));
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "name"));
		if (k && n && !strcmp(k, kind) && !strcmp(n, name))
			return o;
	}
	return NULL;
}

static cJSON *fake_json(const char *path)
{
	char *body = fake_call(path, NULL, NULL);
	cJSON *j = cJSON_Parse(body);
	free(body);
	assert_non_null(j);
	return j;
}

/* data[key] of a Secret decoded into out (NUL-terminated); returns the length. */
static size_t secret_value(cJSON *all, const char *name, const char *key, char *out, size_t cap)
{
	cJSON *s = applied_find(all, "Secret", name);
	assert_non_null(s);
	const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "data"), key));
	assert_non_null(b64);
	size_t len = 0;
	assert_int_equal(sodium_base642bin((unsigned char *)out, cap - 1, b64, strlen(b64), NULL, &len, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL), 0);
	out[len] = 0;
	return len;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static char *vault_value(struct fix *f, const char *name, size_t *len)
{
	char err[512];
	vault *v = NULL;
	const unsigned char *val;
	assert_int_equal(vault_open(f->dir, PASS, strlen(PASS), &v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_get(v, name, &val, len, NULL), VAULT_OK);
	char *copy = calloc(1, *len + 1);
	memcpy(copy, val, *len);
	vault_close(v);
	return copy;
}

#include "test_overlay_cases.h"

int main(void)
{
	test_use_steps();
	use_only_overlay();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpu_install_pending_then_running),
		cmocka_unit_test(test_cpu_mode_renders_what_was_applied),
		cmocka_unit_test(test_image_pull_failure_reported),
		cmocka_unit_test(test_crash_log_never_shows_a_vault_value),
		cmocka_unit_test(test_kill_during_apply_then_resume),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
