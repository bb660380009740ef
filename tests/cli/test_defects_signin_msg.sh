# A long sign-in error on the Subscription screen is shown whole (wrapped above the key
# help, not cut at the edge), and "sign-in:" is not repeated in front of it.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# The device-code request is refused with Entra's long invalid_client answer.
fake_start '{"faults": [{"method": "POST", "path": "/oauth2/v2.0/devicecode$", "action": "file",
  "file": "auth/token_client_credentials_invalid_client_401.json"}]}'
trap 'cleanup; fake_stop' EXIT

new_vault 2>/dev/null
start s "$SW_STATE" --cloud "'$FAKE_CLOUD'" --passphrase-fd 3 "3<'$PASSFILE'"
track s
on_screen s 'resume at subscription'
keys s Enter
on_screen s 'step 1 of 6: Subscription'
keys s F5
check "the refused sign-in is reported" wait_for s 'device code sign-in refused \(HTTP 401'
screen s > "$TEST_TMP/screen"
# The message, rejoined from the screen's lines (each wrapped line starts in column 1).
msg=$(awk '/device code sign-in refused/ {on=1} on && /Enter confirm/ {on=0} on' "$TEST_TMP/screen" |
	sed 's/^ //; s/ *$//' | tr '\n' ' ' | sed 's/ *$//')
check "  ...whole, down to its last words (got: $msg)" grep -q 'check auth.tenant$' <<<"$msg"
check "  ...with the whole Entra description in between" grep -q "for a secret added to app '44444444-4444-4444-4444-444444444444'" <<<"$msg"
check "  ...and no line wider than the terminal" bash -c '[ "$(awk "{ if (length(\$0) > m) m = length(\$0) } END { print m }" "$1")" -le 100 ]' _ "$TEST_TMP/screen"
expect_absent "  ...and \"sign-in:\" does not repeat in front of it" 'sign-in: *sign-in:|sign-in: device code sign-in' "$TEST_TMP/screen"
check "  ...and the key help stays on the last line" bash -c 'tail -n 1 "$1" | grep -q "F5 sign in"' _ "$TEST_TMP/screen"
keys s F10
finish
