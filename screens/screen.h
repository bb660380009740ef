/* screens/screen.h: the wizard's screens. Every screen has the same shape (init, draw,
 * key, validate, fini) and the wizard is a table of them: adding a screen adds one file
 * and one row in screens/wizard.c. */
#ifndef SW_SCREEN_H
#define SW_SCREEN_H

#include <stddef.h>

#include "core/model/answers.h"
#include "core/model/plan.h"
#include "front/session.h"
#include "core/sys/profile.h"
#include "core/model/state.h"
#include "secrets/vault.h"
#include "tui/tui.h"

struct wizard {
	const struct session_options *opts;
	struct profile *prof;
	struct state *st;
	struct answers ans;
	vault *v;                 /* open for the whole run once unlocked */
	char msg[512];            /* the message line under the screen */
	int msg_error;
	int jump;                 /* screen index to show next, or -1 */
	int focus_q;              /* the question (plan_qid) a step screen opens on, or -1 */
};

struct screen {
	const char *name;
	/* Builds the screen's state for one visit; NULL ends the wizard with an error message. */
	void *(*init)(struct wizard *w);
	void (*draw)(struct wizard *w, void *self);
	/* TUI_NEXT / TUI_BACK / TUI_QUIT leave the screen; the others redraw or wait. */
	enum tui_event (*key)(struct wizard *w, void *self, int key);
	/* Before going forward: 0, or -1 with a message naming the field and rule. */
	int (*validate)(struct wizard *w, void *self, char *why, size_t whylen);
	void (*fini)(struct wizard *w, void *self);
	/* What besides the keyboard the screen waits on (sign-in, operations); NULL: nothing. */
	struct tui_source *(*sources)(void *self, int *n);
};

extern const struct screen screen_welcome, screen_subscription, screen_rabbitmq, screen_minio,
	screen_acr, screen_aks, screen_overlay, screen_review, screen_install, screen_credentials;

/* Shared drawing: the title line, the message line and the key help line. */
void screen_frame(struct wizard *w, const char *title, const char *keys);
void screen_say(struct wizard *w, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Persists the operator's confirmed answers (never defaults, never secrets) to the state. */
int wizard_save_answers(struct wizard *w);
/* Saves the state; on failure puts the message on the message line. 0 or -1. */
int wizard_save_state(struct wizard *w);

/* The questions of one step as a form (screens/stepform.c): the six step screens are
 * this mechanism with their step id. */
struct stepform;
struct stepform *stepform_new(struct wizard *w, step_id s);
void stepform_draw(struct wizard *w, struct stepform *f);
enum tui_event stepform_key(struct wizard *w, struct stepform *f, int key);
int stepform_validate(struct wizard *w, struct stepform *f, char *why, size_t whylen);
void stepform_free(struct wizard *w, struct stepform *f);
void stepform_set_keys(struct stepform *f, const char *keys);
/* Leaving the focused field without Enter (Up, Esc, F5): its value is saved when valid,
 * else kept on screen unsaved, with no complaint. */
void stepform_keep_focused(struct wizard *w, struct stepform *f);
/* Puts value in q's field and confirms it, as if typed. 0, or -1 (invalid, or not on this form). */
int stepform_set_answer(struct wizard *w, struct stepform *f, plan_qid q, const char *value);

/* The cloud the answers (or --cloud FILE) name. 0, or -1 with err. */
struct cloud;
int wizard_cloud(struct wizard *w, struct cloud *out, char *err, size_t errlen);

/* The command that starts this wizard again on the same profile (with --cloud and --ca-file
 * when given), for messages that suggest it; see profile_command. */
void wizard_command(const struct wizard *w, char *out, size_t outlen);

/* 1 when auth.method is service-principal and the vault holds no client secret yet. */
int wizard_needs_client_secret(const struct wizard *w);
/* Asks for it in a masked field and seals it at once (screens/client_secret.c): TUI_NEXT once
 * sealed, TUI_BACK when cancelled, TUI_QUIT/TUI_SIGNAL to leave. */
enum tui_event wizard_ask_client_secret(struct wizard *w);

/* Where "continue" goes: the screen of the resume step, or the review once every step's
 * answers are confirmed. */
int wizard_resume_screen(const struct wizard *w);
/* The screen index of a step's screen. */
int wizard_step_screen(step_id s);

/* A step screen that is its step's questions and nothing more (screens/<step>.c). */
#define STEPFORM_SCREEN(sym, key_, step_)                                                   \
	static void *sym##_init(struct wizard *w) { return stepform_new(w, step_); }            \
	static void sym##_draw(struct wizard *w, void *self) { stepform_draw(w, self); }        \
	static enum tui_event sym##_key(struct wizard *w, void *self, int key)                  \
	{                                                                                       \
		return stepform_key(w, self, key);                                                  \
	}                                                                                       \
	static int sym##_validate(struct wizard *w, void *self, char *why, size_t whylen)       \
	{                                                                                       \
		return stepform_validate(w, self, why, whylen);                                     \
	}                                                                                       \
	static void sym##_fini(struct wizard *w, void *self) { stepform_free(w, self); }        \
	const struct screen sym = {key_, sym##_init, sym##_draw, sym##_key, sym##_validate, sym##_fini, NULL}

/* The vault dialog (screens/unlock.c): unlocks the profile's vault, or creates it.
 * 0 with w->v set; else -1 with the process exit code in *exit_code (0 when the
 * operator quit, 128+N after signal N, the vault's code for a damaged vault). */
int unlock_run(struct wizard *w, int *exit_code);
/* After unlock: state.json checked against the vault (session_state_check); when it was not
 * verified the operator is asked (default No). Then the state follows the vault generation.
 * 0, or -1 with *exit_code set. */
int unlock_state_check(struct wizard *w, int *exit_code);

/* The whole wizard; the CLI calls it when no command is given. Returns an exit code. */
int wizard_main(const struct session_options *o, struct profile *p);

#endif
