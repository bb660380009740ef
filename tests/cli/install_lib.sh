# Sourced by tests/cli/test_install*.sh after tests/lib.sh and fake_lib.sh (it sources the VM
# steps' and the ACR/AKS tests' libraries itself): the fake Kubernetes API whose kubeconfig the fake cloud hands out, the fake
# Docker Hub, and the fake cloud whose new VMs become sandbox VMs. The fake cloud's network
# model becomes nftables rules in this test's network namespace (tests/vm/nethook.py): the
# VMs' security groups are enforced by source address, and the fake cluster's Job containers
# (run as JOB_UID by tests/fake/fakekube_jobs.mjs) connect from the cluster's outbound IP.
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
KUBE="$TEST_TMP/kube"
KUBE_PID=""
JOB_UID=65534
all_stop() { kill "$KUBE_PID" "$HUB_PID" 2>/dev/null; vms_stop; }

# install_start [EXTRA_FAKE_SCRIPT_MEMBERS]
install_start() {
	command -v nft >/dev/null || { not_ok "nft (nftables) is installed: make deps"; finish; }
	mkdir -p "$KUBE"
	sh "$FAKE_DIR/fakekube-install.sh" >&2 || { not_ok "the fake Kubernetes API's npm peer is installed"; finish; }
	node "$FAKE_DIR/fakekube.mjs" --dir "$KUBE" >"$TEST_TMP/kube.log" 2>&1 &
	KUBE_PID=$!
	wait_port_file "$KUBE/ports" "$KUBE_PID" "the fake Kubernetes API" || { kill "$KUBE_PID" 2>/dev/null; finish; }
	read -r KUBE_TLS KUBE_CTL <"$KUBE/ports"
	KCTL="http://127.0.0.1:$KUBE_CTL"
	curl -s -X POST -d "{\"job_uid\": $JOB_UID}" "$KCTL/_fake/script" >/dev/null
	# A GPU node pool: room for the runner's 8 replicas.
	curl -s -X POST -d '{"nvidia.com/gpu": 8}' "$KCTL/_fake/capacity" >/dev/null
	hub_start
	vms_fake normal "\"hub_url\": \"$HUB\", \"kubeconfig_file\": \"$KUBE/kubeconfig\", $QUOTA,
	 \"lro_seconds_by_type\": {\"virtualMachines\": 1, \"managedClusters\": 3, \"registries\": 1}, \"retry_after\": 1,
	 \"net_hook\": [\"/usr/bin/python3\", \"$SW_TOP/tests/vm/nethook.py\", \"$JOB_UID\"]${1:+, $1}"
	trap all_stop EXIT
	vms_www
}

# install_answers FILE [TOP_LEVEL_MEMBERS] [JSON_MEMBERS_FOR_BOTH_VMS]: the whole install's
# answers, the runner image from the fake Docker Hub.
install_answers() {
	vms_answers "$1" "" "\"overlay\": {\"dir\": \"$TEST_TMP/overlay\", \"namespace\": \"studioml\"}${2:+, $2}"
	python3 - "$1" "$HUB" "{${3:-}}" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); a.setdefault("acr", {})["source_registry"] = sys.argv[2]
for vm in ("rabbitmq", "minio"):
    a[vm].update(json.loads(sys.argv[3]))
json.dump(a, open(sys.argv[1], "w"), indent=1)
PY
}

# proof_job_gone: the fake cluster holds no proof Job, pod or Secret any more.
proof_job_gone() {
	curl -s "$KCTL/_fake/objects" | python3 -c '
import json, sys
left = [o["kind"] + "/" + o["metadata"]["name"] for o in json.load(sys.stdin)
        if o["metadata"]["name"].startswith("studioml-path-proof")]
sys.exit("left: " + " ".join(left) if left else 0)'
}
