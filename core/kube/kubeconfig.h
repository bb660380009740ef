/* core/kube/kubeconfig.h: the kubeconfig AKS hands out (listClusterUserCredential), read by a
 * small purpose-built parser, never by a general YAML library.
 *
 * Accepted: block mappings and block sequences of mappings, plain or quoted one-line scalars,
 * `{}`/`[]`, comments. Keys: apiVersion, kind (Config), preferences, current-context;
 * clusters[].{name, cluster.{server, certificate-authority-data}};
 * contexts[].{name, context.{cluster, user, namespace}};
 * users[].{name, user.{client-certificate-data, client-key-data, token}}.
 * Anything else (exec or auth-provider users, file paths, insecure-skip-tls-verify, anchors,
 * block scalars, tags) is refused with "kubeconfig line N: ..." naming what and why.
 * The current context's cluster CA, client certificate and key are decoded into secmem. */
#ifndef SW_KUBECONFIG_H
#define SW_KUBECONFIG_H

#include <stddef.h>

struct kubeconfig {
	char server[512];        /* https://host[:port] */
	char context[256];
	char nspace[256];        /* the context's namespace, "" when none */
	char *ca;                /* PEM, NUL-terminated, secmem */
	size_t ca_len;
	char *cert;              /* PEM, secmem */
	size_t cert_len;
	char *key;               /* PEM, secmem */
	size_t key_len;
};

/* Parses text (len bytes; it may hold NULs only at the end). 0, or -1 with a one-line err. */
int kubeconfig_parse(const char *text, size_t len, struct kubeconfig *out, char *err, size_t errlen);
/* Wipes and frees the secmem parts; safe on a zeroed or already cleared struct. */
void kubeconfig_clear(struct kubeconfig *kc);

#endif
