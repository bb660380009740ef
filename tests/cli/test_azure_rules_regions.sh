# Every region the chooser offers: refused with the answers when it belongs to another cloud
# (naming location and the cloud), else the region's size and image check passes before
# anything is created (tests/fake/azure_rules.py).
. "$SW_TOP/tests/cli/azure_rules_lib.sh"

fake_start "{$VMFAST}"
sp_vault
answers "$TEST_TMP/base.json" service-principal

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
finish
