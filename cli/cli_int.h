/* cli/cli_int.h: what the command files share: the command context, the helpers of
 * cli.c, secure output (sout.c) and the vault commands (vault_cmd.c). Not for use
 * outside cli/. */
#ifndef SW_CLI_INT_H
#define SW_CLI_INT_H

#include <stddef.h>

#include "cli/cli.h"
#include "front/session.h"

#define CLI_ERRLEN 1024

struct ctx {
	struct cli_opts *o;
	struct profile *p;
	struct state *st;
};

/* cli.c */
int cli_need_args(struct ctx *c, int want, const char *usage);   /* 0, or -1 after the usage line */
struct session_options cli_session(const struct cli_opts *o);    /* what the wizard and `run` share */

/* sout.c: values go from protected memory to fd 1 without stdio buffers */
struct sout {
	unsigned char *buf;
	size_t len;
	int failed;
};
#define SOUT_CAP 65536
int sout_open(struct sout *s);    /* a protected buffer; 0, or -1 after the message */
int sout_close(struct sout *s);   /* flushes and frees; 0, or -1 after the message */
void sout_flush(struct sout *s);   /* writes and wipes the buffer; failed set on error */
void sout_put(struct sout *s, const void *data, size_t len);
void sout_str(struct sout *s, const char *str);
void sout_json_string(struct sout *s, const unsigned char *p, size_t n);   /* quoted, escaped */
void sout_base64(struct sout *s, const unsigned char *p, size_t n);
int sout_utf8_clean(const unsigned char *p, size_t n);   /* 1: valid UTF-8 without NUL bytes */

/* vault_cmd.c: `vault init|list|get|set|rm|rekey|export`; each returns an exit code */
int vault_cmd_init(struct ctx *c);
int vault_cmd_list(struct ctx *c);
int vault_cmd_get(struct ctx *c);
int vault_cmd_set(struct ctx *c);
int vault_cmd_rm(struct ctx *c);
int vault_cmd_rekey(struct ctx *c);
int vault_cmd_export(struct ctx *c);

#endif
