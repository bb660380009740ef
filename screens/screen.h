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

struct tui_keyset;   /* tui/widgets.h */
struct tui_keydef;

struct wizard {
	const struct session_options *opts;
	struct profile *prof;
	struct state *st;
	struct answers ans;
	vault *v;                 /* open for the whole run once unlocked */
	struct loop *loop;        /* the one event loop: the keys and every engine the screens start */
	char msg[512];            /* the message line under the screen */
	int msg_error;
	int jump;                 /* screen index to show next, or -1 */
	int focus_q;              /* the question (plan_qid) a step screen opens on, or -1 */
	step_id step;             /* the step whose screen is shown, or -1 */
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
	/* The quit dialog's text when leaving here means more (what keeps running); NULL: the usual. */
	void (*quit_note)(struct wizard *w, void *self, char *out, size_t outlen);
	/* The key tables the screen dispatches on now, its own first (tui/widgets.h): the footer
	 * is drawn from them and F1 lists them with the wizard's own keys. NULL: the screen draws
	 * its own footer and F1 lists the wizard's keys only. */
	void (*keys)(struct wizard *w, void *self, struct tui_keyset *ks);
};

/* screen_step: the questions of w->step as a form (screens/stepform.c), for every step
 * without a screen of its own. */
extern const struct screen screen_welcome, screen_subscription, screen_step, screen_review, screen_install,
	screen_credentials;

/* Shared drawing: the title line, the message (wrapped whole over the rows above the key
 * help line) and the key help line (none when keys is NULL: the runner draws it from the
 * screen's key tables). Returns the first row the message takes (LINES - 1 without one):
 * the screen's text stays above it. */
int screen_frame(struct wizard *w, const char *title, const char *keys);
void screen_say(struct wizard *w, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Persists the operator's confirmed answers (never defaults, never secrets) to the state. */
int wizard_save_answers(struct wizard *w);
/* Saves the state; on failure puts the message on the message line. 0 or -1. */
int wizard_save_state(struct wizard *w);

/* The questions of one step as a form (screens/stepform.c): screen_step is this mechanism,
 * the subscription screen builds on it. */
struct stepform;
struct stepform *stepform_new(struct wizard *w, step_id s);
void stepform_draw(struct wizard *w, struct stepform *f);
enum tui_event stepform_key(struct wizard *w, struct stepform *f, int key);
int stepform_validate(struct wizard *w, struct stepform *f, char *why, size_t whylen);
void stepform_free(struct wizard *w, struct stepform *f);
/* The screen's own keys, listed and drawn before the questions' keys. */
void stepform_set_extra_keys(struct stepform *f, const struct tui_keydef *extra);
void stepform_keys(struct wizard *w, struct stepform *f, struct tui_keyset *ks);
/* Leaving the focused field without Enter (Up, Esc, F5): its value is saved when valid,
 * else kept on screen unsaved, with no complaint. */
void stepform_keep_focused(struct wizard *w, struct stepform *f);
/* Puts value in q's field and confirms it, as if typed. 0, or -1 (invalid, or not on this form). */
int stepform_set_answer(struct wizard *w, struct stepform *f, plan_qid q, const char *value);

/* F4 on acr.image (screens/image_tags.c): the source registry's tags of the image's repository,
 * newest first, each marked with whether its runner can use the GPU size answered. NULL with
 * why when it cannot list them (*ev TUI_REDRAW), or when the list was cancelled (why empty);
 * *ev TUI_SIGNAL/TUI_QUIT to leave. */
struct image_tags;
struct image_tags *image_tags_fetch(struct wizard *w, const char *image, enum tui_event *ev, char *why,
                                    size_t whylen);
const struct plan_choice *image_tags_choices(const struct image_tags *t, size_t *n);
void image_tags_free(struct image_tags *t);

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

/* The vault dialog (screens/unlock.c): unlocks the profile's vault, or creates it.
 * 0 with w->v set; else -1 with the process exit code in *exit_code (0 when the
 * operator quit, 128+N after signal N, the vault's code for a damaged vault). */
int unlock_run(struct wizard *w, int *exit_code);
/* After unlock: state.json checked against the vault (session_state_check); when it was not
 * verified the operator is asked (default No). Then the state follows the vault generation.
 * 0, or -1 with *exit_code set. */
int unlock_state_check(struct wizard *w, int *exit_code);

/* The closing summary (screens/welcome.c): where the install stands, the endpoints, what to do
 * next and where the log is. The overview shows it (tui 1); the wizard prints it on stdout
 * when it ends (tui 0), as `terraform apply` prints its outputs. Returns how many lines. */
#define SUMMARY_LINES 6
#define SUMMARY_LINE 1280
int wizard_summary(const struct wizard *w, int tui, char (*lines)[SUMMARY_LINE], int max);

/* The whole wizard; the CLI calls it when no command is given. Returns an exit code. */
int wizard_main(const struct session_options *o, struct profile *p);

#endif
