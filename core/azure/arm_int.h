/* core/azure/arm_int.h: what arm.c (the calls), arm_lro.c (long-running operations) and
 * arm_op.c (an op's life, below both) share; not for callers of core/azure/arm.h. */
#ifndef SW_ARM_INT_H
#define SW_ARM_INT_H

#include "core/azure/arm.h"
#include "core/http/http.h"

#define ARM_URL_MAX 4096
#define ARM_POLL_MIN_MS 1000L

enum arm_phase { ARM_INITIAL, ARM_POLL, ARM_FINAL };
enum arm_kind { ARM_KIND_NONE, ARM_KIND_ASYNC, ARM_KIND_LOCATION, ARM_KIND_RESOURCE, ARM_KIND_UNKNOWN };

struct arm_op {
	struct arm *arm;
	char method[8];
	char *url;          /* the request URL (resource for PUT/PATCH) */
	char *body;
	char *poll_url;
	char *location;     /* a POST's Location, for its final result */
	enum arm_phase phase;
	enum arm_kind kind;
	int replayed;       /* a 401 was already answered with a new token */
	int once;           /* the initial request is never replayed after it may have landed */
	arm_operation_fn on_op;
	arm_done_fn done;
	void *arg;
	struct http_request *req;
	unsigned timer;
	const char *unsent;   /* why arm_send could not send: reported from the loop */
	long next_wait_ms;
	unsigned requests, polls;
	long long started_ms;
	long long lro_ms;   /* when this process began polling; 0 before */
	arm_state_fn on_state;
	char state[64];     /* Azure's last word */
	int has_prov;       /* state is a provisioningState: an operation's status does not replace it */
	struct arm_op *next;
};

struct arm {
	struct http_client *http;
	struct loop *loop;         /* the http client's */
	struct auth *auth;
	const struct cloud *cloud;
	long poll_default_ms;
	long lro_deadline_ms[ARM_LRO_COUNT];
	struct arm_op *ops;
	http_done_fn on_http;   /* arm.c's handler of every answer */
};

/* arm_op.c */
void arm_op_free(struct arm_op *op);
void arm_unlink(struct arm *a, struct arm_op *op);
struct arm_op *arm_op_new(struct arm *a, const char *method, const char *path, const char *api_version,
                          const char *body, arm_operation_fn on_op, arm_done_fn done, void *arg);
/* Sends op's current request; never ends op inside the call (a failure comes from the loop). */
void arm_send(struct arm_op *op);
void arm_finish_as(struct arm_op *op, const struct http_response *resp, const char *error, const char *code,
                   int still);
void arm_finish(struct arm_op *op, const struct http_response *resp, const char *error, const char *code);
void arm_fail_http(struct arm_op *op, const struct http_response *resp);
void arm_untrusted(struct arm_op *op, const char *url);
int arm_terminal(const char *s);
const char *arm_provisioning_state(const cJSON *j);

/* arm_lro.c */
void arm_lro_defaults(struct arm *a);
void arm_note_state(struct arm_op *op, const char *s, int prov);
void arm_start_lro(struct arm_op *op, const struct http_response *resp);
void arm_on_poll(struct arm_op *op, const struct http_response *resp);

#endif
