#include "core/sys/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets/atomic.h"
#include "secrets/vault.h"

#define LOCK_FILE "lock"

int profile_name_valid(const char *name, char *why, size_t whylen)
{
	size_t len = strlen(name);
	int ok = len >= 1 && len <= PROFILE_NAME_MAX && name[0] != '.' && name[0] != '-';
	for (size_t i = 0; ok && i < len; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	if (!ok)
		snprintf(why, whylen,
		         "--profile: 1-64 characters of A-Z a-z 0-9 . _ -, not starting with . or -");
	return ok ? 0 : -1;
}

int profile_resolve(struct profile *p, const char *name, const char *state_dir, char *err,
                    size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->lock_fd = -1;
	if (profile_name_valid(name, err, errlen) != 0)
		return -1;
	snprintf(p->name, sizeof p->name, "%s", name);
	int n;
	p->from_option = state_dir && *state_dir;
	if (p->from_option) {
		n = snprintf(p->dir, sizeof p->dir, "%s", state_dir);
	} else {
		const char *xdg = getenv("XDG_STATE_HOME");
		if (xdg && xdg[0] == '/') {
			n = snprintf(p->dir, sizeof p->dir, "%s/studio-wizard/%s", xdg, name);
		} else {
			const char *home = getenv("HOME");
			if (!home || home[0] != '/') {
				struct passwd *pw = getpwuid(getuid());
				home = pw ? pw->pw_dir : NULL;
			}
			if (!home) {
				snprintf(err, errlen, "cannot find a home directory: set HOME or use --state-dir");
				return -1;
			}
			n = snprintf(p->dir, sizeof p->dir, "%s/.local/state/studio-wizard/%s", home, name);
		}
	}
	if (n < 0 || (size_t)n >= sizeof p->dir - 32) {
		snprintf(err, errlen, "state directory path is too long");
		return -1;
	}
	/* Trailing slashes make error messages and joined paths ugly. */
	while (n > 1 && p->dir[n - 1] == '/')
		p->dir[--n] = '\0';
	return 0;
}

/* mkdir -p: every directory it makes is 0700. *created says whether the last one was new. */
static int mkdir_p(const char *dir, int *created, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", dir);
	*created = 0;
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create directory: %s", tmp, strerror(errno));
			return -1;
		}
		*s = '/';
	}
	if (mkdir(tmp, 0700) == 0) {
		*created = 1;
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create directory: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int profile_prepare(struct profile *p, char *err, size_t errlen)
{
	const char *label = p->from_option ? "--state-dir " : "";
	int created;
	if (mkdir_p(p->dir, &created, err, errlen) != 0)
		return -1;
	struct stat st;
	if (stat(p->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s%s: not a directory", label, p->dir);
		return -1;
	}
	if (created) {
		/* Ours: mkdir's 0700 under the umask; make sure it is exactly that. */
		if ((st.st_mode & 07777) != 0700 && chmod(p->dir, 0700) != 0) {
			snprintf(err, errlen, "%s%s: cannot set mode 0700: %s", label, p->dir,
			         strerror(errno));
			return -1;
		}
		return 0;
	}
	return profile_dir_private(p->dir, label, err, errlen);
}

int profile_dir_private(const char *dir, const char *label, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s%s: not a directory", label, dir);
		return -1;
	}
	/* Not ours: never changed, only refused when another user could swap our files. */
	unsigned mode = (unsigned)(st.st_mode & 07777);
	if (st.st_uid != geteuid()) {
		struct passwd *pw = getpwuid(st.st_uid);
		snprintf(err, errlen, "%s%s: owned by %s (uid %lu), not by you; choose a directory "
		                      "you own", label, dir, pw ? pw->pw_name : "another user",
		         (unsigned long)st.st_uid);
		return -1;
	}
	if (mode & 022) {
		snprintf(err, errlen, "%s%s: writable by other users (mode %04o); choose a directory "
		                      "only you can write", label, dir, mode);
		return -1;
	}
	return 0;
}

static long read_holder(int fd)
{
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int profile_lock(struct profile *p, int *busy, char *err, size_t errlen)
{
	*busy = 0;
	char path[PATH_MAX];
	profile_file(p, LOCK_FILE, path, sizeof path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open lock file: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e == EWOULDBLOCK) {
			/* The holder writes its pid right after locking; give it a moment. */
			long pid = 0;
			for (int i = 0; i < 20 && pid <= 0; i++) {
				pid = read_holder(fd);
				if (pid <= 0)
					usleep(5000);
			}
			*busy = 1;
			if (pid > 0)
				snprintf(err, errlen, "profile '%s' is in use by pid %ld", p->name, pid);
			else
				snprintf(err, errlen, "profile '%s' is in use by another process", p->name);
		} else {
			snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(e));
		}
		close(fd);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		snprintf(err, errlen, "%s: cannot write lock file: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	p->lock_fd = fd;
	/* Temp files of a writer that was killed mid-save are garbage now. */
	atomic_cleanup(p->dir, VAULT_FILE);
	atomic_cleanup(p->dir, STATE_FILE);
	atomic_cleanup(p->dir, PROFILE_ANSWERS_FILE);
	return 0;
}

void profile_unlock(struct profile *p)
{
	if (p->lock_fd >= 0) {
		if (ftruncate(p->lock_fd, 0) != 0) {
			/* Harmless: a stale pid is never trusted without the lock. */
		}
		close(p->lock_fd);
	}
	p->lock_fd = -1;
}

int profile_lock_held(const struct profile *p)
{
	char path[PATH_MAX];
	if (profile_file(p, LOCK_FILE, path, sizeof path) != 0)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;   /* no lock file: no process ever held it */
	int held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);       /* drops the shared lock, if we got it */
	return held;
}

int profile_file(const struct profile *p, const char *file, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", p->dir, file);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
