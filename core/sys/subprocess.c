/* Children with fixed argv, output collected in the loop. */
#include "core/sys/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secrets/secmem.h"

#define SUBPROCESS_ERR_MAX 4096

extern char **environ;

struct subprocess {
	struct loop *loop;
	pid_t pid;
	int out_fd, err_fd;
	char *out;       /* protected memory, SUBPROCESS_OUT_MAX + 1 */
	size_t outlen;
	char err[SUBPROCESS_ERR_MAX + 1];
	size_t errlen;
	int overflow;
	subprocess_done_fn done;
	void *arg;
};

static void subprocess_close(struct subprocess *p)
{
	if (p->out_fd >= 0) {
		loop_unwatch(p->loop, p->out_fd);
		close(p->out_fd);
		p->out_fd = -1;
	}
	if (p->err_fd >= 0) {
		loop_unwatch(p->loop, p->err_fd);
		close(p->err_fd);
		p->err_fd = -1;
	}
}

static void subprocess_free(struct subprocess *p)
{
	subprocess_close(p);
	secmem_free(p->out);
	free(p);
}

static void subprocess_finish(struct subprocess *p)
{
	int st = 0, status = -1;
	pid_t r;
	do
		r = waitpid(p->pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r == p->pid && WIFEXITED(st))
		status = WEXITSTATUS(st);
	p->out[p->outlen] = '\0';
	p->err[p->errlen] = '\0';
	if (p->overflow && status == 0)
		status = -1;
	p->done(status, p->out, p->outlen, p->err, p->arg);
	subprocess_free(p);
}

static void subprocess_on_fd(int fd, short revents, void *arg)
{
	(void)revents;
	struct subprocess *p = arg;
	int is_out = fd == p->out_fd;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		char *dst = is_out ? p->out : p->err;
		size_t *len = is_out ? &p->outlen : &p->errlen;
		size_t cap = is_out ? SUBPROCESS_OUT_MAX : SUBPROCESS_ERR_MAX;
		size_t take = (size_t)n < cap - *len ? (size_t)n : cap - *len;
		memcpy(dst + *len, buf, take);
		*len += take;
		if (take < (size_t)n && is_out)
			p->overflow = 1;
		secmem_wipe(buf, sizeof buf);
		return;
	}
	secmem_wipe(buf, sizeof buf);
	/* EOF or error on this pipe. */
	loop_unwatch(p->loop, fd);
	close(fd);
	if (is_out)
		p->out_fd = -1;
	else
		p->err_fd = -1;
	if (p->out_fd < 0 && p->err_fd < 0)
		subprocess_finish(p);
}

struct subprocess *subprocess_start(struct loop *l, const char *const *argv, subprocess_done_fn done,
                                    void *arg, char *err, size_t errlen)
{
	struct subprocess *p = calloc(1, sizeof *p);
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	int fa_ok = 0;
	if (!p || !(p->out = secmem_alloc(SUBPROCESS_OUT_MAX + 1))) {
		snprintf(err, errlen, "%s: out of memory", argv[0]);
		goto fail;
	}
	p->loop = l;
	p->out_fd = p->err_fd = -1;
	p->done = done;
	p->arg = arg;
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "%s: cannot create a pipe (%s)", argv[0], strerror(errno));
		goto fail;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		snprintf(err, errlen, "%s: out of memory", argv[0]);
		goto fail;
	}
	fa_ok = 1;
	/* Only 0-2 reach the child: libcurl's sockets, the vault, the log and whatever a
	 * library opened without O_CLOEXEC are closed (glibc 2.34+). */
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, out[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, errp[1], 2) != 0 ||
	    posix_spawn_file_actions_addclosefrom_np(&fa, 3) != 0) {
		snprintf(err, errlen, "%s: out of memory", argv[0]);
		goto fail;
	}
	int rc = posix_spawnp(&p->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	if (rc != 0) {
		if (rc == ENOENT)
			snprintf(err, errlen, "%s: not found on PATH", argv[0]);
		else
			snprintf(err, errlen, "%s: cannot start (%s)", argv[0], strerror(rc));
		goto fail;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(errp[1]);
	p->out_fd = out[0];
	p->err_fd = errp[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	if (loop_watch(l, p->out_fd, POLLIN, subprocess_on_fd, p) != 0 ||
	    loop_watch(l, p->err_fd, POLLIN, subprocess_on_fd, p) != 0) {
		snprintf(err, errlen, "%s: out of memory", argv[0]);
		subprocess_kill(p);
		return NULL;
	}
	return p;
fail:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (p) {
		secmem_free(p->out);
		free(p);
	}
	return NULL;
}

void subprocess_kill(struct subprocess *p)
{
	if (!p)
		return;
	kill(p->pid, SIGKILL);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	subprocess_free(p);
}
