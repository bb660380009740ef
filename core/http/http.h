/* core/http/http.h: the one HTTP path. Every request of the wizard goes through an
 * http_client: libcurl multi on the process's one event loop (core/sys/loop.h), whose
 * sockets and timer it registers there through libcurl's socket and timer callbacks.
 *
 * Always: TLS verified (peer + host), plain http only to loopback, no redirects,
 * x-ms-client-request-id (one uuid v4 per logical request, kept across its retries
 * so the server can tie the attempts together), User-Agent studio-wizard/SW_VERSION,
 * one log line per attempt with secrets in the URL redacted; headers and bodies are
 * never logged.
 *
 * Retries (timers in the loop, never sleep): 429, 500, 502, 503, 504 and connection
 * failures, waiting Retry-After (seconds or HTTP date, capped at 300 s) or else
 * capped exponential backoff with full jitter. GET, HEAD, PUT, PATCH, DELETE and
 * OPTIONS retry on all of these (idempotent at ARM). POST retries only when it
 * never reached the server (connect failure) or got 429, unless the caller marks
 * it idempotent with http_request_set_idempotent() (token endpoints, list*Credential).
 * An attempt that ran out of time (its kind's deadline, doc/http.md) is retried once at most. */
#ifndef SW_HTTP_H
#define SW_HTTP_H

#include <stddef.h>

struct http_client;
struct loop;
struct http_request;

struct http_header {
	char *name;
	char *value;
};

struct http_response {
	long status;             /* 0 when no HTTP answer arrived */
	char *body;              /* NUL-terminated; never NULL */
	size_t body_len;
	struct http_header *headers;
	size_t nheaders;
	const char *error;       /* NULL when an HTTP answer arrived; else one line naming host and problem */
	unsigned attempts;
	double seconds;          /* from submit to completion, retry waits included */
	const char *request_id;  /* the x-ms-client-request-id sent */
};

/* Called once per submitted request, from the loop; the request is freed
 * after it returns. It may submit or cancel requests, but not free the client. */
typedef void (*http_done_fn)(struct http_request *req, const struct http_response *resp, void *arg);

#define HTTP_BODY_MAX (16u * 1024 * 1024)

/* Works on l, which must outlive the client. */
struct http_client *http_client_new(struct loop *l);
void http_client_free(struct http_client *c);   /* drops unfinished requests without callbacks */
struct loop *http_client_loop(const struct http_client *c);
/* A PEM bundle for a private CA; NULL restores the system store. 0 or -1 (unreadable). */
int http_client_set_ca_file(struct http_client *c, const char *path);
/* Defaults: 6 attempts, 500 ms base, 30 s cap. */
void http_client_set_retry(struct http_client *c, unsigned max_attempts, long base_ms, long cap_ms);
/* Defaults: connect 15 s, abort when under 1 byte/s for 60 s. */
void http_client_set_timeouts(struct http_client *c, long connect_ms, long stall_s);

/* What a request talks to. Each kind has a deadline for a whole attempt (connect, send, the
 * full answer), so a server trickling its answer cannot hold a call: an attempt past it
 * fails naming the host, and is tried once more when the request may be retried. */
#define HTTP_KINDS(X)                                                                           \
	X(HTTP_KIND_OTHER, "HTTP", 60000L)                                                       \
	X(HTTP_KIND_ARM, "Azure Resource Manager", 120000L)                                      \
	X(HTTP_KIND_LOGIN, "sign-in", 60000L)                                                    \
	X(HTTP_KIND_KUBE, "Kubernetes", 60000L)                                                  \
	X(HTTP_KIND_REGISTRY, "registry", 60000L)
#define HTTP_KIND_ENUM_(id, name, ms) id,
enum http_kind { HTTP_KINDS(HTTP_KIND_ENUM_) HTTP_KIND_COUNT };
#undef HTTP_KIND_ENUM_
/* The deadline of kind's attempts (the defaults above, doc/http.md); 0 = none. */
void http_client_set_deadline(struct http_client *c, enum http_kind kind, long ms);

/* headers: NULL-terminated "Name: value" strings (copied); body: NUL-terminated or NULL. */
struct http_request *http_request_new(const char *method, const char *url,
                                      const char *const *headers, const char *body);
int http_request_set_body(struct http_request *req, const void *data, size_t len);
void http_request_set_idempotent(struct http_request *req, int yes);
void http_request_set_kind(struct http_request *req, enum http_kind kind);   /* default HTTP_KIND_OTHER */
/* Never replayed once it may have reached the server (a create that must happen once:
 * after a lost answer the caller looks before it sends again). */
void http_request_set_once(struct http_request *req);
/* TLS from memory for this request (a cluster's kubeconfig): ca is a PEM bundle that replaces
 * the system store and --ca-file; cert/key (PEM, may be NULL) authenticate the client. The
 * buffers are not copied (they stay in the caller's secmem) and must outlive the request. */
void http_request_set_tls(struct http_request *req, const char *ca, size_t ca_len, const char *cert,
                          size_t cert_len, const char *key, size_t key_len);
/* Signs every attempt with AWS SigV4 through libcurl; provider as CURLOPT_AWS_SIGV4
 * ("aws:amz:us-east-1:s3"). Both keys are copied into secmem, handed to curl only
 * while an attempt runs and wiped with the request; the secret joins the log's
 * redaction list. 0 or -1. */
int http_request_set_aws_sigv4(struct http_request *req, const char *provider, const char *access_key,
                               const char *secret_key);
void http_request_free(struct http_request *req);   /* only for requests never submitted */

/* Takes ownership of req. Refusals (plain http to a remote host, bad URL, a header holding
 * a line break or another control byte) reach done() from the loop like any other failure,
 * without a connection attempt. */
void http_client_submit(struct http_client *c, struct http_request *req, http_done_fn done, void *arg);
/* Drops a submitted, unfinished request without calling done(). */
void http_client_cancel(struct http_client *c, struct http_request *req);

int http_client_pending(const struct http_client *c);
/* Turns the loop until no request is pending (headless callers and tests). */
void http_client_wait(struct http_client *c);

/* Case-insensitive; NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);

/* Copy a URL / form body with secret parameter values (code, client_secret,
 * refresh_token, device_code, password, sig, se, ...) replaced by <redacted>. */
void http_redact_url(const char *url, char *out, size_t outlen);
void http_redact_form(const char *form, char *out, size_t outlen);
/* 1 when url's host is 127.0.0.0/8, ::1 or localhost. */
int http_url_is_loopback(const char *url);

#endif
