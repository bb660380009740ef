/* core/sys/profile.h: where a profile's files live, and the one-process-per-profile lock. */
#ifndef SW_PROFILE_H
#define SW_PROFILE_H

#include <limits.h>
#include <stddef.h>

#define PROFILE_DEFAULT "default"
#define PROFILE_NAME_MAX 64
/* Written by the wizard when it ends: the answers it used, for --answers. */
#define PROFILE_ANSWERS_FILE "answers.json"
/* The state beside the vault (core/model/state.c reads and writes it; the lock cleans up
 * after a writer that was killed). The vault's own name is VAULT_FILE (secrets/vault.h). */
#define STATE_FILE "state.json"

struct profile {
	char name[PROFILE_NAME_MAX + 1];
	char dir[PATH_MAX];
	int lock_fd;    /* -1 when not held */
	int from_option;   /* dir came from --state-dir (named so in messages) */
};

/* Profile names: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'. 0 or -1 with why. */
int profile_name_valid(const char *name, char *why, size_t whylen);
/* dir = state_dir if given, else $XDG_STATE_HOME/studio-wizard/<name>,
 * else ~/.local/state/studio-wizard/<name>. Does not touch the disk. */
int profile_resolve(struct profile *p, const char *name, const char *state_dir,
                    char *err, size_t errlen);
/* mkdir -p with mode 0700. An existing directory is never changed: it is refused when
 * another user owns it or others can write it (group/other write bits, /tmp's 1777). */
int profile_prepare(struct profile *p, char *err, size_t errlen);
/* That check alone, for an existing directory (symlinks followed): 0, or -1 with err
 * starting with label and dir. */
int profile_dir_private(const char *dir, const char *label, char *err, size_t errlen);
/* Exclusive lock on dir/lock holding our pid; then removes temp files a killed writer left. 0, or -1 with "profile 'x' is in use by pid N"
 * (*busy set to 1) or another error (*busy 0). The kernel drops it if we die. */
int profile_lock(struct profile *p, int *busy, char *err, size_t errlen);
void profile_unlock(struct profile *p);
/* 1 when some process holds the profile's lock (works on it now), else 0. Only tries a shared
 * lock for an instant, so a reader such as `status` never holds the profile. */
int profile_lock_held(const struct profile *p);
/* Joins dir and a file name. */
int profile_file(const struct profile *p, const char *file, char *out, size_t outlen);

#endif
