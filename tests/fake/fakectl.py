#!/usr/bin/env python3
"""fakectl: talk to a running fakecloud from shell tests (standard library only).

  fakectl.py BASE post PATH [BODY]        POST a control endpoint, print the answer
  fakectl.py BASE get PATH                GET, print the answer (an ARM path without
                                          api-version gets its namespace's first one)
  fakectl.py BASE count METHOD REGEX [STATUS]   how many recorded requests match
  fakectl.py BASE secrets FILE...         exit 1 (naming file and secret) when any secret
                                          the fake handed out appears in a file
  fakectl.py BASE wait METHOD REGEX [N] [SECONDS]  wait until N requests match
  fakectl.py BASE arm METHOD PATH [BODY]  an ARM/Graph call with a fresh service principal
                                          token: prints the status, then the body
  fakectl.py BASE lro METHOD PATH [BODY] [SECONDS]  the same, then polls its operation
                                          (Azure-AsyncOperation, else Location) to the end:
                                          prints the first status, the last poll's status
                                          and body
"""
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def with_api_version(path):
    """path, with an api-version the fake accepts when it is an ARM path without one."""
    if path.startswith("/_fake/") or "api-version=" in path:
        return path
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fake_arm
    ns = fake_arm.namespace_of(path.split("?")[0])
    if ns not in fake_arm.API_VERSIONS:
        return path
    return path + ("&" if "?" in path else "?") + "api-version=" + fake_arm.API_VERSIONS[ns][0]


def call(base, method, path, body=None):
    path = with_api_version(path)
    data = body.encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read().decode()


def count(base, method, rx, status=None):
    reqs = json.loads(call(base, "GET", "/_fake/requests"))
    return sum(1 for r in reqs if (method == "*" or r["method"] == method) and re.search(rx, r["path"], re.I)
               and (status is None or r["status"] == int(status)))


def token(base):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "fakectl",
                                   "client_secret": "fake-secret-0001",
                                   "scope": "https://management.azure.com/.default"}).encode()
    with urllib.request.urlopen(base + "/organizations/oauth2/v2.0/token", form, timeout=10) as r:
        return json.load(r)["access_token"]


def arm(base, tok, method, path, body=None):
    """(status, headers, body text) of one call; path may be a full URL."""
    url = path if path.startswith("http") else base + path
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")


def lro(base, method, path, body, seconds):
    tok = token(base)
    status, hdrs, text = arm(base, tok, method, path, body)
    print(status)
    h = {k.lower(): v for k, v in hdrs.items()}
    url = h.get("azure-asyncoperation") or h.get("location")
    if not url:
        print(status)
        print(text)
        return 0
    deadline = time.time() + seconds
    while True:
        status, hdrs, text = arm(base, tok, "GET", url)
        running = status == 202 or (status == 200 and '"InProgress"' in text)
        if not running or time.time() > deadline:
            break
        time.sleep(0.1)
    print(status)
    print(text)
    return 0


def main():
    base, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd in ("post", "get"):
        print(call(base, cmd.upper(), args[0], args[1] if len(args) > 1 else None))
    elif cmd == "count":
        print(count(base, args[0], args[1], args[2] if len(args) > 2 else None))
    elif cmd == "wait":
        want = int(args[2]) if len(args) > 2 else 1
        deadline = time.time() + (float(args[3]) if len(args) > 3 else 20)
        while count(base, args[0], args[1]) < want:
            if time.time() > deadline:
                print("timed out waiting for %s %s" % (args[0], args[1]), file=sys.stderr)
                return 1
            time.sleep(0.1)
    elif cmd == "arm":
        status, _, text = arm(base, token(base), args[0], args[1], args[2] if len(args) > 2 else None)
        print(status)
        print(text)
    elif cmd == "lro":
        return lro(base, args[0], args[1], args[2] if len(args) > 2 and args[2] != "-" else None,
                   float(args[3]) if len(args) > 3 else 20)
    elif cmd == "secrets":
        secrets = [s for s in json.loads(call(base, "GET", "/_fake/secrets")) if len(s) >= 8]
        bad = 0
        for path in args:
            try:
                with open(path, "rb") as f:
                    text = f.read()
            except OSError:
                continue
            for s in secrets:
                if s.encode() in text:
                    print("secret %s... found in %s" % (s[:12], path), file=sys.stderr)
                    bad = 1
        if not secrets:
            print("the fake handed out no secrets", file=sys.stderr)
            return 2
        return bad
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
