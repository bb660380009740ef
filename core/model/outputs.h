/* core/model/outputs.h: the values the steps record in the state's outputs, each with its exact
 * format. A value read back is checked here where it is read (state.json is a file anyone
 * with the account can edit), so an edited one is refused with its key before it reaches a
 * VM, a URL or a configuration file. */
#ifndef SW_MODEL_OUTPUTS_H
#define SW_MODEL_OUTPUTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* 0 when value has key's format, else -1 with why ("outputs.\"KEY\" in state.json: must be
 * ..."). A key without a known format is refused too. */
int outputs_check(const char *key, const char *value, char *why, size_t whylen);
/* The string at key in outputs (the state's map), checked. 0 with *value (NULL when absent),
 * or -1 with why when it is not a string or fails its format. */
int outputs_get(const cJSON *outputs, const char *key, const char **value, char *why, size_t whylen);

#endif
