/* core/steps/aks_int.h: what the aks step's files share. */
#ifndef SW_AKS_INT_H
#define SW_AKS_INT_H

#include "core/steps/steps.h"

#define API_AKS "2025-07-01"
#define API_COMPUTE "2024-11-01"

/* aks_preflight.c (run by acr.preflight, after its own checks): the node sizes are offered in the region, the quota holds them (else the
 * operator may take the CPU mode), the default Kubernetes version. Outputs aks.mode and
 * aks.kubernetes_version. */
void aks_preflight_start(struct act *a);
void aks_preflight_stop(struct act *a);
#define AKS_PREFLIGHT_DATA_SIZE 4096   /* act_data() size; checked in aks_preflight.c */

#endif
