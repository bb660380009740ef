/* tui/logpane.c: a scrolling pane over a ring buffer of the last N lines. */
#include "tui/widgets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_log {
	char **lines;
	int cap, count, head; /* head: where the next line goes */
	int scroll;           /* lines back from the end; 0 follows new lines */
	int page;             /* height at the last draw, for PgUp/PgDn */
	int wrap;             /* columns to wrap added lines at; 0: never */
};

struct tui_log *tui_log_new(int capacity)
{
	struct tui_log *l = calloc(1, sizeof *l);
	if (!l || !(l->lines = calloc((size_t)(capacity > 0 ? capacity : 1), sizeof *l->lines)))
		tui_fatal("out of memory");
	l->cap = capacity > 0 ? capacity : 1;
	l->page = 10;
	return l;
}

void tui_log_add(struct tui_log *l, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		tui_fatal("out of memory");
	/* Remote output may carry escapes and tabs: a control byte must not move the cursor. */
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = *p == '\t' ? ' ' : '?';
	/* Wrapped at spaces; continuation rows are indented so a long line reads as one. */
	const char *rest = s;
	int indent = 0;
	for (;;) {
		int room = l->wrap > 0 ? l->wrap - indent : 0;
		int len = (int)strlen(rest);
		int cut = len;
		if (room > 8 && len > room) {
			cut = room;
			while (cut > room / 2 && rest[cut] != ' ')
				cut--;
			if (rest[cut] != ' ')
				cut = room;
		}
		char *row;
		if (asprintf(&row, "%*s%.*s", indent, "", cut, rest) < 0)
			tui_fatal("out of memory");
		free(l->lines[l->head]);
		l->lines[l->head] = row;
		l->head = (l->head + 1) % l->cap;
		if (l->count < l->cap)
			l->count++;
		if (l->scroll > 0)
			l->scroll++; /* a reader who scrolled back keeps looking at the same lines */
		rest += cut;
		while (*rest == ' ')
			rest++;
		if (!*rest)
			break;
		indent = 4;
	}
	free(s);
}

void tui_log_wrap(struct tui_log *l, int width)
{
	l->wrap = width;
}

int tui_log_count(const struct tui_log *l) { return l->count; }

const char *tui_log_line(const struct tui_log *l, int i)
{
	if (i < 0 || i >= l->count)
		return NULL;
	return l->lines[(l->head - l->count + i + l->cap) % l->cap];
}

static void clamp(struct tui_log *l)
{
	int max = l->count - l->page;
	if (l->scroll > max)
		l->scroll = max;
	if (l->scroll < 0)
		l->scroll = 0;
}

enum tui_event tui_log_key(struct tui_log *l, int key)
{
	switch (key) {
	case TUI_KEY(KEY_PPAGE): l->scroll += l->page - 1; break;
	case TUI_KEY(KEY_NPAGE): l->scroll -= l->page - 1; break;
	case TUI_KEY(KEY_HOME): l->scroll = l->count; break;
	case TUI_KEY(KEY_END): l->scroll = 0; break;
	default: return TUI_IGNORED;
	}
	clamp(l);
	return TUI_REDRAW;
}

void tui_log_draw(struct tui_log *l, int y, int x, int height, int width)
{
	if (height < 1 || width < 1)
		return;
	l->page = height;
	clamp(l);
	int first = l->count - l->scroll - height;
	if (first < 0)
		first = 0;
	for (int r = 0; r < height && first + r < l->count - l->scroll; r++)
		mvaddnstr(y + r, x, tui_log_line(l, first + r), width);
	if (l->scroll > 0) {
		char more[32];
		int n = snprintf(more, sizeof more, " +%d more ", l->scroll);
		attrset(tui_attr(TUI_WARN));
		mvaddstr(y + height - 1, x + width - n, more);
		attrset(A_NORMAL);
	}
}

void tui_log_free(struct tui_log *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->cap; i++)
		free(l->lines[i]);
	free(l->lines);
	free(l);
}
