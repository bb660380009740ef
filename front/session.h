/* front/session.h: what both front ends (the wizard and `run`) open before they work:
 * the options the command line gave, the vault checked against the state's generation and
 * the state against the vault (its MAC), the cloud. Screens include this, never the command line. */
#ifndef SW_SESSION_H
#define SW_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/azure/cloud.h"
#include "core/model/state.h"
#include "core/sys/exitcode.h"
#include "core/sys/profile.h"
#include "secrets/vault.h"

struct session_options {
	const char *answers;      /* --answers FILE */
	const char *cloud_file;   /* --cloud FILE (`az cloud show` JSON) */
	const char *ca_file;      /* --ca-file FILE */
	int pass_fd;              /* --passphrase-fd N, or -1 */
	const char *until;        /* --until STEP: install up to this step only */
	int accept_old_vault;
	int accept_state;         /* --accept-state: take a state.json that was not verified */
};

/* The process exit code for a vault failure (see README "Exit codes"). */
enum sw_exit session_exit_code(vault_status vs);
/* A vault older than the state means a restored backup or a swapped file. Reading goes on
 * with a warning in err (returns 0); writing is refused (-1) unless accept_old_vault. */
int session_check_generation(const struct session_options *o, const struct state *st, uint64_t gen, int for_write,
                             char *err, size_t errlen);
/* Opens dir's vault with pass and checks its generation. Returns an exit code (0 ok). */
enum sw_exit session_vault_open(const struct session_options *o, const char *dir, struct state *st, const char *pass,
                       size_t passlen, int for_write, vault **out, char *err, size_t errlen);
/* After the vault opened: state.json checked against it (state_verify) and its generation
 * against the vault's. Returns 0 when the state may be used (its key then signs every save;
 * msg may hold a note), or -1 when it was not verified and for_write: msg names what differs
 * and nothing may be sent until the operator accepts it (state_bind) or restores it. With
 * o->accept_state it is accepted (0, saying so); a reader (for_write 0) gets 0, a warning in
 * msg, and no key. */
int session_state_check(const struct session_options *o, const char *dir, struct state *st, const vault *v,
                        int for_write, char *msg, size_t msglen);
/* The operator takes st as it is: signed with v's key, following v's generation, and saved.
 * 0, or -1 with err. */
int session_state_accept(const char *dir, struct state *st, const vault *v, char *err, size_t errlen);
/* What the command line adds to a refusal of session_state_check. */
#define SESSION_STATE_HOWTO                                                                          \
	"Nothing was sent. To go on with state.json as it is now, rerun with --accept-state; to go back " \
	"to the last state studio-wizard signed, copy state.json.verified over state.json."
/* The command line that reaches this profile again, for messages that suggest a command:
 * "studio-wizard", "studio-wizard --profile NAME" or "studio-wizard --state-dir DIR" (DIR
 * quoted for a shell when it needs it). A suggestion without them opens another profile. */
void profile_command(const struct profile *p, char *out, size_t outlen);
/* The cloud: --cloud FILE (its name then valid in answers) or the built-in named cloud_name. 0, or -1 with err. */
int session_cloud(const struct session_options *o, const char *cloud_name, struct cloud *out, char *err,
                  size_t errlen);

#endif
