/* The subscription step screen: the cloud, how to sign in, the subscription, the region
 * and uniq_id. F5 signs in (device code shown here, an existing Azure CLI login, or a
 * service principal) and lists the subscriptions this sign-in can see; picking one fills
 * the field, and uniq_id follows it. Nothing is created from this screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/cloud.h"
#include "core/engine/engine.h"
#include "core/steps/steps.h"
#include "core/sys/text.h"
#include "screens/screen.h"
#include "tui/widgets.h"

enum phase { IDLE, SIGNING_IN, CHOOSING };

struct sub_screen {
	struct wizard *w;
	struct stepform *form;
	struct cloud cloud;
	struct engine *eng;
	enum phase phase;
	int done;                  /* the engine finished: free it outside its callback */
	char code[64], uri[256], message[512];
	struct tui_choice *subs;
	struct tui_progress wait;
	struct tui_source sources[1];
	char status[512];          /* the last progress line */
	unsigned serial;           /* the engine's question: which subscription */
};

enum { SUB_SIGN_IN = 1 };
static const struct tui_keydef sub_keys[] = {
	{SUB_SIGN_IN, {TUI_KEY(KEY_F(5))}, "F5", "sign in and pick the subscription from the list (from any field)",
	 "sign in"},
	{0, {0}, NULL, NULL, NULL},
};

/* The engine and auth already say "sign-in" (engine: "sign-in: ", auth: "device code
 * sign-in: ..."): the screen adds it only when the text does not. */
static void say_signin_error(struct wizard *w, const char *text)
{
	char msg[sizeof w->msg];
	text_prefix("sign-in", text, msg, sizeof msg);
	screen_say(w, 1, "%s", msg);
}

static void on_event(const struct engine_event *ev, void *arg)
{
	struct sub_screen *s = arg;
	switch (ev->kind) {
	case ENGINE_EV_DEVICE_CODE:
		snprintf(s->code, sizeof s->code, "%s", ev->device->user_code);
		snprintf(s->uri, sizeof s->uri, "%s", ev->device->verification_uri);
		snprintf(s->message, sizeof s->message, "%s", ev->device->message);
		if (ev->device->expires_in > 0)   /* the code's lifetime says more than a percentage */
			tui_progress_countdown(&s->wait, ev->device->expires_in);
		break;
	case ENGINE_EV_QUESTION: {
		/* The only question of the sign-in: which subscription (value: its id). */
		const struct engine_question *q = ev->question;
		tui_progress_stop(&s->wait);
		s->code[0] = '\0';
		s->serial = ev->serial;
		if (s->subs)
			tui_choice_free(s->subs);
		s->subs = tui_choice_new();
		const char *current = answers_get(&s->w->ans, plan_q("subscription"));
		for (size_t i = 0; i < q->nchoices; i++) {
			tui_choice_add(s->subs, q->choices[i].value, q->choices[i].detail);
			if (current && strcasecmp(current, q->choices[i].value) == 0)
				tui_choice_select(s->subs, (int)i);
		}
		s->phase = CHOOSING;
		snprintf(s->status, sizeof s->status, "%zu subscription%s: pick one (Enter), Esc cancels",
		         q->nchoices, q->nchoices == 1 ? "" : "s");
		break;
	}
	case ENGINE_EV_ACTION_PROGRESS:
		snprintf(s->status, sizeof s->status, "%s ...", ev->detail);
		break;
	case ENGINE_EV_WARNING:
		screen_say(s->w, 1, "%s", ev->text);
		break;
	case ENGINE_EV_FINISHED:
		tui_progress_stop(&s->wait);
		s->done = 1;
		s->phase = IDLE;
		s->code[0] = '\0';
		s->status[0] = '\0';
		if (!ev->ok)
			say_signin_error(s->w, ev->text);
		break;
	default:
		break;
	}
}

/* After each turn of the loop, where the sign-in ran: a finished one is freed. */
static enum tui_event src_ready(void *ctx)
{
	struct sub_screen *s = ctx;
	if (!s->eng)
		return TUI_HANDLED;
	if (s->done) {
		engine_free(s->eng);
		s->eng = NULL;
		s->done = 0;
	}
	return TUI_REDRAW;
}

static void *sub_init(struct wizard *w)
{
	struct sub_screen *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->w = w;
	s->form = stepform_new(w, plan_step_parse("subscription"));
	stepform_set_extra_keys(s->form, sub_keys);
	return s;
}

static void stop(struct sub_screen *s)
{
	if (s->eng) {
		engine_cancel(s->eng);
		engine_free(s->eng);
		s->eng = NULL;
	}
	tui_progress_stop(&s->wait);
	s->phase = IDLE;
	s->done = 0;
	s->code[0] = s->status[0] = '\0';
}

static enum tui_event sign_in(struct sub_screen *s)
{
	struct wizard *w = s->w;
	char err[1024];
	/* F5 is how the subscription gets picked: the field it is on (often the empty
	 * subscription id) is not a precondition. A valid edit there is taken first. */
	stepform_keep_focused(w, s->form);
	if (wizard_needs_client_secret(w)) {
		enum tui_event ev = wizard_ask_client_secret(w);
		if (ev == TUI_SIGNAL || ev == TUI_QUIT)
			return ev;
		if (ev != TUI_NEXT) {
			if (!w->msg_error || !w->msg[0])
				screen_say(w, 1, "sign-in: a service principal signs in with its client secret; F5 asks for it");
			return TUI_REDRAW;
		}
	}
	if (wizard_cloud(w, &s->cloud, err, sizeof err) != 0) {
		screen_say(w, 1, "%s", err);
		return TUI_REDRAW;
	}
	char command[PATH_MAX + 64];
	profile_command(w->prof, command, sizeof command);
	struct engine_config cfg = {
		.loop = w->loop, .cloud = &s->cloud, .ca_file = w->opts->ca_file, .answers = &w->ans, .st = w->st,
		.state_dir = w->prof->dir, .vault = w->v, .headless = 0, .on_event = on_event, .arg = s,
		.command = command, .table = steps_table(),
	};
	s->eng = engine_new(&cfg, err, sizeof err);
	if (!s->eng) {
		say_signin_error(w, err);
		return TUI_REDRAW;
	}
	w->msg[0] = '\0';
	s->phase = SIGNING_IN;
	tui_progress_start(&s->wait);
	engine_sign_in(s->eng);
	return TUI_REDRAW;
}

static enum tui_event sub_key(struct wizard *w, void *self, int key)
{
	struct sub_screen *s = self;
	int enter = key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER);
	if (s->phase != IDLE) {
		if (key == TUI_ESC) {
			stop(s);
			screen_say(w, 0, "sign-in cancelled");
			return TUI_REDRAW;
		}
		if (s->phase == CHOOSING && enter) {
			int i = tui_choice_selected(s->subs);
			if (i < 0)
				return TUI_HANDLED;
			char id[64];
			snprintf(id, sizeof id, "%s", tui_choice_name(s->subs, i));
			char why[256];
			if (engine_answer(s->eng, s->serial, id, why, sizeof why) != 0) {
				screen_say(w, 1, "%s: not Enabled; Azure refuses to create resources in it", id);
				return TUI_REDRAW;
			}
			if (stepform_set_answer(w, s->form, plan_q("subscription"), id) == 0)
				screen_say(w, 0, "subscription %s chosen", id);
			return TUI_REDRAW;
		}
		if (s->phase == CHOOSING)
			return tui_choice_key(s->subs, key);
		return TUI_HANDLED;
	}
	if (tui_keys_find(sub_keys, key) == SUB_SIGN_IN)
		return sign_in(s);
	return stepform_key(w, s->form, key);
}

static void sub_draw(struct wizard *w, void *self)
{
	struct sub_screen *s = self;
	stepform_draw(w, s->form);   /* the message too, wrapped above the key line */
	if (s->phase == IDLE)
		return;
	tui_cover();
	int top = 3, left = 3, width = COLS - 6, height = LINES - 7;
	for (int y = 2; y < top + height; y++)
		mvhline(y, 0, ' ', COLS);
	attr_t a = tui_attr(TUI_TITLE);
	attron(a);
	mvaddstr(top, left + 1, "Sign in to Azure (Esc cancels)");
	attroff(a);
	if (s->phase == SIGNING_IN && s->code[0]) {
		mvprintw(top + 2, left + 1, "On any device with a browser, open");
		attron(a);
		mvprintw(top + 3, left + 5, "%.*s", width - 6, s->uri);
		attroff(a);
		mvprintw(top + 4, left + 1, "and enter the code");
		attron(a | A_BOLD);
		mvprintw(top + 5, left + 5, "%s", s->code);
		attroff(a | A_BOLD);
		mvprintw(top + 7, left + 1, "Waiting for you to approve the sign-in...");
		tui_progress_draw(&s->wait, top + 8, left + 1, width - 2);
	} else if (s->phase == SIGNING_IN) {
		mvprintw(top + 2, left + 1, "%.*s", width - 2, s->status);
		tui_progress_draw(&s->wait, top + 4, left + 1, width - 2);
	} else {
		mvprintw(top + 2, left + 1, "%.*s", width - 2, s->status);
		tui_choice_draw(s->subs, top + 3, left + 1, height - 4, width - 2, true);
	}
}

static int sub_validate(struct wizard *w, void *self, char *why, size_t whylen)
{
	struct sub_screen *s = self;
	if (s->phase != IDLE) {
		snprintf(why, whylen, "finish or cancel (Esc) the sign-in first");
		return -1;
	}
	return stepform_validate(w, s->form, why, whylen);
}

static void sub_fini(struct wizard *w, void *self)
{
	struct sub_screen *s = self;
	stop(s);
	if (s->subs)
		tui_choice_free(s->subs);
	stepform_free(w, s->form);
	free(s);
}

/* The loop asks the app for its sources each turn: they live in the screen. */
static struct tui_source *sub_sources(void *self, int *n)
{
	struct sub_screen *s = self;
	s->sources[0] = (struct tui_source){src_ready, s};
	*n = 1;
	return s->sources;
}

static void sub_keys_of(struct wizard *w, void *self, struct tui_keyset *ks)
{
	struct sub_screen *s = self;
	stepform_keys(w, s->form, ks);
}

const struct screen screen_subscription = {
	.name = "subscription",
	.init = sub_init,
	.draw = sub_draw,
	.key = sub_key,
	.validate = sub_validate,
	.fini = sub_fini,
	.sources = sub_sources,
	.keys = sub_keys_of,
};
