/* tui/loop.c: the event loop, frames, resize, "terminal too small", timers. */
#include "tui/tui.h"
#include "tui/tui_int.h"

#include <errno.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 8
#define MAX_FDS 64
#define MAX_SOURCES 32

static struct tui_app *stack[MAX_DEPTH];
static int depth;
static WINDOW *input; /* keys are read here: never modified, so wget_wch never refreshes */
static bool cursor_wanted;
static int cursor_y, cursor_x;
static bool invalid;
static int empty_wakes; /* wakes with "input ready" but no key: see stdin_gone */

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

enum tui_event tui_run(struct tui_app *app)
{
	struct pollfd pfd[MAX_FDS];
	int off[MAX_SOURCES], cnt[MAX_SOURCES];
	struct tui_source *src[MAX_SOURCES];
	enum tui_event ev = TUI_HANDLED;
	bool dirty = true;

	if (!tui_active())
		return TUI_SIGNAL;
	if (depth == MAX_DEPTH)
		tui_fatal("screens nested more than %d deep", MAX_DEPTH);
	loop_setup();
	stack[depth++] = app;
	while (ev < TUI_NEXT) {
		if (dirty || invalid)
			frame();
		dirty = false;

		int n = 2, ns = 0, timeout = -1;
		pfd[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = tui_sig_fd(), .events = POLLIN};
		for (int d = 0; d < depth; d++)
			for (int i = 0; i < stack[d]->nsources && ns < MAX_SOURCES; i++, ns++) {
				src[ns] = &stack[d]->sources[i];
				off[ns] = n;
				cnt[ns] = src[ns]->fds(src[ns]->ctx, pfd + n, MAX_FDS - n, &timeout);
				n += cnt[ns];
			}
		/* A scripted key is taken after this turn's poll, which then must not wait. */
		int skey = tui_script_key(&timeout);
		if (skey >= 0)
			timeout = 0;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			tui_fatal("poll: %s", strerror(errno));

		bool resized = false;
		if (tui_sig_take(&resized)) {
			ev = TUI_SIGNAL;
			break;
		}
		if (resized) {
			resize();
			dirty = true;
		}
		if (pfd[0].revents) {
			int nkeys;
			ev = drain_keys(&nkeys);
			if (ev == TUI_REDRAW)
				dirty = true;
			else if (nkeys == 0 && stdin_gone(pfd[0].revents)) {
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
		for (int s = 0; s < ns && ev < TUI_NEXT; s++) {
			ev = src[s]->ready(src[s]->ctx, pfd + off[s], cnt[s]);
			if (ev == TUI_REDRAW)
				dirty = true;
		}
	}
	depth--;
	if (ev == TUI_SIGNAL) {
		depth = 0; /* the terminal is gone or the user asked to stop: unwind every level */
		tui_end();
	}
	return ev;
}

/* Timers: fds() only lowers the timeout; ready() fires at most once per period. */
static int timer_fds(void *ctx, struct pollfd *out, int max, int *timeout_ms)
{
	struct tui_timer *t = ctx;
	(void)out, (void)max;
	if (t->on) {
		long left = t->next_ms - tui_now_ms();
		if (left < 0)
			left = 0;
		if (*timeout_ms < 0 || left < *timeout_ms)
			*timeout_ms = (int)left;
	}
	return 0;
}

static enum tui_event timer_ready(void *ctx, const struct pollfd *fds, int n)
{
	struct tui_timer *t = ctx;
	long now = tui_now_ms();
	(void)fds, (void)n;
	if (!t->on || now < t->next_ms)
		return TUI_HANDLED;
	t->next_ms += t->period_ms;
	if (t->next_ms <= now) /* we slept through several periods: do not catch up in a burst */
		t->next_ms = now + t->period_ms;
	return TUI_REDRAW;
}

void tui_timer_start(struct tui_timer *t, long period_ms)
{
	t->period_ms = period_ms > 0 ? period_ms : 1;
	t->next_ms = tui_now_ms() + t->period_ms;
	t->on = true;
}

void tui_timer_stop(struct tui_timer *t) { t->on = false; }

struct tui_source tui_timer_source(struct tui_timer *t)
{
	return (struct tui_source){.fds = timer_fds, .ready = timer_ready, .ctx = t};
}
