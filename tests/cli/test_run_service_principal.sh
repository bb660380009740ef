# `run` with a service principal against the loopback fake: the Subscription step end
# to end, resume of a done step, honest refusal of steps not built yet, and errors an
# operator can act on.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"unregistered": ["Microsoft.ContainerService"]}'
answers "$TEST_TMP/a.json" service-principal

expect_exit 1 "run without a vault says to create one" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message names vault init" grep -q 'vault init' "$TEST_TMP/err"
check "  ...as a command for this state directory (issue 17)" grep -qF "\`studio-wizard --state-dir $SW_STATE vault init\`" "$TEST_TMP/err"

new_vault 2>/dev/null
expect_exit 1 "run without the client secret in the vault fails" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message says how to store the secret" grep -q 'vault set azure-client-secret' "$TEST_TMP/err"
check "  ...with this state directory's --state-dir, so it opens this vault (issue 17)" \
	grep -qF "\`studio-wizard --state-dir $SW_STATE vault set azure-client-secret --kind client-secret\`" "$TEST_TMP/err"

printf '%s' wrong-secret | swp vault set azure-client-secret --kind client-secret
expect_exit 1 "a wrong client secret fails the step" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message names invalid_client and the vault entry" grep -q 'invalid_client.*azure-client-secret' "$TEST_TMP/err"
check "the state shows the step failed with the error" \
	python3 -c "import json,sys; s=json.load(open('$SW_STATE/state.json'))['steps'][0]; sys.exit(not (s['status']=='failed' and 'invalid_client' in s['error']))"

printf '%s' "$FAKE_SECRET" | swp vault set azure-client-secret --kind client-secret
expect_exit 0 "service principal sign-in runs the subscription step" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "one line per action, with its result" grep -q '^subscription: select subscription .* \.\.\. Sentient AI Evaluation, Enabled' "$TEST_TMP/out"
check "the unregistered provider is registered" grep -q '^subscription: registered Microsoft.ContainerService' "$TEST_TMP/out"
check "the consent comes from the answers file" grep -q 'question register-providers answered by decisions.register_providers' "$SW_STATE/wizard.log"
check "the state shows every action of the step done" \
	python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))
a=s['actions']
sys.exit(not (s['steps'][0]['status']=='done' and all(a[k]['status']=='done' for k in
  ('subscription.sign-in','subscription.select','subscription.providers','subscription.permissions'))))"
check "the fake saw one register POST" test "$(fakectl count POST '/Microsoft.ContainerService/register$')" -eq 1
check "the role check reads the identity's role assignments and their roles" \
	test "$(fakectl count GET '/providers/Microsoft.Authorization/roleAssignments$' 200)/$(fakectl count GET '/roleDefinitions/[^/]+$' 200)" = 1/1
check "and never the subscription-scope permissions call the specification does not have" \
	test "$(fakectl count GET '^/subscriptions/[^/]+/providers/Microsoft.Authorization/permissions$')" -eq 0
check "an Owner is told it may create role assignments" grep -q '^subscription: check that .* \.\.\. may create role assignments (' "$TEST_TMP/out"
check "nothing is created by the subscription step (groups belong to the steps that use them)" \
	test "$(fakectl count PUT '.')" -eq 0

before=$(fakectl count '*' '.')
expect_exit 0 "a second run skips the done step" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "it says so" grep -q '^subscription: done earlier' "$TEST_TMP/out"
check "and sends nothing to Azure" test "$(fakectl count '*' '.')" -eq "$before"

expect_exit 2 "an unknown --until step is a usage error" runp --answers "$TEST_TMP/a.json" --until nosuchstep
printf '{"location": "atlantis"}\n' > "$TEST_TMP/bad.json"
python3 - "$TEST_TMP/a.json" "$TEST_TMP/noconsent.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); del a["decisions"]; json.dump(a, open(sys.argv[2], "w"))
PY
SW_STATE="$TEST_TMP/state3"
sp_vault
fakectl post /_fake/reset '{"unregistered": ["Microsoft.ContainerService"]}' >/dev/null
expect_exit 1 "a headless run that must ask a question stops" runp --answers "$TEST_TMP/noconsent.json" --cloud "$FAKE_CLOUD" --until subscription
check "naming the question and the answers key that answers it" \
	grep -q 'question register-providers: Register 1 resource provider.*Microsoft.ContainerService.*decisions.register_providers: yes|no' "$TEST_TMP/err"
SW_STATE="$TEST_TMP/state"
expect_exit 2 "an invalid answer exits 2" runp --answers "$TEST_TMP/bad.json"
check "naming the key path" grep -q '^studio-wizard: location:' "$TEST_TMP/err"

# A subscription this identity cannot see, and a disabled one, in a fresh profile.
SW_STATE="$TEST_TMP/state2"
sp_vault
answers "$TEST_TMP/other.json" service-principal 99999999-9999-9999-9999-999999999999
expect_exit 1 "a subscription not in the list fails" runp --answers "$TEST_TMP/other.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message lists what this sign-in can see" grep -q 'not among the 2 subscriptions.*Sentient AI Evaluation' "$TEST_TMP/err"
answers "$TEST_TMP/warned.json" service-principal 00000000-0000-0000-0000-000000000099
expect_exit 1 "a subscription that is not Enabled fails" runp --answers "$TEST_TMP/warned.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message gives its state" grep -q 'is Warned, not Enabled' "$TEST_TMP/err"

# Contributor cannot write role assignments: an early warning, not a failure.
fakectl post /_fake/script '{"permissions": [{"actions": ["*"], "notActions": ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"]}]}' >/dev/null
expect_exit 0 "a Contributor still finishes the step" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "with a warning about role assignments" grep -q 'warning: this identity may not create role assignments' "$TEST_TMP/out"

check "no secret the fake handed out is in wizard.log or state.json" \
	fakectl secrets "$TEST_TMP/state/wizard.log" "$TEST_TMP/state/state.json" "$SW_STATE/wizard.log" "$SW_STATE/state.json" "$TEST_TMP/out"
finish
