# The Subscription screen signs in with a device code in a real terminal: the code appears,
# the (fake) identity platform approves it, the subscription list appears, the pick fills
# the field and uniq_id. Then the install runs the Subscription step from the install
# screen, asking before it registers resource providers. Only the loopback fake is reached.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# Two providers unregistered, so the install has to ask.
fake_start '{"unregistered": ["Microsoft.Compute", "Microsoft.ContainerService"], "register_seconds": 1}'
trap 'cleanup; fake_stop' EXIT

new_vault 2>/dev/null
start s "$SW_STATE" --cloud "'$FAKE_CLOUD'" --until subscription --passphrase-fd 3 "3<'$PASSFILE'"
track s
on_screen s 'resume at subscription'
keys s Enter
on_screen s 'step 1 of 6: Subscription'
check "the Subscription screen offers F5 to sign in" wait_for s 'F5 sign in'
# F5 on the empty subscription id field: picking it is what F5 is for (issue 17).
keys s Enter Enter Enter Enter
on_screen s '^  Subscription id *$'
keys s F5
check "F5 on the empty subscription field signs in" wait_for s 'FAKEC0DE1'
screen s >"$TEST_TMP/f5.screen"
expect_absent "  ...without checking the field" 'must not be empty' "$TEST_TMP/f5.screen"
check "F5 shows the device code and where to enter it" wait_for s 'FAKEC0DE1'
check "  ...with the verification address" wait_for s 'https://microsoft.com/devicelogin'
check "  ...and how long the code is good for, counting down from the code's 15 minutes (no 0%)" \
	wait_for s 'expires in 1[45]:[0-9]{2}$'
screen s >"$TEST_TMP/countdown.screen"
expect_absent "  ...with no percentage" ' 0%' "$TEST_TMP/countdown.screen"
# Two polls answered authorization_pending: the wizard had its chance to go on without approval.
polled_twice() { [ "$(fakectl count POST '/oauth2/v2.0/token$')" -ge 2 ]; }
check "it polls while the sign-in is not approved" wait_until 120 polled_twice
check "nothing is listed before the sign-in is approved" test "$(fakectl count GET '^/subscriptions$')" -eq 0
fakectl post /_fake/approve >/dev/null
check "after approval the subscription list appears" wait_for s 'Sentient AI Evaluation'
check "  ...with each subscription's state" wait_for s 'Pay-As-You-Go, Warned'
keys s Down Enter
check "a subscription that is not Enabled cannot be picked" wait_for s 'not Enabled'
keys s Up Enter
check "picking one fills the subscription field" \
	wait_for s "^  Subscription id +$FAKE_SUB *\$"
check "  ...and uniq_id follows it" wait_for s '^  Unique id +[0-9a-f]{8} *$'
check "the pick is saved to the state at once" \
	python3 -c "import json,sys; sys.exit(json.load(open('$SW_STATE/state.json'))['answers'].get('subscription') != '$FAKE_SUB')"
check "the refresh token is sealed in the vault" sh -c "'$SW_BIN' --state-dir '$SW_STATE' --passphrase-fd 3 vault list 3<'$PASSFILE' | grep -q '^azure-refresh-token'"
check "signing in created nothing and left the step pending" \
	python3 -c "import json,sys; s=json.load(open('$SW_STATE/state.json')); sys.exit(s['steps'][0]['status'] != 'pending')"
check "  ...and made no write to Azure" test "$(fakectl count PUT .)" -eq 0

page_to_review s
on_screen s 'review the plan'
keys s Enter
check "the install screen runs the Subscription step" wait_for s 'installing: subscription'
check "it signs in again with the sealed refresh token, no new code" wait_for s 'subscription\.sign-in done \([0-9]+ s\): signed in \(device-code\)'
check "it asks before registering resource providers" wait_for s 'Register 2 resource providers in the subscription'
# The question wraps at the window's width: the two names may stand on two lines.
check "  ...naming them" sh -c "tmux -S '$SOCK' capture-pane -p -t s | tr '\\n' ' ' | grep -Eq 'Microsoft.Compute, +Microsoft.ContainerService'"
check "  ...and registers nothing before the answer" test "$(fakectl count POST '/register$')" -eq 0
# The action's line (the plan's) wraps on the screen: its end is read whole from the log.
check "it signed in with the sealed refresh token before that, no new code" grep -q 'subscription.sign-in: sign in with a device code .* \.\.\. signed in (device-code)' \
	"$SW_STATE/wizard.log"
keys s y
check "after yes it registers them and waits for them" wait_for s 'registered Microsoft.ContainerService' 20
check "the step finishes" wait_for s 'finished: [0-9]+ done, 0 failed'
check "  ...having created nothing in Azure" test "$(fakectl count PUT .)" -eq 0
check "the state says the Subscription step is done" \
	python3 -c "import json,sys; s=json.load(open('$SW_STATE/state.json')); sys.exit(s['steps'][0]['status'] != 'done')"
check "one device code in all: the install reused the sealed refresh token" \
	test "$(fakectl count POST '/oauth2/v2.0/devicecode$')" -eq 1
keys s Enter
check "Enter closes the wizard with exit 0" wait_for s '^EXITED:0$'
check "no token the fake handed out is in wizard.log or state.json" \
	fakectl secrets "$SW_STATE/wizard.log" "$SW_STATE/state.json"
finish
