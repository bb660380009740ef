# Every VM size, GPU size and region the wizard's choosers offer (tests/tools/choices reads
# them from the wizard's own plan table) meets Azure's cross-resource rules
# (tests/fake/azure_rules.py): each value is either refused by the wizard with its answers,
# naming the key and the reason, before anything is sent to Azure, or the install's requests
# for it pass every rule of the fake. Also: a size the region restricts for the subscription
# stops the VM step before anything is created.
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

fake_start "{$VMFAST}"
sp_vault
answers "$TEST_TMP/base.json" service-principal

# ---- VM sizes: the RabbitMQ and Minio choosers (and the CPU pool's, the same list) ----------
"$CHOICES" rabbitmq.vm_size minio.vm_size aks.cpu_node_vm_size >"$TEST_TMP/vm-choices" || not_ok "choices tool"
check "the VM size choosers offer sizes (the walk has something to walk)" test "$(wc -l <"$TEST_TMP/vm-choices")" -ge 9
for size in $(cut -f2 "$TEST_TMP/vm-choices" | sort -u); do
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

# The size's generation picks the image: Gen 1 only sizes get Ubuntu's Gen 1 image.
with "$TEST_TMP/gen1.json" '{"rabbitmq": {"vm_size": "Standard_A2_v2"}, "minio": {"data_disk_gb": 4}}'
fresh "$VMFAST"
runp --answers "$TEST_TMP/gen1.json" --cloud "$FAKE_CLOUD" --until minio
snap
check "Standard_A2_v2 (Gen 1 only) boots 24.04's Gen 1 image, D2s_v3 the Gen 2 one" \
	test "$(image_of rabbitmq)/$(image_of minio)" = server-gen1/server
check "and the run says why" grep -q 'Standard_A2_v2 boots Hyper-V generation 1 only' "$TEST_TMP/out"
fresh "$VMFAST, \"missing_images\": [\"ubuntu-24_04-lts\"]"
runp --answers "$TEST_TMP/gen1.json" --cloud "$FAKE_CLOUD" --until minio
snap
check "where 24.04 is not offered: 22.04's Gen 1 image for A2_v2, its Gen 2 image for D2s_v3" \
	test "$(image_of rabbitmq)/$(image_of minio)" = 22_04-lts/22_04-lts-gen2

# The default RabbitMQ size boots a current Ubuntu image (Gen 2).
fresh "$VMFAST"
cp "$TEST_TMP/base.json" "$TEST_TMP/default.json"
runp --answers "$TEST_TMP/default.json" --cloud "$FAKE_CLOUD" --until rabbitmq
snap
check "the defaults: RabbitMQ's VM gets Ubuntu 24.04's Gen 2 image and Azure takes it" \
	test "$(image_of rabbitmq)/$(refused_puts | wc -l)" = server/0

# A size the region restricts for the subscription: stopped before anything is created.
fresh "$VMFAST, \"sku_restrictions\": {\"Standard_B2s\": \"NotAvailableForSubscription\"}"
expect_exit 1 "a restricted size stops the run" runp --answers "$TEST_TMP/default.json" --cloud "$FAKE_CLOUD" --until rabbitmq
snap
check "naming the key, the size, the region and Azure's reason" grep -q \
	'rabbitmq.vm_size: Standard_B2s is not available to this subscription in eastus (NotAvailableForSubscription)' "$TEST_TMP/out"
check "the SKU list was asked for (the capture works)" grep -q '/providers/Microsoft.Compute/skus"' "$TEST_TMP/requests.json"
check "and nothing was created: no PUT at all" test "$(puts | wc -l)" = 0

# ---- regions -----------------------------------------------------------------------------
"$CHOICES" location >"$TEST_TMP/regions" || not_ok "choices tool"
check "the region chooser offers regions" test "$(wc -l <"$TEST_TMP/regions")" -ge 30
STOP='"faults": [{"method": "PUT", "path": "/resourceGroups/[^/]+$", "status": 409, "code": "TestStopsHere"}]'
ran=0
while IFS="$(printf '\t')" read -r _ region _ cloud; do
	with "$TEST_TMP/r.json" "{\"location\": \"$region\"}"
	if ! field_verdict "$TEST_TMP/r.json"; then
		check "$region ($cloud): refused with the answers, naming location and the cloud" \
			grep -q "location: $region is a region of $cloud, not of AzureCloud" "$TEST_TMP/plan.err"
		continue
	fi
	# The region's rules are judged before anything is created (the VM step's size and image
	# check); the resource group's PUT then ends the run, so 34 regions take seconds.
	fresh "$VMFAST, $STOP"
	runp --answers "$TEST_TMP/r.json" --cloud "$FAKE_CLOUD" --until rabbitmq </dev/null
	snap
	ok=$(python3 - "$region" "$TEST_TMP/requests.json" <<'PY'
import json, sys
region = sys.argv[1]
rs = json.load(open(sys.argv[2]))
asked = [r for r in rs if r["path"].endswith("/providers/Microsoft.Compute/skus")
         and r["query"].get("$filter") == "location eq '%s'" % region and r["status"] == 200]
image = [r for r in rs if "/locations/%s/publishers/Canonical/" % region in r["path"] and r["status"] == 200]
print("yes" if asked and image else "no")
PY
)
	check "$region: the size is offered there and an image it boots found (SKUs and images of $region)" \
		test "$ok/$(grep -c "offered in $region and pick.*Hyper-V generation 2)" "$TEST_TMP/out")" = yes/1
	ran=$((ran + 1))
done <"$TEST_TMP/regions"
check "the public regions ran (not all refused)" test "$ran" -ge 30

# ---- GPU sizes ---------------------------------------------------------------------------
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=""
acraks_start "$FAST, $QUOTA"
"$CHOICES" aks.node_vm_size >"$TEST_TMP/gpus" || not_ok "choices tool"
check "the GPU chooser offers sizes" test "$(wc -l <"$TEST_TMP/gpus")" -ge 10
passed=0
for size in $(cut -f2 "$TEST_TMP/gpus"); do
	acraks_answers "$TEST_TMP/g.json" "" "\"node_vm_size\": \"$size\""
	if ! sw plan --answers "$TEST_TMP/g.json" >/dev/null 2>"$TEST_TMP/plan.err"; then
		check "$size: refused with the answers, naming the key and why" \
			grep -Eq "(aks\.node_vm_size|acr\.image): $size.*(retired by Azure|does not recognise)" "$TEST_TMP/plan.err"
		continue
	fi
	fresh "$FAST, $QUOTA, \"hub_url\": \"$HUB\""
	acraks --answers "$TEST_TMP/g.json"
	snap
	check "$size: the cluster PUT was sent and every PUT passed the rule table" test \
		"$(puts | grep -c '/managedClusters/')/$(refused_puts | wc -l)" = 1/0
	refused_puts | sed 's/^/#   refused: /'
	passed=$((passed + 1))
done
check "the default GPU size is one that passes" test "$passed" -ge 1
finish
