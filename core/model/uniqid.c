#include "core/model/uniqid.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/model/md5.h"

/* Bash's default IFS. Pathname expansion of the words is not reproduced: ip's
 * output never holds *, ? or [. */
static int uniqid_is_ifs(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Appends the words of s to buf (at *len), each preceded by a space unless first. */
static void uniqid_append_words(char *buf, size_t *len, const char *s)
{
	while (s && *s) {
		while (*s && uniqid_is_ifs(*s))
			s++;
		if (!*s)
			break;
		if (*len > 0)
			buf[(*len)++] = ' ';
		while (*s && !uniqid_is_ifs(*s))
			buf[(*len)++] = *s++;
	}
}

char *uniqid_seed_text(const char *subscription, const char *maddr_output)
{
	size_t cap = (subscription ? strlen(subscription) : 0) +
	             (maddr_output ? strlen(maddr_output) : 0) + 3;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	size_t len = 0;
	uniqid_append_words(buf, &len, subscription);
	uniqid_append_words(buf, &len, maddr_output);
	buf[len++] = '\n';
	buf[len] = '\0';
	return buf;
}

int uniqid_from_output(const char *subscription, const char *maddr_output,
                       char out[UNIQID_LEN + 1])
{
	char *text = uniqid_seed_text(subscription, maddr_output);
	if (!text)
		return -1;
	char hex[2 * MD5_DIGEST_LEN + 1];
	md5_hex(text, strlen(text), hex);
	free(text);
	memcpy(out, hex, UNIQID_LEN);
	out[UNIQID_LEN] = '\0';
	return 0;
}

/* stdout of `ip maddress show dev`; stderr goes to /dev/null like the seed's
 * terminal noise. Returns a malloc'd string (empty when ip is missing) or NULL. */
static char *uniqid_run_ip(const char *dev)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return NULL;
	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	/* Only 0-2 reach the child (no inherited sockets or vault descriptors). */
	int rc = posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO) ||
	         posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0) ||
	         posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) ||
	         posix_spawn_file_actions_addclosefrom_np(&fa, 3) ? ENOMEM : 0;
	char *argv[] = {"ip", "maddress", "show", (char *)dev, NULL};
	/* A fixed, minimal environment: the child needs nothing from ours. */
	char *envp[] = {"LC_ALL=C", NULL};
	pid_t pid;
	if (rc == 0)
		rc = posix_spawnp(&pid, "ip", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);

	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fds[0]);
		if (rc == 0)
			waitpid(pid, NULL, 0);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fds[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fds[0]);
	if (rc == 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return buf;
}

int uniqid_derive(const char *subscription, const char *dev, char out[UNIQID_LEN + 1])
{
	char *maddr = uniqid_run_ip(dev ? dev : UNIQID_DEFAULT_DEV);
	if (!maddr)
		return -1;
	int rc = uniqid_from_output(subscription, maddr, out);
	free(maddr);
	return rc;
}
