/* cli/cli.h: the command line (a contract: see README "Command line"). */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stdio.h>

#include "cli/cmd.h"

/* Hooks the binary adds (commands outside core, such as the TUI). Returns an exit code. */
struct session_options;
typedef int (*cli_ui_fn)(const struct session_options *o, struct profile *p);

/* Runs the command line; returns the process exit code. ui starts the wizard when no
 * command is given (NULL: print usage). */
int cli_main(int argc, char **argv, cli_ui_fn ui);

void cli_usage(FILE *f);

#endif
