/* The aks step's check before anything is created: each pool's size is offered in the region
 * without restriction (resourceSkus), the vCPU quota of each family and the regional total
 * hold the pools (usages), and the region's default Kubernetes version. Quota too small for
 * the GPU pool: the operator chooses the CPU mode or a stop (decisions.low_quota). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/azure/skus.h"
#include "core/sys/text.h"
#include "core/steps/aks_int.h"

#define POOLS_MAX 2
#define FAMILY_MAX 64

struct pool_need {
	const char *size;
	const char *key;         /* the answers key that chose it */
	int count;
	char family[FAMILY_MAX];
	int vcpus, gpus;
};

struct pre_data {
	cJSON *skus;
	cJSON *usages;
	int cpu;                 /* checking the CPU pool */
	struct pool_need pools[POOLS_MAX];
	char path[512];
	char short_msg[900];     /* why the mode asked for does not fit */
	int cpu_rc;              /* when the GPU quota is short: the CPU mode's result, and why */
	char cpu_msg[900];
	struct engine_question q;
};

_Static_assert(sizeof(struct pre_data) <= AKS_PREFLIGHT_DATA_SIZE, "AKS_PREFLIGHT_DATA_SIZE too small");

static const struct plan_choice low_quota_choices[] = {
	{"cpu", "run the runner on CPUs (jobs run without GPUs)", 1},
	{"stop", "stop here; nothing is created", 1},
};

static const char *pre_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void pre_free(struct pre_data *d)
{
	cJSON_Delete(d->skus);
	cJSON_Delete(d->usages);
	d->skus = d->usages = NULL;
}

static void pre_fail(struct act *a, const char *msg)
{
	pre_free(act_data(a));
	act_fail(a, "%s", msg);
}

static int pre_count(struct act *a)
{
	return atoi(act_answer(a, "aks.node_count"));
}

/* The pools of the mode: the system pool and the runner's. */
static void pre_pools(struct act *a)
{
	struct pre_data *d = act_data(a);
	d->pools[0] = (struct pool_need){AKS_SYSTEM_POOL_SIZE, "the system pool", 1, "", 0, 0};
	if (d->cpu)
		d->pools[1] = (struct pool_need){act_answer(a, "aks.cpu_node_vm_size"), "aks.cpu_node_vm_size", pre_count(a),
		                                 "", 0, 0};
	else
		d->pools[1] = (struct pool_need){act_answer(a, "aks.node_vm_size"), "aks.node_vm_size", pre_count(a), "", 0, 0};
}

/* A usage's number from Azure: whole and from 0 to max (core/sys/text.h); else -1. */
static int pre_whole(const cJSON *v, double max, long *out)
{
	return cJSON_IsNumber(v) ? num_whole(v->valuedouble, max, out) : -1;
}

/* A capability of the SKU (vCPUs, GPUs); absent is 0. 0, or -1 with msg when it is no count. */
static int pre_cap(const cJSON *sku, const char *name, int *out, char *msg, size_t msglen)
{
	long n = 0;
	/* The largest VM sizes have a few hundred vCPUs; 65536 leaves room and keeps sums small. */
	if (skus_cap_count(sku, name, 65536, &n) != 0) {
		snprintf(msg, msglen, "VM sizes offered: %s: capability %s is not a count from 0 to 65536",
		         pre_str(sku, "name"), name);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Each pool's size: offered in the region, not restricted. 0, or -1 with msg. */
static int pre_check_offered(struct act *a, char *msg, size_t msglen)
{
	struct pre_data *d = act_data(a);
	for (int i = 0; i < POOLS_MAX; i++) {
		struct pool_need *p = &d->pools[i];
		const cJSON *found = skus_check_offered(d->skus, p->size, p->key, act_answer(a, "location"), msg, msglen);
		if (!found)
			return -1;
		snprintf(p->family, sizeof p->family, "%s", pre_str(found, "family"));
		if (pre_cap(found, "vCPUs", &p->vcpus, msg, msglen) != 0 || pre_cap(found, "GPUs", &p->gpus, msg, msglen) != 0)
			return -1;
	}
	return 0;
}

static const cJSON *pre_usage(const struct pre_data *d, const char *name)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d->usages, "value"))
	{
		if (strcasecmp(pre_str(cJSON_GetObjectItemCaseSensitive(it, "name"), "value"), name) == 0)
			return it;
	}
	return NULL;
}

/* A usage's limit or currentValue: int64 and int32 in the specification
 * (specification/compute/.../ComputeRP/stable/2024-11-01/computeRPCommon.json, Usage);
 * 2^53 is the largest whole number a JSON number holds exactly. 0, or -1 with msg. */
static int pre_num(const cJSON *u, const char *name, const char *key, long *out, char *msg, size_t msglen)
{
	if (pre_whole(cJSON_GetObjectItemCaseSensitive(u, key), 9007199254740992.0, out) == 0)
		return 0;
	snprintf(msg, msglen, "vCPU quota: Azure's usage %s has no %s from 0 to 2^53; stopped before anything was created",
	         name, key);
	return -1;
}

/* Each family's need and the regional total against limit - in use. 0; -1 with msg when short;
 * -2 with msg when Azure's numbers are not understood. */
static int pre_check_quota(struct act *a, char *msg, size_t msglen)
{
	struct pre_data *d = act_data(a);
	const char *names[POOLS_MAX + 1];
	long need[POOLS_MAX + 1];
	int n = 0;
	long total = 0;
	for (int i = 0; i < POOLS_MAX; i++) {
		long v = (long)d->pools[i].vcpus * d->pools[i].count;
		total += v;
		int k = 0;
		while (k < n && strcmp(names[k], d->pools[i].family) != 0)
			k++;
		if (k == n) {
			names[n] = d->pools[i].family;
			need[n++] = 0;
		}
		need[k] += v;
	}
	names[n] = "cores";
	need[n++] = total;
	for (int k = 0; k < n; k++) {
		const cJSON *u = pre_usage(d, names[k]);
		long limit = 0, used = 0;
		if (u && (pre_num(u, names[k], "limit", &limit, msg, msglen) != 0 ||
		          pre_num(u, names[k], "currentValue", &used, msg, msglen) != 0))
			return -2;
		if (used + need[k] <= limit)
			continue;
		const char *what = u ? pre_str(cJSON_GetObjectItemCaseSensitive(u, "name"), "localizedValue") : names[k];
		snprintf(msg, msglen, "quota: %s x %d on %s (+ the system pool) needs %ld vCPUs of %s (%s) in %s; the limit "
		         "is %ld with %ld in use: ask for a quota increase of %s to at least %ld (Azure portal: Quotas > "
		         "Compute, or https://aka.ms/ProdportalCRP)", d->pools[1].key, d->pools[1].count, d->pools[1].size,
		         need[k], names[k], *what ? what : names[k], act_answer(a, "location"), limit, used, names[k],
		         used + need[k]);
		return -1;
	}
	return 0;
}

static void pre_on_versions(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct pre_data *d = act_data(a);
	const char *def = NULL;
	if (r->error) {
		char m[700];
		snprintf(m, sizeof m, "Kubernetes versions in %s: %s", act_answer(a, "location"), r->error);
		pre_fail(a, m);
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "values"))
	{
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "isDefault")))
			def = pre_str(it, "version");
	}
	if (!def || !*def) {
		pre_fail(a, "Kubernetes versions: Azure names no default version for the region");
		return;
	}
	if (act_output_set(a, "aks.mode", d->cpu ? "cpu" : "gpu") != 0 ||
	    act_output_set(a, "aks.kubernetes_version", def) != 0) {
		pre_fail(a, "cannot save the state");
		return;
	}
	const struct pool_need *p = &d->pools[1];
	pre_free(d);
	if (d->cpu)
		act_done(a, "CPU mode: %s x %d, jobs run without GPUs; Kubernetes %s", p->size, p->count, def);
	else
		act_done(a, "%s x %d (%d GPUs each) offered, quota holds it; Kubernetes %s", p->size, p->count, p->gpus, def);
}

static void pre_versions(struct act *a)
{
	struct pre_data *d = act_data(a);
	snprintf(d->path, sizeof d->path, "/subscriptions/%s/providers/Microsoft.ContainerService/locations/%s/"
	         "kubernetesVersions", act_answer(a, "subscription"), act_answer(a, "location"));
	act_progress(a, "the region's Kubernetes versions");
	if (act_call(a, "GET", d->path, API_AKS, NULL, pre_on_versions) != 0)
		pre_fail(a, "out of memory");
}

static void pre_on_low_quota(struct act *a, const char *value)
{
	struct pre_data *d = act_data(a);
	if (strcmp(value, "cpu") != 0) {
		act_fail(a, "%s; stopped before anything was created (%s)", d->short_msg,
		         act_headless(a) ? "decisions.low_quota: stop" : "you chose to stop");
		return;
	}
	act_warn(a, "GPU quota too small: the runner will run on %s with CPU_ONLY=true; jobs run without GPUs",
	         act_answer(a, "aks.cpu_node_vm_size"));
	d->cpu = 1;
	if (d->cpu_rc != 0)
		act_fail(a, "%s", d->cpu_msg);
	else
		pre_versions(a);
}

/* One mode's pools against the lists: 0 they fit; -1 the quota is short (msg); -2 no (msg). */
static int pre_judge(struct act *a, int cpu, char *msg, size_t msglen)
{
	struct pre_data *d = act_data(a);
	d->cpu = cpu;
	pre_pools(a);
	return pre_check_offered(a, msg, msglen) != 0 ? -2 : pre_check_quota(a, msg, msglen);
}

static void pre_on_usages(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct pre_data *d = act_data(a);
	if (r->error) {
		char m[700];
		snprintf(m, sizeof m, "vCPU quota in %s: %s", act_answer(a, "location"), r->error);
		pre_fail(a, m);
		return;
	}
	d->usages = cJSON_Duplicate(r->json, 1);
	if (!d->usages) {
		pre_fail(a, "out of memory");
		return;
	}
	/* The CPU mode is judged too before the lists are freed and the question asked: a headless
	 * run without the answer ends the action there, and only act_data() is freed then. */
	int gpu = !d->cpu, rc = pre_judge(a, d->cpu, d->short_msg, sizeof d->short_msg);
	if (gpu && rc == -1)
		d->cpu_rc = pre_judge(a, 1, d->cpu_msg, sizeof d->cpu_msg);
	d->cpu = !gpu;
	pre_free(d);
	if (gpu && rc == -1) {
		d->q = (struct engine_question){.id = "low-quota", .answer = "decisions.low_quota", .choices = low_quota_choices,
		                                .nchoices = 2};
		/* The whole message as a warning; the question stays short enough for one line. */
		act_warn(a, "%s", d->short_msg);
		snprintf(d->q.text, sizeof d->q.text, "The GPU quota is too small (above). Run the runner on CPUs instead (%s "
		         "x %s, CPU_ONLY=true: jobs run without GPUs), or stop with nothing created?",
		         act_answer(a, "aks.cpu_node_vm_size"), act_answer(a, "aks.node_count"));
		act_ask(a, &d->q, pre_on_low_quota);
	} else if (rc != 0) {
		act_fail(a, "%s", d->short_msg);
	} else {
		pre_versions(a);
	}
}

static void pre_on_skus(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct pre_data *d = act_data(a);
	if (r->error) {
		char m[700];
		snprintf(m, sizeof m, "VM sizes offered in %s: %s", act_answer(a, "location"), r->error);
		pre_fail(a, m);
		return;
	}
	d->skus = cJSON_Duplicate(r->json, 1);
	snprintf(d->path, sizeof d->path, "/subscriptions/%s/providers/Microsoft.Compute/locations/%s/usages",
	         act_answer(a, "subscription"), act_answer(a, "location"));
	act_progress(a, "vCPU quota in %s", act_answer(a, "location"));
	if (!d->skus || act_call(a, "GET", d->path, API_COMPUTE, NULL, pre_on_usages) != 0)
		pre_fail(a, "out of memory");
}

void aks_preflight_start(struct act *a)
{
	struct pre_data *d = act_data(a);
	d->cpu = strcmp(act_answer(a, "aks.runner_mode"), "cpu") == 0;
	act_progress(a, "VM sizes offered in %s", act_answer(a, "location"));
	if (skus_path(d->path, sizeof d->path, act_answer(a, "subscription"), act_answer(a, "location")) != 0 ||
	    act_call(a, "GET", d->path, SKUS_API, NULL, pre_on_skus) != 0)
		pre_fail(a, "out of memory");
}

void aks_preflight_stop(struct act *a)
{
	if (act_data(a))
		pre_free(act_data(a));
}
