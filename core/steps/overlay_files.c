/* core/steps/overlay_files.c: the overlay directory the operator keeps: created 0755, files
 * 0644 written atomically (temp file O_EXCL, fsync, rename, fsync of the directory), and a
 * file the operator changed since the wizard wrote it left as it is. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/steps/overlay_int.h"

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The file's sha256 in hex, or -1 when it does not exist (err set on other failures). */
static int file_sum(const char *path, char out[65], int *exists)
{
	FILE *f = fopen(path, "rb");
	*exists = 0;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	*exists = 1;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[8192], h[crypto_hash_sha256_BYTES];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	int bad = ferror(f);
	fclose(f);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
	return bad ? -1 : 0;
}

/* The recorded sum of path in "p=sum;..." or NULL. */
static const char *sums_find(const char *sums, const char *path, char out[65])
{
	size_t pl = strlen(path);
	for (const char *s = sums ? sums : ""; *s;) {
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len == pl + 65 && strncmp(s, path, pl) == 0 && s[pl] == '=') {
			memcpy(out, s + pl + 1, 64);
			out[64] = 0;
			return out;
		}
		s += len + (end != NULL);
	}
	return NULL;
}

static int mkdir_0755(const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create it: %s", tmp, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(tmp, 0755) == 0) {
		if (chmod(tmp, 0755) != 0) {   /* whatever the umask made of it */
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create it: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_atomic(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[4200], dir[4096];
	snprintf(tmp, sizeof tmp, "%s.sw-%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		unlink(tmp);   /* left by a killed run of this same pid number */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int overlay_dir_write(const char *dir, const struct overlay_files *files, const char *sums_in, char *sums_out,
                      size_t sums_len, char *kept, size_t keptlen, char *err, size_t errlen)
{
	size_t so = 0, ko = 0;
	sums_out[0] = 0;
	kept[0] = 0;
	if (mkdir_0755(dir, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < files->n; i++) {
		const struct overlay_file *f = &files->f[i];
		char path[4200], sub[4200], have[65], want[65], was[65];
		snprintf(path, sizeof path, "%s/%s", dir, f->path);
		snprintf(sub, sizeof sub, "%s", path);
		*strrchr(sub, '/') = 0;
		if (mkdir_0755(sub, err, errlen) != 0)
			return -1;
		int exists;
		if (file_sum(path, have, &exists) != 0) {
			snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
			return -1;
		}
		sha256_hex(f->text, strlen(f->text), want);
		const char *recorded = sums_find(sums_in, f->path, was);
		const char *sum = want;
		if (exists && strcmp(have, want) != 0 && (!recorded || strcmp(have, recorded) != 0)) {
			/* changed by someone else since we wrote it (or never ours): keep it */
			ko += (size_t)snprintf(kept + ko, ko < keptlen ? keptlen - ko : 0, "%s%s", ko ? ", " : "", f->path);
			if (ko >= keptlen)
				ko = keptlen - 1;
			sum = recorded ? recorded : NULL;
		} else if (!exists || strcmp(have, want) != 0) {
			if (write_atomic(path, f->text, err, errlen) != 0)
				return -1;
		}
		if (sum)
			so += (size_t)snprintf(sums_out + so, so < sums_len ? sums_len - so : 0, "%s%s=%s", so ? ";" : "", f->path,
			                       sum);
		if (so >= sums_len) {
			snprintf(err, errlen, "overlay: too many files to record");
			return -1;
		}
	}
	return 0;
}
