/* core/model/plan.h: what the answers need of the install's steps (their keys, titles and
 * questions, registered by the front end), the catalogues the questions offer (regions,
 * VM and GPU sizes, sign-in methods) and the validators that need them. */
#ifndef SW_PLAN_H
#define SW_PLAN_H

#include <stddef.h>

#include "secrets/vault.h"

/* The steps and their questions are the steps' own (core/steps/<step>.c, struct step_def): the
 * front end hands them over once with plan_use() (through step_table_use(), core/engine/step.h)
 * and everything here that names a step or a question reads them from there. A step_id is a
 * step's place in that table, a plan_qid a question's place among all the steps' questions in
 * table order. */
typedef int step_id;
typedef int plan_qid;
#define PLAN_STEPS_MAX 16
#define PLAN_Q_MAX 128

typedef int (*plan_validator)(const char *value, char *why, size_t whylen);

/* How an unanswered question gets its value. */
enum plan_default {
	PLAN_DEF_REQUIRED,   /* no default: the operator must answer */
	PLAN_DEF_TEMPLATE,   /* def with {key.path} replaced by earlier answers */
	PLAN_DEF_UNIQID,     /* the seed's md5 of subscription + `ip maddress show eth0` */
	PLAN_DEF_SSH_KEY,    /* the first of ~/.ssh/id_ed25519.pub, ~/.ssh/id_rsa.pub that exists, else "" */
	PLAN_DEF_NONE,       /* stays unset until answered (decisions the engine asks for) */
	PLAN_DEF_CLOUD,      /* the --cloud file's cloud, else AzureCloud */
	PLAN_DEF_REGION,     /* the first region the wizard knows of the cloud answered (eastus for
	                      * AzureCloud); eastus for a cloud it does not know (free text there) */
};

struct plan_choice {
	const char *value;
	const char *detail;   /* shown beside the value, e.g. GPU model and runner support */
	int selectable;       /* 0: listed so the operator sees why not; the validator refuses it */
};

struct plan_question {
	const char *key;              /* answers-file key path: "acr.name" */
	const char *label;
	enum plan_default def_kind;
	const char *def;              /* template for PLAN_DEF_TEMPLATE, else NULL */
	plan_validator validate;      /* NULL: one of the selectable choices */
	const char *help;
	const struct plan_choice *choices;  /* NULL for free text */
	size_t nchoices;
	int decision;                 /* 1: asked by the engine when it arises, not on a form */
	int optional;                 /* 1: "" is a valid answer (nothing given) */
};
#define PLAN_CHOICES(list) .choices = list, .nchoices = sizeof list / sizeof *list

/* What core/model knows of a step. Its questions are in order: a default may only refer to
 * answers listed above it, in this step or an earlier one. */
struct plan_step {
	const char *key;              /* "rabbitmq": the state's, --until's, the plan's */
	const char *title;            /* "RabbitMQ VM": screens and status */
	const struct plan_question *questions;   /* the form's, then the decisions */
	size_t nquestions;
};

/* The install's steps, in the order the operator walks them (kept, not copied). 0, or -1 with
 * why (more than PLAN_STEPS_MAX steps or PLAN_Q_MAX questions, a key used twice): the steps in
 * use are then undefined and the caller stops. */
int plan_use(const struct plan_step *const *steps, size_t n, char *why, size_t whylen);
size_t plan_step_count(void);
const char *plan_step_key(step_id s);
const char *plan_step_title(step_id s);
/* -1 when unknown. */
int plan_step_parse(const char *key);
/* The step keys, comma separated ("subscription, rabbitmq, ..."), for messages and help. */
const char *plan_step_list(void);

size_t plan_question_count(void);
/* NULL when q is out of range. */
const struct plan_question *plan_question(plan_qid q);
step_id plan_question_step(plan_qid q);
/* -1 when key is not a question. */
int plan_question_find(const char *key);
/* plan_question_find for a key the program itself names ("location"). */
#define plan_q(key) plan_question_find(key)


/* Validates value for q; on failure why reads "acr.name: must be ...". 0 or -1. */
int plan_question_check(plan_qid q, const char *value, char *why, size_t whylen);
/* The questions of one step's form, in order (decisions excluded); returns how many (at
 * most max are stored). */
size_t plan_step_questions(step_id s, plan_qid *out, size_t max);

/* GPU node sizes; whether the runner can use one depends on its release (core/model/runner.h). */
struct plan_gpu_size {
	const char *size;
	const char *gpu_model;
	int gpus;                /* per node */
	int vcpus;
	int retired;             /* Azure no longer creates it */
};
const struct plan_gpu_size *plan_gpu_sizes(size_t *n);
const struct plan_gpu_size *plan_gpu_find(const char *size);
/* 1 when the runner in image can use size (known, not retired, GPU recognised); else 0 with
 * why ("Standard_ND96asr_v4: runner 0.9.21 does not recognise A100-SXM4-40GB; it does from 0.13.2"). */
int plan_gpu_usable(const char *size, const char *image, char *why, size_t whylen);
/* The GPU size list labelled for image: each size's GPU and whether (or why not) that runner
 * can use it. The array is rebuilt by the next call. */
const struct plan_choice *plan_gpu_choices(const char *image, size_t *n);
#define PLAN_GPU_DEFAULT "Standard_ND96asr_v4"

/* Azure region names the wizard offers, with the cloud each belongs to. */
struct plan_region {
	const char *name;
	const char *cloud;
};
const struct plan_region *plan_regions(size_t *n);
const struct plan_region *plan_region_find(const char *name);

/* Catalogues the steps' questions list (counts checked against the definitions in plan.c). */
#define PLAN_VM_CHOICES 9
extern const struct plan_choice plan_vm_choices[PLAN_VM_CHOICES];   /* service VM sizes */
extern const struct plan_choice plan_yes_no[2], plan_true_false[2];
extern const struct plan_choice plan_auth_choices[3];
extern const struct plan_choice plan_acr_sku_choices[3];

/* Validators that need the tables above. */
int plan_validate_cloud(const char *value, char *why, size_t whylen);
/* After loading --cloud FILE: its cloud name is valid too (NULL forgets it). */
void plan_set_extra_cloud(const char *name);
/* The default cloud: the --cloud file's when one was loaded, else AzureCloud. */
const char *plan_default_cloud(void);
/* The clouds F4 lists: the three built in, and the --cloud file's (when it names another). */
const struct plan_choice *plan_cloud_choices(size_t *n);
/* The regions the wizard knows of cloud (rebuilt by the next call); *n = 0 for a cloud it does
 * not know: its region is free text. */
const struct plan_choice *plan_cloud_regions(const char *cloud, size_t *n);
int plan_validate_location(const char *value, char *why, size_t whylen);
int plan_validate_gpu_size(const char *value, char *why, size_t whylen);
int plan_validate_auth_method(const char *value, char *why, size_t whylen);
int plan_validate_acr_sku(const char *value, char *why, size_t whylen);
int plan_validate_source_registry(const char *value, char *why, size_t whylen);

/* A vault entry a step produces (listed by the step's table, core/steps/). */
struct plan_secret {
	const char *name;        /* vault entry name */
	vault_kind kind;
	const char *what;
	const char *only_if;     /* "key=value" condition on the answers, or NULL */
	const char *lost;        /* what stops working when the entry is deleted (credentials' d) */
};

/* Expands "{key.path}" (lower-case key characters only) with get(ctx, question); all
 * other text, including "${RMQ_USER}", is copied as is.
 * 0, or -1 (with a message in err when given) for an unknown key, an empty
 * answer or an output that does not fit. */
int plan_expand(const char *tpl, const char *(*get)(void *ctx, plan_qid q), void *ctx,
                char *out, size_t outlen, char *err, size_t errlen);


#endif
