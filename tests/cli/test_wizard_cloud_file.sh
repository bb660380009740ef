# A cloud given with --cloud FILE (issue 17): the cloud field defaults to the file's cloud and
# F4 lists it; the regions follow the cloud answered (free text for a cloud the wizard does not
# know, so the review takes the default region); the region rule is checked when the field is
# left, a cloud change takes a region that no longer fits back to the new cloud's default; and
# Enter on a review error goes to the field it names.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start
trap 'cleanup; fake_stop' EXIT

new_vault 2>/dev/null
GUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
{
	cat <<EOF
timeout 20
wait resume at subscription
key Enter
wait step 1 of 6: Subscription
wait ^  Azure cloud +FakeCloud *\$
key F4
wait Azure cloud: Enter choose
wait FakeCloud +the --cloud file's cloud
key Esc
wait ^  Azure cloud +FakeCloud *\$
key Enter Enter Enter Enter
text $GUID
key Enter
wait ^  Region +eastus *\$
key F4
wait location takes free text here
EOF
	for n in 2 3 4 5 6; do printf 'key PgDn\nwait step %s of 6\n' $n; done
	cat <<EOF
key PgDn
wait review the plan
wait \(FakeCloud\), region eastus
mark review-fakecloud
EOF
	for n in 6 5 4 3 2 1; do printf 'key Esc\nwait step %s of 6\n' $n; done
	cat <<EOF
mark back-on-subscription
key Up Up Up Up Up Up
key C-u
text AzureChinaCloud
key Enter
wait location eastus is not a region of AzureChinaCloud: back to that cloud's default
wait ^  Region +chinaeast2 *\$
key Enter Enter Enter Enter
key F4
wait Region: Enter choose
wait chinanorth3 +AzureChinaCloud
mark china-list
key Esc
key C-u
text eastus
key Enter
wait location: eastus is a region of AzureCloud, not of AzureChinaCloud
key C-u
text chinanorth3
key Enter
wait ^  Unique id
key PgDn
wait step 2 of 6
key F10
wait Leave the wizard
text y
EOF
} >"$TEST_TMP/c.script"
start_script c "$SW_STATE" --cloud "'$FAKE_CLOUD'" --passphrase-fd 3 "3<'$PASSFILE'"
track c
check "the scripted session ends with exit 0" ended_ok c
check "the cloud field defaults to the --cloud file's cloud" dump_has c '^  Azure cloud +FakeCloud *$'
check "F4 on the cloud lists the file's cloud" dump_has c "FakeCloud +the --cloud file's cloud"
check "the region of a cloud the wizard does not know is free text" dump_has c 'location takes free text here'
check "the review takes the default region for that cloud (no dead end)" dump_has c '\(FakeCloud\), region eastus'
dump_section c review-fakecloud back-on-subscription "$TEST_TMP/c.review"
expect_absent "  ...and names no problem" 'do not make a plan|not of FakeCloud' "$TEST_TMP/c.review"
check "another cloud takes a region that does not fit back to its default" \
	dump_has c "location eastus is not a region of AzureChinaCloud: back to that cloud's default"
check "  ...the region field shows that cloud's first region" dump_has c '^  Region +chinaeast2 *$'
check "F4 on the region lists that cloud's regions" dump_has c 'chinanorth3 +AzureChinaCloud'
dump_frames_with c 'Region: Enter choose' "$TEST_TMP/c.chooser"
expect_absent "  ...and none of another cloud" 'eastus|westeurope|usgov' "$TEST_TMP/c.chooser"
check "a region of another cloud is refused when the field is left" \
	dump_has c 'location: eastus is a region of AzureCloud, not of AzureChinaCloud'
check "the region is saved once it fits" \
	python3 -c "import json,sys; a=json.load(open('$SW_STATE/state.json'))['answers']; sys.exit(not (a.get('cloud') == 'AzureChinaCloud' and a.get('location') == 'chinanorth3'))"

# Every step is confirmed now; answers that do not fit together (kept from elsewhere) open on
# the review, whose Enter goes to the field the problem names.
answers "$TEST_TMP/bad.json" device-code "$GUID"
sed -i 's/"cloud": "AzureCloud"/"cloud": "AzureChinaCloud"/' "$TEST_TMP/bad.json"
check "every step is confirmed now" python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(s.get("confirmed") for s in d["steps"]) else 1)
PY
start r "$SW_STATE" --answers "'$TEST_TMP/bad.json'" --passphrase-fd 3 "3<'$PASSFILE'"
track r
on_screen r 'resume at|continue'
keys r Enter
if wait_for r 'review the plan' 10 >/dev/null; then
	check "the review names the problem" wait_for r 'location: eastus is a region of AzureCloud, not of AzureChinaCloud'
	check "  ...and says Enter goes to that field" wait_for r 'Enter goes to location on the Subscription screen'
	keys r Enter
	check "Enter on the review error opens the Subscription screen" wait_for r 'step 1 of 6: Subscription'
	check "  ...on the region field (its help shows)" wait_for r 'One region for every resource'
else
	not_ok "with every step confirmed, the wizard opens on the review"
fi
keys r F10
on_screen r 'Leave the wizard'
keys r y
on_screen r 'EXITED:'
finish
