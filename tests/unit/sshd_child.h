/* tests/unit/sshd_child.h: the real OpenSSH sshd as a child on 127.0.0.1 for the SSH tests,
 * with a host key and an authorized admin key made by core/remote/keys.c; plus a loop driver
 * (tests/unit/sshd_child.c). */
#ifndef SW_SSHD_CHILD_H
#define SW_SSHD_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "core/remote/keys.h"
#include "core/sys/loop.h"

struct sshd {
	pid_t pid;
	int port;
	char dir[1024], log[1200], user[64];
	struct keys_pair *host, *admin;
	char host_line[KEYS_LINE_MAX], admin_line[KEYS_LINE_MAX];
	char *admin_priv;   /* secmem */
	size_t admin_len;
};

/* A loopback port nobody listens on at the moment. */
int sshd_free_port(void);

/* Writes data to path (created with mode). 0 or -1. */
int sshd_write(const char *path, const char *data, size_t len, int mode);

/* The whole file (malloc'd, NUL-terminated) from offset from; "" when missing. */
char *sshd_slurp(const char *path, size_t from, size_t *len);

size_t sshd_log_size(const struct sshd *d);

/* Waits (polling the file, up to ms) until the log after offset from holds text. */
int sshd_wait_log(const struct sshd *d, size_t from, const char *text, long ms);

/* Keys (unless already made), config, and sshd -D -e on port (0: a free one). 0 or -1. */
int sshd_start(struct sshd *d, const char *dir, int port);

void sshd_stop(struct sshd *d);
void sshd_free_keys(struct sshd *d);

/* Makes sshd_run_until's loop_run return (from a callback), to look at its condition. */
void sshd_wake(void);

/* The cap of a wait for something the test needs (two minutes): it only turns an event that
 * never comes into a failure, and a loaded machine is slow. */
#define SSHD_WAIT_MS 120000

/* Drives the loop with loop_run until *cond or ms pass; returns *cond. */
int sshd_run_until(struct loop *l, const int *cond, long ms);

#endif
