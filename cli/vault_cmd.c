/* The vault commands: new passphrases, init/list/get/set/rm/rekey/export; values reach
 * stdout only through sout. */
#include "cli/vault_cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/sout.h"
#include "core/sys/exitcode.h"
#include "core/sys/secret_input.h"
#include "core/sys/timeutil.h"
#include "secrets/secmem.h"
#include "secrets/vault.h"

#define PASSPHRASE_MIN 8

/* A new passphrase: from the terminal twice, or the next line of the fd. */
static int vault_cmd_read_new_pass(struct cli_opts *o, char **pass, size_t *len)
{
	if (cli_read_pass(o, "New vault passphrase: ", pass, len) != 0)
		return -1;
	if (*len < PASSPHRASE_MIN) {
		cli_fail("passphrase: must be at least %d characters", PASSPHRASE_MIN);
		secmem_free(*pass);
		return -1;
	}
	if (o->pass_fd >= 0)
		return 0;
	char *again = NULL;
	size_t again_len = 0;
	if (cli_read_pass(o, "Repeat the passphrase: ", &again, &again_len) != 0) {
		secmem_free(*pass);
		return -1;
	}
	int same = again_len == *len && secmem_equal(again, *pass, *len);
	secmem_free(again);
	if (!same) {
		cli_fail("passphrase: the two entries differ; nothing was changed");
		secmem_free(*pass);
		return -1;
	}
	return 0;
}
/* After a vault write the state mirrors its generation. */
static int vault_cmd_mirror(struct profile *p, struct state *st, const vault *v)
{
	char err[CLI_ERRLEN];
	st->vault_generation = vault_generation(v);
	/* A new vault or a new passphrase (rekey) brings a new state key. */
	if (state_bind(st, v) != 0) {
		cli_fail("%s: out of protected memory", vault_path(v));
		return SW_EXIT_ERROR;
	}
	if (state_save(p->dir, st, err, sizeof err) != STATE_OK) {
		cli_fail("%s", err);
		return SW_EXIT_ERROR;
	}
	return SW_EXIT_OK;
}

/* The start of a command with nothing to check before the passphrase: usage, then the vault. */
static int vault_cmd_open(struct ctx *c, int nargs, const char *usage, int for_write, vault **v)
{
	if (cli_need_args(c, nargs, usage))
		return SW_EXIT_USAGE;
	return cli_vault_open(c->o, c->p, c->st, for_write, v);
}

/* A write ended with vs (err from it): on success the state mirrors the new generation.
 * Returns the exit code; v stays open. */
static int vault_cmd_written(struct ctx *c, const vault *v, vault_status vs, const char *err)
{
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return session_exit_code(vs);
	}
	return vault_cmd_mirror(c->p, c->st, v);
}

int vault_cmd_init(struct ctx *c)
{
	if (cli_need_args(c, 2, "vault init [--kdf interactive|moderate|sensitive]"))
		return SW_EXIT_USAGE;
	vault_strength s = VAULT_KDF_DEFAULT;
	if (c->o->kdf && vault_strength_parse(c->o->kdf, &s) != 0) {
		cli_fail("--kdf: must be interactive, moderate or sensitive");
		return SW_EXIT_USAGE;
	}
	char err[CLI_ERRLEN];
	if (vault_exists(c->p->dir)) {
		cli_fail("%s/%s: a vault already exists; refusing to replace it", c->p->dir, VAULT_FILE);
		return SW_EXIT_ERROR;
	}
	char *pass = NULL;
	size_t plen = 0;
	if (vault_cmd_read_new_pass(c->o, &pass, &plen) != 0)
		return SW_EXIT_ERROR;
	vault *v = NULL;
	vault_status vs = vault_create(c->p->dir, pass, plen, s, &v, err, sizeof err);
	secmem_free(pass);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return session_exit_code(vs);
	}
	if (c->st->vault_generation > vault_generation(v))
		cli_fail("note: the state referred to an earlier vault (generation %llu); it now follows "
		     "this new one",
		     (unsigned long long)c->st->vault_generation);
	int rc = vault_cmd_mirror(c->p, c->st, v);
	if (rc == SW_EXIT_OK)
		fprintf(stderr, "studio-wizard: created %s (%s key derivation)\n", vault_path(v),
		        vault_strength_name(s));
	vault_close(v);
	return rc;
}

int vault_cmd_list(struct ctx *c)
{
	vault *v = NULL;
	int rc = vault_cmd_open(c, 2, "vault list", 0, &v);
	if (rc)
		return rc;
	printf("%-40s %-14s %-14s %s\n", "NAME", "KIND", "STEP", "UPDATED");
	for (size_t i = 0; i < vault_count(v); i++) {
		struct vault_entry_info e;
		vault_entry_at(v, i, &e);
		char when[TIME_ISO_LEN];
		time_iso(e.updated, when, sizeof when);
		printf("%-40s %-14s %-14s %s\n", e.name, vault_kind_name(e.kind), e.step, when);
	}
	vault_close(v);
	return fflush(stdout) == 0 ? SW_EXIT_OK : SW_EXIT_ERROR;
}

int vault_cmd_get(struct ctx *c)
{
	vault *v = NULL;
	int rc = vault_cmd_open(c, 3, "vault get NAME", 0, &v);
	if (rc)
		return rc;
	const unsigned char *val;
	size_t len;
	if (vault_get(v, c->o->pos[2], &val, &len, NULL) != VAULT_OK) {
		cli_fail("%s: no such entry in %s", c->o->pos[2], vault_path(v));
		vault_close(v);
		return SW_EXIT_NOENT;
	}
	struct sout s;
	if (sout_open(&s) != 0) {
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	sout_put(&s, val, len);
	int failed = sout_close(&s);
	vault_close(v);
	return failed ? SW_EXIT_ERROR : SW_EXIT_OK;
}

int vault_cmd_set(struct ctx *c)
{
	if (cli_need_args(c, 3, "vault set NAME [--kind KIND] [--step STEP]"))
		return SW_EXIT_USAGE;
	const char *name = c->o->pos[2];
	char why[256];
	if (vault_name_valid(name, why, sizeof why) != 0) {
		cli_fail("%s", why);
		return SW_EXIT_USAGE;
	}
	vault_kind kind = VAULT_KIND_OTHER;
	if (c->o->kind && vault_kind_parse(c->o->kind, &kind) != 0) {
		cli_fail("--kind: must be one of password, access-key, ssh-key, token, kubeconfig, "
		     "client-secret, other");
		return SW_EXIT_USAGE;
	}
	const char *step = c->o->step ? c->o->step : "manual";
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 1, &v);
	if (rc)
		return rc;
	char err[CLI_ERRLEN];
	unsigned char *val = NULL;
	size_t len = 0;
	int got;
	if (isatty(STDIN_FILENO)) {
		char prompt[200];
		snprintf(prompt, sizeof prompt, "Value for %s (not shown): ", name);
		char *line = NULL;
		got = secret_read_tty(prompt, &line, &len, err, sizeof err);
		val = (unsigned char *)line;
	} else {
		got = secret_read_all_fd(STDIN_FILENO, VAULT_VALUE_MAX, &val, &len, err, sizeof err);
	}
	if (got != 0) {
		cli_fail("%s", err);
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	const unsigned char *old;
	size_t oldlen;
	int existed = vault_get(v, name, &old, &oldlen, NULL) == VAULT_OK;
	vault_status vs = vault_put(v, name, kind, step, val, len);
	secmem_free(val);
	if (vs == VAULT_E_INVALID) {
		cli_fail("--step: 1-64 of a-z 0-9 - _");
		vault_close(v);
		return SW_EXIT_USAGE;
	}
	if (vs == VAULT_OK)
		vs = vault_save(v, err, sizeof err);
	if (vs != VAULT_OK && vs != VAULT_E_IO)
		snprintf(err, sizeof err, "%s: %s", vault_path(v), vault_status_text(vs));
	rc = vault_cmd_written(c, v, vs, err);
	if (rc == SW_EXIT_OK)   /* the value itself is never echoed, only its size */
		fprintf(stderr, "studio-wizard: %s %s (%s, %zu byte%s, step %s) in %s\n", existed ? "replaced" : "sealed",
		        name, vault_kind_name(kind), len, len == 1 ? "" : "s", step, vault_path(v));
	vault_close(v);
	return rc;
}

int vault_cmd_rm(struct ctx *c)
{
	vault *v = NULL;
	int rc = vault_cmd_open(c, 3, "vault rm NAME", 1, &v);
	if (rc)
		return rc;
	char err[CLI_ERRLEN];
	if (vault_remove(v, c->o->pos[2]) != VAULT_OK) {
		cli_fail("%s: no such entry in %s", c->o->pos[2], vault_path(v));
		vault_close(v);
		return SW_EXIT_NOENT;
	}
	vault_status vs = vault_save(v, err, sizeof err);
	rc = vault_cmd_written(c, v, vs, err);
	if (rc == SW_EXIT_OK)
		fprintf(stderr, "studio-wizard: removed %s from %s\n", c->o->pos[2], vault_path(v));
	vault_close(v);
	return rc;
}

int vault_cmd_rekey(struct ctx *c)
{
	if (cli_need_args(c, 2, "vault rekey [--kdf interactive|moderate|sensitive]"))
		return SW_EXIT_USAGE;
	vault *v = NULL;
	vault_strength s = VAULT_KDF_DEFAULT;
	if (c->o->kdf && vault_strength_parse(c->o->kdf, &s) != 0) {
		cli_fail("--kdf: must be interactive, moderate or sensitive");
		return SW_EXIT_USAGE;
	}
	int rc = cli_vault_open(c->o, c->p, c->st, 1, &v);
	if (rc)
		return rc;
	if (!c->o->kdf)
		s = vault_strength_of(v);
	char *pass = NULL;
	size_t plen = 0;
	if (vault_cmd_read_new_pass(c->o, &pass, &plen) != 0) {
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	char err[CLI_ERRLEN];
	vault_status vs = vault_rekey(v, pass, plen, s, err, sizeof err);
	secmem_free(pass);
	rc = vault_cmd_written(c, v, vs, err);
	if (rc == SW_EXIT_OK)
		fprintf(stderr, "studio-wizard: %s now opens with the new passphrase (%s)\n",
		        vault_path(v), vault_strength_name(s));
	vault_close(v);
	return rc;
}

/* NAME -> NAME_WITH_UNDERSCORES in upper case, a valid shell variable name. */
static void vault_cmd_env_name(const char *name, char *out, size_t outlen)
{
	size_t i = 0;
	if ((name[0] >= '0' && name[0] <= '9') && outlen > 2)
		out[i++] = '_';
	for (; *name && i + 1 < outlen; name++) {
		char ch = *name;
		out[i++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : (ch == '.' || ch == '-') ? '_' : ch;
	}
	out[i] = '\0';
}

int vault_cmd_export(struct ctx *c)
{
	if (cli_need_args(c, 2, "vault export --format env|json"))
		return SW_EXIT_USAGE;
	const char *fmt = c->o->format;
	if (!fmt || (strcmp(fmt, "env") != 0 && strcmp(fmt, "json") != 0)) {
		cli_fail("--format: must be env or json");
		return SW_EXIT_USAGE;
	}
	int json = strcmp(fmt, "json") == 0;
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 0, &v);
	if (rc)
		return rc;
	cli_fail("warning: printing %zu secret%s in clear text", vault_count(v),
	     vault_count(v) == 1 ? "" : "s");
	struct sout s;
	if (sout_open(&s) != 0) {
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	int skipped = 0;
	if (json)
		sout_str(&s, "{\"entries\": [");
	for (size_t i = 0; i < vault_count(v); i++) {
		struct vault_entry_info e;
		const unsigned char *val;
		size_t len;
		vault_entry_at(v, i, &e);
		vault_get(v, e.name, &val, &len, NULL);
		if (json) {
			char meta[512], cr[TIME_ISO_LEN], up[TIME_ISO_LEN];
			time_iso(e.created, cr, sizeof cr);
			time_iso(e.updated, up, sizeof up);
			snprintf(meta, sizeof meta,
			         "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"step\": \"%s\", "
			         "\"created\": \"%s\", \"updated\": \"%s\", ",
			         i ? "," : "", e.name, vault_kind_name(e.kind), e.step, cr, up);
			sout_str(&s, meta);
			if (sout_utf8_clean(val, len)) {
				sout_str(&s, "\"value\": ");
				sout_json_string(&s, val, len);
			} else {
				sout_str(&s, "\"value_base64\": \"");
				sout_base64(&s, val, len);
				sout_str(&s, "\"");
			}
			sout_str(&s, "}");
		} else {
			if (memchr(val, '\0', len)) {
				cli_fail("%s: holds NUL bytes, which a shell variable cannot; left out (use "
				     "--format json)",
				     e.name);
				skipped++;
				continue;
			}
			char var[VAULT_NAME_MAX + 2];
			vault_cmd_env_name(e.name, var, sizeof var);
			sout_str(&s, var);
			sout_str(&s, "='");
			for (size_t k = 0; k < len; k++) {
				if (val[k] == '\'')
					sout_str(&s, "'\\''");
				else
					sout_put(&s, &val[k], 1);
			}
			sout_str(&s, "'\n");
		}
	}
	if (json)
		sout_str(&s, "\n]}\n");
	int failed = sout_close(&s);
	vault_close(v);
	return failed || skipped ? SW_EXIT_ERROR : SW_EXIT_OK;
}