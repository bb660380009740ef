/* core/sys/subprocess.h: a child process with a fixed argv (posix_spawnp, no shell),
 * its stdout and stderr read through pipes in the loop. Stdout may hold secrets
 * (`az account get-access-token`): it is kept in protected memory and wiped. */
#ifndef SW_SUBPROCESS_H
#define SW_SUBPROCESS_H

#include <stddef.h>

#include "core/sys/loop.h"

#define SUBPROCESS_OUT_MAX (256u * 1024)

struct subprocess;

/* status: exit code, or -1 when it died by a signal or could not be read.
 * out (NUL-terminated, protected memory) and err are valid during the call only. */
typedef void (*subprocess_done_fn)(int status, const char *out, size_t outlen, const char *err,
                                   void *arg);

/* Starts argv[0] found on PATH with the parent's environment; stdin is /dev/null.
 * NULL with err ("az: not found on PATH", ...) when it cannot start. */
struct subprocess *subprocess_start(struct loop *l, const char *const *argv, subprocess_done_fn done,
                                    void *arg, char *err, size_t errlen);
/* Kills (SIGKILL) and reaps the child; done() is not called. */
void subprocess_kill(struct subprocess *p);

#endif
