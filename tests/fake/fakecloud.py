#!/usr/bin/env python3
"""fakecloud: a loopback Azure (login, ARM, Graph) for the wizard's tests.

Serves the recordings in recordings/ by method + path template, keeps the
resources it is sent in memory, runs long-running operations on a clock, checks
requests as strictly as ARM does, and applies per-test faults from a script.
Standard library only. See README.md. The parts: fake_core (state, replies),
fake_login (Entra ID, Graph), fake_arm (routing, generic resources, RBAC),
fake_compute (VMs, public IPs, images, SKUs, usages), fake_acr, fake_aks.
"""
import argparse
import atexit
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote, urlsplit

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import azure_models  # noqa: E402
from fake_arm import App  # noqa: E402
import fake_net  # noqa: E402
from fake_core import (HERE, REAL_HOSTS, Recordings, Reply, Server, State, arm_error, now,  # noqa: E402
                       recorded, write_atomic)


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
            return self.control(path, query, body)
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
                    real.barrier = reply.barrier
                reply = real
            fake_net.apply(app)
            entry["status"] = reply.status
            entry["model"] = app.model
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
            reply = self.fault_reply(i, rule)
            if "barrier" in rule:
                reply.barrier = (i, int(rule["barrier"]), float(rule.get("barrier_timeout", 30)))
            return reply
        return None

    def fault_reply(self, i, rule):
        """What rule number i answers (before a barrier)."""
        st = self.server.state
        action = rule.get("action", "status")
        if action == "file":
            return recorded(st, rule["file"])
        if action == "accept_elsewhere":
            # Misbehaving: "accepted", the operation on another host, nothing kept.
            return Reply(201, {}, {"Azure-AsyncOperation": rule.get(
                "operation", "https://elsewhere.invalid/operations/lost?api-version=2024-07-01")})
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

    def rewrite(self, text):
        for host in REAL_HOSTS:
            text = text.replace(host, self.server.base)
        return text

    def wait_barrier(self, reply):
        """A barrier rule answers no request until `barrier` of them wait together; after
        barrier_timeout seconds a lone one gets a 400 (not retried), so the test fails."""
        st = self.server.state
        rule, count, timeout = reply.barrier
        with st.barrier_cv:
            st.barrier_seen[rule] = st.barrier_seen.get(rule, 0) + 1
            st.barrier_cv.notify_all()
            met = st.barrier_cv.wait_for(lambda: st.barrier_seen.get(rule, 0) >= count, timeout)
            seen = st.barrier_seen.get(rule, 0)
        if met:
            return reply
        return arm_error(400, "FakeBarrier", "fakecloud fault rule %d: %d of %d requests came together in %g s"
                         % (rule, seen, count, timeout))

    def send(self, reply):
        if reply.barrier is not None:
            reply = self.wait_barrier(reply)
        data = reply.raw if reply.raw is not None else b""
        if reply.raw is None and reply.body is not None:
            data = self.rewrite(json.dumps(reply.body)).encode()
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, self.rewrite(str(v)))
        if data and not any(k.lower() == "content-type" for k in reply.headers):
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

    def control(self, path, query, body):
        st = self.server.state
        status, ctype = 200, "application/json"
        with st.lock:
            out = {"ok": True}
            if path == "/_fake/requests":
                out = st.requests
            elif path == "/_fake/secrets":
                out = st.secrets + [st.script["client_secret"]]
            elif path == "/_fake/bodies":
                rx = re.compile(query.get("path", ""), re.I)
                out = [b for b in st.bodies if rx.search(b["path"])
                       and query.get("method", b["method"]).upper() == b["method"]]
            elif path.startswith("/_fake/customdata/"):
                data = st.customdata.get(unquote(path[len("/_fake/customdata/"):]).lower())
                if data is None:
                    out, status = {"error": "no VM %s with custom data" % path.rsplit("/", 1)[-1]}, 404
                else:
                    out, ctype = data, "application/octet-stream"
            elif path == "/_fake/hooks":
                out = st.hooks
            elif path == "/_fake/net":
                out = getattr(st, "net_hooks", [])
            elif path == "/_fake/imports":
                out = st.imports
            elif path == "/_fake/resources":
                app = App(st, self.server.base)
                out = [{"id": r["body"].get("id", k), "type": r["body"].get("type"),
                        "provisioningState": app.resource_body(r)["properties"].get("provisioningState")}
                       for k, r in st.resources.items()]
            elif path == "/_fake/reset":
                st.reset()
                st.set_script(json.loads(body) if body else {})
            elif path == "/_fake/script":
                st.set_script(json.loads(body or b"{}"))
            elif path in ("/_fake/approve", "/_fake/decline"):
                for d in st.devices.values():
                    d["approved" if path.endswith("approve") else "declined"] = True
            elif path == "/_fake/settle":
                # Azure's eventual consistency caught up: running operations end now, and
                # RBAC knows every principal.
                t = now()
                for op in st.ops.values():
                    if t < op["done_at"] < float("inf"):
                        op["done_at"] = t
                st.settled_at = t
            elif path == "/_fake/expire_tokens":
                for t in st.tokens:
                    st.tokens[t] = now() - 1
            else:
                out, status = {"error": "unknown control endpoint " + path}, 404
            data = out if isinstance(out, bytes) else json.dumps(out, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def cloud_json(base):
    """What `az cloud show` prints, pointed at this fake."""
    return {"endpoints": {"activeDirectory": base, "activeDirectoryGraphResourceId": base + "/",
                          "activeDirectoryResourceId": "https://management.core.windows.net/",
                          "management": "https://management.core.windows.net/",
                          "microsoftGraphResourceId": base + "/", "resourceManager": base + "/"},
            "isActive": False, "name": "FakeCloud", "profile": "latest",
            "suffixes": {"acrLoginServerEndpoint": ".azurecr.io", "keyvaultDns": ".vault.azure.net",
                         "storageEndpoint": "core.windows.net"}}


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
    ap.add_argument("--work-dir", help="where custom data files and hook logs go (default: a temporary "
                                       "directory removed at exit)")
    a = ap.parse_args()
    workdir = a.work_dir
    if not workdir:
        workdir = tempfile.mkdtemp(prefix="fakecloud-")
        atexit.register(shutil.rmtree, workdir, True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    st = State(Recordings(a.recordings), workdir)
    st.models = azure_models.ensure()
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
