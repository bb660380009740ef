/* core/remote/ssh_int.h: what the session (ssh.c) shares with its kinds of work
 * (ssh_exec.c, ssh_sftp.c, ssh_forward.c). Not for use outside core/remote. */
#ifndef SW_SSH_INT_H
#define SW_SSH_INT_H

#include <libssh2.h>

#include "core/remote/keys.h"
#include "core/remote/ssh.h"

/* One piece of work on a session. step() returns 1 after progress, 0 when waiting;
 * it sets done once it has called its user callback. fail() reports err to the user
 * (the session died); destroy() frees without any callback. */
struct ssh_op {
	struct ssh_session *s;
	int (*step)(struct ssh_op *op);
	void (*fail)(struct ssh_op *op, const char *err);
	void (*destroy)(struct ssh_op *op);
	int uses_session;   /* waits on the session's socket (a listener does not) */
	int done;
	struct ssh_op *next;
};

struct loop *ssh_loop(struct ssh_session *s);
LIBSSH2_SESSION *ssh_lib(struct ssh_session *s);
const char *ssh_name(struct ssh_session *s);   /* "user@host:port" for messages */
int ssh_is_ready(const struct ssh_session *s);   /* logged in and not broken */
/* Adds op (runs from the loop soon). */
void ssh_add_op(struct ssh_session *s, struct ssh_op *op);
/* Runs the session's work now (from a loop callback). */
void ssh_pump(struct ssh_session *s);
/* libssh2 keeps one channel-open in progress per session: an op opens a channel only
 * while ssh_open_turn gives it the turn (1), and hands it on with ssh_open_done. */
int ssh_open_turn(struct ssh_session *s, struct ssh_op *op);
void ssh_open_done(struct ssh_session *s, struct ssh_op *op);
/* Schedules ssh_pump from the loop. */
void ssh_kick(struct ssh_session *s);
/* The session broke (a libssh2 rc for which ssh_rc_broken is true). */
void ssh_broken(struct ssh_session *s, const char *what, int rc);
/* The connection itself is gone (not just this channel). */
int ssh_rc_broken(int rc);
/* libssh2's last error text into buf. */
const char *ssh_errmsg(struct ssh_session *s, char *buf, size_t len);
/* Re-registers fd in the loop for events (0 = none) when *cur differs. */
void ssh_rewatch(struct loop *l, int fd, short events, short *cur, loop_fd_fn fn, void *arg);

#endif
