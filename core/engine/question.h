/* core/engine/question.h: the one question the engine puts to the operator (as cdebconf
 * asks its frontends): the subscription pick, consent to register providers, a disk that
 * holds data, quota too small, a name taken. The screen shows text and choices; a headless
 * run takes the answers file's value of `answer`, or stops naming that key. */
#ifndef SW_QUESTION_H
#define SW_QUESTION_H

#include <stddef.h>

#include "core/model/plan.h"

struct engine_question {
	const char *id;                      /* "register-providers" */
	const char *answer;                  /* the answers key that answers it */
	char text[1024];                     /* the question, whole */
	const struct plan_choice *choices;   /* the values it accepts (value, detail); none: free text,
	                                        checked by the rule of `answer` (a path, ...) */
	size_t nchoices;
	int force;                           /* ask even when the answers hold a value */
	const char *headless;                /* what a headless run names instead of "answer: choices" */
};

#endif
