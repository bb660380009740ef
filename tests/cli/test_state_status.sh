# status: the six steps, where an install resumes, and the state/vault generation checks.
. "$SW_TOP/tests/lib.sh"

out=$(sw status)
check "status lists the six steps in order" bash -c '[ "$(awk "/^[0-9] /{print \$2}" <<<"$1" | tr "\n" " ")" = "subscription rabbitmq minio acr aks overlay " ]' _ "$out"
check "a fresh profile starts at subscription" grep -q "the wizard starts at subscription" <<<"$out"

new_vault 2>/dev/null
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for s in d["steps"]:
    if s["step"] == "subscription":
        s.update(status="done", confirmed=True, finished="2026-11-25T10:00:00Z", updated="2026-11-25T10:00:00Z")
    if s["step"] == "rabbitmq":
        s.update(status="failed", confirmed=True, error="QuotaExceeded: 0 of 4 cores free in eastus\u001b[31m", updated="2026-11-25T10:05:00Z")
d["answers"] = {"subscription": "00000000-0000-0000-0000-000000000000", "uniq_id": "1a2b3c4d"}
d["resources"] = {"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/studioml-1a2b3c4d/providers/microsoft.compute/virtualmachines/rabbitmq": {
    "step": "rabbitmq", "ours": True,
    "operation": "https://management.azure.com/subscriptions/0/providers/Microsoft.Compute/locations/eastus/operations/aaaa?api-version=2024-11-01",
    "op_started": 1795600800000, "op_state": "Creating"}}
json.dump(d, open(p, "w"))
PY
sign_state
out=$(sw status)
check "status shows a done step with its time" grep -Eq '^1 +subscription +done +2026-11-25T10:00:00Z' <<<"$out"
check "status shows a failed step with its error" grep -q "rabbitmq *failed.*QuotaExceeded: 0 of 4 cores free" <<<"$out"
check "status shows an in-flight operation" grep -q "operation in flight: https://management.azure.com/" <<<"$out"
check "  ...with the action it belongs to and what that action does" \
	grep -Eq '^    rabbitmq\.vm: create VM rabbitmq' <<<"$out"
check "  ...when it first started and Azure's last word on it" grep -q "started 2026-11-25T10:00:00Z; Azure said Creating" <<<"$out"
check "an error kept from Azure reaches the terminal made safe" grep -qF 'cores free in eastus\x1b[31m' <<<"$out"
printf '%s\n' "$out" > "$TEST_TMP/status.out"
expect_absent "no escape byte reaches the terminal" $'\033' "$TEST_TMP/status.out"
check "status says where the install resumes" grep -q "^resume at rabbitmq (RabbitMQ VM)" <<<"$out"

# A vault older than the state (an old backup put back) is reported, not silently used.
printf 'one' | swp vault set a
cp "$SW_STATE/vault.sealed" "$TEST_TMP/backup"
printf 'two' | swp vault set b
cp "$TEST_TMP/backup" "$SW_STATE/vault.sealed"
gen_old=$(sw status | sed -n 's/.*generation \([0-9]*\),.*/\1/p')
out=$(swp vault list 2>&1); rc=$?
check "reading an older vault works but warns" bash -c '[ $1 -eq 0 ] && grep -q "vault generation $2 is older than the state'"'"'s $(( $2 + 1 )): restored from an old backup?" <<<"$3"' _ $rc "$gen_old" "$out"
check "status reports the older vault too" bash -c 'sw() { "$SW_BIN" --state-dir "$1" "${@:2}"; }; sw "$1" status | grep -q "^warning  vault generation"' _ "$SW_STATE"
out=$(printf x | swp vault set c 2>&1); rc=$?
check "writing to an older vault is refused" bash -c '[ $1 -eq 1 ] && grep -q "Refusing to write; rerun with --accept-old-vault" <<<"$2"' _ $rc "$out"
printf x | swp --accept-old-vault vault set c 2>/dev/null
check "  ...unless the operator accepts it with --accept-old-vault" [ "$(swp vault get c)" = x ]
sw status >"$TEST_TMP/status.after" 2>&1
expect_absent "  ...after which the state follows this vault (no warning)" '^warning' "$TEST_TMP/status.after"

# A state file from a newer studio-wizard is refused, not rewritten.
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["schema"]=99; json.dump(d,open(p,"w"))' "$SW_STATE/state.json"
cp "$SW_STATE/state.json" "$TEST_TMP/newer.json"
out=$(sw status 2>&1); rc=$?
check "a state file of a newer schema is refused with exit 7" [ $rc -eq 7 ]
check "  ...and a message naming the file and the schema" grep -q "state.json: schema 99 is newer than this studio-wizard understands" <<<"$out"
printf y | swp vault set d >/dev/null 2>&1
check "  ...and left untouched by a write attempt" cmp -s "$SW_STATE/state.json" "$TEST_TMP/newer.json"
echo '{"schema": 1, "steps": [{"step": "acr", "status": "sideways"}]}' > "$SW_STATE/state.json"
out=$(sw status 2>&1); rc=$?
check "a damaged state file names the field" bash -c '[ $1 -eq 1 ] && grep -q "state.json: steps\[0\].status: must be pending, running, done or failed" <<<"$2"' _ $rc "$out"
finish
