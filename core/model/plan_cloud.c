/* The clouds and their regions: the three clouds built in, the one a --cloud FILE defines,
 * and the regions the wizard knows of each (a cloud it does not know takes its region name
 * as typed). */
#include "core/model/plan.h"

#include <stdio.h>
#include <string.h>

static const struct plan_choice cloud_choices[] = {
	{"AzureCloud", "public Azure", 1},
	{"AzureUSGovernment", "Azure Government (US)", 1},
	{"AzureChinaCloud", "Azure China (21Vianet)", 1},
};

#define CLOUD_COUNT (sizeof cloud_choices / sizeof *cloud_choices)

/* Public regions with VMs, ACR and AKS. Whether the GPU size is offered (and quota)
 * is checked online by the aks step, since it changes. */
static const struct plan_region regions[] = {
	{"eastus", "AzureCloud"}, {"eastus2", "AzureCloud"}, {"centralus", "AzureCloud"},
	{"northcentralus", "AzureCloud"}, {"southcentralus", "AzureCloud"},
	{"westcentralus", "AzureCloud"}, {"westus", "AzureCloud"}, {"westus2", "AzureCloud"},
	{"westus3", "AzureCloud"}, {"canadacentral", "AzureCloud"}, {"canadaeast", "AzureCloud"},
	{"brazilsouth", "AzureCloud"}, {"northeurope", "AzureCloud"}, {"westeurope", "AzureCloud"},
	{"uksouth", "AzureCloud"}, {"ukwest", "AzureCloud"}, {"francecentral", "AzureCloud"},
	{"germanywestcentral", "AzureCloud"}, {"norwayeast", "AzureCloud"},
	{"swedencentral", "AzureCloud"}, {"switzerlandnorth", "AzureCloud"},
	{"polandcentral", "AzureCloud"}, {"italynorth", "AzureCloud"},
	{"uaenorth", "AzureCloud"}, {"southafricanorth", "AzureCloud"},
	{"centralindia", "AzureCloud"}, {"southindia", "AzureCloud"}, {"eastasia", "AzureCloud"},
	{"southeastasia", "AzureCloud"}, {"japaneast", "AzureCloud"}, {"japanwest", "AzureCloud"},
	{"koreacentral", "AzureCloud"}, {"australiaeast", "AzureCloud"},
	{"australiasoutheast", "AzureCloud"}, {"usgovvirginia", "AzureUSGovernment"},
	{"usgovarizona", "AzureUSGovernment"}, {"usgovtexas", "AzureUSGovernment"},
	{"chinaeast2", "AzureChinaCloud"}, {"chinanorth2", "AzureChinaCloud"},
	{"chinanorth3", "AzureChinaCloud"},
};
#define REGION_COUNT (sizeof regions / sizeof *regions)

const struct plan_region *plan_regions(size_t *n)
{
	*n = REGION_COUNT;
	return regions;
}

const struct plan_region *plan_region_find(const char *name)
{
	for (size_t i = 0; i < REGION_COUNT; i++)
		if (strcmp(regions[i].name, name) == 0)
			return &regions[i];
	return NULL;
}

/* The name of the cloud a --cloud FILE defines ("" when none). */
static char extra_cloud[64];

void plan_set_extra_cloud(const char *name)
{
	snprintf(extra_cloud, sizeof extra_cloud, "%s", name ? name : "");
}

const char *plan_default_cloud(void)
{
	return extra_cloud[0] ? extra_cloud : "AzureCloud";
}

static int plan_builtin_cloud(const char *name)
{
	for (size_t i = 0; i < CLOUD_COUNT; i++)
		if (strcmp(cloud_choices[i].value, name) == 0)
			return 1;
	return 0;
}

const struct plan_choice *plan_cloud_choices(size_t *n)
{
	static struct plan_choice all[4];
	memcpy(all, cloud_choices, sizeof cloud_choices);
	*n = 3;
	if (extra_cloud[0] && !plan_builtin_cloud(extra_cloud))
		all[(*n)++] = (struct plan_choice){extra_cloud, "the --cloud file's cloud", 1};
	return all;
}

const struct plan_choice *plan_cloud_regions(const char *cloud, size_t *n)
{
	static struct plan_choice mine[REGION_COUNT];
	*n = 0;
	for (size_t i = 0; cloud && i < REGION_COUNT; i++)
		if (strcmp(regions[i].cloud, cloud) == 0)
			mine[(*n)++] = (struct plan_choice){regions[i].name, regions[i].cloud, 1};
	return mine;
}

int plan_validate_cloud(const char *value, char *why, size_t whylen)
{
	if (plan_builtin_cloud(value))
		return 0;
	if (extra_cloud[0] && strcmp(value, extra_cloud) == 0)
		return 0;
	if (extra_cloud[0])
		snprintf(why, whylen, "must be AzureCloud, AzureUSGovernment, AzureChinaCloud or %s "
		                      "(the --cloud file's)", extra_cloud);
	else
		snprintf(why, whylen, "must be AzureCloud, AzureUSGovernment or AzureChinaCloud "
		                      "(another cloud: --cloud FILE)");
	return -1;
}

int plan_validate_location(const char *value, char *why, size_t whylen)
{
	if (plan_region_find(value))
		return 0;
	/* A cloud the wizard does not know (--cloud FILE): its regions are free text; which cloud
	 * the answers name is checked with them (answers_check, answers_complete). */
	size_t n = strlen(value);
	if (extra_cloud[0] && !plan_builtin_cloud(extra_cloud) && n > 0 && n <= 64 &&
	    strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789") == n)
		return 0;
	snprintf(why, whylen, "must be an Azure region name in lower case without spaces, "
	                      "such as eastus or westeurope");
	return -1;
}
