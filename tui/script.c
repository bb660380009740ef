/* tui/script.c: scripted keys (SW_TUI_SCRIPT=FILE, like tig's TIG_SCRIPT) and a dump of every
 * frame (SW_TUI_DUMP=FILE), so tests wait for text instead of time and see every frame.
 * A script is lines of:
 *   key NAME...      keys: Enter Esc Tab BTab Up Down Left Right Home End PgUp PgDn Backspace
 *                    Del Space F1..F12 C-a..C-z, or one character
 *   text LITERAL     typed one character per key, everything after "text " (spaces kept)
 *   wait REGEX       until the screen matches (POSIX ERE, ^ and $ at each line)
 *   timeout SECONDS  for the waits after it (default 10); past it: exit 99, screen on stderr
 *   mark TEXT        writes "--- mark TEXT ---" into the dump
 *   # comment
 * While the script runs the keyboard is ignored; after its last line the keyboard is back. */
#include "tui/tui.h"
#include "tui/tui_int.h"
#include "core/sys/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#define EXIT_SCRIPT 99

enum op { OP_KEYS, OP_WAIT, OP_TIMEOUT, OP_MARK };

struct cmd {
	enum op op;
	int line;
	int *keys, nkeys; /* OP_KEYS */
	regex_t re;       /* OP_WAIT */
	char *arg;        /* the text after the word, for messages and marks */
	long secs;        /* OP_TIMEOUT */
};

static struct cmd *cmds;
static int ncmds, pc, key_i;
static long wait_secs = 10;
static long long deadline = -1;
static FILE *dump;
static long frames;
static char *shot;     /* the last frame's text, lines joined by '\n' */
static size_t shot_cap;
static bool have_shot;
static const char *script_path;

static const struct {
	const char *name;
	int key;
} names[] = {
	{"Enter", '\r'}, {"Esc", TUI_ESC}, {"Tab", '\t'}, {"BTab", TUI_KEY(KEY_BTAB)},
	{"Up", TUI_KEY(KEY_UP)}, {"Down", TUI_KEY(KEY_DOWN)}, {"Left", TUI_KEY(KEY_LEFT)},
	{"Right", TUI_KEY(KEY_RIGHT)}, {"Home", TUI_KEY(KEY_HOME)}, {"End", TUI_KEY(KEY_END)},
	{"PgUp", TUI_KEY(KEY_PPAGE)}, {"PgDn", TUI_KEY(KEY_NPAGE)},
	{"Backspace", TUI_KEY(KEY_BACKSPACE)}, {"Del", TUI_KEY(KEY_DC)}, {"Space", ' '},
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tui_end();
	fprintf(stderr, "studio-wizard: SW_TUI_SCRIPT %s: %s\n", script_path ? script_path : "", msg);
	if (have_shot)
		fprintf(stderr, "the last screen:\n%s\n", shot);
	if (dump) {
		fprintf(dump, "--- script failed: %s ---\n", msg);
		fclose(dump);
		dump = NULL;
	}
	exit(EXIT_SCRIPT);
}

/* One key name, or a single character (UTF-8): its key code, or -1. */
static int key_code(const char *w)
{
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(w, names[i].name) == 0)
			return names[i].key;
	if (w[0] == 'F' && w[1] >= '1' && w[1] <= '9') {
		int n = atoi(w + 1);
		if (n >= 1 && n <= 12 && strspn(w + 1, "0123456789") == strlen(w + 1))
			return TUI_KEY(KEY_F(n));
	}
	if (w[0] == 'C' && w[1] == '-' && w[2] >= 'a' && w[2] <= 'z' && !w[3])
		return TUI_CTRL(w[2]);
	wchar_t wc;
	mbstate_t st = {0};
	size_t n = mbrtowc(&wc, w, strlen(w), &st);
	if (n != (size_t)-1 && n != (size_t)-2 && n > 0 && !w[n])
		return (int)wc;
	return -1;
}

static void add_key(struct cmd *c, int key)
{
	int *k = realloc(c->keys, sizeof *k * (size_t)(c->nkeys + 1));
	if (!k)
		tui_fatal("out of memory");
	c->keys = k;
	c->keys[c->nkeys++] = key;
}

static void parse(struct cmd *c, char *line)
{
	char *sp = strchr(line, ' ');
	char *arg = sp ? sp + 1 : line + strlen(line);
	if (sp)
		*sp = '\0';
	c->arg = strdup(arg);
	if (!c->arg)
		tui_fatal("out of memory");
	if (strcmp(line, "key") == 0) {
		c->op = OP_KEYS;
		for (char *w = strtok(arg, " \t"); w; w = strtok(NULL, " \t")) {
			int k = key_code(w);
			if (k < 0)
				fail("line %d: unknown key \"%s\"", c->line, w);
			add_key(c, k);
		}
	} else if (strcmp(line, "text") == 0) {
		c->op = OP_KEYS;
		mbstate_t st = {0};
		wchar_t wc;
		for (size_t len = strlen(arg), n; len > 0; arg += n, len -= n) {
			n = mbrtowc(&wc, arg, len, &st);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
				fail("line %d: text is not valid in this locale", c->line);
			add_key(c, (int)wc);
		}
	} else if (strcmp(line, "wait") == 0) {
		c->op = OP_WAIT;
		if (regcomp(&c->re, arg, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0)
			fail("line %d: bad regular expression \"%s\"", c->line, arg);
	} else if (strcmp(line, "timeout") == 0) {
		c->op = OP_TIMEOUT;
		char *end;
		c->secs = strtol(arg, &end, 10);
		if (end == arg || *end || c->secs <= 0)
			fail("line %d: timeout needs a number of seconds", c->line);
	} else if (strcmp(line, "mark") == 0) {
		c->op = OP_MARK;
	} else {
		fail("line %d: unknown command \"%s\"", c->line, line);
	}
}

static void load(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		fail("cannot open: %s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int no = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		struct cmd *c = realloc(cmds, sizeof *c * (size_t)(ncmds + 1));
		if (!c)
			tui_fatal("out of memory");
		cmds = c;
		c = &cmds[ncmds++];
		memset(c, 0, sizeof *c);
		c->line = no;
		parse(c, line);
	}
	free(line);
	fclose(f);
}

void tui_script_setup(void)
{
	static bool done;
	if (done)
		return; /* once per process: a second tui_init goes on with the same script */
	done = true;
	const char *d = getenv("SW_TUI_DUMP");
	if (d && *d) {
		int fd = open(d, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		dump = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!dump)
			tui_fatal("SW_TUI_DUMP %s: %s", d, strerror(errno));
	}
	const char *s = getenv("SW_TUI_SCRIPT");
	if (s && *s) {
		script_path = s;
		load(s);
	}
}

bool tui_script_running(void) { return pc < ncmds; }

/* After each frame: the composed screen (stdscr and panels) as curses sent it, from curscr. */
void tui_script_frame(void)
{
	if (!dump && !tui_script_running())
		return;
	size_t need = (size_t)LINES * ((size_t)COLS * MB_LEN_MAX + 1) + 1;
	if (need > shot_cap) {
		char *p = realloc(shot, need);
		if (!p)
			tui_fatal("out of memory");
		shot = p;
		shot_cap = need;
	}
	cchar_t *row = malloc(sizeof *row * (size_t)(COLS + 1));
	if (!row)
		tui_fatal("out of memory");
	size_t at = 0;
	for (int y = 0; y < LINES; y++) {
		int n = mvwin_wchnstr(curscr, y, 0, row, COLS) == ERR ? 0 : COLS;
		size_t start = at;
		mbstate_t st = {0};
		for (int x = 0; x < n; x++) {
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (getcchar(&row[x], wc, &a, &pair, NULL) == ERR || !wc[0])
				continue;
			if (a & A_ALTCHARSET) /* line drawing: q and x are lines, the rest corners */
				wc[0] = wc[0] == 'q' ? L'-' : wc[0] == 'x' ? L'|' : L'+';
			size_t k = wcrtomb(shot + at, wc[0], &st);
			if (k == (size_t)-1) {
				shot[at] = '?';
				k = 1;
				memset(&st, 0, sizeof st);
			}
			at += k;
		}
		while (at > start && shot[at - 1] == ' ')
			at--;
		shot[at++] = '\n';
	}
	shot[at > 0 ? at - 1 : 0] = '\0';
	free(row);
	have_shot = true;
	if (dump) {
		fprintf(dump, "--- frame %ld ---\n%s\n", ++frames, shot);
		fflush(dump);
	}
}

/* The next scripted key, or -1: the script waits for the screen (then *timeout_ms is lowered
 * to its deadline) or has ended. Runs marks, timeouts and satisfied waits on the way. */
int tui_script_key(int *timeout_ms)
{
	while (pc < ncmds) {
		struct cmd *c = &cmds[pc];
		switch (c->op) {
		case OP_KEYS:
			if (key_i < c->nkeys)
				return c->keys[key_i++];
			key_i = 0;
			pc++;
			break;
		case OP_TIMEOUT:
			wait_secs = c->secs;
			pc++;
			break;
		case OP_MARK:
			if (dump) {
				fprintf(dump, "--- mark %s ---\n", c->arg);
				fflush(dump);
			}
			pc++;
			break;
		case OP_WAIT: {
			long long now = loop_now_ms();
			if (deadline < 0)
				deadline = now + wait_secs * 1000;
			if (have_shot && regexec(&c->re, shot, 0, NULL, 0) == 0) {
				deadline = -1;
				pc++;
				break;
			}
			if (now >= deadline)
				fail("line %d: no screen matched \"%s\" within %ld s", c->line, c->arg, wait_secs);
			long long left = deadline - now;
			if (*timeout_ms < 0 || left < *timeout_ms)
				*timeout_ms = (int)left;
			return -1;
		}
		}
	}
	return -1;
}
