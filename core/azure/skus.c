/* Reading resourceSkus answers. The shape is the Compute API's ResourceSku (capabilities as
 * name/value strings, restrictions with type Location or Zone and a reasonCode):
 * tests/fake/recordings/arm/compute/resourceSkus_list_200.json. */
#include "core/azure/skus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sys/text.h"

static const char *skus_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int skus_path(char *out, size_t outlen, const char *subscription, const char *location)
{
	int n = snprintf(out, outlen, "/subscriptions/%s/providers/Microsoft.Compute/skus?$filter=location%%20eq%%20"
	                 "%%27%s%%27", subscription, location);
	return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

const cJSON *skus_find_vm(const cJSON *answer, const char *size)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(answer, "value"))
	{
		const char *rt = skus_str(it, "resourceType");
		if ((!*rt || strcasecmp(rt, "virtualMachines") == 0) && strcasecmp(skus_str(it, "name"), size) == 0)
			return it;
	}
	return NULL;
}

const char *skus_cap(const cJSON *sku, const char *name)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(sku, "capabilities"))
	{
		if (strcmp(skus_str(it, "name"), name) == 0)
			return skus_str(it, "value");
	}
	return "";
}

int skus_cap_count(const cJSON *sku, const char *name, long max, long *out)
{
	const char *v = skus_cap(sku, name);
	char *end = NULL;
	*out = 0;
	if (!*v)
		return 0;
	double d = strtod(v, &end);
	return *end ? -1 : num_whole(d, (double)max, out);
}

int skus_boots(const cJSON *sku, const char *gen)
{
	const char *list = skus_cap(sku, "HyperVGenerations");
	size_t n = strlen(gen);
	if (!*list)
		return strcasecmp(gen, "V1") == 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		while (len && *p == ' ')
			p++, len--;
		if (len == n && strncasecmp(p, gen, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

const cJSON *skus_check_offered(const cJSON *answer, const char *size, const char *key, const char *location,
                                char *msg, size_t msglen)
{
	const cJSON *found = skus_find_vm(answer, size), *it;
	if (!found) {
		snprintf(msg, msglen, "%s: %s is not offered in %s", key, size, location);
		return NULL;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(found, "restrictions"))
	{
		if (strcasecmp(skus_str(it, "type"), "Location") == 0) {
			snprintf(msg, msglen, "%s: %s is not available to this subscription in %s (%s); choose another size "
			         "or region, or ask Azure support to enable it", key, size, location, skus_str(it, "reasonCode"));
			return NULL;
		}
	}
	return found;
}
