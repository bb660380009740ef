/* core/steps/steps.h: the install's steps (one file each) and the few body builders they
 * share. A step never calls another step. */
#ifndef SW_STEPS_H
#define SW_STEPS_H

#include "core/engine/step.h"

extern const struct step_def step_subscription, step_rabbitmq, step_minio, step_acr, step_aks, step_overlay;
/* The install's table (steps.c). */
const struct step_table *steps_table(void);
/* The Subscription screen's sign-in (step_subscription.sign_in). */
extern const struct action_def steps_sign_in_action;

/* api-versions the steps share: one served by a published Azure SDK package for each
 * (doc/azure-models.md; the fake cloud refuses any other). */
#define API_GROUPS "2021-04-01"
#define API_NETWORK "2024-10-01"
#define API_COMPUTE "2024-11-01"

/* {"location": <the answers' region>}: the body of a resource group. */
cJSON *steps_location_body(struct act *a, char *err, size_t errlen);

/* A step's resource group, created once even when several steps name the same one; made
 * after the actions named (such as a check that must pass before anything is created). */
#define STEPS_GROUP_ACTION_AFTER(step_key, group_key, ...)                                             \
	{.key = step_key ".group", .text = "create resource group {" group_key "} in {location}",           \
	 .after = {__VA_ARGS__}, .kind = ACTION_RESOURCE, .expect_s = 2,                                    \
	 .type = "Microsoft.Resources/resourceGroups",                                                      \
	 .path = "/subscriptions/{subscription}/resourceGroups/{" group_key "}", .api = API_GROUPS,         \
	 .body = steps_location_body, .use_existing = 1}
#define STEPS_GROUP_ACTION(step_key, group_key) STEPS_GROUP_ACTION_AFTER(step_key, group_key, "subscription")

#endif
