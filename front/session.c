#include "front/session.h"

#include <stdio.h>
#include <string.h>

#include "core/model/plan.h"
#include "core/format/shquote.h"
#include "core/sys/exitcode.h"

enum sw_exit session_exit_code(vault_status vs)
{
	switch (vs) {
	case VAULT_OK: return SW_EXIT_OK;
	case VAULT_E_PASSPHRASE: return SW_EXIT_PASSPHRASE;
	case VAULT_E_HEADER:
	case VAULT_E_TAMPERED:
	case VAULT_E_TRUNCATED: return SW_EXIT_DAMAGED;
	case VAULT_E_NEWER: return SW_EXIT_NEWER;
	case VAULT_E_NOENT: return SW_EXIT_NOENT;
	default: return SW_EXIT_ERROR;
	}
}

int session_check_generation(const struct session_options *o, const struct state *st, uint64_t gen, int for_write,
                             char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!st || gen >= st->vault_generation)
		return 0;
	if (for_write && !o->accept_old_vault) {
		snprintf(err, errlen,
		         "vault generation %llu is older than the state's %llu: restored from an old backup? Refusing to "
		         "write; rerun with --accept-old-vault to continue with this vault",
		         (unsigned long long)gen, (unsigned long long)st->vault_generation);
		return -1;
	}
	if (!for_write)
		snprintf(err, errlen, "warning: vault generation %llu is older than the state's %llu: restored from an old "
		         "backup?", (unsigned long long)gen, (unsigned long long)st->vault_generation);
	return 0;
}

enum sw_exit session_vault_open(const struct session_options *o, const char *dir, struct state *st, const char *pass,
                       size_t passlen, int for_write, vault **out, char *err, size_t errlen)
{
	vault_status vs = vault_open(dir, pass, passlen, out, err, errlen);
	if (vs != VAULT_OK)
		return session_exit_code(vs);
	if (session_check_generation(o, st, vault_generation(*out), for_write, err, errlen) != 0) {
		vault_close(*out);
		*out = NULL;
		return SW_EXIT_ERROR;
	}
	return SW_EXIT_OK;
}

int session_state_check(const struct session_options *o, const char *dir, struct state *st, const vault *v,
                        int for_write, char *msg, size_t msglen)
{
	msg[0] = '\0';
	uint64_t gen = vault_generation(v);
	enum state_auth a = state_verify(st, v, dir, msg, msglen);
	if (a == STATE_AUTH_OK || a == STATE_AUTH_FRESH) {
		/* Writers save the vault, then the state: a crash between leaves the state one behind.
		 * A writer catches it up at once, so a second such crash leaves it one behind again. */
		if (a == STATE_AUTH_OK && gen == st->vault_generation + 1) {
			snprintf(msg, msglen, "note: %s/%s is one vault generation behind (%llu, the vault %llu): the last run "
			         "stopped between saving the vault and the state",
			         dir, STATE_FILE, (unsigned long long)st->vault_generation, (unsigned long long)gen);
			st->vault_generation = gen;
			if (for_write && state_save(dir, st, msg, msglen) != STATE_OK)
				return -1;
		}
		return 0;
	}
	if (!for_write) {
		char report[4096];
		size_t n = strlen(msg);
		snprintf(report, sizeof report, "%.*s", (int)(n && msg[n - 1] == '\n' ? n - 1 : n), msg);
		snprintf(msg, msglen, "warning: %s", report);
		return 0;
	}
	if (!o->accept_state)
		return -1;
	char err[1024];
	size_t n = strlen(msg);
	if (session_state_accept(dir, st, v, err, sizeof err) != 0) {
		snprintf(msg + n, msglen - n, "%s", err);
		return -1;
	}
	snprintf(msg + n, msglen - n, "Accepted (--accept-state): state.json is taken as it is now and signed again.");
	return 0;
}

int session_state_accept(const char *dir, struct state *st, const vault *v, char *err, size_t errlen)
{
	if (state_bind(st, v) != 0) {
		snprintf(err, errlen, "%s/%s: out of protected memory", dir, STATE_FILE);
		return -1;
	}
	st->vault_generation = vault_generation(v);
	return state_save(dir, st, err, errlen) == STATE_OK ? 0 : -1;
}

int session_cloud(const struct session_options *o, const char *cloud_name, struct cloud *out, char *err,
                  size_t errlen)
{
	if (o->cloud_file) {
		if (cloud_load_file(o->cloud_file, out, err, errlen) != 0)
			return -1;
		plan_set_extra_cloud(out->name);
		return 0;
	}
	const struct cloud *c = cloud_name ? cloud_find(cloud_name) : NULL;
	if (!c) {
		snprintf(err, errlen, "cloud: unknown cloud '%s'", cloud_name ? cloud_name : "");
		return -1;
	}
	*out = *c;
	return 0;
}

void profile_command(const struct profile *p, char *out, size_t outlen)
{
	char quoted[PATH_MAX * 4 + 3];
	if (p->from_option) {
		shquote_word(p->dir, quoted, sizeof quoted);
		snprintf(out, outlen, "studio-wizard --state-dir %s", quoted);
	} else if (strcmp(p->name, PROFILE_DEFAULT) != 0) {
		snprintf(out, outlen, "studio-wizard --profile %s", p->name);
	} else {
		snprintf(out, outlen, "studio-wizard");
	}
}
