/* tests/unit/sshd_child.c: the real OpenSSH sshd as a child on 127.0.0.1 for the SSH tests. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secrets/secmem.h"
#include "tests/unit/sshd_child.h"

int sshd_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &l) != 0)
		abort();
	close(fd);
	return ntohs(a.sin_port);
}

int sshd_write(const char *path, const char *data, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	int ok = write(fd, data, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

char *sshd_slurp(const char *path, size_t from, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	if (f && fseek(f, (long)from, SEEK_SET) == 0) {
		size_t r;
		while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
			n += r;
			if (n == cap)
				buf = realloc(buf, (cap *= 2) + 1);
		}
	}
	if (f)
		fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

size_t sshd_log_size(const struct sshd *d)
{
	struct stat st;
	return stat(d->log, &st) == 0 ? (size_t)st.st_size : 0;
}

int sshd_wait_log(const struct sshd *d, size_t from, const char *text, long ms)
{
	for (long waited = 0; waited <= ms; waited += 20) {
		char *s = sshd_slurp(d->log, from, NULL);
		int hit = strstr(s, text) != NULL;
		free(s);
		if (hit)
			return 1;
		struct timespec ts = {0, 20 * 1000000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* sshd -D -e on port: 0 once it listens, 1 when it exited first, -1 when it cannot be
 * started or says nothing for two minutes (a cap that only reports a failure). */
static int sshd_spawn(struct sshd *d, const char *dir, int port)
{
	char path[1400], conf[4096];
	d->port = port;
	snprintf(d->log, sizeof d->log, "%s/sshd-%d.log", dir, d->port);
	int n = snprintf(conf, sizeof conf,
	                 "ListenAddress 127.0.0.1\nPort %d\nHostKey %s/host_ed25519\n"
	                 "AuthorizedKeysFile %s/authorized_keys\nPidFile %s/sshd-%d.pid\n"
	                 "UsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
	                 "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nAllowTcpForwarding yes\n"
	                 "Subsystem sftp internal-sftp\nLogLevel DEBUG3\n",
	                 d->port, dir, dir, dir, d->port);
	snprintf(path, sizeof path, "%s/sshd-%d.conf", dir, d->port);
	if (sshd_write(path, conf, (size_t)n, 0600))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int lfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(lfd, 2);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", path, (char *)NULL);
		_exit(127);
	}
	d->pid = pid;
	char want[80];
	snprintf(want, sizeof want, "Server listening on 127.0.0.1 port %d", d->port);
	for (int waited = 0; waited < 120000; waited += 20) {
		if (sshd_wait_log(d, 0, want, 0))   /* looks once, then sleeps 20 ms */
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			d->pid = 0;
			return 1;
		}
	}
	fprintf(stderr, "sshd on port %d: not listening after 2 minutes\n", d->port);
	return -1;
}

int sshd_start(struct sshd *d, const char *dir, int port)
{
	char path[1400];
	if (!d->host) {
		snprintf(d->dir, sizeof d->dir, "%s", dir);
		struct passwd *pw = getpwuid(getuid());
		snprintf(d->user, sizeof d->user, "%s", pw ? pw->pw_name : "root");
		d->host = keys_generate("test host");
		d->admin = keys_generate("wizard admin");
		if (!d->host || !d->admin)
			return -1;
		keys_public_line(d->host, d->host_line, sizeof d->host_line);
		keys_public_line(d->admin, d->admin_line, sizeof d->admin_line);
		d->admin_priv = keys_private_openssh(d->admin, &d->admin_len);
		size_t hl;
		char *hpriv = keys_private_openssh(d->host, &hl);
		snprintf(path, sizeof path, "%s/host_ed25519", dir);
		int rc = sshd_write(path, hpriv, hl, 0600);
		secmem_free(hpriv);
		char ak[KEYS_LINE_MAX + 2];
		snprintf(ak, sizeof ak, "%s\n", d->admin_line);
		snprintf(path, sizeof path, "%s/authorized_keys", dir);
		if (rc || sshd_write(path, ak, strlen(ak), 0600))
			return -1;
		mkdir("/run/sshd", 0755);   /* privilege separation directory, when sshd never ran here */
	}
	/* A free port can be taken by another test before sshd binds it: then sshd exits, and
	 * another port is tried. */
	for (int tries = 0; tries < 5; tries++) {
		int rc = sshd_spawn(d, dir, port ? port : sshd_free_port());
		if (rc <= 0 || port)
			return rc == 0 ? 0 : -1;
	}
	return -1;
}

void sshd_stop(struct sshd *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
}

void sshd_free_keys(struct sshd *d)
{
	keys_free(d->host);
	keys_free(d->admin);
	secmem_free(d->admin_priv);
	d->host = d->admin = NULL;
	d->admin_priv = NULL;
}

static int sshd_stop_flag, sshd_timed_out;

static void sshd_on_deadline(void *arg)
{
	(void)arg;
	sshd_timed_out = sshd_stop_flag = 1;
}

void sshd_wake(void)
{
	sshd_stop_flag = 1;
}

int sshd_run_until(struct loop *l, const int *cond, long ms)
{
	sshd_timed_out = 0;
	unsigned t = loop_after(l, ms, sshd_on_deadline, NULL);
	while (!*cond && !sshd_timed_out) {
		sshd_stop_flag = 0;
		loop_run(l, &sshd_stop_flag);
	}
	if (!sshd_timed_out)
		loop_cancel(l, t);
	return *cond;
}
