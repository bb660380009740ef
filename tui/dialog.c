/* tui/dialog.c: confirm (yes/no) and message boxes, as a panel over the current screen. */
#include "tui/widgets.h"

#include <panel.h>
#include <string.h>

struct dialog {
	const char *title, *text;
	bool ask;  /* yes/no, or just OK */
	bool yes;  /* the focused button */
	WINDOW *win;
	PANEL *panel;
};

static void dialog_draw(void *ctx)
{
	struct dialog *d = ctx;
	int w = COLS - 8 < 60 ? COLS - 8 : 60;
	int h = tui_wrap(NULL, 0, 0, w - 4, LINES, d->text) + 5;
	if (h > LINES - 2)
		h = LINES - 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	if (d->win && (getmaxy(d->win) != h || getmaxx(d->win) != w)) {
		del_panel(d->panel);
		delwin(d->win);
		d->win = NULL;
	}
	if (!d->win) {
		if (!(d->win = newwin(h, w, y, x)) || !(d->panel = new_panel(d->win)))
			tui_fatal("cannot create a dialog");
	} else {
		move_panel(d->panel, y, x);
	}
	werase(d->win);
	wattrset(d->win, tui_attr(TUI_TITLE));
	box(d->win, 0, 0);
	mvwprintw(d->win, 0, 2, " %.*s ", w - 6, d->title);
	wattrset(d->win, tui_attr(TUI_NORMAL));
	tui_wrap(d->win, 2, 2, w - 4, h - 5, d->text);
	if (d->ask) {
		wattrset(d->win, d->yes ? tui_attr(TUI_SELECTED) : A_NORMAL);
		mvwaddstr(d->win, h - 2, w / 2 - 10, "[ Yes ]");
		wattrset(d->win, d->yes ? A_NORMAL : tui_attr(TUI_SELECTED));
		mvwaddstr(d->win, h - 2, w / 2 + 3, "[ No ]");
	} else {
		wattrset(d->win, tui_attr(TUI_SELECTED));
		mvwaddstr(d->win, h - 2, w / 2 - 3, "[ OK ]");
	}
	wattrset(d->win, A_NORMAL);
	show_panel(d->panel);
}

static enum tui_event dialog_key(void *ctx, int key)
{
	struct dialog *d = ctx;
	switch (key) {
	case 'y': case 'Y':
		if (d->ask) {
			d->yes = true;
			return TUI_NEXT;
		}
		return TUI_HANDLED;
	case 'n': case 'N': case TUI_ESC:
		d->yes = false;
		return TUI_BACK;
	case '\r': case '\n': case TUI_KEY(KEY_ENTER): case ' ':
		return d->yes || !d->ask ? TUI_NEXT : TUI_BACK;
	case '\t': case TUI_KEY(KEY_LEFT): case TUI_KEY(KEY_RIGHT): case TUI_KEY(KEY_BTAB):
		d->yes = !d->yes;
		return TUI_REDRAW;
	case TUI_KEY(KEY_F(10)):
		return TUI_QUIT;
	default:
		return TUI_HANDLED;
	}
}

static enum tui_event dialog_run(struct dialog *d)
{
	struct tui_app app = {.draw = dialog_draw, .key = dialog_key, .ctx = d};
	enum tui_event ev = tui_run(&app);
	if (d->panel)
		del_panel(d->panel);
	if (d->win)
		delwin(d->win);
	return ev;
}

int tui_confirm(const char *title, const char *question)
{
	/* No is the default: a stray Enter must not start anything. */
	struct dialog d = {.title = title, .text = question, .ask = true, .yes = false};
	enum tui_event ev = dialog_run(&d);
	if (ev == TUI_SIGNAL)
		return -1;
	return ev == TUI_NEXT;
}

int tui_message(const char *title, const char *text)
{
	struct dialog d = {.title = title, .text = text, .ask = false};
	return dialog_run(&d) == TUI_SIGNAL ? -1 : 0;
}
