/* The vault dialog: unlock the profile's vault, or create it on the first run. The
 * passphrase goes from the masked field into protected memory and nowhere else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/exitcode.h"
#include "front/session.h"
#include "core/sys/log.h"
#include "screens/screen.h"
#include "secrets/secmem.h"
#include "tui/widgets.h"

#define PASS_MAX 1024
#define PASS_MIN 8

struct unlock {
	struct wizard *w;
	struct tui_form *form;
	int create;
	int attempts;
	int exit_code;
	char fatal[512];   /* a problem no passphrase fixes */
};

static void unlock_draw(void *ctx)
{
	struct unlock *u = ctx;
	struct wizard *w = u->w;
	erase();
	screen_frame(w, u->create ? "create the vault" : "unlock the vault",
	             u->fatal[0] ? "any key quits"
	             : u->create ? "Enter confirm  Tab next field  F10 quit"
	                         : "Enter unlock  F10 quit");
	int y = 2;
	if (u->create) {
		mvprintw(y++, 2, "No vault yet in %.60s.", w->prof->dir);
		mvaddstr(y++, 2, "Choose its passphrase (8 characters or more). Every secret this wizard");
		mvaddstr(y++, 2, "creates is sealed with it, and nobody can read them without it, you");
		mvaddstr(y++, 2, "included: keep it in a password manager.");
	} else {
		mvprintw(y++, 2, "The vault %.60s/%s", w->prof->dir, VAULT_FILE);
		mvaddstr(y++, 2, "holds every secret of this install. Enter its passphrase.");
	}
	if (u->fatal[0]) {
		attr_t a = tui_attr(TUI_ERROR);
		attron(a);
		mvaddnstr(y + 1, 2, u->fatal, COLS - 4);
		attroff(a);
		return;
	}
	tui_form_draw(u->form, y + 1, 2, true);
}

static int try_create(struct unlock *u, char *p1, size_t l1)
{
	struct wizard *w = u->w;
	char *p2 = secmem_alloc(PASS_MAX);
	if (!p2)
		return -1;
	size_t l2 = tui_form_get(u->form, 1, p2, PASS_MAX);
	int same = l1 == l2 && secmem_equal(p1, p2, l1);
	secmem_free(p2);
	if (l1 < PASS_MIN) {
		screen_say(w, 1, "passphrase: must be at least %d characters", PASS_MIN);
		return -1;
	}
	if (!same) {
		screen_say(w, 1, "passphrase: the two entries differ");
		tui_form_set(u->form, 1, "");
		tui_form_focus(u->form, 1);
		return -1;
	}
	char err[1024];
	vault_status vs = vault_create(w->prof->dir, p1, l1, VAULT_KDF_DEFAULT, &w->v, err, sizeof err);
	if (vs != VAULT_OK) {
		snprintf(u->fatal, sizeof u->fatal, "%s", err);
		u->exit_code = SW_EXIT_ERROR;
		return -1;
	}
	screen_say(w, 0, "vault created: %s", vault_path(w->v));
	return 0;
}

static int try_open(struct unlock *u, char *p1, size_t l1)
{
	struct wizard *w = u->w;
	char err[1024];
	vault_status vs = vault_open(w->prof->dir, p1, l1, &w->v, err, sizeof err);
	if (vs == VAULT_E_PASSPHRASE) {
		u->attempts++;
		screen_say(w, 1, "wrong passphrase (attempt %d)", u->attempts);
		log_msg(LOG_WARN, "vault unlock: wrong passphrase (attempt %d)", u->attempts);
		tui_form_set(u->form, 0, "");
		return -1;
	}
	if (vs != VAULT_OK) {
		snprintf(u->fatal, sizeof u->fatal, "%s", err);
		u->exit_code = vs == VAULT_E_NEWER ? SW_EXIT_NEWER
		               : vs == VAULT_E_HEADER || vs == VAULT_E_TAMPERED || vs == VAULT_E_TRUNCATED
		                   ? SW_EXIT_DAMAGED
		                   : SW_EXIT_ERROR;
		return -1;
	}
	uint64_t gen = vault_generation(w->v);
	if (gen < w->st->vault_generation && !w->opts->accept_old_vault) {
		snprintf(u->fatal, sizeof u->fatal,
		         "vault generation %llu is older than the state's %llu: restored from an old "
		         "backup? Start with --accept-old-vault to continue with it.",
		         (unsigned long long)gen, (unsigned long long)w->st->vault_generation);
		vault_close(w->v);
		w->v = NULL;
		u->exit_code = SW_EXIT_ERROR;
		return -1;
	}
	w->msg[0] = '\0';
	return 0;
}

static enum tui_event unlock_key(void *ctx, int key)
{
	struct unlock *u = ctx;
	if (u->fatal[0])
		return TUI_QUIT;
	if (key == TUI_KEY(KEY_F(10)) || key == TUI_CTRL('q'))
		return TUI_QUIT;
	int enter = key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER);
	if (!enter)
		return tui_form_key(u->form, key);
	if (u->create && tui_form_current(u->form) == 0) {
		tui_form_focus(u->form, 1);
		return TUI_REDRAW;
	}
	char *p1 = secmem_alloc(PASS_MAX);
	if (!p1)
		return TUI_REDRAW;
	size_t l1 = tui_form_get(u->form, 0, p1, PASS_MAX);
	/* Argon2id takes a moment: say so before the screen stops answering. */
	mvaddstr(LINES - 2, 1, u->create ? "creating the vault..." : "unlocking...");
	clrtoeol();
	refresh();
	int rc = u->create ? try_create(u, p1, l1) : try_open(u, p1, l1);
	secmem_free(p1);
	return rc == 0 ? TUI_NEXT : TUI_REDRAW;
}

int unlock_run(struct wizard *w, int *exit_code)
{
	struct unlock u = {.w = w, .create = !vault_exists(w->prof->dir)};
	u.form = tui_form_new();
	tui_form_add(u.form, "Passphrase", 40, PASS_MAX - 1, TUI_FIELD_SECRET);
	if (u.create)
		tui_form_add(u.form, "Repeat it", 40, PASS_MAX - 1, TUI_FIELD_SECRET);
	tui_form_focus(u.form, 0);
	struct tui_app app = {unlock_draw, unlock_key, NULL, 0, &u};
	enum tui_event ev = tui_run(&app);
	tui_form_free(u.form);
	if (ev == TUI_NEXT && w->v)
		return 0;
	*exit_code = ev == TUI_SIGNAL ? 128 + tui_signal() : u.exit_code;
	if (u.fatal[0]) {
		log_msg(LOG_ERROR, "%s", u.fatal);
		screen_say(w, 1, "%s", u.fatal);
	}
	return -1;
}

int unlock_state_check(struct wizard *w, int *exit_code)
{
	char report[4096];
	if (session_state_check(w->opts, w->prof->dir, w->st, w->v, 1, report, sizeof report) != 0) {
		/* Nothing is sent before the operator takes the state as it is; No is the default. */
		char q[4400];
		snprintf(q, sizeof q, "Go on with state.json as it is now? Its records decide what the install does "
		         "next. No leaves the wizard (state.json.verified holds the last state it signed).\n\n%s",
		         report);
		int yes = tui_confirm("state.json was not verified", q);
		log_msg(LOG_WARN, "%s(%s)", report, yes == 1 ? "accepted by the operator" : "not accepted");
		if (yes != 1) {
			*exit_code = yes < 0 ? 128 + tui_signal() : SW_EXIT_STATE;
			screen_say(w, 1, "%s/%s was not verified and not accepted; nothing was sent (what differs: wizard.log)",
			           w->prof->dir, STATE_FILE);
			return -1;
		}
		char err[1024];
		if (session_state_accept(w->prof->dir, w->st, w->v, err, sizeof err) != 0) {
			*exit_code = SW_EXIT_ERROR;
			screen_say(w, 1, "%s", err);
			return -1;
		}
	} else if (*report) {
		screen_say(w, 0, "%s", report);
		log_msg(LOG_INFO, "%s", report);
	}
	if (w->st->vault_generation != vault_generation(w->v)) {
		w->st->vault_generation = vault_generation(w->v);
		wizard_save_state(w);
	}
	return 0;
}
