/* tui/widgets.h: what screens are built from. Each widget's draw() is called from an app's
 * draw() every frame, with its place on the screen; key() returns a tui_event (TUI_IGNORED
 * when the key is not the widget's, so the screen may use it). Widgets keep their state
 * outside curses windows, so resizing never loses typed text. */
#ifndef SW_TUI_WIDGETS_H
#define SW_TUI_WIDGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/tui.h"

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
int tui_form_height(const struct tui_form *f);
int tui_form_width(const struct tui_form *f);
enum tui_event tui_form_key(struct tui_form *f, int key);
void tui_form_draw(struct tui_form *f, int y, int x, bool focused);
/* Frees the form and blanks every field buffer first (they may hold a password). */
void tui_form_free(struct tui_form *f);

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

/* Modal dialogs (a panel over the current screen, which keeps drawing and its sources keep
 * running). confirm: 1 yes, 0 no or Esc, -1 when a signal ended it (terminal restored). */
int tui_confirm(const char *title, const char *question);
int tui_message(const char *title, const char *text); /* 0, or -1 as above */

/* Progress bar with elapsed time: "[#####.....] 42%  01:23". Its timer redraws once a
 * second while running and never wakes the loop otherwise. */
struct tui_progress {
	long long start_ms, stop_ms;   /* loop_now_ms() */
	int percent;
	bool running;
	struct tui_timer tick;
};
void tui_progress_start(struct tui_progress *p);
void tui_progress_set(struct tui_progress *p, int percent);
void tui_progress_stop(struct tui_progress *p);
long tui_progress_elapsed(const struct tui_progress *p); /* seconds */
/* Writes the bar for width columns into out; returns its length. */
int tui_progress_format(const struct tui_progress *p, int width, char *out, size_t n);
void tui_progress_draw(const struct tui_progress *p, int y, int x, int width);

/* Log pane: a ring of the last capacity lines; follows the end until PgUp, back with End. */
struct tui_log;
struct tui_log *tui_log_new(int capacity);
void tui_log_add(struct tui_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Lines added from now on wrap at width columns (continuations indented); 0 turns it off. */
void tui_log_wrap(struct tui_log *l, int width);
int tui_log_count(const struct tui_log *l);
const char *tui_log_line(const struct tui_log *l, int i); /* 0 is the oldest kept */
enum tui_event tui_log_key(struct tui_log *l, int key);    /* PgUp, PgDn, Home, End */
void tui_log_draw(struct tui_log *l, int y, int x, int height, int width);
void tui_log_free(struct tui_log *l);

/* Top title line and bottom key help line, e.g. "F1 help  Tab next  Esc back  F10 quit". */
void tui_title_draw(const char *title);
void tui_help_draw(const char *keys);

#endif
