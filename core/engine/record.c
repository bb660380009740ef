/* The state's records of actions and Azure resources (schema 3, see core/model/state.h). */
#include <stdio.h>
#include <string.h>

#include "core/engine/engine_int.h"

static cJSON *record_in(cJSON *map, const char *key, int create)
{
	cJSON *rec = cJSON_GetObjectItemCaseSensitive(map, key);
	if (rec && !cJSON_IsObject(rec)) {
		cJSON_DeleteItemFromObjectCaseSensitive(map, key);
		rec = NULL;
	}
	if (!rec && create) {
		rec = cJSON_CreateObject();
		if (rec && !cJSON_AddItemToObject(map, key, rec)) {
			cJSON_Delete(rec);
			rec = NULL;
		}
	}
	return rec;
}

cJSON *record_action(struct state *st, const char *key, int create)
{
	return record_in(st->actions, key, create);
}

/* ARM ids are case-insensitive: one record per resource whatever the case. */
cJSON *record_resource(struct state *st, const char *id, int create)
{
	char key[1024];
	snprintf(key, sizeof key, "%s", id);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return record_in(st->resources, key, create);
}

const char *record_str(const cJSON *rec, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void record_set_str(cJSON *rec, const char *name, const char *value)
{
	if (!rec)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(rec, name);
	if (value)
		cJSON_AddStringToObject(rec, name, value);
}

void record_set_num(cJSON *rec, const char *name, double value)
{
	if (!rec)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(rec, name);
	cJSON_AddNumberToObject(rec, name, value);
}

void record_step_secret(struct state *st, step_id s, const char *name)
{
	cJSON *list = st->steps[s].secrets;
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
			return;
	}
	cJSON_AddItemToArray(list, cJSON_CreateString(name));
}
