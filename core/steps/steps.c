/* The install's table: the six steps in the order the operator walks them. */
#include "core/steps/steps.h"

#include <stdio.h>

static const struct step_def *const table[STEP_COUNT] = {
	[STEP_SUBSCRIPTION] = &step_subscription, [STEP_RABBITMQ] = &step_rabbitmq, [STEP_MINIO] = &step_minio,
	[STEP_ACR] = &step_acr,                   [STEP_AKS] = &step_aks,           [STEP_OVERLAY] = &step_overlay,
};

static const struct step_table install = {table, STEP_COUNT};

const struct step_table *steps_table(void)
{
	return &install;
}

cJSON *steps_location_body(struct act *a, char *err, size_t errlen)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "location", act_answer(a, Q_LOCATION))) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}
