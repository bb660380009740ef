/* core/model/answers.h: the operator's answers, keyed by the plan's questions. Loaded from the
 * answers file (JSON, no secrets), completed with the plan's defaults, and validated
 * with its validators; every message starts with the key path ("acr.name: ..."). */
#ifndef SW_ANSWERS_H
#define SW_ANSWERS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/model/plan.h"

/* Indexed by plan_qid (the questions of the steps in use, core/model/plan.h). */
struct answers {
	char *val[PLAN_Q_MAX];            /* NULL until answered or defaulted */
	unsigned char given[PLAN_Q_MAX];  /* 1 when set by the operator, 0 for a default */
};

enum answers_result {
	ANSWERS_OK = 0,
	ANSWERS_E_IO,       /* the file cannot be read */
	ANSWERS_E_INVALID,  /* bad JSON, unknown or secret-looking key, invalid value */
	ANSWERS_E_NOMEM,
};

void answers_init(struct answers *a);
void answers_free(struct answers *a);
/* Copies value (NULL clears) and marks it as given. 0, or -1 when out of memory. */
int answers_set(struct answers *a, plan_qid q, const char *value);
const char *answers_get(const struct answers *a, plan_qid q);
/* 1 when the operator gave key's answer (not a default). */
int answers_given(const struct answers *a, const char *key);

/* Reads the answers file's JSON into a (unset keys stay NULL). Keys starting with '_'
 * are comments. Unknown keys are refused: a typo must not silently fall back to a
 * default that creates a differently named (and billed) resource. */
enum answers_result answers_parse(struct answers *a, const char *json, char *err, size_t errlen);
enum answers_result answers_load(struct answers *a, const char *path, char *err, size_t errlen);
/* Answers the state kept from an earlier run: the same keys, but values are not checked
 * again (a key file may have moved since); the screens check them when shown. */
enum answers_result answers_parse_kept(struct answers *a, const char *json, char *err, size_t errlen);
/* The default q would get from the answers so far (does not store it). 0 or -1 with err. */
int answers_default(const struct answers *a, plan_qid q, char *out, size_t outlen,
                    char *err, size_t errlen);
/* Forgets every value that came from a default, so the next answers_complete
 * recomputes them (after the operator changed, say, uniq_id). */
void answers_clear_defaults(struct answers *a);
/* Fills every unset question with its default, in table order, then validates every
 * value and the rules that join answers (region in cloud, service principal tenant). */
enum answers_result answers_complete(struct answers *a, char *err, size_t errlen);
/* plan_question_check, then the rules that join q to the other answers as if q held value
 * (an image whose runner cannot use the GPU size): what a form checks when a field is left.
 * why starts with the key path. 0 or -1. */
int answers_check(const struct answers *a, plan_qid q, const char *value, char *why, size_t whylen);
/* After the cloud changed: a given location that is not one of its regions goes back to the
 * default (the new cloud's), with a note for the operator. 1 when it did, else 0. */
int answers_follow_cloud(struct answers *a, char *note, size_t notelen);
/* q's choices labelled for these answers (the GPU sizes say what the runner in acr.image can use). */
const struct plan_choice *answers_choices(const struct answers *a, plan_qid q, size_t *n);
/* 1 when the runner runs on CPUs: aks.runner_mode cpu, or decisions.low_quota cpu (taken when the
 * GPU quota was short). */
int answers_cpu_mode(const struct answers *a);
/* plan_expand over these answers. */
int answers_expand(const struct answers *a, const char *tpl, char *out, size_t outlen,
                   char *err, size_t errlen);
/* Nested JSON shaped like the answers file (numbers and booleans typed); caller frees. */
cJSON *answers_to_json(const struct answers *a);

#endif
