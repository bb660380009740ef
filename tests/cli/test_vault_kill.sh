# kill -9 at random moments of at least 200 writes: the vault always opens with the old
# or the new content, and every acknowledged write is there (tests/cli/vault_kill.py).
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
# A 1 MiB entry widens the window in which a save is being written.
head -c 1048576 /dev/urandom | swp vault set bulk --kind other
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
python3 "$SW_TOP/tests/cli/vault_kill.py" "$SW_BIN" "$SW_STATE" "$TEST_TMP/.pass" "${SW_KILL_ROUNDS:-200}"
printf 'final' | swp vault set k1
check "temp files of killed writers are cleaned up by the next writer" \
	bash -c '! ls -A "$1" | grep -q "\.tmp$"' _ "$SW_STATE"
check "the lock file names no holder once nobody holds it" [ ! -s "$SW_STATE/lock" ]
finish
