/* Older state.json schemas brought up to STATE_SCHEMA, one version at a time, in place. */
#include "core/model/state.h"

#include <stdio.h>
#include <string.h>

/* migrations[n] upgrades a schema-n document to n+1 in place. */
typedef int (*migration_fn)(cJSON *root, char *err, size_t errlen);

/* Schema 2 added steps[].confirmed. A schema-1 install had no wizard screens yet, so a step
 * counts as confirmed when it already ran (running, done or failed). */
static int migrate_1_to_2(cJSON *root, char *err, size_t errlen)
{
	cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	cJSON *it;
	int idx = 0;
	cJSON_ArrayForEach(it, steps)
	{
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(it, "status");
		if (!cJSON_IsObject(it)) {
			snprintf(err, errlen, "steps[%d]: must be an object", idx);
			return -1;
		}
		int ran = cJSON_IsString(status) && strcmp(status->valuestring, "pending") != 0;
		cJSON_DeleteItemFromObjectCaseSensitive(it, "confirmed");
		cJSON_AddBoolToObject(it, "confirmed", ran);
		idx++;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(root, "schema", cJSON_CreateNumber(2));
	return 0;
}

/* Schema 3 keeps what the engine needs to resume per Azure resource (keyed by its id) and per
 * action. A step's resource ids become records of resources this install created; its
 * in-flight operation belonged to the last of them. */
static int migrate_2_to_3(cJSON *root, char *err, size_t errlen)
{
	cJSON *records = cJSON_CreateObject();
	cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	cJSON *it;
	if (!records)
		goto nomem;
	cJSON_ArrayForEach(it, steps)
	{
		cJSON *res = cJSON_GetObjectItemCaseSensitive(it, "resources");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(it, "operation");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "step");
		int n = cJSON_GetArraySize(res);
		for (int i = 0; i < n; i++) {
			const cJSON *id = cJSON_GetArrayItem(res, i);
			if (!cJSON_IsString(id))
				continue;
			char key[1024];
			snprintf(key, sizeof key, "%s", id->valuestring);
			for (char *p = key; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			cJSON *rec = cJSON_CreateObject();
			if (!rec)
				goto nomem;
			cJSON_AddStringToObject(rec, "step", cJSON_IsString(name) ? name->valuestring : "");
			cJSON_AddBoolToObject(rec, "ours", 1);
			if (i == n - 1 && cJSON_IsString(op)) {
				cJSON_AddStringToObject(rec, "operation", op->valuestring);
				cJSON_AddStringToObject(rec, "method", "PUT");
			}
			cJSON_DeleteItemFromObjectCaseSensitive(records, key);
			cJSON_AddItemToObject(records, key, rec);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(it, "resources");
		cJSON_DeleteItemFromObjectCaseSensitive(it, "operation");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(root, "resources");
	cJSON_AddItemToObject(root, "resources", records);
	cJSON_ReplaceItemInObjectCaseSensitive(root, "schema", cJSON_CreateNumber(3));
	return 0;
nomem:
	cJSON_Delete(records);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static const migration_fn migrations[STATE_SCHEMA + 1] = {[1] = migrate_1_to_2, [2] = migrate_2_to_3};

int state_migrate(cJSON *root, int version, char *err, size_t errlen)
{
	for (; version < STATE_SCHEMA; version++) {
		if (!migrations[version]) {
			snprintf(err, errlen, "schema %d: no migration to %d", version, version + 1);
			return -1;
		}
		if (migrations[version](root, err, errlen) != 0)
			return -1;
	}
	return 0;
}
