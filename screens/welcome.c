/* The welcome screen: what the wizard does, the table's steps with their status, and where
 * the install resumes. Enter continues there; a step can also be picked to revisit it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/text.h"
#include "core/sys/timeutil.h"
#include "screens/screen.h"
#include "tui/widgets.h"

struct welcome {
	struct tui_choice *steps;
	int resume;   /* screen index */
};

static void *welcome_init(struct wizard *w)
{
	struct welcome *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->steps = tui_choice_new();
	s->resume = wizard_resume_screen(w);
	for (int i = 0; (size_t)i < plan_step_count(); i++) {
		const struct step_state *ss = &w->st->steps[i];
		char when[TIME_ISO_LEN], desc[160], name[64];
		time_iso(ss->updated, when, sizeof when);
		/* Nothing of this profile runs while the overview shows: a running step was interrupted. */
		const char *status = ss->status != STEP_PENDING ? state_status_shown(step_status_name(ss->status), 0)
		                     : ss->confirmed            ? "answered"
		                                                : "pending";
		snprintf(name, sizeof name, "%d. %s", i + 1, plan_step_title((step_id)i));
		snprintf(desc, sizeof desc, "%-11s %s", status, ss->updated ? when : "");
		tui_choice_add(s->steps, name, desc);
	}
	int r = state_resume_step(w->st);
	tui_choice_select(s->steps, r >= 0 ? r : (int)plan_step_count() - 1);
	return s;
}

static void welcome_draw(struct wizard *w, void *self)
{
	struct welcome *s = self;
	int nsteps = (int)plan_step_count();
	erase();
	screen_frame(w, "overview", NULL);
	mvaddstr(2, 2, "This wizard installs the studio-go-runner stack on Azure: a RabbitMQ VM,");
	mvaddstr(3, 2, "a Minio VM with its data disk, a container registry, an AKS cluster");
	mvaddstr(4, 2, "and the kustomize overlay that starts the runner pods. Secrets go into");
	mvprintw(5, 2, "the sealed vault in %.60s.", w->prof->dir);
	if (w->opts->answers) {   /* the fields are filled in, not typed: say from where */
		char file[256];
		text_safe(w->opts->answers, file, sizeof file);
		mvprintw(6, 2, "Answers preloaded from %.*s (--answers).", COLS - 30, file);
	}
	tui_choice_draw(s->steps, 7, 4, nsteps + 2, COLS - 8, true);
	char lines[SUMMARY_LINES][SUMMARY_LINE];
	int n = wizard_summary(w, 1, lines, SUMMARY_LINES);
	attr_t a = tui_attr(TUI_TITLE);
	attron(a);
	for (int i = 0, y = 10 + nsteps; i < n && y < LINES - 2; i++)
		y += tui_wrap(stdscr, y, 4, COLS - 8, LINES - 2 - y, lines[i]);
	attroff(a);
}

static const char *summary_output(const struct wizard *w, const char *key, const char *none, char *buf, size_t len)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->st->outputs, key));
	text_safe(v ? v : none, buf, len);
	return buf;
}

int wizard_summary(const struct wizard *w, int tui, char (*lines)[SUMMARY_LINE], int max)
{
	int n = 0;
	char cmd[1024], a1[64], a2[128], a3[32];
	wizard_command(w, cmd, sizeof cmd);
#define LINE(...) (n < max ? (void)snprintf(lines[n++], SUMMARY_LINE, __VA_ARGS__) : (void)0)
	int r = state_resume_step(w->st);
	if (r < 0 || w->st->steps[plan_step_count() - 1].status == STEP_DONE) {
		/* installed: the runner pods were Running and ready when the last step ended */
		/* The endpoints as the steps output them (the AMQP port is an answer). */
		LINE("installed: runner pods %s ready", summary_output(w, "overlay.ready", "?", a3, sizeof a3));
		LINE("  RabbitMQ %s", summary_output(w, "rabbitmq.amqp_url", "?", a1, sizeof a1));
		LINE("  Minio    %s", summary_output(w, "minio.endpoint", "?", a2, sizeof a2));
		LINE("next: the experimenters' studioml config: F3 then e in the wizard, or `%s export experimenter`", cmd);
	} else {
		const struct step_state *ss = &w->st->steps[r];
		const char *how = tui ? "Enter goes to the review, then the install" : "start the wizard again to resume";
		if (wizard_resume_screen(w) == wizard_step_screen((step_id)r))
			LINE("resume at %s (%s)", plan_step_key((step_id)r), plan_step_title((step_id)r));
		else if (ss->status == STEP_RUNNING || ss->status == STEP_FAILED)
			LINE("resume at %s (%s): its install %s; %s", plan_step_key((step_id)r), plan_step_title((step_id)r),
			     ss->status == STEP_RUNNING ? "was interrupted" : "failed", how);
		else
			LINE("resume at the review: every step's answers are confirmed");
		/* The VMs' addresses as soon as Azure gave them, for an operator who wants to look. */
		if (cJSON_GetObjectItemCaseSensitive(w->st->outputs, "rabbitmq.public_ip") ||
		    cJSON_GetObjectItemCaseSensitive(w->st->outputs, "minio.public_ip"))
			LINE("VMs: RabbitMQ %s, Minio %s", summary_output(w, "rabbitmq.public_ip", "not yet", a1, sizeof a1),
			     summary_output(w, "minio.public_ip", "not yet", a2, sizeof a2));
		if (ss->status == STEP_FAILED && ss->error) {
			char err[SUMMARY_LINE];
			text_safe(ss->error, err, sizeof err);
			LINE("  %s", err);
		}
		if (!tui)
			LINE("next: `%s`", cmd);
	}
	LINE("log: %s/wizard.log", w->prof->dir);
#undef LINE
	return n;
}

enum { W_ENTER = 1 };
static const struct tui_keydef welcome_keys_table[] = {
	{W_ENTER, {'\n', '\r', TUI_KEY(KEY_ENTER)}, "Enter",
	 "continue where the install resumes; on another step: revisit it", "continue"},
	{TUI_ACTION_HELP, {'?'}, "?", "this list of keys (as F1)", NULL},
	{0, {0}, NULL, NULL, NULL},
};

static void welcome_keys(struct wizard *w, void *self, struct tui_keyset *ks)
{
	(void)w, (void)self;
	tui_keyset_add(ks, "this screen", welcome_keys_table);
	tui_keyset_add(ks, "the steps", tui_choice_keys);
}

static enum tui_event welcome_key(struct wizard *w, void *self, int key)
{
	struct welcome *s = self;
	if (tui_keys_find(welcome_keys_table, key) == W_ENTER) {
		int picked = tui_choice_selected(s->steps);
		int r = state_resume_step(w->st);
		/* Enter on the resume step continues; on another step, revisits it. */
		w->jump = picked == r || picked < 0 ? s->resume : wizard_step_screen((step_id)picked);
		return TUI_NEXT;
	}
	return tui_choice_key(s->steps, key);
}

static void welcome_fini(struct wizard *w, void *self)
{
	(void)w;
	struct welcome *s = self;
	tui_choice_free(s->steps);
	free(s);
}

const struct screen screen_welcome = {
	.name = "welcome",
	.init = welcome_init,
	.draw = welcome_draw,
	.key = welcome_key,
	.validate = NULL,
	.fini = welcome_fini,
	.keys = welcome_keys,
};
