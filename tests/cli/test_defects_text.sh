# Text from Azure kept in the state (a step's error, an operation's URL) reaches the terminal
# only through text_safe: no C0, C1 or DEL byte is printed by `status`.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for s in d["steps"]:
    if s["step"] == "rabbitmq":
        s.update(status="failed", confirmed=True, updated="2026-11-25T10:05:00Z",
                 error="QuotaExceeded\x1b]0;pwned\x07 \u009b2J\x7f line1\nline2")
d["resources"] = {"/subscriptions/0/resourcegroups/rg/providers/microsoft.compute/virtualmachines/rabbitmq": {
    "step": "rabbitmq", "ours": True, "operation": "https://management.azure.com/op\x1b[31m",
    "op_state": "Creating\x1b[2J"}}
d["actions"] = {"rabbitmq.group": {"status": "failed", "error": "AllocationFailed\x1b[2J"}}
json.dump(d, open(p, "w"))
PY
sw status > "$TEST_TMP/out" 2>&1; rc=$?
check "status exits 0 on a state with escapes in an error" [ $rc -eq 0 ]
check "  ...and prints the error escaped" grep -qF 'QuotaExceeded\x1b]0;pwned\x07 \u009b2J\x7f line1\x0aline2' "$TEST_TMP/out"
check "  ...and the operation's URL escaped" grep -qF 'operation in flight: https://management.azure.com/op\x1b[31m' "$TEST_TMP/out"
check "  ...and an action's error escaped" grep -qF 'AllocationFailed\x1b[2J' "$TEST_TMP/out"
check "  ...and Azure's last word on an operation escaped" grep -qF 'Azure said Creating\x1b[2J' "$TEST_TMP/out"
# The capture must hold the status table, else "no control bytes" proves nothing.
bad=$(python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
if b"rabbitmq" not in b: print("empty capture"); sys.exit()
t = b.decode("utf-8")
print(sum(1 for c in t if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f))' "$TEST_TMP/out")
check "  ...with no control character at all (found: $bad)" [ "$bad" = 0 ]
finish
