#include "secrets/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static int atomic_write_held(const char *dir, const char *name, const struct iovec *iov, int iovcnt,
                             char *err, size_t errlen);

/* A terminal closing (HUP), Ctrl-C or Ctrl-\ (INT, QUIT) or a plain kill (TERM) would end the
 * process between the temp file and the rename, leaving a copy of the whole file (the vault:
 * up to 1 GB, sealed) behind. Held here, such a signal is delivered once the file is in place. */
int atomic_write(const char *dir, const char *name, const struct iovec *iov, int iovcnt,
                 char *err, size_t errlen)
{
	sigset_t hold, old;
	sigemptyset(&hold);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	int rc = atomic_write_held(dir, name, iov, iovcnt, err, errlen);
	int saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return rc;
}

static int atomic_write_held(const char *dir, const char *name, const struct iovec *iov, int iovcnt,
                             char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		snprintf(err, errlen, "%s/%s: path too long", dir, name);
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = -1;
	/* O_EXCL with a fresh name each try: never reuse or follow someone else's file. */
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(tmp, sizeof tmp, "%s/.%s.%ld.%lx%x.tmp", dir, name, (long)getpid(),
		         (unsigned long)ts.tv_nsec, (unsigned)attempt);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST) {
			int saved = errno;
			snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(saved));
			errno = saved;
			return -1;
		}
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create temporary file", path);
		return -1;
	}
	const char *what = "write";
	int ok = 1;
	for (int i = 0; i < iovcnt && ok; i++)
		if (write_all(fd, iov[i].iov_base, iov[i].iov_len) != 0)
			ok = 0;
	if (ok && fsync(fd) != 0) {
		ok = 0;
		what = "fsync";
	}
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		what = "close";
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = 0;
		what = "rename";
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(err, errlen, "%s: %s failed: %s", path, what, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fsync_dir(dir) != 0) {
		saved = errno;
		snprintf(err, errlen, "%s: fsync of directory failed: %s", dir, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

int atomic_cleanup(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char prefix[NAME_MAX + 1];
	snprintf(prefix, sizeof prefix, ".%s.", name);
	size_t plen = strlen(prefix);
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > plen + 4 && strncmp(e->d_name, prefix, plen) == 0 &&
		    strcmp(e->d_name + len - 4, ".tmp") == 0) {
			if (unlinkat(dirfd(d), e->d_name, 0) == 0)
				removed++;
		}
	}
	closedir(d);
	return removed;
}
