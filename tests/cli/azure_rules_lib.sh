# Sourced by the tests/cli/test_azure_rules_*.sh files: the wizard's choosers (tests/tools/choices
# reads them from the wizard's own plan table) walked through Azure's cross-resource rules
# (tests/fake/azure_rules.py). One file per chooser, so they run side by side.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"
CHOICES="$SW_BUILD/tools/choices"
# A VM's operation ends Failed at once (the hook exits 1): the VM PUT has been judged by then,
# and the step stops before any SSH. The subscription has quota for every family the choosers
# offer (quota is the subscription's, not a property of the answers).
VMFAST='"vm_hook": ["false"], "lro_seconds_by_type": {"virtualMachines": 0}, "quota": {"standardDSv2Family": 100}'

# with FILE JSON: FILE is the base answers with JSON's members merged in (one level deep).
with() {
	python3 - "$1" "$2" "$TEST_TMP/base.json" <<'PY'
import json, sys
out, extra, base = sys.argv[1], json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
for k, v in extra.items():
    if isinstance(v, dict):
        base.setdefault(k, {}).update(v)
    else:
        base[k] = v
json.dump(base, open(out, "w"), indent=1)
PY
}
# field_verdict FILE: 0 when the wizard takes the answers, else 2 with the reason in $TEST_TMP/plan.err.
field_verdict() { sw plan --answers "$1" >/dev/null 2>"$TEST_TMP/plan.err"; }
# snap: the fake's requests and accepted bodies after a run, read by the helpers below (curl:
# one call each, where fakectl would start Python every time).
snap() {
	curl -sf "$FAKE_URL/_fake/requests" >"$TEST_TMP/requests.json" || echo '[]' >"$TEST_TMP/requests.json"
	curl -sf "$FAKE_URL/_fake/bodies" >"$TEST_TMP/bodies.json" || echo '[]' >"$TEST_TMP/bodies.json"
}
# puts: "STATUS path" of every PUT the fake answered, in order.
puts() {
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["method"] == "PUT": print(r["status"], r["path"])' "$TEST_TMP/requests.json"
}
# refused_puts: the PUTs the fake refused (a rule of the table answered).
refused_puts() { puts | awk '$1 >= 400'; }
# image_of VM: the image sku the wizard sent for VM.
image_of() {
	python3 -c '
import json, sys
b = [x for x in json.load(open(sys.argv[1])) if x["path"].endswith("/virtualMachines/" + sys.argv[2])]
print(b[-1]["body"]["properties"]["storageProfile"]["imageReference"]["sku"] if b else "none")' \
		"$TEST_TMP/bodies.json" "$1"
}
fresh() { curl -sf -X POST --data "{$1}" "$FAKE_URL/_fake/reset" >/dev/null; fresh_state; }
