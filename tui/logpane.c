/* tui/logpane.c: a scrolling pane over a ring buffer of the last N entries. Entries are kept
 * whole and wrapped when drawn, so a resize re-flows them to the new width. */
#include "tui/widgets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct tui_log {
	char **lines;
	enum tui_role *roles;
	int cap, count, head; /* head: where the next entry goes */
	int scroll;           /* rows back from the end; 0 follows new entries */
	int page;             /* height at the last draw, for PgUp/PgDn */
	int width;            /* width at the last draw: rows of entries added since */
	int indent;           /* of continuation rows: a wrapped entry reads as one */
};

struct tui_log *tui_log_new(int capacity)
{
	struct tui_log *l = calloc(1, sizeof *l);
	int cap = capacity > 0 ? capacity : 1;
	if (!l || !(l->lines = calloc((size_t)cap, sizeof *l->lines)) ||
	    !(l->roles = calloc((size_t)cap, sizeof *l->roles)))
		tui_fatal("out of memory");
	l->cap = cap;
	l->page = 10;
	l->width = 80;
	l->indent = 4;
	return l;
}

/* Rows one entry takes at width columns: the first at full width, the rest indented. */
static int entry_rows(const struct tui_log *l, const char *s, int width)
{
	const char *p = s;
	int rows = 1;
	tui_wrap_row(p, width, &p);
	while (*p) {
		tui_wrap_row(p, width - l->indent, &p);
		rows++;
	}
	return rows;
}

void tui_log_indent(struct tui_log *l, int columns)
{
	l->indent = columns;
}

__attribute__((format(printf, 3, 0))) static void log_vadd(struct tui_log *l, enum tui_role role, const char *fmt,
                                                           va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		tui_fatal("out of memory");
	/* Remote output may carry escapes and tabs: a control byte must not move the cursor;
	 * an entry is one line. */
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = *p == '\t' ? ' ' : '?';
	free(l->lines[l->head]);
	l->lines[l->head] = s;
	l->roles[l->head] = role;
	l->head = (l->head + 1) % l->cap;
	if (l->count < l->cap)
		l->count++;
	if (l->scroll > 0) /* a reader who scrolled back keeps looking at the same lines */
		l->scroll += entry_rows(l, s, l->width);
}

void tui_log_add(struct tui_log *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vadd(l, TUI_NORMAL, fmt, ap);
	va_end(ap);
}

void tui_log_add_role(struct tui_log *l, enum tui_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vadd(l, role, fmt, ap);
	va_end(ap);
}

int tui_log_count(const struct tui_log *l) { return l->count; }

static int slot(const struct tui_log *l, int i)
{
	return (l->head - l->count + i + l->cap) % l->cap;
}

const char *tui_log_line(const struct tui_log *l, int i)
{
	if (i < 0 || i >= l->count)
		return NULL;
	return l->lines[slot(l, i)];
}

enum tui_role tui_log_role(const struct tui_log *l, int i)
{
	return i < 0 || i >= l->count ? TUI_NORMAL : l->roles[slot(l, i)];
}

static int total_rows(const struct tui_log *l)
{
	int rows = 0;
	for (int i = 0; i < l->count; i++)
		rows += entry_rows(l, tui_log_line(l, i), l->width);
	return rows;
}

static void clamp(struct tui_log *l)
{
	int max = total_rows(l) - l->page;
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
	case TUI_KEY(KEY_HOME): l->scroll = total_rows(l); break;
	case TUI_KEY(KEY_END): l->scroll = 0; break;
	default: return TUI_IGNORED;
	}
	clamp(l);
	return TUI_REDRAW;
}

/* Draws entry i's rows from its row `from` on at y; returns the rows drawn. */
static int draw_entry(const struct tui_log *l, int i, int from, int y, int x, int max)
{
	const char *p = tui_log_line(l, i);
	attrset(tui_attr(tui_log_role(l, i)));
	int drawn = 0, row = 0;
	do {   /* an empty entry is an empty row */
		int indent = row ? l->indent : 0;
		const char *start = p;
		size_t len = tui_wrap_row(p, l->width - indent, &p);
		if (row++ >= from)
			mvaddnstr(y + drawn++, x + indent, start, (int)len);
	} while (*p && drawn < max);
	attrset(A_NORMAL);
	return drawn;
}

void tui_log_draw(struct tui_log *l, int y, int x, int height, int width)
{
	if (height < 1 || width < 1)
		return;
	l->page = height;
	l->width = width;
	clamp(l);
	/* From the end back: the entry and row the pane's first row shows. */
	int skip = l->scroll + height, i = l->count;
	while (i > 0 && skip > 0)
		skip -= entry_rows(l, tui_log_line(l, --i), width);
	int from = skip < 0 ? -skip : 0, r = 0;
	for (; i < l->count && r < height; i++, from = 0)
		r += draw_entry(l, i, from, y + r, x, height - r);
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
	free(l->roles);
	free(l);
}
