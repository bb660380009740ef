"""fake_arm: routes one request to a Reply. Resource groups, providers, the generic
ARM resource (PUT/PATCH/GET/DELETE with long-running operations), api-version and
reference checks, role assignments. Type-specific rules live in fake_compute,
fake_acr and fake_aks (TYPES and ROUTES there)."""
import copy
import json
import re

import azure_rules
import fake_acr
import fake_aks
import fake_compute
import fake_login
import fake_net
from fake_core import (Reply, arm_error, deep_merge, dig, iso, now, recorded, type_segments)

ARM_RES = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+)(/providers/([^/]+)/.+)$", re.I)
RG = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)$", re.I)
PROVIDER = re.compile(r"^/subscriptions/([^/]+)/providers/([^/]+)(/register)?$", re.I)
OPERATION = re.compile(r"/(?:operations|operationresults|operationStatuses)/(fakeop-[0-9a-f]+)$", re.I)
PERMISSIONS = re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.Authorization/permissions$", re.I)
ROLE_LIST = re.compile(r"^/subscriptions/([^/]+)/providers/Microsoft\.Authorization/roleAssignments$", re.I)
ROLE_DEF = re.compile(r"^(/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$", re.I)
# $filter values of RoleAssignments_ListForSubscription: atScope() and principalId eq {id} in the
# specification (authorization-RoleAssignmentsCalls.json, RoleAssignmentFilterParameter), and
# assignedTo('{objectId}'), alone or after "atScope() and", in learn.microsoft.com's "List Azure role
# assignments using the REST API".
ROLE_FILTER = re.compile(r"^(?:(atScope\(\))|(?:(atScope\(\)) and )?assignedTo\('([0-9a-f-]+)'\)"
                         r"|principalId eq '?([0-9a-f-]+)'?)$", re.I)
CALLER_OID = "22222222-2222-2222-2222-222222222222"   # the oid of every token (fake_core.mint_access)
CALLER_ROLE = "77777777-7777-7777-7777-777777777777"  # the caller's role: the script's "permissions"
ROLE = re.compile(r"^(.+)/providers/Microsoft\.Authorization/roleAssignments/([^/]+)$", re.I)
ARM_ID = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/.+", re.I)

# api-versions ARM accepts, by provider namespace, for routes Azure's SDK models
# (azure_models.py) do not describe (the operation URLs, Microsoft.MarketplaceOrdering):
# the api-versions doc/azure-models.md lists, every apiVersion in recordings/index.json (whose
# sources recordings/README.md names), and the versions of the SDK packages in package.json.
API_VERSIONS = {
    "microsoft.resources": ["2021-04-01", "2022-09-01", "2024-03-01", "2022-12-01"],
    "microsoft.network": ["2024-10-01", "2024-07-01"],
    "microsoft.compute": ["2024-11-01", "2025-04-01", "2024-03-02", "2021-07-01"],
    "microsoft.marketplaceordering": ["2021-01-01"],
    "microsoft.authorization": ["2022-04-01", "2018-01-01-preview", "2020-04-01-preview"],
    "microsoft.containerregistry": ["2025-11-01", "2025-04-01", "2025-03-01-preview",
                                    "2026-09-01-preview", "2021-06-01-preview"],
    "microsoft.containerservice": ["2025-07-01", "2025-05-01"],
}
# Where the fake's own Azure-AsyncOperation URLs point, with a version the namespace knows.
OP_API = {ns: v[0] for ns, v in API_VERSIONS.items()}

TYPES = {}
TYPES.update(fake_compute.TYPES)
TYPES.update(fake_acr.TYPES)
TYPES.update(fake_aks.TYPES)
TYPES.update(fake_net.TYPES)
ROUTES = fake_compute.ROUTES + fake_acr.ROUTES + fake_aks.ROUTES
PROXY_TYPES = {"roleassignments"}   # top-level types that carry no location


def namespace_of(path):
    """The provider namespace whose api-versions apply to path, or None (not ARM)."""
    low = path.lower()
    if low.startswith("/v1.0/") or OPERATION.search(path):
        return None
    if low in ("/tenants", "/subscriptions") or RG.match(path) or PROVIDER.match(path) \
            or re.match(r"^/subscriptions/[^/]+/?$", low):
        return "microsoft.resources"
    m = re.findall(r"/providers/([^/]+)", path, re.I)
    return m[-1].lower() if m else None


class App:
    """Routes one request to a Reply. Callers hold st.lock."""

    def __init__(self, st, base):
        self.st = st
        self.base = base
        self.handler_path = ""
        self.model = None       # the SDK model that judged the request (azure_models.py)

    # Operations -----------------------------------------------------------
    def new_op(self, kind, target, seconds):
        st = self.st
        op = {"id": "fakeop-%08x" % st.next_id(), "done_at": now() + float(seconds), "kind": kind,
              "target": target, "start": iso(), "error": None}
        st.ops[op["id"]] = op
        return op

    def op_headers(self, sub, ns, op, location_only=False):
        hdrs = {"Retry-After": str(self.st.script["retry_after"])}
        if location_only:
            if op["kind"] == "post":
                hdrs["Location"] = "%s/subscriptions/%s/providers/%s/locations/EASTUS/operationResults/%s" \
                                   "?api-version=%s" % (self.base, sub, ns, op["id"], OP_API.get(ns.lower(), "2021-04-01"))
            else:
                hdrs["Location"] = "%s/subscriptions/%s/operationresults/%s?api-version=2021-04-01" % (
                    self.base, sub, op["id"])
        else:
            hdrs["Azure-AsyncOperation"] = ("%s/subscriptions/%s/providers/%s/locations/eastus/operations/%s"
                                            "?api-version=%s" % (self.base, sub, ns, op["id"],
                                                                 OP_API.get(ns.lower(), "2021-04-01")))
        return hdrs

    def settle(self):
        """Finished deletions take effect whether or not anyone polled them."""
        st = self.st
        for o in st.ops.values():
            if o["kind"] == "delete" and not o.get("applied") and now() >= o["done_at"]:
                o["applied"] = True
                t = o["target"]
                st.resources = {k: v for k, v in st.resources.items() if not (k == t or k.startswith(t + "/"))}
                st.groups.pop(t, None)

    def operation(self, op_id):
        st = self.st
        o = st.ops[op_id]
        hdrs = {"Retry-After": str(st.script["retry_after"])}
        running = now() < o["done_at"]
        if o["kind"] in ("delete", "post"):
            if running:
                return Reply(202, None, dict(hdrs, Location=self.base + self.handler_path))
            if o["error"]:
                return Reply(400, {"error": o["error"]})
            return Reply(200, o.get("result"))
        body = {"status": "InProgress" if running else ("Failed" if o["error"] else "Succeeded"),
                "name": op_id, "startTime": o["start"]}
        if not running:
            body["endTime"] = iso(min(o["done_at"], now()))
            if o["error"]:
                body["error"] = o["error"]
        return Reply(200, body, hdrs)

    # Routing ----------------------------------------------------------------
    def route(self, method, path, query, headers, body):
        st = self.st
        if re.match(r"^/[^/]+/oauth2/v2\.0/devicecode$", path):
            return fake_login.devicecode(self, body)
        if re.match(r"^/[^/]+/oauth2/v2\.0/token$", path):
            return fake_login.token(self, body)
        auth = fake_login.check_auth(self, headers)
        if auth:
            return auth
        if path.lower().startswith("/v1.0/"):
            return fake_login.graph(self, method, path, body)
        self.settle()
        m = OPERATION.search(path)
        if m and method == "GET" and m.group(1) in st.ops:
            return self.operation(m.group(1))
        bad = self.check_api_version(method, path, query, body) or self.check_media_type(path, headers)
        if bad:
            return bad
        m = ROLE.match(path)
        if m and method == "PUT":
            return self.role_assignment(m.group(1), m.group(2), path, body)
        if method == "GET" and PERMISSIONS.match(path):
            # The 2022-04-01 specification (authorization-RoleDefinitionsCalls.json) has permissions
            # for a resource group or a resource only: ARM's answer for a type it does not serve.
            return arm_error(404, "InvalidResourceType", "The resource type 'permissions' could not be found in the "
                             "namespace 'Microsoft.Authorization' for api version '%s'." % query.get("api-version"))
        m = ROLE_LIST.match(path)
        if m and method == "GET":
            return self.role_assignment_list(m.group(1), query.get("$filter"))
        m = ROLE_DEF.match(path)
        if m and method == "GET":
            return self.role_definition(path, m.group(2))
        for meth, rx, fn in ROUTES:
            m = rx.match(path)
            if m and meth == method:
                return fn(self, m, path, query, body)
        m = PROVIDER.match(path)
        if m:
            return self.provider(method, m.group(1), m.group(2), bool(m.group(3)))
        m = RG.match(path)
        if m:
            return self.group(method, m.group(1), m.group(2), path, body)
        m = ARM_RES.match(path)
        if m and method in ("PUT", "GET", "DELETE", "PATCH") and not path.lower().endswith("/agreements/current"):
            return self.resource(method, m.group(1), path, m.group(3), body)
        rec = st.rec.find(method, path)
        if rec:
            return recorded(st, rec)
        return arm_error(404, "NotFoundInFake", "fakecloud has no answer for %s %s" % (method, path))

    def check_api_version(self, method, path, query, body):
        ns = namespace_of(path)
        if ns is None:
            return None
        v = query.get("api-version")
        if not v:
            return arm_error(400, "MissingApiVersionParameter",
                             "The api-version query parameter (?api-version=) is required for all requests.")
        if self.st.models.match(path):
            # Azure's SDK models (azure_models.py) know this route: its api-versions and bodies.
            bad, self.model = self.st.models.check(method, path, query, body)
            return bad
        extra = {k.lower(): v2 for k, v2 in (self.st.script.get("api_versions") or {}).items()}
        if ns not in API_VERSIONS and ns not in extra:
            return None
        ok = API_VERSIONS.get(ns, []) + list(extra.get(ns, []))
        if v in ok:
            return None
        return arm_error(400, "InvalidApiVersionParameter",
                         "The api-version '%s' is invalid. The supported versions are '%s'." % (v, ",".join(ok)))

    def check_media_type(self, path, headers):
        """ARM reads request bodies as JSON only: any other Content-Type (curl's default
        form-urlencoded on a body-less POST included) is 415 UnsupportedMediaType, as
        Azure/azure-cli issues #10143 and #13056 show; no Content-Type is fine (az sends none
        without a body)."""
        ctype = headers.get("Content-Type")
        if namespace_of(path) is None or ctype is None or ctype.split(";")[0].strip().lower() == "application/json":
            return None
        return arm_error(415, "UnsupportedMediaType", "The content media type '%s' is not supported. Only "
                         "'application/json' is supported." % ctype.split(";")[0].strip())

    # Providers and groups -----------------------------------------------------
    def provider(self, method, sub, ns, register):
        st = self.st
        if register and method == "POST":
            st.registered.setdefault(ns.lower(), now())
        state = "Registered"
        if ns.lower() in [u.lower() for u in st.script["unregistered"]]:
            since = st.registered.get(ns.lower())
            if since is None:
                state = "NotRegistered"
            elif now() - since < float(st.script["register_seconds"]):
                state = "Registering"
        return Reply(200, {"id": "/subscriptions/%s/providers/%s" % (sub, ns), "namespace": ns,
                           "registrationState": state})

    def group_missing(self, name):
        r = recorded(self.st, "arm/resources/resourceGroups_get_404_ResourceGroupNotFound.json")
        r.body["error"]["message"] = "Resource group '%s' could not be found." % name
        return r

    def group(self, method, sub, name, path, body):
        st = self.st
        key = path.lower()
        if method == "PUT":
            req, bad = self.parse_body(body)
            if bad:
                return bad
            if not req.get("location"):
                return arm_error(400, "LocationRequired", "The location property is required for this definition.")
            rec = "arm/resources/resourceGroups_createOrUpdate_%s.json" % ("200" if key in st.groups else "201")
            r = recorded(st, rec)
            r.body.update({"id": "/subscriptions/%s/resourceGroups/%s" % (sub, name), "name": name,
                           "location": req["location"]})
            if "tags" in req:
                r.body["tags"] = req["tags"]
            lro = float(st.script["group_lro_seconds"])
            if key not in st.groups and lro > 0:
                # Not what Azure does for groups, but a cheap LRO for crash tests.
                r.body.setdefault("properties", {})["provisioningState"] = "Creating"
                r.headers.update(self.op_headers(sub, "Microsoft.Resources", self.new_op("put", key, lro)))
                st.groups[key] = copy.deepcopy(r.body)
                st.groups[key]["properties"]["provisioningState"] = "Succeeded"
                return r
            st.groups[key] = r.body
            return r
        if key not in st.groups:
            return self.group_missing(name)
        if method == "GET":
            return Reply(200, st.groups[key])
        if method == "DELETE":
            return Reply(202, None, self.op_headers(sub, "Microsoft.Resources",
                                                    self.new_op("delete", key, st.script["lro_seconds"]), True))
        return arm_error(405, "MethodNotAllowed", "fakecloud: %s on a resource group" % method)

    # Resources ------------------------------------------------------------------
    def parse_body(self, body):
        """(object, None) or (None, 400 InvalidRequestContent)."""
        try:
            req = json.loads(body or b"{}")
        except ValueError as e:
            return None, arm_error(400, "InvalidRequestContent",
                                   "The request content was invalid and could not be deserialized: '%s'." % e)
        if not isinstance(req, dict):
            return None, arm_error(400, "InvalidRequestContent",
                                   "The request content was invalid and could not be deserialized: "
                                   "'Error converting value to type ResourceDefinition. Path '', line 1'.")
        return req, None

    def lookup(self, rid):
        """The stored record of an ARM id, or None."""
        return self.st.resources.get(rid.lower().rstrip("/"))

    def exists(self, rid):
        """An ARM id names a stored resource, or a child declared inline in its parent."""
        if self.lookup(rid):
            return True
        ns, types, names = type_segments(rid)
        if len(types) < 2 or len(names) < len(types):
            return False
        parent = self.lookup(rid.rsplit("/", 2)[0])
        kids = dig(parent, "body", "properties", types[-1]) if parent else None
        return isinstance(kids, list) and any(str(k.get("name", "")).lower() == names[-1].lower()
                                              for k in kids if isinstance(k, dict))

    def check_references(self, path, req):
        """400 InvalidResourceReference for an {"id": ...} naming a missing resource."""
        own = path.lower()
        found = []

        def walk(o, top):
            if isinstance(o, dict):
                for k, v in o.items():
                    if k.lower() == "id" and not top and isinstance(v, str) and ARM_ID.match(v) \
                            and not v.lower().startswith(own):
                        found.append(v)
                    else:
                        walk(v, False)
            elif isinstance(o, list):
                for v in o:
                    walk(v, False)
        walk(req, True)
        for rid in found:
            if not self.exists(rid):
                return arm_error(400, "InvalidResourceReference",
                                 "Resource %s referenced by resource %s was not found. Please make sure that the "
                                 "referenced resource exists, and that both resources are in the same region."
                                 % (rid, path))
        return None

    def not_found(self, path, rg_path):
        ns, types, names = type_segments(path)
        return arm_error(404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found." % (
            ns, "/".join(a + "/" + b for a, b in zip(types, names)), rg_path.split("/")[-1]))

    def resource(self, method, rg_path, path, ns, body):
        st = self.st
        key = path.lower()
        sub = path.split("/")[2]
        if rg_path.lower() not in st.groups:
            return self.group_missing(rg_path.split("/")[-1])
        res = st.resources.get(key)
        _, types, names = type_segments(path)
        kind = types[-1].lower()
        hooks = TYPES.get(kind)
        if method == "GET":
            if res is None:
                return self.not_found(path, rg_path)
            return Reply(200, self.resource_body(res))
        if method == "DELETE":
            if res is None:
                return Reply(204, None)
            return Reply(202, None, self.op_headers(sub, ns, self.new_op("delete", key, st.lro_for(kind)), True))
        req, bad = self.parse_body(body)
        if bad:
            return bad
        if len(types) > 1 and not self.lookup(path.rsplit("/", 2)[0]):
            return arm_error(404, "ParentResourceNotFound",
                             "Can not perform requested operation on nested resource. Parent resource '%s' not found."
                             % "/".join(names[:-1]))
        if method == "PATCH" and res is None:
            return self.not_found(path, rg_path)
        if method == "PUT" and len(types) == 1 and kind not in PROXY_TYPES and not req.get("location"):
            return arm_error(400, "LocationRequired", "The location property is required for this definition.")
        bad = self.check_references(path, req)
        if bad:
            return bad
        if hooks and hooks.get("validate"):
            bad = hooks["validate"](self, path, req, res, method)
            if bad:
                return bad
        st.bodies.append({"method": method, "path": path, "body": req, "time": now()})
        existed = res is not None
        base = res["body"] if existed else (st.rec.find("GET", path) or {}).get("response", {}).get("body") or {}
        merged = deep_merge(copy.deepcopy(base), req)
        merged["id"] = path
        merged["name"] = names[-1]
        merged["type"] = "/".join([ns] + types)
        op = self.new_op("put", key, st.lro_for(kind))
        op["creating"] = not existed
        new = {"body": merged, "req": req if not existed else deep_merge(res["req"], req), "op": op,
               "created": res["created"] if existed else now()}
        st.resources[key] = new
        if hooks and hooks.get("stored"):
            hooks["stored"](self, path, req, new, res)
        return Reply(200 if existed else 201, self.resource_body(new), self.op_headers(sub, ns, op))

    def resource_body(self, res):
        body = copy.deepcopy(res["body"])
        props = body.setdefault("properties", {})
        op = res["op"]
        if isinstance(props, dict):
            if now() < op["done_at"]:
                props["provisioningState"] = "Creating" if op.get("creating", True) else "Updating"
            else:
                props["provisioningState"] = "Failed" if op["error"] else "Succeeded"
        return body

    def ready(self, res):
        return res is not None and now() >= res["op"]["done_at"] and not res["op"]["error"]

    # RBAC ------------------------------------------------------------------------
    def role_assignment_list(self, sub, flt):
        """The caller's role at the subscription (its permissions from the script), and the
        assignments this fake was sent, as the filter selects them."""
        st = self.st
        at_scope, who = False, None
        if flt is not None:
            f = ROLE_FILTER.match(flt.strip())
            if not f:
                return arm_error(400, "UnsupportedQuery", "The filter '%s' is not supported." % flt)
            at_scope = bool(f.group(1) or f.group(2))
            who = (f.group(3) or f.group(4) or "").lower() or None
        scope = "/subscriptions/%s" % sub
        out = []
        if who in (None, CALLER_OID):
            out.append({"properties": {"roleDefinitionId": "%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (
                scope, CALLER_ROLE), "principalId": CALLER_OID, "principalType": "User", "scope": scope},
                "id": "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (scope, CALLER_ROLE),
                "type": "Microsoft.Authorization/roleAssignments", "name": CALLER_ROLE})
        if not at_scope:   # the install's own assignments sit below the subscription
            for (sc, principal, role), name in st.role_assignments.items():
                if who in (None, principal) and sc.startswith(scope.lower() + "/"):
                    out.append({"properties": {"roleDefinitionId": role, "principalId": principal,
                                               "principalType": "ServicePrincipal", "scope": sc},
                                "id": "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (sc, name),
                                "type": "Microsoft.Authorization/roleAssignments", "name": name})
        return Reply(200, {"value": out})

    def role_definition(self, path, name):
        """RoleDefinitions_GetById (examples/GetRoleDefinitionById.json): the caller's role only."""
        if name.lower() != CALLER_ROLE:
            return arm_error(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does "
                             "not exist." % name)
        return Reply(200, {"properties": {"roleName": "fakecloud caller", "type": "CustomRole",
                                          "description": "the permissions of the fake's script",
                                          "assignableScopes": [path.split("/providers/")[0] or "/"],
                                          "permissions": self.st.script["permissions"]},
                           "id": path, "type": "Microsoft.Authorization/roleDefinitions", "name": name})

    def role_assignment(self, scope, name, path, body):
        st = self.st
        req, bad = self.parse_body(body)
        if bad:
            return bad
        req = req.get("properties", {})
        principal = str(req.get("principalId")).lower()
        ident = (scope.lower(), principal, str(req.get("roleDefinitionId")).lower())
        bad = azure_rules.refuse(self, "role.assign", {"principal": principal, "ident": ident, "name": name})
        if bad:
            return bad
        st.role_assignments[ident] = name.lower()
        st.bodies.append({"method": "PUT", "path": path, "body": {"properties": req}, "time": now()})
        r = recorded(st, "arm/authorization/roleAssignments_create_201.json")
        r.body.update({"id": path, "name": name})
        r.body.setdefault("properties", {}).update(req, scope=scope)
        return r
