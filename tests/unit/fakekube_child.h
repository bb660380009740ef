/* tests/unit/fakekube_child.h: the fake Kubernetes API server (tests/fake/fakekube.mjs) as a
 * child of a C test: its npm peer installed, started in dir, waited for through its ports file;
 * control gets its plain-http control URL, kubeconfig the kubeconfig it wrote. 0 or -1. */
#ifndef SW_FAKEKUBE_CHILD_H
#define SW_FAKEKUBE_CHILD_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static int fakekube_start(const char *dir, pid_t *pid, char *control, size_t controllen, char *kubeconfig,
                          size_t kcap, size_t *klen)
{
	const char *top = getenv("SW_TOP");
	char script[700], ports[700], cmd[1500];
	snprintf(cmd, sizeof cmd, "sh '%s/tests/fake/fakekube-install.sh' >&2", top ? top : ".");
	if (system(cmd) != 0)
		return -1;
	snprintf(script, sizeof script, "%s/tests/fake/fakekube.mjs", top ? top : ".");
	snprintf(ports, sizeof ports, "%s/ports", dir);
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execlp("node", "node", script, "--dir", dir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		FILE *f = fopen(ports, "r");
		int tlsport = 0, ctlport = 0;
		if (f) {
			int got = fscanf(f, "%d %d", &tlsport, &ctlport);
			fclose(f);
			if (got == 2) {
				snprintf(control, controllen, "http://127.0.0.1:%d", ctlport);
				snprintf(cmd, sizeof cmd, "%s/kubeconfig", dir);
				FILE *k = fopen(cmd, "r");
				if (!k)
					return -1;
				*klen = fread(kubeconfig, 1, kcap - 1, k);
				kubeconfig[*klen] = '\0';
				fclose(k);
				return 0;
			}
		}
		usleep(25000);
	}
	return -1;
}

#endif
