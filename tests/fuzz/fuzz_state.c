/* tests/fuzz/fuzz_state.c: state.json (core/model/state.c), which anyone with the profile
 * directory can edit. Properties: a refusal is one terminal-safe line; an accepted state
 * serialises to JSON that parses again (a resume must read what the wizard wrote). */
#include <stdio.h>
#include <stdlib.h>

#include "core/steps/steps.h"
#include "core/model/state.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int steps;
	if (!steps++ && step_table_use(steps_table(), NULL, 0) != 0)
		abort();
	char *text = fuzz_text(data, size);
	char err[512] = "";
	struct state *st = NULL;
	enum state_result rc = state_from_json(text, "fuzz", &st, err, sizeof err);
	free(text);
	if (rc != STATE_OK) {
		fuzz_line_safe("state error", err);
		return 0;
	}
	fuzz_accepted = 1;
	(void)state_resume_step(st);
	char *again = state_to_json(st);
	if (!again)
		abort();
	struct state *st2 = NULL;
	if (state_from_json(again, "fuzz", &st2, err, sizeof err) != STATE_OK) {
		fprintf(stderr, "fuzz: the state written back does not parse: %s\n", err);
		abort();
	}
	free(again);
	state_free(st2);
	state_free(st);
	return 0;
}
