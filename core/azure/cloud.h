/* core/azure/cloud.h: where a cloud's endpoints are. Three are built in; any other
 * (Azure Stack, a sovereign cloud, the tests' fake) comes from the JSON that
 * `az cloud show` prints, handed over with --cloud FILE. */
#ifndef SW_CLOUD_H
#define SW_CLOUD_H

#include <stddef.h>

#define CLOUD_FIELD_MAX 256

struct cloud {
	char name[64];
	char arm[CLOUD_FIELD_MAX];          /* endpoints.resourceManager, with trailing '/' */
	char login[CLOUD_FIELD_MAX];        /* endpoints.activeDirectory, no trailing '/' */
	char arm_resource[CLOUD_FIELD_MAX]; /* endpoints.activeDirectoryResourceId (token audience) */
	char graph[CLOUD_FIELD_MAX];        /* endpoints.microsoftGraphResourceId, with trailing '/' */
	char acr_suffix[64];                /* suffixes.acrLoginServerEndpoint, e.g. ".azurecr.io" */
	char device_login_hint[CLOUD_FIELD_MAX]; /* where users enter the code, for help text only */
};

/* The built-ins, in a fixed order; n receives the count. */
const struct cloud *cloud_builtins(size_t *n);
/* A built-in by name (case-insensitive), or NULL. */
const struct cloud *cloud_find(const char *name);
/* Parses `az cloud show` JSON. 0, or -1 with err naming the file and the missing or bad field. */
int cloud_load_file(const char *path, struct cloud *out, char *err, size_t errlen);
int cloud_parse_json(const char *json, struct cloud *out, char *err, size_t errlen);
/* The OAuth scope for ARM: arm_resource + "/.default" (the double slash is Azure's). */
void cloud_arm_scope(const struct cloud *c, char *out, size_t outlen);

#endif
