/* core/steps/overlay_build.c: the overlay's files from the answers and earlier steps' outputs,
 * and the objects kustomize renders from them (its namespace, patches, images and replicas
 * transformers, done here for the kinds and fields these files use). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/steps/overlay_int.h"

static int files_add(struct overlay_files *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int files_add(struct overlay_files *f, const char *path, const char *fmt, ...)
{
	if (f->n == OVERLAY_NFILES_MAX)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	snprintf(f->f[f->n].path, sizeof f->f[0].path, "%s", path);
	f->f[f->n++].text = text;
	return 0;
}

void overlay_files_free(struct overlay_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->f[i].text);
	f->n = 0;
}

int overlay_image_split(const char *ref, struct overlay_in *in)
{
	const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/');
	in->image_tag[0] = in->image_digest[0] = 0;
	if (!*ref || strchr(ref, ' ') || strlen(ref) >= sizeof in->image_name)
		return -1;
	if (at) {
		snprintf(in->image_name, sizeof in->image_name, "%.*s", (int)(at - ref), ref);
		snprintf(in->image_digest, sizeof in->image_digest, "%s", at + 1);
		return strncmp(in->image_digest, "sha256:", 7) == 0 ? 0 : -1;
	}
	const char *colon = strrchr(ref, ':');
	if (colon && (!slash || colon > slash)) {
		snprintf(in->image_name, sizeof in->image_name, "%.*s", (int)(colon - ref), ref);
		snprintf(in->image_tag, sizeof in->image_tag, "%s", colon + 1);
		return in->image_tag[0] ? 0 : -1;
	}
	snprintf(in->image_name, sizeof in->image_name, "%s", ref);
	return 0;
}

#define HEADER "# Written by studio-wizard. Change it and apply with\n" \
	"#   kubectl apply --server-side --force-conflicts -k DIR\n" \
	"# (the wizard keeps a file you changed and tells you so).\n"

int overlay_files_build(const struct overlay_in *in, struct overlay_files *out, char *err, size_t errlen)
{
	char q_match[600], q_url[1300], q_ns[160], q_name[1100], q_tag[300], q_digest[360];
	memset(out, 0, sizeof *out);
	if (overlay_yaml_quote(in->queue_match, q_match, sizeof q_match) || overlay_yaml_quote(in->amqp_url, q_url, sizeof q_url) ||
	    overlay_yaml_quote(in->ns, q_ns, sizeof q_ns) || overlay_yaml_quote(in->image_name, q_name, sizeof q_name) ||
	    overlay_yaml_quote(in->image_tag, q_tag, sizeof q_tag) ||
	    overlay_yaml_quote(in->image_digest, q_digest, sizeof q_digest)) {
		snprintf(err, errlen, "overlay: a value holds control characters or is too long");
		return -1;
	}
	char image_extra[400] = "";
	if (in->image_digest[0])
		snprintf(image_extra, sizeof image_extra, "  digest: %s\n", q_digest);
	else if (in->image_tag[0])
		snprintf(image_extra, sizeof image_extra, "  newTag: %s\n", q_tag);
	char q_state[80];
	if (overlay_yaml_quote(in->state, q_state, sizeof q_state)) {
		snprintf(err, errlen, "overlay: the runner state is too long");
		return -1;
	}
	const struct runner_share *sh = &in->share;
	char res[400];
	snprintf(res, sizeof res, "            cpu: %dm\n            memory: %ldMi\n%s", sh->cpu_milli, sh->mem_mib,
	         in->cpu_mode ? "" : "            nvidia.com/gpu: '1'\n");
	int bad = 0;
	bad |= files_add(out, "kustomization.yaml",
	                 HEADER "apiVersion: kustomize.config.k8s.io/v1beta1\n"
	                        "kind: Kustomization\n"
	                        "resources:\n"
	                        "- runner\n%s",
	                 in->cpu_mode ? "" : "- device-plugin\n");
	bad |= files_add(out, "runner/kustomization.yaml",
	                 HEADER "apiVersion: kustomize.config.k8s.io/v1beta1\n"
	                        "kind: Kustomization\n"
	                        "namespace: %s\n"
	                        "resources:\n"
	                        "- base.yaml\n"
	                        "patches:\n"
	                        "- path: settings.yaml\n"
	                        "- path: rbac.yaml\n"
	                        "- path: resources.yaml\n"
	                        "images:\n"
	                        "- name: " PLAN_RUNNER_BASE_IMAGE "\n"
	                        "  newName: %s\n%s"
	                        "replicas:\n"
	                        "- name: " OVERLAY_DEPLOYMENT "\n"
	                        "  count: %d\n",
	                 q_ns, q_name, image_extra, in->replicas);
	bad |= files_add(out, "runner/base.yaml", "%s", overlay_base_runner);
	bad |= files_add(out, "runner/settings.yaml",
	                 "# The install's settings. No password: the runner expands ${RMQ_USER} and ${RMQ_PASS}\n"
	                 "# in AMQP_URL from the studioml-amqp Secret, which the wizard applies.\n"
	                 "apiVersion: v1\n"
	                 "kind: ConfigMap\n"
	                 "metadata:\n"
	                 "  name: studioml-env\n"
	                 "data:\n"
	                 "  QUEUE_MATCH: %s\n"
	                 "  CLEAR_TEXT_MESSAGES: '%s'\n"
	                 "  K8S_NAMESPACE: %s\n"
	                 "  AMQP_URL: %s\n"
	                 "  MAX_CORES: '%d'\n"
	                 "  MAX_MEM: %ldMiB\n"
	                 "  MAX_DISK: %ldGiB\n%s"
	                 "---\n"
	                 "# STATE: Running takes work; DrainAndSuspend pauses the runner after the running jobs.\n"
	                 "apiVersion: v1\n"
	                 "kind: ConfigMap\n"
	                 "metadata:\n"
	                 "  name: " OVERLAY_STATE_CONFIGMAP "\n"
	                 "data:\n"
	                 "  STATE: %s\n",
	                 q_match, in->clear_text ? "true" : "false", q_ns, q_url, sh->max_cores, sh->max_mem_mib,
	                 sh->max_disk_gib, in->cpu_mode ? "  CPU_ONLY: 'true'\n" : "", q_state);
	bad |= files_add(out, "runner/rbac.yaml",
	                 "apiVersion: rbac.authorization.k8s.io/v1\n"
	                 "kind: RoleBinding\n"
	                 "metadata:\n"
	                 "  name: studioml-role-bind\n"
	                 "subjects:\n"
	                 "- kind: ServiceAccount\n"
	                 "  name: studioml-account\n"
	                 "  namespace: %s\n",
	                 q_ns);
	bad |= files_add(out, "runner/resources.yaml",
	                 "# %s\n"
	                 "# Requests = limits = each pod's share of its node. The runner sizes itself from the\n"
	                 "# host, so MAX_CORES, MAX_MEM and MAX_DISK in settings.yaml match them.\n"
	                 "# The binary starts directly: the image's run.sh would print the environment.\n"
	                 "apiVersion: apps/v1\n"
	                 "kind: Deployment\n"
	                 "metadata:\n"
	                 "  name: " OVERLAY_DEPLOYMENT "\n"
	                 "spec:\n"
	                 "  template:\n"
	                 "    spec:\n"
	                 "      containers:\n"
	                 "      - name: studioml-go-runner\n"
	                 "        command:\n"
	                 "        - %s\n"
	                 "        env:\n"
	                 "        - name: LD_LIBRARY_PATH\n"
	                 "          value: " OVERLAY_LD_LIBRARY_PATH "\n"
	                 "        resources:\n"
	                 "          requests:\n%s"
	                 "          limits:\n%s"
	                 "      volumes:\n"
	                 "      - name: tmp-volume\n"
	                 "        emptyDir:\n"
	                 "          sizeLimit: %ldGi\n",
	                 in->cpu_mode ? "CPU mode: no GPU; the runner starts with CPU_ONLY=true."
	                              : "One GPU per pod: replicas = GPU nodes x GPUs per node.",
	                 in->cpu_mode ? OVERLAY_RUNNER_BIN_CPU : OVERLAY_RUNNER_BIN, res, res, sh->disk_gib);
	if (!in->cpu_mode) {
		bad |= files_add(out, "device-plugin/kustomization.yaml",
		                 HEADER "apiVersion: kustomize.config.k8s.io/v1beta1\n"
		                        "kind: Kustomization\n"
		                        "resources:\n"
		                        "- device-plugin.yaml\n");
		bad |= files_add(out, "device-plugin/device-plugin.yaml", "%s", overlay_base_device_plugin);
	}
	if (bad) {
		overlay_files_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static const char *file_text(const struct overlay_files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].path, path) == 0)
			return f->f[i].text;
	return NULL;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Strategic merge as these patches need it: maps merge, lists of named items merge by name
 * (containers, volumes, env), other lists are replaced, null deletes. */
static void smp_merge(cJSON *dst, const cJSON *patch)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, patch)
	{
		cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, p->string);
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(dst, p->string);
		} else if (cJSON_IsObject(p) && cJSON_IsObject(d)) {
			smp_merge(d, p);
		} else if (cJSON_IsArray(p) && cJSON_IsArray(d) &&
		           (!strcmp(p->string, "containers") || !strcmp(p->string, "volumes") || !strcmp(p->string, "env"))) {
			const cJSON *item;
			cJSON_ArrayForEach(item, p)
			{
				const char *name = str_at(item, "name", NULL);
				cJSON *match = NULL, *it;
				cJSON_ArrayForEach(it, d)
				{
					if (!strcmp(str_at(it, "name", NULL), name))
						match = it;
				}
				if (match)
					smp_merge(match, item);
				else
					cJSON_AddItemToArray(d, cJSON_Duplicate(item, 1));
			}
		} else {
			cJSON *copy = cJSON_Duplicate(p, 1);
			if (d)
				cJSON_ReplaceItemInObjectCaseSensitive(dst, p->string, copy);
			else
				cJSON_AddItemToObject(dst, p->string, copy);
		}
	}
}

static void set_str(cJSON *o, const char *key, const char *value)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(value));
	else
		cJSON_AddStringToObject(o, key, value);
}

/* kustomize's transformers over the runner's objects. */
static void runner_transform(cJSON *obj, const struct overlay_in *in, const cJSON *patches)
{
	const char *kind = str_at(obj, "kind", NULL), *name = str_at(obj, "metadata", "name");
	const cJSON *p;
	cJSON_ArrayForEach(p, patches)
	{
		if (!strcmp(str_at(p, "kind", NULL), kind) && !strcmp(str_at(p, "metadata", "name"), name)) {
			cJSON *body = cJSON_Duplicate(p, 1);
			cJSON_DeleteItemFromObjectCaseSensitive(body, "metadata");
			cJSON_DeleteItemFromObjectCaseSensitive(body, "apiVersion");
			cJSON_DeleteItemFromObjectCaseSensitive(body, "kind");
			smp_merge(obj, body);
			cJSON_Delete(body);
		}
	}
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!strcmp(kind, "Namespace"))
		set_str(meta, "name", in->ns);
	else
		set_str(meta, "namespace", in->ns);
	if (strcmp(kind, "Deployment") != 0 || strcmp(name, OVERLAY_DEPLOYMENT) != 0)
		return;
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON_ReplaceItemInObjectCaseSensitive(spec, "replicas", cJSON_CreateNumber(in->replicas));
	cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
	                              cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "template"), "spec"),
	                              "containers"))
	{
		if (strcmp(str_at(c, "image", NULL), PLAN_RUNNER_BASE_IMAGE) != 0)
			continue;
		char ref[900];
		if (in->image_digest[0])
			snprintf(ref, sizeof ref, "%s@%s", in->image_name, in->image_digest);
		else if (in->image_tag[0])
			snprintf(ref, sizeof ref, "%s:%s", in->image_name, in->image_tag);
		else
			snprintf(ref, sizeof ref, "%s", in->image_name);
		set_str(c, "image", ref);
	}
}

static int apply_rank(const cJSON *obj)
{
	static const char *const order[] = {"Namespace", "ServiceAccount", "Role", "RoleBinding", "ConfigMap",
	                                    "DaemonSet", "Deployment"};
	for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
		if (!strcmp(str_at(obj, "kind", NULL), order[i]))
			return i;
	return 99;
}

cJSON *overlay_objects_build(const struct overlay_in *in, const struct overlay_files *files, char *err, size_t errlen)
{
	char why[300];
	const char *names[] = {"runner/base.yaml", "runner/settings.yaml", "runner/rbac.yaml", "runner/resources.yaml",
	                       "device-plugin/device-plugin.yaml"};
	cJSON *docs[5] = {0};
	cJSON *out = cJSON_CreateArray();
	for (size_t i = 0; i < 5; i++) {
		const char *t = file_text(files, names[i]);
		if (!t)
			continue;
		if (!(docs[i] = overlay_yaml_parse(t, why, sizeof why))) {
			snprintf(err, errlen, "%s: %s", names[i], why);
			goto fail;
		}
	}
	cJSON *patches = cJSON_CreateArray();
	for (size_t i = 1; i <= 3; i++)
		while (docs[i] && cJSON_GetArraySize(docs[i]))
			cJSON_AddItemToArray(patches, cJSON_DetachItemFromArray(docs[i], 0));
	cJSON *o;
	cJSON_ArrayForEach(o, docs[0])
	{
		runner_transform(o, in, patches);
	}
	cJSON_Delete(patches);
	/* Stable apply order: namespaces first, the workloads last. */
	for (int rank = 0; rank <= 99; rank++)
		for (size_t d = 0; d < 5; d += 4)
			for (cJSON *x = docs[d] ? docs[d]->child : NULL; x; x = x->next)
				if (apply_rank(x) == rank)
					cJSON_AddItemToArray(out, cJSON_Duplicate(x, 1));
	for (size_t i = 0; i < 5; i++)
		cJSON_Delete(docs[i]);
	return out;
fail:
	for (size_t i = 0; i < 5; i++)
		cJSON_Delete(docs[i]);
	cJSON_Delete(out);
	return NULL;
}
