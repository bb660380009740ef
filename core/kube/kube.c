/* core/kube/kube.c: Kubernetes API calls over the project's http client. */
#include "core/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kube/kubeconfig.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define KUBE_MSG 600

struct kube_call {
	struct kube_call *next;
	struct kube *k;
	struct http_request *req;
	kube_done_fn done;
	void *arg;
	char error[KUBE_MSG];   /* a refusal before any request (bad object) */
	int refused;
	unsigned timer;
};

struct kube {
	struct http_client *http;
	struct loop *loop;         /* the http client's */
	struct kubeconfig kc;
	struct kube_call *calls;
};

/* The kinds the runner needs: group/version, plural, namespaced. */
static const struct {
	const char *api_version, *kind, *plural;
	int namespaced;
} kube_kinds[] = {
	{"v1", "Namespace", "namespaces", 0},
	{"v1", "ServiceAccount", "serviceaccounts", 1},
	{"v1", "Secret", "secrets", 1},
	{"v1", "ConfigMap", "configmaps", 1},
	{"v1", "Service", "services", 1},
	{"rbac.authorization.k8s.io/v1", "Role", "roles", 1},
	{"rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", 0},
	{"rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", 1},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", 0},
	{"apps/v1", "Deployment", "deployments", 1},
	{"apps/v1", "DaemonSet", "daemonsets", 1},
	{"batch/v1", "Job", "jobs", 1},
};

static int kube_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 253)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

int kube_object_path(const cJSON *obj, char *out, size_t outlen, char *err, size_t errlen)
{
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
	const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "namespace"));
	char safe[160];
	if (!cJSON_IsString(av) || !cJSON_IsString(kind)) {
		snprintf(err, errlen, "object without apiVersion and kind");
		return -1;
	}
	for (size_t i = 0; i < sizeof kube_kinds / sizeof kube_kinds[0]; i++) {
		if (strcmp(kube_kinds[i].kind, kind->valuestring) != 0 || strcmp(kube_kinds[i].api_version, av->valuestring) != 0)
			continue;
		if (!kube_name_ok(name)) {
			text_safe(name, safe, sizeof safe);
			snprintf(err, errlen, "%s: metadata.name '%s' is not a valid Kubernetes name", kind->valuestring, safe);
			return -1;
		}
		if (kube_kinds[i].namespaced && !kube_name_ok(ns)) {
			snprintf(err, errlen, "%s %s: metadata.namespace is missing or not a valid name", kind->valuestring, name);
			return -1;
		}
		const char *prefix = strchr(av->valuestring, '/') ? "/apis/" : "/api/";
		int n;
		if (kube_kinds[i].namespaced)
			n = snprintf(out, outlen, "%s%s/namespaces/%s/%s/%s", prefix, av->valuestring, ns, kube_kinds[i].plural, name);
		else
			n = snprintf(out, outlen, "%s%s/%s/%s", prefix, av->valuestring, kube_kinds[i].plural, name);
		if (n < 0 || (size_t)n >= outlen) {
			snprintf(err, errlen, "%s %s: path too long", kind->valuestring, name);
			return -1;
		}
		return 0;
	}
	char k2[80], a2[80];
	text_safe(kind->valuestring, k2, sizeof k2);
	text_safe(av->valuestring, a2, sizeof a2);
	snprintf(err, errlen, "kind %s of apiVersion %s is not one studio-wizard applies", k2, a2);
	return -1;
}

struct kube *kube_new(struct http_client *http, const char *kubeconfig, size_t len, char *err, size_t errlen)
{
	struct kube *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->http = http;
	k->loop = http_client_loop(http);
	if (kubeconfig_parse(kubeconfig, len, &k->kc, err, errlen) != 0) {
		free(k);
		return NULL;
	}
	return k;
}

void kube_free(struct kube *k)
{
	if (!k)
		return;
	while (k->calls)
		kube_cancel(k, k->calls);
	kubeconfig_clear(&k->kc);
	free(k);
}

const char *kube_server(const struct kube *k)
{
	return k->kc.server;
}

struct loop *kube_loop(const struct kube *k)
{
	return k->loop;
}

int kube_pending(const struct kube *k)
{
	int n = 0;
	for (const struct kube_call *c = k->calls; c; c = c->next)
		n++;
	return n;
}

static void kube_unlink(struct kube *k, struct kube_call *c)
{
	for (struct kube_call **p = &k->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

void kube_cancel(struct kube *k, struct kube_call *c)
{
	struct kube_call *it = k->calls;
	while (it && it != c)
		it = it->next;
	if (!it)
		return;
	kube_unlink(k, c);
	if (c->req)
		http_client_cancel(k->http, c->req);
	if (c->timer)
		loop_cancel(k->loop, c->timer);
	free(c);
}

/* The one-line message of a failed answer: Status.message, else the status and body start. */
static void kube_error_of(const struct http_response *resp, const cJSON *json, char *out, size_t outlen,
                          const char **reason)
{
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "message"));
	const char *rs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "reason"));
	char tmp[KUBE_MSG];
	*reason = rs ? rs : "";
	if (resp->status == 0) {
		const char *e = resp->error ? resp->error : "no answer";
		const char *hint = strstr(e, "; use --ca-file");
		snprintf(tmp, sizeof tmp, "%.*s%s", hint ? (int)(hint - e) : (int)strlen(e), e,
		         hint ? " (the kubeconfig's certificate-authority-data did not sign it)" : "");
	} else if (msg && *msg) {
		snprintf(tmp, sizeof tmp, "%s", msg);
	} else {
		snprintf(tmp, sizeof tmp, "HTTP %ld: %.200s", resp->status, resp->body);
	}
	text_safe(tmp, out, outlen);
}

static void kube_on_http(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct kube_call *c = arg;
	struct kube *k = c->k;
	c->req = NULL;
	kube_unlink(k, c);
	const char *ctype = http_response_header(resp, "Content-Type");
	cJSON *json = (ctype && strstr(ctype, "json")) ? cJSON_ParseWithLength(resp->body, resp->body_len) : NULL;
	char msg[KUBE_MSG];
	struct kube_result r = {resp->status, json, resp->body, NULL, ""};
	if (resp->status < 200 || resp->status >= 300) {
		kube_error_of(resp, json, msg, sizeof msg, &r.reason);
		r.error = msg;
	}
	if (c->done)
		c->done(&r, c->arg);
	cJSON_Delete(json);
	free(c);
}

static void kube_on_refused(void *arg)
{
	struct kube_call *c = arg;
	struct kube_result r = {0, NULL, "", c->error, "Refused"};
	c->timer = 0;
	kube_unlink(c->k, c);
	if (c->done)
		c->done(&r, c->arg);
	free(c);
}

static struct kube_call *kube_call_new(struct kube *k, kube_done_fn done, void *arg)
{
	struct kube_call *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->k = k;
	c->done = done;
	c->arg = arg;
	c->next = k->calls;
	k->calls = c;
	return c;
}

/* Reports c->error from the loop, like any other outcome. */
static struct kube_call *kube_refuse(struct kube_call *c)
{
	c->refused = 1;
	c->timer = loop_after(c->k->loop, 0, kube_on_refused, c);
	return c;
}

static struct kube_call *kube_send(struct kube *k, const char *method, const char *path, const char *const *headers,
                                   const char *body, kube_done_fn done, void *arg)
{
	struct kube_call *c = kube_call_new(k, done, arg);
	if (!c)
		return NULL;
	size_t ul = strlen(k->kc.server) + strlen(path) + 1;
	char *url = malloc(ul);
	if (!url || path[0] != '/') {
		free(url);
		snprintf(c->error, sizeof c->error, path[0] != '/' ? "not an API path" : "out of memory");
		return kube_refuse(c);
	}
	snprintf(url, ul, "%s%s", k->kc.server, path);
	c->req = http_request_new(method, url, headers, body);
	free(url);
	if (!c->req) {
		snprintf(c->error, sizeof c->error, "out of memory");
		return kube_refuse(c);
	}
	http_request_set_tls(c->req, k->kc.ca, k->kc.ca_len, k->kc.cert, k->kc.cert_len, k->kc.key, k->kc.key_len);
	http_request_set_kind(c->req, HTTP_KIND_KUBE);
	http_client_submit(k->http, c->req, kube_on_http, c);
	return c;
}

struct kube_call *kube_get(struct kube *k, const char *path, kube_done_fn done, void *arg)
{
	static const char *const hdrs[] = {"Accept: application/json", NULL};
	return kube_send(k, "GET", path, hdrs, NULL, done, arg);
}

struct kube_call *kube_apply(struct kube *k, const cJSON *obj, kube_done_fn done, void *arg)
{
	static const char *const hdrs[] = {"Accept: application/json", "Content-Type: application/apply-patch+yaml", NULL};
	char path[1024], err[KUBE_MSG];
	if (kube_object_path(obj, path, sizeof path, err, sizeof err) != 0) {
		struct kube_call *c = kube_call_new(k, done, arg);
		if (!c)
			return NULL;
		snprintf(c->error, sizeof c->error, "%s", err);
		return kube_refuse(c);
	}
	/* JSON is YAML: the body goes as JSON. */
	char *body = cJSON_PrintUnformatted(obj);
	if (!body)
		return NULL;
	strncat(path, "?fieldManager=studio-wizard&force=true", sizeof path - strlen(path) - 1);
	struct kube_call *c = kube_send(k, "PATCH", path, hdrs, body, done, arg);
	secmem_wipe(body, strlen(body));   /* a Secret's data */
	cJSON_free(body);
	return c;
}

struct kube_call *kube_delete(struct kube *k, const char *path, kube_done_fn done, void *arg)
{
	static const char *const hdrs[] = {"Accept: application/json", NULL};
	return kube_send(k, "DELETE", path, hdrs, NULL, done, arg);
}
