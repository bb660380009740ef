# A flaky Azure: throttling storms, 5xx bursts, a connection reset, and an access token
# that expires mid-install. The run rides them out and finishes.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"faults": [
 {"method": "GET", "path": "^/subscriptions$", "times": 3, "status": 429, "retry_after": 1},
 {"method": "GET", "path": "/providers/Microsoft\\.(Compute|Network|ContainerRegistry)$", "every": 2, "status": 503},
 {"method": "GET", "path": "/roleAssignments$", "times": 1, "action": "reset"}]}'
answers "$TEST_TMP/a.json" service-principal
sp_vault
expect_exit 0 "the install finishes through 429s, 5xx bursts and a reset" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "the fake throttled three times" test "$(fakectl count GET '^/subscriptions$' 429)" -eq 3
check "and the list then came through" test "$(fakectl count GET '^/subscriptions$' 200)" -eq 1
check "the 503 bursts were retried" test "$(fakectl count GET '/providers/Microsoft\.(Compute|Network|ContainerRegistry)$' 503)" -ge 1
check "the reset connection was retried" test "$(fakectl count GET '/roleAssignments$')" -eq 2
check "the state shows the step done" \
	python3 -c "import json,sys; sys.exit(json.load(open('$SW_STATE/state.json'))['steps'][0]['status']!='done')"

# The access token expires while the run waits for a provider to register: one renewal, then on.
SW_STATE="$TEST_TMP/state2"
sp_vault
fakectl post /_fake/reset '{"unregistered": ["Microsoft.Network"], "register_seconds": 5}' >/dev/null
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" \
	--until subscription 3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
fakectl wait POST '/Microsoft.Network/register$' 1 20
fakectl post /_fake/expire_tokens >/dev/null
wait "$pid"; rc=$?
check "the run finishes after its token expired (exit $rc)" test "$rc" -eq 0
check "ARM refused the expired token once" test "$(fakectl count '*' '^/subscriptions' 401)" -eq 1
check "and one new token was fetched for it" test "$(fakectl count POST '/oauth2/v2.0/token$')" -eq 2
check "the renewal is in the log" grep -q 'token refused (HTTP 401); renewing it once' "$SW_STATE/wizard.log"
check "no secret in the logs or states" fakectl secrets "$TEST_TMP/state/wizard.log" "$SW_STATE/wizard.log" \
	"$TEST_TMP/state/state.json" "$SW_STATE/state.json"
finish
