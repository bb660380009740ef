/* core/steps/vm.h: what the two service VMs (rabbitmq, minio) share: their keys, the Ubuntu
 * image check, the ARM bodies of their public IP, network, security group, NIC and VM, and
 * the SSH session that provisions them (vmssh.c). Each step passes its own vm_spec; a step
 * still never calls the other's code. */
#ifndef SW_STEPS_VM_H
#define SW_STEPS_VM_H

#include "core/engine/step.h"
#include "core/steps/steps.h"

/* Both service VMs run Ubuntu LTS (Bitnami's RabbitMQ image is gone): 24.04 when the region
 * offers it, else 22.04; the Hyper-V generation 2 image when the size boots it, else the
 * generation 1 image (doc/azure-vm-generations.md). */
#define VM_UBUNTU_IMAGE "Canonical:ubuntu-24_04-lts:server:latest"
#define VM_UBUNTU_FALLBACK_IMAGE "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"
#define VM_UBUNTU_GEN1_IMAGE "Canonical:ubuntu-24_04-lts:server-gen1:latest"
#define VM_UBUNTU_GEN1_FALLBACK_IMAGE "Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest"

#define VM_VNET_NAME "studioml-{uniq_id}-vnet"
#define VM_SUBNET_NAME "vms"
#define VM_PORTS_MAX 4
#define VM_IMAGE_DATA_SIZE 64   /* data_size of the image task */

struct vm_port {
	const char *name;   /* the security rule's name: "allow-amqp" */
	const char *question;   /* the answers key of the port, or NULL */
	int value;          /* the port, or the offset added to the question's port */
};

struct vm_spec {
	const char *key;              /* "rabbitmq" */
	/* answers keys */
	const char *q_group, *q_name, *q_size, *q_admin, *q_ssh_key, *q_sources;
	const char *q_disk_gb;        /* the data disk's size, or NULL */
	const char *host_key_secret;  /* "rabbitmq-host-key" */
	const char *out_ip;           /* "rabbitmq.public_ip" */
	const char *out_image;        /* "rabbitmq.image" */
	struct vm_port ports[VM_PORTS_MAX];
	size_t nports;
};

#define VM_ADMIN_KEY "admin-ssh-key"

/* The Azure side of a VM step, the same for both VMs: keys before the VM exists, the image
 * check, IP, the shared network, security group, NIC and the VM. S is the step key
 * ("rabbitmq"); the step's file defines keys_start, image_start, ip_body, ip_created,
 * vnet_body, nsg_body, nsg_describe, nic_body, vm_body and vm_describe over its vm_spec. */
#define VM_ID_(S, type, suffix)                                                                                    \
	"/subscriptions/{subscription}/resourceGroups/{" S ".resource_group}/providers/" type "/{" S ".vm_name}" suffix
#define VM_ACTIONS(S, vm_text)                                                                                     \
	{.key = S ".keys",                                                                                           \
	 .text = "generate the wizard's admin SSH key <sealed:" VM_ADMIN_KEY "> (once for both VMs) and the SSH host " \
	         "key <sealed:" S "-host-key> of {" S ".vm_name}, before the VM exists",                              \
	 .after = {"subscription"}, .kind = ACTION_TASK, .expect_s = 1, .start = keys_start},                       \
	{.key = S ".image", .text = "check that {" S ".vm_size} is offered in {location} and pick the Ubuntu LTS image " \
	                            "it boots (24.04, else 22.04; Hyper-V generation 2, else 1), before anything is "  \
	                            "created",                                                                        \
	 .after = {"subscription"}, .kind = ACTION_TASK, .expect_s = 1, .start = image_start,                       \
	 .data_size = VM_IMAGE_DATA_SIZE},                                                                          \
	STEPS_GROUP_ACTION_AFTER(S, S ".resource_group", "subscription", S ".image"),                                \
	{.key = S ".ip", .text = "create static Standard public IP {" S ".vm_name}-ip", .after = {S ".group"},        \
	 .kind = ACTION_RESOURCE, .expect_s = 3, .type = "Microsoft.Network/publicIPAddresses",                     \
	 .path = VM_ID_(S, "Microsoft.Network/publicIPAddresses", "-ip"), .api = API_NETWORK, .body = ip_body,      \
	 .fix = S ".vm_name", .created = ip_created},                                                               \
	{.key = S ".vnet", .text = "create virtual network " VM_VNET_NAME " (10.42.0.0/16) with subnet "             \
	                           VM_SUBNET_NAME " (10.42.0.0/24) for the VMs",                                    \
	 .after = {S ".group"}, .kind = ACTION_RESOURCE, .expect_s = 3, .type = "Microsoft.Network/virtualNetworks", \
	 .path = "/subscriptions/{subscription}/resourceGroups/{" S ".resource_group}/providers/"                   \
	         "Microsoft.Network/virtualNetworks/" VM_VNET_NAME,                                                 \
	 .api = API_NETWORK, .body = vnet_body, .fix = "uniq_id"},                                                  \
	{.key = S ".nsg", .text = "create network security group {" S ".vm_name}-nsg", .after = {S ".group"},        \
	 .kind = ACTION_RESOURCE, .expect_s = 3, .type = "Microsoft.Network/networkSecurityGroups",                 \
	 .path = VM_ID_(S, "Microsoft.Network/networkSecurityGroups", "-nsg"), .api = API_NETWORK,                 \
	 .body = nsg_body, .fix = S ".vm_name", .describe = nsg_describe},                                          \
	{.key = S ".nic", .text = "create network interface {" S ".vm_name}-nic (public IP, subnet, security group)", \
	 .after = {S ".ip", S ".vnet", S ".nsg"}, .kind = ACTION_RESOURCE, .expect_s = 3,                           \
	 .type = "Microsoft.Network/networkInterfaces", .path = VM_ID_(S, "Microsoft.Network/networkInterfaces", "-nic"), \
	 .api = API_NETWORK, .body = nic_body, .fix = S ".vm_name"},                                                \
	{.key = S ".vm", .text = vm_text, .after = {S ".nic", S ".keys", S ".image"}, .kind = ACTION_RESOURCE,       \
	 .expect_s = 60, .type = "Microsoft.Compute/virtualMachines",                                               \
	 .path = VM_ID_(S, "Microsoft.Compute/virtualMachines", ""), .api = API_COMPUTE, .body = vm_body,            \
	 .fix = S ".vm_size", .describe = vm_describe}


/* Task: the admin key pair and this VM's host key, generated and sealed unless the vault
 * holds them already (never made again once sealed). */
void vm_keys_start(struct act *a, const struct vm_spec *spec);
/* Task: the VM size is offered in the region without restriction (resourceSkus), then Ubuntu
 * 24.04 when the region's image catalogue has it, else 22.04, of the Hyper-V generation the
 * size boots (2 when it can, else 1); the URN goes to spec->out_image. */
void vm_image_start(struct act *a, const struct vm_spec *spec);

/* ARM bodies (NULL with err). */
cJSON *vm_ip_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen);
cJSON *vm_vnet_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen);
cJSON *vm_nsg_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen);
cJSON *vm_nic_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen);
cJSON *vm_vm_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen);
/* The public IP resource's created(): its address to spec->out_ip. */
int vm_ip_created(struct act *a, const struct vm_spec *spec, const cJSON *res, char *err, size_t errlen);

/* The plan's line of the security group: ports and allowed sources. */
void vm_nsg_describe(const struct answers *ans, const struct vm_spec *spec, char *out, size_t outlen);
/* The plan's line of the VM. */
void vm_vm_describe(const struct answers *ans, const struct vm_spec *spec, char *out, size_t outlen);

/* Random letters and digits (the runner's AMQP_URL needs nothing else) into secmem,
 * NUL-terminated. NULL when out of memory. */
char *vm_random_alnum(size_t n);

#endif
