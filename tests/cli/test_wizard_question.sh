# A question on the install screen (issue 17, item 8): the whole question, wrapped, every
# choice in the box (none behind a scroll marker), and the keys the help line offers are the
# choices' own (y/n for yes/no, c/s for cpu/stop), which answer it.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# Three providers to register: a question longer than the 100 columns of the window.
acraks_start "$FAST, \"unregistered\": [\"Microsoft.Network\", \"Microsoft.ContainerRegistry\", \"Microsoft.ContainerService\"]"
trap 'cleanup; kill $HUB_PID 2>/dev/null; fake_stop' EXIT
sp_vault
# No decisions: the install asks on screen.
acraks_answers "$TEST_TMP/a.json"
python3 - "$TEST_TMP/a.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); del a["decisions"]
json.dump(a, open(sys.argv[1], "w"))
PY
# The rabbitmq and minio steps are done (their VMs are another test's): the install goes on
# to the acr step's preflight, where the GPU quota (0 in the recording) is too small.
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for x in s["steps"]:
    x["confirmed"] = True
    if x["step"] in ("rabbitmq", "minio"):
        x["status"] = "done"
json.dump(s, open(sys.argv[1], "w"))
PY
sign_state

cat >"$TEST_TMP/q.script" <<'EOF2'
timeout 30
wait resume at the review
key Enter
wait review the plan
key Enter
wait installing: subscription
wait ^  Register 3 resource providers
key F10
wait \| Leave the wizard\? The install stops here
key n
text n
wait answer: no
mark no
key Enter
EOF2
start_script q "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until acr
track q
check "the wizard ends after the answer" end_wait q
# The frames that ask (the question at the top of the panel, not the log's copy of it).
dump_frames_with q '^  Register 3 resource providers' "$TEST_TMP/providers.txt"
check "the question is shown whole, wrapped" sh -c "grep -q '^  Register 3 resource providers in the subscription: Microsoft.Network' '$TEST_TMP/providers.txt' &&
	grep -q '^  Microsoft.ContainerRegistry, Microsoft.ContainerService? The later steps need them\.\$' '$TEST_TMP/providers.txt'"
check "  ...with both choices in the box" sh -c "grep -Eq '^  \| *> yes' '$TEST_TMP/providers.txt' && grep -Eq '^  \| +no' '$TEST_TMP/providers.txt'"
check "  ...and no scroll marker" bash -c '! grep -Eq "^  [-+]+v[-+]+$" "$1"' _ "$TEST_TMP/providers.txt"
check "the help line offers the choices' keys" grep -q 'y yes  n no' "$TEST_TMP/providers.txt"
check "F10 over the question shows the quit dialog in front" dump_has q '\| Leave the wizard\? The install stops here'
check "n answers no" dump_has q 'answer: no'

# Again: y registers them; then the GPU quota question, answered by its own keys.
cat >"$TEST_TMP/c.script" <<'EOF2'
timeout 30
wait resume at subscription
key Enter
wait review the plan
key Enter
wait ^  Register 3 resource providers
text y
wait ^  The GPU quota is too small
text s
wait answer: stop
key Enter
EOF2
start_script c "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until acr
track c
check "the second run ends after its answers" end_wait c
check "y answers yes" dump_has c 'answer: yes'
dump_frames_with c '^  The GPU quota is too small' "$TEST_TMP/quota.txt"
check "the quota question is shown whole" grep -q '^  .*or stop with nothing created?$' "$TEST_TMP/quota.txt"
check "  ...with both choices in the box" sh -c "grep -Eq '^  \| *> cpu' '$TEST_TMP/quota.txt' && grep -Eq '^  \| +stop' '$TEST_TMP/quota.txt'"
check "its help line offers c and s" grep -q 'c cpu  s stop' "$TEST_TMP/quota.txt"
expect_absent "  ...not y/n" 'y/n|y yes' "$TEST_TMP/quota.txt"
check "s answers stop" dump_has c 'answer: stop'
# The log wraps at the window's width: "stopped" may end one row, the rest start the next.
check "  ...and the install stops with nothing created" dump_has c 'before anything was created'
# On a screen the message names the choice made there, not the answers file's key (issue 17,
# item 20); the log has the line whole, unwrapped.
check "  ...saying the operator chose to stop" grep -q 'stopped before anything was created (you chose to stop)' "$SW_STATE/wizard.log"
expect_absent "  ...without the answers file's decisions.low_quota" 'created \(decisions\.low_quota: stop\)' "$SW_STATE/wizard.log"
finish
