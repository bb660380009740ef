/* The questions of one step as a form. Each field is validated when the operator leaves
 * it; a valid answer is saved to the state at once, so a crash loses at most the field
 * being typed. Unanswered questions show their default, recomputed as earlier answers
 * change (uniq_id from the subscription, the registry name from uniq_id, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/screen.h"
#include "tui/widgets.h"

#define FIELD_WIDTH 46   /* at first: tui_form_fit sizes the fields to the terminal */
#define VALUE_MAX 512
#define MAX_Q 24

struct stepform {
	step_id step;
	plan_qid q[MAX_Q];
	int nq;
	struct tui_form *form;
	const struct tui_keydef *extra;   /* the screen's own keys (F5 on the Subscription screen) */
};

enum { SF_CONFIRM = 1, SF_NEXT_FIELD, SF_PREV_FIELD, SF_LIST, SF_NEXT_SCREEN, SF_BACK };

static const struct tui_keydef stepform_keys_table[] = {
	{SF_CONFIRM, {'\n', '\r', TUI_KEY(KEY_ENTER)}, "Enter",
	 "check the field and go to the next (on the last field: next screen)", "confirm"},
	{SF_LIST, {TUI_KEY(KEY_F(4))}, "F4", "pick from the field's list (clouds, regions, sizes, ...)", "list"},
	{SF_NEXT_SCREEN, {TUI_KEY(KEY_NPAGE), TUI_KEY(KEY_F(2))}, "PgDn, F2", "next screen (checks every field)", "next"},
	{SF_BACK, {TUI_ESC, TUI_KEY(KEY_PPAGE)}, "Esc, PgUp", "previous screen; every answer is kept", "back"},
	{SF_NEXT_FIELD, {'\t', TUI_KEY(KEY_DOWN)}, "Tab, Down", "check the field and go to the next", NULL},
	{SF_PREV_FIELD, {TUI_KEY(KEY_BTAB), TUI_KEY(KEY_UP)}, "Shift-Tab, Up",
	 "previous field (the value typed is kept, and saved when valid)", NULL},
	{0, {0}, NULL, NULL, NULL},
};

/* Every unanswered question gets its default, in table order (defaults refer to earlier answers). */
static void refresh_defaults(struct wizard *w)
{
	answers_clear_defaults(&w->ans);
	for (int q = 0; (size_t)q < plan_question_count(); q++) {
		char buf[VALUE_MAX];
		if (w->ans.val[q] || answers_default(&w->ans, (plan_qid)q, buf, sizeof buf, NULL, 0) != 0)
			continue;
		w->ans.val[q] = strdup(buf);
		w->ans.given[q] = 0;
	}
}

/* Shows the answers from field `from` on; after a change, only defaults move. */
static void load_fields(struct wizard *w, struct stepform *f, int from)
{
	for (int i = from; i < f->nq; i++) {
		if (from > 0 && w->ans.given[f->q[i]])
			continue;
		const char *v = answers_get(&w->ans, f->q[i]);
		tui_form_set(f->form, i, v ? v : "");
	}
}

struct stepform *stepform_new(struct wizard *w, step_id s)
{
	struct stepform *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->step = s;
	f->nq = (int)plan_step_questions(s, f->q, MAX_Q);
	f->form = tui_form_new();
	for (int i = 0; i < f->nq; i++)
		tui_form_add(f->form, plan_question(f->q[i])->label, FIELD_WIDTH, VALUE_MAX - 1, 0);
	refresh_defaults(w);
	load_fields(w, f, 0);
	int focus = 0;
	for (int i = 0; i < f->nq; i++)
		if ((int)f->q[i] == w->focus_q)
			focus = i;   /* the review named this field */
	w->focus_q = -1;
	tui_form_focus(f->form, focus);
	return f;
}

/* Validates the focused field; a valid, changed value is saved. 0, or -1 with the message shown. */
static int confirm_field(struct wizard *w, struct stepform *f, int i)
{
	char value[VALUE_MAX], why[512];
	tui_form_get(f->form, i, value, sizeof value);
	plan_qid q = f->q[i];
	if (answers_check(&w->ans, q, value, why, sizeof why) != 0) {
		screen_say(w, 1, "%s", why);
		return -1;
	}
	const char *old = answers_get(&w->ans, q);
	char note[512] = "";
	if (!w->ans.given[q] || !old || strcmp(old, value) != 0) {
		answers_set(&w->ans, q, value);
		if (q == plan_q("cloud"))
			answers_follow_cloud(&w->ans, note, sizeof note);
		refresh_defaults(w);
		load_fields(w, f, i + 1);
		if (wizard_save_answers(w) != 0)
			return -1;
	}
	w->msg[0] = '\0';
	if (note[0])
		screen_say(w, 0, "%s", note);
	return 0;
}

static enum tui_event chooser_key(void *ctx, int key);
static void chooser_draw(void *ctx);

struct chooser {
	struct tui_choice *list;
	const char *title;
	const struct plan_choice *choices;
	size_t n;
};

static void chooser_draw(void *ctx)
{
	struct chooser *c = ctx;
	int h = LINES - 8, wdt = COLS - 2;
	tui_cover();   /* the form's panel would sit over the list's title and edge */
	for (int y = 2; y < 2 + h + 1; y++)
		mvhline(y, 0, ' ', COLS);
	attr_t a = tui_attr(TUI_TITLE);
	attron(a);
	mvprintw(2, 2, "%s: Enter choose, Esc cancel", c->title);
	attroff(a);
	tui_choice_draw(c->list, 3, 1, h, wdt, true);
	/* The list cuts long details at its edge: the selected one is shown whole below it. */
	int k = tui_choice_selected(c->list);
	mvhline(3 + h, 0, ' ', COLS);
	mvhline(4 + h, 0, ' ', COLS);
	if (k >= 0 && (size_t)k < c->n && c->choices[k].detail)
		tui_wrap_draw(3 + h, 2, COLS - 4, 2, 0, c->choices[k].detail);
}

static enum tui_event chooser_key(void *ctx, int key)
{
	struct chooser *c = ctx;
	if (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER))
		return TUI_NEXT;
	if (key == TUI_ESC)
		return TUI_BACK;
	return tui_choice_key(c->list, key);
}

/* F4 on a question with choices: pick from the list (unusable ones shown, marked). */
static enum tui_event choose(struct wizard *w, struct stepform *f, int i)
{
	const struct plan_question *pq = plan_question(f->q[i]);
	struct chooser c = {NULL, pq->label, NULL, 0};
	char cur[VALUE_MAX];
	tui_form_get(f->form, i, cur, sizeof cur);
	struct image_tags *tags = NULL;
	if (f->q[i] == plan_q("acr.image")) {
		/* The runner image's list is the registry's tags, fetched now. */
		char why[1024] = "";
		enum tui_event ev;
		tags = image_tags_fetch(w, cur, &ev, why, sizeof why);
		if (!tags) {
			if (why[0])
				screen_say(w, 1, "%s", why);
			return ev;
		}
		c.choices = image_tags_choices(tags, &c.n);
	} else {
		c.choices = answers_choices(&w->ans, f->q[i], &c.n);
	}
	if (!c.choices || c.n == 0) {
		screen_say(w, 0, "%s takes free text here; it has no list", pq->key);
		return TUI_REDRAW;
	}
	c.list = tui_choice_new();
	for (size_t k = 0; k < c.n; k++) {
		/* A choice that cannot be taken says why in its detail (the runner cannot use a GPU). */
		tui_choice_add(c.list, c.choices[k].value, c.choices[k].detail ? c.choices[k].detail : "");
		if (strcmp(cur, c.choices[k].value) == 0)
			tui_choice_select(c.list, (int)k);
	}
	struct tui_app app = {chooser_draw, chooser_key, NULL, 0, &c};
	enum tui_event ev = tui_run(&app);
	if (ev == TUI_NEXT) {
		int k = tui_choice_selected(c.list);
		if (k >= 0) {
			tui_form_set(f->form, i, c.choices[k].value);
			confirm_field(w, f, i);
		}
	}
	tui_choice_free(c.list);
	image_tags_free(tags);
	return ev == TUI_SIGNAL ? TUI_SIGNAL : TUI_REDRAW;
}

enum tui_event stepform_key(struct wizard *w, struct stepform *f, int key)
{
	int i = tui_form_current(f->form);
	switch (tui_keys_find(stepform_keys_table, key)) {
	case SF_CONFIRM: case SF_NEXT_FIELD:
		if (confirm_field(w, f, i) != 0)
			return TUI_REDRAW;
		if (i == f->nq - 1)
			return tui_keys_find(stepform_keys_table, key) == SF_CONFIRM ? TUI_NEXT : TUI_REDRAW;
		tui_form_focus(f->form, i + 1);
		return TUI_REDRAW;
	case SF_PREV_FIELD:
		stepform_keep_focused(w, f);
		if (i > 0)
			tui_form_focus(f->form, i - 1);
		return TUI_REDRAW;
	case SF_NEXT_SCREEN:
		return TUI_NEXT;
	case SF_BACK:
		stepform_keep_focused(w, f);
		return TUI_BACK;
	case SF_LIST:
		return choose(w, f, i);
	}
	return tui_form_key(f->form, key);
}

void stepform_keys(struct wizard *w, struct stepform *f, struct tui_keyset *ks)
{
	(void)w;
	tui_keyset_add(ks, "this screen", f->extra);
	tui_keyset_add(ks, "the questions", stepform_keys_table);
	tui_keyset_add(ks, "editing a field", tui_form_edit_keys);
}

int stepform_validate(struct wizard *w, struct stepform *f, char *why, size_t whylen)
{
	char value[VALUE_MAX];
	/* The focused field may hold an edit not confirmed yet (PgDn right after typing the
	 * subscription): confirm it first, so the defaults that follow from it are filled in. */
	int cur = tui_form_current(f->form);
	if (cur >= 0 && cur < f->nq) {
		tui_form_get(f->form, cur, value, sizeof value);
		if (plan_question_check(f->q[cur], value, why, whylen) != 0)
			return -1;
		if (confirm_field(w, f, cur) != 0) {
			snprintf(why, whylen, "%s", w->msg);
			return -1;
		}
	}
	for (int i = 0; i < f->nq; i++) {
		tui_form_get(f->form, i, value, sizeof value);
		if (answers_check(&w->ans, f->q[i], value, why, whylen) != 0) {
			tui_form_focus(f->form, i);
			return -1;
		}
	}
	/* All valid: every value on the screen is now the operator's (saved once). */
	for (int i = 0; i < f->nq; i++) {
		tui_form_get(f->form, i, value, sizeof value);
		answers_set(&w->ans, f->q[i], value);
	}
	refresh_defaults(w);
	if (wizard_save_answers(w) != 0) {
		snprintf(why, whylen, "%s", w->msg);
		return -1;
	}
	return 0;
}

void stepform_draw(struct wizard *w, struct stepform *f)
{
	char title[128];
	snprintf(title, sizeof title, "step %d of %d: %s", (int)f->step + 1, (int)plan_step_count(),
	         plan_step_title(f->step));
	erase();
	int bottom = screen_frame(w, title, NULL);   /* the message's first row */
	tui_form_fit(f->form, COLS - 4);
	tui_form_draw(f->form, 2, 2, true);
	int i = tui_form_current(f->form);
	if (i < 0 || i >= f->nq)
		return;
	const struct plan_question *pq = plan_question(f->q[i]);
	int y = 3 + tui_form_height(f->form);
	if (y >= bottom - 1)
		return;
	attr_t a = tui_attr(TUI_TITLE);
	attron(a);
	mvprintw(y, 2, "%s", pq->key);
	attroff(a);
	size_t nc;
	const struct plan_choice *ch = answers_choices(&w->ans, f->q[i], &nc);
	if (ch && nc) {
		char cur[VALUE_MAX];
		tui_form_get(f->form, i, cur, sizeof cur);
		for (size_t k = 0; k < nc; k++)
			if (strcmp(cur, ch[k].value) == 0 && ch[k].detail)
				mvaddnstr(y, 4 + (int)strlen(pq->key), ch[k].detail, COLS - 6 - (int)strlen(pq->key));
	}
	if (pq->help)
		tui_wrap_draw(y + 1, 2, COLS - 4, bottom - 1 - (y + 1), 0, pq->help);
}

void stepform_set_extra_keys(struct stepform *f, const struct tui_keydef *extra)
{
	f->extra = extra;
}

void stepform_keep_focused(struct wizard *w, struct stepform *f)
{
	char value[VALUE_MAX], why[256];
	int i = tui_form_current(f->form);
	if (i < 0 || i >= f->nq)
		return;
	tui_form_get(f->form, i, value, sizeof value);
	if (plan_question_check(f->q[i], value, why, sizeof why) == 0)
		confirm_field(w, f, i);
}

int stepform_set_answer(struct wizard *w, struct stepform *f, plan_qid q, const char *value)
{
	for (int i = 0; i < f->nq; i++)
		if (f->q[i] == q) {
			tui_form_set(f->form, i, value);
			return confirm_field(w, f, i);
		}
	return -1;
}

void stepform_free(struct wizard *w, struct stepform *f)
{
	(void)w;
	if (!f)
		return;
	tui_form_free(f->form);
	free(f);
}

/* Every step without a screen of its own: its questions and nothing more. */
static void *step_init(struct wizard *w)
{
	return stepform_new(w, w->step);
}

static void step_draw(struct wizard *w, void *self)
{
	stepform_draw(w, self);
}

static enum tui_event step_key(struct wizard *w, void *self, int key)
{
	return stepform_key(w, self, key);
}

static int step_validate(struct wizard *w, void *self, char *why, size_t whylen)
{
	return stepform_validate(w, self, why, whylen);
}

static void step_fini(struct wizard *w, void *self)
{
	stepform_free(w, self);
}

static void step_keys(struct wizard *w, void *self, struct tui_keyset *ks)
{
	stepform_keys(w, self, ks);
}

const struct screen screen_step = {"step", step_init, step_draw, step_key, step_validate, step_fini, NULL, NULL, step_keys};
