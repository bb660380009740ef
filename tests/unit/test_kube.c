/* tests/unit/test_kube.c: the Kubernetes client (core/kube) against the strict fake API server
 * (tests/fake/fakekube.mjs, a child on 127.0.0.1 with its own CA and mutual TLS). */
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

#include "core/kube/kube.h"
#include "core/kube/kubeconfig.h"
#include "core/kube/rollout.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "tests/unit/fakekube_child.h"

static pid_t fake_pid;
static char dir[600], control[128], kubeconfig_text[16384];
static size_t kubeconfig_len;

/* Fake child ------------------------------------------------------------------ */

static int fake_start(void)
{
	return fakekube_start(dir, &fake_pid, control, sizeof control, kubeconfig_text, sizeof kubeconfig_text,
	                      &kubeconfig_len);
}

struct reply {
	long status;
	char *body;
};

static void on_reply(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct reply *out = arg;
	out->status = r->status;
	out->body = strdup(r->body);
}

/* A blocking call to the fake's plain-http control port; frees nothing of the caller's. */
static long fake_control(const char *path, const char *body)
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
	free(rep.body);
	return rep.status;
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	const char *t = getenv("TEST_TMP");
	snprintf(dir, sizeof dir, "%s/fakekube", t ? t : "/tmp");
	return fake_start();
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

/* Client helpers ------------------------------------------------------------- */

struct outcome {
	int done;
	long status;
	char error[700];
	char rv[64];
	char text[2048];
};

static void on_done(const struct kube_result *r, void *arg)
{
	struct outcome *o = arg;
	o->done = 1;
	o->status = r->status;
	snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
	const char *rv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(r->json, "metadata"), "resourceVersion"));
	snprintf(o->rv, sizeof o->rv, "%s", rv ? rv : "");
	snprintf(o->text, sizeof o->text, "%s", r->text);
}

/* A client on a loop of its own. */
static struct http_client *new_http(void)
{
	struct loop *l = loop_new();
	assert_non_null(l);
	struct http_client *h = http_client_new(l);
	assert_non_null(h);
	http_client_set_retry(h, 2, 50, 100);
	return h;
}

static void free_http(struct http_client *h)
{
	struct loop *l = http_client_loop(h);
	http_client_free(h);
	loop_free(l);
}

static void run_until(struct http_client *h, const int *flag)
{
	loop_run(http_client_loop(h), flag);
}

static struct outcome apply_json(struct kube *k, struct http_client *h, const char *json)
{
	struct outcome o = {0};
	cJSON *obj = cJSON_Parse(json);
	assert_non_null(obj);
	assert_non_null(kube_apply(k, obj, on_done, &o));
	cJSON_Delete(obj);
	run_until(h, &o.done);
	assert_true(o.done);
	return o;
}

static struct kube *new_kube(struct http_client *h)
{
	char err[300];
	struct kube *k = kube_new(h, kubeconfig_text, kubeconfig_len, err, sizeof err);
	if (!k)
		fail_msg("kube_new: %s", err);
	return k;
}

#define NS_STUDIOML "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"studioml\"}}"

/* Tests ------------------------------------------------------------------------ */

static void test_apply_creates_and_reapply_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(fake_control("/_fake/reset", NULL), 200);
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	struct outcome o = apply_json(k, h, NS_STUDIOML);
	assert_string_equal(o.error, "");
	assert_int_equal(o.status, 201);
	const char *sa = "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"studioml-account\","
	                 "\"namespace\":\"studioml\"},\"imagePullSecrets\":[{\"name\":\"studioml-go-docker-key\"}]}";
	struct outcome a = apply_json(k, h, sa);
	assert_int_equal(a.status, 201);
	assert_true(a.rv[0]);
	struct outcome b = apply_json(k, h, sa);
	assert_int_equal(b.status, 200);
	assert_string_equal(a.rv, b.rv);   /* nothing changed */
	/* And the object is there, read back with kube_get. */
	struct outcome g = {0};
	kube_get(k, "/api/v1/namespaces/studioml/serviceaccounts/studioml-account", on_done, &g);
	run_until(h, &g.done);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.rv, a.rv);
	/* A change does bump it. */
	struct outcome c = apply_json(k, h, "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":"
	                                    "\"studioml-account\",\"namespace\":\"studioml\"}}");
	assert_int_equal(c.status, 200);
	assert_string_not_equal(c.rv, a.rv);
	kube_free(k);
	free_http(h);
}

static void test_unknown_field_reported_with_server_message(void **state)
{
	(void)state;
	assert_int_equal(fake_control("/_fake/reset", NULL), 200);
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	apply_json(k, h, NS_STUDIOML);
	/* The base manifest's stray apiVersion inside imagePullSecrets. */
	struct outcome o = apply_json(k, h, "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":"
	                                    "\"studioml-account\",\"namespace\":\"studioml\"},\"imagePullSecrets\":[{\"name\":"
	                                    "\"studioml-go-docker-key\",\"apiVersion\":\"v1\"}]}");
	assert_int_equal(o.status, 400);
	assert_string_equal(o.error, "failed to create typed patch object (studioml/studioml-account; /v1, Kind=ServiceAccount): "
	                             ".imagePullSecrets[0].apiVersion: field not declared in schema");
	/* The guide's DaemonSet apiVersion is gone from the server: 404 with its Status message. */
	struct outcome g = {0};
	kube_get(k, "/apis/extensions/v1beta1/namespaces/gpu-resources/daemonsets/nvidia-device-plugin-daemonset", on_done, &g);
	run_until(h, &g.done);
	assert_int_equal(g.status, 404);
	assert_string_equal(g.error, "the server could not find the requested resource");
	/* kube_apply does not even send it. */
	struct outcome r = apply_json(k, h, "{\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"DaemonSet\",\"metadata\":"
	                                    "{\"name\":\"x\",\"namespace\":\"gpu-resources\"}}");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "not one studio-wizard applies"));
	/* A missing namespace, and a control character in a server message made safe. */
	struct outcome n = apply_json(k, h, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
	                                    "\"namespace\":\"nope\"},\"data\":{\"a\":\"b\"}}");
	assert_int_equal(n.status, 404);
	assert_string_equal(n.error, "namespaces \"nope\" not found");
	/* A kind with an escape sequence is named in the error only made safe (text_safe). */
	struct outcome e = apply_json(k, h, "{\"apiVersion\":\"v1\",\"kind\":\"Evil\\u001b[2J\\u009b\",\"metadata\":"
	                                    "{\"name\":\"x\",\"namespace\":\"nope\"}}");
	assert_int_equal(e.status, 0);
	assert_non_null(strstr(e.error, "kind Evil\\x1b[2J\\u009b of apiVersion v1"));
	assert_null(strchr(e.error, 0x1b));
	assert_null(strstr(e.error, "\xc2\x9b"));
	kube_free(k);
	free_http(h);
}

#define GPU_DEPLOYMENT(image)                                                                                     \
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"runner\",\"namespace\":"          \
	"\"studioml\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"studioml-go-runner\"}},"     \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"studioml-go-runner\"}},\"spec\":{\"containers\":[{\"name\":" \
	"\"runner\",\"image\":\"" image "\",\"resources\":{\"limits\":{\"nvidia.com/gpu\":1}}}]}}}}"

struct watch {
	int done, ok, timed_out, saw_unschedulable, capacity_added, reports;
	const char *want_reason;
	char seen_message[600], seen_log[1100], last_error[600];
	struct kube_rollout *w;
};

static void on_report(const struct kube_rollout_report *r, void *arg)
{
	struct watch *w = arg;
	w->reports++;
	snprintf(w->last_error, sizeof w->last_error, "%s", r->error ? r->error : "");
	for (size_t i = 0; i < r->npods; i++) {
		const struct kube_pod_state *p = &r->pods[i];
		if (strcmp(p->phase, "Pending") == 0 && strcmp(p->reason, "Unschedulable") == 0 &&
		    strstr(p->message, "Insufficient nvidia.com/gpu")) {
			w->saw_unschedulable = 1;
			snprintf(w->seen_message, sizeof w->seen_message, "%s", p->message);
			if (!w->capacity_added) {
				w->capacity_added = 1;
				assert_int_equal(fake_control("/_fake/capacity", "{\"nvidia.com/gpu\": 1}"), 200);
			}
		}
		if (w->want_reason && strcmp(p->reason, w->want_reason) == 0 && !w->done) {
			snprintf(w->seen_message, sizeof w->seen_message, "%s", p->message);
			snprintf(w->seen_log, sizeof w->seen_log, "%s", p->log_tail);
			kube_rollout_cancel(w->w);
			w->done = 1;
			return;
		}
	}
	if (r->done) {
		w->done = 1;
		w->ok = r->ok;
		w->timed_out = r->timed_out;
	}
}

static void test_rollout_pending_until_capacity_then_running(void **state)
{
	(void)state;
	assert_int_equal(fake_control("/_fake/reset", "{\"gpus_per_node\": 0}"), 200);
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	apply_json(k, h, NS_STUDIOML);
	struct outcome d = apply_json(k, h, GPU_DEPLOYMENT("leafai/studio-go-runner:0.14.2"));
	assert_int_equal(d.status, 201);
	struct watch w = {0};
	w.w = kube_rollout_watch(k, "studioml", "runner", 200, 20000, on_report, &w);
	assert_non_null(w.w);
	run_until(h, &w.done);
	assert_true(w.saw_unschedulable);
	assert_string_equal(w.seen_message, "0/2 nodes are available: 2 Insufficient nvidia.com/gpu. preemption: 0/2 nodes "
	                                    "are available: 2 No preemption victims found for incoming pod.");
	assert_true(w.ok);
	assert_false(w.timed_out);
	kube_free(k);
	free_http(h);
}

/* Applies the Deployment and follows it until a pod waits for reason. */
static void watch_until(struct kube *k, struct http_client *h, const char *deployment, const char *reason, struct watch *w)
{
	apply_json(k, h, deployment);
	memset(w, 0, sizeof *w);
	w->want_reason = reason;
	w->w = kube_rollout_watch(k, "studioml", "runner", 200, 20000, on_report, w);
	run_until(h, &w->done);
}

static void test_rollout_reports_image_pull_and_crash(void **state)
{
	(void)state;
	assert_int_equal(fake_control("/_fake/reset", "{\"gpus_per_node\": 1, \"image_pull_fail\": [{\"image\": \"nosuch\"},"
	                                              " {\"image\": \"leaky\", \"message\": \"token Xy7SecretPass99 refused\"}],"
	                                              " \"crash\": [{\"image\": \"crashy\", \"logs\": [\"starting runner\","
	                                              " \"RMQ_PASS=Xy7SecretPass99\", \"no available GPUs\\u001b[2J\","
	                                              " \"exit status 1\"]}]}"), 200);
	log_redact("Xy7SecretPass99", 15);   /* a vault value, as the overlay step registers them */
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	apply_json(k, h, NS_STUDIOML);
	struct watch w;
	watch_until(k, h, GPU_DEPLOYMENT("leafai/nosuch:0.9.21"), "ImagePullBackOff", &w);
	assert_string_equal(w.seen_message, "Back-off pulling image \"leafai/nosuch:0.9.21\": ErrImagePull: rpc error: code "
	                                    "= NotFound desc = failed to pull and unpack image \"leafai/nosuch:0.9.21\": not found");
	/* A pod message holding a registered secret is withheld whole. */
	watch_until(k, h, GPU_DEPLOYMENT("leafai/leaky:0.9.21"), "ImagePullBackOff", &w);
	assert_string_equal(w.seen_message, "(withheld: it holds a vault value)");
	watch_until(k, h, GPU_DEPLOYMENT("leafai/crashy:0.9.21"), "CrashLoopBackOff", &w);
	assert_non_null(strstr(w.seen_message, "restarting failed container=runner"));
	/* The pod's log lines joined, the escape sequence from the server made safe; the line with
	 * a registered secret (an image whose start script prints the environment) withheld. */
	assert_string_equal(w.seen_log, "starting runner; no available GPUs\\x1b[2J; exit status 1; (1 line withheld: it "
	                                "holds a vault value)");
	log_redact_clear();
	kube_free(k);
	free_http(h);
}

static void test_timeout_reported(void **state)
{
	(void)state;
	assert_int_equal(fake_control("/_fake/reset", "{\"gpus_per_node\": 0}"), 200);
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	apply_json(k, h, NS_STUDIOML);
	apply_json(k, h, GPU_DEPLOYMENT("leafai/studio-go-runner:0.14.2"));
	struct watch w = {0};
	w.capacity_added = 1;   /* never add any */
	w.w = kube_rollout_watch(k, "studioml", "runner", 200, 1200, on_report, &w);
	run_until(h, &w.done);
	assert_true(w.timed_out);
	assert_false(w.ok);
	assert_true(w.saw_unschedulable);
	kube_free(k);
	free_http(h);
}

/* Replaces the value of key (a "key: value" line) in kubeconfig_text with val. */
static char *kubeconfig_with(const char *key, const char *val)
{
	char *out = malloc(sizeof kubeconfig_text + 8192);
	const char *p = strstr(kubeconfig_text, key);
	assert_non_null(p);
	const char *v = p + strlen(key);
	const char *eol = strchr(v, '\n');
	sprintf(out, "%.*s%s%s", (int)(v - kubeconfig_text), kubeconfig_text, val, eol);
	return out;
}

static char *b64_file(const char *path)
{
	char cmd[900];
	snprintf(cmd, sizeof cmd, "base64 -w0 '%s'", path);
	FILE *f = popen(cmd, "r");
	char *buf = calloc(1, 8192);
	size_t n = fread(buf, 1, 8191, f);
	pclose(f);
	buf[n] = 0;
	return buf;
}

static void expect_tls_failure(const char *text)
{
	char err[300];
	struct http_client *h = new_http();
	struct kube *k = kube_new(h, text, strlen(text), err, sizeof err);
	assert_non_null(k);
	struct outcome o = {0};
	kube_get(k, "/version", on_done, &o);
	run_until(h, &o.done);
	assert_int_equal(o.status, 0);
	assert_true(o.error[0]);
	kube_free(k);
	free_http(h);
}

static void test_other_ca_fails_tls(void **state)
{
	(void)state;
	char cmd[3000];
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=other-ca "
	         "-days 1 -keyout other.key -out other.pem 2>/dev/null && "
	         "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /O=system:masters/CN=intruder "
	         "-keyout intruder.key -out intruder.csr 2>/dev/null && "
	         "openssl x509 -req -in intruder.csr -CA other.pem -CAkey other.key -CAcreateserial -days 1 "
	         "-out intruder.pem 2>/dev/null",
	         dir);
	assert_int_equal(system(cmd), 0);
	char path[800];
	/* 1. The server's certificate checked against another CA: refused by us. */
	snprintf(path, sizeof path, "%s/other.pem", dir);
	char *ca = b64_file(path);
	char *text = kubeconfig_with("certificate-authority-data: ", ca);
	expect_tls_failure(text);
	free(text);
	/* 2. A client certificate from another CA: refused by the server. */
	snprintf(path, sizeof path, "%s/intruder.pem", dir);
	char *cert = b64_file(path);
	snprintf(path, sizeof path, "%s/intruder.key", dir);
	char *key = b64_file(path);
	char *t1 = kubeconfig_with("client-certificate-data: ", cert);
	memcpy(kubeconfig_text + sizeof kubeconfig_text - 1, "", 1);
	char saved[sizeof kubeconfig_text];
	memcpy(saved, kubeconfig_text, sizeof saved);
	snprintf(kubeconfig_text, sizeof kubeconfig_text, "%s", t1);
	char *t2 = kubeconfig_with("client-key-data: ", key);
	memcpy(kubeconfig_text, saved, sizeof saved);
	expect_tls_failure(t2);
	/* And the real kubeconfig still works. */
	struct http_client *h = new_http();
	struct kube *k = new_kube(h);
	struct outcome o = {0};
	kube_get(k, "/version", on_done, &o);
	run_until(h, &o.done);
	assert_int_equal(o.status, 200);
	assert_non_null(strstr(o.text, "\"minor\":\"32\""));
	kube_free(k);
	free_http(h);
	free(ca);
	free(cert);
	free(key);
	free(t1);
	free(t2);
}

static void test_kubeconfig_refusals(void **state)
{
	(void)state;
	struct kubeconfig kc;
	char err[300];
	assert_int_equal(kubeconfig_parse(kubeconfig_text, kubeconfig_len, &kc, err, sizeof err), 0);
	assert_non_null(strstr(kc.server, "https://127.0.0.1:"));
	assert_string_equal(kc.context, "fakekube-cluster");
	assert_non_null(strstr(kc.key, "PRIVATE KEY-----"));
	kubeconfig_clear(&kc);
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n"
		 "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority-data: eA==\nusers:\n"
		 "- name: u\n  user:\n    exec:\n      command: kubelogin\n",
		 "kubeconfig line 17: user.exec is not supported"},
		{"apiVersion: v1\ncurrent-context: c\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nclusters:\n"
		 "- name: c\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: true\n",
		 "kubeconfig line 12: cluster.insecure-skip-tls-verify is not supported"},
		{"apiVersion: v1\nkind: Config\nfoo: bar\n", "kubeconfig line 3: kubeconfig.foo is not supported"},
		{"apiVersion: v1\npreferences: &x {}\n", "kubeconfig line 2: '&' (anchors"},
		{"apiVersion: v1\n\tkind: Config\n", "kubeconfig line 2: tabs"},
		{"apiVersion: v1\nkind: Config\n", "kubeconfig line 1: 'current-context' is missing"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(kubeconfig_parse(bad[i].text, strlen(bad[i].text), &kc, err, sizeof err), -1);
		if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, bad[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kubeconfig_refusals),
		cmocka_unit_test(test_apply_creates_and_reapply_changes_nothing),
		cmocka_unit_test(test_unknown_field_reported_with_server_message),
		cmocka_unit_test(test_rollout_pending_until_capacity_then_running),
		cmocka_unit_test(test_rollout_reports_image_pull_and_crash),
		cmocka_unit_test(test_timeout_reported),
		cmocka_unit_test(test_other_ca_fails_tls),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
