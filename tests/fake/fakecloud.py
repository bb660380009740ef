#!/usr/bin/env python3
"""fakecloud: a loopback Azure (login, ARM, Graph) for the wizard's tests.

Serves the recordings in recordings/ by method + path template, keeps the
resources it is sent in memory, runs long-running operations on a clock, and
applies per-test faults from a script. Standard library only. See README.md.
"""
import argparse
import base64
import copy
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
REAL_HOSTS = ("https://management.azure.com", "https://login.microsoftonline.com",
              "https://graph.microsoft.com")
DEFAULT_SCRIPT = {
    "require_auth": True,       # ARM and Graph answer 401 without a live token
    "token_lifetime": 3600,     # seconds an access token lives
    "lro_seconds": 0,           # how long every long-running operation runs
    "retry_after": 0,           # Retry-After on LRO answers
    "client_secret": "fake-secret-0001",
    "device_slow_down": 0,      # first N device-code polls answer slow_down
    "device_expires_in": 900,   # seconds until a device code expires
    "principal_not_found_for": 0,  # seconds after SP creation that role assignments fail
    "unregistered": [],         # resource provider namespaces that start NotRegistered
    "register_seconds": 0,      # how long a provider stays Registering after register
    "group_lro_seconds": 0,     # >0: a new resource group's PUT is a long-running operation
    "permissions": [{"actions": ["*"], "notActions": []}],  # the caller's (Owner by default)
    "faults": [],
}


def now():
    return time.time()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Recordings:
    """index.json plus the files, matched by method and path template."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "index.json")) as f:
            self.index = json.load(f)
        self.entries = []
        for e in self.index["files"]:
            pat = re.escape(e["pathTemplate"])
            pat = pat.replace(re.escape("{scope}"), ".+")
            pat = re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", pat)
            self.entries.append((e, re.compile("^" + pat + "$", re.I)))

    def load(self, name):
        with open(os.path.join(self.root, name)) as f:
            return json.load(f)

    def find(self, method, path, want_ok=True):
        """The recording for method+path; 2xx first unless want_ok is False."""
        hits = [e for e, rx in self.entries if e["method"] == method and rx.match(path)]
        if want_ok:
            hits.sort(key=lambda e: (not 200 <= e["status"] < 300, e["file"]))
        return self.load(hits[0]["file"]) if hits else None


class State:
    def __init__(self, recordings):
        self.lock = threading.Lock()
        self.rec = recordings
        self.script = dict(DEFAULT_SCRIPT)
        self.reset()

    def reset(self):
        self.requests = []
        self.resources = {}     # lower-case ARM id -> {"body", "ready_at", "deleting"}
        self.groups = {}        # lower-case RG id -> body
        self.ops = {}           # op id -> {"done_at", "kind", "target"}
        self.tokens = {}        # access token -> expiry
        self.refresh = set()
        self.devices = {}       # device code -> {"approved", "created", "polls"}
        self.secrets = []
        self.sp_created = None
        self.registered = {}    # lower-case namespace -> when register was called
        self.role_assignments = {}
        self.fault_hits = {}
        self.counter = 0

    def set_script(self, script):
        s = dict(DEFAULT_SCRIPT)
        s.update(script or {})
        self.script = s
        self.fault_hits = {}

    def next_id(self):
        self.counter += 1
        return self.counter

    def mint_access(self, aud):
        n = self.next_id()
        exp = int(now() + float(self.script["token_lifetime"]))
        head = b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
        body = b64url(json.dumps({
            "aud": aud, "tid": "11111111-1111-1111-1111-111111111111",
            "oid": "22222222-2222-2222-2222-222222222222", "iat": int(now()),
            "exp": exp, "jti": "fake-%04d" % n, "note": "FAKE TOKEN FOR TESTS"}).encode())
        tok = "%s.%s.%s" % (head, body, b64url(b"fake-signature"))
        self.tokens[tok] = now() + float(self.script["token_lifetime"])
        self.secrets.append(tok)
        return tok

    def mint_refresh(self):
        tok = "fake-refresh-token-%s" % uuid.uuid4().hex[:12]
        self.refresh.add(tok)
        self.secrets.append(tok)
        return tok


class Reply:
    """One response; a fault may change how it is sent."""

    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.mode = None        # None, "reset" or "slow"
        self.chunks = 5
        self.delay = 0.2


def arm_error(status, code, message, headers=None):
    return Reply(status, {"error": {"code": code, "message": message}}, headers)


def oauth_error(st, error, desc, status=400):
    return Reply(status, {"error": error, "error_description": desc, "error_codes": [0],
                          "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                          "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4()),
                          "error_uri": "https://login.microsoftonline.com/error"})


def recorded(st, name_or_rec):
    rec = st.rec.load(name_or_rec) if isinstance(name_or_rec, str) else name_or_rec
    r = rec["response"]
    hdrs = {k: v for k, v in r["headers"].items() if k.lower() not in ("content-length", "date")}
    return Reply(r["status"], copy.deepcopy(r["body"]), hdrs)


def deep_merge(base, extra):
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = deep_merge(base.get(k), v) if k in base else v
        return out
    return extra


ARM_RES = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+)(/providers/([^/]+)/.+)$", re.I)
RG = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)$", re.I)
PROVIDER = re.compile(r"^/subscriptions/([^/]+)/providers/([^/]+)(/register)?$", re.I)
OPERATION = re.compile(r"/(?:operations|operationresults|operationStatuses)/(fakeop-[0-9a-f]+)$", re.I)
PERMISSIONS = re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.Authorization/permissions$", re.I)
ROLE = re.compile(r"^(.+)/providers/Microsoft\.Authorization/roleAssignments/([^/]+)$", re.I)


class App:
    """Routes one request to a Reply. Callers hold st.lock."""

    def __init__(self, st, base):
        self.st = st
        self.base = base

    def op_headers(self, sub, ns, kind, target, location_only=False, seconds=None):
        st = self.st
        op = "fakeop-%08x" % st.next_id()
        if seconds is None:
            seconds = st.script["lro_seconds"]
        st.ops[op] = {"done_at": now() + float(seconds), "kind": kind, "target": target,
                     "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        hdrs = {"Retry-After": str(st.script["retry_after"])}
        if location_only:
            hdrs["Location"] = "%s/subscriptions/%s/operationresults/%s?api-version=2021-04-01" % (self.base, sub, op)
        else:
            hdrs["Azure-AsyncOperation"] = ("%s/subscriptions/%s/providers/%s/locations/eastus/operations/%s"
                                            "?api-version=2024-07-01" % (self.base, sub, ns, op))
        return hdrs

    def route(self, method, path, query, headers, body):
        st = self.st
        if re.match(r"^/[^/]+/oauth2/v2\.0/devicecode$", path):
            return self.devicecode(body)
        if re.match(r"^/[^/]+/oauth2/v2\.0/token$", path):
            return self.token(body)
        auth = self.check_auth(headers)
        if auth:
            return auth
        if path.lower().startswith("/v1.0/"):
            return self.graph(method, path, body)
        m = OPERATION.search(path)
        if m and method == "GET" and m.group(1) in st.ops:
            return self.operation(m.group(1))
        m = ROLE.match(path)
        if m and method == "PUT":
            return self.role_assignment(m.group(1), m.group(2), path, body)
        if method == "GET" and PERMISSIONS.match(path):
            return Reply(200, {"value": st.script["permissions"]})
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

    # Login -------------------------------------------------------------
    def devicecode(self, body):
        st = self.st
        r = recorded(st, "auth/devicecode_200.json")
        code = "FAKE-DEVICE-CODE-%s" % uuid.uuid4().hex[:16]
        st.devices[code] = {"approved": False, "declined": False, "created": now(), "polls": 0}
        st.secrets.append(code)
        r.body["device_code"] = code
        r.body["interval"] = 1
        r.body["expires_in"] = st.script["device_expires_in"]
        return r

    def token(self, body):
        st = self.st
        form = dict(parse_qsl(body.decode(errors="replace")))
        grant = form.get("grant_type", "")
        scope = form.get("scope", "https://management.core.windows.net//.default")
        aud = scope.split()[0].replace("/.default", "")
        if grant.endswith("device_code"):
            dev = st.devices.get(form.get("device_code", ""))
            if dev is None:
                return oauth_error(st, "bad_verification_code", "AADSTS70019: unknown device code")
            dev["polls"] += 1
            if now() - dev["created"] > float(st.script["device_expires_in"]):
                return recorded(st, "auth/token_device_expired_token_400.json")
            if dev["declined"]:
                return oauth_error(st, "authorization_declined", "AADSTS70000: the user declined")
            if dev["polls"] <= int(st.script["device_slow_down"]):
                return recorded(st, "auth/token_device_slow_down_400.json")
            if not dev["approved"]:
                return recorded(st, "auth/token_device_authorization_pending_400.json")
            r = recorded(st, "auth/token_device_success_200.json")
            r.body["refresh_token"] = st.mint_refresh()
        elif grant == "refresh_token":
            if form.get("refresh_token") not in st.refresh:
                return oauth_error(st, "invalid_grant", "AADSTS70000: the refresh token is not valid")
            r = recorded(st, "auth/token_refresh_200.json")
            r.body["refresh_token"] = st.mint_refresh()
        elif grant == "client_credentials":
            if form.get("client_secret") != st.script["client_secret"]:
                return recorded(st, "auth/token_client_credentials_invalid_client_401.json")
            r = recorded(st, "auth/token_client_credentials_200.json")
        else:
            return oauth_error(st, "unsupported_grant_type", "AADSTS70003: unsupported grant type")
        r.body["access_token"] = st.mint_access(aud)
        r.body["expires_in"] = r.body["ext_expires_in"] = int(float(st.script["token_lifetime"]))
        return r

    def check_auth(self, headers):
        st = self.st
        if not st.script["require_auth"]:
            return None
        h = headers.get("Authorization", "")
        tok = h[7:] if h.lower().startswith("bearer ") else ""
        www = ('Bearer authorization_uri="%s/11111111-1111-1111-1111-111111111111", '
               'error="invalid_token", error_description="The access token is missing or expired."' % self.base)
        if tok not in st.tokens:
            return arm_error(401, "InvalidAuthenticationToken",
                             "The access token is invalid.", {"WWW-Authenticate": www})
        if st.tokens[tok] <= now():
            return arm_error(401, "ExpiredAuthenticationToken",
                             "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." % (
                                 time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(st.tokens[tok])),
                                 time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime())),
                             {"WWW-Authenticate": www})
        return None

    # Graph ---------------------------------------------------------------
    def graph(self, method, path, body):
        st = self.st
        low = path.lower()
        if method == "POST" and low == "/v1.0/serviceprincipals":
            st.sp_created = now()
        if method == "GET" and low.startswith("/v1.0/serviceprincipals/"):
            if st.sp_created is None or now() - st.sp_created < float(st.script["principal_not_found_for"]):
                return recorded(st, "graph/servicePrincipals_get_404_Request_ResourceNotFound.json")
            r = recorded(st, "graph/servicePrincipals_create_201.json")
            r.status = 200
            r.headers.pop("Location", None)
            return r
        rec = st.rec.find(method, path)
        if rec is None:
            return Reply(404, {"error": {"code": "Request_ResourceNotFound", "message": "no such object"}})
        r = recorded(st, rec)
        if isinstance(r.body, dict) and r.body.get("secretText"):
            st.secrets.append(r.body["secretText"])
        return r

    # ARM -----------------------------------------------------------------
    def operation(self, op):
        st = self.st
        o = st.ops[op]
        hdrs = {"Retry-After": str(st.script["retry_after"])}
        running = now() < o["done_at"]
        if o["kind"] == "delete":
            if running:
                return Reply(202, None, dict(hdrs, Location=self.base + self.handler_path))
            st.resources = {k: v for k, v in st.resources.items() if not k.startswith(o["target"])}
            st.groups.pop(o["target"], None)
            return Reply(200, None)
        return Reply(200, {"status": "InProgress" if running else "Succeeded",
                           "name": op, "startTime": o["start"]}, hdrs)

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

    def group(self, method, sub, name, path, body):
        st = self.st
        key = path.lower()
        if method == "PUT":
            rec = "arm/resources/resourceGroups_createOrUpdate_%s.json" % ("200" if key in st.groups else "201")
            r = recorded(st, rec)
            req = json.loads(body or b"{}")
            r.body.update({"id": "/subscriptions/%s/resourceGroups/%s" % (sub, name), "name": name,
                           "location": req.get("location", "eastus")})
            if "tags" in req:
                r.body["tags"] = req["tags"]
            lro = float(st.script["group_lro_seconds"])
            if key not in st.groups and lro > 0:
                # Not what Azure does for groups, but a cheap LRO for crash tests.
                r.body.setdefault("properties", {})["provisioningState"] = "Creating"
                r.headers.update(self.op_headers(sub, "Microsoft.Resources", "put", key, seconds=lro))
                st.groups[key] = copy.deepcopy(r.body)
                st.groups[key]["properties"]["provisioningState"] = "Succeeded"
                return r
            st.groups[key] = r.body
            return r
        if key not in st.groups:
            r = recorded(st, "arm/resources/resourceGroups_get_404_ResourceGroupNotFound.json")
            r.body["error"]["message"] = "Resource group '%s' could not be found." % name
            return r
        if method == "GET":
            return Reply(200, st.groups[key])
        if method == "DELETE":
            return Reply(202, None, self.op_headers(sub, "Microsoft.Resources", "delete", key, True))
        return arm_error(405, "MethodNotAllowed", "fakecloud: %s on a resource group" % method)

    def resource(self, method, rg_path, path, ns, body):
        st = self.st
        key = path.lower()
        sub = path.split("/")[2]
        if rg_path.lower() not in st.groups:
            r = recorded(st, "arm/resources/resourceGroups_get_404_ResourceGroupNotFound.json")
            r.body["error"]["message"] = "Resource group '%s' could not be found." % rg_path.split("/")[-1]
            return r
        res = st.resources.get(key)
        if method == "GET":
            if res is None:
                return arm_error(404, "ResourceNotFound", "The Resource '%s' under resource group '%s' was not found." % (
                    "/".join(path.split("/")[6:]), rg_path.split("/")[-1]))
            return Reply(200, self.resource_body(res))
        if method == "DELETE":
            if res is None:
                return Reply(204, None)
            return Reply(202, None, self.op_headers(sub, ns, "delete", key, True))
        # PUT / PATCH: the recorded GET shape merged with what the client sent.
        req = json.loads(body or b"{}")
        existed = res is not None
        base = res["body"] if existed else (st.rec.find("GET", path) or {}).get("response", {}).get("body") or {}
        merged = deep_merge(copy.deepcopy(base), req)
        parts = path.split("/")
        merged["id"] = path
        merged["name"] = parts[-1]
        merged["type"] = "/".join([parts[6]] + parts[7::2])
        res = {"body": merged, "ready_at": now() + float(st.script["lro_seconds"])}
        st.resources[key] = res
        return Reply(200 if existed else 201, self.resource_body(res, "Updating" if existed else "Creating"),
                     self.op_headers(sub, ns, "put", key))

    def resource_body(self, res, running_state="Creating"):
        body = copy.deepcopy(res["body"])
        props = body.setdefault("properties", {})
        if isinstance(props, dict):
            props["provisioningState"] = "Succeeded" if now() >= res["ready_at"] else running_state
        return body

    def role_assignment(self, scope, name, path, body):
        st = self.st
        req = json.loads(body or b"{}").get("properties", {})
        if st.sp_created is not None and now() - st.sp_created < float(st.script["principal_not_found_for"]):
            return recorded(st, "arm/authorization/roleAssignments_create_400_PrincipalNotFound.json")
        ident = (scope.lower(), str(req.get("principalId")).lower(), str(req.get("roleDefinitionId")).lower())
        other = st.role_assignments.get(ident)
        if other is not None and other != name.lower():
            return recorded(st, "arm/authorization/roleAssignments_create_409_RoleAssignmentExists.json")
        st.role_assignments[ident] = name.lower()
        r = recorded(st, "arm/authorization/roleAssignments_create_201.json")
        r.body.update({"id": path, "name": name})
        r.body.setdefault("properties", {}).update(req, scope=scope)
        return r


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakecloud/1"

    def log_message(self, fmt, *args):
        pass

    def do_any(self):
        st = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_fake/"):
            return self.control(path, body)
        with st.lock:
            entry = {"method": self.command, "path": path, "query": query,
                     "auth": "Authorization" in self.headers,
                     "request_id": self.headers.get("x-ms-client-request-id"),
                     "user_agent": self.headers.get("User-Agent"), "time": now()}
            reply = self.fault(self.command, path)
            app = App(st, self.server.base)
            app.handler_path = self.path
            if reply is None or reply.mode is not None:
                real = app.route(self.command, path, query, self.headers, body)
                if reply is not None:
                    real.mode, real.chunks, real.delay = reply.mode, reply.chunks, reply.delay
                reply = real
            entry["status"] = reply.status
            st.requests.append(entry)
            if self.server.log_path:
                with open(self.server.log_path, "a") as f:
                    f.write(json.dumps(entry) + "\n")
        self.send(reply)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_any

    def fault(self, method, path):
        """The first script rule that fires for this request, as a Reply."""
        st = self.server.state
        for i, rule in enumerate(st.script.get("faults", [])):
            if rule.get("method", method).upper() != method:
                continue
            if not re.search(rule.get("path", ""), path, re.I):
                continue
            seen = st.fault_hits.get(i, 0) + 1
            st.fault_hits[i] = seen
            if "every" in rule:
                if seen % int(rule["every"]) != 0:
                    continue
            elif seen > int(rule.get("times", 1 << 30)):
                continue
            action = rule.get("action", "status")
            if action == "file":
                return recorded(st, rule["file"])
            if action in ("reset", "slow"):
                r = Reply(0)
                r.mode = action
                r.chunks = int(rule.get("chunks", 5))
                r.delay = float(rule.get("delay", 0.2))
                return r
            status = int(rule.get("status", 503))
            codes = {429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway",
                     503: "ServiceUnavailable", 504: "GatewayTimeout", 401: "ExpiredAuthenticationToken"}
            hdrs = {}
            if "retry_after" in rule:
                hdrs["Retry-After"] = str(rule["retry_after"])
            return arm_error(status, rule.get("code", codes.get(status, "FakeFault")),
                             rule.get("message", "fakecloud fault rule %d" % i), hdrs)
        return None

    def rewrite(self, text):
        for host in REAL_HOSTS:
            text = text.replace(host, self.server.base)
        return text

    def send(self, reply):
        data = b""
        if reply.body is not None:
            data = self.rewrite(json.dumps(reply.body)).encode()
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, self.rewrite(str(v)))
        if reply.body is not None and not any(k.lower() == "content-type" for k in reply.headers):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        if reply.mode == "reset":
            # Promise more than is sent, then drop the connection with a RST.
            self.send_header("Content-Length", str(len(data) + 4096))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if reply.mode == "slow":
            n = max(1, reply.chunks)
            step = max(1, -(-len(data) // n))
            for i in range(n):
                self.wfile.write(data[i * step:(i + 1) * step])
                self.wfile.flush()
                if i < n - 1:
                    time.sleep(reply.delay)
        else:
            self.wfile.write(data)

    def control(self, path, body):
        st = self.server.state
        with st.lock:
            out = {"ok": True}
            if path == "/_fake/requests":
                out = st.requests
            elif path == "/_fake/secrets":
                out = st.secrets + [st.script["client_secret"]]
            elif path == "/_fake/reset":
                st.reset()
                st.set_script(json.loads(body) if body else {})
            elif path == "/_fake/script":
                st.set_script(json.loads(body or b"{}"))
            elif path in ("/_fake/approve", "/_fake/decline"):
                for d in st.devices.values():
                    d["approved" if path.endswith("approve") else "declined"] = True
            elif path == "/_fake/expire_tokens":
                for t in st.tokens:
                    st.tokens[t] = now() - 1
            else:
                out = {"error": "unknown control endpoint " + path}
        data = json.dumps(out).encode()
        self.send_response(200 if "error" not in out else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        # TLS handshakes run in the connection's thread so a stuck client blocks nobody.
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        try:
            super().finish_request(request, client_address)
        except (ConnectionError, ssl.SSLError):
            pass

    def handle_error(self, request, client_address):
        pass


def cloud_json(base):
    """What `az cloud show` prints, pointed at this fake."""
    return {"endpoints": {"activeDirectory": base, "activeDirectoryGraphResourceId": base + "/",
                          "activeDirectoryResourceId": "https://management.core.windows.net/",
                          "management": "https://management.core.windows.net/",
                          "microsoftGraphResourceId": base + "/", "resourceManager": base + "/"},
            "isActive": False, "name": "FakeCloud", "profile": "latest",
            "suffixes": {"acrLoginServerEndpoint": ".azurecr.io", "keyvaultDns": ".vault.azure.net",
                         "storageEndpoint": "core.windows.net"}}


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cloud-file", help="write `az cloud show` JSON pointing here")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--script", help="fault script (JSON)")
    ap.add_argument("--log", help="append every request here (JSON lines)")
    ap.add_argument("--recordings", default=os.path.join(HERE, "recordings"))
    a = ap.parse_args()
    st = State(Recordings(a.recordings))
    if a.script:
        with open(a.script) as f:
            st.set_script(json.load(f))
    srv = Server(("127.0.0.1", a.port), Handler)
    port = srv.server_address[1]
    scheme = "http"
    if a.tls_cert:
        srv.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        srv.tls.load_cert_chain(a.tls_cert, a.tls_key)
        scheme = "https"
    srv.base = "%s://127.0.0.1:%d" % (scheme, port)
    srv.state = st
    srv.log_path = a.log
    if a.cloud_file:
        write_atomic(a.cloud_file, json.dumps(cloud_json(srv.base), indent=2) + "\n")
    if a.port_file:
        write_atomic(a.port_file, "%d\n" % port)
    print("fakecloud listening on %s" % srv.base, flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
