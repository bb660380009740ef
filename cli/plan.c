#include "cli/plan.h"

#include <stdlib.h>

#include "core/engine/describe.h"
#include "core/model/answers.h"
#include "core/sys/exitcode.h"

int plan_cmd(const struct step_table *t, const char *answers_path, int json, FILE *out, FILE *errout)
{
	struct answers a;
	char err[768];
	answers_init(&a);
	enum answers_result rc = answers_load(&a, answers_path, err, sizeof err);
	if (rc == ANSWERS_OK)
		rc = answers_complete(&a, err, sizeof err);
	int code = SW_EXIT_OK;
	if (rc == ANSWERS_E_INVALID) {
		fprintf(errout, "studio-wizard: %s: %s\n", answers_path, err);
		code = SW_EXIT_USAGE;
	} else if (rc == ANSWERS_E_IO) {
		fprintf(errout, "studio-wizard: %s\n", err);
		code = SW_EXIT_ERROR;
	} else if (rc != ANSWERS_OK) {
		fprintf(errout, "studio-wizard: out of memory reading %s\n", answers_path);
		code = SW_EXIT_ERROR;
	} else if (json) {
		cJSON *j = describe_plan_json(t, &a);
		char *text = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (!text || fprintf(out, "%s\n", text) < 0 || fflush(out) != 0)
			code = SW_EXIT_ERROR;
		free(text);
	} else if (describe_plan(t, &a, out) < 0) {
		fprintf(errout, "studio-wizard: cannot write the plan\n");
		code = SW_EXIT_ERROR;
	}
	answers_free(&a);
	return code;
}
