/* One remote command on its own channel: stdin from secmem, output streamed line by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/remote/ssh_int.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define EXEC_LINE_MAX 4096
#define EXEC_READ 16384

enum exec_state { X_OPEN, X_EXEC, X_IO, X_CLOSE, X_WAIT, X_FREE };

struct exec_line {
	char buf[EXEC_LINE_MAX + 1];
	size_t len;
	int eof;
};

struct exec_op {
	struct ssh_op op;   /* first: the session sees only this */
	enum exec_state state;
	LIBSSH2_CHANNEL *ch;
	char *command;
	unsigned char *in;  /* secmem */
	size_t inlen, inoff;
	int eof_sent;
	struct exec_line out[2];   /* stdout, stderr */
	int status;
	char sig[64];
	ssh_line_fn on_line;
	ssh_exit_fn on_done;
	void *arg;
};

static void exec_emit(struct exec_op *x, int is_err)
{
	struct exec_line *l = &x->out[is_err];
	if (l->len && l->buf[l->len - 1] == '\r')
		l->len--;
	char safe[4 * EXEC_LINE_MAX + 1];   /* at worst 4 bytes per byte ("\x1b") */
	text_safe_n(l->buf, l->len, safe, sizeof safe);
	if (x->on_line)
		x->on_line(safe, is_err, x->arg);
	l->len = 0;
}

static void exec_feed(struct exec_op *x, int is_err, const char *d, size_t n)
{
	struct exec_line *l = &x->out[is_err];
	for (size_t i = 0; i < n && !x->op.done; i++) {
		if (d[i] == '\n') {
			exec_emit(x, is_err);
			continue;
		}
		l->buf[l->len++] = d[i];
		if (l->len == EXEC_LINE_MAX)   /* a very long line comes in pieces */
			exec_emit(x, is_err);
	}
}

static void exec_finish(struct exec_op *x, int status, const char *err)
{
	x->op.done = 1;
	if (x->on_done)
		x->on_done(status, err, x->arg);
}

static void exec_fail(struct ssh_op *op, const char *err)
{
	exec_finish((struct exec_op *)op, -1, err);
}

/* A channel-level failure: this command fails, the session goes on. */
static int exec_error(struct exec_op *x, const char *what, int rc)
{
	char e[256], msg[512];
	if (ssh_rc_broken(rc)) {
		ssh_broken(x->op.s, what, rc);
		return 0;
	}
	snprintf(msg, sizeof msg, "ssh %s: %s: %s", ssh_name(x->op.s), what, ssh_errmsg(x->op.s, e, sizeof e));
	log_msg(LOG_ERROR, "%s", msg);
	x->state = X_FREE;   /* the session frees the channel with itself if this does not */
	exec_finish(x, -1, msg);
	return 1;
}

/* Reads one stream; 1 after data, 0 when waiting or at its end. */
static int exec_read(struct exec_op *x, int is_err, int *rc_out)
{
	char buf[EXEC_READ];
	ssize_t n = libssh2_channel_read_ex(x->ch, is_err ? SSH_EXTENDED_DATA_STDERR : 0, buf, sizeof buf);
	*rc_out = n < 0 ? (int)n : 0;
	if (n > 0) {
		exec_feed(x, is_err, buf, (size_t)n);
		return 1;
	}
	if (n == 0 && libssh2_channel_eof(x->ch))
		x->out[is_err].eof = 1;
	return 0;
}

static int exec_io(struct exec_op *x)
{
	int progress = 0, rc;
	for (int i = 0; i < 2 && !x->op.done; i++) {
		if (x->out[i].eof)
			continue;
		progress |= exec_read(x, i, &rc);
		if (rc < 0 && rc != LIBSSH2_ERROR_EAGAIN)
			return exec_error(x, i ? "reading stderr" : "reading output", rc);
	}
	if (x->op.done)
		return 1;
	if (x->inoff < x->inlen) {
		ssize_t n = libssh2_channel_write(x->ch, (const char *)x->in + x->inoff, x->inlen - x->inoff);
		if (n > 0) {
			x->inoff += (size_t)n;
			progress = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			if (!libssh2_channel_eof(x->ch))
				return exec_error(x, "writing stdin", (int)n);
			x->inoff = x->inlen;   /* the command ended without reading it all */
		}
	} else if (!x->eof_sent) {
		rc = libssh2_channel_send_eof(x->ch);
		if (rc == 0) {
			x->eof_sent = 1;
			progress = 1;
		} else if (rc != LIBSSH2_ERROR_EAGAIN) {
			x->eof_sent = 1;   /* the far end may have closed first */
		}
	}
	if (x->out[0].eof && x->out[1].eof) {
		for (int i = 0; i < 2; i++)
			if (x->out[i].len && !x->op.done)
				exec_emit(x, i);
		x->state = X_CLOSE;
		progress = 1;
	}
	return progress;
}

static int exec_step(struct ssh_op *op)
{
	struct exec_op *x = (struct exec_op *)op;
	LIBSSH2_SESSION *lib = ssh_lib(op->s);
	int rc;
	switch (x->state) {
	case X_OPEN:
		if (!ssh_open_turn(op->s, op))
			return 0;
		x->ch = libssh2_channel_open_session(lib);
		if (!x->ch) {
			rc = libssh2_session_last_errno(lib);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			ssh_open_done(op->s, op);
			return exec_error(x, "opening a channel", rc);
		}
		ssh_open_done(op->s, op);
		x->state = X_EXEC;
		return 1;
	case X_EXEC:
		rc = libssh2_channel_exec(x->ch, x->command);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc)
			return exec_error(x, "starting the command", rc);
		x->state = X_IO;
		return 1;
	case X_IO:
		return exec_io(x);
	case X_CLOSE:
		rc = libssh2_channel_close(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		x->state = X_WAIT;
		return 1;
	case X_WAIT:
		rc = libssh2_channel_wait_closed(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		x->status = libssh2_channel_get_exit_status(x->ch);
		char *sig = NULL;
		size_t siglen = 0;
		if (libssh2_channel_get_exit_signal(x->ch, &sig, &siglen, NULL, NULL, NULL, NULL) == 0 && sig) {
			text_safe_n(sig, siglen < 40 ? siglen : 40, x->sig, sizeof x->sig);
			libssh2_free(lib, sig);
		}
		x->state = X_FREE;
		return 1;
	case X_FREE:
		if (x->op.done)
			return 0;
		rc = libssh2_channel_free(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		x->ch = NULL;
		if (x->sig[0]) {
			char msg[160];
			snprintf(msg, sizeof msg, "the command was killed by signal %s", x->sig);
			exec_finish(x, -1, msg);
		} else {
			log_msg(LOG_INFO, "ssh %s: command exited %d", ssh_name(op->s), x->status);
			exec_finish(x, x->status, NULL);
		}
		return 1;
	}
	return 0;
}

static void exec_destroy(struct ssh_op *op)
{
	struct exec_op *x = (struct exec_op *)op;
	secmem_free(x->in);
	free(x->command);
	secmem_wipe(x->out, sizeof x->out);
	free(x);
}

int ssh_exec(struct ssh_session *s, const char *command, const void *stdin_data, size_t stdin_len,
             ssh_line_fn on_line, ssh_exit_fn on_done, void *arg)
{
	if (!s || !ssh_is_ready(s) || !command)
		return -1;
	/* A secret the process knows must never reach a remote argv (ps, /proc, audit logs). */
	size_t clen = strlen(command);
	char *scrub = malloc(clen + 1);
	if (!scrub)
		return -1;
	log_scrub(command, scrub, clen + 1);
	int holds_secret = strcmp(scrub, command) != 0;
	free(scrub);
	if (holds_secret) {
		log_msg(LOG_ERROR, "ssh %s: refused a command that holds a secret (send it on stdin)", ssh_name(s));
		return -1;
	}
	struct exec_op *x = calloc(1, sizeof *x);
	if (!x || !(x->command = strdup(command)) || !(x->in = secmem_alloc(stdin_len))) {
		if (x)
			free(x->command);
		free(x);
		return -1;
	}
	if (stdin_len)
		memcpy(x->in, stdin_data, stdin_len);
	x->inlen = stdin_len;
	x->on_line = on_line;
	x->on_done = on_done;
	x->arg = arg;
	x->op.step = exec_step;
	x->op.fail = exec_fail;
	x->op.destroy = exec_destroy;
	x->op.uses_session = 1;
	log_msg(LOG_INFO, "ssh %s: running %s", ssh_name(s), command);
	ssh_add_op(s, &x->op);
	return 0;
}
