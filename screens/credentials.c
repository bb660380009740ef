/* The credentials screen: the vault's entries (name, kind, step, updated). A value stays
 * masked until the operator reveals it, and is masked again on moving or leaving. It can be
 * copied to a new file (mode 0600) or to the clipboard (OSC 52), or deleted after a yes. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys/log.h"
#include "core/sys/text.h"
#include "core/sys/timeutil.h"
#include "core/model/validate.h"
#include "core/engine/step.h"
#include "core/steps/experimenter.h"
#include "core/steps/steps.h"
#include "screens/screen.h"
#include "secrets/secmem.h"
#include "tui/widgets.h"

struct creds {
	struct tui_choice *list;
	int revealed;          /* index of the revealed entry, or -1 */
	char *shown;           /* protected: the revealed value's lines, each terminal-safe */
	int scroll;            /* first row of the value shown */
	int rows, page;        /* the value's rows and the box's height at the last draw */
	int kindw, stepw;      /* the columns as wide as their longest entry */
};

/* Columns as wide as what they hold, so UPDATED fits at 80 columns beside long names. */
static void fill(struct wizard *w, struct creds *c)
{
	if (c->list)
		tui_choice_free(c->list);
	c->list = tui_choice_new();
	c->kindw = 4;
	c->stepw = 4;
	size_t n = w->v ? vault_count(w->v) : 0;
	for (size_t i = 0; i < n; i++) {
		struct vault_entry_info e;
		vault_entry_at(w->v, i, &e);
		int kw = (int)strlen(vault_kind_name(e.kind)), sw = (int)strlen(e.step);
		c->kindw = kw > c->kindw ? kw : c->kindw;
		c->stepw = sw > c->stepw ? sw : c->stepw;
	}
	for (size_t i = 0; i < n; i++) {
		struct vault_entry_info e;
		vault_entry_at(w->v, i, &e);
		char when[TIME_ISO_LEN], desc[160];
		time_iso(e.updated, when, sizeof when);
		snprintf(desc, sizeof desc, "%-*s  %-*s  %s", c->kindw, vault_kind_name(e.kind), c->stepw, e.step, when);
		tui_choice_add(c->list, e.name, desc);
	}
}

static void hide(struct creds *c)
{
	secmem_free(c->shown);
	c->shown = NULL;
	c->revealed = -1;
}

static void *creds_init(struct wizard *w)
{
	struct creds *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->revealed = -1;
	fill(w, c);
	w->msg[0] = '\0';   /* the screen underneath's message is about that screen */
	return c;
}

/* The value as lines: each line made terminal-safe on its own (core/sys/text.h), joined
 * by real newlines, so a kubeconfig or a PEM key reads as it is written. */
static void reveal(struct wizard *w, struct creds *c, int i)
{
	const unsigned char *val;
	size_t len;
	if (vault_get(w->v, tui_choice_name(c->list, i), &val, &len, NULL) != VAULT_OK)
		return;
	hide(c);
	size_t cap = 6 * len + 2;   /* text_safe writes at most 6 bytes per 2 ("\u0080") */
	c->shown = secmem_alloc(cap);
	if (!c->shown)
		return;
	size_t o = 0;
	for (size_t k = 0; k <= len;) {
		const unsigned char *nl = memchr(val + k, '\n', len - k);
		size_t end = nl ? (size_t)(nl - val) : len, n = end;
		if (n > k && val[n - 1] == '\r')
			n--;   /* CRLF text: the CR is part of the line break */
		o += text_safe_n((const char *)val + k, n - k, c->shown + o, cap - o);
		if (!nl || end + 1 == len)
			break;
		c->shown[o++] = '\n';
		k = end + 1;
	}
	c->shown[o] = '\0';
	c->revealed = i;
	c->scroll = 0;
}

/* The revealed value in a box from row top down to the message line; PgUp/PgDn scroll it. */
static void draw_value(struct creds *c, int top)
{
	int height = LINES - 3 - top - 1, width = COLS - 8;
	if (height < 3)
		height = 3;
	c->rows = tui_wrap_count(c->shown, width);
	c->page = height - 2;
	if (c->scroll > c->rows - c->page)
		c->scroll = c->rows - c->page;
	if (c->scroll < 0)
		c->scroll = 0;
	WINDOW *box = derwin(stdscr, height, COLS - 4, top, 2);
	if (box) {
		box(box, 0, 0);
		delwin(box);
	}
	if (c->rows > c->page) {
		char where[64];
		int last = c->scroll + c->page < c->rows ? c->scroll + c->page : c->rows;
		int n = snprintf(where, sizeof where, " rows %d-%d of %d, PgUp/PgDn ", c->scroll + 1, last, c->rows);
		mvaddstr(top + height - 1, COLS - 4 - n, where);
	}
	attr_t a = tui_attr(TUI_WARN);
	attron(a);
	tui_wrap_draw(top + 1, 4, width, c->page, c->scroll, c->shown);
	attroff(a);
}

static void creds_draw(struct wizard *w, void *self)
{
	struct creds *c = self;
	tui_cover();   /* opened over another screen (F3): hide its lists and forms */
	erase();
	screen_frame(w, "credentials", NULL);
	if (!w->v || vault_count(w->v) == 0) {
		mvaddstr(3, 2, "The vault holds no entries yet: the steps add them as they create secrets.");
		return;
	}
	int n = tui_choice_count(c->list);
	int h = LINES - 10 < n + 2 ? LINES - 10 : n + 2;   /* the list's box takes two rows */
	/* Over the list's columns: box edge, "> " mark, the longest name, two spaces. */
	int namew = 4;
	for (int i = 0; i < n; i++)
		if ((int)strlen(tui_choice_name(c->list, i)) > namew)
			namew = (int)strlen(tui_choice_name(c->list, i));
	mvprintw(2, 5, "%-*s  %-*s  %-*s  %s", namew, "NAME", c->kindw, "KIND", c->stepw, "STEP", "UPDATED");
	tui_choice_draw(c->list, 3, 2, h, COLS - 4, true);
	int sel = tui_choice_selected(c->list);
	int y = 4 + h;
	mvprintw(y, 2, "value of %s:", sel >= 0 ? tui_choice_name(c->list, sel) : "-");
	if (c->shown && c->revealed == sel) {
		draw_value(c, y + 1);
	} else {
		attr_t a = tui_attr(TUI_MASKED);
		attron(a);
		mvaddstr(y + 1, 4, "******** (r reveals it)");
		attroff(a);
	}
}

/* A one-field text prompt over the current screen. 1 with out filled, 0 cancelled, -1 signal. */
struct prompt {
	struct tui_form *form;
	const char *title;
};

static void prompt_draw(void *ctx)
{
	struct prompt *p = ctx;
	int y = LINES / 2 - 2;
	for (int i = 0; i < 4; i++)
		mvhline(y + i, 2, ' ', COLS - 4);
	mvaddnstr(y, 3, p->title, COLS - 6);
	tui_form_draw(p->form, y + 2, 3, true);
}

static enum tui_event prompt_key(void *ctx, int key)
{
	struct prompt *p = ctx;
	if (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER))
		return TUI_NEXT;
	if (key == TUI_ESC)
		return TUI_BACK;
	return tui_form_key(p->form, key);
}

static int ask(const char *title, const char *label, char *out, size_t outlen)
{
	struct prompt p = {tui_form_new(), title};
	tui_form_add(p.form, label, 50, (int)outlen - 1, 0);
	tui_form_focus(p.form, 0);
	struct tui_app app = {prompt_draw, prompt_key, NULL, 0, &p};
	enum tui_event ev = tui_run(&app);
	if (ev == TUI_NEXT)
		tui_form_get(p.form, 0, out, outlen);
	tui_form_free(p.form);
	return ev == TUI_NEXT ? 1 : ev == TUI_SIGNAL ? -1 : 0;
}

static enum tui_event copy_to_file(struct wizard *w, const char *name)
{
	char path[1024] = "";
	int r = ask("Copy the value to a new file (mode 0600); Esc cancels", "File", path, sizeof path);
	if (r < 0)
		return TUI_SIGNAL;
	if (r == 0 || !path[0])
		return TUI_REDRAW;
	char full[1100];
	if (validate_expand_home(path, full, sizeof full) != 0)
		snprintf(full, sizeof full, "%s", path);
	const unsigned char *val;
	size_t len;
	vault_get(w->v, name, &val, &len, NULL);
	int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		screen_say(w, 1, "%s: %s%s", full, strerror(errno),
		           errno == EEXIST ? " (choose a new file: nothing is overwritten)" : "");
		return TUI_REDRAW;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, val + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	int ok = off == len && fsync(fd) == 0;
	close(fd);
	if (!ok) {
		unlink(full);
		screen_say(w, 1, "%s: write failed", full);
	} else {
		screen_say(w, 0, "%s copied to %s (mode 0600)", name, full);
		log_msg(LOG_INFO, "credentials: %s copied to %s", name, full);
	}
	return TUI_REDRAW;
}

/* The experimenters' studioml configuration of this install (core/steps/experimenter.h). */
static enum tui_event export_experimenter(struct wizard *w)
{
	char path[1024] = "", full[1100], err[1024];
	int r = ask("Write the studioml client config (secrets, mode 0600; empty: " EXPERIMENTER_DEFAULT_OUT ")", "File",
	            path, sizeof path);
	if (r < 0)
		return TUI_SIGNAL;
	if (r == 0)
		return TUI_REDRAW;
	if (validate_expand_home(path[0] ? path : EXPERIMENTER_DEFAULT_OUT, full, sizeof full) != 0)
		snprintf(full, sizeof full, "%s", path);
	if (!path[0] && experimenter_default_dir(err, sizeof err) != 0) {
		screen_say(w, 1, "%s (or type another file)", err);
		return TUI_REDRAW;
	}
	int rc = experimenter_write(w->st, w->v, full, err, sizeof err);
	if (rc != 0)
		screen_say(w, 1, "%s%s", err, rc == -2 ? " (press e and type another file)" : "");
	else
		screen_say(w, 0, "%s written (mode 0600): it holds the queue password and Minio keys", full);
	return TUI_REDRAW;
}

/* OSC 52: the terminal (and tmux, ssh) puts the value on the clipboard; nothing is drawn. */
static enum tui_event copy_to_clipboard(struct wizard *w, const char *name)
{
	const unsigned char *val;
	size_t len;
	vault_get(w->v, name, &val, &len, NULL);
	size_t cap = 16 + sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *seq = secmem_alloc(cap);
	if (!seq)
		return TUI_REDRAW;
	size_t o = (size_t)snprintf(seq, cap, "\033]52;c;");
	sodium_bin2base64(seq + o, cap - o, val, len, sodium_base64_VARIANT_ORIGINAL);
	o += strlen(seq + o);
	seq[o++] = '\a';
	fflush(stdout);
	ssize_t wr = write(STDOUT_FILENO, seq, o);
	secmem_free(seq);
	screen_say(w, wr == (ssize_t)o ? 0 : 1, wr == (ssize_t)o
	           ? "%s sent to the clipboard (OSC 52; the terminal must allow it)"
	           : "%s: could not write to the terminal", name);
	tui_invalidate();
	return TUI_REDRAW;
}

/* What deleting the entry breaks, from the step that makes it (core/steps/ secrets tables). */
static void delete_question(const char *name, char *out, size_t outlen)
{
	const struct step_table *t = steps_table();
	for (size_t s = 0; s < t->nsteps; s++)
		for (size_t i = 0; i < t->steps[s]->nsecrets; i++) {
			const struct plan_secret *sec = &t->steps[s]->secrets[i];
			if (strcmp(sec->name, name) == 0 && sec->lost) {
				snprintf(out, outlen, "Delete %s, %s?\nIf it goes: %s.\nThis cannot be undone.", name, sec->what,
				         sec->lost);
				return;
			}
		}
	snprintf(out, outlen, "Delete %s?\nNo step of the install uses it.\nThis cannot be undone.", name);
}

static enum tui_event delete_entry(struct wizard *w, struct creds *c, const char *name)
{
	char q[1024];
	delete_question(name, q, sizeof q);
	hide(c);
	int yes = tui_confirm("Delete", q);
	if (yes < 0)
		return TUI_SIGNAL;
	if (!yes)
		return TUI_REDRAW;
	char deleted[VAULT_NAME_MAX + 1], err[1024];
	snprintf(deleted, sizeof deleted, "%s", name);
	vault_remove(w->v, deleted);
	if (vault_save(w->v, err, sizeof err) != VAULT_OK) {
		screen_say(w, 1, "%s", err);
		return TUI_REDRAW;
	}
	w->st->vault_generation = vault_generation(w->v);
	wizard_save_state(w);
	fill(w, c);
	screen_say(w, 0, "%s deleted", deleted);
	log_msg(LOG_INFO, "credentials: %s deleted", deleted);
	return TUI_REDRAW;
}

enum { C_REVEAL = 1, C_BACK, C_FILE, C_CLIPBOARD, C_DELETE, C_EXPORT, C_SCROLL_DOWN, C_SCROLL_UP };

static const struct tui_keydef creds_keys_table[] = {
	{C_REVEAL, {'r'}, "r", "reveal the selected value, or mask it again", "reveal"},
	{C_BACK, {TUI_ESC}, "Esc", "back to the screen F3 was pressed on", "back"},
	{C_FILE, {'f'}, "f", "copy the value to a new file (mode 0600, never over a file)", "to file"},
	{C_CLIPBOARD, {'y'}, "y", "send the value to the clipboard (OSC 52)", "clipboard"},
	{C_DELETE, {'d'}, "d", "delete the entry, after saying what needs it and asking", "delete"},
	{C_EXPORT, {'e'}, "e", "write the experimenters' studioml config", "config"},
	{C_SCROLL_DOWN, {TUI_KEY(KEY_NPAGE)}, "PgDn", "scroll a revealed value down (else: the list)", NULL},
	{C_SCROLL_UP, {TUI_KEY(KEY_PPAGE)}, "PgUp", "scroll a revealed value up (else: the list)", NULL},
	{TUI_ACTION_HELP, {'?'}, "?", "this list of keys (as F1)", NULL},
	{0, {0}, NULL, NULL, NULL},
};

static void creds_keys(struct wizard *w, void *self, struct tui_keyset *ks)
{
	(void)w, (void)self;
	tui_keyset_add(ks, "this screen", creds_keys_table);
	tui_keyset_add(ks, "the list", tui_choice_keys);
}

static enum tui_event creds_key(struct wizard *w, void *self, int key)
{
	struct creds *c = self;
	int action = tui_keys_find(creds_keys_table, key);
	if (action == C_BACK)
		return TUI_BACK;
	if (action == C_EXPORT && w->v) {
		hide(c);
		return export_experimenter(w);
	}
	int sel = tui_choice_selected(c->list);
	if (sel < 0 || !w->v)
		return TUI_HANDLED;
	const char *name = tui_choice_name(c->list, sel);
	switch (action) {
	case C_REVEAL:
		if (c->revealed == sel)
			hide(c);
		else
			reveal(w, c, sel);
		return TUI_REDRAW;
	case C_FILE:
		hide(c);
		return copy_to_file(w, name);
	case C_CLIPBOARD:
		return copy_to_clipboard(w, name);
	case C_DELETE:
		return delete_entry(w, c, name);
	case C_SCROLL_DOWN: case C_SCROLL_UP:
		if (c->revealed != sel)
			break;
		c->scroll += (action == C_SCROLL_DOWN ? 1 : -1) * (c->page > 1 ? c->page - 1 : 1);
		return TUI_REDRAW;   /* the draw keeps it within the value */
	}
	enum tui_event ev = tui_choice_key(c->list, key);
	if (tui_choice_selected(c->list) != c->revealed)
		hide(c);   /* moving away masks the value again */
	if (tui_choice_selected(c->list) != sel)
		w->msg[0] = '\0';   /* what was said was about the entry left */
	return ev;
}

static void creds_fini(struct wizard *w, void *self)
{
	struct creds *c = self;
	w->msg[0] = '\0';   /* a notice about an entry means nothing on the screen underneath */
	hide(c);
	tui_choice_free(c->list);
	free(c);
}

const struct screen screen_credentials = {
	.name = "credentials",
	.init = creds_init,
	.draw = creds_draw,
	.key = creds_key,
	.validate = NULL,
	.fini = creds_fini,
	.keys = creds_keys,
};
