/* The acr step screen: the container registry and the runner image. Its questions, defaults and rules are the plan's
 * (core/steps/acr.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_acr, "acr");
