#!/usr/bin/env python3
"""A stand-in for the Azure CLI: `az account get-access-token --output json ...` gets a
real token from the fakecloud at $FAKE_AZ_BASE (client_credentials) and prints it the
way az does. Each run appends its argv, environment and inherited descriptors above 2 to
$FAKE_AZ_LOG, so tests can check that no secret reached the child through either; with
$FAKE_AZ_STRICT_FDS set, an inherited descriptor makes it fail (exit 3) naming it."""
import json
import os
import sys
import time
import urllib.parse
import urllib.request



def inherited_fds():
    """Descriptors above 2 open at start, with what they point to. Listing /proc/self/fd
    opens one more for the listing itself: each is checked again with fstat."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            try:
                os.fstat(fd)
                found[fd] = os.readlink("/proc/self/fd/%d" % fd)
            except OSError:
                pass
    return found


fds = inherited_fds()
log = os.environ.get("FAKE_AZ_LOG")
if log:
    with open(log, "a") as f:
        f.write(json.dumps({"argv": sys.argv, "env": dict(os.environ), "pid": os.getpid(),
                            "fds": sorted(fds)}) + "\n")
if os.environ.get("FAKE_AZ_STRICT_FDS") and fds:
    print("ERROR: fake az inherited descriptors above 2: %s" %
          ", ".join("%d -> %s" % kv for kv in sorted(fds.items())), file=sys.stderr)
    sys.exit(3)
if sys.argv[1:3] != ["account", "get-access-token"]:
    print("ERROR: fake az only knows 'account get-access-token'", file=sys.stderr)
    sys.exit(2)
if os.environ.get("FAKE_AZ_FAIL"):
    print("ERROR: Please run 'az login' to setup account.", file=sys.stderr)
    sys.exit(1)
args = sys.argv[3:]
resource = args[args.index("--resource") + 1] if "--resource" in args else "https://management.core.windows.net/"
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "fake-az",
                               "client_secret": "fake-secret-0001", "scope": resource + "/.default"}).encode()
with urllib.request.urlopen(os.environ["FAKE_AZ_BASE"] + "/organizations/oauth2/v2.0/token", form) as r:
    tok = json.load(r)
exp = int(time.time()) + int(tok["expires_in"])
print(json.dumps({"accessToken": tok["access_token"],
                  "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.localtime(exp)),
                  "expires_on": exp, "subscription": "00000000-0000-0000-0000-000000000000",
                  "tenant": "11111111-1111-1111-1111-111111111111", "tokenType": "Bearer"}, indent=2))
