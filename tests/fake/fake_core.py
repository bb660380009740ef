"""fake_core: what every part of fakecloud shares: the script defaults, the recordings,
the in-memory state, replies and ARM error bodies, the TLS-capable server."""
import base64
import copy
import json
import os
import re
import ssl
import threading
import time
import uuid
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
REAL_HOSTS = ("https://management.azure.com", "https://login.microsoftonline.com",
              "https://graph.microsoft.com")
SUB = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"
DEFAULT_SCRIPT = {
    "require_auth": True,       # ARM and Graph answer 401 without a live token
    "token_lifetime": 3600,     # seconds an access token lives
    "lro_seconds": 0,           # how long every long-running operation runs
    "lro_seconds_by_type": {},  # {"virtualMachines": 3}: by last type segment, overrides lro_seconds
    "retry_after": 0,           # Retry-After on LRO answers
    "client_secret": "fake-secret-0001",
    "device_slow_down": 0,      # first N device-code polls answer slow_down
    "device_expires_in": 900,   # seconds until a device code expires
    "device_text": {},          # hostile: {"message", "user_code", "verification_uri"} replace the recorded ones
    "principal_not_found_for": 0,  # seconds a new SP / kubelet identity is unknown to RBAC
    "unregistered": [],         # resource provider namespaces that start NotRegistered
    "register_seconds": 0,      # how long a provider stays Registering after register
    "group_lro_seconds": 0,     # >0: a new resource group's PUT is a long-running operation
    "permissions": [{"actions": ["*"], "notActions": []}],  # the caller's (Owner by default)
    "api_versions": {},         # {"Microsoft.Network": ["2023-09-01"]}: accepted besides the table
    "public_ips": {},           # {"rabbitmq-ip": "127.0.0.2"}; else 127.0.0.2, .3, ... in order
    "vm_hook": None,            # ["cmd", "arg"]: run when a new VM's operation finishes
    "vm_hook_timeout": 120,     # seconds before a hook counts as failed
    "missing_images": [],       # offers (or publisher:offer:sku) the image API does not know
    "sku_restrictions": {},     # {"Standard_ND96asr_v4": "NotAvailableForSubscription"}
    "extra_skus": [],           # [{"name", "family", "vcpus", "gpus"}] added to the SKU list
    "quota": {},                # usage limits by name: {"cores": 100, "standardNDASv4_A100Family": 96}
    "quota_used": {},           # usage already taken outside this fake
    "taken_registry_names": [],  # registry names some other subscription owns
    "import_seconds": 0,        # how long an ACR importImage runs
    "hub_url": None,            # fakehub base URL importImage checks sources against
    "hub_repos": None,          # else this catalogue {"repo": ["tag", ...]} (default: fakehub's)
    "hub_anonymous_pulls": 0,   # without hub_url: >0, anonymous Docker Hub imports after this many fail 429
    "kubeconfig_file": None,    # listClusterUserCredential serves this file's bytes
    "aks_versions": ["1.31.9", "1.32.6", "1.33.2"],
    "aks_default_version": "1.32",
    "faults": [],
}


def now():
    return time.time()


def iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t if t is not None else now()))


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
    def __init__(self, recordings, workdir):
        self.lock = threading.Lock()
        self.barrier_cv = threading.Condition()   # fault barriers (fakecloud.py), not under lock
        self.barrier_seen = {}
        self.rec = recordings
        self.workdir = workdir
        self.script = dict(DEFAULT_SCRIPT)
        self.reset()

    def reset(self):
        self.requests = []
        self.resources = {}     # lower-case ARM id -> {"body", "req", "op", ...}
        self.groups = {}        # lower-case RG id -> body
        self.ops = {}           # op id -> {"done_at", "kind", "target", "error", ...}
        self.tokens = {}        # access token -> expiry
        self.refresh = set()
        self.devices = {}       # device code -> {"approved", "created", "polls"}
        self.secrets = []
        self.sp_created = None
        self.settled_at = float("-inf")   # /_fake/settle: principals made before are replicated
        self.registered = {}    # lower-case namespace -> when register was called
        self.role_assignments = {}
        self.fault_hits = {}
        with self.barrier_cv:
            self.barrier_seen = {}
        self.counter = 0
        self.bodies = []        # every ARM PUT/PATCH: {"method", "path", "body", "time"}
        self.hooks = []         # every vm_hook run: {"vm", "argv", "exit", "log", ...}
        self.customdata = {}    # lower-case VM name -> decoded custom data (bytes)
        self.kubelets = {}      # principal id -> cluster resource record (RBAC delay)
        self.imports = []       # every importImage: {"registry", "source", "targets", "status", ...}
        self.acr_tags = {}      # lower-case registry id -> set of "repo:tag"

    def set_script(self, script):
        s = dict(DEFAULT_SCRIPT)
        s.update(script or {})
        self.script = s
        self.fault_hits = {}

    def replicated(self, created):
        """Whether RBAC and Graph know a principal made at `created`: after the script's
        principal_not_found_for, or once /_fake/settle was called after it."""
        return now() - created >= float(self.script["principal_not_found_for"]) or self.settled_at >= created

    def next_id(self):
        self.counter += 1
        return self.counter

    def lro_for(self, type_name):
        """Seconds a long-running operation on this resource type runs."""
        by = {k.lower(): v for k, v in (self.script.get("lro_seconds_by_type") or {}).items()}
        return float(by.get(type_name.lower(), self.script["lro_seconds"]))

    def mint_access(self, aud):
        n = self.next_id()
        exp = int(now() + float(self.script["token_lifetime"]))
        head = b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
        body = b64url(json.dumps({
            "aud": aud, "tid": TENANT,
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
        self.raw = None         # bytes sent as they are (no JSON, no rewriting)
        self.barrier = None     # (rule, count, timeout): held until count requests wait


def arm_error(status, code, message, headers=None, target=None, details=None):
    err = {"code": code, "message": message}
    if target:
        err["target"] = target
    if details is not None:
        err["details"] = details
    return Reply(status, {"error": err}, headers)


def aks_error(status, code, message, target=None):
    """AKS answers its errors un-wrapped: {code, message, subcode, details}."""
    body = {"code": code, "details": [], "message": message, "subcode": ""}
    if target:
        body["target"] = target
    return Reply(status, body)


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


def dig(obj, *keys, default=None):
    """obj[k1][k2]... or default when any step is missing or not a dict/list."""
    for k in keys:
        if isinstance(obj, dict) and k in obj:
            obj = obj[k]
        elif isinstance(obj, list) and isinstance(k, int) and -len(obj) <= k < len(obj):
            obj = obj[k]
        else:
            return default
    return obj


def type_segments(path):
    """(namespace, [type, ...], [name, ...]) of an ARM resource id under a group."""
    parts = path.strip("/").split("/")
    i = max(j for j, p in enumerate(parts) if p.lower() == "providers")
    rest = parts[i + 2:]
    return parts[i + 1], rest[0::2], rest[1::2]


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


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)
