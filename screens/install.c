/* The install screen: after the review, runs every step this version has, actions of
 * different steps at the same time. One line per running action with its own clock and
 * Azure's usual duration, finished ones collapse into the log, a summary line counts what
 * runs, is done, failed or waits. A question from the engine (consent to register
 * providers, ...) is asked here; keys stay live throughout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/cloud.h"
#include "core/engine/engine.h"
#include "core/steps/steps.h"
#include "core/sys/loop.h"
#include "core/sys/text.h"
#include "screens/screen.h"
#include "tui/widgets.h"

#define Q_CHOICES_MAX 16

struct install {
	struct wizard *w;
	struct cloud cloud;
	struct engine *eng;
	struct tui_log *log;
	struct tui_timer tick;     /* the clocks: once a second while anything runs */
	int finished, ok, done;
	char summary[512];
	step_id last;              /* the last step this version has */
	/* the question waiting for the operator */
	unsigned serial;
	char question[1024];
	struct tui_choice *choices;
	struct tui_form *text;       /* a question answered in free text (a path): its one field */
	char letters[Q_CHOICES_MAX]; /* the key that answers each choice (its first letter), or 0 */
	char keys[256];              /* the help line while it asks */
	struct tui_source sources[1];
};

/* A short list (yes/no, cpu/stop) is answered by each choice's first letter, when those differ;
 * the help line names them, so the keys always match the question on screen. */
static void question_keys(struct install *in, const struct engine_question *q)
{
	size_t n = q->nchoices < Q_CHOICES_MAX ? q->nchoices : Q_CHOICES_MAX, o = 0;
	memset(in->letters, 0, sizeof in->letters);
	int unique = n <= 4;
	for (size_t i = 0; unique && i < n; i++) {
		char c = q->choices[i].value[0];
		unique = c >= 'a' && c <= 'z' && !memchr(in->letters, c, i);
		in->letters[i] = c;
	}
	if (!unique)
		memset(in->letters, 0, sizeof in->letters);
	o = (size_t)snprintf(in->keys, sizeof in->keys, n ? "Up/Down choose  Enter answer" : "Enter answer  Esc stop");
	for (size_t i = 0; i < n && in->letters[i] && o < sizeof in->keys; i++)
		o += (size_t)snprintf(in->keys + o, sizeof in->keys - o, "  %c %s", in->letters[i], q->choices[i].value);
	if (o < sizeof in->keys)
		snprintf(in->keys + o, sizeof in->keys - o, "  PgUp/PgDn scroll  F10 quit");
}

static void on_event(const struct engine_event *ev, void *arg)
{
	struct install *in = arg;
	const char *step = plan_step_key(ev->step);
	switch (ev->kind) {
	case ENGINE_EV_STEP_START:
		tui_log_add(in->log, "%s: started", step);
		break;
	case ENGINE_EV_STEP_SKIPPED:
		tui_log_add(in->log, "%s: done earlier", step);
		break;
	case ENGINE_EV_ACTION_END:
		/* One line, by the action's key (the review has its whole text), coloured by outcome. */
		if (ev->stopped)
			tui_log_add_role(in->log, TUI_WARN, "%s stopped by the operator (%.0f s)", ev->action ? ev->action : step,
			                 ev->seconds);
		else
			tui_log_add_role(in->log, ev->ok ? TUI_OK : TUI_ERROR, "%s %s (%.0f s)%s%s", ev->action ? ev->action : step,
			                 ev->ok ? "done" : "FAILED", ev->seconds, ev->detail && *ev->detail ? ": " : "",
			                 ev->detail ? ev->detail : "");
		break;
	case ENGINE_EV_INFO: {
		char line[1024];
		text_prefix(step, ev->text, line, sizeof line);   /* "minio: public IP", not "minio: minio: ..." */
		tui_log_add(in->log, "%s", line);
		break;
	}
	case ENGINE_EV_WARNING: {
		char line[1024];
		text_prefix(step, ev->text, line, sizeof line);
		tui_log_add_role(in->log, TUI_WARN, "warning: %s", line);
		break;
	}
	case ENGINE_EV_DEVICE_CODE:
		tui_log_add(in->log, "%s: sign in: %s", step, ev->text);
		break;
	case ENGINE_EV_QUESTION: {
		const struct engine_question *q = ev->question;
		in->serial = ev->serial;
		snprintf(in->question, sizeof in->question, "%s", q->text);
		if (in->choices)
			tui_choice_free(in->choices);
		tui_form_free(in->text);
		in->text = NULL;
		if (!q->nchoices) {
			in->text = tui_form_new();
			tui_form_add(in->text, plan_question(plan_q(q->answer))->label, COLS / 2, 1023, 0);
		}
		in->choices = tui_choice_new();
		for (size_t i = 0; i < q->nchoices && i < Q_CHOICES_MAX; i++)
			tui_choice_add(in->choices, q->choices[i].value, q->choices[i].detail);
		question_keys(in, q);
		tui_log_add(in->log, "%s: question: %s", step, q->text);
		break;
	}
	case ENGINE_EV_STEP_DONE:
		tui_log_add_role(in->log, TUI_OK, "%s: done (%.0f s)", step, ev->seconds);
		break;
	case ENGINE_EV_STEP_FAILED:
		tui_log_add_role(in->log, TUI_ERROR, "%s: failed: %s", step, ev->text);
		break;
	case ENGINE_EV_FINISHED:
		tui_timer_stop(&in->tick);
		in->finished = 1;
		in->done = 1;
		in->ok = ev->ok;
		in->question[0] = '\0';
		tui_log_add_role(in->log, ev->ok ? TUI_OK : TUI_ERROR, "install: %s", ev->text);
		char cmd[1024];
		struct engine_summary s = {0};
		if (in->eng)
			engine_summary(in->eng, &s);
		wizard_command(in->w, cmd, sizeof cmd);
		if (ev->ok && (size_t)in->last + 1 < plan_step_count())
			tui_log_add(in->log, "%s is done. The steps after it (%s to %s) were not asked for this time: "
			            "start the wizard again (`%s`) to go on; the plan and every answer are saved.",
			            plan_step_title(in->last), plan_step_key((step_id)(in->last + 1)),
			            plan_step_key((step_id)plan_step_count() - 1), cmd);
		else if (!ev->ok && s.stopped && !s.failed)
			tui_log_add(in->log, "stopped by the operator: Azure keeps creating what it had started; start the "
			            "wizard again (`%s`) to resume it", cmd);
		else if (!ev->ok)
			tui_log_add(in->log, "stopped: fix the cause, then start the wizard again (`%s`) to resume", cmd);
		break;
	default:
		break;
	}
}

/* After each turn of the loop, where the engine ran: a finished install is summed up and freed. */
static enum tui_event src_ready(void *ctx)
{
	struct install *in = ctx;
	if (!in->eng)
		return TUI_HANDLED;
	if (in->done) {
		struct engine_summary s;
		engine_summary(in->eng, &s);
		char stopped[64] = "";
		if (s.stopped)
			snprintf(stopped, sizeof stopped, "%d stopped by the operator, ", s.stopped);
		snprintf(in->summary, sizeof in->summary, "%d done, %d failed, %s%d not started, elapsed %d:%02d", s.done,
		         s.failed, stopped, s.waiting + s.blocked, (int)s.elapsed_s / 60, (int)s.elapsed_s % 60);
		engine_free(in->eng);
		in->eng = NULL;
		in->done = 0;
	}
	return TUI_REDRAW;
}

static void *install_init(struct wizard *w)
{
	struct install *in = calloc(1, sizeof *in);
	if (!in)
		return NULL;
	in->w = w;
	in->log = tui_log_new(1000);
	in->last = (step_id)plan_step_count() - 1;
	int until = w->opts->until ? plan_step_parse(w->opts->until) : -1;
	if (until >= 0 && (step_id)until < in->last)
		in->last = (step_id)until;   /* --until: install in stages */
	char err[1024];
	if (wizard_cloud(w, &in->cloud, err, sizeof err) != 0) {
		tui_log_add(in->log, "%s", err);
		in->finished = 1;
		return in;
	}
	/* A service principal's secret not sealed yet: asked for here, before anything starts. */
	if (wizard_needs_client_secret(w)) {
		enum tui_event ev = wizard_ask_client_secret(w);
		if (ev != TUI_NEXT) {
			tui_log_add(in->log, "nothing started: a service principal signs in with its client secret, "
			                     "and none was given (Esc goes back; confirming the review asks again)");
			in->finished = 1;
			return in;
		}
	}
	char command[PATH_MAX + 64];
	profile_command(w->prof, command, sizeof command);
	struct engine_config cfg = {
		.loop = w->loop, .cloud = &in->cloud, .ca_file = w->opts->ca_file, .answers = &w->ans, .st = w->st,
		.state_dir = w->prof->dir, .vault = w->v, .headless = 0, .on_event = on_event, .arg = in,
		.command = command, .table = steps_table(),
	};
	in->eng = engine_new(&cfg, err, sizeof err);
	if (!in->eng) {
		tui_log_add(in->log, "%s", err);
		in->finished = 1;
		return in;
	}
	tui_log_add(in->log, "installing: %s to %s", plan_step_key(0), plan_step_key(in->last));
	if (engine_start(in->eng, in->last, err, sizeof err) != 0) {
		tui_log_add(in->log, "%s", err);
		engine_free(in->eng);
		in->eng = NULL;
		in->finished = 1;
		return in;
	}
	tui_timer_start(&in->tick, 1000);
	return in;
}

static void clock_text(long long s, char *out, size_t n)
{
	snprintf(out, n, "%lld:%02lld", s / 60, s % 60);
}

/* The running actions, each on its own line with its clock; returns how many lines. */
static int draw_running(struct install *in, int y, int max)
{
	struct engine_action_view v;
	int lines = 0;
	for (size_t i = 0; in->eng && i < engine_action_count(in->eng) && lines < max; i++) {
		if (engine_action_at(in->eng, i, &v) != 0 || v.state != ACT_RUNNING)
			continue;
		char clock[16], line[512];
		long long secs = (loop_now_ms() - v.started_ms) / 1000;
		clock_text(secs, clock, sizeof clock);
		char usual[64] = "";
		/* started_ms is the operation's first start, also after a resume. */
		if (v.expect_s >= 60)
			snprintf(usual, sizeof usual, " (usually %d min%s)", (v.expect_s + 59) / 60,
			         secs > v.expect_s ? "; longer than usual" : "");
		/* The latest progress says most; the action's own text follows when there is room. */
		if (v.detail[0])
			snprintf(line, sizeof line, "%s: %s (%s)", plan_step_key(v.step), v.detail, v.text);
		else
			snprintf(line, sizeof line, "%s: %s", plan_step_key(v.step), v.text);
		int width = COLS - 4 - 8 - (int)strlen(usual);
		mvprintw(y + lines, 2, "%-*.*s %6s%s", width, width, line, clock, usual);
		lines++;
	}
	return lines;
}

static void install_draw(struct wizard *w, void *self)
{
	struct install *in = self;
	erase();
	int asking = in->question[0] != '\0';
	screen_frame(w, "install",
	             asking ? in->keys
	             : in->finished ? "Enter close  PgUp/PgDn scroll  F3 credentials  F10 quit"
	                            : "Esc stop (asks first)  PgUp/PgDn scroll  F3 credentials  F10 quit");
	int running = 0;
	struct engine_summary s = {0};
	if (in->eng) {
		engine_summary(in->eng, &s);
		running = s.running;
	}
	/* Asking: the whole question, wrapped, over a box with every choice (a long list scrolls). */
	int qlines = asking ? tui_wrap(NULL, 0, 0, COLS - 4, LINES / 4, in->question) : 0;
	int panel = asking ? qlines + 2 + (in->text ? tui_form_height(in->text) : tui_choice_count(in->choices))
	                   : running + 1;
	if (panel > LINES / 2)
		panel = LINES / 2;
	int h = LINES - 5 - panel;
	tui_log_draw(in->log, 2, 1, h, COLS - 2);
	int y = 2 + h;
	if (asking) {
		attr_t a = tui_attr(TUI_WARN);
		attron(a);
		tui_wrap(stdscr, y, 2, COLS - 4, qlines, in->question);
		attroff(a);
		if (in->text) {
			tui_form_draw(in->text, y + qlines, 2, true);
			return;
		}
		tui_choice_draw(in->choices, y + qlines, 2, panel - qlines, COLS - 4, true);
		return;
	}
	if (in->eng) {
		int n = draw_running(in, y, panel - 1);
		char el[16], ex[64] = "";
		clock_text((long long)s.elapsed_s, el, sizeof el);
		if (s.expected_s > 0)
			snprintf(ex, sizeof ex, ", about %d min left", (int)(s.expected_s + 59) / 60);
		mvprintw(y + n, 2, "%d running, %d done, %d failed, %d waiting, elapsed %s%s", s.running, s.done, s.failed,
		         s.waiting + s.blocked, el, ex);
	} else if (in->finished) {
		attr_t a = tui_attr(in->ok ? TUI_OK : TUI_ERROR);
		attron(a);
		mvprintw(y, 2, "%s: %.*s", in->ok ? "finished" : "stopped", COLS - 16,
		         in->summary[0] ? in->summary : "see the lines above");
		attroff(a);
	}
}

static enum tui_event install_key(struct wizard *w, void *self, int key)
{
	struct install *in = self;
	int enter = key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER);
	if (in->question[0] && in->eng) {
		/* A choice's letter (y/n, c/s) answers it directly. */
		for (int k = 0; key > 0 && key < 128 && k < tui_choice_count(in->choices) && k < Q_CHOICES_MAX; k++)
			if (in->letters[k] && in->letters[k] == key) {
				tui_choice_select(in->choices, k);
				enter = 1;
			}
		if (enter) {
			char value[1024], why[512];
			int i = tui_choice_selected(in->choices);
			if (in->text)
				tui_form_get(in->text, 0, value, sizeof value);
			else if (i >= 0)
				snprintf(value, sizeof value, "%s", tui_choice_name(in->choices, i));
			else
				return TUI_HANDLED;
			/* A refused answer (a path that is no readable file) leaves the question open. */
			if (engine_answer(in->eng, in->serial, value, why, sizeof why) != 0) {
				screen_say(w, 1, "%s", why);
				return TUI_REDRAW;
			}
			w->msg[0] = '\0';
			tui_log_add(in->log, "answer: %s", value);
			in->question[0] = '\0';
			tui_form_free(in->text);
			in->text = NULL;
			return TUI_REDRAW;
		}
		enum tui_event ev = in->text ? key == TUI_ESC ? TUI_IGNORED : tui_form_key(in->text, key)
		                             : tui_choice_key(in->choices, key);
		if (ev != TUI_IGNORED)
			return ev;
	}
	if (in->finished && enter)
		return TUI_NEXT;
	if (!in->finished && in->eng && key == TUI_ESC) {
		/* Esc is "back" everywhere else: a stray one must not stop an install; No is the default. */
		int yes = tui_confirm("Stop the install", "Stop the install here? Azure keeps creating what it has "
		                                          "started; starting the wizard again resumes it.");
		if (yes < 0)
			return TUI_SIGNAL;
		if (yes && in->eng) {
			tui_log_add(in->log, "install: stopped by the operator");
			engine_cancel(in->eng);
		}
		return TUI_REDRAW;
	}
	if (in->finished && key == TUI_ESC)
		return TUI_BACK;
	return tui_log_key(in->log, key);
}

static void install_fini(struct wizard *w, void *self)
{
	(void)w;
	struct install *in = self;
	if (in->eng) {
		engine_cancel(in->eng);
		engine_free(in->eng);
	}
	tui_timer_stop(&in->tick);
	if (in->choices)
		tui_choice_free(in->choices);
	tui_form_free(in->text);
	tui_log_free(in->log);
	free(in);
}

/* Leaving stops what runs here; the dialog says what that leaves running in Azure. */
static void install_quit_note(struct wizard *w, void *self, char *out, size_t outlen)
{
	struct install *in = self;
	struct engine_summary s = {0};
	if (in->eng)
		engine_summary(in->eng, &s);
	if (in->eng && !in->finished) {
		char names[256] = "";
		struct engine_action_view v;
		size_t o = 0;
		int shown = 0;
		for (size_t i = 0; i < engine_action_count(in->eng) && o < sizeof names; i++)
			if (engine_action_at(in->eng, i, &v) == 0 && v.state == ACT_RUNNING && shown++ < 3)
				o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "", v.key);
		if (s.running > 0)
			snprintf(out, outlen, "Leave the wizard? The install stops here: %d running (%s%s) end as stopped by "
			         "the operator. Azure keeps creating what it has started; starting the wizard again resumes it.",
			         s.running, names, s.running > 3 ? ", ..." : "");
		else
			snprintf(out, outlen, "Leave the wizard? The install stops here, between actions; starting the wizard "
			         "again resumes it.");
		return;
	}
	/* Finished: an operation the install stopped waiting for (its deadline) is still Azure's. */
	int ops = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, w->st->resources)
		ops += cJSON_GetObjectItemCaseSensitive(it, "operation") != NULL;
	if (ops)
		snprintf(out, outlen, "Leave the wizard? The install has ended; Azure still works on %d operation%s it "
		         "stopped waiting for (status lists them); starting the wizard again polls %s.", ops,
		         ops == 1 ? "" : "s", ops == 1 ? "it" : "them");
	else
		snprintf(out, outlen, "Leave the wizard? The install has ended: nothing of it keeps running in Azure.");
}

static struct tui_source *install_sources(void *self, int *n)
{
	struct install *in = self;
	in->sources[0] = (struct tui_source){src_ready, in};
	*n = 1;
	return in->sources;
}

const struct screen screen_install = {
	.name = "install",
	.init = install_init,
	.draw = install_draw,
	.key = install_key,
	.validate = NULL,
	.fini = install_fini,
	.sources = install_sources,
	.quit_note = install_quit_note,
};
