/* Step: acr. One check before anything of the acr and aks steps is created (the name is
 * free, the image tag exists in its source registry, then the cluster's checks of
 * aks_preflight.c: sizes offered, vCPU quota, Kubernetes version), then the registry (Basic,
 * no admin user) and ACR's own import of the runner image (a long-running POST: resumed, not resent, after a crash). Pull access
 * for the cluster is the aks step's AcrPull role assignment. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry/hub.h"
#include "core/steps/aks_int.h"
#include "core/model/runner.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "secrets/secmem.h"

#define API_ACR "2025-11-01"
#define ACR_TARGET_REPO "studio-go-runner"
#define TAG_INSTALL "studio-wizard-install"   /* the engine's tag naming the install */

#define REGISTRY_PATH                                                                                    \
	"/subscriptions/{subscription}/resourceGroups/{acr.resource_group}/providers/"                        \
	"Microsoft.ContainerRegistry/registries/{acr.name}"

static const char *acr_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The operator's Docker Hub token (USER:TOKEN), or NULL. */
static int acr_hub_cred(struct act *a, const unsigned char **v, size_t *n)
{
	if (act_secret_get(a, "dockerhub-token", v, n) != 0 || !memchr(*v, ':', *n))
		return -1;
	return 0;
}

/* ---- preflight: the name is free, the image exists ---- */

struct preflight_data {
	struct hub_op *hub;
	char path[512];
	char repo[256], tag[160];
};

/* The aks checks' scratch memory comes first (aks_preflight.c reads act_data() as its own). */
struct preflight_all {
	union {
		unsigned char bytes[AKS_PREFLIGHT_DATA_SIZE];
		max_align_t align;
	} aks;
	struct preflight_data acr;
};

static struct preflight_data *pre_data(struct act *a)
{
	return &((struct preflight_all *)act_data(a))->acr;
}

static void pre_on_manifest(const struct hub_result *r, void *arg)
{
	struct act *a = arg;
	struct preflight_data *d = pre_data(a);
	d->hub = NULL;
	const char *src = act_answer(a, "acr.source_registry"), *img = act_answer(a, "acr.image");
	if (r->error)
		act_fail(a, "acr.image: cannot check %s in %s: %s", img, src, r->error);
	else if (!r->found)
		act_fail(a, "acr.image: %s has no tag %s in %s (repository %s); F4 on the image field lists the tags it "
		         "has", img, d->tag, src, d->repo);
	else {
		act_info(a, "registry name %s is free; %s found in %s", act_answer(a, "acr.name"), img, src);
		aks_preflight_start(a);   /* then the cluster's sizes, quota and version */
	}
}

static void pre_check_image(struct act *a)
{
	struct preflight_data *d = pre_data(a);
	const char *src = act_answer(a, "acr.source_registry");
	if (hub_split_image(src, act_answer(a, "acr.image"), d->repo, sizeof d->repo, d->tag, sizeof d->tag) != 0) {
		act_fail(a, "acr.image: cannot read the repository and tag");
		return;
	}
	const unsigned char *cred = NULL;
	size_t credlen = 0;
	acr_hub_cred(a, &cred, &credlen);
	act_progress(a, "looking for %s:%s in %s", d->repo, d->tag, src);
	d->hub = hub_manifest_exists(act_http(a), src, d->repo, d->tag, cred, cred ? credlen : 0, pre_on_manifest, a);
	if (!d->hub)
		act_fail(a, "acr.source_registry: cannot use %s", src);
}

static void pre_on_name(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	char why[768];
	if (r->error) {
		act_fail(a, "checking the registry name: %s", r->error);
		return;
	}
	int ok = arm_name_available(r->json, act_answer(a, "acr.name"), why, sizeof why);
	if (ok < 0) {
		act_fail(a, "checking the registry name: Azure's answer has no nameAvailable");
		return;
	}
	if (ok == 0) {
		act_fail(a, "acr.name: %s", why);
		return;
	}
	pre_check_image(a);
}

/* A registry of that name in our group: ours (a rerun) is fine, another one is not. */
static void pre_on_existing(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct preflight_data *d = pre_data(a);
	if (r->status == 200) {
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(r->json, "tags");
		if (strcmp(acr_str(tags, TAG_INSTALL), act_install_id(a)) == 0) {
			pre_check_image(a);
			return;
		}
		act_fail(a, "acr.name: registry %s exists already and was not made by this install; choose another name",
		         act_answer(a, "acr.name"));
		return;
	}
	if (r->error && r->status != 404) {
		act_fail(a, "checking the registry: %s", r->error);
		return;
	}
	char body[256];
	snprintf(d->path, sizeof d->path, "/subscriptions/%s/providers/Microsoft.ContainerRegistry/checkNameAvailability",
	         act_answer(a, "subscription"));
	snprintf(body, sizeof body, "{\"name\":\"%s\",\"type\":\"Microsoft.ContainerRegistry/registries\"}",
	         act_answer(a, "acr.name"));
	act_progress(a, "is the name %s free?", act_answer(a, "acr.name"));
	if (act_call(a, "POST", d->path, API_ACR, body, pre_on_name) != 0)
		act_fail(a, "out of memory");
}

static void pre_start(struct act *a)
{
	struct preflight_data *d = pre_data(a);
	if (answers_expand(act_answers(a), REGISTRY_PATH, d->path, sizeof d->path, NULL, 0) != 0 ||
	    act_call(a, "GET", d->path, API_ACR, NULL, pre_on_existing) != 0)
		act_fail(a, "out of memory");
}

static void pre_stop(struct act *a)
{
	if (!act_data(a))
		return;
	aks_preflight_stop(a);
	struct preflight_data *d = pre_data(a);
	if (d->hub) {
		hub_cancel(d->hub);
		d->hub = NULL;
	}
}

/* ---- the registry ---- */

static cJSON *registry_body(struct act *a, char *err, size_t errlen)
{
	cJSON *o = steps_location_body(a, err, errlen);
	cJSON *sku = o ? cJSON_AddObjectToObject(o, "sku") : NULL;
	cJSON *props = o ? cJSON_AddObjectToObject(o, "properties") : NULL;
	if (!sku || !props || !cJSON_AddStringToObject(sku, "name", act_answer(a, "acr.sku")) ||
	    !cJSON_AddBoolToObject(props, "adminUserEnabled", 0)) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}

static int registry_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const char *ls = acr_str(cJSON_GetObjectItemCaseSensitive(res, "properties"), "loginServer");
	if (!*ls) {
		snprintf(err, errlen, "registry %s: Azure's answer has no loginServer", act_answer(a, "acr.name"));
		return -1;
	}
	if (act_output_set(a, "acr.login_server", ls) != 0) {
		snprintf(err, errlen, "cannot save the state");
		return -1;
	}
	return 0;
}

/* ---- the import ---- */

struct import_data {
	char path[600];
	char target[400];
};

/* The tag in the registry: the source tag, or for a digest its first 12 hex digits. */
static void import_target(struct act *a, char *out, size_t outlen)
{
	char repo[256], tag[160];
	hub_split_image(act_answer(a, "acr.source_registry"), act_answer(a, "acr.image"), repo, sizeof repo, tag,
	                sizeof tag);
	if (strncmp(tag, "sha256:", 7) == 0)
		snprintf(out, outlen, "%s/%s:sha256-%.12s", act_answer(a, "acr.name"), ACR_TARGET_REPO, tag + 7);
	else
		snprintf(out, outlen, "%s/%s:%s", act_answer(a, "acr.name"), ACR_TARGET_REPO, tag);
}

static void import_on_done(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct import_data *d = act_data(a);
	char image[600];
	if (r->error) {
		act_fail(a, "importing %s: %s", act_answer(a, "acr.image"), r->error);
		return;
	}
	snprintf(image, sizeof image, "%s/%s", act_output(a, "acr.login_server"), d->target);
	if (act_output_set(a, "acr.image", image) != 0) {
		act_fail(a, "cannot save the state");
		return;
	}
	act_done(a, "%s", image);
}

static void import_start(struct act *a)
{
	struct import_data *d = act_data(a);
	char host[256], repo[256], tag[160], rp[512];
	const char *src = act_answer(a, "acr.source_registry");
	if (!act_output(a, "acr.login_server")) {
		act_fail(a, "the registry's login server is not known (acr.registry)");
		return;
	}
	import_target(a, d->target, sizeof d->target);
	hub_import_host(src, host, sizeof host);
	hub_split_image(src, act_answer(a, "acr.image"), repo, sizeof repo, tag, sizeof tag);
	answers_expand(act_answers(a), REGISTRY_PATH, rp, sizeof rp, NULL, 0);
	snprintf(d->path, sizeof d->path, "%s/importImage", rp);
	cJSON *o = cJSON_CreateObject();
	cJSON *s = cJSON_AddObjectToObject(o, "source");
	cJSON *t = cJSON_AddArrayToObject(o, "targetTags");
	char source[450];
	snprintf(source, sizeof source, "%s%s%s", repo, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	cJSON_AddStringToObject(s, "registryUri", host);
	cJSON_AddStringToObject(s, "sourceImage", source);
	cJSON_AddItemToArray(t, cJSON_CreateString(d->target));
	/* Force: a request resent after a crash before its operation was saved finds the tag there. */
	cJSON_AddStringToObject(o, "mode", "Force");
	const unsigned char *cred;
	size_t n;
	if (acr_hub_cred(a, &cred, &n) == 0) {
		const unsigned char *colon = memchr(cred, ':', n);
		char *user = secmem_alloc(n + 1), *pass = secmem_alloc(n + 1);
		if (user && pass) {
			memcpy(user, cred, (size_t)(colon - cred));
			user[colon - cred] = '\0';
			memcpy(pass, colon + 1, n - (size_t)(colon - cred) - 1);
			pass[n - (size_t)(colon - cred) - 1] = '\0';
			cJSON *c = cJSON_AddObjectToObject(s, "credentials");
			cJSON_AddStringToObject(c, "username", user);
			cJSON_AddStringToObject(c, "password", pass);
		}
		secmem_free(user);
		secmem_free(pass);
	}
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);   /* cJSON frees without wiping: the token was only there briefly */
	if (!body) {
		act_fail(a, "out of memory");
		return;
	}
	act_progress(a, "ACR copies %s from %s", source, host);
	int rc = act_call(a, "POST", d->path, API_ACR, body, import_on_done);
	secmem_wipe(body, strlen(body));
	free(body);
	if (rc != 0)
		act_fail(a, "out of memory");
}

static const struct action_def actions[] = {
	{.key = "acr.preflight",
	 .text = "check before creating anything in the acr and aks steps: registry name {acr.name} free, {acr.image} "
	         "in {acr.source_registry}, the cluster's node sizes offered in {location} and the vCPU quota for them "
	         "(too little GPU quota: the runner on CPUs, or stop, as you decide), the default Kubernetes version",
	 .after = {"subscription"}, .kind = ACTION_TASK, .expect_s = 5, .start = pre_start, .stop = pre_stop,
	 .data_size = sizeof(struct preflight_all)},
	{.key = "acr.group", .text = "create resource group {acr.resource_group} in {location}",
	 .after = {"subscription", "acr.preflight"}, .kind = ACTION_RESOURCE, .expect_s = 2,
	 .type = "Microsoft.Resources/resourceGroups",
	 .path = "/subscriptions/{subscription}/resourceGroups/{acr.resource_group}", .api = API_GROUPS,
	 .body = steps_location_body, .use_existing = 1},
	{.key = "acr.registry", .text = "create registry {acr.name} ({acr.sku}), admin user off",
	 .after = {"acr.group", "acr.preflight"}, .kind = ACTION_RESOURCE, .expect_s = 20,
	 .type = "Microsoft.ContainerRegistry/registries", .path = REGISTRY_PATH, .api = API_ACR,
	 .body = registry_body, .fix = "acr.name", .created = registry_created},
	{.key = "acr.import",
	 .text = "import {acr.image} from {acr.source_registry} into {acr.name} as {acr.name}/" ACR_TARGET_REPO,
	 .after = {"acr.registry"}, .kind = ACTION_TASK, .expect_s = 60, .start = import_start,
	 .data_size = sizeof(struct import_data)},
};

static const struct step_output outputs[] = {
	{"acr.login_server", "login server"},
	{"acr.image", "runner image in the registry"},
};

static const struct plan_question questions[] = {
	{.key = "acr.resource_group", .label = "Resource group",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml-{uniq_id}", .validate = validate_resource_group,
	 .help = "The guide's registry group."},
	{.key = "acr.name", .label = "Registry name",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "leafai{uniq_id}", .validate = validate_registry_name,
	 .help = "Global across Azure: the step checks availability before creating it."},
	{.key = "acr.sku", .label = "Registry SKU",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "Basic", .validate = plan_validate_acr_sku,
	 .help = "Basic holds one runner image comfortably.",
	 PLAN_CHOICES(plan_acr_sku_choices)},
	{.key = "acr.source_registry", .label = "Source registry",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "docker.io", .validate = plan_validate_source_registry,
	 .help = "Where the runner image comes from (docker.io is Docker Hub). A Docker Hub access token "
	         "in the vault as dockerhub-token (USER:TOKEN) lifts its anonymous pull limit."},
	{.key = "acr.image", .label = "Runner image",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = RUNNER_IMAGE_DEFAULT, .validate = validate_image_ref,
	 .help = "Imported into the registry by ACR itself (no local docker); F4 lists the tags the "
	         "source registry has. The runner gives work only to GPUs its release recognises: "
	         "A100-SXM4-40GB (Standard_ND96asr_v4) from 0.13.2; the guide's 0.9.21 knows none Azure "
	         "still sells."},
};

const struct step_def step_acr = {
	.plan = {.key = "acr", .title = "Container registry (ACR)", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0], .outputs = outputs,
	.noutputs = sizeof outputs / sizeof outputs[0],
};
