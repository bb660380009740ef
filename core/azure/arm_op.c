/* An ARM call's life below the public calls (arm.c) and the long-running operations
 * (arm_lro.c), which both use it: the op, its URL checks, sending with a token, and the one
 * way it ends. The answers go to arm.c's handler through arm->on_http; nothing here calls up. */
#include "core/azure/arm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"

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

/* NULL once the request is submitted, else why it could not be. */
static const char *arm_send_with(struct arm_op *op, const char *token)
{
	const char *method = op->phase == ARM_INITIAL ? op->method : "GET";
	const char *url = op->phase == ARM_INITIAL ? op->url
	                  : op->phase == ARM_POLL  ? op->poll_url
	                  : (strcmp(op->method, "POST") == 0 ? op->location : op->url);
	size_t alen = strlen(token) + 32;
	char *auth = secmem_alloc(alen);
	if (!auth)
		return "out of protected memory";
	snprintf(auth, alen, "Authorization: Bearer %s", token);
	const char *hdrs[] = {auth, "Accept: application/json",
	                      op->body && op->phase == ARM_INITIAL ? "Content-Type: application/json" : NULL, NULL};
	struct http_request *req = http_request_new(method, url, hdrs, op->phase == ARM_INITIAL ? op->body : NULL);
	secmem_free(auth);
	if (!req)
		return "out of memory";
	if (op->once && op->phase == ARM_INITIAL)
		http_request_set_once(req);
	/* PUT with an empty body still needs a Content-Length. */
	if (op->phase == ARM_INITIAL && !op->body && strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)
		http_request_set_body(req, "", 0);
	op->req = req;
	http_request_set_kind(req, HTTP_KIND_ARM);
	http_client_submit(op->arm->http, req, op->arm->on_http, op);
	return NULL;
}

static void arm_on_token(const char *token, const char *error, void *arg)
{
	struct arm_op *op = arg;
	if (!token) {
		arm_finish(op, NULL, error ? error : "sign-in failed", "SignInFailed");
		return;
	}
	const char *why = arm_send_with(op, token);
	if (why)
		arm_finish(op, NULL, why, "");
}

static const char *arm_target(const struct arm_op *op)
{
	return op->phase == ARM_INITIAL ? op->url
	       : op->phase == ARM_POLL  ? op->poll_url
	                                : (strcmp(op->method, "POST") == 0 ? op->location : op->url);
}

/* From the loop, so a refusal or a request that could not be built never reaches done()
 * inside arm_call: its caller keeps the op it returns (core/engine/act.c does). */
static void arm_on_unsent(void *arg)
{
	struct arm_op *op = arg;
	op->timer = 0;
	if (op->unsent)
		arm_finish(op, NULL, op->unsent, "");
	else
		arm_untrusted(op, arm_target(op));
}

void arm_send(struct arm_op *op)
{
	if (!arm_url_trusted(op->arm, arm_target(op))) {
		op->timer = loop_after(op->arm->loop, 0, arm_on_unsent, op);
		return;
	}
	const char *tok = auth_token(op->arm->auth, AUTH_ARM);
	if (!tok) {
		auth_request(op->arm->auth, AUTH_ARM, arm_on_token, op);
		return;
	}
	op->unsent = arm_send_with(op, tok);
	if (op->unsent)
		op->timer = loop_after(op->arm->loop, 0, arm_on_unsent, op);
}

static char *arm_url(const struct arm *a, const char *path, const char *api_version)
{
	char *url = xmalloc(ARM_URL_MAX);
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
	struct arm_op *op = xcalloc(1, sizeof *op);
	op->arm = a;
	snprintf(op->method, sizeof op->method, "%s", method);
	op->url = arm_url(a, path, api_version);
	op->body = body ? xstrdup(body) : NULL;
	op->on_op = on_op;
	op->done = done;
	op->arg = arg;
	op->started_ms = loop_now_ms();
	op->next = a->ops;
	a->ops = op;
	return op;
}
