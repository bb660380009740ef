# The wizard on a state.json changed outside studio-wizard: once the vault is open it asks
# (default No) before anything is sent, naming what changed; No leaves with exit 8 and the
# file as it was; Yes takes it, signs it again and goes on.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start '{}'
trap 'cleanup; fake_stop' EXIT

answers "$TEST_TMP/a.json" service-principal
sp_vault
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["outputs"] = {"minio.data_partuuid": "6c3e9a4f-01"}
json.dump(d, open(p, "w"), indent=1)
PY
sign_state
sed -i 's/6c3e9a4f-01/6c3e9a4f-02/' "$SW_STATE/state.json"
cp "$SW_STATE/state.json" "$TEST_TMP/changed.json"
ARGS="--cloud '$FAKE_CLOUD' --passphrase-fd 3 3<'$PASSFILE'"

start w1 "$SW_STATE" "$ARGS"
track w1
check "the wizard asks before it uses a changed state" wait_for w1 'Go on with state.json as it is now'
check "  ...naming what changed" wait_for w1 'outputs."minio.data_partuuid": "6c3e9a4f-01" ->'
keys w1 Enter
check "Enter (No, the default) leaves the wizard with exit 8" wait_for w1 '^EXITED:8$'
check "  ...saying nothing was sent" grep -q 'state.json was not verified and not accepted; nothing was sent' "$TEST_TMP/w1.err"
check "  ...and the log what changed" grep -q 'outputs."minio.data_partuuid": "6c3e9a4f-01" -> "6c3e9a4f-02"' "$SW_STATE/wizard.log"
check "  ...leaving state.json as it was" cmp -s "$SW_STATE/state.json" "$TEST_TMP/changed.json"

start w2 "$SW_STATE" "$ARGS"
track w2
on_screen w2 'Go on with state.json as it is now'
keys w2 y
check "Yes takes the state and the wizard goes on" wait_for w2 'starts at subscription|resume at'
keys w2 F10
on_screen w2 'Leave the wizard'
keys w2 y
check "  ...and quits with exit 0" wait_for w2 '^EXITED:0$'
swp vault list >"$TEST_TMP/list" 2>&1
check "the accepted state is signed: the vault opens" grep -q "^azure-client-secret" "$TEST_TMP/list"
expect_absent "  ...without a warning" 'MAC' "$TEST_TMP/list"
check "  ...keeping the accepted value" grep -q '"minio.data_partuuid":	"6c3e9a4f-02"' "$SW_STATE/state.json"
finish
