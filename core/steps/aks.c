/* Step: aks. The resources this version makes for it; the step stays unavailable to run
 * until all of them are here. */
#include "core/steps/steps.h"

static const struct action_def actions[] = {
	STEPS_GROUP_ACTION("aks", "aks.resource_group"),
};

const struct step_def step_aks = {
	.id = STEP_AKS, .actions = actions, .nactions = sizeof actions / sizeof actions[0], .available = 0,
};
