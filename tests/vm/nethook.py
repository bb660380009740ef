#!/usr/bin/python3
"""The VM lab's data plane: the fake cloud's network model as nftables rules (tests only, root,
inside the test's own network namespace: tests/lib.sh own_netns).

    nethook.py UID MODEL.json

MODEL.json (tests/fake/fake_net.py): {"vms": [{"ip", "nsg", "rules": [{name, priority, access,
ports, sources}]}], "egress": [ip, ...]}.

* Inbound, as an Azure NSG: a TCP connection to a VM's address on a port its security group
  names is decided by the group's rules in priority order (Allow or Deny by source prefix and
  port); none matching: dropped, as the group's DenyAllInBound (65500) does. Ports no rule names
  stay open: the lab cannot tell a VM's own traffic (127.0.0.1 is shared) from the internet's.
* Outbound, as the cluster's load balancer: every connection a process of UID opens (the fake
  Kubernetes runs Job containers as UID: tests/fake/fakekube_jobs.mjs) leaves with the cluster's
  first outbound IP as its source (SNAT), as Azure's outbound rules do for the nodes.

The whole table is replaced in one nft transaction."""
import json
import os
import subprocess
import sys

TABLE = "studio_fake_net"


def port_expr(ports):
    if not ports or "*" in ports:
        return ""
    return "tcp dport { %s } " % ", ".join(ports)


def src_expr(sources):
    if not sources or "0.0.0.0/0" in sources:
        return ""
    return "ip saddr { %s } " % ", ".join(sources)


def ruleset(uid, m):
    out = ["table ip %s {}" % TABLE, "delete table ip %s" % TABLE, "table ip %s {" % TABLE,
           "  chain nsg { type filter hook input priority 0; policy accept;"]
    for vm in m.get("vms", []):
        guarded = sorted({p for r in vm["rules"] for p in r["ports"] if p != "*"}, key=lambda p: int(p.split("-")[0]))
        if not guarded:
            continue
        for r in vm["rules"]:
            verdict = "accept" if r["access"] == "Allow" else "drop"
            if not r["sources"]:
                continue
            out.append("    ip daddr %s tcp dport { %s } %s%s%s comment \"%s/%s\"" % (
                vm["ip"], ", ".join(guarded), port_expr(r["ports"]), src_expr(r["sources"]), verdict, vm["nsg"],
                r["name"]))
        out.append("    ip daddr %s tcp dport { %s } drop comment \"%s/DenyAllInBound\"" % (
            vm["ip"], ", ".join(guarded), vm["nsg"]))
    out.append("  }")
    if m.get("egress"):
        out += ["  chain egress { type nat hook postrouting priority 100; policy accept;",
                "    meta skuid %d ip daddr 127.0.0.0/8 snat to %s" % (uid, m["egress"][0]), "  }"]
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    # Never the machine's own rules: only in the namespace a test made (tests/lib.sh own_netns).
    if not os.environ.get("SW_OWN_NETNS"):
        sys.stderr.write("nethook.py: refusing: not in a test's own network namespace (SW_OWN_NETNS)\n")
        return 2
    uid = int(sys.argv[1])
    with open(sys.argv[2]) as f:
        m = json.load(f)
    text = ruleset(uid, m)
    r = subprocess.run(["nft", "-f", "-"], input=text.encode(), capture_output=True)
    sys.stderr.write(text)
    if r.returncode != 0:
        sys.stderr.write("nft: %s\n" % r.stderr.decode(errors="replace"))
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
