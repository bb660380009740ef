# No secret in argv or the environment of a waiting `vault set`, in the state file, in
# `status`, or anywhere but the sealed file; core dumps are off.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
secret="s3cr3t-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
mkfifo "$TEST_TMP/in"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 vault set api-token --kind token 3<"$TEST_TMP/.pass" <"$TEST_TMP/in" &
pid=$!
exec 5>"$TEST_TMP/in"
printf '%s' "${secret:0:12}" >&5          # half the value is in; the writer waits for the rest
check "the writer holds the profile lock and waits on stdin" \
	wait_until 120 sh -c '[ -s "$1/lock" ] && grep -q pipe_read "/proc/$2/wchan" 2>/dev/null' _ "$SW_STATE" "$pid"
tr '\0' ' ' < /proc/$pid/cmdline > "$TEST_TMP/cmdline"
tr '\0' '\n' < /proc/$pid/environ > "$TEST_TMP/environ"
check "the waiting writer's cmdline was read" grep -q "vault set api-token" "$TEST_TMP/cmdline"
expect_absent -F "  ...and holds neither the passphrase nor the value" "$PASS"$'\n'"${secret:0:12}" "$TEST_TMP/cmdline"
check "its environment was read" grep -q "^PATH=" "$TEST_TMP/environ"
expect_absent -F "  ...and holds neither the passphrase nor the value" "$PASS"$'\n'"${secret:0:12}" "$TEST_TMP/environ"
check "core dumps are off in the process that holds secrets" \
	grep -Eq '^Max core file size +0 +0' /proc/$pid/limits
printf '%s' "${secret:12}" >&5
exec 5>&-
wait $pid
check "the value arrives whole once stdin closes" [ "$(swp vault get api-token)" = "$secret" ]

printf 'rmq-Pa55word-xyz' | swp vault set rabbitmq-password --kind password
printf 'minio-secret-key-123' | swp vault set minio-secret-key --kind access-key
sw status > "$TEST_TMP/status.out" 2>&1
for s in "$secret" rmq-Pa55word-xyz minio-secret-key-123 "$PASS"; do
	expect_absent -F "state.json does not contain the secret '${s:0:4}...'" "$s" "$SW_STATE/state.json"
	expect_absent -F "status output does not contain '${s:0:4}...'" "$s" "$TEST_TMP/status.out"
	expect_absent -F "the sealed vault file does not contain '${s:0:4}...' in clear" "$s" "$SW_STATE/vault.sealed"
done
finish
