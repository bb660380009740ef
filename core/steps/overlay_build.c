/* core/steps/overlay_build.c: the overlay's files from its objects (overlay_objects.c): each
 * file holds its objects as YAML documents, and kustomization.yaml files list them, so that
 * `kubectl kustomize DIR` renders exactly the objects the wizard applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/yaml.h"
#include "core/steps/overlay_int.h"

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
	"# (the wizard keeps a file you changed and tells you so)."

/* The file at path in out, added empty when new; NULL when there are too many. */
static struct overlay_file *file_at(struct overlay_files *out, const char *path)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->f[i].path, path))
			return &out->f[i];
	if (out->n == OVERLAY_NFILES_MAX || strlen(path) >= sizeof out->f[0].path)
		return NULL;
	struct overlay_file *f = &out->f[out->n++];
	snprintf(f->path, sizeof f->path, "%s", path);
	f->text = NULL;
	return f;
}

/* Appends doc (with its comment) to f as one more YAML document. 0 or -1. */
static int file_add(struct overlay_file *f, const char *comment, const cJSON *doc)
{
	long n = yaml_emit(doc, comment, NULL, 0);
	size_t had = f->text ? strlen(f->text) : 0, sep = had ? 4 : 0;
	char *t = n < 0 ? NULL : realloc(f->text, had + sep + (size_t)n + 1);
	if (!t)
		return -1;
	f->text = t;
	memcpy(t + had, "---\n", sep);
	return yaml_emit(doc, comment, t + had + sep, (size_t)n + 1) == n ? 0 : -1;
}

/* A kustomization.yaml that lists resources (the files and folders beside it). */
static int kustomization(struct overlay_files *out, const char *path, const cJSON *resources)
{
	cJSON *k = cJSON_CreateObject();
	struct overlay_file *f = file_at(out, path);
	int rc = -1;
	if (f && k && cJSON_AddStringToObject(k, "apiVersion", "kustomize.config.k8s.io/v1beta1") &&
	    cJSON_AddStringToObject(k, "kind", "Kustomization") &&
	    cJSON_AddItemReferenceToObject(k, "resources", (cJSON *)resources))
		rc = file_add(f, HEADER, k);
	cJSON_Delete(k);
	return rc;
}

/* Adds name to the list l once. 0 or -1. */
static int list_once(cJSON *l, const char *name)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, l)
	{
		if (!strcmp(x->valuestring, name))
			return 0;
	}
	return cJSON_AddItemToArray(l, cJSON_CreateString(name)) ? 0 : -1;
}

int overlay_files_build(const struct overlay_set *s, struct overlay_files *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	cJSON *top = cJSON_CreateArray(), *dirs = cJSON_CreateObject();
	int bad = !top || !dirs || !file_at(out, "kustomization.yaml");
	for (size_t i = 0; !bad && i < s->n; i++) {
		const char *path = s->d[i].file, *slash = strchr(path, '/');
		char dir[64];
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 0, path);
		cJSON *names = cJSON_GetObjectItemCaseSensitive(dirs, dir);
		if (!names && !(names = cJSON_AddArrayToObject(dirs, dir))) {
			bad = 1;
			break;
		}
		struct overlay_file *f = file_at(out, path);
		bad = !slash || !f || file_add(f, s->d[i].comment, s->d[i].obj) != 0 || list_once(top, dir) != 0 ||
		      list_once(names, slash + 1) != 0;
	}
	const cJSON *d;
	cJSON_ArrayForEach(d, dirs)
	{
		char path[64];
		snprintf(path, sizeof path, "%s/kustomization.yaml", d->string);
		bad = bad || kustomization(out, path, d) != 0;
	}
	bad = bad || kustomization(out, "kustomization.yaml", top) != 0;
	cJSON_Delete(top);
	cJSON_Delete(dirs);
	if (bad) {
		overlay_files_free(out);
		snprintf(err, errlen, "overlay: a value YAML cannot carry, or out of memory");
		return -1;
	}
	return 0;
}
