/* cli/plan.h: `studio-wizard plan --answers FILE [--json]`: the ordered actions of every
 * step of the table with every resource name, from the step table. Secrets appear only as <sealed:NAME>;
 * this command never opens the vault. */
#ifndef SW_CLI_PLAN_H
#define SW_CLI_PLAN_H

#include <stdio.h>

#include "core/engine/step.h"

/* Returns the exit code: 0 printed, 2 invalid answers (message "studio-wizard: FILE:
 * key.path: rule" on errout), 1 anything else (unreadable file, write error). */
int plan_cmd(const struct step_table *t, const char *answers_path, int json, FILE *out, FILE *errout);

#endif
