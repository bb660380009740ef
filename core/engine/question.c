/* The one question path from the engine to the operator (core/engine/question.h): the
 * answers file answers when the operator gave the key; else the screen asks (an
 * ENGINE_EV_QUESTION waiting for engine_answer); else a headless run stops naming the key. */
#include <stdio.h>
#include <string.h>

#include "core/engine/engine_int.h"
#include "core/sys/log.h"

static int engine_choice_ok(const struct engine_question *q, const char *value)
{
	if (!q->nchoices)
		return value && *value;
	for (size_t i = 0; i < q->nchoices; i++)
		if (q->choices[i].selectable && strcmp(q->choices[i].value, value) == 0)
			return 1;
	return 0;
}

static void engine_deliver(struct act *a, const char *value)
{
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", value);
	a->asking = 0;
	a->answered(a, copy);
}

static void engine_on_answer_timer(struct act *a)
{
	engine_deliver(a, answers_get(a->e->cfg.answers, plan_q(a->question.answer)));
}

void engine_ask(struct act *a)
{
	struct engine *e = a->e;
	const struct engine_question *q = &a->question;
	plan_qid qa = plan_q(q->answer);
	const char *given = answers_get(e->cfg.answers, qa);
	/* An empty value (an optional field left empty, such as minio.binary_file) answers nothing. */
	if (!q->force && given && *given && e->cfg.answers->given[qa]) {
		log_msg(LOG_INFO, "%s: question %s answered by %s in the answers: %s", a->def->key, q->id, q->answer, given);
		a->asking = 1;
		if (act_after(a, 0, engine_on_answer_timer) != 0)
			act_fail(a, "out of memory");
		return;
	}
	if (e->cfg.headless) {
		char values[256] = "";
		size_t o = 0;
		for (size_t i = 0; i < q->nchoices && o < sizeof values; i++)
			o += (size_t)snprintf(values + o, sizeof values - o, "%s%s", i ? "|" : "", q->choices[i].value);
		if (q->headless)
			act_fail(a, "question %s: %s -- a headless run needs the answers file's %s", q->id, q->text, q->headless);
		else
			act_fail(a, "question %s: %s -- a headless run needs the answer in the answers file: %s: %s", q->id,
			         q->text, q->answer, *values ? values : "VALUE");
		return;
	}
	a->asking = 1;
	a->serial = ++e->next_serial;
	struct engine_event ev = {.kind = ENGINE_EV_QUESTION, .step = a->sid, .action = a->def->key,
	                          .text = q->text, .question = q, .serial = a->serial};
	engine_emit(e, &ev);
}

int engine_answer(struct engine *e, unsigned serial, const char *value, char *why, size_t whylen)
{
	struct act *a = e->sign_in.asking && e->sign_in.serial == serial ? &e->sign_in : NULL;
	for (size_t i = 0; !a && i < e->nacts; i++)
		if (e->acts[i].asking && e->acts[i].serial == serial)
			a = &e->acts[i];
	if (!a) {
		snprintf(why, whylen, "no such question is waiting");
		return -1;
	}
	if (!value || !engine_choice_ok(&a->question, value)) {
		snprintf(why, whylen, "%s: %s", value && *value ? value : "(nothing)",
		         a->question.nchoices ? "not one of the choices" : "an answer is needed");
		return -1;
	}
	/* Free text is checked by its answer's own rule (a path that is a readable file, ...);
	 * a refused one leaves the question open. */
	if (!a->question.nchoices && plan_question_check(plan_q(a->question.answer), value, why, whylen) != 0)
		return -1;
	log_msg(LOG_INFO, "%s: the operator answered %s: %s", a->def->key, a->question.answer, value);
	if (!a->question.force || !e->sign_in_only)
		answers_set(e->cfg.answers, plan_q(a->question.answer), value);
	engine_deliver(a, value);
	return 0;
}

