# The Subscription screen's device-code sign-in against a hostile login endpoint: escape
# sequences in the code and the address (a window title, CSI 6n that makes the terminal
# answer on stdin, the 8-bit CSI) are shown as text; none reaches the terminal.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start '{"device_text": {
  "user_code": "FAKE\u001b[6nC0DE\u009b6n",
  "verification_uri": "https://microsoft.com/devicelogin\u001b]0;PWNED-URI\u0007"}}'
trap 'cleanup; fake_stop' EXIT

new_vault 2>/dev/null
start s "$SW_STATE" --cloud "'$FAKE_CLOUD'" --until subscription --passphrase-fd 3 "3<'$PASSFILE'"
track s
# Every byte the wizard writes to its terminal from here on.
tm pipe-pane -t s -o "cat >> '$TEST_TMP/raw'"
on_screen s 'resume at subscription'
keys s Enter
on_screen s 'step 1 of 6: Subscription'
keys s F5
check "the code is shown with its escape sequences as text" wait_for s 'FAKE\\x1b\[6nC0DE\\u009b6n'
check "  ...and so is the address" wait_for s 'devicelogin\\x1b\]0;PWNED-URI\\x07'
tm display -p -t s '#{pane_title}' >"$TEST_TMP/title"
expect_absent "the window title did not change" PWNED "$TEST_TMP/title"
check "the terminal capture holds the sign-in screen" wait_until 120 grep -q 'PWNED-URI' "$TEST_TMP/raw"
LC_ALL=C expect_absent "no escape sequence of the login endpoint reaches the terminal" \
	$'\x1b\\]0;PWNED|\x1b\\[6n|\xc2\x9b|\x07' "$TEST_TMP/raw"
keys s F10
finish
