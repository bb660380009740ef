#!/bin/bash
# tests/bench/bench_install.sh: the real install, all six steps of core/steps/, on the fakes as
# tests/cli/test_install_e2e.sh runs it (fake cloud whose VMs are sandboxes, fake Docker Hub,
# fake Kubernetes), with Azure's durations scaled down: AKS the longest (6 s), the VMs 2 s, the
# registry 1 s. Prints the run's wall time (first action's start to last action's end) against
# the critical path of the actions' own measured durations along the table's dependencies as
# `plan --json` gives them (after, and the first maker of a shared resource): what a perfect
# scheduler would take. Asserts nothing. Needs root (the VM lab).
set -u
: "${SW_BIN:?}" "${SW_BUILD:?}" "${SW_TOP:?}"
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench-install.XXXXXX")
export TEST_TMP
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/install_lib.sh"

install_start '"lro_seconds_by_type": {"virtualMachines": 2, "managedClusters": 6, "registries": 1}'
trap 'all_stop; rm -rf "$TEST_TMP"' EXIT
install_answers "$TEST_TMP/a.json"
sp_vault
if ! runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"; then
	echo "bench_install: the install failed:"
	tail -5 "$TEST_TMP/err"
	exit 1
fi
if ! sw plan --answers "$TEST_TMP/a.json" --json >"$TEST_TMP/plan.json"; then
	echo "bench_install: no plan"
	exit 1
fi
python3 - "$TEST_TMP/plan.json" "$SW_STATE/state.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
acts = json.load(open(sys.argv[2]))["actions"]
order = [(s["key"], a) for s in plan["steps"] for a in s["actions"]]
steps = {s["key"] for s in plan["steps"]}
cp, prev, t0, t1 = {}, {}, None, None
for i, (step, a) in enumerate(order):
    rec = acts.get(a["key"], {})
    if "started_ms" not in rec or "finished_ms" not in rec:
        sys.exit("bench_install: %s has no times in the state" % a["key"])
    deps = []
    for d in a["after"]:
        deps += [b["key"] for s2, b in order[:i] if s2 == d] if d in steps else [d]
    if "made_by" in a:
        deps.append(a["made_by"])
    before = max(((cp[d], d) for d in deps if d in cp), default=(0.0, None))
    cp[a["key"]] = before[0] + (rec["finished_ms"] - rec["started_ms"]) / 1000.0
    prev[a["key"]] = before[1]
    t0 = rec["started_ms"] if t0 is None else min(t0, rec["started_ms"])
    t1 = rec["finished_ms"] if t1 is None else max(t1, rec["finished_ms"])
last = max(cp, key=cp.get)
chain = []
while last:
    chain.append(last)
    last = prev[last]
wall, c = (t1 - t0) / 1000.0, cp[chain[0]]
print("install: wall %.2f s, critical path %.2f s, ratio %.3f" % (wall, c, wall / c if c else 0))
print("critical path: " + " > ".join(reversed(chain)))
PY
