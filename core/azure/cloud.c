#include "core/azure/cloud.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/http/http.h"
#include "core/sys/text.h"

#define CLOUD_FILE_MAX (1024 * 1024)

/* Values from azure-cli core/cloud.py (see tests/fake/recordings/README.md). */
static const struct cloud cloud_table[] = {
	{"AzureCloud", "https://management.azure.com/", "https://login.microsoftonline.com",
	 "https://management.core.windows.net/", "https://graph.microsoft.com/", ".azurecr.io",
	 "https://microsoft.com/devicelogin"},
	{"AzureChinaCloud", "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn",
	 "https://management.core.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/", ".azurecr.cn",
	 "https://microsoft.com/deviceloginchina"},
	{"AzureUSGovernment", "https://management.usgovcloudapi.net/", "https://login.microsoftonline.us",
	 "https://management.core.usgovcloudapi.net/", "https://graph.microsoft.us/", ".azurecr.us",
	 "https://microsoft.com/devicelogin"},
};

const struct cloud *cloud_builtins(size_t *n)
{
	*n = sizeof cloud_table / sizeof cloud_table[0];
	return cloud_table;
}

const struct cloud *cloud_find(const char *name)
{
	for (size_t i = 0; i < sizeof cloud_table / sizeof cloud_table[0]; i++)
		if (strcasecmp(cloud_table[i].name, name) == 0)
			return &cloud_table[i];
	return NULL;
}

void cloud_arm_scope(const struct cloud *c, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/.default", c->arm_resource);
}

/* Copies obj[key] (a string) into dst; url fields must be https, or http to loopback.
 * slash: 1 adds a trailing '/', -1 strips it, 0 keeps the value as is. */
static int cloud_field(const cJSON *obj, const char *group, const char *key, int url, int slash, char *dst,
                       size_t dstlen, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		snprintf(err, errlen, "%s.%s is missing", group, key);
		return -1;
	}
	const char *s = v->valuestring;
	size_t len = strlen(s);
	while (slash == -1 && len > 0 && s[len - 1] == '/')
		len--;
	int add = slash == 1 && s[len - 1] != '/';
	if (len + (size_t)add >= dstlen) {
		snprintf(err, errlen, "%s.%s is too long", group, key);
		return -1;
	}
	if (url && strncmp(s, "https://", 8) != 0 && !(strncmp(s, "http://", 7) == 0 && http_url_is_loopback(s))) {
		char shown[256];   /* the file's text, made safe for a terminal */
		text_safe(s, shown, sizeof shown);
		snprintf(err, errlen, "%s.%s must be an https URL (plain http only for loopback): %s", group, key, shown);
		return -1;
	}
	memcpy(dst, s, len);
	if (add)
		dst[len++] = '/';
	dst[len] = 0;
	return 0;
}

int cloud_parse_json(const char *json, struct cloud *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	cJSON *root = cJSON_Parse(json);
	int rc = -1;
	if (!root || !cJSON_IsObject(root)) {
		snprintf(err, errlen, "not JSON from `az cloud show`");
		goto done;
	}
	const cJSON *ep = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	const cJSON *sx = cJSON_GetObjectItemCaseSensitive(root, "suffixes");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
	if (!cJSON_IsObject(ep)) {
		snprintf(err, errlen, "endpoints is missing");
		goto done;
	}
	if (!cJSON_IsObject(sx)) {
		snprintf(err, errlen, "suffixes is missing");
		goto done;
	}
	snprintf(out->name, sizeof out->name, "%s", cJSON_IsString(name) ? name->valuestring : "custom");
	if (cloud_field(ep, "endpoints", "resourceManager", 1, 1, out->arm, sizeof out->arm, err, errlen) ||
	    cloud_field(ep, "endpoints", "activeDirectory", 1, -1, out->login, sizeof out->login, err, errlen) ||
	    cloud_field(ep, "endpoints", "activeDirectoryResourceId", 0, 0, out->arm_resource,
	                sizeof out->arm_resource, err, errlen) ||
	    cloud_field(ep, "endpoints", "microsoftGraphResourceId", 1, 1, out->graph, sizeof out->graph, err,
	                errlen) ||
	    cloud_field(sx, "suffixes", "acrLoginServerEndpoint", 0, 0, out->acr_suffix, sizeof out->acr_suffix,
	                err, errlen))
		goto done;
	const struct cloud *known = cloud_find(out->name);
	snprintf(out->device_login_hint, sizeof out->device_login_hint, "%s",
	         known ? known->device_login_hint : "the verification address the sign-in shows");
	rc = 0;
done:
	cJSON_Delete(root);
	return rc;
}

int cloud_load_file(const char *path, struct cloud *out, char *err, size_t errlen)
{
	char why[400];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read cloud file %s", path);
		return -1;
	}
	char *buf = malloc(CLOUD_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, CLOUD_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n > CLOUD_FILE_MAX) {
		snprintf(err, errlen, "cloud file %s is too large", path);
		free(buf);
		return -1;
	}
	buf[n] = 0;
	int rc = cloud_parse_json(buf, out, why, sizeof why);
	free(buf);
	if (rc)
		snprintf(err, errlen, "cloud file %s: %s", path, why);
	return rc;
}
