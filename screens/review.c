/* The review screen: every answer completed with its default and checked together, and
 * the plan they produce (the same text as `studio-wizard plan`), secrets as <sealed:NAME>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine/describe.h"
#include "core/steps/steps.h"
#include "screens/screen.h"
#include "tui/widgets.h"

struct review {
	struct tui_log *plan;
	char problem[512];   /* why the plan cannot be confirmed, or "" */
	int field;           /* the question the problem names (its "key:" prefix), or -1 */
};

static void *review_init(struct wizard *w)
{
	struct review *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->plan = tui_log_new(600);
	tui_log_wrap(r->plan, COLS - 3);
	r->field = -1;
	if (answers_complete(&w->ans, r->problem, sizeof r->problem) != ANSWERS_OK) {
		char key[128];
		const char *colon = strchr(r->problem, ':');
		snprintf(key, sizeof key, "%.*s", colon ? (int)(colon - r->problem) : 0, r->problem);
		r->field = colon ? plan_question_find(key) : -1;
		tui_log_add(r->plan, "The answers do not make a plan yet:");
		tui_log_add(r->plan, "  %s", r->problem);
		if (r->field >= 0)
			tui_log_add(r->plan, "Enter goes to %s on the %s screen to correct it.", key,
			            plan_step_title(plan_question_step((plan_qid)r->field)));
		else
			tui_log_add(r->plan, "Go back (Esc) to the step named above and correct it.");
		return r;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m || describe_plan(steps_table(), &w->ans, m) != 0) {
		snprintf(r->problem, sizeof r->problem, "cannot lay out the plan (out of memory)");
		if (m)
			fclose(m);
		free(text);
		return r;
	}
	fclose(m);
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		tui_log_add(r->plan, "%s", line);
	free(text);
	/* Scrolled to the top: the operator reads the plan from its first step. */
	tui_log_key(r->plan, TUI_KEY(KEY_HOME));
	return r;
}

static void review_draw(struct wizard *w, void *self)
{
	struct review *r = self;
	erase();
	screen_frame(w, "review the plan",
	             r->problem[0] && r->field >= 0 ? "Enter go to the field  Esc back  F3 credentials  F10 quit"
	             : r->problem[0]               ? "Esc back  F3 credentials  F10 quit"
	                           : "Enter confirm  PgUp/PgDn scroll  Esc back  F3 credentials  F10 quit");
	tui_log_draw(r->plan, 2, 1, LINES - 5, COLS - 2);
}

static enum tui_event review_key(struct wizard *w, void *self, int key)
{
	struct review *r = self;
	if (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER)) {
		if (r->problem[0] && r->field >= 0) {
			/* To the field the problem names, not one screen back. */
			w->jump = wizard_step_screen(plan_question_step((plan_qid)r->field));
			w->focus_q = r->field;
		}
		return TUI_NEXT;
	}
	if (key == TUI_ESC)
		return TUI_BACK;
	if (key == TUI_KEY(KEY_UP))
		key = TUI_KEY(KEY_PPAGE);
	if (key == TUI_KEY(KEY_DOWN))
		key = TUI_KEY(KEY_NPAGE);
	return tui_log_key(r->plan, key);
}

static int review_validate(struct wizard *w, void *self, char *why, size_t whylen)
{
	struct review *r = self;
	if (r->problem[0] && w->jump >= 0)
		return 0;   /* Enter goes to the field named */
	if (r->problem[0]) {
		snprintf(why, whylen, "%s", r->problem);
		return -1;
	}
	return 0;
}

static void review_fini(struct wizard *w, void *self)
{
	(void)w;
	struct review *r = self;
	tui_log_free(r->plan);
	free(r);
}

const struct screen screen_review = {
	.name = "review",
	.init = review_init,
	.draw = review_draw,
	.key = review_key,
	.validate = review_validate,
	.fini = review_fini,
};
