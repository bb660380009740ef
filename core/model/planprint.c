#include "core/model/planprint.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sys/exitcode.h"

struct pp {
	const struct answers *a;
	FILE *out;
	int failed;
};

/* Expands tpl over the answers and prints it as one action line. */
static void pp_action(struct pp *p, const char *tpl)
{
	char line[2048], err[256];
	if (answers_expand(p->a, tpl, line, sizeof line, err, sizeof err) < 0) {
		fprintf(p->out, "   - (cannot describe: %s)\n", err);
		p->failed = 1;
		return;
	}
	fprintf(p->out, "   - %s\n", line);
}

static void pp_step(struct pp *p, step_id s)
{
	const struct plan_step_info *info = plan_step_info(s);
	fprintf(p->out, "\n%d. %s: %s", (int)s + 1, plan_step_key(s), plan_step_title(s));
	const char *sep = " (after ";
	for (int d = 0; d < STEP_COUNT; d++)
		if (info->deps & (1u << d)) {
			fprintf(p->out, "%s%s", sep, plan_step_key((step_id)d));
			sep = ", ";
		}
	fprintf(p->out, "%s\n", info->deps ? ")" : "");
}

static const char *pp_acr_suffix(const char *cloud)
{
	if (strcmp(cloud, "AzureChinaCloud") == 0)
		return "azurecr.cn";
	if (strcmp(cloud, "AzureUSGovernment") == 0)
		return "azurecr.us";
	return "azurecr.io";
}

/* The tag of an image reference ("latest" when none); a digest wins over both. */
static void pp_image_tag(const char *image, char *out, size_t outlen)
{
	const char *at = strchr(image, '@');
	if (at) {
		snprintf(out, outlen, "%s", at);
		return;
	}
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(slash ? slash : image, ':');
	snprintf(out, outlen, "%s%s", colon ? "" : ":", colon ? colon : "latest");
}

static void pp_subscription(struct pp *p)
{
	const struct answers *a = p->a;
	const char *method = answers_get(a, Q_AUTH_METHOD);
	pp_step(p, STEP_SUBSCRIPTION);
	if (strcmp(method, "device-code") == 0)
		pp_action(p, "sign in with a device code (tenant {auth.tenant}, client "
		             "{auth.client_id}); keep the refresh token as <sealed:azure-refresh-token>");
	else if (strcmp(method, "service-principal") == 0)
		pp_action(p, "sign in as service principal {auth.client_id} in tenant {auth.tenant} "
		             "with secret <sealed:azure-client-secret>");
	else
		pp_action(p, "sign in with the Azure CLI's login on this machine (tenant {auth.tenant})");
	pp_action(p, "select subscription {subscription} in {cloud}; uniq_id {uniq_id}");
	pp_action(p, "register resource providers Microsoft.Compute, Microsoft.Network, "
	             "Microsoft.ContainerRegistry, Microsoft.ContainerService, "
	             "Microsoft.MarketplaceOrdering (if not registered yet)");
	pp_action(p, "check that the signed-in identity may create role assignments (the acr step "
	             "grants AcrPull)");
	/* The engine creates every group the later steps use here, each once. */
	static const plan_qid groups[] = {Q_RMQ_RESOURCE_GROUP, Q_MINIO_RESOURCE_GROUP,
	                                  Q_ACR_RESOURCE_GROUP, Q_AKS_RESOURCE_GROUP};
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		const char *rg = answers_get(a, groups[i]);
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcasecmp(rg, answers_get(a, groups[k])) == 0;
		if (seen)
			continue;
		char tpl[256];
		snprintf(tpl, sizeof tpl, "create resource group %s in {location} (if missing)", rg);
		pp_action(p, tpl);
	}
}

static void pp_rabbitmq(struct pp *p)
{
	char tpl[512];
	long port = strtol(answers_get(p->a, Q_RMQ_AMQP_PORT), NULL, 10);
	pp_step(p, STEP_RABBITMQ);
	pp_action(p, "accept the marketplace terms of " PLAN_RABBITMQ_IMAGE);
	pp_action(p, "create public IP {rabbitmq.vm_name}-ip (static), virtual network "
	             "{rabbitmq.vm_name}-vnet, NIC {rabbitmq.vm_name}-nic");
	snprintf(tpl, sizeof tpl, "create network security group {rabbitmq.vm_name}-nsg allowing TCP "
	         "{rabbitmq.amqp_port} (AMQP) and %ld (management API, used by the runner)",
	         port + 10000);
	pp_action(p, tpl);
	pp_action(p, "create VM {rabbitmq.vm_name} ({rabbitmq.vm_size}, Bitnami RabbitMQ image "
	             PLAN_RABBITMQ_IMAGE ", admin {rabbitmq.admin_user}, SSH key "
	             "{rabbitmq.ssh_public_key_file})");
	pp_action(p, "create RabbitMQ user {rabbitmq.amqp_user} (administrator tag, so it may use the "
	             "management API) with password <sealed:rabbitmq-password>");
	pp_action(p, "AMQP_URL amqp://{rabbitmq.amqp_user}:<sealed:rabbitmq-password>@"
	             "<rabbitmq public IP>:{rabbitmq.amqp_port}/");
}

static void pp_minio(struct pp *p)
{
	pp_step(p, STEP_MINIO);
	pp_action(p, "create public IP {minio.vm_name}-ip (static), virtual network "
	             "{minio.vm_name}-vnet, NIC {minio.vm_name}-nic");
	pp_action(p, "create network security group {minio.vm_name}-nsg allowing TCP {minio.port} (S3)");
	pp_action(p, "create VM {minio.vm_name} ({minio.vm_size}, Ubuntu 22.04 LTS "
	             PLAN_MINIO_OS_IMAGE ", admin {minio.admin_user}, SSH key "
	             "{minio.ssh_public_key_file}) with empty data disk {minio.vm_name}-data of "
	             "{minio.data_disk_gb} GiB at LUN 0");
	pp_action(p, "partition the data disk, format it ext4 and mount it at /data");
	pp_action(p, "run the Minio server on port {minio.port} with root user "
	             "<sealed:minio-access-key> and password <sealed:minio-secret-key>");
	pp_action(p, "create bucket {minio.bucket}");
	pp_action(p, "S3 endpoint http://<minio public IP>:{minio.port} (for experimenters and "
	             "runner pods alike)");
}

static void pp_acr(struct pp *p)
{
	char tpl[768], tag[96];
	const char *image = answers_get(p->a, Q_ACR_IMAGE);
	const char *suffix = pp_acr_suffix(answers_get(p->a, Q_CLOUD));
	const char *first_slash = strchr(image, '/');
	int has_domain = first_slash && (memchr(image, '.', (size_t)(first_slash - image)) ||
	                                 memchr(image, ':', (size_t)(first_slash - image)));
	pp_image_tag(image, tag, sizeof tag);
	pp_step(p, STEP_ACR);
	snprintf(tpl, sizeof tpl, "check that the name {acr.name} is free, then create registry "
	         "{acr.name} ({acr.sku}), login server {acr.name}.%s", suffix);
	pp_action(p, tpl);
	snprintf(tpl, sizeof tpl, "import %s{acr.image} as {acr.name}.%s/{acr.name}/studio-go-runner%s",
	         has_domain ? "" : "docker.io/", suffix, tag);
	pp_action(p, tpl);
	pp_action(p, "create service principal registry-acr-principal-{uniq_id} with AcrPull on "
	             "{acr.name}; its secret <sealed:acr-sp-client-secret>");
}

static void pp_aks(struct pp *p)
{
	char tpl[512];
	const struct plan_gpu_size *g = plan_gpu_find(answers_get(p->a, Q_AKS_NODE_VM_SIZE));
	pp_step(p, STEP_AKS);
	snprintf(tpl, sizeof tpl, "check that {aks.node_vm_size} is offered in {location} and the "
	         "vCPU quota covers {aks.node_count} x %d vCPUs", g ? g->vcpus : 0);
	pp_action(p, tpl);
	snprintf(tpl, sizeof tpl, "create cluster {aks.name} (DNS prefix {aks.dns_prefix}) with "
	         "{aks.node_count} node(s) of {aks.node_vm_size} (%d x %s each)",
	         g ? g->gpus : 0, g ? g->gpu_model : "?");
	pp_action(p, tpl);
	pp_action(p, "grant the cluster's kubelet identity AcrPull on {acr.name} (attach the registry)");
	pp_action(p, "fetch the cluster's kubeconfig into <sealed:aks-kubeconfig>");
}

static void pp_overlay(struct pp *p)
{
	char tpl[768], tag[96];
	const char *suffix = pp_acr_suffix(answers_get(p->a, Q_CLOUD));
	const struct plan_gpu_size *g = plan_gpu_find(answers_get(p->a, Q_AKS_NODE_VM_SIZE));
	long nodes = strtol(answers_get(p->a, Q_AKS_NODE_COUNT), NULL, 10);
	int gpus = g ? g->gpus : 1;
	pp_image_tag(answers_get(p->a, Q_ACR_IMAGE), tag, sizeof tag);
	pp_step(p, STEP_OVERLAY);
	pp_action(p, "create namespace " PLAN_DEVICE_PLUGIN_NAMESPACE " and DaemonSet "
	             "nvidia-device-plugin-daemonset (" PLAN_DEVICE_PLUGIN_IMAGE ")");
	pp_action(p, "create namespace {overlay.namespace}");
	snprintf(tpl, sizeof tpl, "create Secret studioml-go-docker-key (registry {acr.name}.%s, user "
	         "the registry-acr-principal-{uniq_id} app id, password <sealed:acr-sp-client-secret>)",
	         suffix);
	pp_action(p, tpl);
	pp_action(p, "create Secret studioml-amqp (RMQ_USER {rabbitmq.amqp_user}, RMQ_PASS "
	             "<sealed:rabbitmq-password>)");
	pp_action(p, "create Secret studioml-runner-key-secret (ssh-privatekey "
	             "<sealed:runner-encryption-key>, ssh-publickey from the same key pair)");
	pp_action(p, "create Secret studioml-runner-passphrase-secret (ssh-passphrase "
	             "<sealed:runner-key-passphrase>)");
	pp_action(p, "create Secret studioml-signing (placeholder; experimenters' ssh-ed25519 keys "
	             "are added per queue prefix)");
	snprintf(tpl, sizeof tpl, "write {overlay.dir}/kustomization.yaml: namespace "
	         "{overlay.namespace}, image " PLAN_RUNNER_BASE_IMAGE " -> "
	         "{acr.name}.%s/{acr.name}/studio-go-runner%s, replicas %ld (%ld node(s) x %d GPUs)",
	         suffix, tag, nodes * gpus, nodes, gpus);
	pp_action(p, tpl);
	pp_action(p, "ConfigMap studioml-env: AMQP_URL amqp://${RMQ_USER}:${RMQ_PASS}@"
	             "<rabbitmq public IP>:{rabbitmq.amqp_port}/ (expanded by the runner from "
	             "studioml-amqp), QUEUE_MATCH {overlay.queue_match}, CLEAR_TEXT_MESSAGES "
	             "{overlay.clear_text_messages}, K8S_NAMESPACE {overlay.namespace}");
	pp_action(p, "apply the overlay: Deployment studioml-go-runner-deployment in "
	             "{overlay.namespace}");
}

/* From the header's X-macro, so the plan prints without linking the vault. */
static const char *pp_kind(vault_kind k)
{
#define PP_KIND_(id, text) text,
	static const char *const names[VAULT_KIND_COUNT] = {VAULT_KINDS(PP_KIND_)};
#undef PP_KIND_
	return (unsigned)k < VAULT_KIND_COUNT ? names[k] : "other";
}

static void pp_vault(struct pp *p)
{
	const char *method = answers_get(p->a, Q_AUTH_METHOD);
	fprintf(p->out, "\nVault entries (values never leave the vault):\n");
	for (int s = 0; s < STEP_COUNT; s++) {
		const struct plan_step_info *info = plan_step_info((step_id)s);
		for (size_t i = 0; i < info->nsecrets; i++) {
			const struct plan_secret *sec = &info->secrets[i];
			const char *eq = sec->only_if ? strchr(sec->only_if, '=') : NULL;
			if (eq && !(strncmp(sec->only_if, "auth.method", (size_t)(eq - sec->only_if)) == 0 &&
			            strcmp(eq + 1, method) == 0))
				continue;
			fprintf(p->out, "   <sealed:%s> %s, %s (%s)\n", sec->name,
			        pp_kind(sec->kind), sec->what, plan_step_key((step_id)s));
		}
	}
}

int planprint_write(const struct answers *a, FILE *out)
{
	struct pp p = {a, out, 0};
	char head[512];
	if (answers_expand(a, "studio-wizard plan: subscription {subscription} ({cloud}), region "
	                      "{location}, uniq_id {uniq_id}", head, sizeof head, NULL, 0) < 0)
		return -1;
	fprintf(out, "%s\n", head);
	fprintf(out, "Nothing is created by this command. Secrets appear as <sealed:NAME>: they are "
	             "generated or asked for during the install and kept only in the vault.\n");
	pp_subscription(&p);
	pp_rabbitmq(&p);
	pp_minio(&p);
	pp_acr(&p);
	pp_aks(&p);
	pp_overlay(&p);
	pp_vault(&p);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return p.failed ? -1 : 0;
}

int planprint_cmd(const char *answers_path, FILE *out, FILE *errout)
{
	struct answers a;
	char err[768];
	answers_init(&a);
	enum answers_result rc = answers_load(&a, answers_path, err, sizeof err);
	if (rc == ANSWERS_OK)
		rc = answers_complete(&a, err, sizeof err);
	int code = SW_EXIT_OK;
	if (rc == ANSWERS_E_INVALID) {
		fprintf(errout, "studio-wizard: %s: %s\n", answers_path, err);
		code = SW_EXIT_USAGE;
	} else if (rc == ANSWERS_E_IO) {
		fprintf(errout, "studio-wizard: %s\n", err);
		code = SW_EXIT_ERROR;
	} else if (rc != ANSWERS_OK) {
		fprintf(errout, "studio-wizard: out of memory reading %s\n", answers_path);
		code = SW_EXIT_ERROR;
	} else if (planprint_write(&a, out) < 0) {
		fprintf(errout, "studio-wizard: cannot write the plan\n");
		code = SW_EXIT_ERROR;
	}
	answers_free(&a);
	return code;
}
