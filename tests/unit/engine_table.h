/* tests/unit/engine_table.h: a TEST step table shaped like the full install, for the engine's
 * tests and bench until the real steps exist (header-only; include once per program).
 *
 *   subscription  the real step (core/steps/subscription.c)
 *   rabbitmq      group, public IP, VNet + subnet, NSG, NIC (after IP, VNet, NSG), VM (after NIC)
 *   minio         group (the same name as rabbitmq's by default: made once), its own IP, VNet,
 *                 NSG, NIC, VM (nothing of rabbitmq's but the shared group)
 *   acr           group (shared too), registry, importImage (a long-running POST: 202 + Location)
 *   aks           group (leafai-...), managed cluster (waits for the subscription step and its
 *                 group only), attach = AcrPull role assignment (after cluster AND registry),
 *                 kubeconfig (POST listClusterUserCredential, after the cluster)
 *
 * Bodies are minimal but pass tests/fake/fakecloud.py's strict checks (location, api-versions,
 * references that exist, VM size and image, one System pool). */
#ifndef SW_ENGINE_TABLE_H
#define SW_ENGINE_TABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/engine/step.h"
#include "core/steps/steps.h"

#define ET_API_NETWORK "2024-10-01"
#define ET_API_COMPUTE "2024-11-01"
#define ET_API_ACR "2025-11-01"
#define ET_API_AKS "2025-07-01"
#define ET_API_ROLES "2022-04-01"
#define ET_ACR_PULL "7f951dda-4ed3-4680-a7ca-43fe172d538d"
#define ET_ATTACH_NAME "2b6f0a3e-7c1d-4e8a-9f30-5d2c8b1a4e77"
#define ET_GROUP(step) "/subscriptions/{subscription}/resourceGroups/{" step ".resource_group}"
#define ET_NET(step, type, suffix) \
	ET_GROUP(step) "/providers/Microsoft.Network/" type "/{" step ".vm_name}" suffix

/* step "rabbitmq" or "minio": the template with its keys, expanded over the answers. */
static int et_expand(struct act *a, const char *tpl, char *out, size_t outlen, char *err, size_t errlen)
{
	if (answers_expand(act_answers(a), tpl, out, outlen, err, errlen) < 0)
		return -1;
	return 0;
}

static int et_vm_step_is_rabbitmq(struct act *a)
{
	return act_step(a) == STEP_RABBITMQ;
}

static cJSON *et_located(struct act *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "location", act_answer(a, Q_LOCATION));
	return o;
}

static void et_add_id(cJSON *parent, const char *name, const char *id)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);
	cJSON_AddStringToObject(o, "id", id);
}

static cJSON *et_ip_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "sku"), "name", "Standard");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "properties"), "publicIPAllocationMethod", "Static");
	return o;
}

static int et_ip_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"),
	                                                   "ipAddress");
	if (!cJSON_IsString(ip)) {
		snprintf(err, errlen, "the public IP has no ipAddress");
		return -1;
	}
	char key[64];
	snprintf(key, sizeof key, "%s.public_ip", plan_step_key(act_step(a)));
	return act_output_set(a, key, ip->valuestring);
}

static cJSON *et_vnet_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON *prefixes = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "addressSpace"), "addressPrefixes");
	cJSON_AddItemToArray(prefixes, cJSON_CreateString("10.0.0.0/16"));
	cJSON *subnet = cJSON_CreateObject();
	cJSON_AddStringToObject(subnet, "name", "default");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(subnet, "properties"), "addressPrefix", "10.0.0.0/24");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "subnets"), subnet);
	return o;
}

static cJSON *et_nsg_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON *rule = cJSON_CreateObject();
	cJSON_AddStringToObject(rule, "name", "ssh");
	cJSON *rp = cJSON_AddObjectToObject(rule, "properties");
	cJSON_AddStringToObject(rp, "protocol", "Tcp");
	cJSON_AddStringToObject(rp, "sourcePortRange", "*");
	cJSON_AddStringToObject(rp, "destinationPortRange", "22");
	cJSON_AddStringToObject(rp, "sourceAddressPrefix", "*");
	cJSON_AddStringToObject(rp, "destinationAddressPrefix", "*");
	cJSON_AddStringToObject(rp, "access", "Allow");
	cJSON_AddNumberToObject(rp, "priority", 100);
	cJSON_AddStringToObject(rp, "direction", "Inbound");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "properties"), "securityRules"), rule);
	return o;
}

static cJSON *et_nic_body(struct act *a, char *err, size_t errlen)
{
	int r = et_vm_step_is_rabbitmq(a);
	char ip[512], subnet[512], nsg[512];
	if (et_expand(a, r ? ET_NET("rabbitmq", "publicIPAddresses", "-ip") : ET_NET("minio", "publicIPAddresses", "-ip"),
	              ip, sizeof ip, err, errlen) != 0 ||
	    et_expand(a, r ? ET_NET("rabbitmq", "virtualNetworks", "-vnet/subnets/default")
	                   : ET_NET("minio", "virtualNetworks", "-vnet/subnets/default"),
	              subnet, sizeof subnet, err, errlen) != 0 ||
	    et_expand(a, r ? ET_NET("rabbitmq", "networkSecurityGroups", "-nsg")
	                   : ET_NET("minio", "networkSecurityGroups", "-nsg"),
	              nsg, sizeof nsg, err, errlen) != 0)
		return NULL;
	cJSON *o = et_located(a);
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON *ipc = cJSON_CreateObject();
	cJSON_AddStringToObject(ipc, "name", "ipconfig1");
	cJSON *ipp = cJSON_AddObjectToObject(ipc, "properties");
	cJSON_AddStringToObject(ipp, "privateIPAllocationMethod", "Dynamic");
	et_add_id(ipp, "subnet", subnet);
	et_add_id(ipp, "publicIPAddress", ip);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "ipConfigurations"), ipc);
	et_add_id(p, "networkSecurityGroup", nsg);
	return o;
}

static cJSON *et_vm_body(struct act *a, char *err, size_t errlen)
{
	int r = et_vm_step_is_rabbitmq(a);
	char nic[512], key[4096] = "", path[300];
	if (et_expand(a, r ? ET_NET("rabbitmq", "networkInterfaces", "-nic") : ET_NET("minio", "networkInterfaces", "-nic"),
	              nic, sizeof nic, err, errlen) != 0)
		return NULL;
	const char *user = act_answer(a, r ? Q_RMQ_ADMIN_USER : Q_MINIO_ADMIN_USER);
	const char *keyfile = act_answer(a, r ? Q_RMQ_SSH_KEY : Q_MINIO_SSH_KEY);
	FILE *f = fopen(keyfile, "r");
	if (!f || !fgets(key, sizeof key, f)) {
		if (f)
			fclose(f);
		snprintf(err, errlen, "%s: cannot read the public key", keyfile);
		return NULL;
	}
	fclose(f);
	key[strcspn(key, "\r\n")] = '\0';
	snprintf(path, sizeof path, "/home/%s/.ssh/authorized_keys", user);
	cJSON *o = et_located(a);
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "hardwareProfile"), "vmSize",
	                        act_answer(a, r ? Q_RMQ_VM_SIZE : Q_MINIO_VM_SIZE));
	cJSON *sp = cJSON_AddObjectToObject(p, "storageProfile");
	cJSON *img = cJSON_AddObjectToObject(sp, "imageReference");
	cJSON_AddStringToObject(img, "publisher", "Canonical");
	cJSON_AddStringToObject(img, "offer", "ubuntu-24_04-lts");
	cJSON_AddStringToObject(img, "sku", "server");
	cJSON_AddStringToObject(img, "version", "latest");
	cJSON *disk = cJSON_AddObjectToObject(sp, "osDisk");
	cJSON_AddStringToObject(disk, "createOption", "FromImage");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(disk, "managedDisk"), "storageAccountType", "Standard_LRS");
	cJSON *os = cJSON_AddObjectToObject(p, "osProfile");
	cJSON_AddStringToObject(os, "computerName", act_answer(a, r ? Q_RMQ_VM_NAME : Q_MINIO_VM_NAME));
	cJSON_AddStringToObject(os, "adminUsername", user);
	cJSON *lc = cJSON_AddObjectToObject(os, "linuxConfiguration");
	cJSON_AddBoolToObject(lc, "disablePasswordAuthentication", 1);
	cJSON *pk = cJSON_CreateObject();
	cJSON_AddStringToObject(pk, "path", path);
	cJSON_AddStringToObject(pk, "keyData", key);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(lc, "ssh"), "publicKeys"), pk);
	cJSON *nics = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "networkProfile"), "networkInterfaces");
	cJSON *n = cJSON_CreateObject();
	cJSON_AddStringToObject(n, "id", nic);
	cJSON_AddItemToArray(nics, n);
	return o;
}

static cJSON *et_registry_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "sku"), "name", act_answer(a, Q_ACR_SKU));
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "properties"), "adminUserEnabled", 0);
	return o;
}

static int et_registry_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *ls = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"),
	                                                   "loginServer");
	if (!cJSON_IsString(ls)) {
		snprintf(err, errlen, "the registry has no loginServer");
		return -1;
	}
	return act_output_set(a, "acr.login_server", ls->valuestring);
}

static void et_task_end(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	if (r->error)
		act_fail(a, "%s", r->error);
	else
		act_done(a, "HTTP %ld after %u polls", r->status, r->polls);
}

static void et_import_start(struct act *a)
{
	char path[512], err[256], target[300];
	const char *image = act_answer(a, Q_ACR_IMAGE);
	const char *slash = strchr(image, '/');
	snprintf(target, sizeof target, "%s", slash ? slash + 1 : image);
	if (et_expand(a, ET_GROUP("acr") "/providers/Microsoft.ContainerRegistry/registries/{acr.name}/importImage", path,
	              sizeof path, err, sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *src = cJSON_AddObjectToObject(o, "source");
	cJSON_AddStringToObject(src, "registryUri", "docker.io");
	cJSON_AddStringToObject(src, "sourceImage", image);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "targetTags"), cJSON_CreateString(target));
	cJSON_AddStringToObject(o, "mode", "Force");
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!body || act_call(a, "POST", path, ET_API_ACR, body, et_task_end) != 0)
		act_fail(a, "out of memory");
	free(body);
}

static cJSON *et_cluster_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "identity"), "type", "SystemAssigned");
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(p, "dnsPrefix", act_answer(a, Q_AKS_DNS_PREFIX));
	cJSON *pool = cJSON_CreateObject();
	cJSON_AddStringToObject(pool, "name", "system");
	cJSON_AddStringToObject(pool, "mode", "System");
	cJSON_AddStringToObject(pool, "vmSize", "Standard_D2s_v3");
	cJSON_AddNumberToObject(pool, "count", 1);
	cJSON_AddStringToObject(pool, "osType", "Linux");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "agentPoolProfiles"), pool);
	return o;
}

static int et_cluster_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"), "identityProfile"),
			"kubeletidentity"),
		"objectId");
	if (!cJSON_IsString(kid)) {
		snprintf(err, errlen, "the cluster has no kubelet identity");
		return -1;
	}
	return act_output_set(a, "aks.kubelet_object_id", kid->valuestring);
}

static cJSON *et_attach_body(struct act *a, char *err, size_t errlen)
{
	const char *kid = act_output(a, "aks.kubelet_object_id");
	char role[256];
	if (!kid) {
		snprintf(err, errlen, "no kubelet identity from aks.cluster");
		return NULL;
	}
	snprintf(role, sizeof role, "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/" ET_ACR_PULL,
	         act_answer(a, Q_SUBSCRIPTION));
	cJSON *o = cJSON_CreateObject();
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(p, "roleDefinitionId", role);
	cJSON_AddStringToObject(p, "principalId", kid);
	cJSON_AddStringToObject(p, "principalType", "ServicePrincipal");
	return o;
}

static void et_kubeconfig_end(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	char err[256];
	if (r->error) {
		act_fail(a, "%s", r->error);
		return;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "kubeconfigs");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, 0), "value");
	if (!cJSON_IsString(v) || !*v->valuestring) {
		act_fail(a, "listClusterUserCredential: no kubeconfig in the answer");
		return;
	}
	if (act_secret_put(a, "aks-kubeconfig", VAULT_KIND_KUBECONFIG, v->valuestring, strlen(v->valuestring), err,
	                   sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	act_done(a, "kubeconfig sealed");
}

static void et_kubeconfig_start(struct act *a)
{
	char path[512], err[256];
	if (et_expand(a, ET_GROUP("aks") "/providers/Microsoft.ContainerService/managedClusters/{aks.name}"
	                 "/listClusterUserCredential", path, sizeof path, err, sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	if (act_call(a, "POST", path, ET_API_AKS, NULL, et_kubeconfig_end) != 0)
		act_fail(a, "out of memory");
}

#define ET_NET_ACTIONS(step)                                                                                     \
	{.key = step ".ip", .text = "create public IP {" step ".vm_name}-ip", .after = {step ".group"},              \
	 .kind = ACTION_RESOURCE, .expect_s = 5, .type = "Microsoft.Network/publicIPAddresses",                    \
	 .path = ET_NET(step, "publicIPAddresses", "-ip"), .api = ET_API_NETWORK, .body = et_ip_body,               \
	 .created = et_ip_created},                                                                                 \
	{.key = step ".vnet", .text = "create virtual network {" step ".vm_name}-vnet with subnet default",         \
	 .after = {step ".group"}, .kind = ACTION_RESOURCE, .expect_s = 5,                                          \
	 .type = "Microsoft.Network/virtualNetworks", .path = ET_NET(step, "virtualNetworks", "-vnet"),            \
	 .api = ET_API_NETWORK, .body = et_vnet_body},                                                              \
	{.key = step ".nsg", .text = "create network security group {" step ".vm_name}-nsg",                       \
	 .after = {step ".group"}, .kind = ACTION_RESOURCE, .expect_s = 5,                                          \
	 .type = "Microsoft.Network/networkSecurityGroups", .path = ET_NET(step, "networkSecurityGroups", "-nsg"), \
	 .api = ET_API_NETWORK, .body = et_nsg_body},                                                               \
	{.key = step ".nic", .text = "create network interface {" step ".vm_name}-nic",                            \
	 .after = {step ".ip", step ".vnet", step ".nsg"}, .kind = ACTION_RESOURCE, .expect_s = 5,                 \
	 .type = "Microsoft.Network/networkInterfaces", .path = ET_NET(step, "networkInterfaces", "-nic"),         \
	 .api = ET_API_NETWORK, .body = et_nic_body},                                                               \
	{.key = step ".vm", .text = "create VM {" step ".vm_name} ({" step ".vm_size})", .after = {step ".nic"},    \
	 .kind = ACTION_RESOURCE, .expect_s = 60, .type = "Microsoft.Compute/virtualMachines",                      \
	 .path = ET_GROUP(step) "/providers/Microsoft.Compute/virtualMachines/{" step ".vm_name}",                 \
	 .api = ET_API_COMPUTE, .body = et_vm_body}

static const struct action_def et_rabbitmq_actions[] = {
	STEPS_GROUP_ACTION("rabbitmq", "rabbitmq.resource_group"),
	ET_NET_ACTIONS("rabbitmq"),
};

static const struct action_def et_minio_actions[] = {
	STEPS_GROUP_ACTION("minio", "minio.resource_group"),
	ET_NET_ACTIONS("minio"),
};

static const struct action_def et_acr_actions[] = {
	STEPS_GROUP_ACTION("acr", "acr.resource_group"),
	{.key = "acr.registry", .text = "create container registry {acr.name} ({acr.sku})", .after = {"acr.group"},
	 .kind = ACTION_RESOURCE, .expect_s = 30, .type = "Microsoft.ContainerRegistry/registries",
	 .path = ET_GROUP("acr") "/providers/Microsoft.ContainerRegistry/registries/{acr.name}", .api = ET_API_ACR,
	 .body = et_registry_body, .created = et_registry_created, .fix = "acr.name"},
	{.key = "acr.import", .text = "import {acr.image} from Docker Hub into {acr.name}", .after = {"acr.registry"},
	 .kind = ACTION_TASK, .expect_s = 60, .start = et_import_start},
};

static const struct action_def et_aks_actions[] = {
	STEPS_GROUP_ACTION("aks", "aks.resource_group"),
	{.key = "aks.cluster", .text = "create AKS cluster {aks.name}", .after = {"subscription", "aks.group"},
	 .kind = ACTION_RESOURCE, .expect_s = 420, .type = "Microsoft.ContainerService/managedClusters",
	 .path = ET_GROUP("aks") "/providers/Microsoft.ContainerService/managedClusters/{aks.name}", .api = ET_API_AKS,
	 .body = et_cluster_body, .created = et_cluster_created},
	{.key = "aks.attach", .text = "let the cluster's kubelet pull from {acr.name} (AcrPull)",
	 .after = {"aks.cluster", "acr.registry"}, .kind = ACTION_RESOURCE, .expect_s = 5,
	 .type = "Microsoft.Authorization/roleAssignments",
	 .path = ET_GROUP("acr") "/providers/Microsoft.ContainerRegistry/registries/{acr.name}"
	         "/providers/Microsoft.Authorization/roleAssignments/" ET_ATTACH_NAME,
	 .api = ET_API_ROLES, .body = et_attach_body, .untagged = 1, .retry_code = "PrincipalNotFound", .retry_s = 60},
	{.key = "aks.kubeconfig", .text = "fetch the cluster user's kubeconfig into the vault", .after = {"aks.cluster"},
	 .kind = ACTION_TASK, .expect_s = 2, .start = et_kubeconfig_start},
};

#define ET_STEP(sid, acts) \
	{.id = sid, .actions = acts, .nactions = sizeof acts / sizeof acts[0], .available = 1}

static const struct step_def et_step_rabbitmq = ET_STEP(STEP_RABBITMQ, et_rabbitmq_actions);
static const struct step_def et_step_minio = ET_STEP(STEP_MINIO, et_minio_actions);
static const struct step_def et_step_acr = ET_STEP(STEP_ACR, et_acr_actions);
static const struct step_def et_step_aks = ET_STEP(STEP_AKS, et_aks_actions);

static const struct step_def *const et_steps[STEP_AKS + 1] = {
	[STEP_SUBSCRIPTION] = &step_subscription, [STEP_RABBITMQ] = &et_step_rabbitmq, [STEP_MINIO] = &et_step_minio,
	[STEP_ACR] = &et_step_acr,                [STEP_AKS] = &et_step_aks,
};

/* engine_config.table = &engine_table; run until STEP_AKS. */
static const struct step_table engine_table = {et_steps, STEP_AKS + 1};

#endif
