/* The subscription step screen: sign-in method, tenant, subscription, location and uniq_id. Its questions, defaults and rules are the plan's
 * (core/plan.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_subscription, "subscription", STEP_SUBSCRIPTION);
