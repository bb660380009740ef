# Device-code sign-in headless: the code is printed, the fake approves it, the refresh
# token is sealed in the vault, and the next run signs in with it (no new code).
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{}'
answers "$TEST_TMP/a.json" device-code
new_vault 2>/dev/null

printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription \
	3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
check "run prints the sign-in message with the code" wait_until 120 \
	grep -q '^subscription: sign in: To sign in, use a web browser to open the page .* and enter the code FAKEC0DE1' "$TEST_TMP/out"
# Two polls answered authorization_pending: the run had its chance to go on without approval.
check "it polls while the operator has not approved" \
	wait_until 120 sh -c 'test "$(python3 "$1/fakectl.py" "$2" count POST "/oauth2/v2.0/token\$")" -ge 2' _ "$FAKE_DIR" "$FAKE_URL"
check "and does not go on before approval" test "$(fakectl count GET '^/subscriptions$')" -eq 0
fakectl post /_fake/approve >/dev/null
wait "$pid"; rc=$?
check "after approval the run finishes (exit $rc)" test "$rc" -eq 0
check "signing in is reported done" grep -q '^subscription: sign in with a device code .* \.\.\. signed in (device-code)' "$TEST_TMP/out"
swp vault list > "$TEST_TMP/list"
check "the refresh token is sealed in the vault" grep -q '^azure-refresh-token  *token  *subscription' "$TEST_TMP/list"
check "the state mirrors the vault generation" \
	python3 -c "import json,sys; sys.exit(json.load(open('$SW_STATE/state.json'))['vault_generation'] < 2)"

# The next sign-in (here: the step again) uses the refresh token.
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s["steps"][0]["status"] = "pending"
s["actions"] = {}
json.dump(s, open(p, "w"))
PY
sign_state
codes=$(fakectl count POST '/oauth2/v2.0/devicecode$')
swp vault get azure-refresh-token > "$TEST_TMP/rt1"
expect_exit 0 "a second run signs in silently" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "without a new device code" test "$(fakectl count POST '/oauth2/v2.0/devicecode$')" -eq "$codes"
expect_absent "and prints no sign-in message" 'sign in:' "$TEST_TMP/out"
swp vault get azure-refresh-token > "$TEST_TMP/rt2"
check "the rotated refresh token replaced the old one in the vault" sh -c "test -s '$TEST_TMP/rt2' && ! cmp -s '$TEST_TMP/rt1' '$TEST_TMP/rt2'"

# A declined sign-in fails the step with a message; a new profile starts without a token.
SW_STATE="$TEST_TMP/state2"
new_vault 2>/dev/null
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription \
	3<"$TEST_TMP/.pass" >"$TEST_TMP/out3" 2>"$TEST_TMP/err3" &
pid=$!
check "the second profile's run asks for a sign-in" wait_until 120 grep -q 'sign in:' "$TEST_TMP/out3"
fakectl post /_fake/decline >/dev/null
wait "$pid"; rc=$?
check "a declined sign-in exits 1 (got $rc)" test "$rc" -eq 1
check "saying it was declined" grep -q 'sign-in was declined' "$TEST_TMP/err3"

check "no token or device code appears in wizard.log, state.json or the output" \
	fakectl secrets "$TEST_TMP/state/wizard.log" "$TEST_TMP/state/state.json" "$SW_STATE/wizard.log" \
	"$TEST_TMP/out" "$TEST_TMP/out3" "$TEST_TMP/err3"
finish
