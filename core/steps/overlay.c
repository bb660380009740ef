/* Step: overlay (the runner in the cluster). Not in this version yet: it has no actions and
 * the engine refuses to run it. */
#include "core/steps/steps.h"

const struct step_def step_overlay = {
	.id = STEP_OVERLAY, .available = 0,
};
