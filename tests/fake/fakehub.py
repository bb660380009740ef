#!/usr/bin/env python3
"""fakehub: a loopback Docker Hub (auth.docker.io token service + registry-1.docker.io
v2 API) for the tests. Anonymous and personal bearer tokens, tags/list with Link
pagination, manifests by tag or digest, 401 challenges, the anonymous pull limit.
Standard library only. See README.md."""
import argparse
import base64
import hashlib
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_core import Server, write_atomic  # noqa: E402

TAGS = ["0.9.21", "0.9.26-master-aaaagnjvnvh", "0.13.2", "0.14.2", "0.14.3-main-aaaagseyvek"]
DEFAULT_REPOS = {"leafai/azure-studio-go-runner": TAGS, "leafai/studio-go-runner": TAGS}
DEFAULT_SCRIPT = {
    "repos": None,                  # {"repo": ["tag", ...]}; None: DEFAULT_REPOS
    "users": {"studio-user": "dckr_pat_fake_0001"},   # Basic auth user -> access token
    "anonymous_pull_limit": 0,      # >0: anonymous manifest GETs after this many answer 429
    "page_size": 100,               # tags/list page size when the client gives no n
    "token_lifetime": 300,
    "token_text": None,             # hostile: the token service hands out this text as the token
    "realm_userinfo": None,         # hostile: "user:pass@" put into the challenge's realm URL
}
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"


def now():
    return time.time()


def manifest(repo, tag):
    """A small, stable image manifest for repo:tag, and its digest."""
    seed = hashlib.sha256(("%s:%s" % (repo, tag)).encode()).hexdigest()
    body = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_V2,
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                                  "digest": "sha256:" + seed},
                       "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                   "size": 32654, "digest": "sha256:" + hashlib.sha256(seed.encode()).hexdigest()}]},
                      indent=3).encode()
    return body, "sha256:" + hashlib.sha256(body).hexdigest()


class Hub:
    def __init__(self):
        self.lock = threading.Lock()
        self.script = dict(DEFAULT_SCRIPT)
        self.reset()

    def reset(self):
        self.requests = []
        self.tokens = {}        # token -> {"user", "scopes", "exp"}
        self.pulls = {"anonymous": 0, "users": {}}
        self.secrets = []

    def set_script(self, s):
        self.script = dict(DEFAULT_SCRIPT)
        self.script.update(s or {})

    def repos(self):
        return self.script.get("repos") or DEFAULT_REPOS


def registry_error(status, code, message, detail=None, headers=None):
    return status, {"errors": [{"code": code, "message": message, "detail": detail}]}, headers or {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakehub/1"

    def log_message(self, fmt, *args):
        pass

    def do_any(self):
        hub = self.server.hub
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qsl(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with hub.lock:
            if path.startswith("/_fake/"):
                status, out, hdrs = self.control(hub, path, body)
            else:
                status, out, hdrs = self.route(hub, path, query)
                auth = self.headers.get("Authorization", "")
                hub.requests.append({"method": self.command, "path": path, "query": dict(query),
                                     "auth": auth.split(" ")[0].lower() if auth else "none",
                                     "headers": sorted(k.lower() for k in self.headers.keys()),
                                     "status": status, "time": now()})
        data = out if isinstance(out, bytes) else json.dumps(out).encode()
        self.send_response(status)
        for k, v in hdrs.items():
            self.send_header(k, v)
        if not any(k.lower() == "content-type" for k in hdrs):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_any

    def challenge(self, scope=None):
        base = self.server.base
        if self.server.hub.script["realm_userinfo"]:
            base = base.replace("://", "://%s@" % self.server.hub.script["realm_userinfo"], 1)
        v = 'Bearer realm="%s/token",service="registry.docker.io"' % base
        return {"WWW-Authenticate": v + (',scope="%s"' % scope if scope else "")}

    def route(self, hub, path, query):
        if path == "/token" and self.command == "GET":
            return self.token(hub, dict(query), [v for k, v in query if k == "scope"])
        if path in ("/v2", "/v2/"):
            if self.bearer(hub) is None:
                return registry_error(401, "UNAUTHORIZED", "authentication required", None, self.challenge())
            return 200, {}, {}
        m = re.match(r"^/v2/(.+)/tags/list$", path)
        if m and self.command == "GET":
            return self.tags(hub, m.group(1), dict(query))
        m = re.match(r"^/v2/(.+)/manifests/([^/]+)$", path)
        if m and self.command in ("GET", "HEAD"):
            return self.manifest(hub, m.group(1), m.group(2))
        return registry_error(404, "NOT_FOUND", "no route for %s %s" % (self.command, path))

    def token(self, hub, q, scopes):
        if q.get("service") != "registry.docker.io":
            return 400, {"details": "unknown service %r" % q.get("service")}, {}
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, pw = "", None
            if hub.script["users"].get(user) != pw or not pw:
                return 401, {"details": "incorrect username or password"}, {}
        tok = hub.script["token_text"] or "fakehub-%s-%s" % ("user" if user else "anon", uuid.uuid4().hex)
        life = int(hub.script["token_lifetime"])
        hub.tokens[tok] = {"user": user, "scopes": scopes, "exp": now() + life}
        if user:
            hub.secrets.append(tok)
        return 200, {"token": tok, "access_token": tok, "expires_in": life,
                     "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, {}

    def bearer(self, hub, repo=None):
        """The token record when the request's bearer token is live (and covers repo), else None."""
        auth = self.headers.get("Authorization", "")
        t = hub.tokens.get(auth[7:]) if auth.lower().startswith("bearer ") else None
        if t is None or t["exp"] <= now():
            return None
        if repo is not None and not any(s.split(":")[1:2] == [repo] and "pull" in s.split(":")[-1].split(",")
                                        for s in t["scopes"]):
            return None
        return t

    def allowed(self, hub, repo):
        """None when the caller may read repo, else the 401 to send."""
        scope = "repository:%s:pull" % repo
        if self.bearer(hub, repo) is None or repo not in hub.repos():
            detail = [{"Type": "repository", "Class": "", "Name": repo, "Action": "pull"}]
            return registry_error(401, "UNAUTHORIZED", "authentication required", detail, self.challenge(scope))
        return None

    def tags(self, hub, repo, q):
        bad = self.allowed(hub, repo)
        if bad:
            return bad
        tags = sorted(hub.repos()[repo])
        n = int(q.get("n") or hub.script["page_size"])
        if q.get("last"):
            tags = [t for t in tags if t > q["last"]]
        page, more = tags[:n], len(tags) > n
        hdrs = {}
        if more:
            hdrs["Link"] = '</v2/%s/tags/list?last=%s&n=%d>; rel="next"' % (repo, quote(page[-1]), n)
        return 200, {"name": repo, "tags": page}, hdrs

    def manifest(self, hub, repo, ref):
        bad = self.allowed(hub, repo)
        if bad:
            return bad
        found = None
        for tag in hub.repos()[repo]:
            body, digest = manifest(repo, tag)
            if ref in (tag, digest):
                found = (body, digest)
        if found is None:
            return registry_error(404, "MANIFEST_UNKNOWN", "manifest unknown", {"Tag": ref})
        t = self.bearer(hub, repo)
        hdrs = {"Docker-Content-Digest": found[1], "Content-Type": MANIFEST_V2}
        limit = int(hub.script["anonymous_pull_limit"] or 0)
        if t["user"] is None and limit:
            if self.command == "GET" and hub.pulls["anonymous"] >= limit:
                return registry_error(429, "TOOMANYREQUESTS", "You have reached your unauthenticated pull rate "
                                      "limit. https://www.docker.com/increase-rate-limit",
                                      headers={"ratelimit-limit": "%d;w=21600" % limit, "ratelimit-remaining": "0;w=21600"})
            hdrs["ratelimit-limit"] = "%d;w=21600" % limit
            hdrs["ratelimit-remaining"] = "%d;w=21600" % max(0, limit - hub.pulls["anonymous"] - (self.command == "GET"))
        if self.command == "GET":
            if t["user"] is None:
                hub.pulls["anonymous"] += 1
            else:
                hub.pulls["users"][t["user"]] = hub.pulls["users"].get(t["user"], 0) + 1
        return 200, found[0], hdrs

    def control(self, hub, path, body):
        if path == "/_fake/requests":
            return 200, hub.requests, {}
        if path == "/_fake/pulls":
            return 200, hub.pulls, {}
        if path == "/_fake/secrets":
            return 200, hub.secrets + list(hub.script["users"].values()), {}
        if path == "/_fake/reset":
            hub.reset()
            hub.set_script(json.loads(body) if body else {})
            return 200, {"ok": True}, {}
        if path == "/_fake/script":
            hub.set_script(json.loads(body or b"{}"))
            return 200, {"ok": True}, {}
        return 404, {"error": "unknown control endpoint " + path}, {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--script", help="catalogue, users and limits (JSON)")
    a = ap.parse_args()
    hub = Hub()
    if a.script:
        with open(a.script) as f:
            hub.set_script(json.load(f))
    srv = Server(("127.0.0.1", a.port), Handler)
    port = srv.server_address[1]
    scheme = "http"
    if a.tls_cert:
        srv.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        srv.tls.load_cert_chain(a.tls_cert, a.tls_key)
        scheme = "https"
    srv.base = "%s://127.0.0.1:%d" % (scheme, port)
    srv.hub = hub
    if a.port_file:
        write_atomic(a.port_file, "%d\n" % port)
    print("fakehub listening on %s" % srv.base, flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
