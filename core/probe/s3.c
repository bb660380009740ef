/* S3 calls over core/http/http.c with libcurl's SigV4 signing. */
#include "core/probe/s3.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/percent.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define S3_LIST_MAX 1000
#define S3_KEY_MAX 1024

enum s3_op { S3_LIST, S3_CREATE, S3_PUT, S3_GET, S3_DELETE };

struct s3 {
	struct http_client *http;
	struct loop *loop;         /* the http client's */
	char endpoint[256];
	char provider[96];
	char *access;             /* secmem */
	char *secret;             /* secmem */
	struct s3_call *calls;    /* in flight */
};

/* One call in flight: its request, or the loop timer that delivers its refusal. */
struct s3_call {
	struct s3 *s;
	struct s3_call *next;
	struct http_request *req;
	unsigned timer;
	enum s3_op op;
	char what[400];           /* "PUT /bucket/key", terminal-safe, for messages */
	unsigned char *expect;    /* s3_get_object's expected bytes, or NULL */
	size_t expect_len;
	int has_expect;
	char refused[256];        /* set when the call never reached the network */
	s3_done_fn done;
	void *arg;
};

struct s3 *s3_new(struct http_client *http, const char *endpoint, const char *region, const char *access_key,
                  const char *secret_key)
{
	struct s3 *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->http = http;
	s->loop = http_client_loop(http);
	snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
	size_t n = strlen(s->endpoint);
	while (n > 0 && s->endpoint[n - 1] == '/')
		s->endpoint[--n] = 0;
	snprintf(s->provider, sizeof s->provider, "aws:amz:%s:s3", region && *region ? region : "us-east-1");
	s->access = secmem_alloc(strlen(access_key) + 1);
	s->secret = secmem_alloc(strlen(secret_key) + 1);
	if (!s->access || !s->secret) {
		s3_free(s);
		return NULL;
	}
	memcpy(s->access, access_key, strlen(access_key) + 1);
	memcpy(s->secret, secret_key, strlen(secret_key) + 1);
	return s;
}

static void s3_call_free(struct s3_call *c)
{
	free(c->expect);
	free(c);
}

void s3_free(struct s3 *s)
{
	if (!s)
		return;
	while (s->calls) {
		struct s3_call *c = s->calls;
		s->calls = c->next;
		if (c->req)
			http_client_cancel(s->http, c->req);
		if (c->timer)
			loop_cancel(s->loop, c->timer);
		s3_call_free(c);
	}
	secmem_free(s->access);
	secmem_free(s->secret);
	free(s);
}

/* S3 bucket naming: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
static int s3_bucket_ok(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63 || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n)
		return 0;
	return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

/* RFC 3986 encoding as SigV4 canonicalises it: each segment encoded, '/' kept between them. */
static int s3_encode(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *seg = in;; seg++) {
		size_t n = strcspn(seg, "/");
		if (o >= outlen || percent_escape(seg, n, out + o, outlen - o) != 0)
			return -1;
		o += strlen(out + o);
		seg += n;
		if (!*seg)
			return 0;
		if (o + 1 >= outlen)
			return -1;
		out[o++] = '/';
		out[o] = '\0';
	}
}

/* The text between <tag> and </tag> after from, or NULL; *len gets its length. */
static const char *s3_xml(const char *from, const char *tag, size_t *len)
{
	char open[48], close[48];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = strstr(from, open);
	if (!a)
		return NULL;
	a += strlen(open);
	const char *b = strstr(a, close);
	if (!b)
		return NULL;
	*len = (size_t)(b - a);
	return a;
}

static void s3_error(struct s3_result *r, const struct s3_call *c, const struct http_response *resp)
{
	char raw[1024], code[128] = "", msg[600] = "";
	size_t clen = 0, mlen = 0;
	const char *cv = s3_xml(resp->body, "Code", &clen), *mv = s3_xml(resp->body, "Message", &mlen);
	if (cv)
		text_safe_n(cv, clen, code, sizeof code);
	if (mv)
		text_safe_n(mv, mlen, msg, sizeof msg);
	if (resp->error)
		snprintf(raw, sizeof raw, "%s: %s", c->what, resp->error);
	else if (*code)
		snprintf(raw, sizeof raw, "%s: %ld %s%s%s", c->what, resp->status, code, *msg ? ": " : "", msg);
	else
		snprintf(raw, sizeof raw, "%s: HTTP %ld%s%.120s", c->what, resp->status, resp->body_len ? ": " : "",
		         resp->body);
	text_safe(raw, r->error, sizeof r->error);
	r->ok = 0;
}

/* ListAllMyBucketsResult: every <Name> inside <Buckets>. */
static void s3_parse_list(struct s3_result *r, const char *body)
{
	const char *p = strstr(body, "<Buckets>");
	size_t len;
	r->buckets = calloc(S3_LIST_MAX, sizeof *r->buckets);
	while (p && r->buckets && r->nbuckets < S3_LIST_MAX) {
		const char *name = s3_xml(p, "Name", &len);
		if (!name)
			break;
		char *safe = malloc(4 * len + 1);   /* at worst 4 bytes per byte ("\x1b") */
		if (!safe)
			break;
		text_safe_n(name, len, safe, 4 * len + 1);
		r->buckets[r->nbuckets++] = safe;
		p = name + len;
	}
}

/* Takes c off its client's list: it ends now. */
static void s3_call_unlink(struct s3_call *c)
{
	struct s3_call **p = &c->s->calls;
	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
}

static void s3_on_http(struct http_request *req, const struct http_response *resp, void *arg)
{
	struct s3_call *c = arg;
	struct s3_result r = {0};
	(void)req;
	s3_call_unlink(c);
	char code[64] = "";
	size_t clen = 0;
	const char *cv = s3_xml(resp->body, "Code", &clen);
	if (cv)
		text_safe_n(cv, clen, code, sizeof code);
	r.status = resp->status;
	r.ok = !resp->error && resp->status >= 200 && resp->status < 300;
	if (c->op == S3_CREATE && resp->status == 409 && strcmp(code, "BucketAlreadyOwnedByYou") == 0)
		r.ok = 1;
	if (!r.ok) {
		s3_error(&r, c, resp);
	} else if (c->op == S3_LIST) {
		s3_parse_list(&r, resp->body);
	} else if (c->op == S3_GET) {
		r.body = resp->body;
		r.body_len = resp->body_len;
		if (c->has_expect && (resp->body_len != c->expect_len || memcmp(resp->body, c->expect, c->expect_len) != 0)) {
			r.ok = 0;
			snprintf(r.error, sizeof r.error, "%s: the object's %zu bytes differ from the %zu bytes written",
			         c->what, resp->body_len, c->expect_len);
		}
	}
	c->done(&r, c->arg);
	for (size_t i = 0; i < r.nbuckets; i++)
		free(r.buckets[i]);
	free(r.buckets);
	s3_call_free(c);
}

static void s3_on_refused(void *arg)
{
	struct s3_call *c = arg;
	struct s3_result r = {0};
	s3_call_unlink(c);
	text_safe(c->refused, r.error, sizeof r.error);
	c->done(&r, c->arg);
	s3_call_free(c);
}

/* A refusal reaches done() from the loop, never inside the call that was refused. */
static void s3_refuse_later(struct s3_call *c)
{
	if (!(c->timer = loop_after(c->s->loop, 0, s3_on_refused, c))) {
		s3_call_unlink(c);
		s3_call_free(c);
	}
}

static struct s3_call *s3_call_new(enum s3_op op, s3_done_fn done, void *arg)
{
	struct s3_call *c = calloc(1, sizeof *c);
	if (c) {
		c->op = op;
		c->done = done;
		c->arg = arg;
	}
	return c;
}

/* Builds and submits c's signed request; refusals go through the loop. */
static void s3_submit(struct s3 *s, struct s3_call *c, const char *method, const char *bucket, const char *key,
                      const void *data, size_t len)
{
	enum s3_op op = c->op;
	c->s = s;
	c->next = s->calls;
	s->calls = c;
	char path[3 * S3_KEY_MAX + 80], url[sizeof path + 300], sha[65], hdr[100];
	char ekey[3 * S3_KEY_MAX + 1] = "";
	snprintf(path, sizeof path, "%s /%s%s%.*s", method, bucket ? bucket : "", key ? "/" : "", 200, key ? key : "");
	text_safe(path, c->what, sizeof c->what);
	if (bucket && !s3_bucket_ok(bucket))
		snprintf(c->refused, sizeof c->refused, "%s: not a valid S3 bucket name (3-63 of a-z 0-9 . -)", c->what);
	else if (key && (!*key || strlen(key) > S3_KEY_MAX || s3_encode(key, ekey, sizeof ekey) != 0))
		snprintf(c->refused, sizeof c->refused, "%s: an object key must be 1-%d bytes", c->what, S3_KEY_MAX);
	if (*c->refused) {
		s3_refuse_later(c);
		return;
	}
	snprintf(url, sizeof url, "%s/%s%s%s", s->endpoint, bucket ? bucket : "", key ? "/" : "", ekey);
	/* S3 wants the payload's SHA-256 as a signed header; curl signs every header we add. */
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data ? data : (const void *)"", data ? len : 0);
	sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);
	snprintf(hdr, sizeof hdr, "x-amz-content-sha256: %s", sha);
	const char *headers[] = {hdr, op == S3_PUT ? "Content-Type: application/octet-stream" : NULL, NULL};
	struct http_request *req = http_request_new(method, url, headers, NULL);
	int bad = !req || http_request_set_aws_sigv4(req, s->provider, s->access, s->secret) != 0 ||
	          ((op == S3_PUT || op == S3_CREATE) && http_request_set_body(req, data ? data : "", data ? len : 0) != 0);
	if (bad) {
		http_request_free(req);
		snprintf(c->refused, sizeof c->refused, "%s: out of memory", c->what);
		s3_refuse_later(c);
		return;
	}
	c->req = req;
	http_client_submit(s->http, req, s3_on_http, c);
}

void s3_list_buckets(struct s3 *s, s3_done_fn done, void *arg)
{
	struct s3_call *c = s3_call_new(S3_LIST, done, arg);
	if (c)
		s3_submit(s, c, "GET", NULL, NULL, NULL, 0);
}

void s3_create_bucket(struct s3 *s, const char *bucket, s3_done_fn done, void *arg)
{
	struct s3_call *c = s3_call_new(S3_CREATE, done, arg);
	if (c)
		s3_submit(s, c, "PUT", bucket, NULL, NULL, 0);
}

void s3_put_object(struct s3 *s, const char *bucket, const char *key, const void *data, size_t len, s3_done_fn done,
                   void *arg)
{
	struct s3_call *c = s3_call_new(S3_PUT, done, arg);
	if (c)
		s3_submit(s, c, "PUT", bucket, key, data ? data : "", data ? len : 0);
}

void s3_get_object(struct s3 *s, const char *bucket, const char *key, const void *expect, size_t expect_len,
                   s3_done_fn done, void *arg)
{
	struct s3_call *c = s3_call_new(S3_GET, done, arg);
	if (c && expect) {
		c->expect = malloc(expect_len ? expect_len : 1);
		if (!c->expect) {
			s3_call_free(c);
			return;
		}
		memcpy(c->expect, expect, expect_len);
		c->expect_len = expect_len;
		c->has_expect = 1;
	}
	if (c)
		s3_submit(s, c, "GET", bucket, key, NULL, 0);
}

void s3_delete_object(struct s3 *s, const char *bucket, const char *key, s3_done_fn done, void *arg)
{
	struct s3_call *c = s3_call_new(S3_DELETE, done, arg);
	if (c)
		s3_submit(s, c, "DELETE", bucket, key, NULL, 0);
}
