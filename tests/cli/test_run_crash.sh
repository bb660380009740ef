# kill -9 during a long-running operation, then run again: the saved operation URL is
# polled, the resource is not PUT a second time, and the step finishes.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"group_lro_seconds": 4, "retry_after": 1}'
answers "$TEST_TMP/a.json" service-principal
sp_vault
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" \
	3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
fakectl wait GET '/operations/' 1 20
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "the operation URL was saved before polling" \
	python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))['steps'][0]
sys.exit(not (s['status']=='running' and s['operation'] and '/operations/' in s['operation']
  and s['resources'][-1].lower().endswith('/resourcegroups/studioml-1a2b3c4d')))"
polls=$(fakectl count GET '/operations/')
expect_exit 0 "the restarted run finishes" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"
check "it says it resumes the operation" grep -q 'resuming the operation started before the restart' "$TEST_TMP/out"
check "it polled the saved operation" test "$(fakectl count GET '/operations/')" -gt "$polls"
check "the fake saw exactly one PUT for that resource group" \
	test "$(fakectl count PUT '/resourcegroups/studioml-1a2b3c4d$')" -eq 1
check "the other group was created too" test "$(fakectl count PUT '/resourcegroups/leafai-1a2b3c4d$')" -eq 1
check "the state has no operation in flight and lists both groups" \
	python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))['steps'][0]
sys.exit(not (s['status']=='done' and s['operation'] is None and len(s['resources'])==2))"
finish
