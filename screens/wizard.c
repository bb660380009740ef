#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/azure/cloud.h"
#include "core/remote/shquote.h"
#include "core/sys/exitcode.h"
#include "core/sys/log.h"
#include "core/sys/profile.h"
#include "core/sys/secret_input.h"
#include "secrets/secmem.h"
#include "screens/screen.h"
#include "secrets/atomic.h"
#include "tui/widgets.h"

/* The screens in the order the operator walks them. */
static const struct screen *const table[] = {
	&screen_welcome, &screen_subscription, &screen_rabbitmq, &screen_minio,
	&screen_acr,     &screen_aks,          &screen_overlay,  &screen_review,
	&screen_install,
};
#define NSCREENS ((int)(sizeof table / sizeof table[0]))
#define FIRST_STEP_SCREEN 1
#define REVIEW_SCREEN (FIRST_STEP_SCREEN + STEP_COUNT)

void screen_say(struct wizard *w, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof w->msg, fmt, ap);
	va_end(ap);
	w->msg_error = error;
}

void screen_frame(struct wizard *w, const char *title, const char *keys)
{
	char line[256];
	snprintf(line, sizeof line, "studio-wizard · profile %s · %s", w->prof->name, title);
	tui_title_draw(line);
	if (w->msg[0]) {
		attr_t a = tui_attr(w->msg_error ? TUI_ERROR : TUI_OK);
		attron(a);
		mvaddnstr(LINES - 2, 1, w->msg, COLS - 2);
		attroff(a);
	}
	tui_help_draw(keys);
}

int wizard_save_state(struct wizard *w)
{
	char err[1024];
	if (state_save(w->prof->dir, w->st, err, sizeof err) != STATE_OK) {
		screen_say(w, 1, "%s", err);
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	return 0;
}

int wizard_save_answers(struct wizard *w)
{
	struct answers given;
	answers_init(&given);
	for (int q = 0; q < PLAN_Q_COUNT; q++)
		if (w->ans.given[q] && w->ans.val[q])
			answers_set(&given, (plan_qid)q, w->ans.val[q]);
	cJSON *json = answers_to_json(&given);
	answers_free(&given);
	if (!json) {
		screen_say(w, 1, "out of memory saving the answers");
		return -1;
	}
	cJSON_Delete(w->st->answers);
	w->st->answers = json;
	return wizard_save_state(w);
}

/* answers.json beside the state: the answers this run used, ready for --answers. */
static void write_answers_file(struct wizard *w)
{
	cJSON *json = answers_to_json(&w->ans);
	char *text = json ? cJSON_Print(json) : NULL;
	cJSON_Delete(json);
	if (!text)
		return;
	size_t len = strlen(text);
	text[len] = '\n';
	struct iovec iov = {text, len + 1};
	char err[1024];
	/* This runs after tui_end() gave the signals back their default action; atomic_write
	 * holds a second SIGHUP from a closing terminal until the file is in place. */
	if (atomic_write(w->prof->dir, PROFILE_ANSWERS_FILE, &iov, 1, err, sizeof err) != 0)
		log_msg(LOG_ERROR, "%s", err);
	free(text);
}

int wizard_cloud(struct wizard *w, struct cloud *out, char *err, size_t errlen)
{
	return session_cloud(w->opts, answers_get(&w->ans, Q_CLOUD), out, err, errlen);
}

void wizard_command(const struct wizard *w, char *out, size_t outlen)
{
	char word[PATH_MAX * 4 + 3];
	profile_command(w->prof, out, outlen);
	size_t n = strlen(out);
	if (w->opts->cloud_file && n < outlen) {
		shquote_word(w->opts->cloud_file, word, sizeof word);
		n += (size_t)snprintf(out + n, outlen - n, " --cloud %s", word);
	}
	if (w->opts->ca_file && n < outlen) {
		shquote_word(w->opts->ca_file, word, sizeof word);
		snprintf(out + n, outlen - n, " --ca-file %s", word);
	}
}

struct runner {
	struct wizard *w;
	const struct screen *s;
	void *self;
};

static void runner_draw(void *ctx)
{
	struct runner *r = ctx;
	r->s->draw(r->w, r->self);
}

/* Keys every screen shares; the rest go to the screen. */
static enum tui_event runner_key(void *ctx, int key)
{
	struct runner *r = ctx;
	struct wizard *w = r->w;
	if (key == TUI_KEY(KEY_F(10)) || key == TUI_CTRL('q')) {
		int yes = tui_confirm("Quit", "Leave the wizard? Confirmed answers are saved; start it "
		                              "again to resume.");
		if (yes < 0)
			return TUI_SIGNAL;
		return yes ? TUI_QUIT : TUI_REDRAW;
	}
	if (key == TUI_KEY(KEY_F(3)) && r->s != &screen_credentials) {
		void *c = screen_credentials.init(w);
		if (!c)
			return TUI_REDRAW;
		struct runner inner = {w, &screen_credentials, c};
		struct tui_app app = {runner_draw, runner_key, NULL, 0, &inner};
		enum tui_event ev = tui_run(&app);
		screen_credentials.fini(w, c);
		return ev == TUI_SIGNAL || ev == TUI_QUIT ? ev : TUI_REDRAW;
	}
	enum tui_event ev = r->s->key(w, r->self, key);
	if (ev == TUI_NEXT && r->s->validate) {
		char why[512];
		if (r->s->validate(w, r->self, why, sizeof why) != 0) {
			screen_say(w, 1, "%s", why);
			return TUI_REDRAW;
		}
	}
	return ev;
}

int wizard_step_screen(step_id s)
{
	return FIRST_STEP_SCREEN + (int)s;
}

static int step_of_screen(int i)
{
	return i >= FIRST_STEP_SCREEN && i < FIRST_STEP_SCREEN + STEP_COUNT ? i - FIRST_STEP_SCREEN : -1;
}

int wizard_resume_screen(const struct wizard *w)
{
	int r = state_resume_step(w->st);
	int all_confirmed = 1;
	for (int i = 0; i < STEP_COUNT; i++)
		all_confirmed &= w->st->steps[i].confirmed;
	if (r < 0 || all_confirmed)
		return REVIEW_SCREEN;
	return FIRST_STEP_SCREEN + r;
}

/* The answers the state kept, then --answers FILE's: the exit code (a bad file is usage). */
static enum sw_exit load_answers(struct wizard *w, char *err, size_t errlen)
{
	char *text = cJSON_PrintUnformatted(w->st->answers);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return SW_EXIT_ERROR;
	}
	enum answers_result ar = answers_parse_kept(&w->ans, text, err, errlen);
	free(text);
	if (ar != ANSWERS_OK)
		return SW_EXIT_ERROR;
	if (w->opts->answers) {
		/* The file's answers win over the ones the state kept from an earlier run. */
		char why[1024];
		struct answers file;
		answers_init(&file);
		if (answers_load(&file, w->opts->answers, why, sizeof why) != ANSWERS_OK) {
			snprintf(err, errlen, "%s: %s", w->opts->answers, why);
			answers_free(&file);
			return SW_EXIT_USAGE;
		}
		for (int q = 0; q < PLAN_Q_COUNT; q++)
			if (file.given[q] && file.val[q])
				answers_set(&w->ans, (plan_qid)q, file.val[q]);
		answers_free(&file);
	}
	return SW_EXIT_OK;
}

int wizard_main(const struct session_options *o, struct profile *p)
{
	char err[1024];
	struct wizard w = {0};
	w.opts = o;
	w.prof = p;
	w.jump = -1;
	w.focus_q = -1;
	answers_init(&w.ans);
	enum state_result sr = state_load(p->dir, p->name, &w.st, err, sizeof err);
	if (sr != STATE_OK) {
		fprintf(stderr, "studio-wizard: %s\n", err);
		answers_free(&w.ans);
		return sr == STATE_E_NEWER ? SW_EXIT_NEWER : SW_EXIT_ERROR;
	}
	/* Before the answers: they may name the cloud this file defines. */
	if (o->cloud_file) {
		struct cloud c;
		if (cloud_load_file(o->cloud_file, &c, err, sizeof err) != 0) {
			fprintf(stderr, "studio-wizard: %s\n", err);
			state_free(w.st);
			answers_free(&w.ans);
			return SW_EXIT_USAGE;
		}
		plan_set_extra_cloud(c.name);
	}
	enum sw_exit rc = load_answers(&w, err, sizeof err);
	if (rc != SW_EXIT_OK) {
		fprintf(stderr, "studio-wizard: %s\n", err);
		state_free(w.st);
		answers_free(&w.ans);
		return rc;
	}
	/* With --passphrase-fd the vault opens before the screen starts (scripts, tests). */
	if (o->pass_fd >= 0 && vault_exists(p->dir)) {
		char *pass = NULL;
		size_t plen = 0;
		rc = secret_read_line_fd(o->pass_fd, &pass, &plen, err, sizeof err) == 0
		         ? session_vault_open(o, p->dir, w.st, pass, plen, 1, &w.v, err, sizeof err)
		         : SW_EXIT_ERROR;
		secmem_free(pass);
		if (rc != SW_EXIT_OK) {
			fprintf(stderr, "studio-wizard: %s\n", err);
			state_free(w.st);
			answers_free(&w.ans);
			return rc;
		}
	}
	char logpath[PATH_MAX];
	if (profile_file(p, "wizard.log", logpath, sizeof logpath) == 0)
		log_open(logpath);
	log_msg(LOG_INFO, "wizard started (profile %s, pid %ld)", p->name, (long)getpid());
	if (tui_init() != 0) {
		fprintf(stderr, "studio-wizard: the wizard needs a terminal (for scripts: `studio-wizard "
		                "plan --answers FILE`)\n");
		vault_close(w.v);
		state_free(w.st);
		answers_free(&w.ans);
		log_close();
		return SW_EXIT_ERROR;
	}
	int exit_code = SW_EXIT_OK;
	if (!w.v && unlock_run(&w, &exit_code) != 0)
		goto out;
	/* The state counts, and is written, only once the open vault vouches for it. */
	if (unlock_state_check(&w, &exit_code) != 0)
		goto out;
	if (o->answers)
		wizard_save_answers(&w);
	int cur = 0;
	for (;;) {
		const struct screen *s = table[cur];
		void *self = s->init(&w);
		if (!self) {
			exit_code = SW_EXIT_ERROR;
			break;
		}
		struct runner r = {&w, s, self};
		struct tui_app app = {runner_draw, runner_key, NULL, 0, &r};
		if (s->sources)
			app.sources = s->sources(self, &app.nsources);
		enum tui_event ev = tui_run(&app);
		s->fini(&w, self);
		if (ev == TUI_SIGNAL) {
			exit_code = 128 + tui_signal();
			break;
		}
		if (ev == TUI_QUIT)
			break;
		int step = step_of_screen(cur);
		if (ev == TUI_NEXT) {
			if (step >= 0 && !w.st->steps[step].confirmed) {
				w.st->steps[step].confirmed = 1;
				w.st->steps[step].updated = (int64_t)time(NULL);
				wizard_save_state(&w);
			}
			if (cur == NSCREENS - 1)
				break;     /* the install screen was closed */
			cur = w.jump >= 0 ? w.jump : cur + 1;
			w.jump = -1;
			w.msg[0] = '\0';
		} else if (ev == TUI_BACK) {
			cur = cur > 0 ? cur - 1 : 0;
			w.msg[0] = '\0';
		}
	}
out:
	tui_end();
	if (exit_code != SW_EXIT_OK && w.msg_error && w.msg[0])
		fprintf(stderr, "studio-wizard: %s\n", w.msg);
	write_answers_file(&w);
	log_msg(LOG_INFO, "wizard ended");
	log_close();
	vault_close(w.v);
	state_free(w.st);
	answers_free(&w.ans);
	return exit_code;
}
