# One process per profile: a second writer is refused with exit 5 and the holder's pid,
# and writers racing each other never lose an update.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
mkfifo "$TEST_TMP/in"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 vault set first 3<"$TEST_TMP/.pass" <"$TEST_TMP/in" &
holder=$!
exec 5>"$TEST_TMP/in"          # the first writer now waits for its value
for _ in $(seq 50); do [ -s "$SW_STATE/lock" ] && break; sleep 0.1; done
out=$(printf second | swp vault set second 2>&1); rc=$?
check "a second writer on the same profile exits 5" [ $rc -eq 5 ]
check "  ...saying \"profile 'default' is in use by pid $holder\"" grep -q "profile 'default' is in use by pid $holder\$" <<<"$out"
printf 'first-value' >&5
exec 5>&-
wait $holder
check "the first writer finishes its write" [ $? -eq 0 ]
check "  ...and its value is stored" [ "$(swp vault get first)" = first-value ]
expect_exit 6 "  ...and the refused write left nothing behind" swp vault get second
other=$("$SW_BIN" --profile other --state-dir "$TEST_TMP/other" status 2>&1)
check "readers (status) never wait for the lock" grep -q "resume\|starts at" <<<"$other"

# Two writers racing: each retries when refused; every write that reported success is there.
race() { # prefix count
	for i in $(seq "$2"); do
		for _ in $(seq 200); do
			printf '%s' "$1-$i" | "$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 vault set "$1-$i" 3<"$TEST_TMP/.pass" 2>/dev/null
			rc=$?
			[ $rc -eq 0 ] && echo "$1-$i" && break
			[ $rc -ne 5 ] && echo "unexpected exit $rc" >&2 && break
			sleep 0.0$((RANDOM % 9))
		done
	done
}
race a 12 > "$TEST_TMP/a.done" &
ra=$!
race b 12 > "$TEST_TMP/b.done" &
rb=$!
wait $ra $rb
acked=$(cat "$TEST_TMP/a.done" "$TEST_TMP/b.done" | sort)
stored=$(swp vault list | awk 'NR > 1 && $1 ~ /^[ab]-/ {print $1}' | sort)
check "two racing writers: all 24 acknowledged writes are stored (no lost update)" \
	bash -c '[ "$(wc -l <<<"$1")" -eq 24 ] && [ "$1" = "$2" ]' _ "$acked" "$stored"
finish
