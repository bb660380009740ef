# Esc on the install screen (issue 17): Esc is "back" everywhere else, so it asks before it
# stops anything (No by default), and what it stops is recorded as stopped by the operator,
# not as failed: Azure goes on with what it started and the next run resumes it.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# A provider that stays Registering long enough to press keys while the step runs.
fake_start '{"unregistered": ["Microsoft.ContainerService"], "register_seconds": 60}'
trap 'cleanup; fake_stop' EXIT

answers "$TEST_TMP/a.json" service-principal
sp_vault
start i "$SW_STATE" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until subscription \
	--passphrase-fd 3 "3<'$PASSFILE'"
track i
to_review i
keys i Enter
# decisions.register_providers (yes) answers the consent: the registration then waits.
check "the install runs the provider registration" wait_for i '1 running, 3 done' 20
check "the key help says Esc asks first" wait_for i 'Esc stop \(asks first\)'
keys i Escape
check "Esc asks before stopping the install" wait_for i 'Stop the install here\?'
check "  ...saying that Azure goes on and a new start resumes" \
	wait_for i 'Azure keeps creating what it has'
# polls_grow: while the question is open the install goes on (it polls the registration;
# tui/loop.c serves the sources of every screen underneath the dialog).
polls_grow() {
	before=$(fakectl count GET '/providers/Microsoft.ContainerService$')
	for _ in $(seq 100); do
		[ "$(fakectl count GET '/providers/Microsoft.ContainerService$')" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}
check "  ...and the install goes on while it asks" polls_grow
keys i Enter
check "Enter (the default, No) keeps the install running" wait_for i '1 running'
check "  ...and nothing was stopped" bash -c '! grep -q "stopped" "$1/state.json"' _ "$SW_STATE"
keys i Escape
wait_for i 'Stop the install here\?' >/dev/null
keys i y
check "y stops it: the action says stopped by the operator" \
	wait_for i '^ [a-z]+\.[a-z-]+ stopped by the operator \([0-9]+ s\)' 10
check "the closing line says the operator stopped it and how to resume" \
	wait_for i "stopped by the operator: Azure keeps creating what it had started; start the wizard again"
check "  ...with this profile's --state-dir in the command" wait_for i "\`studio-wizard --state-dir $SW_STATE"
check "  ...and no \"fix the cause\" (nothing failed)" bash -c '! tmux -S "$1" capture-pane -p -t i | grep -q "fix the cause"' _ "$SOCK"
check "the summary counts it as stopped, none failed" wait_for i 'stopped: [0-9]+ done, 0 failed, 1 stopped by the operator'
check "the state records the action as stopped, not failed" python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
a = s["actions"]["subscription.providers"]
step = s["steps"][0]
sys.exit(not (a["status"] == "stopped" and a.get("detail") == "stopped by the operator" and "error" not in a
              and step["status"] != "failed"))
PY
keys i Enter
wait_for i '^EXITED:' >/dev/null
check "status prints the stopped action" sh -c "'$SW_BIN' --state-dir '$SW_STATE' status | grep -q 'stopped *subscription.providers: stopped by the operator'"
finish
