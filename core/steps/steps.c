/* The install's table: the six steps in the order the operator walks them. */
#include "core/steps/steps.h"

#include <stdio.h>

static const struct step_def *const table[] = {
	&step_subscription, &step_rabbitmq, &step_minio, &step_acr, &step_aks, &step_overlay,
};

static const struct step_table install = {table, sizeof table / sizeof table[0]};

const struct step_table *steps_table(void)
{
	return &install;
}

cJSON *steps_location_body(struct act *a, char *err, size_t errlen)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "location", act_answer(a, "location"))) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}
