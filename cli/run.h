/* cli/run.h: `studio-wizard run --answers FILE [--until STEP] [--passphrase-fd N]
 * [--cloud FILE] [--ca-file FILE]`: the steps that exist, without a terminal UI,
 * one progress line per operation on stdout; exit 0 only when every requested step
 * is done. */
#ifndef SW_RUN_H
#define SW_RUN_H

#include "cli/cmd.h"
#include "core/sys/profile.h"
#include "core/model/state.h"

int run_main(struct cli_opts *o, struct profile *p, struct state *st);

#endif
