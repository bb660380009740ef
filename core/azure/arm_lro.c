/* ARM long-running operations: polling to the end or to the deadline, Azure's word on
 * them while they run, and resuming a saved one (the calls themselves: arm.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "core/azure/arm_int.h"
#include "core/sys/log.h"

/* doc/azure-waits.md: several times what each usually takes, so only a stuck or throttled
 * operation reaches it. */
static const long arm_lro_default_ms[ARM_LRO_COUNT] = {45 * 60000L, 45 * 60000L, 20 * 60000L, 15 * 60000L};

void arm_lro_defaults(struct arm *a)
{
	memcpy(a->lro_deadline_ms, arm_lro_default_ms, sizeof a->lro_deadline_ms);
}

void arm_set_lro_deadline(struct arm *a, enum arm_lro_kind kind, long ms)
{
	if ((unsigned)kind < ARM_LRO_COUNT && ms > 0)
		a->lro_deadline_ms[kind] = ms;
}

long arm_lro_deadline(const struct arm *a, const char *path)
{
	enum arm_lro_kind k = strcasestr(path, "/agentPools/")          ? ARM_LRO_POOL
	                      : strcasestr(path, "/managedClusters/")   ? ARM_LRO_CLUSTER
	                      : strcasestr(path, "/virtualMachines/")   ? ARM_LRO_VM
	                                                                : ARM_LRO_OTHER;
	return a->lro_deadline_ms[k];
}

void arm_watch(struct arm_op *op, arm_state_fn fn)
{
	if (op)
		op->on_state = fn;
}

/* Azure said something new about the operation: remember it and tell the watcher. */
void arm_note_state(struct arm_op *op, const char *s, int prov)
{
	if (!s || !*s || (op->has_prov && !prov) || strcmp(op->state, s) == 0)
		return;
	snprintf(op->state, sizeof op->state, "%s", s);
	op->has_prov |= prov;
	if (op->on_state)
		op->on_state(op->state, op->arg);
}

static void arm_on_poll_timer(void *arg)
{
	struct arm_op *op = arg;
	op->timer = 0;
	arm_send(op);
}

/* Past the deadline: stop polling, say what it waits for; the operation is left to Azure. */
static void arm_stop_waiting(struct arm_op *op, const struct http_response *resp, long deadline)
{
	char shown[512], msg[1024];
	http_redact_url(op->poll_url, shown, sizeof shown);
	int min = deadline >= 60000;
	snprintf(msg, sizeof msg, "Azure is still working on it after %ld %s (%s %s); stopped waiting. %s %s %s again "
	         "when the install starts again", min ? (deadline + 59999) / 60000 : (deadline + 999) / 1000,
	         min ? "min" : "s", op->has_prov ? "provisioningState" : "status",
	         *op->state ? op->state : "not reported yet", op->kind == ARM_KIND_RESOURCE ? "The resource" : "The operation",
	         shown, op->kind == ARM_KIND_RESOURCE ? "is looked at" : "is kept and polled");
	arm_finish_as(op, resp, msg, "StillRunning", 1);
}

static void arm_schedule(struct arm_op *op, const struct http_response *resp)
{
	long deadline = arm_lro_deadline(op->arm, op->url);
	long long left = op->lro_ms + deadline - loop_now_ms();
	if (left <= 0) {
		arm_stop_waiting(op, resp, deadline);
		return;
	}
	const char *ra = http_response_header(resp, "Retry-After");
	long wait = op->arm->poll_default_ms;
	if (ra && *ra && strspn(ra, "0123456789") == strlen(ra)) {
		/* strtol stops at LONG_MAX: capped before the multiplication, which would overflow. */
		long s = strtol(ra, NULL, 10);
		wait = s > 300 ? 300000L : s * 1000L;
	}
	if (wait < ARM_POLL_MIN_MS)
		wait = ARM_POLL_MIN_MS;
	if (wait > 300000L)
		wait = 300000L;
	if (wait > left)
		wait = (long)left;   /* one last look at the deadline itself */
	op->timer = loop_after(op->arm->loop, wait, arm_on_poll_timer, op);
}

/* The operation is over: PUT/PATCH fetch the resource; POST may fetch its Location. */
static void arm_to_final(struct arm_op *op, const struct http_response *resp)
{
	int put = strcmp(op->method, "PUT") == 0 || strcmp(op->method, "PATCH") == 0;
	if (put || (strcmp(op->method, "POST") == 0 && op->location && op->kind == ARM_KIND_ASYNC)) {
		op->phase = ARM_FINAL;
		arm_send(op);
		return;
	}
	arm_finish(op, resp, NULL, NULL);
}

void arm_start_lro(struct arm_op *op, const struct http_response *resp)
{
	const char *async = http_response_header(resp, "Azure-AsyncOperation");
	const char *loc = http_response_header(resp, "Location");
	if (loc && *loc)
		op->location = xstrdup(loc);
	if (async && *async) {
		op->kind = ARM_KIND_ASYNC;
		op->poll_url = xstrdup(async);
	} else if (loc && *loc) {
		op->kind = ARM_KIND_LOCATION;
		op->poll_url = xstrdup(loc);
	} else {
		op->kind = ARM_KIND_RESOURCE;
		op->poll_url = xstrdup(op->url);
	}
	if (!arm_url_trusted(op->arm, op->poll_url) || (op->location && !arm_url_trusted(op->arm, op->location))) {
		arm_untrusted(op, arm_url_trusted(op->arm, op->poll_url) ? op->location : op->poll_url);
		return;
	}
	op->phase = ARM_POLL;
	op->lro_ms = loop_now_ms();
	if (op->kind != ARM_KIND_RESOURCE && op->on_op && op->on_op(op->poll_url, op->arg) != 0) {
		arm_finish(op, resp, "could not record the operation in the state file; stopped before polling", "");
		return;
	}
	char logurl[1024];
	http_redact_url(op->poll_url, logurl, sizeof logurl);
	log_msg(LOG_INFO, "arm %s: long-running operation, polling %s", op->method, logurl);
	arm_schedule(op, resp);
}

void arm_on_poll(struct arm_op *op, const struct http_response *resp)
{
	long st = resp->status;
	op->polls++;
	if (st < 200 || st > 299) {
		arm_fail_http(op, resp);
		return;
	}
	if (op->kind == ARM_KIND_LOCATION || (op->kind == ARM_KIND_UNKNOWN && st != 200)) {
		if (st == 202) {
			arm_schedule(op, resp);
			return;
		}
		arm_to_final(op, resp);
		return;
	}
	cJSON *j = cJSON_Parse(resp->body);
	if (op->kind == ARM_KIND_RESOURCE) {
		const char *ps = arm_provisioning_state(j);
		arm_note_state(op, ps, 1);
		if (ps && !arm_terminal(ps)) {
			cJSON_Delete(j);
			arm_schedule(op, resp);
			return;
		}
		int bad = ps && strcasecmp(ps, "Succeeded") != 0;
		cJSON_Delete(j);
		if (bad)
			arm_finish(op, resp, "the resource ended in provisioningState Failed", "ProvisioningFailed");
		else
			arm_finish(op, resp, NULL, NULL);
		return;
	}
	/* Azure-AsyncOperation (or a resumed URL answering 200 with a status). */
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (!cJSON_IsString(s)) {
		cJSON_Delete(j);
		if (op->kind == ARM_KIND_UNKNOWN) {
			arm_to_final(op, resp);   /* a Location that finished */
			return;
		}
		arm_finish(op, resp, "the operation status answer has no status", "");
		return;
	}
	if (!arm_terminal(s->valuestring)) {
		arm_note_state(op, s->valuestring, 0);
		cJSON_Delete(j);
		arm_schedule(op, resp);
		return;
	}
	if (strcasecmp(s->valuestring, "Succeeded") == 0) {
		cJSON_Delete(j);
		op->kind = ARM_KIND_ASYNC;
		arm_to_final(op, resp);
		return;
	}
	char code[128], msg[2048];
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	char *errtext = err ? cJSON_PrintUnformatted(j) : NULL;
	if (errtext) {
		arm_error_message(st, errtext, code, sizeof code, msg, sizeof msg);
	} else {
		snprintf(code, sizeof code, "%s", s->valuestring);
		snprintf(msg, sizeof msg, "the operation ended with status %s", s->valuestring);
	}
	free(errtext);
	cJSON_Delete(j);
	arm_finish(op, resp, msg, code);
}

struct arm_op *arm_resume(struct arm *a, const char *op_url, const char *method, const char *path,
                          const char *api_version, arm_done_fn done, void *arg)
{
	struct arm_op *op = arm_op_new(a, method, path, api_version, NULL, NULL, done, arg);
	op->poll_url = xstrdup(op_url);
	/* A POST's final answer is the Location it was polling. */
	if (strcmp(method, "POST") == 0)
		op->location = xstrdup(op_url);
	op->phase = ARM_POLL;
	op->kind = ARM_KIND_UNKNOWN;
	op->lro_ms = loop_now_ms();
	log_msg(LOG_INFO, "arm %s: resuming a long-running operation saved before a restart", method);
	arm_send(op);
	return op;
}
