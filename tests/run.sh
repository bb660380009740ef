#!/bin/sh
# Runs every test: cmocka unit binaries, then the shell tests that drive the real binary.
# Prints one line per test and closes with "N passed, N failed".
# Env: SW_BIN (the binary under test), SW_BUILD (its build dir), SW_ONLY (substring filter).
set -u
: "${SW_BIN:?SW_BIN must name the binary under test}"
: "${SW_BUILD:?SW_BUILD must name the build directory}"
top=$(cd "$(dirname "$0")/.." && pwd)
export SW_BIN SW_BUILD SW_TOP="$top"
passed=0
failed=0
failures=""
only=${SW_ONLY:-}
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/sw-tests.XXXXXX")

count_cmocka() { # file -> adds to passed/failed
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

for t in "$SW_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case "$name" in *"$only"*) ;; *) continue ;; esac
	out="$log_dir/$name.log"
	start=$(date +%s)
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sw-$name.XXXXXX") timeout 900 "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	before=$failed
	count_cmocka "$out"
	if [ $rc -ne 0 ] && [ $failed -eq $before ]; then
		failed=$((failed + 1))   # crashed or timed out before cmocka could count
	fi
	[ $rc -ne 0 ] && failures="$failures $name"
	echo "# $name: exit $rc in $(( $(date +%s) - start ))s"
done

for t in "$top"/tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in *"$only"*) ;; *) continue ;; esac
	out="$log_dir/$name.log"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-$name.XXXXXX")
	start=$(date +%s)
	TEST_TMP="$tmp" timeout 900 bash "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited $rc"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then failures="$failures $name"; else rm -rf "$tmp"; fi
	echo "# $name: exit $rc in $(( $(date +%s) - start ))s"
done

rm -rf "$log_dir"
[ -n "$failures" ] && echo "# failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
