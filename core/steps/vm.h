/* core/steps/vm.h: what the two service VMs (rabbitmq, minio) share: their keys, the Ubuntu
 * image check, the ARM bodies of their public IP, network, security group, NIC and VM, and
 * the SSH session that provisions them (vmssh.c). Each step passes its own vm_spec; a step
 * still never calls the other's code. */
#ifndef SW_STEPS_VM_H
#define SW_STEPS_VM_H

#include "core/engine/step.h"

#define API_NETWORK "2024-07-01"
#define API_COMPUTE "2024-11-01"
#define VM_VNET_NAME "studioml-{uniq_id}-vnet"
#define VM_SUBNET_NAME "vms"
#define VM_PORTS_MAX 4
#define VM_IMAGE_DATA_SIZE 64   /* data_size of the image task */

struct vm_port {
	const char *name;   /* the security rule's name: "allow-amqp" */
	int question;       /* plan_qid of the port, or -1 */
	int value;          /* the port, or the offset added to the question's port */
};

struct vm_spec {
	step_id step;
	const char *key;              /* "rabbitmq" */
	plan_qid q_group, q_name, q_size, q_admin, q_ssh_key, q_sources;
	int q_disk_gb;                /* plan_qid of the data disk size, or -1 */
	const char *host_key_secret;  /* "rabbitmq-host-key" */
	const char *out_ip;           /* "rabbitmq.public_ip" */
	const char *out_image;        /* "rabbitmq.image" */
	struct vm_port ports[VM_PORTS_MAX];
	size_t nports;
};

#define VM_ADMIN_KEY "admin-ssh-key"

/* Task: the admin key pair and this VM's host key, generated and sealed unless the vault
 * holds them already (never made again once sealed). */
void vm_keys_start(struct act *a, const struct vm_spec *spec);
/* Task: Ubuntu 24.04 when the region's image catalogue has it, else 22.04; the URN goes to
 * spec->out_image. */
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
