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
# captured [-z] DESCRIPTION PATH...: 0 when every PATH is a non-empty file or a directory
# holding one (-z: a file or directory that exists, even empty); else "not ok" (a capture
# that failed proves nothing) and 1.
captured() {
	local empty_ok= f
	if [ "$1" = -z ]; then empty_ok=1; shift; fi
	d=$1; shift
	for f in "$@"; do
		if [ -d "$f" ]; then
			[ -n "$empty_ok" ] || [ -n "$(find "$f" -type f -size +0 -print -quit 2>/dev/null)" ] && continue
		elif [ -s "$f" ] || { [ -n "$empty_ok" ] && [ -f "$f" ]; }; then
			continue
		fi
		not_ok "$d (capture $f is missing or empty)"
		return 1
	done
}
# expect_absent [-F] [-z] DESCRIPTION PATTERN PATH...: passes when no PATH (a file, or every
# file under a directory) holds PATTERN (grep -E; -F: fixed strings; one pattern a line), and
# fails when a PATH is missing or empty (-z: it may be empty, as a program's stderr that says
# nothing when all is well, but must exist). A match is not shown (it may be a secret).
expect_absent() {
	local mode=-E z=
	while :; do
		case "$1" in
		-F) mode=-F; shift ;;
		-z) z=-z; shift ;;
		*) break ;;
		esac
	done
	d=$1 pat=$2; shift 2
	captured $z "$d" "$@" || return
	if grep -rq "$mode" -- "$pat" "$@"; then
		not_ok "$d"
		grep -rl "$mode" -- "$pat" "$@" | head -5 | sed 's/^/#   found in /'
	else
		ok "$d"
	fi
}
# expect_every DESCRIPTION PATTERN FILE...: passes when every line of every FILE holds PATTERN
# (grep -E), and fails when a FILE is missing or empty.
expect_every() {
	d=$1 pat=$2; shift 2
	captured "$d" "$@" || return
	if grep -Evq -- "$pat" "$@"; then
		not_ok "$d"
		grep -Ehvn -- "$pat" "$@" | head -5 | sed 's/^/#   /'
	else
		ok "$d"
	fi
}
# wait_until SECONDS COMMAND...: 0 once COMMAND succeeds (tried every 50 ms), 1 when SECONDS
# pass first. The cap is generous: it only turns an event that never comes into a failure.
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
# wait_port_file FILE PID WHAT: waits for a server (PID) to write its port FILE; a server that
# exits first, or 120 s without the file, is "not ok" and 1.
wait_port_file() {
	if wait_until 120 sh -c '[ -s "$1" ] || ! kill -0 "$2" 2>/dev/null' _ "$1" "$2" && [ -s "$1" ]; then
		return 0
	fi
	not_ok "$3 starts (no port file $1$(kill -0 "$2" 2>/dev/null && echo ' within 120 s' || echo ': it exited'))"
	return 1
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
