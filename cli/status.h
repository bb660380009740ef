/* cli/status.h: `studio-wizard status`: each step and its actions as the state records
 * them against the step table, operations in flight, outputs, where to resume. */
#ifndef SW_CLI_STATUS_H
#define SW_CLI_STATUS_H

#include <stdio.h>

#include "core/engine/step.h"
#include "core/model/state.h"
#include "core/sys/profile.h"

/* Returns the exit code (1 when out cannot be written). */
int status_print(const struct step_table *t, const struct profile *p, const struct state *st, FILE *out);

#endif
