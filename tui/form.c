/* tui/form.c: labelled text and password fields on an ncurses form. */
#include "tui/widgets.h"

#include <form.h>
#include <limits.h>
#include <panel.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define FORM_MAX 16

struct tui_form {
	FORM *form; /* built on first draw; rebuilt when a field is added */
	FIELD *fields[FORM_MAX + 1];
	char *labels[FORM_MAX];
	unsigned flags[FORM_MAX];
	int max[FORM_MAX];   /* characters a field takes */
	int n, label_w, field_w, current;
	WINDOW *win, *sub;
	PANEL *panel;
	/* Secret fields keep their bytes here, never in curses: a form pads with spaces, so a
	 * passphrase ending in spaces could not be told from its padding. */
	struct secret {
		char *buf;
		size_t len, cap;
		int chars, max;
	} secret[FORM_MAX];
};

struct tui_form *tui_form_new(void)
{
	struct tui_form *f = calloc(1, sizeof *f);
	if (!f)
		tui_fatal("out of memory");
	return f;
}

/* Takes the form off its window; fields and their buffers stay. */
static void unbuild(struct tui_form *f)
{
	if (f->form) {
		f->current = field_index(current_field(f->form));
		unpost_form(f->form);
		free_form(f->form);
		f->form = NULL;
	}
	if (f->panel)
		del_panel(f->panel);
	if (f->sub)
		delwin(f->sub);
	if (f->win)
		delwin(f->win);
	f->panel = NULL;
	f->sub = f->win = NULL;
}

int tui_form_add(struct tui_form *f, const char *label, int width, int max_len, unsigned flags)
{
	/* ncurses gives each field a working pad, which needs curses to be up. */
	if (!tui_active())
		tui_fatal("tui_form_add(\"%s\") before tui_init", label);
	if (f->n == FORM_MAX)
		tui_fatal("form holds at most %d fields", FORM_MAX);
	unbuild(f);
	FIELD *fld = new_field(1, width, f->n, 0, 0, 0);
	char *l = strdup(label);
	if (!fld || !l)
		tui_fatal("out of memory");
	/* Dynamic, so a value longer than the box scrolls; no O_BLANK, or typing at the start of a
	 * kept value would wipe it; no O_AUTOSKIP, so a full field does not jump. */
	field_opts_off(fld, O_STATIC | O_BLANK | O_AUTOSKIP);
	set_max_field(fld, max_len > 0 ? max_len : width);
	f->max[f->n] = max_len > 0 ? max_len : width;
	if (flags & TUI_FIELD_SECRET) {
		struct secret *sec = &f->secret[f->n];
		sec->max = max_len > 0 ? max_len : width;
		sec->cap = (size_t)sec->max * MB_LEN_MAX + 1;
		sec->buf = calloc(1, sec->cap);
		if (!sec->buf)
			tui_fatal("out of memory");
		field_opts_off(fld, O_PUBLIC);
	}
	f->fields[f->n] = fld;
	f->labels[f->n] = l;
	f->flags[f->n] = flags;
	int lw = (int)strlen(label) + 2;
	if (lw > f->label_w)
		f->label_w = lw;
	if (width > f->field_w)
		f->field_w = width;
	return f->n++;
}

/* Characters (not bytes) of UTF-8 text: one '*' each. */
static int utf8_chars(const char *s, size_t len)
{
	int n = 0;
	for (size_t k = 0; k < len; k++)
		n += ((unsigned char)s[k] & 0xc0) != 0x80;
	return n;
}

static void secret_clear(struct secret *sec)
{
	explicit_bzero(sec->buf, sec->cap);
	sec->len = 0;
	sec->chars = 0;
}

void tui_form_set(struct tui_form *f, int i, const char *value)
{
	if (i < 0 || i >= f->n)
		return;
	if (f->flags[i] & TUI_FIELD_SECRET) {
		struct secret *sec = &f->secret[i];
		size_t len = strlen(value);
		secret_clear(sec);
		if (len >= sec->cap)
			len = sec->cap - 1;
		memcpy(sec->buf, value, len);
		sec->len = len;
		sec->chars = utf8_chars(sec->buf, len);
		return;
	}
	set_field_buffer(f->fields[i], 0, value);
}

enum { F_NEXT = 1, F_PREV, F_LEFT, F_RIGHT, F_HOME, F_END, F_DEL_PREV, F_DEL, F_CLEAR, F_CLEAR_EOL, F_TYPE };

const struct tui_keydef tui_form_move_keys[] = {
	{F_NEXT, {'\t', TUI_KEY(KEY_DOWN)}, "Tab, Down", "next field", NULL},
	{F_PREV, {TUI_KEY(KEY_BTAB), TUI_KEY(KEY_UP)}, "Shift-Tab, Up", "previous field", NULL},
	{0, {0}, NULL, NULL, NULL},
};

const struct tui_keydef tui_form_edit_keys[] = {
	{F_TYPE, {0}, "a character", "typed at the cursor (a passphrase: at its end, shown as *)", NULL},
	{F_DEL_PREV, {TUI_KEY(KEY_BACKSPACE), 127, TUI_CTRL('h')}, "Backspace", "deletes the character before the cursor",
	 NULL},
	{F_CLEAR, {TUI_CTRL('u')}, "Ctrl-U", "clears the field", NULL},
	{F_LEFT, {TUI_KEY(KEY_LEFT)}, "Left", "cursor left", NULL},
	{F_RIGHT, {TUI_KEY(KEY_RIGHT)}, "Right", "cursor right", NULL},
	{F_HOME, {TUI_KEY(KEY_HOME), TUI_CTRL('a')}, "Home, Ctrl-A", "cursor to the start", NULL},
	{F_END, {TUI_KEY(KEY_END), TUI_CTRL('e')}, "End, Ctrl-E", "cursor to the end", NULL},
	{F_DEL, {TUI_KEY(KEY_DC)}, "Del", "deletes the character under the cursor", NULL},
	{F_CLEAR_EOL, {TUI_CTRL('k')}, "Ctrl-K", "clears from the cursor to the end", NULL},
	{0, {0}, NULL, NULL, NULL},
};

/* A key on a secret field: typed characters are appended, Backspace takes the last one off,
 * Ctrl-U clears; the cursor stays at the end. Other editing keys do nothing. */
static enum tui_event secret_key(struct secret *sec, int key)
{
	switch (tui_keys_find(tui_form_edit_keys, key)) {
	case F_DEL_PREV:
		while (sec->len > 0 && ((unsigned char)sec->buf[--sec->len] & 0xc0) == 0x80)
			sec->buf[sec->len] = '\0';
		sec->buf[sec->len] = '\0';
		if (sec->chars > 0)
			sec->chars--;
		return TUI_REDRAW;
	case F_CLEAR:
		secret_clear(sec);
		return TUI_REDRAW;
	case F_LEFT: case F_RIGHT: case F_HOME: case F_END: case F_CLEAR_EOL: case F_DEL:
		return TUI_HANDLED;
	}
	if (key & TUI_FN || !iswprint((wint_t)key))
		return TUI_IGNORED;
	char mb[MB_LEN_MAX];
	mbstate_t st = {0};
	size_t k = wcrtomb(mb, (wchar_t)key, &st);
	if (k == (size_t)-1 || sec->chars >= sec->max || sec->len + k >= sec->cap)
		return TUI_HANDLED;
	memcpy(sec->buf + sec->len, mb, k);
	sec->len += k;
	sec->chars++;
	explicit_bzero(mb, sizeof mb);
	return TUI_REDRAW;
}

size_t tui_form_get(struct tui_form *f, int i, char *out, size_t n)
{
	if (n == 0)
		return 0;
	out[0] = '\0';
	if (i < 0 || i >= f->n)
		return 0;
	if (f->flags[i] & TUI_FIELD_SECRET) { /* byte for byte, trailing spaces included */
		const struct secret *sec = &f->secret[i];
		size_t len = sec->len < n - 1 ? sec->len : n - 1;
		memcpy(out, sec->buf, len);
		out[len] = '\0';
		return len;
	}
	if (f->form)
		form_driver(f->form, REQ_VALIDATION); /* the field being edited lives in curses until then */
	const char *buf = field_buffer(f->fields[i], 0);
	size_t len = buf ? strlen(buf) : 0;
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(out, buf, len);
	out[len] = '\0';
	return len;
}

int tui_form_current(const struct tui_form *f)
{
	return f->form ? field_index(current_field(f->form)) : f->current;
}

void tui_form_focus(struct tui_form *f, int i)
{
	if (i < 0 || i >= f->n)
		return;
	f->current = i;
	if (f->form) {
		set_current_field(f->form, f->fields[i]);
		form_driver(f->form, REQ_END_LINE);
	}
}

void tui_form_fit(struct tui_form *f, int width)
{
	int fw = width - f->label_w;
	if (fw < 8)
		fw = 8;
	if (fw == f->field_w || f->n == 0)
		return;
	/* ncurses cannot resize a field: each is made again at the new width with its text. */
	unbuild(f);
	for (int i = 0; i < f->n; i++) {
		FIELD *old = f->fields[i], *fld = new_field(1, fw, i, 0, 0, 0);
		if (!fld)
			tui_fatal("out of memory");
		set_field_opts(fld, field_opts(old));
		set_max_field(fld, f->max[i]);
		set_field_buffer(fld, 0, field_buffer(old, 0));
		set_field_buffer(old, 0, "");   /* blanks the old buffer: it may hold a value typed */
		free_field(old);
		f->fields[i] = fld;
	}
	f->field_w = fw;
}

int tui_form_height(const struct tui_form *f) { return f->n; }
int tui_form_width(const struct tui_form *f) { return f->label_w + f->field_w; }

static void build(struct tui_form *f, int y, int x)
{
	f->form = new_form(f->fields);
	f->win = newwin(f->n, f->label_w + f->field_w, y, x);
	f->sub = f->win ? derwin(f->win, f->n, f->field_w, 0, f->label_w) : NULL;
	if (!f->form || !f->sub)
		tui_fatal("cannot create a form of %d fields", f->n);
	set_form_win(f->form, f->win);
	set_form_sub(f->form, f->sub);
	post_form(f->form);
	f->panel = new_panel(f->win);
	if (!f->panel)
		tui_fatal("out of memory");
	tui_form_focus(f, f->current);
}

void tui_form_draw(struct tui_form *f, int y, int x, bool focused)
{
	if (f->n == 0)
		return;
	if (f->win && (getmaxy(f->win) != f->n || getmaxx(f->win) != f->label_w + f->field_w))
		unbuild(f); /* a resize shrank the window: rebuild from the field buffers */
	if (!f->form)
		build(f, y, x);
	else if (getbegy(f->win) != y || getbegx(f->win) != x)
		move_panel(f->panel, y, x);

	FIELD *cur = current_field(f->form);
	for (int i = 0; i < f->n; i++) {
		bool on = focused && f->fields[i] == cur;
		wattrset(f->win, on ? tui_attr(TUI_TITLE) : tui_attr(TUI_NORMAL));
		mvwprintw(f->win, i, 0, "%-*.*s", f->label_w, f->label_w - 1, f->labels[i]);
		set_field_back(f->fields[i], on ? tui_attr(TUI_SELECTED) : A_UNDERLINE);
	}
	wattrset(f->win, A_NORMAL);
	for (int i = 0; i < f->n; i++) {
		if (!(f->flags[i] & TUI_FIELD_SECRET))
			continue;
		int len = f->secret[i].chars;
		if (len > f->field_w - 1)
			len = f->field_w - 1;
		wattrset(f->sub, field_back(f->fields[i]) | tui_attr(TUI_MASKED));
		mvwhline(f->sub, i, 0, '*', len);
		wattrset(f->sub, A_NORMAL);
	}
	show_panel(f->panel);
	if (focused) {
		int i = field_index(cur);
		if (f->flags[i] & TUI_FIELD_SECRET) {
			int cx = f->secret[i].chars < f->field_w - 1 ? f->secret[i].chars : f->field_w - 1;
			tui_cursor_at(getbegy(f->win) + i, getbegx(f->win) + f->label_w + cx);
			return;
		}
		pos_form_cursor(f->form);
		tui_cursor_at(getbegy(f->win) + getcury(f->win), getbegx(f->win) + getcurx(f->win));
	}
}

/* Keys of a single-line editor; the rest are the screen's. */
enum tui_event tui_form_key(struct tui_form *f, int key)
{
	if (!f->form)
		return TUI_IGNORED;
	int cur = field_index(current_field(f->form));
	int req, move = tui_keys_find(tui_form_move_keys, key);
	if (move) {
		if (move == F_NEXT ? cur == f->n - 1 : cur == 0)
			return TUI_IGNORED;
		form_driver(f->form, move == F_NEXT ? REQ_NEXT_FIELD : REQ_PREV_FIELD);
		form_driver(f->form, REQ_END_LINE);
		form_driver(f->form, REQ_VALIDATION);
		return TUI_REDRAW;
	}
	if (f->flags[cur] & TUI_FIELD_SECRET)
		return secret_key(&f->secret[cur], key);
	switch (tui_keys_find(tui_form_edit_keys, key)) {
	case F_LEFT: req = REQ_PREV_CHAR; break;
	case F_RIGHT: req = REQ_NEXT_CHAR; break;
	case F_HOME: req = REQ_BEG_LINE; break;
	case F_END: req = REQ_END_LINE; break;
	case F_DEL_PREV: req = REQ_DEL_PREV; break;
	case F_DEL: req = REQ_DEL_CHAR; break;
	case F_CLEAR: req = REQ_CLR_FIELD; break;
	case F_CLEAR_EOL: req = REQ_CLR_EOL; break;
	default:
		if (key & TUI_FN || !iswprint((wint_t)key))
			return TUI_IGNORED;
		form_driver_w(f->form, OK, (wchar_t)key);
		req = REQ_VALIDATION;
	}
	form_driver(f->form, req);
	/* Edits live in the form's window until validated; a resize that shrinks the window
	 * would lose them, so every key copies the field into its buffer at once. */
	if (req != REQ_VALIDATION)
		form_driver(f->form, REQ_VALIDATION);
	return TUI_REDRAW;
}

void tui_form_free(struct tui_form *f)
{
	if (!f)
		return;
	unbuild(f);
	for (int i = 0; i < f->n; i++) {
		set_field_buffer(f->fields[i], 0, ""); /* blanks the whole buffer */
		free_field(f->fields[i]);
		if (f->secret[i].buf) {
			secret_clear(&f->secret[i]);
			free(f->secret[i].buf);
		}
		free(f->labels[i]);
	}
	free(f);
}
