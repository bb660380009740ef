/* tests/fuzz/fuzz_cloud.c: the cloud file (`az cloud show` JSON, --cloud FILE) parsed by
 * core/azure/cloud.c. Property: a refusal is one terminal-safe line. */
#include <stdlib.h>

#include "core/azure/cloud.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char err[512] = "";
	struct cloud c;
	if (cloud_parse_json(text, &c, err, sizeof err) == 0) {
		char scope[CLOUD_FIELD_MAX + 16];
		cloud_arm_scope(&c, scope, sizeof scope);
		fuzz_accepted = 1;
	} else {
		fuzz_line_safe("cloud error", err);
	}
	free(text);
	return 0;
}
