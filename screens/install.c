/* The install screen: after the review, runs the steps this version implements, in order,
 * with a line per operation and its elapsed time. Where the operator must decide (register
 * resource providers) it asks here. Steps done earlier are skipped; an operation left in
 * flight by a crash is polled again, never sent twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/cloud.h"
#include "core/engine/engine.h"
#include "screens/screen.h"
#include "tui/widgets.h"

struct install {
	struct wizard *w;
	struct cloud cloud;
	struct engine *eng;
	struct tui_log *log;
	struct tui_progress op;
	char current[256];
	char consent[512];        /* providers to register, while the engine waits for a yes */
	int finished, ok, done;
	step_id last;             /* the last step this version implements */
	struct tui_source sources[2];
};

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
	case ENGINE_EV_OP_BEGIN:
		snprintf(in->current, sizeof in->current, "%s: %s", step, ev->text);
		tui_progress_start(&in->op);
		break;
	case ENGINE_EV_OP_END:
		tui_progress_stop(&in->op);
		in->current[0] = '\0';
		tui_log_add(in->log, "%s: %s ... %s (%.0f s)", step, ev->text, ev->ok ? ev->detail : "failed",
		            ev->seconds);
		if (!ev->ok && ev->detail)
			tui_log_add(in->log, "    %s", ev->detail);
		break;
	case ENGINE_EV_INFO:
		tui_log_add(in->log, "%s: %s", step, ev->text);
		break;
	case ENGINE_EV_WARNING:
		tui_log_add(in->log, "%s: warning: %s", step, ev->text);
		break;
	case ENGINE_EV_DEVICE_CODE:
		tui_log_add(in->log, "%s: sign in: %s", step, ev->text);
		break;
	case ENGINE_EV_CHOOSE_SUBSCRIPTION:
		/* Chosen on the Subscription screen already. */
		if (engine_choose_subscription(in->eng, answers_get(&in->w->ans, Q_SUBSCRIPTION)) != 0)
			engine_cancel(in->eng);
		break;
	case ENGINE_EV_CONSENT_PROVIDERS: {
		size_t o = 0;
		in->consent[0] = '\0';
		for (size_t i = 0; i < ev->nnames && o < sizeof in->consent; i++)
			o += (size_t)snprintf(in->consent + o, sizeof in->consent - o, "%s%s", i ? ", " : "",
			                      ev->names[i]);
		break;
	}
	case ENGINE_EV_STEP_DONE:
		tui_log_add(in->log, "%s: done (%.0f s)", step, ev->seconds);
		break;
	case ENGINE_EV_STEP_FAILED:
		tui_log_add(in->log, "%s: failed: %s", step, ev->text);
		break;
	case ENGINE_EV_FINISHED:
		tui_progress_stop(&in->op);
		in->finished = 1;
		in->done = 1;
		in->ok = ev->ok;
		in->consent[0] = '\0';
		if (ev->ok && in->last + 1 < STEP_COUNT)
			tui_log_add(in->log, "%s is done. The steps after it (%s to %s) are not in this "
			            "version yet: the plan and every answer are saved for them.",
			            plan_step_title(in->last), plan_step_key((step_id)(in->last + 1)),
			            plan_step_key(STEP_COUNT - 1));
		else if (!ev->ok)
			tui_log_add(in->log, "stopped: fix the cause, then start the wizard again to resume");
		break;
	default:
		break;
	}
}

static int src_fds(void *ctx, struct pollfd *out, int max, int *timeout_ms)
{
	struct install *in = ctx;
	return in->eng ? engine_fds(in->eng, out, max, timeout_ms) : 0;
}

static enum tui_event src_ready(void *ctx, const struct pollfd *fds, int n)
{
	struct install *in = ctx;
	if (!in->eng)
		return TUI_HANDLED;
	engine_ready(in->eng, fds, n);
	if (in->done) {
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
	tui_log_wrap(in->log, COLS - 3);
	in->last = STEP_SUBSCRIPTION;
	for (int s = 0; s < STEP_COUNT && engine_step_available((step_id)s); s++)
		in->last = (step_id)s;
	char err[1024];
	if (wizard_cloud(w, &in->cloud, err, sizeof err) != 0) {
		tui_log_add(in->log, "%s", err);
		in->finished = 1;
		return in;
	}
	struct engine_config cfg = {
		.cloud = &in->cloud, .ca_file = w->opts->ca_file, .answers = &w->ans, .st = w->st,
		.state_dir = w->prof->dir, .vault = w->v, .headless = 0, .on_event = on_event, .arg = in,
	};
	in->eng = engine_new(&cfg, err, sizeof err);
	if (!in->eng) {
		tui_log_add(in->log, "%s", err);
		in->finished = 1;
		return in;
	}
	tui_log_add(in->log, "installing: %s to %s", plan_step_key(STEP_SUBSCRIPTION), plan_step_key(in->last));
	engine_start(in->eng, in->last);
	return in;
}

static void install_draw(struct wizard *w, void *self)
{
	struct install *in = self;
	erase();
	screen_frame(w, "install",
	             in->consent[0] ? "y register them  n stop  PgUp/PgDn scroll  F10 quit"
	             : in->finished ? "Enter close  PgUp/PgDn scroll  F3 credentials  F10 quit"
	                            : "Esc stop  PgUp/PgDn scroll  F3 credentials  F10 quit");
	int h = LINES - 8;
	tui_log_draw(in->log, 2, 1, h, COLS - 2);
	int y = 2 + h + 1;
	if (in->consent[0]) {
		attr_t a = tui_attr(TUI_WARN);
		attron(a);
		mvprintw(y, 2, "Register these resource providers in the subscription? (y/n)");
		mvprintw(y + 1, 4, "%.*s", COLS - 6, in->consent);
		attroff(a);
	} else if (in->current[0]) {
		mvprintw(y, 2, "%.*s", COLS - 4, in->current);
		tui_progress_draw(&in->op, y + 1, 2, COLS - 4);
	} else if (in->finished) {
		attr_t a = tui_attr(in->ok ? TUI_OK : TUI_ERROR);
		attron(a);
		mvaddstr(y, 2, in->ok ? "finished: every step of this version is done"
		                      : "stopped: see the lines above");
		attroff(a);
	}
}

static enum tui_event install_key(struct wizard *w, void *self, int key)
{
	(void)w;
	struct install *in = self;
	if (in->consent[0] && (key == 'y' || key == 'n')) {
		in->consent[0] = '\0';
		tui_log_add(in->log, "provider registration: %s", key == 'y' ? "yes" : "no");
		engine_consent(in->eng, key == 'y');
		return TUI_REDRAW;
	}
	if (in->finished && (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER)))
		return TUI_NEXT;
	if (!in->finished && in->eng && key == TUI_ESC) {
		engine_cancel(in->eng);
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
	tui_progress_stop(&in->op);
	tui_log_free(in->log);
	free(in);
}

static struct tui_source *install_sources(void *self, int *n)
{
	struct install *in = self;
	in->sources[0] = (struct tui_source){src_fds, src_ready, in};
	in->sources[1] = tui_progress_source(&in->op);
	*n = 2;
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
};
