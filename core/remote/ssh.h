/* core/remote/ssh.h: an SSH client (libssh2) that never blocks: every session runs on the
 * event loop. The server must show exactly the ed25519 host key we expect, checked before
 * we authenticate; secrets travel only on stdin or through SFTP, never in a command. */
#ifndef SW_SSH_H
#define SW_SSH_H

#include <stddef.h>

#include "core/sys/loop.h"

struct ssh_session;

struct ssh_target {
	const char *host;          /* an IP address: no DNS lookup (it would block the loop) */
	int port;                  /* 0 means 22 */
	const char *host_key;      /* the expected "ssh-ed25519 AAAA... [comment]" line */
	const char *user;
	const char *private_key;   /* OpenSSH private key text (copied into secmem) */
	size_t private_key_len;
	long attempt_timeout_ms;   /* one TCP connect + handshake + login; 0 means 20 s */
	long retry_for_ms;         /* a booting VM: retry failed attempts this long; 0 = once */
	long retry_every_ms;       /* 0 means 2 s */
};

typedef void (*ssh_ready_fn)(struct ssh_session *s, void *arg);
/* The session failed (connect, host key, login, or the connection broke later). */
typedef void (*ssh_error_fn)(struct ssh_session *s, const char *msg, void *arg);
/* One line of the command's output, made safe for a terminal (text_safe_n). */
typedef void (*ssh_line_fn)(const char *line, int is_stderr, void *arg);
/* The command's exit status, or -1 with err (killed by a signal, channel or session failure). */
typedef void (*ssh_exit_fn)(int exit_status, const char *err, void *arg);
/* 0, or -1 with err. */
typedef void (*ssh_done_fn)(int rc, const char *err, void *arg);

/* Starts connecting; on_ready or on_error comes later from the loop, never from this call.
 * Returns NULL with err for a bad target (not an IP, bad host key line). */
struct ssh_session *ssh_connect(struct loop *l, const struct ssh_target *t, ssh_ready_fn on_ready,
                                ssh_error_fn on_error, void *arg, char *err, size_t errlen);
/* Runs command; stdin_data (may be NULL; copied into secmem) is its whole stdin, then EOF.
 * -1 when the session is not ready or the command holds a registered secret (log_redact). */
int ssh_exec(struct ssh_session *s, const char *command, const void *stdin_data, size_t stdin_len,
             ssh_line_fn on_line, ssh_exit_fn on_done, void *arg);
/* Writes data (copied into secmem) to path over SFTP: a temporary file created with mode,
 * written, fsync'ed, then renamed over path (posix-rename). -1 when not ready. */
int ssh_write_file(struct ssh_session *s, const char *path, const void *data, size_t len, unsigned mode,
                   ssh_done_fn on_done, void *arg);
/* Listens on 127.0.0.1 (a free port, returned) and carries each accepted connection to
 * remote_host:remote_port as seen from the server (like ssh -L). -1 with err. */
int ssh_forward_local(struct ssh_session *s, const char *remote_host, int remote_port, char *err,
                      size_t errlen);
/* The server's host key fingerprint ("SHA256:..."), "" before the handshake. */
const char *ssh_fingerprint(const struct ssh_session *s);
/* Disconnects and frees; callbacks of pending work are not called. Safe inside a callback. */
void ssh_free(struct ssh_session *s);

#endif
