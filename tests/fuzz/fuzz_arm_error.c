/* tests/fuzz/fuzz_arm_error.c: ARM error bodies (core/azure/arm_error.c): what any HTTP
 * answer from the ARM endpoint (or a proxy in front of it) turns into for the operator, and
 * checkNameAvailability answers. The input is the body; the status is fixed. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "core/azure/arm.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char code[128], msg[1024], why[512];
	arm_error_message(409, text, code, sizeof code, msg, sizeof msg);
	fuzz_accepted = code[0] != '\0';
	cJSON *j = cJSON_Parse(text);
	if (j && arm_name_available(j, "leafai1a2b3c4d", why, sizeof why) >= 0)
		fuzz_accepted = 1;
	cJSON_Delete(j);
	free(text);
	return 0;
}
