/* The client: curl multi on the loop through libcurl's socket and timer callbacks; retries on
 * loop timers. */
#include "core/http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/sys/log.h"
#include "core/sys/loop.h"

#define HTTP_RETRY_AFTER_MAX_S 300
#define HTTP_TIMEOUT_ATTEMPTS 2   /* a server too slow twice will not be faster a third time */

#define HTTP_KIND_MS_(id, name, ms) ms,
static const long http_kind_ms[] = {HTTP_KINDS(HTTP_KIND_MS_)};
#define HTTP_KIND_NAME_(id, name, ms) name,
static const char *const http_kind_name[] = {HTTP_KINDS(HTTP_KIND_NAME_)};

/* Client ------------------------------------------------------------------ */

static void http_read_info(struct http_client *c);

/* A socket curl uses is ready: tell curl, then collect what ended. */
static void http_on_fd(int fd, short revents, void *arg)
{
	struct http_client *c = arg;
	int ev = 0, running;
	if (revents & (POLLIN | POLLHUP))
		ev |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		ev |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		ev |= CURL_CSELECT_ERR;
	curl_multi_socket_action(c->multi, fd, ev, &running);
	http_read_info(c);
}

static void http_on_curl_timer(void *arg)
{
	struct http_client *c = arg;
	int running;
	c->curl_timer = 0;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_read_info(c);
}

/* CURLMOPT_SOCKETFUNCTION: curl says which sockets it waits on; they go to the loop as they are. */
static int http_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_client *c = userp;
	(void)easy;
	(void)socketp;
	size_t i = 0;
	while (i < c->nsocks && c->socks[i] != fd)
		i++;
	if (what == CURL_POLL_REMOVE) {
		if (i < c->nsocks) {
			c->socks[i] = c->socks[--c->nsocks];
			loop_unwatch(c->loop, fd);
		}
		return 0;
	}
	if (i == c->nsocks) {
		if (c->nsocks == c->capsocks) {
			size_t cap = c->capsocks ? c->capsocks * 2 : 8;
			curl_socket_t *ns = realloc(c->socks, cap * sizeof *ns);
			if (!ns)
				return -1;
			c->socks = ns;
			c->capsocks = cap;
		}
		c->socks[c->nsocks++] = fd;
	}
	short events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return loop_watch(c->loop, fd, events, http_on_fd, c);
}

/* CURLMOPT_TIMERFUNCTION: one loop timer stands for curl's own; -1 removes it. */
static int http_on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *c = userp;
	(void)multi;
	if (c->curl_timer)
		loop_cancel(c->loop, c->curl_timer);
	c->curl_timer = 0;
	if (timeout_ms >= 0 && !(c->curl_timer = loop_after(c->loop, timeout_ms, http_on_curl_timer, c)))
		return -1;
	return 0;
}

struct http_client *http_client_new(struct loop *l)
{
	static int inited;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		inited = 1;
	}
	struct http_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		return NULL;
	}
	c->loop = l;
	c->max_attempts = 6;
	c->base_ms = 500;
	c->cap_ms = 30000;
	c->connect_ms = 15000;
	c->stall_s = 60;
	memcpy(c->deadline_ms, http_kind_ms, sizeof c->deadline_ms);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, http_on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, http_on_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

struct loop *http_client_loop(const struct http_client *c)
{
	return c->loop;
}

static void http_unlink(struct http_client *c, struct http_request *req)
{
	for (struct http_request **p = &c->reqs; *p; p = &(*p)->next)
		if (*p == req) {
			*p = req->next;
			req->next = NULL;
			return;
		}
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	while (c->reqs) {
		struct http_request *r = c->reqs;
		http_client_cancel(c, r);
	}
	curl_multi_cleanup(c->multi);
	if (c->curl_timer)
		loop_cancel(c->loop, c->curl_timer);
	while (c->nsocks)
		loop_unwatch(c->loop, c->socks[--c->nsocks]);
	free(c->socks);
	free(c->ca_file);
	free(c);
}

int http_client_set_ca_file(struct http_client *c, const char *path)
{
	free(c->ca_file);
	c->ca_file = NULL;
	if (!path)
		return 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	fclose(f);
	c->ca_file = strdup(path);
	return c->ca_file ? 0 : -1;
}

void http_client_set_retry(struct http_client *c, unsigned max_attempts, long base_ms, long cap_ms)
{
	c->max_attempts = max_attempts ? max_attempts : 1;
	c->base_ms = base_ms;
	c->cap_ms = cap_ms;
}

void http_client_set_timeouts(struct http_client *c, long connect_ms, long stall_s)
{
	c->connect_ms = connect_ms;
	c->stall_s = stall_s;
}

void http_client_set_deadline(struct http_client *c, enum http_kind kind, long ms)
{
	if (kind < HTTP_KIND_COUNT)
		c->deadline_ms[kind] = ms > 0 ? ms : 0;
}

static int http_setup(struct http_client *c, struct http_request *req)
{
	if (!req->easy && !(req->easy = curl_easy_init()))
		return -1;
	CURL *e = req->easy;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, req);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (req->tls_ca.data) {
		/* Only the given CA: no bundle file, no CA directory. */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &req->tls_ca);
	}
	if (req->tls_cert.data && req->tls_key.data) {
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &req->tls_cert);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &req->tls_key);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->stall_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->deadline_ms[req->kind]);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "studio-wizard/" SW_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->hdrs);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_request_on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_request_on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
	if (req->sigv4_provider) {
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, req->sigv4_provider);
		curl_easy_setopt(e, CURLOPT_USERNAME, req->sigv4_access);
		curl_easy_setopt(e, CURLOPT_PASSWORD, req->sigv4_secret);
	}
	if (strcmp(req->method, "GET") == 0 && !req->has_body) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		if (req->has_body || strcmp(req->method, "POST") == 0) {
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		}
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	}
	return 0;
}

static int http_start(struct http_client *c, struct http_request *req)
{
	req->resp.attempts++;
	req->resp.body_len = 0;
	req->resp.body[0] = 0;
	req->too_large = 0;
	req->errbuf[0] = 0;
	http_request_clear_headers(req);
	req->attempt_ms = loop_now_ms();
	req->state = REQ_RUNNING;
	if (http_setup(c, req) != 0 || curl_multi_add_handle(c->multi, req->easy) != CURLM_OK)
		return -1;
	return 0;
}

static void http_set_error(struct http_request *req, const char *msg)
{
	free(req->error);
	req->error = strdup(msg);
}

static void http_finish(struct http_client *c, struct http_request *req);

/* A retry's wait ended, or a refusal is delivered: from the loop, never inside submit. */
static void http_on_due(void *arg)
{
	struct http_request *req = arg;
	struct http_client *c = req->client;
	req->timer = 0;
	if (req->state == REQ_REFUSED) {
		http_finish(c, req);
	} else if (http_start(c, req) != 0) {
		http_set_error(req, "cannot start a request (out of memory)");
		http_finish(c, req);
	}
}

void http_client_submit(struct http_client *c, struct http_request *req, http_done_fn done, void *arg)
{
	char scheme[16], logurl[2048], msg[512];
	req->client = c;
	req->done = done;
	req->arg = arg;
	req->submitted_ms = loop_now_ms();
	req->next = c->reqs;
	c->reqs = req;
	http_redact_url(req->url, logurl, sizeof logurl);
	req->log_url = strdup(logurl);
	if (http_url_parse(req->url, scheme, sizeof scheme, req->host, sizeof req->host) != 0) {
		snprintf(req->host, sizeof req->host, "%s", "?");
		snprintf(msg, sizeof msg, "not a URL: %.400s", logurl);
	} else if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0) {
		snprintf(msg, sizeof msg, "refusing %s to %s: only https is used", scheme, req->host);
	} else if (strcasecmp(scheme, "http") == 0 && !http_url_host_is_loopback(req->host)) {
		snprintf(msg, sizeof msg, "refusing plain http to %s: only loopback may use http", req->host);
	} else if (!http_request_headers_clean(req)) {
		snprintf(msg, sizeof msg, "refusing a request to %s: a header holds a line break or control character",
		         req->host);
	} else if (http_request_drop_form_type(req) == 0 && http_start(c, req) == 0) {
		return;
	} else {
		snprintf(msg, sizeof msg, "cannot start a request to %s (out of memory)", req->host);
	}
	http_set_error(req, msg);
	/* Refused: delivered from the loop, like every other outcome. */
	req->state = REQ_REFUSED;
	if (!(req->timer = loop_after(c->loop, 0, http_on_due, req)))
		http_finish(c, req);   /* out of memory: no loop turn to wait for */
}

void http_client_cancel(struct http_client *c, struct http_request *req)
{
	struct http_request *r = c->reqs;
	while (r && r != req)
		r = r->next;
	if (!r)
		return;
	http_unlink(c, req);
	if (req->state == REQ_RUNNING)
		curl_multi_remove_handle(c->multi, req->easy);
	if (req->timer)
		loop_cancel(c->loop, req->timer);
	http_request_free(req);
}

int http_client_pending(const struct http_client *c)
{
	int n = 0;
	for (const struct http_request *r = c->reqs; r; r = r->next)
		n++;
	return n;
}

static long http_retry_after_ms(const struct http_response *r)
{
	const char *v = http_response_header(r, "Retry-After");
	if (!v || !*v)
		return -1;
	long s;
	if (strspn(v, "0123456789") == strlen(v)) {
		s = strtol(v, NULL, 10);
	} else {
		time_t t = curl_getdate(v, NULL);
		if (t < 0)
			return -1;
		s = (long)(t - time(NULL));
	}
	if (s < 0)
		s = 0;
	if (s > HTTP_RETRY_AFTER_MAX_S)
		s = HTTP_RETRY_AFTER_MAX_S;
	return s * 1000;
}

static long http_backoff_ms(const struct http_client *c, unsigned attempt)
{
	long long exp = c->base_ms;
	for (unsigned i = 1; i < attempt && exp < c->cap_ms; i++)
		exp *= 2;
	if (exp > c->cap_ms)
		exp = c->cap_ms;
	return exp > 0 ? (long)(http_random_u32() % (uint32_t)(exp + 1)) : 0;
}

static int http_transient(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_PARTIAL_FILE || rc == CURLE_GOT_NOTHING || rc == CURLE_OPERATION_TIMEDOUT;
}

static int http_method_idempotent(const struct http_request *req)
{
	static const char *const m[] = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"};
	if (req->once)
		return 0;
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (strcmp(req->method, m[i]) == 0)
			return 1;
	return req->idempotent;
}

static void http_describe(struct http_client *c, struct http_request *req, CURLcode rc, long long took)
{
	long deadline = c->deadline_ms[req->kind];
	const char *d = req->errbuf[0] ? req->errbuf : curl_easy_strerror(rc);
	const char *h = req->host;
	char msg[600];
	size_t n;
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		n = (size_t)snprintf(msg, sizeof msg, "TLS certificate of %s not trusted (%s); use --ca-file for a private CA", h, d);
		break;
	case CURLE_SSL_CACERT_BADFILE:
		n = (size_t)snprintf(msg, sizeof msg, "cannot use the CA file for %s (%s)", h, d);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		n = (size_t)snprintf(msg, sizeof msg, "TLS handshake with %s failed (%s)", h, d);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		n = (size_t)snprintf(msg, sizeof msg, "cannot resolve host %s (%s)", h, d);
		break;
	case CURLE_COULDNT_CONNECT:
		n = (size_t)snprintf(msg, sizeof msg, "cannot connect to %s (%s)", h, d);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (deadline > 0 && took >= deadline)
			n = (size_t)snprintf(msg, sizeof msg, "%s did not finish answering within %ld s, the deadline for %s "
			                     "requests (%s)", h, (deadline + 999) / 1000, http_kind_name[req->kind], d);
		else
			n = (size_t)snprintf(msg, sizeof msg, "%s did not answer in time (%s)", h, d);
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		n = (size_t)snprintf(msg, sizeof msg, "connection to %s broke (%s)", h, d);
		break;
	default:
		if (req->too_large)
			n = (size_t)snprintf(msg, sizeof msg, "answer from %s is larger than 16 MiB", h);
		else
			n = (size_t)snprintf(msg, sizeof msg, "request to %s failed (%s)", h, d);
	}
	if (req->resp.attempts > 1 && n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, " after %u attempts", req->resp.attempts);
	http_set_error(req, msg);
}

static void http_finish(struct http_client *c, struct http_request *req)
{
	http_unlink(c, req);
	req->resp.error = req->error ? req->error : (req->resp.status ? NULL : "request failed");
	req->resp.seconds = (double)(loop_now_ms() - req->submitted_ms) / 1000.0;
	if (req->resp.error)
		log_msg(LOG_WARN, "http %s %s failed: %s", req->method, req->log_url ? req->log_url : "?",
		        req->resp.error);
	if (req->done)
		req->done(req, &req->resp, req->arg);
	http_request_free(req);
}

/* One attempt ended: retry after a timer, or hand the outcome to the caller. */
static void http_attempt_done(struct http_client *c, struct http_request *req, CURLcode rc)
{
	long status = 0;
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(c->multi, req->easy);
	http_request_sigv4_release(req);
	long long took = loop_now_ms() - req->attempt_ms;
	req->resp.status = rc == CURLE_OK ? status : 0;
	log_msg(LOG_INFO, "http %s %s -> %ld%s%s %.3fs attempt %u id %s", req->method, req->log_url, status,
	        rc == CURLE_OK ? "" : " curl: ", rc == CURLE_OK ? "" : curl_easy_strerror(rc), (double)took / 1000.0,
	        req->resp.attempts, req->request_id);
	int retry_status = rc == CURLE_OK && (status == 429 || status == 500 || status == 502 || status == 503 ||
	                                      status == 504);
	int transient = rc != CURLE_OK && !req->too_large && http_transient(rc) &&
	                (rc != CURLE_OPERATION_TIMEDOUT || ++req->timeouts < HTTP_TIMEOUT_ATTEMPTS);
	int allowed = http_method_idempotent(req) || status == 429 || rc == CURLE_COULDNT_CONNECT;
	if ((retry_status || transient) && allowed && req->resp.attempts < c->max_attempts) {
		long wait = retry_status ? http_retry_after_ms(&req->resp) : -1;
		if (wait < 0)
			wait = http_backoff_ms(c, req->resp.attempts);
		log_msg(LOG_INFO, "http %s %s: retry in %ld ms", req->method, req->log_url, wait);
		req->state = REQ_WAITING;
		if ((req->timer = loop_after(c->loop, wait, http_on_due, req)))
			return;
		http_set_error(req, "cannot wait to retry (out of memory)");
	}
	if (rc != CURLE_OK && !req->error)
		http_describe(c, req, rc, took);
	http_finish(c, req);
}

static void http_read_info(struct http_client *c)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct http_request *req = NULL;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		if (req)
			http_attempt_done(c, req, rc);
	}
}

void http_client_wait(struct http_client *c)
{
	while (http_client_pending(c) > 0 && loop_once(c->loop, -1) >= 0)
		;
}
