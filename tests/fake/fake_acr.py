"""fake_acr: container registries: global name availability, create with a login
server, admin credentials, and importImage from (a fake) Docker Hub as a Location-polled
long-running operation."""
import base64
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import azure_rules
import fakehub
from fake_core import Reply, arm_error, dig, iso, now, recorded

REG = r"^(/subscriptions/([^/]+)/resourcegroups/[^/]+/providers/Microsoft\.ContainerRegistry/registries/([^/]+))"
HUB_HOSTS = ("docker.io", "registry-1.docker.io", "index.docker.io", "registry.hub.docker.com")
NAME_OK = re.compile(r"^[A-Za-z0-9]{5,50}$")


def name_owner(app, name, exclude=None):
    """'script' when another subscription owns name, the id of a registry here that has it, or None."""
    if name.lower() in [n.lower() for n in app.st.script.get("taken_registry_names") or []]:
        return "script"
    for key, res in app.st.resources.items():
        if key != exclude and res["body"].get("type", "").lower() == "microsoft.containerregistry/registries" \
                and res["body"].get("name", "").lower() == name.lower():
            return key
    return None


def check_name(app, m, path, query, body):
    req, bad = app.parse_body(body)
    if bad:
        return bad
    name = str(req.get("name", ""))
    if req.get("type") != "Microsoft.ContainerRegistry/registries":
        return arm_error(400, "InvalidParameter", "The type '%s' is not supported." % req.get("type"), target="type")
    if not NAME_OK.match(name):
        return Reply(200, {"nameAvailable": False, "reason": "Invalid",
                           "message": "The specified resource name is invalid. A registry name must be 5 to 50 "
                                      "alphanumeric characters."})
    if name_owner(app, name):
        r = recorded(app.st, "arm/containerregistry/checkNameAvailability_200_alreadyExists.json")
        r.body["message"] = "The registry %s is already in use." % name
        return r
    r = recorded(app.st, "arm/containerregistry/checkNameAvailability_200_available.json")
    if "availableLoginServerName" in r.body:
        r.body["availableLoginServerName"] = "%s.azurecr.io" % name.lower()
    return r


def registry_validate(app, path, req, old, method):
    name = path.rstrip("/").split("/")[-1]
    if old is None:
        if not NAME_OK.match(name):
            return arm_error(400, "InvalidParameter", "Registry name '%s' is invalid: 5 to 50 alphanumeric "
                             "characters." % name, target="registryName")
        bad = azure_rules.refuse(app, "registry.create", {"name": name, "path": path.lower()})
        if bad:
            return bad
        if not dig(req, "sku", "name"):
            return arm_error(400, "InvalidParameter", "The sku of the registry is required.", target="sku")
    return None


def registry_stored(app, path, req, new, old):
    name = path.rstrip("/").split("/")[-1]
    props = new["body"].setdefault("properties", {})
    props["loginServer"] = "%s.azurecr.io" % name.lower()
    props["adminUserEnabled"] = bool(dig(new["req"], "properties", "adminUserEnabled", default=False))
    if old is None:
        props["creationDate"] = iso()
        new["body"]["sku"] = dict(new["req"].get("sku", {}), tier=dig(new["req"], "sku", "name"))


def registry_of(app, m):
    res = app.lookup(m.group(1))
    if res is None:
        return None, arm_error(404, "ResourceNotFound", "The Resource 'Microsoft.ContainerRegistry/registries/%s' "
                               "under resource group '%s' was not found." % (m.group(3), m.group(1).split("/")[4]))
    return res, None


def list_credentials(app, m, path, query, body):
    res, bad = registry_of(app, m)
    if bad:
        return bad
    if not dig(res, "body", "properties", "adminUserEnabled"):
        return arm_error(400, "UnAuthorizedForCredentialOperations",
                         "Cannot perform credential operations for %s as admin user is disabled. Kindly enable "
                         "admin user as per docs: https://docs.microsoft.com/azure/container-registry/"
                         "container-registry-authentication#admin-account" % m.group(1))
    r = recorded(app.st, "arm/containerregistry/registries_listCredentials_200.json")
    r.body["username"] = m.group(3)
    app.st.secrets.extend(p["value"] for p in r.body["passwords"])
    return r


# importImage -------------------------------------------------------------------------
def split_source(src):
    """(host, repo, tag) of an import source, with Docker Hub's library/ default."""
    image = str(src.get("sourceImage", ""))
    host = str(src.get("registryUri", "")).lower()
    if not host and "/" in image and ("." in image.split("/")[0] or ":" in image.split("/")[0]):
        host, image = image.split("/", 1)
    if "@" in image:
        repo, tag = image.split("@", 1)
    elif ":" in image.rsplit("/", 1)[-1]:
        repo, tag = image.rsplit(":", 1)
    else:
        repo, tag = image, "latest"
    if host in HUB_HOSTS and "/" not in repo:
        repo = "library/" + repo
    return host or "docker.io", repo, tag


def hub_check(st, host, repo, tag, creds):
    """None when the source can be pulled, else the registry's error text."""
    hub = st.script.get("hub_url")
    # fakehub's own host:port is Docker Hub too (a wizard pointed at fakehub imports from it).
    if host not in HUB_HOSTS and not (hub and host == urllib.parse.urlsplit(hub).netloc):
        return "Get https://%s/v2/: dial tcp: lookup %s: no such host" % (host, host)
    if not hub:
        repos = st.script.get("hub_repos") or fakehub.DEFAULT_REPOS
        if repo not in repos:
            return "UNAUTHORIZED: authentication required"
        if tag not in repos[repo] and not tag.startswith("sha256:"):
            return "MANIFEST_UNKNOWN: manifest unknown"
        return None
    try:
        q = urllib.parse.urlencode({"service": "registry.docker.io", "scope": "repository:%s:pull" % repo})
        req = urllib.request.Request(hub.rstrip("/") + "/token?" + q)
        if creds:
            req.add_header("Authorization", "Basic " + base64.b64encode(
                ("%s:%s" % (creds.get("username", ""), creds.get("password", ""))).encode()).decode())
        with urllib.request.urlopen(req, timeout=10) as r:
            tok = json.load(r)["token"]
        req = urllib.request.Request("%s/v2/%s/manifests/%s" % (hub.rstrip("/"), repo, tag),
                                     headers={"Authorization": "Bearer " + tok,
                                              "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        with urllib.request.urlopen(req, timeout=10):
            return None
    except urllib.error.HTTPError as e:
        try:
            err = json.loads(e.read())
            if "errors" in err:
                return "%s: %s" % (err["errors"][0]["code"], err["errors"][0]["message"])
            return "unauthorized: %s" % err.get("details", "")
        except (ValueError, KeyError, IndexError):
            return "%d %s" % (e.code, e.reason)
    except (OSError, ValueError, KeyError) as e:
        return "cannot reach %s: %s" % (hub, e)


def import_image(app, m, path, query, body):
    st = app.st
    res, bad = registry_of(app, m)
    if bad:
        return bad
    req, bad = app.parse_body(body)
    if bad:
        return bad
    src = req.get("source") if isinstance(req.get("source"), dict) else {}
    if not src.get("sourceImage"):
        return arm_error(400, "InvalidParameter", "The source image is required.", target="source.sourceImage")
    creds = src.get("credentials") if isinstance(src.get("credentials"), dict) else None
    if creds and creds.get("password"):
        st.secrets.append(creds["password"])
    host, repo, tag = split_source(src)
    targets = req.get("targetTags") or ([] if req.get("untaggedTargetRepositories") else
                                        ["%s:%s" % (repo.replace("library/", "", 1), tag)])
    st.bodies.append({"method": "POST", "path": path, "body": req, "time": now()})
    op = app.new_op("post", m.group(1).lower(), float(st.script.get("import_seconds") or 0))
    entry = {"registry": m.group(3), "source": "%s/%s:%s" % (host, repo, tag), "targets": targets,
             "mode": req.get("mode", "NoForce"), "credentials": bool(creds), "status": "Running",
             "error": None, "operation": op["id"]}
    st.imports.append(entry)
    have = st.acr_tags.setdefault(m.group(1).lower(), set())
    clash = [t for t in targets if t in have] if req.get("mode", "NoForce") == "NoForce" else []
    due = op["done_at"]
    op["done_at"] = float("inf")

    def finish(msg):
        if clash and msg is None:
            msg = "Tag %s already exists in target registry." % clash[0]
        if msg:
            op["error"] = {"code": "InvalidParameters", "message": "Operation registries-%s failed. Resource %s "
                           "Image '%s' could not be imported: %s" % (op["id"], m.group(1), entry["source"], msg)}
            entry.update(status="Failed", error=msg)
        else:
            have.update(targets)
            entry["status"] = "Succeeded"
        op["done_at"] = max(now(), due)

    limited = azure_rules.refuse(app, "acr.import", {"host": host, "creds": creds})
    if limited:
        finish(limited)
    elif st.script.get("hub_url"):
        def work():
            msg = hub_check(st, host, repo, tag, creds)
            with st.lock:
                finish(msg)
        threading.Thread(target=work, daemon=True).start()
    else:
        finish(hub_check(st, host, repo, tag, creds))
    r = Reply(202, None, app.op_headers(m.group(2), "Microsoft.ContainerRegistry", op, location_only=True))
    r.raw = b"null"
    return r


TYPES = {"registries": {"validate": registry_validate, "stored": registry_stored}}
ROUTES = [
    ("POST", re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.ContainerRegistry/checkNameAvailability$", re.I),
     check_name),
    ("POST", re.compile(REG + r"/listCredentials$", re.I), list_credentials),
    ("POST", re.compile(REG + r"/importImage$", re.I), import_image),
]
