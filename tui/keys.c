/* tui/keys.c: key tables. A screen dispatches on its table, its footer is drawn from it and
 * F1 lists it whole, so what the screen says it does and what it does cannot drift. */
#include "tui/widgets.h"

#include <panel.h>
#include <stdio.h>
#include <string.h>

int tui_keys_find(const struct tui_keydef *t, int key)
{
	for (; t && t->action; t++)
		for (int k = 0; k < TUI_KEYS_PER_ACTION && t->keys[k]; k++)
			if (t->keys[k] == key)
				return t->action;
	return 0;
}

/* "Esc, PgUp" -> "Esc": the footer names a key by its first name. */
static int first_name_len(const char *names)
{
	const char *comma = strstr(names, ", ");
	return comma ? (int)(comma - names) : (int)strlen(names);
}

void tui_keys_footer(const struct tui_keyset *ks)
{
	char line[512], help[64] = "";
	const struct tui_keydef *items[64];
	int n = 0;
	/* The help key is kept whatever the width: it leads to every other key. */
	for (int s = 0; s < ks->n; s++)
		for (const struct tui_keydef *t = ks->tables[s]; t && t->action; t++) {
			if (!t->label)
				continue;
			if (t->action == TUI_ACTION_HELP && !help[0])
				snprintf(help, sizeof help, "%.*s %s", first_name_len(t->names), t->names, t->label);
			else if (t->action != TUI_ACTION_HELP && n < 64)
				items[n++] = t;
		}
	/* The most important keys come first in the tables: drop whole keys from the end. */
	for (; n >= 0; n--) {
		size_t o = 0;
		line[0] = '\0';
		for (int i = 0; i < n && o < sizeof line; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%.*s %s", i ? "  " : "",
			                      first_name_len(items[i]->names), items[i]->names, items[i]->label);
		if (help[0] && o < sizeof line)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", o ? "  " : "", help);
		if ((int)o <= COLS - 2)
			break;
	}
	tui_help_draw(line);
}

/* The overlay: a box of every key, in a log pane so PgUp/PgDn scroll a long list. */
struct help {
	const char *title;
	struct tui_log *lines;
};

static void help_draw(void *ctx)
{
	struct help *h = ctx;
	int top = 2, left = 2, height = LINES - 4, width = COLS - 4;
	tui_cover();
	WINDOW *box = derwin(stdscr, height, width, top, left);
	if (box) {
		werase(box);
		wattrset(box, tui_attr(TUI_TITLE));
		box(box, 0, 0);
		mvwprintw(box, 0, 2, " %.*s ", width - 6, h->title);
		wattrset(box, A_NORMAL);
		delwin(box);
	}
	tui_log_draw(h->lines, top + 1, left + 2, height - 2, width - 4);
	tui_help_draw("Esc close  PgUp/PgDn scroll");
}

static enum tui_event help_key(void *ctx, int key)
{
	struct help *h = ctx;
	if (key == TUI_ESC || key == TUI_KEY(KEY_F(1)) || key == '?' || key == 'q' || key == '\r' ||
	    key == '\n' || key == TUI_KEY(KEY_ENTER))
		return TUI_BACK;
	if (key == TUI_KEY(KEY_DOWN))
		key = TUI_KEY(KEY_NPAGE);
	if (key == TUI_KEY(KEY_UP))
		key = TUI_KEY(KEY_PPAGE);
	tui_log_key(h->lines, key);
	return TUI_REDRAW;
}

enum tui_event tui_keys_help(const char *title, const struct tui_keyset *ks)
{
	struct help h = {title, tui_log_new(256)};
	int namew = 0;
	for (int s = 0; s < ks->n; s++)
		for (const struct tui_keydef *t = ks->tables[s]; t && t->action; t++)
			if ((int)strlen(t->names) > namew)
				namew = (int)strlen(t->names);
	for (int s = 0; s < ks->n; s++) {
		if (!ks->tables[s] || !ks->tables[s]->action)
			continue;
		if (s == 0 || strcmp(ks->headings[s], ks->headings[s - 1]) != 0) {   /* one heading for a run */
			if (s > 0)
				tui_log_add(h.lines, "%s", "");
			tui_log_add_role(h.lines, TUI_TITLE, "%s", ks->headings[s]);
		}
		for (const struct tui_keydef *t = ks->tables[s]; t->action; t++)
			tui_log_add(h.lines, "  %-*s  %s", namew, t->names, t->what);
	}
	tui_log_indent(h.lines, namew + 4);   /* a wrapped description stays in its column */
	tui_log_key(h.lines, TUI_KEY(KEY_HOME));
	struct tui_app app = {help_draw, help_key, NULL, 0, &h};
	enum tui_event ev = tui_run(&app);
	tui_log_free(h.lines);
	return ev == TUI_SIGNAL ? TUI_SIGNAL : TUI_REDRAW;
}

void tui_keyset_add(struct tui_keyset *ks, const char *heading, const struct tui_keydef *t)
{
	if (t && ks->n < TUI_KEYSET_MAX) {
		ks->headings[ks->n] = heading;
		ks->tables[ks->n++] = t;
	}
}
