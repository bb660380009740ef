/* studio-wizard: installs the studio-go-runner stack on Azure. */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/xalloc.h"
#include "cli/cli.h"
#include "core/steps/steps.h"
#include "core/sys/exitcode.h"
#include "screens/screen.h"
#include "secrets/vault.h"

int main(int argc, char **argv)
{
	/* Before any secret is touched: no core dumps, not ptrace-able by other users. */
	if (vault_process_init() != 0) {
		fputs("studio-wizard: cannot initialise libsodium or disable core dumps\n", stderr);
		return SW_EXIT_ERROR;
	}
	/* cJSON's memory is ordinary memory too: no NULL from it means "out of memory". */
	cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = xmalloc, .free_fn = free});
	/* The install's steps (keys, titles, questions) before anything reads or names them. */
	char why[256];
	if (step_table_use(steps_table(), why, sizeof why) != 0) {
		fprintf(stderr, "studio-wizard: %s\n", why);
		return SW_EXIT_ERROR;
	}
	return cli_main(argc, argv, wizard_main);
}
