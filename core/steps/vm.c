/* The service VMs' shared parts: keys made before the VM exists, the Ubuntu image check and
 * the ARM bodies (static Standard IP, one VNet with a subnet, a security group with only the
 * VM's ports, a NIC, the VM with our cloud-init and only key logins). */
#include "core/steps/vm.h"

#include <ctype.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/skus.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "core/remote/cloudinit.h"
#include "core/remote/keys.h"
#include "secrets/secmem.h"

static const char *vm_ans(struct act *a, const char *q)
{
	const char *v = act_answer(a, q);
	return v ? v : "";
}

char *vm_random_alnum(size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char *out = secmem_alloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = set[randombytes_uniform(sizeof set - 1)];
	out[n] = '\0';
	return out;
}

/* ---- keys ---- */

/* The sealed key `name`, or a new one sealed now. NULL with err. */
static struct keys_pair *vm_key(struct act *a, const char *name, const char *comment, int *made, char *err,
                                size_t errlen)
{
	const unsigned char *v;
	size_t len;
	*made = 0;
	if (act_secret_get(a, name, &v, &len) == 0) {
		struct keys_pair *k = keys_from_openssh((const char *)v, len, err, errlen);
		if (!k)
			snprintf(err + strlen(err), errlen - strlen(err), " (vault entry %s)", name);
		return k;
	}
	struct keys_pair *k = keys_generate(comment);
	size_t plen;
	char *priv = k ? keys_private_openssh(k, &plen) : NULL;
	if (!priv) {
		keys_free(k);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int rc = act_secret_put(a, name, VAULT_KIND_SSH_KEY, priv, plen, err, errlen);
	secmem_free(priv);
	if (rc != 0) {
		keys_free(k);
		return NULL;
	}
	*made = 1;
	return k;
}

void vm_keys_start(struct act *a, const struct vm_spec *spec)
{
	char err[512] = "", fa[KEYS_FP_MAX], fh[KEYS_FP_MAX], comment[128];
	int made_a, made_h;
	struct keys_pair *admin = vm_key(a, VM_ADMIN_KEY, "studio-wizard-admin", &made_a, err, sizeof err);
	if (!admin) {
		act_fail(a, "%s: %s", VM_ADMIN_KEY, err);
		return;
	}
	snprintf(comment, sizeof comment, "%s-host", spec->key);
	struct keys_pair *host = vm_key(a, spec->host_key_secret, comment, &made_h, err, sizeof err);
	if (!host) {
		keys_free(admin);
		act_fail(a, "%s: %s", spec->host_key_secret, err);
		return;
	}
	keys_fingerprint(admin, fa, sizeof fa);
	keys_fingerprint(host, fh, sizeof fh);
	keys_free(admin);
	keys_free(host);
	act_info(a, "admin key %s (%s), host key of %s %s (%s)", fa, made_a ? "new, sealed" : "sealed earlier",
	         vm_ans(a, spec->q_name), fh, made_h ? "new, sealed" : "sealed earlier");
	act_done(a, "host key %s", fh);
}

/* ---- the size and its image ---- */

/* The Ubuntu images in the order tried, by the Hyper-V generation they boot as: a size boots
 * only images of a generation its resourceSkus HyperVGenerations lists, else Azure answers the
 * VM PUT 400 "cannot boot Hypervisor Generation" (doc/azure-vm-generations.md). */
struct vm_image_try {
	const char *gen, *urn, *pub, *offer, *sku;
};
static const struct vm_image_try vm_images[] = {
	{"V2", VM_UBUNTU_IMAGE, "Canonical", "ubuntu-24_04-lts", "server"},
	{"V2", VM_UBUNTU_FALLBACK_IMAGE, "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"},
	{"V1", VM_UBUNTU_GEN1_IMAGE, "Canonical", "ubuntu-24_04-lts", "server-gen1"},
	{"V1", VM_UBUNTU_GEN1_FALLBACK_IMAGE, "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts"},
};
#define VM_IMAGES (sizeof vm_images / sizeof vm_images[0])

struct vm_image_data {
	const struct vm_spec *spec;
	size_t i;
	char gen[4];
};

_Static_assert(sizeof(struct vm_image_data) <= VM_IMAGE_DATA_SIZE, "VM_IMAGE_DATA_SIZE");

static void vm_image_next(struct act *a);

static void vm_image_on_list(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct vm_image_data *d = act_data(a);
	const struct vm_image_try *t = &vm_images[d->i];
	if (!r->error && cJSON_GetArraySize(r->json) > 0) {
		if (act_output_set(a, d->spec->out_image, t->urn) != 0) {
			act_fail(a, "cannot save the state");
			return;
		}
		act_done(a, "%s (Hyper-V generation %c)", t->urn, t->gen[1]);
		return;
	}
	if (r->error && r->status != 404) {
		act_fail(a, "checking image %s in %s: %s", t->urn, act_answer(a, "location"), r->error);
		return;
	}
	act_info(a, "%s is not offered in %s", t->urn, act_answer(a, "location"));
	d->i++;
	vm_image_next(a);
}

static void vm_image_next(struct act *a)
{
	struct vm_image_data *d = act_data(a);
	while (d->i < VM_IMAGES && strcmp(vm_images[d->i].gen, d->gen) != 0)
		d->i++;
	if (d->i >= VM_IMAGES) {
		act_fail(a, "no Ubuntu LTS image (24.04 or 22.04) of Hyper-V generation %c is offered in %s: choose another "
		         "location", d->gen[1], act_answer(a, "location"));
		return;
	}
	const struct vm_image_try *t = &vm_images[d->i];
	char path[512];
	snprintf(path, sizeof path,
	         "/subscriptions/%s/providers/Microsoft.Compute/locations/%s/publishers/%s/artifacttypes/vmimage/"
	         "offers/%s/skus/%s/versions",
	         act_answer(a, "subscription"), act_answer(a, "location"), t->pub, t->offer, t->sku);
	if (act_call(a, "GET", path, API_COMPUTE, NULL, vm_image_on_list) != 0)
		act_fail(a, "out of memory");
}

/* The size in the region's resourceSkus: offered, not restricted, and the generation it boots
 * (2 where it can, the newer platform; else 1). */
static void vm_image_on_skus(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct vm_image_data *d = act_data(a);
	const char *size = vm_ans(a, d->spec->q_size), *key = d->spec->q_size;
	char msg[600];
	if (r->error) {
		act_fail(a, "VM sizes offered in %s: %s", act_answer(a, "location"), r->error);
		return;
	}
	const cJSON *sku = skus_check_offered(r->json, size, key, act_answer(a, "location"), msg, sizeof msg);
	if (!sku) {
		act_fail(a, "%s", msg);
		return;
	}
	if (skus_boots(sku, "V2"))
		snprintf(d->gen, sizeof d->gen, "V2");
	else if (skus_boots(sku, "V1"))
		snprintf(d->gen, sizeof d->gen, "V1");
	else {
		act_fail(a, "%s: %s boots neither Hyper-V generation 1 nor 2 (HyperVGenerations %s): choose another size",
		         key, size, skus_cap(sku, "HyperVGenerations"));
		return;
	}
	if (strcmp(d->gen, "V1") == 0)
		act_info(a, "%s boots Hyper-V generation 1 only: the generation 1 Ubuntu image", size);
	d->i = 0;
	vm_image_next(a);
}

void vm_image_start(struct act *a, const struct vm_spec *spec)
{
	struct vm_image_data *d = act_data(a);
	char path[512];
	d->spec = spec;
	d->i = 0;
	d->gen[0] = '\0';
	act_progress(a, "VM sizes offered in %s", act_answer(a, "location"));
	if (skus_path(path, sizeof path, act_answer(a, "subscription"), act_answer(a, "location")) != 0 ||
	    act_call(a, "GET", path, SKUS_API, NULL, vm_image_on_skus) != 0)
		act_fail(a, "out of memory");
}

/* ---- ARM bodies ---- */

static int vm_id(struct act *a, const struct vm_spec *spec, const char *type, const char *suffix, char *out,
                 size_t outlen)
{
	return snprintf(out, outlen, "/subscriptions/%s/resourceGroups/%s/providers/%s/%s%s", vm_ans(a, "subscription"),
	                vm_ans(a, spec->q_group), type, vm_ans(a, spec->q_name), suffix) < (int)outlen ? 0 : -1;
}

static cJSON *vm_base(struct act *a, char *err, size_t errlen)
{
	cJSON *o = steps_location_body(a, err, errlen);
	if (o && !cJSON_AddObjectToObject(o, "properties")) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}

static cJSON *vm_props(cJSON *o)
{
	return cJSON_GetObjectItemCaseSensitive(o, "properties");
}

static cJSON *vm_ref(cJSON *parent, const char *name, const char *id)
{
	cJSON *r = cJSON_AddObjectToObject(parent, name);
	if (r)
		cJSON_AddStringToObject(r, "id", id);
	return r;
}

cJSON *vm_ip_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen)
{
	(void)spec;
	cJSON *o = vm_base(a, err, errlen);
	if (!o)
		return NULL;
	cJSON *sku = cJSON_AddObjectToObject(o, "sku");
	cJSON_AddStringToObject(sku, "name", "Standard");
	cJSON_AddStringToObject(sku, "tier", "Regional");
	cJSON_AddStringToObject(vm_props(o), "publicIPAllocationMethod", "Static");
	cJSON_AddStringToObject(vm_props(o), "publicIPAddressVersion", "IPv4");
	return o;
}

int vm_ip_created(struct act *a, const struct vm_spec *spec, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"),
	                                                   "ipAddress");
	if (!cJSON_IsString(ip) || !*ip->valuestring) {
		snprintf(err, errlen, "the public IP of %s has no address yet", vm_ans(a, spec->q_name));
		return -1;
	}
	if (act_output_set(a, spec->out_ip, ip->valuestring) != 0) {
		snprintf(err, errlen, "cannot save the state");
		return -1;
	}
	act_info(a, "%s: public IP %s", vm_ans(a, spec->q_name), ip->valuestring);
	return 0;
}

cJSON *vm_vnet_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen)
{
	(void)spec;
	cJSON *o = vm_base(a, err, errlen);
	if (!o)
		return NULL;
	cJSON *space = cJSON_AddObjectToObject(vm_props(o), "addressSpace");
	cJSON *pre = cJSON_AddArrayToObject(space, "addressPrefixes");
	cJSON_AddItemToArray(pre, cJSON_CreateString("10.42.0.0/16"));
	cJSON *subnets = cJSON_AddArrayToObject(vm_props(o), "subnets");
	cJSON *sn = cJSON_CreateObject();
	cJSON_AddItemToArray(subnets, sn);
	cJSON_AddStringToObject(sn, "name", VM_SUBNET_NAME);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(sn, "properties"), "addressPrefix", "10.42.0.0/24");
	return o;
}

static int vm_port(struct act *a, const struct vm_port *p)
{
	int base = p->question ? atoi(vm_ans(a, p->question)) : 0;
	return base + p->value;
}

cJSON *vm_nsg_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen)
{
	cJSON *o = vm_base(a, err, errlen);
	if (!o)
		return NULL;
	cJSON *rules = cJSON_AddArrayToObject(vm_props(o), "securityRules");
	const char *src = vm_ans(a, spec->q_sources);
	for (size_t i = 0; i < spec->nports; i++) {
		char port[16];
		snprintf(port, sizeof port, "%d", vm_port(a, &spec->ports[i]));
		cJSON *r = cJSON_CreateObject();
		cJSON_AddItemToArray(rules, r);
		cJSON_AddStringToObject(r, "name", spec->ports[i].name);
		cJSON *p = cJSON_AddObjectToObject(r, "properties");
		cJSON_AddStringToObject(p, "protocol", "Tcp");
		cJSON_AddStringToObject(p, "access", "Allow");
		cJSON_AddStringToObject(p, "direction", "Inbound");
		cJSON_AddNumberToObject(p, "priority", 1000 + 10 * (double)i);
		cJSON_AddStringToObject(p, "sourcePortRange", "*");
		cJSON_AddStringToObject(p, "destinationAddressPrefix", "*");
		cJSON_AddStringToObject(p, "destinationPortRange", port);
		if (strcmp(src, "*") == 0) {
			cJSON_AddStringToObject(p, "sourceAddressPrefix", "*");
			continue;
		}
		cJSON *list = cJSON_AddArrayToObject(p, "sourceAddressPrefixes");
		for (const char *s = src; *s;) {
			size_t n = strcspn(s, ",");
			char one[64];
			const char *b = s;
			while (n && *b == ' ')
				b++, n--;
			while (n && b[n - 1] == ' ')
				n--;
			snprintf(one, sizeof one, "%.*s", (int)n, b);
			cJSON_AddItemToArray(list, cJSON_CreateString(one));
			s += strcspn(s, ",");
			if (*s == ',')
				s++;
		}
	}
	return o;
}

cJSON *vm_nic_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen)
{
	char ip[1024], nsg[1024], subnet[1024], vnet[256];
	if (vm_id(a, spec, "Microsoft.Network/publicIPAddresses", "-ip", ip, sizeof ip) != 0 ||
	    vm_id(a, spec, "Microsoft.Network/networkSecurityGroups", "-nsg", nsg, sizeof nsg) != 0 ||
	    answers_expand(act_answers(a), VM_VNET_NAME, vnet, sizeof vnet, err, errlen) != 0 ||
	    snprintf(subnet, sizeof subnet,
	             "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/%s/subnets/%s",
	             vm_ans(a, "subscription"), vm_ans(a, spec->q_group), vnet, VM_SUBNET_NAME) >= (int)sizeof subnet) {
		snprintf(err, errlen, "resource ids too long");
		return NULL;
	}
	cJSON *o = vm_base(a, err, errlen);
	if (!o)
		return NULL;
	vm_ref(vm_props(o), "networkSecurityGroup", nsg);
	cJSON *cfgs = cJSON_AddArrayToObject(vm_props(o), "ipConfigurations");
	cJSON *c = cJSON_CreateObject();
	cJSON_AddItemToArray(cfgs, c);
	cJSON_AddStringToObject(c, "name", "ipconfig1");
	cJSON *cp = cJSON_AddObjectToObject(c, "properties");
	cJSON_AddStringToObject(cp, "privateIPAllocationMethod", "Dynamic");
	vm_ref(cp, "subnet", subnet);
	vm_ref(cp, "publicIPAddress", ip);
	return o;
}

/* The operator's own public key line (first line of the file), or "" when none was given. */
static int vm_operator_key(struct act *a, const struct vm_spec *spec, char *out, size_t outlen, char *err,
                           size_t errlen)
{
	const char *file = vm_ans(a, spec->q_ssh_key);
	char path[PATH_MAX];
	out[0] = '\0';
	if (!*file)
		return 0;
	FILE *f = validate_expand_home(file, path, sizeof path) == 0 ? fopen(path, "r") : NULL;
	if (!f || !fgets(out, (int)outlen, f)) {
		if (f)
			fclose(f);
		snprintf(err, errlen, "%s: cannot read %s (%s)", spec->q_ssh_key, file,
		         "change it or leave it empty");
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* "Pub:Offer:Sku:Version" into imageReference. */
static int vm_image_ref(cJSON *storage, const char *urn)
{
	char parts[4][128];
	const char *p = urn;
	for (int i = 0; i < 4; i++) {
		size_t n = strcspn(p, ":");
		if (n == 0 || n >= sizeof parts[i] || (i < 3 && p[n] != ':'))
			return -1;
		snprintf(parts[i], sizeof parts[i], "%.*s", (int)n, p);
		p += n + (i < 3);
	}
	cJSON *r = cJSON_AddObjectToObject(storage, "imageReference");
	cJSON_AddStringToObject(r, "publisher", parts[0]);
	cJSON_AddStringToObject(r, "offer", parts[1]);
	cJSON_AddStringToObject(r, "sku", parts[2]);
	cJSON_AddStringToObject(r, "version", parts[3]);
	return 0;
}

static cJSON *vm_vm_fill(struct act *a, const struct vm_spec *spec, cJSON *o, const char *admin_line,
                         const char *custom_b64, char *err, size_t errlen)
{
	char nic[1024], keypath[256];
	const char *urn = act_output(a, spec->out_image);
	cJSON *p = vm_props(o);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "hardwareProfile"), "vmSize", vm_ans(a, spec->q_size));
	cJSON *storage = cJSON_AddObjectToObject(p, "storageProfile");
	if (!urn || vm_image_ref(storage, urn) != 0) {
		snprintf(err, errlen, "no image chosen yet (%s)", spec->out_image);
		return NULL;
	}
	cJSON *os = cJSON_AddObjectToObject(storage, "osDisk");
	cJSON_AddStringToObject(os, "createOption", "FromImage");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(os, "managedDisk"), "storageAccountType", "StandardSSD_LRS");
	if (spec->q_disk_gb) {
		cJSON *disks = cJSON_AddArrayToObject(storage, "dataDisks");
		cJSON *d = cJSON_CreateObject();
		char dname[128];
		snprintf(dname, sizeof dname, "%s-data", vm_ans(a, spec->q_name));
		cJSON_AddItemToArray(disks, d);
		cJSON_AddNumberToObject(d, "lun", 0);
		cJSON_AddStringToObject(d, "name", dname);
		cJSON_AddStringToObject(d, "createOption", "Empty");
		cJSON_AddNumberToObject(d, "diskSizeGB", atoi(vm_ans(a, spec->q_disk_gb)));
		cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "managedDisk"), "storageAccountType", "StandardSSD_LRS");
	}
	cJSON *osp = cJSON_AddObjectToObject(p, "osProfile");
	cJSON_AddStringToObject(osp, "computerName", vm_ans(a, spec->q_name));
	cJSON_AddStringToObject(osp, "adminUsername", vm_ans(a, spec->q_admin));
	cJSON_AddStringToObject(osp, "customData", custom_b64);
	cJSON *lin = cJSON_AddObjectToObject(osp, "linuxConfiguration");
	cJSON_AddBoolToObject(lin, "disablePasswordAuthentication", 1);
	cJSON *keys = cJSON_AddArrayToObject(cJSON_AddObjectToObject(lin, "ssh"), "publicKeys");
	cJSON *k = cJSON_CreateObject();
	cJSON_AddItemToArray(keys, k);
	snprintf(keypath, sizeof keypath, "/home/%s/.ssh/authorized_keys", vm_ans(a, spec->q_admin));
	cJSON_AddStringToObject(k, "path", keypath);
	cJSON_AddStringToObject(k, "keyData", admin_line);
	vm_id(a, spec, "Microsoft.Network/networkInterfaces", "-nic", nic, sizeof nic);
	cJSON *nics = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "networkProfile"), "networkInterfaces");
	cJSON *n = cJSON_CreateObject();
	cJSON_AddItemToArray(nics, n);
	cJSON_AddStringToObject(n, "id", nic);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(n, "properties"), "primary", 1);
	return o;
}

cJSON *vm_vm_body(struct act *a, const struct vm_spec *spec, char *err, size_t errlen)
{
	const unsigned char *v;
	size_t len;
	char admin_line[KEYS_LINE_MAX], op_line[KEYS_LINE_MAX * 4], host[80];
	struct keys_pair *admin = NULL, *hostk = NULL;
	char *ud = NULL, *b64 = NULL;
	size_t udlen;
	cJSON *o = NULL;
	if (act_secret_get(a, VM_ADMIN_KEY, &v, &len) != 0 ||
	    !(admin = keys_from_openssh((const char *)v, len, err, errlen)) ||
	    keys_public_line(admin, admin_line, sizeof admin_line) != 0) {
		snprintf(err, errlen, "the vault has no usable %s", VM_ADMIN_KEY);
		goto out;
	}
	if (act_secret_get(a, spec->host_key_secret, &v, &len) != 0 ||
	    !(hostk = keys_from_openssh((const char *)v, len, err, errlen))) {
		snprintf(err, errlen, "the vault has no usable %s", spec->host_key_secret);
		goto out;
	}
	if (vm_operator_key(a, spec, op_line, sizeof op_line, err, errlen) != 0)
		goto out;
	snprintf(host, sizeof host, "%s", vm_ans(a, spec->q_name));
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	struct cloudinit_vm ci = {.hostname = host, .admin_user = vm_ans(a, spec->q_admin), .admin_key = admin_line,
	                          .operator_key = *op_line ? op_line : NULL, .host_key = hostk};
	if (cloudinit_build(&ci, &ud, &udlen, &b64, err, errlen) != 0)
		goto out;
	o = vm_base(a, err, errlen);
	if (o && !vm_vm_fill(a, spec, o, admin_line, b64, err, errlen)) {
		cJSON_Delete(o);
		o = NULL;
	}
out:
	secmem_free(ud);
	secmem_free(b64);
	keys_free(admin);
	keys_free(hostk);
	return o;
}

/* ---- the plan's lines ---- */

void vm_nsg_describe(const struct answers *ans, const struct vm_spec *spec, char *out, size_t outlen)
{
	char ports[128] = "";
	size_t o = 0;
	for (size_t i = 0; i < spec->nports && o < sizeof ports; i++) {
		const struct vm_port *p = &spec->ports[i];
		int base = p->question ? atoi(answers_get(ans, plan_q(p->question))) : 0;
		o += (size_t)snprintf(ports + o, sizeof ports - o, "%s%d", i ? ", " : "", base + p->value);
	}
	const char *src = answers_get(ans, plan_q(spec->q_sources));
	snprintf(out, outlen, "create network security group %s-nsg: inbound TCP %s from %s%s",
	         answers_get(ans, plan_q(spec->q_name)), ports, strcmp(src, "*") == 0 ? "any address (*)" : src,
	         strcmp(src, "*") == 0 ? " -- narrow it with " : "");
	if (strcmp(src, "*") == 0) {
		size_t n = strlen(out);
		snprintf(out + n, outlen - n, "%s", spec->q_sources);
	}
}

void vm_vm_describe(const struct answers *ans, const struct vm_spec *spec, char *out, size_t outlen)
{
	const char *key = answers_get(ans, plan_q(spec->q_ssh_key));
	char disk[96] = "";
	if (spec->q_disk_gb)
		snprintf(disk, sizeof disk, ", an empty %s GiB data disk at LUN 0",
		         answers_get(ans, plan_q(spec->q_disk_gb)));
	snprintf(out, outlen,
	         "create VM %s (%s, Ubuntu 24.04 LTS, or 22.04 where 24.04 is not offered, of the Hyper-V generation the "
	         "size boots%s); logins by key only as "
	         "%s: <sealed:%s>%s%s; its SSH host key <sealed:%s> is handed over in the cloud-init custom data",
	         answers_get(ans, plan_q(spec->q_name)), answers_get(ans, plan_q(spec->q_size)), disk, answers_get(ans, plan_q(spec->q_admin)),
	         VM_ADMIN_KEY, key && *key ? " and your " : "", key && *key ? key : "", spec->host_key_secret);
}
