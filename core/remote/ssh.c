/* SSH sessions on the loop: non-blocking connect, handshake, exact host key check, public key
 * login, then the work (ssh_op) runs whenever the socket is ready. */
#include "core/remote/ssh_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define SSH_ROUNDS_MAX 64   /* pump rounds before yielding to the loop */
#define SSH_UNSTALL_MS 20   /* how long a stalled session stops watching for input */

enum ssh_state { SSH_WAITING, SSH_CONNECTING, SSH_HANDSHAKE, SSH_AUTH, SSH_READY, SSH_DEAD };

struct ssh_session {
	struct loop *loop;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char host[64], user[64], name[160];
	int port;
	unsigned char want[KEYS_BLOB_MAX];
	size_t wantlen;
	char want_fp[KEYS_FP_MAX], fp[KEYS_FP_MAX];
	char *key;   /* secmem */
	size_t keylen;
	long attempt_ms, retry_every_ms;
	long long started, deadline;
	int attempts;
	ssh_ready_fn on_ready;
	ssh_error_fn on_error;
	void *arg;
	enum ssh_state state;
	int fd;
	short watching;
	LIBSSH2_SESSION *lib;
	unsigned t_attempt, t_retry, t_kick, t_unstall;
	struct ssh_op *ops;
	struct ssh_op *opener;   /* the op whose channel-open is in progress */
	int depth;          /* inside one of our callbacks: ssh_free waits until we leave */
	int free_pending, pumping, again, stalled;
};

static void ssh_destroy(struct ssh_session *s);
static void ssh_arm(struct ssh_session *s);
static void ssh_attempt(void *arg);

struct loop *ssh_loop(struct ssh_session *s) { return s->loop; }
LIBSSH2_SESSION *ssh_lib(struct ssh_session *s) { return s->lib; }
const char *ssh_name(struct ssh_session *s) { return s->name; }
const char *ssh_fingerprint(const struct ssh_session *s) { return s->fp; }
int ssh_is_ready(const struct ssh_session *s) { return s->state == SSH_READY && !s->free_pending; }

/* Every entry from the loop brackets its work so a callback may call ssh_free. */
static void ssh_enter(struct ssh_session *s) { s->depth++; }

static int ssh_leave(struct ssh_session *s)
{
	if (--s->depth == 0 && s->free_pending) {
		ssh_destroy(s);
		return -1;
	}
	return 0;
}

int ssh_rc_broken(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
	       rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	       rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_PROTO || rc == LIBSSH2_ERROR_DECRYPT ||
	       rc == LIBSSH2_ERROR_BAD_SOCKET || rc == LIBSSH2_ERROR_INVALID_MAC || rc == LIBSSH2_ERROR_ALLOC;
}

const char *ssh_errmsg(struct ssh_session *s, char *buf, size_t len)
{
	char *m = NULL;
	if (s->lib)
		libssh2_session_last_error(s->lib, &m, NULL, 0);
	text_safe(m && *m ? m : "unknown error", buf, len);
	return buf;
}

void ssh_rewatch(struct loop *l, int fd, short events, short *cur, loop_fd_fn fn, void *arg)
{
	if (events == *cur)
		return;
	if (*cur)
		loop_unwatch(l, fd);
	*cur = 0;
	if (events && loop_watch(l, fd, events, fn, arg) == 0)
		*cur = events;
}

static void ssh_close_attempt(struct ssh_session *s)
{
	if (s->t_attempt)
		loop_cancel(s->loop, s->t_attempt);
	s->t_attempt = 0;
	if (s->fd >= 0)
		ssh_rewatch(s->loop, s->fd, 0, &s->watching, NULL, NULL);
	if (s->lib) {
		if (s->state == SSH_READY)
			libssh2_session_disconnect(s->lib, "bye");   /* one try; it may not get out */
		/* A non-blocking libssh2_session_free returns EAGAIN while a channel close cannot be
		 * sent, and then frees nothing: with the socket shut, every send fails at once. */
		if (s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);
		for (int i = 0; i < 8 && libssh2_session_free(s->lib) == LIBSSH2_ERROR_EAGAIN; i++)
			;
		s->lib = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void ssh_die(struct ssh_session *s, const char *msg)
{
	s->state = SSH_DEAD;
	if (s->fd >= 0)
		ssh_rewatch(s->loop, s->fd, 0, &s->watching, NULL, NULL);
	log_msg(LOG_ERROR, "ssh %s: %s", s->name, msg);
	for (struct ssh_op *op = s->ops; op && !s->free_pending; op = op->next)
		if (!op->done) {
			op->done = 1;
			op->fail(op, msg);
		}
	if (!s->free_pending)
		s->on_error(s, msg, s->arg);
}

/* An attempt failed: try again later while the retry window lasts, unless retry is 0. */
static void ssh_attempt_failed(struct ssh_session *s, int retry, const char *msg)
{
	ssh_close_attempt(s);
	s->state = SSH_WAITING;
	if (retry && loop_now_ms() + s->retry_every_ms < s->deadline) {
		log_msg(LOG_INFO, "ssh %s: %s; trying again in %ld ms", s->name, msg, s->retry_every_ms);
		s->t_retry = loop_after(s->loop, s->retry_every_ms, ssh_attempt, s);
		if (s->t_retry)
			return;
	}
	char full[768];
	if (s->attempts > 1)
		snprintf(full, sizeof full, "%s (gave up after %d attempts in %lld s)", msg, s->attempts,
		         (loop_now_ms() - s->started + 999) / 1000);
	else
		snprintf(full, sizeof full, "%s", msg);
	ssh_die(s, full);
}

void ssh_broken(struct ssh_session *s, const char *what, int rc)
{
	if (s->state != SSH_READY)
		return;
	char e[256], msg[512];
	snprintf(msg, sizeof msg, "%s: the connection broke (%s, %d)", what, ssh_errmsg(s, e, sizeof e), rc);
	ssh_die(s, msg);
}

/* Handshake, host key check and login; 1 after progress. */
static int ssh_login_step(struct ssh_session *s)
{
	char e[256], msg[640];
	if (s->state == SSH_HANDSHAKE) {
		int rc = libssh2_session_handshake(s->lib, s->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc) {
			snprintf(msg, sizeof msg, "ssh handshake with %s:%d failed: %s", s->host, s->port,
			         ssh_errmsg(s, e, sizeof e));
			ssh_attempt_failed(s, 1, msg);
			return 0;
		}
		size_t len = 0;
		int type = 0;
		const char *blob = libssh2_session_hostkey(s->lib, &len, &type);
		if (!blob || keys_blob_fingerprint((const unsigned char *)blob, len, s->fp, sizeof s->fp) != 0)
			snprintf(s->fp, sizeof s->fp, "(none)");
		if (!blob || len != s->wantlen || memcmp(blob, s->want, len) != 0) {
			snprintf(msg, sizeof msg, "host key mismatch: expected %s, the server offered %s; nothing was sent",
			         s->want_fp, s->fp);
			ssh_attempt_failed(s, 0, msg);   /* never retried: it is not a VM still booting */
			return 0;
		}
		s->state = SSH_AUTH;
		return 1;
	}
	int rc = libssh2_userauth_publickey_frommemory(s->lib, s->user, strlen(s->user), NULL, 0, s->key,
	                                               s->keylen, "");
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 0;
	if (rc) {
		snprintf(msg, sizeof msg, "%s:%d refused the login of '%s' with our key: %s", s->host, s->port,
		         s->user, ssh_errmsg(s, e, sizeof e));
		ssh_attempt_failed(s, 1, msg);   /* cloud-init may not have written the key yet */
		return 0;
	}
	if (s->t_attempt)
		loop_cancel(s->loop, s->t_attempt);
	s->t_attempt = 0;
	s->state = SSH_READY;
	log_msg(LOG_INFO, "ssh %s: connected, host key %s", s->name, s->fp);
	s->on_ready(s, s->arg);
	return 1;
}

static int ssh_ops_step(struct ssh_session *s)
{
	int progress = 0;
	for (struct ssh_op *op = s->ops; op && s->state == SSH_READY && !s->free_pending; op = op->next)
		if (!op->done && op->step(op) > 0)
			progress = 1;
	return progress;
}

int ssh_open_turn(struct ssh_session *s, struct ssh_op *op)
{
	if (!s->opener)
		s->opener = op;
	return s->opener == op;
}

void ssh_open_done(struct ssh_session *s, struct ssh_op *op)
{
	if (s->opener == op) {
		s->opener = NULL;
		s->again = 1;   /* the next op may open now */
	}
}

static void ssh_reap(struct ssh_session *s)
{
	for (struct ssh_op **p = &s->ops; *p;) {
		struct ssh_op *op = *p;
		if (op->done) {
			*p = op->next;
			ssh_open_done(s, op);
			op->destroy(op);
		} else {
			p = &op->next;
		}
	}
}

/* Runs until nothing moves; 1 if anything moved. */
static int ssh_run(struct ssh_session *s)
{
	if (s->pumping) {
		s->again = 1;
		return 0;
	}
	s->pumping = 1;
	int any = 0;
	for (int rounds = 0;; rounds++) {
		s->again = 0;
		int progress = 0;
		if (s->state == SSH_HANDSHAKE || s->state == SSH_AUTH)
			progress = ssh_login_step(s);
		else if (s->state == SSH_READY)
			progress = ssh_ops_step(s);
		if (s->free_pending)
			break;
		ssh_reap(s);
		any |= progress;
		if (!progress && !s->again)
			break;
		if (rounds >= SSH_ROUNDS_MAX) {   /* a flood of output: let other fds have a turn */
			ssh_kick(s);
			break;
		}
	}
	s->pumping = 0;
	if (!s->free_pending) {
		if (any)
			s->stalled = 0;
		ssh_arm(s);
	}
	return any;
}

void ssh_pump(struct ssh_session *s)
{
	ssh_enter(s);
	ssh_run(s);
	ssh_leave(s);
}

static void ssh_on_kick(void *arg)
{
	struct ssh_session *s = arg;
	s->t_kick = 0;
	ssh_pump(s);
}

void ssh_kick(struct ssh_session *s)
{
	if (!s->t_kick)
		s->t_kick = loop_after(s->loop, 0, ssh_on_kick, s);
}

void ssh_add_op(struct ssh_session *s, struct ssh_op *op)
{
	struct ssh_op **p = &s->ops;
	while (*p)
		p = &(*p)->next;
	op->s = s;
	op->next = NULL;
	*p = op;
	s->stalled = 0;
	ssh_kick(s);
}

static int ssh_readable(struct ssh_session *s)
{
	struct pollfd p = {s->fd, POLLIN, 0};
	return s->state == SSH_READY && !s->free_pending && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void ssh_on_unstall(void *arg)
{
	struct ssh_session *s = arg;
	s->t_unstall = 0;
	s->stalled = 0;
	ssh_pump(s);
}

static void ssh_on_socket(int fd, short revents, void *arg)
{
	struct ssh_session *s = arg;
	ssh_enter(s);
	if (s->state == SSH_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr) {
			char msg[256];
			snprintf(msg, sizeof msg, "cannot connect to %s:%d (%s)", s->host, s->port, strerror(soerr));
			ssh_attempt_failed(s, 1, msg);
		} else {
			s->lib = libssh2_session_init_ex(NULL, NULL, NULL, s);
			if (!s->lib) {
				ssh_attempt_failed(s, 0, "out of memory");
			} else {
				libssh2_session_set_blocking(s->lib, 0);
				/* Only the key type we pinned; else libssh2 would pick ECDSA first. */
				libssh2_session_method_pref(s->lib, LIBSSH2_METHOD_HOSTKEY, "ssh-ed25519");
				s->state = SSH_HANDSHAKE;
				ssh_run(s);
			}
		}
	} else if (ssh_run(s) == 0 && (revents & POLLIN) && ssh_readable(s) && ssh_run(s) == 0 && ssh_readable(s)) {
		/* Still readable after two rounds that moved nothing: no work reads now (all wait on
		 * local peers, or on a partial send). Stop asking for a moment instead of spinning; the
		 * timer covers data that came in just after a round had drained the socket. */
		s->stalled = 1;
		ssh_arm(s);
		if (!s->t_unstall)
			s->t_unstall = loop_after(s->loop, SSH_UNSTALL_MS, ssh_on_unstall, s);
	}
	ssh_leave(s);
}

static void ssh_arm(struct ssh_session *s)
{
	if (s->fd < 0)
		return;
	short ev = 0;
	int dirs = s->lib ? libssh2_session_block_directions(s->lib) : 0;
	if (s->state == SSH_CONNECTING) {
		ev = POLLOUT;
	} else if (s->state == SSH_HANDSHAKE || s->state == SSH_AUTH) {
		ev = (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0;
		ev |= POLLIN;
	} else if (s->state == SSH_READY) {
		int waiting = 0;
		for (struct ssh_op *op = s->ops; op; op = op->next)
			waiting |= op->uses_session && !op->done;
		if (waiting && !s->stalled)
			ev |= POLLIN;
		if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			ev |= POLLOUT;
	}
	ssh_rewatch(s->loop, s->fd, ev, &s->watching, ssh_on_socket, s);
}

static void ssh_on_attempt_timeout(void *arg)
{
	struct ssh_session *s = arg;
	char msg[256];
	s->t_attempt = 0;
	snprintf(msg, sizeof msg, "%s:%d did not answer within %ld s", s->host, s->port, (s->attempt_ms + 999) / 1000);
	ssh_enter(s);
	ssh_attempt_failed(s, 1, msg);
	ssh_leave(s);
}

static void ssh_attempt(void *arg)
{
	struct ssh_session *s = arg;
	char msg[256];
	s->t_retry = 0;
	s->attempts++;
	ssh_enter(s);
	s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(msg, sizeof msg, "cannot create a socket (%s)", strerror(errno));
		ssh_attempt_failed(s, 0, msg);
	} else {
		s->t_attempt = loop_after(s->loop, s->attempt_ms, ssh_on_attempt_timeout, s);
		s->state = SSH_CONNECTING;
		if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) != 0 && errno != EINPROGRESS) {
			snprintf(msg, sizeof msg, "cannot connect to %s:%d (%s)", s->host, s->port, strerror(errno));
			ssh_attempt_failed(s, 1, msg);
		} else {
			ssh_arm(s);   /* writable once connected (or failed) */
		}
	}
	ssh_leave(s);
}

static int ssh_parse_addr(struct ssh_session *s)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&s->addr;
	memset(&s->addr, 0, sizeof s->addr);
	if (inet_pton(AF_INET, s->host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)s->port);
		s->addrlen = sizeof *v4;
		return 0;
	}
	if (inet_pton(AF_INET6, s->host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)s->port);
		s->addrlen = sizeof *v6;
		return 0;
	}
	return -1;
}

struct ssh_session *ssh_connect(struct loop *l, const struct ssh_target *t, ssh_ready_fn on_ready,
                                ssh_error_fn on_error, void *arg, char *err, size_t errlen)
{
	static int lib_ready;
	if (!lib_ready && libssh2_init(0) != 0) {
		snprintf(err, errlen, "libssh2 cannot start");
		return NULL;
	}
	lib_ready = 1;
	struct ssh_session *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	s->loop = l;
	s->port = t->port ? t->port : 22;
	s->on_ready = on_ready;
	s->on_error = on_error;
	s->arg = arg;
	if (!t->host || snprintf(s->host, sizeof s->host, "%s", t->host) >= (int)sizeof s->host ||
	    s->port < 1 || s->port > 65535 || ssh_parse_addr(s) != 0) {
		snprintf(err, errlen, "ssh: '%.64s' is not an IP address with a port", t->host ? t->host : "");
		goto fail;
	}
	if (!t->user || !*t->user || snprintf(s->user, sizeof s->user, "%s", t->user) >= (int)sizeof s->user ||
	    strspn(s->user, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != strlen(s->user)) {
		snprintf(err, errlen, "ssh: the user name is empty or not plain");
		goto fail;
	}
	char kerr[200];
	if (!t->host_key || strncmp(t->host_key, "ssh-ed25519 ", 12) != 0 ||
	    keys_line_blob(t->host_key, s->want, sizeof s->want, &s->wantlen, kerr, sizeof kerr) != 0) {
		snprintf(err, errlen, "ssh: the expected host key is not an ssh-ed25519 public key line");
		goto fail;
	}
	keys_blob_fingerprint(s->want, s->wantlen, s->want_fp, sizeof s->want_fp);
	/* NUL-terminated: libssh2 1.10 takes strlen() of it when signing (libssh2 issue #773). */
	if (!t->private_key || !t->private_key_len || !(s->key = secmem_alloc(t->private_key_len + 1))) {
		snprintf(err, errlen, "ssh: no private key");
		goto fail;
	}
	memcpy(s->key, t->private_key, t->private_key_len);
	s->key[t->private_key_len] = '\0';
	s->keylen = t->private_key_len;
	snprintf(s->name, sizeof s->name, "%s@%s:%d", s->user, s->host, s->port);
	s->attempt_ms = t->attempt_timeout_ms > 0 ? t->attempt_timeout_ms : 20000;
	s->retry_every_ms = t->retry_every_ms > 0 ? t->retry_every_ms : 2000;
	s->started = loop_now_ms();
	s->deadline = s->started + (t->retry_for_ms > 0 ? t->retry_for_ms : 0);
	s->t_retry = loop_after(l, 0, ssh_attempt, s);
	if (!s->t_retry) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return s;
fail:
	secmem_free(s->key);
	free(s);
	return NULL;
}

static void ssh_destroy(struct ssh_session *s)
{
	unsigned *timers[] = {&s->t_retry, &s->t_kick, &s->t_attempt, &s->t_unstall};
	for (size_t i = 0; i < sizeof timers / sizeof *timers; i++)
		if (*timers[i])
			loop_cancel(s->loop, *timers[i]);
	s->t_attempt = 0;
	while (s->ops) {
		struct ssh_op *op = s->ops;
		s->ops = op->next;
		op->destroy(op);   /* closes its own fds; libssh2_session_free frees its channels */
	}
	ssh_close_attempt(s);
	secmem_free(s->key);
	free(s);
}

void ssh_free(struct ssh_session *s)
{
	if (!s)
		return;
	if (s->depth > 0) {
		s->free_pending = 1;
		return;
	}
	ssh_destroy(s);
}
