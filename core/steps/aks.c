/* Step: aks. Nothing is created before acr.preflight has checked (with aks_preflight.c) the
 * sizes, the quota (too little GPU quota offers the CPU mode) and the Kubernetes version;
 * the preflight lives in the acr step because the acr step's creations wait for it too and
 * the table lists what an action waits for before it. Then the cluster: a small system pool
 * and the runner's pool (GPU: tainted sku=gpu:NoSchedule, NVIDIA driver installed by AKS;
 * CPU: a general-purpose pool where the runner runs with CPU_ONLY=true). The cluster-user
 * kubeconfig is sealed in the vault and never written to disk; the kubelet identity gets
 * AcrPull on the registry (a role assignment named deterministically, so a rerun is idempotent).
 * Then the VMs' security groups admit the cluster's outbound IPs (aks_outbound.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/model/validate.h"
#include "core/steps/aks_int.h"
#include "secrets/secmem.h"

#define API_ROLES "2022-04-01"
#define ACR_PULL_ROLE "7f951dda-4ed3-4680-a7ca-43fe172d538d"
#define ROLE_RETRY_CODE "PrincipalNotFound"
#define ROLE_RETRY_S 300
#define ROLE_RETRY_MS 10000L
#define GPU_TAINT "sku=gpu:NoSchedule"

#define CLUSTER_PATH AKS_CLUSTER_PATH
#define REGISTRY_PATH                                                                                    \
	"/subscriptions/{subscription}/resourceGroups/{acr.resource_group}/providers/"                        \
	"Microsoft.ContainerRegistry/registries/{acr.name}"

static const char *aks_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int aks_cpu(const struct act *a)
{
	const char *m = act_output(a, "aks.mode");
	return m && strcmp(m, "cpu") == 0;
}

/* ---- the cluster ---- */

static cJSON *aks_pool(cJSON *pools, const char *name, const char *mode, const char *size, int count)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToArray(pools, p);
	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "mode", mode);
	cJSON_AddStringToObject(p, "vmSize", size);
	cJSON_AddNumberToObject(p, "count", count);
	cJSON_AddStringToObject(p, "osType", "Linux");
	cJSON_AddStringToObject(p, "type", "VirtualMachineScaleSets");
	return p;
}

static cJSON *cluster_body(struct act *a, char *err, size_t errlen)
{
	const char *version = act_output(a, "aks.kubernetes_version");
	if (!version || !act_output(a, "aks.mode")) {
		snprintf(err, errlen, "the preflight's results are missing (acr.preflight)");
		return NULL;
	}
	cJSON *o = steps_location_body(a, err, errlen);
	if (!o)
		return NULL;
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "identity"), "type", "SystemAssigned");
	cJSON *props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "kubernetesVersion", version);
	cJSON_AddStringToObject(props, "dnsPrefix", act_answer(a, "aks.dns_prefix"));
	cJSON *pools = cJSON_AddArrayToObject(props, "agentPoolProfiles");
	int count = atoi(act_answer(a, "aks.node_count"));
	aks_pool(pools, "system", "System", AKS_SYSTEM_POOL_SIZE, 1);
	if (aks_cpu(a)) {
		aks_pool(pools, "cpu", "User", act_answer(a, "aks.cpu_node_vm_size"), count);
	} else {
		cJSON *p = aks_pool(pools, "gpu", "User", act_answer(a, "aks.node_vm_size"), count);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "nodeTaints"), cJSON_CreateString(GPU_TAINT));
		cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "gpuProfile"), "driver", "Install");
	}
	if (!cJSON_GetObjectItemCaseSensitive(o, "properties")) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}

static int cluster_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(res, "properties");
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(props, "identityProfile"), "kubeletidentity"),
		"objectId");
	if (!cJSON_IsString(kid) || !*kid->valuestring) {
		snprintf(err, errlen, "cluster %s: Azure's answer has no kubelet identity", act_answer(a, "aks.name"));
		return -1;
	}
	char gpus[16] = "0";
	const struct plan_gpu_size *g = plan_gpu_find(act_answer(a, "aks.node_vm_size"));
	if (!aks_cpu(a) && g)
		snprintf(gpus, sizeof gpus, "%d", g->gpus);
	if (act_output_set(a, "aks.kubelet_object_id", kid->valuestring) != 0 ||
	    act_output_set(a, "aks.fqdn", aks_str(props, "fqdn")) != 0 ||
	    act_output_set(a, "aks.nodes", act_answer(a, "aks.node_count")) != 0 ||
	    act_output_set(a, "aks.node_gpus", gpus) != 0) {
		snprintf(err, errlen, "cannot save the state");
		return -1;
	}
	if (aks_cpu(a))
		act_info(a, "runner pool: %s x %s without GPUs; the runner runs with CPU_ONLY=true",
		         act_answer(a, "aks.cpu_node_vm_size"), act_answer(a, "aks.node_count"));
	return 0;
}

static void cluster_describe(const struct answers *a, char *out, size_t outlen)
{
	if (strcmp(answers_get(a, plan_q("aks.runner_mode")), "cpu") == 0)
		answers_expand(a, "create AKS cluster {aks.name} (identity SystemAssigned, the region's default Kubernetes): "
		                  "system pool " AKS_SYSTEM_POOL_SIZE " x1, CPU pool {aks.cpu_node_vm_size} x {aks.node_count}"
		                  " -- the runner runs with CPU_ONLY=true: jobs run WITHOUT GPUs",
		               out, outlen, NULL, 0);
	else
		answers_expand(a, "create AKS cluster {aks.name} (identity SystemAssigned, the region's default Kubernetes): "
		                  "system pool " AKS_SYSTEM_POOL_SIZE " x1, GPU pool {aks.node_vm_size} x {aks.node_count} "
		                  "(taint " GPU_TAINT ", NVIDIA driver installed by AKS; the runner images up to 0.14.x are "
		                  "CUDA 10.1 with TensorFlow 1.x, and an A100 needs CUDA 11 or later: only jobs whose framework "
		                  "brings its own CUDA runtime use the GPU); if the GPU quota is short and you "
		                  "choose CPUs: CPU pool {aks.cpu_node_vm_size}, jobs without GPUs",
		               out, outlen, NULL, 0);
}

/* ---- the kubeconfig: sealed, never on disk ---- */

static void kube_on_creds(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	char err[512];
	if (r->error) {
		act_fail(a, "cluster credentials: %s", r->error);
		return;
	}
	const cJSON *it, *val = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "kubeconfigs"))
	{
		if (!val || strcmp(aks_str(it, "name"), "clusterUser") == 0)
			val = cJSON_GetObjectItemCaseSensitive(it, "value");
	}
	if (!cJSON_IsString(val)) {
		act_fail(a, "cluster credentials: Azure's answer holds no kubeconfig");
		return;
	}
	size_t n = strlen(val->valuestring), len = 0;
	unsigned char *kc = secmem_alloc(n + 1);
	int bad = !kc || sodium_base642bin(kc, n + 1, val->valuestring, n, "\r\n", &len, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL) != 0;
	/* The answer's copies are wiped before the arm layer frees them. */
	secmem_wipe(val->valuestring, n);
	secmem_wipe((char *)r->body, strlen(r->body));
	if (bad) {
		secmem_free(kc);
		act_fail(a, "cluster credentials: the kubeconfig is not base64");
		return;
	}
	int rc = act_secret_put(a, "aks-kubeconfig", VAULT_KIND_KUBECONFIG, kc, len, err, sizeof err);
	secmem_free(kc);
	if (rc != 0)
		act_fail(a, "sealing the kubeconfig: %s", err);
	else
		act_done(a, "sealed as aks-kubeconfig (%zu bytes)", len);
}

static void kube_start(struct act *a)
{
	char path[600];
	if (answers_expand(act_answers(a), CLUSTER_PATH "/listClusterUserCredential", path, sizeof path, NULL, 0) != 0 ||
	    act_call(a, "POST", path, API_AKS, NULL, kube_on_creds) != 0)
		act_fail(a, "out of memory");
}

/* ---- AcrPull for the kubelet identity ---- */

struct pull_data {
	char path[900];
	char body[600];
	long long deadline_ms;
};

/* A GUID named by install id, scope, principal and role: the same grant gets the same name. */
static void pull_guid(const char *install, const char *scope, const char *principal, char out[37])
{
	unsigned char h[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	const char *parts[] = {install, "|", scope, "|", principal, "|", ACR_PULL_ROLE};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		for (const char *p = parts[i]; *p; p++) {
			unsigned char c = (unsigned char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			crypto_generichash_update(&st, &c, 1);
		}
	crypto_generichash_final(&st, h, sizeof h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);   /* name-based */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3],
	         h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

static void pull_put(struct act *a);

static void pull_on_put(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct pull_data *d = act_data(a);
	if (r->error && r->code && strcasecmp(r->code, "RoleAssignmentExists") == 0) {
		act_done(a, "granted earlier");
		return;
	}
	if (r->error && r->code && strcasecmp(r->code, ROLE_RETRY_CODE) == 0 && loop_now_ms() < d->deadline_ms) {
		act_progress(a, "Azure does not know the kubelet identity yet (%s); trying again in %ld s", r->code,
		             ROLE_RETRY_MS / 1000);
		if (act_after(a, ROLE_RETRY_MS, pull_put) != 0)
			act_fail(a, "out of memory");
		return;
	}
	if (r->error) {
		act_fail(a, "granting AcrPull on %s: %s", act_answer(a, "acr.name"), r->error);
		return;
	}
	act_done(a, "AcrPull for the kubelet identity");
}

static void pull_put(struct act *a)
{
	struct pull_data *d = act_data(a);
	if (act_call(a, "PUT", d->path, API_ROLES, d->body, pull_on_put) != 0)
		act_fail(a, "out of memory");
}

static void pull_start(struct act *a)
{
	struct pull_data *d = act_data(a);
	const char *principal = act_output(a, "aks.kubelet_object_id");
	char scope[512], guid[37];
	if (!principal) {
		act_fail(a, "the cluster's kubelet identity is not known (aks.cluster)");
		return;
	}
	answers_expand(act_answers(a), REGISTRY_PATH, scope, sizeof scope, NULL, 0);
	pull_guid(act_install_id(a), scope, principal, guid);
	snprintf(d->path, sizeof d->path, "%s/providers/Microsoft.Authorization/roleAssignments/%s", scope, guid);
	/* principal comes from Azure's answer: cJSON writes it as a JSON string, whatever it holds. */
	char role[256];
	snprintf(role, sizeof role, "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/" ACR_PULL_ROLE,
	         act_answer(a, "subscription"));
	cJSON *body = cJSON_CreateObject(), *props = cJSON_AddObjectToObject(body, "properties");
	int ok = cJSON_AddStringToObject(props, "roleDefinitionId", role) &&
	         cJSON_AddStringToObject(props, "principalId", principal) &&
	         cJSON_AddStringToObject(props, "principalType", "ServicePrincipal") &&
	         cJSON_PrintPreallocated(body, d->body, sizeof d->body, 0);
	cJSON_Delete(body);
	if (!ok) {
		act_fail(a, "the role assignment for kubelet identity %.64s does not fit its request", principal);
		return;
	}
	d->deadline_ms = loop_now_ms() + ROLE_RETRY_S * 1000L;
	pull_put(a);
}

static const struct action_def actions[] = {
	{.key = "aks.group", .text = "create resource group {aks.resource_group} in {location}",
	 .after = {"subscription", "acr.preflight"}, .kind = ACTION_RESOURCE, .expect_s = 2,
	 .type = "Microsoft.Resources/resourceGroups",
	 .path = "/subscriptions/{subscription}/resourceGroups/{aks.resource_group}", .api = API_GROUPS,
	 .body = steps_location_body, .use_existing = 1},
	{.key = "aks.cluster", .text = "create AKS cluster {aks.name} in {aks.resource_group}",
	 .after = {"aks.group", "acr.preflight"}, .kind = ACTION_RESOURCE, .expect_s = 420,
	 .type = "Microsoft.ContainerService/managedClusters", .path = CLUSTER_PATH, .api = API_AKS,
	 .body = cluster_body, .fix = "aks.name", .created = cluster_created, .describe = cluster_describe},
	{.key = "aks.kubeconfig", .text = "seal the cluster-user kubeconfig of {aks.name} in the vault (aks-kubeconfig)",
	 .after = {"aks.cluster"}, .kind = ACTION_TASK, .expect_s = 2, .start = kube_start},
	{.key = "aks.acr-pull",
	 .text = "grant the cluster's kubelet identity AcrPull on registry {acr.name} (waits until Azure knows it)",
	 .after = {"acr.registry", "aks.cluster"}, .kind = ACTION_TASK, .expect_s = 15, .retry_code = ROLE_RETRY_CODE,
	 .retry_s = ROLE_RETRY_S, .start = pull_start, .data_size = sizeof(struct pull_data)},
	{.key = "aks.outbound", .text = "read the outbound IPs of cluster {aks.name} (where Azure sees the runner pods come from)",
	 .after = {"aks.cluster"}, .kind = ACTION_TASK, .expect_s = 2, .start = aks_outbound_start,
	 .data_size = AKS_OUTBOUND_DATA_SIZE},
	{.key = "aks.rabbitmq-rule",
	 .text = "admit the cluster's outbound IPs to {rabbitmq.vm_name} on {rabbitmq.amqp_port} (AMQP) and the management "
	         "API (security rule " AKS_RUNNER_RULE_NAME " in {rabbitmq.vm_name}-nsg), whatever rabbitmq.allowed_sources says",
	 .after = {"aks.outbound", "rabbitmq.nsg"}, .kind = ACTION_RESOURCE, .expect_s = 3,
	 .type = "Microsoft.Network/networkSecurityGroups/securityRules",
	 .path = "/subscriptions/{subscription}/resourceGroups/{rabbitmq.resource_group}/providers/Microsoft.Network/"
	         "networkSecurityGroups/{rabbitmq.vm_name}-nsg/securityRules/" AKS_RUNNER_RULE_NAME,
	 .api = API_NETWORK, .body = aks_rule_rabbitmq_body, .untagged = 1, .created = aks_rule_created},
	{.key = "aks.minio-rule",
	 .text = "admit the cluster's outbound IPs to {minio.vm_name} on {minio.port} (security rule " AKS_RUNNER_RULE_NAME
	         " in {minio.vm_name}-nsg), whatever minio.allowed_sources says",
	 .after = {"aks.outbound", "minio.nsg"}, .kind = ACTION_RESOURCE, .expect_s = 3,
	 .type = "Microsoft.Network/networkSecurityGroups/securityRules",
	 .path = "/subscriptions/{subscription}/resourceGroups/{minio.resource_group}/providers/Microsoft.Network/"
	         "networkSecurityGroups/{minio.vm_name}-nsg/securityRules/" AKS_RUNNER_RULE_NAME,
	 .api = API_NETWORK, .body = aks_rule_minio_body, .untagged = 1, .created = aks_rule_created},
};

static const struct plan_secret secrets[] = {
	{"aks-kubeconfig", VAULT_KIND_KUBECONFIG, "the cluster-user kubeconfig of the AKS cluster", NULL,
	 "the overlay step reaches the cluster with it: without it the runner cannot be applied or checked"},
};

static const struct step_output outputs[] = {
	{"aks.mode", "runner mode (gpu or cpu)"},
	{"aks.nodes", "runner nodes"},
	{"aks.node_gpus", "GPUs per node"},
	{"aks.kubernetes_version", "Kubernetes version"},
	{"aks.fqdn", "API server"},
	{"aks.outbound_ips", "outbound IPs (admitted to the VMs)"},
};

static const struct plan_choice mode_choices[] = {
	{"gpu", "runner pods on a GPU node pool (the runner must recognise its GPUs)", 1},
	{"cpu", "CPU_ONLY=true on a general-purpose pool: jobs run without GPUs", 1},
};

static const struct plan_choice low_quota_answers[] = {
	{"cpu", "run the runner on CPUs now (aks.cpu_node_vm_size); ask for GPU quota later", 1},
	{"stop", "stop before anything is created; ask for quota first", 1},
};

static const struct plan_question questions[] = {
	{.key = "aks.resource_group", .label = "Resource group",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "leafai-{uniq_id}", .validate = validate_resource_group,
	 .help = "The guide's cluster group. AKS also makes its own MC_* group for the nodes."},
	{.key = "aks.name", .label = "Cluster name",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "leafai-cluster-{uniq_id}", .validate = validate_aks_name,
	 .help = ""},
	{.key = "aks.dns_prefix", .label = "DNS prefix",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "leafai-{uniq_id}", .validate = validate_dns_prefix,
	 .help = "Prefix of the cluster API server's host name."},
	{.key = "aks.runner_mode", .label = "Runner mode",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "gpu",
	 .help = "gpu: a GPU node pool the runner can use. cpu: the runner with CPU_ONLY=true on a "
	         "general-purpose pool (aks.cpu_node_vm_size); jobs then run without GPUs.",
	 PLAN_CHOICES(mode_choices)},
	{.key = "aks.node_vm_size", .label = "GPU node size",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = PLAN_GPU_DEFAULT, .validate = plan_validate_gpu_size,
	 .help = "The runner only uses GPUs its release recognises; on today's Azure that is ND A100 v4 "
	         "(A100-SXM4-40GB, runner 0.13.2 and later). F4 shows what the chosen image can use."
	 /* answers_choices(): plan_gpu_choices() for the runner in acr.image */},
	{.key = "aks.node_count", .label = "Runner nodes",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "1", .validate = validate_node_count,
	 .help = "Nodes of the runner's pool. Runner replicas are set to nodes x GPUs per node, so "
	         "none wait for a GPU."},
	{.key = "aks.cpu_node_vm_size", .label = "CPU node size",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "Standard_D4s_v5", .validate = validate_vm_size,
	 .help = "The runner's pool in cpu mode (or when GPU quota is short and you choose cpu).",
	 PLAN_CHOICES(plan_vm_choices)},
	{.key = "decisions.low_quota", .label = "GPU quota too small",
	 .def_kind = PLAN_DEF_NONE,
	 .help = "cpu: when the GPU family's vCPU quota cannot hold the nodes, run the runner on CPUs "
	         "(aks.cpu_node_vm_size) instead; stop: create nothing and stop.",
	 PLAN_CHOICES(low_quota_answers),
	 .decision = 1},
};

const struct step_def step_aks = {
	.plan = {.key = "aks", .title = "AKS cluster", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0], .secrets = secrets,
	.nsecrets = sizeof secrets / sizeof secrets[0], .outputs = outputs, .noutputs = sizeof outputs / sizeof outputs[0],
};
