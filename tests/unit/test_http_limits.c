/* tests/unit/test_http_limits.c: what the one HTTP path refuses to send, and the deadline of
 * each kind of request against a server that trickles its answer (the loopback fake cloud,
 * tests/fake/fakecloud.py, a child on 127.0.0.1, with its "slow" fault). */
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

#include "core/azure/arm.h"
#include "core/azure/auth.h"
#include "core/http/http.h"
#include "core/kube/kube.h"
#include "core/registry/hub.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "secrets/vault.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define NOAUTH "{\"require_auth\": false"
/* The answer to PATH in 40 pieces 0.5 s apart: 20 s for a few hundred bytes. */
#define TRICKLE(path) NOAUTH ", \"faults\": [{\"path\": \"" path "\", \"action\": \"slow\", \"chunks\": 40, \"delay\": 0.5}]}"
#define DEADLINE_MS 1000L

static struct fakecloud fake, tls;
static char *dir, cert[4300], key[4300];
static vault *v;

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
	struct loop *l = loop_new();
	struct http_client *c = http_client_new(l);
	struct result res = {0};
	http_client_submit(c, http_request_new("GET", url, hdrs, NULL), on_done, &res);
	http_client_wait(c);
	http_client_free(c);
	loop_free(l);
	assert_true(res.done);
	assert_int_equal(res.status, 0);
	if (!strstr(res.error, "127.0.0.1") || !strstr(res.error, "line break"))
		fail_msg("expected a refusal naming the host, got '%s'", res.error);
	cJSON *reqs = fakecloud_requests(&fake);
	assert_non_null(reqs);   /* the fake answered: its empty log means nothing was sent */
	assert_int_equal(cJSON_GetArraySize(reqs), 0);
	cJSON_Delete(reqs);
}

/* ---- deadlines ---- */

/* A client where only kind has a deadline (DEADLINE_MS): a call of another kind would wait
 * for the whole slow answer. Two attempts, tiny backoff. */
static struct http_client *client_with_deadline(enum http_kind kind)
{
	struct http_client *c = http_client_new(loop_new());
	assert_non_null(c);
	for (int k = 0; k < HTTP_KIND_COUNT; k++)
		http_client_set_deadline(c, (enum http_kind)k, 0);
	http_client_set_deadline(c, kind, DEADLINE_MS);
	http_client_set_retry(c, 2, 10, 50);
	return c;
}

static void client_free(struct http_client *h)
{
	struct loop *l = http_client_loop(h);
	http_client_free(h);
	loop_free(l);
}

struct outcome {
	int done;
	char error[700];
	long long t0;
	double seconds;
};

static void outcome_end(struct outcome *o, const char *error)
{
	o->done = 1;
	o->seconds = (double)(loop_now_ms() - o->t0) / 1000.0;
	snprintf(o->error, sizeof o->error, "%s", error ? error : "");
}

static void on_arm(const struct arm_result *r, void *arg) { outcome_end(arg, r->error); }
static void on_auth(const char *token, const char *error, void *arg) { outcome_end(arg, token ? NULL : error); }
static void on_hub(const struct hub_result *r, void *arg) { outcome_end(arg, r->error); }
static void on_kube(const struct kube_result *r, void *arg) { outcome_end(arg, r->error); }

/* The call ended by its deadline (two attempts of 1 s, not the 20 s answer), saying so and
 * naming the host and the kind of request. */
static void assert_deadline(const struct outcome *o, const char *kind_name)
{
	print_message("%s: %.2f s: %s\n", kind_name, o->seconds, o->error);
	assert_true(o->done);
	assert_true(o->seconds < 6.0);
	if (!strstr(o->error, "127.0.0.1") || !strstr(o->error, "within 1 s") || !strstr(o->error, kind_name))
		fail_msg("expected the deadline of a %s request naming the host, got '%s'", kind_name, o->error);
}

static void test_slow_answer_ends_by_the_deadline_naming_the_host(void **state)
{
	(void)state;
	fakecloud_reset(&fake, TRICKLE("^/tenants$"));
	char url[128];
	snprintf(url, sizeof url, "%s/tenants?api-version=2022-12-01", fake.base);
	struct http_client *h = client_with_deadline(HTTP_KIND_OTHER);
	struct result get = {0}, post = {0};
	http_client_submit(h, http_request_new("GET", url, NULL, NULL), on_done, &get);
	http_client_submit(h, http_request_new("POST", url, NULL, "{}"), on_done, &post);
	http_client_wait(h);
	client_free(h);
	print_message("GET %.2f s, %u attempts: %s\n", get.seconds, get.attempts, get.error);
	assert_true(get.done && post.done);
	assert_int_equal(get.status, 0);
	assert_non_null(strstr(get.error, "127.0.0.1 did not finish answering within 1 s"));
	assert_int_equal(get.attempts, 2);    /* idempotent: tried once more */
	assert_true(get.seconds < 4.0);
	assert_int_equal(post.attempts, 1);   /* may have reached the server: not replayed */
	assert_true(post.seconds < 2.0);
	assert_non_null(strstr(post.error, "within 1 s"));
}

/* Signed in as the fake's service principal (its secret in v). */
static struct auth *sp_auth(struct http_client *h)
{
	char err[512];
	struct auth_config cfg = {h, &fake.cloud, AUTH_SERVICE_PRINCIPAL, "11111111-1111-1111-1111-111111111111",
	                          "33333333-3333-3333-3333-333333333333", v, NULL, NULL, NULL, NULL, NULL};
	struct auth *a = auth_new(&cfg, err, sizeof err);
	if (!a)
		fail_msg("auth_new: %s", err);
	return a;
}

static void test_arm_calls_have_their_deadline(void **state)
{
	(void)state;
	fakecloud_reset(&fake, "{\"faults\": [{\"path\": \"^/subscriptions$\", \"action\": \"slow\", "
	                       "\"chunks\": 40, \"delay\": 0.5}]}");
	struct http_client *h = client_with_deadline(HTTP_KIND_ARM);
	struct auth *a = sp_auth(h);
	struct arm *arm = arm_new(h, a, &fake.cloud);
	struct outcome o = {.t0 = loop_now_ms()};
	assert_non_null(arm_get(arm, "/subscriptions", "2022-12-01", on_arm, &o));
	loop_run(http_client_loop(h), &o.done);
	arm_free(arm);
	auth_free(a);
	client_free(h);
	assert_deadline(&o, "Azure Resource Manager");
}

static void test_sign_in_calls_have_their_deadline(void **state)
{
	(void)state;
	fakecloud_reset(&fake, TRICKLE("/oauth2/v2.0/token$"));
	struct http_client *h = client_with_deadline(HTTP_KIND_LOGIN);
	struct auth *a = sp_auth(h);
	struct outcome o = {.t0 = loop_now_ms()};
	auth_request(a, AUTH_ARM, on_auth, &o);
	loop_run(http_client_loop(h), &o.done);
	auth_free(a);
	client_free(h);
	assert_deadline(&o, "sign-in");
}

static void test_registry_calls_have_their_deadline(void **state)
{
	(void)state;
	fakecloud_reset(&fake, TRICKLE("^/v2/"));
	struct http_client *h = client_with_deadline(HTTP_KIND_REGISTRY);
	struct outcome o = {.t0 = loop_now_ms()};
	assert_non_null(hub_tags(h, fake.base, "leafai/azure-studio-go-runner", NULL, 0, on_hub, &o));
	loop_run(http_client_loop(h), &o.done);
	client_free(h);
	assert_deadline(&o, "registry");
}

/* PEM file path -> base64 of its bytes, for a kubeconfig's *-data fields. */
static void b64_file(const char *path, char *out, size_t outlen)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_true(n > 0 && sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL) <= outlen);
	sodium_bin2base64(out, outlen, (const unsigned char *)buf, n, sodium_base64_VARIANT_ORIGINAL);
}

static void test_kubernetes_calls_have_their_deadline(void **state)
{
	(void)state;
	char ca[8192], pkey[8192], kc[20000], err[300];
	b64_file(cert, ca, sizeof ca);
	b64_file(key, pkey, sizeof pkey);
	/* The TLS fake as the API server; its certificate doubles as the client's. */
	snprintf(kc, sizeof kc,
	         "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: %s\n"
	         "    certificate-authority-data: %s\nusers:\n- name: u\n  user:\n    client-certificate-data: %s\n"
	         "    client-key-data: %s\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
	         "current-context: x\n",
	         tls.base, ca, ca, pkey);
	/* fakecloud_reset() would not trust the TLS fake's certificate. */
	char url[128];
	snprintf(url, sizeof url, "%s/_fake/reset", tls.base);
	struct http_client *c = client_with_deadline(HTTP_KIND_OTHER);
	assert_int_equal(http_client_set_ca_file(c, cert), 0);
	struct result reset = {0};
	http_client_submit(c, http_request_new("POST", url, NULL, TRICKLE("^/tenants$")), on_done, &reset);
	http_client_wait(c);
	client_free(c);
	assert_int_equal(reset.status, 200);
	struct http_client *h = client_with_deadline(HTTP_KIND_KUBE);
	struct kube *k = kube_new(h, kc, strlen(kc), err, sizeof err);
	if (!k)
		fail_msg("kube_new: %s", err);
	struct outcome o = {.t0 = loop_now_ms()};
	assert_non_null(kube_get(k, "/tenants?api-version=2022-12-01", on_kube, &o));
	loop_run(http_client_loop(h), &o.done);
	kube_free(k);
	client_free(h);
	assert_deadline(&o, "Kubernetes");
}

static int setup(void **state)
{
	(void)state;
	char err[512];
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("http-limits");
	if (fake_tls_cert(dir, cert, sizeof cert, key, sizeof key) != 0)
		return -1;
	if (vault_create(dir, "passphrase-for-tests", 20, VAULT_KDF_INTERACTIVE, &v, err, sizeof err) != VAULT_OK ||
	    vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", "fake-secret-0001", 16) != VAULT_OK)
		return -1;
	return fakecloud_start(&fake, dir) || fakecloud_start_as(&tls, dir, "tls", cert, key);
}

static int teardown(void **state)
{
	(void)state;
	fakecloud_stop(&fake);
	fakecloud_stop(&tls);
	vault_close(v);
	test_rmrf(dir);
	free(dir);
	log_redact_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_with_a_line_break_is_refused_unsent),
		cmocka_unit_test(test_slow_answer_ends_by_the_deadline_naming_the_host),
		cmocka_unit_test(test_arm_calls_have_their_deadline),
		cmocka_unit_test(test_sign_in_calls_have_their_deadline),
		cmocka_unit_test(test_registry_calls_have_their_deadline),
		cmocka_unit_test(test_kubernetes_calls_have_their_deadline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
