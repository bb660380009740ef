/* core/engine/engine_int.h: what the engine's files share (not for steps or front ends). */
#ifndef SW_ENGINE_INT_H
#define SW_ENGINE_INT_H

#include <cjson/cJSON.h>

#include "core/azure/arm.h"
#include "core/engine/engine.h"
#include "core/sys/loop.h"

#define ENGINE_TEXT_MAX 512
#define ENGINE_MSG_MAX 2048
#define ACT_TIMERS_MAX 2
#define ENGINE_TAG_KEY "created-by"
#define ENGINE_TAG_VALUE "studio-wizard"
#define ENGINE_TAG_INSTALL "studio-wizard-install"

struct act {
	struct engine *e;
	const struct step_def *step;
	step_id sid;                       /* its index in the table */
	const struct action_def *def;
	size_t index;
	enum action_state state;
	char text[ENGINE_TEXT_MAX];        /* def->text expanded */
	char detail[ENGINE_TEXT_MAX];      /* latest progress or result */
	char path[1024];                   /* ACTION_RESOURCE: the resource id */
	int alias;                         /* index of the action that makes the same resource, or -1 */
	int deps[16];                      /* indexes of the actions it waits for */
	size_t ndeps;
	long long started_ms, finished_ms;
	void *data;
	struct arm_op *op;                 /* act_call's, one at a time */
	arm_done_fn call_done;
	unsigned timers[ACT_TIMERS_MAX];
	void (*timer_fn[ACT_TIMERS_MAX])(struct act *a);
	struct act_timer {
		struct act *a;
		int i;
	} tslot[ACT_TIMERS_MAX];
	char call_method[8];
	char call_path[1024];
	int asking;                        /* waits for a question's answer */
	int stopped;                       /* ended by engine_cancel (the operator), not by a failure */
	unsigned serial;
	struct engine_question question;
	void (*answered)(struct act *a, const char *value);
	int resumed;                       /* resource: polling an operation saved before */
	int quiet;                         /* resource: polls that got no answer at all */
	int lost;                          /* resource: PUTs of this run whose outcome was lost */
	char lost_error[ENGINE_TEXT_MAX];  /* resource: why the last one was */
	long long wait_ms;                 /* resource: when this run began waiting on its provisioningState */
	char azure_state[64];              /* Azure's last word on its operation (outside text) */
	unsigned late_timer;               /* clock.c: says so when it runs past its usual duration */
};

struct engine {
	struct engine_config cfg;
	const struct step_table *table;
	struct loop *loop;
	int own_loop;               /* made by engine_new (no engine_config.loop) */
	struct http_client *http;
	struct auth *auth;
	struct arm *arm;
	struct act *acts;
	size_t nacts;
	int status;                 /* 1 running, 0 ok, -1 failed; 2 before start */
	int finished;               /* stops engine_run's loop */
	int sign_in_only;
	int stopping;               /* engine_cancel: start nothing more */
	step_id until;
	unsigned pump_timer;
	unsigned next_serial;
	long long started_ms;
	int step_started[PLAN_STEPS_MAX];
	step_id sign_in_step;       /* the table's step with a sign-in action, or -1 */
	/* the sign-in flow of the Subscription screen */
	struct act sign_in;
};

/* engine.c */
void engine_emit(struct engine *e, struct engine_event *ev);
void engine_emit_text(struct engine *e, enum engine_event_kind k, step_id s, const char *action,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int engine_save(struct engine *e, char *err, size_t errlen);
void engine_act_end(struct act *a, int ok, const char *text);
void engine_pump_later(struct engine *e);
void engine_ask(struct act *a);

/* graph.c: the run set */
const char *engine_step_key(const struct engine *e, step_id s);
/* The actions of steps 0..until whose `when` holds, with their dependencies. 0, or -1 with err. */
int engine_build(struct engine *e, step_id until, char *err, size_t errlen);
int engine_recorded_done(struct engine *e, const struct act *a);
/* The longest chain of Azure's usual durations through what is left, in seconds. */
double engine_expected(const struct engine *e);

/* record.c: the state's per-action and per-resource records */
cJSON *record_action(struct state *st, const char *key, int create);
const char *record_str(const cJSON *rec, const char *name);
void record_set_str(cJSON *rec, const char *name, const char *value);
void record_set_num(cJSON *rec, const char *name, double value);
cJSON *record_resource(struct state *st, const char *id, int create);
void record_step_secret(struct state *st, step_id s, const char *name);

/* resource.c: the resource primitive */
void resource_start(struct act *a);

/* act.c */
void act_release(struct act *a);

/* clock.c: first starts kept in the state, Azure's word, "longer than usual" */
void clock_mark_started(cJSON *rec);
void clock_resume_from(struct act *a, const cJSON *rec);
void clock_keep_state(struct act *a, cJSON *rec);
void clock_late_arm(struct act *a);
void act_on_arm_state(const char *state, void *arg);

#endif
