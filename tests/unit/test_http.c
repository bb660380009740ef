/* tests/unit/test_http.c: the one HTTP path against the loopback fake cloud
 * (tests/fake/fakecloud.py, started here as a child on 127.0.0.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/http/http.h"
#include "core/sys/loop.h"
#include "core/sys/log.h"
#include "tests/unit/fakecloud_child.h"

static struct fakecloud plain, tls;
static char tmpdir[512], cert[600], key[600];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)   /* the log keeps its secrets in sodium memory */
		return -1;
	const char *t = getenv("TEST_TMP");
	snprintf(tmpdir, sizeof tmpdir, "%s", t ? t : "/tmp");
	if (fake_tls_cert(tmpdir, cert, sizeof cert, key, sizeof key) != 0)
		return -1;
	if (fakecloud_start_as(&plain, tmpdir, "plain", NULL, NULL) ||
	    fakecloud_start_as(&tls, tmpdir, "tls", cert, key))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fakecloud_stop(&plain);
	fakecloud_stop(&tls);
	return 0;
}

/* One finished request, copied out of the callback. */
struct result {
	long status;
	char *body;
	char *error;
	unsigned attempts;
	double seconds;
	char id[37];
	char *async_op;   /* Azure-AsyncOperation */
	char *www_auth;   /* WWW-Authenticate */
	int done;
};

static void on_done(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct result *res = arg;
	res->status = r->status;
	res->body = strdup(r->body);
	res->error = r->error ? strdup(r->error) : NULL;
	res->attempts = r->attempts;
	res->seconds = r->seconds;
	snprintf(res->id, sizeof res->id, "%s", r->request_id);
	const char *h = http_response_header(r, "Azure-AsyncOperation");
	res->async_op = h ? strdup(h) : NULL;
	h = http_response_header(r, "WWW-Authenticate");
	res->www_auth = h ? strdup(h) : NULL;
	res->done = 1;
}

static void result_free(struct result *r)
{
	free(r->body);
	free(r->error);
	free(r->async_op);
	free(r->www_auth);
	memset(r, 0, sizeof *r);
}

static struct loop *loop;   /* one for the whole file, as the wizard has one */

static struct http_client *client(void)
{
	if (!loop)
		loop = loop_new();
	struct http_client *c = http_client_new(loop);
	assert_non_null(c);
	http_client_set_retry(c, 5, 10, 50);   /* tiny backoff: tests wait on Retry-After only */
	return c;
}

static void submit(struct http_client *c, const char *method, const char *url, const char *const *hdrs,
                   const char *body, int idempotent, struct result *res)
{
	memset(res, 0, sizeof *res);
	struct http_request *req = http_request_new(method, url, hdrs, body);
	assert_non_null(req);
	http_request_set_idempotent(req, idempotent);
	http_client_submit(c, req, on_done, res);
}

static void fetch(struct http_client *c, const char *method, const char *url, const char *const *hdrs,
                  const char *body, struct result *res)
{
	submit(c, method, url, hdrs, body, 0, res);
	http_client_wait(c);
	assert_true(res->done);
}

/* Resets the fake and installs a script (JSON text). */
static void fake_script(const struct fakecloud *f, const char *script)
{
	char url[128];
	struct result r;
	struct http_client *c = client();
	assert_int_equal(http_client_set_ca_file(c, cert), 0);
	snprintf(url, sizeof url, "%s/_fake/reset", f->base);
	fetch(c, "POST", url, NULL, script, &r);
	if (r.status != 200)
		fail_msg("fake reset: %s", r.error ? r.error : r.body);
	result_free(&r);
	http_client_free(c);
}

/* The requests the fake saw (its control calls excluded). Caller frees. */
static cJSON *fake_requests(const struct fakecloud *f)
{
	char url[128];
	struct result r;
	struct http_client *c = client();
	assert_int_equal(http_client_set_ca_file(c, cert), 0);
	snprintf(url, sizeof url, "%s/_fake/requests", f->base);
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	cJSON *j = cJSON_Parse(r.body);
	assert_non_null(j);
	result_free(&r);
	http_client_free(c);
	return j;
}

static int fake_count(const struct fakecloud *f)
{
	cJSON *j = fake_requests(f);
	int n = cJSON_GetArraySize(j);
	cJSON_Delete(j);
	return n;
}

static void url_of(char *out, size_t len, const struct fakecloud *f, const char *path)
{
	snprintf(out, len, "%s%s", f->base, path);
}

/* POST /_fake/settle: the fake's running operations end and RBAC knows every principal now. */
static void fake_settle(struct http_client *c)
{
	char url[256];
	struct result r;
	url_of(url, sizeof url, &plain, "/_fake/settle");
	fetch(c, "POST", url, NULL, "", &r);
	assert_int_equal(r.status, 200);
	result_free(&r);
}

#define NOAUTH "{\"require_auth\": false"

static void test_get_sends_request_id_and_user_agent(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&plain, NOAUTH "}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/subscriptions?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(r.error);
	assert_non_null(strstr(r.body, "\"subscriptionId\""));
	assert_int_equal(r.attempts, 1);
	cJSON *j = fake_requests(&plain);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON *e = cJSON_GetArrayItem(j, 0);
	const char *rid = cJSON_GetObjectItem(e, "request_id")->valuestring;
	assert_string_equal(rid, r.id);
	assert_int_equal(strlen(rid), 36);
	assert_int_equal(rid[14], '4');   /* uuid v4 */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "query"), "api-version")->valuestring,
	                    "2022-12-01");
	assert_true(strncmp(cJSON_GetObjectItem(e, "user_agent")->valuestring, "studio-wizard/", 14) == 0);
	cJSON_Delete(j);
	result_free(&r);
	http_client_free(c);
}

static void test_429_waits_for_retry_after_then_succeeds(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/subscriptions$\", \"times\": 1, \"status\": 429, "
	                           "\"retry_after\": 1}]}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/subscriptions?api-version=2022-12-01");
	double t0 = now_s();
	fetch(c, "GET", url, NULL, NULL, &r);
	double took = now_s() - t0;
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(took >= 0.95);   /* Retry-After honoured; no upper bound: a loaded machine is slow */
	cJSON *j = fake_requests(&plain);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	/* One logical request: both attempts carry the same id. */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "request_id")->valuestring,
	                    cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "request_id")->valuestring);
	cJSON_Delete(j);
	result_free(&r);
	http_client_free(c);
}

static void test_503_burst_is_retried_until_success(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"times\": 3, \"status\": 503}]}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 4);
	assert_int_equal(fake_count(&plain), 4);
	assert_true(r.seconds < 1.0);   /* backoff capped at 50 ms here */
	result_free(&r);
	http_client_free(c);
}

static void test_persistent_500_gives_up_after_max_attempts(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"status\": 500}]}");
	struct http_client *c = client();
	http_client_set_retry(c, 3, 5, 20);
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 500);
	assert_null(r.error);
	assert_non_null(strstr(r.body, "InternalServerError"));
	assert_int_equal(r.attempts, 3);
	assert_int_equal(fake_count(&plain), 3);
	result_free(&r);
	http_client_free(c);
}

static void test_reset_mid_body_is_retried_and_body_complete(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/subscriptions$\", \"times\": 1, "
	                           "\"action\": \"reset\"}]}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/subscriptions?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	cJSON *j = cJSON_Parse(r.body);
	assert_non_null(j);   /* the whole body arrived, not the half of the broken attempt */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "value")), 2);
	cJSON_Delete(j);
	result_free(&r);
	http_client_free(c);
}

static void test_post_is_retried_only_when_marked_idempotent(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	const char *form = "grant_type=client_credentials&client_id=44444444-4444-4444-4444-444444444444"
	                   "&client_secret=fake-secret-0001&scope=https%3A%2F%2Fmanagement.azure.com%2F.default";
	const char *script = NOAUTH ", \"faults\": [{\"method\": \"POST\", \"path\": \"/token$\", \"times\": 1, "
	                            "\"status\": 503}]}";
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/organizations/oauth2/v2.0/token");

	fake_script(&plain, script);
	fetch(c, "POST", url, NULL, form, &r);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 1);
	result_free(&r);

	fake_script(&plain, script);
	submit(c, "POST", url, NULL, form, 1, &r);
	http_client_wait(c);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_non_null(strstr(r.body, "access_token"));
	result_free(&r);
	http_client_free(c);
}

static void test_untrusted_tls_is_refused_with_clear_message(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	struct http_client *c = client();
	url_of(url, sizeof url, &tls, "/subscriptions?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "TLS certificate of 127.0.0.1 not trusted"));
	assert_non_null(strstr(r.error, "--ca-file"));
	assert_int_equal(r.attempts, 1);   /* a trust failure is not retried */
	result_free(&r);
	http_client_free(c);
}

static void test_tls_is_accepted_with_ca_file(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	fake_script(&tls, NOAUTH "}");
	struct http_client *c = client();
	assert_int_equal(http_client_set_ca_file(c, cert), 0);
	url_of(url, sizeof url, &tls, "/subscriptions?api-version=2022-12-01");
	fetch(c, "GET", url, NULL, NULL, &r);
	assert_null(r.error);
	assert_int_equal(r.status, 200);
	result_free(&r);
	assert_int_equal(http_client_set_ca_file(c, "/nonexistent/ca.pem"), -1);
	http_client_free(c);
}

static void test_plain_http_to_remote_host_is_refused_without_connecting(void **state)
{
	(void)state;
	struct result r;
	struct http_client *c = client();
	fetch(c, "GET", "http://management.azure.com/subscriptions", NULL, NULL, &r);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.error, "refusing plain http to management.azure.com: only loopback may use http");
	assert_int_equal(r.attempts, 0);
	result_free(&r);
	fetch(c, "GET", "ftp://127.0.0.1/x", NULL, NULL, &r);
	assert_non_null(strstr(r.error, "refusing ftp"));
	assert_int_equal(r.attempts, 0);
	result_free(&r);
	http_client_free(c);
}

static int file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static void test_log_holds_no_token_or_secret(void **state)
{
	(void)state;
	char url[256], logpath[600], auth[4096];
	struct result r;
	snprintf(logpath, sizeof logpath, "%s/http-wizard.log", tmpdir);
	unlink(logpath);
	assert_int_equal(log_open(logpath), 0);
	fake_script(&plain, "{\"require_auth\": true}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/organizations/oauth2/v2.0/token");
	fetch(c, "POST", url, NULL,
	      "grant_type=client_credentials&client_id=x&client_secret=fake-secret-0001&scope=a%2F.default", &r);
	assert_int_equal(r.status, 200);
	cJSON *tok = cJSON_Parse(r.body);
	const char *access = cJSON_GetObjectItem(tok, "access_token")->valuestring;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", access);
	result_free(&r);
	const char *hdrs[] = {auth, "Cookie: session=fake-cookie-0001", NULL};
	url_of(url, sizeof url, &plain, "/subscriptions?api-version=2022-12-01&client_secret=fake-query-secret-01");
	fetch(c, "GET", url, hdrs, NULL, &r);
	assert_int_equal(r.status, 200);
	result_free(&r);
	log_close();
	assert_true(file_contains(logpath, "GET "));
	assert_true(file_contains(logpath, "client_secret=<redacted>"));
	assert_false(file_contains(logpath, access));
	assert_false(file_contains(logpath, "fake-secret-0001"));
	assert_false(file_contains(logpath, "fake-query-secret-01"));
	assert_false(file_contains(logpath, "fake-cookie-0001"));
	cJSON_Delete(tok);
	http_client_free(c);
}

static void test_five_slow_bodies_overlap_in_one_loop(void **state)
{
	(void)state;
	char url[256];
	struct result r[5];
	/* The fake answers none of them until all five wait at once (a barrier): requests made one
	 * after another would each get 400 FakeBarrier. */
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"action\": \"slow\", \"chunks\": 5, "
	                           "\"delay\": 0.05, \"barrier\": 5}]}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	for (int i = 0; i < 5; i++)
		submit(c, "GET", url, NULL, NULL, 0, &r[i]);
	http_client_wait(c);
	for (int i = 0; i < 5; i++) {
		if (r[i].status != 200)
			fail_msg("request %d: %ld %s", i, r[i].status, r[i].body ? r[i].body : "");
		cJSON *j = cJSON_Parse(r[i].body);
		assert_non_null(j);
		cJSON_Delete(j);
		result_free(&r[i]);
	}
	http_client_free(c);
}

/* The key the TUI would read: read while the first request is unanswered, it lets the fake
 * answer by sending the second request the barrier waits for. */
struct key {
	struct http_client *c;
	const char *url;
	struct result *r, *other;
	int read, done_at_key;
};
static void on_key(int fd, short revents, void *arg)
{
	struct key *k = arg;
	char ch;
	(void)revents;
	assert_int_equal(read(fd, &ch, 1), 1);
	if (k->read++)
		return;
	k->done_at_key = k->r->done;
	submit(k->c, "GET", k->url, NULL, NULL, 0, k->other);
}

static void test_keys_stay_live_while_a_request_runs(void **state)
{
	(void)state;
	char url[256];
	struct result r, other;
	int p[2];
	/* The fake holds the answer until a second request comes (a barrier): the key pressed
	 * meanwhile must be read while the first is still unanswered. */
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"barrier\": 2, \"action\": \"slow\", "
	                           "\"chunks\": 2, \"delay\": 0.05}]}");
	assert_int_equal(pipe(p), 0);
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	submit(c, "GET", url, NULL, NULL, 0, &r);
	int wrote = 0;
	struct key k = {c, url, &r, &other, 0, -1};
	assert_int_equal(loop_watch(loop, p[0], POLLIN, on_key, &k), 0);
	while (!r.done) {
		/* The key comes once the fake holds the request (its log has it). */
		if (!wrote && fakecloud_count(&plain, "GET", "/tenants", 0) >= 1) {
			assert_int_equal(write(p[1], "k", 1), 1);
			wrote = 1;
		}
		loop_once(loop, 50);   /* the TUI's own tick */
	}
	loop_unwatch(loop, p[0]);
	assert_int_equal(k.read, 1);
	assert_int_equal(k.done_at_key, 0);   /* the key was read while the request was unanswered */
	assert_int_equal(r.status, 200);
	http_client_wait(c);
	assert_int_equal(other.status, 200);
	close(p[0]);
	close(p[1]);
	result_free(&r);
	result_free(&other);
	http_client_free(c);
}

static void test_waiting_uses_no_cpu(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	struct timespec a, b;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"times\": 1, \"status\": 429, "
	                           "\"retry_after\": 1}]}");
	struct http_client *c = client();
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	fetch(c, "GET", url, NULL, NULL, &r);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double cpu = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_int_equal(r.status, 200);
	assert_true(r.seconds >= 0.95);
	assert_true(cpu < 0.25);   /* the retry wait is a poll() timeout, not a spin */
	result_free(&r);
	http_client_free(c);
}

/* The body's top-level string field, copied (caller frees); fails the test when absent. */
static char *json_str(const char *body, const char *field)
{
	cJSON *j = cJSON_Parse(body);
	cJSON *v = cJSON_GetObjectItem(j, field);
	if (!cJSON_IsString(v))
		fail_msg("no string %s in %s", field, body);
	char *out = strdup(v->valuestring);
	cJSON_Delete(j);
	return out;
}

/* An ARM call with a bearer token; returns the status, r keeps the rest. */
static long arm(struct http_client *c, const char *method, const char *path, const char *token, const char *body,
                struct result *r)
{
	char url[512], auth[4096];
	if (strncmp(path, "http", 4) == 0)
		snprintf(url, sizeof url, "%s", path);
	else
		url_of(url, sizeof url, &plain, path);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
	fetch(c, method, url, hdrs, body, r);
	return r->status;
}

static void test_fake_signs_in_runs_operations_and_expires_tokens(void **state)
{
	(void)state;
	char url[256];
	struct result r;
	/* Operations and RBAC's delay outlast any test; /_fake/settle ends them when the test says. */
	fake_script(&plain, "{\"lro_seconds\": 600, \"device_slow_down\": 1, \"principal_not_found_for\": 600}");
	struct http_client *c = client();

	/* Device code: slow_down, then pending until the user approves. */
	url_of(url, sizeof url, &plain, "/organizations/oauth2/v2.0/devicecode");
	fetch(c, "POST", url, NULL, "client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&scope=x", &r);
	assert_int_equal(r.status, 200);
	char *device = json_str(r.body, "device_code"), form[512];
	result_free(&r);
	snprintf(form, sizeof form, "grant_type=urn:ietf:params:oauth:grant-type:device_code&client_id=x&device_code=%s",
	         device);
	url_of(url, sizeof url, &plain, "/organizations/oauth2/v2.0/token");
	const char *expect[] = {"slow_down", "authorization_pending"};
	for (int i = 0; i < 2; i++) {
		fetch(c, "POST", url, NULL, form, &r);
		assert_int_equal(r.status, 400);
		char *e = json_str(r.body, "error");
		assert_string_equal(e, expect[i]);
		free(e);
		result_free(&r);
	}
	struct result ap;
	char aurl[256];
	url_of(aurl, sizeof aurl, &plain, "/_fake/approve");
	fetch(c, "POST", aurl, NULL, "", &ap);
	result_free(&ap);
	fetch(c, "POST", url, NULL, form, &r);
	assert_int_equal(r.status, 200);
	char *token = json_str(r.body, "access_token"), *refresh = json_str(r.body, "refresh_token");
	result_free(&r);

	/* A resource PUT is a long-running operation that ends Succeeded. */
	const char *rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/studioml-rg"
	                 "?api-version=2021-04-01";
	const char *ip = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/studioml-rg/providers/"
	                 "Microsoft.Network/publicIPAddresses/rabbitmq-ip?api-version=2024-10-01";
	assert_int_equal(arm(c, "PUT", ip, token, "{\"location\":\"eastus\"}", &r), 404);   /* no group yet */
	result_free(&r);
	assert_int_equal(arm(c, "PUT", rg, token, "{\"location\":\"eastus\"}", &r), 201);
	result_free(&r);
	assert_int_equal(arm(c, "PUT", ip, token, "{\"location\":\"eastus\"}", &r), 201);
	assert_non_null(r.async_op);
	assert_true(strncmp(r.async_op, plain.base, strlen(plain.base)) == 0);
	char *op = strdup(r.async_op);
	result_free(&r);
	assert_int_equal(arm(c, "GET", op, token, NULL, &r), 200);
	assert_non_null(strstr(r.body, "InProgress"));
	result_free(&r);
	fake_settle(c);
	assert_int_equal(arm(c, "GET", op, token, NULL, &r), 200);
	assert_non_null(strstr(r.body, "Succeeded"));
	result_free(&r);
	assert_int_equal(arm(c, "GET", ip, token, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"provisioningState\": \"Succeeded\""));
	assert_non_null(strstr(r.body, "203.0.113."));   /* the recorded shape, merged */
	result_free(&r);
	free(op);

	/* Expired token: 401 like ARM, then the refresh token gets a new one. */
	fetch(c, "POST", (url_of(aurl, sizeof aurl, &plain, "/_fake/expire_tokens"), aurl), NULL, "", &ap);
	result_free(&ap);
	assert_int_equal(arm(c, "GET", rg, token, NULL, &r), 401);
	assert_non_null(strstr(r.body, "ExpiredAuthenticationToken"));
	assert_non_null(r.www_auth);
	assert_non_null(strstr(r.www_auth, "invalid_token"));
	result_free(&r);
	snprintf(form, sizeof form, "grant_type=refresh_token&client_id=x&refresh_token=%s&scope=x", refresh);
	fetch(c, "POST", url, NULL, form, &r);
	assert_int_equal(r.status, 200);
	free(token);
	token = json_str(r.body, "access_token");
	result_free(&r);
	assert_int_equal(arm(c, "GET", rg, token, NULL, &r), 200);
	result_free(&r);

	/* A new service principal is unknown to role assignments for a while. */
	assert_int_equal(arm(c, "POST", "/v1.0/servicePrincipals", token, "{\"appId\":\"x\"}", &r), 201);
	result_free(&r);
	const char *ra = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/studioml-rg/providers/"
	                 "Microsoft.Authorization/roleAssignments/66666666-6666-6666-6666-666666666666"
	                 "?api-version=2022-04-01";
	const char *rabody = "{\"properties\":{\"roleDefinitionId\":\"r\",\"principalId\":\"55555555\"}}";
	assert_int_equal(arm(c, "PUT", ra, token, rabody, &r), 400);
	assert_non_null(strstr(r.body, "PrincipalNotFound"));
	result_free(&r);
	fake_settle(c);
	assert_int_equal(arm(c, "PUT", ra, token, rabody, &r), 201);
	result_free(&r);

	/* Everything handed out is listed for log greps. */
	url_of(aurl, sizeof aurl, &plain, "/_fake/secrets");
	fetch(c, "GET", aurl, NULL, NULL, &r);
	assert_non_null(strstr(r.body, token));
	assert_non_null(strstr(r.body, device));
	result_free(&r);
	free(token);
	free(refresh);
	free(device);
	http_client_free(c);
}

struct hdr_seen {
	char lower[32], upper[32];
	long status;
};

static void on_done_headers(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct hdr_seen *h = arg;
	const char *a = http_response_header(r, "retry-after"), *b = http_response_header(r, "RETRY-AFTER");
	snprintf(h->lower, sizeof h->lower, "%s", a ? a : "(none)");
	snprintf(h->upper, sizeof h->upper, "%s", b ? b : "(none)");
	h->status = r->status;
}

static void test_response_headers_are_case_insensitive(void **state)
{
	(void)state;
	char url[256];
	struct hdr_seen h;
	fake_script(&plain, NOAUTH ", \"faults\": [{\"path\": \"^/tenants$\", \"status\": 429, \"retry_after\": 7}]}");
	struct http_client *c = client();
	http_client_set_retry(c, 1, 0, 0);   /* one attempt: the caller sees the 429 itself */
	url_of(url, sizeof url, &plain, "/tenants?api-version=2022-12-01");
	http_client_submit(c, http_request_new("GET", url, NULL, NULL), on_done_headers, &h);
	http_client_wait(c);
	assert_int_equal(h.status, 429);
	assert_string_equal(h.lower, "7");
	assert_string_equal(h.upper, "7");
	/* A request without a callback is allowed (fire and forget). */
	http_client_submit(c, http_request_new("GET", url, NULL, NULL), NULL, NULL);
	http_client_wait(c);
	assert_int_equal(http_client_pending(c), 0);
	http_client_free(c);
}

static void test_redact_url_hides_secret_parameters(void **state)
{
	(void)state;
	char out[512];
	http_redact_url("https://h/x?api-version=1&code=abc&client_secret=s3&refresh_token=r&Password=p#frag", out,
	                sizeof out);
	assert_string_equal(out, "https://h/x?api-version=1&code=<redacted>&client_secret=<redacted>"
	                         "&refresh_token=<redacted>&Password=<redacted>");
	http_redact_url("https://acct.blob/c/b?sv=2022&se=2030-01-01&sig=AbC%2Bd&sp=r", out, sizeof out);
	assert_string_equal(out, "https://acct.blob/c/b?sv=2022&se=<redacted>&sig=<redacted>&sp=r");
	http_redact_url("https://h/operations/1?p=xyz&t=123&c=MIIB&s=signature&h=hash", out, sizeof out);
	assert_string_equal(out, "https://h/operations/1?p=xyz&t=123&c=MIIB&s=<redacted>&h=<redacted>");
	http_redact_url("https://h/plain", out, sizeof out);
	assert_string_equal(out, "https://h/plain");
	http_redact_url("https://h/x?code=abcdef", out, 20);
	assert_int_equal(strlen(out), 19);
	assert_null(strstr(out, "abc"));
}

static void test_redact_form_hides_token_request_secrets(void **state)
{
	(void)state;
	char out[512];
	http_redact_form("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=04b0"
	                 "&device_code=FAKE-DEVICE-CODE-0001",
	                 out, sizeof out);
	assert_string_equal(out, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=04b0"
	                         "&device_code=<redacted>");
	http_redact_form("grant_type=refresh_token&refresh_token=fake-refresh-token-0001&scope=x", out, sizeof out);
	assert_string_equal(out, "grant_type=refresh_token&refresh_token=<redacted>&scope=x");
	http_redact_form("client_secret=fake-secret-0001", out, sizeof out);
	assert_string_equal(out, "client_secret=<redacted>");
}

static void test_loopback_detection(void **state)
{
	(void)state;
	assert_true(http_url_is_loopback("http://127.0.0.1:8080/x"));
	assert_true(http_url_is_loopback("http://127.9.8.7/"));
	assert_true(http_url_is_loopback("http://[::1]:99/"));
	assert_true(http_url_is_loopback("http://LocalHost/"));
	assert_false(http_url_is_loopback("http://128.0.0.1/"));
	assert_false(http_url_is_loopback("http://127.0.0.1.example.com/"));
	assert_false(http_url_is_loopback("http://example.com/"));
	assert_false(http_url_is_loopback("http://[::2]/"));
	assert_false(http_url_is_loopback("not a url"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_url_hides_secret_parameters),
		cmocka_unit_test(test_redact_form_hides_token_request_secrets),
		cmocka_unit_test(test_loopback_detection),
		cmocka_unit_test(test_get_sends_request_id_and_user_agent),
		cmocka_unit_test(test_429_waits_for_retry_after_then_succeeds),
		cmocka_unit_test(test_503_burst_is_retried_until_success),
		cmocka_unit_test(test_persistent_500_gives_up_after_max_attempts),
		cmocka_unit_test(test_reset_mid_body_is_retried_and_body_complete),
		cmocka_unit_test(test_post_is_retried_only_when_marked_idempotent),
		cmocka_unit_test(test_untrusted_tls_is_refused_with_clear_message),
		cmocka_unit_test(test_tls_is_accepted_with_ca_file),
		cmocka_unit_test(test_plain_http_to_remote_host_is_refused_without_connecting),
		cmocka_unit_test(test_log_holds_no_token_or_secret),
		cmocka_unit_test(test_five_slow_bodies_overlap_in_one_loop),
		cmocka_unit_test(test_keys_stay_live_while_a_request_runs),
		cmocka_unit_test(test_waiting_uses_no_cpu),
		cmocka_unit_test(test_response_headers_are_case_insensitive),
		cmocka_unit_test(test_fake_signs_in_runs_operations_and_expires_tokens),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
