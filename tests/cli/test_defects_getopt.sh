# The command line through getopt_long: options anywhere, "--" ends them, long names only
# and whole (no abbreviations), and the same messages and exit codes as before.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
printf 'v1' | swp vault set one

msg() { "$SW_BIN" "$@" 2>&1 >/dev/null; }
out=$("$SW_BIN" vault --state-dir "$SW_STATE" --passphrase-fd 3 get one 3<"$TEST_TMP/.pass")
check "options between the command words" [ "$out" = v1 ]
out=$("$SW_BIN" vault get one --passphrase-fd=3 --state-dir="$SW_STATE" 3<"$TEST_TMP/.pass")
check "options after the command words, --name=value form" [ "$out" = v1 ]
out=$("$SW_BIN" --state-dir "$SW_STATE" -- status 2>&1); rc=$?
check "-- before the command: still the command" bash -c '[ $1 -eq 0 ] && grep -q "^resume at\|starts at" <<<"$2"' _ $rc "$out"
out=$(msg --state-dir "$SW_STATE" status -- --bogus); rc=$?
printf '%s\n' "$out" >"$TEST_TMP/bogus.out"
check "after --, --bogus is an argument: a usage error (exit $rc: $out)" [ "$rc" -eq 2 ]
expect_absent "  ...not an unknown option" 'unknown option' "$TEST_TMP/bogus.out"

out=$(msg --state-dir "$SW_STATE" --bogus status); rc=$?
check "an unknown option: exit 2 and the message ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: unknown option '"'"'--bogus'"'"' (see --help)" ]' _ $rc "$out"
out=$(msg --state-dir "$SW_STATE" --bogus=1 status); rc=$?
check "  ...also with =value ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: unknown option '"'"'--bogus'"'"' (see --help)" ]' _ $rc "$out"
out=$(msg --state --profile x status); rc=$?
check "an abbreviation is not taken for the option ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: unknown option '"'"'--state'"'"' (see --help)" ]' _ $rc "$out"
out=$(msg -x status); rc=$?
check "a short option is unknown ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: unknown option '"'"'-x'"'"' (see --help)" ]' _ $rc "$out"
out=$(msg -xyz status); rc=$?
check "  ...named whole ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: unknown option '"'"'-xyz'"'"' (see --help)" ]' _ $rc "$out"
out=$(msg status --profile); rc=$?
check "an option without its value ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: --profile needs a value" ]' _ $rc "$out"
out=$(msg --passphrase-fd abc status); rc=$?
check "a bad --passphrase-fd ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: --passphrase-fd: must be a file descriptor number, got '"'"'abc'"'"'" ]' _ $rc "$out"
out=$(msg --state-dir "$SW_STATE" a b c d e f g h i); rc=$?
check "more than 8 words ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: too many arguments" ]' _ $rc "$out"
out=$(msg --state-dir "$SW_STATE" --profile --state-dir status); rc=$?
check "a value that looks like an option is the value ($out)" bash -c '[ $1 -eq 2 ] && [ "$2" = "studio-wizard: --profile: 1-64 characters of A-Z a-z 0-9 . _ -, not starting with . or -" ]' _ $rc "$out"
check "--version" bash -c '"$1" status --version | grep -q "^studio-wizard [0-9]"' _ "$SW_BIN"
check "--help" bash -c '"$1" --help | grep -q "^usage: studio-wizard"' _ "$SW_BIN"
out=$(POSIXLY_CORRECT=1 "$SW_BIN" vault get one --state-dir "$SW_STATE" --passphrase-fd 3 3<"$TEST_TMP/.pass")
check "options after words even with POSIXLY_CORRECT set" [ "$out" = v1 ]
finish
