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
		const char *status = ss->status != STEP_PENDING ? step_status_name(ss->status)
		                     : ss->confirmed            ? "answered"
		                                                : "pending";
		snprintf(name, sizeof name, "%d. %s", i + 1, plan_step_title((step_id)i));
		snprintf(desc, sizeof desc, "%-9s %s", status, ss->updated ? when : "");
		tui_choice_add(s->steps, name, desc);
	}
	int r = state_resume_step(w->st);
	tui_choice_select(s->steps, r >= 0 ? r : (int)plan_step_count() - 1);
	return s;
}

static void welcome_draw(struct wizard *w, void *self)
{
	struct welcome *s = self;
	int n = (int)plan_step_count();
	erase();
	screen_frame(w, "overview",
	             "Enter continue  Up/Down pick a step  F3 credentials  F10 quit");
	mvaddstr(2, 2, "This wizard installs the studio-go-runner stack on Azure: a RabbitMQ VM,");
	mvaddstr(3, 2, "a Minio VM with its data disk, a container registry, an AKS GPU cluster");
	mvaddstr(4, 2, "and the kustomize overlay that starts the runner pods. Secrets go into");
	mvprintw(5, 2, "the sealed vault in %.60s.", w->prof->dir);
	tui_choice_draw(s->steps, 7, 4, n + 2, COLS - 8, true);
	attr_t a = tui_attr(TUI_TITLE);
	attron(a);
	int r = state_resume_step(w->st);
	if (r < 0 || (n > 0 && w->st->steps[n - 1].status == STEP_DONE)) {
		/* installed: the runner pods were Running and ready when the last step ended */
		char amqp[600], minio[128], ready[32];
		const cJSON *o = w->st->outputs;
		text_safe(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "rabbitmq.amqp_url")) ?: "?", amqp, sizeof amqp);
		text_safe(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "minio.endpoint")) ?: "?", minio, sizeof minio);
		text_safe(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "overlay.ready")) ?: "?", ready, sizeof ready);
		mvprintw(10 + n, 4, "installed: runner pods %s ready", ready);
		mvprintw(11 + n, 6, "RabbitMQ %.*s", COLS - 16, amqp);
		mvprintw(12 + n, 6, "Minio    %.*s", COLS - 16, minio);
		mvaddstr(13 + n, 4, "F3 then e writes the experimenters' studioml config");
		r = -1;
	} else if (r < 0)
		mvaddstr(10 + n, 4, "install complete: every step is done");
	else if (s->resume == wizard_step_screen((step_id)r))
		mvprintw(10 + n, 4, "resume at %s (%s)", plan_step_key((step_id)r),
		         plan_step_title((step_id)r));
	else if (w->st->steps[r].status == STEP_RUNNING || w->st->steps[r].status == STEP_FAILED)
		mvprintw(10 + n, 4, "resume at %s (%s): its install %s; Enter goes to the review, "
		         "then the install", plan_step_key((step_id)r), plan_step_title((step_id)r),
		         w->st->steps[r].status == STEP_RUNNING ? "was interrupted" : "failed");
	else
		mvprintw(10 + n, 4, "resume at the review: every step's answers are confirmed");
	const char *rip = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->st->outputs, "rabbitmq.public_ip"));
	const char *mip = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->st->outputs, "minio.public_ip"));
	if (r >= 0 && (rip || mip)) {
		/* The VMs' addresses as soon as Azure gave them, for an operator who wants to look. */
		char a1[64], a2[64];
		text_safe(rip ? rip : "not yet", a1, sizeof a1);
		text_safe(mip ? mip : "not yet", a2, sizeof a2);
		mvprintw(11 + n, 4, "VMs: RabbitMQ %s, Minio %s", a1, a2);
	}
	if (r >= 0 && w->st->steps[r].status == STEP_FAILED && w->st->steps[r].error)
		mvprintw(11 + n, 6, "%.*s", COLS - 8, w->st->steps[r].error);
	attroff(a);
}

static enum tui_event welcome_key(struct wizard *w, void *self, int key)
{
	struct welcome *s = self;
	if (key == '\n' || key == '\r' || key == TUI_KEY(KEY_ENTER)) {
		int picked = tui_choice_selected(s->steps);
		int r = state_resume_step(w->st);
		/* Enter on the resume step continues; on another step, revisits it. */
		w->jump = picked == r || picked < 0 ? s->resume : wizard_step_screen((step_id)picked);
		return TUI_NEXT;
	}
	if (key == TUI_ESC)
		return TUI_HANDLED;
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
};
