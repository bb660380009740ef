/* The aks step screen: the AKS cluster and its GPU node pool. Its questions, defaults and rules are the plan's
 * (core/steps/aks.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_aks, "aks");
