/* cli/export.h: `studio-wizard export experimenter [--out FILE]`: the studioml client
 * configuration of the installed stack (core/steps/experimenter.h), 0600, never over an
 * existing file, with a warning on stderr that it holds secrets. */
#ifndef SW_CLI_EXPORT_H
#define SW_CLI_EXPORT_H

#include "cli/cmd.h"

/* Returns the exit code. */
int export_main(struct cli_opts *o, struct profile *p, struct state *st);

#endif
