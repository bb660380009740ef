/* The overlay step screen: the kustomize overlay: directory, namespace, queue match. Its questions, defaults and rules are the plan's
 * (core/steps/overlay.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_overlay, "overlay");
