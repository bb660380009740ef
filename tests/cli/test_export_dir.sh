# tests/cli/test_export_dir.sh: export experimenter into a directory that does not exist yet
# makes it (0700), as the default ~/.studioml is made, instead of failing on it (issue 17,
# item 21); the credentials screen's e writes through the same function.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
for e in rabbitmq-password minio-access-key minio-secret-key experimenter-signing-key; do
	printf 'v-%s' "$e" | swp vault set "$e" 2>/dev/null
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/k.pem" 2>/dev/null
openssl rsa -in "$TEST_TMP/k.pem" -RSAPublicKey_out -out "$TEST_TMP/pub.pem" 2>/dev/null
python3 - "$SW_STATE/state.json" "$TEST_TMP/pub.pem" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["outputs"] = {"rabbitmq.public_ip": "20.1.2.3", "minio.endpoint": "http://20.1.2.4:9000",
                "overlay.runner_public_key": open(sys.argv[2]).read()}
d["answers"] = {"subscription": "00000000-0000-0000-0000-000000000000"}
json.dump(d, open(p, "w"))
PY
sign_state
out=$(swp export experimenter --out "$TEST_TMP/new/config.yaml" 2>&1); rc=$?
check "export experimenter --out into a missing directory succeeds (exit $rc)" test "$rc" -eq 0 || echo "# $out"
check "  ...making the directory 0700" test "$(stat -c %a "$TEST_TMP/new" 2>/dev/null)" = 700
check "  ...and the file 0600" test "$(stat -c %a "$TEST_TMP/new/config.yaml" 2>/dev/null)" = 600
out=$(swp export experimenter --out "$TEST_TMP/no/such/config.yaml" 2>&1); rc=$?
check "a directory two levels down is not made: the parent must exist (exit $rc)" test "$rc" -eq 1
check "  ...saying which" grep -qF "$TEST_TMP/no/such: No such file or directory" <<<"$out"
finish
