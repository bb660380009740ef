#include "core/sys/secret_input.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "secrets/secmem.h"

int secret_read_line_fd(int fd, char **out, size_t *len, char *err, size_t errlen)
{
	char *buf = secmem_alloc(PASSPHRASE_MAX + 1);
	if (!buf) {
		snprintf(err, errlen, "out of protected memory");
		return -1;
	}
	size_t n = 0;
	int got_any = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "passphrase fd %d: %s", fd, strerror(errno));
			secmem_free(buf);
			return -1;
		}
		if (r == 0)
			break;
		got_any = 1;
		if (c == '\n')
			break;
		if (n == PASSPHRASE_MAX) {
			snprintf(err, errlen, "passphrase fd %d: line longer than %d bytes", fd,
			         PASSPHRASE_MAX);
			secmem_free(buf);
			return -1;
		}
		buf[n++] = c;
	}
	if (!got_any) {
		snprintf(err, errlen, "passphrase fd %d: no line to read (closed or empty)", fd);
		secmem_free(buf);
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	/* Whatever else that descriptor holds is none of a child process's business. */
	if (fd > STDERR_FILENO)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static volatile sig_atomic_t tty_fd_for_signal = -1;
static struct termios tty_saved;

static void restore_and_reraise(int sig)
{
	if (tty_fd_for_signal >= 0)
		tcsetattr(tty_fd_for_signal, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

int secret_read_tty(const char *prompt, char **out, size_t *len, char *err, size_t errlen)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "no terminal to read the passphrase from; use --passphrase-fd N");
		return -1;
	}
	struct termios t;
	if (tcgetattr(fd, &tty_saved) != 0) {
		snprintf(err, errlen, "cannot set up the terminal: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct sigaction sa = {0}, old_int, old_term, old_hup;
	sa.sa_handler = restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	tty_fd_for_signal = fd;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	t.c_lflag |= ICANON;
	tcsetattr(fd, TCSAFLUSH, &t);
	ssize_t w = write(fd, prompt, strlen(prompt));
	(void)w;
	int rc = secret_read_line_fd(fd, out, len, err, errlen);
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	w = write(fd, "\n", 1);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	tty_fd_for_signal = -1;
	close(fd);
	if (rc != 0)
		snprintf(err, errlen, "no passphrase entered");
	return rc;
}

int secret_read_all_fd(int fd, size_t max, unsigned char **out, size_t *len, char *err,
                       size_t errlen)
{
	size_t cap = 4096, n = 0;
	unsigned char *buf = secmem_alloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				snprintf(err, errlen, "value: longer than %zu bytes", max);
				secmem_free(buf);
				return -1;
			}
			unsigned char *bigger = secmem_alloc(cap * 2);
			if (!bigger) {
				secmem_free(buf);
				goto nomem;
			}
			memcpy(bigger, buf, n);
			secmem_free(buf);
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "standard input: %s", strerror(errno));
			secmem_free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		snprintf(err, errlen, "value: longer than %zu bytes", max);
		secmem_free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
nomem:
	snprintf(err, errlen, "out of protected memory");
	return -1;
}
