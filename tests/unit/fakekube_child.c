/* tests/unit/fakekube_child.c: the fake Kubernetes API server as a child of a C test. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tests/unit/fakecloud_child.h"
#include "tests/unit/fakekube_child.h"

int fakekube_start(const char *dir, pid_t *pid, char *control, size_t controllen, char *kubeconfig, size_t kcap,
                   size_t *klen)
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
	int port[2];   /* TLS API, plain-http control */
	if (fake_wait_ports(ports, *pid, port, 2) != 0)
		return -1;
	snprintf(control, controllen, "http://127.0.0.1:%d", port[1]);
	snprintf(cmd, sizeof cmd, "%s/kubeconfig", dir);
	FILE *k = fopen(cmd, "r");   /* written before the ports file */
	if (!k)
		return -1;
	*klen = fread(kubeconfig, 1, kcap - 1, k);
	kubeconfig[*klen] = '\0';
	fclose(k);
	return 0;
}
