/* The service principal's client secret, asked for in the wizard when the vault does not
 * hold it yet (F5 on the Subscription screen, the start of the install), the way
 * `az login --service-principal` prompts for it: typed into a masked field, sealed in the
 * vault at once, and from then on only ever in protected memory. `vault set` cannot do this
 * while the wizard runs: the wizard holds the profile's lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/auth.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "screens/screen.h"
#include "secrets/secmem.h"
#include "tui/widgets.h"

#define SECRET_MAX 1024

struct secret_prompt {
	struct wizard *w;
	struct tui_form *form;
};

int wizard_needs_client_secret(const struct wizard *w)
{
	const char *m = answers_get(&w->ans, plan_q("auth.method"));
	const unsigned char *val;
	size_t len;
	if (!m || strcmp(m, "service-principal") != 0)
		return 0;
	return !w->v || vault_get(w->v, AUTH_SECRET_ENTRY, &val, &len, NULL) != VAULT_OK || len == 0;
}

static void prompt_draw(void *ctx)
{
	struct secret_prompt *p = ctx;
	struct wizard *w = p->w;
	char id[128], tenant[300];
	text_safe(answers_get(&w->ans, plan_q("auth.client_id")), id, sizeof id);
	text_safe(answers_get(&w->ans, plan_q("auth.tenant")), tenant, sizeof tenant);
	tui_cover();   /* the Subscription form's panel lies underneath */
	erase();
	screen_frame(w, "service principal secret", "Enter seal it  Esc cancel  F10 quit");
	mvprintw(2, 2, "The service principal %.40s (tenant %.60s)", id, tenant);
	mvaddstr(3, 2, "signs in with its client secret. Type or paste it: it is sealed in the vault");
	mvprintw(4, 2, "as %s at once and never shown.", AUTH_SECRET_ENTRY);
	tui_form_draw(p->form, 6, 2, true);
}

static int seal(struct secret_prompt *p)
{
	struct wizard *w = p->w;
	char err[1024];
	char *value = secmem_alloc(SECRET_MAX);
	if (!value) {
		screen_say(w, 1, "out of protected memory");
		return -1;
	}
	size_t len = tui_form_get(p->form, 0, value, SECRET_MAX);
	int rc = -1;
	if (len == 0)
		screen_say(w, 1, "%s: must not be empty", AUTH_SECRET_ENTRY);
	else if (vault_put(w->v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "subscription", value,
	                   len) != VAULT_OK)
		screen_say(w, 1, "%s: cannot add it to the vault (out of memory)", AUTH_SECRET_ENTRY);
	else if (vault_save(w->v, err, sizeof err) != VAULT_OK) {
		/* Not sealed on disk: drop it from memory too, so nothing pretends it is kept. */
		vault_remove(w->v, AUTH_SECRET_ENTRY);
		screen_say(w, 1, "%s", err);
		log_msg(LOG_ERROR, "%s", err);
	} else {
		w->st->vault_generation = vault_generation(w->v);
		rc = wizard_save_state(w);
		log_msg(LOG_INFO, "vault: %s sealed (typed in the wizard)", AUTH_SECRET_ENTRY);
		screen_say(w, 0, "%s sealed in the vault", AUTH_SECRET_ENTRY);
	}
	secmem_free(value);
	tui_form_set(p->form, 0, "");
	return rc;
}

static enum tui_event prompt_key(void *ctx, int key)
{
	struct secret_prompt *p = ctx;
	if (key == TUI_KEY(KEY_F(10)) || key == TUI_CTRL('q'))
		return TUI_QUIT;
	if (key == TUI_ESC)
		return TUI_BACK;
	if (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER))
		return seal(p) == 0 ? TUI_NEXT : TUI_REDRAW;
	return tui_form_key(p->form, key);
}

enum tui_event wizard_ask_client_secret(struct wizard *w)
{
	struct secret_prompt p = {.w = w, .form = tui_form_new()};
	if (!p.form || !w->v)
		return TUI_BACK;
	tui_form_add(p.form, "Client secret", 46, SECRET_MAX - 1, TUI_FIELD_SECRET);
	tui_form_focus(p.form, 0);
	w->msg[0] = '\0';
	struct tui_app app = {prompt_draw, prompt_key, NULL, 0, &p};
	enum tui_event ev = tui_run(&app);
	tui_form_free(p.form);
	return ev;
}
