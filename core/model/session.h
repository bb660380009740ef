/* core/model/session.h: what both front ends (the wizard and `run`) open before they work:
 * the options the command line gave, the vault checked against the state's generation,
 * the cloud. Screens include this, never the command line. */
#ifndef SW_SESSION_H
#define SW_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/azure/cloud.h"
#include "core/model/state.h"
#include "secrets/vault.h"

struct session_options {
	const char *answers;      /* --answers FILE */
	const char *cloud_file;   /* --cloud FILE (`az cloud show` JSON) */
	const char *ca_file;      /* --ca-file FILE */
	int pass_fd;              /* --passphrase-fd N, or -1 */
	const char *until;        /* --until STEP: install up to this step only */
	int accept_old_vault;
};

/* The process exit code for a vault failure (see README "Exit codes"). */
int session_exit_code(vault_status vs);
/* A vault older than the state means a restored backup or a swapped file. Reading goes on
 * with a warning in err (returns 0); writing is refused (-1) unless accept_old_vault. */
int session_check_generation(const struct session_options *o, const struct state *st, uint64_t gen, int for_write,
                             char *err, size_t errlen);
/* Opens dir's vault with pass and checks its generation. Returns an exit code (0 ok). */
int session_vault_open(const struct session_options *o, const char *dir, struct state *st, const char *pass,
                       size_t passlen, int for_write, vault **out, char *err, size_t errlen);
/* The cloud: --cloud FILE (its name then valid in answers) or the built-in named cloud_name. 0, or -1 with err. */
int session_cloud(const struct session_options *o, const char *cloud_name, struct cloud *out, char *err,
                  size_t errlen);

#endif
