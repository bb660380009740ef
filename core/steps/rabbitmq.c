/* Step: rabbitmq. The resources this version makes for it; the step stays unavailable to run
 * until all of them are here. */
#include "core/steps/steps.h"

static const struct action_def actions[] = {
	STEPS_GROUP_ACTION("rabbitmq", "rabbitmq.resource_group"),
};

const struct step_def step_rabbitmq = {
	.id = STEP_RABBITMQ, .actions = actions, .nactions = sizeof actions / sizeof actions[0], .available = 0,
};
