#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/azure/cloud.h"
#include "core/format/shquote.h"
#include "core/sys/exitcode.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"
#include "core/sys/profile.h"
#include "core/sys/secret_input.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"
#include "screens/screen.h"
#include "secrets/atomic.h"
#include "tui/widgets.h"

/* The screens in the order the operator walks them: the overview, one per step of the table
 * (the step's own screen when it has one, else its questions as a form), the review and the
 * install. */
static const struct {
	const char *step;
	const struct screen *screen;
} own_screens[] = {
	{"subscription", &screen_subscription},
};
#define FIRST_STEP_SCREEN 1
#define REVIEW_SCREEN (FIRST_STEP_SCREEN + (int)plan_step_count())
#define NSCREENS (REVIEW_SCREEN + 2)

static int step_of_screen(int i)
{
	return i >= FIRST_STEP_SCREEN && i < REVIEW_SCREEN ? i - FIRST_STEP_SCREEN : -1;
}

static const struct screen *screen_at(int i)
{
	int s = step_of_screen(i);
	if (i == 0)
		return &screen_welcome;
	if (s < 0)
		return i == REVIEW_SCREEN ? &screen_review : &screen_install;
	for (size_t k = 0; k < sizeof own_screens / sizeof own_screens[0]; k++)
		if (strcmp(own_screens[k].step, plan_step_key(s)) == 0)
			return own_screens[k].screen;
	return &screen_step;
}

void screen_say(struct wizard *w, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof w->msg, fmt, ap);
	va_end(ap);
	w->msg_error = error;
}

int screen_frame(struct wizard *w, const char *title, const char *keys)
{
	char line[256];
	snprintf(line, sizeof line, "studio-wizard · profile %s · %s", w->prof->name, title);
	tui_title_draw(line);
	int top = LINES - 1;
	if (w->msg[0]) {
		/* Wrapped whole (a third of the screen at most), never cut at the edge. */
		char safe[4 * sizeof w->msg];
		text_safe(w->msg, safe, sizeof safe);
		int rows = tui_wrap_count(safe, COLS - 2);
		if (rows > LINES / 3)
			rows = LINES / 3;
		top = LINES - 1 - rows;
		attr_t a = tui_attr(w->msg_error ? TUI_ERROR : TUI_OK);
		attron(a);
		tui_wrap_draw(top, 1, COLS - 2, rows, 0, safe);
		attroff(a);
	}
	if (keys)
		tui_help_draw(keys);
	return top;
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
	for (int q = 0; (size_t)q < plan_question_count(); q++)
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
	return session_cloud(w->opts, answers_get(&w->ans, plan_q("cloud")), out, err, errlen);
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

/* Keys every screen shares; the rest go to the screen. */
enum { W_QUIT = 1, W_CREDENTIALS };
static const struct tui_keydef wizard_keys[] = {
	{W_QUIT, {TUI_KEY(KEY_F(10)), TUI_CTRL('q')}, "F10, Ctrl-Q", "quit, after asking (confirmed answers are kept)",
	 "quit"},
	{TUI_ACTION_HELP, {TUI_KEY(KEY_F(1))}, "F1", "this list of the screen's keys", "help"},
	{0, {0}, NULL, NULL, NULL},
};
static const struct tui_keydef credentials_key[] = {
	{W_CREDENTIALS, {TUI_KEY(KEY_F(3))}, "F3", "the credentials: the vault's entries", "credentials"},
	{0, {0}, NULL, NULL, NULL},
};

/* The screen's tables (its own first), then the wizard's. */
static void runner_keys(struct runner *r, struct tui_keyset *ks)
{
	memset(ks, 0, sizeof *ks);
	if (r->s->keys)
		r->s->keys(r->w, r->self, ks);
	tui_keyset_add(ks, "every screen", wizard_keys);
	if (r->s != &screen_credentials)
		tui_keyset_add(ks, "every screen", credentials_key);
}

static void runner_draw(void *ctx)
{
	struct runner *r = ctx;
	r->s->draw(r->w, r->self);
	if (r->s->keys) {
		struct tui_keyset ks;
		runner_keys(r, &ks);
		tui_keys_footer(&ks);
	}
}

static enum tui_event runner_key(void *ctx, int key)
{
	struct runner *r = ctx;
	struct wizard *w = r->w;
	struct tui_keyset ks;
	runner_keys(r, &ks);
	int action = 0;
	for (int i = 0; i < ks.n && !action; i++)
		action = tui_keys_find(ks.tables[i], key);
	if (action == TUI_ACTION_HELP) {
		char title[64];
		snprintf(title, sizeof title, "keys of the %s screen (Esc closes)", r->s->name);
		return tui_keys_help(title, &ks);
	}
	if (tui_keys_find(wizard_keys, key) == W_QUIT) {
		char text[1024] = "Leave the wizard? Confirmed answers are saved; start it again to resume.";
		if (r->s->quit_note)
			r->s->quit_note(w, r->self, text, sizeof text);
		int yes = tui_confirm("Quit", text);
		if (yes < 0)
			return TUI_SIGNAL;
		return yes ? TUI_QUIT : TUI_REDRAW;
	}
	if (tui_keys_find(credentials_key, key) == W_CREDENTIALS && r->s != &screen_credentials) {
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

int wizard_resume_screen(const struct wizard *w)
{
	int r = state_resume_step(w->st);
	int all_confirmed = 1;
	for (size_t i = 0; i < plan_step_count(); i++)
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
		for (int q = 0; (size_t)q < plan_question_count(); q++)
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
	w.step = -1;
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
	w.loop = loop_new();
	if (!w.loop || tui_init() != 0) {
		fprintf(stderr, "studio-wizard: %s\n", !w.loop ? "out of memory"
		                : "the wizard needs a terminal (for scripts: `studio-wizard plan --answers FILE`)");
		vault_close(w.v);
		state_free(w.st);
		answers_free(&w.ans);
		loop_free(w.loop);
		log_close();
		return SW_EXIT_ERROR;
	}
	tui_set_loop(w.loop);
	int exit_code = SW_EXIT_OK, summary = 0;
	if (!w.v && unlock_run(&w, &exit_code) != 0)
		goto out;
	/* The state counts, and is written, only once the open vault vouches for it. */
	if (unlock_state_check(&w, &exit_code) != 0)
		goto out;
	if (o->answers)
		wizard_save_answers(&w);
	summary = 1;   /* the screens ran: the terminal gets where things stand when they end */
	int cur = 0;
	for (;;) {
		const struct screen *s = screen_at(cur);
		w.step = step_of_screen(cur);
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
	tui_set_loop(NULL);
	loop_free(w.loop);
	if (exit_code != SW_EXIT_OK && w.msg_error && w.msg[0])
		fprintf(stderr, "studio-wizard: %s\n", w.msg);
	/* The alternate screen took the install's log away: what it left stays on the terminal. */
	if (exit_code == SW_EXIT_OK && summary) {
		char lines[SUMMARY_LINES][SUMMARY_LINE];
		int n = wizard_summary(&w, 0, lines, SUMMARY_LINES);
		for (int i = 0; i < n; i++)
			printf("%s\n", lines[i]);
		fflush(stdout);
	}
	write_answers_file(&w);
	log_msg(LOG_INFO, "wizard ended");
	log_close();
	vault_close(w.v);
	state_free(w.st);
	answers_free(&w.ans);
	return exit_code;
}
