/* tui/widgets.h: what screens are built from. Each widget's draw() is called from an app's
 * draw() every frame, with its place on the screen; key() returns a tui_event (TUI_IGNORED
 * when the key is not the widget's, so the screen may use it). Widgets keep their state
 * outside curses windows, so resizing never loses typed text. */
#ifndef SW_TUI_WIDGETS_H
#define SW_TUI_WIDGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/tui.h"

/* Key tables (tui/keys.c). A screen dispatches on its table (tui_keys_find gives the action
 * of a key, 0 for none), its footer is drawn from it and F1 lists it whole, so what a screen
 * says it does and what it does cannot drift. A table ends with an entry of action 0;
 * label is the footer's word for it (NULL: listed by F1 only). The tables of a keyset are
 * the screen's own first, most important key first: a narrow footer drops keys from its end
 * but always shows the help key (action TUI_ACTION_HELP). */
#define TUI_KEYS_PER_ACTION 4
#define TUI_ACTION_HELP 1000
#define TUI_KEYSET_MAX 6
struct tui_keydef {
	int action;
	int keys[TUI_KEYS_PER_ACTION];
	const char *names;   /* "Esc, PgUp" */
	const char *what;    /* "previous screen; every answer is kept" */
	const char *label;   /* footer word: "back" */
};
struct tui_keyset {
	const struct tui_keydef *tables[TUI_KEYSET_MAX];
	const char *headings[TUI_KEYSET_MAX];
	int n;
};
int tui_keys_find(const struct tui_keydef *t, int key);
void tui_keyset_add(struct tui_keyset *ks, const char *heading, const struct tui_keydef *t);
void tui_keys_footer(const struct tui_keyset *ks);
/* The help overlay listing every key of the set under its heading; Esc closes it.
 * TUI_REDRAW, or TUI_SIGNAL. */
enum tui_event tui_keys_help(const char *title, const struct tui_keyset *ks);

/* Form (ncurses form): labelled one-line fields; Tab/Down and Shift-Tab/Up move between
 * them and return TUI_IGNORED past the last/first field. Secret fields show one '*' per
 * character and never the characters themselves; they are kept outside curses and edited at
 * their end only (typing, Backspace, Ctrl-U). */
#define TUI_FIELD_SECRET 1u
struct tui_form;
struct tui_form *tui_form_new(void);
/* Adds (after tui_init: ncurses fields need curses) a field width columns wide taking up to max_len characters; returns its index. */
int tui_form_add(struct tui_form *f, const char *label, int width, int max_len, unsigned flags);
void tui_form_set(struct tui_form *f, int i, const char *value);
/* Copies field i (UTF-8, NUL-terminated); returns its length. A text field loses its trailing
 * pad spaces; a secret field is returned byte for byte as typed, trailing spaces included. */
size_t tui_form_get(struct tui_form *f, int i, char *out, size_t n);
int tui_form_current(const struct tui_form *f);
void tui_form_focus(struct tui_form *f, int i);
/* Fields as wide as width columns allow beside their labels (at least 8): values read whole
 * on a wide terminal. Text typed is kept. */
void tui_form_fit(struct tui_form *f, int width);
int tui_form_height(const struct tui_form *f);
int tui_form_width(const struct tui_form *f);
enum tui_event tui_form_key(struct tui_form *f, int key);
void tui_form_draw(struct tui_form *f, int y, int x, bool focused);
/* Frees the form and blanks every field buffer first (they may hold a password). */
void tui_form_free(struct tui_form *f);
/* The keys tui_form_key dispatches on (tui/keys.c tables): moving between fields, editing one. */
extern const struct tui_keydef tui_form_move_keys[], tui_form_edit_keys[];

/* Choice list (ncurses menu): one line per item, "name  description". */
struct tui_choice;
struct tui_choice *tui_choice_new(void);
void tui_choice_add(struct tui_choice *c, const char *name, const char *desc);
int tui_choice_count(const struct tui_choice *c);
int tui_choice_selected(const struct tui_choice *c); /* -1 when empty */
const char *tui_choice_name(const struct tui_choice *c, int i);
void tui_choice_select(struct tui_choice *c, int i);
enum tui_event tui_choice_key(struct tui_choice *c, int key);
void tui_choice_draw(struct tui_choice *c, int y, int x, int height, int width, bool focused);
void tui_choice_free(struct tui_choice *c);
extern const struct tui_keydef tui_choice_keys[];   /* the keys tui_choice_key dispatches on */

/* Modal dialogs (a panel over the current screen, which keeps drawing and its sources keep
 * running). confirm: 1 yes, 0 no or Esc, -1 when a signal ended it (terminal restored). */
int tui_confirm(const char *title, const char *question);
int tui_message(const char *title, const char *text); /* 0, or -1 as above */

/* Progress bar with elapsed time: "[#####.....] 42%  01:23". Its timer redraws once a
 * second while running and never wakes the loop otherwise. */
struct tui_progress {
	long long start_ms, stop_ms;   /* loop_now_ms() */
	long long deadline_ms;          /* a countdown instead of a percentage (tui_progress_countdown), or 0 */
	int percent;
	bool running;
	struct tui_timer tick;
};
void tui_progress_start(struct tui_progress *p);
void tui_progress_set(struct tui_progress *p, int percent);
/* The bar fills as seconds from now run out and says "expires in M:SS" instead of a
 * percentage: for a wait with a deadline and no measure of progress (a device code). */
void tui_progress_countdown(struct tui_progress *p, long seconds);
void tui_progress_stop(struct tui_progress *p);
long tui_progress_elapsed(const struct tui_progress *p); /* seconds */
/* Writes the bar for width columns into out; returns its length. */
int tui_progress_format(const struct tui_progress *p, int width, char *out, size_t n);
void tui_progress_draw(const struct tui_progress *p, int y, int x, int width);

/* Log pane: a ring of the last capacity entries; follows the end until PgUp, back with End.
 * Entries are wrapped at the width they are drawn at (continuations indented), so a resize
 * re-flows them; each has a colour role (failures, warnings, done lines stand out). */
struct tui_log;
struct tui_log *tui_log_new(int capacity);
void tui_log_add(struct tui_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_log_add_role(struct tui_log *l, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Continuation rows start this many columns in (default 4). */
void tui_log_indent(struct tui_log *l, int columns);
int tui_log_count(const struct tui_log *l);
const char *tui_log_line(const struct tui_log *l, int i); /* 0 is the oldest kept */
enum tui_role tui_log_role(const struct tui_log *l, int i);
enum tui_event tui_log_key(struct tui_log *l, int key);    /* PgUp, PgDn, Home, End */
void tui_log_draw(struct tui_log *l, int y, int x, int height, int width);
void tui_log_free(struct tui_log *l);

/* Text wrapped at width columns (tui/text.c): at the last space that fits, else at the edge
 * (a long word is split, never lost); '\n' ends a row. tui_wrap_row: the length of the row
 * starting at p and where the next starts; tui_wrap_count: rows of the whole text;
 * tui_wrap_draw: its rows from `first` on, at most height of them at y, x (each row cleared
 * to width first); returns the rows of the whole text. */
size_t tui_wrap_row(const char *p, int width, const char **next);
int tui_wrap_count(const char *text, int width);
int tui_wrap_draw(int y, int x, int width, int height, int first, const char *text);
/* tui_wrap: the same rows drawn into win at (y, x), at most maxlines of them (NULL win: only
 * counts them); returns the rows drawn or counted. */
int tui_wrap(WINDOW *win, int y, int x, int width, int maxlines, const char *text);

/* Top title line and bottom key help line, e.g. "F1 help  Tab next  Esc back  F10 quit". */
void tui_title_draw(const char *title);
void tui_help_draw(const char *keys);

#endif
