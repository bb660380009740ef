/* tests/tools/choices.c: what a question's chooser (F4) offers, read from the wizard's own
 * plan table, so a test walks exactly the list the operator sees.
 *
 * Usage: choices KEY...   Prints one line per choice: KEY<TAB>VALUE<TAB>SELECTABLE<TAB>DETAIL.
 * location: the region chooser follows the cloud answered, so every cloud's list, each region
 * with its cloud as DETAIL. Exit 2 for a key that is no question or has no chooser. */
#include "core/model/answers.h"
#include "core/model/plan.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/testutil.h"

int main(int argc, char **argv)
{
	test_use_steps();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "location") == 0) {
			size_t nc;
			const struct plan_choice *clouds = plan_cloud_choices(&nc);
			for (size_t c = 0; c < nc; c++) {
				size_t nr;
				const struct plan_choice *r = plan_cloud_regions(clouds[c].value, &nr);
				for (size_t k = 0; k < nr; k++)
					printf("location\t%s\t%d\t%s\n", r[k].value, r[k].selectable, clouds[c].value);
			}
			continue;
		}
		/* As F4 lists them before anything is answered (the GPU sizes for the default image). */
		struct answers none;
		size_t n = 0;
		answers_init(&none);
		int q = plan_question_find(argv[i]);
		const struct plan_choice *c = q >= 0 ? answers_choices(&none, (plan_qid)q, &n) : NULL;
		if (!c || n == 0) {
			fprintf(stderr, "choices: %s is no question with a chooser\n", argv[i]);
			return 2;
		}
		for (size_t k = 0; k < n; k++)
			printf("%s\t%s\t%d\t%s\n", argv[i], c[k].value, c[k].selectable, c[k].detail);
	}
	return 0;
}
