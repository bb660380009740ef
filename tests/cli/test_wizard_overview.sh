# The overview and `status` as the operator finds them after an install that went part of the
# way (issue 17): every line whole, none drawn over another; what was killed says interrupted;
# and when the wizard ends, the same summary stays on the terminal (the alternate screen goes).
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault
fresh_state
# state_edit PYTHON: runs PYTHON over s (state.json) and writes it back signed.
state_edit() {
	python3 - "$SW_STATE/state.json" "$1" <<'PY' && sign_state
import json, sys
s = json.load(open(sys.argv[1]))
steps = {x["step"]: x for x in s["steps"]}
exec(sys.argv[2])
json.dump(s, open(sys.argv[1], "w"), indent=1)
PY
}

# Item 5: the rabbitmq step failed after both VMs had their addresses.
state_edit '
for k in ("subscription", "rabbitmq", "minio", "acr", "aks", "overlay"):
    steps[k]["confirmed"] = True
steps["subscription"]["status"] = "done"
steps["rabbitmq"].update(status="failed", error="installing rabbitmq-server: apt-get exited 100")
s["outputs"] = {"rabbitmq.public_ip": "203.0.113.10", "minio.public_ip": "203.0.113.11"}
'
start o "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track o
on_screen o 'resume at rabbitmq'
screen o >"$TEST_TMP/failed.txt"
check "the overview shows the VMs' addresses whole" grep -q '^ *VMs: RabbitMQ 203\.0\.113\.10, Minio 203\.0\.113\.11$' "$TEST_TMP/failed.txt"
check "  ...and the step's error whole, on a line of its own" \
	grep -q '^ *installing rabbitmq-server: apt-get exited 100$' "$TEST_TMP/failed.txt"
keys o F10
on_screen o 'Leave the wizard'
keys o y
end_wait o >/dev/null
# Item 12: what the wizard prints when it ends, wrapped lines joined (capture-pane -J).
after() { tm capture-pane -p -J -t "$1"; }
after o >"$TEST_TMP/failed-after.txt"
check "the end leaves where the install stands on the terminal" \
	grep -q '^resume at rabbitmq (RabbitMQ VM): its install failed; start the wizard again to resume$' "$TEST_TMP/failed-after.txt"
check "  ...the VMs' addresses and the step's error" sh -c "grep -q '^VMs: RabbitMQ 203.0.113.10, Minio 203.0.113.11$' '$TEST_TMP/failed-after.txt' &&
	grep -q '^  installing rabbitmq-server: apt-get exited 100$' '$TEST_TMP/failed-after.txt'"
check "  ...the command that resumes it, with this profile" grep -qF "next: \`studio-wizard --state-dir $SW_STATE\`" "$TEST_TMP/failed-after.txt"
check "  ...and where the log is" grep -qx "log: $SW_STATE/wizard.log" "$TEST_TMP/failed-after.txt"

# Item 6: a kill -9 (or a closed terminal) leaves the step and its action "running" in the
# state while nothing runs; they say interrupted, wherever they are shown.
state_edit '
steps["subscription"].update(status="running", finished=None)
steps["rabbitmq"].update(status="pending", error=None)
s["actions"] = {"subscription.providers": {"status": "running", "started_ms": 1000}}
'
sw status >"$TEST_TMP/status.txt" 2>&1
check "status: the killed step says interrupted" grep -Eq '^1 +subscription +interrupted ' "$TEST_TMP/status.txt"
check "  ...and so does its action" grep -Eq '^ +interrupted +subscription.providers' "$TEST_TMP/status.txt"
expect_absent "  ...never running" 'running' "$TEST_TMP/status.txt"
# While a process holds the profile's lock, running is what it does.
flock "$SW_STATE/lock" "$SW_BIN" --state-dir "$SW_STATE" status >"$TEST_TMP/held.txt" 2>&1
check "status under a held lock: the step is running" grep -Eq '^1 +subscription +running ' "$TEST_TMP/held.txt"
check "  ...and its action" grep -Eq '^ +running +subscription.providers' "$TEST_TMP/held.txt"
start k "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track k
check "the overview says the killed step was interrupted" wait_for k '1\. Subscription +interrupted'
check "  ...and resumes it" wait_for k 'resume at subscription .*its install was interrupted'
keys k F10
on_screen k 'Leave the wizard'
keys k y
end_wait k >/dev/null

# Item 12: an installed profile; the overview and the end show the same summary.
state_edit '
for k in ("subscription", "rabbitmq", "minio", "acr", "aks", "overlay"):
    steps[k].update(status="done", confirmed=True)
s["actions"] = {}
s["outputs"] = {"rabbitmq.public_ip": "203.0.113.10", "minio.public_ip": "203.0.113.11",
                "rabbitmq.amqp_url": "amqp://studioml:<sealed:rabbitmq-password>@203.0.113.10:5673/",
                "minio.endpoint": "http://203.0.113.11:9000", "overlay.ready": "8/8"}
'
start d "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track d
check "the installed overview says so" wait_for d 'installed: runner pods 8/8 ready'
screen d >"$TEST_TMP/installed.txt"
# RabbitMQ's endpoint is the AMQP URL the rabbitmq step output, with the port the operator
# chose (rabbitmq.amqp_port), not one rebuilt around the default 5672.
check "  ...with the AMQP URL the rabbitmq step recorded, port 5673" \
	grep -qF 'RabbitMQ amqp://studioml:<sealed:rabbitmq-password>@203.0.113.10:5673/' "$TEST_TMP/installed.txt"
check "  ...and Minio's endpoint" grep -qE '^ +Minio +http://203\.0\.113\.11:9000$' "$TEST_TMP/installed.txt"
expect_absent "  ...and no URL rebuilt with the default port" ':5672/' "$TEST_TMP/installed.txt"
keys d F10
on_screen d 'Leave the wizard'
keys d y
end_wait d >/dev/null
after d >"$TEST_TMP/installed-after.txt"
check "the end prints the endpoints" sh -c "grep -qx 'installed: runner pods 8/8 ready' '$TEST_TMP/installed-after.txt' &&
	grep -qxF '  RabbitMQ amqp://studioml:<sealed:rabbitmq-password>@203.0.113.10:5673/' '$TEST_TMP/installed-after.txt' &&
	grep -qxF '  Minio    http://203.0.113.11:9000' '$TEST_TMP/installed-after.txt'"
check "  ...what to do next, with this profile's command" \
	grep -qF "next: the experimenters' studioml config: F3 then e in the wizard, or \`studio-wizard --state-dir $SW_STATE export experimenter\`" "$TEST_TMP/installed-after.txt"
check "  ...and where the log is" grep -qx "log: $SW_STATE/wizard.log" "$TEST_TMP/installed-after.txt"
# The overview's lines (wrapped at its width) joined again are the lines printed at the end.
overview_lines() { awk '/^    (installed|next|log): / { if (l != "") print l; l = substr($0, 5); next }
	l != "" && /^    [^ ]/ { l = l " " substr($0, 5); next } { if (l != "") print l; l = "" }
	END { if (l != "") print l }' "$1"; }
overview_lines "$TEST_TMP/installed.txt" >"$TEST_TMP/ov.txt"
grep -E '^(installed|next|log): ' "$TEST_TMP/installed-after.txt" >"$TEST_TMP/end.txt"
check "the overview shows the same summary, whole" sh -c "test -s '$TEST_TMP/end.txt' && diff '$TEST_TMP/ov.txt' '$TEST_TMP/end.txt'"
finish
