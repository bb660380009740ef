/* core/engine/describe.h: the plan read from the step table (for `plan`, the review screen,
 * and the test that compares it with what the fake cloud saw). Never opens the vault. */
#ifndef SW_DESCRIBE_H
#define SW_DESCRIBE_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/engine/step.h"

/* The action's one text (the plan, the review, the install screen, the log) over completed
 * answers: its describe() when it has one, else its text expanded. 0, or -1 (with err when
 * given) when a placeholder is missing. */
int describe_action(const struct action_def *d, const struct answers *a, char *out, size_t outlen, char *err,
                    size_t errlen);
/* ACTION_RESOURCE: its ARM id. 0, or -1. */
int describe_resource(const struct action_def *d, const struct answers *a, char *out, size_t outlen);
/* Every step, its actions (a shared resource once, under the step that makes it), its vault
 * entries. 0, or -1 on a write error or an action it cannot describe. */
int describe_plan(const struct step_table *t, const struct answers *a, FILE *out);
/* {"steps": [{"key", "title", "actions": [{"key", "text", "after", "type",
 * "resource", "made_by"}], "secrets": [...]}]}; caller frees. */
cJSON *describe_plan_json(const struct step_table *t, const struct answers *a);

#endif
