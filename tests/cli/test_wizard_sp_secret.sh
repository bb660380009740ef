# A service principal from an empty profile, without leaving the wizard (issue 17): the vault
# is created in the wizard, F5 on the empty subscription id asks for the client secret in a
# masked field and seals it at once (as `az login --service-principal` prompts), the sign-in
# lists the subscriptions, and the install runs the Subscription step with it. No frame shows
# the secret, and nothing suggests a `vault set` the wizard's own lock would refuse.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start '{"unregistered": ["Microsoft.ContainerService"]}'
trap 'cleanup; fake_stop' EXIT

CLIENT=33333333-3333-3333-3333-333333333333
cat >"$TEST_TMP/sp.script" <<EOF
timeout 30
wait create the vault
text $PASS
key Enter
text $PASS
key Enter
wait resume at subscription
key Enter
wait step 1 of 6: Subscription
key Enter C-u
text service-principal
key Enter C-u
text $FAKE_TENANT
key Enter C-u
text $CLIENT
key Enter
wait ^  Subscription id *\$
mark before-secret
key F5
wait service principal secret
wait signs in with its client secret
mark typing
text $FAKE_SECRET
key Enter
mark sealed
wait Sentient AI Evaluation
key Enter
wait ^  Subscription id +$FAKE_SUB *\$
$(for n in 2 3 4 5 6; do printf 'key PgDn\nwait step %s of 6\n' $n; done)
key PgDn
wait review the plan
key Enter
wait installing: subscription
wait Register 1 resource provider
text y
wait finished: [0-9]+ done, 0 failed
key Enter
EOF
start_script sp "$SW_STATE" --cloud "'$FAKE_CLOUD'" --until subscription
track sp
check "the scripted install with a service principal ends with exit 0" ended_ok sp
check "the vault is created in the wizard" dump_has sp 'create the vault'
check "F5 on the empty subscription id asks for the service principal's secret" \
	dump_has sp 'signs in with its client secret'
check "  ...in a masked field" dump_has sp '^  Client secret +\*+'
check "after the secret the sign-in lists the subscriptions" dump_has sp 'Sentient AI Evaluation'
check "picking one fills the subscription id" dump_has sp "^  Subscription id +$FAKE_SUB *\$"
check "the install signs in as the service principal" dump_has sp 'sign in as service principal 33333333-'
# The action's line (the plan's) wraps on the screen: its end is read whole from the log.
check "  ...and is signed in" grep -q 'subscription.sign-in: sign in as service principal .* \.\.\. signed in (service-principal)' \
	"$SW_STATE/wizard.log"
check "  ...and finishes the Subscription step" dump_has sp 'finished: [0-9]+ done, 0 failed'
expect_absent "no frame shows the secret ($(grep -c '^--- frame' "$TEST_TMP/sp.dump" 2>/dev/null) frames)" \
	"$FAKE_SECRET" "$TEST_TMP/sp.dump"
expect_absent "no frame suggests a vault set (the wizard holds the profile's lock)" 'vault set' "$TEST_TMP/sp.dump"
check "the secret is sealed in the vault as azure-client-secret, kind client-secret" \
	sh -c "'$SW_BIN' --state-dir '$SW_STATE' --passphrase-fd 3 vault list 3<'$PASSFILE' | grep -Eq '^azure-client-secret +client-secret +subscription'"
check "  ...byte for byte as typed" \
	sh -c "test \"\$('$SW_BIN' --state-dir '$SW_STATE' --passphrase-fd 3 vault get azure-client-secret 3<'$PASSFILE')\" = '$FAKE_SECRET'"
check "the state says the Subscription step is done" \
	python3 -c "import json,sys; s=json.load(open('$SW_STATE/state.json')); sys.exit(s['steps'][0]['status'] != 'done')"
check "the secret is in neither wizard.log nor state.json" \
	fakectl secrets "$SW_STATE/wizard.log" "$SW_STATE/state.json"
expect_absent "  ...nor literally" "$FAKE_SECRET" "$SW_STATE/wizard.log" "$SW_STATE/state.json"
finish
