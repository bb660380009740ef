/* core/engine/step.h: a step of the install, described once as data (core/steps/<step>.c):
 * its title, questions, actions, vault entries and outputs. The answers read its questions,
 * the engine runs its actions, `plan` prints them, `status`, the review and the install
 * screen report against them: there is no second description anywhere.
 *
 * An action is the unit of work: an Azure resource created once (ACTION_RESOURCE: the
 * engine records the intent before the PUT, polls, resumes, recognises its own), or a
 * task (ACTION_TASK: start() works on the loop and ends with act_done or act_fail).
 * An action starts as soon as every action or step named in `after` is done; a failure
 * stops only what depends on it. A step never calls another step: it reads what earlier
 * steps left through outputs (act_output) and the vault (act_secret_get). */
#ifndef SW_STEP_H
#define SW_STEP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/azure/arm.h"
#include "core/engine/question.h"
#include "core/model/answers.h"
#include "core/model/plan.h"
#include "secrets/vault.h"

struct act;
struct loop;

enum action_kind {
	ACTION_RESOURCE,
	ACTION_TASK,
};

#define ACTION_AFTER_MAX 6

struct action_def {
	const char *key;        /* "rabbitmq.vm": unique in the install; the state's records use it */
	const char *text;       /* what it does, over the answers: "create VM {rabbitmq.vm_name}"; the
	                         * one text of the action in the plan, the review, the install screen
	                         * and the log (describe_action) */
	const char *after[ACTION_AFTER_MAX]; /* action keys, or step keys meaning all their actions */
	enum action_kind kind;
	int expect_s;           /* Azure's usual duration in seconds (shown while waiting) */
	int (*when)(const struct answers *a);   /* NULL: always part of the install */
	/* ACTION_RESOURCE */
	const char *type;       /* "Microsoft.Network/publicIPAddresses" */
	const char *path;       /* the resource id, over the answers */
	const char *api;        /* api-version */
	cJSON *(*body)(struct act *a, char *err, size_t errlen);   /* the PUT body; tags are added */
	int use_existing;       /* 1: one that exists already (not ours) is used as it is */
	int untagged;           /* 1: the type takes no tags (role assignments) */
	const char *retry_code; /* an ARM error code that means "not yet" (PrincipalNotFound) */
	int retry_s;            /* ...retried for this long */
	const char *fix;        /* the answers key to change when Azure refuses (name taken) */
	/* After the resource exists: read outputs from its final body. 0, or -1 with err. */
	int (*created)(struct act *a, const cJSON *resource, char *err, size_t errlen);
	/* ACTION_TASK */
	void (*start)(struct act *a);
	void (*stop)(struct act *a);  /* cancelled: drop what start() began besides act_call/act_after */
	size_t data_size;             /* act_data(): zeroed scratch memory, freed after the action */
	/* Instead of text when a template cannot say it (choices among answers): the same one
	 * text everywhere. */
	void (*describe)(const struct answers *a, char *out, size_t outlen);
};

struct step_output {
	const char *key;        /* "rabbitmq.public_ip" */
	const char *label;      /* "public IP" */
};

/* A step, whole: what it asks, what it does, what it leaves. Adding a question or a step
 * touches the step's file (and the install's list, core/steps/steps.c). */
struct step_def {
	struct plan_step plan;               /* key, title, questions */
	const struct action_def *actions;
	size_t nactions;
	const struct plan_secret *secrets;   /* vault entries the step produces */
	size_t nsecrets;
	const struct step_output *outputs;
	size_t noutputs;
	/* The screen's sign-in (engine_sign_in): sign in, then pick a subscription. One step of a
	 * table has it. */
	const struct action_def *sign_in;
};

/* A table of steps in the order the operator walks them; the engine, `plan`, `status` and
 * the screens take one (core/steps/steps.c has the install's). */
struct step_table {
	const struct step_def *const *steps;
	size_t nsteps;
};
/* Hands t's steps and questions to core/model (plan_use): once, before answers are read. 0, or
 * -1 with why. */
int step_table_use(const struct step_table *t, char *why, size_t whylen);

/* ---- for the actions (core/engine/act.c) ---- */

const char *act_key(const struct act *a);
/* The table the engine runs (for what every step declares, such as the vault entries). */
const struct step_table *act_table(const struct act *a);
step_id act_step(const struct act *a);
const struct answers *act_answers(const struct act *a);
/* The answer to key ("rabbitmq.vm_name"); NULL when unset or not a question. */
const char *act_answer(const struct act *a, const char *key);
void *act_data(struct act *a);
struct loop *act_loop(struct act *a);
struct http_client *act_http(struct act *a);
struct arm *act_arm(struct act *a);
struct auth *act_auth(struct act *a);
const struct cloud *act_cloud(const struct act *a);
const char *act_install_id(const struct act *a);
/* The profile directory (for files the operator keeps, e.g. the overlay). */
const char *act_state_dir(const struct act *a);
/* 1 when no one is at a screen (engine_config.headless): a message then names the answers
 * file's keys, on a screen the choices the operator made. */
int act_headless(const struct act *a);

/* Outputs live in the state and are saved at once. 0 or -1. */
int act_output_set(struct act *a, const char *key, const char *value);
const char *act_output(const struct act *a, const char *key);

/* Sealed in the vault, the vault saved and the state's mirror updated BEFORE this returns 0:
 * a secret is never sent anywhere before it is sealed. The entry is listed under the step. */
int act_secret_put(struct act *a, const char *name, vault_kind kind, const void *value, size_t len,
                   char *err, size_t errlen);
/* 0 with the value in the vault's protected memory (valid until the vault changes), or -1. */
int act_secret_get(const struct act *a, const char *name, const unsigned char **value, size_t *len);

/* Lines for the operator (events and the log); text from outside is made safe here. */
void act_progress(struct act *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void act_info(struct act *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void act_warn(struct act *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The end of a task: detail is a few words ("3 of 5 registered"), the error one line. */
void act_done(struct act *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void act_fail(struct act *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An ARM call owned by the action (cancelled with it). A long-running operation's poll URL
 * is saved in the action's record before the first poll; when the action runs again after
 * a crash, the same call is not sent again: the saved operation is polled instead. */
int act_call(struct act *a, const char *method, const char *path, const char *api, const char *body,
             arm_done_fn done);
/* A timer owned by the action. */
int act_after(struct act *a, long ms, void (*fn)(struct act *a));

/* The generic question (core/engine/question.h): answered by the answers when the operator
 * gave q->answer, else asked on the screen, else (headless) the run stops naming the key. */
void act_ask(struct act *a, const struct engine_question *q, void (*answered)(struct act *a, const char *value));

#endif
