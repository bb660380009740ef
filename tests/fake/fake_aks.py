"""fake_aks: managed clusters and their agent pools (one System pool, sizes from the
region's SKU list, taints fixed at creation, quota), the kubelet identity RBAC learns of
late, user/admin kubeconfigs, and the Kubernetes versions of a region."""
import base64
import copy
import re
import uuid

import azure_rules
import fake_compute
import fake_net
from fake_core import SUB, aks_error, arm_error, dig, recorded

POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
CLUSTER = r"^(/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/Microsoft\.ContainerService/managedClusters/([^/]+))"


def versions(st):
    """{minor: [patch, ...]} from the script's aks_versions, ascending."""
    out = {}
    for v in sorted(st.script.get("aks_versions") or [], key=lambda v: [int(x) for x in v.split(".")]):
        out.setdefault(".".join(v.split(".")[:2]), []).append(v)
    return out


def resolve_version(st, want):
    """(minor, patch) for a requested version ("" = default), or None when unsupported."""
    vs = versions(st)
    want = want or st.script.get("aks_default_version") or sorted(vs)[-1]
    if want in vs:
        return want, vs[want][-1]
    minor = ".".join(want.split(".")[:2])
    if want in vs.get(minor, []):
        return minor, want
    return None


def taints(pool):
    return sorted(pool.get("nodeTaints") or [])


def check_pool(app, pool, old_pool, where):
    """An AKS error for one agent pool profile, or None."""
    name = str(pool.get("name", ""))
    if not POOL_NAME.match(name):
        return aks_error(400, "InvalidParameter", "Agent pool name '%s' is invalid: it must start with a lowercase "
                         "letter, be at most 12 characters long and hold only a-z and 0-9." % name, where + ".name")
    sku = fake_compute.find_sku(app.st, pool.get("vmSize"))
    bad = azure_rules.refuse(app, "aks.pool", {"pool": pool, "where": where, "sku": sku})
    if bad:
        return bad
    if old_pool is not None and "nodeTaints" in pool and taints(pool) != taints(old_pool):
        return aks_error(400, "PropertyChangeNotAllowed", "Changing property 'nodeTaints' of agent pool '%s' is not "
                         "allowed: taints are set when a pool is created." % name, where + ".nodeTaints")
    return None


def cluster_validate(app, path, req, old, method):
    st = app.st
    props = req.get("properties") if isinstance(req.get("properties"), dict) else {}
    pools = props.get("agentPoolProfiles")
    if old is None or pools is not None:
        if not isinstance(pools, list) or not pools:
            return aks_error(400, "MustDefineAtLeastOneSystemPool", "Must define at least one system pool.",
                             "agentPoolProfiles")
        system = [p for p in pools if isinstance(p, dict) and p.get("mode") == "System"]
        if not system:
            return aks_error(400, "MustDefineAtLeastOneSystemPool", "Must define at least one system pool.",
                             "agentPoolProfiles")
        if len(system) > 1:
            return aks_error(400, "InvalidParameter", "fakecloud expects exactly one System mode pool, got %d."
                             % len(system), "agentPoolProfiles")
        before = {p.get("name"): p for p in dig(old, "req", "properties", "agentPoolProfiles", default=[]) or []}
        for i, p in enumerate(pools):
            bad = check_pool(app, p, before.get(p.get("name")), "agentPoolProfiles[%d]" % i)
            if bad:
                return bad
    want = props.get("kubernetesVersion", "")
    if want and resolve_version(st, want) is None:
        return aks_error(400, "K8sVersionNotSupported", "Version %s is not supported in this region. Please use "
                         "[az aks get-versions] command to get the supported version list in this region." % want,
                         "kubernetesVersion")
    if pools:
        return azure_rules.refuse(app, "aks.cluster", {"pools": pools, "path": path.lower()})
    return None


def pool_body(st, pool, patch):
    out = {"count": 1, "osType": "Linux", "type": "VirtualMachineScaleSets", "mode": "User", "maxPods": 110,
           "osDiskSizeGB": 128, "osDiskType": "Managed", "kubeletDiskType": "OS", "enableNodePublicIP": False,
           "osSKU": "Ubuntu", "enableFIPS": False, "powerState": {"code": "Running"}}
    out.update(copy.deepcopy(pool))
    out.update(orchestratorVersion=patch, currentOrchestratorVersion=patch, provisioningState="Succeeded")
    sku = fake_compute.find_sku(st, pool.get("vmSize"))
    gpu = sku is not None and fake_compute.sku_cap(sku, "GPUs", 0)
    out["nodeImageVersion"] = "AKSUbuntu-2204gen2%scontainerd-202510.01.0" % ("gpu" if gpu else "")
    return out


def cluster_stored(app, path, req, new, old):
    st = app.st
    body = new["body"]
    props = body.setdefault("properties", {})
    name = path.rstrip("/").split("/")[-1]
    rg = path.split("/")[4]
    minor, patch = resolve_version(st, dig(new["req"], "properties", "kubernetesVersion", default=""))
    props.update(kubernetesVersion=minor, currentKubernetesVersion=patch)
    if old is not None:
        body["identity"] = old["body"]["identity"]
        props["identityProfile"] = old["body"]["properties"]["identityProfile"]
        new["kubelet"] = old["kubelet"]
    else:
        oid = str(uuid.uuid4())
        body["identity"] = {"type": "SystemAssigned", "principalId": str(uuid.uuid4()),
                            "tenantId": "11111111-1111-1111-1111-111111111111"}
        props["identityProfile"] = {"kubeletidentity": {
            "resourceId": "/subscriptions/%s/resourcegroups/MC_%s_%s_eastus/providers/Microsoft.ManagedIdentity/"
                          "userAssignedIdentities/%s-agentpool" % (SUB, rg, name, name),
            "clientId": str(uuid.uuid4()), "objectId": oid}}
        new["kubelet"] = oid
        st.kubelets[oid] = {"op": new["op"]}
        st.kubelets[body["identity"]["principalId"]] = {"op": new["op"]}
    n = st.next_id()
    prefix = props.get("dnsPrefix") or name
    props["fqdn"] = "%s-fake%04d.hcp.eastus.azmk8s.io" % (prefix, n)
    props["azurePortalFQDN"] = "%s-fake%04d.portal.hcp.eastus.azmk8s.io" % (prefix, n)
    props["nodeResourceGroup"] = "MC_%s_%s_eastus" % (rg, name)
    fake_net.cluster_outbound(app, path, props, old)
    pools = dig(new["req"], "properties", "agentPoolProfiles", default=[]) or []
    props["agentPoolProfiles"] = [pool_body(st, p, patch) for p in pools]
    for p in pools:
        key = (path + "/agentPools/" + p["name"]).lower()
        pb = pool_body(st, p, patch)
        pb = {"id": path + "/agentPools/" + p["name"], "name": p["name"],
              "type": "Microsoft.ContainerService/managedClusters/agentPools",
              "properties": {k: v for k, v in pb.items() if k != "name"}}
        st.resources[key] = {"body": pb, "req": {"properties": p}, "op": new["op"], "created": new["created"]}


def pool_validate(app, path, req, old, method):
    pool = dict(req.get("properties") or {}, name=path.rstrip("/").split("/")[-1])
    bad = check_pool(app, pool, dig(old, "req", "properties"), "properties")
    if bad or old is not None:
        return bad
    return azure_rules.refuse(app, "aks.cluster", {"pools": [pool], "path": None})


def pool_stored(app, path, req, new, old):
    cluster = app.lookup(path.rsplit("/", 2)[0])
    pool = dict(dig(new, "req", "properties", default={}), name=path.rstrip("/").split("/")[-1])
    patch = dig(cluster, "body", "properties", "currentKubernetesVersion", default="")
    new["body"]["properties"] = {k: v for k, v in pool_body(app.st, pool, patch).items() if k != "name"}
    for where in (cluster["req"], cluster["body"]):
        pools = [p for p in dig(where, "properties", "agentPoolProfiles", default=[]) if p.get("name") != pool["name"]]
        where.setdefault("properties", {})["agentPoolProfiles"] = pools + [
            pool if where is cluster["req"] else pool_body(app.st, pool, patch)]


def credentials(app, m, path, query, body):
    st = app.st
    res = app.lookup(m.group(1))
    if res is None:
        return arm_error(404, "ResourceNotFound", "The Resource 'Microsoft.ContainerService/managedClusters/%s' under "
                         "resource group '%s' was not found." % (m.group(4), m.group(3)))
    which = "clusterAdmin" if m.group(5).lower() == "listclusteradmincredential" else "clusterUser"
    r = recorded(st, "arm/containerservice/managedClusters_list%sCredential_200.json"
                 % ("ClusterAdmin" if which == "clusterAdmin" else "ClusterUser"))
    f = st.script.get("kubeconfig_file")
    if f:
        with open(f, "rb") as fh:
            data = fh.read()
        r.body["kubeconfigs"] = [{"name": which, "value": base64.b64encode(data).decode()}]
    data = base64.b64decode(r.body["kubeconfigs"][0]["value"]).decode(errors="replace")
    for k in re.findall(r"(?:token|client-key-data|password):\s*\"?([^\s\"]+)", data):
        st.secrets.append(k)
    return r


def kubernetes_versions(app, m, path, query, body):
    st = app.st
    vs = versions(st)
    minors = sorted(vs, key=lambda v: [int(x) for x in v.split(".")])
    default = st.script.get("aks_default_version") or minors[-1]
    out = []
    for i, minor in enumerate(minors):
        nxt = vs[minors[i + 1]][-1:] if i + 1 < len(minors) else []
        e = {"version": minor, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]},
             "patchVersions": {p: {"upgrades": [q for q in vs[minor] if q > p] + nxt} for p in vs[minor]}}
        if minor == default:
            e["isDefault"] = True
        out.append(e)
    r = recorded(st, "arm/containerservice/kubernetesVersions_list_200.json")
    r.body = {"values": out}
    return r


TYPES = {
    "managedclusters": {"validate": cluster_validate, "stored": cluster_stored},
    "agentpools": {"validate": pool_validate, "stored": pool_stored},
}
ROUTES = [
    ("POST", re.compile(CLUSTER + r"/(listClusterUserCredential|listClusterAdminCredential)$", re.I), credentials),
    ("GET", re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.ContainerService/locations/([^/]+)/"
                       r"kubernetesVersions$", re.I), kubernetes_versions),
]
