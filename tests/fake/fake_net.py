"""fake_net: network security groups as Azure enforces them, and the AKS cluster's outbound IP.

* securityRules, a child of a networkSecurityGroup (PUT/GET/DELETE through the generic
  resource in fake_arm): checked as the Network RP does (required properties, priority range,
  one priority per direction in a group), and removed when the group is PUT again without
  them (a group's PUT replaces its rule list: Azure's NetworkSecurityGroup model carries the
  rules inline).
* A new managed cluster gets a managed outbound public IP in its node resource group and
  lists it in networkProfile.loadBalancerProfile.effectiveOutboundIPs (ManagedCluster
  LoadBalancerProfile, containerservice 2025-05-01).
* The data plane: after every request the effective inbound TCP rules of each VM's public IP
  (NIC -> NSG, NIC -> public IP) and every cluster's outbound IPs are computed; when they
  changed, the script's `net_hook` command runs with a JSON file describing them (the VM lab
  turns it into nftables rules: tests/cli/net_hook.sh)."""
import json
import os
import subprocess
import tempfile
import uuid

import fake_compute
from fake_core import arm_error, dig, now

# SecurityRulePropertiesFormat (network 2024-07-01): protocol, access, direction and priority
# are required; user rules take priorities 100-4096.
PROTOCOLS = {"tcp", "udp", "icmp", "esp", "ah", "*"}


def rule_error(msg, code="InvalidRequestFormat"):
    return arm_error(400, code, msg)


def check_rule(name, props, others):
    """An ARM error for one security rule (props) among the group's other rules, or None."""
    for k in ("protocol", "access", "direction", "priority"):
        if props.get(k) in (None, ""):
            return rule_error("Cannot parse the request. Security rule %s: property %s is required." % (name, k))
    if str(props["protocol"]).lower() not in PROTOCOLS:
        return rule_error("Security rule %s has invalid protocol %s." % (name, props["protocol"]),
                          "SecurityRuleInvalidProtocol")
    if props["access"] not in ("Allow", "Deny") or props["direction"] not in ("Inbound", "Outbound"):
        return rule_error("Security rule %s: access must be Allow or Deny and direction Inbound or Outbound." % name)
    try:
        prio = int(props["priority"])
    except (TypeError, ValueError):
        prio = -1
    if not 100 <= prio <= 4096:
        return rule_error("Security rule %s has invalid Priority %s. Value provided: %s Allowed range 100-4096."
                          % (name, props["priority"], props["priority"]), "SecurityRuleInvalidPriority")
    for one, many in (("sourceAddressPrefix", "sourceAddressPrefixes"),
                      ("destinationAddressPrefix", "destinationAddressPrefixes"),
                      ("sourcePortRange", "sourcePortRanges"), ("destinationPortRange", "destinationPortRanges")):
        if props.get(one) and props.get(many):
            return rule_error("Security rule %s: %s and %s cannot both be given." % (name, one, many),
                              "SecurityRuleParameterContainsUnsupportedValue")
    for other_name, o in others:
        if other_name.lower() != name.lower() and o.get("direction") == props["direction"] \
                and str(o.get("priority")) == str(prio):
            return rule_error("Security rule %s conflicts with rule %s. Rules cannot have the same Priority and "
                              "Direction. To learn more, see aka.ms/nsgrules." % (name, other_name),
                              "SecurityRuleConflict")
    return None


def nsg_rules(app, nsg_id):
    """[(name, properties)] of a group: its inline rules, then its securityRules children."""
    res = app.lookup(nsg_id)
    if res is None:
        return []
    out = {}
    for r in dig(res, "req", "properties", "securityRules", default=[]) or []:
        if isinstance(r, dict):
            out[str(r.get("name", "")).lower()] = (r.get("name", ""), r.get("properties") or {})
    prefix = nsg_id.lower().rstrip("/") + "/securityrules/"
    for key, child in app.st.resources.items():
        if key.startswith(prefix) and "/" not in key[len(prefix):]:
            out[key[len(prefix):]] = (child["body"].get("name", ""), dig(child, "req", "properties", default={}) or {})
    return list(out.values())


def rule_validate(app, path, req, old, method):
    props = req.get("properties") if isinstance(req.get("properties"), dict) else {}
    name = path.rstrip("/").split("/")[-1]
    return check_rule(name, props, nsg_rules(app, path.rsplit("/", 2)[0]))


def nsg_validate(app, path, req, old, method):
    rules = dig(req, "properties", "securityRules", default=[]) or []
    seen = []
    for r in rules:
        props = r.get("properties") if isinstance(r, dict) and isinstance(r.get("properties"), dict) else {}
        bad = check_rule(str(r.get("name", "")), props, seen)
        if bad:
            return bad
        seen.append((str(r.get("name", "")), props))
    return None


def nsg_stored(app, path, req, new, old):
    """A group's PUT replaces its rules: children it does not list are gone."""
    keep = {str(r.get("name", "")).lower() for r in dig(req, "properties", "securityRules", default=[]) or []
            if isinstance(r, dict)}
    prefix = path.lower().rstrip("/") + "/securityrules/"
    for key in [k for k in app.st.resources if k.startswith(prefix)]:
        if key[len(prefix):] not in keep:
            del app.st.resources[key]


# The cluster's outbound IP ------------------------------------------------------------------
def cluster_outbound(app, cluster_path, props, old):
    """A new cluster's managed outbound public IP (its node resource group is made too)."""
    st = app.st
    lb = props.setdefault("networkProfile", {}).setdefault("loadBalancerProfile", {})
    if old is not None:
        lb["effectiveOutboundIPs"] = dig(old, "body", "properties", "networkProfile", "loadBalancerProfile",
                                         "effectiveOutboundIPs", default=[])
        return
    sub = cluster_path.split("/")[2]
    group = "/subscriptions/%s/resourceGroups/%s" % (sub, props["nodeResourceGroup"])
    st.groups.setdefault(group.lower(), {"id": group, "name": props["nodeResourceGroup"], "location": "eastus",
                                         "managedBy": cluster_path, "properties": {"provisioningState": "Succeeded"}})
    pip = "%s/providers/Microsoft.Network/publicIPAddresses/%s" % (group, uuid.uuid4())
    req = {"location": "eastus", "sku": {"name": "Standard", "tier": "Regional"},
           "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"}}
    op = app.new_op("put", pip.lower(), 0)
    rec = {"body": dict(req, id=pip, name=pip.rsplit("/", 1)[-1], type="Microsoft.Network/publicIPAddresses",
                        tags={"aks-managed-type": "managedOutboundIPs"}),
           "req": req, "op": op, "created": now()}
    fake_compute.pip_stored(app, pip, req, rec, None)
    st.resources[pip.lower()] = rec
    lb["effectiveOutboundIPs"] = [{"id": pip}]


# The data plane -------------------------------------------------------------------------------
def ports_of(props):
    out = []
    for p in ([props.get("destinationPortRange")] if props.get("destinationPortRange") else []) + \
            list(props.get("destinationPortRanges") or []):
        out.append(str(p))
    return out


def sources_of(props):
    src = ([props.get("sourceAddressPrefix")] if props.get("sourceAddressPrefix") else []) + \
        list(props.get("sourceAddressPrefixes") or [])
    # Service tags: Internet and * match any address; the lab has no virtual network or load balancer.
    return ["0.0.0.0/0" if s in ("*", "Internet") else s for s in src
            if s not in ("VirtualNetwork", "AzureLoadBalancer")]


def model(app):
    """{"vms": [{"ip", "nsg", "rules": [{name, priority, access, ports, sources}]}], "egress": [ip, ...]}."""
    st = app.st
    vms, egress = [], []
    for key, res in sorted(st.resources.items()):
        body = res.get("body") or {}
        kind = str(body.get("type", "")).lower()
        if kind == "microsoft.network/networkinterfaces" and app.ready(res):
            nsg = dig(res, "req", "properties", "networkSecurityGroup", "id")
            for ipc in dig(res, "req", "properties", "ipConfigurations", default=[]) or []:
                pip = app.lookup(str(dig(ipc, "properties", "publicIPAddress", "id", default="")))
                ip = pip.get("ip") if pip else None
                if not ip or not nsg or not app.ready(app.lookup(nsg)):
                    continue
                rules = []
                for name, p in nsg_rules(app, nsg):
                    child = app.lookup(nsg.rstrip("/") + "/securityRules/" + name)
                    if child is not None and not app.ready(child):
                        continue
                    if p.get("direction") != "Inbound" or str(p.get("protocol", "")).lower() not in ("tcp", "*"):
                        continue
                    rules.append({"name": name, "priority": int(p.get("priority", 4096)), "access": p.get("access"),
                                  "ports": ports_of(p), "sources": sources_of(p)})
                rules.sort(key=lambda r: r["priority"])
                vms.append({"ip": ip, "nsg": nsg.rsplit("/", 1)[-1], "rules": rules})
        if kind == "microsoft.containerservice/managedclusters" and app.ready(res):
            for ref in dig(body, "properties", "networkProfile", "loadBalancerProfile", "effectiveOutboundIPs",
                           default=[]) or []:
                pip = app.lookup(str(ref.get("id", "")))
                if pip and pip.get("ip"):
                    egress.append(pip["ip"])
    return {"vms": vms, "egress": egress}


def apply(app):
    """Runs net_hook when the data plane changed. Called with st.lock held, after each request."""
    st = app.st
    hook = st.script.get("net_hook")
    if not hook:
        return
    m = model(app)
    text = json.dumps(m, sort_keys=True)
    if text == getattr(st, "net_applied", None):
        return
    fd, fname = tempfile.mkstemp(prefix="net-", suffix=".json", dir=st.workdir)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    try:
        r = subprocess.run(list(hook) + [fname], stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        rc, err = r.returncode, r.stderr.decode(errors="replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        rc, err = 127, str(e)
    st.net_hooks = getattr(st, "net_hooks", []) + [{"model": m, "exit": rc, "stderr": err, "time": now()}]
    if rc == 0:
        st.net_applied = text


TYPES = {
    "securityrules": {"validate": rule_validate},
    "networksecuritygroups": {"validate": nsg_validate, "stored": nsg_stored},
}
