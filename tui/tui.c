/* tui/tui.c: terminal set-up and restore, signals, colour roles. The lowest of
 * tui/: the loop (loop.c) and the scripted keys (script.c) use it; it calls neither. */
#include <panel.h>

#include "tui/tui.h"
#include "tui/tui_int.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/xalloc.h"

static bool up;
static SCREEN *screen; /* kept for the process: widgets may still hold windows after tui_end */
static bool colour;
static attr_t role_attr[TUI_ROLES];
static volatile sig_atomic_t caught; /* SIGINT/TERM/HUP/QUIT, set by the handler */
static volatile sig_atomic_t winched;
static int sig_pipe[2] = {-1, -1};
static int last_signal;

#define TUI_EVENT_NAME_(id, text) [id] = text,
static const char *const event_names[] = {TUI_EVENTS(TUI_EVENT_NAME_)};
#undef TUI_EVENT_NAME_

const char *tui_event_name(enum tui_event ev)
{
	return (unsigned)ev < sizeof event_names / sizeof *event_names ? event_names[ev] : "?";
}

/* Handlers only set a flag and wake poll(); the loop restores the terminal outside them. */
static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGWINCH)
		winched = 1;
	else
		caught = sig;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], "", 1);
	errno = saved;
}

static int pipe_setup(void)
{
	if (sig_pipe[0] >= 0)
		return 0;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* SIGQUIT (Ctrl-\) too: its default action would leave the terminal raw and in the
 * alternate screen. */
static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};
static struct sigaction saved[sizeof sigs / sizeof *sigs];

/* Installed before newterm(), so ncurses leaves SIGINT/TERM/QUIT/WINCH to us; it keeps SIGTSTP. */
static void signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, &saved[i]);
}

/* Back to what the program had before tui_init. */
static void signals_restore(void)
{
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &saved[i], NULL);
}

static void colours_setup(void)
{
	/* no-color.org: present and not empty disables colour, whatever the value. */
	const char *nc = getenv("NO_COLOR");
	colour = !(nc && *nc) && has_colors() && start_color() == OK;
	if (colour) {
		use_default_colors();
		static const short fg[TUI_ROLES] = {
			[TUI_NORMAL] = -1, [TUI_TITLE] = COLOR_CYAN, [TUI_ERROR] = COLOR_RED,
			[TUI_OK] = COLOR_GREEN, [TUI_WARN] = COLOR_YELLOW, [TUI_SELECTED] = COLOR_BLACK,
			[TUI_MASKED] = COLOR_MAGENTA, [TUI_HELP] = COLOR_BLACK,
		};
		static const short bg[TUI_ROLES] = {
			[TUI_NORMAL] = -1, [TUI_TITLE] = -1, [TUI_ERROR] = -1, [TUI_OK] = -1,
			[TUI_WARN] = -1, [TUI_SELECTED] = COLOR_CYAN, [TUI_MASKED] = -1, [TUI_HELP] = COLOR_CYAN,
		};
		for (int r = 0; r < TUI_ROLES; r++) {
			init_pair((short)(r + 1), fg[r], bg[r]);
			role_attr[r] = COLOR_PAIR(r + 1);
		}
		role_attr[TUI_TITLE] |= A_BOLD;
		role_attr[TUI_ERROR] |= A_BOLD;
		return;
	}
	static const attr_t mono[TUI_ROLES] = {
		[TUI_NORMAL] = A_NORMAL, [TUI_TITLE] = A_BOLD, [TUI_ERROR] = A_BOLD | A_UNDERLINE,
		[TUI_OK] = A_BOLD, [TUI_WARN] = A_BOLD, [TUI_SELECTED] = A_REVERSE,
		[TUI_MASKED] = A_NORMAL, [TUI_HELP] = A_REVERSE,
	};
	memcpy(role_attr, mono, sizeof role_attr);
}

int tui_init(void)
{
	if (up)
		return 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	setlocale(LC_ALL, "");
	if (pipe_setup() < 0)
		return -1;
	caught = winched = 0;
	last_signal = 0;
	signals_install();
	/* newterm, unlike initscr, returns NULL on an unknown TERM instead of exiting. */
	if (!screen)
		screen = newterm(NULL, stdout, stdin);
	else
		set_term(screen);
	if (!screen) {
		signals_restore();
		return -1;
	}
	up = true;
	/* ESC alone must feel instant; sequences arrive within a few ms even over ssh. */
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	cbreak();
	/* Ctrl-Q quits the wizard: the terminal's XON/XOFF flow control would swallow it (and
	 * Ctrl-S would freeze the screen). endwin() gives the shell its own mode back. */
	struct termios tio;
	if (tcgetattr(STDIN_FILENO, &tio) == 0 && (tio.c_iflag & IXON)) {
		tio.c_iflag &= ~(tcflag_t)IXON;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			def_prog_mode();
	}
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	colours_setup();
	xalloc_on_failure(tui_end);   /* out of memory: the terminal comes back before the abort */
	return 0;
}

void tui_end(void)
{
	if (!up)
		return;
	up = false;
	curs_set(1);
	endwin();
	signals_restore();
}

void tui_fatal(const char *fmt, ...)
{
	va_list ap;
	tui_end();
	fputs("studio-wizard: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

bool tui_active(void) { return up; }

int tui_signal(void) { return last_signal; }
bool tui_has_colour(void) { return colour; }

attr_t tui_attr(enum tui_role role)
{
	return (unsigned)role < TUI_ROLES ? role_attr[role] : A_NORMAL;
}

/* For the loop: the signal pipe's read end, and what woke it. */
int tui_sig_fd(void) { return sig_pipe[0]; }

int tui_sig_take(bool *resized)
{
	char buf[64];
	while (read(sig_pipe[0], buf, sizeof buf) > 0)
		;
	*resized = winched;
	winched = 0;
	if (caught)
		last_signal = caught;
	return caught;
}

void tui_sig_hangup(void) { last_signal = SIGHUP; }

void tui_cover(void)
{
	PANEL *p;
	while ((p = panel_above(NULL)) != NULL)
		hide_panel(p);
}
