/* cli/cmd.h: what every command uses, below the commands and cli.c's dispatch: the parsed
 * options, the command context, the one form of an error, and the profile's vault opened
 * with the passphrase. Commands report back through their exit code, never by calling up. */
#ifndef SW_CLI_CMD_H
#define SW_CLI_CMD_H

#include <stddef.h>

#include "core/model/state.h"
#include "core/sys/exitcode.h"
#include "core/sys/profile.h"
#include "front/session.h"

#define CLI_ERRLEN 1024

/* Parsed options; options may appear anywhere on the line. */
struct cli_opts {
	const char *profile;
	const char *state_dir;
	int pass_fd;              /* -1: read from the terminal */
	int accept_old_vault;
	int accept_state;      /* --accept-state */
	int json;                 /* plan --json */
	const char *kind;
	const char *kdf;
	const char *format;
	const char *step;
	const char *answers;
	const char *cloud_file;   /* --cloud FILE: endpoints as `az cloud show` prints them */
	const char *ca_file;      /* --ca-file FILE: PEM bundle of a private CA */
	const char *until;        /* run --until STEP */
	const char *out;          /* export experimenter --out FILE */
	const char *pos[8];       /* command words and arguments */
	int npos;
};

struct ctx {
	struct cli_opts *o;
	struct profile *p;
	struct state *st;
};

/* "studio-wizard: <message>" on stderr: the one form of every command-line error. */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_need_args(struct ctx *c, int want, const char *usage);   /* 0, or -1 after the usage line */
struct session_options cli_session(const struct cli_opts *o);    /* what the wizard and `run` share */
/* A passphrase from --passphrase-fd's next line or the terminal (echo off); 0, or -1 after
 * the message. *pass is protected memory. */
int cli_read_pass(struct cli_opts *o, const char *prompt, char **pass, size_t *len);
/* Opens the vault of profile p, asking for the passphrase and checking its generation
 * against the state, then the state against the vault. Returns an exit code (0 ok) with a
 * one-line message printed to stderr on failure. */
struct vault;
enum sw_exit cli_vault_open(struct cli_opts *o, struct profile *p, struct state *st, int for_write,
                            struct vault **out);

#endif
