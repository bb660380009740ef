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
	screen_frame(w, "review the plan", NULL);
	tui_log_draw(r->plan, 2, 1, LINES - 5, COLS - 2);
}

enum { R_ENTER = 1, R_BACK, R_UP, R_DOWN, R_PAGE };

static const struct tui_keydef review_keys_ok[] = {
	{R_ENTER, {'\n', '\r', TUI_KEY(KEY_ENTER)}, "Enter", "confirm the plan and start the install", "confirm"},
	{R_BACK, {TUI_ESC}, "Esc", "previous screen; every answer is kept", "back"},
	{R_UP, {TUI_KEY(KEY_UP)}, "Up", "scroll the plan up", NULL},
	{R_DOWN, {TUI_KEY(KEY_DOWN)}, "Down", "scroll the plan down", NULL},
	{R_PAGE, {TUI_KEY(KEY_PPAGE), TUI_KEY(KEY_NPAGE), TUI_KEY(KEY_HOME), TUI_KEY(KEY_END)},
	 "PgUp, PgDn, Home, End", "scroll the plan a page, to its start or its end", "scroll"},
	{TUI_ACTION_HELP, {'?'}, "?", "this list of keys (as F1)", NULL},
	{0, {0}, NULL, NULL, NULL},
};
/* The answers do not make a plan: Enter leads to the field the problem names. */
static const struct tui_keydef review_keys_problem[] = {
	{R_ENTER, {'\n', '\r', TUI_KEY(KEY_ENTER)}, "Enter", "go to the field the problem names", "go to the field"},
	{R_BACK, {TUI_ESC}, "Esc", "previous screen; every answer is kept", "back"},
	{TUI_ACTION_HELP, {'?'}, "?", "this list of keys (as F1)", NULL},
	{0, {0}, NULL, NULL, NULL},
};

static const struct tui_keydef *review_table(const struct review *r)
{
	return r->problem[0] && r->field >= 0 ? review_keys_problem : r->problem[0] ? review_keys_problem + 1
	                                                                            : review_keys_ok;
}

static void review_keys(struct wizard *w, void *self, struct tui_keyset *ks)
{
	(void)w;
	tui_keyset_add(ks, "this screen", review_table(self));
}

static enum tui_event review_key(struct wizard *w, void *self, int key)
{
	struct review *r = self;
	switch (tui_keys_find(review_table(r), key)) {
	case R_ENTER:
		if (r->problem[0] && r->field >= 0) {
			/* To the field the problem names, not one screen back. */
			w->jump = wizard_step_screen(plan_question_step((plan_qid)r->field));
			w->focus_q = r->field;
		}
		return TUI_NEXT;
	case R_BACK:
		return TUI_BACK;
	case R_UP:
		return tui_log_key(r->plan, TUI_KEY(KEY_PPAGE));
	case R_DOWN:
		return tui_log_key(r->plan, TUI_KEY(KEY_NPAGE));
	case R_PAGE:
		return tui_log_key(r->plan, key);
	}
	return TUI_HANDLED;
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
	.keys = review_keys,
};
