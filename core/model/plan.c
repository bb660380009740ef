/* The install as data. Defaults follow the 2020 guide (doc/runner.md, "The guide")
 * except where Azure or the runner moved on: the guide's Standard_NC6 is retired and
 * the runner only schedules on GPUs it recognises (doc/runner.md, "GPUs each runner release recognises"). */
#include "core/model/plan.h"

#include <stdio.h>
#include <string.h>

#include "core/model/runner.h"
#include "core/model/validate.h"

struct step_row {
	const char *key;
	const char *title;
};

#define PLAN_ROW_(id, key, title) {key, title},
static const struct step_row steps[STEP_COUNT] = {PLAN_STEPS(PLAN_ROW_)};
#undef PLAN_ROW_

const char *plan_step_key(step_id s)
{
	return (unsigned)s < STEP_COUNT ? steps[s].key : "?";
}

const char *plan_step_title(step_id s)
{
	return (unsigned)s < STEP_COUNT ? steps[s].title : "?";
}

int plan_step_parse(const char *key)
{
	for (int i = 0; i < STEP_COUNT; i++)
		if (strcmp(steps[i].key, key) == 0)
			return i;
	return -1;
}

/* ---- choice lists ---------------------------------------------------------------- */

static const struct plan_choice auth_choices[] = {
	{"device-code", "open a URL on any device and enter a code; works over SSH", 1},
	{"azure-cli", "reuse the sign-in of `az login` on this machine", 1},
	{"service-principal", "an app registration's id and secret (secret kept in the vault)", 1},
};

static const struct plan_choice acr_sku_choices[] = {
	{"Basic", "enough for one runner image", 1},
	{"Standard", "more storage and throughput", 1},
	{"Premium", "geo-replication, private link", 1},
};

static const struct plan_choice yes_no_choices[] = {
	{"yes", "", 1},
	{"no", "", 1},
};

static const struct plan_choice mode_choices[] = {
	{"gpu", "runner pods on a GPU node pool (the runner must recognise its GPUs)", 1},
	{"cpu", "CPU_ONLY=true on a general-purpose pool: jobs run without GPUs", 1},
};

static const struct plan_choice low_quota_choices[] = {
	{"cpu", "run the runner on CPUs now (aks.cpu_node_vm_size); ask for GPU quota later", 1},
	{"stop", "stop before anything is created; ask for quota first", 1},
};

static const struct plan_choice bool_choices[] = {
	{"true", "", 1},
	{"false", "", 1},
};

/* Suggestions only: any Standard_* size is accepted for the service VMs. Each boots the Ubuntu
 * image of a Hyper-V generation it supports (core/steps/vm.c asks resourceSkus); the
 * generations here are Microsoft's size pages' (doc/azure-vm-generations.md). */
static const struct plan_choice vm_choices[] = {
	{"Standard_B2s", "2 vCPU, 4 GiB, burstable; Gen 1 and 2 (RabbitMQ's default)", 1},
	{"Standard_B2ms", "2 vCPU, 8 GiB, burstable; Gen 1 and 2", 1},
	{"Standard_D2s_v3", "2 vCPU, 8 GiB; Gen 1 and 2 (the guide's Minio size)", 1},
	{"Standard_D4s_v3", "4 vCPU, 16 GiB; Gen 1 and 2", 1},
	{"Standard_D2s_v5", "2 vCPU, 8 GiB; Gen 1 and 2", 1},
	{"Standard_D4s_v5", "4 vCPU, 16 GiB; Gen 1 and 2", 1},
	{"Standard_DS12_v2", "4 vCPU, 28 GiB; Gen 1 and 2", 1},
	{"Standard_A2_v2", "2 vCPU, 4 GiB; Gen 1 only: Ubuntu's Gen 1 image (the guide's RabbitMQ size)", 1},
	{"Standard_A4_v2", "4 vCPU, 8 GiB; Gen 1 only: Ubuntu's Gen 1 image", 1},
};

/* Sizes with a GPU, current and retired; which ones a runner release can use is
 * core/model/runner.c's business. Of the sizes Azure still sells, only ND A100 v4 has a GPU a
 * released runner knows (A100-SXM4-40GB, from 0.13.2). */
static const struct plan_gpu_size gpu_sizes[] = {
	{"Standard_ND96asr_v4", "A100-SXM4-40GB", 8, 96, 0},
	{"Standard_NC6s_v3", "Tesla V100-PCIE-16GB", 1, 6, 1},
	{"Standard_NC12s_v3", "Tesla V100-PCIE-16GB", 2, 12, 1},
	{"Standard_NC24s_v3", "Tesla V100-PCIE-16GB", 4, 24, 1},
	{"Standard_NC6", "Tesla K80", 1, 6, 1},
	{"Standard_NC4as_T4_v3", "Tesla T4", 1, 4, 0},
	{"Standard_NC8as_T4_v3", "Tesla T4", 1, 8, 0},
	{"Standard_NC16as_T4_v3", "Tesla T4", 1, 16, 0},
	{"Standard_NC64as_T4_v3", "Tesla T4", 4, 64, 0},
	{"Standard_NV36ads_A10_v5", "A10", 1, 36, 0},
	{"Standard_NC24ads_A100_v4", "A100 80GB PCIe", 1, 24, 0},
	{"Standard_NC48ads_A100_v4", "A100 80GB PCIe", 2, 48, 0},
	{"Standard_NC96ads_A100_v4", "A100 80GB PCIe", 4, 96, 0},
	{"Standard_ND96amsr_A100_v4", "A100-SXM4-80GB", 8, 96, 0},
	{"Standard_NC40ads_H100_v5", "H100 NVL", 1, 40, 0},
	{"Standard_NC80adis_H100_v5", "H100 NVL", 2, 80, 0},
	{"Standard_ND96isr_H100_v5", "H100 80GB HBM3", 8, 96, 0},
};
#define GPU_COUNT (sizeof gpu_sizes / sizeof *gpu_sizes)


/* Built from the tables above so the detail text cannot drift from them: gpu_choices for
 * the default image (the question's list), gpu_for for plan_gpu_choices(). */
#define GPU_DETAIL_MAX 200
static struct plan_choice gpu_choices[GPU_COUNT], gpu_for[GPU_COUNT];
static char gpu_details[GPU_COUNT][GPU_DETAIL_MAX], gpu_for_details[GPU_COUNT][GPU_DETAIL_MAX];

static void plan_label_gpus(const char *image, struct plan_choice *out, char (*detail)[GPU_DETAIL_MAX])
{
	for (size_t i = 0; i < GPU_COUNT; i++) {
		const struct plan_gpu_size *g = &gpu_sizes[i];
		char why[160];
		int ok = !g->retired && runner_can_use(image, g->gpu_model, why, sizeof why);
		snprintf(detail[i], GPU_DETAIL_MAX, "%d x %s, %d vCPU; %s", g->gpus, g->gpu_model, g->vcpus,
		         g->retired ? "retired by Azure" : ok ? "runner can use it" : why);
		if (ok) {
			struct runner_version v;
			char tag[64];
			if (runner_version_of(image, &v, tag, sizeof tag) == 0)
				snprintf(detail[i], GPU_DETAIL_MAX, "%d x %s, %d vCPU; runner %s can use it", g->gpus,
				         g->gpu_model, g->vcpus, tag);
		}
		out[i] = (struct plan_choice){g->size, detail[i], ok};
	}
}

const struct plan_choice *plan_gpu_choices(const char *image, size_t *n)
{
	plan_label_gpus(image && *image ? image : RUNNER_IMAGE_DEFAULT, gpu_for, gpu_for_details);
	*n = GPU_COUNT;
	return gpu_for;
}

int plan_gpu_usable(const char *size, const char *image, char *why, size_t whylen)
{
	const struct plan_gpu_size *g = plan_gpu_find(size);
	char r[200];
	if (!g)
		snprintf(why, whylen, "%s is not a GPU size the wizard knows", size);
	else if (g->retired)
		snprintf(why, whylen, "%s (%s) is retired by Azure", size, g->gpu_model);
	else if (!runner_can_use(image, g->gpu_model, r, sizeof r))
		snprintf(why, whylen, "%s: %s", size, r);
	else
		return 1;
	return 0;
}

static void plan_init_choices(void)
{
	static int done;
	if (done)
		return;
	plan_label_gpus(RUNNER_IMAGE_DEFAULT, gpu_choices, gpu_details);
	done = 1;
}

const struct plan_gpu_size *plan_gpu_sizes(size_t *n)
{
	*n = GPU_COUNT;
	return gpu_sizes;
}

const struct plan_gpu_size *plan_gpu_find(const char *size)
{
	for (size_t i = 0; i < GPU_COUNT; i++)
		if (strcmp(gpu_sizes[i].size, size) == 0)
			return &gpu_sizes[i];
	return NULL;
}

static int plan_in_choices(const struct plan_choice *c, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].selectable && strcmp(c[i].value, value) == 0)
			return 1;
	return 0;
}


int plan_validate_auth_method(const char *value, char *why, size_t whylen)
{
	if (plan_in_choices(auth_choices, 3, value))
		return 0;
	snprintf(why, whylen, "must be device-code, azure-cli or service-principal");
	return -1;
}

int plan_validate_acr_sku(const char *value, char *why, size_t whylen)
{
	if (plan_in_choices(acr_sku_choices, 3, value))
		return 0;
	snprintf(why, whylen, "must be Basic, Standard or Premium");
	return -1;
}

static int plan_validate_yes_no(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)
		return 0;
	snprintf(why, whylen, "must be yes or no");
	return -1;
}


/* A size Azure still sells. Whether the chosen runner can use it joins acr.image and is
 * checked with the answers (answers_check, answers_complete): a GPU pool that idles at full
 * price while the runner refuses to start is the costliest mistake this wizard could make. */
int plan_validate_gpu_size(const char *value, char *why, size_t whylen)
{
	const struct plan_gpu_size *g = plan_gpu_find(value);
	if (!g)
		snprintf(why, whylen, "must be one of the GPU sizes the wizard knows, such as %s",
		         PLAN_GPU_DEFAULT);
	else if (g->retired)
		snprintf(why, whylen, "%s (%s) is retired by Azure; use %s", value, g->gpu_model,
		         PLAN_GPU_DEFAULT);
	else
		return 0;
	return -1;
}

static int plan_validate_mode(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "gpu") == 0 || strcmp(value, "cpu") == 0)
		return 0;
	snprintf(why, whylen, "must be gpu or cpu");
	return -1;
}

/* STATE of the ConfigMap the runner watches: the K8sState names it parses (go-service
 * pkg/types/appstate.go at runner 0.14.2). DrainAndTerminate is left out: the Deployment
 * restarts the runner, which reads it again and exits again. */
static const struct plan_choice runner_state_choices[] = {
	{"Running", "take work from the queues", 1},
	{"DrainAndSuspend", "finish the running jobs, then take no new work until Running", 1},
};

static int plan_validate_runner_state(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "Running") == 0 || strcmp(value, "DrainAndSuspend") == 0)
		return 0;
	snprintf(why, whylen, "must be Running or DrainAndSuspend");
	return -1;
}

static int plan_validate_low_quota(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "cpu") == 0 || strcmp(value, "stop") == 0)
		return 0;
	snprintf(why, whylen, "must be cpu or stop");
	return -1;
}

/* docker.io, a registry host[:port], or (tests, private mirrors) an https:// URL; http:// only
 * to loopback. */
int plan_validate_source_registry(const char *value, char *why, size_t whylen)
{
	const char *h = value;
	int url = 0;
	if (strncmp(h, "https://", 8) == 0)
		h += 8, url = 1;
	else if (strncmp(h, "http://", 7) == 0) {
		h += 7, url = 1;
		if (strncmp(h, "127.", 4) != 0 && strncmp(h, "localhost", 9) != 0) {
			snprintf(why, whylen, "plain http:// is only for loopback addresses (tests); use https://");
			return -1;
		}
	}
	size_t n = strcspn(h, "/");
	int ok = n > 0 && n < 254 && (h[n] == '\0' || (url && strcmp(h + n, "/") == 0));
	for (size_t i = 0; ok && i < n; i++)
		ok = (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-' ||
		     h[i] == ':';
	if (ok)
		return 0;
	snprintf(why, whylen, "must be a registry host such as docker.io or quay.io (lower case, optional :port)");
	return -1;
}

/* ---- questions ------------------------------------------------------------------- */

#define CH(a) a, sizeof a / sizeof *a

static const struct plan_question questions[PLAN_Q_COUNT] = {
	[Q_CLOUD] = {Q_CLOUD, "cloud", STEP_SUBSCRIPTION, "Azure cloud",
		PLAN_DEF_CLOUD, NULL, plan_validate_cloud,
		"Which Azure to sign in to; almost everyone wants AzureCloud (public Azure). With "
		"--cloud FILE, the file's cloud.",
		NULL, 0, 1},   /* plan_cloud_choices(): the three built in and the --cloud file's */
	[Q_AUTH_METHOD] = {Q_AUTH_METHOD, "auth.method", STEP_SUBSCRIPTION, "Sign-in method",
		PLAN_DEF_TEMPLATE, "device-code", plan_validate_auth_method,
		"device-code works from any terminal, also over SSH. A service principal's secret "
		"is asked for (masked) at F5 or when the install starts, and sealed in the vault at once.",
		CH(auth_choices), 1},
	[Q_AUTH_TENANT] = {Q_AUTH_TENANT, "auth.tenant", STEP_SUBSCRIPTION, "Tenant",
		PLAN_DEF_TEMPLATE, "organizations", validate_tenant,
		"organizations: choose after signing in. A tenant GUID or domain goes straight "
		"there (a service principal needs one).", NULL, 0, 0},
	[Q_AUTH_CLIENT_ID] = {Q_AUTH_CLIENT_ID, "auth.client_id", STEP_SUBSCRIPTION,
		"Client (application) id", PLAN_DEF_TEMPLATE, "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		validate_guid,
		"The default is the Azure CLI's public client id; a service principal uses its "
		"own application id.", NULL, 0, 0},
	[Q_SUBSCRIPTION] = {Q_SUBSCRIPTION, "subscription", STEP_SUBSCRIPTION, "Subscription id",
		PLAN_DEF_REQUIRED, NULL, validate_guid,
		"The subscription that pays for everything (`az account list -o table`).",
		NULL, 0, 0},
	[Q_LOCATION] = {Q_LOCATION, "location", STEP_SUBSCRIPTION, "Region",
		PLAN_DEF_REGION, NULL, plan_validate_location,
		"One region for every resource, of the cloud above (F4 lists them; a cloud the wizard "
		"does not know takes the name as typed). The aks step checks that the GPU size is offered "
		"there and that your quota covers it before creating anything.",
		NULL, 0, 1},   /* plan_cloud_regions(): the cloud's own */
	[Q_UNIQ_ID] = {Q_UNIQ_ID, "uniq_id", STEP_SUBSCRIPTION, "Unique id",
		PLAN_DEF_UNIQID, NULL, validate_uniq_id,
		"Part of every resource name so installs do not collide. Derived as in the 2020 "
		"guide (md5 of the subscription id and this host's multicast addresses), so the "
		"same host gives the same names.", NULL, 0, 0},

	[Q_RMQ_RESOURCE_GROUP] = {Q_RMQ_RESOURCE_GROUP, "rabbitmq.resource_group", STEP_RABBITMQ,
		"Resource group", PLAN_DEF_TEMPLATE, "studioml-{uniq_id}", validate_resource_group,
		"Shared by default with Minio and the registry, so one deletion removes them.",
		NULL, 0, 0},
	[Q_RMQ_VM_NAME] = {Q_RMQ_VM_NAME, "rabbitmq.vm_name", STEP_RABBITMQ, "VM name",
		PLAN_DEF_TEMPLATE, "rabbitmq", validate_vm_name,
		"Also the VM's host name; its IP, NSG and NIC are named after it.", NULL, 0, 0},
	[Q_RMQ_VM_SIZE] = {Q_RMQ_VM_SIZE, "rabbitmq.vm_size", STEP_RABBITMQ, "VM size",
		PLAN_DEF_TEMPLATE, "Standard_B2s", validate_vm_size,
		"The queue server is light. The guide's A2_v2 boots only Hyper-V generation 1 images; the "
		"wizard then takes Ubuntu's generation 1 image.", CH(vm_choices), 0},
	[Q_RMQ_ADMIN_USER] = {Q_RMQ_ADMIN_USER, "rabbitmq.admin_user", STEP_RABBITMQ,
		"SSH admin user", PLAN_DEF_TEMPLATE, "azureuser", validate_admin_user,
		"The Linux account you SSH in as (Azure refuses names such as admin or root).",
		NULL, 0, 0},
	[Q_RMQ_SSH_KEY] = {Q_RMQ_SSH_KEY, "rabbitmq.ssh_public_key_file", STEP_RABBITMQ,
		"Your SSH public key file (optional)", PLAN_DEF_SSH_KEY, NULL, validate_ssh_public_key_file,
		"Optional: your own key, let in beside the wizard's admin key (kept sealed in the vault "
		"as admin-ssh-key). ssh-ed25519, or ssh-rsa of 2048 bits or more. Empty: only the "
		"wizard's key.", NULL, 0, 0, 0, 1},
	[Q_RMQ_AMQP_USER] = {Q_RMQ_AMQP_USER, "rabbitmq.amqp_user", STEP_RABBITMQ,
		"RabbitMQ user", PLAN_DEF_TEMPLATE, "studioml", validate_amqp_user,
		"Runners and experimenters connect as this user; its password is generated "
		"(letters and digits, as the runner needs) and kept in the vault.", NULL, 0, 0},
	[Q_RMQ_AMQP_PORT] = {Q_RMQ_AMQP_PORT, "rabbitmq.amqp_port", STEP_RABBITMQ, "AMQP port",
		PLAN_DEF_TEMPLATE, "5672", validate_amqp_port,
		"The runner also calls the management API on this port + 10000 (15672).",
		NULL, 0, 0},
	[Q_RMQ_ALLOWED_SOURCES] = {Q_RMQ_ALLOWED_SOURCES, "rabbitmq.allowed_sources", STEP_RABBITMQ,
		"Allowed sources", PLAN_DEF_TEMPLATE, "*", validate_sources,
		"Who may reach SSH, AMQP and the management port: * (any address), or IPv4 "
		"addresses/CIDR ranges separated by commas (your office, the AKS egress IP).",
		NULL, 0, 0},

	[Q_MINIO_RESOURCE_GROUP] = {Q_MINIO_RESOURCE_GROUP, "minio.resource_group", STEP_MINIO,
		"Resource group", PLAN_DEF_TEMPLATE, "studioml-{uniq_id}", validate_resource_group,
		"Shared by default with RabbitMQ and the registry.", NULL, 0, 0},
	[Q_MINIO_VM_NAME] = {Q_MINIO_VM_NAME, "minio.vm_name", STEP_MINIO, "VM name",
		PLAN_DEF_TEMPLATE, "minio", validate_vm_name,
		"Also the VM's host name; its IP, NSG, NIC and data disk are named after it.",
		NULL, 0, 0},
	[Q_MINIO_VM_SIZE] = {Q_MINIO_VM_SIZE, "minio.vm_size", STEP_MINIO, "VM size",
		PLAN_DEF_TEMPLATE, "Standard_D2s_v3", validate_vm_size,
		"D2s_v3 takes premium disks; grow it when many runners pull data at once.",
		CH(vm_choices), 0},
	[Q_MINIO_ADMIN_USER] = {Q_MINIO_ADMIN_USER, "minio.admin_user", STEP_MINIO,
		"SSH admin user", PLAN_DEF_TEMPLATE, "{rabbitmq.admin_user}", validate_admin_user,
		"The Linux account you SSH in as.", NULL, 0, 0},
	[Q_MINIO_SSH_KEY] = {Q_MINIO_SSH_KEY, "minio.ssh_public_key_file", STEP_MINIO,
		"SSH public key file", PLAN_DEF_TEMPLATE, "{rabbitmq.ssh_public_key_file}",
		validate_ssh_public_key_file, "Optional; the same key as RabbitMQ unless you say otherwise.",
		NULL, 0, 0, 0, 1},
	[Q_MINIO_DATA_DISK_GB] = {Q_MINIO_DATA_DISK_GB, "minio.data_disk_gb", STEP_MINIO,
		"Data disk (GiB)", PLAN_DEF_TEMPLATE, "1024", validate_data_disk_gb,
		"An empty managed disk, partitioned, formatted ext4 and mounted at /data. "
		"1024 is Azure's \"1 TB\".", NULL, 0, 0},
	[Q_MINIO_BUCKET] = {Q_MINIO_BUCKET, "minio.bucket", STEP_MINIO, "Bucket",
		PLAN_DEF_TEMPLATE, "studioml-artifacts", validate_bucket,
		"Bucket for experiment artifacts, created on the Minio server.", NULL, 0, 0},
	[Q_MINIO_PORT] = {Q_MINIO_PORT, "minio.port", STEP_MINIO, "S3 port",
		PLAN_DEF_TEMPLATE, "9000", validate_port,
		"Experimenters and runner pods both reach Minio here.", NULL, 0, 0},
	[Q_MINIO_ALLOWED_SOURCES] = {Q_MINIO_ALLOWED_SOURCES, "minio.allowed_sources", STEP_MINIO,
		"Allowed sources", PLAN_DEF_TEMPLATE, "*", validate_sources,
		"Who may reach SSH and the S3 port: * (any address), or IPv4 addresses/CIDR ranges "
		"separated by commas.", NULL, 0, 0},
	[Q_MINIO_BINARY_URL] = {Q_MINIO_BINARY_URL, "minio.binary_url", STEP_MINIO, "MinIO binary URL",
		PLAN_DEF_TEMPLATE, PLAN_MINIO_URL, validate_url,
		"The VM downloads the server from here (the last community release with binaries, "
		PLAN_MINIO_RELEASE ") and installs it only when its sha256 matches.", NULL, 0, 0},
	[Q_MINIO_BINARY_SHA256] = {Q_MINIO_BINARY_SHA256, "minio.binary_sha256", STEP_MINIO,
		"MinIO binary sha256", PLAN_DEF_TEMPLATE, PLAN_MINIO_SHA256, validate_sha256,
		"The published sha256 of the binary; a download or upload that differs is refused.",
		NULL, 0, 0},
	[Q_MINIO_BINARY_FILE] = {Q_MINIO_BINARY_FILE, "minio.binary_file", STEP_MINIO,
		"MinIO binary on this machine (optional)", PLAN_DEF_TEMPLATE, "", validate_binary_file,
		"Used only when the VM cannot download the binary and you agree to upload it: a "
		"local copy, checked against the same sha256.", NULL, 0, 0, 0, 1},

	[Q_ACR_RESOURCE_GROUP] = {Q_ACR_RESOURCE_GROUP, "acr.resource_group", STEP_ACR,
		"Resource group", PLAN_DEF_TEMPLATE, "studioml-{uniq_id}", validate_resource_group,
		"The guide's registry group.", NULL, 0, 0},
	[Q_ACR_NAME] = {Q_ACR_NAME, "acr.name", STEP_ACR, "Registry name",
		PLAN_DEF_TEMPLATE, "leafai{uniq_id}", validate_registry_name,
		"Global across Azure: the step checks availability before creating it.",
		NULL, 0, 0},
	[Q_ACR_SKU] = {Q_ACR_SKU, "acr.sku", STEP_ACR, "Registry SKU",
		PLAN_DEF_TEMPLATE, "Basic", plan_validate_acr_sku,
		"Basic holds one runner image comfortably.", CH(acr_sku_choices), 1},
	[Q_ACR_SOURCE_REGISTRY] = {Q_ACR_SOURCE_REGISTRY, "acr.source_registry", STEP_ACR,
		"Source registry", PLAN_DEF_TEMPLATE, "docker.io", plan_validate_source_registry,
		"Where the runner image comes from (docker.io is Docker Hub). A Docker Hub access token "
		"in the vault as dockerhub-token (USER:TOKEN) lifts its anonymous pull limit.", NULL, 0, 0},
	[Q_ACR_IMAGE] = {Q_ACR_IMAGE, "acr.image", STEP_ACR, "Runner image",
		PLAN_DEF_TEMPLATE, RUNNER_IMAGE_DEFAULT, validate_image_ref,
		"Imported into the registry by ACR itself (no local docker); F4 lists the tags the "
		"source registry has. The runner gives work only to GPUs its release recognises: "
		"A100-SXM4-40GB (Standard_ND96asr_v4) from 0.13.2; the guide's 0.9.21 knows none Azure "
		"still sells.", NULL, 0, 0},

	[Q_AKS_RESOURCE_GROUP] = {Q_AKS_RESOURCE_GROUP, "aks.resource_group", STEP_AKS,
		"Resource group", PLAN_DEF_TEMPLATE, "leafai-{uniq_id}", validate_resource_group,
		"The guide's cluster group. AKS also makes its own MC_* group for the nodes.",
		NULL, 0, 0},
	[Q_AKS_RUNNER_MODE] = {Q_AKS_RUNNER_MODE, "aks.runner_mode", STEP_AKS, "Runner mode",
		PLAN_DEF_TEMPLATE, "gpu", plan_validate_mode,
		"gpu: a GPU node pool the runner can use. cpu: the runner with CPU_ONLY=true on a "
		"general-purpose pool (aks.cpu_node_vm_size); jobs then run without GPUs.",
		CH(mode_choices), 1},
	[Q_AKS_NAME] = {Q_AKS_NAME, "aks.name", STEP_AKS, "Cluster name",
		PLAN_DEF_TEMPLATE, "leafai-cluster-{uniq_id}", validate_aks_name, "", NULL, 0, 0},
	[Q_AKS_DNS_PREFIX] = {Q_AKS_DNS_PREFIX, "aks.dns_prefix", STEP_AKS, "DNS prefix",
		PLAN_DEF_TEMPLATE, "leafai-{uniq_id}", validate_dns_prefix,
		"Prefix of the cluster API server's host name.", NULL, 0, 0},
	[Q_AKS_NODE_VM_SIZE] = {Q_AKS_NODE_VM_SIZE, "aks.node_vm_size", STEP_AKS, "GPU node size",
		PLAN_DEF_TEMPLATE, PLAN_GPU_DEFAULT, plan_validate_gpu_size,
		"The runner only uses GPUs its release recognises; on today's Azure that is ND A100 v4 "
		"(A100-SXM4-40GB, runner 0.13.2 and later). F4 shows what the chosen image can use.",
		gpu_choices, GPU_COUNT, 1},
	[Q_AKS_NODE_COUNT] = {Q_AKS_NODE_COUNT, "aks.node_count", STEP_AKS, "Runner nodes",
		PLAN_DEF_TEMPLATE, "1", validate_node_count,
		"Nodes of the runner's pool. Runner replicas are set to nodes x GPUs per node, so "
		"none wait for a GPU.", NULL, 0, 0},
	[Q_AKS_CPU_NODE_VM_SIZE] = {Q_AKS_CPU_NODE_VM_SIZE, "aks.cpu_node_vm_size", STEP_AKS,
		"CPU node size", PLAN_DEF_TEMPLATE, "Standard_D4s_v5", validate_vm_size,
		"The runner's pool in cpu mode (or when GPU quota is short and you choose cpu).",
		CH(vm_choices), 0},

	[Q_OVERLAY_DIR] = {Q_OVERLAY_DIR, "overlay.dir", STEP_OVERLAY, "Overlay directory",
		PLAN_DEF_TEMPLATE, "~/studioml-overlay-{uniq_id}", validate_dir,
		"Where kustomization.yaml and its patches are written (no secrets go there).",
		NULL, 0, 0},
	[Q_OVERLAY_NAMESPACE] = {Q_OVERLAY_NAMESPACE, "overlay.namespace", STEP_OVERLAY,
		"Namespace", PLAN_DEF_TEMPLATE, "studioml", validate_k8s_namespace,
		"The runner's namespace; K8S_NAMESPACE and the RoleBinding follow it.", NULL, 0, 0},
	[Q_OVERLAY_QUEUE_MATCH] = {Q_OVERLAY_QUEUE_MATCH, "overlay.queue_match", STEP_OVERLAY,
		"Queue match", PLAN_DEF_TEMPLATE, "^rmq_.*$", validate_regex_text,
		"Queues the runners serve (QUEUE_MATCH); experimenters use --queue=rmq_<name>.",
		NULL, 0, 0},
	[Q_OVERLAY_CLEAR_TEXT] = {Q_OVERLAY_CLEAR_TEXT, "overlay.clear_text_messages",
		STEP_OVERLAY, "Accept clear-text requests", PLAN_DEF_TEMPLATE, "true", validate_bool,
		"true until experimenters' signing keys are in studioml-signing: otherwise the "
		"runner refuses every request.", CH(bool_choices), 1},
	[Q_OVERLAY_RUNNER_STATE] = {Q_OVERLAY_RUNNER_STATE, "overlay.runner_state", STEP_OVERLAY,
		"Runner state", PLAN_DEF_TEMPLATE, "Running", plan_validate_runner_state,
		"STATE in the ConfigMap studioml-go-runner that the runner watches: Running takes work; "
		"DrainAndSuspend pauses it after the running jobs (set Running to resume).",
		CH(runner_state_choices), 1},

	[Q_DECIDE_REGISTER_PROVIDERS] = {Q_DECIDE_REGISTER_PROVIDERS, "decisions.register_providers",
		STEP_SUBSCRIPTION, "Register resource providers", PLAN_DEF_NONE, NULL, plan_validate_yes_no,
		"yes: register the resource providers the install needs when the subscription has "
		"not yet (a one-time, free change of the subscription).", CH(yes_no_choices), 1, 1},
	[Q_DECIDE_LOW_QUOTA] = {Q_DECIDE_LOW_QUOTA, "decisions.low_quota", STEP_AKS,
		"GPU quota too small", PLAN_DEF_NONE, NULL, plan_validate_low_quota,
		"cpu: when the GPU family's vCPU quota cannot hold the nodes, run the runner on CPUs "
		"(aks.cpu_node_vm_size) instead; stop: create nothing and stop.", CH(low_quota_choices), 1, 1},
	[Q_DECIDE_MINIO_UPLOAD] = {Q_DECIDE_MINIO_UPLOAD, "decisions.minio_upload", STEP_MINIO,
		"Upload the MinIO binary", PLAN_DEF_NONE, NULL, plan_validate_yes_no,
		"yes: when the VM cannot download the MinIO binary, upload minio.binary_file from this "
		"machine over SFTP (checked against minio.binary_sha256).", CH(yes_no_choices), 1, 1},
};

#define PLAN_Q_KEY_(id, key) key,
static const char *const question_keys[PLAN_Q_COUNT] = {PLAN_QUESTIONS(PLAN_Q_KEY_)};
#undef PLAN_Q_KEY_

const struct plan_question *plan_question(plan_qid q)
{
	plan_init_choices();
	return (unsigned)q < PLAN_Q_COUNT ? &questions[q] : NULL;
}

int plan_question_find(const char *key)
{
	for (int i = 0; i < PLAN_Q_COUNT; i++)
		if (strcmp(question_keys[i], key) == 0)
			return i;
	return -1;
}

int plan_question_check(plan_qid q, const char *value, char *why, size_t whylen)
{
	const struct plan_question *pq = plan_question(q);
	char rule[512];
	if (!pq)
		return -1;
	if ((!value || !*value) && pq->optional)
		return 0;
	if (!value || !*value) {
		snprintf(why, whylen, "%s: must not be empty", pq->key);
		return -1;
	}
	if (pq->validate(value, rule, sizeof rule) == 0)
		return 0;
	snprintf(why, whylen, "%s: %s", pq->key, rule);
	return -1;
}

size_t plan_step_questions(step_id s, plan_qid *out, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < PLAN_Q_COUNT; i++)
		if (questions[i].step == s && !questions[i].decision) {
			if (n < max)
				out[n] = (plan_qid)i;
			n++;
		}
	return n;
}

int plan_expand(const char *tpl, const char *(*get)(void *ctx, plan_qid q), void *ctx,
                char *out, size_t outlen, char *err, size_t errlen)
{
	size_t o = 0;
	char key[64];
	if (outlen == 0)
		return -1;
	for (const char *p = tpl; *p;) {
		const char *piece = p;
		size_t n = 1;
		size_t kn = *p == '{' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_.") : 0;
		if (kn > 0 && p[kn + 1] == '}') {
			const char *close = p + kn + 1;
			if (kn >= sizeof key) {
				if (err)
					snprintf(err, errlen, "placeholder too long in \"%s\"", tpl);
				return -1;
			}
			memcpy(key, p + 1, kn);
			key[kn] = '\0';
			int q = plan_question_find(key);
			piece = q < 0 ? NULL : get(ctx, (plan_qid)q);
			if (!piece || !*piece) {
				if (err)
					snprintf(err, errlen, "%s is needed first", key);
				return -1;
			}
			n = strlen(piece);
			p = close + 1;
		} else {
			p++;
		}
		if (o + n >= outlen) {
			if (err)
				snprintf(err, errlen, "\"%s\" expands to more than %zu bytes", tpl, outlen - 1);
			return -1;
		}
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}
