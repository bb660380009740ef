# state.json is signed with a key from the vault: a state changed outside studio-wizard (one
# byte, the vault generation, its MAC removed, an old copy put back, alone or with the vault of
# its time, deleted) stops `run` before its first request (and `export experimenter`), naming
# what changed; `status` still reads it, saying it was not verified; the operator restores
# state.json.verified or takes the state with --accept-state.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{}'
answers "$TEST_TMP/a.json" service-principal
sp_vault
st=$SW_STATE/state.json
check "the state carries a MAC" grep -q '"mac":	"[0-9a-f]\{64\}"' "$st"
check "  ...and state.json.verified the same bytes" cmp -s "$st" "$SW_STATE/state.json.verified"

# A state as an earlier run leaves it, signed by the wizard.
python3 - "$st" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["outputs"] = {"minio.data_partuuid": "6c3e9a4f-01", "rabbitmq.public_ip": "20.1.2.3"}
json.dump(d, open(p, "w"), indent=1)
PY
sign_state
cp "$st" "$TEST_TMP/good.json"
# requests: how many requests the fake has seen (any method, any path).
requests() { fakectl count '*' '.'; }

# One byte: the partition's uuid (a value the minio disk script uses on the VM).
sed -i 's/6c3e9a4f-01/6c3e9a4f-02/' "$st"
expect_exit 8 "a state changed by one byte stops run with exit 8" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...naming what changed" grep -qF 'outputs."minio.data_partuuid": "6c3e9a4f-01" -> "6c3e9a4f-02"' "$TEST_TMP/err"
check "  ...and only that" test "$(grep -c -- ' -> ' "$TEST_TMP/err")" -eq 1
check "  ...and saying how to go on" grep -q 'rerun with --accept-state.*copy state.json.verified over state.json' "$TEST_TMP/err"
check "  ...before any request reached the cloud" test "$(requests)" -eq 0
check "  ...leaving state.json as it was" grep -q '6c3e9a4f-02' "$st"
out=$(sw status 2>&1); rc=$?
check "status still reads the changed state (exit $rc)" test "$rc" -eq 0
check "  ...showing its values" grep -q 'minio.data_partuuid *6c3e9a4f-02' <<<"$out"
check "  ...and saying it is not verified" grep -q '^state .*state.json (not verified' <<<"$out"
out=$(swp vault list 2>&1); rc=$?
check "reading the vault still works, with a warning (exit $rc)" \
	bash -c '[ "$1" -eq 0 ] && grep -q "warning: .*state.json does not match its MAC" <<<"$2"' _ "$rc" "$out"
out=$(printf x | swp vault set x 2>&1); rc=$?
check "writing the vault is refused like run (exit $rc)" test "$rc" -eq 8
expect_exit 6 "  ...so the entry is not there (no such entry) and the changed state not signed by the way" \
	swp vault get x 2>/dev/null
out=$(swp export experimenter --out "$TEST_TMP/exp.yaml" 2>&1); rc=$?
check "export experimenter refuses the changed state's endpoints (exit $rc)" test "$rc" -eq 8
check "  ...writing nothing" test ! -e "$TEST_TMP/exp.yaml"
check "  ...and saying why" grep -q 'endpoints would come from a state the vault did not verify' <<<"$out"

# The rollback check's number, kept in the state: edited, it is a MAC mismatch.
cp "$TEST_TMP/good.json" "$st"
gen=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vault_generation"])' "$st")
sed -i "s/\"vault_generation\":\t$gen,/\"vault_generation\":\t0,/" "$st"
check "  (the test changed the generation)" grep -q '"vault_generation":	0,' "$st"
expect_exit 8 "an edited vault generation stops run" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...naming it" grep -qF "vault_generation: $gen -> 0" "$TEST_TMP/err"
check "  ...before any request" test "$(requests)" -eq 0

# The MAC removed (or a state from a studio-wizard before signing): not trusted either.
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(sys.argv[2])); d.pop("mac"); json.dump(d,open(p,"w"))' "$st" "$TEST_TMP/good.json"
expect_exit 8 "a state without its MAC stops run" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...saying it carries no MAC" grep -q 'state.json carries no MAC' "$TEST_TMP/err"
check "  ...before any request" test "$(requests)" -eq 0

# Restored from the verified copy, the run goes on.
cp "$SW_STATE/state.json.verified" "$st"
expect_exit 0 "restored from state.json.verified, run goes on" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...and reaches the cloud" test "$(requests)" -gt 0
check "  ...with the outputs as signed" grep -q '"minio.data_partuuid":	"6c3e9a4f-01"' "$st"

# Accepted by the operator: taken as it is and signed again.
sed -i 's/6c3e9a4f-01/6c3e9a4f-03/' "$st"
expect_exit 0 "with --accept-state the changed state is taken" \
	swp --accept-state run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check "  ...saying so" grep -q 'Accepted (--accept-state)' "$TEST_TMP/err"
expect_exit 0 "  ...and signed: the next run needs no flag" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...keeping the accepted value" grep -q '"minio.data_partuuid":	"6c3e9a4f-03"' "$st"

# A new passphrase brings a new key: the state is signed again with it.
printf '%s\n%s\n' "$PASS" "another passphrase" > "$TEST_TMP/.rekey"
expect_exit 0 "vault rekey" "$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 vault rekey --kdf interactive 3<"$TEST_TMP/.rekey" 2>/dev/null
PASS="another passphrase"
swp vault list >"$TEST_TMP/list" 2>&1
check "  ...after which the vault opens with the new key" grep -q "^azure-client-secret" "$TEST_TMP/list"
expect_absent "  ...and the state verifies with it (no MAC warning)" 'MAC' "$TEST_TMP/list"

# The vault and the state of an earlier day put back together: consistent, and signed, but
# behind state.json.verified (a restore of the whole directory is not noticed: README).
cp "$SW_STATE/vault.sealed" "$TEST_TMP/vault.day1"
cp "$st" "$TEST_TMP/state.day1"
printf rotated | swp vault set rabbitmq-password --kind password
cp "$SW_STATE/vault.sealed" "$TEST_TMP/vault.day2"
cp "$st" "$TEST_TMP/state.day2"
cp "$TEST_TMP/vault.day1" "$SW_STATE/vault.sealed"
cp "$TEST_TMP/state.day1" "$st"
expect_exit 8 "a vault and state put back together from an earlier day stop run" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...saying the state is older than the last one signed" grep -q 'state.json is older than state.json.verified' "$TEST_TMP/err"
out=$(printf x | swp vault set y 2>&1); rc=$?
check "  ...and refusing to write the old vault (exit $rc)" test "$rc" -eq 8
cp "$TEST_TMP/vault.day2" "$SW_STATE/vault.sealed"
cp "$TEST_TMP/state.day2" "$st"

# An old state (signed, genuine) put back beside a newer vault.
cp "$st" "$TEST_TMP/old.json"
printf a | swp vault set a
printf b | swp vault set b
cp "$TEST_TMP/old.json" "$st"
expect_exit 8 "an old state beside a newer vault stops run" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...saying it is older than the vault" grep -q 'state.json is older than the vault: it follows vault generation' "$TEST_TMP/err"

# Deleted after the vault was written: not a fresh start unless the operator says so.
rm -f "$st"
expect_exit 8 "a deleted state stops run" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "  ...saying it is missing" grep -q 'state.json is missing, and the vault was written after it was created' "$TEST_TMP/err"
finish
