# Reusing an Azure CLI sign-in: `az account get-access-token` (a fake az first on PATH)
# supplies the token through its stdout; no token is in any argv, environment or file.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"unregistered": ["Microsoft.Network"], "register_seconds": 3}'
answers "$TEST_TMP/a.json" azure-cli
new_vault 2>/dev/null
mkdir -p "$TEST_TMP/bin"
cp "$FAKE_DIR/fake_az.py" "$TEST_TMP/bin/az"
chmod +x "$TEST_TMP/bin/az"
export FAKE_AZ_BASE="$FAKE_URL" FAKE_AZ_LOG="$TEST_TMP/az.log"

printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
PATH="$TEST_TMP/bin:$PATH" "$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" \
	--cloud "$FAKE_CLOUD" --until subscription 3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
# While it waits for the provider to register, look at the process from outside.
fakectl wait POST '/Microsoft.Network/register$' 1 20
tr '\0' '\n' < "/proc/$pid/cmdline" > "$TEST_TMP/run-cmdline" 2>/dev/null
tr '\0' '\n' < "/proc/$pid/environ" > "$TEST_TMP/run-environ" 2>/dev/null
wait "$pid"; rc=$?
check "the run with the Azure CLI token finishes (exit $rc)" test "$rc" -eq 0
check "az was asked for an ARM token with a fixed argv" \
	python3 -c "
import json,sys
runs=[json.loads(l) for l in open('$TEST_TMP/az.log')]
sys.exit(not runs or runs[0]['argv'][1:] != ['account','get-access-token','--output','json','--resource',
  'https://management.core.windows.net/','--tenant','$FAKE_TENANT'])"
check "that token was accepted by ARM" test "$(fakectl count GET '^/subscriptions$' 200)" -eq 1
check "the sampled process state was read" test -s "$TEST_TMP/run-cmdline"
python3 -c "
import json
for i, l in enumerate(open('$TEST_TMP/az.log')):
    r = json.loads(l)
    open('$TEST_TMP/az-%d.argv' % i, 'w').write('\n'.join(r['argv']))
    open('$TEST_TMP/az-%d.env' % i, 'w').write('\n'.join('%s=%s' % kv for kv in r['env'].items()))
"
check "no token in wizard.log, state.json, output, argv or environment of run and az" \
	fakectl secrets "$SW_STATE/wizard.log" "$SW_STATE/state.json" "$TEST_TMP/out" "$TEST_TMP/err" \
	"$TEST_TMP/run-cmdline" "$TEST_TMP/run-environ" "$TEST_TMP"/az-*.argv "$TEST_TMP"/az-*.env

# az present but signed out, and az missing: messages that say what to do.
rm -f "$SW_STATE/state.json"
FAKE_AZ_FAIL=1 PATH="$TEST_TMP/bin:$PATH" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription; rc=$?
check "a signed-out az fails the step (exit $rc)" test "$rc" -eq 1
check "telling the operator to run az login" grep -q "az account get-access-token failed (exit 1: ERROR: Please run 'az login'.*run \`az login\` first" "$TEST_TMP/err"
PATH="/usr/bin:/bin" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription; rc=$?
check "without az on PATH the step fails (exit $rc)" test "$rc" -eq 1
check "saying az was not found" grep -q 'az: not found on PATH' "$TEST_TMP/err"
finish
