/* One request: its options (headers, body, TLS from memory, SigV4) and its answer. */
#include "core/http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "secrets/secmem.h"

uint32_t http_random_u32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof v, 0) != sizeof v)
		v = (uint32_t)loop_now_ms() * 2654435761u;
	return v;
}

static void http_request_uuid(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != sizeof b)
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)http_random_u32();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* Responses ------------------------------------------------------------- */

const char *http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = r->nheaders; i-- > 0;)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void http_request_clear_headers(struct http_request *req)
{
	for (size_t i = 0; i < req->resp.nheaders; i++) {
		free(req->resp.headers[i].name);
		free(req->resp.headers[i].value);
	}
	req->resp.nheaders = 0;
}

size_t http_request_on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_request *req = arg;
	size_t len = size * n, end = len;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		http_request_clear_headers(req);   /* a new response: an interim 1xx or the final one */
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return len;
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
		end--;
	const char *v = colon + 1;
	while (v < data + end && (*v == ' ' || *v == '\t'))
		v++;
	if (req->resp.nheaders == req->headers_cap) {
		size_t cap = req->headers_cap ? req->headers_cap * 2 : 16;
		struct http_header *nh = realloc(req->resp.headers, cap * sizeof *nh);
		if (!nh)
			return 0;
		req->resp.headers = nh;
		req->headers_cap = cap;
	}
	struct http_header *h = &req->resp.headers[req->resp.nheaders];
	h->name = strndup(data, (size_t)(colon - data));
	h->value = strndup(v, (size_t)(data + end - v));
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return 0;
	}
	req->resp.nheaders++;
	return len;
}

size_t http_request_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_request *req = arg;
	size_t len = size * n;
	if (req->resp.body_len + len > HTTP_BODY_MAX) {
		req->too_large = 1;
		return 0;
	}
	if (req->resp.body_len + len + 1 > req->body_cap) {
		size_t cap = req->body_cap * 2;
		while (cap < req->resp.body_len + len + 1)
			cap *= 2;
		char *nb = realloc(req->resp.body, cap);
		if (!nb)
			return 0;
		req->resp.body = nb;
		req->body_cap = cap;
	}
	memcpy(req->resp.body + req->resp.body_len, data, len);
	req->resp.body_len += len;
	req->resp.body[req->resp.body_len] = 0;
	return len;
}

/* Requests --------------------------------------------------------------- */

struct http_request *http_request_new(const char *method, const char *url, const char *const *headers,
                                      const char *body)
{
	struct http_request *req = calloc(1, sizeof *req);
	if (!req)
		return NULL;
	snprintf(req->method, sizeof req->method, "%s", method);
	req->url = strdup(url);
	req->body_cap = 256;
	req->resp.body = calloc(1, req->body_cap);
	http_request_uuid(req->request_id);
	req->resp.request_id = req->request_id;
	char idh[64];
	snprintf(idh, sizeof idh, "x-ms-client-request-id: %s", req->request_id);
	/* "Expect:" stops curl's 100-continue pause on larger bodies. */
	req->hdrs = curl_slist_append(NULL, idh);
	if (req->hdrs)
		req->hdrs = curl_slist_append(req->hdrs, "Expect:");
	for (size_t i = 0; headers && headers[i] && req->hdrs; i++) {
		struct curl_slist *l = curl_slist_append(req->hdrs, headers[i]);
		if (!l) {
			curl_slist_free_all(req->hdrs);
			req->hdrs = NULL;
		}
		req->hdrs = l;
	}
	if (!req->url || !req->resp.body || !req->hdrs || (body && http_request_set_body(req, body, strlen(body)))) {
		http_request_free(req);
		return NULL;
	}
	return req;
}

int http_request_set_body(struct http_request *req, const void *data, size_t len)
{
	char *b = malloc(len + 1);
	if (!b)
		return -1;
	memcpy(b, data, len);
	b[len] = 0;
	free(req->body);
	req->body = b;
	req->body_len = len;
	req->has_body = 1;
	return 0;
}

int http_request_headers_clean(const struct http_request *req)
{
	for (const struct curl_slist *h = req->hdrs; h; h = h->next)
		for (const unsigned char *p = (const unsigned char *)h->data; *p; p++)
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				return 0;
	return 1;
}

int http_request_drop_form_type(struct http_request *req)
{
	if (req->sigv4_provider)
		return 0;
	for (const struct curl_slist *h = req->hdrs; h; h = h->next)
		if (strncasecmp(h->data, "Content-Type:", 13) == 0)
			return 0;
	struct curl_slist *l = curl_slist_append(req->hdrs, "Content-Type:");
	if (!l)
		return -1;
	req->hdrs = l;
	return 0;
}

void http_request_set_once(struct http_request *req)
{
	req->once = 1;
}

void http_request_set_idempotent(struct http_request *req, int yes)
{
	req->idempotent = yes;
}

void http_request_set_kind(struct http_request *req, enum http_kind kind)
{
	req->kind = kind < HTTP_KIND_COUNT ? kind : HTTP_KIND_OTHER;
}

void http_request_set_tls(struct http_request *req, const char *ca, size_t ca_len, const char *cert,
                          size_t cert_len, const char *key, size_t key_len)
{
	req->tls_ca = (struct curl_blob){(void *)ca, ca_len, CURL_BLOB_NOCOPY};
	req->tls_cert = (struct curl_blob){(void *)cert, cert_len, CURL_BLOB_NOCOPY};
	req->tls_key = (struct curl_blob){(void *)key, key_len, CURL_BLOB_NOCOPY};
}

static char *http_secdup(const char *s)
{
	size_t n = strlen(s);
	char *d = secmem_alloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int http_request_set_aws_sigv4(struct http_request *req, const char *provider, const char *access_key,
                               const char *secret_key)
{
	free(req->sigv4_provider);
	secmem_free(req->sigv4_access);
	secmem_free(req->sigv4_secret);
	req->sigv4_provider = strdup(provider);
	req->sigv4_access = http_secdup(access_key);
	req->sigv4_secret = http_secdup(secret_key);
	log_redact(secret_key, strlen(secret_key));
	/* curl would sign our empty "Expect:" (which is never sent) and servers then disagree
	 * on its value; signed requests let curl decide about Expect itself. */
	struct curl_slist *kept = NULL;
	for (struct curl_slist *h = req->hdrs; h; h = h->next) {
		if (strcasecmp(h->data, "Expect:") == 0)
			continue;
		struct curl_slist *l = curl_slist_append(kept, h->data);
		if (!l) {
			curl_slist_free_all(kept);
			return -1;
		}
		kept = l;
	}
	curl_slist_free_all(req->hdrs);
	req->hdrs = kept;
	return req->sigv4_provider && req->sigv4_access && req->sigv4_secret ? 0 : -1;
}

/* Takes the keys back from curl once an attempt is over (curl frees its copies). */
void http_request_sigv4_release(struct http_request *req)
{
	if (req->easy && req->sigv4_provider) {
		curl_easy_setopt(req->easy, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(req->easy, CURLOPT_PASSWORD, NULL);
	}
}

void http_request_free(struct http_request *req)
{
	if (!req)
		return;
	http_request_sigv4_release(req);
	free(req->sigv4_provider);
	secmem_free(req->sigv4_access);
	secmem_free(req->sigv4_secret);
	if (req->easy)
		curl_easy_cleanup(req->easy);
	curl_slist_free_all(req->hdrs);
	http_request_clear_headers(req);
	free(req->resp.headers);
	free(req->resp.body);
	free(req->url);
	free(req->log_url);
	free(req->body);
	free(req->error);
	free(req);
}
