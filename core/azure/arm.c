/* ARM client: auth, the calls and their first answers (long-running operations: arm_lro.c;
 * error texts: arm_error.c). */
#include "core/azure/arm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/azure/arm_int.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"

struct arm *arm_new(struct http_client *http, struct auth *auth, const struct cloud *cloud)
{
	struct arm *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->http = http;
	a->loop = http_client_loop(http);
	a->auth = auth;
	a->cloud = cloud;
	a->poll_default_ms = ARM_POLL_DEFAULT_MS;
	arm_lro_defaults(a);
	return a;
}

void arm_set_poll_default(struct arm *a, long ms)
{
	a->poll_default_ms = ms;
}

void arm_op_free(struct arm_op *op)
{
	free(op->url);
	free(op->body);
	free(op->poll_url);
	free(op->location);
	free(op);
}

void arm_unlink(struct arm *a, struct arm_op *op)
{
	for (struct arm_op **p = &a->ops; *p; p = &(*p)->next) {
		if (*p == op) {
			*p = op->next;
			return;
		}
	}
}

void arm_cancel(struct arm *a, struct arm_op *op)
{
	struct arm_op *o = a->ops;
	while (o && o != op)
		o = o->next;
	if (!o)
		return;
	arm_unlink(a, op);
	if (op->req)
		http_client_cancel(a->http, op->req);
	if (op->timer)
		loop_cancel(a->loop, op->timer);
	auth_forget(a->auth, op);
	arm_op_free(op);
}

void arm_free(struct arm *a)
{
	if (!a)
		return;
	while (a->ops)
		arm_cancel(a, a->ops);
	free(a);
}

int arm_pending(const struct arm *a)
{
	int n = 0;
	for (const struct arm_op *o = a->ops; o; o = o->next)
		n++;
	return n;
}

/* ---- calls ---- */

void arm_finish_as(struct arm_op *op, const struct http_response *resp, const char *error, const char *code,
                          int still)
{
	struct arm *a = op->arm;
	const char *body = resp && resp->body ? resp->body : "";
	cJSON *j = *body ? cJSON_Parse(body) : NULL;
	struct arm_result r = {resp ? resp->status : 0, body, j, error, code ? code : "", op->requests, op->polls,
	                       (double)(loop_now_ms() - op->started_ms) / 1000.0, op->state, still};
	arm_unlink(a, op);
	if (error)
		log_msg(LOG_WARN, "arm %s: %s", op->method, error);
	op->done(&r, op->arg);
	cJSON_Delete(j);
	arm_op_free(op);
}

void arm_finish(struct arm_op *op, const struct http_response *resp, const char *error, const char *code)
{
	arm_finish_as(op, resp, error, code, 0);
}

void arm_fail_http(struct arm_op *op, const struct http_response *resp)
{
	char code[128], msg[2048];
	if (resp->error) {
		arm_finish(op, resp, resp->error, "");
		return;
	}
	arm_error_message(resp->status, resp->body, code, sizeof code, msg, sizeof msg);
	arm_finish(op, resp, msg, code);
}

int arm_terminal(const char *s)
{
	return strcasecmp(s, "Succeeded") == 0 || strcasecmp(s, "Failed") == 0 || strcasecmp(s, "Canceled") == 0 ||
	       strcasecmp(s, "Cancelled") == 0;
}

const char *arm_provisioning_state(const cJSON *j)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "properties");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "provisioningState");
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* 1 when url is on the cloud's own ARM scheme, host and port: the only place the bearer
 * token may go. Poll and next-page URLs come from answers and the state file. */
int arm_url_trusted(const struct arm *a, const char *url)
{
	const char *base = a->cloud->arm;
	const char *bs = strstr(base, "://");
	const char *us = url ? strstr(url, "://") : NULL;
	if (!bs || !us || (size_t)(bs - base) != (size_t)(us - url) || strncasecmp(base, url, (size_t)(bs - base)) != 0)
		return 0;
	bs += 3;
	us += 3;
	size_t bl = strcspn(bs, "/?#"), ul = strcspn(us, "/?#");
	if (bl != ul || strncasecmp(bs, us, bl) != 0)
		return 0;
	return memchr(us, '@', ul) == NULL;
}

void arm_untrusted(struct arm_op *op, const char *url)
{
	char shown[256];
	http_redact_url(url, shown, sizeof shown);
	for (char *p = shown; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	char msg[512];
	snprintf(msg, sizeof msg, "refusing to follow %s: not this cloud's Resource Manager (%s); no token was sent",
	         shown, op->arm->cloud->arm);
	arm_finish(op, NULL, msg, "UntrustedUrl");
}

static int arm_is_auth_failure(const struct http_response *resp)
{
	if (resp->status != 401)
		return 0;
	const char *www = http_response_header(resp, "WWW-Authenticate");
	return (www && strcasestr(www, "invalid_token")) || strstr(resp->body, "InvalidAuthenticationToken") ||
	       strstr(resp->body, "ExpiredAuthenticationToken") || www;
}

static void arm_on_initial(struct arm_op *op, const struct http_response *resp)
{
	long st = resp->status;
	if (st < 200 || st > 299) {
		arm_fail_http(op, resp);
		return;
	}
	int mutating = strcmp(op->method, "GET") != 0 && strcmp(op->method, "HEAD") != 0;
	cJSON *j = cJSON_Parse(resp->body);
	const char *ps = arm_provisioning_state(j);
	int running = ps && !arm_terminal(ps);
	int failed = ps && (strcasecmp(ps, "Failed") == 0 || strncasecmp(ps, "Cancel", 6) == 0);
	if (mutating)
		arm_note_state(op, ps, 1);
	cJSON_Delete(j);
	int has_op = http_response_header(resp, "Azure-AsyncOperation") || http_response_header(resp, "Location");
	if (mutating && (st == 202 || (st == 201 && (has_op || running)) || (st == 200 && running))) {
		if (st == 202 && !has_op) {
			arm_finish(op, resp, NULL, NULL);
			return;
		}
		arm_start_lro(op, resp);
		return;
	}
	if (failed) {
		arm_finish(op, resp, "the resource is in provisioningState Failed", "ProvisioningFailed");
		return;
	}
	arm_finish(op, resp, NULL, NULL);
}

static void arm_on_http(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct arm_op *op = arg;
	op->req = NULL;
	op->requests += resp->attempts ? resp->attempts : 1;
	if (!resp->error && arm_is_auth_failure(resp) && !op->replayed) {
		/* One renewal and one replay; a second 401 in a row is reported. */
		op->replayed = 1;
		log_msg(LOG_INFO, "arm %s: token refused (HTTP 401); renewing it once", op->method);
		auth_invalidate(op->arm->auth, AUTH_ARM, NULL);
		arm_send(op);
		return;
	}
	if (resp->error) {
		arm_finish(op, resp, resp->error, "");
		return;
	}
	if (resp->status != 401)
		op->replayed = 0;
	switch (op->phase) {
	case ARM_INITIAL:
		arm_on_initial(op, resp);
		break;
	case ARM_POLL:
		arm_on_poll(op, resp);
		break;
	case ARM_FINAL:
		if (resp->status < 200 || resp->status > 299)
			arm_fail_http(op, resp);
		else
			arm_finish(op, resp, NULL, NULL);
		break;
	}
}

static void arm_send_with(struct arm_op *op, const char *token)
{
	const char *method = op->phase == ARM_INITIAL ? op->method : "GET";
	const char *url = op->phase == ARM_INITIAL ? op->url
	                  : op->phase == ARM_POLL  ? op->poll_url
	                  : (strcmp(op->method, "POST") == 0 ? op->location : op->url);
	size_t alen = strlen(token) + 32;
	char *auth = secmem_alloc(alen);
	if (!auth) {
		arm_finish(op, NULL, "out of protected memory", "");
		return;
	}
	snprintf(auth, alen, "Authorization: Bearer %s", token);
	const char *hdrs[] = {auth, "Accept: application/json",
	                      op->body && op->phase == ARM_INITIAL ? "Content-Type: application/json" : NULL, NULL};
	struct http_request *req = http_request_new(method, url, hdrs, op->phase == ARM_INITIAL ? op->body : NULL);
	secmem_free(auth);
	if (!req) {
		arm_finish(op, NULL, "out of memory", "");
		return;
	}
	if (op->once && op->phase == ARM_INITIAL)
		http_request_set_once(req);
	/* PUT with an empty body still needs a Content-Length. */
	if (op->phase == ARM_INITIAL && !op->body && strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)
		http_request_set_body(req, "", 0);
	op->req = req;
	http_request_set_kind(req, HTTP_KIND_ARM);
	http_client_submit(op->arm->http, req, arm_on_http, op);
}

static void arm_on_token(const char *token, const char *error, void *arg)
{
	struct arm_op *op = arg;
	if (!token) {
		arm_finish(op, NULL, error ? error : "sign-in failed", "SignInFailed");
		return;
	}
	arm_send_with(op, token);
}

static const char *arm_target(const struct arm_op *op)
{
	return op->phase == ARM_INITIAL ? op->url
	       : op->phase == ARM_POLL  ? op->poll_url
	                                : (strcmp(op->method, "POST") == 0 ? op->location : op->url);
}

/* From the loop, so a refusal never reaches done() inside arm_call. */
static void arm_on_refused(void *arg)
{
	struct arm_op *op = arg;
	op->timer = 0;
	arm_untrusted(op, arm_target(op));
}

void arm_send(struct arm_op *op)
{
	if (!arm_url_trusted(op->arm, arm_target(op))) {
		op->timer = loop_after(op->arm->loop, 0, arm_on_refused, op);
		return;
	}
	const char *tok = auth_token(op->arm->auth, AUTH_ARM);
	if (tok)
		arm_send_with(op, tok);
	else
		auth_request(op->arm->auth, AUTH_ARM, arm_on_token, op);
}

static char *arm_url(const struct arm *a, const char *path, const char *api_version)
{
	char *url = malloc(ARM_URL_MAX);
	if (!url)
		return NULL;
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
		snprintf(url, ARM_URL_MAX, "%s", path);
		return url;
	}
	size_t blen = strlen(a->cloud->arm);
	while (blen && a->cloud->arm[blen - 1] == '/')
		blen--;
	snprintf(url, ARM_URL_MAX, "%.*s%s%s%s%s", (int)blen, a->cloud->arm, path,
	         api_version ? (strchr(path, '?') ? "&" : "?") : "", api_version ? "api-version=" : "",
	         api_version ? api_version : "");
	return url;
}

struct arm_op *arm_op_new(struct arm *a, const char *method, const char *path, const char *api_version,
                                 const char *body, arm_operation_fn on_op, arm_done_fn done, void *arg)
{
	struct arm_op *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->arm = a;
	snprintf(op->method, sizeof op->method, "%s", method);
	op->url = arm_url(a, path, api_version);
	op->body = body ? strdup(body) : NULL;
	op->on_op = on_op;
	op->done = done;
	op->arg = arg;
	op->started_ms = loop_now_ms();
	if (!op->url || (body && !op->body)) {
		arm_op_free(op);
		return NULL;
	}
	op->next = a->ops;
	a->ops = op;
	return op;
}

struct arm_op *arm_call(struct arm *a, const char *method, const char *path, const char *api_version,
                        const char *body, arm_operation_fn on_op, arm_done_fn done, void *arg)
{
	struct arm_op *op = arm_op_new(a, method, path, api_version, body, on_op, done, arg);
	if (op)
		arm_send(op);
	return op;
}

struct arm_op *arm_get(struct arm *a, const char *path, const char *api_version, arm_done_fn done, void *arg)
{
	return arm_call(a, "GET", path, api_version, NULL, NULL, done, arg);
}

struct arm_op *arm_put(struct arm *a, const char *path, const char *api_version, const char *body,
                       arm_operation_fn on_op, arm_done_fn done, void *arg)
{
	return arm_call(a, "PUT", path, api_version, body, on_op, done, arg);
}

struct arm_op *arm_put_once(struct arm *a, const char *path, const char *api_version, const char *body,
                            arm_operation_fn on_op, arm_done_fn done, void *arg)
{
	struct arm_op *op = arm_op_new(a, "PUT", path, api_version, body, on_op, done, arg);
	if (op) {
		op->once = 1;
		arm_send(op);
	}
	return op;
}

struct arm_op *arm_post(struct arm *a, const char *path, const char *api_version, const char *body,
                        arm_operation_fn on_op, arm_done_fn done, void *arg)
{
	return arm_call(a, "POST", path, api_version, body, on_op, done, arg);
}

struct arm_op *arm_delete(struct arm *a, const char *path, const char *api_version, arm_operation_fn on_op,
                          arm_done_fn done, void *arg)
{
	return arm_call(a, "DELETE", path, api_version, NULL, on_op, done, arg);
}
