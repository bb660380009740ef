/* What every command uses: errors, usage checks, the session options, the passphrase and
 * the profile's vault. It calls no command and nothing of cli.c. */
#include "cli/cmd.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/sys/exitcode.h"
#include "core/sys/secret_input.h"
#include "secrets/secmem.h"
#include "secrets/vault.h"

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("studio-wizard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The options the wizard and `run` share. */
struct session_options cli_session(const struct cli_opts *o)
{
	return (struct session_options){o->answers,  o->cloud_file,       o->ca_file,     o->pass_fd,
	                                o->until,    o->accept_old_vault, o->accept_state};
}

int cli_need_args(struct ctx *c, int want, const char *usage)
{
	if (c->o->npos != want) {
		cli_fail("usage: studio-wizard %s", usage);
		return -1;
	}
	return 0;
}

int cli_read_pass(struct cli_opts *o, const char *prompt, char **pass, size_t *len)
{
	char err[CLI_ERRLEN];
	int rc = o->pass_fd >= 0 ? secret_read_line_fd(o->pass_fd, pass, len, err, sizeof err)
	                         : secret_read_tty(prompt, pass, len, err, sizeof err);
	if (rc != 0) {
		cli_fail("%s", err);
		return -1;
	}
	return 0;
}

enum sw_exit cli_vault_open(struct cli_opts *o, struct profile *p, struct state *st, int for_write,
                            struct vault **out)
{
	char err[CLI_ERRLEN];
	uint64_t gen = 0;
	/* Header problems are reported before asking for a passphrase. */
	vault_status vs = vault_peek(p->dir, &gen, NULL, err, sizeof err);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return session_exit_code(vs);
	}
	struct session_options so = cli_session(o);
	int refused = session_check_generation(&so, st, gen, for_write, err, sizeof err);
	if (*err)
		cli_fail("%s", err);
	if (refused)
		return SW_EXIT_ERROR;
	char *pass = NULL;
	size_t plen = 0;
	if (cli_read_pass(o, "Vault passphrase: ", &pass, &plen) != 0)
		return SW_EXIT_ERROR;
	vs = vault_open(p->dir, pass, plen, out, err, sizeof err);
	secmem_free(pass);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return session_exit_code(vs);
	}
	/* The state is trusted, and signs its saves, only once the vault vouches for it. */
	char msg[4096];
	if (session_state_check(&so, p->dir, st, *out, for_write, msg, sizeof msg) != 0) {
		cli_fail("%s%s", msg, SESSION_STATE_HOWTO);
		vault_close(*out);
		*out = NULL;
		return SW_EXIT_STATE;
	}
	if (*msg)
		cli_fail("%s", msg);
	return SW_EXIT_OK;
}
