/* tests/unit/fakekube_child.h: the fake Kubernetes API server (tests/fake/fakekube.mjs) as a
 * child of a C test (tests/unit/fakekube_child.c). */
#ifndef SW_FAKEKUBE_CHILD_H
#define SW_FAKEKUBE_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* Its npm peer installed, started in dir, waited for through its ports file; control gets its
 * plain-http control URL, kubeconfig the kubeconfig it wrote. 0 or -1. */
int fakekube_start(const char *dir, pid_t *pid, char *control, size_t controllen, char *kubeconfig, size_t kcap,
                   size_t *klen);

#endif
