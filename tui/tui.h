/* tui/tui.h: the terminal (set-up, restore, colours) and the event loop.
 * Knows nothing of Azure. Widgets are in tui/widgets.h.
 * tui_run turns the process's one event loop (core/sys/loop.h), where the keyboard and the
 * signal pipe are watched beside whatever else registered there (the HTTP client, child
 * processes, SSH sessions, timers): waiting never blocks keys and never spins. */
#ifndef SW_TUI_H
#define SW_TUI_H

#include <stdbool.h>
#include <curses.h>

#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24

/* What a key handler or a source tells the loop. Everything from TUI_NEXT on ends tui_run. */
#define TUI_EVENTS(X)                                              \
	X(TUI_IGNORED, "ignored")   /* not mine: let the caller try */ \
	X(TUI_HANDLED, "handled")   /* consumed */                     \
	X(TUI_REDRAW, "redraw")     /* consumed, state changed */      \
	X(TUI_NEXT, "next")         /* ends the loop: go forward */    \
	X(TUI_BACK, "back")         /* ends the loop: go back */       \
	X(TUI_QUIT, "quit")         /* ends the loop: user quits */    \
	X(TUI_SIGNAL, "signal")     /* ends the loop: SIGINT/TERM/HUP/QUIT, terminal restored */

#define TUI_EVENT_ENUM_(id, text) id,
enum tui_event { TUI_EVENTS(TUI_EVENT_ENUM_) };
#undef TUI_EVENT_ENUM_
const char *tui_event_name(enum tui_event ev);

/* Keys: a character is its code point; a function key is TUI_KEY(KEY_xxx),
 * so U+0100..U+01FF never collide with curses key codes. */
#define TUI_FN 0x40000000
#define TUI_KEY(k) (TUI_FN | (k))
#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_ESC 27

/* Colour roles: colour pairs, or bold/reverse/underline under NO_COLOR or on a monochrome terminal. */
enum tui_role { TUI_NORMAL, TUI_TITLE, TUI_ERROR, TUI_OK, TUI_WARN, TUI_SELECTED, TUI_MASKED, TUI_HELP, TUI_ROLES };

/* Starts curses (UTF-8 locale, cbreak, keypad, signal handlers). 0, or -1 when stdin/stdout is no terminal. */
int tui_init(void);
/* Restores the terminal. Safe to call twice, and when tui_init failed. */
void tui_end(void);
/* Restores the terminal, prints "studio-wizard: <message>" on stderr and exits 1. */
void tui_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
bool tui_active(void);
/* The signal that ended the last tui_run with TUI_SIGNAL (0 if none); exit with 128 + it. */
int tui_signal(void);
attr_t tui_attr(enum tui_role role);
bool tui_has_colour(void);

/* The loop tui_run turns; the caller owns it (and gives the same one to the install). */
struct loop;
void tui_set_loop(struct loop *l);

/* Something besides the keyboard an app waits on, registered on the loop by its owner.
 * After each turn of the loop ready() says what the turn's callbacks changed: TUI_HANDLED,
 * TUI_REDRAW, or an event that ends tui_run. */
struct tui_source {
	enum tui_event (*ready)(void *ctx);
	void *ctx;
};

/* A screen as the loop sees it. draw() paints stdscr and widgets for the current size (at least
 * 80x24); key() gets one key. sources/nsources are re-read on every turn, so they may change. */
struct tui_app {
	void (*draw)(void *ctx);
	enum tui_event (*key)(void *ctx, int key);
	struct tui_source *sources;
	int nsources;
	void *ctx;
};

/* Runs until a handler returns TUI_NEXT/BACK/QUIT, or a signal (terminal then restored).
 * Nested calls (dialogs) draw every outer app first and keep serving outer sources. */
enum tui_event tui_run(struct tui_app *app);
/* Hides the panels (lists, forms) that the apps underneath drew this frame: for a screen
 * or chooser drawn over another one. */
void tui_cover(void);
/* Asks for a full redraw on the next frame (e.g. after output outside curses). */
void tui_invalidate(void);
/* Where the terminal cursor goes after this frame; widgets call it from draw(). */
void tui_cursor_at(int y, int x);

/* A periodic timer on the loop that asks for a frame: wakes the loop every period while
 * started, else costs nothing. Times are loop_now_ms()'s. */
struct tui_timer {
	long period_ms;
	long long next_ms;
	unsigned id;   /* the loop timer; 0 when stopped */
};
void tui_timer_start(struct tui_timer *t, long period_ms);
void tui_timer_stop(struct tui_timer *t);

#endif
