/* tui/choice.c: a list of choices with descriptions on an ncurses menu. */
#include "tui/widgets.h"

#include <menu.h>
#include <panel.h>
#include <stdlib.h>
#include <string.h>

struct tui_choice {
	MENU *menu; /* built on first draw; rebuilt on add and when the box changes size */
	ITEM **items;
	char **names, **descs;
	int n, cap, selected;
	WINDOW *win, *sub;
	PANEL *panel;
};

struct tui_choice *tui_choice_new(void)
{
	struct tui_choice *c = calloc(1, sizeof *c);
	if (!c)
		tui_fatal("out of memory");
	return c;
}

static void unbuild(struct tui_choice *c)
{
	if (c->menu) {
		c->selected = item_index(current_item(c->menu));
		unpost_menu(c->menu);
		free_menu(c->menu);
		c->menu = NULL;
	}
	for (int i = 0; i < c->n; i++)
		if (c->items[i]) {
			free_item(c->items[i]);
			c->items[i] = NULL;
		}
	if (c->panel)
		del_panel(c->panel);
	if (c->sub)
		delwin(c->sub);
	if (c->win)
		delwin(c->win);
	c->panel = NULL;
	c->sub = c->win = NULL;
}

void tui_choice_add(struct tui_choice *c, const char *name, const char *desc)
{
	unbuild(c);
	if (c->n + 1 >= c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		ITEM **items = realloc(c->items, (size_t)cap * sizeof *items);
		if (items)
			c->items = items;
		char **names = realloc(c->names, (size_t)cap * sizeof *names);
		if (names)
			c->names = names;
		char **descs = realloc(c->descs, (size_t)cap * sizeof *descs);
		if (descs)
			c->descs = descs;
		if (!items || !names || !descs)
			tui_fatal("out of memory");
		c->cap = cap;
	}
	c->names[c->n] = strdup(name);
	c->descs[c->n] = strdup(desc ? desc : "");
	if (!c->names[c->n] || !c->descs[c->n])
		tui_fatal("out of memory");
	c->items[c->n++] = NULL;
	c->items[c->n] = NULL;
}

int tui_choice_count(const struct tui_choice *c) { return c->n; }

int tui_choice_selected(const struct tui_choice *c)
{
	if (c->n == 0)
		return -1;
	return c->menu ? item_index(current_item(c->menu)) : c->selected;
}

const char *tui_choice_name(const struct tui_choice *c, int i)
{
	return i >= 0 && i < c->n ? c->names[i] : NULL;
}

void tui_choice_select(struct tui_choice *c, int i)
{
	if (i < 0 || i >= c->n)
		return;
	c->selected = i;
	if (c->menu)
		set_current_item(c->menu, c->items[i]);
}

static void build(struct tui_choice *c, int y, int x, int height, int width)
{
	for (int i = 0; i < c->n; i++)
		if (!(c->items[i] = new_item(c->names[i], c->descs[i])))
			tui_fatal("out of memory");
	c->menu = new_menu(c->items);
	c->win = newwin(height, width, y, x);
	c->sub = c->win ? derwin(c->win, height - 2, width - 2, 1, 1) : NULL;
	if (!c->menu || !c->sub)
		tui_fatal("cannot create a list of %d choices", c->n);
	set_menu_win(c->menu, c->win);
	set_menu_sub(c->menu, c->sub);
	set_menu_format(c->menu, height - 2, 1);
	set_menu_mark(c->menu, "> ");
	set_menu_spacing(c->menu, 2, 0, 0);
	post_menu(c->menu);
	c->panel = new_panel(c->win);
	if (!c->panel)
		tui_fatal("out of memory");
	tui_choice_select(c, c->selected);
}

void tui_choice_draw(struct tui_choice *c, int y, int x, int height, int width, bool focused)
{
	if (c->n == 0 || height < 3 || width < 8)
		return;
	if (c->win && (getmaxy(c->win) != height || getmaxx(c->win) != width))
		unbuild(c);
	if (!c->menu)
		build(c, y, x, height, width);
	else if (getbegy(c->win) != y || getbegx(c->win) != x)
		move_panel(c->panel, y, x);
	/* Setting fore/back repaints the items, so the frame is drawn after them. */
	set_menu_fore(c->menu, focused ? tui_attr(TUI_SELECTED) : A_BOLD);
	set_menu_back(c->menu, tui_attr(TUI_NORMAL));
	wattrset(c->win, focused ? tui_attr(TUI_TITLE) : A_NORMAL);
	box(c->win, 0, 0);
	wattrset(c->win, A_NORMAL);
	int top = top_row(c->menu);
	if (top > 0)
		mvwaddstr(c->win, 0, width - 4, "^");
	if (top + height - 2 < c->n)
		mvwaddstr(c->win, height - 1, width - 4, "v");
	show_panel(c->panel);
}

const struct tui_keydef tui_choice_keys[] = {
	{REQ_DOWN_ITEM, {TUI_KEY(KEY_DOWN), 'j'}, "Down, j", "next in the list", NULL},
	{REQ_UP_ITEM, {TUI_KEY(KEY_UP), 'k'}, "Up, k", "previous in the list", NULL},
	{REQ_SCR_DPAGE, {TUI_KEY(KEY_NPAGE)}, "PgDn", "a page down the list", NULL},
	{REQ_SCR_UPAGE, {TUI_KEY(KEY_PPAGE)}, "PgUp", "a page up the list", NULL},
	{REQ_FIRST_ITEM, {TUI_KEY(KEY_HOME)}, "Home", "first in the list", NULL},
	{REQ_LAST_ITEM, {TUI_KEY(KEY_END)}, "End", "last in the list", NULL},
	{0, {0}, NULL, NULL, NULL},
};

enum tui_event tui_choice_key(struct tui_choice *c, int key)
{
	if (!c->menu)
		return TUI_IGNORED;
	int req = tui_keys_find(tui_choice_keys, key);   /* the actions are menu requests */
	if (!req)
		return TUI_IGNORED;
	/* E_REQUEST_DENIED at either end is not an error: the selection just stays. */
	menu_driver(c->menu, req);
	c->selected = item_index(current_item(c->menu));
	return TUI_REDRAW;
}

void tui_choice_free(struct tui_choice *c)
{
	if (!c)
		return;
	unbuild(c);
	for (int i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->descs[i]);
	}
	free(c->items);
	free(c->names);
	free(c->descs);
	free(c);
}
