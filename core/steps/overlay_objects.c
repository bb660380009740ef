/* core/steps/overlay_objects.c: the overlay's objects, built once from the answers and the
 * earlier steps' outputs, in their final form: the same cJSON is written as the YAML files the
 * operator keeps (overlay_build.c) and sent by server-side apply (overlay.c). Written for
 * studio-wizard from the runner's deployment contract (doc/runner-sizing.md), not copied from
 * the runner's repository. The Secrets are made in overlay.c, never written to a file. */
#include <stdio.h>
#include <string.h>

#include "core/steps/overlay_int.h"

/* Any cJSON call that fails (out of memory) leaves bad set; a NULL parent fails too. */
struct ob {
	int bad;
};

static cJSON *ob_chk(struct ob *b, cJSON *x)
{
	if (!x)
		b->bad = 1;
	return x;
}

static cJSON *map(struct ob *b, cJSON *parent, const char *key)
{
	return ob_chk(b, cJSON_AddObjectToObject(parent, key));
}

static cJSON *list(struct ob *b, cJSON *parent, const char *key)
{
	return ob_chk(b, cJSON_AddArrayToObject(parent, key));
}

static void str(struct ob *b, cJSON *o, const char *key, const char *v)
{
	ob_chk(b, cJSON_AddStringToObject(o, key, v));
}

static void num(struct ob *b, cJSON *o, const char *key, double v)
{
	ob_chk(b, cJSON_AddNumberToObject(o, key, v));
}

static void yes(struct ob *b, cJSON *o, const char *key, int v)
{
	ob_chk(b, cJSON_AddBoolToObject(o, key, v));
}

/* A new mapping at the end of a list. */
static cJSON *item(struct ob *b, cJSON *l)
{
	cJSON *m = ob_chk(b, cJSON_CreateObject());
	if (m && !cJSON_AddItemToArray(l, m)) {
		cJSON_Delete(m);
		return ob_chk(b, NULL);
	}
	return m;
}

/* key: [v...] (NULL-ended). */
static void words(struct ob *b, cJSON *o, const char *key, const char *const *v)
{
	cJSON *l = list(b, o, key);
	for (; *v; v++)
		if (!l || !cJSON_AddItemToArray(l, ob_chk(b, cJSON_CreateString(*v))))
			b->bad = 1;
}

/* {name: v} under key, the form of configMapRef, secretRef, ... */
static void named(struct ob *b, cJSON *o, const char *key, const char *name)
{
	str(b, map(b, o, key), "name", name);
}

static void add_doc(struct ob *b, struct overlay_set *s, const char *file, const char *comment, cJSON *obj)
{
	if (!obj || s->n == OVERLAY_DOCS_MAX) {
		cJSON_Delete(obj);
		b->bad = 1;
		return;
	}
	s->d[s->n++] = (struct overlay_doc){file, comment, obj};
}

static cJSON *object(struct ob *b, const char *api, const char *kind, const char *name, const char *ns)
{
	cJSON *o = ob_chk(b, cJSON_CreateObject());
	str(b, o, "apiVersion", api);
	str(b, o, "kind", kind);
	cJSON *meta = map(b, o, "metadata");
	str(b, meta, "name", name);
	if (ns)
		str(b, meta, "namespace", ns);
	return o;
}

/* A NoSchedule taint the pod may run under (the GPU pool's sku=gpu, spot nodes...). */
static void toleration(struct ob *b, cJSON *l, const char *key, const char *op, const char *value)
{
	cJSON *t = item(b, l);
	str(b, t, "key", key);
	str(b, t, "operator", op);
	if (value)
		str(b, t, "value", value);
	str(b, t, "effect", "NoSchedule");
}

static void secret_volume(struct ob *b, cJSON *vols, const char *name, const char *secret, const char *const *keys)
{
	cJSON *v = item(b, vols), *s;
	str(b, v, "name", name);
	str(b, s = map(b, v, "secret"), "secretName", secret);
	yes(b, s, "optional", 0);
	if (!*keys)
		return;
	cJSON *items = list(b, s, "items");
	for (; *keys; keys++) {
		cJSON *it = item(b, items);
		str(b, it, "key", *keys);
		str(b, it, "path", *keys);
	}
}

static void mount(struct ob *b, cJSON *l, const char *name, const char *path, int ro)
{
	cJSON *m = item(b, l);
	str(b, m, "name", name);
	str(b, m, "mountPath", path);
	if (ro)
		yes(b, m, "readOnly", 1);
}

/* Requests = limits = the pod's share of its node; the runner sizes itself from the host. */
static void resources(struct ob *b, cJSON *c, const struct overlay_in *in)
{
	char cpu[32], mem[32];
	snprintf(cpu, sizeof cpu, "%dm", in->share.cpu_milli);
	snprintf(mem, sizeof mem, "%ldMi", in->share.mem_mib);
	cJSON *r = map(b, c, "resources");
	const char *const which[] = {"requests", "limits"};
	for (int i = 0; i < 2; i++) {
		cJSON *x = map(b, r, which[i]);
		str(b, x, "cpu", cpu);
		str(b, x, "memory", mem);
		if (!in->cpu_mode)
			str(b, x, "nvidia.com/gpu", "1");
	}
}

static cJSON *runner_deployment(struct ob *b, const struct overlay_in *in)
{
	char ref[900], tmp[32];
	if (in->image_digest[0])
		snprintf(ref, sizeof ref, "%s@%s", in->image_name, in->image_digest);
	else if (in->image_tag[0])
		snprintf(ref, sizeof ref, "%s:%s", in->image_name, in->image_tag);
	else
		snprintf(ref, sizeof ref, "%s", in->image_name);
	cJSON *d = object(b, "apps/v1", "Deployment", OVERLAY_DEPLOYMENT, in->ns);
	str(b, map(b, cJSON_GetObjectItemCaseSensitive(d, "metadata"), "labels"), "app", "studioml-go-runner");
	cJSON *spec = map(b, d, "spec");
	num(b, spec, "replicas", in->replicas);
	num(b, spec, "progressDeadlineSeconds", 360);
	str(b, map(b, map(b, spec, "selector"), "matchLabels"), "app", "studioml-go-runner");
	cJSON *strategy = map(b, spec, "strategy"), *ru;
	str(b, strategy, "type", "RollingUpdate");
	num(b, ru = map(b, strategy, "rollingUpdate"), "maxSurge", 0);
	num(b, ru, "maxUnavailable", 1);
	cJSON *tpl = map(b, spec, "template");
	str(b, map(b, map(b, tpl, "metadata"), "labels"), "app", "studioml-go-runner");
	cJSON *ps = map(b, tpl, "spec");
	str(b, ps, "serviceAccountName", "studioml-account");
	yes(b, ps, "automountServiceAccountToken", 1);
	str(b, map(b, ps, "nodeSelector"), "kubernetes.io/os", "linux");
	toleration(b, list(b, ps, "tolerations"), "sku", "Equal", "gpu");
	cJSON *c = item(b, list(b, ps, "containers"));
	str(b, c, "name", "studioml-go-runner");
	str(b, c, "image", ref);
	str(b, c, "imagePullPolicy", "Always");
	words(b, c, "command", (const char *const[]){in->cpu_mode ? OVERLAY_RUNNER_BIN_CPU : OVERLAY_RUNNER_BIN, NULL});
	cJSON *env = item(b, list(b, c, "env"));
	str(b, env, "name", "LD_LIBRARY_PATH");
	str(b, env, "value", OVERLAY_LD_LIBRARY_PATH);
	cJSON *from = list(b, c, "envFrom");
	named(b, item(b, from), "configMapRef", "studioml-env");
	named(b, item(b, from), "secretRef", "studioml-amqp");
	resources(b, c, in);
	cJSON *mounts = list(b, c, "volumeMounts");
	mount(b, mounts, "tmp-volume", "/tmp", 0);
	mount(b, mounts, "message-encryption", "/runner/certs/message/encryption", 1);
	mount(b, mounts, "encryption-passphrase", "/runner/certs/message/passphrase", 1);
	mount(b, mounts, "queue-signing", "/runner/certs/queues/signing", 1);
	cJSON *vols = list(b, ps, "volumes"), *tmpv = item(b, vols);
	str(b, tmpv, "name", "tmp-volume");
	snprintf(tmp, sizeof tmp, "%ldGi", in->share.disk_gib);
	str(b, map(b, tmpv, "emptyDir"), "sizeLimit", tmp);
	secret_volume(b, vols, "message-encryption", "studioml-runner-key-secret",
	              (const char *const[]){"ssh-privatekey", "ssh-publickey", NULL});
	secret_volume(b, vols, "encryption-passphrase", "studioml-runner-passphrase-secret",
	              (const char *const[]){"ssh-passphrase", NULL});
	secret_volume(b, vols, "queue-signing", "studioml-signing", (const char *const[]){NULL});
	return d;
}

/* The NVIDIA device plugin: makes each GPU node offer nvidia.com/gpu to the scheduler (AKS
 * installs the driver, not the plugin). */
static cJSON *device_plugin(struct ob *b)
{
	const char *ns = PLAN_DEVICE_PLUGIN_NAMESPACE;
	cJSON *d = object(b, "apps/v1", "DaemonSet", "nvidia-device-plugin-daemonset", ns);
	cJSON *spec = map(b, d, "spec");
	str(b, map(b, map(b, spec, "selector"), "matchLabels"), "name", "nvidia-device-plugin-ds");
	str(b, map(b, spec, "updateStrategy"), "type", "RollingUpdate");
	cJSON *tpl = map(b, spec, "template");
	str(b, map(b, map(b, tpl, "metadata"), "labels"), "name", "nvidia-device-plugin-ds");
	cJSON *ps = map(b, tpl, "spec");
	str(b, ps, "priorityClassName", "system-node-critical");
	str(b, map(b, ps, "nodeSelector"), "kubernetes.azure.com/accelerator", "nvidia");
	cJSON *tol = list(b, ps, "tolerations");
	toleration(b, tol, "sku", "Equal", "gpu");
	toleration(b, tol, "kubernetes.azure.com/scalesetpriority", "Equal", "spot");
	toleration(b, tol, "nvidia.com/gpu", "Exists", NULL);
	cJSON *c = item(b, list(b, ps, "containers"));
	str(b, c, "name", "nvidia-device-plugin-ctr");
	str(b, c, "image", PLAN_DEVICE_PLUGIN_IMAGE);
	cJSON *env = item(b, list(b, c, "env"));
	str(b, env, "name", "FAIL_ON_INIT_ERROR");
	str(b, env, "value", "false");
	cJSON *sc = map(b, c, "securityContext");
	yes(b, sc, "allowPrivilegeEscalation", 0);
	words(b, map(b, sc, "capabilities"), "drop", (const char *const[]){"ALL", NULL});
	mount(b, list(b, c, "volumeMounts"), "device-plugin", "/var/lib/kubelet/device-plugins", 0);
	cJSON *v = item(b, list(b, ps, "volumes"));
	str(b, v, "name", "device-plugin");
	str(b, map(b, v, "hostPath"), "path", "/var/lib/kubelet/device-plugins");
	return d;
}

#define DP_FILE "device-plugin/device-plugin.yaml"

int overlay_set_build(const struct overlay_in *in, struct overlay_set *s, char *err, size_t errlen)
{
	struct ob b = {0};
	const struct runner_share *sh = &in->share;
	char v[64];
	memset(s, 0, sizeof *s);
	/* In apply order: namespaces, then what the workloads need, the workloads last. */
	if (!in->cpu_mode)
		add_doc(&b, s, DP_FILE,
		        "# The NVIDIA device plugin: makes each GPU node offer nvidia.com/gpu to the scheduler\n"
		        "# (AKS installs the driver, not the plugin). Written by studio-wizard.",
		        object(&b, "v1", "Namespace", PLAN_DEVICE_PLUGIN_NAMESPACE, NULL));
	add_doc(&b, s, "runner/namespace.yaml",
	        "# studio-go-runner in its own namespace. Written by studio-wizard. The Secrets the pods\n"
	        "# mount (studioml-amqp, studioml-runner-key-secret, studioml-runner-passphrase-secret,\n"
	        "# studioml-signing) are applied by the wizard only.",
	        object(&b, "v1", "Namespace", in->ns, NULL));
	add_doc(&b, s, "runner/rbac.yaml", "# The runner reads its ConfigMaps with this account.",
	        object(&b, "v1", "ServiceAccount", "studioml-account", in->ns));
	cJSON *role = object(&b, "rbac.authorization.k8s.io/v1", "Role", "studioml-role", in->ns);
	cJSON *rule = item(&b, list(&b, role, "rules"));
	words(&b, rule, "apiGroups", (const char *const[]){"", NULL});
	words(&b, rule, "resources", (const char *const[]){"configmaps", NULL});
	words(&b, rule, "verbs", (const char *const[]){"get", "list", "watch", NULL});
	add_doc(&b, s, "runner/rbac.yaml", NULL, role);
	cJSON *bind = object(&b, "rbac.authorization.k8s.io/v1", "RoleBinding", "studioml-role-bind", in->ns);
	cJSON *ref = map(&b, bind, "roleRef"), *subj = item(&b, list(&b, bind, "subjects"));
	str(&b, ref, "apiGroup", "rbac.authorization.k8s.io");
	str(&b, ref, "kind", "Role");
	str(&b, ref, "name", "studioml-role");
	str(&b, subj, "kind", "ServiceAccount");
	str(&b, subj, "name", "studioml-account");
	str(&b, subj, "namespace", in->ns);
	add_doc(&b, s, "runner/rbac.yaml", NULL, bind);
	cJSON *env = object(&b, "v1", "ConfigMap", "studioml-env", in->ns), *data = map(&b, env, "data");
	str(&b, data, "LOGXI", "*=INF");
	str(&b, data, "LOGXI_FORMAT", "happy,maxcol=1024");
	str(&b, data, "QUEUE_MATCH", in->queue_match);
	str(&b, data, "CLEAR_TEXT_MESSAGES", in->clear_text ? "true" : "false");
	str(&b, data, "AMQP_URL", in->amqp_url);
	str(&b, data, "K8S_NAMESPACE", in->ns);
	snprintf(v, sizeof v, "%d", sh->max_cores);
	str(&b, data, "MAX_CORES", v);
	snprintf(v, sizeof v, "%ldMiB", sh->max_mem_mib);
	str(&b, data, "MAX_MEM", v);
	snprintf(v, sizeof v, "%ldGiB", sh->max_disk_gib);
	str(&b, data, "MAX_DISK", v);
	if (in->cpu_mode)
		str(&b, data, "CPU_ONLY", "true");
	add_doc(&b, s, "runner/settings.yaml",
	        "# The install's settings. No password: the runner expands ${RMQ_USER} and ${RMQ_PASS}\n"
	        "# in AMQP_URL from the studioml-amqp Secret, which the wizard applies. The runner sizes\n"
	        "# itself from the host: MAX_CORES, MAX_MEM and MAX_DISK match deployment.yaml's share.",
	        env);
	cJSON *state = object(&b, "v1", "ConfigMap", OVERLAY_STATE_CONFIGMAP, in->ns);
	str(&b, map(&b, state, "data"), "STATE", in->state);
	add_doc(&b, s, "runner/settings.yaml",
	        "# The runner watches this ConfigMap (K8S_CONFIGMAP) and takes work only while STATE\n"
	        "# is Running; DrainAndSuspend pauses it after the running jobs.",
	        state);
	if (!in->cpu_mode)
		add_doc(&b, s, DP_FILE, NULL, device_plugin(&b));
	add_doc(&b, s, "runner/deployment.yaml",
	        in->cpu_mode ? "# CPU mode: no GPU; the runner starts with CPU_ONLY=true.\n"
	                       "# Requests = limits = each pod's share of its node. The binary starts directly:\n"
	                       "# the image's run.sh would print the environment."
	                     : "# One GPU per pod: replicas = GPU nodes x GPUs per node.\n"
	                       "# Requests = limits = each pod's share of its node. The binary starts directly:\n"
	                       "# the image's run.sh would print the environment.",
	        runner_deployment(&b, in));
	if (b.bad) {
		overlay_set_free(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void overlay_set_free(struct overlay_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		cJSON_Delete(s->d[i].obj);
	s->n = 0;
}
