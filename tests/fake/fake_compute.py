"""fake_compute: virtual machines (custom data, size, image, quota, the vm_hook that
stands up a sandbox for each new VM), public IP addresses, the image catalogue, resource
SKUs and usages."""
import base64
import binascii
import copy
import os
import re
import subprocess
import threading

import azure_rules
import size_facts
from fake_core import Reply, arm_error, dig, now, recorded

SKUS_FILE = "arm/compute/resourceSkus_list_200_gpu.json"
USAGES_FILE = "arm/compute/usages_list_200_empty.json"
# (publisher, offer) -> sku -> versions. Version names follow Canonical's YYYYMMDD scheme.
IMAGES = {
    ("canonical", "0001-com-ubuntu-server-jammy"): {"22_04-lts": ["22.04.202510010"],
                                                    "22_04-lts-gen2": ["22.04.202510010"]},
    ("canonical", "ubuntu-24_04-lts"): {"server": ["24.04.202510010"], "server-gen1": ["24.04.202510010"]},
}
# Canonical's offers name their generation 1 images apart: "server-gen1" (24.04) and
# "22_04-lts" (22.04) boot as Hyper-V generation 1, "server" and "22_04-lts-gen2" as 2
# (the versions' properties.hyperVGeneration; doc/azure-vm-generations.md).
GEN1_IMAGE_SKUS = ("server-gen1", "22_04-lts")
IMAGE_PATH = (r"^/subscriptions/([^/]+)/providers/Microsoft\.Compute/locations/([^/]+)/publishers/([^/]+)"
              r"/artifacttypes/vmimage/offers/([^/]+)")


# Catalogue ---------------------------------------------------------------------
def image_skus(st, pub, offer):
    """The skus of an offer, or None when it is unknown or scripted missing."""
    skus = IMAGES.get((pub.lower(), offer.lower()))
    if skus is None:
        return None
    gone = [g.lower() for g in st.script.get("missing_images") or []]
    if offer.lower() in gone or ("%s:%s" % (pub, offer)).lower() in gone:
        return None
    return {s: v for s, v in skus.items() if ("%s:%s:%s" % (pub, offer, s)).lower() not in gone}


def image_generation(offer, sku):
    """"V1" or "V2" for an Ubuntu image sku of this catalogue, None for one it does not know."""
    for (_pub, off), skus in IMAGES.items():
        if off == str(offer).lower():
            key = next((k for k in skus if k.lower() == str(sku).lower()), None)
            if key is not None:
                return "V1" if key in GEN1_IMAGE_SKUS else "V2"
    return None


def image_missing(loc, pub, offer, sku=None):
    what = "Offer: %s" % offer if sku is None else "Sku: %s" % sku
    return arm_error(404, "NotFound", "Artifact: VMImage was not found. (%s, Publisher: %s, Location: %s)"
                     % (what, pub, loc))


def image_id(sub, loc, pub, offer, sku, ver=None):
    out = "/Subscriptions/%s/Providers/Microsoft.Compute/Locations/%s/Publishers/%s/ArtifactTypes/VMImage/" \
          "Offers/%s/Skus/%s" % (sub, loc, pub, offer, sku)
    return out + ("/Versions/%s" % ver if ver else "")


def images_skus(app, m, path, query, body):
    sub, loc, pub, offer = m.groups()
    skus = image_skus(app.st, pub, offer)
    if skus is None:
        return image_missing(loc, pub, offer)
    return Reply(200, [{"location": loc, "name": s, "id": image_id(sub, loc, pub, offer, s)} for s in sorted(skus)])


def images_versions(app, m, path, query, body):
    sub, loc, pub, offer, sku, ver = m.groups()
    skus = image_skus(app.st, pub, offer)
    if skus is None:
        return image_missing(loc, pub, offer)
    key = next((s for s in skus if s.lower() == sku.lower()), None)
    if key is None:
        return image_missing(loc, pub, offer, sku)
    items = [{"location": loc, "name": v, "id": image_id(sub, loc, pub, offer, key, v)} for v in skus[key]]
    if ver is None:
        return Reply(200, items)
    hit = next((i for i in items if i["name"] == ver), None)
    if hit is None:
        return image_missing(loc, pub, offer, sku)
    hit["properties"] = {"hyperVGeneration": image_generation(offer, key),
                         "osDiskImage": {"operatingSystem": "Linux", "sizeInGb": 30},
                         "architecture": "x64", "dataDiskImages": []}
    return Reply(200, hit)


# SKUs and usages -------------------------------------------------------------------
def sku_list(st, location="eastus"):
    """Every VM size of the recording and of size_facts (the choosers' sizes), plus extra_skus, in
    location, with scripted restrictions."""
    body = st.rec.load(SKUS_FILE)["response"]["body"]
    out = size_facts.apply(copy.deepcopy(body["value"]))
    tmpl = next(s for s in out if s["name"] == "Standard_D2s_v3")
    for x in st.script.get("extra_skus") or []:
        s = copy.deepcopy(tmpl)
        s.update(name=x["name"], size=x["name"].replace("Standard_", ""), family=x.get("family", "extraFamily"))
        s["capabilities"] = [c for c in s["capabilities"] if c["name"] not in ("vCPUs", "GPUs")]
        s["capabilities"] += [{"name": "vCPUs", "value": str(x.get("vcpus", 2))}]
        if x.get("gpus"):
            s["capabilities"].append({"name": "GPUs", "value": str(x["gpus"])})
        out.append(s)
    restr = {k.lower(): v for k, v in (st.script.get("sku_restrictions") or {}).items()}
    for s in out:
        s["locations"] = [location]
        for li in s.get("locationInfo", []):
            li["location"] = location
        for r in s.get("restrictions", []):
            r["values"] = [location]
            r.get("restrictionInfo", {})["locations"] = [location]
        reason = restr.get(s["name"].lower())
        if reason == "none":
            s["restrictions"] = []
        elif reason:
            s["restrictions"] = [{"type": "Location", "values": [location],
                                  "restrictionInfo": {"locations": [location]}, "reasonCode": reason}]
    return out


def find_sku(st, size, location="eastus"):
    return next((s for s in sku_list(st, location) if s.get("resourceType", "virtualMachines") == "virtualMachines"
                 and s["name"].lower() == str(size).lower()), None)


def sku_cap(sku, name, default=0):
    for c in sku.get("capabilities", []):
        if c["name"] == name:
            try:
                return int(c["value"])
            except ValueError:
                return c["value"]
    return default


def location_blocked(sku):
    """A Location restriction (zone restrictions still let a regional VM through)."""
    return next((r for r in sku.get("restrictions", []) if r.get("type") == "Location"), None)


def skus(app, m, path, query, body):
    flt = query.get("$filter", "")
    loc = "eastus"
    if flt:
        fm = re.match(r"^\s*location\s+eq\s+'([^']+)'\s*$", flt, re.I)
        if not fm:
            return arm_error(400, "InvalidFilter", "The filter '%s' is not supported. Only 'location eq' is "
                                                   "supported." % flt)
        loc = fm.group(1).lower()
    r = recorded(app.st, SKUS_FILE)
    r.body["value"] = sku_list(app.st, loc)
    return r


def used_vcpus(app, exclude=None):
    """{usage name: vCPUs (or count)} taken by the VMs and cluster pools this fake holds."""
    st = app.st
    used = {k: int(v) for k, v in (st.script.get("quota_used") or {}).items()}

    def take(size, count):
        sku = find_sku(st, size)
        if sku is None:
            return
        n = sku_cap(sku, "vCPUs", 0) * count
        used[sku["family"]] = used.get(sku["family"], 0) + n
        used["cores"] = used.get("cores", 0) + n
    for key, res in st.resources.items():
        if key == exclude or res["op"]["error"]:
            continue
        t = res["body"].get("type", "").lower()
        if t == "microsoft.compute/virtualmachines":
            take(dig(res["req"], "properties", "hardwareProfile", "vmSize"), 1)
            used["virtualMachines"] = used.get("virtualMachines", 0) + 1
        elif t == "microsoft.containerservice/managedclusters":
            for p in dig(res["req"], "properties", "agentPoolProfiles", default=[]) or []:
                take(p.get("vmSize"), int(p.get("count", 1)))
    return used


def usage_list(app):
    st = app.st
    body = st.rec.load(USAGES_FILE)["response"]["body"]
    vals = copy.deepcopy(body["value"])
    used = used_vcpus(app)
    limits = dict(st.script.get("quota") or {})
    names = {v["name"]["value"] for v in vals}
    for n in list(limits) + list(used):
        if n not in names:
            names.add(n)
            vals.append({"limit": 0, "unit": "Count", "currentValue": 0, "name": {"value": n, "localizedValue": n}})
    for v in vals:
        n = v["name"]["value"]
        if n in limits:
            v["limit"] = int(limits[n])
        v["currentValue"] = used.get(n, 0)
    return vals


def usages(app, m, path, query, body):
    r = recorded(app.st, USAGES_FILE)
    r.body["value"] = usage_list(app)
    return r


def quota_short(app, sizes, exclude=None):
    """(family, limit, used, wanted) of the first usage that sizes [(vmSize, count)] would exceed."""
    vals = {v["name"]["value"]: v for v in usage_list(app)}
    if exclude:
        used = used_vcpus(app, exclude)
        for n, v in vals.items():
            v["currentValue"] = used.get(n, 0)
    want = {}
    for size, count in sizes:
        sku = find_sku(app.st, size)
        if sku is None:
            continue
        n = sku_cap(sku, "vCPUs", 0) * count
        want[sku["family"]] = want.get(sku["family"], 0) + n
        want["cores"] = want.get("cores", 0) + n
    for fam, n in sorted(want.items(), key=lambda kv: kv[0] == "cores"):
        v = vals.get(fam, {"limit": 0, "currentValue": 0})
        if v["currentValue"] + n > v["limit"]:
            return fam, v["limit"], v["currentValue"], n
    return None


def quota_message(fam, limit, used, n):
    return ("Operation could not be completed as it results in exceeding approved %s Cores quota. Additional "
            "details - Deployment Model: Resource Manager, Location: eastus, Current Limit: %d, Current Usage: %d, "
            "Additional Required: %d, (Minimum) New Limit Required: %d. Submit a request for Quota increase at "
            "https://aka.ms/ProdportalCRP by specifying parameters listed in the 'Details' section for deployment "
            "to succeed." % (fam, limit, used, n, used + n))


# Virtual machines -----------------------------------------------------------------
def bad_customdata(msg):
    return arm_error(400, "InvalidParameter", msg, target="customData")


def vm_validate(app, path, req, old, method):
    st = app.st
    props = req.get("properties") if isinstance(req.get("properties"), dict) else {}
    cd = dig(props, "osProfile", "customData")
    if cd is not None:
        try:
            if not isinstance(cd, str):
                raise ValueError
            data = base64.b64decode(cd, validate=True)
        except (ValueError, binascii.Error):
            return bad_customdata("Custom data in OSProfile must be in Base64 encoding and with a maximum length "
                                  "of 87380 characters.")
        bad = azure_rules.refuse(app, "vm.customdata", {"data": data})
        if bad:
            return bad
    if old is not None:
        if cd is not None and cd != dig(old["req"], "properties", "osProfile", "customData"):
            return arm_error(409, "PropertyChangeNotAllowed", "Changing property 'customData' is not allowed.",
                             target="customData")
        return None
    size = dig(props, "hardwareProfile", "vmSize")
    sku = find_sku(st, size, req.get("location", "eastus"))
    img = dig(props, "storageProfile", "imageReference") or {}
    if isinstance(img, dict) and img.get("publisher"):
        skus = image_skus(st, img.get("publisher", ""), img.get("offer", ""))
        vers = next((v for s, v in (skus or {}).items() if s.lower() == str(img.get("sku", "")).lower()), None)
        if vers is None or img.get("version", "latest") not in vers + ["latest"]:
            urn = ":".join(str(img.get(k, "")) for k in ("publisher", "offer", "sku", "version"))
            return arm_error(404, "PlatformImageNotFound", "The platform image '%s' is not available. Verify that "
                             "all fields in the storage profile are correct." % urn, target="imageReference")
    user = dig(props, "osProfile", "adminUsername", default="azureuser")
    for k in dig(props, "osProfile", "linuxConfiguration", "ssh", "publicKeys", default=[]) or []:
        if k.get("path") != "/home/%s/.ssh/authorized_keys" % user:
            r = recorded(st, "arm/compute/virtualMachines_createOrUpdate_400_InvalidParameter.json")
            r.body["error"]["message"] = r.body["error"]["message"].replace("azureuser", str(user))
            return r
    return azure_rules.refuse(app, "vm.create", {"req": req, "sku": sku})


def vm_public_ip(app, req):
    """The ipAddress of the first public IP the VM reaches through its NICs, or ""."""
    for nic in dig(req, "properties", "networkProfile", "networkInterfaces", default=[]) or []:
        n = app.lookup(str(nic.get("id", "")))
        for ipc in dig(n, "req", "properties", "ipConfigurations", default=[]) or []:
            pip = app.lookup(str(dig(ipc, "properties", "publicIPAddress", "id", default="")))
            ip = dig(pip, "body", "properties", "ipAddress") if pip else None
            if ip and not azure_rules.refuse(app, "net.reach", {"nic": n, "pip": pip}):
                return ip
    return ""


def vm_disks(app, req):
    """["LUN:GB", ...] of the VM's data disks (attached managed disks looked up)."""
    out = []
    for d in dig(req, "properties", "storageProfile", "dataDisks", default=[]) or []:
        gb = d.get("diskSizeGB")
        if gb is None and dig(d, "managedDisk", "id"):
            gb = dig(app.lookup(d["managedDisk"]["id"]), "req", "properties", "diskSizeGB")
        out.append("%s:%s" % (d.get("lun", 0), gb if gb is not None else 0))
    return out


def vm_stored(app, path, req, new, old):
    st = app.st
    if old is not None:
        return       # custom data and the hook belong to the VM's creation only
    name = path.rstrip("/").split("/")[-1]
    cd = dig(req, "properties", "osProfile", "customData")
    data = base64.b64decode(cd) if cd else b""
    st.customdata[name.lower()] = data
    fname = os.path.join(st.workdir, "customdata-%s-%d" % (re.sub(r"[^A-Za-z0-9_.-]", "_", name), st.next_id()))
    fd = os.open(fname, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    hook = st.script.get("vm_hook")
    if not hook:
        return
    op = new["op"]
    delay = max(0.0, op["done_at"] - now())
    op["done_at"] = float("inf")       # until the hook has run
    t = threading.Timer(delay, run_hook, args=(app, st, name, new, fname, list(hook)))
    t.daemon = True
    t.start()


def run_hook(app, st, name, res, fname, hook):
    """The vm_hook for one new VM, in its own thread; ends the VM's operation."""
    with st.lock:
        argv = hook + [name, fname, vm_public_ip(app, res["req"])] + vm_disks(app, res["req"])
        log = os.path.join(st.workdir, "hook-%s-%d.log" % (re.sub(r"[^A-Za-z0-9_.-]", "_", name), st.next_id()))
        entry = {"vm": name, "argv": argv, "customdata_file": fname, "log": log, "started": now(), "exit": None}
        st.hooks.append(entry)
    try:
        with open(log, "wb") as out:
            rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                timeout=float(st.script.get("vm_hook_timeout") or 120)).returncode
    except subprocess.TimeoutExpired:
        rc = -9
    except OSError as e:
        with open(log, "a") as out:
            out.write("fakecloud: cannot run the hook: %s\n" % e)
        rc = 127
    with st.lock:
        entry.update(exit=rc, ended=now())
        op = res["op"]
        if rc != 0:
            op["error"] = {"code": "VMHookFailed",
                           "message": "The test's VM hook for '%s' exited with %d (see %s)." % (name, rc, log)}
        op["done_at"] = now()


# Public IP addresses -----------------------------------------------------------------
def pip_stored(app, path, req, new, old):
    st = app.st
    static = dig(req, "properties", "publicIPAllocationMethod") == "Static" and dig(req, "sku", "name") == "Standard"
    if not static:
        return       # the merged recorded shape stays as it is
    ip = dig(old, "ip") if old else None
    if not ip:
        name = path.rstrip("/").split("/")[-1]
        want = {k.lower(): v for k, v in (st.script.get("public_ips") or {}).items()}
        ip = want.get(name.lower())
        if not ip:
            taken = {r.get("ip") for r in st.resources.values()} | set(want.values())
            n = 2
            while "127.0.0.%d" % n in taken:
                n += 1
            ip = "127.0.0.%d" % n
    new["ip"] = ip
    new["body"].setdefault("properties", {})["ipAddress"] = ip


TYPES = {
    "virtualmachines": {"validate": vm_validate, "stored": vm_stored},
    "publicipaddresses": {"stored": pip_stored},
}
ROUTES = [
    ("GET", re.compile(IMAGE_PATH + r"/skus/?$", re.I), images_skus),
    ("GET", re.compile(IMAGE_PATH + r"/skus/([^/]+)/versions(?:/([^/]+))?$", re.I), images_versions),
    ("GET", re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/skus$", re.I), skus),
    ("GET", re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/locations/[^/]+/usages$", re.I), usages),
]
