# tests/cli/test_wizard_overview.sh: once every step is done, the overview shows the endpoints
# the steps recorded. RabbitMQ's is the AMQP URL the rabbitmq step output, with the port the
# operator chose (rabbitmq.amqp_port), not one rebuilt around the default 5672.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault 2>/dev/null
sign_state
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for st in s["steps"]:
    st.update(status="done", confirmed=True)
s["outputs"] = {"rabbitmq.public_ip": "127.0.0.2",
                "rabbitmq.amqp_url": "amqp://studioml:<sealed:rabbitmq-password>@127.0.0.2:5673/",
                "minio.endpoint": "http://127.0.0.3:9000", "overlay.ready": "8/8"}
json.dump(s, open(sys.argv[1], "w"), indent=1)
PY
sign_state
start ov "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
check "the overview says the stack is installed" wait_for ov 'installed: runner pods 8/8 ready'
screen ov >"$TEST_TMP/overview"
check "  ...with the AMQP URL the rabbitmq step recorded, port 5673" \
	grep -qF 'RabbitMQ amqp://studioml:<sealed:rabbitmq-password>@127.0.0.2:5673/' "$TEST_TMP/overview"
expect_absent "  ...and no URL rebuilt with the default port" ':5672/' "$TEST_TMP/overview"
keys ov F10
finish
