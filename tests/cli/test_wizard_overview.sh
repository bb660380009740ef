# The overview as the operator finds it after an install that went part of the way (issue 17):
# every line whole, none drawn over another.
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
wait_for o 'resume at rabbitmq' >/dev/null
screen o >"$TEST_TMP/failed.txt"
check "the overview shows the VMs' addresses whole" grep -q '^ *VMs: RabbitMQ 203\.0\.113\.10, Minio 203\.0\.113\.11$' "$TEST_TMP/failed.txt"
check "  ...and the step's error whole, on a line of its own" \
	grep -q '^ *installing rabbitmq-server: apt-get exited 100$' "$TEST_TMP/failed.txt"
keys o F10
wait_for o 'Leave the wizard' >/dev/null
keys o y
end_wait o >/dev/null
finish
