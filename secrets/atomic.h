/* secrets/atomic.h: durable file replacement, used for the vault and the state.
 * Temp file opened O_EXCL mode 0600 in the same directory, write, fsync, rename,
 * fsync of the directory. A crash leaves the old file or the new one, never a mix. */
#ifndef SW_ATOMIC_H
#define SW_ATOMIC_H

#include <stddef.h>
#include <sys/uio.h>

/* 0 on success; -1 with errno set and err naming the file and the failed call. HUP, INT,
 * TERM and QUIT wait until it returns: no temp file is left by them. */
int atomic_write(const char *dir, const char *name, const struct iovec *iov, int iovcnt,
                 char *err, size_t errlen);
/* Removes temp files that a killed writer left behind (".name.*.tmp"). Returns how many. */
int atomic_cleanup(const char *dir, const char *name);

#endif
