/* core/sys/secret_input.h: reading passphrases and secret values without echo, into
 * protected memory. Never from argv or the environment. */
#ifndef SW_SECRET_INPUT_H
#define SW_SECRET_INPUT_H

#include <stddef.h>

#define PASSPHRASE_MAX 1024

/* One line from fd (newline not included), read a byte at a time so later lines stay
 * for the next call. *out is protected memory (secmem_free). 0, or -1 with err. */
int secret_read_line_fd(int fd, char **out, size_t *len, char *err, size_t errlen);
/* Prompts on /dev/tty with echo off. 0, or -1 with err (no terminal, EOF). */
int secret_read_tty(const char *prompt, char **out, size_t *len, char *err, size_t errlen);
/* Everything until EOF (at most max bytes). */
int secret_read_all_fd(int fd, size_t max, unsigned char **out, size_t *len, char *err,
                       size_t errlen);

#endif
