/* core/azure/arm.h: Azure Resource Manager calls on the http client and auth.
 *
 * Every call: JSON body, api-version, Authorization from auth (a 401 for a bad or
 * expired token renews it ONCE and replays the request). PUT/PATCH/POST/DELETE that
 * answer 201/202 (or a non-terminal provisioningState) are long-running operations:
 * Azure-AsyncOperation is polled until Succeeded/Failed/Canceled, else Location until
 * 200/201/204, else the resource itself; URLs are followed exactly as given, Retry-After
 * honoured (1 s at least; a default when absent); PUT/PATCH end with a GET of the resource.
 * on_operation() sees the poll URL before the first poll, so the caller can save it and,
 * after a crash, arm_resume() it instead of sending the request again. While it runs,
 * arm_watch() hears Azure's own word on it; past its kind's deadline (doc/azure-waits.md)
 * the call stops waiting and says so (still_running), the operation untouched at Azure.
 * ARM error bodies become one line an operator can act on (arm_error_message). */
#ifndef SW_ARM_H
#define SW_ARM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/azure/auth.h"
#include "core/azure/cloud.h"
#include "core/http/http.h"
#include "core/sys/loop.h"

#define ARM_POLL_DEFAULT_MS 10000L

struct arm;
struct arm_op;

struct arm_result {
	long status;            /* HTTP status of the final answer; 0 when none arrived */
	const char *body;       /* the final body ("" when none) */
	const cJSON *json;      /* body parsed, or NULL */
	const char *error;      /* NULL on success; else a message an operator can act on */
	const char *code;       /* ARM error code ("" when none) */
	unsigned requests;      /* HTTP requests made, polls and retries included */
	unsigned polls;
	double seconds;
	const char *state;      /* Azure's last word while it ran ("Creating", "InProgress"; "" none) */
	int still_running;      /* 1: stopped at the deadline; Azure goes on, the operation is intact */
};

/* Called once per call, from the loop; the op is freed after it returns. */
typedef void (*arm_done_fn)(const struct arm_result *r, void *arg);
/* A long-running operation started: url is what will be polled. Return 0 to poll it;
 * -1 stops the call (done() gets the error "could not record the operation"). */
typedef int (*arm_operation_fn)(const char *url, void *arg);
/* Azure's word on a running operation changed: the resource's properties.provisioningState
 * when an answer carries one, else the operation's status. Outside text, not made safe. */
typedef void (*arm_state_fn)(const char *state, void *arg);

/* How long a long-running operation is polled before the call stops waiting, by what it
 * makes (doc/azure-waits.md). Counted from the first poll of this process. */
enum arm_lro_kind { ARM_LRO_CLUSTER, ARM_LRO_POOL, ARM_LRO_VM, ARM_LRO_OTHER, ARM_LRO_COUNT };

struct arm *arm_new(struct http_client *http, struct auth *auth, const struct cloud *cloud);
void arm_free(struct arm *a);   /* drops unfinished calls without callbacks */
/* Wait between polls when Retry-After is absent. */
void arm_set_poll_default(struct arm *a, long ms);
/* The deadline of kind's operations (tests shorten it; nothing else changes it). */
void arm_set_lro_deadline(struct arm *a, enum arm_lro_kind kind, long ms);
/* The deadline for an operation on the resource at path (or URL). */
long arm_lro_deadline(const struct arm *a, const char *path);

/* path: "/subscriptions/..." under the cloud's ARM endpoint, or an absolute URL (used as
 * is, e.g. nextLink). body: JSON text or NULL. on_op may be NULL. The op returned stays
 * valid until done() runs, which is always later, from the loop, never inside the call. */
struct arm_op *arm_call(struct arm *a, const char *method, const char *path, const char *api_version,
                        const char *body, arm_operation_fn on_op, arm_done_fn done, void *arg);
struct arm_op *arm_get(struct arm *a, const char *path, const char *api_version, arm_done_fn done, void *arg);
struct arm_op *arm_put(struct arm *a, const char *path, const char *api_version, const char *body,
                       arm_operation_fn on_op, arm_done_fn done, void *arg);
/* A create: the PUT is never replayed by the HTTP layer once it may have reached Azure
 * (connection lost, 5xx); the caller looks (GET) before it sends it again. */
struct arm_op *arm_put_once(struct arm *a, const char *path, const char *api_version, const char *body,
                            arm_operation_fn on_op, arm_done_fn done, void *arg);
struct arm_op *arm_post(struct arm *a, const char *path, const char *api_version, const char *body,
                        arm_operation_fn on_op, arm_done_fn done, void *arg);
struct arm_op *arm_delete(struct arm *a, const char *path, const char *api_version, arm_operation_fn on_op,
                          arm_done_fn done, void *arg);
/* Polls a saved operation URL; method is the original request's ("PUT", "POST", ...):
 * PUT/PATCH then GET path (the resource) for the final body. */
struct arm_op *arm_resume(struct arm *a, const char *op_url, const char *method, const char *path,
                          const char *api_version, arm_done_fn done, void *arg);
void arm_cancel(struct arm *a, struct arm_op *op);
/* fn(state, the call's arg) whenever Azure's word on op changes. */
void arm_watch(struct arm_op *op, arm_state_fn fn);
/* 1 when url is on the cloud's ARM scheme, host and port (the only place a token goes);
 * operation, poll and next-page URLs elsewhere are refused without sending anything. */
int arm_url_trusted(const struct arm *a, const char *url);
int arm_pending(const struct arm *a);

/* An ARM error answer as "label: original message (Code) - what to do". code receives
 * the error code ("" if none). Handles {"error":{...}} and AKS's unwrapped {code,message}. */
void arm_error_message(long status, const char *body, char *code, size_t codelen, char *msg, size_t msglen);
/* checkNameAvailability answers: 1 available, 0 taken (why says so and what to do), -1 bad body. */
int arm_name_available(const cJSON *body, const char *name, char *why, size_t whylen);

#endif
