# kill -9 while the Subscription step waits for a resource provider to register, then run
# again: the registration is not requested a second time, the wait goes on, the step ends.
# (Crashes during resource creation are covered by tests/unit/test_engine.c.)
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"unregistered": ["Microsoft.Compute"], "register_seconds": 4}'
answers "$TEST_TMP/a.json" service-principal
sp_vault
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" \
	--until subscription 3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
fakectl wait POST '/Microsoft.Compute/register$' 1 20
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "the state shows the providers action running when it was killed" \
	python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))
sys.exit(not (s['actions']['subscription.providers']['status']=='running' and s['steps'][0]['status']=='running'))"
expect_exit 0 "the restarted run finishes" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "it waits for the registration asked for before the crash" grep -q 'registered Microsoft.Compute' "$TEST_TMP/out"
check "the fake saw exactly one register POST" test "$(fakectl count POST '/Microsoft.Compute/register$')" -eq 1
check "the actions done before the crash were not run again" test "$(fakectl count GET '/roleAssignments$')" -le 1
check "the step is done" \
	python3 -c "import json,sys; sys.exit(json.load(open('$SW_STATE/state.json'))['steps'][0]['status']!='done')"
finish
