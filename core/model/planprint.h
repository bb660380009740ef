/* core/model/planprint.h: `studio-wizard plan --answers FILE`: the ordered actions of all six
 * steps with every resource name. Secrets appear only as <sealed:NAME>; this code never
 * opens the vault. */
#ifndef SW_PLANPRINT_H
#define SW_PLANPRINT_H

#include <stdio.h>

#include "core/model/answers.h"

/* Prints the plan for completed answers (answers_complete). 0, or -1 on a write error. */
int planprint_write(const struct answers *a, FILE *out);
/* The whole command: load, complete, print. Returns the exit code: 0 printed,
 * 2 invalid answers (message "studio-wizard: FILE: key.path: rule" on errout),
 * 1 anything else (unreadable file, write error). */
int planprint_cmd(const char *answers_path, FILE *out, FILE *errout);

#endif
