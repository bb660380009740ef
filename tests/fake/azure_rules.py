"""azure_rules: Azure's rules that join two resources (or a resource and the region, the
subscription or another service), in one table. Each row names the event it judges, where the
rule comes from (a spec, a docs page, a recorded answer) and the shape of Azure's answer; the
fake's handlers ask `refuse(app, event, ctx)` and send back what it returns. A check returns
None when the request passes, else the answer (a Reply, or for events answered inside a
long-running operation or by silence, the text Azure puts there).

Events and their ctx:
  vm.customdata  {"data"}: a VM's custom data, decoded
  vm.create      {"req", "sku"}: a new VM (sku: its resourceSkus entry, or None)
  aks.pool       {"pool", "where", "sku"}: one agent pool of a cluster or a pool PUT
  aks.cluster    {"pools", "path"}: a cluster's pools together
  aks.pools_add  {"pool"}: a pool PUT on its own
  registry.create {"name", "path"}
  acr.import     {"host", "creds"}: answered in the import's operation error
  role.assign    {"principal", "ident", "name"}
  net.reach      {"nic", "pip"}: a public IP a VM answers on (text: why no packet arrives)
"""
import collections
import re

import fake_compute
from fake_core import aks_error, arm_error, dig, now, recorded

Rule = collections.namedtuple("Rule", "id event source answer check")

GEN2_DOC = "https://learn.microsoft.com/azure/virtual-machines/generation-2"


# vm.create ---------------------------------------------------------------------------
CUSTOMDATA_MAX = 65535


def vm_custom_data_size(app, ctx):
    data = ctx["data"]
    if len(data) > CUSTOMDATA_MAX:
        return fake_compute.bad_customdata("Custom data in OSProfile must be in Base64 encoding and with a maximum "
                                           "length of 87380 characters (%d bytes decoded; at most %d)."
                                           % (len(data), CUSTOMDATA_MAX))
    return None


def vm_size_offered(app, ctx):
    if ctx["sku"] is None:
        size = dig(ctx["req"], "properties", "hardwareProfile", "vmSize")
        return arm_error(400, "InvalidParameter", "The value '%s' provided for the VM size is not valid. Use the "
                         "resource SKUs API to see the sizes offered in this location." % size, target="vmSize")
    return None


def vm_size_restricted(app, ctx):
    if fake_compute.location_blocked(ctx["sku"]):
        r = recorded(app.st, "arm/compute/virtualMachines_createOrUpdate_409_SkuNotAvailable.json")
        r.body["error"]["message"] = r.body["error"]["message"].replace("Standard_NC4as_T4_v3", ctx["sku"]["name"])
        return r
    return None


def vm_image_generation(app, ctx):
    img = dig(ctx["req"], "properties", "storageProfile", "imageReference") or {}
    gen = fake_compute.image_generation(img.get("offer", ""), img.get("sku", "")) if isinstance(img, dict) else None
    sku = ctx["sku"]
    boots = [g.strip().upper() for g in str(fake_compute.sku_cap(sku, "HyperVGenerations", "V1")).split(",")]
    if gen is None or gen in boots:
        return None
    n = gen[1]
    return arm_error(400, "BadRequest", "The selected VM size '%s' cannot boot Hypervisor Generation '%s'. If this "
                     "was a Create operation please check that the Hypervisor Generation of the Image matches the "
                     "Hypervisor Generation of the selected VM Size. If this was an Update operation please select a "
                     "Hypervisor Generation '%s' VM Size. For more information, see https://aka.ms/azuregen2vm"
                     % (sku["name"], n, n))


def vm_premium_disk(app, ctx):
    props, sku = ctx["req"].get("properties") or {}, ctx["sku"]
    disks = [dig(props, "storageProfile", "osDisk", default={}) or {}]
    disks += dig(props, "storageProfile", "dataDisks", default=[]) or []
    for d in disks:
        kind = str(dig(d, "managedDisk", "storageAccountType", default=""))
        if kind.startswith("Premium") and str(fake_compute.sku_cap(sku, "PremiumIO")) == "False":
            return arm_error(400, "InvalidParameter", "Requested operation cannot be performed because the VM size "
                             "%s does not support the storage account type %s of disk '%s'. Consider updating the "
                             "VM to a size that supports Premium storage." % (sku["name"], kind,
                                                                               d.get("name", "osdisk")),
                             target="osDisk.managedDisk.storageAccountType")
    return None


DISK_GB_MAX = 32767


def vm_data_disk_size(app, ctx):
    for i, d in enumerate(dig(ctx["req"], "properties", "storageProfile", "dataDisks", default=[]) or []):
        gb = d.get("diskSizeGB")
        if d.get("createOption") == "Empty" and not (isinstance(gb, int) and 1 <= gb <= DISK_GB_MAX):
            return arm_error(400, "InvalidParameter", "The value %s of parameter 'diskSizeGB' is out of range. The "
                             "value must be between '1' and '%d', inclusive." % (gb, DISK_GB_MAX),
                             target="dataDisks[%d].diskSizeGB" % i)
    return None


def vm_quota(app, ctx):
    short = fake_compute.quota_short(app, [(ctx["sku"]["name"], 1)])
    if short:
        r = recorded(app.st, "arm/compute/virtualMachines_createOrUpdate_409_QuotaExceeded.json")
        r.body["error"]["message"] = fake_compute.quota_message(*short)
        r.body["error"]["details"][0]["target"] = short[0]
        return r
    return None


# aks ---------------------------------------------------------------------------------
def aks_size_offered(app, ctx):
    sku = ctx["sku"]
    if sku is None or fake_compute.location_blocked(sku):
        return aks_error(400, "BadRequest", "The VM size of %s is not allowed in your subscription in location "
                         "'eastus'." % ctx["pool"].get("vmSize"), ctx["where"] + ".vmSize")
    return None


def aks_system_pool_size(app, ctx):
    sku, pool = ctx["sku"], ctx["pool"]
    if pool.get("mode") != "System" or sku is None:
        return None
    vcpus, mem = fake_compute.sku_cap(sku, "vCPUs", 0), float(fake_compute.sku_cap(sku, "MemoryGB", 0) or 0)
    if vcpus < 2 or mem < 4:
        return aks_error(400, "InvalidParameter", "System node pool must use VM sku with more than 2 cores and 4GB "
                         "memory. Nodepool name: %s." % pool.get("name"), ctx["where"] + ".vmSize")
    return None


def aks_quota(app, ctx):
    pools = ctx["pools"]
    short = fake_compute.quota_short(app, [(p.get("vmSize"), int(p.get("count", 1))) for p in pools],
                                     exclude=ctx.get("path"))
    if short:
        r = recorded(app.st, "arm/containerservice/managedClusters_createOrUpdate_400_QuotaExceeded.json")
        r.body["message"] = fake_compute.quota_message(*short)
        return r
    return None


# acr ---------------------------------------------------------------------------------
def registry_name_taken(app, ctx):
    import fake_acr
    name = ctx["name"]
    if fake_acr.name_owner(app, name, exclude=ctx["path"]):
        return arm_error(400, "AlreadyInUse", "The registry DNS name %s.azurecr.io is already in use. You can "
                         "check if the name is already claimed using following API: "
                         "https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/"
                         "checknameavailability" % name.lower(), target="name")
    return None


def hub_pull_limit(app, ctx):
    """Without fakehub (script hub_url), the same limit fakehub applies (anonymous_pull_limit)."""
    from fake_acr import HUB_HOSTS
    st = app.st
    limit = int(st.script.get("hub_anonymous_pulls") or 0)
    if not limit or ctx["creds"] or ctx["host"] not in HUB_HOSTS or st.script.get("hub_url"):
        return None
    pulled = sum(1 for i in st.imports if not i["credentials"] and i["source"].split("/")[0] in HUB_HOSTS
                 and i["status"] == "Succeeded")
    if pulled >= limit:
        return ("TOOMANYREQUESTS: You have reached your unauthenticated pull rate limit. "
                "https://www.docker.com/increase-rate-limit")
    return None


# rbac --------------------------------------------------------------------------------
def principal_not_found(app, ctx):
    st = app.st
    principal = ctx["principal"]
    cluster = st.kubelets.get(principal)
    if cluster is not None:
        # A kubelet identity exists once its cluster is created; RBAC learns of it later.
        unknown = now() < cluster["op"]["done_at"] or not st.replicated(cluster["op"]["done_at"])
    else:
        unknown = st.sp_created is not None and not st.replicated(st.sp_created)
    if not unknown:
        return None
    r = recorded(st, "arm/authorization/roleAssignments_create_400_PrincipalNotFound.json")
    r.body["error"]["message"] = re.sub(r"Principal [0-9a-f]+", "Principal " + principal.replace("-", ""),
                                        r.body["error"]["message"])
    return r


def role_assignment_exists(app, ctx):
    other = app.st.role_assignments.get(ctx["ident"])
    if other is not None and other != ctx["name"].lower():
        return recorded(app.st, "arm/authorization/roleAssignments_create_409_RoleAssignmentExists.json")
    return None


# network -----------------------------------------------------------------------------
def standard_ip_needs_nsg(app, ctx):
    nic, pip = ctx["nic"], ctx["pip"]
    if dig(pip, "req", "sku", "name") != "Standard":
        return None
    if dig(nic, "req", "properties", "networkSecurityGroup", "id"):
        return None
    for ipc in dig(nic, "req", "properties", "ipConfigurations", default=[]) or []:
        sub = str(dig(ipc, "properties", "subnet", "id", default=""))
        vnet = app.lookup(sub.rsplit("/subnets/", 1)[0]) if "/subnets/" in sub else None
        name = sub.rsplit("/", 1)[-1].lower()
        for s in dig(vnet, "req", "properties", "subnets", default=[]) or []:
            if str(s.get("name", "")).lower() == name and dig(s, "properties", "networkSecurityGroup", "id"):
                return None
    return "a Standard public IP is closed to inbound traffic until a network security group on its NIC or subnet " \
           "allows it"


RULES = [
    Rule("vm-custom-data-size", "vm.customdata",
         "https://learn.microsoft.com/azure/virtual-machines/custom-data (at most 64 KB before base64); Compute "
         "spec OSProfile.customData", "400 InvalidParameter, target customData", vm_custom_data_size),
    Rule("vm-size-offered", "vm.create",
         "recording arm/compute/resourceSkus_list_200.json (the sizes of a region); Compute spec "
         "virtualMachine.json hardwareProfile.vmSize", "400 InvalidParameter, target vmSize", vm_size_offered),
    Rule("vm-size-restricted", "vm.create",
         "resourceSkus restrictions type Location (spec ResourceSkus 2021-07-01); recording "
         "arm/compute/virtualMachines_createOrUpdate_409_SkuNotAvailable.json", "409 SkuNotAvailable",
         vm_size_restricted),
    Rule("vm-image-generation", "vm.create",
         "resourceSkus capability HyperVGenerations; " + GEN2_DOC + "; Azure's answer as quoted in "
         "loft-sh/devpod#731 and microsoft/ga4gh-tes#43", "400 BadRequest \"cannot boot Hypervisor Generation\"",
         vm_image_generation),
    Rule("vm-premium-disk", "vm.create",
         "resourceSkus capability PremiumIO; https://learn.microsoft.com/azure/virtual-machines/disks-types",
         "400 InvalidParameter, target osDisk.managedDisk.storageAccountType", vm_premium_disk),
    Rule("vm-data-disk-size", "vm.create",
         "https://learn.microsoft.com/azure/virtual-machines/disks-types (Standard SSD up to 32,767 GiB); Compute "
         "spec DataDisk.diskSizeGB", "400 InvalidParameter \"out of range\", target dataDisks[i].diskSizeGB",
         vm_data_disk_size),
    Rule("vm-family-quota", "vm.create",
         "usages API (recording arm/compute/usages_list_200.json); recording "
         "arm/compute/virtualMachines_createOrUpdate_409_QuotaExceeded.json", "409 QuotaExceeded", vm_quota),
    Rule("aks-size-offered", "aks.pool",
         "https://learn.microsoft.com/azure/aks/quotas-skus-regions (sizes the region offers the subscription)",
         "400 BadRequest \"VM size ... is not allowed\"", aks_size_offered),
    Rule("aks-system-pool-size", "aks.pool",
         "https://learn.microsoft.com/azure/aks/use-system-pools (system pools need at least 2 vCPUs and 4 GB)",
         "400 InvalidParameter", aks_system_pool_size),
    Rule("aks-family-quota", "aks.cluster",
         "usages API; recording arm/containerservice/managedClusters_createOrUpdate_400_QuotaExceeded.json",
         "400 QuotaExceeded (AKS un-wrapped body)", aks_quota),
    Rule("acr-name-global", "registry.create",
         "https://learn.microsoft.com/azure/container-registry/container-registry-get-started-portal (names are "
         "unique across Azure); recording arm/containerregistry/registries_checkNameAvailability_200_taken.json",
         "400 AlreadyInUse", registry_name_taken),
    Rule("hub-pull-limit", "acr.import",
         "https://docs.docker.com/docker-hub/usage/ (unauthenticated pull limit); tests/fake/fakehub.py "
         "anonymous_pull_limit", "import operation Failed: \"TOOMANYREQUESTS: You have reached your "
         "unauthenticated pull rate limit\"", hub_pull_limit),
    Rule("rbac-principal-not-found", "role.assign",
         "https://learn.microsoft.com/azure/role-based-access-control/troubleshooting (a new principal takes "
         "time to replicate); recording arm/authorization/roleAssignments_create_400_PrincipalNotFound.json",
         "400 PrincipalNotFound", principal_not_found),
    Rule("rbac-assignment-exists", "role.assign",
         "recording arm/authorization/roleAssignments_create_409_RoleAssignmentExists.json (same principal, role "
         "and scope under another name)", "409 RoleAssignmentExists", role_assignment_exists),
    Rule("standard-ip-needs-nsg", "net.reach",
         "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses (Standard SKU: secure "
         "by default, closed to inbound traffic unless an NSG allows it)", "no answer: packets are dropped",
         standard_ip_needs_nsg),
]


def refuse(app, event, ctx):
    """The first answer a rule of event gives for ctx, or None when every rule passes."""
    for rule in RULES:
        if rule.event == event:
            bad = rule.check(app, ctx)
            if bad is not None:
                return bad
    return None
