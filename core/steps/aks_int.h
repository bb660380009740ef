/* core/steps/aks_int.h: what the aks step's files share. */
#ifndef SW_AKS_INT_H
#define SW_AKS_INT_H

#include "core/steps/steps.h"

#define API_AKS "2025-07-01"
/* The system pool's size (the runner's pool is the answers'). */
#define AKS_SYSTEM_POOL_SIZE "Standard_D2s_v5"

/* aks_preflight.c (run by acr.preflight, after its own checks): the node sizes are offered in the region, the quota holds them (else the
 * operator may take the CPU mode), the default Kubernetes version. Outputs aks.mode and
 * aks.kubernetes_version. */
void aks_preflight_start(struct act *a);
void aks_preflight_stop(struct act *a);
#define AKS_PREFLIGHT_DATA_SIZE 4096   /* act_data() size; checked in aks_preflight.c */

/* aks_outbound.c: the cluster's effective outbound IPs (output aks.outbound_ips, "a,b"), and
 * the bodies of the security rules admitting them to the VMs on the ports the runner uses. */
#define AKS_CLUSTER_PATH                                                                                 \
	"/subscriptions/{subscription}/resourceGroups/{aks.resource_group}/providers/"                        \
	"Microsoft.ContainerService/managedClusters/{aks.name}"
/* Below the VM steps' own rules (1000 + 10 * i, core/steps/vm.c): one number per group. */
#define AKS_RUNNER_RULE_PRIORITY 900
#define AKS_RUNNER_RULE_NAME "allow-aks-runner"
#define AKS_OUTBOUND_DATA_SIZE 4352   /* act_data() size; checked in aks_outbound.c */
void aks_outbound_start(struct act *a);
cJSON *aks_rule_rabbitmq_body(struct act *a, char *err, size_t errlen);
cJSON *aks_rule_minio_body(struct act *a, char *err, size_t errlen);
/* The rule as Azure holds it admits every outbound IP (one left by an earlier cluster is named). */
int aks_rule_created(struct act *a, const cJSON *res, char *err, size_t errlen);

#endif
