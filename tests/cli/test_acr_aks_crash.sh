# kill -9 while ACR imports the image and while AKS creates the cluster: the next run polls
# the saved operations; the import is POSTed once and the cluster PUT once.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"
# wait_op ACTION_OR_RESOURCE: until the state records an operation for it (20 s at most).
wait_op() {
	python3 - "$SW_STATE/state.json" "$1" <<'PY'
import json, sys, time
end = time.time() + 20
while time.time() < end:
    try:
        s = json.load(open(sys.argv[1]))
        recs = list(s.get("actions", {}).items()) + list(s.get("resources", {}).items())
        if any(sys.argv[2] in k and v.get("operation") for k, v in recs):
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.1)
sys.exit(1)
PY
}
# run_bg: the tool in the background (pid in $pid).
run_bg() {
	printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
	"$SW_BUILD/tools/acraks_run" --state-dir "$SW_STATE" --passphrase-fd 3 --cloud "$FAKE_CLOUD" --answers "$1" \
		3<"$TEST_TMP/.pass" >"$TEST_TMP/bg.out" 2>&1 &
	pid=$!
}

acraks_start "$QUOTA, \"lro_seconds_by_type\": {\"managedClusters\": 30, \"registries\": 1}, \"import_seconds\": 30, \"retry_after\": 1"
acraks_answers "$TEST_TMP/a.json"
sp_vault
run_bg "$TEST_TMP/a.json"
check "the import's operation is saved" wait_op acr.import
check "the cluster's operation is saved" wait_op managedclusters/leafai-cluster-1a2b3c4d
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "both were in flight when killed" test "$(fakectl count POST '/importImage$')/$(fakectl count PUT '/managedClusters/leafai-cluster-1a2b3c4d$')" = 1/1
fakectl post /_fake/script "{$QUOTA, \"hub_url\": \"$HUB\", \"lro_seconds_by_type\": {\"managedClusters\": 30}, \"import_seconds\": 30, \"retry_after\": 1}" >/dev/null
expect_exit 0 "the next run finishes" acraks --answers "$TEST_TMP/a.json"
check "it resumed saved operations" test "$(grep -c 'resuming the operation started before the restart' "$TEST_TMP/out")" -ge 2
check "one importImage POST, one cluster PUT in all" test "$(fakectl count POST '/importImage$')/$(fakectl count PUT '/managedClusters/leafai-cluster-1a2b3c4d$')" = 1/1
check "the outputs are there" test "$(output acr.image)/$(output aks.mode)" = leafai1a2b3c4d.azurecr.io/leafai1a2b3c4d/studio-go-runner:0.14.2/gpu
check "the kubeconfig is sealed" sh -c "grep -q 'aks-kubeconfig' '$SW_STATE/state.json'"
finish
