/* tests/fuzz/fuzz_answers.c: the answers file (core/model/answers.c with the validators of
 * core/model/validate*.c), as `--answers FILE` and the state's kept answers read it.
 * Properties: a refusal is one terminal-safe line; accepted answers complete or refuse
 * cleanly, and serialise to JSON. File names in the answers are opened by the validators:
 * the runners give the harness /dev/null as stdin and HOME=tests/fuzz/home. Answers without
 * uniq_id are not completed: its default runs `ip maddress` (core/model/uniqid.c), a child
 * process per input that would slow the fuzzer a hundredfold. */
#include <stdlib.h>

#include "core/steps/steps.h"
#include "core/model/answers.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int steps;
	if (!steps++ && step_table_use(steps_table(), NULL, 0) != 0)
		abort();
	char *text = fuzz_text(data, size);
	char err[1024] = "";
	struct answers a;
	answers_init(&a);
	if (answers_parse(&a, text, err, sizeof err) != ANSWERS_OK) {
		fuzz_line_safe("answers error", err);
	} else if (!answers_get(&a, plan_q("uniq_id"))) {
		fuzz_accepted = 1;
	} else if (answers_complete(&a, err, sizeof err) != ANSWERS_OK) {
		fuzz_line_safe("answers completion error", err);
	} else {
		fuzz_accepted = 1;
		cJSON *j = answers_to_json(&a);
		if (!j)
			abort();
		cJSON_Delete(j);
	}
	answers_free(&a);

	/* The state's copy: the same keys, values not checked again. */
	answers_init(&a);
	if (answers_parse_kept(&a, text, err, sizeof err) != ANSWERS_OK)
		fuzz_line_safe("kept answers error", err);
	answers_free(&a);
	free(text);
	return 0;
}
