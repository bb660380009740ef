# Sourced by tests/cli/test_acr_aks*.sh after tests/lib.sh and fake_lib.sh: fakehub, answers
# for the acr and aks steps, and build/tools/acraks_run (run for subscription + acr + aks).
HUB_PID=""
# acraks_start FAKE_SCRIPT_KEYS: fakehub (HUB) and fakecloud with those script keys and hub_url.
acraks_start() {
	hub_start
	fake_start "{$1${1:+, }\"hub_url\": \"$HUB\"}"
	trap 'kill $HUB_PID 2>/dev/null; fake_stop' EXIT
}
# hub_start: sets HUB (fakehub's base URL, default catalogue).
hub_start() {
	rm -f "$TEST_TMP/hub.port"
	printf '{}\n' > "$TEST_TMP/hub.json"
	python3 "$FAKE_DIR/fakehub.py" --port-file "$TEST_TMP/hub.port" --script "$TEST_TMP/hub.json" >/dev/null 2>&1 &
	HUB_PID=$!
	trap 'kill $HUB_PID 2>/dev/null; fake_stop' EXIT
	wait_port_file "$TEST_TMP/hub.port" "$HUB_PID" "the fake Docker Hub" || finish
	HUB=http://127.0.0.1:$(cat "$TEST_TMP/hub.port")
}
# acraks_answers FILE [EXTRA_ACR_JSON] [EXTRA_AKS_JSON] [DECISIONS_JSON]: a service principal's answers
# with the image taken from fakehub.
acraks_answers() {
	cat > "$1" <<JSON
{"cloud": "AzureCloud", "subscription": "$FAKE_SUB", "location": "eastus", "uniq_id": "1a2b3c4d",
 "auth": {"method": "service-principal", "tenant": "$FAKE_TENANT", "client_id": "33333333-3333-3333-3333-333333333333"},
 "rabbitmq": {"ssh_public_key_file": "$TEST_TMP/id_test.pub"},
 "minio": {"ssh_public_key_file": "$TEST_TMP/id_test.pub"},
 "acr": {"source_registry": "$HUB"${2:+, $2}},
 "aks": {${3:-}},
 "decisions": {"register_providers": "yes"${4:+, $4}}}
JSON
	[ -f "$TEST_TMP/id_test.pub" ] || ssh-keygen -q -t ed25519 -N '' -f "$TEST_TMP/id_test" >/dev/null
}
# acraks ARGS...: the tool with the passphrase on fd 3, output to $TEST_TMP/out and err.
acraks() {
	printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
	"$SW_BUILD/tools/acraks_run" --state-dir "$SW_STATE" --passphrase-fd 3 --cloud "$FAKE_CLOUD" "$@" \
		3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
}
# output KEY: an output from the state.
output() { python3 -c "import json,sys; print(json.load(open('$SW_STATE/state.json'))['outputs'].get(sys.argv[1],''))" "$1"; }
# body REGEX EXPR: evaluates the python EXPR over b, the last body the fake accepted at a path matching REGEX.
body() {
	fakectl get "/_fake/bodies?path=$1" > "$TEST_TMP/bodies.json"
	python3 -c "
import json,sys
v=json.load(open('$TEST_TMP/bodies.json'))
b=v[-1]['body'] if v else None
sys.exit(0 if b is not None and ($2) else 1)"
}
QUOTA='"quota": {"standardNDASv4_A100Family": 96, "standardDSv5Family": 100, "cores": 200}'
FAST='"lro_seconds_by_type": {"managedClusters": 1, "registries": 1}, "retry_after": 1'
