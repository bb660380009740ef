/* ssh_forward_local against the real sshd: a python http.server on the "remote" 127.0.0.1
 * is reached through the forward by clients driven on the same loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "core/remote/ssh.h"
#include "tests/unit/sshd_child.h"
#include "testutil.h"

static struct sshd d;
static char *dir;
static pid_t web_pid;
static int web_port;
static unsigned char *big;   /* the served 1 MiB file */
#define BIG_LEN (1024 * 1024)

struct res {
	int ready, failed;
	char err[1024];
};

static void on_ready(struct ssh_session *s, void *arg)
{
	(void)s;
	((struct res *)arg)->ready = 1;
	sshd_wake();
}

static void on_error(struct ssh_session *s, const char *msg, void *arg)
{
	(void)s;
	struct res *r = arg;
	r->failed = 1;
	snprintf(r->err, sizeof r->err, "%s", msg);
	sshd_wake();
}

/* An HTTP/1.0 client on the loop: send the request, read to EOF. */
struct client {
	struct loop *l;
	int fd, connected, done;
	char req[256];
	size_t reqoff, reqlen;
	char *buf;
	size_t len, cap;
};

static void client_on(int fd, short revents, void *arg)
{
	(void)revents;
	struct client *c = arg;
	if (c->reqoff < c->reqlen) {
		ssize_t n = send(fd, c->req + c->reqoff, c->reqlen - c->reqoff, MSG_NOSIGNAL);
		if (n > 0)
			c->reqoff += (size_t)n;
		if (n < 0 && errno != EAGAIN && errno != EINPROGRESS && errno != ENOTCONN)
			c->reqoff = c->reqlen;
		if (c->reqoff == c->reqlen) {
			loop_unwatch(c->l, fd);
			loop_watch(c->l, fd, POLLIN, client_on, c);
		}
		return;
	}
	if (c->len == c->cap)
		c->buf = realloc(c->buf, (c->cap = c->cap ? c->cap * 2 : 65536) + 1);
	ssize_t n = recv(fd, c->buf + c->len, c->cap - c->len, 0);
	if (n > 0) {
		c->len += (size_t)n;
		return;
	}
	if (n < 0 && errno == EAGAIN)
		return;
	loop_unwatch(c->l, fd);
	close(fd);
	c->buf = c->buf ? c->buf : malloc(1);
	c->buf[c->len] = '\0';
	c->done = 1;
	sshd_wake();
}

static void client_start(struct client *c, struct loop *l, int port, const char *path)
{
	memset(c, 0, sizeof *c);
	c->l = l;
	c->reqlen = (size_t)snprintf(c->req, sizeof c->req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_true(connect(c->fd, (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS);
	assert_int_equal(loop_watch(l, c->fd, POLLOUT, client_on, c), 0);
}

static struct ssh_session *connect_ok(struct loop *l, struct res *r)
{
	char err[256];
	struct ssh_target t = {.host = "127.0.0.1", .port = d.port, .host_key = d.host_line, .user = d.user,
	                       .private_key = d.admin_priv, .private_key_len = d.admin_len};
	struct ssh_session *s = ssh_connect(l, &t, on_ready, on_error, r, err, sizeof err);
	assert_non_null(s);
	if (!sshd_run_until(l, &r->ready, SSHD_WAIT_MS))
		fail_msg("not connected: %s", r->err);
	return s;
}

static int both_done(struct client *a, struct client *b)
{
	return a->done && b->done;
}

static void test_ssh_forward_local_reaches_a_remote_loopback_port(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	struct ssh_session *s = connect_ok(l, &r);
	char err[256];
	int port = ssh_forward_local(s, "127.0.0.1", web_port, err, sizeof err);
	assert_true(port > 0);
	assert_int_not_equal(port, web_port);
	/* Two clients at once: a small file and the 1 MiB one. */
	struct client a, b;
	client_start(&a, l, port, "/hello.txt");
	client_start(&b, l, port, "/big.bin");
	int cond = 0;
	for (int i = 0; i < 300 && !both_done(&a, &b); i++)
		sshd_run_until(l, &cond, 100);
	assert_true(a.done && b.done);
	assert_non_null(strstr(a.buf, " 200 "));
	assert_non_null(strstr(a.buf, "\r\n\r\nhello through the tunnel\n"));
	char *body = strstr(b.buf, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_int_equal(b.len - (size_t)(body - b.buf), BIG_LEN);
	assert_memory_equal(body, big, BIG_LEN);
	free(a.buf);
	free(b.buf);
	/* A remote port where nothing listens: the client is closed, the session stays usable. */
	int closed = sshd_free_port();
	int port2 = ssh_forward_local(s, "127.0.0.1", closed, err, sizeof err);
	assert_true(port2 > 0);
	struct client c;
	client_start(&c, l, port2, "/");
	assert_true(sshd_run_until(l, &c.done, SSHD_WAIT_MS));
	assert_int_equal(c.len, 0);
	free(c.buf);
	client_start(&c, l, port, "/hello.txt");
	assert_true(sshd_run_until(l, &c.done, SSHD_WAIT_MS));
	assert_non_null(strstr(c.buf, "hello through the tunnel"));
	free(c.buf);
	assert_int_equal(r.failed, 0);
	ssh_free(s);
	/* The listener is gone with the session. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_not_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
	loop_free(l);
}

static int web_listening(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)web_port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("sshfwd");
	chmod(dir, 0755);
	if (sshd_start(&d, dir, 0) != 0)
		return -1;
	char www[1200], path[1300];
	snprintf(www, sizeof www, "%s/www", dir);
	mkdir(www, 0755);
	snprintf(path, sizeof path, "%s/hello.txt", www);
	sshd_write(path, "hello through the tunnel\n", 25, 0644);
	big = malloc(BIG_LEN);
	randombytes_buf(big, BIG_LEN);
	snprintf(path, sizeof path, "%s/big.bin", www);
	sshd_write(path, (const char *)big, BIG_LEN, 0644);
	web_port = sshd_free_port();
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", web_port);
	web_pid = fork();
	if (web_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execlp("python3", "python3", "-m", "http.server", portstr, "--bind", "127.0.0.1", "--directory", www,
		       (char *)NULL);
		_exit(127);
	}
	/* Until it listens or exits; two minutes at most (python starts slowly on a loaded machine). */
	for (int i = 0; i < 6000 && !web_listening() && waitpid(web_pid, NULL, WNOHANG) == 0; i++) {
		struct timespec ts = {0, 20 * 1000000};
		nanosleep(&ts, NULL);
	}
	return web_listening() ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (web_pid > 0) {
		kill(web_pid, SIGTERM);
		waitpid(web_pid, NULL, 0);
	}
	sshd_stop(&d);
	sshd_free_keys(&d);
	free(big);
	test_rmrf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_forward_local_reaches_a_remote_loopback_port),
	};
	return cmocka_run_group_tests_name("ssh_forward", tests, setup, teardown);
}
