# Sourced by tests/cli/test_*.sh. Each check prints "ok - ..." or "not ok - ...".
# Env from tests/run.sh: SW_BIN, SW_BUILD, SW_TOP, TEST_TMP.
set -u
: "${SW_BIN:?}" "${TEST_TMP:?}"
T_FAILED=0
SW_STATE="$TEST_TMP/state"
PASS="correct horse battery staple"

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILED=$((T_FAILED + 1)); }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# expect_exit CODE DESCRIPTION COMMAND...
expect_exit() {
	want=$1 d=$2; shift 2
	"$@"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $got, wanted $want)"; return 1; fi
}
finish() { exit "$T_FAILED"; }

# sw ARGS...: the binary on this test's state directory.
sw() { "$SW_BIN" --state-dir "$SW_STATE" "$@"; }
# swp ARGS...: same, with the passphrase on fd 3.
swp() { printf '%s\n' "$PASS" > "$TEST_TMP/.pass"; "$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 "$@" 3<"$TEST_TMP/.pass"; }
# A vault with libsodium's smallest Argon2id limits (tests/tools/vault_light.c), so tests
# spend their time on behaviour; the named strengths are tested through `vault init --kdf`.
new_vault() { printf '%s\n' "$PASS" | "$SW_BUILD/tools/vault_light" "$SW_STATE"; }
# sign_state [DIR]: state.json signed as it is now, as the wizard signs what it writes: for
# tests that set up a state by editing the file (tests/tools/vault_light.c --sign).
sign_state() { printf '%s\n' "$PASS" | "$SW_BUILD/tools/vault_light" --sign "${1:-$SW_STATE}"; }
# fresh_state: the install starts over with the same vault (a new, signed state.json).
fresh_state() { rm -f "$SW_STATE/state.json" "$SW_STATE/state.json.verified" && sign_state; }
# expect_absent DESCRIPTION PATTERN FILE...: passes when no FILE holds PATTERN (grep -E), and
# fails when a FILE is missing or empty: a capture that failed proves nothing.
expect_absent() {
	d=$1 pat=$2; shift 2
	for f in "$@"; do
		if [ ! -s "$f" ]; then
			not_ok "$d (capture $f is missing or empty)"
			return
		fi
	done
	if grep -Eq -- "$pat" "$@"; then
		not_ok "$d"
		grep -Ehn -- "$pat" "$@" | head -5 | sed 's/^/#   /'
	else
		ok "$d"
	fi
}
# own_netns: the rest of this test file runs in a network namespace of its own with only a
# loopback interface, so its sandbox VMs (127.0.0.2:22 ...), RabbitMQ's epmd and servers never
# meet those of a test file running beside it. Call it before anything is started.
own_netns() {
	if [ -n "${SW_OWN_NETNS:-}" ]; then
		ip link set lo up
		return 0
	fi
	SW_OWN_NETNS=1 exec unshare --net -- bash "$0"
}
