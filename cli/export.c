/* cli/export.c: `export experimenter`; see export.h. */
#include "cli/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/steps/experimenter.h"
#include "core/sys/exitcode.h"
#include "core/sys/profile.h"
#include "secrets/vault.h"

int export_main(struct cli_opts *o, struct profile *p, struct state *st)
{
	if (o->npos != 2 || strcmp(o->pos[1], "experimenter") != 0) {
		cli_fail("usage: studio-wizard export experimenter [--out FILE]");
		return SW_EXIT_USAGE;
	}
	const char *out = o->out ? o->out : EXPERIMENTER_DEFAULT_OUT;
	char err[1024];
	if (!o->out && experimenter_default_dir(err, sizeof err) != 0) {
		cli_fail("export experimenter: %s (or give --out FILE)", err);
		return SW_EXIT_ERROR;
	}
	vault *v = NULL;
	int rc = cli_vault_open(o, p, st, 0, &v);
	if (rc)
		return rc;
	/* The file points the client at the state's endpoints with the vault's secrets. */
	if (!state_verified(st) && !o->accept_state) {
		cli_fail("export experimenter: not written: the endpoints would come from a state the vault did not "
		         "verify. To use state.json as it is now, rerun with --accept-state; to go back to the last state "
		         "studio-wizard signed, copy state.json.verified over state.json.");
		vault_close(v);
		return SW_EXIT_STATE;
	}
	rc = experimenter_write(st, v, out, err, sizeof err);
	vault_close(v);
	if (rc != 0) {
		cli_fail("export experimenter: %s%s", err, rc == -2 ? " (choose another file with --out)" : "");
		return SW_EXIT_ERROR;
	}
	cli_fail("warning: %s holds the queue password and the Minio keys in clear text (mode 0600); "
	         "the signing key beside it is private too", out);
	printf("%s\n", out);
	return fflush(stdout) == 0 ? SW_EXIT_OK : SW_EXIT_ERROR;
}
