/* tests/tools/tui_demo.c: every tui widget on one screen, used the way screens will use them.
 * Driven by tests/cli/test_tui.sh through tmux. Keys: Tab moves focus, F2 asks to confirm,
 * F3 starts a fake job (a child writing "step N" lines to a pipe every 200 ms), F10 quits.
 * On exit it prints the text field and the password's length (never the password). */
#include "tui/tui.h"
#include "tui/widgets.h"
#include "core/sys/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FOCUS_FORM, FOCUS_CHOICE, FOCUS_LOG, FOCUS_COUNT };

struct demo {
	struct tui_form *form;
	int f_name, f_pass;
	struct tui_choice *sizes;
	struct tui_progress progress;
	struct tui_log *log;
	int focus;
	int job_fd; /* read end of the job's pipe, -1 when idle */
	pid_t job_pid;
	char partial[256];
	size_t partial_len;
	struct loop *loop;
	int changed; /* the job said something this turn */
	struct tui_source sources[1];
};

static void demo_draw(void *ctx)
{
	struct demo *d = ctx;
	char name[128];
	tui_title_draw("studio-wizard: tui demo");
	tui_form_draw(d->form, 2, 2, d->focus == FOCUS_FORM);
	mvaddstr(5, 2, "VM size");
	tui_choice_draw(d->sizes, 6, 2, 6, 60, d->focus == FOCUS_CHOICE);
	tui_form_get(d->form, d->f_name, name, sizeof name);
	mvprintw(12, 2, "Selected: %s in %s", tui_choice_name(d->sizes, tui_choice_selected(d->sizes)),
	         name[0] ? name : "(no group)");
	tui_progress_draw(&d->progress, 13, 2, 60);
	attrset(d->focus == FOCUS_LOG ? tui_attr(TUI_TITLE) : A_NORMAL);
	mvaddstr(15, 2, "Log");
	attrset(A_NORMAL);
	tui_log_draw(d->log, 16, 2, LINES - 17, COLS - 4);
	tui_help_draw("F2 confirm  F3 start  Tab next  Esc back  F10 quit");
}

static void job_on_fd(int fd, short revents, void *arg);

static void job_start(struct demo *d)
{
	int fds[2];
	if (d->job_fd >= 0)
		return;
	if (pipe(fds) < 0)
		tui_fatal("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		tui_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		for (int i = 1; i <= 10; i++) {
			char line[32];
			int n = snprintf(line, sizeof line, "step %d\n", i);
			nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
			if (write(fds[1], line, (size_t)n) != n)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	d->job_fd = fds[0];
	d->job_pid = pid;
	d->partial_len = 0;
	if (loop_watch(d->loop, d->job_fd, POLLIN, job_on_fd, d) != 0)
		tui_fatal("out of memory");
	tui_progress_start(&d->progress);
	tui_log_add(d->log, "job started");
}

static void job_line(struct demo *d, const char *line)
{
	int step;
	tui_log_add(d->log, "%s", line);
	if (sscanf(line, "step %d", &step) == 1)
		tui_progress_set(&d->progress, step * 10);
}

static enum tui_event job_ready(void *ctx)
{
	struct demo *d = ctx;
	enum tui_event ev = d->changed ? TUI_REDRAW : TUI_HANDLED;
	d->changed = 0;
	return ev;
}

static void job_on_fd(int fd, short revents, void *arg)
{
	struct demo *d = arg;
	char buf[256];
	(void)revents;
	d->changed = 1;
	ssize_t got = read(d->job_fd, buf, sizeof buf);
	for (ssize_t i = 0; i < got; i++) {
		if (buf[i] == '\n' || d->partial_len == sizeof d->partial - 1) {
			d->partial[d->partial_len] = '\0';
			job_line(d, d->partial);
			d->partial_len = 0;
		} else {
			d->partial[d->partial_len++] = buf[i];
		}
	}
	if (got <= 0) {
		int status = 0;
		loop_unwatch(d->loop, fd);
		close(d->job_fd);
		d->job_fd = -1;
		waitpid(d->job_pid, &status, 0);
		tui_progress_stop(&d->progress);
		tui_log_add(d->log, "job finished: exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

static enum tui_event demo_key(void *ctx, int key)
{
	struct demo *d = ctx;
	enum tui_event ev = TUI_IGNORED;
	if (d->focus == FOCUS_FORM)
		ev = tui_form_key(d->form, key);
	else if (d->focus == FOCUS_CHOICE)
		ev = tui_choice_key(d->sizes, key);
	else
		ev = tui_log_key(d->log, key);
	if (ev != TUI_IGNORED)
		return ev;

	switch (key) {
	case '\t':
		d->focus = (d->focus + 1) % FOCUS_COUNT;
		if (d->focus == FOCUS_FORM)
			tui_form_focus(d->form, 0);
		return TUI_REDRAW;
	case TUI_KEY(KEY_BTAB):
		d->focus = (d->focus + FOCUS_COUNT - 1) % FOCUS_COUNT;
		if (d->focus == FOCUS_FORM)
			tui_form_focus(d->form, tui_form_height(d->form) - 1);
		return TUI_REDRAW;
	case TUI_KEY(KEY_F(2)): {
		char name[128], q[200];
		tui_form_get(d->form, d->f_name, name, sizeof name);
		snprintf(q, sizeof q, "Create resource group \"%s\"?", name);
		int yes = tui_confirm("Confirm", q);
		if (yes < 0)
			return TUI_SIGNAL;
		tui_log_add(d->log, "confirmed: %s", yes ? "yes" : "no");
		return TUI_REDRAW;
	}
	case TUI_KEY(KEY_F(3)):
		job_start(d);
		return TUI_REDRAW;
	case TUI_ESC:
		return TUI_BACK;
	case TUI_KEY(KEY_F(10)):
		return TUI_QUIT;
	default:
		return TUI_HANDLED;
	}
}

int main(void)
{
	static const char *const sizes[][2] = {
		{"Standard_NC6s_v3", "V100 16GB   runner: yes"},
		{"Standard_NC24s_v3", "4x V100     runner: yes"},
		{"Standard_ND40rs_v2", "8x V100 32GB runner: yes"},
		{"Standard_ND96asr_v4", "A100 40GB   runner: yes"},
		{"Standard_NV12s_v3", "M60 (graphics) runner: no"},
		{"Standard_D4s_v3", "no GPU      runner: no"},
		{"Standard_E8s_v3", "no GPU      runner: no"},
	};
	struct demo d = {.job_fd = -1, .loop = loop_new()};
	if (!d.loop || tui_init() < 0) {
		fprintf(stderr, "tui_demo: needs a terminal\n");
		return 1;
	}
	d.form = tui_form_new();
	d.f_name = tui_form_add(d.form, "Resource group", 30, 64, 0);
	d.f_pass = tui_form_add(d.form, "Password", 30, 128, TUI_FIELD_SECRET);
	d.sizes = tui_choice_new();
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		tui_choice_add(d.sizes, sizes[i][0], sizes[i][1]);
	d.log = tui_log_new(200);
	tui_log_add(d.log, "ready");
	tui_set_loop(d.loop);
	d.sources[0] = (struct tui_source){.ready = job_ready, .ctx = &d};

	struct tui_app app = {.draw = demo_draw, .key = demo_key, .sources = d.sources, .nsources = 1, .ctx = &d};
	enum tui_event ev = tui_run(&app);
	tui_end();

	char name[128], pass[256];
	tui_form_get(d.form, d.f_name, name, sizeof name);
	size_t plen = tui_form_get(d.form, d.f_pass, pass, sizeof pass);
	memset(pass, 0, sizeof pass);
	if (d.job_fd >= 0) {
		kill(d.job_pid, SIGTERM);
		close(d.job_fd);
		waitpid(d.job_pid, NULL, 0);
	}
	tui_form_free(d.form);
	tui_choice_free(d.sizes);
	tui_log_free(d.log);
	tui_progress_stop(&d.progress);
	loop_free(d.loop);
	if (ev == TUI_SIGNAL)
		return 128 + tui_signal();
	printf("ended: %s\nname=[%s]\npassword length=%zu\n", tui_event_name(ev), name, plen);
	return 0;
}
