/* tui/loop.c: the TUI's turns of the one event loop (core/sys/loop.h), frames, resize,
 * "terminal too small", timers. */
#include "tui/tui.h"
#include "tui/tui_int.h"
#include "core/sys/loop.h"

#include <errno.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 8

static struct tui_app *stack[MAX_DEPTH];
static int depth;
static WINDOW *input; /* keys are read here: never modified, so wget_wch never refreshes */
static bool cursor_wanted;
static int cursor_y, cursor_x;
static bool invalid;
static int empty_wakes; /* wakes with "input ready" but no key: see stdin_gone */
static struct loop *loop;    /* the process's one loop: the keys, the signal pipe, timers, the install */
static short stdin_revents;  /* what this turn's poll said about the keyboard */
static bool ticked;          /* a tui_timer fired this turn */

void tui_set_loop(struct loop *l) { loop = l; }

/* Once the terminal is up, at the first tui_run: the input window (kept for the process,
 * like the screen) and the script. */
static void loop_setup(void)
{
	if (!input)
		input = newwin(1, 1, 0, 0);
	if (!input)
		tui_fatal("cannot create the input window");
	keypad(input, TRUE);
	nodelay(input, TRUE);
	untouchwin(input);
	tui_script_setup();
}

void tui_invalidate(void) { invalid = true; }

void tui_cursor_at(int y, int x)
{
	cursor_wanted = true;
	cursor_y = y;
	cursor_x = x;
}

static bool too_small(void) { return COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES; }

/* The one place that handles a new terminal size (SIGWINCH or KEY_RESIZE). resize_term, not
 * resizeterm: that one queues a KEY_RESIZE, which would bring us back here forever. */
static void resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	invalid = true;
}

static void draw_too_small(void)
{
	char msg[80];
	int n = snprintf(msg, sizeof msg, "terminal too small: need %dx%d, have %dx%d",
	                 TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
	int x = COLS > n ? (COLS - n) / 2 : 0;
	attrset(tui_attr(TUI_ERROR));
	mvaddnstr(LINES / 2, x, msg, COLS - x);
	attrset(A_NORMAL);
}

/* Every frame repaints everything: panels hide, each app shows the widgets it draws.
 * curses sends only the difference, so this costs little on the wire. */
static void frame(void)
{
	PANEL *p;
	while ((p = panel_above(NULL)) != NULL)
		hide_panel(p);
	werase(stdscr);
	cursor_wanted = false;
	if (too_small()) {
		draw_too_small();
	} else {
		for (int i = 0; i < depth; i++)
			stack[i]->draw(stack[i]->ctx);
	}
	if (invalid)
		clearok(curscr, TRUE);
	invalid = false;
	update_panels();
	if (cursor_wanted) {
		curs_set(1);
		setsyx(cursor_y, cursor_x);
	} else {
		curs_set(0);
	}
	doupdate();
	tui_script_frame();
}

/* One key to the top app; returns an ending event or TUI_REDRAW. */
static enum tui_event take_key(int key)
{
	struct tui_app *top = stack[depth - 1];
	enum tui_event ev;
	if (too_small())
		ev = key == 'q' || key == TUI_KEY(KEY_F(10)) ? TUI_QUIT : TUI_HANDLED;
	else
		ev = top->key(top->ctx, key);
	if (!tui_active())
		return TUI_SIGNAL; /* a nested loop ended by a signal restored the terminal */
	return ev >= TUI_NEXT ? ev : TUI_REDRAW; /* every key may have changed what is shown */
}

/* Reads every pending key; returns an ending event, or TUI_REDRAW/TUI_HANDLED. While a
 * script runs, keys other than a resize are read and dropped. */
static enum tui_event drain_keys(int *nkeys)
{
	enum tui_event out = TUI_HANDLED;
	wint_t wch;
	int r;
	*nkeys = 0;
	while ((r = wget_wch(input, &wch)) != ERR) {
		int key = r == KEY_CODE_YES ? TUI_KEY((int)wch) : (int)wch;
		++*nkeys;
		empty_wakes = 0;
		if (key == TUI_KEY(KEY_RESIZE)) {
			resize();
			out = TUI_REDRAW;
			continue;
		}
		if (tui_script_running())
			continue;
		enum tui_event ev = take_key(key);
		if (ev >= TUI_NEXT)
			return ev;
		out = TUI_REDRAW;
	}
	return out;
}

/* True when the terminal is gone: poll says hangup, or input keeps being "ready" with nothing
 * in it (EOF). Three empty wakes in a row, as one may be a half-read UTF-8 sequence. */
static bool stdin_gone(short revents)
{
	int avail = 0;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	if ((revents & POLLIN) && ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail == 0)
		return ++empty_wakes >= 3;
	empty_wakes = 0;
	return false;
}

static void on_stdin(int fd, short revents, void *arg)
{
	(void)fd, (void)arg;
	stdin_revents |= revents;
}

/* The signal pipe only has to end the wait: tui_sig_take reads what arrived. */
static void on_signal_pipe(int fd, short revents, void *arg) { (void)fd, (void)revents, (void)arg; }

enum tui_event tui_run(struct tui_app *app)
{
	enum tui_event ev = TUI_HANDLED;
	bool dirty = true;

	if (!tui_active())
		return TUI_SIGNAL;
	if (!loop)
		tui_fatal("no event loop (tui_set_loop)");
	if (depth == MAX_DEPTH)
		tui_fatal("screens nested more than %d deep", MAX_DEPTH);
	loop_setup();
	if (depth == 0 && (loop_watch(loop, STDIN_FILENO, POLLIN, on_stdin, NULL) != 0 ||
	                   loop_watch(loop, tui_sig_fd(), POLLIN, on_signal_pipe, NULL) != 0))
		tui_fatal("out of memory");
	stack[depth++] = app;
	while (ev < TUI_NEXT) {
		if (dirty || invalid)
			frame();
		dirty = false;

		/* A scripted key is taken after this turn, which then must not wait. */
		int timeout = -1;
		int skey = tui_script_key(&timeout);
		if (skey >= 0)
			timeout = 0;
		stdin_revents = 0;
		ticked = false;
		if (loop_once(loop, timeout) < 0)
			tui_fatal("poll: %s", strerror(errno));

		bool resized = false;
		if (tui_sig_take(&resized)) {
			ev = TUI_SIGNAL;
			break;
		}
		if (resized || ticked)
			dirty = true;
		if (resized)
			resize();
		if (stdin_revents) {
			int nkeys;
			ev = drain_keys(&nkeys);
			if (ev == TUI_REDRAW)
				dirty = true;
			else if (nkeys == 0 && stdin_gone(stdin_revents)) {
				tui_sig_hangup();
				ev = TUI_SIGNAL;
			}
			if (ev >= TUI_NEXT)
				break;
		}
		if (skey >= 0) {
			ev = take_key(skey);
			if (ev >= TUI_NEXT)
				break;
			dirty = true;
		}
		/* What the loop's callbacks changed for each app, outer ones too. */
		for (int d = 0; d < depth && ev < TUI_NEXT; d++)
			for (int i = 0; i < stack[d]->nsources && ev < TUI_NEXT; i++) {
				struct tui_source *src = &stack[d]->sources[i];
				ev = src->ready(src->ctx);
				if (ev == TUI_REDRAW)
					dirty = true;
			}
	}
	depth--;
	if (ev == TUI_SIGNAL)
		depth = 0; /* the terminal is gone or the user asked to stop: unwind every level */
	if (depth == 0) {
		loop_unwatch(loop, STDIN_FILENO);
		loop_unwatch(loop, tui_sig_fd());
	}
	if (ev == TUI_SIGNAL)
		tui_end();
	return ev;
}

/* Timers: a loop timer while started, re-armed each period; a firing asks for a frame. */
static void timer_fire(void *arg)
{
	struct tui_timer *t = arg;
	long long now = loop_now_ms();
	t->id = 0;
	ticked = true;
	t->next_ms += t->period_ms;
	if (t->next_ms <= now) /* we slept through several periods: do not catch up in a burst */
		t->next_ms = now + t->period_ms;
	t->id = loop_after(loop, (long)(t->next_ms - now), timer_fire, t);
}

void tui_timer_start(struct tui_timer *t, long period_ms)
{
	tui_timer_stop(t);
	t->period_ms = period_ms > 0 ? period_ms : 1;
	t->next_ms = loop_now_ms() + t->period_ms;
	t->id = loop ? loop_after(loop, t->period_ms, timer_fire, t) : 0;
}

void tui_timer_stop(struct tui_timer *t)
{
	if (t->id && loop)
		loop_cancel(loop, t->id);
	t->id = 0;
}
