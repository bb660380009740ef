# kill -9 of the wizard while the install screen waits for Azure (a resource provider
# registering), then a restart: the overview says where to resume, the install waits for
# what was asked before the crash, and Azure (the fake) sees the request exactly once.
# (Crashes during resource creation: tests/unit/test_engine.c.)
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# The registration lasts until the test ends it (after the restart has seen it still running).
fake_start '{"unregistered": ["Microsoft.Network"], "register_seconds": 3600}'
trap 'cleanup; fake_stop' EXIT

answers "$TEST_TMP/a.json" service-principal
sp_vault
ARGS="--answers '$TEST_TMP/a.json' --cloud '$FAKE_CLOUD' --until subscription --passphrase-fd 3 3<'$PASSFILE'"
start c1 "$SW_STATE" "$ARGS"
track c1
on_screen c1 'resume at subscription'
keys c1 Enter
on_screen c1 'step 1 of 6'
page_to_review c1
check "the preloaded answers reach the review" wait_for c1 'review the plan'
keys c1 Enter
check "the install shows the registration running, with its clock" \
	wait_for c1 'subscription: registering Microsoft.Network .* 0:0[0-9]'
fakectl wait POST '/Microsoft.Network/register$' 1 20
kill -9 "$(wiz_pid c1)"
check "kill -9 ends the wizard mid-operation" wait_for c1 'EXITED:137'
check "the state shows the action running when it was killed" python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))
sys.exit(not (s['steps'][0]['status']=='running' and s['actions']['subscription.providers']['status']=='running'))"

sw status >"$TEST_TMP/status.txt" 2>&1
check "status says the killed step and its action were interrupted" sh -c "grep -Eq '^1 +subscription +interrupted ' '$TEST_TMP/status.txt' &&
	grep -Eq '^ +interrupted +subscription.providers' '$TEST_TMP/status.txt'"

start c2 "$SW_STATE" "$ARGS"
track c2
check "after the restart the overview says the install resumes at subscription" \
	wait_for c2 'resume at subscription'
check "  ...and shows the step as interrupted (nothing runs it any more)" wait_for c2 'Subscription +interrupted'
keys c2 Enter
check "with every answer confirmed, continuing goes to the review" wait_for c2 'review the plan'
keys c2 Enter
check "the install waits for the registration asked for before the crash" \
	wait_for c2 'subscription: waiting for Microsoft.Network to be registered' 20
fakectl post /_fake/script '{"unregistered": ["Microsoft.Network"], "register_seconds": 0}' >/dev/null
check "  ...and goes on when Azure says it is registered" wait_for c2 'registered Microsoft.Network' 20
check "the step finishes" wait_for c2 'finished: [0-9]+ done, 0 failed' 20
check "the fake saw exactly one register request" test "$(fakectl count POST '/Microsoft.Network/register$')" -eq 1
check "the state has every action done" python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))
sys.exit(not (s['steps'][0]['status']=='done' and all(a['status']=='done' for a in s['actions'].values())))"
keys c2 Enter
check "Enter closes the wizard with exit 0" wait_for c2 '^EXITED:0$'
finish
