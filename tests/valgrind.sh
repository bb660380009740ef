#!/bin/sh
# make valgrind: every unit test and a vault round trip of the real binary under memcheck.
# Any error or definite leak fails the run. Closes with "N passed, N failed".
set -u
: "${SW_BUILD:?}" "${SW_BIN:?}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-valgrind.XXXXXX")
passed=0 failed=0
run() { # name command...
	name=$1; shift
	"$@" > "$tmp/$name.log" 2>&1
	if [ $? -eq 99 ] || grep -q "^==[0-9]*== " "$tmp/$name.log"; then
		echo "not ok - $name is not clean under valgrind"; sed -n '/^==[0-9]*== /p' "$tmp/$name.log" | head -20
		failed=$((failed + 1))
	else
		echo "ok - $name is clean under valgrind"; passed=$((passed + 1))
	fi
}
for t in "$SW_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	TEST_TMP="$tmp" run "$(basename "$t")" $VG "$t"
done
printf 'correct horse battery\n' > "$tmp/pass"
run "vault-init" $VG "$SW_BIN" --state-dir "$tmp/st" --passphrase-fd 3 vault init --kdf interactive 3<"$tmp/pass"
printf 'v\0alue' > "$tmp/val"
run "vault-set" $VG "$SW_BIN" --state-dir "$tmp/st" --passphrase-fd 3 vault set k --kind password 3<"$tmp/pass" <"$tmp/val"
run "vault-export" $VG "$SW_BIN" --state-dir "$tmp/st" --passphrase-fd 3 vault export --format json 3<"$tmp/pass"
run "status" $VG "$SW_BIN" --state-dir "$tmp/st" status
rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
