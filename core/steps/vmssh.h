/* core/steps/vmssh.h: the provisioning session of a service VM for one action: SSH to its
 * public IP as the admin user with the sealed admin key, the server checked against the
 * sealed host key (no trust on first use), shell scripts run as root through sudo with
 * their output streamed into the action's progress, secrets only on stdin or SFTP. */
#ifndef SW_STEPS_VMSSH_H
#define SW_STEPS_VMSSH_H

#include <stddef.h>

#include "core/remote/ssh.h"
#include "core/steps/vm.h"

#define VMSSH_MARKS 12

/* apt in a VM's scripts. Right after the first boot Ubuntu's unattended-upgrades often holds
 * dpkg's lock (/var/lib/dpkg/lock-frontend) for minutes, and a plain apt-get fails at once;
 * with DPkg::Lock::Timeout (apt 1.9.11 and later) it waits up to 15 minutes, printing
 * "Waiting for cache lock: ..." every second (vmssh says so once, as information). */
#define VMSSH_APT_GET "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900"
#define VMSSH_APT_WAITING "Waiting for cache lock: "

/* Put first in the action's data (act_data) so that vmssh_stop can find it. */
struct vmssh {
	struct act *a;
	const struct vm_spec *spec;
	struct ssh_session *s;
	void (*ready)(struct act *a);
	void (*done)(struct act *a, int status, const char *err);
	char last[512];               /* the last output line that was not a mark */
	struct {
		char key[32];
		char val[256];
	} marks[VMSSH_MARKS];         /* "@key=value" lines of the last script */
	size_t nmarks;
	int said_waiting;             /* apt's lock wait was reported for the last script */
	char host[64];
	int forward_port[2];
};

/* Connects (retrying while the VM boots); ready(a) when logged in, else the action fails. 0 or -1
 * (the action has failed already). */
int vmssh_open(struct act *a, struct vmssh *v, const struct vm_spec *spec, void (*ready)(struct act *a));
/* Runs a script as root (sh -eu, stdin /dev/null): the variables of vars (name, value pairs,
 * NULL-ended, may be NULL) assigned through shquote_script (core/format/shquote.h), then body,
 * which names them only as "$NAME". The script goes on stdin; done(a, exit status or -1, err).
 * 0 or -1 (also for a value shquote refuses). */
int vmssh_script(struct vmssh *v, const char *const *vars, const char *body,
                 void (*done)(struct act *a, int status, const char *err));
/* The output key, checked against its format (core/model/outputs.h). 0 with *value (NULL when
 * absent), or -1 when it is refused: the action has failed naming the key and the rule. */
int vmssh_output(struct act *a, const char *key, const char **value);
/* Runs command as the admin user with in (a secret) as its whole stdin. 0 or -1. */
int vmssh_exec(struct vmssh *v, const char *command, const void *in, size_t inlen,
               void (*done)(struct act *a, int status, const char *err));
/* Writes data to path (the admin user's) with mode over SFTP; done(a, 0 or -1, err). 0 or -1. */
int vmssh_put(struct vmssh *v, const char *path, const void *data, size_t len, unsigned mode,
              void (*done)(struct act *a, int status, const char *err));
/* Listens on 127.0.0.1 and carries connections to port on the VM's own address (its host
 * name, as the VM resolves it). The local port, or -1 with err. */
int vmssh_forward(struct vmssh *v, int port, char *err, size_t errlen);
/* The value of "@key=value" from the last script, or NULL. */
const char *vmssh_mark(const struct vmssh *v, const char *key);
void vmssh_close(struct vmssh *v);
/* The action's stop(): closes the session of the vmssh at the start of act_data. */
void vmssh_stop(struct act *a);

#endif
