# kill -9 of the wizard while the install screen waits on a long-running operation, then a
# restart: the overview says where to resume, the install polls the saved operation, and
# Azure (the fake) sees exactly one PUT for that resource.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start '{"group_lro_seconds": 4, "retry_after": 1}'
trap 'cleanup; fake_stop' EXIT

answers "$TEST_TMP/a.json" service-principal
sp_vault
ARGS="--answers '$TEST_TMP/a.json' --cloud '$FAKE_CLOUD' --passphrase-fd 3 3<'$PASSFILE'"
start c1 "$SW_STATE" "$ARGS"
track c1
wait_for c1 'resume at subscription' >/dev/null
keys c1 Enter
wait_for c1 'step 1 of 6' >/dev/null
for i in 1 2 3 4 5 6; do keys c1 NPage; sleep 0.2; done
check "the preloaded answers reach the review" wait_for c1 'review the plan'
keys c1 Enter
check "the install creates the first resource group as a long-running operation" \
	wait_for c1 'subscription: creating resource group studioml-1a2b3c4d in eastus'
fakectl wait GET '/operations/' 1 20
kill -9 "$(wiz_pid c1)"
check "kill -9 ends the wizard mid-operation" wait_for c1 'EXITED:137'
check "the operation URL was in the state before the first poll" python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))['steps'][0]
sys.exit(not (s['status']=='running' and s['operation'] and '/operations/' in s['operation']))"

start c2 "$SW_STATE" "$ARGS"
track c2
check "after the restart the overview says the install resumes at subscription" \
	wait_for c2 'resume at subscription'
check "  ...and shows the step as running" wait_for c2 'Subscription +running'
keys c2 Enter
check "with every answer confirmed, continuing goes to the review" wait_for c2 'review the plan'
keys c2 Enter
check "the install resumes the saved operation" wait_for c2 'resuming the operation started before the restart' 15
check "the step finishes" wait_for c2 'finished: every step of this version is done' 20
check "the fake saw exactly one PUT for that resource group" \
	test "$(fakectl count PUT '/resourcegroups/studioml-1a2b3c4d$')" -eq 1
check "the state has no operation in flight" python3 -c "
import json,sys
s=json.load(open('$SW_STATE/state.json'))['steps'][0]
sys.exit(not (s['status']=='done' and s['operation'] is None))"
keys c2 Enter
check "Enter closes the wizard with exit 0" wait_for c2 '^EXITED:0$'
finish
