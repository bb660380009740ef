/* ARM client: the calls and their first answers. Below it: the op's life and sending
 * (arm_op.c), long-running operations (arm_lro.c), error texts (arm_error.c). */
#include "core/azure/arm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "core/azure/arm_int.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"

static void arm_on_http(struct http_request *req, const struct http_response *resp, void *arg);

struct arm *arm_new(struct http_client *http, struct auth *auth, const struct cloud *cloud)
{
	struct arm *a = xcalloc(1, sizeof *a);
	a->http = http;
	a->loop = http_client_loop(http);
	a->auth = auth;
	a->cloud = cloud;
	a->poll_default_ms = ARM_POLL_DEFAULT_MS;
	a->on_http = arm_on_http;
	arm_lro_defaults(a);
	return a;
}

void arm_set_poll_default(struct arm *a, long ms)
{
	a->poll_default_ms = ms;
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
