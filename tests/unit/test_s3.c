/* tests/unit/test_s3.c: the S3 calls against tests/unit/s3verify.py, a strict SigV4
 * verifier on 127.0.0.1 started here (its secret reaches it in a file, never argv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/probe/s3.h"
#include "core/sys/log.h"

#define ACCESS "SWTESTACCESSKEY"

static char dir[600], logpath[700], secret[41], endpoint[64];
static pid_t verifier = -1;

static int group_setup(void **s)
{
	(void)s;
	if (sodium_init() < 0)
		return -1;
	const char *t = getenv("TEST_TMP"), *top = getenv("SW_TOP");
	snprintf(dir, sizeof dir, "%s/s3.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < sizeof secret - 1; i++)
		secret[i] = set[randombytes_uniform(sizeof set - 1)];
	char secfile[700], portfile[700], script[700];
	snprintf(secfile, sizeof secfile, "%s/secret", dir);
	snprintf(portfile, sizeof portfile, "%s/port", dir);
	snprintf(script, sizeof script, "%s/tests/unit/s3verify.py", top ? top : ".");
	int fd = open(secfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, secret, strlen(secret)) != (ssize_t)strlen(secret) || close(fd))
		return -1;
	verifier = fork();
	if (verifier < 0)
		return -1;
	if (verifier == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("python3", "python3", script, "--port-file", portfile, "--access-key", ACCESS, "--secret-file",
		       secfile, (char *)NULL);
		_exit(127);
	}
	/* Wait for the port file (written by rename once the socket listens), or the child's death. */
	for (;;) {
		FILE *pf = fopen(portfile, "r");
		int port = 0;
		if (pf) {
			int got = fscanf(pf, "%d", &port);
			fclose(pf);
			if (got == 1 && port > 0) {
				snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
				break;
			}
		}
		if (waitpid(verifier, NULL, WNOHANG) == verifier) {
			verifier = -1;
			return -1;
		}
		usleep(20000);
	}
	snprintf(logpath, sizeof logpath, "%s/wizard.log", dir);
	return log_open(logpath);
}

static int group_teardown(void **s)
{
	(void)s;
	log_close();
	if (verifier > 0) {
		kill(verifier, SIGTERM);
		waitpid(verifier, NULL, 0);
	}
	return 0;
}

struct outcome {
	int calls;
	int ok;
	long status;
	char error[512];
	char body[256];
	size_t body_len;
	char names[512];   /* bucket names, space-separated */
};

static void on_done(const struct s3_result *r, void *arg)
{
	struct outcome *o = arg;
	o->calls++;
	o->ok = r->ok;
	o->status = r->status;
	snprintf(o->error, sizeof o->error, "%s", r->error);
	o->body_len = r->body_len;
	if (r->body)
		memcpy(o->body, r->body, r->body_len < sizeof o->body ? r->body_len : sizeof o->body);
	o->names[0] = 0;
	for (size_t i = 0; i < r->nbuckets; i++) {
		strncat(o->names, r->buckets[i], sizeof o->names - strlen(o->names) - 2);
		strcat(o->names, " ");
	}
}

/* A client over a fresh loop, for one test. */
struct rig {
	struct loop *loop;
	struct http_client *http;
	struct s3 *s3;
};

static void rig_open(struct rig *g, const char *ep, const char *access, const char *sec)
{
	g->loop = loop_new();
	assert_non_null(g->loop);
	g->http = http_client_new(g->loop);
	assert_non_null(g->http);
	http_client_set_retry(g->http, 1, 0, 0);
	g->s3 = s3_new(g->http, ep, NULL, access, sec);
	assert_non_null(g->s3);
}

static void rig_close(struct rig *g)
{
	s3_free(g->s3);
	http_client_free(g->http);
	loop_free(g->loop);
}

/* Waits for the one call just submitted, which must not have answered synchronously. */
static void settle(struct rig *g, struct outcome *o)
{
	assert_int_equal(o->calls, 0);
	loop_run(g->loop, NULL);
	assert_int_equal(o->calls, 1);
}

static void test_right_keys_create_list_put_get_delete(void **s)
{
	(void)s;
	struct rig g;
	struct outcome o = {0};
	static const unsigned char data[] = {'s', 'w', 0, 0xff, '\n', 0x80, 'x'};
	rig_open(&g, endpoint, ACCESS, secret);
	s3_create_bucket(g.s3, "studioml-meta", on_done, &o);
	settle(&g, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 200);
	memset(&o, 0, sizeof o);
	s3_create_bucket(g.s3, "studioml-meta", on_done, &o);   /* ours already: fine */
	settle(&g, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 409);
	memset(&o, 0, sizeof o);
	s3_list_buckets(g.s3, on_done, &o);
	settle(&g, &o);
	assert_true(o.ok);
	assert_non_null(strstr(o.names, "studioml-meta "));
	memset(&o, 0, sizeof o);
	s3_put_object(g.s3, "studioml-meta", "probe/odd key+name.bin", data, sizeof data, on_done, &o);
	settle(&g, &o);
	assert_true(o.ok);
	memset(&o, 0, sizeof o);
	s3_get_object(g.s3, "studioml-meta", "probe/odd key+name.bin", data, sizeof data, on_done, &o);
	settle(&g, &o);
	assert_true(o.ok);
	assert_int_equal(o.body_len, sizeof data);
	assert_memory_equal(o.body, data, sizeof data);
	memset(&o, 0, sizeof o);
	s3_get_object(g.s3, "studioml-meta", "probe/odd key+name.bin", "other", 5, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_non_null(strstr(o.error, "differ"));
	memset(&o, 0, sizeof o);
	s3_delete_object(g.s3, "studioml-meta", "probe/odd key+name.bin", on_done, &o);
	settle(&g, &o);
	assert_true(o.ok);
	memset(&o, 0, sizeof o);
	s3_get_object(g.s3, "studioml-meta", "probe/odd key+name.bin", NULL, 0, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_int_equal(o.status, 404);
	assert_string_equal(o.error, "GET /studioml-meta/probe/odd key+name.bin: 404 NoSuchKey: The specified key does not exist.");
	rig_close(&g);
}

static void test_wrong_secret_is_signature_does_not_match(void **s)
{
	(void)s;
	struct rig g;
	struct outcome o = {0};
	rig_open(&g, endpoint, ACCESS, "wrong-secret-wrong-secret");
	s3_list_buckets(g.s3, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_int_equal(o.status, 403);
	assert_non_null(strstr(o.error, "GET /: 403 SignatureDoesNotMatch: The request signature we calculated"));
	memset(&o, 0, sizeof o);
	s3_put_object(g.s3, "studioml-meta", "k", "v", 1, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_non_null(strstr(o.error, "SignatureDoesNotMatch"));
	rig_close(&g);
}

static void test_unknown_access_key(void **s)
{
	(void)s;
	struct rig g;
	struct outcome o = {0};
	rig_open(&g, endpoint, "NOSUCHKEY", secret);
	s3_create_bucket(g.s3, "another", on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_non_null(strstr(o.error, "PUT /another: 403 InvalidAccessKeyId"));
	rig_close(&g);
}

static void test_bad_names_are_refused_from_the_loop(void **s)
{
	(void)s;
	struct rig g;
	struct outcome o = {0};
	rig_open(&g, endpoint, ACCESS, secret);
	s3_create_bucket(g.s3, "Bad_Bucket\x1b[2J", on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.error, "not a valid S3 bucket name"));
	assert_non_null(strstr(o.error, "Bad_Bucket\\x1b[2J"));   /* the name, made safe by text_safe */
	assert_null(strchr(o.error, 0x1b));
	memset(&o, 0, sizeof o);
	s3_put_object(g.s3, "studioml-meta", "", "v", 1, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_non_null(strstr(o.error, "object key must be"));
	rig_close(&g);
}

static void test_plain_http_to_a_remote_host_is_refused(void **s)
{
	(void)s;
	struct rig g;
	struct outcome o = {0};
	rig_open(&g, "http://192.0.2.10:9000/", ACCESS, secret);
	s3_list_buckets(g.s3, on_done, &o);
	settle(&g, &o);
	assert_false(o.ok);
	assert_non_null(strstr(o.error, "refusing plain http to 192.0.2.10"));
	rig_close(&g);
}

static void test_log_names_requests_but_never_keys(void **s)
{
	(void)s;
	char buf[1 << 16];
	FILE *f = fopen(logpath, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	assert_non_null(strstr(buf, "http PUT http://127.0.0.1:"));
	assert_non_null(strstr(buf, "/studioml-meta/probe/odd%20key%2Bname.bin -> 200"));
	assert_null(strstr(buf, secret));
	assert_null(strstr(buf, "wrong-secret-wrong-secret"));
	assert_null(strstr(buf, "AWS4-HMAC-SHA256"));
	assert_null(strstr(buf, "Signature="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_right_keys_create_list_put_get_delete),
		cmocka_unit_test(test_wrong_secret_is_signature_does_not_match),
		cmocka_unit_test(test_unknown_access_key),
		cmocka_unit_test(test_bad_names_are_refused_from_the_loop),
		cmocka_unit_test(test_plain_http_to_a_remote_host_is_refused),
		cmocka_unit_test(test_log_names_requests_but_never_keys),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
