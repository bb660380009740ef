/* tui/progress.c: progress bar with elapsed time, and the title and key help lines. */
#include "tui/widgets.h"
#include "core/sys/loop.h"

#include <stdio.h>
#include <string.h>

void tui_progress_start(struct tui_progress *p)
{
	p->start_ms = loop_now_ms();
	p->stop_ms = 0;
	p->percent = 0;
	p->deadline_ms = 0;
	p->running = true;
	tui_timer_start(&p->tick, 1000);
}

void tui_progress_set(struct tui_progress *p, int percent)
{
	p->percent = percent < 0 ? 0 : percent > 100 ? 100 : percent;
}

void tui_progress_countdown(struct tui_progress *p, long seconds)
{
	p->deadline_ms = loop_now_ms() + seconds * 1000;
}

void tui_progress_stop(struct tui_progress *p)
{
	if (!p->running)
		return;
	p->running = false;
	p->stop_ms = loop_now_ms();
	tui_timer_stop(&p->tick);
}

long tui_progress_elapsed(const struct tui_progress *p)
{
	if (p->start_ms == 0)
		return 0;
	return (long)(((p->running ? loop_now_ms() : p->stop_ms) - p->start_ms) / 1000);
}

int tui_progress_format(const struct tui_progress *p, int width, char *out, size_t n)
{
	char tail[32];
	long s = tui_progress_elapsed(p);
	int percent = p->percent;
	if (p->deadline_ms) {
		long long now = p->running ? loop_now_ms() : p->stop_ms;
		long left = (long)((p->deadline_ms - now + 999) / 1000);
		long total = (long)((p->deadline_ms - p->start_ms) / 1000);
		left = left < 0 ? 0 : left;
		percent = total > 0 ? (int)((total - left) * 100 / total) : 100;
		snprintf(tail, sizeof tail, "] expires in %ld:%02ld", left / 60, left % 60);
	} else if (s >= 3600)
		snprintf(tail, sizeof tail, "] %3d%%  %ld:%02ld:%02ld", p->percent, s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(tail, sizeof tail, "] %3d%%  %02ld:%02ld", p->percent, s / 60, s % 60);
	int bar = width - 1 - (int)strlen(tail);
	if (bar < 1)
		bar = 1;
	if ((size_t)bar + strlen(tail) + 2 > n)
		bar = (int)(n - strlen(tail) - 2);
	int done = bar * percent / 100;
	char *o = out;
	*o++ = '[';
	memset(o, '#', (size_t)done);
	memset(o + done, '.', (size_t)(bar - done));
	o += bar;
	strcpy(o, tail);
	return (int)(o - out) + (int)strlen(tail);
}

void tui_progress_draw(const struct tui_progress *p, int y, int x, int width)
{
	char line[512];
	int w = width < (int)sizeof line - 1 ? width : (int)sizeof line - 1;
	tui_progress_format(p, w, line, sizeof line);
	attrset(p->running ? tui_attr(TUI_NORMAL) : tui_attr(TUI_OK));
	mvaddnstr(y, x, line, width);
	attrset(A_NORMAL);
}

void tui_title_draw(const char *title)
{
	attrset(tui_attr(TUI_TITLE));
	mvaddnstr(0, 1, title, COLS - 2);
	attrset(A_NORMAL);
}

/* "F1 help  Tab next": each key name stands out from what it does. */
void tui_help_draw(const char *keys)
{
	attr_t help = tui_attr(TUI_HELP);
	attrset(help);
	mvhline(LINES - 1, 0, ' ', COLS);
	move(LINES - 1, 1);
	bool name = true;
	for (const char *p = keys; *p && getcurx(stdscr) < COLS - 1; p++) {
		if (*p == ' ')
			name = p[1] == ' ' || (p > keys && p[-1] == ' ');
		attrset(name && *p != ' ' ? help | A_BOLD : help);
		addch((unsigned char)*p);
	}
	attrset(A_NORMAL);
}
