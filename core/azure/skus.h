/* core/azure/skus.h: reading a resourceSkus answer (Microsoft.Compute/skus, filtered to one
 * region): is a VM size offered there without restriction, its capabilities (vCPUs, GPUs,
 * HyperVGenerations). The aks preflight and the VM image check read it the same way. */
#ifndef SW_SKUS_H
#define SW_SKUS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define SKUS_API "2021-07-01"

/* The list's path for one subscription and region ($filter=location eq 'LOC'). 0, or -1
 * when out is too small. */
int skus_path(char *out, size_t outlen, const char *subscription, const char *location);

/* The virtualMachines entry of size (case-insensitive) in the answer {"value": [...]}, or NULL. */
const cJSON *skus_find_vm(const cJSON *answer, const char *size);

/* A capability's value, "" when the size does not list it. */
const char *skus_cap(const cJSON *sku, const char *name);
/* A capability that is a count (vCPUs, GPUs): 0 when the size does not list it; -1 when its
 * value is not a whole number from 0 to max (checked before any cast: "1e300" is no count). */
int skus_cap_count(const cJSON *sku, const char *name, long max, long *out);

/* 1 when the size boots images of Hyper-V generation gen ("V1", "V2"): its HyperVGenerations
 * capability lists it. A size that lists none boots V1 only (Azure's default generation). */
int skus_boots(const cJSON *sku, const char *gen);

/* The size in the region: offered, and not restricted for the subscription (a Location
 * restriction; a Zone restriction still lets a regional resource through). The found entry,
 * or NULL with msg naming key (the answers key that chose the size) and Azure's reason. */
const cJSON *skus_check_offered(const cJSON *answer, const char *size, const char *key, const char *location,
                                char *msg, size_t msglen);

#endif
