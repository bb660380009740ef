/* Provisioning over SSH on the loop: one session per action, closed before the action ends. */
#include "core/steps/vmssh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/shquote.h"
#include "core/model/outputs.h"
#include "core/remote/keys.h"

#define VMSSH_BOOT_MS (5L * 60 * 1000)   /* a new VM may take minutes before sshd answers */

/* Runs a script from stdin as root with stdin then /dev/null; nothing secret on this line. */
#define VMSSH_RUN_SCRIPT                                                                            \
	"f=$(mktemp) && cat >\"$f\" && sudo -n sh -eu \"$f\" </dev/null; rc=$?; rm -f \"$f\"; exit $rc"

void vmssh_close(struct vmssh *v)
{
	if (v && v->s) {
		ssh_free(v->s);
		v->s = NULL;
	}
}

void vmssh_stop(struct act *a)
{
	vmssh_close(act_data(a));
}

static void vmssh_on_ready(struct ssh_session *s, void *arg)
{
	struct vmssh *v = arg;
	act_progress(v->a, "connected to %s, host key %s as expected", v->host, ssh_fingerprint(s));
	v->ready(v->a);
}

static void vmssh_on_error(struct ssh_session *s, const char *msg, void *arg)
{
	(void)s;
	struct vmssh *v = arg;
	struct act *a = v->a;
	vmssh_close(v);
	act_fail(a, "ssh %s@%s: %s", act_answer(a, v->spec->q_admin), v->host, msg);
}

int vmssh_output(struct act *a, const char *key, const char **value)
{
	char why[512];
	if (outputs_check(key, act_output(a, key), why, sizeof why) == 0) {
		*value = act_output(a, key);
		return 0;
	}
	*value = NULL;
	if (!act_output(a, key))
		return 0;
	act_fail(a, "refused %s; nothing was run on the VM (was state.json edited?)", why);
	return -1;
}

int vmssh_open(struct act *a, struct vmssh *v, const struct vm_spec *spec, void (*ready)(struct act *a))
{
	const unsigned char *hk, *ak;
	size_t hklen, aklen;
	char err[512] = "", hostline[KEYS_LINE_MAX];
	v->a = a;
	v->spec = spec;
	v->ready = ready;
	const char *ip;
	if (vmssh_output(a, spec->out_ip, &ip) != 0)
		return -1;
	if (!ip) {
		act_fail(a, "no public IP recorded for %s (%s)", act_answer(a, spec->q_name), spec->out_ip);
		return -1;
	}
	snprintf(v->host, sizeof v->host, "%s", ip);
	if (act_secret_get(a, spec->host_key_secret, &hk, &hklen) != 0 ||
	    act_secret_get(a, VM_ADMIN_KEY, &ak, &aklen) != 0) {
		act_fail(a, "the vault lacks %s or %s", spec->host_key_secret, VM_ADMIN_KEY);
		return -1;
	}
	struct keys_pair *host = keys_from_openssh((const char *)hk, hklen, err, sizeof err);
	if (!host || keys_public_line(host, hostline, sizeof hostline) != 0) {
		keys_free(host);
		act_fail(a, "%s: %s", spec->host_key_secret, err);
		return -1;
	}
	keys_free(host);
	struct ssh_target t = {.host = ip, .host_key = hostline, .user = act_answer(a, spec->q_admin),
	                       .private_key = (const char *)ak, .private_key_len = aklen,
	                       .retry_for_ms = VMSSH_BOOT_MS, .retry_every_ms = 2000};
	act_progress(a, "connecting to %s@%s", t.user, ip);
	v->s = ssh_connect(act_loop(a), &t, vmssh_on_ready, vmssh_on_error, v, err, sizeof err);
	if (!v->s) {
		act_fail(a, "ssh %s: %s", ip, err);
		return -1;
	}
	return 0;
}

static void vmssh_on_line(const char *line, int is_stderr, void *arg)
{
	struct vmssh *v = arg;
	if (line[0] == '@' && !is_stderr) {
		size_t k = strcspn(line + 1, "=");
		if (line[1 + k] == '=' && k < sizeof v->marks[0].key && v->nmarks < VMSSH_MARKS) {
			snprintf(v->marks[v->nmarks].key, sizeof v->marks[0].key, "%.*s", (int)k, line + 1);
			snprintf(v->marks[v->nmarks].val, sizeof v->marks[0].val, "%s", line + 2 + k);
			v->nmarks++;
			return;
		}
	}
	if (!*line)
		return;
	if (!v->said_waiting && strncmp(line, VMSSH_APT_WAITING, strlen(VMSSH_APT_WAITING)) == 0) {
		v->said_waiting = 1;
		act_info(v->a, "the package manager is busy, waiting for it (up to 15 minutes): %s",
		         line + strlen(VMSSH_APT_WAITING));
	}
	snprintf(v->last, sizeof v->last, "%s", line);
	act_progress(v->a, "%s%s", is_stderr ? "! " : "", line);
}

static void vmssh_on_exit(int status, const char *err, void *arg)
{
	struct vmssh *v = arg;
	v->done(v->a, status, err ? err : (status != 0 ? v->last : NULL));
}

int vmssh_script(struct vmssh *v, const char *const *vars, const char *body,
                 void (*done)(struct act *a, int status, const char *err))
{
	v->done = done;
	v->nmarks = 0;
	v->said_waiting = 0;
	v->last[0] = '\0';
	char *script = shquote_script(vars, body);
	if (!script)
		return -1;
	int rc = ssh_exec(v->s, VMSSH_RUN_SCRIPT, script, strlen(script), vmssh_on_line, vmssh_on_exit, v);
	free(script);
	return rc;
}

int vmssh_exec(struct vmssh *v, const char *command, const void *in, size_t inlen,
               void (*done)(struct act *a, int status, const char *err))
{
	v->done = done;
	v->nmarks = 0;
	v->said_waiting = 0;
	v->last[0] = '\0';
	return ssh_exec(v->s, command, in, inlen, vmssh_on_line, vmssh_on_exit, v);
}

static void vmssh_on_put(int rc, const char *err, void *arg)
{
	struct vmssh *v = arg;
	v->done(v->a, rc, err);
}

int vmssh_put(struct vmssh *v, const char *path, const void *data, size_t len, unsigned mode,
              void (*done)(struct act *a, int status, const char *err))
{
	v->done = done;
	return ssh_write_file(v->s, path, data, len, mode, vmssh_on_put, v);
}

int vmssh_forward(struct vmssh *v, int port, char *err, size_t errlen)
{
	char name[80];
	snprintf(name, sizeof name, "%s", act_answer(v->a, v->spec->q_name));
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return ssh_forward_local(v->s, name, port, err, errlen);
}

const char *vmssh_mark(const struct vmssh *v, const char *key)
{
	for (size_t i = 0; i < v->nmarks; i++)
		if (strcmp(v->marks[i].key, key) == 0)
			return v->marks[i].val;
	return NULL;
}
