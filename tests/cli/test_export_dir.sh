# tests/cli/test_export_dir.sh: export experimenter into a directory that does not exist yet
# makes it (0700), as the default ~/.studioml is made, instead of failing on it (issue 17,
# item 21); the credentials screen's e writes through the same function.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/cli/export_lib.sh"
out=$(swp export experimenter --out "$TEST_TMP/new/config.yaml" 2>&1); rc=$?
check "export experimenter --out into a missing directory succeeds (exit $rc)" test "$rc" -eq 0 || echo "# $out"
check "  ...making the directory 0700" test "$(stat -c %a "$TEST_TMP/new" 2>/dev/null)" = 700
check "  ...and the file 0600" test "$(stat -c %a "$TEST_TMP/new/config.yaml" 2>/dev/null)" = 600
out=$(swp export experimenter --out "$TEST_TMP/no/such/config.yaml" 2>&1); rc=$?
check "a directory two levels down is not made: the parent must exist (exit $rc)" test "$rc" -eq 1
check "  ...saying which" grep -qF "$TEST_TMP/no/such: No such file or directory" <<<"$out"
finish
