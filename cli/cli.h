/* cli/cli.h: the command line (a contract: see README "Command line"). */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stdio.h>

#include "core/sys/profile.h"
#include "core/model/state.h"

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

/* Hooks the binary adds (commands outside core, such as the TUI). Returns an exit code. */
struct session_options;
typedef int (*cli_ui_fn)(const struct session_options *o, struct profile *p);

/* Runs the command line; returns the process exit code. ui starts the wizard when no
 * command is given (NULL: print usage). */
int cli_main(int argc, char **argv, cli_ui_fn ui);

/* Shared by the CLI and the wizard: opens the vault of profile p, asking for the
 * passphrase (fd or terminal) and checking its generation against the state.
 * Returns an exit code (0 ok) with a one-line message printed to stderr on failure. */
struct vault;
int cli_vault_open(struct cli_opts *o, struct profile *p, struct state *st, int for_write,
                   struct vault **out);

void cli_usage(FILE *f);
/* "studio-wizard: <message>" on stderr: the one form of every command-line error. */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
