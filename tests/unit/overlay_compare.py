#!/usr/bin/env python3
"""tests/unit/overlay_compare.py DIR CONTROL_URL: `kubectl kustomize DIR` (YAML read by the
js-yaml that fakekube installs) must equal the non-Secret objects the fake Kubernetes API
server received by server-side apply (GET /_fake/applied). Both sides are normalised with
json (sorted keys). Prints what differs; exit 0 only when equal and non-empty."""
import json
import os
import subprocess
import sys
import urllib.request

top = os.environ.get("SW_TOP", ".")
d, control = sys.argv[1], sys.argv[2]
rendered = subprocess.run(["kubectl", "kustomize", d], check=True, capture_output=True, text=True).stdout
js = ("const y=require(process.argv[1]);let s='';process.stdin.on('data',c=>s+=c);"
      "process.stdin.on('end',()=>console.log(JSON.stringify(y.loadAll(s))));")
docs = json.loads(subprocess.run(["node", "-e", js, os.path.join(top, "tests/fake/node_modules/js-yaml")],
                                 input=rendered, check=True, capture_output=True, text=True).stdout)
applied = json.load(urllib.request.urlopen(control + "/_fake/applied"))
applied = [o for o in applied if o.get("kind") != "Secret"]


def key(o):
    m = o.get("metadata", {})
    return (o.get("kind"), m.get("namespace", ""), m.get("name"))


a = {key(o): json.dumps(o, sort_keys=True) for o in applied}
r = {key(o): json.dumps(o, sort_keys=True) for o in docs}
bad = 0
for k in sorted(set(a) | set(r), key=str):
    if a.get(k) != r.get(k):
        bad += 1
        print("differs:", k, "\n  applied: ", a.get(k), "\n  rendered:", r.get(k))
print(f"{len(r)} rendered, {len(a)} applied (Secrets left out), {bad} differ")
sys.exit(0 if bad == 0 and r else 1)
