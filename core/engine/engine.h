/* core/engine/engine.h: runs the install's step table on the loop, for the TUI and for
 * headless runs.
 *
 * Every action whose dependencies are done runs at once, so independent operations (a
 * cluster create and two VMs, a VM's IP, network and security group) are in flight
 * together; each keeps its own record in the state (operation URL, times, error) and
 * resumes after a crash. A failure stops only what depends on it. The UI gives the engine
 * its own loop (engine_config.loop: one loop for the keys and the install) and gets
 * engine_event callbacks; where the operator must decide, an ENGINE_EV_QUESTION waits for
 * engine_answer(). */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include <stddef.h>

#include "core/azure/auth.h"
#include "core/azure/cloud.h"
#include "core/engine/question.h"
#include "core/engine/step.h"
#include "core/model/answers.h"
#include "core/model/state.h"
#include "secrets/vault.h"

#define ENGINE_EVENTS(X)                                                              \
	X(ENGINE_EV_STEP_START, "step-start")           /* its first action starts */     \
	X(ENGINE_EV_STEP_SKIPPED, "step-skipped")       /* done earlier */                \
	X(ENGINE_EV_STEP_DONE, "step-done")             /* seconds */                     \
	X(ENGINE_EV_STEP_FAILED, "step-failed")         /* text: the error */             \
	X(ENGINE_EV_ACTION_START, "action-start")       /* action, text */                \
	X(ENGINE_EV_ACTION_PROGRESS, "action-progress") /* action, text, detail */        \
	X(ENGINE_EV_ACTION_END, "action-end")           /* action, text, ok, detail, seconds */ \
	X(ENGINE_EV_INFO, "info")                       /* text */                        \
	X(ENGINE_EV_WARNING, "warning")                 /* text */                        \
	X(ENGINE_EV_DEVICE_CODE, "device-code")         /* device */                      \
	X(ENGINE_EV_QUESTION, "question")               /* question, serial */            \
	X(ENGINE_EV_FINISHED, "finished")               /* ok, text: the summary */

#define ENGINE_ENUM_(id, name) id,
enum engine_event_kind { ENGINE_EVENTS(ENGINE_ENUM_) ENGINE_EV_COUNT };
#undef ENGINE_ENUM_

struct engine_event {
	enum engine_event_kind kind;
	step_id step;
	const char *action;     /* the action's key, or NULL */
	const char *text;
	const char *detail;
	int ok;
	int stopped;            /* ACTION_END: ended by engine_cancel, not failed */
	double seconds;
	const struct auth_device_code *device;
	const struct engine_question *question;
	unsigned serial;        /* QUESTION: pass it back to engine_answer */
};

/* Pointers in ev are valid during the call only. */
typedef void (*engine_event_fn)(const struct engine_event *ev, void *arg);

struct engine_config {
	struct loop *loop;          /* the caller's (the TUI's); NULL: the engine's own (headless) */
	const struct cloud *cloud;
	const char *ca_file;        /* PEM bundle for a private CA, or NULL */
	struct answers *answers;    /* completed; answered questions update it */
	struct state *st;
	const char *state_dir;      /* where state.json is saved */
	vault *vault;               /* open */
	int headless;               /* 1: the answers file answers every question */
	engine_event_fn on_event;
	void *arg;
	const char *az;             /* the Azure CLI program; NULL = "az" on PATH */
	const struct step_table *table;  /* required: the steps to run (the engine names none) */
	long poll_ms;               /* ARM poll interval when Retry-After is absent; 0: default */
	long lro_deadline_ms;       /* tests only: every long-running operation's deadline; 0: doc/azure-waits.md */
	const char *command;        /* "studio-wizard --state-dir DIR" for suggested commands; NULL: plain */
};

/* What the install screen shows: one line per action. */
enum action_state { ACT_WAITING, ACT_RUNNING, ACT_DONE, ACT_FAILED, ACT_BLOCKED };
struct engine_action_view {
	const char *key;
	step_id step;
	const char *text;          /* expanded */
	const char *detail;        /* latest progress or result */
	enum action_state state;
	long long started_ms, finished_ms;  /* loop_now_ms(); a resumed operation's from its first start */
	int expect_s;
};
struct engine_summary {
	int running, done, failed, waiting, blocked;
	int stopped;               /* ended by engine_cancel: not failures (Azure may still be at work) */
	double elapsed_s;          /* since engine_start */
	double expected_s;         /* what is left: the critical path of Azure's usual durations, less
	                              what running actions have spent already */
};

struct engine;

const char *engine_event_name(enum engine_event_kind k);

/* NULL with err (no table, unreadable CA file, sign-in method not usable, ...). */
struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen);
void engine_free(struct engine *e);
/* Runs every action of the table's steps up to until (inclusive); done ones are skipped.
 * 0, or -1 with err (already running, no such step). */
int engine_start(struct engine *e, step_id until, char *err, size_t errlen);
/* The Subscription screen's sign-in (the table's step_def.sign_in): signs in and asks which
 * subscription (a QUESTION answered with its id), then FINISHED; nothing is created and no
 * state changes. -1 when running already or the table has no sign-in. */
int engine_sign_in(struct engine *e);

/* Headless: drives the loop until FINISHED. 0 when every requested action is done. */
int engine_run(struct engine *e);
/* 1 while running, 0 when finished well, -1 when finished with a failure. */
int engine_status(const struct engine *e);

/* Answer to QUESTION serial: 0, or -1 with why (not one of the choices, no such question). */
int engine_answer(struct engine *e, unsigned serial, const char *value, char *why, size_t whylen);
/* Stops everything running; those actions end "stopped by the operator" (state: "stopped"),
 * not as failures: what Azure started goes on there and a later run resumes it. */
void engine_cancel(struct engine *e);

size_t engine_action_count(const struct engine *e);
int engine_action_at(const struct engine *e, size_t i, struct engine_action_view *out);
void engine_summary(const struct engine *e, struct engine_summary *out);

#endif
