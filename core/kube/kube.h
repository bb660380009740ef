/* core/kube/kube.h: a Kubernetes API client on the project's http path and event loop.
 * TLS is verified against the kubeconfig's cluster CA only; the client certificate and key
 * reach libcurl from secmem (never a file). Errors are one terminal-safe line: the API
 * server's Status.message, or what went wrong on the way. */
#ifndef SW_KUBE_H
#define SW_KUBE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/http/http.h"
#include "core/sys/loop.h"

struct kube;
struct kube_call;

struct kube_result {
	long status;             /* HTTP status; 0 when no answer arrived */
	const cJSON *json;       /* the body parsed, or NULL (log text, no answer) */
	const char *text;        /* the raw body, NUL-terminated; never NULL */
	const char *error;       /* NULL on 2xx; else one safe line ("Status.message" or transport) */
	const char *reason;      /* Status.reason ("NotFound", "BadRequest", ...) or "" */
};

/* Called once per call from the loop; r and everything in it live until it returns. */
typedef void (*kube_done_fn)(const struct kube_result *r, void *arg);

/* Parses the kubeconfig (copied into secmem; the caller may wipe its own). NULL + err on failure. */
struct kube *kube_new(struct http_client *http, const char *kubeconfig, size_t len, char *err, size_t errlen);
void kube_free(struct kube *k);   /* drops unfinished calls without callbacks; wipes the keys */
const char *kube_server(const struct kube *k);
struct loop *kube_loop(const struct kube *k);

/* Server-side apply (PATCH, application/apply-patch+yaml, fieldManager=studio-wizard,
 * force=true) of obj to the path its apiVersion/kind/namespace/name give. Kinds: Namespace,
 * ServiceAccount, Secret, ConfigMap, Role, ClusterRole, RoleBinding, ClusterRoleBinding,
 * Deployment, DaemonSet, Service, Job. A bad object is reported through done() from the loop. */
struct kube_call *kube_apply(struct kube *k, const cJSON *obj, kube_done_fn done, void *arg);
/* GET of an API path ("/api/v1/namespaces"), query included. */
struct kube_call *kube_get(struct kube *k, const char *path, kube_done_fn done, void *arg);
/* DELETE of an API path, query included ("?propagationPolicy=Background" takes a Job's pods too). */
struct kube_call *kube_delete(struct kube *k, const char *path, kube_done_fn done, void *arg);
void kube_cancel(struct kube *k, struct kube_call *c);
int kube_pending(const struct kube *k);

/* The REST path of obj ("/apis/apps/v1/namespaces/NS/daemonsets/NAME"); 0, or -1 + err. */
int kube_object_path(const cJSON *obj, char *out, size_t outlen, char *err, size_t errlen);

#endif
