/* cli/vault_cmd.h: `vault init|list|get|set|rm|rekey|export`; each returns an exit code. */
#ifndef SW_CLI_VAULT_CMD_H
#define SW_CLI_VAULT_CMD_H

#include "cli/cmd.h"

int vault_cmd_init(struct ctx *c);
int vault_cmd_list(struct ctx *c);
int vault_cmd_get(struct ctx *c);
int vault_cmd_set(struct ctx *c);
int vault_cmd_rm(struct ctx *c);
int vault_cmd_rekey(struct ctx *c);
int vault_cmd_export(struct ctx *c);

#endif
