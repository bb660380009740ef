/* ssh_forward_local: a loopback listener whose connections ride direct-tcpip channels
 * (like ssh -L), pumped both ways on the loop with bounded buffers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/remote/ssh_int.h"
#include "core/sys/log.h"

#define FWD_BUF 32768
#define FWD_HOST_MAX 256

struct fwd_listen {
	struct ssh_op op;
	int fd;
	short watching;
	char host[FWD_HOST_MAX];
	int port;
};

enum fwd_state { F_OPEN, F_PUMP, F_CLOSE, F_WAIT, F_FREE };

struct fwd_conn {
	struct ssh_op op;
	enum fwd_state state;
	int fd, cport;
	short watching;
	LIBSSH2_CHANNEL *ch;
	char host[FWD_HOST_MAX];
	int port;
	unsigned char c2s[FWD_BUF], s2c[FWD_BUF];   /* client to server, server to client */
	size_t c2s_len, s2c_len;
	int client_eof, eof_sent, chan_eof, client_shut;
};

static void fwd_shift(unsigned char *buf, size_t *len, size_t n)
{
	memmove(buf, buf + n, *len - n);
	*len -= n;
}

static void fwd_on_client(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	struct fwd_conn *c = arg;
	ssh_pump(c->op.s);
}

static void fwd_conn_close(struct fwd_conn *c)
{
	if (c->fd >= 0) {
		ssh_rewatch(ssh_loop(c->op.s), c->fd, 0, &c->watching, NULL, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

static int fwd_conn_error(struct fwd_conn *c, const char *what, int rc)
{
	char e[256];
	if (ssh_rc_broken(rc)) {
		ssh_broken(c->op.s, what, rc);
		return 0;
	}
	log_msg(LOG_WARN, "ssh %s: forward to %s:%d: %s: %s", ssh_name(c->op.s), c->host, c->port, what,
	        ssh_errmsg(c->op.s, e, sizeof e));
	fwd_conn_close(c);
	c->state = c->ch ? F_CLOSE : F_FREE;
	return 1;
}

static int fwd_pump(struct fwd_conn *c)
{
	int progress = 0;
	if (!c->client_eof && c->c2s_len < FWD_BUF) {
		ssize_t n = recv(c->fd, c->c2s + c->c2s_len, FWD_BUF - c->c2s_len, 0);
		if (n > 0) {
			c->c2s_len += (size_t)n;
			progress = 1;
		} else if (n == 0) {
			c->client_eof = progress = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			fwd_conn_close(c);   /* the local client went away: drop the channel */
			c->state = F_CLOSE;
			return 1;
		}
	}
	if (c->c2s_len) {
		ssize_t n = libssh2_channel_write(c->ch, (const char *)c->c2s, c->c2s_len);
		if (n > 0) {
			fwd_shift(c->c2s, &c->c2s_len, (size_t)n);
			progress = 1;
		} else if (n != LIBSSH2_ERROR_EAGAIN) {
			return fwd_conn_error(c, "sending", (int)n);
		}
	} else if (c->client_eof && !c->eof_sent) {
		int rc = libssh2_channel_send_eof(c->ch);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			c->eof_sent = progress = 1;
	}
	if (!c->chan_eof && c->s2c_len < FWD_BUF) {
		ssize_t n = libssh2_channel_read(c->ch, (char *)c->s2c + c->s2c_len, FWD_BUF - c->s2c_len);
		if (n > 0) {
			c->s2c_len += (size_t)n;
			progress = 1;
		} else if (n == 0 && libssh2_channel_eof(c->ch)) {
			c->chan_eof = progress = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			return fwd_conn_error(c, "receiving", (int)n);
		}
	}
	if (c->s2c_len) {
		ssize_t n = send(c->fd, c->s2c, c->s2c_len, MSG_NOSIGNAL);
		if (n > 0) {
			fwd_shift(c->s2c, &c->s2c_len, (size_t)n);
			progress = 1;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fwd_conn_close(c);
			c->state = F_CLOSE;
			return 1;
		}
	}
	if (c->chan_eof && !c->s2c_len && !c->client_shut) {
		shutdown(c->fd, SHUT_WR);
		c->client_shut = progress = 1;
	}
	if (c->client_shut && c->client_eof && c->eof_sent) {
		fwd_conn_close(c);
		c->state = F_CLOSE;
		return 1;
	}
	short ev = (short)((!c->client_eof && c->c2s_len < FWD_BUF ? POLLIN : 0) | (c->s2c_len ? POLLOUT : 0));
	ssh_rewatch(ssh_loop(c->op.s), c->fd, ev, &c->watching, fwd_on_client, c);
	return progress;
}

static int fwd_conn_step(struct ssh_op *op)
{
	struct fwd_conn *c = (struct fwd_conn *)op;
	LIBSSH2_SESSION *lib = ssh_lib(op->s);
	int rc;
	switch (c->state) {
	case F_OPEN:
		if (!ssh_open_turn(op->s, op))
			return 0;
		c->ch = libssh2_channel_direct_tcpip_ex(lib, c->host, c->port, "127.0.0.1", c->cport);
		if (!c->ch) {
			rc = libssh2_session_last_errno(lib);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			ssh_open_done(op->s, op);
			return fwd_conn_error(c, "opening the channel", rc);
		}
		ssh_open_done(op->s, op);
		c->state = F_PUMP;
		return 1;
	case F_PUMP:
		return fwd_pump(c);
	case F_CLOSE:
		rc = libssh2_channel_close(c->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		c->state = rc ? F_FREE : F_WAIT;
		return 1;
	case F_WAIT:
		rc = libssh2_channel_wait_closed(c->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		c->state = F_FREE;
		return 1;
	case F_FREE:
		if (c->ch) {
			rc = libssh2_channel_free(c->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			c->ch = NULL;
		}
		fwd_conn_close(c);
		c->op.done = 1;
		return 1;
	}
	return 0;
}

static void fwd_conn_fail(struct ssh_op *op, const char *err)
{
	(void)err;
	fwd_conn_close((struct fwd_conn *)op);
}

static void fwd_conn_destroy(struct ssh_op *op)
{
	fwd_conn_close((struct fwd_conn *)op);
	free(op);
}

static void fwd_on_accept(int fd, short revents, void *arg)
{
	(void)revents;
	struct fwd_listen *l = arg;
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	int cfd;
	while ((cfd = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct fwd_conn *c = ssh_is_ready(l->op.s) ? calloc(1, sizeof *c) : NULL;
		if (!c) {
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->cport = ntohs(peer.sin_port);
		snprintf(c->host, sizeof c->host, "%s", l->host);
		c->port = l->port;
		c->op.step = fwd_conn_step;
		c->op.fail = fwd_conn_fail;
		c->op.destroy = fwd_conn_destroy;
		c->op.uses_session = 1;
		ssh_add_op(l->op.s, &c->op);
		plen = sizeof peer;
	}
}

static int fwd_listen_step(struct ssh_op *op)
{
	(void)op;
	return 0;
}

static void fwd_listen_close(struct ssh_op *op)
{
	struct fwd_listen *l = (struct fwd_listen *)op;
	if (l->fd >= 0) {
		ssh_rewatch(ssh_loop(op->s), l->fd, 0, &l->watching, NULL, NULL);
		close(l->fd);
		l->fd = -1;
	}
}

static void fwd_listen_fail(struct ssh_op *op, const char *err)
{
	(void)err;
	fwd_listen_close(op);
}

static void fwd_listen_destroy(struct ssh_op *op)
{
	fwd_listen_close(op);
	free(op);
}

int ssh_forward_local(struct ssh_session *s, const char *remote_host, int remote_port, char *err, size_t errlen)
{
	if (!s || !ssh_is_ready(s) || !remote_host || !*remote_host || strlen(remote_host) >= FWD_HOST_MAX ||
	    remote_port < 1 || remote_port > 65535) {
		snprintf(err, errlen, "ssh: cannot forward (session not ready or bad remote address)");
		return -1;
	}
	struct fwd_listen *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(l->fd, 16) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&a, &alen) != 0) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1 (%s)", strerror(errno));
		if (l->fd >= 0)
			close(l->fd);
		free(l);
		return -1;
	}
	snprintf(l->host, sizeof l->host, "%s", remote_host);
	l->port = remote_port;
	l->op.step = fwd_listen_step;
	l->op.fail = fwd_listen_fail;
	l->op.destroy = fwd_listen_destroy;
	ssh_add_op(s, &l->op);
	ssh_rewatch(ssh_loop(s), l->fd, POLLIN, &l->watching, fwd_on_accept, l);
	log_msg(LOG_INFO, "ssh %s: 127.0.0.1:%d forwards to %s:%d", ssh_name(s), ntohs(a.sin_port), remote_host,
	        remote_port);
	return ntohs(a.sin_port);
}
