# Sourced by the tests/cli/test_azure_rules_*.sh files: the wizard's choosers (tests/tools/choices
# reads them from the wizard's own plan table) walked through Azure's cross-resource rules
# (tests/fake/azure_rules.py). One file per chooser, the VM sizes in two halves, so they run side by side.
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
# snap: the fake's requests and accepted bodies after a run (requests.json, bodies.json), and
# what the helpers below read from them (puts.txt, images.txt), in one Python start per run.
snap() {
	python3 - "$FAKE_URL" "$TEST_TMP" <<'PY'
import json, re, sys, urllib.request
url, tmp = sys.argv[1:]
def fetch(what):
    try:
        raw = urllib.request.urlopen(url + "/_fake/" + what, timeout=30).read()
        data = json.loads(raw)
    except (OSError, ValueError):
        raw, data = b"[]", []   # a failed capture holds nothing: the checks on it fail
    open("%s/%s.json" % (tmp, what), "wb").write(raw)
    return data
reqs, bodies = fetch("requests"), fetch("bodies")
with open(tmp + "/puts.txt", "w") as f:
    for r in reqs:
        if r["method"] == "PUT":
            print(r["status"], r["path"], file=f)
images = {}
for b in bodies:
    m = re.search(r"/virtualMachines/([^/?]+)$", b["path"])
    if m:
        images[m.group(1)] = b["body"]["properties"]["storageProfile"]["imageReference"]["sku"]
with open(tmp + "/images.txt", "w") as f:
    for vm, sku in images.items():
        print(vm, sku, file=f)
PY
}
# puts: "STATUS path" of every PUT the fake answered, in order.
puts() { cat "$TEST_TMP/puts.txt"; }
# refused_puts: the PUTs the fake refused (a rule of the table answered).
refused_puts() { puts | awk '$1 >= 400'; }
# image_of VM: the image sku the wizard last sent for VM ("none" when it sent none).
image_of() { awk -v vm="$1" '$1 == vm { sku = $2 } END { print sku ? sku : "none" }' "$TEST_TMP/images.txt"; }
fresh() { curl -sf -X POST --data "{$1}" "$FAKE_URL/_fake/reset" >/dev/null; fresh_state; }

# walk_vm_sizes PART PARTS: the RabbitMQ and Minio choosers' sizes (the CPU pool's list is the
# same), every PARTS-th from the PART-th: each refused at the field naming the key and why, or
# both VM steps' PUTs for it pass every rule of the fake. Needs the fake started with $VMFAST
# and base.json (answers).
walk_vm_sizes() {
	"$CHOICES" rabbitmq.vm_size minio.vm_size aks.cpu_node_vm_size >"$TEST_TMP/vm-choices" || not_ok "choices tool"
	check "the VM size choosers offer sizes (the walk has something to walk)" test "$(wc -l <"$TEST_TMP/vm-choices")" -ge 9
	cut -f2 "$TEST_TMP/vm-choices" | sort -u | awk -v part="$1" -v parts="$2" '(NR - 1) % parts == part - 1' >"$TEST_TMP/vm-sizes"
	check "part $1 of $2 of the sizes is not empty" test -s "$TEST_TMP/vm-sizes"
	for size in $(cat "$TEST_TMP/vm-sizes"); do
		with "$TEST_TMP/vm.json" "{\"rabbitmq\": {\"vm_size\": \"$size\"}, \"minio\": {\"vm_size\": \"$size\", \"data_disk_gb\": 4}}"
		if ! field_verdict "$TEST_TMP/vm.json"; then
			check "$size: refused at the field, naming the key and why" grep -Eq '^(rabbitmq|minio)\.vm_size: .+' "$TEST_TMP/plan.err"
			continue
		fi
		fresh "$VMFAST"
		runp --answers "$TEST_TMP/vm.json" --cloud "$FAKE_CLOUD" --until minio
		snap
		check "$size: the wizard sent both VMs (the capture holds them)" test "$(puts | grep -c '/virtualMachines/')" -ge 2
		check "$size: every PUT of both VM steps passed the rule table" test -z "$(refused_puts)"
		refused_puts | sed 's/^/#   refused: /'
		grep -o 'cannot boot Hypervisor Generation[^"]*' "$TEST_TMP/out" | head -1 | sed 's/^/#   /'
		echo "# $size: rabbitmq image $(image_of rabbitmq), minio image $(image_of minio)"
	done
}
