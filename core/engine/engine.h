/* core/engine/engine.h: runs the install steps on the loop, for the TUI and for headless runs.
 *
 * Each step is a sequence of actions (a table in engine.c; later steps add rows).
 * Everything is asynchronous: the UI calls engine_fds()/engine_ready() from its poll
 * loop and gets engine_event callbacks; where the operator must decide (which
 * subscription, whether to register resource providers) the engine waits for
 * engine_choose_subscription()/engine_consent(). With headless set, the answers file
 * decides instead (its subscription; consent = yes, logged).
 * The state file follows every step (running/done/failed, error, in-flight operation
 * URL, resources created); a step already done is skipped, and a saved operation URL
 * is polled again instead of sending its request twice. */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include <poll.h>
#include <stddef.h>

#include "core/model/answers.h"
#include "core/azure/auth.h"
#include "core/azure/cloud.h"
#include "core/model/plan.h"
#include "core/model/state.h"
#include "secrets/vault.h"

#define ENGINE_EVENTS(X)                                                              \
	X(ENGINE_EV_STEP_START, "step-start")           /* step begins */                 \
	X(ENGINE_EV_STEP_SKIPPED, "step-skipped")       /* done earlier */                \
	X(ENGINE_EV_OP_BEGIN, "op-begin")               /* text: "registering X" */       \
	X(ENGINE_EV_OP_END, "op-end")                   /* text, ok, detail, seconds */   \
	X(ENGINE_EV_INFO, "info")                       /* text: a line to show */        \
	X(ENGINE_EV_WARNING, "warning")                 /* text */                        \
	X(ENGINE_EV_DEVICE_CODE, "device-code")         /* device */                      \
	X(ENGINE_EV_CHOOSE_SUBSCRIPTION, "choose-subscription") /* subs, nsubs */         \
	X(ENGINE_EV_CONSENT_PROVIDERS, "consent-providers")     /* names, nnames */       \
	X(ENGINE_EV_STEP_DONE, "step-done")             /* seconds */                     \
	X(ENGINE_EV_STEP_FAILED, "step-failed")         /* text: the error */             \
	X(ENGINE_EV_FINISHED, "finished")               /* ok: every requested step done */

#define ENGINE_ENUM_(id, name) id,
enum engine_event_kind { ENGINE_EVENTS(ENGINE_ENUM_) ENGINE_EV_COUNT };
#undef ENGINE_ENUM_

struct engine_subscription {
	const char *id;         /* subscriptionId */
	const char *name;       /* displayName */
	const char *state;      /* Enabled, Warned, PastDue, Disabled, Deleted */
	const char *tenant;     /* tenantId */
};

struct engine_event {
	enum engine_event_kind kind;
	step_id step;
	const char *text;       /* OP_BEGIN/OP_END/INFO/WARNING/STEP_FAILED/FINISHED */
	const char *detail;     /* OP_END: "done", "already registered", or the error */
	int ok;                 /* OP_END, FINISHED */
	double seconds;         /* OP_END, STEP_DONE */
	const struct auth_device_code *device;             /* DEVICE_CODE */
	const struct engine_subscription *subs;            /* CHOOSE_SUBSCRIPTION */
	size_t nsubs;
	const char *const *names;                          /* CONSENT_PROVIDERS */
	size_t nnames;
};

/* Pointers in ev are valid during the call only. */
typedef void (*engine_event_fn)(const struct engine_event *ev, void *arg);

struct engine_config {
	const struct cloud *cloud;
	const char *ca_file;        /* PEM bundle for a private CA, or NULL */
	struct answers *answers;    /* completed; a UI choice of subscription updates it */
	struct state *st;
	const char *state_dir;      /* where state.json is saved */
	vault *vault;               /* open; refresh token and client secret live here */
	int headless;               /* 1: the answers file decides (see above) */
	engine_event_fn on_event;
	void *arg;
	const char *az;             /* the Azure CLI program; NULL = "az" on PATH */
};

struct engine;

const char *engine_event_name(enum engine_event_kind k);
/* 1 when this version implements step s. */
int engine_step_available(step_id s);

/* NULL with err (unreadable CA file, sign-in method not usable, ...). */
struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen);
void engine_free(struct engine *e);
/* Runs every step from the first up to until (inclusive), skipping done ones.
 * 0, or -1 when already running. Progress arrives through events. */
int engine_start(struct engine *e, step_id until);

/* The Subscription screen's sign-in: signs in and lists the subscriptions
 * (CHOOSE_SUBSCRIPTION), then FINISHED once one is chosen; the step's state is not
 * touched and nothing is created. 0, or -1 when already running. */
int engine_sign_in(struct engine *e);

/* The UI's poll loop: add these fds, lower *timeout_ms, then call engine_ready. */
int engine_fds(struct engine *e, struct pollfd *out, int max, int *timeout_ms);
void engine_ready(struct engine *e, const struct pollfd *fds, int n);
/* Headless: drives the loop until FINISHED. Returns 0 when every requested step is done. */
int engine_run(struct engine *e);

/* 1 while running, 0 when finished well, -1 when finished with a failure. */
int engine_status(const struct engine *e);

/* Answers to CHOOSE_SUBSCRIPTION: 0, or -1 (WARNING event says why: unknown, not Enabled). */
int engine_choose_subscription(struct engine *e, const char *subscription_id);
/* Answer to CONSENT_PROVIDERS: yes registers them, no fails the step. */
void engine_consent(struct engine *e, int yes);
/* Stops whatever runs (a device-code sign-in included); the step fails "cancelled". */
void engine_cancel(struct engine *e);

#endif
